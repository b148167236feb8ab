//! Where a release is deployed, read from the repository around it as Flux and kustomize
//! decide it (SPEC 9.2): a Flux Kustomization's `targetNamespace`, else a kustomization's
//! `namespace:`; only files inside the boundary are read, through the bounded reader.

use std::collections::HashMap;
use std::path::{Component, Path, PathBuf};

use serde_json::Value;

use crate::input::files::{self, Root};
use crate::input::yaml::{self, Limits};

/// How deep kustomization `resources` are followed.
const MAX_DEPTH: usize = 16;

/// The namespace of a release and where it came from (for the output's comment).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Namespace {
    pub name: String,
    pub from: String,
}

/// A Flux Kustomization found among the inputs or beside the release's directories.
pub fn is_flux_kustomization(v: &Value) -> bool {
    v.get("kind").and_then(Value::as_str) == Some("Kustomization")
        && v.get("apiVersion")
            .and_then(Value::as_str)
            .is_some_and(|a| a.starts_with("kustomize.toolkit.fluxcd.io/"))
}

/// `a/./b/../c` to `a/c`, without touching the file system.
fn normalize(p: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in p.components() {
        match c {
            Component::ParentDir => {
                out.pop();
            }
            Component::CurDir => {}
            other => out.push(other.as_os_str()),
        }
    }
    out
}

/// The repository around the releases: parsed files, read once each, all inside `root`.
pub struct Layout {
    root: Root,
    limits: Limits,
    docs: HashMap<PathBuf, Vec<Value>>,
}

impl Layout {
    pub fn new(root: Root, limits: Limits) -> Layout {
        Layout {
            root,
            limits,
            docs: HashMap::new(),
        }
    }

    pub fn root(&self) -> &Path {
        self.root.path()
    }

    /// The documents of a file inside the boundary (none when it cannot be read or parsed:
    /// a file that is not a manifest decides nothing).
    fn docs(&mut self, file: &Path) -> Vec<Value> {
        let Ok(real) = self.root.resolve(file) else {
            return Vec::new();
        };
        if let Some(d) = self.docs.get(&real) {
            return d.clone();
        }
        let parsed = files::read(&real, self.limits.max_bytes)
            .ok()
            .and_then(|t| yaml::parse_stream(&t, &self.limits).ok())
            .unwrap_or_default();
        self.docs.insert(real, parsed.clone());
        parsed
    }

    /// The kustomization of a directory inside the boundary.
    fn kustomization(&mut self, dir: &Path) -> Option<(PathBuf, Value)> {
        let file = files::kustomization_in(dir)?;
        let doc = self.docs(&file).into_iter().next()?;
        Some((file, doc))
    }

    /// Whether building `dir` (kustomize through its kustomization; Flux, without one,
    /// every manifest below it) includes `file`.
    fn includes(&mut self, dir: &Path, file: &Path, depth: usize) -> bool {
        if depth > MAX_DEPTH || !dir.starts_with(self.root.path()) {
            return false;
        }
        let Some((_, k)) = self.kustomization(dir) else {
            return file.starts_with(dir);
        };
        let resources: Vec<String> = k
            .get("resources")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(|r| r.as_str().map(str::to_string))
            .collect();
        resources.iter().any(|r| {
            if r.contains("://") || Path::new(r).is_absolute() {
                return false;
            }
            let p = normalize(&dir.join(r));
            p == file || (p.is_dir() && self.includes(&p, file, depth + 1))
        })
    }

    /// The directories from `dir` up to the boundary, innermost first.
    fn ancestors(&self, dir: &Path) -> Vec<PathBuf> {
        dir.ancestors()
            .take_while(|d| d.starts_with(self.root.path()))
            .map(Path::to_path_buf)
            .collect()
    }

    /// The namespace of the release in `file` from the layout, `flux` being Flux
    /// Kustomizations found elsewhere among the inputs (with their files).
    pub fn namespace(&mut self, file: &Path, flux: &[(PathBuf, Value)]) -> Option<Namespace> {
        let file = self.root.resolve(file).ok()?;
        let dir = file.parent()?.to_path_buf();
        let shown = |p: &Path, root: &Path| {
            p.strip_prefix(root)
                .map(|r| r.display().to_string())
                .unwrap_or_else(|_| p.display().to_string())
        };
        // Flux Kustomizations beside the release's directories (a ks.yaml beside app/), and
        // those among the inputs.
        let mut candidates: Vec<(PathBuf, Value)> = flux.to_vec();
        for d in self.ancestors(&dir) {
            let Ok(entries) = std::fs::read_dir(&d) else {
                continue;
            };
            let mut names: Vec<PathBuf> = entries
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| files::is_manifest(p) && !files::is_hidden(p) && p.is_file())
                .collect();
            names.sort();
            for f in names {
                for doc in self.docs(&f) {
                    if is_flux_kustomization(&doc) {
                        candidates.push((f.clone(), doc));
                    }
                }
            }
        }
        let root = self.root.path().to_path_buf();
        // The build directory of each Flux Kustomization that includes the release, the
        // most specific first.
        let mut builds: Vec<(PathBuf, PathBuf, Value)> = Vec::new();
        for (f, doc) in candidates {
            let Some(path) = doc.pointer("/spec/path").and_then(Value::as_str) else {
                continue;
            };
            let Some(ks_dir) = f.parent() else { continue };
            // spec.path is relative to the source's root, which is one of the directories
            // above the Kustomization's file.
            for r in self.ancestors(ks_dir) {
                let build = normalize(&r.join(path.trim_start_matches('/')));
                if build.is_dir() && self.includes(&build, &file, 0) {
                    builds.push((build, f.clone(), doc.clone()));
                    break;
                }
            }
        }
        builds.sort_by_key(|(b, _, _)| std::cmp::Reverse(b.components().count()));
        let mut entry: Option<PathBuf> = None;
        if let Some((build, f, doc)) = builds.first() {
            if let Some(ns) = doc.pointer("/spec/targetNamespace").and_then(Value::as_str) {
                let name = doc
                    .pointer("/metadata/name")
                    .and_then(Value::as_str)
                    .unwrap_or("");
                return Some(Namespace {
                    name: ns.to_string(),
                    from: format!(
                        "the targetNamespace of Flux Kustomization {name} ({})",
                        shown(f, &root)
                    ),
                });
            }
            entry = Some(build.clone());
        }
        // kustomize: the outermost kustomization that includes the release sets it.
        let mut found = None;
        for d in self.ancestors(&dir) {
            if entry.as_ref().is_some_and(|e| !d.starts_with(e)) {
                break;
            }
            let Some((k, doc)) = self.kustomization(&d) else {
                continue;
            };
            let Some(ns) = doc.get("namespace").and_then(Value::as_str) else {
                continue;
            };
            if self.includes(&d, &file, 0) {
                found = Some(Namespace {
                    name: ns.to_string(),
                    from: format!("the namespace of {}", shown(&k, &root)),
                });
            }
        }
        found
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_normalized_lexically() {
        assert_eq!(
            normalize(Path::new("/r/a/./b/../c")),
            PathBuf::from("/r/a/c")
        );
    }
}

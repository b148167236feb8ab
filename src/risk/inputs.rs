//! Which kustomization roots need no build in a comparison: those whose inputs (every file their kustomizations reach) are byte-identical on both sides.
//!
//! A root's inputs are found conservatively: its kustomization file, and every relative
//! string in it (and in the files it reaches) that names a file or directory of the side's
//! repository (`key=path` forms too), compared by their path relative to the side. A directory with a kustomization is followed the same way; one without is
//! taken whole. Anything unsure (a path out of the repository, a link, too many files, helm
//! or remote content allowed) makes the root "changed": it is built, never skipped wrongly.
//! The platform file and the function's version are the same on both sides by
//! construction (one `--platform`, one binary); an image tag named in a function's
//! configuration is a file's bytes like any other.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::input::files::{self, Found, kustomization_in};
use crate::input::yaml;
use crate::render::Options;

/// At most this many files are read for one root; a bigger one is built.
const MAX_FILES: usize = 5_000;

/// The kustomization directories, as the walk of each side names them, that need no build.
#[derive(Debug, Default)]
pub struct Unchanged {
    base: BTreeSet<PathBuf>,
    head: BTreeSet<PathBuf>,
    base_root: PathBuf,
    head_root: PathBuf,
}

impl Unchanged {
    /// Whether `dir`, a kustomization directory of the side `side`, needs no build.
    pub fn skips(&self, side: &Path, dir: &Path) -> bool {
        if side == self.base_root {
            self.base.contains(dir)
        } else if side == self.head_root {
            self.head.contains(dir)
        } else {
            false
        }
    }

    /// How many roots each side skips.
    pub fn len(&self) -> usize {
        self.base.len()
    }

    pub fn is_empty(&self) -> bool {
        self.base.is_empty()
    }
}

/// The kustomization roots of two directories whose inputs are byte-identical.
pub fn unchanged_roots(base: &Path, head: &Path, opts: &Options) -> Unchanged {
    let mut out = Unchanged {
        base_root: base.to_path_buf(),
        head_root: head.to_path_buf(),
        ..Unchanged::default()
    };
    if opts.enable_helm || opts.enable_remote || !base.is_dir() || !head.is_dir() {
        return out;
    }
    let (Some(b), Some(h)) = (roots(base), roots(head)) else {
        return out;
    };
    for (rel, bdir) in &b {
        let Some(hdir) = h.get(rel) else { continue };
        let (Some(bi), Some(hi)) = (reached(base, bdir, opts), reached(head, hdir, opts)) else {
            continue;
        };
        if same_inputs(&bi, &hi, opts) {
            out.base.insert(bdir.clone());
            out.head.insert(hdir.clone());
        }
    }
    out
}

/// The kustomization directories of a side, by path relative to it.
fn roots(side: &Path) -> Option<BTreeMap<PathBuf, PathBuf>> {
    let root = files::Root::discover().for_path(side).ok()?;
    let found = files::walk(&root, side, true).ok()?;
    Some(
        found
            .into_iter()
            .filter_map(|f| match f {
                Found::Kustomization(dir) => {
                    Some((dir.strip_prefix(side).ok()?.to_path_buf(), dir))
                }
                Found::File(_) => None,
            })
            .collect(),
    )
}

/// Every file a root reaches, by path relative to the side (the files compared), or
/// `None` when unsure.
fn reached(side: &Path, dir: &Path, opts: &Options) -> Option<BTreeMap<PathBuf, PathBuf>> {
    let canonical_side = side.canonicalize().ok()?;
    // The repository of the side (`risk base/apps head/apps`: the checkout around it),
    // which a kustomization may reach into (`../../functions`).
    let repository = files::Root::discover().for_path(side).ok()?;
    let mut walk = Reach {
        repository: repository.path().to_path_buf(),
        side: canonical_side,
        files: BTreeMap::new(),
        seen: BTreeSet::new(),
        max_bytes: opts.limits.max_bytes,
        limits: opts.limits,
    };
    walk.kustomization(dir)?;
    Some(walk.files)
}

struct Reach {
    repository: PathBuf,
    side: PathBuf,
    files: BTreeMap<PathBuf, PathBuf>,
    seen: BTreeSet<PathBuf>,
    max_bytes: usize,
    limits: yaml::Limits,
}

impl Reach {
    /// The path relative to the side (`../functions/appspec.yaml` for one beside it), if
    /// it stays in the side's repository and is not a link.
    fn inside(&self, path: &Path) -> Option<PathBuf> {
        let meta = path.symlink_metadata().ok()?;
        if meta.file_type().is_symlink() {
            return None;
        }
        let canonical = path.canonicalize().ok()?;
        if !canonical.starts_with(&self.repository) {
            return None;
        }
        Some(relative(&self.side, &canonical))
    }

    fn add(&mut self, path: &Path) -> Option<()> {
        let rel = self.inside(path)?;
        self.files.insert(rel, path.to_path_buf());
        (self.files.len() <= MAX_FILES).then_some(())
    }

    fn kustomization(&mut self, dir: &Path) -> Option<()> {
        let rel = self.inside(dir)?;
        if !self.seen.insert(rel) {
            return Some(());
        }
        let file = kustomization_in(dir)?;
        self.add(&file)?;
        self.references(&file, dir)
    }

    /// Follows every string of a YAML file that names a path, relative to `dir` (the
    /// kustomization's directory) and to the file's own directory.
    fn references(&mut self, file: &Path, dir: &Path) -> Option<()> {
        let text = files::read(file, self.max_bytes).ok()?;
        // Not YAML (a plain file a generator reads): its bytes are compared, nothing follows.
        let Ok(docs) = yaml::parse_stream(&text, &self.limits) else {
            return Some(());
        };
        let mut strings = Vec::new();
        docs.iter().for_each(|d| collect_strings(d, &mut strings));
        let own = file.parent().unwrap_or(dir).to_path_buf();
        for s in strings {
            let candidates = std::iter::once(s.as_str()).chain(s.split_once('=').map(|(_, p)| p));
            for c in candidates {
                let c = c.trim();
                if c.is_empty() || c.contains('\n') || c.len() > 4096 {
                    continue;
                }
                // An absolute path names the same file for both sides: no difference
                // between them (and render refuses one outside the repository).
                if Path::new(c).is_absolute() {
                    continue;
                }
                for base in [dir, own.as_path()] {
                    let target = base.join(c);
                    if target.symlink_metadata().is_err() {
                        continue;
                    }
                    self.target(&target)?;
                }
            }
        }
        Some(())
    }

    fn target(&mut self, target: &Path) -> Option<()> {
        if target.is_dir() {
            if kustomization_in(target).is_some() {
                return self.kustomization(target);
            }
            return self.whole(target);
        }
        let rel = self.inside(target)?;
        if self.files.contains_key(&rel) {
            return Some(());
        }
        self.add(target)?;
        let dir = target.parent().unwrap_or(Path::new("."));
        self.references(target, dir)
    }

    /// A directory without a kustomization: every file under it.
    fn whole(&mut self, dir: &Path) -> Option<()> {
        let rel = self.inside(dir)?;
        if !self.seen.insert(rel) {
            return Some(());
        }
        let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
            .ok()?
            .map(|e| e.map(|e| e.path()))
            .collect::<Result<_, _>>()
            .ok()?;
        entries.sort();
        for e in entries {
            if e.is_dir() {
                self.whole(&e)?;
            } else {
                self.add(&e)?;
            }
        }
        Some(())
    }
}

fn collect_strings(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::String(s) => out.push(s.clone()),
        Value::Array(items) => items.iter().for_each(|i| collect_strings(i, out)),
        Value::Object(m) => {
            for (k, v) in m {
                out.push(k.clone());
                collect_strings(v, out);
            }
        }
        _ => {}
    }
}

/// Whether two sets of reached files have the same paths and the same bytes.
fn same_inputs(
    a: &BTreeMap<PathBuf, PathBuf>,
    b: &BTreeMap<PathBuf, PathBuf>,
    opts: &Options,
) -> bool {
    a.len() == b.len()
        && a.iter().zip(b).all(|((ra, pa), (rb, pb))| {
            ra == rb
                && match (
                    read_bytes(pa, opts.limits.max_bytes),
                    read_bytes(pb, opts.limits.max_bytes),
                ) {
                    (Some(x), Some(y)) => x == y,
                    _ => false,
                }
        })
}

/// A file's bytes, if it is at most `max` bytes long.
fn read_bytes(path: &Path, max: usize) -> Option<Vec<u8>> {
    let meta = path.metadata().ok()?;
    if meta.len() > max as u64 {
        return None;
    }
    std::fs::read(path).ok()
}

/// `to` relative to the directory `from` (both canonical): `..` up to their common
/// ancestor, then down.
fn relative(from: &Path, to: &Path) -> PathBuf {
    let (a, b): (Vec<_>, Vec<_>) = (from.components().collect(), to.components().collect());
    let common = a.iter().zip(&b).take_while(|(x, y)| x == y).count();
    let mut out = PathBuf::new();
    for _ in common..a.len() {
        out.push("..");
    }
    for c in &b[common..] {
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_paths() {
        let r = |a: &str, b: &str| relative(Path::new(a), Path::new(b));
        assert_eq!(
            r("/r/base/apps", "/r/base/apps/x/k.yaml"),
            Path::new("x/k.yaml")
        );
        assert_eq!(
            r("/r/base/apps", "/r/base/functions/a.yaml"),
            Path::new("../functions/a.yaml")
        );
        assert_eq!(r("/r/base", "/r/base"), Path::new(""));
    }
}

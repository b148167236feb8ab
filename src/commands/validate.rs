//! `appspec validate`: every problem of the specs in files, with line and column.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use serde_json::{Value, json};
use thiserror::Error;

use crate::engine;
use crate::input::diagnostic::{Diagnostic, Document, Issue};
use crate::input::files::Found;
use crate::input::positions;
use crate::input::source::Item;
use crate::input::yaml::{self, Limits};

#[derive(Debug, Error)]
pub enum CheckError {
    #[error(transparent)]
    File(#[from] crate::input::files::FileError),
    #[error(transparent)]
    Kustomization(#[from] crate::render::RenderError),
}

/// A diagnostic with its place in the source.
#[derive(Debug, Clone, PartialEq)]
pub struct Located {
    pub diagnostic: Diagnostic,
    pub line: Option<usize>,
    pub column: Option<usize>,
}

impl std::fmt::Display for Located {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let file =
            crate::input::diagnostic::escape(self.diagnostic.file.as_deref().unwrap_or("<stdin>"));
        match (self.line, self.column) {
            (Some(l), Some(c)) => write!(f, "{file}:{l}:{c}: {}", self.diagnostic.describe()),
            _ => write!(f, "{file}: {}", self.diagnostic.describe()),
        }
    }
}

impl Located {
    pub fn to_json(&self) -> Value {
        let d = &self.diagnostic;
        let r = d.resource.clone().unwrap_or_default();
        json!({
            "file": d.file,
            "line": self.line,
            "column": self.column,
            "apiVersion": r.api_version,
            "kind": r.kind,
            "namespace": r.namespace,
            "name": r.name,
            "field": d.issue.path,
            "severity": d.issue.severity.as_str(),
            "message": d.issue.message,
        })
    }
}

/// Reads and parses files once each, keeping what locating a diagnostic needs.
struct Reader<'a> {
    limits: &'a Limits,
    /// The items of each file read, by its name.
    items: HashMap<String, Vec<Item>>,
    /// Each file's field positions, by its name.
    scans: HashMap<String, Vec<positions::Fields>>,
    /// Files that are not YAML.
    out: Vec<Located>,
}

impl Reader<'_> {
    /// The documents of `file` that are objects (`List`s not opened), each with its file and
    /// document; a file that is not YAML is reported once and gives none.
    fn items(&mut self, file: &Path) -> Result<Vec<Item>, CheckError> {
        let name = file.display().to_string();
        if let Some(items) = self.items.get(&name) {
            return Ok(items.clone());
        }
        let text = crate::input::files::read(file, self.limits.max_bytes)?;
        let mut items = Vec::new();
        match yaml::parse_stream_indexed(&text, self.limits) {
            Ok(values) => {
                for (index, value) in values {
                    items.push(Item {
                        value,
                        file: Some(name.clone()),
                        document: Some(Document {
                            index,
                            prefix: String::new(),
                        }),
                    });
                }
            }
            Err(e) => self.out.push(not_yaml(&name, &e.to_string())),
        }
        self.scans.insert(name.clone(), positions::scan(&text));
        self.items.insert(name, items.clone());
        Ok(items)
    }

    fn locate(&self, diagnostic: Diagnostic) -> Located {
        let pos = diagnostic
            .file
            .as_ref()
            .zip(diagnostic.document.as_ref())
            .and_then(|(file, doc)| {
                self.scans
                    .get(file)
                    .and_then(|s| s.get(doc.index))
                    .and_then(|f| f.locate(&format!("{}{}", doc.prefix, diagnostic.issue.path)))
            });
        Located {
            line: pos.map(|p| p.0),
            column: pos.map(|p| p.1),
            diagnostic,
        }
    }
}

fn not_yaml(file: &str, error: &str) -> Located {
    Located {
        diagnostic: Diagnostic {
            file: Some(file.to_string()),
            resource: None,
            document: None,
            issue: Issue::error("", format!("not valid YAML: {error}")),
        },
        line: None,
        column: None,
    }
}

/// One run of the engine: what kustomize would hand one function call (a kustomization
/// root), or the plain files outside every kustomization (as `render DIR` reads them).
struct Run {
    items: Vec<Item>,
    /// The PlatformConfig the root hands the function, if any.
    platform: Option<Item>,
}

/// A run's diagnostics: under the operator's platform (`--platform`), which a root's own
/// PlatformConfig must agree with, as under `render --platform`.
fn run(r: Run, site: Option<&Item>) -> Vec<Diagnostic> {
    let items = engine::flatten_lists(r.items);
    if items.is_empty() && r.platform.is_none() {
        return Vec::new();
    }
    match (r.platform, site) {
        (Some(own), Some(site)) => {
            engine::run_into_site(items, Some(own), Some(site.clone()), &mut Discard).diagnostics
        }
        (own, site) => engine::run(items, own.or_else(|| site.cloned())).diagnostics,
    }
}

/// Validation writes nothing.
struct Discard;

impl engine::Sink for Discard {
    fn passthrough(&mut self, _: Value, _: usize) {}
    fn generated(&mut self, _: Vec<crate::expand::Object>, _: crate::validate::App) {}
}

/// The skeleton directories of the Backstage Templates among `items` (`fetch:template` with
/// a local `url`): their files are templates Backstage fills in, not manifests. Each comes
/// with a warning saying it is not validated.
fn backstage_skeletons(items: &[Item]) -> Vec<(PathBuf, Diagnostic)> {
    let mut out = Vec::new();
    for item in items {
        let v = &item.value;
        let is_template = crate::input::source::kind(v) == Some("Template")
            && v.get("apiVersion")
                .and_then(Value::as_str)
                .is_some_and(|a| a.starts_with("scaffolder.backstage.io/"));
        let Some(file) = item.file.as_deref().filter(|_| is_template) else {
            continue;
        };
        let steps = v.pointer("/spec/steps").and_then(Value::as_array);
        for (i, step) in steps.into_iter().flatten().enumerate() {
            let url = step.pointer("/input/url").and_then(Value::as_str);
            let Some(url) = url.filter(|u| {
                step.get("action").and_then(Value::as_str) == Some("fetch:template")
                    && !u.contains("://")
                    && !Path::new(u).is_absolute()
            }) else {
                continue;
            };
            let dir = Path::new(file).parent().unwrap_or(Path::new("")).join(url);
            let dir: PathBuf = dir
                .components()
                .filter(|c| !matches!(c, std::path::Component::CurDir))
                .collect();
            let message = format!(
                "{} is the skeleton of this Backstage Template (fetch:template): its files are templates, not manifests, and are not validated; validate what Backstage writes from them",
                dir.display()
            );
            out.push((
                dir,
                Diagnostic {
                    file: Some(file.to_string()),
                    resource: Some(crate::input::source::resource_ref(v)),
                    document: item.document.clone(),
                    issue: Issue::warning(format!("spec.steps[{i}].input.url"), message),
                },
            ));
        }
    }
    out
}

/// The plain files (outside every kustomization) split into sites: a directory holding a
/// PlatformConfig file is a site of its own with the files under it (as `render DIR` reads
/// it, that PlatformConfig configuring the run), the deepest one for a file under two; the
/// files under none are one run.
fn plain_sites(items: Vec<Item>) -> Vec<Vec<Item>> {
    let dir_of = |i: &Item| {
        i.file
            .as_deref()
            .and_then(|f| Path::new(f).parent())
            .map(Path::to_path_buf)
    };
    let mut sites: Vec<PathBuf> = items
        .iter()
        .filter(|i| crate::input::source::is_ours(&i.value, crate::model::platform::KIND))
        .filter_map(dir_of)
        .collect();
    sites.sort_by(|a, b| (b.components().count(), b).cmp(&(a.components().count(), a)));
    sites.dedup();
    let mut groups: Vec<(Option<PathBuf>, Vec<Item>)> = Vec::new();
    for item in items {
        let site = dir_of(&item).and_then(|d| sites.iter().find(|s| d.starts_with(s)).cloned());
        match groups.iter_mut().find(|(s, _)| *s == site) {
            Some((_, group)) => group.push(item),
            None => groups.push((site, vec![item])),
        }
    }
    groups.into_iter().map(|(_, items)| items).collect()
}

/// Validates the specs in `paths` (files or directories), with an optional platform file.
///
/// Each kustomization root is its own run, with the PlatformConfig its kustomization hands
/// the function (or the built-in platform, or `--platform`): what it lists as resources is
/// validated, as kustomize would hand it over. The plain files outside every kustomization
/// are one run per directory holding a PlatformConfig file, and one for the rest, as
/// `render` reads a directory of them: a rendered file left beside an AppSpec there is named. So a repository of several sites validates each on its own,
/// and hydrated output in a kustomization of its own (a Flux deploy directory) is nobody's
/// stray file.
pub fn check(
    paths: &[PathBuf],
    platform: Option<&Path>,
    limits: &Limits,
) -> Result<Vec<Located>, CheckError> {
    let root = crate::input::files::Root::discover();
    let mut reader = Reader {
        limits,
        items: HashMap::new(),
        scans: HashMap::new(),
        out: Vec::new(),
    };
    // The platform file, as before: its last document.
    let site = match platform {
        Some(p) => reader.items(p)?.pop(),
        None => None,
    };
    let mut runs = Vec::new();
    let mut notes = Vec::new();
    for p in paths {
        let walk_root = root.for_path(p)?;
        let mut loose = Vec::new();
        let mut dirs = Vec::new();
        for found in crate::input::files::walk(&walk_root, p, true)? {
            match found {
                Found::File(f) => loose.extend(reader.items(&f)?),
                Found::Kustomization(d) => dirs.push(d),
            }
        }
        let skeletons = backstage_skeletons(&loose);
        let in_skeleton = |path: &Path| skeletons.iter().any(|(d, _)| path.starts_with(d));
        loose.retain(|i| !i.file.as_deref().is_some_and(|f| in_skeleton(Path::new(f))));
        dirs.retain(|d| !in_skeleton(d));
        notes.extend(skeletons.into_iter().map(|(_, d)| d));
        runs.extend(plain_sites(loose).into_iter().map(|items| Run {
            items,
            platform: None,
        }));
        for inputs in crate::render::roots::roots(&walk_root, &dirs, limits)? {
            for (file, error) in &inputs.broken {
                reader
                    .out
                    .push(not_yaml(&file.display().to_string(), error));
            }
            let mut items = Vec::new();
            for f in &inputs.resources {
                items.extend(reader.items(f)?);
            }
            let mut own = None;
            for f in &inputs.configs {
                for item in reader.items(f)? {
                    if crate::input::source::is_ours(&item.value, crate::model::spec::KIND) {
                        // The generator form: the AppSpec is its own functionConfig.
                        items.push(item);
                    } else if own.is_none()
                        && crate::input::source::is_ours(&item.value, crate::model::platform::KIND)
                    {
                        own = Some(item);
                    }
                }
            }
            runs.push(Run {
                items,
                platform: own,
            });
        }
    }
    let mut out = std::mem::take(&mut reader.out);
    let mut seen = HashSet::new();
    let diagnostics = notes
        .into_iter()
        .chain(runs.into_iter().flat_map(|r| run(r, site.as_ref())));
    for diagnostic in diagnostics {
        // The "only a PlatformConfig" guard is about output; validation has none.
        if diagnostic.file.is_none() && diagnostic.resource.is_none() {
            continue;
        }
        // A shared file (a platform, a base) is reported once, not once per root.
        let located = reader.locate(diagnostic);
        if seen.insert(located.to_string()) {
            out.push(located);
        }
    }
    Ok(out)
}

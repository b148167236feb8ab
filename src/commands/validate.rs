//! `appspec validate`: every problem of the specs in files, with line and column.

use std::path::{Path, PathBuf};

use serde_json::{Value, json};
use thiserror::Error;

use crate::engine;
use crate::input::diagnostic::{Diagnostic, Document, Issue};
use crate::input::positions;
use crate::input::source::Item;
use crate::input::yaml::{self, Limits};

#[derive(Debug, Error)]
pub enum CheckError {
    #[error(transparent)]
    File(#[from] crate::input::files::FileError),
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

fn read(path: &Path, limits: &Limits) -> Result<String, CheckError> {
    Ok(crate::input::files::read(path, limits.max_bytes)?)
}

/// Whether a file lies in a directory that holds a kustomization (render builds that
/// directory with kustomize instead of reading its files).
fn in_kustomization_dir(file: Option<&str>) -> bool {
    file.and_then(|f| Path::new(f).parent())
        .is_some_and(|dir| crate::input::files::kustomization_in(dir).is_some())
}

/// Validates the specs in `paths` (files or directories), with an optional platform file.
pub fn check(
    paths: &[PathBuf],
    platform: Option<&Path>,
    limits: &Limits,
) -> Result<Vec<Located>, CheckError> {
    let mut files = Vec::new();
    let root = crate::input::files::Root::discover();
    for p in paths {
        files.extend(crate::input::files::manifest_files(&root.for_path(p)?, p)?);
    }
    let mut items = Vec::new();
    let mut out = Vec::new();
    let mut scans = std::collections::HashMap::new();
    let mut platform_item = None;
    let all = files
        .iter()
        .map(|f| (f.as_path(), false))
        .chain(platform.map(|p| (p, true)));
    for (file, is_platform) in all {
        let text = read(file, limits)?;
        let name = file.display().to_string();
        match yaml::parse_stream_indexed(&text, limits) {
            Ok(values) => {
                for (index, value) in values {
                    let item = Item {
                        value,
                        file: Some(name.clone()),
                        document: Some(Document {
                            index,
                            prefix: String::new(),
                        }),
                    };
                    if is_platform {
                        platform_item = Some(item);
                    } else if item.value.is_object() {
                        items.push(item);
                    }
                }
            }
            Err(e) => out.push(Located {
                diagnostic: Diagnostic {
                    file: Some(name.clone()),
                    resource: None,
                    document: None,
                    issue: Issue::error("", format!("not valid YAML: {e}")),
                },
                line: None,
                column: None,
            }),
        }
        scans.insert(name, positions::scan(&text));
    }
    // Each item carries its file and document from here, through the engine, to its
    // diagnostics: two resources of one kind and name (in two namespaces) keep their lines.
    // Other resources count where render reads them as they are (a directory without a
    // kustomization): an AppSpec that generates one of them is refused by both, e.g. a
    // rendered file left beside the spec. kustomize decides what a kustomization builds.
    let items: Vec<Item> = engine::flatten_lists(items)
        .into_iter()
        .filter(|i| engine::is_judged(&i.value) || !in_kustomization_dir(i.file.as_deref()))
        .collect();
    if items.is_empty() && out.is_empty() {
        return Ok(out);
    }
    let outcome = engine::run(items, platform_item);
    for diagnostic in outcome.diagnostics {
        // The "only a PlatformConfig" guard is about output; validation has none.
        if diagnostic.file.is_none() && diagnostic.resource.is_none() {
            continue;
        }
        let pos = diagnostic
            .file
            .as_ref()
            .zip(diagnostic.document.as_ref())
            .and_then(|(file, doc)| {
                scans
                    .get(file)
                    .and_then(|s| s.get(doc.index))
                    .and_then(|f| f.locate(&format!("{}{}", doc.prefix, diagnostic.issue.path)))
            });
        out.push(Located {
            line: pos.map(|p| p.0),
            column: pos.map(|p| p.1),
            diagnostic,
        });
    }
    Ok(out)
}

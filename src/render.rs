//! `appspec render`: files and kustomizations in, a plain manifest stream out (Argo CD CMP).
//!
//! Directories are walked recursively in a stable order (hidden entries skipped); a
//! directory holding a kustomization is built with kustomize instead, so overlays that
//! patch an AppSpec work. Every AppSpec is then expanded by the same engine as the KRM
//! function.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use serde_json::Value;
use thiserror::Error;

use crate::diagnostic::{Diagnostic, Issue};
use crate::engine;
use crate::source::Item;
use crate::yaml::{self, Limits};

pub const KUSTOMIZATION_FILES: [&str; 3] =
    ["kustomization.yaml", "kustomization.yml", "Kustomization"];

#[derive(Debug, Error)]
pub enum RenderError {
    #[error("cannot read {path}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error("cannot run kustomize for {dir}: {message}")]
    Kustomize { dir: String, message: String },
}

/// What to render and with which platform.
#[derive(Debug, Clone)]
pub struct Options {
    pub paths: Vec<PathBuf>,
    pub platform: Option<PathBuf>,
    pub limits: Limits,
    /// The kustomize command: `[program, args...]` before `--enable-alpha-plugins DIR`,
    /// e.g. `kustomize build` or `kubectl kustomize`.
    pub kustomize: Vec<String>,
}

#[derive(Debug)]
pub struct Rendered {
    pub stdout: String,
    pub diagnostics: Vec<Diagnostic>,
    pub failed: bool,
}

/// The kustomization file of a directory, if it has one.
pub fn kustomization_in(dir: &Path) -> Option<PathBuf> {
    KUSTOMIZATION_FILES
        .iter()
        .map(|f| dir.join(f))
        .find(|p| p.is_file())
}

/// What a path contributes: YAML files to read, or kustomization directories to build.
#[derive(Debug, PartialEq, Eq)]
pub enum Source {
    File(PathBuf),
    Kustomization(PathBuf),
}

/// Hidden entries, and `node_modules` (a package tree, never manifests), are skipped.
fn is_hidden(p: &Path) -> bool {
    p.file_name()
        .and_then(|n| n.to_str())
        .is_some_and(|n| (n.starts_with('.') && n != "." && n != "..") || n == "node_modules")
}

fn is_manifest(p: &Path) -> bool {
    matches!(
        p.extension().and_then(|e| e.to_str()),
        Some("yaml" | "yml" | "json")
    )
}

/// Collects the sources under the given paths, in a stable order.
pub fn collect(paths: &[PathBuf]) -> Result<Vec<Source>, RenderError> {
    let mut out = Vec::new();
    for p in paths {
        let meta = std::fs::metadata(p).map_err(|source| RenderError::Read {
            path: p.display().to_string(),
            source,
        })?;
        if meta.is_dir() {
            walk(p, &mut out)?;
        } else {
            out.push(Source::File(p.clone()));
        }
    }
    Ok(out)
}

fn walk(dir: &Path, out: &mut Vec<Source>) -> Result<(), RenderError> {
    if kustomization_in(dir).is_some() {
        out.push(Source::Kustomization(dir.to_path_buf()));
        return Ok(());
    }
    let read_err = |source| RenderError::Read {
        path: dir.display().to_string(),
        source,
    };
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(read_err)?
        .map(|e| e.map(|e| e.path()))
        .collect::<Result<_, _>>()
        .map_err(read_err)?;
    entries.sort();
    for path in entries {
        if is_hidden(&path) {
            continue;
        }
        if path.is_dir() {
            walk(&path, out)?;
        } else if is_manifest(&path) {
            out.push(Source::File(path));
        }
    }
    Ok(())
}

/// Whether a document is something to send to the cluster (not tool configuration).
fn is_tool_config(v: &Value) -> bool {
    let api = crate::source::api_version(v).unwrap_or("");
    api.starts_with("backstage.io/")
        || api.starts_with("kustomize.config.k8s.io/")
        || api.starts_with("scaffolder.backstage.io/")
}

fn documents(
    text: &str,
    file: &str,
    limits: &Limits,
    items: &mut Vec<Item>,
    diags: &mut Vec<Diagnostic>,
) {
    match yaml::parse_stream(text, limits) {
        Ok(docs) => {
            for (i, doc) in docs.into_iter().enumerate() {
                if !doc.is_object() || crate::source::kind(&doc).is_none() {
                    diags.push(Diagnostic {
                        file: Some(file.to_string()),
                        resource: None,
                        issue: Issue::error(
                            "",
                            format!("document {} is not a Kubernetes resource (no kind)", i + 1),
                        ),
                    });
                } else if !is_tool_config(&doc) {
                    items.push(Item {
                        value: doc,
                        file: Some(file.to_string()),
                    });
                }
            }
        }
        Err(e) => diags.push(Diagnostic {
            file: Some(file.to_string()),
            resource: None,
            issue: Issue::error("", format!("not valid YAML: {e}")),
        }),
    }
}

/// Builds a kustomization. Container KRM functions in it run this binary through a
/// `docker` name on PATH (see `krm_shim`), so `transformers: [functions]` works here too.
fn kustomize_build(dir: &Path, opts: &Options) -> Result<String, RenderError> {
    let fail = |message: String| RenderError::Kustomize {
        dir: dir.display().to_string(),
        message,
    };
    let (program, args) = opts
        .kustomize
        .split_first()
        .ok_or_else(|| fail("no kustomize command configured".into()))?;
    let shim =
        tempfile_dir().map_err(|e| fail(format!("cannot prepare the function shim: {e}")))?;
    let path = std::env::var_os("PATH").unwrap_or_default();
    let mut paths = vec![shim.clone()];
    paths.extend(std::env::split_paths(&path));
    let joined = std::env::join_paths(paths).map_err(|e| fail(e.to_string()))?;
    let output = Command::new(program)
        .args(args)
        .arg("--enable-alpha-plugins")
        .arg(dir)
        .env("PATH", joined)
        .stdin(Stdio::null())
        .output()
        .map_err(|e| {
            fail(format!(
                "cannot start {program}: {e} (install kustomize or set APPSPEC_KUSTOMIZE)"
            ))
        });
    let _ = std::fs::remove_dir_all(&shim);
    let output = output?;
    if !output.status.success() {
        let stderr = String::from_utf8_lossy(&output.stderr);
        return Err(fail(stderr.trim().to_string()));
    }
    String::from_utf8(output.stdout).map_err(|_| fail("kustomize output is not UTF-8".into()))
}

/// A private directory with `docker` linked to this binary.
fn tempfile_dir() -> std::io::Result<PathBuf> {
    let base =
        std::env::temp_dir().join(format!("appspec-shim-{}-{}", std::process::id(), unique()));
    std::fs::create_dir_all(&base)?;
    let exe = std::env::current_exe()?;
    #[cfg(unix)]
    std::os::unix::fs::symlink(exe, base.join("docker"))?;
    #[cfg(not(unix))]
    std::fs::copy(exe, base.join("docker.exe")).map(|_| ())?;
    Ok(base)
}

fn unique() -> u128 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or_default()
}

/// Renders the paths: expanded manifests on success, every problem otherwise.
pub fn render(opts: &Options) -> Result<Rendered, RenderError> {
    let mut items = Vec::new();
    let mut diags = Vec::new();
    // The platform file may sit among the manifests (a PlatformConfig beside the specs);
    // it is then read once, as the platform.
    let platform_file = opts.platform.as_ref().and_then(|p| p.canonicalize().ok());
    for source in collect(&opts.paths)? {
        match source {
            Source::File(path)
                if path.canonicalize().ok() == platform_file && platform_file.is_some() => {}
            Source::File(path) => {
                let text = read_limited(&path, opts.limits.max_bytes)?;
                documents(
                    &text,
                    &path.display().to_string(),
                    &opts.limits,
                    &mut items,
                    &mut diags,
                );
            }
            Source::Kustomization(dir) => {
                let text = kustomize_build(&dir, opts)?;
                let file = kustomization_in(&dir).unwrap_or(dir).display().to_string();
                documents(&text, &file, &opts.limits, &mut items, &mut diags);
            }
        }
    }
    let platform = match &opts.platform {
        Some(path) => {
            let text = read_limited(path, opts.limits.max_bytes)?;
            let file = path.display().to_string();
            match yaml::parse_one(&text, &opts.limits) {
                Ok(value) => Some(Item {
                    value,
                    file: Some(file),
                }),
                Err(e) => {
                    diags.push(Diagnostic {
                        file: Some(file),
                        resource: None,
                        issue: Issue::error("", format!("not valid YAML: {e}")),
                    });
                    None
                }
            }
        }
        None => None,
    };
    if let Some(p) = &platform
        && !crate::source::is_ours(&p.value, crate::platform::KIND)
    {
        diags.push(Diagnostic {
            file: p.file.clone(),
            resource: Some(crate::source::resource_ref(&p.value)),
            issue: Issue::error(
                "kind",
                format!(
                    "the --platform file must be a PlatformConfig of {}",
                    crate::API_VERSION
                ),
            ),
        });
    }
    if items.is_empty() && !diags.iter().any(Diagnostic::is_error) {
        diags.push(Diagnostic {
            file: Some(
                opts.paths
                    .iter()
                    .map(|p| p.display().to_string())
                    .collect::<Vec<_>>()
                    .join(", "),
            ),
            resource: None,
            issue: Issue::error(
                "",
                "no manifests found (no .yaml, .yml or .json file with a Kubernetes resource)",
            ),
        });
    }
    let outcome = if diags.iter().any(Diagnostic::is_error) {
        engine::Outcome::default()
    } else {
        engine::run(items, platform)
    };
    diags.extend(outcome.diagnostics);
    let failed = diags.iter().any(Diagnostic::is_error);
    let stdout = if failed {
        String::new()
    } else {
        yaml::to_stream(&outcome.items).map_err(|e| RenderError::Kustomize {
            dir: String::new(),
            message: e.to_string(),
        })?
    };
    Ok(Rendered {
        stdout,
        diagnostics: diags,
        failed,
    })
}

fn read_limited(path: &Path, limit: usize) -> Result<String, RenderError> {
    crate::source::read_file(path, limit).map_err(|source| RenderError::Read {
        path: path.display().to_string(),
        source,
    })
}

/// The files under `dir` that hold an AppSpec (for the Argo CD plugin's `discover`).
///
/// A kustomization's local `resources` and `components` directories are searched too, so
/// an overlay whose AppSpec lives in its base is discovered.
pub fn discover(dir: &Path, limits: &Limits) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let mut seen = Vec::new();
    discover_files(dir, &mut files, &mut seen, 0);
    files
        .into_iter()
        .filter(|f| {
            std::fs::read_to_string(f)
                .ok()
                .filter(|t| t.len() <= limits.max_bytes && t.contains(crate::spec::KIND))
                .and_then(|t| yaml::parse_stream(&t, limits).ok())
                .is_some_and(|docs| {
                    docs.iter()
                        .any(|d| crate::source::is_ours(d, crate::spec::KIND))
                })
        })
        .collect()
}

/// Collects the manifest files of `dir` and of the local directories its kustomization
/// references (bounded depth, each directory once).
fn discover_files(dir: &Path, out: &mut Vec<PathBuf>, seen: &mut Vec<PathBuf>, depth: usize) {
    let Ok(canonical) = dir.canonicalize() else {
        return;
    };
    if depth > 16 || seen.contains(&canonical) {
        return;
    }
    seen.push(canonical);
    manifest_files(dir, out);
    let Some(k) = kustomization_in(dir) else {
        return;
    };
    let Some(doc) = std::fs::read_to_string(&k)
        .ok()
        .and_then(|t| yaml::parse_one(&t, &Limits::default()).ok())
    else {
        return;
    };
    for field in ["resources", "components", "bases"] {
        for entry in doc
            .get(field)
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let Some(rel) = entry.as_str().filter(|s| !s.contains("://")) else {
                continue;
            };
            let target = dir.join(rel);
            if target.is_dir() {
                discover_files(&target, out, seen, depth + 1);
            }
        }
    }
}

/// Every manifest file (`.yaml`, `.yml`, `.json`) under `dir`, hidden entries skipped, in
/// a stable order.
pub fn manifest_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    entries.sort();
    for path in entries {
        if is_hidden(&path) {
            continue;
        }
        if path.is_dir() {
            manifest_files(&path, out);
        } else if is_manifest(&path) {
            out.push(path);
        }
    }
}

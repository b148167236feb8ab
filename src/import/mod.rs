//! `appspec import`: app-template HelmReleases in, one validated AppSpec per release out,
//! and every value that could not be carried over listed with its values path and why.
//!
//! `map` is the pure mapping; this module reads the files, resolves templates and `--set`
//! variables, and runs each result through the engine (the same validation and expansion
//! as the KRM function). A field the engine refuses is traced back to its values path,
//! dropped with the engine's message, and the mapping runs again, so what is printed
//! always validates and expands.

pub mod controllers;
pub mod layout;
pub mod map;
pub mod mapper;
pub mod network;
pub mod release;
pub mod shape;
pub mod subst;
pub mod v1;
pub mod values;
pub mod volumes;
pub mod workload;

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde_json::Value;

use crate::engine;
use crate::input::diagnostic::{Diagnostic, Issue, ResourceRef};
use crate::input::files::Root;
use crate::input::source::Item;
use crate::input::yaml::{self, Limits};
use crate::model::platform;
use crate::site::Site;

use self::controllers::Target;
use self::layout::Layout;
use self::mapper::{Fatal, Input};
use self::release::Release;
use self::shape::Shape;
use self::values::{Dropped, Path};

/// What to import.
#[derive(Debug, Clone)]
pub struct Options {
    pub paths: Vec<PathBuf>,
    pub platform: Option<PathBuf>,
    /// `--set VAR=value`: Flux substitution variables.
    pub vars: BTreeMap<String, String>,
    pub limits: Limits,
    /// `--namespace`: where the apps go, over what the layout says.
    pub namespace: Option<String>,
    /// `--write`: each AppSpec into `appspec.yaml` beside its release, not stdout.
    pub write: bool,
}

/// The exit status of an import.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Status {
    /// Everything was carried over.
    Complete = 0,
    /// Something was left out (listed on stderr), or a release could not be imported.
    Partial = 1,
    /// An input could not be read or is not an app-template release.
    Unreadable = 2,
}

/// The result of an import: AppSpec documents for stdout, lines for stderr, a status.
#[derive(Debug)]
pub struct Outcome {
    pub stdout: String,
    pub stderr: Vec<String>,
    pub status: Status,
}

/// One release's result: the AppSpec of its app and those of its other long-running
/// controllers, and what the release lost or keeps only in behaviour, for all of them.
#[derive(Debug)]
pub struct ReleaseOutcome {
    pub file: String,
    pub release: Release,
    /// The app's AppSpec (named after the release).
    pub doc: Option<Value>,
    /// The controller the app's AppSpec runs.
    pub controller: String,
    /// The AppSpecs of the release's other long-running controllers.
    pub extras: Vec<Extra>,
    pub dropped: Vec<Dropped>,
    pub fatal: Option<Fatal>,
    pub warnings: Vec<String>,
    pub notes: Vec<String>,
    /// Values kept in behaviour that the AppSpec does not spell: notes on stderr.
    pub noted: Vec<Dropped>,
}

/// The AppSpec of another controller of a release.
#[derive(Debug)]
pub struct Extra {
    pub controller: String,
    pub name: String,
    pub doc: Value,
    pub warnings: Vec<String>,
    pub notes: Vec<String>,
}

/// One AppSpec's mapping and validation.
#[derive(Debug, Default)]
struct One {
    doc: Option<Value>,
    dropped: Vec<Dropped>,
    fatal: Option<Fatal>,
    warnings: Vec<String>,
    notes: Vec<String>,
    noted: Vec<Dropped>,
    cutover: Vec<mapper::Cut>,
}

fn line(file: &str, release: &Release, path: &str, message: &str) -> String {
    Diagnostic {
        file: Some(file.to_string()),
        document: None,
        resource: Some(ResourceRef {
            api_version: String::new(),
            kind: release::HELM_RELEASE.into(),
            name: release.name.clone(),
            namespace: crate::input::source::namespace(&release.doc).map(str::to_string),
        }),
        issue: Issue::error(path, message),
    }
    .to_string()
}

/// Reads the `--platform` file: the engine's Item and the effective settings as JSON.
fn platform_of(opts: &Options) -> Result<(Option<Item>, Value), Vec<String>> {
    let Some(path) = &opts.platform else {
        return Ok((
            None,
            serde_json::to_value(platform::Platform::default()).unwrap_or_default(),
        ));
    };
    let file = path.display().to_string();
    let text = crate::input::files::read(path, opts.limits.max_bytes)
        .map_err(|e| vec![format!("the platform file: {}", chain(&e))])?;
    let value = yaml::parse_one(&text, &opts.limits)
        .map_err(|e| vec![format!("{file}: not valid YAML: {e}")])?;
    if !crate::input::source::is_ours(&value, platform::KIND) {
        return Err(vec![format!(
            "{file}: the --platform file must be a PlatformConfig of {}",
            crate::API_VERSION
        )]);
    }
    let read = platform::read(&value);
    let config = read.value.clone().unwrap_or_default();
    let mut issues = read.issues.clone();
    let (_, site_issues) = Site::new(config.clone());
    issues.extend(read.screen(site_issues));
    let errors: Vec<String> = issues
        .iter()
        .filter(|i| i.severity == crate::input::diagnostic::Severity::Error)
        .map(|i| {
            Diagnostic {
                file: Some(file.clone()),
                document: None,
                resource: Some(crate::input::source::resource_ref(&value)),
                issue: i.clone(),
            }
            .to_string()
        })
        .collect();
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok((
        Some(Item::new(value, Some(file))),
        serde_json::to_value(config).unwrap_or_default(),
    ))
}

/// Whether a dotted spec path lies at or below `prefix` (`spec.mounts[1].path` below
/// `spec.mounts[1]`).
fn below(path: &str, prefix: &str) -> bool {
    path == prefix
        || path
            .strip_prefix(prefix)
            .is_some_and(|rest| rest.starts_with('.') || rest.starts_with('['))
}

/// What every AppSpec of a run is mapped for and validated against.
#[derive(Clone, Copy)]
struct Against<'a> {
    shape: &'a Shape,
    platform_item: Option<&'a Item>,
    platform: &'a Value,
}

/// Maps and validates one AppSpec of a release (`release` carries the AppSpec's name),
/// refusing what the engine refuses until it validates.
fn import_one(
    file: &str,
    release: &Release,
    values: &Value,
    target: &Target,
    site: &Against<'_>,
    v1: Option<&v1::Translated>,
) -> One {
    let Against {
        shape,
        platform_item,
        platform,
    } = *site;
    let mut refused: BTreeMap<Path, String> = BTreeMap::new();
    let mut out = One::default();
    // Each round refuses at least one more value, so this ends; the bound is a backstop.
    for _ in 0..64 {
        let input = Input {
            release,
            values,
            shape,
            platform,
            refused: &refused,
            target,
        };
        let imported = match map::map(&input) {
            Ok(i) => i,
            Err(mut f) => {
                if let Some(t) = v1 {
                    f.path = t.back(&f.path);
                }
                out.fatal = Some(f);
                return out;
            }
        };
        let item = Item::new(imported.doc.clone(), Some(file.to_string()));
        let outcome = engine::run(vec![item], platform_item.cloned());
        let errors: Vec<&Diagnostic> = outcome
            .diagnostics
            .iter()
            .filter(|d| d.is_error())
            .collect();
        if errors.is_empty() {
            // The release's warnings; the platform's own (a setting it has no use for) are
            // not the release's, and `appspec validate` of the platform reports them.
            out.warnings = outcome
                .diagnostics
                .iter()
                .filter(|d| d.resource.as_ref().is_none_or(|r| r.kind != platform::KIND))
                .map(|d| d.describe())
                .collect();
            out.doc = Some(imported.doc);
            out.dropped = imported.dropped;
            out.notes = imported.notes;
            out.noted = imported.noted;
            if let Some(t) = v1 {
                out.dropped = t.traced(std::mem::take(&mut out.dropped), &t.dropped);
                out.noted = t.traced(std::mem::take(&mut out.noted), &t.noted);
            }
            out.cutover = imported.cutover;
            return out;
        }
        let mut progress = false;
        for e in &errors {
            let exact = imported
                .origins
                .iter()
                .filter(|(spec, _)| below(&e.issue.path, spec))
                .max_by_key(|(spec, _)| spec.len());
            // A path the origins do not spell the same way (a key with dots): refuse every
            // value of that spec field.
            let field: String = e
                .issue
                .path
                .split(['.', '['])
                .take(2)
                .collect::<Vec<_>>()
                .join(".");
            let coarse: Vec<&(String, Path)> = imported
                .origins
                .iter()
                .filter(|(spec, _)| field.starts_with("spec.") && below(spec, &field))
                .collect();
            let origin = exact.or_else(|| coarse.first().copied());
            if exact.is_none() {
                for (_, values_path) in coarse.iter().skip(1) {
                    if !refused.contains_key(values_path) {
                        refused.insert(
                            values_path.clone(),
                            format!("refused by AppSpec validation: {}", e.issue.message),
                        );
                        progress = true;
                    }
                }
            }
            match origin {
                Some((_, values_path)) if !refused.contains_key(values_path) => {
                    refused.insert(
                        values_path.clone(),
                        format!("refused by AppSpec validation: {}", e.issue.message),
                    );
                    progress = true;
                }
                _ => {}
            }
        }
        if !progress {
            let e = errors[0];
            let hint = if e.issue.path == "metadata.namespace" {
                "; pass --namespace NAME to import the app into another namespace"
            } else {
                ""
            };
            out.fatal = Some(Fatal {
                path: Path::root(),
                reason: format!(
                    "the AppSpec would not validate: {}{}{hint}",
                    if e.issue.path.is_empty() {
                        String::new()
                    } else {
                        format!("{}: ", e.issue.path)
                    },
                    e.issue.message
                ),
            });
            return out;
        }
    }
    out.fatal = Some(Fatal {
        path: Path::root(),
        reason: "the AppSpec would not validate after dropping what the engine refused".into(),
    });
    out
}

/// Maps and validates one release: one AppSpec for its app, and one for each other
/// long-running controller (named as app-template names that controller's Service). A
/// controller that cannot become an AppSpec is listed, and the others map again without it.
pub fn import_release(
    file: &str,
    release: Release,
    vars: &BTreeMap<String, String>,
    shape: &Shape,
    platform_item: Option<&Item>,
    platform: &Value,
) -> ReleaseOutcome {
    let cx = subst::Context {
        release_name: release.release_name.clone(),
        release_namespace: release.namespace.clone(),
        vars: vars.clone(),
    };
    let values = subst::apply(release.values().unwrap_or(&Value::Null), &cx);
    // A 1.x release is mapped in the 2.x shape; what is said is said in its own paths.
    let v1 = release
        .is_v1()
        .then(|| v1::translate(&values, &release.release_name));
    let values = v1.as_ref().map_or(values, |t| t.values.clone());
    let mut skipped: Vec<String> = Vec::new();
    let mut lost: Vec<Dropped> = Vec::new();
    let (targets, ones) = loop {
        let targets = controllers::plan(&release, &values, &skipped);
        let ones: Vec<One> = targets
            .iter()
            .map(|t| {
                let mut r = release.clone();
                r.name = t.name.clone();
                let site = Against {
                    shape,
                    platform_item,
                    platform,
                };
                import_one(file, &r, &values, t, &site, v1.as_ref())
            })
            .collect();
        let failed: Vec<usize> = (1..ones.len())
            .filter(|i| ones[*i].fatal.is_some())
            .collect();
        if failed.is_empty() {
            break (targets, ones);
        }
        for i in failed {
            let t = &targets[i];
            let f = ones[i].fatal.as_ref().expect("failed");
            let at = Path::root().key("controllers").key(&t.controller);
            // The whole controller is lost; the reason says where its mapping failed.
            let at_field = if f.path.starts_with(&at) && f.path != at {
                format!(" ({})", f.path)
            } else {
                String::new()
            };
            lost.push(Dropped {
                path: at,
                reason: format!(
                    "controller {} cannot become its own AppSpec {}: {}{at_field}",
                    t.controller, t.name, f.reason
                ),
            });
            skipped.push(t.controller.clone());
        }
    };
    // Helm deletes every PVC the chart made with the release: each AppSpec's cut-over
    // steps keep them all, and say which this one adopts.
    let mut all_cuts: Vec<mapper::Cut> = Vec::new();
    for c in ones.iter().flat_map(|o| &o.cutover) {
        if !all_cuts.iter().any(|x| x.claim == c.claim) {
            all_cuts.push(c.clone());
        }
    }
    let mut ones: Vec<One> = ones;
    for one in &mut ones {
        let steps = map::cutover_notes(&all_cuts, &one.cutover);
        one.notes.extend(steps);
    }
    let mut ones = ones.into_iter();
    let main = ones.next().unwrap_or_default();
    let mut out = ReleaseOutcome {
        file: file.to_string(),
        release,
        doc: main.doc,
        controller: targets
            .first()
            .map(|t| t.controller.clone())
            .unwrap_or_default(),
        extras: Vec::new(),
        dropped: main.dropped,
        fatal: main.fatal,
        warnings: main.warnings,
        notes: main.notes,
        noted: main.noted,
    };
    let mut said: Vec<Dropped> = Vec::new();
    // Values one AppSpec carries are nobody's loss: what a controller's values hold only
    // that controller's AppSpec reads, and a value the AppSpecs share (a chart ConfigMap,
    // `defaultPodOptions`) is unread only where every AppSpec left it unread.
    let owned: Vec<Path> = targets
        .iter()
        .flat_map(|t| t.elsewhere.iter().map(|(p, _)| p.clone()))
        .collect();
    let is_owned = |p: &Path| owned.iter().any(|e| p.starts_with(e));
    let several = targets.len() > 1;
    let mut unread: Vec<Path> = Vec::new();
    if several {
        let (shared, rest): (Vec<Dropped>, Vec<Dropped>) = std::mem::take(&mut out.dropped)
            .into_iter()
            .partition(|d| d.reason == mapper::UNREAD && !is_owned(&d.path));
        out.dropped = rest;
        unread = shared.into_iter().map(|d| d.path).collect();
    }
    for (t, one) in targets.iter().skip(1).zip(ones) {
        let Some(doc) = one.doc else { continue };
        said.push(Dropped {
            path: Path::root().key("controllers").key(&t.controller),
            reason: format!(
                "controller {} becomes its own AppSpec {}{}{}",
                t.controller,
                t.name,
                if values
                    .pointer(&format!("/controllers/{}/type", t.controller))
                    .and_then(Value::as_str)
                    == Some("cronjob")
                {
                    ", a scheduled job (job)"
                } else {
                    ""
                },
                match &t.service {
                    Some((sid, chart)) if *chart == t.name =>
                        format!(", named as the chart named its Service (service.{sid})"),
                    _ => String::new(),
                }
            ),
        });
        let mut its_unread = Vec::new();
        for d in one.dropped {
            if d.reason == mapper::UNREAD && !is_owned(&d.path) {
                its_unread.push(d.path);
            } else if !out.dropped.contains(&d) {
                out.dropped.push(d);
            }
        }
        unread = meet(&unread, &its_unread);
        for n in one.noted {
            if !out.noted.contains(&n) {
                out.noted.push(n);
            }
        }
        out.extras.push(Extra {
            controller: t.controller.clone(),
            name: t.name.clone(),
            doc,
            warnings: one.warnings,
            notes: one.notes,
        });
    }
    for path in unread {
        out.dropped.push(Dropped {
            path,
            reason: mapper::UNREAD.to_string(),
        });
    }
    if several {
        out.dropped.sort_by(|a, b| a.path.cmp(&b.path));
    }
    for d in lost {
        // The app's own line for a controller it does not run gives way to why that
        // controller could not become an AppSpec.
        out.dropped.retain(|x| !d.path.starts_with(&x.path));
        if !out.dropped.contains(&d) {
            out.dropped.push(d);
        }
    }
    // A value one AppSpec keeps in behaviour and another loses is lost.
    let dropped = out.dropped.clone();
    out.noted
        .retain(|n| !dropped.iter().any(|d| n.path.starts_with(&d.path)));
    if !out.extras.is_empty() {
        out.noted.sort_by(|a, b| a.path.cmp(&b.path));
    }
    said.extend(std::mem::take(&mut out.noted));
    out.noted = said;
    out
}

/// The values unread by two AppSpecs, each given as the roots of what it left unread: a
/// value is in both when it lies below a root of each.
fn meet(a: &[Path], b: &[Path]) -> Vec<Path> {
    let mut out: Vec<Path> = Vec::new();
    for x in a {
        for y in b {
            let deeper = if x.starts_with(y) {
                x
            } else if y.starts_with(x) {
                y
            } else {
                continue;
            };
            if !out.contains(deeper) {
                out.push(deeper.clone());
            }
        }
    }
    out
}

/// An error and its cause on one line.
fn chain(e: &dyn std::error::Error) -> String {
    match e.source() {
        Some(cause) => format!("{e}: {cause}"),
        None => e.to_string(),
    }
}

/// Keeps a text safe inside a YAML comment: one line for every YAML reader. Control
/// characters (CR, LF, NEL U+0085 and the rest) and the Unicode line and paragraph
/// separators (U+2028, U+2029: line breaks to YAML 1.1 readers such as PyYAML), and the
/// byte order mark, are escaped (`\u{2028}`).
fn comment_safe(s: &str) -> String {
    s.chars()
        .flat_map(|c| {
            if c.is_control() || matches!(c, '\u{2028}' | '\u{2029}' | '\u{feff}') {
                c.escape_default().collect::<Vec<_>>()
            } else {
                vec![c]
            }
        })
        .collect()
}

/// The first line of every AppSpec file import writes: editors validate against the schema.
pub const MODELINE: &str = "# yaml-language-server: $schema=https://raw.githubusercontent.com/hypyr/appspec/main/functions/appspec.schema.json";

/// What `--write` names the file beside each release.
pub const WRITTEN_FILE: &str = "appspec.yaml";

/// One parsed input document, with the file it came from.
struct Doc {
    /// The file as the user named it (or as the walk found it).
    file: String,
    path: PathBuf,
    value: Value,
    /// Found by walking a directory (not named on the command line).
    walked: bool,
}

/// The files of one command-line path: the file itself, or the manifests below a directory
/// (the boundary is then that directory; a file's is the repository around it).
fn inputs(path: &std::path::Path) -> Result<(Root, Vec<PathBuf>, bool), String> {
    if path.is_dir() {
        let root = Root::at(path).map_err(|e| chain(&e))?;
        let found = crate::input::files::manifest_files(&root, path).map_err(|e| chain(&e))?;
        Ok((root, found, true))
    } else {
        let root = Root::discover()
            .for_path(path)
            .unwrap_or_else(|_| Root::discover());
        Ok((root, vec![path.to_path_buf()], false))
    }
}

/// The namespace of a release, in the order Flux and kustomize decide it (SPEC 9.2).
fn namespace_of(
    opts: &Options,
    release: &Release,
    doc: &Doc,
    layout: &mut Layout,
    flux: &[(PathBuf, Value)],
) -> Option<layout::Namespace> {
    if let Some(ns) = &opts.namespace {
        return Some(layout::Namespace {
            name: ns.clone(),
            from: "--namespace".into(),
        });
    }
    if let Some(ns) = release
        .doc
        .pointer("/spec/targetNamespace")
        .and_then(Value::as_str)
    {
        return Some(layout::Namespace {
            name: ns.to_string(),
            from: "the release's spec.targetNamespace".into(),
        });
    }
    if let Some(ns) = layout.namespace(&doc.path, flux) {
        return Some(ns);
    }
    crate::input::source::namespace(&release.doc).map(|ns| layout::Namespace {
        name: ns.to_string(),
        from: "the release's metadata.namespace".into(),
    })
}

/// Whether a file at `path` was written by `appspec import` (so `--write` may replace it).
fn ours(path: &std::path::Path, max_bytes: usize) -> bool {
    let Ok(meta) = path.symlink_metadata() else {
        return true; // nothing there
    };
    if !meta.is_file() {
        return false;
    }
    crate::input::files::read(path, max_bytes).is_ok_and(|t| {
        let mut lines = t.lines();
        lines.next() == Some(MODELINE)
            && t.lines().take(4).any(|l| l.starts_with("# Imported from "))
    })
}

/// The import: reads every file (and every manifest below a directory), imports every
/// app-template release in them.
pub fn run(opts: &Options) -> Outcome {
    let mut stderr = Vec::new();
    let mut status = Status::Complete;
    let (platform_item, platform) = match platform_of(opts) {
        Ok(p) => p,
        Err(lines) => {
            return Outcome {
                stdout: String::new(),
                stderr: lines,
                status: Status::Unreadable,
            };
        }
    };
    let mut docs: Vec<Doc> = Vec::new();
    let mut layouts: Vec<Layout> = Vec::new();
    // Which layout (boundary) each document belongs to.
    let mut layout_of: Vec<usize> = Vec::new();
    for path in &opts.paths {
        let (root, found, walked) = match inputs(path) {
            Ok(x) => x,
            Err(e) => {
                stderr.push(e);
                status = Status::Unreadable;
                continue;
            }
        };
        layouts.push(Layout::new(root, opts.limits));
        let l = layouts.len() - 1;
        for p in found {
            let file = p.display().to_string();
            let text = match crate::input::files::read(&p, opts.limits.max_bytes) {
                Ok(t) => t,
                Err(e) => {
                    stderr.push(chain(&e));
                    status = Status::Unreadable;
                    continue;
                }
            };
            match yaml::parse_stream(&text, &opts.limits) {
                Ok(values) => {
                    let useful =
                        |v: &Value| release::is_helm_release(v) || release::is_oci_repository(v);
                    if !walked && !values.iter().any(useful) {
                        stderr.push(format!(
                            "{file}: no HelmRelease (nor an OCIRepository) in this file"
                        ));
                        status = Status::Unreadable;
                    }
                    for value in values {
                        docs.push(Doc {
                            file: file.clone(),
                            path: p.clone(),
                            value,
                            walked,
                        });
                        layout_of.push(l);
                    }
                }
                // Below a directory, a file that is not YAML matters only if it could hold
                // a release.
                Err(_) if walked && !text.contains(release::HELM_RELEASE) => {}
                Err(e) => {
                    stderr.push(format!("{file}: not valid YAML: {e}"));
                    status = Status::Unreadable;
                }
            }
        }
    }
    let ocis: Vec<&Value> = docs
        .iter()
        .map(|d| &d.value)
        .filter(|d| release::is_oci_repository(d))
        .collect();
    let flux: Vec<(PathBuf, Value)> = docs
        .iter()
        .filter(|d| d.walked && layout::is_flux_kustomization(&d.value))
        .map(|d| (d.path.clone(), d.value.clone()))
        .collect();
    let shape = Shape::default();
    let mut results = Vec::new();
    let mut origins: Vec<(PathBuf, Option<layout::Namespace>)> = Vec::new();
    // Files that hold an app-template release: a release of another chart beside it (a
    // HelmRelease of external-dns in the same file) is someone else's, as below a directory.
    let with_app_template: Vec<&str> = docs
        .iter()
        .filter(|d| {
            release::is_helm_release(&d.value) && release::recognize(&d.value, &ocis).is_ok()
        })
        .map(|d| d.file.as_str())
        .collect();
    for (i, doc) in docs.iter().enumerate() {
        if !release::is_helm_release(&doc.value) {
            continue;
        }
        let mut r = match release::recognize(&doc.value, &ocis) {
            Ok(r) => r,
            Err(e) if doc.walked => {
                // Below a directory: other charts are someone else's; said, not fatal.
                stderr.push(format!("{}: skipped: {e}", doc.file));
                continue;
            }
            Err(
                e @ (release::NotAppTemplate::OtherChart { .. }
                | release::NotAppTemplate::OtherOci { .. }),
            ) if with_app_template.contains(&doc.file.as_str()) => {
                stderr.push(format!(
                    "{}: skipped: {e}; it stays a HelmRelease (only app-template releases become AppSpecs): keep it when the AppSpec replaces this file",
                    doc.file
                ));
                continue;
            }
            Err(e) => {
                stderr.push(format!("{}: {e}", doc.file));
                status = Status::Unreadable;
                continue;
            }
        };
        let ns = namespace_of(opts, &r, doc, &mut layouts[layout_of[i]], &flux);
        let Some(ns) = ns else {
            results.push(ReleaseOutcome {
                file: doc.file.clone(),
                release: r,
                doc: None,
                controller: String::new(),
                extras: Vec::new(),
                dropped: Vec::new(),
                fatal: Some(Fatal {
                    path: Path::root(),
                    reason: "no namespace: neither the release nor a kustomization or Flux Kustomization around it names one, and AppSpec does not guess it from the app's name; pass --namespace NAME".into(),
                }),
                warnings: Vec::new(),
                notes: Vec::new(),
                noted: Vec::new(),
            });
            origins.push((doc.path.clone(), None));
            continue;
        };
        r.namespace = Some(ns.name.clone());
        results.push(import_release(
            &doc.file,
            r,
            &opts.vars,
            &shape,
            platform_item.as_ref(),
            &platform,
        ));
        origins.push((doc.path.clone(), Some(ns)));
    }
    // Releases that validate alone may still collide with each other.
    let items: Vec<Item> = results
        .iter()
        .filter(|r| r.doc.is_some())
        .flat_map(|r| {
            r.doc
                .iter()
                .chain(r.extras.iter().map(|e| &e.doc))
                .map(|d| Item::new(d.clone(), Some(r.file.clone())))
                .collect::<Vec<_>>()
        })
        .collect();
    if items.len() > 1 {
        let joint = engine::run(items, platform_item.clone());
        for d in joint.diagnostics.iter().filter(|d| d.is_error()) {
            let who = d.resource.as_ref().map(|res| res.name.as_str());
            if let Some((r, i)) = results.iter_mut().find_map(|r| {
                let i = r.extras.iter().position(|e| Some(e.name.as_str()) == who)?;
                (d.file.as_deref() == Some(r.file.as_str())).then_some((r, i))
            }) {
                // Another controller's AppSpec that collides is listed, the app kept.
                let e = r.extras.remove(i);
                let at = Path::root().key("controllers").key(&e.controller);
                r.noted.retain(|n| n.path != at);
                r.dropped.push(Dropped {
                    path: Path::root().key("controllers").key(&e.controller),
                    reason: format!(
                        "controller {} cannot become its own AppSpec {}: it collides with another AppSpec of this run: {}",
                        e.controller, e.name, d.issue.message
                    ),
                });
                continue;
            }
            if let Some(r) = results.iter_mut().find(|r| {
                r.doc.is_some()
                    && d.resource
                        .as_ref()
                        .is_some_and(|res| res.name == r.release.name)
                    && d.file.as_deref() == Some(r.file.as_str())
            }) {
                r.doc = None;
                r.fatal = Some(Fatal {
                    path: Path::root(),
                    reason: format!(
                        "the AppSpec collides with another release of this run: {}",
                        d.issue.message
                    ),
                });
            }
        }
    }
    // The AppSpec documents, each with the directory of its release.
    let mut out: Vec<(PathBuf, String)> = Vec::new();
    for (r, (path, ns)) in results.iter().zip(&origins) {
        for d in &r.dropped {
            stderr.push(line(&r.file, &r.release, &d.path.to_string(), &d.reason));
        }
        if let Some(f) = &r.fatal {
            stderr.push(line(
                &r.file,
                &r.release,
                &f.path.to_string(),
                &format!("{} (the release is not imported)", f.reason),
            ));
            status = status.max(Status::Partial);
            continue;
        }
        for n in &r.noted {
            stderr.push(line(
                &r.file,
                &r.release,
                &n.path.to_string(),
                &format!("note: {}", n.reason),
            ));
        }
        for w in &r.warnings {
            stderr.push(format!("{}: {w}", r.file));
        }
        if !r.dropped.is_empty() {
            status = status.max(Status::Partial);
        }
        let Some(doc) = &r.doc else { continue };
        for w in r.extras.iter().flat_map(|e| &e.warnings) {
            stderr.push(format!("{}: {w}", r.file));
        }
        let dir = path
            .parent()
            .map(std::path::Path::to_path_buf)
            .unwrap_or_default();
        let main_controller = (!r.extras.is_empty()).then(|| r.controller.clone());
        let docs = std::iter::once((doc, &r.notes, main_controller)).chain(
            r.extras
                .iter()
                .map(|e| (&e.doc, &e.notes, Some(e.controller.clone()))),
        );
        for (doc, notes, controller) in docs {
            match document(r, ns.as_ref(), doc, notes, controller.as_deref()) {
                Ok(text) => out.push((dir.clone(), text)),
                Err(e) => {
                    stderr.push(line(&r.file, &r.release, "", &e));
                    status = status.max(Status::Partial);
                }
            }
        }
    }
    if status == Status::Unreadable && !out.is_empty() {
        // Never a partial result for bad input: nothing is printed until every input reads.
        out.clear();
        stderr.push(
            "no AppSpec is printed while an input cannot be read or is not an app-template release; fix or leave out the inputs above".to_string(),
        );
    }
    let mut stdout = String::new();
    if opts.write {
        status = status.max(write_beside(&out, opts, &mut stderr));
    } else if !out.is_empty() {
        stdout.push_str(MODELINE);
        stdout.push('\n');
        for (_, text) in &out {
            stdout.push_str(text);
        }
    }
    Outcome {
        stdout,
        stderr,
        status,
    }
}

/// One AppSpec document as printed: where it came from, what it left out, its notes.
/// `controller` names the release's controller it runs when the release has several.
fn document(
    r: &ReleaseOutcome,
    ns: Option<&layout::Namespace>,
    doc: &Value,
    notes: &[String],
    controller: Option<&str>,
) -> Result<String, String> {
    let yaml = yaml::to_string(doc).map_err(|e| e.to_string())?;
    let name = &r.release.name;
    let mut text = String::from("---\n");
    let ns_name = ns.map(|n| n.name.as_str()).unwrap_or("");
    let version = r
        .release
        .version
        .as_deref()
        .map(|v| format!(" {v}"))
        .unwrap_or_default();
    let own_ns = crate::input::source::namespace(&r.release.doc);
    let shown_ns = own_ns.map(|n| format!("{n}/")).unwrap_or_default();
    let of = controller
        .map(|c| format!(", controller {c}"))
        .unwrap_or_default();
    text.push_str(&comment_safe(&format!(
        "# Imported from {}: HelmRelease {shown_ns}{name} (app-template{version}){of}.",
        r.file
    )));
    text.push('\n');
    if let Some(ns) = ns.filter(|n| own_ns != Some(n.name.as_str()) || n.from == "--namespace") {
        text.push_str(&comment_safe(&format!(
            "# Namespace {ns_name}: {}.",
            ns.from
        )));
        text.push('\n');
    }
    if !r.dropped.is_empty() {
        let n = r.dropped.len();
        text.push_str(&format!(
            "# {n} value{} of the release {} not carried over; appspec import lists {} on stderr.\n",
            if n == 1 { "" } else { "s" },
            if n == 1 { "was" } else { "were" },
            if n == 1 { "it" } else { "them" },
        ));
    }
    for note in notes {
        text.push_str(&comment_safe(&format!("# {note}")));
        text.push('\n');
    }
    text.push_str(&yaml);
    if !text.ends_with('\n') {
        text.push('\n');
    }
    Ok(text)
}

/// `--write`: each release's AppSpecs into `appspec.yaml` beside it; a file there that
/// import did not write is never replaced.
fn write_beside(out: &[(PathBuf, String)], opts: &Options, stderr: &mut Vec<String>) -> Status {
    let mut status = Status::Complete;
    let mut by_dir: Vec<(PathBuf, String)> = Vec::new();
    for (dir, text) in out {
        match by_dir.iter_mut().find(|(d, _)| d == dir) {
            Some((_, t)) => t.push_str(text),
            None => by_dir.push((dir.clone(), format!("{MODELINE}\n{text}"))),
        }
    }
    for (dir, text) in by_dir {
        let target = dir.join(WRITTEN_FILE);
        if !ours(&target, opts.limits.max_bytes) {
            stderr.push(format!(
                "{}: not written: the file exists and appspec import did not write it (its first line is not the schema line and an \"# Imported from\" comment); move it away, or import without --write and save stdout elsewhere",
                target.display()
            ));
            status = Status::Partial;
            continue;
        }
        match std::fs::write(&target, text) {
            Ok(()) => stderr.push(format!("{}: written", target.display())),
            Err(e) => {
                stderr.push(format!("{}: cannot write: {e}", target.display()));
                status = Status::Partial;
            }
        }
    }
    status
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unread_by_all_is_what_every_appspec_left_unread() {
        let p = |keys: &[&str]| keys.iter().fold(Path::root(), |p, k| p.key(k));
        let app = [p(&["configMaps"]), p(&["rawResources"])];
        let worker = [p(&["configMaps", "config", "labels"]), p(&["rawResources"])];
        assert_eq!(
            meet(&app, &worker),
            [p(&["configMaps", "config", "labels"]), p(&["rawResources"])]
        );
        assert!(meet(&app, &[]).is_empty());
    }

    #[test]
    fn spec_paths_below_a_prefix() {
        assert!(below("spec.mounts[1].path", "spec.mounts[1]"));
        assert!(below("spec.ingress.host", "spec.ingress.host"));
        assert!(!below("spec.ingress.hostx", "spec.ingress.host"));
        assert!(!below("spec.mounts[10]", "spec.mounts[1]"));
    }

    #[test]
    fn comments_stay_on_one_line() {
        assert_eq!(comment_safe("a\nb: c"), "a\\nb: c");
        for (sep, escaped) in [
            ("\r", "\\r"),
            ("\u{85}", "\\u{85}"),
            ("\u{2028}", "\\u{2028}"),
            ("\u{2029}", "\\u{2029}"),
            ("\u{feff}", "\\u{feff}"),
            ("\u{b}", "\\u{b}"),
        ] {
            assert_eq!(comment_safe(&format!("a{sep}b")), format!("a{escaped}b"));
        }
        assert_eq!(comment_safe("é ü 日本"), "é ü 日本");
    }
}

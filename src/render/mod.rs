//! `appspec render`: files and kustomizations in, a plain manifest stream out (Argo CD CMP).
//!
//! Directories are walked by `files` (stable order, hidden entries skipped, links only
//! inside the repository); a directory holding a kustomization is built with kustomize
//! instead (helm and remote content refused unless enabled, output bounded), so overlays
//! that patch an AppSpec work. Every AppSpec is then expanded by the same engine as the KRM
//! function, streamed the same way; every other document is written back as its own text.
//! `risk` reads a side with [`collect`], the same way.

pub mod hydrate;
pub mod remote;
pub mod roots;
pub mod sandbox;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use serde_json::Value;
use thiserror::Error;

use crate::engine;
use crate::input::diagnostic::{Diagnostic, Issue};
use crate::input::files::{self, FileError, Found, Root};
use crate::input::source::Item;
use crate::input::yaml::{self, Limits};
use crate::risk::relay::RELAY_ENV;

pub use crate::input::files::{KUSTOMIZATION_FILES, kustomization_in};

#[derive(Debug, Error)]
pub enum RenderError {
    #[error(transparent)]
    File(#[from] FileError),
    #[error("cannot run kustomize for {dir}: {message}")]
    Kustomize { dir: String, message: String },
    #[error(
        "{file} uses helmCharts (or a HelmChartInflationGenerator): kustomize would download and run helm for it, and repository content must not run programs; render the chart elsewhere, or allow it with --enable-helm (APPSPEC_ENABLE_HELM=true)"
    )]
    Helm { file: String },
    #[error(transparent)]
    Remote(Box<RemoteRefused>),
    #[error(
        "the platform file {path} (the Argo CD platform parameter) leads outside the repository ({root}); it must name a PlatformConfig inside the repository"
    )]
    PlatformOutside { path: String, root: String },
    #[error(
        "{file}: {field} changes the plugin configurations that {via} hands to kustomize, and render cannot judge what they fetch after that; write the configurations out as files there (a plugin configuration directory may only list resources and set names, namespace, labels and annotations), or {allow}",
        allow = ALLOW_REMOTE
    )]
    PluginDir {
        file: String,
        field: String,
        via: String,
    },
    #[error(
        "{file} cannot be checked for helm charts and remote content before kustomize runs: not valid YAML ({message})"
    )]
    Unchecked { file: String, message: String },
    #[error("cannot write the output: {0}")]
    Write(#[from] yaml::YamlError),
}

/// A kustomization that would make kustomize fetch remote content.
#[derive(Debug, Error)]
#[error(
    "{file}: {field} names the remote {noun} {entry:?}: kustomize would {verb}, and repository content must not fetch remote content or run programs; {advice}"
)]
pub struct RemoteRefused {
    pub file: String,
    pub field: String,
    pub noun: &'static str,
    pub entry: String,
    pub verb: &'static str,
    pub advice: String,
}

/// Environment variable naming, for the function kustomize runs inside `render` (the
/// `docker` shim), the operator's platform file `render` was given: the function holds the
/// repository's functionConfig to it ([`crate::engine::run_into_site`]).
pub const SITE_PLATFORM_ENV: &str = "APPSPEC_SITE_PLATFORM";

/// Under the `docker` shim, the operator's platform [`SITE_PLATFORM_ENV`] names, read.
pub fn site_platform(limits: &Limits) -> Result<Option<Item>, String> {
    let Some(path) = std::env::var_os(SITE_PLATFORM_ENV) else {
        return Ok(None);
    };
    let path = PathBuf::from(path);
    let file = path.display().to_string();
    let text = files::read(&path, limits.max_bytes).map_err(|e| e.to_string())?;
    let value =
        yaml::parse_one(&text, limits).map_err(|e| format!("{file}: not valid YAML: {e}"))?;
    Ok(Some(Item::new(value, Some(file))))
}

/// What to render and with which platform.
#[derive(Debug, Clone)]
pub struct Options {
    pub paths: Vec<PathBuf>,
    pub platform: Option<PathBuf>,
    /// The platform path comes from repository-controlled settings (the Argo CD parameter
    /// or `ARGOCD_ENV_APPSPEC_PLATFORM`): it must be relative and stay in the repository.
    pub platform_from_repository: bool,
    pub limits: Limits,
    /// The kustomize command: `[program, args...]` before `--enable-alpha-plugins DIR`,
    /// e.g. `kustomize build` or `kubectl kustomize`.
    pub kustomize: Vec<String>,
    /// Let kustomize run helm for `helmCharts` (off: such a kustomization is refused).
    pub enable_helm: bool,
    /// Let kustomize fetch remote bases and files and run git for them (off: such a
    /// kustomization is refused, and kustomize runs without git or an HTTP route).
    pub enable_remote: bool,
}

/// What `--enable-remote` says, for the messages.
const ALLOW_REMOTE: &str = "allow remote content with --enable-remote (APPSPEC_ENABLE_REMOTE=true)";

/// The message the `git` shim prints when kustomize runs it without `--enable-remote`.
pub const GIT_REFUSED: &str = "kustomize tried to run git for a remote base, and repository content must not fetch remote content or run programs; vendor the base into the repository, or allow remote content with --enable-remote (APPSPEC_ENABLE_REMOTE=true)";

/// Environment variable naming a directory where the function, run by kustomize inside
/// `render` (the `docker` shim), leaves its diagnostics as JSON: a build the function fails
/// is then reported as render's own lines (file, resource, field, message; exit 1), not as
/// kustomize's error text.
pub const RESULTS_ENV: &str = "APPSPEC_RESULTS_DIR";

/// Under the `docker` shim with [`RESULTS_ENV`] set, leaves the function's diagnostics for
/// the `render` that runs kustomize. Best effort: kustomize still gets stderr.
pub fn report_results(diagnostics: &[Diagnostic]) {
    if diagnostics.is_empty() {
        return;
    }
    if let Some(dir) = std::env::var_os(RESULTS_ENV)
        && let Ok(json) = serde_json::to_string(diagnostics)
    {
        // One process per function call: its id names the file.
        let file = PathBuf::from(dir).join(format!("results-{}.json", std::process::id()));
        let _ = std::fs::write(file, json);
    }
}

/// The diagnostics the function left in `dir` ([`report_results`]), their files made
/// relative to where render runs (kustomize names them from the kustomization's directory).
fn function_results(dir: &Path, shim: &Path, limits: &Limits) -> Vec<Diagnostic> {
    let Ok(entries) = std::fs::read_dir(shim) else {
        return Vec::new();
    };
    let mut files: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with("results-") && n.ends_with(".json"))
        })
        .collect();
    files.sort();
    let mut out = Vec::new();
    for f in files {
        let Ok(text) = files::read(&f, limits.max_bytes) else {
            continue;
        };
        let Ok(found) = serde_json::from_str::<Vec<Diagnostic>>(&text) else {
            continue;
        };
        for mut d in found {
            d.file = Some(match d.file.as_deref() {
                Some(file) if file != "<stdin>" && !file.contains("://") => {
                    lexical_join(dir, file).display().to_string()
                }
                _ => kustomization_in(dir)
                    .unwrap_or_else(|| dir.to_path_buf())
                    .display()
                    .to_string(),
            });
            // Lines come back from the run's text, not its document positions.
            d.document = None;
            if !out.contains(&d) {
                out.push(d);
            }
        }
    }
    out
}

/// `dir/file` with `.` and `..` segments of `file` resolved as text (for display only).
fn lexical_join(dir: &Path, file: &str) -> PathBuf {
    let mut out = dir.to_path_buf();
    for part in Path::new(file).components() {
        match part {
            std::path::Component::ParentDir if out.file_name().is_some() => {
                out.pop();
            }
            std::path::Component::CurDir => {}
            other => out.push(other),
        }
    }
    out
}

/// kustomize's own error text as lines a person reads: klog's prefix and Go's quoting
/// taken off (`E1205 ... run.go:72] "command failed" err="..."`), one problem per line.
pub fn kustomize_error_lines(stderr: &str) -> Vec<String> {
    let mut out = Vec::new();
    for line in stderr.lines() {
        let line = line.trim();
        let text = match klog_err(line) {
            Some(err) => err,
            None => line
                .strip_prefix("Error: ")
                .or_else(|| line.strip_prefix("error: "))
                .unwrap_or(line)
                .to_string(),
        };
        for part in text.lines() {
            let part = part.trim();
            if !part.is_empty() && !out.iter().any(|o: &String| o == part) {
                out.push(part.to_string());
            }
        }
    }
    out
}

/// The `err="..."` of a klog line (`E1205 08:07:39.128825 3038 run.go:72] "..." err="..."`),
/// unquoted.
fn klog_err(line: &str) -> Option<String> {
    let mut chars = line.chars();
    if !matches!(chars.next(), Some('E' | 'W' | 'I' | 'F'))
        || !line[1..].starts_with(|c: char| c.is_ascii_digit())
    {
        return None;
    }
    let (_, rest) = line.split_once("] ")?;
    let (_, quoted) = rest.split_once(" err=\"")?;
    let mut out = String::new();
    let mut it = quoted.chars();
    while let Some(c) = it.next() {
        match c {
            '"' => break,
            '\\' => match it.next() {
                Some('n') => out.push('\n'),
                Some('t') => out.push('\t'),
                Some(other) => out.push(other),
                None => break,
            },
            c => out.push(c),
        }
    }
    Some(out)
}

/// The proxy kustomize gets without `--enable-remote` (and without `--enable-helm`, whose
/// charts come over the network): a closed loopback port, so no HTTP request leaves
/// the machine even if a remote file got past [`refuse_remote`]. Go sends loopback
/// addresses direct, so kustomize also runs unable to open TCP connections
/// ([`crate::render::sandbox`]).
const NO_ROUTE_PROXY: &str = "http://127.0.0.1:0";

/// One object of the output: its value, and its text in the stream (`---` first; a
/// pass-through document keeps its own text).
#[derive(Debug)]
pub struct Document {
    pub value: Value,
    pub text: String,
}

#[derive(Debug)]
pub struct Rendered {
    /// The manifest stream ([`render`]; empty when failed).
    pub stdout: String,
    /// The documents of the stream, in order ([`render_documents`]; none when failed), for
    /// `render --out`.
    pub documents: Vec<Document>,
    pub diagnostics: Vec<Diagnostic>,
    pub failed: bool,
}

/// Whether a document is something to send to the cluster (not tool configuration).
fn is_tool_config(v: &Value) -> bool {
    let api = crate::input::source::api_version(v).unwrap_or("");
    api.starts_with("backstage.io/")
        || api.starts_with("kustomize.config.k8s.io/")
        || api.starts_with("scaffolder.backstage.io/")
}

/// Splits a YAML stream into the text of each document (markers and `...` dropped,
/// directives kept with their document). Per the YAML spec a line starting with `---` or
/// `...` is a marker wherever it appears, so this needs no parsing.
pub fn split_documents(text: &str) -> Vec<String> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let marker = |line: &str, m: &str| {
        line.strip_prefix(m)
            .is_some_and(|rest| rest.is_empty() || rest.starts_with([' ', '\t', '\r', '\n']))
    };
    let mut docs = Vec::new();
    let mut current = String::new();
    let mut directives = String::new();
    let mut ended = false;
    for line in text.split_inclusive('\n') {
        if marker(line, "---") {
            docs.push(std::mem::take(&mut current));
            current.push_str(&std::mem::take(&mut directives));
            let rest = line[3..].trim();
            if !rest.is_empty() && !rest.starts_with('#') || !current.is_empty() {
                current.push_str(line);
            }
            ended = false;
        } else if marker(line, "...") {
            docs.push(std::mem::take(&mut current));
            ended = true;
        } else if ended && line.starts_with('%') {
            directives.push_str(line);
        } else {
            current.push_str(line);
        }
    }
    docs.push(current);
    docs.into_iter()
        .filter(|d| {
            d.lines()
                .any(|l| !l.trim().is_empty() && !l.trim_start().starts_with('#'))
        })
        .collect()
}

/// The documents of a file with, for YAML, the text of each (so a pass-through document
/// is written as it was: `0644`, `yes` and `017` keep the meaning kustomize gives them).
fn documents_with_text(
    text: &str,
    copy_text: bool,
    limits: &Limits,
) -> Result<Vec<(Value, Option<String>)>, yaml::YamlError> {
    // The whole stream first, so its budget bounds the work below.
    let docs = yaml::parse_stream(text, limits)?;
    if copy_text {
        let mut with_text = Vec::with_capacity(docs.len());
        for chunk in split_documents(text) {
            match yaml::parse_one(&chunk, limits) {
                Ok(Value::Null) => {}
                Ok(v) => with_text.push((v, Some(chunk))),
                Err(_) => {
                    with_text.clear();
                    break;
                }
            }
        }
        if with_text.len() == docs.len() && with_text.iter().zip(&docs).all(|((a, _), b)| a == b) {
            return Ok(with_text);
        }
    }
    Ok(docs.into_iter().map(|d| (d, None)).collect())
}

/// The resources render collected, before the engine runs.
#[derive(Debug, Default)]
pub struct Collected {
    pub items: Vec<Item>,
    /// The source text of each item, when it is copied as is.
    pub texts: Vec<Option<String>>,
    /// The platform file (`--platform`), read.
    pub platform: Option<Item>,
    pub diagnostics: Vec<Diagnostic>,
    /// The diagnostics of the builds the AppSpec function refused (also in `diagnostics`):
    /// `risk` judges those specs invalid instead of failing on them.
    pub refusals: Vec<Diagnostic>,
    /// The kustomizations the function refused, named as the items of a build are
    /// (their kustomization file): kustomize wrote nothing for them.
    pub unbuilt: Vec<String>,
}

impl Collected {
    fn documents(&mut self, text: &str, file: &str, copy_text: bool, limits: &Limits) {
        match documents_with_text(text, copy_text, limits) {
            Ok(docs) => {
                for (i, (doc, doc_text)) in docs.into_iter().enumerate() {
                    if !doc.is_object() || crate::input::source::kind(&doc).is_none() {
                        self.diagnostics.push(Diagnostic {
                            file: Some(file.to_string()),
                            resource: None,
                            document: None,
                            issue: Issue::error(
                                "",
                                format!(
                                    "document {} is not a Kubernetes resource (no kind); render reads every YAML file below the paths it is given, so give it the directory of the apps (a CI workflow or other configuration does not belong there)",
                                    i + 1
                                ),
                            ),
                        });
                    } else if !is_tool_config(&doc) {
                        let item = Item::new(doc, Some(file.to_string()));
                        // A List holding AppSpecs is read as its items.
                        if engine::is_list(&item.value) {
                            let flat = engine::flatten_lists(vec![item]);
                            let keep = flat.len() == 1 && engine::is_list(&flat[0].value);
                            self.texts.extend(
                                flat.iter()
                                    .map(|_| if keep { doc_text.clone() } else { None }),
                            );
                            self.items.extend(flat);
                        } else {
                            self.items.push(item);
                            self.texts.push(doc_text);
                        }
                    }
                }
            }
            Err(e) => self.diagnostics.push(Diagnostic {
                file: Some(file.to_string()),
                resource: None,
                document: None,
                issue: Issue::error("", format!("not valid YAML: {e}")),
            }),
        }
    }
}

/// Builds a kustomization. Container KRM functions in it run this binary through a
/// `docker` name on PATH (see `tempfile_dir`), so `transformers: [functions]` works here too.
fn kustomize_build(dir: &Path, opts: &Options, relay: Option<&Path>) -> Result<Built, RenderError> {
    let fail = |message: String| RenderError::Kustomize {
        dir: dir.display().to_string(),
        message,
    };
    let (program, args) = opts
        .kustomize
        .split_first()
        .ok_or_else(|| fail("no kustomize command configured".into()))?;
    let shim = tempfile_dir(!opts.enable_remote)
        .map_err(|e| fail(format!("cannot prepare the function shim: {e}")))?;
    let path = std::env::var_os("PATH").unwrap_or_default();
    let mut paths = vec![shim.clone()];
    paths.extend(std::env::split_paths(&path));
    let joined = std::env::join_paths(paths).map_err(|e| fail(e.to_string()))?;
    let mut command = Command::new(program);
    command
        .args(args)
        .arg("--enable-alpha-plugins")
        .args(opts.enable_helm.then_some("--enable-helm"))
        .arg(dir)
        .env("PATH", joined)
        .env_remove(RELAY_ENV)
        .env_remove(SITE_PLATFORM_ENV)
        .stdin(Stdio::null());
    if let Some(platform) = &opts.platform {
        let platform = std::path::absolute(platform).unwrap_or_else(|_| platform.clone());
        command.env(SITE_PLATFORM_ENV, platform);
    }
    if let Some(relay) = relay {
        command.env(RELAY_ENV, relay);
    }
    command.env(RESULTS_ENV, &shim);
    let offline = !opts.enable_remote && !opts.enable_helm;
    if offline {
        for var in ["HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy"] {
            command.env(var, NO_ROUTE_PROXY);
        }
        command.env_remove("NO_PROXY").env_remove("no_proxy");
    }
    let limit = opts.limits.max_bytes;
    let output = if offline {
        // The proxy does not cover loopback addresses: no TCP at all (where the kernel can).
        crate::render::sandbox::without_tcp(|| bounded_output(command, limit)).0
    } else {
        bounded_output(command, limit)
    };
    let output = output.map_err(|e| match e {
        Bounded::Start(e) => fail(format!(
            "cannot start {program}: {e} (install kustomize or set APPSPEC_KUSTOMIZE)"
        )),
        Bounded::Io(e) => fail(format!("cannot read its output: {e}")),
        Bounded::TooLarge => fail(format!(
            "its output is above the input limit of {} bytes (--max-input-bytes)",
            opts.limits.max_bytes
        )),
    });
    let results = function_results(dir, &shim, &opts.limits);
    let _ = std::fs::remove_dir_all(&shim);
    let (status, stdout, stderr) = output?;
    if !status.success() {
        if results.iter().any(Diagnostic::is_error) {
            return Ok(Built::Failed(results));
        }
        // kustomize's own error (a missing file, a base it cannot fetch): its problems on
        // one line, without klog's prefix or Go's quoting.
        let lines = kustomize_error_lines(&String::from_utf8_lossy(&stderr));
        return Err(fail(lines.join("; ")));
    }
    String::from_utf8(stdout)
        .map(Built::Manifests)
        .map_err(|_| fail("kustomize output is not UTF-8".into()))
}

/// What a kustomize build gave.
#[derive(Debug)]
enum Built {
    Manifests(String),
    /// The AppSpec function refused the input: every problem, as render's own diagnostics.
    Failed(Vec<Diagnostic>),
}

enum Bounded {
    Start(std::io::Error),
    Io(std::io::Error),
    TooLarge,
}

/// Runs a command and reads its stdout and stderr, at most `limit` bytes each: a
/// kustomization that makes kustomize write without end is stopped, not buffered.
fn bounded_output(
    mut command: Command,
    limit: usize,
) -> Result<(std::process::ExitStatus, Vec<u8>, Vec<u8>), Bounded> {
    use std::io::Read;
    let mut child = command
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(Bounded::Start)?;
    let cap = limit as u64 + 1;
    let stderr = child.stderr.take().map(|mut e| {
        std::thread::spawn(move || {
            let mut buf = Vec::new();
            let _ = (&mut e).take(cap).read_to_end(&mut buf);
            // Drain the rest (kept nowhere) so the child never blocks on a full pipe.
            let _ = std::io::copy(&mut e, &mut std::io::sink());
            buf
        })
    });
    let mut stdout = Vec::new();
    let read = child
        .stdout
        .take()
        .map(|o| o.take(cap).read_to_end(&mut stdout))
        .transpose();
    if read.is_err() || stdout.len() > limit {
        let _ = child.kill();
    }
    let status = child.wait().map_err(Bounded::Io)?;
    let stderr = stderr.and_then(|h| h.join().ok()).unwrap_or_default();
    read.map_err(Bounded::Io)?;
    if stdout.len() > limit || stderr.len() > limit {
        return Err(Bounded::TooLarge);
    }
    Ok((status, stdout, stderr))
}

/// A private directory with `docker` (and, to refuse remote bases, `git`) linked to this
/// binary.
fn tempfile_dir(git: bool) -> std::io::Result<PathBuf> {
    let base = files::private_dir("appspec-shim")?;
    let exe = std::env::current_exe()?;
    let names: &[&str] = if git { &["docker", "git"] } else { &["docker"] };
    for name in names {
        #[cfg(unix)]
        std::os::unix::fs::symlink(&exe, base.join(name))?;
        #[cfg(not(unix))]
        std::fs::copy(&exe, base.join(format!("{name}.exe")))?;
    }
    Ok(base)
}

/// The platform file named by the options, checked against the repository root.
fn platform_path(opts: &Options, root: &Root) -> Result<Option<PathBuf>, RenderError> {
    let Some(path) = &opts.platform else {
        return Ok(None);
    };
    if !opts.platform_from_repository {
        return Ok(Some(path.clone()));
    }
    let cwd = std::env::current_dir().map_err(|source| FileError::Read {
        path: ".".into(),
        source,
    })?;
    root.resolve_untrusted(&cwd, path).map_err(|e| match e {
        FileError::Outside { path, root } => RenderError::PlatformOutside { path, root },
        other => other.into(),
    })?;
    Ok(Some(path.clone()))
}

/// How `risk` takes part in [`collect`].
#[derive(Default)]
pub struct Hooks<'a> {
    /// The socket of `risk`'s relay: the function run by kustomize forwards its calls there.
    pub relay: Option<&'a Path>,
    /// Kustomization directories not to build (their inputs are the same on both sides).
    pub skip: Option<&'a dyn Fn(&Path) -> bool>,
}

/// Reads the paths the way render does (kustomizations built, Lists opened, the platform
/// file read), without running the engine.
pub fn collect(opts: &Options, hooks: &Hooks) -> Result<Collected, RenderError> {
    let root = Root::discover();
    let mut c = Collected::default();
    let platform = platform_path(opts, &root)?;
    // The platform file may sit among the manifests (a PlatformConfig beside the specs);
    // it is then read once, as the platform.
    let platform_file = platform.as_ref().and_then(|p| p.canonicalize().ok());
    for path in &opts.paths {
        let walk_root = root.for_path(path)?;
        for found in files::walk(&walk_root, path, true)? {
            match found {
                Found::File(path)
                    if platform_file.is_some() && path.canonicalize().ok() == platform_file => {}
                Found::File(path) => {
                    let text = files::read(&path, opts.limits.max_bytes)?;
                    let is_yaml = path.extension().is_none_or(|e| e != "json");
                    c.documents(&text, &path.display().to_string(), is_yaml, &opts.limits);
                }
                Found::Kustomization(dir) => {
                    if !opts.enable_helm || !opts.enable_remote {
                        check_kustomization(&walk_root, &dir, opts)?;
                    }
                    // Refused or not as a build would be, but not built.
                    if hooks.skip.is_some_and(|skip| skip(&dir)) {
                        continue;
                    }
                    match kustomize_build(&dir, opts, hooks.relay)? {
                        Built::Manifests(text) => {
                            let file = kustomization_in(&dir).unwrap_or(dir).display().to_string();
                            c.documents(&text, &file, true, &opts.limits);
                        }
                        Built::Failed(diagnostics) => {
                            let file = kustomization_in(&dir).unwrap_or(dir).display().to_string();
                            c.unbuilt.push(file);
                            c.refusals.extend(diagnostics.iter().cloned());
                            c.diagnostics.extend(diagnostics);
                        }
                    }
                }
            }
        }
    }
    if let Some(path) = &platform {
        let text = files::read(path, opts.limits.max_bytes)?;
        let file = path.display().to_string();
        match yaml::parse_one(&text, &opts.limits) {
            Ok(value) => {
                if !crate::input::source::is_ours(&value, crate::model::platform::KIND) {
                    c.diagnostics.push(Diagnostic {
                        file: Some(file.clone()),
                        resource: Some(crate::input::source::resource_ref(&value)),
                        document: None,
                        issue: Issue::error(
                            "kind",
                            format!(
                                "the --platform file must be a PlatformConfig of {}",
                                crate::API_VERSION
                            ),
                        ),
                    });
                }
                c.platform = Some(Item::new(value, Some(file)));
            }
            Err(e) => c.diagnostics.push(Diagnostic {
                file: Some(file),
                resource: None,
                document: None,
                issue: Issue::error("", format!("not valid YAML: {e}")),
            }),
        }
    }
    Ok(c)
}

/// Renders the paths: expanded manifests on success, every problem otherwise.
///
/// The run is streamed: each app's objects are written into `stdout` as soon as the engine
/// makes them, then dropped, so memory holds the input, the text written so far and one
/// app's objects, never every object at once. On error the text is thrown away.
pub fn render(opts: &Options) -> Result<Rendered, RenderError> {
    render_with(opts, false)
}

/// [`render`] for `render --out`, which groups the documents per app: each document is kept
/// (its value and its text as `render` writes it) in `documents`, and `stdout` is empty.
pub fn render_documents(opts: &Options) -> Result<Rendered, RenderError> {
    render_with(opts, true)
}

fn render_with(opts: &Options, keep_documents: bool) -> Result<Rendered, RenderError> {
    let Collected {
        items,
        mut texts,
        platform,
        mut diagnostics,
        refusals: _,
        unbuilt: _,
    } = collect(opts, &Hooks::default())?;
    if items.is_empty() && !diagnostics.iter().any(Diagnostic::is_error) {
        diagnostics.push(Diagnostic {
            file: Some(
                opts.paths
                    .iter()
                    .map(|p| p.display().to_string())
                    .collect::<Vec<_>>()
                    .join(", "),
            ),
            resource: None,
            document: None,
            issue: Issue::error(
                "",
                "no manifests found (no .yaml, .yml or .json file with a Kubernetes resource)",
            ),
        });
    }
    // Only what passes through is written as its text: the others' go now.
    for (text, item) in texts.iter_mut().zip(&items) {
        if engine::is_judged(&item.value) {
            *text = None;
        }
    }
    let mut writer = Writer {
        texts,
        stdout: String::new(),
        documents: keep_documents.then(Vec::new),
        error: None,
    };
    if !diagnostics.iter().any(Diagnostic::is_error) {
        let summary = engine::run_into(items, platform, &mut writer);
        diagnostics.extend(summary.diagnostics);
    }
    let failed = diagnostics.iter().any(Diagnostic::is_error);
    if failed {
        return Ok(Rendered {
            stdout: String::new(),
            documents: Vec::new(),
            diagnostics,
            failed,
        });
    }
    if let Some(e) = writer.error {
        return Err(e.into());
    }
    Ok(Rendered {
        stdout: writer.stdout,
        documents: writer.documents.unwrap_or_default(),
        diagnostics,
        failed,
    })
}

/// The engine's sink of `render`: each output item written as the engine hands it over
/// (a pass-through document in its own text, when it has one), then dropped.
struct Writer {
    /// The source text of each input item passed through as it is, taken when written.
    texts: Vec<Option<String>>,
    stdout: String,
    /// Each document on its own instead of `stdout` (for `render --out`).
    documents: Option<Vec<Document>>,
    /// The first document that could not be written; nothing is written after it.
    error: Option<yaml::YamlError>,
}

impl Writer {
    /// Writes one document into the stream, or into a [`Document`] of its own with its
    /// `value` (made only then).
    fn put<T: serde::Serialize>(&mut self, item: T, text: Option<&str>, value: fn(T) -> Value) {
        if self.error.is_some() {
            return;
        }
        let written = match &mut self.documents {
            None => write_document(&mut self.stdout, &item, text),
            Some(documents) => {
                let mut own = String::new();
                let written = write_document(&mut own, &item, text);
                documents.push(Document {
                    value: value(item),
                    text: own,
                });
                written
            }
        };
        if let Err(e) = written {
            self.error = Some(e);
        }
    }
}

impl engine::Sink for Writer {
    fn passthrough(&mut self, value: Value, index: usize) {
        let text = self.texts.get_mut(index).and_then(Option::take);
        self.put(value, text.as_deref(), |v| v);
    }

    fn generated(&mut self, objects: Vec<crate::expand::Object>, _app: crate::validate::App) {
        for object in objects {
            self.put(object, None, |o| o.to_value());
        }
    }
}

/// Appends one document to a stream: its source text as it is (a `---` before it, a
/// newline after it, when it has none), or else the value serialized.
fn write_document<T: serde::Serialize>(
    out: &mut String,
    value: &T,
    text: Option<&str>,
) -> Result<(), yaml::YamlError> {
    match text {
        Some(text) => {
            if !text.starts_with("---") {
                out.push_str("---\n");
            }
            out.push_str(text);
            if !text.ends_with('\n') {
                out.push('\n');
            }
            Ok(())
        }
        None => yaml::push_document(out, value),
    }
}

/// A kustomization kustomize reads when it builds the one `render` found.
struct Node {
    canonical: PathBuf,
    file: PathBuf,
    /// Its content, or why it is not YAML.
    doc: Result<Value, String>,
    /// Reached through `generators`, `transformers` or `validators` (of the kustomization
    /// file named, in the field named): what it builds are plugin configurations.
    plugin: Option<Via>,
}

/// The plugin list a kustomization was reached through: the file that lists it, the field.
#[derive(Clone, Debug)]
struct Via {
    file: String,
    field: String,
}

/// What a kustomization reached through a plugin list may say: kustomize hands what it
/// builds to the plugin loader, and these fields leave the configurations' own fields as
/// they are written (names, namespace and labels touch only metadata and Kubernetes kinds'
/// fields unless `configurations` or `crds` redirect them, and those are refused). Any
/// other field (patches, replacements, transformers, components, generators, vars...) can
/// rewrite a configuration into one that fetches, which render cannot judge before the
/// build.
const PLUGIN_DIR_FIELDS: [&str; 12] = [
    "apiVersion",
    "kind",
    "metadata",
    "resources",
    "bases",
    "namespace",
    "namePrefix",
    "nameSuffix",
    "commonLabels",
    "commonAnnotations",
    "buildMetadata",
    "sortOptions",
];

/// The fields whose local directories are kustomizations of the build.
const BASE_FIELDS: [&str; 3] = ["resources", "components", "bases"];
/// The fields listing plugin configurations (inline, files, or kustomizations).
const PLUGIN_FIELDS: [&str; 3] = ["generators", "transformers", "validators"];

/// The kustomization of `dir` and those of the local directories it references
/// (`resources`, `components`, `bases`; with `plugins`, also `generators`,
/// `transformers`, `validators`), each once. A reference out of the repository is
/// refused; a remote one (as kustomize reads it) is not followed.
fn kustomization_tree(
    root: &Root,
    dir: &Path,
    limits: &Limits,
    plugins: bool,
    plugin: Option<&Via>,
    out: &mut Vec<Node>,
) -> Result<(), RenderError> {
    let canonical = root.resolve(dir)?;
    if out.iter().any(|n| n.canonical == canonical) {
        return Ok(());
    }
    let Some(k) = kustomization_in(dir) else {
        return Ok(());
    };
    root.resolve(&k)?;
    let doc =
        yaml::parse_one(&files::read(&k, limits.max_bytes)?, limits).map_err(|e| e.to_string());
    let value = doc.clone().unwrap_or(Value::Null);
    let file = k.display().to_string();
    out.push(Node {
        canonical,
        file: k,
        doc,
        plugin: plugin.cloned(),
    });
    let fields = BASE_FIELDS
        .iter()
        .map(|f| (f, false))
        .chain(PLUGIN_FIELDS.iter().filter(|_| plugins).map(|f| (f, true)));
    for (field, of_plugins) in fields {
        for (key, list) in remote::fields(&value, field) {
            let via = match plugin {
                Some(via) => Some(via.clone()),
                None if of_plugins => Some(Via {
                    file: file.clone(),
                    field: key.to_string(),
                }),
                None => None,
            };
            for rel in list
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
            {
                if remote::base(rel).is_some() {
                    continue;
                }
                let target = dir.join(rel);
                if target.is_dir() {
                    kustomization_tree(root, &target, limits, plugins, via.as_ref(), out)?;
                } else if target.symlink_metadata().is_ok() {
                    root.resolve(&target)?;
                }
            }
        }
    }
    Ok(())
}

/// A plugin configuration kustomize would load: where it is written, how the messages
/// name it, and the document.
struct PluginConfig {
    file: String,
    /// ` in transformers[0]` for an inline one, empty for one in its own file.
    inline: String,
    doc: Value,
}

impl PluginConfig {
    /// `PatchTransformer/fix`, as the messages name it.
    fn name(&self) -> String {
        let kind = crate::input::source::kind(&self.doc).unwrap_or("");
        match self.doc.pointer("/metadata/name").and_then(Value::as_str) {
            Some(name) => format!("{kind}/{name}"),
            None => kind.to_string(),
        }
    }
}

/// The documents of a YAML text, `List`s opened; `None` when it is not a stream of objects.
fn config_documents(text: &str, limits: &Limits) -> Option<Vec<Value>> {
    let docs = yaml::parse_stream(text, limits).ok()?;
    let mut out = Vec::new();
    for doc in docs {
        if !doc.is_object() {
            return None;
        }
        match doc.get("items").and_then(Value::as_array) {
            Some(items)
                if crate::input::source::kind(&doc).is_some_and(|k| k.ends_with("List")) =>
            {
                out.extend(items.iter().filter(|i| i.is_object()).cloned());
            }
            _ => out.push(doc),
        }
    }
    Some(out)
}

/// Reads a plugin configuration file of the repository.
fn config_file(
    root: &Root,
    path: &Path,
    limits: &Limits,
    out: &mut Vec<PluginConfig>,
) -> Result<(), RenderError> {
    root.resolve(path)?;
    let text = files::read(path, limits.max_bytes)?;
    let file = path.display().to_string();
    let docs = config_documents(&text, limits).ok_or_else(|| RenderError::Unchecked {
        file: file.clone(),
        message: "not a stream of objects".into(),
    })?;
    out.extend(docs.into_iter().map(|doc| PluginConfig {
        file: file.clone(),
        inline: String::new(),
        doc,
    }));
    Ok(())
}

/// The plugin configurations the kustomizations of a tree hand to kustomize: inline
/// ones, local files in the plugin lists, and the local resources of kustomizations
/// reached through them.
fn plugin_configs(
    root: &Root,
    tree: &[Node],
    limits: &Limits,
) -> Result<Vec<PluginConfig>, RenderError> {
    let mut out = Vec::new();
    for node in tree {
        let Ok(doc) = &node.doc else { continue };
        let dir = node.file.parent().unwrap_or(Path::new("."));
        for field in PLUGIN_FIELDS {
            for (key, list) in remote::fields(doc, field) {
                let entries = list
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(Value::as_str);
                for (i, entry) in entries.enumerate() {
                    // kustomize reads an entry that parses as resources inline, before
                    // it looks for a file or directory of that name.
                    if let Some(docs) = config_documents(entry, limits).filter(|d| !d.is_empty()) {
                        out.extend(docs.into_iter().map(|doc| PluginConfig {
                            file: node.file.display().to_string(),
                            inline: format!(" in {key}[{i}]"),
                            doc,
                        }));
                        continue;
                    }
                    let path = dir.join(entry);
                    if remote::base(entry).is_some() || path.is_dir() {
                        continue;
                    }
                    if path.symlink_metadata().is_ok() {
                        config_file(root, &path, limits, &mut out)?;
                    }
                }
            }
        }
        if node.plugin.is_some() {
            let lists = remote::fields(doc, "resources").chain(remote::fields(doc, "bases"));
            for (_, list) in lists {
                for entry in list
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(Value::as_str)
                {
                    let path = dir.join(entry);
                    if remote::base(entry).is_none() && path.is_file() {
                        config_file(root, &path, limits, &mut out)?;
                    }
                }
            }
        }
    }
    Ok(out)
}

/// Checks, before kustomize runs, a kustomization and every one it builds on: helm
/// (unless `--enable-helm`) and remote content (unless `--enable-remote`) are refused.
fn check_kustomization(root: &Root, dir: &Path, opts: &Options) -> Result<(), RenderError> {
    let mut tree = Vec::new();
    kustomization_tree(root, dir, &opts.limits, true, None, &mut tree)?;
    for node in &tree {
        if let Err(message) = &node.doc {
            return Err(RenderError::Unchecked {
                file: node.file.display().to_string(),
                message: message.clone(),
            });
        }
    }
    if !opts.enable_remote {
        refuse_plugin_dir_changes(&tree)?;
    }
    let configs = plugin_configs(root, &tree, &opts.limits)?;
    if !opts.enable_helm {
        refuse_helm(&tree, &configs)?;
    }
    if !opts.enable_remote {
        refuse_remote(&tree, &configs)?;
    }
    Ok(())
}

/// Refuses a kustomization reached through a plugin list that can rewrite the plugin
/// configurations it builds (see [`PLUGIN_DIR_FIELDS`]): what kustomize would load could
/// then fetch or run helm without any file saying so.
fn refuse_plugin_dir_changes(tree: &[Node]) -> Result<(), RenderError> {
    for node in tree {
        let (Ok(doc), Some(via)) = (&node.doc, &node.plugin) else {
            continue;
        };
        let changing = doc
            .as_object()
            .into_iter()
            .flatten()
            .map(|(key, _)| key)
            .find(|key| !PLUGIN_DIR_FIELDS.iter().any(|f| remote::key_is(key, f)));
        if let Some(field) = changing {
            return Err(RenderError::PluginDir {
                file: node.file.display().to_string(),
                field: field.clone(),
                via: format!("{} of {}", via.field, via.file),
            });
        }
    }
    Ok(())
}

/// Refuses a kustomization (or one it builds on) that would make kustomize run helm.
fn refuse_helm(tree: &[Node], configs: &[PluginConfig]) -> Result<(), RenderError> {
    for node in tree {
        let Ok(doc) = &node.doc else { continue };
        let helm = ["helmCharts", "helmChartInflationGenerator"]
            .iter()
            .any(|f| remote::fields(doc, f).next().is_some());
        if helm {
            return Err(RenderError::Helm {
                file: node.file.display().to_string(),
            });
        }
    }
    match configs
        .iter()
        .find(|c| crate::input::source::kind(&c.doc) == Some("HelmChartInflationGenerator"))
    {
        Some(c) => Err(RenderError::Helm {
            file: c.file.clone(),
        }),
        None => Ok(()),
    }
}

/// Refuses a kustomization (or one it builds on, or a plugin configuration it loads)
/// that would make kustomize fetch remote content or run git.
fn refuse_remote(tree: &[Node], configs: &[PluginConfig]) -> Result<(), RenderError> {
    let refuse = |file: &Path, field: String, found: remote::Remote| {
        let (noun, verb) = found.fetch.describe();
        let local = file
            .parent()
            .unwrap_or(Path::new("."))
            .join(&found.entry)
            .symlink_metadata()
            .is_ok();
        let advice = if found.fetch == remote::Fetch::Clone && local {
            format!(
                "kustomize reads this entry as a repository even though a local {:?} exists: write {:?} for the local one, or {ALLOW_REMOTE}",
                found.entry,
                format!("./{}", found.entry)
            )
        } else {
            format!("vendor it into the repository and list its local path, or {ALLOW_REMOTE}")
        };
        RenderError::Remote(Box::new(RemoteRefused {
            file: file.display().to_string(),
            field,
            noun,
            entry: found.entry,
            verb,
            advice,
        }))
    };
    for node in tree {
        let Ok(doc) = &node.doc else { continue };
        if let Some(found) = remote::in_kustomization(doc).into_iter().next() {
            return Err(refuse(&node.file, found.field.clone(), found));
        }
    }
    for config in configs {
        if let Some(found) = remote::in_plugin_config(&config.doc).into_iter().next() {
            let field = format!("{} of {}{}", found.field, config.name(), config.inline);
            return Err(refuse(Path::new(&config.file), field, found));
        }
    }
    Ok(())
}

/// The files under `dir` that hold an AppSpec (for the Argo CD plugin's `discover`).
///
/// A kustomization's local `resources` and `components` directories are searched too, so
/// an overlay whose AppSpec lives in its base is discovered.
pub fn discover(dir: &Path, limits: &Limits) -> Result<Vec<PathBuf>, RenderError> {
    let root = Root::discover().for_path(dir)?;
    let mut dirs = vec![(dir.to_path_buf())];
    let mut tree = Vec::new();
    kustomization_tree(&root, dir, limits, false, None, &mut tree)?;
    for node in &tree {
        let d = node.file.parent().unwrap_or(Path::new(".")).to_path_buf();
        if !dirs.contains(&d) {
            dirs.push(d);
        }
    }
    let mut out = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for d in dirs {
        for f in files::manifest_files(&root, &d)? {
            let Ok(canonical) = f.canonicalize() else {
                continue;
            };
            if !seen.insert(canonical) {
                continue;
            }
            let text = files::read(&f, limits.max_bytes)?;
            let holds_app = text.contains(crate::model::spec::KIND)
                && yaml::parse_stream(&text, limits).is_ok_and(|docs| {
                    engine::flatten_lists(
                        docs.into_iter()
                            .map(|value| Item::new(value, None))
                            .collect(),
                    )
                    .iter()
                    .any(|d| crate::input::source::is_ours(&d.value, crate::model::spec::KIND))
                });
            if holds_app {
                out.push(f);
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {

    #[test]
    fn kustomize_errors_become_lines() {
        let stderr = "E1205 08:07:39.128825    3038 run.go:72] \"command failed\" err=\"accumulating resources: 'a.yaml': no such file\\nsecond \\\"quoted\\\" problem\"\nError: plain one\nplain one\n";
        assert_eq!(
            kustomize_error_lines(stderr),
            [
                "accumulating resources: 'a.yaml': no such file",
                "second \"quoted\" problem",
                "plain one",
            ]
        );
        assert_eq!(kustomize_error_lines("Error: x\n\n"), ["x"]);
        assert_eq!(klog_err("Each line is fine"), None);
    }

    #[test]
    fn function_files_are_joined_as_text() {
        assert_eq!(
            lexical_join(Path::new("examples/a"), "../base/app.yaml"),
            Path::new("examples/base/app.yaml")
        );
        assert_eq!(
            lexical_join(Path::new("."), "./app.yaml"),
            Path::new("./app.yaml")
        );
    }
    use super::*;

    #[test]
    fn splits_a_stream_into_document_texts() {
        let cases: &[(&str, &[&str])] = &[
            ("a: 1\n", &["a: 1\n"]),
            ("# head\n---\na: 1\n---\nb: 2\n", &["a: 1\n", "b: 2\n"]),
            ("---\na: 1\n...\n---\nb: 2\n...\n", &["a: 1\n", "b: 2\n"]),
            (
                "--- {a: 1}\n--- |\n  text\n",
                &["--- {a: 1}\n", "--- |\n  text\n"],
            ),
            (
                "a: 1\n...\n%YAML 1.2\n---\nb: 2\n",
                &["a: 1\n", "%YAML 1.2\n---\nb: 2\n"],
            ),
            ("\u{feff}a: 1\r\n---\r\nb: 2\r\n", &["a: 1\r\n", "b: 2\r\n"]),
            ("a: |\n  ---x\n  ...y\n", &["a: |\n  ---x\n  ...y\n"]),
            ("---\n# only a comment\n---\n", &[]),
            ("a: ---\nb: '---'\n", &["a: ---\nb: '---'\n"]),
        ];
        for (text, want) in cases {
            assert_eq!(split_documents(text), *want, "{text:?}");
        }
    }

    /// The output of a run the way `render` wrote it before it streamed: every item
    /// collected by the engine, then each written (a pass-through one in its own text).
    fn collected_render(opts: &Options) -> (String, Vec<Value>, Vec<Diagnostic>) {
        let c = collect(opts, &Hooks::default()).unwrap();
        let outcome = engine::run(c.items, c.platform);
        let mut diagnostics = c.diagnostics;
        diagnostics.extend(outcome.diagnostics);
        if diagnostics.iter().any(Diagnostic::is_error) {
            return (String::new(), Vec::new(), diagnostics);
        }
        let mut stdout = String::new();
        let mut values = Vec::new();
        for (item, from) in outcome.items.into_iter().zip(&outcome.passthrough) {
            match from.and_then(|i| c.texts[i].as_deref()) {
                Some(text) => {
                    if !text.starts_with("---") {
                        stdout.push_str("---\n");
                    }
                    stdout.push_str(text);
                    if !text.ends_with('\n') {
                        stdout.push('\n');
                    }
                }
                None => stdout.push_str(&yaml::to_stream(std::slice::from_ref(&item)).unwrap()),
            }
            values.push(item.into_value());
        }
        (stdout, values, diagnostics)
    }

    #[test]
    fn the_streamed_output_is_the_collected_output() {
        // Pass-through documents with comments, markers and scalars only their own text
        // keeps (`0644`, `yes`, `017`, `~`), JSON, a List kept as it is and a List of
        // AppSpecs opened, apps with a generated ConfigMap and a backup, and a warning (a
        // `latest` image): writing each piece as the engine makes it writes exactly what
        // writing the collected items did, and `render --out` gets the same documents.
        let dir = tempfile::tempdir().unwrap();
        let app = |name: &str, spec: &str| {
            format!(
                "apiVersion: platform.hypyr.space/v1alpha1\nkind: AppSpec\nmetadata: {{name: {name}, namespace: team}}\nspec:\n  image: \"nginx:1.27\"\n{spec}"
            )
        };
        let files = [
            (
                "a.yaml",
                format!(
                    "# settings first\napiVersion: v1\nkind: ConfigMap\nmetadata: {{name: before, namespace: team}}\ndata:\n  mode: 0644 # octal to YAML 1.1\n  flag: yes\n  zip: 017\n  none: ~\n---\n{}",
                    app("conf", "  files: {/etc/app.conf: {content: \"a: 1\\nb: 2\\n\"}}\n")
                ),
            ),
            (
                "b.yaml",
                format!(
                    "--- # the database\n{}...\n",
                    app(
                        "db",
                        "  storage: {pattern: longhorn-persistent, size: 5}\n  backup: {strategy: volsync-snapshots}\n  runAs: 999\n"
                    )
                    .replace("nginx:1.27", "postgres:latest")
                ),
            ),
            (
                "c.yaml",
                format!(
                    "apiVersion: v1\nkind: List\nitems:\n- {}\n- {{apiVersion: v1, kind: Service, metadata: {{name: listed-extra, namespace: team}}, spec: {{ports: [{{port: 80}}]}}}}\n",
                    app("listed", "").trim_end().replace('\n', "\n  ")
                ),
            ),
            (
                "d.yaml",
                "apiVersion: v1\nkind: List\nitems:\n- {apiVersion: v1, kind: ServiceAccount, metadata: {name: kept, namespace: team}}\n".to_string(),
            ),
            (
                "e.json",
                r#"{"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "json", "namespace": "team"}, "stringData": {"k": "017"}}"#.to_string(),
            ),
            ("f.yaml", app("web", "  ingress: {pattern: external-via-tunnel}")),
        ];
        for (name, text) in &files {
            std::fs::write(dir.path().join(name), text).unwrap();
        }
        let platform =
            Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/multi-app-platform/platform.yaml");
        let opts = Options {
            paths: vec![dir.path().to_path_buf()],
            platform: Some(platform),
            platform_from_repository: false,
            limits: Limits::default(),
            kustomize: vec!["kubectl".into(), "kustomize".into()],
            enable_helm: false,
            enable_remote: false,
        };

        let (stdout, values, diagnostics) = collected_render(&opts);
        let rendered = render(&opts).unwrap();
        assert!(!rendered.failed, "{:?}", rendered.diagnostics);
        assert_eq!(rendered.stdout, stdout);
        assert!(rendered.documents.is_empty());
        assert_eq!(rendered.diagnostics, diagnostics);
        assert_eq!(diagnostics.len(), 1, "{diagnostics:?}");
        assert!(!diagnostics[0].is_error(), "{diagnostics:?}");
        for kept in [
            "# settings first\n",
            "  mode: 0644 # octal to YAML 1.1\n  flag: yes\n",
            "kind: List\n",
        ] {
            assert!(stdout.contains(kept), "{kept:?} in {stdout}");
        }

        let out = render_documents(&opts).unwrap();
        assert!(out.stdout.is_empty());
        assert_eq!(out.diagnostics, diagnostics);
        let texts: String = out.documents.iter().map(|d| d.text.as_str()).collect();
        assert_eq!(texts, stdout);
        let out_values: Vec<&Value> = out.documents.iter().map(|d| &d.value).collect();
        assert_eq!(out_values, values.iter().collect::<Vec<_>>());
        let kinds: Vec<&str> = values
            .iter()
            .filter_map(crate::input::source::kind)
            .collect();
        assert_eq!(
            kinds,
            [
                "ConfigMap", // before
                "Deployment",
                "Service",
                "Ingress",
                "ConfigMap", // conf
                "Deployment",
                "Service",
                "Ingress",
                "PersistentVolumeClaim",
                "ExternalSecret",
                "ReplicationSource", // db
                "Deployment",
                "Service",
                "Ingress",
                "Service", // the List opened
                "List",
                "Secret", // kept, json
                "Deployment",
                "Service",
                "Ingress", // web
            ]
        );

        // An error anywhere: nothing written, the same problems.
        std::fs::write(dir.path().join("g.yaml"), app("bad", "  port: 0\n")).unwrap();
        let (_, _, diagnostics) = collected_render(&opts);
        for rendered in [render(&opts).unwrap(), render_documents(&opts).unwrap()] {
            assert!(rendered.failed);
            assert!(rendered.stdout.is_empty() && rendered.documents.is_empty());
            assert_eq!(rendered.diagnostics, diagnostics);
        }
    }

    /// The second line without the first: the real kustomize, handed a loopback URL that
    /// render's check would refuse, fetches nothing without `--enable-remote`.
    #[cfg(target_os = "linux")]
    #[test]
    fn kustomize_reaches_no_loopback_url_without_enable_remote() {
        use std::io::{Read, Write};
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let server = std::thread::spawn(move || {
            listener.set_nonblocking(true).unwrap();
            let mut hits = 0;
            let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
            while std::time::Instant::now() < deadline {
                match listener.accept() {
                    Ok((mut stream, _)) => {
                        hits += 1;
                        stream.set_nonblocking(false).unwrap();
                        let _ = stream.read(&mut [0u8; 4096]);
                        let body = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: fetched}\n";
                        let _ = write!(
                            stream,
                            "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                            body.len()
                        );
                    }
                    Err(_) if hits > 0 => break,
                    Err(_) => std::thread::sleep(std::time::Duration::from_millis(20)),
                }
            }
            hits
        });
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("kustomization.yaml"),
            format!("resources: ['http://{addr}/x.yaml']\n"),
        )
        .unwrap();
        let mut opts = Options {
            paths: vec![],
            platform: None,
            platform_from_repository: false,
            limits: Limits::default(),
            kustomize: vec!["kubectl".into(), "kustomize".into()],
            enable_helm: false,
            enable_remote: false,
        };
        let offline = kustomize_build(dir.path(), &opts, None);
        assert!(offline.is_err(), "{offline:?}");
        opts.enable_remote = true;
        let online = kustomize_build(dir.path(), &opts, None);
        assert!(
            matches!(&online, Ok(Built::Manifests(t)) if t.contains("fetched")),
            "{online:?}"
        );
        assert_eq!(server.join().unwrap(), 1, "only the opted-in build fetched");
    }

    #[test]
    fn documents_keep_their_text_only_when_it_reads_the_same() {
        let limits = Limits::default();
        let docs = documents_with_text("a: 0644\n---\nb: yes\n", true, &limits).unwrap();
        assert_eq!(
            docs,
            [
                (serde_json::json!({"a": 420}), Some("a: 0644\n".to_string())),
                (
                    serde_json::json!({"b": "yes"}),
                    Some("b: yes\n".to_string())
                ),
            ]
        );
        let json = documents_with_text("{\"a\": 1}", false, &limits).unwrap();
        assert_eq!(json, [(serde_json::json!({"a": 1}), None)]);
    }
}

//! Command-line arguments; turned into a `Mode` so clap types never reach the core.

use std::path::PathBuf;

use clap::{Parser, Subcommand};

/// Expand compact AppSpecs into validated Kubernetes manifests.
///
/// Without a command, reads a KRM ResourceList on stdin and writes one on stdout (the KRM
/// function that kustomize and kpt run); on a terminal it prints this help instead.
#[derive(Debug, Parser)]
#[command(name = "appspec", version, about)]
pub struct Cli {
    /// Largest input accepted, in bytes (the KRM function, and every command that reads
    /// input: render, validate, risk, diff, import, discover).
    #[arg(long, value_name = "BYTES", env = "APPSPEC_MAX_INPUT_BYTES")]
    pub max_input_bytes: Option<usize>,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run as a KRM function (the default): ResourceList on stdin, ResourceList on stdout.
    Krm {
        #[command(flatten)]
        input: InputLimit,
    },
    /// Expand the AppSpecs of files and directories into a plain manifest stream on stdout.
    ///
    /// Directories are read recursively (.yaml, .yml, .json; hidden entries skipped); a
    /// directory with a kustomization is built with kustomize first. Problems go to stderr,
    /// nothing to stdout. Exit 0 when every spec expands, 1 when a spec is invalid (also one
    /// the function refuses inside kustomize), 2 when a file cannot be read or kustomize
    /// fails on its own.
    ///
    /// With --out DIR, writes a hydrated directory instead (for Flux): `<namespace>/<app>.yaml`
    /// per app, `_resources.yaml` files for other objects, and a kustomization.yaml listing
    /// them. On any error nothing in DIR changes. Files of apps that are gone are removed;
    /// only files listed in DIR/.appspec-render (written by an earlier run) are ever deleted.
    Render {
        #[command(flatten)]
        input: InputLimit,
        /// Files or directories (default: the current directory).
        paths: Vec<PathBuf>,
        /// Write one file per app into this directory instead of a stream on stdout.
        #[arg(long, value_name = "DIR")]
        out: Option<PathBuf>,
        /// A PlatformConfig file. Also from APPSPEC_PLATFORM, the Argo CD parameter
        /// PARAM_PLATFORM, or ARGOCD_ENV_APPSPEC_PLATFORM.
        #[arg(long, env = "APPSPEC_PLATFORM")]
        platform: Option<PathBuf>,
        /// Let kustomize run helm for `helmCharts` (refused by default: repository content
        /// must not run programs).
        #[arg(long, env = "APPSPEC_ENABLE_HELM")]
        enable_helm: bool,
        /// Let kustomize fetch remote bases and files (`resources: [github.com/org/repo]`,
        /// `https://` URLs) and run git for them (refused by default: repository content
        /// must not fetch remote content or run programs).
        #[arg(long, env = "APPSPEC_ENABLE_REMOTE")]
        enable_remote: bool,
    },
    /// Validate AppSpecs (and PlatformConfigs) in files and directories without expanding.
    ///
    /// Prints `file:line:column: kind/namespace/name: field: message` per problem. Exit 0 when valid
    /// (warnings allowed), 1 when invalid, 2 on usage or I/O errors.
    Validate {
        #[command(flatten)]
        input: InputLimit,
        /// Files or directories (default: the current directory).
        paths: Vec<PathBuf>,
        /// A PlatformConfig file to validate against.
        #[arg(long, env = "APPSPEC_PLATFORM")]
        platform: Option<PathBuf>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
    /// Compare two versions of specs (files or directories; a missing one has no specs) and
    /// say whether the change is high risk. Exit 0 low, 1 high, 2 unreadable input.
    Risk {
        #[command(flatten)]
        input: InputLimit,
        /// The specs before the change (a file or directory: the target branch's checkout);
        /// a path that does not exist has no specs (every app is new).
        #[arg(value_name = "BASE")]
        base: PathBuf,
        /// The specs after the change (the pull request's checkout); built like BASE.
        #[arg(value_name = "HEAD")]
        head: PathBuf,
        /// A PlatformConfig file to judge both sides against (instead of a PlatformConfig
        /// found among their files).
        #[arg(long, env = "APPSPEC_PLATFORM")]
        platform: Option<PathBuf>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Json)]
        format: Format,
        /// Let kustomize run helm for `helmCharts` when it builds a side (as `render
        /// --enable-helm`).
        #[arg(long, env = "APPSPEC_ENABLE_HELM")]
        enable_helm: bool,
        /// Let kustomize fetch remote bases and files when it builds a side (as `render
        /// --enable-remote`).
        #[arg(long, env = "APPSPEC_ENABLE_REMOTE")]
        enable_remote: bool,
    },
    /// Show what a change does to the rendered manifests: each object's unified YAML diff,
    /// grouped by app, with the verdict of `risk` and its reasons on top. Exit 0 low, 1
    /// high, 2 unreadable input.
    Diff {
        #[command(flatten)]
        input: InputLimit,
        base: PathBuf,
        head: PathBuf,
        /// A PlatformConfig file to judge both sides against (as for `risk`).
        #[arg(long, env = "APPSPEC_PLATFORM")]
        platform: Option<PathBuf>,
        /// Output format: text for people, markdown for a pull-request comment (one
        /// collapsible section per app, capped under GitHub's size limit), json for tools.
        #[arg(long, value_enum, default_value_t = DiffFormat::Text)]
        format: DiffFormat,
        /// Let kustomize run helm for `helmCharts` (as `risk --enable-helm`).
        #[arg(long, env = "APPSPEC_ENABLE_HELM")]
        enable_helm: bool,
        /// Let kustomize fetch remote bases and files (as `risk --enable-remote`).
        #[arg(long, env = "APPSPEC_ENABLE_REMOTE")]
        enable_remote: bool,
    },
    /// Print the JSON Schema of AppSpec (`schema appspec`, the default) or of PlatformConfig
    /// (`schema platform`).
    Schema {
        /// Which schema.
        #[arg(value_enum, default_value_t = SchemaKind::AppSpec)]
        kind: SchemaKind,
    },
    /// Turn app-template HelmReleases into AppSpecs (one per release, on stdout).
    ///
    /// Every value that cannot be carried over is listed on stderr with its values path
    /// and why. The output always validates against the platform (--platform, or the
    /// defaults). Exit 0 when everything was carried over, 1 when something was left out,
    /// 2 when an input cannot be read or is not an app-template release.
    Import {
        #[command(flatten)]
        input: InputLimit,
        /// HelmRelease files, or directories to search for every HelmRelease below them (an
        /// OCIRepository that a chartRef names may be given too).
        #[arg(required = true)]
        paths: Vec<PathBuf>,
        /// The namespace of the imported apps, over what the release and its layout say.
        #[arg(long)]
        namespace: Option<String>,
        /// Write each AppSpec into appspec.yaml beside its release instead of stdout.
        #[arg(long)]
        write: bool,
        /// A PlatformConfig file to validate against.
        #[arg(long, env = "APPSPEC_PLATFORM")]
        platform: Option<PathBuf>,
        /// A Flux substitution variable, VAR=value (repeatable): `${VAR}` in the release
        /// becomes value.
        #[arg(long = "set", value_name = "VAR=value", value_parser = parse_var)]
        set: Vec<(String, String)>,
    },
    /// Write a new site: its PlatformConfig, one example app, in the layout kustomize accepts.
    ///
    /// DIR/platform/ holds the PlatformConfig (with its own kustomization, so the apps'
    /// `transformers: [../../../platform]` may load it) and DIR/apps/<namespace>/<app>/ one
    /// directory per app. DIR must be new or empty. What init writes validates and renders
    /// at once; it prints the next commands.
    Init {
        /// The new site's directory.
        dir: PathBuf,
        /// Your domain: external apps' hosts lie under it (and internal ones, unless
        /// --internal-domain is given).
        #[arg(long)]
        domain: String,
        /// The domain of internal-only apps (default: --domain, split horizon).
        #[arg(long, value_name = "DOMAIN")]
        internal_domain: Option<String>,
        /// Your NAS: nfs://HOST[:PORT]/EXPORT/PATH; apps' NAS paths must lie under the path
        /// (default: no NAS, NAS mounts refused).
        #[arg(long, value_name = "URL")]
        nas: Option<String>,
        /// Route through Gateway API: NAMESPACE/NAME of the Gateway for both ingress
        /// patterns, or internal=NAMESPACE/NAME and external=NAMESPACE/NAME (repeatable).
        #[arg(long, value_name = "[PATTERN=]NAMESPACE/NAME")]
        gateway: Vec<String>,
        /// A LoadBalancer address pool (CIDR, repeatable): apps' fixed IPs must lie in one.
        #[arg(long, value_name = "CIDR")]
        lb_pool: Vec<String>,
        /// The backup backend of `backup.strategy: snapshots`.
        #[arg(long, value_enum, default_value_t = Backup::Volsync)]
        backup: Backup,
    },
    /// Print the files of a directory that hold an AppSpec (nothing when there is none).
    Discover {
        #[command(flatten)]
        input: InputLimit,
        /// The directory (default: the current directory).
        #[arg(default_value = ".")]
        path: PathBuf,
    },
}

/// `--max-input-bytes` of a command that reads input (the top-level flag and
/// APPSPEC_MAX_INPUT_BYTES apply when it is not given).
#[derive(Clone, Copy, Debug, clap::Args)]
pub struct InputLimit {
    /// Largest input accepted, in bytes.
    #[arg(long = "max-input-bytes", value_name = "BYTES")]
    max_input_bytes: Option<usize>,
}

impl Command {
    /// The command's own input limit, when it reads input and was given one.
    fn input_limit(&self) -> Option<usize> {
        match self {
            Command::Krm { input }
            | Command::Render { input, .. }
            | Command::Validate { input, .. }
            | Command::Risk { input, .. }
            | Command::Diff { input, .. }
            | Command::Import { input, .. }
            | Command::Discover { input, .. } => input.max_input_bytes,
            Command::Schema { .. } | Command::Init { .. } => None,
        }
    }
}

/// Output format of reports.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Text,
    Json,
}

/// The backup backend `init` writes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Backup {
    Volsync,
    Kopiur,
}

/// Output format of `diff`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum DiffFormat {
    Text,
    Markdown,
    Json,
}

/// Which schema to print.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum SchemaKind {
    #[value(name = "appspec")]
    AppSpec,
    #[value(name = "platform", alias = "platformconfig")]
    PlatformConfig,
}

/// What the binary was asked to do.
#[derive(Debug)]
pub enum Mode {
    Krm,
    Validate {
        paths: Vec<PathBuf>,
        platform: Option<PathBuf>,
        format: Format,
    },
    Schema(SchemaKind),
    Risk {
        base: PathBuf,
        head: PathBuf,
        format: Format,
        /// How each side is built (`paths` unused).
        build: crate::render::Options,
    },
    Diff {
        base: PathBuf,
        head: PathBuf,
        format: DiffFormat,
        /// How each side is built (`paths` unused).
        build: crate::render::Options,
    },
    /// Bare `appspec` with a terminal on stdin: nothing to read, print the help.
    Help,
    Render(crate::render::Options),
    /// `render --out DIR`: the rendered objects written as a hydrated directory.
    Hydrate {
        render: crate::render::Options,
        out: PathBuf,
    },
    Discover(PathBuf),
    Import(crate::import::Options),
    Init(crate::commands::init::Options),
}

/// Settings of a run.
#[derive(Debug)]
pub struct Config {
    pub mode: Mode,
    pub limits: crate::input::yaml::Limits,
}

/// The first non-empty value among environment variables.
fn env_first(names: &[&str]) -> Option<String> {
    names
        .iter()
        .find_map(|n| std::env::var(n).ok().filter(|v| !v.trim().is_empty()))
}

fn on_path(program: &str) -> bool {
    std::env::var_os("PATH")
        .is_some_and(|p| std::env::split_paths(&p).any(|d| d.join(program).is_file()))
}

/// The kustomize command: APPSPEC_KUSTOMIZE (a kustomize binary, or a full command),
/// else `kustomize build`, else `kubectl kustomize`.
fn kustomize_command() -> Vec<String> {
    if let Some(k) = env_first(&["APPSPEC_KUSTOMIZE"]) {
        let mut cmd: Vec<String> = k.split_whitespace().map(str::to_string).collect();
        if cmd.len() == 1 {
            cmd.push("build".into());
        }
        return cmd;
    }
    if on_path("kustomize") || !on_path("kubectl") {
        vec!["kustomize".into(), "build".into()]
    } else {
        vec!["kubectl".into(), "kustomize".into()]
    }
}

impl From<Cli> for Config {
    fn from(cli: Cli) -> Self {
        let limits = crate::input::yaml::Limits {
            max_bytes: cli
                .command
                .as_ref()
                .and_then(Command::input_limit)
                .or(cli.max_input_bytes)
                .unwrap_or(crate::input::yaml::DEFAULT_MAX_BYTES),
            ..crate::input::yaml::Limits::default()
        };
        let mode = match cli.command {
            None if std::io::IsTerminal::is_terminal(&std::io::stdin()) => Mode::Help,
            None | Some(Command::Krm { .. }) => Mode::Krm,
            Some(Command::Render {
                paths,
                platform,
                enable_helm,
                enable_remote,
                out,
                ..
            }) => {
                let options = crate::render::Options {
                    paths: if paths.is_empty() {
                        vec![PathBuf::from(".")]
                    } else {
                        paths
                    },
                    platform_from_repository: platform.is_none(),
                    platform: platform.or_else(|| {
                        env_first(&["PARAM_PLATFORM", "ARGOCD_ENV_APPSPEC_PLATFORM"])
                            .map(PathBuf::from)
                    }),
                    enable_helm,
                    enable_remote,
                    limits,
                    kustomize: kustomize_command(),
                };
                match out {
                    Some(out) => Mode::Hydrate {
                        render: options,
                        out,
                    },
                    None => Mode::Render(options),
                }
            }
            Some(Command::Discover { path, .. }) => Mode::Discover(path),
            Some(Command::Init {
                dir,
                domain,
                internal_domain,
                nas,
                gateway,
                lb_pool,
                backup,
                ..
            }) => Mode::Init(crate::commands::init::Options {
                dir,
                domain,
                internal_domain,
                nas,
                gateways: gateway,
                lb_pools: lb_pool,
                backup: match backup {
                    Backup::Volsync => crate::model::platform::BackupBackend::Volsync,
                    Backup::Kopiur => crate::model::platform::BackupBackend::Kopiur,
                },
            }),
            Some(Command::Import {
                paths,
                namespace,
                write,
                platform,
                set,
                ..
            }) => Mode::Import(crate::import::Options {
                paths,
                platform,
                vars: set.into_iter().collect(),
                limits,
                namespace,
                write,
            }),
            Some(Command::Validate {
                paths,
                platform,
                format,
                ..
            }) => Mode::Validate {
                paths: if paths.is_empty() {
                    vec![PathBuf::from(".")]
                } else {
                    paths
                },
                platform,
                format,
            },
            Some(Command::Risk {
                base,
                head,
                platform,
                format,
                enable_helm,
                enable_remote,
                ..
            }) => Mode::Risk {
                base,
                head,
                format,
                build: side_build(platform, limits, enable_helm, enable_remote),
            },
            Some(Command::Diff {
                base,
                head,
                platform,
                format,
                enable_helm,
                enable_remote,
                ..
            }) => Mode::Diff {
                base,
                head,
                format,
                build: side_build(platform, limits, enable_helm, enable_remote),
            },
            Some(Command::Schema { kind }) => Mode::Schema(kind),
        };
        Config { mode, limits }
    }
}

/// How `risk` and `diff` build each side.
fn side_build(
    platform: Option<PathBuf>,
    limits: crate::input::yaml::Limits,
    enable_helm: bool,
    enable_remote: bool,
) -> crate::render::Options {
    crate::render::Options {
        paths: vec![],
        platform,
        platform_from_repository: false,
        limits,
        kustomize: kustomize_command(),
        enable_helm,
        enable_remote,
    }
}

/// `VAR=value` of `--set`.
fn parse_var(s: &str) -> Result<(String, String), String> {
    match s.split_once('=') {
        Some((k, v)) if crate::import::subst::is_var_name(k) => Ok((k.to_string(), v.to_string())),
        _ => Err(format!(
            "expected VAR=value with VAR a variable name, got {s:?}"
        )),
    }
}

/// Whether this binary runs under the name `git`: the shim `render` puts on PATH for
/// kustomize without `--enable-remote`, which refuses every clone.
pub fn git_shim(args: &[String]) -> bool {
    args.first()
        .and_then(|a| std::path::Path::new(a).file_stem())
        .is_some_and(|n| n == "git")
}

/// When this binary runs under the name `docker` (the shim `render` puts on PATH for
/// kustomize), the image kustomize asked for; only the AppSpec image may run here.
pub fn docker_shim_image(args: &[String]) -> Option<&str> {
    let argv0 = args.first()?;
    let name = std::path::Path::new(argv0).file_name()?.to_str()?;
    (name == "docker").then(|| args.last().map(String::as_str).unwrap_or(""))
}

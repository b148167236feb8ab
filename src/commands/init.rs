//! `appspec init DIR`: a new site from a few flags: its PlatformConfig, one example app, in the layout kustomize accepts.
//!
//! The layout is the one of `examples/site/`:
//!
//! ```text
//! DIR/platform/platform.yaml          the PlatformConfig, with the function annotation
//! DIR/platform/kustomization.yaml     so an app's `transformers:` may load it (load restrictor)
//! DIR/apps/<namespace>/<app>/app.yaml + kustomization.yaml
//! ```
//!
//! Everything is built as values and serialized (no flag is pasted into YAML text), and the
//! result is judged by the engine before anything is written: a flag the platform rules
//! refuse (a domain, a pool) is reported with those rules' own message, and a site that
//! `init` writes always renders.

use std::path::{Path, PathBuf};

use serde_json::{Map, Value, json};
use thiserror::Error;

use crate::input::source::Item;
use crate::model::platform::BackupBackend;

/// What `init` was asked for.
#[derive(Debug, Clone)]
pub struct Options {
    pub dir: PathBuf,
    /// The external domain (and the internal one unless `internal_domain` says otherwise).
    pub domain: String,
    pub internal_domain: Option<String>,
    /// `nfs://host[:port]/export/path`: the endpoint and the prefix every NAS path lies under.
    pub nas: Option<String>,
    /// `NAMESPACE/NAME` (both patterns), or `internal=NAMESPACE/NAME`, `external=...`.
    pub gateways: Vec<String>,
    /// LoadBalancer address pools (CIDRs).
    pub lb_pools: Vec<String>,
    pub backup: BackupBackend,
}

#[derive(Debug, Error)]
pub enum InitError {
    #[error("{0}")]
    Flag(String),
    /// Problems of the site the flags describe, one line each (the rules' own messages).
    #[error("the site would not validate: {}", .0.join("; "))]
    Invalid(Vec<String>),
    #[error("{}: {message}", path.display())]
    Io { path: PathBuf, message: String },
}

/// The image line of the function annotation: the released image of this version.
pub fn function_image() -> String {
    format!("ghcr.io/hypyr/appspec:{}", env!("CARGO_PKG_VERSION"))
}

/// The first line of a file the editor should check against a schema.
pub fn schema_modeline(schema_file: &str) -> String {
    format!(
        "# yaml-language-server: $schema=https://raw.githubusercontent.com/hypyr/appspec/main/functions/{schema_file}\n"
    )
}

/// Where the example app lives in the site.
pub const EXAMPLE_APP: &str = "apps/whoami/whoami";

/// The files of the new site, relative to its directory, in writing order.
pub fn files(opts: &Options) -> Result<Vec<(PathBuf, String)>, InitError> {
    let platform = platform(opts)?;
    let app = example_app();
    check(&platform, &app)?;
    let yaml =
        |v: &Value| crate::input::yaml::to_string(v).map_err(|e| InitError::Flag(e.to_string()));
    let platform_text = format!(
        "{}# Your site: what differs from the built-in defaults (every field with its default:\n\
         # functions/platform-config.yaml in the AppSpec repository, docs/spec.md).\n{}",
        schema_modeline("platformconfig.schema.json"),
        yaml(&platform)?
    );
    let app_text = format!(
        "{}# An example app: copy this directory to apps/<namespace>/<app>/ for each of yours.\n{}",
        schema_modeline("appspec.schema.json"),
        yaml(&app)?
    );
    let platform_kustomization = json!({
        "apiVersion": "kustomize.config.k8s.io/v1beta1",
        "kind": "Kustomization",
        "resources": ["platform.yaml"],
    });
    let app_kustomization = json!({
        "apiVersion": "kustomize.config.k8s.io/v1beta1",
        "kind": "Kustomization",
        "buildMetadata": ["originAnnotations"],
        "resources": ["app.yaml"],
        "transformers": ["../../../platform"],
    });
    Ok(vec![
        (PathBuf::from("platform/platform.yaml"), platform_text),
        (
            PathBuf::from("platform/kustomization.yaml"),
            format!(
                "# Lets the apps' kustomizations load the platform (`transformers: [../../../platform]`):\n\
                 # kustomize's load restrictor refuses a file outside an app's directory, not a directory\n\
                 # with its own kustomization.\n{}",
                yaml(&platform_kustomization)?
            ),
        ),
        (PathBuf::from(EXAMPLE_APP).join("app.yaml"), app_text),
        (
            PathBuf::from(EXAMPLE_APP).join("kustomization.yaml"),
            format!(
                "# buildMetadata: error messages name app.yaml; transformers: the site's platform.\n{}",
                yaml(&app_kustomization)?
            ),
        ),
    ])
}

/// The PlatformConfig the flags describe.
fn platform(opts: &Options) -> Result<Value, InitError> {
    let external = opts.domain.trim().to_string();
    let internal = opts
        .internal_domain
        .as_deref()
        .map(str::trim)
        .unwrap_or(&external)
        .to_string();
    let mut spec = Map::new();
    spec.insert(
        "dns".into(),
        json!({"internalDomain": internal, "externalDomain": external}),
    );
    if !opts.gateways.is_empty() {
        spec.insert(
            "ingress".into(),
            json!({ "gateway": gateways(&opts.gateways)? }),
        );
    }
    let (endpoints, prefix) = match &opts.nas {
        Some(nas) => {
            let (endpoint, prefix) = split_nas(nas)?;
            (vec![endpoint], prefix)
        }
        // No NAS: no app may mount one (the built-in endpoints are the example site's).
        None => (vec![], "/".to_string()),
    };
    spec.insert(
        "storage".into(),
        json!({"nas": {"endpoints": endpoints, "pathPrefix": prefix}}),
    );
    let backup = match opts.backup {
        BackupBackend::Volsync => json!({
            "backend": "volsync",
            "restoreOnCreate": true,
            "volsync": {
                "repositoryTemplate": format!("s3:https://s3.{internal}/volsync/{{{{ namespace }}}}/{{{{ name }}}}"),
            },
        }),
        BackupBackend::Kopiur => json!({
            "backend": "kopiur",
            "restoreOnCreate": true,
        }),
    };
    spec.insert("backup".into(), backup);
    if !opts.lb_pools.is_empty() {
        spec.insert(
            "loadBalancer".into(),
            json!({"pools": opts.lb_pools.iter().map(|p| p.trim()).collect::<Vec<_>>()}),
        );
    }
    Ok(json!({
        "apiVersion": crate::API_VERSION,
        "kind": crate::model::platform::KIND,
        "metadata": {
            "name": "site",
            "annotations": {
                "config.kubernetes.io/function": format!("container:\n  image: {}\n", function_image()),
            },
        },
        "spec": spec,
    }))
}

/// `--gateway` values: `NAMESPACE/NAME` for both patterns, or `internal=`/`external=` one.
fn gateways(flags: &[String]) -> Result<Value, InitError> {
    let mut out = Map::new();
    for flag in flags {
        let (patterns, reference) = match flag.split_once('=') {
            Some(("internal", r)) => (&["internal"][..], r),
            Some(("external", r)) => (&["external"][..], r),
            Some((other, _)) => {
                return Err(InitError::Flag(format!(
                    "--gateway {flag:?}: {other:?} is not internal or external; write NAMESPACE/NAME, internal=NAMESPACE/NAME or external=NAMESPACE/NAME"
                )));
            }
            None => (&["internal", "external"][..], flag.as_str()),
        };
        let Some((namespace, name)) = reference.split_once('/') else {
            return Err(InitError::Flag(format!(
                "--gateway {flag:?}: expected NAMESPACE/NAME of the Gateway, e.g. network/envoy-internal"
            )));
        };
        for p in patterns {
            out.insert(
                (*p).into(),
                json!({"name": name.trim(), "namespace": namespace.trim()}),
            );
        }
    }
    Ok(Value::Object(out))
}

/// `nfs://host[:port]/export/path` into the endpoint and the path prefix (ending in `/`).
fn split_nas(nas: &str) -> Result<(String, String), InitError> {
    let bad = || {
        InitError::Flag(format!(
            "--nas {nas:?}: expected nfs://HOST[:PORT]/EXPORT/PATH, e.g. nfs://nas.lan:2049/export/apps (apps' NAS paths must lie under that path)"
        ))
    };
    let rest = nas.trim().strip_prefix("nfs://").ok_or_else(bad)?;
    let slash = rest.find('/').ok_or_else(bad)?;
    let (host, path) = rest.split_at(slash);
    if host.is_empty() || path.len() < 2 {
        return Err(bad());
    }
    let prefix = format!("{}/", path.trim_end_matches('/'));
    Ok((format!("nfs://{host}"), prefix))
}

/// The example app: a small web app behind the internal ingress.
fn example_app() -> Value {
    json!({
        "apiVersion": crate::API_VERSION,
        "kind": crate::model::spec::KIND,
        "metadata": {"name": "whoami", "namespace": "whoami"},
        "spec": {
            "image": "ghcr.io/traefik/whoami:v1.10.3",
            "port": 80,
            "probes": {"path": "/health"},
            "ingress": {"pattern": "internal-only"},
        },
    })
}

/// Runs the example app through the engine against the platform: every problem of the
/// flags is reported with the rule's own message, and nothing is written.
fn check(platform: &Value, app: &Value) -> Result<(), InitError> {
    let outcome = crate::engine::run(
        vec![Item::new(
            app.clone(),
            Some(EXAMPLE_APP.to_string() + "/app.yaml"),
        )],
        Some(Item::new(
            platform.clone(),
            Some("platform/platform.yaml".into()),
        )),
    );
    let errors: Vec<String> = outcome
        .diagnostics
        .iter()
        .filter(|d| d.is_error())
        .map(|d| flag_of(&d.issue.path, &d.to_string()))
        .collect();
    if errors.is_empty() {
        Ok(())
    } else {
        Err(InitError::Invalid(errors))
    }
}

/// A problem of the written platform, said in terms of the flag that set the field.
fn flag_of(path: &str, line: &str) -> String {
    let flag = [
        ("spec.dns.externalDomain", "--domain"),
        ("spec.dns.internalDomain", "--internal-domain (or --domain)"),
        ("spec.dns", "--domain / --internal-domain"),
        ("spec.ingress.gateway", "--gateway"),
        ("spec.storage.nas", "--nas"),
        ("spec.loadBalancer", "--lb-pool"),
        ("spec.ingress.host", "--domain / --internal-domain"),
    ]
    .iter()
    .find(|(p, _)| path.starts_with(p))
    .map(|(_, f)| *f);
    match flag {
        Some(f) => format!("{f}: {line}"),
        None => line.to_string(),
    }
}

/// Writes the files under `dir`. `dir` may exist when it is empty (hidden entries such as
/// `.git` aside); nothing is ever overwritten.
pub fn write(dir: &Path, files: &[(PathBuf, String)]) -> Result<(), InitError> {
    let io = |path: &Path, e: std::io::Error| InitError::Io {
        path: path.to_path_buf(),
        message: e.to_string(),
    };
    match std::fs::symlink_metadata(dir) {
        Ok(m) if !m.is_dir() => {
            return Err(InitError::Io {
                path: dir.to_path_buf(),
                message: "exists and is not a directory".into(),
            });
        }
        Ok(_) => {
            let entries = std::fs::read_dir(dir).map_err(|e| io(dir, e))?;
            for entry in entries {
                let entry = entry.map_err(|e| io(dir, e))?;
                if !entry.file_name().to_string_lossy().starts_with('.') {
                    return Err(InitError::Io {
                        path: dir.to_path_buf(),
                        message:
                            "is not empty; init writes a new site into an empty or new directory"
                                .into(),
                    });
                }
            }
        }
        Err(_) => std::fs::create_dir_all(dir).map_err(|e| io(dir, e))?,
    }
    for (rel, text) in files {
        let path = dir.join(rel);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(|e| io(parent, e))?;
        }
        use std::io::Write;
        let mut f = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&path)
            .map_err(|e| io(&path, e))?;
        f.write_all(text.as_bytes()).map_err(|e| io(&path, e))?;
    }
    Ok(())
}

/// What to do next, printed after the files are written.
pub fn next_steps(dir: &Path, files: &[(PathBuf, String)]) -> String {
    let shown = dir.display().to_string();
    let d = crate::input::diagnostic::escape(&shown);
    let mut out = format!("Wrote a new site in {d}:\n");
    for (rel, _) in files {
        out.push_str(&format!("  {}\n", rel.display()));
    }
    out.push_str(&format!(
        "\nNext:\n  \
         appspec render {d}                     # the example app's manifests (needs kubectl or kustomize on PATH)\n  \
         appspec validate {d}                   # every problem, with file and line\n  \
         cp -r {d}/{EXAMPLE_APP} {d}/apps/<namespace>/<app>   # then edit its app.yaml: one directory per app\n\n\
         render reads nothing outside the repository (the nearest directory holding .git, else\n\
         the current one): run it from the site or make the site a git repository.\n\
         Check {d}/platform/platform.yaml (backup repository, ingress classes; every field: docs/spec.md).\n\
         Deploy with Argo CD or Flux as examples/site/ shows (docs/argocd.md, docs/flux.md).\n"
    ));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn opts() -> Options {
        Options {
            dir: PathBuf::from("site"),
            domain: "example.org".into(),
            internal_domain: None,
            nas: None,
            gateways: vec![],
            lb_pools: vec![],
            backup: BackupBackend::Volsync,
        }
    }

    #[test]
    fn nas_flag_splits_into_endpoint_and_prefix() {
        let cases = [
            (
                "nfs://nas.lan:2049/export/apps",
                Some(("nfs://nas.lan:2049", "/export/apps/")),
            ),
            (
                "nfs://10.0.0.5/mnt/tank/",
                Some(("nfs://10.0.0.5", "/mnt/tank/")),
            ),
            ("nfs://nas.lan", None),
            ("nfs://nas.lan/", None),
            ("nas.lan:/export", None),
            ("nfs:///export", None),
        ];
        for (flag, want) in cases {
            let got = split_nas(flag).ok();
            assert_eq!(
                got.as_ref().map(|(e, p)| (e.as_str(), p.as_str())),
                want,
                "{flag}"
            );
        }
    }

    #[test]
    fn gateway_flags() {
        let v = gateways(&["network/envoy".into()]).unwrap();
        assert_eq!(
            v["internal"],
            json!({"name": "envoy", "namespace": "network"})
        );
        assert_eq!(v["external"], v["internal"]);
        let v = gateways(&[
            "internal=network/envoy-internal".into(),
            "external=network/envoy-external".into(),
        ])
        .unwrap();
        assert_eq!(v["internal"]["name"], "envoy-internal");
        assert_eq!(v["external"]["name"], "envoy-external");
        assert!(gateways(&["envoy".into()]).is_err());
        assert!(gateways(&["public=network/envoy".into()]).is_err());
    }

    #[test]
    fn every_combination_of_flags_validates() {
        for backup in [BackupBackend::Volsync, BackupBackend::Kopiur] {
            for gw in [vec![], vec!["network/envoy".to_string()]] {
                let o = Options {
                    internal_domain: Some("lan.example.org".into()),
                    nas: Some("nfs://nas.lan:2049/export/apps".into()),
                    gateways: gw.clone(),
                    lb_pools: vec!["192.168.42.0/24".into()],
                    backup,
                    ..opts()
                };
                let files = files(&o).unwrap_or_else(|e| panic!("{backup} {gw:?}: {e}"));
                assert_eq!(files.len(), 4);
                assert!(files[0].1.starts_with("# yaml-language-server: $schema="));
                assert!(files[0].1.contains("lan.example.org"));
            }
        }
        files(&opts()).unwrap();
    }

    #[test]
    fn bad_flags_are_named() {
        let e = files(&Options {
            domain: "Example..org".into(),
            ..opts()
        })
        .unwrap_err()
        .to_string();
        assert!(e.contains("--domain"), "{e}");
        let e = files(&Options {
            lb_pools: vec!["192.168.1.1/24".into()],
            ..opts()
        })
        .unwrap_err()
        .to_string();
        assert!(e.contains("--lb-pool"), "{e}");
        let e = files(&Options {
            gateways: vec!["network/Envoy_1".into()],
            ..opts()
        })
        .unwrap_err()
        .to_string();
        assert!(e.contains("--gateway"), "{e}");
    }

    #[test]
    fn a_flag_cannot_change_the_yaml_structure() {
        // A hostile value is refused by the rules; it never becomes YAML structure.
        let e = files(&Options {
            domain: "example.org\nkind: Secret".into(),
            ..opts()
        });
        assert!(e.is_err());
    }
}

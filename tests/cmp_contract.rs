//! The Argo CD Config Management Plugin contract (SPEC section 6, `cmp-plugin/`).
//!
//! The first half does what `argocd-cmp-server` does with `cmp-plugin/plugin.yaml`: copy the
//! repository into a scratch directory, run `discover.find.command` in the application
//! directory (a match is a non-empty stdout), then `init` (if any) and `generate` there with
//! the environment Argo CD sets, and check that stdout is a plain stream of Kubernetes
//! objects. The plugin's commands name the binary by its path in the image
//! (`/usr/local/bin/appspec`); here that first element runs the binary under test.
//!
//! The second half builds `cmp-plugin/` as a kustomize Component over a stock
//! argocd-repo-server Deployment (`tests/data/argocd-repo-server.yaml`) and checks the
//! sidecar it adds.
//!
//! Tools: kustomize builds need `kubectl` (or `kustomize`, or `APPSPEC_KUSTOMIZE`), and the
//! strict schema check needs the test venv's Python (`$APPSPEC_VENV`, else `.venv`) with
//! `tests/tools/validate.py`. A test whose tool is missing prints a notice and skips that
//! part, unless `APPSPEC_REQUIRE_TOOLS=1`, which turns the notice into a failure (CI sets it).

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use appspec::input::yaml::{self, Limits};
use common::on_path;
use serde_json::{Value, json};

/// Where the image installs the binary (Dockerfile); plugin.yaml's commands start with it.
const IMAGE_BINARY: &str = "/usr/local/bin/appspec";
/// Argo CD's default repo-server timeout: a generate running longer fails the whole app.
const ARGOCD_TIMEOUT: Duration = Duration::from_secs(60);

/// The example applications an Argo CD Application may point at, relative to the repo root.
const EXAMPLE_APPS: [&str; 8] = [
    "examples/ephemeral-internal",
    "examples/longhorn-internal",
    "examples/longhorn-external-volsync",
    "examples/nas-internal",
    "examples/s3-external",
    "examples/multi-app-platform",
    "examples/generator",
    "examples/overlays/prod",
];

/// Kinds that must never reach the cluster from `generate`.
const FORBIDDEN_KINDS: [&str; 3] = ["AppSpec", "PlatformConfig", "ResourceList"];

/// Environment variables of the test process that would change what `generate` does.
const SCRUBBED_ENV: [&str; 4] = [
    "APPSPEC_PLATFORM",
    "PARAM_PLATFORM",
    "ARGOCD_ENV_APPSPEC_PLATFORM",
    "ARGOCD_APP_PARAMETERS",
];

const PLATFORM_LAB: &str = "\
apiVersion: platform.hypyr.space/v1alpha1
kind: PlatformConfig
metadata:
  name: lab
spec:
  dns:
    internalDomain: lan.example.org
    externalDomain: example.org
";

const APP_WHOAMI: &str = "\
apiVersion: platform.hypyr.space/v1alpha1
kind: AppSpec
metadata:
  name: whoami
spec:
  image: ghcr.io/traefik/whoami:v1.10.1
  port: 80
  ingress:
    pattern: internal-only
";

const CONFIGMAP: &str = "\
apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
  namespace: web
data:
  title: Lab
";

// ---------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------

fn repo_root() -> PathBuf {
    common::repo_root().to_path_buf()
}

/// Skips (with a notice) or, under `APPSPEC_REQUIRE_TOOLS=1`, fails.
fn missing_tool(test: &str, what: &str) {
    common::missing_tool(&format!("{test}: {what}"));
}

/// The kustomize command for the sidecar build: `kubectl kustomize`, else `kustomize build`.
fn kustomize_command() -> Option<Vec<String>> {
    if on_path("kubectl") {
        Some(vec!["kubectl".into(), "kustomize".into()])
    } else if on_path("kustomize") {
        Some(vec!["kustomize".into(), "build".into()])
    } else {
        None
    }
}

/// Whether `appspec render` can build kustomizations here (the examples all have one).
fn render_can_kustomize() -> bool {
    std::env::var("APPSPEC_KUSTOMIZE").is_ok_and(|v| !v.trim().is_empty())
        || kustomize_command().is_some()
}

fn limits() -> Limits {
    Limits::default()
}

fn parse_one(text: &str, what: &str) -> Value {
    yaml::parse_one(text, &limits()).unwrap_or_else(|e| panic!("{what} is not valid YAML: {e}"))
}

fn parse_stream(text: &str, what: &str) -> Vec<Value> {
    yaml::parse_stream(text, &limits())
        .unwrap_or_else(|e| panic!("{what} is not a valid YAML stream: {e}\n{text}"))
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

fn write(path: &Path, text: &str) {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)
            .unwrap_or_else(|e| panic!("cannot create {}: {e}", parent.display()));
    }
    std::fs::write(path, text).unwrap_or_else(|e| panic!("cannot write {}: {e}", path.display()));
}

/// Copies a directory tree (regular files and directories only).
fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap_or_else(|e| panic!("cannot create {}: {e}", to.display()));
    let entries =
        std::fs::read_dir(from).unwrap_or_else(|e| panic!("cannot list {}: {e}", from.display()));
    for entry in entries {
        let entry = entry.unwrap_or_else(|e| panic!("cannot list {}: {e}", from.display()));
        let (src, dst) = (entry.path(), to.join(entry.file_name()));
        if src.is_dir() {
            copy_tree(&src, &dst);
        } else {
            std::fs::copy(&src, &dst)
                .unwrap_or_else(|e| panic!("cannot copy {}: {e}", src.display()));
        }
    }
}

fn str_at<'a>(v: &'a Value, pointer: &str) -> Option<&'a str> {
    v.pointer(pointer).and_then(Value::as_str)
}

fn describe(v: &Value) -> String {
    format!(
        "{}/{}",
        str_at(v, "/kind").unwrap_or("?"),
        str_at(v, "/metadata/name").unwrap_or("?")
    )
}

/// `strict-valid` (`common::invariants`) over every object of a manifest stream: core kinds
/// with kubernetes-validate --strict, custom resources against their CRD schemas.
fn strict_validate(test: &str, text: &str) {
    let output = common::invariants::Output::stream(test, text, &[]);
    let Some((violations, _)) = common::invariants::strict_violations(&[output]) else {
        return;
    };
    assert!(
        violations.is_empty(),
        "{test}: tests/tools/validate.py refused the output:\n{}\ninput:\n{text}",
        violations
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join("\n")
    );
}

// ---------------------------------------------------------------------------------------
// The plugin, as argocd-cmp-server reads it
// ---------------------------------------------------------------------------------------

/// One command of plugin.yaml: `command` followed by `args`.
fn command_of(spec: &Value, pointer: &str) -> Option<Vec<String>> {
    let section = spec.pointer(pointer)?;
    let strings = |key: &str| -> Vec<String> {
        match section.get(key) {
            None | Some(Value::Null) => Vec::new(),
            Some(Value::Array(items)) => items
                .iter()
                .map(|i| {
                    i.as_str()
                        .unwrap_or_else(|| panic!("plugin.yaml {pointer}.{key}: every element must be a string, got {i}"))
                        .to_string()
                })
                .collect(),
            Some(other) => panic!("plugin.yaml {pointer}.{key} must be a list, got {other}"),
        }
    };
    let mut cmd = strings("command");
    cmd.extend(strings("args"));
    assert!(
        !cmd.is_empty(),
        "plugin.yaml {pointer} has an empty command"
    );
    Some(cmd)
}

struct Plugin {
    name: String,
    version: String,
    discover: Vec<String>,
    init: Option<Vec<String>>,
    generate: Vec<String>,
    parameters: Vec<String>,
}

fn plugin_document() -> Value {
    parse_one(
        &read(&repo_root().join("cmp-plugin/plugin.yaml")),
        "cmp-plugin/plugin.yaml",
    )
}

fn plugin() -> Plugin {
    let doc = plugin_document();
    let spec = doc.get("spec").expect("plugin.yaml has a spec");
    assert!(
        spec.pointer("/discover/fileName").is_none()
            && spec.pointer("/discover/find/glob").is_none(),
        "plugin.yaml: discovery is expected through discover.find.command only"
    );
    let parameters = spec
        .pointer("/parameters/static")
        .and_then(Value::as_array)
        .map(|ps| {
            ps.iter()
                .filter_map(|p| str_at(p, "/name").map(str::to_string))
                .collect()
        })
        .unwrap_or_default();
    Plugin {
        name: str_at(&doc, "/metadata/name")
            .expect("plugin.yaml metadata.name")
            .to_string(),
        version: str_at(&doc, "/spec/version")
            .unwrap_or_default()
            .to_string(),
        discover: command_of(spec, "/discover/find")
            .expect("plugin.yaml has discover.find.command"),
        init: command_of(spec, "/init"),
        generate: command_of(spec, "/generate").expect("plugin.yaml has generate.command"),
        parameters,
    }
}

/// An Argo CD parameter as the Application sets it (string parameters only here).
struct Param<'a> {
    name: &'a str,
    value: &'a str,
}

/// The environment argocd-cmp-server gives every command of the plugin.
fn argocd_env(source_path: &str, params: &[Param]) -> BTreeMap<String, String> {
    let mut env = BTreeMap::new();
    let app_name = source_path.rsplit('/').next().unwrap_or(source_path);
    for (k, v) in [
        ("ARGOCD_APP_NAME", app_name),
        ("ARGOCD_APP_NAMESPACE", "apps"),
        (
            "ARGOCD_APP_REVISION",
            "0123456789abcdef0123456789abcdef01234567",
        ),
        ("ARGOCD_APP_REVISION_SHORT", "0123456"),
        ("ARGOCD_APP_SOURCE_PATH", source_path),
        (
            "ARGOCD_APP_SOURCE_REPO_URL",
            "https://github.com/hypyr/gitops.git",
        ),
        ("ARGOCD_APP_SOURCE_TARGET_REVISION", "main"),
        ("KUBE_VERSION", "1.31.0"),
        (
            "KUBE_API_VERSIONS",
            "v1,apps/v1,batch/v1,networking.k8s.io/v1,storage.k8s.io/v1",
        ),
        ("ARGOCD_ENV_FOO", "bar"),
    ] {
        env.insert(k.to_string(), v.to_string());
    }
    // Argo CD sends the parameters as JSON (`null` when the Application sets none) and each
    // one as PARAM_<NAME>, upper-cased with non-alphanumerics turned into `_`.
    let json_params = if params.is_empty() {
        Value::Null
    } else {
        Value::Array(
            params
                .iter()
                .map(|p| json!({"name": p.name, "string": p.value}))
                .collect(),
        )
    };
    env.insert("ARGOCD_APP_PARAMETERS".into(), json_params.to_string());
    for p in params {
        let name: String = p
            .name
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() {
                    c.to_ascii_uppercase()
                } else {
                    '_'
                }
            })
            .collect();
        env.insert(format!("PARAM_{name}"), p.value.to_string());
    }
    env
}

struct Run {
    ok: bool,
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

/// Runs one command of the plugin in `dir` the way argocd-cmp-server does: no shell, the
/// inherited environment plus Argo CD's, and the repo-server timeout.
fn run_plugin_command(cmd: &[String], dir: &Path, env: &BTreeMap<String, String>) -> Run {
    let (program, args) = cmd.split_first().expect("non-empty command");
    assert_eq!(
        program, IMAGE_BINARY,
        "plugin.yaml commands are expected to run the image's binary"
    );
    let mut command = assert_cmd::Command::new(common::BIN);
    command.args(args).current_dir(dir).timeout(ARGOCD_TIMEOUT);
    for k in SCRUBBED_ENV {
        command.env_remove(k);
    }
    command.envs(env);
    let started = Instant::now();
    let out = command
        .output()
        .unwrap_or_else(|e| panic!("{cmd:?} in {}: cannot run or timed out: {e}", dir.display()));
    assert!(
        started.elapsed() < ARGOCD_TIMEOUT,
        "{cmd:?} in {} took {:?}, above Argo CD's timeout",
        dir.display(),
        started.elapsed()
    );
    Run {
        ok: out.status.success(),
        code: out.status.code(),
        stdout: String::from_utf8(out.stdout).expect("stdout is UTF-8"),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// discover.find.command: a match is a successful run with something on stdout.
fn discovers(plugin: &Plugin, dir: &Path, env: &BTreeMap<String, String>) -> bool {
    let run = run_plugin_command(&plugin.discover, dir, env);
    assert!(
        run.ok,
        "discover failed in {} ({:?}):\n{}",
        dir.display(),
        run.code,
        run.stderr
    );
    !run.stdout.trim().is_empty()
}

/// init (when the plugin has one), then generate.
fn generate(plugin: &Plugin, dir: &Path, env: &BTreeMap<String, String>) -> Run {
    if let Some(init) = &plugin.init {
        let run = run_plugin_command(init, dir, env);
        assert!(
            run.ok,
            "init failed in {} ({:?}):\n{}",
            dir.display(),
            run.code,
            run.stderr
        );
    }
    run_plugin_command(&plugin.generate, dir, env)
}

/// A scratch copy of the repository as the repo-server checks it out, limited to what the
/// given example apps use: `functions/` and the top-level `examples/<dir>` of each app, in
/// their relative layout, so `../../functions` and `../base` resolve (other example trees
/// can be large and are left out).
fn checkout(apps: &[&str]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut trees = vec!["functions".to_string()];
    for app in apps {
        let mut parts = app.split('/');
        let top = [parts.next(), parts.next()]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join("/");
        if !trees.contains(&top) {
            trees.push(top);
        }
    }
    for tree in trees {
        copy_tree(&repo_root().join(&tree), &dir.path().join(&tree));
    }
    dir
}

/// Checks a successful generate: a non-empty stream of plain Kubernetes objects.
fn assert_manifest_stream(what: &str, run: &Run) -> Vec<Value> {
    assert!(
        run.ok,
        "{what}: generate failed ({:?}):\n{}",
        run.code, run.stderr
    );
    assert!(
        !run.stdout.trim().is_empty(),
        "{what}: generate printed nothing"
    );
    let docs = parse_stream(&run.stdout, what);
    assert!(
        docs.len() >= 2,
        "{what}: expected a multi-document stream, got {} document(s):\n{}",
        docs.len(),
        run.stdout
    );
    for doc in &docs {
        assert!(
            doc.is_object(),
            "{what}: a document is not a mapping: {doc}"
        );
        for field in ["/apiVersion", "/kind", "/metadata/name"] {
            assert!(
                str_at(doc, field).is_some_and(|s| !s.is_empty()),
                "{what}: {} has no {field}:\n{doc:#}",
                describe(doc)
            );
        }
        let kind = str_at(doc, "/kind").unwrap_or_default();
        assert!(
            !FORBIDDEN_KINDS.contains(&kind),
            "{what}: generate must not output a {kind}: {}",
            describe(doc)
        );
    }
    docs
}

fn hosts(docs: &[Value]) -> Vec<String> {
    docs.iter()
        .filter(|d| str_at(d, "/kind") == Some("Ingress"))
        .flat_map(|d| {
            d.pointer("/spec/rules")
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default()
        })
        .filter_map(|r| str_at(&r, "/host").map(str::to_string))
        .collect()
}

// ---------------------------------------------------------------------------------------
// plugin.yaml and application.yaml
// ---------------------------------------------------------------------------------------

#[test]
fn plugin_yaml_is_a_versioned_config_management_plugin() {
    let doc = plugin_document();
    assert_eq!(str_at(&doc, "/apiVersion"), Some("argoproj.io/v1alpha1"));
    assert_eq!(str_at(&doc, "/kind"), Some("ConfigManagementPlugin"));
    let plugin = plugin();
    assert!(!plugin.name.is_empty(), "plugin.yaml has no metadata.name");
    assert!(
        !plugin.version.is_empty(),
        "plugin.yaml has no spec.version"
    );
    assert_eq!(
        plugin.generate.first().map(String::as_str),
        Some(IMAGE_BINARY)
    );
    assert_eq!(
        plugin.discover.first().map(String::as_str),
        Some(IMAGE_BINARY)
    );
    assert!(
        plugin.parameters.iter().any(|p| p == "platform"),
        "plugin.yaml declares the platform parameter"
    );
    let dockerfile = read(&repo_root().join("Dockerfile"));
    assert!(
        dockerfile.contains(IMAGE_BINARY),
        "the Dockerfile installs the binary at {IMAGE_BINARY}"
    );
}

#[test]
fn application_names_the_plugin_with_its_version() {
    let plugin = plugin();
    let app = parse_one(
        &read(&repo_root().join("cmp-plugin/application.yaml")),
        "cmp-plugin/application.yaml",
    );
    assert_eq!(str_at(&app, "/kind"), Some("Application"));
    assert_eq!(str_at(&app, "/apiVersion"), Some("argoproj.io/v1alpha1"));
    let expected = format!("{}-{}", plugin.name, plugin.version);
    assert_eq!(
        str_at(&app, "/spec/source/plugin/name"),
        Some(expected.as_str()),
        "Applications name a versioned plugin <name>-<version>"
    );
    let params = app
        .pointer("/spec/source/plugin/parameters")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    for p in &params {
        let name = str_at(p, "/name").unwrap_or_default();
        assert!(
            plugin.parameters.iter().any(|d| d == name),
            "application.yaml sets parameter {name:?}, which plugin.yaml does not declare"
        );
    }
}

// ---------------------------------------------------------------------------------------
// discover + generate on the examples
// ---------------------------------------------------------------------------------------

#[test]
fn examples_are_discovered_and_generate_plain_manifests() {
    const TEST: &str = "examples_are_discovered_and_generate_plain_manifests";
    if !render_can_kustomize() {
        missing_tool(
            TEST,
            "kubectl or kustomize (the examples are kustomizations)",
        );
        return;
    }
    let plugin = plugin();
    let repo = checkout(&EXAMPLE_APPS);
    // functions/platform-config.yaml holds every built-in default but one: it turns
    // restoreOnCreate on, as a new site should. Undo that one line to get the defaults.
    let config = repo.path().join("functions/platform-config.yaml");
    let text = std::fs::read_to_string(&config).unwrap();
    assert_eq!(text.matches("restoreOnCreate: true").count(), 1, "{text}");
    std::fs::write(
        &config,
        text.replace("restoreOnCreate: true", "restoreOnCreate: false"),
    )
    .unwrap();
    for app in EXAMPLE_APPS {
        let dir = repo.path().join(app);
        assert!(dir.is_dir(), "{app} is missing");
        // The PlatformConfig with the built-in defaults, by a path relative to the app dir.
        let up = "../".repeat(app.split('/').count());
        let platform = format!("{up}functions/platform-config.yaml");
        // An app whose kustomization carries its own site settings as the functionConfig:
        // the operator's platform is the policy (SPEC section 3), so they may not differ.
        let own_policy = dir.join("platform.yaml").is_file();
        let mut outputs = Vec::new();
        for params in [
            vec![],
            vec![Param {
                name: "platform",
                value: &platform,
            }],
        ] {
            let env = argocd_env(app, &params);
            let what = format!(
                "{app} (ARGOCD_APP_PARAMETERS={})",
                env["ARGOCD_APP_PARAMETERS"]
            );
            assert!(discovers(&plugin, &dir, &env), "{what}: not discovered");
            let run = generate(&plugin, &dir, &env);
            if own_policy && !params.is_empty() {
                assert!(
                    !run.ok,
                    "{what}: the repository replaced the operator's platform"
                );
                assert!(run.stdout.is_empty(), "{what}: {}", run.stdout);
                for needle in [
                    "functionConfig PlatformConfig/",
                    "differs from the operator's platform",
                    "functions/platform-config.yaml",
                ] {
                    assert!(run.stderr.contains(needle), "{what}: {}", run.stderr);
                }
                continue;
            }
            assert_manifest_stream(&what, &run);
            outputs.push(run.stdout);
        }
        if !own_policy {
            assert_eq!(
                outputs[0], outputs[1],
                "{app}: a PlatformConfig equal to the defaults changed the output"
            );
        }
        strict_validate(&format!("{TEST}: {app}"), &outputs[0]);
    }
}

#[test]
fn overlay_patch_reaches_the_expansion() {
    if !render_can_kustomize() {
        missing_tool(
            "overlay_patch_reaches_the_expansion",
            "kubectl or kustomize",
        );
        return;
    }
    let plugin = plugin();
    let app = "examples/overlays/prod";
    let repo = checkout(&[app]);
    let env = argocd_env(app, &[]);
    let docs = assert_manifest_stream(app, &generate(&plugin, &repo.path().join(app), &env));
    let deployment = docs
        .iter()
        .find(|d| str_at(d, "/kind") == Some("Deployment"))
        .expect("a Deployment");
    assert_eq!(
        deployment.pointer("/spec/replicas"),
        Some(&json!(3)),
        "prod patches spec.replicas to 3"
    );
    assert_eq!(
        hosts(&docs),
        ["shop.in.hypyr.space"],
        "prod patches spec.ingress.host"
    );
}

#[test]
fn broken_spec_fails_generate_with_the_field_on_stderr() {
    if !render_can_kustomize() {
        missing_tool(
            "broken_spec_fails_generate_with_the_field_on_stderr",
            "kubectl or kustomize",
        );
        return;
    }
    let plugin = plugin();
    let app = "examples/invalid-nas-path";
    let repo = checkout(&[app]);
    let dir = repo.path().join(app);
    let env = argocd_env(app, &[]);
    assert!(
        discovers(&plugin, &dir, &env),
        "{app}: an AppSpec directory is discovered even when invalid"
    );
    let run = generate(&plugin, &dir, &env);
    assert!(
        !run.ok,
        "{app}: generate must fail, got exit {:?} and:\n{}",
        run.code, run.stdout
    );
    assert!(
        run.stderr
            .contains("app.yaml: AppSpec/sneaky: spec.storage.nas.subpath"),
        "{app}: stderr names the file (its kustomization sets originAnnotations) and the field:\n{}",
        run.stderr
    );
    assert!(
        run.stdout.is_empty(),
        "{app}: nothing on stdout on failure, got:\n{}",
        run.stdout
    );
}

#[test]
fn ordinary_manifests_are_not_discovered() {
    let plugin = plugin();
    let env = argocd_env("apps/settings", &[]);

    let plain = tempfile::tempdir().expect("tempdir");
    write(&plain.path().join("configmap.yaml"), CONFIGMAP);
    assert!(
        !discovers(&plugin, plain.path(), &env),
        "a directory with only a ConfigMap must be left to other tools"
    );

    let kustomized = tempfile::tempdir().expect("tempdir");
    write(&kustomized.path().join("configmap.yaml"), CONFIGMAP);
    write(
        &kustomized.path().join("kustomization.yaml"),
        "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n- configmap.yaml\n",
    );
    assert!(
        !discovers(&plugin, kustomized.path(), &env),
        "a plain kustomization of a ConfigMap must be left to other tools"
    );

    let empty = tempfile::tempdir().expect("tempdir");
    assert!(
        !discovers(&plugin, empty.path(), &env),
        "an empty directory is not discovered"
    );
}

// ---------------------------------------------------------------------------------------
// The platform parameter
// ---------------------------------------------------------------------------------------

/// Renders `app_dir` three ways (no platform, PARAM_PLATFORM, ARGOCD_ENV_APPSPEC_PLATFORM)
/// and checks that only the last two use the lab domain.
fn assert_platform_parameter_applies(what: &str, app_dir: &Path, platform: &str) {
    let plugin = plugin();
    let source_path = "apps/whoami";

    let env = argocd_env(source_path, &[]);
    assert!(discovers(&plugin, app_dir, &env), "{what}: not discovered");
    let docs = assert_manifest_stream(
        &format!("{what}, no platform"),
        &generate(&plugin, app_dir, &env),
    );
    assert_eq!(
        hosts(&docs),
        ["whoami.in.hypyr.space"],
        "{what}: without a platform the default domain is used"
    );

    let env = argocd_env(
        source_path,
        &[Param {
            name: "platform",
            value: platform,
        }],
    );
    assert_eq!(
        env.get("PARAM_PLATFORM").map(String::as_str),
        Some(platform)
    );
    let run = generate(&plugin, app_dir, &env);
    let docs = assert_manifest_stream(&format!("{what}, PARAM_PLATFORM={platform}"), &run);
    assert_eq!(
        hosts(&docs),
        ["whoami.lan.example.org"],
        "{what}: PARAM_PLATFORM={platform} sets the domain"
    );
    strict_validate(what, &run.stdout);

    let mut env = argocd_env(source_path, &[]);
    env.insert("ARGOCD_ENV_APPSPEC_PLATFORM".into(), platform.into());
    let docs = assert_manifest_stream(
        &format!("{what}, ARGOCD_ENV_APPSPEC_PLATFORM={platform}"),
        &generate(&plugin, app_dir, &env),
    );
    assert_eq!(
        hosts(&docs),
        ["whoami.lan.example.org"],
        "{what}: ARGOCD_ENV_APPSPEC_PLATFORM={platform} sets the domain"
    );
}

#[test]
fn platform_parameter_outside_the_app_directory() {
    // As cmp-plugin/application.yaml does: the PlatformConfig is shared, above the app.
    let repo = tempfile::tempdir().expect("tempdir");
    write(&repo.path().join("platform.yaml"), PLATFORM_LAB);
    // The app sits at ARGOCD_APP_SOURCE_PATH (apps/whoami) in the checkout, so render
    // knows the repository root and lets the parameter climb up to it, not beyond.
    let app = repo.path().join("apps/whoami");
    write(&app.join("app.yaml"), APP_WHOAMI);
    assert_platform_parameter_applies(
        "plain directory, platform file above it",
        &app,
        "../../platform.yaml",
    );
}

#[test]
fn platform_parameter_next_to_a_kustomization() {
    if !render_can_kustomize() {
        missing_tool(
            "platform_parameter_next_to_a_kustomization",
            "kubectl or kustomize",
        );
        return;
    }
    // The kustomization lists only the AppSpec (no transformer): render expands it with the
    // platform named by the parameter, which sits in the app directory.
    let app = tempfile::tempdir().expect("tempdir");
    write(&app.path().join("app.yaml"), APP_WHOAMI);
    write(&app.path().join("platform.yaml"), PLATFORM_LAB);
    write(
        &app.path().join("kustomization.yaml"),
        "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n- app.yaml\n",
    );
    assert_platform_parameter_applies(
        "kustomization with platform.yaml beside it",
        app.path(),
        "platform.yaml",
    );
}

#[test]
fn platform_parameter_naming_a_file_in_the_plain_app_directory() {
    // plugin.yaml documents the parameter as a path relative to the application directory,
    // so a PlatformConfig file inside that directory must be usable through it.
    let app = tempfile::tempdir().expect("tempdir");
    write(&app.path().join("app.yaml"), APP_WHOAMI);
    write(&app.path().join("platform.yaml"), PLATFORM_LAB);
    let plugin = plugin();
    for env in [
        argocd_env(
            "apps/whoami",
            &[Param {
                name: "platform",
                value: "platform.yaml",
            }],
        ),
        {
            let mut env = argocd_env("apps/whoami", &[]);
            env.insert("ARGOCD_ENV_APPSPEC_PLATFORM".into(), "platform.yaml".into());
            env
        },
    ] {
        let run = generate(&plugin, app.path(), &env);
        let docs = assert_manifest_stream(
            "plain directory, PARAM_PLATFORM=platform.yaml inside it",
            &run,
        );
        assert_eq!(hosts(&docs), ["whoami.lan.example.org"]);
    }
}

// ---------------------------------------------------------------------------------------
// The repo-server sidecar (cmp-plugin/ as a kustomize Component)
// ---------------------------------------------------------------------------------------

fn container<'a>(deployment: &'a Value, name: &str) -> Option<&'a Value> {
    deployment
        .pointer("/spec/template/spec/containers")
        .and_then(Value::as_array)?
        .iter()
        .find(|c| str_at(c, "/name") == Some(name))
}

fn volume<'a>(deployment: &'a Value, name: &str) -> Option<&'a Value> {
    deployment
        .pointer("/spec/template/spec/volumes")
        .and_then(Value::as_array)?
        .iter()
        .find(|v| str_at(v, "/name") == Some(name))
}

/// The volume mounted at `path` in a container, and the mount itself.
fn mount_at<'a>(container: &'a Value, path: &str) -> Option<&'a Value> {
    container
        .pointer("/volumeMounts")
        .and_then(Value::as_array)?
        .iter()
        .find(|m| str_at(m, "/mountPath") == Some(path))
}

#[test]
fn component_adds_the_sidecar_to_a_stock_repo_server() {
    const TEST: &str = "component_adds_the_sidecar_to_a_stock_repo_server";
    let Some(kustomize) = kustomize_command() else {
        missing_tool(TEST, "kubectl (or kustomize)");
        return;
    };
    let root = repo_root();
    let work = tempfile::tempdir().expect("tempdir");
    // kustomize refuses absolute component paths: copy the component next to the fixture.
    copy_tree(&root.join("cmp-plugin"), &work.path().join("cmp-plugin"));
    let fixture_text = read(&root.join("tests/data/argocd-repo-server.yaml"));
    write(&work.path().join("argocd-repo-server.yaml"), &fixture_text);
    write(
        &work.path().join("kustomization.yaml"),
        "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nnamespace: argocd\n\
         resources:\n- argocd-repo-server.yaml\ncomponents:\n- cmp-plugin\n",
    );
    let (program, args) = kustomize.split_first().expect("command");
    let out = std::process::Command::new(program)
        .args(args)
        .arg(work.path())
        .output()
        .unwrap_or_else(|e| panic!("cannot run {program}: {e}"));
    let stdout = String::from_utf8(out.stdout).expect("UTF-8");
    assert!(
        out.status.success(),
        "{kustomize:?} failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let docs = parse_stream(&stdout, "kustomize output");

    // The ConfigMap holding plugin.yaml, byte for byte, under the name the sidecar mounts.
    let configmap = docs
        .iter()
        .find(|d| {
            str_at(d, "/kind") == Some("ConfigMap")
                && str_at(d, "/metadata/name") == Some("appspec-cmp-plugin")
        })
        .unwrap_or_else(|| panic!("no ConfigMap appspec-cmp-plugin (hash suffix?):\n{stdout}"));
    assert_eq!(str_at(configmap, "/metadata/namespace"), Some("argocd"));
    assert_eq!(
        str_at(configmap, "/data/plugin.yaml"),
        Some(read(&root.join("cmp-plugin/plugin.yaml")).as_str()),
        "the ConfigMap holds cmp-plugin/plugin.yaml unchanged"
    );

    let fixture = parse_one(&fixture_text, "tests/data/argocd-repo-server.yaml");
    let deployments: Vec<&Value> = docs
        .iter()
        .filter(|d| str_at(d, "/kind") == Some("Deployment"))
        .collect();
    assert_eq!(
        deployments.len(),
        1,
        "the component adds no Deployment of its own:\n{stdout}"
    );
    let deployment = deployments[0];
    assert_eq!(
        str_at(deployment, "/metadata/name"),
        Some("argocd-repo-server")
    );
    assert_eq!(str_at(deployment, "/metadata/namespace"), Some("argocd"));

    // The original repo-server container and init container are untouched.
    let original = container(&fixture, "argocd-repo-server").expect("fixture container");
    assert_eq!(
        container(deployment, "argocd-repo-server"),
        Some(original),
        "the repo-server container is untouched"
    );
    assert_eq!(
        deployment.pointer("/spec/template/spec/initContainers"),
        fixture.pointer("/spec/template/spec/initContainers"),
        "the init containers are untouched"
    );
    for name in ["var-files", "plugins"] {
        assert_eq!(
            volume(deployment, name),
            volume(&fixture, name),
            "volume {name} is kept as installed"
        );
    }

    // The sidecar.
    let sidecar = container(deployment, "appspec-cmp")
        .unwrap_or_else(|| panic!("no appspec-cmp sidecar:\n{stdout}"));
    assert!(
        str_at(sidecar, "/image")
            .is_some_and(|i| i.starts_with("ghcr.io/hypyr/appspec:")
                || i.starts_with("ghcr.io/hypyr/appspec@")),
        "sidecar image: {sidecar:#}"
    );
    assert_eq!(
        sidecar.pointer("/command"),
        Some(&json!(["/var/run/argocd/argocd-cmp-server"]))
    );
    assert_eq!(
        sidecar.pointer("/securityContext/runAsNonRoot"),
        Some(&json!(true))
    );
    assert_eq!(
        sidecar.pointer("/securityContext/runAsUser"),
        Some(&json!(999))
    );

    let mount = |path: &str| {
        mount_at(sidecar, path)
            .unwrap_or_else(|| panic!("the sidecar mounts nothing at {path}: {sidecar:#}"))
    };
    assert_eq!(str_at(mount("/var/run/argocd"), "/name"), Some("var-files"));
    assert_eq!(
        str_at(mount("/home/argocd/cmp-server/plugins"), "/name"),
        Some("plugins")
    );

    let config = mount("/home/argocd/cmp-server/config/plugin.yaml");
    assert_eq!(str_at(config, "/subPath"), Some("plugin.yaml"));
    let config_volume = volume(deployment, str_at(config, "/name").unwrap_or_default())
        .expect("the plugin.yaml volume exists");
    assert_eq!(
        str_at(config_volume, "/configMap/name"),
        Some("appspec-cmp-plugin")
    );

    let tmp = mount("/tmp");
    let tmp_volume = volume(deployment, str_at(tmp, "/name").unwrap_or_default())
        .expect("the /tmp volume exists");
    assert!(
        tmp_volume.get("emptyDir").is_some(),
        "/tmp is an emptyDir: {tmp_volume}"
    );

    strict_validate(TEST, &stdout);
}

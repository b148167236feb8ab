//! End to end through kustomize: every example under `examples/` built with
//! `kubectl kustomize --enable-alpha-plugins`, the container function run by a `docker` shim
//! that execs the freshly built binary.
//!
//! - A buildable example (one with a kustomization.yaml, not `invalid-*`) must build, twice
//!   byte-identically, to exactly its committed `expected.yaml` and its insta snapshot.
//!   `APPSPEC_BLESS=1` rewrites `expected.yaml`; `INSTA_UPDATE=always` rewrites snapshots.
//! - An `invalid-*` example must fail, with our diagnostics on stderr.
//! - Every kustomize output keeps the output invariants (`common::invariants`).
//! - The KRM protocol on the same material without kustomize: idempotency (kpt runs a function
//!   again on its own output), no YAML anchors or aliases, the same objects as kustomize.
//!
//! Without kubectl the kustomize tests print a notice and pass, unless
//! `APPSPEC_REQUIRE_TOOLS=1`, which makes a missing tool a failure.

mod common;

use std::fs;
use std::path::{Path, PathBuf};

use common::invariants::{self, anchors_and_aliases};
use common::{BIN, DockerShim, kubectl, repo_root};
use serde_json::{Value, json};

/// Example directories that are not kustomizations of AppSpecs.
/// `site/` is a whole site of app directories, tested by tests/site.rs.
const NOT_EXAMPLES: &[&str] = &["backstage", "ci", "site"];

/// What each `invalid-*` example must print on stderr (one diagnostic line each contains one
/// of these). A new invalid example needs an entry here.
const INVALID_EXAMPLES: &[(&str, &[&str])] = &[(
    "invalid-nas-path",
    &[
        // The kustomization sets `buildMetadata: [originAnnotations]`: the file is named.
        "app.yaml: AppSpec/sneaky: spec.storage.nas.subpath: Subpath must not contain relative directory references",
        "app.yaml: AppSpec/sneaky: spec.ingress.host: Internal apps must use .in.hypyr.space domain",
    ],
)];

struct Example {
    /// The path under examples/, e.g. `nas-internal` or `overlays/prod`.
    name: String,
    dir: PathBuf,
}

impl Example {
    fn is_invalid(&self) -> bool {
        self.dir
            .file_name()
            .is_some_and(|n| n.to_string_lossy().starts_with("invalid-"))
    }

    /// The insta snapshot name: the path with `/` turned into `-`.
    fn snapshot_name(&self) -> String {
        self.name.replace('/', "-")
    }

    fn expected_path(&self) -> PathBuf {
        self.dir.join("expected.yaml")
    }

    fn expected(&self) -> String {
        let path = self.expected_path();
        fs::read_to_string(&path).unwrap_or_else(|e| {
            panic!(
                "cannot read {}: {e} (generate it with APPSPEC_BLESS=1 cargo test --test kustomize_e2e)",
                path.display()
            )
        })
    }
}

/// Every example, sorted by name: each directory of examples/ with a kustomization.yaml, and
/// below a directory without one (a group such as `overlays/`), each kustomization that runs
/// a function (its bases are built through it).
fn examples() -> Vec<Example> {
    fn walk(root: &Path, dir: &Path, top: bool, out: &mut Vec<Example>) {
        let mut entries: Vec<PathBuf> = fs::read_dir(dir)
            .unwrap_or_else(|e| panic!("cannot list {}: {e}", dir.display()))
            .map(|entry| entry.expect("cannot read examples/").path())
            .filter(|p| p.is_dir())
            .collect();
        entries.sort();
        for sub in entries {
            let name = sub
                .strip_prefix(root)
                .unwrap()
                .to_string_lossy()
                .into_owned();
            if top && NOT_EXAMPLES.contains(&name.as_str()) {
                continue;
            }
            let kustomization = sub.join("kustomization.yaml");
            if !kustomization.is_file() {
                walk(root, &sub, false, out);
            } else if top || runs_a_function(&read_docs(&kustomization)[0]) {
                out.push(Example { name, dir: sub });
            }
        }
    }
    let root = repo_root().join("examples");
    let mut out = Vec::new();
    walk(&root, &root, true, &mut out);
    let valid = out.iter().filter(|ex| !ex.is_invalid()).count();
    assert!(
        valid >= 1 && valid < out.len(),
        "examples/ should hold buildable and invalid-* examples"
    );
    out
}

fn runs_a_function(kustomization: &Value) -> bool {
    !strings(&kustomization["transformers"]).is_empty()
        || !strings(&kustomization["generators"]).is_empty()
}

fn buildable_examples() -> Vec<Example> {
    examples()
        .into_iter()
        .filter(|ex| !ex.is_invalid())
        .collect()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8(bytes.to_vec()).expect("output is not UTF-8")
}

/// Where two texts first differ, for a readable failure.
fn first_difference(expected: &str, actual: &str) -> String {
    let mut exp = expected.lines();
    let mut act = actual.lines();
    for line in 1.. {
        match (exp.next(), act.next()) {
            (None, None) => {
                return "the texts differ only in line endings or a final newline".to_string();
            }
            (e, a) if e != a => {
                return format!(
                    "first difference at line {line}:\n  expected: {}\n  actual:   {}",
                    e.unwrap_or("<end of text>"),
                    a.unwrap_or("<end of text>")
                );
            }
            _ => {}
        }
    }
    unreachable!()
}

#[test]
fn examples_build_with_kubectl_kustomize() {
    let Some(kubectl) = kubectl() else { return };
    let shim = DockerShim::new();
    let bless = std::env::var("APPSPEC_BLESS").is_ok_and(|v| v.trim() == "1");
    let mut built = Vec::new();
    for ex in buildable_examples() {
        let first = shim.kustomize(&kubectl, &ex.dir);
        assert!(
            first.status.success(),
            "kubectl kustomize examples/{} failed ({}):\n{}",
            ex.name,
            first.status,
            text(&first.stderr)
        );
        let second = shim.kustomize(&kubectl, &ex.dir);
        assert!(
            second.status.success(),
            "second build of examples/{} failed",
            ex.name
        );
        let output = text(&first.stdout);
        assert_eq!(
            output,
            text(&second.stdout),
            "examples/{}: two builds of the same input differ",
            ex.name
        );
        assert!(
            ["Deployment", "StatefulSet", "CronJob"]
                .iter()
                .any(|k| output.contains(&format!("kind: {k}"))),
            "examples/{} built no Deployment, StatefulSet or CronJob:\n{output}",
            ex.name
        );

        built.push((ex, output));
    }
    // The invariants first: a regenerated snapshot or expected.yaml must not hide a
    // violation, and the failure names the invariant.
    let outputs: Vec<invariants::Output> = built
        .iter()
        .map(|(ex, output)| {
            invariants::Output::stream(
                format!("kubectl kustomize examples/{}", ex.name),
                output,
                &common::kustomization_inputs(&ex.dir),
            )
            .with_platform(
                only_function_config(ex).as_ref(),
                &common::kustomization_inputs(&ex.dir),
            )
        })
        .collect();
    invariants::assert_invariants(&outputs);

    let mut mismatches = Vec::new();
    for (ex, output) in built {
        if bless {
            fs::write(ex.expected_path(), &output).expect("cannot write expected.yaml");
        } else if ex.expected() != output {
            mismatches.push(format!(
                "examples/{}/expected.yaml: {}",
                ex.name,
                first_difference(&ex.expected(), &output)
            ));
        }

        insta::with_settings!({
            description => format!("kubectl kustomize --enable-alpha-plugins examples/{}", ex.name),
            omit_expression => true,
        }, {
            insta::assert_snapshot!(ex.snapshot_name(), output);
        });
    }
    assert!(
        mismatches.is_empty(),
        "kustomize output differs from the committed expected.yaml (APPSPEC_BLESS=1 regenerates, then review the diff):\n{}",
        mismatches.join("\n")
    );
}

#[test]
fn invalid_examples_fail_with_our_diagnostics() {
    let Some(kubectl) = kubectl() else { return };
    let shim = DockerShim::new();
    for ex in examples().into_iter().filter(Example::is_invalid) {
        let (_, wanted) = INVALID_EXAMPLES
            .iter()
            .find(|(name, _)| *name == ex.name)
            .unwrap_or_else(|| {
                panic!(
                    "add the expected diagnostics of examples/{} to INVALID_EXAMPLES",
                    ex.name
                )
            });
        let out = shim.kustomize(&kubectl, &ex.dir);
        let stderr = text(&out.stderr);
        assert!(
            !out.status.success(),
            "examples/{} must fail to build, but kubectl succeeded:\n{}",
            ex.name,
            text(&out.stdout)
        );
        assert!(
            out.stdout.is_empty(),
            "examples/{}: a failed build printed manifests",
            ex.name
        );
        for line in *wanted {
            assert!(
                stderr.lines().any(|l| l.contains(line)),
                "examples/{}: stderr lacks the diagnostic {line:?}:\n{stderr}",
                ex.name
            );
        }
        assert!(
            !ex.expected_path().exists(),
            "examples/{} must fail, so it has no expected.yaml",
            ex.name
        );
    }
}

/// Kustomize sends a function no path annotation, only (with `buildMetadata:
/// [originAnnotations]`) the origin annotation: the stderr line names the file from it, and
/// two AppSpecs of one name in two namespaces are told apart. Without the option the file
/// is `<stdin>`, which is why the README asks for it.
#[test]
fn errors_name_the_file_from_the_origin_annotation() {
    let Some(kubectl) = kubectl() else { return };
    let shim = DockerShim::new();
    let dir = tempfile::tempdir().expect("tempdir");
    let write = |rel: &str, text: &str| {
        let path = dir.path().join(rel);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, text).unwrap();
    };
    let app = |ns: &str, port: u32| {
        format!(
            "apiVersion: platform.hypyr.space/v1alpha1\nkind: AppSpec\nmetadata:\n  name: web\n  namespace: {ns}\nspec:\n  image: nginx:1.27\n  port: {port}\n"
        )
    };
    write("base/apps/team-a.yaml", &app("team-a", 8080));
    write("base/apps/team-b.yaml", &app("team-b", 0));
    write(
        "base/kustomization.yaml",
        "resources:\n- apps/team-a.yaml\n- apps/team-b.yaml\n",
    );
    write(
        "function.yaml",
        &fs::read_to_string(repo_root().join("functions/appspec.yaml")).unwrap(),
    );
    let kustomization = |origin: bool| {
        format!(
            "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\n{}resources:\n- base\ntransformers:\n- function.yaml\n",
            if origin {
                "buildMetadata: [originAnnotations]\n"
            } else {
                ""
            }
        )
    };
    let wanted = "AppSpec/team-b/web: spec.port: port must be between 1 and 65535, got 0";
    for (origin, file) in [(true, "base/apps/team-b.yaml"), (false, "<stdin>")] {
        write("kustomization.yaml", &kustomization(origin));
        let out = shim.kustomize(&kubectl, dir.path());
        let stderr = text(&out.stderr);
        assert!(!out.status.success(), "the build must fail:\n{stderr}");
        assert!(out.stdout.is_empty(), "a failed build printed manifests");
        let line = format!("{file}: {wanted}");
        assert!(
            stderr.lines().any(|l| l == line),
            "originAnnotations {origin}: stderr lacks the line {line:?}:\n{stderr}"
        );
        assert!(
            !stderr.contains("team-a"),
            "only the broken app is reported:\n{stderr}"
        );
    }
}

// ----- the KRM protocol without kustomize -----

fn parse_stream(text: &str) -> Vec<Value> {
    let docs: Vec<Value> = serde_saphyr::from_multiple(text).expect("cannot parse YAML");
    docs.into_iter().filter(|d| !d.is_null()).collect()
}

fn read_docs(path: &Path) -> Vec<Value> {
    let text =
        fs::read_to_string(path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    parse_stream(&text)
}

fn is_function(doc: &Value) -> bool {
    doc["metadata"]["annotations"]["config.kubernetes.io/function"].is_string()
}

/// The function configs (documents with a `config.kubernetes.io/function` annotation) that
/// a kustomization entry (a file, or a directory with its own kustomization) leads to.
fn function_configs(path: &Path) -> Vec<Value> {
    if path.is_dir() {
        let kustomization = &read_docs(&path.join("kustomization.yaml"))[0];
        strings(&kustomization["resources"])
            .into_iter()
            .flat_map(|r| function_configs(&path.join(r)))
            .collect()
    } else {
        read_docs(path).into_iter().filter(is_function).collect()
    }
}

fn strings(list: &Value) -> Vec<String> {
    list.as_array()
        .map(|a| {
            a.iter()
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

/// The function config kustomize hands the function for this example: the transformer's or
/// the generator's.
fn function_config(ex: &Example) -> Value {
    let configs = function_configs_of(ex);
    assert_eq!(
        configs.len(),
        1,
        "examples/{}: expected exactly one function",
        ex.name
    );
    configs.into_iter().next().unwrap()
}

/// The function config of an example whose kustomization names exactly one function.
fn only_function_config(ex: &Example) -> Option<Value> {
    let configs = function_configs_of(ex);
    (configs.len() == 1).then(|| configs.into_iter().next().unwrap())
}

fn function_configs_of(ex: &Example) -> Vec<Value> {
    let kustomization = &read_docs(&ex.dir.join("kustomization.yaml"))[0];
    ["transformers", "generators"]
        .iter()
        .flat_map(|key| strings(&kustomization[*key]))
        .flat_map(|entry| function_configs(&ex.dir.join(entry)))
        .collect()
}

/// The items kustomize hands the function: the `resources` files, plus the generator itself
/// in the generator form. `None` for a kustomization that does more than list files
/// (patches, bases, name prefixes...), which only kustomize itself reproduces.
fn krm_items(ex: &Example) -> Option<Vec<Value>> {
    const PLAIN_KEYS: &[&str] = &[
        "apiVersion",
        "kind",
        "resources",
        "transformers",
        "generators",
    ];
    let kustomization = &read_docs(&ex.dir.join("kustomization.yaml"))[0];
    let plain = kustomization
        .as_object()
        .is_some_and(|m| m.keys().all(|k| PLAIN_KEYS.contains(&k.as_str())));
    let resources: Vec<PathBuf> = strings(&kustomization["resources"])
        .iter()
        .map(|r| ex.dir.join(r))
        .collect();
    if !plain || resources.iter().any(|r| !r.is_file()) {
        return None;
    }
    let mut items: Vec<Value> = resources.iter().flat_map(|r| read_docs(r)).collect();
    for generator in strings(&kustomization["generators"]) {
        items.extend(function_configs(&ex.dir.join(generator)));
    }
    Some(items)
}

/// The default transformer config shipped in functions/.
fn default_function_config() -> Value {
    let configs = function_configs(&repo_root().join("functions"));
    assert_eq!(
        configs.len(),
        1,
        "functions/ should hold one function config"
    );
    configs.into_iter().next().unwrap()
}

fn resource_list(items: &[Value], function_config: &Value) -> String {
    let list = json!({
        "apiVersion": "config.kubernetes.io/v1",
        "kind": "ResourceList",
        "items": items,
        "functionConfig": function_config,
    });
    serde_saphyr::to_string(&list).expect("cannot write the ResourceList")
}

/// Runs the binary on a ResourceList; asserts success and returns stdout.
fn run_function(input: &str, what: &str) -> String {
    let out = assert_cmd::Command::new(BIN)
        .write_stdin(input)
        .output()
        .expect("cannot run appspec");
    assert!(
        out.status.success(),
        "{what}: appspec failed ({}):\nstderr:\n{}\nstdout:\n{}",
        out.status,
        text(&out.stderr),
        text(&out.stdout)
    );
    text(&out.stdout)
}

/// The items of a ResourceList written by the function, after checking it is one document
/// without error results.
fn output_items(stdout: &str, what: &str) -> Vec<Value> {
    let docs = parse_stream(stdout);
    assert_eq!(
        docs.len(),
        1,
        "{what}: the output is not exactly one document:\n{stdout}"
    );
    let list = &docs[0];
    assert_eq!(list["kind"], "ResourceList", "{what}: {stdout}");
    assert_eq!(
        list["apiVersion"], "config.kubernetes.io/v1",
        "{what}: {stdout}"
    );
    if let Some(results) = list["results"].as_array() {
        assert!(
            results.iter().all(|r| r["severity"] != "error"),
            "{what}: error results:\n{stdout}"
        );
    }
    list["items"].as_array().cloned().unwrap_or_default()
}

fn assert_no_anchors(yaml: &str, what: &str) {
    assert_eq!(
        anchors_and_aliases(yaml),
        (0, 0),
        "{what}: the output has YAML anchors or aliases:\n{yaml}"
    );
}

/// A stable order for comparing object sets: kind, namespace, name.
fn sorted_by_identity(mut items: Vec<Value>) -> Vec<Value> {
    let key = |v: &Value| {
        let m = &v["metadata"];
        (
            v["apiVersion"].to_string(),
            v["kind"].to_string(),
            m["namespace"].to_string(),
            m["name"].to_string(),
        )
    };
    items.sort_by_key(key);
    items
}

fn identity(v: &Value) -> String {
    let m = &v["metadata"];
    format!(
        "{}/{}/{}",
        v["kind"].as_str().unwrap_or("?"),
        m["namespace"].as_str().unwrap_or(""),
        m["name"].as_str().unwrap_or("?")
    )
}

/// Object by object, with the first difference shown as YAML.
fn assert_same_objects(what: &str, actual: Vec<Value>, expected: Vec<Value>) {
    let ids = |v: &[Value]| v.iter().map(identity).collect::<Vec<_>>();
    assert_eq!(ids(&actual), ids(&expected), "{what}: not the same objects");
    for (a, e) in actual.iter().zip(&expected) {
        assert!(
            a == e,
            "{what}: {} differs from expected.yaml\n--- actual:\n{}--- expected:\n{}",
            identity(a),
            serde_saphyr::to_string(a).unwrap_or_default(),
            serde_saphyr::to_string(e).unwrap_or_default()
        );
    }
}

/// kpt runs a function again on its own output. From what kustomize sends (the AppSpecs
/// still in it), the first run expands them; a second run on that output passes every object
/// through unchanged; a third gives the same bytes as the second.
///
/// The second run keeps a PlatformConfig functionConfig; a generator's functionConfig is the
/// AppSpec itself, which would be expanded again (kustomize never runs a generator on its own
/// output), so there the second run is a transformer with the shipped default config.
#[test]
fn krm_output_is_idempotent() {
    let default_config = default_function_config();
    let mut checked = 0;
    for ex in buildable_examples() {
        let Some(items) = krm_items(&ex) else {
            eprintln!(
                "examples/{}: its input is only what kustomize makes of it (patches or bases): not run directly",
                ex.name
            );
            continue;
        };
        checked += 1;
        let what = format!("examples/{}", ex.name);
        let specs = items.iter().filter(|i| is_appspec(i)).count();
        let config = function_config(&ex);
        assert!(
            specs >= 1 || is_appspec(&config),
            "{what}: the first run has no AppSpec to expand"
        );

        let first = run_function(&resource_list(&items, &config), &what);
        let expanded = output_items(&first, &what);
        assert!(
            !expanded.iter().any(is_appspec)
                && expanded
                    .iter()
                    .any(|i| ["Deployment", "StatefulSet", "CronJob"]
                        .contains(&i["kind"].as_str().unwrap_or(""))),
            "{what}: the first run did not expand the AppSpecs:\n{first}"
        );

        let config = if config["kind"] == "PlatformConfig" {
            config
        } else {
            default_config.clone()
        };
        let what = format!("{what} (its own output fed back)");
        let second = run_function(&resource_list(&expanded, &config), &what);
        assert_no_anchors(&second, &what);
        assert_same_objects(
            &format!("{what}: the items changed"),
            output_items(&second, &what),
            expanded,
        );
        let third = run_function(&second, &what);
        assert_eq!(
            second, third,
            "{what}: running on its own output changed it"
        );
    }
    assert!(checked >= 5, "only {checked} examples were run directly");
}

fn is_appspec(item: &Value) -> bool {
    item["kind"] == "AppSpec"
        && item["apiVersion"]
            .as_str()
            .is_some_and(|a| a.starts_with("platform.hypyr.space/"))
}

/// The function called directly with what kustomize would send yields the objects kustomize
/// printed (kustomize only reorders them), without anchors or aliases.
#[test]
fn krm_direct_run_matches_kustomize_output() {
    let mut compared = 0;
    for ex in buildable_examples() {
        let Some(items) = krm_items(&ex) else {
            eprintln!(
                "examples/{}: built by kustomize only (patches or bases)",
                ex.name
            );
            continue;
        };
        compared += 1;
        let what = format!("examples/{} (direct KRM run)", ex.name);
        let stdout = run_function(&resource_list(&items, &function_config(&ex)), &what);
        assert_no_anchors(&stdout, &what);
        let items = output_items(&stdout, &what);
        assert!(
            items.iter().all(|i| i["kind"] != "AppSpec"),
            "{what}: an AppSpec item was left in the output"
        );
        assert_same_objects(
            &what,
            sorted_by_identity(items),
            sorted_by_identity(parse_stream(&ex.expected())),
        );
    }
    assert!(compared >= 1, "no example was compared");
}

/// Anchors and aliases in the input (kpt may send them) are expanded, never written, and
/// identical generated structures (two apps with the same resources) are not folded into
/// aliases either.
#[test]
fn krm_output_has_no_anchors_or_aliases() {
    let input = r#"apiVersion: config.kubernetes.io/v1
kind: ResourceList
items:
- apiVersion: platform.hypyr.space/v1alpha1
  kind: AppSpec
  metadata: {name: &app anchored, namespace: *app}
  spec:
    image: &image ghcr.io/hypyr/anchored:1.0.0
    resources: &res
      requests: {cpu: 100m, memory: 256Mi}
      limits: {memory: 512Mi}
    env: {FIRST: &value same, SECOND: *value}
    storage: {pattern: longhorn-persistent, size: 5}
    backup: {strategy: volsync-snapshots}
- apiVersion: platform.hypyr.space/v1alpha1
  kind: AppSpec
  metadata: {name: twin, namespace: anchored}
  spec:
    image: *image
    resources: *res
    storage: {pattern: longhorn-persistent, size: 5}
    backup: {strategy: volsync-snapshots}
- apiVersion: v1
  kind: ConfigMap
  metadata: {name: original, namespace: anchored}
  data: &data {key: value, other: "&not-an-anchor *not-an-alias"}
- apiVersion: v1
  kind: ConfigMap
  metadata: {name: copy, namespace: anchored}
  data: *data
"#;
    // The detector is not vacuous: it sees this input's anchors and aliases.
    let (anchors, aliases) = anchors_and_aliases(input);
    assert!(
        anchors >= 4 && aliases >= 4,
        "{anchors} anchors, {aliases} aliases"
    );

    let stdout = run_function(input, "anchored input");
    assert_no_anchors(&stdout, "anchored input");
    let items = output_items(&stdout, "anchored input");
    let find = |kind: &str, name: &str| {
        items
            .iter()
            .find(|i| i["kind"] == kind && i["metadata"]["name"] == name)
            .unwrap_or_else(|| panic!("no {kind}/{name} in the output:\n{stdout}"))
    };
    let data = json!({"key": "value", "other": "&not-an-anchor *not-an-alias"});
    assert_eq!(find("ConfigMap", "original")["data"], data);
    assert_eq!(find("ConfigMap", "copy")["data"], data);
    let container =
        |name: &str| find("Deployment", name)["spec"]["template"]["spec"]["containers"][0].clone();
    assert_eq!(
        container("anchored")["image"],
        "ghcr.io/hypyr/anchored:1.0.0"
    );
    assert_eq!(container("twin")["image"], "ghcr.io/hypyr/anchored:1.0.0");
    // Both apps got the anchored resources, written out in full (not `null == null`).
    let resources =
        json!({"limits": {"memory": "512Mi"}, "requests": {"cpu": "100m", "memory": "256Mi"}});
    assert_eq!(container("anchored")["resources"], resources);
    assert_eq!(container("twin")["resources"], resources);
    assert_eq!(
        container("anchored")["env"],
        json!([{"name": "FIRST", "value": "same"}, {"name": "SECOND", "value": "same"}])
    );
    assert_eq!(
        find("Deployment", "anchored")["metadata"]["namespace"],
        "anchored"
    );
}

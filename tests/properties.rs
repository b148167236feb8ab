//! Property tests: no input string changes the structure of the output (SPEC.md section 5,
//! "YAML injection"), and a refused input comes back unchanged.
//!
//! An AppSpec is built as a `serde_json::Value` with arbitrary strings (YAML-special
//! characters, newlines, `: `, `---`, `#`, quotes, anchors, unicode, control characters) in
//! the env value, name, namespace, host, path, bucket, subpath and image, wrapped in a
//! ResourceList, written with `appspec::yaml::to_string` and run through
//! `appspec::krm::process`. Then:
//! - on success, the output has exactly the objects the storage/ingress pattern dictates
//!   (same kinds in the same order and the same set of key paths as a baseline expansion with
//!   plain values), and every input string that lands in the output lands byte-for-byte;
//! - on failure, the output items equal the input items and an error result explains why;
//! - either way nothing panics and the output is deterministic.

use std::collections::BTreeSet;

use appspec::krm;
use appspec::yaml::{self, Limits};
use proptest::prelude::*;
use serde_json::{Value, json};

/// Cases per property; `PROPTEST_CASES=5000 cargo test --test properties` for a longer hunt.
fn cases() -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(128)
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Pattern {
    /// ephemeral storage, internal ingress with host and path.
    InternalEphemeral,
    /// nas-mount, external ingress with host and path.
    ExternalNas,
    /// s3-external, no ingress.
    S3NoIngress,
    /// longhorn-persistent with volsync backups, internal ingress.
    LonghornBackup,
}

const PATTERNS: [Pattern; 4] = [
    Pattern::InternalEphemeral,
    Pattern::ExternalNas,
    Pattern::S3NoIngress,
    Pattern::LonghornBackup,
];

impl Pattern {
    fn kinds(self) -> Vec<&'static str> {
        match self {
            Pattern::InternalEphemeral => vec!["Deployment", "Service", "Ingress"],
            Pattern::ExternalNas => vec![
                "Deployment",
                "Service",
                "Ingress",
                "PersistentVolume",
                "PersistentVolumeClaim",
            ],
            Pattern::S3NoIngress => vec!["Deployment", "Service", "ExternalSecret"],
            Pattern::LonghornBackup => vec![
                "Deployment",
                "Service",
                "Ingress",
                "PersistentVolumeClaim",
                "ExternalSecret",
                "ReplicationSource",
            ],
        }
    }
    fn domain(self) -> &'static str {
        match self {
            Pattern::ExternalNas => "hypyr.space",
            _ => "in.hypyr.space",
        }
    }
}

/// The strings an AppSpec is built from.
#[derive(Clone, Debug)]
struct Fields {
    name: String,
    namespace: String,
    host_label: String,
    /// When set, replaces the whole host (otherwise `<host_label>.<domain>`).
    host: Option<String>,
    path: String,
    bucket: String,
    subpath: String,
    image: String,
    env_value: String,
}

impl Fields {
    fn plain() -> Fields {
        Fields {
            name: "web".into(),
            namespace: "shop".into(),
            host_label: "web".into(),
            host: None,
            path: "/".into(),
            bucket: "web-data".into(),
            subpath: "/mnt/apps/web".into(),
            image: "ghcr.io/acme/web:1.0.0".into(),
            env_value: "info".into(),
        }
    }

    fn host(&self, p: Pattern) -> String {
        self.host
            .clone()
            .unwrap_or_else(|| format!("{}.{}", self.host_label, p.domain()))
    }
}

fn appspec(p: Pattern, f: &Fields) -> Value {
    let mut spec = json!({
        "image": f.image,
        "env": {"VALUE": f.env_value},
    });
    let ingress = |pattern: &str| json!({"pattern": pattern, "host": f.host(p), "path": f.path});
    match p {
        Pattern::InternalEphemeral => {
            spec["ingress"] = ingress("internal-only");
        }
        Pattern::ExternalNas => {
            spec["storage"] = json!({
                "pattern": "nas-mount",
                "size": 10,
                "nas": {"endpoint": "nfs://nas.internal:2049", "subpath": f.subpath},
            });
            spec["ingress"] = ingress("external-via-tunnel");
        }
        Pattern::S3NoIngress => {
            spec["storage"] = json!({
                "pattern": "s3-external",
                "s3": {"bucket": f.bucket, "region": "us-east-1"},
            });
            spec["ingress"] = json!({"pattern": "none"});
        }
        Pattern::LonghornBackup => {
            spec["storage"] = json!({"pattern": "longhorn-persistent", "size": 5});
            spec["backup"] = json!({"strategy": "volsync-snapshots"});
            spec["ingress"] = ingress("internal-only");
        }
    }
    json!({
        "apiVersion": "platform.hypyr.space/v1alpha1",
        "kind": "AppSpec",
        "metadata": {"name": f.name, "namespace": f.namespace},
        "spec": spec,
    })
}

fn resource_list(item: &Value) -> Value {
    json!({
        "apiVersion": krm::RESOURCE_LIST_API_VERSION,
        "kind": krm::RESOURCE_LIST_KIND,
        "items": [item],
    })
}

/// Every key path of a value, array indices folded (`spec.template.spec.containers[].env[]`).
fn key_paths(v: &Value, prefix: &str, out: &mut BTreeSet<String>) {
    match v {
        Value::Object(m) => {
            for (k, child) in m {
                let p = if prefix.is_empty() {
                    k.clone()
                } else {
                    format!("{prefix}.{k}")
                };
                out.insert(p.clone());
                key_paths(child, &p, out);
            }
        }
        Value::Array(items) => {
            for child in items {
                key_paths(child, &format!("{prefix}[]"), out);
            }
        }
        _ => {}
    }
}

fn shape(items: &[Value]) -> Vec<(String, BTreeSet<String>)> {
    items
        .iter()
        .map(|i| {
            let mut keys = BTreeSet::new();
            key_paths(i, "", &mut keys);
            (i["kind"].as_str().unwrap_or("<no kind>").to_string(), keys)
        })
        .collect()
}

struct Run {
    input_item: Value,
    output: Value,
    failed: bool,
    error_messages: Vec<String>,
}

/// Writes the ResourceList, checks the writer round-trips it, and runs the function.
fn run(p: Pattern, f: &Fields) -> Result<Run, TestCaseError> {
    let item = appspec(p, f);
    let list = resource_list(&item);
    let text = yaml::to_string(&list).map_err(|e| TestCaseError::fail(format!("{e}")))?;
    let reparsed = yaml::parse_one(&text, &Limits::default())
        .map_err(|e| TestCaseError::fail(format!("written input does not parse: {e}\n{text}")))?;
    prop_assert_eq!(
        &reparsed,
        &list,
        "the writer does not round-trip:\n{}",
        text
    );

    let response = krm::process(&text, &Limits::default());
    let again = krm::process(&text, &Limits::default());
    prop_assert_eq!(
        &response.stdout,
        &again.stdout,
        "output is not deterministic"
    );
    prop_assert_eq!(response.failed, again.failed);

    let output = yaml::parse_one(&response.stdout, &Limits::default()).map_err(|e| {
        TestCaseError::fail(format!("stdout does not parse: {e}\n{}", response.stdout))
    })?;
    prop_assert_eq!(&output["apiVersion"], krm::RESOURCE_LIST_API_VERSION);
    prop_assert_eq!(&output["kind"], krm::RESOURCE_LIST_KIND);
    let results = output["results"].as_array().cloned().unwrap_or_default();
    let error_messages: Vec<String> = results
        .iter()
        .filter(|r| r["severity"] == "error")
        .map(|r| r["message"].as_str().unwrap_or("").to_string())
        .collect();
    prop_assert_eq!(
        response.failed,
        !error_messages.is_empty(),
        "failed iff an error result exists"
    );
    Ok(Run {
        input_item: item,
        output,
        failed: response.failed,
        error_messages,
    })
}

fn baseline(p: Pattern) -> Vec<(String, BTreeSet<String>)> {
    let r = run(p, &Fields::plain()).unwrap();
    assert!(!r.failed, "baseline {p:?} fails: {:?}", r.error_messages);
    let items = r.output["items"].as_array().unwrap().clone();
    let s = shape(&items);
    assert_eq!(
        s.iter().map(|(k, _)| k.as_str()).collect::<Vec<_>>(),
        p.kinds(),
        "baseline {p:?}"
    );
    s
}

fn find<'a>(items: &'a [Value], kind: &str) -> &'a Value {
    items
        .iter()
        .find(|i| i["kind"] == kind)
        .unwrap_or_else(|| panic!("no {kind}"))
}

/// The checks of a run, whichever way it went.
fn check(
    p: Pattern,
    f: &Fields,
    base: &[(String, BTreeSet<String>)],
) -> Result<bool, TestCaseError> {
    let r = run(p, f)?;
    let items = r.output["items"].as_array().cloned().unwrap_or_default();
    if r.failed {
        prop_assert_eq!(
            &items,
            &vec![r.input_item.clone()],
            "a refused input must come back unchanged"
        );
        prop_assert!(
            r.error_messages.iter().all(|m| !m.trim().is_empty()),
            "error results carry a message"
        );
        return Ok(false);
    }
    let got = shape(&items);
    prop_assert_eq!(
        got.len(),
        base.len(),
        "object count, kinds {:?}",
        got.iter().map(|g| &g.0).collect::<Vec<_>>()
    );
    for ((gk, gkeys), (bk, bkeys)) in got.iter().zip(base) {
        prop_assert_eq!(gk, bk, "kinds in order");
        prop_assert_eq!(gkeys, bkeys, "key paths of the {}", gk);
    }

    let deployment = find(&items, "Deployment");
    prop_assert_eq!(
        &deployment["metadata"]["name"],
        &Value::from(f.name.as_str())
    );
    prop_assert_eq!(
        &deployment["metadata"]["namespace"],
        &Value::from(f.namespace.as_str())
    );
    let container = &deployment["spec"]["template"]["spec"]["containers"][0];
    prop_assert_eq!(&container["image"], &Value::from(f.image.as_str()));
    let env = container["env"].as_array().cloned().unwrap_or_default();
    let value: Vec<Value> = env
        .iter()
        .filter(|e| e["name"] == "VALUE")
        .map(|e| e["value"].clone())
        .collect();
    prop_assert_eq!(
        value,
        vec![Value::from(f.env_value.as_str())],
        "env value round-trips"
    );

    if p != Pattern::S3NoIngress {
        let ingress = find(&items, "Ingress");
        let rule = &ingress["spec"]["rules"][0];
        prop_assert_eq!(&rule["host"], &Value::from(f.host(p)));
        prop_assert_eq!(
            &rule["http"]["paths"][0]["path"],
            &Value::from(f.path.as_str())
        );
    }
    if p == Pattern::ExternalNas {
        let pv = find(&items, "PersistentVolume");
        prop_assert_eq!(&pv["spec"]["nfs"]["path"], &Value::from(f.subpath.as_str()));
        let host = f.host(p);
        prop_assert_eq!(
            &ingress_annotation(&items, "external-dns.alpha.kubernetes.io/hostname"),
            &Value::from(host)
        );
    }
    if p == Pattern::S3NoIngress {
        let bucket: Vec<Value> = env
            .iter()
            .filter(|e| e["name"] == "S3_BUCKET")
            .map(|e| e["value"].clone())
            .collect();
        prop_assert_eq!(bucket, vec![Value::from(f.bucket.as_str())]);
    }
    Ok(true)
}

fn ingress_annotation(items: &[Value], key: &str) -> Value {
    find(items, "Ingress")["metadata"]["annotations"][key].clone()
}

// --- Strategies. ---

/// Pieces that mean something to YAML (or to a careless string-pasting generator).
const FRAGMENTS: &[&str] = &[
    "\n",
    "\r\n",
    "\r",
    ": ",
    ":",
    "---",
    "...",
    "#",
    " #",
    "'",
    "\"",
    "\\",
    "{",
    "}",
    "[",
    "]",
    ",",
    "&a ",
    "*a",
    "!!str ",
    "!tag",
    "|",
    "|-",
    ">",
    ">-",
    "%YAML 1.1",
    "@",
    "`",
    "?",
    "- ",
    " ",
    "  ",
    "\t",
    "é",
    "日本",
    "😀",
    "\u{2028}",
    "\u{85}",
    "\u{feff}",
    "\u{7f}",
    "\u{1b}[31m",
    "\u{0}",
    "null",
    "~",
    "true",
    "no",
    "0x1F",
    "1e3",
    "0o17",
    "..",
    "/",
    "%2e%2e",
    "a",
    "-",
    "_",
    ".",
    "<<",
    "=",
];

fn hostile() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::collection::vec(prop::sample::select(FRAGMENTS), 0..12).prop_map(|v| v.concat()),
        any::<String>(),
        "\\PC{0,20}",
    ]
}

/// Mostly a value that validates, sometimes a hostile one or a valid one with a hostile tail.
fn field(valid: &'static str) -> BoxedStrategy<String> {
    prop_oneof![
        6 => valid,
        1 => hostile(),
        1 => (valid, hostile()).prop_map(|(v, h)| format!("{v}{h}")),
    ]
    .boxed()
}

prop_compose! {
    fn fields()(
        name in field("[a-z][a-z0-9]{0,8}"),
        namespace in field("[a-z][a-z0-9]{0,8}"),
        host_label in field("[a-z][a-z0-9]{0,8}"),
        host in prop::option::weighted(0.1, hostile()),
        path in field("/[a-z0-9_/-]{0,12}"),
        bucket in field("[a-z0-9][a-z0-9-]{2,12}[a-z0-9]"),
        subpath in field("/mnt/[a-z0-9]{1,8}(/[a-z0-9]{1,8}){0,2}"),
        image in field("ghcr\\.io/[a-z]{1,6}/[a-z]{1,6}:[0-9]\\.[0-9]"),
        env_value in prop_oneof![hostile(), "[a-z]{0,8}"],
    ) -> Fields {
        Fields { name, namespace, host_label, host, path, bucket, subpath, image, env_value }
    }
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: cases(),
        // Failures are printed with their minimal input; pin them in known_injection_attempts.
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    /// Any env value is accepted and lands in the Deployment byte-for-byte.
    #[test]
    fn any_env_value_round_trips(env_value in hostile(), pi in 0..PATTERNS.len()) {
        let p = PATTERNS[pi];
        let f = Fields { env_value, ..Fields::plain() };
        let ok = check(p, &f, &baseline(p))?;
        prop_assert!(ok, "an env value alone must never be refused: {:?}", f.env_value);
    }

    /// Hostile strings in any field: either the exact expected structure, or a refusal
    /// that returns the input unchanged.
    #[test]
    fn hostile_fields_never_change_the_structure(f in fields(), pi in 0..PATTERNS.len()) {
        let p = PATTERNS[pi];
        check(p, &f, &baseline(p))?;
    }
}

/// The generators reach both outcomes, so neither branch of `check` is vacuous.
#[test]
fn both_outcomes_are_reached() {
    use proptest::strategy::ValueTree;
    use proptest::test_runner::TestRunner;
    let mut runner = TestRunner::deterministic();
    let (mut ok, mut refused) = (0, 0);
    for i in 0..64 {
        let f = fields().new_tree(&mut runner).unwrap().current();
        let p = PATTERNS[i % PATTERNS.len()];
        match check(p, &f, &baseline(p)) {
            Ok(true) => ok += 1,
            Ok(false) => refused += 1,
            Err(e) => panic!("{e}"),
        }
    }
    eprintln!("expanded {ok}, refused {refused} of 64");
    assert!(ok >= 5 && refused >= 5, "expanded {ok}, refused {refused}");
}

/// Known-nasty values, checked every run whatever the random seed.
#[test]
fn known_injection_attempts() {
    let attempts = [
        "x\n---\napiVersion: v1\nkind: Secret\nmetadata: {name: pwned}",
        "v\"\n  - name: INJECTED\n    value: \"1",
        "a: b\nkind: Secret",
        "&anchor [*anchor]",
        "'; rm -rf / #",
        "\u{0}\u{1}\u{7}\u{1b}",
        "  leading and trailing  ",
        "",
        "null",
        "---",
        "...\n---\n",
        "\u{feff}bom",
    ];
    for p in PATTERNS {
        let base = baseline(p);
        for a in attempts {
            let f = Fields {
                env_value: a.to_string(),
                ..Fields::plain()
            };
            assert!(check(p, &f, &base).unwrap(), "{p:?} env {a:?}");
            for which in 0..6 {
                let mut f = Fields::plain();
                let target = match which {
                    0 => &mut f.name,
                    1 => &mut f.namespace,
                    2 => &mut f.path,
                    3 => &mut f.bucket,
                    4 => &mut f.subpath,
                    _ => &mut f.image,
                };
                target.push_str(a);
                check(p, &f, &base).unwrap_or_else(|e| panic!("{p:?} field {which} {a:?}: {e}"));
            }
        }
    }
}

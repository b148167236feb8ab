//! Property tests: validation is exactly as strict as the contract, and no input string
//! changes the structure of the output (SPEC.md section 5, "YAML injection").
//!
//! An AppSpec is built as a `serde_json::Value` over every combination of storage pattern,
//! ingress pattern and backup strategy (4 x 3 x 2), with generated values for the name,
//! namespace (or none: it defaults to the name), host (or none: derived), path, bucket, NAS
//! subpath, image and an env value: valid values (hyphens, 63-character names, dotted
//! buckets, digests), reserved namespaces, values broken in one known way, and hostile strings
//! (YAML-special characters, newlines, `: `, `---`, quotes, anchors, unicode, control
//! characters). Sometimes a block is put where its pattern forbids it. It is wrapped in a
//! ResourceList, written with `appspec::input::yaml::to_string` and run through
//! `appspec::commands::krm::process`.
//!
//! Each value has a verdict from an oracle written here from the contract, independent of the
//! product: exact rules for the name, namespace, host and bucket; the class it was generated
//! from for the path, subpath and image (a hostile one there is "unknown"). Then:
//! - a value the oracle calls invalid must be refused, with an error at its field path (so
//!   validation that gets looser is noticed), and no error may name a field the oracle
//!   calls valid (so validation that gets stricter is noticed);
//! - a spec the oracle calls valid expands to exactly the objects of its combination (same
//!   kinds in the same order and the same key paths as a baseline with plain values), every
//!   input string lands in the output byte-for-byte, and the output keeps the invariants
//!   (`common::invariants`, those that need no outside tool);
//! - a refused input comes back unchanged with its error results; nothing panics; the output
//!   is deterministic.
//!
//! A job (`spec.job`) has a property of its own: its schedule and time zone against lists
//! of real and broken values, with a hostile arg beside them.

mod common;

use std::collections::BTreeSet;

use appspec::commands::krm;
use appspec::input::yaml::{self, Limits};
use common::invariants::{self, Output};
use proptest::prelude::*;
use serde_json::{Value, json};

/// Cases per property; `PROPTEST_CASES=5000 cargo test --test properties` for a longer hunt.
fn cases() -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(128)
}

// --- The patterns. ---

#[derive(Clone, Copy, Debug, PartialEq)]
enum Storage {
    Ephemeral,
    Longhorn,
    Nas,
    S3,
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Ingress {
    Internal,
    External,
    None,
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Backup {
    None,
    Volsync,
}

/// A block where its pattern forbids it (or nothing).
#[derive(Clone, Copy, Debug, PartialEq)]
enum Misplaced {
    Nothing,
    /// `size` with ephemeral or s3-external.
    Size,
    /// a `nas` block with another storage pattern.
    Nas,
    /// an `s3` block with another storage pattern.
    S3,
    /// an ingress `path` with ingress pattern none.
    PathWithoutIngress,
    /// a backup `schedule` with strategy none.
    ScheduleWithoutBackup,
}

#[derive(Clone, Copy, Debug, PartialEq)]
struct Pattern {
    storage: Storage,
    ingress: Ingress,
    backup: Backup,
}

const STORAGES: [Storage; 4] = [
    Storage::Ephemeral,
    Storage::Longhorn,
    Storage::Nas,
    Storage::S3,
];
const INGRESSES: [Ingress; 3] = [Ingress::Internal, Ingress::External, Ingress::None];
const BACKUPS: [Backup; 2] = [Backup::None, Backup::Volsync];

fn all_patterns() -> Vec<Pattern> {
    let mut out = Vec::new();
    for storage in STORAGES {
        for ingress in INGRESSES {
            for backup in BACKUPS {
                out.push(Pattern {
                    storage,
                    ingress,
                    backup,
                });
            }
        }
    }
    out
}

/// Four patterns that between them produce every kind.
fn representative_patterns() -> Vec<Pattern> {
    vec![
        Pattern {
            storage: Storage::Ephemeral,
            ingress: Ingress::Internal,
            backup: Backup::None,
        },
        Pattern {
            storage: Storage::Nas,
            ingress: Ingress::External,
            backup: Backup::None,
        },
        Pattern {
            storage: Storage::S3,
            ingress: Ingress::None,
            backup: Backup::None,
        },
        Pattern {
            storage: Storage::Longhorn,
            ingress: Ingress::Internal,
            backup: Backup::Volsync,
        },
    ]
}

const INTERNAL_DOMAIN: &str = "in.hypyr.space";
const EXTERNAL_DOMAIN: &str = "hypyr.space";
const RESERVED: &[&str] = &[
    "default",
    "kube-system",
    "kube-public",
    "kube-node-lease",
    "backstage",
    "argocd",
    "flux-system",
    "external-secrets",
    "cert-manager",
    "longhorn-system",
    "volsync-system",
];

impl Pattern {
    /// The objects the contract (SPEC.md section 4) dictates, in the product's order.
    fn kinds(self) -> Vec<&'static str> {
        let mut kinds = vec!["Deployment", "Service"];
        if self.ingress != Ingress::None {
            kinds.push("Ingress");
        }
        if self.storage == Storage::Nas {
            kinds.push("PersistentVolume");
        }
        if matches!(self.storage, Storage::Nas | Storage::Longhorn) {
            kinds.push("PersistentVolumeClaim");
        }
        if self.storage == Storage::S3 {
            kinds.push("ExternalSecret");
        }
        if self.backup == Backup::Volsync {
            kinds.extend(["ExternalSecret", "ReplicationSource"]);
        }
        kinds
    }

    fn domain(self) -> &'static str {
        match self.ingress {
            Ingress::External => EXTERNAL_DOMAIN,
            _ => INTERNAL_DOMAIN,
        }
    }

    /// The contract's own refusals of the combination: (field path) of each.
    fn refusals(self, misplaced: Misplaced) -> BTreeSet<&'static str> {
        let mut out = BTreeSet::new();
        if self.backup == Backup::Volsync && self.storage != Storage::Longhorn {
            out.insert("spec.backup.strategy");
        }
        if let Some(path) = self.misplaced_path(misplaced) {
            out.insert(path);
        }
        out
    }

    /// Where a misplaced block is reported, or `None` when it is not misplaced here.
    fn misplaced_path(self, m: Misplaced) -> Option<&'static str> {
        match m {
            Misplaced::Nothing => None,
            Misplaced::Size => matches!(self.storage, Storage::Ephemeral | Storage::S3)
                .then_some("spec.storage.size"),
            Misplaced::Nas => (self.storage != Storage::Nas).then_some("spec.storage.nas"),
            Misplaced::S3 => (self.storage != Storage::S3).then_some("spec.storage.s3"),
            Misplaced::PathWithoutIngress => {
                (self.ingress == Ingress::None).then_some("spec.ingress.path")
            }
            Misplaced::ScheduleWithoutBackup => {
                (self.backup == Backup::None).then_some("spec.backup.schedule")
            }
        }
    }
}

// --- The oracle: the contract's rules, written independently of the product. ---

#[derive(Clone, Copy, Debug, PartialEq)]
enum Verdict {
    Valid,
    Invalid,
    /// A hostile string for a field without an exact oracle here: either outcome, but an
    /// error may only name this field.
    Unknown,
}

fn verdict(ok: bool) -> Verdict {
    if ok { Verdict::Valid } else { Verdict::Invalid }
}

/// RFC 1123 label: `^[a-z0-9]([-a-z0-9]*[a-z0-9])?$`, at most 63 characters.
fn is_label(s: &str) -> bool {
    let b = s.as_bytes();
    !b.is_empty()
        && b.len() <= 63
        && b.iter()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == b'-')
        && b[0] != b'-'
        && b[b.len() - 1] != b'-'
}

/// The app name: a label that also starts with a letter (it names the Service, an RFC 1035
/// label; the product is stricter here than SPEC.md's regex, on purpose).
fn name_ok(s: &str) -> bool {
    is_label(s) && s.starts_with(|c: char| c.is_ascii_lowercase())
}

fn namespace_ok(s: &str) -> bool {
    is_label(s) && !s.starts_with("kube-") && !RESERVED.contains(&s)
}

fn host_ok(host: &str, p: Pattern) -> bool {
    let under = |d: &str| host.len() > d.len() + 1 && host.ends_with(&format!(".{d}"));
    host.len() <= 253
        && host.contains('.')
        && host.split('.').all(is_label)
        && match p.ingress {
            Ingress::Internal => under(INTERNAL_DOMAIN),
            // Never under the internal domain, nor the internal domain itself.
            Ingress::External => {
                under(EXTERNAL_DOMAIN) && !under(INTERNAL_DOMAIN) && host != INTERNAL_DOMAIN
            }
            Ingress::None => true,
        }
}

/// S3 general purpose bucket names.
fn bucket_ok(s: &str) -> bool {
    let b = s.as_bytes();
    let alnum = |c: u8| c.is_ascii_lowercase() || c.is_ascii_digit();
    let ip = {
        let parts: Vec<&str> = s.split('.').collect();
        parts.len() == 4 && parts.iter().all(|p| p.parse::<u8>().is_ok())
    };
    (3..=63).contains(&b.len())
        && b.iter().all(|&c| alnum(c) || c == b'-' || c == b'.')
        && alnum(b[0])
        && alnum(b[b.len() - 1])
        && !s.contains("..")
        && !s.contains(".-")
        && !s.contains("-.")
        && !ip
        && !["xn--", "sthree-", "amzn-s3-demo-"]
            .iter()
            .any(|p| s.starts_with(p))
        && !["-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3"]
            .iter()
            .any(|x| s.ends_with(x))
}

/// A generated value and its verdict.
#[derive(Clone, Debug)]
struct Field {
    value: String,
    verdict: Verdict,
}

impl Field {
    fn valid(value: &str) -> Field {
        Field {
            value: value.to_string(),
            verdict: Verdict::Valid,
        }
    }
}

/// The strings an AppSpec is built from.
#[derive(Clone, Debug)]
struct Fields {
    name: String,
    /// `None`: left out, so it defaults to the name.
    namespace: Option<String>,
    /// `None`: derived from the name and the domain.
    host: Option<String>,
    path: Field,
    bucket: String,
    subpath: Field,
    image: Field,
    env_value: String,
    misplaced: Misplaced,
}

impl Fields {
    fn plain() -> Fields {
        Fields {
            name: "web".into(),
            namespace: Some("shop".into()),
            host: None,
            path: Field::valid("/"),
            bucket: "web-data".into(),
            subpath: Field::valid("/mnt/apps/web"),
            image: Field::valid("ghcr.io/acme/web:1.0.0"),
            env_value: "info".into(),
            misplaced: Misplaced::Nothing,
        }
    }

    fn namespace(&self) -> &str {
        self.namespace.as_deref().unwrap_or(&self.name)
    }

    fn host(&self, p: Pattern) -> String {
        self.host
            .clone()
            .unwrap_or_else(|| format!("{}.{}", self.name, p.domain()))
    }

    /// (field path, verdict) of every field the spec of this pattern carries.
    fn verdicts(&self, p: Pattern) -> Vec<(&'static str, Verdict)> {
        let mut out = vec![
            ("metadata.name", verdict(name_ok(&self.name))),
            (
                "metadata.namespace",
                verdict(namespace_ok(self.namespace())),
            ),
            ("spec.image", self.image.verdict),
            // No container runtime can pass a NUL in an environment variable.
            ("spec.env.VALUE", verdict(!self.env_value.contains('\0'))),
        ];
        if p.ingress != Ingress::None {
            out.push(("spec.ingress.path", self.path.verdict));
            if let Some(h) = &self.host {
                out.push(("spec.ingress.host", verdict(host_ok(h, p))));
            }
        }
        match p.storage {
            Storage::Nas => out.push(("spec.storage.nas.subpath", self.subpath.verdict)),
            Storage::S3 => out.push(("spec.storage.s3.bucket", verdict(bucket_ok(&self.bucket)))),
            _ => {}
        }
        out
    }
}

fn appspec(p: Pattern, f: &Fields) -> Value {
    let mut spec = json!({
        "image": f.image.value,
        "env": {"VALUE": f.env_value},
    });
    spec["storage"] = match p.storage {
        Storage::Ephemeral => json!({"pattern": "ephemeral"}),
        Storage::Longhorn => json!({"pattern": "longhorn-persistent", "size": 5}),
        Storage::Nas => json!({
            "pattern": "nas-mount",
            "size": 10,
            "nas": {"endpoint": "nfs://nas.internal:2049", "subpath": f.subpath.value},
        }),
        Storage::S3 => json!({
            "pattern": "s3-external",
            "s3": {"bucket": f.bucket, "region": "us-east-1"},
        }),
    };
    spec["ingress"] = match p.ingress {
        Ingress::None => json!({"pattern": "none"}),
        Ingress::Internal | Ingress::External => {
            let mut i = json!({
                "pattern": if p.ingress == Ingress::Internal { "internal-only" } else { "external-via-tunnel" },
                "path": f.path.value,
            });
            if let Some(h) = &f.host {
                i["host"] = json!(h);
            }
            i
        }
    };
    if p.backup == Backup::Volsync {
        spec["backup"] = json!({"strategy": "volsync-snapshots"});
    }
    if p.misplaced_path(f.misplaced).is_some() {
        match f.misplaced {
            Misplaced::Size => spec["storage"]["size"] = json!(5),
            Misplaced::Nas => {
                spec["storage"]["nas"] =
                    json!({"endpoint": "nfs://nas.internal:2049", "subpath": "/mnt/apps/x"})
            }
            Misplaced::S3 => {
                spec["storage"]["s3"] = json!({"bucket": "misplaced", "region": "us-east-1"})
            }
            Misplaced::PathWithoutIngress => spec["ingress"]["path"] = json!("/"),
            Misplaced::ScheduleWithoutBackup => {
                spec["backup"] = json!({"strategy": "none", "schedule": "0 2 * * *"})
            }
            Misplaced::Nothing => {}
        }
    }
    let mut metadata = json!({"name": f.name});
    if let Some(ns) = &f.namespace {
        metadata["namespace"] = json!(ns);
    }
    json!({
        "apiVersion": "platform.hypyr.space/v1alpha1",
        "kind": "AppSpec",
        "metadata": metadata,
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

type Shape = Vec<(String, BTreeSet<String>)>;

fn shape(items: &[Value]) -> Shape {
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
    stdout: String,
    output: Value,
    failed: bool,
    /// (field path, message) of each error result.
    errors: Vec<(String, String)>,
}

/// Writes the ResourceList, checks the writer round-trips it, and runs the function.
fn run(p: Pattern, f: &Fields) -> Result<Run, TestCaseError> {
    run_item(appspec(p, f))
}

/// [`run`] of any AppSpec item.
fn run_item(item: Value) -> Result<Run, TestCaseError> {
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
    let errors: Vec<(String, String)> = results
        .iter()
        .filter(|r| r["severity"] == "error")
        .map(|r| {
            (
                r["field"]["path"].as_str().unwrap_or("").to_string(),
                r["message"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect();
    prop_assert_eq!(
        response.failed,
        !errors.is_empty(),
        "failed iff an error result exists"
    );
    Ok(Run {
        input_item: item,
        stdout: response.stdout,
        output,
        failed: response.failed,
        errors,
    })
}

fn baseline(p: Pattern) -> Shape {
    let plain = Fields::plain();
    let r = run(p, &plain).unwrap();
    let refusals = p.refusals(Misplaced::Nothing);
    if !refusals.is_empty() {
        assert!(r.failed, "{p:?} must be refused");
        return vec![];
    }
    assert!(!r.failed, "baseline {p:?} fails: {:?}", r.errors);
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

/// The checks of a run against the oracle. Returns whether the spec was expanded.
fn check(p: Pattern, f: &Fields, base: &Shape) -> Result<bool, TestCaseError> {
    let r = run(p, f)?;
    let items = r.output["items"].as_array().cloned().unwrap_or_default();
    let verdicts = f.verdicts(p);
    let mut invalid: BTreeSet<&str> = p.refusals(f.misplaced);
    invalid.extend(
        verdicts
            .iter()
            .filter(|(_, v)| *v == Verdict::Invalid)
            .map(|(path, _)| *path),
    );
    let unknown: BTreeSet<&str> = verdicts
        .iter()
        .filter(|(_, v)| *v == Verdict::Unknown)
        .map(|(path, _)| *path)
        .collect();
    let error_paths: BTreeSet<&str> = r.errors.iter().map(|(p, _)| p.as_str()).collect();
    // Names the platform's templates render from a broken name or namespace may fail too:
    // allowed (not required) at the field that asked for the template.
    let identity_broken = verdicts
        .iter()
        .any(|(path, v)| path.starts_with("metadata.") && *v != Verdict::Valid);
    let mut unknown = unknown;
    if identity_broken {
        if p.backup == Backup::Volsync {
            unknown.insert("spec.backup.strategy");
        }
        if p.storage == Storage::S3 {
            unknown.insert("spec.storage.s3.bucket");
        }
    }

    // No error names a field the oracle calls valid.
    let unexpected: Vec<&(String, String)> = r
        .errors
        .iter()
        .filter(|(path, _)| !invalid.contains(path.as_str()) && !unknown.contains(path.as_str()))
        .collect();
    prop_assert!(
        unexpected.is_empty(),
        "{:?}: errors on fields the contract accepts: {:?}\nfields: {:?}",
        p,
        unexpected,
        f
    );
    // Every field the oracle calls invalid is refused, at its path.
    let missed: Vec<&&str> = invalid
        .iter()
        .filter(|path| !error_paths.contains(**path))
        .collect();
    prop_assert!(
        missed.is_empty(),
        "{:?}: validation let through {:?} (errors: {:?})\nfields: {:?}",
        p,
        missed,
        r.errors,
        f
    );

    if r.failed {
        prop_assert_eq!(
            &items,
            &vec![r.input_item.clone()],
            "a refused input must come back unchanged"
        );
        prop_assert!(
            r.errors.iter().all(|(_, m)| !m.trim().is_empty()),
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
    let violations =
        invariants::violations(&[Output::resource_list(format!("{p:?}"), &r.stdout, &[])]);
    prop_assert!(violations.is_empty(), "{:?}", violations);

    let deployment = find(&items, "Deployment");
    prop_assert_eq!(
        &deployment["metadata"]["name"],
        &Value::from(f.name.as_str())
    );
    prop_assert_eq!(
        &deployment["metadata"]["namespace"],
        &Value::from(f.namespace())
    );
    let container = &deployment["spec"]["template"]["spec"]["containers"][0];
    prop_assert_eq!(&container["image"], &Value::from(f.image.value.as_str()));
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

    if p.ingress != Ingress::None {
        let ingress = find(&items, "Ingress");
        let rule = &ingress["spec"]["rules"][0];
        prop_assert_eq!(&rule["host"], &Value::from(f.host(p)));
        prop_assert_eq!(
            &rule["http"]["paths"][0]["path"],
            &Value::from(f.path.value.as_str())
        );
        let external =
            &ingress["metadata"]["annotations"]["external-dns.alpha.kubernetes.io/hostname"];
        if p.ingress == Ingress::External {
            prop_assert_eq!(external, &Value::from(f.host(p)));
        } else {
            prop_assert!(external.is_null(), "an internal app is not published");
        }
    }
    if p.storage == Storage::Nas {
        let pv = find(&items, "PersistentVolume");
        prop_assert_eq!(
            &pv["spec"]["nfs"]["path"],
            &Value::from(f.subpath.value.as_str())
        );
        prop_assert_eq!(
            &pv["metadata"]["name"],
            &Value::from(format!("{}-{}-nfs", f.namespace(), f.name))
        );
    }
    if p.storage == Storage::S3 {
        let bucket: Vec<Value> = env
            .iter()
            .filter(|e| e["name"] == "S3_BUCKET")
            .map(|e| e["value"].clone())
            .collect();
        prop_assert_eq!(bucket, vec![Value::from(f.bucket.as_str())]);
    }
    Ok(true)
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

fn hostile() -> BoxedStrategy<String> {
    prop_oneof![
        prop::collection::vec(prop::sample::select(FRAGMENTS), 0..12).prop_map(|v| v.concat()),
        any::<String>(),
        "\\PC{0,20}",
    ]
    .boxed()
}

/// Mostly (5 in 6) a value from `valid`, sometimes one broken in a known way, a hostile one, or a
/// valid one with a hostile tail. For fields with an exact oracle: the oracle decides.
fn exact(valid: BoxedStrategy<String>, broken: BoxedStrategy<String>) -> BoxedStrategy<String> {
    prop_oneof![
        20 => valid.clone(),
        2 => broken,
        1 => hostile(),
        1 => (valid, hostile()).prop_map(|(v, h)| format!("{v}{h}")),
    ]
    .boxed()
}

/// Names: up to 63 characters with hyphens inside, and the ways to break one.
fn label() -> BoxedStrategy<String> {
    prop_oneof![
        "[a-z]",
        "[a-z][-a-z0-9]{0,20}[a-z0-9]",
        "[a-z][a-z0-9]{1,5}(-[a-z0-9]{1,6}){1,4}",
        "[a-z][-a-z0-9]{61}[a-z0-9]",
    ]
    .boxed()
}

fn broken_label() -> BoxedStrategy<String> {
    prop_oneof![
        label().prop_map(|l| format!("-{l}")),
        label().prop_map(|l| format!("{l}-")),
        label().prop_map(|l| format!("{l}_x")),
        label().prop_map(|l| l.to_uppercase()),
        label().prop_map(|l| format!("{l}.x")),
        "[0-9][a-z0-9]{0,8}",
        "[a-z][-a-z0-9]{62}[a-z0-9]",
        Just(String::new()),
    ]
    .boxed()
}

fn name() -> BoxedStrategy<String> {
    exact(
        prop_oneof![
            4 => label(),
            1 => prop::sample::select(RESERVED).prop_map(str::to_string),
            1 => "kube-[a-z0-9]{1,8}",
        ]
        .boxed(),
        broken_label(),
    )
}

fn namespace() -> BoxedStrategy<Option<String>> {
    prop::option::weighted(
        0.7,
        exact(
            prop_oneof![
                6 => label(),
                1 => prop::sample::select(RESERVED).prop_map(str::to_string),
                1 => "kube-[a-z0-9-]{0,8}[a-z0-9]",
            ]
            .boxed(),
            broken_label(),
        ),
    )
    .boxed()
}

fn host() -> BoxedStrategy<Option<String>> {
    let labels = "[a-z0-9]([-a-z0-9]{0,10}[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]{0,6}[a-z0-9])?){0,2}";
    let domain = prop_oneof![
        4 => Just(INTERNAL_DOMAIN),
        4 => Just(EXTERNAL_DOMAIN),
        1 => Just("hypyr.space.example.com"),
        1 => Just("nothypyr.space"),
        1 => Just("example.org"),
    ];
    let valid = (labels, domain).prop_map(|(l, d)| format!("{l}.{d}"));
    let broken = prop_oneof![
        (labels, "[A-Z]").prop_map(|(l, u)| format!("{l}{u}.{INTERNAL_DOMAIN}")),
        labels.prop_map(|l| format!("{l}.{INTERNAL_DOMAIN}.")),
        labels.prop_map(|l| format!("*.{l}.{INTERNAL_DOMAIN}")),
        "[a-z]{64}".prop_map(|l| format!("{l}.{INTERNAL_DOMAIN}")),
        prop::collection::vec("[a-z]{60}", 5)
            .prop_map(|v| format!("{}.{EXTERNAL_DOMAIN}", v.join("."))),
        Just(INTERNAL_DOMAIN.to_string()),
        Just(EXTERNAL_DOMAIN.to_string()),
        labels.prop_map(|l| format!("{l}..{INTERNAL_DOMAIN}")),
    ];
    prop::option::weighted(0.5, exact(valid.boxed(), broken.boxed())).boxed()
}

fn bucket() -> BoxedStrategy<String> {
    exact(
        prop_oneof![
            "[a-z0-9][a-z0-9-]{1,20}[a-z0-9]",
            "[a-z0-9]{1,8}(\\.[a-z0-9]{1,8}){1,3}",
            "[a-z0-9][a-z0-9-]{61}",
        ]
        .prop_map(|b| b.trim_end_matches('-').to_string() + "0")
        .boxed(),
        prop_oneof![
            "[a-z0-9]{1}",
            "[a-z0-9]{64,70}",
            "[a-z0-9]{2,8}[A-Z_][a-z0-9]{1,4}",
            "[a-z0-9]{2,8}\\.\\.[a-z0-9]{1,4}",
            "-[a-z0-9]{3,8}",
            "[a-z0-9]{3,8}-",
            "[0-9]{1,3}\\.[0-9]{1,3}\\.[0-9]{1,3}\\.[0-9]{1,3}",
            "xn--[a-z0-9]{3,8}",
            "[a-z0-9]{3,8}-s3alias",
        ]
        .boxed(),
    )
}

/// A field without an exact oracle here: the class decides, a hostile value is unknown.
fn classed(valid: BoxedStrategy<String>, broken: BoxedStrategy<String>) -> BoxedStrategy<Field> {
    let with = |s: BoxedStrategy<String>, verdict: Verdict| {
        s.prop_map(move |value| Field { value, verdict })
    };
    prop_oneof![
        20 => with(valid.clone(), Verdict::Valid),
        2 => with(broken, Verdict::Invalid),
        1 => with(hostile(), Verdict::Unknown),
        1 => with(
            (valid, hostile()).prop_map(|(v, h)| format!("{v}{h}")).boxed(),
            Verdict::Unknown
        ),
    ]
    .boxed()
}

fn path() -> BoxedStrategy<Field> {
    let segments = "(/[a-z0-9_~-][a-z0-9._~-]{0,7}){1,4}/?";
    classed(
        prop_oneof![Just("/".to_string()), segments.prop_map(|s| s.to_string())].boxed(),
        prop_oneof![
            "[a-z0-9]{1,8}(/[a-z0-9]{1,8}){0,2}",
            segments.prop_map(|s| format!("{}/../x", s.trim_end_matches('/'))),
            segments.prop_map(|s| format!("{}/..", s.trim_end_matches('/'))),
            segments.prop_map(|s| format!("{s} x")),
            segments.prop_map(|s| format!("{}/%2e%2e/x", s.trim_end_matches('/'))),
            segments.prop_map(|s| format!("{}\\x", s.trim_end_matches('/'))),
            segments.prop_map(|s| format!("{s}\tx")),
        ]
        .boxed(),
    )
}

fn subpath() -> BoxedStrategy<Field> {
    let tail = "(/[a-z0-9_-][a-z0-9._-]{0,7}){1,3}";
    classed(
        tail.prop_map(|t| format!("/mnt{t}")).boxed(),
        prop_oneof![
            tail.prop_map(|t| format!("/mnt{t}/../etc")),
            tail.prop_map(|t| format!("/mnt{t}/%2e%2e/etc")),
            tail.prop_map(|t| format!("/mnt{t}/%252e%252e/etc")),
            tail.prop_map(|t| format!("/mnt{t}\\..\\etc")),
            tail.prop_map(|t| format!("/mnt{t}//x")),
            tail.prop_map(|t| format!("/mnt{t}/")),
            tail.prop_map(|t| format!("/mnt{t}/./x")),
            tail.prop_map(|t| format!("mnt{t}")),
            tail.prop_map(|t| format!("/srv{t}")),
            tail.prop_map(|t| format!("/mnt{t} x")),
            Just("/mnt".to_string()),
            Just("/mnt/".to_string()),
        ]
        .boxed(),
    )
}

fn image() -> BoxedStrategy<Field> {
    let registry = prop_oneof![
        Just("ghcr.io/"),
        Just("docker.io/"),
        Just("registry.example.com:5000/"),
        Just("localhost/"),
        Just(""),
    ];
    let repo = "[a-z0-9]{1,6}([._-][a-z0-9]{1,4})?(/[a-z0-9]{1,6}(-[a-z0-9]{1,4})?){0,2}";
    let pin = prop_oneof![
        "[A-Za-z0-9_][A-Za-z0-9._-]{0,12}".prop_map(|t| format!(":{t}")),
        "[0-9a-f]{64}".prop_map(|d| format!("@sha256:{d}")),
        ("[0-9]\\.[0-9]", "[0-9a-f]{64}").prop_map(|(t, d)| format!(":{t}@sha256:{d}")),
    ];
    let valid = (registry, repo, pin).prop_map(|(r, p, t)| format!("{r}{p}{t}"));
    classed(
        valid.boxed(),
        prop_oneof![
            Just(String::new()),
            repo.prop_map(|p| format!("ghcr.io/{}:1.0", p.to_uppercase() + "X")),
            repo.prop_map(|p| format!("ghcr.io/{p}:1.0 x")),
            repo.prop_map(|p| format!("ghcr.io/{p}:-bad")),
            repo.prop_map(|p| format!("ghcr.io/{p}@sha256:abc")),
            repo.prop_map(|p| format!("ghcr.io/{p}:")),
            repo.prop_map(|p| format!("ghcr.io//{p}:1.0")),
        ]
        .boxed(),
    )
}

fn misplaced() -> BoxedStrategy<Misplaced> {
    prop_oneof![
        25 => Just(Misplaced::Nothing),
        1 => Just(Misplaced::Size),
        1 => Just(Misplaced::Nas),
        1 => Just(Misplaced::S3),
        1 => Just(Misplaced::PathWithoutIngress),
        1 => Just(Misplaced::ScheduleWithoutBackup),
    ]
    .boxed()
}

prop_compose! {
    fn fields()(
        name in name(),
        namespace in namespace(),
        host in host(),
        path in path(),
        bucket in bucket(),
        subpath in subpath(),
        image in image(),
        env_value in prop_oneof![hostile(), "[a-z]{0,8}".boxed()],
        misplaced in misplaced(),
    ) -> Fields {
        Fields { name, namespace, host, path, bucket, subpath, image, env_value, misplaced }
    }
}

/// Real IANA zone names (the contract: an IANA name), and strings that are none.
const ZONES: &[&str] = &[
    "Europe/Amsterdam",
    "Etc/UTC",
    "UTC",
    "America/New_York",
    "America/Argentina/Buenos_Aires",
    "America/Port-au-Prince",
    "Etc/GMT+5",
    "Etc/GMT-14",
    "Asia/Kolkata",
    "EST5EDT",
];
const NOT_ZONES: &[&str] = &[
    "",
    "Local",
    "Europe/Amsterdam Time",
    "TZ=Europe/Amsterdam",
    "/Europe/Amsterdam",
    "Europe//Amsterdam",
    "Europe/Amsterdam/",
    "Europe/Amsterdam/Centrum/Noord",
    "+01:00",
    "Europe/Amsterdam\n",
];
/// Schedules Kubernetes' CronJob controller runs, and ones the contract refuses (out of
/// range, four fields, a descriptor it does not take, one that never fires).
const SCHEDULES: &[&str] = &[
    "@daily",
    "@hourly",
    "@weekly",
    "0 4 * * *",
    "*/15 * * * *",
    "30 3 * * 1-5",
    "0 0 1,15 * *",
    "5/10 * * * *",
];
const NOT_SCHEDULES: &[&str] = &[
    "",
    "0 25 * * *",
    "60 * * * *",
    "* * * *",
    "* * * * * *",
    "@every 1h",
    "0 0 31 2 *",
    "5-3 * * * *",
    "0 4 * * MON",
];

/// A job's value: valid (5 in 7), broken in a known way, or hostile (unknown).
fn job_value(
    valid: &'static [&'static str],
    broken: &'static [&'static str],
) -> BoxedStrategy<(String, Verdict)> {
    prop_oneof![
        5 => prop::sample::select(valid).prop_map(|v| (v.to_string(), Verdict::Valid)),
        1 => prop::sample::select(broken).prop_map(|v| (v.to_string(), Verdict::Invalid)),
        1 => hostile().prop_map(|v| (v, Verdict::Unknown)),
    ]
    .boxed()
}

/// A job (`spec.job`) with a generated schedule and time zone and a hostile arg: the oracle's
/// verdicts hold at `spec.job.schedule` and `spec.job.timeZone`; an expanded job is exactly
/// one CronJob (no Deployment, Service or Ingress: the default ingress makes none) whose
/// schedule, time zone and arg are the input's byte-for-byte, kept to the invariants; a
/// refused one comes back unchanged.
fn check_job(
    schedule: &(String, Verdict),
    zone: &(String, Verdict),
    arg: &str,
) -> Result<bool, TestCaseError> {
    let item = json!({
        "apiVersion": "platform.hypyr.space/v1alpha1", "kind": "AppSpec",
        "metadata": {"name": "sync", "namespace": "tools"},
        "spec": {"image": "ghcr.io/acme/sync:1.0.0", "args": [arg],
            "job": {"schedule": schedule.0, "timeZone": zone.0}},
    });
    let r = run_item(item)?;
    let items = r.output["items"].as_array().cloned().unwrap_or_default();
    let fields = [
        ("spec.job.schedule", schedule.1),
        ("spec.job.timeZone", zone.1),
    ];
    for (path, verdict) in fields {
        let refused = r.errors.iter().any(|(p, _)| p == path);
        match verdict {
            Verdict::Valid => prop_assert!(!refused, "{} refused: {:?}", path, r.errors),
            Verdict::Invalid => prop_assert!(refused, "{} let through: {:?}", path, fields),
            Verdict::Unknown => {}
        }
    }
    prop_assert!(
        r.errors
            .iter()
            .all(|(p, _)| fields.iter().any(|(f, _)| f == p)),
        "errors beside the job's fields: {:?}",
        r.errors
    );
    if r.failed {
        prop_assert_eq!(
            &items,
            &vec![r.input_item.clone()],
            "a refused input must come back unchanged"
        );
        return Ok(false);
    }
    let kinds: Vec<&str> = items
        .iter()
        .map(|i| i["kind"].as_str().unwrap_or(""))
        .collect();
    prop_assert_eq!(kinds, vec!["CronJob"]);
    let spec = &items[0]["spec"];
    prop_assert_eq!(&spec["schedule"], &json!(schedule.0));
    prop_assert_eq!(&spec["timeZone"], &json!(zone.0));
    let pod = &spec["jobTemplate"]["spec"]["template"]["spec"];
    prop_assert_eq!(&pod["containers"][0]["args"], &json!([arg]));
    prop_assert!(
        pod["containers"][0].get("ports").is_none(),
        "a job's container has a port"
    );
    let violations = invariants::violations(&[Output::resource_list("job", &r.stdout, &[])]);
    prop_assert!(violations.is_empty(), "{:?}", violations);
    Ok(true)
}

fn pattern() -> impl Strategy<Value = Pattern> {
    prop::sample::select(all_patterns())
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: cases(),
        // Failures are printed with their minimal input; pin them in known_injection_attempts.
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    /// Any env value without a NUL is accepted and lands in the Deployment byte-for-byte; one
    /// with a NUL (which no container runtime can pass) is refused, the input unchanged.
    #[test]
    fn any_env_value_round_trips(env_value in hostile(), p in pattern()) {
        let f = Fields { env_value, ..Fields::plain() };
        let expanded = check(p, &f, &baseline(p))?;
        let nul = f.env_value.contains('\0');
        prop_assert_eq!(expanded, p.refusals(Misplaced::Nothing).is_empty() && !nul,
            "only a NUL refuses an env value alone: {:?}", f.env_value);
    }

    /// A job's schedule and time zone, valid, broken or hostile, and a hostile arg: see
    /// [`check_job`].
    #[test]
    fn job_schedule_and_time_zone_match_the_contract(
        schedule in job_value(SCHEDULES, NOT_SCHEDULES),
        zone in job_value(ZONES, NOT_ZONES),
        arg in hostile(),
    ) {
        let expanded = check_job(&schedule, &zone, &arg)?;
        if schedule.1 == Verdict::Valid && zone.1 == Verdict::Valid {
            prop_assert!(expanded, "a valid job was refused");
        }
    }

    /// Generated and hostile values in every field, over every pattern combination: the
    /// outcome is the oracle's, and an expansion has exactly its combination's structure.
    #[test]
    fn validation_matches_the_contract(f in fields(), p in pattern()) {
        check(p, &f, &baseline(p))?;
    }
}

/// Every listed schedule and zone, each with a valid other: the valid ones expand, each
/// broken one is refused at its own field (so the oracle's lists are not vacuous).
#[test]
fn every_listed_schedule_and_zone() {
    let ok = |s: &str| (s.to_string(), Verdict::Valid);
    let bad = |s: &str| (s.to_string(), Verdict::Invalid);
    for s in SCHEDULES {
        assert!(check_job(&ok(s), &ok("Etc/UTC"), "sync").unwrap(), "{s}");
    }
    for z in ZONES {
        assert!(check_job(&ok("@daily"), &ok(z), "sync").unwrap(), "{z}");
    }
    for s in NOT_SCHEDULES {
        assert!(!check_job(&bad(s), &ok("Etc/UTC"), "sync").unwrap(), "{s}");
    }
    for z in NOT_ZONES {
        assert!(!check_job(&ok("@daily"), &bad(z), "sync").unwrap(), "{z}");
    }
}

/// Every combination with plain values: the 20 the contract allows expand to their objects,
/// the 4 it refuses (volsync backups without longhorn storage) are refused at
/// `spec.backup.strategy`; each misplaced block is refused where it is misplaced.
#[test]
fn every_pattern_combination() {
    let mut expanded = 0;
    for p in all_patterns() {
        let base = baseline(p);
        for m in [
            Misplaced::Nothing,
            Misplaced::Size,
            Misplaced::Nas,
            Misplaced::S3,
            Misplaced::PathWithoutIngress,
            Misplaced::ScheduleWithoutBackup,
        ] {
            let f = Fields {
                misplaced: m,
                ..Fields::plain()
            };
            let ok = check(p, &f, &base).unwrap_or_else(|e| panic!("{p:?} {m:?}: {e}"));
            assert_eq!(ok, p.refusals(m).is_empty(), "{p:?} {m:?}: expanded = {ok}");
            expanded += usize::from(ok);
        }
    }
    assert!(expanded >= 20, "{expanded}");
}

/// The generators reach every verdict of every field and both outcomes, so no branch of
/// `check` is vacuous.
#[test]
fn generators_reach_every_verdict_and_outcome() {
    use proptest::strategy::ValueTree;
    use proptest::test_runner::TestRunner;
    use std::collections::BTreeMap;
    let mut runner = TestRunner::deterministic();
    let patterns = all_patterns();
    let (mut ok, mut refused) = (0, 0);
    let mut seen: BTreeMap<(&str, String), usize> = BTreeMap::new();
    for i in 0..400 {
        let f = fields().new_tree(&mut runner).unwrap().current();
        let p = patterns[i % patterns.len()];
        for (path, v) in f.verdicts(p) {
            *seen.entry((path, format!("{v:?}"))).or_default() += 1;
        }
        if let Some(ns) = &f.namespace
            && RESERVED.contains(&ns.as_str())
        {
            *seen
                .entry(("reserved namespace", String::new()))
                .or_default() += 1;
        }
        if f.name.contains('-') && name_ok(&f.name) {
            *seen.entry(("hyphenated name", String::new())).or_default() += 1;
        }
        match check(p, &f, &baseline(p)) {
            Ok(true) => ok += 1,
            Ok(false) => refused += 1,
            Err(e) => panic!("{e}"),
        }
    }
    eprintln!("expanded {ok}, refused {refused} of 400; {seen:?}");
    assert!(
        ok >= 40 && refused >= 40,
        "expanded {ok}, refused {refused}"
    );
    for path in [
        "metadata.name",
        "metadata.namespace",
        "spec.image",
        "spec.ingress.path",
        "spec.ingress.host",
        "spec.storage.nas.subpath",
        "spec.storage.s3.bucket",
    ] {
        for v in ["Valid", "Invalid"] {
            assert!(
                seen.contains_key(&(path, v.to_string())),
                "{path} never {v}: {seen:?}"
            );
        }
    }
    for what in ["reserved namespace", "hyphenated name"] {
        assert!(
            seen.contains_key(&(what, String::new())),
            "no {what}: {seen:?}"
        );
    }
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
    let unknown = |value: String| Field {
        value,
        verdict: Verdict::Unknown,
    };
    for p in representative_patterns() {
        let base = baseline(p);
        for a in attempts {
            let f = Fields {
                env_value: a.to_string(),
                ..Fields::plain()
            };
            assert_eq!(
                check(p, &f, &base).unwrap(),
                !a.contains('\0'),
                "{p:?} env {a:?}: accepted unless it holds a NUL"
            );
            for which in 0..7 {
                let mut f = Fields::plain();
                match which {
                    0 => f.name.push_str(a),
                    1 => f.namespace = Some(format!("shop{a}")),
                    2 => f.path = unknown(format!("/{a}")),
                    3 => f.bucket.push_str(a),
                    4 => f.subpath = unknown(format!("/mnt/apps/web{a}")),
                    5 => f.image = unknown(format!("ghcr.io/acme/web:1.0.0{a}")),
                    _ => f.host = Some(format!("web.{}{a}", p.domain())),
                }
                check(p, &f, &base).unwrap_or_else(|e| panic!("{p:?} field {which} {a:?}: {e}"));
            }
        }
    }
}

//! Every object of every example's `expected.yaml` is valid: core kinds against the
//! Kubernetes OpenAPI schemas (kubernetes-validate, strict: unknown fields are errors),
//! `ExternalSecret` and Volsync objects against the CRD JSON Schemas in `../shared/schemas/`,
//! kopiur objects against the schemas derived from kopiur's CRDs in `tests/data/crd-schemas/`
//! (by `tests/tools/crd_schema.py`, itself tested here).
//!
//! The checks run in `tests/tools/validate.py` with the Python of a virtualenv:
//! `$APPSPEC_VENV`, else `.venv` in the repository (`scripts/test.sh` creates it). Without the
//! venv the tests print a notice and pass, unless `APPSPEC_REQUIRE_TOOLS=1`; without
//! `../shared/schemas` (a plain clone) they always print a notice and pass.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn repo_root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

struct Validator {
    python: PathBuf,
    schemas: PathBuf,
}

impl Validator {
    /// The validator, or `None` (after a notice) when its tools or schemas are absent.
    fn find() -> Option<Validator> {
        let schemas = repo_root().join("../shared/schemas");
        if !schemas.is_dir() {
            eprintln!(
                "notice: {} is absent (a clone without shared/): skipping the schema validation",
                schemas.display()
            );
            return None;
        }
        let venv = std::env::var_os("APPSPEC_VENV")
            .map(PathBuf::from)
            .unwrap_or_else(|| repo_root().join(".venv"));
        let python = venv.join("bin/python");
        if !python.is_file() {
            assert!(
                std::env::var("APPSPEC_REQUIRE_TOOLS").as_deref() != Ok("1"),
                "{} is missing and APPSPEC_REQUIRE_TOOLS=1: run scripts/test.sh, which creates the venv",
                python.display()
            );
            eprintln!(
                "notice: no Python venv at {} (scripts/test.sh creates it, or set APPSPEC_VENV): \
                 skipping the schema validation",
                venv.display()
            );
            return None;
        }
        Some(Validator { python, schemas })
    }

    fn run(&self, files: &[PathBuf]) -> Output {
        Command::new(&self.python)
            .arg(repo_root().join("tests/tools/validate.py"))
            .arg("--schemas")
            .arg(&self.schemas)
            .args(files)
            .output()
            .unwrap_or_else(|e| panic!("cannot run {}: {e}", self.python.display()))
    }
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Every `expected.yaml` under examples/, sorted.
fn expected_files() -> Vec<PathBuf> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        for entry in
            fs::read_dir(dir).unwrap_or_else(|e| panic!("cannot list {}: {e}", dir.display()))
        {
            let path = entry.expect("cannot read examples/").path();
            if path.is_dir() {
                walk(&path, out);
            } else if path.file_name().is_some_and(|n| n == "expected.yaml") {
                out.push(path);
            }
        }
    }
    let mut out = Vec::new();
    walk(&repo_root().join("examples"), &mut out);
    out.sort();
    out
}

fn count_documents(path: &Path) -> usize {
    let text =
        fs::read_to_string(path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    let docs: Vec<serde_json::Value> =
        serde_saphyr::from_multiple(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    docs.iter().filter(|d| !d.is_null()).count()
}

#[test]
fn expected_outputs_are_valid_kubernetes_and_crd_objects() {
    let Some(validator) = Validator::find() else {
        return;
    };
    let files = expected_files();
    assert!(
        files.len() >= 5,
        "found only {} examples/*/expected.yaml files (tests/kustomize_e2e.rs writes them with APPSPEC_BLESS=1)",
        files.len()
    );
    let objects: usize = files.iter().map(|f| count_documents(f)).sum();

    let out = validator.run(&files);
    let stdout = text(&out.stdout);
    assert!(
        out.status.success(),
        "generated objects fail schema validation ({}):\n{stdout}\n{}",
        out.status,
        text(&out.stderr)
    );
    assert!(
        stdout.contains(&format!(
            "validated {objects} objects in {} files",
            files.len()
        )),
        "the validator did not check all {objects} objects:\n{stdout}"
    );
    assert!(
        stdout.contains(&format!("{objects} ok, 0 failed, 0 skipped")),
        "{stdout}"
    );
    // Both CRD kinds and the core kinds of every storage pattern are covered.
    for kind in [
        "Deployment/",
        "Service/",
        "Ingress/",
        "PersistentVolumeClaim/",
        "PersistentVolume/",
        "ExternalSecret/",
        "ReplicationSource/",
        "ReplicationDestination/",
        "SnapshotPolicy/",
        "SnapshotSchedule/",
        "Restore/",
    ] {
        assert!(
            stdout
                .lines()
                .any(|l| l.starts_with("ok ") && l.contains(kind)),
            "no {kind} object was validated:\n{stdout}"
        );
    }
    eprintln!("{}", stdout.lines().last().unwrap_or_default());
}

/// The check is not vacuous: each kind of mistake is caught, and a correct object passes.
#[test]
fn validator_rejects_invalid_objects() {
    let Some(validator) = Validator::find() else {
        return;
    };
    let deployment = |extra: &str| {
        format!(
            "apiVersion: apps/v1\nkind: Deployment\nmetadata: {{name: web, namespace: demo}}\nspec:\n  \
             selector: {{matchLabels: {{app: web}}}}\n{extra}  template:\n    metadata: {{labels: {{app: web}}}}\n    \
             spec: {{containers: [{{name: web, image: nginx:1.27}}]}}\n"
        )
    };
    // (file name, content, a text its failure line must contain)
    let cases: Vec<(&str, String, &str)> = vec![
        (
            "deployment-unknown-field.yaml",
            deployment("  bogusField: 1\n"),
            "Deployment/demo/web: k8s 1.33.0: spec: Additional properties are not allowed ('bogusField' was unexpected)",
        ),
        (
            "deployment-wrong-type.yaml",
            deployment("  replicas: three\n"),
            "Deployment/demo/web: k8s 1.33.0: spec.replicas: 'three' is not of type 'integer'",
        ),
        (
            "externalsecret-unknown-field.yaml",
            "apiVersion: external-secrets.io/v1\nkind: ExternalSecret\nmetadata: {name: creds, namespace: demo}\n\
             spec:\n  secretStoreRef: {kind: ClusterSecretStore, name: default}\n  target: {name: creds, bogus: true}\n"
                .to_string(),
            "ExternalSecret/demo/creds: CRD schema: spec.target: Additional properties are not allowed ('bogus' was unexpected)",
        ),
        (
            "externalsecret-v1beta1.yaml",
            "apiVersion: external-secrets.io/v1beta1\nkind: ExternalSecret\nmetadata: {name: old, namespace: demo}\n\
             spec:\n  secretStoreRef: {kind: ClusterSecretStore, name: default}\n"
                .to_string(),
            "ExternalSecret/demo/old: apiVersion 'external-secrets.io/v1beta1': the schema is for external-secrets.io/v1",
        ),
        (
            "replicationsource-bad.yaml",
            "apiVersion: volsync.backube/v1alpha1\nkind: ReplicationSource\nmetadata: {name: backup, namespace: demo}\n\
             spec:\n  sourcePVC: data\n  restic: {repository: restic, copyMethod: Sideways}\n"
                .to_string(),
            "ReplicationSource/demo/backup: CRD schema: spec.restic.copyMethod: 'Sideways' is not one of",
        ),
        (
            "replicationdestination-bad.yaml",
            "apiVersion: volsync.backube/v1alpha1\nkind: ReplicationDestination\nmetadata: {name: restore, namespace: demo}\n\
             spec:\n  trigger: {manual: once, bogus: 1}\n  restic: {repository: restic}\n"
                .to_string(),
            "ReplicationDestination/demo/restore: CRD schema: spec.trigger: Additional properties are not allowed ('bogus' was unexpected)",
        ),
        (
            "snapshotpolicy-unknown-field.yaml",
            "apiVersion: kopiur.home-operations.com/v1alpha1\nkind: SnapshotPolicy\nmetadata: {name: p, namespace: demo}\n\
             spec:\n  repository: {kind: ClusterRepository, name: kopia}\n  retention: {keepDays: 7}\n"
                .to_string(),
            "SnapshotPolicy/demo/p: CRD schema: spec.retention: Additional properties are not allowed ('keepDays' was unexpected)",
        ),
        (
            "snapshotpolicy-bad-enum.yaml",
            "apiVersion: kopiur.home-operations.com/v1alpha1\nkind: SnapshotPolicy\nmetadata: {name: p, namespace: demo}\n\
             spec:\n  repository: {kind: Bucket, name: kopia}\n"
                .to_string(),
            "SnapshotPolicy/demo/p: CRD schema: spec.repository.kind: 'Bucket' is not one of",
        ),
        (
            "snapshotschedule-missing-cron.yaml",
            "apiVersion: kopiur.home-operations.com/v1alpha1\nkind: SnapshotSchedule\nmetadata: {name: s, namespace: demo}\n\
             spec:\n  policyRef: {name: p}\n  schedule: {runOnCreate: false}\n"
                .to_string(),
            "SnapshotSchedule/demo/s: CRD schema: spec.schedule: 'cron' is a required property",
        ),
        (
            "restore-two-targets.yaml",
            "apiVersion: kopiur.home-operations.com/v1alpha1\nkind: Restore\nmetadata: {name: r, namespace: demo}\n\
             spec:\n  source: {fromPolicy: {name: p}}\n  target: {populator: {}, pvcRef: {name: data}}\n"
                .to_string(),
            "Restore/demo/r: CRD schema: spec.target: {",
        ),
        (
            "restore-wrong-version.yaml",
            "apiVersion: kopiur.home-operations.com/v1\nkind: Restore\nmetadata: {name: r, namespace: demo}\n\
             spec:\n  source: {fromPolicy: {name: p}}\n  target: {populator: {}}\n"
                .to_string(),
            "Restore/demo/r: apiVersion 'kopiur.home-operations.com/v1': the schema is for kopiur.home-operations.com/v1alpha1",
        ),
        (
            "unknown-kind.yaml",
            "apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w}\n".to_string(),
            "Widget/w: k8s 1.33.0: Couldn't find schema for kind Widget",
        ),
    ];
    let dir = tempfile::tempdir().expect("cannot create a temp dir");
    let write = |name: &str, content: &str| {
        let path = dir.path().join(name);
        fs::write(&path, content).expect("cannot write a case");
        path
    };
    let good = write("deployment-good.yaml", &deployment(""));
    let mut files = vec![good.clone()];
    files.extend(cases.iter().map(|(name, content, _)| write(name, content)));

    let out = validator.run(&files);
    let stdout = text(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(1),
        "the validator must fail on invalid objects:\n{stdout}\n{}",
        text(&out.stderr)
    );
    for (name, _, wanted) in &cases {
        assert!(
            stdout
                .lines()
                .any(|l| l.starts_with("FAIL ") && l.contains(name) && l.contains(wanted)),
            "{name}: no failure containing {wanted:?}:\n{stdout}"
        );
    }
    assert!(
        stdout.contains(&format!("validated {} objects", files.len()))
            && stdout.contains(&format!("1 ok, {} failed", cases.len())),
        "{stdout}"
    );

    // The correct Deployment alone passes.
    let out = validator.run(&[good]);
    assert!(
        out.status.success(),
        "a valid Deployment was rejected:\n{}",
        text(&out.stdout)
    );
}

/// The derivation of the kopiur schemas: strict where the CRD lists properties, open where it
/// preserves unknown fields, null where it is nullable, status dropped, identity pinned.
#[test]
fn crd_schema_derivation_is_strict() {
    let Some(validator) = Validator::find() else {
        return;
    };
    let dir = tempfile::tempdir().expect("cannot create a temp dir");
    let crd = dir.path().join("widgets.yaml");
    fs::write(
        &crd,
        "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\n\
         metadata: {name: widgets.example.com}\nspec:\n  group: example.com\n  \
         names: {kind: Widget, plural: widgets}\n  scope: Namespaced\n  versions:\n  \
         - name: v1\n    served: true\n    schema:\n      openAPIV3Schema:\n        type: object\n        \
         properties:\n          spec:\n            type: object\n            description: words\n            \
         properties:\n              size: {type: integer, nullable: true}\n              \
         port: {x-kubernetes-int-or-string: true}\n              \
         free: {type: object, x-kubernetes-preserve-unknown-fields: true, properties: {a: {type: string}}}\n              \
         labels: {type: object, additionalProperties: {type: string}}\n          \
         status: {type: object}\n  - name: v0\n    served: false\n    schema: {openAPIV3Schema: {type: object}}\n",
    )
    .unwrap();
    let out_dir = dir.path().join("out");
    let out = Command::new(&validator.python)
        .arg(repo_root().join("tests/tools/crd_schema.py"))
        .args(["--out".as_ref(), out_dir.as_os_str()])
        .args(["--source", "a test"])
        .arg(&crd)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(
        text(&out.stdout),
        "widget-example-v1.json\n",
        "only served versions"
    );
    let schema: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(out_dir.join("widget-example-v1.json")).unwrap())
            .unwrap();
    let props = &schema["properties"];
    assert_eq!(schema["additionalProperties"], false);
    assert_eq!(
        props["apiVersion"]["enum"],
        serde_json::json!(["example.com/v1"])
    );
    assert_eq!(props["kind"]["enum"], serde_json::json!(["Widget"]));
    assert!(props.get("status").is_none(), "status is not ours to write");
    let spec = &props["spec"];
    assert_eq!(spec["additionalProperties"], false);
    assert!(spec.get("description").is_none());
    assert_eq!(
        spec["properties"]["size"]["type"],
        serde_json::json!(["integer", "null"])
    );
    assert_eq!(
        spec["properties"]["port"]["anyOf"],
        serde_json::json!([{"type": "integer"}, {"type": "string"}])
    );
    assert!(
        spec["properties"]["free"]
            .get("additionalProperties")
            .is_none()
    );
    assert_eq!(
        spec["properties"]["labels"]["additionalProperties"],
        serde_json::json!({"type": "string"})
    );
}

/// The committed kopiur schemas are what the manifest says and strict all the way down.
#[test]
fn derived_schemas_are_strict_and_named_in_the_manifest() {
    fn walk(node: &serde_json::Value, path: &str, loose: &mut Vec<String>) {
        match node {
            serde_json::Value::Object(map) => {
                if map.contains_key("properties") && !map.contains_key("additionalProperties") {
                    loose.push(path.to_string());
                }
                for (k, v) in map {
                    walk(v, &format!("{path}/{k}"), loose);
                }
            }
            serde_json::Value::Array(items) => {
                for (i, v) in items.iter().enumerate() {
                    walk(v, &format!("{path}/{i}"), loose);
                }
            }
            _ => {}
        }
    }
    let dir = repo_root().join("tests/data/crd-schemas");
    let manifest: serde_json::Map<String, serde_json::Value> =
        serde_json::from_str(&fs::read_to_string(dir.join("manifest.json")).unwrap()).unwrap();
    let mut kinds: Vec<&str> = manifest.keys().map(String::as_str).collect();
    kinds.sort();
    assert_eq!(kinds, ["Restore", "SnapshotPolicy", "SnapshotSchedule"]);
    for (kind, entry) in &manifest {
        let (api_version, file) = (entry[0].as_str().unwrap(), entry[1].as_str().unwrap());
        let schema: serde_json::Value =
            serde_json::from_str(&fs::read_to_string(dir.join(file)).unwrap()).unwrap();
        assert_eq!(
            schema["properties"]["kind"]["enum"],
            serde_json::json!([kind])
        );
        assert_eq!(
            schema["properties"]["apiVersion"]["enum"],
            serde_json::json!([api_version])
        );
        assert!(
            schema["$comment"].as_str().unwrap().contains("kopiur"),
            "{file} names its source"
        );
        let mut loose = Vec::new();
        walk(&schema, "", &mut loose);
        assert_eq!(
            loose,
            Vec::<String>::new(),
            "{file}: objects without additionalProperties"
        );
    }
}

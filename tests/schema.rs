//! Every object of every example's `expected.yaml` is valid: core kinds against the
//! Kubernetes OpenAPI schemas (kubernetes-validate, strict: unknown fields are errors),
//! `ExternalSecret` and Volsync objects against the CRD JSON Schemas in `../shared/schemas/`.
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

//! Every example's `expected.yaml` keeps the output invariants (`common::invariants`): prune
//! guards, no Secret data, no anchors, labels, and strict validity — core kinds against the
//! Kubernetes OpenAPI schemas (kubernetes-validate, strict: unknown fields are errors), custom
//! resources against their CRD schemas (../shared/schemas/, and tests/data/crd-schemas/:
//! kopiur's and Gateway API's HTTPRoute, derived from their CRDs by `tests/tools/crd_schema.py`,
//! itself tested here).
//!
//! The validator (`tests/tools/validate.py`) runs with the Python of the test venv
//! (`$APPSPEC_VENV`, else `.venv`). Under `APPSPEC_REQUIRE_TOOLS=1` (scripts/test.sh) a
//! missing venv or a missing `../shared/schemas` fails the tests. Without that switch a
//! missing venv skips the validator with a notice, and a missing `../shared/schemas` skips
//! only the custom resources it describes: the core Kubernetes checks run regardless.
//!
//! The checks are shown not to be vacuous: each invariant is broken on a real output and the
//! checker must name it.

mod common;

use std::fs;
use std::path::{Path, PathBuf};

use common::invariants::{
    self, BACKEND_PORTS, EXTERNAL_DNS_TARGET, JOB_PODS, LABELS, MONITOR_TARGETS, NO_SECRET_DATA,
    NO_YAML_ANCHORS, Output, PRUNE_GUARDS, RELOADER_USES_CONFIG, STRICT_VALID,
};
use common::{own_schemas, python, repo_root, shared_schemas, text};
use serde_json::{Value, json};

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

/// Each example's `expected.yaml` as an output, its resources as the pass-through inputs.
fn expected_outputs() -> Vec<Output> {
    expected_files()
        .iter()
        .map(|path| {
            let dir = path.parent().unwrap();
            let what = path
                .strip_prefix(repo_root())
                .unwrap()
                .display()
                .to_string();
            let text = fs::read_to_string(path).unwrap();
            Output::stream(what, &text, &common::kustomization_inputs(dir))
        })
        .collect()
}

#[test]
fn expected_outputs_keep_the_invariants() {
    let outputs = expected_outputs();
    assert!(
        outputs.len() >= 5,
        "found only {} examples/*/expected.yaml files (tests/kustomize_e2e.rs writes them with APPSPEC_BLESS=1)",
        outputs.len()
    );
    let Some(report) = invariants::assert_invariants(&outputs) else {
        return;
    };
    // The core kinds of every storage pattern and the custom resources are covered.
    let mut wanted = vec![
        "Deployment",
        "Service",
        "Ingress",
        "PersistentVolumeClaim",
        "PersistentVolume",
    ];
    if report.skipped == 0 {
        wanted.extend([
            "ExternalSecret",
            "ReplicationSource",
            "ReplicationDestination",
        ]);
    }
    wanted.extend([
        "SnapshotPolicy",
        "SnapshotSchedule",
        "Restore",
        "StatefulSet",
        "ServiceMonitor",
    ]);
    for kind in wanted {
        assert!(
            report.kinds.contains_key(kind),
            "no {kind} object was validated: {:?}",
            report.kinds
        );
    }
}

/// A real output with a PVC, an NFS PV and a Deployment, to break.
fn nas_output() -> (Output, Vec<Value>) {
    let path = repo_root().join("examples/nas-internal/expected.yaml");
    let text = fs::read_to_string(&path).unwrap();
    let out = Output::stream("examples/nas-internal/expected.yaml", &text, &[]);
    assert!(
        invariants::violations(std::slice::from_ref(&out)).is_empty(),
        "the unbroken output already violates an invariant"
    );
    let objects = out.objects.clone();
    (out, objects)
}

/// A real job's output (a CronJob beside its PVC), expanded through the library.
fn job_objects() -> Vec<Value> {
    let doc = json!({
        "apiVersion": "platform.hypyr.space/v1alpha1", "kind": "AppSpec",
        "metadata": {"name": "recyclarr", "namespace": "media"},
        "spec": {"image": "ghcr.io/recyclarr/recyclarr:7.4.1", "job": {"schedule": "@daily"},
            "storage": {"pattern": "longhorn-persistent", "size": 1}},
    });
    let read = appspec::model::spec::read(&doc);
    assert!(read.issues.is_empty(), "{:?}", read.issues);
    let site = appspec::site::Site::default();
    let (app, issues) = appspec::validate::app(&read.value.unwrap(), &site);
    let app = app.unwrap_or_else(|| panic!("refused: {issues:?}"));
    let objects: Vec<Value> = appspec::expand::expand(&app, &site.config)
        .iter()
        .map(|o| o.to_value())
        .collect();
    let kinds: Vec<&str> = objects
        .iter()
        .map(|o| o["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["CronJob", "PersistentVolumeClaim"]);
    objects
}

fn with_objects(what: &str, objects: Vec<Value>) -> Output {
    let text: String = objects
        .iter()
        .map(|o| format!("---\n{}", serde_saphyr::to_string(o).unwrap()))
        .collect();
    Output::stream(what, &text, &[])
}

fn find_mut<'a>(objects: &'a mut [Value], kind: &str) -> &'a mut Value {
    objects
        .iter_mut()
        .find(|o| o["kind"] == kind)
        .unwrap_or_else(|| panic!("no {kind}"))
}

fn invariants_named(out: &Output) -> Vec<&'static str> {
    let mut names: Vec<&'static str> = invariants::violations(std::slice::from_ref(out))
        .into_iter()
        .map(|v| v.invariant)
        .collect();
    names.dedup();
    names
}

/// Each invariant the Rust side checks, broken once on a real output: the checker names it.
#[test]
fn each_invariant_catches_its_violation() {
    let (_, objects) = nas_output();
    type Break = fn(&mut Vec<Value>);
    let cases: Vec<(&str, Break, &str)> = vec![
        (
            "PV without Flux's prune guard",
            |o| {
                find_mut(o, "PersistentVolume")["metadata"]["annotations"]
                    .as_object_mut()
                    .unwrap()
                    .remove("kustomize.toolkit.fluxcd.io/prune");
            },
            PRUNE_GUARDS,
        ),
        (
            "PVC without Argo CD's prune guard",
            |o| {
                find_mut(o, "PersistentVolumeClaim")["metadata"]["annotations"]["argocd.argoproj.io/sync-options"] =
                    json!("Delete=false");
            },
            PRUNE_GUARDS,
        ),
        (
            "a generated Secret with data",
            |o| {
                o.push(json!({"apiVersion": "v1", "kind": "Secret",
                    "metadata": {"name": "leak", "namespace": "media", "labels": o[0]["metadata"]["labels"].clone()},
                    "stringData": {"password": "hunter2"}}));
            },
            NO_SECRET_DATA,
        ),
        (
            "an object without managed-by",
            |o| {
                find_mut(o, "Service")["metadata"]["labels"]
                    .as_object_mut()
                    .unwrap()
                    .remove("app.kubernetes.io/managed-by");
            },
            LABELS,
        ),
        (
            "a pod template without the Backstage label",
            |o| {
                find_mut(o, "Deployment")["spec"]["template"]["metadata"]["labels"]
                    .as_object_mut()
                    .unwrap()
                    .remove("backstage.io/kubernetes-id");
            },
            LABELS,
        ),
        (
            "an Ingress backend on a port number the Service lacks",
            |o| {
                find_mut(o, "Ingress")["spec"]["rules"][0]["http"]["paths"][0]["backend"]["service"]
                    ["port"] = json!({"number": 8096});
            },
            BACKEND_PORTS,
        ),
        (
            "an internal Ingress with an external-dns target",
            |o| {
                find_mut(o, "Ingress")["metadata"]["annotations"] =
                    json!({"external-dns.alpha.kubernetes.io/target": "tunnel.hypyr.space"});
            },
            EXTERNAL_DNS_TARGET,
        ),
        (
            "an Ingress backend on a port name the Service lacks",
            |o| {
                find_mut(o, "Ingress")["spec"]["rules"][0]["http"]["paths"][0]["backend"]["service"]
                    ["port"] = json!({"name": "web"});
            },
            BACKEND_PORTS,
        ),
    ];
    for (what, break_it, invariant) in cases {
        let mut broken = objects.clone();
        break_it(&mut broken);
        let out = with_objects(what, broken);
        assert_eq!(invariants_named(&out), vec![invariant], "{what}");
    }
    // The same port by name passes: both forms are understood.
    let mut by_name = objects.clone();
    find_mut(&mut by_name, "Ingress")["spec"]["rules"][0]["http"]["paths"][0]["backend"]["service"]
        ["port"] = json!({"name": "http"});
    assert!(invariants_named(&with_objects("by name", by_name)).is_empty());

    // An HTTPRoute backendRef, on the example that routes through a Gateway.
    let text =
        fs::read_to_string(repo_root().join("examples/gateway-listener/expected.yaml")).unwrap();
    let mut routed = Output::stream("gateway-listener", &text, &[]).objects;
    assert!(invariants_named(&with_objects("unbroken route", routed.clone())).is_empty());
    let mut targeted = routed.clone();
    find_mut(&mut routed, "HTTPRoute")["spec"]["rules"][0]["backendRefs"][0]["port"] = json!(9999);
    assert_eq!(
        invariants_named(&with_objects(
            "a backendRef on a port the Service lacks",
            routed
        )),
        vec![BACKEND_PORTS]
    );
    // external-dns reads the target from the Gateway: a route carrying one is caught.
    let route = targeted
        .iter_mut()
        .find(|o| o["kind"] == "HTTPRoute" && o["metadata"]["annotations"].is_object())
        .expect("an external app's HTTPRoute");
    route["metadata"]["annotations"]["external-dns.alpha.kubernetes.io/target"] =
        json!("external.hypyr.space");
    assert_eq!(
        invariants_named(&with_objects("a route with a target", targeted)),
        vec![EXTERNAL_DNS_TARGET]
    );

    // An external Ingress carries its platform's target, and only that one.
    let dir = repo_root().join("examples/split-horizon");
    let platform: Value =
        serde_saphyr::from_str(&fs::read_to_string(dir.join("platform.yaml")).unwrap()).unwrap();
    let text = fs::read_to_string(dir.join("expected.yaml")).unwrap();
    let known = |what: &str, objects: Vec<Value>| {
        let out = with_objects(what, objects).with_platform(Some(&platform), &[]);
        invariants_named(&out)
    };
    let objects = Output::stream("split-horizon", &text, &[]).objects;
    assert!(known("unbroken", objects.clone()).is_empty());
    for (what, target) in [
        ("an external Ingress without the target", None),
        (
            "an external Ingress with another target",
            Some("other.bjw-s.dev"),
        ),
    ] {
        let mut broken = objects.clone();
        let ingress = broken
            .iter_mut()
            .find(|o| {
                o["kind"] == "Ingress"
                    && o["metadata"]["annotations"]["external-dns.alpha.kubernetes.io/hostname"]
                        .is_string()
            })
            .expect("an external Ingress");
        let annotations = ingress["metadata"]["annotations"].as_object_mut().unwrap();
        match target {
            Some(t) => {
                annotations.insert("external-dns.alpha.kubernetes.io/target".into(), json!(t))
            }
            None => annotations.remove("external-dns.alpha.kubernetes.io/target"),
        };
        assert_eq!(known(what, broken), vec![EXTERNAL_DNS_TARGET], "{what}");
    }

    // The ServiceMonitor and the Reloader annotation, on the example that has both.
    let text =
        fs::read_to_string(repo_root().join("examples/pod-and-metrics/expected.yaml")).unwrap();
    let objects = Output::stream("pod-and-metrics", &text, &[]).objects;
    assert!(invariants_named(&with_objects("unbroken", objects.clone())).is_empty());
    let cases: Vec<(&str, Break, &str)> = vec![
        (
            "a ServiceMonitor scraping a port the Service lacks",
            |o| find_mut(o, "ServiceMonitor")["spec"]["endpoints"][0]["port"] = json!("metrics"),
            MONITOR_TARGETS,
        ),
        (
            "a ServiceMonitor selecting no Service",
            |o| {
                find_mut(o, "ServiceMonitor")["spec"]["selector"]["matchLabels"]["app.kubernetes.io/name"] =
                    json!("other")
            },
            MONITOR_TARGETS,
        ),
        (
            "a ServiceMonitor selecting two Services",
            |o| {
                let mut lb = o
                    .iter()
                    .find(|s| s["kind"] == "Service" && s["metadata"]["name"] == "homepage")
                    .unwrap()
                    .clone();
                lb["metadata"]["name"] = json!("homepage-lb");
                o.push(lb);
                find_mut(o, "ServiceMonitor")["spec"]["endpoints"][0]
                    .as_object_mut()
                    .unwrap()
                    .remove("relabelings");
            },
            MONITOR_TARGETS,
        ),
        (
            "Reloader on a pod without Secrets or ConfigMaps",
            |o| {
                find_mut(o, "Deployment")["metadata"]["annotations"] =
                    json!({"reloader.stakater.com/auto": "true"})
            },
            RELOADER_USES_CONFIG,
        ),
    ];
    for (what, break_it, invariant) in cases {
        let mut broken = objects.clone();
        break_it(&mut broken);
        let out = with_objects(what, broken);
        assert_eq!(invariants_named(&out), vec![invariant], "{what}");
    }

    // A job's CronJob: its name, its pod's restartPolicy, the labels of its Job template.
    let objects = job_objects();
    assert!(invariants_named(&with_objects("unbroken job", objects.clone())).is_empty());
    let cases: Vec<(&str, Break, &str)> = vec![
        (
            "a CronJob name of 53 characters",
            |o| find_mut(o, "CronJob")["metadata"]["name"] = json!("c".repeat(53)),
            JOB_PODS,
        ),
        (
            "a Job pod that restarts Always",
            |o| {
                find_mut(o, "CronJob")["spec"]["jobTemplate"]["spec"]["template"]["spec"]["restartPolicy"] =
                    json!("Always")
            },
            JOB_PODS,
        ),
        (
            "a Job template without the Backstage label",
            |o| {
                find_mut(o, "CronJob")["spec"]["jobTemplate"]["metadata"]["labels"]
                    .as_object_mut()
                    .unwrap()
                    .remove("backstage.io/kubernetes-id");
            },
            LABELS,
        ),
        (
            "a Job's pod template without managed-by",
            |o| {
                find_mut(o, "CronJob")["spec"]["jobTemplate"]["spec"]["template"]["metadata"]
                    ["labels"]
                    .as_object_mut()
                    .unwrap()
                    .remove("app.kubernetes.io/managed-by");
            },
            LABELS,
        ),
    ];
    for (what, break_it, invariant) in cases {
        let mut broken = objects.clone();
        break_it(&mut broken);
        let out = with_objects(what, broken);
        assert_eq!(invariants_named(&out), vec![invariant], "{what}");
    }

    // Anchors are a property of the text.
    let (out, _) = nas_output();
    let anchored = Output {
        text: format!("{}x: &a [1]\ny: *a\n", out.text),
        ..out
    };
    assert_eq!(invariants_named(&anchored), vec![NO_YAML_ANCHORS]);

    // A pass-through input is not held to them.
    let passthrough = json!({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "mine"}, "data": {"k": "dg=="}});
    let mut with_secret = objects.clone();
    with_secret.push(passthrough.clone());
    let text: String = with_secret
        .iter()
        .map(|o| format!("---\n{}", serde_saphyr::to_string(o).unwrap()))
        .collect();
    let out = Output::stream("pass-through Secret", &text, &[passthrough]);
    assert!(invariants_named(&out).is_empty());
}

/// `strict-valid`, broken on a real output: a core object with an unknown field, a custom
/// resource against its schema, an HTTPRoute against the CRD's path rules, and a kind
/// without any schema.
#[test]
fn strict_validity_catches_its_violations() {
    let (_, objects) = nas_output();
    let mut deployment_bogus = objects.clone();
    find_mut(&mut deployment_bogus, "Deployment")["spec"]["bogusField"] = json!(1);
    let labels = objects[0]["metadata"]["labels"].clone();
    let route = |path: &str| {
        json!({"apiVersion": "gateway.networking.k8s.io/v1", "kind": "HTTPRoute",
            "metadata": {"name": "media", "namespace": "media", "labels": labels},
            "spec": {"parentRefs": [{"name": "gw", "namespace": "network"}], "hostnames": ["media.in.hypyr.space"],
                "rules": [{"matches": [{"path": {"type": "PathPrefix", "value": path}}],
                    "backendRefs": [{"name": "media", "port": 80}]}]}})
    };
    let mut route_unknown = route("/");
    route_unknown["spec"]["parentRefs"][0]["bogus"] = json!(true);
    let monitor = json!({"apiVersion": "monitoring.example.com/v1", "kind": "Widget",
        "metadata": {"name": "media", "namespace": "media", "labels": labels}, "spec": {}});
    let outputs = vec![
        with_objects("deployment-unknown-field", deployment_bogus),
        with_objects("route-ok", vec![route("/media")]),
        with_objects("route-unknown-field", vec![route_unknown]),
        with_objects("route-double-slash", vec![route("/a//b")]),
        with_objects("kind-without-schema", vec![monitor]),
    ];
    let Some((found, report)) = invariants::strict_violations(&outputs) else {
        return;
    };
    let wanted = [
        (
            "deployment-unknown-field",
            "Deployment/media/jellyfin",
            "spec: Additional properties are not allowed ('bogusField' was unexpected)",
        ),
        (
            "route-unknown-field",
            "HTTPRoute/media/media",
            "CRD schema: spec.parentRefs.0: Additional properties are not allowed ('bogus' was unexpected)",
        ),
        (
            "route-double-slash",
            "HTTPRoute/media/media",
            "CRD rule: spec.rules.0.matches.0.path: must not contain '//'",
        ),
        (
            "kind-without-schema",
            "Widget/media/media",
            "no CRD schema names Widget (monitoring.example.com/v1) either",
        ),
    ];
    // Without ../shared/schemas (and without APPSPEC_REQUIRE_TOOLS=1) a kind without a schema
    // is skipped, not failed: that case is asserted only where the schemas are all there.
    let lax = report.skipped > 0;
    for (what, object, message) in wanted {
        if lax && what == "kind-without-schema" {
            continue;
        }
        assert!(
            found.iter().any(|v| v.invariant == STRICT_VALID
                && v.what == what
                && v.object == object
                && v.message.contains(message)),
            "{what}: no violation {object}: {message:?} in:\n{}",
            found
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join("\n")
        );
    }
    assert!(
        !found
            .iter()
            .any(|v| v.what == "route-ok" || v.object.starts_with("Service/")),
        "valid objects were rejected: {found:?}"
    );
    assert_eq!(report.kinds.get("HTTPRoute"), Some(&1), "{report:?}");
}

/// The validator script itself: each kind of mistake, including the shared CRD schemas'
/// kinds and apiVersions, is caught, and a correct object passes.
#[test]
fn validator_rejects_invalid_objects() {
    let Some(python) = python() else { return };
    let Some(shared) = shared_schemas() else {
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
            "externalsecret-label-not-a-string.yaml",
            "apiVersion: external-secrets.io/v1\nkind: ExternalSecret\nmetadata: {name: creds, namespace: demo, labels: {tier: 7}}\n\
             spec:\n  secretStoreRef: {kind: ClusterSecretStore, name: default}\n"
                .to_string(),
            "ExternalSecret/demo/creds: ObjectMeta: metadata.labels.tier: 7 is not of type 'string'",
        ),
        (
            "httproute-relative-path.yaml",
            "apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata: {name: r, namespace: demo}\n\
             spec:\n  rules:\n  - matches:\n    - path: {type: Exact, value: docs}\n"
                .to_string(),
            "HTTPRoute/demo/r: CRD rule: spec.rules.0.matches.0.path: value must be an absolute path and start with '/'",
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
    let run = |files: &[PathBuf], extra: &[&str]| {
        std::process::Command::new(&python)
            .arg(repo_root().join("tests/tools/validate.py"))
            .arg("--schemas")
            .arg(own_schemas())
            .arg("--schemas")
            .arg(&shared)
            .args(extra)
            .args(files)
            .output()
            .unwrap_or_else(|e| panic!("cannot run {}: {e}", python.display()))
    };

    let out = run(&files, &[]);
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
            && stdout.contains(&format!("1 ok, {} failed, 0 skipped", cases.len())),
        "{stdout}"
    );

    // --skip-missing-crds (a machine without ../shared) skips a non-core kind, never a core one.
    let out = run(&files, &["--skip-missing-crds"]);
    let stdout = text(&out.stdout);
    assert!(
        stdout.contains(&format!("1 ok, {} failed, 1 skipped", cases.len() - 1))
            && stdout.lines().any(|l| l.starts_with("skip ")
                && l.contains("Widget/w: no CRD schema for Widget (example.com/v1)")),
        "{stdout}"
    );

    // The correct Deployment alone passes.
    let out = run(&[good], &[]);
    assert!(
        out.status.success(),
        "a valid Deployment was rejected:\n{}",
        text(&out.stdout)
    );
}

/// The derivation of the project's CRD schemas: strict where the CRD lists properties, open
/// where it preserves unknown fields, null where it is nullable, status dropped, identity
/// pinned.
#[test]
fn crd_schema_derivation_is_strict() {
    let Some(python) = python() else { return };
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
    let out = std::process::Command::new(&python)
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
    let schema: Value =
        serde_json::from_str(&fs::read_to_string(out_dir.join("widget-example-v1.json")).unwrap())
            .unwrap();
    let props = &schema["properties"];
    assert_eq!(schema["additionalProperties"], false);
    assert_eq!(props["apiVersion"]["enum"], json!(["example.com/v1"]));
    assert_eq!(props["kind"]["enum"], json!(["Widget"]));
    assert!(props.get("status").is_none(), "status is not ours to write");
    let spec = &props["spec"];
    assert_eq!(spec["additionalProperties"], false);
    assert!(spec.get("description").is_none());
    assert_eq!(
        spec["properties"]["size"]["type"],
        json!(["integer", "null"])
    );
    assert_eq!(
        spec["properties"]["port"]["anyOf"],
        json!([{"type": "integer"}, {"type": "string"}])
    );
    assert!(
        spec["properties"]["free"]
            .get("additionalProperties")
            .is_none()
    );
    assert_eq!(
        spec["properties"]["labels"]["additionalProperties"],
        json!({"type": "string"})
    );
}

/// The committed derived schemas: each declares the apiVersion and kind validate.py indexes
/// it by, names its source, and is strict all the way down.
#[test]
fn derived_schemas_are_strict_indexed_and_sourced() {
    fn walk(node: &Value, path: &str, loose: &mut Vec<String>) {
        match node {
            Value::Object(map) => {
                if map.contains_key("properties") && !map.contains_key("additionalProperties") {
                    loose.push(path.to_string());
                }
                for (k, v) in map {
                    walk(v, &format!("{path}/{k}"), loose);
                }
            }
            Value::Array(items) => {
                for (i, v) in items.iter().enumerate() {
                    walk(v, &format!("{path}/{i}"), loose);
                }
            }
            _ => {}
        }
    }
    let mut kinds = Vec::new();
    let mut files: Vec<PathBuf> = fs::read_dir(own_schemas())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    for path in files {
        let file = path.file_name().unwrap().to_string_lossy().to_string();
        let schema: Value = serde_json::from_str(&fs::read_to_string(&path).unwrap())
            .unwrap_or_else(|e| panic!("{file}: {e}"));
        let enum_of = |field: &str| {
            schema["properties"][field]["enum"]
                .as_array()
                .filter(|a| a.len() == 1)
                .and_then(|a| a[0].as_str())
                .unwrap_or_else(|| panic!("{file}: no single {field} enum"))
                .to_string()
        };
        let (api_version, kind) = (enum_of("apiVersion"), enum_of("kind"));
        let version = api_version.rsplit('/').next().unwrap();
        let group = api_version.split('.').next().unwrap();
        assert_eq!(
            file,
            format!("{}-{group}-{version}.json", kind.to_lowercase()),
            "the file is named as crd_schema.py names it"
        );
        assert!(
            schema["$comment"]
                .as_str()
                .is_some_and(|c| c.starts_with("Derived by tests/tools/crd_schema.py from ")),
            "{file} names its source"
        );
        let mut loose = Vec::new();
        walk(&schema, "", &mut loose);
        assert_eq!(
            loose,
            Vec::<String>::new(),
            "{file}: objects without additionalProperties"
        );
        kinds.push(kind);
    }
    assert_eq!(
        kinds,
        [
            "HTTPRoute",
            "Restore",
            "ServiceMonitor",
            "SnapshotPolicy",
            "SnapshotSchedule"
        ]
    );
}

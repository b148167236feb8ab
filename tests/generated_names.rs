//! Generated names stay valid for their consumers (SPEC.md 9.1), whatever the app name (a
//! DNS-1035 label of up to 63 characters), the namespace and the user names that go into
//! derived names (a sidecar's name, a mount path).
//!
//! A spec using every family that derives a name (the LoadBalancer Service, the ExternalSecrets
//! of the restic repository, of `secretEnv.fromStore` and of a sidecar's, S3 credentials, the
//! inline-files ConfigMap, NAS mount PV and PVC, a `volume` mount's PVC, TLS, the backup movers
//! of both backends, the ServiceAccount, ClusterRole and ClusterRoleBinding, the HTTPRoute
//! `<name>-<port>` of an `ingress.routes` entry through a Gateway; as a job, the CronJob in
//! place of the served families) is validated and expanded
//! through the library; then each generated name must fit the budget
//! of its kind and consumer (written here from the consumers' rules, not taken from the
//! product), be a DNS-1123 subdomain (a label where the kind wants one), and no two objects
//! of one kind and namespace may share a name.

use std::collections::BTreeSet;

use appspec::expand;
use appspec::model::platform;
use appspec::model::spec;
use appspec::site::Site;
use appspec::validate;
use proptest::prelude::*;
use serde_json::{Value, json};

/// What a consumer accepts for a name of this kind: (max length, must be a DNS label).
fn budget(kind: &str) -> (usize, bool) {
    match kind {
        // A Service name is a DNS-1035 label.
        "Service" => (63, true),
        // External Secrets copies the name into a label value of the Secret it creates.
        "ExternalSecret" => (63, true),
        // Volsync names the mover Job `volsync-src-<name>` / `volsync-dst-<name>`, a Job
        // name and label value of 63.
        "ReplicationSource" | "ReplicationDestination" => (63 - "volsync-src-".len(), true),
        // kopiur names a scheduled Snapshot (and its Job) `<schedule>-<YYYYmmddHHMMSS>`.
        "SnapshotSchedule" | "SnapshotPolicy" => (63 - "-20260101020000".len(), true),
        // kopiur names the Restore's Job after the Restore.
        "Restore" => (63, true),
        // The workload's pods carry the name in labels; the app name is a label already.
        "Deployment" | "StatefulSet" | "Ingress" | "HTTPRoute" | "ServiceMonitor"
        | "ServiceAccount" => (63, true),
        // The Job controller names each Job `<cronjob>-<11 characters>`, a label (63).
        "CronJob" => (52, true),
        // RBAC names: ours stay labels so tools that label by them keep working.
        "ClusterRole" | "ClusterRoleBinding" | "Role" | "RoleBinding" => (63, true),
        // Object names only: a DNS-1123 subdomain.
        "ConfigMap" | "PersistentVolumeClaim" | "PersistentVolume" => (253, false),
        other => panic!("no budget written for kind {other}: add its consumer's rule here"),
    }
}

/// Kubernetes' DNS-1123 label: 1..63 of `[a-z0-9-]`, alphanumeric at both ends.
fn is_label(s: &str) -> bool {
    s.len() <= 63 && is_part(s)
}

fn is_part(s: &str) -> bool {
    !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !s.starts_with('-')
        && !s.ends_with('-')
}

/// Kubernetes' DNS-1123 subdomain: at most 253, dot-separated parts of `[a-z0-9-]`
/// (Kubernetes does not cap a part at 63).
fn is_subdomain(s: &str) -> bool {
    s.len() <= 253 && s.split('.').all(is_part)
}

fn site(backend: &str, gateway: bool) -> Site {
    let mut doc = json!({
        "apiVersion": "platform.hypyr.space/v1alpha1", "kind": "PlatformConfig",
        "metadata": {"name": "site"},
        "spec": {
            "ingress": {"tls": {"clusterIssuer": "letsencrypt"}},
            "loadBalancer": {"pools": ["192.168.42.0/24"]},
            "secrets": {"secretStore": {"kind": "ClusterSecretStore", "name": "vault"}},
            "backup": {"backend": backend, "restoreOnCreate": true,
                "kopiur": {"repository": {"name": "main"}, "volumeSnapshotClassName": "longhorn"}},
        }
    });
    if gateway {
        doc["spec"]["ingress"]["gateway"] =
            json!({"internal": {"name": "envoy-internal", "namespace": "network"}});
    }
    let read = platform::read(&doc);
    assert!(read.issues.is_empty(), "{:?}", read.issues);
    let (site, issues) = Site::new(read.value.unwrap());
    assert!(issues.is_empty(), "{issues:?}");
    site
}

/// (kind, namespace, name, and names that objects hand to consumers: TLS Secret names)
fn generated(
    name: &str,
    namespace: &str,
    sidecar: &str,
    path: &str,
    backend: &str,
    gateway: bool,
    job: bool,
) -> Vec<Value> {
    let mut doc = json!({
        "apiVersion": "platform.hypyr.space/v1alpha1", "kind": "AppSpec",
        "metadata": {"name": name, "namespace": namespace},
        "spec": {
            "image": "ghcr.io/example/app:1.0.0",
            "ports": {"mqtt": 1883},
            "service": {"loadBalancer": {}},
            "secretEnv": {"fromStore": "app"},
            "sidecars": [{"name": sidecar, "image": "ghcr.io/example/side:1.0.0",
                "secretEnv": {"fromStore": "side"}}],
            "files": {"/config/app.yaml": {"content": "a: 1\n"}},
            "mounts": [{"path": path, "nas": {"endpoint": "nfs://nas.internal:2049",
                "subpath": "/mnt/apps/media"}},
                {"path": "/var/cache/app-volume", "volume": {"name": "model-cache", "size": "1Gi"}}],
            "storage": {"pattern": "longhorn-persistent", "size": 5},
            "backup": {"strategy": "snapshots"},
            "metrics": {"port": "http"},
            "serviceAccount": {"create": true, "token": true, "read": ["services", "ingresses.networking.k8s.io"]},
            "ingress": {"routes": [{"host": "broker-ui.in.hypyr.space", "port": "mqtt"}]},
        }
    });
    if job {
        // A job: a CronJob in place of the workload, none of what serves traffic.
        let spec = doc["spec"].as_object_mut().unwrap();
        for field in ["ports", "service", "metrics", "ingress"] {
            spec.remove(field);
        }
        spec.insert("job".into(), json!({"schedule": "@daily"}));
    }
    let read = spec::read(&doc);
    assert!(read.issues.is_empty(), "{name}: {:?}", read.issues);
    let site = site(backend, gateway);
    let (app, issues) = validate::app(&read.value.unwrap(), &site);
    let app = app.unwrap_or_else(|| panic!("{name}/{namespace}: refused: {issues:?}"));
    expand::expand(&app, &site.config)
        .iter()
        .map(|o| o.to_value())
        .collect()
}

fn check(objects: &[Value]) -> Result<(), TestCaseError> {
    let mut seen = BTreeSet::new();
    for o in objects {
        let kind = o["kind"].as_str().unwrap().to_string();
        let name = o["metadata"]["name"].as_str().unwrap().to_string();
        let ns = o["metadata"]["namespace"]
            .as_str()
            .unwrap_or("")
            .to_string();
        let (max, label) = budget(&kind);
        prop_assert!(name.len() <= max, "{kind} {name}: {} > {max}", name.len());
        prop_assert!(is_subdomain(&name), "{kind} {name} is not a DNS subdomain");
        prop_assert!(
            !label || is_label(&name),
            "{kind} {name} is not a DNS label"
        );
        prop_assert!(
            seen.insert((kind.clone(), ns, name.clone())),
            "{kind} {name} twice"
        );
        // cert-manager names the Certificate after the TLS Secret and labels by it.
        for tls in o["spec"]["tls"].as_array().into_iter().flatten() {
            let secret = tls["secretName"].as_str().unwrap();
            prop_assert!(is_label(secret), "TLS Secret {secret} is not a label");
        }
    }
    Ok(())
}

proptest! {
    // `PROPTEST_CASES=5000 cargo test --test generated_names` for a longer hunt.
    #![proptest_config(ProptestConfig {
        cases: std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(64),
        ..ProptestConfig::default()
    })]

    #[test]
    fn names_fit_their_consumers(
        name in "[a-z]([-a-z0-9]{0,61}[a-z0-9])?",
        namespace in "n[-a-z0-9]{0,61}[a-z0-9]",
        sidecar in "[a-z]([-a-z0-9]{0,61}[a-z0-9])?",
        path in "/[a-z][a-z0-9]{0,40}(/[a-z0-9]{1,40}){0,2}",
        kopiur in any::<bool>(),
        gateway in any::<bool>(),
        job in any::<bool>(),
    ) {
        // The app's container is named after the app: a sidecar may not take that name.
        // The route's host is broker-ui.<domain>: the app's own host may not be the same.
        prop_assume!(sidecar != name && name != "broker-ui" && !namespace.starts_with("kube-"));
        let backend = if kopiur { "kopiur" } else { "volsync" };
        let objects = generated(&name, &namespace, &sidecar, &path, backend, gateway, job);
        check(&objects)?;
    }
}

/// A job of the longest name: its CronJob is cut to 52 (the Job controller adds 11), the
/// rest as for a served app.
#[test]
fn sixty_three_character_job() {
    let name = format!("a{}", "b".repeat(62));
    let ns = format!("n{}", "s".repeat(62));
    let sidecar = format!("s{}", "c".repeat(62));
    let objects = generated(
        &name,
        &ns,
        &sidecar,
        "/media/library",
        "volsync",
        false,
        true,
    );
    check(&objects).unwrap();
    let cron: Vec<&str> = objects
        .iter()
        .filter(|o| o["kind"] == "CronJob")
        .map(|o| o["metadata"]["name"].as_str().unwrap())
        .collect();
    assert_eq!(cron.len(), 1);
    assert_eq!(cron[0].len(), 52, "{cron:?}");
    assert!(
        !objects
            .iter()
            .any(|o| o["kind"] == "Service" || o["kind"] == "Deployment")
    );
}

/// The longest names, every family: the budgets hold at the edge, and the names that were
/// too long before (issue 21) are now shortened.
#[test]
fn sixty_three_character_names() {
    let name = format!("a{}", "b".repeat(62));
    let ns = format!("n{}", "s".repeat(62));
    let sidecar = format!("s{}", "c".repeat(62));
    for (backend, gateway) in [("volsync", false), ("kopiur", true)] {
        let objects = generated(
            &name,
            &ns,
            &sidecar,
            "/media/library",
            backend,
            gateway,
            false,
        );
        check(&objects).unwrap();
        let names: Vec<&str> = objects
            .iter()
            .map(|o| o["metadata"]["name"].as_str().unwrap())
            .collect();
        assert!(names.iter().any(|n| n.ends_with("-lb")), "{names:?}");
        let kinds: Vec<&str> = objects
            .iter()
            .map(|o| o["kind"].as_str().unwrap())
            .collect();
        assert!(kinds.contains(&"ClusterRole"), "{kinds:?}");
        if gateway {
            // The main route and the route to port mqtt, shortened to 63.
            assert_eq!(kinds.iter().filter(|k| **k == "HTTPRoute").count(), 2);
            assert!(names.iter().any(|n| n.ends_with("-mqtt")), "{names:?}");
        }
        if backend == "volsync" {
            assert!(
                names.iter().any(|n| n.ends_with("-volsync-restic")),
                "{names:?}"
            );
        }
    }
}

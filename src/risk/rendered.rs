//! What a change of one rendered Kubernetes object means: build noise left out, image-only changes, pod privileges, fields Kubernetes cannot change in place.
//!
//! Pure functions on generic values, used by `risk` to judge every object of both sides.

use std::collections::BTreeSet;

use serde_json::{Map, Value};

/// Annotation prefixes kustomize and the KRM tooling add while building (origins, ids,
/// indexes, paths): left out, so moving or reformatting files changes nothing.
const BUILD_ANNOTATIONS: [&str; 5] = [
    "config.kubernetes.io/",
    "internal.config.kubernetes.io/",
    "kustomize.config.k8s.io/",
    "config.k8s.io/",
    "alpha.config.kubernetes.io/",
];

/// The object without what the build adds: the annotations above and kustomize's
/// `app.kubernetes.io/managed-by: kustomize-vX` label (its value names the kustomize
/// version, not the change).
pub fn strip_build(mut v: Value) -> Value {
    if let Some(meta) = v.get_mut("metadata").and_then(Value::as_object_mut) {
        prune(meta, "annotations", |k, _| {
            BUILD_ANNOTATIONS.iter().any(|p| k.starts_with(p))
        });
        prune(meta, "labels", |k, v| {
            k == "app.kubernetes.io/managed-by"
                && v.as_str().is_some_and(|s| s.starts_with("kustomize-"))
        });
    }
    v
}

fn prune(meta: &mut Map<String, Value>, field: &str, drop: impl Fn(&str, &Value) -> bool) {
    let Some(Value::Object(m)) = meta.get_mut(field) else {
        return;
    };
    m.retain(|k, v| !drop(k, v));
    if m.is_empty() {
        meta.remove(field);
    }
}

/// An image reference without its tag and digest (`ghcr.io/a/b:1.0@sha256:...` ->
/// `ghcr.io/a/b`); a registry port stays.
pub fn image_repository(image: &str) -> &str {
    let image = image.split('@').next().unwrap_or(image);
    let last = image.rfind('/').map_or(0, |i| i + 1);
    match image[last..].find(':') {
        Some(i) => &image[..last + i],
        None => image,
    }
}

/// The value with every container image reduced to its repository.
pub fn without_tags(v: &Value) -> Value {
    fn walk(v: &mut Value, in_containers: bool) {
        match v {
            Value::Object(m) => {
                for (k, child) in m.iter_mut() {
                    if in_containers && k == "image" {
                        if let Value::String(s) = child {
                            *s = image_repository(s).to_string();
                        }
                        continue;
                    }
                    let list = matches!(
                        k.as_str(),
                        "containers" | "initContainers" | "ephemeralContainers"
                    );
                    walk(child, list);
                }
            }
            Value::Array(items) => items.iter_mut().for_each(|i| walk(i, in_containers)),
            _ => {}
        }
    }
    let mut v = v.clone();
    walk(&mut v, false);
    v
}

/// Whether two different values differ only in container image tags or digests (the same
/// repositories): what Renovate proposes.
pub fn only_image_tags(a: &Value, b: &Value) -> bool {
    a != b && without_tags(a) == without_tags(b)
}

/// The container images of an object (`container: image`), for messages.
pub fn images(v: &Value) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(pod) = pod_spec(v) {
        for (_, c) in containers(pod) {
            if let Some(image) = c.get("image").and_then(Value::as_str) {
                out.push(image.to_string());
            }
        }
    }
    out
}

/// The pod spec of a workload or Pod, if the object has one.
pub fn pod_spec(v: &Value) -> Option<&Value> {
    match v.get("kind").and_then(Value::as_str) {
        Some("Pod") => v.get("spec"),
        Some("CronJob") => v.pointer("/spec/jobTemplate/spec/template/spec"),
        _ => v.pointer("/spec/template/spec"),
    }
}

/// The pod template's metadata, if the object has one.
fn pod_metadata(v: &Value) -> Option<&Value> {
    match v.get("kind").and_then(Value::as_str) {
        Some("Pod") => v.get("metadata"),
        Some("CronJob") => v.pointer("/spec/jobTemplate/spec/template/metadata"),
        _ => v.pointer("/spec/template/metadata"),
    }
}

fn containers(pod: &Value) -> impl Iterator<Item = (String, &Value)> {
    ["initContainers", "containers", "ephemeralContainers"]
        .into_iter()
        .flat_map(move |list| {
            pod.get(list)
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
        })
        .map(|c| {
            let name = c.get("name").and_then(Value::as_str).unwrap_or("?");
            (name.to_string(), c)
        })
}

fn is_true(v: Option<&Value>) -> bool {
    v.and_then(Value::as_bool) == Some(true)
}

fn is_zero(v: Option<&Value>) -> bool {
    v.and_then(Value::as_i64) == Some(0)
}

fn unconfined(v: Option<&Value>) -> bool {
    v.and_then(|p| p.get("type"))
        .and_then(Value::as_str)
        .is_some_and(|t| t.eq_ignore_ascii_case("unconfined"))
}

/// What a pod of the object may do beyond an ordinary restricted pod, one phrase each:
/// privileged containers, privilege escalation, host namespaces, ports and paths, added
/// capabilities, a mounted API token, a ServiceAccount, root ids, unconfined profiles and
/// every volume. Empty for an object without a pod.
pub fn privileges(v: &Value) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let Some(pod) = pod_spec(v) else {
        return out;
    };
    for field in ["hostNetwork", "hostPID", "hostIPC"] {
        if is_true(pod.get(field)) {
            out.insert(format!("{field}: true"));
        }
    }
    if pod.get("hostUsers").and_then(Value::as_bool) == Some(true) {
        out.insert("hostUsers: true".into());
    }
    if pod
        .get("automountServiceAccountToken")
        .and_then(Value::as_bool)
        != Some(false)
    {
        out.insert("the ServiceAccount's API token is mounted".into());
    }
    if let Some(sa) = pod.get("serviceAccountName").and_then(Value::as_str) {
        out.insert(format!("runs as ServiceAccount {sa}"));
    }
    let ctx = pod.get("securityContext");
    root_ids(ctx, "the pod", &mut out);
    if ctx
        .and_then(|c| c.get("fsGroup"))
        .is_some_and(|g| is_zero(Some(g)))
    {
        out.insert("the pod's fsGroup is 0".into());
    }
    if ctx
        .and_then(|c| c.get("supplementalGroups"))
        .and_then(Value::as_array)
        .is_some_and(|g| g.iter().any(|g| is_zero(Some(g))))
    {
        out.insert("the pod joins group 0".into());
    }
    if unconfined(ctx.and_then(|c| c.get("seccompProfile"))) {
        out.insert("the pod's seccomp profile is Unconfined".into());
    }
    if unconfined(ctx.and_then(|c| c.get("appArmorProfile"))) {
        out.insert("the pod's AppArmor profile is Unconfined".into());
    }
    for (name, c) in containers(pod) {
        let ctx = c.get("securityContext");
        let what = format!("container {name}");
        if is_true(ctx.and_then(|c| c.get("privileged"))) {
            out.insert(format!("{what} is privileged"));
        }
        if is_true(ctx.and_then(|c| c.get("allowPrivilegeEscalation"))) {
            out.insert(format!("{what} may escalate privileges"));
        }
        for cap in ctx
            .and_then(|c| c.pointer("/capabilities/add"))
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
        {
            out.insert(format!("{what} adds the capability {cap}"));
        }
        root_ids(ctx, &what, &mut out);
        if unconfined(ctx.and_then(|c| c.get("seccompProfile"))) {
            out.insert(format!("{what}'s seccomp profile is Unconfined"));
        }
        if unconfined(ctx.and_then(|c| c.get("appArmorProfile"))) {
            out.insert(format!("{what}'s AppArmor profile is Unconfined"));
        }
        for port in c
            .get("ports")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            if let Some(p) = port.get("hostPort").and_then(Value::as_i64) {
                out.insert(format!("{what} binds the node's port {p}"));
            }
        }
    }
    for (k, a) in pod_metadata(v)
        .and_then(|m| m.get("annotations"))
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
    {
        if let Some(text) = unconfined_annotation(k, a.as_str().unwrap_or("")) {
            out.insert(text);
        }
    }
    for vol in pod
        .get("volumes")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let name = vol.get("name").and_then(Value::as_str).unwrap_or("?");
        let source = vol
            .as_object()
            .and_then(|m| m.keys().find(|k| *k != "name"))
            .map_or("?", String::as_str);
        match vol.pointer("/hostPath/path").and_then(Value::as_str) {
            Some(path) => out.insert(format!("volume {name} mounts the node's path {path}")),
            None => out.insert(format!("volume {name} ({source})")),
        };
    }
    out
}

fn root_ids(ctx: Option<&Value>, what: &str, out: &mut BTreeSet<String>) {
    let Some(ctx) = ctx else { return };
    if is_zero(ctx.get("runAsUser")) {
        out.insert(format!("{what} runs as user 0 (root)"));
    }
    if is_zero(ctx.get("runAsGroup")) {
        out.insert(format!("{what} runs as group 0 (root)"));
    }
    if ctx.get("runAsNonRoot").and_then(Value::as_bool) == Some(false) {
        out.insert(format!("{what} may run as root (runAsNonRoot: false)"));
    }
}

/// A pod annotation that makes a container's AppArmor or seccomp profile unconfined,
/// as a phrase (`container.apparmor.security.beta.kubernetes.io/<c>: unconfined`,
/// `seccomp.security.alpha.kubernetes.io/pod: unconfined`, ...).
pub fn unconfined_annotation(key: &str, value: &str) -> Option<String> {
    let value = value.trim().to_ascii_lowercase();
    let apparmor = key.starts_with("container.apparmor.security.beta.kubernetes.io/");
    let seccomp = key.starts_with("seccomp.security.alpha.kubernetes.io/")
        || key.starts_with("container.seccomp.security.alpha.kubernetes.io/");
    ((apparmor || seccomp) && value == "unconfined")
        .then(|| format!("the pod annotation {key} makes the profile unconfined"))
}

/// Whether an annotation key is a `*-snippet` annotation (ingress-nginx's
/// `configuration-snippet`, `server-snippet`, `auth-snippet`...): raw proxy
/// configuration, which can read any Secret the controller can.
pub fn is_snippet(key: &str) -> bool {
    key.rsplit('/').next().unwrap_or(key).ends_with("-snippet")
}

/// Whether an annotation key restricts who reaches an app: external authentication
/// (ingress-nginx `auth-url`, `auth-signin`, `auth-type`..., Traefik middlewares that
/// carry forward auth), or a source allowlist.
pub fn is_auth(key: &str) -> bool {
    let name = key.rsplit('/').next().unwrap_or(key);
    name.starts_with("auth-") || name.contains("source-range") || name == "router.middlewares"
}

/// The ports a Service exposes outside the cluster (`LoadBalancer` or `NodePort`), as
/// `port/protocol`.
pub fn exposed_ports(v: &Value) -> BTreeSet<String> {
    let kind = v.get("kind").and_then(Value::as_str);
    let typ = v.pointer("/spec/type").and_then(Value::as_str);
    if kind != Some("Service") || !matches!(typ, Some("LoadBalancer" | "NodePort")) {
        return BTreeSet::new();
    }
    v.pointer("/spec/ports")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .map(|p| {
            let port = p.get("port").map(ToString::to_string).unwrap_or_default();
            let proto = p.get("protocol").and_then(Value::as_str).unwrap_or("TCP");
            format!("{port}/{proto}")
        })
        .collect()
}

/// The changes from `a` to `b` that Kubernetes cannot apply in place (the object must be
/// deleted and created again, or the apply fails), one phrase each: a workload's
/// selector, a StatefulSet's claim templates, a PVC's storage class, a PVC that shrinks.
pub fn immutable_changes(a: &Value, b: &Value) -> Vec<String> {
    let kind = b.get("kind").and_then(Value::as_str).unwrap_or("");
    let mut out = Vec::new();
    let changed = |p: &str| a.pointer(p) != b.pointer(p);
    if matches!(
        kind,
        "Deployment" | "StatefulSet" | "DaemonSet" | "ReplicaSet" | "Job"
    ) && changed("/spec/selector")
    {
        out.push(format!("the {kind}'s selector changes"));
    }
    if kind == "StatefulSet" && changed("/spec/volumeClaimTemplates") {
        out.push("the StatefulSet's volumeClaimTemplates change".into());
    }
    if kind == "PersistentVolumeClaim" {
        if changed("/spec/storageClassName") {
            out.push("the PVC's storageClassName changes".into());
        }
        let size = |v: &Value| {
            v.pointer("/spec/resources/requests/storage")
                .and_then(Value::as_str)
                .and_then(bytes)
        };
        if let (Some(x), Some(y)) = (size(a), size(b))
            && y < x
        {
            out.push("the PVC shrinks (a claim can only grow)".into());
        }
    }
    if kind == "PersistentVolume" && changed("/spec/nfs") {
        out.push("the PersistentVolume's source changes".into());
    }
    out
}

/// A storage quantity in bytes (`20Gi`, `500M`, `1e9`); `None` when it is not one.
fn bytes(q: &str) -> Option<f64> {
    const UNITS: [(&str, f64); 12] = [
        ("Ki", 1024.0),
        ("Mi", 1048576.0),
        ("Gi", 1073741824.0),
        ("Ti", 1099511627776.0),
        ("Pi", 1125899906842624.0),
        ("Ei", 1152921504606846976.0),
        ("k", 1e3),
        ("M", 1e6),
        ("G", 1e9),
        ("T", 1e12),
        ("P", 1e15),
        ("E", 1e18),
    ];
    let q = q.trim();
    for (suffix, factor) in UNITS {
        if let Some(n) = q.strip_suffix(suffix) {
            return n.parse::<f64>().ok().map(|n| n * factor);
        }
    }
    q.parse::<f64>().ok()
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn build_annotations_are_left_out() {
        let v = json!({"kind": "ConfigMap", "metadata": {"name": "x", "annotations": {
            "config.kubernetes.io/origin": "path: a.yaml",
            "internal.config.kubernetes.io/index": "0",
            "keep": "me"}, "labels": {"app.kubernetes.io/managed-by": "kustomize-v5.5.0"}}});
        assert_eq!(
            strip_build(v),
            json!({"kind": "ConfigMap", "metadata": {"name": "x", "annotations": {"keep": "me"}}})
        );
        let only = json!({"metadata": {"annotations": {"config.kubernetes.io/origin": "x"}}});
        assert_eq!(strip_build(only), json!({"metadata": {}}));
    }

    #[test]
    fn image_tags() {
        for (image, repo) in [
            ("nginx", "nginx"),
            ("nginx:1.27", "nginx"),
            ("ghcr.io/a/b:1.0@sha256:abc", "ghcr.io/a/b"),
            ("registry:5000/a/b:2", "registry:5000/a/b"),
            ("registry:5000/a/b", "registry:5000/a/b"),
        ] {
            assert_eq!(image_repository(image), repo, "{image}");
        }
        let pod = |image: &str| json!({"kind": "Pod", "spec": {"containers": [{"name": "a", "image": image}]}});
        assert!(only_image_tags(&pod("nginx:1"), &pod("nginx:2")));
        assert!(!only_image_tags(&pod("nginx:1"), &pod("evil/nginx:1")));
        assert!(!only_image_tags(&pod("nginx:1"), &pod("nginx:1")));
        let mut other = pod("nginx:2");
        other["spec"]["hostPID"] = json!(true);
        assert!(!only_image_tags(&pod("nginx:1"), &other));
    }

    #[test]
    fn privileges_of_a_patched_pod() {
        let d = json!({"kind": "Deployment", "spec": {"template": {"metadata": {"annotations": {
            "container.apparmor.security.beta.kubernetes.io/app": "unconfined"}},
            "spec": {
            "hostPID": true,
            "automountServiceAccountToken": false,
            "securityContext": {"runAsGroup": 0},
            "containers": [{"name": "app", "image": "a", "securityContext": {"privileged": true,
                "capabilities": {"add": ["SYS_ADMIN"]}}}],
            "volumes": [{"name": "root", "hostPath": {"path": "/"}}, {"name": "tmp", "emptyDir": {}}]}}}});
        let p: Vec<String> = privileges(&d).into_iter().collect();
        assert_eq!(
            p,
            [
                "container app adds the capability SYS_ADMIN",
                "container app is privileged",
                "hostPID: true",
                "the pod annotation container.apparmor.security.beta.kubernetes.io/app makes the profile unconfined",
                "the pod runs as group 0 (root)",
                "volume root mounts the node's path /",
                "volume tmp (emptyDir)",
            ]
        );
        assert!(privileges(&json!({"kind": "ConfigMap"})).is_empty());
        let token = json!({"kind": "Pod", "spec": {"containers": []}});
        assert!(privileges(&token).contains("the ServiceAccount's API token is mounted"));
    }

    #[test]
    fn immutable() {
        let pvc = |class: &str, size: &str| {
            json!({"kind": "PersistentVolumeClaim", "spec": {
            "storageClassName": class, "resources": {"requests": {"storage": size}}}})
        };
        assert!(immutable_changes(&pvc("a", "10Gi"), &pvc("a", "20Gi")).is_empty());
        assert_eq!(
            immutable_changes(&pvc("a", "10Gi"), &pvc("a", "5000Mi")).len(),
            1
        );
        assert_eq!(
            immutable_changes(&pvc("a", "10Gi"), &pvc("b", "10Gi")).len(),
            1
        );
        let d = |l: &str| json!({"kind": "Deployment", "spec": {"selector": {"matchLabels": {"app": l}}}});
        assert!(immutable_changes(&d("a"), &d("a")).is_empty());
        assert_eq!(
            immutable_changes(&d("a"), &d("b")),
            ["the Deployment's selector changes"]
        );
        let sts = |size: &str| {
            json!({"kind": "StatefulSet", "spec": {"volumeClaimTemplates": [
                {"metadata": {"name": "data"}, "spec": {"resources": {"requests": {"storage": size}}}}]}})
        };
        assert_eq!(
            immutable_changes(&sts("1Gi"), &sts("2Gi")),
            ["the StatefulSet's volumeClaimTemplates change"]
        );
    }

    #[test]
    fn annotations() {
        assert!(is_snippet("nginx.ingress.kubernetes.io/server-snippet"));
        assert!(is_snippet(
            "nginx.ingress.kubernetes.io/configuration-snippet"
        ));
        assert!(!is_snippet("nginx.ingress.kubernetes.io/proxy-body-size"));
        assert!(is_auth("nginx.ingress.kubernetes.io/auth-url"));
        assert!(is_auth("nginx.ingress.kubernetes.io/auth-signin"));
        assert!(is_auth(
            "nginx.ingress.kubernetes.io/whitelist-source-range"
        ));
        assert!(is_auth("traefik.ingress.kubernetes.io/router.middlewares"));
        assert!(!is_auth("nginx.ingress.kubernetes.io/proxy-body-size"));
        assert!(
            unconfined_annotation("seccomp.security.alpha.kubernetes.io/pod", "Unconfined")
                .is_some()
        );
        assert!(
            unconfined_annotation(
                "container.apparmor.security.beta.kubernetes.io/app",
                "runtime/default"
            )
            .is_none()
        );
    }

    #[test]
    fn exposed() {
        let s = json!({"kind": "Service", "spec": {"type": "LoadBalancer", "ports": [{"port": 80}, {"port": 53, "protocol": "UDP"}]}});
        assert_eq!(
            exposed_ports(&s).into_iter().collect::<Vec<_>>(),
            ["53/UDP", "80/TCP"]
        );
        let c = json!({"kind": "Service", "spec": {"ports": [{"port": 80}]}});
        assert!(exposed_ports(&c).is_empty());
    }
}

//! app-template 1.x values (top-level `image`, `controller`, `probes`, `persistence.<id>.mountPath`) translated into the 2.x shape the mapper reads, each translated path traced back to the release's own.

use serde_json::{Map, Value, json};

use super::values::{Dropped, Path};
use super::workload::{chart_v2_default_probes, helm_merge};

/// 1.x values in the 2.x shape, and how to say each 2.x path in the release's own words.
#[derive(Clone, Debug, Default)]
pub struct Translated {
    /// The values in the 2.x layout (`controllers.main.containers.main`...).
    pub values: Value,
    /// (2.x path, 1.x path, where a value the release does not spell is reported).
    back: Vec<(Path, Path, Option<Path>)>,
    /// What the translation itself cannot carry, by 1.x path.
    pub dropped: Vec<Dropped>,
    /// What the chart did (or did not do) that the release does not spell, by 1.x path.
    pub noted: Vec<Dropped>,
    /// The release's own values, to report only paths that are in them.
    original: Value,
}

impl Translated {
    /// The 1.x path of a path of the translated values: the longest traced prefix is
    /// replaced, and a path below a value the chart supplied (a default) climbs to the
    /// nearest value the release spells, else to that default's anchor. Paths that were
    /// never translated (`spec.dependsOn` of the HelmRelease) are returned as they are.
    pub fn back(&self, p: &Path) -> Path {
        let Some((from, to, anchor)) = self
            .back
            .iter()
            .filter(|(from, _, _)| p.starts_with(from))
            .max_by_key(|(from, _, _)| from.len())
        else {
            return p.clone();
        };
        let mut q = p.rebase(from, to).unwrap_or_else(|| to.clone());
        while !q.is_empty() && !q.exists_in(&self.original) {
            q = q.parent().unwrap_or_default();
        }
        match anchor {
            Some(a) if q.is_empty() => a.clone(),
            _ => q,
        }
    }

    /// A list of the mapper's (dropped or noted) in 1.x paths, with the translation's own
    /// added; one entry per path (the first), sorted.
    pub fn traced(&self, list: Vec<Dropped>, own: &[Dropped]) -> Vec<Dropped> {
        let mut out: Vec<Dropped> = Vec::new();
        for d in own.iter().cloned().chain(list.into_iter().map(|d| Dropped {
            path: self.back(&d.path),
            reason: d.reason,
        })) {
            if !out.iter().any(|o| o.path == d.path) {
                out.push(d);
            }
        }
        out.sort_by(|a, b| a.path.cmp(&b.path));
        out
    }
}

const NOT_UNDERSTOOD: &str = "not carried over: the 1.x translation does not know this value";

const MAIN: [&str; 4] = ["controllers", "main", "containers", "main"];
const POD: [&str; 3] = ["controllers", "main", "pod"];

fn keys(keys: &[&str]) -> Path {
    keys.iter().fold(Path::root(), |p, k| p.key(k))
}

fn with<'k>(base: &[&'k str], more: &[&'k str]) -> Vec<&'k str> {
    base.iter().chain(more).copied().collect()
}

/// Sets `value` at `path` of `root`, making mappings on the way.
fn set(root: &mut Value, path: &[&str], value: Value) {
    let mut cur = root;
    for k in path {
        if !cur.is_object() {
            *cur = json!({});
        }
        let Value::Object(map) = cur else { return };
        cur = map.entry(k.to_string()).or_insert(Value::Null);
    }
    *cur = value;
}

/// Whether a value is true to a Go template's `if`: a non-empty string (`"false"` too), a
/// number other than zero, a non-empty list or mapping.
fn truthy(v: &Value) -> bool {
    match v {
        Value::Null => false,
        Value::Bool(b) => *b,
        Value::Number(n) => n.as_f64().is_some_and(|f| f != 0.0),
        Value::String(s) => !s.is_empty(),
        Value::Array(a) => !a.is_empty(),
        Value::Object(m) => !m.is_empty(),
    }
}

/// `key` is set and true to the chart.
fn is_true(v: &Value, key: &str) -> bool {
    v.get(key).is_some_and(truthy)
}

/// `key` is set and false to the chart (a null counts as not set).
fn is_false(v: &Value, key: &str) -> bool {
    v.get(key).is_some_and(|x| !x.is_null() && !truthy(x))
}

/// The entries of a mapping in the order Helm's templates range over them (by key).
fn sorted(v: &Value) -> Vec<(&String, &Value)> {
    let mut e: Vec<(&String, &Value)> = v
        .as_object()
        .map(|m| m.iter().filter(|(_, x)| !x.is_null()).collect())
        .unwrap_or_default();
    e.sort_by(|a, b| a.0.cmp(b.0));
    e
}

struct Tx<'a> {
    v1: &'a Value,
    /// The Helm release name: the chart's full name, which its objects are named after.
    release: &'a str,
    out: Value,
    t: Translated,
}

impl Tx<'_> {
    fn put(&mut self, to: &[&str], value: Value, from: Path) {
        set(&mut self.out, to, value);
        self.t.back.push((keys(to), from, None));
    }

    fn trace(&mut self, to: Path, from: Path, anchor: Option<Path>) {
        self.t.back.push((to, from, anchor));
    }

    fn drop(&mut self, from: Path, reason: impl Into<String>) {
        self.t.dropped.push(Dropped {
            path: from,
            reason: reason.into(),
        });
    }

    fn note(&mut self, from: Path, reason: impl Into<String>) {
        self.t.noted.push(Dropped {
            path: from,
            reason: reason.into(),
        });
    }
}

/// The primary Service and port of 1.x values (`service.main` and its `http` port are
/// primary by the chart's defaults), as (service id, port name).
fn primary_port(values: &Value) -> Option<(String, String)> {
    let services: Vec<(&String, &Value)> = sorted(values.get("service")?)
        .into_iter()
        .filter(|(_, s)| !is_false(s, "enabled"))
        .collect();
    let primary =
        |id: &str, s: &Value| is_true(s, "primary") || (id == "main" && !is_false(s, "primary"));
    let (sid, svc) = services
        .iter()
        .rev()
        .find(|(id, s)| primary(id, s))
        .or(services.first())?;
    let ports: Vec<(&String, &Value)> = sorted(svc.get("ports")?)
        .into_iter()
        .filter(|(_, p)| p.is_object() && !is_false(p, "enabled"))
        .collect();
    let port_primary = |name: &str, p: &Value| {
        is_true(p, "primary")
            || (sid.as_str() == "main" && name == "http" && !is_false(p, "primary"))
    };
    let (pname, port) = ports
        .iter()
        .rev()
        .find(|(n, p)| port_primary(n, p))
        .or(ports.first())?;
    port.get("port")?;
    Some((sid.to_string(), pname.to_string()))
}

/// One 1.x mount of the main container: (persistence id, path, subPath).
type Mount = (String, String, Option<String>);

/// Translates the values of an app-template 1.x release named `release` (the Helm release
/// name).
///
/// The 1.x chart (bjw-s common library 1.0.0 to 1.5.1) differs from 2.x in more than
/// layout, and the translation spells those differences out instead of assuming 2.x:
/// persistence items, ingresses, routes, ServiceMonitors, ConfigMaps and Secrets exist
/// only with `enabled: true`; a mount defaults to `/<id>` (a host path to itself) and
/// `mountPath: "-"` mounts nothing; the default TCP probes of the primary port; the
/// `config` item's default size and access mode; init containers in the order of their
/// keys; sidecars and init containers are raw Kubernetes containers; a StatefulSet's
/// claim templates made claims Kubernetes keeps.
pub fn translate(values: &Value, release: &str) -> Translated {
    let mut tx = Tx {
        v1: values,
        release,
        out: json!({}),
        t: Translated {
            original: values.clone(),
            ..Translated::default()
        },
    };
    let root = Path::root();
    tx.trace(keys(&["controllers"]), root.key("controller"), None);
    tx.trace(keys(&MAIN), root.key("image"), None);
    set(&mut tx.out, &MAIN, json!({}));
    let mut mounts = persistence(&mut tx);
    mounts.extend(claim_templates(&mut tx));
    probes(&mut tx);
    for (key, v) in values.as_object().into_iter().flatten() {
        if v.is_null() {
            continue;
        }
        let at = root.key(key);
        let k = key.as_str();
        match k {
            "persistence" | "probes" | "volumeClaimTemplates" => {}
            "image" | "command" | "args" | "env" | "envFrom" | "securityContext" | "lifecycle"
            | "resources" => tx.put(&with(&MAIN, &[k]), v.clone(), at),
            "controller" => {
                for (ck, cv) in v.as_object().into_iter().flatten() {
                    // Where 2.x keeps what 1.x has on the controller.
                    let to: Vec<&str> = match ck.as_str() {
                        _ if cv.is_null() => continue,
                        "restartPolicy" => with(&POD, &["restartPolicy"]),
                        "podManagementPolicy" => {
                            vec!["controllers", "main", "statefulset", "podManagementPolicy"]
                        }
                        _ => vec!["controllers", "main", ck],
                    };
                    tx.put(&to, cv.clone(), at.key(ck));
                }
            }
            "termination" => {
                for (tk, tv) in v.as_object().into_iter().flatten() {
                    let to = match tk.as_str() {
                        _ if tv.is_null() => continue,
                        "gracePeriodSeconds" => with(&POD, &["terminationGracePeriodSeconds"]),
                        "messagePath" => with(&MAIN, &["terminationMessagePath"]),
                        "messagePolicy" => with(&MAIN, &["terminationMessagePolicy"]),
                        _ => {
                            tx.drop(at.key(tk), NOT_UNDERSTOOD);
                            continue;
                        }
                    };
                    tx.put(&to, tv.clone(), at.key(tk));
                }
            }
            "podSecurityContext" => tx.put(&with(&POD, &["securityContext"]), v.clone(), at),
            "podAnnotations" => tx.put(&with(&POD, &["annotations"]), v.clone(), at),
            "podLabels" => tx.put(&with(&POD, &["labels"]), v.clone(), at),
            "hostIPC" | "hostPID" if v == &Value::Bool(false) => {}
            "imagePullSecrets" | "priorityClassName" | "runtimeClassName" | "schedulerName"
            | "hostname" | "hostIPC" | "hostPID" | "hostNetwork" | "dnsPolicy" | "dnsConfig"
            | "enableServiceLinks" | "nodeSelector" | "affinity" | "topologySpreadConstraints"
            | "tolerations" | "hostAliases" | "automountServiceAccountToken" => {
                tx.put(&with(&POD, &[k]), v.clone(), at)
            }
            "initContainers" => {
                for (name, c) in sorted(v) {
                    extra(&mut tx, "initContainers", name, c, at.key(name), &mounts);
                }
            }
            "sidecars" | "additionalContainers" => {
                for (name, c) in sorted(v) {
                    let shadowed = k == "additionalContainers"
                        && values
                            .get("sidecars")
                            .and_then(|s| s.get(name))
                            .is_some_and(|s| !s.is_null());
                    if shadowed {
                        tx.drop(
                            at.key(name),
                            format!("sidecars.{name} takes the place of this container"),
                        );
                    } else {
                        extra(&mut tx, "containers", name, c, at.key(name), &mounts);
                    }
                }
            }
            "service" | "global" | "nameOverride" | "fullnameOverride" => {
                tx.put(&[k], v.clone(), at)
            }
            "ingress" | "route" | "serviceMonitor" | "configMaps" | "secrets" => {
                switched(&mut tx, k, v, &at)
            }
            "serviceAccount" => service_account(&mut tx, v, &at),
            "addons" => {
                for (name, a) in sorted(v) {
                    if is_true(a, "enabled") {
                        tx.drop(
                            at.key(name),
                            format!("the 1.x {name} addon (a container the chart adds) is not carried over: write it as a sidecar of the AppSpec"),
                        );
                    } else if a.as_object().is_some_and(|m| m.keys().any(|k| k != "enabled")) {
                        tx.note(
                            at.key(name),
                            "the addon is off (enabled is not true): it had no effect",
                        );
                    }
                }
            }
            _ => tx.note(
                at,
                format!("app-template 1.x does not read a top-level {key:?} (an anchor holder or a leftover): it had no effect"),
            ),
        }
    }
    tx.t.values = tx.out;
    tx.t
}

/// Ingresses, routes, ServiceMonitors, ConfigMaps and Secrets: 1.x makes one only with
/// `enabled: true`.
fn switched(tx: &mut Tx, key: &str, v: &Value, at: &Path) {
    let what = match key {
        "ingress" => "an Ingress",
        "route" => "a route",
        "serviceMonitor" => "a ServiceMonitor",
        "configMaps" => "a ConfigMap",
        _ => "a Secret",
    };
    for (id, item) in v.as_object().into_iter().flatten() {
        if item.is_null() {
            continue;
        }
        if !is_true(item, "enabled") {
            if !is_false(item, "enabled") {
                tx.note(
                    at.key(id),
                    format!(
                        "app-template 1.x makes {what} only with enabled: true: it had no effect"
                    ),
                );
            }
            continue;
        }
        let mut item = item.clone();
        item["enabled"] = json!(true);
        if matches!(key, "ingress" | "route") && is_true(&item, "primary") {
            // Primary only names the object `<release>`: AppSpec names it after the app.
            item.as_object_mut().map(|m| m.remove("primary"));
        }
        // Backends name a Service by its full name (`<release>` for the primary one,
        // `<release>-<id>` for others): the 2.x shape names it by its id.
        let backends: Vec<&mut Value> = match key {
            "ingress" => item
                .get_mut("hosts")
                .and_then(Value::as_array_mut)
                .into_iter()
                .flatten()
                .filter_map(|h| h.get_mut("paths").and_then(Value::as_array_mut))
                .flatten()
                .filter_map(|p| p.get_mut("service"))
                .collect(),
            "route" => item
                .get_mut("rules")
                .and_then(Value::as_array_mut)
                .into_iter()
                .flatten()
                .filter_map(|r| r.get_mut("backendRefs").and_then(Value::as_array_mut))
                .flatten()
                .collect(),
            _ => Vec::new(),
        };
        for b in backends {
            let named = b.get("name").and_then(Value::as_str);
            if let Some(sid) = named.and_then(|n| service_id(tx.v1, tx.release, n)) {
                b["name"] = json!(sid);
            }
        }
        if key == "serviceMonitor" && item.get("endpoints").is_none_or(Value::is_null) {
            // The chart's default endpoint, at the monitor's own path.
            item["endpoints"] = json!([{"port": "http", "scheme": "http", "path": "/metrics",
                                        "interval": "1m", "scrapeTimeout": "10s"}]);
        }
        tx.put(&[key, id], item, at.key(id));
    }
}

/// `serviceAccount` of 1.x: `{create, name, annotations}`; the pod runs as the account
/// made (`create: true`), else as the one named, else as `default`.
fn service_account(tx: &mut Tx, v: &Value, at: &Path) {
    if is_true(v, "create") {
        tx.put(&["serviceAccount"], v.clone(), at.clone());
        return;
    }
    for (k, x) in v.as_object().into_iter().flatten() {
        match k.as_str() {
            _ if x.is_null() => {}
            "create" => {}
            "name" if x.as_str().is_some_and(str::is_empty) => {}
            "name" => tx.put(
                &["controllers", "main", "serviceAccount", "name"],
                x.clone(),
                at.key(k),
            ),
            "annotations" if x.as_object().is_some_and(Map::is_empty) => {}
            "annotations" => tx.note(
                at.key(k),
                "annotations of a ServiceAccount the chart does not make (create is not true): they had no effect",
            ),
            _ => tx.drop(at.key(k), NOT_UNDERSTOOD),
        }
    }
}

/// The chart's own probes merged under the release's, when there is a primary port to
/// check (1.x builds its probes from it); with a note that says so.
fn probes(tx: &mut Tx) {
    let own = tx.v1.get("probes").filter(|p| !p.is_null());
    let at = Path::root().key("probes");
    let port = primary_port(tx.v1);
    let to = with(&MAIN, &["probes"]);
    let Some((sid, pname)) = port else {
        if let Some(p) = own {
            tx.put(&to, p.clone(), at);
        }
        return;
    };
    let port_path = Path::root()
        .key("service")
        .key(&sid)
        .key("ports")
        .key(&pname);
    let mut merged = helm_merge(&chart_v2_default_probes(), own.unwrap_or(&Value::Null));
    // `type: AUTO` checks the way the primary port speaks: HTTP(S) or TCP (the default
    // `http` port of `service.main` speaks HTTP).
    let port = &tx.v1["service"][&sid]["ports"][&pname];
    let protocol = match port.get("protocol").and_then(Value::as_str) {
        Some(p @ ("HTTP" | "HTTPS")) => p,
        None if sid == "main" && pname == "http" => "HTTP",
        _ => "TCP",
    };
    for kind in ["liveness", "readiness", "startup"] {
        if merged[kind].get("type").and_then(Value::as_str) == Some("AUTO") {
            merged[kind]["type"] = json!(protocol);
        }
    }
    let from_chart: Vec<&str> = ["liveness", "readiness", "startup"]
        .into_iter()
        .filter(|k| {
            let p = &merged[*k];
            is_true(p, "enabled") && !is_true(p, "custom")
        })
        .collect();
    set(&mut tx.out, &to, merged);
    tx.trace(keys(&to), at, Some(port_path.clone()));
    if !from_chart.is_empty() {
        tx.note(
            port_path,
            format!(
                "app-template 1.x checks this port with {} probes of its own (probes.<kind>.enabled: false turns one off); they are written out in probes",
                and_list(&from_chart)
            ),
        );
    }
}

/// `a`, `a and b`, `a, b and c`.
fn and_list(items: &[&str]) -> String {
    match items.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{} and {last}", rest.join(", ")),
        Some((last, _)) => last.to_string(),
        None => String::new(),
    }
}

/// `persistence` of 1.x: only items with `enabled: true`, `type: pvc` by default, mounted
/// into the main container at `mountPath` (`/<id>`, a host path at itself; `-` for none;
/// a list of `subPath`s mounts each). Returns the main container's mounts.
fn persistence(tx: &mut Tx) -> Vec<Mount> {
    let at = Path::root().key("persistence");
    let mut mounts = Vec::new();
    let Some(all) = tx.v1.get("persistence").filter(|p| p.is_object()) else {
        if let Some(p) = tx.v1.get("persistence").filter(|p| !p.is_null()) {
            tx.put(&["persistence"], p.clone(), at);
        }
        return mounts;
    };
    for (id, item) in all.as_object().into_iter().flatten() {
        let from = at.key(id);
        if item.is_null() {
            continue;
        }
        if !is_true(item, "enabled") {
            if !is_false(item, "enabled") {
                tx.note(
                    from,
                    "app-template 1.x mounts a persistence item only with enabled: true: it had no effect",
                );
            }
            continue;
        }
        let Some(fields) = item.as_object() else {
            tx.drop(from, NOT_UNDERSTOOD);
            continue;
        };
        let kind = item.get("type").and_then(Value::as_str).unwrap_or("pvc");
        let mut out = Map::new();
        out.insert("enabled".into(), json!(true));
        for (k, v) in fields {
            match k.as_str() {
                "mountPath" | "subPath" | "readOnly" | "mountPropagation" | "enabled" => {}
                "type" if kind == "pvc" => {
                    out.insert(k.clone(), json!("persistentVolumeClaim"));
                }
                _ => {
                    out.insert(k.clone(), v.clone());
                }
            }
        }
        if kind == "configMap"
            && let Some(cm) = chart_config_map(tx, item.get("name"))
        {
            // A ConfigMap the chart makes (`<release>-<id>`): its data is the content.
            out.remove("name");
            out.insert("identifier".into(), json!(cm));
            tx.trace(
                Path::root().key("persistence").key(id).key("identifier"),
                from.key("name"),
                None,
            );
        }
        if id == "config" && kind == "pvc" {
            // The chart's own `persistence.config` supplies these.
            for (k, d) in [
                ("accessMode", json!("ReadWriteOnce")),
                ("size", json!("1Gi")),
            ] {
                out.entry(k).or_insert(d);
            }
        }
        let default_path = match kind {
            "hostPath" => item
                .get("hostPath")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string(),
            _ => format!("/{id}"),
        };
        let mount_path = item.get("mountPath").and_then(Value::as_str);
        let to = Path::root().key("persistence").key(id);
        let mut list = Vec::new();
        if let Some(subs) = item.get("subPath").and_then(Value::as_array) {
            for (i, s) in subs.iter().enumerate() {
                let (Some(path), Some(sub)) = (
                    s.get("mountPath").and_then(Value::as_str),
                    s.get("path").and_then(Value::as_str),
                ) else {
                    tx.drop(from.key("subPath").index(i), NOT_UNDERSTOOD);
                    continue;
                };
                let mut m = json!({"path": path, "subPath": sub});
                for k in ["readOnly", "mountPropagation"] {
                    if let Some(x) = s.get(k).filter(|x| !x.is_null()) {
                        m[k] = x.clone();
                    }
                }
                let entry = to.key("globalMounts").index(list.len());
                let sub_at = from.key("subPath").index(i);
                tx.trace(entry.clone(), sub_at.clone(), None);
                tx.trace(entry.key("path"), sub_at.key("mountPath"), None);
                tx.trace(entry.key("subPath"), sub_at.key("path"), None);
                mounts.push((id.clone(), path.to_string(), Some(sub.to_string())));
                list.push(m);
            }
        } else if mount_path != Some("-") {
            let path = mount_path.map(str::to_string).unwrap_or(default_path);
            let mut m = json!({"path": path});
            let entry = to.key("globalMounts").index(0);
            tx.trace(entry.clone(), from.clone(), None);
            tx.trace(entry.key("path"), from.key("mountPath"), None);
            for k in ["subPath", "readOnly", "mountPropagation"] {
                if let Some(x) = item.get(k).filter(|x| !x.is_null()) {
                    m[k] = x.clone();
                    tx.trace(entry.key(k), from.key(k), None);
                }
            }
            let sub = item
                .get("subPath")
                .and_then(Value::as_str)
                .map(str::to_string);
            mounts.push((id.clone(), path, sub));
            list.push(m);
        }
        out.insert("globalMounts".into(), Value::Array(list));
        tx.put(&["persistence", id], Value::Object(out), from);
    }
    mounts
}

/// The id of the ConfigMap the chart makes under `name` (`<release>-<id>`, or
/// `<release>-<nameOverride>`), when `configMaps` has it enabled.
fn chart_config_map(tx: &Tx, name: Option<&Value>) -> Option<String> {
    let name = name?.as_str()?;
    sorted(tx.v1.get("configMaps")?)
        .into_iter()
        .filter(|(_, c)| is_true(c, "enabled"))
        .find(|(id, c)| {
            let suffix = c
                .get("nameOverride")
                .and_then(Value::as_str)
                .unwrap_or(id.as_str());
            name == format!("{}-{suffix}", tx.release)
        })
        .map(|(id, _)| id.clone())
}

/// `volumeClaimTemplates` of a 1.x StatefulSet (read only for `controller.type:
/// statefulset`): Kubernetes named each claim `<template>-<release>-<ordinal>` and keeps it
/// when the HelmRelease is removed, so a single replica's claim is adopted as an existing
/// claim at the template's `mountPath`. Returns the main container's mounts.
fn claim_templates(tx: &mut Tx) -> Vec<Mount> {
    let at = Path::root().key("volumeClaimTemplates");
    let Some(list) = tx.v1.get("volumeClaimTemplates").and_then(Value::as_array) else {
        if tx
            .v1
            .get("volumeClaimTemplates")
            .is_some_and(|v| !v.is_null())
        {
            tx.drop(at, NOT_UNDERSTOOD);
        }
        return Vec::new();
    };
    if list.is_empty() {
        return Vec::new();
    }
    let controller = tx.v1.get("controller");
    let kind = controller
        .and_then(|c| c.get("type"))
        .and_then(Value::as_str);
    if kind != Some("statefulset") {
        tx.note(
            at,
            "app-template 1.x reads volumeClaimTemplates only for controller.type: statefulset: they had no effect",
        );
        return Vec::new();
    }
    let replicas = controller
        .and_then(|c| c.get("replicas"))
        .and_then(Value::as_i64)
        .unwrap_or(1);
    let mut mounts = Vec::new();
    for (i, vct) in list.iter().enumerate() {
        let from = at.index(i);
        let (Some(name), Some(path)) = (
            vct.get("name").and_then(Value::as_str),
            vct.get("mountPath").and_then(Value::as_str),
        ) else {
            tx.drop(from, NOT_UNDERSTOOD);
            continue;
        };
        let taken = tx.v1.get("persistence").and_then(|p| p.get(name)).is_some();
        if replicas != 1 || taken {
            let why = if taken {
                format!("persistence.{name} has the same name")
            } else {
                format!("{replicas} replicas each have a claim of their own")
            };
            tx.drop(
                from,
                format!("a claim template cannot be adopted: {why}; AppSpec mounts one claim"),
            );
            continue;
        }
        let claim = format!("{name}-{}-0", tx.release);
        let mut mount = json!({"path": path});
        let to = Path::root().key("persistence").key(name);
        let entry = to.key("globalMounts").index(0);
        let sub = vct.get("subPath").and_then(Value::as_str);
        if let Some(sub) = sub {
            mount["subPath"] = json!(sub);
            tx.trace(entry.key("subPath"), from.key("subPath"), None);
        }
        tx.put(
            &["persistence", name],
            json!({"existingClaim": claim, "globalMounts": [mount]}),
            from.clone(),
        );
        tx.trace(to.key("existingClaim"), from.key("name"), None);
        tx.trace(entry.clone(), from.clone(), None);
        tx.trace(entry.key("path"), from.key("mountPath"), None);
        mounts.push((name.to_string(), path.to_string(), sub.map(str::to_string)));
        tx.note(
            from,
            format!("the StatefulSet made PVC {claim} from this template (its size, access mode and class stay the claim's); Kubernetes keeps it when the HelmRelease is removed, and the AppSpec adopts it as an existing claim, so no data is copied"),
        );
    }
    mounts
}

/// The id of the enabled 1.x Service the chart names `name`: the primary one is
/// `<release>` (`<release>-<nameOverride>`), the others `<release>-<nameOverride or id>`.
fn service_id(values: &Value, release: &str, name: &str) -> Option<String> {
    let primary = primary_port(values).map(|(sid, _)| sid);
    sorted(values.get("service")?)
        .into_iter()
        .filter(|(_, s)| !is_false(s, "enabled"))
        .find(|(sid, s)| {
            let over = s.get("nameOverride").and_then(Value::as_str);
            let full = match (over, primary.as_deref() == Some(sid.as_str())) {
                (Some(o), _) => format!("{release}-{o}"),
                (None, true) => release.to_string(),
                (None, false) => format!("{release}-{sid}"),
            };
            full == name
        })
        .map(|(sid, _)| sid.clone())
}

/// The Service port (`service.<id>.ports.<name>`) of enabled 1.x Services that sends to
/// container port `n`.
fn service_port(values: &Value, n: i64) -> Option<String> {
    sorted(values.get("service")?)
        .into_iter()
        .filter(|(_, s)| !is_false(s, "enabled"))
        .find_map(|(sid, s)| {
            sorted(s.get("ports")?)
                .into_iter()
                .filter(|(_, p)| !is_false(p, "enabled"))
                .find(|(_, p)| {
                    let target = p.get("targetPort").or_else(|| p.get("port"));
                    target.and_then(Value::as_i64) == Some(n)
                })
                .map(|(pname, _)| format!("service.{sid}.ports.{pname}"))
        })
}

/// `repository`, `tag` and `digest` of an image reference.
fn split_image(image: &str) -> Value {
    let (rest, digest) = match image.split_once('@') {
        Some((r, d)) => (r, Some(d)),
        None => (image, None),
    };
    let slash = rest.rfind('/').map_or(0, |i| i + 1);
    let (repo, tag) = match rest[slash..].rfind(':') {
        Some(c) => (&rest[..slash + c], Some(&rest[slash + c + 1..])),
        None => (rest, None),
    };
    let mut v = json!({"repository": repo});
    if let Some(t) = tag {
        v["tag"] = json!(t);
    }
    if let Some(d) = digest {
        v["digest"] = json!(d);
    }
    v
}

/// An init container or sidecar of 1.x (a Kubernetes container; its name defaults to its
/// key) as a container of the 2.x controller. Its own `volumeMounts` are carried where
/// the app container mounts the same volume at the same path (AppSpec's extra containers
/// get the app's mounts), else listed.
fn extra(tx: &mut Tx, field: &str, key: &str, c: &Value, from: Path, mounts: &[Mount]) {
    let Some(fields) = c.as_object() else {
        tx.drop(from, NOT_UNDERSTOOD);
        return;
    };
    let name = c
        .get("name")
        .and_then(Value::as_str)
        .unwrap_or(key)
        .to_string();
    if field == "containers" && name == "main" {
        tx.drop(
            from,
            "a sidecar named main cannot be told from the app's container in the translation",
        );
        return;
    }
    let to = ["controllers", "main", field, name.as_str()];
    let to_path = keys(&to);
    let mut out = Map::new();
    for (k, v) in fields {
        match k.as_str() {
            _ if v.is_null() => {}
            "name" | "imagePullPolicy" => {}
            "image" => match (
                v.as_str(),
                c.get("imagePullPolicy").filter(|p| !p.is_null()),
            ) {
                (Some(image), Some(policy)) => {
                    let mut i = split_image(image);
                    i["pullPolicy"] = policy.clone();
                    out.insert(k.clone(), i);
                    tx.trace(to_path.key("image"), from.key("image"), None);
                    tx.trace(
                        to_path.key("image").key("pullPolicy"),
                        from.key("imagePullPolicy"),
                        None,
                    );
                }
                _ => {
                    out.insert(k.clone(), v.clone());
                }
            },
            "ports" => {
                for (i, p) in v.as_array().into_iter().flatten().enumerate() {
                    let n = p.get("containerPort").and_then(Value::as_i64);
                    match n.and_then(|n| service_port(tx.v1, n)) {
                        Some(svc) => tx.note(
                            from.key(k).index(i),
                            format!("{svc} reaches it: the containers of a pod share one network, so the port AppSpec gives the app container carries the traffic"),
                        ),
                        None => tx.drop(
                            from.key(k).index(i),
                            "a port of an extra container that no Service port reaches is not supported",
                        ),
                    }
                }
            }
            "volumeMounts" => {
                for (i, m) in v.as_array().into_iter().flatten().enumerate() {
                    let same = |(id, path, sub): &Mount| {
                        m.get("name").and_then(Value::as_str) == Some(id.as_str())
                            && m.get("mountPath").and_then(Value::as_str) == Some(path.as_str())
                            && m.get("subPath").and_then(Value::as_str) == sub.as_deref()
                    };
                    let plain = m.as_object().is_some_and(|o| {
                        o.keys()
                            .all(|k| matches!(k.as_str(), "name" | "mountPath" | "subPath"))
                    });
                    if !(plain && mounts.iter().any(same)) {
                        tx.drop(
                            from.key(k).index(i),
                            "a mount of its own: AppSpec's extra containers get the app container's mounts, at the app's paths",
                        );
                    }
                }
            }
            _ => {
                out.insert(k.clone(), v.clone());
            }
        }
    }
    tx.put(&to, Value::Object(out), from);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tr(v: Value) -> Translated {
        translate(&v, "app")
    }

    fn shown(list: &[Dropped]) -> Vec<String> {
        list.iter()
            .map(|d| format!("{}: {}", d.path, d.reason))
            .collect()
    }

    #[test]
    fn layouts_translate_and_paths_come_back() {
        let v1 = json!({
            "image": {"repository": "ghcr.io/onedr0p/sonarr", "tag": "4.0.0"},
            "env": {"TZ": "UTC"},
            "podSecurityContext": {"runAsUser": 568},
            "termination": {"gracePeriodSeconds": 30},
            "service": {"main": {"ports": {"http": {"port": 8989}}}},
            "ingress": {"main": {"enabled": true, "hosts": [{"host": "a.example.org"}]},
                        "old": {"hosts": []}},
            "persistence": {
                "config": {"enabled": true},
                "media": {"enabled": true, "type": "nfs", "server": "nas", "path": "/tank",
                          "mountPath": "/media", "readOnly": true},
                "backup": {"existingClaim": "x"},
                "tmp": {"enabled": true, "type": "emptyDir", "mountPath": "-"}},
            "initContainers": {"b": {"image": "busybox:1"}, "a": {"image": "alpine:3",
                               "imagePullPolicy": "IfNotPresent"}},
            "sidecars": {"exporter": {"image": "e:1",
                "ports": [{"name": "metrics", "containerPort": 8989}, {"containerPort": 1}],
                "volumeMounts": [{"name": "config", "mountPath": "/config"},
                                 {"name": "media", "mountPath": "/data"}]}},
            "addons": {"vpn": {"enabled": true}},
            "x-anchors": {"a": 1}
        });
        let t = translate(&v1, "sonarr");
        let main = &t.values["controllers"]["main"]["containers"]["main"];
        assert_eq!(main["image"], v1["image"]);
        assert_eq!(main["env"], json!({"TZ": "UTC"}));
        // The chart's default probes are written out.
        assert_eq!(main["probes"]["startup"]["spec"]["failureThreshold"], 30);
        let pod = &t.values["controllers"]["main"]["pod"];
        assert_eq!(pod["securityContext"]["runAsUser"], 568);
        assert_eq!(pod["terminationGracePeriodSeconds"], 30);
        let p = &t.values["persistence"];
        assert_eq!(
            p["config"],
            json!({"enabled": true, "accessMode": "ReadWriteOnce", "size": "1Gi",
                   "globalMounts": [{"path": "/config"}]})
        );
        assert_eq!(
            p["media"]["globalMounts"],
            json!([{"path": "/media", "readOnly": true}])
        );
        assert_eq!(p["tmp"]["globalMounts"], json!([]));
        assert!(p.get("backup").is_none());
        assert!(t.values["ingress"].get("old").is_none());
        // Init containers run in the order of their keys; a pull policy joins the image.
        let init: Vec<&String> = t.values["controllers"]["main"]["initContainers"]
            .as_object()
            .unwrap()
            .keys()
            .collect();
        assert_eq!(init, ["a", "b"]);
        assert_eq!(
            t.values["controllers"]["main"]["initContainers"]["a"]["image"],
            json!({"repository": "alpine", "tag": "3", "pullPolicy": "IfNotPresent"})
        );
        let back = |s: &[&str]| t.back(&keys(s)).to_string();
        assert_eq!(
            back(&["controllers", "main", "containers", "main", "env", "TZ"]),
            "env.TZ"
        );
        assert_eq!(
            back(&["controllers", "main", "pod", "securityContext", "runAsUser"]),
            "podSecurityContext.runAsUser"
        );
        assert_eq!(
            t.back(
                &keys(&["persistence", "media", "globalMounts"])
                    .index(0)
                    .key("path")
            )
            .to_string(),
            "persistence.media.mountPath"
        );
        // A default's path climbs to what the release spells: `persistence.config`.
        assert_eq!(
            t.back(
                &keys(&["persistence", "config", "globalMounts"])
                    .index(0)
                    .key("path")
            )
            .to_string(),
            "persistence.config"
        );
        assert_eq!(
            back(&["persistence", "config", "size"]),
            "persistence.config"
        );
        // The default probes are the primary port's.
        assert_eq!(
            back(&[
                "controllers",
                "main",
                "containers",
                "main",
                "probes",
                "startup",
                "spec"
            ]),
            "service.main.ports.http"
        );
        assert_eq!(
            back(&[
                "controllers",
                "main",
                "initContainers",
                "a",
                "image",
                "pullPolicy"
            ]),
            "initContainers.a.imagePullPolicy"
        );
        assert_eq!(back(&["spec", "dependsOn"]), "spec.dependsOn");
        assert_eq!(
            shown(&t.dropped),
            [
                "sidecars.exporter.ports[1]: a port of an extra container that no Service port reaches is not supported",
                "sidecars.exporter.volumeMounts[1]: a mount of its own: AppSpec's extra containers get the app container's mounts, at the app's paths",
                "addons.vpn: the 1.x vpn addon (a container the chart adds) is not carried over: write it as a sidecar of the AppSpec",
            ]
        );
        assert_eq!(
            shown(&t.noted),
            [
                "persistence.backup: app-template 1.x mounts a persistence item only with enabled: true: it had no effect",
                "service.main.ports.http: app-template 1.x checks this port with liveness, readiness and startup probes of its own (probes.<kind>.enabled: false turns one off); they are written out in probes",
                "ingress.old: app-template 1.x makes an Ingress only with enabled: true: it had no effect",
                "sidecars.exporter.ports[0]: service.main.ports.http reaches it: the containers of a pod share one network, so the port AppSpec gives the app container carries the traffic",
                "x-anchors: app-template 1.x does not read a top-level \"x-anchors\" (an anchor holder or a leftover): it had no effect",
            ]
        );
    }

    #[test]
    fn primary_ports_and_probes() {
        let cases = [
            (
                json!({"service": {"main": {"ports": {"http": {"port": 80}}}}}),
                Some(("main", "http")),
            ),
            (
                json!({"service": {"main": {"ports": {"web": {"port": 80}, "api": {"port": 81}}}}}),
                Some(("main", "api")),
            ),
            (
                json!({"service": {"main": {"enabled": false}, "app": {"ports": {"x": {"port": 1}}}}}),
                Some(("app", "x")),
            ),
            (
                json!({"service": {"main": {"ports": {"http": {"enabled": false}}}}}),
                None,
            ),
            (json!({}), None),
        ];
        for (values, want) in cases {
            let got = primary_port(&values);
            assert_eq!(
                got.as_ref().map(|(s, p)| (s.as_str(), p.as_str())),
                want,
                "{values}"
            );
        }
        // Without a port to check, the chart builds no probes: only the release's own.
        let t = tr(json!({"image": {"repository": "x"},
            "probes": {"liveness": {"custom": true, "spec": {"exec": {"command": ["true"]}}}}}));
        assert_eq!(
            t.values["controllers"]["main"]["containers"]["main"]["probes"],
            json!({"liveness": {"custom": true, "spec": {"exec": {"command": ["true"]}}}})
        );
        assert!(t.noted.is_empty());
        // Custom probes take the chart's timings under their own spec.
        let t = tr(
            json!({"service": {"main": {"ports": {"http": {"port": 80}}}},
            "probes": {"liveness": {"custom": true, "spec": {"httpGet": {"path": "/ping"}}},
                       "startup": {"enabled": false}}}),
        );
        let p = &t.values["controllers"]["main"]["containers"]["main"]["probes"];
        assert_eq!(p["liveness"]["spec"]["periodSeconds"], 10);
        assert_eq!(p["liveness"]["spec"]["httpGet"]["path"], "/ping");
        assert_eq!(p["startup"]["enabled"], false);
        assert!(
            shown(&t.noted)[0].contains("with readiness probes of its own"),
            "{:?}",
            t.noted
        );
    }

    #[test]
    fn chart_config_maps_and_claim_templates() {
        let t = tr(json!({
            "controller": {"type": "statefulset"},
            "configMaps": {"config": {"enabled": true, "data": {"a.conf": "x"}},
                           "other": {"data": {"b": "y"}}},
            "persistence": {
                "conf": {"enabled": true, "type": "configMap", "name": "app-config",
                         "mountPath": "/etc/a.conf", "subPath": "a.conf"},
                "ext": {"enabled": true, "type": "configMap", "name": "app-other"}},
            "volumeClaimTemplates": [
                {"name": "data", "mountPath": "/data", "accessMode": "ReadWriteOnce",
                 "size": "1Gi", "storageClass": "ceph-block"},
                {"name": "conf", "mountPath": "/x"}]
        }));
        let p = &t.values["persistence"];
        // The chart's own ConfigMap by its id; another name is someone else's ConfigMap.
        assert_eq!(p["conf"]["identifier"], "config");
        assert!(p["conf"].get("name").is_none());
        assert_eq!(p["ext"]["name"], "app-other");
        assert_eq!(
            p["data"],
            json!({"existingClaim": "data-app-0", "globalMounts": [{"path": "/data"}]})
        );
        assert_eq!(
            t.back(&keys(&["persistence", "conf", "identifier"]))
                .to_string(),
            "persistence.conf.name"
        );
        assert_eq!(
            t.back(
                &keys(&["persistence", "data", "globalMounts"])
                    .index(0)
                    .key("path")
            )
            .to_string(),
            "volumeClaimTemplates[0].mountPath"
        );
        assert_eq!(
            shown(&t.dropped),
            [
                "volumeClaimTemplates[1]: a claim template cannot be adopted: persistence.conf has the same name; AppSpec mounts one claim"
            ]
        );
        assert!(
            shown(&t.noted).iter().any(|n| n.starts_with(
                "volumeClaimTemplates[0]: the StatefulSet made PVC data-app-0 from this template"
            )),
            "{:?}",
            t.noted
        );
        // Not a StatefulSet: the templates had no effect; several replicas: not adoptable.
        // A CronJob's restart policy is the pod's in 2.x.
        let t = tr(json!({"controller": {"type": "cronjob", "restartPolicy": "OnFailure"}}));
        assert_eq!(
            t.values["controllers"]["main"]["pod"]["restartPolicy"],
            "OnFailure"
        );
        assert_eq!(
            t.back(&keys(&["controllers", "main", "pod", "restartPolicy"]))
                .to_string(),
            "controller.restartPolicy"
        );
        let t = tr(json!({"volumeClaimTemplates": [{"name": "d", "mountPath": "/d"}]}));
        assert!(t.values.get("persistence").is_none());
        assert!(shown(&t.noted)[0].starts_with("volumeClaimTemplates: app-template 1.x reads"));
        let t = tr(json!({"controller": {"type": "statefulset", "replicas": 2},
            "volumeClaimTemplates": [{"name": "d", "mountPath": "/d"}]}));
        assert!(shown(&t.dropped)[0].contains("2 replicas each have a claim of their own"));
    }

    #[test]
    fn go_template_truth_and_auto_probes() {
        let t = tr(json!({
            "service": {"main": {"ports": {"http": {"port": 80}}}},
            "probes": {"liveness": {"type": "AUTO", "path": "/healthz"}},
            "persistence": {"a": {"enabled": "false", "mountPath": "/a"},
                            "b": {"enabled": 0}, "c": {"enabled": ""}}}));
        // The string "false" is true to Helm's `if`; 0 and "" are not.
        let p = &t.values["persistence"];
        assert_eq!(p["a"]["enabled"], true);
        assert!(p.get("b").is_none() && p.get("c").is_none());
        assert!(
            t.noted
                .iter()
                .all(|n| !n.path.to_string().starts_with("persistence"))
        );
        let probes = &t.values["controllers"]["main"]["containers"]["main"]["probes"];
        assert_eq!(probes["liveness"]["type"], "HTTP");
        let t = tr(json!({
            "service": {"main": {"ports": {"http": {"enabled": false},
                                           "mqtt": {"port": 1883}}}},
            "probes": {"liveness": {"type": "AUTO"}}}));
        let probes = &t.values["controllers"]["main"]["containers"]["main"]["probes"];
        assert_eq!(probes["liveness"]["type"], "TCP");
    }

    #[test]
    fn backends_name_services_by_their_id() {
        let t = translate(
            &json!({
                "service": {"main": {"ports": {"http": {"port": 80}}},
                            "code": {"ports": {"http": {"port": 12321}}}},
                "ingress": {"main": {"enabled": true, "hosts": [{"host": "a", "paths": [
                    {"path": "/", "service": {"name": "tv-sonarr", "port": 80}},
                    {"path": "/code", "service": {"name": "tv-sonarr-code"}},
                    {"path": "/x", "service": {"name": "elsewhere"}}]}]}},
                "route": {"main": {"enabled": true,
                    "rules": [{"backendRefs": [{"name": "tv-sonarr", "port": 80}]}]}}}),
            "tv-sonarr",
        );
        let paths = &t.values["ingress"]["main"]["hosts"][0]["paths"];
        assert_eq!(paths[0]["service"]["name"], "main");
        assert_eq!(paths[1]["service"]["name"], "code");
        assert_eq!(paths[2]["service"]["name"], "elsewhere");
        assert_eq!(
            t.values["route"]["main"]["rules"][0]["backendRefs"][0]["name"],
            "main"
        );
    }

    #[test]
    fn images_split() {
        for (image, want) in [
            ("busybox", json!({"repository": "busybox"})),
            (
                "ghcr.io/a/b:1.2",
                json!({"repository": "ghcr.io/a/b", "tag": "1.2"}),
            ),
            ("reg:5000/a/b", json!({"repository": "reg:5000/a/b"})),
            (
                "a/b:1@sha256:ff",
                json!({"repository": "a/b", "tag": "1", "digest": "sha256:ff"}),
            ),
        ] {
            assert_eq!(split_image(image), want, "{image}");
        }
    }
}

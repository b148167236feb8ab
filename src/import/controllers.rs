//! The controllers of a release: which one is the app (it keeps the release's name), which
//! long-running ones become AppSpecs of their own, the names app-template gives their
//! objects (bjw-s common 2.x, 3.x and 4.x), and which values each AppSpec carries.

use std::collections::BTreeMap;

use serde_json::Value;

use super::release::Release;
use super::values::Path;

/// Whether an item of the values is on: a mapping without `enabled: false`.
fn is_enabled(item: &Value) -> bool {
    item.is_object() && item.get("enabled") != Some(&Value::Bool(false))
}

/// The enabled items under `key` (`controllers`, `service`), in document order:
/// (identifier, values).
fn enabled_items<'v>(values: &'v Value, key: &str) -> Vec<(&'v str, &'v Value)> {
    values
        .get(key)
        .and_then(Value::as_object)
        .map(|items| {
            items
                .iter()
                .filter(|(_, v)| is_enabled(v))
                .map(|(k, v)| (k.as_str(), v))
                .collect()
        })
        .unwrap_or_default()
}

/// The enabled controllers of the values, in document order.
fn enabled(values: &Value) -> Vec<(&str, &Value)> {
    enabled_items(values, "controllers")
}

/// The controller's `type`, as app-template defaults it.
pub fn kind(controller: &Value) -> &str {
    controller
        .get("type")
        .and_then(Value::as_str)
        .filter(|t| !t.is_empty())
        .unwrap_or("deployment")
}

/// Whether a controller runs continuously (not a CronJob or a Job).
pub fn long_running(controller: &Value) -> bool {
    !matches!(kind(controller), "cronjob" | "job")
}

fn text<'v>(v: &'v Value, key: &str) -> Option<&'v str> {
    v.get(key).and_then(Value::as_str).filter(|s| !s.is_empty())
}

/// The chart's `fullname`: the name every object starts with (app-template sets
/// `global.nameOverride` to the release name when the values do not).
pub fn fullname(release: &Release, values: &Value) -> String {
    let global = values.get("global").unwrap_or(&Value::Null);
    let release_name = release.release_name.as_str();
    let name = text(global, "nameOverride").unwrap_or(release_name);
    let name = match text(global, "fullnameOverride").or(text(values, "fullnameOverride")) {
        Some(full) => full.to_string(),
        None if release_name.contains(name) => release_name.to_string(),
        None => format!("{release_name}-{name}"),
    };
    trunc63(&name)
}

fn trunc63(s: &str) -> String {
    let t: String = s.chars().take(63).collect();
    t.trim_end_matches('-').to_string()
}

/// bjw-s common 4.x `determineResourceNameFromValues`: `forceRename`, `prefix`, the
/// identifier appended when there are several objects of the kind, `suffix`.
fn name_v4(full: &str, id: &str, item: &Value, count: usize, always_append: bool) -> String {
    if let Some(f) = text(item, "forceRename") {
        return f.to_lowercase();
    }
    let mut name = full.to_string();
    if let Some(prefix) = text(item, "prefix")
        && prefix != name
    {
        name = format!("{prefix}-{name}");
    }
    if (count > 1 || always_append) && !name.ends_with(&format!("-{id}")) && name != id {
        name = format!("{name}-{id}");
    }
    if let Some(suffix) = text(item, "suffix")
        && !name.ends_with(&format!("-{suffix}"))
    {
        name = format!("{name}-{suffix}");
    }
    name.to_lowercase()
}

fn always_append(values: &Value) -> bool {
    values.pointer("/global/alwaysAppendIdentifierToResourceName") == Some(&Value::Bool(true))
}

/// The name app-template gives a controller's workload (Deployment, StatefulSet, CronJob).
pub fn controller_name(release: &Release, values: &Value, id: &str) -> String {
    let full = fullname(release, values);
    let controllers = enabled(values);
    let item = controllers
        .iter()
        .find(|(k, _)| *k == id)
        .map(|(_, v)| *v)
        .unwrap_or(&Value::Null);
    match release.major() {
        Some(2) => match text(item, "nameOverride") {
            Some(o) => format!("{full}-{o}"),
            None if id == "main" => full,
            None => format!("{full}-{id}"),
        },
        Some(3) => match text(item, "nameOverride") {
            Some(o) if o == full => full,
            Some(o) => format!("{full}-{o}"),
            None if controllers.len() > 1 && id != full => format!("{full}-{id}"),
            None => full,
        },
        _ => name_v4(&full, id, item, controllers.len(), always_append(values)),
    }
}

/// The enabled Services of the values, in document order.
fn services(values: &Value) -> Vec<(&str, &Value)> {
    enabled_items(values, "service")
}

/// The name app-template gives a Service. In 2.x the chart's own `service.main` is
/// primary unless the release says otherwise.
pub fn service_name(release: &Release, values: &Value, id: &str) -> String {
    let full = fullname(release, values);
    let all = services(values);
    let item = all
        .iter()
        .find(|(k, _)| *k == id)
        .map(|(_, v)| *v)
        .unwrap_or(&Value::Null);
    let primary = item.get("primary").and_then(Value::as_bool);
    match release.major() {
        Some(2) => match text(item, "nameOverride") {
            Some(o) => format!("{full}-{o}"),
            None if primary.unwrap_or(id == "main") => full,
            None => format!("{full}-{id}"),
        },
        Some(3) => match text(item, "nameOverride") {
            Some(o) if o == full => full,
            Some(o) => format!("{full}-{o}"),
            None if primary != Some(true) && all.len() > 1 && id != full => {
                format!("{full}-{id}")
            }
            None => full,
        },
        _ => name_v4(&full, id, item, all.len(), always_append(values)),
    }
}

/// The controller a Service sends to: its `controller`, else the only controller (4.x
/// finds it), 2.x's `main` for the chart's own `service.main`, else the controller named
/// like the Service.
pub fn service_controller(release: &Release, values: &Value, id: &str) -> Option<String> {
    let svc = values.get("service")?.get(id)?;
    if let Some(c) = text(svc, "controller") {
        return Some(c.to_string());
    }
    let controllers = enabled(values);
    if controllers.len() == 1 {
        return Some(controllers[0].0.to_string());
    }
    if release.major() == Some(2) && id == "main" {
        return Some("main".into());
    }
    controllers
        .iter()
        .find(|(c, _)| *c == id)
        .map(|(c, _)| c.to_string())
}

/// The Service that carries an app's main port among its Services (identifier, values):
/// the one marked `primary`, else `app`, `main` or the one named like the controller,
/// else the first.
pub fn primary_service<T>(
    ours: &[(String, T)],
    cname: &str,
    primary: impl Fn(&T) -> bool,
) -> Option<usize> {
    if ours.is_empty() {
        return None;
    }
    ours.iter()
        .position(|(_, s)| primary(s))
        .or_else(|| {
            ours.iter()
                .position(|(id, _)| id == "app" || id == "main" || id == cname)
        })
        .or(Some(0))
}

/// The app's controller: the one named like the release, else the one whose workload
/// app-template names after the release alone (2.x `main`, or the identifier that is the
/// release's name), else the one the release's main Service (the one named after the
/// release) sends to, else the first that runs continuously, else the first at all.
pub fn main_controller(release: &Release, values: &Value) -> Option<String> {
    let all: Vec<(&str, &Value)> = enabled(values)
        .into_iter()
        .filter(|(_, c)| c.get("containers").is_some())
        .collect();
    let full = fullname(release, values);
    let runs = |id: &str| all.iter().any(|(c, v)| *c == id && long_running(v));
    let by_name = all
        .iter()
        .find(|(c, v)| long_running(v) && (*c == release.name || *c == release.release_name))
        .or_else(|| {
            all.iter()
                .find(|(c, v)| long_running(v) && controller_name(release, values, c) == full)
        })
        .map(|(c, _)| c.to_string());
    by_name
        .or_else(|| {
            services(values)
                .into_iter()
                .filter(|(id, _)| service_name(release, values, id) == full)
                .filter_map(|(id, _)| service_controller(release, values, id))
                .find(|c| runs(c))
        })
        .or_else(|| {
            all.iter()
                .find(|(_, v)| long_running(v))
                .map(|(c, _)| c.to_string())
        })
        .or_else(|| all.first().map(|(c, _)| c.to_string()))
}

/// One AppSpec of a release: the controller it runs and its name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Target {
    pub controller: String,
    /// The AppSpec's name (the release's for the app's controller).
    pub name: String,
    /// The release's app (its controller keeps the release's name).
    pub main: bool,
    /// The Service of this controller whose name the AppSpec keeps: (identifier, the
    /// name the chart gave it).
    pub service: Option<(String, String)>,
    /// Values another AppSpec of the same release carries, with that AppSpec's name.
    pub elsewhere: Vec<(Path, String)>,
    /// Persistence items (PVCs the chart makes) that this app mounts but another
    /// AppSpec of the release makes: identifier -> that AppSpec's name.
    pub claims_of_others: BTreeMap<String, String>,
}

impl Target {
    /// The one AppSpec of a release with a single long-running controller (or for a
    /// mapping run on its own): the app's controller, nothing elsewhere.
    pub fn single(release: &Release, values: &Value) -> Target {
        Target {
            controller: main_controller(release, values).unwrap_or_default(),
            name: release.name.clone(),
            main: true,
            service: None,
            elsewhere: Vec::new(),
            claims_of_others: BTreeMap::new(),
        }
    }
}

/// The Services a controller owns, in document order.
fn services_of(release: &Release, values: &Value, controller: &str) -> Vec<String> {
    services(values)
        .into_iter()
        .filter(|(id, _)| service_controller(release, values, id).as_deref() == Some(controller))
        .map(|(id, _)| id.to_string())
        .collect()
}

/// The controller whose Service a route, an Ingress or a ServiceMonitor sends to (the
/// first backend decides); `None` when it names none (the app's).
fn backend_controller(release: &Release, values: &Value, item: &Value) -> Option<String> {
    let mut refs: Vec<&Value> = Vec::new();
    for rule in item
        .get("rules")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        refs.extend(
            rule.get("backendRefs")
                .and_then(Value::as_array)
                .into_iter()
                .flatten(),
        );
    }
    for host in item
        .get("hosts")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        for path in host
            .get("paths")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            refs.extend(path.get("service"));
        }
    }
    refs.extend(item.get("service"));
    let by_name = |name: &str| {
        services(values)
            .into_iter()
            .map(|(id, _)| id)
            .find(|id| service_name(release, values, id) == name)
    };
    refs.extend(item.get("serviceName"));
    let first = refs.first()?;
    let sid = match first {
        Value::String(name) => by_name(name)?,
        b => match (text(b, "identifier"), text(b, "name")) {
            (Some(id), _) => id,
            (None, Some(name)) => by_name(name)?,
            _ => return None,
        },
    };
    service_controller(release, values, sid)
}

/// The values paths that belong to one controller: the controller itself, its Services,
/// its `advancedMounts`, and the routes, Ingresses and ServiceMonitors that send to its
/// Services (those that name no Service are the app's, `main`).
fn owned(release: &Release, values: &Value, controller: &str, main: &str) -> Vec<Path> {
    let root = Path::root();
    let mut out = vec![root.key("controllers").key(controller)];
    for sid in services_of(release, values, controller) {
        out.push(root.key("service").key(&sid));
    }
    if let Some(items) = values.get("persistence").and_then(Value::as_object) {
        for (id, item) in items {
            if item
                .get("advancedMounts")
                .and_then(|a| a.get(controller))
                .is_some()
            {
                out.push(
                    root.key("persistence")
                        .key(id)
                        .key("advancedMounts")
                        .key(controller),
                );
            }
        }
    }
    for key in ["route", "ingress", "serviceMonitor"] {
        for (id, item) in values
            .get(key)
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
        {
            let to = backend_controller(release, values, item);
            if to.as_deref().unwrap_or(main) == controller {
                out.push(root.key(key).key(id));
            }
        }
    }
    out
}

/// The controllers a persistence item is mounted into (every one without
/// `advancedMounts`; with them, also the ones they name), among `among`.
fn mounted_into<'a>(item: &Value, among: &'a [String]) -> Vec<&'a String> {
    let global = item.get("globalMounts").is_some() || item.get("advancedMounts").is_none();
    among
        .iter()
        .filter(|c| {
            global
                || item
                    .get("advancedMounts")
                    .and_then(|a| a.get(c.as_str()))
                    .is_some()
        })
        .collect()
}

/// A controller, the AppSpec name it runs as, and the Service (identifier, chart's name)
/// whose name that keeps.
type Named = (String, String, Option<(String, String)>);

/// What a release becomes: the app's controller first, then every other long-running or
/// CronJob controller as an AppSpec of its own, named the way app-template names that
/// controller's Service (so in-cluster URLs keep working), else its workload (a CronJob's
/// AppSpec is named like the CronJob the chart made).
pub fn plan(release: &Release, values: &Value, skip: &[String]) -> Vec<Target> {
    let Some(main) = main_controller(release, values) else {
        return vec![Target::single(release, values)];
    };
    // (controller, AppSpec name, the Service whose name it keeps).
    let mut names: Vec<Named> = vec![(main.clone(), release.name.clone(), None)];
    for (id, c) in enabled(values) {
        if id == main
            || !(long_running(c) || kind(c) == "cronjob")
            || c.get("containers").is_none()
            || skip.iter().any(|s| s == id)
        {
            continue;
        }
        let own: Vec<(String, bool)> = services_of(release, values, id)
            .into_iter()
            .map(|s| {
                let p = values
                    .get("service")
                    .and_then(|v| v.get(&s))
                    .and_then(|v| v.get("primary"))
                    == Some(&Value::Bool(true));
                (s, p)
            })
            .collect();
        let service = primary_service(&own, id, |p| *p).map(|i| {
            let sid = own[i].0.clone();
            let chart = service_name(release, values, &sid);
            (sid, chart)
        });
        let taken = |n: &str| names.iter().any(|(_, x, _)| x == n);
        let name = match &service {
            Some((_, s)) if !taken(s) => s.clone(),
            _ => controller_name(release, values, id),
        };
        if taken(&name) {
            continue;
        }
        names.push((id.to_string(), name, service));
    }
    let imported: Vec<String> = names.iter().map(|(c, _, _)| c.clone()).collect();
    let mut out = Vec::new();
    for (i, (controller, name, service)) in names.iter().enumerate() {
        let mut elsewhere = Vec::new();
        for (other, other_name, _) in names.iter().filter(|(c, _, _)| c != controller) {
            for p in owned(release, values, other, &main) {
                elsewhere.push((p, other_name.clone()));
            }
        }
        let mut claims_of_others = BTreeMap::new();
        for (id, item) in values
            .get("persistence")
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
        {
            let chart_pvc = item.get("existingClaim").is_none()
                && item
                    .get("type")
                    .and_then(Value::as_str)
                    .is_none_or(|t| t == "persistentVolumeClaim")
                && is_enabled(item);
            let users = mounted_into(item, &imported);
            if !chart_pvc || !users.contains(&controller) {
                continue;
            }
            // The app's own controller makes it when it mounts it, else the first other.
            if let Some(owner) = users.first()
                && *owner != controller
            {
                let owner_name = names
                    .iter()
                    .find(|(c, _, _)| c == *owner)
                    .map(|(_, n, _)| n.clone())
                    .unwrap_or_default();
                claims_of_others.insert(id.clone(), owner_name);
            }
        }
        out.push(Target {
            controller: controller.clone(),
            name: name.clone(),
            main: i == 0,
            service: service.clone(),
            elsewhere,
            claims_of_others,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn release(version: &str, values: Value) -> (Release, Value) {
        let doc = json!({"apiVersion": "helm.toolkit.fluxcd.io/v2", "kind": "HelmRelease",
            "metadata": {"name": "immich", "namespace": "media"},
            "spec": {"chart": {"spec": {"chart": "app-template", "version": version}},
                     "values": values.clone()}});
        (super::super::release::recognize(&doc, &[]).unwrap(), values)
    }

    fn two() -> Value {
        json!({"controllers": {
                "immich": {"containers": {"app": {"image": "a"}}},
                "machine-learning": {"containers": {"app": {"image": "b"}}}},
               "service": {
                "app": {"controller": "immich", "ports": {"http": {"port": 2283}}},
                "machine-learning": {"controller": "machine-learning",
                                     "ports": {"http": {"port": 3003}}}}})
    }

    #[test]
    fn names_per_chart_major() {
        // (version, controller id, service id, workload name, Service name)
        let table = [
            ("2.6.0", "immich", "app", "immich-immich", "immich-app"),
            (
                "2.6.0",
                "machine-learning",
                "machine-learning",
                "immich-machine-learning",
                "immich-machine-learning",
            ),
            ("3.7.3", "immich", "app", "immich", "immich-app"),
            (
                "3.7.3",
                "machine-learning",
                "machine-learning",
                "immich-machine-learning",
                "immich-machine-learning",
            ),
            ("4.1.1", "immich", "app", "immich", "immich-app"),
            (
                "4.1.1",
                "machine-learning",
                "machine-learning",
                "immich-machine-learning",
                "immich-machine-learning",
            ),
        ];
        for (version, c, s, workload, service) in table {
            let (r, v) = release(version, two());
            assert_eq!(controller_name(&r, &v, c), workload, "{version} {c}");
            assert_eq!(service_name(&r, &v, s), service, "{version} {s}");
        }
        // One Service: the release's name in 3.x and 4.x; 2.x's primary `main` too.
        let mut one = two();
        one["service"]
            .as_object_mut()
            .unwrap()
            .remove("machine-learning");
        for version in ["3.7.3", "4.1.1"] {
            let (r, v) = release(version, one.clone());
            assert_eq!(service_name(&r, &v, "app"), "immich", "{version}");
        }
        let (r, v) = release("2.6.0", json!({"service": {"main": {"ports": {}}}}));
        assert_eq!(service_name(&r, &v, "main"), "immich");
        // 3.x: a primary Service keeps the release's name; 4.x appends the identifier.
        let mut primary = two();
        primary["service"]["app"]["primary"] = json!(true);
        let (r, v) = release("3.7.3", primary.clone());
        assert_eq!(service_name(&r, &v, "app"), "immich");
        let (r, v) = release("4.1.1", primary);
        assert_eq!(service_name(&r, &v, "app"), "immich-app");
        // forceRename, prefix and suffix (4.x); fullnameOverride.
        let mut renamed = two();
        renamed["service"]["machine-learning"]["forceRename"] = json!("ml");
        renamed["controllers"]["machine-learning"]["suffix"] = json!("worker");
        renamed["fullnameOverride"] = json!("photos");
        let (r, v) = release("4.1.1", renamed);
        assert_eq!(service_name(&r, &v, "machine-learning"), "ml");
        assert_eq!(
            controller_name(&r, &v, "machine-learning"),
            "photos-machine-learning-worker"
        );
        assert_eq!(service_name(&r, &v, "app"), "photos-app");
    }

    #[test]
    fn the_app_and_the_other_controllers() {
        let (r, v) = release("3.7.3", two());
        let targets = plan(&r, &v, &[]);
        let shown: Vec<(String, String, bool)> = targets
            .iter()
            .map(|t| (t.controller.clone(), t.name.clone(), t.main))
            .collect();
        assert_eq!(
            shown,
            [
                ("immich".into(), "immich".into(), true),
                (
                    "machine-learning".into(),
                    "immich-machine-learning".into(),
                    false
                )
            ]
        );
        let elsewhere: Vec<String> = targets[0]
            .elsewhere
            .iter()
            .map(|(p, _)| p.to_string())
            .collect();
        assert_eq!(
            elsewhere,
            ["controllers.machine-learning", "service.machine-learning"]
        );
        // The app is the controller the main Service (named after the release) sends to.
        let mut v = json!({"controllers": {
            "cleanup": {"type": "cronjob", "containers": {"app": {"image": "x"}}},
            "worker": {"containers": {"app": {"image": "y"}}},
            "server": {"containers": {"app": {"image": "z"}}}},
            "service": {"app": {"controller": "server", "ports": {"http": {"port": 80}}}}});
        let (r, values) = release("4.1.1", v.clone());
        assert_eq!(main_controller(&r, &values).as_deref(), Some("server"));
        let names: Vec<String> = plan(&r, &values, &[])
            .iter()
            .map(|t| t.name.clone())
            .collect();
        // The CronJob beside it is an AppSpec of its own too (with `job`), named like its CronJob.
        assert_eq!(names, ["immich", "immich-cleanup", "immich-worker"]);
        // A CronJob only: it is the app (an AppSpec with `job`).
        v["controllers"] =
            json!({"sync": {"type": "cronjob", "containers": {"app": {"image": "x"}}}});
        let (r, values) = release("4.1.1", v);
        assert_eq!(main_controller(&r, &values).as_deref(), Some("sync"));
    }

    #[test]
    fn routes_and_monitors_go_with_the_service_they_send_to() {
        let mut v = two();
        v["route"] = json!({
            "app": {"hostnames": ["photos.example.org"]},
            "ml": {"hostnames": ["ml.example.org"], "rules": [{"backendRefs": [
                {"identifier": "machine-learning", "port": 3003}]}]}});
        v["ingress"] = json!({"ml": {"hosts": [{"host": "ml.lan.example.org", "paths": [
            {"path": "/", "service": {"name": "immich-machine-learning", "port": 3003}}]}]}});
        v["serviceMonitor"] = json!({
            "app": {"serviceName": "immich-app", "endpoints": [{"port": "http"}]},
            "ml": {"service": {"identifier": "machine-learning"}, "endpoints": [{"port": "http"}]}});
        let (r, v) = release("3.7.3", v);
        let targets = plan(&r, &v, &[]);
        let shown = |t: &Target| -> Vec<String> {
            t.elsewhere
                .iter()
                .map(|(p, n)| format!("{p} -> {n}"))
                .collect()
        };
        assert_eq!(
            shown(&targets[0]),
            [
                "controllers.machine-learning -> immich-machine-learning",
                "service.machine-learning -> immich-machine-learning",
                "route.ml -> immich-machine-learning",
                "ingress.ml -> immich-machine-learning",
                "serviceMonitor.ml -> immich-machine-learning",
            ]
        );
        // A route that names no Service is the app's.
        assert_eq!(
            shown(&targets[1]),
            [
                "controllers.immich -> immich",
                "service.app -> immich",
                "route.app -> immich",
                "serviceMonitor.app -> immich",
            ]
        );
    }

    #[test]
    fn a_chart_pvc_of_two_controllers_is_made_by_one() {
        let mut v = two();
        v["persistence"] = json!({
            "shared": {"size": "1Gi", "globalMounts": [{"path": "/shared"}]},
            "models": {"size": "5Gi", "advancedMounts": {"machine-learning": {"app": [{"path": "/models"}]}}},
            "photos": {"existingClaim": "photos", "globalMounts": [{"path": "/photos"}]}});
        let (r, v) = release("3.7.3", v);
        let targets = plan(&r, &v, &[]);
        assert!(targets[0].claims_of_others.is_empty());
        assert_eq!(
            targets[1].claims_of_others,
            BTreeMap::from([("shared".to_string(), "immich".to_string())])
        );
    }
}

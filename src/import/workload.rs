//! Controllers, containers, probes and pod options of app-template values, onto AppSpec.

use std::collections::BTreeMap;

use serde_json::{Map, Value, json};

use super::mapper::{Fatal, Mapper, unsupported};
use super::values::Node;
use crate::model::pod::Capability;

/// The controller this AppSpec runs (see `controllers::plan`) and its main container;
/// controllers that other AppSpecs of the release run are theirs, any other is dropped.
pub fn choose<'v>(m: &mut Mapper, root: &Node<'v>) -> Result<(Node<'v>, Node<'v>), Fatal> {
    let Some(controllers) = root.get("controllers").filter(Node::is_map) else {
        return Err(Fatal {
            path: root.path().key("controllers"),
            reason: "no controllers: nothing to run".into(),
        });
    };
    let wanted = m.input.target.controller.clone();
    let mut chosen = None;
    let mut others = Vec::new();
    for (name, c) in controllers.entries() {
        if !c.enabled() {
            m.t.take(&c);
        } else if name == wanted && c.get("containers").is_some() {
            chosen = Some((name, c));
        } else {
            others.push(c);
        }
    }
    let (cname, controller) = chosen.ok_or_else(|| Fatal {
        path: controllers.path(),
        reason: "no enabled controller with containers".into(),
    })?;
    for other in &others {
        if m.elsewhere(other).is_some() {
            continue;
        }
        let why = if super::controllers::long_running(other.value) {
            format!(
                "a second controller is not supported: an AppSpec runs one workload ({cname}); import it as an app of its own"
            )
        } else {
            let kind = super::controllers::kind(other.value);
            format!(
                "a {kind} controller{} is not supported: an AppSpec runs a Deployment, a StatefulSet or a CronJob (job)",
                if kind == "job" {
                    " (a one-off Job)"
                } else {
                    ""
                }
            )
        };
        m.t.drop(other, why);
    }
    if let Some(enabled) = controller.get("enabled") {
        m.t.take(&enabled);
    }
    let kind = controller
        .get("type")
        .and_then(|t| t.str().map(str::to_string))
        .unwrap_or_else(|| "deployment".into());
    match kind.as_str() {
        "deployment" => {
            if let Some(t) = controller.get("type") {
                m.t.take(&t);
            }
        }
        "statefulset" => {
            let t = controller.get("type").expect("the type was read");
            m.emit(&["workload"], json!("statefulset"), &t, "StatefulSets are");
        }
        "cronjob" if m.shape().has(&["job"]) => cronjob(m, &controller)?,
        other => {
            return Err(Fatal {
                path: controller.path().key("type"),
                reason: format!(
                    "a {other} controller is not supported: an AppSpec runs a Deployment, a StatefulSet or a CronJob (job)"
                ),
            });
        }
    }
    let containers = controller.get("containers").filter(Node::is_map);
    let mut list = Vec::new();
    for (name, c) in containers.iter().flat_map(Node::entries) {
        if !c.enabled() {
            m.t.take(&c);
        } else {
            list.push((name, c));
        }
    }
    let main = list
        .iter()
        .position(|(n, _)| *n == "app" || *n == "main" || *n == cname)
        .or(if list.is_empty() { None } else { Some(0) })
        .ok_or_else(|| Fatal {
            path: controller.path().key("containers"),
            reason: "no enabled container".into(),
        })?;
    let (main_name, main) = list.remove(main);
    m.facts.controller = cname.to_string();
    m.facts.container = main_name.to_string();
    for (name, c) in list {
        extra_container(m, &c, name, "sidecars", "sidecar containers are");
    }
    Ok((controller, main))
}

/// What app-template writes on its CronJob when the values leave it out (bjw-s common 2.x
/// to 4.x `classes/_cronjob.tpl`), by the values' key: the key of `spec.job`, the chart's
/// default, and Kubernetes' (AppSpec's) default; `None` when it has none.
const CRONJOB: &[(&str, &str, Option<i64>, Option<i64>)] = &[
    (
        "startingDeadlineSeconds",
        "startingDeadlineSeconds",
        Some(30),
        None,
    ),
    (
        "successfulJobsHistory",
        "successfulJobsHistoryLimit",
        Some(1),
        Some(3),
    ),
    (
        "failedJobsHistory",
        "failedJobsHistoryLimit",
        Some(1),
        Some(1),
    ),
    ("backoffLimit", "backoffLimit", Some(6), Some(6)),
    ("activeDeadlineSeconds", "activeDeadlineSeconds", None, None),
    (
        "ttlSecondsAfterFinished",
        "ttlSecondsAfterFinished",
        None,
        None,
    ),
    ("parallelism", "parallelism", None, None),
];

/// A `type: cronjob` controller onto `job`: its `cronjob` settings, and the chart's own
/// defaults where they are not Kubernetes' (a missed run starts at most 30 s late, one
/// finished Job of each outcome is kept), written out with a note.
fn cronjob(m: &mut Mapper, controller: &Node) -> Result<(), Fatal> {
    let t = controller.get("type").expect("the type was read");
    let settings = controller.get("cronjob");
    let schedule = settings
        .as_ref()
        .and_then(|s| s.get("schedule"))
        .and_then(|s| m.real_text(&s, "the schedule").map(|text| (text, s)));
    let Some((schedule, schedule_node)) = schedule else {
        return Err(Fatal {
            path: controller.path().key("cronjob").key("schedule"),
            reason: "a cronjob controller without a usable schedule".into(),
        });
    };
    let mut job = Map::new();
    job.insert("schedule".into(), json!(schedule));
    let mut origins: Vec<(String, Node)> = vec![("schedule".into(), schedule_node)];
    let mut written_defaults = Vec::new();
    if let Some(s) = &settings {
        for (key, v) in s.entries() {
            match key {
                "schedule" => {}
                "timeZone" => {
                    if let Some(tz) = m.real_text(&v, "the time zone") {
                        job.insert("timeZone".into(), json!(tz));
                        origins.push(("timeZone".into(), v));
                    }
                }
                "suspend" => match v.bool() {
                    Some(false) => m.t.take(&v),
                    Some(true) => {
                        job.insert("suspend".into(), json!(true));
                        origins.push(("suspend".into(), v));
                    }
                    None => m.t.drop(&v, "suspend is not true or false"),
                },
                "concurrencyPolicy" => match v.str() {
                    Some("Forbid") => m.t.take(&v),
                    Some(p @ ("Allow" | "Replace")) => {
                        job.insert("concurrencyPolicy".into(), json!(p));
                        origins.push(("concurrencyPolicy".into(), v));
                    }
                    _ => m.t.drop(
                        &v,
                        "a concurrencyPolicy other than Allow, Forbid or Replace",
                    ),
                },
                _ => {
                    let Some((_, field, _, k8s)) = CRONJOB.iter().find(|(k, ..)| *k == key) else {
                        continue; // left unread: listed
                    };
                    match v.int() {
                        Some(n) if Some(n) == *k8s => m.t.take(&v),
                        Some(n) => {
                            job.insert((*field).into(), json!(n));
                            origins.push(((*field).into(), v));
                        }
                        None => m.t.drop(&v, format!("{key} is not a whole number")),
                    }
                }
            }
        }
    }
    for (key, field, chart, k8s) in CRONJOB {
        let set = settings.as_ref().and_then(|s| s.get(key)).is_some();
        if let Some(d) = chart
            && !set
            && chart != k8s
        {
            job.insert((*field).into(), json!(d));
            written_defaults.push(format!("{field}: {d}"));
        }
    }
    let job = super::mapper::ordered(job, JOB_ORDER);
    if !m.emit(&["job"], Value::Object(job), &t, "scheduled jobs (job) are") {
        return Err(Fatal {
            path: t.path(),
            reason: "a cronjob controller cannot become an AppSpec job".into(),
        });
    }
    for (field, node) in origins {
        m.origins.push((format!("spec.job.{field}"), node.path()));
        m.t.take(&node);
    }
    if let Some(s) = &settings {
        for (key, v) in s.entries() {
            if key == "enabled" {
                m.t.take(&v);
            }
        }
    }
    if !written_defaults.is_empty() {
        m.t.remark(
            controller.path().key("cronjob"),
            format!(
                "app-template's CronJob has {} unless the release sets {}: written out in job",
                written_defaults.join(", "),
                if written_defaults.len() == 1 {
                    "it"
                } else {
                    "them"
                }
            ),
        );
    }
    m.facts.job = true;
    Ok(())
}

/// `job` fields in the order of the AppSpec type.
const JOB_ORDER: &[&str] = &[
    "schedule",
    "timeZone",
    "concurrencyPolicy",
    "suspend",
    "startingDeadlineSeconds",
    "successfulJobsHistoryLimit",
    "failedJobsHistoryLimit",
    "backoffLimit",
    "activeDeadlineSeconds",
    "ttlSecondsAfterFinished",
    "parallelism",
    "restartPolicy",
];

/// `repository:tag@digest` of an image value; `Err` when it cannot be written.
fn image_ref(m: &mut Mapper, image: &Node) -> Result<String, Fatal> {
    let fatal = |reason: String| Fatal {
        path: image.path(),
        reason,
    };
    if let Some(s) = image.str() {
        m.t.take(image);
        return Ok(s.to_string());
    }
    let repo = image
        .get("repository")
        .and_then(|r| r.scalar_text())
        .ok_or_else(|| fatal("no image repository".into()))?;
    let mut out = repo;
    if let Some(tag) = image.get("tag").and_then(|t| t.scalar_text()) {
        out = format!("{out}:{tag}");
    }
    if let Some(digest) = image.get("digest").and_then(|d| d.scalar_text()) {
        out = format!("{out}@{digest}");
    }
    if out.contains("{{") || !super::subst::flux_vars(&out).is_empty() {
        return Err(fatal(format!(
            "the image {out:?} needs real values (a Helm template or a Flux variable: pass --set VAR=value)"
        )));
    }
    for key in ["repository", "tag", "digest"] {
        if let Some(n) = image.get(key) {
            m.t.take(&n);
        }
    }
    if let Some(policy) = image.get("pullPolicy") {
        let latest = image.get("tag").is_none_or(|t| t.str() == Some("latest"));
        match policy.str() {
            Some("IfNotPresent") if !latest => m.t.take(&policy),
            Some("Always") if latest => m.t.take(&policy),
            _ => m.t.drop(
                &policy,
                "the pull policy is not set: Kubernetes' default for the tag applies",
            ),
        }
    }
    Ok(out)
}

fn string_list(m: &mut Mapper, node: &Node) -> Option<Vec<String>> {
    if node.str().is_some() {
        return m.text(node).map(|s| vec![s]);
    }
    let mut out = Vec::new();
    for item in node.items() {
        out.push(m.text(&item)?);
    }
    Some(out)
}

/// The env of a container as AppSpec env values with their origin: plain values (numbers
/// and booleans written as strings, as app-template does) and `{secret, key}`.
fn env_entries<'v>(m: &mut Mapper, env: &Node<'v>) -> Vec<(String, Value, Node<'v>)> {
    let pairs: Vec<(String, Node)> = if env.is_map() {
        env.entries()
            .into_iter()
            .map(|(k, v)| (k.to_string(), v))
            .collect()
    } else {
        env.items()
            .into_iter()
            .filter_map(|i| Some((i.get("name")?.str()?.to_string(), i)))
            .collect()
    };
    let mut out = Vec::new();
    for (name, v) in pairs {
        if !v.is_map() {
            if let Some(text) = m.text(&v) {
                out.push((name, Value::String(text), v));
            }
            continue;
        }
        if let Some(n) = v.get("name") {
            m.t.take(&n);
        }
        if let Some(dep) = v.get("dependsOn") {
            m.t.take(&dep);
        }
        if let Some(value) = v.get("value") {
            if let Some(text) = m.text(&value) {
                out.push((name, Value::String(text), value));
            }
            continue;
        }
        let from = v.get("valueFrom").unwrap_or_else(|| v.clone());
        match from.get("secretKeyRef") {
            Some(r) if r.get("name").is_some() && r.get("key").is_some() => {
                let (Some(secret), Some(key)) = (
                    r.get("name")
                        .and_then(|n| m.real_text(&n, "the Secret name")),
                    r.get("key").and_then(|k| m.text(&k)),
                ) else {
                    continue;
                };
                if let Some(optional) = r.get("optional") {
                    m.t.drop(&optional, "optional Secret keys are not supported");
                }
                out.push((name, json!({"secret": secret, "key": key}), v.clone()));
            }
            _ => {
                let kind = from
                    .entries()
                    .first()
                    .map(|(k, _)| k.to_string())
                    .unwrap_or_default();
                m.t.drop(
                    &v,
                    format!("env from a {kind} is not supported (only values and Secret keys)"),
                );
            }
        }
    }
    out
}

/// The Secrets of `envFrom`; other sources are dropped.
fn env_from<'v>(m: &mut Mapper, env_from: &Node<'v>) -> Vec<(String, Node<'v>)> {
    let mut out = Vec::new();
    for item in env_from.items() {
        if let Some(prefix) = item.get("prefix") {
            m.t.drop(&prefix, "env name prefixes are not supported");
        }
        let name = match (item.get("secretRef"), item.get("secret")) {
            (Some(r), _) if r.get("identifier").is_some() => {
                m.t.drop(
                    &r,
                    "a Secret made by the chart (identifier): AppSpec never puts Secret values in Git",
                );
                continue;
            }
            (Some(r), _) => r.get("name"),
            (None, Some(s)) => Some(s),
            (None, None) => {
                m.t.drop(
                    &item,
                    "env from a ConfigMap is not supported (only from Secrets)",
                );
                continue;
            }
        };
        if let Some(secret) = name
            .as_ref()
            .and_then(|n| m.real_text(n, "the Secret name"))
        {
            out.push((secret, item));
        }
    }
    out
}

/// The main container: image, command, args, env, resources.
pub fn container(
    m: &mut Mapper,
    controller: &Node,
    main: &Node,
    root: &Node,
) -> Result<String, Fatal> {
    let Some(image) = main.get("image") else {
        return Err(Fatal {
            path: main.path().key("image"),
            reason: "the container has no image".into(),
        });
    };
    let image = image_ref(m, &image)?;
    for key in ["command", "args"] {
        if let Some(node) = main.get(key)
            && let Some(list) = string_list(m, &node)
        {
            let what = if key == "args" {
                "container args are"
            } else {
                "a container command is"
            };
            m.emit(&[key], json!(list), &node, what);
        }
    }
    if let Some(env) = main.get("env") {
        for (name, value, origin) in env_entries(m, &env) {
            let what = if value.is_object() {
                "env from a Secret key (valueFrom.secretKeyRef) is"
            } else {
                "this env value is"
            };
            m.emit(&["env", &name], value, &origin, what);
        }
    }
    if let Some(from) = main.get("envFrom") {
        for (secret, origin) in env_from(m, &from) {
            m.push(
                &["secretEnv", "existing"],
                json!(secret),
                &origin,
                "env from whole Secrets (envFrom) is",
            );
        }
    }
    if let Some(res) = main.get("resources") {
        resources(m, &res, controller, root);
    }
    for key in ["nameOverride", "dependsOn", "enabled"] {
        if let Some(n) = main.get(key) {
            m.t.take(&n);
        }
    }
    Ok(image)
}

fn resources(m: &mut Mapper, res: &Node, controller: &Node, root: &Node) {
    let mut limited: Vec<(String, bool)> = Vec::new();
    for kind in ["limits", "requests"] {
        let Some(amounts) = res.get(kind) else {
            continue;
        };
        for (name, q) in amounts.entries() {
            let basic = matches!(name, "cpu" | "memory");
            let value = match (basic, q.value) {
                (true, _) => match q.scalar_text() {
                    Some(t) => json!(t),
                    None => continue,
                },
                (false, Value::Number(n)) if n.is_i64() => json!(n.as_i64()),
                (false, Value::String(s)) if s.parse::<i64>().is_ok() => {
                    json!(s.parse::<i64>().unwrap_or_default())
                }
                _ => {
                    m.t.drop(&q, format!("the quantity of {name} is not an integer"));
                    continue;
                }
            };
            let what = if basic {
                format!("{kind}.{name} is")
            } else {
                format!("the extended resource {name} is")
            };
            if !basic && kind == "requests" {
                // Extended resources: requests equal the limit, which AppSpec writes.
                let limit = res.get("limits").and_then(|l| l.get(name));
                let carried = limited.iter().any(|(n, ok)| n == name && *ok);
                if limit.as_ref().is_some_and(|l| l.value == q.value) {
                    if carried {
                        m.t.take(&q);
                    } else {
                        m.t.drop(&q, unsupported(&what));
                    }
                    continue;
                }
            }
            if basic && kind == "requests" && res.get("limits").and_then(|l| l.get(name)).is_none()
            {
                // No limit cannot be written: AppSpec applies the platform's default one. A
                // request above it would not validate, so the limit becomes the request.
                let default = m
                    .platform(&format!("/defaults/resources/limits/{name}"))
                    .and_then(Value::as_str)
                    .and_then(crate::validate::quantity::parse);
                let request = q
                    .scalar_text()
                    .as_deref()
                    .and_then(crate::validate::quantity::parse);
                if let (Some(d), Some(r)) = (default, request)
                    && r > d
                    && m.emit(&["resources", "limits", name], value.clone(), &q, &what)
                {
                    m.facts.limit_from_request = true;
                }
            }
            let ok = m.emit(&["resources", kind, name], value.clone(), &q, &what);
            if kind == "limits" {
                limited.push((name.to_string(), ok));
                // Kubernetes sets a missing request to the limit; AppSpec would take the
                // platform's default instead, so the request is written out.
                let requested = res.get("requests").and_then(|r| r.get(name)).is_some();
                if ok && basic && !requested {
                    m.emit(&["resources", "requests", name], value, &q, &what);
                }
            }
        }
    }
    if let Some(claims) = res.get("claims") {
        let pod_claims: Vec<Node> = [
            controller.get("pod").and_then(|p| p.get("resourceClaims")),
            root.get("defaultPodOptions")
                .and_then(|p| p.get("resourceClaims")),
        ]
        .into_iter()
        .flatten()
        .flat_map(|n| n.items())
        .collect();
        for claim in claims.items() {
            let Some(name) = claim.get("name").and_then(|n| n.str()) else {
                continue;
            };
            let template = pod_claims.iter().find_map(|p| {
                (p.get("name")?.str()? == name)
                    .then(|| p.clone())
                    .and_then(|p| Some((p.clone(), p.get("resourceClaimTemplateName")?)))
            });
            match template {
                Some((pod_claim, t)) => {
                    if let Some(tname) = m.real_text(&t, "the ResourceClaimTemplate")
                        && m.emit(
                            &["resources", "claims", name],
                            json!(tname),
                            &claim,
                            "dynamic resource claims are",
                        )
                    {
                        m.t.take(&pod_claim);
                    } else {
                        m.t.drop(&pod_claim, unsupported("dynamic resource claims are"));
                    }
                }
                None => m.t.drop(
                    &claim,
                    "a resource claim without a ResourceClaimTemplate in the pod",
                ),
            }
        }
    }
}

/// Init containers and sidecars: `{name, image, command, args, env, secretEnv}`.
fn extra_container(m: &mut Mapper, c: &Node, name: &str, field: &str, what: &str) {
    if !m.shape().has(&[field]) {
        m.t.drop(c, unsupported(what));
        return;
    }
    let Some(image) = c.get("image") else {
        m.t.drop(c, "the container has no image");
        return;
    };
    let image = match image_ref(m, &image) {
        Ok(i) => i,
        Err(f) => {
            m.t.drop(c, f.reason);
            return;
        }
    };
    let mut item = Map::new();
    item.insert("name".into(), json!(name));
    item.insert("image".into(), json!(image));
    for key in ["command", "args"] {
        if let Some(node) = c.get(key)
            && let Some(list) = string_list(m, &node)
        {
            if m.shape().has(&[field, "[]", key]) {
                item.insert(key.into(), json!(list));
                m.t.take(&node);
            } else {
                m.t.drop(&node, unsupported(&format!("{key} of {field} is")));
            }
        }
    }
    if let Some(env) = c.get("env") {
        let mut map = Map::new();
        for (k, v, origin) in env_entries(m, &env) {
            if m.shape().fits(&[field, "[]", "env", &k], &v) {
                map.insert(k, v);
                m.t.take(&origin);
            } else {
                m.t.drop(&origin, unsupported(&format!("this env of {field} is")));
            }
        }
        if !map.is_empty() {
            item.insert("env".into(), Value::Object(map));
        }
    }
    if let Some(from) = c.get("envFrom") {
        let mut existing = Vec::new();
        for (secret, origin) in env_from(m, &from) {
            if m.shape().has(&[field, "[]", "secretEnv", "existing"]) {
                existing.push(json!(secret));
                m.t.take(&origin);
            } else {
                m.t.drop(&origin, unsupported(&format!("secretEnv of {field} is")));
            }
        }
        if !existing.is_empty() {
            item.insert("secretEnv".into(), json!({"existing": existing}));
        }
    }
    for key in ["nameOverride", "dependsOn", "enabled"] {
        if let Some(n) = c.get(key) {
            m.t.take(&n);
        }
    }
    let mut caps_origin = None;
    if let Some(sc) = c.get("securityContext") {
        // Extra containers run with the app's security context (SPEC section 8); a sidecar
        // may add the capabilities AppSpec allows.
        if let Some((caps, origin)) = container_security_same_as_app(m, &sc, field) {
            item.insert("capabilities".into(), json!(caps));
            caps_origin = Some(origin);
        }
    }
    if let Some(res) = c.get("resources") {
        m.t.drop(
            &res,
            format!("resources of {field} are not set apart from the app's"),
        );
    }
    if m.push(&[field], Value::Object(item), c, what)
        && let Some(origin) = caps_origin
    {
        // The engine's refusal of a capability (security: restricted) drops only them.
        let index = m.spec[field].as_array().map_or(0, |a| a.len() - 1);
        m.origins
            .push((format!("spec.{field}[{index}].capabilities"), origin.path()));
    }
}

/// A security context of an extra container is carried when it asks for nothing beyond
/// what AppSpec gives every container, or (a sidecar) adds capabilities AppSpec allows:
/// those are returned, with the node they come from.
fn container_security_same_as_app<'v>(
    m: &mut Mapper,
    sc: &Node<'v>,
    field: &str,
) -> Option<(Vec<String>, Node<'v>)> {
    let mut added = None;
    for (key, v) in sc.entries() {
        match key {
            "allowPrivilegeEscalation" if v.bool() == Some(false) => m.t.take(&v),
            "capabilities"
                if field == "sidecars"
                    && v.get("add").is_some()
                    && m.shape().has(&[field, "[]", "capabilities"]) =>
            {
                for (ck, cv) in v.entries() {
                    match ck {
                        "add" => match sidecar_capabilities(m, &cv) {
                            Ok(caps) => {
                                m.t.take(&cv);
                                added = (!caps.is_empty()).then_some((caps, cv));
                            }
                            Err(reason) => m.t.drop(&cv, reason),
                        },
                        "drop" if m.facts.restricted => m.t.take(&cv),
                        _ => {
                            m.t.drop(&cv, "extra containers run with the app's security settings")
                        }
                    }
                }
            }
            // Restricted drops every capability; one added is not what the app runs with.
            "readOnlyRootFilesystem" | "capabilities"
                if m.facts.restricted && v.get("add").is_none() =>
            {
                m.t.take(&v)
            }
            _ => {
                m.t.drop(&v, "extra containers run with the app's security settings")
            }
        }
    }
    added
}

/// `capabilities.add` of a sidecar as AppSpec writes it (each once), when every entry is
/// one a sidecar may add; else why not.
fn sidecar_capabilities(m: &mut Mapper, add: &Node) -> Result<Vec<String>, String> {
    if let Some(message) = m.refusal(add) {
        return Err(message.clone());
    }
    if !add.value.is_array() {
        return Err("capabilities.add must be a list of names such as NET_ADMIN".into());
    }
    let allowed: Vec<&str> = Capability::ALL.iter().map(|c| c.as_str()).collect();
    let mut out: Vec<String> = Vec::new();
    for item in add.items() {
        let Some(name) = item.str() else {
            return Err("a capability must be a name such as NET_ADMIN".into());
        };
        if !allowed.contains(&name) {
            return Err(format!(
                "capability {name} cannot be added to a sidecar: AppSpec allows only {}",
                allowed.join(", ")
            ));
        }
        if !out.iter().any(|c| c == name) {
            out.push(name.to_string());
        }
    }
    Ok(out)
}

/// The probe of one kind: its AppSpec check, or `None` when it is off.
#[derive(Clone, Debug, PartialEq)]
enum Check {
    Path(String, Option<String>),
    Tcp(Option<String>),
    Exec(Vec<String>),
}

impl Check {
    fn to_value(&self) -> Value {
        let mut v = match self {
            Check::Path(p, _) => json!({"path": p}),
            Check::Tcp(_) => json!({"tcp": true}),
            Check::Exec(cmd) => json!({"exec": cmd}),
        };
        if let Check::Path(_, Some(port)) | Check::Tcp(Some(port)) = self {
            v["port"] = json!(port);
        }
        v
    }
}

/// One enabled probe of the release: its check, whether it speaks HTTPS, its timings (by
/// Kubernetes name) and the values they came from.
#[derive(Clone, Debug)]
struct Probe<'v> {
    check: Check,
    https: bool,
    /// The timings other than Kubernetes' defaults.
    timings: BTreeMap<&'static str, i64>,
    timing_nodes: Vec<(&'static str, Node<'v>)>,
}

impl Probe<'_> {
    /// The AppSpec block of this probe: the check, its scheme and `timings`.
    fn block(&self, timings: &BTreeMap<&'static str, i64>) -> Value {
        let mut v = self.check.to_value();
        if self.https {
            v["scheme"] = json!("HTTPS");
        }
        for (name, _) in TIMINGS {
            if let Some(n) = timings.get(name) {
                v[*name] = json!(n);
            }
        }
        v
    }

    fn same_check(&self, other: &Probe) -> bool {
        self.check == other.check && self.https == other.https
    }
}

/// Kubernetes' probe timings and their defaults.
const TIMINGS: &[(&str, i64)] = &[
    ("initialDelaySeconds", 0),
    ("periodSeconds", 10),
    ("timeoutSeconds", 1),
    ("failureThreshold", 3),
    ("successThreshold", 1),
];

/// How long AppSpec's startup probe waits for a slow start (SPEC: about 5 minutes): the
/// budget the expansion gives it.
const STARTUP_BUDGET_SECONDS: i64 = crate::expand::container::PROBE_PERIOD as i64
    * crate::expand::container::STARTUP_FAILURES as i64;

/// The probes app-template 2.x gives `controllers.main.containers.main` in its own values
/// (bjw-s common library 2.x `values.yaml`, the same from 2.0.3 to 2.6.0, and the top-level
/// `probes` of 1.x from 1.0.0 to 1.5.1): TCP checks of the primary Service's port, merged
/// under what the release sets.
pub(super) fn chart_v2_default_probes() -> Value {
    let check =
        |spec: Value| json!({"enabled": true, "custom": false, "type": "TCP", "spec": spec});
    let kept = json!({"initialDelaySeconds": 0, "periodSeconds": 10, "timeoutSeconds": 1,
                      "failureThreshold": 3});
    json!({
        "liveness": check(kept.clone()),
        "readiness": check(kept),
        "startup": check(json!({"initialDelaySeconds": 0, "timeoutSeconds": 1,
                                "periodSeconds": 5, "failureThreshold": 30})),
    })
}

/// Helm's merge of the chart's values under the release's: maps merge key by key, the
/// release's value wins, and a null removes the chart's.
pub(super) fn helm_merge(chart: &Value, release: &Value) -> Value {
    match (chart, release) {
        (Value::Object(c), Value::Object(r)) => {
            let mut out = c.clone();
            for (k, v) in r {
                if v.is_null() {
                    out.remove(k);
                } else {
                    let merged = match c.get(k) {
                        Some(cv) => helm_merge(cv, v),
                        None => v.clone(),
                    };
                    out.insert(k.clone(), merged);
                }
            }
            Value::Object(out)
        }
        (c, Value::Null) => c.clone(),
        (_, r) => r.clone(),
    }
}

/// Resolves a probe port to AppSpec's: the main port (none), a named extra port, or `Err`.
fn probe_port(m: &Mapper, port: Option<&Node>) -> Result<Option<String>, String> {
    let Some(port) = port else {
        return Ok(None);
    };
    let main = m.facts.port.clone();
    if let Some(n) = port.int() {
        if main.as_ref().is_some_and(|(c, s, _)| *c == n || *s == n) {
            return Ok(None);
        }
        if let Some((name, _)) = m.facts.ports.iter().find(|(_, p)| **p == n) {
            return Ok(Some(name.clone()));
        }
        return Err(format!("port {n} is not a port of the app"));
    }
    let name = port.str().unwrap_or_default();
    if main.as_ref().is_some_and(|(_, _, n)| n == name) || name == "http" {
        return Ok(None);
    }
    if m.facts.ports.contains_key(name) {
        return Ok(Some(name.to_string()));
    }
    Err(format!("port {name:?} is not a port of the app"))
}

/// Whether an HTTP scheme is HTTPS; `None` (dropped) when this AppSpec cannot say it.
fn https(m: &mut Mapper, scheme: &Node) -> Option<bool> {
    match scheme.str() {
        Some("HTTP") => {
            m.t.take(scheme);
            Some(false)
        }
        Some("HTTPS") if m.shape().has(&["probes", "scheme"]) => {
            m.t.take(scheme);
            Some(true)
        }
        _ => {
            m.t.drop(scheme, unsupported("HTTPS probes are"));
            None
        }
    }
}

/// One probe kind: `Some(probe)` when enabled and expressible.
fn probe<'v>(m: &mut Mapper, node: &Node<'v>) -> Option<Probe<'v>> {
    let enabled = node.get("enabled").and_then(|e| e.bool()) == Some(true);
    if !enabled {
        m.t.take(node);
        return None;
    }
    m.t.take(&node.get("enabled")?);
    let custom = node.get("custom").and_then(|c| c.bool()) == Some(true);
    let spec = node.get("spec");
    let mut is_https = false;
    let check = if custom {
        if let Some(c) = node.get("custom") {
            m.t.take(&c);
        }
        let spec = spec.clone()?;
        if let Some(http) = spec.get("httpGet") {
            if let Some(scheme) = http.get("scheme") {
                is_https = https(m, &scheme)?;
            }
            let path = http
                .get("path")
                .and_then(|p| m.text(&p))
                .unwrap_or("/".into());
            match probe_port(m, http.get("port").as_ref()) {
                Ok(port) => {
                    for k in ["path", "port"] {
                        if let Some(n) = http.get(k) {
                            m.t.take(&n);
                        }
                    }
                    for (k, v) in http.entries() {
                        if !matches!(k, "path" | "port" | "scheme") {
                            m.t.drop(&v, format!("{k} of an HTTP probe is not supported"));
                        }
                    }
                    Check::Path(path, port)
                }
                Err(e) => {
                    m.t.drop(&http, e);
                    return None;
                }
            }
        } else if let Some(tcp) = spec.get("tcpSocket") {
            match probe_port(m, tcp.get("port").as_ref()) {
                Ok(port) => {
                    m.t.take(&tcp);
                    Check::Tcp(port)
                }
                Err(e) => {
                    m.t.drop(&tcp, e);
                    return None;
                }
            }
        } else if let Some(exec) = spec.get("exec") {
            let cmd = exec.get("command").and_then(|c| string_list(m, &c))?;
            m.t.take(&exec);
            Check::Exec(cmd)
        } else {
            m.t.drop(&spec, "only HTTP, TCP and exec probes are supported");
            return None;
        }
    } else {
        let kind_of = node
            .get("type")
            .and_then(|t| t.str().map(str::to_string))
            .unwrap_or_else(|| "TCP".into());
        let port = match probe_port(m, node.get("port").as_ref()) {
            Ok(p) => {
                if let Some(n) = node.get("port") {
                    m.t.take(&n);
                }
                p
            }
            Err(e) => {
                m.t.drop(&node.get("port")?, e);
                return None;
            }
        };
        let check = match kind_of.as_str() {
            "HTTP" | "AUTO" | "HTTPS" => {
                if kind_of == "HTTPS" {
                    is_https = https(m, &node.get("type")?)?;
                }
                let path = node
                    .get("path")
                    .and_then(|p| m.text(&p))
                    .unwrap_or_else(|| "/".into());
                if let Some(p) = node.get("path") {
                    m.t.take(&p);
                }
                Check::Path(path, port)
            }
            "TCP" => Check::Tcp(port),
            other => {
                m.t.drop(node, format!("{other} probes are not supported"));
                return None;
            }
        };
        if let Some(t) = node.get("type") {
            m.t.take(&t);
        }
        check
    };
    let mut timings = BTreeMap::new();
    let mut timing_nodes = Vec::new();
    if let Some(spec) = &spec {
        for (key, v) in spec.entries() {
            if matches!(key, "httpGet" | "tcpSocket" | "exec") {
                continue;
            }
            let Some((name, _)) = TIMINGS.iter().find(|(k, _)| *k == key) else {
                if custom {
                    m.t.drop(&v, format!("{key} of a probe is not supported"));
                } else {
                    // The chart reads only the four timings of a probe it builds.
                    m.t.note(
                        &v,
                        format!(
                            "app-template does not read {key} of a probe it builds (custom: false)"
                        ),
                    );
                }
                continue;
            };
            if !custom && *name == "successThreshold" {
                m.t.note(&v, "app-template does not read successThreshold of a probe it builds (custom: false)");
                continue;
            }
            match v.int() {
                Some(n) => {
                    // Kubernetes' own default is what leaving the timing out gives.
                    if TIMINGS.iter().all(|(k, d)| k != name || *d != n) {
                        timings.insert(*name, n);
                    }
                    timing_nodes.push((*name, v));
                }
                None => m.t.drop(
                    &v,
                    format!("{key} is not a whole number of seconds or times"),
                ),
            }
        }
    }
    Some(Probe {
        check,
        https: is_https,
        timings,
        timing_nodes,
    })
}

/// Timings where AppSpec cannot write them: each Kubernetes default is carried, a startup
/// budget within AppSpec's is carried, anything else is listed.
fn timings_without_fields(m: &mut Mapper, kind: &str, p: &Probe) {
    for (name, v) in &p.timing_nodes {
        let default = TIMINGS.iter().find(|(k, _)| k == name).map(|(_, d)| *d);
        if kind == "startup" && *name != "timeoutSeconds" && *name != "successThreshold" {
            let get = |k: &str, d: i64| p.timings.get(k).copied().unwrap_or(d);
            let budget = get("initialDelaySeconds", 0)
                + get("periodSeconds", 10) * get("failureThreshold", 3);
            if budget <= STARTUP_BUDGET_SECONDS {
                m.t.take(v);
            } else {
                m.t.drop(
                    v,
                    format!(
                        "the startup probe waits {budget}s; AppSpec's allows about {STARTUP_BUDGET_SECONDS}s"
                    ),
                );
            }
        } else if let Some(d) = default {
            m.default_or_drop(
                v,
                &json!(d),
                &format!(
                    "probe timings are not configurable: AppSpec keeps Kubernetes' {name}: {d}"
                ),
            );
        }
    }
}

/// `probes` of the main container onto AppSpec's short form, per-kind blocks and timings
/// (as far as this AppSpec has them). On app-template 2.x the chart's own default probes of
/// `controllers.main.containers.main` are merged in and written out, not dropped.
pub fn probes(m: &mut Mapper, main: &Node) {
    let own = main.get("probes");
    let chart_defaults = m.input.release.major() == Some(2)
        && m.facts.controller == "main"
        && m.facts.container == "main"
        && m.facts.port.is_some();
    let merged;
    let probes = if chart_defaults {
        merged = helm_merge(
            &chart_v2_default_probes(),
            own.as_ref().map(|o| o.value).unwrap_or(&Value::Null),
        );
        Node::at(&merged, main.path().key("probes"))
    } else {
        match own {
            Some(p) => p,
            None => return,
        }
    };
    let any_on = ["readiness", "liveness", "startup"].iter().any(|k| {
        probes
            .get(k)
            .and_then(|p| p.get("enabled"))
            .and_then(|e| e.bool())
            == Some(true)
    });
    if any_on && !m.shape().has(&["probes"]) {
        m.t.drop(&probes, unsupported("health probes are"));
        return;
    }
    if chart_defaults && any_on {
        m.t.remark(
            main.path(),
            "app-template 2.x gives this container TCP probes of the Service's port unless the release turns them off; they are written out in probes",
        );
    }
    let mut found: Vec<(&str, Option<Probe>, Option<Node>)> = Vec::new();
    for kind in ["readiness", "liveness", "startup"] {
        let node = probes.get(kind);
        let p = node.as_ref().and_then(|n| probe(m, n));
        found.push((kind, p, node));
    }
    let with_timings = m.shape().has(&["probes", "periodSeconds"]);
    let per_kind = m.shape().has(&["probes", "liveness"]);
    let base = found
        .iter()
        .filter(|(k, _, _)| *k != "startup" || !with_timings)
        .find_map(|(_, p, _)| p.clone());
    let Some(base) = base else {
        if let Some((_, Some(s), _)) = found.iter().find(|(k, _, _)| *k == "startup") {
            // Only a startup probe: readiness and liveness off, startup its own.
            let s = s.clone();
            let value = json!({"readiness": false, "liveness": false,
                               "startup": startup_block(&s)});
            if m.emit(&["probes"], value, &probes, "health probes are") {
                take_timings(m, &s);
            }
        }
        return;
    };
    let none = BTreeMap::new();
    let mut value = base.block(if with_timings { &base.timings } else { &none });
    let mut differing = Vec::new();
    for (kind, p, node) in &found {
        let own_block = match p {
            Some(p) if *kind == "startup" && with_timings => Some(startup_block(p)),
            Some(p) if p.same_check(&base) && (!with_timings || p.timings == base.timings) => None,
            Some(p) if with_timings => {
                // A kind's own block takes the short form's timings field by field: what
                // this kind leaves to Kubernetes is written out as Kubernetes' default.
                let mut t = p.timings.clone();
                for (name, d) in TIMINGS {
                    if base.timings.contains_key(name) && !t.contains_key(name) {
                        t.insert(name, *d);
                    }
                }
                Some(p.block(&t))
            }
            Some(p) => Some(p.block(&BTreeMap::new())),
            // No startup probe: AppSpec's startup probe on the same check only waits for the
            // start, so it is kept unless per-kind probes can switch it off.
            None if *kind == "startup" && !per_kind => None,
            None => Some(json!(false)),
        };
        let Some(block) = own_block else { continue };
        if per_kind {
            value[*kind] = block;
        } else if let Some(node) = node {
            differing.push((kind.to_string(), node.clone()));
        } else {
            differing.push((kind.to_string(), probes.clone()));
        }
    }
    if m.emit(&["probes"], value, &probes, "health probes are") {
        for (kind, node) in differing {
            let what = format!(
                "a {kind} check different from the others needs per-kind probes, which are"
            );
            m.t.drop_path(node.path(), unsupported(&what));
        }
        for (kind, p, _) in &found {
            if let Some(p) = p {
                if with_timings {
                    take_timings(m, p);
                } else {
                    timings_without_fields(m, kind, p);
                }
            }
        }
    }
}

/// A startup probe's own block: with timings of its own AppSpec uses exactly those, so a
/// release's startup probe without any gets Kubernetes' defaults written out (AppSpec's
/// own 5-minute budget would wait longer than the release did).
fn startup_block(p: &Probe) -> Value {
    let mut t = p.timings.clone();
    if t.is_empty() {
        t.insert("failureThreshold", 3);
    }
    p.block(&t)
}

fn take_timings(m: &mut Mapper, p: &Probe) {
    for (_, v) in &p.timing_nodes {
        m.t.take(v);
    }
}

/// The pod: security context, scheduling and pod options, merged from
/// `defaultPodOptions` and the controller's `pod` (the controller's win).
pub fn pod(m: &mut Mapper, root: &Node, controller: &Node, main: &Node) {
    let defaults = root.get("defaultPodOptions");
    let own = controller.get("pod");
    let mut keys: Vec<String> = Vec::new();
    for n in [&own, &defaults].into_iter().flatten() {
        for (k, _) in n.entries() {
            if !keys.iter().any(|x| x == k) {
                keys.push(k.to_string());
            }
        }
    }
    let effective = |k: &str| {
        own.as_ref()
            .and_then(|o| o.get(k))
            .or_else(|| defaults.as_ref().and_then(|d| d.get(k)))
    };
    // The shadowed defaults do not apply to this controller.
    if let (Some(own), Some(defaults)) = (&own, &defaults) {
        for (k, v) in defaults.entries() {
            if own.get(k).is_some() && k != "securityContext" {
                m.t.take(&v);
            }
        }
    }
    let pod_sc: Vec<Node> = [&own, &defaults]
        .into_iter()
        .flatten()
        .filter_map(|n| n.get("securityContext"))
        .collect();
    security(m, &pod_sc, main.get("securityContext"));
    for k in keys {
        let Some(v) = effective(&k) else { continue };
        match k.as_str() {
            "securityContext" | "resourceClaims" => {}
            "restartPolicy" => match (m.facts.job, v.str()) {
                (true, Some("Never")) | (false, Some("Always")) => m.t.take(&v),
                (true, Some("OnFailure")) => {
                    if m.emit(
                        &["job", "restartPolicy"],
                        json!("OnFailure"),
                        &v,
                        "a job's restartPolicy is",
                    ) {
                        let job = m.spec.get_mut("job").and_then(Value::as_object_mut);
                        if let Some(job) = job {
                            *job = super::mapper::ordered(std::mem::take(job), JOB_ORDER);
                        }
                    }
                }
                (true, _) => m.t.drop(&v, "a job's pod restarts Never or OnFailure"),
                (false, _) => m.t.drop(&v, "a served app's pod always restarts"),
            },
            "nodeSelector" => {
                m.emit(&["nodeSelector"], v.value.clone(), &v, "a node selector is");
            }
            "annotations" => {
                m.emit(
                    &["podAnnotations"],
                    v.value.clone(),
                    &v,
                    "pod annotations are",
                );
            }
            "hostNetwork"
            | "hostUsers"
            | "dnsConfig"
            | "tolerations"
            | "priorityClassName"
            | "terminationGracePeriodSeconds" => {
                m.emit(&["pod", &k], v.value.clone(), &v, &format!("pod {k} is"));
            }
            "dnsPolicy" => {
                let with_host = effective("hostNetwork").and_then(|h| h.bool()) == Some(true);
                if with_host && v.str() == Some("ClusterFirstWithHostNet") {
                    m.t.take(&v);
                } else {
                    m.default_or_drop(&v, &json!("ClusterFirst"), "a DNS policy is not supported");
                }
            }
            "automountServiceAccountToken" => {
                if v.bool() == Some(false) {
                    m.t.take(&v);
                } else {
                    m.emit(
                        &["serviceAccount", "token"],
                        json!(true),
                        &v,
                        "mounting the ServiceAccount token is",
                    );
                }
            }
            "enableServiceLinks" => {
                if v.bool() == Some(false) && m.shape().has(&["pod", "enableServiceLinks"]) {
                    m.emit(
                        &["pod", "enableServiceLinks"],
                        json!(false),
                        &v,
                        "switching service links off is",
                    );
                } else {
                    m.default_or_drop(
                        &v,
                        &json!(true),
                        &unsupported("switching service links off is"),
                    );
                }
            }
            "affinity" => {
                m.emit(&["pod", "affinity"], v.value.clone(), &v, "pod affinity is");
            }
            "imagePullSecrets" => {
                // `[{name: x}]` (Kubernetes' shape) or `[x]`, as app-template takes them.
                let names: Option<Vec<String>> = v
                    .items()
                    .iter()
                    .map(|i| {
                        i.str()
                            .map(str::to_string)
                            .or_else(|| i.get("name").and_then(|n| n.str().map(str::to_string)))
                    })
                    .collect();
                match names {
                    Some(names) if !names.is_empty() => {
                        m.emit(
                            &["pod", "imagePullSecrets"],
                            json!(names),
                            &v,
                            "image pull secrets are",
                        );
                    }
                    _ => m.t.drop(&v, "image pull secrets without names"),
                }
            }
            "topologySpreadConstraints" => {
                let items = v.items();
                let hostname = items.len() == 1
                    && items[0].get("topologyKey").and_then(|t| t.str())
                        == Some("kubernetes.io/hostname")
                    && items[0].get("maxSkew").and_then(|s| s.int()) == Some(1)
                    && items[0].get("whenUnsatisfiable").and_then(|w| w.str())
                        == Some("DoNotSchedule");
                if hostname {
                    m.emit(
                        &["spread"],
                        json!("hostname"),
                        &v,
                        "spreading pods over hosts is",
                    );
                } else {
                    m.t.drop(
                        &v,
                        "only a spread of one pod per host (spread: hostname) is supported",
                    );
                }
            }
            _ => {}
        }
    }
}

/// `rbac` of the chart (4.x): a ClusterRole of read-only rules bound to the app's own
/// account becomes `serviceAccount.read` (`resource[.group]`, get/list/watch cluster-wide).
fn cluster_read(m: &mut Mapper, root: &Node, account: &str) {
    let Some(rbac) = root.get("rbac") else { return };
    if !m.shape().has(&["serviceAccount", "read"]) {
        return;
    }
    let roles = rbac.get("roles").map(|r| r.entries()).unwrap_or_default();
    let bindings = rbac
        .get("bindings")
        .map(|b| b.entries())
        .unwrap_or_default();
    for (rid, role) in roles {
        let bound: Vec<Node> = bindings
            .iter()
            .filter(|(_, b)| {
                b.get("roleRef")
                    .and_then(|r| r.get("identifier"))
                    .and_then(|i| i.str())
                    == Some(rid)
                    && b.get("subjects").is_some_and(|s| {
                        s.items()
                            .iter()
                            .all(|x| x.get("identifier").and_then(|i| i.str()) == Some(account))
                    })
            })
            .map(|(_, b)| b.clone())
            .collect();
        let cluster = role.get("type").and_then(|t| t.str()) == Some("ClusterRole");
        if bound.is_empty() || !cluster {
            continue;
        }
        let mut read = Vec::new();
        let mut ok = true;
        for rule in role.get("rules").map(|r| r.items()).unwrap_or_default() {
            let strings = |k: &str| -> Vec<String> {
                rule.get(k)
                    .map(|v| {
                        v.items()
                            .iter()
                            .filter_map(|i| i.str().map(str::to_string))
                            .collect()
                    })
                    .unwrap_or_default()
            };
            let verbs = strings("verbs");
            let reads = !verbs.is_empty()
                && verbs
                    .iter()
                    .all(|v| matches!(v.as_str(), "get" | "list" | "watch"));
            let extra = rule
                .entries()
                .iter()
                .any(|(k, _)| !matches!(*k, "apiGroups" | "resources" | "verbs"));
            if !reads || extra {
                ok = false;
                break;
            }
            for g in strings("apiGroups") {
                for r in strings("resources") {
                    read.push(if g.is_empty() {
                        r.clone()
                    } else {
                        format!("{r}.{g}")
                    });
                }
            }
        }
        if !ok || read.is_empty() {
            continue;
        }
        read.sort();
        read.dedup();
        if m.emit(
            &["serviceAccount", "read"],
            json!(read),
            &role,
            "cluster-wide read (serviceAccount.read) is",
        ) {
            for b in &bound {
                m.t.take(b);
            }
            m.t.remark(
                role.path(),
                "AppSpec grants get, list and watch on each resource read (a ClusterRole and ClusterRoleBinding <namespace>-<name>)",
            );
        }
    }
}

/// The ServiceAccounts the chart creates (top-level `serviceAccount`: 3.x `{create, name}`,
/// 4.x `{<id>: {...}}`) and the one the controller runs as: the app's own account
/// (`serviceAccount.create`, its token mounted as the chart does by default) or an existing
/// one by name.
pub fn service_account(m: &mut Mapper, root: &Node, controller: &Node) {
    let app = m.input.release.name.clone();
    let created = root.get("serviceAccount");
    // The accounts the chart makes: (identifier or name, node).
    let mut made: Vec<(String, Node)> = Vec::new();
    if let Some(sa) = &created {
        if sa.get("create").is_some() || sa.get("name").is_some() {
            if sa.get("create").and_then(|c| c.bool()) == Some(true) {
                let name = sa
                    .get("name")
                    .and_then(|n| n.str().map(str::to_string))
                    .unwrap_or_else(|| m.input.release.release_name.clone());
                made.push((name, sa.clone()));
            } else {
                m.t.take(sa);
            }
        } else {
            for (id, item) in sa.entries() {
                if !item.enabled() {
                    m.t.take(&item);
                } else {
                    made.push((id.to_string(), item));
                }
            }
        }
    }
    let own = controller.get("serviceAccount");
    let own_name = own.as_ref().and_then(|sa| {
        sa.get("identifier")
            .or_else(|| sa.get("name"))
            .and_then(|n| n.str().map(str::to_string))
    });
    // The account the pod runs as among those made: the one it names, else the only one.
    let uses = match &own_name {
        Some(n) => made.iter().position(|(id, _)| id == n),
        None if made.len() == 1 => Some(0),
        None => None,
    };
    let can_create = m.shape().has(&["serviceAccount", "create"]);
    for (i, (id, node)) in made.iter().enumerate() {
        if Some(i) != uses {
            m.t.drop(
                node,
                "a ServiceAccount the app does not run as: AppSpec creates only the app's own",
            );
            continue;
        }
        if !can_create {
            m.t.drop(
                node,
                unsupported("creating the app's ServiceAccount (serviceAccount.create) is"),
            );
            continue;
        }
        if !m.emit(
            &["serviceAccount", "create"],
            json!(true),
            node,
            "creating the app's ServiceAccount is",
        ) {
            continue;
        }
        if id != &app {
            m.t.remark(
                node.path(),
                format!("the ServiceAccount is named after the app ({app}), not {id}: bindings made outside the release that name {id} need the new name"),
            );
        }
        // The chart mounts the account's token unless the pod says otherwise.
        if m.spec
            .get("serviceAccount")
            .and_then(|s| s.get("token"))
            .is_none()
            && m.shape().has(&["serviceAccount", "token"])
        {
            crate::import::mapper::insert_field(
                &mut m.spec,
                &["serviceAccount", "token"],
                json!(true),
            );
            m.origins
                .push(("spec.serviceAccount.token".into(), node.path()));
        }
        if let Some(o) = &own {
            m.t.take(o);
        }
        cluster_read(m, root, id);
    }
    if uses.is_some() {
        return;
    }
    if let Some(sa) = own {
        match own_name.and_then(|n| {
            let node = sa.get("name").or_else(|| sa.get("identifier"))?;
            m.real_text(&node, "the ServiceAccount")
                .filter(|_| !n.is_empty())
        }) {
            Some(name) => {
                m.emit(
                    &["serviceAccount", "name"],
                    json!(name),
                    &sa,
                    "a ServiceAccount is",
                );
            }
            None => m.t.drop(&sa, "a ServiceAccount without a name"),
        }
    }
}

/// Pod and container security contexts onto `runAs` and `security: restricted`.
fn security(m: &mut Mapper, pod: &[Node], container: Option<Node>) {
    let pod_get = |k: &str| pod.iter().find_map(|n| n.get(k));
    // Shadowed default pod settings.
    if pod.len() == 2 {
        for (k, v) in pod[1].entries() {
            if pod[0].get(k).is_some() {
                m.t.take(&v);
            }
        }
    }
    let c_get = |k: &str| container.as_ref().and_then(|c| c.get(k));
    let user = c_get("runAsUser").or_else(|| pod_get("runAsUser"));
    let group = c_get("runAsGroup").or_else(|| pod_get("runAsGroup"));
    let fs_group = pod_get("fsGroup");
    let non_root = c_get("runAsNonRoot").or_else(|| pod_get("runAsNonRoot"));
    let mut ids_set = false;
    if let Some(user) = &user {
        let u = user.int().unwrap_or(-1);
        let g = group.as_ref().and_then(|g| g.int()).unwrap_or(u);
        let fs_ok = fs_group.as_ref().is_none_or(|f| f.int() == Some(g));
        let value = if g == u {
            json!(u)
        } else {
            json!({"user": u, "group": g})
        };
        if m.emit(
            &["runAs"],
            value,
            user,
            "pod user and group ids (runAs) are",
        ) {
            ids_set = true;
            if let Some(g) = &group {
                m.t.take(g);
            }
            if let Some(f) = &fs_group {
                if fs_ok {
                    m.t.take(f);
                } else {
                    m.t.drop(f, "an fsGroup other than the group id is not supported");
                }
            }
            if let Some(p) = pod_get("fsGroupChangePolicy") {
                m.default_or_drop(
                    &p,
                    &json!("OnRootMismatch"),
                    "AppSpec uses fsGroupChangePolicy OnRootMismatch",
                );
            }
        } else {
            let reason = unsupported("pod user and group ids (runAs) are");
            for n in [&group, &fs_group, &pod_get("fsGroupChangePolicy")]
                .into_iter()
                .flatten()
            {
                m.t.drop(n, reason.clone());
            }
        }
    } else {
        for n in [&group, &fs_group, &pod_get("fsGroupChangePolicy")]
            .into_iter()
            .flatten()
        {
            m.t.drop(n, "ids without a user id (runAsUser) are not supported");
        }
    }
    let ro = c_get("readOnlyRootFilesystem").and_then(|r| r.bool()) == Some(true);
    let caps = c_get("capabilities");
    let drops_all = caps
        .as_ref()
        .and_then(|c| c.get("drop"))
        .is_some_and(|d| d.items().iter().any(|i| i.str() == Some("ALL")));
    let adds = caps.as_ref().and_then(|c| c.get("add")).is_some();
    let user_non_root = ids_set && user.as_ref().and_then(|u| u.int()).is_some_and(|u| u > 0);
    let non_root_true = non_root.as_ref().and_then(|n| n.bool()) == Some(true);
    if ro && drops_all && !adds && (non_root_true || user_non_root) {
        let origin = container
            .clone()
            .expect("read-only root comes from a container");
        if m.emit(
            &["security"],
            json!("restricted"),
            &origin,
            "the restricted security profile is",
        ) {
            m.facts.restricted = true;
            if let Some(n) = &non_root {
                m.t.take(n);
            }
        }
    } else {
        if let Some(n) = &non_root {
            if n.bool() == Some(true) && user_non_root {
                // runAs sets runAsNonRoot for a non-zero user.
                m.t.take(n);
            } else if n.bool() == Some(false) {
                m.t.take(n);
            } else {
                m.t.drop(
                    n,
                    "runAsNonRoot comes with runAs (a non-zero user) or security: restricted",
                );
            }
        }
        if let Some(r) = c_get("readOnlyRootFilesystem") {
            if r.bool() == Some(true) {
                m.t.drop(&r, "a read-only root filesystem comes only with security: restricted, which also drops all capabilities and needs a non-root user");
            } else {
                m.t.take(&r);
            }
        }
        if let Some(c) = &caps
            && drops_all
        {
            m.t.drop(c, "dropping capabilities comes only with security: restricted (with a read-only root filesystem)");
        }
    }
    if let Some(c) = &caps
        && let Some(add) = c.get("add")
    {
        m.t.drop(&add, "added capabilities are not supported");
    }
    if let Some(c) = container.as_ref() {
        for (k, v) in c.entries() {
            match k {
                "allowPrivilegeEscalation" => m.default_or_drop(
                    &v,
                    &json!(false),
                    "AppSpec never allows privilege escalation",
                ),
                "seccompProfile" => m.default_or_drop(
                    &v,
                    &json!({"type": "RuntimeDefault"}),
                    "AppSpec always uses the RuntimeDefault seccomp profile",
                ),
                "privileged" => {
                    m.default_or_drop(&v, &json!(false), "privileged containers are not supported")
                }
                _ => {}
            }
        }
    }
    for (i, n) in pod.iter().enumerate() {
        for (k, v) in n.entries() {
            // A default shadowed by the controller's own setting does not apply.
            if i > 0 && pod[0].get(k).is_some() {
                continue;
            }
            match k {
                "seccompProfile" => m.default_or_drop(
                    &v,
                    &json!({"type": "RuntimeDefault"}),
                    "AppSpec always uses the RuntimeDefault seccomp profile",
                ),
                "supplementalGroups" => {
                    m.emit(
                        &["pod", "supplementalGroups"],
                        v.value.clone(),
                        &v,
                        "supplemental groups (pod.supplementalGroups) are",
                    );
                }
                _ => {}
            }
        }
    }
}

/// Init containers (in document order), and the controller's own settings.
pub fn controller_rest(m: &mut Mapper, controller: &Node) {
    if let Some(inits) = controller.get("initContainers") {
        for (name, c) in inits.entries() {
            if !c.enabled() {
                m.t.take(&c);
                continue;
            }
            extra_container(m, &c, name, "init", "init containers are");
        }
    }
    for (k, v) in controller.entries() {
        match k {
            "forceRename" | "nameOverride" | "prefix" | "suffix" => {
                let app = m.input.release.name.clone();
                let chart = super::controllers::controller_name(
                    m.input.release,
                    m.input.values,
                    &m.facts.controller,
                );
                if (v.str() == Some(app.as_str()) && k != "suffix" && k != "prefix") || chart == app
                {
                    m.t.take(&v);
                } else {
                    m.t.drop(&v, format!("the workload is named after the app ({app})"));
                }
            }
            "replicas" => {
                if v.int() == Some(1) {
                    m.t.take(&v);
                } else {
                    m.emit(&["replicas"], v.value.clone(), &v, "replicas are");
                }
            }
            "strategy" => {
                let recreate_anyway =
                    m.facts.storage_pattern.as_deref() == Some("longhorn-persistent");
                match v.str() {
                    Some("RollingUpdate") => m.t.take(&v),
                    Some("Recreate") if recreate_anyway => m.t.take(&v),
                    _ => m.t.note(
                        &v,
                        "the update strategy is AppSpec's: it picks Recreate for a volume that cannot attach twice, RollingUpdate otherwise",
                    ),
                }
            }
            "annotations" => {
                for (key, a) in v.entries() {
                    let reloader = m.platform("/reloader").and_then(Value::as_bool);
                    let auto = key == "reloader.stakater.com/auto";
                    if auto && reloader == Some(true) && a.str() == Some("true") {
                        m.t.take(&a);
                    } else if auto && reloader.is_some() {
                        m.t.drop(
                            &a,
                            "Reloader comes from the platform (set reloader: true in the PlatformConfig)",
                        );
                    } else if auto {
                        m.t.drop(&a, unsupported("Reloader (PlatformConfig reloader) is"));
                    } else {
                        m.t.drop(&a, "workload annotations are not supported");
                    }
                }
            }
            _ => {}
        }
    }
}

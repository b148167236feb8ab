//! The mapping from app-template values to one AppSpec document: a pure function of the
//! release, the AppSpec schema of this build and the platform. Every value it reads is
//! either carried over or dropped with a reason; a field is emitted only when the schema
//! has it.

use serde_json::{Map, Value, json};

use super::mapper::{Mapper, UNREAD};
use super::values::{Dropped, Node, Path};
use super::{controllers, network, volumes, workload};

use super::mapper::{Cut, Fatal, Imported, Input, ordered};

/// Maps one release. `Err` when it cannot become an AppSpec at all.
pub fn map(input: &Input) -> Result<Imported, Fatal> {
    let mut m = Mapper::new(input);
    let root = Node::root(input.values);
    let (controller, container) = workload::choose(&mut m, &root)?;
    let image = workload::container(&mut m, &controller, &container, &root)?;
    if m.facts.job {
        job_services(&mut m, &root);
    } else {
        network::services(&mut m, &root);
        service_name_kept(&mut m);
    }
    workload::probes(&mut m, &container);
    workload::pod(&mut m, &root, &controller, &container);
    volumes::persistence(&mut m, &root);
    network::exposure(&mut m, &root);
    if m.facts.job && m.spec.get("ingress") == Some(&json!({"pattern": "none"})) {
        // A job is never exposed: AppSpec's default for it.
        m.spec.remove("ingress");
    }
    network::metrics(&mut m, &root);
    workload::service_account(&mut m, &root, &controller);
    workload::controller_rest(&mut m, &controller);
    global(&mut m, &root);
    ignored_by_chart(&mut m, &root);
    enabled_true(&mut m, &root);
    let mut spec = Map::new();
    spec.insert("image".into(), Value::String(image));
    order_into(&mut spec, std::mem::take(&mut m.spec));
    let release = input.release;
    let mut metadata = Map::new();
    metadata.insert("name".into(), Value::String(release.name.clone()));
    if let Some(ns) = &release.namespace {
        metadata.insert("namespace".into(), Value::String(ns.clone()));
    }
    let doc = json!({
        "apiVersion": crate::API_VERSION,
        "kind": crate::model::spec::KIND,
        "metadata": metadata,
        "spec": spec,
    });
    let mut noted = m.t.notes();
    let mut dropped = m.t.finish(input.values, Path::root(), UNREAD);
    let (lost, said) = helm_release_fields(&release.doc);
    dropped.extend(lost);
    noted.extend(said);
    let mut notes = Vec::new();
    if m.facts.limit_from_request {
        notes.push("A request above the platform's default limit: the limit is set to the request (the release had none).");
    }
    if doc["spec"].get("storage").is_none() {
        notes.push("No volume for data in the release: AppSpec's default ephemeral storage adds an emptyDir at /data.");
    }
    if doc["spec"].get("resources").is_none() {
        notes.push(
            "The release sets no resources: the platform's default requests and limits apply.",
        );
    }
    let notes: Vec<String> = notes.into_iter().map(str::to_string).collect();
    Ok(Imported {
        doc,
        dropped,
        origins: m.origins,
        notes,
        noted,
        cutover: m.cutover,
    })
}

/// The cut-over steps for an AppSpec that adopts the PVCs `own` of the chart, when the
/// release's AppSpecs together adopt `all` (Helm deletes them all when the HelmRelease is
/// removed, so every one is kept first).
pub fn cutover_notes(all: &[Cut], own: &[Cut]) -> Vec<String> {
    let mut notes = Vec::new();
    if own.is_empty() {
        return notes;
    }
    notes.push("Cut-over without losing data: Helm deletes the PVCs the chart made when the HelmRelease is removed.".into());
    let mut step = 1;
    let to_keep: Vec<&Cut> = all.iter().filter(|c| !c.kept).collect();
    if !to_keep.is_empty() {
        notes.push(format!(
            "  {step}. In the HelmRelease set {} and let Flux upgrade it (helm.sh/resource-policy: keep).",
            to_keep
                .iter()
                .map(|c| format!("persistence.{}.retain: true", c.id))
                .collect::<Vec<_>>()
                .join(", ")
        ));
        step += 1;
    }
    notes.push(format!(
        "  {step}. Remove the HelmRelease; {} stay{}.",
        all.iter()
            .map(|c| c.claim.as_str())
            .collect::<Vec<_>>()
            .join(", "),
        if all.len() == 1 { "s" } else { "" }
    ));
    let adopts = own
        .iter()
        .map(|c| format!("{} ({})", c.claim, c.by))
        .collect::<Vec<_>>()
        .join(", ");
    notes.push(if all.len() > own.len() {
        format!(
            "  {}. Apply the release's AppSpecs: this one adopts {adopts}; no data is copied.",
            step + 1
        )
    } else {
        format!(
            "  {}. Apply this AppSpec: it adopts {adopts}; no data is copied.",
            step + 1
        )
    });
    notes
}

/// A scheduled job serves nothing: the Services of its controller (or of none) are listed.
fn job_services(m: &mut Mapper, root: &Node) {
    for (_, svc) in root.get("service").map(|s| s.entries()).unwrap_or_default() {
        if !svc.enabled() {
            m.t.take(&svc);
        } else if m.elsewhere(&svc).is_none() {
            m.t.drop(
                &svc,
                "a Service of a scheduled job: AppSpec makes none for a job (it serves nothing)",
            );
        }
    }
}

/// The app's Service is named after the AppSpec. In-cluster clients use the name the chart
/// gave it: a rename of the app's own Service is said (as the ServiceAccount's is); for
/// another controller's AppSpec, named after its Service, a name that could not be kept is
/// listed.
fn service_name_kept(m: &mut Mapper) {
    let Some(sid) = m.facts.service.clone() else {
        return;
    };
    let chart = controllers::service_name(m.input.release, m.input.values, &sid);
    let app = m.input.release.name.clone();
    if chart == app {
        return;
    }
    let path = Path::root().key("service").key(&sid);
    if m.input.target.main {
        m.t.remark(
            path,
            format!("the chart named this Service {chart}; the AppSpec's Service is {app}: in-cluster clients that use {chart} need the new name"),
        );
    } else {
        m.t.drop_path(
            path,
            format!("the chart named this Service {chart}; AppSpec {app} names its Service {app} ({chart} is taken by another AppSpec of the release): in-cluster clients that use {chart} lose it"),
        );
    }
}

/// The top-level keys app-template reads (2.x to 5.x, with the common library's); others
/// (an `x-probe` anchor holder, a 1.x-style `probes:` or `resources:`) change nothing.
const CHART_KEYS: &[&str] = &[
    "global",
    "controllers",
    "defaultPodOptions",
    "defaultPodOptionsStrategy",
    "service",
    "ingress",
    "route",
    "persistence",
    "configMaps",
    "configMapsFromFolder",
    "secrets",
    "serviceAccount",
    "serviceMonitor",
    "networkpolicies",
    "rbac",
    "rawResources",
    "fullnameOverride",
    "nameOverride",
];

/// `enabled: true` inside anything the mapping read is what the chart does anyway.
fn enabled_true(m: &mut Mapper, node: &Node) {
    for (key, v) in node.entries() {
        if key == "enabled" && v.bool() == Some(true) {
            m.t.take(&v);
        } else if m.t.is_touched(&v) && !m.t.is_used(&v) {
            enabled_true(m, &v);
        }
    }
    for item in node.items() {
        if m.t.is_touched(&item) && !m.t.is_used(&item) {
            enabled_true(m, &item);
        }
    }
}

/// Top-level values the chart never reads: noted, since the release did not use them.
fn ignored_by_chart(m: &mut Mapper, root: &Node) {
    for (key, v) in root.entries() {
        if !CHART_KEYS.contains(&key) && !m.t.is_used(&v) {
            m.t.note(
                &v,
                format!("app-template does not read a top-level {key:?} (an anchor holder or a leftover): it had no effect"),
            );
        }
    }
}

/// Spec fields in the order a person writes them.
const ORDER: &[&str] = &[
    "image",
    "workload",
    "command",
    "args",
    "job",
    "port",
    "ports",
    "service",
    "replicas",
    "runAs",
    "probes",
    "env",
    "secretEnv",
    "files",
    "mounts",
    "storage",
    "resources",
    "nodeSelector",
    "serviceAccount",
    "podAnnotations",
    "spread",
    "pod",
    "init",
    "sidecars",
    "metrics",
    "ingress",
    "backup",
    "security",
];

fn order_into(out: &mut Map<String, Value>, mut from: Map<String, Value>) {
    if let Some(Value::Object(res)) = from.get_mut("resources") {
        *res = ordered(std::mem::take(res), &["requests", "limits", "claims"]);
        for kind in ["requests", "limits"] {
            if let Some(Value::Object(amounts)) = res.get_mut(kind) {
                *amounts = ordered(std::mem::take(amounts), &["cpu", "memory"]);
            }
        }
    }
    if let Some(Value::Object(pod)) = from.get_mut("pod") {
        *pod = ordered(std::mem::take(pod), POD_ORDER);
    }
    out.extend(ordered(from, ORDER));
}

/// `pod` options in the order of the AppSpec type (the security context is read first).
const POD_ORDER: &[&str] = &[
    "hostNetwork",
    "hostUsers",
    "dnsConfig",
    "tolerations",
    "priorityClassName",
    "supplementalGroups",
    "terminationGracePeriodSeconds",
    "affinity",
    "enableServiceLinks",
    "imagePullSecrets",
];

/// `global` and chart-wide naming: object names come from the app name in AppSpec.
fn global(m: &mut Mapper, root: &Node) {
    let name = m.input.release.name.clone();
    let release_name = m.input.release.release_name.clone();
    for (parent, key) in [
        (Some("global"), "fullnameOverride"),
        (Some("global"), "nameOverride"),
        (None, "fullnameOverride"),
        (None, "nameOverride"),
    ] {
        let node = match parent {
            Some(p) => root.get(p).and_then(|g| g.get(key)),
            None => root.get(key),
        };
        if let Some(node) = node {
            if node.str() == Some(name.as_str()) || node.str() == Some(release_name.as_str()) {
                m.t.take(&node);
            } else {
                m.t.drop(&node, format!("objects are named after the app ({name})"));
            }
        }
    }
}

/// Fields of the HelmRelease itself (not its values) that an AppSpec cannot carry: what is
/// lost, and what only moves elsewhere (notes).
fn helm_release_fields(doc: &Value) -> (Vec<Dropped>, Vec<Dropped>) {
    let spec = Path::root().key("spec");
    let mut out = Vec::new();
    let mut noted = Vec::new();
    if doc
        .pointer("/spec/dependsOn")
        .is_some_and(|v| !v.is_null() && v != &json!([]))
    {
        noted.push(Dropped {
            path: spec.key("dependsOn"),
            reason: "Flux ordering moves: put dependsOn on the Flux Kustomization that applies the AppSpec".into(),
        });
    }
    let reasons = [
        (
            "valuesFrom",
            "values from ConfigMaps or Secrets are not read; only spec.values is imported",
        ),
        (
            "postRenderers",
            "post-renderer patches are not applied; patch the AppSpec instead",
        ),
        (
            "kubeConfig",
            "a release for another cluster: the AppSpec is applied where it is rendered",
        ),
        ("commonMetadata", UNREAD),
    ];
    for (key, reason) in reasons {
        let present = doc
            .pointer(&format!("/spec/{key}"))
            .is_some_and(|v| !v.is_null() && v != &json!([]) && v != &json!({}));
        if present {
            out.push(Dropped {
                path: spec.key(key),
                reason: reason.to_string(),
            });
        }
    }
    (out, noted)
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use crate::import::release::{self, Release};
    use crate::import::shape::Shape;

    /// This build's schema without the section 8 fields: what the first round knew.
    fn first_round_shape() -> Shape {
        let mut doc = crate::commands::schema::appspec();
        let props = doc
            .pointer_mut("/properties/spec/properties")
            .and_then(Value::as_object_mut)
            .expect("spec has properties");
        props.retain(|k, _| {
            [
                "image",
                "port",
                "replicas",
                "resources",
                "env",
                "storage",
                "ingress",
                "backup",
                "security",
            ]
            .contains(&k.as_str())
        });
        props["env"] = json!({"type": "object", "additionalProperties": {"type": "string"}});
        // The first round's storage: four patterns, no claimName.
        let storage = props["storage"]["properties"]
            .as_object_mut()
            .expect("storage has properties");
        storage.remove("claimName");
        storage["pattern"] =
            json!({"enum": ["ephemeral", "longhorn-persistent", "nas-mount", "s3-external"]});
        props["resources"] = json!({"type": "object", "additionalProperties": false,
            "properties": {"requests": {"type": "object", "properties": {
                "cpu": {"type": "string"}, "memory": {"type": "string"}},
                "additionalProperties": false},
            "limits": {"type": "object", "properties": {
                "cpu": {"type": "string"}, "memory": {"type": "string"}},
                "additionalProperties": false}}});
        Shape::from_document_schema(&doc)
    }

    fn release(values: Value) -> Release {
        let doc = json!({"apiVersion": "helm.toolkit.fluxcd.io/v2", "kind": "HelmRelease",
            "metadata": {"name": "sonarr", "namespace": "media"},
            "spec": {"chart": {"spec": {"chart": "app-template", "version": "4.1.0"}},
                     "values": values}});
        release::recognize(&doc, &[]).unwrap()
    }

    fn sonarr() -> Value {
        json!({
            "controllers": {"sonarr": {
                "initContainers": {"init-db": {
                    "image": {"repository": "ghcr.io/home-operations/postgres-init", "tag": "17"},
                    "envFrom": [{"secretRef": {"name": "sonarr-db"}}]}},
                "containers": {"app": {
                    "image": {"repository": "ghcr.io/home-operations/sonarr", "tag": "4.0.15"},
                    "env": {"TZ": "UTC", "PORT": 8989,
                            "API_KEY": {"valueFrom": {"secretKeyRef": {"name": "s", "key": "k"}}}},
                    "envFrom": [{"secretRef": {"name": "sonarr-secret"}}],
                    "probes": {
                        "liveness": {"enabled": true, "custom": true,
                                     "spec": {"httpGet": {"path": "/ping", "port": 8989}}},
                        "readiness": {"enabled": true, "custom": true,
                                      "spec": {"httpGet": {"path": "/ping", "port": 8989}}}},
                    "resources": {"limits": {"memory": "1Gi", "gpu.intel.com/i915": 1}}}}}},
            "defaultPodOptions": {"securityContext": {
                "runAsUser": 568, "runAsGroup": 568, "fsGroup": 568,
                "fsGroupChangePolicy": "OnRootMismatch"}},
            "service": {"app": {"ports": {"http": {"port": 8989}, "metrics": {"port": 9707}}}},
            "route": {"app": {"hostnames": ["sonarr.in.hypyr.space", "tv.in.hypyr.space"],
                              "parentRefs": [{"name": "envoy-internal", "namespace": "network"}]}},
            "persistence": {
                "config": {"existingClaim": "sonarr"},
                "media": {"type": "nfs", "server": "nas.internal", "path": "/mnt/tank/media",
                          "globalMounts": [{"path": "/media", "readOnly": true}]},
                "settings": {"type": "configMap", "name": "sonarr-cm",
                             "globalMounts": [{"path": "/config/settings.xml",
                                               "subPath": "settings.xml"}]},
                "cache": {"type": "emptyDir", "medium": "Memory",
                          "globalMounts": [{"path": "/cache"}]}}
        })
    }

    fn run(shape: &Shape, values: &Value) -> Imported {
        let r = release(values.clone());
        let platform = serde_json::to_value(crate::model::platform::Platform::default()).unwrap();
        let refused = BTreeMap::new();
        let target = crate::import::controllers::Target::single(&r, values);
        let input = Input {
            release: &r,
            values,
            shape,
            platform: &platform,
            refused: &refused,
            target: &target,
        };
        map(&input).unwrap()
    }

    fn dropped(i: &Imported) -> Vec<String> {
        i.dropped
            .iter()
            .map(|d| format!("{}: {}", d.path, d.reason))
            .collect()
    }

    #[test]
    fn section8_fields_are_emitted_once_the_schema_has_them() {
        let i = run(&Shape::default(), &sonarr());
        let spec = &i.doc["spec"];
        let want = json!({
            "image": "ghcr.io/home-operations/sonarr:4.0.15",
            "port": 8989,
            "ports": {"metrics": 9707},
            "service": {"port": 8989},
            "runAs": 568,
            // No startup probe in the release: per-kind probes switch AppSpec's off.
            "probes": {"path": "/ping", "startup": false},
            "env": {"TZ": "UTC", "PORT": "8989", "API_KEY": {"secret": "s", "key": "k"}},
            "secretEnv": {"existing": ["sonarr-secret"]},
            "files": {"/config/settings.xml": {"configMap": "sonarr-cm", "key": "settings.xml"}},
            "mounts": [
                {"path": "/media", "readOnly": true,
                 "nas": {"endpoint": "nfs://nas.internal:2049", "subpath": "/mnt/tank/media"}},
                {"path": "/cache", "emptyDir": {"memory": true}}],
            "storage": {"pattern": "existing-claim", "claimName": "sonarr", "mountPath": "/config"},
            "resources": {"requests": {"memory": "1Gi"},
                          "limits": {"memory": "1Gi", "gpu.intel.com/i915": 1}},
            "init": [{"name": "init-db", "image": "ghcr.io/home-operations/postgres-init:17",
                      "secretEnv": {"existing": ["sonarr-db"]}}],
            "ingress": {"pattern": "internal-only", "host": "sonarr.in.hypyr.space",
                        "aliases": ["tv.in.hypyr.space"]}
        });
        assert_eq!(
            spec,
            &want,
            "{}",
            serde_json::to_string_pretty(spec).unwrap()
        );
        assert_eq!(dropped(&i), Vec::<String>::new());
        // The Gateway is the platform's: a note, not an omission.
        assert_eq!(
            i.noted
                .iter()
                .map(|d| format!("{}: {}", d.path, d.reason))
                .collect::<Vec<_>>(),
            [
                "route.app.parentRefs[0]: the Gateway comes from the platform (PlatformConfig ingress.gateway.internal); this site has none, so the app gets an Ingress for the same hosts",
            ]
        );
        let origins: Vec<String> = i
            .origins
            .iter()
            .map(|(s, p)| format!("{s} <- {p}"))
            .collect();
        assert!(
            origins.contains(&"spec.mounts[0] <- persistence.media.globalMounts[0]".to_string()),
            "{origins:?}"
        );
        assert!(
            origins.contains(&"spec.ingress.aliases[0] <- route.app.hostnames[1]".to_string()),
            "{origins:?}"
        );
    }

    #[test]
    fn without_the_fields_the_same_values_are_dropped_not_guessed() {
        let i = run(&first_round_shape(), &sonarr());
        let spec = i.doc["spec"].as_object().unwrap();
        for field in [
            "runAs",
            "probes",
            "mounts",
            "files",
            "init",
            "secretEnv",
            "ports",
            "service",
        ] {
            assert!(!spec.contains_key(field), "{field}");
        }
        let d = dropped(&i);
        for path in [
            "controllers.sonarr.initContainers.init-db: init containers are not supported by this version of AppSpec",
            "controllers.sonarr.containers.app.probes: health probes are not supported by this version of AppSpec",
            "controllers.sonarr.containers.app.env.API_KEY: env from a Secret key (valueFrom.secretKeyRef) is not supported by this version of AppSpec",
            "persistence.config: storage pattern existing-claim is not supported by this version of AppSpec",
            "defaultPodOptions.securityContext.runAsUser: pod user and group ids (runAs) are not supported by this version of AppSpec",
        ] {
            assert!(d.iter().any(|x| x == path), "{path} not in {d:#?}");
        }
    }

    #[test]
    fn supplemental_groups_and_grace_period_become_pod_options() {
        let mut v = sonarr();
        v["defaultPodOptions"]["securityContext"]["supplementalGroups"] = json!([44, 109]);
        v["defaultPodOptions"]["terminationGracePeriodSeconds"] = json!(60);
        v["controllers"]["sonarr"]["pod"] = json!({"terminationGracePeriodSeconds": 120});
        let i = run(&Shape::default(), &v);
        assert_eq!(
            i.doc["spec"]["pod"],
            json!({"supplementalGroups": [44, 109], "terminationGracePeriodSeconds": 120})
        );
        let d = dropped(&i);
        assert!(
            !d.iter()
                .any(|x| x.contains("supplementalGroups") || x.contains("terminationGrace")),
            "{d:#?}"
        );
        // The controller's own groups win over the defaults, which are then not dropped.
        v["controllers"]["sonarr"]["pod"]["securityContext"] =
            json!({"supplementalGroups": [10000]});
        let i = run(&Shape::default(), &v);
        assert_eq!(i.doc["spec"]["pod"]["supplementalGroups"], json!([10000]));
        assert!(!dropped(&i).iter().any(|x| x.contains("supplementalGroups")));
        // A build without the fields lists them instead of guessing.
        let i = run(&first_round_shape(), &v);
        assert!(i.doc["spec"].get("pod").is_none());
        let d = dropped(&i);
        for want in [
            "controllers.sonarr.pod.securityContext.supplementalGroups: supplemental groups (pod.supplementalGroups) are not supported by this version of AppSpec",
            "controllers.sonarr.pod.terminationGracePeriodSeconds: pod terminationGracePeriodSeconds is not supported by this version of AppSpec",
        ] {
            assert!(d.iter().any(|x| x == want), "{want} not in {d:#?}");
        }
    }

    #[test]
    fn probes_that_differ_per_kind() {
        let mut v = sonarr();
        v["controllers"]["sonarr"]["containers"]["app"]["probes"]["liveness"]["spec"]["httpGet"]
            ["path"] = json!("/livez");
        v["controllers"]["sonarr"]["containers"]["app"]["probes"]["startup"] =
            json!({"enabled": true, "spec": {"failureThreshold": 60, "periodSeconds": 10}});
        let i = run(&Shape::default(), &v);
        assert_eq!(
            i.doc["spec"]["probes"],
            json!({"path": "/ping", "liveness": {"path": "/livez"},
                   "startup": {"tcp": true, "failureThreshold": 60}})
        );
        // The startup probe's timings are carried (periodSeconds 10 is the default), so
        // nothing of the probes is listed.
        assert!(
            !dropped(&i).iter().any(|d| d.contains(".probes.")),
            "{:#?}",
            dropped(&i)
        );
        // Without per-kind probes, the readiness check is kept and the liveness one listed.
        let mut shape_doc = crate::commands::schema::appspec();
        shape_doc["properties"]["spec"]["properties"]["probes"] = json!({"type": "object", "properties": {"path": {"type": "string"},
                   "tcp": {"type": "boolean"}}, "additionalProperties": false});
        let i = run(&Shape::from_document_schema(&shape_doc), &v);
        assert_eq!(i.doc["spec"]["probes"], json!({"path": "/ping"}));
        let d = dropped(&i);
        assert!(
            d.iter().any(|x| x.starts_with(
                "controllers.sonarr.containers.app.probes.liveness: a liveness check different"
            )),
            "{d:#?}"
        );
        assert!(
            d.iter().any(|x| x.starts_with(
                "controllers.sonarr.containers.app.probes.startup: a startup check different"
            )),
            "{d:#?}"
        );
    }

    #[test]
    fn refused_values_are_dropped_with_the_engine_message() {
        let values = sonarr();
        let r = release(values.clone());
        let platform = serde_json::to_value(crate::model::platform::Platform::default()).unwrap();
        let refused: BTreeMap<Path, String> = [(
            Path::root()
                .key("route")
                .key("app")
                .key("hostnames")
                .index(0),
            "refused by AppSpec validation: bad host".to_string(),
        )]
        .into_iter()
        .collect();
        let shape = Shape::default();
        let target = crate::import::controllers::Target::single(&r, &values);
        let input = Input {
            release: &r,
            values: &values,
            shape: &shape,
            platform: &platform,
            refused: &refused,
            target: &target,
        };
        let i = map(&input).unwrap();
        // The next host takes its place.
        assert_eq!(i.doc["spec"]["ingress"]["host"], "tv.in.hypyr.space");
        assert!(dropped(&i).contains(
            &"route.app.hostnames[0]: refused by AppSpec validation: bad host".to_string()
        ));
    }
}

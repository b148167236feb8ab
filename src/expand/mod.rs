//! Expansion of a validated app into typed Kubernetes objects (SPEC.md section 4).
//!
//! One module per emitted family, each a pure function of the validated app and the
//! platform. The order of the result is fixed: Deployment (or StatefulSet), Service,
//! Ingress or HTTPRoute (a job has a CronJob in their place, and none of them),
//! PV, PVC, ExternalSecrets, then the backup: ReplicationSource and ReplicationDestination
//! (Volsync) or SnapshotPolicy, SnapshotSchedule and Restore (kopiur), the ServiceMonitor,
//! then the app's ServiceAccount, ClusterRole and ClusterRoleBinding.

pub mod backup;
pub mod container;
pub mod ingress;
pub mod job;
pub mod loadbalancer;
pub mod monitor;
pub mod pod;
pub mod rbac;
pub mod reloader;
pub mod route;
pub mod secrets;
pub mod service;
pub mod sidecars;
pub mod storage;
pub mod volumes;
pub mod workload;

use std::collections::BTreeMap;

use k8s_openapi::api::apps::v1::{Deployment, StatefulSet};
use k8s_openapi::api::batch::v1::CronJob;
use k8s_openapi::api::core::v1::{
    ConfigMap, PersistentVolume, PersistentVolumeClaim, Service, ServiceAccount,
};
use k8s_openapi::api::networking::v1::Ingress;
use k8s_openapi::api::rbac::v1::{ClusterRole, ClusterRoleBinding};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use kube_core::{Resource, ResourceExt};
use serde_json::Value;

use crate::model::crd::{ExternalSecret, HttpRoute, ReplicationDestination, ReplicationSource};
use crate::model::kopiur::{Restore, SnapshotPolicy, SnapshotSchedule};
use crate::model::monitoring::ServiceMonitor;
use crate::model::platform::Platform;
use crate::model::pod::Workload;
use crate::validate::App;

/// One generated object. A handful exist per app and they are not moved around, so the
/// size difference between variants does not matter.
#[allow(clippy::large_enum_variant)]
#[derive(Clone, Debug, PartialEq)]
pub enum Object {
    Deployment(Deployment),
    StatefulSet(StatefulSet),
    CronJob(CronJob),
    Service(Service),
    Ingress(Ingress),
    HttpRoute(HttpRoute),
    PersistentVolume(PersistentVolume),
    PersistentVolumeClaim(PersistentVolumeClaim),
    ConfigMap(ConfigMap),
    ExternalSecret(ExternalSecret),
    ReplicationSource(ReplicationSource),
    ReplicationDestination(ReplicationDestination),
    SnapshotPolicy(SnapshotPolicy),
    SnapshotSchedule(SnapshotSchedule),
    Restore(Restore),
    ServiceMonitor(ServiceMonitor),
    ServiceAccount(ServiceAccount),
    ClusterRole(ClusterRole),
    ClusterRoleBinding(ClusterRoleBinding),
}

/// The identity kustomize and the API server use: kind, namespace (None when
/// cluster-scoped) and name.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ObjectId {
    pub api_version: String,
    pub kind: String,
    pub namespace: Option<String>,
    pub name: String,
}

impl std::fmt::Display for ObjectId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.namespace {
            Some(ns) => write!(f, "{} {ns}/{}", self.kind, self.name),
            None => write!(f, "{} {}", self.kind, self.name),
        }
    }
}

fn id_of<K: Resource<DynamicType = ()>>(o: &K) -> ObjectId {
    ObjectId {
        api_version: K::api_version(&()).into_owned(),
        kind: K::kind(&()).into_owned(),
        namespace: o.meta().namespace.clone(),
        name: o.meta().name.clone().unwrap_or_default(),
    }
}

/// Applies `f` to the object as a `ResourceExt`, whatever its type.
macro_rules! each {
    ($obj:expr, $o:ident => $body:expr) => {
        match $obj {
            Object::Deployment($o) => $body,
            Object::StatefulSet($o) => $body,
            Object::CronJob($o) => $body,
            Object::Service($o) => $body,
            Object::Ingress($o) => $body,
            Object::HttpRoute($o) => $body,
            Object::PersistentVolume($o) => $body,
            Object::PersistentVolumeClaim($o) => $body,
            Object::ConfigMap($o) => $body,
            Object::ExternalSecret($o) => $body,
            Object::ReplicationSource($o) => $body,
            Object::ReplicationDestination($o) => $body,
            Object::SnapshotPolicy($o) => $body,
            Object::SnapshotSchedule($o) => $body,
            Object::Restore($o) => $body,
            Object::ServiceMonitor($o) => $body,
            Object::ServiceAccount($o) => $body,
            Object::ClusterRole($o) => $body,
            Object::ClusterRoleBinding($o) => $body,
        }
    };
}

impl Object {
    pub fn id(&self) -> ObjectId {
        each!(self, o => id_of(o))
    }

    /// The object as a generic value, `apiVersion` and `kind` first.
    pub fn to_value(&self) -> Value {
        let v = each!(self, o => serde_json::to_value(o));
        let v = v.expect("typed Kubernetes objects always serialize");
        head_first(v)
    }

    /// Annotates a Deployment or StatefulSet whose pod uses a Secret or ConfigMap for
    /// Stakater Reloader. A job's CronJob is left alone: each run starts a new pod, which
    /// reads the Secrets and ConfigMaps as they are then.
    fn mark_for_reloader(&mut self) {
        let (meta, pod) = match self {
            Object::Deployment(d) => (
                &mut d.metadata,
                d.spec.as_ref().and_then(|s| s.template.spec.as_ref()),
            ),
            Object::StatefulSet(s) => (
                &mut s.metadata,
                s.spec.as_ref().and_then(|s| s.template.spec.as_ref()),
            ),
            _ => return,
        };
        if pod.is_some_and(reloader::uses_secret_or_config_map) {
            meta.annotations
                .get_or_insert_with(BTreeMap::new)
                .insert(reloader::ANNOTATION.to_string(), "true".to_string());
        }
    }

    fn stamp_labels(&mut self, labels: &BTreeMap<String, String>) {
        each!(self, o => o.labels_mut().extend(labels.clone()))
    }
}

/// One output item of a run: an input resource passed through, or a generated object
/// (written straight from its type: `apiVersion`, `kind` and `metadata` come first).
#[derive(Clone, Debug, PartialEq)]
pub enum Output {
    Passthrough(Value),
    /// Boxed: an object is kilobytes, a passed-through value a few words.
    Generated(Box<Object>),
}

impl Output {
    /// The item as a generic value, taking it.
    pub fn into_value(self) -> Value {
        match self {
            Output::Passthrough(v) => v,
            Output::Generated(o) => o.to_value(),
        }
    }

    /// The item as a generic value.
    pub fn to_value(&self) -> Value {
        match self {
            Output::Passthrough(v) => v.clone(),
            Output::Generated(o) => o.to_value(),
        }
    }
}

impl serde::Serialize for Output {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Output::Passthrough(v) => v.serialize(serializer),
            Output::Generated(o) => o.serialize(serializer),
        }
    }
}

/// Written straight from its type, `apiVersion`, `kind` and `metadata` first.
impl serde::Serialize for Object {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            // A ConfigMap's fields sort `data` before `metadata`, a ServiceAccount's
            // `automountServiceAccountToken`: reordered (they are rare).
            Object::ConfigMap(_) | Object::ServiceAccount(_) => {
                self.to_value().serialize(serializer)
            }
            o => each!(o, x => x.serialize(serializer)),
        }
    }
}

/// Reorders the top-level keys to `apiVersion, kind, metadata, ...` as people expect.
fn head_first(v: Value) -> Value {
    let Value::Object(mut map) = v else { return v };
    let head = ["apiVersion", "kind", "metadata"];
    if map
        .keys()
        .take(3)
        .eq(head.iter().filter(|k| map.contains_key(**k)))
    {
        return Value::Object(map);
    }
    let mut out = serde_json::Map::with_capacity(map.len());
    for key in head {
        if let Some(x) = map.shift_remove(key) {
            out.insert(key.to_string(), x);
        }
    }
    out.extend(map);
    Value::Object(out)
}

/// The labels every generated object and the pod template carry: the AppSpec's
/// `metadata.labels`, then the function's own, which win on a clash (validation warns).
pub fn labels(app: &App) -> BTreeMap<String, String> {
    let mut out = app.spec.labels.clone();
    for (key, value) in crate::validate::pod::own_labels(&app.spec.name) {
        out.insert(key.to_string(), value);
    }
    out
}

/// The pod selector: the stable subset of the labels.
pub fn selector(app: &App) -> BTreeMap<String, String> {
    BTreeMap::from([
        ("app.kubernetes.io/name".to_string(), app.spec.name.clone()),
        (
            "app.kubernetes.io/instance".to_string(),
            app.spec.name.clone(),
        ),
    ])
}

/// Metadata of a namespaced object of the app (labels are stamped afterwards).
pub fn meta(app: &App, name: impl Into<String>) -> ObjectMeta {
    ObjectMeta {
        name: Some(name.into()),
        namespace: Some(app.spec.namespace.clone()),
        ..ObjectMeta::default()
    }
}

/// Everything one validated app expands into, in the fixed order.
pub fn expand(app: &App, platform: &Platform) -> Vec<Object> {
    // Room for the usual families at once: an Object is kilobytes, so each regrowth copies
    // them all (and is a large allocation).
    let mut objects = Vec::with_capacity(8);
    if let Some(cron_job) = job::cron_job(app) {
        // A job serves no traffic: no Service, LoadBalancer, Ingress or HTTPRoute (validation
        // refuses the fields that would ask for them).
        objects.push(Object::CronJob(cron_job));
    } else {
        objects.push(match app.spec.body.workload {
            Workload::Deployment => Object::Deployment(workload::deployment(app)),
            Workload::Statefulset => Object::StatefulSet(workload::statefulset(app)),
        });
        objects.push(Object::Service(service::service(app)));
        objects.extend(loadbalancer::load_balancer(app, platform).map(Object::Service));
        objects.extend(ingress::ingress(app, platform).map(Object::Ingress));
        objects.extend(ingress::internal_ingress(app, platform).map(Object::Ingress));
        objects.extend(route::route(app, platform).map(Object::HttpRoute));
        objects.extend(
            route::extra_routes(app, platform)
                .into_iter()
                .map(Object::HttpRoute),
        );
    }
    let (pv, pvc) = storage::volumes(app, platform);
    objects.extend(pv.map(Object::PersistentVolume));
    objects.extend(pvc.map(Object::PersistentVolumeClaim));
    for (pv, pvc) in volumes::nas_mounts(app) {
        objects.push(Object::PersistentVolume(pv));
        objects.push(Object::PersistentVolumeClaim(pvc));
    }
    objects.extend(
        volumes::volume_claims(app, platform)
            .into_iter()
            .map(Object::PersistentVolumeClaim),
    );
    objects.extend(volumes::files_config_map(app).map(Object::ConfigMap));
    objects.extend(secrets::s3_credentials(app, platform).map(Object::ExternalSecret));
    objects.extend(secrets::env_secret(app, platform).map(Object::ExternalSecret));
    objects.extend(
        sidecars::external_secrets(app, platform)
            .into_iter()
            .map(Object::ExternalSecret),
    );
    match backup::backup(app, platform) {
        None => {}
        Some(backup::Backup::Volsync {
            secret,
            source,
            restore,
        }) => {
            objects.push(Object::ExternalSecret(secret));
            objects.push(Object::ReplicationSource(source));
            objects.extend(restore.map(Object::ReplicationDestination));
        }
        Some(backup::Backup::Kopiur {
            policy,
            schedule,
            restore,
        }) => {
            objects.push(Object::SnapshotPolicy(policy));
            objects.push(Object::SnapshotSchedule(schedule));
            objects.extend(restore.map(Object::Restore));
        }
    }
    objects.extend(monitor::service_monitor(app).map(Object::ServiceMonitor));
    objects.extend(rbac::service_account(app).map(Object::ServiceAccount));
    if let Some((role, binding)) = rbac::cluster_read(app) {
        objects.push(Object::ClusterRole(role));
        objects.push(Object::ClusterRoleBinding(binding));
    }
    let labels = labels(app);
    for o in &mut objects {
        o.stamp_labels(&labels);
        if platform.reloader {
            o.mark_for_reloader();
        }
        if let Object::ServiceMonitor(m) = o {
            // The site's Prometheus selector: the platform's labels win over the spec's.
            m.labels_mut()
                .extend(platform.metrics.service_monitor_labels.clone());
        }
    }
    objects
}

#[cfg(test)]
pub(crate) mod test_support {
    use crate::site::Site;
    use crate::validate::App;

    /// Reads and validates a spec given as YAML text, panicking on any error.
    pub fn app(yaml: &str) -> (App, Site) {
        let site = Site::default();
        let mut doc: serde_json::Value = serde_saphyr::from_str(yaml).unwrap();
        doc["apiVersion"] = crate::API_VERSION.into();
        doc["kind"] = crate::model::spec::KIND.into();
        let read = crate::model::spec::read(&doc);
        assert!(read.issues.is_empty(), "{:?}", read.issues);
        let (app, issues) = crate::validate::app(&read.value.unwrap(), &site);
        assert!(
            issues
                .iter()
                .all(|i| i.severity == crate::input::diagnostic::Severity::Warning),
            "{issues:?}"
        );
        (app.unwrap(), site)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reloader_marks_served_apps_not_jobs() {
        for (job, marked) in [("", true), ("\n  job: {schedule: \"@daily\"}", false)] {
            let yaml = format!(
                "metadata: {{name: a}}\nspec:\n  image: nginx:1\n  secretEnv: {{existing: [a-keys]}}{job}\n"
            );
            let (app, mut site) = test_support::app(&yaml);
            site.config.reloader = true;
            let objects = expand(&app, &site.config);
            let v = objects[0].to_value();
            let kind = v["kind"].as_str().unwrap().to_string();
            assert_eq!(kind == "CronJob", !marked, "{kind}");
            assert_eq!(
                v["metadata"]["annotations"][reloader::ANNOTATION] == "true",
                marked,
                "{kind}: {v}"
            );
        }
    }

    #[test]
    fn kinds_per_pattern_combination() {
        let cases: &[(&str, &str, &[&str])] = &[
            (
                "ephemeral internal",
                "storage: {pattern: ephemeral}",
                &["Deployment", "Service", "Ingress"],
            ),
            (
                "longhorn internal",
                "storage: {pattern: longhorn-persistent, size: 5}",
                &["Deployment", "Service", "Ingress", "PersistentVolumeClaim"],
            ),
            (
                "longhorn external volsync",
                "storage: {pattern: longhorn-persistent, size: 5}\n  ingress: {pattern: external-via-tunnel}\n  backup: {strategy: volsync-snapshots}",
                &[
                    "Deployment",
                    "Service",
                    "Ingress",
                    "PersistentVolumeClaim",
                    "ExternalSecret",
                    "ReplicationSource",
                ],
            ),
            (
                "nas internal",
                "storage: {pattern: nas-mount, size: 5, nas: {endpoint: \"nfs://nas.internal:2049\", subpath: /mnt/apps/a}}",
                &[
                    "Deployment",
                    "Service",
                    "Ingress",
                    "PersistentVolume",
                    "PersistentVolumeClaim",
                ],
            ),
            (
                "s3 external",
                "storage: {pattern: s3-external, s3: {bucket: a-data, region: us-east-1}}\n  ingress: {pattern: external-via-tunnel}",
                &["Deployment", "Service", "Ingress", "ExternalSecret"],
            ),
            (
                "no ingress",
                "ingress: {pattern: none}",
                &["Deployment", "Service"],
            ),
            (
                "job with a claim and the default ingress",
                "job: {schedule: \"@daily\"}\n  storage: {pattern: longhorn-persistent, size: 5}\n  backup: {strategy: volsync-snapshots}\n  files: {/config/a.yml: {content: x}}",
                &[
                    "CronJob",
                    "PersistentVolumeClaim",
                    "ConfigMap",
                    "ExternalSecret",
                    "ReplicationSource",
                ],
            ),
            (
                "job with a nas mount",
                "job: {schedule: \"0 4 * * *\"}\n  mounts: [{path: /metadata, nas: {endpoint: \"nfs://nas.internal:2049\", subpath: /mnt/apps/a}}]\n  serviceAccount: {create: true}",
                &[
                    "CronJob",
                    "PersistentVolume",
                    "PersistentVolumeClaim",
                    "ServiceAccount",
                ],
            ),
        ];
        for (name, spec, expected) in cases {
            let yaml = format!("metadata: {{name: a}}\nspec:\n  image: nginx:1\n  {spec}\n");
            let (app, site) = test_support::app(&yaml);
            let objects = expand(&app, &site.config);
            let kinds: Vec<String> = objects.iter().map(|o| o.id().kind).collect();
            assert_eq!(kinds, *expected, "{name}");
            for o in &objects {
                let v = o.to_value();
                assert_eq!(
                    v["metadata"]["labels"]["backstage.io/kubernetes-id"], "a",
                    "{name}"
                );
                assert_eq!(
                    v["metadata"]["labels"]["app.kubernetes.io/managed-by"], "appspec",
                    "{name}"
                );
                let keys: Vec<&String> = v.as_object().unwrap().keys().take(3).collect();
                assert_eq!(keys, ["apiVersion", "kind", "metadata"], "{name}");
            }
        }
    }
}

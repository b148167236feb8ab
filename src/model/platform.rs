//! The `PlatformConfig` resource (SPEC.md section 3): site settings with built-in defaults.
//!
//! Every field is optional; a field left out keeps its default, so a config that sets only
//! `dns` changes only the domains.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::Value;

use crate::input::reader::{self, Read};
use crate::input::skeletons;
use crate::model::spec::Resources;

pub const KIND: &str = "PlatformConfig";

/// Site settings of the AppSpec function. Every field is optional and keeps its default.
#[derive(Clone, Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[schemars(title = "PlatformConfig")]
pub struct PlatformDocument {
    #[schemars(extend("const" = crate::API_VERSION))]
    pub api_version: String,
    #[schemars(extend("const" = "PlatformConfig"))]
    pub kind: String,
    pub metadata: Option<PlatformMetadata>,
    pub spec: Option<Platform>,
}

/// `metadata` of a PlatformConfig.
#[derive(Clone, Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PlatformMetadata {
    pub name: Option<String>,
    pub namespace: Option<String>,
    pub labels: Option<BTreeMap<String, String>>,
    pub annotations: Option<BTreeMap<String, String>>,
}

/// Reads a PlatformConfig document strictly; absent or unusable fields keep their defaults.
pub fn read(doc: &Value) -> Read<Platform> {
    reader::read::<PlatformDocument>(&skeletons::PLATFORM, doc).map(|d| d.spec.unwrap_or_default())
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields, default)]
pub struct Platform {
    pub dns: Dns,
    pub ingress: IngressConfig,
    pub storage: StorageConfig,
    pub backup: BackupConfig,
    pub secrets: SecretsConfig,
    pub namespaces: Namespaces,
    pub defaults: Defaults,
    /// The site runs Stakater Reloader: a Deployment or StatefulSet that uses a Secret or
    /// ConfigMap gets `reloader.stakater.com/auto: "true"` and restarts when one changes.
    pub reloader: bool,
    /// Where LoadBalancer Services take their IPs from.
    #[serde(skip_serializing_if = "LoadBalancerConfig::is_unset")]
    pub load_balancer: LoadBalancerConfig,
    /// What every generated ServiceMonitor carries for the site's Prometheus.
    #[serde(skip_serializing_if = "MetricsConfig::is_unset")]
    pub metrics: MetricsConfig,
}

/// The site's Prometheus (Prometheus Operator, kube-prometheus-stack).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields, default)]
pub struct MetricsConfig {
    /// Labels put on every generated ServiceMonitor, so the site's Prometheus selects it
    /// (kube-prometheus-stack's default `serviceMonitorSelector` wants
    /// `release: kube-prometheus-stack`). Valid label keys and values; not the function's own
    /// labels (`app.kubernetes.io/name`, `app.kubernetes.io/instance`,
    /// `app.kubernetes.io/managed-by`, `backstage.io/kubernetes-id`). They win over an
    /// AppSpec's `metadata.labels` of the same key.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub service_monitor_labels: BTreeMap<String, String>,
}

impl MetricsConfig {
    fn is_unset(&self) -> bool {
        *self == MetricsConfig::default()
    }
}

/// The site's load balancer (Cilium LB-IPAM, MetalLB...).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields, default)]
pub struct LoadBalancerConfig {
    /// Address pools as CIDRs (`192.168.42.0/24`, `fd00:42::/64`); a fixed `ip` of an app
    /// must lie in one of them.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub pools: Vec<String>,
    /// The annotation that requests a fixed IP (`lbipam.cilium.io/ips`,
    /// `metallb.io/loadBalancerIPs`); without it the IP goes into the Service's
    /// `loadBalancerIP` field.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ip_annotation: Option<String>,
}

impl LoadBalancerConfig {
    fn is_unset(&self) -> bool {
        *self == LoadBalancerConfig::default()
    }
}

/// Application secrets (`spec.secretEnv.fromStore` of an AppSpec).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields, default)]
pub struct SecretsConfig {
    /// The store the ExternalSecret `<name>-secret` of `secretEnv.fromStore` reads.
    pub secret_store: SecretStoreRef,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields, default)]
pub struct Dns {
    /// Domain of internal-only apps.
    pub internal_domain: String,
    /// Domain of external-via-tunnel apps.
    pub external_domain: String,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields, default)]
pub struct IngressConfig {
    pub internal: IngressClass,
    pub external: IngressClass,
    /// cert-manager TLS on every Ingress (not on HTTPRoutes: TLS is the Gateway's).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tls: Option<Tls>,
    /// Route through Gateway API instead: an HTTPRoute to this Gateway replaces the
    /// Ingress of the apps of that pattern. The routes carry external-dns's hostname and
    /// proxied annotations, not a target: external-dns reads the target from the Gateway
    /// (annotate it there), never from a route.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub gateway: Option<Gateways>,
    /// The annotation of the site's ingress controller that sets a request timeout in
    /// seconds, which an app's `ingress.timeout` is written to on an Ingress (e.g.
    /// `nginx.ingress.kubernetes.io/proxy-read-timeout`). Without it, an Ingress app's
    /// `ingress.timeout` is refused (HTTPRoutes carry the timeout themselves).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timeout_annotation: Option<String>,
}

/// The Gateways that HTTPRoutes attach to, per ingress pattern.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields, default)]
pub struct Gateways {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub internal: Option<GatewayRef>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub external: Option<GatewayRef>,
}

/// A Gateway (`gateway.networking.k8s.io`) by name and namespace.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct GatewayRef {
    #[schemars(extend("x-hint" = "the Gateway's name"))]
    pub name: String,
    #[schemars(extend("x-hint" = "the Gateway's namespace"))]
    pub namespace: String,
    /// The Gateway listener to attach to (`parentRefs[].sectionName`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub section_name: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields, default)]
pub struct IngressClass {
    pub class_name: String,
    /// minijinja template of the default host; context: name, namespace, domain.
    pub host_template: String,
    /// external-dns target (e.g. the tunnel host name) on every external app's Ingress;
    /// external only. Not on HTTPRoutes: with `gateway.external`, external-dns reads the
    /// target from that Gateway, which must carry the annotation itself (`validate` warns).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Tls {
    /// cert-manager ClusterIssuer that signs the Ingress certificates.
    #[schemars(extend("x-hint" = "the cert-manager ClusterIssuer"))]
    pub cluster_issuer: String,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields, default)]
pub struct StorageConfig {
    pub longhorn: Longhorn,
    pub nas: NasConfig,
    pub s3: S3Config,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields, default)]
pub struct Longhorn {
    pub storage_class_name: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields, default)]
pub struct NasConfig {
    /// Allowed NFS endpoints, `nfs://host[:port]`.
    pub endpoints: Vec<String>,
    /// Every NAS subpath must lie under this prefix.
    pub path_prefix: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields, default)]
pub struct S3Config {
    pub secret_store: SecretStoreRef,
    /// minijinja template of the remote key holding AWS_ACCESS_KEY_ID and
    /// AWS_SECRET_ACCESS_KEY; context: name, namespace, bucket.
    pub credentials_key_template: String,
    pub regions: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields, default)]
pub struct SecretStoreRef {
    /// `SecretStore` or `ClusterSecretStore`.
    pub kind: String,
    pub name: String,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields, default)]
pub struct BackupConfig {
    /// Which objects `backup.strategy: snapshots` produces: Volsync (`ReplicationSource`)
    /// or kopiur (`SnapshotPolicy` + `SnapshotSchedule`). `volsync-snapshots` is always
    /// Volsync.
    pub backend: BackupBackend,
    /// Fill a new PVC from the latest backup: the PVC gets a `dataSourceRef` to a Volsync
    /// `ReplicationDestination` (or a kopiur `Restore`) that restores it. A PVC that already
    /// exists is never touched by a populator, but `dataSourceRef` is immutable: turning this
    /// on for an existing PVC makes its apply fail until the PVC is adopted (see docs/backups.md).
    pub restore_on_create: bool,
    pub volsync: Volsync,
    pub kopiur: Kopiur,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum BackupBackend {
    /// Volsync restic movers (`volsync.backube/v1alpha1`).
    #[default]
    Volsync,
    /// kopiur (`kopiur.home-operations.com/v1alpha1`): kopia snapshots to a kopiur repository.
    Kopiur,
}

impl std::fmt::Display for BackupBackend {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            BackupBackend::Volsync => "volsync",
            BackupBackend::Kopiur => "kopiur",
        })
    }
}

/// The kopiur backend: every app's `SnapshotPolicy` and `Restore` use one repository.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields, default)]
pub struct Kopiur {
    /// The kopiur repository (usually a cluster-wide `ClusterRepository`).
    pub repository: KopiurRepository,
    /// Let kopiur copy the repository's credential Secret into the app's namespace
    /// (`credentialProjection`); needed when the Secret does not already live there.
    pub credential_projection: bool,
    /// VolumeSnapshotClass of the point-in-time snapshot a backup reads from.
    pub volume_snapshot_class_name: String,
    /// User and groups of the backup and restore movers when the app sets none of its own.
    pub mover_security_context: MoverSecurityContext,
}

/// A kopiur `Repository` (in the app's namespace) or `ClusterRepository` by name.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct KopiurRepository {
    /// `ClusterRepository` (default) or `Repository`.
    #[serde(default = "cluster_repository")]
    #[schemars(extend("enum" = ["ClusterRepository", "Repository"]))]
    pub kind: String,
    /// The repository's name.
    #[schemars(extend("x-hint" = "the kopiur repository's name"))]
    pub name: String,
}

fn cluster_repository() -> String {
    "ClusterRepository".into()
}

impl Default for KopiurRepository {
    fn default() -> Self {
        KopiurRepository {
            kind: cluster_repository(),
            name: "kopia".into(),
        }
    }
}

impl Default for Kopiur {
    fn default() -> Self {
        Kopiur {
            repository: KopiurRepository::default(),
            credential_projection: true,
            volume_snapshot_class_name: "longhorn".into(),
            mover_security_context: MoverSecurityContext::default(),
        }
    }
}

impl BackupConfig {
    /// The backend that backs up an app with this strategy (`None` for no backup).
    pub fn backend_of(
        &self,
        strategy: crate::model::spec::BackupStrategy,
    ) -> Option<BackupBackend> {
        use crate::model::spec::BackupStrategy;
        match strategy {
            BackupStrategy::None => None,
            BackupStrategy::VolsyncSnapshots => Some(BackupBackend::Volsync),
            BackupStrategy::Snapshots => Some(self.backend),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields, default)]
pub struct Volsync {
    /// minijinja template of RESTIC_REPOSITORY; context: name, namespace.
    pub repository_template: String,
    pub secret_store: SecretStoreRef,
    /// Remote key holding RESTIC_PASSWORD and the repository credentials.
    pub credentials_key: String,
    pub volume_snapshot_class_name: String,
    pub mover_security_context: MoverSecurityContext,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields, default)]
pub struct MoverSecurityContext {
    pub run_as_user: i64,
    pub run_as_group: i64,
    pub fs_group: i64,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields, default)]
pub struct Namespaces {
    /// Namespaces no app may use (any `kube-*` is reserved as well).
    pub reserved: Vec<String>,
    /// Namespaces where a change is high risk.
    pub management: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields, default)]
pub struct Defaults {
    /// Requests and limits of every app; `requests` or `limits` left out keep theirs.
    #[serde(deserialize_with = "over_default_resources")]
    pub resources: Resources,
}

/// The platform's default resources with what the document sets replacing its part.
fn over_default_resources<'de, D: Deserializer<'de>>(d: D) -> Result<Resources, D::Error> {
    let set = Resources::deserialize(d)?;
    let default = Defaults::default().resources;
    Ok(Resources {
        requests: set.requests.or(default.requests),
        limits: set.limits.or(default.limits),
    })
}

impl Default for SecretStoreRef {
    fn default() -> Self {
        store()
    }
}

fn strings(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| s.to_string()).collect()
}

fn store() -> SecretStoreRef {
    SecretStoreRef {
        kind: "ClusterSecretStore".into(),
        name: "default".into(),
    }
}

impl Default for Dns {
    fn default() -> Self {
        Dns {
            internal_domain: "in.hypyr.space".into(),
            external_domain: "hypyr.space".into(),
        }
    }
}

impl Default for IngressClass {
    fn default() -> Self {
        IngressClass {
            class_name: "nginx".into(),
            host_template: "{{ name }}.{{ domain }}".into(),
            target: None,
        }
    }
}

impl Default for Longhorn {
    fn default() -> Self {
        Longhorn {
            storage_class_name: "longhorn".into(),
        }
    }
}

impl Default for NasConfig {
    fn default() -> Self {
        NasConfig {
            endpoints: strings(&["nfs://nas.internal:2049", "nfs://nas-backup.internal:2049"]),
            path_prefix: "/mnt/".into(),
        }
    }
}

/// The AWS commercial regions.
pub const AWS_REGIONS: &[&str] = &[
    "af-south-1",
    "ap-east-1",
    "ap-east-2",
    "ap-northeast-1",
    "ap-northeast-2",
    "ap-northeast-3",
    "ap-south-1",
    "ap-south-2",
    "ap-southeast-1",
    "ap-southeast-2",
    "ap-southeast-3",
    "ap-southeast-4",
    "ap-southeast-5",
    "ap-southeast-7",
    "ca-central-1",
    "ca-west-1",
    "eu-central-1",
    "eu-central-2",
    "eu-north-1",
    "eu-south-1",
    "eu-south-2",
    "eu-west-1",
    "eu-west-2",
    "eu-west-3",
    "il-central-1",
    "me-central-1",
    "me-south-1",
    "mx-central-1",
    "sa-east-1",
    "us-east-1",
    "us-east-2",
    "us-west-1",
    "us-west-2",
];

impl Default for S3Config {
    fn default() -> Self {
        S3Config {
            secret_store: store(),
            credentials_key_template: "s3/{{ bucket }}".into(),
            regions: strings(AWS_REGIONS),
        }
    }
}

impl Default for Volsync {
    fn default() -> Self {
        Volsync {
            repository_template: "s3:https://s3.in.hypyr.space/volsync/{{ namespace }}/{{ name }}"
                .into(),
            secret_store: store(),
            credentials_key: "volsync-restic".into(),
            volume_snapshot_class_name: "longhorn".into(),
            mover_security_context: MoverSecurityContext::default(),
        }
    }
}

impl Default for MoverSecurityContext {
    fn default() -> Self {
        MoverSecurityContext {
            run_as_user: 568,
            run_as_group: 568,
            fs_group: 568,
        }
    }
}

impl Default for Namespaces {
    fn default() -> Self {
        Namespaces {
            reserved: strings(&[
                "default",
                "kube-system",
                "kube-public",
                "kube-node-lease",
                "backstage",
                "argocd",
                "flux-system",
                "external-secrets",
                "cert-manager",
                "longhorn-system",
                "volsync-system",
            ]),
            management: strings(&["argocd", "flux-system", "backstage"]),
        }
    }
}

impl Default for Defaults {
    fn default() -> Self {
        use crate::model::spec::Amounts;
        Defaults {
            resources: Resources {
                requests: Some(Amounts {
                    cpu: Some("50m".into()),
                    memory: Some("128Mi".into()),
                }),
                limits: Some(Amounts {
                    cpu: None,
                    memory: Some("512Mi".into()),
                }),
            },
        }
    }
}

impl Platform {
    /// Whether a namespace is reserved (listed, or any `kube-*`).
    pub fn is_reserved(&self, namespace: &str) -> bool {
        namespace.starts_with("kube-") || self.namespaces.reserved.iter().any(|n| n == namespace)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_field_of_the_type_is_read() {
        let schema = reader::schema_for::<PlatformDocument>();
        let doc = reader::sample(&schema, &schema);
        let read = read(&doc);
        assert_eq!(read.issues, []);
        assert_eq!(
            serde_json::to_value(read.value.unwrap()).unwrap(),
            doc["spec"]
        );
    }

    #[test]
    fn a_partial_config_keeps_the_other_defaults() {
        let doc = serde_json::json!({
            "apiVersion": crate::API_VERSION, "kind": KIND,
            "spec": {
                "dns": {"internalDomain": "lan.example.com"},
                "defaults": {"resources": {"requests": {"cpu": "1"}}},
                "backup": {"volsync": {"secretStore": {"name": "vault"},
                    "moverSecurityContext": {"runAsUser": 1000}}}
            }
        });
        let read = read(&doc);
        assert_eq!(read.issues, []);
        let p = read.value.unwrap();
        let d = Platform::default();
        assert_eq!(p.dns.internal_domain, "lan.example.com");
        assert_eq!(p.dns.external_domain, d.dns.external_domain);
        assert_eq!(p.defaults.resources.limits, d.defaults.resources.limits);
        assert_eq!(p.defaults.resources.requests.unwrap().memory, None);
        let v = &p.backup.volsync;
        assert_eq!(
            (v.secret_store.kind.as_str(), v.secret_store.name.as_str()),
            ("ClusterSecretStore", "vault")
        );
        assert_eq!(v.mover_security_context.run_as_user, 1000);
        assert_eq!(v.mover_security_context.fs_group, 568);
    }
}

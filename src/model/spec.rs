//! The `AppSpec` resource (SPEC.md section 2): typed fields, defaults, and strict reading.
//!
//! These types are the one description of the resource: serde reads them, schemars
//! publishes them, and `reader` checks documents against the schema generated from them.

use std::collections::BTreeMap;
use std::fmt;

use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::Value;

use crate::input::reader::{self, Read};
use crate::input::skeletons;
use crate::model::bounds::*;
use crate::model::container::wire_name;
pub use crate::model::container::{
    EnvValue, MAX_PORTS, PortSpec, PortWithProtocol, ProbeCheck, ProbeKind, ProbeScheme,
    ProbeTimings, Probes, Protocol, SecretEnv, SecretKey,
};
use crate::model::job::Job;
use crate::model::patterns::*;
use crate::model::pod::{
    InitContainer, Metrics, PodOptions, ServiceAccount, Sidecar, Spread, Workload,
};

pub const KIND: &str = "AppSpec";
pub const DEFAULT_PORT: i64 = 8080;
pub const DEFAULT_REPLICAS: i64 = 1;
pub const DEFAULT_MOUNT_PATH: &str = "/data";
pub const DEFAULT_INGRESS_PATH: &str = "/";
pub const DEFAULT_SCHEDULE: &str = "0 2 * * *";
pub const DEFAULT_RETENTION_DAYS: i64 = 30;

/// A parsed AppSpec: the identity from `metadata` and the typed `spec`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct AppSpec {
    /// `metadata.name`, the app name.
    pub name: String,
    /// `metadata.namespace`, defaulting to the name.
    pub namespace: String,
    /// `metadata.labels`, copied onto every generated object and the pod template.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub labels: BTreeMap<String, String>,
    /// The typed `spec` (serialized under that name).
    #[serde(rename = "spec")]
    pub body: AppSpecBody,
}

/// A compact application spec, expanded by the AppSpec function.
#[derive(Clone, Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[schemars(title = "AppSpec")]
pub struct AppSpecDocument {
    #[schemars(extend("const" = crate::API_VERSION))]
    pub api_version: String,
    #[schemars(extend("const" = "AppSpec"))]
    pub kind: String,
    #[schemars(extend("x-hint" = "at least metadata.name"))]
    pub metadata: Metadata,
    #[schemars(extend("x-hint" = "at least spec.image"))]
    pub spec: AppSpecBody,
}

/// `metadata` of an AppSpec.
#[derive(Clone, Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Metadata {
    /// The app name: lowercase letters, digits and `-`, starting with a letter, at most 63.
    #[schemars(regex(pattern = NAME_PATTERN), length(min = 1, max = DNS_LABEL_MAX_LEN))]
    pub name: String,
    /// Target namespace (default: the name). Not a reserved namespace of the platform
    /// (default, kube-*, argocd, flux-system, backstage... checked by the function).
    #[schemars(regex(pattern = NAMESPACE_PATTERN), length(min = 1, max = DNS_LABEL_MAX_LEN))]
    pub namespace: Option<String>,
    /// Kubernetes labels of the AppSpec: keys `[prefix/]name`, values at most 63
    /// characters of letters, digits, `-`, `_` and `.`.
    pub labels: Option<BTreeMap<String, String>>,
    /// Annotations (kustomize adds its own here); not interpreted.
    pub annotations: Option<BTreeMap<String, String>>,
}

/// Reads an AppSpec document strictly. Every structural problem is in the issues; the
/// spec is returned with defaults in place of bad values, so its semantic rules can run in
/// the same pass (screen their issues with [`Read::screen`]).
pub fn read(doc: &Value) -> Read<AppSpec> {
    reader::read::<AppSpecDocument>(&skeletons::APPSPEC, doc).map(|d| {
        let name = d.metadata.name;
        AppSpec {
            namespace: d.metadata.namespace.unwrap_or_else(|| name.clone()),
            name,
            labels: d.metadata.labels.unwrap_or_default(),
            body: d.spec,
        }
    })
}

/// Quantities may be written as YAML numbers (`cpu: 1`); they are read as their text.
fn quantity<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Text {
        String(String),
        Number(serde_json::Number),
    }
    Ok(Option::<Text>::deserialize(d)?.map(|t| match t {
        Text::String(s) => s,
        Text::Number(n) => n.to_string(),
    }))
}

/// A required quantity, written as a YAML number or text.
fn required_quantity<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    quantity(d)?.ok_or_else(|| serde::de::Error::custom("a size is required"))
}

fn quantity_schema(_: &mut SchemaGenerator) -> Schema {
    json_schema!({"type": ["string", "number", "null"], "pattern": QUANTITY_PATTERN})
}

/// How many of each list an AppSpec may hold: what real apps need (a few sidecars and init
/// containers, a dozen mounts or files, a handful of ports and hosts), with generous room,
/// several times that. Each container mounts every
/// volume, so the output grows with containers x volumes; these bounds keep an app's
/// output within a fixed multiple of its input. The schema says them too (`maxItems`,
/// `maxProperties`); `validate` refuses a spec over any of them before anything else.
pub const MAX_SIDECARS: usize = 16;
/// See [`MAX_SIDECARS`].
pub const MAX_INIT_CONTAINERS: usize = 16;
/// See [`MAX_SIDECARS`].
pub const MAX_MOUNTS: usize = 64;
/// See [`MAX_SIDECARS`].
pub const MAX_FILES: usize = 128;
/// See [`MAX_SIDECARS`].
pub const MAX_ALIASES: usize = 32;
/// See [`MAX_SIDECARS`].
pub const MAX_ROUTES: usize = 32;

/// `spec` of an AppSpec.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[schemars(extend("allOf" = job_rules()))]
pub struct AppSpecBody {
    /// OCI image reference (`registry/path:tag` or `@sha256:` digest). A missing tag or
    /// `:latest` is a warning.
    #[schemars(regex(pattern = IMAGE_PATTERN), length(min = 1, max = IMAGE_MAX_LEN))]
    #[schemars(extend("x-hint" = "an OCI image reference, e.g. ghcr.io/org/app:1.0.0"))]
    pub image: String,
    /// Container port; the Service port 80 targets it.
    #[serde(default = "default_port")]
    #[schemars(range(min = PORT_MIN, max = PORT_MAX))]
    pub port: i64,
    /// Number of pods.
    #[serde(default = "default_replicas")]
    #[schemars(range(min = 0, max = INT32_MAX))]
    pub replicas: i64,
    /// Requests and limits; what is left out comes from the platform defaults.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resources: Option<ContainerResources>,
    /// Container command (replaces the image's ENTRYPOINT).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schemars(length(max = MAX_COMMAND_WORDS))]
    pub command: Vec<String>,
    /// Container args (replace the image's CMD).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schemars(length(max = MAX_ARGS))]
    pub args: Vec<String>,
    /// Extra named container ports, also on the Service: `name: port` (TCP) or
    /// `name: {port, protocol}`. Names are IANA service names (at most 15 lowercase letters,
    /// digits and `-`, with a letter, not `http`, which is `port`'s); a number and protocol
    /// is used once (the same number over TCP and UDP is allowed, as DNS does).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    #[schemars(extend("propertyNames" = {"pattern": PORT_NAME_PATTERN, "maxLength": PORT_NAME_MAX_LEN}, "maxProperties" = MAX_PORTS))]
    pub ports: BTreeMap<String, PortSpec>,
    /// The Service of the app.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service: Option<ServiceOptions>,
    /// The user and group the pod runs as: `568` or `{user: 568, group: 568}`. Sets
    /// runAsUser, runAsGroup, fsGroup (OnRootMismatch) and runAsNonRoot for non-zero ids;
    /// `0` (root) is refused with `security: restricted`. Backups run as the same ids.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub run_as: Option<RunAs>,
    /// Health probes. The short form (`path`, `tcp` or `exec`, optional `port`) sets
    /// readiness, liveness and a startup probe allowing about 5 minutes; `readiness`,
    /// `liveness` and `startup` override one kind (`false` switches it off).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub probes: Option<Probes>,
    /// Environment variables. Names are letters, digits and `_`, not starting with a digit;
    /// values are strings, integers or booleans (written as strings), or `{secret, key}`:
    /// one key of an existing Secret. Under s3-external the names S3_BUCKET, S3_REGION,
    /// AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are reserved.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    #[schemars(extend("propertyNames" = {"pattern": ENV_NAME_PATTERN}))]
    pub env: BTreeMap<String, EnvValue>,
    /// Whole Secrets as environment variables (`envFrom`); never values in Git.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret_env: Option<SecretEnv>,
    #[serde(default)]
    pub storage: Storage,
    /// Read-only files by absolute path: one key of an existing ConfigMap or Secret, or
    /// inline `content` (collected into the ConfigMap `<name>-files`; a change rolls the
    /// pods). Mounted with `subPath`; a file inside a mounted directory is allowed, a file
    /// at a mount's own path is not.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    #[schemars(extend("propertyNames" = {"pattern": FILE_PATH_PATTERN, "maxLength": PATH_MAX_LEN}, "maxProperties" = MAX_FILES))]
    pub files: BTreeMap<String, File>,
    /// More volumes beside `storage`: a NAS share, an existing claim or an emptyDir, each at
    /// its own absolute path.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schemars(length(max = MAX_MOUNTS))]
    pub mounts: Vec<Mount>,
    #[serde(default)]
    pub ingress: Ingress,
    #[serde(default)]
    pub backup: Backup,
    /// Pod security profile. Every pod gets seccomp RuntimeDefault, no service account
    /// token and no privilege escalation; `restricted` adds runAsNonRoot, drops all
    /// capabilities and makes the root filesystem read-only with a writable `/tmp`.
    #[serde(default)]
    pub security: SecurityProfile,
    /// The workload kind: `deployment` (default) or `statefulset`.
    #[serde(default, skip_serializing_if = "Workload::is_default")]
    pub workload: Workload,
    /// Run the app on a schedule as a CronJob `<name>` (a batch job such as a sync or a
    /// cleanup) instead of a Deployment: the same pod, run until it completes. A job serves
    /// no traffic: no Service, ingress, probes, ports, metrics or replicas (`port`,
    /// `replicas` and `ingress.pattern` keep their defaults, which then do not apply).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub job: Option<Job>,
    /// Node labels the pod must run on, e.g. `kubernetes.io/arch: amd64`.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub node_selector: BTreeMap<String, String>,
    /// An existing ServiceAccount for the pod; its token is mounted only with `token: true`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service_account: Option<ServiceAccount>,
    /// Annotations on the pod template (keys `[prefix/]name`; not the function's own).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub pod_annotations: BTreeMap<String, String>,
    /// A ServiceMonitor (Prometheus Operator) scraping the app's Service.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metrics: Option<Metrics>,
    /// Spread the pods over the nodes: `hostname`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub spread: Option<Spread>,
    /// Pod-level options in Kubernetes' shapes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pod: Option<PodOptions>,
    /// Init containers, run in order before the app (and its sidecars) start.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schemars(length(max = MAX_INIT_CONTAINERS))]
    pub init: Vec<InitContainer>,
    /// Containers beside the app: native sidecars (init containers with
    /// `restartPolicy: Always`), started after the init containers and before the app.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schemars(length(max = MAX_SIDECARS))]
    pub sidecars: Vec<Sidecar>,
}

impl AppSpecBody {
    /// The pod's `(user, group)` from `runAs`, `None` when the image decides: what the
    /// pod's securityContext and the backup movers use.
    pub fn pod_ids(&self) -> Option<(i64, i64)> {
        self.run_as.as_ref().map(RunAs::ids)
    }

    /// The pod's supplemental groups (`pod.supplementalGroups`, in order): what the pod's
    /// securityContext and the backup movers use.
    pub fn supplemental_groups(&self) -> &[i64] {
        self.pod.as_ref().map_or(&[], |p| &p.supplemental_groups)
    }
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum SecurityProfile {
    /// Secure defaults that any image runs with.
    #[default]
    Default,
    /// The Kubernetes "restricted" Pod Security Standard; the image must run as non-root.
    Restricted,
}

impl fmt::Display for SecurityProfile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        wire_name(self, f)
    }
}

/// Kubernetes quantities for the container.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Resources {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub requests: Option<Amounts>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limits: Option<Amounts>,
}

/// The app container's requests and limits (CPU, memory and extended resources such as
/// `gpu.intel.com/i915`) and its dynamic resource claims.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ContainerResources {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub requests: Option<ResourceAmounts>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limits: Option<ResourceAmounts>,
    /// Dynamic resource allocation: claim name (a DNS label) -> the name of a
    /// ResourceClaimTemplate in the namespace; each becomes a pod `resourceClaims` entry
    /// and a claim of the container.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    #[schemars(extend("propertyNames" = {"pattern": "^[a-z0-9]([-a-z0-9]*[a-z0-9])?$", "maxLength": DNS_LABEL_MAX_LEN}))]
    #[schemars(extend("additionalProperties" = {"type": "string", "pattern": SECRET_NAME_PATTERN, "maxLength": 253}))]
    pub claims: BTreeMap<String, String>,
}

impl ContainerResources {
    /// CPU and memory only, as the platform defaults are written.
    pub fn base(&self) -> Resources {
        let base = |a: &ResourceAmounts| Amounts {
            cpu: a.cpu.clone(),
            memory: a.memory.clone(),
        };
        Resources {
            requests: self.requests.as_ref().map(base),
            limits: self.limits.as_ref().map(base),
        }
    }
}

/// CPU and memory quantities (`100m`, `256Mi`) and extended resources: a domain-qualified
/// name (`nvidia.com/gpu`, `gpu.intel.com/i915`) with an integer count of at least 1.
/// Requests of extended resources default to the limit and must equal it.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ResourceAmounts {
    /// CPU quantity, e.g. `100m` or `0.5`.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "quantity"
    )]
    #[schemars(schema_with = "quantity_schema")]
    pub cpu: Option<String>,
    /// Memory quantity, e.g. `256Mi` or `1Gi`.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "quantity"
    )]
    #[schemars(schema_with = "quantity_schema")]
    pub memory: Option<String>,
    /// Extended resources by domain-qualified name, whole counts.
    #[serde(flatten)]
    pub extended: BTreeMap<String, Count>,
}

/// A whole number of an extended resource: `1` or `"1"`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum Count {
    Number(#[schemars(range(min = 1))] i64),
    Text(#[schemars(regex(pattern = "^[1-9][0-9]{0,17}$"))] String),
}

impl Count {
    /// The count, `None` when it is not a whole number.
    pub fn value(&self) -> Option<i64> {
        match self {
            Count::Number(n) => Some(*n),
            Count::Text(s) if s.bytes().all(|b| b.is_ascii_digit()) => s.parse().ok(),
            Count::Text(_) => None,
        }
    }
}

/// CPU and memory quantities (`100m`, `256Mi`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Amounts {
    /// CPU quantity, e.g. `100m` or `0.5`.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "quantity"
    )]
    #[schemars(schema_with = "quantity_schema")]
    pub cpu: Option<String>,
    /// Memory quantity, e.g. `256Mi` or `1Gi`.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "quantity"
    )]
    #[schemars(schema_with = "quantity_schema")]
    pub memory: Option<String>,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum StoragePattern {
    /// An `emptyDir` volume: data is lost when the pod goes.
    #[default]
    Ephemeral,
    /// A Longhorn PVC (ReadWriteOnce); the Deployment uses the `Recreate` strategy.
    LonghornPersistent,
    /// An NFS share of the NAS, as a PV (Retain) and a bound PVC (ReadWriteMany).
    NasMount,
    /// An external S3 bucket; credentials come from an ExternalSecret.
    S3External,
    /// A PVC that already exists (`claimName`, e.g. one restored by a backup tool): mounted,
    /// never created; the Deployment uses the `Recreate` strategy.
    ExistingClaim,
}

impl fmt::Display for StoragePattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        wire_name(self, f)
    }
}

impl StoragePattern {
    /// Whether the pattern mounts a volume into the container.
    pub fn has_volume(self) -> bool {
        self != StoragePattern::S3External
    }

    /// Whether the app's data lives in a PersistentVolumeClaim (made here or existing).
    pub fn uses_claim(self) -> bool {
        self.is_persistent() || self == StoragePattern::ExistingClaim
    }

    /// Whether the pattern creates a PersistentVolumeClaim of its own (and needs a size).
    pub fn is_persistent(self) -> bool {
        matches!(
            self,
            StoragePattern::LonghornPersistent | StoragePattern::NasMount
        )
    }
}

/// Where the app keeps its data. `size` is required for longhorn-persistent and nas-mount
/// and refused otherwise; `nas` only with nas-mount, `s3` only with s3-external (required
/// there); `mountPath` not with s3-external; `claimName` required with existing-claim, allowed
/// with longhorn-persistent and nas-mount (it renames the PVC), refused otherwise.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[schemars(extend("allOf" = storage_rules()))]
pub struct Storage {
    #[serde(default)]
    pub pattern: StoragePattern,
    /// Size in GiB, 1..1000 (longhorn-persistent and nas-mount only, required there).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = SIZE_GIB_MIN, max = SIZE_GIB_MAX))]
    pub size: Option<i64>,
    /// Where the volume is mounted in the container (default `/data`): absolute, no `..`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(regex(pattern = MOUNT_PATH_PATTERN), extend("default" = "/data"))]
    pub mount_path: Option<String>,
    /// NAS share (nas-mount only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nas: Option<Nas>,
    /// S3 bucket (s3-external only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub s3: Option<S3>,
    /// Name of the PVC: the claim to mount with existing-claim (required there); with
    /// longhorn-persistent and nas-mount the name of the generated PVC (default
    /// `<name>-data`), to adopt a claim made before.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(regex(pattern = SUBDOMAIN_PATTERN), length(min = 1, max = DNS_NAME_MAX_LEN))]
    pub claim_name: Option<String>,
}

impl Storage {
    /// The mount path, without a trailing `/`.
    pub fn mount_path(&self) -> &str {
        dir_path(self.mount_path.as_deref().unwrap_or(DEFAULT_MOUNT_PATH))
    }
}

/// An NFS share of the NAS.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Nas {
    /// One of the platform's NAS endpoints, e.g. `nfs://nas.internal:2049` (the list is in
    /// the PlatformConfig and checked by the function, not by this schema).
    #[schemars(regex(pattern = r"^nfs://[A-Za-z0-9.-]+(:[0-9]{1,5})?/?$"))]
    #[schemars(extend("x-hint" = "one of the platform's NAS endpoints"))]
    pub endpoint: String,
    /// Absolute path of the share, e.g. `/mnt/apps/whoami`: no `..` or `.` segment (also
    /// percent-encoded), no backslash, no empty segment. It must also lie under the
    /// platform's NAS prefix (default `/mnt/`), which the function checks.
    #[schemars(regex(pattern = SUBPATH_PATTERN), length(max = PATH_MAX_LEN))]
    #[schemars(extend("x-hint" = "an absolute path on the NAS"))]
    pub subpath: String,
}

/// An external S3 bucket.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct S3 {
    /// Bucket name following the S3 naming rules: 3..63 lowercase letters, digits, `-`
    /// and `.`; no IP form, no `xn--`/`sthree-` prefix, no `-s3alias`/`--ol-s3` suffix.
    #[schemars(regex(pattern = BUCKET_PATTERN), length(min = BUCKET_MIN_LEN, max = BUCKET_MAX_LEN))]
    pub bucket: String,
    /// One of the platform's known regions (checked by the function against the
    /// PlatformConfig), e.g. `us-east-1`.
    #[schemars(regex(pattern = r"^[a-z]{2}(-[a-z]+)+-[0-9]+$"))]
    pub region: String,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum IngressPattern {
    /// Reachable inside the network under the internal domain.
    #[default]
    InternalOnly,
    /// Published through the tunnel under the external domain (external-dns annotations).
    ExternalViaTunnel,
    /// No Ingress.
    None,
}

impl fmt::Display for IngressPattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        wire_name(self, f)
    }
}

/// How the app is reached. `host` and `path` do not apply to pattern none.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[schemars(extend("allOf" = ingress_rules()))]
pub struct Ingress {
    #[serde(default)]
    pub pattern: IngressPattern,
    /// Host name; default `<name>.<domain of the pattern>` from the platform's host template.
    /// Must lie under the pattern's domain: internal-only apps under the internal domain
    /// (default `.in.hypyr.space`), external apps under the external domain (default
    /// `.hypyr.space`) and never the internal one. The function checks the domains against
    /// the PlatformConfig; this schema checks the DNS syntax.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(regex(pattern = HOST_PATTERN), length(max = DNS_NAME_MAX_LEN))]
    pub host: Option<String>,
    /// URL path prefix (default `/`): starts with `/`, no `..` segment, no whitespace.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(regex(pattern = HTTP_PATH_PATTERN), extend("default" = "/"))]
    pub path: Option<String>,
    /// More host names served like `host`, under the same rules (the pattern's domain,
    /// DNS syntax, not used by another app).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schemars(inner(regex(pattern = HOST_PATTERN), length(max = DNS_NAME_MAX_LEN)), length(max = MAX_ALIASES))]
    pub aliases: Vec<String>,
    /// Annotations onto the Ingress or HTTPRoute. Keys the function sets itself (the
    /// external-dns hostname, target and proxied annotations, the ingress class, the
    /// cert-manager issuer with platform TLS) are refused.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub annotations: BTreeMap<String, String>,
    /// Request timeout, a duration (`600s`, `10m`, `1h`; h, m, s, ms): an HTTPRoute's
    /// `rules[].timeouts.request`; on an Ingress, the platform's `ingress.timeoutAnnotation`
    /// in whole seconds (refused when the platform names none). Default: the controller's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(regex(pattern = TIMEOUT_PATTERN))]
    pub timeout: Option<String>,
    /// More hosts, each routed to another named port of the app's Service (a sidecar's UI):
    /// `{host, port, path}` (path default `/`). A host follows the rules of `host` (the pattern's domain,
    /// DNS syntax, not used by another app or host of this one); the port is a named TCP
    /// port of the Service other than `http` (that is what `aliases` are for).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schemars(length(max = MAX_ROUTES))]
    pub routes: Vec<IngressRoute>,
    /// `true`: an external-via-tunnel app is also served on the internal entry point
    /// (split-horizon DNS: clients inside the network reach it without the tunnel), under
    /// the same hosts, paths and annotations. Through Gateways, each HTTPRoute gets a second
    /// parentRef to the platform's internal Gateway; with ingress classes, a second Ingress
    /// `<name>-internal` of the internal class. Only with pattern external-via-tunnel;
    /// default false.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub also_internal: bool,
}

/// One more host of the app, routed to another named port.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct IngressRoute {
    /// Host name, under the rules of `ingress.host`.
    #[schemars(regex(pattern = HOST_PATTERN), length(max = DNS_NAME_MAX_LEN))]
    #[schemars(extend("x-hint" = "a host name under the app's domain"))]
    pub host: String,
    /// A named port of the Service (one of `ports`, or a sidecar's).
    #[schemars(regex(pattern = PORT_NAME_PATTERN), length(max = PORT_NAME_MAX_LEN))]
    #[schemars(extend("x-hint" = "a named port of the app"))]
    pub port: String,
    /// URL path prefix of this host (default `/`), under the rules of `ingress.path`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(regex(pattern = HTTP_PATH_PATTERN), extend("default" = "/"))]
    pub path: Option<String>,
}

impl IngressRoute {
    pub fn path(&self) -> &str {
        self.path.as_deref().unwrap_or(DEFAULT_INGRESS_PATH)
    }
}

impl Ingress {
    pub fn path(&self) -> &str {
        self.path.as_deref().unwrap_or(DEFAULT_INGRESS_PATH)
    }

    /// The fields beside `pattern` that are set, by their names in the spec (what an app
    /// that serves no traffic must not have).
    pub fn fields_set(&self) -> Vec<&'static str> {
        [
            ("host", self.host.is_some()),
            ("path", self.path.is_some()),
            ("aliases", !self.aliases.is_empty()),
            ("annotations", !self.annotations.is_empty()),
            ("timeout", self.timeout.is_some()),
            ("routes", !self.routes.is_empty()),
            ("alsoInternal", self.also_internal),
        ]
        .into_iter()
        .filter_map(|(field, set)| set.then_some(field))
        .collect()
    }
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum BackupStrategy {
    #[default]
    None,
    /// Volsync restic backups of the Longhorn volume from snapshots.
    VolsyncSnapshots,
    /// Backups of the Longhorn volume from snapshots with the platform's backend
    /// (`backup.backend`: volsync or kopiur).
    Snapshots,
}

impl fmt::Display for BackupStrategy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        wire_name(self, f)
    }
}

/// Backups of the app's volume. volsync-snapshots and snapshots need storage pattern
/// longhorn-persistent or existing-claim (a snapshot-capable claim); `schedule` and `retentionDays` apply only to them.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[schemars(extend("allOf" = backup_rules()))]
pub struct Backup {
    #[serde(default)]
    pub strategy: BackupStrategy,
    /// 5-field cron expression (default `0 2 * * *`): numbers, `*`, `*/n`, `a-b`, `a/n` or
    /// lists `a,b`; or a macro such as `@daily`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(regex(pattern = CRON_PATTERN), extend("default" = "0 2 * * *"))]
    pub schedule: Option<String>,
    /// Days of snapshots to keep, 1..3650 (default 30).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = RETENTION_DAYS_MIN, max = RETENTION_DAYS_MAX), extend("default" = 30))]
    pub retention_days: Option<i64>,
}

impl Backup {
    pub fn schedule(&self) -> &str {
        self.schedule.as_deref().unwrap_or(DEFAULT_SCHEDULE)
    }
    pub fn retention_days(&self) -> i64 {
        self.retention_days.unwrap_or(DEFAULT_RETENTION_DAYS)
    }
}

/// The app's ClusterIP Service.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ServiceOptions {
    /// Service port that targets the named port `http` (`spec.port`); default 80.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = PORT_MIN, max = PORT_MAX), extend("default" = 80))]
    pub port: Option<i64>,
    /// The application protocol of the Service's `http` port (the main port), on the app's
    /// Service and its LoadBalancer: the rules of `ports.<name>.appProtocol` (an IANA service
    /// name such as `http`, a Kubernetes one such as `kubernetes.io/h2c`, or a domain-prefixed
    /// name). Default: none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(min = 1, max = APP_PROTOCOL_MAX_LEN))]
    pub app_protocol: Option<String>,
    /// An extra Service `<name>-lb` of type LoadBalancer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub load_balancer: Option<LoadBalancer>,
}

/// The ids a pod runs as.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum RunAs {
    /// User, group and fsGroup, 0..2147483647.
    Id(#[schemars(range(min = 0, max = INT32_MAX))] i64),
    Ids(UserGroup),
}

/// A user and a group id.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct UserGroup {
    /// runAsUser, 0..2147483647.
    #[schemars(range(min = 0, max = INT32_MAX), extend("x-hint" = "a user id"))]
    pub user: i64,
    /// runAsGroup and fsGroup, 0..2147483647 (default: the user id).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 0, max = INT32_MAX))]
    pub group: Option<i64>,
}

impl RunAs {
    /// `(user, group)`.
    pub fn ids(&self) -> (i64, i64) {
        match self {
            RunAs::Id(n) => (*n, *n),
            RunAs::Ids(UserGroup { user, group }) => (*user, group.unwrap_or(*user)),
        }
    }
}

/// A read-only file: exactly one of `configMap` + `key`, `secret` + `key`, or `content`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[schemars(extend("allOf" = file_rules()))]
pub struct File {
    /// An existing ConfigMap in the app's namespace.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(regex(pattern = SUBDOMAIN_PATTERN), length(min = 1, max = DNS_NAME_MAX_LEN))]
    pub config_map: Option<String>,
    /// An existing Secret in the app's namespace.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(regex(pattern = SUBDOMAIN_PATTERN), length(min = 1, max = DNS_NAME_MAX_LEN))]
    pub secret: Option<String>,
    /// The key of the ConfigMap or Secret holding the file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(regex(pattern = CONFIG_KEY_PATTERN), length(min = 1, max = CONFIG_KEY_MAX_LEN))]
    pub key: Option<String>,
    /// The file's text, stored in the ConfigMap `<name>-files` (at most 256 KiB).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(max = FILE_CONTENT_MAX_LEN))]
    pub content: Option<String>,
    /// Permission bits, 0..0777 (default 0644); write them in octal as `0755` (YAML 1.1
    /// style, as kustomize reads it) or `0o755`, e.g. for an executable script.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 0, max = FILE_MODE_MAX))]
    pub mode: Option<i64>,
}

/// A volume beside `storage`: exactly one of `nas`, `claim`, `emptyDir`, `secret`,
/// `configMap` or `volume`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[schemars(extend("allOf" = mount_rules()))]
pub struct Mount {
    /// Absolute path in the container; unique across storage, mounts and files. A trailing
    /// `/` is the same path without it.
    #[schemars(regex(pattern = MOUNTS_PATH_PATTERN), length(max = PATH_MAX_LEN))]
    #[schemars(extend("x-hint" = "an absolute path in the container"))]
    pub path: String,
    /// A NAS share (a PV with reclaim policy Retain and a bound PVC, both kept from pruning).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nas: Option<Nas>,
    /// An existing PVC in the app's namespace.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(regex(pattern = SUBDOMAIN_PATTERN), length(min = 1, max = DNS_NAME_MAX_LEN))]
    pub claim: Option<String>,
    /// A directory inside the claim to mount (relative, no `..`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(regex(pattern = SUB_PATH_PATTERN), length(max = PATH_MAX_LEN))]
    pub sub_path: Option<String>,
    /// A scratch volume that lives as long as the pod. At `/tmp` it replaces the writable
    /// `/tmp` that `security: restricted` adds (an in-memory `/tmp`, a size limit).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub empty_dir: Option<EmptyDir>,
    /// A whole existing Secret in the app's namespace as a read-only directory (one file
    /// per key).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(regex(pattern = SUBDOMAIN_PATTERN), length(min = 1, max = DNS_NAME_MAX_LEN))]
    pub secret: Option<String>,
    /// A whole existing ConfigMap in the app's namespace as a read-only directory (one file
    /// per key).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(regex(pattern = SUBDOMAIN_PATTERN), length(min = 1, max = DNS_NAME_MAX_LEN))]
    pub config_map: Option<String>,
    /// Permission bits of the files of a `secret` or `configMap` mount, 0..0777 (default
    /// 0644), in octal (`0755`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 0, max = FILE_MODE_MAX))]
    pub mode: Option<i64>,
    /// Another PVC of the app's own, `<name>-<volume.name>`: the platform's Longhorn
    /// class, ReadWriteOnce, kept from pruning, not backed up (a cache).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub volume: Option<MountVolume>,
    /// Mount read-only (`secret` and `configMap` mounts always are).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub read_only: bool,
}

impl Mount {
    /// The path without a trailing `/` (`/config/` is `/config`).
    pub fn dir(&self) -> &str {
        dir_path(&self.path)
    }
}

/// A directory path without one trailing `/`, except `/` itself.
pub fn dir_path(p: &str) -> &str {
    match p.strip_suffix('/') {
        Some(rest) if !rest.is_empty() => rest,
        _ => p,
    }
}

/// A PVC of the app's own beside the main one.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct MountVolume {
    /// The claim's name after the app's: `<name>-<volume.name>` (a DNS label, e.g. `cache`;
    /// shortened with a hash past 63 characters).
    #[schemars(
        regex(pattern = "^[a-z0-9]([-a-z0-9]*[a-z0-9])?$"),
        length(min = 1, max = DNS_LABEL_MAX_LEN)
    )]
    #[schemars(extend("x-hint" = "a short name such as cache"))]
    pub name: String,
    /// Size, a Kubernetes quantity with a unit, e.g. `20Gi`.
    #[serde(deserialize_with = "required_quantity")]
    #[schemars(schema_with = "quantity_schema")]
    #[schemars(extend("x-hint" = "a size such as 20Gi"))]
    pub size: String,
}

/// An `emptyDir` volume.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct EmptyDir {
    /// Largest size, a Kubernetes quantity such as `5Gi`.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "quantity"
    )]
    #[schemars(schema_with = "quantity_schema")]
    pub size_limit: Option<String>,
    /// Keep it in memory (tmpfs; counts against the memory limit).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub memory: bool,
}

/// A LoadBalancer Service `<name>-lb` exposing some of the app's named ports.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct LoadBalancer {
    /// A fixed IP (IPv4 or IPv6) inside one of the platform's `loadBalancer.pools`; default:
    /// one the load balancer picks.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(min = IP_MIN_LEN, max = IP_MAX_LEN))]
    pub ip: Option<String>,
    /// The named ports it exposes (default all of the Service's).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(inner(regex(pattern = PORT_NAME_PATTERN)), length(min = 1))]
    pub ports: Option<Vec<String>>,
    /// `Local` keeps the clients' source addresses (Plex, MQTT, torrents see who connects)
    /// and sends traffic only to nodes running the app; `Cluster` spreads it over every node
    /// and hides the client address. Default: not set (Kubernetes' `Cluster`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub external_traffic_policy: Option<TrafficPolicy>,
    /// A DNS name external-dns publishes for the LoadBalancer IP
    /// (`external-dns.alpha.kubernetes.io/hostname`): DNS syntax, under one of the platform's
    /// domains, served by no other app or host.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(regex(pattern = HOST_PATTERN), length(max = DNS_NAME_MAX_LEN))]
    pub host: Option<String>,
}

/// A Service's `externalTrafficPolicy`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub enum TrafficPolicy {
    /// Only to the app's pods on the node that received the traffic; client addresses kept.
    Local,
    /// To any pod of the app on any node; client addresses are replaced by the node's.
    Cluster,
}

impl fmt::Display for TrafficPolicy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        wire_name(self, f)
    }
}

fn default_port() -> i64 {
    DEFAULT_PORT
}
fn default_replicas() -> i64 {
    DEFAULT_REPLICAS
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_field_of_the_type_is_read() {
        // A document setting every field of the schema generated from the types: nothing
        // is refused, and the typed value gives every field back (none silently dropped).
        let schema = reader::schema_for::<AppSpecDocument>();
        let doc = reader::sample(&schema, &schema);
        let read = read(&doc);
        assert_eq!(read.issues, []);
        let app = read.value.unwrap();
        assert_eq!(serde_json::to_value(&app.body).unwrap(), doc["spec"]);
        assert_eq!(app.name, doc["metadata"]["name"]);
        assert_eq!(app.namespace, doc["metadata"]["namespace"]);
        assert_eq!(
            serde_json::to_value(&app.labels).unwrap(),
            doc["metadata"]["labels"]
        );
    }

    #[test]
    fn quantities_may_be_numbers_and_enums_print_as_written() {
        let doc = serde_json::json!({
            "apiVersion": crate::API_VERSION, "kind": KIND, "metadata": {"name": "a"},
            "spec": {"image": "x:1", "resources": {"requests": {"cpu": 1, "memory": 0.5}}}
        });
        let read = read(&doc);
        assert_eq!(read.issues, []);
        let requests = read
            .value
            .unwrap()
            .body
            .resources
            .unwrap()
            .requests
            .unwrap();
        assert_eq!(requests.cpu.as_deref(), Some("1"));
        assert_eq!(requests.memory.as_deref(), Some("0.5"));
        assert_eq!(
            StoragePattern::LonghornPersistent.to_string(),
            "longhorn-persistent"
        );
        assert_eq!(
            BackupStrategy::VolsyncSnapshots.to_string(),
            "volsync-snapshots"
        );
    }
}

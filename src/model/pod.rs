//! Pod-level fields of the AppSpec (SPEC.md section 8): the workload kind, scheduling,
//! identity, metrics and the `pod` options, as typed values the reader checks.
//!
//! The `pod` options keep Kubernetes' own shapes and names (`dnsConfig`, `tolerations`...),
//! restricted to what a platform team lets an app set; `validate::pod` checks the values.

use std::collections::BTreeMap;
use std::fmt;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::model::affinity::Affinity;
use crate::model::bounds::*;
use crate::model::container::{EnvValue, PortSpec, Probes, SecretEnv};
use crate::model::patterns::{
    DNS_SUBDOMAIN_PATTERN, HTTP_PATH_PATTERN, IMAGE_PATTERN, NAME_PATTERN, READ_RESOURCE_PATTERN,
};

/// Which workload runs the pod.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Workload {
    /// A Deployment `<name>`.
    #[default]
    Deployment,
    /// A StatefulSet `<name>` (serviceName `<name>`) mounting the same PVC a Deployment
    /// would; no claim templates.
    Statefulset,
}

impl Workload {
    pub fn is_default(&self) -> bool {
        *self == Workload::Deployment
    }
}

impl fmt::Display for Workload {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Workload::Deployment => "deployment",
            Workload::Statefulset => "statefulset",
        })
    }
}

/// How the app's pods are spread over the cluster.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Spread {
    /// At most one pod more on any node than on another (topology spread over
    /// `kubernetes.io/hostname`, DoNotSchedule, the app's own pods).
    Hostname,
}

/// The ServiceAccount the pod runs as: an existing one by `name`, or one of the app's own
/// (`create: true`) that may `read` some resources cluster-wide.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(extend("allOf" = crate::model::patterns::service_account_rules()))]
pub struct ServiceAccount {
    /// Name of a ServiceAccount in the app's namespace (created outside the AppSpec). Not
    /// with `create`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(regex(pattern = DNS_SUBDOMAIN_PATTERN), length(min = 1, max = DNS_NAME_MAX_LEN))]
    #[schemars(extend("x-hint" = "the name of an existing ServiceAccount"))]
    pub name: Option<String>,
    /// Mount the account's API token into the pod (default false). Only for apps that talk
    /// to the Kubernetes API; `appspec risk` reports it as high risk.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub token: bool,
    /// Create a ServiceAccount named after the app (`metadata.name`) for the pod.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub create: bool,
    /// Resources the created account may get, list and watch in every namespace (a
    /// ClusterRole and a ClusterRoleBinding `<namespace>-<name>`): `resource[.group]`, e.g.
    /// `services`, `ingresses.networking.k8s.io`, `httproutes.gateway.networking.k8s.io`.
    /// Secrets (of any group) and `*` are refused; needs `create: true`. `appspec risk`
    /// reports every added entry as high risk.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schemars(inner(regex(pattern = READ_RESOURCE_PATTERN), length(max = READ_RESOURCE_MAX_LEN)), length(max = MAX_READ_RESOURCES))]
    pub read: Vec<String>,
}

impl ServiceAccount {
    /// The account the pod runs as: `name`, else the app's own (`create`).
    pub fn account<'a>(&'a self, app: &'a str) -> &'a str {
        self.name.as_deref().unwrap_or(app)
    }

    /// Each `read` entry as (API group, resource): `""` is the core group.
    pub fn read_rules(&self) -> Vec<(&str, &str)> {
        self.read
            .iter()
            .map(|r| match r.split_once('.') {
                Some((resource, group)) => (group, resource),
                None => ("", r.as_str()),
            })
            .collect()
    }
}

/// A Prometheus Operator `ServiceMonitor` scraping the app's Service.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Metrics {
    /// The named port to scrape (default `http`, the main port): `http` or one of the
    /// Service's named ports.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(regex(pattern = NAME_PATTERN), length(min = 1, max = PORT_NAME_MAX_LEN))]
    #[schemars(extend("default" = "http"))]
    pub port: Option<String>,
    /// HTTP path of the metrics (default `/metrics`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(regex(pattern = HTTP_PATH_PATTERN), extend("default" = "/metrics"))]
    pub path: Option<String>,
    /// Scrape interval, a Prometheus duration such as `30s` or `1m` (default: the
    /// Prometheus' own interval).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(regex(pattern = DURATION_PATTERN))]
    pub interval: Option<String>,
}

/// Prometheus durations as the ServiceMonitor CRD accepts them (`1h30m`, `30s`, `500ms`).
pub const DURATION_PATTERN: &str =
    "^(0|(([0-9]+)y)?(([0-9]+)w)?(([0-9]+)d)?(([0-9]+)h)?(([0-9]+)m)?(([0-9]+)s)?(([0-9]+)ms)?)$";

pub const DEFAULT_METRICS_PORT: &str = "http";
pub const DEFAULT_METRICS_PATH: &str = "/metrics";

impl Metrics {
    pub fn port(&self) -> &str {
        self.port.as_deref().unwrap_or(DEFAULT_METRICS_PORT)
    }
    pub fn path(&self) -> &str {
        self.path.as_deref().unwrap_or(DEFAULT_METRICS_PATH)
    }
}

/// Pod-level options in Kubernetes' shapes.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PodOptions {
    /// Use the node's network namespace (default false). The pod sees and binds the node's
    /// interfaces; `appspec risk` reports it as high risk. DNS then uses
    /// `ClusterFirstWithHostNet`, so cluster names still resolve.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub host_network: Option<bool>,
    /// `false` runs the pod in its own user namespace (container root is not node root).
    /// Not with `hostNetwork: true`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub host_users: Option<bool>,
    /// Extra resolver settings, merged with the cluster's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dns_config: Option<DnsConfig>,
    /// Taints the pod tolerates.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tolerations: Vec<Toleration>,
    /// Name of a PriorityClass (a DNS subdomain).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(regex(pattern = DNS_SUBDOMAIN_PATTERN), length(min = 1, max = DNS_NAME_MAX_LEN))]
    pub priority_class_name: Option<String>,
    /// More groups the pod's processes belong to (`securityContext.supplementalGroups`, in
    /// the order written): the node's `video`/`render` groups for a GPU, the group that owns
    /// a NAS share. Ids 0..2147483647, each once; `0` (root) is refused with
    /// `security: restricted`. Backups run with the same groups, so they read what the app reads.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schemars(inner(range(min = 0, max = INT32_MAX)), extend("uniqueItems" = true))]
    pub supplemental_groups: Vec<i64>,
    /// Seconds the pod has to shut down cleanly after SIGTERM before it is killed
    /// (Kubernetes' default: 30), 0..3600: a database that flushes on shutdown.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 0, max = GRACE_PERIOD_SECONDS_MAX))]
    pub termination_grace_period_seconds: Option<i64>,
    /// Node affinity (GPU nodes, an architecture), pod affinity and anti-affinity, in
    /// Kubernetes' shape (`nodeAffinity`, `podAffinity`, `podAntiAffinity` with their
    /// `requiredDuringSchedulingIgnoredDuringExecution` / `preferred...` terms).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub affinity: Option<Affinity>,
    /// `false` leaves out the `<SERVICE>_PORT`-style variables Kubernetes puts into every
    /// container for each Service of the namespace (they clash with apps that read `*_PORT`,
    /// and slow starts in busy namespaces); Kubernetes' default is true.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enable_service_links: Option<bool>,
    /// Secrets (docker-registry type, in the app's namespace) the kubelet pulls the images
    /// with: their names, DNS subdomains, each once.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schemars(inner(regex(pattern = DNS_SUBDOMAIN_PATTERN), length(min = 1, max = DNS_NAME_MAX_LEN)))]
    #[schemars(extend("uniqueItems" = true))]
    pub image_pull_secrets: Vec<String>,
}

/// The most a pod may take to shut down: an hour. Every rollout, node drain and cluster
/// upgrade waits this long for the pod; no real app needs more to stop cleanly.
pub const MAX_TERMINATION_GRACE_PERIOD_SECONDS: i64 = GRACE_PERIOD_SECONDS_MAX;

/// Resolver settings of the pod (Kubernetes `PodDNSConfig`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DnsConfig {
    /// Extra name servers, IP addresses (at most 3).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schemars(length(max = MAX_NAMESERVERS))]
    pub nameservers: Vec<String>,
    /// Extra search domains (at most 32).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schemars(length(max = MAX_SEARCHES))]
    pub searches: Vec<String>,
    /// resolv.conf options: `ndots`, `timeout` and `attempts` take an integer `value`;
    /// `rotate`, `edns0`, `single-request`, `single-request-reopen`, `use-vc`,
    /// `no-tld-query`, `no-reload`, `trust-ad`, `no-aaaa` take none.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub options: Vec<DnsOption>,
}

/// One resolv.conf option.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DnsOption {
    /// The option name, e.g. `ndots`.
    #[schemars(extend("x-hint" = "a resolv.conf option such as ndots"))]
    pub name: String,
    /// Its value, a string (`"1"`), for ndots, timeout and attempts only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
}

/// A toleration of a node taint (Kubernetes `Toleration`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Toleration {
    /// The taint key (a label key); empty with operator Exists tolerates every taint.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
    /// `Equal` (default: key and value match) or `Exists` (the key alone, no value).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub operator: Option<TolerationOperator>,
    /// The taint value to match with `Equal` (a label value).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
    /// The taint effect to tolerate; all effects when left out.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub effect: Option<TaintEffect>,
    /// With effect NoExecute only: how long the pod stays bound after the taint appears.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub toleration_seconds: Option<i64>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub enum TolerationOperator {
    Equal,
    Exists,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub enum TaintEffect {
    NoSchedule,
    PreferNoSchedule,
    NoExecute,
}

impl TolerationOperator {
    pub fn as_str(self) -> &'static str {
        match self {
            TolerationOperator::Equal => "Equal",
            TolerationOperator::Exists => "Exists",
        }
    }
}

impl TaintEffect {
    pub fn as_str(self) -> &'static str {
        match self {
            TaintEffect::NoSchedule => "NoSchedule",
            TaintEffect::PreferNoSchedule => "PreferNoSchedule",
            TaintEffect::NoExecute => "NoExecute",
        }
    }
}

/// Label-like maps (`nodeSelector`, `podAnnotations`) by key.
pub type StringMap = BTreeMap<String, String>;

/// An init container: runs to completion before the app starts, in the order written.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct InitContainer {
    /// Container name: lowercase letters, digits and `-` (at most 63), unique in the pod
    /// (the app's own container is named after the app).
    #[schemars(regex(pattern = NAME_PATTERN), length(min = 1, max = DNS_LABEL_MAX_LEN))]
    #[schemars(extend("x-hint" = "a container name such as init-db"))]
    pub name: String,
    /// OCI image reference, as `spec.image`.
    #[schemars(regex(pattern = IMAGE_PATTERN), length(min = 1, max = IMAGE_MAX_LEN))]
    #[schemars(extend("x-hint" = "an OCI image reference, e.g. ghcr.io/org/init:1.0.0"))]
    pub image: String,
    /// Replaces the image's ENTRYPOINT.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schemars(length(max = MAX_COMMAND_WORDS))]
    pub command: Vec<String>,
    /// Arguments.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schemars(length(max = MAX_ARGS))]
    pub args: Vec<String>,
    /// Environment, in the forms of `spec.env`.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    #[schemars(extend("propertyNames" = {"pattern": crate::model::patterns::ENV_NAME_PATTERN}))]
    pub env: BTreeMap<String, EnvValue>,
    /// Whole Secrets as env, in the shape of `spec.secretEnv` (`fromStore` makes an
    /// ExternalSecret `<app>-<container>-secret`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret_env: Option<SecretEnv>,
    /// Mount paths of the app's volumes to mount here too (default: all of them).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mounts: Option<Vec<String>>,
}

/// A sidecar: a native sidecar (an init container with `restartPolicy: Always`) that
/// starts before the app and runs beside it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Sidecar {
    /// Container name: lowercase letters, digits and `-` (at most 63), unique in the pod.
    #[schemars(regex(pattern = NAME_PATTERN), length(min = 1, max = DNS_LABEL_MAX_LEN))]
    #[schemars(extend("x-hint" = "a container name such as gluetun"))]
    pub name: String,
    /// OCI image reference, as `spec.image`.
    #[schemars(regex(pattern = IMAGE_PATTERN), length(min = 1, max = IMAGE_MAX_LEN))]
    #[schemars(extend("x-hint" = "an OCI image reference, e.g. ghcr.io/org/sidecar:1.0.0"))]
    pub image: String,
    /// Replaces the image's ENTRYPOINT.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schemars(length(max = MAX_COMMAND_WORDS))]
    pub command: Vec<String>,
    /// Arguments.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schemars(length(max = MAX_ARGS))]
    pub args: Vec<String>,
    /// Environment, in the forms of `spec.env`.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    #[schemars(extend("propertyNames" = {"pattern": crate::model::patterns::ENV_NAME_PATTERN}))]
    pub env: BTreeMap<String, EnvValue>,
    /// Whole Secrets as env, in the shape of `spec.secretEnv`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret_env: Option<SecretEnv>,
    /// Named ports of its own (the forms of `spec.ports`), on the Service too; names and
    /// numbers unique across all the pod's containers.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    #[schemars(extend("maxProperties" = crate::model::container::MAX_PORTS))]
    pub ports: BTreeMap<String, PortSpec>,
    /// Mount paths of the app's volumes to mount here too (default: all of them).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mounts: Option<Vec<String>>,
    /// Linux capabilities to add to this sidecar (`securityContext.capabilities.add`), each
    /// once: `NET_ADMIN` (a VPN client such as gluetun, routing) or `NET_RAW` (ping-style
    /// health checks). Refused with `security: restricted`; `appspec risk` reports adding
    /// one as high risk.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schemars(extend("uniqueItems" = true))]
    pub capabilities: Vec<Capability>,
    /// Health probes of this sidecar, in the shape of `spec.probes` (timings, HTTPS); an
    /// HTTP or TCP check names one of the sidecar's own `ports` (it has no `http`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub probes: Option<Probes>,
}

/// A Linux capability a sidecar may add: the few a platform team accepts beside an app.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Capability {
    /// Configure interfaces, routes and firewall rules (a VPN client's tunnel).
    NetAdmin,
    /// Open raw sockets (ICMP ping health checks).
    NetRaw,
}

impl Capability {
    /// The capabilities a sidecar may add, as written.
    pub const ALL: [Capability; 2] = [Capability::NetAdmin, Capability::NetRaw];

    /// The name as Kubernetes writes it (`NET_ADMIN`).
    pub fn as_str(self) -> &'static str {
        match self {
            Capability::NetAdmin => "NET_ADMIN",
            Capability::NetRaw => "NET_RAW",
        }
    }
}

impl fmt::Display for Capability {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What init containers and sidecars have in common, for the rules and the expansion.
pub struct ExtraContainer<'a> {
    /// `spec.init[0]` or `spec.sidecars[0]`.
    pub path: String,
    pub sidecar: bool,
    pub name: &'a str,
    pub image: &'a str,
    pub command: &'a [String],
    pub args: &'a [String],
    pub env: &'a BTreeMap<String, EnvValue>,
    pub secret_env: Option<&'a SecretEnv>,
    pub ports: Option<&'a BTreeMap<String, PortSpec>>,
    pub mounts: Option<&'a [String]>,
    /// Capabilities to add (sidecars only; empty for init containers).
    pub capabilities: &'a [Capability],
    /// Probes (sidecars only: Kubernetes refuses them on init containers that run to
    /// completion).
    pub probes: Option<&'a Probes>,
}

/// The init containers (in order), then the sidecars (in order): the order they start in.
pub fn extra_containers<'a>(
    init: &'a [InitContainer],
    sidecars: &'a [Sidecar],
) -> Vec<ExtraContainer<'a>> {
    let init = init.iter().enumerate().map(|(i, c)| ExtraContainer {
        path: format!("spec.init[{i}]"),
        sidecar: false,
        name: &c.name,
        image: &c.image,
        command: &c.command,
        args: &c.args,
        env: &c.env,
        secret_env: c.secret_env.as_ref(),
        ports: None,
        mounts: c.mounts.as_deref(),
        capabilities: &[],
        probes: None,
    });
    let sidecars = sidecars.iter().enumerate().map(|(i, c)| ExtraContainer {
        path: format!("spec.sidecars[{i}]"),
        sidecar: true,
        name: &c.name,
        image: &c.image,
        command: &c.command,
        args: &c.args,
        env: &c.env,
        secret_env: c.secret_env.as_ref(),
        ports: Some(&c.ports),
        mounts: c.mounts.as_deref(),
        capabilities: &c.capabilities,
        probes: c.probes.as_ref(),
    });
    init.chain(sidecars).collect()
}

//! The `PlatformConfig` resource (SPEC.md section 3): site settings with built-in defaults.
//!
//! Every field is optional; a field left out keeps its default, so a config that sets only
//! `dns` changes only the domains.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::diagnostic::Issue;
use crate::reader::{Reader, join, present};

pub const KIND: &str = "PlatformConfig";

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields, default)]
pub struct Platform {
    pub dns: Dns,
    pub ingress: IngressConfig,
    pub storage: StorageConfig,
    pub backup: BackupConfig,
    pub namespaces: Namespaces,
    pub defaults: Defaults,
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
    /// Ingress of the apps of that pattern.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub gateway: Option<Gateways>,
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
    pub name: String,
    pub namespace: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields, default)]
pub struct IngressClass {
    pub class_name: String,
    /// minijinja template of the default host; context: name, namespace, domain.
    pub host_template: String,
    /// external-dns target (e.g. the tunnel host name); external only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Tls {
    /// cert-manager ClusterIssuer that signs the Ingress certificates.
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
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SecretStoreRef {
    /// `SecretStore` or `ClusterSecretStore`.
    pub kind: String,
    pub name: String,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields, default)]
pub struct BackupConfig {
    pub volsync: Volsync,
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
#[serde(rename_all = "camelCase", deny_unknown_fields)]
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
    pub resources: crate::spec::Resources,
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
        use crate::spec::{Amounts, Resources};
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

/// Reads a PlatformConfig document strictly; absent fields keep their defaults.
pub fn read(doc: &Value) -> (Platform, Vec<Issue>) {
    let mut r = Reader::default();
    let mut p = Platform::default();
    if let Some(top) = r.object(doc, "", &["apiVersion", "kind", "metadata", "spec"])
        && let Some(spec) = r.child(
            top,
            "spec",
            "",
            &[
                "dns",
                "ingress",
                "storage",
                "backup",
                "namespaces",
                "defaults",
            ],
        )
    {
        read_spec(&mut r, spec, &mut p);
    }
    (p, r.issues)
}

fn set_string(r: &mut Reader, map: &Map<String, Value>, key: &str, path: &str, slot: &mut String) {
    if let Some(v) = r.string(map, key, path) {
        *slot = v;
    }
}

fn set_list(
    r: &mut Reader,
    map: &Map<String, Value>,
    key: &str,
    path: &str,
    slot: &mut Vec<String>,
) {
    if let Some(v) = r.string_list(map, key, path) {
        *slot = v;
    }
}

fn read_store(r: &mut Reader, map: &Map<String, Value>, path: &str, slot: &mut SecretStoreRef) {
    if let Some(m) = r.child(map, "secretStore", path, &["kind", "name"]) {
        let p = join(path, "secretStore");
        set_string(r, m, "kind", &p, &mut slot.kind);
        set_string(r, m, "name", &p, &mut slot.name);
    }
}

fn read_class(
    r: &mut Reader,
    map: &Map<String, Value>,
    key: &str,
    path: &str,
    slot: &mut IngressClass,
) {
    let known: &[&str] = if key == "external" {
        &["className", "hostTemplate", "target"]
    } else {
        &["className", "hostTemplate"]
    };
    if let Some(m) = r.child(map, key, path, known) {
        let p = join(path, key);
        set_string(r, m, "className", &p, &mut slot.class_name);
        set_string(r, m, "hostTemplate", &p, &mut slot.host_template);
        if let Some(t) = r.string(m, "target", &p) {
            slot.target = Some(t);
        }
    }
}

fn read_spec(r: &mut Reader, spec: &Map<String, Value>, p: &mut Platform) {
    let s = "spec";
    if let Some(m) = r.child(spec, "dns", s, &["internalDomain", "externalDomain"]) {
        let path = join(s, "dns");
        set_string(r, m, "internalDomain", &path, &mut p.dns.internal_domain);
        set_string(r, m, "externalDomain", &path, &mut p.dns.external_domain);
    }
    if let Some(m) = r.child(
        spec,
        "ingress",
        s,
        &["internal", "external", "tls", "gateway"],
    ) {
        let path = join(s, "ingress");
        read_class(r, m, "internal", &path, &mut p.ingress.internal);
        read_class(r, m, "external", &path, &mut p.ingress.external);
        if let Some(t) = r.child(m, "tls", &path, &["clusterIssuer"]) {
            let tp = join(&path, "tls");
            p.ingress.tls = r
                .required_string(t, "clusterIssuer", &tp, " (the cert-manager ClusterIssuer)")
                .map(|cluster_issuer| Tls { cluster_issuer });
        }
        if let Some(g) = r.child(m, "gateway", &path, &["internal", "external"]) {
            let gp = join(&path, "gateway");
            let mut gateways = Gateways::default();
            for (key, slot) in [
                ("internal", &mut gateways.internal),
                ("external", &mut gateways.external),
            ] {
                if let Some(one) = r.child(g, key, &gp, &["name", "namespace"]) {
                    let op = join(&gp, key);
                    let name = r.required_string(one, "name", &op, " (the Gateway's name)");
                    let namespace =
                        r.required_string(one, "namespace", &op, " (the Gateway's namespace)");
                    if let (Some(name), Some(namespace)) = (name, namespace) {
                        *slot = Some(GatewayRef { name, namespace });
                    }
                }
            }
            p.ingress.gateway = Some(gateways);
        }
    }
    if let Some(m) = r.child(spec, "storage", s, &["longhorn", "nas", "s3"]) {
        let path = join(s, "storage");
        if let Some(l) = r.child(m, "longhorn", &path, &["storageClassName"]) {
            let lp = join(&path, "longhorn");
            set_string(
                r,
                l,
                "storageClassName",
                &lp,
                &mut p.storage.longhorn.storage_class_name,
            );
        }
        if let Some(n) = r.child(m, "nas", &path, &["endpoints", "pathPrefix"]) {
            let np = join(&path, "nas");
            set_list(r, n, "endpoints", &np, &mut p.storage.nas.endpoints);
            set_string(r, n, "pathPrefix", &np, &mut p.storage.nas.path_prefix);
        }
        if let Some(s3) = r.child(
            m,
            "s3",
            &path,
            &["secretStore", "credentialsKeyTemplate", "regions"],
        ) {
            let sp = join(&path, "s3");
            read_store(r, s3, &sp, &mut p.storage.s3.secret_store);
            set_string(
                r,
                s3,
                "credentialsKeyTemplate",
                &sp,
                &mut p.storage.s3.credentials_key_template,
            );
            set_list(r, s3, "regions", &sp, &mut p.storage.s3.regions);
        }
    }
    if let Some(m) = r.child(spec, "backup", s, &["volsync"]) {
        let path = join(s, "backup");
        if let Some(v) = r.child(
            m,
            "volsync",
            &path,
            &[
                "repositoryTemplate",
                "secretStore",
                "credentialsKey",
                "volumeSnapshotClassName",
                "moverSecurityContext",
            ],
        ) {
            let vp = join(&path, "volsync");
            let vs = &mut p.backup.volsync;
            set_string(r, v, "repositoryTemplate", &vp, &mut vs.repository_template);
            read_store(r, v, &vp, &mut vs.secret_store);
            set_string(r, v, "credentialsKey", &vp, &mut vs.credentials_key);
            set_string(
                r,
                v,
                "volumeSnapshotClassName",
                &vp,
                &mut vs.volume_snapshot_class_name,
            );
            if let Some(sc) = r.child(
                v,
                "moverSecurityContext",
                &vp,
                &["runAsUser", "runAsGroup", "fsGroup"],
            ) {
                let scp = join(&vp, "moverSecurityContext");
                let msc = &mut vs.mover_security_context;
                if let Some(x) = r.integer(sc, "runAsUser", &scp) {
                    msc.run_as_user = x;
                }
                if let Some(x) = r.integer(sc, "runAsGroup", &scp) {
                    msc.run_as_group = x;
                }
                if let Some(x) = r.integer(sc, "fsGroup", &scp) {
                    msc.fs_group = x;
                }
            }
        }
    }
    if let Some(m) = r.child(spec, "namespaces", s, &["reserved", "management"]) {
        let path = join(s, "namespaces");
        set_list(r, m, "reserved", &path, &mut p.namespaces.reserved);
        set_list(r, m, "management", &path, &mut p.namespaces.management);
    }
    if let Some(m) = r.child(spec, "defaults", s, &["resources"]) {
        let path = join(s, "defaults");
        if let Some(res) = r.child(m, "resources", &path, &["requests", "limits"]) {
            let rp = join(&path, "resources");
            let doc = Value::Object(res.clone());
            // Reuse the AppSpec reading of quantities for the same shape.
            let (requests, limits) = crate::spec::read_resources(r, &doc, &rp);
            if present(res, "requests").is_some() {
                p.defaults.resources.requests = requests;
            }
            if present(res, "limits").is_some() {
                p.defaults.resources.limits = limits;
            }
        }
    }
}

/// A platform ready for use: its configuration and compiled naming templates.
#[derive(Debug)]
pub struct Site {
    pub config: Platform,
    pub templates: crate::template::Templates,
}

impl Site {
    /// Checks the configuration and compiles its templates; all problems are returned.
    pub fn new(config: Platform) -> (Site, Vec<Issue>) {
        let mut issues = crate::validate::platform::check(&config);
        let (templates, template_issues) = crate::template::Templates::compile(&config);
        issues.extend(template_issues);
        (Site { config, templates }, issues)
    }
}

impl Default for Site {
    fn default() -> Self {
        Site::new(Platform::default()).0
    }
}

//! The `AppSpec` resource (SPEC.md section 2): typed fields, defaults, and strict reading.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::diagnostic::Issue;
use crate::reader::{Reader, join, present};

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
    pub spec: AppSpecBody,
}

/// `spec` of an AppSpec.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AppSpecBody {
    /// OCI image reference (`registry/path:tag` or `@sha256:` digest). A missing tag or
    /// `:latest` is a warning.
    #[schemars(regex(pattern = crate::schema::IMAGE_PATTERN), length(min = 1, max = 512))]
    pub image: String,
    /// Container port; the Service port 80 targets it.
    #[serde(default = "default_port")]
    #[schemars(range(min = 1, max = 65535))]
    pub port: i64,
    /// Number of pods.
    #[serde(default = "default_replicas")]
    #[schemars(range(min = 0, max = 2147483647))]
    pub replicas: i64,
    /// Requests and limits; what is left out comes from the platform defaults.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resources: Option<Resources>,
    /// Plain environment variables (never secrets). Names are letters, digits and `_`, not
    /// starting with a digit; values must be strings. Under s3-external the names
    /// S3_BUCKET, S3_REGION, AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are reserved.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    #[schemars(extend("propertyNames" = {"pattern": crate::schema::ENV_NAME_PATTERN}))]
    pub env: BTreeMap<String, String>,
    #[serde(default)]
    pub storage: Storage,
    #[serde(default)]
    pub ingress: Ingress,
    #[serde(default)]
    pub backup: Backup,
    /// Pod security profile. Every pod gets seccomp RuntimeDefault, no service account
    /// token and no privilege escalation; `restricted` adds runAsNonRoot, drops all
    /// capabilities and makes the root filesystem read-only with a writable `/tmp`.
    #[serde(default)]
    pub security: SecurityProfile,
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

impl SecurityProfile {
    pub const ALL: [(&'static str, SecurityProfile); 2] = [
        ("default", SecurityProfile::Default),
        ("restricted", SecurityProfile::Restricted),
    ];
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

/// CPU and memory quantities (`100m`, `256Mi`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Amounts {
    /// CPU quantity, e.g. `100m` or `0.5`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(regex(pattern = crate::schema::QUANTITY_PATTERN))]
    pub cpu: Option<String>,
    /// Memory quantity, e.g. `256Mi` or `1Gi`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(regex(pattern = crate::schema::QUANTITY_PATTERN))]
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
}

impl StoragePattern {
    pub const ALL: [(&'static str, StoragePattern); 4] = [
        ("ephemeral", StoragePattern::Ephemeral),
        ("longhorn-persistent", StoragePattern::LonghornPersistent),
        ("nas-mount", StoragePattern::NasMount),
        ("s3-external", StoragePattern::S3External),
    ];

    pub fn as_str(self) -> &'static str {
        Self::ALL
            .iter()
            .find(|(_, p)| *p == self)
            .map(|(n, _)| *n)
            .unwrap_or("")
    }

    /// Whether the pattern mounts a volume into the container.
    pub fn has_volume(self) -> bool {
        self != StoragePattern::S3External
    }

    /// Whether the pattern keeps data in a PersistentVolumeClaim.
    pub fn is_persistent(self) -> bool {
        matches!(
            self,
            StoragePattern::LonghornPersistent | StoragePattern::NasMount
        )
    }
}

/// Where the app keeps its data. `size` is required for longhorn-persistent and nas-mount
/// and refused otherwise; `nas` only with nas-mount, `s3` only with s3-external (required
/// there); `mountPath` not with s3-external.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[schemars(extend("allOf" = crate::schema::storage_rules()))]
pub struct Storage {
    #[serde(default)]
    pub pattern: StoragePattern,
    /// Size in GiB, 1..1000 (longhorn-persistent and nas-mount only, required there).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 1, max = 1000))]
    pub size: Option<i64>,
    /// Where the volume is mounted in the container (default `/data`): absolute, no `..`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(regex(pattern = crate::schema::MOUNT_PATH_PATTERN), extend("default" = "/data"))]
    pub mount_path: Option<String>,
    /// NAS share (nas-mount only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nas: Option<Nas>,
    /// S3 bucket (s3-external only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub s3: Option<S3>,
}

impl Storage {
    pub fn mount_path(&self) -> &str {
        self.mount_path.as_deref().unwrap_or(DEFAULT_MOUNT_PATH)
    }
}

/// An NFS share of the NAS.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Nas {
    /// One of the platform's NAS endpoints, e.g. `nfs://nas.internal:2049` (the list is in
    /// the PlatformConfig and checked by the function, not by this schema).
    #[schemars(regex(pattern = r"^nfs://[A-Za-z0-9.-]+(:[0-9]{1,5})?/?$"))]
    pub endpoint: String,
    /// Absolute path of the share, e.g. `/mnt/apps/whoami`: no `..` or `.` segment (also
    /// percent-encoded), no backslash, no empty segment. It must also lie under the
    /// platform's NAS prefix (default `/mnt/`), which the function checks.
    #[schemars(regex(pattern = crate::schema::SUBPATH_PATTERN), length(max = 4096))]
    pub subpath: String,
}

/// An external S3 bucket.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct S3 {
    /// Bucket name following the S3 naming rules: 3..63 lowercase letters, digits, `-`
    /// and `.`; no IP form, no `xn--`/`sthree-` prefix, no `-s3alias`/`--ol-s3` suffix.
    #[schemars(regex(pattern = crate::schema::BUCKET_PATTERN), length(min = 3, max = 63))]
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

impl IngressPattern {
    pub const ALL: [(&'static str, IngressPattern); 3] = [
        ("internal-only", IngressPattern::InternalOnly),
        ("external-via-tunnel", IngressPattern::ExternalViaTunnel),
        ("none", IngressPattern::None),
    ];

    pub fn as_str(self) -> &'static str {
        Self::ALL
            .iter()
            .find(|(_, p)| *p == self)
            .map(|(n, _)| *n)
            .unwrap_or("")
    }
}

/// How the app is reached. `host` and `path` do not apply to pattern none.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[schemars(extend("allOf" = crate::schema::ingress_rules()))]
pub struct Ingress {
    #[serde(default)]
    pub pattern: IngressPattern,
    /// Host name; default `<name>.<domain of the pattern>` from the platform's host template.
    /// Must lie under the pattern's domain: internal-only apps under the internal domain
    /// (default `.in.hypyr.space`), external apps under the external domain (default
    /// `.hypyr.space`) and never the internal one. The function checks the domains against
    /// the PlatformConfig; this schema checks the DNS syntax.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(regex(pattern = crate::schema::HOST_PATTERN), length(max = 253))]
    pub host: Option<String>,
    /// URL path prefix (default `/`): starts with `/`, no `..` segment, no whitespace.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(regex(pattern = crate::schema::HTTP_PATH_PATTERN), extend("default" = "/"))]
    pub path: Option<String>,
}

impl Ingress {
    pub fn path(&self) -> &str {
        self.path.as_deref().unwrap_or(DEFAULT_INGRESS_PATH)
    }
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum BackupStrategy {
    #[default]
    None,
    /// Volsync restic backups of the Longhorn volume from snapshots.
    VolsyncSnapshots,
}

impl BackupStrategy {
    pub const ALL: [(&'static str, BackupStrategy); 2] = [
        ("none", BackupStrategy::None),
        ("volsync-snapshots", BackupStrategy::VolsyncSnapshots),
    ];

    pub fn as_str(self) -> &'static str {
        Self::ALL
            .iter()
            .find(|(_, p)| *p == self)
            .map(|(n, _)| *n)
            .unwrap_or("")
    }
}

/// Backups of the app's volume. volsync-snapshots needs storage pattern
/// longhorn-persistent; `schedule` and `retentionDays` apply only to it.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[schemars(extend("allOf" = crate::schema::backup_rules()))]
pub struct Backup {
    #[serde(default)]
    pub strategy: BackupStrategy,
    /// 5-field cron expression (default `0 2 * * *`): numbers, `*`, `*/n`, `a-b`, `a/n` or
    /// lists `a,b`; or a macro such as `@daily`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(regex(pattern = crate::schema::CRON_PATTERN), extend("default" = "0 2 * * *"))]
    pub schedule: Option<String>,
    /// Days of snapshots to keep, 1..3650 (default 30).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 1, max = 3650), extend("default" = 30))]
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

fn default_port() -> i64 {
    DEFAULT_PORT
}
fn default_replicas() -> i64 {
    DEFAULT_REPLICAS
}

const TOP: &[&str] = &["apiVersion", "kind", "metadata", "spec"];
const SPEC: &[&str] = &[
    "image",
    "port",
    "replicas",
    "resources",
    "env",
    "storage",
    "ingress",
    "backup",
    "security",
];

/// Reads an AppSpec document strictly. Returns the typed spec unless a value could not be
/// read as its type (unknown fields alone still give the spec, so its other problems are
/// reported in the same run); every structural problem is in the returned issues.
pub fn read(doc: &Value) -> (Option<AppSpec>, Vec<Issue>) {
    let mut r = Reader::default();
    let spec = read_into(&mut r, doc);
    let ok = !r.poisoned;
    (spec.filter(|_| ok), r.issues)
}

fn read_into(r: &mut Reader, doc: &Value) -> Option<AppSpec> {
    let top = r.object(doc, "", TOP)?;
    let meta = present(top, "metadata").and_then(|m| match m {
        Value::Object(map) => Some(map),
        _ => None,
    });
    let (name, namespace) = match meta {
        Some(meta) => (
            r.required_string(meta, "name", "metadata", ""),
            r.string(meta, "namespace", "metadata"),
        ),
        None => {
            r.bad_value("metadata.name", "is required");
            (None, None)
        }
    };
    let Some(spec) = present(top, "spec") else {
        r.bad_value("spec", "is required (at least spec.image)");
        return None;
    };
    let spec = r.object(spec, "spec", SPEC)?;
    let body = read_body(r, spec);
    let name = name?;
    let namespace = namespace.unwrap_or_else(|| name.clone());
    Some(AppSpec {
        name,
        namespace,
        spec: body?,
    })
}

fn read_body(r: &mut Reader, spec: &serde_json::Map<String, Value>) -> Option<AppSpecBody> {
    let p = "spec";
    let image = r.required_string(
        spec,
        "image",
        p,
        " (an OCI image reference, e.g. ghcr.io/org/app:1.0.0)",
    );
    let port = r.integer(spec, "port", p).unwrap_or(DEFAULT_PORT);
    let replicas = r.integer(spec, "replicas", p).unwrap_or(DEFAULT_REPLICAS);
    let resources = r
        .child(spec, "resources", p, &["requests", "limits"])
        .map(|res| {
            let (requests, limits) =
                read_resources(r, &Value::Object(res.clone()), &join(p, "resources"));
            Resources { requests, limits }
        });
    let env = r.string_map(spec, "env", p);
    let storage = read_storage(r, spec);
    let ingress = r
        .child(spec, "ingress", p, &["pattern", "host", "path"])
        .map(|m| {
            let ip = join(p, "ingress");
            Ingress {
                pattern: r
                    .choice(m, "pattern", &ip, &IngressPattern::ALL)
                    .unwrap_or_default(),
                host: r.string(m, "host", &ip),
                path: r.string(m, "path", &ip),
            }
        })
        .unwrap_or_default();
    let backup = r
        .child(
            spec,
            "backup",
            p,
            &["strategy", "schedule", "retentionDays"],
        )
        .map(|m| {
            let bp = join(p, "backup");
            Backup {
                strategy: r
                    .choice(m, "strategy", &bp, &BackupStrategy::ALL)
                    .unwrap_or_default(),
                schedule: r.string(m, "schedule", &bp),
                retention_days: r.integer(m, "retentionDays", &bp),
            }
        })
        .unwrap_or_default();
    let security = r
        .choice(spec, "security", p, &SecurityProfile::ALL)
        .unwrap_or_default();
    Some(AppSpecBody {
        security,
        image: image?,
        port,
        replicas,
        resources,
        env,
        storage,
        ingress,
        backup,
    })
}

/// Reads `requests` and `limits` of a resources mapping (also used by the platform defaults).
pub fn read_resources(
    r: &mut Reader,
    res: &Value,
    path: &str,
) -> (Option<Amounts>, Option<Amounts>) {
    let Value::Object(res) = res else {
        return (None, None);
    };
    (
        read_amounts(r, res, "requests", path),
        read_amounts(r, res, "limits", path),
    )
}

fn read_amounts(
    r: &mut Reader,
    map: &serde_json::Map<String, Value>,
    key: &str,
    path: &str,
) -> Option<Amounts> {
    let m = r.child(map, key, path, &["cpu", "memory"])?;
    let ap = join(path, key);
    Some(Amounts {
        cpu: quantity(r, m, "cpu", &ap),
        memory: quantity(r, m, "memory", &ap),
    })
}

/// Quantities may be written as YAML numbers (`cpu: 1`); they are read as their text.
fn quantity(
    r: &mut Reader,
    map: &serde_json::Map<String, Value>,
    key: &str,
    path: &str,
) -> Option<String> {
    match present(map, key)? {
        Value::Number(n) => Some(n.to_string()),
        _ => r.string(map, key, path),
    }
}

fn read_storage(r: &mut Reader, spec: &serde_json::Map<String, Value>) -> Storage {
    let p = "spec";
    let Some(m) = r.child(
        spec,
        "storage",
        p,
        &["pattern", "size", "mountPath", "nas", "s3"],
    ) else {
        return Storage::default();
    };
    let sp = join(p, "storage");
    let nas = r.child(m, "nas", &sp, &["endpoint", "subpath"]).map(|n| {
        let np = join(&sp, "nas");
        (
            r.required_string(n, "endpoint", &np, " (one of the platform's NAS endpoints)"),
            r.required_string(n, "subpath", &np, " (an absolute path on the NAS)"),
        )
    });
    let s3 = r.child(m, "s3", &sp, &["bucket", "region"]).map(|s| {
        let s3p = join(&sp, "s3");
        (
            r.required_string(s, "bucket", &s3p, ""),
            r.required_string(s, "region", &s3p, ""),
        )
    });
    Storage {
        pattern: r
            .choice(m, "pattern", &sp, &StoragePattern::ALL)
            .unwrap_or_default(),
        size: r.integer(m, "size", &sp),
        mount_path: r.string(m, "mountPath", &sp),
        nas: nas.and_then(|(endpoint, subpath)| {
            Some(Nas {
                endpoint: endpoint?,
                subpath: subpath?,
            })
        }),
        s3: s3.and_then(|(bucket, region)| {
            Some(S3 {
                bucket: bucket?,
                region: region?,
            })
        }),
    }
}

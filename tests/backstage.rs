//! The Backstage template of `examples/backstage/`, run by Backstage's own scaffolder code.
//!
//! `examples/backstage/test/run-template.mjs` (Node; packages pinned in its
//! package-lock.json) validates each parameter set as the Backstage form does (ajv, as
//! `@rjsf/validator-ajv8`) and as the scaffolder backend does (jsonschema), then runs the
//! template's steps with the scaffolder's workflow runner, the real `fetch:template` and the
//! real `publish:github:pull-request` (its GitHub client records the pull request instead of
//! sending it). This test builds every parameter set, runs the script once and checks:
//!
//! - the seed's test matrix: each row commits `apps/<namespace>/<name>/{app.yaml,
//!   kustomization.yaml, catalog-info.yaml}` whose AppSpec `appspec validate`s and whose
//!   directory `appspec render`s to the row's kinds, on a branch `feat/app/<name>-<id>` with
//!   the title `feat: deploy <name>` (the AppSpec of each row is an insta snapshot);
//! - the form refuses what the function refuses: every single-AppSpec `tests/fixtures/invalid-*`
//!   case the form can express (names, sizes, buckets, subpaths and every other form field);
//! - the form accepts what the function accepts: the valid fixtures and examples, and boundary
//!   values, with the function's verdict on what the template commits for them;
//! - the form and the function agree on edge values, except [`KNOWN_DIFFERENCES`];
//! - no input string changes the YAML structure of the committed AppSpec;
//! - (without Node) the form's patterns and bounds are those of `functions/appspec.schema.json`
//!   and its lists those of `functions/platform-config.yaml`.
//!
//! Without node or the installed packages (`examples/backstage/test/node_modules`) the
//! Node-backed tests print a notice and pass; with `APPSPEC_REQUIRE_TOOLS=1` the test runs
//! `npm ci` there instead, and a missing node or npm is a failure.
//! `INSTA_UPDATE=always` rewrites the snapshots.

mod common;

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use appspec::input::yaml::{self, Limits};
use serde_json::{Map, Value, json};

use common::{BIN, on_path, repo_root, tools_required};

fn example_dir() -> PathBuf {
    repo_root().join("examples/backstage")
}

fn node_dir() -> PathBuf {
    example_dir().join("test")
}

fn read_yaml(path: &Path) -> Value {
    let text =
        fs::read_to_string(path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    yaml::parse_one(&text, &Limits::default())
        .unwrap_or_else(|e| panic!("{} is not one YAML document: {e}", path.display()))
}

fn str_at<'a>(v: &'a Value, pointer: &str) -> &'a str {
    v.pointer(pointer)
        .and_then(Value::as_str)
        .unwrap_or_else(|| panic!("no string at {pointer} in {v}"))
}

// ---------------------------------------------------------------------------------------
// The parameter sets

/// A row of the seed's test matrix (Task 3.8): what the user picks, and what it expands to.
struct Row {
    id: &'static str,
    /// Every field the form shows for these choices, with the values (or defaults) it sends.
    params: Value,
    namespace: &'static str,
    host: &'static str,
    kinds: &'static [&'static str],
    /// Words the pull request's description must contain (the choices, summarised).
    summary: &'static [&'static str],
}

fn matrix() -> Vec<Row> {
    vec![
        Row {
            id: "runas-probe-secrets",
            params: json!({
                "name": "jellyfin", "namespace": "media", "image": "ghcr.io/jellyfin/jellyfin:10.10.7",
                "port": 8096, "replicas": 1,
                "runAs": 568, "probePath": "/health", "secretsFromStore": "jellyfin",
                "storagePattern": "longhorn-persistent", "storageSize": 20, "mountPath": "/config",
                "ingressPattern": "internal-only", "path": "/",
                "backupStrategy": "none"
            }),
            namespace: "media",
            host: "jellyfin.in.hypyr.space",
            kinds: &[
                "Deployment",
                "ExternalSecret",
                "Ingress",
                "PersistentVolumeClaim",
                "Service",
            ],
            summary: &["`longhorn-persistent`, 20 GiB", "`internal-only`"],
        },
        Row {
            id: "ephemeral-internal",
            params: json!({
                "name": "whoami", "image": "ghcr.io/traefik/whoami:v1.10.1",
                "port": 8080, "replicas": 1,
                "storagePattern": "ephemeral", "mountPath": "/data",
                "ingressPattern": "internal-only", "path": "/",
                "backupStrategy": "none"
            }),
            namespace: "whoami",
            host: "whoami.in.hypyr.space",
            kinds: &["Deployment", "Ingress", "Service"],
            summary: &["`ephemeral`", "https://whoami.in.hypyr.space/", "`none`"],
        },
        Row {
            id: "longhorn-internal",
            params: json!({
                "name": "wiki", "namespace": "docs", "image": "ghcr.io/requarks/wiki:2.5.300",
                "port": 3000, "replicas": 1,
                "storagePattern": "longhorn-persistent", "storageSize": 10, "mountPath": "/data",
                "ingressPattern": "internal-only", "path": "/",
                "backupStrategy": "none"
            }),
            namespace: "docs",
            host: "wiki.in.hypyr.space",
            kinds: &["Deployment", "Ingress", "PersistentVolumeClaim", "Service"],
            summary: &["`longhorn-persistent`, 10 GiB", "`internal-only`", "`none`"],
        },
        Row {
            id: "longhorn-external-volsync",
            params: json!({
                "name": "photos", "namespace": "media",
                "image": "ghcr.io/immich-app/immich-server:v1.119.0",
                "port": 2283, "replicas": 1,
                "storagePattern": "longhorn-persistent", "storageSize": 50,
                "mountPath": "/usr/src/app/upload",
                "ingressPattern": "external-via-tunnel", "host": "photos.hypyr.space", "path": "/",
                "backupStrategy": "volsync-snapshots", "backupSchedule": "30 3 * * 0",
                "retentionDays": 14
            }),
            namespace: "media",
            host: "photos.hypyr.space",
            kinds: &[
                "Deployment",
                "ExternalSecret",
                "Ingress",
                "PersistentVolumeClaim",
                "ReplicationSource",
                "Service",
            ],
            summary: &[
                "`longhorn-persistent`, 50 GiB",
                "https://photos.hypyr.space/ (public)",
                "`volsync-snapshots`, `30 3 * * 0`, kept 14 days",
            ],
        },
        Row {
            id: "longhorn-internal-snapshots",
            params: json!({
                "name": "paperless", "namespace": "docs",
                "image": "ghcr.io/paperless-ngx/paperless-ngx:2.14.7",
                "port": 8000, "replicas": 1,
                "storagePattern": "longhorn-persistent", "storageSize": 20, "mountPath": "/data",
                "ingressPattern": "internal-only", "path": "/",
                "backupStrategy": "snapshots", "backupSchedule": "0 2 * * *",
                "retentionDays": 30
            }),
            namespace: "docs",
            host: "paperless.in.hypyr.space",
            kinds: &[
                "Deployment",
                "ExternalSecret",
                "Ingress",
                "PersistentVolumeClaim",
                "ReplicationSource",
                "Service",
            ],
            summary: &[
                "`longhorn-persistent`, 20 GiB",
                "`snapshots`, `0 2 * * *`, kept 30 days",
            ],
        },
        Row {
            id: "nas-internal",
            params: json!({
                "name": "jellyfin", "namespace": "media",
                "image": "ghcr.io/jellyfin/jellyfin:10.9.11",
                "port": 8096, "replicas": 1,
                "storagePattern": "nas-mount", "storageSize": 500,
                "nasEndpoint": "nfs://nas.internal:2049", "nasSubpath": "/mnt/tank/media",
                "mountPath": "/media",
                "ingressPattern": "internal-only", "path": "/",
                "backupStrategy": "none"
            }),
            namespace: "media",
            host: "jellyfin.in.hypyr.space",
            kinds: &[
                "Deployment",
                "Ingress",
                "PersistentVolume",
                "PersistentVolumeClaim",
                "Service",
            ],
            summary: &[
                "`nas-mount`, 500 GiB from `nfs://nas.internal:2049/mnt/tank/media`",
                "https://jellyfin.in.hypyr.space/",
            ],
        },
        Row {
            id: "s3-external",
            // storageSize and mountPath are left over from an earlier choice of storage
            // pattern, as the form keeps them: the skeleton must not commit them.
            params: json!({
                "name": "uploader", "namespace": "team", "image": "ghcr.io/acme/uploader:0.9.0",
                "port": 8080, "replicas": 2,
                "storagePattern": "s3-external", "s3Bucket": "uploader-data",
                "s3Region": "eu-west-1", "storageSize": 10, "mountPath": "/data",
                "ingressPattern": "external-via-tunnel", "path": "/",
                "backupStrategy": "none"
            }),
            namespace: "team",
            host: "uploader.hypyr.space",
            kinds: &["Deployment", "ExternalSecret", "Ingress", "Service"],
            summary: &[
                "`s3-external`: bucket `uploader-data` in `eu-west-1`",
                "https://uploader.hypyr.space/ (public)",
            ],
        },
        Row {
            id: "existing-claim-media-volsync",
            params: json!({
                "name": "sonarr", "namespace": "media",
                "image": "ghcr.io/home-operations/sonarr:4.0.15.2941",
                "port": 8989, "replicas": 1,
                "storagePattern": "existing-claim", "claimName": "sonarr", "mountPath": "/config",
                "mediaMount": true, "mediaPath": "/media",
                "mediaEndpoint": "nfs://nas.internal:2049", "mediaSubpath": "/mnt/tank/media",
                "mediaReadOnly": true,
                "ingressPattern": "internal-only", "path": "/",
                "backupStrategy": "volsync-snapshots", "backupSchedule": "15 3 * * *",
                "retentionDays": 30
            }),
            namespace: "media",
            host: "sonarr.in.hypyr.space",
            kinds: &[
                "Deployment",
                "ExternalSecret",
                "Ingress",
                "PersistentVolume",
                "PersistentVolumeClaim",
                "ReplicationSource",
                "Service",
            ],
            summary: &[
                "`existing-claim`: claim `sonarr`; media `nfs://nas.internal:2049/mnt/tank/media` at `/media`",
                "`volsync-snapshots`, `15 3 * * *`, kept 30 days",
            ],
        },
    ]
}

fn row_params(id: &str) -> Value {
    matrix()
        .into_iter()
        .find(|r| r.id == id)
        .unwrap_or_else(|| panic!("no matrix row {id}"))
        .params
}

/// Edge values: (case, the matrix row it changes, the changed fields as JSON, whether the
/// function accepts the AppSpec the template commits). `{aN}` (`{a63}`), `{b63}` and `{sha}`
/// stand for N times `a`, `b` + 62 `c`, and 64 hex digits.
#[rustfmt::skip]
const EDGES: &[(&str, &str, &str, bool)] = &[
    // Boundaries both accept.
    ("edge-name-63-chars", "ephemeral-internal", r#"{"name": "{a63}"}"#, true),
    ("edge-name-one-letter", "ephemeral-internal", r#"{"name": "a"}"#, true),
    ("edge-name-reserved-with-namespace", "ephemeral-internal", r#"{"name": "argocd", "namespace": "tools"}"#, true),
    ("edge-port-1", "ephemeral-internal", r#"{"port": 1}"#, true),
    ("edge-port-65535", "ephemeral-internal", r#"{"port": 65535}"#, true),
    ("edge-replicas-0", "ephemeral-internal", r#"{"replicas": 0}"#, true),
    ("edge-replicas-int32-max", "ephemeral-internal", r#"{"replicas": 2147483647}"#, true),
    ("edge-image-no-tag", "ephemeral-internal", r#"{"image": "nginx"}"#, true),
    ("edge-image-digest", "ephemeral-internal", r#"{"image": "ghcr.io/acme/web@sha256:{sha}"}"#, true),
    ("edge-image-registry-port", "ephemeral-internal", r#"{"image": "registry.local:5000/team/app:1.0"}"#, true),
    ("edge-size-1", "longhorn-internal", r#"{"storageSize": 1}"#, true),
    ("edge-size-1000", "longhorn-internal", r#"{"storageSize": 1000}"#, true),
    ("edge-mountpath-deep", "longhorn-internal", r#"{"mountPath": "/var/lib/app"}"#, true),
    ("edge-bucket-3-chars", "s3-external", r#"{"s3Bucket": "abc"}"#, true),
    ("edge-bucket-63-chars", "s3-external", r#"{"s3Bucket": "{b63}"}"#, true),
    ("edge-bucket-dots", "s3-external", r#"{"s3Bucket": "a.b-c"}"#, true),
    ("edge-subpath-encoded-letter", "nas-internal", r#"{"nasSubpath": "/mnt/a%41"}"#, true),
    ("edge-nas-backup-endpoint", "nas-internal", r#"{"nasEndpoint": "nfs://nas-backup.internal:2049"}"#, true),
    ("edge-host-internal-deep", "ephemeral-internal", r#"{"host": "a.b.in.hypyr.space"}"#, true),
    ("edge-host-external-deep", "longhorn-external-volsync", r#"{"host": "x.y.hypyr.space"}"#, true),
    ("edge-host-external-in-prefix", "longhorn-external-volsync", r#"{"host": "xin.hypyr.space"}"#, true),
    ("edge-path-dots-in-name", "ephemeral-internal", r#"{"path": "/a/..b"}"#, true),
    ("edge-path-api", "ephemeral-internal", r#"{"path": "/api"}"#, true),
    ("edge-ingress-none", "ephemeral-internal", r#"{"ingressPattern": "none"}"#, true),
    ("edge-schedule-max-values", "longhorn-external-volsync", r#"{"backupSchedule": "59 23 31 12 6"}"#, true),
    ("edge-schedule-macro", "longhorn-external-volsync", r#"{"backupSchedule": "@daily"}"#, true),
    ("edge-schedule-list-and-step", "longhorn-external-volsync", r#"{"backupSchedule": "0,30 */6 1-15 1/3 1-5"}"#, true),
    ("edge-schedule-leading-zeros", "longhorn-external-volsync", r#"{"backupSchedule": "00 02 * * *"}"#, true),
    ("edge-retention-1", "longhorn-external-volsync", r#"{"retentionDays": 1}"#, true),
    ("edge-retention-3650", "longhorn-external-volsync", r#"{"retentionDays": 3650}"#, true),
    ("edge-claim-name-dotted", "existing-claim-media-volsync", r#"{"claimName": "sonarr.config"}"#, true),
    ("edge-media-read-write", "existing-claim-media-volsync", r#"{"mediaReadOnly": false}"#, true),
    ("edge-media-inside-storage", "existing-claim-media-volsync", r#"{"mediaPath": "/config/media"}"#, true),
    ("edge-media-on-ephemeral", "ephemeral-internal", r#"{"mediaMount": true, "mediaPath": "/media", "mediaEndpoint": "nfs://nas.internal:2049", "mediaSubpath": "/mnt/tank/media"}"#, true),
    ("edge-existing-claim-no-backup", "existing-claim-media-volsync", r#"{"backupStrategy": "none"}"#, true),
    ("edge-media-path-encoded-letter", "existing-claim-media-volsync", r#"{"mediaPath": "/media/a%41"}"#, true),
    ("edge-media-path-shm-lookalike", "existing-claim-media-volsync", r#"{"mediaPath": "/data/dev/shm"}"#, true),
    // Values both refuse.
    ("edge-name-kube-prefix-no-namespace", "ephemeral-internal", r#"{"name": "kube-tools"}"#, false),
    ("edge-mountpath-trailing-slash", "longhorn-internal", r#"{"mountPath": "/data/"}"#, true),
    ("edge-mountpath-encoded-dotdot", "longhorn-internal", r#"{"mountPath": "/data/%2E%2E/etc"}"#, false),
    ("edge-mountpath-c1-control", "longhorn-internal", r#"{"mountPath": "/data\u009b"}"#, false),
    ("edge-subpath-prefix-itself", "nas-internal", r#"{"nasSubpath": "/mnt"}"#, false),
    ("edge-subpath-trailing-slash", "nas-internal", r#"{"nasSubpath": "/mnt/a/"}"#, false),
    ("edge-subpath-dot-segment", "nas-internal", r#"{"nasSubpath": "/mnt/./a"}"#, false),
    ("edge-bucket-sthree-prefix", "s3-external", r#"{"s3Bucket": "sthree-data"}"#, false),
    ("edge-bucket-64-chars", "s3-external", r#"{"s3Bucket": "{b63}d"}"#, false),
    ("edge-host-internal-apex", "ephemeral-internal", r#"{"host": "in.hypyr.space"}"#, false),
    ("edge-host-external-apex", "longhorn-external-volsync", r#"{"host": "hypyr.space"}"#, false),
    ("edge-volsync-with-nas", "nas-internal", r#"{"backupStrategy": "volsync-snapshots", "retentionDays": 30}"#, false),
    ("edge-snapshots-with-nas", "nas-internal", r#"{"backupStrategy": "snapshots", "retentionDays": 30}"#, false),
    ("edge-schedule-weekday-7", "longhorn-external-volsync", r#"{"backupSchedule": "0 0 * * 7"}"#, false),
    ("edge-schedule-step-zero", "longhorn-external-volsync", r#"{"backupSchedule": "*/0 0 * * *"}"#, false),
    ("edge-schedule-hour-24", "longhorn-external-volsync", r#"{"backupSchedule": "0 24 * * *"}"#, false),
    ("edge-retention-0", "longhorn-external-volsync", r#"{"retentionDays": 0}"#, false),
    ("edge-subpath-space", "nas-internal", r#"{"nasSubpath": "/mnt/tank/my media"}"#, false),
    ("edge-claim-name-uppercase", "existing-claim-media-volsync", r#"{"claimName": "Sonarr"}"#, false),
    ("edge-claim-name-trailing-dot", "existing-claim-media-volsync", r#"{"claimName": "sonarr."}"#, false),
    ("edge-media-subpath-outside-prefix", "existing-claim-media-volsync", r#"{"mediaSubpath": "/srv/media"}"#, false),
    ("edge-media-subpath-dotdot", "existing-claim-media-volsync", r#"{"mediaSubpath": "/mnt/tank/../../etc"}"#, false),
    ("edge-media-path-relative", "existing-claim-media-volsync", r#"{"mediaPath": "media"}"#, false),
    ("edge-media-endpoint-unknown", "existing-claim-media-volsync", r#"{"mediaEndpoint": "nfs://evil.example.com:2049"}"#, false),
    ("edge-media-path-is-storage-path", "existing-claim-media-volsync", r#"{"mediaPath": "/config"}"#, false),
    ("edge-media-path-proc", "existing-claim-media-volsync", r#"{"mediaPath": "/proc/media"}"#, false),
    // Only an emptyDir may use /dev/shm; the media mount is a NAS share.
    ("edge-media-path-dev-shm", "existing-claim-media-volsync", r#"{"mediaPath": "/dev/shm"}"#, false),
    ("edge-media-path-under-dev-shm", "existing-claim-media-volsync", r#"{"mediaPath": "/dev/shm/media"}"#, false),
    ("edge-media-path-dev", "existing-claim-media-volsync", r#"{"mediaPath": "/dev"}"#, false),
    ("edge-media-path-etc", "existing-claim-media-volsync", r#"{"mediaPath": "/etc/media"}"#, true),
    ("edge-media-path-etc-itself", "existing-claim-media-volsync", r#"{"mediaPath": "/etc"}"#, false),
    ("edge-media-path-etc-hosts", "existing-claim-media-volsync", r#"{"mediaPath": "/etc/hosts"}"#, false),
    ("edge-mountpath-etc-subdirectory", "longhorn-internal", r#"{"mountPath": "/etc/app"}"#, true),
    ("edge-mountpath-etc-itself", "longhorn-internal", r#"{"mountPath": "/etc/"}"#, false),
    ("edge-mountpath-resolv-conf", "longhorn-internal", r#"{"mountPath": "/etc/resolv.conf"}"#, false),
    // a whole Secret as a directory
    ("edge-secret-mount", "longhorn-internal", r#"{"secretMount": true, "secretName": "wiki-config", "secretPath": "/etc/wiki"}"#, true),
    ("edge-secret-mount-with-media", "existing-claim-media-volsync", r#"{"secretMount": true, "secretName": "tls.sonarr", "secretPath": "/certs/"}"#, true),
    ("edge-secret-mount-off", "longhorn-internal", r#"{"secretMount": false, "secretName": "Ignored", "secretPath": "relative"}"#, true),
    ("edge-secret-name-uppercase", "longhorn-internal", r#"{"secretMount": true, "secretName": "Wiki", "secretPath": "/etc/wiki"}"#, false),
    ("edge-secret-name-label-64", "longhorn-internal", r#"{"secretMount": true, "secretName": "{a64}", "secretPath": "/etc/wiki"}"#, false),
    ("edge-secret-path-storage-path", "longhorn-internal", r#"{"secretMount": true, "secretName": "wiki", "secretPath": "/data"}"#, false),
    ("edge-secret-path-dev-shm", "longhorn-internal", r#"{"secretMount": true, "secretName": "wiki", "secretPath": "/dev/shm"}"#, false),
    ("edge-secret-path-etc", "longhorn-internal", r#"{"secretMount": true, "secretName": "wiki", "secretPath": "/etc"}"#, false),
    ("edge-secret-path-proc", "longhorn-internal", r#"{"secretMount": true, "secretName": "wiki", "secretPath": "/proc/x"}"#, false),
    ("edge-secret-path-encoded-dotdot", "longhorn-internal", r#"{"secretMount": true, "secretName": "wiki", "secretPath": "/a/%2e%2e/etc"}"#, false),
    ("edge-secret-path-relative", "longhorn-internal", r#"{"secretMount": true, "secretName": "wiki", "secretPath": "etc/wiki"}"#, false),
    // The function decodes percent-encoding before it looks at segments.
    ("edge-media-path-encoded-dotdot", "existing-claim-media-volsync", r#"{"mediaPath": "/media/%2e%2e/etc"}"#, false),
    ("edge-media-path-encoded-twice", "existing-claim-media-volsync", r#"{"mediaPath": "/media/%252e%252e"}"#, false),
    ("edge-media-path-encoded-backslash", "existing-claim-media-volsync", r#"{"mediaPath": "/media/a%5cb"}"#, false),
    ("edge-media-path-c1-control", "existing-claim-media-volsync", r#"{"mediaPath": "/media/a\u0085b"}"#, false),
    // Where the form and the function disagree: see KNOWN_DIFFERENCES.
    ("edge-schedule-reversed-range", "longhorn-external-volsync", r#"{"backupSchedule": "5-3 0 * * *"}"#, false),
    ("edge-schedule-three-digit-zero", "longhorn-external-volsync", r#"{"backupSchedule": "000 2 * * *"}"#, true),
    ("edge-store-254-chars", "runas-probe-secrets", r#"{"secretsFromStore": "{a254}"}"#, false),
    ("edge-store-bom", "runas-probe-secrets", r#"{"secretsFromStore": "app\ufeff"}"#, true),
    ("edge-probe-bom", "runas-probe-secrets", r#"{"probePath": "/health\ufeff"}"#, true),
    ("edge-path-bom", "ephemeral-internal", r#"{"path": "/a\ufeff"}"#, true),
    ("edge-subpath-bom", "nas-internal", r#"{"nasSubpath": "/mnt/a\ufeff"}"#, true),
    ("edge-subpath-encoded-dot-in-name", "nas-internal", r#"{"nasSubpath": "/mnt/a%2eb"}"#, true),
    ("edge-subpath-4097-chars", "nas-internal", r#"{"nasSubpath": "/mnt/{a4092}"}"#, false),
    ("edge-mountpath-encoded-slash", "longhorn-internal", r#"{"mountPath": "/data%2fx"}"#, true),
    ("edge-bucket-ip-like-out-of-range", "s3-external", r#"{"s3Bucket": "300.1.1.1"}"#, true),

    // Every form field against the function's rule for the field it fills (a value per
    // side of each rule; the ones marked "was accepted" the form let through before).
    // name and namespace: the longest name through every derived object.
    ("edge-name-63-volsync", "longhorn-external-volsync", r#"{"name": "{a63}"}"#, true),
    ("edge-name-63-nas", "nas-internal", r#"{"name": "{a63}", "namespace": "{a63}"}"#, true),
    ("edge-name-63-media-claim", "existing-claim-media-volsync", r#"{"name": "{a63}", "namespace": "{a63}"}"#, true),
    ("edge-name-63-s3-secrets", "s3-external", r#"{"name": "{a63}", "secretsFromStore": "x"}"#, true),
    ("edge-name-64", "ephemeral-internal", r#"{"name": "{a64}"}"#, false),
    ("edge-name-digit-first", "ephemeral-internal", r#"{"name": "1app", "namespace": "team"}"#, false),
    ("edge-name-c1", "ephemeral-internal", r#"{"name": "app\u0085"}"#, false),
    ("edge-namespace-kube", "ephemeral-internal", r#"{"namespace": "kube"}"#, true),
    ("edge-namespace-digit-first", "ephemeral-internal", r#"{"namespace": "1team"}"#, true),
    ("edge-namespace-64", "ephemeral-internal", r#"{"namespace": "{a64}"}"#, false),
    ("edge-namespace-kube-prefix", "ephemeral-internal", r#"{"namespace": "kube-apps"}"#, false),
    ("edge-namespace-reserved", "ephemeral-internal", r#"{"namespace": "longhorn-system"}"#, false),
    // image
    ("edge-image-uppercase-registry", "ephemeral-internal", r#"{"image": "Registry.Local/team/app:1.0"}"#, true),
    ("edge-image-localhost", "ephemeral-internal", r#"{"image": "localhost/app:1.0"}"#, true),
    ("edge-image-name-255", "ephemeral-internal", r#"{"image": "{a255}:1"}"#, true),
    ("edge-image-name-256", "ephemeral-internal", r#"{"image": "{a256}:1"}"#, false),
    ("edge-image-uppercase-path", "ephemeral-internal", r#"{"image": "ghcr.io/Acme/app:1"}"#, false),
    ("edge-image-c1", "ephemeral-internal", r#"{"image": "nginx:1\u0085"}"#, false),
    ("edge-image-short-digest", "ephemeral-internal", r#"{"image": "nginx@sha256:abc"}"#, false),
    ("edge-image-port-0", "ephemeral-internal", r#"{"image": "registry.local:0/app:1"}"#, false),
    // port, replicas, runAs
    ("edge-port-80", "ephemeral-internal", r#"{"port": 80}"#, true),
    ("edge-port-0", "ephemeral-internal", r#"{"port": 0}"#, false),
    ("edge-port-65536", "ephemeral-internal", r#"{"port": 65536}"#, false),
    ("edge-replicas-int32-overflow", "ephemeral-internal", r#"{"replicas": 2147483648}"#, false),
    ("edge-replicas-negative", "ephemeral-internal", r#"{"replicas": -1}"#, false),
    ("edge-runas-root", "runas-probe-secrets", r#"{"runAs": 0}"#, true),
    ("edge-runas-int32-max", "runas-probe-secrets", r#"{"runAs": 2147483647}"#, true),
    ("edge-runas-int32-overflow", "runas-probe-secrets", r#"{"runAs": 2147483648}"#, false),
    // probePath (the rule of an ingress path)
    ("edge-probe-root", "runas-probe-secrets", r#"{"probePath": "/"}"#, true),
    ("edge-probe-query", "runas-probe-secrets", r#"{"probePath": "/health?full=1"}"#, true),
    ("edge-probe-encoded-c1", "runas-probe-secrets", r#"{"probePath": "/a%c2%85"}"#, true),
    ("edge-probe-c1", "runas-probe-secrets", r#"{"probePath": "/health\u0085"}"#, false),
    ("edge-probe-del", "runas-probe-secrets", r#"{"probePath": "/health\u007f"}"#, false),
    ("edge-probe-nbsp", "runas-probe-secrets", r#"{"probePath": "/a\u00a0b"}"#, false),
    ("edge-probe-encoded-space", "runas-probe-secrets", r#"{"probePath": "/a%20b"}"#, false),
    ("edge-probe-encoded-dotdot", "runas-probe-secrets", r#"{"probePath": "/a/%2e%2e/b"}"#, false),
    ("edge-probe-dot-segment", "runas-probe-secrets", r#"{"probePath": "/a/."}"#, false),
    ("edge-probe-relative", "runas-probe-secrets", r#"{"probePath": "health"}"#, false),
    // the probe's scheme and timings (the short form) and the start-up time
    ("edge-probe-timings", "runas-probe-secrets", r#"{"probeHttps": true, "probePeriodSeconds": 30, "probeTimeoutSeconds": 5, "probeFailureThreshold": 3, "startupMinutes": 15}"#, true),
    ("edge-probe-http", "runas-probe-secrets", r#"{"probeHttps": false, "probePeriodSeconds": 1}"#, true),
    ("edge-probe-timings-int32-max", "runas-probe-secrets", r#"{"probePeriodSeconds": 2147483647, "probeTimeoutSeconds": 2147483647, "probeFailureThreshold": 2147483647}"#, true),
    ("edge-startup-1-minute", "runas-probe-secrets", r#"{"startupMinutes": 1}"#, true),
    ("edge-startup-a-day", "runas-probe-secrets", r#"{"startupMinutes": 1440}"#, true),
    ("edge-probe-period-0", "runas-probe-secrets", r#"{"probePeriodSeconds": 0}"#, false),
    ("edge-probe-timeout-0", "runas-probe-secrets", r#"{"probeTimeoutSeconds": 0}"#, false),
    ("edge-probe-failure-threshold-0", "runas-probe-secrets", r#"{"probeFailureThreshold": 0}"#, false),
    ("edge-probe-period-int32-overflow", "runas-probe-secrets", r#"{"probePeriodSeconds": 2147483648}"#, false),
    ("edge-startup-0", "runas-probe-secrets", r#"{"startupMinutes": 0}"#, false),
    ("edge-startup-over-a-day", "runas-probe-secrets", r#"{"startupMinutes": 1441}"#, true),
    // secretsFromStore
    ("edge-store-slashes", "runas-probe-secrets", r#"{"secretsFromStore": "team/app/db"}"#, true),
    ("edge-store-single-braces", "runas-probe-secrets", r#"{"secretsFromStore": "a{b}c"}"#, true),
    ("edge-store-253-chars", "runas-probe-secrets", r#"{"secretsFromStore": "{a253}"}"#, true),
    ("edge-store-non-ascii", "runas-probe-secrets", r#"{"secretsFromStore": "caf\u00e9"}"#, true),
    ("edge-store-c1", "runas-probe-secrets", r#"{"secretsFromStore": "app\u0085"}"#, false),
    ("edge-store-c1-csi", "runas-probe-secrets", r#"{"secretsFromStore": "app\u009b31m"}"#, false),
    ("edge-store-del", "runas-probe-secrets", r#"{"secretsFromStore": "app\u007f"}"#, false),
    ("edge-store-nbsp", "runas-probe-secrets", r#"{"secretsFromStore": "a\u00a0b"}"#, false),
    ("edge-store-line-separator", "runas-probe-secrets", r#"{"secretsFromStore": "a\u2028b"}"#, false),
    ("edge-store-template", "runas-probe-secrets", r#"{"secretsFromStore": "a{{b"}"#, false),
    // storageSize, mountPath
    ("edge-size-0", "longhorn-internal", r#"{"storageSize": 0}"#, false),
    ("edge-size-1001", "longhorn-internal", r#"{"storageSize": 1001}"#, false),
    ("edge-mountpath-space", "longhorn-internal", r#"{"mountPath": "/my data"}"#, true),
    ("edge-mountpath-etc-lookalike", "longhorn-internal", r#"{"mountPath": "/etcd"}"#, true),
    ("edge-mountpath-encoded-c1-lookalike", "longhorn-internal", r#"{"mountPath": "/data/%e2%80%a8"}"#, true),
    ("edge-mountpath-dev-shm", "longhorn-internal", r#"{"mountPath": "/dev/shm"}"#, false),
    ("edge-mountpath-root", "longhorn-internal", r#"{"mountPath": "/"}"#, false),
    ("edge-mountpath-del", "longhorn-internal", r#"{"mountPath": "/data\u007f"}"#, false),
    ("edge-mountpath-encoded-c0", "longhorn-internal", r#"{"mountPath": "/data%1f"}"#, false),
    ("edge-mountpath-encoded-c1", "longhorn-internal", r#"{"mountPath": "/data%C2%9B"}"#, false),
    // nasSubpath (was accepted: C1 and DEL, raw or percent-encoded, and %10-%1F)
    ("edge-subpath-encoded-space", "nas-internal", r#"{"nasSubpath": "/mnt/a%20b"}"#, true),
    ("edge-subpath-deep", "nas-internal", r#"{"nasSubpath": "/mnt/tank/apps/media-2"}"#, true),
    ("edge-subpath-c1", "nas-internal", r#"{"nasSubpath": "/mnt/a\u0085b"}"#, false),
    ("edge-subpath-del", "nas-internal", r#"{"nasSubpath": "/mnt/a\u007f"}"#, false),
    ("edge-subpath-encoded-c0-high", "nas-internal", r#"{"nasSubpath": "/mnt/a%1fb"}"#, false),
    ("edge-subpath-encoded-del", "nas-internal", r#"{"nasSubpath": "/mnt/a%7F"}"#, false),
    ("edge-subpath-encoded-c1", "nas-internal", r#"{"nasSubpath": "/mnt/a%c2%85"}"#, false),
    ("edge-subpath-nbsp", "nas-internal", r#"{"nasSubpath": "/mnt/a\u00a0b"}"#, false),
    ("edge-subpath-encoded-backslash", "nas-internal", r#"{"nasSubpath": "/mnt/a%5cb"}"#, false),
    ("edge-subpath-prefix-lookalike", "nas-internal", r#"{"nasSubpath": "/mntx/a"}"#, false),
    // claimName (was accepted: a label over 63 characters)
    ("edge-claim-name-253-chars", "existing-claim-media-volsync", r#"{"claimName": "{a63}.{a63}.{a63}.{a61}"}"#, true),
    ("edge-claim-name-254-chars", "existing-claim-media-volsync", r#"{"claimName": "{a63}.{a63}.{a63}.{a62}"}"#, false),
    ("edge-claim-name-label-64", "existing-claim-media-volsync", r#"{"claimName": "{a64}"}"#, false),
    ("edge-claim-name-dotted-label-64", "existing-claim-media-volsync", r#"{"claimName": "data.{a64}"}"#, false),
    // mediaPath (was accepted: a path without a letter or digit to name its claim)
    ("edge-media-path-digit", "existing-claim-media-volsync", r#"{"mediaPath": "/2"}"#, true),
    ("edge-media-path-tmp", "existing-claim-media-volsync", r#"{"mediaPath": "/tmp"}"#, true),
    ("edge-media-path-no-letter", "existing-claim-media-volsync", r#"{"mediaPath": "/_-_"}"#, false),
    ("edge-media-path-non-ascii-only", "existing-claim-media-volsync", r#"{"mediaPath": "/m\u00e9\u00e9"}"#, true),
    ("edge-media-path-accents-only", "existing-claim-media-volsync", r#"{"mediaPath": "/\u00e9\u00e9"}"#, false),
    ("edge-media-path-del", "existing-claim-media-volsync", r#"{"mediaPath": "/media\u007f"}"#, false),
    // mediaSubpath (was accepted as nasSubpath)
    ("edge-media-subpath-c1", "existing-claim-media-volsync", r#"{"mediaSubpath": "/mnt/tank/\u009b"}"#, false),
    ("edge-media-subpath-encoded-c0-high", "existing-claim-media-volsync", r#"{"mediaSubpath": "/mnt/tank/%1B"}"#, false),
    ("edge-media-subpath-encoded-c1", "existing-claim-media-volsync", r#"{"mediaSubpath": "/mnt/tank/%C2%9b"}"#, false),
    // s3Bucket
    ("edge-bucket-ip", "s3-external", r#"{"s3Bucket": "192.168.1.1"}"#, false),
    ("edge-bucket-mrap-suffix", "s3-external", r#"{"s3Bucket": "data.mrap"}"#, false),
    ("edge-bucket-dot-dash", "s3-external", r#"{"s3Bucket": "a.-b"}"#, false),
    // host
    ("edge-host-internal-63-label", "ephemeral-internal", r#"{"host": "{a63}.in.hypyr.space"}"#, true),
    ("edge-host-label-64", "ephemeral-internal", r#"{"host": "{a64}.in.hypyr.space"}"#, false),
    ("edge-host-uppercase", "ephemeral-internal", r#"{"host": "App.in.hypyr.space"}"#, false),
    ("edge-host-trailing-dot", "ephemeral-internal", r#"{"host": "app.in.hypyr.space."}"#, false),
    ("edge-host-external-under-internal", "longhorn-external-volsync", r#"{"host": "a.in.hypyr.space"}"#, false),
    ("edge-host-internal-lookalike", "ephemeral-internal", r#"{"host": "app.evilin.hypyr.space"}"#, false),
    // ingress path
    ("edge-path-query", "ephemeral-internal", r#"{"path": "/a?b=1"}"#, true),
    ("edge-path-encoded-c1", "ephemeral-internal", r#"{"path": "/a%c2%85"}"#, true),
    ("edge-path-c1", "ephemeral-internal", r#"{"path": "/a\u0085"}"#, false),
    ("edge-path-del", "ephemeral-internal", r#"{"path": "/a\u007f"}"#, false),
    ("edge-path-encoded-percent", "ephemeral-internal", r#"{"path": "/a%25"}"#, false),
    ("edge-path-double-slash", "ephemeral-internal", r#"{"path": "/a//b"}"#, false),
    // backup (was accepted: schedules that never fire written as ranges or steps)
    ("edge-schedule-day-31-month-range-long", "longhorn-external-volsync", r#"{"backupSchedule": "0 0 31 4-5 *"}"#, true),
    ("edge-schedule-day-31-month-step-long", "longhorn-external-volsync", r#"{"backupSchedule": "0 0 31 9/3 *"}"#, true),
    ("edge-schedule-day-30-month-step-long", "longhorn-external-volsync", r#"{"backupSchedule": "0 0 30 2/10 *"}"#, true),
    ("edge-schedule-day-30-feb-weekday", "longhorn-external-volsync", r#"{"backupSchedule": "0 0 30-31 2 1"}"#, true),
    ("edge-schedule-day-29-feb", "longhorn-external-volsync", r#"{"backupSchedule": "0 0 29 2 *"}"#, true),
    ("edge-schedule-day-range-30-feb", "longhorn-external-volsync", r#"{"backupSchedule": "0 0 30-31 2 *"}"#, false),
    ("edge-schedule-day-step-30-feb", "longhorn-external-volsync", r#"{"backupSchedule": "0 0 30/2 2 *"}"#, false),
    ("edge-schedule-day-30-feb-step", "longhorn-external-volsync", r#"{"backupSchedule": "0 0 30 2/11 *"}"#, false),
    ("edge-schedule-day-30-feb-range", "longhorn-external-volsync", r#"{"backupSchedule": "0 0 30 2-2 *"}"#, false),
    ("edge-schedule-day-31-month-range-short", "longhorn-external-volsync", r#"{"backupSchedule": "0 0 31 4-4 *"}"#, false),
    ("edge-schedule-day-31-month-step-short", "longhorn-external-volsync", r#"{"backupSchedule": "0 0 31 9/2 *"}"#, false),
    ("edge-schedule-day-31-month-step-short-2", "longhorn-external-volsync", r#"{"backupSchedule": "0 0 31 2/7 *"}"#, false),
    ("edge-schedule-day-range-31-short", "longhorn-external-volsync", r#"{"backupSchedule": "0 0 31-31 11 */1"}"#, false),
    ("edge-schedule-day-step-31-short", "longhorn-external-volsync", r#"{"backupSchedule": "0 0 31/5 4/5 *"}"#, false),
    ("edge-schedule-minute-step-60", "longhorn-external-volsync", r#"{"backupSchedule": "*/60 0 * * *"}"#, false),
    ("edge-schedule-unknown-macro", "longhorn-external-volsync", r#"{"backupSchedule": "@reboot"}"#, false),
    ("edge-retention-3651", "longhorn-external-volsync", r#"{"retentionDays": 3651}"#, false),
];

/// The changed fields of an edge value.
fn edge_fields(json_text: &str) -> Value {
    let mut text = json_text
        .replace("{b63}", &format!("b{}", "c".repeat(62)))
        .replace("{sha}", &"0".repeat(64));
    // `{aN}`: N times `a`.
    while let Some(start) = text.find("{a") {
        let len = text[start + 2..]
            .find('}')
            .unwrap_or_else(|| panic!("bad edge {json_text}"));
        let n: usize = text[start + 2..start + 2 + len]
            .parse()
            .unwrap_or_else(|e| panic!("bad edge {json_text}: {e}"));
        text.replace_range(start..start + 3 + len, &"a".repeat(n));
    }
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("bad edge {json_text}: {e}"))
}

/// Values on which the form and the function disagree, as this test finds them: the case,
/// whether the form accepts it, and why. The test fails when one of them is no longer a
/// difference, so the list stays true.
const KNOWN_DIFFERENCES: &[(&str, bool, &str)] = &[
    (
        "edge-schedule-reversed-range",
        true,
        "the function refuses a reversed range '5-3'; a regular expression cannot compare the \
         two numbers, so the form accepts it",
    ),
    (
        "edge-media-path-is-storage-path",
        true,
        "the function refuses two mounts on one path; the form cannot compare two of its fields",
    ),
    (
        "edge-secret-path-storage-path",
        true,
        "the function refuses two mounts on one path; the form cannot compare two of its fields",
    ),
    // The form is stricter than the function here (the user is refused early, never sent a
    // pull request CI rejects); examples/backstage/README.md lists these.
    (
        "edge-schedule-three-digit-zero",
        false,
        "the schema's cron pattern takes at most one leading zero ('00', '05'); the function \
         reads any number of them",
    ),
    (
        "edge-store-bom",
        false,
        "the form's \\s (JavaScript) counts U+FEFF as whitespace; the function's (Unicode \
         White_Space) does not",
    ),
    (
        "edge-probe-bom",
        false,
        "the form's \\s counts U+FEFF as whitespace; the function's does not",
    ),
    (
        "edge-path-bom",
        false,
        "the form's \\s counts U+FEFF as whitespace; the function's does not",
    ),
    (
        "edge-subpath-bom",
        false,
        "the form's \\s counts U+FEFF as whitespace; the function's does not",
    ),
    (
        "edge-subpath-encoded-dot-in-name",
        false,
        "the schema's subpath pattern refuses every %2E and %2F; the function only the ones \
         that decode to a '.' or '..' segment or an empty one",
    ),
    (
        "edge-mountpath-encoded-slash",
        false,
        "the form refuses every %2F, %2E and %25 in a mount path; the function only the ones \
         that decode to a '.' or '..' segment or an empty one",
    ),
    (
        "edge-startup-over-a-day",
        false,
        "the form offers at most a day (1440 minutes) to start; the function takes any \
         failureThreshold up to 2147483647",
    ),
    (
        "edge-bucket-ip-like-out-of-range",
        false,
        "the schema's bucket pattern refuses any four dotted numbers; the function only an IP \
         address (octets up to 255)",
    ),
];

/// Invalid fixtures the form lets through on purpose: the offending field belongs to another
/// pattern, so the form does not show it for the chosen one and the skeleton does not commit
/// it (the committed AppSpec must then be valid).
const FORM_DROPS_FIELD: &[&str] = &[
    "invalid-backup-schedule-with-strategy-none",
    "invalid-ingress-host-with-pattern-none",
    "invalid-ingress-path-with-pattern-none",
    "invalid-mountpath-with-s3-external",
    "invalid-nas-block-with-ephemeral",
    "invalid-s3-block-with-longhorn",
    "invalid-storage-size-with-ephemeral",
    "invalid-storage-claim-name-with-ephemeral",
];

/// The form field each family of invalid fixtures is about (its error must name it).
const FIXTURE_FIELDS: &[(&str, &str)] = &[
    ("invalid-name-", "name"),
    ("invalid-namespace-reserved-by-default-from-name", "name"),
    ("invalid-namespace-", "namespace"),
    ("invalid-image-", "image"),
    ("invalid-port-", "port"),
    ("invalid-replicas-", "replicas"),
    ("invalid-storage-pattern-", "storagePattern"),
    ("invalid-storage-size-", "storageSize"),
    ("invalid-storage-existing-claim-", "claimName"),
    ("invalid-s3-bucket-", "s3Bucket"),
    ("invalid-s3-region-", "s3Region"),
    ("invalid-s3-missing-", "s3Bucket"),
    ("invalid-nas-subpath-", "nasSubpath"),
    ("invalid-nas-endpoint-", "nasEndpoint"),
    ("invalid-nas-missing-subpath", "nasSubpath"),
    ("invalid-nas-missing-for-nas-mount", "nasSubpath"),
    ("invalid-mountpath-", "mountPath"),
    ("invalid-ingress-host-", "host"),
    ("invalid-ingress-path-", "path"),
    ("invalid-probes-path-", "probePath"),
    ("invalid-secretenv-fromstore-", "secretsFromStore"),
    ("invalid-runas-negative", "runAs"),
    ("invalid-backup-retention-", "retentionDays"),
    ("invalid-backup-schedule-", "backupSchedule"),
    ("invalid-backup-strategy-", "backupStrategy"),
    ("invalid-backup-volsync-", "backupStrategy"),
];

/// The families the form must cover entirely (the issue's list).
const REQUIRED_FAMILIES: &[&str] = &[
    "invalid-name-",
    "invalid-storage-size-",
    "invalid-s3-bucket-",
    "invalid-nas-subpath-",
];

/// The form parameters for an AppSpec, field by field, or why the form cannot express it
/// (fields the form does not have). Fields the spec leaves out stay out, except those the
/// form always fills in with their defaults (the pattern selectors, port and replicas).
fn params_from_spec(doc: &Value) -> Result<Value, String> {
    let obj = doc.as_object().ok_or("not a mapping")?;
    if obj.get("apiVersion") != Some(&json!("platform.hypyr.space/v1alpha1"))
        || obj.get("kind") != Some(&json!("AppSpec"))
    {
        return Err("not an AppSpec of this apiVersion".into());
    }
    let mut out = Map::new();
    let mut take = |from: Option<&Value>, key: &str, name: &str| -> Result<(), String> {
        let Some(map) = from else { return Ok(()) };
        let map = map.as_object().ok_or(format!("{key} is not a mapping"))?;
        if let Some(v) = map.get(key) {
            out.insert(name.to_string(), v.clone());
        }
        Ok(())
    };
    let known = |v: Option<&Value>, keys: &[&str]| -> Result<(), String> {
        match v {
            None => Ok(()),
            Some(Value::Object(m)) => match m.keys().find(|k| !keys.contains(&k.as_str())) {
                Some(k) => Err(format!("field {k} is not in the form")),
                None => Ok(()),
            },
            Some(other) => Err(format!("{other} is not a mapping")),
        }
    };
    for k in obj.keys() {
        if !["apiVersion", "kind", "metadata", "spec"].contains(&k.as_str()) {
            return Err(format!("field {k} is not in the form"));
        }
    }
    let meta = obj.get("metadata").ok_or("no metadata")?;
    let spec = obj.get("spec").ok_or("no spec")?;
    known(Some(meta), &["name", "namespace"])?;
    known(
        Some(spec),
        &[
            "image",
            "port",
            "replicas",
            "runAs",
            "probes",
            "secretEnv",
            "storage",
            "mounts",
            "ingress",
            "backup",
        ],
    )?;
    // The form offers the integer runAs, the probe path with its scheme and short-form
    // timings, and the store key only.
    if spec.get("runAs").is_some_and(|r| !r.is_i64()) {
        return Err("runAs other than an integer is not in the form".into());
    }
    known(
        spec.get("probes"),
        &[
            "path",
            "scheme",
            "periodSeconds",
            "timeoutSeconds",
            "failureThreshold",
        ],
    )?;
    known(spec.get("secretEnv"), &["fromStore"])?;
    for (block, field) in [("probes", "path"), ("secretEnv", "fromStore")] {
        if spec.get(block).is_some_and(|b| b.get(field).is_none()) {
            return Err(format!("{block} without {field} is not in the form"));
        }
    }
    let storage = spec.get("storage");
    known(
        storage,
        &["pattern", "size", "mountPath", "nas", "s3", "claimName"],
    )?;
    // The form has two mounts: the NAS media library and a whole Secret, at most one each.
    let (mut media, mut secret) = (None, None);
    if let Some(mounts) = spec.get("mounts") {
        let mounts = mounts.as_array().ok_or("mounts is not a list")?;
        for m in mounts {
            if m.get("nas").is_some() && media.is_none() {
                known(Some(m), &["path", "nas", "readOnly"])?;
                known(m.get("nas"), &["endpoint", "subpath"])?;
                media = Some(m);
            } else if m.get("secret").is_some() && secret.is_none() {
                known(Some(m), &["path", "secret"])?;
                secret = Some(m);
            } else {
                return Err("a mount other than one NAS and one Secret is not in the form".into());
            }
        }
    }
    known(storage.and_then(|s| s.get("nas")), &["endpoint", "subpath"])?;
    known(storage.and_then(|s| s.get("s3")), &["bucket", "region"])?;
    known(spec.get("ingress"), &["pattern", "host", "path"])?;
    known(
        spec.get("backup"),
        &["strategy", "schedule", "retentionDays"],
    )?;
    take(Some(meta), "name", "name")?;
    take(Some(meta), "namespace", "namespace")?;
    take(Some(spec), "image", "image")?;
    take(Some(spec), "port", "port")?;
    take(Some(spec), "replicas", "replicas")?;
    take(Some(spec), "runAs", "runAs")?;
    take(spec.get("probes"), "path", "probePath")?;
    take(spec.get("probes"), "periodSeconds", "probePeriodSeconds")?;
    take(spec.get("probes"), "timeoutSeconds", "probeTimeoutSeconds")?;
    take(
        spec.get("probes"),
        "failureThreshold",
        "probeFailureThreshold",
    )?;
    take(spec.get("secretEnv"), "fromStore", "secretsFromStore")?;
    take(storage, "pattern", "storagePattern")?;
    take(storage, "size", "storageSize")?;
    take(storage, "mountPath", "mountPath")?;
    take(
        storage.and_then(|s| s.get("nas")),
        "endpoint",
        "nasEndpoint",
    )?;
    take(storage.and_then(|s| s.get("nas")), "subpath", "nasSubpath")?;
    take(storage.and_then(|s| s.get("s3")), "bucket", "s3Bucket")?;
    take(storage.and_then(|s| s.get("s3")), "region", "s3Region")?;
    take(storage, "claimName", "claimName")?;
    if let Some(m) = secret {
        take(Some(m), "path", "secretPath")?;
        take(Some(m), "secret", "secretName")?;
    }
    if let Some(m) = media {
        take(Some(m), "path", "mediaPath")?;
        take(m.get("nas"), "endpoint", "mediaEndpoint")?;
        take(m.get("nas"), "subpath", "mediaSubpath")?;
    }
    take(spec.get("ingress"), "pattern", "ingressPattern")?;
    take(spec.get("ingress"), "host", "host")?;
    take(spec.get("ingress"), "path", "path")?;
    take(spec.get("backup"), "strategy", "backupStrategy")?;
    take(spec.get("backup"), "schedule", "backupSchedule")?;
    take(spec.get("backup"), "retentionDays", "retentionDays")?;
    if let Some(scheme) = spec.get("probes").and_then(|p| p.get("scheme")) {
        out.insert("probeHttps".into(), json!(scheme == "HTTPS"));
    }
    for (name, default) in [
        ("port", json!(8080)),
        ("replicas", json!(1)),
        ("storagePattern", json!("ephemeral")),
        ("ingressPattern", json!("internal-only")),
        ("backupStrategy", json!("none")),
        ("mediaMount", json!(media.is_some())),
        ("secretMount", json!(secret.is_some())),
        (
            "mediaReadOnly",
            json!(media.is_some_and(|m| m.get("readOnly") == Some(&json!(true)))),
        ),
    ] {
        if name != "mediaReadOnly" || media.is_some() {
            out.entry(name).or_insert(default);
        }
    }
    Ok(Value::Object(out))
}

/// A fixture (or example) the form can express: its case name and its parameters.
struct Expressible {
    case: String,
    params: Value,
}

/// The cases under `dir` whose only input is one AppSpec the form can express, sorted.
fn expressible_cases(dir: &Path, prefix: &str, file: &str) -> (Vec<Expressible>, Vec<String>) {
    let mut names: Vec<String> = fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("cannot list {}: {e}", dir.display()))
        .map(|e| {
            e.expect("cannot list")
                .file_name()
                .to_string_lossy()
                .into_owned()
        })
        .filter(|n| n.starts_with(prefix) && dir.join(n).join(file).is_file())
        .collect();
    names.sort();
    let (mut ok, mut skipped) = (Vec::new(), Vec::new());
    for case in names {
        let case_dir = dir.join(&case);
        if case_dir.join("platform.yaml").exists() {
            skipped.push(format!("{case}: has its own PlatformConfig"));
            continue;
        }
        let text = fs::read_to_string(case_dir.join(file)).expect("readable case");
        let docs = match yaml::parse_stream(&text, &Limits::default()) {
            Ok(docs) => docs,
            Err(e) => {
                skipped.push(format!("{case}: not YAML ({e})"));
                continue;
            }
        };
        if docs.len() != 1 {
            skipped.push(format!("{case}: {} documents", docs.len()));
            continue;
        }
        match params_from_spec(&docs[0]) {
            Ok(params) => ok.push(Expressible { case, params }),
            Err(why) => skipped.push(format!("{case}: {why}")),
        }
    }
    (ok, skipped)
}

/// The buildable examples (`examples/<name>/app.yaml`, not `invalid-*`) the form can express.
fn valid_examples() -> Vec<Expressible> {
    expressible_cases(&repo_root().join("examples"), "", "app.yaml")
        .0
        .into_iter()
        .filter(|c| !c.case.starts_with("invalid-"))
        .collect()
}

fn fixtures_dir() -> PathBuf {
    repo_root().join("tests/fixtures")
}

/// Every parameter set of the run, by case id.
fn all_cases() -> Vec<(String, Value)> {
    let mut cases: Vec<(String, Value)> = matrix()
        .into_iter()
        .map(|r| (r.id.to_string(), r.params))
        .collect();
    for (id, base, fields, _) in EDGES {
        let mut params = row_params(base);
        for (k, v) in edge_fields(fields).as_object().expect("a mapping") {
            params[k] = v.clone();
        }
        cases.push((id.to_string(), params));
    }
    for prefix in ["invalid-", "valid-"] {
        for ex in expressible_cases(&fixtures_dir(), prefix, "input.yaml").0 {
            cases.push((format!("fixture-{}", ex.case), ex.params));
        }
    }
    for ex in valid_examples() {
        cases.push((format!("example-{}", ex.case), ex.params));
    }
    cases.push(("hostile-strings".to_string(), hostile_params()));
    cases
}

/// Strings that would break YAML pasted as text: quotes, newlines, a document marker,
/// flow indicators, a comment and template syntax.
fn hostile_params() -> Value {
    let mut params = row_params("longhorn-internal");
    params["image"] = json!("x\"\nspec: {replicas: 99}\n---\nkind: Secret # ${{ user.ref }}");
    params["mountPath"] = json!("/data'\n  evil: [1, 2]");
    params["host"] = json!("a.in.hypyr.space\n    pattern: none");
    params["path"] = json!("/{% raw %}x: &a *a");
    // The media mount is written as one flow mapping: brackets, commas and quotes must stay
    // inside its values.
    params["mediaMount"] = json!(true);
    params["mediaPath"] = json!("/media}, {path: /etc, claim: x");
    params["mediaEndpoint"] = json!("nfs://nas.internal:2049");
    params["mediaSubpath"] = json!("/mnt/a\"}], readOnly: false, \"x\": [{");
    params
}

// ---------------------------------------------------------------------------------------
// One run of the Node script for every case

struct Outcome {
    /// What run-template.mjs reported for the case.
    result: Value,
    /// The committed directory `apps/<namespace>/<name>` (when the run succeeded).
    app_dir: Option<PathBuf>,
    /// `appspec validate` of the committed app.yaml: Some(true) valid, Some(false) refused,
    /// None when the template produced no app.yaml.
    function_ok: Option<bool>,
    function_stderr: String,
}

impl Outcome {
    fn form_ok(&self) -> bool {
        self.result["form"]["valid"] == json!(true)
    }
    fn backend_ok(&self) -> bool {
        self.result["backend"]["valid"] == json!(true)
    }
    fn form_fields(&self) -> Vec<String> {
        self.result["form"]["errors"]
            .as_array()
            .map(|errs| {
                errs.iter()
                    .filter_map(|e| e["field"].as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default()
    }
    fn function_accepts(&self) -> bool {
        self.function_ok == Some(true)
    }
    fn app_yaml(&self) -> PathBuf {
        self.app_dir
            .as_ref()
            .expect("the run succeeded")
            .join("app.yaml")
    }
}

struct Run {
    outcomes: BTreeMap<String, Outcome>,
}

impl Run {
    fn get(&self, id: &str) -> &Outcome {
        self.outcomes
            .get(id)
            .unwrap_or_else(|| panic!("no outcome for case {id}"))
    }
}

/// Whether node and the pinned packages are there, installing them with `npm ci` when
/// `APPSPEC_REQUIRE_TOOLS=1`. `false` after a notice when the test is to be skipped.
fn node_ready() -> bool {
    let installed = node_dir().join("node_modules").is_dir();
    if on_path("node") && installed {
        return true;
    }
    if !tools_required() {
        eprintln!(
            "notice: node or examples/backstage/test/node_modules is missing: skipping the \
             Backstage template tests (run `npm ci` in examples/backstage/test, or set \
             APPSPEC_REQUIRE_TOOLS=1)"
        );
        return false;
    }
    assert!(
        on_path("node") && on_path("npm"),
        "node and npm are required for the Backstage template tests (APPSPEC_REQUIRE_TOOLS=1)"
    );
    let started = std::time::Instant::now();
    let status = Command::new("npm")
        .args(["ci", "--no-audit", "--no-fund"])
        .current_dir(node_dir())
        .status()
        .expect("cannot run npm");
    assert!(status.success(), "npm ci in examples/backstage/test failed");
    eprintln!("npm ci took {:.1?}", started.elapsed());
    true
}

/// `appspec validate PATH` with the binary: whether it exits 0, and its stderr.
fn validate_with_binary(path: &Path) -> (bool, String) {
    let out = Command::new(BIN)
        .arg("validate")
        .arg(path)
        .output()
        .expect("cannot run appspec validate");
    let code = out.status.code();
    assert!(
        matches!(code, Some(0 | 1)),
        "appspec validate {} exited {code:?}: {}",
        path.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    (
        code == Some(0),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// What `appspec validate PATH` decides, in process (the binary costs ~0.2 s a run in a
/// debug build, and there are over a hundred cases): valid, and the errors.
fn validate_in_process(path: &Path) -> (bool, String) {
    let found = appspec::commands::validate::check(&[path.to_path_buf()], None, &Limits::default())
        .unwrap_or_else(|e| panic!("cannot validate {}: {e}", path.display()));
    let errors: Vec<String> = found
        .iter()
        .filter(|l| l.diagnostic.is_error())
        .map(ToString::to_string)
        .collect();
    (errors.is_empty(), errors.join("\n"))
}

fn run() -> Option<&'static Run> {
    static RUN: OnceLock<Option<Run>> = OnceLock::new();
    RUN.get_or_init(|| {
        if !node_ready() {
            return None;
        }
        let out = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("backstage-template");
        let _ = fs::remove_dir_all(&out);
        fs::create_dir_all(&out).expect("cannot create the output directory");
        let cases = all_cases();
        let list: Vec<Value> = cases
            .iter()
            .map(|(id, params)| json!({"id": id, "parameters": params}))
            .collect();
        let cases_file = out.join("cases.json");
        fs::write(
            &cases_file,
            serde_json::to_string_pretty(&json!({"cases": list})).unwrap(),
        )
        .expect("cannot write the cases");
        let started = std::time::Instant::now();
        let node = Command::new("node")
            .arg(node_dir().join("run-template.mjs"))
            .arg(&cases_file)
            .arg(&out)
            .output()
            .expect("cannot run node");
        assert!(
            node.status.success(),
            "run-template.mjs failed ({:?}):\n{}",
            node.status.code(),
            String::from_utf8_lossy(&node.stderr)
        );
        eprintln!(
            "run-template.mjs: {} cases in {:.1?}",
            cases.len(),
            started.elapsed()
        );
        let results: Value = serde_json::from_slice(
            &fs::read(out.join("results.json")).expect("results.json is written"),
        )
        .expect("results.json is JSON");
        let mut outcomes = BTreeMap::new();
        for result in results["cases"].as_array().expect("cases").iter().cloned() {
            let id = result["id"].as_str().expect("id").to_string();
            let app_dir = (result["run"]["ok"] == json!(true)).then(|| {
                let files: Vec<&str> = result["run"]["pr"]["files"]
                    .as_array()
                    .expect("files")
                    .iter()
                    .map(|f| f.as_str().expect("a path"))
                    .collect();
                let app = files
                    .iter()
                    .find(|f| f.ends_with("/app.yaml"))
                    .unwrap_or_else(|| panic!("{id}: no app.yaml in {files:?}"));
                out.join(&id)
                    .join("repo")
                    .join(Path::new(app).parent().unwrap())
            });
            let (function_ok, function_stderr) = match &app_dir {
                Some(dir) => {
                    let (ok, stderr) = validate_in_process(&dir.join("app.yaml"));
                    (Some(ok), stderr)
                }
                None => (None, String::new()),
            };
            outcomes.insert(
                id,
                Outcome {
                    result,
                    app_dir,
                    function_ok,
                    function_stderr,
                },
            );
        }
        assert_eq!(
            outcomes.len(),
            cases.len(),
            "run-template.mjs reported a different number of cases"
        );
        Some(Run { outcomes })
    })
    .as_ref()
}

// ---------------------------------------------------------------------------------------
// The matrix

fn can_kustomize() -> bool {
    std::env::var_os("APPSPEC_KUSTOMIZE").is_some() || on_path("kustomize") || on_path("kubectl")
}

/// `appspec render` of the committed directory (through kustomize, as the Argo CD plugin
/// does), or of app.yaml alone when there is no kustomize and tools are not required.
fn render(dir: &Path) -> Vec<Value> {
    let target = if can_kustomize() {
        dir.to_path_buf()
    } else {
        assert!(
            !tools_required(),
            "kustomize or kubectl is required to render the committed directory"
        );
        eprintln!("notice: no kustomize or kubectl: rendering app.yaml without the kustomization");
        dir.join("app.yaml")
    };
    let out = Command::new(BIN)
        .arg("render")
        .arg(&target)
        .output()
        .expect("cannot run appspec render");
    assert!(
        out.status.success(),
        "appspec render {} failed:\n{}",
        target.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).expect("UTF-8 output");
    // What the template commits renders to objects that keep the invariants.
    let inputs = if target.is_dir() {
        common::kustomization_inputs(&target)
    } else {
        vec![]
    };
    let rendered = common::invariants::Output::stream(target.display().to_string(), &text, &inputs);
    let violations = common::invariants::violations(&[rendered]);
    assert!(violations.is_empty(), "{violations:#?}");
    yaml::parse_stream(&text, &Limits::default()).expect("render prints YAML")
}

#[test]
fn matrix_rows_commit_a_valid_appspec_and_open_a_pull_request() {
    let Some(run) = run() else { return };
    for row in matrix() {
        let id = row.id;
        let name = row.params["name"].as_str().unwrap();
        let o = run.get(id);
        assert!(
            o.form_ok(),
            "{id}: the form refuses the row: {}",
            o.result["form"]
        );
        assert!(
            o.backend_ok(),
            "{id}: the backend refuses the row: {}",
            o.result["backend"]
        );
        let r = &o.result["run"];
        assert_eq!(r["ok"], json!(true), "{id}: the template run failed: {r}");

        // What the pull request commits.
        let dir = format!("apps/{}/{name}", row.namespace);
        let files: Vec<String> = ["app.yaml", "catalog-info.yaml", "kustomization.yaml"]
            .iter()
            .map(|f| format!("{dir}/{f}"))
            .collect();
        assert_eq!(r["pr"]["files"], json!(files), "{id}: committed files");
        let app_dir = o.app_dir.as_ref().unwrap();
        for f in ["app.yaml", "catalog-info.yaml", "kustomization.yaml"] {
            let text = fs::read_to_string(app_dir.join(f)).unwrap();
            assert!(
                !text.contains("${{") && !text.contains("{%") && !text.contains("{#"),
                "{id}: {f} holds unrendered template syntax:\n{text}"
            );
        }

        // The pull request.
        let pr = &r["pr"];
        assert_eq!(
            pr["title"],
            json!(format!("feat: deploy {name}")),
            "{id}: title"
        );
        let branch = str_at(pr, "/branch");
        let suffix = branch
            .strip_prefix(&format!("feat/app/{name}-"))
            .unwrap_or_else(|| panic!("{id}: branch {branch} is not feat/app/{name}-..."));
        assert!(
            suffix.len() == 8 && suffix.chars().all(|c| c.is_ascii_hexdigit()),
            "{id}: branch {branch} should end with 8 hex digits of the task id"
        );
        assert_eq!(pr["commitMessage"], json!(format!("feat(app): add {name}")));
        let body = str_at(pr, "/body");
        for word in row.summary {
            assert!(
                body.contains(word),
                "{id}: the description lacks {word:?}:\n{body}"
            );
        }
        assert!(
            body.contains("Jane Doe") && body.contains("`user:default/jdoe`"),
            "{id}: the description does not name the requesting user:\n{body}"
        );
        assert!(
            !body.contains("${{") && !body.contains("{%"),
            "{id}: {body}"
        );
        let links = &r["output"]["links"];
        assert!(
            str_at(links, "/0/url").starts_with("https://github.com/hypyr/homelab/pull/"),
            "{id}: output link {links}"
        );

        // The AppSpec: short, with the schema modeline, valid for the function.
        let app_text = fs::read_to_string(o.app_yaml()).unwrap();
        assert!(
            app_text.starts_with("# yaml-language-server: $schema=")
                && app_text
                    .lines()
                    .next()
                    .unwrap()
                    .ends_with("functions/appspec.schema.json"),
            "{id}: app.yaml must start with the schema modeline:\n{app_text}"
        );
        // About 15 lines; a row with every optional block (media mount, backup) a few more.
        assert!(
            app_text.lines().count() <= 22,
            "{id}: app.yaml has {} lines, expected about 15:\n{app_text}",
            app_text.lines().count()
        );
        let (valid, stderr) = validate_with_binary(&o.app_yaml());
        assert!(
            valid && o.function_accepts(),
            "{id}: appspec validate refuses the committed AppSpec:\n{stderr}\n{app_text}"
        );
        insta::assert_snapshot!(format!("backstage-{id}"), app_text);

        // kustomization.yaml lists the AppSpec only.
        let kustomization = read_yaml(&app_dir.join("kustomization.yaml"));
        assert_eq!(kustomization["resources"], json!(["app.yaml"]), "{id}");

        // catalog-info.yaml: a Component the Kubernetes plugin ties to the objects.
        let catalog = read_yaml(&app_dir.join("catalog-info.yaml"));
        assert_eq!(catalog["kind"], json!("Component"), "{id}");
        assert_eq!(
            catalog["metadata"]["annotations"]["backstage.io/kubernetes-id"],
            json!(name),
            "{id}: catalog-info.yaml"
        );
        assert_eq!(
            r["catalogProblems"],
            json!([]),
            "{id}: the catalog refuses catalog-info.yaml"
        );

        // What the directory expands to.
        let objects = render(app_dir);
        let mut kinds: Vec<&str> = objects.iter().map(|o| str_at(o, "/kind")).collect();
        kinds.sort_unstable();
        assert_eq!(kinds, row.kinds, "{id}: rendered kinds");
        for obj in &objects {
            assert_eq!(
                obj["metadata"]["labels"]["backstage.io/kubernetes-id"],
                json!(name),
                "{id}: {} lacks the label the catalog annotation points at",
                str_at(obj, "/kind")
            );
        }
        let ingress = objects
            .iter()
            .find(|o| o["kind"] == json!("Ingress"))
            .expect("an Ingress");
        assert_eq!(
            ingress["spec"]["rules"][0]["host"],
            json!(row.host),
            "{id}: the host differs from the form's preview"
        );
    }
}

// ---------------------------------------------------------------------------------------
// The form against the function's fixtures

fn expected_field(case: &str) -> Option<&'static str> {
    FIXTURE_FIELDS
        .iter()
        .find(|(prefix, _)| case.starts_with(prefix))
        .map(|(_, field)| *field)
}

#[test]
fn form_refuses_the_invalid_fixtures() {
    let (cases, skipped) = expressible_cases(&fixtures_dir(), "invalid-", "input.yaml");
    // The issue's families are all expressible: none may be skipped.
    for family in REQUIRED_FAMILIES {
        let not_checked: Vec<&String> = skipped.iter().filter(|s| s.starts_with(family)).collect();
        assert!(
            not_checked.is_empty(),
            "fixtures the form cannot express: {not_checked:?}"
        );
        assert!(
            cases.iter().any(|c| c.case.starts_with(family)),
            "no fixture of the family {family}"
        );
    }
    let Some(run) = run() else { return };
    let mut failures = Vec::new();
    for ex in &cases {
        let o = run.get(&format!("fixture-{}", ex.case));
        if o.form_ok() != o.backend_ok() {
            failures.push(format!(
                "{}: the form (ajv) says {} but the backend (jsonschema) says {}",
                ex.case,
                o.form_ok(),
                o.backend_ok()
            ));
        }
        if FORM_DROPS_FIELD.contains(&ex.case.as_str()) {
            if !o.form_ok() || !o.function_accepts() {
                failures.push(format!(
                    "{}: the form should ignore the other pattern's field and the committed \
                     AppSpec should be valid (form {}, function {:?}: {})",
                    ex.case,
                    o.form_ok(),
                    o.function_ok,
                    o.function_stderr.trim()
                ));
            }
            continue;
        }
        if o.form_ok() {
            failures.push(format!(
                "{}: the form accepts {} which the function refuses",
                ex.case, ex.params
            ));
            continue;
        }
        if let Some(field) = expected_field(&ex.case) {
            let fields = o.form_fields();
            if !fields.iter().any(|f| f == field) {
                failures.push(format!(
                    "{}: the form refuses it, but not on {field}: {}",
                    ex.case, o.result["form"]["errors"]
                ));
            }
        }
        if o.function_accepts() {
            failures.push(format!(
                "{}: the template turns {} into an AppSpec the function accepts",
                ex.case, ex.params
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    eprintln!(
        "{} invalid fixtures checked against the form; not expressible in the form:\n  {}",
        cases.len(),
        skipped.join("\n  ")
    );
}

#[test]
fn form_accepts_the_valid_fixtures_and_examples() {
    let Some(run) = run() else { return };
    let (fixtures, _) = expressible_cases(&fixtures_dir(), "valid-", "input.yaml");
    let examples = valid_examples();
    assert!(!fixtures.is_empty() && !examples.is_empty());
    let mut failures = Vec::new();
    for id in fixtures
        .iter()
        .map(|c| format!("fixture-{}", c.case))
        .chain(examples.iter().map(|c| format!("example-{}", c.case)))
    {
        let o = run.get(&id);
        if !o.form_ok() || !o.backend_ok() {
            failures.push(format!(
                "{id}: the form refuses it: {} {}",
                o.result["form"]["errors"], o.result["backend"]["errors"]
            ));
        }
        if !o.function_accepts() {
            failures.push(format!(
                "{id}: the committed AppSpec is refused: {} {}",
                o.function_stderr.trim(),
                o.result["run"]
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

fn verb(accepts: bool) -> &'static str {
    if accepts { "accepts" } else { "refuses" }
}

#[test]
fn form_and_function_agree_on_edge_values() {
    let Some(run) = run() else { return };
    let mut failures = Vec::new();
    for (id, _, fields, function_accepts) in EDGES {
        let o = run.get(id);
        let (form, function) = (o.form_ok(), o.function_accepts());
        if function != *function_accepts {
            failures.push(format!(
                "{id}: expected the function to {} {fields}: {}",
                verb(*function_accepts).trim_end_matches('s'),
                o.function_stderr.trim()
            ));
        }
        if form != o.backend_ok() {
            failures.push(format!(
                "{id}: the form (ajv) {} it but the backend (jsonschema) {} it",
                verb(form),
                verb(o.backend_ok())
            ));
        }
        match KNOWN_DIFFERENCES.iter().find(|(known, _, _)| known == id) {
            Some((_, form_accepts, why)) if form == *form_accepts && form != function => {
                eprintln!("known difference {id}: {why}");
            }
            Some((_, _, why)) => failures.push(format!(
                "{id}: listed as a known difference ({why}) but the form {} it and the function \
                 {} it: update KNOWN_DIFFERENCES",
                verb(form),
                verb(function)
            )),
            None if form != function => failures.push(format!(
                "{id}: the form {} {fields} but the function {} it ({}) {}",
                verb(form),
                verb(function),
                o.function_stderr.trim(),
                o.result["form"]["errors"]
            )),
            None => {}
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn hostile_strings_stay_values_in_the_committed_appspec() {
    let Some(run) = run() else { return };
    let o = run.get("hostile-strings");
    let params = hostile_params();
    assert!(
        !o.form_ok() && !o.backend_ok(),
        "the form accepts hostile strings"
    );
    assert_eq!(
        o.function_ok,
        Some(false),
        "the function accepts hostile strings"
    );
    // Whatever the values, the committed file is one document with the skeleton's structure
    // and each string intact.
    let spec = read_yaml(&o.app_yaml());
    assert_eq!(spec["spec"]["image"], params["image"]);
    assert_eq!(spec["spec"]["storage"]["mountPath"], params["mountPath"]);
    assert_eq!(spec["spec"]["ingress"]["host"], params["host"]);
    assert_eq!(spec["spec"]["ingress"]["path"], params["path"]);
    let mounts = spec["spec"]["mounts"].as_array().expect("one mount");
    assert_eq!(mounts.len(), 1);
    assert_eq!(mounts[0]["path"], params["mediaPath"]);
    assert_eq!(mounts[0]["nas"]["subpath"], params["mediaSubpath"]);
    assert_eq!(mounts[0]["readOnly"], json!(true));
    let keys = |v: &Value| -> Vec<String> {
        let mut k: Vec<String> = v.as_object().unwrap().keys().cloned().collect();
        k.sort();
        k
    };
    assert_eq!(keys(&spec), ["apiVersion", "kind", "metadata", "spec"]);
    assert_eq!(
        keys(&spec["spec"]),
        ["image", "ingress", "mounts", "port", "storage"]
    );
    assert_eq!(keys(&mounts[0]), ["nas", "path", "readOnly"]);
    assert_eq!(
        keys(&spec["spec"]["storage"]),
        ["mountPath", "pattern", "size"]
    );
    assert_eq!(keys(&spec["spec"]["ingress"]), ["host", "path", "pattern"]);
    assert_eq!(spec["spec"]["ingress"]["pattern"], json!("internal-only"));
}

// ---------------------------------------------------------------------------------------
// Static: the form's rules are the schema's (no Node needed)

/// The template's parameter steps, by title.
fn template_steps() -> BTreeMap<String, Value> {
    let template = read_yaml(&example_dir().join("template.yaml"));
    assert_eq!(
        template["apiVersion"],
        json!("scaffolder.backstage.io/v1beta3")
    );
    assert_eq!(template["kind"], json!("Template"));
    template["spec"]["parameters"]
        .as_array()
        .expect("parameters is a list of steps")
        .iter()
        .map(|s| (str_at(s, "/title").to_string(), s.clone()))
        .collect()
}

/// The `dependencies` branch of a step for one value of the selector.
fn branch<'a>(step: &'a Value, selector: &str, value: &str) -> &'a Value {
    step["dependencies"][selector]["oneOf"]
        .as_array()
        .expect("dependencies with oneOf")
        .iter()
        .find(|b| {
            let e = &b["properties"][selector]["enum"];
            *e == json!([value]) || e[0].as_bool().is_some_and(|x| x.to_string() == value)
        })
        .unwrap_or_else(|| panic!("no branch for {selector} = {value}"))
}

/// The type, patterns, length and numeric bounds of a schema node, and its default when
/// `with_default`.
fn rules(v: &Value, with_default: bool) -> Value {
    let mut out = Map::new();
    let keys = [
        "type",
        "pattern",
        "minLength",
        "maxLength",
        "minimum",
        "maximum",
        "default",
    ];
    for k in keys.into_iter().filter(|k| with_default || *k != "default") {
        if let Some(x) = v.get(k) {
            // The schema writes optional fields as ["string", "null"]: compare the type.
            let x = match (k, x) {
                ("type", Value::Array(types)) => types
                    .iter()
                    .find(|t| *t != "null")
                    .cloned()
                    .unwrap_or(Value::Null),
                _ => x.clone(),
            };
            out.insert(k.to_string(), x);
        }
    }
    Value::Object(out)
}

/// A schema node without its `errorMessage`s (the words, not the rules).
fn without_messages(v: &Value) -> Value {
    match v {
        Value::Object(m) => Value::Object(
            m.iter()
                .filter(|(k, _)| *k != "errorMessage")
                .map(|(k, v)| (k.clone(), without_messages(v)))
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(without_messages).collect()),
        other => other.clone(),
    }
}

/// The keywords of a form field a person can trip, each of which needs a message of its own
/// (ajv-errors' `errorMessage`): ajv's defaults print the raw pattern (`must match pattern
/// "^(?=[^@]{1,255}..."`) or nothing a person can act on (`must NOT be valid`, `must be
/// equal to constant`). `minLength: 1` cannot be tripped (an emptied field is absent), nor
/// `enum` (a select offers its values only).
const TRIPPABLE: &[&str] = &["pattern", "not", "const", "minimum", "maximum", "maxLength"];

/// Every node of the form (the steps' schemas) with a trippable keyword has a message for
/// it, in the node itself: a string, or an object naming the keyword.
#[test]
fn every_keyword_a_person_can_trip_has_a_message() {
    fn walk(node: &Value, path: &str, missing: &mut Vec<String>, count: &mut usize) {
        match node {
            Value::Object(m) => {
                for k in TRIPPABLE {
                    if !m.contains_key(*k) || (*k == "not" && m.contains_key("properties")) {
                        continue;
                    }
                    *count += 1;
                    let ok = match m.get("errorMessage") {
                        Some(Value::String(_)) => true,
                        Some(Value::Object(by)) => by.get(*k).is_some_and(Value::is_string),
                        _ => false,
                    };
                    if !ok {
                        missing.push(format!("{path}: {k}"));
                    }
                }
                for (k, v) in m {
                    // A `not`'s own keywords are what must not match: the message is the
                    // `not` node's parent's.
                    if k != "errorMessage" && k != "not" {
                        walk(v, &format!("{path}/{k}"), missing, count);
                    }
                }
            }
            Value::Array(items) => {
                for (i, v) in items.iter().enumerate() {
                    walk(v, &format!("{path}/{i}"), missing, count);
                }
            }
            _ => {}
        }
    }
    let (mut missing, mut count) = (Vec::new(), 0);
    for (title, step) in template_steps() {
        // The condition of an `if` is not something a person trips.
        let mut step = step.clone();
        step.as_object_mut().unwrap().remove("if");
        walk(&step, &title, &mut missing, &mut count);
    }
    assert!(count > 40, "only {count} keywords found");
    assert!(
        missing.is_empty(),
        "keywords without a message:\n{}",
        missing.join("\n")
    );
}

/// What Backstage does to the template's texts before a person reads them:
/// - descriptions are markdown: a bare `<name>` is an HTML tag and disappears (inside a code
///   span it shows as written);
/// - the `ui:` keys of a field are merged across every alternative (`oneOf`, `anyOf`,
///   `allOf`, `dependencies`, `then`, `else`) into one per field: a field of several
///   alternatives must carry the same `ui:` keys in each, or one alternative shows another's
///   (the internal host's placeholder on the external host).
#[test]
fn texts_survive_backstage_markdown_and_ui_merging() {
    fn texts(node: &Value, out: &mut Vec<(String, String)>) {
        match node {
            Value::Object(m) => {
                for (k, v) in m {
                    match (k.as_str(), v) {
                        ("description", Value::String(t)) => out.push((k.clone(), t.clone())),
                        _ => texts(v, out),
                    }
                }
            }
            Value::Array(items) => items.iter().for_each(|v| texts(v, out)),
            _ => {}
        }
    }
    /// The `ui:` keys of a field in one alternative.
    fn ui_of(branch: &Value, field: &str) -> Option<Map<String, Value>> {
        let f = branch.get("properties")?.get(field)?.as_object()?;
        Some(
            f.iter()
                .filter(|(k, _)| k.starts_with("ui:"))
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
        )
    }
    /// Fields whose alternatives (the branches of one `oneOf` or `anyOf`) differ in `ui:`.
    fn merged_away(node: &Value, path: &str, out: &mut Vec<String>) {
        match node {
            Value::Object(m) => {
                for (k, v) in m {
                    if let ("oneOf" | "anyOf", Value::Array(branches)) = (k.as_str(), v) {
                        let mut fields = std::collections::BTreeSet::new();
                        for b in branches {
                            if let Some(Value::Object(p)) = b.get("properties") {
                                fields.extend(p.keys().cloned());
                            }
                        }
                        for field in fields {
                            let uis: Vec<_> =
                                branches.iter().filter_map(|b| ui_of(b, &field)).collect();
                            if uis.windows(2).any(|w| w[0] != w[1]) {
                                out.push(format!(
                                    "{path}/{k}: {field} has different ui: keys in its \
                                     alternatives, which Backstage merges into one: {uis:?}"
                                ));
                            }
                        }
                    }
                    merged_away(v, &format!("{path}/{k}"), out);
                }
            }
            Value::Array(items) => {
                for (i, v) in items.iter().enumerate() {
                    merged_away(v, &format!("{path}/{i}"), out);
                }
            }
            _ => {}
        }
    }
    let tag = regex::Regex::new(r"<[A-Za-z][^>]*>").unwrap();
    let code = regex::Regex::new(r"`[^`]*`").unwrap();
    let mut problems = Vec::new();
    for (title, step) in template_steps() {
        let mut found = Vec::new();
        texts(&step, &mut found);
        for (_, text) in &found {
            if tag.is_match(&code.replace_all(text, "")) {
                problems.push(format!("{title}: markdown drops an HTML tag of {text:?}"));
            }
        }
        merged_away(&step, &title, &mut problems);
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

fn regex_escape(s: &str) -> String {
    s.chars()
        .map(|c| {
            if ".^$*+?()[]{}|\\".contains(c) {
                format!("\\{c}")
            } else {
                c.to_string()
            }
        })
        .collect()
}

fn consts(v: &Value) -> Vec<Value> {
    v["oneOf"]
        .as_array()
        .expect("oneOf")
        .iter()
        .flat_map(|alt| match (alt.get("const"), alt.get("enum")) {
            (Some(c), _) => vec![c.clone()],
            (None, Some(Value::Array(e))) => e.clone(),
            _ => panic!("an alternative without const or enum: {alt}"),
        })
        .collect()
}

#[test]
fn form_uses_the_schema_rules_and_the_platform_defaults() {
    let schema: Value = serde_json::from_str(
        &fs::read_to_string(repo_root().join("functions/appspec.schema.json")).unwrap(),
    )
    .unwrap();
    let platform = read_yaml(&repo_root().join("functions/platform-config.yaml"));
    let p = &platform["spec"];
    let s = |pointer: &str| {
        schema
            .pointer(pointer)
            .unwrap_or_else(|| panic!("no {pointer} in the schema"))
            .clone()
    };
    let steps = template_steps();
    let app = &steps["Application"];
    let storage = &steps["Storage"];
    let ingress = &steps["Ingress"];
    let backup = &steps["Backup"];
    let spec = "/properties/spec/properties";

    // (form node, schema node): same patterns, bounds and defaults.
    let pairs: Vec<(&str, &Value, Value)> = vec![
        (
            "name",
            &app["properties"]["name"],
            s("/properties/metadata/properties/name"),
        ),
        (
            "namespace",
            &app["properties"]["namespace"],
            s("/properties/metadata/properties/namespace"),
        ),
        (
            "image",
            &app["properties"]["image"],
            s(&format!("{spec}/image")),
        ),
        (
            "port",
            &app["properties"]["port"],
            s(&format!("{spec}/port")),
        ),
        (
            "replicas",
            &app["properties"]["replicas"],
            s(&format!("{spec}/replicas")),
        ),
        (
            "runAs",
            &app["properties"]["runAs"],
            s(&format!("{spec}/runAs/anyOf/0/anyOf/0")),
        ),
        (
            "probePath",
            &app["properties"]["probePath"],
            s(&format!("{spec}/probes/properties/path")),
        ),
        (
            "secretsFromStore",
            &app["properties"]["secretsFromStore"],
            s(&format!("{spec}/secretEnv/properties/fromStore")),
        ),
        (
            "storageSize (longhorn)",
            &branch(storage, "storagePattern", "longhorn-persistent")["properties"]["storageSize"],
            s(&format!("{spec}/storage/properties/size")),
        ),
        (
            "storageSize (nas)",
            &branch(storage, "storagePattern", "nas-mount")["properties"]["storageSize"],
            s(&format!("{spec}/storage/properties/size")),
        ),
        (
            "nasSubpath",
            &branch(storage, "storagePattern", "nas-mount")["properties"]["nasSubpath"],
            s(&format!("{spec}/storage/properties/nas/properties/subpath")),
        ),
        (
            "claimName",
            &branch(storage, "storagePattern", "existing-claim")["properties"]["claimName"],
            s(&format!("{spec}/storage/properties/claimName")),
        ),
        (
            "mediaPath",
            &branch(storage, "mediaMount", "true")["properties"]["mediaPath"],
            s(&format!("{spec}/mounts/items/properties/path")),
        ),
        (
            "mediaSubpath",
            &branch(storage, "mediaMount", "true")["properties"]["mediaSubpath"],
            s(&format!(
                "{spec}/mounts/items/properties/nas/properties/subpath"
            )),
        ),
        (
            "secretName",
            &branch(storage, "secretMount", "true")["properties"]["secretName"],
            s(&format!("{spec}/mounts/items/properties/secret")),
        ),
        (
            "secretPath",
            &branch(storage, "secretMount", "true")["properties"]["secretPath"],
            s(&format!("{spec}/mounts/items/properties/path")),
        ),
        (
            "s3Bucket",
            &branch(storage, "storagePattern", "s3-external")["properties"]["s3Bucket"],
            s(&format!("{spec}/storage/properties/s3/properties/bucket")),
        ),
        (
            "retentionDays",
            &branch(backup, "backupStrategy", "volsync-snapshots")["properties"]["retentionDays"],
            s(&format!("{spec}/backup/properties/retentionDays")),
        ),
        (
            "backupSchedule",
            &branch(backup, "backupStrategy", "volsync-snapshots")["properties"]["backupSchedule"],
            s(&format!("{spec}/backup/properties/schedule")),
        ),
    ];
    let mut pairs = pairs;
    for pattern in [
        "ephemeral",
        "longhorn-persistent",
        "nas-mount",
        "existing-claim",
    ] {
        let node = &branch(storage, "storagePattern", pattern)["properties"]["mountPath"];
        pairs.push((
            "mountPath",
            node,
            s(&format!("{spec}/storage/properties/mountPath")),
        ));
    }
    for pattern in ["internal-only", "external-via-tunnel"] {
        let b = branch(ingress, "ingressPattern", pattern);
        pairs.push((
            "host",
            &b["properties"]["host"],
            s(&format!("{spec}/ingress/properties/host")),
        ));
        pairs.push((
            "path",
            &b["properties"]["path"],
            s(&format!("{spec}/ingress/properties/path")),
        ));
    }
    for (what, form, schema_node) in &pairs {
        // A default of the schema is the form's too; the form may suggest one where the
        // schema has none (a size of 10).
        let with_default = schema_node.get("default").is_some();
        // The form's rules are exactly the schema's: no bound added or dropped.
        assert_eq!(
            rules(form, with_default),
            rules(schema_node, with_default),
            "{what}: the form and the schema differ"
        );
    }
    assert!(
        branch(storage, "storagePattern", "s3-external")["properties"]
            .get("mountPath")
            .is_none(),
        "mountPath is refused with s3-external"
    );

    // The selectors offer exactly the schema's values, with the same defaults.
    for (form, schema_node) in [
        (
            &storage["properties"]["storagePattern"],
            s(&format!("{spec}/storage/properties/pattern")),
        ),
        (
            &ingress["properties"]["ingressPattern"],
            s(&format!("{spec}/ingress/properties/pattern")),
        ),
        (
            &backup["properties"]["backupStrategy"],
            s(&format!("{spec}/backup/properties/strategy")),
        ),
    ] {
        assert_eq!(form["enum"], Value::Array(consts(&schema_node)), "{form}");
        assert_eq!(form["default"], schema_node["default"], "{form}");
        assert_eq!(
            form["enum"].as_array().map(Vec::len),
            form["enumNames"].as_array().map(Vec::len),
            "{form}: one label per value"
        );
    }

    // What the function checks against the PlatformConfig, with its built-in defaults.
    let nas = &branch(storage, "storagePattern", "nas-mount")["properties"];
    assert_eq!(nas["nasEndpoint"]["enum"], p["storage"]["nas"]["endpoints"]);
    assert_eq!(
        nas["nasSubpath"]["allOf"][0]["pattern"],
        json!(format!(
            "^{}",
            regex_escape(str_at(p, "/storage/nas/pathPrefix"))
        ))
    );
    let media = &branch(storage, "mediaMount", "true")["properties"];
    assert_eq!(
        media["mediaEndpoint"]["enum"],
        p["storage"]["nas"]["endpoints"]
    );
    assert_eq!(media["mediaSubpath"]["allOf"], nas["nasSubpath"]["allOf"]);
    let s3 = &branch(storage, "storagePattern", "s3-external")["properties"];
    assert_eq!(s3["s3Region"]["enum"], p["storage"]["s3"]["regions"]);
    let reserved = &p["namespaces"]["reserved"];
    assert_eq!(app["properties"]["namespace"]["not"]["enum"], *reserved);
    assert_eq!(
        app["then"]["properties"]["name"]["not"]["anyOf"][0]["enum"],
        *reserved
    );
    let internal = regex_escape(str_at(p, "/dns/internalDomain"));
    let external = regex_escape(str_at(p, "/dns/externalDomain"));
    let internal_host = &branch(ingress, "ingressPattern", "internal-only")["properties"]["host"];
    assert_eq!(
        without_messages(&internal_host["allOf"]),
        json!([{"pattern": format!("\\.{internal}$")}])
    );
    let external_host =
        &branch(ingress, "ingressPattern", "external-via-tunnel")["properties"]["host"];
    assert_eq!(
        without_messages(&external_host["allOf"]),
        json!([
            {"pattern": format!("\\.{external}$")},
            {"not": {"pattern": format!("(^|\\.){internal}$")}}
        ])
    );
    assert!(
        branch(ingress, "ingressPattern", "none")["properties"]
            .as_object()
            .is_some_and(|m| m.len() == 1),
        "no host or path with ingress none"
    );

    // The skeleton: the modeline first, the kustomization lists the AppSpec only.
    let skeleton = example_dir().join("skeleton");
    let app_yaml = fs::read_to_string(skeleton.join("app.yaml")).unwrap();
    assert!(
        app_yaml
            .lines()
            .next()
            .is_some_and(|l| l.starts_with("# yaml-language-server: $schema=")
                && l.ends_with("functions/appspec.schema.json")),
        "skeleton/app.yaml must start with the schema modeline"
    );
    let kustomization = read_yaml(&skeleton.join("kustomization.yaml"));
    assert_eq!(kustomization["resources"], json!(["app.yaml"]));
    assert!(
        !fs::read_to_string(skeleton.join("kustomization.yaml"))
            .unwrap()
            .lines()
            .any(|l| !l.trim_start().starts_with('#') && l.contains("catalog-info")),
        "catalog-info.yaml must not be a kustomize resource"
    );
}

/// Whatever the form accepts, anywhere in the run (matrix rows, edge values, fixtures,
/// examples), the template commits an AppSpec the function accepts: the pull request never
/// fails CI. The only exceptions are the differences the form cannot see
/// ([`KNOWN_DIFFERENCES`] where the form accepts).
#[test]
fn every_value_the_form_accepts_commits_a_valid_appspec() {
    let Some(run) = run() else { return };
    let mut failures = Vec::new();
    let mut accepted = 0;
    for (id, o) in &run.outcomes {
        if !o.form_ok() {
            continue;
        }
        accepted += 1;
        let known = KNOWN_DIFFERENCES
            .iter()
            .any(|(known, form_accepts, _)| known == id && *form_accepts);
        if !o.backend_ok() {
            failures.push(format!("{id}: the form accepts it, the backend refuses it"));
        }
        if !o.function_accepts() && !known {
            failures.push(format!(
                "{id}: the form accepts it, the function refuses the committed AppSpec: {}",
                o.function_stderr.trim()
            ));
        }
    }
    assert!(accepted >= 100, "only {accepted} accepted cases");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// The `pattern`s of a form node, compiled: its own and those of `allOf` (a string must
/// match each), and those of `allOf`'s `not: {anyOf: [...]}` (it must match none), as the
/// form's JSON Schema reads them (no Node needed: these patterns have no lookaround, and
/// the inputs are ASCII, where the regex crate and JavaScript agree).
struct Patterns {
    all: Vec<regex::Regex>,
    none: Vec<regex::Regex>,
}

impl Patterns {
    fn of(node: &Value) -> Self {
        let compile = |pattern: &Value| {
            let p = pattern.as_str().expect("a pattern");
            regex::Regex::new(p).unwrap_or_else(|e| panic!("{p}: {e}"))
        };
        let mut out = Patterns {
            all: node.get("pattern").map(compile).into_iter().collect(),
            none: Vec::new(),
        };
        for rule in node["allOf"].as_array().into_iter().flatten() {
            match (rule.get("pattern"), rule.get("not")) {
                (Some(p), None) => out.all.push(compile(p)),
                (None, Some(not)) => out.none.extend(
                    not["anyOf"]
                        .as_array()
                        .expect("not: {anyOf: [...]}")
                        .iter()
                        .map(|alt| compile(&alt["pattern"])),
                ),
                _ => panic!("an allOf rule the test does not read: {rule}"),
            }
        }
        out
    }

    fn pass(&self, s: &str) -> bool {
        self.all.iter().all(|r| r.is_match(s)) && !self.none.iter().any(|r| r.is_match(s))
    }
}

/// The form's schedule and the function's cron check agree on every day-of-month and month
/// field of the grammar near the ends of months (single values, ranges, steps and lists of
/// 1, 28..31 and every month), with any, every or one weekday: the schedules that never
/// fire (30 February, 31 April, `31 9/2`, `30-31 2-2`...) are refused by both. Reversed
/// ranges are the one difference (see [`KNOWN_DIFFERENCES`]).
#[test]
fn form_and_function_agree_on_schedules_that_never_fire() {
    let steps = template_steps();
    let backup = &steps["Backup"];
    let node =
        &branch(backup, "backupStrategy", "volsync-snapshots")["properties"]["backupSchedule"];
    assert_eq!(
        node,
        &branch(backup, "backupStrategy", "snapshots")["properties"]["backupSchedule"],
        "both backup strategies take the same schedules"
    );
    let exprs = |values: &[u32], steps: &[u32]| -> Vec<String> {
        let mut out = vec!["*".to_string()];
        for n in steps {
            out.push(format!("*/{n}"));
        }
        for a in values {
            out.push(a.to_string());
            for b in values {
                out.push(format!("{a}-{b}"));
                out.push(format!("{a},{b}"));
            }
            for n in steps {
                out.push(format!("{a}/{n}"));
            }
        }
        out
    };
    let days = exprs(&[1, 28, 29, 30, 31], &[1, 2, 5, 30, 31]);
    let months = exprs(&(1..=12).collect::<Vec<_>>(), &(1..=12).collect::<Vec<_>>());
    let patterns = Patterns::of(node);
    let mut failures = Vec::new();
    let (mut never, mut checked) = (0, 0);
    for d in &days {
        for m in &months {
            for w in ["*", "*/1", "1"] {
                let schedule = format!("0 2 {d} {m} {w}");
                let function = appspec::validate::cron::check(&schedule);
                let reversed = function.as_ref().is_err_and(|e| e.contains("reversed"));
                if reversed {
                    continue;
                }
                checked += 1;
                never += usize::from(function.is_err());
                let form = patterns.pass(&schedule);
                if form != function.is_ok() {
                    failures.push(format!(
                        "{schedule}: the form {} it, the function {} it ({function:?})",
                        verb(form),
                        verb(function.is_ok())
                    ));
                }
            }
        }
    }
    assert!(never > 100 && checked > 10_000, "{never} of {checked}");
    assert!(
        failures.is_empty(),
        "{} disagreements:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

//! Patterns and conditional rules the types publish in their JSON Schema.
//!
//! They mirror the function's validators so a form (Backstage) or an editor rejects the same
//! values; the function itself checks the values in `validate` with better messages.

use serde_json::{Value, json};

/// The app name also names the Service, so it is an RFC 1035 label.
pub const NAME_PATTERN: &str = "^[a-z]([-a-z0-9]*[a-z0-9])?$";
pub const NAMESPACE_PATTERN: &str = "^(?!kube-)[a-z0-9]([-a-z0-9]*[a-z0-9])?$";
/// `[registry/]path[:tag][@digest]` as the runtime check reads it (`validate::image`): a
/// first segment with a `.`, a `:port` (1..65535) or an uppercase letter is a registry; the
/// name is at most 255 characters; a sha256 digest has 64 hex digits.
pub const IMAGE_PATTERN: &str = concat!(
    r"^(?=[^@]{1,255}(?::[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?(?:@|$))",
    r"(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*",
    r"(?::(?:[1-9][0-9]{0,3}|[1-5][0-9]{4}|6[0-4][0-9]{3}|65[0-4][0-9]{2}|655[0-2][0-9]|6553[0-5]))?",
    r"/[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*)*",
    r"|[a-z0-9]+(?:(?:_|__|-+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*)+",
    r"|[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*)",
    r"(?::[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?",
    r"(?:@(?:sha256:[0-9a-fA-F]{64}|(?!sha256:)[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}))?$"
);
/// A DNS-1123 subdomain (ServiceAccount and PriorityClass names).
pub const DNS_SUBDOMAIN_PATTERN: &str =
    r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$";
/// A resource an app's ServiceAccount may read: `resource[.group]`, a lowercase plural
/// resource name and an optional API group (DNS subdomain); no `*`, no subresource. Secrets
/// are refused by `validate` (in any group).
pub const READ_RESOURCE_PATTERN: &str =
    r"^[a-z]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$";
/// A request timeout, Gateway API's Duration (`600s`, `10m`, `1h30m`, `500ms`): at most four
/// number-unit pairs of h, m, s, ms.
pub const TIMEOUT_PATTERN: &str = r"^([0-9]{1,5}(h|m|s|ms)){1,4}$";
pub const ENV_NAME_PATTERN: &str = "^[A-Za-z_][A-Za-z0-9_]*$";
/// An IANA service name (Kubernetes IANA_SVC_NAME): at most 15, lowercase letters, digits
/// and single `-`, at least one letter, alphanumeric at both ends.
pub const PORT_NAME_PATTERN: &str = "^(?=.*[a-z])(?!.*--)[a-z0-9]([-a-z0-9]*[a-z0-9])?$";
/// A DNS-1123 subdomain (Secret and ConfigMap names).
pub const SECRET_NAME_PATTERN: &str =
    r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$";
/// A Secret or ConfigMap key.
pub const SECRET_KEY_PATTERN: &str = r"^[-._a-zA-Z0-9]+$";
/// A remote key of a secret store: no whitespace or control characters, no templating.
pub const REMOTE_KEY_PATTERN: &str = r"^(?!.*(\{\{|\}\}))[^\s\x00-\x1f]+$";
pub const QUANTITY_PATTERN: &str =
    r"^[+]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+|[kMGTPE]i?|Ki|[mun])?$";
pub const MOUNT_PATH_PATTERN: &str = r"^/(?!(proc|sys|dev)(/|$))(?!etc/?$)(?!etc/(hosts|hostname|resolv\.conf)(/|$))(?!(.*/)?\.\.?(/|$))(?!.*//)[^\\\x00-\x1f]+$";
/// A path of `mounts`: the rule of `storage.mountPath`, except that `/dev/shm` (and under it)
/// passes; `validate` lets only an emptyDir use it.
pub const MOUNTS_PATH_PATTERN: &str = r"^/(?!(proc|sys)(/|$))(?!etc/?$)(?!etc/(hosts|hostname|resolv\.conf)(/|$))(?!dev(/|$)(?!shm(/|$)))(?!(.*/)?\.\.?(/|$))(?!.*//)[^\\\x00-\x1f]+$";
/// A path of `files`: not the kernel's (`/proc`, `/sys`, `/dev`); `/etc` is fine (one file
/// mounted there does not hide the image's others).
pub const FILE_PATH_PATTERN: &str =
    r"^/(?!(proc|sys|dev)(/|$))(?!(.*/)?\.\.?(/|$))(?!.*//)(?!.*/$)[^\\\x00-\x1f]+$";
pub const SUBPATH_PATTERN: &str =
    r"^(?!.*%(2[eEfF]|5[cC]|25|0))(?!(.*/)?\.\.?(/|$))(?!.*//)(?!.*/$)/[^\\\s\x00-\x1f]+$";
pub const HOST_PATTERN: &str =
    r"^(?=.{1,253}$)([a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?\.)+[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$";
/// `validate::path::check_http_path` for an Ingress: no whitespace, control character or
/// backslash, no `//`, `.` or `..` segment, no escape of `/`, `.`, `%`, `\`, whitespace or
/// control characters. (A Gateway route also takes only path characters and `%XX`, <= 1024.)
pub const HTTP_PATH_PATTERN: &str = concat!(
    r"^(?!.*//)(?!.*/\.\.?(/|$))(?!.*%([01][0-9a-fA-F]|2[05eEfF]|5[cC]|7[fF]))",
    r"/[^\s\\\x00-\x1f\x7f-\x9f]*$"
);
pub const BUCKET_PATTERN: &str = r"^(?!xn--|sthree-|amzn-s3-demo-)(?!.*(-s3alias|--ol-s3|\.mrap|--x-s3|--table-s3)$)(?![0-9]+\.[0-9]+\.[0-9]+\.[0-9]+$)(?!.*(\.\.|\.-|-\.))[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$";
/// Five fields, each `*`, `*/n`, `a`, `a-b`, `a/n` or `a,b,...`, numbers within the field's
/// range (a reversed range `5-3` cannot be expressed here; the function refuses it).
pub const CRON_PATTERN: &str = concat!(
    r"^(@(annually|yearly|monthly|weekly|daily|hourly)|",
    r"(\*(/0*[1-9]\d?)?|([0-5]?\d)(,([0-5]?\d))*|([0-5]?\d)-([0-5]?\d)|([0-5]?\d)/0*[1-9]\d?) ",
    r"(\*(/0*[1-9]\d?)?|([01]?\d|2[0-3])(,([01]?\d|2[0-3]))*|([01]?\d|2[0-3])-([01]?\d|2[0-3])|([01]?\d|2[0-3])/0*[1-9]\d?) ",
    r"(\*(/0*[1-9]\d?)?|(0?[1-9]|[12]\d|3[01])(,(0?[1-9]|[12]\d|3[01]))*|(0?[1-9]|[12]\d|3[01])-(0?[1-9]|[12]\d|3[01])|(0?[1-9]|[12]\d|3[01])/0*[1-9]\d?) ",
    r"(\*(/0*[1-9]\d?)?|(0?[1-9]|1[0-2])(,(0?[1-9]|1[0-2]))*|(0?[1-9]|1[0-2])-(0?[1-9]|1[0-2])|(0?[1-9]|1[0-2])/0*[1-9]\d?) ",
    r"(\*(/0*[1-9]\d?)?|[0-6](,[0-6])*|[0-6]-[0-6]|[0-6]/0*[1-9]\d?))$"
);

/// An IANA time zone name as a CronJob's `timeZone` takes it: one to three `/`-separated
/// parts of letters, digits, `_`, `-`, `+` and `.` (each at most 14, the tz database's own
/// limit), the first starting with a letter, the others not with `-` or `.`; not `Local`,
/// which Kubernetes refuses (`Europe/Amsterdam`, `Etc/GMT+5`, `America/Argentina/Salta`).
pub const TIME_ZONE_PATTERN: &str =
    r"^(?!Local$)[A-Za-z][-+_.A-Za-z0-9]{0,13}(/[A-Za-z0-9_+][-+_.A-Za-z0-9]{0,13}){0,2}$";

/// A DNS subdomain (ConfigMap, Secret and PVC names).
pub const SUBDOMAIN_PATTERN: &str =
    r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$";
/// A ConfigMap or Secret key.
pub const CONFIG_KEY_PATTERN: &str = r"^(?!\.{1,2}$)[-._a-zA-Z0-9]+$";
/// A relative path inside a volume: no leading `/`, no `..` or `.` or empty segment.
pub const SUB_PATH_PATTERN: &str = r"^(?!/)(?!(.*/)?\.\.?(/|$))(?!.*//)(?!.*/$)[^\\\x00-\x1f]+$";

/// A file names exactly one source; `key` goes with a ConfigMap or Secret.
pub fn file_rules() -> Value {
    json!([{"oneOf": [
        {"required": ["configMap", "key"], "not": {"anyOf": [{"required": ["secret"]}, {"required": ["content"]}]}},
        {"required": ["secret", "key"], "not": {"anyOf": [{"required": ["configMap"]}, {"required": ["content"]}]}},
        {"required": ["content"], "not": {"anyOf": [{"required": ["configMap"]}, {"required": ["secret"]}, {"required": ["key"]}]}}
    ]}])
}

/// A mount is exactly one of a NAS share, an existing claim or an emptyDir; `subPath` goes
/// with a claim.
pub fn mount_rules() -> Value {
    let kinds = ["nas", "claim", "emptyDir", "secret", "configMap", "volume"];
    let one = |kind: &str| {
        let others: Vec<Value> = kinds
            .iter()
            .filter(|k| **k != kind)
            .map(|k| json!({"required": [k]}))
            .chain((kind != "claim").then(|| json!({"required": ["subPath"]})))
            .chain((kind != "secret" && kind != "configMap").then(|| json!({"required": ["mode"]})))
            .collect();
        json!({"required": [kind], "not": {"anyOf": others}})
    };
    json!([{"oneOf": kinds.iter().map(|k| one(k)).collect::<Vec<_>>()}])
}

pub fn storage_rules() -> Value {
    let sized = json!(["longhorn-persistent", "nas-mount"]);
    json!([
        {"if": {"properties": {"pattern": {"enum": sized}}, "required": ["pattern"]},
         "then": {"required": ["size"]},
         "else": {"not": {"required": ["size"]}}},
        {"if": {"properties": {"pattern": {"const": "nas-mount"}}, "required": ["pattern"]},
         "then": {"required": ["nas"]},
         "else": {"not": {"required": ["nas"]}}},
        {"if": {"properties": {"pattern": {"const": "s3-external"}}, "required": ["pattern"]},
         "then": {"required": ["s3"], "not": {"required": ["mountPath"]}},
         "else": {"not": {"required": ["s3"]}}},
        {"if": {"properties": {"pattern": {"const": "existing-claim"}}, "required": ["pattern"]},
         "then": {"required": ["claimName"]}},
        {"if": {"properties": {"pattern": {"enum": ["longhorn-persistent", "nas-mount", "existing-claim"]}}, "required": ["pattern"]},
         "else": {"not": {"required": ["claimName"]}}}
    ])
}

pub fn ingress_rules() -> Value {
    json!([
        {"if": {"properties": {"pattern": {"const": "none"}}, "required": ["pattern"]},
         "then": {"not": {"anyOf": [{"required": ["host"]}, {"required": ["path"]}]}}},
        {"if": {"properties": {"pattern": {"const": "external-via-tunnel"}}, "required": ["pattern"]},
         "else": {"properties": {"alsoInternal": {"const": false}}}}
    ])
}

/// A job (`spec.job`) serves no traffic: none of what a served app has beside it, and
/// `port`, `replicas` and `workload` only at their defaults (`validate::job` says why).
pub fn job_rules() -> Value {
    let served = ["probes", "metrics", "service", "ports"];
    let ingress = [
        "host",
        "path",
        "aliases",
        "annotations",
        "timeout",
        "routes",
        "alsoInternal",
    ];
    json!([
        {"if": {"required": ["job"]},
         "then": {
            "not": {"anyOf": served.iter().map(|f| json!({"required": [f]})).collect::<Vec<_>>()},
            "properties": {
                "port": {"const": crate::model::spec::DEFAULT_PORT},
                "replicas": {"const": crate::model::spec::DEFAULT_REPLICAS},
                "workload": {"const": "deployment"},
                "ingress": {
                    "properties": {"pattern": {"enum": ["internal-only", "none"]}},
                    "not": {"anyOf": ingress.iter().map(|f| json!({"required": [f]})).collect::<Vec<_>>()}
                }
            }
         }}
    ])
}

/// `serviceAccount`: `name` (an existing account) or `create: true`, not both; `read` only
/// with `create: true`.
pub fn service_account_rules() -> Value {
    json!([
        {"if": {"properties": {"create": {"const": true}}, "required": ["create"]},
         "then": {"not": {"required": ["name"]}},
         "else": {"required": ["name"], "not": {"required": ["read"]}}}
    ])
}

pub fn backup_rules() -> Value {
    json!([
        {"if": {"properties": {"strategy": {"enum": ["volsync-snapshots", "snapshots"]}}, "required": ["strategy"]},
         "else": {"not": {"anyOf": [{"required": ["schedule"]}, {"required": ["retentionDays"]}]}}}
    ])
}

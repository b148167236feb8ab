//! The JSON Schema of `AppSpec` and `PlatformConfig`, generated from the Rust types.
//!
//! The patterns here mirror the function's validators so a form (Backstage) or an editor
//! rejects the same values; rules that depend on the platform (domains, NAS prefix,
//! regions, reserved namespaces) are stated in descriptions and checked by the function.

use schemars::JsonSchema;
use schemars::generate::SchemaSettings;
use serde::Serialize;
use serde_json::{Value, json};

use crate::platform::Platform;
use crate::spec::AppSpecBody;

/// The app name also names the Service, so it is an RFC 1035 label.
pub const NAME_PATTERN: &str = "^[a-z]([-a-z0-9]*[a-z0-9])?$";
pub const NAMESPACE_PATTERN: &str = "^(?!kube-)[a-z0-9]([-a-z0-9]*[a-z0-9])?$";
pub const IMAGE_PATTERN: &str = r"^(?:(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*(?::[0-9]{1,5})?)/)?[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*)*(?::[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?(?:@[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,})?$";
pub const ENV_NAME_PATTERN: &str = "^[A-Za-z_][A-Za-z0-9_]*$";
pub const QUANTITY_PATTERN: &str =
    r"^[+]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+|[kMGTPE]i?|Ki|[mun])?$";
pub const MOUNT_PATH_PATTERN: &str = r"^/(?!(.*/)?\.\.?(/|$))(?!.*//)(?!.*/$)[^\\\x00-\x1f]+$";
pub const SUBPATH_PATTERN: &str =
    r"^(?!.*%(2[eEfF]|5[cC]|25|0))(?!(.*/)?\.\.?(/|$))(?!.*//)(?!.*/$)/[^\\\s\x00-\x1f]+$";
pub const HOST_PATTERN: &str =
    r"^(?=.{1,253}$)([a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?\.)+[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$";
pub const HTTP_PATH_PATTERN: &str = r"^/(?!(.*/)?(\.|%2[eE]){2}(/|$))[^\s\\\x00-\x1f]*$";
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
         "else": {"not": {"required": ["s3"]}}}
    ])
}

pub fn ingress_rules() -> Value {
    json!([
        {"if": {"properties": {"pattern": {"const": "none"}}, "required": ["pattern"]},
         "then": {"not": {"anyOf": [{"required": ["host"]}, {"required": ["path"]}]}}}
    ])
}

pub fn backup_rules() -> Value {
    json!([
        {"if": {"properties": {"strategy": {"const": "volsync-snapshots"}}, "required": ["strategy"]},
         "else": {"not": {"anyOf": [{"required": ["schedule"]}, {"required": ["retentionDays"]}]}}}
    ])
}

/// `metadata` of an AppSpec.
#[derive(Serialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
#[allow(dead_code)]
struct Metadata {
    /// The app name: lowercase letters, digits and `-`, starting with a letter, at most 63.
    #[schemars(regex(pattern = NAME_PATTERN), length(min = 1, max = 63))]
    name: String,
    /// Target namespace (default: the name). Not a reserved namespace of the platform
    /// (default, kube-*, argocd, flux-system, backstage... checked by the function).
    #[schemars(regex(pattern = NAMESPACE_PATTERN), length(min = 1, max = 63))]
    namespace: Option<String>,
    labels: Option<std::collections::BTreeMap<String, String>>,
    annotations: Option<std::collections::BTreeMap<String, String>>,
}

/// A compact application spec, expanded by the AppSpec function.
#[derive(Serialize, JsonSchema)]
#[schemars(title = "AppSpec", deny_unknown_fields, rename_all = "camelCase")]
#[allow(dead_code)]
struct AppSpecDocument {
    #[schemars(extend("const" = crate::API_VERSION))]
    api_version: String,
    #[schemars(extend("const" = "AppSpec"))]
    kind: String,
    metadata: Metadata,
    spec: AppSpecBody,
}

/// `metadata` of a PlatformConfig.
#[derive(Serialize, JsonSchema)]
#[allow(dead_code)]
struct PlatformMetadata {
    name: String,
    annotations: Option<std::collections::BTreeMap<String, String>>,
}

/// Site settings of the AppSpec function. Every field is optional and keeps its default.
#[derive(Serialize, JsonSchema)]
#[schemars(
    title = "PlatformConfig",
    deny_unknown_fields,
    rename_all = "camelCase"
)]
#[allow(dead_code)]
struct PlatformDocument {
    #[schemars(extend("const" = crate::API_VERSION))]
    api_version: String,
    #[schemars(extend("const" = "PlatformConfig"))]
    kind: String,
    metadata: Option<PlatformMetadata>,
    spec: Option<Platform>,
}

fn generate<T: JsonSchema>() -> Value {
    let generator = SchemaSettings::draft07()
        .with(|s| s.inline_subschemas = true)
        .for_deserialize()
        .into_generator();
    let schema = generator.into_root_schema_for::<T>();
    let mut v = serde_json::to_value(schema).unwrap_or(Value::Null);
    if let Value::Object(m) = &mut v {
        m.insert(
            "$id".into(),
            format!(
                "https://hypyr.space/schemas/{}.json",
                m.get("title")
                    .and_then(Value::as_str)
                    .unwrap_or("schema")
                    .to_lowercase()
            )
            .into(),
        );
    }
    v
}

/// The JSON Schema of an AppSpec document.
pub fn appspec() -> Value {
    generate::<AppSpecDocument>()
}

/// The JSON Schema of a PlatformConfig document.
pub fn platform() -> Value {
    generate::<PlatformDocument>()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns_used_by_the_schema_compile_as_rust_regex_where_possible() {
        // Lookaheads are ECMAScript-only; the rest must be plain regexes.
        for p in [
            NAME_PATTERN,
            ENV_NAME_PATTERN,
            QUANTITY_PATTERN,
            IMAGE_PATTERN,
            CRON_PATTERN,
        ] {
            regex::Regex::new(p).unwrap();
        }
    }

    #[test]
    fn cron_pattern_agrees_with_the_validator() {
        let re = regex::Regex::new(CRON_PATTERN).unwrap();
        let cases = [
            "0 2 * * *",
            "*/15 * * * *",
            "0 0 1 1 0",
            "0,30 1-5 * * 6",
            "5/10 * * * *",
            "@daily",
            "60 2 * * *",
            "0 24 * * *",
            "0 2 0 * *",
            "0 2 * 13 *",
            "0 2 * * 7",
            "0 2 * JAN *",
            "*/0 * * * *",
            "0 2 * *",
            "@often",
            "59 23 31 12 6",
            "00 02 * * *",
        ];
        for c in cases {
            assert_eq!(
                re.is_match(c),
                crate::validate::cron::check(c).is_ok(),
                "{c}"
            );
        }
    }

    #[test]
    fn schema_has_descriptions_defaults_and_enums() {
        let s = appspec();
        let spec = &s["properties"]["spec"]["properties"];
        assert_eq!(spec["port"]["default"], 8080);
        assert_eq!(spec["port"]["maximum"], 65535);
        assert!(
            spec["image"]["description"]
                .as_str()
                .unwrap()
                .contains("OCI image")
        );
        let storage = &spec["storage"]["properties"];
        assert_eq!(storage["size"]["maximum"], 1000);
        let patterns = serde_json::to_string(&storage["pattern"]).unwrap();
        for p in [
            "ephemeral",
            "longhorn-persistent",
            "nas-mount",
            "s3-external",
        ] {
            assert!(patterns.contains(p), "{p}");
        }
        assert_eq!(s["properties"]["kind"]["const"], "AppSpec");
        assert_eq!(s["additionalProperties"], false);
        assert!(!serde_json::to_string(&s).unwrap().contains("$ref"));
    }
}

//! Where a resource came from: its identity and the file kustomize or the CLI read it from.

use serde_json::Value;

use crate::input::diagnostic::{Document, ResourceRef};

pub const PATH_ANNOTATION: &str = "config.kubernetes.io/path";
pub const INTERNAL_PATH_ANNOTATION: &str = "internal.config.kubernetes.io/path";
/// Set by kustomize with `buildMetadata: [originAnnotations]`: YAML naming the resource's
/// file (`path`, with `repo` and `ref` for a remote base; `configuredIn` for a generated one).
pub const ORIGIN_ANNOTATION: &str = "config.kubernetes.io/origin";

fn str_at<'v>(v: &'v Value, path: &[&str]) -> Option<&'v str> {
    let mut cur = v;
    for key in path {
        cur = cur.get(key)?;
    }
    cur.as_str()
}

pub fn api_version(v: &Value) -> Option<&str> {
    str_at(v, &["apiVersion"])
}

pub fn kind(v: &Value) -> Option<&str> {
    str_at(v, &["kind"])
}

pub fn name(v: &Value) -> Option<&str> {
    str_at(v, &["metadata", "name"])
}

pub fn namespace(v: &Value) -> Option<&str> {
    str_at(v, &["metadata", "namespace"])
}

/// The file a resource was read from, per the KRM path annotations, else per kustomize's
/// origin annotation (kustomize sets no path annotation on the items it sends a function).
pub fn file_annotation(v: &Value) -> Option<String> {
    str_at(v, &["metadata", "annotations", INTERNAL_PATH_ANNOTATION])
        .or_else(|| str_at(v, &["metadata", "annotations", PATH_ANNOTATION]))
        .map(str::to_string)
        .or_else(|| origin_file(str_at(v, &["metadata", "annotations", ORIGIN_ANNOTATION])?))
}

/// The file named by an origin annotation: `path`, as `repo//path?ref=ref` for a remote
/// base (kustomize's own form), or the kustomization that generated the resource. `None`
/// when the annotation is not such YAML.
fn origin_file(text: &str) -> Option<String> {
    // A few short keys: a small budget, whatever the annotation holds.
    let limits = crate::input::yaml::Limits {
        max_bytes: 16 * 1024,
        max_depth: 8,
        max_aliases: 0,
        max_nodes: 256,
    };
    let origin = crate::input::yaml::parse_one(text, &limits).ok()?;
    let field = |k: &str| {
        origin
            .get(k)
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
    };
    let Some(path) = field("path") else {
        return field("configuredIn").map(str::to_string);
    };
    Some(match (field("repo"), field("ref")) {
        (Some(repo), Some(r)) => format!("{repo}//{path}?ref={r}"),
        (Some(repo), None) => format!("{repo}//{path}"),
        _ => path.to_string(),
    })
}

/// The reference used in results and messages.
pub fn resource_ref(v: &Value) -> ResourceRef {
    ResourceRef {
        api_version: api_version(v).unwrap_or_default().to_string(),
        kind: kind(v).unwrap_or_default().to_string(),
        name: name(v).unwrap_or_default().to_string(),
        namespace: namespace(v).map(str::to_string),
    }
}

/// Whether the value is a resource of our group with the given kind.
pub fn is_ours(v: &Value, wanted_kind: &str) -> bool {
    kind(v) == Some(wanted_kind)
        && api_version(v).is_some_and(|a| a.starts_with("platform.hypyr.space/"))
}

/// One input resource and the file it came from.
#[derive(Clone, Debug, PartialEq)]
pub struct Item {
    pub value: Value,
    pub file: Option<String>,
    /// Its document in `file`, carried to its diagnostics (so `validate` finds the line
    /// of this resource, not of another one with the same kind and name).
    pub document: Option<Document>,
}

impl Item {
    /// An item whose file is read from its KRM path annotations.
    pub fn from_krm(value: Value) -> Item {
        let file = file_annotation(&value);
        Item {
            value,
            file,
            document: None,
        }
    }

    /// An item read from `file` (if any), without a known document.
    pub fn new(value: Value, file: Option<String>) -> Item {
        Item {
            value,
            file,
            document: None,
        }
    }
}

/// Whether the resource has a non-empty `spec`.
pub fn present_spec(v: &Value) -> bool {
    match v.get("spec") {
        Some(Value::Object(m)) => !m.is_empty(),
        Some(Value::Null) | None => false,
        Some(_) => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_from_path_or_origin_annotations() {
        let with = |annotations: Value| {
            file_annotation(&serde_json::json!({"metadata": {"annotations": annotations}}))
        };
        let origin = |text: &str| with(serde_json::json!({ ORIGIN_ANNOTATION: text }));
        assert_eq!(
            origin("path: apps/web.yaml\n").as_deref(),
            Some("apps/web.yaml")
        );
        assert_eq!(
            origin("path: apps/web.yaml\nrepo: https://github.com/acme/gitops\nref: v1.2\n")
                .as_deref(),
            Some("https://github.com/acme/gitops//apps/web.yaml?ref=v1.2")
        );
        assert_eq!(
            origin("configuredIn: kustomization.yaml\nconfiguredBy: {kind: Gen, name: x}\n")
                .as_deref(),
            Some("kustomization.yaml")
        );
        for bad in ["", "[1, 2", "- a\n- b\n", "path: [x]\n", "path: \"\"\n"] {
            assert_eq!(origin(bad), None, "{bad:?}");
        }
        // The path annotations win over the origin.
        assert_eq!(
            with(
                serde_json::json!({ ORIGIN_ANNOTATION: "path: a.yaml", PATH_ANNOTATION: "b.yaml" })
            )
            .as_deref(),
            Some("b.yaml")
        );
    }
}

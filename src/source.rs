//! Where a resource came from: its identity and the file kustomize or the CLI read it from.

use serde_json::Value;

use crate::diagnostic::{Document, ResourceRef};

pub const PATH_ANNOTATION: &str = "config.kubernetes.io/path";
pub const INTERNAL_PATH_ANNOTATION: &str = "internal.config.kubernetes.io/path";

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

/// The file a resource was read from, per the KRM path annotations.
pub fn file_annotation(v: &Value) -> Option<String> {
    str_at(v, &["metadata", "annotations", INTERNAL_PATH_ANNOTATION])
        .or_else(|| str_at(v, &["metadata", "annotations", PATH_ANNOTATION]))
        .map(str::to_string)
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

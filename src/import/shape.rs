//! What this build's AppSpec can hold, asked of its own JSON Schema: the importer emits a
//! field only when the schema has it, so it carries more as fields are added, unchanged.
//!
//! The check is structural (properties, types, enums, required keys, conditionals); values
//! such as hosts and quantities are judged later by the engine itself.

use serde_json::{Map, Value};

/// The schema of `spec` of an AppSpec.
#[derive(Clone, Debug)]
pub struct Shape {
    spec: Value,
}

impl Default for Shape {
    fn default() -> Self {
        Shape::from_document_schema(&crate::commands::schema::appspec())
    }
}

impl Shape {
    /// From the schema of a whole AppSpec document (as `appspec schema` prints it).
    pub fn from_document_schema(schema: &Value) -> Shape {
        let spec = schema
            .pointer("/properties/spec")
            .cloned()
            .unwrap_or(Value::Bool(false));
        Shape {
            spec: inline_refs(&spec, schema, 0),
        }
    }

    /// Whether `value` may stand at `path` (keys below `spec`; `[]` steps into list items).
    pub fn fits(&self, path: &[&str], value: &Value) -> bool {
        subschemas(&self.spec, path)
            .iter()
            .any(|s| conforms(s, value))
    }

    /// Whether the schema knows the field at `path` at all.
    pub fn has(&self, path: &[&str]) -> bool {
        !subschemas(&self.spec, path).is_empty()
    }
}

/// Local `$ref`s (`#/definitions/X`, `#/$defs/X`) replaced by what they point at, so the
/// walk below needs no resolver; a recursive schema is cut at a depth that no AppSpec
/// field reaches (the cut accepts anything: the engine still judges the value).
fn inline_refs(v: &Value, root: &Value, depth: usize) -> Value {
    const MAX_DEPTH: usize = 32;
    match v {
        Value::Object(map) => {
            if let Some(Value::String(r)) = map.get("$ref") {
                let target = r.strip_prefix('#').and_then(|p| root.pointer(p));
                return match target {
                    Some(t) if depth < MAX_DEPTH => inline_refs(t, root, depth + 1),
                    _ => Value::Bool(true),
                };
            }
            Value::Object(
                map.iter()
                    .map(|(k, x)| (k.clone(), inline_refs(x, root, depth)))
                    .collect(),
            )
        }
        Value::Array(items) => {
            Value::Array(items.iter().map(|x| inline_refs(x, root, depth)).collect())
        }
        other => other.clone(),
    }
}

/// The schemas that describe the value at `path` below `schema` (one per branch).
fn subschemas<'s>(schema: &'s Value, path: &[&str]) -> Vec<&'s Value> {
    let Some((first, rest)) = path.split_first() else {
        return vec![schema];
    };
    let mut out = Vec::new();
    for branch in branches(schema) {
        let Some(obj) = branch.as_object() else {
            continue;
        };
        if *first == "[]" {
            if let Some(items) = obj.get("items") {
                out.extend(subschemas(items, rest));
            }
        } else if let Some(p) = obj.get("properties").and_then(|p| p.get(*first)) {
            out.extend(subschemas(p, rest));
        } else if let Some(ap) = obj.get("additionalProperties").filter(|a| a.is_object()) {
            out.extend(subschemas(ap, rest));
        }
    }
    out
}

/// A schema and its `anyOf` / `oneOf` / `allOf` branches, recursively.
fn branches(schema: &Value) -> Vec<&Value> {
    let mut out = vec![schema];
    if let Some(obj) = schema.as_object() {
        for key in ["anyOf", "oneOf", "allOf"] {
            if let Some(Value::Array(list)) = obj.get(key) {
                for b in list {
                    out.extend(branches(b));
                }
            }
        }
    }
    out
}

fn type_matches(t: &str, v: &Value) -> bool {
    match t {
        "null" => v.is_null(),
        "boolean" => v.is_boolean(),
        "string" => v.is_string(),
        "integer" => v.is_i64() || v.is_u64(),
        "number" => v.is_number(),
        "array" => v.is_array(),
        "object" => v.is_object(),
        _ => false,
    }
}

/// Whether `v` conforms to `schema`, structurally.
pub fn conforms(schema: &Value, v: &Value) -> bool {
    let obj = match schema {
        Value::Bool(b) => return *b,
        Value::Object(o) => o,
        _ => return true,
    };
    match obj.get("type") {
        Some(Value::String(t)) if !type_matches(t, v) => return false,
        Some(Value::Array(ts))
            if !ts
                .iter()
                .filter_map(Value::as_str)
                .any(|t| type_matches(t, v)) =>
        {
            return false;
        }
        _ => {}
    }
    if let Some(Value::Array(allowed)) = obj.get("enum")
        && !allowed.contains(v)
    {
        return false;
    }
    if let Some(c) = obj.get("const")
        && c != v
    {
        return false;
    }
    if let Some(Value::Array(list)) = obj.get("anyOf")
        && !list.iter().any(|s| conforms(s, v))
    {
        return false;
    }
    if let Some(Value::Array(list)) = obj.get("oneOf")
        && !list.iter().any(|s| conforms(s, v))
    {
        return false;
    }
    if let Some(Value::Array(list)) = obj.get("allOf")
        && !list.iter().all(|s| conforms(s, v))
    {
        return false;
    }
    if let Some(not) = obj.get("not")
        && conforms(not, v)
    {
        return false;
    }
    if let Some(cond) = obj.get("if") {
        let next = if conforms(cond, v) {
            obj.get("then")
        } else {
            obj.get("else")
        };
        if let Some(next) = next
            && !conforms(next, v)
        {
            return false;
        }
    }
    if let Value::Object(map) = v
        && !object_conforms(obj, map)
    {
        return false;
    }
    if let (Value::Array(items), Some(item_schema)) = (v, obj.get("items"))
        && !items.iter().all(|i| conforms(item_schema, i))
    {
        return false;
    }
    true
}

fn object_conforms(schema: &Map<String, Value>, map: &Map<String, Value>) -> bool {
    if let Some(Value::Array(required)) = schema.get("required")
        && !required
            .iter()
            .filter_map(Value::as_str)
            .all(|k| map.contains_key(k))
    {
        return false;
    }
    let props = schema.get("properties").and_then(Value::as_object);
    for (k, child) in map {
        match props.and_then(|p| p.get(k)) {
            Some(s) => {
                if !conforms(s, child) {
                    return false;
                }
            }
            None => match schema.get("additionalProperties") {
                Some(ap) if !conforms(ap, child) => return false,
                _ => {}
            },
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn fields_of_this_build_fit_and_unknown_ones_do_not() {
        let shape = Shape::default();
        assert!(shape.fits(&["image"], &json!("nginx:1.27")));
        assert!(shape.fits(&["port"], &json!(80)));
        assert!(!shape.fits(&["port"], &json!("80")));
        assert!(shape.fits(&["env"], &json!({"TZ": "UTC"})));
        assert!(shape.fits(
            &["storage"],
            &json!({"pattern": "ephemeral", "mountPath": "/x"})
        ));
        assert!(!shape.fits(&["storage"], &json!({"pattern": "no-such-pattern"})));
        assert!(!shape.fits(&["storage"], &json!({"pattern": "ephemeral", "size": 1})));
        assert!(shape.fits(&["ingress", "host"], &json!("a.in.hypyr.space")));
        assert!(!shape.fits(&["noSuchField"], &json!(1)));
        assert!(!shape.has(&["noSuchField"]));
        assert!(shape.has(&["ingress", "path"]));
    }

    #[test]
    fn references_are_followed() {
        let doc = json!({
            "properties": {"spec": {"type": "object", "additionalProperties": false,
                "properties": {"probes": {"$ref": "#/$defs/Probes"},
                               "tree": {"$ref": "#/definitions/Tree"}}}},
            "$defs": {"Probes": {"type": "object", "additionalProperties": false,
                "properties": {"path": {"type": "string"}}}},
            "definitions": {"Tree": {"type": "object",
                "properties": {"child": {"$ref": "#/definitions/Tree"}}}}
        });
        let shape = Shape::from_document_schema(&doc);
        assert!(shape.fits(&["probes"], &json!({"path": "/ping"})));
        assert!(!shape.fits(&["probes"], &json!({"tcp": true})));
        assert!(shape.has(&["tree", "child", "child"]));
    }

    #[test]
    fn conditionals_and_branches() {
        let s = json!({
            "type": "object",
            "properties": {"a": {"anyOf": [{"type": "integer"}, {"type": "object",
                "properties": {"b": {"type": "string"}}, "additionalProperties": false}]}},
            "additionalProperties": false,
            "if": {"properties": {"a": {"const": 1}}, "required": ["a"]},
            "then": {"required": ["c"]}
        });
        assert!(conforms(&s, &json!({"a": 2})));
        assert!(conforms(&s, &json!({"a": {"b": "x"}})));
        assert!(!conforms(&s, &json!({"a": {"b": 1}})));
        assert!(!conforms(&s, &json!({"a": {"z": "x"}})));
        assert!(!conforms(&s, &json!({"a": 1})));
        assert!(!conforms(&s, &json!({"d": 1})));
        let shape = Shape {
            spec: json!({"properties": {"x": s}}),
        };
        assert!(shape.has(&["x", "a", "b"]));
        assert!(!shape.has(&["x", "a", "z"]));
    }
}

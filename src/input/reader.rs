//! Strict structural reading of untrusted values, driven by the JSON Schema of the Rust type.
//!
//! The schema generated from a type (serde + schemars attributes) is the one description of
//! its fields: this walker checks a value against it (types, required and unknown fields,
//! enum values, lists, maps), records every problem with its field path and goes on, and
//! builds a cleaned copy without the bad values, so `serde_json::from_value` gives the
//! typed value with defaults in their place. The semantic rules then run on that value;
//! [`Read::screen`] drops their issues at paths that already have a structural one.
//!
//! Only the structural keywords are read here (a [`Skeleton`]: the binary carries the
//! skeletons as statics, see `skeleton`). Bounds, patterns and the `allOf` conditions are
//! published for editors and forms; the function checks them in `validate` with better
//! messages. A field's `x-hint` keyword (stripped from the published schema) completes the
//! "is required" message.

use schemars::JsonSchema;
use schemars::generate::SchemaSettings;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use crate::input::diagnostic::Issue;
use crate::input::skeleton::{Additional, Skeleton};

/// Joins a parent field path and a key: `spec` + `storage` -> `spec.storage`.
pub fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_string()
    } else {
        format!("{path}.{key}")
    }
}

/// A short description of a value's type for messages.
pub fn type_name(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(n) if n.is_f64() => "a decimal number",
        Value::Number(_) => "an integer",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "a mapping",
    }
}

/// The JSON Schema of `T` (draft 7, subschemas inlined, as deserialization sees it): what
/// [`read`] walks, and (with an `$id`, without hints) what `appspec schema` publishes.
pub fn schema_for<T: JsonSchema>() -> Value {
    let generator = SchemaSettings::draft07()
        .with(|s| s.inline_subschemas = true)
        .for_deserialize()
        .into_generator();
    serde_json::to_value(generator.into_root_schema_for::<T>()).unwrap_or(Value::Null)
}

/// The result of reading a value as `T`.
#[derive(Debug)]
pub struct Read<T> {
    /// The typed value (bad values replaced by defaults); `None` only if even the cleaned
    /// copy could not be read, which the issues then say.
    pub value: Option<T>,
    /// Every structural problem, in document order.
    pub issues: Vec<Issue>,
    /// Paths whose value was missing or unusable; semantic issues at or under them are noise.
    bad: Vec<String>,
}

impl<T> Read<T> {
    /// Whether a structural problem makes `path` meaningless (the path itself, a field
    /// under it, or a sibling of an unknown enum value, which decides what its siblings mean).
    pub fn is_bad(&self, path: &str) -> bool {
        self.bad.iter().any(|b| {
            path == b
                || path
                    .strip_prefix(b.as_str())
                    .is_some_and(|rest| rest.starts_with('.') || rest.starts_with('['))
        })
    }

    /// Whether some value was missing or unusable (unknown fields alone do not count).
    pub fn has_bad_values(&self) -> bool {
        !self.bad.is_empty()
    }

    /// The semantic issues that are not at a path already reported as structurally bad.
    pub fn screen(&self, semantic: Vec<Issue>) -> Vec<Issue> {
        semantic
            .into_iter()
            .filter(|i| !self.is_bad(&i.path))
            .collect()
    }

    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Read<U> {
        Read {
            value: self.value.map(f),
            issues: self.issues,
            bad: self.bad,
        }
    }
}

/// Reads `value` as `T`, checking it against `schema` (the skeleton of the schema generated
/// from `T`).
pub fn read<T: DeserializeOwned>(schema: &Skeleton, value: &Value) -> Read<T> {
    let mut w = Walker {
        issues: Vec::new(),
        bad: Vec::new(),
    };
    let cleaned = match w.walk(schema, value, "", false) {
        Some(v) => v,
        None => placeholder(schema),
    };
    let typed = match serde_json::from_value::<T>(cleaned) {
        Ok(t) => Some(t),
        Err(e) => {
            // The walker and the type disagree: a bug, reported instead of a panic.
            w.issues.push(Issue::error(
                "",
                format!("could not be read ({e}); please report this as a bug"),
            ));
            None
        }
    };
    Read {
        value: typed,
        issues: w.issues,
        bad: w.bad,
    }
}

struct Walker {
    issues: Vec<Issue>,
    bad: Vec<String>,
}

fn matches(t: &str, value: &Value) -> bool {
    match t {
        "string" => value.is_string(),
        "integer" => value.is_i64() || value.is_u64(),
        "number" => value.is_number(),
        "boolean" => value.is_boolean(),
        "object" => value.is_object(),
        "array" => value.is_array(),
        _ => true,
    }
}

fn article(t: &str) -> &'static str {
    match t {
        "string" => "a string",
        "integer" => "an integer",
        "number" => "a number",
        "boolean" => "true or false",
        "object" => "a mapping",
        "array" => "a list",
        _ => "a value",
    }
}

impl Walker {
    fn error(&mut self, path: &str, message: String) {
        self.issues.push(Issue::error(path, message));
    }

    fn bad_value(&mut self, path: &str, message: String) {
        self.bad.push(path.to_string());
        self.error(path, message);
    }

    /// Checks `value` against `schema`; returns the cleaned value, or `None` when it is
    /// unusable (reported). `map_value`: the value of a free-form map entry (env, labels).
    fn walk(
        &mut self,
        schema: &Skeleton,
        value: &Value,
        path: &str,
        map_value: bool,
    ) -> Option<Value> {
        if let Some(choices) = schema.choices {
            return match value {
                Value::String(s) if choices.contains(&s.as_str()) => Some(value.clone()),
                Value::String(s) => {
                    self.bad_value(
                        path,
                        format!(
                            "unknown value \"{s}\"; expected one of: {}",
                            choices.join(", ")
                        ),
                    );
                    // A pattern or strategy decides what its sibling fields mean.
                    if let Some((parent, _)) = path.rsplit_once('.')
                        && parent.contains('.')
                    {
                        self.bad.push(parent.to_string());
                    }
                    None
                }
                other => {
                    self.bad_value(path, format!("must be a string, got {}", type_name(other)));
                    None
                }
            };
        }
        match schema.members {
            // Option<T> of a non-primitive T: anyOf [T, null].
            [one] => return self.walk(one, value, path, map_value),
            // An untagged union (`runAs: 568 | {user, group}`): the member whose JSON type
            // the value has decides; none is a type error listing every accepted shape.
            [] => {}
            members => {
                if let Some(m) = members
                    .iter()
                    .find(|m| m.types.iter().any(|t| matches(t, value)))
                {
                    return self.walk(m, value, path, map_value);
                }
                let allowed: Vec<&str> = members.iter().flat_map(|m| m.types).copied().collect();
                self.bad_value(path, type_message(&allowed, value, map_value));
                return None;
            }
        }
        let allowed = schema.types;
        if !allowed.is_empty() && !allowed.iter().any(|t| matches(t, value)) {
            self.bad_value(path, type_message(allowed, value, map_value));
            return None;
        }
        match value {
            Value::Object(map) => Some(self.object(schema, map, path)),
            Value::Array(items) => Some(self.array(schema, items, path)),
            _ => Some(value.clone()),
        }
    }

    fn object(&mut self, schema: &Skeleton, map: &Map<String, Value>, path: &str) -> Value {
        let mut out = Map::new();
        for (key, value) in map {
            let child = join(path, key);
            if let Some(field) = schema.property(key) {
                if value.is_null() {
                    continue; // null reads as absent; a required field is reported below
                }
                if let Some(v) = self.walk(field, value, &child, false) {
                    out.insert(key.clone(), v);
                }
                continue;
            }
            match schema.additional {
                Additional::Forbidden => {
                    let known: Vec<&str> = schema.properties.iter().map(|(k, _)| *k).collect();
                    let message = match crate::input::typo::closest(key, known.iter().copied()) {
                        Some(near) => format!("unknown field \"{key}\"; did you mean \"{near}\"?"),
                        None => format!(
                            "unknown field \"{key}\"; expected one of: {}",
                            known.join(", ")
                        ),
                    };
                    self.error(&child, message);
                }
                Additional::Entry(entry) => {
                    if value.is_null() {
                        self.bad_value(&child, type_message(entry.types, value, true));
                    } else if let Some(v) = self.walk(entry, value, &child, true) {
                        out.insert(key.clone(), v);
                    }
                }
                Additional::Any => {
                    out.insert(key.clone(), value.clone());
                }
            }
        }
        for key in schema.required {
            if out.contains_key(*key) {
                continue;
            }
            let field = schema.property(key);
            let child = join(path, key);
            let reported = self.bad.contains(&child);
            if !reported {
                let hint = field
                    .and_then(|f| f.hint)
                    .map(|h| format!(" ({h})"))
                    .unwrap_or_default();
                self.bad_value(&child, format!("is required{hint}"));
            }
            let placeholder = field.map_or(Value::Null, placeholder);
            out.insert(key.to_string(), placeholder);
        }
        Value::Object(out)
    }

    fn array(&mut self, schema: &Skeleton, items: &[Value], path: &str) -> Value {
        let Some(item_schema) = schema.items else {
            return Value::Array(items.to_vec());
        };
        let mut out = Vec::with_capacity(items.len());
        for (i, item) in items.iter().enumerate() {
            let child = format!("{path}[{i}]");
            if item.is_null() {
                self.bad_value(&child, type_message(item_schema.types, item, false));
            } else if let Some(v) = self.walk(item_schema, item, &child, false) {
                out.push(v);
            }
        }
        Value::Array(out)
    }
}

/// A value of the schema's type standing in for a missing required one, so the rest of
/// the value can still be read and checked.
fn placeholder(schema: &Skeleton) -> Value {
    if let Some(first) = schema.choices.and_then(|c| c.first()) {
        return Value::String(first.to_string());
    }
    if let Some(one) = schema.members.first() {
        return placeholder(one);
    }
    match schema.types.first().copied() {
        Some("string") => Value::String(String::new()),
        Some("integer" | "number") => Value::from(0),
        Some("boolean") => Value::Bool(false),
        Some("array") => Value::Array(Vec::new()),
        Some("object") => {
            let mut out = Map::new();
            for key in schema.required {
                if let Some(f) = schema.property(key) {
                    out.insert(key.to_string(), placeholder(f));
                }
            }
            Value::Object(out)
        }
        _ => Value::Null,
    }
}

/// "must be an integer, got the string "12" (remove the quotes)" and the like.
fn type_message(allowed: &[&str], value: &Value, map_value: bool) -> String {
    let names: Vec<&str> = allowed.iter().map(|t| article(t)).collect();
    let expected = match names.as_slice() {
        [init @ .., last] if init.len() > 1 => format!("{}, or {last}", init.join(", ")),
        _ => names.join(" or "),
    };
    let expected = if expected.is_empty() {
        "a value".to_string()
    } else {
        expected
    };
    match (allowed, value) {
        (["integer"], Value::Number(n)) => format!("must be an integer, got {n}"),
        (["integer"], Value::String(s)) => {
            let hint = if s.trim().parse::<i64>().is_ok() {
                " (remove the quotes)"
            } else {
                ""
            };
            format!("must be an integer, got the string \"{s}\"{hint}")
        }
        (["string"], Value::Bool(_) | Value::Number(_) | Value::Null) if map_value => format!(
            "must be a string, got {}; quote the value (e.g. \"true\", \"1\")",
            type_name(value)
        ),
        (_, Value::Number(n)) if map_value && allowed.contains(&"string") => format!(
            "must be {expected}, got {}; quote the value (e.g. \"{n}\")",
            type_name(value)
        ),
        _ => format!("must be {expected}, got {}", type_name(value)),
    }
}

/// A value setting every field the schema knows, with a non-default choice for enums: the
/// tests read it (through the skeleton) and check that the typed value gives every field back.
#[cfg(test)]
pub(crate) fn sample(root: &Value, schema: &Value) -> Value {
    use crate::input::skeleton::generate::{choices, is_null_schema, resolve, types};
    let schema = resolve(root, schema);
    if let Some(last) = choices(root, schema).and_then(|c| c.last().copied()) {
        return Value::String(last.to_string());
    }
    if let Some(Value::Array(members)) = schema.get("anyOf").or_else(|| schema.get("oneOf"))
        && let Some(one) = members.iter().find(|m| !is_null_schema(m))
    {
        return sample(root, one);
    }
    if let Some(c) = schema.get("const") {
        return c.clone();
    }
    match types(schema).first().copied() {
        Some("string") => Value::String("sample".into()),
        Some("integer" | "number") => Value::from(7),
        Some("boolean") => Value::Bool(true),
        Some("array") => Value::Array(vec![sample(root, &schema["items"])]),
        Some("object") => {
            let mut out = Map::new();
            if let Some(Value::Object(props)) = schema.get("properties") {
                for (k, f) in props {
                    out.insert(k.clone(), sample(root, f));
                }
            }
            if let Some(entry @ Value::Object(_)) = schema.get("additionalProperties") {
                out.insert("key".into(), sample(root, entry));
            }
            Value::Object(out)
        }
        _ => Value::Null,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;
    use serde_json::json;

    fn schema() -> &'static Skeleton {
        skeleton(json!({
            "type": "object",
            "properties": {
                "a": {"type": "integer"},
                "b": {"type": ["integer", "null"]},
                "s": {"type": "string", "x-hint": "the s"},
                "e": {"oneOf": [{"type": "string", "const": "x"}, {"type": "string", "enum": ["y"]}]},
                "m": {"type": "object", "additionalProperties": {"type": "string"}},
                "l": {"type": "array", "items": {"type": "string"}}
            },
            "required": ["a", "s"],
            "additionalProperties": false
        }))
    }

    fn skeleton(schema: Value) -> &'static Skeleton {
        Box::leak(Box::new(crate::input::skeleton::generate::skeleton(
            &schema, &schema,
        )))
    }

    #[derive(Debug, Deserialize, PartialEq)]
    struct T {
        a: i64,
        b: Option<i64>,
        s: String,
        e: Option<String>,
        #[serde(default)]
        m: std::collections::BTreeMap<String, String>,
        #[serde(default)]
        l: Vec<String>,
    }

    fn messages(r: &Read<T>) -> Vec<(String, String)> {
        r.issues
            .iter()
            .map(|i| (i.path.clone(), i.message.clone()))
            .collect()
    }

    #[test]
    fn reports_every_unknown_and_mistyped_field_and_reads_the_rest() {
        let r: Read<T> = read(
            schema(),
            &json!({"a": 1, "b": "12", "c": true, "s": "x", "e": "z", "m": {"k": 1, "j": "v"}, "l": ["x", 2]}),
        );
        assert_eq!(
            messages(&r),
            [
                (
                    "b".into(),
                    "must be an integer, got the string \"12\" (remove the quotes)".into()
                ),
                (
                    "c".into(),
                    "unknown field \"c\"; expected one of: a, b, s, e, m, l".into()
                ),
                (
                    "e".into(),
                    "unknown value \"z\"; expected one of: x, y".into()
                ),
                (
                    "m.k".into(),
                    "must be a string, got an integer; quote the value (e.g. \"true\", \"1\")"
                        .into()
                ),
                ("l[1]".into(), "must be a string, got an integer".into()),
            ]
        );
        let t = r.value.as_ref().unwrap();
        assert_eq!(
            (t.a, t.b, t.s.as_str(), t.e.as_deref()),
            (1, None, "x", None)
        );
        assert_eq!(t.m.len(), 1);
        assert_eq!(t.l, ["x"]);
        assert!(r.is_bad("b") && r.is_bad("m.k") && !r.is_bad("c") && !r.is_bad("a"));
    }

    #[test]
    fn missing_and_null_required_fields_get_a_hint_and_a_placeholder() {
        let r: Read<T> = read(schema(), &json!({"a": 1.5, "s": null}));
        assert_eq!(
            messages(&r),
            [
                ("a".into(), "must be an integer, got 1.5".into()),
                ("s".into(), "is required (the s)".into()),
            ]
        );
        let t = r.value.unwrap();
        assert_eq!((t.a, t.s.as_str()), (0, ""));
    }

    #[test]
    fn untagged_unions_are_walked_by_the_member_of_the_value_type() {
        #[derive(Debug, Deserialize, PartialEq)]
        #[serde(untagged)]
        enum U {
            Id(i64),
            Ids { user: i64 },
        }
        let schema = skeleton(json!({
            "type": "object",
            "properties": {"u": {"anyOf": [
                {"type": "integer"},
                {"type": "object", "properties": {"user": {"type": "integer"}},
                 "required": ["user"], "additionalProperties": false},
            ]}},
            "additionalProperties": false
        }));
        #[derive(Debug, Deserialize)]
        struct W {
            u: Option<U>,
        }
        let r: Read<W> = read(schema, &json!({"u": 5}));
        assert_eq!(r.issues, []);
        assert_eq!(r.value.unwrap().u, Some(U::Id(5)));
        let r: Read<W> = read(schema, &json!({"u": {"user": 5, "x": 1}}));
        assert_eq!(r.issues[0].path, "u.x");
        assert_eq!(r.value.unwrap().u, Some(U::Ids { user: 5 }));
        let r: Read<W> = read(schema, &json!({"u": "5"}));
        assert_eq!(
            r.issues[0].message,
            "must be an integer or a mapping, got a string"
        );
        assert!(r.is_bad("u"));
        assert_eq!(r.value.unwrap().u, None);
    }

    #[test]
    fn screen_drops_semantic_issues_under_bad_paths() {
        let r: Read<T> = read(schema(), &json!({"a": 1, "s": "x", "m": []}));
        let kept = r.screen(vec![
            Issue::error("m.k", "x"),
            Issue::error("mm", "y"),
            Issue::error("s", "z"),
        ]);
        let paths: Vec<_> = kept.iter().map(|i| i.path.as_str()).collect();
        assert_eq!(paths, ["mm", "s"]);
        assert_eq!(r.issues[0].message, "must be a mapping, got a list");
    }
}

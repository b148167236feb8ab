//! Strict structural reading of untyped YAML values: types, required and unknown fields.
//!
//! Every problem is recorded with its field path and reading goes on, so one run reports all
//! structural problems of a resource instead of stopping at the first.

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use crate::diagnostic::Issue;

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

/// Collects the issues found while reading.
#[derive(Debug, Default)]
pub struct Reader {
    pub issues: Vec<Issue>,
    /// Set when a value could not be read as its type (not for unknown fields): the typed
    /// result then holds a default in its place, so semantic checks would mislead.
    pub poisoned: bool,
}

impl Reader {
    pub fn error(&mut self, path: impl Into<String>, message: impl Into<String>) {
        self.issues.push(Issue::error(path, message));
    }

    /// Records a problem with a value's type or form (see `poisoned`).
    pub fn bad_value(&mut self, path: impl Into<String>, message: impl Into<String>) {
        self.poisoned = true;
        self.error(path, message);
    }

    /// A mapping whose keys must all be in `known`; `None` (with an issue) for another type.
    pub fn object<'v>(
        &mut self,
        value: &'v Value,
        path: &str,
        known: &[&str],
    ) -> Option<&'v Map<String, Value>> {
        let Value::Object(map) = value else {
            self.bad_value(path, format!("must be a mapping, got {}", type_name(value)));
            return None;
        };
        for key in map.keys() {
            if !known.contains(&key.as_str()) {
                self.error(
                    join(path, key),
                    format!(
                        "unknown field \"{key}\"; expected one of: {}",
                        known.join(", ")
                    ),
                );
            }
        }
        Some(map)
    }

    /// An optional nested mapping field (absent or null gives `None`).
    pub fn child<'v>(
        &mut self,
        map: &'v Map<String, Value>,
        key: &str,
        path: &str,
        known: &[&str],
    ) -> Option<&'v Map<String, Value>> {
        present(map, key).and_then(|v| self.object(v, &join(path, key), known))
    }

    pub fn string(&mut self, map: &Map<String, Value>, key: &str, path: &str) -> Option<String> {
        match present(map, key)? {
            Value::String(s) => Some(s.clone()),
            other => {
                self.bad_value(
                    join(path, key),
                    format!("must be a string, got {}", type_name(other)),
                );
                None
            }
        }
    }

    /// A string that must be present; reports `is required` otherwise.
    pub fn required_string(
        &mut self,
        map: &Map<String, Value>,
        key: &str,
        path: &str,
        hint: &str,
    ) -> Option<String> {
        if present(map, key).is_none() {
            self.bad_value(join(path, key), format!("is required{hint}"));
            return None;
        }
        self.string(map, key, path)
    }

    pub fn integer(&mut self, map: &Map<String, Value>, key: &str, path: &str) -> Option<i64> {
        let value = present(map, key)?;
        match value {
            Value::Number(n) => match n.as_i64() {
                Some(i) => Some(i),
                None => {
                    self.bad_value(join(path, key), format!("must be an integer, got {n}"));
                    None
                }
            },
            Value::String(s) => {
                let hint = if s.trim().parse::<i64>().is_ok() {
                    " (remove the quotes)"
                } else {
                    ""
                };
                self.bad_value(
                    join(path, key),
                    format!("must be an integer, got the string \"{s}\"{hint}"),
                );
                None
            }
            other => {
                self.bad_value(
                    join(path, key),
                    format!("must be an integer, got {}", type_name(other)),
                );
                None
            }
        }
    }

    /// One of a fixed set of string values.
    pub fn choice<T: Copy>(
        &mut self,
        map: &Map<String, Value>,
        key: &str,
        path: &str,
        choices: &[(&str, T)],
    ) -> Option<T> {
        let s = self.string(map, key, path)?;
        match choices.iter().find(|(name, _)| *name == s) {
            Some((_, v)) => Some(*v),
            None => {
                let names: Vec<&str> = choices.iter().map(|(n, _)| *n).collect();
                self.bad_value(
                    join(path, key),
                    format!(
                        "unknown value \"{s}\"; expected one of: {}",
                        names.join(", ")
                    ),
                );
                None
            }
        }
    }

    /// A mapping of string keys to string values (plain env vars, labels).
    pub fn string_map(
        &mut self,
        map: &Map<String, Value>,
        key: &str,
        path: &str,
    ) -> BTreeMap<String, String> {
        let mut out = BTreeMap::new();
        let Some(value) = present(map, key) else {
            return out;
        };
        let path = join(path, key);
        let Value::Object(entries) = value else {
            self.bad_value(
                &path,
                format!("must be a mapping, got {}", type_name(value)),
            );
            return out;
        };
        for (k, v) in entries {
            match v {
                Value::String(s) => {
                    out.insert(k.clone(), s.clone());
                }
                other => self.bad_value(
                    join(&path, k),
                    format!(
                        "must be a string, got {}; quote the value (e.g. \"true\", \"1\")",
                        type_name(other)
                    ),
                ),
            }
        }
        out
    }

    /// A list of strings.
    pub fn string_list(
        &mut self,
        map: &Map<String, Value>,
        key: &str,
        path: &str,
    ) -> Option<Vec<String>> {
        let value = present(map, key)?;
        let path = join(path, key);
        let Value::Array(items) = value else {
            self.bad_value(&path, format!("must be a list, got {}", type_name(value)));
            return None;
        };
        let mut out = Vec::with_capacity(items.len());
        for (i, item) in items.iter().enumerate() {
            match item {
                Value::String(s) => out.push(s.clone()),
                other => self.bad_value(
                    format!("{path}[{i}]"),
                    format!("must be a string, got {}", type_name(other)),
                ),
            }
        }
        Some(out)
    }
}

/// The value of `key`, treating an explicit `null` like an absent key.
pub fn present<'v>(map: &'v Map<String, Value>, key: &str) -> Option<&'v Value> {
    map.get(key).filter(|v| !v.is_null())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn reports_every_unknown_and_mistyped_field() {
        let v = json!({"a": 1, "b": "12", "c": true, "d": 2});
        let mut r = Reader::default();
        let map = r.object(&v, "spec", &["a", "b"]).unwrap();
        assert_eq!(r.integer(map, "b", "spec"), None);
        assert_eq!(r.integer(map, "a", "spec"), Some(1));
        let paths: Vec<_> = r.issues.iter().map(|i| i.path.as_str()).collect();
        assert_eq!(paths, ["spec.c", "spec.d", "spec.b"]);
        assert_eq!(
            r.issues[0].message,
            "unknown field \"c\"; expected one of: a, b"
        );
        assert_eq!(
            r.issues[2].message,
            "must be an integer, got the string \"12\" (remove the quotes)"
        );
    }

    #[test]
    fn null_counts_as_absent() {
        let v = json!({"a": null});
        let mut r = Reader::default();
        let map = r.object(&v, "", &["a"]).unwrap();
        assert_eq!(r.string(map, "a", ""), None);
        assert_eq!(r.required_string(map, "a", "", "").as_deref(), None);
        assert_eq!(r.issues[0].path, "a");
        assert_eq!(r.issues[0].message, "is required");
    }

    #[test]
    fn decimal_is_not_an_integer() {
        let v = json!({"size": 1.5});
        let mut r = Reader::default();
        let map = r.object(&v, "spec", &["size"]).unwrap();
        assert_eq!(r.integer(map, "size", "spec"), None);
        assert_eq!(r.issues[0].message, "must be an integer, got 1.5");
    }
}

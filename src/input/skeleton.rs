//! The structural part of a JSON Schema (types, fields, enum values, lists, maps), as static data.
//!
//! `reader` walks a [`Skeleton`], not the JSON Schema itself: generating the schema from the
//! types with schemars costs more than a whole run of the function (millions of instructions,
//! paid on every start), and parsing it from embedded JSON costs nearly as much. So the
//! skeletons of the two documents the function reads are Rust statics in `skeletons.rs`,
//! written from the generated schema by a test that also fails when they are stale; the types
//! stay the one description of every field.

/// The keyword that completes an "is required" message (`#[schemars(extend("x-hint" = ..))]`);
/// stripped from the published schema.
pub const HINT: &str = "x-hint";

/// What a schema allows, as far as reading goes. Bounds, patterns and conditions are not
/// here: `validate` checks them with better messages.
#[derive(Debug, PartialEq)]
pub struct Skeleton {
    /// The JSON types allowed (`type`), `null` left out: null always reads as "absent".
    pub types: &'static [&'static str],
    /// The allowed string values (`enum`, or `oneOf`/`anyOf` of `const` and `enum` members).
    pub choices: Option<&'static [&'static str]>,
    /// The members of `anyOf`/`oneOf` that are not `null` (when they are not `choices`).
    pub members: &'static [Skeleton],
    /// The known fields, in the schema's order (the order of "expected one of" lists).
    pub properties: &'static [(&'static str, Skeleton)],
    pub required: &'static [&'static str],
    /// What a key outside `properties` may be.
    pub additional: Additional,
    /// The schema of each element of a list.
    pub items: Option<&'static Skeleton>,
    /// The field's `x-hint`.
    pub hint: Option<&'static str>,
}

/// A schema's `additionalProperties`.
#[derive(Debug, PartialEq)]
pub enum Additional {
    /// Absent or `true`: any key, any value, taken as it is.
    Any,
    /// `false`: an unknown field.
    Forbidden,
    /// A map: every value is read with this skeleton.
    Entry(&'static Skeleton),
}

impl Skeleton {
    /// A schema that says nothing: any value.
    pub const ANY: Skeleton = Skeleton {
        types: &[],
        choices: None,
        members: &[],
        properties: &[],
        required: &[],
        additional: Additional::Any,
        items: None,
        hint: None,
    };

    /// The skeleton of the field `key`.
    pub fn property(&self, key: &str) -> Option<&'static Skeleton> {
        self.properties
            .iter()
            .find(|(k, _)| *k == key)
            .map(|(_, s)| s)
    }
}

/// Building skeletons from a generated schema, and writing them as Rust (tests only: the
/// binary carries the written statics).
#[cfg(test)]
pub mod generate {
    use serde_json::Value;

    use super::*;

    fn leak<T>(v: Vec<T>) -> &'static [T] {
        Vec::leak(v)
    }

    fn text(s: &str) -> &'static str {
        String::leak(s.to_string())
    }

    /// Where a schema keeps its definitions: `$defs` (2019-09 and later) or `definitions`
    /// (draft 7, which the function's schema is).
    const DEFINITIONS: [&str; 2] = ["$defs", "definitions"];

    /// The JSON Schema behind a `$ref` into the root's `$defs` or `definitions`, or the
    /// schema itself.
    pub fn resolve<'a>(root: &'a Value, schema: &'a Value) -> &'a Value {
        let mut s = schema;
        for _ in 0..32 {
            let Some(target) = s.get("$ref").and_then(Value::as_str).and_then(|r| {
                DEFINITIONS.iter().find_map(|defs| {
                    let name = r
                        .strip_prefix("#/")?
                        .strip_prefix(defs)?
                        .strip_prefix('/')?;
                    root.get(defs)?.get(name)
                })
            }) else {
                return s;
            };
            s = target;
        }
        s
    }

    /// The skeleton of each definition of a schema generated without inlining (a name per
    /// Rust type: `ProbeCheck`, `GatewayRef`), for naming the written consts.
    pub fn definitions(root: &Value) -> Vec<(String, Skeleton)> {
        DEFINITIONS
            .iter()
            .filter_map(|defs| root.get(defs).and_then(Value::as_object))
            .flatten()
            .map(|(name, def)| (name.clone(), skeleton(root, &merge_refs(root, def, 0))))
            .collect()
    }

    /// `schema` as the inlined schema has it: each `$ref` replaced by what it names, each `allOf` of a single `$ref` (how draft 7
    /// gives a reference keywords of its own, such as a field's description and hint)
    /// replaced by the referenced schema under those keywords, and each `anyOf` of a `$ref`
    /// and `null` (an `Option`) by the referenced schema when schemars would inline it so (a
    /// plain schema, `null` added to its types).
    fn merge_refs(root: &Value, schema: &Value, depth: usize) -> Value {
        assert!(depth < 64, "the schema is recursive or too deep");
        let is_ref = |v: &Value| {
            v.as_object()
                .is_some_and(|o| o.len() == 1 && o.contains_key("$ref"))
        };
        match schema {
            Value::Object(_) if is_ref(schema) => {
                merge_refs(root, resolve(root, schema), depth + 1)
            }
            Value::Object(m) => {
                let (key, single) = match (
                    m.get("allOf").and_then(Value::as_array).map(Vec::as_slice),
                    m.get("anyOf").and_then(Value::as_array).map(Vec::as_slice),
                ) {
                    (Some([one]), _) if is_ref(one) => ("allOf", Some(resolve(root, one))),
                    (_, Some([one, null])) if is_ref(one) && is_null_schema(null) => {
                        let target = resolve(root, one);
                        let plain = target.as_object().is_some_and(|t| {
                            !["if", "allOf", "anyOf", "oneOf", "$ref"]
                                .iter()
                                .any(|k| t.contains_key(*k))
                        });
                        ("anyOf", plain.then_some(target))
                    }
                    _ => ("", None),
                };
                let mut out = match single.map(|t| merge_refs(root, t, depth + 1)) {
                    Some(Value::Object(target)) => target,
                    _ => serde_json::Map::new(),
                };
                for (k, v) in m {
                    if !(single.is_some() && k == key) {
                        out.insert(k.clone(), merge_refs(root, v, depth + 1));
                    }
                }
                Value::Object(out)
            }
            Value::Array(items) => Value::Array(
                items
                    .iter()
                    .map(|v| merge_refs(root, v, depth + 1))
                    .collect(),
            ),
            other => other.clone(),
        }
    }

    pub fn is_null_schema(s: &Value) -> bool {
        s.get("type").and_then(Value::as_str) == Some("null")
    }

    /// `type`, `null` left out.
    pub fn types(schema: &Value) -> Vec<&str> {
        match schema.get("type") {
            Some(Value::String(t)) => vec![t.as_str()],
            Some(Value::Array(ts)) => ts.iter().filter_map(Value::as_str).collect(),
            _ => Vec::new(),
        }
        .into_iter()
        .filter(|t| *t != "null")
        .collect()
    }

    fn members(schema: &Value) -> Option<&Vec<Value>> {
        schema
            .get("anyOf")
            .or_else(|| schema.get("oneOf"))
            .and_then(Value::as_array)
    }

    /// The allowed string values of an enum schema, or `None` for another schema.
    pub fn choices<'a>(root: &'a Value, schema: &'a Value) -> Option<Vec<&'a str>> {
        if let Some(Value::Array(values)) = schema.get("enum") {
            return Some(values.iter().filter_map(Value::as_str).collect());
        }
        let mut out = Vec::new();
        for m in members(schema)? {
            let m = resolve(root, m);
            if is_null_schema(m) {
                continue;
            }
            if let Some(c) = m.get("const").and_then(Value::as_str) {
                out.push(c);
            } else if let Some(Value::Array(values)) = m.get("enum") {
                out.extend(values.iter().filter_map(Value::as_str));
            } else {
                return None;
            }
        }
        Some(out)
    }

    /// The skeleton of `schema` (a subschema of `root`). Panics on a recursive type: the
    /// function's documents have none, and a static cannot hold one.
    pub fn skeleton(root: &Value, schema: &Value) -> Skeleton {
        build(root, schema, 0)
    }

    fn build(root: &Value, schema: &Value, depth: usize) -> Skeleton {
        assert!(depth < 64, "the schema is recursive or too deep");
        let s = resolve(root, schema);
        let sub = |v: &Value| build(root, v, depth + 1);
        if let Some(choices) = choices(root, s) {
            return Skeleton {
                choices: Some(leak(choices.into_iter().map(text).collect())),
                hint: s.get(HINT).and_then(Value::as_str).map(text),
                ..Skeleton::ANY
            };
        }
        let properties = match s.get("properties") {
            Some(Value::Object(p)) => p.iter().map(|(k, v)| (text(k), sub(v))).collect(),
            _ => Vec::new(),
        };
        let required = match s.get("required") {
            Some(Value::Array(r)) => r.iter().filter_map(Value::as_str).map(text).collect(),
            _ => Vec::new(),
        };
        let additional = match s.get("additionalProperties") {
            Some(Value::Bool(false)) => Additional::Forbidden,
            Some(entry @ Value::Object(_)) => Additional::Entry(Box::leak(Box::new(sub(entry)))),
            _ => Additional::Any,
        };
        let items = match s.get("items") {
            Some(item @ Value::Object(_)) => Some(&*Box::leak(Box::new(sub(item)))),
            Some(_) => Some(&*Box::leak(Box::new(Skeleton::ANY))),
            None => None,
        };
        let members = members(s).map_or_else(Vec::new, |ms| {
            ms.iter().filter(|m| !is_null_schema(m)).map(sub).collect()
        });
        Skeleton {
            types: leak(types(s).into_iter().map(text).collect()),
            choices: None,
            members: leak(members),
            properties: leak(properties),
            required: leak(required),
            additional,
            items,
            hint: s.get(HINT).and_then(Value::as_str).map(text),
        }
    }

    /// The Rust source of `statics` (name, skeleton): `pub static` items, with every subtree
    /// of six lines or more that occurs more than once written once, as a `const` named after
    /// the type it describes: the definition in `types` (type name, skeleton) it equals
    /// (`PROBE_CHECK`), or a list, map or nullable one of such a definition
    /// (`PORT_SPEC_MAP`, `PROBE_KIND_OR_NULL`); a subtree no type describes keeps the name of
    /// the first field it is found at.
    pub fn module(statics: &[(&str, &Skeleton)], types: &[(String, Skeleton)]) -> String {
        let mut w = Writer::default();
        for (name, s) in types {
            w.types
                .entry(Writer::plain(s))
                .or_insert_with(|| name.clone());
        }
        for (_, s) in statics {
            w.count(s);
        }
        w.dedupe = true;
        let items: Vec<String> = statics
            .iter()
            .map(|(name, s)| format!("pub static {name}: Skeleton = {};\n", w.render(s, 0, name)))
            .collect();
        let consts: Vec<String> = w.consts.iter().map(|c| format!("\n{c}")).collect();
        format!("{}\n{}", items.join("\n"), consts.concat())
    }

    #[derive(Default)]
    struct Writer {
        /// How often each subtree occurs, by its plain rendering.
        counts: std::collections::HashMap<String, usize>,
        /// The const written for a subtree, by its plain rendering.
        names: std::collections::HashMap<String, String>,
        consts: Vec<String>,
        dedupe: bool,
        /// The type a subtree describes, by its plain rendering.
        types: std::collections::HashMap<String, String>,
    }

    fn children(s: &Skeleton) -> impl Iterator<Item = &Skeleton> {
        let entry = match s.additional {
            Additional::Entry(e) => Some(e),
            _ => None,
        };
        s.members
            .iter()
            .chain(s.properties.iter().map(|(_, v)| v))
            .chain(entry)
            .chain(s.items)
    }

    /// `secretEnv` -> `SECRET_ENV`.
    pub fn const_name(hint: &str) -> String {
        let mut out = String::new();
        for c in hint.chars() {
            if c.is_ascii_uppercase() && !out.is_empty() && !out.ends_with('_') {
                out.push('_');
            }
            out.push(if c.is_ascii_alphanumeric() {
                c.to_ascii_uppercase()
            } else {
                '_'
            });
        }
        out
    }

    impl Writer {
        fn plain(s: &Skeleton) -> String {
            Writer::default().render(s, 0, "")
        }

        /// The name of the type `s` describes: a definition, or a list, map or nullable
        /// one of a definition.
        fn type_name(&self, s: &Skeleton) -> Option<String> {
            if let Some(name) = self.types.get(&Writer::plain(s)) {
                return Some(const_name(name));
            }
            if s.hint.is_some() {
                // A type with the hint of the field that holds it.
                let bare = Skeleton {
                    additional: match s.additional {
                        Additional::Any => Additional::Any,
                        Additional::Forbidden => Additional::Forbidden,
                        Additional::Entry(e) => Additional::Entry(e),
                    },
                    hint: None,
                    ..*s
                };
                return self.type_name(&bare).map(|name| format!("{name}_HINTED"));
            }
            let only = |t: &[&str]| s.types == t && s.choices.is_none();
            let wrapped = match (s.members, s.properties, &s.additional, s.items) {
                ([], [], Additional::Any, Some(item)) if only(&["array"]) => (item, "LIST"),
                ([], [], Additional::Entry(entry), None) if only(&["object"]) => (*entry, "MAP"),
                ([member], [], Additional::Any, None) if only(&[]) => (member, "OR_NULL"),
                _ => return None,
            };
            let inner = self.type_name(wrapped.0)?;
            Some(format!("{inner}_{}", wrapped.1))
        }

        fn count(&mut self, s: &Skeleton) {
            *self.counts.entry(Writer::plain(s)).or_default() += 1;
            children(s).for_each(|c| self.count(c));
        }

        /// A subtree in place, or the name of its const.
        fn node(&mut self, s: &Skeleton, indent: usize, hint: &str) -> String {
            if !self.dedupe {
                return self.render(s, indent, hint);
            }
            let plain = Writer::plain(s);
            let repeated = self.counts.get(&plain).copied().unwrap_or(0) > 1;
            if !repeated || plain.lines().count() < 6 {
                return self.render(s, indent, hint);
            }
            if let Some(name) = self.names.get(&plain) {
                return name.clone();
            }
            let base = self.type_name(s).unwrap_or_else(|| const_name(hint));
            let taken = |n: &String| self.names.values().any(|v| v == n);
            let name = (1..)
                .map(|i| {
                    if i == 1 {
                        base.clone()
                    } else {
                        format!("{base}_{i}")
                    }
                })
                .find(|n| !taken(n))
                .unwrap_or(base);
            self.names.insert(plain, name.clone());
            let body = self.render(s, 0, hint);
            self.consts
                .push(format!("const {name}: Skeleton = {body};\n"));
            name
        }

        /// `s` as a Rust expression starting at a line indented by `indent` levels.
        fn render(&mut self, s: &Skeleton, indent: usize, hint: &str) -> String {
            let pad = |n: usize| "    ".repeat(n);
            let strs = |v: &[&str]| {
                let items: Vec<String> = v.iter().map(|t| format!("{t:?}")).collect();
                format!("&[{}]", items.join(", "))
            };
            let list = |entries: Vec<String>| {
                let lines: Vec<String> = entries
                    .iter()
                    .map(|e| format!("{}{e},\n", pad(indent + 2)))
                    .collect();
                format!("&[\n{}{}]", lines.concat(), pad(indent + 1))
            };
            let mut fields = Vec::new();
            if !s.types.is_empty() {
                fields.push(format!("types: {}", strs(s.types)));
            }
            if let Some(c) = s.choices {
                fields.push(format!("choices: Some({})", strs(c)));
            }
            if !s.members.is_empty() {
                let hint = format!("{hint}_form");
                let ms = s
                    .members
                    .iter()
                    .map(|m| self.node(m, indent + 2, &hint))
                    .collect();
                fields.push(format!("members: {}", list(ms)));
            }
            if !s.properties.is_empty() {
                let ps = s
                    .properties
                    .iter()
                    .map(|(k, v)| format!("({k:?}, {})", self.node(v, indent + 2, k)))
                    .collect();
                fields.push(format!("properties: {}", list(ps)));
            }
            if !s.required.is_empty() {
                fields.push(format!("required: {}", strs(s.required)));
            }
            match s.additional {
                Additional::Any => {}
                Additional::Forbidden => fields.push("additional: Additional::Forbidden".into()),
                Additional::Entry(e) => {
                    let e = self.node(e, indent + 1, &format!("{hint}_value"));
                    fields.push(format!("additional: Additional::Entry(&{e})"))
                }
            }
            if let Some(i) = s.items {
                let i = self.node(i, indent + 1, &format!("{hint}_item"));
                fields.push(format!("items: Some(&{i})"));
            }
            if let Some(h) = s.hint {
                fields.push(format!("hint: Some({h:?})"));
            }
            if fields.is_empty() {
                return "Skeleton::ANY".into();
            }
            let one_line = format!("Skeleton {{ {}, ..Skeleton::ANY }}", fields.join(", "));
            if !one_line.contains('\n') && one_line.len() <= 72 {
                return one_line;
            }
            let body: Vec<String> = fields
                .iter()
                .map(|f| format!("{}{f},\n", pad(indent + 1)))
                .collect();
            format!(
                "Skeleton {{\n{}{}..Skeleton::ANY\n{}}}",
                body.concat(),
                pad(indent + 1),
                pad(indent)
            )
        }
    }
}

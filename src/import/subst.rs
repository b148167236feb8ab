//! Text substitutions in a release before it is read: Helm's `{{ .Release.Name }}` (what
//! app-template resolves with `tpl`) and Flux's `${VAR}` from `--set`, on string values only
//! (never on YAML text, so no value can change the structure).

use std::collections::BTreeMap;

use serde_json::Value;

/// How deep `${...}` may nest in one string. Flux's `${A:-${B:-x}}` is 2 and real releases
/// use 1 or 2; deeper nesting costs work and stack for each level, so a value that goes
/// past this is refused ([`check`]) rather than expanded.
pub const MAX_NESTING: usize = 8;

/// A value whose Flux variables nest deeper than [`MAX_NESTING`].
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error(
    "{path}: Flux variables nested more than {max} deep (`${{A:-${{B:-...}}}}`); import reads at most {max} levels",
    max = MAX_NESTING
)]
pub struct TooDeep {
    /// The value's path below the values (`.ingress.app.hosts[0].host`).
    pub path: String,
}

/// Checks every string (and mapping key) of `value` before anything is substituted: no
/// `${` nested deeper than [`MAX_NESTING`]. Linear in the text.
pub fn check(value: &Value) -> Result<(), TooDeep> {
    fn walk(value: &Value, path: &mut String) -> Result<(), TooDeep> {
        let too_deep = |path: &str| TooDeep {
            path: path.to_string(),
        };
        match value {
            Value::String(s) if nesting(s) > MAX_NESTING => Err(too_deep(path)),
            Value::Array(items) => {
                for (i, item) in items.iter().enumerate() {
                    let len = path.len();
                    path.push_str(&format!("[{i}]"));
                    walk(item, path)?;
                    path.truncate(len);
                }
                Ok(())
            }
            Value::Object(map) => {
                for (k, v) in map {
                    let len = path.len();
                    path.push('.');
                    path.push_str(k);
                    if nesting(k) > MAX_NESTING {
                        return Err(too_deep(path));
                    }
                    walk(v, path)?;
                    path.truncate(len);
                }
                Ok(())
            }
            _ => Ok(()),
        }
    }
    walk(value, &mut String::new())
}

/// The deepest nesting of `${` in `s` (unclosed ones count), as [`matching_brace`] pairs them.
fn nesting(s: &str) -> usize {
    let bytes = s.as_bytes();
    let (mut depth, mut deepest, mut i) = (0usize, 0usize, 0usize);
    while i < bytes.len() {
        match bytes[i] {
            b'$' if bytes.get(i + 1) == Some(&b'{') => {
                depth += 1;
                deepest = deepest.max(depth);
                i += 1;
            }
            b'}' if depth > 0 => depth -= 1,
            _ => {}
        }
        i += 1;
    }
    deepest
}

/// What the release's templates may refer to.
#[derive(Clone, Debug, Default)]
pub struct Context {
    pub release_name: String,
    pub release_namespace: Option<String>,
    /// `--set VAR=value`.
    pub vars: BTreeMap<String, String>,
}

/// Applies the substitutions to every string (and mapping key) of `value`.
pub fn apply(value: &Value, cx: &Context) -> Value {
    match value {
        Value::String(s) => Value::String(text(s, cx)),
        Value::Array(items) => Value::Array(items.iter().map(|i| apply(i, cx)).collect()),
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| (text(k, cx), apply(v, cx)))
                .collect(),
        ),
        other => other.clone(),
    }
}

/// One string: Helm release references, then the `--set` Flux variables. An unset
/// variable stays as written, its default too: Flux may still set it where the AppSpec is
/// applied.
pub fn text(s: &str, cx: &Context) -> String {
    flux(&helm(s, cx), &cx.vars, false, 0)
}

/// A string with the defaults of its unset variables applied (`${VAR:-default}` becomes
/// `default`), for a value that must be real; variables without a default stay.
pub fn with_defaults(s: &str) -> String {
    flux(s, &BTreeMap::new(), true, 0)
}

/// Replaces `{{ .Release.Name }}` (also `$.Release.Name`, any spacing, `{{-`), the chart's
/// fullname helper (the release name, as app-template names its objects), and
/// `.Release.Namespace` when known. Other templates are left for the caller to refuse.
fn helm(s: &str, cx: &Context) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(start) = rest.find("{{") {
        let Some(len) = rest[start..].find("}}") else {
            break;
        };
        let inner = rest[start + 2..start + len]
            .trim_start_matches('-')
            .trim_end_matches('-')
            .trim();
        let replacement = match inner {
            ".Release.Name" | "$.Release.Name" => Some(cx.release_name.as_str()),
            ".Release.Namespace" | "$.Release.Namespace" => cx.release_namespace.as_deref(),
            _ if inner.starts_with("include \"bjw-s.common.lib.chart.names.fullname\"") => {
                Some(cx.release_name.as_str())
            }
            _ => None,
        };
        out.push_str(&rest[..start]);
        match replacement {
            Some(r) => out.push_str(r),
            None => out.push_str(&rest[start..start + len + 2]),
        }
        rest = &rest[start + len + 2..];
    }
    out.push_str(rest);
    out
}

/// Replaces `${VAR}` with a `--set` value; with `defaults`, `${VAR:-default}` /
/// `${VAR:=default}` of an unset variable become the default (itself substituted), as Flux
/// does. Anything else is kept as written, and so is a default nested deeper than
/// [`MAX_NESTING`] (refused before by [`check`]; kept here so no input recurses without end).
fn flux(s: &str, vars: &BTreeMap<String, String>, defaults: bool, depth: usize) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(start) = rest.find("${") {
        out.push_str(&rest[..start]);
        let body = &rest[start + 2..];
        let Some(end) = matching_brace(body) else {
            out.push_str(&rest[start..]);
            return out;
        };
        let inner = &body[..end];
        let (name, default) = match inner.find(":-").or_else(|| inner.find(":=")) {
            Some(i) => (&inner[..i], Some(&inner[i + 2..])),
            None => (inner, None),
        };
        match (vars.get(name), default) {
            (Some(v), _) if is_var_name(name) => out.push_str(v),
            (None, Some(d)) if defaults && is_var_name(name) && depth < MAX_NESTING => {
                out.push_str(&flux(d, vars, defaults, depth + 1))
            }
            _ => out.push_str(&rest[start..start + 2 + end + 1]),
        }
        rest = &body[end + 1..];
    }
    out.push_str(rest);
    out
}

/// The index of the `}` closing a `${`, nested `${...}` allowed.
fn matching_brace(body: &str) -> Option<usize> {
    let mut depth = 0usize;
    let bytes = body.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'$' if bytes.get(i + 1) == Some(&b'{') => {
                depth += 1;
                i += 1;
            }
            b'}' if depth == 0 => return Some(i),
            b'}' => depth -= 1,
            _ => {}
        }
        i += 1;
    }
    None
}

pub fn is_var_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// The Flux variables (`${NAME}`, defaults included) a string still refers to.
pub fn flux_vars(s: &str) -> Vec<String> {
    flux_vars_in(s, 0)
}

fn flux_vars_in(s: &str, depth: usize) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = s;
    while let Some(start) = rest.find("${") {
        let body = &rest[start + 2..];
        let end = matching_brace(body).unwrap_or(body.len());
        let inner = &body[..end];
        let name = inner.split([':', '}']).next().unwrap_or("");
        if is_var_name(name) && !out.iter().any(|n| n == name) {
            out.push(name.to_string());
        }
        if let Some(i) = inner.find("${").filter(|_| depth < MAX_NESTING) {
            out.extend(
                flux_vars_in(&inner[i..], depth + 1)
                    .into_iter()
                    .filter(|n| !out.contains(n))
                    .collect::<Vec<_>>(),
            );
        }
        rest = body.get(end + 1..).unwrap_or("");
    }
    out
}

/// Whether a string still holds a Helm template that was not resolved.
pub fn has_template(s: &str) -> bool {
    s.contains("{{")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cx() -> Context {
        Context {
            release_name: "sonarr".into(),
            release_namespace: Some("media".into()),
            vars: [("SECRET_DOMAIN".to_string(), "example.com".to_string())]
                .into_iter()
                .collect(),
        }
    }

    #[test]
    fn helm_release_references() {
        let table = [
            ("{{ .Release.Name }}", "sonarr"),
            ("{{.Release.Name}}-secret", "sonarr-secret"),
            ("{{- $.Release.Name -}}.x", "sonarr.x"),
            ("{{ .Release.Namespace }}", "media"),
            (
                "{{ include \"bjw-s.common.lib.chart.names.fullname\" $ }}-config",
                "sonarr-config",
            ),
            ("{{ .Values.x }}", "{{ .Values.x }}"),
            ("open {{ brace", "open {{ brace"),
        ];
        for (input, want) in table {
            assert_eq!(text(input, &cx()), want, "{input}");
        }
    }

    #[test]
    fn flux_variables() {
        let table = [
            ("{{ .Release.Name }}.${SECRET_DOMAIN}", "sonarr.example.com"),
            ("${UNSET}", "${UNSET}"),
            ("${UNSET:-fallback}", "${UNSET:-fallback}"),
            ("${UNSET:=x}.${SECRET_DOMAIN}", "${UNSET:=x}.example.com"),
            ("$${NOT}", "$${NOT}"),
            ("${broken", "${broken"),
            ("${not-a-name}", "${not-a-name}"),
        ];
        for (input, want) in table {
            assert_eq!(text(input, &cx()), want, "{input}");
        }
    }

    #[test]
    fn defaults_for_values_that_must_be_real() {
        let table = [
            ("${UNSET:-fallback}", "fallback"),
            ("${UNSET:=x}.example.com", "x.example.com"),
            ("${APP_SUB:-${UNSET2}}.d", "${UNSET2}.d"),
            ("${APP_SUB:-${APP:-sonarr}}.d", "sonarr.d"),
            ("${UNSET}", "${UNSET}"),
        ];
        for (input, want) in table {
            assert_eq!(with_defaults(input), want, "{input}");
        }
    }

    #[test]
    fn nesting_is_bounded() {
        let nested = |n: usize| format!("{}x{}", "${A:-".repeat(n), "}".repeat(n));
        assert_eq!(nesting(&nested(MAX_NESTING)), MAX_NESTING);
        assert_eq!(nesting("${A}${B}${C:-${D}}"), 2);
        assert_eq!(nesting("}}${${${"), 3);
        assert_eq!(
            check(&serde_json::json!({"a": [nested(MAX_NESTING)]})),
            Ok(())
        );
        assert_eq!(
            check(&serde_json::json!({"a": {"b": ["ok", nested(MAX_NESTING + 1)]}})),
            Err(TooDeep {
                path: ".a.b[1]".into()
            })
        );
        assert_eq!(
            check(&serde_json::json!({"a": {nested(9): 1}}))
                .unwrap_err()
                .path,
            format!(".a.{}", nested(9))
        );
        // Past the bound the functions stop expanding instead of recursing on.
        let deep = nested(100_000);
        assert_eq!(
            with_defaults(&deep).len(),
            deep.len() - 5 * MAX_NESTING - MAX_NESTING
        );
        assert_eq!(flux_vars(&deep), ["A"]);
        assert_eq!(with_defaults(&nested(3)), "x");
    }

    #[test]
    fn variables_left() {
        assert_eq!(flux_vars("a.${X}.${Y:-z}.${X}"), ["X", "Y"]);
        assert_eq!(flux_vars("${A:-${B}}"), ["A", "B"]);
        assert!(flux_vars("plain").is_empty());
    }
}

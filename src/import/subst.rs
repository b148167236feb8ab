//! Text substitutions in a release before it is read: Helm's `{{ .Release.Name }}` (what
//! app-template resolves with `tpl`) and Flux's `${VAR}` from `--set`, on string values only
//! (never on YAML text, so no value can change the structure).

use std::collections::BTreeMap;

use serde_json::Value;

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
    flux(&helm(s, cx), &cx.vars, false)
}

/// A string with the defaults of its unset variables applied (`${VAR:-default}` becomes
/// `default`), for a value that must be real; variables without a default stay.
pub fn with_defaults(s: &str) -> String {
    flux(s, &BTreeMap::new(), true)
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
/// does. Anything else is kept as written.
fn flux(s: &str, vars: &BTreeMap<String, String>, defaults: bool) -> String {
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
            (None, Some(d)) if defaults && is_var_name(name) => {
                out.push_str(&flux(d, vars, defaults))
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
        if let Some(i) = inner.find("${") {
            out.extend(
                flux_vars(&inner[i..])
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
    fn variables_left() {
        assert_eq!(flux_vars("a.${X}.${Y:-z}.${X}"), ["X", "Y"]);
        assert_eq!(flux_vars("${A:-${B}}"), ["A", "B"]);
        assert!(flux_vars("plain").is_empty());
    }
}

//! Resources that look like ours but are not (a typo'd kind or API group): refused with a
//! "did you mean", never passed through silently.

use serde_json::Value;

use crate::input::diagnostic::Issue;
use crate::input::source;
use crate::{model::platform, model::spec};

/// Our API group.
pub const GROUP: &str = "platform.hypyr.space";

/// The kinds of our group.
const KINDS: [&str; 2] = [spec::KIND, platform::KIND];

use crate::input::typo::{NEAR, distance};

/// Our kind closest to `kind`, when `kind` is not ours but within a typo of one.
fn near_kind(kind: &str) -> Option<&'static str> {
    KINDS
        .iter()
        .map(|k| (distance(k, kind), *k))
        .filter(|(d, _)| *d <= NEAR)
        .min()
        .map(|(_, k)| k)
}

/// Whether an API group that is not ours reads as a typo of it: case differences, a
/// misspelling, the `platform.` prefix left out (and maybe misspelled), or no group at all
/// (the core group has none of our kinds).
fn near_group(group: &str) -> bool {
    group.is_empty() || distance(group, GROUP) <= NEAR || distance(group, "hypyr.space") <= NEAR
}

/// The problem with a resource that looks like ours but is not, if it is one: an unknown
/// kind of our group (any version), or one of our kinds (or a near miss of one) in a group
/// that is a near miss of ours. Our own kinds of our group are `None` (the engine checks
/// their version); a foreign resource is `None` and passes through untouched.
pub fn check(v: &Value) -> Option<Issue> {
    let kind = source::kind(v)?;
    let api_version = source::api_version(v).unwrap_or("");
    let group = api_version.rsplit_once('/').map_or("", |(g, _)| g);
    let ours = KINDS.contains(&kind);
    let suggestion = |kind_wanted: &str| {
        if kind_wanted == kind {
            format!("apiVersion {}", crate::API_VERSION)
        } else if api_version == crate::API_VERSION {
            format!("kind {kind_wanted}")
        } else {
            format!("apiVersion {}, kind {kind_wanted}", crate::API_VERSION)
        }
    };
    if group == GROUP {
        if ours {
            return None;
        }
        let message = match near_kind(kind) {
            Some(k) => format!(
                "unknown kind \"{kind}\" of {GROUP}; did you mean {}?",
                suggestion(k)
            ),
            None => format!(
                "unknown kind \"{kind}\" of {GROUP}; its kinds are {} and {}",
                KINDS[0], KINDS[1]
            ),
        };
        return Some(Issue::error("kind", message));
    }
    if !near_group(group) {
        return None;
    }
    let wanted = if ours { Some(kind) } else { near_kind(kind) }?;
    let shown = match v.get("apiVersion") {
        Some(Value::String(a)) if !a.is_empty() => format!("apiVersion \"{a}\""),
        None | Some(Value::Null | Value::String(_)) => "a missing apiVersion".to_string(),
        Some(_) => "an apiVersion that is not a string".to_string(),
    };
    let message = if ours {
        format!(
            "{shown} is not the API of {kind}; did you mean {}?",
            suggestion(wanted)
        )
    } else {
        format!(
            "{shown} with kind \"{kind}\" looks like a misspelt {wanted}; did you mean {}?",
            suggestion(wanted)
        )
    };
    Some(Issue::error("apiVersion", message))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn issue(api_version: &str, kind: &str) -> Option<String> {
        let v =
            serde_json::json!({"apiVersion": api_version, "kind": kind, "metadata": {"name": "x"}});
        check(&v).map(|i| format!("{}: {}", i.path, i.message))
    }

    #[test]
    fn an_api_version_that_is_not_a_string() {
        let v = serde_json::json!({"apiVersion": 1, "kind": "AppSpec"});
        assert_eq!(
            check(&v).map(|i| i.message).as_deref(),
            Some(
                "an apiVersion that is not a string is not the API of AppSpec; did you mean apiVersion platform.hypyr.space/v1alpha1?"
            )
        );
    }

    #[test]
    fn distances() {
        for (a, b, d) in [
            ("AppSpec", "AppSpec", 0),
            ("AppSpec", "appspec", 0),
            ("AppSpec", "AppSpecs", 1),
            ("AppSpec", "AppSepc", 1),
            ("AppSpec", "ApSpc", 2),
            ("AppSpec", "App", 3),
            ("AppSpec", &"x".repeat(10_000), 3),
            ("platform.hypyr.space", "platfrom.hypyr.space", 1),
            ("platform.hypyr.space", "hypyr.space", 3),
        ] {
            assert_eq!(distance(a, b), d, "{a} {b}");
        }
    }

    #[test]
    fn near_misses_are_refused_and_foreign_kinds_pass() {
        let api = crate::API_VERSION;
        for (api_version, kind, expected) in [
            (api, "AppSpec", None),
            (api, "PlatformConfig", None),
            // The engine judges the version of our own kinds.
            ("platform.hypyr.space/v1beta1", "AppSpec", None),
            (
                api,
                "Appspec",
                Some(
                    "kind: unknown kind \"Appspec\" of platform.hypyr.space; did you mean kind AppSpec?",
                ),
            ),
            (
                "platform.hypyr.space/v1beta1",
                "PlatformConfigs",
                Some(
                    "kind: unknown kind \"PlatformConfigs\" of platform.hypyr.space; did you mean apiVersion platform.hypyr.space/v1alpha1, kind PlatformConfig?",
                ),
            ),
            (
                "platform.hypyr.space/v2",
                "Widget",
                Some(
                    "kind: unknown kind \"Widget\" of platform.hypyr.space; its kinds are AppSpec and PlatformConfig",
                ),
            ),
            (
                "hypyr.space/v1alpha1",
                "AppSpec",
                Some(
                    "apiVersion: apiVersion \"hypyr.space/v1alpha1\" is not the API of AppSpec; did you mean apiVersion platform.hypyr.space/v1alpha1?",
                ),
            ),
            (
                "Platform.Hypyr.Space/v1alpha1",
                "AppSpec",
                Some(
                    "apiVersion: apiVersion \"Platform.Hypyr.Space/v1alpha1\" is not the API of AppSpec; did you mean apiVersion platform.hypyr.space/v1alpha1?",
                ),
            ),
            (
                "platfrom.hypyr.space/v1alpha1",
                "AppSepc",
                Some(
                    "apiVersion: apiVersion \"platfrom.hypyr.space/v1alpha1\" with kind \"AppSepc\" looks like a misspelt AppSpec; did you mean apiVersion platform.hypyr.space/v1alpha1, kind AppSpec?",
                ),
            ),
            (
                "",
                "AppSpec",
                Some(
                    "apiVersion: a missing apiVersion is not the API of AppSpec; did you mean apiVersion platform.hypyr.space/v1alpha1?",
                ),
            ),
            (
                "1",
                "AppSpec",
                Some(
                    "apiVersion: apiVersion \"1\" is not the API of AppSpec; did you mean apiVersion platform.hypyr.space/v1alpha1?",
                ),
            ),
            // Foreign resources pass, even with a kind close to ours.
            ("apps.example.com/v1", "AppSpec", None),
            ("argoproj.io/v1alpha1", "Application", None),
            ("apps.example.com/v1", "Appspec", None),
            ("hypyr.space/v1", "Widget", None),
            ("backup.hypyr.space/v1", "Snapshot", None),
            ("v1", "ConfigMap", None),
        ] {
            assert_eq!(
                issue(api_version, kind).as_deref(),
                expected,
                "{api_version} {kind}"
            );
        }
    }
}

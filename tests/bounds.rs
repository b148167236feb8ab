//! Each bound of `model::bounds` is one fact: the published schema states it and the rule in
//! `validate` checks it, so a value at the bound is accepted and one past it refused at its
//! field; and no schemars attribute under `src/model` writes a bound as a bare number.

use appspec::input::source::Item;
use appspec::model::bounds::*;
use serde_json::{Value, json};

/// The errors of one AppSpec whose `spec` is `spec` (under the built-in platform).
fn errors(spec: Value) -> Vec<(String, String)> {
    let app = json!({
        "apiVersion": "platform.hypyr.space/v1alpha1",
        "kind": "AppSpec",
        "metadata": {"name": "web", "namespace": "apps"},
        "spec": spec,
    });
    appspec::engine::run(vec![Item::new(app, Some("app.yaml".into()))], None)
        .diagnostics
        .into_iter()
        .filter(|d| d.is_error())
        .map(|d| (d.issue.path, d.issue.message))
        .collect()
}

/// `spec` with `field` (a dotted path under spec) set to `value`.
fn with(base: &Value, field: &str, value: Value) -> Value {
    let mut spec = base.clone();
    let mut at = &mut spec;
    let parts: Vec<&str> = field.split('.').collect();
    for p in &parts[..parts.len() - 1] {
        at = at
            .as_object_mut()
            .unwrap()
            .entry(p.to_string())
            .or_insert_with(|| json!({}));
    }
    at[parts[parts.len() - 1]] = value;
    spec
}

/// A host of `len` characters under the built-in platform's internal domain.
fn host(len: usize) -> String {
    let suffix = ".in.hypyr.space";
    let mut labels = Vec::new();
    let mut left = len - suffix.len();
    while left > 0 {
        let n = left.min(DNS_LABEL_MAX_LEN);
        labels.push("a".repeat(n));
        left = left.saturating_sub(n + 1);
    }
    let h = format!("{}{suffix}", labels.join("."));
    assert_eq!(h.len(), len);
    h
}

#[test]
fn each_bound_is_published_and_checked_at_its_field() {
    let base = json!({"image": "ghcr.io/x/web:1.0.0"});
    let backup = json!({
        "image": "ghcr.io/x/web:1.0.0",
        "runAs": 1000,
        "storage": {"pattern": "longhorn-persistent", "size": 1},
        "backup": {"strategy": "volsync-snapshots"},
    });
    let schema = appspec::commands::schema::appspec();
    let props = "/properties/spec/properties";
    // (spec, field under spec, value at the bound, value past it, schema keyword, bound)
    let cases: Vec<(&Value, &str, Value, Value, String, i64)> = vec![
        (
            &base,
            "port",
            json!(PORT_MAX),
            json!(PORT_MAX + 1),
            format!("{props}/port/maximum"),
            PORT_MAX,
        ),
        (
            &base,
            "port",
            json!(PORT_MIN),
            json!(PORT_MIN - 1),
            format!("{props}/port/minimum"),
            PORT_MIN,
        ),
        (
            &base,
            "ports.metrics",
            json!(PORT_MAX),
            json!(PORT_MAX + 1),
            String::new(),
            PORT_MAX,
        ),
        (
            &backup,
            "backup.retentionDays",
            json!(RETENTION_DAYS_MAX),
            json!(RETENTION_DAYS_MAX + 1),
            format!("{props}/backup/properties/retentionDays/maximum"),
            RETENTION_DAYS_MAX,
        ),
        (
            &backup,
            "backup.retentionDays",
            json!(RETENTION_DAYS_MIN),
            json!(RETENTION_DAYS_MIN - 1),
            format!("{props}/backup/properties/retentionDays/minimum"),
            RETENTION_DAYS_MIN,
        ),
        (
            &backup,
            "storage.size",
            json!(SIZE_GIB_MAX),
            json!(SIZE_GIB_MAX + 1),
            format!("{props}/storage/properties/size/maximum"),
            SIZE_GIB_MAX,
        ),
        (
            &base,
            "pod.terminationGracePeriodSeconds",
            json!(GRACE_PERIOD_SECONDS_MAX),
            json!(GRACE_PERIOD_SECONDS_MAX + 1),
            format!("{props}/pod/properties/terminationGracePeriodSeconds/maximum"),
            GRACE_PERIOD_SECONDS_MAX,
        ),
        (
            &base,
            "probes.readiness.periodSeconds",
            json!(PROBE_TIMING_MIN),
            json!(PROBE_TIMING_MIN - 1),
            String::new(),
            PROBE_TIMING_MIN,
        ),
        (
            &base,
            "probes.readiness.initialDelaySeconds",
            json!(PROBE_DELAY_MIN),
            json!(PROBE_DELAY_MIN - 1),
            String::new(),
            PROBE_DELAY_MIN,
        ),
        (
            &base,
            "probes.readiness.timeoutSeconds",
            json!(INT32_MAX),
            json!(INT32_MAX + 1),
            String::new(),
            INT32_MAX,
        ),
        (
            &base,
            "runAs",
            json!(INT32_MAX),
            json!(INT32_MAX + 1),
            String::new(),
            INT32_MAX,
        ),
        (
            &base,
            "ingress.host",
            json!(host(DNS_NAME_MAX_LEN)),
            json!(host(DNS_NAME_MAX_LEN + 1)),
            format!("{props}/ingress/properties/host/maxLength"),
            DNS_NAME_MAX_LEN as i64,
        ),
        (
            &base,
            "pod.dnsConfig.searches",
            json!(vec!["a.lan"; MAX_SEARCHES]),
            json!(vec!["a.lan"; MAX_SEARCHES + 1]),
            format!("{props}/pod/properties/dnsConfig/properties/searches/maxItems"),
            MAX_SEARCHES as i64,
        ),
    ];
    for (spec, field, ok, past, keyword, bound) in cases {
        let path = format!("spec.{field}");
        let accepted = errors(with(spec, field, ok.clone()));
        assert!(
            !accepted.iter().any(|(p, _)| *p == path),
            "{path} = {ok}: {accepted:?}"
        );
        let refused = errors(with(spec, field, past.clone()));
        let said = refused.iter().find(|(p, _)| *p == path);
        assert!(
            said.is_some_and(|(_, m)| m.contains(&bound.to_string())),
            "{path} = {past} must be refused naming {bound}: {refused:?}"
        );
        if !keyword.is_empty() {
            assert_eq!(schema.pointer(&keyword), Some(&json!(bound)), "{keyword}");
        }
    }
}

/// A bound in a schemars attribute is a named const (of `model::bounds`, or a list's
/// `spec::MAX_*`), never a number the rule in validate could write again differently;
/// `min = 0` and `min = 1` (non-empty) are plain.
#[test]
fn schemars_attributes_name_their_bounds() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/model");
    let mut found = Vec::new();
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let text = std::fs::read_to_string(&path).unwrap();
        for (i, attr) in text.split("#[schemars(").enumerate().skip(1) {
            let attr = &attr[..attr.find(")]").unwrap_or(attr.len())];
            for key in ["min = ", "max = "] {
                for (at, _) in attr.match_indices(key) {
                    let value: String = attr[at + key.len()..]
                        .chars()
                        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                        .collect();
                    let plain = key == "min = " && (value == "0" || value == "1");
                    if value.starts_with(|c: char| c.is_ascii_digit()) && !plain {
                        found.push(format!("{} attribute {i}: {key}{value}", path.display()));
                    }
                }
            }
        }
    }
    assert!(found.is_empty(), "bounds written as numbers: {found:#?}");
}

//! Rules of `pod.affinity` (Kubernetes' checks): label keys and values, operators with the
//! values they take, weights 1..100, topology keys, namespaces.

use super::{dns, labels};
use crate::input::diagnostic::Issue;
use crate::model::affinity::{
    Affinity, LabelSelector, NodeOperator, NodeSelectorTerm, PodAffinity, PodAffinityTerm,
};
use crate::model::bounds::{WEIGHT_MAX, WEIGHT_MIN};

/// Checks `pod.affinity` at `at` (e.g. `spec.pod.affinity`).
pub fn check(out: &mut Vec<Issue>, at: &str, a: &Affinity) {
    if a.node_affinity.is_none() && a.pod_affinity.is_none() && a.pod_anti_affinity.is_none() {
        out.push(Issue::error(
            at,
            "sets nothing: give nodeAffinity, podAffinity or podAntiAffinity",
        ));
    }
    if let Some(n) = &a.node_affinity {
        let at = format!("{at}.nodeAffinity");
        if n.required.is_none() && n.preferred.is_empty() {
            out.push(Issue::error(
                &at,
                format!("sets no term: give {REQUIRED} or {PREFERRED}"),
            ));
        }
        if let Some(sel) = &n.required {
            let here = format!("{at}.{REQUIRED}.nodeSelectorTerms");
            if sel.node_selector_terms.is_empty() {
                out.push(Issue::error(
                    &here,
                    "needs at least one term (a list of {matchExpressions: [...]})",
                ));
            }
            for (i, t) in sel.node_selector_terms.iter().enumerate() {
                node_term(out, &format!("{here}[{i}]"), t);
            }
        }
        for (i, p) in n.preferred.iter().enumerate() {
            let here = format!("{at}.{PREFERRED}[{i}]");
            weight(out, &here, p.weight);
            node_term(out, &format!("{here}.preference"), &p.preference);
        }
    }
    for (field, p) in [
        ("podAffinity", &a.pod_affinity),
        ("podAntiAffinity", &a.pod_anti_affinity),
    ] {
        if let Some(p) = p {
            pod_affinity(out, &format!("{at}.{field}"), p);
        }
    }
}

const REQUIRED: &str = "requiredDuringSchedulingIgnoredDuringExecution";
const PREFERRED: &str = "preferredDuringSchedulingIgnoredDuringExecution";

fn weight(out: &mut Vec<Issue>, at: &str, w: i64) {
    if !(WEIGHT_MIN..=WEIGHT_MAX).contains(&w) {
        out.push(Issue::error(
            format!("{at}.weight"),
            format!("weight must be between {WEIGHT_MIN} and {WEIGHT_MAX}, got {w}"),
        ));
    }
}

/// The values an operator takes: `In`/`NotIn` one or more, `Exists`/`DoesNotExist` none,
/// `Gt`/`Lt` one integer; each a label value.
fn values(out: &mut Vec<Issue>, at: &str, op: &str, (min, max): (usize, usize), values: &[String]) {
    let n = values.len();
    if max == 0 && n > 0 {
        out.push(Issue::error(
            format!("{at}.values"),
            format!("operator {op} takes no values; remove them"),
        ));
    } else if n < min {
        out.push(Issue::error(
            format!("{at}.values"),
            format!("operator {op} needs at least one value"),
        ));
    } else if n > max {
        out.push(Issue::error(
            format!("{at}.values"),
            format!("operator {op} takes exactly one value, got {n}"),
        ));
    }
    for (i, v) in values.iter().enumerate() {
        let here = format!("{at}.values[{i}]");
        if matches!(op, "Gt" | "Lt") {
            if v.parse::<i64>().is_err() {
                out.push(Issue::error(
                    here,
                    format!("operator {op} compares integers; \"{v}\" is not one"),
                ));
            }
        } else if let Err(e) = labels::check_value(v) {
            out.push(Issue::error(here, format!("label value \"{v}\" {e}")));
        }
    }
}

fn key(out: &mut Vec<Issue>, at: &str, key: &str, what: &str) {
    if let Err(e) = labels::check_key(key) {
        out.push(Issue::error(at, format!("{what} \"{key}\" {e}")));
    }
}

fn node_term(out: &mut Vec<Issue>, at: &str, t: &NodeSelectorTerm) {
    if t.match_expressions.is_empty() {
        out.push(Issue::error(
            format!("{at}.matchExpressions"),
            "needs at least one expression ({key, operator, values}); an empty term matches no node",
        ));
    }
    for (i, r) in t.match_expressions.iter().enumerate() {
        let here = format!("{at}.matchExpressions[{i}]");
        key(out, &format!("{here}.key"), &r.key, "node label key");
        let op = match r.operator {
            NodeOperator::In => "In",
            NodeOperator::NotIn => "NotIn",
            NodeOperator::Exists => "Exists",
            NodeOperator::DoesNotExist => "DoesNotExist",
            NodeOperator::Gt => "Gt",
            NodeOperator::Lt => "Lt",
        };
        values(out, &here, op, r.operator.values(), &r.values);
    }
}

fn pod_affinity(out: &mut Vec<Issue>, at: &str, p: &PodAffinity) {
    if p.required.is_empty() && p.preferred.is_empty() {
        out.push(Issue::error(
            at,
            format!("sets no term: give {REQUIRED} or {PREFERRED}"),
        ));
    }
    for (i, t) in p.required.iter().enumerate() {
        pod_term(out, &format!("{at}.{REQUIRED}[{i}]"), t);
    }
    for (i, w) in p.preferred.iter().enumerate() {
        let here = format!("{at}.{PREFERRED}[{i}]");
        weight(out, &here, w.weight);
        pod_term(
            out,
            &format!("{here}.podAffinityTerm"),
            &w.pod_affinity_term,
        );
    }
}

fn pod_term(out: &mut Vec<Issue>, at: &str, t: &PodAffinityTerm) {
    if t.topology_key.is_empty() {
        out.push(Issue::error(
            format!("{at}.topologyKey"),
            "must not be empty: the node label that defines \"near\", e.g. kubernetes.io/hostname",
        ));
    } else {
        key(
            out,
            &format!("{at}.topologyKey"),
            &t.topology_key,
            "topology key",
        );
    }
    if let Some(s) = &t.label_selector {
        selector(out, &format!("{at}.labelSelector"), s);
    }
    if let Some(s) = &t.namespace_selector {
        selector(out, &format!("{at}.namespaceSelector"), s);
    }
    for (i, ns) in t.namespaces.iter().enumerate() {
        if let Err(e) = dns::check_label(ns) {
            out.push(Issue::error(
                format!("{at}.namespaces[{i}]"),
                format!("namespace \"{ns}\" {e}"),
            ));
        }
    }
}

fn selector(out: &mut Vec<Issue>, at: &str, s: &LabelSelector) {
    for (k, v) in &s.match_labels {
        let here = format!("{at}.matchLabels.{k}");
        if let Err(e) = labels::check_key(k) {
            out.push(Issue::error(&here, format!("label key \"{k}\" {e}")));
        } else if let Err(e) = labels::check_value(v) {
            out.push(Issue::error(here, format!("label value \"{v}\" {e}")));
        }
    }
    for (i, r) in s.match_expressions.iter().enumerate() {
        let here = format!("{at}.matchExpressions[{i}]");
        key(out, &format!("{here}.key"), &r.key, "label key");
        let op = match r.operator {
            crate::model::affinity::LabelOperator::In => "In",
            crate::model::affinity::LabelOperator::NotIn => "NotIn",
            crate::model::affinity::LabelOperator::Exists => "Exists",
            crate::model::affinity::LabelOperator::DoesNotExist => "DoesNotExist",
        };
        values(out, &here, op, r.operator.values(), &r.values);
    }
}

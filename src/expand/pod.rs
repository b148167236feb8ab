//! The pod-level fields on the pod template: node selector, service account, pod
//! annotations, topology spread and the `pod` options (supplemental groups merged into the
//! pod's securityContext).

use k8s_openapi::api::core::v1::{
    LocalObjectReference, PodDNSConfig, PodDNSConfigOption, PodTemplateSpec, Toleration,
    TopologySpreadConstraint,
};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector;

use super::selector;
use crate::model::pod::Spread;
use crate::validate::App;

/// The node label a `spread: hostname` constraint spreads over.
pub const HOSTNAME_TOPOLOGY_KEY: &str = "kubernetes.io/hostname";

/// Sets the pod-level fields of the spec on a pod template; fields the spec leaves out are
/// left as they are, so a spec without them expands exactly as before.
pub fn apply(app: &App, template: &mut PodTemplateSpec) {
    let s = &app.spec.body;
    if !s.pod_annotations.is_empty() {
        let meta = template.metadata.get_or_insert_with(Default::default);
        let annotations = meta.annotations.get_or_insert_with(Default::default);
        for (k, v) in &s.pod_annotations {
            // The function's own keys are refused by validation; keep them if present.
            annotations.entry(k.clone()).or_insert_with(|| v.clone());
        }
    }
    let pod = template.spec.get_or_insert_with(Default::default);
    if !s.node_selector.is_empty() {
        pod.node_selector = Some(s.node_selector.clone());
    }
    if let Some(sa) = &s.service_account {
        pod.service_account_name = Some(sa.account(&app.spec.name).to_string());
        pod.automount_service_account_token = Some(sa.token);
    }
    if s.spread == Some(Spread::Hostname) {
        pod.topology_spread_constraints = Some(vec![TopologySpreadConstraint {
            max_skew: 1,
            topology_key: HOSTNAME_TOPOLOGY_KEY.to_string(),
            when_unsatisfiable: "DoNotSchedule".to_string(),
            label_selector: Some(LabelSelector {
                match_labels: Some(selector(app)),
                ..LabelSelector::default()
            }),
            ..TopologySpreadConstraint::default()
        }]);
    }
    let Some(o) = &s.pod else { return };
    if o.host_network == Some(true) {
        pod.host_network = Some(true);
        // Without it a host-network pod resolves with the node's resolver, not the cluster's.
        pod.dns_policy = Some("ClusterFirstWithHostNet".to_string());
    } else if o.host_network == Some(false) {
        pod.host_network = Some(false);
    }
    pod.host_users = o.host_users;
    if let Some(dns) = &o.dns_config {
        pod.dns_config = Some(PodDNSConfig {
            nameservers: (!dns.nameservers.is_empty()).then(|| dns.nameservers.clone()),
            searches: (!dns.searches.is_empty()).then(|| dns.searches.clone()),
            options: (!dns.options.is_empty()).then(|| {
                dns.options
                    .iter()
                    .map(|opt| PodDNSConfigOption {
                        name: Some(opt.name.clone()),
                        value: opt.value.clone(),
                    })
                    .collect()
            }),
        });
    }
    if !o.tolerations.is_empty() {
        pod.tolerations = Some(
            o.tolerations
                .iter()
                .map(|t| Toleration {
                    key: t.key.clone(),
                    operator: t.operator.map(|x| x.as_str().to_string()),
                    value: t.value.clone(),
                    effect: t.effect.map(|x| x.as_str().to_string()),
                    toleration_seconds: t.toleration_seconds,
                })
                .collect(),
        );
    }
    pod.priority_class_name = o.priority_class_name.clone();
    if !o.supplemental_groups.is_empty() {
        // Beside what the workload already wrote (runAs ids, seccomp), in the order written.
        let ctx = pod.security_context.get_or_insert_with(Default::default);
        ctx.supplemental_groups = Some(o.supplemental_groups.clone());
    }
    if o.termination_grace_period_seconds.is_some() {
        pod.termination_grace_period_seconds = o.termination_grace_period_seconds;
    }
    if let Some(a) = &o.affinity {
        pod.affinity = crate::model::affinity::to_kubernetes(a);
    }
    if o.enable_service_links.is_some() {
        pod.enable_service_links = o.enable_service_links;
    }
    if !o.image_pull_secrets.is_empty() {
        pod.image_pull_secrets = Some(
            o.image_pull_secrets
                .iter()
                .map(|name| LocalObjectReference { name: name.clone() })
                .collect(),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::expand::test_support;
    use serde_json::json;

    #[test]
    fn table() {
        // (name, extra spec fields, expected pod template metadata, expected pod spec fields)
        let cases: Vec<(&str, &str, serde_json::Value, serde_json::Value)> = vec![
            ("nothing", "", json!({}), json!({})),
            (
                "node selector and annotations",
                "nodeSelector: {kubernetes.io/arch: amd64}\n  podAnnotations: {a.io/x: \"1\"}",
                json!({"annotations": {"a.io/x": "1"}}),
                json!({"nodeSelector": {"kubernetes.io/arch": "amd64"}}),
            ),
            (
                "service account without token",
                "serviceAccount: {name: homepage}",
                json!({}),
                json!({"serviceAccountName": "homepage", "automountServiceAccountToken": false}),
            ),
            (
                "service account with token",
                "serviceAccount: {name: homepage, token: true}",
                json!({}),
                json!({"serviceAccountName": "homepage", "automountServiceAccountToken": true}),
            ),
            (
                "spread",
                "spread: hostname",
                json!({}),
                json!({"topologySpreadConstraints": [{"maxSkew": 1, "topologyKey": "kubernetes.io/hostname", "whenUnsatisfiable": "DoNotSchedule", "labelSelector": {"matchLabels": {"app.kubernetes.io/name": "web", "app.kubernetes.io/instance": "web"}}}]}),
            ),
            (
                "host network",
                "pod: {hostNetwork: true}",
                json!({}),
                json!({"hostNetwork": true, "dnsPolicy": "ClusterFirstWithHostNet"}),
            ),
            (
                "affinity, service links, pull secrets",
                "pod: {enableServiceLinks: false, imagePullSecrets: [ghcr-login, regcred], affinity: {nodeAffinity: {requiredDuringSchedulingIgnoredDuringExecution: {nodeSelectorTerms: [{matchExpressions: [{key: nvidia.com/gpu.present, operator: In, values: [\"true\"]}]}]}}, podAntiAffinity: {preferredDuringSchedulingIgnoredDuringExecution: [{weight: 100, podAffinityTerm: {labelSelector: {matchLabels: {app.kubernetes.io/name: web}}, topologyKey: kubernetes.io/hostname}}]}}}",
                json!({}),
                json!({
                    "enableServiceLinks": false,
                    "imagePullSecrets": [{"name": "ghcr-login"}, {"name": "regcred"}],
                    "affinity": {
                        "nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": [{"matchExpressions": [{"key": "nvidia.com/gpu.present", "operator": "In", "values": ["true"]}]}]}},
                        "podAntiAffinity": {"preferredDuringSchedulingIgnoredDuringExecution": [{"weight": 100, "podAffinityTerm": {"labelSelector": {"matchLabels": {"app.kubernetes.io/name": "web"}}, "topologyKey": "kubernetes.io/hostname"}}]},
                    },
                }),
            ),
            (
                "pod options",
                "pod: {hostNetwork: false, hostUsers: false, dnsConfig: {options: [{name: ndots, value: \"1\"}, {name: edns0}]}, tolerations: [{key: gpu, operator: Exists, effect: NoSchedule}, {key: node.kubernetes.io/unreachable, operator: Exists, effect: NoExecute, tolerationSeconds: 30}], priorityClassName: high}",
                json!({}),
                json!({
                    "hostNetwork": false, "hostUsers": false,
                    "dnsConfig": {"options": [{"name": "ndots", "value": "1"}, {"name": "edns0"}]},
                    "tolerations": [
                        {"key": "gpu", "operator": "Exists", "effect": "NoSchedule"},
                        {"key": "node.kubernetes.io/unreachable", "operator": "Exists", "effect": "NoExecute", "tolerationSeconds": 30}
                    ],
                    "priorityClassName": "high"
                }),
            ),
            (
                "supplemental groups in the order written, grace period",
                "pod: {supplementalGroups: [109, 44, 10000], terminationGracePeriodSeconds: 120}",
                json!({}),
                json!({
                    "securityContext": {"supplementalGroups": [109, 44, 10000]},
                    "terminationGracePeriodSeconds": 120
                }),
            ),
            (
                "a grace period of 0 is written",
                "pod: {terminationGracePeriodSeconds: 0}",
                json!({}),
                json!({"terminationGracePeriodSeconds": 0}),
            ),
            (
                "no groups, no securityContext",
                "pod: {supplementalGroups: []}",
                json!({}),
                json!({}),
            ),
        ];
        for (name, extra, meta, fields) in cases {
            let (app, _) = test_support::app(&format!(
                "metadata: {{name: web}}\nspec:\n  image: nginx:1\n  {extra}\n"
            ));
            let mut t = PodTemplateSpec::default();
            apply(&app, &mut t);
            let v = serde_json::to_value(&t).unwrap();
            assert_eq!(
                v.get("metadata").cloned().unwrap_or(json!({})),
                meta,
                "{name}"
            );
            assert_eq!(v["spec"]["containers"], json!([]), "{name}");
            let mut spec = v["spec"].clone();
            spec.as_object_mut().unwrap().remove("containers");
            assert_eq!(spec, fields, "{name}");
        }
    }

    #[test]
    fn groups_join_the_security_context_the_workload_wrote() {
        let (app, _) = test_support::app(
            "metadata: {name: web}\nspec:\n  image: nginx:1\n  runAs: 568\n  pod: {supplementalGroups: [44, 109]}\n",
        );
        let d = serde_json::to_value(crate::expand::workload::deployment(&app)).unwrap();
        assert_eq!(
            d["spec"]["template"]["spec"]["securityContext"],
            json!({
                "runAsNonRoot": true, "runAsUser": 568, "runAsGroup": 568, "fsGroup": 568,
                "fsGroupChangePolicy": "OnRootMismatch",
                "seccompProfile": {"type": "RuntimeDefault"},
                "supplementalGroups": [44, 109]
            })
        );
    }
}

//! `pod.affinity` in Kubernetes' own shape (node affinity, pod affinity and anti-affinity),
//! restricted to the fields a platform team lets an app set; `validate::affinity` checks it.
//!
//! The types serialize to exactly Kubernetes' JSON, so the expansion turns them into
//! `k8s_openapi` objects without a field-by-field copy.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::model::bounds::{WEIGHT_MAX, WEIGHT_MIN};

/// Where the pod may or prefers to run, relative to node labels and other pods.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Affinity {
    /// Node labels the pod needs or prefers (GPU nodes, an architecture).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub node_affinity: Option<NodeAffinity>,
    /// Pods this pod wants to run near (same node or zone).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pod_affinity: Option<PodAffinity>,
    /// Pods this pod wants to stay away from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pod_anti_affinity: Option<PodAffinity>,
}

/// Kubernetes `NodeAffinity`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct NodeAffinity {
    /// Nodes the pod must run on: any one of the terms matches.
    #[serde(
        default,
        rename = "requiredDuringSchedulingIgnoredDuringExecution",
        skip_serializing_if = "Option::is_none"
    )]
    pub required: Option<NodeSelector>,
    /// Nodes the pod prefers, each term with a weight 1..100.
    #[serde(
        default,
        rename = "preferredDuringSchedulingIgnoredDuringExecution",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub preferred: Vec<PreferredSchedulingTerm>,
}

/// Kubernetes `NodeSelector`: one or more terms, ORed.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NodeSelector {
    /// The terms; a node matching any of them qualifies.
    #[schemars(length(min = 1))]
    #[schemars(extend("x-hint" = "a list of {matchExpressions: [...]}"))]
    pub node_selector_terms: Vec<NodeSelectorTerm>,
}

/// Kubernetes `NodeSelectorTerm`: requirements on node labels, ANDed.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NodeSelectorTerm {
    /// Requirements on the node's labels (at least one).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub match_expressions: Vec<NodeSelectorRequirement>,
}

/// Kubernetes `PreferredSchedulingTerm`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PreferredSchedulingTerm {
    /// 1..100: how much a matching node counts.
    #[schemars(range(min = WEIGHT_MIN, max = WEIGHT_MAX), extend("x-hint" = "a weight 1..100"))]
    pub weight: i64,
    /// The node labels preferred.
    #[schemars(extend("x-hint" = "{matchExpressions: [...]}"))]
    pub preference: NodeSelectorTerm,
}

/// Kubernetes `NodeSelectorRequirement`: a node label key, an operator and values.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct NodeSelectorRequirement {
    /// A node label key, e.g. `kubernetes.io/arch`.
    #[schemars(extend("x-hint" = "a node label key"))]
    pub key: String,
    /// `In`, `NotIn` (values needed), `Exists`, `DoesNotExist` (no values), `Gt`, `Lt` (one
    /// integer value).
    #[schemars(extend("x-hint" = "In, NotIn, Exists, DoesNotExist, Gt or Lt"))]
    pub operator: NodeOperator,
    /// Label values.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub values: Vec<String>,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub enum NodeOperator {
    #[default]
    In,
    NotIn,
    Exists,
    DoesNotExist,
    Gt,
    Lt,
}

/// Kubernetes `PodAffinity` (and `PodAntiAffinity`, which has the same shape).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PodAffinity {
    /// Terms every one of which must hold.
    #[serde(
        default,
        rename = "requiredDuringSchedulingIgnoredDuringExecution",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub required: Vec<PodAffinityTerm>,
    /// Terms preferred, each with a weight 1..100.
    #[serde(
        default,
        rename = "preferredDuringSchedulingIgnoredDuringExecution",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub preferred: Vec<WeightedPodAffinityTerm>,
}

/// Kubernetes `WeightedPodAffinityTerm`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct WeightedPodAffinityTerm {
    /// 1..100: how much a matching placement counts.
    #[schemars(range(min = WEIGHT_MIN, max = WEIGHT_MAX), extend("x-hint" = "a weight 1..100"))]
    pub weight: i64,
    #[schemars(extend("x-hint" = "{labelSelector, topologyKey}"))]
    pub pod_affinity_term: PodAffinityTerm,
}

/// Kubernetes `PodAffinityTerm`: pods matched by labels, within a topology domain.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PodAffinityTerm {
    /// The pods this term is about.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label_selector: Option<LabelSelector>,
    /// Namespaces to look in (default: the pod's own).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub namespaces: Vec<String>,
    /// Namespaces to look in, by their labels.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace_selector: Option<LabelSelector>,
    /// The node label that defines "near": `kubernetes.io/hostname` (same node),
    /// `topology.kubernetes.io/zone`...
    #[schemars(extend("x-hint" = "a node label key such as kubernetes.io/hostname"))]
    pub topology_key: String,
}

/// Kubernetes `LabelSelector`: labels that must equal, and expressions, ANDed.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct LabelSelector {
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub match_labels: BTreeMap<String, String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub match_expressions: Vec<LabelSelectorRequirement>,
}

/// Kubernetes `LabelSelectorRequirement`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LabelSelectorRequirement {
    /// A label key.
    #[schemars(extend("x-hint" = "a label key"))]
    pub key: String,
    /// `In`, `NotIn` (values needed), `Exists`, `DoesNotExist` (no values).
    #[schemars(extend("x-hint" = "In, NotIn, Exists or DoesNotExist"))]
    pub operator: LabelOperator,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub values: Vec<String>,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub enum LabelOperator {
    #[default]
    In,
    NotIn,
    Exists,
    DoesNotExist,
}

impl NodeOperator {
    /// Whether the operator takes values, and how many: `(min, max)`.
    pub fn values(self) -> (usize, usize) {
        match self {
            NodeOperator::In | NodeOperator::NotIn => (1, usize::MAX),
            NodeOperator::Exists | NodeOperator::DoesNotExist => (0, 0),
            NodeOperator::Gt | NodeOperator::Lt => (1, 1),
        }
    }
}

impl LabelOperator {
    /// Whether the operator takes values, and how many: `(min, max)`.
    pub fn values(self) -> (usize, usize) {
        match self {
            LabelOperator::In | LabelOperator::NotIn => (1, usize::MAX),
            LabelOperator::Exists | LabelOperator::DoesNotExist => (0, 0),
        }
    }
}

/// The affinity as Kubernetes' type (the shapes are the same JSON).
pub fn to_kubernetes(a: &Affinity) -> Option<k8s_openapi::api::core::v1::Affinity> {
    serde_json::to_value(a)
        .ok()
        .and_then(|v| serde_json::from_value(v).ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shape_is_kubernetes_own() {
        let text = "{nodeAffinity: {requiredDuringSchedulingIgnoredDuringExecution: {nodeSelectorTerms: [{matchExpressions: [{key: gpu.intel.com/i915, operator: Exists}]}]}, preferredDuringSchedulingIgnoredDuringExecution: [{weight: 50, preference: {matchExpressions: [{key: kubernetes.io/arch, operator: In, values: [amd64]}]}}]}, podAntiAffinity: {preferredDuringSchedulingIgnoredDuringExecution: [{weight: 100, podAffinityTerm: {labelSelector: {matchLabels: {app.kubernetes.io/name: web}}, topologyKey: kubernetes.io/hostname}}]}, podAffinity: {requiredDuringSchedulingIgnoredDuringExecution: [{labelSelector: {matchExpressions: [{key: app, operator: NotIn, values: [x]}]}, namespaces: [db], topologyKey: topology.kubernetes.io/zone}]}}";
        let ours: Affinity = serde_saphyr::from_str(text).unwrap();
        let theirs: k8s_openapi::api::core::v1::Affinity = serde_saphyr::from_str(text).unwrap();
        assert_eq!(to_kubernetes(&ours), Some(theirs.clone()));
        assert_eq!(
            serde_json::to_value(&ours).unwrap(),
            serde_json::to_value(&theirs).unwrap()
        );
    }
}

//! Stakater Reloader: which workloads restart when a Secret or ConfigMap they use changes.
//!
//! The check reads the expanded pod, not the spec, so every field that brings a Secret or
//! ConfigMap into the pod (env, envFrom, volumes, projected volumes, in any container) is
//! covered without being listed here.

use k8s_openapi::api::core::v1::{Container, PodSpec};

/// The annotation Reloader watches.
pub const ANNOTATION: &str = "reloader.stakater.com/auto";

/// Whether the pod reads a Secret or ConfigMap: through env, envFrom or a volume.
pub fn uses_secret_or_config_map(pod: &PodSpec) -> bool {
    let container = |c: &Container| {
        c.env.iter().flatten().any(|e| {
            e.value_from
                .as_ref()
                .is_some_and(|f| f.secret_key_ref.is_some() || f.config_map_key_ref.is_some())
        }) || c
            .env_from
            .iter()
            .flatten()
            .any(|e| e.secret_ref.is_some() || e.config_map_ref.is_some())
    };
    let volume = pod.volumes.iter().flatten().any(|v| {
        v.secret.is_some()
            || v.config_map.is_some()
            || v.projected.as_ref().is_some_and(|p| {
                p.sources
                    .iter()
                    .flatten()
                    .any(|s| s.secret.is_some() || s.config_map.is_some())
            })
    });
    volume
        || pod.containers.iter().any(container)
        || pod.init_containers.iter().flatten().any(container)
        || pod.ephemeral_containers.iter().flatten().any(|c| {
            c.env.iter().flatten().any(|e| {
                e.value_from
                    .as_ref()
                    .is_some_and(|f| f.secret_key_ref.is_some() || f.config_map_key_ref.is_some())
            })
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn table() {
        let cases = [
            (
                "plain",
                json!({"containers": [{"name": "a", "env": [{"name": "X", "value": "1"}]}]}),
                false,
            ),
            (
                "emptyDir",
                json!({"containers": [{"name": "a"}], "volumes": [{"name": "v", "emptyDir": {}}]}),
                false,
            ),
            (
                "pvc",
                json!({"containers": [{"name": "a"}], "volumes": [{"name": "v", "persistentVolumeClaim": {"claimName": "c"}}]}),
                false,
            ),
            (
                "secretKeyRef",
                json!({"containers": [{"name": "a", "env": [{"name": "X", "valueFrom": {"secretKeyRef": {"name": "s", "key": "k"}}}]}]}),
                true,
            ),
            (
                "configMapKeyRef",
                json!({"containers": [{"name": "a", "env": [{"name": "X", "valueFrom": {"configMapKeyRef": {"name": "s", "key": "k"}}}]}]}),
                true,
            ),
            (
                "fieldRef only",
                json!({"containers": [{"name": "a", "env": [{"name": "X", "valueFrom": {"fieldRef": {"fieldPath": "metadata.name"}}}]}]}),
                false,
            ),
            (
                "envFrom secret",
                json!({"containers": [{"name": "a", "envFrom": [{"secretRef": {"name": "s"}}]}]}),
                true,
            ),
            (
                "envFrom configMap in an init container",
                json!({"containers": [{"name": "a"}], "initContainers": [{"name": "i", "envFrom": [{"configMapRef": {"name": "c"}}]}]}),
                true,
            ),
            (
                "secret volume",
                json!({"containers": [{"name": "a"}], "volumes": [{"name": "v", "secret": {"secretName": "s"}}]}),
                true,
            ),
            (
                "configMap volume",
                json!({"containers": [{"name": "a"}], "volumes": [{"name": "v", "configMap": {"name": "c"}}]}),
                true,
            ),
            (
                "projected configMap",
                json!({"containers": [{"name": "a"}], "volumes": [{"name": "v", "projected": {"sources": [{"configMap": {"name": "c"}}]}}]}),
                true,
            ),
            (
                "projected token only",
                json!({"containers": [{"name": "a"}], "volumes": [{"name": "v", "projected": {"sources": [{"serviceAccountToken": {"path": "t"}}]}}]}),
                false,
            ),
        ];
        for (name, pod, expected) in cases {
            let pod: PodSpec = serde_json::from_value(pod).unwrap();
            assert_eq!(uses_secret_or_config_map(&pod), expected, "{name}");
        }
    }
}

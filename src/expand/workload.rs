//! The Deployment of an app.

use std::collections::BTreeMap;

use k8s_openapi::api::apps::v1::{Deployment, DeploymentSpec, DeploymentStrategy};
use k8s_openapi::api::core::v1::{
    Container, ContainerPort, EnvVar, PodSpec, PodTemplateSpec, ResourceRequirements,
};
use k8s_openapi::apimachinery::pkg::api::resource::Quantity;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{LabelSelector, ObjectMeta};

use super::{labels, meta, secrets, selector, storage};
use crate::spec::{Amounts, StoragePattern};
use crate::validate::App;

/// Name of the container port the Service targets.
pub const PORT_NAME: &str = "http";

fn quantities(a: Option<&Amounts>) -> Option<BTreeMap<String, Quantity>> {
    let a = a?;
    let mut out = BTreeMap::new();
    if let Some(cpu) = &a.cpu {
        out.insert("cpu".to_string(), Quantity(cpu.clone()));
    }
    if let Some(memory) = &a.memory {
        out.insert("memory".to_string(), Quantity(memory.clone()));
    }
    (!out.is_empty()).then_some(out)
}

pub fn deployment(app: &App) -> Deployment {
    let s = &app.spec.spec;
    let mut env: Vec<EnvVar> = s
        .env
        .iter()
        .map(|(name, value)| EnvVar {
            name: name.clone(),
            value: Some(value.clone()),
            ..EnvVar::default()
        })
        .collect();
    env.extend(secrets::s3_env(app));
    let (volume, mount) = storage::pod_volume(app).unzip();
    let container = Container {
        name: app.spec.name.clone(),
        image: Some(s.image.clone()),
        ports: Some(vec![ContainerPort {
            name: Some(PORT_NAME.to_string()),
            container_port: s.port as i32,
            protocol: Some("TCP".to_string()),
            ..ContainerPort::default()
        }]),
        env: (!env.is_empty()).then_some(env),
        resources: Some(ResourceRequirements {
            requests: quantities(app.resources.requests.as_ref()),
            limits: quantities(app.resources.limits.as_ref()),
            ..ResourceRequirements::default()
        }),
        volume_mounts: mount.map(|m| vec![m]),
        ..Container::default()
    };
    // An RWO volume cannot attach to two pods during a rolling update.
    let strategy =
        (s.storage.pattern == StoragePattern::LonghornPersistent).then(|| DeploymentStrategy {
            type_: Some("Recreate".to_string()),
            rolling_update: None,
        });
    Deployment {
        metadata: meta(app, &app.spec.name),
        spec: Some(DeploymentSpec {
            replicas: Some(s.replicas as i32),
            selector: LabelSelector {
                match_labels: Some(selector(app)),
                ..LabelSelector::default()
            },
            strategy,
            template: PodTemplateSpec {
                metadata: Some(ObjectMeta {
                    labels: Some(labels(app)),
                    ..ObjectMeta::default()
                }),
                spec: Some(PodSpec {
                    containers: vec![container],
                    volumes: volume.map(|v| vec![v]),
                    ..PodSpec::default()
                }),
            },
            ..DeploymentSpec::default()
        }),
        status: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::expand::test_support;

    #[test]
    fn table() {
        let cases: &[(&str, &str, Option<&str>, i32, &str)] = &[
            ("defaults", "{}", None, 1, "emptyDir"),
            (
                "longhorn recreates",
                "{storage: {pattern: longhorn-persistent, size: 1}, replicas: 1}",
                Some("Recreate"),
                1,
                "persistentVolumeClaim",
            ),
            (
                "nas rolls",
                "{storage: {pattern: nas-mount, size: 1, nas: {endpoint: \"nfs://nas.internal:2049\", subpath: /mnt/x}}, replicas: 3}",
                None,
                3,
                "persistentVolumeClaim",
            ),
            ("zero replicas", "{replicas: 0}", None, 0, "emptyDir"),
        ];
        for (name, extra, strategy, replicas, volume_kind) in cases {
            let yaml = format!(
                "metadata: {{name: web}}\nspec: {{image: \"nginx:1\", {}}}",
                &extra[1..extra.len() - 1]
            );
            let yaml = yaml.replace(", }", "}");
            let (app, _) = test_support::app(&yaml);
            let d = serde_json::to_value(deployment(&app)).unwrap();
            let spec = &d["spec"];
            assert_eq!(spec["strategy"]["type"].as_str(), *strategy, "{name}");
            assert_eq!(spec["replicas"], *replicas, "{name}");
            let pod = &spec["template"]["spec"];
            assert!(
                pod["volumes"][0].get(*volume_kind).is_some(),
                "{name}: {pod}"
            );
            assert_eq!(
                pod["containers"][0]["ports"][0]["containerPort"], 8080,
                "{name}"
            );
            assert_eq!(
                pod["containers"][0]["volumeMounts"][0]["mountPath"], "/data",
                "{name}"
            );
            assert_eq!(
                pod["containers"][0]["resources"]["requests"]["cpu"], "50m",
                "{name}"
            );
        }
    }

    #[test]
    fn env_is_sorted_and_s3_vars_follow() {
        let (app, _) = test_support::app(
            "metadata: {name: web}\nspec: {image: \"nginx:1\", env: {ZED: z, ALPHA: a}, storage: {pattern: s3-external, s3: {bucket: web-data, region: eu-west-1}}}",
        );
        let d = serde_json::to_value(deployment(&app)).unwrap();
        let names: Vec<&str> = d["spec"]["template"]["spec"]["containers"][0]["env"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["name"].as_str().unwrap())
            .collect();
        assert_eq!(
            names,
            [
                "ALPHA",
                "ZED",
                "S3_BUCKET",
                "S3_REGION",
                "AWS_ACCESS_KEY_ID",
                "AWS_SECRET_ACCESS_KEY"
            ]
        );
        assert!(d["spec"]["template"]["spec"].get("volumes").is_none());
    }
}

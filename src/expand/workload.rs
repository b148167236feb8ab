//! The app's pod template and the workloads that run it as a service: the Deployment and
//! the StatefulSet (a job's CronJob is `expand::job`).

use std::collections::BTreeMap;

use k8s_openapi::api::apps::v1::{
    Deployment, DeploymentSpec, DeploymentStrategy, StatefulSet, StatefulSetSpec,
};
use k8s_openapi::api::core::v1::{
    Capabilities, Container, EnvVar, PodSecurityContext, PodSpec, PodTemplateSpec, SeccompProfile,
    SecurityContext,
};
use k8s_openapi::apimachinery::pkg::api::resource::Quantity;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{LabelSelector, ObjectMeta};

use super::{container, labels, meta, pod, secrets, selector, sidecars, volumes};
use crate::model::spec::{Amounts, SecurityProfile, StoragePattern};
use crate::validate::App;

/// Name of the container port the Service targets.
pub const PORT_NAME: &str = container::HTTP_PORT;

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

/// The app's pod: its container (ports, env, probes, resources, mounts), init containers
/// and sidecars, volumes, security and the pod-level options. Every workload kind runs this
/// one pod: the Deployment, the StatefulSet and a job's CronJob.
pub fn pod_template(app: &App) -> PodTemplateSpec {
    let s = &app.spec.body;
    let mut env: Vec<EnvVar> = container::env(&s.env);
    env.extend(secrets::s3_env(app));
    let volumes::PodVolumes { volumes, mounts } = volumes::pod(app);
    let restricted = s.security == SecurityProfile::Restricted;
    let env_from = container::env_from(s.secret_env.as_ref(), &secrets::env_secret_name(app));
    let probes = container::probes(s.probes.as_ref());
    let ids = s.pod_ids();
    // A job serves no traffic: its container has no `http` port.
    let ports = container::ports(s.job.is_none().then_some(s.port), &s.ports);
    let container = Container {
        name: app.spec.name.clone(),
        image: Some(s.image.clone()),
        command: (!s.command.is_empty()).then(|| s.command.clone()),
        args: (!s.args.is_empty()).then(|| s.args.clone()),
        ports: (!ports.is_empty()).then_some(ports),
        env: (!env.is_empty()).then_some(env),
        env_from: (!env_from.is_empty()).then_some(env_from),
        readiness_probe: probes.readiness,
        liveness_probe: probes.liveness,
        startup_probe: probes.startup,
        resources: Some(container::resources(
            quantities(app.resources.requests.as_ref()),
            quantities(app.resources.limits.as_ref()),
            s.resources.as_ref(),
        )),
        volume_mounts: (!mounts.is_empty()).then_some(mounts),
        security_context: Some(SecurityContext {
            allow_privilege_escalation: Some(false),
            run_as_non_root: restricted.then_some(true),
            read_only_root_filesystem: restricted.then_some(true),
            capabilities: restricted.then(|| Capabilities {
                drop: Some(vec!["ALL".to_string()]),
                add: None,
            }),
            ..SecurityContext::default()
        }),
        ..Container::default()
    };
    let mut template = PodTemplateSpec {
        metadata: Some(ObjectMeta {
            labels: Some(labels(app)),
            annotations: volumes::files_hash(app)
                .map(|h| BTreeMap::from([(volumes::FILES_HASH.to_string(), h)])),
            ..ObjectMeta::default()
        }),
        spec: Some(PodSpec {
            automount_service_account_token: Some(false),
            security_context: Some(PodSecurityContext {
                run_as_non_root: (restricted || ids.is_some_and(|(u, _)| u != 0)).then_some(true),
                run_as_user: ids.map(|(u, _)| u),
                run_as_group: ids.map(|(_, g)| g),
                fs_group: ids.map(|(_, g)| g),
                fs_group_change_policy: ids.map(|_| "OnRootMismatch".to_string()),
                seccomp_profile: Some(SeccompProfile {
                    type_: "RuntimeDefault".to_string(),
                    localhost_profile: None,
                }),
                ..PodSecurityContext::default()
            }),
            init_containers: Some(sidecars::init_containers(app, &container))
                .filter(|c| !c.is_empty()),
            containers: vec![container],
            resource_claims: s
                .resources
                .as_ref()
                .map(|r| container::pod_claims(&r.claims))
                .filter(|c| !c.is_empty()),
            volumes: (!volumes.is_empty()).then_some(volumes),
            ..PodSpec::default()
        }),
    };
    pod::apply(app, &mut template);
    template
}

/// The Deployment of an app: [`pod_template`] behind the app's selector and replicas.
pub fn deployment(app: &App) -> Deployment {
    let s = &app.spec.body;
    // An RWO volume cannot attach to two pods during a rolling update (an existing claim
    // is taken to be one; so is a `volume` mount's Longhorn claim).
    let strategy = (matches!(
        s.storage.pattern,
        StoragePattern::LonghornPersistent | StoragePattern::ExistingClaim
    ) || s.mounts.iter().any(|m| m.volume.is_some()))
    .then(|| DeploymentStrategy {
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
            template: pod_template(app),
            ..DeploymentSpec::default()
        }),
        status: None,
    }
}

/// The StatefulSet of `workload: statefulset`: the Deployment's pod, selector and replicas,
/// `serviceName` the app's Service, no claim templates (it mounts the same PVC).
pub fn statefulset(app: &App) -> StatefulSet {
    let d = deployment(app);
    let spec = d.spec.unwrap_or_default();
    StatefulSet {
        metadata: d.metadata,
        spec: Some(StatefulSetSpec {
            replicas: spec.replicas,
            selector: spec.selector,
            service_name: Some(app.spec.name.clone()),
            template: spec.template,
            ..StatefulSetSpec::default()
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
    fn security_profiles() {
        use serde_json::json;
        // (name, extra spec fields, container securityContext, pod securityContext, volumes)
        type Case<'a> = (
            &'a str,
            &'a str,
            serde_json::Value,
            serde_json::Value,
            usize,
        );
        let cases: Vec<Case> = vec![
            (
                "default",
                "",
                json!({"allowPrivilegeEscalation": false}),
                json!({"seccompProfile": {"type": "RuntimeDefault"}}),
                1,
            ),
            (
                "restricted",
                ", security: restricted",
                json!({"allowPrivilegeEscalation": false, "capabilities": {"drop": ["ALL"]}, "readOnlyRootFilesystem": true, "runAsNonRoot": true}),
                json!({"runAsNonRoot": true, "seccompProfile": {"type": "RuntimeDefault"}}),
                2,
            ),
        ];
        for (name, extra, container_ctx, pod_ctx, volumes) in &cases {
            let (app, _) = test_support::app(&format!(
                "metadata: {{name: web}}\nspec: {{image: \"nginx:1\"{extra}}}"
            ));
            let d = serde_json::to_value(deployment(&app)).unwrap();
            let pod = &d["spec"]["template"]["spec"];
            assert_eq!(pod["automountServiceAccountToken"], false, "{name}");
            assert_eq!(pod["securityContext"], *pod_ctx, "{name}");
            assert_eq!(
                pod["containers"][0]["securityContext"], *container_ctx,
                "{name}"
            );
            assert_eq!(pod["volumes"].as_array().unwrap().len(), *volumes, "{name}");
            if *volumes == 2 {
                assert_eq!(
                    pod["containers"][0]["volumeMounts"][1]["mountPath"], "/tmp",
                    "{name}"
                );
                assert!(pod["volumes"][1].get("emptyDir").is_some(), "{name}");
            }
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

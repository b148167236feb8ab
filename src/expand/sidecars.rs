//! Init containers and sidecars: the pod's `initContainers`, init containers first (in
//! order), then the sidecars as native sidecars (`restartPolicy: Always`).
//!
//! Each is built with the app's container-level functions (env, envFrom, ports) and gets
//! the app container's security context and the volume mounts it asks for (default all).

use k8s_openapi::api::core::v1::{Capabilities, Container, SecurityContext};

use super::{container, secrets};
use crate::model::crd::ExternalSecret;
use crate::model::platform::Platform;
use crate::model::pod::{Capability, ExtraContainer, extra_containers};
use crate::validate::App;

/// Name of the Secret (and ExternalSecret) of a container's `secretEnv.fromStore`.
pub fn secret_name(app: &App, container: &str) -> String {
    crate::model::names::container_secret(&app.spec.name, container)
}

/// The `initContainers` of the pod, next to the app's own container `app`.
pub fn init_containers(app: &App, app_container: &Container) -> Vec<Container> {
    let s = &app.spec.body;
    extra_containers(&s.init, &s.sidecars)
        .iter()
        .map(|c| build(app, app_container, c))
        .collect()
}

fn build(app: &App, main: &Container, c: &ExtraContainer<'_>) -> Container {
    let env = container::env(c.env);
    let env_from = container::env_from(c.secret_env, &secret_name(app, c.name));
    let ports = c
        .ports
        .map(|p| container::ports(None, p))
        .unwrap_or_default();
    let mounts: Vec<_> = main
        .volume_mounts
        .iter()
        .flatten()
        .filter(|m| {
            c.mounts.is_none_or(|wanted| {
                wanted
                    .iter()
                    .any(|w| w.trim_end_matches('/') == m.mount_path.trim_end_matches('/'))
            })
        })
        .cloned()
        .collect();
    let probes = container::probes(c.probes);
    Container {
        name: c.name.to_string(),
        image: Some(c.image.to_string()),
        command: (!c.command.is_empty()).then(|| c.command.to_vec()),
        args: (!c.args.is_empty()).then(|| c.args.to_vec()),
        ports: (!ports.is_empty()).then_some(ports),
        env: (!env.is_empty()).then_some(env),
        env_from: (!env_from.is_empty()).then_some(env_from),
        restart_policy: c.sidecar.then(|| "Always".to_string()),
        volume_mounts: (!mounts.is_empty()).then_some(mounts),
        security_context: security_context(main, c.capabilities),
        readiness_probe: probes.readiness,
        liveness_probe: probes.liveness,
        startup_probe: probes.startup,
        ..Container::default()
    }
}

/// The app container's security context, with the sidecar's `capabilities` added (its
/// `drop` and every other setting kept).
fn security_context(main: &Container, add: &[Capability]) -> Option<SecurityContext> {
    let mut ctx = main.security_context.clone();
    if !add.is_empty() {
        let caps = ctx
            .get_or_insert_with(SecurityContext::default)
            .capabilities
            .get_or_insert_with(Capabilities::default);
        caps.add = Some(add.iter().map(|c| c.as_str().to_string()).collect());
    }
    ctx
}

/// The ExternalSecrets of the init containers' and sidecars' `secretEnv.fromStore`.
pub fn external_secrets(app: &App, platform: &Platform) -> Vec<ExternalSecret> {
    let s = &app.spec.body;
    extra_containers(&s.init, &s.sidecars)
        .iter()
        .filter_map(|c| {
            let key = c.secret_env?.from_store.clone()?;
            Some(secrets::store_secret(
                app,
                platform,
                secret_name(app, c.name),
                key,
            ))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::expand::{test_support, workload};
    use serde_json::json;

    #[test]
    fn table() {
        let (app, site) = test_support::app(
            "metadata: {name: authelia}
spec:
  image: ghcr.io/authelia/authelia:4.39.4
  security: restricted
  storage: {pattern: longhorn-persistent, size: 1, mountPath: /config}
  init:
    - name: init-db
      image: ghcr.io/home-operations/postgres-init:18.6
      env: {INIT_POSTGRES_DBNAME: authelia, PORT: 5432}
      secretEnv: {existing: [authelia-db]}
      mounts: [/tmp]
  sidecars:
    - name: gluetun
      image: ghcr.io/qdm12/gluetun:v3.40.0
      command: [/gluetun-entrypoint]
      ports: {control: 8000}
      secretEnv: {fromStore: vpn}
",
        );
        let d = serde_json::to_value(workload::deployment(&app)).unwrap();
        let pod = &d["spec"]["template"]["spec"];
        let main_ctx = pod["containers"][0]["securityContext"].clone();
        assert_eq!(
            pod["initContainers"],
            json!([
                {"name": "init-db", "image": "ghcr.io/home-operations/postgres-init:18.6",
                 "env": [{"name": "INIT_POSTGRES_DBNAME", "value": "authelia"}, {"name": "PORT", "value": "5432"}],
                 "envFrom": [{"secretRef": {"name": "authelia-db"}}],
                 "volumeMounts": [{"name": "tmp", "mountPath": "/tmp"}],
                 "securityContext": main_ctx},
                {"name": "gluetun", "image": "ghcr.io/qdm12/gluetun:v3.40.0",
                 "command": ["/gluetun-entrypoint"],
                 "ports": [{"name": "control", "containerPort": 8000, "protocol": "TCP"}],
                 "envFrom": [{"secretRef": {"name": "authelia-gluetun-secret"}}],
                 "restartPolicy": "Always",
                 "volumeMounts": [{"name": "data", "mountPath": "/config"}, {"name": "tmp", "mountPath": "/tmp"}],
                 "securityContext": main_ctx}
            ])
        );
        let secrets = external_secrets(&app, &site.config);
        assert_eq!(secrets.len(), 1);
        let v = serde_json::to_value(&secrets[0]).unwrap();
        assert_eq!(v["metadata"]["name"], "authelia-gluetun-secret");
        assert_eq!(v["spec"]["dataFrom"][0]["extract"]["key"], "vpn");
    }

    #[test]
    fn capabilities_are_added_to_that_sidecar_only() {
        let (app, _) = test_support::app(
            "metadata: {name: qbittorrent}
spec:
  image: ghcr.io/home-operations/qbittorrent:5.1.2
  init:
    - {name: init-config, image: \"busybox:1.37\"}
  sidecars:
    - name: gluetun
      image: ghcr.io/qdm12/gluetun:v3.40.0
      capabilities: [NET_ADMIN, NET_RAW]
    - {name: exporter, image: \"ghcr.io/acme/exporter:1.0.0\"}
",
        );
        let d = serde_json::to_value(workload::deployment(&app)).unwrap();
        let pod = &d["spec"]["template"]["spec"];
        let main_ctx = json!({"allowPrivilegeEscalation": false});
        assert_eq!(pod["containers"][0]["securityContext"], main_ctx);
        let ctx: Vec<_> = pod["initContainers"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["securityContext"].clone())
            .collect();
        assert_eq!(
            ctx,
            [
                main_ctx.clone(),
                json!({"allowPrivilegeEscalation": false, "capabilities": {"add": ["NET_ADMIN", "NET_RAW"]}}),
                main_ctx,
            ]
        );
    }

    #[test]
    fn added_capabilities_keep_the_rest_of_the_context() {
        let main = Container {
            security_context: Some(SecurityContext {
                allow_privilege_escalation: Some(false),
                capabilities: Some(Capabilities {
                    drop: Some(vec!["ALL".into()]),
                    add: None,
                }),
                ..SecurityContext::default()
            }),
            ..Container::default()
        };
        let got = serde_json::to_value(security_context(&main, &[Capability::NetAdmin])).unwrap();
        assert_eq!(
            got,
            json!({"allowPrivilegeEscalation": false, "capabilities": {"add": ["NET_ADMIN"], "drop": ["ALL"]}})
        );
        assert_eq!(
            security_context(&main, &[]),
            main.security_context,
            "no capabilities: the app's context as it is"
        );
    }

    #[test]
    fn none_by_default() {
        let (app, site) = test_support::app("metadata: {name: web}\nspec: {image: \"nginx:1\"}");
        let d = serde_json::to_value(workload::deployment(&app)).unwrap();
        assert!(
            d["spec"]["template"]["spec"]
                .get("initContainers")
                .is_none()
        );
        assert!(external_secrets(&app, &site.config).is_empty());
    }
}

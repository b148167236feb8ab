//! Container-level pieces shared by every container of the pod: ports, env, envFrom, probes.
//!
//! Each function takes the container's own fields (not the app), so the app's container,
//! init containers and sidecars build them the same way.

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::{
    ContainerPort, EnvFromSource, EnvVar, EnvVarSource, ExecAction, HTTPGetAction,
    PodResourceClaim, Probe, ResourceClaim, ResourceRequirements, SecretEnvSource,
    SecretKeySelector, TCPSocketAction,
};
use k8s_openapi::apimachinery::pkg::api::resource::Quantity;
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

use crate::model::spec::{ContainerResources, EnvValue, PortSpec, ProbeCheck, Probes, SecretEnv};

/// Name of the main HTTP port (`spec.port`), the one the Service's `service.port` targets;
/// its one home is the rule that keeps other ports off it.
pub use crate::validate::container::HTTP_PORT;

/// How often probes run, in seconds.
pub const PROBE_PERIOD: i32 = 10;
/// Failures a startup probe tolerates: 30 x 10 s, about 5 minutes for a slow first start.
pub const STARTUP_FAILURES: i32 = 30;

/// The container ports: `http` first (when the container has one), then the extra ports
/// in name order.
pub fn ports(http: Option<i64>, extra: &BTreeMap<String, PortSpec>) -> Vec<ContainerPort> {
    let port = |name: &str, number: i64, protocol: String| ContainerPort {
        name: Some(name.to_string()),
        container_port: number as i32,
        protocol: Some(protocol),
        ..ContainerPort::default()
    };
    http.map(|n| port(HTTP_PORT, n, "TCP".to_string()))
        .into_iter()
        .chain(
            extra
                .iter()
                .map(|(name, p)| port(name, p.port(), p.protocol().to_string())),
        )
        .collect()
}

/// Plain values as strings (integers and booleans as their text) and `{secret, key}` as
/// a `secretKeyRef`, in name order.
pub fn env(env: &BTreeMap<String, EnvValue>) -> Vec<EnvVar> {
    env.iter()
        .map(|(name, value)| match value {
            EnvValue::Secret(s) => EnvVar {
                name: name.clone(),
                value: None,
                value_from: Some(EnvVarSource {
                    secret_key_ref: Some(SecretKeySelector {
                        name: s.secret.clone(),
                        key: s.key.clone(),
                        optional: None,
                    }),
                    ..EnvVarSource::default()
                }),
            },
            plain => EnvVar {
                name: name.clone(),
                value: plain.text(),
                value_from: None,
            },
        })
        .collect()
}

/// `envFrom`: the Secret generated from the store (`generated`, when `fromStore` is set)
/// first, then the existing Secrets in the order written.
pub fn env_from(secret_env: Option<&SecretEnv>, generated: &str) -> Vec<EnvFromSource> {
    let Some(se) = secret_env else {
        return vec![];
    };
    let from = |name: &str| EnvFromSource {
        secret_ref: Some(SecretEnvSource {
            name: name.to_string(),
            optional: None,
        }),
        ..EnvFromSource::default()
    };
    se.from_store
        .as_ref()
        .map(|_| from(generated))
        .into_iter()
        .chain(se.existing.iter().map(|n| from(n)))
        .collect()
}

/// The container's resources: CPU and memory (already merged with the platform
/// defaults), extended resources from the limits (their requests equal the limits), and
/// the claims by name.
pub fn resources(
    requests: Option<BTreeMap<String, Quantity>>,
    limits: Option<BTreeMap<String, Quantity>>,
    spec: Option<&ContainerResources>,
) -> ResourceRequirements {
    let extended = spec
        .and_then(|r| r.limits.as_ref())
        .map(|a| &a.extended)
        .filter(|e| !e.is_empty());
    let add = |base: Option<BTreeMap<String, Quantity>>| match extended {
        None => base,
        Some(e) => {
            let mut m = base.unwrap_or_default();
            m.extend(
                e.iter()
                    .filter_map(|(k, n)| Some((k.clone(), Quantity(n.value()?.to_string())))),
            );
            Some(m)
        }
    };
    let claims: Vec<ResourceClaim> = spec
        .map(|r| {
            r.claims
                .keys()
                .map(|name| ResourceClaim {
                    name: name.clone(),
                    request: None,
                })
                .collect()
        })
        .unwrap_or_default();
    ResourceRequirements {
        requests: add(requests),
        limits: add(limits),
        claims: (!claims.is_empty()).then_some(claims),
    }
}

/// The pod's `resourceClaims`: one per claim, from its ResourceClaimTemplate.
pub fn pod_claims(claims: &BTreeMap<String, String>) -> Vec<PodResourceClaim> {
    claims
        .iter()
        .map(|(name, template)| PodResourceClaim {
            name: name.clone(),
            resource_claim_template_name: Some(template.clone()),
            ..PodResourceClaim::default()
        })
        .collect()
}

/// One probe running `check`, with the timings it sets (Kubernetes' defaults for the rest).
fn probe(check: &ProbeCheck) -> Probe {
    let port = IntOrString::String(check.port.clone().unwrap_or_else(|| HTTP_PORT.into()));
    // Validation keeps every timing within 0..=i32::MAX.
    let t = |v: Option<i64>| v.map(|n| n as i32);
    let timings = &check.timings;
    let mut p = Probe {
        initial_delay_seconds: t(timings.initial_delay_seconds),
        period_seconds: t(timings.period_seconds),
        timeout_seconds: t(timings.timeout_seconds),
        failure_threshold: t(timings.failure_threshold),
        success_threshold: t(timings.success_threshold),
        ..Probe::default()
    };
    if let Some(path) = &check.path {
        p.http_get = Some(HTTPGetAction {
            path: Some(path.clone()),
            port,
            scheme: check.scheme.map(|s| s.as_str().to_string()),
            ..HTTPGetAction::default()
        });
    } else if let Some(cmd) = &check.exec {
        p.exec = Some(ExecAction {
            command: Some(cmd.clone()),
        });
    } else {
        p.tcp_socket = Some(TCPSocketAction { port, host: None });
    }
    p
}

/// The readiness, liveness and startup probes of a container.
pub struct ContainerProbes {
    pub readiness: Option<Probe>,
    pub liveness: Option<Probe>,
    pub startup: Option<Probe>,
}

/// Readiness and liveness run their check with their own timings, else the short form's,
/// else Kubernetes' defaults; the startup probe allows about 5 minutes (30 x 10 s) before
/// liveness takes over, unless it sets timings of its own: then exactly those.
pub fn probes(probes: Option<&Probes>) -> ContainerProbes {
    let Some(p) = probes else {
        return ContainerProbes {
            readiness: None,
            liveness: None,
            startup: None,
        };
    };
    ContainerProbes {
        readiness: p
            .with_short_timings(p.readiness.as_ref())
            .map(|c| probe(&c)),
        liveness: p.with_short_timings(p.liveness.as_ref()).map(|c| probe(&c)),
        startup: p.of(p.startup.as_ref()).map(|c| {
            if c.timings.is_empty() {
                Probe {
                    period_seconds: Some(PROBE_PERIOD),
                    failure_threshold: Some(STARTUP_FAILURES),
                    ..probe(&c)
                }
            } else {
                probe(&c)
            }
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{Value, json};

    /// Read as the function reads: YAML to a value (YAML 1.2: `on` is a string), then typed.
    fn read<T: serde::de::DeserializeOwned>(yaml: &str) -> T {
        let v =
            crate::input::yaml::parse_one(yaml, &crate::input::yaml::Limits::default()).unwrap();
        serde_json::from_value(v).unwrap()
    }

    #[test]
    fn ports_table() {
        let cases: &[(&str, Option<i64>, Value)] = &[
            ("none", None, json!([])),
            (
                "http only",
                Some(8989),
                json!([{"name": "http", "containerPort": 8989, "protocol": "TCP"}]),
            ),
            (
                "extras in name order",
                Some(80),
                json!([
                    {"name": "http", "containerPort": 80, "protocol": "TCP"},
                    {"name": "metrics", "containerPort": 9707, "protocol": "TCP"},
                    {"name": "stun", "containerPort": 3478, "protocol": "UDP"},
                ]),
            ),
        ];
        for (name, http, want) in cases {
            let extra: BTreeMap<String, PortSpec> = if *name == "extras in name order" {
                read("{stun: {port: 3478, protocol: UDP}, metrics: 9707}")
            } else {
                BTreeMap::new()
            };
            assert_eq!(
                serde_json::to_value(ports(*http, &extra)).unwrap(),
                *want,
                "{name}"
            );
        }
    }

    #[test]
    fn env_values_are_text_or_secret_refs() {
        let env_map: BTreeMap<String, EnvValue> =
            read("{PORT: 80, DEBUG: false, MODE: on, KEY: {secret: app-secret, key: api-key}}");
        assert_eq!(
            serde_json::to_value(env(&env_map)).unwrap(),
            json!([
                {"name": "DEBUG", "value": "false"},
                {"name": "KEY", "valueFrom": {"secretKeyRef": {"name": "app-secret", "key": "api-key"}}},
                {"name": "MODE", "value": "on"},
                {"name": "PORT", "value": "80"},
            ])
        );
    }

    #[test]
    fn env_from_generated_first() {
        let se: SecretEnv = read("{fromStore: app, existing: [b-secret, a-secret]}");
        let names: Vec<String> = env_from(Some(&se), "web-secret")
            .into_iter()
            .map(|e| e.secret_ref.unwrap().name)
            .collect();
        assert_eq!(names, ["web-secret", "b-secret", "a-secret"]);
        assert!(env_from(None, "web-secret").is_empty());
    }

    #[test]
    fn extended_resources_and_claims() {
        let r: ContainerResources =
            read("{limits: {memory: 2Gi, gpu.intel.com/i915: 1}, claims: {gpu: jellyfin-gpu}}");
        let mem = || {
            Some(BTreeMap::from([(
                "memory".to_string(),
                Quantity("2Gi".into()),
            )]))
        };
        let got = serde_json::to_value(resources(None, mem(), Some(&r))).unwrap();
        assert_eq!(
            got,
            json!({
                "requests": {"gpu.intel.com/i915": "1"},
                "limits": {"memory": "2Gi", "gpu.intel.com/i915": "1"},
                "claims": [{"name": "gpu"}],
            })
        );
        assert_eq!(
            serde_json::to_value(pod_claims(&r.claims)).unwrap(),
            json!([{"name": "gpu", "resourceClaimTemplateName": "jellyfin-gpu"}])
        );
        let plain = serde_json::to_value(resources(None, mem(), None)).unwrap();
        assert_eq!(plain, json!({"limits": {"memory": "2Gi"}}));
    }

    #[test]
    fn probes_table() {
        let cases: &[(&str, &str, Value, Value, Value)] = &[
            (
                "short path: all three",
                "{path: /ping}",
                json!({"httpGet": {"path": "/ping", "port": "http"}}),
                json!({"httpGet": {"path": "/ping", "port": "http"}}),
                json!({"httpGet": {"path": "/ping", "port": "http"}, "periodSeconds": 10, "failureThreshold": 30}),
            ),
            (
                "tcp on a named port",
                "{tcp: true, port: mqtt}",
                json!({"tcpSocket": {"port": "mqtt"}}),
                json!({"tcpSocket": {"port": "mqtt"}}),
                json!({"tcpSocket": {"port": "mqtt"}, "periodSeconds": 10, "failureThreshold": 30}),
            ),
            (
                "per kind overrides, startup off",
                "{path: /health, liveness: {path: /livez}, readiness: {exec: [pg_isready]}, startup: false}",
                json!({"exec": {"command": ["pg_isready"]}}),
                json!({"httpGet": {"path": "/livez", "port": "http"}}),
                Value::Null,
            ),
            (
                "only one kind",
                "{liveness: {tcp: true}}",
                Value::Null,
                json!({"tcpSocket": {"port": "http"}}),
                Value::Null,
            ),
            (
                "short timings to readiness and liveness, field by field; startup keeps 5 minutes",
                "{path: /ping, periodSeconds: 15, timeoutSeconds: 5, failureThreshold: 4, liveness: {path: /livez, scheme: HTTPS, timeoutSeconds: 10, initialDelaySeconds: 30}}",
                json!({"httpGet": {"path": "/ping", "port": "http"}, "periodSeconds": 15, "timeoutSeconds": 5, "failureThreshold": 4}),
                json!({"httpGet": {"path": "/livez", "port": "http", "scheme": "HTTPS"}, "initialDelaySeconds": 30, "periodSeconds": 15, "timeoutSeconds": 10, "failureThreshold": 4}),
                json!({"httpGet": {"path": "/ping", "port": "http"}, "periodSeconds": 10, "failureThreshold": 30}),
            ),
            (
                "startup with timings: exactly those; readiness success threshold",
                "{tcp: true, readiness: {tcp: true, successThreshold: 2}, startup: {tcp: true, periodSeconds: 10, failureThreshold: 90}}",
                json!({"tcpSocket": {"port": "http"}, "successThreshold": 2}),
                json!({"tcpSocket": {"port": "http"}}),
                json!({"tcpSocket": {"port": "http"}, "periodSeconds": 10, "failureThreshold": 90}),
            ),
            (
                "short HTTPS",
                "{path: /, scheme: HTTPS, startup: {path: /, timeoutSeconds: 3}}",
                json!({"httpGet": {"path": "/", "port": "http", "scheme": "HTTPS"}}),
                json!({"httpGet": {"path": "/", "port": "http", "scheme": "HTTPS"}}),
                json!({"httpGet": {"path": "/", "port": "http"}, "timeoutSeconds": 3}),
            ),
        ];
        for (name, yaml, r, l, s) in cases {
            let p: Probes = read(yaml);
            let got = probes(Some(&p));
            let v = |p: Option<Probe>| serde_json::to_value(p).unwrap();
            assert_eq!(v(got.readiness), *r, "{name}");
            assert_eq!(v(got.liveness), *l, "{name}");
            assert_eq!(v(got.startup), *s, "{name}");
        }
        assert!(probes(None).readiness.is_none());
    }
}

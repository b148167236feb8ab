//! The Ingress of an app: internal, or external through the tunnel with external-dns.

use std::collections::BTreeMap;

use k8s_openapi::api::networking::v1::{
    HTTPIngressPath, HTTPIngressRuleValue, Ingress, IngressBackend, IngressRule,
    IngressServiceBackend, IngressSpec, IngressTLS, ServiceBackendPort,
};

use super::{meta, service};
use crate::model::platform::{GatewayRef, Platform};
use crate::model::spec::IngressPattern;
use crate::validate::App;

pub const EXTERNAL_DNS_HOSTNAME: &str = "external-dns.alpha.kubernetes.io/hostname";
pub const EXTERNAL_DNS_PROXIED: &str = "external-dns.alpha.kubernetes.io/cloudflare-proxied";
pub const EXTERNAL_DNS_TARGET: &str = "external-dns.alpha.kubernetes.io/target";
pub const CLUSTER_ISSUER: &str = "cert-manager.io/cluster-issuer";

/// The annotations of the Ingress or an HTTPRoute serving `hosts`: the spec's own, and the
/// external-dns ones an external app's route carries (every host, comma-separated, and
/// Cloudflare's proxy). Not the target: external-dns's Gateway API source reads it from the
/// Gateway (or a ListenerSet), never from a route, so only the Ingress adds it
/// ([`external_target`]). Validation refuses spec annotations with the function's keys, so
/// neither overrides the other.
pub fn annotations(app: &App, hosts: &[&str]) -> BTreeMap<String, String> {
    let mut annotations = app.spec.body.ingress.annotations.clone();
    if app.spec.body.ingress.pattern == IngressPattern::ExternalViaTunnel {
        annotations.insert(EXTERNAL_DNS_HOSTNAME.to_string(), hosts.join(","));
        annotations.insert(EXTERNAL_DNS_PROXIED.to_string(), "true".to_string());
    }
    annotations
}

/// The external-dns target an external app's Ingress carries: the platform's
/// `ingress.external.target` (external-dns's Ingress source reads it from the Ingress).
pub fn external_target<'p>(app: &App, platform: &'p Platform) -> Option<&'p String> {
    (app.spec.body.ingress.pattern == IngressPattern::ExternalViaTunnel)
        .then_some(platform.ingress.external.target.as_ref())
        .flatten()
}

/// The Gateway the app's pattern routes through, when the platform uses Gateway API.
pub fn gateway<'p>(app: &App, platform: &'p Platform) -> Option<&'p GatewayRef> {
    let gateways = platform.ingress.gateway.as_ref()?;
    match app.spec.body.ingress.pattern {
        IngressPattern::None => None,
        IngressPattern::InternalOnly => gateways.internal.as_ref(),
        IngressPattern::ExternalViaTunnel => gateways.external.as_ref(),
    }
}

/// Whether an external app is also served on the internal entry point
/// (`ingress.alsoInternal`).
pub fn also_internal(app: &App) -> bool {
    let ing = &app.spec.body.ingress;
    ing.also_internal && ing.pattern == IngressPattern::ExternalViaTunnel && app.host.is_some()
}

/// The platform's internal Gateway, which an `alsoInternal` app's HTTPRoutes attach to
/// beside the external one (validation requires both Gateways, or neither).
pub fn internal_gateway<'p>(app: &App, platform: &'p Platform) -> Option<&'p GatewayRef> {
    if !also_internal(app) {
        return None;
    }
    gateway(app, platform)?;
    platform.ingress.gateway.as_ref()?.internal.as_ref()
}

/// The name of the second Ingress of an `alsoInternal` app.
pub fn internal_name(app: &App) -> String {
    crate::model::names::label(&app.spec.name, "internal")
}

/// The Ingress of the app, unless its pattern has none or routes through a Gateway.
pub fn ingress(app: &App, platform: &Platform) -> Option<Ingress> {
    build(app, platform, false)
}

/// The second Ingress `<name>-internal` of an `alsoInternal` app on a platform of ingress
/// classes: the internal class, the same hosts, paths, backends, annotations and timeout,
/// no external-dns annotations (as an internal-only app's Ingress), and the same TLS Secret
/// without the issuer annotation: the external Ingress's certificate covers the same hosts,
/// and a second issuer annotation would have cert-manager fight over one Certificate.
pub fn internal_ingress(app: &App, platform: &Platform) -> Option<Ingress> {
    if !also_internal(app) {
        return None;
    }
    build(app, platform, true)
}

fn build(app: &App, platform: &Platform, internal: bool) -> Option<Ingress> {
    app.host.as_ref()?;
    if gateway(app, platform).is_some() {
        return None;
    }
    let ing = &app.spec.body.ingress;
    let hosts: Vec<String> = app.all_hosts().into_iter().map(str::to_string).collect();
    let mut annotations = if internal {
        ing.annotations.clone()
    } else {
        let mut a = annotations(app, &app.all_hosts());
        if let Some(target) = external_target(app, platform) {
            a.insert(EXTERNAL_DNS_TARGET.to_string(), target.clone());
        }
        a
    };
    if let (Some(key), Some(t)) = (&platform.ingress.timeout_annotation, &ing.timeout) {
        // Validated: a positive duration.
        let seconds = crate::validate::network::timeout_seconds(t).unwrap_or_default();
        annotations.insert(key.clone(), seconds.to_string());
    }
    // The port and path each host goes to: `http` and `ingress.path` for host and
    // aliases, a route's own port and path.
    let routes: BTreeMap<&str, &crate::model::spec::IngressRoute> =
        ing.routes.iter().map(|r| (r.host.as_str(), r)).collect();
    let class = match (ing.pattern, internal) {
        (IngressPattern::None, _) => return None,
        (IngressPattern::InternalOnly, _) | (_, true) => &platform.ingress.internal,
        (IngressPattern::ExternalViaTunnel, false) => &platform.ingress.external,
    };
    let tls = platform.ingress.tls.as_ref().map(|tls| {
        if !internal {
            annotations.insert(CLUSTER_ISSUER.to_string(), tls.cluster_issuer.clone());
        }
        vec![IngressTLS {
            hosts: Some(hosts.clone()),
            secret_name: Some(crate::model::names::label(&app.spec.name, "tls")),
        }]
    });
    let name = if internal {
        internal_name(app)
    } else {
        app.spec.name.clone()
    };
    let mut metadata = meta(app, &name);
    metadata.annotations = (!annotations.is_empty()).then_some(annotations);
    Some(Ingress {
        metadata,
        spec: Some(IngressSpec {
            ingress_class_name: Some(class.class_name.clone()),
            rules: Some(
                hosts
                    .into_iter()
                    .map(|host| IngressRule {
                        http: Some(HTTPIngressRuleValue {
                            paths: vec![HTTPIngressPath {
                                path: Some(match routes.get(host.as_str()) {
                                    Some(r) => r.path().to_string(),
                                    None => ing.path().to_string(),
                                }),
                                path_type: "Prefix".to_string(),
                                backend: IngressBackend {
                                    service: Some(IngressServiceBackend {
                                        name: app.spec.name.clone(),
                                        port: Some(match routes.get(host.as_str()) {
                                            Some(r) => ServiceBackendPort {
                                                number: None,
                                                name: Some(r.port.clone()),
                                            },
                                            None => ServiceBackendPort {
                                                number: Some(service::port(app)),
                                                name: None,
                                            },
                                        }),
                                    }),
                                    resource: None,
                                },
                            }],
                        }),
                        host: Some(host),
                    })
                    .collect(),
            ),
            tls,
            default_backend: None,
        }),
        status: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::expand::test_support;
    use crate::model::platform::Tls;

    #[test]
    fn table() {
        // (name, ingress block, expected host, expected annotations)
        type Case<'a> = (&'a str, &'a str, Option<&'a str>, &'a [(&'a str, &'a str)]);
        let cases: &[Case] = &[
            (
                "internal default host",
                "{}",
                Some("web.in.hypyr.space"),
                &[],
            ),
            (
                "internal given host",
                "{host: shop.in.hypyr.space, path: /api}",
                Some("shop.in.hypyr.space"),
                &[],
            ),
            (
                "external",
                "{pattern: external-via-tunnel}",
                Some("web.hypyr.space"),
                &[
                    (EXTERNAL_DNS_PROXIED, "true"),
                    (EXTERNAL_DNS_HOSTNAME, "web.hypyr.space"),
                ],
            ),
            ("none", "{pattern: none}", None, &[]),
        ];
        for (name, block, host, annotations) in cases {
            let (app, site) = test_support::app(&format!(
                "metadata: {{name: web}}\nspec: {{image: \"nginx:1\", ingress: {block}}}"
            ));
            let got = ingress(&app, &site.config).map(|i| serde_json::to_value(i).unwrap());
            assert_eq!(
                got.as_ref()
                    .map(|v| v["spec"]["rules"][0]["host"].as_str().unwrap()),
                *host,
                "{name}"
            );
            if let Some(v) = got {
                let expected: serde_json::Map<String, serde_json::Value> = annotations
                    .iter()
                    .map(|(k, v)| (k.to_string(), (*v).into()))
                    .collect();
                let expected =
                    (!expected.is_empty()).then_some(serde_json::Value::Object(expected));
                assert_eq!(
                    v["metadata"].get("annotations").cloned(),
                    expected,
                    "{name}"
                );
                assert_eq!(v["spec"]["ingressClassName"], "nginx", "{name}");
            }
        }
    }

    #[test]
    fn backend_targets_the_service_port() {
        for (service, port) in [("", 80), (", service: {port: 32400}", 32400)] {
            let (app, site) = test_support::app(&format!(
                "metadata: {{name: web}}\nspec: {{image: \"nginx:1\"{service}}}"
            ));
            let v = serde_json::to_value(ingress(&app, &site.config).unwrap()).unwrap();
            let backend = &v["spec"]["rules"][0]["http"]["paths"][0]["backend"]["service"];
            assert_eq!(
                backend,
                &serde_json::json!({"name": "web", "port": {"number": port}})
            );
        }
    }

    #[test]
    fn also_internal_is_a_second_ingress_of_the_internal_class() {
        // (name, ingress block, TLS from the platform, expected second Ingress)
        let cases: &[(&str, &str, bool, bool)] = &[
            (
                "external only",
                "{pattern: external-via-tunnel}",
                false,
                false,
            ),
            (
                "external and internal",
                "{pattern: external-via-tunnel, alsoInternal: true}",
                false,
                true,
            ),
            (
                "with TLS, auth and a route with a path",
                "{pattern: external-via-tunnel, alsoInternal: true, path: /ui, annotations: {nginx.ingress.kubernetes.io/auth-url: \"https://auth.hypyr.space/verify\"}, routes: [{host: api.hypyr.space, port: api, path: /v1}]}",
                true,
                true,
            ),
            ("none", "{pattern: none}", false, false),
        ];
        for (name, block, tls, second) in cases {
            let (app, mut site) = test_support::app(&format!(
                "metadata: {{name: web}}\nspec: {{image: \"nginx:1\", ports: {{api: 9000}}, ingress: {block}}}"
            ));
            site.config.ingress.internal.class_name = "nginx-internal".into();
            site.config.ingress.external.class_name = "nginx-external".into();
            site.config.ingress.external.target = Some("tunnel.hypyr.space".into());
            if *tls {
                site.config.ingress.tls = Some(Tls {
                    cluster_issuer: "letsencrypt-prod".into(),
                });
            }
            let got =
                internal_ingress(&app, &site.config).map(|i| serde_json::to_value(i).unwrap());
            assert_eq!(got.is_some(), *second, "{name}");
            let (Some(internal), Some(external)) = (
                got,
                ingress(&app, &site.config).map(|i| serde_json::to_value(i).unwrap()),
            ) else {
                continue;
            };
            assert_eq!(internal["metadata"]["name"], "web-internal", "{name}");
            assert_eq!(
                internal["spec"]["ingressClassName"], "nginx-internal",
                "{name}"
            );
            assert_eq!(
                external["spec"]["ingressClassName"], "nginx-external",
                "{name}"
            );
            // The same hosts, paths and backends; the same TLS Secret.
            assert_eq!(
                internal["spec"]["rules"], external["spec"]["rules"],
                "{name}"
            );
            assert_eq!(internal["spec"]["tls"], external["spec"]["tls"], "{name}");
            // The spec's own annotations (auth) follow; external-dns and the issuer do not.
            let mut want = external["metadata"]["annotations"]
                .as_object()
                .unwrap()
                .clone();
            for key in [
                EXTERNAL_DNS_HOSTNAME,
                EXTERNAL_DNS_PROXIED,
                EXTERNAL_DNS_TARGET,
                CLUSTER_ISSUER,
            ] {
                assert!(
                    want.remove(key).is_some() || (key == CLUSTER_ISSUER && !tls),
                    "{name}: {key}"
                );
            }
            assert_eq!(
                internal["metadata"].get("annotations").cloned(),
                (!want.is_empty()).then_some(serde_json::Value::Object(want)),
                "{name}"
            );
            if *tls {
                let rules = internal["spec"]["rules"].as_array().unwrap();
                assert_eq!(rules[0]["http"]["paths"][0]["path"], "/ui", "{name}");
                assert_eq!(rules[1]["host"], "api.hypyr.space", "{name}");
                assert_eq!(rules[1]["http"]["paths"][0]["path"], "/v1", "{name}");
                assert_eq!(
                    rules[1]["http"]["paths"][0]["backend"]["service"]["port"]["name"], "api",
                    "{name}"
                );
                assert_eq!(
                    internal["metadata"]["annotations"]["nginx.ingress.kubernetes.io/auth-url"],
                    "https://auth.hypyr.space/verify",
                    "{name}"
                );
            }
        }
    }

    #[test]
    fn tls_and_target_from_platform() {
        let (app, mut site) = test_support::app(
            "metadata: {name: web}\nspec: {image: \"nginx:1\", ingress: {pattern: external-via-tunnel}}",
        );
        site.config.ingress.tls = Some(Tls {
            cluster_issuer: "letsencrypt-prod".into(),
        });
        site.config.ingress.external.target = Some("tunnel.hypyr.space".into());
        let v = serde_json::to_value(ingress(&app, &site.config).unwrap()).unwrap();
        assert_eq!(
            v["metadata"]["annotations"][CLUSTER_ISSUER],
            "letsencrypt-prod"
        );
        assert_eq!(
            v["metadata"]["annotations"][EXTERNAL_DNS_TARGET],
            "tunnel.hypyr.space"
        );
        assert_eq!(v["spec"]["tls"][0]["secretName"], "web-tls");
        assert_eq!(v["spec"]["tls"][0]["hosts"][0], "web.hypyr.space");
    }
}

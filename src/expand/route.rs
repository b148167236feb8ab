//! The Gateway API HTTPRoute of an app, when the platform routes through Gateways.

use super::{ingress, meta, service};
use crate::model::crd::{
    BackendRef, HttpRoute, HttpRouteSpec, ParentRef, PathMatch, RouteMatch, RouteRule,
    RouteTimeouts,
};
use crate::model::platform::Platform;
use crate::validate::App;

pub fn route(app: &App, platform: &Platform) -> Option<HttpRoute> {
    app.host.as_ref()?;
    let hosts = app.hosts();
    let port = service::port(app);
    build(
        app,
        platform,
        &app.spec.name,
        &hosts,
        app.spec.body.ingress.path(),
        port,
    )
}

/// One HTTPRoute `<name>-<port>` per `ingress.routes` entry: its host, path `/`, to the
/// Service port of that name. (A route cannot choose a backend by host, so each host to
/// another port is a route of its own.)
pub fn extra_routes(app: &App, platform: &Platform) -> Vec<HttpRoute> {
    if app.host.is_none() {
        return Vec::new();
    }
    let ports = service::ports(app);
    app.spec
        .body
        .ingress
        .routes
        .iter()
        .filter_map(|r| {
            let number = ports
                .iter()
                .find(|p| p.name.as_deref() == Some(&r.port))?
                .port;
            let name = crate::model::names::label(&app.spec.name, &r.port);
            build(app, platform, &name, &[r.host.as_str()], "/", number)
        })
        .collect()
}

fn build(
    app: &App,
    platform: &Platform,
    name: &str,
    hosts: &[&str],
    path: &str,
    port: i32,
) -> Option<HttpRoute> {
    let gateway = ingress::gateway(app, platform)?;
    let annotations = ingress::annotations(app, platform, hosts);
    let mut metadata = meta(app, name);
    metadata.annotations = (!annotations.is_empty()).then_some(annotations);
    Some(HttpRoute::new(
        metadata,
        HttpRouteSpec {
            parent_refs: vec![ParentRef {
                name: gateway.name.clone(),
                namespace: gateway.namespace.clone(),
                section_name: gateway.section_name.clone(),
            }],
            hostnames: hosts.iter().map(|h| h.to_string()).collect(),
            rules: vec![RouteRule {
                matches: vec![RouteMatch {
                    path: PathMatch {
                        type_: "PathPrefix",
                        value: path.to_string(),
                    },
                }],
                backend_refs: vec![BackendRef {
                    name: app.spec.name.clone(),
                    port,
                }],
                timeouts: app
                    .spec
                    .body
                    .ingress
                    .timeout
                    .clone()
                    .map(|request| RouteTimeouts { request }),
            }],
        },
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::expand::test_support;
    use crate::model::platform::{GatewayRef, Gateways};

    #[test]
    fn backend_ref_targets_the_service_port() {
        let (app, mut site) = test_support::app(
            "metadata: {name: plex}\nspec: {image: \"plex:1\", service: {port: 32400}}",
        );
        site.config.ingress.gateway = Some(Gateways {
            internal: Some(GatewayRef {
                name: "envoy-internal".into(),
                namespace: "network".into(),
                section_name: None,
            }),
            external: None,
        });
        let r = serde_json::to_value(route(&app, &site.config).unwrap()).unwrap();
        assert_eq!(
            r["spec"]["rules"][0]["backendRefs"][0],
            serde_json::json!({"name": "plex", "port": 32400})
        );
    }

    #[test]
    fn table() {
        let gw = |name: &str| {
            Some(GatewayRef {
                name: name.into(),
                namespace: "network".into(),
                section_name: None,
            })
        };
        // (name, ingress block, gateways, expected parent, expected Ingress too)
        type Case<'a> = (&'a str, &'a str, Option<Gateways>, Option<&'a str>, bool);
        let cases: Vec<Case> = vec![
            ("no gateways", "{}", None, None, true),
            (
                "internal through its gateway",
                "{path: /api}",
                Some(Gateways {
                    internal: gw("envoy-internal"),
                    external: gw("envoy-external"),
                }),
                Some("envoy-internal"),
                false,
            ),
            (
                "external through its gateway",
                "{pattern: external-via-tunnel}",
                Some(Gateways {
                    internal: None,
                    external: gw("envoy-external"),
                }),
                Some("envoy-external"),
                false,
            ),
            (
                "internal without a gateway of its own",
                "{}",
                Some(Gateways {
                    internal: None,
                    external: gw("envoy-external"),
                }),
                None,
                true,
            ),
            (
                "no ingress",
                "{pattern: none}",
                Some(Gateways {
                    internal: gw("envoy-internal"),
                    external: None,
                }),
                None,
                false,
            ),
        ];
        for (name, block, gateways, parent, has_ingress) in cases {
            let (app, mut site) = test_support::app(&format!(
                "metadata: {{name: web}}\nspec: {{image: \"nginx:1\", ingress: {block}}}"
            ));
            site.config.ingress.gateway = gateways;
            let r = route(&app, &site.config).map(|r| serde_json::to_value(r).unwrap());
            assert_eq!(
                r.as_ref()
                    .map(|r| r["spec"]["parentRefs"][0]["name"].as_str().unwrap()),
                parent,
                "{name}"
            );
            assert_eq!(
                ingress::ingress(&app, &site.config).is_some(),
                has_ingress,
                "{name}"
            );
            if let Some(r) = r {
                assert_eq!(r["apiVersion"], "gateway.networking.k8s.io/v1", "{name}");
                assert_eq!(r["spec"]["backendRefs"], serde_json::Value::Null, "{name}");
                assert_eq!(
                    r["spec"]["rules"][0]["backendRefs"][0],
                    serde_json::json!({"name": "web", "port": 80}),
                    "{name}"
                );
                assert_eq!(
                    r["spec"]["rules"][0]["matches"][0]["path"]["type"], "PathPrefix",
                    "{name}"
                );
                let external = block.contains("external");
                assert_eq!(
                    r["metadata"].get("annotations").is_some(),
                    external,
                    "{name}"
                );
                let host = if external {
                    "web.hypyr.space"
                } else {
                    "web.in.hypyr.space"
                };
                assert_eq!(r["spec"]["hostnames"], serde_json::json!([host]), "{name}");
            }
        }
    }
}

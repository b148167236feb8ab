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

/// One HTTPRoute `<name>-<port>` per `ingress.routes` entry: its host and path, to the
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
            build(app, platform, &name, &[r.host.as_str()], r.path(), number)
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
    // No external-dns target: external-dns reads it from the Gateway, not from a route.
    let annotations = ingress::annotations(app, hosts);
    let mut metadata = meta(app, name);
    metadata.annotations = (!annotations.is_empty()).then_some(annotations);
    Some(HttpRoute::new(
        metadata,
        HttpRouteSpec {
            parent_refs: std::iter::once(gateway)
                .chain(ingress::internal_gateway(app, platform))
                .map(|g| ParentRef {
                    name: g.name.clone(),
                    namespace: g.namespace.clone(),
                    section_name: g.section_name.clone(),
                })
                .collect(),
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
    fn also_internal_adds_the_internal_gateway_to_every_route() {
        let gw = |name: &str, section: Option<&str>| {
            Some(GatewayRef {
                name: name.into(),
                namespace: "network".into(),
                section_name: section.map(str::to_string),
            })
        };
        // (ingress block, expected parents of the app's route and of the extra route)
        let cases: &[(&str, &[&str])] = &[
            (
                "{pattern: external-via-tunnel, routes: [{host: api.hypyr.space, port: api, path: /v1}]}",
                &["envoy-external"],
            ),
            (
                "{pattern: external-via-tunnel, alsoInternal: true, routes: [{host: api.hypyr.space, port: api, path: /v1}]}",
                &["envoy-external", "envoy-internal"],
            ),
            (
                "{routes: [{host: api.in.hypyr.space, port: api, path: /v1}]}",
                &["envoy-internal"],
            ),
        ];
        for (block, parents) in cases {
            let (app, mut site) = test_support::app(&format!(
                "metadata: {{name: web}}\nspec: {{image: \"nginx:1\", ports: {{api: 9000}}, ingress: {block}}}"
            ));
            site.config.ingress.gateway = Some(Gateways {
                internal: gw("envoy-internal", Some("https")),
                external: gw("envoy-external", None),
            });
            site.config.ingress.external.target = Some("tunnel.hypyr.space".into());
            let main = serde_json::to_value(route(&app, &site.config).unwrap()).unwrap();
            let extra = extra_routes(&app, &site.config);
            assert_eq!(extra.len(), 1, "{block}");
            let extra = serde_json::to_value(&extra[0]).unwrap();
            // The one route on both Gateways: external-dns's hostname and proxied, no
            // target (each Gateway's own); an internal app's route has no external-dns ones.
            let external = block.contains("external");
            for (r, hosts) in [
                (&main, if external { "web.hypyr.space" } else { "" }),
                (&extra, if external { "api.hypyr.space" } else { "" }),
            ] {
                let want = external.then(|| {
                    serde_json::json!({
                        ingress::EXTERNAL_DNS_HOSTNAME: hosts,
                        ingress::EXTERNAL_DNS_PROXIED: "true",
                    })
                });
                assert_eq!(r["metadata"].get("annotations").cloned(), want, "{block}");
            }
            for r in [&main, &extra] {
                let got: Vec<&str> = r["spec"]["parentRefs"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|p| p["name"].as_str().unwrap())
                    .collect();
                assert_eq!(got, *parents, "{block}");
                // The internal Gateway's listener is the platform's.
                for p in r["spec"]["parentRefs"].as_array().unwrap() {
                    let section = (p["name"] == "envoy-internal").then_some("https");
                    assert_eq!(p["sectionName"].as_str(), section, "{block}");
                }
            }
            assert_eq!(extra["metadata"]["name"], "web-api", "{block}");
            assert_eq!(
                extra["spec"]["rules"][0]["matches"][0]["path"]["value"], "/v1",
                "{block}"
            );
            assert_eq!(
                extra["spec"]["rules"][0]["backendRefs"][0],
                serde_json::json!({"name": "web", "port": 9000}),
                "{block}"
            );
            assert!(
                ingress::internal_ingress(&app, &site.config).is_none(),
                "{block}"
            );
        }
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
            // The platform names a target: the Ingress carries it, a route never does.
            site.config.ingress.external.target = Some("tunnel.hypyr.space".into());
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
                let host = if external {
                    "web.hypyr.space"
                } else {
                    "web.in.hypyr.space"
                };
                // external-dns reads hostname and proxied from the route, the target only
                // from the Gateway: an external route has the first two, never the target.
                let annotations = external.then(|| {
                    serde_json::json!({
                        ingress::EXTERNAL_DNS_HOSTNAME: host,
                        ingress::EXTERNAL_DNS_PROXIED: "true",
                    })
                });
                assert_eq!(
                    r["metadata"].get("annotations").cloned(),
                    annotations,
                    "{name}"
                );
                assert_eq!(r["spec"]["hostnames"], serde_json::json!([host]), "{name}");
            }
        }
    }
}

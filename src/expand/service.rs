//! The ClusterIP Service of an app: port 80 to the container's named port.

use k8s_openapi::api::core::v1::{Service, ServicePort, ServiceSpec};
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

use super::{meta, selector, workload::PORT_NAME};
use crate::validate::App;

pub const PORT: i32 = 80;

/// The Service port that targets `http`: `service.port`, default 80. The Ingress backend
/// and the HTTPRoute backendRef name this number, so traffic reaches the app.
pub fn port(app: &App) -> i32 {
    app.spec
        .body
        .service
        .as_ref()
        .and_then(|o| o.port)
        .map_or(PORT, |p| p as i32)
}

/// The Service's ports: `service.port` (default 80) to `http` (with `service.appProtocol`), then every extra port of
/// the pod's containers under its own number, name and `appProtocol` (not those with
/// `service: false`).
pub fn ports(app: &App) -> Vec<ServicePort> {
    let s = &app.spec.body;
    let port =
        |name: &str, number: i64, protocol: String, app_protocol: Option<&str>| ServicePort {
            name: Some(name.to_string()),
            port: number as i32,
            target_port: Some(IntOrString::String(name.to_string())),
            protocol: Some(protocol),
            app_protocol: app_protocol.map(str::to_string),
            ..ServicePort::default()
        };
    std::iter::once(port(
        PORT_NAME,
        self::port(app).into(),
        "TCP".to_string(),
        s.service.as_ref().and_then(|o| o.app_protocol.as_deref()),
    ))
    .chain(
        s.ports
            .iter()
            .chain(s.sidecars.iter().flat_map(|c| &c.ports))
            .filter(|(_, p)| p.on_service())
            .map(|(name, p)| port(name, p.port(), p.protocol().to_string(), p.app_protocol())),
    )
    .collect()
}

pub fn service(app: &App) -> Service {
    Service {
        metadata: meta(app, &app.spec.name),
        spec: Some(ServiceSpec {
            type_: Some("ClusterIP".to_string()),
            selector: Some(selector(app)),
            ports: Some(ports(app)),
            ..ServiceSpec::default()
        }),
        status: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::expand::test_support;

    #[test]
    fn targets_the_named_port() {
        let (app, _) = test_support::app(
            "metadata: {name: web, namespace: team}\nspec: {image: \"nginx:1\", port: 3000}",
        );
        let v = serde_json::to_value(service(&app)).unwrap();
        assert_eq!(
            v["spec"],
            serde_json::json!({
                "type": "ClusterIP",
                "selector": {"app.kubernetes.io/name": "web", "app.kubernetes.io/instance": "web"},
                "ports": [{"name": "http", "port": 80, "targetPort": "http", "protocol": "TCP"}]
            })
        );
        assert_eq!(v["metadata"]["namespace"], "team");
    }

    #[test]
    fn app_protocol_of_the_http_port() {
        // (service block, appProtocol of http on the Service and on the LoadBalancer)
        let cases: &[(&str, Option<&str>)] = &[
            ("{}", None),
            (
                "{appProtocol: kubernetes.io/h2c}",
                Some("kubernetes.io/h2c"),
            ),
            ("{appProtocol: http, loadBalancer: {}}", Some("http")),
        ];
        for (block, expected) in cases {
            let (app, site) = test_support::app(&format!(
                "metadata: {{name: web}}\nspec: {{image: \"nginx:1\", ports: {{grpc: 9090}}, service: {block}}}"
            ));
            let v = serde_json::to_value(service(&app)).unwrap();
            assert_eq!(v["spec"]["ports"][0]["name"], "http", "{block}");
            assert_eq!(
                v["spec"]["ports"][0]["appProtocol"].as_str(),
                *expected,
                "{block}"
            );
            // An extra port keeps its own (none here).
            assert_eq!(v["spec"]["ports"][1].get("appProtocol"), None, "{block}");
            let lb = crate::expand::loadbalancer::load_balancer(&app, &site.config);
            assert_eq!(lb.is_some(), block.contains("loadBalancer"), "{block}");
            if let Some(lb) = lb {
                let lb = serde_json::to_value(lb).unwrap();
                assert_eq!(lb["spec"]["ports"][0]["appProtocol"].as_str(), *expected);
            }
        }
    }
}

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

/// The Service's ports: `service.port` (default 80) to `http`, then every extra port of
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
        None,
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
}

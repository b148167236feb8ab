//! The ClusterIP Service of an app: port 80 to the container's named port.

use k8s_openapi::api::core::v1::{Service, ServicePort, ServiceSpec};
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

use super::{meta, selector, workload::PORT_NAME};
use crate::validate::App;

pub const PORT: i32 = 80;

pub fn service(app: &App) -> Service {
    Service {
        metadata: meta(app, &app.spec.name),
        spec: Some(ServiceSpec {
            type_: Some("ClusterIP".to_string()),
            selector: Some(selector(app)),
            ports: Some(vec![ServicePort {
                name: Some(PORT_NAME.to_string()),
                port: PORT,
                target_port: Some(IntOrString::String(PORT_NAME.to_string())),
                protocol: Some("TCP".to_string()),
                ..ServicePort::default()
            }]),
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

//! The LoadBalancer Service `<name>-lb`: some of the app's named ports on a fixed or
//! provider-chosen IP.

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::{Service, ServiceSpec};

use super::ingress::EXTERNAL_DNS_HOSTNAME;
use super::{meta, selector, service};
use crate::model::platform::Platform;
use crate::validate::App;

/// Name of the LoadBalancer Service.
pub fn name(app: &App) -> String {
    crate::model::names::label(&app.spec.name, "lb")
}

pub fn load_balancer(app: &App, platform: &Platform) -> Option<Service> {
    let lb = app.spec.body.service.as_ref()?.load_balancer.as_ref()?;
    let ports = service::ports(app)
        .into_iter()
        .filter(|p| {
            lb.ports
                .as_ref()
                .is_none_or(|names| p.name.as_ref().is_some_and(|n| names.contains(n)))
        })
        .collect();
    let mut metadata = meta(app, name(app));
    let annotation = platform.load_balancer.ip_annotation.as_ref();
    let mut annotations = BTreeMap::new();
    if let (Some(ip), Some(key)) = (&lb.ip, annotation) {
        annotations.insert(key.clone(), ip.clone());
    }
    if let Some(host) = &lb.host {
        annotations.insert(EXTERNAL_DNS_HOSTNAME.to_string(), host.clone());
    }
    metadata.annotations = (!annotations.is_empty()).then_some(annotations);
    Some(Service {
        metadata,
        spec: Some(ServiceSpec {
            type_: Some("LoadBalancer".to_string()),
            selector: Some(selector(app)),
            ports: Some(ports),
            load_balancer_ip: lb.ip.clone().filter(|_| annotation.is_none()),
            external_traffic_policy: lb.external_traffic_policy.map(|p| p.to_string()),
            ..ServiceSpec::default()
        }),
        status: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::expand::test_support;
    use serde_json::json;

    #[test]
    fn table() {
        // (name, service block, platform ip annotation, expected annotations, expected spec)
        let cases: Vec<(
            &str,
            &str,
            Option<&str>,
            serde_json::Value,
            serde_json::Value,
        )> = vec![
            (
                "provider-chosen IP, all ports",
                "{loadBalancer: {}}",
                None,
                serde_json::Value::Null,
                json!({"type": "LoadBalancer", "selector": {"app.kubernetes.io/name": "web", "app.kubernetes.io/instance": "web"},
                       "ports": [{"name": "http", "port": 80, "targetPort": "http", "protocol": "TCP"}]}),
            ),
            (
                "fixed IP through the platform's annotation",
                "{loadBalancer: {ip: 192.168.42.120, ports: [http]}}",
                Some("lbipam.cilium.io/ips"),
                json!({"lbipam.cilium.io/ips": "192.168.42.120"}),
                json!({"type": "LoadBalancer", "selector": {"app.kubernetes.io/name": "web", "app.kubernetes.io/instance": "web"},
                       "ports": [{"name": "http", "port": 80, "targetPort": "http", "protocol": "TCP"}]}),
            ),
            (
                "fixed IP in the Service field without an annotation",
                "{loadBalancer: {ip: 192.168.42.120}}",
                None,
                serde_json::Value::Null,
                json!({"type": "LoadBalancer", "selector": {"app.kubernetes.io/name": "web", "app.kubernetes.io/instance": "web"},
                       "ports": [{"name": "http", "port": 80, "targetPort": "http", "protocol": "TCP"}],
                       "loadBalancerIP": "192.168.42.120"}),
            ),
            (
                "client addresses kept, a published name",
                "{loadBalancer: {externalTrafficPolicy: Local, host: mqtt.in.hypyr.space, ports: [http]}}",
                None,
                json!({"external-dns.alpha.kubernetes.io/hostname": "mqtt.in.hypyr.space"}),
                json!({"type": "LoadBalancer", "selector": {"app.kubernetes.io/name": "web", "app.kubernetes.io/instance": "web"},
                       "ports": [{"name": "http", "port": 80, "targetPort": "http", "protocol": "TCP"}],
                       "externalTrafficPolicy": "Local"}),
            ),
        ];
        for (name_, block, annotation, annotations, spec) in cases {
            let mut site = crate::site::Site::default();
            site.config.load_balancer.pools = vec!["192.168.42.0/24".into()];
            site.config.load_balancer.ip_annotation = annotation.map(str::to_string);
            let mut doc: serde_json::Value = serde_saphyr::from_str(&format!(
                "{{apiVersion: {}, kind: AppSpec, metadata: {{name: web}}, spec: {{image: \"nginx:1\", service: {block}}}}}",
                crate::API_VERSION
            ))
            .unwrap();
            doc["apiVersion"] = crate::API_VERSION.into();
            let spec_ = crate::model::spec::read(&doc).value.unwrap();
            let (app, issues) = crate::validate::app(&spec_, &site);
            assert!(issues.is_empty(), "{name_}: {issues:?}");
            let v =
                serde_json::to_value(load_balancer(&app.unwrap(), &site.config).unwrap()).unwrap();
            assert_eq!(v["metadata"]["name"], "web-lb", "{name_}");
            assert_eq!(
                v["metadata"]
                    .get("annotations")
                    .cloned()
                    .unwrap_or_default(),
                annotations,
                "{name_}"
            );
            assert_eq!(v["spec"], spec, "{name_}");
        }
        let (app, site) = test_support::app("metadata: {name: web}\nspec: {image: \"nginx:1\"}");
        assert_eq!(load_balancer(&app, &site.config), None);
    }
}

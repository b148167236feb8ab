//! The ServiceMonitor `<name>` of `metrics`: Prometheus scrapes the app's Service.

use super::{meta, selector};
use crate::model::monitoring::{
    Endpoint, Relabeling, Selector, ServiceMonitor, ServiceMonitorSpec,
};
use crate::validate::App;

pub fn service_monitor(app: &App) -> Option<ServiceMonitor> {
    let m = app.spec.body.metrics.as_ref()?;
    Some(ServiceMonitor::new(
        meta(app, &app.spec.name),
        ServiceMonitorSpec {
            selector: Selector {
                match_labels: selector(app),
            },
            endpoints: vec![Endpoint {
                port: m.port().to_string(),
                path: m.path().to_string(),
                interval: m.interval.clone(),
                // Other Services of the app (a LoadBalancer `<name>-lb`) carry the same
                // labels; only the app's own Service is scraped, so no target is counted
                // twice. The name is an RFC 1035 label: no regex metacharacters.
                relabelings: vec![Relabeling {
                    source_labels: vec!["__meta_kubernetes_service_name".to_string()],
                    regex: app.spec.name.clone(),
                    action: "keep",
                }],
            }],
        },
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::expand::test_support;
    use serde_json::json;

    #[test]
    fn table() {
        let cases: Vec<(&str, &str, serde_json::Value)> = vec![
            ("none", "", json!(null)),
            (
                "defaults",
                "metrics: {}",
                json!({"port": "http", "path": "/metrics", "relabelings": [{"sourceLabels": ["__meta_kubernetes_service_name"], "regex": "web", "action": "keep"}]}),
            ),
            (
                "all set",
                "metrics: {port: http, path: /internal/metrics, interval: 1m}",
                json!({"port": "http", "path": "/internal/metrics", "interval": "1m", "relabelings": [{"sourceLabels": ["__meta_kubernetes_service_name"], "regex": "web", "action": "keep"}]}),
            ),
        ];
        for (name, extra, endpoint) in cases {
            let (app, _) = test_support::app(&format!(
                "metadata: {{name: web, namespace: team}}\nspec:\n  image: nginx:1\n  {extra}\n"
            ));
            let sm = service_monitor(&app).map(|s| serde_json::to_value(s).unwrap());
            match sm {
                None => assert_eq!(endpoint, json!(null), "{name}"),
                Some(v) => {
                    assert_eq!(v["apiVersion"], "monitoring.coreos.com/v1", "{name}");
                    assert_eq!(v["metadata"]["namespace"], "team", "{name}");
                    assert_eq!(
                        v["spec"]["selector"],
                        json!({"matchLabels": {"app.kubernetes.io/name": "web", "app.kubernetes.io/instance": "web"}}),
                        "{name}"
                    );
                    assert_eq!(v["spec"]["endpoints"], json!([endpoint]), "{name}");
                }
            }
        }
    }
}

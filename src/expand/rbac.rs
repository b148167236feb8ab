//! The app's own ServiceAccount (`serviceAccount.create`) and its cluster-wide read access
//! (`serviceAccount.read`): a ClusterRole and a ClusterRoleBinding `<namespace>-<name>`.

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::ServiceAccount;
use k8s_openapi::api::rbac::v1::{ClusterRole, ClusterRoleBinding, PolicyRule, RoleRef, Subject};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

use super::meta;
use crate::validate::App;

/// The verbs of `read`: look, never touch.
pub const READ_VERBS: [&str; 3] = ["get", "list", "watch"];

/// Name of the ClusterRole and the ClusterRoleBinding: cluster-scoped, so the namespace is
/// part of it; shortened with a hash to a label's 63 characters.
pub fn cluster_name(app: &App) -> String {
    crate::model::names::label(&app.spec.namespace, &app.spec.name)
}

/// The ServiceAccount `<name>` of `create: true`. Its token is mounted only where the pod
/// says so (`token: true`), never by default.
pub fn service_account(app: &App) -> Option<ServiceAccount> {
    app.spec
        .body
        .service_account
        .as_ref()
        .filter(|s| s.create)?;
    Some(ServiceAccount {
        metadata: meta(app, &app.spec.name),
        automount_service_account_token: Some(false),
        ..ServiceAccount::default()
    })
}

/// The ClusterRole and ClusterRoleBinding of `read`, one rule per API group (groups and
/// resources sorted), verbs get, list and watch.
pub fn cluster_read(app: &App) -> Option<(ClusterRole, ClusterRoleBinding)> {
    let sa = app
        .spec
        .body
        .service_account
        .as_ref()
        .filter(|s| s.create)?;
    if sa.read.is_empty() {
        return None;
    }
    let mut groups: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    for (group, resource) in sa.read_rules() {
        let resources = groups.entry(group).or_default();
        if !resources.iter().any(|r| r == resource) {
            resources.push(resource.to_string());
        }
    }
    let rules = groups
        .into_iter()
        .map(|(group, mut resources)| {
            resources.sort();
            PolicyRule {
                api_groups: Some(vec![group.to_string()]),
                resources: Some(resources),
                verbs: READ_VERBS.iter().map(|v| v.to_string()).collect(),
                ..PolicyRule::default()
            }
        })
        .collect();
    let name = cluster_name(app);
    let cluster_meta = || ObjectMeta {
        name: Some(name.clone()),
        ..ObjectMeta::default()
    };
    let role = ClusterRole {
        metadata: cluster_meta(),
        rules: Some(rules),
        aggregation_rule: None,
    };
    let binding = ClusterRoleBinding {
        metadata: cluster_meta(),
        role_ref: RoleRef {
            api_group: "rbac.authorization.k8s.io".to_string(),
            kind: "ClusterRole".to_string(),
            name: name.clone(),
        },
        subjects: Some(vec![Subject {
            api_group: None,
            kind: "ServiceAccount".to_string(),
            name: app.spec.name.clone(),
            namespace: Some(app.spec.namespace.clone()),
        }]),
    };
    Some((role, binding))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::expand::test_support;
    use serde_json::json;

    #[test]
    fn table() {
        // (name, serviceAccount block, ServiceAccount?, ClusterRole rules or null)
        let cases: Vec<(&str, &str, bool, serde_json::Value)> = vec![
            (
                "an existing account",
                "{name: homepage}",
                false,
                json!(null),
            ),
            ("created, no rights", "{create: true}", true, json!(null)),
            (
                "created, reading cluster-wide",
                "{create: true, token: true, read: [services, ingresses.networking.k8s.io, namespaces, httproutes.gateway.networking.k8s.io, gateways.gateway.networking.k8s.io]}",
                true,
                json!([
                    {"apiGroups": [""], "resources": ["namespaces", "services"], "verbs": ["get", "list", "watch"]},
                    {"apiGroups": ["gateway.networking.k8s.io"], "resources": ["gateways", "httproutes"], "verbs": ["get", "list", "watch"]},
                    {"apiGroups": ["networking.k8s.io"], "resources": ["ingresses"], "verbs": ["get", "list", "watch"]},
                ]),
            ),
        ];
        for (name, block, has_account, rules) in cases {
            let (app, _) = test_support::app(&format!(
                "metadata: {{name: gatus, namespace: monitoring}}\nspec: {{image: \"gatus:1\", serviceAccount: {block}}}"
            ));
            let sa = service_account(&app).map(|s| serde_json::to_value(s).unwrap());
            assert_eq!(sa.is_some(), has_account, "{name}");
            if let Some(sa) = sa {
                assert_eq!(sa["metadata"]["name"], "gatus", "{name}");
                assert_eq!(sa["metadata"]["namespace"], "monitoring", "{name}");
                assert_eq!(sa["automountServiceAccountToken"], false, "{name}");
            }
            match cluster_read(&app) {
                None => assert_eq!(rules, json!(null), "{name}"),
                Some((role, binding)) => {
                    let role = serde_json::to_value(role).unwrap();
                    let binding = serde_json::to_value(binding).unwrap();
                    assert_eq!(
                        role["metadata"],
                        json!({"name": "monitoring-gatus"}),
                        "{name}"
                    );
                    assert_eq!(role["rules"], rules, "{name}");
                    assert_eq!(
                        binding["roleRef"],
                        json!({"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "monitoring-gatus"}),
                        "{name}"
                    );
                    assert_eq!(
                        binding["subjects"],
                        json!([{"kind": "ServiceAccount", "name": "gatus", "namespace": "monitoring"}]),
                        "{name}"
                    );
                }
            }
        }
    }
}

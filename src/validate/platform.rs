//! Validation of a PlatformConfig's own values (domains, endpoints, names).

use super::{dns, nfs, quantity};
use crate::input::diagnostic::Issue;
use crate::model::bounds::DNS_NAME_MAX_LEN;
use crate::model::platform::{Platform, SecretStoreRef};

/// A DNS subdomain as Kubernetes names objects (storage classes, stores...).
pub fn check_subdomain(name: &str) -> Result<(), String> {
    if name.len() > DNS_NAME_MAX_LEN {
        return Err(format!("is longer than {DNS_NAME_MAX_LEN} characters"));
    }
    for label in name.split('.') {
        dns::check_label(label).map_err(|e| format!("\"{name}\": label \"{label}\" {e}"))?;
    }
    Ok(())
}

fn check_store(issues: &mut Vec<Issue>, path: &str, store: &SecretStoreRef) {
    if store.kind != "SecretStore" && store.kind != "ClusterSecretStore" {
        issues.push(Issue::error(
            format!("{path}.kind"),
            format!(
                "unknown kind \"{}\"; expected SecretStore or ClusterSecretStore",
                store.kind
            ),
        ));
    }
    if let Err(e) = check_subdomain(&store.name) {
        issues.push(Issue::error(
            format!("{path}.name"),
            format!("secret store name {e}"),
        ));
    }
}

/// Every problem of the platform's values; templates are checked when they are compiled.
pub fn check(p: &Platform) -> Vec<Issue> {
    let mut issues = Vec::new();
    let mut err = |path: &str, msg: String| issues.push(Issue::error(path, msg));
    for (path, domain) in [
        ("spec.dns.internalDomain", &p.dns.internal_domain),
        ("spec.dns.externalDomain", &p.dns.external_domain),
    ] {
        if let Err(e) = dns::check_host(domain) {
            err(path, format!("domain \"{domain}\" {e}"));
        }
    }
    for (path, class) in [
        (
            "spec.ingress.internal.className",
            &p.ingress.internal.class_name,
        ),
        (
            "spec.ingress.external.className",
            &p.ingress.external.class_name,
        ),
        (
            "spec.storage.longhorn.storageClassName",
            &p.storage.longhorn.storage_class_name,
        ),
        (
            "spec.backup.volsync.volumeSnapshotClassName",
            &p.backup.volsync.volume_snapshot_class_name,
        ),
        (
            "spec.backup.kopiur.volumeSnapshotClassName",
            &p.backup.kopiur.volume_snapshot_class_name,
        ),
    ] {
        if let Err(e) = check_subdomain(class) {
            err(path, format!("class name {e}"));
        }
    }
    if p.ingress.internal.target.is_some() {
        err(
            "spec.ingress.internal.target",
            "the external-dns target applies only to the external class; remove it here".into(),
        );
    }
    if let Some(target) = &p.ingress.external.target
        && let Err(e) = dns::check_host(target)
    {
        err(
            "spec.ingress.external.target",
            format!("external-dns target \"{target}\" {e}"),
        );
    }
    if let Some(tls) = &p.ingress.tls
        && let Err(e) = check_subdomain(&tls.cluster_issuer)
    {
        err(
            "spec.ingress.tls.clusterIssuer",
            format!("cluster issuer {e}"),
        );
    }
    for (key, gateway) in p
        .ingress
        .gateway
        .iter()
        .flat_map(|g| [("internal", &g.internal), ("external", &g.external)])
    {
        let Some(gateway) = gateway else { continue };
        if let Err(e) = check_subdomain(&gateway.name) {
            err(
                &format!("spec.ingress.gateway.{key}.name"),
                format!("Gateway name {e}"),
            );
        }
        if let Err(e) = dns::check_label(&gateway.namespace) {
            err(
                &format!("spec.ingress.gateway.{key}.namespace"),
                format!("Gateway namespace \"{}\" {e}", gateway.namespace),
            );
        }
        if let Some(section) = &gateway.section_name
            && let Err(e) = check_subdomain(section)
        {
            err(
                &format!("spec.ingress.gateway.{key}.sectionName"),
                format!("listener name {e}"),
            );
        }
    }
    for (i, endpoint) in p.storage.nas.endpoints.iter().enumerate() {
        if let Err(e) = nfs::parse(endpoint) {
            err(
                &format!("spec.storage.nas.endpoints[{i}]"),
                format!("NAS endpoint {e}"),
            );
        }
    }
    let prefix = p.storage.nas.path_prefix.trim_end_matches('/');
    if !p.storage.nas.path_prefix.starts_with('/')
        || (!prefix.is_empty() && super::path::check_absolute(prefix).is_err())
    {
        err(
            "spec.storage.nas.pathPrefix",
            format!(
                "\"{}\" must be an absolute path without '..', '.' or empty segments",
                p.storage.nas.path_prefix
            ),
        );
    }
    if p.storage.s3.regions.is_empty() {
        err(
            "spec.storage.s3.regions",
            "must list at least one region".into(),
        );
    }
    if let Err(e) = check_subdomain(&p.backup.volsync.credentials_key) {
        err(
            "spec.backup.volsync.credentialsKey",
            format!("remote key {e}"),
        );
    }
    for (backend, msc) in [
        ("volsync", &p.backup.volsync.mover_security_context),
        ("kopiur", &p.backup.kopiur.mover_security_context),
    ] {
        for (field, id) in [
            ("runAsUser", msc.run_as_user),
            ("runAsGroup", msc.run_as_group),
            ("fsGroup", msc.fs_group),
        ] {
            if !(0..=i64::from(i32::MAX)).contains(&id) {
                err(
                    &format!("spec.backup.{backend}.moverSecurityContext.{field}"),
                    format!("must be between 0 and {}, got {id}", i32::MAX),
                );
            }
        }
    }
    let repo = &p.backup.kopiur.repository;
    if repo.kind != "ClusterRepository" && repo.kind != "Repository" {
        err(
            "spec.backup.kopiur.repository.kind",
            format!(
                "unknown kind \"{}\"; expected ClusterRepository or Repository",
                repo.kind
            ),
        );
    }
    if let Err(e) = check_subdomain(&repo.name) {
        err(
            "spec.backup.kopiur.repository.name",
            format!("repository name {e}"),
        );
    }
    for (i, ns) in p
        .namespaces
        .reserved
        .iter()
        .chain(&p.namespaces.management)
        .enumerate()
    {
        if let Err(e) = dns::check_label(ns) {
            let (list, idx) = if i < p.namespaces.reserved.len() {
                ("reserved", i)
            } else {
                ("management", i - p.namespaces.reserved.len())
            };
            err(
                &format!("spec.namespaces.{list}[{idx}]"),
                format!("namespace \"{ns}\" {e}"),
            );
        }
    }
    let res = &p.defaults.resources;
    for (kind, amounts) in [("requests", &res.requests), ("limits", &res.limits)] {
        let Some(a) = amounts else { continue };
        for (name, q) in [("cpu", &a.cpu), ("memory", &a.memory)] {
            if let Some(q) = q
                && let Err(e) = quantity::check(q)
            {
                err(&format!("spec.defaults.resources.{kind}.{name}"), e);
            }
        }
    }
    issues.extend(super::network::check_platform(p));
    // external-dns's Gateway API source reads the target from the Gateway (or a
    // ListenerSet), never from a route: with an external Gateway no object carries it.
    if let (Some(target), Some(gateway)) = (
        &p.ingress.external.target,
        p.ingress.gateway.as_ref().and_then(|g| g.external.as_ref()),
    ) {
        issues.push(Issue::warning(
            "spec.ingress.external.target",
            format!(
                "external apps get HTTPRoutes to the Gateway {}/{} (ingress.gateway.external), and external-dns reads the target from the Gateway, never from a route, so AppSpec writes this target on no object: annotate that Gateway with external-dns.alpha.kubernetes.io/target: {target} (then this field can go)",
                gateway.namespace, gateway.name
            ),
        ));
    }
    for (key, value) in &p.metrics.service_monitor_labels {
        let path = format!("spec.metrics.serviceMonitorLabels.{key}");
        let own = super::pod::own_labels("x").map(|(k, _)| k);
        if let Err(e) = super::labels::check_key(key) {
            issues.push(Issue::error(path, format!("label key \"{key}\" {e}")));
        } else if let Err(e) = super::labels::check_value(value) {
            issues.push(Issue::error(path, format!("label value \"{value}\" {e}")));
        } else if own.contains(&key.as_str()) {
            issues.push(Issue::error(
                path,
                format!("\"{key}\" is one of the function's own labels, set from the app; use another label for the Prometheus selector"),
            ));
        }
    }
    if let Some(key) = &p.ingress.timeout_annotation
        && let Err(e) = super::labels::check_key(key)
    {
        issues.push(Issue::error(
            "spec.ingress.timeoutAnnotation",
            format!("annotation key \"{key}\" {e}"),
        ));
    }
    check_store(
        &mut issues,
        "spec.storage.s3.secretStore",
        &p.storage.s3.secret_store,
    );
    check_store(
        &mut issues,
        "spec.backup.volsync.secretStore",
        &p.backup.volsync.secret_store,
    );
    check_store(
        &mut issues,
        "spec.secrets.secretStore",
        &p.secrets.secret_store,
    );
    issues
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_valid() {
        assert_eq!(check(&Platform::default()), vec![]);
    }

    #[test]
    fn target_with_an_external_gateway_is_a_warning() {
        use crate::model::platform::{GatewayRef, Gateways};
        let gw = |name: &str| {
            Some(GatewayRef {
                name: name.into(),
                namespace: "network".into(),
                section_name: None,
            })
        };
        // (name, target, gateways, warned)
        let cases = [
            ("ingress classes", Some("tunnel.hypyr.space"), None, false),
            (
                "only an internal Gateway: external Ingresses carry it",
                Some("tunnel.hypyr.space"),
                Some(Gateways {
                    internal: gw("envoy-internal"),
                    external: None,
                }),
                false,
            ),
            (
                "an external Gateway without a target",
                None,
                Some(Gateways {
                    internal: None,
                    external: gw("envoy-external"),
                }),
                false,
            ),
            (
                "an external Gateway and a target",
                Some("tunnel.hypyr.space"),
                Some(Gateways {
                    internal: gw("envoy-internal"),
                    external: gw("envoy-external"),
                }),
                true,
            ),
        ];
        for (name, target, gateways, warned) in cases {
            let mut p = Platform::default();
            p.ingress.external.target = target.map(str::to_string);
            p.ingress.gateway = gateways;
            let issues = check(&p);
            let want: Vec<Issue> = warned
                .then(|| Issue::warning(
                    "spec.ingress.external.target",
                    "external apps get HTTPRoutes to the Gateway network/envoy-external (ingress.gateway.external), and external-dns reads the target from the Gateway, never from a route, so AppSpec writes this target on no object: annotate that Gateway with external-dns.alpha.kubernetes.io/target: tunnel.hypyr.space (then this field can go)",
                ))
                .into_iter()
                .collect();
            assert_eq!(issues, want, "{name}");
        }
    }

    #[test]
    fn reports_each_bad_value() {
        let mut p = Platform::default();
        p.dns.internal_domain = "In.Hypyr".into();
        p.storage.nas.endpoints = vec!["smb://nas".into()];
        p.storage.nas.path_prefix = "mnt".into();
        p.backup.volsync.secret_store.kind = "Vault".into();
        let issues = check(&p);
        let got: Vec<(&str, &str)> = issues
            .iter()
            .map(|i| (i.path.as_str(), i.message.as_str()))
            .collect();
        assert_eq!(
            got,
            [
                (
                    "spec.dns.internalDomain",
                    "domain \"In.Hypyr\" must be lowercase"
                ),
                (
                    "spec.storage.nas.endpoints[0]",
                    "NAS endpoint \"smb://nas\" must start with nfs://"
                ),
                (
                    "spec.storage.nas.pathPrefix",
                    "\"mnt\" must be an absolute path without '..', '.' or empty segments"
                ),
                (
                    "spec.backup.volsync.secretStore.kind",
                    "unknown kind \"Vault\"; expected SecretStore or ClusterSecretStore"
                ),
            ]
        );
    }
}

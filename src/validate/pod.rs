//! Rules of the pod-level fields: node selector, service account, pod annotations, metrics,
//! the `pod` options, and which `metadata.labels` the function's own labels override.

use std::net::IpAddr;

use super::{dns, labels, path};
use crate::input::diagnostic::Issue;
use crate::model::bounds::{
    DNS_NAME_MAX_LEN, INT32_MAX, MAX_NAMESERVERS, MAX_READ_RESOURCES, MAX_SEARCHES,
    READ_RESOURCE_MAX_LEN,
};
use crate::model::pod::{
    DnsConfig, MAX_TERMINATION_GRACE_PERIOD_SECONDS, Metrics, PodOptions, TaintEffect, Toleration,
    TolerationOperator,
};
use crate::model::spec::{AppSpec, SecurityProfile};

/// Annotation keys under this prefix belong to the function (e.g. the files hash).
pub const OWN_ANNOTATION_PREFIX: &str = "platform.hypyr.space/";

/// Kubernetes' limit on the total size of an object's annotations (keys and values).
pub const ANNOTATIONS_MAX_BYTES: usize = 256 * 1024;

/// The annotation the function puts on the pod template: a hash of the inline files, so
/// the pods restart when a file changes (the value is 16 hex digits).
pub const FILES_HASH: &str = "platform.hypyr.space/files-hash";

/// The most the function's own pod-template annotations take (key and value), reserved out
/// of [`ANNOTATIONS_MAX_BYTES`] for `podAnnotations`.
const OWN_POD_ANNOTATIONS_BYTES: usize = FILES_HASH.len() + 16;

/// resolv.conf options that take an integer value, with its bounds (glibc's).
const DNS_OPTIONS_WITH_VALUE: [(&str, u32, u32); 3] =
    [("ndots", 0, 15), ("timeout", 1, 30), ("attempts", 1, 5)];
/// resolv.conf options that take no value.
const DNS_FLAGS: [&str; 10] = [
    "rotate",
    "edns0",
    "single-request",
    "single-request-reopen",
    "use-vc",
    "no-tld-query",
    "no-reload",
    "trust-ad",
    "no-aaaa",
    "inet6",
];

/// The labels the function sets on every object it generates: they win over
/// `metadata.labels`.
pub fn own_labels(name: &str) -> [(&'static str, String); 4] {
    [
        ("app.kubernetes.io/name", name.to_string()),
        ("app.kubernetes.io/instance", name.to_string()),
        ("app.kubernetes.io/managed-by", crate::MANAGER.to_string()),
        ("backstage.io/kubernetes-id", name.to_string()),
    ]
}

/// The named ports of the app's Service (what a ServiceMonitor can scrape): `http`, the
/// app's `ports`, then the sidecars' ports (not those with `service: false`).
pub fn service_port_names(spec: &AppSpec) -> Vec<String> {
    let s = &spec.body;
    std::iter::once(MAIN_PORT_NAME.to_string())
        .chain(
            s.ports
                .iter()
                .chain(s.sidecars.iter().flat_map(|c| &c.ports))
                .filter(|(_, p)| p.on_service())
                .map(|(name, _)| name.clone()),
        )
        .collect()
}

/// The mount paths of the app's own container that other containers may share: storage,
/// `mounts`, `files` (each file is its own mount) and the restricted `/tmp`.
pub fn app_mount_paths(spec: &AppSpec) -> Vec<String> {
    let s = &spec.body;
    let mut out = Vec::new();
    if s.storage.pattern.has_volume() {
        out.push(s.storage.mount_path().trim_end_matches('/').to_string());
    }
    out.extend(
        s.mounts
            .iter()
            .map(|m| m.path.trim_end_matches('/').to_string()),
    );
    out.extend(s.files.keys().map(|p| p.trim_end_matches('/').to_string()));
    if s.security == crate::model::spec::SecurityProfile::Restricted
        && !super::volumes::own_tmp(spec)
    {
        out.push("/tmp".to_string());
    }
    out
}

/// Init containers and sidecars: names valid and unique in the pod, images, env and
/// secretEnv as the app's, sidecar ports unique (names and numbers) across every
/// container, mounts among the app's mount paths.
pub fn check_containers(spec: &AppSpec) -> Vec<Issue> {
    use super::container;
    let s = &spec.body;
    let mut out = Vec::new();
    let mut names: Vec<(String, String)> =
        vec![(spec.name.clone(), "the app's container".to_string())];
    // Ports already in the pod: the app's (http and spec.ports), then each sidecar's.
    let mut taken: Vec<(i64, crate::model::spec::Protocol, String)> = vec![(
        s.port,
        crate::model::spec::Protocol::Tcp,
        "spec.port".to_string(),
    )];
    let svc = s.service.as_ref().and_then(|o| o.port).unwrap_or(80);
    if svc != s.port {
        taken.push((
            svc,
            crate::model::spec::Protocol::Tcp,
            "the Service's http port (spec.service.port, default 80)".to_string(),
        ));
    }
    taken.extend(
        s.ports
            .iter()
            .map(|(n, p)| (p.port(), p.protocol(), format!("spec.ports.{n}"))),
    );
    let mut port_names: Vec<(String, String)> =
        std::iter::once((MAIN_PORT_NAME.to_string(), "spec.port".to_string()))
            .chain(
                s.ports
                    .keys()
                    .map(|n| (n.clone(), format!("spec.ports.{n}"))),
            )
            .collect();
    let shareable = app_mount_paths(spec);
    for c in crate::model::pod::extra_containers(&s.init, &s.sidecars) {
        let at = &c.path;
        if let Err(e) = dns::check_label(c.name) {
            out.push(Issue::error(
                format!("{at}.name"),
                format!("container name \"{}\" {e}", c.name),
            ));
        } else if let Some((_, other)) = names.iter().find(|(n, _)| n == c.name) {
            out.push(Issue::error(
                format!("{at}.name"),
                format!("container name \"{}\" is already used by {other}", c.name),
            ));
        }
        names.push((c.name.to_string(), at.clone()));
        match super::image::check(c.image) {
            Err(e) => out.push(Issue::error(
                format!("{at}.image"),
                format!("Image reference \"{}\" {e}", c.image),
            )),
            Ok(super::image::Pin::Latest | super::image::Pin::Nothing) => out.push(Issue::warning(
                format!("{at}.image"),
                format!(
                    "image \"{}\" is not pinned (no tag or :latest); pin a version tag or a digest",
                    c.image
                ),
            )),
            Ok(_) => {}
        }
        for name in c.env.keys() {
            if !is_env_name(name) {
                out.push(Issue::error(
                    format!("{at}.env.{name}"),
                    format!("\"{name}\" is not a valid environment variable name; use letters, digits and '_', not starting with a digit"),
                ));
            }
        }
        container::check_command(&mut out, at, c.command, c.args);
        container::check_env(&mut out, &format!("{at}.env"), c.env);
        if let Some(se) = c.secret_env {
            let generated = crate::model::names::container_secret(&spec.name, c.name);
            container::check_secret_env(&mut out, &format!("{at}.secretEnv"), se, &generated);
        }
        if let Some(ports) = c.ports {
            // `http` is refused by check_ports already.
            for name in ports.keys().filter(|n| *n != MAIN_PORT_NAME) {
                if let Some((_, other)) = port_names.iter().find(|(n, _)| n == name) {
                    out.push(Issue::error(
                        format!("{at}.ports.{name}"),
                        format!("port name \"{name}\" is already used by {other}; port names are unique across the pod's containers"),
                    ));
                }
            }
            container::check_ports(&mut out, &format!("{at}.ports"), ports, &taken);
            for (n, p) in ports {
                taken.push((p.port(), p.protocol(), format!("{at}.ports.{n}")));
                port_names.push((n.clone(), format!("{at}.ports.{n}")));
            }
        }
        if let Some(p) = c.probes {
            let names = c
                .ports
                .into_iter()
                .flat_map(|p| p.keys().map(String::as_str));
            container::check_probes(&mut out, &format!("{at}.probes"), p, &names.collect());
        }
        let mut seen: Vec<&str> = Vec::new();
        for (i, m) in c.mounts.into_iter().flatten().enumerate() {
            let here = format!("{at}.mounts[{i}]");
            let norm = m.trim_end_matches('/');
            if seen.contains(&norm) {
                out.push(Issue::error(
                    here,
                    format!("mount path {m} is listed twice"),
                ));
            } else if !shareable.iter().any(|p| p == norm) {
                out.push(Issue::error(
                    here,
                    if shareable.is_empty() {
                        format!("the app mounts no volume to share; remove {m}")
                    } else {
                        format!(
                            "{m} is not one of the app's mount paths; expected one of: {}",
                            shareable.join(", ")
                        )
                    },
                ));
            }
            seen.push(norm);
        }
    }
    out
}

/// Name of the main container port, the one the Service's port targets.
pub const MAIN_PORT_NAME: &str = "http";

/// The `metadata.labels` the function's own labels override: warnings (the spec still
/// expands, with the function's value).
pub fn label_clashes(spec: &AppSpec) -> Vec<Issue> {
    let mut out = Vec::new();
    for (key, own) in own_labels(&spec.name) {
        if let Some(given) = spec.labels.get(key)
            && *given != own
        {
            out.push(Issue::warning(
                format!("metadata.labels.{key}"),
                format!("label {key}=\"{given}\" is not copied: the function sets {key}=\"{own}\" on every object it generates"),
            ));
        }
    }
    out
}

/// Every problem of the pod-level fields of one spec.
pub fn check(spec: &AppSpec) -> Vec<Issue> {
    let mut out = Vec::new();
    let s = &spec.body;
    let port_names = service_port_names(spec);
    for (key, value) in &s.node_selector {
        let path = format!("spec.nodeSelector.{key}");
        if let Err(e) = labels::check_key(key) {
            out.push(Issue::error(&path, format!("node label key \"{key}\" {e}")));
        } else if let Err(e) = labels::check_value(value) {
            out.push(Issue::error(
                &path,
                format!("node label value \"{value}\" {e}"),
            ));
        }
    }
    if let Some(sa) = &s.service_account {
        check_service_account(&mut out, sa, &spec.name);
    }
    // The function's own pod-template annotation (the files hash) counts in the same limit.
    let mut size = if s.pod_annotations.is_empty() {
        0
    } else {
        OWN_POD_ANNOTATIONS_BYTES
    };
    for (key, value) in &s.pod_annotations {
        let path = format!("spec.podAnnotations.{key}");
        size += key.len() + value.len();
        if let Err(e) = labels::check_key(key) {
            out.push(Issue::error(&path, format!("annotation key \"{key}\" {e}")));
        } else if key.starts_with(OWN_ANNOTATION_PREFIX) {
            out.push(Issue::error(
                &path,
                format!("annotation keys under {OWN_ANNOTATION_PREFIX} are set by the function; choose another key"),
            ));
        }
    }
    if size > ANNOTATIONS_MAX_BYTES {
        out.push(Issue::error(
            "spec.podAnnotations",
            format!(
                "annotations total {size} bytes with the {OWN_POD_ANNOTATIONS_BYTES} the function adds to the pod; Kubernetes allows at most {ANNOTATIONS_MAX_BYTES}"
            ),
        ));
    }
    if let Some(m) = &s.metrics {
        check_metrics(&mut out, m, &port_names);
    }
    if let Some(pod) = &s.pod {
        check_pod(&mut out, pod, s.security);
    }
    out
}

fn check_metrics(out: &mut Vec<Issue>, m: &Metrics, port_names: &[String]) {
    if !port_names.iter().any(|p| p == m.port()) {
        out.push(Issue::error(
            "spec.metrics.port",
            format!(
                "\"{}\" is not a named port of the app's Service; expected one of: {}",
                m.port(),
                port_names.join(", ")
            ),
        ));
    }
    if let Some(p) = &m.path
        && let Err(e) = path::check_http_path(p, false)
    {
        out.push(Issue::error("spec.metrics.path", format!("path {e}")));
    }
    if let Some(i) = &m.interval
        && !is_duration(i)
    {
        out.push(Issue::error(
            "spec.metrics.interval",
            format!("interval \"{i}\" is not a Prometheus duration such as 30s, 1m or 1h30m"),
        ));
    }
}

/// A Prometheus duration: `0`, or numbers with the units y, w, d, h, m, s, ms, each at
/// most once and in that order (`1h30m`).
pub fn is_duration(s: &str) -> bool {
    if s == "0" {
        return true;
    }
    const UNITS: [&str; 7] = ["y", "w", "d", "h", "m", "s", "ms"];
    let mut rest = s.as_bytes();
    let mut next_unit = 0;
    if rest.is_empty() {
        return false;
    }
    while !rest.is_empty() {
        let digits = rest.iter().take_while(|b| b.is_ascii_digit()).count();
        if digits == 0 || digits > 18 {
            return false;
        }
        rest = &rest[digits..];
        let Some(i) = (next_unit..UNITS.len())
            .filter(|&i| rest.starts_with(UNITS[i].as_bytes()))
            // `ms` before `m`: the longest unit that matches.
            .max_by_key(|&i| UNITS[i].len())
        else {
            return false;
        };
        // `m` followed by `s` is `ms`, taken above; a unit must not repeat or go back.
        rest = &rest[UNITS[i].len()..];
        next_unit = i + 1;
    }
    true
}

/// `[A-Za-z_][A-Za-z0-9_]*`, checked in ASCII.
pub fn is_env_name(name: &str) -> bool {
    let b = name.as_bytes();
    !b.is_empty()
        && !b[0].is_ascii_digit()
        && b.iter().all(|c| c.is_ascii_alphanumeric() || *c == b'_')
}

/// A DNS-1123 subdomain: lowercase labels joined by dots, at most 253 characters.
pub fn check_subdomain(name: &str) -> Result<(), String> {
    if name.len() > DNS_NAME_MAX_LEN {
        return Err(format!(
            "is {} characters long; at most {DNS_NAME_MAX_LEN} are allowed",
            name.len()
        ));
    }
    for label in name.split('.') {
        dns::check_label(label).map_err(|e| {
            if name.contains('.') {
                format!("is not a DNS subdomain: part \"{label}\" {e}")
            } else {
                format!("is not a DNS subdomain: it {e}")
            }
        })?;
    }
    Ok(())
}

fn check_pod(out: &mut Vec<Issue>, pod: &PodOptions, security: SecurityProfile) {
    if pod.host_network == Some(true) && security == SecurityProfile::Restricted {
        out.push(Issue::error(
            "spec.pod.hostNetwork",
            "shares the node's network, which security: restricted refuses (Pod Security's baseline level forbids host namespaces); use a Service or a LoadBalancer port, or security: default",
        ));
    }
    if pod.host_users == Some(false) && pod.host_network == Some(true) {
        out.push(Issue::error(
            "spec.pod.hostUsers",
            "hostUsers: false (a user namespace) cannot be combined with hostNetwork: true",
        ));
    }
    if let Some(dns) = &pod.dns_config {
        check_dns(out, dns);
    }
    for (i, t) in pod.tolerations.iter().enumerate() {
        check_toleration(out, &format!("spec.pod.tolerations[{i}]"), t);
    }
    if let Some(name) = &pod.priority_class_name
        && let Err(e) = check_subdomain(name)
    {
        out.push(Issue::error(
            "spec.pod.priorityClassName",
            format!("PriorityClass name \"{name}\" {e}"),
        ));
    }
    check_groups(out, &pod.supplemental_groups, security);
    if let Some(a) = &pod.affinity {
        super::affinity::check(out, "spec.pod.affinity", a);
    }
    for (i, name) in pod.image_pull_secrets.iter().enumerate() {
        let at = format!("spec.pod.imagePullSecrets[{i}]");
        if let Err(e) = check_subdomain(name) {
            out.push(Issue::error(at, format!("Secret name \"{name}\" {e}")));
        } else if let Some(first) = pod.image_pull_secrets[..i].iter().position(|n| n == name) {
            out.push(Issue::error(
                at,
                format!(
                    "Secret {name} is listed twice (first at spec.pod.imagePullSecrets[{first}])"
                ),
            ));
        }
    }
    if let Some(secs) = pod.termination_grace_period_seconds
        && !(0..=MAX_TERMINATION_GRACE_PERIOD_SECONDS).contains(&secs)
    {
        out.push(Issue::error(
            "spec.pod.terminationGracePeriodSeconds",
            format!(
                "must be between 0 and {MAX_TERMINATION_GRACE_PERIOD_SECONDS} seconds (an hour: rollouts and node drains wait this long), got {secs}"
            ),
        ));
    }
}

/// `pod.supplementalGroups`: Kubernetes group ids (0..2147483647), each once; the root group
/// refused with `security: restricted`, as `runAs: 0` is.
fn check_groups(out: &mut Vec<Issue>, groups: &[i64], security: SecurityProfile) {
    for (i, &id) in groups.iter().enumerate() {
        let path = format!("spec.pod.supplementalGroups[{i}]");
        if !(0..=INT32_MAX).contains(&id) {
            out.push(Issue::error(
                path,
                format!("group id must be between 0 and {INT32_MAX}, got {id}"),
            ));
        } else if let Some(first) = groups[..i].iter().position(|&g| g == id) {
            out.push(Issue::error(
                path,
                format!(
                    "group {id} is listed twice (first at spec.pod.supplementalGroups[{first}])"
                ),
            ));
        } else if id == 0 && security == SecurityProfile::Restricted {
            out.push(Issue::error(
                path,
                "adds the root group (0), which security: restricted refuses; use the group that owns the files or device (e.g. 44 video, 109 render) or security: default",
            ));
        }
    }
}

fn check_dns(out: &mut Vec<Issue>, dns: &DnsConfig) {
    if dns.nameservers.len() > MAX_NAMESERVERS {
        out.push(Issue::error(
            "spec.pod.dnsConfig.nameservers",
            format!(
                "at most {MAX_NAMESERVERS} name servers are allowed, got {}",
                dns.nameservers.len()
            ),
        ));
    }
    for (i, ns) in dns.nameservers.iter().enumerate() {
        if ns.parse::<IpAddr>().is_err() {
            out.push(Issue::error(
                format!("spec.pod.dnsConfig.nameservers[{i}]"),
                format!("name server \"{ns}\" is not an IP address"),
            ));
        }
    }
    if dns.searches.len() > MAX_SEARCHES {
        out.push(Issue::error(
            "spec.pod.dnsConfig.searches",
            format!(
                "at most {MAX_SEARCHES} search domains are allowed, got {}",
                dns.searches.len()
            ),
        ));
    }
    let total: usize = dns.searches.iter().map(|s| s.len() + 1).sum();
    if total > 2048 {
        out.push(Issue::error(
            "spec.pod.dnsConfig.searches",
            format!("the search domains total {total} characters; at most 2048 are allowed"),
        ));
    }
    for (i, search) in dns.searches.iter().enumerate() {
        let name = search.strip_suffix('.').unwrap_or(search);
        if let Err(e) = check_subdomain(name) {
            out.push(Issue::error(
                format!("spec.pod.dnsConfig.searches[{i}]"),
                format!("search domain \"{search}\" {e}"),
            ));
        }
    }
    let mut seen: Vec<&str> = Vec::new();
    for (i, opt) in dns.options.iter().enumerate() {
        let path = format!("spec.pod.dnsConfig.options[{i}]");
        let name = opt.name.as_str();
        if seen.contains(&name) {
            out.push(Issue::error(
                format!("{path}.name"),
                format!("option \"{name}\" is given twice"),
            ));
            continue;
        }
        seen.push(name);
        if let Some((_, min, max)) = DNS_OPTIONS_WITH_VALUE.iter().find(|o| o.0 == name) {
            match opt.value.as_deref() {
                None => out.push(Issue::error(
                    format!("{path}.value"),
                    format!("option {name} needs a value, an integer {min}..{max} written as a string (\"{min}\")"),
                )),
                Some(v) => {
                    let n = (!v.is_empty() && v.len() <= 3 && v.bytes().all(|b| b.is_ascii_digit()))
                        .then(|| v.parse::<u32>().ok())
                        .flatten();
                    if !n.is_some_and(|n| (*min..=*max).contains(&n)) {
                        out.push(Issue::error(
                            format!("{path}.value"),
                            format!("option {name} takes an integer {min}..{max}, got \"{v}\""),
                        ));
                    }
                }
            }
        } else if DNS_FLAGS.contains(&name) {
            if opt.value.is_some() {
                out.push(Issue::error(
                    format!("{path}.value"),
                    format!("option {name} takes no value"),
                ));
            }
        } else {
            let known: Vec<&str> = DNS_OPTIONS_WITH_VALUE
                .iter()
                .map(|o| o.0)
                .chain(DNS_FLAGS)
                .collect();
            out.push(Issue::error(
                format!("{path}.name"),
                format!(
                    "unknown resolver option \"{name}\"; expected one of: {}",
                    known.join(", ")
                ),
            ));
        }
    }
}

fn check_toleration(out: &mut Vec<Issue>, path: &str, t: &Toleration) {
    let exists = t.operator == Some(TolerationOperator::Exists);
    match t.key.as_deref() {
        Some(key) if !key.is_empty() => {
            if let Err(e) = labels::check_key(key) {
                out.push(Issue::error(
                    format!("{path}.key"),
                    format!("taint key \"{key}\" {e}"),
                ));
            }
        }
        _ if !exists => out.push(Issue::error(
            format!("{path}.operator"),
            "a toleration without a key must use operator Exists (it then tolerates every taint)",
        )),
        _ => {}
    }
    match t.value.as_deref() {
        Some(v) if exists && !v.is_empty() => out.push(Issue::error(
            format!("{path}.value"),
            "operator Exists matches the key alone; remove the value (or use operator Equal)",
        )),
        Some(v) => {
            if let Err(e) = labels::check_value(v) {
                out.push(Issue::error(
                    format!("{path}.value"),
                    format!("taint value \"{v}\" {e}"),
                ));
            }
        }
        None => {}
    }
    if let Some(secs) = t.toleration_seconds {
        if t.effect != Some(TaintEffect::NoExecute) {
            out.push(Issue::error(
                format!("{path}.tolerationSeconds"),
                "tolerationSeconds applies only to effect NoExecute",
            ));
        } else if secs < 0 {
            out.push(Issue::error(
                format!("{path}.tolerationSeconds"),
                format!("tolerationSeconds must not be negative, got {secs}"),
            ));
        }
    }
}

/// `spec.serviceAccount`: an existing account by name, or the app's own (`create`) with the
/// resources it reads cluster-wide.
fn check_service_account(out: &mut Vec<Issue>, sa: &crate::model::pod::ServiceAccount, app: &str) {
    let at = "spec.serviceAccount";
    match (&sa.name, sa.create) {
        (Some(name), false) => {
            if let Err(e) = check_subdomain(name) {
                out.push(Issue::error(
                    format!("{at}.name"),
                    format!("ServiceAccount name \"{name}\" {e}"),
                ));
            }
        }
        (Some(_), true) => out.push(Issue::error(
            format!("{at}.name"),
            format!("\"name\" names an existing ServiceAccount and does not go with create: true, which creates ServiceAccount \"{app}\"; keep one of them"),
        )),
        (None, false) => out.push(Issue::error(
            at,
            "give the name of an existing ServiceAccount (name: ...) or create: true",
        )),
        (None, true) => {}
    }
    if !sa.read.is_empty() && !sa.create {
        out.push(Issue::error(
            format!("{at}.read"),
            "read grants rights only to the app's own ServiceAccount: add create: true (the rights of an existing account are managed where it is created)",
        ));
    }
    if let Err(e) = super::check_count(sa.read.len(), MAX_READ_RESOURCES, "resources") {
        out.push(Issue::error(format!("{at}.read"), format!("read {e}")));
    }
    for (i, entry) in sa.read.iter().enumerate() {
        let path = format!("{at}.read[{i}]");
        let (resource, group) = entry.split_once('.').unwrap_or((entry.as_str(), ""));
        if let Err(e) = super::check_len(entry, READ_RESOURCE_MAX_LEN) {
            out.push(Issue::error(path, format!("resource {e}")));
        } else if entry.contains('*') {
            out.push(Issue::error(
                path,
                format!("\"{entry}\": wildcards are refused; list each resource to read"),
            ));
        } else if dns::check_label(resource).is_err()
            || !resource.starts_with(|c: char| c.is_ascii_lowercase())
            || (!group.is_empty() && check_subdomain(group).is_err())
        {
            out.push(Issue::error(
                path,
                format!("\"{entry}\" is not resource[.group]: a lowercase plural resource name (services, ingresses) and an optional API group (networking.k8s.io)"),
            ));
        } else if resource == "secrets" {
            out.push(Issue::error(
                path,
                format!("\"{entry}\": reading Secrets cluster-wide would hand the app every credential of the cluster; refused"),
            ));
        } else if sa.read[..i].contains(entry) {
            out.push(Issue::error(path, format!("\"{entry}\" is listed twice")));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        for ok in ["0", "30s", "1m", "1h30m", "500ms", "1y2w3d4h5m6s7ms", "90s"] {
            assert!(is_duration(ok), "{ok}");
        }
        for bad in [
            "", "1", "m", "1x", "30s1m", "1m1m", "1.5m", "-1s", " 1m", "1 m", "1msm",
        ] {
            assert!(!is_duration(bad), "{bad}");
        }
    }

    #[test]
    fn subdomains() {
        for ok in ["a", "homepage", "high-priority", "a.b-c.d"] {
            assert_eq!(check_subdomain(ok), Ok(()), "{ok}");
        }
        for bad in ["", "A", "a_b", "a..b", "-a", ".a", &"a".repeat(254)] {
            assert!(check_subdomain(bad).is_err(), "{bad}");
        }
    }
}

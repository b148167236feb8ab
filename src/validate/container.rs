//! Rules of the container-level fields (ports, probes, env, secretEnv, runAs), written for
//! any container of the pod: each takes the container's own fields and its field path.

use std::collections::{BTreeMap, BTreeSet};

use super::{dns, path};
use crate::input::diagnostic::Issue;
use crate::model::bounds::{
    APP_PROTOCOL_MAX_LEN, CONFIG_KEY_MAX_LEN, DNS_NAME_MAX_LEN, INT32_MAX, MAX_ARGS,
    MAX_COMMAND_WORDS, MAX_EXEC_WORDS, MAX_EXISTING_SECRETS, PORT_MAX, PORT_MIN, PORT_NAME_MAX_LEN,
    PROBE_DELAY_MIN, PROBE_TIMING_MIN, REMOTE_KEY_MAX_LEN,
};
use crate::model::spec::{
    ContainerResources, Count, EnvValue, PortSpec, ProbeCheck, ProbeKind, ProbeTimings, Probes,
    Protocol, RunAs, SecretEnv, SecurityProfile,
};

/// The main port's name; no extra port may take it.
pub const HTTP_PORT: &str = "http";

/// Kubernetes' IANA_SVC_NAME: 1..15 lowercase letters, digits and `-`, at least one
/// letter, no `--`, alphanumeric at both ends.
pub fn check_port_name(name: &str) -> Result<(), String> {
    if name.is_empty() || name.len() > PORT_NAME_MAX_LEN {
        return Err(format!(
            "must be 1..{PORT_NAME_MAX_LEN} characters, got {}",
            name.len()
        ));
    }
    let b = name.as_bytes();
    if !b
        .iter()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == b'-')
    {
        return Err("may contain only lowercase letters, digits and '-'".into());
    }
    if b[0] == b'-' || b[b.len() - 1] == b'-' || name.contains("--") {
        return Err("must start and end with a letter or digit, without '--'".into());
    }
    if !b.iter().any(u8::is_ascii_lowercase) {
        return Err("must contain at least one letter".into());
    }
    Ok(())
}

/// A Secret (or ConfigMap) name: a DNS-1123 subdomain of at most 253 characters.
pub fn check_secret_name(name: &str) -> Result<(), String> {
    if name.len() > DNS_NAME_MAX_LEN {
        return Err(format!(
            "is {} characters long; at most {DNS_NAME_MAX_LEN}",
            name.len()
        ));
    }
    for label in name.split('.') {
        dns::check_label(label).map_err(|e| format!("has a part \"{label}\" that {e}"))?;
    }
    Ok(())
}

/// A key of a Secret or ConfigMap: `[-._a-zA-Z0-9]+`, at most 253, not `.` or `..`.
pub fn check_secret_key(key: &str) -> Result<(), String> {
    if key.is_empty() || key.len() > CONFIG_KEY_MAX_LEN {
        return Err(format!("must be 1..{CONFIG_KEY_MAX_LEN} characters"));
    }
    if !key
        .bytes()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'-' | b'.' | b'_'))
    {
        return Err("may contain only letters, digits, '-', '_' and '.'".into());
    }
    if key == "." || key == ".." {
        return Err("must not be '.' or '..'".into());
    }
    Ok(())
}

/// The application protocols Kubernetes defines under its own prefix.
pub const KUBERNETES_APP_PROTOCOLS: [&str; 3] =
    ["kubernetes.io/h2c", "kubernetes.io/ws", "kubernetes.io/wss"];

/// A Service port's `appProtocol`, as the API server checks it (a qualified name: an IANA
/// service name or a domain-prefixed name), and under `kubernetes.io/` one that Kubernetes
/// defines.
pub fn check_app_protocol(value: &str) -> Result<(), String> {
    super::check_len(value, APP_PROTOCOL_MAX_LEN)?;
    super::labels::check_key(value)
        .map_err(|e| format!("{e} (an IANA service name such as http, or a domain-prefixed name such as kubernetes.io/h2c)"))?;
    if value.starts_with("kubernetes.io/") && !KUBERNETES_APP_PROTOCOLS.contains(&value) {
        return Err(format!(
            "is not one Kubernetes defines; expected one of: {}",
            KUBERNETES_APP_PROTOCOLS.join(", ")
        ));
    }
    Ok(())
}

/// `command` and `args` of the container at `at` (e.g. `spec`, `spec.sidecars[0]`): at most
/// [`MAX_COMMAND_WORDS`] and [`MAX_ARGS`] words.
pub fn check_command(issues: &mut Vec<Issue>, at: &str, command: &[String], args: &[String]) {
    for (field, words, max) in [
        ("command", command, MAX_COMMAND_WORDS),
        ("args", args, MAX_ARGS),
    ] {
        if let Err(e) = super::check_count(words.len(), max, "words") {
            issues.push(Issue::error(
                format!("{at}.{field}"),
                format!("{field} {e}"),
            ));
        }
    }
}

/// Extra ports of a container at `at` (e.g. `spec.ports`): valid and unique names, numbers
/// 1..65535, each number and protocol once, none taking `taken` (the ports already used,
/// such as the main port: `(number, protocol, what)`).
pub fn check_ports(
    issues: &mut Vec<Issue>,
    at: &str,
    ports: &BTreeMap<String, PortSpec>,
    taken: &[(i64, Protocol, String)],
) {
    let mut seen: Vec<(i64, Protocol, String)> = taken.to_vec();
    for (name, p) in ports {
        let here = format!("{at}.{name}");
        if let Err(e) = check_port_name(name) {
            issues.push(Issue::error(&here, format!("port name \"{name}\" {e}")));
        } else if name == HTTP_PORT {
            issues.push(Issue::error(
                &here,
                "\"http\" is the main port (spec.port); give this port another name",
            ));
        }
        if let Some(ap) = p.app_protocol() {
            if !p.on_service() {
                issues.push(Issue::error(
                    format!("{here}.appProtocol"),
                    "appProtocol is a field of the Service port, and this port has service: false",
                ));
            } else if let Err(e) = check_app_protocol(ap) {
                issues.push(Issue::error(
                    format!("{here}.appProtocol"),
                    format!("appProtocol \"{ap}\" {e}"),
                ));
            }
        }
        let (number, protocol) = (p.port(), p.protocol());
        if !(PORT_MIN..=PORT_MAX).contains(&number) {
            issues.push(Issue::error(
                &here,
                format!("port must be between {PORT_MIN} and {PORT_MAX}, got {number}"),
            ));
            continue;
        }
        if let Some((_, _, what)) = seen
            .iter()
            .find(|(n, pr, _)| *n == number && *pr == protocol)
        {
            issues.push(Issue::error(
                &here,
                format!("port {number}/{protocol} is already used by {what}"),
            ));
        }
        seen.push((number, protocol, format!("{at}.{name}")));
    }
}

/// One check at `at`: exactly one of path, tcp, exec; path rules; the port a declared one.
fn check_one(issues: &mut Vec<Issue>, at: &str, c: &ProbeCheck, port_names: &BTreeSet<&str>) {
    let given = [c.path.is_some(), c.tcp.is_some(), c.exec.is_some()];
    match given.iter().filter(|g| **g).count() {
        0 => issues.push(Issue::error(
            at,
            "needs a check: one of path (HTTP GET), tcp: true or exec: [command, ...]",
        )),
        1 => {}
        _ => issues.push(Issue::error(
            at,
            "has more than one check; set exactly one of path, tcp and exec",
        )),
    }
    if let Some(p) = &c.path
        && let Err(e) = path::check_http_path(p, false)
    {
        issues.push(Issue::error(format!("{at}.path"), format!("path {e}")));
    }
    if c.tcp == Some(false) {
        issues.push(Issue::error(
            format!("{at}.tcp"),
            "tcp: false checks nothing; write tcp: true or leave it out",
        ));
    }
    if let Some(cmd) = &c.exec
        && cmd.first().is_none_or(|s| s.trim().is_empty())
    {
        issues.push(Issue::error(
            format!("{at}.exec"),
            "needs a command: a non-empty list starting with the program",
        ));
    }
    if let Some(cmd) = &c.exec
        && let Err(e) = super::check_count(cmd.len(), MAX_EXEC_WORDS, "words")
    {
        issues.push(Issue::error(format!("{at}.exec"), format!("exec {e}")));
    }
    if c.scheme.is_some() && c.path.is_none() {
        issues.push(Issue::error(
            format!("{at}.scheme"),
            "scheme applies only to an HTTP check (path)",
        ));
    }
    check_timings(issues, at, &c.timings);
    if c.port.is_none() && c.exec.is_none() && !port_names.contains(HTTP_PORT) {
        // A sidecar has no `http` port of its own: its probe names one of its ports.
        let names: Vec<&str> = port_names.iter().copied().collect();
        issues.push(Issue::error(
            format!("{at}.port"),
            if names.is_empty() {
                "is required: the container has no http port (give it ports, or use an exec check)"
                    .to_string()
            } else {
                format!(
                    "is required: the container has no http port; expected one of: {}",
                    names.join(", ")
                )
            },
        ));
    }
    if let Some(port) = &c.port {
        if c.exec.is_some() {
            issues.push(Issue::error(
                format!("{at}.port"),
                "port does not apply to an exec check",
            ));
        } else if !port_names.contains(port.as_str()) {
            let names: Vec<&str> = port_names.iter().copied().collect();
            issues.push(Issue::error(
                format!("{at}.port"),
                format!(
                    "\"{port}\" is not a port of the container; expected one of: {}",
                    names.join(", ")
                ),
            ));
        }
    }
}

/// Timings at `at`: Kubernetes' bounds (initialDelaySeconds 0 or more, the others 1 or
/// more, all within int32).
fn check_timings(issues: &mut Vec<Issue>, at: &str, t: &ProbeTimings) {
    for (field, value) in t.fields() {
        let min = if field == "initialDelaySeconds" {
            PROBE_DELAY_MIN
        } else {
            PROBE_TIMING_MIN
        };
        if !(min..=INT32_MAX).contains(&value) {
            issues.push(Issue::error(
                format!("{at}.{field}"),
                format!("{field} must be between {min} and {INT32_MAX}, got {value}"),
            ));
        }
    }
}

/// Probes at `at` (e.g. `spec.probes`); `port_names` are the container's named ports.
pub fn check_probes(issues: &mut Vec<Issue>, at: &str, p: &Probes, port_names: &BTreeSet<&str>) {
    let short = p.short();
    if let Some(c) = &short {
        check_one(issues, at, c, port_names);
    }
    check_timings(issues, at, &p.timings);
    let readiness = p.of(p.readiness.as_ref()).is_some();
    let liveness = p.of(p.liveness.as_ref()).is_some();
    if !p.timings.is_empty() && !readiness && !liveness && p.startup.is_some() {
        issues.push(Issue::error(
            at,
            "timings of the short form apply to readiness and liveness, and neither is set; move them into startup or remove them",
        ));
    }
    if p.timings.success_threshold.is_some_and(|n| n != 1) && liveness {
        issues.push(Issue::error(
            format!("{at}.successThreshold"),
            "the short form's timings apply to liveness too, where Kubernetes requires successThreshold 1; set it under readiness",
        ));
    }
    for (kind, value) in [
        ("readiness", &p.readiness),
        ("liveness", &p.liveness),
        ("startup", &p.startup),
    ] {
        let here = format!("{at}.{kind}");
        match value {
            Some(ProbeKind::Off(true)) => issues.push(Issue::error(
                here,
                format!("{kind}: true is not a check; write false to switch it off, or a check ({{path}}, {{tcp: true}} or {{exec}})"),
            )),
            Some(ProbeKind::Check(c)) => {
                check_one(issues, &here, c, port_names);
                if kind != "readiness" && c.timings.success_threshold.is_some_and(|n| n != 1) {
                    issues.push(Issue::error(
                        format!("{here}.successThreshold"),
                        format!("Kubernetes requires successThreshold 1 for a {kind} probe"),
                    ));
                }
            }
            _ => {}
        }
    }
    if short.is_none() && p.readiness.is_none() && p.liveness.is_none() && p.startup.is_none() {
        issues.push(Issue::error(
            at,
            "sets no probe: give a check (path, tcp: true or exec) or one per kind",
        ));
    }
}

/// Env values at `at` (e.g. `spec.env`): the Secret references' names and keys.
pub fn check_env(issues: &mut Vec<Issue>, at: &str, env: &BTreeMap<String, EnvValue>) {
    for (name, value) in env {
        let EnvValue::Secret(s) = value else { continue };
        if let Err(e) = check_secret_name(&s.secret) {
            issues.push(Issue::error(
                format!("{at}.{name}.secret"),
                format!("Secret name \"{}\" {e}", s.secret),
            ));
        }
        if let Err(e) = check_secret_key(&s.key) {
            issues.push(Issue::error(
                format!("{at}.{name}.key"),
                format!("Secret key \"{}\" {e}", s.key),
            ));
        }
    }
}

/// `secretEnv` at `at`: a plain remote key, valid and distinct Secret names, none the
/// Secret generated from the store (`generated`).
pub fn check_secret_env(issues: &mut Vec<Issue>, at: &str, se: &SecretEnv, generated: &str) {
    if let Some(key) = &se.from_store
        && let Err(e) = super::check_len(key, REMOTE_KEY_MAX_LEN)
    {
        issues.push(Issue::error(
            format!("{at}.fromStore"),
            format!("remote key {e}"),
        ));
    } else if let Some(key) = &se.from_store
        && (key.is_empty()
            || key.chars().any(|c| c.is_whitespace() || c.is_control())
            || key.contains("{{")
            || key.contains("}}"))
    {
        issues.push(Issue::error(
            format!("{at}.fromStore"),
            format!("remote key \"{key}\" must be non-empty, without whitespace or '{{{{'"),
        ));
    }
    if let Err(e) = super::check_count(se.existing.len(), MAX_EXISTING_SECRETS, "Secrets") {
        issues.push(Issue::error(
            format!("{at}.existing"),
            format!("existing {e}"),
        ));
    }
    let mut seen = BTreeSet::new();
    for (i, name) in se.existing.iter().enumerate() {
        let here = format!("{at}.existing[{i}]");
        if let Err(e) = check_secret_name(name) {
            issues.push(Issue::error(here, format!("Secret name \"{name}\" {e}")));
        } else if !seen.insert(name.as_str()) {
            issues.push(Issue::error(
                here,
                format!("Secret \"{name}\" is listed twice"),
            ));
        } else if se.from_store.is_some() && name == generated {
            issues.push(Issue::error(
                here,
                format!("\"{name}\" is the Secret generated from fromStore; do not list it"),
            ));
        }
    }
}

/// `runAs` at `at`: ids within 0..2147483647; root refused with `security: restricted`.
pub fn check_run_as(issues: &mut Vec<Issue>, at: &str, r: &RunAs, security: SecurityProfile) {
    let (user, group) = r.ids();
    let fields: &[(&str, i64)] = match r {
        RunAs::Id(_) => &[("", user)],
        RunAs::Ids(_) => &[(".user", user), (".group", group)],
    };
    let mut ok = true;
    for (field, id) in fields {
        if !(0..=INT32_MAX).contains(id) {
            ok = false;
            issues.push(Issue::error(
                format!("{at}{field}"),
                format!("id must be between 0 and {INT32_MAX}, got {id}"),
            ));
        }
    }
    if ok && group == 0 && user != 0 && security == SecurityProfile::Restricted {
        issues.push(Issue::error(
            format!("{at}.group"),
            "runs with the root group (0), which security: restricted refuses (as it refuses supplementalGroups: [0]); use the image's non-root group (e.g. 568) or security: default",
        ));
    }
    if ok && user == 0 && security == SecurityProfile::Restricted {
        let field = if matches!(r, RunAs::Id(_)) {
            ""
        } else {
            ".user"
        };
        issues.push(Issue::error(
            format!("{at}{field}"),
            "runs as root (0), which security: restricted refuses; use the image's non-root id (e.g. 568) or security: default",
        ));
    }
}

/// An extended resource name: a domain-qualified `domain/name` (the domain a DNS
/// subdomain with a dot, outside `kubernetes.io`; the name a label name), not `requests.*`.
pub fn check_extended_name(name: &str) -> Result<(), String> {
    let Some((domain, rest)) = name.split_once('/') else {
        return Err("is not cpu, memory or a domain-qualified extended resource (e.g. nvidia.com/gpu, gpu.intel.com/i915)".into());
    };
    if !domain.contains('.') || check_secret_name(domain).is_err() {
        return Err(format!(
            "has a domain \"{domain}\" that is not a DNS name with a dot"
        ));
    }
    if domain == "kubernetes.io"
        || domain.ends_with(".kubernetes.io")
        || domain.starts_with("requests.")
    {
        return Err(format!("uses the reserved domain \"{domain}\""));
    }
    super::labels::check_key(&format!("x/{rest}"))
        .map_err(|_| format!("has a name \"{rest}\" that is not a valid resource name"))
}

/// Extended resources and claims at `at` (`spec.resources`): valid names, integer counts of
/// at least 1, a limit for every request and requests equal to their limits.
pub fn check_extended(issues: &mut Vec<Issue>, at: &str, r: &ContainerResources) {
    let none = BTreeMap::new();
    let limits = r.limits.as_ref().map_or(&none, |a| &a.extended);
    let requests = r.requests.as_ref().map_or(&none, |a| &a.extended);
    for (kind, map) in [("requests", requests), ("limits", limits)] {
        for (name, n) in map {
            let here = format!("{at}.{kind}.{name}");
            if let Err(e) = check_extended_name(name) {
                issues.push(Issue::error(here, format!("resource \"{name}\" {e}")));
                continue;
            }
            let Some(n) = n.value().filter(|n| *n >= 1) else {
                let shown = match n {
                    Count::Number(x) => x.to_string(),
                    Count::Text(t) => format!("\"{t}\""),
                };
                issues.push(Issue::error(here, format!("must be a whole number of at least 1 (extended resources are counted, e.g. 1), got {shown}")));
                continue;
            };
            if kind == "requests" {
                match limits.get(name).and_then(Count::value) {
                    None => issues.push(Issue::error(here, format!("an extended resource needs a limit: set {at}.limits.{name} (the request defaults to it)"))),
                    Some(l) if l != n => issues.push(Issue::error(here, format!("must equal the limit {l} (Kubernetes does not overcommit extended resources); leave it out to use the limit"))),
                    _ => {}
                }
            }
        }
    }
    for (claim, template) in &r.claims {
        let here = format!("{at}.claims.{claim}");
        if let Err(e) = dns::check_label(claim) {
            issues.push(Issue::error(&here, format!("claim name \"{claim}\" {e}")));
        }
        if let Err(e) = check_secret_name(template) {
            issues.push(Issue::error(
                here,
                format!("ResourceClaimTemplate name \"{template}\" {e}"),
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn extended_resource_names() {
        for (name, ok) in [
            ("nvidia.com/gpu", true),
            ("gpu.intel.com/i915", true),
            ("squat.ai/serial", true),
            ("gpu", false),
            ("cpuu", false),
            ("example/gpu", false),
            ("kubernetes.io/gpu", false),
            ("Nvidia.com/gpu", false),
            ("nvidia.com/", false),
        ] {
            assert_eq!(check_extended_name(name).is_ok(), ok, "{name}");
        }
    }

    #[test]
    fn names_and_keys() {
        for (name, ok) in [
            ("metrics", true),
            ("dns-udp", true),
            ("a1", true),
            ("1234", false),
            ("a--b", false),
            ("-a", false),
            ("Metrics", false),
            ("sixteen-chars-xx", false),
            ("", false),
        ] {
            assert_eq!(check_port_name(name).is_ok(), ok, "{name}");
        }
        for (name, ok) in [
            ("app-secret", true),
            ("a.b", true),
            ("A", false),
            ("a..b", false),
        ] {
            assert_eq!(check_secret_name(name).is_ok(), ok, "{name}");
        }
        for (key, ok) in [
            ("api-key", true),
            ("tls.crt", true),
            ("a b", false),
            ("..", false),
        ] {
            assert_eq!(check_secret_key(key).is_ok(), ok, "{key}");
        }
    }

    fn paths(yaml_ports: &str, taken: &[(i64, Protocol, String)]) -> Vec<String> {
        let ports: BTreeMap<String, PortSpec> = serde_saphyr::from_str(yaml_ports).unwrap();
        let mut issues = vec![];
        check_ports(&mut issues, "spec.ports", &ports, taken);
        issues
            .into_iter()
            .map(|i| format!("{}: {}", i.path, i.message))
            .collect()
    }

    #[test]
    fn ports_table() {
        let main = [(8080, Protocol::Tcp, "spec.port".to_string())];
        assert_eq!(
            paths(
                "{metrics: 9090, dns-tcp: 53, dns-udp: {port: 53, protocol: UDP}}",
                &main
            ),
            Vec::<String>::new()
        );
        assert_eq!(
            paths("{http: 81, alt: 8080, b: 9000, c: 9000, d: 0}", &main),
            [
                "spec.ports.alt: port 8080/TCP is already used by spec.port",
                "spec.ports.c: port 9000/TCP is already used by spec.ports.b",
                "spec.ports.d: port must be between 1 and 65535, got 0",
                "spec.ports.http: \"http\" is the main port (spec.port); give this port another name",
            ]
        );
    }
}

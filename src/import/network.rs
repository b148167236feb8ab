//! Services, Ingresses, HTTPRoutes and ServiceMonitors of app-template values, onto
//! AppSpec's port, ports, service, ingress and metrics.

use serde_json::{Map, Value, json};

use super::mapper::{Mapper, unsupported};
use super::values::Node;

fn int_of(n: &Node) -> Option<i64> {
    n.int().or_else(|| n.str().and_then(|s| s.parse().ok()))
}

/// Annotations that give a LoadBalancer its address.
const LB_IP_ANNOTATIONS: &[&str] = &[
    "lbipam.cilium.io/ips",
    "io.cilium/lb-ipam-ips",
    "metallb.io/loadBalancerIPs",
    "metallb.universe.tf/loadBalancerIPs",
    "kube-vip.io/loadbalancerIPs",
];

/// A LoadBalancer of the values: its `type` node (the origin), the nodes that give its
/// address, the address and the names of its ports.
type LoadBalancer<'v> = (
    Node<'v>,
    Vec<Node<'v>>,
    Option<String>,
    Vec<String>,
    Map<String, Value>,
);

/// The annotation external-dns reads a LoadBalancer's host name from.
const EXTERNAL_DNS_HOSTNAME: &str = "external-dns.alpha.kubernetes.io/hostname";

/// The app's Services: the main port, extra ports, the Service port and LoadBalancers.
pub fn services(m: &mut Mapper, root: &Node) {
    let Some(all) = root.get("service") else {
        return;
    };
    let controllers = root
        .get("controllers")
        .map(|c| c.entries().into_iter().filter(|(_, c)| c.enabled()).count())
        .unwrap_or(0);
    let cname = m.facts.controller.clone();
    let mut ours: Vec<(String, Node)> = Vec::new();
    for (id, svc) in all.entries() {
        if !svc.enabled() {
            m.t.take(&svc);
            continue;
        }
        let owner = svc
            .get("controller")
            .and_then(|c| c.str().map(str::to_string));
        let mine = match &owner {
            Some(o) => *o == cname,
            None => controllers <= 1 || id == cname,
        };
        if mine {
            ours.push((id.to_string(), svc));
        } else if m.elsewhere(&svc).is_some() {
            continue;
        } else {
            m.t.drop(
                &svc,
                format!(
                    "the Service of controller {}, which is not imported",
                    owner.unwrap_or_else(|| id.to_string())
                ),
            );
        }
    }
    if ours.is_empty() {
        return;
    }
    let primary = super::controllers::primary_service(&ours, &cname, |s| {
        s.get("primary").and_then(|p| p.bool()) == Some(true)
    })
    .unwrap_or(0);
    let app = m.input.release.name.clone();
    m.facts.service = Some(ours[primary].0.clone());
    let mut lb: Option<LoadBalancer> = None;
    let mut all_ports: Vec<String> = Vec::new();
    for (n, (_, svc)) in ours.iter().enumerate() {
        let is_primary = n == primary;
        for key in ["controller", "primary", "enabled"] {
            if let Some(k) = svc.get(key) {
                m.t.take(&k);
            }
        }
        for key in ["forceRename", "nameOverride", "suffix", "prefix"] {
            if let Some(k) = svc.get(key) {
                if !is_primary || (k.str() == Some(app.as_str()) && key != "suffix") {
                    m.t.take(&k);
                } else {
                    m.t.drop(&k, format!("the app's Service is named {app}"));
                }
            }
        }
        let ports: Vec<(&str, Node)> = svc
            .get("ports")
            .map(|p| p.entries())
            .unwrap_or_default()
            .into_iter()
            .filter(|(_, p)| {
                if p.enabled() {
                    true
                } else {
                    m.t.take(p);
                    false
                }
            })
            .collect();
        let main_idx = if is_primary {
            ports
                .iter()
                .position(|(name, _)| *name == "http")
                .or_else(|| {
                    ports
                        .iter()
                        .position(|(_, p)| p.get("primary").and_then(|x| x.bool()) == Some(true))
                })
                .or(if ports.is_empty() { None } else { Some(0) })
        } else {
            None
        };
        let mut names = Vec::new();
        for (i, (pname, p)) in ports.iter().enumerate() {
            let Some(port_node) = p.get("port") else {
                m.t.drop(p, "a port without a number");
                continue;
            };
            let Some(port) = int_of(&port_node) else {
                m.t.drop(&port_node, "the port is not a number");
                continue;
            };
            let target = match p.get("targetPort") {
                Some(t) => match int_of(&t) {
                    Some(t) => t,
                    None => {
                        m.t.drop(&t, "a named targetPort is not supported");
                        continue;
                    }
                },
                None => port,
            };
            let protocol = p
                .get("protocol")
                .and_then(|x| x.str().map(str::to_string))
                .unwrap_or_else(|| "TCP".into());
            for key in ["primary", "enabled"] {
                if let Some(k) = p.get(key) {
                    m.t.take(&k);
                }
            }
            let app_protocol = p.get("appProtocol");
            if let Some(a) = &app_protocol
                && Some(i) != main_idx
                && !m.shape().has(&["ports", "*", "appProtocol"])
            {
                m.t.drop(a, unsupported("appProtocol on a port is"));
            }
            if let Some(a) = p.get("nodePort") {
                m.t.drop(&a, "node ports are not supported");
            }
            if Some(i) == main_idx {
                if matches!(protocol.as_str(), "UDP" | "SCTP" | "HTTPS") {
                    m.t.drop(
                        p,
                        format!(
                            "the app's main port speaks HTTP over TCP; {protocol} is not supported"
                        ),
                    );
                    continue;
                }
                if let Some(x) = p.get("protocol") {
                    m.t.take(&x);
                }
                if port == 80 {
                    m.t.take(&port_node);
                } else {
                    m.emit(
                        &["service", "port"],
                        json!(port),
                        &port_node,
                        &format!(
                            "a Service port other than 80 ({port}, forwarding to {target}) is"
                        ),
                    );
                }
                if m.emit(&["port"], json!(target), p, "the container port is") {
                    m.facts.port = Some((target, port, pname.to_string()));
                }
                if let Some(a) = &app_protocol
                    && let Some(text) = m.text(a)
                {
                    m.emit(
                        &["service", "appProtocol"],
                        json!(text),
                        a,
                        "an appProtocol on the app's main port (service.appProtocol) is",
                    );
                }
                names.push("http".to_string());
                continue;
            }
            if target != port {
                m.t.drop(
                    p,
                    format!(
                        "an extra port keeps one number on the container and the Service; this one maps {port} to {target}"
                    ),
                );
                continue;
            }
            let mut value = match protocol.as_str() {
                "UDP" => json!({"port": port, "protocol": "UDP"}),
                "TCP" | "HTTP" | "AUTO" => json!(port),
                other => {
                    m.t.drop(p, format!("{other} ports are not supported"));
                    continue;
                }
            };
            if let Some(a) = app_protocol.as_ref().filter(|a| !m.t.is_used(a))
                && let Some(text) = m.text(a)
            {
                value = json!({"port": port, "appProtocol": text});
                if protocol == "UDP" {
                    value["protocol"] = json!("UDP");
                }
            }
            if m.emit(&["ports", pname], value, p, "extra named ports are") {
                m.facts.ports.insert(pname.to_string(), port);
                names.push(pname.to_string());
            }
        }
        all_ports.extend(names.iter().cloned());
        let kind = svc.get("type").and_then(|t| t.str().map(str::to_string));
        match kind.as_deref() {
            None | Some("ClusterIP") => {
                if let Some(t) = svc.get("type") {
                    m.t.take(&t);
                }
                if !is_primary {
                    m.t.drop_path(
                        svc.path(),
                        format!("a second Service: its ports are on the app's Service {app}"),
                    );
                }
            }
            Some("LoadBalancer") => {
                let mut ip = None;
                let mut parts = Vec::new();
                if let Some(ann) = svc.get("annotations") {
                    for (k, v) in ann.entries() {
                        if LB_IP_ANNOTATIONS.contains(&k) {
                            ip = v.str().map(str::to_string);
                            parts.push(v);
                        }
                    }
                }
                if let Some(v) = svc.get("loadBalancerIP") {
                    ip = ip.or(v.str().map(str::to_string));
                    parts.push(v);
                }
                let mut extra = Map::new();
                if let Some(v) = svc.get("externalTrafficPolicy") {
                    match v.str() {
                        Some("Cluster") => m.t.take(&v),
                        Some("Local")
                            if m.shape().has(&[
                                "service",
                                "loadBalancer",
                                "externalTrafficPolicy",
                            ]) =>
                        {
                            extra.insert("externalTrafficPolicy".into(), json!("Local"));
                            parts.push(v);
                        }
                        _ => m.t.drop(&v, unsupported("this externalTrafficPolicy is")),
                    }
                }
                if let Some(h) = svc
                    .get("annotations")
                    .and_then(|a| a.get(EXTERNAL_DNS_HOSTNAME))
                    && m.shape().has(&["service", "loadBalancer", "host"])
                    && let Some(host) = m.real_text(&h, "the LoadBalancer's host")
                {
                    extra.insert("host".into(), json!(host));
                    parts.push(h);
                }
                let t = svc.get("type").expect("the type was read");
                match &mut lb {
                    Some((_, more, _, ports, settings)) => {
                        more.push(t);
                        more.extend(parts);
                        ports.extend(names);
                        settings.extend(extra);
                    }
                    None => lb = Some((t, parts, ip, names, extra)),
                }
            }
            Some(other) => {
                let t = svc.get("type").expect("the type was read");
                m.t.drop(&t, format!("a {other} Service is not supported"));
            }
        }
        if let Some(ann) = svc.get("annotations") {
            for (k, v) in ann.entries() {
                // The LoadBalancer's external-dns name is judged with the LoadBalancer.
                let lb_host = k == EXTERNAL_DNS_HOSTNAME
                    && kind.as_deref() == Some("LoadBalancer")
                    && m.shape().has(&["service", "loadBalancer", "host"]);
                if !m.t.is_used(&v) && !LB_IP_ANNOTATIONS.contains(&k) && !lb_host {
                    m.t.drop(&v, "Service annotations are not supported");
                }
            }
        }
    }
    if let Some((origin, parts, ip, ports, settings)) = lb {
        let mut value = json!({});
        if let Some(ip) = ip {
            value["ip"] = json!(ip);
        }
        if ports.len() != all_ports.len() {
            value["ports"] = json!(ports);
        }
        for (k, v) in settings {
            value[k] = v;
        }
        let what = "a LoadBalancer Service is";
        if m.emit(&["service", "loadBalancer"], value, &origin, what) {
            for p in &parts {
                m.t.take(p);
            }
        } else {
            // The ports stay on the app's Service; the LoadBalancer is what is lost.
            let reason = m
                .input
                .refused
                .iter()
                .find(|(r, _)| origin.path().starts_with(r))
                .map(|(_, msg)| msg.clone())
                .unwrap_or_else(|| unsupported(what));
            for p in &parts {
                m.t.drop(p, reason.clone());
            }
        }
    }
}

/// Which of the platform's patterns a name (class, Gateway) suggests.
fn pattern_by_name(name: &str) -> Option<&'static str> {
    let n = name.to_ascii_lowercase();
    if ["external", "public", "tunnel"]
        .iter()
        .any(|w| n.contains(w))
    {
        Some("external-via-tunnel")
    } else if ["internal", "private", "lan"].iter().any(|w| n.contains(w)) {
        Some("internal-only")
    } else {
        None
    }
}

fn platform_key(pattern: &str) -> &'static str {
    if pattern == "external-via-tunnel" {
        "external"
    } else {
        "internal"
    }
}

/// Hosts of a route or an ingress, each with its origin.
fn hosts<'v>(m: &mut Mapper, hosts: Vec<Node<'v>>) -> Vec<(String, Node<'v>)> {
    let mut out = Vec::new();
    for h in hosts {
        if let Some(host) = m.real_text(&h, "the host") {
            if out.iter().any(|(x, _)| *x == host) {
                m.t.take(&h);
            } else {
                out.push((host, h));
            }
        }
    }
    out
}

/// Picks internal or external for an app reached by these hosts through a class.
fn pattern_by_host(m: &Mapper, host: Option<&str>) -> Option<&'static str> {
    let host = host?;
    let internal = m.platform("/dns/internalDomain").and_then(Value::as_str)?;
    let external = m.platform("/dns/externalDomain").and_then(Value::as_str)?;
    let under = |d: &str| host.ends_with(&format!(".{d}"));
    if internal != external && under(internal) {
        Some("internal-only")
    } else if under(external) {
        Some("external-via-tunnel")
    } else {
        None
    }
}

/// The ingress of the app: an HTTPRoute or an Ingress of the values (routes first).
pub fn exposure(m: &mut Mapper, root: &Node) {
    let mut routes: Vec<Node> = Vec::new();
    let mut ingresses: Vec<Node> = Vec::new();
    for (key, list) in [("route", &mut routes), ("ingress", &mut ingresses)] {
        for (_, e) in root.get(key).map(|r| r.entries()).unwrap_or_default() {
            if m.elsewhere(&e).is_some() {
                continue;
            }
            if e.enabled() {
                list.push(e);
            } else {
                m.t.take(&e);
            }
        }
    }
    // The first route (else Ingress) that reaches the app's main port is the app's.
    let candidates: Vec<(Node, bool)> = routes
        .into_iter()
        .map(|r| (r, true))
        .chain(ingresses.into_iter().map(|i| (i, false)))
        .collect();
    let pattern_of = |m: &Mapper, n: &Node, is_route: bool| {
        if is_route {
            route_pattern(m, n)
        } else {
            ingress_pattern(m, n)
        }
    };
    // An external one before an internal one: the internal one may be the same app's
    // internal entry point (split-horizon DNS, `ingress.alsoInternal`).
    let reaching: Vec<usize> = (0..candidates.len())
        .filter(|i| reaches_app(m, &candidates[*i].0, candidates[*i].1))
        .collect();
    let pick = reaching
        .iter()
        .copied()
        .find(|i| pattern_of(m, &candidates[*i].0, candidates[*i].1) == "external-via-tunnel")
        .or(reaching.first().copied());
    let Some(pick) = pick else {
        for (n, _) in &candidates {
            m.t.drop(n, "it routes to another Service or port than the app's");
        }
        m.spec.insert("ingress".into(), json!({"pattern": "none"}));
        return;
    };
    let (chosen, is_route) = candidates[pick].clone();
    let chosen_path = chosen.path().to_string();
    let mut extra_routes: Vec<(String, Node)> = Vec::new();
    let mut internal_twins: Vec<(Node, bool)> = Vec::new();
    let chosen_external = pattern_of(m, &chosen, is_route) == "external-via-tunnel";
    for (i, (n, n_is_route)) in candidates.iter().enumerate() {
        if i == pick {
            continue;
        }
        if let Some(port) = other_port(m, n, *n_is_route)
            && m.shape().has(&["ingress", "routes"])
        {
            extra_routes.push((port, n.clone()));
            continue;
        }
        if chosen_external
            && reaches_app(m, n, *n_is_route)
            && pattern_of(m, n, *n_is_route) == "internal-only"
        {
            internal_twins.push((n.clone(), *n_is_route));
            continue;
        }
        let reason = if reaches_app(m, n, *n_is_route) {
            format!(
                "the app is reached through one ingress ({chosen_path}); another is not supported"
            )
        } else {
            "it routes to another Service or port than the app's".to_string()
        };
        m.t.drop(n, reason);
    }
    if let Some(e) = chosen.get("enabled") {
        m.t.take(&e);
    }
    if is_route {
        route(m, &chosen);
    } else {
        ingress(m, &chosen);
    }
    never_invent_a_host(m, &chosen);
    for (n, n_is_route) in internal_twins {
        internal_twin(m, &n, n_is_route, &chosen_path);
    }
    let exposed = m.spec.get("ingress").and_then(|i| i.get("host")).is_some();
    for (port, n) in extra_routes {
        if !exposed {
            m.t.drop(&n, "not exposed: the app's own host could not be carried");
            continue;
        }
        routes_to_port(m, &n, &port);
    }
}

/// An internal route or Ingress beside the app's external one: when it serves the same
/// hosts and path (and says nothing else a route of AppSpec cannot), it is the app's internal
/// entry point, `ingress.alsoInternal`; otherwise it is listed.
fn internal_twin(m: &mut Mapper, n: &Node, is_route: bool, chosen_path: &str) {
    let ing = m.spec.get("ingress").cloned().unwrap_or_default();
    let mut app_hosts: Vec<String> = ing
        .get("host")
        .and_then(Value::as_str)
        .map(str::to_string)
        .into_iter()
        .collect();
    app_hosts.extend(
        ing.get("aliases")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(|a| a.as_str().map(str::to_string)),
    );
    let app_path = ing.get("path").and_then(Value::as_str).unwrap_or("/");
    let hosts: Vec<String> = if is_route {
        n.get("hostnames").map(|h| h.items()).unwrap_or_default()
    } else {
        n.get("hosts")
            .map(|h| h.items())
            .unwrap_or_default()
            .into_iter()
            .filter_map(|h| h.get("host"))
            .collect()
    }
    .iter()
    .filter_map(|h| h.str().map(super::subst::with_defaults))
    .collect();
    let same_hosts = !hosts.is_empty() && hosts.iter().all(|h| app_hosts.contains(h));
    let same_path = twin_path(n, is_route).is_some_and(|p| p == app_path);
    if !(same_hosts && same_path) || app_hosts.is_empty() {
        m.t.drop(
            n,
            format!("the app is reached through one ingress ({chosen_path}); an internal one with other hosts, paths or rule settings is not supported (ingress.alsoInternal serves the external one's hosts and path)"),
        );
        return;
    }
    let set = ing.get("alsoInternal").is_some();
    if !set
        && !m.emit(
            &["ingress", "alsoInternal"],
            json!(true),
            n,
            "an external app also on the internal entry point (ingress.alsoInternal) is",
        )
    {
        return;
    }
    m.t.take(n);
    // What the AppSpec writes for the internal entry point, told where it differs.
    let app_annotations = ing.get("annotations").cloned().unwrap_or_default();
    let mut theirs: Vec<String> = Vec::new();
    if let Some(ann) = n.get("annotations") {
        for (k, v) in ann.entries() {
            theirs.push(k.to_string());
            if app_annotations.get(k).and_then(Value::as_str) == v.str() {
                continue;
            }
            if k == EXTERNAL_DNS_TARGET
                && let Some(note) = gateway_target_note(m, "internal-only", is_route)
            {
                m.t.note(&v, note);
            } else if OWNED_EXTERNAL_DNS.contains(&k) {
                m.t.note(
                    &v,
                    "external-dns settings come from the pattern and the platform",
                );
            } else {
                m.t.drop(
                    &v,
                    "an annotation only the internal entry point has: AppSpec gives both entry points the app's ingress.annotations",
                );
            }
        }
    }
    for k in app_annotations
        .as_object()
        .into_iter()
        .flat_map(|a| a.keys())
    {
        if !theirs.contains(k) {
            m.t.remark(
                n.path(),
                format!("the internal entry point gets the app's annotation {k} too (ingress.annotations apply to both)"),
            );
        }
    }
    // The class or Gateway: the platform's internal one, noted where the release named another.
    let internal_class = m
        .platform("/ingress/internal/className")
        .and_then(Value::as_str);
    for key in ["className", "ingressClassName"] {
        if let Some(v) = n.get(key)
            && v.str() != internal_class
        {
            m.t.note(
                &v,
                format!(
                    "the internal entry point's ingress class comes from the platform: {}",
                    internal_class.unwrap_or("")
                ),
            );
        }
    }
    for p in n.get("parentRefs").map(|p| p.items()).unwrap_or_default() {
        if parent_pattern(m, &p) != (Some("internal-only"), true) {
            m.t.note(
                &p,
                "the internal entry point's Gateway comes from the platform (ingress.gateway.internal)",
            );
        } else if let Some(section) = p.get("sectionName")
            && m.platform("/ingress/gateway/internal/sectionName") != Some(section.value)
        {
            m.t.note(
                &section,
                "the listener (sectionName) comes from the platform's Gateway",
            );
        }
    }
    if let Some(tls) = n.get("tls") {
        platform_tls(
            m,
            &tls,
            "the internal Ingress uses the external one's certificate",
        );
    }
}

/// An Ingress's `tls`: a note when the platform issues certificates (`how` says which
/// serves this host), else listed, since the site has no TLS to give it.
fn platform_tls(m: &mut Mapper, tls: &Node, how: &str) {
    if m.platform("/ingress/tls").is_some_and(|t| !t.is_null()) {
        m.t.note(
            tls,
            format!("TLS comes from the platform (PlatformConfig ingress.tls): {how}"),
        );
    } else {
        m.t.drop(
            tls,
            "TLS comes from the platform (PlatformConfig ingress.tls); this site has none",
        );
    }
}

/// The one path prefix a route or an Ingress serves, when it says nothing else: route rules
/// of one path prefix match (or none) and backends; Ingress paths of a prefix type.
fn twin_path(n: &Node, is_route: bool) -> Option<String> {
    let mut paths: Vec<String> = Vec::new();
    if is_route {
        for rule in n.get("rules").map(|r| r.items()).unwrap_or_default() {
            if rule
                .entries()
                .iter()
                .any(|(k, _)| !matches!(*k, "matches" | "backendRefs"))
            {
                return None;
            }
            let matches = rule.get("matches").map(|x| x.items()).unwrap_or_default();
            match matches.as_slice() {
                [] => paths.push("/".into()),
                [mt] => {
                    let p = mt.get("path")?;
                    if mt.entries().len() != 1
                        || p.get("type").and_then(|t| t.str()).unwrap_or("PathPrefix")
                            != "PathPrefix"
                    {
                        return None;
                    }
                    paths.push(p.get("value").and_then(|v| v.str().map(str::to_string))?);
                }
                _ => return None,
            }
        }
    } else {
        for h in n.get("hosts").map(|h| h.items()).unwrap_or_default() {
            for p in h.get("paths").map(|p| p.items()).unwrap_or_default() {
                if !matches!(
                    p.get("pathType").and_then(|t| t.str()),
                    None | Some("Prefix" | "ImplementationSpecific")
                ) {
                    return None;
                }
                paths.push(
                    p.get("path")
                        .and_then(|v| v.str().map(str::to_string))
                        .unwrap_or_else(|| "/".into()),
                );
            }
        }
    }
    paths.dedup();
    match paths.as_slice() {
        [] => Some("/".into()),
        [one] => Some(one.clone()),
        _ => None,
    }
}

/// The external-dns annotations the function writes from the pattern and the platform.
const OWNED_EXTERNAL_DNS: &[&str] = &[
    "external-dns.alpha.kubernetes.io/hostname",
    "external-dns.alpha.kubernetes.io/cloudflare-proxied",
    EXTERNAL_DNS_TARGET,
];

/// The named extra port (not `http`) that every backend of a route or an Ingress sends
/// to, on the app's Service.
fn other_port(m: &Mapper, n: &Node, is_route: bool) -> Option<String> {
    let backends: Vec<Node> = if is_route {
        n.get("rules")
            .map(|r| r.items())
            .unwrap_or_default()
            .iter()
            .flat_map(|r| r.get("backendRefs").map(|b| b.items()).unwrap_or_default())
            .collect()
    } else {
        n.get("hosts")
            .map(|h| h.items())
            .unwrap_or_default()
            .iter()
            .flat_map(|h| h.get("paths").map(|p| p.items()).unwrap_or_default())
            .filter_map(|p| p.get("service"))
            .collect()
    };
    let app = m.input.release.name.as_str();
    let mut found: Option<String> = None;
    for b in &backends {
        let service_ok = match (
            b.get("identifier").and_then(|x| x.str()),
            b.get("name").and_then(|x| x.str()),
        ) {
            (Some(id), _) => m.facts.service.as_deref() == Some(id),
            (None, Some(name)) => name == app || m.facts.service.as_deref() == Some(name),
            (None, None) => false,
        };
        let port = b.get("port")?;
        let name = match (port.int(), port.str()) {
            (Some(n), _) => m
                .facts
                .ports
                .iter()
                .find(|(_, p)| **p == n)
                .map(|(k, _)| k.clone()),
            (_, Some(s)) => m.facts.ports.contains_key(s).then(|| s.to_string()),
            _ => None,
        }?;
        if !service_ok || found.as_ref().is_some_and(|f| *f != name) {
            return None;
        }
        found = Some(name);
    }
    found
}

/// A route or an Ingress to another named port of the app: `ingress.routes`, one per host,
/// with the path its rules share; the Gateway or class is the app's own, noted.
fn routes_to_port(m: &mut Mapper, n: &Node, port: &str) {
    let host_nodes: Vec<Node> = match n.get("hostnames") {
        Some(h) => h.items(),
        None => n
            .get("hosts")
            .map(|h| h.items())
            .unwrap_or_default()
            .into_iter()
            .filter_map(|h| h.get("host"))
            .collect(),
    };
    let path = if n.get("hostnames").is_some() || n.get("hosts").is_none() {
        route_rules_path(m, n)
    } else {
        ingress_paths_path(m, n)
    };
    let mut any = false;
    for (host, node) in hosts(m, host_nodes) {
        let mut item = json!({"host": host, "port": port});
        if let Some(p) = path.as_ref().filter(|p| *p != "/") {
            item["path"] = json!(p);
        }
        any |= m.push(
            &["ingress", "routes"],
            item,
            &node,
            "routes to another port (ingress.routes) are",
        );
    }
    if !any {
        m.t.drop(
            n,
            "a route to another port without a host that could be carried",
        );
        return;
    }
    for (k, v) in n.entries() {
        if m.t.is_used(&v) {
            continue;
        }
        match k {
            "hostnames" | "hosts" | "enabled" | "kind" => m.t.take(&v),
            "parentRefs" | "className" | "ingressClassName" | "tls" => m.t.note(
                &v,
                format!("a route to port {port} goes through the app's own Gateway or class, as ingress.routes does"),
            ),
            _ => {}
        }
    }
}

/// The one path prefix of a route's rules to another port (`/` without matches); a rule
/// with another path, a match other than one path prefix, or settings a route of
/// `ingress.routes` does not take is listed.
fn route_rules_path(m: &mut Mapper, n: &Node) -> Option<String> {
    let timeout = m
        .spec
        .get("ingress")
        .and_then(|i| i.get("timeout"))
        .and_then(Value::as_str)
        .map(str::to_string);
    let mut found: Option<String> = None;
    for rule in n.get("rules").map(|r| r.items()).unwrap_or_default() {
        let matches = rule.get("matches").map(|x| x.items()).unwrap_or_default();
        if matches.len() > 1 {
            m.t.drop(
                &rule,
                "several matches in one rule are not supported: a route host has one path prefix",
            );
            continue;
        }
        let mut rule_path = "/".to_string();
        let mut carried = true;
        for mt in &matches {
            let prefix = mt.get("path").filter(|p| {
                p.get("type").and_then(|t| t.str()).unwrap_or("PathPrefix") == "PathPrefix"
                    && p.entries().len() <= 2
            });
            match (prefix, mt.entries().len()) {
                (Some(p), 1) => match p.get("value").map(|v| m.text(&v)) {
                    Some(Some(v)) => rule_path = v,
                    Some(None) => carried = false,
                    None => {}
                },
                _ => {
                    m.t.drop(mt, "only a path prefix match is supported");
                    carried = false;
                }
            }
        }
        if !carried {
            if let Some(b) = rule.get("backendRefs") {
                m.t.drop(&b, "its rule's match could not be carried");
            }
            continue;
        }
        if let Some(f) = &found
            && *f != rule_path
        {
            m.t.drop(
                &rule,
                format!(
                    "a route host has one path prefix ({f}); a rule with another is not supported"
                ),
            );
            continue;
        }
        for (k, v) in rule.entries() {
            match k {
                "matches" | "backendRefs" => m.t.take(&v),
                "timeouts" if v.entries().len() == 1 && v.get("request").is_some() => {
                    let request = v.get("request").and_then(|r| r.str().map(str::to_string));
                    if request.is_some() && request == timeout {
                        m.t.take(&v);
                    } else {
                        m.t.drop(
                            &v,
                            "a route to another port takes the app's ingress.timeout; its own timeout is not supported",
                        );
                    }
                }
                _ => m.t.drop(&v, format!("route rule {k} are not supported")),
            }
        }
        if rule.get("timeouts").is_none()
            && let Some(t) = &timeout
        {
            m.t.remark(
                rule.path(),
                format!(
                    "the app's ingress.timeout ({t}) applies to this route to another port too"
                ),
            );
        }
        m.t.take(&rule);
        found = Some(rule_path);
    }
    Some(found.unwrap_or_else(|| "/".into()))
}

/// The one path of an Ingress's hosts to another port (prefix paths; the others, and a
/// second path, are listed).
fn ingress_paths_path(m: &mut Mapper, n: &Node) -> Option<String> {
    let mut found: Option<String> = None;
    for h in n.get("hosts").map(|h| h.items()).unwrap_or_default() {
        for p in h.get("paths").map(|p| p.items()).unwrap_or_default() {
            if let Some(t) = p.get("pathType") {
                if matches!(t.str(), Some("Prefix" | "ImplementationSpecific")) {
                    m.t.take(&t);
                } else {
                    m.t.drop(&p, "only prefix paths are supported");
                    continue;
                }
            }
            let Some(value) = (match p.get("path") {
                Some(v) => m.text(&v),
                None => Some("/".to_string()),
            }) else {
                continue;
            };
            match &found {
                Some(f) if *f != value => {
                    m.t.drop(
                        &p,
                        format!(
                            "a route host has one path prefix ({f}); another path is not supported"
                        ),
                    );
                    continue;
                }
                _ => found = Some(value),
            }
            for (k, v) in p.entries() {
                match k {
                    "path" | "pathType" | "service" => m.t.take(&v),
                    _ => {
                        m.t.drop(&v, format!("{k} of an Ingress path is not supported"))
                    }
                }
            }
            m.t.take(&p);
        }
    }
    Some(found.unwrap_or_else(|| "/".into()))
}

/// Without a host of the release, AppSpec would give the app one from the platform's host
/// template: a host the release never had (SPEC 9.2). The app is then not exposed, and
/// what the release exposed is listed.
fn never_invent_a_host(m: &mut Mapper, chosen: &Node) {
    if m.spec.get("ingress").and_then(|i| i.get("pattern")) == Some(&json!("none"))
        || m.spec.get("ingress").and_then(|i| i.get("host")).is_some()
    {
        return;
    }
    let kept: Vec<_> = m
        .origins
        .iter()
        .filter(|(spec, _)| spec.starts_with("spec.ingress."))
        .map(|(_, origin)| origin.clone())
        .collect();
    m.origins
        .retain(|(spec, _)| !spec.starts_with("spec.ingress."));
    m.spec.insert("ingress".into(), json!({"pattern": "none"}));
    let reason = "not exposed: no host of the release could be carried, and AppSpec gives no host the release did not have (ingress.pattern: none)";
    for origin in kept {
        m.t.drop_path(origin, reason);
    }
    m.t.drop_path(chosen.path(), reason);
}

/// Whether a route or an Ingress sends traffic to the app's main port (a route without
/// rules goes to the primary Service).
fn reaches_app(m: &Mapper, n: &Node, is_route: bool) -> bool {
    if is_route {
        let rules = n.get("rules").map(|r| r.items()).unwrap_or_default();
        rules.is_empty()
            || rules.iter().any(|rule| {
                let backends = rule
                    .get("backendRefs")
                    .map(|b| b.items())
                    .unwrap_or_default();
                !backends.is_empty()
                    && backends.iter().all(|b| {
                        is_app_backend(
                            m,
                            b.get("identifier").and_then(|x| x.str()),
                            b.get("name").and_then(|x| x.str()),
                            b.get("port").as_ref(),
                        )
                    })
            })
    } else {
        let paths: Vec<Node> = n
            .get("hosts")
            .map(|h| h.items())
            .unwrap_or_default()
            .iter()
            .flat_map(|h| h.get("paths").map(|p| p.items()).unwrap_or_default())
            .collect();
        paths.is_empty()
            || paths.iter().any(|p| {
                p.get("service").is_none_or(|s| {
                    is_app_backend(
                        m,
                        s.get("identifier").and_then(|x| x.str()),
                        s.get("name").and_then(|x| x.str()),
                        s.get("port").as_ref(),
                    )
                })
            })
    }
}

/// Whether a backend (service identifier or name, and port) is the app's main port.
fn is_app_backend(m: &Mapper, id: Option<&str>, name: Option<&str>, port: Option<&Node>) -> bool {
    let app = m.input.release.name.as_str();
    let service_ok = match (id, name) {
        (Some(id), _) => m.facts.service.as_deref() == Some(id),
        (None, Some(name)) => name == app || m.facts.service.as_deref() == Some(name),
        (None, None) => true,
    };
    let port_ok = match port {
        None => true,
        Some(p) => match (p.int(), p.str()) {
            (Some(n), _) => m.facts.port.as_ref().is_some_and(|(_, s, _)| *s == n),
            (_, Some(name)) => {
                name == "http" || m.facts.port.as_ref().is_some_and(|(_, _, n)| n == name)
            }
            _ => false,
        },
    };
    service_ok && port_ok
}

/// The pattern a route's parentRef asks for (the platform's Gateway of a pattern, else the
/// Gateway's name), and whether the platform names that Gateway.
fn parent_pattern(m: &Mapper, p: &Node) -> (Option<&'static str>, bool) {
    let gateways = m.platform("/ingress/gateway");
    let name = p.get("name").and_then(|n| n.str()).unwrap_or("");
    let ns = p.get("namespace").and_then(|n| n.str());
    let by_platform = ["internal", "external"].into_iter().find(|k| {
        gateways.and_then(|g| g.get(*k)).is_some_and(|g| {
            g.get("name").and_then(Value::as_str) == Some(name)
                && ns.is_none_or(|ns| g.get("namespace").and_then(Value::as_str) == Some(ns))
        })
    });
    let pattern = match by_platform {
        Some("external") => Some("external-via-tunnel"),
        Some(_) => Some("internal-only"),
        None => pattern_by_name(name),
    };
    (pattern, by_platform.is_some())
}

/// The pattern of a route: external when any parentRef is, else the first one's.
fn route_pattern(m: &Mapper, r: &Node) -> &'static str {
    let mut chosen: Option<&'static str> = None;
    for p in r.get("parentRefs").map(|p| p.items()).unwrap_or_default() {
        let (pattern, _) = parent_pattern(m, &p);
        if pattern == Some("external-via-tunnel") || chosen.is_none() {
            chosen = pattern.or(chosen);
        }
    }
    chosen.unwrap_or("internal-only")
}

fn route(m: &mut Mapper, r: &Node) {
    if let Some(kind) = r.get("kind") {
        if kind.str() == Some("HTTPRoute") {
            m.t.take(&kind);
        } else {
            m.t.drop(r, "only HTTP routes are supported");
            m.spec.insert("ingress".into(), json!({"pattern": "none"}));
            return;
        }
    }
    // The pattern, from the Gateways the route attaches to.
    let refs = r.get("parentRefs").map(|p| p.items()).unwrap_or_default();
    let gateways = m.platform("/ingress/gateway").cloned();
    let judged: Vec<(Node, Option<&'static str>, bool)> = refs
        .iter()
        .map(|p| {
            let (pattern, by_platform) = parent_pattern(m, p);
            (p.clone(), pattern, by_platform)
        })
        .collect();
    let pattern = route_pattern(m, r);
    m.spec.insert("ingress".into(), json!({"pattern": pattern}));
    for (p, pat, matches_platform) in judged {
        // An external app also attached to an internal Gateway: `ingress.alsoInternal`.
        let also_internal = pattern == "external-via-tunnel" && pat == Some("internal-only");
        if also_internal {
            let set = m
                .spec
                .get("ingress")
                .and_then(|i| i.get("alsoInternal"))
                .is_some();
            if !set
                && !m.emit(
                    &["ingress", "alsoInternal"],
                    json!(true),
                    &p,
                    "an external app also on the internal Gateway (ingress.alsoInternal) is",
                )
            {
                continue;
            }
        } else if pat != Some(pattern) {
            m.t.drop(
                &p,
                format!("an app has one ingress pattern ({pattern}); this Gateway serves another"),
            );
            continue;
        }
        let ref_pattern = if also_internal {
            "internal-only"
        } else {
            pattern
        };
        let key = platform_key(ref_pattern);
        let site_gateway = gateways.as_ref().and_then(|g| g.get(key)).cloned();
        let pattern = ref_pattern;
        if !matches_platform {
            let reason = match &site_gateway {
                Some(g) => format!(
                    "the Gateway of {pattern} apps comes from the platform: {}/{}",
                    g.get("namespace").and_then(Value::as_str).unwrap_or(""),
                    g.get("name").and_then(Value::as_str).unwrap_or("")
                ),
                None => format!(
                    "the Gateway comes from the platform (PlatformConfig ingress.gateway.{key}); this site has none, so the app gets an Ingress for the same hosts"
                ),
            };
            m.t.note(&p, reason);
            continue;
        }
        for (k, v) in p.entries() {
            match k {
                "name" | "namespace" => m.t.take(&v),
                "group" => m.default_or_drop(
                    &v,
                    &json!("gateway.networking.k8s.io"),
                    "another Gateway API group",
                ),
                "kind" => m.default_or_drop(
                    &v,
                    &json!("Gateway"),
                    "only Gateways are supported as parents",
                ),
                "sectionName" => {
                    let site = site_gateway.as_ref().and_then(|g| g.get("sectionName"));
                    if site.is_some_and(|s| s == v.value) {
                        m.t.take(&v);
                    } else {
                        m.t.note(
                            &v,
                            "the listener (sectionName) comes from the platform's Gateway",
                        );
                    }
                }
                _ => m.t.drop(&v, "not supported in a parentRef"),
            }
        }
    }
    let names = r.get("hostnames").map(|h| h.items()).unwrap_or_default();
    let found = hosts(m, names);
    emit_hosts(m, found);
    // Rules: one path to the app's port.
    let rules = r.get("rules").map(|x| x.items()).unwrap_or_default();
    let mut path: Option<(String, Node)> = None;
    for (i, rule) in rules.iter().enumerate() {
        let backends = rule
            .get("backendRefs")
            .map(|b| b.items())
            .unwrap_or_default();
        let ours = backends.iter().all(|b| {
            is_app_backend(
                m,
                b.get("identifier").and_then(|x| x.str()),
                b.get("name").and_then(|x| x.str()),
                b.get("port").as_ref(),
            )
        });
        if !ours || backends.len() > 1 {
            m.t.drop(
                rule,
                "a rule to another backend (or several) is not supported",
            );
            continue;
        }
        for b in &backends {
            m.t.take(b);
        }
        if let Some(bk) = rule.get("backendRefs") {
            m.t.take(&bk);
        }
        let matches = rule.get("matches").map(|x| x.items()).unwrap_or_default();
        let mut rule_path = "/".to_string();
        for mt in &matches {
            let prefix = mt.get("path").filter(|p| {
                p.get("type").and_then(|t| t.str()).unwrap_or("PathPrefix") == "PathPrefix"
                    && p.entries().len() <= 2
            });
            match (prefix, mt.entries().len()) {
                (Some(p), 1) => {
                    rule_path = p
                        .get("value")
                        .and_then(|v| m.text(&v))
                        .unwrap_or_else(|| "/".into());
                    m.t.take(mt);
                }
                _ => m.t.drop(mt, "only a path prefix match is supported"),
            }
        }
        if matches.len() > 1 {
            continue;
        }
        for (k, v) in rule.entries() {
            match k {
                "backendRefs" | "matches" => {}
                "timeouts" => {
                    for (tk, tv) in v.entries() {
                        match (tk, m.text(&tv)) {
                            ("request", Some(t)) => {
                                m.emit(
                                    &["ingress", "timeout"],
                                    json!(t),
                                    &tv,
                                    "a request timeout (ingress.timeout) is",
                                );
                            }
                            (_, Some(_)) => {
                                m.t.drop(&tv, format!("a route's {tk} timeout is not supported"))
                            }
                            _ => {}
                        }
                    }
                }
                _ => m.t.drop(&v, format!("route rule {k} are not supported")),
            }
        }
        match &path {
            None => path = Some((rule_path, rule.clone())),
            Some(_) if i > 0 => m.t.drop(rule, "one path per app"),
            Some(_) => {}
        }
    }
    if let Some((p, node)) = path
        && p != "/"
    {
        m.emit(&["ingress", "path"], json!(p), &node, "a path prefix is");
    }
    if let Some(ann) = r.get("annotations") {
        annotations(m, &ann, pattern, true);
    }
    for key in ["labels"] {
        if let Some(v) = r.get(key) {
            m.t.drop(&v, "route labels are not supported");
        }
    }
}

fn emit_hosts(m: &mut Mapper, found: Vec<(String, Node)>) {
    let mut iter = found.into_iter();
    let mut have_host = false;
    for (host, node) in iter.by_ref() {
        if m.emit(&["ingress", "host"], json!(host), &node, "a host is") {
            have_host = true;
            break;
        }
    }
    if !have_host {
        return;
    }
    for (host, node) in iter {
        m.push(
            &["ingress", "aliases"],
            json!(host),
            &node,
            "more hosts (aliases) are",
        );
    }
}

/// Annotations the function writes itself, by pattern.
fn owned_annotation(m: &Mapper, key: &str, value: &Node, pattern: &str) -> Option<bool> {
    let external = pattern == "external-via-tunnel";
    match key {
        "external-dns.alpha.kubernetes.io/hostname"
        | "external-dns.alpha.kubernetes.io/cloudflare-proxied" => Some(external),
        "external-dns.alpha.kubernetes.io/target" => {
            let site = m
                .platform("/ingress/external/target")
                .and_then(Value::as_str);
            Some(external && site.is_some() && site == value.str())
        }
        "kubernetes.io/ingress.class" => Some(true),
        _ => None,
    }
}

/// The external-dns target annotation.
const EXTERNAL_DNS_TARGET: &str = "external-dns.alpha.kubernetes.io/target";

/// What to say of an external-dns target annotation when the platform routes apps of
/// `pattern` through a Gateway: external-dns's Gateway API source reads the target from the
/// Gateway (or a ListenerSet), never from a route, so AppSpec's HTTPRoute does not carry it.
/// `None`: the app gets an Ingress, which carries the platform's target.
fn gateway_target_note(m: &Mapper, pattern: &str, is_route: bool) -> Option<&'static str> {
    m.platform(&format!("/ingress/gateway/{}", platform_key(pattern)))
        .filter(|g| !g.is_null())?;
    Some(if is_route {
        "external-dns reads the target from the Gateway, never from a route: it did nothing here, and AppSpec's HTTPRoute does not carry it (the platform's Gateway does)"
    } else {
        "the app gets an HTTPRoute to the platform's Gateway here, and external-dns reads the target from the Gateway, never from a route: the platform's Gateway carries it"
    })
}

fn annotations(m: &mut Mapper, ann: &Node, pattern: &str, is_route: bool) {
    for (key, v) in ann.entries() {
        if key == EXTERNAL_DNS_TARGET
            && let Some(note) = gateway_target_note(m, pattern, is_route)
        {
            m.t.note(&v, note);
            continue;
        }
        match owned_annotation(m, key, &v, pattern) {
            Some(true) => m.t.take(&v),
            Some(false) => m.t.note(
                &v,
                "external-dns settings come from the pattern and the platform (ingress.external.target)",
            ),
            None => {
                let Some(text) = m.text(&v) else { continue };
                m.emit(&["ingress", "annotations", key], json!(text), &v, "ingress annotations are");
            }
        }
    }
}

/// The pattern an Ingress of the values asks for: its class, else its host's domain, else
/// its class's name, else an external-dns target.
fn ingress_pattern(m: &Mapper, i: &Node) -> &'static str {
    let class = i
        .get("className")
        .or_else(|| i.get("ingressClassName"))
        .and_then(|c| c.str().map(str::to_string));
    let first_host = i
        .get("hosts")
        .and_then(|h| h.items().into_iter().next())
        .and_then(|h| h.get("host"))
        .and_then(|h| h.str().map(str::to_string));
    let internal_class = m
        .platform("/ingress/internal/className")
        .and_then(Value::as_str);
    let external_class = m
        .platform("/ingress/external/className")
        .and_then(Value::as_str);
    let by_class = class.as_deref().and_then(|c| {
        match (Some(c) == internal_class, Some(c) == external_class) {
            (true, false) => Some("internal-only"),
            (false, true) => Some("external-via-tunnel"),
            _ => None,
        }
    });
    let has_target = i
        .get("annotations")
        .and_then(|a| a.get("external-dns.alpha.kubernetes.io/target"))
        .is_some();
    by_class
        .or_else(|| pattern_by_host(m, first_host.as_deref()))
        .or_else(|| class.as_deref().and_then(pattern_by_name))
        .or(has_target.then_some("external-via-tunnel"))
        .unwrap_or("internal-only")
}

fn ingress(m: &mut Mapper, i: &Node) {
    let host_nodes: Vec<Node> = i
        .get("hosts")
        .map(|h| h.items())
        .unwrap_or_default()
        .into_iter()
        .filter_map(|h| h.get("host"))
        .collect();
    let internal_class = m
        .platform("/ingress/internal/className")
        .and_then(Value::as_str);
    let external_class = m
        .platform("/ingress/external/className")
        .and_then(Value::as_str);
    let pattern = ingress_pattern(m, i);
    m.spec.insert("ingress".into(), json!({"pattern": pattern}));
    let site_class = if pattern == "external-via-tunnel" {
        external_class
    } else {
        internal_class
    };
    for key in ["className", "ingressClassName"] {
        if let Some(c) = i.get(key) {
            if c.str() == site_class {
                m.t.take(&c);
            } else {
                m.t.note(
                    &c,
                    format!(
                        "the ingress class comes from the platform: {} for {pattern} apps",
                        site_class.unwrap_or("")
                    ),
                );
            }
        }
    }
    let mut path: Option<(String, Node)> = None;
    for h in i.get("hosts").map(|h| h.items()).unwrap_or_default() {
        for p in h.get("paths").map(|p| p.items()).unwrap_or_default() {
            let svc = p.get("service");
            let ours = svc.as_ref().is_none_or(|s| {
                is_app_backend(
                    m,
                    s.get("identifier").and_then(|x| x.str()),
                    s.get("name").and_then(|x| x.str()),
                    s.get("port").as_ref(),
                )
            });
            if !ours {
                m.t.drop(&p, "a path to another Service is not supported");
                continue;
            }
            if let Some(s) = svc {
                m.t.take(&s);
            }
            if let Some(t) = p.get("pathType") {
                if matches!(t.str(), Some("Prefix" | "ImplementationSpecific")) {
                    m.t.take(&t);
                } else {
                    m.t.drop(&t, "only prefix paths are supported");
                }
            }
            let value = p
                .get("path")
                .and_then(|v| m.text(&v))
                .unwrap_or_else(|| "/".into());
            match &path {
                None => path = Some((value, p.clone())),
                Some((first, _)) if *first == value => m.t.take(&p),
                Some(_) => m.t.drop(&p, "one path per app"),
            }
        }
    }
    let found = hosts(m, host_nodes);
    emit_hosts(m, found);
    match path {
        Some((p, node)) if p != "/" => {
            m.emit(&["ingress", "path"], json!(p), &node, "a path prefix is");
        }
        Some((_, node)) => m.t.take(&node),
        None => {}
    }
    if let Some(tls) = i.get("tls") {
        platform_tls(m, &tls, "its issuer makes the certificate");
    }
    if let Some(ann) = i.get("annotations") {
        annotations(m, &ann, pattern, false);
    }
}

/// A ServiceMonitor for the app's Service onto `metrics`.
pub fn metrics(m: &mut Mapper, root: &Node) {
    let monitors: Vec<Node> = root
        .get("serviceMonitor")
        .map(|s| s.entries().into_iter().map(|(_, n)| n).collect())
        .unwrap_or_default();
    let mut done = false;
    for mon in monitors {
        if m.elsewhere(&mon).is_some() {
            continue;
        }
        if !mon.enabled() {
            m.t.take(&mon);
            continue;
        }
        if done {
            m.t.drop(&mon, "one ServiceMonitor per app");
            continue;
        }
        done = true;
        if !m.shape().has(&["metrics"]) {
            m.t.drop(&mon, unsupported("metrics (a ServiceMonitor) are"));
            continue;
        }
        let endpoints = mon.get("endpoints").map(|e| e.items()).unwrap_or_default();
        let Some(ep) = endpoints.first() else {
            m.t.drop(&mon, "a ServiceMonitor without endpoints");
            continue;
        };
        for extra in endpoints.iter().skip(1) {
            m.t.drop(extra, "one metrics endpoint per app");
        }
        let port = ep.get("port").and_then(|p| p.str().map(str::to_string));
        let port = match port {
            Some(p) if m.facts.ports.contains_key(&p) => p,
            Some(p) if m.facts.port.as_ref().is_some_and(|(_, _, n)| *n == p) => "http".into(),
            _ => {
                m.t.drop(&mon, "the metrics port is not a named port of the app");
                continue;
            }
        };
        let mut value = json!({"port": port});
        for key in ["path", "interval"] {
            if let Some(v) = ep.get(key).and_then(|v| m.text(&v)) {
                value[key] = json!(v);
            }
        }
        for (k, v) in ep.entries() {
            match k {
                "port" | "path" | "interval" => {}
                "scheme" => m.default_or_drop(&v, &json!("http"), "metrics are scraped over http"),
                // Prometheus' own default (global scrape_timeout).
                "scrapeTimeout" => m.default_or_drop(
                    &v,
                    &json!("10s"),
                    "scrapeTimeout of a metrics endpoint is not supported (Prometheus' default, 10s, applies)",
                ),
                _ => {
                    m.t.drop(&v, format!("{k} of a metrics endpoint is not supported"))
                }
            }
        }
        for (k, v) in mon.entries() {
            match k {
                "endpoints" | "enabled" => {}
                "serviceName" | "service" => m.t.take(&v),
                _ => {
                    m.t.drop(&v, format!("{k} of a ServiceMonitor is not supported"))
                }
            }
        }
        m.emit(&["metrics"], value, &mon, "metrics (a ServiceMonitor) are");
    }
}

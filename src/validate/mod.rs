//! Semantic validation of an AppSpec against the platform (SPEC.md section 5).
//!
//! Every rule is checked and every problem returned; a spec is expanded only when no error
//! was found. The result carries the values derived on the way (host, repository...).

pub mod affinity;
pub mod capabilities;
pub mod container;
pub mod cron;
pub mod dns;
pub mod image;
pub mod job;
pub mod labels;
pub mod network;
pub mod nfs;
pub mod path;
pub mod platform;
pub mod pod;
pub mod quantity;
pub mod s3;
pub mod volumes;

use crate::input::diagnostic::{Issue, Severity};
use crate::model::bounds::{
    PORT_MAX, PORT_MIN, RETENTION_DAYS_MAX, RETENTION_DAYS_MIN, SIZE_GIB_MAX, SIZE_GIB_MIN,
};
use crate::model::pod::Workload;
use crate::model::spec::{
    Amounts, AppSpec, BackupStrategy, IngressPattern, Protocol, Resources, StoragePattern,
};
use crate::site::Site;
use crate::site::template::{Scheme, Vars};

/// A spec that passed validation, with everything derived from the platform.
#[derive(Clone, Debug, PartialEq)]
pub struct App {
    pub spec: AppSpec,
    /// The Ingress host (absent for `ingress.pattern: none` and for a job).
    pub host: Option<String>,
    /// The NFS server of a nas-mount.
    pub nfs: Option<nfs::Endpoint>,
    /// RESTIC_REPOSITORY of a volsync backup.
    pub repository: Option<String>,
    /// Remote key of the S3 credentials.
    pub s3_credentials_key: Option<String>,
    /// Requests and limits after the platform defaults.
    pub resources: Resources,
    /// The NFS server of each of `spec.mounts` (None for the other kinds).
    pub mount_nfs: Vec<Option<nfs::Endpoint>>,
}

impl App {
    /// Every host the app is served under: `host` first, then the aliases.
    pub fn hosts(&self) -> Vec<&str> {
        let Some(host) = &self.host else {
            return Vec::new();
        };
        std::iter::once(host.as_str())
            .chain(self.spec.body.ingress.aliases.iter().map(String::as_str))
            .collect()
    }

    /// Every host of the app: `hosts()`, then the hosts of `ingress.routes`.
    pub fn all_hosts(&self) -> Vec<&str> {
        let mut out = self.hosts();
        if !out.is_empty() {
            out.extend(
                self.spec
                    .body
                    .ingress
                    .routes
                    .iter()
                    .map(|r| r.host.as_str()),
            );
        }
        out
    }
}

/// Environment variables the s3-external pattern sets itself.
pub const S3_ENV: [&str; 4] = [
    "S3_BUCKET",
    "S3_REGION",
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
];

/// `^[A-Za-z_][A-Za-z0-9_]*$` (the schema's `ENV_NAME_PATTERN`).
pub fn is_env_name(name: &str) -> bool {
    name.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
        && name.bytes().all(|c| c.is_ascii_alphanumeric() || c == b'_')
}

/// A text of at most `max` characters, as the schema's `maxLength` counts them; the error is
/// the tail of a message: "is 70 characters long; at most 64 are allowed".
pub fn check_len(text: &str, max: usize) -> Result<(), String> {
    let n = text.chars().count();
    if n > max {
        return Err(format!("is {n} characters long; at most {max} are allowed"));
    }
    Ok(())
}

/// A list of at most `max` items (`what` names them); the error is the tail of a message:
/// "has 65 words; at most 64 are allowed".
pub fn check_count(n: usize, max: usize, what: &str) -> Result<(), String> {
    if n > max {
        return Err(format!("has {n} {what}; at most {max} are allowed"));
    }
    Ok(())
}

/// The lists of a spec over their bounds ([`crate::model::spec::MAX_SIDECARS`] and the rest), one
/// issue each.
fn list_bounds(s: &crate::model::spec::AppSpecBody) -> Vec<Issue> {
    use crate::model::spec::{
        MAX_ALIASES, MAX_FILES, MAX_INIT_CONTAINERS, MAX_MOUNTS, MAX_PORTS, MAX_ROUTES,
        MAX_SIDECARS,
    };
    let mut lists = vec![
        (
            "spec.sidecars".to_string(),
            "sidecars",
            s.sidecars.len(),
            MAX_SIDECARS,
        ),
        (
            "spec.init".to_string(),
            "init containers",
            s.init.len(),
            MAX_INIT_CONTAINERS,
        ),
        (
            "spec.mounts".to_string(),
            "mounts",
            s.mounts.len(),
            MAX_MOUNTS,
        ),
        ("spec.files".to_string(), "files", s.files.len(), MAX_FILES),
        ("spec.ports".to_string(), "ports", s.ports.len(), MAX_PORTS),
        (
            "spec.ingress.aliases".to_string(),
            "aliases",
            s.ingress.aliases.len(),
            MAX_ALIASES,
        ),
        (
            "spec.ingress.routes".to_string(),
            "routes",
            s.ingress.routes.len(),
            MAX_ROUTES,
        ),
    ];
    for (i, c) in s.sidecars.iter().enumerate().take(MAX_SIDECARS) {
        lists.push((
            format!("spec.sidecars[{i}].ports"),
            "ports",
            c.ports.len(),
            MAX_PORTS,
        ));
    }
    lists
        .into_iter()
        .filter(|(_, _, n, max)| n > max)
        .map(|(path, what, n, max)| {
            Issue::error(
                path,
                format!("{n} {what}; at most {max} are allowed (real apps need far fewer; split the app)"),
            )
        })
        .collect()
}

/// Validates one spec. Returns the derived app when there is no error, and all issues
/// (errors and warnings) in field order.
pub fn app(spec: &AppSpec, site: &Site) -> (Option<App>, Vec<Issue>) {
    let mut v = Check::default();
    let p = &site.config;
    let s = &spec.body;

    // Lists over their bounds: refused before any rule runs, so no rule (some compare
    // every pair) and no expansion works through them.
    let counts = list_bounds(s);
    if !counts.is_empty() {
        return (None, counts);
    }

    if let Err(e) = dns::check_label(&spec.name) {
        v.error(
            "metadata.name",
            format!(
                "App name must be lowercase alphanumeric with hyphens: \"{}\" {e}",
                spec.name
            ),
        );
    } else if !spec.name.starts_with(|c: char| c.is_ascii_lowercase()) {
        v.error("metadata.name", format!("App name must start with a letter: \"{}\" also names the Service, which must be an RFC 1035 label", spec.name));
    }
    if let Err(e) = dns::check_label(&spec.namespace) {
        v.error(
            "metadata.namespace",
            format!(
                "Namespace must be a lowercase RFC 1123 label: \"{}\" {e}",
                spec.namespace
            ),
        );
    } else if p.is_reserved(&spec.namespace) {
        v.error("metadata.namespace", format!("Namespace is reserved. Choose a different namespace (\"{}\" is reserved for the platform)", spec.namespace));
    }

    for (key, value) in &spec.labels {
        let path = format!("metadata.labels.{key}");
        if let Err(e) = labels::check_key(key) {
            v.error(&path, format!("label key \"{key}\" {e}"));
        } else if let Err(e) = labels::check_value(value) {
            v.error(&path, format!("label value \"{value}\" {e}"));
        }
    }
    v.issues.extend(pod::label_clashes(spec));

    match image::check(&s.image) {
        Err(e) => v.error("spec.image", format!("Image reference \"{}\" {e}", s.image)),
        Ok(image::Pin::Latest) => v.warning(
            "spec.image",
            format!(
                "image \"{}\" uses the mutable tag :latest; pin a version tag or a digest",
                s.image
            ),
        ),
        Ok(image::Pin::Nothing) => v.warning(
            "spec.image",
            format!(
                "image \"{}\" has no tag and pulls :latest; pin a version tag or a digest",
                s.image
            ),
        ),
        Ok(_) => {}
    }
    if !(1..=65535).contains(&s.port) {
        v.error(
            "spec.port",
            format!("port must be between 1 and 65535, got {}", s.port),
        );
    }
    if !(0..=i64::from(i32::MAX)).contains(&s.replicas) {
        v.error(
            "spec.replicas",
            format!(
                "replicas must be between 0 and {}, got {}",
                i32::MAX,
                s.replicas
            ),
        );
    }
    let given = s.resources.as_ref().map(|r| r.base());
    let resources = effective_resources(given.as_ref(), &p.defaults.resources);
    check_resources(&mut v, given.as_ref(), &resources);
    if let Some(r) = &s.resources {
        container::check_extended(&mut v.issues, "spec.resources", r);
    }

    for (name, value) in &s.env {
        let path = format!("spec.env.{name}");
        if matches!(value, crate::model::spec::EnvValue::Text(t) if t.contains('\0')) {
            v.error(
                path.clone(),
                "value must not contain a NUL character (the container runtime cannot pass it)",
            );
        }
        if !is_env_name(name) {
            v.error(path, format!("\"{name}\" is not a valid environment variable name; use letters, digits and '_', not starting with a digit"));
        } else if s.storage.pattern == StoragePattern::S3External && S3_ENV.contains(&name.as_str())
        {
            v.error(
                path,
                format!("\"{name}\" is set by storage pattern s3-external; remove it from env"),
            );
        }
    }

    check_container(&mut v, spec);

    let nfs = check_storage(&mut v, spec, site);
    let (volumes, volume_issues) = volumes::check(spec, p);
    v.issues.extend(volume_issues);
    v.issues.extend(network::check(spec, p));
    let identity_ok = !v
        .issues
        .iter()
        .any(|i| i.path == "metadata.name" || i.path == "metadata.namespace");
    // A job serves no traffic: no host (its ingress fields are refused by `job::check`).
    let host = if s.job.is_some() {
        None
    } else {
        check_ingress(&mut v, spec, site, identity_ok)
    };
    v.issues.extend(job::check(s));
    let lb_host = s
        .service
        .as_ref()
        .and_then(|x| x.load_balancer.as_ref())
        .and_then(|lb| lb.host.as_ref());
    if let Some(lb_host) = lb_host
        && (host.as_ref() == Some(lb_host) || s.ingress.aliases.contains(lb_host))
    {
        v.error(
            "spec.service.loadBalancer.host",
            format!("\"{lb_host}\" is already a host of this app's ingress; one DNS name cannot point at both the ingress and the LoadBalancer IP"),
        );
    }
    let repository = check_backup(&mut v, spec, site);
    v.issues.extend(pod::check(spec));
    v.issues.extend(pod::check_containers(spec));
    v.issues.extend(capabilities::check(spec));
    let s3_credentials_key = s.storage.s3.as_ref().and_then(|s3| {
        let vars = Vars {
            name: &spec.name,
            namespace: &spec.namespace,
            domain: None,
            bucket: Some(&s3.bucket),
        };
        render_checked(
            &mut v,
            site,
            Scheme::S3CredentialsKey,
            vars,
            "spec.storage.s3.bucket",
            "S3 credentials key",
        )
    });

    let ok = !v.issues.iter().any(|i| i.severity == Severity::Error);
    let app = ok.then(|| App {
        spec: spec.clone(),
        host,
        nfs,
        repository,
        s3_credentials_key,
        resources,
        mount_nfs: volumes.nfs,
    });
    (app, v.issues)
}

#[derive(Default)]
struct Check {
    issues: Vec<Issue>,
}

impl Check {
    fn error(&mut self, path: impl Into<String>, message: impl Into<String>) {
        self.issues.push(Issue::error(path, message));
    }
    fn warning(&mut self, path: impl Into<String>, message: impl Into<String>) {
        self.issues.push(Issue::warning(path, message));
    }
}

/// The spec's requests and limits, each quantity falling back to the platform default.
pub fn effective_resources(spec: Option<&Resources>, defaults: &Resources) -> Resources {
    let merge = |s: Option<&Amounts>, d: Option<&Amounts>| -> Option<Amounts> {
        let cpu = s
            .and_then(|a| a.cpu.clone())
            .or_else(|| d.and_then(|a| a.cpu.clone()));
        let memory = s
            .and_then(|a| a.memory.clone())
            .or_else(|| d.and_then(|a| a.memory.clone()));
        (cpu.is_some() || memory.is_some()).then_some(Amounts { cpu, memory })
    };
    Resources {
        requests: merge(
            spec.and_then(|r| r.requests.as_ref()),
            defaults.requests.as_ref(),
        ),
        limits: merge(
            spec.and_then(|r| r.limits.as_ref()),
            defaults.limits.as_ref(),
        ),
    }
}

fn amount<'a>(a: Option<&'a Amounts>, res: &str) -> Option<&'a String> {
    let a = a?;
    if res == "cpu" {
        a.cpu.as_ref()
    } else {
        a.memory.as_ref()
    }
}

fn check_resources(v: &mut Check, given: Option<&Resources>, effective: &Resources) {
    for res in ["cpu", "memory"] {
        let mut values = [None, None];
        for (slot, kind) in ["requests", "limits"].into_iter().enumerate() {
            fn pick<'r>(r: &'r Resources, kind: &str) -> Option<&'r Amounts> {
                if kind == "requests" {
                    r.requests.as_ref()
                } else {
                    r.limits.as_ref()
                }
            }
            let Some(q) = amount(pick(effective, kind), res) else {
                continue;
            };
            match quantity::check(q) {
                Ok(x) => values[slot] = Some(x),
                // Only what the spec wrote; platform defaults are checked on the platform.
                Err(e) if given.and_then(|g| amount(pick(g, kind), res)).is_some() => {
                    v.error(format!("spec.resources.{kind}.{res}"), e)
                }
                Err(_) => {}
            }
        }
        if let [Some(request), Some(limit)] = values
            && request > limit
        {
            let limit_given = given.and_then(|g| amount(g.limits.as_ref(), res)).is_some();
            let origin = if limit_given {
                ""
            } else {
                " (the platform default; set spec.resources.limits to raise it)"
            };
            v.error(
                format!("spec.resources.requests.{res}"),
                format!(
                    "request {} is above the limit {}{origin}",
                    amount(effective.requests.as_ref(), res)
                        .cloned()
                        .unwrap_or_default(),
                    amount(effective.limits.as_ref(), res)
                        .cloned()
                        .unwrap_or_default(),
                ),
            );
        }
    }
}

/// The app container's own fields: command, args, ports, the Service, runAs, probes, env
/// values and secretEnv through the shared container rules.
fn check_container(v: &mut Check, spec: &AppSpec) {
    let s = &spec.body;
    let service_port = s.service.as_ref().and_then(|o| o.port);
    if let Some(port) = service_port
        && !(PORT_MIN..=PORT_MAX).contains(&port)
    {
        v.error(
            "spec.service.port",
            format!("port must be between {PORT_MIN} and {PORT_MAX}, got {port}"),
        );
    }
    let max = crate::model::names::STATEFUL_SET;
    if s.workload == Workload::Statefulset && s.job.is_none() && spec.name.len() > max {
        v.error(
            "spec.workload",
            format!(
                "a StatefulSet's name must be at most {max} characters (Kubernetes labels its \
                 pods controller-revision-hash: <name>-<hash>, at most 63); metadata.name has \
                 {}: shorten it or use workload: deployment",
                spec.name.len()
            ),
        );
    }
    if let Some(ap) = s.service.as_ref().and_then(|o| o.app_protocol.as_deref())
        && let Err(e) = container::check_app_protocol(ap)
    {
        v.error(
            "spec.service.appProtocol",
            format!("appProtocol \"{ap}\" {e}"),
        );
    }
    // The container's ports and the Service's: extra ports keep their number on both.
    let mut taken = vec![(s.port, Protocol::Tcp, "spec.port (http)".to_string())];
    let svc = service_port.unwrap_or(80);
    if svc != s.port {
        taken.push((
            svc,
            Protocol::Tcp,
            "the Service's http port (spec.service.port, default 80)".to_string(),
        ));
    }
    container::check_command(&mut v.issues, "spec", &s.command, &s.args);
    container::check_ports(&mut v.issues, "spec.ports", &s.ports, &taken);
    if let Some(r) = &s.run_as {
        container::check_run_as(&mut v.issues, "spec.runAs", r, s.security);
    }
    if let Some(p) = &s.probes {
        let names = std::iter::once(container::HTTP_PORT)
            .chain(s.ports.keys().map(String::as_str))
            .collect();
        container::check_probes(&mut v.issues, "spec.probes", p, &names);
    }
    container::check_env(&mut v.issues, "spec.env", &s.env);
    if let Some(se) = &s.secret_env {
        let generated = crate::model::names::env_secret(&spec.name);
        container::check_secret_env(&mut v.issues, "spec.secretEnv", se, &generated);
    }
}

fn check_storage(v: &mut Check, spec: &AppSpec, site: &Site) -> Option<nfs::Endpoint> {
    let st = &spec.body.storage;
    let p = &site.config;
    let pattern = st.pattern;
    let misplaced = |block: &str, wanted: &str| {
        format!("\"{block}\" applies only to storage.pattern {wanted}; this spec uses {pattern}")
    };
    match (st.pattern.is_persistent(), st.size) {
        (true, None) => v.error(
            "spec.storage.size",
            format!("is required for storage.pattern {pattern} (GiB, {SIZE_GIB_MIN}..{SIZE_GIB_MAX})"),
        ),
        (true, Some(size)) if !(SIZE_GIB_MIN..=SIZE_GIB_MAX).contains(&size) => v.error(
            "spec.storage.size",
            format!("size must be an integer number of GiB between {SIZE_GIB_MIN} and {SIZE_GIB_MAX}, got {size}"),
        ),
        (false, Some(_)) => v.error(
            "spec.storage.size",
            misplaced("size", "longhorn-persistent or nas-mount"),
        ),
        _ => {}
    }
    if let Some(mount) = &st.mount_path {
        // A trailing `/` is the same directory.
        let mount = crate::model::spec::dir_path(mount);
        if !st.pattern.has_volume() {
            v.error(
                "spec.storage.mountPath",
                misplaced("mountPath", "ephemeral, longhorn-persistent or nas-mount"),
            );
        } else if let Err(e) = path::check_absolute(mount) {
            v.error("spec.storage.mountPath", format!("mountPath {e}"));
        } else if mount == "/" {
            v.error(
                "spec.storage.mountPath",
                "mountPath must not be '/' (it would hide the image's filesystem)",
            );
        } else if let Some(dir) = path::system_dir(mount, false) {
            v.error(
                "spec.storage.mountPath",
                format!("mountPath {}", path::system_dir_message(mount, dir)),
            );
        } else if spec.body.security == crate::model::spec::SecurityProfile::Restricted
            && mount == volumes::TMP
        {
            v.error(
                "spec.storage.mountPath",
                "mountPath /tmp is taken by the writable /tmp of security: restricted; choose another path",
            );
        }
    }
    match (&st.claim_name, st.pattern) {
        (None, StoragePattern::ExistingClaim) => v.error(
            "spec.storage.claimName",
            "is required for storage.pattern existing-claim (the PVC to mount)",
        ),
        (Some(_), pat) if !pat.uses_claim() => v.error(
            "spec.storage.claimName",
            misplaced(
                "claimName",
                "longhorn-persistent, nas-mount or existing-claim",
            ),
        ),
        (Some(claim), _) => {
            if let Err(e) = platform::check_subdomain(claim) {
                v.error("spec.storage.claimName", format!("claim name {e}"));
            }
        }
        (None, _) => {}
    }
    let mut endpoint = None;
    match (&st.nas, st.pattern) {
        (None, StoragePattern::NasMount) => v.error(
            "spec.storage.nas",
            "is required for storage.pattern nas-mount (endpoint and subpath)",
        ),
        (Some(_), pat) if pat != StoragePattern::NasMount => {
            v.error("spec.storage.nas", misplaced("nas", "nas-mount"))
        }
        (Some(nas), _) => {
            if !p.storage.nas.endpoints.contains(&nas.endpoint) {
                v.error(
                    "spec.storage.nas.endpoint",
                    nfs::not_allowed(&nas.endpoint, &p.storage.nas.endpoints),
                );
            } else {
                match nfs::parse(&nas.endpoint) {
                    Ok(ep) => endpoint = Some(ep),
                    Err(e) => v.error("spec.storage.nas.endpoint", format!("NAS endpoint {e}")),
                }
            }
            if let Err(e) = path::check_nas_subpath(&nas.subpath, &p.storage.nas.path_prefix) {
                v.error("spec.storage.nas.subpath", e);
            }
        }
        (None, _) => {}
    }
    match (&st.s3, st.pattern) {
        (None, StoragePattern::S3External) => v.error(
            "spec.storage.s3",
            "is required for storage.pattern s3-external (bucket and region)",
        ),
        (Some(_), pat) if pat != StoragePattern::S3External => {
            v.error("spec.storage.s3", misplaced("s3", "s3-external"))
        }
        (Some(s3), _) => {
            if let Err(e) = s3::check_bucket(&s3.bucket) {
                v.error(
                    "spec.storage.s3.bucket",
                    format!("S3 bucket name \"{}\" {e}", s3.bucket),
                );
            }
            if !p.storage.s3.regions.contains(&s3.region) {
                v.error(
                    "spec.storage.s3.region",
                    format!(
                        "unknown S3 region \"{}\"; expected one of the platform's regions: {}",
                        s3.region,
                        p.storage.s3.regions.join(", ")
                    ),
                );
            }
        }
        (None, _) => {}
    }
    endpoint
}

fn check_ingress(v: &mut Check, spec: &AppSpec, site: &Site, identity_ok: bool) -> Option<String> {
    let ing = &spec.body.ingress;
    if ing.pattern == IngressPattern::None {
        for field in ing.fields_set() {
            v.error(
                format!("spec.ingress.{field}"),
                format!("\"{field}\" does not apply to ingress.pattern none"),
            );
        }
        return None;
    }
    let host = check_host(v, spec, site, identity_ok);
    for (i, alias) in ing.aliases.iter().enumerate() {
        let at = format!("spec.ingress.aliases[{i}]");
        if let Err(e) = dns::check_host(alias) {
            v.error(
                at,
                format!("alias \"{alias}\" is not a valid DNS name: {e}"),
            );
        } else if let Some(e) = domain_error(ing.pattern, alias, &site.config.dns, "") {
            v.error(at, e);
        } else if host.as_deref() == Some(alias) || ing.aliases[..i].contains(alias) {
            v.error(
                at,
                format!("alias \"{alias}\" is already a host of this app"),
            );
        }
    }
    check_routes(v, spec, site, host.as_deref());
    check_also_internal(v, spec, site);
    check_annotations_size(v, spec, host.as_deref());
    let timeout_key = site.config.ingress.timeout_annotation.as_deref();
    for key in ing.annotations.keys() {
        let at = format!("spec.ingress.annotations.{key}");
        if ing.timeout.is_some() && Some(key.as_str()) == timeout_key {
            v.error(
                at,
                format!("\"{key}\" is set from ingress.timeout; keep one of them"),
            );
            continue;
        }
        if let Err(e) = labels::check_key(key) {
            v.error(at, format!("annotation key \"{key}\" {e}"));
        } else if key == EXTERNAL_DNS_TARGET && through_gateway(ing.pattern, site) {
            v.error(at, format!("\"{key}\" does nothing on an HTTPRoute: external-dns reads the target from the Gateway, never from a route; annotate the platform's Gateway with it and remove it here"));
        } else if OWNED_ANNOTATIONS.contains(&key.as_str())
            || (key == CLUSTER_ISSUER && site.config.ingress.tls.is_some())
        {
            v.error(at, format!("\"{key}\" is set by the function from the ingress pattern and the platform; remove it (it cannot be overridden)"));
        }
    }
    host
}

/// `ingress.timeout` and `ingress.routes`: a duration the route can carry, and more hosts
/// under the rules of `host` (a path under those of `path`), each to a named TCP port of the
/// Service other than `http`.
/// What the function adds to an Ingress or HTTPRoute beside `ingress.annotations`, at most:
/// the external-dns hostname list (every host, comma-separated) and a few short keys
/// (proxied, target, issuer, timeout).
const OWN_INGRESS_ANNOTATIONS_BYTES: usize = 1024;

/// Kubernetes refuses an object whose annotations total more than 256 KiB (keys and values):
/// `ingress.annotations` with what the function adds must fit.
fn check_annotations_size(v: &mut Check, spec: &AppSpec, host: Option<&str>) {
    let ing = &spec.body.ingress;
    if ing.annotations.is_empty() {
        return;
    }
    let hosts: usize = host.map_or(0, |h| h.len() + 1)
        + ing.aliases.iter().map(|a| a.len() + 1).sum::<usize>()
        + ing.routes.iter().map(|r| r.host.len() + 1).sum::<usize>();
    let own = hosts + OWN_INGRESS_ANNOTATIONS_BYTES;
    let given: usize = ing.annotations.iter().map(|(k, v)| k.len() + v.len()).sum();
    let max = pod::ANNOTATIONS_MAX_BYTES;
    if given + own > max {
        v.error(
            "spec.ingress.annotations",
            format!(
                "annotations total {given} bytes, with up to {own} the function adds; Kubernetes allows at most {max} on an Ingress or HTTPRoute"
            ),
        );
    }
}

fn check_routes(v: &mut Check, spec: &AppSpec, site: &Site, host: Option<&str>) {
    let ing = &spec.body.ingress;
    let through_gateway = through_gateway(ing.pattern, site);
    if let Some(t) = &ing.timeout {
        match network::timeout_seconds(t) {
            Err(e) => v.error("spec.ingress.timeout", format!("timeout \"{t}\" {e}")),
            Ok(_) if !through_gateway && site.config.ingress.timeout_annotation.is_none() => v.error(
                "spec.ingress.timeout",
                "the platform names no ingress.timeoutAnnotation for its ingress controller, so an Ingress cannot carry a timeout; add it to the PlatformConfig (nginx: nginx.ingress.kubernetes.io/proxy-read-timeout) or route through a Gateway",
            ),
            Ok(_) => {}
        }
    }
    let mut seen: Vec<&str> = host.into_iter().collect();
    seen.extend(ing.aliases.iter().map(String::as_str));
    let ports = pod::service_port_names(spec);
    for (i, route) in ing.routes.iter().enumerate() {
        let at = format!("spec.ingress.routes[{i}]");
        let h = route.host.as_str();
        if let Err(e) = dns::check_host(h) {
            v.error(
                format!("{at}.host"),
                format!("host \"{h}\" is not a valid DNS name: {e}"),
            );
        } else if let Some(e) = domain_error(ing.pattern, h, &site.config.dns, "") {
            v.error(format!("{at}.host"), e);
        } else if seen.contains(&h) {
            v.error(
                format!("{at}.host"),
                format!("host \"{h}\" is already a host of this app"),
            );
        }
        seen.push(h);
        if let Some(path) = &route.path
            && let Err(e) = path::check_http_path(path, through_gateway)
        {
            v.error(format!("{at}.path"), format!("path {e}"));
        }
        let p = route.port.as_str();
        let udp = spec
            .body
            .ports
            .iter()
            .chain(spec.body.sidecars.iter().flat_map(|c| &c.ports))
            .any(|(n, s)| n == p && s.protocol() == Protocol::Udp);
        if p == container::HTTP_PORT {
            v.error(
                format!("{at}.port"),
                "\"http\" is the app's main port, which host and aliases already serve; name another port, or add the host to aliases",
            );
        } else if !ports.iter().any(|n| n == p) {
            v.error(
                format!("{at}.port"),
                format!(
                    "unknown port \"{p}\"; the Service's named ports are: {}",
                    ports.join(", ")
                ),
            );
        } else if udp {
            v.error(
                format!("{at}.port"),
                format!("port \"{p}\" is UDP; HTTP routes reach TCP ports only"),
            );
        }
    }
}

/// `ingress.alsoInternal`: an external app only, on a platform that serves both patterns
/// the same way (two Gateways, or two ingress classes), so the internal entry point is a
/// second parentRef or a second Ingress of the same shape.
fn check_also_internal(v: &mut Check, spec: &AppSpec, site: &Site) {
    let ing = &spec.body.ingress;
    if !ing.also_internal {
        return;
    }
    let at = "spec.ingress.alsoInternal";
    if ing.pattern == IngressPattern::InternalOnly {
        v.error(
            at,
            "alsoInternal adds the internal entry point to an external-via-tunnel app; an internal-only app is served there already: remove it",
        );
        return;
    }
    let gateways = site.config.ingress.gateway.as_ref();
    let ingress = &site.config.ingress;
    let way = |g: Option<&crate::model::platform::GatewayRef>, class: &str| match g {
        Some(g) => format!("the Gateway {}/{}", g.namespace, g.name),
        None => format!("the ingress class {class}"),
    };
    let (internal, external) = (
        gateways.and_then(|g| g.internal.as_ref()),
        gateways.and_then(|g| g.external.as_ref()),
    );
    if internal.is_some() != external.is_some() {
        v.error(
            at,
            format!(
                "the platform serves external apps through {} and internal ones through {}; alsoInternal needs both entry points of one kind (ingress.gateway.internal and .external, or neither)",
                way(external, &ingress.external.class_name),
                way(internal, &ingress.internal.class_name)
            ),
        );
    }
}

/// Whether apps of `pattern` get an HTTPRoute to a platform Gateway instead of an Ingress.
fn through_gateway(pattern: IngressPattern, site: &Site) -> bool {
    let gateways = site.config.ingress.gateway.as_ref();
    match pattern {
        IngressPattern::InternalOnly => gateways.and_then(|g| g.internal.as_ref()).is_some(),
        IngressPattern::ExternalViaTunnel => gateways.and_then(|g| g.external.as_ref()).is_some(),
        IngressPattern::None => false,
    }
}

/// The external-dns target: set by the function on an external Ingress; on an HTTPRoute
/// it does nothing (external-dns reads it from the Gateway).
const EXTERNAL_DNS_TARGET: &str = "external-dns.alpha.kubernetes.io/target";

/// Annotations the function sets on Ingresses and HTTPRoutes (the target on Ingresses
/// only), never taken from a spec.
pub const OWNED_ANNOTATIONS: &[&str] = &[
    "external-dns.alpha.kubernetes.io/hostname",
    EXTERNAL_DNS_TARGET,
    "external-dns.alpha.kubernetes.io/cloudflare-proxied",
    "kubernetes.io/ingress.class",
];
/// The cert-manager annotation, owned when the platform configures TLS.
pub const CLUSTER_ISSUER: &str = "cert-manager.io/cluster-issuer";

/// Why `host` may not serve an app of `pattern`, if it may not. With split horizon (one
/// domain for both) a host only has to lie under it; the pattern picks the rest.
fn domain_error(
    pattern: IngressPattern,
    host: &str,
    dns_cfg: &crate::model::platform::Dns,
    origin: &str,
) -> Option<String> {
    let internal = &dns_cfg.internal_domain;
    let external = &dns_cfg.external_domain;
    match pattern {
        IngressPattern::InternalOnly if !dns::is_under(host, internal) => Some(format!(
            "Internal apps must use .{internal} domain, got \"{host}\"{origin}"
        )),
        IngressPattern::ExternalViaTunnel if internal == external => {
            (!dns::is_under(host, external)).then(|| {
                format!("External apps must use .{external} domain, got \"{host}\"{origin}")
            })
        }
        IngressPattern::ExternalViaTunnel
            if !dns::is_under(host, external)
                || dns::is_under(host, internal)
                || host == internal =>
        {
            Some(format!(
                "External apps must use .{external} domain (not the internal .{internal}), got \"{host}\"{origin}"
            ))
        }
        _ => None,
    }
}

/// The app's main host, given or derived from the platform's template, checked.
fn check_host(v: &mut Check, spec: &AppSpec, site: &Site, identity_ok: bool) -> Option<String> {
    let ing = &spec.body.ingress;
    let dns_cfg = &site.config.dns;
    let (scheme, domain) = match ing.pattern {
        IngressPattern::None => return None,
        IngressPattern::InternalOnly => (Scheme::InternalHost, &dns_cfg.internal_domain),
        IngressPattern::ExternalViaTunnel => (Scheme::ExternalHost, &dns_cfg.external_domain),
    };
    let gateways = site.config.ingress.gateway.as_ref();
    let gateway = match ing.pattern {
        IngressPattern::InternalOnly => gateways.and_then(|g| g.internal.as_ref()),
        IngressPattern::ExternalViaTunnel => gateways.and_then(|g| g.external.as_ref()),
        IngressPattern::None => None,
    };
    if let Some(path) = &ing.path
        && let Err(e) = path::check_http_path(path, gateway.is_some())
    {
        v.error("spec.ingress.path", format!("path {e}"));
    }
    let (host, origin) = match &ing.host {
        Some(h) => (h.clone(), String::new()),
        // A host derived from an invalid name would repeat the name's error.
        None if !identity_ok => return None,
        None => {
            let vars = Vars {
                name: &spec.name,
                namespace: &spec.namespace,
                domain: Some(domain),
                bucket: None,
            };
            match site.templates.render(scheme, vars) {
                Ok(h) => (h, " (derived from the platform's hostTemplate)".to_string()),
                Err(e) => {
                    v.error(
                        "spec.ingress.host",
                        format!("the platform's hostTemplate fails for this app: {e}"),
                    );
                    return None;
                }
            }
        }
    };
    if let Err(e) = dns::check_host(&host) {
        v.error(
            "spec.ingress.host",
            format!("host \"{host}\"{origin} is not a valid DNS name: {e}"),
        );
        return None;
    }
    match domain_error(ing.pattern, &host, dns_cfg, &origin) {
        Some(e) => {
            v.error("spec.ingress.host", e);
            None
        }
        None => Some(host),
    }
}

fn check_backup(v: &mut Check, spec: &AppSpec, site: &Site) -> Option<String> {
    let b = &spec.body.backup;
    if b.strategy == BackupStrategy::None {
        for (field, given) in [
            ("schedule", b.schedule.is_some()),
            ("retentionDays", b.retention_days.is_some()),
        ] {
            if given {
                v.error(
                    format!("spec.backup.{field}"),
                    format!("\"{field}\" applies only to backup.strategy volsync-snapshots"),
                );
            }
        }
        return None;
    }
    let pattern = spec.body.storage.pattern;
    if !matches!(
        pattern,
        StoragePattern::LonghornPersistent | StoragePattern::ExistingClaim
    ) {
        v.error(
            "spec.backup.strategy",
            format!(
                "{} needs storage.pattern longhorn-persistent (a snapshot-capable volume), got {}",
                b.strategy, pattern
            ),
        );
    }
    if let Err(e) = cron::check(b.schedule()) {
        v.error("spec.backup.schedule", format!("schedule {e}"));
    }
    check_mover_ids(v, spec, site);
    let days = b.retention_days();
    if !(RETENTION_DAYS_MIN..=RETENTION_DAYS_MAX).contains(&days) {
        v.error(
            "spec.backup.retentionDays",
            format!("retentionDays must be between {RETENTION_DAYS_MIN} and {RETENTION_DAYS_MAX}, got {days}"),
        );
    }
    if site.config.backup.backend_of(b.strategy)
        != Some(crate::model::platform::BackupBackend::Volsync)
    {
        // kopiur's repository comes from the platform as an object, not a template.
        return None;
    }
    let vars = Vars {
        name: &spec.name,
        namespace: &spec.namespace,
        domain: None,
        bucket: None,
    };
    render_checked(
        v,
        site,
        Scheme::Repository,
        vars,
        "spec.backup.strategy",
        "restic repository",
    )
}

/// What the backup movers run as, said where a backup may fail to read the data: without
/// `runAs` they run as the platform's ids, not the image's user; a root app's kopiur movers
/// need the namespace's opt-in, which AppSpec does not write.
fn check_mover_ids(v: &mut Check, spec: &AppSpec, site: &Site) {
    use crate::model::platform::BackupBackend;
    let Some(backend) = site.config.backup.backend_of(spec.body.backup.strategy) else {
        return;
    };
    match spec.body.pod_ids() {
        None => {
            let (ids, field) = match backend {
                BackupBackend::Volsync => (&site.config.backup.volsync.mover_security_context, "volsync"),
                BackupBackend::Kopiur => (&site.config.backup.kopiur.mover_security_context, "kopiur"),
            };
            v.warning(
                "spec.backup.strategy",
                format!(
                    "without runAs the {backend} movers run as the platform's ids ({}:{}, backup.{field}.moverSecurityContext), not as the image's user: files only that user may read (mode 0600) fail the backup or are left out; set spec.runAs to the user and group the image runs as",
                    ids.run_as_user, ids.run_as_group
                ),
            );
        }
        Some((0, _)) if backend == BackupBackend::Kopiur => v.warning(
            "spec.runAs",
            format!(
                "kopiur runs this app's movers as root (runAsNonRoot: false, privilegedMode: true, so restores keep the files' owners) and refuses them (MoverPermitted=False) until namespace {} carries the annotation {}: \"true\"; AppSpec does not write Namespaces: annotate it where the namespace is created",
                spec.namespace,
                crate::model::kopiur::PRIVILEGED_MOVERS
            ),
        ),
        Some(_) => {}
    }
}

/// Renders a non-host scheme and checks the result is a single plain token that external
/// templating (External Secrets' own Go templates) cannot reinterpret.
fn render_checked(
    v: &mut Check,
    site: &Site,
    scheme: Scheme,
    vars: Vars<'_>,
    path: &str,
    what: &str,
) -> Option<String> {
    match site.templates.render(scheme, vars) {
        Ok(s)
            if s.is_empty()
                || s.chars().any(|c| c.is_whitespace() || c.is_control())
                || s.contains("{{")
                || s.contains("}}") =>
        {
            v.error(path, format!(
                "the {what} \"{s}\" rendered from the platform's {} must be non-empty without whitespace or '{{{{'",
                scheme.path()
            ));
            None
        }
        Ok(s) => Some(s),
        Err(e) => {
            v.error(
                path,
                format!("the platform's {} fails for this app: {e}", scheme.path()),
            );
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn env_names_agree_with_the_schema_pattern() {
        let pattern = regex::Regex::new(crate::model::patterns::ENV_NAME_PATTERN).unwrap();
        let table = [
            ("LOG_LEVEL", true),
            ("_x1", true),
            ("a", true),
            ("1A", false),
            ("A-B", false),
            ("", false),
            ("É", false),
            ("A B", false),
            ("A\n", false),
        ];
        for (name, valid) in table {
            assert_eq!(is_env_name(name), valid, "{name:?}");
            assert_eq!(pattern.is_match(name), valid, "{name:?}");
        }
        proptest::proptest!(|(name in "[A-Za-z0-9_ .=É\n-]{0,6}")| {
            proptest::prop_assert_eq!(is_env_name(&name), pattern.is_match(&name), "{:?}", name);
        });
    }
}

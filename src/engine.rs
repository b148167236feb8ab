//! One run over a set of resources: find the platform, validate every AppSpec, expand them
//! in place, pass everything else through untouched, and refuse collisions.
//!
//! Shared by the KRM function and `render`; neither does any expansion of its own.

use std::collections::hash_map::Entry;
use std::collections::{BTreeMap, HashMap};

use serde_json::Value;

use crate::expand::{self, ObjectId};
use crate::input::diagnostic::{Diagnostic, Issue, Severity};
use crate::input::source::{self, Item};
use crate::model::platform::{self, Platform};
use crate::site::Site;
use crate::{model::lookalike, model::spec, validate};

/// The result of a run: the output items (only meaningful without errors) and every
/// diagnostic, errors and warnings, in input order.
#[derive(Debug, Default)]
pub struct Outcome {
    pub items: Vec<expand::Output>,
    /// For each output item, the index of the input item it passes through unchanged
    /// (`None` for a generated object), so `render` can copy the document's text.
    pub passthrough: Vec<Option<usize>>,
    /// The apps that validated and expanded, in input order (what `risk` compares).
    pub apps: Vec<validate::App>,
    /// The platform the run used (built-in defaults when none was given).
    pub platform: Platform,
    pub diagnostics: Vec<Diagnostic>,
}

impl Outcome {
    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(Diagnostic::is_error)
    }
}

/// Takes a run's output as it is made, in output order, so a caller can write each app's
/// objects and drop them before the next app is expanded (the KRM function) instead of
/// holding them all (an [`Outcome`]). Only meaningful if the run ends without errors.
pub trait Sink {
    /// An input item passed through unchanged; `index` is its place in the input.
    fn passthrough(&mut self, value: Value, index: usize);
    /// The objects an app that validated expands into, in order, and the app.
    fn generated(&mut self, objects: Vec<expand::Object>, app: validate::App);
}

/// What a run reports beside its output items.
#[derive(Debug, Default)]
pub struct Summary {
    /// The platform the run used (built-in defaults when none was given).
    pub platform: Platform,
    /// Every diagnostic, errors and warnings, in input order.
    pub diagnostics: Vec<Diagnostic>,
}

impl Summary {
    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(Diagnostic::is_error)
    }
}

/// The sink of [`run`]: everything kept.
#[derive(Default)]
struct Collect {
    items: Vec<expand::Output>,
    passthrough: Vec<Option<usize>>,
    apps: Vec<validate::App>,
}

impl Sink for Collect {
    fn passthrough(&mut self, value: Value, index: usize) {
        self.items.push(expand::Output::Passthrough(value));
        self.passthrough.push(Some(index));
    }

    fn generated(&mut self, objects: Vec<expand::Object>, app: validate::App) {
        for o in objects {
            self.items.push(expand::Output::Generated(Box::new(o)));
            self.passthrough.push(None);
        }
        self.apps.push(app);
    }
}

fn located(item: &Item, issues: Vec<Issue>) -> impl Iterator<Item = Diagnostic> + '_ {
    issues.into_iter().map(move |issue| Diagnostic {
        file: item.file.clone(),
        resource: Some(source::resource_ref(&item.value)),
        document: item.document.clone(),
        issue,
    })
}

/// Picks the one PlatformConfig of the run.
///
/// `config` is the explicitly given one (the KRM functionConfig or the CLI's platform file):
/// it is the site's policy and always wins. A PlatformConfig among the resources may only
/// repeat it (the same `spec`); one that differs is an error, so repository content never
/// silently replaces or loosens the policy. Without an explicit one, or with one that sets
/// nothing, a single PlatformConfig among the resources is the platform (a shared base). Several are one
/// error, whatever their number (the message stays short).
fn choose_platform<'a>(
    config: Option<&'a Item>,
    items: &[&'a Item],
    diags: &mut Vec<Diagnostic>,
) -> Option<&'a Item> {
    let settings = |i: &Item| i.value.get("spec").cloned().unwrap_or(Value::Null);
    let normalized = normalize_settings;
    // An explicit config with settings is the site's policy. One without any (`spec: {}`,
    // as in functions/appspec.yaml) defers to a shared base: a PlatformConfig among the
    // resources configures the run (SPEC section 3), and `risk` reports every change to it.
    let config = config.filter(|c| items.is_empty() || normalized(settings(c)) != Value::Null);
    if let Some(c) = config {
        let policy = normalized(settings(c));
        if let Some(other) = items.iter().find(|i| normalized(settings(i)) != policy) {
            diags.push(Diagnostic {
                file: other.file.clone(),
                resource: Some(source::resource_ref(&other.value)),
                document: other.document.clone(),
                issue: Issue::error(
                    "",
                    format!(
                        "a PlatformConfig among the resources differs from the function's configuration ({}); the functionConfig is the site's policy and repository content may not replace it: remove this PlatformConfig or make it identical{}",
                        c.file.as_deref().unwrap_or("functionConfig"),
                        more(items.len())
                    ),
                ),
            });
        }
        return Some(c);
    }
    if items.len() > 1 {
        let first = items[0];
        diags.push(Diagnostic {
            file: items[1].file.clone(),
            resource: Some(source::resource_ref(&items[1].value)),
            document: items[1].document.clone(),
            issue: Issue::error(
                "",
                format!(
                    "{} PlatformConfigs configure this run (the first is {} in {}); keep exactly one",
                    items.len(),
                    source::resource_ref(&first.value),
                    first.file.as_deref().unwrap_or("<stdin>")
                ),
            ),
        });
    }
    items.first().copied()
}

/// A PlatformConfig's settings for comparison: `spec: {}` sets as little as no `spec`.
fn normalize_settings(v: Value) -> Value {
    match v {
        Value::Object(m) if m.is_empty() => Value::Null,
        other => other,
    }
}

/// The settings of a PlatformConfig item, normalized ([`normalize_settings`]).
fn normalized_settings(i: &Item) -> Value {
    normalize_settings(i.value.get("spec").cloned().unwrap_or(Value::Null))
}

fn more(n: usize) -> String {
    if n > 1 {
        format!(" ({n} PlatformConfigs among the resources)")
    } else {
        String::new()
    }
}

/// Runs the expansion. `function_config` is the KRM functionConfig or the CLI's platform
/// file; in KRM generator use it is the AppSpec itself.
pub fn run(items: Vec<Item>, function_config: Option<Item>) -> Outcome {
    let mut collect = Collect::default();
    let summary = run_into(items, function_config, &mut collect);
    Outcome {
        items: collect.items,
        passthrough: collect.passthrough,
        apps: collect.apps,
        platform: summary.platform,
        diagnostics: summary.diagnostics,
    }
}

/// [`run`], handing the output to `sink` as it is made: each item passed through, and each
/// app's objects once the app is judged. Each input item is dropped once judged, so the
/// input is freed as the output grows.
pub fn run_into(items: Vec<Item>, function_config: Option<Item>, sink: &mut dyn Sink) -> Summary {
    run_into_site(items, function_config, None, sink)
}

/// [`run_into`] under an operator's platform (`site`: the PlatformConfig `render` was given,
/// handed to the function kustomize runs for it): it is the site's policy. A functionConfig
/// PlatformConfig that sets anything must repeat it (SPEC section 3); one that differs is an
/// error naming both, and the run expands nothing. Generators and PlatformConfigs among the
/// resources are judged against it as against an explicit configuration.
pub fn run_into_site(
    items: Vec<Item>,
    function_config: Option<Item>,
    site: Option<Item>,
    sink: &mut dyn Sink,
) -> Summary {
    let mut diags = Vec::new();
    let fc_kind = function_config
        .as_ref()
        .and_then(|f| source::kind(&f.value).map(str::to_string));
    let mut items = flatten_lists(items);
    let mut platform_config = None;
    match (function_config, fc_kind.as_deref()) {
        (None, _) => {}
        (Some(fc), Some(spec::KIND)) if source::is_ours(&fc.value, spec::KIND) => {
            // Generator: kustomize also sends the AppSpec as the only item. Expand it once.
            let same = |i: &Item| {
                source::is_ours(&i.value, spec::KIND)
                    && source::name(&i.value) == source::name(&fc.value)
                    && source::namespace(&i.value) == source::namespace(&fc.value)
            };
            if !items.iter().any(same) {
                items.push(fc);
            }
        }
        (Some(fc), Some(platform::KIND)) if source::is_ours(&fc.value, platform::KIND) => {
            platform_config = Some(fc);
        }
        (Some(fc), _) if fc.value.is_null() => {}
        (Some(fc), _) if lookalike::check(&fc.value).is_some() => {
            // A typo'd AppSpec generator or PlatformConfig: refused like an item, once
            // (a generator's config is also its item).
            let same = |i: &Item| {
                source::kind(&i.value) == source::kind(&fc.value)
                    && source::api_version(&i.value) == source::api_version(&fc.value)
                    && source::name(&i.value) == source::name(&fc.value)
                    && source::namespace(&i.value) == source::namespace(&fc.value)
            };
            if !items.iter().any(same) {
                items.push(fc);
            }
        }
        (Some(fc), kind) => diags.push(Diagnostic {
            file: fc.file.clone(),
            resource: Some(source::resource_ref(&fc.value)),
            document: None,
            issue: Issue::warning(
                "",
                format!(
                    "functionConfig of kind {} is ignored; expected a PlatformConfig or an AppSpec of {}",
                    kind.unwrap_or("<none>"),
                    crate::API_VERSION
                ),
            ),
        }),
    }

    if let Some(site) = site {
        if let Some(fc) = platform_config.as_ref()
            && normalized_settings(fc) != Value::Null
            && normalized_settings(fc) != normalized_settings(&site)
        {
            diags.push(Diagnostic {
                file: fc.file.clone(),
                resource: Some(source::resource_ref(&fc.value)),
                document: fc.document.clone(),
                issue: Issue::error(
                    "",
                    format!(
                        "the repository's functionConfig {} differs from the operator's platform ({}), which is the site's policy and may not be replaced or loosened from the repository: remove it from the kustomization, make it identical, or give it `spec: {{}}` to defer to the operator's platform",
                        source::resource_ref(&fc.value),
                        site.file.as_deref().unwrap_or("--platform")
                    ),
                ),
            });
            return Summary {
                platform: Platform::default(),
                diagnostics: diags,
            };
        }
        platform_config = Some(site);
    }

    // The platform.
    let platform_items: Vec<&Item> = items
        .iter()
        .filter(|i| source::is_ours(&i.value, platform::KIND))
        .collect();
    let chosen = choose_platform(platform_config.as_ref(), &platform_items, &mut diags);
    let errors_before = diags.iter().filter(|d| d.is_error()).count();
    let site = match chosen {
        Some(item) => {
            let mut issues = check_api_version(&item.value, platform::KIND);
            let read = platform::read(&item.value);
            issues.extend(read.issues.iter().cloned());
            let (site, site_issues) = Site::new(read.value.clone().unwrap_or_default());
            issues.extend(read.screen(site_issues));
            diags.extend(located(item, issues));
            site
        }
        None => Site::default(),
    };
    // A broken platform is reported once, on the PlatformConfig; the apps are not judged
    // against it (their structure still is).
    let platform_broken = diags.iter().filter(|d| d.is_error()).count() > errors_before;

    // The specs, in input order; others pass through.
    let mut claims = Claims::default();
    // A few objects per app, claimed without regrowing the table (each regrowth hashes
    // every claimed identity again); capped, since invalid apps claim nothing.
    let apps = items
        .iter()
        .filter(|i| source::is_ours(&i.value, spec::KIND))
        .count();
    claims.objects.reserve(apps.saturating_mul(4).min(1 << 16));
    for item in &items {
        if let Some(id) = value_id(&item.value)
            && !source::is_ours(&item.value, spec::KIND)
            && !source::is_ours(&item.value, platform::KIND)
        {
            let generated =
                item.value["metadata"]["labels"]["app.kubernetes.io/managed-by"] == crate::MANAGER;
            claims
                .passthrough
                .insert(id, (item.file.clone(), generated));
        }
    }
    let input_count = items.len();
    let mut emitted = 0usize;
    for (index, item) in items.into_iter().enumerate() {
        let v = &item.value;
        if source::is_ours(v, platform::KIND) {
            continue;
        }
        if let Some(issue) = lookalike::check(v) {
            diags.extend(located(&item, vec![issue]));
            continue;
        }
        if !source::is_ours(v, spec::KIND) {
            sink.passthrough(item.value, index);
            emitted += 1;
            continue;
        }
        let mut issues = check_api_version(v, spec::KIND);
        let api_ok = issues.is_empty();
        let read = spec::read(v);
        issues.extend(read.issues.iter().cloned());
        if let Some(parsed) = read.value.as_ref().filter(|_| api_ok && !platform_broken) {
            // Structural problems do not stop the semantic rules (their issues at an
            // already reported path are left out), but they do stop the expansion.
            let (app, mut validate_issues) = validate::app(parsed, &site);
            example_platform_hint(&mut validate_issues, &site.config);
            issues.extend(read.screen(validate_issues));
            let clean = !issues.iter().any(|i| i.severity == Severity::Error);
            if let Some(app) = app.filter(|_| clean) {
                let objects = expand::expand(&app, &site.config);
                issues.extend(claims.claim(&app, &objects));
                if issues.iter().all(|i| i.severity != Severity::Error) {
                    emitted += objects.len();
                    sink.generated(objects, app);
                }
            }
        }
        diags.extend(located(&item, issues));
    }
    if input_count > 0 && emitted == 0 && !diags.iter().any(Diagnostic::is_error) {
        diags.push(Diagnostic {
            file: None,
            resource: None,
            document: None,
            issue: Issue::error("", "the input holds no resource to output (only a PlatformConfig?); an empty output would delete every resource"),
        });
    }
    Summary {
        platform: site.config,
        diagnostics: diags,
    }
}

/// What a message about a domain or NAS of the built-in platform adds: those are the
/// project's example site, not the user's, and `init` writes the user's own.
pub const EXAMPLE_PLATFORM_HINT: &str = " (that is the built-in example platform: write your site's PlatformConfig with `appspec init DIR --domain ...` or pass --platform)";

/// Marks the problems that come from the built-in example platform's domains or NAS
/// (a site that set neither is still on the example site's values).
fn example_platform_hint(issues: &mut [Issue], platform: &Platform) {
    let example_dns = platform.dns == platform::Dns::default();
    let example_nas = platform.storage.nas == platform::NasConfig::default();
    for issue in issues.iter_mut().filter(|i| i.severity == Severity::Error) {
        let p = issue.path.as_str();
        let m = issue.message.as_str();
        // Only the rules that read the platform's values: a host outside its domains, an
        // endpoint it does not list, a path outside its prefix.
        let dns = (p == "spec.ingress.host" || p.starts_with("spec.ingress.aliases"))
            && m.contains(" apps must use .");
        let nas = (p.starts_with("spec.storage.nas.")
            || (p.starts_with("spec.mounts[") && p.contains("].nas.")))
            && (m.contains("is not allowed") || m.contains("the NAS prefix"));
        if (dns && example_dns) || (nas && example_nas) {
            issue.message.push_str(EXAMPLE_PLATFORM_HINT);
        }
    }
}

/// Whether a resource is a `kind: List` (`v1`): kubectl and kustomize read its items as
/// resources of their own.
pub fn is_list(v: &Value) -> bool {
    source::kind(v) == Some("List")
        && source::api_version(v) == Some("v1")
        && v.get("items").is_some_and(Value::is_array)
}

/// Whether the engine judges a resource rather than passing it through: an AppSpec, a
/// PlatformConfig, or a look-alike of ours (refused).
pub fn is_judged(v: &Value) -> bool {
    source::is_ours(v, spec::KIND)
        || source::is_ours(v, platform::KIND)
        || lookalike::check(v).is_some()
}

/// Replaces every `kind: List` that holds a resource the engine judges by its items, so
/// they are judged and expanded like any other (a List of other resources passes through
/// as it is).
pub fn flatten_lists(items: Vec<Item>) -> Vec<Item> {
    let ours = is_judged;
    let mut out = Vec::with_capacity(items.len());
    for item in items {
        let holds_ours = is_list(&item.value)
            && item.value["items"]
                .as_array()
                .is_some_and(|xs| xs.iter().any(|x| ours(x) || is_list(x)));
        if !holds_ours {
            out.push(item);
            continue;
        }
        let Item {
            mut value,
            file,
            document,
        } = item;
        let inner: Vec<Item> = match value.get_mut("items").map(Value::take) {
            Some(Value::Array(xs)) => xs
                .into_iter()
                .enumerate()
                .map(|(i, value)| Item {
                    value,
                    file: file.clone(),
                    document: document
                        .as_ref()
                        .map(|d| crate::input::diagnostic::Document {
                            index: d.index,
                            prefix: format!("{}items[{i}].", d.prefix),
                        }),
                })
                .collect(),
            _ => vec![],
        };
        out.extend(flatten_lists(inner));
    }
    out
}

/// What the apps of a run have claimed so far: objects and host routes. A second claim is
/// an error on the app that makes it, never a silent overwrite.
#[derive(Default)]
struct Claims {
    /// Objects of the input that pass through: their file, and whether they carry
    /// AppSpec's own `managed-by` label (rendered output read back as input).
    passthrough: HashMap<ObjectId, (Option<String>, bool)>,
    objects: HashMap<ObjectId, String>,
    routes: HashMap<(String, String), String>,
    /// NAS shares by (server, subpath): the namespace and app that mount them.
    shares: BTreeMap<(String, String), (String, String)>,
    /// LoadBalancer IPs: the app that holds each.
    ips: HashMap<String, String>,
    /// DNS names published for LoadBalancer IPs (`loadBalancer.host`), and the hosts of
    /// HTTP routes: the app that holds each. One name cannot point at two addresses.
    lb_hosts: HashMap<String, String>,
    route_hosts: HashMap<String, String>,
}

impl Claims {
    fn claim(&mut self, app: &validate::App, objects: &[expand::Object]) -> Vec<Issue> {
        let me = format!("{}/{}/{}", spec::KIND, app.spec.namespace, app.spec.name);
        let mut issues = Vec::new();
        let aliases = app.spec.body.ingress.aliases.len();
        for (i, host) in app.all_hosts().into_iter().enumerate() {
            let (field, path) = match i {
                0 => (
                    "spec.ingress.host".to_string(),
                    app.spec.body.ingress.path(),
                ),
                n if n <= aliases => (
                    format!("spec.ingress.aliases[{}]", n - 1),
                    app.spec.body.ingress.path(),
                ),
                n => (
                    format!("spec.ingress.routes[{}].host", n - 1 - aliases),
                    app.spec.body.ingress.routes[n - 1 - aliases].path(),
                ),
            };
            let route = (host.to_string(), path.to_string());
            if let Some(other) = self.lb_hosts.get(host) {
                issues.push(Issue::error(
                    field.clone(),
                    format!("host {host} is already the LoadBalancer name of {other}; give this app another host"),
                ));
            }
            self.route_hosts
                .entry(host.to_string())
                .or_insert_with(|| me.clone());
            match self.routes.get(&route) {
                Some(other) => issues.push(Issue::error(
                    field,
                    format!(
                        "host {} with path {} is already served by {other}; give this app another host or path",
                        route.0, route.1
                    ),
                )),
                None => {
                    self.routes.insert(route, me.clone());
                }
            }
        }
        if let (Some(nfs), Some(nas)) = (&app.nfs, &app.spec.body.storage.nas) {
            issues.extend(self.share(
                "spec.storage.nas.subpath",
                &nfs.server,
                &nas.subpath,
                &app.spec.namespace,
                &me,
            ));
        }
        for (i, (m, nfs)) in app.spec.body.mounts.iter().zip(&app.mount_nfs).enumerate() {
            if let (Some(nas), Some(nfs)) = (&m.nas, nfs) {
                issues.extend(self.share(
                    &format!("spec.mounts[{i}].nas.subpath"),
                    &nfs.server,
                    &nas.subpath,
                    &app.spec.namespace,
                    &me,
                ));
            }
        }
        let lb_ip = app
            .spec
            .body
            .service
            .as_ref()
            .and_then(|s| s.load_balancer.as_ref())
            .and_then(|lb| lb.ip.as_ref());
        let lb_host = app
            .spec
            .body
            .service
            .as_ref()
            .and_then(|s| s.load_balancer.as_ref())
            .and_then(|lb| lb.host.as_ref());
        if let Some(host) = lb_host {
            let other = self.lb_hosts.get(host).or(self.route_hosts.get(host));
            match other.filter(|o| **o != me) {
                Some(other) => issues.push(Issue::error(
                    "spec.service.loadBalancer.host",
                    format!("host {host} is already served by {other}; one DNS name cannot point at two addresses"),
                )),
                None => {
                    self.lb_hosts.insert(host.clone(), me.clone());
                }
            }
        }
        if let Some(ip) = lb_ip {
            match self.ips.get(ip) {
                Some(other) => issues.push(Issue::error(
                    "spec.service.loadBalancer.ip",
                    format!("LoadBalancer IP {ip} is already taken by {other}; choose another address of the pools"),
                )),
                None => {
                    self.ips.insert(ip.clone(), me.clone());
                }
            }
        }
        // Objects the input already holds, grouped by the file that holds them: a
        // rendered file left among the inputs is named once, with what it collides on.
        let mut taken: BTreeMap<(Option<String>, bool), Vec<String>> = BTreeMap::new();
        for o in objects {
            match self.objects.entry(o.id()) {
                Entry::Occupied(claimed) => issues.push(Issue::error(
                    "metadata.name",
                    format!(
                        "generates {}, which {} also generates; two AppSpecs must not produce the same object",
                        claimed.key(),
                        claimed.get()
                    ),
                )),
                Entry::Vacant(free) if self.passthrough.contains_key(free.key()) => {
                    taken
                        .entry(self.passthrough[free.key()].clone())
                        .or_default()
                        .push(free.key().to_string());
                }
                Entry::Vacant(free) => {
                    free.insert(me.clone());
                }
            }
        }
        for ((file, generated), ids) in taken {
            let what = ids.join(", ");
            let message = match (file, generated) {
                (Some(file), true) => format!(
                    "generates {what}, which {file} already holds as AppSpec output (a rendered file left among the inputs?); remove {file} or move it out of the app's directory"
                ),
                (Some(file), false) => format!(
                    "generates {what}, which {file} already holds; rename the app or remove the other resource"
                ),
                (None, _) => format!(
                    "generates {what}, which already exists in the input; rename the app or remove the other resource"
                ),
            };
            issues.push(Issue::error("metadata.name", message));
        }
        issues
    }
}

impl Claims {
    /// A NAS share (or a directory above or below it) mounted by apps of two namespaces
    /// would let one team read and overwrite another's data: an error. Apps of one
    /// namespace may share.
    fn share(
        &mut self,
        field: &str,
        server: &str,
        subpath: &str,
        namespace: &str,
        me: &str,
    ) -> Vec<Issue> {
        let path = subpath.trim_end_matches('/').to_string();
        let key = (server.to_string(), path.clone());
        let below = format!("{path}/");
        let ancestors = path
            .match_indices('/')
            .map(|(i, _)| (server.to_string(), path[..i].to_string()));
        let overlapping = ancestors
            .chain(std::iter::once(key.clone()))
            .filter_map(|k| self.shares.get(&k).map(|v| (k.1.clone(), v.clone())))
            .chain(
                self.shares
                    .range((server.to_string(), below.clone())..)
                    .take_while(|((s, p), _)| s == server && p.starts_with(&below))
                    .map(|((_, p), v)| (p.clone(), v.clone())),
            )
            .find(|(_, (ns, _))| ns != namespace);
        if let Some((other_path, (_, other))) = overlapping {
            return vec![Issue::error(
                field,
                format!(
                    "NAS share {server}:{subpath} overlaps {server}:{other_path} of {other}, in another namespace; apps of different namespaces may not share NAS data"
                ),
            )];
        }
        self.shares
            .entry(key)
            .or_insert_with(|| (namespace.to_string(), me.to_string()));
        Vec::new()
    }
}

fn check_api_version(v: &Value, kind: &str) -> Vec<Issue> {
    match source::api_version(v) {
        Some(crate::API_VERSION) => vec![],
        other => vec![Issue::error(
            "apiVersion",
            format!(
                "unsupported apiVersion \"{}\" for {kind}; did you mean {}?",
                other.unwrap_or(""),
                crate::API_VERSION
            ),
        )],
    }
}

/// The identity of an arbitrary input resource (cluster-scoped kinds have no namespace).
fn value_id(v: &Value) -> Option<ObjectId> {
    let kind = source::kind(v)?;
    let api_version = source::api_version(v)?;
    let name = source::name(v)?;
    Some(ObjectId {
        api_version: api_version.to_string(),
        kind: kind.to_string(),
        namespace: source::namespace(v).map(str::to_string),
        name: name.to_string(),
    })
}

//! `appspec risk BASE HEAD`: how risky a change of specs is, for an auto-merge gate.
//!
//! Each side is built the way `render` builds it (kustomizations, the function inside
//! them, Lists) and the apps the engine validated are matched by namespace/name. A change
//! is high risk when it exposes an app, moves an external host, touches a management
//! namespace, can lose data (storage removed, changed or shrunk, NAS target moved, backup
//! removed or its retention shortened, a persistent app deleted or renamed), relaxes the
//! security profile, changes the platform, or when either side does not validate.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use serde::Serialize;
use thiserror::Error;

use crate::backup_change::{self, BackupChange};
use crate::engine::{self, Outcome};
use crate::platform::Platform;
use crate::pod::{Capability, PodOptions, Workload};
pub use crate::reasons::{Code, Level};
use crate::render::{self, RenderError};
use crate::source::{self, Item};
use crate::spec::{self, BackupStrategy, IngressPattern, SecurityProfile};
use crate::validate::App;

#[derive(Debug, Error)]
pub enum RiskError {
    #[error(transparent)]
    Render(#[from] RenderError),
    #[error("cannot prepare a scratch directory: {0}")]
    Scratch(std::io::Error),
    #[error("{path} cannot be read as render reads it:\n{problems}")]
    Unreadable { path: String, problems: String },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Change {
    Added,
    Removed,
    Modified,
    Unchanged,
}

impl From<&BackupChange> for Code {
    fn from(c: &BackupChange) -> Code {
        match c {
            BackupChange::BackendChanged { .. } => Code::BackupBackendChanged,
            BackupChange::RestoreDisabled => Code::RestoreDisabled,
            BackupChange::RetentionShortened { .. } => Code::BackupRetentionShortened,
            BackupChange::DataSourceChanged { .. } => Code::PvcDataSourceChanged,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Reason {
    pub code: Code,
    pub message: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct AppRisk {
    pub app: String,
    pub change: Change,
    pub reasons: Vec<Reason>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Report {
    pub level: Level,
    pub apps: Vec<AppRisk>,
}

/// One side of the comparison, built the way `render` builds it.
#[derive(Default)]
struct Side {
    /// Every AppSpec seen, valid or not, by `namespace/name`.
    present: BTreeSet<String>,
    /// The apps that validated, as the engine expanded them.
    apps: BTreeMap<String, Expanded>,
    /// Error messages by app key (`*` for problems not tied to an app).
    problems: BTreeMap<String, Vec<String>>,
    /// The platforms in effect in the side's runs (canonical JSON), sorted.
    platforms: Vec<String>,
    management: Vec<String>,
}

fn key_of(name: &str, namespace: Option<&str>) -> String {
    format!("{}/{name}", namespace.unwrap_or(name))
}

impl Side {
    fn absorb(&mut self, items: &[Item], outcome: Outcome) {
        for i in items {
            if source::is_ours(&i.value, spec::KIND) {
                let name = source::name(&i.value).unwrap_or("");
                self.present
                    .insert(key_of(name, source::namespace(&i.value)));
            }
        }
        for d in outcome.diagnostics.iter().filter(|d| d.is_error()) {
            // The "only a PlatformConfig" guard is about output; a risk run has none.
            if d.file.is_none() && d.resource.is_none() {
                continue;
            }
            let app = d
                .resource
                .as_ref()
                .filter(|r| r.kind == spec::KIND)
                .map(|r| key_of(&r.name, r.namespace.as_deref()))
                .unwrap_or_else(|| "*".to_string());
            self.problems.entry(app).or_default().push(d.to_string());
        }
        // The platform in effect (defaults filled in), so a reformatted or empty
        // PlatformConfig is no change, and any change of a setting is one.
        if let Ok(p) = serde_json::to_string(&outcome.platform) {
            self.platforms.push(p);
        }
        self.management
            .extend(outcome.platform.namespaces.management.iter().cloned());
        for app in outcome.apps {
            let key = key_of(&app.spec.name, Some(&app.spec.namespace));
            let platform = outcome.platform.clone();
            self.apps.insert(key, Expanded { app, platform });
        }
    }
}

/// An app as the engine validated it, with the platform it was expanded for.
#[derive(Debug, PartialEq)]
struct Expanded {
    app: App,
    platform: Platform,
}

/// A scratch directory removed when dropped.
struct Scratch(PathBuf);

impl Scratch {
    fn new() -> Result<Scratch, RiskError> {
        crate::files::private_dir("appspec-risk")
            .map(Scratch)
            .map_err(RiskError::Scratch)
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Builds one side as `render` would (kustomizations built, the function inside them run,
/// Lists opened) and runs the engine on it. The AppSpecs a kustomization hands to the
/// function are read back from the ResourceLists the function received.
/// `build.platform` is the `--platform` file, applied as `render --platform` applies it.
fn load(path: &Path, build: &render::Options) -> Result<Side, RiskError> {
    let mut side = Side::default();
    let platform = build.platform.as_deref();
    let limits = &build.limits;
    let mut opts = render::Options {
        paths: vec![],
        platform_from_repository: false,
        ..build.clone()
    };
    if path.symlink_metadata().is_err() {
        // No specs: the `--platform` file's platform, else the built-in one (like a
        // directory without a PlatformConfig).
        let given = match platform {
            Some(_) => render::collect(&opts, None)?.platform,
            None => None,
        };
        let effective = engine::run(vec![], given).platform;
        side.platforms = serde_json::to_string(&effective).into_iter().collect();
        side.management = effective.namespaces.management;
        return Ok(side);
    }
    opts.paths = vec![path.to_path_buf()];
    let scratch = Scratch::new()?;
    let collected = render::collect(&opts, Some(&scratch.0))?;
    let unreadable: Vec<String> = collected
        .diagnostics
        .iter()
        .filter(|d| d.is_error())
        .map(ToString::to_string)
        .collect();
    if !unreadable.is_empty() {
        let shown = unreadable.len().min(10);
        let mut problems = unreadable[..shown].join("\n");
        if unreadable.len() > shown {
            problems.push_str(&format!("\n... and {} more", unreadable.len() - shown));
        }
        return Err(RiskError::Unreadable {
            path: path.display().to_string(),
            problems,
        });
    }
    let items = engine::flatten_lists(collected.items);
    let outcome = engine::run(items.clone(), collected.platform);
    side.absorb(&items, outcome);
    let mut captured: Vec<PathBuf> = std::fs::read_dir(&scratch.0)
        .map_err(RiskError::Scratch)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    captured.sort();
    for file in captured {
        let text = crate::files::read(&file, limits.max_bytes).map_err(RenderError::from)?;
        // The function already answered this list inside kustomize; a list it could not
        // read failed the build, so a parse error here cannot happen in practice.
        let Ok(list) = crate::krm::parse(&text, limits) else {
            continue;
        };
        let items: Vec<Item> =
            engine::flatten_lists(list.items.into_iter().map(Item::from_krm).collect());
        let outcome = engine::run(items.clone(), list.function_config.map(Item::from_krm));
        side.absorb(&items, outcome);
    }
    side.platforms.sort();
    side.platforms.dedup();
    if side.management.is_empty() {
        side.management = crate::platform::Platform::default().namespaces.management;
    }
    Ok(side)
}

fn reason(code: Code, message: impl Into<String>) -> Reason {
    Reason {
        code,
        message: message.into(),
    }
}

fn external(a: &App) -> bool {
    a.spec.spec.ingress.pattern == IngressPattern::ExternalViaTunnel
}

/// The Secrets and store keys a spec's container reads: `Secret x` for `{secret}` env
/// values and `secretEnv.existing`, `store key x` for `secretEnv.fromStore`. A new one is
/// high risk: it hands the pod a credential (a store key may be any key of a cluster-wide
/// store), which a reviewer should see.
fn secret_access(s: &spec::AppSpecBody) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    // The pod's other containers read Secrets the same ways.
    let envs = std::iter::once((&s.env, s.secret_env.as_ref())).chain(
        crate::pod::extra_containers(&s.init, &s.sidecars)
            .into_iter()
            .map(|c| (c.env, c.secret_env)),
    );
    for (env, secret_env) in envs {
        for v in env.values() {
            if let spec::EnvValue::Secret(k) = v {
                out.insert(format!("Secret {}", k.secret));
            }
        }
        if let Some(se) = secret_env {
            out.extend(se.existing.iter().map(|n| format!("Secret {n}")));
            out.extend(se.from_store.iter().map(|k| format!("store key {k}")));
        }
    }
    out
}

fn compare(b: &App, h: &App) -> Vec<Reason> {
    let mut out = Vec::new();
    let (bs, hs) = (&b.spec.spec, &h.spec.spec);
    if external(h) && !external(b) {
        out.push(reason(
            Code::ExternalExposure,
            format!(
                "ingress changes from {} to external-via-tunnel: the app becomes reachable from outside",
                bs.ingress.pattern
            ),
        ));
    }
    if external(b) && external(h) && b.host != h.host {
        out.push(reason(
            Code::ExternalHostChanged,
            format!(
                "external host changes from {} to {}",
                b.host.clone().unwrap_or_default(),
                h.host.clone().unwrap_or_default()
            ),
        ));
    }
    let (bp, hp) = (bs.storage.pattern, hs.storage.pattern);
    if bp.uses_claim() && !hp.uses_claim() {
        out.push(reason(
            Code::StorageRemoved,
            format!(
                "persistent storage ({}) is removed; its PVC is left in the cluster, unused",
                bp
            ),
        ));
    } else if bp != hp && (bp.uses_claim() || hp.uses_claim()) {
        out.push(reason(
            Code::StoragePatternChanged,
            format!("storage pattern changes from {} to {}", bp, hp),
        ));
    }
    if bp == hp
        && let (Some(bsz), Some(hsz)) = (bs.storage.size, hs.storage.size)
        && hsz < bsz
    {
        out.push(reason(
            Code::StorageShrunk,
            format!("storage size shrinks from {bsz} to {hsz} GiB"),
        ));
    }
    if let (Some(bn), Some(hn)) = (&bs.storage.nas, &hs.storage.nas)
        && bn != hn
    {
        out.push(reason(
            Code::NasTargetChanged,
            format!(
                "NAS target changes from {}{} to {}{}",
                bn.endpoint, bn.subpath, hn.endpoint, hn.subpath
            ),
        ));
    }
    out.extend(compare_volumes_and_exposure(b, h));
    if bs.backup.strategy != BackupStrategy::None && hs.backup.strategy == BackupStrategy::None {
        out.push(reason(Code::BackupRemoved, "backups are removed"));
    }
    if bs.security == SecurityProfile::Restricted && hs.security != SecurityProfile::Restricted {
        out.push(reason(
            Code::SecurityRelaxed,
            "security: restricted is dropped: the pod may run as root with all capabilities it is granted",
        ));
    } else if bs.security != hs.security {
        out.push(reason(
            Code::SecurityChanged,
            "security profile becomes restricted",
        ));
    }
    // runAs: running as root again (0 or no ids at all) relaxes; other id changes do not.
    let root = |ids: Option<(i64, i64)>| ids.is_none_or(|(u, _)| u == 0);
    if bs.run_as != hs.run_as {
        if !root(bs.pod_ids()) && root(hs.pod_ids()) {
            out.push(reason(
                Code::SecurityRelaxed,
                "runAs is removed or becomes 0: the pod may run as root",
            ));
        } else {
            out.push(reason(
                Code::SecurityChanged,
                "the pod's user or group ids (runAs) change",
            ));
        }
    }
    // supplementalGroups: gaining the root group is `root-group` (pod_privileges); any
    // other change of the groups is low, like other runAs ids.
    let (bg, hg) = (bs.supplemental_groups(), hs.supplemental_groups());
    let gains_root = hg.contains(&0) && !bg.contains(&0);
    if bg != hg && !gains_root {
        out.push(reason(
            Code::SecurityChanged,
            "the pod's supplemental groups (pod.supplementalGroups) change",
        ));
    }
    let added: Vec<String> = secret_access(hs)
        .difference(&secret_access(bs))
        .cloned()
        .collect();
    if !added.is_empty() {
        out.push(reason(
            Code::SecretAccessAdded,
            format!("the app gains access to {}", added.join(", ")),
        ));
    }
    if bs.workload != hs.workload {
        out.push(reason(
            Code::WorkloadKindChanged,
            format!(
                "workload changes from {} to {}: the {} is deleted and a {} created (the pod restarts; the PVC stays)",
                bs.workload,
                hs.workload,
                kind_name(bs.workload),
                kind_name(hs.workload)
            ),
        ));
    }
    out.extend(pod_privileges(Some(b), h));
    // Informational.
    if bs.image != hs.image {
        out.push(reason(
            Code::ImageChanged,
            format!("image {} -> {}", bs.image, hs.image),
        ));
    }
    if bs.replicas != hs.replicas {
        out.push(reason(
            Code::ReplicasChanged,
            format!("replicas {} -> {}", bs.replicas, hs.replicas),
        ));
    }
    if bs.env != hs.env {
        out.push(reason(Code::EnvChanged, "environment variables change"));
    }
    if bs.resources != hs.resources {
        out.push(reason(Code::ResourcesChanged, "requests or limits change"));
    }
    if bs.port != hs.port {
        out.push(reason(
            Code::PortChanged,
            format!("port {} -> {}", bs.port, hs.port),
        ));
    } else if bs.ports != hs.ports
        || bs.service.as_ref().and_then(|x| x.port) != hs.service.as_ref().and_then(|x| x.port)
    {
        out.push(reason(
            Code::PortChanged,
            "extra ports or the Service port change",
        ));
    }
    if bs.command != hs.command || bs.args != hs.args {
        out.push(reason(
            Code::CommandChanged,
            "the container's command or args change",
        ));
    }
    if bs.probes != hs.probes {
        out.push(reason(Code::ProbesChanged, "health probes change"));
    }
    let has = |out: &[Reason], codes: &[Code]| out.iter().any(|r| codes.contains(&r.code));
    if (bs.ingress != hs.ingress || b.host != h.host)
        && !has(
            &out,
            &[
                Code::ExternalExposure,
                Code::ExternalHostChanged,
                Code::ExternalAliasAdded,
            ],
        )
    {
        out.push(reason(Code::IngressChanged, "ingress settings change"));
    }
    if (bs.mounts != hs.mounts || bs.files != hs.files) && !has(&out, &[Code::NasMountChanged]) {
        out.push(reason(Code::VolumesChanged, "mounts or files change"));
    }
    let lb =
        |s: &crate::spec::AppSpecBody| s.service.as_ref().and_then(|x| x.load_balancer.clone());
    if lb(bs) != lb(hs) && !has(&out, &[Code::LoadBalancerAdded, Code::LoadBalancerChanged]) {
        out.push(reason(
            Code::ServiceChanged,
            "the LoadBalancer Service is removed",
        ));
    }
    if bs.backup != hs.backup && !has(&out, &[Code::BackupRemoved]) {
        out.push(reason(Code::BackupChanged, "backup settings change"));
    }
    // The pod options apart from the groups, which are judged above (`pod` holding only
    // groups counts as no options).
    let options = |s: &spec::AppSpecBody| {
        s.pod.as_ref().and_then(|p| {
            let mut rest = p.clone();
            rest.supplemental_groups.clear();
            (p.supplemental_groups.is_empty() || rest != PodOptions::default()).then_some(rest)
        })
    };
    let pod_changed = bs.node_selector != hs.node_selector
        || bs.service_account != hs.service_account
        || bs.pod_annotations != hs.pod_annotations
        || bs.spread != hs.spread
        || options(bs) != options(hs)
        || b.spec.labels != h.spec.labels;
    if pod_changed && !has(&out, &[Code::ServiceAccountToken, Code::HostNetwork]) {
        out.push(reason(
            Code::PodChanged,
            "pod settings change (node selector, service account, annotations, spread, pod options or labels)",
        ));
    }
    // Capabilities a sidecar gains are `capability-added` (pod_privileges); dropping one is low.
    let without_caps = |s: &spec::AppSpecBody| {
        let mut c = s.sidecars.clone();
        c.iter_mut().for_each(|c| c.capabilities.clear());
        c
    };
    if bs.init != hs.init || without_caps(bs) != without_caps(hs) {
        out.push(reason(
            Code::ContainersChanged,
            "init containers or sidecars change",
        ));
    } else if bs.sidecars != hs.sidecars && !has(&out, &[Code::CapabilityAdded]) {
        out.push(reason(
            Code::ContainersChanged,
            "a sidecar drops a Linux capability",
        ));
    }
    if bs.metrics != hs.metrics {
        out.push(reason(Code::MetricsChanged, "metrics scraping changes"));
    }
    if bs.storage != hs.storage && !out.iter().any(|r| r.code.is_high()) {
        out.push(reason(Code::StorageChanged, "storage settings change"));
    }
    out
}

/// A spec change that no reason names (a field `compare` does not know yet) is looked at
/// by a person (`spec-changed`), not waved through as low.
fn unjudged(change: Change, reasons: &mut Vec<Reason>, b: &App, h: &App) {
    if change == Change::Modified && reasons.is_empty() && b.spec != h.spec {
        reasons.push(reason(
            Code::SpecChanged,
            "the spec changes in a way risk does not judge: a person looks",
        ));
    }
}

fn kind_name(w: Workload) -> &'static str {
    match w {
        Workload::Deployment => "Deployment",
        Workload::Statefulset => "StatefulSet",
    }
}

/// What the head gives the pod that the base did not (`None`: a new app): a mounted API
/// token (or the token of another account), the node's network, the root group, the node's
/// user namespace.
fn pod_privileges(b: Option<&App>, h: &App) -> Vec<Reason> {
    let mut out = Vec::new();
    let token = |a: &App| {
        a.spec
            .spec
            .service_account
            .as_ref()
            .filter(|sa| sa.token)
            .map(|sa| sa.name.clone())
    };
    if let Some(name) = token(h)
        && b.is_none_or(|b| token(b).as_ref() != Some(&name))
    {
        out.push(reason(
            Code::ServiceAccountToken,
            format!("the pod mounts the API token of ServiceAccount {name}: it can act on the cluster with that account's permissions"),
        ));
    }
    let host_network = |a: &App| {
        a.spec
            .spec
            .pod
            .as_ref()
            .is_some_and(|p| p.host_network == Some(true))
    };
    if host_network(h) && !b.is_some_and(host_network) {
        out.push(reason(
            Code::HostNetwork,
            "the pod uses the node's network (hostNetwork: true): it sees and binds the node's interfaces",
        ));
    }
    for (sidecar, cap) in added_capabilities(b, h) {
        out.push(reason(
            Code::CapabilityAdded,
            format!("sidecar {sidecar} gains the Linux capability {cap}: it can act on the pod's network beyond what a container normally may"),
        ));
    }
    let root_group = |a: &App| a.spec.spec.supplemental_groups().contains(&0);
    if root_group(h) && !b.is_some_and(root_group) {
        out.push(reason(
            Code::RootGroup,
            "the pod joins the root group (pod.supplementalGroups: 0): it can read and write what group 0 owns on its volumes and devices",
        ));
    }
    let own_users = |a: &App| {
        a.spec
            .spec
            .pod
            .as_ref()
            .is_some_and(|p| p.host_users == Some(false))
    };
    if let Some(b) = b
        && own_users(b)
        && !own_users(h)
    {
        out.push(reason(
            Code::SecurityRelaxed,
            "hostUsers: false is dropped: root in the container is root on the node again",
        ));
    }
    out
}

/// The capabilities the head's sidecars add that the same sidecar (by name) of the base
/// did not (`None`: a new app, all of them), as (sidecar, capability).
fn added_capabilities(b: Option<&App>, h: &App) -> Vec<(String, Capability)> {
    let before = |name: &str| -> Vec<Capability> {
        b.and_then(|b| b.spec.spec.sidecars.iter().find(|c| c.name == name))
            .map(|c| c.capabilities.clone())
            .unwrap_or_default()
    };
    h.spec
        .spec
        .sidecars
        .iter()
        .flat_map(|c| {
            let had = before(&c.name);
            c.capabilities
                .iter()
                .filter(move |cap| !had.contains(cap))
                .map(|cap| (c.name.clone(), *cap))
        })
        .collect()
}

/// What section 8 adds to the comparison: the app's claim, NAS mounts, external aliases and
/// LoadBalancers.
fn compare_volumes_and_exposure(b: &App, h: &App) -> Vec<Reason> {
    let mut out = Vec::new();
    let (bs, hs) = (&b.spec.spec, &h.spec.spec);
    let claim = |a: &App| {
        a.spec
            .spec
            .storage
            .claim_name
            .clone()
            .unwrap_or_else(|| format!("{}-data", a.spec.name))
    };
    if bs.storage.pattern.uses_claim()
        && bs.storage.pattern == hs.storage.pattern
        && claim(b) != claim(h)
    {
        out.push(reason(
            Code::ClaimChanged,
            format!(
                "the app's claim changes from {} to {}: it starts on another volume",
                claim(b),
                claim(h)
            ),
        ));
    }
    let target = |n: &crate::spec::Nas| format!("{}{}", n.endpoint, n.subpath);
    for m in &bs.mounts {
        let Some(from) = &m.nas else { continue };
        match hs.mounts.iter().find(|x| x.path == m.path).and_then(|x| x.nas.as_ref()) {
            Some(to) if to == from => {}
            Some(to) => out.push(reason(
                Code::NasMountChanged,
                format!("NAS mount at {} moves from {} to {}", m.path, target(from), target(to)),
            )),
            None => out.push(reason(
                Code::NasMountChanged,
                format!(
                    "NAS mount at {} ({}) is removed or replaced; its PV and PVC are left in the cluster",
                    m.path,
                    target(from)
                ),
            )),
        }
    }
    if external(b) && external(h) {
        let before = b.hosts();
        let added: Vec<&str> = h
            .hosts()
            .into_iter()
            .skip(1)
            .filter(|a| !before.contains(a))
            .collect();
        if !added.is_empty() {
            out.push(reason(
                Code::ExternalAliasAdded,
                format!("new external aliases: {}", added.join(", ")),
            ));
        }
    }
    let lb =
        |s: &crate::spec::AppSpecBody| s.service.as_ref().and_then(|x| x.load_balancer.clone());
    match (lb(bs), lb(hs)) {
        (None, Some(l)) => out.push(reason(
            Code::LoadBalancerAdded,
            format!(
                "a LoadBalancer Service exposes the app on {}",
                l.ip.as_deref()
                    .unwrap_or("an address the load balancer picks")
            ),
        )),
        (Some(x), Some(y)) if x != y => out.push(reason(
            Code::LoadBalancerChanged,
            "the LoadBalancer's IP, ports, published host or traffic policy change",
        )),
        _ => {}
    }
    out
}

/// Compares two versions of a set of specs. Each side is built the way `render` builds it
/// with `build` (its `paths` unused: the platform file, limits, kustomize command and what
/// kustomize may run or fetch) and expanded by the engine.
pub fn assess(base: &Path, head: &Path, build: &render::Options) -> Result<Report, RiskError> {
    let (b, h) = (load(base, build)?, load(head, build)?);
    let keys: BTreeSet<&String> = b.present.iter().chain(&h.present).collect();
    let mut apps = Vec::new();
    for k in keys {
        let (bv, hv) = (b.apps.get(k), h.apps.get(k));
        let (in_b, in_h) = (b.present.contains(k), h.present.contains(k));
        let change = match (in_b, in_h) {
            (false, _) => Change::Added,
            (_, false) => Change::Removed,
            _ if bv.is_some() && bv.map(|e| &e.app) == hv.map(|e| &e.app) => Change::Unchanged,
            _ => Change::Modified,
        };
        let mut reasons = Vec::new();
        match (change, bv, hv) {
            (Change::Added, _, Some(h)) => {
                if external(&h.app) {
                    reasons.push(reason(
                        Code::ExternalExposure,
                        "new app reachable from outside (external-via-tunnel)",
                    ));
                }
                reasons.extend(pod_privileges(None, &h.app));
            }
            (Change::Removed, Some(b), _) if b.app.spec.spec.storage.pattern.is_persistent() => {
                reasons.push(reason(
                    Code::PersistentAppDeleted,
                    "an app with persistent storage is deleted or renamed; its PVC is left in the cluster, and a renamed app starts with empty storage",
                ))
            }
            // An unchanged spec can still move: the platform derives hosts and backups.
            (Change::Modified | Change::Unchanged, Some(b), Some(h)) => {
                reasons.extend(compare(&b.app, &h.app));
                let changes =
                    backup_change::changes((&b.app, &b.platform), (&h.app, &h.platform));
                reasons.extend(changes.iter().map(|c| reason(c.into(), c.message())));
            }
            _ => {}
        }
        if let (Some(b), Some(h)) = (bv, hv) {
            unjudged(change, &mut reasons, &b.app, &h.app);
        }
        let ns = k.split('/').next().unwrap_or("");
        let management = b.management.iter().chain(&h.management).any(|m| m == ns);
        if management && change != Change::Unchanged {
            reasons.push(reason(
                Code::ManagementNamespace,
                format!("namespace {ns} is a management namespace"),
            ));
        }
        for (label, s) in [("base", &b), ("head", &h)] {
            for p in s.problems.get(k).into_iter().flatten() {
                reasons.push(reason(Code::Invalid, format!("{label}: {p}")));
            }
        }
        apps.push(AppRisk {
            app: k.clone(),
            change,
            reasons,
        });
    }
    let mut general = Vec::new();
    if b.platforms != h.platforms {
        general.push(reason(
            Code::PlatformChanged,
            "a PlatformConfig is added, removed or changed: site policy (domains, classes, gateways, namespaces, backup repositories) is reviewed by a person",
        ));
    }
    for (label, s) in [("base", &b), ("head", &h)] {
        for p in s.problems.get("*").into_iter().flatten() {
            general.push(reason(Code::Invalid, format!("{label}: {p}")));
        }
    }
    if !general.is_empty() {
        apps.push(AppRisk {
            app: "*".into(),
            change: Change::Modified,
            reasons: general,
        });
    }
    let level = if apps
        .iter()
        .flat_map(|a| &a.reasons)
        .any(|r| r.code.is_high())
    {
        Level::High
    } else {
        Level::Low
    };
    Ok(Report { level, apps })
}

/// Text from the input, safe in a terminal and inside the Markdown code fence the CI
/// comment puts the report in: control characters escaped, and backticks too (a line
/// starting with three of them would close the fence).
fn printable(text: &str) -> String {
    crate::diagnostic::escape(text).replace('`', "\\u{60}")
}

impl Report {
    /// A short text form for people.
    pub fn to_text(&self) -> String {
        let mut out = format!(
            "risk: {}\n",
            if self.level == Level::High {
                "high"
            } else {
                "low"
            }
        );
        for a in &self.apps {
            let change = match a.change {
                Change::Added => "added",
                Change::Removed => "removed",
                Change::Modified => "modified",
                Change::Unchanged => "unchanged",
            };
            out.push_str(&format!("{} ({change})\n", printable(&a.app)));
            for r in &a.reasons {
                let mark = if r.code.is_high() { "!" } else { "-" };
                out.push_str(&format!(
                    "  {mark} {}: {}\n",
                    r.code.as_str(),
                    printable(&r.message)
                ));
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn app(spec: &str) -> App {
        let doc = serde_json::json!({
            "apiVersion": crate::API_VERSION,
            "kind": spec::KIND,
            "metadata": {"name": "web", "namespace": "shop"},
            "spec": serde_json::from_str::<serde_json::Value>(spec).unwrap(),
        });
        let site = crate::site::Site::new(Platform::default()).0;
        let spec = spec::read(&doc).value.unwrap();
        crate::validate::app(&spec, &site).0.unwrap()
    }

    /// A spec change with no reason (a field `compare` does not know) is `spec-changed`,
    /// high; a change some reason names, or no spec change, adds nothing.
    #[test]
    fn a_change_no_reason_names_is_high() {
        let b = app(r#"{"image": "ghcr.io/a/web:1.0.0"}"#);
        let h = app(r#"{"image": "ghcr.io/a/web:1.0.1"}"#);
        let mut reasons = vec![];
        unjudged(Change::Modified, &mut reasons, &b, &h);
        assert_eq!(
            reasons.iter().map(|r| r.code).collect::<Vec<_>>(),
            [Code::SpecChanged]
        );
        assert!(Code::SpecChanged.is_high());
        let mut named = compare(&b, &h);
        assert_eq!(
            named.iter().map(|r| r.code).collect::<Vec<_>>(),
            [Code::ImageChanged]
        );
        unjudged(Change::Modified, &mut named, &b, &h);
        assert_eq!(named.len(), 1, "{named:?}");
        let mut same = vec![];
        unjudged(Change::Modified, &mut same, &b, &b.clone());
        assert!(same.is_empty());
    }
}

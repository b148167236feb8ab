//! `appspec risk BASE HEAD`: how risky a change is, for an auto-merge gate.
//!
//! Each side is built once the way `render` builds it (`side`); the apps the engine
//! validated are compared by namespace/name, and every rendered object by key: a generated
//! object also in its patched form, any other object high unless only its image tags move.
//! A change is high risk when it exposes an app, moves an external host, touches a
//! management namespace, can lose data, grants a privilege, relaxes the security profile,
//! changes the platform, cannot be applied in place, or when either side does not validate.

pub mod backup_change;
pub mod diff;
pub mod inputs;
pub mod reasons;
pub mod relay;
pub mod rendered;
pub mod side;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use serde::Serialize;
use thiserror::Error;

use crate::model::pod::{Capability, PodOptions, Workload};
use crate::model::spec::{self, BackupStrategy, IngressPattern, SecurityProfile};
use crate::render;
pub use crate::risk::reasons::{Code, Level};
use crate::validate::App;
use backup_change::BackupChange;
use side::{Key, Object, Side, SideError};

#[derive(Debug, Error)]
pub enum RiskError {
    #[error(transparent)]
    Side(#[from] SideError),
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

fn reason(code: Code, message: impl Into<String>) -> Reason {
    Reason {
        code,
        message: message.into(),
    }
}

fn external(a: &App) -> bool {
    a.spec.body.ingress.pattern == IngressPattern::ExternalViaTunnel
}

/// The Secrets and store keys a spec's containers read: `Secret x` for `{secret}` env
/// values, `secretEnv.existing`, `files` from a Secret and a whole Secret mounted
/// (`mounts[].secret`), `store key x` for `secretEnv.fromStore`, `image pull Secret x` for
/// `pod.imagePullSecrets`. A new one is
/// high risk: it hands the pod a credential (a store key may be any key of a cluster-wide
/// store), which a reviewer should see.
fn secret_access(s: &spec::AppSpecBody) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    // The pod's other containers read Secrets the same ways.
    let envs = std::iter::once((&s.env, s.secret_env.as_ref())).chain(
        crate::model::pod::extra_containers(&s.init, &s.sidecars)
            .into_iter()
            .map(|c| (c.env, c.secret_env)),
    );
    // A whole Secret mounted as a directory reads every key of it.
    out.extend(
        s.mounts
            .iter()
            .filter_map(|m| m.secret.as_ref())
            .map(|n| format!("Secret {n}")),
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
    // Registry credentials the kubelet pulls the pod's images with.
    out.extend(
        s.pod
            .iter()
            .flat_map(|p| &p.image_pull_secrets)
            .map(|n| format!("image pull Secret {n}")),
    );
    // A Secret mounted through `files` is read as surely as one through env.
    out.extend(
        s.files
            .values()
            .filter_map(|f| f.secret.as_ref())
            .map(|n| format!("Secret {n}")),
    );
    out
}

fn compare(b: &App, h: &App) -> Vec<Reason> {
    let mut out = Vec::new();
    let (bs, hs) = (&b.spec.body, &h.spec.body);
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
    if bs.job.is_some() != hs.job.is_some() {
        let (from, to) = (kind_of(bs), kind_of(hs));
        let what = if hs.job.is_some() {
            "the app becomes a job: it runs on its schedule and serves no more traffic"
        } else {
            "the job becomes a served app: it runs all the time"
        };
        out.push(reason(
            Code::WorkloadKindChanged,
            format!("{what}; the {from} is deleted and a {to} created (the PVC stays)"),
        ));
    } else if let (Some(bj), Some(hj)) = (&bs.job, &hs.job)
        && bj != hj
    {
        out.push(reason(Code::JobChanged, job_change(bj, hj)));
    } else if bs.workload != hs.workload {
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
        || bs.service.as_ref().and_then(|x| x.app_protocol.as_ref())
            != hs.service.as_ref().and_then(|x| x.app_protocol.as_ref())
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
                Code::InternalEntryAdded,
            ],
        )
    {
        out.push(reason(Code::IngressChanged, "ingress settings change"));
    }
    if (bs.mounts != hs.mounts || bs.files != hs.files) && !has(&out, &[Code::NasMountChanged]) {
        out.push(reason(Code::VolumesChanged, "mounts or files change"));
    }
    let lb = |s: &crate::model::spec::AppSpecBody| {
        s.service.as_ref().and_then(|x| x.load_balancer.clone())
    };
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
    if pod_changed
        && !has(
            &out,
            &[
                Code::ServiceAccountToken,
                Code::HostNetwork,
                Code::ClusterReadAdded,
            ],
        )
    {
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

/// What changes in a job, field by field: `job schedule @daily -> 0 4 * * *; time zone
/// Etc/UTC -> Europe/Amsterdam; suspended; backoffLimit, parallelism change`.
fn job_change(b: &crate::model::job::Job, h: &crate::model::job::Job) -> String {
    let mut parts = Vec::new();
    if b.schedule != h.schedule {
        parts.push(format!("schedule {} -> {}", b.schedule, h.schedule));
    }
    if b.time_zone != h.time_zone {
        let zone = |z: &Option<String>| z.clone().unwrap_or_else(|| "the controller's".into());
        parts.push(format!(
            "time zone {} -> {}",
            zone(&b.time_zone),
            zone(&h.time_zone)
        ));
    }
    if b.suspend != h.suspend {
        parts.push(if h.suspend { "suspended" } else { "resumed" }.to_string());
    }
    // The other fields, by their names in the spec.
    let fields = |j: &crate::model::job::Job| match serde_json::to_value(j) {
        Ok(serde_json::Value::Object(m)) => m,
        _ => serde_json::Map::new(),
    };
    let (bf, hf) = (fields(b), fields(h));
    let others: BTreeSet<&String> = bf
        .keys()
        .chain(hf.keys())
        .filter(|k| !["schedule", "timeZone", "suspend"].contains(&k.as_str()))
        .filter(|k| bf.get(*k) != hf.get(*k))
        .collect();
    if !others.is_empty() {
        let names: Vec<&str> = others.iter().map(|k| k.as_str()).collect();
        parts.push(format!("{} change", names.join(", ")));
    }
    format!("job {}", parts.join("; "))
}

/// The kind of the app's workload: a job's CronJob, else the `workload` kind.
fn kind_of(s: &spec::AppSpecBody) -> &'static str {
    if s.job.is_some() {
        "CronJob"
    } else {
        kind_name(s.workload)
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
            .body
            .service_account
            .as_ref()
            .filter(|sa| sa.token)
            .map(|sa| sa.account(&a.spec.name).to_string())
    };
    if let Some(name) = token(h)
        && b.is_none_or(|b| token(b).as_ref() != Some(&name))
    {
        out.push(reason(
            Code::ServiceAccountToken,
            format!("the pod mounts the API token of ServiceAccount {name}: it can act on the cluster with that account's permissions"),
        ));
    }
    let reads = |a: &App| -> BTreeSet<String> {
        a.spec
            .body
            .service_account
            .as_ref()
            .filter(|sa| sa.create)
            .map(|sa| sa.read.iter().cloned().collect())
            .unwrap_or_default()
    };
    let before = b.map(reads).unwrap_or_default();
    let added: Vec<String> = reads(h).difference(&before).cloned().collect();
    if !added.is_empty() {
        let new_role = if before.is_empty() {
            "a new ClusterRole lets"
        } else {
            "its ClusterRole now lets"
        };
        out.push(reason(
            Code::ClusterReadAdded,
            format!(
                "{new_role} ServiceAccount {} read {} in every namespace",
                h.spec.name,
                added.join(", ")
            ),
        ));
    }
    let host_network = |a: &App| {
        a.spec
            .body
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
    let root_group = |a: &App| {
        a.spec.body.supplemental_groups().contains(&0)
            || a.spec.body.pod_ids().is_some_and(|(u, g)| g == 0 && u != 0)
    };
    if root_group(h) && !b.is_some_and(root_group) {
        out.push(reason(
            Code::RootGroup,
            "the pod joins the root group (runAs.group or pod.supplementalGroups: 0; the fsGroup and the backup movers too): it can read and write what group 0 owns on its volumes and devices",
        ));
    }
    out.extend(nas_mounts_added(b, h));
    out.extend(annotation_risks(b, h));
    let own_users = |a: &App| {
        a.spec
            .body
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

/// The read-write NAS mounts of the head that the base did not have (`None`: a new app,
/// all of them): the app may now write, or delete, what a share holds.
fn nas_mounts_added(b: Option<&App>, h: &App) -> Vec<Reason> {
    let writable = |a: &App| -> BTreeSet<String> {
        a.spec
            .body
            .mounts
            .iter()
            .filter(|m| !m.read_only)
            .filter_map(|m| {
                m.nas
                    .as_ref()
                    .map(|n| format!("{}{}", n.endpoint, n.subpath))
            })
            .collect()
    };
    let before = b.map(writable).unwrap_or_default();
    writable(h)
        .difference(&before)
        .map(|target| {
            reason(
                Code::NasMountAdded,
                format!("the app mounts the NAS share {target} read-write: it can change or delete what the share holds"),
            )
        })
        .collect()
}

/// What the head's annotations open that the base's did not (`None`: a new app): a
/// `*-snippet` ingress annotation (raw proxy configuration: high, not refused, because
/// some controllers allow them on purpose), a pod annotation that makes AppArmor or
/// seccomp unconfined (high, for the same reason), and an authentication or allowlist
/// annotation of an external app removed or changed.
fn annotation_risks(b: Option<&App>, h: &App) -> Vec<Reason> {
    let mut out = Vec::new();
    let ingress = |a: &App| a.spec.body.ingress.annotations.clone();
    let (bi, hi) = (b.map(ingress).unwrap_or_default(), ingress(h));
    for (k, v) in &hi {
        if crate::risk::rendered::is_snippet(k) && bi.get(k) != Some(v) {
            out.push(reason(
                Code::SnippetAnnotation,
                format!("ingress annotation {k} adds raw proxy configuration: it can route, rewrite or read what the controller can"),
            ));
        }
    }
    let pod = |a: &App| a.spec.body.pod_annotations.clone();
    let (bp, hp) = (b.map(pod).unwrap_or_default(), pod(h));
    for (k, v) in &hp {
        if let Some(text) = crate::risk::rendered::unconfined_annotation(k, v)
            && bp.get(k) != Some(v)
        {
            out.push(reason(
                Code::Unconfined,
                format!("{text}: the container loses that confinement"),
            ));
        }
    }
    if let Some(b) = b
        && external(b)
        && external(h)
    {
        for (k, v) in bi.iter().filter(|(k, _)| crate::risk::rendered::is_auth(k)) {
            if hi.get(k) != Some(v) {
                out.push(reason(
                    Code::AuthRemoved,
                    format!("the external app's ingress annotation {k} is removed or changed: who may reach the app changes"),
                ));
            }
        }
    }
    out
}

/// The capabilities the head's sidecars add that the same sidecar (by name) of the base
/// did not (`None`: a new app, all of them), as (sidecar, capability).
fn added_capabilities(b: Option<&App>, h: &App) -> Vec<(String, Capability)> {
    let before = |name: &str| -> Vec<Capability> {
        b.and_then(|b| b.spec.body.sidecars.iter().find(|c| c.name == name))
            .map(|c| c.capabilities.clone())
            .unwrap_or_default()
    };
    h.spec
        .body
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
    let (bs, hs) = (&b.spec.body, &h.spec.body);
    let claim = |a: &App| {
        a.spec
            .body
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
    let target = |n: &crate::model::spec::Nas| format!("{}{}", n.endpoint, n.subpath);
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
    let also_internal = |a: &App| external(a) && a.spec.body.ingress.also_internal;
    if external(b) && also_internal(h) && !also_internal(b) {
        out.push(reason(
            Code::InternalEntryAdded,
            "the external app is also served on the internal entry point (ingress.alsoInternal): clients there reach it without the tunnel and what the tunnel enforces",
        ));
    }
    if external(b) && external(h) {
        let before = b.all_hosts();
        let added: Vec<&str> = h
            .all_hosts()
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
    let lb = |s: &crate::model::spec::AppSpecBody| {
        s.service.as_ref().and_then(|x| x.load_balancer.clone())
    };
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

/// One object's change between the sides, as it will be applied (build annotations left
/// out): what `diff` shows.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ObjectChange {
    /// `Kind namespace/name`.
    pub object: String,
    pub change: Change,
    pub base: Option<serde_json::Value>,
    pub head: Option<serde_json::Value>,
}

/// The verdict and, for each entry of the report (an app, an object no AppSpec makes,
/// `*`), the rendered objects that change.
#[derive(Debug)]
pub struct Comparison {
    pub report: Report,
    /// Parallel to `report.apps`.
    pub objects: Vec<Vec<ObjectChange>>,
}

/// Compares two versions of a set of specs. Each side is built the way `render` builds it
/// with `build` (its `paths` unused: the platform file, limits, kustomize command and what
/// kustomize may run or fetch) and expanded by the engine.
pub fn assess(base: &Path, head: &Path, build: &render::Options) -> Result<Report, RiskError> {
    compare_trees(base, head, build).map(|c| c.report)
}

/// [`assess`], with the rendered objects that change. Kustomization roots whose inputs
/// are byte-identical on both sides are not built ([`crate::risk::inputs`]).
pub fn compare_trees(
    base: &Path,
    head: &Path,
    build: &render::Options,
) -> Result<Comparison, RiskError> {
    let same = crate::risk::inputs::unchanged_roots(base, head, build);
    let skip_base = |dir: &Path| same.skips(base, dir);
    let skip_head = |dir: &Path| same.skips(head, dir);
    let b = side::load(base, build, Some(&skip_base))?;
    let h = side::load(head, build, Some(&skip_head))?;
    Ok(compare_sides(&b, &h))
}

fn compare_sides(b: &Side, h: &Side) -> Comparison {
    // The rendered objects of each app, and those no app makes, by key.
    let mut owned: BTreeMap<String, Vec<&Key>> = BTreeMap::new();
    let mut others: Vec<&Key> = Vec::new();
    let object_keys: BTreeSet<&Key> = b.objects.keys().chain(h.objects.keys()).collect();
    for k in object_keys {
        let owner = h
            .objects
            .get(k)
            .and_then(|o| o.owner.as_ref())
            .or_else(|| b.objects.get(k).and_then(|o| o.owner.as_ref()));
        match owner {
            Some(app) => owned.entry(app.clone()).or_default().push(k),
            None => others.push(k),
        }
    }
    let keys: BTreeSet<&String> = b
        .present
        .iter()
        .chain(&h.present)
        .chain(owned.keys())
        .collect();
    let mut apps = Vec::new();
    let mut objects = Vec::new();
    for k in keys {
        let (bv, hv) = (b.apps.get(k), h.apps.get(k));
        let (in_b, in_h) = (b.present.contains(k), h.present.contains(k));
        let mut change = match (in_b, in_h) {
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
            (Change::Removed, Some(b), _) if b.app.spec.body.storage.pattern.is_persistent() => {
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
        // The app's rendered objects: patched after expansion, or changed in a way
        // Kubernetes cannot apply in place.
        let mut changes = Vec::new();
        for key in owned.get(k).into_iter().flatten() {
            let (bo, ho) = (b.objects.get(*key), h.objects.get(*key));
            if let Some(c) = object_change(key, bo, ho) {
                changes.push(c);
            }
            reasons.extend(judge_generated(key, bo, ho, &reasons));
        }
        if change == Change::Unchanged && !changes.is_empty() {
            change = Change::Modified;
        }
        let ns = k.split('/').next().unwrap_or("");
        let management = b.management.iter().chain(&h.management).any(|m| m == ns);
        if management && change != Change::Unchanged {
            reasons.push(reason(
                Code::ManagementNamespace,
                format!("namespace {ns} is a management namespace"),
            ));
        }
        for (label, s) in [("base", b), ("head", h)] {
            for p in s.problems.get(k).into_iter().flatten() {
                reasons.push(reason(Code::Invalid, format!("{label}: {p}")));
            }
        }
        apps.push(AppRisk {
            app: k.clone(),
            change,
            reasons,
        });
        objects.push(changes);
    }
    // Objects no app makes, in the order people read them (`Kind namespace/name`).
    others.sort_by_cached_key(|k| k.to_string());
    for key in others {
        let (bo, ho) = (b.objects.get(key), h.objects.get(key));
        // From a kustomization the other side could not build (the function refused a
        // spec of it, judged `invalid` above): not compared, never reported removed.
        let unbuilt = |o: Option<&Object>, other: &Side| {
            o.and_then(|o| o.source.as_ref())
                .is_some_and(|s| other.unbuilt.contains(s))
        };
        if unbuilt(bo, h) || unbuilt(ho, b) {
            continue;
        }
        let Some(c) = object_change(key, bo, ho) else {
            continue;
        };
        let mut reasons = judge_other(key, bo, ho);
        let ns = key.namespace.as_str();
        if !ns.is_empty() && b.management.iter().chain(&h.management).any(|m| m == ns) {
            reasons.push(reason(
                Code::ManagementNamespace,
                format!("namespace {ns} is a management namespace"),
            ));
        }
        apps.push(AppRisk {
            app: key.to_string(),
            change: c.change,
            reasons,
        });
        objects.push(vec![c]);
    }
    let mut general = Vec::new();
    if b.platforms != h.platforms {
        general.push(reason(
            Code::PlatformChanged,
            "a PlatformConfig is added, removed or changed: site policy (domains, classes, gateways, namespaces, backup repositories) is reviewed by a person",
        ));
    }
    for (label, s) in [("base", b), ("head", h)] {
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
        objects.push(vec![]);
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
    Comparison {
        report: Report { level, apps },
        objects,
    }
}

/// The change of one object, `None` when it is the same on both sides.
fn object_change(key: &Key, b: Option<&Object>, h: Option<&Object>) -> Option<ObjectChange> {
    let (bv, hv) = (b.map(|o| &o.value), h.map(|o| &o.value));
    let change = match (bv, hv) {
        (None, Some(_)) => Change::Added,
        (Some(_), None) => Change::Removed,
        (Some(x), Some(y)) if x != y => Change::Modified,
        _ => return None,
    };
    Some(ObjectChange {
        object: key.to_string(),
        change,
        base: bv.cloned(),
        head: hv.cloned(),
    })
}

/// What kustomize did to a generated object after expansion: each difference as
/// (JSON pointer, the rendered value or `None` when removed). With `tags: false`, the
/// container images' tags and digests are left out of both forms.
fn patch_of(o: &Object, tags: bool) -> BTreeSet<(String, Option<String>)> {
    fn walk(
        a: Option<&serde_json::Value>,
        b: Option<&serde_json::Value>,
        path: String,
        out: &mut BTreeSet<(String, Option<String>)>,
    ) {
        use serde_json::Value;
        match (a, b) {
            (Some(Value::Object(x)), Some(Value::Object(y))) => {
                let keys: BTreeSet<&String> = x.keys().chain(y.keys()).collect();
                for k in keys {
                    let p = format!("{path}/{}", k.replace('~', "~0").replace('/', "~1"));
                    walk(x.get(k), y.get(k), p, out);
                }
            }
            (Some(Value::Array(x)), Some(Value::Array(y))) if x.len() == y.len() => {
                for (i, (xi, yi)) in x.iter().zip(y).enumerate() {
                    walk(Some(xi), Some(yi), format!("{path}/{i}"), out);
                }
            }
            (a, b) if a != b => {
                out.insert((path, b.map(ToString::to_string)));
            }
            _ => {}
        }
    }
    let mut out = BTreeSet::new();
    if let Some(e) = &o.expansion {
        if tags {
            walk(Some(e), Some(&o.value), String::new(), &mut out);
        } else {
            let (e, v) = (rendered::without_tags(e), rendered::without_tags(&o.value));
            walk(Some(&e), Some(&v), String::new(), &mut out);
        }
    }
    out
}

/// The privileges of the rendered `h` that none of `had` has, in one phrase (`None`: none).
fn granted(h: &Object, had: &[Option<&serde_json::Value>]) -> Option<String> {
    let mut granted = rendered::privileges(&h.value);
    for v in had.iter().flatten() {
        for p in rendered::privileges(v) {
            granted.remove(&p);
        }
    }
    (!granted.is_empty()).then(|| granted.into_iter().collect::<Vec<_>>().join("; "))
}

/// Judges a generated object in its rendered form: what patches grant that the spec does
/// not (and the base did not have), a patch that changes otherwise, a change Kubernetes
/// cannot apply in place, a port a LoadBalancer newly exposes. `known` are the reasons
/// the spec comparison gave already.
fn judge_generated(
    key: &Key,
    b: Option<&Object>,
    h: Option<&Object>,
    known: &[Reason],
) -> Vec<Reason> {
    let mut out = Vec::new();
    if let Some(h) = h
        && let Some(expansion) = &h.expansion
    {
        if let Some(granted) = granted(h, &[Some(expansion), b.map(|b| &b.value)]) {
            out.push(reason(
                Code::PrivilegesAdded,
                format!("kustomize patches give {key} what its spec does not ask for: {granted}"),
            ));
        } else {
            let patch = |o: Option<&Object>, tags| o.map(|o| patch_of(o, tags)).unwrap_or_default();
            if patch(b, true) != patch(Some(h), true) {
                if patch(b, false) == patch(Some(h), false) {
                    out.push(reason(
                        Code::ImageChanged,
                        format!("kustomize sets another image tag on {key}"),
                    ));
                } else {
                    out.push(reason(
                        Code::PatchChanged,
                        format!("kustomize changes {key} after expansion, differently than before: a person looks at the rendered diff"),
                    ));
                }
            }
        }
    }
    out.extend(in_place_and_exposure(key, b, h, known));
    out
}

/// A change Kubernetes cannot apply in place, and ports a Service newly exposes outside
/// the cluster (unless the spec comparison named the LoadBalancer already).
fn in_place_and_exposure(
    key: &Key,
    b: Option<&Object>,
    h: Option<&Object>,
    known: &[Reason],
) -> Vec<Reason> {
    let mut out = Vec::new();
    // The spec's storage reasons say it already, in the app's terms.
    let storage = known.iter().any(|r| {
        matches!(
            r.code,
            Code::StorageShrunk
                | Code::StoragePatternChanged
                | Code::StorageRemoved
                | Code::NasTargetChanged
                | Code::NasMountChanged
                | Code::ClaimChanged
        )
    });
    if let (Some(b), Some(h)) = (b, h)
        && !storage
    {
        for what in rendered::immutable_changes(&b.value, &h.value) {
            out.push(reason(
                Code::ImmutableChanged,
                format!("{what}: Kubernetes cannot apply this to {key} in place (the apply fails, or the object must be deleted and created again)"),
            ));
        }
    }
    if let Some(h) = h {
        let before = b
            .map(|b| rendered::exposed_ports(&b.value))
            .unwrap_or_default();
        let added: Vec<String> = rendered::exposed_ports(&h.value)
            .difference(&before)
            .cloned()
            .collect();
        let named = known
            .iter()
            .any(|r| matches!(r.code, Code::LoadBalancerAdded | Code::LoadBalancerChanged));
        if !added.is_empty() && !named {
            out.push(reason(
                Code::LoadBalancerPortAdded,
                format!(
                    "{key} exposes {} outside the cluster, which it did not before",
                    added.join(", ")
                ),
            ));
        }
    }
    out
}

/// Judges an object no AppSpec makes: added, removed or changed is high (a person looks),
/// unless only its container image tags or digests change (low, like an AppSpec image).
fn judge_other(key: &Key, b: Option<&Object>, h: Option<&Object>) -> Vec<Reason> {
    let mut out = Vec::new();
    match (b, h) {
        (None, Some(_)) => out.push(reason(
            Code::ObjectAdded,
            format!("{key} is added; no AppSpec makes it, so a person looks"),
        )),
        (Some(_), None) => out.push(reason(
            Code::ObjectRemoved,
            format!("{key} is removed; no AppSpec made it, so a person looks"),
        )),
        (Some(x), Some(y)) if rendered::only_image_tags(&x.value, &y.value) => out.push(reason(
            Code::ImageChanged,
            format!(
                "{key}: image {} -> {}",
                rendered::images(&x.value).join(", "),
                rendered::images(&y.value).join(", ")
            ),
        )),
        _ => out.push(reason(
            Code::ObjectChanged,
            format!("{key} changes; no AppSpec makes it, so a person looks"),
        )),
    }
    if let Some(granted) = h.and_then(|h| granted(h, &[b.map(|b| &b.value)])) {
        out.push(reason(
            Code::PrivilegesAdded,
            format!("{key} gains: {granted}"),
        ));
    }
    out.extend(in_place_and_exposure(key, b, h, &[]));
    out
}

/// Text from the input, safe in a terminal and inside the Markdown code fence the CI
/// comment puts the report in: control characters escaped, and backticks too (a line
/// starting with three of them would close the fence).
fn printable(text: &str) -> String {
    crate::input::diagnostic::escape(text).replace('`', "\\u{60}")
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

    #[test]
    fn job_changes_are_named_field_by_field() {
        let job = |yaml: &str| -> crate::model::job::Job { serde_saphyr::from_str(yaml).unwrap() };
        let base = job("{schedule: \"@daily\"}");
        let cases = [
            (
                "{schedule: \"0 4 * * *\"}",
                "job schedule @daily -> 0 4 * * *",
            ),
            (
                "{schedule: \"@daily\", timeZone: Europe/Amsterdam, suspend: true}",
                "job time zone the controller's -> Europe/Amsterdam; suspended",
            ),
            (
                "{schedule: \"@daily\", backoffLimit: 1, restartPolicy: OnFailure}",
                "job backoffLimit, restartPolicy change",
            ),
        ];
        for (head, want) in cases {
            assert_eq!(job_change(&base, &job(head)), want, "{head}");
        }
        assert_eq!(
            job_change(&job("{schedule: \"@daily\", suspend: true}"), &base),
            "job resumed"
        );
    }

    fn app(spec: &str) -> App {
        let doc = serde_json::json!({
            "apiVersion": crate::API_VERSION,
            "kind": spec::KIND,
            "metadata": {"name": "web", "namespace": "shop"},
            "spec": serde_json::from_str::<serde_json::Value>(spec).unwrap(),
        });
        let site = crate::site::Site::new(crate::model::platform::Platform::default()).0;
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

    /// The app's own ServiceAccount: creating it is low; a new ClusterRole and every entry
    /// added to `read` are high; removing one is low; a new app with `read` is high.
    #[test]
    fn cluster_read_added_is_high() {
        let codes = |b: &str, h: &str| {
            let sa =
                |x: &str| format!(r#"{{"image": "ghcr.io/a/web:1.0.0", "serviceAccount": {x}}}"#);
            compare(&app(&sa(b)), &app(&sa(h)))
                .into_iter()
                .map(|r| (r.code, r.message))
                .collect::<Vec<_>>()
        };
        assert_eq!(
            codes(r#"{"name": "web"}"#, r#"{"create": true}"#)
                .into_iter()
                .map(|c| c.0)
                .collect::<Vec<_>>(),
            [Code::PodChanged]
        );
        assert_eq!(
            codes(
                r#"{"create": true}"#,
                r#"{"create": true, "read": ["services"]}"#
            ),
            [(
                Code::ClusterReadAdded,
                "a new ClusterRole lets ServiceAccount web read services in every namespace"
                    .to_string()
            )]
        );
        assert_eq!(
            codes(
                r#"{"create": true, "read": ["services"]}"#,
                r#"{"create": true, "read": ["services", "ingresses.networking.k8s.io"]}"#
            ),
            [(
                Code::ClusterReadAdded,
                "its ClusterRole now lets ServiceAccount web read ingresses.networking.k8s.io in every namespace".to_string()
            )]
        );
        assert_eq!(
            codes(
                r#"{"create": true, "read": ["services", "namespaces"]}"#,
                r#"{"create": true, "read": ["services"]}"#
            )
            .into_iter()
            .map(|c| c.0)
            .collect::<Vec<_>>(),
            [Code::PodChanged]
        );
        let new = app(
            r#"{"image": "ghcr.io/a/web:1.0.0", "serviceAccount": {"create": true, "read": ["namespaces"]}}"#,
        );
        assert!(
            pod_privileges(None, &new)
                .iter()
                .any(|r| r.code == Code::ClusterReadAdded)
        );
    }
}

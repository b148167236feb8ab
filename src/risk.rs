//! `appspec risk BASE HEAD`: how risky a change of specs is, for an auto-merge gate.
//!
//! Apps are matched by namespace/name. A change is high risk when it exposes an app,
//! moves an external host, touches a management namespace, can lose data (storage removed,
//! changed or shrunk, NAS target moved, backup removed, a persistent app deleted or
//! renamed) or when either side does not validate.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Serialize;
use serde_json::Value;
use thiserror::Error;

use crate::engine;
use crate::platform;
use crate::site::Site;
use crate::source::{self, Item};
use crate::spec::{self, AppSpec, BackupStrategy, IngressPattern};
use crate::validate;
use crate::yaml::{self, Limits};

#[derive(Debug, Error)]
pub enum RiskError {
    #[error("cannot read {path}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error("{path} is not valid YAML: {message}")]
    Yaml { path: String, message: String },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    Low,
    High,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Change {
    Added,
    Removed,
    Modified,
    Unchanged,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Reason {
    pub code: &'static str,
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

/// Codes that make a change high risk; every other code is informational.
pub const HIGH: &[&str] = &[
    "invalid",
    "external-exposure",
    "external-host-changed",
    "management-namespace",
    "storage-removed",
    "storage-pattern-changed",
    "storage-shrunk",
    "nas-target-changed",
    "backup-removed",
    "persistent-app-deleted",
    "backup-backend-changed",
    "restore-disabled",
    "backup-retention-shortened",
    "pvc-data-source-changed",
];

/// One side of the comparison: the apps (raw and parsed) and the validation problems.
struct Side {
    apps: BTreeMap<String, (Value, Option<AppSpec>, Option<validate::App>)>,
    problems: BTreeMap<String, Vec<String>>,
    site: Site,
}

fn key(v: &Value) -> String {
    let name = source::name(v).unwrap_or("");
    let ns = source::namespace(v).unwrap_or(name);
    format!("{ns}/{name}")
}

fn load(path: &Path, limits: &Limits) -> Result<Vec<Item>, RiskError> {
    if !path.exists() {
        return Ok(vec![]);
    }
    let mut files = Vec::new();
    if path.is_dir() {
        crate::render::manifest_files(path, &mut files);
    } else {
        files.push(path.to_path_buf());
    }
    let mut items = Vec::new();
    for f in files {
        let name = f.display().to_string();
        let text = std::fs::read_to_string(&f).map_err(|source| RiskError::Read {
            path: name.clone(),
            source,
        })?;
        let docs = yaml::parse_stream(&text, limits).map_err(|e| RiskError::Yaml {
            path: name.clone(),
            message: e.to_string(),
        })?;
        items.extend(
            docs.into_iter()
                .filter(|d| source::is_ours(d, spec::KIND) || source::is_ours(d, platform::KIND))
                .map(|value| Item {
                    value,
                    file: Some(name.clone()),
                }),
        );
    }
    Ok(items)
}

fn side(items: Vec<Item>) -> Side {
    let outcome = engine::run(items.clone(), None);
    let mut problems: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for d in outcome.diagnostics.iter().filter(|d| d.is_error()) {
        let app = d
            .resource
            .as_ref()
            .filter(|r| r.kind == spec::KIND)
            .map(|r| {
                format!(
                    "{}/{}",
                    r.namespace.clone().unwrap_or_else(|| r.name.clone()),
                    r.name
                )
            })
            .unwrap_or_else(|| "*".to_string());
        problems.entry(app).or_default().push(d.to_string());
    }
    let platform_item = items
        .iter()
        .find(|i| source::is_ours(&i.value, platform::KIND));
    let site = match platform_item {
        Some(i) => Site::new(platform::read(&i.value).value.unwrap_or_default()).0,
        None => Site::default(),
    };
    let mut apps = BTreeMap::new();
    for i in items
        .iter()
        .filter(|i| source::is_ours(&i.value, spec::KIND))
    {
        let read = spec::read(&i.value);
        let parsed = read.value.clone().filter(|_| !read.has_bad_values());
        let valid = parsed.as_ref().and_then(|p| validate::app(p, &site).0);
        apps.insert(key(&i.value), (i.value.clone(), parsed, valid));
    }
    Side {
        apps,
        problems,
        site,
    }
}

fn reason(code: &'static str, message: impl Into<String>) -> Reason {
    Reason {
        code,
        message: message.into(),
    }
}

fn external(a: &Option<AppSpec>) -> bool {
    a.as_ref()
        .is_some_and(|a| a.spec.ingress.pattern == IngressPattern::ExternalViaTunnel)
}

fn persistent(a: &Option<AppSpec>) -> bool {
    a.as_ref()
        .is_some_and(|a| a.spec.storage.pattern.is_persistent())
}

fn compare(
    base: &Option<AppSpec>,
    head: &Option<AppSpec>,
    base_app: &Option<validate::App>,
    head_app: &Option<validate::App>,
) -> Vec<Reason> {
    let mut out = Vec::new();
    let (Some(b), Some(h)) = (base, head) else {
        return out;
    };
    let (bs, hs) = (&b.spec, &h.spec);
    if hs.ingress.pattern == IngressPattern::ExternalViaTunnel
        && bs.ingress.pattern != IngressPattern::ExternalViaTunnel
    {
        out.push(reason("external-exposure", format!("ingress changes from {} to external-via-tunnel: the app becomes reachable from outside", bs.ingress.pattern)));
    }
    if bs.ingress.pattern == IngressPattern::ExternalViaTunnel
        && hs.ingress.pattern == IngressPattern::ExternalViaTunnel
    {
        let host = |a: &Option<validate::App>, s: &AppSpec| {
            a.as_ref()
                .and_then(|a| a.host.clone())
                .or_else(|| s.spec.ingress.host.clone())
        };
        let (bh, hh) = (host(base_app, b), host(head_app, h));
        if bh != hh {
            out.push(reason(
                "external-host-changed",
                format!(
                    "external host changes from {} to {}",
                    bh.unwrap_or_default(),
                    hh.unwrap_or_default()
                ),
            ));
        }
    }
    let (bp, hp) = (bs.storage.pattern, hs.storage.pattern);
    if bp.is_persistent() && !hp.is_persistent() {
        out.push(reason(
            "storage-removed",
            format!(
                "persistent storage ({}) is removed; its PVC is left in the cluster, unused",
                bp
            ),
        ));
    } else if bp != hp && (bp.is_persistent() || hp.is_persistent()) {
        out.push(reason(
            "storage-pattern-changed",
            format!("storage pattern changes from {} to {}", bp, hp),
        ));
    }
    if bp == hp
        && let (Some(bsz), Some(hsz)) = (bs.storage.size, hs.storage.size)
        && hsz < bsz
    {
        out.push(reason(
            "storage-shrunk",
            format!("storage size shrinks from {bsz} to {hsz} GiB"),
        ));
    }
    if let (Some(bn), Some(hn)) = (&bs.storage.nas, &hs.storage.nas)
        && bn != hn
    {
        out.push(reason(
            "nas-target-changed",
            format!(
                "NAS target changes from {}{} to {}{}",
                bn.endpoint, bn.subpath, hn.endpoint, hn.subpath
            ),
        ));
    }
    if bs.backup.strategy != BackupStrategy::None && hs.backup.strategy == BackupStrategy::None {
        out.push(reason("backup-removed", "backups are removed"));
    }
    // Informational.
    if bs.image != hs.image {
        out.push(reason(
            "image-changed",
            format!("image {} -> {}", bs.image, hs.image),
        ));
    }
    if bs.replicas != hs.replicas {
        out.push(reason(
            "replicas-changed",
            format!("replicas {} -> {}", bs.replicas, hs.replicas),
        ));
    }
    if bs.env != hs.env {
        out.push(reason("env-changed", "environment variables change"));
    }
    if bs.resources != hs.resources {
        out.push(reason("resources-changed", "requests or limits change"));
    }
    if bs.port != hs.port {
        out.push(reason(
            "port-changed",
            format!("port {} -> {}", bs.port, hs.port),
        ));
    }
    if bs.ingress != hs.ingress && !out.iter().any(|r| r.code.starts_with("external")) {
        out.push(reason("ingress-changed", "ingress settings change"));
    }
    if bs.backup != hs.backup && !out.iter().any(|r| r.code == "backup-removed") {
        out.push(reason("backup-changed", "backup settings change"));
    }
    if bs.storage != hs.storage && !out.iter().any(|r| HIGH.contains(&r.code)) {
        out.push(reason("storage-changed", "storage settings change"));
    }
    out
}

/// Compares two versions of a set of specs.
pub fn assess(base: &Path, head: &Path, limits: &Limits) -> Result<Report, RiskError> {
    let (b, h) = (side(load(base, limits)?), side(load(head, limits)?));
    let mut keys: Vec<&String> = b.apps.keys().chain(h.apps.keys()).collect();
    keys.sort();
    keys.dedup();
    let mut apps = Vec::new();
    for k in keys {
        let (bv, hv) = (b.apps.get(k), h.apps.get(k));
        let mut reasons = Vec::new();
        let change = match (bv, hv) {
            (None, Some(_)) => Change::Added,
            (Some(_), None) => Change::Removed,
            (Some(x), Some(y)) if x.0.get("spec") == y.0.get("spec") => Change::Unchanged,
            _ => Change::Modified,
        };
        let none = (Value::Null, None, None);
        let (bv, hv) = (bv.unwrap_or(&none), hv.unwrap_or(&none));
        match change {
            Change::Added if external(&hv.1) => reasons.push(reason("external-exposure", "new app reachable from outside (external-via-tunnel)")),
            Change::Removed if persistent(&bv.1) => reasons.push(reason(
                "persistent-app-deleted",
                "an app with persistent storage is deleted or renamed; its PVC is left in the cluster, and a renamed app starts with empty storage",
            )),
            // An unchanged spec can still move: a PlatformConfig change derives another host.
            Change::Modified | Change::Unchanged => {
                reasons.extend(compare(&bv.1, &hv.1, &bv.2, &hv.2));
                if let (Some(ba), Some(ha)) = (&bv.2, &hv.2) {
                    reasons.extend(
                        crate::backup_change::changes(
                            (ba, &b.site.config),
                            (ha, &h.site.config),
                        )
                        .iter()
                        .map(|c| reason(c.code(), c.message())),
                    );
                }
            }
            _ => {}
        }
        let ns = k.split('/').next().unwrap_or("");
        let management = b
            .site
            .config
            .namespaces
            .management
            .iter()
            .chain(&h.site.config.namespaces.management)
            .any(|m| m == ns);
        if management && change != Change::Unchanged {
            reasons.push(reason(
                "management-namespace",
                format!("namespace {ns} is a management namespace"),
            ));
        }
        for (label, s) in [("base", &b), ("head", &h)] {
            for p in s.problems.get(k).into_iter().flatten() {
                reasons.push(reason("invalid", format!("{label}: {p}")));
            }
        }
        apps.push(AppRisk {
            app: k.clone(),
            change,
            reasons,
        });
    }
    for (label, s) in [("base", &b), ("head", &h)] {
        if let Some(ps) = s.problems.get("*") {
            apps.push(AppRisk {
                app: "*".into(),
                change: Change::Modified,
                reasons: ps
                    .iter()
                    .map(|p| reason("invalid", format!("{label}: {p}")))
                    .collect(),
            });
        }
    }
    let level = if apps
        .iter()
        .flat_map(|a| &a.reasons)
        .any(|r| HIGH.contains(&r.code))
    {
        Level::High
    } else {
        Level::Low
    };
    Ok(Report { level, apps })
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
            out.push_str(&format!("{} ({change})\n", a.app));
            for r in &a.reasons {
                let mark = if HIGH.contains(&r.code) { "!" } else { "-" };
                out.push_str(&format!("  {mark} {}: {}\n", r.code, r.message));
            }
        }
        out
    }
}

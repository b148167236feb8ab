//! `persistence` of app-template values onto AppSpec's storage, mounts and files.

use serde_json::{Map, Value, json};

use super::mapper::{Mapper, unsupported};
use super::values::Node;

/// One mount of a persistence item into the app's main container.
#[derive(Clone, Debug)]
struct Mount<'v> {
    path: String,
    sub_path: Option<String>,
    read_only: bool,
    /// The mount entry, or the item itself for the default mount.
    node: Node<'v>,
}

/// The type of a persistence item, as app-template defaults it.
fn kind_of(item: &Node) -> String {
    item.get("type")
        .and_then(|t| t.str().map(str::to_string))
        .unwrap_or_else(|| "persistentVolumeClaim".into())
}

/// The mounts of an item into the main container; mounts into other containers are
/// dropped.
fn mounts<'v>(m: &mut Mapper, id: &str, item: &Node<'v>) -> Vec<Mount<'v>> {
    let default_path = if kind_of(item) == "hostPath" {
        item.get("hostPath")
            .and_then(|h| h.str().map(str::to_string))
            .unwrap_or_else(|| format!("/{id}"))
    } else {
        format!("/{id}")
    };
    let global = item.get("globalMounts");
    let advanced = item.get("advancedMounts");
    if global.is_none() && advanced.is_none() {
        return vec![Mount {
            path: default_path,
            sub_path: None,
            read_only: false,
            node: item.clone(),
        }];
    }
    let mut entries: Vec<Node> = global.map(|g| g.items()).unwrap_or_default();
    if let Some(adv) = advanced {
        for (ctrl, containers) in adv.entries() {
            if ctrl != m.facts.controller {
                if m.elsewhere(&containers).is_some() {
                    continue;
                }
                m.t.drop(
                    &containers,
                    format!("mounts into controller {ctrl}, which is not imported"),
                );
                continue;
            }
            for (container, list) in containers.entries() {
                let imported_extra = ["sidecars", "init"].iter().any(|f| {
                    m.spec
                        .get(*f)
                        .and_then(Value::as_array)
                        .is_some_and(|l| l.iter().any(|c| c["name"] == container))
                });
                if container == m.facts.container {
                    entries.extend(list.items());
                } else if imported_extra
                    && !m.input.refused.keys().any(|r| list.path().starts_with(r))
                {
                    // AppSpec's sidecars and init containers mount the app's volumes: the
                    // volume is mounted in the app container too, and reaches this one.
                    m.t.remark(
                        list.path(),
                        format!("mounted in the app container too: {container} gets it as AppSpec's extra containers get the app's volumes"),
                    );
                    entries.extend(list.items());
                } else {
                    m.t.drop(
                        &list,
                        format!("mounts into container {container}: extra containers share the app's mounts"),
                    );
                }
            }
        }
    }
    let mut out = Vec::new();
    for e in entries {
        let mut mount = Mount {
            path: default_path.clone(),
            sub_path: None,
            read_only: false,
            node: e.clone(),
        };
        for (k, v) in e.entries() {
            match k {
                "path" => match m.text(&v) {
                    Some(p) => mount.path = p,
                    None => continue,
                },
                "subPath" => mount.sub_path = m.text(&v),
                "readOnly" => mount.read_only = v.bool() == Some(true),
                "subPathExpr" | "mountPropagation" => {
                    m.t.drop(&v, format!("{k} is not supported"));
                }
                _ => {}
            }
        }
        out.push(mount);
    }
    out
}

/// GiB from a Kubernetes quantity, rounded up (at least 1).
pub fn gib(quantity: &str) -> Option<i64> {
    let q = quantity.trim();
    let split = q
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(q.len());
    if split == 0 {
        return None;
    }
    let (num, unit) = q.split_at(split);
    let factor: f64 = match unit {
        "" => 1.0,
        "Ki" => 1024f64,
        "Mi" => 1024f64.powi(2),
        "Gi" => 1024f64.powi(3),
        "Ti" => 1024f64.powi(4),
        "Pi" => 1024f64.powi(5),
        "k" => 1e3,
        "M" => 1e6,
        "G" => 1e9,
        "T" => 1e12,
        "P" => 1e15,
        _ => return None,
    };
    let bytes: f64 = num.parse::<f64>().ok()? * factor;
    Some(((bytes / 1024f64.powi(3)).ceil() as i64).max(1))
}

/// The name app-template gives the PVC of an item, so that AppSpec can adopt it: per chart
/// major, as bjw-s common 1.x to 4.x name them (`<release>-<id>` in 1.x and 2.x; in 3.x the
/// same unless the id is the release's name; from 4.x the release's name alone when the
/// chart makes one PVC, `<release>-<id>` for several; `nameOverride`, `forceRename`,
/// `prefix` and `suffix` as the chart reads them).
fn chart_pvc_name(m: &Mapper, id: &str, item: &Node, chart_pvcs: usize) -> String {
    let base = m.input.release.release_name.clone();
    let text = |key: &str| item.get(key).and_then(|f| f.str().map(str::to_string));
    let major = m.input.release.major();
    if matches!(major, Some(1..=3)) {
        let name = match text("nameOverride").as_deref() {
            Some("-") => base,
            Some(n) => format!("{base}-{n}"),
            None if major == Some(3) && base == id => base,
            None => format!("{base}-{id}"),
        };
        return name.to_lowercase();
    }
    if let Some(f) = text("forceRename") {
        return f.to_lowercase();
    }
    let mut name = base;
    if let Some(prefix) = text("prefix")
        && prefix != name
    {
        name = format!("{prefix}-{name}");
    }
    if chart_pvcs > 1 && !name.ends_with(&format!("-{id}")) {
        name = format!("{name}-{id}");
    }
    if let Some(suffix) = text("suffix")
        && !name.ends_with(&format!("-{suffix}"))
    {
        name = format!("{name}-{suffix}");
    }
    name.to_lowercase()
}

/// Says how to keep a PVC the chart made through the cut-over (Helm deletes what it made
/// when its release is removed) and what adopts it (SPEC 9.2).
fn keep_chart_pvc(m: &mut Mapper, id: &str, item: &Node, claim: &str, adopted_by: &str) {
    let kept = item.get("retain").and_then(|r| r.bool()) == Some(true);
    let first = if kept {
        format!("persistence.{id}.retain: true already keeps it (helm.sh/resource-policy: keep)")
    } else {
        format!(
            "first set persistence.{id}.retain: true in the HelmRelease (the chart then annotates it helm.sh/resource-policy: keep) and let Flux upgrade the release"
        )
    };
    m.t.remark(
        item.path(),
        format!(
            "the chart made PVC {claim}, which Helm deletes when the HelmRelease is removed: {first}; then remove the HelmRelease and apply the AppSpec, which adopts {claim} ({adopted_by}), so no data is copied"
        ),
    );
    m.cutover.push(super::mapper::Cut {
        id: id.to_string(),
        claim: claim.to_string(),
        kept,
        by: adopted_by.to_string(),
    });
}

pub fn persistence(m: &mut Mapper, root: &Node) {
    let Some(all) = root.get("persistence") else {
        return;
    };
    let mut items: Vec<(&str, Node)> = Vec::new();
    for (id, item) in all.entries() {
        if item.enabled() {
            items.push((id, item));
        } else {
            m.t.take(&item);
        }
    }
    let chart_pvcs = items
        .iter()
        .filter(|(_, i)| kind_of(i) == "persistentVolumeClaim" && i.get("existingClaim").is_none())
        .count();
    let mut with_mounts: Vec<(&str, Node, Vec<Mount>)> = Vec::new();
    for (id, item) in items {
        let ms = mounts(m, id, &item);
        with_mounts.push((id, item, ms));
    }
    // The app's storage: a claim mounted without subPath, `config` first; not a PVC that
    // another AppSpec of the release makes.
    let others = m.input.target.claims_of_others.clone();
    let candidate = with_mounts
        .iter()
        .enumerate()
        .filter(|(_, (id, i, ms))| {
            kind_of(i) == "persistentVolumeClaim"
                && ms.iter().any(|x| x.sub_path.is_none())
                && !others.contains_key(*id)
        })
        .min_by_key(|(_, (id, _, ms))| {
            let config = *id == "config" || ms.iter().any(|x| x.path == "/config");
            !config
        })
        .map(|(n, _)| n);
    let mut has_storage = false;
    if let Some(n) = candidate {
        let (id, item, ms) = with_mounts[n].clone();
        has_storage = storage(m, id, &item, &ms, chart_pvcs).is_some();
    }
    // An emptyDir as the app's storage, when nothing else is: no phantom /data volume.
    for (n, (id, item, ms)) in with_mounts.iter().enumerate() {
        if Some(n) == candidate {
            continue;
        }
        if ms.is_empty() {
            // Mounted only into other containers: what was lost is said on those mounts.
            m.t.take(item);
            continue;
        }
        match kind_of(item).as_str() {
            "persistentVolumeClaim" if others.contains_key(*id) => {
                let owner = &others[*id];
                let name = chart_pvc_name(m, id, item, chart_pvcs);
                if !m.shape().has(&["mounts"]) {
                    m.t.drop(item, unsupported("mounts of existing claims are"));
                    continue;
                }
                claim_mounts(m, item, ms, &name);
                chart_pvc_settings(m, item, true);
                let rwo = item
                    .get("accessMode")
                    .and_then(|a| a.str().map(str::to_string))
                    .is_none_or(|a| a == "ReadWriteOnce");
                m.t.remark(
                    item.path(),
                    format!(
                        "the chart's PVC {name} is adopted by AppSpec {owner}, whose cut-over steps keep it; this app mounts it too, with claim: {name} (a claim mount is neither made nor backed up here){}",
                        if rwo {
                            " (ReadWriteOnce: the pods that mount it must run on one node, as in the release)"
                        } else {
                            ""
                        }
                    ),
                );
            }
            "persistentVolumeClaim" => {
                if let Some(claim) = item.get("existingClaim") {
                    let Some(name) = m.real_text(&claim, "the claim name") else {
                        m.t.drop(item, "the claim has no usable name");
                        continue;
                    };
                    claim_mounts(m, item, ms, &name);
                    m.t.take(&claim);
                } else if m.shape().has(&["mounts"]) {
                    // Another PVC the chart made: adopted by name, as a volume of the app's
                    // own when AppSpec would give it that very name and class, else as a
                    // claim mount.
                    let name = chart_pvc_name(m, id, item, chart_pvcs);
                    if own_volume(m, id, item, ms, &name) {
                        chart_pvc_settings(m, item, false);
                        keep_chart_pvc(m, id, item, &name, "mounts[].volume");
                    } else {
                        claim_mounts(m, item, ms, &name);
                        chart_pvc_settings(m, item, true);
                        keep_chart_pvc(m, id, item, &name, "a claim mount");
                    }
                } else {
                    m.t.drop(item, unsupported("mounts of existing claims are"));
                }
            }
            "nfs" => nfs(m, item, ms),
            "emptyDir" => {
                let simple = item.get("sizeLimit").is_none()
                    && item.get("medium").is_none()
                    && ms.len() == 1
                    && ms[0].sub_path.is_none()
                    && !ms[0].read_only;
                // security: restricted's own /tmp is a plain emptyDir; one in memory or with a
                // size limit is the app's own /tmp mount.
                let restricted_tmp = m.facts.restricted
                    && item.get("sizeLimit").is_none()
                    && item.get("medium").is_none()
                    && ms.iter().all(|x| x.path == "/tmp" && x.sub_path.is_none());
                if restricted_tmp {
                    // security: restricted gives the app a writable /tmp.
                    m.t.take(item);
                } else if simple && !has_storage {
                    let value = json!({"pattern": "ephemeral", "mountPath": ms[0].path});
                    if m.emit(&["storage"], value, item, "storage is") {
                        m.facts.storage_pattern = Some("ephemeral".into());
                        has_storage = true;
                    }
                } else {
                    empty_dirs(m, item, ms);
                }
            }
            "configMap" | "secret" => files(m, root, item, ms),
            "hostPath" => m.t.drop(item, "host paths are not supported"),
            other => m.t.drop(item, format!("{other} volumes are not supported")),
        }
    }
}

/// The app's storage from a claim item; returns the claim name the app mounts.
fn storage(
    m: &mut Mapper,
    id: &str,
    item: &Node,
    ms: &[Mount],
    chart_pvcs: usize,
) -> Option<String> {
    let main = ms.iter().position(|x| x.sub_path.is_none())?;
    let mount_path = ms[main].path.clone();
    let existing = item.get("existingClaim");
    let mut value = Map::new();
    let claim_name;
    if let Some(claim) = &existing {
        claim_name = m.real_text(claim, "the claim name")?;
        value.insert("pattern".into(), json!("existing-claim"));
        value.insert("claimName".into(), json!(claim_name));
    } else {
        let Some(size) = item.get("size") else {
            m.t.drop(item, "a volume without a size");
            return None;
        };
        let Some(gib) = size.str().and_then(gib) else {
            m.t.drop(&size, "the size is not a quantity");
            return None;
        };
        claim_name = chart_pvc_name(m, id, item, chart_pvcs);
        let site = m
            .platform("/storage/longhorn/storageClassName")
            .and_then(Value::as_str);
        let class = item.get("storageClass");
        if let Some(class) = class.as_ref().filter(|c| c.str() != site) {
            // A claim's class cannot change: AppSpec's own claim (of the platform's class)
            // could not take it over, so it mounts the chart's claim as it is.
            value.insert("pattern".into(), json!("existing-claim"));
            value.insert("claimName".into(), json!(claim_name));
            m.t.note(
                class,
                format!(
                    "the chart's PVC {claim_name} is of class {}, not the platform's {}: a claim's class cannot change, so the AppSpec mounts it as an existing claim",
                    class.scalar_text().unwrap_or_default(),
                    site.unwrap_or("")
                ),
            );
            for key in ["size", "accessMode"] {
                if let Some(v) = item.get(key) {
                    m.t.take(&v);
                }
            }
        } else {
            value.insert("pattern".into(), json!("longhorn-persistent"));
            value.insert("size".into(), json!(gib));
        }
        let app = m.input.release.name.clone();
        if value["pattern"] == "existing-claim" || claim_name == format!("{app}-data") {
            // AppSpec's own name for the claim: adopted as it is.
        } else if m.shape().has(&["storage", "claimName"]) {
            value.insert("claimName".into(), json!(claim_name));
        } else {
            m.t.drop_path(
                item.path().key("size"),
                format!(
                    "the chart's PVC {claim_name} is not adopted: AppSpec makes {app}-data ({}); move the data or restore it from a backup",
                    unsupported("naming the claim (storage.claimName) is")
                ),
            );
        }
        let as_is = value["pattern"] == "existing-claim";
        chart_pvc_settings(m, item, as_is);
    }
    value.insert("mountPath".into(), json!(mount_path));
    if ms[main].read_only {
        m.t.drop(&ms[main].node, "the app's storage is mounted read-write");
    }
    // Other mounts of the same claim (subPaths) mount it again as a claim.
    let others: Vec<Mount> = ms
        .iter()
        .enumerate()
        .filter(|(i, _)| *i != main)
        .map(|(_, x)| x.clone())
        .collect();
    let pattern = value["pattern"].as_str().unwrap_or("").to_string();
    let origin = if existing.is_some() || ms[main].node.path() == item.path() {
        item.clone()
    } else {
        ms[main].node.clone()
    };
    if !m.emit(
        &["storage"],
        Value::Object(value),
        &origin,
        &format!("storage pattern {pattern} is"),
    ) {
        if origin.path() != item.path() {
            m.t.drop(item, unsupported(&format!("storage pattern {pattern} is")));
        }
        return None;
    }
    m.facts.storage_pattern = Some(pattern.clone());
    m.t.take(item);
    claim_mounts(m, item, &others, &claim_name);
    if existing.is_none() {
        let app = m.input.release.name.clone();
        let by = if pattern == "existing-claim" {
            "storage: existing-claim"
        } else if claim_name == format!("{app}-data") {
            "storage, AppSpec's own claim name"
        } else {
            "storage.claimName"
        };
        keep_chart_pvc(m, id, item, &claim_name, by);
    }
    Some(claim_name)
}

/// The settings of a PVC the chart makes: `as_is` when the claim is mounted as it is
/// (its class, size and access mode stay the chart's), else AppSpec's claim takes it over.
fn chart_pvc_settings(m: &mut Mapper, item: &Node, as_is: bool) {
    for (k, v) in item.entries() {
        match k {
            // Equal to the platform's, or the claim is mounted as it is (said then).
            "storageClass" => m.t.take(&v),
            "size" if as_is => m.t.take(&v),
            "accessMode" if as_is => m.t.take(&v),
            "accessMode" => m.default_or_drop(
                &v,
                &json!("ReadWriteOnce"),
                "the app's volume is ReadWriteOnce",
            ),
            "retain" | "suffix" | "prefix" | "forceRename" | "nameOverride" => m.t.take(&v),
            "dataSource" | "dataSourceRef" => m.t.drop(
                &v,
                "volume populators are not supported (backups restore with backup.restoreOnCreate)",
            ),
            _ => {}
        }
    }
}

/// A second PVC of the chart as `mounts[].volume` (`<app>-<id>`, the platform's class,
/// ReadWriteOnce), when that is the claim the chart made: one plain mount of it.
fn own_volume(m: &mut Mapper, id: &str, item: &Node, ms: &[Mount], name: &str) -> bool {
    let app = m.input.release.name.clone();
    let site = m
        .platform("/storage/longhorn/storageClassName")
        .and_then(Value::as_str);
    let size = item.get("size").and_then(|s| s.str().map(str::to_string));
    let fits = name == format!("{app}-{id}")
        && ms.len() == 1
        && ms[0].sub_path.is_none()
        && !ms[0].read_only
        && item.get("storageClass").is_none_or(|c| c.str() == site)
        && item
            .get("accessMode")
            .is_none_or(|a| a.str() == Some("ReadWriteOnce"))
        && m.shape().has(&["mounts", "[]", "volume"]);
    let Some(size) = size.filter(|_| fits) else {
        return false;
    };
    let value = json!({"path": ms[0].path, "volume": {"name": id, "size": size}});
    if !m.push(&["mounts"], value, item, "a volume of the app's own is") {
        return false;
    }
    if let Some(t) = item.get("type") {
        m.t.take(&t);
    }
    true
}

fn claim_mounts(m: &mut Mapper, item: &Node, ms: &[Mount], claim: &str) {
    if !ms.is_empty() && !m.shape().has(&["mounts"]) {
        let reason = unsupported("mounts of existing claims are");
        for x in ms {
            m.t.drop(&x.node, reason.clone());
        }
        return;
    }
    for x in ms {
        let mut v = json!({"path": x.path, "claim": claim});
        if let Some(s) = &x.sub_path {
            v["subPath"] = json!(s);
        }
        if x.read_only {
            v["readOnly"] = json!(true);
        }
        m.push(&["mounts"], v, &x.node, "mounts of existing claims are");
    }
    if let Some(t) = item.get("type") {
        m.t.take(&t);
    }
}

fn nfs(m: &mut Mapper, item: &Node, ms: &[Mount]) {
    let server = item
        .get("server")
        .and_then(|s| m.real_text(&s, "the NFS server"));
    let path = item
        .get("path")
        .and_then(|p| m.real_text(&p, "the NFS path"));
    let (Some(server), Some(path)) = (server, path) else {
        m.t.drop(item, "an NFS volume without a usable server and path");
        return;
    };
    let endpoints = m
        .platform("/storage/nas/endpoints")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let endpoint = endpoints
        .iter()
        .filter_map(Value::as_str)
        .find(|e| {
            e.trim_start_matches("nfs://")
                .split([':', '/'])
                .next()
                .is_some_and(|h| h.eq_ignore_ascii_case(&server))
        })
        .map(str::to_string)
        .unwrap_or_else(|| format!("nfs://{server}"));
    if !m.shape().has(&["mounts"]) {
        m.t.drop(item, unsupported("NAS mounts are"));
        return;
    }
    // What each mount lost is said on the mount.
    for x in ms {
        let subpath = match &x.sub_path {
            Some(s) => format!(
                "{}/{}",
                path.trim_end_matches('/'),
                s.trim_start_matches('/')
            ),
            None => path.clone(),
        };
        let mut v = json!({"path": x.path, "nas": {"endpoint": endpoint, "subpath": subpath}});
        if x.read_only {
            v["readOnly"] = json!(true);
        }
        m.push(&["mounts"], v, &x.node, "NAS mounts are");
    }
    for k in ["server", "path", "type"] {
        if let Some(n) = item.get(k) {
            m.t.take(&n);
        }
    }
}

fn empty_dirs(m: &mut Mapper, item: &Node, ms: &[Mount]) {
    if !m.shape().has(&["mounts"]) {
        m.t.drop(item, unsupported("emptyDir mounts are"));
        return;
    }
    let mut empty = Map::new();
    if let Some(s) = item.get("sizeLimit").and_then(|s| m.text(&s)) {
        empty.insert("sizeLimit".into(), json!(s));
    }
    if let Some(medium) = item.get("medium") {
        match medium.str() {
            Some("Memory") => {
                empty.insert("memory".into(), json!(true));
            }
            Some("") | None => {}
            Some(other) => {
                m.t.drop(&medium, format!("the {other} medium is not supported"))
            }
        }
    }
    for x in ms {
        // Each subPath of one emptyDir becomes its own emptyDir: the same empty directory.
        let mut v = json!({"path": x.path, "emptyDir": Value::Object(empty.clone())});
        if x.read_only {
            v["readOnly"] = json!(true);
        }
        m.push(&["mounts"], v, &x.node, "emptyDir mounts are");
    }
    for k in ["type", "sizeLimit", "medium"] {
        if let Some(n) = item.get(k) {
            m.t.take(&n);
        }
    }
}

/// ConfigMap and Secret volumes onto read-only `files`: one per key.
fn files(m: &mut Mapper, root: &Node, item: &Node, ms: &[Mount]) {
    let is_secret = kind_of(item) == "secret";
    let source = if is_secret { "secret" } else { "configMap" };
    let name = item.get("name").and_then(|n| m.real_text(&n, "the name"));
    let identifier = item
        .get("identifier")
        .and_then(|i| i.str().map(str::to_string));
    // A ConfigMap of the chart: its data is inline content.
    let chart_data = identifier.as_ref().and_then(|id| {
        if is_secret {
            None
        } else {
            root.get("configMaps")
                .and_then(|c| c.get(id))
                .and_then(|c| c.get("data"))
        }
    });
    if name.is_none() && chart_data.is_none() {
        let reason = if is_secret && identifier.is_some() {
            "a Secret made by the chart: AppSpec never puts Secret values in Git"
        } else {
            "a ConfigMap or Secret volume without a name"
        };
        m.t.drop(item, reason);
        return;
    }
    let items: Vec<(String, String, Node)> = item
        .get("items")
        .map(|i| i.items())
        .unwrap_or_default()
        .into_iter()
        .filter_map(|i| {
            Some((
                i.get("key")?.str()?.to_string(),
                i.get("path")?.str()?.to_string(),
                i,
            ))
        })
        .collect();
    // File modes (0644, Kubernetes' default, is AppSpec's too): the volume's, or an item's.
    let modes = m.shape().has(&["files", "*", "mode"]);
    let default_mode = item
        .get("defaultMode")
        .and_then(|d| d.int())
        .filter(|d| *d != 420 && modes);
    let item_mode = |key: &str| -> Option<i64> {
        items
            .iter()
            .find(|(k, _, _)| k == key)
            .and_then(|(_, _, n)| n.get("mode"))
            .and_then(|n| n.int())
            .filter(|_| modes)
    };
    let file_value = |key: &str| -> Option<Value> {
        let mut v = match (&name, &chart_data) {
            (Some(n), _) => json!({source: n, "key": key}),
            (None, Some(data)) => json!({"content": data.get(key)?.scalar_text()?}),
            (None, None) => return None,
        };
        if let Some(mode) = item_mode(key).or(default_mode) {
            v["mode"] = json!(mode);
        }
        Some(v)
    };
    let mut carried = 0;
    for x in ms {
        let mut wanted: Vec<(String, String)> = Vec::new();
        if let Some(sub) = &x.sub_path {
            wanted.push((x.path.clone(), sub.clone()));
        } else if !items.is_empty() {
            for (key, path, _) in &items {
                wanted.push((
                    format!("{}/{}", x.path.trim_end_matches('/'), path),
                    key.clone(),
                ));
            }
        } else if let Some(data) = &chart_data {
            for (key, _) in data.entries() {
                wanted.push((
                    format!("{}/{}", x.path.trim_end_matches('/'), key),
                    key.to_string(),
                ));
            }
        } else if let Some(n) = name
            .as_ref()
            .filter(|_| m.shape().has(&["mounts", "[]", source]))
        {
            // The whole ConfigMap or Secret as a directory, read-only as Kubernetes mounts it.
            let mut v = json!({"path": x.path, source: n});
            if let Some(mode) = item
                .get("defaultMode")
                .and_then(|d| d.int())
                .filter(|d| *d != 420)
            {
                v["mode"] = json!(mode);
            }
            if m.push(
                &["mounts"],
                v,
                &x.node,
                &format!("a whole {source} mounted as a directory is"),
            ) {
                if x.read_only
                    && let Some(r) = x.node.get("readOnly")
                {
                    m.t.take(&r);
                }
                carried += 1;
            }
            continue;
        } else {
            m.t.drop(
                &x.node,
                format!("a whole {source} mounted as a directory: AppSpec mounts files by key (list them with items or subPath)"),
            );
            continue;
        }
        let mut all = true;
        for (path, key) in wanted {
            let Some(v) = file_value(&key) else {
                m.t.drop(&x.node, format!("the chart's ConfigMap has no key {key:?}"));
                all = false;
                continue;
            };
            let what = if chart_data.is_some() {
                "files with inline content are"
            } else {
                "files from ConfigMaps and Secrets are"
            };
            // Several keys under one mount: the mount node carries them all.
            let ok = m.emit(&["files", &path], v, &x.node, what);
            if let Some(n) = &chart_data
                && let Some(k) = n.get(&key)
            {
                if ok {
                    m.t.take(&k);
                } else {
                    m.t.drop(
                        &k,
                        format!("the content of {path}, which is not carried over"),
                    );
                }
            }
            all &= ok;
        }
        if all {
            carried += 1;
        }
    }
    if carried == 0 {
        for k in ["type", "name", "identifier", "items", "defaultMode"] {
            if let Some(n) = item.get(k) {
                m.t.take(&n);
            }
        }
        return;
    }
    for (k, v) in item.entries() {
        match k {
            "type" | "name" | "identifier" | "items" => m.t.take(&v),
            "defaultMode" if modes || m.shape().has(&["mounts", "[]", "mode"]) => m.t.take(&v),
            "defaultMode" => m.default_or_drop(
                &v,
                &json!(420),
                "file modes are not supported: files are read-only with mode 0644",
            ),
            _ => {}
        }
    }
    if let Some(id) = identifier
        && let Some(cm) = root.get("configMaps").and_then(|c| c.get(&id))
    {
        for (k, v) in cm.entries() {
            if k == "enabled" {
                m.t.take(&v);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::gib;

    #[test]
    fn sizes_in_gib_rounded_up() {
        let table = [
            ("10Gi", Some(10)),
            ("1Ti", Some(1024)),
            ("500Mi", Some(1)),
            ("5G", Some(5)),
            ("1.5Gi", Some(2)),
            ("100Ki", Some(1)),
            ("10737418240", Some(10)),
            ("Gi", None),
            ("ten", None),
        ];
        for (q, want) in table {
            assert_eq!(gib(q), want, "{q}");
        }
    }
}

//! The pod's volumes and mounts as one reusable list (storage, `mounts`, the writable
//! `/tmp`, `files`), the NAS PVs and PVCs of `mounts`, and the ConfigMap `<name>-files`.

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::{
    ConfigMap, ConfigMapVolumeSource, EmptyDirVolumeSource, KeyToPath, PersistentVolume,
    PersistentVolumeClaim, PersistentVolumeClaimSpec, PersistentVolumeClaimVolumeSource,
    SecretVolumeSource, Volume, VolumeMount, VolumeResourceRequirements,
};
use k8s_openapi::apimachinery::pkg::api::resource::Quantity;

use super::{meta, storage};
use crate::model::names;
use crate::model::platform::Platform;
use crate::model::spec::{Mount, SecurityProfile};
use crate::validate::App;
use crate::validate::volumes::{check_key, own_tmp, slug};

/// Name of the writable `/tmp` volume of the restricted profile.
pub const TMP_VOLUME: &str = "tmp";
/// Name of the volume of the ConfigMap `<name>-files`.
pub const FILES_VOLUME: &str = "files";
/// Pod template annotation carrying a hash of the inline files: a change rolls the pods.
pub use crate::validate::pod::FILES_HASH;
/// Nominal capacity of a NAS mount's PV and PVC (NFS does not enforce it).
pub const NAS_CAPACITY: &str = "1Gi";

/// The app container's volumes and their mounts, in a fixed order; sidecars and init
/// containers share them by mount path.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct PodVolumes {
    pub volumes: Vec<Volume>,
    pub mounts: Vec<VolumeMount>,
}

impl PodVolumes {
    /// The mounts another container of the pod shares: those at the given paths (a volume
    /// mounted there, or a file), or all of them.
    pub fn mounts_for(&self, paths: Option<&[String]>) -> Vec<VolumeMount> {
        self.mounts
            .iter()
            .filter(|m| {
                paths.is_none_or(|p| {
                    p.iter()
                        .any(|x| crate::model::spec::dir_path(x) == m.mount_path)
                })
            })
            .cloned()
            .collect()
    }

    fn add(&mut self, volume: Volume, mount: VolumeMount) {
        self.volumes.push(volume);
        self.mounts.push(mount);
    }
}

fn volume(name: impl Into<String>) -> Volume {
    Volume {
        name: name.into(),
        ..Volume::default()
    }
}

fn mount(name: &str, path: &str) -> VolumeMount {
    VolumeMount {
        name: name.to_string(),
        mount_path: path.to_string(),
        ..VolumeMount::default()
    }
}

/// Name of the ConfigMap holding the inline files.
pub fn files_config_map_name(app: &App) -> String {
    format!("{}-files", app.spec.name)
}

/// Name of the PVC of a NAS mount: `<name>-nas-<path slug>`.
pub fn nas_claim_name(app: &App, m: &Mount) -> String {
    format!("{}-nas-{}", app.spec.name, slug(&m.path))
}

/// Name of the PV of a NAS mount. PVs are cluster-scoped: the name carries the namespace,
/// the app and the path, and a hash of the three so that no two apps can collide, whatever
/// dashes their names contain.
pub fn nas_volume_name(app: &App, m: &Mount) -> String {
    let id = format!("{}/{}/{}", app.spec.namespace, app.spec.name, m.path);
    format!(
        "{}-{}-nas-{}-{:08x}",
        app.spec.namespace,
        app.spec.name,
        slug(&m.path),
        fnv1a(id.as_bytes()) as u32
    )
}

/// FNV-1a, 64 bits: a stable, dependency-free fingerprint (not a security hash).
pub fn fnv1a(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in bytes {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

/// The ConfigMap key of each inline file: its file name when that is a valid key used by no
/// other inline file and not of the form `file-<digits>`, else `file-<n>` (`n` its place
/// among the inline files). The two sets cannot meet, so no file's content can replace
/// another's.
pub fn content_keys(app: &App) -> BTreeMap<String, String> {
    let inline: Vec<&String> = app
        .spec
        .body
        .files
        .iter()
        .filter(|(_, f)| f.content.is_some())
        .map(|(p, _)| p)
        .collect();
    let base = |p: &str| p.rsplit('/').next().unwrap_or_default().to_string();
    inline
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let name = base(p);
            let unique = inline.iter().filter(|o| base(o) == name).count() == 1;
            let generated_form = name
                .strip_prefix("file-")
                .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()));
            let key = if unique && !generated_form && check_key(&name).is_ok() {
                name
            } else {
                format!("file-{i}")
            };
            ((*p).clone(), key)
        })
        .collect()
}

/// The storage volume, the `mounts`, the restricted `/tmp` and the `files`, in that order.
pub fn pod(app: &App) -> PodVolumes {
    let s = &app.spec.body;
    let mut out = PodVolumes::default();
    if let Some((v, m)) = storage::pod_volume(app) {
        out.add(v, m);
    }
    for (i, m) in s.mounts.iter().enumerate() {
        let name = format!("mount-{i}");
        let mut v = volume(&name);
        let mut vm = mount(&name, m.dir());
        vm.read_only = m.read_only.then_some(true);
        if m.nas.is_some() {
            v.persistent_volume_claim = Some(PersistentVolumeClaimVolumeSource {
                claim_name: nas_claim_name(app, m),
                read_only: m.read_only.then_some(true),
            });
        } else if let Some(claim) = &m.claim {
            v.persistent_volume_claim = Some(PersistentVolumeClaimVolumeSource {
                claim_name: claim.clone(),
                read_only: m.read_only.then_some(true),
            });
            vm.sub_path = m.sub_path.clone();
        } else if let Some(e) = &m.empty_dir {
            v.empty_dir = Some(EmptyDirVolumeSource {
                medium: e.memory.then(|| "Memory".to_string()),
                size_limit: e.size_limit.clone().map(Quantity),
            });
        } else if let Some(secret) = &m.secret {
            v.secret = Some(SecretVolumeSource {
                secret_name: Some(secret.clone()),
                default_mode: m.mode.map(|x| x as i32),
                ..SecretVolumeSource::default()
            });
            vm.read_only = Some(true);
        } else if let Some(cm) = &m.config_map {
            v.config_map = Some(ConfigMapVolumeSource {
                name: cm.clone(),
                default_mode: m.mode.map(|x| x as i32),
                ..ConfigMapVolumeSource::default()
            });
            vm.read_only = Some(true);
        } else if let Some(pvc) = &m.volume {
            v.persistent_volume_claim = Some(PersistentVolumeClaimVolumeSource {
                claim_name: names::volume_claim(&app.spec.name, &pvc.name),
                read_only: m.read_only.then_some(true),
            });
        }
        out.add(v, vm);
    }
    // The restricted profile's writable /tmp, unless the app mounts its own emptyDir there.
    if s.security == SecurityProfile::Restricted && !own_tmp(&app.spec) {
        // A read-only root filesystem still needs somewhere to write temporary files.
        let mut v = volume(TMP_VOLUME);
        v.empty_dir = Some(EmptyDirVolumeSource::default());
        out.add(v, mount(TMP_VOLUME, "/tmp"));
    }
    // One volume per source object; each file is a read-only subPath mount of its key.
    let keys = content_keys(app);
    let mut sources: Vec<(bool, &String)> = Vec::new();
    for f in s.files.values() {
        for (secret, name) in [(false, &f.config_map), (true, &f.secret)] {
            if let Some(name) = name
                && !sources.contains(&(secret, name))
            {
                sources.push((secret, name));
            }
        }
    }
    // Each file's volume and key, in path order.
    let placed: Vec<Placed> = s
        .files
        .iter()
        .map(|(p, f)| {
            let (name, key) = match (&f.config_map, &f.secret, &f.key) {
                (Some(cm), _, Some(key)) => (source_volume(&sources, false, cm), key.clone()),
                (_, Some(secret), Some(key)) => {
                    (source_volume(&sources, true, secret), key.clone())
                }
                _ => (FILES_VOLUME.to_string(), keys[p].clone()),
            };
            (p, name, key, f.mode.map(|m| m as i32))
        })
        .collect();
    let items = |volume: &str| mode_items(placed.iter().filter(|f| f.1 == volume));
    if !keys.is_empty() {
        let mut v = volume(FILES_VOLUME);
        v.config_map = Some(ConfigMapVolumeSource {
            name: files_config_map_name(app),
            items: items(FILES_VOLUME).map(|(i, _)| i),
            ..ConfigMapVolumeSource::default()
        });
        out.volumes.push(v);
    }
    for (j, (secret, name)) in sources.iter().enumerate() {
        let volume_name = format!("file-{j}");
        let items = items(&volume_name).map(|(i, _)| i);
        let mut v = volume(&volume_name);
        if *secret {
            v.secret = Some(SecretVolumeSource {
                secret_name: Some((*name).clone()),
                items,
                ..SecretVolumeSource::default()
            });
        } else {
            v.config_map = Some(ConfigMapVolumeSource {
                name: (*name).clone(),
                items,
                ..ConfigMapVolumeSource::default()
            });
        }
        out.volumes.push(v);
    }
    for (p, name, key, mode) in &placed {
        // With modes, the volume projects items; the file is the item of its key and mode.
        let sub_path = items(name)
            .and_then(|(_, paths)| paths.get(&(key.clone(), *mode)).cloned())
            .unwrap_or_else(|| key.clone());
        let mut vm = mount(name, p);
        vm.sub_path = Some(sub_path);
        vm.read_only = Some(true);
        out.mounts.push(vm);
    }
    out
}

/// Where a file comes from: (its path, the volume, the key, the mode).
type Placed<'a> = (&'a String, String, String, Option<i32>);
/// The item path of each (key, mode) a volume projects.
type ItemPaths = BTreeMap<(String, Option<i32>), String>;

/// The `items` of a files volume when one of its files has a `mode` (else `None`: the
/// volume projects every key with the default mode 0644, as before modes existed). One item
/// per key and mode, at the key's name, or under `mode-<octal>/` when the same key is
/// mounted with two modes; and the item path of each (key, mode).
fn mode_items<'a>(
    files: impl Iterator<Item = &'a Placed<'a>>,
) -> Option<(Vec<KeyToPath>, ItemPaths)> {
    let files: Vec<_> = files.collect();
    if files.iter().all(|f| f.3.is_none()) {
        return None;
    }
    let mut paths = ItemPaths::new();
    let mut items = Vec::new();
    for (_, _, key, mode) in files {
        if paths.contains_key(&(key.clone(), *mode)) {
            continue;
        }
        let modes = paths.keys().filter(|(k, _)| k == key).count();
        let path = match (modes, mode) {
            (0, _) => key.clone(),
            (_, Some(m)) => format!("mode-{m:o}/{key}"),
            (_, None) => format!("mode-default/{key}"),
        };
        items.push(KeyToPath {
            key: key.clone(),
            path: path.clone(),
            mode: *mode,
        });
        paths.insert((key.clone(), *mode), path);
    }
    Some((items, paths))
}

fn source_volume(sources: &[(bool, &String)], secret: bool, name: &String) -> String {
    let j = sources
        .iter()
        .position(|s| *s == (secret, name))
        .unwrap_or_default();
    format!("file-{j}")
}

/// The ConfigMap `<name>-files` with the inline files, if any.
pub fn files_config_map(app: &App) -> Option<ConfigMap> {
    let keys = content_keys(app);
    if keys.is_empty() {
        return None;
    }
    let data: BTreeMap<String, String> = app
        .spec
        .body
        .files
        .iter()
        .filter_map(|(p, f)| Some((keys.get(p)?.clone(), f.content.clone()?)))
        .collect();
    Some(ConfigMap {
        metadata: meta(app, files_config_map_name(app)),
        data: Some(data),
        ..ConfigMap::default()
    })
}

/// A fingerprint of the inline files, for the pod template annotation.
pub fn files_hash(app: &App) -> Option<String> {
    let cm = files_config_map(app)?;
    let mut bytes = Vec::new();
    for (k, v) in cm.data.iter().flatten() {
        for part in [k.as_bytes(), b"\0", v.as_bytes(), b"\0"] {
            bytes.extend_from_slice(part);
        }
    }
    Some(format!("{:016x}", fnv1a(&bytes)))
}

/// The PVC of each `volume` mount: `<name>-<volume name>`, the platform's Longhorn class,
/// ReadWriteOnce, kept from pruning like the app's main claim; never backed up (no
/// snapshot source names it) and never filled from a backup.
pub fn volume_claims(app: &App, platform: &Platform) -> Vec<PersistentVolumeClaim> {
    app.spec
        .body
        .mounts
        .iter()
        .filter_map(|m| m.volume.as_ref())
        .map(|v| {
            let mut metadata = meta(app, names::volume_claim(&app.spec.name, &v.name));
            metadata.annotations = Some(storage::prune_protection());
            PersistentVolumeClaim {
                metadata,
                spec: Some(PersistentVolumeClaimSpec {
                    access_modes: Some(vec![storage::RWO.to_string()]),
                    storage_class_name: Some(platform.storage.longhorn.storage_class_name.clone()),
                    resources: Some(VolumeResourceRequirements {
                        requests: Some(BTreeMap::from([(
                            "storage".to_string(),
                            Quantity(v.size.clone()),
                        )])),
                        limits: None,
                    }),
                    ..PersistentVolumeClaimSpec::default()
                }),
                status: None,
            }
        })
        .collect()
}

/// The PV and PVC of each NAS mount, both kept from pruning; the PV keeps the data when
/// the claim goes (`Retain`).
pub fn nas_mounts(app: &App) -> Vec<(PersistentVolume, PersistentVolumeClaim)> {
    let capacity = || BTreeMap::from([("storage".to_string(), Quantity(NAS_CAPACITY.into()))]);
    let mut out = Vec::new();
    for (m, endpoint) in app.spec.body.mounts.iter().zip(&app.mount_nfs) {
        let (Some(nas), Some(endpoint)) = (&m.nas, endpoint) else {
            continue;
        };
        out.push(storage::nas_pair(
            meta(app, nas_claim_name(app, m)),
            nas_volume_name(app, m),
            capacity(),
            endpoint,
            &nas.subpath,
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::expand::test_support;
    use serde_json::json;

    #[test]
    fn table() {
        // (name, extra spec, volumes as JSON, container mounts as JSON)
        let cases: Vec<(&str, &str, serde_json::Value, serde_json::Value)> = vec![
            (
                "storage only",
                "",
                json!([{"name": "data", "emptyDir": {}}]),
                json!([{"name": "data", "mountPath": "/data"}]),
            ),
            (
                "media app",
                ", storage: {pattern: existing-claim, claimName: sonarr, mountPath: /config}, mounts: [{path: /media, readOnly: true, nas: {endpoint: \"nfs://nas.internal:2049\", subpath: /mnt/tank/media}}, {path: /backups, claim: backups, subPath: sonarr}, {path: /transcode, emptyDir: {sizeLimit: 5Gi, memory: true}}], files: {/config/config.xml: {content: \"<c/>\"}, /certs/tls.crt: {secret: idm-tls, key: tls.crt}, /certs/tls.key: {secret: idm-tls, key: tls.key}, /etc/app/a.yaml: {configMap: shared, key: a.yaml}}",
                json!([
                    {"name": "data", "persistentVolumeClaim": {"claimName": "sonarr"}},
                    {"name": "mount-0", "persistentVolumeClaim": {"claimName": "web-nas-media", "readOnly": true}},
                    {"name": "mount-1", "persistentVolumeClaim": {"claimName": "backups"}},
                    {"name": "mount-2", "emptyDir": {"medium": "Memory", "sizeLimit": "5Gi"}},
                    {"name": "files", "configMap": {"name": "web-files"}},
                    {"name": "file-0", "secret": {"secretName": "idm-tls"}},
                    {"name": "file-1", "configMap": {"name": "shared"}},
                ]),
                json!([
                    {"name": "data", "mountPath": "/config"},
                    {"name": "mount-0", "mountPath": "/media", "readOnly": true},
                    {"name": "mount-1", "mountPath": "/backups", "subPath": "sonarr"},
                    {"name": "mount-2", "mountPath": "/transcode"},
                    {"name": "file-0", "mountPath": "/certs/tls.crt", "subPath": "tls.crt", "readOnly": true},
                    {"name": "file-0", "mountPath": "/certs/tls.key", "subPath": "tls.key", "readOnly": true},
                    {"name": "files", "mountPath": "/config/config.xml", "subPath": "config.xml", "readOnly": true},
                    {"name": "file-1", "mountPath": "/etc/app/a.yaml", "subPath": "a.yaml", "readOnly": true},
                ]),
            ),
            (
                "file modes: items only on volumes with a mode; one key at two modes",
                ", files: {/scripts/run.sh: {content: \"#!/bin/sh\", mode: 0o755}, /etc/a.conf: {content: a}, /bin/x: {configMap: tools, key: x, mode: 0o700}, /bin/y: {configMap: tools, key: x}, /etc/b: {secret: s, key: b}}",
                json!([
                    {"name": "data", "emptyDir": {}},
                    {"name": "files", "configMap": {"name": "web-files", "items": [
                        {"key": "a.conf", "path": "a.conf"},
                        {"key": "run.sh", "path": "run.sh", "mode": 493},
                    ]}},
                    {"name": "file-0", "configMap": {"name": "tools", "items": [
                        {"key": "x", "path": "x", "mode": 448},
                        {"key": "x", "path": "mode-default/x"},
                    ]}},
                    {"name": "file-1", "secret": {"secretName": "s"}},
                ]),
                json!([
                    {"name": "data", "mountPath": "/data"},
                    {"name": "file-0", "mountPath": "/bin/x", "subPath": "x", "readOnly": true},
                    {"name": "file-0", "mountPath": "/bin/y", "subPath": "mode-default/x", "readOnly": true},
                    {"name": "files", "mountPath": "/etc/a.conf", "subPath": "a.conf", "readOnly": true},
                    {"name": "file-1", "mountPath": "/etc/b", "subPath": "b", "readOnly": true},
                    {"name": "files", "mountPath": "/scripts/run.sh", "subPath": "run.sh", "readOnly": true},
                ]),
            ),
            (
                "restricted tmp before files, s3 has no storage volume",
                ", security: restricted, storage: {pattern: s3-external, s3: {bucket: web-data, region: us-east-1}}, files: {/a/x.conf: {content: a}, /b/x.conf: {content: b}}",
                json!([
                    {"name": "tmp", "emptyDir": {}},
                    {"name": "files", "configMap": {"name": "web-files"}},
                ]),
                json!([
                    {"name": "tmp", "mountPath": "/tmp"},
                    {"name": "files", "mountPath": "/a/x.conf", "subPath": "file-0", "readOnly": true},
                    {"name": "files", "mountPath": "/b/x.conf", "subPath": "file-1", "readOnly": true},
                ]),
            ),
        ];
        for (name, extra, volumes, mounts) in cases {
            let (app, _) = test_support::app(&format!(
                "metadata: {{name: web, namespace: team}}\nspec: {{image: \"nginx:1\"{extra}}}"
            ));
            let p = pod(&app);
            assert_eq!(serde_json::to_value(&p.volumes).unwrap(), volumes, "{name}");
            assert_eq!(serde_json::to_value(&p.mounts).unwrap(), mounts, "{name}");
        }
    }

    #[test]
    fn whole_secrets_config_maps_volumes_and_an_own_tmp() {
        let (app, site) = test_support::app(
            "metadata: {name: web, namespace: team}\nspec: {image: \"nginx:1\", security: restricted, mounts: [{path: /config/secrets/, secret: web-secret}, {path: /scripts, configMap: web-scripts, mode: 0o755}, {path: /tmp, emptyDir: {memory: true}}, {path: /cache, volume: {name: cache, size: 20Gi}, readOnly: false}]}",
        );
        let p = pod(&app);
        assert_eq!(
            serde_json::to_value(&p.volumes).unwrap(),
            json!([
                {"name": "data", "emptyDir": {}},
                {"name": "mount-0", "secret": {"secretName": "web-secret"}},
                {"name": "mount-1", "configMap": {"name": "web-scripts", "defaultMode": 493}},
                {"name": "mount-2", "emptyDir": {"medium": "Memory"}},
                {"name": "mount-3", "persistentVolumeClaim": {"claimName": "web-cache"}},
            ])
        );
        assert_eq!(
            serde_json::to_value(&p.mounts).unwrap(),
            json!([
                {"name": "data", "mountPath": "/data"},
                {"name": "mount-0", "mountPath": "/config/secrets", "readOnly": true},
                {"name": "mount-1", "mountPath": "/scripts", "readOnly": true},
                {"name": "mount-2", "mountPath": "/tmp"},
                {"name": "mount-3", "mountPath": "/cache"},
            ])
        );
        let claims = volume_claims(&app, &site.config);
        assert_eq!(claims.len(), 1);
        let pvc = serde_json::to_value(&claims[0]).unwrap();
        assert_eq!(pvc["metadata"]["name"], "web-cache");
        assert_eq!(
            pvc["metadata"]["annotations"],
            json!({storage::ARGOCD_SYNC_OPTIONS: "Prune=false", storage::FLUX_PRUNE: "disabled"})
        );
        assert_eq!(
            pvc["spec"],
            json!({"accessModes": ["ReadWriteOnce"], "storageClassName": site.config.storage.longhorn.storage_class_name, "resources": {"requests": {"storage": "20Gi"}}})
        );
        // A 63-character app name: the claim is shortened with a hash, within a label.
        let long = "a".repeat(63);
        let (app, site) = test_support::app(&format!(
            "metadata: {{name: {long}, namespace: team}}\nspec: {{image: \"nginx:1\", mounts: [{{path: /cache, volume: {{name: cache, size: 1Gi}}}}]}}"
        ));
        let name = volume_claims(&app, &site.config)[0]
            .metadata
            .name
            .clone()
            .unwrap();
        assert_eq!(name.len(), 63);
        assert!(name.ends_with("-cache"), "{name}");
    }

    #[test]
    fn other_containers_share_mounts_by_path() {
        let (app, _) = test_support::app(
            "metadata: {name: web}\nspec: {image: \"nginx:1\", mounts: [{path: /cache, emptyDir: {}}], files: {/etc/a.conf: {content: a}}}",
        );
        let p = pod(&app);
        let paths = |ms: Vec<VolumeMount>| ms.into_iter().map(|m| m.mount_path).collect::<Vec<_>>();
        assert_eq!(
            paths(p.mounts_for(None)),
            ["/data", "/cache", "/etc/a.conf"]
        );
        assert_eq!(
            paths(p.mounts_for(Some(&["/cache".to_string(), "/etc/a.conf".to_string()]))),
            ["/cache", "/etc/a.conf"]
        );
    }

    #[test]
    fn nas_mounts_and_files() {
        let (app, _) = test_support::app(
            "metadata: {name: web, namespace: team}\nspec: {image: \"nginx:1\", mounts: [{path: /media, nas: {endpoint: \"nfs://nas.internal:2049\", subpath: /mnt/tank/media}}, {path: /x, emptyDir: {}}], files: {/etc/m.conf: {content: \"listener 1883\\n\"}}}",
        );
        let objects = nas_mounts(&app);
        assert_eq!(objects.len(), 1);
        let (pv, pvc) = &objects[0];
        let (pv, pvc) = (
            serde_json::to_value(pv).unwrap(),
            serde_json::to_value(pvc).unwrap(),
        );
        let pv_name = pv["metadata"]["name"].as_str().unwrap();
        assert!(pv_name.starts_with("team-web-nas-media-"), "{pv_name}");
        assert_eq!(pv_name.len(), "team-web-nas-media-".len() + 8);
        assert_eq!(pv["spec"]["persistentVolumeReclaimPolicy"], "Retain");
        assert_eq!(
            pv["spec"]["nfs"],
            json!({"server": "nas.internal", "path": "/mnt/tank/media"})
        );
        for o in [&pv, &pvc] {
            assert_eq!(
                o["metadata"]["annotations"][storage::ARGOCD_SYNC_OPTIONS],
                "Prune=false"
            );
            assert_eq!(
                o["metadata"]["annotations"][storage::FLUX_PRUNE],
                "disabled"
            );
        }
        assert_eq!(pvc["metadata"]["name"], "web-nas-media");
        assert_eq!(pvc["spec"]["volumeName"], pv_name);
        let cm = serde_json::to_value(files_config_map(&app).unwrap()).unwrap();
        assert_eq!(cm["data"], json!({"m.conf": "listener 1883\n"}));
        let hash = files_hash(&app).unwrap();
        assert_eq!(hash.len(), 16);
        // Another content, another hash; the PV name of another app differs.
        let (other, _) = test_support::app(
            "metadata: {name: web-team, namespace: x}\nspec: {image: \"nginx:1\", mounts: [{path: /media, nas: {endpoint: \"nfs://nas.internal:2049\", subpath: /mnt/tank/media}}], files: {/etc/m.conf: {content: \"listener 1884\\n\"}}}",
        );
        assert_ne!(files_hash(&other).unwrap(), hash);
        assert_ne!(nas_volume_name(&other, &other.spec.body.mounts[0]), pv_name);
    }

    #[test]
    fn file_keys_are_unique_and_valid_configmap_keys() {
        let cases: &[(&str, &[(&str, &str)])] = &[
            // A file name that is a valid key of its own is kept (outputs stay as they were).
            (
                "/etc/app.conf: {content: a}",
                &[("/etc/app.conf", "app.conf")],
            ),
            // Two files of one name: generated keys; a file named like a generated key
            // never takes one for itself.
            (
                "/a/x.conf: {content: a}, /b/x.conf: {content: b}, /c/file-0: {content: c}",
                &[
                    ("/a/x.conf", "file-0"),
                    ("/b/x.conf", "file-1"),
                    ("/c/file-0", "file-2"),
                ],
            ),
            ("/c/file-7: {content: c}", &[("/c/file-7", "file-0")]),
            ("/c/file-x: {content: c}", &[("/c/file-x", "file-x")]),
            // Names the API server refuses as keys.
            (
                "/q/..data: {content: a}, /r/...: {content: b}, /t/.hidden: {content: d}",
                &[
                    ("/q/..data", "file-0"),
                    ("/r/...", "file-1"),
                    ("/t/.hidden", ".hidden"),
                ],
            ),
        ];
        for (files, want) in cases {
            let (app, _) = test_support::app(&format!(
                "metadata: {{name: web, namespace: team}}\nspec: {{image: \"nginx:1\", files: {{{files}}}}}"
            ));
            let keys = content_keys(&app);
            let want: BTreeMap<String, String> = want
                .iter()
                .map(|(p, k)| (p.to_string(), k.to_string()))
                .collect();
            assert_eq!(keys, want, "{files}");
            let mut seen = std::collections::BTreeSet::new();
            for key in keys.values() {
                assert!(check_key(key).is_ok(), "{files}: {key}");
                assert!(seen.insert(key), "{files}: {key} twice");
            }
        }
    }
}

//! Volumes of an app: the pod volume, and the PVC (and NFS PV) of persistent patterns.

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::{
    EmptyDirVolumeSource, NFSVolumeSource, PersistentVolume, PersistentVolumeClaim,
    PersistentVolumeClaimSpec, PersistentVolumeClaimVolumeSource, PersistentVolumeSpec, Volume,
    VolumeMount, VolumeResourceRequirements,
};
use k8s_openapi::apimachinery::pkg::api::resource::Quantity;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

use super::meta;
use crate::model::platform::Platform;
use crate::model::spec::StoragePattern;
use crate::validate::App;

/// Name of the volume in the pod.
pub const VOLUME: &str = "data";
/// Access mode of a Longhorn claim.
pub const RWO: &str = "ReadWriteOnce";
pub const ARGOCD_SYNC_OPTIONS: &str = "argocd.argoproj.io/sync-options";
pub const FLUX_PRUNE: &str = "kustomize.toolkit.fluxcd.io/prune";

/// Annotations that stop Argo CD and Flux from pruning (deleting) the object.
pub fn prune_protection() -> BTreeMap<String, String> {
    BTreeMap::from([
        (ARGOCD_SYNC_OPTIONS.to_string(), "Prune=false".to_string()),
        (FLUX_PRUNE.to_string(), "disabled".to_string()),
    ])
}

/// Name of the app's PVC: `claimName`, or `<name>-data`.
pub fn claim_name(app: &App) -> String {
    match &app.spec.body.storage.claim_name {
        Some(claim) => claim.clone(),
        None => format!("{}-data", app.spec.name),
    }
}

/// Name of a NAS PV: cluster-scoped, so it carries the namespace.
pub fn nfs_volume_name(app: &App) -> String {
    format!("{}-{}-nfs", app.spec.namespace, app.spec.name)
}

/// The pod volume and its mount, if the pattern has one.
pub fn pod_volume(app: &App) -> Option<(Volume, VolumeMount)> {
    let st = &app.spec.body.storage;
    let mut volume = Volume {
        name: VOLUME.to_string(),
        ..Volume::default()
    };
    match st.pattern {
        StoragePattern::S3External => return None,
        StoragePattern::Ephemeral => volume.empty_dir = Some(EmptyDirVolumeSource::default()),
        StoragePattern::LonghornPersistent
        | StoragePattern::NasMount
        | StoragePattern::ExistingClaim => {
            volume.persistent_volume_claim = Some(PersistentVolumeClaimVolumeSource {
                claim_name: claim_name(app),
                read_only: None,
            })
        }
    }
    let mount = VolumeMount {
        name: VOLUME.to_string(),
        mount_path: st.mount_path().to_string(),
        ..VolumeMount::default()
    };
    Some((volume, mount))
}

/// The claim's size as a quantity, e.g. `20Gi`.
pub fn capacity(app: &App) -> String {
    format!("{}Gi", app.spec.body.storage.size.unwrap_or(1))
}

fn size(app: &App) -> BTreeMap<String, Quantity> {
    BTreeMap::from([("storage".to_string(), Quantity(capacity(app)))])
}

/// The NAS PV (nas-mount only) and the PVC (persistent patterns).
pub fn volumes(
    app: &App,
    platform: &Platform,
) -> (Option<PersistentVolume>, Option<PersistentVolumeClaim>) {
    let st = &app.spec.body.storage;
    let protected = |mut m: ObjectMeta| {
        m.annotations = Some(prune_protection());
        m
    };
    match st.pattern {
        StoragePattern::Ephemeral | StoragePattern::S3External | StoragePattern::ExistingClaim => {
            (None, None)
        }
        StoragePattern::LonghornPersistent => {
            let pvc = PersistentVolumeClaim {
                metadata: protected(meta(app, claim_name(app))),
                spec: Some(PersistentVolumeClaimSpec {
                    access_modes: Some(vec![RWO.to_string()]),
                    storage_class_name: Some(platform.storage.longhorn.storage_class_name.clone()),
                    resources: Some(VolumeResourceRequirements {
                        requests: Some(size(app)),
                        limits: None,
                    }),
                    // With restoreOnCreate: a new claim is filled from the last backup.
                    data_source_ref: super::backup::populator(app, platform),
                    ..PersistentVolumeClaimSpec::default()
                }),
                status: None,
            };
            (None, Some(pvc))
        }
        StoragePattern::NasMount => {
            let (Some(nas), Some(endpoint)) = (&st.nas, &app.nfs) else {
                return (None, None);
            };
            let (pv, pvc) = nas_pair(
                meta(app, claim_name(app)),
                nfs_volume_name(app),
                size(app),
                endpoint,
                &nas.subpath,
            );
            (Some(pv), Some(pvc))
        }
    }
}

/// A prune-protected NFS PersistentVolume (Retain, no storage class) and the claim bound to
/// it by name: the NAS share of `storage` and of each NAS entry of `mounts`.
pub fn nas_pair(
    claim: ObjectMeta,
    pv_name: String,
    capacity: BTreeMap<String, Quantity>,
    endpoint: &crate::validate::nfs::Endpoint,
    subpath: &str,
) -> (PersistentVolume, PersistentVolumeClaim) {
    let protected = |mut m: ObjectMeta| {
        m.annotations = Some(prune_protection());
        m
    };
    let pv = PersistentVolume {
        metadata: protected(ObjectMeta {
            name: Some(pv_name.clone()),
            ..ObjectMeta::default()
        }),
        spec: Some(PersistentVolumeSpec {
            capacity: Some(capacity.clone()),
            access_modes: Some(vec!["ReadWriteMany".to_string()]),
            persistent_volume_reclaim_policy: Some("Retain".to_string()),
            storage_class_name: Some(String::new()),
            mount_options: endpoint.port.map(|p| vec![format!("port={p}")]),
            nfs: Some(NFSVolumeSource {
                server: endpoint.server.clone(),
                path: subpath.to_string(),
                read_only: None,
            }),
            ..PersistentVolumeSpec::default()
        }),
        status: None,
    };
    let pvc = PersistentVolumeClaim {
        metadata: protected(claim),
        spec: Some(PersistentVolumeClaimSpec {
            access_modes: Some(vec!["ReadWriteMany".to_string()]),
            storage_class_name: Some(String::new()),
            volume_name: Some(pv_name),
            resources: Some(VolumeResourceRequirements {
                requests: Some(capacity),
                limits: None,
            }),
            ..PersistentVolumeClaimSpec::default()
        }),
        status: None,
    };
    (pv, pvc)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::expand::test_support;

    #[test]
    fn table() {
        // (name, storage block, has PV, claim access mode, mount options)
        type Case<'a> = (&'a str, &'a str, bool, Option<&'a str>, Option<&'a str>);
        let cases: &[Case] = &[
            ("ephemeral", "{pattern: ephemeral}", false, None, None),
            (
                "s3",
                "{pattern: s3-external, s3: {bucket: web-data, region: us-east-1}}",
                false,
                None,
                None,
            ),
            (
                "longhorn",
                "{pattern: longhorn-persistent, size: 20}",
                false,
                Some("ReadWriteOnce"),
                None,
            ),
            (
                "nas default port",
                "{pattern: nas-mount, size: 20, nas: {endpoint: \"nfs://nas.internal:2049\", subpath: /mnt/apps/web}}",
                true,
                Some("ReadWriteMany"),
                None,
            ),
        ];
        for (name, block, has_pv, mode, opts) in cases {
            let (app, site) = test_support::app(&format!(
                "metadata: {{name: web, namespace: team}}\nspec: {{image: \"nginx:1\", storage: {block}}}"
            ));
            let (pv, pvc) = volumes(&app, &site.config);
            assert_eq!(pv.is_some(), *has_pv, "{name}");
            let pvc = pvc.map(|p| serde_json::to_value(p).unwrap());
            assert_eq!(
                pvc.as_ref()
                    .map(|p| p["spec"]["accessModes"][0].as_str().unwrap()),
                *mode,
                "{name}"
            );
            if let Some(pvc) = &pvc {
                assert_eq!(pvc["metadata"]["name"], "web-data", "{name}");
                assert_eq!(
                    pvc["metadata"]["annotations"][ARGOCD_SYNC_OPTIONS], "Prune=false",
                    "{name}"
                );
                assert_eq!(
                    pvc["metadata"]["annotations"][FLUX_PRUNE], "disabled",
                    "{name}"
                );
                assert_eq!(
                    pvc["spec"]["resources"]["requests"]["storage"], "20Gi",
                    "{name}"
                );
            }
            if let Some(pv) = pv {
                let pv = serde_json::to_value(pv).unwrap();
                assert_eq!(pv["metadata"]["name"], "team-web-nfs", "{name}");
                assert!(pv["metadata"].get("namespace").is_none(), "{name}");
                assert_eq!(
                    pv["metadata"]["annotations"][ARGOCD_SYNC_OPTIONS], "Prune=false",
                    "{name}"
                );
                assert_eq!(
                    pv["spec"]["persistentVolumeReclaimPolicy"], "Retain",
                    "{name}"
                );
                assert_eq!(
                    pv["spec"]["nfs"],
                    serde_json::json!({"server": "nas.internal", "path": "/mnt/apps/web"}),
                    "{name}"
                );
                assert_eq!(
                    pv["spec"].get("mountOptions").and_then(|m| m[0].as_str()),
                    *opts,
                    "{name}"
                );
                assert_eq!(
                    pvc.as_ref().unwrap()["spec"]["volumeName"],
                    "team-web-nfs",
                    "{name}"
                );
                assert_eq!(
                    pvc.as_ref().unwrap()["spec"]["storageClassName"],
                    "",
                    "{name}"
                );
            }
        }
    }

    #[test]
    fn non_default_nfs_port_goes_to_mount_options() {
        let (mut app, mut site) = test_support::app(
            "metadata: {name: web}\nspec: {image: \"nginx:1\", storage: {pattern: nas-mount, size: 1, nas: {endpoint: \"nfs://nas.internal:2049\", subpath: /mnt/w}}}",
        );
        site.config
            .storage
            .nas
            .endpoints
            .push("nfs://nas2.internal:2050".into());
        app.nfs = Some(crate::validate::nfs::parse("nfs://nas2.internal:2050").unwrap());
        let pv = serde_json::to_value(volumes(&app, &site.config).0.unwrap()).unwrap();
        assert_eq!(pv["spec"]["mountOptions"], serde_json::json!(["port=2050"]));
        assert_eq!(pv["spec"]["nfs"]["server"], "nas2.internal");
    }
}

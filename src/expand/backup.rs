//! Backups that restore: Volsync (restic ReplicationSource, its repository ExternalSecret and
//! the ReplicationDestination populator) or kopiur (SnapshotPolicy, SnapshotSchedule and the
//! Restore populator), and the `dataSourceRef` that fills a new PVC from the last backup.

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::TypedObjectReference;

use super::{meta, secrets::store_ref, storage::claim_name};
use crate::model::crd::{
    DataFrom, ExternalSecret, ExternalSecretSpec, ManualTrigger, MoverSecurityContext, RemoteRef,
    ReplicationDestination, ReplicationDestinationSpec, ReplicationSource, ReplicationSourceSpec,
    Restic, ResticDestination, Retain, SecretTemplate, Target, Trigger,
};
use crate::model::kopiur::{
    self, CredentialProjection, Mover, NameRef, PodSecurityContext, RepositoryRef, Restore,
    RestorePolicy, RestoreSource, RestoreSpec, RestoreTarget, Retention, Schedule, SecurityContext,
    SnapshotPolicy, SnapshotPolicySpec, SnapshotSchedule, SnapshotScheduleSpec, Source,
};
use crate::model::platform::{BackupBackend, Platform};
use crate::validate::App;

/// How often restic prunes the repository.
pub const PRUNE_INTERVAL_DAYS: i32 = 7;

/// The value of the restore's manual trigger: it runs once, when the PVC is created.
pub const RESTORE_ONCE: &str = "restore-once";

/// The longest object name whose mover Job name still fits the 63 characters of a Job name
/// (it is also a label value) without being shortened by the mover's owner.
///
/// Volsync names a restic mover Job `volsync-src-<ReplicationSource>` or
/// `volsync-dst-<ReplicationDestination>` and replaces a longer one by a hash
/// (backube/volsync `internal/controller/utils`, `GetJobName`).
pub const VOLSYNC_MAX: usize = 63 - "volsync-src-".len();
/// kopiur names a scheduled `Snapshot`, and so its mover Job, `<SnapshotSchedule>-<YYYYmmddHHMMSS>`;
/// the policy gets the same name.
pub const KOPIUR_SCHEDULE_MAX: usize = 63 - "-20260101020000".len();
/// kopiur names a `Restore`'s mover Job after the `Restore`.
pub const KOPIUR_RESTORE_MAX: usize = 63;

/// Name of the restic Secret (and its ExternalSecret).
pub fn restic_secret_name(app: &App) -> String {
    crate::model::names::label(&app.spec.name, "volsync-restic")
}

/// `<name>-<suffix>` within `max` characters (see `names::bounded`).
pub fn bounded_name(name: &str, suffix: &str, max: usize) -> String {
    crate::model::names::bounded(name, suffix, max)
}

/// Name of the backup object (ReplicationSource; SnapshotPolicy and SnapshotSchedule).
pub fn backup_name(app: &App, backend: BackupBackend) -> String {
    let max = match backend {
        BackupBackend::Volsync => VOLSYNC_MAX,
        BackupBackend::Kopiur => KOPIUR_SCHEDULE_MAX,
    };
    bounded_name(&app.spec.name, "backup", max)
}

/// Name of the restore populator (ReplicationDestination or Restore).
pub fn restore_name(app: &App, backend: BackupBackend) -> String {
    let max = match backend {
        BackupBackend::Volsync => VOLSYNC_MAX,
        BackupBackend::Kopiur => KOPIUR_RESTORE_MAX,
    };
    bounded_name(&app.spec.name, "restore", max)
}

/// The user and groups the backup and restore movers run as: the one place they come from.
/// The mover must read (and restore) the app's files, so it runs as the app's ids
/// (`spec.runAs`, [`crate::model::spec::AppSpecBody::pod_ids`]); an app without them gets the
/// platform's mover ids of the backend. Either way it gets the app's supplemental groups
/// ([`crate::model::spec::AppSpecBody::supplemental_groups`]): files only a group can read (a
/// volume whose data a NAS group owns) are read by the backup as by the app.
pub fn mover_ids(app: &App, platform: &Platform, backend: BackupBackend) -> MoverSecurityContext {
    let supplemental_groups = app.spec.body.supplemental_groups().to_vec();
    if let Some((user, group)) = app.spec.body.pod_ids() {
        return MoverSecurityContext {
            run_as_user: user,
            run_as_group: group,
            fs_group: group,
            supplemental_groups,
        };
    }
    let ids = match backend {
        BackupBackend::Volsync => &platform.backup.volsync.mover_security_context,
        BackupBackend::Kopiur => &platform.backup.kopiur.mover_security_context,
    };
    MoverSecurityContext {
        run_as_user: ids.run_as_user,
        run_as_group: ids.run_as_group,
        fs_group: ids.fs_group,
        supplemental_groups,
    }
}

/// The backend that backs up this app, if any.
pub fn backend(app: &App, platform: &Platform) -> Option<BackupBackend> {
    platform.backup.backend_of(app.spec.body.backup.strategy)
}

/// The objects of one app's backups.
#[allow(clippy::large_enum_variant)]
#[derive(Clone, Debug, PartialEq)]
pub enum Backup {
    Volsync {
        secret: ExternalSecret,
        source: ReplicationSource,
        restore: Option<ReplicationDestination>,
    },
    Kopiur {
        policy: SnapshotPolicy,
        schedule: SnapshotSchedule,
        restore: Option<Restore>,
    },
}

/// The backup objects of an app with a backup strategy.
pub fn backup(app: &App, platform: &Platform) -> Option<Backup> {
    match backend(app, platform)? {
        BackupBackend::Volsync => volsync(app, platform),
        BackupBackend::Kopiur => Some(kopiur(app, platform)),
    }
}

/// Whether a restore populator goes with the backup: with `restoreOnCreate`, for a PVC the
/// app creates (an existing claim was filled before, by whoever made it).
fn restores(app: &App, platform: &Platform) -> bool {
    platform.backup.restore_on_create
        && app.spec.body.storage.pattern != crate::model::spec::StoragePattern::ExistingClaim
}

/// The `dataSourceRef` of the app's PVC: its restore populator, with `restoreOnCreate`.
pub fn populator(app: &App, platform: &Platform) -> Option<TypedObjectReference> {
    if !restores(app, platform) {
        return None;
    }
    let backend = backend(app, platform)?;
    let (group, kind) = match backend {
        BackupBackend::Volsync => ("volsync.backube", "ReplicationDestination"),
        BackupBackend::Kopiur => (kopiur::GROUP, "Restore"),
    };
    Some(TypedObjectReference {
        api_group: Some(group.to_string()),
        kind: kind.to_string(),
        name: restore_name(app, backend),
        namespace: None,
    })
}

fn volsync(app: &App, platform: &Platform) -> Option<Backup> {
    let b = &app.spec.body.backup;
    let repository = app.repository.clone()?;
    let vs = &platform.backup.volsync;
    let secret_name = restic_secret_name(app);
    let secret = ExternalSecret::new(
        meta(app, &secret_name),
        ExternalSecretSpec {
            refresh_interval: super::secrets::REFRESH.to_string(),
            secret_store_ref: store_ref(&vs.secret_store),
            target: Target {
                name: secret_name.clone(),
                creation_policy: "Owner",
                deletion_policy: "Retain",
                template: Some(SecretTemplate {
                    engine_version: "v2",
                    merge_policy: "Merge",
                    data: BTreeMap::from([("RESTIC_REPOSITORY".to_string(), repository)]),
                }),
            },
            data: vec![],
            data_from: vec![DataFrom {
                extract: RemoteRef {
                    key: vs.credentials_key.clone(),
                    property: None,
                },
            }],
        },
    );
    let ids = mover_ids(app, platform, BackupBackend::Volsync);
    let source = ReplicationSource::new(
        meta(app, backup_name(app, BackupBackend::Volsync)),
        ReplicationSourceSpec {
            source_pvc: claim_name(app),
            trigger: Trigger {
                schedule: b.schedule().to_string(),
            },
            restic: Restic {
                repository: secret_name.clone(),
                copy_method: "Snapshot",
                volume_snapshot_class_name: vs.volume_snapshot_class_name.clone(),
                prune_interval_days: PRUNE_INTERVAL_DAYS,
                retain: Retain {
                    within: format!("{}d", b.retention_days()),
                },
                mover_security_context: ids.clone(),
            },
        },
    );
    let restore = restores(app, platform).then(|| {
        ReplicationDestination::new(
            meta(app, restore_name(app, BackupBackend::Volsync)),
            ReplicationDestinationSpec {
                trigger: ManualTrigger {
                    manual: RESTORE_ONCE.to_string(),
                },
                restic: ResticDestination {
                    repository: secret_name,
                    copy_method: "Snapshot",
                    volume_snapshot_class_name: vs.volume_snapshot_class_name.clone(),
                    storage_class_name: platform.storage.longhorn.storage_class_name.clone(),
                    access_modes: vec![super::storage::RWO.to_string()],
                    capacity: super::storage::capacity(app),
                    cleanup_temp_pvc: true,
                    cleanup_cache_pvc: true,
                    mover_security_context: ids,
                },
            },
        )
    });
    Some(Backup::Volsync {
        secret,
        source,
        restore,
    })
}

fn kopiur(app: &App, platform: &Platform) -> Backup {
    let b = &app.spec.body.backup;
    let k = &platform.backup.kopiur;
    let ids = mover_ids(app, platform, BackupBackend::Kopiur);
    // A root app (`runAs: 0`) gets a root mover the way kopiur documents one
    // (docs/security-context.md, "Go root"): runAsNonRoot false and privilegedMode, which
    // also restores the original owners. kopiur runs it only in a namespace opted in with
    // `kopiur::PRIVILEGED_MOVERS` (validate warns).
    let root = ids.run_as_user == 0;
    let mover = Mover {
        security_context: SecurityContext {
            run_as_user: ids.run_as_user,
            run_as_group: ids.run_as_group,
            run_as_non_root: root.then_some(false),
        },
        pod_security_context: PodSecurityContext {
            fs_group: ids.fs_group,
            supplemental_groups: ids.supplemental_groups.clone(),
        },
        privileged_mode: root.then_some(true),
    };
    let projection = k
        .credential_projection
        .then_some(CredentialProjection { enabled: true });
    let name = backup_name(app, BackupBackend::Kopiur);
    let policy = SnapshotPolicy::new(
        meta(app, &name),
        SnapshotPolicySpec {
            repository: RepositoryRef {
                kind: k.repository.kind.clone(),
                name: k.repository.name.clone(),
            },
            sources: vec![Source {
                pvc: NameRef {
                    name: claim_name(app),
                },
            }],
            copy_method: "Snapshot",
            volume_snapshot_class_name: k.volume_snapshot_class_name.clone(),
            retention: Retention {
                keep_daily: b.retention_days(),
            },
            credential_projection: projection.clone(),
            mover: mover.clone(),
        },
    );
    let schedule = SnapshotSchedule::new(
        meta(app, &name),
        SnapshotScheduleSpec {
            policy_ref: NameRef { name: name.clone() },
            schedule: Schedule {
                cron: b.schedule().to_string(),
                run_on_create: false,
            },
        },
    );
    let restore = restores(app, platform).then(|| {
        Restore::new(
            meta(app, restore_name(app, BackupBackend::Kopiur)),
            RestoreSpec {
                source: RestoreSource {
                    from_policy: NameRef { name },
                },
                target: RestoreTarget {
                    populator: BTreeMap::new(),
                },
                policy: RestorePolicy {
                    on_missing_snapshot: "Continue",
                },
                credential_projection: projection,
                mover,
            },
        )
    });
    Backup::Kopiur {
        policy,
        schedule,
        restore,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::expand::test_support;

    fn app(name: &str, block: &str) -> (App, crate::site::Site) {
        test_support::app(&spec_yaml(name, block))
    }

    fn spec_yaml(name: &str, block: &str) -> String {
        format!(
            "metadata: {{name: {name}, namespace: data}}\nspec: {{image: \"postgres:16\", storage: {{pattern: longhorn-persistent, size: 5}}, backup: {block}}}"
        )
    }

    /// The app validated under a platform with this backend and restoreOnCreate.
    fn app_on(block: &str, backend: BackupBackend, restore: bool) -> (App, Platform) {
        let mut platform = Platform::default();
        platform.backup.backend = backend;
        platform.backup.restore_on_create = restore;
        let site = crate::site::Site::new(platform).0;
        let mut doc: serde_json::Value = serde_saphyr::from_str(&spec_yaml("db", block)).unwrap();
        doc["apiVersion"] = crate::API_VERSION.into();
        doc["kind"] = crate::model::spec::KIND.into();
        let spec = crate::model::spec::read(&doc).value.unwrap();
        let app = crate::validate::app(&spec, &site).0.unwrap();
        (app, site.config)
    }

    #[test]
    fn table() {
        // (name, backup block, backend, restoreOnCreate, expected kinds)
        type Case<'a> = (&'a str, &'a str, BackupBackend, bool, &'a [&'a str]);
        let cases: &[Case] = &[
            ("none", "{strategy: none}", BackupBackend::Kopiur, true, &[]),
            (
                "volsync",
                "{strategy: volsync-snapshots}",
                BackupBackend::Volsync,
                false,
                &["ExternalSecret", "ReplicationSource"],
            ),
            (
                "volsync restore",
                "{strategy: volsync-snapshots}",
                BackupBackend::Volsync,
                true,
                &[
                    "ExternalSecret",
                    "ReplicationSource",
                    "ReplicationDestination",
                ],
            ),
            (
                "volsync-snapshots ignores the platform backend",
                "{strategy: volsync-snapshots}",
                BackupBackend::Kopiur,
                false,
                &["ExternalSecret", "ReplicationSource"],
            ),
            (
                "snapshots follows the platform: volsync",
                "{strategy: snapshots}",
                BackupBackend::Volsync,
                true,
                &[
                    "ExternalSecret",
                    "ReplicationSource",
                    "ReplicationDestination",
                ],
            ),
            (
                "snapshots follows the platform: kopiur",
                "{strategy: snapshots}",
                BackupBackend::Kopiur,
                false,
                &["SnapshotPolicy", "SnapshotSchedule"],
            ),
            (
                "kopiur restore",
                "{strategy: snapshots}",
                BackupBackend::Kopiur,
                true,
                &["SnapshotPolicy", "SnapshotSchedule", "Restore"],
            ),
        ];
        for (name, block, backend, restore, kinds) in cases {
            let (app, platform) = app_on(block, *backend, *restore);
            let got: Vec<serde_json::Value> = match backup(&app, &platform) {
                None => vec![],
                Some(Backup::Volsync {
                    secret,
                    source,
                    restore,
                }) => {
                    let mut v = vec![
                        serde_json::to_value(secret).unwrap(),
                        serde_json::to_value(source).unwrap(),
                    ];
                    v.extend(restore.map(|r| serde_json::to_value(r).unwrap()));
                    v
                }
                Some(Backup::Kopiur {
                    policy,
                    schedule,
                    restore,
                }) => {
                    let mut v = vec![
                        serde_json::to_value(policy).unwrap(),
                        serde_json::to_value(schedule).unwrap(),
                    ];
                    v.extend(restore.map(|r| serde_json::to_value(r).unwrap()));
                    v
                }
            };
            let got_kinds: Vec<&str> = got.iter().map(|o| o["kind"].as_str().unwrap()).collect();
            assert_eq!(got_kinds, *kinds, "{name}");
            // The PVC points at the populator exactly when there is one.
            let pop = populator(&app, &platform);
            let last = got
                .last()
                .filter(|o| o["kind"] == "ReplicationDestination" || o["kind"] == "Restore");
            assert_eq!(
                pop.as_ref().map(|p| (p.kind.as_str(), p.name.as_str())),
                last.map(|o| (
                    o["kind"].as_str().unwrap(),
                    o["metadata"]["name"].as_str().unwrap()
                )),
                "{name}"
            );
            for o in &got {
                match o["kind"].as_str().unwrap() {
                    "ReplicationSource" => {
                        assert_eq!(o["metadata"]["name"], "db-backup", "{name}");
                        assert_eq!(o["spec"]["sourcePVC"], "db-data", "{name}");
                        assert_eq!(o["spec"]["restic"]["retain"]["within"], "30d", "{name}");
                        assert_eq!(o["spec"]["restic"]["repository"], "db-volsync-restic");
                    }
                    "ReplicationDestination" => {
                        assert_eq!(o["metadata"]["name"], "db-restore", "{name}");
                        let r = &o["spec"]["restic"];
                        assert_eq!(o["spec"]["trigger"]["manual"], RESTORE_ONCE);
                        assert_eq!(r["repository"], "db-volsync-restic");
                        assert_eq!(r["capacity"], "5Gi");
                        assert_eq!(r["storageClassName"], "longhorn");
                        assert_eq!(r["accessModes"], serde_json::json!(["ReadWriteOnce"]));
                        assert_eq!(r["volumeSnapshotClassName"], "longhorn");
                        assert_eq!(r["moverSecurityContext"]["runAsUser"], 568);
                    }
                    "SnapshotPolicy" => {
                        assert_eq!(o["metadata"]["name"], "db-backup", "{name}");
                        assert_eq!(o["spec"]["sources"][0]["pvc"]["name"], "db-data");
                        assert_eq!(o["spec"]["retention"]["keepDaily"], 30);
                        assert_eq!(o["spec"]["repository"]["kind"], "ClusterRepository");
                        assert_eq!(o["spec"]["mover"]["podSecurityContext"]["fsGroup"], 568);
                        assert_eq!(o["spec"]["mover"]["securityContext"]["runAsUser"], 568);
                    }
                    "SnapshotSchedule" => {
                        assert_eq!(o["spec"]["policyRef"]["name"], "db-backup");
                        assert_eq!(o["spec"]["schedule"]["cron"], "0 2 * * *");
                    }
                    "Restore" => {
                        assert_eq!(o["metadata"]["name"], "db-restore");
                        assert_eq!(o["spec"]["source"]["fromPolicy"]["name"], "db-backup");
                        assert_eq!(o["spec"]["target"]["populator"], serde_json::json!({}));
                    }
                    _ => {}
                }
            }
        }
    }

    #[test]
    fn movers_run_with_the_app_supplemental_groups() {
        use serde_json::json;
        // (extra spec fields, backend, expected volsync moverSecurityContext or kopiur
        // mover.podSecurityContext)
        let cases = [
            (
                "runAs: 568, pod: {supplementalGroups: [10000, 44]}",
                BackupBackend::Volsync,
                json!({"runAsUser": 568, "runAsGroup": 568, "fsGroup": 568, "supplementalGroups": [10000, 44]}),
            ),
            // Without runAs: the platform's mover ids, still the app's groups.
            (
                "pod: {supplementalGroups: [10000]}",
                BackupBackend::Volsync,
                json!({"runAsUser": 568, "runAsGroup": 568, "fsGroup": 568, "supplementalGroups": [10000]}),
            ),
            (
                "runAs: 568",
                BackupBackend::Volsync,
                json!({"runAsUser": 568, "runAsGroup": 568, "fsGroup": 568}),
            ),
            (
                "runAs: {user: 1000, group: 100}, pod: {supplementalGroups: [10000]}",
                BackupBackend::Kopiur,
                json!({"fsGroup": 100, "supplementalGroups": [10000]}),
            ),
            (
                "runAs: 1000",
                BackupBackend::Kopiur,
                json!({"fsGroup": 1000}),
            ),
        ];
        for (extra, backend, want) in cases {
            let mut platform = Platform::default();
            platform.backup.backend = backend;
            platform.backup.restore_on_create = true;
            let site = crate::site::Site::new(platform).0;
            let mut doc: serde_json::Value = serde_saphyr::from_str(&format!(
                "metadata: {{name: db, namespace: data}}\nspec: {{image: \"postgres:16\", storage: {{pattern: longhorn-persistent, size: 5}}, backup: {{strategy: snapshots}}, {extra}}}"
            ))
            .unwrap();
            doc["apiVersion"] = crate::API_VERSION.into();
            doc["kind"] = crate::model::spec::KIND.into();
            let spec = crate::model::spec::read(&doc).value.unwrap();
            let app = crate::validate::app(&spec, &site).0.unwrap();
            let got: Vec<serde_json::Value> = match backup(&app, &site.config).unwrap() {
                Backup::Volsync {
                    source, restore, ..
                } => vec![
                    serde_json::to_value(source).unwrap()["spec"]["restic"]
                        ["moverSecurityContext"]
                        .clone(),
                    serde_json::to_value(restore.unwrap()).unwrap()["spec"]["restic"]
                        ["moverSecurityContext"]
                        .clone(),
                ],
                Backup::Kopiur {
                    policy, restore, ..
                } => vec![
                    serde_json::to_value(policy).unwrap()["spec"]["mover"]["podSecurityContext"]
                        .clone(),
                    serde_json::to_value(restore.unwrap()).unwrap()["spec"]["mover"]
                        ["podSecurityContext"]
                        .clone(),
                ],
            };
            assert_eq!(got, [want.clone(), want], "{extra}");
        }
    }

    #[test]
    fn mover_job_names_fit_63_characters_for_a_63_character_app_name() {
        let long = format!("a{}", "b".repeat(62));
        assert_eq!(long.len(), 63);
        for name in [long.as_str(), "db", &"x".repeat(44), &"y".repeat(45)] {
            let (app, _) = app(name, "{strategy: snapshots}");
            for backend in [BackupBackend::Volsync, BackupBackend::Kopiur] {
                let (backup, restore) = (backup_name(&app, backend), restore_name(&app, backend));
                let jobs = match backend {
                    // backube/volsync: `volsync-src-<source>`, `volsync-dst-<destination>`.
                    BackupBackend::Volsync => vec![
                        format!("volsync-src-{backup}"),
                        format!("volsync-dst-{restore}"),
                    ],
                    // kopiur: `<schedule>-<YYYYmmddHHMMSS>` per scheduled Snapshot, the
                    // Restore's own name for a restore.
                    BackupBackend::Kopiur => {
                        vec![format!("{backup}-20261231235959"), restore.clone()]
                    }
                };
                for job in jobs {
                    assert!(job.len() <= 63, "{name}: {job} is {} long", job.len());
                    crate::validate::dns::check_label(&job)
                        .unwrap_or_else(|e| panic!("{job}: {e}"));
                }
                assert!(backup.ends_with("-backup") && restore.ends_with("-restore"));
            }
        }
        // Short names are untouched; long ones keep a prefix and differ by their hash.
        let (short, _) = app("db", "{strategy: snapshots}");
        assert_eq!(backup_name(&short, BackupBackend::Volsync), "db-backup");
        let other = format!("a{}c", "b".repeat(61));
        assert_ne!(
            bounded_name(&long, "backup", VOLSYNC_MAX),
            bounded_name(&other, "backup", VOLSYNC_MAX)
        );
        assert_eq!(
            bounded_name(&long, "backup", VOLSYNC_MAX),
            bounded_name(&long, "backup", VOLSYNC_MAX)
        );
        assert_eq!(bounded_name(&"x".repeat(44), "backup", 51).len(), 51);
        assert!(
            bounded_name(&"x".repeat(45), "backup", 51)
                .starts_with("xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx-")
        );
    }

    proptest::proptest! {
        /// Whatever the app name (an RFC 1123 label), every bounded name fits its budget,
        /// is itself a label, keeps its suffix and is unchanged when it already fits.
        #[test]
        fn bounded_names_fit_their_budget(name in "[a-z]([-a-z0-9]{0,61}[a-z0-9])?") {
            for (suffix, max) in [
                ("backup", VOLSYNC_MAX),
                ("restore", VOLSYNC_MAX),
                ("backup", KOPIUR_SCHEDULE_MAX),
                ("restore", KOPIUR_RESTORE_MAX),
            ] {
                let got = bounded_name(&name, suffix, max);
                proptest::prop_assert!(got.len() <= max, "{got}");
                proptest::prop_assert!(crate::validate::dns::check_label(&got).is_ok(), "{got}");
                proptest::prop_assert!(got.ends_with(&format!("-{suffix}")), "{got}");
                if name.len() + suffix.len() < max {
                    proptest::prop_assert_eq!(got, format!("{name}-{suffix}"));
                }
            }
        }
    }
}

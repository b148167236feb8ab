//! Volsync backups: a restic ReplicationSource and the ExternalSecret of its repository.

use std::collections::BTreeMap;

use super::{meta, secrets::store_ref, storage::claim_name};
use crate::crd::{
    DataFrom, ExternalSecret, ExternalSecretSpec, MoverSecurityContext, RemoteRef,
    ReplicationSource, ReplicationSourceSpec, Restic, Retain, SecretTemplate, Target, Trigger,
};
use crate::platform::Platform;
use crate::spec::BackupStrategy;
use crate::validate::App;

/// How often restic prunes the repository.
pub const PRUNE_INTERVAL_DAYS: i32 = 7;

/// Name of the restic Secret (and its ExternalSecret).
pub fn restic_secret_name(app: &App) -> String {
    format!("{}-volsync-restic", app.spec.name)
}

/// The restic ExternalSecret and the ReplicationSource of a volsync-snapshots app.
pub fn volsync(app: &App, platform: &Platform) -> Option<(ExternalSecret, ReplicationSource)> {
    let b = &app.spec.spec.backup;
    if b.strategy != BackupStrategy::VolsyncSnapshots {
        return None;
    }
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
    let msc = &vs.mover_security_context;
    let source = ReplicationSource::new(
        meta(app, format!("{}-backup", app.spec.name)),
        ReplicationSourceSpec {
            source_pvc: claim_name(app),
            trigger: Trigger {
                schedule: b.schedule().to_string(),
            },
            restic: Restic {
                repository: secret_name,
                copy_method: "Snapshot",
                volume_snapshot_class_name: vs.volume_snapshot_class_name.clone(),
                prune_interval_days: PRUNE_INTERVAL_DAYS,
                retain: Retain {
                    within: format!("{}d", b.retention_days()),
                },
                mover_security_context: MoverSecurityContext {
                    run_as_user: msc.run_as_user,
                    run_as_group: msc.run_as_group,
                    fs_group: msc.fs_group,
                },
            },
        },
    );
    Some((secret, source))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::expand::test_support;

    #[test]
    fn table() {
        // (name, backup block, expected (schedule, retain.within))
        type Case<'a> = (&'a str, &'a str, Option<(&'a str, &'a str)>);
        let cases: &[Case] = &[
            ("none", "{strategy: none}", None),
            (
                "defaults",
                "{strategy: volsync-snapshots}",
                Some(("0 2 * * *", "30d")),
            ),
            (
                "custom",
                "{strategy: volsync-snapshots, schedule: \"*/30 * * * *\", retentionDays: 7}",
                Some(("*/30 * * * *", "7d")),
            ),
        ];
        for (name, block, expected) in cases {
            let (app, site) = test_support::app(&format!(
                "metadata: {{name: db, namespace: data}}\nspec: {{image: \"postgres:16\", storage: {{pattern: longhorn-persistent, size: 5}}, backup: {block}}}"
            ));
            let got = volsync(&app, &site.config);
            assert_eq!(got.is_some(), expected.is_some(), "{name}");
            let Some((secret, source)) = got else {
                continue;
            };
            let (schedule, within) = expected.unwrap();
            let source = serde_json::to_value(source).unwrap();
            assert_eq!(source["metadata"]["name"], "db-backup");
            assert_eq!(source["spec"]["sourcePVC"], "db-data");
            assert_eq!(source["spec"]["trigger"]["schedule"], schedule, "{name}");
            assert_eq!(
                source["spec"]["restic"]["retain"]["within"], within,
                "{name}"
            );
            assert_eq!(source["spec"]["restic"]["repository"], "db-volsync-restic");
            assert_eq!(source["spec"]["restic"]["copyMethod"], "Snapshot");
            let secret = serde_json::to_value(secret).unwrap();
            assert_eq!(
                secret["spec"]["target"]["template"]["data"]["RESTIC_REPOSITORY"],
                "s3:https://s3.in.hypyr.space/volsync/data/db"
            );
            assert_eq!(
                secret["spec"]["dataFrom"][0]["extract"]["key"],
                "volsync-restic"
            );
        }
    }
}

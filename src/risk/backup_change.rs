//! What a change of an app's spec or of the platform does to its backups and restores: the
//! judgements `risk` reports (every one of them can lose data or block a sync).

use crate::expand::backup;
use crate::model::platform::{BackupBackend, Platform};
use crate::validate::App;

/// One consequence for the data of an app that exists before and after the change.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum BackupChange {
    /// Backups move to another backend: it starts without history, and restores read it.
    BackendChanged {
        from: BackupBackend,
        to: BackupBackend,
    },
    /// A backed-up app no longer restores a new PVC from its backup.
    RestoreDisabled,
    /// Fewer days of backups are kept: the older ones are pruned.
    RetentionShortened { from: i64, to: i64 },
    /// The `dataSourceRef` of the app's existing PVC changes, which the API server refuses
    /// (the field is immutable): the sync fails until the PVC is adopted.
    DataSourceChanged {
        from: Option<String>,
        to: Option<String>,
    },
}

impl BackupChange {
    pub fn code(&self) -> &'static str {
        match self {
            BackupChange::BackendChanged { .. } => "backup-backend-changed",
            BackupChange::RestoreDisabled => "restore-disabled",
            BackupChange::RetentionShortened { .. } => "backup-retention-shortened",
            BackupChange::DataSourceChanged { .. } => "pvc-data-source-changed",
        }
    }

    pub fn message(&self) -> String {
        match self {
            BackupChange::BackendChanged { from, to } => format!(
                "backups move from {} to {}: the new backend starts without history, and a restore reads only the new one",
                from,
                to
            ),
            BackupChange::RestoreDisabled => "restoreOnCreate is turned off: a PVC created on a fresh cluster starts empty, and the next backup can replace good history with an empty volume".to_string(),
            BackupChange::RetentionShortened { from, to } => format!(
                "backup retention shrinks from {from} to {to} days: the older backups are pruned"
            ),
            BackupChange::DataSourceChanged { from, to } => format!(
                "the PVC's dataSourceRef changes from {} to {}; it is immutable, so applying it to the existing PVC fails until the PVC is adopted (docs/backups.md)",
                from.as_deref().unwrap_or("none"),
                to.as_deref().unwrap_or("none")
            ),
        }
    }
}

fn data_source(app: &App, platform: &Platform) -> Option<String> {
    backup::populator(app, platform).map(|r| format!("{} {}", r.kind, r.name))
}

/// The consequences of going from `base` to `head` for one app (both validated).
pub fn changes(base: (&App, &Platform), head: (&App, &Platform)) -> Vec<BackupChange> {
    let ((ba, bp), (ha, hp)) = (base, head);
    let mut out = Vec::new();
    let (bb, hb) = (backup::backend(ba, bp), backup::backend(ha, hp));
    if let (Some(from), Some(to)) = (bb, hb)
        && from != to
    {
        out.push(BackupChange::BackendChanged { from, to });
    }
    if bb.is_some() && hb.is_some() && bp.backup.restore_on_create && !hp.backup.restore_on_create {
        out.push(BackupChange::RestoreDisabled);
    }
    if bb.is_some() && hb.is_some() {
        let (from, to) = (
            ba.spec.body.backup.retention_days(),
            ha.spec.body.backup.retention_days(),
        );
        if to < from {
            out.push(BackupChange::RetentionShortened { from, to });
        }
    }
    // The PVC is the same object on both sides only when its pattern stays (a changed
    // pattern is judged by the storage rules).
    if ba.spec.body.storage.pattern == ha.spec.body.storage.pattern {
        let (from, to) = (data_source(ba, bp), data_source(ha, hp));
        if from != to {
            out.push(BackupChange::DataSourceChanged { from, to });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::site::Site;

    fn app(block: &str, site: &Site) -> App {
        let mut doc: serde_json::Value = serde_saphyr::from_str(&format!(
            "metadata: {{name: db, namespace: data}}\nspec: {{image: \"postgres:16\", storage: {{pattern: longhorn-persistent, size: 5}}, backup: {block}}}"
        ))
        .unwrap();
        doc["apiVersion"] = crate::API_VERSION.into();
        doc["kind"] = crate::model::spec::KIND.into();
        let spec = crate::model::spec::read(&doc).value.unwrap();
        crate::validate::app(&spec, site).0.unwrap()
    }

    fn site(backend: BackupBackend, restore: bool) -> Site {
        let mut p = Platform::default();
        p.backup.backend = backend;
        p.backup.restore_on_create = restore;
        Site::new(p).0
    }

    #[test]
    fn table() {
        use BackupBackend::{Kopiur, Volsync};
        // (name, base (block, backend, restore), head (...), expected codes)
        type Side<'a> = (&'a str, BackupBackend, bool);
        let cases: &[(&str, Side, Side, &[&str])] = &[
            (
                "nothing changes",
                ("{strategy: snapshots}", Volsync, true),
                ("{strategy: snapshots}", Volsync, true),
                &[],
            ),
            (
                "platform backend changes",
                ("{strategy: snapshots}", Volsync, false),
                ("{strategy: snapshots}", Kopiur, false),
                &["backup-backend-changed"],
            ),
            (
                "backend change with restore also moves the data source",
                ("{strategy: snapshots}", Volsync, true),
                ("{strategy: snapshots}", Kopiur, true),
                &["backup-backend-changed", "pvc-data-source-changed"],
            ),
            (
                "volsync-snapshots stays on volsync when the platform moves",
                ("{strategy: volsync-snapshots}", Volsync, false),
                ("{strategy: volsync-snapshots}", Kopiur, false),
                &[],
            ),
            (
                "strategy moves to the kopiur platform backend",
                ("{strategy: volsync-snapshots}", Kopiur, false),
                ("{strategy: snapshots}", Kopiur, false),
                &["backup-backend-changed"],
            ),
            (
                "restore turned off",
                ("{strategy: snapshots}", Kopiur, true),
                ("{strategy: snapshots}", Kopiur, false),
                &["restore-disabled", "pvc-data-source-changed"],
            ),
            (
                "restore turned on for an existing PVC",
                ("{strategy: snapshots}", Volsync, false),
                ("{strategy: snapshots}", Volsync, true),
                &["pvc-data-source-changed"],
            ),
            (
                "retention shortened",
                ("{strategy: snapshots, retentionDays: 30}", Volsync, false),
                ("{strategy: snapshots, retentionDays: 7}", Volsync, false),
                &["backup-retention-shortened"],
            ),
            (
                "retention lengthened",
                ("{strategy: snapshots, retentionDays: 7}", Volsync, false),
                ("{strategy: snapshots}", Volsync, false),
                &[],
            ),
            (
                "backup added with restore: the existing PVC gets a data source",
                ("{strategy: none}", Volsync, true),
                ("{strategy: snapshots}", Volsync, true),
                &["pvc-data-source-changed"],
            ),
        ];
        for (name, (bblock, bback, brest), (hblock, hback, hrest), expected) in cases {
            let (bs, hs) = (site(*bback, *brest), site(*hback, *hrest));
            let (ba, ha) = (app(bblock, &bs), app(hblock, &hs));
            let got = changes((&ba, &bs.config), (&ha, &hs.config));
            let codes: Vec<&str> = got.iter().map(BackupChange::code).collect();
            assert_eq!(codes, *expected, "{name}");
            for c in &got {
                assert!(!c.message().is_empty());
            }
        }
    }
}

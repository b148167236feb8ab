//! Typed kopiur custom resources (`kopiur.home-operations.com/v1alpha1`): `SnapshotPolicy`,
//! `SnapshotSchedule` and `Restore`. Only the fields the product sets are modelled.

use std::collections::BTreeMap;

use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use serde::Serialize;

use crate::model::crd::namespaced_resource;

pub const GROUP: &str = "kopiur.home-operations.com";
pub const API_VERSION: &str = "kopiur.home-operations.com/v1alpha1";

/// What to back up, where to, and how long to keep it.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SnapshotPolicy {
    pub api_version: &'static str,
    pub kind: &'static str,
    pub metadata: ObjectMeta,
    pub spec: SnapshotPolicySpec,
}

namespaced_resource!(
    SnapshotPolicy,
    "kopiur.home-operations.com",
    "v1alpha1",
    "SnapshotPolicy",
    "snapshotpolicies"
);

#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SnapshotPolicySpec {
    pub repository: RepositoryRef,
    pub sources: Vec<Source>,
    /// `Snapshot`: kopia reads a point-in-time CSI snapshot, not the live volume.
    pub copy_method: &'static str,
    pub volume_snapshot_class_name: String,
    pub retention: Retention,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub credential_projection: Option<CredentialProjection>,
    pub mover: Mover,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RepositoryRef {
    pub kind: String,
    pub name: String,
}

/// One volume to back up.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Source {
    pub pvc: NameRef,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct NameRef {
    pub name: String,
}

/// Grandfather-father-son retention; only `keepDaily` is set.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Retention {
    /// The newest snapshot of each of the last N days with a snapshot is kept.
    pub keep_daily: i64,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CredentialProjection {
    pub enabled: bool,
}

/// The mover's ids, where kopiur documents them: user and group on the container (they win
/// over the image's user), `fsGroup` on the pod.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Mover {
    pub security_context: SecurityContext,
    pub pod_security_context: PodSecurityContext,
    /// `true` for a root mover: kopiur then also restores files with their original
    /// owners. kopiur runs an elevated mover only in a namespace annotated
    /// `kopiur.home-operations.com/privileged-movers: "true"`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub privileged_mode: Option<bool>,
}

/// The kopiur annotation a namespace needs before kopiur runs a root mover in it.
pub const PRIVILEGED_MOVERS: &str = "kopiur.home-operations.com/privileged-movers";

#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SecurityContext {
    pub run_as_user: i64,
    pub run_as_group: i64,
    /// `false` for a root mover: kopiur's hardened default says `true`, which the kubelet
    /// refuses together with `runAsUser: 0`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub run_as_non_root: Option<bool>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PodSecurityContext {
    pub fs_group: i64,
    /// The app's supplemental groups, as on the app's pod.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub supplemental_groups: Vec<i64>,
}

/// When a `SnapshotPolicy` runs.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SnapshotSchedule {
    pub api_version: &'static str,
    pub kind: &'static str,
    pub metadata: ObjectMeta,
    pub spec: SnapshotScheduleSpec,
}

namespaced_resource!(
    SnapshotSchedule,
    "kopiur.home-operations.com",
    "v1alpha1",
    "SnapshotSchedule",
    "snapshotschedules"
);

#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SnapshotScheduleSpec {
    pub policy_ref: NameRef,
    pub schedule: Schedule,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Schedule {
    pub cron: String,
    /// GitOps-friendly: no backup the moment the schedule is created.
    pub run_on_create: bool,
}

/// A restore; here a passive volume populator claimed by a PVC's `dataSourceRef`.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Restore {
    pub api_version: &'static str,
    pub kind: &'static str,
    pub metadata: ObjectMeta,
    pub spec: RestoreSpec,
}

namespaced_resource!(
    Restore,
    "kopiur.home-operations.com",
    "v1alpha1",
    "Restore",
    "restores"
);

#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RestoreSpec {
    pub source: RestoreSource,
    pub target: RestoreTarget,
    pub policy: RestorePolicy,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub credential_projection: Option<CredentialProjection>,
    pub mover: Mover,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RestoreSource {
    /// The latest snapshot of this policy.
    pub from_policy: NameRef,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RestoreTarget {
    /// Empty: the passive populator form.
    pub populator: BTreeMap<String, String>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RestorePolicy {
    /// `Continue`: with no snapshot yet (a new app) the PVC comes up empty.
    pub on_missing_snapshot: &'static str,
}

impl SnapshotPolicy {
    pub fn new(metadata: ObjectMeta, spec: SnapshotPolicySpec) -> Self {
        SnapshotPolicy {
            api_version: API_VERSION,
            kind: "SnapshotPolicy",
            metadata,
            spec,
        }
    }
}

impl SnapshotSchedule {
    pub fn new(metadata: ObjectMeta, spec: SnapshotScheduleSpec) -> Self {
        SnapshotSchedule {
            api_version: API_VERSION,
            kind: "SnapshotSchedule",
            metadata,
            spec,
        }
    }
}

impl Restore {
    pub fn new(metadata: ObjectMeta, spec: RestoreSpec) -> Self {
        Restore {
            api_version: API_VERSION,
            kind: "Restore",
            metadata,
            spec,
        }
    }
}

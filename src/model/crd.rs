//! Typed custom resources the expansion emits: External Secrets `ExternalSecret` (v1) and
//! Volsync `ReplicationSource` and `ReplicationDestination` (v1alpha1). Only the fields the
//! product sets are modelled.

use std::collections::BTreeMap;

use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use serde::Serialize;

/// Implements `kube_core::Resource` for a namespaced custom resource struct with a
/// `metadata: ObjectMeta` field, so `ResourceExt` (labels...) works on it.
macro_rules! namespaced_resource {
    ($ty:ty, $group:literal, $version:literal, $kind:literal, $plural:literal) => {
        impl ::kube_core::Resource for $ty {
            type DynamicType = ();
            type Scope = ::kube_core::NamespaceResourceScope;
            fn kind(_: &()) -> ::std::borrow::Cow<'_, str> {
                $kind.into()
            }
            fn group(_: &()) -> ::std::borrow::Cow<'_, str> {
                $group.into()
            }
            fn version(_: &()) -> ::std::borrow::Cow<'_, str> {
                $version.into()
            }
            fn plural(_: &()) -> ::std::borrow::Cow<'_, str> {
                $plural.into()
            }
            fn meta(&self) -> &::k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta {
                &self.metadata
            }
            fn meta_mut(
                &mut self,
            ) -> &mut ::k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta {
                &mut self.metadata
            }
        }
    };
}

pub(crate) use namespaced_resource;

/// `external-secrets.io/v1` ExternalSecret.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ExternalSecret {
    pub api_version: &'static str,
    pub kind: &'static str,
    pub metadata: ObjectMeta,
    pub spec: ExternalSecretSpec,
}

namespaced_resource!(
    ExternalSecret,
    "external-secrets.io",
    "v1",
    "ExternalSecret",
    "externalsecrets"
);

impl ExternalSecret {
    pub fn new(metadata: ObjectMeta, spec: ExternalSecretSpec) -> Self {
        ExternalSecret {
            api_version: "external-secrets.io/v1",
            kind: "ExternalSecret",
            metadata,
            spec,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ExternalSecretSpec {
    pub refresh_interval: String,
    pub secret_store_ref: StoreRef,
    pub target: Target,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub data: Vec<SecretData>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub data_from: Vec<DataFrom>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct StoreRef {
    pub kind: String,
    pub name: String,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Target {
    pub name: String,
    pub creation_policy: &'static str,
    pub deletion_policy: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub template: Option<SecretTemplate>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SecretTemplate {
    pub engine_version: &'static str,
    pub merge_policy: &'static str,
    pub data: BTreeMap<String, String>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SecretData {
    pub secret_key: String,
    pub remote_ref: RemoteRef,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RemoteRef {
    pub key: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub property: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct DataFrom {
    pub extract: RemoteRef,
}

/// `volsync.backube/v1alpha1` ReplicationSource.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ReplicationSource {
    pub api_version: &'static str,
    pub kind: &'static str,
    pub metadata: ObjectMeta,
    pub spec: ReplicationSourceSpec,
}

namespaced_resource!(
    ReplicationSource,
    "volsync.backube",
    "v1alpha1",
    "ReplicationSource",
    "replicationsources"
);

impl ReplicationSource {
    pub fn new(metadata: ObjectMeta, spec: ReplicationSourceSpec) -> Self {
        ReplicationSource {
            api_version: "volsync.backube/v1alpha1",
            kind: "ReplicationSource",
            metadata,
            spec,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ReplicationSourceSpec {
    #[serde(rename = "sourcePVC")]
    pub source_pvc: String,
    pub trigger: Trigger,
    pub restic: Restic,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Trigger {
    pub schedule: String,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Restic {
    /// Name of the Secret holding RESTIC_REPOSITORY, RESTIC_PASSWORD and credentials.
    pub repository: String,
    pub copy_method: &'static str,
    pub volume_snapshot_class_name: String,
    pub prune_interval_days: i32,
    pub retain: Retain,
    pub mover_security_context: MoverSecurityContext,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Retain {
    /// restic `--keep-within`: every snapshot younger than this is kept.
    pub within: String,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct MoverSecurityContext {
    pub run_as_user: i64,
    pub run_as_group: i64,
    pub fs_group: i64,
    /// The app's supplemental groups: files a group owns are readable to the mover too.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub supplemental_groups: Vec<i64>,
}

/// `volsync.backube/v1alpha1` ReplicationDestination: a restic restore, here the volume
/// populator of a PVC's `dataSourceRef`.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ReplicationDestination {
    pub api_version: &'static str,
    pub kind: &'static str,
    pub metadata: ObjectMeta,
    pub spec: ReplicationDestinationSpec,
}

namespaced_resource!(
    ReplicationDestination,
    "volsync.backube",
    "v1alpha1",
    "ReplicationDestination",
    "replicationdestinations"
);

impl ReplicationDestination {
    pub fn new(metadata: ObjectMeta, spec: ReplicationDestinationSpec) -> Self {
        ReplicationDestination {
            api_version: "volsync.backube/v1alpha1",
            kind: "ReplicationDestination",
            metadata,
            spec,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ReplicationDestinationSpec {
    pub trigger: ManualTrigger,
    pub restic: ResticDestination,
}

/// A trigger that fires once per distinct value.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ManualTrigger {
    pub manual: String,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ResticDestination {
    /// Name of the Secret holding RESTIC_REPOSITORY, RESTIC_PASSWORD and credentials.
    pub repository: String,
    pub copy_method: &'static str,
    pub volume_snapshot_class_name: String,
    pub storage_class_name: String,
    pub access_modes: Vec<String>,
    pub capacity: String,
    #[serde(rename = "cleanupTempPVC")]
    pub cleanup_temp_pvc: bool,
    #[serde(rename = "cleanupCachePVC")]
    pub cleanup_cache_pvc: bool,
    pub mover_security_context: MoverSecurityContext,
}

/// `gateway.networking.k8s.io/v1` HTTPRoute.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct HttpRoute {
    pub api_version: &'static str,
    pub kind: &'static str,
    pub metadata: ObjectMeta,
    pub spec: HttpRouteSpec,
}

namespaced_resource!(
    HttpRoute,
    "gateway.networking.k8s.io",
    "v1",
    "HTTPRoute",
    "httproutes"
);

impl HttpRoute {
    pub fn new(metadata: ObjectMeta, spec: HttpRouteSpec) -> Self {
        HttpRoute {
            api_version: "gateway.networking.k8s.io/v1",
            kind: "HTTPRoute",
            metadata,
            spec,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct HttpRouteSpec {
    pub parent_refs: Vec<ParentRef>,
    pub hostnames: Vec<String>,
    pub rules: Vec<RouteRule>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ParentRef {
    pub name: String,
    pub namespace: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub section_name: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RouteRule {
    pub matches: Vec<RouteMatch>,
    pub backend_refs: Vec<BackendRef>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timeouts: Option<RouteTimeouts>,
}

/// `rules[].timeouts` of an HTTPRoute (Gateway API durations).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RouteTimeouts {
    /// The time a client waits for the whole response.
    pub request: String,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RouteMatch {
    pub path: PathMatch,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PathMatch {
    #[serde(rename = "type")]
    pub type_: &'static str,
    pub value: String,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct BackendRef {
    pub name: String,
    pub port: i32,
}

//! AppSpec: expand compact application specs into validated Kubernetes manifests.
//!
//! The pipeline is `reader` (strict structural parse) -> `validate` (semantic rules) ->
//! `expand` (pure functions from a validated spec and the platform to typed objects) ->
//! `krm` / `render` (the protocols around it).

pub mod affinity;
pub mod backup_change;
pub mod check;
pub mod cli;
pub mod crd;
pub mod diagnostic;
pub mod diff;
pub mod engine;
pub mod expand;
pub mod files;
pub mod hydrate;
pub mod import;
pub mod init;
pub mod inputs;
pub mod kopiur;
pub mod krm;
pub mod lookalike;
pub mod monitoring;
pub mod names;
pub mod patterns;
pub mod platform;
pub mod pod;
pub mod positions;
pub mod reader;
pub mod reasons;
pub mod relay;
pub mod remote;
pub mod render;
pub mod rendered;
pub mod risk;
pub mod sandbox;
pub mod schema;
pub mod side;
pub mod site;
pub mod skeleton;
#[rustfmt::skip]
pub mod skeletons;
pub mod source;
pub mod spec;
pub mod template;
pub mod typo;
pub mod validate;
pub mod yaml;

/// API group and version of `AppSpec` and `PlatformConfig`.
pub const API_VERSION: &str = "platform.hypyr.space/v1alpha1";
/// Value of `app.kubernetes.io/managed-by` on every generated object.
pub const MANAGER: &str = "appspec";

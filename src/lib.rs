//! AppSpec: expand compact application specs into validated Kubernetes manifests.
//!
//! The pipeline is `reader` (strict structural parse) -> `validate` (semantic rules) ->
//! `expand` (pure functions from a validated spec and the platform to typed objects) ->
//! `krm` / `render` (the protocols around it).

pub mod commands;
pub mod engine;
pub mod expand;
pub mod import;
pub mod input;
pub mod model;
pub mod render;
pub mod risk;
pub mod site;
pub mod validate;

/// API group and version of `AppSpec` and `PlatformConfig`.
pub const API_VERSION: &str = "platform.hypyr.space/v1alpha1";
/// Value of `app.kubernetes.io/managed-by` on every generated object.
pub const MANAGER: &str = "appspec";

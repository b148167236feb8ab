//! The resources' types: AppSpec, its pod-level fields, its job, PlatformConfig, the custom resources emitted, generated names, and what only looks like one of ours.

pub mod affinity;
pub mod bounds;
pub mod container;
pub mod crd;
pub mod job;
pub mod kopiur;
pub mod lookalike;
pub mod monitoring;
pub mod names;
pub mod patterns;
pub mod platform;
pub mod pod;
pub mod spec;

//! Input: files and YAML read within bounds, strict structural reading, and where each resource came from.

pub mod diagnostic;
pub mod files;
pub mod positions;
pub mod reader;
pub mod skeleton;
#[rustfmt::skip]
pub mod skeletons;
pub mod source;
pub mod typo;
pub mod yaml;

//! The command-line edge and the protocols around the engine: arguments, `validate`, the KRM function, `schema`, `init`.

pub mod cli;
pub mod init;
pub mod krm;
pub mod schema;
pub mod validate;

//! Command-line arguments; turned into a `Mode` so clap types never reach the core.

use std::path::PathBuf;

use clap::{Parser, Subcommand};

/// Expand compact AppSpecs into validated Kubernetes manifests.
///
/// Without a command, reads a KRM ResourceList on stdin and writes one on stdout (the KRM
/// function that kustomize and kpt run).
#[derive(Debug, Parser)]
#[command(name = "appspec", version, about)]
pub struct Cli {
    /// Largest input accepted, in bytes.
    #[arg(long, global = true, default_value_t = crate::yaml::DEFAULT_MAX_BYTES, env = "APPSPEC_MAX_INPUT_BYTES")]
    pub max_input_bytes: usize,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run as a KRM function (the default): ResourceList on stdin, ResourceList on stdout.
    Krm,
}

/// What the binary was asked to do.
#[derive(Debug, PartialEq)]
pub enum Mode {
    Krm,
}

/// Settings of a run.
#[derive(Debug, PartialEq)]
pub struct Config {
    pub mode: Mode,
    pub limits: crate::yaml::Limits,
    pub paths: Vec<PathBuf>,
}

impl From<Cli> for Config {
    fn from(cli: Cli) -> Self {
        let limits = crate::yaml::Limits {
            max_bytes: cli.max_input_bytes,
            ..crate::yaml::Limits::default()
        };
        let mode = match cli.command {
            None | Some(Command::Krm) => Mode::Krm,
        };
        Config {
            mode,
            limits,
            paths: vec![],
        }
    }
}

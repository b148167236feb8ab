//! The `appspec` binary: parse arguments, run, print one error chain on failure.

use std::io::{Read, Write};
use std::process::ExitCode;

use anyhow::Context;
use appspec::cli::{Cli, Config, Mode};
use clap::Parser;

fn main() -> ExitCode {
    // Deeply nested input recurses; the parser's depth limit is sized for this stack.
    match appspec::yaml::with_big_stack(run) {
        Ok(code) => code,
        Err(err) => {
            eprintln!("appspec: {err:#}");
            ExitCode::from(2)
        }
    }
}

fn read_stdin(limit: usize) -> anyhow::Result<String> {
    let mut buf = Vec::new();
    std::io::stdin()
        .lock()
        .take(limit as u64 + 1)
        .read_to_end(&mut buf)
        .context("cannot read stdin")?;
    if buf.len() > limit {
        anyhow::bail!("input on stdin is larger than the limit of {limit} bytes (--max-input-bytes)");
    }
    String::from_utf8(buf).context("input on stdin is not UTF-8")
}

fn run() -> anyhow::Result<ExitCode> {
    let config = Config::from(Cli::parse());
    match config.mode {
        Mode::Krm => {
            // Keep the protocol even when stdin cannot be read: answer with the error.
            let response = match read_stdin(config.limits.max_bytes) {
                Ok(input) => appspec::krm::process(&input, &config.limits),
                Err(e) => appspec::krm::error_response(&format!("{e:#}")),
            };
            let mut stderr = std::io::stderr().lock();
            for d in &response.diagnostics {
                writeln!(stderr, "{d}")?;
            }
            std::io::stdout()
                .lock()
                .write_all(response.stdout.as_bytes())
                .context("cannot write stdout")?;
            Ok(if response.failed {
                ExitCode::FAILURE
            } else {
                ExitCode::SUCCESS
            })
        }
    }
}

//! Bytes -> what `appspec import FILE` does with a file (app-template HelmReleases in, AppSpecs out).
//!
//! Beyond "no panic": stdout is empty unless the status says something was imported; what
//! it holds parses as YAML, every document is an AppSpec, and no comment line holds a
//! character a YAML 1.1 reader takes as a line break (so nothing can be injected through
//! the header comment); the same input imports the same way twice.
#![no_main]

use std::path::PathBuf;
use std::sync::OnceLock;

use appspec::import::{self, Status};
use appspec::input::yaml::{self, Limits};
use libfuzzer_sys::fuzz_target;

#[path = "common/worker.rs"]
mod worker;

/// The file the input is written to (import reads files, as the CLI does).
fn input_file() -> &'static PathBuf {
    static FILE: OnceLock<PathBuf> = OnceLock::new();
    FILE.get_or_init(|| {
        let dir = std::env::temp_dir().join(format!("appspec-fuzz-import-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("cannot create the fuzz directory");
        dir.join("helmrelease.yaml")
    })
}

fn check(text: String) {
    let file = input_file();
    std::fs::write(file, &text).expect("cannot write the fuzz input");
    let opts = import::Options {
        paths: vec![file.clone()],
        platform: None,
        vars: [("SECRET_DOMAIN".to_string(), "example.com".to_string())]
            .into_iter()
            .collect(),
        limits: Limits::default(),
        namespace: None,
        write: false,
    };
    let outcome = import::run(&opts);
    if outcome.status == Status::Unreadable {
        assert!(
            outcome.stdout.is_empty(),
            "partial output for unreadable input"
        );
    }
    for line in outcome.stdout.split('\n') {
        if line.trim_start().starts_with('#') {
            assert!(
                !line.contains(['\r', '\u{85}', '\u{2028}', '\u{2029}']),
                "a line break inside a comment: {line:?}"
            );
        }
    }
    if !outcome.stdout.is_empty() {
        let docs = yaml::parse_stream(&outcome.stdout, &Limits::default())
            .unwrap_or_else(|e| panic!("the output does not parse: {e}\n{}", outcome.stdout));
        for doc in &docs {
            assert_eq!(doc["kind"], "AppSpec", "{}", outcome.stdout);
        }
    }
    let again = import::run(&opts);
    assert_eq!(again.stdout, outcome.stdout, "not deterministic");
    assert_eq!(again.status, outcome.status, "not deterministic");
}

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        worker::run(text.to_string(), check);
    }
});

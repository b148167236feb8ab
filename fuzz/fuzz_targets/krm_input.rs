//! Bytes -> the KRM function, as the binary runs it (on a thread with its big stack, see common/worker.rs).
//!
//! Beyond "no panic": the answer is always one ResourceList document; an error result exists
//! iff the run failed; a failed run returns the input items unchanged; a successful run is
//! deterministic and idempotent (its output fed back in gives the same items).
#![no_main]

use appspec::commands::krm;
use appspec::input::yaml::{self, Limits};
use libfuzzer_sys::fuzz_target;

#[path = "common/worker.rs"]
mod worker;
use serde_json::Value;

fn check(text: String) {
    let limits = Limits::default();
    let response = krm::process(&text, &limits);
    let out = yaml::parse_one(&response.stdout, &limits)
        .unwrap_or_else(|e| panic!("stdout is not one YAML document: {e}\n{}", response.stdout));
    assert_eq!(out["kind"], "ResourceList", "{}", response.stdout);
    assert_eq!(out["apiVersion"], krm::RESOURCE_LIST_API_VERSION);
    let has_error = out["results"]
        .as_array()
        .is_some_and(|rs| rs.iter().any(|r| r["severity"] == "error"));
    assert_eq!(has_error, response.failed, "exit code and results disagree");
    let items = out["items"].as_array().cloned().unwrap_or_default();
    match krm::parse(&text, &limits) {
        Ok(list) if response.failed => {
            assert_eq!(
                items, list.items,
                "a failed run must return its input items"
            );
        }
        Ok(_) => {
            let again = krm::process(&text, &limits);
            assert_eq!(again.stdout, response.stdout, "not deterministic");
            // kpt runs functions twice: the output, as input, yields the same items.
            let second = krm::process(&response.stdout, &limits);
            assert!(
                !second.failed,
                "the output is refused as input:\n{}",
                second.stdout
            );
            let out2 = yaml::parse_one(&second.stdout, &limits).unwrap();
            assert_eq!(out2["items"], Value::Array(items), "not idempotent");
        }
        Err(_) => {
            assert!(response.failed, "an unreadable input must fail");
            assert!(items.is_empty());
        }
    }
}

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        worker::run(text.to_string(), check);
    }
});

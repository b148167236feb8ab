//! Bytes -> what `appspec render FILE` does with a file: parse the multi-document stream,
//! keep the documents that are resources (minus tool configuration), run the engine on them, write the stream.
//!
//! `render::documents` is private, so this mirrors it with the public pieces (the same
//! `yaml::parse_stream` and `engine::run`). Beyond "no panic": a successful run writes a
//! stream that parses back to the same objects.
#![no_main]

use appspec::engine;
use appspec::input::source::{self, Item};
use appspec::input::yaml::{self, Limits};
use libfuzzer_sys::fuzz_target;

#[path = "common/worker.rs"]
mod worker;

/// Documents render leaves out (a copy of the private `render::is_tool_config`).
fn is_tool_config(v: &serde_json::Value) -> bool {
    let api = source::api_version(v).unwrap_or("");
    [
        "backstage.io/",
        "kustomize.config.k8s.io/",
        "scaffolder.backstage.io/",
    ]
    .iter()
    .any(|p| api.starts_with(p))
}

fn check(text: String) {
    let limits = Limits::default();
    let Ok(docs) = yaml::parse_stream(&text, &limits) else {
        return;
    };
    let items: Vec<Item> = docs
        .into_iter()
        .filter(|d| d.is_object() && source::kind(d).is_some() && !is_tool_config(d))
        .map(|value| Item::new(value, Some("fuzz.yaml".into())))
        .collect();
    if items.is_empty() {
        return;
    }
    let outcome = engine::run(items, None);
    if outcome.has_errors() {
        return;
    }
    let stream = yaml::to_stream(&outcome.items).expect("writing the output");
    let back = yaml::parse_stream(&stream, &limits)
        .unwrap_or_else(|e| panic!("the output stream does not parse: {e}\n{stream}"));
    let items: Vec<_> = outcome.items.iter().map(|o| o.to_value()).collect();
    assert_eq!(back, items, "the output stream does not round-trip");
}

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        worker::run(text.to_string(), check);
    }
});

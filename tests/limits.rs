//! Hostile input, through the binary: oversized input, alias bombs, deep nesting, JSON that
//! is not a ResourceList, binary garbage, empty input, a wrong apiVersion, `items` that is
//! not a list.
//!
//! KRM mode (stdin): exit 1, a ResourceList on stdout with an error result, a readable line
//! on stderr, and no panic. `render FILE`: non-zero, nothing on stdout, the reason on stderr.
//! No wall-clock time is asserted here: `scripts/bench.sh` measures how fast these are
//! refused.

use assert_cmd::Command;
use serde_json::{Value, json};

fn appspec() -> Command {
    let mut cmd = Command::cargo_bin("appspec").unwrap();
    cmd.env_remove("APPSPEC_MAX_INPUT_BYTES")
        .env_remove("APPSPEC_PLATFORM");
    cmd
}

const APP: &str = "apiVersion: platform.hypyr.space/v1alpha1
kind: AppSpec
metadata:
  name: web
  namespace: shop
spec:
  image: ghcr.io/acme/web:1.0.0
";

fn resource_list(items_yaml: &str) -> String {
    format!("apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems:\n{items_yaml}")
}

/// A valid ResourceList of about `size` bytes (a long env value pads it).
fn padded_list(size: usize) -> String {
    let head = resource_list(
        "- apiVersion: platform.hypyr.space/v1alpha1\n  kind: AppSpec\n  metadata: {name: web, namespace: shop}\n  spec:\n    image: ghcr.io/acme/web:1.0.0\n    env:\n      PAD: \"",
    );
    let pad = size.saturating_sub(head.len() + 2);
    format!("{head}{}\"\n", "x".repeat(pad))
}

/// The classic billion laughs: 10 levels of 10 references, 10^10 leaves once expanded.
fn billion_laughs() -> String {
    let mut text = String::from(
        "apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems: []\na0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n",
    );
    for i in 1..10 {
        let refs = vec![format!("*a{}", i - 1); 10].join(", ");
        text.push_str(&format!("a{i}: &a{i} [{refs}]\n"));
    }
    text
}

/// Many aliases to a small anchor: cheap to write, costly when each is expanded.
fn alias_flood() -> String {
    let refs = vec!["*x"; 50_000].join(", ");
    format!(
        "apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems: []\nx: &x {{a: [1, 2, 3, 4, 5, 6, 7, 8]}}\ny: [{refs}]\n"
    )
}

fn deep_flow(depth: usize) -> String {
    format!(
        "apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems: []\nx: {}1{}\n",
        "[".repeat(depth),
        "]".repeat(depth)
    )
}

fn deep_flow_mappings(depth: usize) -> String {
    format!(
        "apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems: []\nx: {}1{}\n",
        "{a: ".repeat(depth),
        "}".repeat(depth)
    )
}

/// Block sequences nested on one line: `- - - ... x`.
fn deep_block(depth: usize) -> String {
    format!(
        "apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems: []\nx:\n  {}x\n",
        "- ".repeat(depth)
    )
}

/// Block mappings nested by indentation (one space per level).
fn deep_block_mappings(depth: usize) -> String {
    let mut text =
        String::from("apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems: []\nx:\n");
    for i in 1..=depth {
        text.push_str(&" ".repeat(i));
        text.push_str("k:\n");
    }
    text
}

fn json_not_a_resource_list() -> String {
    json!({
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "web"},
        "spec": {"replicas": 1}
    })
    .to_string()
}

fn binary_garbage() -> Vec<u8> {
    // Deterministic pseudo-random bytes, including invalid UTF-8 and NULs.
    let mut x: u32 = 0x9e37_79b9;
    (0..4096)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            (x >> 24) as u8
        })
        .collect()
}

/// The hostile inputs of KRM mode, with a word the error must contain.
fn hostile_krm_inputs() -> Vec<(&'static str, Vec<u8>, &'static str)> {
    vec![
        (
            "billion laughs",
            billion_laughs().into_bytes(),
            "not valid YAML",
        ),
        ("alias flood", alias_flood().into_bytes(), "not valid YAML"),
        (
            "10000-deep flow sequences",
            deep_flow(10_000).into_bytes(),
            "not valid YAML",
        ),
        (
            "10000-deep flow mappings",
            deep_flow_mappings(10_000).into_bytes(),
            "not valid YAML",
        ),
        (
            "10000-deep block sequences",
            deep_block(10_000).into_bytes(),
            "not valid YAML",
        ),
        (
            "10000-deep block mappings",
            deep_block_mappings(10_000).into_bytes(),
            "not valid YAML",
        ),
        (
            "JSON Deployment",
            json_not_a_resource_list().into_bytes(),
            "not a ResourceList",
        ),
        ("JSON array", b"[1, 2, 3]".to_vec(), "not a ResourceList"),
        ("binary garbage", binary_garbage(), "UTF-8"),
        ("empty", vec![], "empty"),
        ("only whitespace", b"  \n\n\t\n".to_vec(), "empty"),
        (
            "only a comment",
            b"# nothing\n".to_vec(),
            "not a ResourceList",
        ),
        ("a scalar", b"hello\n".to_vec(), "not a ResourceList"),
        (
            "wrong apiVersion",
            format!(
                "apiVersion: v1\nkind: ResourceList\nitems:\n- {}",
                APP.replace('\n', "\n  ")
            )
            .into_bytes(),
            "not a ResourceList",
        ),
        (
            "wrong kind",
            b"apiVersion: config.kubernetes.io/v1\nkind: List\nitems: []\n".to_vec(),
            "not a ResourceList",
        ),
        (
            "items is a mapping",
            b"apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems: {a: 1}\n".to_vec(),
            "items must be a list",
        ),
        (
            "items is a string",
            b"apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems: \"- a\"\n".to_vec(),
            "items must be a list",
        ),
        (
            "an item is a scalar",
            b"apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems: [1]\n".to_vec(),
            "items[0] must be a mapping",
        ),
        (
            "two documents",
            format!("{}---\n{}", resource_list("[]\n"), resource_list("[]\n")).into_bytes(),
            "not valid YAML",
        ),
    ]
}

/// Exit 1, a ResourceList with no items and an error result, the reason on stderr.
fn assert_krm_refusal(what: &str, out: &std::process::Output, needle: &str) {
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked"), "{what}: panic\n{stderr}");
    assert_eq!(
        out.status.code(),
        Some(1),
        "{what}: exit code\nstderr: {stderr}"
    );
    let list: Value = serde_json::to_value(
        appspec::yaml::parse_one(&stdout, &appspec::yaml::Limits::default())
            .unwrap_or_else(|e| panic!("{what}: stdout is not YAML ({e}):\n{stdout}")),
    )
    .unwrap();
    assert_eq!(list["apiVersion"], "config.kubernetes.io/v1", "{what}");
    assert_eq!(list["kind"], "ResourceList", "{what}");
    assert_eq!(list["items"], json!([]), "{what}: no items");
    let errors: Vec<&Value> = list["results"]
        .as_array()
        .unwrap_or_else(|| panic!("{what}: no results"))
        .iter()
        .filter(|r| r["severity"] == "error")
        .collect();
    assert_eq!(errors.len(), 1, "{what}: one error result\n{stdout}");
    let message = errors[0]["message"].as_str().unwrap_or("");
    assert!(
        message.contains(needle),
        "{what}: result {message:?} lacks {needle:?}"
    );
    let first = stderr.lines().next().unwrap_or("");
    assert!(
        first.contains(needle),
        "{what}: the first stderr line says why ({needle:?}): {stderr}"
    );
    // The stdout answer is bounded, whatever the input was.
    assert!(
        stdout.len() < 64 * 1024,
        "{what}: {} bytes on stdout",
        stdout.len()
    );
}

#[test]
fn krm_refuses_hostile_input() {
    for (what, input, needle) in hostile_krm_inputs() {
        let out = appspec().write_stdin(input).output().unwrap();
        assert_krm_refusal(what, &out, needle);
    }
}

#[test]
fn krm_explicit_subcommand_behaves_the_same() {
    let out = appspec()
        .arg("krm")
        .write_stdin(billion_laughs())
        .output()
        .unwrap();
    assert_krm_refusal("krm billion laughs", &out, "not valid YAML");
}

#[test]
fn krm_input_above_the_limit() {
    let input = padded_list(2_000);
    // Under a generous limit the same input is fine: the limit is what refuses it.
    let ok = appspec()
        .args(["--max-input-bytes", "4000"])
        .write_stdin(input.clone())
        .output()
        .unwrap();
    assert_eq!(
        ok.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );

    let out = appspec()
        .args(["--max-input-bytes", "1000"])
        .write_stdin(input.clone())
        .output()
        .unwrap();
    assert_krm_refusal(
        "--max-input-bytes 1000",
        &out,
        "larger than the limit of 1000 bytes",
    );

    let out = appspec()
        .env("APPSPEC_MAX_INPUT_BYTES", "1000")
        .write_stdin(input)
        .output()
        .unwrap();
    assert_krm_refusal("APPSPEC_MAX_INPUT_BYTES=1000", &out, "limit of 1000 bytes");
}

#[test]
fn krm_input_above_the_default_limit() {
    // 65 MiB on stdin against the default 64 MiB: refused after reading 64 MiB + 1 byte.
    let input = padded_list(65 * 1024 * 1024);
    let out = appspec().write_stdin(input).output().unwrap();
    assert_krm_refusal(
        "65 MiB",
        &out,
        &format!("larger than the limit of {} bytes", 64 * 1024 * 1024),
    );
}

#[test]
fn krm_limit_counts_bytes_exactly() {
    let input = padded_list(1_500);
    let len = input.len();
    let at = appspec()
        .args(["--max-input-bytes", &len.to_string()])
        .write_stdin(input.clone())
        .output()
        .unwrap();
    assert_eq!(at.status.code(), Some(0), "exactly the limit is accepted");
    let below = appspec()
        .args(["--max-input-bytes", &(len - 1).to_string()])
        .write_stdin(input)
        .output()
        .unwrap();
    assert_eq!(below.status.code(), Some(1), "one byte over is refused");
}

/// The hostile inputs of `render`, written to a file: non-zero, nothing on stdout.
#[test]
fn render_refuses_hostile_files() {
    let tmp = tempfile::tempdir().unwrap();
    let mut cases: Vec<(&str, Vec<u8>, Vec<&str>)> = vec![
        ("billion laughs", billion_laughs().into_bytes(), vec![]),
        ("alias flood", alias_flood().into_bytes(), vec![]),
        ("deep flow", deep_flow(10_000).into_bytes(), vec![]),
        (
            "deep flow mappings",
            deep_flow_mappings(10_000).into_bytes(),
            vec![],
        ),
        ("deep block", deep_block(10_000).into_bytes(), vec![]),
        (
            "deep block mappings",
            deep_block_mappings(10_000).into_bytes(),
            vec![],
        ),
        ("binary garbage", binary_garbage(), vec![]),
        ("empty", vec![], vec![]),
        ("a scalar", b"hello\n".to_vec(), vec![]),
        ("JSON array", b"[1, 2, 3]".to_vec(), vec![]),
        (
            "an AppSpec with a broken stream",
            format!("{APP}---\n[unclosed\n").into_bytes(),
            vec![],
        ),
        (
            "above --max-input-bytes",
            padded_list(2_000).into_bytes(),
            vec!["--max-input-bytes", "1000"],
        ),
    ];
    // The same file is fine without the small limit (as a manifest, not a ResourceList).
    let app = tmp.path().join("app.yaml");
    std::fs::write(
        &app,
        APP.to_string() + "  env: {PAD: \"" + &"x".repeat(1_500) + "\"}\n",
    )
    .unwrap();
    let ok = appspec().arg("render").arg(&app).output().unwrap();
    assert_eq!(
        ok.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );
    cases.push((
        "an AppSpec above --max-input-bytes",
        std::fs::read(&app).unwrap(),
        vec!["--max-input-bytes", "1000"],
    ));
    for (i, (what, bytes, args)) in cases.into_iter().enumerate() {
        let file = tmp.path().join(format!("case-{i}.yaml"));
        std::fs::write(&file, bytes).unwrap();
        let out = appspec()
            .args(&args)
            .arg("render")
            .arg(&file)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!stderr.contains("panicked"), "{what}: panic\n{stderr}");
        assert!(
            matches!(out.status.code(), Some(c) if c != 0),
            "{what}: exit {:?}\n{stderr}",
            out.status.code()
        );
        assert!(out.stdout.is_empty(), "{what}: stdout not empty");
        let first = stderr.lines().next().unwrap_or("");
        assert!(!first.trim().is_empty(), "{what}: no reason on stderr");
    }
}

#[test]
fn render_above_the_default_limit() {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("big.yaml");
    std::fs::write(&file, padded_list(65 * 1024 * 1024)).unwrap();
    let out = appspec().arg("render").arg(&file).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("above the input limit"), "{stderr}");
}

/// Nesting just under the limit still works: the limit refuses depth, not structure.
#[test]
fn nesting_under_the_limit_is_accepted() {
    let input = resource_list(&format!(
        "- apiVersion: v1\n  kind: ConfigMap\n  metadata: {{name: deep}}\n  data: {{}}\n  x: {}1{}\n",
        "[".repeat(100),
        "]".repeat(100)
    ));
    let out = appspec().write_stdin(input).output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

//! Hostile input, through the binary: oversized input, alias bombs, deep nesting, JSON that
//! is not a ResourceList, binary garbage, empty input, a wrong apiVersion, `items` that is
//! not a list.
//!
//! KRM mode (stdin): exit 1, a ResourceList on stdout with an error result, a readable line
//! on stderr, and no panic. `render FILE`: non-zero, nothing on stdout, the reason on stderr.
//! No wall-clock time is asserted here: `scripts/bench.sh` measures how fast these are
//! refused.

mod common;

use common::appspec;
use serde_json::{Value, json};

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
        ("billion laughs", billion_laughs().into_bytes(), ALIAS_BOMB),
        ("alias flood", alias_flood().into_bytes(), ALIAS_BOMB),
        (
            "10000-deep flow sequences",
            deep_flow(10_000).into_bytes(),
            "input is not valid YAML: recursion limit exceeded at line 4",
        ),
        (
            "10000-deep flow mappings",
            deep_flow_mappings(10_000).into_bytes(),
            TOO_DEEP,
        ),
        (
            "10000-deep block sequences",
            deep_block(10_000).into_bytes(),
            TOO_DEEP,
        ),
        (
            "10000-deep block mappings",
            deep_block_mappings(10_000).into_bytes(),
            TOO_DEEP,
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
            format!("{}---\n{}", resource_list(" []\n"), resource_list(" []\n")).into_bytes(),
            "input is not valid YAML: more than one YAML document where one was expected",
        ),
        (
            "a broken document",
            resource_list("[]\n").into_bytes(),
            "input is not valid YAML: simple key expected ':' at line 4, column 1",
        ),
    ]
}

/// What the parser's limits say (through KRM mode's "input is not valid YAML: ").
const ALIAS_BOMB: &str = "input is not valid YAML: input refused by the YAML parser's limits: too much alias expansion (a YAML alias bomb?)";
const TOO_DEEP: &str =
    "input is not valid YAML: input refused by the YAML parser's limits: nesting too deep";

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
        appspec::input::yaml::parse_one(&stdout, &appspec::input::yaml::Limits::default())
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

/// Exit 0, no error result, and the expanded app (or the pass-through items) on stdout.
fn assert_krm_success(what: &str, out: &std::process::Output) -> Vec<Value> {
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{what}: exit code\nstderr: {stderr}"
    );
    assert!(stderr.is_empty(), "{what}: stderr: {stderr}");
    let list: Value = serde_json::to_value(
        appspec::input::yaml::parse_one(&stdout, &appspec::input::yaml::Limits::default())
            .unwrap_or_else(|e| panic!("{what}: stdout is not YAML ({e}):\n{stdout}")),
    )
    .unwrap();
    assert_eq!(list["kind"], "ResourceList", "{what}");
    assert!(
        list["results"]
            .as_array()
            .is_none_or(|r| r.iter().all(|r| r["severity"] != "error")),
        "{what}: error results:\n{stdout}"
    );
    list["items"].as_array().cloned().unwrap_or_default()
}

/// The app of `padded_list`, expanded: its Deployment carries the padding.
fn assert_padded_app_expanded(what: &str, items: &[Value], pad_len: usize) {
    let kinds: Vec<&str> = items.iter().filter_map(|i| i["kind"].as_str()).collect();
    assert_eq!(kinds, ["Deployment", "Service", "Ingress"], "{what}");
    let env = &items[0]["spec"]["template"]["spec"]["containers"][0]["env"];
    assert_eq!(env[0]["name"], "PAD", "{what}");
    assert_eq!(
        env[0]["value"].as_str().map(str::len),
        Some(pad_len),
        "{what}: the padding"
    );
}

fn pad_len(input: &str) -> usize {
    let start = input.find("PAD: \"").unwrap() + 6;
    input[start..].find('"').unwrap()
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
    let items = assert_krm_success("--max-input-bytes 4000", &ok);
    assert_padded_app_expanded("--max-input-bytes 4000", &items, pad_len(&input));

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
    let items = assert_krm_success("exactly the limit is accepted", &at);
    assert_padded_app_expanded("exactly the limit", &items, pad_len(&input));
    let below = appspec()
        .args(["--max-input-bytes", &(len - 1).to_string()])
        .write_stdin(input)
        .output()
        .unwrap();
    assert_krm_refusal(
        "one byte over is refused",
        &below,
        &format!(
            "input on stdin is larger than the limit of {} bytes",
            len - 1
        ),
    );
}

/// The hostile inputs of `render`, written to a file: non-zero, nothing on stdout.
#[test]
fn render_refuses_hostile_files() {
    let tmp = tempfile::tempdir().unwrap();
    // (what, content, extra arguments, exit code, what the first stderr line says)
    type Case = (&'static str, Vec<u8>, Vec<&'static str>, i32, String);
    let not_yaml = |why: &str| format!("not valid YAML: {why}");
    let alias_bomb = not_yaml(
        "input refused by the YAML parser's limits: too much alias expansion (a YAML alias bomb?)",
    );
    let too_deep = not_yaml("input refused by the YAML parser's limits: nesting too deep");
    let mut cases: Vec<Case> = vec![
        (
            "billion laughs",
            billion_laughs().into_bytes(),
            vec![],
            1,
            alias_bomb.clone(),
        ),
        (
            "alias flood",
            alias_flood().into_bytes(),
            vec![],
            1,
            alias_bomb,
        ),
        (
            "deep flow",
            deep_flow(10_000).into_bytes(),
            vec![],
            1,
            not_yaml("recursion limit exceeded at line 4"),
        ),
        (
            "deep flow mappings",
            deep_flow_mappings(10_000).into_bytes(),
            vec![],
            1,
            too_deep.clone(),
        ),
        (
            "deep block",
            deep_block(10_000).into_bytes(),
            vec![],
            1,
            too_deep.clone(),
        ),
        (
            "deep block mappings",
            deep_block_mappings(10_000).into_bytes(),
            vec![],
            1,
            too_deep,
        ),
        (
            "binary garbage",
            binary_garbage(),
            vec![],
            2,
            "is not UTF-8 text".into(),
        ),
        ("empty", vec![], vec![], 1, "no manifests found".into()),
        (
            "a scalar",
            b"hello\n".to_vec(),
            vec![],
            1,
            "document 1 is not a Kubernetes resource (no kind)".into(),
        ),
        (
            "JSON array",
            b"[1, 2, 3]".to_vec(),
            vec![],
            1,
            "document 1 is not a Kubernetes resource (no kind)".into(),
        ),
        (
            "an AppSpec with a broken stream",
            format!("{APP}---\n[unclosed\n").into_bytes(),
            vec![],
            1,
            not_yaml("unclosed bracket '[' at line 9"),
        ),
        (
            "above --max-input-bytes",
            padded_list(2_000).into_bytes(),
            vec!["--max-input-bytes", "1000"],
            2,
            "is above the input limit of 1000 bytes (--max-input-bytes)".into(),
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
    let rendered = String::from_utf8(ok.stdout).unwrap();
    assert!(
        rendered.contains("kind: Deployment") && rendered.contains(&"x".repeat(1_500)),
        "the padded app renders:\n{rendered}"
    );
    cases.push((
        "an AppSpec above --max-input-bytes",
        std::fs::read(&app).unwrap(),
        vec!["--max-input-bytes", "1000"],
        2,
        "is above the input limit of 1000 bytes (--max-input-bytes)".into(),
    ));
    for (i, (what, bytes, args, exit, needle)) in cases.into_iter().enumerate() {
        let name = format!("case-{i}.yaml");
        let file = tmp.path().join(&name);
        std::fs::write(&file, bytes).unwrap();
        let out = appspec()
            .args(&args)
            .arg("render")
            .arg(&file)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!stderr.contains("panicked"), "{what}: panic\n{stderr}");
        assert_eq!(out.status.code(), Some(exit), "{what}: exit code\n{stderr}");
        assert!(out.stdout.is_empty(), "{what}: stdout not empty");
        let first = stderr.lines().next().unwrap_or("");
        assert!(
            first.contains(&name) && first.contains(&needle),
            "{what}: the first stderr line names {name} and says {needle:?}:\n{stderr}"
        );
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
    // Reading 100 levels back recurses deeper than a test thread's stack allows in a debug
    // build: on a big stack, as the binary does.
    appspec::input::yaml::with_big_stack(move || {
        let items = assert_krm_success("100-deep nesting", &out);
        assert_eq!(items.len(), 1, "the ConfigMap passes through");
        // The nesting comes back whole: 100 lists around the 1.
        let mut x = &items[0]["x"];
        for depth in 0..100 {
            let list = x
                .as_array()
                .unwrap_or_else(|| panic!("depth {depth}: not a list: {x}"));
            assert_eq!(list.len(), 1, "depth {depth}");
            x = &list[0];
        }
        assert_eq!(x, &json!(1));
    });
}

/// Alias bombs of about 1 KB: each is refused inside a 96 MiB address space (the parser's
/// anchor and node budgets grow with the input, so a small input cannot expand to hundreds
/// of MB before the refusal).
#[test]
fn small_alias_bombs_are_refused_in_little_memory() {
    let head = "apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems: []\n";
    let mut wide = format!("{head}a0: &a0 [{}]\n", vec!["x"; 300].join(","));
    let mut long = format!("{head}a0: &a0 \"{}\"\n", "x".repeat(500));
    for i in 1..20 {
        wide.push_str(&format!("a{i}: &a{i} [*a{p}, *a{p}]\n", p = i - 1));
        if i < 12 {
            long.push_str(&format!("a{i}: &a{i} [*a{p}, *a{p}]\n", p = i - 1));
        }
    }
    let bin = assert_cmd::cargo::cargo_bin("appspec");
    for (what, input) in [
        ("billion laughs", billion_laughs()),
        ("doubling a wide anchor", wide),
        ("doubling a long string", long),
    ] {
        assert!(input.len() < 1200, "{what}: {} bytes", input.len());
        let out = assert_cmd::Command::new("sh")
            .args(["-c", "ulimit -v 98304 && exec \"$0\""])
            .arg(&bin)
            .env_remove("APPSPEC_MAX_INPUT_BYTES")
            .write_stdin(input)
            .output()
            .unwrap();
        assert_krm_refusal(what, &out, "alias bomb");
    }
}

/// A small app-template HelmRelease whose ingress host is `host`.
fn release_with_host(host: &str) -> String {
    format!(
        "apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata: {{name: web, namespace: shop}}\nspec:\n  chart: {{spec: {{chart: app-template, version: 3.7.3}}}}\n  values:\n    controllers:\n      web:\n        containers:\n          app:\n            image: {{repository: ghcr.io/acme/web, tag: 1.0.0}}\n    service:\n      app: {{controller: web, ports: {{http: {{port: 80}}}}}}\n    ingress:\n      app:\n        hosts:\n        - host: \"{host}\"\n          paths: [{{path: /, service: {{identifier: app, port: http}}}}]\n"
    )
}

/// `import` of Flux variables nested without end (`${A:-${A:-...}}`, 585 KB) under a
/// 1 GiB address-space limit: a clear error naming the value, not an allocation abort.
#[cfg(unix)]
#[test]
fn import_refuses_nested_variable_bombs() {
    let dir = tempfile::tempdir().unwrap();
    let n = 585_000 / 6;
    let host = format!("{}x{}", "${A:-".repeat(n), "}".repeat(n));
    for (name, host) in [
        ("deep", host.as_str()),
        (
            "nine",
            &format!("{}x.example.com{}", "${A:-".repeat(9), "}".repeat(9)),
        ),
    ] {
        let file = dir.path().join(format!("{name}.yaml"));
        std::fs::write(&file, release_with_host(host)).unwrap();
        let bin = assert_cmd::cargo::cargo_bin("appspec");
        let out = std::process::Command::new("sh")
            .arg("-c")
            .arg("ulimit -v 1048576; exec \"$0\" import \"$1\"")
            .arg(&bin)
            .arg(&file)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{name}: {stderr}");
        assert!(out.stdout.is_empty(), "{name}");
        assert!(
            stderr.contains("HelmRelease/shop/web: ")
                && stderr.contains("spec.values.ingress.app.hosts[0].host")
                && stderr.contains("nested more than 8 deep"),
            "{name}: {stderr}"
        );
    }
    // Eight levels are a real (if odd) value: imported.
    let file = dir.path().join("eight.yaml");
    let host = format!("{}web.in.hypyr.space{}", "${A:-".repeat(8), "}".repeat(8));
    std::fs::write(&file, release_with_host(&host)).unwrap();
    let out = appspec().arg("import").arg(&file).output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("host: web.in.hypyr.space"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// What a YAML 1.1 reader (PyYAML, as kustomize's and many tools' readers are) sees in a
/// stream: the kind of each document.
fn yaml11_kinds(python: &std::path::Path, stream: &str) -> String {
    use std::io::Write;
    let mut child = std::process::Command::new(python)
        .args([
            "-c",
            "import sys, yaml\nfor d in yaml.safe_load_all(sys.stdin.buffer.read().decode('utf-8')):\n    print(d.get('kind') if isinstance(d, dict) else repr(d))",
        ])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stream.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// Every line separator YAML knows, in text that reaches `import`'s header comment (the
/// chart version, the file name), stays inside the comment for a YAML 1.1 reader too: one
/// AppSpec document, nothing injected after it.
#[test]
fn import_comments_cannot_be_broken_out_of() {
    let Some(python) = common::python() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    for sep in ["\n", "\r", "\u{85}", "\u{2028}", "\u{2029}", "\r\n"] {
        let inject = format!(
            "{sep}---{sep}apiVersion: v1{sep}kind: ConfigMap{sep}metadata: {{name: injected}}{sep}# "
        );
        let escaped = serde_json::to_string(&format!("3.7.3{inject}")).unwrap();
        let file = dir
            .path()
            .join(format!("hr{}.yaml", inject.replace(['/', '\n', '\r'], "_")));
        std::fs::write(
            &file,
            release_with_host("web.in.hypyr.space")
                .replace("version: 3.7.3", &format!("version: {escaped}")),
        )
        .unwrap();
        let out = appspec().arg("import").arg(&file).output().unwrap();
        let stdout = String::from_utf8(out.stdout).unwrap();
        assert_eq!(
            out.status.code(),
            Some(0),
            "{sep:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(stdout.contains("# Imported from"), "{stdout}");
        assert_eq!(
            yaml11_kinds(&python, &stdout),
            "AppSpec\n",
            "{sep:?}: {stdout}"
        );
    }
}

/// `podAnnotations` just under 256 KiB pass on their own but not with the files hash the
/// function adds to the same pod template: refused with the total, before the API server
/// would refuse the Deployment.
#[test]
fn pod_annotations_leave_room_for_the_functions_own() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("app.yaml");
    let key = "example.com/big";
    let write = |total: usize| {
        let value = "x".repeat(total - key.len());
        std::fs::write(
            &file,
            format!("{APP}  files:\n    /etc/app.conf: {{content: a}}\n  podAnnotations:\n    {key}: {value}\n"),
        )
        .unwrap();
    };
    write(256 * 1024 - 20);
    let out = appspec().arg("render").arg(&file).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(out.stdout.is_empty());
    assert!(
        stderr.contains("spec.podAnnotations: annotations total 262171 bytes with the 47 the function adds to the pod; Kubernetes allows at most 262144"),
        "{stderr}"
    );
    write(256 * 1024 - 47);
    let out = appspec().arg("render").arg(&file).output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// `ingress.annotations` must leave room for what the function adds to the same Ingress (the
/// external-dns hostname list and a few short keys): refused with the total just past the
/// 256 KiB Kubernetes allows, accepted at it.
#[test]
fn ingress_annotations_leave_room_for_the_functions_own() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("app.yaml");
    let key = "example.com/big";
    // The built-in platform's host of `web`, a comma, and the reserve for the other keys.
    let own = "web.in.hypyr.space".len() + 1 + 1024;
    let write = |total: usize| {
        let value = "x".repeat(total - key.len());
        std::fs::write(
            &file,
            format!("{APP}  ingress:\n    annotations:\n      {key}: {value}\n"),
        )
        .unwrap();
    };
    write(256 * 1024 - own + 1);
    let out = appspec().arg("render").arg(&file).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(out.stdout.is_empty());
    assert!(
        stderr.contains(&format!(
            "spec.ingress.annotations: annotations total {} bytes, with up to {own} the function adds; Kubernetes allows at most 262144 on an Ingress or HTTPRoute",
            256 * 1024 - own + 1
        )),
        "{stderr}"
    );
    write(256 * 1024 - own);
    let out = appspec().arg("render").arg(&file).output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// An AppSpec with `n` of each list the bounds cover.
fn app_with_lists(
    sidecars: usize,
    init: usize,
    mounts: usize,
    files: usize,
    ports: usize,
    aliases: usize,
    routes: usize,
) -> String {
    let section = |head: &str, n: usize, item: &dyn Fn(usize) -> String| {
        if n == 0 {
            return String::new();
        }
        let mut out = format!("{head}\n");
        for i in 0..n {
            out.push_str(&item(i));
        }
        out
    };
    let mut s = String::from(APP);
    s += &section("  sidecars:", sidecars, &|i| {
        format!("  - {{name: side{i}, image: ghcr.io/acme/side:1.0.0}}\n")
    });
    s += &section("  init:", init, &|i| {
        format!("  - {{name: init{i}, image: ghcr.io/acme/init:1.0.0}}\n")
    });
    s += &section("  mounts:", mounts, &|i| {
        format!("  - {{path: /m/{i}, emptyDir: {{}}}}\n")
    });
    s += &section("  files:", files, &|i| {
        format!("    /f/{i}.conf: {{content: x}}\n")
    });
    s += &section("  ports:", ports, &|i| format!("    p{i}: {}\n", 1000 + i));
    if aliases + routes > 0 {
        s += "  ingress:\n";
        s += &section("    aliases:", aliases, &|i| {
            format!("    - a{i}.in.hypyr.space\n")
        });
        s += &section("    routes:", routes, &|i| {
            format!(
                "    - {{host: r{i}.in.hypyr.space, port: p{}}}\n",
                i % ports.max(1)
            )
        });
    }
    s
}

/// Output bombs: 1,500 mounts and 1,500 sidecars (each container mounts every volume) made
/// 123 MB from 129 KB. Each list is bounded at what real apps need with room (the numbers
/// are in docs/refusals.md); over a bound the app is refused at once, with each count, and
/// at every bound together the output stays within a fixed multiple of the input.
#[test]
fn list_bounds_keep_output_proportional_to_input() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("app.yaml");
    std::fs::write(&file, app_with_lists(1500, 0, 1500, 0, 0, 0, 0)).unwrap();
    let out = appspec().arg("render").arg(&file).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(out.stdout.is_empty());
    for needle in [
        "spec.sidecars: 1500 sidecars; at most 16 are allowed",
        "spec.mounts: 1500 mounts; at most 64 are allowed",
    ] {
        assert!(stderr.contains(needle), "{needle}: {stderr}");
    }
    assert!(stderr.lines().count() <= 4, "one line per bound: {stderr}");
    for (over, needle) in [
        (
            app_with_lists(0, 17, 0, 0, 0, 0, 0),
            "spec.init: 17 init containers; at most 16",
        ),
        (
            app_with_lists(0, 0, 0, 129, 0, 0, 0),
            "spec.files: 129 files; at most 128",
        ),
        (
            app_with_lists(0, 0, 0, 0, 65, 0, 0),
            "spec.ports: 65 ports; at most 64",
        ),
        (
            app_with_lists(0, 0, 0, 0, 1, 33, 0),
            "spec.ingress.aliases: 33 aliases; at most 32",
        ),
        (
            app_with_lists(0, 0, 0, 0, 1, 0, 33),
            "spec.ingress.routes: 33 routes; at most 32",
        ),
    ] {
        std::fs::write(&file, over).unwrap();
        let out = appspec().arg("render").arg(&file).output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{needle}: {stderr}");
        assert!(stderr.contains(needle), "{needle}: {stderr}");
    }
    // Every list at its bound at once: rendered, and bounded by the input.
    let input = app_with_lists(16, 16, 64, 128, 64, 32, 32);
    std::fs::write(&file, &input).unwrap();
    let out = appspec().arg("render").arg(&file).output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let ratio = out.stdout.len() as f64 / input.len() as f64;
    assert!(
        ratio < 60.0 && out.stdout.len() < 4 << 20,
        "{} bytes out of {} in ({ratio:.1}x)",
        out.stdout.len(),
        input.len()
    );
}

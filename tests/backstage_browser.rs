//! The Backstage form of `examples/backstage/template.yaml` as a person sees it, in Chromium.
//!
//! `examples/backstage/browser/run-browser.mjs` (Node; packages pinned in its
//! package-lock.json) bundles Backstage's own scaffolder `Stepper`
//! (`@backstage/plugin-scaffolder-react` 2.1.0: rjsf 5.24.13 with its Material UI theme,
//! `customizeValidator()` + `ajv-errors`) with esbuild, opens it in Debian's `chromium`
//! through `puppeteer-core`, and plays `scenarios.mjs`: happy paths typed into an empty form,
//! every conditional group, and every refusal. This test runs it once and checks:
//!
//! - every scenario passed: every step renders and shows the fields it should, in order;
//!   every refusal stays on its step with a message on its own field (and only there) that
//!   names the problem: never a raw pattern, `must NOT be valid` or `must be equal to
//!   constant`; descriptions read as written (markdown drops nothing) and no field shows
//!   another alternative's placeholder;
//! - the five findings of issue 26 are among them;
//! - what the form submits for each happy path, run through the template (Backstage's
//!   `fetch:template`, `examples/backstage/test/run-template.mjs`), commits an AppSpec
//!   `appspec validate` accepts, with the values typed in;
//! - the function refuses what the form refuses (the same values through the template).
//!
//! Screenshots of the happy path's steps go to a temporary directory;
//! `UPDATE_SCREENSHOTS=1` writes them to `examples/backstage/screenshots/` (the pictures of
//! examples/backstage/README.md) instead. Pixels are not compared: they are not stable.
//!
//! Without node, the installed packages or Chromium the test prints a notice and passes; with
//! `APPSPEC_REQUIRE_TOOLS=1` it runs `npm ci` itself, and a missing node, npm or Chromium
//! (scripts/test.sh installs Debian's `chromium`) is a failure.

mod common;

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use appspec::input::yaml::{self, Limits};
use serde_json::{Value, json};

use common::{BIN, find_on_path, missing_tool, on_path, repo_root, tools_required};

fn example_dir() -> PathBuf {
    repo_root().join("examples/backstage")
}

/// The scenarios that pin the five findings of issue 26 (each must be there and pass).
const FINDINGS: &[(&str, &str)] = &[
    (
        "1: a raw regular expression was the message",
        "image-uppercase-path",
    ),
    ("1", "bucket-xn-prefix"),
    ("1", "nas-subpath-outside-prefix"),
    ("1", "host-internal-outside-domain"),
    (
        "2: must NOT be valid for a reserved name without a namespace",
        "name-reserved-no-namespace",
    ),
    (
        "2: must NOT be valid for a reserved namespace",
        "namespace-kube-system",
    ),
    (
        "2: must NOT be valid for an external host under the internal domain",
        "host-external-under-internal",
    ),
    (
        "2: must NOT be valid for a schedule that never fires",
        "schedule-30-february",
    ),
    (
        "2: must be equal to constant for Volsync backups of ephemeral storage",
        "volsync-with-ephemeral",
    ),
    (
        "3: <name> dropped from the host descriptions by markdown",
        "ingress-internal-only",
    ),
    ("3", "ingress-external-via-tunnel"),
    (
        "4: the external host showed the internal placeholder",
        "ingress-external-via-tunnel",
    ),
    (
        "5: the storage pattern's fields below the media library",
        "storage-nas-mount-media",
    ),
    ("5", "storage-longhorn-persistent"),
];

/// Whether node with npm's packages (installed here with `npm ci` when tools are required)
/// is there for `dir`.
fn npm_ready(dir: &Path) -> bool {
    if on_path("node") && dir.join("node_modules").is_dir() {
        return true;
    }
    if !tools_required() {
        missing_tool(&format!("node or {}/node_modules", dir.display()));
        return false;
    }
    assert!(
        on_path("node") && on_path("npm"),
        "node and npm are required for the Backstage form tests (APPSPEC_REQUIRE_TOOLS=1)"
    );
    let started = Instant::now();
    let status = Command::new("npm")
        .args(["ci", "--no-audit", "--no-fund"])
        .current_dir(dir)
        .status()
        .expect("cannot run npm");
    assert!(status.success(), "npm ci in {} failed", dir.display());
    eprintln!("npm ci in {} took {:.1?}", dir.display(), started.elapsed());
    true
}

/// Debian's Chromium: `$CHROMIUM`, else `chromium` on PATH, else /usr/bin/chromium.
fn chromium() -> Option<PathBuf> {
    let found = std::env::var_os("CHROMIUM")
        .map(PathBuf::from)
        .or_else(|| find_on_path("chromium"))
        .or_else(|| Some(PathBuf::from("/usr/bin/chromium")))
        .filter(|p| p.is_file());
    if found.is_none() {
        missing_tool("chromium (Debian's package; scripts/test.sh installs it)");
    }
    found
}

fn run_node(script: &Path, args: &[&Path], envs: &[(&str, &Path)]) -> String {
    let started = Instant::now();
    let mut cmd = Command::new("node");
    cmd.arg(script).args(args);
    for (k, v) in envs {
        cmd.env(k, v);
    }
    let out = cmd.output().expect("cannot run node");
    assert!(
        out.status.success(),
        "{} failed ({:?}):\n{}\n{}",
        script.display(),
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    eprintln!(
        "{}: {:.1?}",
        script.file_name().unwrap().to_string_lossy(),
        started.elapsed()
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn read_json(path: &Path) -> Value {
    serde_json::from_slice(
        &fs::read(path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display())),
    )
    .unwrap_or_else(|e| panic!("{} is not JSON: {e}", path.display()))
}

/// The parameter sets through the template (Backstage's `fetch:template`), each case's
/// committed app.yaml (or None when the run failed), by case id.
fn through_template(out: &Path, cases: &[(String, Value)]) -> BTreeMap<String, Option<PathBuf>> {
    let dir = out.join("template");
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).unwrap();
    let list: Vec<Value> = cases
        .iter()
        .map(|(id, params)| json!({"id": id, "parameters": params}))
        .collect();
    let cases_file = dir.join("cases.json");
    fs::write(&cases_file, json!({ "cases": list }).to_string()).unwrap();
    run_node(
        &example_dir().join("test/run-template.mjs"),
        &[&cases_file, &dir],
        &[],
    );
    let results = read_json(&dir.join("results.json"));
    results["cases"]
        .as_array()
        .expect("cases")
        .iter()
        .map(|r| {
            let id = r["id"].as_str().expect("id").to_string();
            let app = (r["run"]["ok"] == json!(true)).then(|| {
                let file = r["run"]["pr"]["files"]
                    .as_array()
                    .expect("files")
                    .iter()
                    .filter_map(Value::as_str)
                    .find(|f| f.ends_with("/app.yaml"))
                    .unwrap_or_else(|| panic!("{id}: no app.yaml"));
                dir.join(&id).join("repo").join(file)
            });
            (id, app)
        })
        .collect()
}

/// `appspec validate FILE`: whether it accepts the file, and what it says.
fn validate(file: &Path) -> (bool, String) {
    let out = Command::new(BIN)
        .arg("validate")
        .arg(file)
        .output()
        .expect("cannot run appspec validate");
    assert!(
        matches!(out.status.code(), Some(0 | 1)),
        "appspec validate {} exited {:?}",
        file.display(),
        out.status.code()
    );
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn a_person_fills_in_the_backstage_form_in_chromium() {
    let browser_dir = example_dir().join("browser");
    if !npm_ready(&browser_dir) || !npm_ready(&example_dir().join("test")) {
        return;
    }
    let Some(chromium) = chromium() else { return };
    let out = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("backstage-browser");
    let _ = fs::remove_dir_all(&out);
    fs::create_dir_all(&out).unwrap();
    let update = std::env::var("UPDATE_SCREENSHOTS").is_ok_and(|v| v == "1");
    let shots = if update {
        example_dir().join("screenshots")
    } else {
        out.join("screenshots")
    };
    let log = run_node(
        &browser_dir.join("run-browser.mjs"),
        &[&out, &shots],
        &[("CHROMIUM", &chromium)],
    );
    let results = read_json(&out.join("results.json"));
    eprintln!("timings: {}", results["timings"]);

    // Every scenario passed.
    let scenarios = results["scenarios"].as_array().expect("scenarios");
    let failed: Vec<String> = scenarios
        .iter()
        .filter(|s| s["problems"].as_array().is_none_or(|p| !p.is_empty()))
        .map(|s| format!("{}: {}", s["id"], s["problems"]))
        .collect();
    assert!(
        failed.is_empty(),
        "{} of {} scenarios failed:\n{}\n\nlog:\n{log}",
        failed.len(),
        scenarios.len(),
        failed.join("\n")
    );
    let count = |kind: &str| scenarios.iter().filter(|s| s["kind"] == kind).count();
    let (happy, conditional, refusals) = (count("happy"), count("conditional"), count("refusal"));
    assert!(
        happy >= 5 && conditional >= 17 && refusals >= 50,
        "{happy} happy paths, {conditional} conditional groups, {refusals} refusals"
    );
    let passed = |id: &str| scenarios.iter().any(|s| s["id"] == id);
    for (finding, id) in FINDINGS {
        assert!(passed(id), "finding {finding}: no scenario {id}");
    }
    // Every step of the template was shown, with the fields of its step.
    let tour = scenarios
        .iter()
        .find(|s| s["id"] == "tour")
        .expect("the tour");
    let steps: Vec<&str> = tour["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["step"].as_str().unwrap())
        .collect();
    assert_eq!(steps, ["Application", "Storage", "Ingress", "Backup"]);
    // The screenshots of the filled-in steps and of the review.
    for name in [
        "1-application",
        "2-storage",
        "3-ingress",
        "4-backup",
        "5-review",
        "6-refused",
    ] {
        let png = fs::read(shots.join(format!("{name}.png"))).expect("a screenshot");
        assert!(
            png.starts_with(b"\x89PNG") && png.len() > 10_000,
            "{name}.png"
        );
    }

    // What the form submits, and what it refuses, through the template; the function
    // accepts the one and refuses the other.
    let submitted: Vec<(String, Value)> = results["submitted"]
        .as_array()
        .expect("submitted")
        .iter()
        .map(|s| (s["id"].as_str().unwrap().to_string(), s["values"].clone()))
        .collect();
    assert_eq!(submitted.len(), happy, "every happy path submits");
    let refused: Vec<(String, Value)> = scenarios
        .iter()
        .filter(|s| s["kind"] == "refusal")
        .map(|s| (s["id"].as_str().unwrap().to_string(), s["values"].clone()))
        .collect();
    let all: Vec<(String, Value)> = submitted.iter().chain(&refused).cloned().collect();
    let apps = through_template(&out, &all);
    for (id, values) in &submitted {
        let app = apps[id]
            .as_ref()
            .unwrap_or_else(|| panic!("{id}: the template run failed"));
        let (ok, stderr) = validate(app);
        assert!(
            ok,
            "{id}: appspec validate refuses what the form submitted:\n{stderr}"
        );
        let text = fs::read_to_string(app).unwrap();
        let spec = yaml::parse_one(&text, &Limits::default()).expect("one YAML document");
        assert_eq!(spec["metadata"]["name"], values["name"], "{id}");
        assert_eq!(spec["spec"]["image"], values["image"], "{id}");
        assert_eq!(
            spec["spec"]["storage"]["pattern"], values["storagePattern"],
            "{id}"
        );
        assert_eq!(
            spec["spec"]["ingress"]["pattern"], values["ingressPattern"],
            "{id}"
        );
        for (form, pointer) in [
            ("host", "/spec/ingress/host"),
            ("backupSchedule", "/spec/backup/schedule"),
            ("nasSubpath", "/spec/storage/nas/subpath"),
            ("s3Bucket", "/spec/storage/s3/bucket"),
            ("claimName", "/spec/storage/claimName"),
            ("mediaSubpath", "/spec/mounts/0/nas/subpath"),
            ("secretsFromStore", "/spec/secretEnv/fromStore"),
            ("probePath", "/spec/probes/path"),
            ("probePeriodSeconds", "/spec/probes/periodSeconds"),
            ("probeTimeoutSeconds", "/spec/probes/timeoutSeconds"),
            ("probeFailureThreshold", "/spec/probes/failureThreshold"),
        ] {
            if let Some(v) = values.get(form) {
                assert_eq!(spec.pointer(pointer), Some(v), "{id}: {form}\n{text}");
            }
        }
        // The start-up time is a startup probe of its own: checks every 10 s, that long.
        if let Some(minutes) = values.get("startupMinutes").and_then(Value::as_i64) {
            let startup = &spec["spec"]["probes"]["startup"];
            assert_eq!(startup["periodSeconds"], json!(10), "{id}\n{text}");
            assert_eq!(
                startup["failureThreshold"],
                json!(minutes * 6),
                "{id}\n{text}"
            );
            assert_eq!(startup["path"], values["probePath"], "{id}\n{text}");
        }
        // A whole Secret as a directory.
        let mounts = spec["spec"]["mounts"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        let secret_mounts: Vec<&Value> = mounts
            .iter()
            .filter(|m| m.get("secret").is_some())
            .collect();
        if values["secretMount"] == json!(true) {
            assert_eq!(
                secret_mounts,
                [&json!({"path": values["secretPath"], "secret": values["secretName"]})],
                "{id}\n{text}"
            );
        } else {
            assert!(secret_mounts.is_empty(), "{id}\n{text}");
        }
        let https = spec.pointer("/spec/probes/scheme") == Some(&json!("HTTPS"));
        assert_eq!(https, values["probeHttps"] == json!(true), "{id}\n{text}");
    }
    let mut pairs = Vec::new();
    for (id, _) in &refused {
        let Some(app) = &apps[id] else { continue };
        let (ok, stderr) = validate(app);
        assert!(
            !ok,
            "{id}: the form refuses it, the function accepts:\n{}",
            fs::read_to_string(app).unwrap()
        );
        let form = scenarios.iter().find(|s| s["id"] == id.as_str()).unwrap();
        pairs.push(format!(
            "{id}\n  form:     {}\n  function: {}",
            form["messages"][0].as_str().unwrap_or(""),
            stderr
                .lines()
                .find(|l| !l.trim().is_empty())
                .and_then(|l| l.split_once(": "))
                .map_or("", |(_, m)| m.trim())
        ));
    }
    eprintln!("what the form and the function say:\n{}", pairs.join("\n"));
}

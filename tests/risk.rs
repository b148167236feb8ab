//! Table-driven suite for `appspec risk BASE HEAD`: adding a case is adding a folder.
//!
//! Every `tests/risk/<case>/` holds `base/` and `head/` (either may be missing: that side
//! has no specs) and `expected.json`:
//!
//! ```json
//! {"level": "high", "apps": [{"app": "ns/name", "change": "modified", "codes": ["storage-shrunk"]}]}
//! ```
//!
//! `codes` is the sorted list of reason codes of the app (messages are free text and not
//! compared; each must be non-empty). An optional `note` says why the case expects what it
//! does. The binary runs as `appspec risk base head`; its JSON report must match and its
//! exit code must be 0 for `low`, 1 for `high`.
//!
//! A case whose `expected.json` has a `known_gap` (a sentence) documents a product bug: the
//! expectation is what the contract asks for, and the product is known to answer otherwise.
//! Such a case must still differ from the expectation (strict expected-failure): once the
//! product is fixed the suite fails, and the marker is to be removed.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

mod common;

use common::appspec;
use serde_json::{Value, json};

fn cases_dir() -> PathBuf {
    common::repo_root().join("tests/risk")
}

/// What a run said, reduced to what the table pins: level, and per app change and codes.
#[derive(Debug, PartialEq)]
struct Outcome {
    exit: Option<i32>,
    level: String,
    apps: Vec<(String, String, Vec<String>)>,
}

fn reduce_report(report: &Value, exit: Option<i32>) -> Outcome {
    let level = report["level"].as_str().unwrap_or("<none>").to_string();
    let apps = report["apps"]
        .as_array()
        .map(|apps| {
            apps.iter()
                .map(|a| {
                    let mut codes: Vec<String> = a["reasons"]
                        .as_array()
                        .map(|rs| {
                            rs.iter()
                                .map(|r| r["code"].as_str().unwrap_or("<none>").to_string())
                                .collect()
                        })
                        .unwrap_or_default();
                    codes.sort();
                    (
                        a["app"].as_str().unwrap_or("<none>").to_string(),
                        a["change"].as_str().unwrap_or("<none>").to_string(),
                        codes,
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    Outcome { exit, level, apps }
}

fn expected_outcome(expected: &Value) -> Outcome {
    let level = expected["level"].as_str().expect("expected.json: level");
    let apps = expected["apps"]
        .as_array()
        .expect("expected.json: apps")
        .iter()
        .map(|a| {
            let codes: Vec<String> = a["codes"]
                .as_array()
                .expect("expected.json: apps[].codes")
                .iter()
                .map(|c| c.as_str().expect("a code is a string").to_string())
                .collect();
            let mut sorted = codes.clone();
            sorted.sort();
            assert_eq!(codes, sorted, "expected.json: keep codes sorted");
            (
                a["app"].as_str().expect("apps[].app").to_string(),
                a["change"].as_str().expect("apps[].change").to_string(),
                codes,
            )
        })
        .collect();
    let exit = match level {
        "low" => 0,
        "high" => 1,
        other => panic!("expected.json: level must be low or high, got {other}"),
    };
    Outcome {
        exit: Some(exit),
        level: level.to_string(),
        apps,
    }
}

/// Runs `appspec risk base head` in the case folder (relative paths, like a CI job).
fn run_case(dir: &Path) -> (Outcome, Value) {
    let out = appspec()
        .current_dir(dir)
        .args(["risk", "base", "head", "--format", "json"])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        !stderr.contains("panicked"),
        "{}: the binary panicked: {stderr}",
        dir.display()
    );
    let report: Value = serde_json::from_str(&stdout).unwrap_or_else(|e| {
        panic!(
            "{}: stdout is not a JSON report ({e}); exit {:?}\nstdout: {stdout}\nstderr: {stderr}",
            dir.display(),
            out.status.code()
        )
    });
    for a in report["apps"].as_array().into_iter().flatten() {
        for r in a["reasons"].as_array().into_iter().flatten() {
            let message = r["message"].as_str().unwrap_or("");
            assert!(
                !message.trim().is_empty(),
                "{}: reason {} of {} has no message",
                dir.display(),
                r["code"],
                a["app"]
            );
        }
    }
    (reduce_report(&report, out.status.code()), report)
}

#[test]
fn risk_cases() {
    let mut cases: Vec<PathBuf> = std::fs::read_dir(cases_dir())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    cases.sort();
    assert!(
        cases.len() >= 20,
        "only {} cases in tests/risk; the table lost cases",
        cases.len()
    );
    let mut failures = Vec::new();
    let mut gaps = Vec::new();
    for dir in &cases {
        let case = dir.file_name().unwrap().to_string_lossy().to_string();
        let expected: Value = serde_json::from_str(
            &std::fs::read_to_string(dir.join("expected.json"))
                .unwrap_or_else(|e| panic!("{case}/expected.json: {e}")),
        )
        .unwrap_or_else(|e| panic!("{case}/expected.json is not JSON: {e}"));
        let want = expected_outcome(&expected);
        let (got, report) = run_case(dir);
        match expected.get("known_gap").and_then(Value::as_str) {
            Some(gap) => {
                if got == want {
                    failures.push(format!(
                        "{case}: marked known_gap ({gap}) but the product now meets the expectation: remove known_gap from expected.json"
                    ));
                } else {
                    gaps.push(format!("{case}: {gap}"));
                }
            }
            None => {
                if got != want {
                    failures.push(format!(
                        "{case}:\n  expected {want:?}\n  got      {got:?}\n  report   {report}"
                    ));
                }
            }
        }
    }
    for g in &gaps {
        eprintln!("known gap (expected failure): {g}");
    }
    assert!(
        failures.is_empty(),
        "{} of {} risk cases failed:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}

/// Every high-risk code of the product is exercised by at least one case, so a code that
/// stops firing is noticed.
#[test]
fn every_high_code_is_covered() {
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    for entry in std::fs::read_dir(cases_dir()).unwrap() {
        let dir = entry.unwrap().path();
        let Ok(text) = std::fs::read_to_string(dir.join("expected.json")) else {
            continue;
        };
        let expected: Value = serde_json::from_str(&text).unwrap();
        if expected.get("known_gap").is_some() {
            continue;
        }
        for a in expected["apps"].as_array().into_iter().flatten() {
            for c in a["codes"].as_array().into_iter().flatten() {
                *seen.entry(c.as_str().unwrap().to_string()).or_default() += 1;
            }
        }
    }
    // `spec-changed` fires only for a field `compare` does not know, which no spec of
    // today has: `risk::tests` covers it with a direct call.
    let missing: Vec<&str> = appspec::risk::Code::all()
        .filter(|c| c.is_high() && *c != appspec::risk::Code::SpecChanged)
        .map(|c| c.as_str())
        .filter(|c| !seen.contains_key(*c))
        .collect();
    assert!(missing.is_empty(), "no risk case covers {missing:?}");
}

#[test]
fn text_format_says_the_level_and_marks_high_reasons() {
    let dir = cases_dir().join("storage-shrunk");
    let out = appspec()
        .current_dir(&dir)
        .args(["risk", "base", "head", "--format", "text"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.starts_with("risk: high\n"), "{text}");
    assert!(text.contains("shop/web (modified)"), "{text}");
    assert!(text.contains("! storage-shrunk: "), "{text}");

    let dir = cases_dir().join("image-tag-bump");
    let out = appspec()
        .current_dir(&dir)
        .args(["risk", "base", "head", "--format", "text"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.starts_with("risk: low\n"), "{text}");
    assert!(text.contains("- image-changed: "), "{text}");
    assert!(!text.contains(" ! "), "{text}");
}

#[test]
fn json_is_the_default_format() {
    let dir = cases_dir().join("new-external-app");
    let out = appspec()
        .current_dir(&dir)
        .args(["risk", "base", "head"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["level"], json!("high"));
    assert_eq!(
        report["apps"][0]["reasons"][0]["code"],
        json!("external-exposure")
    );
}

/// A single file on either side works like a directory holding it.
#[test]
fn files_work_like_directories() {
    let dir = cases_dir().join("storage-removed");
    let out = appspec()
        .current_dir(&dir)
        .args(["risk", "base/app.yaml", "head/app.yaml"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    let got = reduce_report(&report, Some(1));
    assert_eq!(
        got.apps,
        vec![(
            "shop/web".to_string(),
            "modified".to_string(),
            vec!["storage-removed".to_string()]
        )]
    );
}

fn assert_unreadable(base: &Path, head: &Path, what: &str) {
    let out = appspec().arg("risk").arg(base).arg(head).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        out.status.code(),
        Some(2),
        "{what}: expected exit 2\nstdout: {}\nstderr: {stderr}",
        String::from_utf8_lossy(&out.stdout)
    );
    assert!(out.stdout.is_empty(), "{what}: no report on stdout");
    assert!(stderr.starts_with("appspec: "), "{what}: {stderr}");
    assert!(!stderr.contains("panicked"), "{what}: {stderr}");
}

#[test]
fn a_file_that_is_not_yaml_exits_2() {
    let tmp = tempfile::tempdir().unwrap();
    let bad = tmp.path().join("bad.yaml");
    std::fs::write(&bad, "apiVersion: [unclosed\nkind: AppSpec\n").unwrap();
    let good = cases_dir().join("unchanged/head");
    assert_unreadable(&bad, &good, "invalid YAML as base");
    assert_unreadable(&good, &bad, "invalid YAML as head");
    // Inside a directory, too.
    let dir = tmp.path().join("apps");
    std::fs::create_dir(&dir).unwrap();
    std::fs::write(dir.join("a.yaml"), "a: b\n  c: d\n").unwrap();
    assert_unreadable(&good, &dir, "invalid YAML in a directory");
    let out = appspec().arg("risk").arg(&good).arg(&dir).output().unwrap();
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("a.yaml"),
        "the message names the file"
    );
}

#[test]
fn an_unreadable_file_exits_2() {
    // Root reads any directory whatever its mode, so unreadable means not UTF-8 here.
    let tmp = tempfile::tempdir().unwrap();
    let binary = tmp.path().join("garbage.yaml");
    std::fs::write(&binary, b"\xff\xfe\x00\x01kind: AppSpec\n\x80").unwrap();
    let good = cases_dir().join("unchanged/base");
    assert_unreadable(&good, &binary, "non-UTF-8 head");
    assert_unreadable(&binary, &good, "non-UTF-8 base");
}

#[test]
fn input_limit_applies_to_risk() {
    let dir = cases_dir().join("unchanged");
    let out = appspec()
        .current_dir(&dir)
        .args(["--max-input-bytes", "20", "risk", "base", "head"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("above the input limit of 20 bytes"),
        "{stderr}"
    );
}

/// `appspec risk ... | head -1` must not panic when the reader goes away, and the exit code
/// still gives the verdict (a gate may read only that).
#[test]
fn a_closed_stdout_is_not_a_panic() {
    for (case, format, exit) in [
        ("storage-shrunk", "json", 1),
        ("storage-shrunk", "text", 1),
        ("image-tag-bump", "json", 0),
        ("image-tag-bump", "text", 0),
    ] {
        let dir = cases_dir().join(case);
        let mut child = common::appspec_std()
            .current_dir(&dir)
            .args(["risk", "base", "head", "--format", format])
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        // Close the only read end before the report is written.
        drop(child.stdout.take());
        let out = child.wait_with_output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.is_empty(), "{case} {format}: {stderr}");
        assert_eq!(out.status.code(), Some(exit), "{case} {format}: exit code");
    }
}

/// The text report names the app as the JSON report does.
#[test]
fn text_format_keeps_the_app_key() {
    let tmp = tempfile::tempdir().unwrap();
    let head = tmp.path().join("head");
    std::fs::create_dir(&head).unwrap();
    std::fs::write(
        head.join("app.yaml"),
        "apiVersion: platform.hypyr.space/v1alpha1\nkind: AppSpec\nmetadata:\n  name: Web\n  namespace: Shop\nspec:\n  image: ghcr.io/acme/web:1.0.0\n",
    )
    .unwrap();
    let out = appspec()
        .current_dir(tmp.path())
        .args(["risk", "base", "head", "--format", "text"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("Shop/Web (added)"), "{text}");
}

/// A repository of `apps/<name>/` roots, each `transformers: [../../functions]`, the
/// `functions/` of this repository beside them, and a shared patch component.
fn app_roots_repo(dir: &Path, names: &[&str], image_of: impl Fn(&str) -> String) {
    let functions = dir.join("functions");
    std::fs::create_dir_all(&functions).unwrap();
    for f in ["appspec.yaml", "kustomization.yaml"] {
        std::fs::copy(
            common::repo_root().join("functions").join(f),
            functions.join(f),
        )
        .unwrap();
    }
    for name in names {
        let app = dir.join("apps").join(name);
        std::fs::create_dir_all(&app).unwrap();
        std::fs::write(
            app.join("app.yaml"),
            format!(
                "apiVersion: platform.hypyr.space/v1alpha1\nkind: AppSpec\nmetadata:\n  name: {name}\n  namespace: media\nspec:\n  image: {}\n",
                image_of(name)
            ),
        )
        .unwrap();
        std::fs::write(
            app.join("kustomization.yaml"),
            "resources: [app.yaml]\ntransformers: [../../functions]\n",
        )
        .unwrap();
    }
}

/// A `kustomize` that logs the directory of each build (through APPSPEC_KUSTOMIZE).
fn logging_kustomize(dir: &Path) -> (String, PathBuf) {
    let log = dir.join("builds.log");
    let script = dir.join("kustomize.sh");
    std::fs::write(
        &script,
        format!(
            "#!/bin/sh\nfor a in \"$@\"; do last=\"$a\"; done\necho \"$last\" >> '{}'\nexec kubectl \"$@\"\n",
            log.display()
        ),
    )
    .unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    (format!("{} kustomize", script.display()), log)
}

fn builds(log: &Path) -> Vec<String> {
    let mut lines: Vec<String> = std::fs::read_to_string(log)
        .unwrap_or_default()
        .lines()
        .map(|l| l.replace('\\', "/"))
        .collect();
    lines.sort();
    lines
}

/// Only what changed is built: of three app roots, the one whose app changed is built on
/// both sides; the others, byte-identical with everything they reach, are not.
#[test]
fn only_changed_roots_are_built() {
    if common::kubectl().is_none() {
        return common::missing_tool("kubectl");
    }
    let tmp = tempfile::tempdir().unwrap();
    let names = ["radarr", "sonarr", "lidarr"];
    app_roots_repo(&tmp.path().join("base"), &names, |n| {
        format!("ghcr.io/example/{n}:1.0.0")
    });
    app_roots_repo(&tmp.path().join("head"), &names, |n| {
        let tag = if n == "sonarr" { "1.1.0" } else { "1.0.0" };
        format!("ghcr.io/example/{n}:{tag}")
    });
    let (kustomize, log) = logging_kustomize(tmp.path());
    let out = appspec()
        .current_dir(tmp.path())
        .env("APPSPEC_KUSTOMIZE", &kustomize)
        .args(["risk", "base", "head"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", common::text(&out.stderr));
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        reduce_report(&report, Some(0)).apps,
        vec![(
            "media/sonarr".to_string(),
            "modified".to_string(),
            vec!["image-changed".to_string()]
        )]
    );
    assert_eq!(builds(&log), ["base/apps/sonarr", "head/apps/sonarr"]);

    // The CI layout: two checkouts, the sides their `apps/` folders, whose
    // kustomizations reach `../../functions` beside them in the checkout.
    std::fs::remove_file(&log).unwrap();
    for side in ["base", "head"] {
        std::fs::create_dir_all(tmp.path().join(side).join(".git")).unwrap();
    }
    let out = appspec()
        .current_dir(tmp.path())
        .env("APPSPEC_KUSTOMIZE", &kustomize)
        .args(["risk", "base/apps", "head/apps"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", common::text(&out.stderr));
    assert_eq!(builds(&log), ["base/apps/sonarr", "head/apps/sonarr"]);

    // A change in a file a root reaches outside its directory (the shared function
    // configuration) makes every root that reaches it built, and seen.
    std::fs::remove_file(&log).unwrap();
    std::fs::write(
        tmp.path().join("head/functions/appspec.yaml"),
        std::fs::read_to_string(tmp.path().join("base/functions/appspec.yaml"))
            .unwrap()
            .replace("spec: {}", "spec: {dns: {internalDomain: lan.example.org}}"),
    )
    .unwrap();
    let out = appspec()
        .current_dir(tmp.path())
        .env("APPSPEC_KUSTOMIZE", &kustomize)
        .args(["risk", "base", "head"])
        .output()
        .unwrap();
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(out.status.code(), Some(1), "{report}");
    // `functions/` is a root of its own (it has a kustomization), as for `render`.
    assert_eq!(
        builds(&log),
        [
            "base/apps/lidarr",
            "base/apps/radarr",
            "base/apps/sonarr",
            "base/functions",
            "head/apps/lidarr",
            "head/apps/radarr",
            "head/apps/sonarr",
            "head/functions"
        ]
    );
    assert!(
        report["apps"]
            .as_array()
            .unwrap()
            .iter()
            .any(|a| a["app"] == "*" && a["reasons"][0]["code"] == "platform-changed"),
        "{report}"
    );
}

/// A kustomize failure that is not the function refusing a spec (a resource file that
/// does not exist, a patch whose target is missing) stays a tool error: exit 2 with
/// kustomize's message, no verdict.
#[test]
fn a_kustomize_failure_that_is_not_a_refusal_exits_2() {
    if common::kubectl().is_none() {
        return common::missing_tool("kubectl");
    }
    let tmp = tempfile::tempdir().unwrap();
    app_roots_repo(&tmp.path().join("base"), &["radarr"], |n| {
        format!("ghcr.io/example/{n}:1.0.0")
    });
    app_roots_repo(&tmp.path().join("head"), &["radarr"], |n| {
        format!("ghcr.io/example/{n}:1.0.1")
    });
    let root = tmp.path().join("head/apps/radarr");
    for (case, kustomization, names) in [
        (
            "a missing resource",
            "resources: [app.yaml, missing.yaml]\ntransformers: [../../functions]\n",
            "missing.yaml",
        ),
        (
            "a patch of nothing",
            "resources: [app.yaml]\ntransformers: [../../functions]\npatches:\n- path: patch.yaml\n",
            "nope",
        ),
    ] {
        std::fs::write(root.join("kustomization.yaml"), kustomization).unwrap();
        std::fs::write(
            root.join("patch.yaml"),
            "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: nope, namespace: media}\nspec: {replicas: 2}\n",
        )
        .unwrap();
        let out = appspec()
            .current_dir(tmp.path())
            .args(["risk", "base", "head"])
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{case}: {stderr}");
        assert!(out.stdout.is_empty(), "{case}: no verdict");
        assert!(
            stderr.starts_with("appspec: cannot run kustomize for head") && stderr.contains(names),
            "{case}: {stderr}"
        );
    }
}

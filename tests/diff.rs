//! `appspec diff BASE HEAD` on real example trees: apps added, removed and changed, a plain manifest, an image-only bump and a huge ConfigMap, in text, Markdown and JSON.

use std::path::Path;

mod common;

use common::appspec;
use serde_json::Value;

/// A side: `functions/` of this repository, the named examples under `apps/`, and the
/// plain manifests under `plain/`.
fn side(dir: &Path, examples: &[&str], plain: &[(&str, String)]) {
    common::copy_dir(
        &common::repo_root().join("functions"),
        &dir.join("functions"),
    );
    for e in examples {
        common::copy_dir(
            &common::repo_root().join("examples").join(e),
            &dir.join("apps").join(e),
        );
        // The expected output is not an input.
        let _ = std::fs::remove_file(dir.join("apps").join(e).join("expected.yaml"));
    }
    std::fs::create_dir_all(dir.join("plain")).unwrap();
    for (name, text) in plain {
        std::fs::write(dir.join("plain").join(name), text).unwrap();
    }
}

fn tool(tag: &str) -> String {
    format!(
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {{name: tool, namespace: ops}}\nspec:\n  selector: {{matchLabels: {{app: tool}}}}\n  template:\n    metadata: {{labels: {{app: tool}}}}\n    spec:\n      automountServiceAccountToken: false\n      containers:\n      - {{name: tool, image: \"ghcr.io/example/tool:{tag}\"}}\n"
    )
}

fn settings(data: &str) -> String {
    let value = serde_json::to_string(data).unwrap();
    format!(
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: settings, namespace: ops}}\ndata:\n  settings.txt: {value}\n"
    )
}

/// base: wiki (longhorn-internal), nas-internal, statefulset-database, a Deployment and a
/// small ConfigMap. head: wiki's image bumped, nas-internal removed, vpn-sidecar added,
/// the database unchanged, the Deployment's tag bumped, the ConfigMap made huge.
fn trees(root: &Path) {
    side(
        &root.join("base"),
        &["longhorn-internal", "nas-internal", "statefulset-database"],
        &[
            ("tool.yaml", tool("1.0.0")),
            ("settings.yaml", settings("a=1\n")),
        ],
    );
    let huge: String = (0..4000).map(|i| format!("key{i}=value {i}\n")).collect();
    let huge = format!("{}\n{huge}", "x".repeat(200_000));
    side(
        &root.join("head"),
        &["longhorn-internal", "statefulset-database", "vpn-sidecar"],
        &[
            ("tool.yaml", tool("1.1.0")),
            ("settings.yaml", settings(&huge)),
        ],
    );
    let app = root.join("head/apps/longhorn-internal/app.yaml");
    let text = std::fs::read_to_string(&app).unwrap();
    assert!(text.contains("wiki:2.5.300"));
    std::fs::write(&app, text.replace("wiki:2.5.300", "wiki:2.5.301")).unwrap();
}

fn diff(root: &Path, format: &str) -> (Option<i32>, String) {
    let out = appspec()
        .current_dir(root)
        .args(["diff", "base", "head", "--format", format])
        .output()
        .unwrap();
    let stderr = common::text(&out.stderr);
    assert!(stderr.is_empty(), "{format}: {stderr}");
    (out.status.code(), common::text(&out.stdout))
}

#[test]
fn diff_of_example_trees() {
    if common::kubectl().is_none() {
        return common::missing_tool("kubectl");
    }
    let tmp = tempfile::tempdir().unwrap();
    trees(tmp.path());

    // JSON for tools: the verdict, each entry's reasons and objects.
    let (code, json) = diff(tmp.path(), "json");
    assert_eq!(code, Some(1), "{json}");
    let doc: Value = serde_json::from_str(&json).unwrap();
    assert_eq!(doc["level"], "high");
    let entries: Vec<(String, String, Vec<String>, Vec<String>)> = doc["apps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            let codes = a["reasons"]
                .as_array()
                .unwrap()
                .iter()
                .map(|r| r["code"].as_str().unwrap().to_string())
                .collect();
            let objects = a["objects"]
                .as_array()
                .unwrap()
                .iter()
                .map(|o| {
                    format!(
                        "{} {}",
                        o["change"].as_str().unwrap(),
                        o["object"].as_str().unwrap()
                    )
                })
                .collect();
            (
                a["app"].as_str().unwrap().to_string(),
                a["change"].as_str().unwrap().to_string(),
                codes,
                objects,
            )
        })
        .collect();
    let find = |name: &str| {
        entries
            .iter()
            .find(|e| e.0 == name)
            .unwrap_or_else(|| panic!("no entry {name} in {entries:#?}"))
    };
    // Changed app: its image, and its Deployment's diff.
    let wiki = find("docs/wiki");
    assert_eq!(
        (wiki.1.as_str(), wiki.2.clone()),
        ("modified", vec!["image-changed".to_string()])
    );
    assert_eq!(wiki.3, ["modified Deployment docs/wiki"]);
    let wiki_json = doc["apps"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["app"] == "docs/wiki")
        .unwrap();
    let d = wiki_json["objects"][0]["diff"].as_str().unwrap();
    assert!(d.contains("\n-      - image: ghcr.io/requarks/wiki:2.5.300\n+      - image: ghcr.io/requarks/wiki:2.5.301\n")
        || d.contains("-        image: ghcr.io/requarks/wiki:2.5.300\n+        image: ghcr.io/requarks/wiki:2.5.301"), "{d}");
    // Removed and added apps: every object of theirs.
    let removed = entries
        .iter()
        .find(|e| e.1 == "removed")
        .expect("the removed app");
    assert!(
        !removed.3.is_empty() && removed.3.iter().all(|o| o.starts_with("removed ")),
        "{removed:?}"
    );
    let added = entries
        .iter()
        .find(|e| e.1 == "added" && e.0.contains('/') && !e.0.contains(' '))
        .expect("the added app");
    assert!(
        added.3.iter().any(|o| o.starts_with("added Deployment ")),
        "{added:?}"
    );
    // The database's root is byte-identical on both sides: not built, not listed.
    assert!(!entries.iter().any(|e| e.0 == "db/mariadb"), "{entries:#?}");
    assert_eq!(find("media/jellyfin").1, "removed");
    assert_eq!(find("downloads/flaresolverr").1, "added");
    // Plain manifests: an image-only bump is low, the ConfigMap's change is high.
    let t = find("Deployment ops/tool");
    assert_eq!(t.2, ["image-changed"]);
    let s = find("ConfigMap ops/settings");
    assert_eq!(s.2, ["object-changed"]);

    // Markdown for the pull request: verdict and reasons on top, a section per entry with
    // changed objects, in the report's order, capped under GitHub's limit.
    let (code, md) = diff(tmp.path(), "markdown");
    assert_eq!(code, Some(1));
    assert!(
        md.starts_with("<!-- appspec-diff -->\n### AppSpec: risk **high**"),
        "{}",
        &md[..200]
    );
    assert!(
        md.chars().count() < 65_536,
        "{} characters",
        md.chars().count()
    );
    let sections: Vec<&str> = md
        .match_indices("<details><summary>")
        .map(|(i, _)| md[i + 18..].split(" (").next().unwrap())
        .collect();
    let expected: Vec<String> = entries
        .iter()
        .filter(|e| !e.3.is_empty())
        .map(|e| e.0.clone())
        .collect();
    assert_eq!(
        sections, expected,
        "one section per changed entry, in order"
    );
    assert_eq!(
        md.matches("<details>").count(),
        md.matches("</details>").count()
    );
    assert!(md.contains("more characters cut]"), "the huge line is cut");
    assert!(
        md.contains("more lines of ConfigMap ops/settings cut"),
        "the huge ConfigMap is cut, saying so"
    );
    assert!(
        md.contains("+        image: ghcr.io/requarks/wiki:2.5.301")
            || md.contains("image: ghcr.io/requarks/wiki:2.5.301")
    );
    // The verdict's reasons come before the first section.
    let first_section = md.find("<details>").unwrap();
    assert!(
        md[..first_section].contains("`object-changed`"),
        "{}",
        &md[..first_section]
    );
    // Deterministic: the same trees, the same comment.
    assert_eq!(diff(tmp.path(), "markdown").1, md);

    // Text for people: the risk report, then the diffs.
    let (code, text) = diff(tmp.path(), "text");
    assert_eq!(code, Some(1));
    assert!(text.starts_with("risk: high\n"), "{}", &text[..200]);
    assert!(text.contains("=== docs/wiki (modified)\n--- base/Deployment docs/wiki\n+++ head/Deployment docs/wiki\n"), "{text:.3000}");
    assert!(text.contains("--- /dev/null\n+++ head/"));
}

/// No change at all: low, and the comment says there is nothing to show.
#[test]
fn diff_of_identical_trees() {
    if common::kubectl().is_none() {
        return common::missing_tool("kubectl");
    }
    let tmp = tempfile::tempdir().unwrap();
    for s in ["base", "head"] {
        side(
            &tmp.path().join(s),
            &["longhorn-internal"],
            &[("tool.yaml", tool("1.0.0"))],
        );
    }
    let (code, md) = diff(tmp.path(), "markdown");
    assert_eq!(code, Some(0));
    assert_eq!(
        md,
        "<!-- appspec-diff -->\n### AppSpec: risk **low**: may merge on its own\n\nNo rendered object changes.\n"
    );
}

/// A spec the function refuses inside kustomize is judged like one outside it: the
/// comment says high, and the app's section shows the refusal (no tool error, no
/// missing comment).
#[test]
fn diff_shows_a_refusal_inside_kustomize() {
    if common::kubectl().is_none() {
        return common::missing_tool("kubectl");
    }
    let tmp = tempfile::tempdir().unwrap();
    for s in ["base", "head"] {
        side(&tmp.path().join(s), &["longhorn-internal"], &[]);
    }
    let app = tmp.path().join("head/apps/longhorn-internal/app.yaml");
    let text = std::fs::read_to_string(&app).unwrap();
    assert!(text.contains("ghcr.io/requarks/wiki:2.5.300"));
    std::fs::write(
        &app,
        text.replace("ghcr.io/requarks/wiki:2.5.300", "\"bad image::\""),
    )
    .unwrap();
    let (code, md) = diff(tmp.path(), "markdown");
    assert_eq!(code, Some(1), "{md}");
    assert!(md.contains("### AppSpec: risk **high**"), "{md:.2000}");
    assert!(
        md.contains("- `docs/wiki` (modified)\n  - **high** `invalid`: head: head/apps/longhorn-internal/kustomization.yaml: AppSpec/docs/wiki: spec.image: Image reference \"bad image::\" must not contain whitespace\n"),
        "{md:.2000}"
    );
}

//! The real-world corpus (tests/realapps/): the README table says which apps are expressible,
//! and this test holds it to the truth. An app marked `yes` validates with no diagnostic,
//! renders, keeps the output invariants, and the whole set builds through the real kustomize
//! to the same objects; an app marked `no` fails today with errors at exactly the listed
//! field paths.

mod common;

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

use common::invariants::{self, Output};
use common::{DockerShim, appspec, kubectl, read_stream, repo_root, text};
use serde_json::Value;

/// One row of the README table.
#[derive(Debug)]
struct Row {
    app: String,
    /// `None` when expressible; else the field paths that fail today.
    missing: Option<BTreeSet<String>>,
}

fn corpus() -> PathBuf {
    repo_root().join("tests/realapps")
}

fn platform() -> PathBuf {
    corpus().join("platform.yaml")
}

/// The rows of the README table: `| \`app\` | kind | needs | yes |` or `... | no: \`a\`, \`b\` |`.
fn table() -> Vec<Row> {
    let readme = fs::read_to_string(corpus().join("README.md")).expect("tests/realapps/README.md");
    let backticked = |cell: &str| -> Vec<String> {
        cell.split('`')
            .skip(1)
            .step_by(2)
            .map(str::to_string)
            .collect()
    };
    let mut rows = Vec::new();
    for line in readme.lines().filter(|l| l.starts_with("| `")) {
        let cells: Vec<&str> = line.trim_matches('|').split('|').map(str::trim).collect();
        assert_eq!(cells.len(), 4, "a table row has 4 cells: {line}");
        let app = backticked(cells[0]).pop().expect("the app cell is `name`");
        let missing = match cells[3] {
            "yes" => None,
            cell if cell.starts_with("no: ") => {
                let fields: BTreeSet<String> = backticked(cell).into_iter().collect();
                assert!(!fields.is_empty(), "{app}: `no:` names no field");
                Some(fields)
            }
            other => panic!("{app}: the expressible cell is `yes` or `no: fields`, got {other:?}"),
        };
        rows.push(Row { app, missing });
    }
    rows
}

fn app_file(app: &str) -> PathBuf {
    corpus().join(format!("{app}.yaml"))
}

/// The error field paths of `appspec validate --format json` against the corpus's platform,
/// and every diagnostic (errors and warnings) as text for messages.
fn validate(file: &Path) -> (bool, BTreeSet<String>, Vec<String>) {
    let out = appspec()
        .args(["validate", "--format", "json", "--platform"])
        .arg(platform())
        .arg(file)
        .output()
        .expect("cannot run appspec validate");
    assert!(
        matches!(out.status.code(), Some(0 | 1)),
        "{}: validate could not run: {}",
        file.display(),
        text(&out.stderr)
    );
    let diags: Vec<Value> = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{}: validate output is not JSON: {e}", file.display()));
    let errors = diags
        .iter()
        .filter(|d| d["severity"] == "error")
        .map(|d| d["field"].as_str().unwrap_or("").to_string())
        .collect();
    let all = diags
        .iter()
        .map(|d| format!("{} {}: {}", d["severity"], d["field"], d["message"]))
        .collect();
    (out.status.success(), errors, all)
}

#[test]
fn the_table_lists_every_app_of_the_corpus() {
    let listed: BTreeSet<String> = table().into_iter().map(|r| r.app).collect();
    let files: BTreeSet<String> = fs::read_dir(corpus())
        .expect("tests/realapps/")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .map(|p| p.file_stem().unwrap().to_string_lossy().into_owned())
        .filter(|s| s != "platform")
        .collect();
    assert_eq!(
        listed, files,
        "README table rows and tests/realapps/*.yaml differ"
    );
    let rows = table();
    let yes = rows.iter().filter(|r| r.missing.is_none()).count();
    let readme = fs::read_to_string(corpus().join("README.md")).unwrap();
    let summary = format!("Today: {yes} of {} expressible", rows.len());
    assert!(
        readme.contains(&summary),
        "tests/realapps/README.md should say \"{summary}\""
    );
    assert!(
        files.len() >= 24,
        "the corpus has {} apps, at least 24 wanted",
        files.len()
    );
    for app in &files {
        let source = fs::read_to_string(app_file(app)).unwrap();
        assert!(
            source.starts_with("# "),
            "{app}.yaml starts with a comment naming the kind of app and what it needs"
        );
        let docs = read_stream(&app_file(app));
        assert_eq!(docs.len(), 1, "{app}.yaml holds one AppSpec");
        assert_eq!(docs[0]["kind"], "AppSpec", "{app}.yaml holds an AppSpec");
    }
}

#[test]
fn apps_not_expressible_fail_at_exactly_the_listed_fields() {
    let mut wrong = Vec::new();
    for row in table() {
        let Some(missing) = &row.missing else {
            continue;
        };
        let (ok, errors, all) = validate(&app_file(&row.app));
        if ok {
            wrong.push(format!(
                "{}: now validates; if it also renders, mark it `yes` in tests/realapps/README.md",
                row.app
            ));
        } else if &errors != missing {
            wrong.push(format!(
                "{}: the table says it fails at {missing:?}, it fails at {errors:?}:\n  {}",
                row.app,
                all.join("\n  ")
            ));
        }
    }
    assert!(
        wrong.is_empty(),
        "the README table is wrong:\n{}",
        wrong.join("\n")
    );
}

/// The expressible apps: each validates with no diagnostic and renders; the outputs keep the
/// invariants; the whole set builds through kustomize to the same objects.
#[test]
fn expressible_apps_render_keep_the_invariants_and_build_with_kustomize() {
    let rows: Vec<Row> = table()
        .into_iter()
        .filter(|r| r.missing.is_none())
        .collect();
    assert!(!rows.is_empty(), "no app is marked expressible");
    let mut outputs = Vec::new();
    let mut problems = Vec::new();
    for row in &rows {
        let file = app_file(&row.app);
        let (ok, _, all) = validate(&file);
        if !ok || !all.is_empty() {
            problems.push(format!(
                "{}: marked yes but:\n  {}",
                row.app,
                all.join("\n  ")
            ));
            continue;
        }
        let out = appspec()
            .arg("render")
            .arg("--platform")
            .arg(platform())
            .arg(&file)
            .output()
            .expect("cannot run appspec render");
        if !out.status.success() || !out.stderr.is_empty() {
            problems.push(format!("{}: render: {}", row.app, text(&out.stderr)));
            continue;
        }
        outputs.push(Output::stream(
            format!("realapps/{}", row.app),
            &text(&out.stdout),
            &read_stream(&file),
        ));
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    invariants::assert_invariants(&outputs);

    // The whole expressible set through the real kustomize, the function run by a docker shim.
    let Some(kubectl) = kubectl() else { return };
    let dir = tempfile::Builder::new()
        .prefix("realapps")
        .tempdir_in(env!("CARGO_TARGET_TMPDIR"))
        .expect("temp dir");
    let mut resources = Vec::new();
    for row in &rows {
        let name = format!("{}.yaml", row.app);
        fs::copy(app_file(&row.app), dir.path().join(&name)).expect("copy an app");
        resources.push(name);
    }
    fs::copy(platform(), dir.path().join("platform.yaml")).expect("copy the platform");
    let kustomization = serde_json::json!({
        "apiVersion": "kustomize.config.k8s.io/v1beta1",
        "kind": "Kustomization",
        "resources": resources,
        "transformers": ["platform.yaml"],
    });
    fs::write(
        dir.path().join("kustomization.yaml"),
        serde_saphyr::to_string(&kustomization).unwrap(),
    )
    .unwrap();
    let built = DockerShim::new().kustomize(&kubectl, dir.path());
    assert!(
        built.status.success(),
        "kustomize build of the corpus failed:\n{}",
        text(&built.stderr)
    );
    let inputs: Vec<Value> = rows
        .iter()
        .flat_map(|r| read_stream(&app_file(&r.app)))
        .collect();
    let kustomized = Output::stream("kustomize realapps", &text(&built.stdout), &inputs);
    assert!(
        invariants::violations(std::slice::from_ref(&kustomized)).is_empty(),
        "the kustomize build breaks an invariant: {:?}",
        invariants::violations(std::slice::from_ref(&kustomized))
    );
    fn sorted(objects: Vec<&Value>) -> Vec<(String, &Value)> {
        let mut v: Vec<(String, &Value)> = objects
            .into_iter()
            .map(|o| (invariants::identity(o), o))
            .collect();
        v.sort_by(|a, b| a.0.cmp(&b.0));
        v
    }
    let rendered = sorted(outputs.iter().flat_map(|o| o.objects.iter()).collect());
    let kustomize = sorted(kustomized.objects.iter().collect());
    assert_eq!(
        rendered.iter().map(|(id, _)| id).collect::<Vec<_>>(),
        kustomize.iter().map(|(id, _)| id).collect::<Vec<_>>(),
        "kustomize built other objects than render"
    );
    for ((id, r), (_, k)) in rendered.iter().zip(&kustomize) {
        // Value equality ignores key order (kustomize sorts keys).
        assert_eq!(r, k, "{id}: kustomize and render differ");
    }
}

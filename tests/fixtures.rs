//! Table-driven fixture suite: adding a case is adding a folder.
//!
//! Every `tests/fixtures/<case>/input.yaml` holds one or more documents (the ResourceList
//! items) and, optionally, `platform.yaml` holds a PlatformConfig passed as the
//! functionConfig. Each case runs through `appspec::commands::krm::process`, and a readable report is
//! pinned in `tests/snapshots/fixtures__case@<case>__input.yaml.snap`.
//!
//! The case name carries expectations checked in code, not only in the snapshot:
//! - `invalid-*`: the run fails, at least one error points at a field (or is a protocol-level
//!   error: no resource, or the choice of the run's PlatformConfig), and the ResourceList on
//!   stdout returns the input items unchanged;
//! - `valid-*`: the run succeeds, no AppSpec is left in the output, pass-through items are
//!   untouched, and feeding the output back in gives the same items.
//!
//! Every `valid-*` output also keeps the output invariants (`common::invariants`: prune
//! guards, no Secret data, no anchors, labels, strict validity), in a test of its own.
//!
//! Update the snapshots with `INSTA_UPDATE=always cargo test --test fixtures`.

mod common;

use std::fmt::Write as _;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};

use appspec::commands::krm::{self, Response};
use appspec::input::diagnostic::Diagnostic;
use appspec::input::yaml::{self, Limits};
use common::invariants::{self, Output};
use serde_json::{Map, Value, json};

const PATH_ANNOTATION: &str = "config.kubernetes.io/path";
const OUR_GROUP: &str = "platform.hypyr.space/";

/// Adds `config.kubernetes.io/path: <file>` to a document, as kustomize does.
fn annotate(mut doc: Value, file: &str) -> Value {
    let Value::Object(map) = &mut doc else {
        panic!("{file}: every document must be a mapping, got {doc}");
    };
    let meta = map.entry("metadata").or_insert_with(|| json!({}));
    let Value::Object(meta) = meta else {
        panic!("{file}: metadata must be a mapping");
    };
    let annotations = meta.entry("annotations").or_insert_with(|| json!({}));
    let Value::Object(annotations) = annotations else {
        panic!("{file}: metadata.annotations must be a mapping");
    };
    annotations.insert(PATH_ANNOTATION.to_string(), Value::String(file.to_string()));
    doc
}

/// Reads `<case>/<file>` as a stream of documents, each annotated with its path.
fn read_docs(dir: &Path, case: &str, file: &str) -> Option<Vec<Value>> {
    let text = std::fs::read_to_string(dir.join(file)).ok()?;
    let docs = yaml::parse_stream(&text, &Limits::default())
        .unwrap_or_else(|e| panic!("{case}/{file} is not valid YAML: {e}"));
    let name = format!("{case}/{file}");
    Some(docs.into_iter().map(|d| annotate(d, &name)).collect())
}

fn resource_list(items: &[Value], function_config: Option<&Value>) -> String {
    let mut list = Map::new();
    list.insert("apiVersion".into(), krm::RESOURCE_LIST_API_VERSION.into());
    list.insert("kind".into(), krm::RESOURCE_LIST_KIND.into());
    list.insert("items".into(), Value::Array(items.to_vec()));
    if let Some(fc) = function_config {
        list.insert("functionConfig".into(), fc.clone());
    }
    yaml::to_string(&Value::Object(list)).expect("a ResourceList serializes")
}

/// Runs the function, turning a panic into an error message.
fn run(input: &str) -> Result<Response, String> {
    catch_unwind(AssertUnwindSafe(|| krm::process(input, &Limits::default()))).map_err(|panic| {
        panic
            .downcast_ref::<String>()
            .cloned()
            .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
            .unwrap_or_else(|| "<non-string panic>".to_string())
    })
}

fn output_items(stdout: &str) -> Result<Vec<Value>, String> {
    let list = yaml::parse_one(stdout, &Limits::default())
        .map_err(|e| format!("stdout is not YAML: {e}"))?;
    if list["apiVersion"] != krm::RESOURCE_LIST_API_VERSION
        || list["kind"] != krm::RESOURCE_LIST_KIND
    {
        return Err("stdout is not a ResourceList".into());
    }
    match &list["items"] {
        Value::Array(items) => Ok(items.clone()),
        other => Err(format!("stdout items is not a list: {other}")),
    }
}

fn is_ours(v: &Value, kind: &str) -> bool {
    v["kind"] == kind
        && v["apiVersion"]
            .as_str()
            .is_some_and(|a| a.starts_with(OUR_GROUP))
}

/// An error about the run rather than a field: no resource (the ResourceList itself), or
/// the choice of the run's PlatformConfig.
fn protocol_level(d: &Diagnostic) -> bool {
    d.resource
        .as_ref()
        .is_none_or(|r| r.kind == "PlatformConfig" && r.api_version.starts_with(OUR_GROUP))
}

/// The snapshot: outcome, stderr lines, and each result's severity, resource, field and
/// message; the output items when the run succeeded.
fn report(case: &str, response: &Response, items: &[Value]) -> String {
    let mut out = String::new();
    writeln!(out, "case: {case}").unwrap();
    writeln!(out, "failed: {}", response.failed).unwrap();
    writeln!(out, "\n# stderr").unwrap();
    if response.diagnostics.is_empty() {
        writeln!(out, "(none)").unwrap();
    }
    for d in &response.diagnostics {
        writeln!(out, "{d}").unwrap();
    }
    writeln!(out, "\n# results").unwrap();
    let results: Vec<Value> = response
        .diagnostics
        .iter()
        .map(|d| {
            json!({
                "severity": d.issue.severity.as_str(),
                "resource": d.resource.as_ref().map(ToString::to_string),
                "field": d.issue.path,
                "message": d.issue.message,
            })
        })
        .collect();
    if results.is_empty() {
        writeln!(out, "(none)").unwrap();
    } else {
        out.push_str(&yaml::to_string(&Value::Array(results)).unwrap());
    }
    if !response.failed {
        writeln!(out, "\n# output items").unwrap();
        out.push_str(&yaml::to_stream(items).unwrap());
    }
    out
}

/// The structural facts of one case; returns every violated one.
fn check(
    case: &str,
    input_items: &[Value],
    function_config: Option<&Value>,
    first: &Response,
    items: &[Value],
    input: &str,
) -> Vec<String> {
    let mut problems = Vec::new();
    let mut fail = |msg: String| {
        // Printed at once too: a snapshot mismatch stops the glob before the final assert.
        eprintln!("fixture problem: {case}: {msg}");
        problems.push(format!("{case}: {msg}"));
    };
    let errors: Vec<&Diagnostic> = first.diagnostics.iter().filter(|d| d.is_error()).collect();

    if first.failed == errors.is_empty() {
        fail(format!(
            "failed = {} but {} error diagnostics",
            first.failed,
            errors.len()
        ));
    }
    for d in &first.diagnostics {
        if d.resource.is_some()
            && !d
                .file
                .as_deref()
                .is_some_and(|f| f.starts_with(&format!("{case}/")))
        {
            fail(format!(
                "diagnostic without the source file of its resource: {d}"
            ));
        }
    }
    match run(input) {
        Ok(second) if second.stdout == first.stdout => {}
        Ok(_) => fail("two runs on the same input gave different stdout".into()),
        Err(e) => fail(format!("second run panicked: {e}")),
    }

    if case.starts_with("invalid-") {
        if !first.failed {
            fail("an invalid-* case must fail".into());
        }
        if !errors
            .iter()
            .any(|d| !d.issue.path.is_empty() || protocol_level(d))
        {
            fail("no error names a field path (and none is protocol-level)".into());
        }
        if items != input_items {
            fail("on error, stdout items must equal the input items (no partial expansion)".into());
        }
    } else if case.starts_with("valid-") {
        if first.failed {
            fail(format!(
                "a valid-* case must not fail: {:?}",
                errors.iter().map(ToString::to_string).collect::<Vec<_>>()
            ));
            return problems;
        }
        if items.is_empty() {
            fail("a successful run must not output an empty list".into());
        }
        if items
            .iter()
            .any(|i| is_ours(i, "AppSpec") || is_ours(i, "PlatformConfig"))
        {
            fail("AppSpec or PlatformConfig left in the output".into());
        }
        // A `kind: List` holding AppSpecs is read as its items.
        let flat: Vec<Value> = appspec::engine::flatten_lists(
            input_items
                .iter()
                .map(|value| appspec::input::source::Item::new(value.clone(), None))
                .collect(),
        )
        .into_iter()
        .map(|i| i.value)
        .collect();
        for i in flat
            .iter()
            .filter(|i| !is_ours(i, "AppSpec") && !is_ours(i, "PlatformConfig"))
        {
            if !items.contains(i) {
                fail(format!("pass-through item changed or dropped: {i}"));
            }
        }
        // kpt may run a function twice: the output fed back in gives the same items.
        match run(&resource_list(items, function_config))
            .map(|r| (r.failed, output_items(&r.stdout)))
        {
            Ok((false, Ok(again))) if again == items => {}
            Ok((failed, again)) => fail(format!(
                "not idempotent: second pass failed={failed}, items equal={}",
                again.as_deref() == Ok(items)
            )),
            Err(e) => fail(format!("second pass panicked: {e}")),
        }
    } else {
        fail("case names start with invalid- or valid-".into());
    }
    problems
}

#[test]
fn case() {
    let mut problems: Vec<String> = Vec::new();
    let mut cases = 0;
    insta::glob!("fixtures/*/input.yaml", |path| {
        cases += 1;
        let dir = path.parent().unwrap();
        let case = dir.file_name().unwrap().to_str().unwrap().to_string();
        let (input_items, function_config) = case_input(dir, &case);
        let input = resource_list(&input_items, function_config.as_ref());
        let response = match run(&input) {
            Ok(r) => r,
            Err(e) => {
                problems.push(format!("{case}: krm::process panicked: {e}"));
                return;
            }
        };
        let items = match output_items(&response.stdout) {
            Ok(items) => items,
            Err(e) => {
                problems.push(format!("{case}: {e}"));
                vec![]
            }
        };
        problems.extend(check(
            &case,
            &input_items,
            function_config.as_ref(),
            &response,
            &items,
            &input,
        ));
        insta::assert_snapshot!(report(&case, &response, &items));
    });
    assert!(cases > 0, "no fixture found");
    assert!(
        problems.is_empty(),
        "{} fixture problem(s):\n{}",
        problems.len(),
        problems.join("\n")
    );
}

/// The input items and functionConfig of a case folder.
fn case_input(dir: &Path, case: &str) -> (Vec<Value>, Option<Value>) {
    let input_items = read_docs(dir, case, "input.yaml")
        .unwrap_or_else(|| panic!("{case}/input.yaml is missing"));
    let function_config = read_docs(dir, case, "platform.yaml").map(|mut docs| {
        assert_eq!(docs.len(), 1, "{case}/platform.yaml must hold one document");
        docs.remove(0)
    });
    (input_items, function_config)
}

/// Every `valid-*` case's output keeps the invariants; one run of the strict validator for
/// all of them.
#[test]
fn valid_outputs_keep_the_invariants() {
    let root = common::repo_root().join("tests/fixtures");
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(&root)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            p.file_name()
                .unwrap()
                .to_string_lossy()
                .starts_with("valid-")
        })
        .collect();
    dirs.sort();
    assert!(dirs.len() >= 5, "only {} valid-* fixtures", dirs.len());
    let outputs: Vec<Output> = dirs
        .iter()
        .map(|dir| {
            let case = dir.file_name().unwrap().to_str().unwrap().to_string();
            let (input_items, function_config) = case_input(dir, &case);
            let response = run(&resource_list(&input_items, function_config.as_ref()))
                .unwrap_or_else(|e| panic!("{case}: krm::process panicked: {e}"));
            assert!(!response.failed, "{case}: a valid-* case failed");
            Output::resource_list(format!("fixtures/{case}"), &response.stdout, &input_items)
                .with_platform(
                    Some(function_config.as_ref().unwrap_or(&Value::Null)),
                    &input_items,
                )
        })
        .collect();
    invariants::assert_invariants(&outputs);
}

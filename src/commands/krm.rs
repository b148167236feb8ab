//! The KRM Functions Specification protocol: a ResourceList in, a ResourceList out.
//!
//! The ResourceList is always written, with `results`; the exit code is 1 iff an error
//! result exists. On error the input items are returned unchanged (no partial expansion).

use std::cell::RefCell;

use serde_json::{Map, Value, json};
use thiserror::Error;

use crate::engine;
use crate::expand::{Object, Output};
use crate::input::diagnostic::{Diagnostic, Issue};
use crate::input::source::Item;
use crate::input::yaml::{self, Limits, YamlError};
use crate::model::platform::Platform;

pub const RESOURCE_LIST_API_VERSION: &str = "config.kubernetes.io/v1";
pub const RESOURCE_LIST_KIND: &str = "ResourceList";

#[derive(Debug, Error)]
pub enum KrmError {
    #[error("input is not valid YAML: {0}")]
    Yaml(#[from] YamlError),
    #[error("input is empty; expected a ResourceList ({RESOURCE_LIST_API_VERSION})")]
    Empty,
    #[error("input is not a ResourceList: {0}")]
    NotResourceList(String),
}

static EXIT_AFTER_RUN: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Tells [`process`] that the process exits right after it (the binary's KRM mode), so
/// the output values need not be freed one by one.
pub fn exit_after_run() {
    EXIT_AFTER_RUN.store(true, std::sync::atomic::Ordering::Relaxed);
}

/// A parsed ResourceList.
#[derive(Debug, PartialEq)]
pub struct ResourceList {
    pub items: Vec<Value>,
    pub function_config: Option<Value>,
}

/// Parses and checks a ResourceList.
pub fn parse(text: &str, limits: &Limits) -> Result<ResourceList, KrmError> {
    if text.trim().is_empty() {
        return Err(KrmError::Empty);
    }
    let doc = yaml::parse_one(text, limits)?;
    let Value::Object(mut map) = doc else {
        return Err(KrmError::NotResourceList(format!(
            "expected a mapping, got {}",
            crate::input::reader::type_name(&doc)
        )));
    };
    let kind = map.get("kind").and_then(Value::as_str).unwrap_or("");
    let api_version = map.get("apiVersion").and_then(Value::as_str).unwrap_or("");
    if kind != RESOURCE_LIST_KIND || api_version != RESOURCE_LIST_API_VERSION {
        return Err(KrmError::NotResourceList(format!(
            "got apiVersion \"{api_version}\", kind \"{kind}\"; expected apiVersion {RESOURCE_LIST_API_VERSION}, kind {RESOURCE_LIST_KIND}"
        )));
    }
    let items = match map.remove("items") {
        None | Some(Value::Null) => vec![],
        Some(Value::Array(items)) => items,
        Some(other) => {
            return Err(KrmError::NotResourceList(format!(
                "items must be a list, got {}",
                crate::input::reader::type_name(&other)
            )));
        }
    };
    if let Some(i) = items.iter().position(|i| !i.is_object()) {
        return Err(KrmError::NotResourceList(format!(
            "items[{i}] must be a mapping (a Kubernetes resource), got {}",
            crate::input::reader::type_name(&items[i])
        )));
    }
    let function_config = map.remove("functionConfig").filter(|v| !v.is_null());
    Ok(ResourceList {
        items,
        function_config,
    })
}

/// What the function prints and how it exits.
#[derive(Debug)]
pub struct Response {
    pub stdout: String,
    pub diagnostics: Vec<Diagnostic>,
    pub failed: bool,
}

/// The response to an input that could not even be read.
pub fn error_response(message: &str) -> Response {
    respond(
        vec![],
        vec![Diagnostic {
            file: None,
            resource: None,
            document: None,
            issue: Issue::error("", message),
        }],
    )
}

/// Runs the function on the text of a ResourceList.
///
/// Deeply nested input recurses while it is parsed and written. Input nested at most
/// [`yaml::INLINE_DEPTH`] deep runs on the caller's stack; deeper input is parsed again and
/// run on one worker thread with a stack sized for the depth limit, whatever thread calls
/// this.
pub fn process(text: &str, limits: &Limits) -> Response {
    process_site(text, limits, None)
}

/// [`process`] under the operator's platform `site` ([`engine::run_into_site`]): the
/// function `render` hands to kustomize, when `render` was given a platform.
pub fn process_site(text: &str, limits: &Limits, site: Option<Item>) -> Response {
    let inline = limits.inline();
    match parse(text, &inline) {
        Err(KrmError::Yaml(YamlError::TooDeep(_))) if limits.max_depth > inline.max_depth => {
            let (text, limits) = (text.to_owned(), *limits);
            yaml::with_big_stack(move || respond_to(parse(&text, &limits), &text, &limits, site))
        }
        parsed => respond_to(parsed, text, limits, site),
    }
}

/// `text` and `limits` are those `parsed` came from: on error the input items are returned
/// unchanged, parsed again rather than kept as a copy through the run.
///
/// The run is streamed: each app's objects are written into the response as soon as the
/// engine makes them, then dropped, so memory holds the input, the text written so far and
/// one app's objects, never every object at once. Nothing is printed before the run ends:
/// on error the text is thrown away and the input items are written instead.
fn respond_to(
    parsed: Result<ResourceList, KrmError>,
    text: &str,
    limits: &Limits,
    site: Option<Item>,
) -> Response {
    let list = match parsed {
        Ok(list) => list,
        Err(e) => {
            let issue = Issue::error("", e.to_string());
            return respond(vec![], vec![unlocated(issue)]);
        }
    };
    run_list(list, text, limits, site, None).0
}

/// Runs a parsed list; with `tap`, each app's objects are also kept there as values.
fn run_list(
    list: ResourceList,
    text: &str,
    limits: &Limits,
    site: Option<Item>,
    tap: Option<&RefCell<Vec<TappedApp>>>,
) -> (Response, Platform) {
    let items: Vec<Item> = list.items.into_iter().map(Item::from_krm).collect();
    let config = list.function_config.map(Item::from_krm);
    let summary = RefCell::new(engine::Summary::default());
    let written = write_list(
        |write: &mut dyn FnMut(Piece)| {
            *summary.borrow_mut() =
                engine::run_into_site(items, config, site, &mut PieceSink(write, tap));
        },
        &summary,
    );
    let summary = summary.into_inner();
    let platform = summary.platform.clone();
    (finish(written, summary, text, limits), platform)
}

/// An app a tapped run expanded, with its objects as the function wrote them.
pub type TappedApp = (crate::validate::App, Vec<Value>);

/// [`process`] for `risk`, which answers the function's calls inside kustomize itself:
/// the response, and what the run made (each app with its objects, the platform), so
/// the side is expanded once; `site` is the operator's platform, as for
/// [`process_site`]. Parses with `limits` as they are: call it on a thread with a
/// [`yaml::STACK_SIZE`] stack.
pub fn process_tapped(
    text: &str,
    limits: &Limits,
    site: Option<Item>,
) -> (Response, Vec<TappedApp>, Platform) {
    let list = match parse(text, limits) {
        Ok(list) => list,
        Err(e) => {
            let response = respond(vec![], vec![unlocated(Issue::error("", e.to_string()))]);
            return (response, vec![], Platform::default());
        }
    };
    let tap = RefCell::new(Vec::new());
    let (response, platform) = run_list(list, text, limits, site, Some(&tap));
    (response, tap.into_inner(), platform)
}

/// The response of a finished run: the written ResourceList, or on error the input items.
fn finish(
    written: Result<String, YamlError>,
    summary: engine::Summary,
    text: &str,
    limits: &Limits,
) -> Response {
    match written {
        Ok(stdout) if !summary.has_errors() => Response {
            stdout,
            diagnostics: summary.diagnostics,
            failed: false,
        },
        Ok(_) => {
            let input = parse(text, limits).map(|l| l.items).unwrap_or_default();
            let items = input.into_iter().map(Output::Passthrough).collect();
            respond(items, summary.diagnostics)
        }
        Err(e) => write_error(&e),
    }
}

/// Writes the ResourceList of a run: `run` hands over the output as it is made (each piece
/// written, then dropped), and `summary` holds the run's results once it has returned.
fn write_list(
    run: impl FnOnce(&mut dyn FnMut(Piece)),
    summary: &RefCell<engine::Summary>,
) -> Result<String, YamlError> {
    yaml::to_string(&ListOut {
        api_version: RESOURCE_LIST_API_VERSION,
        kind: RESOURCE_LIST_KIND,
        items: Streamed(RefCell::new(Some(run))),
        results: Results(summary),
    })
}

fn unlocated(issue: Issue) -> Diagnostic {
    Diagnostic {
        file: None,
        resource: None,
        document: None,
        issue,
    }
}

/// A piece of a run's output: one input item passed through, or one app's objects.
enum Piece {
    Passthrough(Value),
    Generated(Vec<Object>),
}

/// The engine's sink of a streamed run: each piece straight to the writer (and each
/// app's objects to the tap, if any).
struct PieceSink<'a>(
    &'a mut dyn FnMut(Piece),
    Option<&'a RefCell<Vec<TappedApp>>>,
);

impl engine::Sink for PieceSink<'_> {
    fn passthrough(&mut self, value: Value, _index: usize) {
        (self.0)(Piece::Passthrough(value))
    }

    fn generated(&mut self, objects: Vec<Object>, app: crate::validate::App) {
        if let Some(tap) = self.1 {
            let values = objects.iter().map(Object::to_value).collect();
            tap.borrow_mut().push((app, values));
        }
        (self.0)(Piece::Generated(objects))
    }
}

/// The items of a streamed run, a sequence whose pieces the run hands over one at a time,
/// each serialized (and dropped) before the next is made. Serialized once.
struct Streamed<F>(RefCell<Option<F>>);

impl<F: FnOnce(&mut dyn FnMut(Piece))> serde::Serialize for Streamed<F> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::{Error, SerializeSeq};
        let run = self.0.borrow_mut().take();
        let run = run.ok_or_else(|| S::Error::custom("a streamed sequence is written once"))?;
        let mut seq = serializer.serialize_seq(None)?;
        let mut failed = None;
        run(&mut |piece| {
            if failed.is_some() {
                return;
            }
            let written = match &piece {
                Piece::Passthrough(v) => seq.serialize_element(v),
                Piece::Generated(objects) => {
                    objects.iter().try_for_each(|o| seq.serialize_element(o))
                }
            };
            if let Err(e) = written {
                failed = Some(e);
            }
        });
        match failed {
            Some(e) => Err(e),
            None => seq.end(),
        }
    }
}

/// The `results` of a streamed run, read when they are written: after the items.
struct Results<'a>(&'a RefCell<engine::Summary>);

impl serde::Serialize for Results<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.0.borrow().diagnostics.iter().map(result))
    }
}

/// The ResourceList written on stdout; the items are written from their types, never
/// copied into one big value first.
///
/// The field order is load-bearing: serde writes fields in the order they are declared,
/// and in [`write_list`] serializing `items` (a [`Streamed`] run) *runs the engine*, which
/// fills the summary that `results` ([`Results`]) reads afterwards. With `results` first it
/// would be written empty. `items_run_before_results_read_them` pins this.
#[derive(serde::Serialize)]
struct ListOut<I, R> {
    #[serde(rename = "apiVersion")]
    api_version: &'static str,
    kind: &'static str,
    items: I,
    results: R,
}

/// The response to a run that ended in error, or to input that could not be read.
fn respond(items: Vec<Output>, diagnostics: Vec<Diagnostic>) -> Response {
    let failed = diagnostics.iter().any(Diagnostic::is_error);
    let list = ListOut {
        api_version: RESOURCE_LIST_API_VERSION,
        kind: RESOURCE_LIST_KIND,
        items: &items,
        results: diagnostics.iter().map(result).collect::<Vec<_>>(),
    };
    let stdout = match yaml::to_string(&list) {
        Ok(stdout) => stdout,
        Err(e) => return write_error(&e),
    };
    if EXIT_AFTER_RUN.load(std::sync::atomic::Ordering::Relaxed) {
        // Tens of thousands of small allocations, freed by the exit in one go.
        std::mem::forget(items);
    }
    Response {
        stdout,
        diagnostics,
        failed,
    }
}

/// Serializing plain values cannot fail in practice; keep the protocol anyway, with a
/// ResourceList written as JSON (valid YAML, and serde_json cannot fail on a `Value`).
fn write_error(e: &YamlError) -> Response {
    let message = e.to_string();
    let list = json!({
        "apiVersion": RESOURCE_LIST_API_VERSION,
        "kind": RESOURCE_LIST_KIND,
        "items": [],
        "results": [{"severity": "error", "message": message}],
    });
    Response {
        stdout: format!("{list}\n"),
        diagnostics: vec![unlocated(Issue::error("", message))],
        failed: true,
    }
}

/// One `results` entry of the KRM Functions Specification.
fn result(d: &Diagnostic) -> Value {
    let mut r = Map::new();
    r.insert("message".into(), d.issue.message.clone().into());
    r.insert("severity".into(), d.issue.severity.as_str().into());
    if let Some(res) = &d.resource {
        let mut rr = Map::new();
        rr.insert("apiVersion".into(), res.api_version.clone().into());
        rr.insert("kind".into(), res.kind.clone().into());
        rr.insert("name".into(), res.name.clone().into());
        if let Some(ns) = &res.namespace {
            rr.insert("namespace".into(), ns.clone().into());
        }
        r.insert("resourceRef".into(), Value::Object(rr));
    }
    if !d.issue.path.is_empty() {
        r.insert("field".into(), json!({ "path": d.issue.path }));
    }
    if let Some(file) = &d.file {
        r.insert("file".into(), json!({ "path": file }));
    }
    Value::Object(r)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn items_run_before_results_read_them() {
        let summary = RefCell::new(engine::Summary::default());
        let text = write_list(
            |_emit| {
                // What the engine does while `items` is written: report into the summary.
                summary
                    .borrow_mut()
                    .diagnostics
                    .push(unlocated(Issue::warning("spec", "reported during the run")));
            },
            &summary,
        )
        .unwrap();
        let items = text.find("\nitems:").expect("items");
        let results = text.find("\nresults:").expect("results");
        assert!(items < results, "{text}");
        assert!(
            text[results..].contains("reported during the run"),
            "results were written before the run filled them:\n{text}"
        );
    }

    #[test]
    fn a_write_error_is_still_a_resource_list_with_the_message() {
        let message = "bad \"value\"\nitems: [x]\u{1b}[31m: \u{85}";
        let r = write_error(&YamlError::Syntax(message.into()));
        assert!(r.failed);
        let list = yaml::parse_one(&r.stdout, &Limits::default()).unwrap();
        assert_eq!(list["kind"], RESOURCE_LIST_KIND);
        assert_eq!(list["items"], json!([]));
        assert_eq!(list["results"][0]["message"], message);
        assert_eq!(list["results"][0]["severity"], "error");
    }

    const APP: &str = "{apiVersion: platform.hypyr.space/v1alpha1, kind: AppSpec, metadata: {name: web}, spec: {image: \"nginx:1.27\"}}";

    fn run(function_config: &str, items: &[&str]) -> (Response, Value) {
        let text = format!(
            "apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nfunctionConfig: {function_config}\nitems: [{}]\n",
            items.join(", ")
        );
        let response = process(&text, &Limits::default());
        let out = yaml::parse_one(&response.stdout, &Limits::default()).unwrap();
        (response, out)
    }

    fn kinds(out: &Value) -> Vec<&str> {
        out["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["kind"].as_str().unwrap())
            .collect()
    }

    #[test]
    fn modes_from_the_resource_list() {
        let generated = ["Deployment", "Service", "Ingress"];
        // (name, functionConfig, items, expected kinds, expected warnings)
        type Case<'a> = (&'a str, String, Vec<&'a str>, Vec<&'a str>, usize);
        let cm = "{apiVersion: v1, kind: ConfigMap, metadata: {name: cfg}, data: {a: b}}";
        let cases: Vec<Case> = vec![
            (
                "transformer, no functionConfig",
                "null".into(),
                vec![APP, cm],
                [&generated[..], &["ConfigMap"]].concat(),
                0,
            ),
            (
                "functionConfig of another kind is ignored",
                cm.into(),
                vec![APP],
                generated.to_vec(),
                1,
            ),
            (
                "generator: the AppSpec is also the item",
                APP.into(),
                vec![APP],
                generated.to_vec(),
                0,
            ),
            (
                "generator without items",
                APP.into(),
                vec![],
                generated.to_vec(),
                0,
            ),
            (
                "generator beside other items",
                APP.into(),
                vec![cm],
                [&["ConfigMap"][..], &generated[..]].concat(),
                0,
            ),
        ];
        for (name, fc, items, expected, warnings) in cases {
            let (response, out) = run(&fc, &items);
            assert!(!response.failed, "{name}: {:?}", response.diagnostics);
            assert_eq!(kinds(&out), expected, "{name}");
            assert_eq!(out["results"].as_array().unwrap().len(), warnings, "{name}");
        }
    }

    #[test]
    fn the_streamed_output_is_the_collected_output() {
        // Items passed through, apps of several shapes (a generated ConfigMap, a backup), a
        // List of an AppSpec and a warning result: writing each piece as the engine makes it
        // writes exactly what writing the collected items does.
        let app = |name: &str, spec: &str| {
            format!(
                "{{apiVersion: platform.hypyr.space/v1alpha1, kind: AppSpec, metadata: {{name: {name}}}, spec: {{image: \"nginx:1.27\"{spec}}}}}"
            )
        };
        let items = [
            "{apiVersion: v1, kind: ConfigMap, metadata: {name: before}, data: {a: \"yes\"}}"
                .to_string(),
            app("web", ""),
            app(
                "db",
                ", storage: {pattern: longhorn-persistent, size: 5}, backup: {strategy: volsync-snapshots}, runAs: 999",
            ),
            app(
                "conf",
                ", files: {/etc/app.conf: {content: \"a: 1\\nb: 2\\n\"}}",
            ),
            format!(
                "{{apiVersion: v1, kind: List, items: [{}]}}",
                app("listed", "")
            ),
            "{apiVersion: v1, kind: Secret, metadata: {name: after}, stringData: {k: v}}"
                .to_string(),
        ];
        let cm = "{apiVersion: v1, kind: ConfigMap, metadata: {name: cfg}, data: {a: b}}";
        let text = format!(
            "apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nfunctionConfig: {cm}\nitems: [{}]\n",
            items.join(", ")
        );
        let limits = Limits::default();
        let response = process(&text, &limits);
        assert!(!response.failed, "{:?}", response.diagnostics);
        assert_eq!(response.diagnostics.len(), 1, "{:?}", response.diagnostics);

        let list = parse(&text, &limits).unwrap();
        let outcome = engine::run(
            list.items.into_iter().map(Item::from_krm).collect(),
            list.function_config.map(Item::from_krm),
        );
        let collected = respond(outcome.items, outcome.diagnostics);
        assert_eq!(response.stdout, collected.stdout);
        let out = yaml::parse_one(&response.stdout, &limits).unwrap();
        assert_eq!(
            kinds(&out),
            [
                "ConfigMap",
                "Deployment",
                "Service",
                "Ingress",
                "Deployment",
                "Service",
                "Ingress",
                "PersistentVolumeClaim",
                "ExternalSecret",
                "ReplicationSource",
                "Deployment",
                "Service",
                "Ingress",
                "ConfigMap",
                "Deployment",
                "Service",
                "Ingress",
                "Secret"
            ]
        );
    }

    #[test]
    fn errors_keep_the_input_items_and_carry_results() {
        let bad = "{apiVersion: platform.hypyr.space/v1alpha1, kind: AppSpec, metadata: {name: web, annotations: {config.kubernetes.io/path: apps/web.yaml}}, spec: {image: \"nginx:1.27\", port: 0}}";
        let (response, out) = run("null", &[bad]);
        assert!(response.failed);
        assert_eq!(kinds(&out), ["AppSpec"]);
        assert_eq!(
            out["results"][0],
            serde_json::json!({
                "message": "port must be between 1 and 65535, got 0",
                "severity": "error",
                "resourceRef": {"apiVersion": "platform.hypyr.space/v1alpha1", "kind": "AppSpec", "name": "web"},
                "field": {"path": "spec.port"},
                "file": {"path": "apps/web.yaml"}
            })
        );
        assert_eq!(
            response.diagnostics[0].to_string(),
            "apps/web.yaml: AppSpec/web: spec.port: port must be between 1 and 65535, got 0"
        );
    }

    #[test]
    fn a_look_alike_function_config_is_refused_once() {
        let typo = "{apiVersion: platform.hypyr.space/v1alpha1, kind: Appspec, metadata: {name: web}, spec: {image: \"nginx:1.27\"}}";
        let cm = "{apiVersion: v1, kind: ConfigMap, metadata: {name: cfg}, data: {a: b}}";
        for items in [vec![], vec![typo], vec![cm]] {
            let (response, out) = run(typo, &items);
            assert!(response.failed, "{items:?}");
            assert_eq!(
                response
                    .diagnostics
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>(),
                [
                    "<stdin>: Appspec/web: kind: unknown kind \"Appspec\" of platform.hypyr.space; did you mean kind AppSpec?"
                ],
                "{items:?}"
            );
            assert_eq!(out["items"].as_array().unwrap().len(), items.len());
        }
    }

    #[test]
    fn deep_input_is_refused_on_a_small_stack() {
        // The test thread has a small stack; process must not overflow it.
        let deep = format!("{}1{}", "[".repeat(120), "]".repeat(120));
        let text = format!(
            "apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems: [{{a: {deep}}}]\n"
        );
        let response = std::thread::Builder::new()
            .stack_size(512 * 1024)
            .spawn(move || process(&text, &Limits::default()))
            .unwrap()
            .join()
            .unwrap();
        assert!(!response.failed, "{:?}", response.diagnostics);
    }

    #[test]
    fn a_worker_thread_only_for_deep_input() {
        let list = |depth: usize| {
            let deep = format!("{}1{}", "[".repeat(depth), "]".repeat(depth));
            format!(
                "apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems: [{{a: {deep}}}]\n"
            )
        };
        // The list, its items and the item take 3 levels.
        let inline = yaml::INLINE_DEPTH - 3;
        for (depth, worker, failed) in [
            (inline, false, false),
            (inline + 1, true, false),
            (120, true, false),
            (200, true, true),
        ] {
            let before = yaml::workers_started();
            let response = process(&list(depth), &Limits::default());
            assert_eq!(
                response.failed, failed,
                "{depth}: {:?}",
                response.diagnostics
            );
            assert_eq!(
                yaml::workers_started() - before,
                usize::from(worker),
                "{depth}"
            );
            if failed {
                let message = &response.diagnostics[0].issue.message;
                assert!(
                    message.starts_with("input is not valid YAML: recursion limit exceeded"),
                    "{message}"
                );
            }
        }
        // Block nesting: refused by the budget's depth rather than the scanner.
        let block = |depth: usize| {
            let mut text = String::from(
                "apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems:\n- a:\n",
            );
            for i in 0..depth {
                text.push_str(&format!("{}k{i}:\n", " ".repeat(i + 4)));
            }
            text
        };
        for (depth, failed) in [(60, false), (300, true)] {
            let before = yaml::workers_started();
            let response = process(&block(depth), &Limits::default());
            assert_eq!(
                response.failed, failed,
                "{depth}: {:?}",
                response.diagnostics
            );
            assert_eq!(yaml::workers_started() - before, 1, "{depth}");
            if failed {
                assert_eq!(
                    response.diagnostics[0].issue.message,
                    "input is not valid YAML: input refused by the YAML parser's limits: nesting too deep (Depth)"
                );
            }
        }
        let before = yaml::workers_started();
        let response = process(&format!("{APP}\n"), &Limits::default());
        assert!(response.failed, "not a ResourceList");
        assert_eq!(yaml::workers_started(), before);
    }

    #[test]
    fn malformed_input_is_an_error_result() {
        for (text, message) in [
            (
                "",
                "input is empty; expected a ResourceList (config.kubernetes.io/v1)",
            ),
            (
                "apiVersion: v1\nkind: List\nitems: []\n",
                "input is not a ResourceList: got apiVersion \"v1\", kind \"List\"; expected apiVersion config.kubernetes.io/v1, kind ResourceList",
            ),
            (
                "apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems: {}\n",
                "input is not a ResourceList: items must be a list, got a mapping",
            ),
            ("[1, 2", "input is not valid YAML"),
        ] {
            let response = process(text, &Limits::default());
            assert!(response.failed, "{text}");
            let out = yaml::parse_one(&response.stdout, &Limits::default()).unwrap();
            assert_eq!(out["items"], serde_json::json!([]));
            let got = out["results"][0]["message"].as_str().unwrap();
            assert!(got.starts_with(message), "{got}");
        }
    }
}

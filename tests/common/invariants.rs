//! The invariants every output of the product keeps (SPEC.md sections 4 and 6), asserted over
//! every output the suite produces: each valid fixture's ResourceList, each example's
//! `expected.yaml`, each real kustomize build.
//!
//! | name | what |
//! |---|---|
//! | `prune-guards` | every generated PersistentVolumeClaim and PersistentVolume carries both `argocd.argoproj.io/sync-options: Prune=false` and `kustomize.toolkit.fluxcd.io/prune: disabled` |
//! | `no-secret-data` | no generated Secret carries `data` or `stringData` |
//! | `no-yaml-anchors` | the output text has no YAML anchor or alias |
//! | `labels` | every generated object (and its pod template; a CronJob's Job template and its pod template) has `app.kubernetes.io/name`, `app.kubernetes.io/instance`, `app.kubernetes.io/managed-by: appspec` and `backstage.io/kubernetes-id` equal to the name label |
//! | `monitor-targets` | every generated ServiceMonitor selects exactly one Service of the output in its namespace (its `matchLabels`, then its `keep` relabelings on the Service name), and that Service has a port of each endpoint's port name |
//! | `backend-ports` | every port a generated Ingress backend (`spec.rules[].http.paths[].backend.service`, `spec.defaultBackend.service`) or HTTPRoute backendRef (`spec.rules[].backendRefs[]` of kind Service) names, by number or by name, is a port of the Service it names, when that Service is in the output (same namespace) |
//! | `job-pods` | every generated CronJob is named within 52 characters (the Job controller appends 11 to name each Job) and its pod's `restartPolicy` is `Never` or `OnFailure` (the only ones a Job takes; kubernetes-validate checks neither) |
//! | `reloader-uses-config` | a Deployment or StatefulSet annotated `reloader.stakater.com/auto: "true"` has a pod that reads a Secret or ConfigMap (env, envFrom, a volume) |
//! | `external-dns-target` | no generated HTTPRoute carries `external-dns.alpha.kubernetes.io/target` (external-dns's Gateway API source reads it from the Gateway or a ListenerSet, never from a route); a generated Ingress carries it only beside `external-dns.alpha.kubernetes.io/hostname` (an external app's), and every such Ingress carries the platform's `ingress.external.target` when the output names its platform, else the same target (or none) as the output's other external Ingresses |
//! | `strict-valid` | every generated core object passes `kubernetes-validate --strict`; every custom resource passes the JSON Schema of its CRD (tests/data/crd-schemas/, ../shared/schemas/); a kind without a schema fails |
//!
//! "Generated" means every object of the output except the pass-through inputs the caller
//! names: equal to one in the function's own output; in a kustomize build, of the same
//! apiVersion and kind with a name ending in the input's name (kustomize may prefix it). A new kind of output is covered by these checks as it is; for `strict-valid` a custom
//! resource also needs its schema in tests/data/crd-schemas/ (tests/tools/crd_schema.py
//! derives it from the CRD), and until it has one the check fails.

use std::collections::BTreeMap;
use std::fmt;
use std::path::PathBuf;

use serde_json::Value;

use super::{own_schemas, python, repo_root, shared_schemas, text, tools_required};

pub const PRUNE_GUARDS: &str = "prune-guards";
pub const NO_SECRET_DATA: &str = "no-secret-data";
pub const NO_YAML_ANCHORS: &str = "no-yaml-anchors";
pub const LABELS: &str = "labels";
pub const STRICT_VALID: &str = "strict-valid";
pub const MONITOR_TARGETS: &str = "monitor-targets";
pub const RELOADER_USES_CONFIG: &str = "reloader-uses-config";
pub const BACKEND_PORTS: &str = "backend-ports";
pub const JOB_PODS: &str = "job-pods";
pub const EXTERNAL_DNS_TARGET: &str = "external-dns-target";

const ARGOCD_SYNC_OPTIONS: &str = "argocd.argoproj.io/sync-options";
const FLUX_PRUNE: &str = "kustomize.toolkit.fluxcd.io/prune";
const OUR_GROUP: &str = "platform.hypyr.space/";
const TARGET_ANNOTATION: &str = "external-dns.alpha.kubernetes.io/target";
const HOSTNAME_ANNOTATION: &str = "external-dns.alpha.kubernetes.io/hostname";

/// One output of the product: its text and objects, and the inputs that pass through it.
#[derive(Clone, Debug)]
pub struct Output {
    /// Where it came from, e.g. `fixtures/valid-s3-external` or `kustomize examples/nas-internal`.
    pub what: String,
    /// The text as the product (or kustomize) wrote it.
    pub text: String,
    pub objects: Vec<Value>,
    /// Input documents that are not ours: the output may carry them, untouched or prefixed.
    pub passthrough: Vec<Value>,
    /// Whether pass-through objects come back byte-for-byte (the function's own output) or
    /// may be changed by kustomize (a prefixed name, a namespace, labels).
    pub exact_passthrough: bool,
    /// The PlatformConfig the output was made with, when the caller names it (`Null`: the
    /// built-in one); `None`: unknown.
    pub platform: Option<Value>,
}

impl Output {
    /// A plain manifest stream (`render`, kustomize, `expected.yaml`).
    pub fn stream(what: impl Into<String>, text: &str, inputs: &[Value]) -> Output {
        let what = what.into();
        let docs: Vec<Value> = serde_saphyr::from_multiple(text)
            .unwrap_or_else(|e| panic!("{what}: the output is not a YAML stream: {e}"));
        Output {
            objects: docs.into_iter().filter(|d| !d.is_null()).collect(),
            passthrough: passthrough(inputs),
            exact_passthrough: false,
            platform: None,
            text: text.to_string(),
            what,
        }
    }

    /// A ResourceList written by the function (KRM mode).
    pub fn resource_list(what: impl Into<String>, text: &str, inputs: &[Value]) -> Output {
        let what = what.into();
        let list: Value = serde_saphyr::from_str(text)
            .unwrap_or_else(|e| panic!("{what}: the output is not one YAML document: {e}"));
        assert_eq!(
            list["kind"], "ResourceList",
            "{what}: the output is not a ResourceList"
        );
        Output {
            objects: list["items"].as_array().cloned().unwrap_or_default(),
            passthrough: passthrough(inputs),
            exact_passthrough: true,
            platform: None,
            text: text.to_string(),
            what,
        }
    }

    /// The output of a run with the function config `config`: its platform is a
    /// PlatformConfig of `inputs`, else `config` when it is one, else (a config of another
    /// kind, or `Null`) the built-in one. `None` leaves the platform unknown.
    pub fn with_platform(mut self, config: Option<&Value>, inputs: &[Value]) -> Output {
        let is_platform = |v: &&Value| {
            v["kind"] == "PlatformConfig"
                && v["apiVersion"]
                    .as_str()
                    .is_some_and(|a| a.starts_with(OUR_GROUP))
        };
        self.platform = match (inputs.iter().find(is_platform), config) {
            (Some(p), _) => Some(p.clone()),
            (None, Some(c)) if is_platform(&c) => Some(c.clone()),
            (None, Some(_)) => Some(Value::Null),
            (None, None) => None,
        };
        self
    }

    fn is_passthrough(&self, object: &Value) -> bool {
        if self.exact_passthrough {
            return self.passthrough.contains(object);
        }
        let name = |v: &Value| v["metadata"]["name"].as_str().unwrap_or("").to_string();
        self.passthrough.iter().any(|p| {
            p["apiVersion"] == object["apiVersion"]
                && p["kind"] == object["kind"]
                && !name(p).is_empty()
                && name(object).ends_with(&name(p))
        })
    }

    /// The objects the product generated.
    pub fn generated(&self) -> Vec<&Value> {
        self.objects
            .iter()
            .filter(|o| !self.is_passthrough(o))
            .collect()
    }
}

/// The inputs that are not ours (not an AppSpec or PlatformConfig, not a function config),
/// the items of a `kind: List` taken one by one.
fn passthrough(inputs: &[Value]) -> Vec<Value> {
    let is_list = |d: &Value| {
        d["apiVersion"] == "v1"
            && d["kind"].as_str().is_some_and(|k| k.ends_with("List"))
            && d["items"].is_array()
    };
    inputs
        .iter()
        .flat_map(|d| {
            if is_list(d) {
                d["items"].as_array().cloned().unwrap_or_default()
            } else {
                vec![d.clone()]
            }
        })
        .filter(|d| {
            let ours = d["apiVersion"]
                .as_str()
                .is_some_and(|a| a.starts_with(OUR_GROUP));
            let function =
                d["metadata"]["annotations"]["config.kubernetes.io/function"].is_string();
            !ours && !function && d.is_object()
        })
        .collect()
}

/// One broken invariant.
#[derive(Clone, Debug, PartialEq)]
pub struct Violation {
    pub invariant: &'static str,
    pub what: String,
    pub object: String,
    pub message: String,
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "invariant {}: {}: {}: {}",
            self.invariant, self.what, self.object, self.message
        )
    }
}

pub fn identity(v: &Value) -> String {
    let m = &v["metadata"];
    match m["namespace"].as_str() {
        Some(ns) => format!(
            "{}/{ns}/{}",
            v["kind"].as_str().unwrap_or("?"),
            m["name"].as_str().unwrap_or("?")
        ),
        None => format!(
            "{}/{}",
            v["kind"].as_str().unwrap_or("?"),
            m["name"].as_str().unwrap_or("?")
        ),
    }
}

/// Anchor and alias counts of a YAML text, from the parser's events.
pub fn anchors_and_aliases(yaml: &str) -> (usize, usize) {
    let report = serde_saphyr::budget::check_yaml_budget(
        yaml,
        serde_saphyr::Budget::default(),
        serde_saphyr::budget::EnforcingPolicy::AllContent,
    )
    .expect("cannot scan YAML");
    (report.anchors, report.aliases)
}

/// The invariants that need no outside tool, over some outputs.
pub fn violations(outputs: &[Output]) -> Vec<Violation> {
    let mut found = Vec::new();
    for out in outputs {
        let mut add = |invariant, object: &Value, message: String| {
            found.push(Violation {
                invariant,
                what: out.what.clone(),
                object: if object.is_null() {
                    "<the text>".to_string()
                } else {
                    identity(object)
                },
                message,
            })
        };
        let (anchors, aliases) = anchors_and_aliases(&out.text);
        if anchors + aliases > 0 {
            add(
                NO_YAML_ANCHORS,
                &Value::Null,
                format!("the output text has {anchors} anchors and {aliases} aliases"),
            );
        }
        for (object, problem) in target_problems(out) {
            add(EXTERNAL_DNS_TARGET, object, problem);
        }
        for object in out.generated() {
            if let Some(problem) = monitor_problem(object, &out.objects) {
                add(MONITOR_TARGETS, object, problem);
            }
            for problem in backend_port_problems(object, &out.objects) {
                add(BACKEND_PORTS, object, problem);
            }
            if let Some(problem) = reloader_problem(object) {
                add(RELOADER_USES_CONFIG, object, problem);
            }
            let kind = object["kind"].as_str().unwrap_or("");
            let core_v1 = object["apiVersion"] == "v1";
            if core_v1 && matches!(kind, "PersistentVolumeClaim" | "PersistentVolume") {
                let annotations = &object["metadata"]["annotations"];
                let argo = annotations[ARGOCD_SYNC_OPTIONS].as_str().unwrap_or("");
                if !argo.split(',').any(|o| o.trim() == "Prune=false") {
                    add(
                        PRUNE_GUARDS,
                        object,
                        format!("lacks {ARGOCD_SYNC_OPTIONS}: Prune=false (has {argo:?})"),
                    );
                }
                if annotations[FLUX_PRUNE] != "disabled" {
                    add(
                        PRUNE_GUARDS,
                        object,
                        format!(
                            "lacks {FLUX_PRUNE}: disabled (has {})",
                            annotations[FLUX_PRUNE]
                        ),
                    );
                }
            }
            if core_v1 && kind == "Secret" {
                for field in ["data", "stringData"] {
                    if object.get(field).is_some() {
                        add(
                            NO_SECRET_DATA,
                            object,
                            format!("a generated Secret carries {field}"),
                        );
                    }
                }
            }
            if let Some(problem) = job_problem(object) {
                add(JOB_PODS, object, problem);
            }
            let job = &object["spec"]["jobTemplate"];
            for (place, labels, present) in [
                ("metadata.labels", &object["metadata"]["labels"], true),
                (
                    "spec.template.metadata.labels",
                    &object["spec"]["template"]["metadata"]["labels"],
                    !object["spec"]["template"].is_null(),
                ),
                (
                    "spec.jobTemplate.metadata.labels",
                    &job["metadata"]["labels"],
                    !job.is_null(),
                ),
                (
                    "spec.jobTemplate.spec.template.metadata.labels",
                    &job["spec"]["template"]["metadata"]["labels"],
                    !job.is_null(),
                ),
            ] {
                if !present {
                    continue;
                }
                if let Some(problem) = label_problem(labels) {
                    add(LABELS, object, format!("{place}: {problem}"));
                }
            }
        }
    }
    found
}

/// The generated HTTPRoutes and Ingresses whose external-dns target is wrong: any on a
/// route (external-dns reads it from the Gateway only), one on an Ingress without the
/// hostname annotation, an external Ingress without the platform's (or, the platform
/// unknown, another than the first external Ingress's).
fn target_problems(out: &Output) -> Vec<(&Value, String)> {
    let mut problems = Vec::new();
    let annotation = |o: &Value, key: &str| {
        o["metadata"]["annotations"][key]
            .as_str()
            .map(str::to_string)
    };
    let platform_target = out.platform.as_ref().map(|p| {
        p["spec"]["ingress"]["external"]["target"]
            .as_str()
            .map(str::to_string)
    });
    let mut first_external: Option<Option<String>> = None;
    for object in out.generated() {
        let api = object["apiVersion"].as_str().unwrap_or("");
        let target = annotation(object, TARGET_ANNOTATION);
        match object["kind"].as_str() {
            Some("HTTPRoute") if api.starts_with("gateway.networking.k8s.io/") => {
                if let Some(t) = target {
                    problems.push((object, format!("carries {TARGET_ANNOTATION}: {t}, which external-dns reads from the Gateway, never from a route")));
                }
            }
            Some("Ingress") if api.starts_with("networking.k8s.io/") => {
                if annotation(object, HOSTNAME_ANNOTATION).is_none() {
                    if let Some(t) = target {
                        problems.push((object, format!("carries {TARGET_ANNOTATION}: {t} without external-dns's hostname (not an external app's Ingress)")));
                    }
                    continue;
                }
                let want = match &platform_target {
                    Some(p) => p.clone(),
                    None => first_external.get_or_insert_with(|| target.clone()).clone(),
                };
                if target != want {
                    problems.push((object, format!("an external Ingress with {TARGET_ANNOTATION} {target:?}, not the platform's {want:?}")));
                }
            }
            _ => {}
        }
    }
    problems
}

/// What is wrong with a ServiceMonitor's targets among the output's Services.
fn monitor_problem(monitor: &Value, objects: &[Value]) -> Option<String> {
    if monitor["apiVersion"] != "monitoring.coreos.com/v1" || monitor["kind"] != "ServiceMonitor" {
        return None;
    }
    let namespace = &monitor["metadata"]["namespace"];
    let wanted = monitor["spec"]["selector"]["matchLabels"].as_object()?;
    let endpoints = monitor["spec"]["endpoints"].as_array()?;
    let targets: Vec<&Value> = objects
        .iter()
        .filter(|o| o["apiVersion"] == "v1" && o["kind"] == "Service")
        .filter(|o| o["metadata"]["namespace"] == *namespace)
        .filter(|o| {
            wanted
                .iter()
                .all(|(k, v)| o["metadata"]["labels"][k.as_str()] == *v)
        })
        .filter(|o| {
            // keep relabelings on the Service name (a plain name as the regex) keep it.
            endpoints.iter().all(|e| {
                e["relabelings"].as_array().into_iter().flatten().all(|r| {
                    r["action"] != "keep"
                        || r["sourceLabels"]
                            != serde_json::json!(["__meta_kubernetes_service_name"])
                        || r["regex"] == o["metadata"]["name"]
                })
            })
        })
        .collect();
    let [service] = targets.as_slice() else {
        return Some(format!(
            "selects {} Services of the output, not exactly one",
            targets.len()
        ));
    };
    for e in endpoints {
        let port = &e["port"];
        let has = service["spec"]["ports"]
            .as_array()
            .into_iter()
            .flatten()
            .any(|p| p["name"] == *port);
        if !has {
            return Some(format!(
                "endpoint port {port} is not a port name of Service {}",
                service["metadata"]["name"]
            ));
        }
    }
    None
}

/// The backends of an Ingress or HTTPRoute whose port is not a port of the Service they
/// name, when that Service is in the output: each as a message.
fn backend_port_problems(object: &Value, objects: &[Value]) -> Vec<String> {
    let namespace = &object["metadata"]["namespace"];
    let list = |v: &Value| v.as_array().cloned().unwrap_or_default();
    // (Service name, its namespace, the port as written: {number} or {name} or a number)
    let mut backends: Vec<(Value, Value, Value)> = Vec::new();
    match (object["apiVersion"].as_str(), object["kind"].as_str()) {
        (Some("networking.k8s.io/v1"), Some("Ingress")) => {
            let spec = &object["spec"];
            let mut services = vec![spec["defaultBackend"]["service"].clone()];
            for rule in list(&spec["rules"]) {
                for path in list(&rule["http"]["paths"]) {
                    services.push(path["backend"]["service"].clone());
                }
            }
            for s in services.into_iter().filter(|s| s.is_object()) {
                backends.push((s["name"].clone(), namespace.clone(), s["port"].clone()));
            }
        }
        (Some(api), Some("HTTPRoute")) if api.starts_with("gateway.networking.k8s.io/") => {
            for rule in list(&object["spec"]["rules"]) {
                for r in list(&rule["backendRefs"]) {
                    let core = r["group"].as_str().unwrap_or("").is_empty();
                    if !core || r["kind"].as_str().unwrap_or("Service") != "Service" {
                        continue;
                    }
                    let ns = if r["namespace"].is_string() {
                        r["namespace"].clone()
                    } else {
                        namespace.clone()
                    };
                    backends.push((r["name"].clone(), ns, r["port"].clone()));
                }
            }
        }
        _ => return Vec::new(),
    }
    let mut problems = Vec::new();
    for (name, ns, port) in backends {
        let Some(service) = objects.iter().find(|o| {
            o["apiVersion"] == "v1"
                && o["kind"] == "Service"
                && o["metadata"]["name"] == name
                && o["metadata"]["namespace"] == ns
        }) else {
            continue;
        };
        let ports = list(&service["spec"]["ports"]);
        let (by, wanted) = if port["name"].is_string() {
            ("name", &port["name"])
        } else if port["number"].is_number() {
            ("port", &port["number"])
        } else {
            ("port", &port)
        };
        if !ports.iter().any(|p| p[by] == *wanted) {
            let has: Vec<String> = ports
                .iter()
                .map(|p| format!("{}/{}", p["name"], p["port"]))
                .collect();
            problems.push(format!(
                "backend port {wanted} is not a port of Service {name} (it has {})",
                has.join(", ")
            ));
        }
    }
    problems
}

/// What is wrong with a generated CronJob: a name the Job controller cannot extend, a pod
/// restartPolicy a Job refuses.
fn job_problem(object: &Value) -> Option<String> {
    if object["apiVersion"] != "batch/v1" || object["kind"] != "CronJob" {
        return None;
    }
    let name = object["metadata"]["name"].as_str().unwrap_or("");
    if name.len() > 52 {
        return Some(format!(
            "the CronJob name {name} has {} characters; at most 52",
            name.len()
        ));
    }
    let policy = &object["spec"]["jobTemplate"]["spec"]["template"]["spec"]["restartPolicy"];
    (policy != "Never" && policy != "OnFailure")
        .then(|| format!("the Job's pod has restartPolicy {policy}, not Never or OnFailure"))
}

/// What is wrong with a workload's Reloader annotation: set on a pod that reads no Secret
/// or ConfigMap.
fn reloader_problem(object: &Value) -> Option<String> {
    if object["apiVersion"] != "apps/v1"
        || object["metadata"]["annotations"]["reloader.stakater.com/auto"] != "true"
    {
        return None;
    }
    let pod = &object["spec"]["template"]["spec"];
    let text = |v: &Value| serde_json::to_string(v).unwrap_or_default();
    let containers = [&pod["containers"], &pod["initContainers"]];
    let env = containers.iter().any(|c| {
        let t = text(c);
        [
            "secretKeyRef",
            "configMapKeyRef",
            "secretRef",
            "configMapRef",
        ]
        .iter()
        .any(|k| t.contains(&format!("\"{k}\"")))
    });
    let volumes = pod["volumes"].as_array().into_iter().flatten().any(|v| {
        v.get("secret").is_some()
            || v.get("configMap").is_some()
            || v["projected"]["sources"]
                .as_array()
                .into_iter()
                .flatten()
                .any(|s| s.get("secret").is_some() || s.get("configMap").is_some())
    });
    (!env && !volumes).then(|| {
        "annotated reloader.stakater.com/auto but its pod reads no Secret or ConfigMap".to_string()
    })
}

fn label_problem(labels: &Value) -> Option<String> {
    let get = |k: &str| labels[k].as_str().filter(|v| !v.is_empty());
    for key in [
        "app.kubernetes.io/name",
        "app.kubernetes.io/instance",
        "app.kubernetes.io/managed-by",
        "backstage.io/kubernetes-id",
    ] {
        if get(key).is_none() {
            return Some(format!("no {key} label"));
        }
    }
    if get("app.kubernetes.io/managed-by") != Some(crate_manager()) {
        return Some(format!(
            "app.kubernetes.io/managed-by is {}, not appspec",
            labels["app.kubernetes.io/managed-by"]
        ));
    }
    if get("backstage.io/kubernetes-id") != get("app.kubernetes.io/name") {
        return Some(format!(
            "backstage.io/kubernetes-id {} differs from app.kubernetes.io/name {}",
            labels["backstage.io/kubernetes-id"], labels["app.kubernetes.io/name"]
        ));
    }
    None
}

/// The contract's value, written here rather than taken from the product.
fn crate_manager() -> &'static str {
    "appspec"
}

/// What `strict_violations` checked.
#[derive(Debug, Default)]
pub struct StrictReport {
    /// Objects validated per kind.
    pub kinds: BTreeMap<String, usize>,
    /// Objects skipped (only without ../shared/schemas and without APPSPEC_REQUIRE_TOOLS=1).
    pub skipped: usize,
    pub summary: String,
}

/// `strict-valid` over the generated objects of some outputs, in one run of
/// tests/tools/validate.py. `None` (after a notice) when the venv is missing and tools are
/// not required.
pub fn strict_violations(outputs: &[Output]) -> Option<(Vec<Violation>, StrictReport)> {
    let python = python()?;
    let shared = shared_schemas();
    let dir = tempfile::Builder::new()
        .prefix("invariants")
        .tempdir_in(env!("CARGO_TARGET_TMPDIR"))
        .expect("cannot create a temp dir");
    let mut files: Vec<(PathBuf, &Output)> = Vec::new();
    let mut total = 0;
    for (i, out) in outputs.iter().enumerate() {
        let generated = out.generated();
        if generated.is_empty() {
            continue;
        }
        total += generated.len();
        let safe: String = out
            .what
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
            .collect();
        let path = dir.path().join(format!("{i:03}-{safe}.yaml"));
        let stream: String = generated
            .iter()
            .map(|o| format!("---\n{}", serde_saphyr::to_string(o).expect("serializes")))
            .collect();
        std::fs::write(&path, stream).expect("cannot write a temp file");
        files.push((path, out));
    }
    assert!(total > 0, "no generated object to validate");
    let mut cmd = std::process::Command::new(&python);
    cmd.arg(repo_root().join("tests/tools/validate.py"))
        .arg("--schemas")
        .arg(own_schemas());
    match &shared {
        Some(dir) => {
            cmd.arg("--schemas").arg(dir);
        }
        None => {
            cmd.arg("--skip-missing-crds");
        }
    }
    let out = cmd
        .args(files.iter().map(|(p, _)| p))
        .output()
        .unwrap_or_else(|e| panic!("cannot run {}: {e}", python.display()));
    let stdout = text(&out.stdout);
    assert!(
        matches!(out.status.code(), Some(0 | 1)),
        "tests/tools/validate.py could not run ({}):\n{stdout}\n{}",
        out.status,
        text(&out.stderr)
    );
    let mut report = StrictReport::default();
    let mut found = Vec::new();
    for line in stdout.lines() {
        let Some((status, rest)) = line.split_once(' ') else {
            continue;
        };
        let rest = rest.trim_start();
        let Some((file, tail)) = files
            .iter()
            .find(|(p, _)| rest.starts_with(&format!("{}: ", p.display())))
            .map(|(p, o)| (o, &rest[p.display().to_string().len() + 2..]))
        else {
            continue;
        };
        let (object, message) = tail.split_once(": ").unwrap_or((tail, ""));
        match status {
            "ok" => {
                let kind = object.split('/').next().unwrap_or("?").to_string();
                *report.kinds.entry(kind).or_default() += 1;
            }
            "skip" => report.skipped += 1,
            "FAIL" => found.push(Violation {
                invariant: STRICT_VALID,
                what: file.what.clone(),
                object: object.to_string(),
                message: message.to_string(),
            }),
            _ => {}
        }
    }
    report.summary = stdout.lines().last().unwrap_or_default().to_string();
    let ok: usize = report.kinds.values().sum();
    let failed_objects = {
        let mut ids: Vec<(&str, &str)> = found
            .iter()
            .map(|v| (v.what.as_str(), v.object.as_str()))
            .collect();
        ids.dedup();
        ids.len()
    };
    assert_eq!(
        ok + failed_objects + report.skipped,
        total,
        "validate.py did not report on every one of the {total} objects:\n{stdout}"
    );
    if report.skipped > 0 {
        assert!(
            shared.is_none() && !tools_required(),
            "objects were skipped:\n{stdout}"
        );
        eprintln!(
            "notice: {} custom resources not schema-checked (../shared/schemas is absent)",
            report.skipped
        );
    }
    if out.status.code() == Some(1) {
        assert!(
            !found.is_empty(),
            "validate.py failed without a FAIL line:\n{stdout}"
        );
    }
    Some((found, report))
}

/// Every invariant over some outputs: panics with every violation, each naming its
/// invariant. Returns what `strict-valid` checked (`None` when the venv is missing and tools
/// are not required).
pub fn assert_invariants(outputs: &[Output]) -> Option<StrictReport> {
    assert!(!outputs.is_empty(), "no output to check");
    for out in outputs {
        assert!(
            !out.generated().is_empty(),
            "{}: no generated object in the output (the invariants would hold vacuously)",
            out.what
        );
    }
    let mut found = violations(outputs);
    let strict = strict_violations(outputs);
    let report = strict.map(|(v, report)| {
        found.extend(v);
        report
    });
    assert!(
        found.is_empty(),
        "{} invariant violation(s) in {} outputs:\n{}",
        found.len(),
        outputs.len(),
        found
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join("\n")
    );
    if let Some(r) = &report {
        eprintln!(
            "invariants hold over {} outputs; strict: {}",
            outputs.len(),
            r.summary
        );
    }
    report
}

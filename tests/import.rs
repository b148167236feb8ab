//! `appspec import` fixtures: adding a case is adding a folder.
//!
//! Every `tests/import/<case>/helmrelease.yaml` is imported by the real binary, run in the
//! case folder with `--platform platform.yaml` when the case has one and the arguments in
//! `args` (one per line: `--set`, `VAR=value`, further input files). The snapshot pins
//! stdout, stderr and the exit code; `dropped.txt` lists the values paths that must be
//! reported as not carried over, exactly.
//!
//! A round-trip checker, which reads the HelmRelease itself, runs the printed AppSpecs
//! through the engine and asserts that the expansion keeps the release's image, env
//! names, ports, probe paths, user ids, supplemental groups, the grace period, mount paths
//! and hosts, unless the path of that value (or of a value above it) is in the dropped list;
//! and that every dropped path exists in the release. A release of app-template 1.x is
//! read in its own layout, by the 1.x chart's rules (`round_trip_v1`).
//!
//! The objects the printed AppSpecs expand into keep the output invariants of every example
//! (`common::invariants`: strict validity against the Kubernetes and CRD schemas, prune
//! guards, no Secret data, labels).
//!
//! Update with `INSTA_UPDATE=always UPDATE_DROPPED=1 cargo test --test import`; review.

mod common;

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::path::Path;

use appspec::engine;
use appspec::input::source::Item;
use appspec::input::yaml::{self, Limits};
use assert_cmd::Command;
use serde_json::Value;

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

fn args_of(dir: &Path) -> Vec<String> {
    std::fs::read_to_string(dir.join("args"))
        .unwrap_or_default()
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(str::to_string)
        .collect()
}

fn import(dir: &Path) -> Run {
    let mut cmd = Command::cargo_bin("appspec").unwrap();
    cmd.current_dir(dir)
        .env_remove("APPSPEC_PLATFORM")
        .arg("import");
    if dir.join("platform.yaml").exists() {
        cmd.args(["--platform", "platform.yaml"]);
    }
    match std::fs::read_to_string(dir.join("input")) {
        Ok(input) => cmd.args(args_of(dir)).args(input.split_whitespace()),
        Err(_) => cmd.args(args_of(dir)).arg("helmrelease.yaml"),
    };
    let out = cmd.output().unwrap();
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8(out.stdout).unwrap(),
        stderr: String::from_utf8(out.stderr).unwrap(),
    }
}

/// `--set` pairs of a case.
fn vars(dir: &Path) -> Vec<(String, String)> {
    let args = args_of(dir);
    args.windows(2)
        .filter(|w| w[0] == "--set")
        .filter_map(|w| w[1].split_once('=').map(|(k, v)| (k.into(), v.into())))
        .collect()
}

/// The checker's own substitution: the release name and `--set` variables.
fn substitute(v: &Value, name: &str, vars: &[(String, String)]) -> Value {
    match v {
        Value::String(s) => {
            let mut s = s.clone();
            for form in ["{{ .Release.Name }}", "{{.Release.Name}}"] {
                s = s.replace(form, name);
            }
            for (k, val) in vars {
                s = s.replace(&format!("${{{k}}}"), val);
            }
            Value::String(s)
        }
        Value::Array(a) => Value::Array(a.iter().map(|i| substitute(i, name, vars)).collect()),
        Value::Object(m) => Value::Object(
            m.iter()
                .map(|(k, v)| (k.clone(), substitute(v, name, vars)))
                .collect(),
        ),
        other => other.clone(),
    }
}

/// The values paths of a release's lines, `<file>: HelmRelease/<name>: <path>: <reason>`:
/// the omissions (`notes` false), or the notes (`<path>: note: <text>`: kept in behaviour,
/// owned by the platform or moved). Messages of a release that is not imported at all have
/// no path.
fn paths_of(stderr: &str, notes: bool) -> Vec<String> {
    stderr
        .lines()
        .filter_map(|l| {
            let rest = l.split_once(": HelmRelease/")?.1;
            let rest = rest.split_once(": ")?.1;
            let (path, reason) = rest.split_once(": ")?;
            (!path.contains(' ') && reason.starts_with("note: ") == notes).then(|| path.to_string())
        })
        .collect()
}

fn dropped_paths(stderr: &str) -> Vec<String> {
    paths_of(stderr, false)
}

fn noted_paths(stderr: &str) -> Vec<String> {
    paths_of(stderr, true)
}

fn covered(dropped: &[String], path: &str) -> bool {
    dropped.iter().any(|d| {
        path == d
            || path
                .strip_prefix(d.as_str())
                .is_some_and(|r| r.starts_with('.') || r.starts_with('['))
    })
}

/// Resolves a dotted values path (`a.b[0].c`, keys may hold dots) in `v`.
fn resolves(v: &Value, path: &str) -> bool {
    if path.is_empty() {
        return true;
    }
    match v {
        Value::Object(m) => m.iter().any(|(k, child)| {
            path.strip_prefix(k.as_str()).is_some_and(|rest| {
                rest.is_empty()
                    || rest.strip_prefix('.').is_some_and(|r| resolves(child, r))
                    || (rest.starts_with('[') && resolves(child, rest))
            })
        }),
        Value::Array(a) => {
            let Some(rest) = path.strip_prefix('[') else {
                return false;
            };
            let Some((i, rest)) = rest.split_once(']') else {
                return false;
            };
            let Ok(i) = i.parse::<usize>() else {
                return false;
            };
            a.get(i).is_some_and(|child| {
                rest.is_empty()
                    || rest.strip_prefix('.').is_some_and(|r| resolves(child, r))
                    || (rest.starts_with('[') && resolves(child, rest))
            })
        }
        _ => false,
    }
}

fn is_off(v: &Value) -> bool {
    v.get("enabled") == Some(&Value::Bool(false))
}

fn entries(v: &Value) -> Vec<(String, &Value)> {
    v.as_object()
        .map(|m| {
            m.iter()
                .filter(|(_, x)| !x.is_null() && !is_off(x))
                .map(|(k, x)| (k.clone(), x))
                .collect()
        })
        .unwrap_or_default()
}

/// The app's controller, by the documented rule: the one named like the release, else the
/// one a Service of the release sends to (the first such that runs continuously), else the
/// first that is not a CronJob or Job, else the first.
fn main_controller(values: &Value, name: &str) -> Option<String> {
    let controllers = entries(values.get("controllers")?);
    let runs = |c: &Value| !matches!(c["type"].as_str(), Some("cronjob" | "job"));
    let with_containers = |c: &Value| c.get("containers").is_some();
    let served = |cname: &str| {
        entries(&values["service"])
            .iter()
            .any(|(_, s)| s["controller"].as_str() == Some(cname) || (controllers.len() == 1))
    };
    controllers
        .iter()
        .find(|(n, c)| n == name && runs(c))
        .or_else(|| {
            controllers
                .iter()
                .find(|(n, c)| with_containers(c) && runs(c) && served(n))
        })
        .or_else(|| {
            controllers
                .iter()
                .find(|(_, c)| with_containers(c) && runs(c))
        })
        .or_else(|| controllers.iter().find(|(_, c)| with_containers(c)))
        .map(|(n, _)| n.clone())
}

/// The main container of a controller: `app`, `main` or named like the controller, else
/// the first.
fn main_container_of<'v>(values: &'v Value, cname: &str) -> Option<(String, &'v Value)> {
    let containers = entries(values["controllers"][cname].get("containers")?);
    let (kname, k) = containers
        .iter()
        .find(|(n, _)| n == "app" || n == "main" || n == cname)
        .or(containers.first())?;
    Some((kname.clone(), *k))
}

/// The controllers of a release and the AppSpec that runs each: the app's controller
/// runs as the release's name; the others as the import says on stderr
/// (`controllers.<c>: note: controller <c> becomes its own AppSpec <name>`).
fn apps_of(stderr: &str, values: &Value, name: &str) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = main_controller(values, name)
        .map(|c| (c, name.to_string()))
        .into_iter()
        .collect();
    for l in stderr.lines() {
        let Some((_, rest)) = l.split_once(": note: controller ") else {
            continue;
        };
        let Some((c, rest)) = rest.split_once(" becomes its own AppSpec ") else {
            continue;
        };
        let app = rest.split([',', ' ']).next().unwrap_or_default();
        out.push((c.to_string(), app.to_string()));
    }
    out
}

/// The in-cluster addresses with a port in a text: `http://<svc>.<namespace>.svc.cluster.local:<port>`,
/// `<svc>.<namespace>.svc:<port>`, `<svc>:<port>` (host, port).
fn cluster_urls(text: &str, namespace: &str) -> Vec<(String, i64)> {
    let mut out = Vec::new();
    for word in text.split(|c: char| c.is_whitespace() || c == ',' || c == ';') {
        let rest = word.split_once("://").map_or(word, |(_, r)| r);
        let Some((host, tail)) = rest.split_once(':') else {
            continue;
        };
        let port: String = tail.chars().take_while(char::is_ascii_digit).collect();
        let Ok(port) = port.parse::<i64>() else {
            continue;
        };
        let short = [
            format!(".{namespace}.svc.cluster.local"),
            format!(".{namespace}.svc"),
            format!(".{namespace}"),
        ]
        .iter()
        .find_map(|s| host.strip_suffix(s.as_str()))
        .unwrap_or(host);
        if !short.contains('.') && !short.is_empty() {
            out.push((short.to_string(), port));
        }
    }
    out
}

/// The round trip of one case; returns every violated fact, and the expanded objects for
/// the output invariants (strict validity, prune guards, no Secret data...).
fn releases_of(dir: &Path) -> Vec<Value> {
    if !dir.join("input").exists() {
        let text = std::fs::read_to_string(dir.join("helmrelease.yaml")).unwrap();
        let docs = yaml::parse_stream(&text, &Limits::default()).unwrap();
        return docs
            .into_iter()
            .find(|d| d["kind"] == "HelmRelease")
            .into_iter()
            .collect();
    }
    // Every app-template release of the layout.
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let mut entries: Vec<_> = std::fs::read_dir(&d)
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        entries.sort();
        for p in entries {
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|e| e == "yaml") {
                let text = std::fs::read_to_string(&p).unwrap();
                for doc in yaml::parse_stream(&text, &Limits::default()).unwrap_or_default() {
                    let chart = doc["spec"]["chart"]["spec"]["chart"].as_str();
                    if doc["kind"] == "HelmRelease"
                        && (chart == Some("app-template") || doc["spec"]["chartRef"].is_object())
                    {
                        out.push(doc);
                    }
                }
            }
        }
    }
    out
}

/// The stderr lines of one release (`HelmRelease/<namespace>/<name>:` or `HelmRelease/<name>:`).
fn lines_of(stderr: &str, name: &str) -> String {
    stderr
        .lines()
        .filter(|l| {
            l.split_once(": HelmRelease/")
                .and_then(|(_, rest)| rest.split_once(": "))
                .is_some_and(|(who, _)| who == name || who.ends_with(&format!("/{name}")))
        })
        .map(|l| format!("{l}\n"))
        .collect()
}

/// The round trip of one release of a case: `hr` is the HelmRelease document.
fn round_trip_release(dir: &Path, hr: &Value, run: &Run, expanded: &mut Vec<Value>) -> Vec<String> {
    let mut problems = Vec::new();
    let name = hr["metadata"]["name"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let stderr = lines_of(&run.stderr, &name);
    let dropped = dropped_paths(&stderr);
    let noted = noted_paths(&stderr);
    for d in dropped.iter().chain(&noted) {
        let ok = match d.strip_prefix("spec.") {
            Some(rest) if !resolves(&hr["spec"]["values"], d) => resolves(&hr["spec"], rest),
            _ => resolves(&hr["spec"]["values"], d),
        };
        if !ok {
            problems.push(format!("dropped or noted path {d} is not in the release"));
        }
    }
    if run.stdout.trim().is_empty() {
        return problems;
    }
    let values = substitute(&hr["spec"]["values"], &name, &vars(dir));
    // The AppSpecs of this release: the app's, named after the release, and one for each
    // controller the import says became an AppSpec of its own.
    let apps = apps_of(&stderr, &values, &name);
    let specs: Vec<Value> = yaml::parse_stream(&run.stdout, &Limits::default())
        .unwrap()
        .into_iter()
        .filter(|s| {
            apps.iter()
                .any(|(_, n)| s["metadata"]["name"] == n.as_str())
        })
        .collect();
    if specs.is_empty() {
        return problems;
    }
    let platform = std::fs::read_to_string(dir.join("platform.yaml"))
        .ok()
        .map(|t| {
            Item::new(
                yaml::parse_one(&t, &Limits::default()).unwrap(),
                Some("platform.yaml".into()),
            )
        });
    let items = specs
        .iter()
        .map(|s| Item::new(s.clone(), Some("out.yaml".into())))
        .collect();
    let outcome = engine::run(items, platform);
    if outcome.has_errors() {
        problems.push(format!(
            "the printed AppSpecs do not validate: {:?}",
            outcome
                .diagnostics
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
        ));
        return problems;
    }
    let objects: Vec<Value> = outcome.items.iter().map(|o| o.to_value()).collect();
    let objects = &objects;
    expanded.extend(objects.iter().cloned());
    if is_v1(hr) {
        let Some(workload) = objects.iter().find(|o| {
            matches!(
                o["kind"].as_str(),
                Some("Deployment" | "StatefulSet" | "CronJob")
            )
        }) else {
            problems.push("no workload in the expansion".into());
            return problems;
        };
        let pod = if workload["kind"] == "CronJob" {
            &workload["spec"]["jobTemplate"]["spec"]["template"]["spec"]
        } else {
            &workload["spec"]["template"]["spec"]
        };
        let Some(container) = pod["containers"]
            .as_array()
            .and_then(|cs| cs.iter().find(|c| c["name"] == name.as_str()))
        else {
            problems.push("no container named like the app".into());
            return problems;
        };
        let app_spec = specs
            .iter()
            .find(|s| s["metadata"]["name"] == name.as_str())
            .map(|s| &s["spec"]);
        round_trip_v1(
            &values,
            workload,
            container,
            pod,
            app_spec,
            objects,
            &mut |path, ok, what| {
                if !ok && !covered(&dropped, &path) && !covered(&noted, &path) {
                    problems.push(format!(
                        "{what} of {path} is neither kept nor listed as dropped"
                    ));
                }
            },
        );
        return problems;
    }
    // Every controller that runs continuously or on a schedule is an AppSpec or listed as
    // dropped.
    for (cname, c) in entries(&values["controllers"]) {
        let one_off = c["type"] == "job";
        let at = format!("controllers.{cname}");
        if !one_off && !apps.iter().any(|(a, _)| *a == cname) && !covered(&dropped, &at) {
            problems.push(format!("{at} is neither an AppSpec nor listed as dropped"));
        }
    }
    for (cname, app) in &apps {
        if !specs.iter().any(|s| s["metadata"]["name"] == app.as_str()) {
            problems.push(format!("no AppSpec {app} for controller {cname}"));
            continue;
        }
        problems.extend(round_trip_controller(
            &values, objects, &specs, cname, app, &dropped, &noted,
        ));
    }
    // In-cluster URLs of the release's own Services that its apps use keep working: a
    // Service of that name with that port is among what the AppSpecs expand into.
    let namespace = specs[0]["metadata"]["namespace"]
        .as_str()
        .unwrap_or_default();
    for (cname, c) in entries(&values["controllers"]) {
        for (kname, k) in entries(&c["containers"]) {
            for (ename, e) in entries(&k["env"]) {
                let text = e.as_str().or(e["value"].as_str()).unwrap_or_default();
                for (host, port) in cluster_urls(text, namespace) {
                    if !host.starts_with(&name) {
                        continue;
                    }
                    let served = objects.iter().any(|o| {
                        o["kind"] == "Service"
                            && o["metadata"]["name"] == host.as_str()
                            && o["spec"]["ports"]
                                .as_array()
                                .into_iter()
                                .flatten()
                                .any(|p| p["port"].as_i64() == Some(port))
                    });
                    let at = format!("controllers.{cname}.containers.{kname}.env.{ename}");
                    let listed = covered(&dropped, &at)
                        || stderr
                            .lines()
                            .any(|l| !l.contains(": note: ") && l.contains(host.as_str()));
                    if !served && !listed {
                        problems.push(format!(
                            "{at} uses {host}:{port}, which no expanded Service serves and nothing lists"
                        ));
                    }
                }
            }
        }
    }
    let check = |problems: &mut Vec<String>, path: String, ok: bool, what: &str| {
        if !ok && !covered(&dropped, &path) && !covered(&noted, &path) {
            problems.push(format!(
                "{what} of {path} is neither kept nor listed as dropped"
            ));
        }
    };
    // Hosts.
    let hosts = hosts_of(objects);
    for (rid, route) in entries(&values["route"]) {
        for (i, h) in route["hostnames"]
            .as_array()
            .into_iter()
            .flatten()
            .enumerate()
        {
            let h = h.as_str().unwrap_or_default();
            check(
                &mut problems,
                format!("route.{rid}.hostnames[{i}]"),
                hosts.contains(h),
                "the host",
            );
        }
    }
    // Each route's Gateways and path prefixes: an HTTPRoute serving its first host attaches
    // to every Gateway the route names, and some HTTPRoute or Ingress serves the host with
    // each path prefix of its rules.
    for (rid, route) in entries(&values["route"]) {
        let Some(host) = route["hostnames"][0].as_str() else {
            continue;
        };
        let serving: Vec<&Value> = objects
            .iter()
            .filter(|o| {
                o["spec"]["hostnames"]
                    .as_array()
                    .is_some_and(|hs| hs.iter().any(|h| h == host))
            })
            .collect();
        for (i, p) in route["parentRefs"]
            .as_array()
            .into_iter()
            .flatten()
            .enumerate()
        {
            let name = p["name"].as_str().unwrap_or_default();
            let attached = serving.iter().any(|o| {
                o["spec"]["parentRefs"]
                    .as_array()
                    .is_some_and(|ps| ps.iter().any(|x| x["name"] == name))
            });
            check(
                &mut problems,
                format!("route.{rid}.parentRefs[{i}]"),
                attached,
                "the Gateway",
            );
        }
        for (i, rule) in route["rules"].as_array().into_iter().flatten().enumerate() {
            let Some(prefix) = rule["matches"][0]["path"]["value"].as_str() else {
                continue;
            };
            let routed = objects.iter().any(|o| {
                let served = o["spec"]["hostnames"]
                    .as_array()
                    .is_some_and(|hs| hs.iter().any(|h| h == host));
                o["spec"]["rules"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .any(|r| {
                        (served
                            && r["matches"]
                                .as_array()
                                .into_iter()
                                .flatten()
                                .any(|m| m["path"]["value"] == prefix))
                            || (r["host"] == host
                                && r["http"]["paths"]
                                    .as_array()
                                    .into_iter()
                                    .flatten()
                                    .any(|p| p["path"] == prefix))
                    })
            });
            check(
                &mut problems,
                format!("route.{rid}.rules[{i}].matches[0].path"),
                routed,
                "the path prefix",
            );
        }
    }
    for (iid, ing) in entries(&values["ingress"]) {
        for (i, h) in ing["hosts"].as_array().into_iter().flatten().enumerate() {
            let host = h["host"].as_str().unwrap_or_default();
            check(
                &mut problems,
                format!("ingress.{iid}.hosts[{i}].host"),
                hosts.contains(host),
                "the host",
            );
        }
    }
    problems
}

/// The round trip of one controller of a release, run by the AppSpec `name`.
fn round_trip_controller(
    values: &Value,
    objects: &[Value],
    specs: &[Value],
    cname: &str,
    name: &str,
    dropped: &[String],
    noted: &[String],
) -> Vec<String> {
    let mut problems = Vec::new();
    let cname = cname.to_string();
    let Some(workload) = objects.iter().find(|o| {
        matches!(
            o["kind"].as_str(),
            Some("Deployment" | "StatefulSet" | "CronJob")
        ) && o["metadata"]["name"] == name
    }) else {
        problems.push(format!("no workload {name} in the expansion"));
        return problems;
    };
    let pod = if workload["kind"] == "CronJob" {
        &workload["spec"]["jobTemplate"]["spec"]["template"]["spec"]
    } else {
        &workload["spec"]["template"]["spec"]
    };
    let Some(container) = pod["containers"]
        .as_array()
        .and_then(|cs| cs.iter().find(|c| c["name"] == name))
    else {
        problems.push("no container named like the app".into());
        return problems;
    };
    let app_spec = specs
        .iter()
        .find(|s| s["metadata"]["name"] == name)
        .map(|s| &s["spec"]);
    let Some((kname, main)) = main_container_of(values, &cname) else {
        problems.push(format!("no main container in controller {cname}"));
        return problems;
    };
    let base = format!("controllers.{cname}.containers.{kname}");
    let mut check = |path: String, ok: bool, what: &str| {
        if !ok && !covered(dropped, &path) && !covered(noted, &path) {
            problems.push(format!(
                "{what} of {path} is neither kept nor listed as dropped"
            ));
        }
    };
    // A CronJob controller: the CronJob has the schedule and settings the chart gave its
    // own (app-template's defaults where the values say nothing).
    let controller = &values["controllers"][&cname];
    if controller["type"] == "cronjob" {
        let c = &controller["cronjob"];
        let job = &workload["spec"]["jobTemplate"]["spec"];
        let table: [(&str, Value, &Value); 11] = [
            ("schedule", Value::Null, &workload["spec"]["schedule"]),
            ("timeZone", Value::Null, &workload["spec"]["timeZone"]),
            (
                "concurrencyPolicy",
                "Forbid".into(),
                &workload["spec"]["concurrencyPolicy"],
            ),
            ("suspend", false.into(), &workload["spec"]["suspend"]),
            (
                "startingDeadlineSeconds",
                30.into(),
                &workload["spec"]["startingDeadlineSeconds"],
            ),
            (
                "successfulJobsHistory",
                1.into(),
                &workload["spec"]["successfulJobsHistoryLimit"],
            ),
            (
                "failedJobsHistory",
                1.into(),
                &workload["spec"]["failedJobsHistoryLimit"],
            ),
            ("backoffLimit", 6.into(), &job["backoffLimit"]),
            (
                "activeDeadlineSeconds",
                Value::Null,
                &job["activeDeadlineSeconds"],
            ),
            (
                "ttlSecondsAfterFinished",
                Value::Null,
                &job["ttlSecondsAfterFinished"],
            ),
            ("parallelism", Value::Null, &job["parallelism"]),
        ];
        for (key, chart_default, got) in table {
            let want = if c[key].is_null() {
                &chart_default
            } else {
                &c[key]
            };
            // Kubernetes' own defaults apply where the object leaves a field out.
            let k8s = match key {
                "concurrencyPolicy" => Value::from("Allow"),
                "suspend" => Value::from(false),
                "successfulJobsHistory" => Value::from(3),
                "failedJobsHistory" => Value::from(1),
                "backoffLimit" => Value::from(6),
                _ => Value::Null,
            };
            let got = if got.is_null() { &k8s } else { got };
            check(
                format!("controllers.{cname}.cronjob.{key}"),
                want == got,
                "the CronJob setting",
            );
        }
        let restart = controller["pod"]["restartPolicy"]
            .as_str()
            .or(values["defaultPodOptions"]["restartPolicy"].as_str())
            .unwrap_or("Never");
        check(
            format!("controllers.{cname}.pod.restartPolicy"),
            pod["restartPolicy"] == restart,
            "the restart policy",
        );
    }
    // Image.
    let image = &main["image"];
    let want = match (image["repository"].as_str(), &image["tag"]) {
        (Some(r), Value::String(t)) => format!("{r}:{t}"),
        (Some(r), Value::Number(t)) => format!("{r}:{t}"),
        (Some(r), _) => r.to_string(),
        _ => image.as_str().unwrap_or_default().to_string(),
    };
    check(
        format!("{base}.image"),
        container["image"]
            .as_str()
            .is_some_and(|i| i.starts_with(&want)),
        "the image",
    );
    // Env names.
    let env_names: BTreeSet<String> = container["env"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|e| e["name"].as_str().map(str::to_string))
        .collect();
    for (k, _) in entries(&main["env"]) {
        check(
            format!("{base}.env.{k}"),
            env_names.contains(&k),
            "the env var",
        );
    }
    // Ports of the app's Services.
    let ports: BTreeSet<i64> = container["ports"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|p| p["containerPort"].as_i64())
        .collect();
    let controllers = entries(&values["controllers"]).len();
    for (sid, svc) in entries(&values["service"]) {
        let owner = svc["controller"].as_str().map(str::to_string);
        if owner.as_ref().is_some_and(|o| *o != cname)
            || (owner.is_none() && controllers > 1 && sid != cname)
        {
            continue;
        }
        for (pname, p) in entries(&svc["ports"]) {
            let n = p["targetPort"]
                .as_i64()
                .or(p["port"].as_i64())
                .unwrap_or(-1);
            check(
                format!("service.{sid}.ports.{pname}"),
                ports.contains(&n),
                "the port",
            );
            // An appProtocol is on the expanded Service port of that number.
            if let Some(want) = p["appProtocol"].as_str() {
                let number = p["port"].as_i64().unwrap_or(-1);
                let kept = objects.iter().filter(|o| o["kind"] == "Service").any(|o| {
                    o["spec"]["ports"]
                        .as_array()
                        .into_iter()
                        .flatten()
                        .any(|sp| sp["port"].as_i64() == Some(number) && sp["appProtocol"] == want)
                });
                check(
                    format!("service.{sid}.ports.{pname}.appProtocol"),
                    kept,
                    "the appProtocol",
                );
            }
        }
    }
    // Probes: the check is there, and an HTTP path is the same.
    for (kind, field) in [
        ("readiness", "readinessProbe"),
        ("liveness", "livenessProbe"),
    ] {
        let probe = &main["probes"][kind];
        if probe["enabled"] != Value::Bool(true) {
            continue;
        }
        let at = format!("{base}.probes.{kind}");
        let path = probe["spec"]["httpGet"]["path"]
            .as_str()
            .or(probe["path"].as_str());
        match path {
            Some(path) => check(
                at,
                container[field]["httpGet"]["path"] == path,
                "the probe path",
            ),
            None => check(at, container[field].is_object(), "the probe"),
        }
    }
    // Probe timings: each the release sets is what the expanded probe has (Kubernetes'
    // default when the probe leaves it out).
    for (kind, field) in [
        ("readiness", "readinessProbe"),
        ("liveness", "livenessProbe"),
        ("startup", "startupProbe"),
    ] {
        let probe = &main["probes"][kind];
        if probe["enabled"] != Value::Bool(true) {
            continue;
        }
        for (key, default) in [
            ("initialDelaySeconds", 0),
            ("periodSeconds", 10),
            ("timeoutSeconds", 1),
            ("failureThreshold", 3),
            ("successThreshold", 1),
        ] {
            let Some(want) = probe["spec"][key].as_i64() else {
                continue;
            };
            if probe["custom"] != Value::Bool(true) && key == "successThreshold" {
                continue; // the chart does not read it
            }
            let got = container[field][key].as_i64().unwrap_or(default);
            check(
                format!("{base}.probes.{kind}.spec.{key}"),
                container[field].is_object() && got == want,
                "the probe timing",
            );
        }
    }
    // User ids.
    for (at, sc) in [
        (format!("{base}.securityContext"), &main["securityContext"]),
        (
            format!("controllers.{cname}.pod.securityContext"),
            &values["controllers"][&cname]["pod"]["securityContext"],
        ),
        (
            "defaultPodOptions.securityContext".to_string(),
            &values["defaultPodOptions"]["securityContext"],
        ),
    ] {
        if let Some(user) = sc["runAsUser"].as_i64() {
            let got = container["securityContext"]["runAsUser"]
                .as_i64()
                .or(pod["securityContext"]["runAsUser"].as_i64());
            check(format!("{at}.runAsUser"), got == Some(user), "the user id");
            break;
        }
    }
    // Supplemental groups (the controller's own shadow the defaults), in the order written,
    // and the shutdown grace period.
    let pod_options = [
        (
            format!("controllers.{cname}.pod"),
            &values["controllers"][&cname]["pod"],
        ),
        (
            "defaultPodOptions".to_string(),
            &values["defaultPodOptions"],
        ),
    ];
    if let Some((at, groups)) = pod_options.iter().find_map(|(at, o)| {
        let g = &o["securityContext"]["supplementalGroups"];
        (!g.is_null()).then_some((format!("{at}.securityContext.supplementalGroups"), g))
    }) {
        check(
            at,
            pod["securityContext"]["supplementalGroups"] == *groups,
            "the supplemental groups",
        );
    }
    if let Some((at, secs)) = pod_options.iter().find_map(|(at, o)| {
        let t = &o["terminationGracePeriodSeconds"];
        (!t.is_null()).then_some((format!("{at}.terminationGracePeriodSeconds"), t))
    }) {
        check(
            at,
            pod["terminationGracePeriodSeconds"] == *secs,
            "the termination grace period",
        );
    }
    // Mount paths into the main container.
    for (id, item) in entries(&values["persistence"]) {
        let mut paths: Vec<(String, String)> = Vec::new();
        let global = item["globalMounts"].as_array();
        let advanced = &item["advancedMounts"][&cname][&kname];
        if global.is_none() && item.get("advancedMounts").is_none() {
            let p = item["hostPath"]
                .as_str()
                .map(str::to_string)
                .unwrap_or(format!("/{id}"));
            paths.push((format!("persistence.{id}"), p));
        }
        for (i, m) in global.into_iter().flatten().enumerate() {
            let p = m["path"]
                .as_str()
                .map(str::to_string)
                .unwrap_or(format!("/{id}"));
            paths.push((format!("persistence.{id}.globalMounts[{i}]"), p));
        }
        for (i, m) in advanced.as_array().into_iter().flatten().enumerate() {
            let p = m["path"]
                .as_str()
                .map(str::to_string)
                .unwrap_or(format!("/{id}"));
            paths.push((
                format!("persistence.{id}.advancedMounts.{cname}.{kname}[{i}]"),
                p,
            ));
        }
        for (at, p) in paths {
            check(at, mounted(container, app_spec, &p), "the mount path");
        }
    }
    problems
}

/// Whether the app container mounts `p`: in the expansion, or as the printed AppSpec's
/// `mounts[].path` or `files` (a ConfigMap or Secret mounted as a directory comes back as
/// `files` inside it).
fn mounted(container: &Value, app_spec: Option<&Value>, p: &str) -> bool {
    let strs = |v: Option<&Vec<Value>>, key: &str| -> Vec<String> {
        v.into_iter()
            .flatten()
            .filter_map(|m| m[key].as_str().map(str::to_string))
            .collect()
    };
    let dir = format!("{}/", p.trim_end_matches('/'));
    strs(container["volumeMounts"].as_array(), "mountPath")
        .iter()
        .chain(&strs(app_spec.and_then(|s| s["mounts"].as_array()), "path"))
        .any(|m| m == p)
        || app_spec
            .and_then(|s| s["files"].as_object())
            .is_some_and(|f| f.keys().any(|f| f == p || f.starts_with(&dir)))
}

/// The hosts of the expanded Ingresses and HTTPRoutes.
fn hosts_of(objects: &[Value]) -> BTreeSet<String> {
    objects
        .iter()
        .flat_map(|o| {
            let mut hs: Vec<String> = Vec::new();
            for r in o["spec"]["rules"].as_array().into_iter().flatten() {
                hs.extend(r["host"].as_str().map(str::to_string));
            }
            for h in o["spec"]["hostnames"].as_array().into_iter().flatten() {
                hs.extend(h.as_str().map(str::to_string));
            }
            hs
        })
        .collect()
}

/// A release of app-template 1.x (its values in the 1.x layout).
fn is_v1(hr: &Value) -> bool {
    hr["spec"]["chart"]["spec"]["version"]
        .as_str()
        .is_some_and(|v| v.trim_start_matches('v').starts_with("1."))
}

/// Items of a 1.x mapping that the chart renders: `enabled: true`.
fn switched_on(v: &Value) -> Vec<(String, &Value)> {
    v.as_object()
        .map(|m| {
            m.iter()
                .filter(|(_, x)| x["enabled"] == Value::Bool(true))
                .map(|(k, x)| (k.clone(), x))
                .collect()
        })
        .unwrap_or_default()
}

/// The round trip of a 1.x release, read in its own layout and by the 1.x chart's rules:
/// the image, env names, Service ports, the probes the chart makes by default (TCP checks
/// of the primary port) or as written, probe timings, user ids, supplemental groups, the
/// grace period, mounts of `enabled: true` items at `mountPath` (`/<id>` by default, a host
/// path at itself, `-` for none, a list of subPaths each at its own) and of a StatefulSet's
/// claim templates, and the hosts of enabled ingresses and routes.
fn round_trip_v1(
    values: &Value,
    workload: &Value,
    container: &Value,
    pod: &Value,
    app_spec: Option<&Value>,
    objects: &[Value],
    check: &mut dyn FnMut(String, bool, &str),
) {
    let image = &values["image"];
    let want = match (image["repository"].as_str(), &image["tag"]) {
        (Some(r), Value::String(t)) => format!("{r}:{t}"),
        (Some(r), Value::Number(t)) => format!("{r}:{t}"),
        (Some(r), _) => r.to_string(),
        _ => String::new(),
    };
    let got = container["image"].as_str().unwrap_or_default();
    check("image".into(), got.starts_with(&want), "the image");
    // A CronJob controller: the schedule and settings, the chart's defaults where the
    // values say nothing (1.x has those of 2.x), and the pod's restart policy (Never).
    if values["controller"]["type"] == "cronjob" {
        let c = &values["controller"]["cronjob"];
        let spec = &workload["spec"];
        let job = &spec["jobTemplate"]["spec"];
        let table: [(&str, Value, &Value); 7] = [
            ("schedule", "*/20 * * * *".into(), &spec["schedule"]),
            (
                "concurrencyPolicy",
                "Forbid".into(),
                &spec["concurrencyPolicy"],
            ),
            (
                "startingDeadlineSeconds",
                30.into(),
                &spec["startingDeadlineSeconds"],
            ),
            (
                "successfulJobsHistory",
                1.into(),
                &spec["successfulJobsHistoryLimit"],
            ),
            (
                "failedJobsHistory",
                1.into(),
                &spec["failedJobsHistoryLimit"],
            ),
            ("backoffLimit", 6.into(), &job["backoffLimit"]),
            (
                "ttlSecondsAfterFinished",
                Value::Null,
                &job["ttlSecondsAfterFinished"],
            ),
        ];
        for (key, chart_default, got) in table {
            let want = if c[key].is_null() {
                &chart_default
            } else {
                &c[key]
            };
            check(
                format!("controller.cronjob.{key}"),
                workload["kind"] == "CronJob" && got == want,
                "the CronJob setting",
            );
        }
        let restart = values["controller"]["restartPolicy"]
            .as_str()
            .unwrap_or("Never");
        check(
            "controller.restartPolicy".into(),
            pod["restartPolicy"] == restart,
            "the restart policy",
        );
    }
    let env_names: BTreeSet<&str> = container["env"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|e| e["name"].as_str())
        .collect();
    for (k, _) in entries(&values["env"]) {
        check(
            format!("env.{k}"),
            env_names.contains(k.as_str()),
            "the env var",
        );
    }
    for (i, e) in values["env"].as_array().into_iter().flatten().enumerate() {
        let k = e["name"].as_str().unwrap_or_default();
        check(format!("env[{i}]"), env_names.contains(k), "the env var");
    }
    let ports: BTreeSet<i64> = container["ports"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|p| p["containerPort"].as_i64())
        .collect();
    let mut any_port = false;
    for (sid, svc) in entries(&values["service"]) {
        for (pname, p) in entries(&svc["ports"]) {
            let Some(n) = p["targetPort"].as_i64().or(p["port"].as_i64()) else {
                continue;
            };
            any_port = true;
            check(
                format!("service.{sid}.ports.{pname}"),
                ports.contains(&n),
                "the port",
            );
        }
    }
    for (kind, field) in [
        ("readiness", "readinessProbe"),
        ("liveness", "livenessProbe"),
        ("startup", "startupProbe"),
    ] {
        let probe = &values["probes"][kind];
        let on = match probe["enabled"].as_bool() {
            Some(on) => on,
            None => any_port, // the chart's default probes check the primary port
        };
        if !on {
            continue;
        }
        let custom = probe["custom"] == Value::Bool(true);
        let at = format!("probes.{kind}");
        match probe["spec"]["httpGet"]["path"].as_str().filter(|_| custom) {
            Some(path) => check(
                at,
                container[field]["httpGet"]["path"] == path,
                "the probe path",
            ),
            None => check(at, container[field].is_object(), "the probe"),
        }
        for (key, default) in [
            ("initialDelaySeconds", 0),
            ("periodSeconds", 10),
            ("timeoutSeconds", 1),
            ("failureThreshold", 3),
        ] {
            let Some(want) = probe["spec"][key].as_i64() else {
                continue;
            };
            let got = container[field][key].as_i64().unwrap_or(default);
            check(
                format!("probes.{kind}.spec.{key}"),
                container[field].is_object() && got == want,
                "the probe timing",
            );
        }
    }
    for at in ["securityContext", "podSecurityContext"] {
        if let Some(user) = values[at]["runAsUser"].as_i64() {
            let got = container["securityContext"]["runAsUser"]
                .as_i64()
                .or(pod["securityContext"]["runAsUser"].as_i64());
            check(format!("{at}.runAsUser"), got == Some(user), "the user id");
            break;
        }
    }
    let groups = &values["podSecurityContext"]["supplementalGroups"];
    if !groups.is_null() {
        check(
            "podSecurityContext.supplementalGroups".into(),
            pod["securityContext"]["supplementalGroups"] == *groups,
            "the supplemental groups",
        );
    }
    let grace = &values["termination"]["gracePeriodSeconds"];
    if !grace.is_null() {
        check(
            "termination.gracePeriodSeconds".into(),
            pod["terminationGracePeriodSeconds"] == *grace,
            "the termination grace period",
        );
    }
    for (id, item) in switched_on(&values["persistence"]) {
        let mut paths: Vec<(String, String)> = Vec::new();
        if let Some(subs) = item["subPath"].as_array() {
            for (i, s) in subs.iter().enumerate() {
                let p = s["mountPath"].as_str().unwrap_or_default().to_string();
                paths.push((format!("persistence.{id}.subPath[{i}]"), p));
            }
        } else {
            let p = match (item["mountPath"].as_str(), item["hostPath"].as_str()) {
                (Some(p), _) => p.to_string(),
                (None, Some(h)) if item["type"] == "hostPath" => h.to_string(),
                _ => format!("/{id}"),
            };
            if p != "-" {
                paths.push((format!("persistence.{id}"), p));
            }
        }
        for (at, p) in paths {
            check(at, mounted(container, app_spec, &p), "the mount path");
        }
    }
    if values["controller"]["type"] == "statefulset" {
        for (i, t) in values["volumeClaimTemplates"]
            .as_array()
            .into_iter()
            .flatten()
            .enumerate()
        {
            let p = t["mountPath"].as_str().unwrap_or_default();
            check(
                format!("volumeClaimTemplates[{i}]"),
                mounted(container, app_spec, p),
                "the mount path",
            );
        }
    }
    let hosts = hosts_of(objects);
    for (rid, route) in switched_on(&values["route"]) {
        for (i, h) in route["hostnames"]
            .as_array()
            .into_iter()
            .flatten()
            .enumerate()
        {
            let h = h.as_str().unwrap_or_default();
            check(
                format!("route.{rid}.hostnames[{i}]"),
                hosts.contains(h),
                "the host",
            );
        }
    }
    for (iid, ing) in switched_on(&values["ingress"]) {
        for (i, h) in ing["hosts"].as_array().into_iter().flatten().enumerate() {
            let host = h["host"].as_str().unwrap_or_default();
            check(
                format!("ingress.{iid}.hosts[{i}].host"),
                hosts.contains(host),
                "the host",
            );
        }
    }
}

fn report(case: &str, run: &Run) -> String {
    let mut out = String::new();
    writeln!(out, "case: {case}\nexit: {}\n\n# stdout", run.code).unwrap();
    out.push_str(if run.stdout.is_empty() {
        "(none)\n"
    } else {
        &run.stdout
    });
    writeln!(out, "\n# stderr").unwrap();
    out.push_str(if run.stderr.is_empty() {
        "(none)\n"
    } else {
        &run.stderr
    });
    out
}

#[test]
fn case() {
    let mut problems: Vec<String> = Vec::new();
    let mut summary = String::new();
    let mut complete = 0;
    let mut total = 0;
    let mut outputs = Vec::new();
    let mut one = |path: &Path| {
        let dir = path.parent().unwrap();
        let case = dir.file_name().unwrap().to_str().unwrap().to_string();
        let run = import(dir);
        total += 1;
        if run.code == 0 {
            complete += 1;
        }
        writeln!(summary, "{case}: exit {}", run.code).unwrap();
        insta::assert_snapshot!(report(&case, &run));
        let mut fail = |m: String| {
            eprintln!("import fixture problem: {case}: {m}");
            problems.push(format!("{case}: {m}"));
        };
        if !(0..=2).contains(&run.code) {
            fail(format!("exit code {}", run.code));
        }
        let dropped = dropped_paths(&run.stderr);
        match run.code {
            0 if !dropped.is_empty() || run.stdout.is_empty() => {
                fail("exit 0 with dropped values or no output".into())
            }
            1 if run.stderr.is_empty() => fail("exit 1 without saying what was left out".into()),
            2 if !run.stdout.is_empty() => fail("exit 2 with AppSpecs on stdout".into()),
            _ => {}
        }
        // The dropped list, exactly.
        let want_file = dir.join("dropped.txt");
        let got = dropped.join("\n");
        if std::env::var_os("UPDATE_DROPPED").is_some() {
            std::fs::write(
                &want_file,
                if got.is_empty() {
                    String::new()
                } else {
                    got.clone() + "\n"
                },
            )
            .unwrap();
        }
        let want = std::fs::read_to_string(&want_file).unwrap_or_default();
        if want.trim_end() != got {
            fail(format!(
                "dropped list differs from dropped.txt:\n--- want\n{want}--- got\n{got}"
            ));
        }
        let mut expanded = Vec::new();
        for hr in releases_of(dir) {
            for p in round_trip_release(dir, &hr, &run, &mut expanded) {
                fail(p);
            }
        }
        if !expanded.is_empty() {
            outputs.push(common::invariants::Output::stream(
                format!("tests/import/{case} expanded"),
                &yaml::to_stream(&expanded).unwrap(),
                &[],
            ));
        }
        // Same input, same output.
        let again = import(dir);
        if again.stdout != run.stdout || again.stderr != run.stderr || again.code != run.code {
            fail("two runs differ".into());
        }
    };
    insta::glob!("import/*/helmrelease.yaml", |path| one(path));
    // Repository layouts: the case imports what its `input` names (a directory, a release
    // deep inside one), with the kustomizations and Flux Kustomizations around it.
    insta::glob!("import/*/input", |path| one(path));
    writeln!(
        summary,
        "\n{complete} of {total} fixtures import with exit 0"
    )
    .unwrap();
    insta::assert_snapshot!("import_summary", summary);
    assert!(total >= 25, "at least 25 import fixtures, found {total}");
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    // What the imported AppSpecs expand into keeps every output invariant, strictly valid.
    if let Some(report) = common::invariants::assert_invariants(&outputs) {
        for kind in [
            "Deployment",
            "Service",
            "Ingress",
            "HTTPRoute",
            "PersistentVolumeClaim",
        ] {
            assert!(
                report.kinds.contains_key(kind),
                "no imported {kind} was validated: {:?}",
                report.kinds
            );
        }
    }
}

fn appspec() -> Command {
    let mut cmd = Command::cargo_bin("appspec").unwrap();
    cmd.env_remove("APPSPEC_PLATFORM");
    cmd
}

#[test]
fn inputs_that_cannot_be_read_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let not_yaml = dir.path().join("broken.yaml");
    std::fs::write(&not_yaml, "a: [unclosed\n").unwrap();
    let no_release = dir.path().join("deployment.yaml");
    std::fs::write(
        &no_release,
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: x}\n",
    )
    .unwrap();
    let missing = dir.path().join("missing.yaml");
    let table: [(&Path, &str); 3] = [
        (&not_yaml, "broken.yaml: not valid YAML"),
        (
            &no_release,
            "deployment.yaml: no HelmRelease (nor an OCIRepository) in this file",
        ),
        (&missing, "missing.yaml: No such file or directory"),
    ];
    for (file, want) in table {
        let out = appspec().arg("import").arg(file).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{want}");
        assert!(out.stdout.is_empty(), "{want}");
        let stderr = String::from_utf8(out.stderr).unwrap();
        assert!(stderr.contains(want), "{want}: {stderr}");
    }
}

#[test]
fn bad_arguments_and_platforms_exit_2() {
    let case = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/import/tools-echo-v4-complete");
    let out = appspec()
        .current_dir(&case)
        .args(["import", "--set", "not a var", "helmrelease.yaml"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("expected VAR=value"));
    let out = appspec().args(["import"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2), "a file is required");
    let dir = tempfile::tempdir().unwrap();
    let platform = dir.path().join("platform.yaml");
    std::fs::write(
        &platform,
        "apiVersion: platform.hypyr.space/v1alpha1\nkind: PlatformConfig\nmetadata: {name: p}\nspec: {dns: {internalDomain: Not_A_Domain}}\n",
    )
    .unwrap();
    let out = appspec()
        .current_dir(&case)
        .arg("import")
        .arg("--platform")
        .arg(&platform)
        .arg("helmrelease.yaml")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
    assert!(String::from_utf8_lossy(&out.stderr).contains("spec.dns.internalDomain"));
}

#[test]
fn output_is_valid_yaml_without_anchors_and_feeds_validate() {
    let case =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/import/tools-anchors-merge-keys-v3");
    let out = appspec()
        .current_dir(&case)
        .args(["import", "--platform", "platform.yaml", "helmrelease.yaml"])
        .output()
        .unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(!stdout.contains('&') && !stdout.contains('*'), "{stdout}");
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("app.yaml");
    std::fs::write(&file, &stdout).unwrap();
    let check = appspec()
        .arg("validate")
        .arg("--platform")
        .arg(case.join("platform.yaml"))
        .arg(&file)
        .output()
        .unwrap();
    assert_eq!(
        check.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&check.stdout)
    );
}

#[test]
fn readme_example_is_the_real_output() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let readme = std::fs::read_to_string(root.join("docs/import.md")).unwrap();
    let dir = root.join("tests/import/readme-sonarr-v3");
    let release = std::fs::read_to_string(dir.join("helmrelease.yaml")).unwrap();
    assert!(
        readme.contains(&format!("# helmrelease.yaml\n{release}```")),
        "README's example release differs from {}",
        dir.display()
    );
    let run = import(&dir);
    assert!(
        readme.contains(&run.stdout),
        "README's example output differs:\n{}",
        run.stdout
    );
    assert!(
        readme.contains(&run.stderr),
        "README's example stderr differs:\n{}",
        run.stderr
    );
    assert!(readme.contains(&format!("$ echo $?\n{}\n", run.code)));
}

/// Values in app-template's vocabulary, arbitrarily nested and typed.
fn arbitrary_values() -> impl proptest::strategy::Strategy<Value = Value> {
    use proptest::prelude::*;
    let keys = prop::sample::select(vec![
        "controllers",
        "app",
        "main",
        "containers",
        "initContainers",
        "image",
        "repository",
        "tag",
        "env",
        "envFrom",
        "secretRef",
        "name",
        "probes",
        "liveness",
        "readiness",
        "startup",
        "enabled",
        "custom",
        "spec",
        "httpGet",
        "path",
        "port",
        "service",
        "ports",
        "http",
        "type",
        "LoadBalancer",
        "route",
        "hostnames",
        "parentRefs",
        "rules",
        "backendRefs",
        "identifier",
        "ingress",
        "hosts",
        "host",
        "paths",
        "persistence",
        "existingClaim",
        "globalMounts",
        "advancedMounts",
        "subPath",
        "readOnly",
        "nfs",
        "server",
        "emptyDir",
        "configMap",
        "items",
        "key",
        "defaultPodOptions",
        "securityContext",
        "runAsUser",
        "resources",
        "limits",
        "requests",
        "memory",
        "serviceMonitor",
        "endpoints",
        "configMaps",
        "data",
        "${SECRET_DOMAIN}",
        "{{ .Release.Name }}",
        // The 1.x layout's own keys.
        "controller",
        "mountPath",
        "podSecurityContext",
        "sidecars",
        "additionalContainers",
        "volumeMounts",
        "containerPort",
        "volumeClaimTemplates",
        "termination",
        "gracePeriodSeconds",
        "addons",
        "custom",
        "primary",
    ]);
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        (-3i64..70000).prop_map(Value::from),
        prop::sample::select(vec![
            "app",
            "/config",
            "ghcr.io/x/y",
            "1.0",
            "nfs",
            "emptyDir",
            "configMap",
            "secret",
            "LoadBalancer",
            "statefulset",
            "cronjob",
            "http",
            "/ping",
            "1Gi",
            "x.in.hypyr.space",
            "{{ .Release.Name }}",
            "${VAR}",
            "",
            "HTTP",
            "TCP",
            "UDP",
            "Memory",
            "a\nb: c",
        ])
        .prop_map(|s| Value::String(s.to_string())),
    ];
    leaf.prop_recursive(5, 64, 6, move |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::vec((keys.clone(), inner), 0..6).prop_map(|kvs| {
                Value::Object(kvs.into_iter().map(|(k, v)| (k.to_string(), v)).collect())
            }),
        ]
    })
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig { cases: 64, ..Default::default() })]

    /// Whatever the values, the importer neither panics nor prints an AppSpec that does not
    /// validate, and every dropped path lies in the release.
    #[test]
    fn any_values_import_to_valid_specs_or_nothing(values in arbitrary_values(), seed in 0u8..3) {
        let mut values = values;
        if seed == 0 {
            values = serde_json::json!({"controllers": {"app": {"containers": {"app": {
                "image": {"repository": "ghcr.io/a/b", "tag": "1"}}}}}, "extra": values});
        }
        let doc = serde_json::json!({"apiVersion": "helm.toolkit.fluxcd.io/v2",
            "kind": "HelmRelease", "metadata": {"name": "app", "namespace": "apps"},
            "spec": {"chart": {"spec": {"chart": "app-template"}}, "values": values}});
        let Ok(release) = appspec::import::release::recognize(&doc, &[]) else {
            return Ok(());
        };
        let shape = appspec::import::shape::Shape::default();
        let platform = serde_json::to_value(appspec::model::platform::Platform::default()).unwrap();
        let r = appspec::import::import_release(
            "hr.yaml", release, &Default::default(), &shape, None, &platform,
        );
        // The app's AppSpec and those of its other controllers each validate.
        let specs: Vec<Item> = r
            .doc
            .iter()
            .chain(r.extras.iter().map(|e| &e.doc))
            .map(|spec| Item::new(spec.clone(), None))
            .collect();
        for spec in &specs {
            let outcome = engine::run(vec![spec.clone()], None);
            proptest::prop_assert!(!outcome.has_errors(), "{:?}", outcome.diagnostics);
        }
        for d in &r.dropped {
            let p = d.path.to_string();
            let ok = match p.strip_prefix("spec.") {
                Some(rest) if !resolves(&doc["spec"]["values"], &p) => resolves(&doc["spec"], rest),
                _ => resolves(&doc["spec"]["values"], &p),
            };
            proptest::prop_assert!(ok, "dropped path {} is not in the release", p);
        }
    }
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig { cases: 64, ..Default::default() })]

    /// A 1.x release, whatever its values: no panic, a printed AppSpec validates, and every
    /// path said on stderr (omissions, notes, the reason a release is not imported) is a
    /// path of the release's own 1.x values, never one of the 2.x shape it is mapped in.
    #[test]
    fn any_1x_values_are_said_in_their_own_paths(values in arbitrary_values(), seed in 0u8..2) {
        let mut values = values;
        if seed == 0 {
            values = serde_json::json!({"image": {"repository": "ghcr.io/a/b", "tag": "1"},
                "service": {"main": {"ports": {"http": {"port": 8080}}}},
                "persistence": {"config": {"enabled": true, "mountPath": "/config"}},
                "extra": values});
        }
        if values.get("image").is_none() && values.is_object() {
            values["image"] = serde_json::json!("ghcr.io/a/b:1");
        }
        // A key that is a template is substituted like a value (a quirk of every layout).
        proptest::prop_assume!(
            !serde_json::to_string(&values).unwrap().contains("\"{{ .Release.Name }}\":")
        );
        let doc = serde_json::json!({"apiVersion": "helm.toolkit.fluxcd.io/v2beta1",
            "kind": "HelmRelease", "metadata": {"name": "app", "namespace": "apps"},
            "spec": {"chart": {"spec": {"chart": "app-template", "version": "1.5.1"}},
                     "values": values}});
        let Ok(release) = appspec::import::release::recognize(&doc, &[]) else {
            return Ok(());
        };
        let shape = appspec::import::shape::Shape::default();
        let platform = serde_json::to_value(appspec::model::platform::Platform::default()).unwrap();
        let r = appspec::import::import_release(
            "hr.yaml", release, &Default::default(), &shape, None, &platform,
        );
        // The app's AppSpec and those of its other controllers each validate.
        let specs: Vec<Item> = r
            .doc
            .iter()
            .chain(r.extras.iter().map(|e| &e.doc))
            .map(|spec| Item::new(spec.clone(), None))
            .collect();
        for spec in &specs {
            let outcome = engine::run(vec![spec.clone()], None);
            proptest::prop_assert!(!outcome.has_errors(), "{:?}", outcome.diagnostics);
        }
        let fatal = r.fatal.iter().map(|f| &f.path);
        for p in r.dropped.iter().chain(&r.noted).map(|d| &d.path).chain(fatal) {
            let p = p.to_string();
            let ok = match p.strip_prefix("spec.") {
                Some(rest) if !resolves(&doc["spec"]["values"], &p) => resolves(&doc["spec"], rest),
                _ => resolves(&doc["spec"]["values"], &p),
            };
            proptest::prop_assert!(ok, "path {} is not in the release's 1.x values", p);
        }
    }
}

/// Every file below `dir` with its content, relative paths.
fn tree(dir: &Path) -> std::collections::BTreeMap<String, String> {
    let mut out = std::collections::BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                let rel = p.strip_prefix(dir).unwrap().display().to_string();
                out.insert(rel, std::fs::read_to_string(&p).unwrap());
            }
        }
    }
    out
}

#[test]
fn write_puts_each_appspec_beside_its_release_and_nothing_else() {
    let case = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/import/layout-home-ops-ks-target-namespace-v4");
    let dir = tempfile::tempdir().unwrap();
    common::copy_dir(&case, dir.path());
    let before = tree(dir.path());
    let printed = appspec()
        .current_dir(dir.path())
        .args(["import", "--platform", "platform.yaml", "."])
        .output()
        .unwrap();
    assert_eq!(printed.status.code(), Some(0));
    let out = appspec()
        .current_dir(dir.path())
        .args(["import", "--write", "--platform", "platform.yaml", "."])
        .output()
        .unwrap();
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(out.stdout.is_empty(), "--write prints no AppSpec on stdout");
    let after = tree(dir.path());
    let written: Vec<&String> = after.keys().filter(|k| !before.contains_key(*k)).collect();
    assert_eq!(
        written,
        [
            "kubernetes/apps/media/bazarr/app/appspec.yaml",
            "kubernetes/apps/media/prowlarr/app/appspec.yaml",
        ]
    );
    for (k, v) in &before {
        assert_eq!(after.get(k), Some(v), "{k} was changed");
    }
    // Each file is the printed document of its release, after the schema line.
    let printed = String::from_utf8(printed.stdout).unwrap();
    for f in &written {
        let text = &after[*f];
        let modeline = "# yaml-language-server: $schema=https://raw.githubusercontent.com/hypyr/appspec/main/functions/appspec.schema.json\n";
        assert!(text.starts_with(modeline), "{text}");
        assert!(
            printed.contains(text.strip_prefix(modeline).unwrap()),
            "{text}"
        );
        assert!(stderr.contains(&format!("{f}: written")), "{stderr}");
    }
    // A second run replaces its own files.
    let again = appspec()
        .current_dir(dir.path())
        .args(["import", "--write", "--platform", "platform.yaml", "."])
        .output()
        .unwrap();
    assert_eq!(again.status.code(), Some(0));
    assert_eq!(tree(dir.path()), after);
    // A file import did not write is never replaced: exit 1, said how, left as it was.
    let foreign = dir
        .path()
        .join("kubernetes/apps/media/bazarr/app/appspec.yaml");
    std::fs::write(&foreign, "# my own notes\n").unwrap();
    let refused = appspec()
        .current_dir(dir.path())
        .args(["import", "--write", "--platform", "platform.yaml", "."])
        .output()
        .unwrap();
    let stderr = String::from_utf8(refused.stderr).unwrap();
    assert_eq!(refused.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("bazarr/app/appspec.yaml: not written: the file exists and appspec import did not write it"),
        "{stderr}"
    );
    assert_eq!(
        std::fs::read_to_string(&foreign).unwrap(),
        "# my own notes\n"
    );
}

/// A release with several controllers: `--write` puts all its AppSpecs into the one
/// `appspec.yaml` beside it (a multi-document file), and the function reads every document
/// through the real kustomize: both workloads, the shared PVC made once and mounted by both.
#[test]
fn write_puts_every_appspec_of_a_release_in_one_file_the_function_reads() {
    let case = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/import/home-dawarich-v4-worker-shared-pvc");
    let dir = tempfile::tempdir().unwrap();
    let app = dir.path().join("app");
    std::fs::create_dir(&app).unwrap();
    for f in ["helmrelease.yaml", "platform.yaml"] {
        std::fs::copy(case.join(f), app.join(f)).unwrap();
    }
    let out = appspec()
        .current_dir(dir.path())
        .args([
            "import",
            "--write",
            "--platform",
            "app/platform.yaml",
            "app",
        ])
        .output()
        .unwrap();
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    let written = std::fs::read_to_string(app.join("appspec.yaml")).unwrap();
    let docs = yaml::parse_stream(&written, &Limits::default()).unwrap();
    let names: Vec<&str> = docs
        .iter()
        .filter_map(|d| d["metadata"]["name"].as_str())
        .collect();
    assert_eq!(names, ["dawarich", "dawarich-sidekiq"]);
    assert_eq!(written.matches("yaml-language-server").count(), 1);
    if common::kubectl().is_none() {
        return;
    }
    common::copy_dir(
        &common::repo_root().join("functions"),
        &dir.path().join("functions"),
    );
    std::fs::write(
        app.join("kustomization.yaml"),
        "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n- appspec.yaml\ntransformers:\n- ../functions\n",
    )
    .unwrap();
    let render = appspec()
        .current_dir(dir.path())
        .args(["render", "--platform", "app/platform.yaml", "app"])
        .output()
        .unwrap();
    let stderr = String::from_utf8(render.stderr).unwrap();
    assert_eq!(render.status.code(), Some(0), "{stderr}");
    let objects = yaml::parse_stream(
        &String::from_utf8(render.stdout).unwrap(),
        &Limits::default(),
    )
    .unwrap();
    let of = |kind: &str| -> Vec<&str> {
        objects
            .iter()
            .filter(|o| o["kind"] == kind)
            .filter_map(|o| o["metadata"]["name"].as_str())
            .collect()
    };
    assert_eq!(of("Deployment"), ["dawarich", "dawarich-sidekiq"]);
    assert_eq!(of("PersistentVolumeClaim"), ["dawarich-public"]);
    for d in objects.iter().filter(|o| o["kind"] == "Deployment") {
        let claims: Vec<&str> = d["spec"]["template"]["spec"]["volumes"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|v| v["persistentVolumeClaim"]["claimName"].as_str())
            .collect();
        assert!(claims.contains(&"dawarich-public"), "{d}");
    }
}

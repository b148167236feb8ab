//! The example CI workflow `examples/ci/risk-gate.yaml` does what its README says.
//!
//! Beyond reading the YAML, the checks run the workflow's own shell scripts: the risk step
//! against real spec folders (from `tests/risk/`) with the built binary, and the gate steps
//! with a stand-in `gh` that logs its arguments. The `if:` guards are evaluated with a small
//! evaluator of the GitHub expression subset they use, so "auto-merge only when low" is
//! checked on every combination of outcomes, not only by matching strings.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use appspec::input::yaml::{Limits, parse_one};
use serde_json::Value;

const WORKFLOW: &str = "examples/ci/risk-gate.yaml";

fn root() -> &'static Path {
    common::repo_root()
}

fn workflow() -> Value {
    let text = std::fs::read_to_string(root().join(WORKFLOW)).unwrap();
    parse_one(&text, &Limits::default()).unwrap()
}

fn steps<'a>(wf: &'a Value, job: &str) -> &'a Vec<Value> {
    wf["jobs"][job]["steps"]
        .as_array()
        .unwrap_or_else(|| panic!("job {job} has no steps"))
}

fn run_of(step: &Value) -> &str {
    step["run"].as_str().unwrap_or("")
}

/// The one step of a job whose script matches.
fn step_running<'a>(wf: &'a Value, job: &str, needle: &str) -> &'a Value {
    let found: Vec<&Value> = steps(wf, job)
        .iter()
        .filter(|s| run_of(s).contains(needle))
        .collect();
    assert_eq!(
        found.len(),
        1,
        "expected exactly one step of job {job} running {needle:?}"
    );
    found[0]
}

/// Whether a script runs `program` as a command (at the start of a line or after `|`, `;`,
/// `&&`, `||` or `$(`), not merely mentions it in a message.
fn invokes(script: &str, program: &str) -> bool {
    script.lines().any(|line| {
        line.split(['|', ';', '&'])
            .flat_map(|part| part.split("$("))
            .any(|cmd| {
                let cmd = cmd.trim_start();
                cmd == program || cmd.starts_with(&format!("{program} "))
            })
    })
}

/// `gh pr merge` lines of a script that enable auto-merge (not `--disable-auto`).
fn enables_auto_merge(script: &str) -> bool {
    script
        .lines()
        .any(|l| l.contains("gh pr merge") && l.split_whitespace().any(|w| w == "--auto"))
}

// --- A small evaluator for the GitHub Actions expressions of the `if:` guards. ---

#[derive(Clone, Debug, PartialEq)]
enum Val {
    Str(String),
    Bool(bool),
}

impl Val {
    fn truthy(&self) -> bool {
        match self {
            Val::Str(s) => !s.is_empty(),
            Val::Bool(b) => *b,
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
enum Tok {
    Ident(String),
    Str(String),
    Op(&'static str),
}

/// Operators, longest first.
const OPS: [&str; 7] = ["==", "!=", "&&", "||", "!", "(", ")"];

fn tokens(src: &str) -> Vec<Tok> {
    let s: Vec<char> = src.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < s.len() {
        let c = s[i];
        if c.is_whitespace() {
            i += 1;
        } else if c == '\'' {
            let mut lit = String::new();
            i += 1;
            loop {
                assert!(i < s.len(), "unterminated string in {src}");
                if s[i] == '\'' {
                    if s.get(i + 1) == Some(&'\'') {
                        lit.push('\'');
                        i += 2;
                        continue;
                    }
                    i += 1;
                    break;
                }
                lit.push(s[i]);
                i += 1;
            }
            out.push(Tok::Str(lit));
        } else if c.is_alphanumeric() || c == '_' {
            let start = i;
            while i < s.len() && (s[i].is_alphanumeric() || "_.-".contains(s[i])) {
                i += 1;
            }
            out.push(Tok::Ident(s[start..i].iter().collect()));
        } else {
            let rest: String = s[i..].iter().take(2).collect();
            let op = OPS
                .into_iter()
                .find(|o| rest.starts_with(o))
                .unwrap_or_else(|| panic!("unsupported character {c:?} in {src}"));
            i += op.len();
            out.push(Tok::Op(op));
        }
    }
    out
}

struct Eval<'a> {
    toks: Vec<Tok>,
    pos: usize,
    ctx: &'a BTreeMap<&'a str, &'a str>,
    cancelled: bool,
}

impl Eval<'_> {
    fn peek(&self) -> Option<&Tok> {
        self.toks.get(self.pos)
    }
    fn eat(&mut self, op: &str) -> bool {
        let found = matches!(self.peek(), Some(Tok::Op(o)) if *o == op);
        if found {
            self.pos += 1;
        }
        found
    }
    fn or(&mut self) -> Val {
        let mut v = self.and();
        while self.eat("||") {
            let r = self.and();
            v = Val::Bool(v.truthy() || r.truthy());
        }
        v
    }
    fn and(&mut self) -> Val {
        let mut v = self.unary();
        while self.eat("&&") {
            let r = self.unary();
            v = Val::Bool(v.truthy() && r.truthy());
        }
        v
    }
    fn unary(&mut self) -> Val {
        if self.eat("!") {
            return Val::Bool(!self.unary().truthy());
        }
        let left = self.primary();
        if self.eat("==") {
            let right = self.primary();
            return Val::Bool(left == right);
        }
        if self.eat("!=") {
            let right = self.primary();
            return Val::Bool(left != right);
        }
        left
    }
    fn primary(&mut self) -> Val {
        if self.eat("(") {
            let v = self.or();
            assert!(self.eat(")"), "missing )");
            return v;
        }
        let tok = self.peek().cloned();
        self.pos += 1;
        match tok {
            Some(Tok::Str(s)) => Val::Str(s),
            Some(Tok::Ident(name)) if self.eat("(") => {
                assert!(self.eat(")"), "functions with arguments are not supported");
                match name.as_str() {
                    "always" => Val::Bool(true),
                    "cancelled" => Val::Bool(self.cancelled),
                    "success" => Val::Bool(!self.cancelled),
                    other => panic!("unsupported function {other}()"),
                }
            }
            Some(Tok::Ident(name)) => {
                let value = self
                    .ctx
                    .get(name.as_str())
                    .unwrap_or_else(|| panic!("the test gives no value for {name}"));
                Val::Str(value.to_string())
            }
            other => panic!("unexpected token {other:?}"),
        }
    }
}

/// Whether an `if:` runs, given context values (`needs.risk.result` etc.).
fn runs(condition: Option<&str>, ctx: &BTreeMap<&str, &str>, cancelled: bool) -> bool {
    let Some(cond) = condition else {
        return !cancelled; // no `if:` means success()
    };
    let inner = cond
        .trim()
        .strip_prefix("${{")
        .and_then(|c| c.strip_suffix("}}"))
        .unwrap_or(cond);
    let mut e = Eval {
        toks: tokens(inner),
        pos: 0,
        ctx,
        cancelled,
    };
    let v = e.or();
    assert_eq!(e.pos, e.toks.len(), "trailing tokens in {cond}");
    v.truthy()
}

#[test]
fn invokes_tells_commands_from_mentions() {
    assert!(invokes("gh pr merge \"$PR\" --auto", "gh"));
    assert!(invokes("x=1; gh pr view", "gh"));
    assert!(invokes("id=\"$(appspec --version)\"", "appspec"));
    assert!(!invokes("echo \"appspec risk: high\"", "appspec"));
    assert!(!invokes("echo through", "gh"));
}

#[test]
fn expression_evaluator_sanity() {
    let ctx: BTreeMap<&str, &str> = [("a.b", "low"), ("c", "")].into_iter().collect();
    assert!(runs(Some("${{ a.b == 'low' }}"), &ctx, false));
    assert!(!runs(Some("${{ a.b != 'low' }}"), &ctx, false));
    assert!(runs(Some("${{ c == '' && !cancelled() }}"), &ctx, false));
    assert!(!runs(Some("${{ always() && !cancelled() }}"), &ctx, true));
    assert!(runs(Some("${{ (a.b == 'x') || c == '' }}"), &ctx, false));
    assert!(!runs(None, &ctx, true));
}

// --- The workflow's structure. ---

#[test]
fn triggers_on_pull_request_not_pull_request_target() {
    let wf = workflow();
    assert!(wf["on"].get("pull_request").is_some(), "{}", wf["on"]);
    // The head is checked out and read: never with the write token of pull_request_target.
    assert!(wf["on"].get("pull_request_target").is_none());
    assert_eq!(wf["permissions"], serde_json::json!({}));
    assert_eq!(
        wf["jobs"]["risk"]["permissions"],
        serde_json::json!({"contents": "read"}),
        "the job that reads PR files has a read-only token"
    );
    // The job with a write token never checks out or runs anything from the PR.
    for s in steps(&wf, "gate") {
        let uses = s["uses"].as_str().unwrap_or("");
        assert!(
            !uses.starts_with("actions/checkout"),
            "gate checks out code"
        );
        assert!(
            !invokes(run_of(s), "appspec"),
            "gate runs appspec on PR files"
        );
    }
}

#[test]
fn checks_out_base_and_head_then_validates_then_assesses() {
    let wf = workflow();
    let steps = steps(&wf, "risk");
    let checkouts: BTreeMap<String, String> = steps
        .iter()
        .filter(|s| {
            s["uses"]
                .as_str()
                .is_some_and(|u| u.starts_with("actions/checkout@"))
        })
        .map(|s| {
            (
                s["with"]["path"].as_str().unwrap_or("").to_string(),
                s["with"]["ref"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect();
    assert_eq!(
        checkouts.get("base").map(String::as_str),
        Some("${{ github.event.pull_request.base.sha }}")
    );
    assert_eq!(
        checkouts.get("head").map(String::as_str),
        Some("${{ github.event.pull_request.head.sha }}")
    );
    let pos = |needle: &str| {
        steps
            .iter()
            .position(|s| run_of(s).contains(needle))
            .unwrap_or_else(|| panic!("no step runs {needle}"))
    };
    let install = pos("sha256sum --check");
    let validate = pos("appspec validate \"head/$APPS_DIR\"");
    let risk = pos("appspec risk \"base/$APPS_DIR\" \"head/$APPS_DIR\" --format json");
    let diff = pos("appspec diff \"base/$APPS_DIR\" \"head/$APPS_DIR\" --format markdown");
    assert!(install < validate && validate < risk);
    assert_eq!(
        diff, risk,
        "the diff and the verdict come from the same step"
    );
    assert_eq!(steps[risk]["id"], "risk");
    assert_eq!(wf["env"]["APPS_DIR"], "apps");
    assert_eq!(
        wf["jobs"]["risk"]["outputs"]["level"],
        "${{ steps.risk.outputs.level }}"
    );
    assert_eq!(wf["jobs"]["gate"]["needs"], "risk");
}

/// Auto-merge is reachable only when the risk job succeeded with level low; every other
/// outcome labels, comments and disables auto-merge. Forks never get either step.
#[test]
fn auto_merge_only_when_low() {
    let wf = workflow();
    let gate = &wf["jobs"]["gate"];
    let auto: Vec<&Value> = steps(&wf, "gate")
        .iter()
        .filter(|s| enables_auto_merge(run_of(s)))
        .collect();
    assert_eq!(auto.len(), 1, "exactly one step enables auto-merge");
    assert_eq!(run_of(auto[0]).matches("gh pr merge").count(), 1);
    assert!(run_of(auto[0]).contains("gh pr merge \"$PR\" --auto --squash"));
    for job in ["risk"] {
        for s in steps(&wf, job) {
            assert!(!invokes(run_of(s), "gh"), "{job} must not call gh");
        }
    }
    let high = step_running(&wf, "gate", "--add-label \"risk:high\"");
    assert!(!enables_auto_merge(run_of(high)));

    let same = "o/r";
    for result in ["success", "failure", "cancelled", "skipped"] {
        for level in ["low", "high", ""] {
            for (head_repo, cancelled) in [(same, false), ("fork/r", false), (same, true)] {
                let ctx: BTreeMap<&str, &str> = [
                    ("needs.risk.result", result),
                    ("needs.risk.outputs.level", level),
                    ("github.event.pull_request.head.repo.full_name", head_repo),
                    ("github.repository", same),
                ]
                .into_iter()
                .collect();
                let job_runs = runs(gate["if"].as_str(), &ctx, cancelled);
                let merge = job_runs && runs(auto[0]["if"].as_str(), &ctx, cancelled);
                let flag = job_runs && runs(high["if"].as_str(), &ctx, cancelled);
                let case = format!(
                    "result={result} level={level:?} head={head_repo} cancelled={cancelled}"
                );
                let want_merge =
                    result == "success" && level == "low" && head_repo == same && !cancelled;
                assert_eq!(merge, want_merge, "auto-merge step, {case}");
                if job_runs {
                    assert_ne!(merge, flag, "exactly one of low/high runs, {case}");
                } else {
                    assert!(head_repo != same || cancelled, "gate skipped, {case}");
                }
            }
        }
    }
}

// --- Running the scripts. ---

struct Sandbox {
    _tmp: tempfile::TempDir,
    work: PathBuf,
    runner_temp: PathBuf,
    output: PathBuf,
    bin: PathBuf,
}

/// A workspace with `base/apps` and `head/apps` from a `tests/risk` case.
fn sandbox(case: &str) -> Sandbox {
    let tmp = tempfile::tempdir().unwrap();
    let work = tmp.path().join("work");
    let runner_temp = tmp.path().join("runner");
    let bin = tmp.path().join("bin");
    for d in [&work, &runner_temp, &bin] {
        std::fs::create_dir_all(d).unwrap();
    }
    let src = root().join("tests/risk").join(case);
    for side in ["base", "head"] {
        std::fs::create_dir_all(work.join(side)).unwrap();
        if src.join(side).is_dir() {
            common::copy_dir(&src.join(side), &work.join(side).join("apps"));
        }
    }
    // The stand-in gh logs every call, and keeps the comment body.
    let gh = bin.join("gh");
    std::fs::write(
        &gh,
        // `gh api ... --jq` (the search for the diff comment) answers GH_COMMENT_ID.
        "#!/usr/bin/env bash\necho \"gh $*\" >> \"$GH_LOG\"\nprev=\nfor a in \"$@\"; do\n  if [ \"$prev\" = --body-file ]; then cat \"$a\" >> \"$GH_LOG.comment\"; fi\n  case \"$a\" in body=@*) cat \"${a#body=@}\" >> \"$GH_LOG.comment\" ;; esac\n  prev=$a\ndone\nif [ \"$1\" = api ] && [[ \" $* \" == *\" --jq \"* ]] && [ -n \"${GH_COMMENT_ID:-}\" ]; then echo \"$GH_COMMENT_ID\"; fi\n",
    )
    .unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&gh, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    let output = tmp.path().join("github_output");
    std::fs::write(&output, "").unwrap();
    Sandbox {
        _tmp: tmp,
        work,
        runner_temp,
        output,
        bin,
    }
}

impl Sandbox {
    /// Runs a step's script as GitHub does (`bash -eo pipefail`), appspec and gh on PATH.
    fn run(&self, script: &str, env: &[(&str, String)]) -> std::process::Output {
        let wf = workflow();
        let appspec_dir = Path::new(common::BIN).parent().unwrap();
        let path = format!(
            "{}:{}:{}",
            self.bin.display(),
            appspec_dir.display(),
            std::env::var("PATH").unwrap_or_default()
        );
        let file = self.runner_temp.join("step.sh");
        std::fs::write(&file, script).unwrap();
        let mut cmd = Command::new("bash");
        cmd.args(["--noprofile", "--norc", "-eo", "pipefail"])
            .arg(&file)
            .current_dir(&self.work)
            .env("PATH", path)
            .env("RUNNER_TEMP", &self.runner_temp)
            .env("GITHUB_OUTPUT", &self.output)
            .env("GH_LOG", self.runner_temp.join("gh.log"))
            .env_remove("APPSPEC_MAX_INPUT_BYTES")
            .env_remove("APPSPEC_PLATFORM");
        for (k, v) in wf["env"].as_object().unwrap() {
            cmd.env(k, v.as_str().unwrap());
        }
        for (k, v) in env {
            cmd.env(k, v);
        }
        cmd.output().unwrap()
    }

    fn outputs(&self) -> String {
        std::fs::read_to_string(&self.output).unwrap()
    }

    fn gh_log(&self) -> String {
        std::fs::read_to_string(self.runner_temp.join("gh.log")).unwrap_or_default()
    }

    fn comment(&self) -> String {
        std::fs::read_to_string(self.runner_temp.join("gh.log.comment")).unwrap_or_default()
    }
}

fn risk_script() -> String {
    run_of(step_running(&workflow(), "risk", "appspec risk")).to_string()
}

fn validate_script() -> String {
    run_of(step_running(&workflow(), "risk", "appspec validate")).to_string()
}

#[test]
fn risk_step_reports_low() {
    let sb = sandbox("image-tag-bump");
    let out = sb.run(&validate_script(), &[]);
    assert!(out.status.success(), "{out:?}");
    assert!(
        out.stdout.is_empty() && out.stderr.is_empty(),
        "a valid head validates silently: {out:?}"
    );
    let out = sb.run(&risk_script(), &[]);
    assert!(out.status.success(), "{out:?}");
    assert_eq!(sb.outputs(), "level=low\n");
    let report: Value = serde_json::from_str(
        &std::fs::read_to_string(sb.runner_temp.join("risk/report.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(report["level"], "low");
    let text = std::fs::read_to_string(sb.runner_temp.join("risk/report.txt")).unwrap();
    assert!(text.starts_with("risk: low\n"), "{text}");
}

#[test]
fn risk_step_reports_high_without_failing() {
    // High risk is not a failed check: a person may still review and merge.
    for case in [
        "storage-shrunk",
        "new-external-app",
        "persistent-app-deleted",
    ] {
        let sb = sandbox(case);
        let out = sb.run(&risk_script(), &[]);
        assert!(out.status.success(), "{case}: {out:?}");
        assert_eq!(sb.outputs(), "level=high\n", "{case}");
        let text = std::fs::read_to_string(sb.runner_temp.join("risk/report.txt")).unwrap();
        assert!(text.starts_with("risk: high\n"), "{case}: {text}");
    }
}

#[test]
fn invalid_head_fails_validation_and_is_high() {
    let sb = sandbox("head-invalid");
    let out = sb.run(&validate_script(), &[]);
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    // The step's log says what is wrong, where.
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "head/apps/app.yaml:9:5: AppSpec/shop/web: spec.env.1LOG_LEVEL: \"1LOG_LEVEL\" is not a valid environment variable name; use letters, digits and '_', not starting with a digit\n"
    );
    let out = sb.run(&risk_script(), &[]);
    assert!(out.status.success(), "{out:?}");
    assert_eq!(sb.outputs(), "level=high\n");
    let report: Value = serde_json::from_str(
        &std::fs::read_to_string(sb.runner_temp.join("risk/report.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(report["level"], "high");
    let codes: Vec<&str> = report["apps"][0]["reasons"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|r| r["code"].as_str())
        .collect();
    assert!(codes.contains(&"invalid"), "{report}");
}

#[test]
fn unreadable_specs_fail_the_step_without_a_level() {
    let sb = sandbox("image-tag-bump");
    std::fs::write(sb.work.join("head/apps/broken.yaml"), "a: [unclosed\n").unwrap();
    let out = sb.run(&risk_script(), &[]);
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    assert_eq!(sb.outputs(), "", "no level: the gate treats it as high");
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "::error::appspec could not read the specs (exit 2)\n"
    );
    // The step log (stderr) names the file that could not be read.
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.starts_with("appspec: ") && stderr.contains("head/apps/broken.yaml"),
        "{stderr}"
    );
}

fn gate_env(sb: &Sandbox) -> Vec<(&'static str, String)> {
    vec![
        ("PR", "42".to_string()),
        ("GH_TOKEN", "test".to_string()),
        ("GH_REPO", "o/r".to_string()),
        ("COMMENT_AUTHOR", "github-actions[bot]".to_string()),
        (
            "REPORT_DIR",
            sb.runner_temp.join("risk").display().to_string(),
        ),
    ]
}

#[test]
fn high_step_labels_comments_and_disables_auto_merge() {
    let wf = workflow();
    let high = run_of(step_running(&wf, "gate", "--add-label")).to_string();
    let sb = sandbox("storage-shrunk");
    assert!(sb.run(&risk_script(), &[]).status.success());
    let out = sb.run(&high, &gate_env(&sb));
    assert!(out.status.success(), "{out:?}");
    let log = sb.gh_log();
    assert!(
        log.contains("gh pr edit 42 --add-label risk:high\n"),
        "{log}"
    );
    assert!(log.contains("gh pr merge 42 --disable-auto\n"), "{log}");
    assert!(
        !log.contains("gh pr comment"),
        "the diff comment is the comment step's: {log}"
    );
    assert!(!enables_auto_merge(&log), "{log}");
}

fn comment_script() -> String {
    run_of(step_running(&workflow(), "gate", "<!-- appspec-diff -->")).to_string()
}

/// The diff is ONE comment: created on the first push, found by its marker and updated
/// on the next ones; it holds the verdict, the reasons and the rendered diff.
#[test]
fn comment_step_posts_the_diff_once_then_updates_it() {
    let sb = sandbox("storage-shrunk");
    let out = sb.run(&risk_script(), &[]);
    assert!(out.status.success(), "{out:?}");
    let first = sb.run(&comment_script(), &gate_env(&sb));
    assert!(first.status.success(), "{first:?}");
    let log = sb.gh_log();
    assert!(
        log.contains("gh api --paginate repos/o/r/issues/42/comments --jq "),
        "{log}"
    );
    assert!(log.contains("gh pr comment 42 --body-file "), "{log}");
    let comment = sb.comment();
    assert!(
        comment.starts_with("<!-- appspec-diff -->\n### AppSpec: risk **high**"),
        "{comment}"
    );
    assert!(comment.contains("`storage-shrunk`"), "{comment}");
    assert!(
        comment.contains("<details><summary>shop/web (modified, ")
            && comment.contains("+++ head/PersistentVolumeClaim shop/web-data"),
        "{comment}"
    );

    // The next push: the comment is found and edited, not posted again.
    std::fs::remove_file(sb.runner_temp.join("gh.log")).unwrap();
    let mut env = gate_env(&sb);
    env.push(("GH_COMMENT_ID", "77".to_string()));
    let next = sb.run(&comment_script(), &env);
    assert!(next.status.success(), "{next:?}");
    let log = sb.gh_log();
    assert!(
        log.contains("gh api --method PATCH repos/o/r/issues/comments/77 -F body=@"),
        "{log}"
    );
    assert!(!log.contains("gh pr comment"), "{log}");

    // Without a report (validation failed), the comment says so, under the same marker.
    let sb = sandbox("head-invalid");
    let out = sb.run(&comment_script(), &gate_env(&sb));
    assert!(out.status.success(), "{out:?}");
    let comment = sb.comment();
    assert!(comment.starts_with("<!-- appspec-diff -->\n"), "{comment}");
    assert!(comment.contains("could not be validated"), "{comment}");
    assert!(!enables_auto_merge(&sb.gh_log()));
}

/// The verdict is the commit status `appspec/risk` of the head commit: success for low,
/// failure for high, error when the specs could not be read; the LEVEL the step gets is
/// `unknown` unless the risk job succeeded.
#[test]
fn status_step_sets_the_verdict_on_the_head_commit() {
    let wf = workflow();
    let step = step_running(&wf, "gate", "context=appspec/risk");
    assert_eq!(
        step["env"]["LEVEL"],
        "${{ needs.risk.result == 'success' && needs.risk.outputs.level || 'unknown' }}"
    );
    assert_eq!(wf["jobs"]["gate"]["permissions"]["statuses"], "write");
    assert_eq!(
        wf["jobs"]["gate"]["env"]["SHA"],
        "${{ github.event.pull_request.head.sha }}"
    );
    for (level, state) in [
        ("low", "success"),
        ("high", "failure"),
        ("unknown", "error"),
    ] {
        let sb = sandbox("image-tag-bump");
        let mut env = gate_env(&sb);
        env.push(("LEVEL", level.to_string()));
        env.push(("SHA", "abc123".to_string()));
        env.push(("RUN_URL", "https://example.test/run/1".to_string()));
        let out = sb.run(run_of(step), &env);
        assert!(out.status.success(), "{out:?}");
        let log = sb.gh_log();
        assert!(
            log.contains(&format!(
                "gh api --method POST repos/o/r/statuses/abc123 -f state={state} -f context=appspec/risk -f description="
            )),
            "{level}: {log}"
        );
        assert!(
            log.contains("-f target_url=https://example.test/run/1"),
            "{log}"
        );
    }
}

#[test]
fn low_step_enables_auto_merge() {
    let wf = workflow();
    let low = run_of(step_running(&wf, "gate", "--auto --squash")).to_string();
    let sb = sandbox("image-tag-bump");
    let out = sb.run(&low, &gate_env(&sb));
    assert!(out.status.success(), "{out:?}");
    let log = sb.gh_log();
    assert!(log.contains("gh pr merge 42 --auto --squash\n"), "{log}");
    assert!(!log.contains("--add-label"), "{log}");
    assert!(sb.comment().is_empty());
}

//! The Flux example `examples/flux/` does what its README says.
//!
//! - The publish workflow's own scripts run for real, in a temporary git repository with a
//!   bare `origin`: the deploy branch is started, advanced only by fast-forward commits, left
//!   alone when nothing changed or a spec is invalid, and never touched when the remote
//!   cannot be read.
//! - The committed hydrated directory (`examples/flux/deploy/apps`) is what `render --out`
//!   writes for `examples/flux/apps`, builds with `kubectl kustomize`, and every object is
//!   strict-valid (tests/tools/validate.py: kubernetes-validate --strict, CRD schemas from
//!   ../shared/schemas); storage is protected from Flux's pruning.
//! - The Flux objects validate against JSON Schemas derived from Flux's own CRDs
//!   (tests/data/flux/, see its README) by tests/tools/validate_crd.py.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use common::invariants;

use appspec::input::yaml::{Limits, parse_one, parse_stream};
use serde_json::{Value, json};

const WORKFLOW: &str = "examples/flux/publish.yaml";
const RISK_GATE: &str = "examples/ci/risk-gate.yaml";
const SPECS: &str = "examples/flux/apps";
const HYDRATED: &str = "examples/flux/deploy/apps";
const FLUX_OBJECTS: [&str; 2] = [
    "examples/flux/clusters/homelab/apps.yaml",
    "examples/flux/oci/apps.yaml",
];
const BIN: &str = common::BIN;

fn root() -> &'static Path {
    common::repo_root()
}

fn yaml_file(rel: &str) -> Value {
    let text = std::fs::read_to_string(root().join(rel)).unwrap();
    parse_one(&text, &Limits::default()).unwrap()
}

fn yaml_docs(path: &Path) -> Vec<Value> {
    let text = std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    parse_stream(&text, &Limits::default()).unwrap()
}

fn workflow() -> Value {
    yaml_file(WORKFLOW)
}

fn steps(wf: &Value) -> &Vec<Value> {
    wf["jobs"]["publish"]["steps"].as_array().unwrap()
}

fn run_of(step: &Value) -> &str {
    step["run"].as_str().unwrap_or("")
}

/// The script of the one step whose name is `name`.
fn script(name: &str) -> String {
    let wf = workflow();
    let found: Vec<&Value> = steps(&wf).iter().filter(|s| s["name"] == name).collect();
    assert_eq!(found.len(), 1, "expected one step named {name:?}");
    run_of(found[0]).to_string()
}

fn env_is_1(name: &str) -> bool {
    std::env::var(name).is_ok_and(|v| v == "1")
}

// --- The workflow's structure. ---

/// Evaluates a guard of the form `${{ github.ref == '<ref>' }}` (the only form this
/// workflow uses; anything else fails the test rather than being guessed at).
fn evaluate_ref_guard(guard: &str, git_ref: &str) -> bool {
    let inner = guard
        .trim()
        .strip_prefix("${{")
        .and_then(|g| g.strip_suffix("}}"))
        .unwrap_or_else(|| panic!("not an expression: {guard}"));
    let (left, right) = inner
        .split_once("==")
        .unwrap_or_else(|| panic!("unsupported guard: {guard}"));
    assert_eq!(left.trim(), "github.ref", "unsupported guard: {guard}");
    let literal = right
        .trim()
        .strip_prefix('\'')
        .and_then(|r| r.strip_suffix('\''))
        .filter(|r| !r.contains('\''))
        .unwrap_or_else(|| panic!("unsupported guard: {guard}"));
    literal == git_ref
}

#[test]
fn publishes_only_pushes_to_main() {
    let wf = workflow();
    assert_eq!(wf["on"]["push"], json!({"branches": ["main"]}));
    for never in ["pull_request", "pull_request_target", "schedule"] {
        assert!(wf["on"].get(never).is_none(), "must not run on {never}");
    }
    // A manual run on another branch publishes nothing: the job's guard names main.
    let job = &wf["jobs"]["publish"];
    let guard = job["if"].as_str().expect("the job has an if: guard");
    for (git_ref, runs) in [
        ("refs/heads/main", true),
        ("refs/heads/feature", false),
        ("refs/heads/main-old", false),
        ("refs/tags/v1.0.0", false),
        ("refs/pull/1/merge", false),
    ] {
        assert_eq!(
            evaluate_ref_guard(guard, git_ref),
            runs,
            "{guard} with {git_ref}"
        );
    }
    assert_eq!(wf["permissions"], json!({}));
    assert_eq!(job["permissions"], json!({"contents": "write"}));
    // Runs queue (never two pushes racing for the branch, never a cancelled half push).
    assert_eq!(
        wf["concurrency"],
        json!({"group": "appspec-publish", "cancel-in-progress": false})
    );
    // It publishes the directory the risk gate guards before merge.
    let gate = yaml_file(RISK_GATE);
    assert_eq!(wf["env"]["APPS_DIR"], gate["env"]["APPS_DIR"]);
    assert_eq!(wf["env"]["APPSPEC_VERSION"], gate["env"]["APPSPEC_VERSION"]);
    assert!(
        gate["on"].get("pull_request").is_some(),
        "the gate runs before merge"
    );
}

#[test]
fn validates_then_renders_then_publishes_without_force() {
    let wf = workflow();
    let steps = steps(&wf);
    let pos = |needle: &str| {
        steps
            .iter()
            .position(|s| run_of(s).contains(needle) || s["name"] == needle)
            .unwrap_or_else(|| panic!("no step {needle}"))
    };
    let checkout = pos("Check out main");
    assert!(
        steps[checkout]["uses"]
            .as_str()
            .is_some_and(|u| u.starts_with("actions/checkout@")),
        "{}",
        steps[checkout]["uses"]
    );
    assert_eq!(steps[checkout]["with"]["path"], "source");
    // The push uses the credentials the checkout keeps (the deploy worktree shares them).
    assert!(steps[checkout]["with"].get("persist-credentials").is_none());
    let order = [
        checkout,
        pos("sha256sum --check"),
        pos("appspec validate \"source/$APPS_DIR\""),
        pos("worktree add"),
        pos("appspec render --out \"deploy/$DEPLOY_DIR\" \"source/$APPS_DIR\""),
        pos("git push"),
    ];
    assert!(order.windows(2).all(|w| w[0] < w[1]), "{order:?}");
    let all: String = steps.iter().map(run_of).collect::<Vec<_>>().join("\n");
    for line in all.lines().filter(|l| l.contains("git push")) {
        assert!(
            !line.contains("--force")
                && !line.contains(" -f")
                && !line.contains(":+")
                && !line.contains(" +"),
            "the deploy branch only moves forward: {line}"
        );
    }
    assert_eq!(wf["env"]["DEPLOY_BRANCH"], "deploy");
    assert_eq!(wf["env"]["DEPLOY_DIR"], "apps");
}

// --- Running the scripts in a real repository. ---

fn git(dir: &Path, args: &[&str]) -> String {
    let out = Command::new("git")
        .args(args)
        .current_dir(dir)
        .envs(git_env(dir))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "git {args:?} in {}: {}",
        dir.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap().trim().to_string()
}

/// An environment that ignores the user's and the system's git configuration.
fn git_env(home: &Path) -> Vec<(&'static str, String)> {
    vec![
        ("HOME", home.display().to_string()),
        ("GIT_CONFIG_NOSYSTEM", "1".into()),
        ("GIT_CONFIG_GLOBAL", "/dev/null".into()),
        ("GIT_AUTHOR_NAME", "dev".into()),
        ("GIT_AUTHOR_EMAIL", "dev@example.org".into()),
        ("GIT_COMMITTER_NAME", "dev".into()),
        ("GIT_COMMITTER_EMAIL", "dev@example.org".into()),
        ("GIT_TERMINAL_PROMPT", "0".into()),
    ]
}

/// A bare `origin` whose main holds the example's specs under `apps/`, and a clone to
/// change it with (`dev`).
struct Repo {
    tmp: tempfile::TempDir,
    origin: PathBuf,
    dev: PathBuf,
    runs: usize,
}

impl Repo {
    fn new() -> Repo {
        let tmp = tempfile::tempdir().unwrap();
        let origin = tmp.path().join("origin.git");
        let dev = tmp.path().join("dev");
        std::fs::create_dir_all(&origin).unwrap();
        git(
            &origin,
            &["init", "--quiet", "--bare", "--initial-branch=main"],
        );
        git(
            tmp.path(),
            &["clone", "--quiet", origin.to_str().unwrap(), "dev"],
        );
        git(&dev, &["checkout", "--quiet", "-b", "main"]);
        common::copy_dir(&root().join(SPECS), &dev.join("apps"));
        std::fs::write(dev.join("README.md"), "the GitOps repository\n").unwrap();
        let repo = Repo {
            tmp,
            origin,
            dev,
            runs: 0,
        };
        repo.commit_and_push("add the apps");
        repo
    }

    fn commit_and_push(&self, message: &str) {
        git(&self.dev, &["add", "--all"]);
        git(&self.dev, &["commit", "--quiet", "-m", message]);
        git(&self.dev, &["push", "--quiet", "origin", "main"]);
    }

    /// The deploy branch of origin: its head commit, or None.
    fn deploy_head(&self) -> Option<String> {
        let out = Command::new("git")
            .args(["rev-parse", "--verify", "--quiet", "refs/heads/deploy"])
            .current_dir(&self.origin)
            .envs(git_env(&self.origin))
            .output()
            .unwrap();
        out.status
            .success()
            .then(|| String::from_utf8(out.stdout).unwrap().trim().to_string())
    }

    /// The files of origin's deploy branch and their content.
    fn deploy_tree(&self) -> BTreeMap<String, String> {
        let files = git(
            &self.origin,
            &["ls-tree", "-r", "--name-only", "refs/heads/deploy"],
        );
        files
            .lines()
            .map(|f| {
                (
                    f.to_string(),
                    git(&self.origin, &["show", &format!("refs/heads/deploy:{f}")]) + "\n",
                )
            })
            .collect()
    }

    /// A fresh runner workspace: main checked out at `source/` as actions/checkout does.
    fn runner(&mut self) -> Runner {
        self.runs += 1;
        let work = self.tmp.path().join(format!("run{}", self.runs));
        let temp = self.tmp.path().join(format!("runner-temp{}", self.runs));
        std::fs::create_dir_all(&work).unwrap();
        std::fs::create_dir_all(&temp).unwrap();
        let url = format!("file://{}", self.origin.display());
        git(
            &work,
            &[
                "clone",
                "--quiet",
                "--depth=1",
                "--branch=main",
                &url,
                "source",
            ],
        );
        let sha = git(&work.join("source"), &["rev-parse", "HEAD"]);
        Runner { work, temp, sha }
    }
}

struct Runner {
    work: PathBuf,
    temp: PathBuf,
    sha: String,
}

impl Runner {
    /// Runs a step's script as GitHub does (`bash -eo pipefail`, the workflow's env), with
    /// the built appspec on PATH.
    fn run(&self, step: &str) -> Output {
        let wf = workflow();
        let bin_dir = Path::new(BIN).parent().unwrap();
        let path = format!(
            "{}:{}",
            bin_dir.display(),
            std::env::var("PATH").unwrap_or_default()
        );
        let file = self.temp.join("step.sh");
        std::fs::write(&file, script(step)).unwrap();
        let mut cmd = Command::new("bash");
        cmd.args(["--noprofile", "--norc", "-eo", "pipefail"])
            .arg(&file)
            .current_dir(&self.work)
            .envs(git_env(&self.temp))
            .env("PATH", path)
            .env("RUNNER_TEMP", &self.temp)
            .env("GITHUB_SHA", &self.sha)
            .env("GITHUB_SERVER_URL", "https://github.com")
            .env("GITHUB_REPOSITORY", "example/homelab-gitops")
            .env_remove("APPSPEC_PLATFORM")
            .env_remove("APPSPEC_MAX_INPUT_BYTES");
        for (k, v) in wf["env"].as_object().unwrap() {
            cmd.env(k, v.as_str().unwrap());
        }
        cmd.output().unwrap()
    }

    /// Runs the steps after install, in order, as the job does: stops at the first failure.
    fn publish(&self) -> Result<String, (String, Output)> {
        let mut log = String::new();
        for step in [
            "Validate the specs",
            "Check out the deploy branch",
            "Render",
            "Publish",
        ] {
            let out = self.run(step);
            log.push_str(&String::from_utf8_lossy(&out.stdout));
            if !out.status.success() {
                return Err((step.to_string(), out));
            }
        }
        Ok(log)
    }
}

/// The same file names, and the same content in each (a failure names the file).
fn assert_same_files(got: &BTreeMap<String, String>, want: &BTreeMap<String, String>, what: &str) {
    let names = |m: &BTreeMap<String, String>| m.keys().cloned().collect::<Vec<_>>();
    assert_eq!(names(got), names(want), "{what}: file names");
    for (name, text) in want {
        assert_eq!(&got[name], text, "{what}: {name}");
    }
}

fn expected_deploy_tree() -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    let base = root().join(HYDRATED);
    let mut files = Vec::new();
    walk_files(&base, &mut files);
    for f in files {
        let rel = f.strip_prefix(&base).unwrap().display().to_string();
        out.insert(format!("apps/{rel}"), std::fs::read_to_string(&f).unwrap());
    }
    out
}

fn walk_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            walk_files(&p, out);
        } else {
            out.push(p);
        }
    }
    out.sort();
}

#[test]
fn publishes_to_the_deploy_branch_and_only_moves_it_forward() {
    let mut repo = Repo::new();

    // First run: the branch does not exist; it starts with no history and holds only the
    // rendered directory (the committed example, byte for byte).
    let run = repo.runner();
    let log = run
        .publish()
        .unwrap_or_else(|(step, out)| panic!("{step}: {out:?}"));
    assert!(log.contains("does not exist yet; starting it"), "{log}");
    let first = repo.deploy_head().expect("the deploy branch was pushed");
    assert_same_files(
        &repo.deploy_tree(),
        &expected_deploy_tree(),
        "deploy branch",
    );
    assert_eq!(
        git(&repo.origin, &["rev-list", "--count", &first]),
        "1",
        "a new branch without main's history"
    );
    let message = git(&repo.origin, &["log", "-1", "--format=%B", &first]);
    assert!(
        message.starts_with(&format!("appspec render of {}", run.sha)),
        "{message}"
    );
    assert!(message.contains(&format!(
        "https://github.com/example/homelab-gitops/commit/{}",
        run.sha
    )));

    // Nothing changed in the output: no commit.
    let run = repo.runner();
    let log = run
        .publish()
        .unwrap_or_else(|(step, out)| panic!("{step}: {out:?}"));
    assert!(
        log.contains("The rendered manifests did not change."),
        "{log}"
    );
    assert_eq!(repo.deploy_head().as_deref(), Some(first.as_str()));

    // Something outside DEPLOY_DIR on the deploy branch (a README) stays.
    let side = repo.tmp.path().join("side");
    git(
        repo.tmp.path(),
        &[
            "clone",
            "--quiet",
            "--branch=deploy",
            repo.origin.to_str().unwrap(),
            "side",
        ],
    );
    std::fs::write(side.join("README.md"), "rendered by CI\n").unwrap();
    git(&side, &["add", "README.md"]);
    git(&side, &["commit", "--quiet", "-m", "readme"]);
    git(&side, &["push", "--quiet", "origin", "deploy"]);
    let with_readme = repo.deploy_head().unwrap();

    // An app removed from main: its file goes, in one fast-forward commit; its namespace
    // (still declared) stays.
    std::fs::remove_dir_all(repo.dev.join("apps/media/jellyfin")).unwrap();
    repo.commit_and_push("remove jellyfin");
    let run = repo.runner();
    run.publish()
        .unwrap_or_else(|(step, out)| panic!("{step}: {out:?}"));
    let after = repo.deploy_head().unwrap();
    assert_eq!(
        git(&repo.origin, &["rev-parse", &format!("{after}^")]),
        with_readme,
        "one commit on top of the previous head"
    );
    let tree = repo.deploy_tree();
    let files: Vec<&str> = tree.keys().map(String::as_str).collect();
    assert_eq!(
        files,
        [
            "README.md",
            "apps/.appspec-render",
            "apps/_resources.yaml",
            "apps/kustomization.yaml",
            "apps/paperless/paperless.yaml"
        ]
    );
    assert!(tree["apps/_resources.yaml"].contains("name: media"));
    assert!(!tree["apps/kustomization.yaml"].contains("jellyfin"));
}

#[test]
fn an_invalid_spec_publishes_nothing() {
    let mut repo = Repo::new();
    let run = repo.runner();
    run.publish()
        .unwrap_or_else(|(step, out)| panic!("{step}: {out:?}"));
    let head = repo.deploy_head().unwrap();
    let app = repo.dev.join("apps/paperless/paperless/app.yaml");
    let text = std::fs::read_to_string(&app).unwrap();
    std::fs::write(
        &app,
        text.replace("docs.hypyr.space", "docs.in.hypyr.space"),
    )
    .unwrap();
    repo.commit_and_push("a host the platform refuses");

    let run = repo.runner();
    let (step, out) = run
        .publish()
        .expect_err("an invalid spec must stop the job");
    assert_eq!(step, "Validate the specs");
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("External apps must use .hypyr.space domain"),
        "{out:?}"
    );
    // Even if validation were skipped, render writes nothing and the branch stays.
    assert!(run.run("Check out the deploy branch").status.success());
    let before = git(
        &run.work.join("deploy"),
        &["status", "--porcelain", "--ignored"],
    );
    let out = run.run("Render");
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    assert!(String::from_utf8_lossy(&out.stderr).contains("nothing written to deploy/apps"));
    assert_eq!(
        git(
            &run.work.join("deploy"),
            &["status", "--porcelain", "--ignored"]
        ),
        before
    );
    assert_eq!(repo.deploy_head().unwrap(), head);
}

#[test]
fn an_unreachable_remote_is_an_error_not_a_new_branch() {
    let mut repo = Repo::new();
    let run = repo.runner();
    git(
        &run.work.join("source"),
        &["remote", "set-url", "origin", "/nonexistent/origin.git"],
    );
    let out = run.run("Check out the deploy branch");
    assert!(!out.status.success(), "{out:?}");
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("::error::cannot read branch deploy"),
        "{out:?}"
    );
    assert!(!run.work.join("deploy").exists());
}

// --- The hydrated example and the Flux objects. ---

#[test]
fn the_committed_hydrated_directory_is_what_render_writes() {
    if env_is_1("APPSPEC_BLESS") {
        let out = Command::new(BIN)
            .args(["render", "--out", HYDRATED, SPECS])
            .current_dir(root())
            .output()
            .unwrap();
        assert!(out.status.success(), "{out:?}");
    }
    let tmp = tempfile::tempdir().unwrap();
    let out = Command::new(BIN)
        .arg("render")
        .arg("--out")
        .arg(tmp.path().join("apps"))
        .arg(root().join(SPECS))
        .env_remove("APPSPEC_PLATFORM")
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    assert_eq!(String::from_utf8_lossy(&out.stderr), "", "no warnings");
    let read = |base: &Path| -> BTreeMap<String, String> {
        let mut files = Vec::new();
        walk_files(base, &mut files);
        files
            .iter()
            .map(|f| {
                (
                    f.strip_prefix(base).unwrap().display().to_string(),
                    std::fs::read_to_string(f).unwrap(),
                )
            })
            .collect()
    };
    assert_same_files(
        &read(&tmp.path().join("apps")),
        &read(&root().join(HYDRATED)),
        &format!("{HYDRATED} is stale (APPSPEC_BLESS=1 cargo test --test flux_example)"),
    );
}

#[test]
fn the_hydrated_directory_builds_and_every_object_is_strict_valid() {
    let Some(kubectl) = common::kubectl() else {
        return;
    };
    let built = Command::new(kubectl)
        .arg("kustomize")
        .arg(root().join(HYDRATED))
        .output()
        .unwrap();
    assert!(
        built.status.success(),
        "{}",
        String::from_utf8_lossy(&built.stderr)
    );
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("built.yaml");
    std::fs::write(&file, &built.stdout).unwrap();
    let objects = yaml_docs(&file);

    // Storage survives Flux's prune: true.
    let mut storage = 0;
    for o in &objects {
        if matches!(
            o["kind"].as_str(),
            Some("PersistentVolumeClaim" | "PersistentVolume")
        ) {
            storage += 1;
            assert_eq!(
                o["metadata"]["annotations"]["kustomize.toolkit.fluxcd.io/prune"], "disabled",
                "{o}"
            );
        }
    }
    assert_eq!(storage, 3, "paperless's PVC, jellyfin's PV and PVC");
    // So are the namespaces that hold claims: deleting a namespace deletes its claims.
    let namespaces: Vec<&Value> = objects
        .iter()
        .filter(|o| o["kind"] == "Namespace")
        .collect();
    assert_eq!(namespaces.len(), 2);
    for ns in namespaces {
        assert_eq!(
            ns["metadata"]["annotations"]["kustomize.toolkit.fluxcd.io/prune"], "disabled",
            "{ns}"
        );
    }
    let kinds: std::collections::BTreeSet<&str> =
        objects.iter().filter_map(|o| o["kind"].as_str()).collect();
    for kind in [
        "Namespace",
        "Deployment",
        "Service",
        "Ingress",
        "ExternalSecret",
        "ReplicationSource",
    ] {
        assert!(kinds.contains(kind), "no {kind} in {kinds:?}");
    }

    // The invariants of every output (both prune guards, labels, no Secret data, no
    // anchors, strict validity of every object, core and CRD) hold for the hydrated build.
    let inputs: Vec<Value> = {
        let mut files = Vec::new();
        walk_files(&root().join(SPECS), &mut files);
        files
            .iter()
            .filter(|f| f.file_name().is_some_and(|n| n != "kustomization.yaml"))
            .flat_map(|f| yaml_docs(f))
            .collect()
    };
    let text = String::from_utf8(built.stdout).unwrap();
    if let Some(report) = invariants::assert_invariants(&[invariants::Output::stream(
        format!("kubectl kustomize {HYDRATED}"),
        &text,
        &inputs,
    )]) {
        let generated = objects.len() - 2; // all but the two Namespaces
        assert!(
            report
                .summary
                .contains(&format!("{generated} ok, 0 failed, 0 skipped")),
            "{}",
            report.summary
        );
    }

    // Every object, the pass-through Namespaces included, strict-valid.
    let (Some(python), Some(shared)) = (common::python(), common::shared_schemas()) else {
        return;
    };
    let out = Command::new(python)
        .arg(root().join("tests/tools/validate.py"))
        .arg("--schemas")
        .arg(common::own_schemas())
        .arg("--schemas")
        .arg(shared)
        .arg(&file)
        .output()
        .unwrap();
    let stdout = common::text(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}\n{}",
        common::text(&out.stderr)
    );
    let n = objects.len();
    assert!(
        stdout.contains(&format!("validated {n} objects in 1 files")),
        "{stdout}"
    );
    assert!(
        stdout.contains(&format!("{n} ok, 0 failed, 0 skipped")),
        "{stdout}"
    );
    assert!(
        stdout.contains("ok   ") && stdout.contains("Namespace/paperless"),
        "{stdout}"
    );
}

fn validate_crd(python: &Path, files: &[PathBuf]) -> Output {
    let mut cmd = Command::new(python);
    cmd.arg(root().join("tests/tools/validate_crd.py"));
    for crd in [
        "source.toolkit.fluxcd.io_gitrepositories.yaml",
        "source.toolkit.fluxcd.io_ocirepositories.yaml",
        "kustomize.toolkit.fluxcd.io_kustomizations.yaml",
    ] {
        cmd.arg("--crd")
            .arg(root().join("tests/data/flux").join(crd));
    }
    cmd.args(files).output().unwrap()
}

#[test]
fn flux_objects_are_valid_against_fluxs_crds() {
    let Some(python) = common::python() else {
        return;
    };
    let files: Vec<PathBuf> = FLUX_OBJECTS.iter().map(|f| root().join(f)).collect();
    let out = validate_crd(&python, &files);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout.contains("validated 4 objects in 2 files"),
        "{stdout}"
    );
    assert!(stdout.contains("4 ok, 0 failed"), "{stdout}");

    // The derived schemas are strict: a typo, a wrong type, an unknown kind all fail.
    let tmp = tempfile::tempdir().unwrap();
    let bad = tmp.path().join("bad.yaml");
    let mut docs = yaml_docs(&files[0]);
    docs[1]["spec"]["prunee"] = json!(true);
    docs[1]["spec"]["prune"] = json!("yes");
    docs[0]["spec"]["ref"]["brnch"] = json!("deploy");
    docs.push(json!({"apiVersion": "kustomize.toolkit.fluxcd.io/v1beta1", "kind": "Kustomization", "metadata": {"name": "old"}}));
    std::fs::write(&bad, appspec::input::yaml::to_stream(&docs).unwrap()).unwrap();
    let out = validate_crd(&python, &[bad]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    for want in [
        "GitRepository/flux-system/apps-deploy: spec.ref: Additional properties are not allowed ('brnch' was unexpected)",
        "Kustomization/flux-system/apps: spec: Additional properties are not allowed ('prunee' was unexpected)",
        "Kustomization/flux-system/apps: spec.prune: 'yes' is not of type 'boolean'",
        "Kustomization/old: no CRD for kustomize.toolkit.fluxcd.io/v1beta1 Kustomization",
    ] {
        assert!(stdout.contains(want), "missing {want:?} in\n{stdout}");
    }
}

/// What the schemas cannot say: the objects fit together and fit the workflow.
#[test]
fn flux_objects_consume_what_the_workflow_publishes() {
    let wf = workflow();
    for file in FLUX_OBJECTS {
        let docs = yaml_docs(&root().join(file));
        let source = docs
            .iter()
            .find(|d| d["apiVersion"] == "source.toolkit.fluxcd.io/v1")
            .unwrap();
        let ks = docs.iter().find(|d| d["kind"] == "Kustomization").unwrap();
        assert_eq!(ks["spec"]["prune"], true, "{file}");
        assert_eq!(ks["spec"]["sourceRef"]["kind"], source["kind"], "{file}");
        assert_eq!(
            ks["spec"]["sourceRef"]["name"], source["metadata"]["name"],
            "{file}"
        );
        assert_eq!(
            ks["metadata"]["namespace"], source["metadata"]["namespace"],
            "{file}"
        );
        // Fields guarded by CEL rules the schema check cannot evaluate are not used.
        assert!(
            ks["spec"].get("kubeConfig").is_none()
                && source["spec"].get("serviceAccountName").is_none()
        );
        // No targetNamespace: it would move every app into one namespace.
        assert!(ks["spec"].get("targetNamespace").is_none(), "{file}");
        if source["kind"] == "GitRepository" {
            assert_eq!(source["spec"]["ref"]["branch"], wf["env"]["DEPLOY_BRANCH"]);
            let dir = wf["env"]["DEPLOY_DIR"].as_str().unwrap();
            assert_eq!(ks["spec"]["path"], format!("./{dir}"));
        }
    }
}

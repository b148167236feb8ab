//! Repository content written by an attacker: symbolic links, devices, paths out of the
//! repository, helm, remote bases, forged lines, and what render does to plain manifests.
//!
//! Each test runs the real binary on a temporary repository (a directory with `.git`).

use std::path::{Path, PathBuf};
use std::process::Output;
use std::time::{Duration, Instant};

use assert_cmd::Command;

fn write(path: &Path, text: &str) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

const APP: &str = "apiVersion: platform.hypyr.space/v1alpha1\nkind: AppSpec\nmetadata:\n  name: web\n  namespace: shop\nspec:\n  image: ghcr.io/acme/web:1.0.0\n";

/// A repository with one app directory `apps/web` holding `app.yaml`.
fn repo() -> (tempfile::TempDir, PathBuf) {
    let repo = tempfile::tempdir().unwrap();
    std::fs::create_dir(repo.path().join(".git")).unwrap();
    let app = repo.path().join("apps/web");
    write(&app.join("app.yaml"), APP);
    (repo, app)
}

fn appspec(dir: &Path) -> Command {
    let mut cmd = Command::cargo_bin("appspec").unwrap();
    cmd.current_dir(dir)
        .env_remove("APPSPEC_PLATFORM")
        .env_remove("PARAM_PLATFORM")
        .env_remove("ARGOCD_ENV_APPSPEC_PLATFORM")
        .env_remove("ARGOCD_APP_SOURCE_PATH")
        .env_remove("APPSPEC_ROOT")
        .env_remove("APPSPEC_ENABLE_HELM")
        .env_remove("APPSPEC_ENABLE_REMOTE")
        .env_remove("APPSPEC_MAX_INPUT_BYTES")
        .timeout(Duration::from_secs(60));
    cmd
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// The run failed, printed nothing on stdout, and said `needle` on stderr in one line.
fn assert_refused(what: &str, out: &Output, needle: &str) {
    let stderr = text(&out.stderr);
    assert!(
        !out.status.success(),
        "{what}: expected a failure\nstdout: {}\nstderr: {stderr}",
        text(&out.stdout)
    );
    assert!(
        !stderr.contains("panicked"),
        "{what}: the binary panicked: {stderr}"
    );
    assert!(
        stderr.contains(needle),
        "{what}: {needle:?} not in {stderr}"
    );
    assert!(
        stderr.lines().count() <= 3,
        "{what}: one clear message, got {stderr}"
    );
}

#[cfg(unix)]
#[test]
fn symlink_cycles_are_refused_quickly_everywhere() {
    use std::os::unix::fs::symlink;
    let (_repo, app) = repo();
    symlink(".", app.join("a")).unwrap();
    symlink(".", app.join("b")).unwrap();
    let start = Instant::now();
    for args in [
        vec!["render", "."],
        vec!["validate", "."],
        vec!["discover", "."],
        vec!["risk", ".", "."],
    ] {
        let out = appspec(&app).args(&args).output().unwrap();
        assert_refused(&format!("{args:?}"), &out, "symbolic link back to");
        assert!(out.stdout.is_empty(), "{args:?}: stdout must stay empty");
    }
    assert!(
        start.elapsed() < Duration::from_secs(30),
        "the walks must not explode"
    );
}

#[cfg(unix)]
#[test]
fn a_link_out_of_the_repository_is_refused_and_its_content_never_printed() {
    use std::os::unix::fs::symlink;
    let (_repo, app) = repo();
    let outside = tempfile::tempdir().unwrap();
    let secret = outside.path().join("secret.yaml");
    write(
        &secret,
        "apiVersion: v1\nkind: Secret\nmetadata: {name: stolen}\nstringData: {password: hunter2}\n",
    );
    symlink(&secret, app.join("z.yaml")).unwrap();
    for args in [
        vec!["render", "."],
        vec!["validate", "."],
        vec!["discover", "."],
        vec!["risk", ".", "."],
    ] {
        let out = appspec(&app).args(&args).output().unwrap();
        assert_refused(&format!("{args:?}"), &out, "leads outside the repository");
        assert!(!text(&out.stdout).contains("hunter2"), "{args:?}");
    }
    // A link to a device is refused the same way (it is outside too), never read.
    std::fs::remove_file(app.join("z.yaml")).unwrap();
    symlink("/dev/zero", app.join("z.yaml")).unwrap();
    let out = appspec(&app).args(["render", "."]).output().unwrap();
    assert_refused("z.yaml -> /dev/zero", &out, "leads outside the repository");
}

#[test]
fn device_files_are_never_read() {
    let (_repo, app) = repo();
    // The operator's own platform path (not repository content) may be anywhere, but it
    // is still read through the bounded reader.
    let out = appspec(&app)
        .args(["render", "."])
        .env("APPSPEC_PLATFORM", "/dev/zero")
        .output()
        .unwrap();
    assert_refused("APPSPEC_PLATFORM=/dev/zero", &out, "is not a regular file");
    let out = appspec(&app)
        .args(["validate", "--platform", "/dev/zero", "."])
        .output()
        .unwrap();
    assert_refused(
        "validate --platform /dev/zero",
        &out,
        "is not a regular file",
    );
}

#[test]
fn argo_platform_parameters_stay_in_the_repository_and_reveal_nothing() {
    let (repo, app) = repo();
    write(
        &repo.path().join("platform.yaml"),
        "apiVersion: platform.hypyr.space/v1alpha1\nkind: PlatformConfig\nmetadata: {name: lab}\nspec:\n  dns: {internalDomain: lan.example.org}\n",
    );
    for var in ["PARAM_PLATFORM", "ARGOCD_ENV_APPSPEC_PLATFORM"] {
        // Inside the repository, above the app: fine.
        let out = appspec(&app)
            .args(["render", "."])
            .env(var, "../../platform.yaml")
            .output()
            .unwrap();
        assert!(out.status.success(), "{var}: {}", text(&out.stderr));
        assert!(text(&out.stdout).contains("web.lan.example.org"));
        // Outside: one answer whether or not the file exists.
        let mut answers = Vec::new();
        for path in [
            "/etc/passwd",
            "/nonexistent/file",
            "../../../../../../etc/passwd",
            "../../../nope.yaml",
            "/dev/zero",
        ] {
            let out = appspec(&app)
                .args(["render", "."])
                .env(var, path)
                .output()
                .unwrap();
            assert_refused(
                &format!("{var}={path}"),
                &out,
                "leads outside the repository",
            );
            answers.push(out.status.code());
        }
        answers.dedup();
        assert_eq!(answers.len(), 1, "{var}: exit codes differ: {answers:?}");
    }
}

#[test]
fn discover_does_not_walk_out_of_the_repository() {
    let (_repo, app) = repo();
    write(
        &app.join("kustomization.yaml"),
        "resources: [app.yaml, /]\n",
    );
    let out = appspec(&app).args(["discover", "."]).output().unwrap();
    assert_refused("resources: [/]", &out, "leads outside the repository");
}

#[test]
fn helm_charts_are_refused_unless_enabled() {
    let (_repo, app) = repo();
    write(
        &app.join("kustomization.yaml"),
        "resources: [app.yaml]\nhelmCharts:\n- name: evil\n  repo: https://example.com/charts\n  version: 1.0.0\n",
    );
    let out = appspec(&app).args(["render", "."]).output().unwrap();
    assert_refused("helmCharts", &out, "uses helmCharts");
    assert!(text(&out.stderr).contains("--enable-helm"));
    assert_eq!(out.status.code(), Some(2));
    // An inline HelmChartInflationGenerator in `generators` too.
    write(
        &app.join("kustomization.yaml"),
        "resources: [app.yaml]\ngenerators:\n- |\n  apiVersion: builtin\n  kind: HelmChartInflationGenerator\n  metadata: {name: evil}\n  name: evil\n  repo: https://example.com/charts\n",
    );
    let out = appspec(&app).args(["render", "."]).output().unwrap();
    assert_refused("an inline generator", &out, "uses helmCharts");
    // In a base the overlay builds on, too.
    let (_repo2, app2) = repo();
    let base = app2.parent().unwrap().join("base");
    write(&base.join("app.yaml"), APP);
    write(
        &base.join("kustomization.yaml"),
        "resources: [app.yaml]\ngenerators: [chart.yaml]\n",
    );
    write(
        &base.join("chart.yaml"),
        "apiVersion: builtin\nkind: HelmChartInflationGenerator\nmetadata: {name: evil}\nname: evil\nrepo: https://example.com/charts\n",
    );
    write(&app2.join("kustomization.yaml"), "resources: [../base]\n");
    std::fs::remove_file(app2.join("app.yaml")).unwrap();
    let out = appspec(&app2).args(["render", "."]).output().unwrap();
    assert_refused(
        "HelmChartInflationGenerator in a base",
        &out,
        "uses helmCharts",
    );
    // Opting in hands the chart to kustomize (which then needs helm; the refusal is gone).
    let out = appspec(&app)
        .args(["render", "--enable-helm", "."])
        .output()
        .unwrap();
    assert!(
        !text(&out.stderr).contains("uses helmCharts"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn printed_names_cannot_forge_lines() {
    let (_repo, app) = repo();
    write(
        &app.join("app.yaml"),
        "apiVersion: platform.hypyr.space/v1alpha1\nkind: AppSpec\nmetadata:\n  name: \"web\\nlooks-fine.yaml: AppSpec/ok: all good \\e[32m\"\nspec:\n  image: ghcr.io/acme/web:1.0.0\n",
    );
    for args in [vec!["render", "."], vec!["validate", "."]] {
        let out = appspec(&app).args(&args).output().unwrap();
        // render reports on stderr, validate on stdout.
        let stderr = text(&out.stderr) + &text(&out.stdout);
        assert_eq!(out.status.code(), Some(1), "{args:?}: {stderr}");
        assert!(!stderr.contains('\u{1b}'), "{args:?}: {stderr:?}");
        assert!(
            stderr.lines().all(|l| !l.starts_with("looks-fine.yaml")),
            "{args:?}: a forged line: {stderr}"
        );
        assert!(
            stderr.contains("web\\nlooks-fine.yaml"),
            "{args:?}: {stderr}"
        );
    }
    // The risk report's text form, which CI posts as a comment.
    let out = appspec(&app)
        .args(["risk", "/nonexistent-base", ".", "--format", "text"])
        .output()
        .unwrap();
    let stdout = text(&out.stdout);
    assert!(!stdout.contains('\u{1b}'), "{stdout:?}");
    assert!(
        stdout.lines().all(|l| !l.starts_with("looks-fine.yaml")),
        "{stdout}"
    );
}

#[test]
fn lists_are_first_class_in_render_and_validate() {
    let (_repo, app) = repo();
    write(
        &app.join("app.yaml"),
        "apiVersion: v1\nkind: List\nitems:\n- apiVersion: platform.hypyr.space/v1alpha1\n  kind: AppSpec\n  metadata: {name: web, namespace: shop}\n  spec:\n    image: ghcr.io/acme/web:1.0.0\n- apiVersion: platform.hypyr.space/v1alpha1\n  kind: AppSpec\n  metadata: {name: api, namespace: shop}\n  spec:\n    image: ghcr.io/acme/api:1.0.0\n    port: 0\n",
    );
    let out = appspec(&app).args(["validate", "."]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        text(&out.stdout),
        "./app.yaml:14:5: AppSpec/shop/api: spec.port: port must be between 1 and 65535, got 0\n"
    );
    let out = appspec(&app).args(["render", "."]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("AppSpec/shop/api: spec.port"));
    write(
        &app.join("app.yaml"),
        &format!(
            "apiVersion: v1\nkind: List\nitems:\n- {}",
            APP.replace('\n', "\n  ")
        ),
    );
    let out = appspec(&app).args(["render", "."]).output().unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(stdout.contains("kind: Deployment"), "{stdout}");
    assert!(
        !stdout.contains("kind: AppSpec") && !stdout.contains("kind: List"),
        "{stdout}"
    );
    let out = appspec(&app).args(["discover", "."]).output().unwrap();
    assert_eq!(text(&out.stdout), "./app.yaml\n");
}

fn kubectl() -> bool {
    let ok = std::process::Command::new("kubectl")
        .args(["version", "--client"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !ok && std::env::var_os("APPSPEC_REQUIRE_TOOLS").is_some() {
        panic!("kubectl is required (APPSPEC_REQUIRE_TOOLS is set)");
    }
    ok
}

/// What `kubectl kustomize` makes of the files of `dir`, listed as resources.
fn kustomize_files(dir: &Path, files: &[&str]) -> String {
    let k = tempfile::tempdir().unwrap();
    for f in files {
        std::fs::copy(dir.join(f), k.path().join(f)).unwrap();
    }
    write(
        &k.path().join("kustomization.yaml"),
        &format!("resources: [{}]\n", files.join(", ")),
    );
    let out = std::process::Command::new("kubectl")
        .arg("kustomize")
        .arg(k.path())
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    text(&out.stdout)
}

/// Pass-through documents keep the meaning kustomize gives them: `kubectl kustomize` of
/// render's output equals `kubectl kustomize` of the input files (`0644` stays 420,
/// `yes` stays "yes", `017` stays 15).
#[test]
fn pass_through_documents_keep_their_meaning() {
    if !kubectl() {
        eprintln!("skipped: kubectl is not installed");
        return;
    }
    let (_repo, app) = repo();
    std::fs::remove_file(app.join("app.yaml")).unwrap();
    let plain = "# plain manifests beside no AppSpec\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: flags\n  namespace: shop\ndata:\n  enabled: yes\n  mode: 0644\n---\napiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  namespace: shop\nspec:\n  containers:\n  - name: c\n    image: ghcr.io/acme/c:1.0.0\n    args: [yes, 017, on]\n  volumes:\n  - name: v\n    configMap: {name: flags, defaultMode: 0644}\n...\n";
    write(&app.join("plain.yaml"), plain);
    write(&app.join("app.yaml"), APP);
    let out = appspec(&app).args(["render", "."]).output().unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    let rendered = text(&out.stdout);
    // Keep only the pass-through documents of render's output.
    let passthrough: Vec<&str> = rendered
        .split("---\n")
        .filter(|d| d.contains("name: flags") || d.contains("name: p\n"))
        .collect();
    assert_eq!(passthrough.len(), 2, "{rendered}");
    let out_dir = tempfile::tempdir().unwrap();
    write(
        &out_dir.path().join("out.yaml"),
        &passthrough
            .iter()
            .map(|d| format!("---\n{d}"))
            .collect::<String>(),
    );
    let expected = kustomize_files(&app, &["plain.yaml"]);
    assert_eq!(kustomize_files(out_dir.path(), &["out.yaml"]), expected);
    assert!(expected.contains("defaultMode: 420"), "{expected}");
    assert!(expected.contains("enabled: \"yes\""), "{expected}");
    assert!(expected.contains("- 15"), "{expected}");
}

/// 8,000 PlatformConfigs once gave gigabytes of output (every message listed every name):
/// now one error, and output stays linear in the input.
#[test]
fn many_platform_configs_give_one_short_error() {
    let mut items = String::new();
    for i in 0..8000 {
        items.push_str(&format!(
            "- {{apiVersion: platform.hypyr.space/v1alpha1, kind: PlatformConfig, metadata: {{name: platform-number-{i}}}, spec: {{dns: {{internalDomain: in.example.org}}}}}}\n"
        ));
    }
    let input = format!("apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems:\n{items}");
    let dir = tempfile::tempdir().unwrap();
    let out = appspec(dir.path())
        .write_stdin(input.clone())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stderr = text(&out.stderr);
    assert_eq!(
        stderr.lines().count(),
        1,
        "{}",
        &stderr[..stderr.len().min(2000)]
    );
    assert!(
        stderr.contains("8000 PlatformConfigs configure this run"),
        "{stderr}"
    );
    assert!(
        out.stdout.len() + out.stderr.len() < 3 * input.len(),
        "output {} bytes for {} bytes of input",
        out.stdout.len() + out.stderr.len(),
        input.len()
    );
}

/// Kustomize's output is read through the same bound as files.
#[test]
fn kustomize_output_is_bounded() {
    if !kubectl() {
        eprintln!("skipped: kubectl is not installed");
        return;
    }
    let (_repo, app) = repo();
    write(&app.join("kustomization.yaml"), "resources: [app.yaml]\n");
    let out = appspec(&app)
        .args(["--max-input-bytes", "100", "render", "."])
        .output()
        .unwrap();
    assert_refused(
        "a tiny limit",
        &out,
        "its output is above the input limit of 100 bytes",
    );
}

/// The risk report goes into a Markdown code fence in the CI comment: no input may close it.
#[test]
fn the_risk_text_cannot_close_the_comment_fence() {
    let (_repo, app) = repo();
    write(
        &app.join("app.yaml"),
        "apiVersion: platform.hypyr.space/v1alpha1\nkind: AppSpec\nmetadata:\n  name: web\n  namespace: \"```\"\nspec:\n  image: ghcr.io/acme/web:1.0.0\n",
    );
    let out = appspec(&app)
        .args(["risk", "/nonexistent-base", ".", "--format", "text"])
        .output()
        .unwrap();
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(!stdout.contains('`'), "{stdout}");
}

/// A `git` first on PATH that records each run in `marker` and fails, so no clone (and no
/// network) ever happens; the directory to put first on PATH.
fn git_shim(marker: &Path) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let git = dir.path().join("git");
    write(
        &git,
        &format!(
            "#!/bin/sh\necho \"git $*\" >> '{}'\necho 'fatal: the test git shim clones nothing' >&2\nexit 128\n",
            marker.display()
        ),
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&git, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    dir
}

/// PATH with `first` in front.
fn path_with(first: &Path) -> std::ffi::OsString {
    let mut paths = vec![first.to_path_buf()];
    paths.extend(std::env::split_paths(
        &std::env::var_os("PATH").unwrap_or_default(),
    ));
    std::env::join_paths(paths).unwrap()
}

/// The refusal of a remote entry, as render words it.
fn remote_refusal(file: &str, field: &str, noun: &str, entry: &str, verb: &str) -> String {
    format!(
        "appspec: {file}: {field} names the remote {noun} {entry:?}: kustomize would {verb}, and repository content must not fetch remote content or run programs; vendor it into the repository and list its local path, or allow remote content with --enable-remote (APPSPEC_ENABLE_REMOTE=true)\n"
    )
}

const CLONE: (&str, &str) = ("repository", "run git to clone it");
const DOWNLOAD: (&str, &str) = ("file", "download it");
const URL: (&str, &str) = ("URL", "download it, then run git to clone it");

/// Every remote form kustomize fetches, in every field it fetches through, is refused
/// before kustomize runs: one exact message, nothing on stdout, exit 2 (as for helm),
/// and git never runs.
#[test]
fn remote_content_is_refused_before_kustomize_runs() {
    let marker_dir = tempfile::tempdir().unwrap();
    let marker = marker_dir.path().join("git-ran");
    let shim = git_shim(&marker);
    let https = "https://example.com/install.yaml";
    let cases: Vec<(String, &str, &str, (&str, &str))> = vec![
        (
            "resources: [app.yaml, 'github.com/org/repo//deploy?ref=v1']".into(),
            "resources",
            "github.com/org/repo//deploy?ref=v1",
            CLONE,
        ),
        (
            "resources: [app.yaml, 'git@github.com:org/repo.git']".into(),
            "resources",
            "git@github.com:org/repo.git",
            CLONE,
        ),
        (
            "resources: [app.yaml, 'https://github.com/org/repo/deploy?ref=v1']".into(),
            "resources",
            "https://github.com/org/repo/deploy?ref=v1",
            URL,
        ),
        (
            "resources: [app.yaml, 'https://raw.githubusercontent.com/org/repo/v1/deploy/install.yaml']"
                .into(),
            "resources",
            "https://raw.githubusercontent.com/org/repo/v1/deploy/install.yaml",
            URL,
        ),
        (format!("resources: [app.yaml, '{https}']"), "resources", https, DOWNLOAD),
        (
            "resources: [app.yaml, 'ssh://git@git.example.com/org/repo//deploy']".into(),
            "resources",
            "ssh://git@git.example.com/org/repo//deploy",
            CLONE,
        ),
        (
            "resources: [app.yaml, 'git::https://git.example.com/org/repo//deploy?ref=v1']".into(),
            "resources",
            "git::https://git.example.com/org/repo//deploy?ref=v1",
            CLONE,
        ),
        (
            "resources: [app.yaml, 'file:///srv/git/repo']".into(),
            "resources",
            "file:///srv/git/repo",
            CLONE,
        ),
        (
            "resources: [app.yaml]\ncomponents: ['github.com/org/repo//components/tls?ref=v1']".into(),
            "components",
            "github.com/org/repo//components/tls?ref=v1",
            CLONE,
        ),
        (
            "resources: [app.yaml]\nbases: [github.com/org/repo]".into(),
            "bases",
            "github.com/org/repo",
            CLONE,
        ),
        // kustomize reads field names as Go's encoding/json does: in any case.
        (
            "Resources: [app.yaml, 'deploy@git.example.com:org/repo']".into(),
            "Resources",
            "deploy@git.example.com:org/repo",
            CLONE,
        ),
        (
            format!("resources: [app.yaml]\ngenerators: ['{https}']"),
            "generators",
            https,
            DOWNLOAD,
        ),
        (
            "resources: [app.yaml]\ntransformers: [github.com/org/repo]".into(),
            "transformers",
            "github.com/org/repo",
            CLONE,
        ),
        (
            "resources: [app.yaml]\nvalidators: [github.com/org/repo]".into(),
            "validators",
            "github.com/org/repo",
            CLONE,
        ),
        (format!("resources: [app.yaml]\ncrds: ['{https}']"), "crds", https, DOWNLOAD),
        (
            format!("resources: [app.yaml]\nconfigurations: ['{https}']"),
            "configurations",
            https,
            DOWNLOAD,
        ),
        (
            format!("resources: [app.yaml]\nopenapi: {{path: '{https}'}}"),
            "openapi.path",
            https,
            DOWNLOAD,
        ),
        (
            format!(
                "resources: [app.yaml]\npatches:\n- path: patch.yaml\n- path: '{https}'\n  target: {{kind: Deployment}}"
            ),
            "patches[1].path",
            https,
            DOWNLOAD,
        ),
        (
            format!("resources: [app.yaml]\npatchesStrategicMerge: ['{https}']"),
            "patchesStrategicMerge",
            https,
            DOWNLOAD,
        ),
        (
            format!("resources: [app.yaml]\npatchesJson6902:\n- path: '{https}'\n  target: {{kind: Deployment, name: web}}"),
            "patchesJson6902[0].path",
            https,
            DOWNLOAD,
        ),
        (
            format!("resources: [app.yaml]\nreplacements: [{{path: '{https}'}}]"),
            "replacements[0].path",
            https,
            DOWNLOAD,
        ),
        (
            format!(
                "resources: [app.yaml]\nconfigMapGenerator:\n- name: conf\n  files: ['app.conf={https}']"
            ),
            "configMapGenerator[0].files",
            "app.conf=https://example.com/install.yaml",
            DOWNLOAD,
        ),
        (
            format!("resources: [app.yaml]\nsecretGenerator:\n- name: env\n  envs: ['{https}']"),
            "secretGenerator[0].envs",
            https,
            DOWNLOAD,
        ),
        // A builtin plugin written inline in `transformers`.
        (
            format!(
                "resources: [app.yaml]\ntransformers:\n- |\n  apiVersion: builtin\n  kind: PatchTransformer\n  metadata: {{name: fix}}\n  path: {https}\n"
            ),
            "path of PatchTransformer/fix in transformers[0]",
            https,
            DOWNLOAD,
        ),
    ];
    for (kustomization, field, entry, (noun, verb)) in cases {
        let (_repo, app) = repo();
        write(&app.join("patch.yaml"), "kind: Deployment\n");
        write(
            &app.join("kustomization.yaml"),
            &format!("{kustomization}\n"),
        );
        let out = appspec(&app)
            .args(["render", "."])
            .env("PATH", path_with(shim.path()))
            .output()
            .unwrap();
        assert_eq!(
            text(&out.stderr),
            remote_refusal("./kustomization.yaml", field, noun, entry, verb),
            "{kustomization}"
        );
        assert_eq!(out.status.code(), Some(2), "{kustomization}");
        assert!(out.stdout.is_empty(), "{kustomization}");
        assert!(!marker.exists(), "{kustomization}: git ran");
    }
}

/// A base the overlay builds on, a transformer configuration file and a kustomization
/// listed in `transformers` are checked the same way; a local directory whose name
/// kustomize reads as a repository is refused with the way out.
#[test]
fn remote_content_is_refused_wherever_the_build_reaches_it() {
    let marker_dir = tempfile::tempdir().unwrap();
    let marker = marker_dir.path().join("git-ran");
    let shim = git_shim(&marker);
    let run = |app: &Path| {
        let out = appspec(app)
            .args(["render", "."])
            .env("PATH", path_with(shim.path()))
            .output()
            .unwrap();
        assert!(out.stdout.is_empty());
        assert_eq!(out.status.code(), Some(2));
        text(&out.stderr)
    };
    // A local base that lists a remote resource.
    let (_repo, app) = repo();
    let base = app.parent().unwrap().join("base");
    write(
        &base.join("kustomization.yaml"),
        "resources:\n- app.yaml\n- https://github.com/org/repo/deploy?ref=v1\n",
    );
    std::fs::rename(app.join("app.yaml"), base.join("app.yaml")).unwrap();
    write(&app.join("kustomization.yaml"), "resources: [../base]\n");
    assert_eq!(
        run(&app),
        remote_refusal(
            "./../base/kustomization.yaml",
            "resources",
            URL.0,
            "https://github.com/org/repo/deploy?ref=v1",
            URL.1
        )
    );
    // A transformer configuration file of the overlay.
    let (_repo, app) = repo();
    write(
        &app.join("kustomization.yaml"),
        "resources: [app.yaml]\ntransformers: [fix.yaml]\n",
    );
    write(
        &app.join("fix.yaml"),
        "apiVersion: builtin\nkind: ReplacementTransformer\nmetadata: {name: fix}\nreplacements:\n- path: https://example.com/replacements.yaml\n",
    );
    assert_eq!(
        run(&app),
        remote_refusal(
            "./fix.yaml",
            "replacements[0].path of ReplacementTransformer/fix",
            DOWNLOAD.0,
            "https://example.com/replacements.yaml",
            DOWNLOAD.1
        )
    );
    // A kustomization listed in `transformers`, whose resources are the configurations.
    let (_repo, app) = repo();
    write(
        &app.join("kustomization.yaml"),
        "resources: [app.yaml]\ntransformers: [../fixes]\n",
    );
    let fixes = app.parent().unwrap().join("fixes");
    write(
        &fixes.join("kustomization.yaml"),
        "resources: [patch.yaml]\n",
    );
    write(
        &fixes.join("patch.yaml"),
        "apiVersion: builtin\nkind: PatchTransformer\nmetadata: {name: fix}\npath: https://example.com/patch.yaml\n",
    );
    assert_eq!(
        run(&app),
        remote_refusal(
            "./../fixes/patch.yaml",
            "path of PatchTransformer/fix",
            DOWNLOAD.0,
            "https://example.com/patch.yaml",
            DOWNLOAD.1
        )
    );
    // kustomize clones `github.com/org/repo` even when that directory exists here.
    let (_repo, app) = repo();
    write(
        &app.join("github.com/org/repo/kustomization.yaml"),
        "resources: [cm.yaml]\n",
    );
    write(
        &app.join("kustomization.yaml"),
        "resources: [app.yaml, github.com/org/repo]\n",
    );
    assert_eq!(
        run(&app),
        "appspec: ./kustomization.yaml: resources names the remote repository \"github.com/org/repo\": kustomize would run git to clone it, and repository content must not fetch remote content or run programs; kustomize reads this entry as a repository even though a local \"github.com/org/repo\" exists: write \"./github.com/org/repo\" for the local one, or allow remote content with --enable-remote (APPSPEC_ENABLE_REMOTE=true)\n"
    );
    // A kustomization this check cannot read as kustomize would (a key twice: kustomize
    // keeps the last) is refused rather than guessed at.
    write(
        &app.join("kustomization.yaml"),
        "resources: [app.yaml]\nresources: [github.com/org/repo]\n",
    );
    let stderr = run(&app);
    assert!(
        stderr.starts_with("appspec: ./kustomization.yaml cannot be checked for helm charts and remote content before kustomize runs: not valid YAML (duplicate mapping key: resources"),
        "{stderr}"
    );
    assert!(!marker.exists(), "git ran");
    // risk builds sides the same way; discover runs no kustomize and still finds the app.
    let out = appspec(&app).args(["risk", ".", "."]).output().unwrap();
    assert_refused(
        "risk",
        &out,
        "cannot be checked for helm charts and remote content",
    );
    write(
        &app.join("kustomization.yaml"),
        "resources: [app.yaml, 'github.com/org/repo//deploy?ref=v1']\n",
    );
    let out = appspec(&app).args(["discover", "."]).output().unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout), "./app.yaml\n");
}

/// Local paths that only look like remote ones build as before, without git.
#[test]
fn local_paths_that_look_remote_still_build() {
    if !kubectl() {
        eprintln!("skipped: kubectl is not installed");
        return;
    }
    let marker_dir = tempfile::tempdir().unwrap();
    let marker = marker_dir.path().join("git-ran");
    let shim = git_shim(&marker);
    let (_repo, app) = repo();
    let cm = |name: &str| {
        format!(
            "apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: {name}, namespace: shop}}\ndata: {{a: b}}\n"
        )
    };
    // `./github.com/org/repo`: a directory named like a repository, written as a path.
    write(
        &app.join("github.com/org/repo/kustomization.yaml"),
        "resources: [cm.yaml]\n",
    );
    write(&app.join("github.com/org/repo/cm.yaml"), &cm("vendored"));
    // `github.com` and `github.com/org`: not repository specs for kustomize.
    write(
        &app.join("github.com/kustomization.yaml"),
        "resources: [cm.yaml]\n",
    );
    write(&app.join("github.com/cm.yaml"), &cm("bare"));
    write(
        &app.join("github.com/org/kustomization.yaml"),
        "resources: [cm.yaml]\n",
    );
    write(&app.join("github.com/org/cm.yaml"), &cm("org"));
    // `../base` inside the repository.
    let base = app.parent().unwrap().join("base");
    write(&base.join("kustomization.yaml"), "resources: [cm.yaml]\n");
    write(&base.join("cm.yaml"), &cm("base"));
    // A patch file under `github.com/`: a file field only fetches HTTP(S).
    write(
        &app.join("github.com/org/repo/patch.yaml"),
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: base, namespace: shop}\ndata: {patched: 'yes'}\n",
    );
    write(
        &app.join("kustomization.yaml"),
        "resources: [app.yaml, ./github.com/org/repo, github.com, github.com/org, ../base]\npatches: [{path: github.com/org/repo/patch.yaml}]\n",
    );
    let out = appspec(&app)
        .args(["render", "."])
        .env("PATH", path_with(shim.path()))
        .output()
        .unwrap();
    let stdout = text(&out.stdout);
    assert!(out.status.success(), "{}", text(&out.stderr));
    for name in ["vendored", "bare", "org", "base"] {
        assert!(
            stdout.contains(&format!("name: {name}\n")),
            "{name}: {stdout}"
        );
    }
    assert!(stdout.contains("patched: \"yes\""), "{stdout}");
    assert!(stdout.contains("kind: Deployment"), "{stdout}");
    assert!(!marker.exists(), "git ran");
}

/// With the opt-in (render's and risk's), kustomize gets the remote base as before: it runs
/// git (here a shim that clones nothing, so nothing leaves the machine) and its own error
/// is reported.
#[test]
fn enable_remote_hands_remote_bases_to_kustomize() {
    if !kubectl() {
        eprintln!("skipped: kubectl is not installed");
        return;
    }
    let marker_dir = tempfile::tempdir().unwrap();
    let marker = marker_dir.path().join("git-ran");
    let shim = git_shim(&marker);
    let (_repo, app) = repo();
    write(
        &app.join("kustomization.yaml"),
        "resources: [app.yaml, 'github.com/org/repo//deploy?ref=v1']\n",
    );
    // `risk` builds its sides the way render does, with the same opt-in.
    for (command, flag, env) in [
        (&["render"][..], Some("--enable-remote"), None),
        (&["render"], None, Some("true")),
        (&["risk", "."], Some("--enable-remote"), None),
        (&["risk", "."], None, Some("true")),
    ] {
        let _ = std::fs::remove_file(&marker);
        let mut cmd = appspec(&app);
        cmd.args(command)
            .args(flag)
            .arg(".")
            .env("PATH", path_with(shim.path()));
        if let Some(v) = env {
            cmd.env("APPSPEC_ENABLE_REMOTE", v);
        }
        let out = cmd.output().unwrap();
        let stderr = text(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{stderr}");
        assert!(out.stdout.is_empty());
        assert!(!stderr.contains("names the remote"), "{stderr}");
        assert!(stderr.contains("cannot run kustomize for ."), "{stderr}");
        assert!(
            stderr.contains("the test git shim clones nothing"),
            "{stderr}"
        );
        let ran = std::fs::read_to_string(&marker).expect("kustomize ran git");
        assert!(ran.starts_with("git init"), "{ran}");
    }
}

/// Without the opt-in kustomize runs with a `git` that refuses and with HTTP routed to a
/// closed loopback port: a second line behind the check, seen by a stand-in kustomize.
#[cfg(unix)]
#[test]
fn without_enable_remote_kustomize_has_no_git_and_no_route() {
    let marker_dir = tempfile::tempdir().unwrap();
    let marker = marker_dir.path().join("git-ran");
    let shim = git_shim(&marker);
    let (_repo, app) = repo();
    write(&app.join("kustomization.yaml"), "resources: [app.yaml]\n");
    let fake = marker_dir.path().join("kustomize");
    write(
        &fake,
        "#!/bin/sh\ngit init\necho \"HTTPS_PROXY=$HTTPS_PROXY http_proxy=$http_proxy NO_PROXY=${NO_PROXY-unset}\" >&2\nexit 1\n",
    );
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&fake, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    let run = |extra: &[&str]| {
        let out = appspec(&app)
            .arg("render")
            .args(extra)
            .arg(".")
            .env("PATH", path_with(shim.path()))
            .env("APPSPEC_KUSTOMIZE", &fake)
            .env("NO_PROXY", "localhost")
            .env("HTTPS_PROXY", "http://proxy.example.com:3128")
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2));
        text(&out.stderr)
    };
    let stderr = run(&[]);
    assert!(
        stderr.contains("appspec: kustomize tried to run git for a remote base, and repository content must not fetch remote content or run programs; vendor the base into the repository, or allow remote content with --enable-remote (APPSPEC_ENABLE_REMOTE=true)"),
        "{stderr}"
    );
    assert!(
        stderr.contains(
            "HTTPS_PROXY=http://127.0.0.1:0 http_proxy=http://127.0.0.1:0 NO_PROXY=unset"
        ),
        "{stderr}"
    );
    assert!(!marker.exists(), "the real git ran");
    // --enable-helm keeps the network (helm fetches charts) but not git.
    let stderr = run(&["--enable-helm"]);
    assert!(stderr.contains("kustomize tried to run git"), "{stderr}");
    assert!(
        stderr.contains("HTTPS_PROXY=http://proxy.example.com:3128 http_proxy= NO_PROXY=localhost"),
        "{stderr}"
    );
    assert!(!marker.exists(), "the real git ran");
    // The opt-in leaves kustomize's environment as it is.
    let stderr = run(&["--enable-remote"]);
    assert!(!stderr.contains("kustomize tried to run git"), "{stderr}");
    assert!(
        stderr.contains("HTTPS_PROXY=http://proxy.example.com:3128 http_proxy= NO_PROXY=localhost"),
        "{stderr}"
    );
    assert!(marker.exists(), "git was not handed to kustomize");
}

/// A local HTTP server on 127.0.0.1 that answers every request with a ConfigMap and counts
/// the connections it accepted: the address, and the counter.
fn loopback_server() -> (String, std::sync::Arc<std::sync::atomic::AtomicUsize>) {
    use std::io::{Read, Write};
    use std::sync::atomic::{AtomicUsize, Ordering};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    let hits = std::sync::Arc::new(AtomicUsize::new(0));
    let counter = hits.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            counter.fetch_add(1, Ordering::SeqCst);
            let mut buf = [0u8; 4096];
            let _ = stream.read(&mut buf);
            let body = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: fetched-from-loopback}\ndata: {secret: leaked}\n";
            let _ = write!(
                stream,
                "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
        }
    });
    (addr, hits)
}

/// kustomize treats `apiVersion: /builtin` as builtin (group "", version "builtin"), and
/// what a plugin-configuration directory hands to kustomize is what kustomize builds there
/// (after its patches), not its files: neither fetches from the loopback.
#[test]
fn builtin_spellings_and_patched_plugin_configs_never_fetch() {
    use std::sync::atomic::Ordering;
    let (addr, hits) = loopback_server();
    let url = format!("http://{addr}/x");
    let run = |app: &Path| {
        let out = appspec(app).args(["render", "."]).output().unwrap();
        assert!(out.stdout.is_empty(), "{}", text(&out.stdout));
        assert!(!text(&out.stdout).contains("leaked"));
        assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
        text(&out.stderr)
    };
    // A generator file of apiVersion `/builtin`.
    for api in ["/builtin", "builtin"] {
        let (_repo, app) = repo();
        write(
            &app.join("kustomization.yaml"),
            "resources: [app.yaml]\ngenerators: [gen.yaml]\n",
        );
        write(
            &app.join("gen.yaml"),
            &format!(
                "apiVersion: {api}\nkind: ConfigMapGenerator\nmetadata: {{name: conf}}\nfiles: ['{url}']\n"
            ),
        );
        assert_eq!(
            run(&app),
            remote_refusal(
                "./gen.yaml",
                "files of ConfigMapGenerator/conf",
                DOWNLOAD.0,
                &url,
                DOWNLOAD.1
            ),
            "{api}"
        );
    }
    // A generator directory whose kustomization patches a local entry into the URL.
    let (_repo, app) = repo();
    write(
        &app.join("kustomization.yaml"),
        "resources: [app.yaml]\ngenerators: [gen]\n",
    );
    write(
        &app.join("gen/kustomization.yaml"),
        &format!(
            "resources: [cm.yaml]\npatches:\n- target: {{kind: ConfigMapGenerator}}\n  patch: |\n    - op: replace\n      path: /files/0\n      value: {url}\n"
        ),
    );
    write(
        &app.join("gen/cm.yaml"),
        "apiVersion: builtin\nkind: ConfigMapGenerator\nmetadata: {name: conf}\nfiles: [local.txt]\n",
    );
    write(&app.join("gen/local.txt"), "local\n");
    let stderr = run(&app);
    assert_eq!(
        stderr,
        "appspec: ./gen/kustomization.yaml: patches changes the plugin configurations that generators of ./kustomization.yaml hands to kustomize, and render cannot judge what they fetch after that; write the configurations out as files there (a plugin configuration directory may only list resources and set names, namespace, labels and annotations), or allow remote content with --enable-remote (APPSPEC_ENABLE_REMOTE=true)\n"
    );
    // The same through a transformers directory reached from a base.
    write(&app.join("kustomization.yaml"), "resources: [base]\n");
    write(
        &app.join("base/kustomization.yaml"),
        "resources: [../app.yaml]\ntransformers: [../gen]\n",
    );
    let stderr = run(&app);
    assert!(stderr.contains("./base/../gen/kustomization.yaml: patches changes the plugin configurations that transformers of ./base/kustomization.yaml hands"), "{stderr}");
    assert_eq!(
        hits.load(Ordering::SeqCst),
        0,
        "render fetched from the loopback"
    );
}

/// The second line: without `--enable-remote`, the kustomize that render runs cannot open a
/// TCP connection at all, loopback included (Go never sends a loopback address through a
/// proxy). A stand-in kustomize tries to reach a local server.
#[cfg(target_os = "linux")]
#[test]
fn without_enable_remote_kustomize_cannot_reach_the_loopback() {
    use std::sync::atomic::Ordering;
    let (addr, hits) = loopback_server();
    let (host, port) = addr.split_once(':').unwrap();
    let (_repo, app) = repo();
    write(&app.join("kustomization.yaml"), "resources: [app.yaml]\n");
    let dir = tempfile::tempdir().unwrap();
    let fake = dir.path().join("kustomize");
    write(
        &fake,
        &format!(
            "#!/usr/bin/env bash\nif exec 3<>/dev/tcp/{host}/{port}; then echo 'connected' >&2; else echo 'no connection' >&2; fi\nexit 1\n"
        ),
    );
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&fake, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    let run = |extra: &[&str]| {
        let out = appspec(&app)
            .arg("render")
            .args(extra)
            .arg(".")
            .env("APPSPEC_KUSTOMIZE", &fake)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2));
        text(&out.stderr)
    };
    let stderr = run(&[]);
    assert!(stderr.contains("no connection"), "{stderr}");
    assert_eq!(
        hits.load(Ordering::SeqCst),
        0,
        "kustomize reached the loopback"
    );
    // The opt-in gives kustomize its network back.
    let stderr = run(&["--enable-remote"]);
    assert!(stderr.contains("connected"), "{stderr}");
    // The server thread counts the connection after accepting it, which can be after the
    // stand-in has exited: wait for the count rather than racing it.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while hits.load(Ordering::SeqCst) == 0 && std::time::Instant::now() < deadline {
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    assert_eq!(hits.load(Ordering::SeqCst), 1);
}

/// A PlatformConfig as a KRM function configuration (`transformers:`), with `spec`.
fn function_platform(name: &str, spec: &str) -> String {
    format!(
        "apiVersion: platform.hypyr.space/v1alpha1\nkind: PlatformConfig\nmetadata:\n  name: {name}\n  annotations:\n    config.kubernetes.io/function: |\n      container:\n        image: ghcr.io/hypyr/appspec:0.1.0\nspec: {spec}\n"
    )
}

/// SPEC section 3: the operator's platform (`--platform`, `APPSPEC_PLATFORM`, the Argo CD
/// parameter) is the site's policy; a repository functionConfig that differs is an error
/// naming both, one that repeats it or defers (`spec: {}`) builds with it, and a generator
/// (an AppSpec as its own functionConfig) builds with it too.
#[test]
fn the_operators_platform_wins_over_the_repository() {
    if !kubectl() {
        eprintln!("skipped: kubectl is not installed");
        return;
    }
    let strict_spec = "{dns: {internalDomain: strict.example.org}, namespaces: {reserved: [shop]}}";
    let (repo, app) = repo();
    write(
        &repo.path().join("site/strict.yaml"),
        &format!(
            "apiVersion: platform.hypyr.space/v1alpha1\nkind: PlatformConfig\nmetadata: {{name: strict}}\nspec: {strict_spec}\n"
        ),
    );
    write(
        &app.join("app.yaml"),
        &APP.replace("namespace: shop", "namespace: team"),
    );
    write(
        &app.join("kustomization.yaml"),
        "resources: [app.yaml]\ntransformers: [loose.yaml]\n",
    );
    let render = |var: &str, value: &str| {
        appspec(&app)
            .args(["render", "."])
            .env(var, value)
            .output()
            .unwrap()
    };
    let operator = [
        (
            "APPSPEC_PLATFORM",
            repo.path().join("site/strict.yaml").display().to_string(),
        ),
        ("PARAM_PLATFORM", "../../site/strict.yaml".to_string()),
        (
            "ARGOCD_ENV_APPSPEC_PLATFORM",
            "../../site/strict.yaml".to_string(),
        ),
    ];
    // A looser PlatformConfig under transformers: refused, naming both.
    write(
        &app.join("loose.yaml"),
        &function_platform(
            "loose",
            "{dns: {internalDomain: loose.example.org}, namespaces: {reserved: []}}",
        ),
    );
    for (var, value) in &operator {
        let out = render(var, value);
        assert_refused(var, &out, "PlatformConfig/loose");
        let stderr = text(&out.stderr);
        assert!(stderr.contains("strict.yaml"), "{var}: {stderr}");
        assert!(stderr.contains("operator's platform"), "{var}: {stderr}");
    }
    // Without an operator's platform the repository's is the platform, as before.
    let out = appspec(&app).args(["render", "."]).output().unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("web.loose.example.org"));
    // One that repeats the policy, or defers to it, builds with it.
    for spec in [strict_spec, "{}"] {
        write(&app.join("loose.yaml"), &function_platform("same", spec));
        for (var, value) in &operator {
            let out = render(var, value);
            assert!(out.status.success(), "{var} {spec}: {}", text(&out.stderr));
            assert!(
                text(&out.stdout).contains("web.strict.example.org"),
                "{var} {spec}: {}",
                text(&out.stdout)
            );
        }
    }
    // The policy is applied, not only compared: its reserved namespace is refused.
    write(&app.join("app.yaml"), APP);
    let out = render("APPSPEC_PLATFORM", &operator[0].1);
    assert_refused("reserved", &out, "reserved");
    // A generator: the AppSpec is its own functionConfig; the operator's platform applies.
    write(
        &app.join("app.yaml"),
        &APP.replace("namespace: shop", "namespace: team").replace(
            "metadata:\n",
            "metadata:\n  annotations:\n    config.kubernetes.io/function: |\n      container:\n        image: ghcr.io/hypyr/appspec:0.1.0\n",
        ),
    );
    write(&app.join("kustomization.yaml"), "generators: [app.yaml]\n");
    for (var, value) in &operator {
        let out = render(var, value);
        assert!(out.status.success(), "{var}: {}", text(&out.stderr));
        assert!(
            text(&out.stdout).contains("web.strict.example.org"),
            "{var}: {}",
            text(&out.stdout)
        );
    }
}

/// The Argo CD parameter that leads outside the repository is named as the platform file.
#[test]
fn a_platform_parameter_outside_the_repository_is_named() {
    let (_repo, app) = repo();
    for var in ["PARAM_PLATFORM", "ARGOCD_ENV_APPSPEC_PLATFORM"] {
        let out = appspec(&app)
            .args(["render", "."])
            .env(var, "../../../../etc/passwd")
            .output()
            .unwrap();
        assert_refused(
            var,
            &out,
            "the platform file ../../../../etc/passwd (the Argo CD platform parameter) leads outside the repository",
        );
    }
}

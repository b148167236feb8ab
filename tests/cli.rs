//! The command line itself: help on a terminal, exit codes stated in `--help`, `schema`
//! kinds, and `--platform FILE` on `risk` as on `validate` and `render`.

use std::path::Path;

use assert_cmd::Command;
use serde_json::Value;

fn appspec() -> Command {
    let mut cmd = Command::cargo_bin("appspec").unwrap();
    cmd.env_remove("APPSPEC_MAX_INPUT_BYTES")
        .env_remove("APPSPEC_PLATFORM");
    cmd
}

#[test]
fn bare_appspec_on_a_terminal_prints_the_help_instead_of_waiting() {
    // `script` gives the binary a terminal on stdin (util-linux).
    let bin = assert_cmd::cargo::cargo_bin("appspec");
    let out = std::process::Command::new("script")
        .args(["-qec", &format!("{} </dev/tty", bin.display()), "/dev/null"])
        .stdin(std::process::Stdio::null())
        .output()
        .expect("`script` (util-linux) is needed to give the binary a terminal");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("Usage: appspec"), "{text}");
    assert_eq!(out.status.code(), Some(2), "{text}");
    // Not a terminal: the KRM function reads stdin, as kustomize needs.
    let out = appspec().write_stdin("").output().unwrap();
    assert!(String::from_utf8_lossy(&out.stdout).contains("kind: ResourceList"));
}

#[test]
fn render_help_states_the_exit_codes() {
    let out = appspec().args(["render", "--help"]).output().unwrap();
    let help = String::from_utf8_lossy(&out.stdout)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    assert!(
        help.contains("Exit 0 when every spec expands, 1 when a spec is invalid (also one the function refuses inside kustomize), 2 when a file cannot be read or kustomize fails on its own"),
        "{help}"
    );
}

#[test]
fn schema_kinds_are_named() {
    let run = |args: &[&str]| {
        let out = appspec().args(args).output().unwrap();
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stdout).to_string(),
        )
    };
    let (code, default) = run(&["schema"]);
    assert_eq!(code, Some(0));
    assert_eq!(run(&["schema", "appspec"]), (Some(0), default.clone()));
    let (code, platform) = run(&["schema", "platform"]);
    assert_eq!(code, Some(0));
    let title = |s: &str| serde_json::from_str::<Value>(s).unwrap()["title"].clone();
    assert_eq!(title(&default), "AppSpec");
    assert_eq!(title(&platform), "PlatformConfig");
    // `--platform` takes a FILE everywhere; `schema` has no such flag any more.
    assert_eq!(run(&["schema", "--platform"]).0, Some(2));
}

fn write(dir: &Path, file: &str, text: &str) {
    std::fs::create_dir_all(dir.join(file).parent().unwrap()).unwrap();
    std::fs::write(dir.join(file), text).unwrap();
}

#[test]
fn risk_judges_both_sides_against_a_platform_file() {
    let tmp = tempfile::tempdir().unwrap();
    let app = "apiVersion: platform.hypyr.space/v1alpha1\nkind: AppSpec\nmetadata: {name: web, namespace: shop}\nspec:\n  image: ghcr.io/acme/web:1.0.0\n  ingress: {host: web.corp.example}\n";
    write(tmp.path(), "base/app.yaml", app);
    write(tmp.path(), "head/app.yaml", &app.replace("1.0.0", "1.1.0"));
    write(
        tmp.path(),
        "site/platform.yaml",
        "apiVersion: platform.hypyr.space/v1alpha1\nkind: PlatformConfig\nmetadata: {name: site}\nspec:\n  dns: {internalDomain: corp.example, externalDomain: example.com}\n",
    );
    let risk = |extra: &[&str]| {
        let out = appspec()
            .current_dir(tmp.path())
            .args(["risk", "base", "head"])
            .args(extra)
            .output()
            .unwrap();
        let report: Value = serde_json::from_slice(&out.stdout).unwrap_or(Value::Null);
        (
            out.status.code(),
            report["level"].clone(),
            String::from_utf8_lossy(&out.stderr).to_string(),
        )
    };
    // The default domains refuse the host: a side that does not validate is high.
    let (code, level, _) = risk(&[]);
    assert_eq!((code, level.as_str()), (Some(1), Some("high")));
    // Under the site's domains the change is an image tag: low.
    let (code, level, _) = risk(&["--platform", "site/platform.yaml"]);
    assert_eq!((code, level.as_str()), (Some(0), Some("low")));
    // A new repository (no base): judged against the same platform, nothing changed in it.
    let out = appspec()
        .current_dir(tmp.path())
        .args(["risk", "none", "head", "--platform", "site/platform.yaml"])
        .output()
        .unwrap();
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["level"], "low", "{report}");
    assert_eq!(out.status.code(), Some(0));
    let (code, _, stderr) = risk(&["--platform", "base/app.yaml"]);
    assert_eq!(code, Some(2));
    assert!(
        stderr.contains("the --platform file must be a PlatformConfig"),
        "{stderr}"
    );
}

/// `--max-input-bytes` belongs to the commands that read input: given after `render` (or
/// before it, or as APPSPEC_MAX_INPUT_BYTES) it limits the input; `schema` and `init`, which
/// read nothing, neither list nor accept it.
#[test]
fn max_input_bytes_only_where_input_is_read() {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("app.yaml");
    std::fs::write(
        &file,
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n",
    )
    .unwrap();
    let limited = |args: &[&str], env: Option<&str>| {
        let mut cmd = appspec();
        cmd.args(args).arg(&file);
        if let Some(v) = env {
            cmd.env("APPSPEC_MAX_INPUT_BYTES", v);
        }
        let out = cmd.output().unwrap();
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stderr).to_string(),
        )
    };
    for (args, env) in [
        (&["render", "--max-input-bytes", "10"][..], None),
        (&["--max-input-bytes", "10", "render"][..], None),
        (&["render"][..], Some("10")),
        (&["validate", "--max-input-bytes", "10"][..], None),
    ] {
        let (code, stderr) = limited(args, env);
        assert_eq!(code, Some(2), "{args:?}: {stderr}");
        assert!(
            stderr.contains("above the input limit of 10 bytes"),
            "{args:?}: {stderr}"
        );
    }
    // The command's own flag wins over the top-level one and the environment.
    let (code, stderr) = limited(
        &[
            "--max-input-bytes",
            "10",
            "render",
            "--max-input-bytes",
            "100000",
        ],
        Some("10"),
    );
    assert_eq!(code, Some(0), "{stderr}");
    for command in ["schema", "init"] {
        let help = appspec().args([command, "--help"]).output().unwrap();
        let help = String::from_utf8_lossy(&help.stdout);
        assert!(
            !help.contains("max-input-bytes"),
            "{command} --help:\n{help}"
        );
        let out = appspec()
            .args([command, "--max-input-bytes", "10"])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{command}");
        assert!(
            String::from_utf8_lossy(&out.stderr)
                .contains("unexpected argument '--max-input-bytes'"),
            "{command}"
        );
    }
}

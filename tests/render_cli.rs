//! `appspec render` and `appspec discover` on plain directories.

mod common;

use std::path::Path;

fn write(path: &Path, text: &str) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

fn app(name: &str) -> String {
    format!(
        "apiVersion: platform.hypyr.space/v1alpha1\nkind: AppSpec\nmetadata:\n  name: {name}\nspec:\n  image: ghcr.io/x/{name}:1.0.0\n"
    )
}

#[test]
fn walks_recursively_in_a_stable_order_skipping_hidden_entries() {
    let dir = tempfile::tempdir().unwrap();
    write(&dir.path().join("b/app.yaml"), &app("bravo"));
    write(&dir.path().join("a.yml"), &app("alpha"));
    write(
        &dir.path().join("c.json"),
        r#"{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "charlie"}}"#,
    );
    write(&dir.path().join(".hidden/app.yaml"), &app("hidden"));
    write(&dir.path().join("notes.txt"), "not a manifest");
    let out = common::appspec()
        .arg("render")
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        common::kind_names(std::str::from_utf8(&out.stdout).unwrap()),
        [
            "Deployment/alpha",
            "Service/alpha",
            "Ingress/alpha",
            "Deployment/bravo",
            "Service/bravo",
            "Ingress/bravo",
            "ConfigMap/charlie"
        ]
    );
}

#[test]
fn errors_leave_stdout_empty() {
    let dir = tempfile::tempdir().unwrap();
    write(&dir.path().join("ok.yaml"), &app("fine"));
    write(&dir.path().join("bad.yaml"), &app("Bad_Name"));
    let out = common::appspec()
        .arg("render")
        .arg(dir.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("bad.yaml: AppSpec/Bad_Name: metadata.name: App name must be lowercase alphanumeric with hyphens"),
        "{stderr}"
    );
}

#[test]
fn discover_follows_a_kustomization_to_its_base() {
    // A repository checkout: the base lies outside the app directory but inside the
    // repository, so it is followed.
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join(".git")).unwrap();
    write(&dir.path().join("base/app.yaml"), &app("shop"));
    write(
        &dir.path().join("base/kustomization.yaml"),
        "resources: [app.yaml]\n",
    );
    write(
        &dir.path().join("prod/kustomization.yaml"),
        "resources: [../base]\npatches:\n- target: {kind: AppSpec, name: shop}\n  patch: |\n    - op: add\n      path: /spec/replicas\n      value: 3\n",
    );
    write(
        &dir.path().join("plain/cm.yaml"),
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n",
    );
    let discover = |sub: &str| {
        let out = common::appspec()
            .arg("discover")
            .current_dir(dir.path().join(sub))
            .output()
            .unwrap();
        assert!(out.status.success());
        String::from_utf8(out.stdout).unwrap()
    };
    assert_eq!(discover("prod"), "./../base/app.yaml\n");
    assert_eq!(discover("plain"), "");
}

/// A spec the function refuses inside kustomize comes back as render's own lines: one per
/// problem, the file named from where render runs, exit 1; no kustomize or klog text.
#[test]
fn errors_from_inside_kustomize_are_our_lines_with_exit_1() {
    if common::kubectl().is_none() {
        return;
    }
    let out = common::appspec()
        .current_dir(common::repo_root())
        .args(["render", "examples/invalid-nas-path"])
        .output()
        .unwrap();
    let stderr = common::text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(out.stdout.is_empty());
    let lines: Vec<&str> = stderr.lines().collect();
    assert_eq!(lines.len(), 2, "{stderr}");
    for line in &lines {
        assert!(
            line.starts_with("examples/invalid-nas-path/app.yaml: AppSpec/sneaky: spec."),
            "{line}"
        );
    }
    assert!(lines[0].contains("spec.storage.nas.subpath: Subpath must not contain"));
    // The domain is the built-in example platform's, and the message says so.
    assert!(
        lines[1].contains("that is the built-in example platform")
            && lines[1].contains("appspec init"),
        "{}",
        lines[1]
    );
    assert!(!stderr.contains("\\n") && !stderr.contains("run.go") && !stderr.contains("E1"));
}

/// After `appspec render . > out.yaml` the next render names out.yaml, and validate agrees.
#[test]
fn a_stray_rendered_file_is_named_by_render_and_validate() {
    let dir = tempfile::tempdir().unwrap();
    write(
        &dir.path().join("app.yaml"),
        "apiVersion: platform.hypyr.space/v1alpha1\nkind: AppSpec\nmetadata: {name: wiki, namespace: docs}\nspec:\n  image: ghcr.io/x/wiki:1.0.0\n  storage: {pattern: longhorn-persistent, size: 5}\n",
    );
    let first = common::appspec()
        .current_dir(dir.path())
        .args(["render", "."])
        .output()
        .unwrap();
    assert!(first.status.success());
    std::fs::write(dir.path().join("out.yaml"), &first.stdout).unwrap();
    for command in ["render", "validate"] {
        let out = common::appspec()
            .current_dir(dir.path())
            .args([command, "."])
            .output()
            .unwrap();
        let said = format!("{}{}", common::text(&out.stdout), common::text(&out.stderr));
        assert_eq!(out.status.code(), Some(1), "{command}: {said}");
        let lines: Vec<&str> = said.lines().collect();
        assert_eq!(lines.len(), 1, "{command}: one line per stray file: {said}");
        assert!(
            lines[0].contains("./out.yaml already holds as AppSpec output")
                && lines[0].contains("Deployment docs/wiki")
                && lines[0].contains("PersistentVolumeClaim docs/wiki-data"),
            "{command}: {said}"
        );
    }
    // A directory with a kustomization is kustomize's business: out.yaml is not listed.
    write(
        &dir.path().join("kustomization.yaml"),
        "resources: [app.yaml]\n",
    );
    let out = common::appspec()
        .current_dir(dir.path())
        .args(["validate", "."])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", common::text(&out.stdout));
}

/// The repository's own example directories: `render examples/flux` (its workflow and its
/// rendered output beside the apps) fails saying why and what to give instead; the apps'
/// directory renders.
#[test]
fn render_of_an_example_directory_says_why_it_fails() {
    if common::kubectl().is_none() {
        return;
    }
    let out = common::appspec()
        .current_dir(common::repo_root())
        .args(["render", "examples/flux"])
        .output()
        .unwrap();
    let stderr = common::text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("examples/flux/publish.yaml: document 1 is not a Kubernetes resource")
            && stderr.contains("give it the directory of the apps"),
        "{stderr}"
    );
    let out = common::appspec()
        .current_dir(common::repo_root())
        .args(["render", "examples/flux/apps"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", common::text(&out.stderr));
}

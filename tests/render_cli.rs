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

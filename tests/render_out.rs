//! `appspec render --out DIR`: the hydrated directory for Flux, its layout, its determinism,
//! and its guards (nothing written on an error, only its own files deleted, no symlinks
//! followed, no output inside the input).

mod common;

use std::collections::BTreeMap;
use std::path::Path;

fn write(path: &Path, text: &str) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

fn app(name: &str, namespace: &str) -> String {
    format!(
        "apiVersion: platform.hypyr.space/v1alpha1\nkind: AppSpec\nmetadata:\n  name: {name}\n  namespace: {namespace}\nspec:\n  image: ghcr.io/x/{name}:1.0.0\n"
    )
}

fn nas_app(name: &str, namespace: &str) -> String {
    format!(
        "{}  storage:\n    pattern: nas-mount\n    size: 10\n    nas: {{endpoint: \"nfs://nas.internal:2049\", subpath: /mnt/{namespace}/{name}}}\n",
        app(name, namespace)
    )
}

const NAMESPACE: &str = "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: media\n";
/// A pass-through document: written as its own text (comment and quoting kept), as on stdout.
const CONFIGMAP: &str = "# kept as written\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: extra\n  namespace: media\ndata:\n  a: 'b'\n  c: \"yes\"\n";

/// Every file under `dir` (relative path -> content), symlinks included as `-> target`.
fn tree(dir: &Path) -> BTreeMap<String, String> {
    fn walk(root: &Path, dir: &Path, out: &mut BTreeMap<String, String>) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for e in entries {
            let p = e.unwrap().path();
            let rel = p.strip_prefix(root).unwrap().display().to_string();
            let meta = std::fs::symlink_metadata(&p).unwrap();
            if meta.file_type().is_symlink() {
                out.insert(
                    rel,
                    format!("-> {}", std::fs::read_link(&p).unwrap().display()),
                );
            } else if meta.is_dir() {
                out.insert(format!("{rel}/"), String::new());
                walk(root, &p, out);
            } else {
                out.insert(rel, std::fs::read_to_string(&p).unwrap());
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(dir, dir, &mut out);
    out
}

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

fn render(cwd: &Path, args: &[&str]) -> Run {
    let out = common::appspec()
        .current_dir(cwd)
        .arg("render")
        .args(args)
        .output()
        .unwrap();
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// A workspace: specs under `specs/` (jellyfin with a NAS PV, two `web` apps in two
/// namespaces, a Namespace and a ConfigMap passed through), output to `out/`.
fn workspace() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let s = dir.path().join("specs");
    write(
        &s.join("media/jellyfin.yaml"),
        &nas_app("jellyfin", "media"),
    );
    write(&s.join("media/namespace.yaml"), NAMESPACE);
    write(&s.join("media/extra.yaml"), CONFIGMAP);
    write(&s.join("a/web.yaml"), &nas_app("web", "a"));
    // Same name, other namespace: its own host (the default one is taken by a/web).
    let b = nas_app("web", "b") + "  ingress: {host: web-b.in.hypyr.space}\n";
    write(&s.join("b/web.yaml"), &b);
    dir
}

#[test]
fn one_file_per_app_and_a_kustomization_listing_them() {
    let ws = workspace();
    let r = render(ws.path(), &["--out", "out", "specs"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let t = tree(&ws.path().join("out"));
    let files: Vec<&str> = t.keys().map(String::as_str).collect();
    assert_eq!(
        files,
        [
            ".appspec-render",
            "_resources.yaml",
            "a/",
            "a/web.yaml",
            "b/",
            "b/web.yaml",
            "kustomization.yaml",
            "media/",
            "media/_resources.yaml",
            "media/jellyfin.yaml",
        ]
    );
    // Each app's file holds all of its objects, its cluster-scoped PV included (the PV of
    // `web` in `b` is in b/web.yaml although both apps are named web).
    assert_eq!(
        common::kind_names(&t["media/jellyfin.yaml"]),
        [
            "Deployment/jellyfin",
            "Service/jellyfin",
            "Ingress/jellyfin",
            "PersistentVolume/media-jellyfin-nfs",
            "PersistentVolumeClaim/jellyfin-data"
        ]
    );
    assert!(
        common::kind_names(&t["b/web.yaml"]).contains(&"PersistentVolume/b-web-nfs".to_string())
    );
    assert!(
        common::kind_names(&t["a/web.yaml"]).contains(&"PersistentVolume/a-web-nfs".to_string())
    );
    assert_eq!(
        common::kind_names(&t["media/_resources.yaml"]),
        ["ConfigMap/extra"]
    );
    assert!(
        t["media/_resources.yaml"].ends_with(&format!("---\n{CONFIGMAP}")),
        "{}",
        t["media/_resources.yaml"]
    );
    assert_eq!(
        common::kind_names(&t["_resources.yaml"]),
        ["Namespace/media"]
    );
    assert!(t["media/jellyfin.yaml"].starts_with("# Generated by `appspec render --out`"));
    let k = appspec::input::yaml::parse_one(&t["kustomization.yaml"], &Default::default()).unwrap();
    assert_eq!(
        k["resources"],
        serde_json::json!([
            "_resources.yaml",
            "a/web.yaml",
            "b/web.yaml",
            "media/_resources.yaml",
            "media/jellyfin.yaml"
        ])
    );
    assert_eq!(
        t[".appspec-render"]
            .lines()
            .filter(|l| !l.starts_with('#'))
            .collect::<Vec<_>>(),
        [
            "_resources.yaml",
            "a/web.yaml",
            "b/web.yaml",
            "kustomization.yaml",
            "media/_resources.yaml",
            "media/jellyfin.yaml"
        ]
    );
    assert!(r.stdout.contains("+ media/jellyfin.yaml\n"), "{}", r.stdout);
    // The Namespace holds generated storage but Flux may prune it: a warning, not an error.
    assert_eq!(
        r.stderr,
        "out/_resources.yaml: Namespace/media: metadata.annotations: warning: holds the claims jellyfin-data but has no kustomize.toolkit.fluxcd.io/prune: disabled; if this Namespace ever leaves the output, Flux (prune: true) deletes it, and the claims and their data with it\n"
    );
    assert!(
        r.stdout
            .ends_with("out: 6 created, 0 updated, 0 removed, 0 unchanged\n"),
        "{}",
        r.stdout
    );

    // The same objects as the stream on stdout, none lost or doubled.
    let stream = render(ws.path(), &["specs"]);
    let mut streamed = common::kind_names(&stream.stdout);
    let mut hydrated: Vec<String> = t
        .iter()
        .filter(|(f, _)| f.ends_with(".yaml") && *f != "kustomization.yaml")
        .flat_map(|(_, text)| common::kind_names(text))
        .collect();
    streamed.sort();
    hydrated.sort();
    assert_eq!(streamed, hydrated);
}

#[test]
fn a_protected_namespace_is_no_warning() {
    let ws = workspace();
    let protected = NAMESPACE.replace(
        "  name: media\n",
        "  name: media\n  annotations:\n    kustomize.toolkit.fluxcd.io/prune: disabled\n",
    );
    write(&ws.path().join("specs/media/namespace.yaml"), &protected);
    let r = render(ws.path(), &["--out", "out", "specs"]);
    assert_eq!((r.code, r.stderr.as_str()), (0, ""));
}

#[test]
fn deterministic_and_idempotent() {
    let ws = workspace();
    assert_eq!(render(ws.path(), &["--out", "one", "specs"]).code, 0);
    assert_eq!(render(ws.path(), &["--out", "two", "specs"]).code, 0);
    assert_eq!(tree(&ws.path().join("one")), tree(&ws.path().join("two")));
    let file = ws.path().join("one/media/jellyfin.yaml");
    let before = std::fs::metadata(&file).unwrap().modified().unwrap();
    let again = render(ws.path(), &["--out", "one", "specs"]);
    assert_eq!(again.code, 0, "{}", again.stderr);
    assert!(
        again
            .stdout
            .ends_with("one: 0 created, 0 updated, 0 removed, 6 unchanged\n"),
        "{}",
        again.stdout
    );
    assert_eq!(
        std::fs::metadata(&file).unwrap().modified().unwrap(),
        before,
        "an unchanged file is not rewritten"
    );
    assert_eq!(tree(&ws.path().join("one")), tree(&ws.path().join("two")));
    // No staging directory is left behind.
    let leftovers: Vec<_> = std::fs::read_dir(ws.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with('.'))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[test]
fn several_paths() {
    let ws = workspace();
    let r = render(
        ws.path(),
        &["--out", "out", "specs/media", "specs/b/web.yaml"],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let t = tree(&ws.path().join("out"));
    assert!(t.contains_key("media/jellyfin.yaml") && t.contains_key("b/web.yaml"));
    assert!(!t.contains_key("a/web.yaml"));
}

#[test]
fn removes_files_of_apps_that_are_gone_and_keeps_everything_else() {
    let ws = workspace();
    assert_eq!(render(ws.path(), &["--out", "out", "specs"]).code, 0);
    let out = ws.path().join("out");
    // Files someone else put there stay, and so does their directory.
    write(&out.join("README.md"), "mine\n");
    write(&out.join("a/notes.txt"), "mine too\n");
    std::fs::remove_dir_all(ws.path().join("specs/a")).unwrap();
    std::fs::remove_dir_all(ws.path().join("specs/b")).unwrap();
    let r = render(ws.path(), &["--out", "out", "specs"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stdout.contains("- a/web.yaml\n- b/web.yaml\n"),
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains("~ kustomization.yaml\n"), "{}", r.stdout);
    let t = tree(&out);
    assert!(!t.contains_key("a/web.yaml") && !t.contains_key("b/web.yaml"));
    assert!(!t.contains_key("b/"), "an emptied namespace directory goes");
    assert_eq!(t["README.md"], "mine\n");
    assert_eq!(t["a/notes.txt"], "mine too\n");
    assert!(!t[".appspec-render"].contains("web.yaml"));
    assert!(!t["kustomization.yaml"].contains("web.yaml"));
}

#[test]
fn an_error_writes_nothing() {
    let ws = workspace();
    let broken = "apiVersion: platform.hypyr.space/v1alpha1\nkind: AppSpec\nmetadata:\n  name: bad\n  namespace: zz\nspec:\n  image: ghcr.io/x/bad:1\n  ingress: {host: bad.example.com}\n";
    // A new directory is not created at all.
    write(&ws.path().join("specs/zz/bad.yaml"), broken);
    let r = render(ws.path(), &["--out", "out", "specs"]);
    assert_eq!(r.code, 1, "{}", r.stdout);
    assert!(
        r.stderr.contains(
            "specs/zz/bad.yaml: AppSpec/zz/bad: spec.ingress.host: Internal apps must use .in.hypyr.space domain"
        ),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("nothing written to out"), "{}", r.stderr);
    assert!(r.stdout.is_empty());
    assert!(!ws.path().join("out").exists());
    // An existing one is left exactly as it was, stale files included.
    std::fs::remove_file(ws.path().join("specs/zz/bad.yaml")).unwrap();
    assert_eq!(render(ws.path(), &["--out", "out", "specs"]).code, 0);
    let before = tree(&ws.path().join("out"));
    std::fs::remove_dir_all(ws.path().join("specs/a")).unwrap();
    write(&ws.path().join("specs/zz/bad.yaml"), broken);
    let r = render(ws.path(), &["--out", "out", "specs"]);
    assert_eq!(r.code, 1);
    assert_eq!(tree(&ws.path().join("out")), before);
}

fn assert_refused(ws: &Path, out: &str, message: &str) {
    let r = render(ws, &["--out", out, "specs"]);
    assert_eq!(r.code, 2, "stdout: {}\nstderr: {}", r.stdout, r.stderr);
    assert!(r.stderr.contains(message), "{}", r.stderr);
    assert!(r.stdout.is_empty(), "{}", r.stdout);
}

#[test]
fn never_overwrites_or_deletes_what_it_did_not_write() {
    let ws = workspace();
    // A directory with files but no marker: not ours.
    write(&ws.path().join("theirs/notes.md"), "x\n");
    assert_refused(
        ws.path(),
        "theirs",
        "is not empty and has no .appspec-render file",
    );
    assert_eq!(tree(&ws.path().join("theirs")).len(), 1);
    // Hidden entries (a git checkout's .git) do not count.
    write(
        &ws.path().join("checkout/.git/HEAD"),
        "ref: refs/heads/deploy\n",
    );
    assert_eq!(render(ws.path(), &["--out", "checkout", "specs"]).code, 0);
    assert_eq!(
        tree(&ws.path().join("checkout"))[".git/HEAD"],
        "ref: refs/heads/deploy\n"
    );

    // A file where an app goes that an earlier run did not write.
    assert_eq!(render(ws.path(), &["--out", "out", "specs/media"]).code, 0);
    write(&ws.path().join("out/a/web.yaml"), "hand-written\n");
    let before = tree(&ws.path().join("out"));
    assert_refused(
        ws.path(),
        "out",
        "out/a/web.yaml: exists and was not written by appspec render",
    );
    assert_eq!(tree(&ws.path().join("out")), before);

    // A marker naming a file outside DIR, or one appspec never writes.
    std::fs::remove_file(ws.path().join("out/a/web.yaml")).unwrap();
    write(&ws.path().join("victim.yaml"), "keep\n");
    let marker = ws.path().join("out/.appspec-render");
    let original = std::fs::read_to_string(&marker).unwrap();
    for bad in [
        "../victim.yaml",
        "/etc/passwd",
        "media/../../victim.yaml",
        "README.md",
    ] {
        std::fs::write(&marker, format!("{original}{bad}\n")).unwrap();
        assert_refused(ws.path(), "out", "a file appspec render never writes");
        assert_eq!(
            std::fs::read_to_string(ws.path().join("victim.yaml")).unwrap(),
            "keep\n"
        );
    }
}

#[cfg(unix)]
#[test]
fn never_follows_a_symlink() {
    use std::os::unix::fs::symlink;
    let ws = workspace();
    let outside = ws.path().join("outside");
    write(&outside.join("jellyfin.yaml"), "outside\n");
    assert_eq!(render(ws.path(), &["--out", "out", "specs"]).code, 0);
    let out = ws.path().join("out");

    // A namespace directory replaced by a link to elsewhere: refused, elsewhere untouched.
    std::fs::remove_dir_all(out.join("media")).unwrap();
    symlink(&outside, out.join("media")).unwrap();
    let before = tree(&out);
    assert_refused(
        ws.path(),
        "out",
        "out/media: is a symbolic link; refusing to write through it",
    );
    assert_eq!(tree(&out), before);
    assert_eq!(tree(&outside)["jellyfin.yaml"], "outside\n");

    // An owned file replaced by a link: neither followed nor removed.
    std::fs::remove_file(out.join("media")).unwrap();
    assert_eq!(render(ws.path(), &["--out", "out", "specs"]).code, 0);
    std::fs::remove_file(out.join("a/web.yaml")).unwrap();
    symlink(outside.join("jellyfin.yaml"), out.join("a/web.yaml")).unwrap();
    assert_refused(
        ws.path(),
        "out",
        "out/a/web.yaml: is a symbolic link; refusing to replace it",
    );
    std::fs::remove_dir_all(ws.path().join("specs/a")).unwrap();
    assert_refused(
        ws.path(),
        "out",
        "out/a/web.yaml: is a symbolic link; refusing to remove it",
    );
    assert_eq!(tree(&outside)["jellyfin.yaml"], "outside\n");

    // The marker, or DIR itself, as a link.
    std::fs::remove_file(out.join("a/web.yaml")).unwrap();
    std::fs::rename(out.join(".appspec-render"), ws.path().join("marker")).unwrap();
    symlink(ws.path().join("marker"), out.join(".appspec-render")).unwrap();
    assert_refused(ws.path(), "out", "is a symbolic link; refusing to trust it");
    symlink(&out, ws.path().join("link")).unwrap();
    assert_refused(
        ws.path(),
        "link",
        "link: is a symbolic link; give the real directory",
    );
}

#[test]
fn output_and_input_must_not_overlap() {
    let ws = workspace();
    assert_refused(ws.path(), "specs/rendered", "overlaps the input specs");
    assert!(!ws.path().join("specs/rendered").exists());
    assert_refused(ws.path(), ".", "overlaps the input specs");
}

#[test]
fn the_hydrated_directory_builds_with_kustomize() {
    let Some(kubectl) = common::kubectl() else {
        return;
    };
    let ws = workspace();
    assert_eq!(render(ws.path(), &["--out", "out", "specs"]).code, 0);
    let built = std::process::Command::new(kubectl)
        .arg("kustomize")
        .arg(ws.path().join("out"))
        .output()
        .unwrap();
    assert!(
        built.status.success(),
        "{}",
        String::from_utf8_lossy(&built.stderr)
    );
    let mut from_kustomize = common::kind_names(&String::from_utf8(built.stdout).unwrap());
    let mut streamed = common::kind_names(&render(ws.path(), &["specs"]).stdout);
    from_kustomize.sort();
    streamed.sort();
    assert_eq!(from_kustomize, streamed);
}

/// Apps expanded by kustomize itself (the function as a transformer of the kustomization)
/// are split by their labels like the ones render expands.
#[test]
fn apps_expanded_inside_a_kustomization_are_split_too() {
    if common::kubectl().is_none() {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let example = common::repo_root().join("examples/multi-app-platform");
    let r = render(tmp.path(), &["--out", "out", example.to_str().unwrap()]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let t = tree(&tmp.path().join("out"));
    let files: Vec<&str> = t
        .keys()
        .map(String::as_str)
        .filter(|f| f.ends_with(".yaml"))
        .collect();
    assert_eq!(
        files,
        [
            "kustomization.yaml",
            "monitoring/grafana.yaml",
            "tools/backups.yaml",
            "web/_resources.yaml",
            "web/homepage.yaml"
        ]
    );
    assert_eq!(
        common::kind_names(&t["web/_resources.yaml"]),
        ["ConfigMap/homepage-settings"]
    );
    assert!(
        common::kind_names(&t["tools/backups.yaml"])
            .contains(&"PersistentVolume/tools-backups-nfs".to_string())
    );
}

/// The marker and the files under `dir` agree: every file listed exists and every file
/// written (hidden ones aside) is listed.
fn assert_marker_matches(dir: &Path) {
    let marker = std::fs::read_to_string(dir.join(".appspec-render")).unwrap();
    let listed: std::collections::BTreeSet<String> = marker
        .lines()
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(str::to_string)
        .collect();
    let files: std::collections::BTreeSet<String> = tree(dir)
        .into_keys()
        .filter(|p| !p.ends_with('/') && !p.starts_with('.'))
        .collect();
    assert_eq!(listed, files, "the marker and the files disagree");
}

/// Two `render --out` on one directory at once: each either writes or is refused because
/// the other holds the lock, the directory stays consistent (the marker lists exactly the
/// files), and later runs work.
#[test]
fn concurrent_runs_on_one_directory_stay_consistent() {
    // Two sets of apps: a run that overwrote the other's half-written directory would leave
    // files its marker does not list.
    let ws = tempfile::tempdir().unwrap();
    for set in ["a", "b"] {
        for i in 0..60 {
            write(
                &ws.path()
                    .join(format!("specs-{set}/{set}{}/app{i}.yaml", i % 3)),
                &app(&format!("app{i}"), &format!("{set}{}", i % 3)),
            );
        }
    }
    let mut refused = 0;
    for round in 0..8 {
        // An empty directory (the first run of a CI job), or none at all.
        let out = format!("out{round}");
        if round % 2 == 0 {
            std::fs::create_dir(ws.path().join(&out)).unwrap();
        }
        let start = |specs: &str| {
            common::appspec_std()
                .current_dir(ws.path())
                .args(["render", "--out", &out, specs])
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap()
        };
        let (a, b) = (start("specs-a"), start("specs-b"));
        for child in [a, b] {
            let o = child.wait_with_output().unwrap();
            let stderr = String::from_utf8_lossy(&o.stderr);
            match o.status.code() {
                Some(0) => {}
                Some(2) => {
                    refused += 1;
                    assert!(
                        stderr.contains("is being written by another appspec render"),
                        "{stderr}"
                    );
                }
                other => panic!("round {round}: exit {other:?}: {stderr}"),
            }
        }
        let dir = ws.path().join(&out);
        assert_marker_matches(&dir);
        assert!(
            !dir.join(".appspec-render.lock").exists(),
            "the lock stayed"
        );
        let again = render(ws.path(), &["--out", &out, "specs-a"]);
        assert_eq!(again.code, 0, "round {round}: {}", again.stderr);
        assert_marker_matches(&dir);
    }
    eprintln!("{refused} of 16 concurrent runs were refused by the lock");
}

/// A lock left behind (a run that was killed) is named with what to do; removing it lets
/// the next run write.
#[test]
fn a_stale_lock_is_explained() {
    let ws = workspace();
    assert_eq!(render(ws.path(), &["--out", "out", "specs"]).code, 0);
    let lock = ws.path().join("out/.appspec-render.lock");
    // A process id that cannot be running (above the kernel's pid_max).
    std::fs::write(&lock, "pid 2147483647\n").unwrap();
    let before = tree(&ws.path().join("out"));
    let r = render(ws.path(), &["--out", "out", "specs"]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr.contains("out: is being written by another appspec render (out/.appspec-render.lock: pid 2147483647, which is not running here: a run that was stopped left it); when no other run is going, remove out/.appspec-render.lock"),
        "{}",
        r.stderr
    );
    assert_eq!(
        tree(&ws.path().join("out")),
        before,
        "a refused run changed the directory"
    );
    std::fs::remove_file(&lock).unwrap();
    assert_eq!(render(ws.path(), &["--out", "out", "specs"]).code, 0);
}

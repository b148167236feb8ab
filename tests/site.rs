//! `appspec init` and the site layout of `examples/site/`: what init writes renders at once
//! (through `appspec render` and the real kustomize, strict-valid), `examples/site/` is
//! init's own output plus a second app, and its Argo CD ApplicationSet and Flux objects fit
//! the layout.

mod common;

use std::path::{Path, PathBuf};

use common::invariants;
use serde_json::Value;

const SITE: &str = "examples/site";
/// The command `examples/site/README.md` shows, as arguments.
const SITE_FLAGS: [&str; 8] = [
    "--domain",
    "example.org",
    "--internal-domain",
    "lan.example.org",
    "--nas",
    "nfs://nas.lan.example.org:2049/export/apps",
    "--lb-pool",
    "192.168.42.0/24",
];

fn root() -> &'static Path {
    common::repo_root()
}

fn init(dir: &Path, flags: &[&str]) -> std::process::Output {
    common::appspec()
        .arg("init")
        .arg(dir)
        .args(flags)
        .output()
        .unwrap()
}

/// Every file below `dir`, relative, sorted.
fn files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.push(p.strip_prefix(dir).unwrap().to_path_buf());
            }
        }
    }
    out.sort();
    out
}

/// The app directories of a site: `apps/<namespace>/<app>/`.
fn app_dirs(site: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for ns in std::fs::read_dir(site.join("apps")).unwrap() {
        for app in std::fs::read_dir(ns.unwrap().path()).unwrap() {
            out.push(app.unwrap().path());
        }
    }
    out.sort();
    out
}

/// Builds each app directory with `kubectl kustomize` (the function through the docker
/// shim) and with `appspec render`, and checks both the same and strict-valid.
fn builds_everywhere(site: &Path) {
    let Some(kubectl) = common::kubectl() else {
        return;
    };
    let shim = common::DockerShim::new();
    let mut outputs = Vec::new();
    for dir in app_dirs(site) {
        let built = shim.kustomize(&kubectl, &dir);
        let stdout = common::text(&built.stdout);
        assert!(
            built.status.success(),
            "kubectl kustomize {}: {}",
            dir.display(),
            common::text(&built.stderr)
        );
        // From the site's root: render reads nothing outside the repository (the nearest
        // `.git`, else the working directory), and the platform is up there.
        let rendered = common::appspec()
            .current_dir(site)
            .arg("render")
            .arg(dir.strip_prefix(site).unwrap())
            .output()
            .unwrap();
        assert!(
            rendered.status.success(),
            "appspec render {}: {}",
            dir.display(),
            common::text(&rendered.stderr)
        );
        assert_eq!(
            common::kind_names(&stdout),
            common::kind_names(&common::text(&rendered.stdout)),
            "{}",
            dir.display()
        );
        let inputs = common::kustomization_inputs(&dir);
        outputs.push(invariants::Output::stream(
            format!("kustomize {}", dir.display()),
            &stdout,
            &inputs,
        ));
    }
    assert!(!outputs.is_empty());
    invariants::assert_invariants(&outputs);
}

#[test]
fn init_writes_a_site_that_renders_at_once() {
    let tmp = tempfile::tempdir().unwrap();
    let site = tmp.path().join("mysite");
    let out = init(&site, &["--domain", "example.net"]);
    let stdout = common::text(&out.stdout);
    assert!(out.status.success(), "{}", common::text(&out.stderr));
    assert_eq!(
        files(&site),
        [
            "apps/whoami/whoami/app.yaml",
            "apps/whoami/whoami/kustomization.yaml",
            "platform/kustomization.yaml",
            "platform/platform.yaml",
        ]
        .map(PathBuf::from)
    );
    // The next commands, with the directory as given.
    let shown = site.display().to_string();
    assert!(
        stdout.contains(&format!("appspec render {shown} ")),
        "{stdout}"
    );
    assert!(stdout.contains(&format!("appspec validate {shown} ")));
    // The PlatformConfig carries the editor's schema line and the released image.
    let platform = std::fs::read_to_string(site.join("platform/platform.yaml")).unwrap();
    assert!(platform.starts_with(
        "# yaml-language-server: $schema=https://raw.githubusercontent.com/hypyr/appspec/main/functions/platformconfig.schema.json\n"
    ));
    assert!(platform.contains(&format!(
        "image: ghcr.io/hypyr/appspec:{}",
        env!("CARGO_PKG_VERSION")
    )));
    assert!(!platform.contains("hypyr.space/v1alpha1\nkind: AppSpec"));
    // The whole site through render: the example app's host is under the new domain.
    let rendered = common::appspec()
        .args(["render"])
        .arg(&site)
        .output()
        .unwrap();
    let text = common::text(&rendered.stdout);
    assert!(
        rendered.status.success(),
        "{}",
        common::text(&rendered.stderr)
    );
    assert!(text.contains("host: whoami.example.net"), "{text}");
    let validated = common::appspec()
        .arg("validate")
        .arg(&site)
        .output()
        .unwrap();
    assert!(validated.status.success() && validated.stdout.is_empty());
    builds_everywhere(&site);
}

#[test]
fn init_with_every_flag_renders_strict_valid() {
    let tmp = tempfile::tempdir().unwrap();
    for (name, backup) in [("volsync", "volsync"), ("kopiur", "kopiur")] {
        let site = tmp.path().join(name);
        let out = init(
            &site,
            &[
                "--domain",
                "example.org",
                "--internal-domain",
                "in.example.org",
                "--nas",
                "nfs://10.0.0.5/mnt/tank",
                "--gateway",
                "internal=network/envoy-internal",
                "--gateway",
                "external=network/envoy-external",
                "--lb-pool",
                "10.0.40.0/24",
                "--backup",
                backup,
            ],
        );
        assert!(out.status.success(), "{}", common::text(&out.stderr));
        let platform = std::fs::read_to_string(site.join("platform/platform.yaml")).unwrap();
        assert!(
            platform.contains(&format!("backend: {backup}")),
            "{platform}"
        );
        assert!(platform.contains("pathPrefix: /mnt/tank/"), "{platform}");
        assert!(platform.contains("name: envoy-external"), "{platform}");
        builds_everywhere(&site);
    }
}

#[test]
fn init_refuses_bad_flags_and_a_directory_in_use_writing_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let site = tmp.path().join("bad");
    for (flags, says) in [
        (&["--domain", "Example..org"][..], "--domain"),
        (
            &["--domain", "example.org", "--lb-pool", "10.0.0.1/24"],
            "--lb-pool",
        ),
        (
            &["--domain", "example.org", "--nas", "nas.lan:/export"],
            "--nas",
        ),
        (
            &["--domain", "example.org", "--gateway", "envoy"],
            "--gateway",
        ),
    ] {
        let out = init(&site, flags);
        let stderr = common::text(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{flags:?}: {stderr}");
        assert!(stderr.contains(says), "{flags:?}: {stderr}");
        assert!(!stderr.contains("\\n"), "one line per problem: {stderr}");
        assert!(!site.exists(), "{flags:?} wrote {}", site.display());
    }
    // A directory that holds something is not a new site.
    std::fs::create_dir_all(&site).unwrap();
    std::fs::write(site.join("notes.txt"), "mine\n").unwrap();
    let out = init(&site, &["--domain", "example.org"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(common::text(&out.stderr).contains("is not empty"));
    assert_eq!(files(&site), [PathBuf::from("notes.txt")]);
}

#[test]
fn example_site_is_inits_output_plus_a_second_app() {
    let readme = std::fs::read_to_string(root().join(SITE).join("README.md")).unwrap();
    assert!(
        readme.contains(&format!("appspec init {SITE} {}", SITE_FLAGS.join(" "))),
        "examples/site/README.md shows the init command of the test"
    );
    let tmp = tempfile::tempdir().unwrap();
    let fresh = tmp.path().join("site");
    let out = init(&fresh, &SITE_FLAGS);
    assert!(out.status.success(), "{}", common::text(&out.stderr));
    for rel in files(&fresh) {
        assert_eq!(
            std::fs::read_to_string(root().join(SITE).join(&rel)).ok(),
            std::fs::read_to_string(fresh.join(&rel)).ok(),
            "{SITE}/{} differs from what init writes",
            rel.display()
        );
    }
    let apps = app_dirs(&root().join(SITE));
    assert!(apps.len() >= 2, "{apps:?}");
    builds_everywhere(&root().join(SITE));
}

/// The ApplicationSet's git directory generator matches exactly the app directories, names
/// each Application after namespace and app, deploys it to the namespace of its directory
/// (the spec's own), and renders it through the plugin that cmp-plugin/ installs.
#[test]
fn applicationset_fits_the_layout_and_the_plugin() {
    let read = |p: &str| -> Value {
        common::read_stream(&root().join(p))
            .into_iter()
            .next()
            .unwrap_or_else(|| panic!("{p} is empty"))
    };
    let set = read("examples/site/argocd/applicationset.yaml");
    let plugin = read("cmp-plugin/plugin.yaml");
    assert_eq!(set["kind"], "ApplicationSet");
    assert_eq!(set["apiVersion"], "argoproj.io/v1alpha1");
    assert_eq!(set["spec"]["goTemplate"], true);
    let git = &set["spec"]["generators"][0]["git"];
    assert_eq!(git["directories"][0]["path"], "apps/*/*");
    let template = &set["spec"]["template"];
    assert_eq!(
        template["metadata"]["name"],
        "{{ index .path.segments 1 }}-{{ .path.basename }}"
    );
    let source = &template["spec"]["source"];
    assert_eq!(source["path"], "{{ .path.path }}");
    assert_eq!(source["repoURL"], git["repoURL"]);
    assert_eq!(
        source["plugin"]["name"].as_str().unwrap(),
        format!(
            "{}-{}",
            plugin["metadata"]["name"].as_str().unwrap(),
            plugin["spec"]["version"].as_str().unwrap()
        )
    );
    assert_eq!(
        template["spec"]["destination"]["namespace"],
        "{{ index .path.segments 1 }}"
    );
    // `apps/*/*` are the app directories, and each one's namespace is its directory's.
    for dir in app_dirs(&root().join(SITE)) {
        let ns = dir.parent().unwrap().file_name().unwrap().to_str().unwrap();
        let app = &common::read_stream(&dir.join("app.yaml"))[0];
        assert_eq!(app["metadata"]["namespace"], ns, "{}", dir.display());
        assert_eq!(
            app["metadata"]["name"].as_str(),
            dir.file_name().unwrap().to_str(),
            "{}",
            dir.display()
        );
    }
}

#[test]
fn flux_objects_are_valid_and_apply_the_rendered_apps() {
    let Some(python) = common::python() else {
        return;
    };
    let file = root().join("examples/site/flux/apps.yaml");
    let mut cmd = std::process::Command::new(python);
    cmd.arg(root().join("tests/tools/validate_crd.py"));
    for crd in [
        "source.toolkit.fluxcd.io_gitrepositories.yaml",
        "kustomize.toolkit.fluxcd.io_kustomizations.yaml",
    ] {
        cmd.arg("--crd")
            .arg(root().join("tests/data/flux").join(crd));
    }
    let out = cmd.arg(&file).output().unwrap();
    assert!(
        out.status.success(),
        "{}{}",
        common::text(&out.stdout),
        common::text(&out.stderr)
    );
    let docs = common::read_stream(&file);
    let ks = docs.iter().find(|d| d["kind"] == "Kustomization").unwrap();
    assert_eq!(ks["spec"]["prune"], true);
    assert_eq!(ks["spec"]["path"], "./apps");
    // What CI publishes there: render --out of the site's apps.
    let tmp = tempfile::tempdir().unwrap();
    let out_dir = tmp.path().join("apps");
    let rendered = common::appspec()
        .arg("render")
        .arg("--out")
        .arg(&out_dir)
        .arg(root().join(SITE).join("apps"))
        .output()
        .unwrap();
    assert!(
        rendered.status.success(),
        "{}",
        common::text(&rendered.stderr)
    );
    assert!(out_dir.join("docs/paperless.yaml").is_file());
    assert!(out_dir.join("whoami/whoami.yaml").is_file());
}

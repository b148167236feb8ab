//! The committed JSON Schemas equal the ones generated from the Rust types.

mod common;

fn generated(args: &[&str]) -> String {
    let out = common::appspec().args(args).output().unwrap();
    assert!(
        out.status.success(),
        "appspec {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn committed(path: &str) -> String {
    std::fs::read_to_string(common::repo_root().join(path))
        .unwrap_or_else(|e| panic!("cannot read {path}: {e}"))
}

#[test]
fn committed_appspec_schema_is_current() {
    let committed = committed("functions/appspec.schema.json");
    assert_eq!(
        committed,
        generated(&["schema"]),
        "functions/appspec.schema.json is stale: run `appspec schema > functions/appspec.schema.json`"
    );
    assert_eq!(
        committed,
        generated(&["schema", "appspec"]),
        "functions/appspec.schema.json is stale: run `appspec schema > functions/appspec.schema.json`"
    );
}

#[test]
fn committed_platform_schema_is_current() {
    let committed = committed("functions/platformconfig.schema.json");
    assert_eq!(
        committed,
        generated(&["schema", "platform"]),
        "functions/platformconfig.schema.json is stale: run `appspec schema platform > functions/platformconfig.schema.json`"
    );
}

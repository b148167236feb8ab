//! The committed JSON Schemas equal the ones generated from the Rust types.

use assert_cmd::Command;

fn generated(args: &[&str]) -> String {
    let out = Command::cargo_bin("appspec")
        .unwrap()
        .args(args)
        .output()
        .unwrap();
    assert!(out.status.success());
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn committed_appspec_schema_is_current() {
    let committed = std::fs::read_to_string("functions/appspec.schema.json").unwrap();
    assert_eq!(
        committed,
        generated(&["schema"]),
        "functions/appspec.schema.json is stale: run `appspec schema > functions/appspec.schema.json`"
    );
}

#[test]
fn committed_platform_schema_is_current() {
    let committed = std::fs::read_to_string("functions/platformconfig.schema.json").unwrap();
    assert_eq!(
        committed,
        generated(&["schema", "--platform"]),
        "functions/platformconfig.schema.json is stale: run `appspec schema --platform > functions/platformconfig.schema.json`"
    );
}

//! The JSON Schema of `AppSpec` and `PlatformConfig`, generated from the Rust types.
//!
//! The types (`spec`, `platform`) are the one description of every field: the published
//! schema, the structural reading (`reader`) and the unknown-field check all come from it.
//! Rules that depend on the platform (domains, NAS prefix, regions, reserved namespaces) are
//! stated in descriptions and checked by the function.

use serde_json::Value;

use crate::input::reader::schema_for;
use crate::input::skeleton::HINT;
use crate::model::platform::PlatformDocument;
use crate::model::spec::AppSpecDocument;

/// The published form: the reading schema with an `$id` and without the reader's hints.
fn publish(mut v: Value) -> Value {
    strip_hints(&mut v);
    if let Value::Object(m) = &mut v {
        m.insert(
            "$id".into(),
            format!(
                "https://hypyr.space/schemas/{}.json",
                m.get("title")
                    .and_then(Value::as_str)
                    .unwrap_or("schema")
                    .to_lowercase()
            )
            .into(),
        );
    }
    v
}

fn strip_hints(v: &mut Value) {
    match v {
        Value::Object(m) => {
            m.remove(HINT);
            m.values_mut().for_each(strip_hints);
        }
        Value::Array(items) => items.iter_mut().for_each(strip_hints),
        _ => {}
    }
}

/// The JSON Schema of an AppSpec document.
pub fn appspec() -> Value {
    publish(schema_for::<AppSpecDocument>())
}

/// The JSON Schema of a PlatformConfig document.
pub fn platform() -> Value {
    publish(schema_for::<PlatformDocument>())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::skeleton::generate::{const_name, definitions, module, skeleton};
    use crate::model::patterns::*;

    /// The reading schema of `T` with each type as a definition of its own (not inlined).
    fn by_type<T: schemars::JsonSchema>() -> Value {
        let generator = schemars::generate::SchemaSettings::draft07()
            .for_deserialize()
            .into_generator();
        serde_json::to_value(generator.into_root_schema_for::<T>()).unwrap()
    }

    /// `src/input/skeletons.rs` as the current types give it.
    fn skeletons_source() -> String {
        let mut out = String::from(
            "//! The skeletons of the documents the function reads (written by `schema::tests`; \
             do not edit).\n//!\n//! Generated from the types' JSON Schema: \
             `APPSPEC_BLESS=1 cargo test --lib skeletons` rewrites this file.\n\n\
             use crate::input::skeleton::{Additional, Skeleton};\n",
        );
        let appspec = schema_for::<AppSpecDocument>();
        let platform = schema_for::<PlatformDocument>();
        // The same schemas with a definition per type: the names of the consts.
        let types: Vec<_> = [by_type::<AppSpecDocument>(), by_type::<PlatformDocument>()]
            .iter()
            .flat_map(definitions)
            .collect();
        out.push('\n');
        out.push_str(&module(
            &[
                ("APPSPEC", &skeleton(&appspec, &appspec)),
                ("PLATFORM", &skeleton(&platform, &platform)),
            ],
            &types,
        ));
        out
    }

    #[test]
    fn skeletons_are_current() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/src/input/skeletons.rs");
        let current = skeletons_source();
        if std::env::var_os("APPSPEC_BLESS").is_some() {
            std::fs::write(path, &current).unwrap();
        }
        assert!(
            include_str!("../input/skeletons.rs") == current,
            "src/input/skeletons.rs is stale: run `APPSPEC_BLESS=1 cargo test --lib skeletons`"
        );
    }

    /// Each shared skeleton is named after the type it describes (`PROBE_CHECK` serves
    /// readiness, liveness and startup), or a list, map, nullable or hinted use of one,
    /// never after the first field that happens to hold it.
    #[test]
    fn shared_skeletons_are_named_after_their_types() {
        let types: Vec<String> = [by_type::<AppSpecDocument>(), by_type::<PlatformDocument>()]
            .iter()
            .flat_map(definitions)
            .map(|(name, _)| const_name(&name))
            .collect();
        let source = skeletons_source();
        let consts: Vec<&str> = source
            .lines()
            .filter_map(|l| l.strip_prefix("const ")?.split(':').next())
            .collect();
        assert!(consts.len() > 20, "{consts:?}");
        for name in &consts {
            let mut base = *name;
            while let Some(b) = ["_LIST", "_MAP", "_OR_NULL", "_HINTED"]
                .iter()
                .find_map(|s| base.strip_suffix(s))
            {
                base = b;
            }
            assert!(types.iter().any(|t| t == base), "{name} names no type");
        }
        for name in [
            "PROBE_CHECK",
            "PROBE_KIND_OR_NULL",
            "GATEWAY_REF",
            "INGRESS_CLASS",
        ] {
            assert!(consts.contains(&name), "{name} missing from {consts:?}");
        }
    }

    #[test]
    fn the_compiled_skeletons_are_the_generated_ones() {
        for (compiled, schema) in [
            (
                &crate::input::skeletons::APPSPEC,
                schema_for::<AppSpecDocument>(),
            ),
            (
                &crate::input::skeletons::PLATFORM,
                schema_for::<PlatformDocument>(),
            ),
        ] {
            assert_eq!(compiled, &skeleton(&schema, &schema));
        }
    }

    #[test]
    fn patterns_used_by_the_schema_compile_as_rust_regex_where_possible() {
        // Lookaheads are ECMAScript-only; the rest must be plain regexes.
        for p in [
            NAME_PATTERN,
            ENV_NAME_PATTERN,
            QUANTITY_PATTERN,
            CRON_PATTERN,
        ] {
            regex::Regex::new(p).unwrap();
        }
        for p in [
            NAMESPACE_PATTERN,
            IMAGE_PATTERN,
            MOUNT_PATH_PATTERN,
            MOUNTS_PATH_PATTERN,
            FILE_PATH_PATTERN,
            SUBPATH_PATTERN,
            HOST_PATTERN,
            HTTP_PATH_PATTERN,
            BUCKET_PATTERN,
        ] {
            fancy_regex::Regex::new(p).unwrap();
        }
    }

    #[test]
    fn mount_and_file_path_patterns_agree_with_the_validator() {
        let storage = fancy_regex::Regex::new(MOUNT_PATH_PATTERN).unwrap();
        let mounts = fancy_regex::Regex::new(MOUNTS_PATH_PATTERN).unwrap();
        let files = fancy_regex::Regex::new(FILE_PATH_PATTERN).unwrap();
        let sys = |p: &str, empty_dir| crate::validate::path::system_dir(p, empty_dir).is_some();
        for p in [
            "/data",
            "/proc",
            "/proc/1",
            "/sys/fs",
            "/dev",
            "/dev/shm",
            "/dev/shm/x",
            "/dev/shmx",
            "/dev/null",
            "/devices",
            "/etc",
            "/etc/",
            "/etc/app.yaml",
            "/etc/yt-dlp",
            "/etc/yt-dlp/",
            "/etc/hosts",
            "/etc/resolv.conf",
            "/etc/hostname/x",
            "/data/",
            "/data//",
            "/a/./",
            "/",
            "/etcd",
            "/media/etc",
            "/a/../b",
        ] {
            // A trailing `/` is the same directory path without it; `/` is never a mount.
            let dir = crate::model::spec::dir_path(p);
            let syntax = crate::validate::path::check_absolute(dir).is_ok() && dir != "/";
            assert_eq!(
                storage.is_match(p).unwrap(),
                syntax && !sys(dir, false),
                "storage {p}"
            );
            assert_eq!(
                mounts.is_match(p).unwrap(),
                syntax && !sys(dir, true),
                "mounts {p}"
            );
            let kernel = ["/proc", "/sys", "/dev"]
                .iter()
                .any(|d| crate::validate::path::is_at_or_under(p, d));
            let file_syntax = crate::validate::path::check_absolute(p).is_ok() && p != "/";
            assert_eq!(
                files.is_match(p).unwrap(),
                file_syntax && !kernel,
                "files {p}"
            );
        }
    }

    #[test]
    fn cron_pattern_agrees_with_the_validator() {
        let re = regex::Regex::new(CRON_PATTERN).unwrap();
        let cases = [
            "0 2 * * *",
            "*/15 * * * *",
            "0 0 1 1 0",
            "0,30 1-5 * * 6",
            "5/10 * * * *",
            "@daily",
            "60 2 * * *",
            "0 24 * * *",
            "0 2 0 * *",
            "0 2 * 13 *",
            "0 2 * * 7",
            "0 2 * JAN *",
            "*/0 * * * *",
            "0 2 * *",
            "@often",
            "59 23 31 12 6",
            "00 02 * * *",
        ];
        for c in cases {
            assert_eq!(
                re.is_match(c),
                crate::validate::cron::check(c).is_ok(),
                "{c}"
            );
        }
    }

    #[test]
    fn schema_has_descriptions_defaults_and_enums() {
        let s = appspec();
        let spec = &s["properties"]["spec"]["properties"];
        assert_eq!(spec["port"]["default"], 8080);
        assert_eq!(spec["port"]["maximum"], 65535);
        assert!(
            spec["image"]["description"]
                .as_str()
                .unwrap()
                .contains("OCI image")
        );
        let storage = &spec["storage"]["properties"];
        assert_eq!(storage["size"]["maximum"], 1000);
        let patterns = serde_json::to_string(&storage["pattern"]).unwrap();
        for p in [
            "ephemeral",
            "longhorn-persistent",
            "nas-mount",
            "s3-external",
        ] {
            assert!(patterns.contains(p), "{p}");
        }
        assert_eq!(s["properties"]["kind"]["const"], "AppSpec");
        assert_eq!(s["additionalProperties"], false);
        assert!(!serde_json::to_string(&s).unwrap().contains("$ref"));
    }
}

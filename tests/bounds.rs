//! Each bound of `model::bounds` is one fact: the published schema states it and the rule in
//! `validate` checks it, so a value at the bound is accepted and one past it refused at its
//! field; and no schemars attribute under `src/model` writes a bound as a bare number.

use appspec::input::source::Item;
use appspec::model::bounds::*;
use serde_json::{Value, json};

/// The errors of one AppSpec whose `spec` is `spec` (under the built-in platform).
fn errors(spec: Value) -> Vec<(String, String)> {
    errors_under(spec, None)
}

/// The errors of one AppSpec whose `spec` is `spec`, under the built-in platform changed by
/// `platform` (a PlatformConfig's `spec`, given as the functionConfig).
fn errors_under(spec: Value, platform: Option<Value>) -> Vec<(String, String)> {
    let app = json!({
        "apiVersion": "platform.hypyr.space/v1alpha1",
        "kind": "AppSpec",
        "metadata": {"name": "web", "namespace": "apps"},
        "spec": spec,
    });
    let config = platform.map(|spec| {
        let item = json!({
            "apiVersion": "platform.hypyr.space/v1alpha1",
            "kind": "PlatformConfig",
            "metadata": {"name": "platform"},
            "spec": spec,
        });
        Item::new(item, Some("platform.yaml".into()))
    });
    appspec::engine::run(vec![Item::new(app, Some("app.yaml".into()))], config)
        .diagnostics
        .into_iter()
        .filter(|d| d.is_error())
        .map(|d| (d.issue.path, d.issue.message))
        .collect()
}

/// `spec` with `field` (a dotted path under spec) set to `value`.
fn with(base: &Value, field: &str, value: Value) -> Value {
    let mut spec = base.clone();
    let mut at = &mut spec;
    let parts: Vec<&str> = field.split('.').collect();
    for p in &parts[..parts.len() - 1] {
        at = at
            .as_object_mut()
            .unwrap()
            .entry(p.to_string())
            .or_insert_with(|| json!({}));
    }
    at[parts[parts.len() - 1]] = value;
    spec
}

/// A host of `len` characters under the built-in platform's internal domain.
fn host(len: usize) -> String {
    let suffix = ".in.hypyr.space";
    let mut labels = Vec::new();
    let mut left = len - suffix.len();
    while left > 0 {
        let n = left.min(DNS_LABEL_MAX_LEN);
        labels.push("a".repeat(n));
        left = left.saturating_sub(n + 1);
    }
    let h = format!("{}{suffix}", labels.join("."));
    assert_eq!(h.len(), len);
    h
}

#[test]
fn each_bound_is_published_and_checked_at_its_field() {
    let base = json!({"image": "ghcr.io/x/web:1.0.0"});
    let backup = json!({
        "image": "ghcr.io/x/web:1.0.0",
        "runAs": 1000,
        "storage": {"pattern": "longhorn-persistent", "size": 1},
        "backup": {"strategy": "volsync-snapshots"},
    });
    let schema = appspec::commands::schema::appspec();
    let props = "/properties/spec/properties";
    // (spec, field under spec, value at the bound, value past it, schema keyword, bound)
    let cases: Vec<(&Value, &str, Value, Value, String, i64)> = vec![
        (
            &base,
            "port",
            json!(PORT_MAX),
            json!(PORT_MAX + 1),
            format!("{props}/port/maximum"),
            PORT_MAX,
        ),
        (
            &base,
            "port",
            json!(PORT_MIN),
            json!(PORT_MIN - 1),
            format!("{props}/port/minimum"),
            PORT_MIN,
        ),
        (
            &base,
            "ports.metrics",
            json!(PORT_MAX),
            json!(PORT_MAX + 1),
            String::new(),
            PORT_MAX,
        ),
        (
            &backup,
            "backup.retentionDays",
            json!(RETENTION_DAYS_MAX),
            json!(RETENTION_DAYS_MAX + 1),
            format!("{props}/backup/properties/retentionDays/maximum"),
            RETENTION_DAYS_MAX,
        ),
        (
            &backup,
            "backup.retentionDays",
            json!(RETENTION_DAYS_MIN),
            json!(RETENTION_DAYS_MIN - 1),
            format!("{props}/backup/properties/retentionDays/minimum"),
            RETENTION_DAYS_MIN,
        ),
        (
            &backup,
            "storage.size",
            json!(SIZE_GIB_MAX),
            json!(SIZE_GIB_MAX + 1),
            format!("{props}/storage/properties/size/maximum"),
            SIZE_GIB_MAX,
        ),
        (
            &base,
            "pod.terminationGracePeriodSeconds",
            json!(GRACE_PERIOD_SECONDS_MAX),
            json!(GRACE_PERIOD_SECONDS_MAX + 1),
            format!("{props}/pod/properties/terminationGracePeriodSeconds/maximum"),
            GRACE_PERIOD_SECONDS_MAX,
        ),
        (
            &base,
            "probes.readiness.periodSeconds",
            json!(PROBE_TIMING_MIN),
            json!(PROBE_TIMING_MIN - 1),
            String::new(),
            PROBE_TIMING_MIN,
        ),
        (
            &base,
            "probes.readiness.initialDelaySeconds",
            json!(PROBE_DELAY_MIN),
            json!(PROBE_DELAY_MIN - 1),
            String::new(),
            PROBE_DELAY_MIN,
        ),
        (
            &base,
            "probes.readiness.timeoutSeconds",
            json!(INT32_MAX),
            json!(INT32_MAX + 1),
            String::new(),
            INT32_MAX,
        ),
        (
            &base,
            "runAs",
            json!(INT32_MAX),
            json!(INT32_MAX + 1),
            String::new(),
            INT32_MAX,
        ),
        (
            &base,
            "ingress.host",
            json!(host(DNS_NAME_MAX_LEN)),
            json!(host(DNS_NAME_MAX_LEN + 1)),
            format!("{props}/ingress/properties/host/maxLength"),
            DNS_NAME_MAX_LEN as i64,
        ),
        (
            &base,
            "pod.dnsConfig.searches",
            json!(vec!["a.lan"; MAX_SEARCHES]),
            json!(vec!["a.lan"; MAX_SEARCHES + 1]),
            format!("{props}/pod/properties/dnsConfig/properties/searches/maxItems"),
            MAX_SEARCHES as i64,
        ),
    ];
    for (spec, field, ok, past, keyword, bound) in cases {
        let path = format!("spec.{field}");
        let accepted = errors(with(spec, field, ok.clone()));
        assert!(
            !accepted.iter().any(|(p, _)| *p == path),
            "{path} = {ok}: {accepted:?}"
        );
        let refused = errors(with(spec, field, past.clone()));
        let said = refused.iter().find(|(p, _)| *p == path);
        assert!(
            said.is_some_and(|(_, m)| m.contains(&bound.to_string())),
            "{path} = {past} must be refused naming {bound}: {refused:?}"
        );
        if !keyword.is_empty() {
            assert_eq!(schema.pointer(&keyword), Some(&json!(bound)), "{keyword}");
        }
    }
}

/// A bound at a field the dotted paths of the table above cannot reach (a list index, a
/// file path as a key): the whole spec at the bound (None: no valid value reaches it) and
/// past it, the field's path, the bound and every schema keyword that states it.
struct Case {
    path: String,
    ok: Option<Value>,
    past: Value,
    bound: usize,
    keywords: Vec<String>,
}

/// `n` distinct words `<prefix>0`, `<prefix>1`...
fn words(prefix: &str, n: usize) -> Value {
    json!((0..n).map(|i| format!("{prefix}{i}")).collect::<Vec<_>>())
}

/// An absolute path of `len` characters, in segments of at most 100 (under `/mnt/`).
fn abs_path(len: usize) -> String {
    let mut p = String::from("/mnt");
    while p.len() < len {
        let n = (len - p.len() - 1).clamp(1, 100);
        p.push('/');
        p.push_str(&"a".repeat(n));
    }
    assert_eq!(p.len(), len);
    p
}

/// A qualified name of `len` characters (`len` at most 317): a DNS prefix, `/`, a name.
fn qualified(len: usize) -> String {
    let name = "b".repeat(len.min(64) - 1);
    let prefix = &host(len - name.len() - 1);
    format!("{prefix}/{name}")
}

/// The bounds the schema stated alone before: each at every field it bounds, the app's and
/// each kind of container's, refused at its field naming the bound.
#[test]
fn container_path_and_text_bounds_are_checked_at_their_field() {
    let schema = appspec::commands::schema::appspec();
    let props = "/properties/spec/properties";
    let image = "ghcr.io/x/web:1.0.0";
    let nas = "nfs://nas.internal:2049";
    let sidecar = |field: &str, value: Value| {
        let mut c = json!({"name": "proxy", "image": "ghcr.io/x/proxy:1.0.0"});
        c[field] = value;
        json!({"image": image, "sidecars": [c]})
    };
    let init = |field: &str, value: Value| {
        let mut c = json!({"name": "setup", "image": "ghcr.io/x/setup:1.0.0"});
        c[field] = value;
        json!({"image": image, "init": [c]})
    };
    let sidecar_probe = |n: usize| {
        json!({"image": image, "sidecars": [{
            "name": "proxy", "image": "ghcr.io/x/proxy:1.0.0",
            "probes": {"liveness": {"exec": words("a", n)}},
        }]})
    };
    let mount = |m: Value| json!({"image": image, "mounts": [m]});
    let lb = |ip: &str| json!({"image": image, "service": {"loadBalancer": {"ip": ip}}});
    let full_ipv6 = "ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255";
    let case = |path: &str, ok: Option<Value>, past: Value, bound: usize, keywords: &[&str]| Case {
        path: path.to_string(),
        ok,
        past,
        bound,
        keywords: keywords.iter().map(|k| format!("{props}/{k}")).collect(),
    };
    let cases = vec![
        case(
            "spec.command",
            Some(json!({"image": image, "command": words("a", MAX_COMMAND_WORDS)})),
            json!({"image": image, "command": words("a", MAX_COMMAND_WORDS + 1)}),
            MAX_COMMAND_WORDS,
            &["command/maxItems"],
        ),
        case(
            "spec.args",
            Some(json!({"image": image, "args": words("a", MAX_ARGS)})),
            json!({"image": image, "args": words("a", MAX_ARGS + 1)}),
            MAX_ARGS,
            &["args/maxItems"],
        ),
        case(
            "spec.init[0].command",
            Some(init("command", words("a", MAX_COMMAND_WORDS))),
            init("command", words("a", MAX_COMMAND_WORDS + 1)),
            MAX_COMMAND_WORDS,
            &[
                "init/items/properties/command/maxItems",
                "sidecars/items/properties/command/maxItems",
            ],
        ),
        case(
            "spec.sidecars[0].args",
            Some(sidecar("args", words("a", MAX_ARGS))),
            sidecar("args", words("a", MAX_ARGS + 1)),
            MAX_ARGS,
            &[
                "sidecars/items/properties/args/maxItems",
                "init/items/properties/args/maxItems",
            ],
        ),
        case(
            "spec.probes.exec",
            Some(json!({"image": image, "probes": {"exec": words("a", MAX_EXEC_WORDS)}})),
            json!({"image": image, "probes": {"exec": words("a", MAX_EXEC_WORDS + 1)}}),
            MAX_EXEC_WORDS,
            &[
                "probes/properties/exec/maxItems",
                "probes/properties/readiness/anyOf/0/anyOf/1/properties/exec/maxItems",
                "probes/properties/startup/anyOf/0/anyOf/1/properties/exec/maxItems",
            ],
        ),
        case(
            "spec.sidecars[0].probes.liveness.exec",
            Some(sidecar_probe(MAX_EXEC_WORDS)),
            sidecar_probe(MAX_EXEC_WORDS + 1),
            MAX_EXEC_WORDS,
            &[
                "sidecars/items/properties/probes/properties/liveness/anyOf/0/anyOf/1/properties/exec/maxItems",
            ],
        ),
        case(
            "spec.ports.grpc.appProtocol",
            Some(
                json!({"image": image, "ports": {"grpc": {"port": 9090, "appProtocol": qualified(APP_PROTOCOL_MAX_LEN)}}}),
            ),
            json!({"image": image, "ports": {"grpc": {"port": 9090, "appProtocol": "a".repeat(APP_PROTOCOL_MAX_LEN + 1)}}}),
            APP_PROTOCOL_MAX_LEN,
            &[
                "ports/additionalProperties/anyOf/1/properties/appProtocol/maxLength",
                "sidecars/items/properties/ports/additionalProperties/anyOf/1/properties/appProtocol/maxLength",
            ],
        ),
        case(
            "spec.service.appProtocol",
            Some(
                json!({"image": image, "service": {"appProtocol": qualified(APP_PROTOCOL_MAX_LEN)}}),
            ),
            json!({"image": image, "service": {"appProtocol": qualified(APP_PROTOCOL_MAX_LEN + 1)}}),
            APP_PROTOCOL_MAX_LEN,
            &["service/properties/appProtocol/maxLength"],
        ),
        case(
            "spec.secretEnv.fromStore",
            Some(
                json!({"image": image, "secretEnv": {"fromStore": "k".repeat(REMOTE_KEY_MAX_LEN)}}),
            ),
            json!({"image": image, "secretEnv": {"fromStore": "k".repeat(REMOTE_KEY_MAX_LEN + 1)}}),
            REMOTE_KEY_MAX_LEN,
            &[
                "secretEnv/properties/fromStore/maxLength",
                "sidecars/items/properties/secretEnv/properties/fromStore/maxLength",
            ],
        ),
        case(
            "spec.init[0].secretEnv.fromStore",
            Some(init(
                "secretEnv",
                json!({"fromStore": "k".repeat(REMOTE_KEY_MAX_LEN)}),
            )),
            init(
                "secretEnv",
                json!({"fromStore": "k".repeat(REMOTE_KEY_MAX_LEN + 1)}),
            ),
            REMOTE_KEY_MAX_LEN,
            &["init/items/properties/secretEnv/properties/fromStore/maxLength"],
        ),
        case(
            "spec.secretEnv.existing",
            Some(
                json!({"image": image, "secretEnv": {"existing": words("s", MAX_EXISTING_SECRETS)}}),
            ),
            json!({"image": image, "secretEnv": {"existing": words("s", MAX_EXISTING_SECRETS + 1)}}),
            MAX_EXISTING_SECRETS,
            &[
                "secretEnv/properties/existing/maxItems",
                "init/items/properties/secretEnv/properties/existing/maxItems",
            ],
        ),
        case(
            "spec.sidecars[0].secretEnv.existing",
            Some(sidecar(
                "secretEnv",
                json!({"existing": words("s", MAX_EXISTING_SECRETS)}),
            )),
            sidecar(
                "secretEnv",
                json!({"existing": words("s", MAX_EXISTING_SECRETS + 1)}),
            ),
            MAX_EXISTING_SECRETS,
            &["sidecars/items/properties/secretEnv/properties/existing/maxItems"],
        ),
        case(
            "spec.serviceAccount.read",
            Some(
                json!({"image": image, "serviceAccount": {"create": true, "read": words("r", MAX_READ_RESOURCES)}}),
            ),
            json!({"image": image, "serviceAccount": {"create": true, "read": words("r", MAX_READ_RESOURCES + 1)}}),
            MAX_READ_RESOURCES,
            &["serviceAccount/anyOf/0/properties/read/maxItems"],
        ),
        case(
            "spec.serviceAccount.read[0]",
            Some(
                json!({"image": image, "serviceAccount": {"create": true, "read": [format!("a.{}", host(READ_RESOURCE_MAX_LEN - 2))]}}),
            ),
            json!({"image": image, "serviceAccount": {"create": true, "read": [format!("a.{}", host(READ_RESOURCE_MAX_LEN - 1))]}}),
            READ_RESOURCE_MAX_LEN,
            &["serviceAccount/anyOf/0/properties/read/items/maxLength"],
        ),
        case(
            "spec.mounts[0].path",
            Some(mount(
                json!({"path": abs_path(PATH_MAX_LEN), "emptyDir": {}}),
            )),
            mount(json!({"path": abs_path(PATH_MAX_LEN + 1), "emptyDir": {}})),
            PATH_MAX_LEN,
            &["mounts/items/properties/path/maxLength"],
        ),
        case(
            "spec.mounts[0].subPath",
            Some(mount(
                json!({"path": "/data", "claim": "media", "subPath": &abs_path(PATH_MAX_LEN + 1)[1..]}),
            )),
            mount(
                json!({"path": "/data", "claim": "media", "subPath": &abs_path(PATH_MAX_LEN + 2)[1..]}),
            ),
            PATH_MAX_LEN,
            &["mounts/items/properties/subPath/maxLength"],
        ),
        case(
            "spec.mounts[0].nas.subpath",
            Some(mount(
                json!({"path": "/data", "nas": {"endpoint": nas, "subpath": abs_path(PATH_MAX_LEN)}}),
            )),
            mount(
                json!({"path": "/data", "nas": {"endpoint": nas, "subpath": abs_path(PATH_MAX_LEN + 1)}}),
            ),
            PATH_MAX_LEN,
            &["mounts/items/properties/nas/properties/subpath/maxLength"],
        ),
        case(
            "spec.storage.nas.subpath",
            Some(
                json!({"image": image, "runAs": 1000, "storage": {"pattern": "nas-mount", "size": 1, "nas": {"endpoint": nas, "subpath": abs_path(PATH_MAX_LEN)}}}),
            ),
            json!({"image": image, "runAs": 1000, "storage": {"pattern": "nas-mount", "size": 1, "nas": {"endpoint": nas, "subpath": abs_path(PATH_MAX_LEN + 1)}}}),
            PATH_MAX_LEN,
            &["storage/properties/nas/properties/subpath/maxLength"],
        ),
        case(
            "spec.files./etc/app.conf.content",
            Some(
                json!({"image": image, "files": {"/etc/app.conf": {"content": "é".repeat(FILE_CONTENT_MAX_LEN)}}}),
            ),
            json!({"image": image, "files": {"/etc/app.conf": {"content": "a".repeat(FILE_CONTENT_MAX_LEN + 1)}}}),
            FILE_CONTENT_MAX_LEN,
            &["files/additionalProperties/properties/content/maxLength"],
        ),
        case(
            "spec.service.loadBalancer.ip",
            Some(lb(full_ipv6)),
            lb(&format!("0{full_ipv6}")),
            IP_MAX_LEN,
            &["service/properties/loadBalancer/properties/ip/maxLength"],
        ),
        case(
            "spec.service.loadBalancer.ip",
            Some(lb("::")),
            lb(":"),
            IP_MIN_LEN,
            &["service/properties/loadBalancer/properties/ip/minLength"],
        ),
        // No valid zone reaches the bound (the pattern admits three parts of 14): a zone past
        // it is refused for its length before its pattern is read.
        case(
            "spec.job.timeZone",
            None,
            json!({"image": image, "job": {"schedule": "0 4 * * *", "timeZone": "A".repeat(TIME_ZONE_MAX_LEN + 1)}}),
            TIME_ZONE_MAX_LEN,
            &["job/properties/timeZone/maxLength"],
        ),
    ];
    let pools = Some(json!({"loadBalancer": {"pools": ["::/0"]}}));
    for c in cases {
        let path = &c.path;
        if let Some(ok) = &c.ok {
            let accepted = errors_under(ok.clone(), pools.clone());
            assert!(
                !accepted.iter().any(|(p, _)| p == path),
                "{path} at {}: {accepted:?}",
                c.bound
            );
        }
        let refused = errors_under(c.past.clone(), pools.clone());
        let said = refused.iter().find(|(p, _)| p == path);
        assert!(
            said.is_some_and(|(_, m)| m.contains(&c.bound.to_string())),
            "{path} past {} must be refused naming it: {refused:?}",
            c.bound
        );
        for k in &c.keywords {
            assert_eq!(schema.pointer(k), Some(&json!(c.bound)), "{k}");
        }
    }
    // A file's path is its key, so its field path holds the path itself.
    let files = |len: usize| json!({"image": image, "files": {abs_path(len): {"content": "x"}}});
    let at = |len: usize| format!("spec.files.{}", abs_path(len));
    let accepted = errors(files(PATH_MAX_LEN));
    assert!(
        !accepted.iter().any(|(p, _)| *p == at(PATH_MAX_LEN)),
        "{accepted:?}"
    );
    let refused = errors(files(PATH_MAX_LEN + 1));
    assert!(
        refused
            .iter()
            .any(|(p, m)| *p == at(PATH_MAX_LEN + 1) && m.contains(&PATH_MAX_LEN.to_string())),
        "{refused:?}"
    );
    let keyword = format!("{props}/files/propertyNames/maxLength");
    assert_eq!(schema.pointer(&keyword), Some(&json!(PATH_MAX_LEN)));
}

/// A bound in a schemars attribute is a named const (of `model::bounds`, or a list's
/// `spec::MAX_*`), never a number the rule in validate could write again differently;
/// `min = 0` and `min = 1` (non-empty) are plain.
#[test]
fn schemars_attributes_name_their_bounds() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/model");
    let mut found = Vec::new();
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let text = std::fs::read_to_string(&path).unwrap();
        for (i, attr) in text.split("#[schemars(").enumerate().skip(1) {
            let attr = &attr[..attr.find(")]").unwrap_or(attr.len())];
            for key in ["min = ", "max = "] {
                for (at, _) in attr.match_indices(key) {
                    let value: String = attr[at + key.len()..]
                        .chars()
                        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                        .collect();
                    let plain = key == "min = " && (value == "0" || value == "1");
                    if value.starts_with(|c: char| c.is_ascii_digit()) && !plain {
                        found.push(format!("{} attribute {i}: {key}{value}", path.display()));
                    }
                }
            }
        }
    }
    assert!(found.is_empty(), "bounds written as numbers: {found:#?}");
}

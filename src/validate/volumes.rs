//! Rules of the pod's volumes beyond `storage`: `mounts` (NAS, existing claims, emptyDir),
//! `files`, and the paths they share with `storage` (SPEC.md section 8).

use super::{nfs, path, platform::check_subdomain, quantity};
use crate::input::diagnostic::Issue;
use crate::model::bounds::{CONFIG_KEY_MAX_LEN, FILE_CONTENT_MAX_LEN, FILE_MODE_MAX, PATH_MAX_LEN};
use crate::model::platform::Platform;
use crate::model::spec::{AppSpec, SecurityProfile};

/// The most inline file content one app may carry (a ConfigMap holds at most 1 MiB).
pub const MAX_CONTENT_BYTES: usize = 1024 * 1024 - 64 * 1024;

/// Paths that are the kernel's, never a file's (a file may lie in `/etc`: mounting one file
/// does not hide the image's other files there).
const KERNEL: &[&str] = &["/proc", "/sys", "/dev"];

/// Whether `inner` lies strictly inside the directory `outer`.
pub fn is_inside(inner: &str, outer: &str) -> bool {
    inner
        .strip_prefix(outer)
        .is_some_and(|rest| rest.starts_with('/') && rest.len() > 1)
}

/// A directory-like name for a mount path: `/data/Media` -> `data-media`.
pub fn slug(p: &str) -> String {
    let mut out = String::new();
    for c in p.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
    }
    let mut out = out.trim_end_matches('-').to_string();
    out.truncate(100);
    out.trim_end_matches('-').to_string()
}

/// A ConfigMap or Secret key: letters, digits, `-`, `_`, `.`, at most 253, not `.`/`..`.
pub fn check_key(key: &str) -> Result<(), String> {
    if key.is_empty() || key.len() > CONFIG_KEY_MAX_LEN {
        return Err(format!("must be 1..{CONFIG_KEY_MAX_LEN} characters long"));
    }
    if key == "." || key == ".." {
        return Err("must not be '.' or '..'".into());
    }
    if key.starts_with("..") {
        // The kubelet keeps its own `..data` links beside the files of a volume.
        return Err("must not start with '..'".into());
    }
    if !key
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
    {
        return Err("may contain only letters, digits, '-', '_' and '.'".into());
    }
    Ok(())
}

/// File permission bits: 0..0777 (what Kubernetes accepts for a volume file's mode).
pub fn check_mode(mode: i64) -> Result<(), String> {
    if (0..=FILE_MODE_MAX).contains(&mode) {
        return Ok(());
    }
    let shown = if mode >= 0 {
        format!("0{mode:o} (decimal {mode})")
    } else {
        mode.to_string()
    };
    let digits = mode.to_string();
    let hint = if (0..=777).contains(&mode) && digits.bytes().all(|b| b <= b'7') {
        format!(" (if you meant the octal bits {digits}, write 0{digits})")
    } else {
        String::new()
    };
    Err(format!(
        "mode must be between 0 and 0777 (octal permission bits such as 0755 or 0644), got {shown}{hint}"
    ))
}

/// A path inside a volume (`subPath`): relative, normalized, no `..`.
pub fn check_sub_path(p: &str) -> Result<(), String> {
    super::check_len(p, PATH_MAX_LEN).map_err(|e| format!("{e} (Linux's PATH_MAX)"))?;
    if p.starts_with('/') {
        return Err(format!("must be relative to the claim's root, got \"{p}\""));
    }
    path::check_absolute(&format!("/{p}"))
}

/// A container path of a mount (`Some(empty_dir)`, the rule of `storage.mountPath`) or of
/// a file (`None`: not the kernel's): absolute, normalized, not `/`.
fn check_container_path(p: &str, mount: Option<bool>) -> Result<(), String> {
    path::check_absolute(p)?;
    if p == "/" {
        return Err("must not be '/' (it would hide the image's filesystem)".into());
    }
    match mount {
        Some(empty_dir) => {
            if let Some(dir) = path::system_dir(p, empty_dir) {
                return Err(path::system_dir_message(p, dir));
            }
        }
        None => {
            if let Some(dir) = KERNEL.iter().find(|d| path::is_at_or_under(p, d)) {
                return Err(format!(
                    "\"{p}\" is the kernel's ({dir}); choose another path"
                ));
            }
        }
    }
    Ok(())
}

/// The kinds of mount, as messages list them.
const KINDS: &str = "nas, claim, emptyDir, secret, configMap or volume";

/// The temporary directory `security: restricted` makes writable.
pub const TMP: &str = "/tmp";

/// Whether the app mounts an emptyDir of its own at `/tmp` (which then replaces the one
/// `security: restricted` adds).
pub fn own_tmp(spec: &AppSpec) -> bool {
    spec.body
        .mounts
        .iter()
        .any(|m| m.dir() == TMP && m.empty_dir.is_some())
}

/// The PVC names the app mounts or makes, with the field that names each: the main claim,
/// NAS mounts, existing claims and `volume` claims.
fn claim_names(spec: &AppSpec) -> Vec<(String, String)> {
    let s = &spec.body;
    let mut out = Vec::new();
    if s.storage.pattern.uses_claim() {
        let main = s
            .storage
            .claim_name
            .clone()
            .unwrap_or_else(|| format!("{}-data", spec.name));
        out.push((main, "spec.storage".to_string()));
    }
    for (i, m) in s.mounts.iter().enumerate() {
        let at = format!("spec.mounts[{i}]");
        if m.nas.is_some() {
            out.push((format!("{}-nas-{}", spec.name, slug(&m.path)), at));
        } else if let Some(c) = &m.claim {
            out.push((c.clone(), at));
        } else if let Some(v) = &m.volume {
            out.push((crate::model::names::volume_claim(&spec.name, &v.name), at));
        }
    }
    out
}

/// A `volume` mount at `at`: a DNS-label name whose claim no other volume of the app uses,
/// and a size with a unit.
fn check_volume(
    err: &mut impl FnMut(String, String),
    at: &str,
    spec: &AppSpec,
    v: &crate::model::spec::MountVolume,
    claims: &[(String, String)],
) {
    if let Err(e) = super::dns::check_label(&v.name) {
        err(
            format!("{at}.volume.name"),
            format!("volume name \"{}\" {e}", v.name),
        );
    } else {
        let claim = crate::model::names::volume_claim(&spec.name, &v.name);
        if let Some((_, by)) = claims.iter().find(|(c, by)| *c == claim && by != at) {
            err(
                format!("{at}.volume.name"),
                format!("the claim {claim} is already the volume of {by}; choose another name"),
            );
        }
    }
    match quantity::check(&v.size) {
        Err(e) => err(format!("{at}.volume.size"), format!("size {e}")),
        Ok(bytes) if v.size.bytes().all(|b| b.is_ascii_digit() || b == b'.') => err(
            format!("{at}.volume.size"),
            format!(
                "size \"{}\" has no unit, so it is {bytes} bytes; write e.g. 20Gi",
                v.size
            ),
        ),
        Ok(bytes) if bytes <= 0.0 => err(
            format!("{at}.volume.size"),
            "size must be above 0, e.g. 20Gi".into(),
        ),
        Ok(_) => {}
    }
}

/// What the rules derive: the NFS server of each mount (None unless a valid NAS mount).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Derived {
    pub nfs: Vec<Option<nfs::Endpoint>>,
}

/// Checks `mounts` and `files`, and that no two of storage, mounts and files share a path.
pub fn check(spec: &AppSpec, platform: &Platform) -> (Derived, Vec<Issue>) {
    let s = &spec.body;
    let mut issues = Vec::new();
    let mut err = |p: String, m: String| issues.push(Issue::error(p, m));
    // Directory mounts seen so far: (path, field that set it).
    let mut dirs: Vec<(String, String)> = Vec::new();
    if s.storage.pattern.has_volume() {
        dirs.push((
            s.storage.mount_path().to_string(),
            "spec.storage.mountPath".to_string(),
        ));
    }
    // The restricted profile's writable /tmp, unless the app brings its own emptyDir there.
    if s.security == SecurityProfile::Restricted && !own_tmp(spec) {
        dirs.push((TMP.to_string(), "security: restricted".to_string()));
    }
    let claims = claim_names(spec);
    let mut derived = Derived::default();
    let mut nas_slugs: Vec<(String, usize)> = Vec::new();
    for (i, m) in s.mounts.iter().enumerate() {
        let at = format!("spec.mounts[{i}]");
        let mut endpoint = None;
        let dir = m.dir();
        let checked = super::check_len(&m.path, PATH_MAX_LEN)
            .map_err(|e| format!("{e} (Linux's PATH_MAX)"))
            .and_then(|()| check_container_path(dir, Some(m.empty_dir.is_some())));
        match checked {
            Err(e) => err(format!("{at}.path"), format!("mount path {e}")),
            Ok(()) => match dirs.iter().find(|(d, _)| d == dir) {
                Some((_, by)) if by == "security: restricted" => err(
                    format!("{at}.path"),
                    "/tmp is the writable /tmp of security: restricted; only an emptyDir may replace it (e.g. emptyDir: {memory: true})".into(),
                ),
                Some((_, by)) => err(
                    format!("{at}.path"),
                    format!("{dir} is already mounted by {by}; two mounts cannot share one path"),
                ),
                None => dirs.push((dir.to_string(), at.clone())),
            },
        }
        let kinds = [
            m.nas.is_some(),
            m.claim.is_some(),
            m.empty_dir.is_some(),
            m.secret.is_some(),
            m.config_map.is_some(),
            m.volume.is_some(),
        ];
        match kinds.iter().filter(|k| **k).count() {
            0 => err(at.clone(), format!("a mount needs one of {KINDS}")),
            1 => {}
            _ => err(at.clone(), format!("a mount takes exactly one of {KINDS}")),
        }
        for (field, name) in [("secret", &m.secret), ("configMap", &m.config_map)] {
            if let Some(name) = name
                && let Err(e) = check_subdomain(name)
            {
                err(format!("{at}.{field}"), format!("{field} name {e}"));
            }
        }
        if let Some(mode) = m.mode {
            if m.secret.is_none() && m.config_map.is_none() {
                err(
                    format!("{at}.mode"),
                    "\"mode\" applies only to a secret or configMap mount (the files it projects)"
                        .into(),
                );
            } else if let Err(e) = check_mode(mode) {
                err(format!("{at}.mode"), e);
            }
        }
        if let Some(v) = &m.volume {
            check_volume(&mut err, &at, spec, v, &claims);
        }
        if let Some(nas) = &m.nas {
            if !platform.storage.nas.endpoints.contains(&nas.endpoint) {
                err(
                    format!("{at}.nas.endpoint"),
                    nfs::not_allowed(&nas.endpoint, &platform.storage.nas.endpoints),
                );
            } else {
                match nfs::parse(&nas.endpoint) {
                    Ok(ep) => endpoint = Some(ep),
                    Err(e) => err(format!("{at}.nas.endpoint"), format!("NAS endpoint {e}")),
                }
            }
            if let Err(e) = path::check_nas_subpath(&nas.subpath, &platform.storage.nas.path_prefix)
            {
                err(format!("{at}.nas.subpath"), e);
            }
            let sl = slug(&m.path);
            if let Some((_, other)) = nas_slugs.iter().find(|(x, _)| *x == sl) {
                err(
                    format!("{at}.path"),
                    format!(
                        "NAS mounts at {} and {} would share the claim name -nas-{sl}; choose paths that differ in letters or digits",
                        s.mounts[*other].path, m.path
                    ),
                );
            } else if sl.is_empty() && path::check_absolute(&m.path).is_ok() {
                err(
                    format!("{at}.path"),
                    format!(
                        "a NAS mount path needs a letter or digit to name its claim, got \"{}\"",
                        m.path
                    ),
                );
            }
            nas_slugs.push((sl, i));
        }
        if let Some(claim) = &m.claim
            && let Err(e) = check_subdomain(claim)
        {
            err(format!("{at}.claim"), format!("claim name {e}"));
        }
        if let Some(sub) = &m.sub_path {
            if m.claim.is_none() {
                err(
                    format!("{at}.subPath"),
                    "\"subPath\" applies only to a claim mount".into(),
                );
            } else if let Err(e) = check_sub_path(sub) {
                err(format!("{at}.subPath"), format!("subPath {e}"));
            }
        }
        if let Some(size) = m.empty_dir.as_ref().and_then(|e| e.size_limit.as_ref())
            && let Err(e) = quantity::check(size)
        {
            err(format!("{at}.emptyDir.sizeLimit"), e);
        }
        derived.nfs.push(endpoint);
    }

    let mut content_bytes = 0;
    let mut file_paths: Vec<&str> = Vec::new();
    for (p, f) in &s.files {
        let at = format!("spec.files.{p}");
        let checked = super::check_len(p, PATH_MAX_LEN)
            .map_err(|e| format!("{e} (Linux's PATH_MAX)"))
            .and_then(|()| check_container_path(p, None));
        match checked {
            Err(e) => err(at.clone(), format!("file path {e}")),
            Ok(()) => {
                if let Some((_, by)) = dirs.iter().find(|(d, _)| d == p) {
                    err(
                        at.clone(),
                        format!(
                            "{p} is the path of a mount ({by}); a file may lie inside a mounted directory, not replace it"
                        ),
                    );
                } else if let Some(other) = file_paths.iter().find(|o| is_inside(p, o)) {
                    err(
                        at.clone(),
                        format!("{p} lies inside the file {other}; a file is not a directory"),
                    );
                }
                file_paths.push(p);
            }
        }
        let sources = [
            f.config_map.is_some(),
            f.secret.is_some(),
            f.content.is_some(),
        ];
        match sources.iter().filter(|k| **k).count() {
            0 => err(
                at.clone(),
                "a file needs one of configMap + key, secret + key or content".into(),
            ),
            1 => {}
            _ => err(
                at.clone(),
                "a file takes exactly one of configMap, secret or content".into(),
            ),
        }
        for (field, name) in [("configMap", &f.config_map), ("secret", &f.secret)] {
            if let Some(name) = name
                && let Err(e) = check_subdomain(name)
            {
                err(format!("{at}.{field}"), format!("{field} name {e}"));
            }
        }
        match (&f.key, f.content.is_some()) {
            (Some(_), true) => err(
                format!("{at}.key"),
                "\"key\" applies only to a file from a configMap or secret".into(),
            ),
            (None, false) if f.config_map.is_some() || f.secret.is_some() => err(
                format!("{at}.key"),
                "is required: the key of the ConfigMap or Secret that holds the file".into(),
            ),
            (Some(key), false) => {
                if let Err(e) = check_key(key) {
                    err(format!("{at}.key"), format!("key \"{key}\" {e}"));
                }
            }
            _ => {}
        }
        if let Some(mode) = f.mode
            && let Err(e) = check_mode(mode)
        {
            err(format!("{at}.mode"), e);
        }
        if let Some(content) = &f.content
            && let Err(e) = super::check_len(content, FILE_CONTENT_MAX_LEN)
        {
            err(
                format!("{at}.content"),
                format!(
                    "content {e} in one file; keep a larger file in a ConfigMap of its own (configMap + key)"
                ),
            );
        }
        content_bytes += f.content.as_ref().map_or(0, String::len);
    }
    if content_bytes > MAX_CONTENT_BYTES {
        err(
            "spec.files".into(),
            format!(
                "inline content totals {content_bytes} bytes; a ConfigMap holds at most {MAX_CONTENT_BYTES} here, keep large files in a ConfigMap of their own"
            ),
        );
    }
    // A mount inside a file cannot exist (files are checked against mounts above).
    for (i, m) in s.mounts.iter().enumerate() {
        if let Some(f) = file_paths.iter().find(|f| is_inside(m.dir(), f)) {
            err(
                format!("spec.mounts[{i}].path"),
                format!(
                    "{} lies inside the file {f}; a file is not a directory",
                    m.dir()
                ),
            );
        }
    }
    (derived, issues)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn issues(spec: &str) -> Vec<(String, String)> {
        let mut doc: serde_json::Value = serde_saphyr::from_str(spec).unwrap();
        doc["apiVersion"] = crate::API_VERSION.into();
        doc["kind"] = crate::model::spec::KIND.into();
        doc["metadata"] = serde_json::json!({"name": "a"});
        let read = crate::model::spec::read(&doc);
        assert_eq!(read.issues, []);
        check(&read.value.unwrap(), &Platform::default())
            .1
            .into_iter()
            .map(|i| (i.path, i.message))
            .collect()
    }

    #[test]
    fn table() {
        // (spec, expected field paths with an error)
        let cases: &[(&str, &[&str])] = &[
            (
                "spec: {image: a, mounts: [{path: /media, emptyDir: {}}], files: {/media/x.conf: {content: x}}}",
                &[],
            ),
            (
                "spec: {image: a, mounts: [{path: /data, emptyDir: {}}]}",
                &["spec.mounts[0].path"],
            ),
            (
                "spec: {image: a, security: restricted, mounts: [{path: /tmp, emptyDir: {memory: true}}]}",
                &[],
            ),
            (
                "spec: {image: a, security: restricted, mounts: [{path: /tmp/, claim: c}]}",
                &["spec.mounts[0].path"],
            ),
            (
                "spec: {image: a, mounts: [{path: /etc/yt-dlp, configMap: c}, {path: /config/, emptyDir: {}}, {path: /config, claim: c}, {path: /etc/, emptyDir: {}}]}",
                &["spec.mounts[2].path", "spec.mounts[3].path"],
            ),
            (
                "spec: {image: a, mounts: [{path: /s, secret: s, mode: 0o400}, {path: /c, configMap: C, mode: 512}, {path: /e, emptyDir: {}, mode: 0o755}, {path: /x, secret: s, claim: c}]}",
                &[
                    "spec.mounts[1].configMap",
                    "spec.mounts[1].mode",
                    "spec.mounts[2].mode",
                    "spec.mounts[3]",
                ],
            ),
            (
                "spec: {image: a, storage: {pattern: existing-claim, claimName: a-cache}, mounts: [{path: /c, volume: {name: cache, size: 20Gi}}, {path: /d, volume: {name: Big, size: \"20\"}}, {path: /e, volume: {name: e, size: 1Gb}}, {path: /f, volume: {name: cache, size: 1Gi}}]}",
                &[
                    "spec.mounts[0].volume.name",
                    "spec.mounts[1].volume.name",
                    "spec.mounts[1].volume.size",
                    "spec.mounts[2].volume.size",
                    "spec.mounts[3].volume.name",
                ],
            ),
            (
                "spec: {image: a, mounts: [{path: /a, emptyDir: {}}, {path: /a, claim: c}]}",
                &["spec.mounts[1].path"],
            ),
            (
                "spec: {image: a, mounts: [{path: /proc/x, emptyDir: {}}, {path: /dev, emptyDir: {}}, {path: /dev/shm, emptyDir: {memory: true}}, {path: /etc/x, emptyDir: {}}, {path: /dev/shm/y, claim: c}]}",
                &[
                    "spec.mounts[0].path",
                    "spec.mounts[1].path",
                    "spec.mounts[4].path",
                ],
            ),
            (
                "spec: {image: a, mounts: [{path: /a}]}",
                &["spec.mounts[0]"],
            ),
            (
                "spec: {image: a, mounts: [{path: /a, claim: c, emptyDir: {}}]}",
                &["spec.mounts[0]"],
            ),
            (
                "spec: {image: a, mounts: [{path: /a, emptyDir: {}, subPath: x}]}",
                &["spec.mounts[0].subPath"],
            ),
            (
                "spec: {image: a, mounts: [{path: /a, claim: c, subPath: ../x}]}",
                &["spec.mounts[0].subPath"],
            ),
            (
                "spec: {image: a, mounts: [{path: /a, claim: c, subPath: /x}]}",
                &["spec.mounts[0].subPath"],
            ),
            (
                "spec: {image: a, mounts: [{path: /a, claim: C_1}]}",
                &["spec.mounts[0].claim"],
            ),
            (
                "spec: {image: a, mounts: [{path: /a, emptyDir: {sizeLimit: 5Gb}}]}",
                &["spec.mounts[0].emptyDir.sizeLimit"],
            ),
            (
                "spec: {image: a, mounts: [{path: /m, nas: {endpoint: \"nfs://x:2049\", subpath: /etc/x}}]}",
                &["spec.mounts[0].nas.endpoint", "spec.mounts[0].nas.subpath"],
            ),
            (
                "spec: {image: a, mounts: [{path: /m/a, nas: {endpoint: \"nfs://nas.internal:2049\", subpath: /mnt/a}}, {path: /M-a, nas: {endpoint: \"nfs://nas.internal:2049\", subpath: /mnt/b}}]}",
                &["spec.mounts[1].path"],
            ),
            (
                "spec: {image: a, files: {/data: {content: x}}}",
                &["spec.files./data"],
            ),
            (
                "spec: {image: a, files: {/a/b: {content: x}, /a/b/c: {content: z}}}",
                &["spec.files./a/b/c"],
            ),
            (
                "spec: {image: a, files: {/a/b: {content: x}}, mounts: [{path: /a/b/c, emptyDir: {}}]}",
                &["spec.mounts[0].path"],
            ),
            (
                "spec: {image: a, files: {/a: {configMap: c}}}",
                &["spec.files./a.key"],
            ),
            (
                "spec: {image: a, files: {/a: {content: x, key: k}}}",
                &["spec.files./a.key"],
            ),
            (
                "spec: {image: a, files: {/a: {secret: s, configMap: c, key: k}}}",
                &["spec.files./a"],
            ),
            ("spec: {image: a, files: {/a: {}}}", &["spec.files./a"]),
            (
                "spec: {image: a, files: {/a: {secret: s, key: \"a/b\"}}}",
                &["spec.files./a.key"],
            ),
            (
                "spec: {image: a, files: {relative: {secret: s, key: k}}}",
                &["spec.files.relative"],
            ),
        ];
        for (spec, expected) in cases {
            let got: Vec<String> = issues(spec).into_iter().map(|(p, _)| p).collect();
            assert_eq!(got, *expected, "{spec}");
        }
    }

    #[test]
    fn slugs_and_paths() {
        assert_eq!(slug("/data/Media"), "data-media");
        assert_eq!(slug("/media/"), "media");
        assert_eq!(slug("/_"), "");
        assert!(is_inside("/a/b", "/a"));
        assert!(!is_inside("/ab", "/a"));
        assert!(!is_inside("/a", "/a"));
        assert!(check_container_path("/dev/shm", Some(true)).is_ok());
        assert!(check_container_path("/dev/shm", Some(false)).is_err());
        assert!(check_container_path("/etc/app", Some(true)).is_ok());
        assert!(check_container_path("/etc", Some(true)).is_err());
        assert!(check_container_path("/etc/resolv.conf", Some(false)).is_err());
        assert!(check_container_path("/etc/app.yaml", None).is_ok());
        assert!(check_container_path("/sys/fs", None).is_err());
        assert!(check_key("config.yaml").is_ok());
        assert!(check_key("..").is_err());
    }
}

//! Filesystem and URL paths: NAS subpaths, mount paths and ingress paths.

/// Decodes percent-encoding repeatedly (so `%252e` is caught too), bounded.
fn percent_decode_fully(s: &str) -> String {
    let mut current = s.to_string();
    for _ in 0..4 {
        let next = percent_decode(&current);
        if next == current {
            break;
        }
        current = next;
    }
    current
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && i + 2 < bytes.len()
            && let (Some(h), Some(l)) = (hex(bytes[i + 1]), hex(bytes[i + 2]))
        {
            out.push(h * 16 + l);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn hex(b: u8) -> Option<u8> {
    (b as char).to_digit(16).map(|d| d as u8)
}

/// An absolute, normalized path: starts with `/`, no `..` or `.` segment (also when
/// percent-encoded), no backslash, no empty segment, no control characters.
pub fn check_absolute(path: &str) -> Result<(), String> {
    if !path.starts_with('/') {
        return Err(format!(
            "must be an absolute path starting with '/', got \"{path}\""
        ));
    }
    if path.chars().any(|c| c.is_control()) {
        return Err("must not contain control characters".into());
    }
    let decoded = percent_decode_fully(path);
    if decoded.contains('\\') {
        return Err("must not contain a backslash".into());
    }
    if decoded.chars().any(|c| c.is_control()) {
        return Err("must not contain control characters (percent-encoded)".into());
    }
    if path == "/" {
        return Ok(());
    }
    for segment in decoded[1..].split('/') {
        match segment {
            ".." => return Err("must not contain relative directory references ('..')".into()),
            "." => return Err("must not contain '.' segments".into()),
            "" => return Err("must not contain empty segments ('//' or a trailing '/')".into()),
            _ => {}
        }
    }
    Ok(())
}

/// Directories the container runtime owns; a volume must not be mounted on or under them.
pub const SYSTEM_DIRS: [&str; 3] = ["/proc", "/sys", "/dev"];

/// The image's configuration directory: a volume there would hide all of it (users,
/// certificates); a directory under it (`/etc/yt-dlp`) hides only itself.
pub const ETC: &str = "/etc";

/// Files the kubelet mounts into `/etc` of every container.
pub const KUBELET_ETC: [&str; 3] = ["/etc/hosts", "/etc/hostname", "/etc/resolv.conf"];

/// Shared memory: the one directory under a system directory an emptyDir may be mounted on.
pub const SHM: &str = "/dev/shm";

/// Whether `path` is `dir` or lies under it.
pub fn is_at_or_under(path: &str, dir: &str) -> bool {
    path.strip_prefix(dir)
        .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
}

/// The system directory or kubelet file `mount` is, or lies under (`/dev/shm` counts as one
/// unless `empty_dir`), or `/etc` itself: the rule of `storage.mountPath` and
/// `mounts[].path` (given without a trailing `/`).
pub fn system_dir(mount: &str, empty_dir: bool) -> Option<&'static str> {
    if empty_dir && is_at_or_under(mount, SHM) {
        return None;
    }
    if mount == ETC {
        return Some(ETC);
    }
    SYSTEM_DIRS
        .into_iter()
        .chain(KUBELET_ETC)
        .find(|dir| is_at_or_under(mount, dir))
}

/// The message of a mount path refused by [`system_dir`].
pub fn system_dir_message(mount: &str, dir: &str) -> String {
    if dir == ETC {
        return format!(
            "{mount} would hide the image's whole /etc (users, certificates, its configuration); mount a directory under it, such as /etc/app"
        );
    }
    if KUBELET_ETC.contains(&dir) {
        return format!("{mount} is where the kubelet mounts the pod's {dir}; choose another path");
    }
    let shm = if dir == "/dev" {
        "; only an emptyDir may use /dev/shm"
    } else {
        ""
    };
    format!(
        "{mount} is the system directory {dir} or under it (/proc, /sys and /dev belong to the container runtime{shm}); choose another path"
    )
}

/// A NAS subpath: absolute and normalized, strictly under `prefix`.
pub fn check_nas_subpath(path: &str, prefix: &str) -> Result<(), String> {
    super::check_len(path, crate::model::bounds::PATH_MAX_LEN)
        .map_err(|e| format!("Subpath {e} (Linux's PATH_MAX)"))?;
    check_absolute(path).map_err(|e| {
        if e.contains("relative directory") {
            "Subpath must not contain relative directory references ('..')".to_string()
        } else {
            format!("Subpath {e}")
        }
    })?;
    if path.chars().any(char::is_whitespace) {
        return Err("Subpath must not contain whitespace".into());
    }
    let prefix_dir = prefix.trim_end_matches('/');
    let under = path
        .strip_prefix(prefix_dir)
        .is_some_and(|rest| rest.len() > 1 && rest.starts_with('/'));
    if !under {
        return Err(format!(
            "Subpath must lie under the NAS prefix \"{prefix}\", got \"{path}\""
        ));
    }
    Ok(())
}

/// The longest path of an HTTPRoute path match (Gateway API).
pub const MAX_HTTP_PATH: usize = 1024;

/// Characters an HTTPRoute path holds as they are: RFC 3986 `pchar` and `/`.
fn is_path_char(c: u8) -> bool {
    c.is_ascii_alphanumeric() || b"/-._~!$&'()*+,;=:@".contains(&c)
}

/// An ingress path the API server accepts and every proxy reads the same way: starts with
/// `/`; no whitespace, control character or backslash; no `..`, `.` or empty segment; no
/// escape of `/`, `.`, `%`, `\`, whitespace or control characters (the schema's
/// `HTTP_PATH_PATTERN` says the same). An HTTPRoute (`gateway`) also takes only path
/// characters and `%XX` escapes (no `?`, `#`, quotes...) and at most 1024 of them.
pub fn check_http_path(path: &str, gateway: bool) -> Result<(), String> {
    if !path.starts_with('/') {
        return Err(format!("must start with '/', got \"{path}\""));
    }
    if path.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err("must not contain whitespace or control characters".into());
    }
    if gateway && path.len() > MAX_HTTP_PATH {
        return Err(format!(
            "is {} characters long; a Gateway route takes at most {MAX_HTTP_PATH}",
            path.len()
        ));
    }
    let decoded = percent_decode_fully(path);
    if decoded.contains('\\') {
        return Err("must not contain a backslash".into());
    }
    if decoded.split('/').any(|s| s == "..") {
        return Err("must not contain relative directory references ('..')".into());
    }
    let bytes = path.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i];
        let escape = (c == b'%')
            .then(|| Some(hex(*bytes.get(i + 1)?)? * 16 + hex(*bytes.get(i + 2)?)?))
            .flatten();
        match escape {
            Some(0x00..=0x20 | 0x7f) => {
                return Err(
                    "must not contain whitespace or control characters (percent-encoded)".into(),
                );
            }
            Some(b'/') => return Err("must not contain an encoded '/' (%2F)".into()),
            Some(b'.') => return Err("must not contain an encoded '.' (%2E)".into()),
            Some(b'%') => return Err("must not contain an encoded '%' (%25)".into()),
            Some(_) => i += 3,
            None if gateway && c == b'%' => {
                return Err(
                    "has a '%' that is not followed by two hex digits (a Gateway route takes only %XX escapes)"
                        .into(),
                );
            }
            None if gateway && !is_path_char(c) => {
                let shown = path[i..].chars().next().unwrap_or('?');
                return Err(format!(
                    "must not contain '{shown}' in a Gateway route; a path holds letters, digits, -._~!$&'()*+,;=:@/ and %XX escapes"
                ));
            }
            None => i += 1,
        }
    }
    if path.contains("//") {
        return Err("must not contain empty segments ('//')".into());
    }
    if path.contains("/./") || path.ends_with("/.") {
        return Err("must not contain '.' segments".into());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const REL: &str = "Subpath must not contain relative directory references ('..')";

    #[test]
    fn nas_subpaths() {
        let cases: &[(&str, Result<(), &str>)] = &[
            ("/mnt/apps/whoami", Ok(())),
            ("/mnt/x", Ok(())),
            ("/mnt/apps/..", Err(REL)),
            ("/mnt/../etc", Err(REL)),
            ("/mnt/%2e%2e/etc", Err(REL)),
            ("/mnt/%2E%2E/etc", Err(REL)),
            ("/mnt/.%2e/etc", Err(REL)),
            ("/mnt/%252e%252e/etc", Err(REL)),
            ("/mnt/..\\etc", Err("Subpath must not contain a backslash")),
            ("/mnt/%5c..", Err("Subpath must not contain a backslash")),
            (
                "/mnt//apps",
                Err("Subpath must not contain empty segments ('//' or a trailing '/')"),
            ),
            (
                "/mnt/apps/",
                Err("Subpath must not contain empty segments ('//' or a trailing '/')"),
            ),
            ("/mnt/./apps", Err("Subpath must not contain '.' segments")),
            (
                "mnt/apps",
                Err("Subpath must be an absolute path starting with '/', got \"mnt/apps\""),
            ),
            (
                "/mnt/a\nb",
                Err("Subpath must not contain control characters"),
            ),
            (
                "/mnt/a%00b",
                Err("Subpath must not contain control characters (percent-encoded)"),
            ),
            (
                "/mnt/tank/my media",
                Err("Subpath must not contain whitespace"),
            ),
            (
                "/srv/apps",
                Err("Subpath must lie under the NAS prefix \"/mnt/\", got \"/srv/apps\""),
            ),
            (
                "/mnt",
                Err("Subpath must lie under the NAS prefix \"/mnt/\", got \"/mnt\""),
            ),
            (
                "/mntx/apps",
                Err("Subpath must lie under the NAS prefix \"/mnt/\", got \"/mntx/apps\""),
            ),
        ];
        for (input, expected) in cases {
            assert_eq!(
                check_nas_subpath(input, "/mnt/"),
                expected.map_err(String::from),
                "{input}"
            );
        }
    }

    #[test]
    fn system_dirs() {
        assert_eq!(system_dir("/dev/shm", true), None);
        assert_eq!(system_dir("/dev/shm/x", true), None);
        assert_eq!(system_dir("/dev/shm", false), Some("/dev"));
        assert_eq!(system_dir("/dev", true), Some("/dev"));
        assert_eq!(system_dir("/etc/x", true), None);
        for (mount, dir) in [
            ("/proc", Some("/proc")),
            ("/proc/1", Some("/proc")),
            ("/sys/fs/cgroup", Some("/sys")),
            ("/dev", Some("/dev")),
            ("/etc", Some("/etc")),
            ("/etc/ssl/certs", None),
            ("/etc/yt-dlp", None),
            ("/etc/hosts", Some("/etc/hosts")),
            ("/etc/resolv.conf", Some("/etc/resolv.conf")),
            ("/etc/hostname/x", Some("/etc/hostname")),
            ("/etc/hostsx", None),
            ("/etcd", None),
            ("/data/etc", None),
            ("/devices", None),
        ] {
            assert_eq!(system_dir(mount, false), dir, "{mount}");
        }
    }

    #[test]
    fn mount_paths() {
        assert_eq!(check_absolute("/data"), Ok(()));
        assert_eq!(check_absolute("/"), Ok(()));
        assert!(check_absolute("data").is_err());
        assert!(check_absolute("/data/../etc").unwrap_err().contains("'..'"));
    }

    #[test]
    fn http_paths() {
        let cases: &[(&str, Result<(), &str>)] = &[
            ("/", Ok(())),
            ("/api/v1", Ok(())),
            ("/api/", Ok(())),
            ("api", Err("must start with '/', got \"api\"")),
            (
                "/a b",
                Err("must not contain whitespace or control characters"),
            ),
            (
                "/a/../b",
                Err("must not contain relative directory references ('..')"),
            ),
            (
                "/a/%2e%2e/b",
                Err("must not contain relative directory references ('..')"),
            ),
            ("/a\\b", Err("must not contain a backslash")),
            (
                "/a%20b",
                Err("must not contain whitespace or control characters (percent-encoded)"),
            ),
            ("/a//b", Err("must not contain empty segments ('//')")),
            ("/a/./b", Err("must not contain '.' segments")),
            ("/a/.", Err("must not contain '.' segments")),
            ("/.well-known/x", Ok(())),
            ("/a%2fb", Err("must not contain an encoded '/' (%2F)")),
            ("/a%2Fb", Err("must not contain an encoded '/' (%2F)")),
            ("/a%2e", Err("must not contain an encoded '.' (%2E)")),
            ("/a%25", Err("must not contain an encoded '%' (%25)")),
            ("/100%", Ok(())),
            ("/caf%C3%A9", Ok(())),
            ("/a#b?c=1", Ok(())),
            ("/café", Ok(())),
        ];
        for (input, expected) in cases {
            assert_eq!(
                check_http_path(input, false),
                expected.map_err(String::from),
                "{input}"
            );
        }
    }

    #[test]
    fn http_paths_of_a_gateway_route() {
        let cases: &[(&str, Result<(), &str>)] = &[
            ("/api/v1", Ok(())),
            ("/caf%C3%A9", Ok(())),
            ("/a//b", Err("must not contain empty segments ('//')")),
            (
                "/100%",
                Err(
                    "has a '%' that is not followed by two hex digits (a Gateway route takes only %XX escapes)",
                ),
            ),
            (
                "/a#b",
                Err(
                    "must not contain '#' in a Gateway route; a path holds letters, digits, -._~!$&'()*+,;=:@/ and %XX escapes",
                ),
            ),
            (
                "/a?b=1",
                Err(
                    "must not contain '?' in a Gateway route; a path holds letters, digits, -._~!$&'()*+,;=:@/ and %XX escapes",
                ),
            ),
            (
                "/café",
                Err(
                    "must not contain 'é' in a Gateway route; a path holds letters, digits, -._~!$&'()*+,;=:@/ and %XX escapes",
                ),
            ),
            (
                "/a b",
                Err("must not contain whitespace or control characters"),
            ),
        ];
        for (input, expected) in cases {
            assert_eq!(
                check_http_path(input, true),
                expected.map_err(String::from),
                "{input}"
            );
        }
        let long = format!("/{}", "a".repeat(MAX_HTTP_PATH - 1));
        assert_eq!(check_http_path(&long, true), Ok(()));
        assert_eq!(
            check_http_path(&format!("{long}b"), true),
            Err("is 1025 characters long; a Gateway route takes at most 1024".into())
        );
        assert_eq!(check_http_path(&format!("{long}b"), false), Ok(()));
    }

    /// The schema's pattern (what an Ingress takes), and the Gateway route's extra rules
    /// written as a pattern too.
    static PATTERNS: std::sync::LazyLock<[fancy_regex::Regex; 2]> =
        std::sync::LazyLock::new(|| {
            let ingress = crate::model::patterns::HTTP_PATH_PATTERN;
            let gateway = format!(
                "(?=^(?:[-A-Za-z0-9/._~!$&'()*+,;=:@]|%[0-9a-fA-F]{{2}}){{1,1024}}$){ingress}"
            );
            [ingress.to_string(), gateway].map(|p| fancy_regex::Regex::new(&p).unwrap())
        });

    proptest::proptest! {
        #![proptest_config(proptest::test_runner::Config::with_cases(4096))]
        /// Paths built from tokens that exercise every rule: the runtime check and the
        /// pattern accept exactly the same ones, for an Ingress and for a Gateway route.
        #[test]
        fn http_paths_agree_with_the_schema_pattern(
            tokens in proptest::collection::vec(proptest::sample::select(PATH_TOKENS), 0..8),
            gateway in proptest::bool::ANY,
        ) {
            let path = tokens.concat();
            proptest::prop_assert_eq!(
                check_http_path(&path, gateway).is_ok(),
                PATTERNS[usize::from(gateway)].is_match(&path).unwrap(),
                "{:?} gateway: {}", path, gateway
            );
        }
    }

    const PATH_TOKENS: &[&str] = &[
        "/",
        "/",
        "a",
        "Z9",
        ".",
        "..",
        "-",
        "~",
        "!$&'()*+,;=:@",
        "%",
        "%2",
        "%2e",
        "%2E",
        "%2f",
        "%2F",
        "%25",
        "%5c",
        "%5C",
        "%20",
        "%00",
        "%1f",
        "%7f",
        "%41",
        "%c3%a9",
        "?",
        "#",
        " ",
        "\\",
        "é",
        "\u{7}",
        "\u{85}",
        "\"",
        "<",
        "{",
        "|",
        "^",
        "`",
        "[",
        "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
    ];
}

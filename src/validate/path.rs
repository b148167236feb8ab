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

/// A NAS subpath: absolute and normalized, strictly under `prefix`.
pub fn check_nas_subpath(path: &str, prefix: &str) -> Result<(), String> {
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

/// An ingress path: starts with `/`, no `..` segment, no whitespace or control characters.
pub fn check_http_path(path: &str) -> Result<(), String> {
    if !path.starts_with('/') {
        return Err(format!("must start with '/', got \"{path}\""));
    }
    if path.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err("must not contain whitespace or control characters".into());
    }
    let decoded = percent_decode_fully(path);
    if decoded.contains('\\') {
        return Err("must not contain a backslash".into());
    }
    if decoded.split('/').any(|s| s == "..") {
        return Err("must not contain relative directory references ('..')".into());
    }
    if decoded.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err("must not contain whitespace or control characters (percent-encoded)".into());
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
        ];
        for (input, expected) in cases {
            assert_eq!(
                check_http_path(input),
                expected.map_err(String::from),
                "{input}"
            );
        }
    }
}

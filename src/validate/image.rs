//! OCI image references (`[registry/]path[:tag][@digest]`), after the distribution grammar.
//!
//! Hand-written ASCII checks, equivalent to the schema's `IMAGE_PATTERN` (a test compares
//! them): no regex is compiled on the start-up path.

/// `[a-zA-Z0-9]` or `[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]`.
fn is_domain_label(label: &str) -> bool {
    let b = label.as_bytes();
    !b.is_empty()
        && b.iter().all(|c| c.is_ascii_alphanumeric() || *c == b'-')
        && b[0] != b'-'
        && b[b.len() - 1] != b'-'
}

/// A registry: dot-separated labels and an optional `:port` (1..65535, no leading zero).
fn check_domain(domain: &str) -> Result<(), String> {
    let (host, port) = match domain.split_once(':') {
        Some((host, port)) => (host, Some(port)),
        None => (domain, None),
    };
    if !host.split('.').all(is_domain_label) {
        return Err(format!("has an invalid registry \"{domain}\""));
    }
    if let Some(port) = port {
        let digits =
            !port.is_empty() && port.len() <= 5 && port.bytes().all(|c| c.is_ascii_digit());
        let value: u32 = if digits { port.parse().unwrap_or(0) } else { 0 };
        let (min, max) = (
            crate::model::bounds::PORT_MIN,
            crate::model::bounds::PORT_MAX,
        );
        if !digits || port.starts_with('0') || !(min..=max).contains(&i64::from(value)) {
            return Err(format!(
                "has an invalid registry port \"{port}\" in \"{domain}\"; a port is {min}..{max}"
            ));
        }
    }
    Ok(())
}

/// `[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*`: lowercase alphanumeric runs joined by one
/// separator each (`.`, `_`, `__` or any number of `-`).
fn is_path_component(part: &str) -> bool {
    let b = part.as_bytes();
    let alnum = |c: u8| c.is_ascii_lowercase() || c.is_ascii_digit();
    let mut i = 0;
    loop {
        let start = i;
        while i < b.len() && alnum(b[i]) {
            i += 1;
        }
        if i == start {
            return false;
        }
        if i == b.len() {
            return true;
        }
        match b[i] {
            b'.' => i += 1,
            b'_' if b.get(i + 1) == Some(&b'_') => i += 2,
            b'_' => i += 1,
            b'-' => {
                while b.get(i) == Some(&b'-') {
                    i += 1;
                }
            }
            _ => return false,
        }
    }
}

/// `[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}` (ASCII only, as the distribution spec says).
fn is_tag(tag: &str) -> bool {
    let word = |c: u8| c.is_ascii_alphanumeric() || c == b'_';
    let b = tag.as_bytes();
    !b.is_empty()
        && b.len() <= 128
        && word(b[0])
        && b[1..].iter().all(|&c| word(c) || c == b'.' || c == b'-')
}

/// `[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}`.
fn is_digest(digest: &str) -> bool {
    let Some((algorithm, hex)) = digest.split_once(':') else {
        return false;
    };
    let algorithm_ok = algorithm.split(['-', '_', '+', '.']).all(|c| {
        c.starts_with(|c: char| c.is_ascii_alphabetic())
            && c.bytes().all(|c| c.is_ascii_alphanumeric())
    });
    algorithm_ok && hex.len() >= 32 && hex.bytes().all(|c| c.is_ascii_hexdigit())
}

/// The longest reference accepted (the schema's `maxLength`).
pub const MAX_LEN: usize = crate::model::bounds::IMAGE_MAX_LEN;

/// What a valid reference pins.
#[derive(Debug, PartialEq, Eq)]
pub enum Pin {
    Digest,
    Tag,
    Latest,
    Nothing,
}

/// Checks an image reference; returns what it pins, for the `:latest` / no-tag warning.
pub fn check(image: &str) -> Result<Pin, String> {
    if image.is_empty() {
        return Err("must not be empty".into());
    }
    if image.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err("must not contain whitespace".into());
    }
    if image.len() > MAX_LEN {
        return Err(format!(
            "is {} characters long; at most {MAX_LEN} are allowed",
            image.len()
        ));
    }
    let (rest, digest) = match image.split_once('@') {
        Some((rest, digest)) => (rest, Some(digest)),
        None => (image, None),
    };
    if let Some(d) = digest {
        if !is_digest(d) {
            return Err(format!(
                "has an invalid digest \"{d}\"; expected e.g. sha256:<64 hex digits>"
            ));
        }
        if let Some(hex) = d.strip_prefix("sha256:")
            && hex.len() != 64
        {
            return Err(format!(
                "has a sha256 digest of {} hex digits; expected 64",
                hex.len()
            ));
        }
    }
    // A tag is after the last ':' that follows the last '/'.
    let last_slash = rest.rfind('/').map(|i| i + 1).unwrap_or(0);
    let (name, tag) = match rest[last_slash..].rfind(':') {
        Some(i) => (&rest[..last_slash + i], Some(&rest[last_slash + i + 1..])),
        None => (rest, None),
    };
    if let Some(t) = tag
        && !is_tag(t)
    {
        return Err(format!(
            "has an invalid tag \"{t}\"; a tag is up to 128 letters, digits, '_', '.' or '-'"
        ));
    }
    if name.is_empty() {
        return Err("has no repository name".into());
    }
    if name.len() > 255 {
        return Err("has a repository name longer than 255 characters".into());
    }
    let mut parts: Vec<&str> = name.split('/').collect();
    let first = parts[0];
    let has_domain = parts.len() > 1
        && (first.contains('.')
            || first.contains(':')
            || first == "localhost"
            || first.chars().any(|c| c.is_ascii_uppercase()));
    if has_domain {
        check_domain(first)?;
        parts.remove(0);
    }
    for part in parts {
        if !is_path_component(part) {
            return Err(format!(
                "has an invalid path component \"{part}\"; use lowercase letters, digits and separators '.', '_', '-'"
            ));
        }
    }
    Ok(match (digest, tag) {
        (Some(_), _) => Pin::Digest,
        (None, Some("latest")) => Pin::Latest,
        (None, Some(_)) => Pin::Tag,
        (None, None) => Pin::Nothing,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references() {
        let sha = "a".repeat(64);
        let digest = format!("ghcr.io/traefik/whoami@sha256:{sha}");
        let tagged_digest = format!("ghcr.io/traefik/whoami:v1@sha256:{sha}");
        let cases: Vec<(&str, Result<Pin, &str>)> = vec![
            ("ghcr.io/traefik/whoami:v1.10.1", Ok(Pin::Tag)),
            ("traefik/whoami:v1.10.1", Ok(Pin::Tag)),
            ("nginx", Ok(Pin::Nothing)),
            ("nginx:latest", Ok(Pin::Latest)),
            ("localhost:5000/app:1", Ok(Pin::Tag)),
            ("registry.example.com:5000/team/app_x/y-z:1.0", Ok(Pin::Tag)),
            (&digest, Ok(Pin::Digest)),
            (&tagged_digest, Ok(Pin::Digest)),
            ("", Err("must not be empty")),
            (
                "ghcr.io/Traefik/whoami:v1",
                Err(
                    "has an invalid path component \"Traefik\"; use lowercase letters, digits and separators '.', '_', '-'",
                ),
            ),
            (
                "ghcr.io/traefik/whoami:v1 ",
                Err("must not contain whitespace"),
            ),
            (
                "ghcr.io/traefik/whoami:-v1",
                Err(
                    "has an invalid tag \"-v1\"; a tag is up to 128 letters, digits, '_', '.' or '-'",
                ),
            ),
            (
                "ghcr.io/traefik/whoami@sha256:abc",
                Err("has an invalid digest \"sha256:abc\"; expected e.g. sha256:<64 hex digits>"),
            ),
            (
                "ghcr.io//whoami:v1",
                Err(
                    "has an invalid path component \"\"; use lowercase letters, digits and separators '.', '_', '-'",
                ),
            ),
            ("-bad.io/app:1", Err("has an invalid registry \"-bad.io\"")),
            (":v1", Err("has no repository name")),
            ("registry.example.com:65535/app:1", Ok(Pin::Tag)),
            (
                "registry.example.com:99999/app:1",
                Err(
                    "has an invalid registry port \"99999\" in \"registry.example.com:99999\"; a port is 1..65535",
                ),
            ),
            (
                "localhost:0/app:1",
                Err("has an invalid registry port \"0\" in \"localhost:0\"; a port is 1..65535"),
            ),
            (
                "localhost:/app:1",
                Err("has an invalid registry port \"\" in \"localhost:\"; a port is 1..65535"),
            ),
            ("a_b.io/app:1", Err("has an invalid registry \"a_b.io\"")),
            ("a_b.c", Ok(Pin::Nothing)),
            ("Registry.io/app", Ok(Pin::Nothing)),
            (
                "app:v1é",
                Err(
                    "has an invalid tag \"v1é\"; a tag is up to 128 letters, digits, '_', '.' or '-'",
                ),
            ),
        ];
        for (input, expected) in cases {
            assert_eq!(check(input), expected.map_err(String::from), "{input}");
        }
        let long_tag = format!("app:{}", "a".repeat(129));
        assert!(check(&long_tag).is_err());
        let short_sha = format!("app@sha256:{}", "a".repeat(40));
        assert_eq!(
            check(&short_sha),
            Err("has a sha256 digest of 40 hex digits; expected 64".into())
        );
    }

    static PATTERN: std::sync::LazyLock<fancy_regex::Regex> = std::sync::LazyLock::new(|| {
        fancy_regex::Regex::new(crate::model::patterns::IMAGE_PATTERN).unwrap()
    });

    /// What the JSON Schema says of a value: its `maxLength` and its pattern.
    fn schema_accepts(image: &str) -> bool {
        (1..=MAX_LEN).contains(&image.chars().count()) && PATTERN.is_match(image).unwrap()
    }

    #[test]
    fn schema_pattern_agrees_on_a_table() {
        let hex = |n| "0123456789abcdef".repeat(8)[..n].to_string();
        let long_name = format!("ghcr.io/{}:v1", "a".repeat(250));
        let cases = [
            "nginx".to_string(),
            "nginx:1.27".into(),
            "ghcr.io/traefik/whoami:v1.10.1".into(),
            "localhost:5000/a/b:c".into(),
            "localhost:99999/a".into(),
            "localhost:05000/a".into(),
            "a_b.c/d".into(),
            "a_b/c.d".into(),
            "Foo/bar".into(),
            "Foo".into(),
            "a--b__c.d/e".into(),
            "a___b".into(),
            "a/b:".into(),
            format!("a@sha256:{}", hex(64)),
            format!("a@sha256:{}", hex(40)),
            format!("a:v1@sha512:{}", hex(32)),
            format!("a@sha512:{}", hex(31)),
            format!("{}:v1", "a".repeat(255)),
            format!("{}:v1", "a".repeat(256)),
            long_name,
            "a b".into(),
            String::new(),
            "x".repeat(513),
            format!("a:{}", "t".repeat(128)),
            format!("a:{}", "t".repeat(129)),
        ];
        for case in cases {
            assert_eq!(
                check(&case).is_ok(),
                schema_accepts(&case),
                "{case}: {:?}",
                check(&case)
            );
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::test_runner::Config::with_cases(4096))]
        /// References built from tokens that exercise every rule: the runtime check and
        /// the schema pattern accept exactly the same ones.
        #[test]
        fn schema_pattern_agrees(tokens in proptest::collection::vec(proptest::sample::select(TOKENS), 0..9)) {
            let image = tokens.concat();
            proptest::prop_assert_eq!(check(&image).is_ok(), schema_accepts(&image), "{}", image);
        }
    }

    const TOKENS: &[&str] = &[
        "a",
        "b",
        "z9",
        "0",
        "A",
        "é",
        " ",
        "-",
        "--",
        ".",
        "..",
        "_",
        "__",
        "___",
        "/",
        "//",
        ":",
        "5000",
        "99999",
        "0",
        "65536",
        "localhost",
        "ghcr.io",
        "latest",
        "+",
        "v1.2",
        "@",
        "sha256:",
        "@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
        "@sha256:0123456789abcdef0123456789abcdef",
        "@sha512:0123456789abcdef0123456789abcdef",
        "@x+y.z:0123456789ABCDEF0123456789abcdef",
        "@md5:0123",
        "\u{0}",
        "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
    ];
}

//! OCI image references (`[registry/]path[:tag][@digest]`), after the distribution grammar.

use std::sync::LazyLock;

use regex::Regex;

static DOMAIN: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])(?:\.(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]))*(?::[0-9]{1,5})?$").unwrap()
});
static COMPONENT: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*$").unwrap());
static TAG: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"^[\w][\w.-]{0,127}$").unwrap());
static DIGEST: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}$").unwrap()
});

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
    let (rest, digest) = match image.split_once('@') {
        Some((rest, digest)) => (rest, Some(digest)),
        None => (image, None),
    };
    if let Some(d) = digest {
        if !DIGEST.is_match(d) {
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
        && !TAG.is_match(t)
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
        if !DOMAIN.is_match(first) {
            return Err(format!("has an invalid registry \"{first}\""));
        }
        parts.remove(0);
    }
    for part in parts {
        if !COMPONENT.is_match(part) {
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
}

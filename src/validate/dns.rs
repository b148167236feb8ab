//! DNS names: RFC 1123 labels, host names, and domain membership.

use crate::model::bounds::{DNS_LABEL_MAX_LEN, DNS_NAME_MAX_LEN};

/// `^[a-z0-9]([-a-z0-9]*[a-z0-9])?$`, at most 63 characters.
pub fn check_label(label: &str) -> Result<(), String> {
    if label.is_empty() {
        return Err("must not be empty".into());
    }
    if label.len() > DNS_LABEL_MAX_LEN {
        return Err(format!(
            "is {} characters long; at most {DNS_LABEL_MAX_LEN} are allowed",
            label.len()
        ));
    }
    let bytes = label.as_bytes();
    let ok_char = |b: &u8| b.is_ascii_lowercase() || b.is_ascii_digit() || *b == b'-';
    if !bytes.iter().all(ok_char) {
        return Err("may contain only lowercase letters, digits and '-'".into());
    }
    if bytes[0] == b'-' || bytes[bytes.len() - 1] == b'-' {
        return Err("must start and end with a lowercase letter or digit".into());
    }
    Ok(())
}

/// A fully qualified host name: lowercase RFC 1123 labels joined by dots, at most 253
/// characters, at least two labels, no trailing dot, no wildcard.
pub fn check_host(host: &str) -> Result<(), String> {
    if host.is_empty() {
        return Err("must not be empty".into());
    }
    if host.len() > DNS_NAME_MAX_LEN {
        return Err(format!(
            "is {} characters long; at most {DNS_NAME_MAX_LEN} are allowed",
            host.len()
        ));
    }
    if host.ends_with('.') {
        return Err("must not end with a dot".into());
    }
    if host.contains('*') {
        return Err("must not be a wildcard".into());
    }
    if host.chars().any(|c| c.is_ascii_uppercase()) {
        return Err("must be lowercase".into());
    }
    if !host.contains('.') {
        return Err("must be a fully qualified name (at least two labels)".into());
    }
    for label in host.split('.') {
        check_label(label).map_err(|e| format!("label \"{label}\" {e}"))?;
    }
    Ok(())
}

/// Whether `host` lies strictly under `domain` (`a.b.c` is under `b.c`, `b.c` is not).
pub fn is_under(host: &str, domain: &str) -> bool {
    host.len() > domain.len() + 1
        && host.ends_with(domain)
        && host.as_bytes()[host.len() - domain.len() - 1] == b'.'
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels() {
        let cases: &[(&str, Result<(), &str>)] = &[
            ("whoami", Ok(())),
            ("a", Ok(())),
            ("1app", Ok(())),
            ("my-app-2", Ok(())),
            ("", Err("must not be empty")),
            (
                "-app",
                Err("must start and end with a lowercase letter or digit"),
            ),
            (
                "app-",
                Err("must start and end with a lowercase letter or digit"),
            ),
            (
                "My-App",
                Err("may contain only lowercase letters, digits and '-'"),
            ),
            (
                "my_app",
                Err("may contain only lowercase letters, digits and '-'"),
            ),
            (
                "my.app",
                Err("may contain only lowercase letters, digits and '-'"),
            ),
        ];
        for (input, expected) in cases {
            assert_eq!(
                check_label(input),
                expected.map_err(String::from),
                "{input}"
            );
        }
        assert_eq!(
            check_label(&"a".repeat(64)),
            Err("is 64 characters long; at most 63 are allowed".into())
        );
        assert_eq!(check_label(&"a".repeat(63)), Ok(()));
    }

    #[test]
    fn hosts() {
        let cases: &[(&str, Result<(), &str>)] = &[
            ("whoami.in.hypyr.space", Ok(())),
            ("x.hypyr.space", Ok(())),
            ("whoami.in.hypyr.space.", Err("must not end with a dot")),
            ("*.hypyr.space", Err("must not be a wildcard")),
            ("Whoami.hypyr.space", Err("must be lowercase")),
            (
                "localhost",
                Err("must be a fully qualified name (at least two labels)"),
            ),
            ("a..hypyr.space", Err("label \"\" must not be empty")),
            (
                "a_b.hypyr.space",
                Err("label \"a_b\" may contain only lowercase letters, digits and '-'"),
            ),
            (
                "-a.hypyr.space",
                Err("label \"-a\" must start and end with a lowercase letter or digit"),
            ),
            (
                "a b.hypyr.space",
                Err("label \"a b\" may contain only lowercase letters, digits and '-'"),
            ),
        ];
        for (input, expected) in cases {
            assert_eq!(check_host(input), expected.map_err(String::from), "{input}");
        }
        let long = format!("{}.hypyr.space", vec!["a".repeat(60); 5].join("."));
        assert!(check_host(&long).unwrap_err().contains("at most 253"));
        let long_label = format!("{}.hypyr.space", "a".repeat(64));
        assert!(check_host(&long_label).unwrap_err().contains("at most 63"));
    }

    #[test]
    fn domain_membership() {
        assert!(is_under("a.in.hypyr.space", "in.hypyr.space"));
        assert!(is_under("a.in.hypyr.space", "hypyr.space"));
        assert!(!is_under("in.hypyr.space", "in.hypyr.space"));
        assert!(!is_under("evilhypyr.space", "hypyr.space"));
        assert!(!is_under("hypyr.space.evil.com", "hypyr.space"));
    }
}

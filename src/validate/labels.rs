//! Kubernetes label keys and values (`[prefix/]name` and at most 63 characters).

use super::dns;

/// A label name or value body: letters, digits, `-`, `_`, `.`, alphanumeric at both ends.
fn check_name(s: &str) -> Result<(), String> {
    if s.len() > 63 {
        return Err(format!(
            "is {} characters long; at most 63 are allowed",
            s.len()
        ));
    }
    let ok = |c: char| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.');
    if !s.chars().all(ok) {
        return Err("may contain only letters, digits, '-', '_' and '.'".into());
    }
    if !s.starts_with(|c: char| c.is_ascii_alphanumeric())
        || !s.ends_with(|c: char| c.is_ascii_alphanumeric())
    {
        return Err("must start and end with a letter or digit".into());
    }
    Ok(())
}

/// A label key: an optional DNS subdomain prefix and `/`, then a name of at most 63.
pub fn check_key(key: &str) -> Result<(), String> {
    let (prefix, name) = match key.split_once('/') {
        Some((prefix, name)) => (Some(prefix), name),
        None => (None, key),
    };
    if let Some(prefix) = prefix {
        if prefix.len() > 253 {
            return Err("has a prefix longer than 253 characters".into());
        }
        for label in prefix.split('.') {
            dns::check_label(label)
                .map_err(|e| format!("has a prefix \"{prefix}\" whose part \"{label}\" {e}"))?;
        }
    }
    if name.is_empty() {
        return Err("has an empty name".into());
    }
    check_name(name).map_err(|e| format!("has a name that {e}"))
}

/// A label value: empty, or a name of at most 63 characters.
pub fn check_value(value: &str) -> Result<(), String> {
    if value.is_empty() {
        return Ok(());
    }
    check_name(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys() {
        for ok in ["app", "app.kubernetes.io/name", "team_a", "A.b-c", "x/y"] {
            assert_eq!(check_key(ok), Ok(()), "{ok}");
        }
        for bad in [
            "",
            "/x",
            "a/",
            "-a",
            "a b",
            "Example.com/x",
            "a/b/c",
            &"x".repeat(64),
        ] {
            assert!(check_key(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn values() {
        for ok in ["", "v1", "a-b_c.d", &"x".repeat(63)] {
            assert_eq!(check_value(ok), Ok(()), "{ok}");
        }
        for bad in ["-a", "a b", "a/b", &"x".repeat(64), "é"] {
            assert!(check_value(bad).is_err(), "{bad}");
        }
    }
}

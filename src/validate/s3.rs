//! S3 bucket naming rules (general purpose buckets).

use crate::model::bounds::{BUCKET_MAX_LEN, BUCKET_MIN_LEN};

/// 3..63 characters of lowercase letters, digits, '-' and '.', starting and ending with a
/// letter or digit; no `..`, no IP-address form, no reserved prefixes or suffixes.
pub fn check_bucket(bucket: &str) -> Result<(), String> {
    let len = bucket.len();
    if !(BUCKET_MIN_LEN..=BUCKET_MAX_LEN).contains(&len) {
        return Err(format!(
            "must be {BUCKET_MIN_LEN} to {BUCKET_MAX_LEN} characters long, got {len}"
        ));
    }
    let b = bucket.as_bytes();
    if !b
        .iter()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == b'-' || *c == b'.')
    {
        return Err("may contain only lowercase letters, digits, '-' and '.'".into());
    }
    let alnum = |c: u8| c.is_ascii_lowercase() || c.is_ascii_digit();
    if !alnum(b[0]) || !alnum(b[len - 1]) {
        return Err("must start and end with a lowercase letter or digit".into());
    }
    if bucket.contains("..") || bucket.contains(".-") || bucket.contains("-.") {
        return Err("must not contain '..', '.-' or '-.'".into());
    }
    let octets: Vec<&str> = bucket.split('.').collect();
    if octets.len() == 4 && octets.iter().all(|o| o.parse::<u8>().is_ok()) {
        return Err("must not be formatted as an IP address".into());
    }
    for prefix in ["xn--", "sthree-", "amzn-s3-demo-"] {
        if bucket.starts_with(prefix) {
            return Err(format!(
                "must not start with the reserved prefix \"{prefix}\""
            ));
        }
    }
    for suffix in ["-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3"] {
        if bucket.ends_with(suffix) {
            return Err(format!(
                "must not end with the reserved suffix \"{suffix}\""
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buckets() {
        let cases: &[(&str, Result<(), &str>)] = &[
            ("whoami-data", Ok(())),
            ("my.bucket.01", Ok(())),
            ("abc", Ok(())),
            ("ab", Err("must be 3 to 63 characters long, got 2")),
            (
                "My-Bucket",
                Err("may contain only lowercase letters, digits, '-' and '.'"),
            ),
            (
                "my_bucket",
                Err("may contain only lowercase letters, digits, '-' and '.'"),
            ),
            (
                "-bucket",
                Err("must start and end with a lowercase letter or digit"),
            ),
            (
                "bucket.",
                Err("must start and end with a lowercase letter or digit"),
            ),
            ("my..bucket", Err("must not contain '..', '.-' or '-.'")),
            ("my.-bucket", Err("must not contain '..', '.-' or '-.'")),
            ("192.168.5.4", Err("must not be formatted as an IP address")),
            (
                "xn--bucket",
                Err("must not start with the reserved prefix \"xn--\""),
            ),
            (
                "sthree-bucket",
                Err("must not start with the reserved prefix \"sthree-\""),
            ),
            (
                "bucket-s3alias",
                Err("must not end with the reserved suffix \"-s3alias\""),
            ),
            (
                "bucket--ol-s3",
                Err("must not end with the reserved suffix \"--ol-s3\""),
            ),
        ];
        for (input, expected) in cases {
            assert_eq!(
                check_bucket(input),
                expected.map_err(String::from),
                "{input}"
            );
        }
        assert!(check_bucket(&"a".repeat(64)).is_err());
        assert_eq!(check_bucket(&"a".repeat(63)), Ok(()));
    }
}

//! Kubernetes resource quantities (`100m`, `256Mi`, `1.5`, `2e3`), parsed for comparison.

/// Parses a quantity into its value in base units; `None` when it is not a valid quantity.
pub fn parse(q: &str) -> Option<f64> {
    let (number, suffix) = split(q)?;
    let n: f64 = number.parse().ok()?;
    let factor = match suffix {
        "" => 1.0,
        "n" => 1e-9,
        "u" => 1e-6,
        "m" => 1e-3,
        "k" => 1e3,
        "M" => 1e6,
        "G" => 1e9,
        "T" => 1e12,
        "P" => 1e15,
        "E" => 1e18,
        "Ki" => 1024f64,
        "Mi" => 1024f64.powi(2),
        "Gi" => 1024f64.powi(3),
        "Ti" => 1024f64.powi(4),
        "Pi" => 1024f64.powi(5),
        "Ei" => 1024f64.powi(6),
        s => {
            let exp: i32 = s.strip_prefix(['e', 'E'])?.parse().ok()?;
            10f64.powi(exp)
        }
    };
    Some(n * factor)
}

/// Splits into a signed decimal number and a suffix, checking the number's form.
fn split(q: &str) -> Option<(&str, &str)> {
    let b = q.as_bytes();
    let mut i = 0;
    if i < b.len() && (b[i] == b'+' || b[i] == b'-') {
        i += 1;
    }
    let digits_start = i;
    while i < b.len() && b[i].is_ascii_digit() {
        i += 1;
    }
    let int_digits = i - digits_start;
    let mut frac_digits = 0;
    if i < b.len() && b[i] == b'.' {
        i += 1;
        let s = i;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        frac_digits = i - s;
    }
    if int_digits + frac_digits == 0 {
        return None;
    }
    Some((&q[..i], &q[i..]))
}

/// Checks a quantity used for requests or limits: valid and not negative.
pub fn check(q: &str) -> Result<f64, String> {
    match parse(q) {
        Some(v) if v < 0.0 => Err(format!("\"{q}\" must not be negative")),
        Some(v) => Ok(v),
        None => Err(format!(
            "\"{q}\" is not a Kubernetes quantity; expected e.g. 100m, 0.5, 256Mi, 1Gi"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantities() {
        let cases: &[(&str, Option<f64>)] = &[
            ("100m", Some(0.1)),
            ("1", Some(1.0)),
            ("0.5", Some(0.5)),
            ("256Mi", Some(268435456.0)),
            ("1Gi", Some(1073741824.0)),
            ("1G", Some(1e9)),
            ("2e3", Some(2000.0)),
            ("128974848", Some(128974848.0)),
            ("", None),
            ("Mi", None),
            ("1.5.5", None),
            ("10 Mi", None),
            ("1mi", None),
            ("one", None),
        ];
        for (input, expected) in cases {
            assert_eq!(parse(input), *expected, "{input}");
        }
        assert_eq!(check("-1"), Err("\"-1\" must not be negative".into()));
        assert_eq!(
            check("lots"),
            Err(
                "\"lots\" is not a Kubernetes quantity; expected e.g. 100m, 0.5, 256Mi, 1Gi".into()
            )
        );
    }
}

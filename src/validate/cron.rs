//! Cron schedules as Volsync accepts them: five numeric fields or an `@daily`-style macro.
//!
//! Each field is `*`, `*/n`, `a`, `a-b`, `a/n` or a list `a,b,c` (the forms the Volsync CRD's
//! pattern allows), with every number in the field's range.

const FIELDS: [(&str, u32, u32); 5] = [
    ("minute", 0, 59),
    ("hour", 0, 23),
    ("day of month", 1, 31),
    ("month", 1, 12),
    ("day of week", 0, 6),
];
const MACROS: [&str; 6] = [
    "@annually",
    "@yearly",
    "@monthly",
    "@weekly",
    "@daily",
    "@hourly",
];

fn number(field: &str, text: &str, lo: u32, hi: u32) -> Result<u32, String> {
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!("{field} field: \"{text}\" is not a number"));
    }
    let n: u32 = text
        .parse()
        .map_err(|_| format!("{field} field: \"{text}\" is out of range {lo}-{hi}"))?;
    if n < lo || n > hi {
        return Err(format!("{field} field: {n} is out of range {lo}-{hi}"));
    }
    Ok(n)
}

fn check_field(field: &str, text: &str, lo: u32, hi: u32) -> Result<(), String> {
    if text == "*" {
        return Ok(());
    }
    if let Some(step) = text.strip_prefix("*/") {
        let n = number(field, step, 1, hi.max(1))?;
        return if n == 0 {
            Err(format!("{field} field: step must be positive"))
        } else {
            Ok(())
        };
    }
    if text.contains(',') {
        for item in text.split(',') {
            number(field, item, lo, hi)?;
        }
        return Ok(());
    }
    if let Some((a, b)) = text.split_once('-') {
        let (a, b) = (number(field, a, lo, hi)?, number(field, b, lo, hi)?);
        if a > b {
            return Err(format!("{field} field: range {a}-{b} is reversed"));
        }
        return Ok(());
    }
    if let Some((a, step)) = text.split_once('/') {
        number(field, a, lo, hi)?;
        number(field, step, 1, hi.max(1))?;
        return Ok(());
    }
    number(field, text, lo, hi).map(|_| ())
}

pub fn check(schedule: &str) -> Result<(), String> {
    if schedule.starts_with('@') {
        return if MACROS.contains(&schedule) {
            Ok(())
        } else {
            Err(format!(
                "unknown macro \"{schedule}\"; expected one of: {}",
                MACROS.join(", ")
            ))
        };
    }
    let fields: Vec<&str> = schedule.split(' ').collect();
    if fields.len() != 5 || fields.iter().any(|f| f.is_empty()) {
        return Err(format!(
            "must be a 5-field cron expression (minute hour day-of-month month day-of-week) separated by single spaces, e.g. \"0 2 * * *\"; got \"{schedule}\""
        ));
    }
    for ((name, lo, hi), text) in FIELDS.iter().zip(fields) {
        check_field(name, text, *lo, *hi)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schedules() {
        let ok = [
            "0 2 * * *",
            "*/15 * * * *",
            "0 0 1 1 0",
            "0,30 1-5 * * 6",
            "5/10 * * * *",
            "@daily",
        ];
        for s in ok {
            assert_eq!(check(s), Ok(()), "{s}");
        }
        let bad: &[(&str, &str)] = &[
            (
                "0 2 * *",
                "must be a 5-field cron expression (minute hour day-of-month month day-of-week) separated by single spaces, e.g. \"0 2 * * *\"; got \"0 2 * *\"",
            ),
            ("60 2 * * *", "minute field: 60 is out of range 0-59"),
            ("0 24 * * *", "hour field: 24 is out of range 0-23"),
            ("0 2 0 * *", "day of month field: 0 is out of range 1-31"),
            ("0 2 * 13 *", "month field: 13 is out of range 1-12"),
            ("0 2 * * 7", "day of week field: 7 is out of range 0-6"),
            ("0 2 * JAN *", "month field: \"JAN\" is not a number"),
            ("0 5-2 * * *", "hour field: range 5-2 is reversed"),
            ("*/0 * * * *", "minute field: 0 is out of range 1-59"),
            (
                "@often",
                "unknown macro \"@often\"; expected one of: @annually, @yearly, @monthly, @weekly, @daily, @hourly",
            ),
        ];
        for (input, expected) in bad {
            assert_eq!(check(input), Err(expected.to_string()), "{input}");
        }
    }
}

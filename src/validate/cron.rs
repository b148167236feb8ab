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

/// The values a field allows, as a bit set (bit n = value n), and whether it is
/// unrestricted (`*` or `*/1`: cron then ANDs day of month and day of week, else ORs them).
fn check_field(field: &str, text: &str, lo: u32, hi: u32) -> Result<(u64, bool), String> {
    let range = |from: u32, step: u32| {
        (from..=hi)
            .step_by(step as usize)
            .fold(0, |s, n| s | 1u64 << n)
    };
    if text == "*" {
        return Ok((range(lo, 1), true));
    }
    if let Some(step) = text.strip_prefix("*/") {
        let n = number(field, step, 1, hi.max(1))?;
        return Ok((range(lo, n), n == 1));
    }
    if text.contains(',') {
        let mut set = 0;
        for item in text.split(',') {
            set |= 1u64 << number(field, item, lo, hi)?;
        }
        return Ok((set, false));
    }
    if let Some((a, b)) = text.split_once('-') {
        let (a, b) = (number(field, a, lo, hi)?, number(field, b, lo, hi)?);
        if a > b {
            return Err(format!("{field} field: range {a}-{b} is reversed"));
        }
        return Ok(((a..=b).fold(0, |s, n| s | 1u64 << n), false));
    }
    if let Some((a, step)) = text.split_once('/') {
        let a = number(field, a, lo, hi)?;
        let step = number(field, step, 1, hi.max(1))?;
        return Ok((range(a, step), false));
    }
    number(field, text, lo, hi).map(|n| (1u64 << n, false))
}

/// Days in each month, February in a leap year (29 February does occur).
const MONTH_DAYS: [u32; 12] = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

fn list(set: u64) -> String {
    (0..64)
        .filter(|n| set & (1u64 << n) != 0)
        .map(|n: u32| n.to_string())
        .collect::<Vec<_>>()
        .join(",")
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
    let mut sets = [(0u64, false); 5];
    for (slot, ((name, lo, hi), text)) in sets.iter_mut().zip(FIELDS.iter().zip(fields)) {
        *slot = check_field(name, text, *lo, *hi)?;
    }
    // With the day of week unrestricted, only the days of month count: some allowed month
    // must have one of them (a restricted day of week fires on its weekdays anyway).
    let [_, _, (days, _), (months, _), (_, any_weekday)] = sets;
    let occurs = (1..=12u32)
        .filter(|m| months & (1u64 << m) != 0)
        .any(|m| days & ((1u64 << (MONTH_DAYS[m as usize - 1] + 1)) - 1) != 0);
    if any_weekday && !occurs {
        return Err(format!(
            "never fires: no month it allows ({}) has a day it asks for ({})",
            list(months),
            list(days)
        ));
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
            "0 0 29 2 *",
            "0 0 31 1-2 *",
            "0 0 31 2 1",
            "0 0 30,31 2 */2",
            "0 0 31 */2 *",
            "0 0 31 2/2 *",
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
                "0 0 31 2 *",
                "never fires: no month it allows (2) has a day it asks for (31)",
            ),
            (
                "0 0 30,31 2 */1",
                "never fires: no month it allows (2) has a day it asks for (30,31)",
            ),
            (
                "0 0 31 4,6,9,11 *",
                "never fires: no month it allows (4,6,9,11) has a day it asks for (31)",
            ),
            (
                "0 0 31 4/5 *",
                "never fires: no month it allows (4,9) has a day it asks for (31)",
            ),
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

//! `appspec diff BASE HEAD`: the rendered change object by object, grouped by app, with the verdict on top, as text, a pull-request comment (Markdown) or JSON.

use serde::Serialize;
use serde_json::Value;

use crate::risk::{AppRisk, Change, Comparison, Level, ObjectChange, Report};

/// GitHub refuses a comment body above 65,536 characters; the comment stays under this.
pub const COMMENT_LIMIT: usize = 60_000;
/// At most this many lines of one object's diff in a comment.
pub const OBJECT_LINES: usize = 300;
/// At most this many characters of one object's diff in a comment.
pub const OBJECT_CHARS: usize = 12_000;
/// At most this many characters of one line of a diff in a comment (a huge ConfigMap
/// value is one line).
pub const LINE_CHARS: usize = 400;
/// The marker on the first line of the comment, which the CI example uses to find and
/// update its own comment.
pub const MARKER: &str = "<!-- appspec-diff -->";

/// The YAML of an object as the diff shows it.
fn yaml(v: Option<&Value>) -> String {
    v.map(|v| crate::input::yaml::to_string(v).unwrap_or_else(|e| format!("# cannot write: {e}\n")))
        .unwrap_or_default()
}

/// The unified diff of one object (`--- base/<object>`, `+++ head/<object>`; `/dev/null`
/// for a side without it).
pub fn unified(o: &ObjectChange) -> String {
    let (a, b) = (yaml(o.base.as_ref()), yaml(o.head.as_ref()));
    let name = |side: &str, present: bool| {
        if present {
            format!("{side}/{}", o.object)
        } else {
            "/dev/null".to_string()
        }
    };
    similar::TextDiff::from_lines(&a, &b)
        .unified_diff()
        .context_radius(3)
        .header(
            &name("base", o.base.is_some()),
            &name("head", o.head.is_some()),
        )
        .to_string()
}

fn change_word(c: Change) -> &'static str {
    match c {
        Change::Added => "added",
        Change::Removed => "removed",
        Change::Modified => "modified",
        Change::Unchanged => "unchanged",
    }
}

/// The entries worth showing: those with a reason or a changed object.
fn shown(c: &Comparison) -> impl Iterator<Item = (&AppRisk, &Vec<ObjectChange>)> {
    c.report
        .apps
        .iter()
        .zip(&c.objects)
        .filter(|(a, o)| !a.reasons.is_empty() || !o.is_empty() || a.change != Change::Unchanged)
}

/// The text form: the risk report, then each app's objects as unified diffs.
pub fn to_text(c: &Comparison) -> String {
    let mut out = c.report.to_text();
    for (app, objects) in shown(c) {
        if objects.is_empty() {
            continue;
        }
        out.push_str(&format!(
            "\n=== {} ({})\n",
            crate::input::diagnostic::escape(&app.app),
            change_word(app.change)
        ));
        for o in objects {
            for line in unified(o).lines() {
                out.push_str(&crate::input::diagnostic::escape(line));
                out.push('\n');
            }
        }
    }
    out
}

#[derive(Serialize)]
struct JsonObject<'a> {
    object: &'a str,
    change: Change,
    diff: String,
    base: &'a Option<Value>,
    head: &'a Option<Value>,
}

#[derive(Serialize)]
struct JsonApp<'a> {
    #[serde(flatten)]
    risk: &'a AppRisk,
    objects: Vec<JsonObject<'a>>,
}

#[derive(Serialize)]
struct JsonDiff<'a> {
    level: Level,
    apps: Vec<JsonApp<'a>>,
}

/// The JSON form: the risk report, each entry with its objects (unified diff, base, head).
pub fn to_json(c: &Comparison) -> Result<String, serde_json::Error> {
    let apps = c
        .report
        .apps
        .iter()
        .zip(&c.objects)
        .map(|(risk, objects)| JsonApp {
            risk,
            objects: objects
                .iter()
                .map(|o| JsonObject {
                    object: &o.object,
                    change: o.change,
                    diff: unified(o),
                    base: &o.base,
                    head: &o.head,
                })
                .collect(),
        })
        .collect();
    let doc = JsonDiff {
        level: c.report.level,
        apps,
    };
    Ok(format!("{}\n", serde_json::to_string_pretty(&doc)?))
}

/// Text safe inside Markdown (`markdown`: the characters that make links, emphasis or
/// code are escaped too) or HTML (the `<summary>` of a section, where Markdown is not
/// read): `<`, `>`, `&` as entities, control characters and line breaks as spaces, and
/// `@` and `#` kept from mentioning people or linking issues.
fn escape(text: &str, markdown: bool) -> String {
    let mut out = String::with_capacity(text.len());
    for ch in text.chars() {
        match ch {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' if !markdown => out.push_str("&quot;"),
            '@' | '#' => {
                out.push(ch);
                out.push('\u{200b}');
            }
            c if c.is_control() => out.push(' '),
            '\\' | '`' | '*' | '_' | '[' | ']' | '(' | ')' | '!' | '|' | '~' if markdown => {
                out.push('\\');
                out.push(ch);
            }
            c => out.push(c),
        }
    }
    out
}

fn md(text: &str) -> String {
    escape(text, true)
}

fn html(text: &str) -> String {
    escape(text, false)
}

/// A code fence longer than any run of backticks in `text`.
fn fence(text: &str) -> String {
    let mut longest = 0;
    let mut run = 0;
    for ch in text.chars() {
        run = if ch == '`' { run + 1 } else { 0 };
        longest = longest.max(run);
    }
    "`".repeat((longest + 1).max(3))
}

/// One object's diff for the comment, cut to [`OBJECT_LINES`] lines, [`OBJECT_CHARS`]
/// characters and [`LINE_CHARS`] per line, saying what was cut.
fn capped(o: &ObjectChange) -> String {
    let full = unified(o);
    let total_lines = full.lines().count();
    let mut out = String::new();
    let mut lines = 0;
    let mut long = 0;
    for line in full.lines() {
        if lines == OBJECT_LINES || out.len() >= OBJECT_CHARS {
            break;
        }
        let chars = line.chars().count();
        if chars > LINE_CHARS {
            long += 1;
            out.extend(line.chars().take(LINE_CHARS));
            out.push_str(&format!(
                " [... {} more characters cut]",
                chars - LINE_CHARS
            ));
        } else {
            out.push_str(line);
        }
        out.push('\n');
        lines += 1;
    }
    if lines < total_lines {
        out.push_str(&format!(
            "[... {} more lines of {} cut: {total_lines} lines in all; run appspec diff for the whole object]\n",
            total_lines - lines,
            o.object
        ));
    } else if long > 0 {
        out.push_str(&format!(
            "[{long} long lines cut at {LINE_CHARS} characters]\n"
        ));
    }
    out
}

/// The pull-request comment: the verdict and its reasons on top, then one collapsible
/// section per app (or object no app makes) with its objects' diffs, each capped, the
/// whole under [`COMMENT_LIMIT`] characters. Deterministic: the order is the report's.
pub fn to_markdown(c: &Comparison) -> String {
    let report: &Report = &c.report;
    let level = match report.level {
        Level::High => "**high**: a person reviews this change",
        Level::Low => "**low**: may merge on its own",
    };
    let mut head = format!("{MARKER}\n### AppSpec: risk {level}\n\n");
    let entries: Vec<_> = shown(c).collect();
    if entries.is_empty() {
        head.push_str("No rendered object changes.\n");
        return head;
    }
    // The reasons, capped so the sections keep room.
    let mut reasons = String::new();
    let mut left_out = 0;
    for (app, _) in &entries {
        let mut line = format!("- `{}` ({})", md_code(&app.app), change_word(app.change));
        if app.reasons.is_empty() {
            line.push('\n');
        } else {
            line.push('\n');
            for r in &app.reasons {
                let mark = if r.code.is_high() { "**high**" } else { "low" };
                line.push_str(&format!(
                    "  - {mark} `{}`: {}\n",
                    r.code.as_str(),
                    md(&r.message)
                ));
            }
        }
        if reasons.len() + line.len() > COMMENT_LIMIT / 2 {
            left_out += 1;
        } else {
            reasons.push_str(&line);
        }
    }
    if left_out > 0 {
        reasons.push_str(&format!(
            "- ... {left_out} more entries not listed (comment size limit); run `appspec diff` for all of them\n"
        ));
    }
    let mut out = head;
    out.push_str(&reasons);
    out.push('\n');
    let mut omitted = Vec::new();
    for (app, objects) in &entries {
        if objects.is_empty() {
            continue;
        }
        let summary = format!(
            "<details><summary>{} ({}, {} object{})</summary>\n\n",
            html(&app.app),
            change_word(app.change),
            objects.len(),
            if objects.len() == 1 { "" } else { "s" }
        );
        // Room for this section's closing lines and the note of what was left out.
        let room =
            COMMENT_LIMIT.saturating_sub(out.chars().count() + summary.chars().count() + 600);
        let mut body = String::new();
        let mut used = 0;
        let mut included = 0;
        for o in objects.iter() {
            let diff = capped(o);
            let n = diff.chars().count();
            if used + n > room {
                break;
            }
            body.push_str(&diff);
            used += n;
            included += 1;
        }
        if included == 0 {
            omitted.push(app.app.as_str());
            continue;
        }
        if included < objects.len() {
            body.push_str(&format!(
                "[... {} more objects of this section not shown (GitHub's comment size limit)]\n",
                objects.len() - included
            ));
        }
        let f = fence(&body);
        out.push_str(&format!("{summary}{f}diff\n{body}{f}\n\n</details>\n"));
    }
    if !omitted.is_empty() {
        out.push_str(&format!(
            "\n{} section{} not shown (GitHub's comment size limit): {}. Run `appspec diff BASE HEAD` for them.\n",
            omitted.len(),
            if omitted.len() == 1 { "" } else { "s" },
            md(&omitted.iter().take(20).copied().collect::<Vec<_>>().join(", "))
        ));
    }
    out
}

/// Text inside an inline code span: backticks replaced, control characters as spaces.
fn md_code(text: &str) -> String {
    text.chars()
        .map(|c| if c == '`' || c.is_control() { '\'' } else { c })
        .collect()
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::risk::Reason;
    use crate::risk::reasons::Code;

    fn comparison(objects: Vec<ObjectChange>, level: Level) -> Comparison {
        let reasons = vec![Reason {
            code: Code::ObjectChanged,
            message: "ConfigMap shop/big changes <b>[x](y)</b>".into(),
        }];
        Comparison {
            report: Report {
                level,
                apps: vec![AppRisk {
                    app: "ConfigMap shop/big".into(),
                    change: Change::Modified,
                    reasons,
                }],
            },
            objects: vec![objects],
        }
    }

    fn config_map(data: &str) -> Value {
        json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "big", "namespace": "shop"}, "data": {"a": data}})
    }

    #[test]
    fn unified_diff_of_an_object() {
        let o = ObjectChange {
            object: "ConfigMap shop/big".into(),
            change: Change::Modified,
            base: Some(config_map("1")),
            head: Some(config_map("2")),
        };
        let d = unified(&o);
        assert!(
            d.starts_with("--- base/ConfigMap shop/big\n+++ head/ConfigMap shop/big\n@@"),
            "{d}"
        );
        assert!(
            d.contains("\n-  a: '1'\n+  a: '2'\n") || d.contains("\n-  a: \"1\"\n+  a: \"2\"\n"),
            "{d}"
        );
        let added = ObjectChange {
            base: None,
            change: Change::Added,
            ..o
        };
        assert!(unified(&added).starts_with("--- /dev/null\n+++ head/"));
    }

    /// A huge ConfigMap is cut per line and per object, saying so; the comment stays under
    /// the limit and the verdict stays on top; the text in it cannot close the fence or
    /// inject HTML.
    #[test]
    fn comment_is_capped_and_escaped() {
        let huge: String = (0..5000).map(|i| format!("line {i} ```\n")).collect();
        let long = "x".repeat(100_000);
        let objects = (0..30)
            .map(|i| ObjectChange {
                object: format!("ConfigMap shop/big-{i}"),
                change: Change::Modified,
                base: Some(config_map(&long)),
                head: Some(config_map(&format!("{huge}{i}"))),
            })
            .collect();
        let md = to_markdown(&comparison(objects, Level::High));
        assert!(md.chars().count() <= COMMENT_LIMIT, "{}", md.len());
        assert!(md.starts_with(MARKER));
        assert!(md.contains("risk **high**"));
        assert!(md.contains("more characters cut]"));
        assert!(md.contains("more lines of ConfigMap shop/big-0 cut"));
        assert!(
            md.contains("````diff"),
            "the fence is longer than the content's backticks"
        );
        assert!(!md.contains("<b>"));
        assert_eq!(
            md,
            to_markdown(&comparison(
                (0..30)
                    .map(|i| ObjectChange {
                        object: format!("ConfigMap shop/big-{i}"),
                        change: Change::Modified,
                        base: Some(config_map(&long)),
                        head: Some(config_map(&format!("{huge}{i}"))),
                    })
                    .collect(),
                Level::High,
            )),
            "deterministic"
        );
    }
}

//! YAML in and out: bounded parsing (size, nesting, aliases) and anchor-free output.

use serde_json::Value;
use thiserror::Error;

/// Stack size for threads that parse or write YAML: deep documents recurse, and the depth
/// limit is only safe with a stack of this size (reserved, not touched: only the pages a
/// deep document uses are ever mapped).
pub const STACK_SIZE: usize = 256 * 1024 * 1024;

/// Nesting that runs on the caller's stack: a document at most this deep needs well under
/// 1 MiB of stack (release build; about 1 MiB unoptimized), so only deeper input pays for a
/// worker thread with a [`STACK_SIZE`] stack.
pub const INLINE_DEPTH: usize = 32;

impl Limits {
    /// These limits with the nesting capped at [`INLINE_DEPTH`]: a first parse with them
    /// runs on any stack, and tells whether the input needs a bigger one.
    pub fn inline(&self) -> Limits {
        Limits {
            max_depth: self.max_depth.min(INLINE_DEPTH),
            ..*self
        }
    }
}

thread_local! {
    static WORKERS: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

/// How many worker threads [`with_big_stack`] has started from the current thread (tests
/// use it to check that shallow input takes none).
pub fn workers_started() -> usize {
    WORKERS.with(std::cell::Cell::get)
}

/// Runs `f` on a thread with a stack of [`STACK_SIZE`].
pub fn with_big_stack<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    WORKERS.with(|w| w.set(w.get() + 1));
    std::thread::Builder::new()
        .stack_size(STACK_SIZE)
        .spawn(f)
        .expect("cannot start the worker thread")
        .join()
        .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
}

/// Default largest input accepted, in bytes.
pub const DEFAULT_MAX_BYTES: usize = 64 * 1024 * 1024;

/// Bounds on what one input may cost to parse.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    pub max_bytes: usize,
    pub max_depth: usize,
    pub max_aliases: usize,
    pub max_nodes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_bytes: DEFAULT_MAX_BYTES,
            max_depth: 128,
            max_aliases: 10_000,
            max_nodes: 20_000_000,
        }
    }
}

#[derive(Debug, Error)]
pub enum YamlError {
    #[error("input is {size} bytes, above the limit of {limit} bytes")]
    TooLarge { size: usize, limit: usize },
    #[error("{0}")]
    Syntax(String),
    /// Nested deeper than the limit's `max_depth`.
    #[error("{0}")]
    TooDeep(String),
    #[error("cannot write YAML: {0}")]
    Write(String),
}

/// What aliases may add to a document beyond its own text: nodes, and copies of anchored
/// events kept for replay (about 240 bytes each).
const ALIAS_NODES: usize = 100_000;
const ALIAS_RECORDED_EVENTS: usize = 10_000;

/// The parser's budget for `text_len` bytes of input. Without aliases a document has fewer
/// nodes than bytes, so the node and anchor budgets grow with the input: an alias bomb is
/// refused after a few MB, not after the fixed budgets' hundreds.
fn options(limits: &Limits, text_len: usize) -> serde_saphyr::Options {
    let mut budget = serde_saphyr::Budget::default();
    budget.max_reader_input_bytes = Some(limits.max_bytes);
    budget.max_depth = limits.max_depth;
    budget.flow_nesting_limit = limits.max_depth;
    budget.max_aliases = limits.max_aliases;
    budget.max_nodes = limits.max_nodes.min(text_len.saturating_add(ALIAS_NODES));
    budget.max_events = budget.max_nodes.saturating_mul(4);
    budget.max_documents = 1_000_000;
    budget.max_total_scalar_bytes = limits.max_bytes;
    budget.max_recorded_anchor_bytes = limits.max_bytes.min(text_len.saturating_add(1 << 20));
    budget.max_recorded_anchor_events = budget
        .max_recorded_anchor_events
        .min(text_len / 2 + ALIAS_RECORDED_EVENTS);
    let mut opts = serde_saphyr::Options::default();
    opts.budget = Some(budget);
    // Read scalars as kustomize (yaml.v3) and Argo CD do: `0644` is octal 420, `017` is
    // 15, and `yes`/`no`/`on`/`off` are strings, not booleans.
    opts.legacy_octal_numbers = true;
    opts.strict_booleans = true;
    opts
}

fn check_size(text: &str, limits: &Limits) -> Result<(), YamlError> {
    if text.len() > limits.max_bytes {
        return Err(YamlError::TooLarge {
            size: text.len(),
            limit: limits.max_bytes,
        });
    }
    Ok(())
}

/// One readable line: no source snippet, no parser internals.
fn syntax(e: serde_saphyr::Error) -> YamlError {
    let text = e.without_snippet().to_string();
    let line = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if let Some(rest) = line.split("budget breached: ").nth(1) {
        let breach: String = rest.chars().take_while(|c| c.is_alphanumeric()).collect();
        let what = match breach.as_str() {
            "Aliases" | "AliasAnchorRatio" | "RecordedAnchorEvents" | "RecordedAnchorBytes" => {
                "too much alias expansion (a YAML alias bomb?)"
            }
            "Depth" | "FlowNesting" => {
                return YamlError::TooDeep(format!(
                    "input refused by the YAML parser's limits: nesting too deep ({breach})"
                ));
            }
            "Documents" => "too many documents",
            "Anchors" => "too many anchors",
            _ => "too large",
        };
        return YamlError::Syntax(format!(
            "input refused by the YAML parser's limits: {what} ({breach})"
        ));
    }
    if line.starts_with("recursion limit exceeded") {
        // The scanner's flow nesting limit (it may fire before the budget's depth).
        return YamlError::TooDeep(line);
    }
    if line.contains("from_str_multiple") || line.contains("multiple documents") {
        return YamlError::Syntax("more than one YAML document where one was expected".into());
    }
    YamlError::Syntax(line)
}

/// Parses one YAML (or JSON) document.
pub fn parse_one(text: &str, limits: &Limits) -> Result<Value, YamlError> {
    check_size(text, limits)?;
    serde_saphyr::from_str_with_options(text, options(limits, text.len())).map_err(syntax)
}

/// Parses a stream of documents; empty documents are skipped.
pub fn parse_stream(text: &str, limits: &Limits) -> Result<Vec<Value>, YamlError> {
    check_size(text, limits)?;
    let docs: Vec<Value> =
        serde_saphyr::from_multiple_with_options(text, options(limits, text.len()))
            .map_err(syntax)?;
    Ok(docs.into_iter().filter(|d| !d.is_null()).collect())
}

/// Parses a stream, keeping each document's index in the stream (empty ones skipped).
pub fn parse_stream_indexed(text: &str, limits: &Limits) -> Result<Vec<(usize, Value)>, YamlError> {
    check_size(text, limits)?;
    let docs: Vec<Value> =
        serde_saphyr::from_multiple_with_options(text, options(limits, text.len()))
            .map_err(syntax)?;
    Ok(docs
        .into_iter()
        .enumerate()
        .filter(|(_, d)| !d.is_null())
        .collect())
}

/// Writes one document. Values never carry anchors, so the output has none.
pub fn to_string<T: serde::Serialize>(value: &T) -> Result<String, YamlError> {
    serde_saphyr::to_string(value).map_err(|e| YamlError::Write(e.to_string()))
}

/// Writes a multi-document stream (`---` between documents).
pub fn to_stream<T: serde::Serialize>(values: &[T]) -> Result<String, YamlError> {
    let mut out = String::new();
    for v in values {
        push_document(&mut out, v)?;
    }
    Ok(out)
}

/// Appends one document of a stream to `out` (`---` first, a newline last), written in
/// place: what [`to_stream`] writes for it.
pub fn push_document<T: serde::Serialize>(out: &mut String, value: &T) -> Result<(), YamlError> {
    out.push_str("---\n");
    serde_saphyr::to_fmt_writer(out, value).map_err(|e| YamlError::Write(e.to_string()))?;
    if !out.ends_with('\n') {
        out.push('\n');
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_ambiguous_strings_quoted() {
        let doc = parse_one(
            "a: \"yes\"\nb: \"1.0\"\nc: \"null\"\nd: \"- x\"\ne: \"k: v\"\nf: \"#c\"\n",
            &Limits::default(),
        )
        .unwrap();
        let text = to_string(&doc).unwrap();
        assert_eq!(parse_one(&text, &Limits::default()).unwrap(), doc, "{text}");
    }

    #[test]
    fn scalars_mean_what_kustomize_reads() {
        let doc = parse_one(
            "a: 0644\nb: yes\nc: 017\nd: no\ne: true\nf: 0o17\n",
            &Limits::default(),
        )
        .unwrap();
        assert_eq!(
            doc,
            serde_json::json!({"a": 420, "b": "yes", "c": 15, "d": "no", "e": true, "f": 15})
        );
    }

    #[test]
    fn json_input_gives_yaml_output() {
        let doc = parse_one(r#"{"kind": "X", "n": [1, 2]}"#, &Limits::default()).unwrap();
        assert_eq!(to_string(&doc).unwrap(), "kind: X\n\"n\":\n- 1\n- 2\n");
    }

    #[test]
    fn aliases_are_expanded_not_written() {
        let doc = parse_one("a: &x {k: v}\nb: *x\n", &Limits::default()).unwrap();
        let text = to_string(&doc).unwrap();
        assert!(!text.contains('&') && !text.contains('*'), "{text}");
    }

    #[test]
    fn size_limit() {
        let limits = Limits {
            max_bytes: 10,
            ..Limits::default()
        };
        let err = parse_one("a: 0123456789", &limits).unwrap_err();
        assert_eq!(
            err.to_string(),
            "input is 13 bytes, above the limit of 10 bytes"
        );
    }

    #[test]
    fn depth_limit() {
        for depth in [200, 100_000] {
            let deep = format!("{}1{}", "[".repeat(depth), "]".repeat(depth));
            let err = with_big_stack(move || parse_one(&deep, &Limits::default()).map(|_| ()));
            assert!(err.is_err(), "{depth}");
        }
        let block = (0..300)
            .map(|i| format!("{}k:", " ".repeat(i)))
            .collect::<Vec<_>>()
            .join("\n");
        assert!(with_big_stack(move || parse_one(
            &block,
            &Limits::default()
        )
        .is_err()));
        let ok = format!("{}1{}", "[".repeat(100), "]".repeat(100));
        assert!(with_big_stack(
            move || parse_one(&ok, &Limits::default()).is_ok()
        ));
    }

    #[test]
    fn billion_laughs_is_refused() {
        let mut text = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 1..10 {
            let refs = vec![format!("*a{}", i - 1); 10].join(", ");
            text.push_str(&format!("a{i}: &a{i} [{refs}]\n"));
        }
        assert!(parse_one(&text, &Limits::default()).is_err());
    }
}

//! Problems found in the input: a field path and a message, tied to a resource and a file.

use std::fmt;

/// How bad a problem is; only errors fail a run.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
pub enum Severity {
    Error,
    Warning,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        }
    }
}

/// One problem in one resource: the field path (`spec.storage.nas.subpath`) and a message.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Issue {
    pub severity: Severity,
    pub path: String,
    pub message: String,
}

impl Issue {
    pub fn error(path: impl Into<String>, message: impl Into<String>) -> Self {
        Issue {
            severity: Severity::Error,
            path: path.into(),
            message: message.into(),
        }
    }

    pub fn warning(path: impl Into<String>, message: impl Into<String>) -> Self {
        Issue {
            severity: Severity::Warning,
            path: path.into(),
            message: message.into(),
        }
    }
}

/// The resource a problem belongs to.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ResourceRef {
    pub api_version: String,
    pub kind: String,
    pub name: String,
    pub namespace: Option<String>,
}

/// `kind/namespace/name` (Flux's form), or `kind/name` without a namespace.
impl fmt::Display for ResourceRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = if self.kind.is_empty() {
            "<unknown kind>"
        } else {
            &self.kind
        };
        let name = if self.name.is_empty() {
            "<unnamed>"
        } else {
            &self.name
        };
        match self.namespace.as_deref().filter(|ns| !ns.is_empty()) {
            Some(ns) => write!(f, "{kind}/{ns}/{name}"),
            None => write!(f, "{kind}/{name}"),
        }
    }
}

/// Where a resource sits in its file: the index of its YAML document in the stream (empty
/// documents counted, as a parser sees them) and, for an item of a `kind: List`, the path
/// of the item inside that document (`items[2].`).
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Document {
    pub index: usize,
    pub prefix: String,
}

/// An issue located in a resource of a file: what the user sees.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Diagnostic {
    /// Source file, when known (`config.kubernetes.io/path` or the file read by the CLI).
    pub file: Option<String>,
    pub resource: Option<ResourceRef>,
    /// The resource's document in `file`, when it was read from a file with positions.
    pub document: Option<Document>,
    pub issue: Issue,
}

impl Diagnostic {
    pub fn is_error(&self) -> bool {
        self.issue.severity == Severity::Error
    }
}

impl Diagnostic {
    /// `kind/namespace/name: field: message`, without the file.
    pub fn describe(&self) -> String {
        Described(self).to_string()
    }
}

struct Described<'a>(&'a Diagnostic);

impl fmt::Display for Described<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let d = self.0;
        if let Some(resource) = &d.resource {
            write!(f, "{}: ", escape(&resource.to_string()))?;
        }
        if !d.issue.path.is_empty() {
            write!(f, "{}: ", escape(&d.issue.path))?;
        }
        if d.issue.severity == Severity::Warning {
            write!(f, "warning: ")?;
        }
        write!(f, "{}", escape(&d.issue.message))
    }
}

/// Makes text from the input safe to print on one line: control characters (newlines,
/// ANSI escapes, C1 controls) and bidirectional overrides are written as `\u{..}`
/// escapes, so a name cannot forge extra lines or recolour a terminal or a CI comment.
pub fn escape(text: &str) -> std::borrow::Cow<'_, str> {
    let unsafe_char =
        |c: char| c.is_control() || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}');
    if !text.chars().any(unsafe_char) {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if unsafe_char(c) => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
            c => out.push(c),
        }
    }
    std::borrow::Cow::Owned(out)
}

/// `file: kind/namespace/name: field: message`, the one-line form printed on stderr.
impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: {}",
            escape(self.file.as_deref().unwrap_or("<stdin>")),
            self.describe()
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn printed_lines_cannot_be_forged() {
        let d = Diagnostic {
            file: Some("a\nb.yaml".into()),
            resource: Some(ResourceRef {
                kind: "AppSpec".into(),
                name: "web\nevil.yaml: AppSpec/x: all good\u{1b}[32m".into(),
                ..ResourceRef::default()
            }),
            document: None,
            issue: Issue::error("metadata.name", "bad \u{202e}name\r"),
        };
        let line = d.to_string();
        assert!(!line.chars().any(char::is_control), "{line}");
        assert_eq!(
            line,
            "a\\nb.yaml: AppSpec/web\\nevil.yaml: AppSpec/x: all good\\u{1b}[32m: metadata.name: bad \\u{202e}name\\r"
        );
    }
}

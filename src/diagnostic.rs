//! Problems found in the input: a field path and a message, tied to a resource and a file.

use std::fmt;

/// How bad a problem is; only errors fail a run.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
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
#[derive(Clone, Debug, PartialEq, Eq)]
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
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ResourceRef {
    pub api_version: String,
    pub kind: String,
    pub name: String,
    pub namespace: Option<String>,
}

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
        write!(f, "{kind}/{name}")
    }
}

/// An issue located in a resource of a file: what the user sees.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    /// Source file, when known (`config.kubernetes.io/path` or the file read by the CLI).
    pub file: Option<String>,
    pub resource: Option<ResourceRef>,
    pub issue: Issue,
}

impl Diagnostic {
    pub fn is_error(&self) -> bool {
        self.issue.severity == Severity::Error
    }
}

impl Diagnostic {
    /// `kind/name: field: message`, without the file.
    pub fn describe(&self) -> String {
        Described(self).to_string()
    }
}

struct Described<'a>(&'a Diagnostic);

impl fmt::Display for Described<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let d = self.0;
        if let Some(resource) = &d.resource {
            write!(f, "{resource}: ")?;
        }
        if !d.issue.path.is_empty() {
            write!(f, "{}: ", d.issue.path)?;
        }
        if d.issue.severity == Severity::Warning {
            write!(f, "warning: ")?;
        }
        write!(f, "{}", d.issue.message)
    }
}

/// `file: kind/name: field: message`, the one-line form printed on stderr.
impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: {}",
            self.file.as_deref().unwrap_or("<stdin>"),
            self.describe()
        )
    }
}

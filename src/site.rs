//! A platform ready for use: its checked configuration and compiled naming templates.

use crate::diagnostic::Issue;
use crate::platform::Platform;
use crate::template::Templates;

#[derive(Debug)]
pub struct Site {
    pub config: Platform,
    pub templates: Templates,
}

impl Site {
    /// Checks the configuration and compiles its templates; all problems are returned.
    pub fn new(config: Platform) -> (Site, Vec<Issue>) {
        let mut issues = crate::validate::platform::check(&config);
        let (templates, template_issues) = Templates::compile(&config);
        issues.extend(template_issues);
        (Site { config, templates }, issues)
    }
}

impl Default for Site {
    fn default() -> Self {
        Site::new(Platform::default()).0
    }
}

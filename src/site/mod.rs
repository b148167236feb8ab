//! A platform ready for use: its checked configuration and compiled naming templates.

pub mod template;
use crate::input::diagnostic::Issue;
use crate::model::platform::Platform;
use crate::site::template::Templates;

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

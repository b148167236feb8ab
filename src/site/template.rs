//! The platform's naming schemes: minijinja templates rendered in strict mode.

use minijinja::{Environment, UndefinedBehavior};
use serde::Serialize;

use crate::input::diagnostic::Issue;
use crate::model::platform::Platform;

/// The templates of a platform, by purpose.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scheme {
    InternalHost,
    ExternalHost,
    Repository,
    S3CredentialsKey,
}

impl Scheme {
    const ALL: [Scheme; 4] = [
        Scheme::InternalHost,
        Scheme::ExternalHost,
        Scheme::Repository,
        Scheme::S3CredentialsKey,
    ];

    fn name(self) -> &'static str {
        match self {
            Scheme::InternalHost => "internal-host",
            Scheme::ExternalHost => "external-host",
            Scheme::Repository => "repository",
            Scheme::S3CredentialsKey => "s3-credentials-key",
        }
    }

    /// Field path of the template in the PlatformConfig.
    pub fn path(self) -> &'static str {
        match self {
            Scheme::InternalHost => "spec.ingress.internal.hostTemplate",
            Scheme::ExternalHost => "spec.ingress.external.hostTemplate",
            Scheme::Repository => "spec.backup.volsync.repositoryTemplate",
            Scheme::S3CredentialsKey => "spec.storage.s3.credentialsKeyTemplate",
        }
    }

    fn source(self, p: &Platform) -> &str {
        match self {
            Scheme::InternalHost => &p.ingress.internal.host_template,
            Scheme::ExternalHost => &p.ingress.external.host_template,
            Scheme::Repository => &p.backup.volsync.repository_template,
            Scheme::S3CredentialsKey => &p.storage.s3.credentials_key_template,
        }
    }

    /// The variables a template of this scheme may use.
    pub fn variables(self) -> &'static str {
        match self {
            Scheme::InternalHost | Scheme::ExternalHost => "name, namespace, domain",
            Scheme::Repository => "name, namespace",
            Scheme::S3CredentialsKey => "name, namespace, bucket",
        }
    }

    fn is_host(self) -> bool {
        matches!(self, Scheme::InternalHost | Scheme::ExternalHost)
    }

    fn sample(self, p: &Platform) -> Vars<'_> {
        let base = Vars {
            name: "app",
            namespace: "team",
            domain: None,
            bucket: None,
        };
        match self {
            Scheme::InternalHost => Vars {
                domain: Some(&p.dns.internal_domain),
                ..base
            },
            Scheme::ExternalHost => Vars {
                domain: Some(&p.dns.external_domain),
                ..base
            },
            Scheme::Repository => base,
            Scheme::S3CredentialsKey => Vars {
                bucket: Some("bucket"),
                ..base
            },
        }
    }
}

/// The values a template sees; absent ones are undefined (an error in strict mode).
#[derive(Clone, Copy, Debug, Serialize)]
pub struct Vars<'a> {
    pub name: &'a str,
    pub namespace: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub domain: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bucket: Option<&'a str>,
}

/// Compiled naming templates of one platform.
pub struct Templates {
    env: Environment<'static>,
}

impl std::fmt::Debug for Templates {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Templates")
    }
}

/// Bounds the work of one rendering, so a hostile template cannot loop for long.
const FUEL: u64 = 10_000;

impl Templates {
    /// Compiles the platform's templates and test-renders each with sample values, so a
    /// syntax error or an unknown variable is reported once, on the PlatformConfig.
    pub fn compile(platform: &Platform) -> (Templates, Vec<Issue>) {
        let mut env = Environment::new();
        env.set_undefined_behavior(UndefinedBehavior::Strict);
        env.set_fuel(Some(FUEL));
        let mut issues = Vec::new();
        for scheme in Scheme::ALL {
            if let Err(e) =
                env.add_template_owned(scheme.name(), scheme.source(platform).to_string())
            {
                issues.push(Issue::error(
                    scheme.path(),
                    format!("template does not compile: {}", describe(&e)),
                ));
            }
        }
        let templates = Templates { env };
        for scheme in Scheme::ALL {
            if issues.iter().any(|i| i.path == scheme.path()) {
                continue;
            }
            let sample = scheme.sample(platform);
            match templates.render(scheme, sample) {
                Err(e) => {
                    let unknown = unknown_variables(scheme.source(platform), scheme.variables());
                    let detail = if unknown.is_empty() {
                        e
                    } else {
                        format!("undefined variable {}", unknown.join(", "))
                    };
                    issues.push(Issue::error(
                        scheme.path(),
                        format!(
                            "template fails to render: {detail}; available variables: {}",
                            scheme.variables()
                        ),
                    ));
                }
                // A host scheme must give a DNS name for ordinary values.
                Ok(host) if scheme.is_host() => {
                    if let Err(e) = crate::validate::dns::check_host(&host) {
                        issues.push(Issue::error(
                            scheme.path(),
                            format!(
                                "template renders \"{host}\" for name={}, namespace={}, which is not a valid DNS name: {e}",
                                sample.name, sample.namespace
                            ),
                        ));
                    }
                }
                Ok(_) => {}
            }
        }
        (templates, issues)
    }

    /// Renders one scheme; the message says why it failed.
    pub fn render(&self, scheme: Scheme, vars: Vars<'_>) -> Result<String, String> {
        let template = self
            .env
            .get_template(scheme.name())
            .map_err(|e| describe(&e))?;
        template
            .render(minijinja::value::Serde(vars))
            .map_err(|e| describe(&e))
    }
}

/// The `{{ variable }}` names a template uses that the scheme does not provide: each
/// identifier right after `{{`, `{{-` and spaces (only for the message of a failed render).
fn unknown_variables(source: &str, available: &str) -> Vec<String> {
    let known: Vec<&str> = available.split(", ").collect();
    let mut out: Vec<String> = Vec::new();
    let mut rest = source;
    while let Some(at) = rest.find("{{") {
        let after = &rest[at + 2..];
        let body = after.strip_prefix('-').unwrap_or(after).trim_start();
        let len = body
            .bytes()
            .enumerate()
            .take_while(|&(i, c)| {
                c == b'_' || c.is_ascii_alphabetic() || (i > 0 && c.is_ascii_digit())
            })
            .count();
        if len == 0 {
            rest = &rest[at + 1..];
            continue;
        }
        let name = format!("\"{}\"", &body[..len]);
        if !known.contains(&&body[..len]) && !out.contains(&name) {
            out.push(name);
        }
        rest = &body[len..];
    }
    out
}

fn describe(e: &minijinja::Error) -> String {
    match e.detail() {
        Some(detail) => format!("{} ({detail})", e.kind()),
        None => e.kind().to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_variables_are_named() {
        let known = "name, namespace, domain";
        let cases: &[(&str, &[&str])] = &[
            ("{{ name }}.{{ domain }}", &[]),
            ("{{ nme }}.{{-zone}}.{{ nme }}", &["\"nme\"", "\"zone\""]),
            ("{{{x}}", &["\"x\""]),
            ("{{ 1a }}{{ }}{{- }}", &[]),
            ("{{name|upper}}-{{ region_2 }}", &["\"region_2\""]),
            ("{{\tapp }}", &["\"app\""]),
        ];
        for (source, expected) in cases {
            assert_eq!(unknown_variables(source, known), *expected, "{source}");
        }
    }

    #[test]
    fn default_templates_render() {
        let (t, issues) = Templates::compile(&Platform::default());
        assert!(issues.is_empty(), "{issues:?}");
        let vars = Vars {
            name: "whoami",
            namespace: "web",
            domain: Some("in.hypyr.space"),
            bucket: None,
        };
        assert_eq!(
            t.render(Scheme::InternalHost, vars).unwrap(),
            "whoami.in.hypyr.space"
        );
        assert_eq!(
            t.render(Scheme::Repository, vars).unwrap(),
            "s3:https://s3.in.hypyr.space/volsync/web/whoami"
        );
    }

    #[test]
    fn unknown_variable_and_syntax_errors_are_reported_on_the_platform() {
        let mut p = Platform::default();
        p.ingress.internal.host_template = "{{ app }}.{{ domain }}".into();
        p.backup.volsync.repository_template = "{{ name ".into();
        p.ingress.external.host_template = "{{ bucket }}.{{ domain }}".into();
        let (_, issues) = Templates::compile(&p);
        let paths: Vec<_> = issues.iter().map(|i| i.path.as_str()).collect();
        assert_eq!(
            paths,
            [
                "spec.backup.volsync.repositoryTemplate",
                "spec.ingress.internal.hostTemplate",
                "spec.ingress.external.hostTemplate"
            ]
        );
        assert!(
            issues[0]
                .message
                .starts_with("template does not compile: syntax error"),
            "{}",
            issues[0].message
        );
        assert_eq!(
            issues[1].message,
            "template fails to render: undefined variable \"app\"; available variables: name, namespace, domain"
        );
        assert!(
            issues[1]
                .message
                .ends_with("available variables: name, namespace, domain")
        );
    }

    #[test]
    fn host_template_must_render_a_dns_name() {
        let mut p = Platform::default();
        p.ingress.internal.host_template = "{{ name }}_{{ namespace }}.{{ domain }}".into();
        let (_, issues) = Templates::compile(&p);
        assert_eq!(issues.len(), 1);
        assert_eq!(issues[0].path, "spec.ingress.internal.hostTemplate");
        assert_eq!(
            issues[0].message,
            "template renders \"app_team.in.hypyr.space\" for name=app, namespace=team, which is not a valid DNS name: label \"app_team\" may contain only lowercase letters, digits and '-'"
        );
    }

    #[test]
    fn endless_template_runs_out_of_fuel() {
        let mut p = Platform::default();
        p.ingress.internal.host_template =
            "{% for i in range(100000) %}{% for j in range(100000) %}x{% endfor %}{% endfor %}"
                .into();
        let (_, issues) = Templates::compile(&p);
        assert_eq!(issues.len(), 1);
        assert!(issues[0].message.contains("fuel"), "{}", issues[0].message);
    }
}

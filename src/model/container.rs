//! The fields any container of the app has (the app's own, init containers, sidecars):
//! ports, probes, env and Secrets read as env, as typed values the reader checks.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::fmt;

use crate::model::bounds::*;
use crate::model::patterns::*;

/// Named ports of the app, and of each sidecar (`spec::MAX_SIDECARS` says why the lists
/// are bounded).
pub const MAX_PORTS: usize = 64;

/// The name serde reads and writes for a value, e.g. `longhorn-persistent`.
pub(crate) fn wire_name<T: Serialize>(value: &T, f: &mut fmt::Formatter<'_>) -> fmt::Result {
    match serde_json::to_value(value) {
        Ok(Value::String(s)) => f.write_str(&s),
        _ => Err(fmt::Error),
    }
}

/// An extra port: a number (TCP) or a number and protocol.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum PortSpec {
    /// A TCP port, 1..65535.
    Number(#[schemars(range(min = PORT_MIN, max = PORT_MAX))] i64),
    Full(PortWithProtocol),
}

/// A port with its protocol, application protocol and whether the Service carries it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PortWithProtocol {
    /// Port number, 1..65535.
    #[schemars(range(min = PORT_MIN, max = PORT_MAX), extend("x-hint" = "a port number"))]
    pub port: i64,
    /// `TCP` (default) or `UDP`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub protocol: Option<Protocol>,
    /// The application protocol on the Service port (`appProtocol`; a container port has no
    /// such field): an IANA service name (`http`, `https`), a Kubernetes one
    /// (`kubernetes.io/h2c`, `kubernetes.io/ws`, `kubernetes.io/wss`) or a domain-prefixed
    /// name (`example.com/custom`), as Kubernetes' label keys are written.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(min = 1, max = APP_PROTOCOL_MAX_LEN))]
    pub app_protocol: Option<String>,
    /// `false`: a container port only, not on the Service (a port the app opens for itself
    /// or its sidecars, e.g. a local admin API); default true.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service: Option<bool>,
}

#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "UPPERCASE")]
pub enum Protocol {
    #[default]
    Tcp,
    Udp,
}

impl fmt::Display for Protocol {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        wire_name(self, f)
    }
}

impl PortSpec {
    pub fn port(&self) -> i64 {
        match self {
            PortSpec::Number(n) => *n,
            PortSpec::Full(p) => p.port,
        }
    }
    pub fn protocol(&self) -> Protocol {
        match self {
            PortSpec::Number(_) => Protocol::Tcp,
            PortSpec::Full(p) => p.protocol.unwrap_or_default(),
        }
    }
    /// The Service port's `appProtocol`, if set.
    pub fn app_protocol(&self) -> Option<&str> {
        match self {
            PortSpec::Number(_) => None,
            PortSpec::Full(p) => p.app_protocol.as_deref(),
        }
    }
    /// Whether the Service carries the port (`service: false` keeps it on the container only).
    pub fn on_service(&self) -> bool {
        match self {
            PortSpec::Number(_) => true,
            PortSpec::Full(p) => p.service != Some(false),
        }
    }
}

/// One check: exactly one of `path` (HTTP GET), `tcp: true` or `exec`, on `port` (a named
/// port; default `http`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ProbeCheck {
    /// HTTP GET path: starts with `/`, no `..` segment, no whitespace.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(regex(pattern = HTTP_PATH_PATTERN))]
    pub path: Option<String>,
    /// A TCP connect to the port.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tcp: Option<bool>,
    /// A command run in the container; success is exit code 0.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(min = 1, max = MAX_EXEC_WORDS))]
    pub exec: Option<Vec<String>>,
    /// A named port of the container: `http` (default) or one of `ports`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(regex(pattern = PORT_NAME_PATTERN), length(max = PORT_NAME_MAX_LEN))]
    pub port: Option<String>,
    /// `HTTPS` for an HTTP check of a port that speaks TLS (certificates are not
    /// verified, as Kubernetes does); default `HTTP`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scheme: Option<ProbeScheme>,
    /// Timings of this kind (Kubernetes' names and bounds).
    #[serde(flatten)]
    pub timings: ProbeTimings,
}

/// The scheme of an HTTP check.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub enum ProbeScheme {
    #[serde(rename = "HTTP")]
    Http,
    #[serde(rename = "HTTPS")]
    Https,
}

impl ProbeScheme {
    pub fn as_str(self) -> &'static str {
        match self {
            ProbeScheme::Http => "HTTP",
            ProbeScheme::Https => "HTTPS",
        }
    }
}

/// How often and how patiently a probe checks, in Kubernetes' names and bounds; what is
/// left out is Kubernetes' default (10 s period, 1 s timeout, 3 failures, 1 success).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ProbeTimings {
    /// Seconds after the container starts before the first check, 0..2147483647.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = PROBE_DELAY_MIN, max = INT32_MAX))]
    pub initial_delay_seconds: Option<i64>,
    /// Seconds between checks, 1..2147483647 (Kubernetes' default 10).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = PROBE_TIMING_MIN, max = INT32_MAX))]
    pub period_seconds: Option<i64>,
    /// Seconds a check may take, 1..2147483647 (Kubernetes' default 1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = PROBE_TIMING_MIN, max = INT32_MAX))]
    pub timeout_seconds: Option<i64>,
    /// Failures in a row before the probe fails, 1..2147483647 (Kubernetes' default 3).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = PROBE_TIMING_MIN, max = INT32_MAX))]
    pub failure_threshold: Option<i64>,
    /// Successes in a row before a failed probe passes again, 1..2147483647; Kubernetes
    /// requires 1 for liveness and startup.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = PROBE_TIMING_MIN, max = INT32_MAX))]
    pub success_threshold: Option<i64>,
}

impl ProbeTimings {
    /// Whether no timing is set.
    pub fn is_empty(&self) -> bool {
        *self == ProbeTimings::default()
    }

    /// Each timing from `self`, else from `fallback`.
    pub fn or(&self, fallback: &ProbeTimings) -> ProbeTimings {
        ProbeTimings {
            initial_delay_seconds: self
                .initial_delay_seconds
                .or(fallback.initial_delay_seconds),
            period_seconds: self.period_seconds.or(fallback.period_seconds),
            timeout_seconds: self.timeout_seconds.or(fallback.timeout_seconds),
            failure_threshold: self.failure_threshold.or(fallback.failure_threshold),
            success_threshold: self.success_threshold.or(fallback.success_threshold),
        }
    }

    /// `(field name, value)` of each timing that is set, in the order above.
    pub fn fields(&self) -> Vec<(&'static str, i64)> {
        [
            ("initialDelaySeconds", self.initial_delay_seconds),
            ("periodSeconds", self.period_seconds),
            ("timeoutSeconds", self.timeout_seconds),
            ("failureThreshold", self.failure_threshold),
            ("successThreshold", self.success_threshold),
        ]
        .into_iter()
        .filter_map(|(name, v)| Some((name, v?)))
        .collect()
    }
}

/// One kind of probe: a check of its own, or `false` to switch it off.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum ProbeKind {
    /// `false`: no probe of this kind.
    Off(#[schemars(extend("const" = false))] bool),
    Check(ProbeCheck),
}

/// Health probes: the short form for all three kinds, and per-kind overrides.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Probes {
    /// HTTP GET path of the short form.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(regex(pattern = HTTP_PATH_PATTERN))]
    pub path: Option<String>,
    /// A TCP connect (short form).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tcp: Option<bool>,
    /// A command (short form).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(min = 1, max = MAX_EXEC_WORDS))]
    pub exec: Option<Vec<String>>,
    /// Named port of the short form (default `http`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(regex(pattern = PORT_NAME_PATTERN), length(max = PORT_NAME_MAX_LEN))]
    pub port: Option<String>,
    /// `HTTPS` for the short form's HTTP check (default `HTTP`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scheme: Option<ProbeScheme>,
    /// Timings of readiness and liveness (each kind's own block may set its own, field by
    /// field); the startup probe keeps its 5-minute budget unless it sets timings itself.
    #[serde(flatten)]
    pub timings: ProbeTimings,
    /// Readiness probe of its own, or `false`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub readiness: Option<ProbeKind>,
    /// Liveness probe of its own, or `false`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub liveness: Option<ProbeKind>,
    /// Startup probe of its own, or `false`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub startup: Option<ProbeKind>,
}

impl Probes {
    /// The short form as a check (without timings), when any of its check fields is set.
    pub fn short(&self) -> Option<ProbeCheck> {
        let c = ProbeCheck {
            path: self.path.clone(),
            tcp: self.tcp,
            exec: self.exec.clone(),
            port: self.port.clone(),
            scheme: self.scheme,
            timings: ProbeTimings::default(),
        };
        (c != ProbeCheck::default()).then_some(c)
    }

    /// The check of one kind: its own, else the short form; `None` when off or unset.
    /// Timings are the kind's own only (see [`Probes::readiness`] for the short form's).
    pub fn of(&self, kind: Option<&ProbeKind>) -> Option<ProbeCheck> {
        match kind {
            Some(ProbeKind::Check(c)) => Some(c.clone()),
            Some(ProbeKind::Off(_)) => None,
            None => self.short(),
        }
    }

    /// Readiness or liveness (`kind`) with its timings: its own, else the short form's,
    /// field by field.
    pub fn with_short_timings(&self, kind: Option<&ProbeKind>) -> Option<ProbeCheck> {
        self.of(kind).map(|mut c| {
            c.timings = c.timings.or(&self.timings);
            c
        })
    }
}

/// An environment variable's value.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum EnvValue {
    Text(String),
    /// Written as its decimal text.
    Integer(i64),
    /// Written as `true` or `false`.
    Bool(bool),
    Secret(SecretKey),
}

impl EnvValue {
    /// The plain value as text, `None` for a Secret reference.
    pub fn text(&self) -> Option<String> {
        match self {
            EnvValue::Text(s) => Some(s.clone()),
            EnvValue::Integer(n) => Some(n.to_string()),
            EnvValue::Bool(b) => Some(b.to_string()),
            EnvValue::Secret(_) => None,
        }
    }
}

/// One key of an existing Secret in the app's namespace.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SecretKey {
    /// Secret name (DNS-1123 subdomain).
    #[schemars(regex(pattern = SECRET_NAME_PATTERN), length(min = 1, max = DNS_NAME_MAX_LEN))]
    #[schemars(extend("x-hint" = "the Secret's name"))]
    pub secret: String,
    /// Key in the Secret: letters, digits, `-`, `_`, `.`.
    #[schemars(regex(pattern = SECRET_KEY_PATTERN), length(min = 1, max = CONFIG_KEY_MAX_LEN))]
    #[schemars(extend("x-hint" = "a key of the Secret"))]
    pub key: String,
}

/// Whole Secrets as environment variables.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SecretEnv {
    /// Remote key in the platform's secret store: an ExternalSecret `<name>-secret`
    /// extracts every property of it into a Secret of the same name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(regex(pattern = REMOTE_KEY_PATTERN), length(min = 1, max = REMOTE_KEY_MAX_LEN))]
    pub from_store: Option<String>,
    /// Names of Secrets that already exist in the namespace (DNS-1123 subdomains).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schemars(length(max = MAX_EXISTING_SECRETS))]
    #[schemars(extend("items" = {"type": "string", "pattern": SECRET_NAME_PATTERN, "minLength": 1, "maxLength": DNS_NAME_MAX_LEN}))]
    pub existing: Vec<String>,
}

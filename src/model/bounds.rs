//! The numeric and length bounds of the fields, each written once: the schemars attribute publishes it and the rule in `validate/` checks it (list bounds are `spec::MAX_*`).

/// A TCP or UDP port (container, Service and registry ports).
pub const PORT_MIN: i64 = 1;
pub const PORT_MAX: i64 = 65535;

/// What Kubernetes keeps in an int32: user and group ids, replicas, probe timings, job
/// history limits and retries.
pub const INT32_MAX: i64 = 2_147_483_647;

/// A probe's `initialDelaySeconds`; its other timings start at [`PROBE_TIMING_MIN`].
pub const PROBE_DELAY_MIN: i64 = 0;
pub const PROBE_TIMING_MIN: i64 = 1;

/// `backup.retentionDays`: a day to ten years.
pub const RETENTION_DAYS_MIN: i64 = 1;
pub const RETENTION_DAYS_MAX: i64 = 3650;

/// `storage.size`, in GiB.
pub const SIZE_GIB_MIN: i64 = 1;
pub const SIZE_GIB_MAX: i64 = 1000;

/// `pod.terminationGracePeriodSeconds`: an hour at most (rollouts and node drains wait
/// this long).
pub const GRACE_PERIOD_SECONDS_MAX: i64 = 3600;

/// The weight of a preferred scheduling or placement term.
pub const WEIGHT_MIN: i64 = 1;
pub const WEIGHT_MAX: i64 = 100;

/// A file mode: `0o777` at most.
pub const FILE_MODE_MAX: i64 = 0o777;

/// A DNS-1123 subdomain (a host name, a Secret, ConfigMap or claim name).
pub const DNS_NAME_MAX_LEN: usize = 253;

/// A DNS-1123 label (an app, namespace or container name).
pub const DNS_LABEL_MAX_LEN: usize = 63;

/// A key of a ConfigMap or Secret.
pub const CONFIG_KEY_MAX_LEN: usize = 253;

/// A named port (Kubernetes' IANA_SVC_NAME).
pub const PORT_NAME_MAX_LEN: usize = 15;

/// An image reference.
pub const IMAGE_MAX_LEN: usize = 512;

/// `pod.dnsConfig`: name servers and search domains, as Kubernetes allows.
pub const MAX_NAMESERVERS: usize = 3;
pub const MAX_SEARCHES: usize = 32;

/// An S3 bucket name (S3's naming rules).
pub const BUCKET_MIN_LEN: usize = 3;
pub const BUCKET_MAX_LEN: usize = 63;

/// An application protocol: a domain prefix (a DNS name, 253) and a name (63), with its `/`.
pub const APP_PROTOCOL_MAX_LEN: usize = 317;
/// The words of an exec probe or check.
pub const MAX_EXEC_WORDS: usize = 64;
/// The words of `command` and of `args`.
pub const MAX_COMMAND_WORDS: usize = 64;
pub const MAX_ARGS: usize = 256;
/// The resources a ServiceAccount of the app's own may read, and each one's length.
pub const MAX_READ_RESOURCES: usize = 64;
pub const READ_RESOURCE_MAX_LEN: usize = 253;
/// A key of the platform's secret store.
pub const REMOTE_KEY_MAX_LEN: usize = 253;
/// Existing Secrets given whole as environment variables.
pub const MAX_EXISTING_SECRETS: usize = 32;
/// A path in the container, in a volume or on the NAS (Linux's PATH_MAX).
pub const PATH_MAX_LEN: usize = 4096;
/// An IP address as text (`::` to a full IPv6 with an embedded IPv4).
pub const IP_MIN_LEN: usize = 2;
pub const IP_MAX_LEN: usize = 45;
/// An IANA time zone name (`job.timeZone`); its pattern admits at most 44 (three parts of
/// 14), so no valid name reaches this bound: it caps what a refusal has to read.
pub const TIME_ZONE_MAX_LEN: usize = 64;
/// The inline `content` of one file, in characters (as `maxLength` counts them).
pub const FILE_CONTENT_MAX_LEN: usize = 262_144;

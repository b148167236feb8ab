//! `spec.job`: the app runs on a schedule as a Kubernetes CronJob instead of a Deployment.
//!
//! The fields keep Kubernetes' names (CronJob `spec` and its Job template's `spec`) and
//! bounds; `validate::job` checks the values and refuses what only a served app has.

use std::fmt;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::model::bounds::{INT32_MAX, TIME_ZONE_MAX_LEN};
use crate::model::container::wire_name;
use crate::model::patterns::{CRON_PATTERN, TIME_ZONE_PATTERN};

/// A scheduled job: the pod the app would get, run by a CronJob `<name>` on `schedule`
/// until it completes; no Deployment, Service, ingress, probes or replicas.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Job {
    /// When it runs: a 5-field cron expression (numbers, `*`, `*/n`, `a-b`, `a/n` or lists
    /// `a,b`; minute hour day-of-month month day-of-week) or a macro such as `@daily`.
    #[schemars(regex(pattern = CRON_PATTERN))]
    #[schemars(extend("x-hint" = "a cron schedule such as \"0 4 * * *\" or @daily"))]
    pub schedule: String,
    /// The IANA time zone of `schedule`, e.g. `Europe/Amsterdam` or `Etc/UTC` (default: the
    /// kube-controller-manager's, usually UTC). The API server refuses a zone its time zone
    /// database does not know.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(regex(pattern = TIME_ZONE_PATTERN), length(min = 1, max = TIME_ZONE_MAX_LEN))]
    pub time_zone: Option<String>,
    /// What happens when a run is due while the last one still runs: `Forbid` (default:
    /// skip the new run), `Allow` (run both) or `Replace` (stop the old one).
    #[serde(default, skip_serializing_if = "ConcurrencyPolicy::is_default")]
    pub concurrency_policy: ConcurrencyPolicy,
    /// Stop scheduling new runs (a running one goes on). Default false.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub suspend: bool,
    /// Seconds after its time within which a missed run may still start, 0..; default: no
    /// deadline (Kubernetes').
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 0))]
    pub starting_deadline_seconds: Option<i64>,
    /// Finished successful Jobs kept, 0..2147483647 (Kubernetes' default 3).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 0, max = INT32_MAX))]
    pub successful_jobs_history_limit: Option<i64>,
    /// Finished failed Jobs kept (with their pods, for the logs), 0..2147483647
    /// (Kubernetes' default 1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 0, max = INT32_MAX))]
    pub failed_jobs_history_limit: Option<i64>,
    /// Retries of a failed run before the Job fails, 0..2147483647 (Kubernetes' default 6).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 0, max = INT32_MAX))]
    pub backoff_limit: Option<i64>,
    /// Seconds a run may take in all before it is stopped and fails, 1..; default: no limit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 1))]
    pub active_deadline_seconds: Option<i64>,
    /// Seconds after a Job finishes before Kubernetes deletes it (and its pods),
    /// 0..2147483647; default: kept until the history limits remove it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 0, max = INT32_MAX))]
    pub ttl_seconds_after_finished: Option<i64>,
    /// Pods of one run at a time, 0..2147483647 (Kubernetes' default 1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 0, max = INT32_MAX))]
    pub parallelism: Option<i64>,
    /// `Never` (default: a failed container fails its pod and the Job starts a new pod, up
    /// to `backoffLimit`; the failed pods stay for their logs) or `OnFailure` (the container
    /// is restarted in the same pod).
    #[serde(default, skip_serializing_if = "RestartPolicy::is_default")]
    pub restart_policy: RestartPolicy,
}

/// A CronJob's `concurrencyPolicy`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub enum ConcurrencyPolicy {
    /// Runs may overlap.
    Allow,
    /// A run that is due while the last one still runs is skipped.
    #[default]
    Forbid,
    /// A run that is due stops the one still running.
    Replace,
}

impl ConcurrencyPolicy {
    pub fn is_default(&self) -> bool {
        *self == ConcurrencyPolicy::default()
    }
}

impl fmt::Display for ConcurrencyPolicy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        wire_name(self, f)
    }
}

/// The `restartPolicy` of a job's pod (Kubernetes allows only these two in a Job).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub enum RestartPolicy {
    /// A failed pod stays failed; the Job starts a new one.
    #[default]
    Never,
    /// A failed container is restarted in its pod.
    OnFailure,
}

impl RestartPolicy {
    pub fn is_default(&self) -> bool {
        *self == RestartPolicy::default()
    }
}

impl fmt::Display for RestartPolicy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        wire_name(self, f)
    }
}

//! Rules of `spec.job`: the schedule, the time zone and Kubernetes' bounds, and the fields
//! of a served app that a job cannot have (it serves no traffic and runs to completion).

use super::cron;
use crate::input::diagnostic::Issue;
use crate::model::bounds::{INT32_MAX, TIME_ZONE_MAX_LEN};
use crate::model::job::Job;
use crate::model::pod::Workload;
use crate::model::spec::{
    AppSpecBody, DEFAULT_PORT, DEFAULT_REPLICAS, IngressPattern, StoragePattern,
};

/// Whether `zone` is an IANA time zone name as [`crate::model::patterns::TIME_ZONE_PATTERN`]
/// reads it: one to three `/`-separated parts of `[-+_.A-Za-z0-9]`, each at most 14, the
/// first starting with a letter, the others not with `-` or `.`; not `Local`.
pub fn is_time_zone(zone: &str) -> bool {
    let parts: Vec<&str> = zone.split('/').collect();
    zone != "Local"
        && parts.len() <= 3
        && parts.iter().enumerate().all(|(i, p)| {
            let first = p.bytes().next();
            let first_ok = if i == 0 {
                first.is_some_and(|b| b.is_ascii_alphabetic())
            } else {
                first.is_some_and(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'+')
            };
            first_ok
                && p.len() <= 14
                && p.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'+' | b'_' | b'.'))
        })
}

/// Every problem of `spec.job` and of the fields a job cannot have; nothing without `job`.
pub fn check(s: &AppSpecBody) -> Vec<Issue> {
    let Some(job) = &s.job else {
        return Vec::new();
    };
    let mut out = Vec::new();
    check_job(&mut out, job);
    if let Some(n) = job.parallelism.filter(|n| *n > 1)
        && let Some(claim) = read_write_once(s)
    {
        out.push(Issue::warning(
            "spec.job.parallelism",
            format!("{n} pods of a run share {claim}, a ReadWriteOnce claim that attaches to one node: pods scheduled on another node wait until the run ends; keep parallelism 1, or keep the shared data on a NAS mount"),
        ));
    }
    let mut refuse = |path: &str, message: &str| out.push(Issue::error(path, message));
    const NO_TRAFFIC: &str = "a job serves no traffic";
    if s.port != DEFAULT_PORT {
        refuse(
            "spec.port",
            &format!("{NO_TRAFFIC} (no Service, no container port); leave port out"),
        );
    }
    if !s.ports.is_empty() {
        refuse(
            "spec.ports",
            &format!("{NO_TRAFFIC} (no Service); remove ports"),
        );
    }
    if let Some(service) = &s.service {
        let field = if service.load_balancer.is_some() {
            "spec.service.loadBalancer"
        } else if service.port.is_some() {
            "spec.service.port"
        } else if service.app_protocol.is_some() {
            "spec.service.appProtocol"
        } else {
            "spec.service"
        };
        let name = field.trim_start_matches("spec.");
        refuse(
            field,
            &format!("{NO_TRAFFIC}: it has no Service; remove {name}"),
        );
    }
    if s.replicas != DEFAULT_REPLICAS {
        refuse(
            "spec.replicas",
            "a job runs one pod per run (job.parallelism runs more); leave replicas out, and use job.suspend to pause it",
        );
    }
    if s.probes.is_some() {
        refuse(
            "spec.probes",
            "a job's pod runs to completion and takes no traffic, so probes do not apply; remove them",
        );
    }
    if s.metrics.is_some() {
        refuse(
            "spec.metrics",
            "a job has no Service to scrape; remove metrics (push to a Pushgateway instead)",
        );
    }
    if s.workload != Workload::Deployment {
        refuse(
            "spec.workload",
            &format!(
                "a job runs as a CronJob, not a {}; remove workload",
                s.workload
            ),
        );
    }
    let ing = &s.ingress;
    if ing.pattern == IngressPattern::ExternalViaTunnel {
        refuse(
            "spec.ingress.pattern",
            &format!("{NO_TRAFFIC}; use ingress.pattern: none or leave it out"),
        );
    }
    for field in ing.fields_set() {
        refuse(
            &format!("spec.ingress.{field}"),
            &format!("{NO_TRAFFIC}; remove ingress.{field}"),
        );
    }
    out
}

/// The first ReadWriteOnce claim of the pod, as a reader would name it: the storage of
/// pattern longhorn-persistent (made here) or existing-claim (taken to be one, as the
/// Deployment's `Recreate` does), else a `volume` mount's claim.
fn read_write_once(s: &AppSpecBody) -> Option<String> {
    match s.storage.pattern {
        StoragePattern::LonghornPersistent => return Some("the app's Longhorn claim".into()),
        StoragePattern::ExistingClaim => {
            let name = s.storage.claim_name.as_deref().unwrap_or_default();
            return Some(format!("claim {name}"));
        }
        _ => {}
    }
    s.mounts
        .iter()
        .find_map(|m| m.volume.as_ref())
        .map(|v| format!("the volume {}", v.name))
}

/// The job's own fields: a schedule the CronJob controller runs, a time zone name, and
/// Kubernetes' bounds.
fn check_job(out: &mut Vec<Issue>, job: &Job) {
    if let Err(e) = cron::check(&job.schedule) {
        out.push(Issue::error("spec.job.schedule", format!("schedule {e}")));
    }
    if let Some(zone) = &job.time_zone
        && let Err(e) = super::check_len(zone, TIME_ZONE_MAX_LEN)
    {
        out.push(Issue::error("spec.job.timeZone", format!("timeZone {e}")));
    } else if let Some(zone) = &job.time_zone
        && !is_time_zone(zone)
    {
        let why = if zone == "Local" {
            "\"Local\" is refused by Kubernetes; name the zone".to_string()
        } else {
            format!("\"{zone}\" is not an IANA time zone name")
        };
        out.push(Issue::error(
            "spec.job.timeZone",
            format!("{why} (e.g. Europe/Amsterdam, America/New_York or Etc/UTC)"),
        ));
    }
    let int32 = INT32_MAX;
    for (field, value, min, max) in [
        (
            "startingDeadlineSeconds",
            job.starting_deadline_seconds,
            0,
            i64::MAX,
        ),
        (
            "successfulJobsHistoryLimit",
            job.successful_jobs_history_limit,
            0,
            int32,
        ),
        (
            "failedJobsHistoryLimit",
            job.failed_jobs_history_limit,
            0,
            int32,
        ),
        ("backoffLimit", job.backoff_limit, 0, int32),
        (
            "activeDeadlineSeconds",
            job.active_deadline_seconds,
            1,
            i64::MAX,
        ),
        (
            "ttlSecondsAfterFinished",
            job.ttl_seconds_after_finished,
            0,
            int32,
        ),
        ("parallelism", job.parallelism, 0, int32),
    ] {
        let Some(value) = value else { continue };
        if !(min..=max).contains(&value) {
            let range = if max == i64::MAX {
                format!("at least {min}")
            } else {
                format!("between {min} and {max}")
            };
            out.push(Issue::error(
                format!("spec.job.{field}"),
                format!("{field} must be {range}, got {value}"),
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn time_zones_agree_with_the_schema_pattern() {
        let pattern = fancy_regex::Regex::new(crate::model::patterns::TIME_ZONE_PATTERN).unwrap();
        let table = [
            ("Europe/Amsterdam", true),
            ("Etc/UTC", true),
            ("UTC", true),
            ("Etc/GMT+5", true),
            ("Etc/GMT-14", true),
            ("America/Argentina/Buenos_Aires", true),
            ("America/Port-au-Prince", true),
            ("Antarctica/DumontDUrville", true),
            ("EST5EDT", true),
            ("Local", false),
            ("", false),
            ("/Europe", false),
            ("Europe/", false),
            ("Europe//Amsterdam", false),
            ("Europe/Amsterdam/A/B", false),
            ("Europe/Amsterdam ", false),
            ("Europe/../etc", false),
            ("1Europe", false),
            ("Europe/-x", false),
            ("Europe/Amsterdamxxxxxx", false),
            ("TZ=Europe/Amsterdam", false),
        ];
        for (zone, valid) in table {
            assert_eq!(is_time_zone(zone), valid, "{zone:?}");
            assert_eq!(pattern.is_match(zone).unwrap(), valid, "{zone:?}");
        }
        proptest::proptest!(|(zone in "[A-Za-z0-9/_+. =-]{0,20}")| {
            proptest::prop_assert_eq!(is_time_zone(&zone), pattern.is_match(&zone).unwrap(), "{:?}", zone);
        });
    }
}

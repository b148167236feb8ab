//! The CronJob of `spec.job`: the app's own pod, run on a schedule until it completes.

use k8s_openapi::api::batch::v1::{CronJob, CronJobSpec, JobSpec, JobTemplateSpec};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

use super::{labels, meta, workload};
use crate::model::names;
use crate::validate::App;

/// The CronJob `<name>` (cut to 52 characters, see [`names::cron_job`]) of an app with
/// `job`, or `None` without it. Its Job template runs exactly the pod a Deployment would
/// ([`workload::pod_template`]) with the job's restartPolicy (default `Never`), and carries
/// the app's labels, so the Jobs it creates are found like the app (Backstage).
pub fn cron_job(app: &App) -> Option<CronJob> {
    let job = app.spec.body.job.as_ref()?;
    let mut template = workload::pod_template(app);
    if let Some(pod) = template.spec.as_mut() {
        pod.restart_policy = Some(job.restart_policy.to_string());
    }
    // Validation keeps every int32 field within 0..=i32::MAX.
    let int32 = |v: Option<i64>| v.map(|n| n as i32);
    Some(CronJob {
        metadata: meta(app, names::cron_job(&app.spec.name)),
        spec: Some(CronJobSpec {
            schedule: job.schedule.clone(),
            time_zone: job.time_zone.clone(),
            concurrency_policy: Some(job.concurrency_policy.to_string()),
            // Written when false too, so a suspend made by hand is undone by the next sync.
            suspend: Some(job.suspend),
            starting_deadline_seconds: job.starting_deadline_seconds,
            successful_jobs_history_limit: int32(job.successful_jobs_history_limit),
            failed_jobs_history_limit: int32(job.failed_jobs_history_limit),
            job_template: JobTemplateSpec {
                metadata: Some(ObjectMeta {
                    labels: Some(labels(app)),
                    ..ObjectMeta::default()
                }),
                spec: Some(JobSpec {
                    backoff_limit: int32(job.backoff_limit),
                    active_deadline_seconds: job.active_deadline_seconds,
                    ttl_seconds_after_finished: int32(job.ttl_seconds_after_finished),
                    parallelism: int32(job.parallelism),
                    template,
                    ..JobSpec::default()
                }),
            },
        }),
        status: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::expand::test_support;
    use serde_json::{Value, json};

    fn expand(extra: &str) -> Value {
        let (app, _) = test_support::app(&format!(
            "metadata: {{name: recyclarr, namespace: media}}\nspec:\n  image: ghcr.io/recyclarr/recyclarr:7.4.1\n{extra}"
        ));
        serde_json::to_value(cron_job(&app).expect("a job")).unwrap()
    }

    #[test]
    fn no_job_no_cron_job() {
        let (app, _) = test_support::app("metadata: {name: web}\nspec: {image: \"nginx:1\"}");
        assert!(cron_job(&app).is_none());
    }

    #[test]
    fn table() {
        // (name, extra spec lines, the CronJob's spec without its jobTemplate, the Job
        // template's spec without its pod template, the pod's restartPolicy)
        let cases: &[(&str, &str, Value, Value, &str)] = &[
            (
                "defaults",
                "  job: {schedule: \"@daily\"}\n",
                json!({"schedule": "@daily", "concurrencyPolicy": "Forbid", "suspend": false}),
                json!({}),
                "Never",
            ),
            (
                "every field",
                "  job:\n    schedule: \"0 4 * * 1-5\"\n    timeZone: Europe/Amsterdam\n    concurrencyPolicy: Replace\n    suspend: true\n    startingDeadlineSeconds: 30\n    successfulJobsHistoryLimit: 1\n    failedJobsHistoryLimit: 2\n    backoffLimit: 0\n    activeDeadlineSeconds: 3600\n    ttlSecondsAfterFinished: 86400\n    parallelism: 1\n    restartPolicy: OnFailure\n",
                json!({
                    "schedule": "0 4 * * 1-5", "timeZone": "Europe/Amsterdam",
                    "concurrencyPolicy": "Replace", "suspend": true,
                    "startingDeadlineSeconds": 30, "successfulJobsHistoryLimit": 1,
                    "failedJobsHistoryLimit": 2,
                }),
                json!({"backoffLimit": 0, "activeDeadlineSeconds": 3600,
                    "ttlSecondsAfterFinished": 86400, "parallelism": 1}),
                "OnFailure",
            ),
        ];
        for (name, extra, spec, job_spec, restart) in cases {
            let c = expand(extra);
            assert_eq!(c["metadata"]["name"], "recyclarr", "{name}");
            assert_eq!(c["metadata"]["namespace"], "media", "{name}");
            let mut got = c["spec"].clone();
            let template = got.as_object_mut().unwrap().remove("jobTemplate").unwrap();
            assert_eq!(got, *spec, "{name}");
            assert_eq!(
                template["metadata"]["labels"]["app.kubernetes.io/name"], "recyclarr",
                "{name}"
            );
            let mut got = template["spec"].clone();
            let pod = got.as_object_mut().unwrap().remove("template").unwrap();
            assert_eq!(got, *job_spec, "{name}");
            assert_eq!(pod["spec"]["restartPolicy"], *restart, "{name}");
        }
    }

    #[test]
    fn the_pod_is_the_apps_without_a_port() {
        let extra = "  args: [sync]\n  job: {schedule: \"@daily\"}\n  secretEnv: {existing: [recyclarr-secret]}\n  storage: {pattern: existing-claim, claimName: recyclarr, mountPath: /config}\n  runAs: 1000\n";
        let c = expand(extra);
        let pod = &c["spec"]["jobTemplate"]["spec"]["template"];
        // The same pod a Deployment of the same spec would run, apart from what a job has
        // of its own: no `http` port, a restartPolicy.
        let (app, _) = test_support::app(&format!(
            "metadata: {{name: recyclarr, namespace: media}}\nspec:\n  image: ghcr.io/recyclarr/recyclarr:7.4.1\n{extra}"
        ));
        let mut served = app.clone();
        served.spec.body.job = None;
        let mut want = serde_json::to_value(workload::pod_template(&served)).unwrap();
        let container = &mut want["spec"]["containers"][0];
        assert_eq!(container["ports"][0]["name"], "http");
        container.as_object_mut().unwrap().remove("ports");
        want["spec"]["restartPolicy"] = "Never".into();
        assert_eq!(*pod, want);
        assert_eq!(pod["spec"]["containers"][0]["args"], json!(["sync"]));
        assert_eq!(
            pod["spec"]["containers"][0]["envFrom"],
            json!([{"secretRef": {"name": "recyclarr-secret"}}])
        );
        assert_eq!(
            pod["spec"]["volumes"][0]["persistentVolumeClaim"]["claimName"],
            "recyclarr"
        );
    }

    #[test]
    fn long_names_are_cut_to_fifty_two() {
        let name = format!("a{}", "b".repeat(62));
        let (app, _) = test_support::app(&format!(
            "metadata: {{name: {name}, namespace: media}}\nspec:\n  image: busybox:1.37\n  job: {{schedule: \"@hourly\"}}\n"
        ));
        let c = cron_job(&app).unwrap();
        let got = c.metadata.name.unwrap();
        assert_eq!(got.len(), 52);
        assert!(got.starts_with("abbb"), "{got}");
        // The pod and the Jobs still carry the whole app name in their labels.
        let labels = c
            .spec
            .unwrap()
            .job_template
            .metadata
            .unwrap()
            .labels
            .unwrap();
        assert_eq!(labels["app.kubernetes.io/name"], name);
    }
}

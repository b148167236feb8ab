//! What `risk` knows: one table of reason codes (code, level, meaning) and one table of the AppSpec fields with the judgement of each.
//!
//! A new reason is one line of [`codes!`]; a new AppSpec field is one line of [`FIELDS`]
//! (the test beside it walks the AppSpec schema and fails on a field without a judgement).
//! Beyond the fields, `risk` judges every rendered object (patches, plain manifests).

use serde::{Serialize, Serializer};

/// How risky a change is: `low` may merge on its own, `high` waits for a person.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    Low,
    High,
}

/// Declares [`Code`] and [`CODES`] from one list: `Variant => ("code", Level, "what it means")`.
macro_rules! codes {
    ($($variant:ident => ($code:literal, $level:ident, $text:literal),)*) => {
        /// Why a change matters. [`CODES`] gives each its name, level and meaning.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum Code {
            $($variant,)*
        }

        /// Every code: (code, name in reports, level, what it means).
        pub const CODES: &[(Code, &str, Level, &str)] = &[
            $((Code::$variant, $code, Level::$level, $text),)*
        ];
    };
}

codes! {
    Invalid => ("invalid", High, "either side does not validate; its other differences are not compared"),
    PlatformChanged => ("platform-changed", High, "a PlatformConfig setting is added, removed or changed (as it takes effect)"),
    ExternalExposure => ("external-exposure", High, "an app becomes reachable from outside (external-via-tunnel), or a new app is"),
    ExternalHostChanged => ("external-host-changed", High, "an external app moves to another host"),
    ManagementNamespace => ("management-namespace", High, "the app lives in a management namespace of the platform"),
    StorageRemoved => ("storage-removed", High, "persistent storage is removed; the PVC stays, unused"),
    StoragePatternChanged => ("storage-pattern-changed", High, "storage moves to another pattern (another volume)"),
    StorageShrunk => ("storage-shrunk", High, "the storage size shrinks"),
    NasTargetChanged => ("nas-target-changed", High, "the NAS export of nas-mount storage moves"),
    BackupRemoved => ("backup-removed", High, "backups are removed"),
    BackupBackendChanged => ("backup-backend-changed", High, "backups move to another backend"),
    RestoreDisabled => ("restore-disabled", High, "new PVCs stop restoring from the last backup"),
    BackupRetentionShortened => ("backup-retention-shortened", High, "backups keep fewer days"),
    PvcDataSourceChanged => ("pvc-data-source-changed", High, "the dataSourceRef of an existing PVC would change (immutable)"),
    SecurityRelaxed => ("security-relaxed", High, "security: restricted or hostUsers: false is dropped, or the pod runs as root again"),
    SecretAccessAdded => ("secret-access-added", High, "the app reads a Secret or store key it did not read before"),
    PersistentAppDeleted => ("persistent-app-deleted", High, "an app with persistent storage is deleted or renamed"),
    WorkloadKindChanged => ("workload-kind-changed", High, "the workload changes kind (Deployment <-> StatefulSet, or a served app <-> a job's CronJob)"),
    ServiceAccountToken => ("service-account-token", High, "the pod mounts a ServiceAccount API token it did not mount before"),
    HostNetwork => ("host-network", High, "the pod uses the node's network"),
    ClusterReadAdded => ("cluster-read-added", High, "the app's own ServiceAccount may read more resources cluster-wide (a new ClusterRole, or entries added to serviceAccount.read)"),
    CapabilityAdded => ("capability-added", High, "a container gains a Linux capability"),
    RootGroup => ("root-group", High, "the pod joins the root group (supplementalGroups gains 0)"),
    ClaimChanged => ("claim-changed", High, "the app's claim changes: it starts on another volume"),
    NasMountChanged => ("nas-mount-changed", High, "a NAS mount moves or goes"),
    ExternalAliasAdded => ("external-alias-added", High, "an external app gains an alias or a route host"),
    InternalEntryAdded => ("internal-entry-added", High, "an external app is also served on the internal entry point (ingress.alsoInternal): clients there skip the tunnel and what it enforces"),
    LoadBalancerAdded => ("load-balancer-added", High, "a LoadBalancer Service is added"),
    LoadBalancerChanged => ("load-balancer-changed", High, "a LoadBalancer's IP, ports, published host or traffic policy change"),
    AuthRemoved => ("auth-removed", High, "an authentication or source-allowlist annotation of an external app is removed or changed"),
    SnippetAnnotation => ("snippet-annotation", High, "a *-snippet ingress annotation (raw proxy configuration) is added or changed"),
    Unconfined => ("unconfined", High, "a pod annotation makes AppArmor or seccomp unconfined"),
    LoadBalancerPortAdded => ("load-balancer-port-added", High, "a LoadBalancer or NodePort Service exposes a port it did not before"),
    NasMountAdded => ("nas-mount-added", High, "the app gains a read-write NAS mount"),
    ImmutableChanged => ("immutable-field-changed", High, "a change Kubernetes cannot apply in place (selector, claim templates, a PVC's class or a shrink)"),
    PrivilegesAdded => ("privileges-added", High, "a rendered pod gains what no spec asks for (privileged, host namespaces or paths, capabilities, a mounted token, root ids, new volumes)"),
    PatchChanged => ("patch-changed", High, "kustomize changes a generated object after expansion differently than before"),
    ObjectAdded => ("object-added", High, "an object no AppSpec generates is added"),
    ObjectRemoved => ("object-removed", High, "an object no AppSpec generates is removed"),
    ObjectChanged => ("object-changed", High, "an object no AppSpec generates changes beyond its image tags"),
    SpecChanged => ("spec-changed", High, "the app's expansion changes in a way no other reason names: a person looks"),
    ImageChanged => ("image-changed", Low, "the container image changes"),
    ReplicasChanged => ("replicas-changed", Low, "the replica count changes"),
    EnvChanged => ("env-changed", Low, "environment variables change"),
    ResourcesChanged => ("resources-changed", Low, "requests or limits change"),
    PortChanged => ("port-changed", Low, "the app's ports or its Service port change"),
    IngressChanged => ("ingress-changed", Low, "ingress settings change (not the exposure or an external host)"),
    BackupChanged => ("backup-changed", Low, "backup settings change (not removed, moved or shortened)"),
    StorageChanged => ("storage-changed", Low, "storage settings change (not removed, moved or shrunk)"),
    SecurityChanged => ("security-changed", Low, "the security profile tightens, or user, group or supplemental ids change (not to root)"),
    CommandChanged => ("command-changed", Low, "the container's command or args change"),
    ProbesChanged => ("probes-changed", Low, "health probes change"),
    PodChanged => ("pod-changed", Low, "pod settings change (node selector, annotations, spread, tolerations, grace period, labels, a ServiceAccount without token)"),
    MetricsChanged => ("metrics-changed", Low, "metrics scraping changes"),
    ContainersChanged => ("containers-changed", Low, "init containers or sidecars change (not their capabilities or Secrets)"),
    VolumesChanged => ("volumes-changed", Low, "mounts or files change (not a NAS mount)"),
    ServiceChanged => ("service-changed", Low, "the LoadBalancer Service is removed"),
    JobChanged => ("job-changed", Low, "a job's schedule or run settings change (not the job added or removed)"),
}

impl Code {
    fn row(self) -> &'static (Code, &'static str, Level, &'static str) {
        // The table is in declaration order, so the discriminant is the row.
        &CODES[self as usize]
    }

    /// Every code, in table order.
    pub fn all() -> impl Iterator<Item = Code> {
        CODES.iter().map(|r| r.0)
    }

    /// The code as reports write it.
    pub fn as_str(self) -> &'static str {
        self.row().1
    }

    /// Whether the code makes a change high risk.
    pub fn level(self) -> Level {
        self.row().2
    }

    /// Whether the code makes a change high risk (the others are informational).
    pub fn is_high(self) -> bool {
        self.level() == Level::High
    }

    /// What the code means, in one line.
    pub fn meaning(self) -> &'static str {
        self.row().3
    }
}

impl Serialize for Code {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

/// How `risk` judges a change of one AppSpec field.
#[derive(Clone, Copy, Debug)]
pub enum Judgement {
    /// The codes a change of the field can give (a high one where it matters).
    Codes(&'static [Code]),
    /// No change of the field is a reason of its own; the text, "low, because ...", says why.
    Low(&'static str),
}

use Code::*;
use Judgement::{Codes, Low};

/// Every AppSpec field path (`a.b`, `[]` for a list's items, `{}` for a map's values) and
/// its judgement. `reasons::tests::every_field_has_a_judgement` walks the AppSpec schema:
/// a field missing here (or listed but gone) fails it.
#[rustfmt::skip]
pub const FIELDS: &[(&str, Judgement)] = &[
    ("apiVersion", Low("low, because only one version exists; another is not an AppSpec")),
    ("kind", Low("low, because another kind is not an AppSpec: the app is then removed (persistent-app-deleted)")),
    ("metadata.name", Codes(&[PersistentAppDeleted, ExternalExposure])),
    ("metadata.namespace", Codes(&[PersistentAppDeleted, ManagementNamespace, ExternalExposure])),
    ("metadata.labels{}", Codes(&[PodChanged])),
    ("metadata.annotations{}", Low("low, because the AppSpec's own annotations are not rendered")),
    ("spec.image", Codes(&[ImageChanged])),
    ("spec.port", Codes(&[PortChanged])),
    ("spec.replicas", Codes(&[ReplicasChanged])),
    ("spec.resources.requests.cpu", Codes(&[ResourcesChanged])),
    ("spec.resources.requests.memory", Codes(&[ResourcesChanged])),
    ("spec.resources.requests{}", Codes(&[ResourcesChanged])),
    ("spec.resources.limits.cpu", Codes(&[ResourcesChanged])),
    ("spec.resources.limits.memory", Codes(&[ResourcesChanged])),
    ("spec.resources.limits{}", Codes(&[ResourcesChanged])),
    ("spec.resources.claims{}", Codes(&[ResourcesChanged])),
    ("spec.command[]", Codes(&[CommandChanged])),
    ("spec.args[]", Codes(&[CommandChanged])),
    ("spec.ports{}", Codes(&[PortChanged, LoadBalancerPortAdded])),
    ("spec.ports{}.port", Codes(&[PortChanged, LoadBalancerPortAdded])),
    ("spec.ports{}.protocol", Codes(&[PortChanged, LoadBalancerPortAdded])),
    ("spec.ports{}.appProtocol", Codes(&[PortChanged])),
    ("spec.ports{}.service", Codes(&[PortChanged, LoadBalancerPortAdded])),
    ("spec.service.port", Codes(&[PortChanged, LoadBalancerPortAdded])),
    ("spec.service.appProtocol", Codes(&[PortChanged])),
    ("spec.service.loadBalancer.ip", Codes(&[LoadBalancerAdded, LoadBalancerChanged])),
    ("spec.service.loadBalancer.ports[]", Codes(&[LoadBalancerAdded, LoadBalancerChanged])),
    ("spec.service.loadBalancer.externalTrafficPolicy", Codes(&[LoadBalancerChanged])),
    ("spec.service.loadBalancer.host", Codes(&[LoadBalancerChanged])),
    ("spec.runAs", Codes(&[RootGroup, SecurityRelaxed, SecurityChanged])),
    ("spec.runAs.user", Codes(&[SecurityRelaxed, SecurityChanged])),
    ("spec.runAs.group", Codes(&[RootGroup, SecurityRelaxed, SecurityChanged])),
    ("spec.probes.path", Codes(&[ProbesChanged])),
    ("spec.probes.port", Codes(&[ProbesChanged])),
    ("spec.probes.tcp", Codes(&[ProbesChanged])),
    ("spec.probes.exec[]", Codes(&[ProbesChanged])),
    ("spec.probes.scheme", Codes(&[ProbesChanged])),
    ("spec.probes.initialDelaySeconds", Codes(&[ProbesChanged])),
    ("spec.probes.periodSeconds", Codes(&[ProbesChanged])),
    ("spec.probes.timeoutSeconds", Codes(&[ProbesChanged])),
    ("spec.probes.failureThreshold", Codes(&[ProbesChanged])),
    ("spec.probes.successThreshold", Codes(&[ProbesChanged])),
    ("spec.probes.readiness", Codes(&[ProbesChanged])),
    ("spec.probes.readiness.path", Codes(&[ProbesChanged])),
    ("spec.probes.readiness.port", Codes(&[ProbesChanged])),
    ("spec.probes.readiness.tcp", Codes(&[ProbesChanged])),
    ("spec.probes.readiness.exec[]", Codes(&[ProbesChanged])),
    ("spec.probes.readiness.scheme", Codes(&[ProbesChanged])),
    ("spec.probes.readiness.initialDelaySeconds", Codes(&[ProbesChanged])),
    ("spec.probes.readiness.periodSeconds", Codes(&[ProbesChanged])),
    ("spec.probes.readiness.timeoutSeconds", Codes(&[ProbesChanged])),
    ("spec.probes.readiness.failureThreshold", Codes(&[ProbesChanged])),
    ("spec.probes.readiness.successThreshold", Codes(&[ProbesChanged])),
    ("spec.probes.liveness", Codes(&[ProbesChanged])),
    ("spec.probes.liveness.path", Codes(&[ProbesChanged])),
    ("spec.probes.liveness.port", Codes(&[ProbesChanged])),
    ("spec.probes.liveness.tcp", Codes(&[ProbesChanged])),
    ("spec.probes.liveness.exec[]", Codes(&[ProbesChanged])),
    ("spec.probes.liveness.scheme", Codes(&[ProbesChanged])),
    ("spec.probes.liveness.initialDelaySeconds", Codes(&[ProbesChanged])),
    ("spec.probes.liveness.periodSeconds", Codes(&[ProbesChanged])),
    ("spec.probes.liveness.timeoutSeconds", Codes(&[ProbesChanged])),
    ("spec.probes.liveness.failureThreshold", Codes(&[ProbesChanged])),
    ("spec.probes.liveness.successThreshold", Codes(&[ProbesChanged])),
    ("spec.probes.startup", Codes(&[ProbesChanged])),
    ("spec.probes.startup.path", Codes(&[ProbesChanged])),
    ("spec.probes.startup.port", Codes(&[ProbesChanged])),
    ("spec.probes.startup.tcp", Codes(&[ProbesChanged])),
    ("spec.probes.startup.exec[]", Codes(&[ProbesChanged])),
    ("spec.probes.startup.scheme", Codes(&[ProbesChanged])),
    ("spec.probes.startup.initialDelaySeconds", Codes(&[ProbesChanged])),
    ("spec.probes.startup.periodSeconds", Codes(&[ProbesChanged])),
    ("spec.probes.startup.timeoutSeconds", Codes(&[ProbesChanged])),
    ("spec.probes.startup.failureThreshold", Codes(&[ProbesChanged])),
    ("spec.probes.startup.successThreshold", Codes(&[ProbesChanged])),
    ("spec.env{}", Codes(&[EnvChanged])),
    ("spec.env{}.secret", Codes(&[SecretAccessAdded, EnvChanged])),
    ("spec.env{}.key", Codes(&[EnvChanged])),
    ("spec.secretEnv.existing[]", Codes(&[SecretAccessAdded, EnvChanged])),
    ("spec.secretEnv.fromStore", Codes(&[SecretAccessAdded, EnvChanged])),
    ("spec.storage.pattern", Codes(&[StorageRemoved, StoragePatternChanged])),
    ("spec.storage.size", Codes(&[StorageShrunk, ImmutableChanged, StorageChanged])),
    ("spec.storage.mountPath", Codes(&[StorageChanged])),
    ("spec.storage.nas.endpoint", Codes(&[NasTargetChanged])),
    ("spec.storage.nas.subpath", Codes(&[NasTargetChanged])),
    ("spec.storage.s3.bucket", Codes(&[StorageChanged])),
    ("spec.storage.s3.region", Codes(&[StorageChanged])),
    ("spec.storage.claimName", Codes(&[ClaimChanged])),
    ("spec.files{}.configMap", Codes(&[VolumesChanged])),
    ("spec.files{}.secret", Codes(&[SecretAccessAdded, VolumesChanged])),
    ("spec.files{}.key", Codes(&[VolumesChanged])),
    ("spec.files{}.content", Codes(&[VolumesChanged])),
    ("spec.files{}.mode", Codes(&[VolumesChanged])),
    ("spec.mounts[].path", Codes(&[VolumesChanged, NasMountChanged, NasMountAdded])),
    ("spec.mounts[].nas.endpoint", Codes(&[NasMountChanged, NasMountAdded])),
    ("spec.mounts[].nas.subpath", Codes(&[NasMountChanged, NasMountAdded])),
    ("spec.mounts[].claim", Codes(&[VolumesChanged])),
    ("spec.mounts[].subPath", Codes(&[VolumesChanged])),
    ("spec.mounts[].emptyDir.sizeLimit", Codes(&[VolumesChanged])),
    ("spec.mounts[].emptyDir.memory", Codes(&[VolumesChanged])),
    ("spec.mounts[].readOnly", Codes(&[NasMountAdded, VolumesChanged])),
    ("spec.mounts[].secret", Codes(&[SecretAccessAdded, VolumesChanged])),
    ("spec.mounts[].configMap", Codes(&[VolumesChanged])),
    ("spec.mounts[].mode", Codes(&[VolumesChanged])),
    ("spec.mounts[].volume.name", Codes(&[VolumesChanged])),
    ("spec.mounts[].volume.size", Codes(&[VolumesChanged])),
    ("spec.ingress.pattern", Codes(&[ExternalExposure, IngressChanged])),
    ("spec.ingress.host", Codes(&[ExternalHostChanged, IngressChanged])),
    ("spec.ingress.path", Codes(&[IngressChanged])),
    ("spec.ingress.aliases[]", Codes(&[ExternalAliasAdded, IngressChanged])),
    ("spec.ingress.annotations{}", Codes(&[AuthRemoved, SnippetAnnotation, IngressChanged])),
    ("spec.ingress.timeout", Codes(&[IngressChanged])),
    (
        "spec.ingress.routes[].host",
        Codes(&[ExternalAliasAdded, IngressChanged]),
    ),
    ("spec.ingress.routes[].port", Codes(&[IngressChanged])),
    ("spec.ingress.routes[].path", Codes(&[IngressChanged])),
    ("spec.ingress.alsoInternal", Codes(&[InternalEntryAdded, IngressChanged])),
    ("spec.backup.strategy", Codes(&[BackupRemoved, BackupBackendChanged, BackupChanged])),
    ("spec.backup.schedule", Codes(&[BackupChanged])),
    ("spec.backup.retentionDays", Codes(&[BackupRetentionShortened, BackupChanged])),
    ("spec.security", Codes(&[SecurityRelaxed, SecurityChanged])),
    ("spec.workload", Codes(&[WorkloadKindChanged])),
    ("spec.job.schedule", Codes(&[WorkloadKindChanged, JobChanged])),
    ("spec.job.timeZone", Codes(&[JobChanged])),
    ("spec.job.concurrencyPolicy", Codes(&[JobChanged])),
    ("spec.job.suspend", Codes(&[JobChanged])),
    ("spec.job.startingDeadlineSeconds", Codes(&[JobChanged])),
    ("spec.job.successfulJobsHistoryLimit", Codes(&[JobChanged])),
    ("spec.job.failedJobsHistoryLimit", Codes(&[JobChanged])),
    ("spec.job.backoffLimit", Codes(&[JobChanged])),
    ("spec.job.activeDeadlineSeconds", Codes(&[JobChanged])),
    ("spec.job.ttlSecondsAfterFinished", Codes(&[JobChanged])),
    ("spec.job.parallelism", Codes(&[JobChanged])),
    ("spec.job.restartPolicy", Codes(&[JobChanged])),
    ("spec.nodeSelector{}", Codes(&[PodChanged])),
    ("spec.serviceAccount.name", Codes(&[ServiceAccountToken, PodChanged])),
    ("spec.serviceAccount.create", Codes(&[ServiceAccountToken, PodChanged])),
    ("spec.serviceAccount.read[]", Codes(&[ClusterReadAdded, PodChanged])),
    ("spec.serviceAccount.token", Codes(&[ServiceAccountToken, PodChanged])),
    ("spec.podAnnotations{}", Codes(&[Unconfined, PodChanged])),
    ("spec.metrics.port", Codes(&[MetricsChanged])),
    ("spec.metrics.path", Codes(&[MetricsChanged])),
    ("spec.metrics.interval", Codes(&[MetricsChanged])),
    ("spec.spread", Codes(&[PodChanged])),
    ("spec.pod.hostNetwork", Codes(&[HostNetwork, PodChanged])),
    ("spec.pod.hostUsers", Codes(&[SecurityRelaxed, PodChanged])),
    ("spec.pod.dnsConfig.nameservers[]", Codes(&[PodChanged])),
    ("spec.pod.dnsConfig.searches[]", Codes(&[PodChanged])),
    ("spec.pod.dnsConfig.options[].name", Codes(&[PodChanged])),
    ("spec.pod.dnsConfig.options[].value", Codes(&[PodChanged])),
    ("spec.pod.affinity.nodeAffinity.preferredDuringSchedulingIgnoredDuringExecution[].preference.matchExpressions[].key", Codes(&[PodChanged])),
    ("spec.pod.affinity.nodeAffinity.preferredDuringSchedulingIgnoredDuringExecution[].preference.matchExpressions[].operator", Codes(&[PodChanged])),
    ("spec.pod.affinity.nodeAffinity.preferredDuringSchedulingIgnoredDuringExecution[].preference.matchExpressions[].values[]", Codes(&[PodChanged])),
    ("spec.pod.affinity.nodeAffinity.preferredDuringSchedulingIgnoredDuringExecution[].weight", Codes(&[PodChanged])),
    ("spec.pod.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[].matchExpressions[].key", Codes(&[PodChanged])),
    ("spec.pod.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[].matchExpressions[].operator", Codes(&[PodChanged])),
    ("spec.pod.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[].matchExpressions[].values[]", Codes(&[PodChanged])),
    ("spec.pod.affinity.podAffinity.preferredDuringSchedulingIgnoredDuringExecution[].podAffinityTerm.labelSelector.matchExpressions[].key", Codes(&[PodChanged])),
    ("spec.pod.affinity.podAffinity.preferredDuringSchedulingIgnoredDuringExecution[].podAffinityTerm.labelSelector.matchExpressions[].operator", Codes(&[PodChanged])),
    ("spec.pod.affinity.podAffinity.preferredDuringSchedulingIgnoredDuringExecution[].podAffinityTerm.labelSelector.matchExpressions[].values[]", Codes(&[PodChanged])),
    ("spec.pod.affinity.podAffinity.preferredDuringSchedulingIgnoredDuringExecution[].podAffinityTerm.labelSelector.matchLabels{}", Codes(&[PodChanged])),
    ("spec.pod.affinity.podAffinity.preferredDuringSchedulingIgnoredDuringExecution[].podAffinityTerm.namespaceSelector.matchExpressions[].key", Codes(&[PodChanged])),
    ("spec.pod.affinity.podAffinity.preferredDuringSchedulingIgnoredDuringExecution[].podAffinityTerm.namespaceSelector.matchExpressions[].operator", Codes(&[PodChanged])),
    ("spec.pod.affinity.podAffinity.preferredDuringSchedulingIgnoredDuringExecution[].podAffinityTerm.namespaceSelector.matchExpressions[].values[]", Codes(&[PodChanged])),
    ("spec.pod.affinity.podAffinity.preferredDuringSchedulingIgnoredDuringExecution[].podAffinityTerm.namespaceSelector.matchLabels{}", Codes(&[PodChanged])),
    ("spec.pod.affinity.podAffinity.preferredDuringSchedulingIgnoredDuringExecution[].podAffinityTerm.namespaces[]", Codes(&[PodChanged])),
    ("spec.pod.affinity.podAffinity.preferredDuringSchedulingIgnoredDuringExecution[].podAffinityTerm.topologyKey", Codes(&[PodChanged])),
    ("spec.pod.affinity.podAffinity.preferredDuringSchedulingIgnoredDuringExecution[].weight", Codes(&[PodChanged])),
    ("spec.pod.affinity.podAffinity.requiredDuringSchedulingIgnoredDuringExecution[].labelSelector.matchExpressions[].key", Codes(&[PodChanged])),
    ("spec.pod.affinity.podAffinity.requiredDuringSchedulingIgnoredDuringExecution[].labelSelector.matchExpressions[].operator", Codes(&[PodChanged])),
    ("spec.pod.affinity.podAffinity.requiredDuringSchedulingIgnoredDuringExecution[].labelSelector.matchExpressions[].values[]", Codes(&[PodChanged])),
    ("spec.pod.affinity.podAffinity.requiredDuringSchedulingIgnoredDuringExecution[].labelSelector.matchLabels{}", Codes(&[PodChanged])),
    ("spec.pod.affinity.podAffinity.requiredDuringSchedulingIgnoredDuringExecution[].namespaceSelector.matchExpressions[].key", Codes(&[PodChanged])),
    ("spec.pod.affinity.podAffinity.requiredDuringSchedulingIgnoredDuringExecution[].namespaceSelector.matchExpressions[].operator", Codes(&[PodChanged])),
    ("spec.pod.affinity.podAffinity.requiredDuringSchedulingIgnoredDuringExecution[].namespaceSelector.matchExpressions[].values[]", Codes(&[PodChanged])),
    ("spec.pod.affinity.podAffinity.requiredDuringSchedulingIgnoredDuringExecution[].namespaceSelector.matchLabels{}", Codes(&[PodChanged])),
    ("spec.pod.affinity.podAffinity.requiredDuringSchedulingIgnoredDuringExecution[].namespaces[]", Codes(&[PodChanged])),
    ("spec.pod.affinity.podAffinity.requiredDuringSchedulingIgnoredDuringExecution[].topologyKey", Codes(&[PodChanged])),
    ("spec.pod.affinity.podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution[].podAffinityTerm.labelSelector.matchExpressions[].key", Codes(&[PodChanged])),
    ("spec.pod.affinity.podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution[].podAffinityTerm.labelSelector.matchExpressions[].operator", Codes(&[PodChanged])),
    ("spec.pod.affinity.podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution[].podAffinityTerm.labelSelector.matchExpressions[].values[]", Codes(&[PodChanged])),
    ("spec.pod.affinity.podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution[].podAffinityTerm.labelSelector.matchLabels{}", Codes(&[PodChanged])),
    ("spec.pod.affinity.podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution[].podAffinityTerm.namespaceSelector.matchExpressions[].key", Codes(&[PodChanged])),
    ("spec.pod.affinity.podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution[].podAffinityTerm.namespaceSelector.matchExpressions[].operator", Codes(&[PodChanged])),
    ("spec.pod.affinity.podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution[].podAffinityTerm.namespaceSelector.matchExpressions[].values[]", Codes(&[PodChanged])),
    ("spec.pod.affinity.podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution[].podAffinityTerm.namespaceSelector.matchLabels{}", Codes(&[PodChanged])),
    ("spec.pod.affinity.podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution[].podAffinityTerm.namespaces[]", Codes(&[PodChanged])),
    ("spec.pod.affinity.podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution[].podAffinityTerm.topologyKey", Codes(&[PodChanged])),
    ("spec.pod.affinity.podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution[].weight", Codes(&[PodChanged])),
    ("spec.pod.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution[].labelSelector.matchExpressions[].key", Codes(&[PodChanged])),
    ("spec.pod.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution[].labelSelector.matchExpressions[].operator", Codes(&[PodChanged])),
    ("spec.pod.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution[].labelSelector.matchExpressions[].values[]", Codes(&[PodChanged])),
    ("spec.pod.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution[].labelSelector.matchLabels{}", Codes(&[PodChanged])),
    ("spec.pod.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution[].namespaceSelector.matchExpressions[].key", Codes(&[PodChanged])),
    ("spec.pod.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution[].namespaceSelector.matchExpressions[].operator", Codes(&[PodChanged])),
    ("spec.pod.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution[].namespaceSelector.matchExpressions[].values[]", Codes(&[PodChanged])),
    ("spec.pod.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution[].namespaceSelector.matchLabels{}", Codes(&[PodChanged])),
    ("spec.pod.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution[].namespaces[]", Codes(&[PodChanged])),
    ("spec.pod.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution[].topologyKey", Codes(&[PodChanged])),
    ("spec.pod.enableServiceLinks", Codes(&[PodChanged])),
    ("spec.pod.imagePullSecrets[]", Codes(&[SecretAccessAdded, PodChanged])),
    ("spec.pod.tolerations[].key", Codes(&[PodChanged])),
    ("spec.pod.tolerations[].operator", Codes(&[PodChanged])),
    ("spec.pod.tolerations[].value", Codes(&[PodChanged])),
    ("spec.pod.tolerations[].effect", Codes(&[PodChanged])),
    ("spec.pod.tolerations[].tolerationSeconds", Codes(&[PodChanged])),
    ("spec.pod.priorityClassName", Codes(&[PodChanged])),
    ("spec.pod.supplementalGroups[]", Codes(&[RootGroup, SecurityChanged])),
    ("spec.pod.terminationGracePeriodSeconds", Codes(&[PodChanged])),
    ("spec.init[].name", Codes(&[ContainersChanged])),
    ("spec.init[].image", Codes(&[ContainersChanged])),
    ("spec.init[].command[]", Codes(&[ContainersChanged])),
    ("spec.init[].args[]", Codes(&[ContainersChanged])),
    ("spec.init[].env{}", Codes(&[ContainersChanged])),
    ("spec.init[].env{}.secret", Codes(&[SecretAccessAdded, ContainersChanged])),
    ("spec.init[].env{}.key", Codes(&[ContainersChanged])),
    ("spec.init[].secretEnv.existing[]", Codes(&[SecretAccessAdded, ContainersChanged])),
    ("spec.init[].secretEnv.fromStore", Codes(&[SecretAccessAdded, ContainersChanged])),
    ("spec.init[].mounts[]", Codes(&[ContainersChanged])),
    ("spec.sidecars[].name", Codes(&[ContainersChanged])),
    ("spec.sidecars[].image", Codes(&[ContainersChanged])),
    ("spec.sidecars[].command[]", Codes(&[ContainersChanged])),
    ("spec.sidecars[].args[]", Codes(&[ContainersChanged])),
    ("spec.sidecars[].env{}", Codes(&[ContainersChanged])),
    ("spec.sidecars[].env{}.secret", Codes(&[SecretAccessAdded, ContainersChanged])),
    ("spec.sidecars[].env{}.key", Codes(&[ContainersChanged])),
    ("spec.sidecars[].secretEnv.existing[]", Codes(&[SecretAccessAdded, ContainersChanged])),
    ("spec.sidecars[].secretEnv.fromStore", Codes(&[SecretAccessAdded, ContainersChanged])),
    ("spec.sidecars[].ports{}", Codes(&[LoadBalancerPortAdded, ContainersChanged])),
    ("spec.sidecars[].ports{}.port", Codes(&[LoadBalancerPortAdded, ContainersChanged])),
    ("spec.sidecars[].ports{}.protocol", Codes(&[LoadBalancerPortAdded, ContainersChanged])),
    ("spec.sidecars[].ports{}.appProtocol", Codes(&[ContainersChanged])),
    ("spec.sidecars[].ports{}.service", Codes(&[LoadBalancerPortAdded, ContainersChanged])),
    ("spec.sidecars[].mounts[]", Codes(&[ContainersChanged])),
    ("spec.sidecars[].capabilities[]", Codes(&[CapabilityAdded, ContainersChanged])),
    ("spec.sidecars[].probes.exec[]", Codes(&[ContainersChanged])),
    ("spec.sidecars[].probes.failureThreshold", Codes(&[ContainersChanged])),
    ("spec.sidecars[].probes.initialDelaySeconds", Codes(&[ContainersChanged])),
    ("spec.sidecars[].probes.liveness", Codes(&[ContainersChanged])),
    ("spec.sidecars[].probes.liveness.exec[]", Codes(&[ContainersChanged])),
    ("spec.sidecars[].probes.liveness.failureThreshold", Codes(&[ContainersChanged])),
    ("spec.sidecars[].probes.liveness.initialDelaySeconds", Codes(&[ContainersChanged])),
    ("spec.sidecars[].probes.liveness.path", Codes(&[ContainersChanged])),
    ("spec.sidecars[].probes.liveness.periodSeconds", Codes(&[ContainersChanged])),
    ("spec.sidecars[].probes.liveness.port", Codes(&[ContainersChanged])),
    ("spec.sidecars[].probes.liveness.scheme", Codes(&[ContainersChanged])),
    ("spec.sidecars[].probes.liveness.successThreshold", Codes(&[ContainersChanged])),
    ("spec.sidecars[].probes.liveness.tcp", Codes(&[ContainersChanged])),
    ("spec.sidecars[].probes.liveness.timeoutSeconds", Codes(&[ContainersChanged])),
    ("spec.sidecars[].probes.path", Codes(&[ContainersChanged])),
    ("spec.sidecars[].probes.periodSeconds", Codes(&[ContainersChanged])),
    ("spec.sidecars[].probes.port", Codes(&[ContainersChanged])),
    ("spec.sidecars[].probes.readiness", Codes(&[ContainersChanged])),
    ("spec.sidecars[].probes.readiness.exec[]", Codes(&[ContainersChanged])),
    ("spec.sidecars[].probes.readiness.failureThreshold", Codes(&[ContainersChanged])),
    ("spec.sidecars[].probes.readiness.initialDelaySeconds", Codes(&[ContainersChanged])),
    ("spec.sidecars[].probes.readiness.path", Codes(&[ContainersChanged])),
    ("spec.sidecars[].probes.readiness.periodSeconds", Codes(&[ContainersChanged])),
    ("spec.sidecars[].probes.readiness.port", Codes(&[ContainersChanged])),
    ("spec.sidecars[].probes.readiness.scheme", Codes(&[ContainersChanged])),
    ("spec.sidecars[].probes.readiness.successThreshold", Codes(&[ContainersChanged])),
    ("spec.sidecars[].probes.readiness.tcp", Codes(&[ContainersChanged])),
    ("spec.sidecars[].probes.readiness.timeoutSeconds", Codes(&[ContainersChanged])),
    ("spec.sidecars[].probes.scheme", Codes(&[ContainersChanged])),
    ("spec.sidecars[].probes.startup", Codes(&[ContainersChanged])),
    ("spec.sidecars[].probes.startup.exec[]", Codes(&[ContainersChanged])),
    ("spec.sidecars[].probes.startup.failureThreshold", Codes(&[ContainersChanged])),
    ("spec.sidecars[].probes.startup.initialDelaySeconds", Codes(&[ContainersChanged])),
    ("spec.sidecars[].probes.startup.path", Codes(&[ContainersChanged])),
    ("spec.sidecars[].probes.startup.periodSeconds", Codes(&[ContainersChanged])),
    ("spec.sidecars[].probes.startup.port", Codes(&[ContainersChanged])),
    ("spec.sidecars[].probes.startup.scheme", Codes(&[ContainersChanged])),
    ("spec.sidecars[].probes.startup.successThreshold", Codes(&[ContainersChanged])),
    ("spec.sidecars[].probes.startup.tcp", Codes(&[ContainersChanged])),
    ("spec.sidecars[].probes.startup.timeoutSeconds", Codes(&[ContainersChanged])),
    ("spec.sidecars[].probes.successThreshold", Codes(&[ContainersChanged])),
    ("spec.sidecars[].probes.tcp", Codes(&[ContainersChanged])),
    ("spec.sidecars[].probes.timeoutSeconds", Codes(&[ContainersChanged])),
];

/// The judgement of a field path, if [`FIELDS`] has one.
pub fn judgement(path: &str) -> Option<Judgement> {
    FIELDS.iter().find(|(p, _)| *p == path).map(|(_, j)| *j)
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;
    use crate::input::skeleton::{Additional, Skeleton};

    /// Every field path of a skeleton: a leaf (a value without known fields), written with
    /// `.` between fields, `[]` for a list's items and `{}` for a map's values. The members
    /// of `anyOf`/`oneOf` (a short form beside an object form) add theirs.
    fn field_paths(s: &Skeleton, prefix: &str, out: &mut BTreeSet<String>) {
        let mut inner = false;
        for (key, child) in s.properties {
            inner = true;
            let path = if prefix.is_empty() {
                key.to_string()
            } else {
                format!("{prefix}.{key}")
            };
            field_paths(child, &path, out);
        }
        for member in s.members {
            let before = out.len();
            field_paths(member, prefix, out);
            inner |= out.len() > before;
        }
        if let Some(items) = s.items {
            inner = true;
            field_paths(items, &format!("{prefix}[]"), out);
        }
        if let Additional::Entry(entry) = &s.additional {
            inner = true;
            field_paths(entry, &format!("{prefix}{{}}"), out);
        }
        if !inner {
            out.insert(prefix.to_string());
        }
    }

    /// The test that tells whoever adds an AppSpec field to judge it: walk the AppSpec
    /// schema (its skeleton, generated from the types) and require every field path in
    /// [`FIELDS`], and nothing there that the schema lost.
    #[test]
    fn every_field_has_a_judgement() {
        let mut paths = BTreeSet::new();
        field_paths(&crate::input::skeletons::APPSPEC, "", &mut paths);
        assert!(paths.len() > 100, "the walk found only {paths:?}");
        let missing: Vec<&String> = paths.iter().filter(|p| judgement(p).is_none()).collect();
        assert!(
            missing.is_empty(),
            "AppSpec fields without a risk judgement: {missing:#?}\nadd each to reasons::FIELDS: \
             the codes a change of it gives (a high one if it can expose, lose data or grant a \
             privilege; add a code to `codes!` and compare it in risk.rs if none fits), or \
             Low(\"low, because ...\")"
        );
        let stale: Vec<&str> = FIELDS
            .iter()
            .map(|(p, _)| *p)
            .filter(|p| !paths.contains(*p))
            .collect();
        assert!(
            stale.is_empty(),
            "reasons::FIELDS lists paths the AppSpec schema does not have: {stale:?}"
        );
        let mut seen = BTreeSet::new();
        for (path, j) in FIELDS {
            assert!(seen.insert(*path), "{path} is listed twice");
            match j {
                Codes(codes) => assert!(!codes.is_empty(), "{path}: no codes"),
                Low(why) => assert!(why.starts_with("low, because "), "{path}: {why}"),
            }
        }
    }

    #[test]
    fn codes_are_unique_and_in_declaration_order() {
        let mut names = BTreeSet::new();
        for (i, (code, name, _, meaning)) in CODES.iter().enumerate() {
            assert_eq!(*code as usize, i);
            assert!(names.insert(*name), "{name} twice");
            assert!(!meaning.is_empty(), "{name}: no meaning");
            assert_eq!(code.as_str(), *name);
        }
        assert!(Invalid.is_high() && !ImageChanged.is_high());
    }
}

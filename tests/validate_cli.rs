//! `appspec validate`: problems with their line and column, JSON output, exit codes.

use std::path::Path;

mod common;

fn write(path: &Path, text: &str) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

fn validate(args: &[&str], dir: &Path) -> (i32, String, String) {
    let out = common::appspec()
        .arg("validate")
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap();
    (
        out.status.code().unwrap(),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

const BAD: &str = "\
# a comment first
apiVersion: platform.hypyr.space/v1alpha1
kind: AppSpec
metadata:
  name: web
spec:
  image: ghcr.io/x/web:1.0.0
  storage:
    pattern: nas-mount
    size: 0
    nas: {endpoint: \"nfs://nas.internal:2049\", subpath: /mnt/apps/../etc}
  ingress:
    host: web.hypyr.space
---
apiVersion: platform.hypyr.space/v1alpha1
kind: AppSpec
metadata:
  name: api
spec:
  image: ghcr.io/x/api:latest
  replicas: 2
  typo: true
";

#[test]
fn reports_every_problem_with_line_and_column() {
    let dir = tempfile::tempdir().unwrap();
    write(&dir.path().join("apps/app.yaml"), BAD);
    let (code, stdout, _) = validate(&["apps"], dir.path());
    assert_eq!(code, 1);
    assert_eq!(
        stdout,
        "\
apps/app.yaml:10:5: AppSpec/web: spec.storage.size: size must be an integer number of GiB between 1 and 1000, got 0
apps/app.yaml:11:48: AppSpec/web: spec.storage.nas.subpath: Subpath must not contain relative directory references ('..')
apps/app.yaml:13:5: AppSpec/web: spec.ingress.host: Internal apps must use .in.hypyr.space domain, got \"web.hypyr.space\" (that is the built-in example platform: write your site's PlatformConfig with `appspec init DIR --domain ...` or pass --platform)
apps/app.yaml:22:3: AppSpec/api: spec.typo: unknown field \"typo\"; expected one of: image, port, replicas, resources, command, args, ports, service, runAs, probes, env, secretEnv, storage, files, mounts, ingress, backup, security, workload, job, nodeSelector, serviceAccount, podAnnotations, metrics, spread, pod, init, sidecars
apps/app.yaml:20:3: AppSpec/api: spec.image: warning: image \"ghcr.io/x/api:latest\" uses the mutable tag :latest; pin a version tag or a digest
"
    );
}

const BAD_VOLUMES: &str = "\
apiVersion: platform.hypyr.space/v1alpha1
kind: AppSpec
metadata:
  name: sonarr
spec:
  image: ghcr.io/home-operations/sonarr:4.0.15
  storage: {pattern: existing-claim}
  mounts:
    - path: /media
      nas:
        endpoint: nfs://nas.internal:2049
        subpath: /srv/media
    - {path: /config, claim: config, subPath: ../x}
  files:
    /config: {content: x}
    /etc/app.yaml: {configMap: app}
  service:
    loadBalancer: {ip: 10.0.0.1, ports: [web]}
  ingress:
    aliases: [tv.example.com]
    annotations: {kubernetes.io/ingress.class: public}
";

#[test]
fn section_8_fields_have_lines_and_columns() {
    let dir = tempfile::tempdir().unwrap();
    write(&dir.path().join("app.yaml"), BAD_VOLUMES);
    let (code, stdout, _) = validate(&["app.yaml"], dir.path());
    assert_eq!(code, 1);
    assert_eq!(
        stdout,
        "\
app.yaml:7:3: AppSpec/sonarr: spec.storage.claimName: is required for storage.pattern existing-claim (the PVC to mount)
app.yaml:12:9: AppSpec/sonarr: spec.mounts[0].nas.subpath: Subpath must lie under the NAS prefix \"/mnt/\", got \"/srv/media\" (that is the built-in example platform: write your site's PlatformConfig with `appspec init DIR --domain ...` or pass --platform)
app.yaml:13:38: AppSpec/sonarr: spec.mounts[1].subPath: subPath must not contain relative directory references ('..')
app.yaml:15:5: AppSpec/sonarr: spec.files./config: /config is the path of a mount (spec.mounts[1]); a file may lie inside a mounted directory, not replace it
app.yaml:16:5: AppSpec/sonarr: spec.files./etc/app.yaml.key: is required: the key of the ConfigMap or Secret that holds the file
app.yaml:18:20: AppSpec/sonarr: spec.service.loadBalancer.ip: the platform lists no loadBalancer.pools, so no fixed IP can be checked; leave ip out or add the pools to the PlatformConfig
app.yaml:18:42: AppSpec/sonarr: spec.service.loadBalancer.ports[0]: unknown port \"web\"; the app's ports are: http
app.yaml:20:15: AppSpec/sonarr: spec.ingress.aliases[0]: Internal apps must use .in.hypyr.space domain, got \"tv.example.com\" (that is the built-in example platform: write your site's PlatformConfig with `appspec init DIR --domain ...` or pass --platform)
app.yaml:21:19: AppSpec/sonarr: spec.ingress.annotations.kubernetes.io/ingress.class: \"kubernetes.io/ingress.class\" is set by the function from the ingress pattern and the platform; remove it (it cannot be overridden)
"
    );
}

#[test]
fn json_format_and_warnings_only() {
    let dir = tempfile::tempdir().unwrap();
    write(
        &dir.path().join("app.yaml"),
        "apiVersion: platform.hypyr.space/v1alpha1\nkind: AppSpec\nmetadata: {name: web}\nspec: {image: nginx}\n",
    );
    let (code, stdout, _) = validate(&["--format", "json", "app.yaml"], dir.path());
    assert_eq!(code, 0, "warnings alone are valid");
    let found: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(
        found,
        serde_json::json!([{
            "file": "app.yaml", "line": 4, "column": 8,
            "apiVersion": "platform.hypyr.space/v1alpha1", "kind": "AppSpec", "namespace": null, "name": "web",
            "field": "spec.image", "severity": "warning",
            "message": "image \"nginx\" has no tag and pulls :latest; pin a version tag or a digest"
        }])
    );
}

#[test]
fn valid_specs_and_platform_file() {
    let dir = tempfile::tempdir().unwrap();
    write(
        &dir.path().join("app.yaml"),
        "apiVersion: platform.hypyr.space/v1alpha1\nkind: AppSpec\nmetadata: {name: web}\nspec:\n  image: nginx:1.27\n  ingress: {host: web.lan.example.org}\n",
    );
    write(
        &dir.path().join("site/platform.yaml"),
        "apiVersion: platform.hypyr.space/v1alpha1\nkind: PlatformConfig\nmetadata: {name: lab}\nspec:\n  dns: {internalDomain: lan.example.org, externalDomain: example.org}\n",
    );
    // Without the site's platform the host is outside the default internal domain.
    let (code, stdout, _) = validate(&["app.yaml"], dir.path());
    assert_eq!(
        (code, stdout.as_str()),
        (
            1,
            "app.yaml:6:13: AppSpec/web: spec.ingress.host: Internal apps must use .in.hypyr.space domain, got \"web.lan.example.org\" (that is the built-in example platform: write your site's PlatformConfig with `appspec init DIR --domain ...` or pass --platform)\n"
        )
    );
    let (code, stdout, _) = validate(
        &["--platform", "site/platform.yaml", "app.yaml"],
        dir.path(),
    );
    assert_eq!((code, stdout.as_str()), (0, ""));
}

#[test]
fn usage_and_io_errors_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let (code, stdout, stderr) = validate(&["missing.yaml"], dir.path());
    assert_eq!((code, stdout.as_str()), (2, ""));
    assert!(
        stderr.starts_with("appspec: cannot read missing.yaml: "),
        "{stderr}"
    );
    let (code, stdout, stderr) = validate(&["--format", "xml"], dir.path());
    assert_eq!((code, stdout.as_str()), (2, ""));
    assert!(
        stderr.contains("invalid value 'xml' for '--format <FORMAT>'")
            && stderr.contains("[possible values: text, json]"),
        "{stderr}"
    );
}

#[test]
fn backup_fields_have_line_and_column() {
    let dir = tempfile::tempdir().unwrap();
    write(
        &dir.path().join("platform.yaml"),
        "\
apiVersion: platform.hypyr.space/v1alpha1
kind: PlatformConfig
metadata: {name: lab}
spec:
  backup:
    backend: kopia
    restoreOnCreate: yes please
    kopiur:
      repository:
        kind: Bucket
        name: nas
",
    );
    write(
        &dir.path().join("app.yaml"),
        "\
apiVersion: platform.hypyr.space/v1alpha1
kind: AppSpec
metadata: {name: web}
spec:
  image: nginx:1.27
  backup:
    strategy: snapshots
",
    );
    let (code, stdout, _) = validate(&["platform.yaml"], dir.path());
    assert_eq!(code, 1);
    assert_eq!(
        stdout,
        "\
platform.yaml:6:5: PlatformConfig/lab: spec.backup.backend: unknown value \"kopia\"; expected one of: volsync, kopiur
platform.yaml:7:5: PlatformConfig/lab: spec.backup.restoreOnCreate: must be true or false, got a string
platform.yaml:10:9: PlatformConfig/lab: spec.backup.kopiur.repository.kind: unknown value \"Bucket\"; expected one of: ClusterRepository, Repository
"
    );
    let (code, stdout, _) = validate(&["app.yaml"], dir.path());
    assert_eq!(code, 1);
    assert_eq!(
        stdout,
        "app.yaml:7:5: AppSpec/web: spec.backup.strategy: snapshots needs storage.pattern longhorn-persistent (a snapshot-capable volume), got ephemeral\n\
         app.yaml:7:5: AppSpec/web: spec.backup.strategy: warning: without runAs the volsync movers run as the platform's ids (568:568, backup.volsync.moverSecurityContext), not as the image's user: files only that user may read (mode 0600) fail the backup or are left out; set spec.runAs to the user and group the image runs as\n"
    );
}

#[test]
fn container_fields_have_line_and_column() {
    let dir = tempfile::tempdir().unwrap();
    write(
        &dir.path().join("app.yaml"),
        "\
apiVersion: platform.hypyr.space/v1alpha1
kind: AppSpec
metadata: {name: web}
spec:
  image: nginx:1.27
  security: restricted
  runAs: 0
  ports:
    dns-udp: {port: 53, protocol: UDP}
    Metrics: 9090
  service: {port: 0}
  probes:
    path: /ping
    port: admin
    startup: {exec: []}
  env:
    PORT: 80
    KEY: {secret: Bad_Name, key: api-key}
  secretEnv:
    existing: [web-extra, web-extra]
",
    );
    let (code, stdout, _) = validate(&["app.yaml"], dir.path());
    assert_eq!(code, 1);
    assert_eq!(
        stdout,
        "\
app.yaml:11:13: AppSpec/web: spec.service.port: port must be between 1 and 65535, got 0
app.yaml:10:5: AppSpec/web: spec.ports.Metrics: port name \"Metrics\" may contain only lowercase letters, digits and '-'
app.yaml:7:3: AppSpec/web: spec.runAs: runs as root (0), which security: restricted refuses; use the image's non-root id (e.g. 568) or security: default
app.yaml:14:5: AppSpec/web: spec.probes.port: \"admin\" is not a port of the container; expected one of: Metrics, dns-udp, http
app.yaml:15:15: AppSpec/web: spec.probes.startup.exec: needs a command: a non-empty list starting with the program
app.yaml:18:11: AppSpec/web: spec.env.KEY.secret: Secret name \"Bad_Name\" has a part \"Bad_Name\" that may contain only lowercase letters, digits and '-'
app.yaml:20:27: AppSpec/web: spec.secretEnv.existing[1]: Secret \"web-extra\" is listed twice
"
    );
}

const TWO_NAMESPACES: &str = "\
apiVersion: platform.hypyr.space/v1alpha1
kind: AppSpec
metadata:
  name: web
  namespace: team-a
spec:
  image: nginx:1.27
---
apiVersion: platform.hypyr.space/v1alpha1
kind: AppSpec
metadata:
  name: web
  namespace: team-b
spec:
  image: nginx:1.27
  port: 0
---
apiVersion: v1
kind: List
items:
- apiVersion: platform.hypyr.space/v1alpha1
  kind: AppSpec
  metadata: {name: web, namespace: team-c}
  spec:
    image: nginx:1.27
    replicas: -1
";

#[test]
fn same_name_in_two_namespaces_is_located_in_its_own_document() {
    let dir = tempfile::tempdir().unwrap();
    write(&dir.path().join("apps.yaml"), TWO_NAMESPACES);
    let (code, stdout, _) = validate(&["apps.yaml"], dir.path());
    assert_eq!(code, 1);
    assert_eq!(
        stdout,
        "\
apps.yaml:16:3: AppSpec/team-b/web: spec.port: port must be between 1 and 65535, got 0
apps.yaml:26:5: AppSpec/team-c/web: spec.replicas: replicas must be between 0 and 2147483647, got -1
"
    );
    let (code, stdout, _) = validate(&["--format", "json", "apps.yaml"], dir.path());
    assert_eq!(code, 1);
    let found: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(
        found[0],
        serde_json::json!({
            "file": "apps.yaml", "line": 16, "column": 3,
            "apiVersion": "platform.hypyr.space/v1alpha1", "kind": "AppSpec", "namespace": "team-b", "name": "web",
            "field": "spec.port", "severity": "error",
            "message": "port must be between 1 and 65535, got 0"
        })
    );
    assert_eq!(found[1]["namespace"], "team-c");
    assert_eq!(
        (&found[1]["line"], &found[1]["column"]),
        (&26.into(), &5.into())
    );
}

#[test]
fn look_alikes_and_the_platform_file_are_located() {
    let dir = tempfile::tempdir().unwrap();
    write(
        &dir.path().join("apps.yaml"),
        "\
apiVersion: v1
kind: ConfigMap
metadata: {name: cfg, namespace: team-a}
---
apiVersion: hypyr.space/v1alpha1
kind: AppSpec
metadata: {name: web, namespace: team-a}
spec: {image: nginx:1.27}
---
apiVersion: platform.hypyr.space/v1alpha1
kind: Appspec
metadata: {name: api, namespace: team-a}
spec: {image: nginx:1.27}
",
    );
    write(
        &dir.path().join("platform.yaml"),
        "# the site\napiVersion: platform.hypyr.space/v1alpha1\nkind: PlatformConfig\nmetadata: {name: lab}\nspec:\n  dns: {internalDomain: 7}\n",
    );
    let (code, stdout, _) = validate(&["--platform", "platform.yaml", "apps.yaml"], dir.path());
    assert_eq!(code, 1);
    assert_eq!(
        stdout,
        "\
platform.yaml:6:9: PlatformConfig/lab: spec.dns.internalDomain: must be a string, got an integer
apps.yaml:5:1: AppSpec/team-a/web: apiVersion: apiVersion \"hypyr.space/v1alpha1\" is not the API of AppSpec; did you mean apiVersion platform.hypyr.space/v1alpha1?
apps.yaml:11:1: Appspec/team-a/api: kind: unknown kind \"Appspec\" of platform.hypyr.space; did you mean kind AppSpec?
"
    );
}

#[test]
fn pod_fields_have_line_and_column() {
    let dir = tempfile::tempdir().unwrap();
    write(
        &dir.path().join("app.yaml"),
        "\
apiVersion: platform.hypyr.space/v1alpha1
kind: AppSpec
metadata:
  name: web
  labels:
    app.kubernetes.io/name: shop
spec:
  image: nginx:1.27
  workload: daemonset
  nodeSelector:
    kubernetes.io/arch: amd 64
  serviceAccount: {name: Web}
  podAnnotations:
    platform.hypyr.space/files-hash: x
  metrics:
    port: metrics
    interval: 1.5m
  pod:
    hostNetwork: true
    hostUsers: false
    dnsConfig:
      options:
        - name: ndots
    tolerations:
      - {key: gpu, operator: Exists, value: x}
    priorityClassName: High
",
    );
    let (code, stdout, _) = validate(&["app.yaml"], dir.path());
    assert_eq!(code, 1);
    assert_eq!(
        stdout,
        "\
app.yaml:9:3: AppSpec/web: spec.workload: unknown value \"daemonset\"; expected one of: deployment, statefulset
app.yaml:6:5: AppSpec/web: metadata.labels.app.kubernetes.io/name: warning: label app.kubernetes.io/name=\"shop\" is not copied: the function sets app.kubernetes.io/name=\"web\" on every object it generates
app.yaml:11:5: AppSpec/web: spec.nodeSelector.kubernetes.io/arch: node label value \"amd 64\" may contain only letters, digits, '-', '_' and '.'
app.yaml:12:20: AppSpec/web: spec.serviceAccount.name: ServiceAccount name \"Web\" is not a DNS subdomain: it may contain only lowercase letters, digits and '-'
app.yaml:14:5: AppSpec/web: spec.podAnnotations.platform.hypyr.space/files-hash: annotation keys under platform.hypyr.space/ are set by the function; choose another key
app.yaml:16:5: AppSpec/web: spec.metrics.port: \"metrics\" is not a named port of the app's Service; expected one of: http
app.yaml:17:5: AppSpec/web: spec.metrics.interval: interval \"1.5m\" is not a Prometheus duration such as 30s, 1m or 1h30m
app.yaml:20:5: AppSpec/web: spec.pod.hostUsers: hostUsers: false (a user namespace) cannot be combined with hostNetwork: true
app.yaml:23:11: AppSpec/web: spec.pod.dnsConfig.options[0].value: option ndots needs a value, an integer 0..15 written as a string (\"0\")
app.yaml:25:38: AppSpec/web: spec.pod.tolerations[0].value: operator Exists matches the key alone; remove the value (or use operator Equal)
app.yaml:26:5: AppSpec/web: spec.pod.priorityClassName: PriorityClass name \"High\" is not a DNS subdomain: it may contain only lowercase letters, digits and '-'
"
    );
}

#[test]
fn pod_groups_and_grace_period_have_line_and_column() {
    let dir = tempfile::tempdir().unwrap();
    write(
        &dir.path().join("app.yaml"),
        "\
apiVersion: platform.hypyr.space/v1alpha1
kind: AppSpec
metadata:
  name: web
spec:
  image: nginx:1.27
  security: restricted
  pod:
    supplementalGroups:
      - 44
      - 0
      - 44
      - 2147483648
    terminationGracePeriodSeconds: 7200
---
apiVersion: platform.hypyr.space/v1alpha1
kind: AppSpec
metadata:
  name: api
spec:
  image: nginx:1.27
  pod: {supplementalGroups: [video], terminationGracePeriodSeconds: 30s}
",
    );
    let (code, stdout, _) = validate(&["app.yaml"], dir.path());
    assert_eq!(code, 1);
    assert_eq!(
        stdout,
        "\
app.yaml:11:9: AppSpec/web: spec.pod.supplementalGroups[1]: adds the root group (0), which security: restricted refuses; use the group that owns the files or device (e.g. 44 video, 109 render) or security: default
app.yaml:12:9: AppSpec/web: spec.pod.supplementalGroups[2]: group 44 is listed twice (first at spec.pod.supplementalGroups[0])
app.yaml:13:9: AppSpec/web: spec.pod.supplementalGroups[3]: group id must be between 0 and 2147483647, got 2147483648
app.yaml:14:5: AppSpec/web: spec.pod.terminationGracePeriodSeconds: must be between 0 and 3600 seconds (an hour: rollouts and node drains wait this long), got 7200
app.yaml:22:30: AppSpec/api: spec.pod.supplementalGroups[0]: must be an integer, got the string \"video\"
app.yaml:22:38: AppSpec/api: spec.pod.terminationGracePeriodSeconds: must be an integer, got the string \"30s\"
"
    );
}

#[test]
fn init_and_sidecar_problems_have_line_and_column() {
    let dir = tempfile::tempdir().unwrap();
    write(
        &dir.path().join("app.yaml"),
        "\
apiVersion: platform.hypyr.space/v1alpha1
kind: AppSpec
metadata: {name: web}
spec:
  image: nginx:1.27
  init:
    - name: web
      image: busybox:1.37
  sidecars:
    - name: exporter
      image: ghcr.io/acme/exporter:1.0.0
      ports:
        http: 9100
      mounts: [/media]
",
    );
    let (code, stdout, _) = validate(&["app.yaml"], dir.path());
    assert_eq!(code, 1);
    assert_eq!(
        stdout,
        "\
app.yaml:7:7: AppSpec/web: spec.init[0].name: container name \"web\" is already used by the app's container
app.yaml:13:9: AppSpec/web: spec.sidecars[0].ports.http: \"http\" is the main port (spec.port); give this port another name
app.yaml:14:16: AppSpec/web: spec.sidecars[0].mounts[0]: /media is not one of the app's mount paths; expected one of: /data
"
    );
}

#[test]
fn sidecar_capabilities_have_line_and_column() {
    let dir = tempfile::tempdir().unwrap();
    write(
        &dir.path().join("app.yaml"),
        "\
apiVersion: platform.hypyr.space/v1alpha1
kind: AppSpec
metadata: {name: vpn}
spec:
  image: nginx:1.27
  security: restricted
  sidecars:
    - name: gluetun
      image: ghcr.io/qdm12/gluetun:v3.40.0
      capabilities:
        - NET_ADMIN
        - NET_ADMIN
---
apiVersion: platform.hypyr.space/v1alpha1
kind: AppSpec
metadata: {name: wide}
spec:
  image: nginx:1.27
  sidecars:
    - name: tools
      image: ghcr.io/acme/tools:1.0.0
      capabilities: [NET_RAW, SYS_ADMIN]
",
    );
    let (code, stdout, _) = validate(&["app.yaml"], dir.path());
    assert_eq!(code, 1);
    assert_eq!(
        stdout,
        "\
app.yaml:11:11: AppSpec/vpn: spec.sidecars[0].capabilities[0]: adds capability NET_ADMIN, which security: restricted refuses (Kubernetes' restricted Pod Security Standard allows adding only NET_BIND_SERVICE); use security: default for an app with this sidecar
app.yaml:12:11: AppSpec/vpn: spec.sidecars[0].capabilities[1]: capability NET_ADMIN is listed twice (first at spec.sidecars[0].capabilities[0])
app.yaml:22:31: AppSpec/wide: spec.sidecars[0].capabilities[1]: unknown value \"SYS_ADMIN\"; expected one of: NET_ADMIN, NET_RAW
"
    );
}

#[test]
fn probe_timings_have_line_and_column() {
    let dir = tempfile::tempdir().unwrap();
    write(
        &dir.path().join("app.yaml"),
        "\
apiVersion: platform.hypyr.space/v1alpha1
kind: AppSpec
metadata:
  name: web
spec:
  image: nginx:1.27
  probes:
    tcp: true
    scheme: HTTPS
    periodSeconds: 0
    liveness:
      path: /livez
      successThreshold: 2
    startup: {tcp: true, failureThreshold: 0, timeoutSeconds: 1s}
",
    );
    let (code, stdout, _) = validate(&["app.yaml"], dir.path());
    assert_eq!(code, 1);
    assert_eq!(
        stdout,
        "\
app.yaml:14:47: AppSpec/web: spec.probes.startup.timeoutSeconds: must be an integer, got the string \"1s\"
app.yaml:9:5: AppSpec/web: spec.probes.scheme: scheme applies only to an HTTP check (path)
app.yaml:10:5: AppSpec/web: spec.probes.periodSeconds: periodSeconds must be between 1 and 2147483647, got 0
app.yaml:13:7: AppSpec/web: spec.probes.liveness.successThreshold: Kubernetes requires successThreshold 1 for a liveness probe
app.yaml:14:26: AppSpec/web: spec.probes.startup.failureThreshold: failureThreshold must be between 1 and 2147483647, got 0
"
    );
}

#[test]
fn app_protocol_service_and_file_modes_have_line_and_column() {
    let dir = tempfile::tempdir().unwrap();
    write(
        &dir.path().join("app.yaml"),
        "\
apiVersion: platform.hypyr.space/v1alpha1
kind: AppSpec
metadata:
  name: web
spec:
  image: nginx:1.27
  ports:
    grpc: {port: 9090, appProtocol: kubernetes.io/grpc}
    admin:
      port: 9999
      service: false
      appProtocol: http
  metrics: {port: admin}
  files:
    /scripts/run.sh:
      content: \"#!/bin/sh\"
      mode: 755
",
    );
    let (code, stdout, _) = validate(&["app.yaml"], dir.path());
    assert_eq!(code, 1);
    assert_eq!(
        stdout,
        "\
app.yaml:12:7: AppSpec/web: spec.ports.admin.appProtocol: appProtocol is a field of the Service port, and this port has service: false
app.yaml:8:24: AppSpec/web: spec.ports.grpc.appProtocol: appProtocol \"kubernetes.io/grpc\" is not one Kubernetes defines; expected one of: kubernetes.io/h2c, kubernetes.io/ws, kubernetes.io/wss
app.yaml:17:7: AppSpec/web: spec.files./scripts/run.sh.mode: mode must be between 0 and 0777 (octal permission bits such as 0755 or 0644), got 01363 (decimal 755) (if you meant the octal bits 755, write 0755)
app.yaml:13:13: AppSpec/web: spec.metrics.port: \"admin\" is not a named port of the app's Service; expected one of: http, grpc
"
    );
}

#[test]
fn whole_secret_volume_and_etc_mounts_have_line_and_column() {
    let dir = tempfile::tempdir().unwrap();
    write(
        &dir.path().join("app.yaml"),
        "\
apiVersion: platform.hypyr.space/v1alpha1
kind: AppSpec
metadata:
  name: web
spec:
  image: nginx:1.27
  security: restricted
  mounts:
    - path: /etc/
      configMap: etc
    - {path: /tmp, secret: web-tmp}
    - path: /cache
      volume: {name: Cache, size: 20}
    - {path: /scripts, emptyDir: {}, mode: 0755}
",
    );
    let (code, stdout, _) = validate(&["app.yaml"], dir.path());
    assert_eq!(code, 1);
    assert_eq!(
        stdout,
        "\
app.yaml:9:7: AppSpec/web: spec.mounts[0].path: mount path /etc would hide the image's whole /etc (users, certificates, its configuration); mount a directory under it, such as /etc/app
app.yaml:11:8: AppSpec/web: spec.mounts[1].path: /tmp is the writable /tmp of security: restricted; only an emptyDir may replace it (e.g. emptyDir: {memory: true})
app.yaml:13:16: AppSpec/web: spec.mounts[2].volume.name: volume name \"Cache\" may contain only lowercase letters, digits and '-'
app.yaml:13:29: AppSpec/web: spec.mounts[2].volume.size: size \"20\" has no unit, so it is 20 bytes; write e.g. 20Gi
app.yaml:14:38: AppSpec/web: spec.mounts[3].mode: \"mode\" applies only to a secret or configMap mount (the files it projects)
"
    );
}

#[test]
fn affinity_and_pull_secrets_have_line_and_column() {
    let dir = tempfile::tempdir().unwrap();
    write(
        &dir.path().join("app.yaml"),
        "\
apiVersion: platform.hypyr.space/v1alpha1
kind: AppSpec
metadata:
  name: web
spec:
  image: nginx:1.27
  pod:
    enableServiceLinks: no
    imagePullSecrets: [regcred, regcred]
    affinity:
      nodeAffinity:
        requiredDuringSchedulingIgnoredDuringExecution:
          nodeSelectorTerms:
            - matchExpressions:
                - key: kubernetes.io/arch
                  operator: In
      podAntiAffinity:
        preferredDuringSchedulingIgnoredDuringExecution:
          - weight: 200
            podAffinityTerm: {topologyKey: kubernetes.io/hostname}
",
    );
    let (code, stdout, _) = validate(&["app.yaml"], dir.path());
    assert_eq!(code, 1);
    assert_eq!(
        stdout,
        "\
app.yaml:8:5: AppSpec/web: spec.pod.enableServiceLinks: must be true or false, got a string
app.yaml:15:19: AppSpec/web: spec.pod.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchExpressions[0].values: operator In needs at least one value
app.yaml:19:13: AppSpec/web: spec.pod.affinity.podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].weight: weight must be between 1 and 100, got 200
app.yaml:9:33: AppSpec/web: spec.pod.imagePullSecrets[1]: Secret regcred is listed twice (first at spec.pod.imagePullSecrets[0])
"
    );
}

#[test]
fn sidecar_probes_have_line_and_column() {
    let dir = tempfile::tempdir().unwrap();
    write(
        &dir.path().join("app.yaml"),
        "\
apiVersion: platform.hypyr.space/v1alpha1
kind: AppSpec
metadata:
  name: web
spec:
  image: nginx:1.27
  sidecars:
    - name: exporter
      image: ghcr.io/acme/exporter:1.0.0
      ports: {metrics: 9100}
      probes:
        tcp: true
        timeoutSeconds: 0
",
    );
    let (code, stdout, _) = validate(&["app.yaml"], dir.path());
    assert_eq!(code, 1);
    assert_eq!(
        stdout,
        "\
app.yaml:11:7: AppSpec/web: spec.sidecars[0].probes.port: is required: the container has no http port; expected one of: metrics
app.yaml:13:9: AppSpec/web: spec.sidecars[0].probes.timeoutSeconds: timeoutSeconds must be between 1 and 2147483647, got 0
"
    );
}

/// `appspec validate examples`: each kustomization root is its own run with the platform its
/// kustomization hands the function, the plain files outside them one run, so the examples
/// that are meant to be valid are, and only examples/invalid-* fails, with its messages. No
/// "N PlatformConfigs" across sites, no hydrated Flux output called a stray file, the
/// Backstage skeleton (templates, not YAML) named once as not validated.
#[test]
fn the_repository_examples_validate_root_by_root() {
    let root = common::repo_root();
    let (code, stdout, stderr) = validate(&["--format", "json", "examples"], root);
    assert_eq!(code, 1, "{stdout}{stderr}");
    let found: Vec<serde_json::Value> = serde_json::from_str(&stdout).unwrap();
    let errors: Vec<(String, String, String)> = found
        .iter()
        .filter(|d| d["severity"] == "error")
        .map(|d| {
            (
                d["file"].as_str().unwrap().to_string(),
                d["field"].as_str().unwrap().to_string(),
                d["message"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let fields: Vec<(&str, &str)> = errors
        .iter()
        .map(|(f, p, _)| (f.as_str(), p.as_str()))
        .collect();
    assert_eq!(
        fields,
        [
            (
                "examples/invalid-nas-path/app.yaml",
                "spec.storage.nas.subpath"
            ),
            ("examples/invalid-nas-path/app.yaml", "spec.ingress.host"),
        ],
        "{stdout}"
    );
    assert!(
        errors[0]
            .2
            .contains("must not contain relative directory references")
    );
    assert!(
        errors[1]
            .2
            .contains("Internal apps must use .in.hypyr.space domain")
    );
    let warnings: Vec<&serde_json::Value> = found
        .iter()
        .filter(|d| d["severity"] == "warning")
        .collect();
    let skeleton: Vec<_> = warnings
        .iter()
        .filter(|d| d["file"] == "examples/backstage/template.yaml")
        .collect();
    assert_eq!(skeleton.len(), 1, "{stdout}");
    assert!(
        skeleton[0]["message"]
            .as_str()
            .unwrap()
            .starts_with("examples/backstage/skeleton is the skeleton of this Backstage Template"),
        "{stdout}"
    );
    // At the step's url line of the template.
    let template = std::fs::read_to_string(root.join("examples/backstage/template.yaml")).unwrap();
    let url_line = template
        .lines()
        .position(|l| l.trim() == "url: ./skeleton")
        .unwrap()
        + 1;
    assert_eq!(skeleton[0]["line"], url_line, "{stdout}");
    // Every other warning is a spec's own (runAs with backups), none from the tree's shape.
    for w in &warnings {
        let message = w["message"].as_str().unwrap();
        assert!(
            w["file"] == "examples/backstage/template.yaml"
                || message.starts_with("without runAs the"),
            "{w}"
        );
    }
    // Each example directory alone: the valid ones pass, as `render` and kustomize see them.
    for entry in std::fs::read_dir(root.join("examples")).unwrap() {
        let dir = entry.unwrap().path();
        let name = dir.file_name().unwrap().to_string_lossy().to_string();
        if !dir.is_dir() || name.starts_with("invalid-") {
            continue;
        }
        let (code, stdout, stderr) = validate(&[&format!("examples/{name}")], root);
        assert_eq!(code, 0, "examples/{name}: {stdout}{stderr}");
    }
}

const SITE_PLATFORM: &str = "\
apiVersion: platform.hypyr.space/v1alpha1
kind: PlatformConfig
metadata: {name: site}
spec:
  dns: {internalDomain: lan.DOMAIN, externalDomain: DOMAIN}
";

const SITE_APP: &str = "\
apiVersion: platform.hypyr.space/v1alpha1
kind: AppSpec
metadata: {name: web, namespace: web}
spec:
  image: ghcr.io/x/web:1.0.0
  storage: {pattern: longhorn-persistent, size: 1}
  ingress: {host: HOST}
";

/// A repository of two sites (apps/<namespace>/<app>/ with a shared platform directory
/// each, the same app name in both) and a Flux deploy directory holding one site's
/// rendered output: each app is validated with its own site's platform, the two apps do
/// not collide, the rendered output is nobody's stray file; a host under the other site's
/// domain is refused with the app's own site named.
#[test]
fn a_repository_of_two_sites_validates_each_with_its_platform() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    for (site, domain) in [("site-a", "a.example"), ("site-b", "b.example")] {
        write(
            &d.join(format!("{site}/platform/platform.yaml")),
            &SITE_PLATFORM.replace("DOMAIN", domain),
        );
        write(
            &d.join(format!("{site}/platform/kustomization.yaml")),
            "resources: [platform.yaml]\n",
        );
        write(
            &d.join(format!("{site}/apps/web/web/kustomization.yaml")),
            "resources: [app.yaml]\ntransformers: [../../../platform]\n",
        );
        write(
            &d.join(format!("{site}/apps/web/web/app.yaml")),
            &SITE_APP.replace("HOST", &format!("web.lan.{domain}")),
        );
    }
    // site-a's app rendered into a Flux deploy directory, as `render --out` leaves it.
    let rendered = common::appspec()
        .current_dir(d)
        .args(["render", "--platform", "site-a/platform/platform.yaml"])
        .arg("site-a/apps/web/web/app.yaml")
        .output()
        .unwrap();
    assert!(
        rendered.status.success(),
        "{}",
        common::text(&rendered.stderr)
    );
    write(
        &d.join("deploy/apps/web.yaml"),
        &common::text(&rendered.stdout),
    );
    write(
        &d.join("deploy/apps/kustomization.yaml"),
        "resources: [web.yaml]\n",
    );
    // Two sites of plain files (no kustomization): a directory with its PlatformConfig each.
    for (site, domain) in [("plain-c", "c.example"), ("plain-d", "d.example")] {
        write(
            &d.join(format!("{site}/platform.yaml")),
            &SITE_PLATFORM.replace("DOMAIN", domain),
        );
        write(
            &d.join(format!("{site}/apps/web.yaml")),
            &SITE_APP.replace("HOST", &format!("web.lan.{domain}")),
        );
    }
    let (code, stdout, stderr) = validate(&["."], d);
    assert_eq!((code, stdout.as_str()), (0, ""), "{stderr}");
    // Without its PlatformConfig, plain-d's app is judged by the built-in platform.
    std::fs::remove_file(d.join("plain-d/platform.yaml")).unwrap();
    let (code, stdout, _) = validate(&["."], d);
    assert_eq!(code, 1, "{stdout}");
    assert!(
        stdout.starts_with("./plain-d/apps/web.yaml:7:13: AppSpec/web/web: spec.ingress.host: Internal apps must use .in.hypyr.space domain")
            && stdout.lines().count() == 1,
        "{stdout}"
    );
    std::fs::remove_dir_all(d.join("plain-d")).unwrap();
    // The same rendered file among site-a's plain files is a stray one, and named.
    std::fs::copy(d.join("deploy/apps/web.yaml"), d.join("site-a/out.yaml")).unwrap();
    write(
        &d.join("site-a/web.yaml"),
        &SITE_APP.replace("HOST", "web.lan.a.example"),
    );
    let (code, stdout, _) = validate(
        &["--platform", "site-a/platform/platform.yaml", "site-a"],
        d,
    );
    assert_eq!(code, 1, "{stdout}");
    assert!(
        stdout.contains("site-a/out.yaml already holds as AppSpec output"),
        "{stdout}"
    );
    std::fs::remove_file(d.join("site-a/out.yaml")).unwrap();
    std::fs::remove_file(d.join("site-a/web.yaml")).unwrap();
    // site-b's app on site-a's domain: refused under site-b's platform, at its line.
    write(
        &d.join("site-b/apps/web/web/app.yaml"),
        &SITE_APP.replace("HOST", "web.lan.a.example"),
    );
    let (code, stdout, _) = validate(&["."], d);
    assert_eq!(code, 1, "{stdout}");
    assert_eq!(
        stdout,
        "./site-b/apps/web/web/app.yaml:7:13: AppSpec/web/web: spec.ingress.host: Internal apps must use .lan.b.example domain, got \"web.lan.a.example\"\n"
    );
}

/// A job's problems point at their lines: its own fields and the served-app fields it
/// cannot have.
#[test]
fn a_jobs_problems_have_their_lines() {
    let dir = tempfile::tempdir().unwrap();
    write(
        &dir.path().join("apps/sync.yaml"),
        "\
apiVersion: platform.hypyr.space/v1alpha1
kind: AppSpec
metadata: {name: sync, namespace: tools}
spec:
  image: ghcr.io/x/sync:1.0.0
  probes: {path: /healthz}
  job:
    schedule: \"@daily\"
    timeZone: Local
    backoffLimit: -1
  ingress:
    host: sync.in.hypyr.space
",
    );
    let (code, stdout, _) = validate(&["apps"], dir.path());
    assert_eq!(code, 1);
    let lines: Vec<&str> = stdout.lines().collect();
    for want in [
        "apps/sync.yaml:9:5: AppSpec/tools/sync: spec.job.timeZone: \"Local\" is refused by Kubernetes",
        "apps/sync.yaml:10:5: AppSpec/tools/sync: spec.job.backoffLimit: backoffLimit must be between 0 and 2147483647, got -1",
        "apps/sync.yaml:6:3: AppSpec/tools/sync: spec.probes: a job's pod runs to completion",
        "apps/sync.yaml:12:5: AppSpec/tools/sync: spec.ingress.host: a job serves no traffic; remove ingress.host",
    ] {
        assert!(
            lines.iter().any(|l| l.starts_with(want)),
            "no line starting {want:?} in:\n{stdout}"
        );
    }
    assert_eq!(lines.len(), 4, "{stdout}");
}

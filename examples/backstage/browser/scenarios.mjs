// What the person does with the form of examples/backstage/template.yaml, and what they
// must see (run by run-browser.mjs). Steps: 0 Application, 1 Storage, 2 Ingress, 3 Backup.

/** Phrases of ajv's own messages that name no problem a person can fix. */
export const FORBIDDEN = [
  'must match pattern',
  'must NOT be valid',
  'must be equal to constant',
  'must be equal to one of the allowed values',
  'must match exactly one schema',
  'must match "then" schema',
  'must pass "',
];

// ---------------------------------------------------------------------------------------
// Happy paths, typed into an empty form field by field (defaults left as they come), with
// the fields each step shows in order and some of the values the form submits.

export const HAPPY = [
  {
    id: 'tour',
    // The screenshots of examples/backstage/README.md.
    screenshots: true,
    steps: [
      {
        name: 'photos',
        namespace: 'media',
        image: 'ghcr.io/immich-app/immich-server:v1.119.0',
        port: 2283,
        runAs: 568,
        probePath: '/api/server/ping',
        probeTimeoutSeconds: 5,
        startupMinutes: 10,
      },
      {
        storagePattern: 'longhorn-persistent',
        storageSize: 50,
        mountPath: '/usr/src/app/upload',
        mediaMount: true,
        mediaPath: '/mnt/library',
        mediaSubpath: '/mnt/tank/photos',
        secretMount: true,
        secretName: 'photos-oauth',
        secretPath: '/etc/photos',
      },
      { ingressPattern: 'external-via-tunnel', host: 'photos.hypyr.space' },
      { backupStrategy: 'volsync-snapshots', backupSchedule: '30 3 * * *', retentionDays: 14 },
    ],
    fields: [
      [
        'name', 'namespace', 'image', 'port', 'replicas', 'runAs', 'probePath', 'probeHttps',
        'probePeriodSeconds', 'probeTimeoutSeconds', 'probeFailureThreshold', 'startupMinutes',
        'secretsFromStore',
      ],
      [
        'storagePattern', 'storageSize', 'mountPath', 'mediaMount', 'mediaPath', 'mediaEndpoint',
        'mediaSubpath', 'mediaReadOnly', 'secretMount', 'secretName', 'secretPath',
      ],
      ['ingressPattern', 'host', 'path'],
      ['backupStrategy', 'backupSchedule', 'retentionDays'],
    ],
    submits: {
      replicas: 1,
      probeHttps: false,
      probeTimeoutSeconds: 5,
      startupMinutes: 10,
      mediaEndpoint: 'nfs://nas.internal:2049',
      mediaReadOnly: true,
      path: '/',
    },
  },
  {
    id: 'ephemeral-internal',
    steps: [
      { name: 'whoami', image: 'ghcr.io/traefik/whoami:v1.10.1' },
      {},
      {},
      {},
    ],
    // The 16 defaults a person who types only a name and an image sends.
    submits: {
      port: 8080,
      replicas: 1,
      storagePattern: 'ephemeral',
      mountPath: '/data',
      mediaMount: false,
      ingressPattern: 'internal-only',
      path: '/',
      backupStrategy: 'none',
    },
  },
  {
    id: 'nas-internal',
    steps: [
      { name: 'jellyfin', namespace: 'media', image: 'ghcr.io/jellyfin/jellyfin:10.10.7', port: 8096 },
      {
        storagePattern: 'nas-mount',
        storageSize: 500,
        nasEndpoint: 'nfs://nas-backup.internal:2049',
        nasSubpath: '/mnt/tank/media',
        mountPath: '/media',
      },
      { ingressPattern: 'internal-only', host: 'tv.in.hypyr.space' },
      {},
    ],
    fields: [
      null,
      ['storagePattern', 'storageSize', 'nasEndpoint', 'nasSubpath', 'mountPath', 'mediaMount', 'secretMount'],
      null,
      ['backupStrategy'],
    ],
    submits: { storageSize: 500, nasEndpoint: 'nfs://nas-backup.internal:2049' },
  },
  {
    id: 's3-no-ingress',
    steps: [
      { name: 'uploader', namespace: 'team', image: 'ghcr.io/acme/uploader:0.9.0', replicas: 2, secretsFromStore: 'uploader' },
      { storagePattern: 's3-external', s3Bucket: 'uploader-data', s3Region: 'eu-west-1' },
      { ingressPattern: 'none' },
      {},
    ],
    fields: [null, ['storagePattern', 's3Bucket', 's3Region', 'mediaMount', 'secretMount'], ['ingressPattern'], null],
    submits: { replicas: 2, s3Region: 'eu-west-1', ingressPattern: 'none' },
  },
  {
    id: 'existing-claim-snapshots',
    steps: [
      { name: 'sonarr', namespace: 'media', image: 'ghcr.io/home-operations/sonarr:4.0.15.2941', port: 8989, runAs: 568 },
      { storagePattern: 'existing-claim', claimName: 'sonarr-config', mountPath: '/config' },
      { path: '/sonarr' },
      { backupStrategy: 'snapshots', backupSchedule: '@daily' },
    ],
    fields: [null, ['storagePattern', 'claimName', 'mountPath', 'mediaMount', 'secretMount'], null, null],
    submits: { claimName: 'sonarr-config', backupSchedule: '@daily', retentionDays: 30 },
  },
];

// ---------------------------------------------------------------------------------------
// Conditional groups: what a choice shows, in order. `set` is applied in order.

const STORAGE_TAIL = ['mediaMount', 'secretMount'];
const APPLICATION = ['name', 'namespace', 'image', 'port', 'replicas', 'runAs', 'probePath'];
export const CONDITIONALS = [
  // The probe's scheme and timings appear under the health check path once one is typed.
  {
    id: 'application-no-probe',
    base: 'ephemeral-internal',
    step: 0,
    set: [],
    fields: [...APPLICATION, 'secretsFromStore'],
  },
  {
    id: 'application-probe-timings',
    base: 'ephemeral-internal',
    step: 0,
    set: [{ probePath: '/health' }],
    fields: [
      ...APPLICATION, 'probeHttps', 'probePeriodSeconds', 'probeTimeoutSeconds',
      'probeFailureThreshold', 'startupMinutes', 'secretsFromStore',
    ],
    placeholders: { probePeriodSeconds: '10', probeTimeoutSeconds: '1', probeFailureThreshold: '3', startupMinutes: '5' },
  },
  ...[
    ['ephemeral', ['mountPath']],
    ['longhorn-persistent', ['storageSize', 'mountPath']],
    ['nas-mount', ['storageSize', 'nasEndpoint', 'nasSubpath', 'mountPath']],
    ['s3-external', ['s3Bucket', 's3Region']],
    ['existing-claim', ['claimName', 'mountPath']],
  ].flatMap(([pattern, own]) => [
    {
      id: `storage-${pattern}`,
      base: 'ephemeral-internal',
      step: 1,
      set: [{ storagePattern: pattern }],
      fields: ['storagePattern', ...own, ...STORAGE_TAIL],
    },
    // Finding 5: with the media library ticked, the pattern's fields stay right under
    // "Storage pattern" and the media fields come after the checkbox.
    {
      id: `storage-${pattern}-media`,
      base: 'ephemeral-internal',
      step: 1,
      set: [{ mediaMount: true }, { storagePattern: pattern }],
      fields: [
        'storagePattern', ...own, 'mediaMount', 'mediaPath', 'mediaEndpoint', 'mediaSubpath',
        'mediaReadOnly', 'secretMount',
      ],
    },
  ]),
  {
    id: 'storage-media-unticked',
    base: 'ephemeral-internal',
    step: 1,
    set: [{ mediaMount: true }, { mediaMount: false }],
    fields: ['storagePattern', 'mountPath', 'mediaMount', 'secretMount'],
  },
  // A whole Secret as a directory: its name and path under the checkbox.
  {
    id: 'storage-secret-mount',
    base: 'ephemeral-internal',
    step: 1,
    set: [{ secretMount: true }],
    fields: ['storagePattern', 'mountPath', 'mediaMount', 'secretMount', 'secretName', 'secretPath'],
    placeholders: { secretName: 'myapp-config', secretPath: '/etc/myapp', mountPath: '' },
  },
  {
    id: 'storage-secret-mount-unticked',
    base: 'tour',
    step: 1,
    set: [{ secretMount: false }],
    fields: [
      'storagePattern', 'storageSize', 'mountPath', 'mediaMount', 'mediaPath', 'mediaEndpoint',
      'mediaSubpath', 'mediaReadOnly', 'secretMount',
    ],
  },
  // Findings 3 and 4: the host's description keeps `<name>` and no pattern shows the other
  // pattern's placeholder.
  {
    id: 'ingress-internal-only',
    base: 'tour',
    step: 2,
    set: [{ ingressPattern: 'internal-only' }],
    fields: ['ingressPattern', 'host', 'path'],
    placeholders: { host: '' },
    text: [
      'Leave empty for <name>.in.hypyr.space; otherwise a name under .in.hypyr.space.',
      'Host preview: internal apps get <name>.in.hypyr.space, external apps <name>.hypyr.space',
    ],
  },
  {
    id: 'ingress-external-via-tunnel',
    base: 'ephemeral-internal',
    step: 2,
    set: [{ ingressPattern: 'external-via-tunnel' }],
    fields: ['ingressPattern', 'host', 'path'],
    placeholders: { host: '' },
    text: ['Leave empty for <name>.hypyr.space; otherwise a name under .hypyr.space, never under .in.hypyr.space.'],
  },
  {
    id: 'ingress-none',
    base: 'ephemeral-internal',
    step: 2,
    set: [{ ingressPattern: 'none' }],
    fields: ['ingressPattern'],
  },
  ...['none', 'volsync-snapshots', 'snapshots'].map(strategy => ({
    id: `backup-${strategy}`,
    base: 'existing-claim-snapshots',
    step: 3,
    set: [{ backupStrategy: strategy }],
    fields: strategy === 'none' ? ['backupStrategy'] : ['backupStrategy', 'backupSchedule', 'retentionDays'],
  })),
];

// ---------------------------------------------------------------------------------------
// Refusals: the base happy path's values, Next up to `step`, then one bad input. The form
// must stay on the step with a message on `field` (and only there) matching `message`.
// Where the browser's own constraint validation blocks the submit first (an empty required
// field, a number out of the input's min/max), its bubble message is what the person reads.

const refusal = (id, base, step, set, field, message, screenshot) => ({
  id, base, step, set, field, message, screenshot,
});

export const REFUSALS = [
  // Application
  refusal('name-empty', 'ephemeral-internal', 0, { name: '' }, 'name', /fill out this field/),
  refusal('name-uppercase', 'ephemeral-internal', 0, { name: 'Whoami' }, 'name', /App name must be lowercase alphanumeric with hyphens/),
  refusal('name-digit-first', 'ephemeral-internal', 0, { name: '1app', namespace: 'team' }, 'name', /starting with a letter/),
  refusal('name-64', 'ephemeral-internal', 0, { name: 'a'.repeat(64) }, 'name', /App name must be at most 63 characters/),
  // Finding 2: `must NOT be valid` for the name `default` without a namespace.
  refusal('name-reserved-no-namespace', 'ephemeral-internal', 0, { name: 'default' }, 'name', /Namespace is reserved: without a namespace the name "default" is the namespace/),
  refusal('name-kube-prefix-no-namespace', 'ephemeral-internal', 0, { name: 'kube-tools' }, 'name', /"kube-tools" is the namespace, and it is reserved/),
  // Finding 2: `must NOT be valid` for the namespace kube-system.
  refusal('namespace-kube-system', 'ephemeral-internal', 0, { namespace: 'kube-system' }, 'namespace', /Namespace is reserved. Choose a different namespace \("kube-system" is reserved for the platform\)/),
  refusal('namespace-argocd', 'ephemeral-internal', 0, { namespace: 'argocd' }, 'namespace', /"argocd" is reserved for the platform/),
  refusal('namespace-uppercase', 'ephemeral-internal', 0, { namespace: 'Team' }, 'namespace', /lowercase RFC 1123 label/),
  // Finding 1: the image's pattern was the message (about 600 characters).
  refusal('image-uppercase-path', 'ephemeral-internal', 0, { image: 'ghcr.io/Owner/app:v1' }, 'image', /Image reference must be .*no uppercase/, '6-refused.png'),
  refusal('image-short-digest', 'ephemeral-internal', 0, { image: 'nginx@sha256:abc' }, 'image', /64\s+hex digits/),
  refusal('image-empty', 'ephemeral-internal', 0, { image: '' }, 'image', /fill out this field/),
  refusal('port-0', 'ephemeral-internal', 0, { port: 0 }, 'port', /greater than or equal to 1/),
  refusal('port-65536', 'ephemeral-internal', 0, { port: 65536 }, 'port', /less than or equal to 65535/),
  refusal('replicas-negative', 'ephemeral-internal', 0, { replicas: -1 }, 'replicas', /greater than or equal to 0/),
  refusal('runas-negative', 'ephemeral-internal', 0, { runAs: -1 }, 'runAs', /greater than or equal to 0/),
  refusal('probe-relative', 'ephemeral-internal', 0, { probePath: 'health' }, 'probePath', /path must start with '\/'/),
  refusal('probe-dotdot', 'ephemeral-internal', 0, { probePath: '/a/../b' }, 'probePath', /no '\.' or '\.\.' segment/),
  refusal('probe-period-0', 'tour', 0, { probePeriodSeconds: 0 }, 'probePeriodSeconds', /greater than or equal to 1/),
  refusal('probe-timeout-0', 'tour', 0, { probeTimeoutSeconds: 0 }, 'probeTimeoutSeconds', /greater than or equal to 1/),
  refusal('probe-failure-threshold-0', 'tour', 0, { probeFailureThreshold: 0 }, 'probeFailureThreshold', /greater than or equal to 1/),
  refusal('startup-over-a-day', 'tour', 0, { startupMinutes: 1441 }, 'startupMinutes', /less than or equal to 1440/),
  refusal('secrets-space', 'ephemeral-internal', 0, { secretsFromStore: 'my app' }, 'secretsFromStore', /without whitespace/),
  refusal('secrets-template', 'ephemeral-internal', 0, { secretsFromStore: 'a{{b' }, 'secretsFromStore', /'\{\{' or '\}\}'/),
  // Storage
  refusal('size-0', 'tour', 1, { storageSize: 0 }, 'storageSize', /greater than or equal to 1/),
  refusal('size-1001', 'tour', 1, { storageSize: 1001 }, 'storageSize', /less than or equal to 1000/),
  refusal('mountpath-dotdot', 'tour', 1, { mountPath: '/data/../etc' }, 'mountPath', /without '\.\.' or '\.' segments/),
  refusal('mountpath-etc', 'tour', 1, { mountPath: '/etc' }, 'mountPath', /not \/etc itself/),
  refusal('mountpath-proc', 'tour', 1, { mountPath: '/proc/app' }, 'mountPath', /not \/proc, \/sys or \/dev or under them/),
  refusal('mountpath-root', 'tour', 1, { mountPath: '/' }, 'mountPath', /mount path must be absolute, not '\/'/),
  refusal('mountpath-encoded-dotdot', 'tour', 1, { mountPath: '/data/%2e%2e/etc' }, 'mountPath', /percent-encoded/),
  refusal('nas-subpath-outside-prefix', 'nas-internal', 1, { nasSubpath: '/srv/media' }, 'nasSubpath', /Subpath must lie under the NAS prefix "\/mnt\/"/),
  refusal('nas-subpath-dotdot', 'nas-internal', 1, { nasSubpath: '/mnt/tank/../../etc' }, 'nasSubpath', /without '\.\.' or '\.' segments/),
  refusal('nas-subpath-empty', 'nas-internal', 1, { nasSubpath: '' }, 'nasSubpath', /fill out this field/),
  refusal('claim-uppercase', 'existing-claim-snapshots', 1, { claimName: 'Sonarr' }, 'claimName', /claim name must be a DNS subdomain/),
  refusal('claim-label-64', 'existing-claim-snapshots', 1, { claimName: `data.${'a'.repeat(64)}` }, 'claimName', /labels \(between dots\) of at most 63 characters/),
  refusal('bucket-xn-prefix', 's3-no-ingress', 1, { s3Bucket: 'xn--data' }, 's3Bucket', /not\s+start with xn--/),
  refusal('bucket-ip', 's3-no-ingress', 1, { s3Bucket: '192.168.1.1' }, 's3Bucket', /not be an IP address/),
  refusal('bucket-2-chars', 's3-no-ingress', 1, { s3Bucket: 'ab' }, 's3Bucket', /3 to 63 characters long/),
  refusal('media-path-proc', 'tour', 1, { mediaPath: '/proc/media' }, 'mediaPath', /not \/proc, \/sys or \/dev or under them/),
  refusal('secret-name-uppercase', 'tour', 1, { secretName: 'Photos' }, 'secretName', /secret name must be a DNS subdomain/),
  refusal('secret-name-empty', 'tour', 1, { secretName: '' }, 'secretName', /fill out this field/),
  refusal('secret-path-etc', 'tour', 1, { secretPath: '/etc' }, 'secretPath', /not \/etc itself/),
  refusal('secret-path-resolv-conf', 'tour', 1, { secretPath: '/etc/resolv.conf' }, 'secretPath', /\/etc\/resolv.conf \(the kubelet's\)/),
  refusal('secret-path-dev-shm', 'tour', 1, { secretPath: '/dev/shm' }, 'secretPath', /only for a memory volume/),
  refusal('media-path-dev-shm', 'tour', 1, { mediaPath: '/dev/shm/media' }, 'mediaPath', /only for a memory volume/),
  refusal('media-path-no-letter', 'tour', 1, { mediaPath: '/_-_' }, 'mediaPath', /needs an ASCII letter or digit/),
  refusal('media-subpath-outside-prefix', 'tour', 1, { mediaSubpath: '/srv/photos' }, 'mediaSubpath', /NAS prefix "\/mnt\/"/),
  // Ingress
  refusal('host-internal-outside-domain', 'ephemeral-internal', 2, { host: 'app.example.com' }, 'host', /Internal apps must use .in.hypyr.space domain, got "app.example.com"/),
  // Finding 2: `must NOT be valid` for an external host under the internal domain.
  refusal('host-external-under-internal', 'tour', 2, { host: 'photos.in.hypyr.space' }, 'host', /External apps must use .hypyr.space domain \(not the internal .in.hypyr.space\), got "photos.in.hypyr.space"/),
  refusal('host-external-outside-domain', 'tour', 2, { host: 'photos.example.com' }, 'host', /External apps must use .hypyr.space domain, got "photos.example.com"/),
  refusal('host-uppercase', 'ephemeral-internal', 2, { host: 'App.in.hypyr.space' }, 'host', /host must be a lowercase DNS name/),
  refusal('path-relative', 'ephemeral-internal', 2, { path: 'api' }, 'path', /path must start with '\/'/),
  refusal('path-double-slash', 'ephemeral-internal', 2, { path: '/a//b' }, 'path', /no '\/\/'/),
  // Backup
  // Finding 2: `must NOT be valid` for a schedule that never fires.
  refusal('schedule-30-february', 'tour', 3, { backupSchedule: '0 2 30 2 *' }, 'backupSchedule', /schedule never fires/),
  refusal('schedule-31-april', 'existing-claim-snapshots', 3, { backupSchedule: '0 2 31 4 *' }, 'backupSchedule', /schedule never fires/),
  refusal('schedule-hour-24', 'tour', 3, { backupSchedule: '0 24 * * *' }, 'backupSchedule', /5-field cron expression/),
  refusal('schedule-words', 'tour', 3, { backupSchedule: 'every day' }, 'backupSchedule', /5-field cron expression/),
  refusal('retention-0', 'tour', 3, { retentionDays: 0 }, 'retentionDays', /greater than or equal to 1/),
  // Finding 2: `must be equal to constant` for Volsync backups of ephemeral storage.
  refusal('volsync-with-ephemeral', 'ephemeral-internal', 3, { backupStrategy: 'volsync-snapshots' }, 'backupStrategy', /"volsync-snapshots" needs the storage pattern longhorn-persistent or existing-claim \(a\s+snapshot-capable volume\), got "ephemeral"/),
  refusal('snapshots-with-nas', 'nas-internal', 3, { backupStrategy: 'snapshots' }, 'backupStrategy', /"snapshots" needs the storage pattern .* got "nas-mount"/),
];

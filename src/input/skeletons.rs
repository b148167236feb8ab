//! The skeletons of the documents the function reads (written by `schema::tests`; do not edit).
//!
//! Generated from the types' JSON Schema: `APPSPEC_BLESS=1 cargo test --lib skeletons` rewrites this file.

use crate::input::skeleton::{Additional, Skeleton};

pub static APPSPEC: Skeleton = Skeleton {
    types: &["object"],
    properties: &[
        ("apiVersion", Skeleton { types: &["string"], ..Skeleton::ANY }),
        ("kind", Skeleton { types: &["string"], ..Skeleton::ANY }),
        ("metadata", Skeleton {
            types: &["object"],
            properties: &[
                ("name", Skeleton { types: &["string"], ..Skeleton::ANY }),
                ("namespace", Skeleton { types: &["string"], ..Skeleton::ANY }),
                ("labels", Skeleton {
                    types: &["object"],
                    additional: Additional::Entry(&Skeleton { types: &["string"], ..Skeleton::ANY }),
                    ..Skeleton::ANY
                }),
                ("annotations", Skeleton {
                    types: &["object"],
                    additional: Additional::Entry(&Skeleton { types: &["string"], ..Skeleton::ANY }),
                    ..Skeleton::ANY
                }),
            ],
            required: &["name"],
            additional: Additional::Forbidden,
            hint: Some("at least metadata.name"),
            ..Skeleton::ANY
        }),
        ("spec", Skeleton {
            types: &["object"],
            properties: &[
                ("image", Skeleton {
                    types: &["string"],
                    hint: Some("an OCI image reference, e.g. ghcr.io/org/app:1.0.0"),
                    ..Skeleton::ANY
                }),
                ("port", Skeleton { types: &["integer"], ..Skeleton::ANY }),
                ("replicas", Skeleton { types: &["integer"], ..Skeleton::ANY }),
                ("resources", Skeleton {
                    types: &["object"],
                    properties: &[
                        ("requests", RESOURCE_AMOUNTS),
                        ("limits", RESOURCE_AMOUNTS),
                        ("claims", Skeleton {
                            types: &["object"],
                            additional: Additional::Entry(&Skeleton { types: &["string"], ..Skeleton::ANY }),
                            ..Skeleton::ANY
                        }),
                    ],
                    additional: Additional::Forbidden,
                    ..Skeleton::ANY
                }),
                ("command", Skeleton {
                    types: &["array"],
                    items: Some(&Skeleton { types: &["string"], ..Skeleton::ANY }),
                    ..Skeleton::ANY
                }),
                ("args", Skeleton {
                    types: &["array"],
                    items: Some(&Skeleton { types: &["string"], ..Skeleton::ANY }),
                    ..Skeleton::ANY
                }),
                ("ports", PORT_SPEC_MAP),
                ("service", Skeleton {
                    types: &["object"],
                    properties: &[
                        ("port", Skeleton { types: &["integer"], ..Skeleton::ANY }),
                        ("appProtocol", Skeleton { types: &["string"], ..Skeleton::ANY }),
                        ("loadBalancer", Skeleton {
                            types: &["object"],
                            properties: &[
                                ("ip", Skeleton { types: &["string"], ..Skeleton::ANY }),
                                ("ports", Skeleton {
                                    types: &["array"],
                                    items: Some(&Skeleton { types: &["string"], ..Skeleton::ANY }),
                                    ..Skeleton::ANY
                                }),
                                ("externalTrafficPolicy", Skeleton {
                                    members: &[
                                        Skeleton { choices: Some(&["Local", "Cluster"]), ..Skeleton::ANY },
                                    ],
                                    ..Skeleton::ANY
                                }),
                                ("host", Skeleton { types: &["string"], ..Skeleton::ANY }),
                            ],
                            additional: Additional::Forbidden,
                            ..Skeleton::ANY
                        }),
                    ],
                    additional: Additional::Forbidden,
                    ..Skeleton::ANY
                }),
                ("runAs", Skeleton {
                    members: &[
                        Skeleton {
                            members: &[
                                Skeleton { types: &["integer"], ..Skeleton::ANY },
                                Skeleton {
                                    types: &["object"],
                                    properties: &[
                                        ("user", Skeleton {
                                            types: &["integer"],
                                            hint: Some("a user id"),
                                            ..Skeleton::ANY
                                        }),
                                        ("group", Skeleton { types: &["integer"], ..Skeleton::ANY }),
                                    ],
                                    required: &["user"],
                                    additional: Additional::Forbidden,
                                    ..Skeleton::ANY
                                },
                            ],
                            ..Skeleton::ANY
                        },
                    ],
                    ..Skeleton::ANY
                }),
                ("probes", PROBES),
                ("env", ENV_VALUE_MAP),
                ("secretEnv", SECRET_ENV),
                ("storage", Skeleton {
                    types: &["object"],
                    properties: &[
                        ("pattern", Skeleton {
                            choices: Some(&["ephemeral", "longhorn-persistent", "nas-mount", "s3-external", "existing-claim"]),
                            ..Skeleton::ANY
                        }),
                        ("size", Skeleton { types: &["integer"], ..Skeleton::ANY }),
                        ("mountPath", Skeleton { types: &["string"], ..Skeleton::ANY }),
                        ("nas", NAS),
                        ("s3", Skeleton {
                            types: &["object"],
                            properties: &[
                                ("bucket", Skeleton { types: &["string"], ..Skeleton::ANY }),
                                ("region", Skeleton { types: &["string"], ..Skeleton::ANY }),
                            ],
                            required: &["bucket", "region"],
                            additional: Additional::Forbidden,
                            ..Skeleton::ANY
                        }),
                        ("claimName", Skeleton { types: &["string"], ..Skeleton::ANY }),
                    ],
                    additional: Additional::Forbidden,
                    ..Skeleton::ANY
                }),
                ("files", Skeleton {
                    types: &["object"],
                    additional: Additional::Entry(&Skeleton {
                        types: &["object"],
                        properties: &[
                            ("configMap", Skeleton { types: &["string"], ..Skeleton::ANY }),
                            ("secret", Skeleton { types: &["string"], ..Skeleton::ANY }),
                            ("key", Skeleton { types: &["string"], ..Skeleton::ANY }),
                            ("content", Skeleton { types: &["string"], ..Skeleton::ANY }),
                            ("mode", Skeleton { types: &["integer"], ..Skeleton::ANY }),
                        ],
                        additional: Additional::Forbidden,
                        ..Skeleton::ANY
                    }),
                    ..Skeleton::ANY
                }),
                ("mounts", Skeleton {
                    types: &["array"],
                    items: Some(&Skeleton {
                        types: &["object"],
                        properties: &[
                            ("path", Skeleton {
                                types: &["string"],
                                hint: Some("an absolute path in the container"),
                                ..Skeleton::ANY
                            }),
                            ("nas", NAS),
                            ("claim", Skeleton { types: &["string"], ..Skeleton::ANY }),
                            ("subPath", Skeleton { types: &["string"], ..Skeleton::ANY }),
                            ("emptyDir", Skeleton {
                                types: &["object"],
                                properties: &[
                                    ("sizeLimit", Skeleton { types: &["string", "number"], ..Skeleton::ANY }),
                                    ("memory", Skeleton { types: &["boolean"], ..Skeleton::ANY }),
                                ],
                                additional: Additional::Forbidden,
                                ..Skeleton::ANY
                            }),
                            ("secret", Skeleton { types: &["string"], ..Skeleton::ANY }),
                            ("configMap", Skeleton { types: &["string"], ..Skeleton::ANY }),
                            ("mode", Skeleton { types: &["integer"], ..Skeleton::ANY }),
                            ("volume", Skeleton {
                                types: &["object"],
                                properties: &[
                                    ("name", Skeleton {
                                        types: &["string"],
                                        hint: Some("a short name such as cache"),
                                        ..Skeleton::ANY
                                    }),
                                    ("size", Skeleton {
                                        types: &["string", "number"],
                                        hint: Some("a size such as 20Gi"),
                                        ..Skeleton::ANY
                                    }),
                                ],
                                required: &["name", "size"],
                                additional: Additional::Forbidden,
                                ..Skeleton::ANY
                            }),
                            ("readOnly", Skeleton { types: &["boolean"], ..Skeleton::ANY }),
                        ],
                        required: &["path"],
                        additional: Additional::Forbidden,
                        ..Skeleton::ANY
                    }),
                    ..Skeleton::ANY
                }),
                ("ingress", Skeleton {
                    types: &["object"],
                    properties: &[
                        ("pattern", Skeleton {
                            choices: Some(&["internal-only", "external-via-tunnel", "none"]),
                            ..Skeleton::ANY
                        }),
                        ("host", Skeleton { types: &["string"], ..Skeleton::ANY }),
                        ("path", Skeleton { types: &["string"], ..Skeleton::ANY }),
                        ("aliases", Skeleton {
                            types: &["array"],
                            items: Some(&Skeleton { types: &["string"], ..Skeleton::ANY }),
                            ..Skeleton::ANY
                        }),
                        ("annotations", Skeleton {
                            types: &["object"],
                            additional: Additional::Entry(&Skeleton { types: &["string"], ..Skeleton::ANY }),
                            ..Skeleton::ANY
                        }),
                        ("timeout", Skeleton { types: &["string"], ..Skeleton::ANY }),
                        ("routes", Skeleton {
                            types: &["array"],
                            items: Some(&Skeleton {
                                types: &["object"],
                                properties: &[
                                    ("host", Skeleton {
                                        types: &["string"],
                                        hint: Some("a host name under the app's domain"),
                                        ..Skeleton::ANY
                                    }),
                                    ("port", Skeleton {
                                        types: &["string"],
                                        hint: Some("a named port of the app"),
                                        ..Skeleton::ANY
                                    }),
                                    ("path", Skeleton { types: &["string"], ..Skeleton::ANY }),
                                ],
                                required: &["host", "port"],
                                additional: Additional::Forbidden,
                                ..Skeleton::ANY
                            }),
                            ..Skeleton::ANY
                        }),
                        ("alsoInternal", Skeleton { types: &["boolean"], ..Skeleton::ANY }),
                    ],
                    additional: Additional::Forbidden,
                    ..Skeleton::ANY
                }),
                ("backup", Skeleton {
                    types: &["object"],
                    properties: &[
                        ("strategy", Skeleton {
                            choices: Some(&["none", "volsync-snapshots", "snapshots"]),
                            ..Skeleton::ANY
                        }),
                        ("schedule", Skeleton { types: &["string"], ..Skeleton::ANY }),
                        ("retentionDays", Skeleton { types: &["integer"], ..Skeleton::ANY }),
                    ],
                    additional: Additional::Forbidden,
                    ..Skeleton::ANY
                }),
                ("security", Skeleton { choices: Some(&["default", "restricted"]), ..Skeleton::ANY }),
                ("workload", Skeleton {
                    choices: Some(&["deployment", "statefulset"]),
                    ..Skeleton::ANY
                }),
                ("job", Skeleton {
                    types: &["object"],
                    properties: &[
                        ("schedule", Skeleton {
                            types: &["string"],
                            hint: Some("a cron schedule such as \"0 4 * * *\" or @daily"),
                            ..Skeleton::ANY
                        }),
                        ("timeZone", Skeleton { types: &["string"], ..Skeleton::ANY }),
                        ("concurrencyPolicy", Skeleton {
                            choices: Some(&["Allow", "Forbid", "Replace"]),
                            ..Skeleton::ANY
                        }),
                        ("suspend", Skeleton { types: &["boolean"], ..Skeleton::ANY }),
                        ("startingDeadlineSeconds", Skeleton { types: &["integer"], ..Skeleton::ANY }),
                        ("successfulJobsHistoryLimit", Skeleton { types: &["integer"], ..Skeleton::ANY }),
                        ("failedJobsHistoryLimit", Skeleton { types: &["integer"], ..Skeleton::ANY }),
                        ("backoffLimit", Skeleton { types: &["integer"], ..Skeleton::ANY }),
                        ("activeDeadlineSeconds", Skeleton { types: &["integer"], ..Skeleton::ANY }),
                        ("ttlSecondsAfterFinished", Skeleton { types: &["integer"], ..Skeleton::ANY }),
                        ("parallelism", Skeleton { types: &["integer"], ..Skeleton::ANY }),
                        ("restartPolicy", Skeleton { choices: Some(&["Never", "OnFailure"]), ..Skeleton::ANY }),
                    ],
                    required: &["schedule"],
                    additional: Additional::Forbidden,
                    ..Skeleton::ANY
                }),
                ("nodeSelector", Skeleton {
                    types: &["object"],
                    additional: Additional::Entry(&Skeleton { types: &["string"], ..Skeleton::ANY }),
                    ..Skeleton::ANY
                }),
                ("serviceAccount", Skeleton {
                    members: &[
                        Skeleton {
                            types: &["object"],
                            properties: &[
                                ("name", Skeleton {
                                    types: &["string"],
                                    hint: Some("the name of an existing ServiceAccount"),
                                    ..Skeleton::ANY
                                }),
                                ("token", Skeleton { types: &["boolean"], ..Skeleton::ANY }),
                                ("create", Skeleton { types: &["boolean"], ..Skeleton::ANY }),
                                ("read", Skeleton {
                                    types: &["array"],
                                    items: Some(&Skeleton { types: &["string"], ..Skeleton::ANY }),
                                    ..Skeleton::ANY
                                }),
                            ],
                            additional: Additional::Forbidden,
                            ..Skeleton::ANY
                        },
                    ],
                    ..Skeleton::ANY
                }),
                ("podAnnotations", Skeleton {
                    types: &["object"],
                    additional: Additional::Entry(&Skeleton { types: &["string"], ..Skeleton::ANY }),
                    ..Skeleton::ANY
                }),
                ("metrics", Skeleton {
                    types: &["object"],
                    properties: &[
                        ("port", Skeleton { types: &["string"], ..Skeleton::ANY }),
                        ("path", Skeleton { types: &["string"], ..Skeleton::ANY }),
                        ("interval", Skeleton { types: &["string"], ..Skeleton::ANY }),
                    ],
                    additional: Additional::Forbidden,
                    ..Skeleton::ANY
                }),
                ("spread", Skeleton {
                    members: &[
                        Skeleton { choices: Some(&["hostname"]), ..Skeleton::ANY },
                    ],
                    ..Skeleton::ANY
                }),
                ("pod", Skeleton {
                    types: &["object"],
                    properties: &[
                        ("hostNetwork", Skeleton { types: &["boolean"], ..Skeleton::ANY }),
                        ("hostUsers", Skeleton { types: &["boolean"], ..Skeleton::ANY }),
                        ("dnsConfig", Skeleton {
                            types: &["object"],
                            properties: &[
                                ("nameservers", Skeleton {
                                    types: &["array"],
                                    items: Some(&Skeleton { types: &["string"], ..Skeleton::ANY }),
                                    ..Skeleton::ANY
                                }),
                                ("searches", Skeleton {
                                    types: &["array"],
                                    items: Some(&Skeleton { types: &["string"], ..Skeleton::ANY }),
                                    ..Skeleton::ANY
                                }),
                                ("options", Skeleton {
                                    types: &["array"],
                                    items: Some(&Skeleton {
                                        types: &["object"],
                                        properties: &[
                                            ("name", Skeleton {
                                                types: &["string"],
                                                hint: Some("a resolv.conf option such as ndots"),
                                                ..Skeleton::ANY
                                            }),
                                            ("value", Skeleton { types: &["string"], ..Skeleton::ANY }),
                                        ],
                                        required: &["name"],
                                        additional: Additional::Forbidden,
                                        ..Skeleton::ANY
                                    }),
                                    ..Skeleton::ANY
                                }),
                            ],
                            additional: Additional::Forbidden,
                            ..Skeleton::ANY
                        }),
                        ("tolerations", Skeleton {
                            types: &["array"],
                            items: Some(&Skeleton {
                                types: &["object"],
                                properties: &[
                                    ("key", Skeleton { types: &["string"], ..Skeleton::ANY }),
                                    ("operator", Skeleton { choices: Some(&["Equal", "Exists"]), ..Skeleton::ANY }),
                                    ("value", Skeleton { types: &["string"], ..Skeleton::ANY }),
                                    ("effect", Skeleton {
                                        choices: Some(&["NoSchedule", "PreferNoSchedule", "NoExecute"]),
                                        ..Skeleton::ANY
                                    }),
                                    ("tolerationSeconds", Skeleton { types: &["integer"], ..Skeleton::ANY }),
                                ],
                                additional: Additional::Forbidden,
                                ..Skeleton::ANY
                            }),
                            ..Skeleton::ANY
                        }),
                        ("priorityClassName", Skeleton { types: &["string"], ..Skeleton::ANY }),
                        ("supplementalGroups", Skeleton {
                            types: &["array"],
                            items: Some(&Skeleton { types: &["integer"], ..Skeleton::ANY }),
                            ..Skeleton::ANY
                        }),
                        ("terminationGracePeriodSeconds", Skeleton { types: &["integer"], ..Skeleton::ANY }),
                        ("affinity", Skeleton {
                            types: &["object"],
                            properties: &[
                                ("nodeAffinity", Skeleton {
                                    types: &["object"],
                                    properties: &[
                                        ("requiredDuringSchedulingIgnoredDuringExecution", Skeleton {
                                            types: &["object"],
                                            properties: &[
                                                ("nodeSelectorTerms", Skeleton {
                                                    types: &["array"],
                                                    items: Some(&Skeleton {
                                                        types: &["object"],
                                                        properties: &[
                                                            ("matchExpressions", NODE_SELECTOR_REQUIREMENT_LIST),
                                                        ],
                                                        additional: Additional::Forbidden,
                                                        ..Skeleton::ANY
                                                    }),
                                                    hint: Some("a list of {matchExpressions: [...]}"),
                                                    ..Skeleton::ANY
                                                }),
                                            ],
                                            required: &["nodeSelectorTerms"],
                                            additional: Additional::Forbidden,
                                            ..Skeleton::ANY
                                        }),
                                        ("preferredDuringSchedulingIgnoredDuringExecution", Skeleton {
                                            types: &["array"],
                                            items: Some(&Skeleton {
                                                types: &["object"],
                                                properties: &[
                                                    ("weight", Skeleton {
                                                        types: &["integer"],
                                                        hint: Some("a weight 1..100"),
                                                        ..Skeleton::ANY
                                                    }),
                                                    ("preference", Skeleton {
                                                        types: &["object"],
                                                        properties: &[
                                                            ("matchExpressions", NODE_SELECTOR_REQUIREMENT_LIST),
                                                        ],
                                                        additional: Additional::Forbidden,
                                                        hint: Some("{matchExpressions: [...]}"),
                                                        ..Skeleton::ANY
                                                    }),
                                                ],
                                                required: &["weight", "preference"],
                                                additional: Additional::Forbidden,
                                                ..Skeleton::ANY
                                            }),
                                            ..Skeleton::ANY
                                        }),
                                    ],
                                    additional: Additional::Forbidden,
                                    ..Skeleton::ANY
                                }),
                                ("podAffinity", POD_AFFINITY),
                                ("podAntiAffinity", POD_AFFINITY),
                            ],
                            additional: Additional::Forbidden,
                            ..Skeleton::ANY
                        }),
                        ("enableServiceLinks", Skeleton { types: &["boolean"], ..Skeleton::ANY }),
                        ("imagePullSecrets", Skeleton {
                            types: &["array"],
                            items: Some(&Skeleton { types: &["string"], ..Skeleton::ANY }),
                            ..Skeleton::ANY
                        }),
                    ],
                    additional: Additional::Forbidden,
                    ..Skeleton::ANY
                }),
                ("init", Skeleton {
                    types: &["array"],
                    items: Some(&Skeleton {
                        types: &["object"],
                        properties: &[
                            ("name", Skeleton {
                                types: &["string"],
                                hint: Some("a container name such as init-db"),
                                ..Skeleton::ANY
                            }),
                            ("image", Skeleton {
                                types: &["string"],
                                hint: Some("an OCI image reference, e.g. ghcr.io/org/init:1.0.0"),
                                ..Skeleton::ANY
                            }),
                            ("command", Skeleton {
                                types: &["array"],
                                items: Some(&Skeleton { types: &["string"], ..Skeleton::ANY }),
                                ..Skeleton::ANY
                            }),
                            ("args", Skeleton {
                                types: &["array"],
                                items: Some(&Skeleton { types: &["string"], ..Skeleton::ANY }),
                                ..Skeleton::ANY
                            }),
                            ("env", ENV_VALUE_MAP),
                            ("secretEnv", SECRET_ENV),
                            ("mounts", Skeleton {
                                types: &["array"],
                                items: Some(&Skeleton { types: &["string"], ..Skeleton::ANY }),
                                ..Skeleton::ANY
                            }),
                        ],
                        required: &["name", "image"],
                        additional: Additional::Forbidden,
                        ..Skeleton::ANY
                    }),
                    ..Skeleton::ANY
                }),
                ("sidecars", Skeleton {
                    types: &["array"],
                    items: Some(&Skeleton {
                        types: &["object"],
                        properties: &[
                            ("name", Skeleton {
                                types: &["string"],
                                hint: Some("a container name such as gluetun"),
                                ..Skeleton::ANY
                            }),
                            ("image", Skeleton {
                                types: &["string"],
                                hint: Some("an OCI image reference, e.g. ghcr.io/org/sidecar:1.0.0"),
                                ..Skeleton::ANY
                            }),
                            ("command", Skeleton {
                                types: &["array"],
                                items: Some(&Skeleton { types: &["string"], ..Skeleton::ANY }),
                                ..Skeleton::ANY
                            }),
                            ("args", Skeleton {
                                types: &["array"],
                                items: Some(&Skeleton { types: &["string"], ..Skeleton::ANY }),
                                ..Skeleton::ANY
                            }),
                            ("env", ENV_VALUE_MAP),
                            ("secretEnv", SECRET_ENV),
                            ("ports", PORT_SPEC_MAP),
                            ("mounts", Skeleton {
                                types: &["array"],
                                items: Some(&Skeleton { types: &["string"], ..Skeleton::ANY }),
                                ..Skeleton::ANY
                            }),
                            ("capabilities", Skeleton {
                                types: &["array"],
                                items: Some(&Skeleton { choices: Some(&["NET_ADMIN", "NET_RAW"]), ..Skeleton::ANY }),
                                ..Skeleton::ANY
                            }),
                            ("probes", PROBES),
                        ],
                        required: &["name", "image"],
                        additional: Additional::Forbidden,
                        ..Skeleton::ANY
                    }),
                    ..Skeleton::ANY
                }),
            ],
            required: &["image"],
            additional: Additional::Forbidden,
            hint: Some("at least spec.image"),
            ..Skeleton::ANY
        }),
    ],
    required: &["apiVersion", "kind", "metadata", "spec"],
    additional: Additional::Forbidden,
    ..Skeleton::ANY
};

pub static PLATFORM: Skeleton = Skeleton {
    types: &["object"],
    properties: &[
        ("apiVersion", Skeleton { types: &["string"], ..Skeleton::ANY }),
        ("kind", Skeleton { types: &["string"], ..Skeleton::ANY }),
        ("metadata", Skeleton {
            types: &["object"],
            properties: &[
                ("name", Skeleton { types: &["string"], ..Skeleton::ANY }),
                ("namespace", Skeleton { types: &["string"], ..Skeleton::ANY }),
                ("labels", Skeleton {
                    types: &["object"],
                    additional: Additional::Entry(&Skeleton { types: &["string"], ..Skeleton::ANY }),
                    ..Skeleton::ANY
                }),
                ("annotations", Skeleton {
                    types: &["object"],
                    additional: Additional::Entry(&Skeleton { types: &["string"], ..Skeleton::ANY }),
                    ..Skeleton::ANY
                }),
            ],
            additional: Additional::Forbidden,
            ..Skeleton::ANY
        }),
        ("spec", Skeleton {
            types: &["object"],
            properties: &[
                ("dns", Skeleton {
                    types: &["object"],
                    properties: &[
                        ("internalDomain", Skeleton { types: &["string"], ..Skeleton::ANY }),
                        ("externalDomain", Skeleton { types: &["string"], ..Skeleton::ANY }),
                    ],
                    additional: Additional::Forbidden,
                    ..Skeleton::ANY
                }),
                ("ingress", Skeleton {
                    types: &["object"],
                    properties: &[
                        ("internal", INGRESS_CLASS),
                        ("external", INGRESS_CLASS),
                        ("tls", Skeleton {
                            types: &["object"],
                            properties: &[
                                ("clusterIssuer", Skeleton {
                                    types: &["string"],
                                    hint: Some("the cert-manager ClusterIssuer"),
                                    ..Skeleton::ANY
                                }),
                            ],
                            required: &["clusterIssuer"],
                            additional: Additional::Forbidden,
                            ..Skeleton::ANY
                        }),
                        ("gateway", Skeleton {
                            types: &["object"],
                            properties: &[
                                ("internal", GATEWAY_REF),
                                ("external", GATEWAY_REF),
                            ],
                            additional: Additional::Forbidden,
                            ..Skeleton::ANY
                        }),
                        ("timeoutAnnotation", Skeleton { types: &["string"], ..Skeleton::ANY }),
                    ],
                    additional: Additional::Forbidden,
                    ..Skeleton::ANY
                }),
                ("storage", Skeleton {
                    types: &["object"],
                    properties: &[
                        ("longhorn", Skeleton {
                            types: &["object"],
                            properties: &[
                                ("storageClassName", Skeleton { types: &["string"], ..Skeleton::ANY }),
                            ],
                            additional: Additional::Forbidden,
                            ..Skeleton::ANY
                        }),
                        ("nas", Skeleton {
                            types: &["object"],
                            properties: &[
                                ("endpoints", Skeleton {
                                    types: &["array"],
                                    items: Some(&Skeleton { types: &["string"], ..Skeleton::ANY }),
                                    ..Skeleton::ANY
                                }),
                                ("pathPrefix", Skeleton { types: &["string"], ..Skeleton::ANY }),
                            ],
                            additional: Additional::Forbidden,
                            ..Skeleton::ANY
                        }),
                        ("s3", Skeleton {
                            types: &["object"],
                            properties: &[
                                ("secretStore", SECRET_STORE_REF),
                                ("credentialsKeyTemplate", Skeleton { types: &["string"], ..Skeleton::ANY }),
                                ("regions", Skeleton {
                                    types: &["array"],
                                    items: Some(&Skeleton { types: &["string"], ..Skeleton::ANY }),
                                    ..Skeleton::ANY
                                }),
                            ],
                            additional: Additional::Forbidden,
                            ..Skeleton::ANY
                        }),
                    ],
                    additional: Additional::Forbidden,
                    ..Skeleton::ANY
                }),
                ("backup", Skeleton {
                    types: &["object"],
                    properties: &[
                        ("backend", Skeleton { choices: Some(&["volsync", "kopiur"]), ..Skeleton::ANY }),
                        ("restoreOnCreate", Skeleton { types: &["boolean"], ..Skeleton::ANY }),
                        ("volsync", Skeleton {
                            types: &["object"],
                            properties: &[
                                ("repositoryTemplate", Skeleton { types: &["string"], ..Skeleton::ANY }),
                                ("secretStore", SECRET_STORE_REF),
                                ("credentialsKey", Skeleton { types: &["string"], ..Skeleton::ANY }),
                                ("volumeSnapshotClassName", Skeleton { types: &["string"], ..Skeleton::ANY }),
                                ("moverSecurityContext", MOVER_SECURITY_CONTEXT),
                            ],
                            additional: Additional::Forbidden,
                            ..Skeleton::ANY
                        }),
                        ("kopiur", Skeleton {
                            types: &["object"],
                            properties: &[
                                ("repository", Skeleton {
                                    types: &["object"],
                                    properties: &[
                                        ("kind", Skeleton {
                                            choices: Some(&["ClusterRepository", "Repository"]),
                                            ..Skeleton::ANY
                                        }),
                                        ("name", Skeleton {
                                            types: &["string"],
                                            hint: Some("the kopiur repository's name"),
                                            ..Skeleton::ANY
                                        }),
                                    ],
                                    required: &["name"],
                                    additional: Additional::Forbidden,
                                    ..Skeleton::ANY
                                }),
                                ("credentialProjection", Skeleton { types: &["boolean"], ..Skeleton::ANY }),
                                ("volumeSnapshotClassName", Skeleton { types: &["string"], ..Skeleton::ANY }),
                                ("moverSecurityContext", MOVER_SECURITY_CONTEXT),
                            ],
                            additional: Additional::Forbidden,
                            ..Skeleton::ANY
                        }),
                    ],
                    additional: Additional::Forbidden,
                    ..Skeleton::ANY
                }),
                ("secrets", Skeleton {
                    types: &["object"],
                    properties: &[
                        ("secretStore", SECRET_STORE_REF),
                    ],
                    additional: Additional::Forbidden,
                    ..Skeleton::ANY
                }),
                ("namespaces", Skeleton {
                    types: &["object"],
                    properties: &[
                        ("reserved", Skeleton {
                            types: &["array"],
                            items: Some(&Skeleton { types: &["string"], ..Skeleton::ANY }),
                            ..Skeleton::ANY
                        }),
                        ("management", Skeleton {
                            types: &["array"],
                            items: Some(&Skeleton { types: &["string"], ..Skeleton::ANY }),
                            ..Skeleton::ANY
                        }),
                    ],
                    additional: Additional::Forbidden,
                    ..Skeleton::ANY
                }),
                ("defaults", Skeleton {
                    types: &["object"],
                    properties: &[
                        ("resources", Skeleton {
                            types: &["object"],
                            properties: &[
                                ("requests", AMOUNTS),
                                ("limits", AMOUNTS),
                            ],
                            additional: Additional::Forbidden,
                            ..Skeleton::ANY
                        }),
                    ],
                    additional: Additional::Forbidden,
                    ..Skeleton::ANY
                }),
                ("reloader", Skeleton { types: &["boolean"], ..Skeleton::ANY }),
                ("loadBalancer", Skeleton {
                    types: &["object"],
                    properties: &[
                        ("pools", Skeleton {
                            types: &["array"],
                            items: Some(&Skeleton { types: &["string"], ..Skeleton::ANY }),
                            ..Skeleton::ANY
                        }),
                        ("ipAnnotation", Skeleton { types: &["string"], ..Skeleton::ANY }),
                    ],
                    additional: Additional::Forbidden,
                    ..Skeleton::ANY
                }),
                ("metrics", Skeleton {
                    types: &["object"],
                    properties: &[
                        ("serviceMonitorLabels", Skeleton {
                            types: &["object"],
                            additional: Additional::Entry(&Skeleton { types: &["string"], ..Skeleton::ANY }),
                            ..Skeleton::ANY
                        }),
                    ],
                    additional: Additional::Forbidden,
                    ..Skeleton::ANY
                }),
            ],
            additional: Additional::Forbidden,
            ..Skeleton::ANY
        }),
    ],
    required: &["apiVersion", "kind"],
    additional: Additional::Forbidden,
    ..Skeleton::ANY
};


const COUNT: Skeleton = Skeleton {
    members: &[
        Skeleton { types: &["integer"], ..Skeleton::ANY },
        Skeleton { types: &["string"], ..Skeleton::ANY },
    ],
    ..Skeleton::ANY
};

const RESOURCE_AMOUNTS: Skeleton = Skeleton {
    types: &["object"],
    properties: &[
        ("cpu", Skeleton { types: &["string", "number"], ..Skeleton::ANY }),
        ("memory", Skeleton { types: &["string", "number"], ..Skeleton::ANY }),
    ],
    additional: Additional::Entry(&COUNT),
    ..Skeleton::ANY
};

const PORT_WITH_PROTOCOL: Skeleton = Skeleton {
    types: &["object"],
    properties: &[
        ("port", Skeleton {
            types: &["integer"],
            hint: Some("a port number"),
            ..Skeleton::ANY
        }),
        ("protocol", Skeleton { choices: Some(&["TCP", "UDP"]), ..Skeleton::ANY }),
        ("appProtocol", Skeleton { types: &["string"], ..Skeleton::ANY }),
        ("service", Skeleton { types: &["boolean"], ..Skeleton::ANY }),
    ],
    required: &["port"],
    additional: Additional::Forbidden,
    ..Skeleton::ANY
};

const PORT_SPEC: Skeleton = Skeleton {
    members: &[
        Skeleton { types: &["integer"], ..Skeleton::ANY },
        PORT_WITH_PROTOCOL,
    ],
    ..Skeleton::ANY
};

const PORT_SPEC_MAP: Skeleton = Skeleton {
    types: &["object"],
    additional: Additional::Entry(&PORT_SPEC),
    ..Skeleton::ANY
};

const PROBE_CHECK: Skeleton = Skeleton {
    types: &["object"],
    properties: &[
        ("path", Skeleton { types: &["string"], ..Skeleton::ANY }),
        ("tcp", Skeleton { types: &["boolean"], ..Skeleton::ANY }),
        ("exec", Skeleton {
            types: &["array"],
            items: Some(&Skeleton { types: &["string"], ..Skeleton::ANY }),
            ..Skeleton::ANY
        }),
        ("port", Skeleton { types: &["string"], ..Skeleton::ANY }),
        ("scheme", Skeleton { choices: Some(&["HTTP", "HTTPS"]), ..Skeleton::ANY }),
        ("initialDelaySeconds", Skeleton { types: &["integer"], ..Skeleton::ANY }),
        ("periodSeconds", Skeleton { types: &["integer"], ..Skeleton::ANY }),
        ("timeoutSeconds", Skeleton { types: &["integer"], ..Skeleton::ANY }),
        ("failureThreshold", Skeleton { types: &["integer"], ..Skeleton::ANY }),
        ("successThreshold", Skeleton { types: &["integer"], ..Skeleton::ANY }),
    ],
    additional: Additional::Forbidden,
    ..Skeleton::ANY
};

const PROBE_KIND: Skeleton = Skeleton {
    members: &[
        Skeleton { types: &["boolean"], ..Skeleton::ANY },
        PROBE_CHECK,
    ],
    ..Skeleton::ANY
};

const PROBE_KIND_OR_NULL: Skeleton = Skeleton {
    members: &[
        PROBE_KIND,
    ],
    ..Skeleton::ANY
};

const PROBES: Skeleton = Skeleton {
    types: &["object"],
    properties: &[
        ("path", Skeleton { types: &["string"], ..Skeleton::ANY }),
        ("tcp", Skeleton { types: &["boolean"], ..Skeleton::ANY }),
        ("exec", Skeleton {
            types: &["array"],
            items: Some(&Skeleton { types: &["string"], ..Skeleton::ANY }),
            ..Skeleton::ANY
        }),
        ("port", Skeleton { types: &["string"], ..Skeleton::ANY }),
        ("scheme", Skeleton { choices: Some(&["HTTP", "HTTPS"]), ..Skeleton::ANY }),
        ("initialDelaySeconds", Skeleton { types: &["integer"], ..Skeleton::ANY }),
        ("periodSeconds", Skeleton { types: &["integer"], ..Skeleton::ANY }),
        ("timeoutSeconds", Skeleton { types: &["integer"], ..Skeleton::ANY }),
        ("failureThreshold", Skeleton { types: &["integer"], ..Skeleton::ANY }),
        ("successThreshold", Skeleton { types: &["integer"], ..Skeleton::ANY }),
        ("readiness", PROBE_KIND_OR_NULL),
        ("liveness", PROBE_KIND_OR_NULL),
        ("startup", PROBE_KIND_OR_NULL),
    ],
    additional: Additional::Forbidden,
    ..Skeleton::ANY
};

const SECRET_KEY: Skeleton = Skeleton {
    types: &["object"],
    properties: &[
        ("secret", Skeleton {
            types: &["string"],
            hint: Some("the Secret's name"),
            ..Skeleton::ANY
        }),
        ("key", Skeleton {
            types: &["string"],
            hint: Some("a key of the Secret"),
            ..Skeleton::ANY
        }),
    ],
    required: &["secret", "key"],
    additional: Additional::Forbidden,
    ..Skeleton::ANY
};

const ENV_VALUE: Skeleton = Skeleton {
    members: &[
        Skeleton { types: &["string"], ..Skeleton::ANY },
        Skeleton { types: &["integer"], ..Skeleton::ANY },
        Skeleton { types: &["boolean"], ..Skeleton::ANY },
        SECRET_KEY,
    ],
    ..Skeleton::ANY
};

const ENV_VALUE_MAP: Skeleton = Skeleton {
    types: &["object"],
    additional: Additional::Entry(&ENV_VALUE),
    ..Skeleton::ANY
};

const SECRET_ENV: Skeleton = Skeleton {
    types: &["object"],
    properties: &[
        ("fromStore", Skeleton { types: &["string"], ..Skeleton::ANY }),
        ("existing", Skeleton {
            types: &["array"],
            items: Some(&Skeleton { types: &["string"], ..Skeleton::ANY }),
            ..Skeleton::ANY
        }),
    ],
    additional: Additional::Forbidden,
    ..Skeleton::ANY
};

const NAS: Skeleton = Skeleton {
    types: &["object"],
    properties: &[
        ("endpoint", Skeleton {
            types: &["string"],
            hint: Some("one of the platform's NAS endpoints"),
            ..Skeleton::ANY
        }),
        ("subpath", Skeleton {
            types: &["string"],
            hint: Some("an absolute path on the NAS"),
            ..Skeleton::ANY
        }),
    ],
    required: &["endpoint", "subpath"],
    additional: Additional::Forbidden,
    ..Skeleton::ANY
};

const NODE_SELECTOR_REQUIREMENT: Skeleton = Skeleton {
    types: &["object"],
    properties: &[
        ("key", Skeleton {
            types: &["string"],
            hint: Some("a node label key"),
            ..Skeleton::ANY
        }),
        ("operator", Skeleton {
            choices: Some(&["In", "NotIn", "Exists", "DoesNotExist", "Gt", "Lt"]),
            hint: Some("In, NotIn, Exists, DoesNotExist, Gt or Lt"),
            ..Skeleton::ANY
        }),
        ("values", Skeleton {
            types: &["array"],
            items: Some(&Skeleton { types: &["string"], ..Skeleton::ANY }),
            ..Skeleton::ANY
        }),
    ],
    required: &["key", "operator"],
    additional: Additional::Forbidden,
    ..Skeleton::ANY
};

const NODE_SELECTOR_REQUIREMENT_LIST: Skeleton = Skeleton {
    types: &["array"],
    items: Some(&NODE_SELECTOR_REQUIREMENT),
    ..Skeleton::ANY
};

const LABEL_SELECTOR_REQUIREMENT: Skeleton = Skeleton {
    types: &["object"],
    properties: &[
        ("key", Skeleton {
            types: &["string"],
            hint: Some("a label key"),
            ..Skeleton::ANY
        }),
        ("operator", Skeleton {
            choices: Some(&["In", "NotIn", "Exists", "DoesNotExist"]),
            hint: Some("In, NotIn, Exists or DoesNotExist"),
            ..Skeleton::ANY
        }),
        ("values", Skeleton {
            types: &["array"],
            items: Some(&Skeleton { types: &["string"], ..Skeleton::ANY }),
            ..Skeleton::ANY
        }),
    ],
    required: &["key", "operator"],
    additional: Additional::Forbidden,
    ..Skeleton::ANY
};

const LABEL_SELECTOR_REQUIREMENT_LIST: Skeleton = Skeleton {
    types: &["array"],
    items: Some(&LABEL_SELECTOR_REQUIREMENT),
    ..Skeleton::ANY
};

const LABEL_SELECTOR: Skeleton = Skeleton {
    types: &["object"],
    properties: &[
        ("matchLabels", Skeleton {
            types: &["object"],
            additional: Additional::Entry(&Skeleton { types: &["string"], ..Skeleton::ANY }),
            ..Skeleton::ANY
        }),
        ("matchExpressions", LABEL_SELECTOR_REQUIREMENT_LIST),
    ],
    additional: Additional::Forbidden,
    ..Skeleton::ANY
};

const POD_AFFINITY_TERM: Skeleton = Skeleton {
    types: &["object"],
    properties: &[
        ("labelSelector", LABEL_SELECTOR),
        ("namespaces", Skeleton {
            types: &["array"],
            items: Some(&Skeleton { types: &["string"], ..Skeleton::ANY }),
            ..Skeleton::ANY
        }),
        ("namespaceSelector", LABEL_SELECTOR),
        ("topologyKey", Skeleton {
            types: &["string"],
            hint: Some("a node label key such as kubernetes.io/hostname"),
            ..Skeleton::ANY
        }),
    ],
    required: &["topologyKey"],
    additional: Additional::Forbidden,
    ..Skeleton::ANY
};

const POD_AFFINITY_TERM_LIST: Skeleton = Skeleton {
    types: &["array"],
    items: Some(&POD_AFFINITY_TERM),
    ..Skeleton::ANY
};

const POD_AFFINITY_TERM_HINTED: Skeleton = Skeleton {
    types: &["object"],
    properties: &[
        ("labelSelector", LABEL_SELECTOR),
        ("namespaces", Skeleton {
            types: &["array"],
            items: Some(&Skeleton { types: &["string"], ..Skeleton::ANY }),
            ..Skeleton::ANY
        }),
        ("namespaceSelector", LABEL_SELECTOR),
        ("topologyKey", Skeleton {
            types: &["string"],
            hint: Some("a node label key such as kubernetes.io/hostname"),
            ..Skeleton::ANY
        }),
    ],
    required: &["topologyKey"],
    additional: Additional::Forbidden,
    hint: Some("{labelSelector, topologyKey}"),
    ..Skeleton::ANY
};

const WEIGHTED_POD_AFFINITY_TERM: Skeleton = Skeleton {
    types: &["object"],
    properties: &[
        ("weight", Skeleton {
            types: &["integer"],
            hint: Some("a weight 1..100"),
            ..Skeleton::ANY
        }),
        ("podAffinityTerm", POD_AFFINITY_TERM_HINTED),
    ],
    required: &["weight", "podAffinityTerm"],
    additional: Additional::Forbidden,
    ..Skeleton::ANY
};

const WEIGHTED_POD_AFFINITY_TERM_LIST: Skeleton = Skeleton {
    types: &["array"],
    items: Some(&WEIGHTED_POD_AFFINITY_TERM),
    ..Skeleton::ANY
};

const POD_AFFINITY: Skeleton = Skeleton {
    types: &["object"],
    properties: &[
        ("requiredDuringSchedulingIgnoredDuringExecution", POD_AFFINITY_TERM_LIST),
        ("preferredDuringSchedulingIgnoredDuringExecution", WEIGHTED_POD_AFFINITY_TERM_LIST),
    ],
    additional: Additional::Forbidden,
    ..Skeleton::ANY
};

const INGRESS_CLASS: Skeleton = Skeleton {
    types: &["object"],
    properties: &[
        ("className", Skeleton { types: &["string"], ..Skeleton::ANY }),
        ("hostTemplate", Skeleton { types: &["string"], ..Skeleton::ANY }),
        ("target", Skeleton { types: &["string"], ..Skeleton::ANY }),
    ],
    additional: Additional::Forbidden,
    ..Skeleton::ANY
};

const GATEWAY_REF: Skeleton = Skeleton {
    types: &["object"],
    properties: &[
        ("name", Skeleton {
            types: &["string"],
            hint: Some("the Gateway's name"),
            ..Skeleton::ANY
        }),
        ("namespace", Skeleton {
            types: &["string"],
            hint: Some("the Gateway's namespace"),
            ..Skeleton::ANY
        }),
        ("sectionName", Skeleton { types: &["string"], ..Skeleton::ANY }),
    ],
    required: &["name", "namespace"],
    additional: Additional::Forbidden,
    ..Skeleton::ANY
};

const SECRET_STORE_REF: Skeleton = Skeleton {
    types: &["object"],
    properties: &[
        ("kind", Skeleton { types: &["string"], ..Skeleton::ANY }),
        ("name", Skeleton { types: &["string"], ..Skeleton::ANY }),
    ],
    additional: Additional::Forbidden,
    ..Skeleton::ANY
};

const MOVER_SECURITY_CONTEXT: Skeleton = Skeleton {
    types: &["object"],
    properties: &[
        ("runAsUser", Skeleton { types: &["integer"], ..Skeleton::ANY }),
        ("runAsGroup", Skeleton { types: &["integer"], ..Skeleton::ANY }),
        ("fsGroup", Skeleton { types: &["integer"], ..Skeleton::ANY }),
    ],
    additional: Additional::Forbidden,
    ..Skeleton::ANY
};

const AMOUNTS: Skeleton = Skeleton {
    types: &["object"],
    properties: &[
        ("cpu", Skeleton { types: &["string", "number"], ..Skeleton::ANY }),
        ("memory", Skeleton { types: &["string", "number"], ..Skeleton::ANY }),
    ],
    additional: Additional::Forbidden,
    ..Skeleton::ANY
};

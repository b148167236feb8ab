//! S3 credentials: an ExternalSecret from the platform's store (never a plain Secret) and
//! the env vars that read it.

use k8s_openapi::api::core::v1::{EnvVar, EnvVarSource, SecretKeySelector};

use super::meta;
use crate::model::crd::{
    DataFrom, ExternalSecret, ExternalSecretSpec, RemoteRef, SecretData, StoreRef, Target,
};
use crate::model::platform::{Platform, SecretStoreRef};
use crate::validate::App;

const KEYS: [&str; 2] = ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"];
/// How often External Secrets re-reads the store.
pub const REFRESH: &str = "1h";

/// Name of the ExternalSecret and of the Secret it produces.
pub fn s3_secret_name(app: &App) -> String {
    crate::model::names::label(&app.spec.name, "s3-credentials")
}

pub fn store_ref(store: &SecretStoreRef) -> StoreRef {
    StoreRef {
        kind: store.kind.clone(),
        name: store.name.clone(),
    }
}

/// The ExternalSecret of an s3-external app.
pub fn s3_credentials(app: &App, platform: &Platform) -> Option<ExternalSecret> {
    let key = app.s3_credentials_key.clone()?;
    let name = s3_secret_name(app);
    Some(ExternalSecret::new(
        meta(app, &name),
        ExternalSecretSpec {
            refresh_interval: REFRESH.to_string(),
            secret_store_ref: store_ref(&platform.storage.s3.secret_store),
            target: Target {
                name,
                creation_policy: "Owner",
                deletion_policy: "Retain",
                template: None,
            },
            data: KEYS
                .iter()
                .map(|k| SecretData {
                    secret_key: k.to_string(),
                    remote_ref: RemoteRef {
                        key: key.clone(),
                        property: Some(k.to_string()),
                    },
                })
                .collect(),
            data_from: vec![],
        },
    ))
}

/// Name of the ExternalSecret of `secretEnv.fromStore`, and of the Secret it produces.
pub fn env_secret_name(app: &App) -> String {
    crate::model::names::env_secret(&app.spec.name)
}

/// The ExternalSecret of `secretEnv.fromStore`: every property of one remote key of the
/// platform's store, into a Secret the container reads with `envFrom`.
pub fn env_secret(app: &App, platform: &Platform) -> Option<ExternalSecret> {
    let key = app.spec.body.secret_env.as_ref()?.from_store.clone()?;
    Some(store_secret(app, platform, env_secret_name(app), key))
}

/// An ExternalSecret `name` extracting every property of the remote key `key` of the
/// platform's store into a Secret of the same name.
pub fn store_secret(app: &App, platform: &Platform, name: String, key: String) -> ExternalSecret {
    ExternalSecret::new(
        meta(app, &name),
        ExternalSecretSpec {
            refresh_interval: REFRESH.to_string(),
            secret_store_ref: store_ref(&platform.secrets.secret_store),
            target: Target {
                name,
                creation_policy: "Owner",
                deletion_policy: "Retain",
                template: None,
            },
            data: vec![],
            data_from: vec![DataFrom {
                extract: RemoteRef {
                    key,
                    property: None,
                },
            }],
        },
    )
}

/// `S3_BUCKET`, `S3_REGION` and the credentials from the ExternalSecret's Secret.
pub fn s3_env(app: &App) -> Vec<EnvVar> {
    let Some(s3) = &app.spec.body.storage.s3 else {
        return vec![];
    };
    let plain = |name: &str, value: &str| EnvVar {
        name: name.to_string(),
        value: Some(value.to_string()),
        value_from: None,
    };
    let mut env = vec![
        plain("S3_BUCKET", &s3.bucket),
        plain("S3_REGION", &s3.region),
    ];
    env.extend(KEYS.iter().map(|k| EnvVar {
        name: k.to_string(),
        value: None,
        value_from: Some(EnvVarSource {
            secret_key_ref: Some(SecretKeySelector {
                name: s3_secret_name(app),
                key: k.to_string(),
                optional: None,
            }),
            ..EnvVarSource::default()
        }),
    }));
    env
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::expand::test_support;

    #[test]
    fn table() {
        let cases: &[(&str, &str, Option<&str>)] = &[
            (
                "s3",
                "{pattern: s3-external, s3: {bucket: media, region: eu-west-1}}",
                Some("s3/media"),
            ),
            ("ephemeral", "{pattern: ephemeral}", None),
        ];
        for (name, block, key) in cases {
            let (app, site) = test_support::app(&format!(
                "metadata: {{name: web}}\nspec: {{image: \"nginx:1\", storage: {block}}}"
            ));
            let es = s3_credentials(&app, &site.config).map(|e| serde_json::to_value(e).unwrap());
            assert_eq!(
                es.as_ref()
                    .map(|e| e["spec"]["data"][0]["remoteRef"]["key"].as_str().unwrap()),
                *key,
                "{name}"
            );
            assert_eq!(
                s3_env(&app).len(),
                if key.is_some() { 4 } else { 0 },
                "{name}"
            );
            if let Some(es) = es {
                assert_eq!(es["apiVersion"], "external-secrets.io/v1");
                assert_eq!(es["spec"]["target"]["name"], "web-s3-credentials");
                assert_eq!(
                    es["spec"]["secretStoreRef"],
                    serde_json::json!({"kind": "ClusterSecretStore", "name": "default"})
                );
                assert_eq!(es["spec"]["data"][1]["secretKey"], "AWS_SECRET_ACCESS_KEY");
            }
        }
    }
}

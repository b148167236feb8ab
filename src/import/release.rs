//! Finding app-template HelmReleases among documents: the chart (classic `chart.spec` or an
//! OCI `chartRef`), its version, the release's name and namespace, and its values.

use serde_json::Value;

pub const HELM_RELEASE: &str = "HelmRelease";
pub const OCI_REPOSITORY: &str = "OCIRepository";
pub const CHART: &str = "app-template";

/// One app-template release to import.
#[derive(Clone, Debug, PartialEq)]
pub struct Release {
    /// `metadata.name` of the HelmRelease.
    pub name: String,
    /// `spec.targetNamespace`, else `metadata.namespace`.
    pub namespace: Option<String>,
    /// The Helm release name (`spec.releaseName`, else Flux's default).
    pub release_name: String,
    /// The chart version, when the release or its OCIRepository says.
    pub version: Option<String>,
    /// The whole HelmRelease document.
    pub doc: Value,
}

impl Release {
    /// The chart's major version (3, 4, 5...), when known.
    pub fn major(&self) -> Option<u64> {
        let v = self.version.as_deref()?.trim_start_matches('v');
        v.split('.').next()?.parse().ok()
    }

    /// Whether the values are in app-template's 1.x layout (a 1.x chart: `recognize` has
    /// refused a chart whose version and values layout disagree).
    pub fn is_v1(&self) -> bool {
        self.major() == Some(1)
    }

    pub fn values(&self) -> Option<&Value> {
        self.doc.pointer("/spec/values")
    }
}

/// Why a document is not an app-template release.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum NotAppTemplate {
    #[error("HelmRelease/{name}: chart {chart:?} is not app-template")]
    OtherChart { name: String, chart: String },
    #[error(
        "HelmRelease/{name}: chartRef names OCIRepository {oci:?}, whose url {url:?} is not the app-template chart"
    )]
    OtherOci {
        name: String,
        oci: String,
        url: String,
    },
    #[error(
        "HelmRelease/{name}: chartRef names {kind} {oci:?}, which is not among the inputs, and the values are not in the app-template layout (controllers.<name>.containers); pass the OCIRepository file too"
    )]
    UnknownChart {
        name: String,
        kind: String,
        oci: String,
    },
    #[error(
        "HelmRelease/{name}: app-template {version} reads the 2.x-and-later values layout (controllers.<name>.containers), but the values are in the 1.x layout (top-level image, controller): the chart would run no container of them; give the chart version the values were written for (1.x), or move the values to controllers"
    )]
    OldLayout { name: String, version: String },
    #[error(
        "HelmRelease/{name}: app-template {version} reads the 1.x values layout (top-level image, controller), but the values are in the 2.x-and-later layout (controllers.<name>.containers): the chart would ignore them; give the chart version the values were written for, or write them in the 1.x layout"
    )]
    NewLayoutOnOldChart { name: String, version: String },
    #[error(
        "HelmRelease/{name}: app-template {version} predates the 1.x values layout that import reads (1.0.0 to 1.5.1); upgrade the release to 1.x or later first"
    )]
    TooOld { name: String, version: String },
    #[error(
        "HelmRelease/{name}: has no values to import (spec.values is missing or not a mapping)"
    )]
    NoValues { name: String },
    #[error("a HelmRelease has no metadata.name")]
    NoName,
    #[error("HelmRelease/{name}: spec.values{error}")]
    TooDeep {
        name: String,
        error: super::subst::TooDeep,
    },
}

fn str_at<'v>(v: &'v Value, pointer: &str) -> Option<&'v str> {
    v.pointer(pointer).and_then(Value::as_str)
}

pub fn is_helm_release(v: &Value) -> bool {
    str_at(v, "/kind") == Some(HELM_RELEASE)
        && str_at(v, "/apiVersion").is_some_and(|a| a.starts_with("helm.toolkit.fluxcd.io/"))
}

pub fn is_oci_repository(v: &Value) -> bool {
    str_at(v, "/kind") == Some(OCI_REPOSITORY)
        && str_at(v, "/apiVersion").is_some_and(|a| a.starts_with("source.toolkit.fluxcd.io/"))
}

/// Whether the values look like app-template 2.x or later: `controllers.<c>.containers`.
fn has_controllers(values: &Value) -> bool {
    values
        .get("controllers")
        .and_then(Value::as_object)
        .is_some_and(|c| c.values().any(|c| c.get("containers").is_some()))
}

/// Recognizes one HelmRelease. `ocis` are the OCIRepositories among all inputs.
pub fn recognize(doc: &Value, ocis: &[&Value]) -> Result<Release, NotAppTemplate> {
    let own_name = str_at(doc, "/metadata/name")
        .ok_or(NotAppTemplate::NoName)?
        .to_string();
    let meta_ns = str_at(doc, "/metadata/namespace").map(str::to_string);
    // In messages, `namespace/name` as the other diagnostics write a resource.
    let name = match &meta_ns {
        Some(ns) => format!("{ns}/{own_name}"),
        None => own_name.clone(),
    };
    let target_ns = str_at(doc, "/spec/targetNamespace").map(str::to_string);
    let values = doc.pointer("/spec/values").filter(|v| v.is_object());
    let version = if let Some(chart) = str_at(doc, "/spec/chart/spec/chart") {
        let chart_name = chart.rsplit('/').next().unwrap_or(chart);
        if chart_name != CHART {
            return Err(NotAppTemplate::OtherChart {
                name,
                chart: chart.to_string(),
            });
        }
        str_at(doc, "/spec/chart/spec/version").map(str::to_string)
    } else if let Some(oci) = str_at(doc, "/spec/chartRef/name") {
        let kind = str_at(doc, "/spec/chartRef/kind").unwrap_or(OCI_REPOSITORY);
        let ref_ns = str_at(doc, "/spec/chartRef/namespace").or(meta_ns.as_deref());
        let found = ocis.iter().find(|o| {
            str_at(o, "/metadata/name") == Some(oci)
                && (ref_ns.is_none()
                    || str_at(o, "/metadata/namespace").is_none()
                    || str_at(o, "/metadata/namespace") == ref_ns)
        });
        match found {
            Some(o) => {
                let url = str_at(o, "/spec/url").unwrap_or("");
                if url.trim_end_matches('/').rsplit('/').next() != Some(CHART) {
                    return Err(NotAppTemplate::OtherOci {
                        name,
                        oci: oci.to_string(),
                        url: url.to_string(),
                    });
                }
                str_at(o, "/spec/ref/tag")
                    .or_else(|| str_at(o, "/spec/ref/semver"))
                    .map(str::to_string)
            }
            None if oci == CHART || values.is_some_and(has_controllers) => None,
            None => {
                return Err(NotAppTemplate::UnknownChart {
                    name,
                    kind: kind.to_string(),
                    oci: oci.to_string(),
                });
            }
        }
    } else {
        return Err(NotAppTemplate::OtherChart {
            name,
            chart: String::new(),
        });
    };
    let Some(values) = values else {
        return Err(NotAppTemplate::NoValues { name });
    };
    if let Err(error) = super::subst::check(values) {
        return Err(NotAppTemplate::TooDeep { name, error });
    }
    let release = Release {
        release_name: str_at(doc, "/spec/releaseName")
            .map(str::to_string)
            .unwrap_or_else(|| match &target_ns {
                // Flux names the Helm release <targetNamespace>-<name> when it targets another namespace.
                Some(t) if Some(t) != meta_ns.as_ref() => format!("{t}-{own_name}"),
                _ => own_name.clone(),
            }),
        namespace: target_ns.or(meta_ns),
        name: own_name,
        version,
        doc: doc.clone(),
    };
    let v1_values = values.get("image").is_some() && !has_controllers(values);
    let version = || {
        release
            .version
            .clone()
            .unwrap_or_else(|| "without a version (Flux installs the newest)".into())
    };
    match release.major() {
        Some(0) => Err(NotAppTemplate::TooOld {
            version: version(),
            name,
        }),
        Some(1) if has_controllers(values) => Err(NotAppTemplate::NewLayoutOnOldChart {
            version: version(),
            name,
        }),
        Some(1) => Ok(release),
        _ if v1_values => Err(NotAppTemplate::OldLayout {
            version: version(),
            name,
        }),
        _ => Ok(release),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn hr(spec: Value) -> Value {
        json!({"apiVersion": "helm.toolkit.fluxcd.io/v2", "kind": "HelmRelease",
               "metadata": {"name": "sonarr", "namespace": "media"}, "spec": spec})
    }

    fn values() -> Value {
        json!({"controllers": {"sonarr": {"containers": {"app": {}}}}})
    }

    #[test]
    fn classic_chart_spec() {
        let r = recognize(
            &hr(
                json!({"chart": {"spec": {"chart": "app-template", "version": "3.7.3"}},
                       "values": values()}),
            ),
            &[],
        )
        .unwrap();
        assert_eq!(r.major(), Some(3));
        assert_eq!(r.release_name, "sonarr");
        assert_eq!(r.namespace.as_deref(), Some("media"));
    }

    #[test]
    fn oci_chart_ref_resolved_through_the_oci_repository() {
        let oci = json!({"apiVersion": "source.toolkit.fluxcd.io/v1", "kind": "OCIRepository",
            "metadata": {"name": "sonarr"},
            "spec": {"url": "oci://ghcr.io/bjw-s-labs/helm/app-template", "ref": {"tag": "4.1.2"}}});
        let doc = hr(
            json!({"chartRef": {"kind": "OCIRepository", "name": "sonarr"},
                            "values": values()}),
        );
        let r = recognize(&doc, &[&oci]).unwrap();
        assert_eq!(r.version.as_deref(), Some("4.1.2"));
        // Without the OCIRepository, the values layout decides.
        assert_eq!(recognize(&doc, &[]).unwrap().version, None);
        let other = json!({"apiVersion": "source.toolkit.fluxcd.io/v1", "kind": "OCIRepository",
            "metadata": {"name": "sonarr"}, "spec": {"url": "oci://ghcr.io/x/cilium"}});
        assert!(matches!(
            recognize(&doc, &[&other]),
            Err(NotAppTemplate::OtherOci { .. })
        ));
    }

    #[test]
    fn refusals() {
        let cases = [
            hr(json!({"chart": {"spec": {"chart": "cilium"}}, "values": {}})),
            hr(json!({"chartRef": {"kind": "OCIRepository", "name": "x"}, "values": {"a": 1}})),
            hr(
                json!({"chart": {"spec": {"chart": "app-template", "version": "3.7.3"}},
                      "values": {"image": {"repository": "x"}}}),
            ),
            hr(json!({"chart": {"spec": {"chart": "app-template"}}})),
            hr(
                json!({"chart": {"spec": {"chart": "app-template", "version": "1.5.1"}},
                      "values": values()}),
            ),
            hr(
                json!({"chart": {"spec": {"chart": "app-template", "version": "0.2.2"}},
                      "values": {"image": {"repository": "x"}}}),
            ),
            hr(json!({"chart": {"spec": {"chart": "app-template"}},
                      "values": {"image": {"repository": "x"}}})),
        ];
        let got: Vec<String> = cases
            .iter()
            .map(|c| recognize(c, &[]).unwrap_err().to_string())
            .collect();
        assert!(
            got[0].contains("\"cilium\" is not app-template"),
            "{}",
            got[0]
        );
        assert!(got[1].contains("not among the inputs"), "{}", got[1]);
        assert!(
            got[2].contains("app-template 3.7.3 reads the 2.x-and-later values layout")
                && got[2].contains("the values are in the 1.x layout"),
            "{}",
            got[2]
        );
        assert!(got[3].contains("no values"), "{}", got[3]);
        assert!(
            got[4].contains("app-template 1.5.1 reads the 1.x values layout")
                && got[4].contains("the values are in the 2.x-and-later layout"),
            "{}",
            got[4]
        );
        assert!(got[5].contains("0.2.2 predates"), "{}", got[5]);
        assert!(
            got[6].contains("without a version (Flux installs the newest)"),
            "{}",
            got[6]
        );
    }

    #[test]
    fn a_1x_release_is_read_in_its_own_layout() {
        let r = recognize(
            &hr(
                json!({"chart": {"spec": {"chart": "app-template", "version": "1.5.1"}},
                      "values": {"image": {"repository": "x"}}}),
            ),
            &[],
        )
        .unwrap();
        assert!(r.is_v1());
    }

    #[test]
    fn target_namespace_names_the_release() {
        let r = recognize(
            &hr(
                json!({"chart": {"spec": {"chart": "app-template"}}, "targetNamespace": "tv",
                       "values": values()}),
            ),
            &[],
        )
        .unwrap();
        assert_eq!(r.release_name, "tv-sonarr");
        assert_eq!(r.namespace.as_deref(), Some("tv"));
    }
}

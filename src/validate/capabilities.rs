//! Rules of `spec.sidecars[].capabilities`: each capability once, none with `security: restricted`.
//!
//! Which names are allowed is the type's (`pod::Capability`): the reader refuses any other
//! name and lists the allowed ones.

use crate::input::diagnostic::Issue;
use crate::model::pod::Capability;
use crate::model::spec::{AppSpec, SecurityProfile};

/// Every problem of the sidecars' capabilities, with its field path.
pub fn check(spec: &AppSpec) -> Vec<Issue> {
    let s = &spec.body;
    let mut out = Vec::new();
    let user = s.pod_ids().map(|(u, _)| u).filter(|u| *u != 0);
    for (i, sidecar) in s.sidecars.iter().enumerate() {
        let at = format!("spec.sidecars[{i}].capabilities");
        check_one(&mut out, &at, &sidecar.capabilities, s.security);
        if let (Some(user), Some(first)) = (user, sidecar.capabilities.first())
            && s.security != SecurityProfile::Restricted
        {
            out.push(Issue::warning(at, non_root_warning(user, *first)));
        }
    }
    out
}

/// Why capabilities of a sidecar that runs as a non-root user do nothing.
fn non_root_warning(user: i64, cap: Capability) -> String {
    format!(
        "the sidecar runs as user {user} (spec.runAs sets the pod's user), and Linux gives a non-root process none of the added capabilities (Kubernetes sets no ambient ones): {cap} takes no effect. A VPN client such as gluetun must run as root: leave spec.runAs out"
    )
}

fn check_one(out: &mut Vec<Issue>, at: &str, caps: &[Capability], security: SecurityProfile) {
    for (j, cap) in caps.iter().enumerate() {
        let path = format!("{at}[{j}]");
        if let Some(first) = caps[..j].iter().position(|c| c == cap) {
            out.push(Issue::error(
                path,
                format!("capability {cap} is listed twice (first at {at}[{first}])"),
            ));
        } else if security == SecurityProfile::Restricted {
            out.push(Issue::error(
                path,
                format!(
                    "adds capability {cap}, which security: restricted refuses (Kubernetes' restricted Pod Security Standard allows adding only NET_BIND_SERVICE); use security: default for an app with this sidecar"
                ),
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table() {
        use Capability::{NetAdmin, NetRaw};
        use SecurityProfile::{Default, Restricted};
        let cases: &[(&str, &[Capability], SecurityProfile, &[&str])] = &[
            ("none", &[], Restricted, &[]),
            ("both, default security", &[NetAdmin, NetRaw], Default, &[]),
            (
                "twice",
                &[NetAdmin, NetRaw, NetAdmin],
                Default,
                &["s[2]: capability NET_ADMIN is listed twice (first at s[0])"],
            ),
            (
                "restricted refuses each",
                &[NetRaw],
                Restricted,
                &[
                    "s[0]: adds capability NET_RAW, which security: restricted refuses (Kubernetes' restricted Pod Security Standard allows adding only NET_BIND_SERVICE); use security: default for an app with this sidecar",
                ],
            ),
        ];
        for (name, caps, security, want) in cases {
            let mut out = Vec::new();
            check_one(&mut out, "s", caps, *security);
            let got: Vec<String> = out
                .iter()
                .map(|i| format!("{}: {}", i.path, i.message))
                .collect();
            assert_eq!(got, *want, "{name}");
        }
    }
}

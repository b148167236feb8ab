//! Rules of `spec.sidecars[].capabilities`: each capability once, none with `security: restricted`.
//!
//! Which names are allowed is the type's (`pod::Capability`): the reader refuses any other
//! name and lists the allowed ones.

use crate::diagnostic::Issue;
use crate::pod::Capability;
use crate::spec::{AppSpec, SecurityProfile};

/// Every problem of the sidecars' capabilities, with its field path.
pub fn check(spec: &AppSpec) -> Vec<Issue> {
    let s = &spec.spec;
    let mut out = Vec::new();
    for (i, sidecar) in s.sidecars.iter().enumerate() {
        check_one(
            &mut out,
            &format!("spec.sidecars[{i}].capabilities"),
            &sidecar.capabilities,
            s.security,
        );
    }
    out
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

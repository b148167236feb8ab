//! Names of generated objects, shortened with a hash to fit what their consumers accept.
//!
//! One helper for every derived name (`<name>-lb`, `<name>-volsync-restic`, movers, the
//! ClusterRole `<namespace>-<name>`, extra PVCs): `bounded(base, suffix, max)` is
//! `<base>-<suffix>` when that fits in `max` characters; otherwise it is cut and made unique
//! again with a hash, deterministically. Callers pick the budget their consumer imposes:
//! [`LABEL`] for anything that ends up in a label value or is a DNS label (Service names,
//! ExternalSecrets, Job names), [`CRON_JOB`] for a CronJob, [`SUBDOMAIN`] for names that are only object names.

/// A DNS-1123 or DNS-1035 label, and a label value: 63 characters. Service names (DNS-1035),
/// ExternalSecret names (External Secrets copies the name into a label value), Job names.
pub const LABEL: usize = 63;
/// A DNS-1123 subdomain: 253 characters (ConfigMap, PVC, PV, ClusterRole names).
pub const SUBDOMAIN: usize = 253;

/// FNV-1a, 32 bits: stable across releases and platforms (not a security hash).
fn fnv1a32(bytes: &[u8]) -> u32 {
    bytes.iter().fold(0x811c_9dc5_u32, |h, b| {
        (h ^ u32::from(*b)).wrapping_mul(0x0100_0193)
    })
}

/// `<base>-<suffix>` (or `<base>` for an empty suffix) when it fits in `max` characters.
/// Otherwise, when the suffix is short enough to keep whole, the base is cut and a hash of the
/// whole base keeps it unique: `<cut base>-<8 hex>-<suffix>` (the mover names of
/// `expand::backup` have always been built so); else the whole name is cut and hashed:
/// `<cut name>-<8 hex>`. The result starts as `base` does and never ends with `-`, so a
/// base that is a DNS label gives a DNS label. `max` must leave room for a hash (>= 10).
pub fn bounded(base: &str, suffix: &str, max: usize) -> String {
    let full = if suffix.is_empty() {
        base.to_string()
    } else {
        format!("{base}-{suffix}")
    };
    if full.len() <= max {
        return full;
    }
    let cut = |s: &str, keep: usize| s[..keep.min(s.len())].trim_end_matches('-').to_string();
    // Room for `<at least one character>-<8 hex>-<suffix>`.
    if !suffix.is_empty() && suffix.len() + 11 < max {
        let keep = max - suffix.len() - 10;
        return format!(
            "{}-{:08x}-{suffix}",
            cut(base, keep),
            fnv1a32(base.as_bytes())
        );
    }
    let keep = max.saturating_sub(9).max(1);
    format!("{}-{:08x}", cut(&full, keep), fnv1a32(full.as_bytes()))
}

/// A CronJob name: the Job controller appends `-<11 characters>` (a dash and the
/// scheduled minute) to name each Job, which must stay a label, so 52 (Kubernetes' own rule).
pub const CRON_JOB: usize = 52;

/// A StatefulSet name: its controller labels every pod `controller-revision-hash:
/// <name>-<hash of up to 10 characters>`, a label value (63), so a longer name makes pods
/// the API server refuses.
pub const STATEFUL_SET: usize = 52;

/// The CronJob of `spec.job`: the app's name, cut and hashed past 52 characters.
pub fn cron_job(app: &str) -> String {
    bounded(app, "", CRON_JOB)
}

/// [`bounded`] within a label: 63 characters.
pub fn label(base: &str, suffix: &str) -> String {
    bounded(base, suffix, LABEL)
}

/// The PVC of a `mounts[].volume`: `<name>-<volume name>`, within a label (63).
pub fn volume_claim(app: &str, volume: &str) -> String {
    label(app, volume)
}

/// The Secret (and ExternalSecret) of `secretEnv.fromStore`: `<name>-secret`.
pub fn env_secret(app: &str) -> String {
    label(app, "secret")
}

/// The Secret (and ExternalSecret) of a container's `secretEnv.fromStore`:
/// `<name>-<container>-secret`.
pub fn container_secret(app: &str, container: &str) -> String {
    label(app, &format!("{container}-secret"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::validate::dns::check_label;

    #[test]
    fn short_names_are_untouched_and_long_ones_fit() {
        assert_eq!(label("plex", "lb"), "plex-lb");
        assert_eq!(label("team", ""), "team");
        let long = "a".repeat(63);
        let lb = label(&long, "lb");
        assert_eq!(lb.len(), 63);
        assert!(lb.ends_with("-lb") && lb.starts_with("aaaa"), "{lb}");
        // A suffix too long to keep whole: the whole name is cut and hashed.
        let role = label(&long, &"b".repeat(63));
        assert_eq!(role.len(), 63);
        assert!(check_label(&role).is_ok(), "{role}");
        assert_ne!(role, label(&long, &"c".repeat(63)));
        // Deterministic, and different bases give different names.
        assert_eq!(lb, label(&long, "lb"));
        assert_ne!(lb, label(&"a".repeat(62), "lb-x"));
        assert_ne!(label(&format!("{long}x"), "lb"), lb);
    }

    #[test]
    fn cron_job_names_leave_room_for_the_job_suffix() {
        assert_eq!(cron_job("recyclarr"), "recyclarr");
        let edge = "a".repeat(52);
        assert_eq!(cron_job(&edge), edge);
        let long = format!("{edge}b");
        let got = cron_job(&long);
        assert_eq!(got.len(), 52);
        assert!(
            got.starts_with("aaaa") && check_label(&got).is_ok(),
            "{got}"
        );
        assert_ne!(got, cron_job(&format!("{edge}c")));
    }

    proptest::proptest! {
        /// Any label base and suffix: the result fits, is a DNS label, and is unchanged when
        /// it already fitted; different suffixes of one base give different names.
        #[test]
        fn fits_and_stays_a_label(
            base in "[a-z]([-a-z0-9]{0,61}[a-z0-9])?",
            suffix in "([a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?)?",
            other in "[a-z0-9]{1,20}",
        ) {
            let got = label(&base, &suffix);
            proptest::prop_assert!(got.len() <= LABEL, "{got}");
            proptest::prop_assert!(check_label(&got).is_ok(), "{got}");
            let full = if suffix.is_empty() { base.clone() } else { format!("{base}-{suffix}") };
            if full.len() <= LABEL {
                proptest::prop_assert_eq!(&got, &full);
            }
            if other != suffix {
                proptest::prop_assert_ne!(got, label(&base, &other));
            }
        }
    }
}

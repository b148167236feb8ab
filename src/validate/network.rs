//! LoadBalancer addresses: IPs and the platform's CIDR pools (IPv4 and IPv6, std::net).

use std::net::IpAddr;

use super::labels;
use crate::input::diagnostic::Issue;
use crate::model::bounds::{IP_MAX_LEN, IP_MIN_LEN};
use crate::model::platform::Platform;
use crate::model::spec::AppSpec;

/// A CIDR block `address/prefix` whose host bits are zero.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Cidr {
    pub network: IpAddr,
    pub prefix: u8,
}

fn bits(ip: IpAddr) -> (u128, u8) {
    match ip {
        IpAddr::V4(v4) => (u128::from(u32::from(v4)), 32),
        IpAddr::V6(v6) => (u128::from(v6), 128),
    }
}

fn mask(prefix: u8, width: u8) -> u128 {
    if prefix == 0 {
        0
    } else {
        let all = if width == 128 {
            u128::MAX
        } else {
            (1u128 << width) - 1
        };
        all & !((1u128 << (width - prefix)) - 1)
    }
}

/// Parses `192.168.42.0/24` or `fd00:42::/64`.
pub fn parse_cidr(s: &str) -> Result<Cidr, String> {
    let (addr, prefix) = s
        .split_once('/')
        .ok_or_else(|| format!("\"{s}\" is not a CIDR block (address/prefix)"))?;
    let network: IpAddr = addr
        .parse()
        .map_err(|_| format!("\"{s}\" has an invalid address \"{addr}\""))?;
    let (value, width) = bits(network);
    let prefix: u8 = prefix
        .parse()
        .ok()
        .filter(|p| *p <= width && prefix.bytes().all(|b| b.is_ascii_digit()))
        .ok_or_else(|| format!("\"{s}\" has an invalid prefix length (0..{width})"))?;
    if value & !mask(prefix, width) != 0 {
        return Err(format!(
            "\"{s}\" has host bits set; write the network address of the block"
        ));
    }
    Ok(Cidr { network, prefix })
}

impl Cidr {
    pub fn contains(&self, ip: IpAddr) -> bool {
        let ((net, width), (value, w)) = (bits(self.network), bits(ip));
        width == w && value & mask(self.prefix, width) == net
    }
}

/// A Gateway API duration (`600s`, `1h30m`, `500ms`) in whole seconds, rounded up: what an
/// Ingress controller's timeout annotation takes. Refuses zero and other forms.
pub fn timeout_seconds(d: &str) -> Result<u64, String> {
    let bad = || {
        "is not a duration such as 600s, 10m or 1h30m (units h, m, s, ms; at most four parts)"
            .to_string()
    };
    let mut ms: u64 = 0;
    let mut parts = 0;
    let mut rest = d;
    while !rest.is_empty() {
        let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
        if digits == 0 || digits > 5 {
            return Err(bad());
        }
        let n: u64 = rest[..digits].parse().map_err(|_| bad())?;
        rest = &rest[digits..];
        let (unit, len) = if rest.starts_with("ms") {
            (1, 2)
        } else if rest.starts_with('h') {
            (3_600_000, 1)
        } else if rest.starts_with('m') {
            (60_000, 1)
        } else if rest.starts_with('s') {
            (1_000, 1)
        } else {
            return Err(bad());
        };
        rest = &rest[len..];
        ms += n * unit;
        parts += 1;
    }
    if parts == 0 || parts > 4 {
        return Err(bad());
    }
    if ms == 0 {
        return Err("must be longer than 0".to_string());
    }
    Ok(ms.div_ceil(1000))
}

/// The names of the app's Service ports: `http` (the main port), then `spec.ports` (not
/// those with `service: false`).
pub fn port_names(spec: &AppSpec) -> Vec<String> {
    std::iter::once("http".to_string())
        .chain(
            spec.body
                .ports
                .iter()
                .filter(|(_, p)| p.on_service())
                .map(|(name, _)| name.clone()),
        )
        .collect()
}

/// Checks `spec.service.loadBalancer` against the platform's pools.
pub fn check(spec: &AppSpec, platform: &Platform) -> Vec<Issue> {
    let mut issues = Vec::new();
    let Some(lb) = spec
        .body
        .service
        .as_ref()
        .and_then(|s| s.load_balancer.as_ref())
    else {
        return issues;
    };
    let at = "spec.service.loadBalancer";
    if let Some(ip) = &lb.ip {
        let pools = &platform.load_balancer.pools;
        let len = ip.chars().count();
        match ip.parse::<IpAddr>() {
            _ if !(IP_MIN_LEN..=IP_MAX_LEN).contains(&len) => issues.push(Issue::error(
                format!("{at}.ip"),
                format!(
                    "ip is {len} character{} long; an IP address as text has {IP_MIN_LEN} to {IP_MAX_LEN} characters",
                    if len == 1 { "" } else { "s" }
                ),
            )),
            Err(_) => issues.push(Issue::error(
                format!("{at}.ip"),
                format!("\"{ip}\" is not an IPv4 or IPv6 address"),
            )),
            Ok(_) if pools.is_empty() => issues.push(Issue::error(
                format!("{at}.ip"),
                "the platform lists no loadBalancer.pools, so no fixed IP can be checked; leave ip out or add the pools to the PlatformConfig",
            )),
            Ok(addr) => {
                let inside = pools
                    .iter()
                    .filter_map(|p| parse_cidr(p).ok())
                    .any(|c| c.contains(addr));
                if !inside {
                    issues.push(Issue::error(
                        format!("{at}.ip"),
                        format!(
                            "LoadBalancer IP {ip} lies outside the platform's pools: {}",
                            pools.join(", ")
                        ),
                    ));
                }
            }
        }
    }
    if let Some(host) = &lb.host {
        let dns_cfg = &platform.dns;
        let domains = [&dns_cfg.internal_domain, &dns_cfg.external_domain];
        if let Err(e) = super::dns::check_host(host) {
            issues.push(Issue::error(
                format!("{at}.host"),
                format!("host \"{host}\" is not a valid DNS name: {e}"),
            ));
        } else if !domains.iter().any(|d| super::dns::is_under(host, d)) {
            let mut names: Vec<String> = domains.iter().map(|d| format!(".{d}")).collect();
            names.dedup();
            issues.push(Issue::error(
                format!("{at}.host"),
                format!(
                    "LoadBalancer host \"{host}\" must lie under one of the platform's domains: {}",
                    names.join(", ")
                ),
            ));
        }
    }
    if let Some(ports) = &lb.ports {
        let known = port_names(spec);
        if ports.is_empty() {
            issues.push(Issue::error(
                format!("{at}.ports"),
                "list at least one port name, or leave ports out to expose all",
            ));
        }
        for (i, name) in ports.iter().enumerate() {
            if !known.contains(name) {
                let not_on_service = if spec.body.ports.contains_key(name) {
                    " (this one has service: false, so the Service does not carry it)"
                } else {
                    ""
                };
                issues.push(Issue::error(
                    format!("{at}.ports[{i}]"),
                    format!(
                        "unknown port \"{name}\"{not_on_service}; the app's ports are: {}",
                        known.join(", ")
                    ),
                ));
            } else if ports[..i].contains(name) {
                issues.push(Issue::error(
                    format!("{at}.ports[{i}]"),
                    format!("port \"{name}\" is listed twice"),
                ));
            }
        }
    }
    issues
}

/// Checks the platform's `loadBalancer` block.
pub fn check_platform(platform: &Platform) -> Vec<Issue> {
    let mut issues = Vec::new();
    let lb = &platform.load_balancer;
    for (i, pool) in lb.pools.iter().enumerate() {
        if let Err(e) = parse_cidr(pool) {
            issues.push(Issue::error(
                format!("spec.loadBalancer.pools[{i}]"),
                format!("pool {e}"),
            ));
        }
    }
    if let Some(key) = &lb.ip_annotation
        && let Err(e) = labels::check_key(key)
    {
        issues.push(Issue::error(
            "spec.loadBalancer.ipAnnotation",
            format!("annotation key \"{key}\" {e}"),
        ));
    }
    issues
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timeouts() {
        for (d, s) in [
            ("600s", Ok(600)),
            ("10m", Ok(600)),
            ("1h30m", Ok(5400)),
            ("1500ms", Ok(2)),
            ("1m30s", Ok(90)),
        ] {
            assert_eq!(timeout_seconds(d), s, "{d}");
        }
        for bad in [
            "",
            "600",
            "10 m",
            "1d",
            "0s",
            "-5s",
            "123456s",
            "1h1m1s1ms1h",
            "5S",
        ] {
            assert!(timeout_seconds(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn cidrs() {
        let cases: &[(&str, &str, Option<bool>)] = &[
            ("192.168.42.0/24", "192.168.42.120", Some(true)),
            ("192.168.42.0/24", "192.168.43.1", Some(false)),
            ("192.168.42.128/25", "192.168.42.127", Some(false)),
            ("0.0.0.0/0", "10.1.2.3", Some(true)),
            ("10.0.0.5/32", "10.0.0.5", Some(true)),
            ("fd00:42::/64", "fd00:42::1", Some(true)),
            ("fd00:42::/64", "fd00:43::1", Some(false)),
            ("fd00:42::/64", "192.168.42.1", Some(false)),
            ("::/0", "::1", Some(true)),
            ("192.168.42.0/24", "x", None),
        ];
        for (cidr, ip, inside) in cases {
            let c = parse_cidr(cidr).unwrap();
            assert_eq!(
                ip.parse::<IpAddr>().ok().map(|a| c.contains(a)),
                *inside,
                "{cidr} {ip}"
            );
        }
        for bad in [
            "192.168.42.1/24",
            "192.168.42.0",
            "192.168.42.0/33",
            "192.168.42.0/+8",
            "fd00::/129",
            "300.1.1.0/24",
        ] {
            assert!(parse_cidr(bad).is_err(), "{bad}");
        }
    }
}

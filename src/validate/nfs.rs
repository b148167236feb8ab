//! NFS endpoints of the platform: `nfs://host[:port]`.

use super::dns;

/// The standard NFS port; any other port goes into the PV's mount options.
pub const DEFAULT_PORT: u16 = 2049;

/// Where a PV points: the server host and a non-default port.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Endpoint {
    pub server: String,
    pub port: Option<u16>,
}

/// Why an endpoint the platform does not list is refused.
pub fn not_allowed(endpoint: &str, allowed: &[String]) -> String {
    if allowed.is_empty() {
        format!(
            "NAS endpoint \"{endpoint}\" is not allowed: the platform lists no NAS (storage.nas.endpoints; `appspec init --nas` writes one)"
        )
    } else {
        format!(
            "NAS endpoint \"{endpoint}\" is not allowed; expected one of: {}",
            allowed.join(", ")
        )
    }
}

/// Parses `nfs://host[:port]` (no path, no user info).
pub fn parse(endpoint: &str) -> Result<Endpoint, String> {
    let rest = endpoint
        .strip_prefix("nfs://")
        .ok_or_else(|| format!("\"{endpoint}\" must start with nfs://"))?;
    let rest = rest.strip_suffix('/').unwrap_or(rest);
    if rest.contains(['/', '@', '?', '#']) {
        return Err(format!(
            "\"{endpoint}\" must be nfs://host[:port] without a path, user or query"
        ));
    }
    let (host, port) = match rest.rsplit_once(':') {
        Some((host, port)) => {
            let n: u16 = port
                .parse()
                .ok()
                .filter(|n| *n > 0)
                .ok_or_else(|| format!("\"{endpoint}\" has an invalid port \"{port}\""))?;
            (host, Some(n))
        }
        None => (rest, None),
    };
    let valid_host = dns::check_host(host).is_ok()
        || dns::check_label(host).is_ok()
        || host.parse::<std::net::Ipv4Addr>().is_ok();
    if !valid_host {
        return Err(format!("\"{endpoint}\" has an invalid host \"{host}\""));
    }
    Ok(Endpoint {
        server: host.to_string(),
        port: port.filter(|p| *p != DEFAULT_PORT),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoints() {
        let ep = |server: &str, port| {
            Ok(Endpoint {
                server: server.into(),
                port,
            })
        };
        let cases: Vec<(&str, Result<Endpoint, String>)> = vec![
            ("nfs://nas.internal:2049", ep("nas.internal", None)),
            ("nfs://nas.internal", ep("nas.internal", None)),
            ("nfs://nas.internal:20490", ep("nas.internal", Some(20490))),
            ("nfs://10.0.0.5:2050", ep("10.0.0.5", Some(2050))),
            ("nfs://nas", ep("nas", None)),
            ("nas.internal:2049", Err("\"nas.internal:2049\" must start with nfs://".into())),
            ("nfs://nas.internal/export", Err("\"nfs://nas.internal/export\" must be nfs://host[:port] without a path, user or query".into())),
            ("nfs://nas.internal:x", Err("\"nfs://nas.internal:x\" has an invalid port \"x\"".into())),
            ("nfs://nas.internal:0", Err("\"nfs://nas.internal:0\" has an invalid port \"0\"".into())),
            ("nfs://Nas_1:2049", Err("\"nfs://Nas_1:2049\" has an invalid host \"Nas_1\"".into())),
        ];
        for (input, expected) in cases {
            assert_eq!(parse(input), expected, "{input}");
        }
    }
}

//! Children without a network: what `render` starts without `--enable-remote` cannot open a TCP connection.
//!
//! kustomize gets a proxy to nowhere for HTTP, but Go never sends a loopback address
//! (`127.0.0.1`, `localhost`, `[::1]`) through a proxy, so a URL that got past render's
//! check could still reach the machine's own services (the Argo CD repo-server's
//! neighbours). On Linux with Landlock network rules (kernel 6.7+), the thread that starts
//! kustomize drops the right to open or bind TCP sockets, and every process it starts
//! inherits that; the caller's other threads keep theirs. Elsewhere this does nothing and
//! the check and the proxy are the defence.

/// Runs `f` on a thread of its own that, with every process it starts, cannot open or bind
/// TCP sockets; the result of `f` and whether the kernel enforced the rule.
pub fn without_tcp<T: Send>(f: impl FnOnce() -> T + Send) -> (T, bool) {
    std::thread::scope(|s| {
        let worker = s.spawn(|| {
            let enforced = deny_tcp();
            (f(), enforced)
        });
        match worker.join() {
            Ok(out) => out,
            Err(panic) => std::panic::resume_unwind(panic),
        }
    })
}

#[cfg(target_os = "linux")]
fn deny_tcp() -> bool {
    use landlock::{ABI, Access, AccessNet, Ruleset, RulesetAttr, RulesetStatus};
    Ruleset::default()
        .handle_access(AccessNet::from_all(ABI::V4))
        .and_then(|r| r.create())
        .and_then(|r| r.restrict_self())
        .is_ok_and(|status| status.ruleset != RulesetStatus::NotEnforced)
}

#[cfg(not(target_os = "linux"))]
fn deny_tcp() -> bool {
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_rule_holds_on_its_thread_only() {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let (connected, enforced) = without_tcp(|| std::net::TcpStream::connect(addr).is_ok());
        if enforced {
            assert!(!connected, "the sandboxed thread reached the loopback");
        } else {
            eprintln!("Landlock network rules are not available here");
        }
        // The caller keeps its network.
        assert!(std::net::TcpStream::connect(addr).is_ok());
    }
}

//! The function's calls inside kustomize answered by the `risk` process itself, so each side is expanded once and the expansion kept.
//!
//! `risk` starts a [`Server`] on a Unix socket in its private scratch directory and
//! builds a side with [`RELAY_ENV`] naming it; the `docker` shim that kustomize runs for
//! the function then [`forward`]s its ResourceList there instead of expanding it, and
//! prints the answer. The server runs the function (`krm::process_tapped`) and keeps what
//! each call made: the apps, their objects as the function wrote them, the platform.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use serde_json::Value;

use crate::commands::krm;
use crate::input::diagnostic::Diagnostic;
use crate::input::source::{self, Item};
use crate::input::yaml::Limits;
use crate::model::platform::Platform;
use crate::model::spec;
use crate::validate::App;

/// Environment variable naming the socket the `docker` shim forwards the function's
/// input to (set by `risk` for the kustomize it runs).
pub const RELAY_ENV: &str = "APPSPEC_RELAY";

/// What one call of the function made.
#[derive(Debug)]
pub struct Call {
    pub apps: Vec<(App, Vec<Value>)>,
    pub platform: Platform,
    pub diagnostics: Vec<Diagnostic>,
    /// Whether the function refused its input (kustomize then fails the build).
    pub failed: bool,
    /// When the function refused its input: the key (`namespace/name`) of every AppSpec in
    /// it, none of which kustomize then builds.
    pub refused: Vec<String>,
}

/// The answer the shim prints: the function's diagnostics (on stderr, and left for the
/// build as under `render`), its stdout, and whether it failed.
pub struct Answer {
    pub diagnostics: Vec<Diagnostic>,
    pub stdout: String,
    pub failed: bool,
}

/// The shim's side: sends the ResourceList to the socket and reads the answer.
#[cfg(unix)]
pub fn forward(socket: &Path, input: &str) -> std::io::Result<Answer> {
    let mut stream = std::os::unix::net::UnixStream::connect(socket)?;
    stream.write_all(input.as_bytes())?;
    stream.shutdown(std::net::Shutdown::Write)?;
    let mut head = [0u8; 9];
    stream.read_exact(&mut head)?;
    let failed = head[0] != 0;
    let len = u64::from_le_bytes(head[1..].try_into().unwrap_or([0; 8])) as usize;
    let mut diagnostics = vec![0u8; len];
    stream.read_exact(&mut diagnostics)?;
    let diagnostics = serde_json::from_slice(&diagnostics).map_err(std::io::Error::other)?;
    let mut stdout = Vec::new();
    stream.read_to_end(&mut stdout)?;
    Ok(Answer {
        diagnostics,
        stdout: String::from_utf8_lossy(&stdout).into_owned(),
        failed,
    })
}

#[cfg(not(unix))]
pub fn forward(_socket: &Path, _input: &str) -> std::io::Result<Answer> {
    Err(std::io::Error::new(
        std::io::ErrorKind::Unsupported,
        "the risk relay needs Unix sockets",
    ))
}

/// The keys (`namespace/name`) of the AppSpecs in a ResourceList (also inside Lists), or
/// none when it cannot be read.
fn spec_keys(input: &str, limits: &Limits) -> Vec<String> {
    let Ok(list) = krm::parse(input, limits) else {
        return vec![];
    };
    let items = list
        .items
        .into_iter()
        .map(|value| Item::new(value, None))
        .collect();
    crate::engine::flatten_lists(items)
        .iter()
        .filter(|i| source::is_ours(&i.value, spec::KIND))
        .map(|i| {
            crate::risk::side::key_of(
                source::name(&i.value).unwrap_or(""),
                source::namespace(&i.value),
            )
        })
        .collect()
}

/// The `risk` side: answers the calls of one side's builds on a worker thread.
pub struct Server {
    socket: PathBuf,
    calls: Arc<Mutex<Vec<Call>>>,
    worker: Option<std::thread::JoinHandle<()>>,
}

impl Server {
    /// Listens on `relay.sock` in `dir` (a private directory); `site` is the operator's
    /// platform (`--platform`), which the function is held to as under `render`.
    #[cfg(unix)]
    pub fn start(dir: &Path, limits: Limits, site: Option<Item>) -> std::io::Result<Server> {
        let socket = dir.join("relay.sock");
        let listener = std::os::unix::net::UnixListener::bind(&socket)?;
        let calls = Arc::new(Mutex::new(Vec::new()));
        let kept = Arc::clone(&calls);
        let worker = std::thread::Builder::new()
            .stack_size(crate::input::yaml::STACK_SIZE)
            .spawn(move || {
                for stream in listener.incoming() {
                    let Ok(mut stream) = stream else { continue };
                    let mut input = Vec::new();
                    let read = (&mut stream)
                        .take(limits.max_bytes as u64 + 1)
                        .read_to_end(&mut input);
                    // An empty message is `finish` saying the builds are done.
                    if read.is_err() || input.is_empty() {
                        break;
                    }
                    let input = String::from_utf8_lossy(&input);
                    let (response, apps, platform) = if input.len() > limits.max_bytes {
                        let message = format!(
                            "input is larger than the limit of {} bytes (--max-input-bytes)",
                            limits.max_bytes
                        );
                        (krm::error_response(&message), vec![], Platform::default())
                    } else {
                        krm::process_tapped(&input, &limits, site.clone())
                    };
                    let refused = match response.failed {
                        true => spec_keys(&input, &limits),
                        false => vec![],
                    };
                    let diagnostics = serde_json::to_vec(&response.diagnostics)
                        .unwrap_or_else(|_| b"[]".to_vec());
                    let mut out = vec![u8::from(response.failed)];
                    out.extend((diagnostics.len() as u64).to_le_bytes());
                    out.extend(&diagnostics);
                    out.extend(response.stdout.as_bytes());
                    let _ = stream.write_all(&out);
                    if let Ok(mut calls) = kept.lock() {
                        calls.push(Call {
                            apps,
                            platform,
                            diagnostics: response.diagnostics,
                            failed: response.failed,
                            refused,
                        });
                    }
                }
            })?;
        Ok(Server {
            socket,
            calls,
            worker: Some(worker),
        })
    }

    #[cfg(not(unix))]
    pub fn start(_dir: &Path, _limits: Limits, _site: Option<Item>) -> std::io::Result<Server> {
        Err(std::io::Error::new(
            std::io::ErrorKind::Unsupported,
            "risk needs Unix sockets to answer the function inside kustomize",
        ))
    }

    /// The socket to name in [`RELAY_ENV`].
    pub fn socket(&self) -> &Path {
        &self.socket
    }

    /// Stops the server once the builds are done and hands over every call, in order.
    pub fn finish(mut self) -> Vec<Call> {
        self.stop();
        std::mem::take(&mut *self.calls.lock().unwrap_or_else(|e| e.into_inner()))
    }

    fn stop(&mut self) {
        if let Some(worker) = self.worker.take() {
            #[cfg(unix)]
            if let Ok(s) = std::os::unix::net::UnixStream::connect(&self.socket) {
                let _ = s.shutdown(std::net::Shutdown::Write);
            }
            let _ = worker.join();
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop();
    }
}

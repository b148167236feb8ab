//! Runs each input on one long-lived thread with the binary's big stack
//! (`appspec::input::yaml::STACK_SIZE`), as `main` does: deep documents recurse, and the depth limit
//! is sized for that stack. Spawning a thread per input is slow under AddressSanitizer, so
//! the thread is made once. A panic on it aborts the process (libfuzzer-sys installs an
//! aborting panic hook), so the fuzzer still sees it as a crash.

use std::sync::mpsc::{Receiver, Sender, channel};
use std::sync::{Mutex, OnceLock};

type Job = (String, Sender<()>);

static WORKER: OnceLock<Mutex<Sender<Job>>> = OnceLock::new();

pub fn run(text: String, check: fn(String)) {
    let worker = WORKER.get_or_init(|| {
        let (tx, rx): (Sender<Job>, Receiver<Job>) = channel();
        std::thread::Builder::new()
            .stack_size(appspec::input::yaml::STACK_SIZE)
            .spawn(move || {
                for (text, done) in rx {
                    check(text);
                    let _ = done.send(());
                }
            })
            .expect("cannot start the worker thread");
        Mutex::new(tx)
    });
    let (done_tx, done_rx) = channel();
    worker
        .lock()
        .expect("worker lock")
        .send((text, done_tx))
        .expect("the worker thread is gone");
    done_rx.recv().expect("the worker thread died");
}

//! Hostile definitions and input: explicit worst cases first (deep nesting,
//! alias bombs, `$ref` chains and cycles), then property-based fuzz targets
//! that start from the seed corpora in tests/fixtures/fuzz/<target>/, then
//! the regressions they found, broken sources among good ones, files that
//! name devices, and secrets in what a failed send says.
//!
//! Each target runs a modest number of cases by default; set
//! `PROPTEST_CASES` for a longer run (see README.md, "Fuzzing").

use std::sync::mpsc;
use std::time::{Duration, Instant};

use portico::catalog::{self, Catalog};

mod curl;
mod definitions;
mod harness;
mod http_file;
mod portal;
mod request_build;
mod screen;
mod secrets;
mod sources;
mod store;
mod worst_cases;

/// Runs `f` on a thread with the default 2 MiB stack (as tokio's workers
/// have) and fails when it takes longer than `limit`: a hang is a failure,
/// not a test that never ends. A stack overflow aborts the whole binary.
pub(crate) fn bounded<T: Send + 'static>(
    what: &str,
    limit: Duration,
    f: impl FnOnce() -> T + Send + 'static,
) -> T {
    let (tx, rx) = mpsc::channel();
    let started = Instant::now();
    std::thread::Builder::new()
        .name(what.to_string())
        .stack_size(2 << 20)
        .spawn(move || {
            let _ = tx.send(f());
        })
        .expect("spawn");
    match rx.recv_timeout(limit) {
        Ok(value) => value,
        Err(mpsc::RecvTimeoutError::Timeout) => {
            panic!("{what}: still running after {:?}", started.elapsed())
        }
        Err(mpsc::RecvTimeoutError::Disconnected) => panic!("{what}: panicked"),
    }
}

pub(crate) fn load(name: &str, bytes: Vec<u8>) -> Result<Catalog, catalog::LoadError> {
    let name = name.to_string();
    bounded(&name.clone(), Duration::from_secs(20), move || {
        catalog::load_bytes(&bytes, &name)
    })
}

//! Sources that change on disk: the definitions and portal files given as
//! paths are polled, and when one changes the whole catalog is loaded
//! again (every source, as at start) and handed to the caller.
//!
//! Polling rather than the platform's file events: it sees an editor that
//! saves by writing a new file and renaming it over the old one as well as
//! one that writes in place, on every platform and file system, and a
//! handful of `stat` calls a quarter of a second costs nothing.

use std::path::PathBuf;
use std::time::{Duration, SystemTime};

use super::{Catalog, LoadError, is_url, load_sources};

/// How often the files are looked at. A change is loaded once it has
/// stayed the same for one more look (an editor may write in pieces), so
/// a saved file is in the catalog within two of these.
pub const POLL: Duration = Duration::from_millis(250);

/// A file's size and time of last change; `None` while it is missing.
type Stamp = Option<(u64, SystemTime)>;

fn stamp(path: &PathBuf) -> Stamp {
    let meta = std::fs::metadata(path).ok()?;
    Some((meta.len(), meta.modified().ok()?))
}

/// The local files among `sources` (URLs are not watched).
pub fn watched_files(sources: &[String]) -> Vec<PathBuf> {
    sources
        .iter()
        .filter(|s| !is_url(s))
        .map(PathBuf::from)
        .collect()
}

/// Watches the local files among `sources` until `reloaded` returns
/// `false` (its receiver is gone). Each change loads all `sources` again;
/// the result, good or bad, goes to `reloaded` with the files that
/// changed. Returns at once, doing nothing, when no source is a file.
pub fn watch(
    sources: Vec<String>,
    mut reloaded: impl FnMut(Vec<PathBuf>, Result<Catalog, LoadError>) -> bool + Send + 'static,
) -> Option<tokio::task::JoinHandle<()>> {
    let files = watched_files(&sources);
    if files.is_empty() {
        return None;
    }
    // Taken now, not when the task first runs: a change made before then
    // is a change too.
    let mut seen: Vec<Stamp> = files.iter().map(stamp).collect();
    Some(tokio::spawn(async move {
        // Files seen changed at the last look, waiting to stay put.
        let mut settling: Vec<Stamp> = seen.clone();
        let mut interval = tokio::time::interval(POLL);
        interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            interval.tick().await;
            let now: Vec<Stamp> = files.iter().map(stamp).collect();
            let settled = now == settling;
            settling = now.clone();
            if now == seen || !settled {
                continue;
            }
            let changed: Vec<PathBuf> = files
                .iter()
                .zip(now.iter().zip(&seen))
                .filter(|(_, (a, b))| a != b)
                .map(|(f, _)| f.clone())
                .collect();
            seen = now;
            let result = load_sources(&sources).await;
            if !reloaded(changed, result) {
                return;
            }
        }
    }))
}

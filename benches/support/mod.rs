//! What the benchmarks share: finding the third-party definitions of
//! ../shared/specs.

use std::path::{Path, PathBuf};

/// `file` in ../shared/specs next to the checkout (or next to the
/// worktrees folder).
pub fn shared_spec(file: &str) -> Option<PathBuf> {
    [
        concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/specs/"),
        concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/specs/"),
    ]
    .iter()
    .map(|dir| Path::new(dir).join(file))
    .find(|p| p.is_file())
}

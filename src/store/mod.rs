//! Files portico keeps for the user: presets, history and environments,
//! under the user's config/data/state directories (or one `PORTICO_HOME`
//! directory), written so that nothing is lost.
//!
//! ```text
//! Paths ── presets.json      Presets   named drafts per OperationKey
//!       ── history.jsonl     History   every send, masked, size-bounded
//!       ── drafts.json       Drafts    unsent edits per operation, masked
//!       ── environments.toml           user environments (+ ./.env)
//! keychain ──                          the OS keychain: secrets and OAuth
//!                                      tokens that outlive a session
//! ```
//!
//! Every write goes through `store::fsio`: an advisory lock on a sidecar
//! `.lock` file, a re-read under the lock (so that another process's
//! changes, or a hand edit, are merged rather than overwritten), a
//! temporary file in the same directory, fsync, rename, fsync of the
//! directory. A file that does not parse is reported with its path, line
//! and column and is never written over.
//!
//! Nothing here prints: results and warnings are returned, errors are
//! [`StoreError`]s naming the file. Calls block on file I/O; a UI runs them
//! on a blocking thread.

use std::fmt;
use std::path::{Path, PathBuf};

use thiserror::Error;

pub mod drafts;
pub mod env;
pub mod env_edit;
mod fsio;
pub mod history;
pub mod keychain;
pub mod preset_drift;
pub mod presets;
pub mod sources;
pub mod time;

pub use env::{DotEnv, Environments};
pub(crate) use fsio::{ensure_dir, private_file};
pub use history::{
    History, HistoryEntry, HistoryFilter, HistoryLimits, HistoryRead, OperationStats, SeriesSpec,
    StatusClass,
};
pub use presets::{Preset, PresetFile, Presets, SaveOptions, SaveReport, WithheldSecret};
pub use time::Timestamp;

/// The environment variable that relocates every file into one directory.
pub const HOME_VAR: &str = "PORTICO_HOME";

/// Where portico's files live.
///
/// With `--home DIR` or `PORTICO_HOME=DIR`, everything is in `DIR` (tests
/// and portable use). Otherwise the platform's directories for `portico`:
/// on Linux `~/.config/portico` (environments), `~/.local/share/portico`
/// (presets) and `~/.local/state/portico` (history).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Paths {
    pub config_dir: PathBuf,
    pub data_dir: PathBuf,
    pub state_dir: PathBuf,
}

impl Paths {
    /// All files in one directory.
    pub fn in_dir(dir: impl Into<PathBuf>) -> Self {
        let dir = dir.into();
        Self {
            config_dir: dir.clone(),
            data_dir: dir.clone(),
            state_dir: dir,
        }
    }

    /// `home` (the `--home` flag) if given, else `PORTICO_HOME`, else the
    /// platform's directories.
    pub fn resolve(home: Option<&Path>) -> Result<Self, StoreError> {
        if let Some(dir) = home {
            return Ok(Self::in_dir(dir));
        }
        if let Some(dir) = std::env::var_os(HOME_VAR).filter(|v| !v.is_empty()) {
            return Ok(Self::in_dir(dir));
        }
        let dirs = directories::ProjectDirs::from("", "", "portico").ok_or(StoreError::NoHome)?;
        Ok(Self {
            config_dir: dirs.config_dir().to_path_buf(),
            data_dir: dirs.data_dir().to_path_buf(),
            // Only Linux has a state directory; elsewhere history is data.
            state_dir: dirs
                .state_dir()
                .unwrap_or_else(|| dirs.data_dir())
                .to_path_buf(),
        })
    }

    pub fn presets_file(&self) -> PathBuf {
        self.data_dir.join("presets.json")
    }

    /// Unsent drafts, beside the history.
    pub fn drafts_file(&self) -> PathBuf {
        self.state_dir.join("drafts.json")
    }

    pub fn history_file(&self) -> PathBuf {
        self.state_dir.join("history.jsonl")
    }

    pub fn environments_file(&self) -> PathBuf {
        self.config_dir.join("environments.toml")
    }
}

/// What went wrong with one of portico's files; always names the file.
#[derive(Debug, Error)]
pub enum StoreError {
    #[error("cannot find a home directory for portico's files; set {HOME_VAR} or pass --home DIR")]
    NoHome,
    /// Reading, writing, locking or renaming failed. A failed write leaves
    /// the previous file as it was.
    #[error("cannot {action} {}: {source}", path.display())]
    Io {
        action: &'static str,
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// The file does not parse. It is left untouched, and saving into it is
    /// refused until it is fixed or moved away.
    #[error(
        "{}{}: {message} (the file is left untouched; fix it or move it away)",
        path.display(),
        Position(*line, *column)
    )]
    Corrupt {
        path: PathBuf,
        /// 1-based; 0 when unknown.
        line: usize,
        /// 1-based; 0 when unknown.
        column: usize,
        message: String,
    },
    #[error(
        "no preset named `{name}` for {operation} (known: {})",
        list_or_none(known)
    )]
    PresetNotFound {
        operation: String,
        name: String,
        known: Vec<String>,
    },
    #[error("a preset named `{name}` already exists for {operation}")]
    PresetExists { operation: String, name: String },
    #[error("invalid preset name {name:?}: {reason}")]
    InvalidName { name: String, reason: &'static str },
    #[error("no environment named `{name}` (known: {})", list_or_none(known))]
    UnknownEnvironment { name: String, known: Vec<String> },
    #[error(
        "variable `{variable}` of environment `{environment}`: {origin} gave no value: {message}"
    )]
    VariableSource {
        environment: String,
        variable: String,
        /// Where the value was asked: "the command `…`", "the prompt".
        origin: String,
        message: String,
    },
}

impl StoreError {
    pub(crate) fn io(action: &'static str, path: &Path, source: std::io::Error) -> Self {
        Self::Io {
            action,
            path: path.to_path_buf(),
            source,
        }
    }

    /// The file the error is about, when it is about one.
    pub fn path(&self) -> Option<&Path> {
        match self {
            Self::Io { path, .. } | Self::Corrupt { path, .. } => Some(path),
            _ => None,
        }
    }
}

/// A part of a file that was skipped (a corrupt history line, a `.env`
/// line that is not `KEY=VALUE`); the rest was read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileWarning {
    pub path: PathBuf,
    /// 1-based; 0 when it is about the whole file.
    pub line: usize,
    pub message: String,
}

impl fmt::Display for FileWarning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}{}: {}",
            self.path.display(),
            Position(self.line, 0),
            self.message
        )
    }
}

struct Position(usize, usize);

impl fmt::Display for Position {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.0, self.1) {
            (0, _) => Ok(()),
            (line, 0) => write!(f, ":{line}"),
            (line, column) => write!(f, ":{line}:{column}"),
        }
    }
}

fn list_or_none(items: &[String]) -> String {
    if items.is_empty() {
        "none".to_string()
    } else {
        items.join(", ")
    }
}

//! Variables whose values live elsewhere, named in the user's
//! environments file: a command (`op read op://vault/item/field`, `pass
//! show api/key`), an entry of the OS keychain, or a prompt. Each is asked
//! once per session, when its environment is used; the value is held in
//! memory only, as a secret: portico never writes it anywhere.
//!
//! Only the user's own file may name a source; a portal file, which may
//! come from anyone, cannot.

use std::collections::HashMap;
use std::fmt;
use std::process::{Command, Stdio};
use std::sync::{Mutex, OnceLock, PoisonError};

use super::keychain::{self, KeychainError};

/// A variable of a user environment whose value comes from elsewhere.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VariableSource {
    pub environment: String,
    pub variable: String,
    pub origin: Origin,
}

/// Where a variable's value comes from.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Origin {
    /// What the command prints, without its final line break.
    Command(String),
    /// The password of the keychain entry `entry` of `service`.
    Keychain { service: String, entry: String },
    /// What the user types at a prompt saying `label`, unechoed.
    Prompt { label: String },
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Command(command) => write!(f, "the command `{command}`"),
            Self::Keychain { service, entry } => {
                write!(f, "the keychain entry `{entry}` of service `{service}`")
            }
            Self::Prompt { .. } => f.write_str("the prompt"),
        }
    }
}

/// What each source gave (or why it failed), once per process.
fn asked() -> &'static Mutex<HashMap<Origin, Result<String, String>>> {
    static ASKED: OnceLock<Mutex<HashMap<Origin, Result<String, String>>>> = OnceLock::new();
    ASKED.get_or_init(|| Mutex::new(HashMap::new()))
}

/// The value `origin` gives, asked the first time only. A prompt the user
/// has not answered yet is asked on the terminal (the TUI answers it
/// first with [`answer`]); without a terminal it is an error saying so.
pub fn value_of(origin: &Origin) -> Result<String, String> {
    let mut asked = asked().lock().unwrap_or_else(PoisonError::into_inner);
    if let Some(result) = asked.get(origin) {
        return result.clone();
    }
    let result = match origin {
        Origin::Command(command) => run(command),
        Origin::Keychain { service, entry } => match keychain::get(service, entry) {
            Ok(Some(value)) => Ok(value),
            Ok(None) => Err(format!(
                "there is no such entry (store one with `portico keychain set {entry}{}`)",
                if service == keychain::SERVICE {
                    String::new()
                } else {
                    format!(" --service {service}")
                }
            )),
            Err(KeychainError::NoService(why)) => Err(format!(
                "{}; give the variable a `command` or `prompt` source, or a value, instead",
                KeychainError::NoService(why)
            )),
            Err(e) => Err(e.to_string()),
        },
        Origin::Prompt { label } => ask(label),
    };
    // A prompt left unanswered may be answered later: not remembered.
    if result.is_ok() || !matches!(origin, Origin::Prompt { .. }) {
        asked.insert(origin.clone(), result.clone());
    }
    result
}

/// The value `origin` gave, when this session has asked it already
/// (nothing is asked here).
pub fn known(origin: &Origin) -> Option<String> {
    asked()
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .get(origin)
        .and_then(|r| r.as_ref().ok().cloned())
}

/// Whether `origin` is a prompt nobody has answered yet.
pub fn unanswered(origin: &Origin) -> bool {
    matches!(origin, Origin::Prompt { .. })
        && !asked()
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .contains_key(origin)
}

/// Gives a prompt's answer from elsewhere (the TUI's own prompt), so
/// [`value_of`] does not ask the terminal.
pub fn answer(origin: &Origin, value: String) {
    asked()
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .insert(origin.clone(), Ok(value));
}

/// Records that the user would not answer the prompt: its variable gives
/// no value this session.
pub fn decline(origin: &Origin) {
    asked()
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .insert(origin.clone(), Err("left unanswered".into()));
}

fn ask(label: &str) -> Result<String, String> {
    // The prompt and the typing go through the terminal itself, not
    // standard input and output, which may carry a body or a pipe.
    let value = rpassword::prompt_password(format!("portico: {label}: ")).map_err(|e| {
        format!(
            "there is no terminal to ask on ({e}); give the variable a `command` or \
             `keychain` source, or a value"
        )
    })?;
    if value.is_empty() {
        return Err("nothing was typed".into());
    }
    Ok(value)
}

fn run(command: &str) -> Result<String, String> {
    let mut shell = if cfg!(windows) {
        let mut c = Command::new("cmd");
        c.args(["/C", command]);
        c
    } else {
        let mut c = Command::new("sh");
        c.args(["-c", command]);
        c
    };
    let output = shell
        .stdin(Stdio::inherit())
        .stderr(Stdio::piped())
        .output()
        .map_err(|e| format!("could not run it: {e}"))?;
    if !output.status.success() {
        let said = String::from_utf8_lossy(&output.stderr);
        let first = said
            .lines()
            .find(|l| !l.trim().is_empty())
            .unwrap_or("")
            .trim();
        let code = output
            .status
            .code()
            .map_or_else(|| "was killed".to_string(), |c| format!("exited with {c}"));
        return Err(if first.is_empty() {
            format!("it {code}")
        } else {
            format!("it {code}: {first}")
        });
    }
    let text = String::from_utf8(output.stdout)
        .map_err(|_| "it printed bytes that are not UTF-8".to_string())?;
    let value = text
        .strip_suffix('\n')
        .map_or(text.as_str(), |t| t.strip_suffix('\r').unwrap_or(t));
    if value.is_empty() {
        return Err("it printed nothing".into());
    }
    Ok(value.to_string())
}

//! Variables whose values live elsewhere: a command the user's
//! environments file names (`op read op://vault/item/field`, `pass show
//! api/key`), run once per session when its environment is used. The value
//! is held in memory only, as a secret: portico never writes it anywhere.
//!
//! Only the user's own file may name a command; a portal file, which may
//! come from anyone, cannot.

use std::collections::HashMap;
use std::process::{Command, Stdio};
use std::sync::{Mutex, OnceLock, PoisonError};

/// A variable of a user environment whose value a command prints.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VariableSource {
    pub environment: String,
    pub variable: String,
    pub command: String,
}

/// What each command printed (or why it failed), once per process.
fn ran() -> &'static Mutex<HashMap<String, Result<String, String>>> {
    static RAN: OnceLock<Mutex<HashMap<String, Result<String, String>>>> = OnceLock::new();
    RAN.get_or_init(|| Mutex::new(HashMap::new()))
}

/// The command's output without its final line break; run the first
/// time only. Its standard error goes to the terminal, where a password
/// manager may ask to be unlocked.
pub fn value_of(command: &str) -> Result<String, String> {
    let mut ran = ran().lock().unwrap_or_else(PoisonError::into_inner);
    if let Some(result) = ran.get(command) {
        return result.clone();
    }
    let result = run(command);
    ran.insert(command.to_string(), result.clone());
    result
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

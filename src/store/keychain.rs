//! The OS keychain (Secret Service on Linux and BSD, the macOS Keychain,
//! the Windows Credential Manager): the one place where a secret of
//! portico's may outlive the session. Variables read entries from it, and
//! OAuth 2.0 tokens are kept there between sessions.
//!
//! Where no keychain service runs (a container, CI, a server reached over
//! SSH), every call says so and names the other ways to give a secret.
//! `PORTICO_KEYCHAIN=off` keeps portico away from the keychain altogether.

use std::thread;

use thiserror::Error;

/// The service portico's own entries are filed under.
pub const SERVICE: &str = "portico";

/// Set to `off` to never touch the keychain.
pub const OFF_VAR: &str = "PORTICO_KEYCHAIN";

/// Why the keychain could not be used.
#[derive(Debug, Clone, Error)]
pub enum KeychainError {
    #[error("the keychain is switched off ({OFF_VAR}=off)")]
    Off,
    #[error("no keychain service is running here ({0})")]
    NoService(String),
    #[error("the keychain refused: {0}")]
    Failed(String),
}

/// Whether the user switched the keychain off.
pub fn switched_off() -> bool {
    std::env::var(OFF_VAR).is_ok_and(|v| v.eq_ignore_ascii_case("off"))
}

/// The password of entry `entry` of `service`; `None` when there is none.
pub fn get(service: &str, entry: &str) -> Result<Option<String>, KeychainError> {
    with_entry(service, entry, |e| match e.get_password() {
        Ok(value) => Ok(Some(value)),
        Err(keyring::Error::NoEntry) => Ok(None),
        Err(e) => Err(e),
    })
}

/// Stores `value` as the password of `entry` of `service`, replacing it.
pub fn set(service: &str, entry: &str, value: &str) -> Result<(), KeychainError> {
    with_entry(service, entry, |e| e.set_password(value))
}

/// Deletes the entry; false when there was none.
pub fn delete(service: &str, entry: &str) -> Result<bool, KeychainError> {
    with_entry(service, entry, |e| match e.delete_credential() {
        Ok(()) => Ok(true),
        Err(keyring::Error::NoEntry) => Ok(false),
        Err(e) => Err(e),
    })
}

/// Runs `work` on the entry on a thread of its own: the Secret Service
/// client blocks on its own executor, which must not be an async
/// runtime's thread.
fn with_entry<T: Send>(
    service: &str,
    entry: &str,
    work: impl FnOnce(&keyring::Entry) -> keyring::Result<T> + Send,
) -> Result<T, KeychainError> {
    if switched_off() {
        return Err(KeychainError::Off);
    }
    thread::scope(|scope| {
        scope
            .spawn(|| {
                let entry = keyring::Entry::new(service, entry).map_err(classify)?;
                work(&entry).map_err(classify)
            })
            .join()
            .unwrap_or_else(|_| Err(KeychainError::Failed("the keychain client panicked".into())))
    })
}

fn classify(error: keyring::Error) -> KeychainError {
    match error {
        keyring::Error::NoStorageAccess(e) | keyring::Error::PlatformFailure(e) => {
            KeychainError::NoService(first_line(&e.to_string()))
        }
        other => KeychainError::Failed(first_line(&other.to_string())),
    }
}

fn first_line(text: &str) -> String {
    text.lines().next().unwrap_or("").trim().to_string()
}

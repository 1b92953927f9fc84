//! `portico keychain`: put a secret in the OS keychain for a variable to
//! read (`api_key = { keychain = "NAME" }` in environments.toml), or take
//! it out. The value is typed at an unechoed prompt, or read from a pipe;
//! never a command-line value, which the shell would keep in its history.

use std::io::{IsTerminal, Read};

use anyhow::{Context, Result, bail};
use clap::{Args, Subcommand};

use crate::store::keychain::{self, SERVICE};

#[derive(Debug, Subcommand)]
pub enum KeychainCommand {
    /// Store a secret under NAME (typed at a prompt, or piped in).
    Set(EntryArgs),
    /// Delete the secret stored under NAME.
    Delete(EntryArgs),
}

#[derive(Debug, Args)]
pub struct EntryArgs {
    /// The entry's name, as a variable's `keychain = "NAME"` gives it.
    pub name: String,
    /// The keychain service the entry is filed under.
    #[arg(long, value_name = "SERVICE", default_value = SERVICE)]
    pub service: String,
}

pub(super) fn keychain_command(command: &KeychainCommand) -> Result<()> {
    match command {
        KeychainCommand::Set(entry) => {
            let value = read_value(&entry.name)?;
            keychain::set(&entry.service, &entry.name, &value)
                .with_context(|| format!("cannot store `{}`", entry.name))?;
            eprintln!(
                "portico: stored `{}` in the keychain (service {})",
                entry.name, entry.service
            );
        }
        KeychainCommand::Delete(entry) => {
            let deleted = keychain::delete(&entry.service, &entry.name)
                .with_context(|| format!("cannot delete `{}`", entry.name))?;
            if !deleted {
                bail!(
                    "the keychain has no entry `{}` (service {})",
                    entry.name,
                    entry.service
                );
            }
            eprintln!("portico: deleted `{}` from the keychain", entry.name);
        }
    }
    Ok(())
}

/// The secret: typed unechoed on a terminal, else all of standard input
/// less its final line break.
fn read_value(name: &str) -> Result<String> {
    let value = if std::io::stdin().is_terminal() {
        rpassword::prompt_password(format!("portico: value of `{name}`: "))
            .context("cannot read the value from the terminal")?
    } else {
        let mut text = String::new();
        std::io::stdin()
            .read_to_string(&mut text)
            .context("cannot read the value from standard input")?;
        let trimmed = text.strip_suffix('\n').unwrap_or(&text);
        trimmed.strip_suffix('\r').unwrap_or(trimmed).to_string()
    };
    if value.is_empty() {
        bail!("no value given: nothing stored");
    }
    Ok(value)
}

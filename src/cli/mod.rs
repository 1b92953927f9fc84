//! The command line: argument parsing and the dispatch of the
//! non-interactive commands (`list`, `call`, `run`, `demo`, `presets`,
//! `history`, `completions`, and `curl`, `snippet`, `import`, `export` to move
//! requests between portico and other tools), one module each. No subcommand opens the TUI:
//! with none, the binary calls [`open_tui`].
//!
//! Every command prints its result on stdout and, when it fails, one line
//! saying why on stderr with a non-zero exit status, so it can be scripted.

mod auth;
mod call;
mod completions;
mod curl;
mod demo;
mod export;
mod history;
mod import;
mod keychain;
mod list;
mod output;
mod presets;
mod request_args;
mod run;
mod session;
mod show;
mod snippet;
mod tui;

use std::time::Duration;

use anyhow::{Result, anyhow};
use clap::{Parser, Subcommand};

pub use self::tui::open_tui;
pub use call::CallArgs;
pub use completions::CompletionsArgs;
pub use curl::CurlArgs;
pub use demo::DemoArgs;
pub use export::{ExportCommand, ExportHttpArgs};
pub use history::HistoryArgs;
pub use import::{ImportCommand, ImportCurlArgs, ImportHttpArgs, ImportOptions, ImportPostmanArgs};
pub use list::ListArgs;
pub use output::request_json;
pub use presets::{PresetsCommand, PresetsDeleteArgs, PresetsListArgs, PresetsRenameArgs};
pub use request_args::RequestArgs;
pub use run::RunArgs;
pub use session::{Session, Target};
pub use show::ShowArgs;
pub use snippet::SnippetArgs;

/// A terminal developer portal: browse API definitions, fill in requests,
/// send them, read the answers. With no command, opens the interactive UI.
#[derive(Debug, Parser)]
#[command(
    name = "portico",
    version,
    about,
    args_conflicts_with_subcommands = true
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
    #[command(flatten)]
    pub target: Target,
    /// Give up on a request after this many seconds; 0 waits until you
    /// cancel (default: `timeout` in config.toml, else 30).
    #[arg(long, value_name = "SECS")]
    pub timeout: Option<f64>,
}

impl Cli {
    /// Parses a command line (the program's name first). Options written
    /// before a command (`portico --home DIR list`) belong to the command:
    /// clap alone would read the command's name as a SOURCE and open the
    /// TUI on a file called `list`.
    pub fn parse_args(args: Vec<std::ffi::OsString>) -> Self {
        Self::parse_from(commands_first(args))
    }
}

/// `args` with a command name that would be read as a SOURCE moved to the
/// front, where the command's own flags (which include every option of
/// [`Target`]) then read the rest. A word counts as the command when the
/// words before it parse as options alone and a SOURCE would start there;
/// a file of that name stays a SOURCE.
fn commands_first(mut args: Vec<std::ffi::OsString>) -> Vec<std::ffi::OsString> {
    use clap::CommandFactory;
    let command = Cli::command();
    let names: Vec<&str> = command
        .get_subcommands()
        .map(clap::Command::get_name)
        .collect();
    let found = args.iter().enumerate().skip(1).position(|(i, word)| {
        let Some(word) = word.to_str() else {
            return false;
        };
        if !names.contains(&word) || std::path::Path::new(word).exists() {
            return false;
        }
        command
            .clone()
            .try_get_matches_from(&args[..=i])
            .is_ok_and(|m| m.subcommand().is_none() && m.index_of("sources") == Some(i))
    });
    if let Some(offset) = found {
        let name = args.remove(offset + 1);
        args.insert(1, name);
    }
    args
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// List APIs and their operations.
    List(ListArgs),
    /// Print one operation's documentation: parameters, request body and
    /// responses with their schemas.
    Show(ShowArgs),
    /// Build and send one request.
    Call(CallArgs),
    /// Run a flow of chained calls declared in a portal file (the bundled
    /// demo's `batch`: upload, submit, start, poll, download).
    Run(RunArgs),
    /// Run the demo ML service behind its gateway on 127.0.0.1.
    Demo(DemoArgs),
    /// Print a request as a curl command (same flags as `call`).
    Curl(CurlArgs),
    /// Print a request as a code sample in another language: HTTPie,
    /// Python, JavaScript, Go, C#, Java, PowerShell, PHP or curl (same flags
    /// as `call`).
    Snippet(SnippetArgs),
    /// Read requests written for other tools: curl, .http files, Postman.
    #[command(subcommand)]
    Import(ImportCommand),
    /// List, rename or delete saved requests.
    #[command(subcommand)]
    Presets(PresetsCommand),
    /// Write requests for other tools.
    #[command(subcommand)]
    Export(ExportCommand),
    /// The requests sent, newest first, or usage statistics per operation.
    History(HistoryArgs),
    /// OAuth 2.0 tokens: get one for a scheme, or see each scheme's setup.
    #[command(subcommand)]
    Auth(auth::AuthCommand),
    /// Secrets in the OS keychain, for variables to read.
    #[command(subcommand)]
    Keychain(keychain::KeychainCommand),
    /// Print a shell's completion script (bash, zsh, fish, elvish,
    /// powershell) for portico's commands and flags.
    Completions(CompletionsArgs),
}

/// Runs a parsed command line; `None` means the caller opens the TUI.
pub async fn run(command: Command) -> Result<()> {
    match command {
        Command::List(args) => list::list(&args).await,
        Command::Show(args) => show::show(&args).await,
        Command::Call(args) => call::call(&args).await,
        Command::Run(args) => run::run_flow(&args).await,
        Command::Demo(args) => demo::run_demo(&args).await,
        Command::Curl(args) => curl::curl_command(&args).await,
        Command::Snippet(args) => snippet::snippet_command(&args).await,
        Command::Import(command) => import::import_command(&command).await,
        Command::Presets(command) => presets::presets_command(&command).await,
        Command::Export(command) => export::export_command(&command).await,
        Command::History(args) => history::history_command(&args).await,
        Command::Completions(args) => completions::completions(&args),
        Command::Auth(command) => auth::auth_command(&command).await,
        Command::Keychain(command) => keychain::keychain_command(&command),
    }
}

/// A command that ran but must end with a status of its own (`call
/// --validate`: 3 when the request or the answer breaks the definition);
/// what it found is already printed.
#[derive(Debug)]
pub struct Exit {
    pub code: u8,
    pub why: String,
}

impl std::fmt::Display for Exit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.why)
    }
}

impl std::error::Error for Exit {}

/// `--timeout SECS`: `0` waits until cancelled (Ctrl-C, Esc).
fn cli_timeout(seconds: f64) -> Result<Option<Duration>> {
    crate::http::timeout_from_secs(seconds).map_err(|e| anyhow!("--timeout: {e}"))
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    use super::*;

    fn parse(words: &[&str]) -> Command {
        let args = std::iter::once("portico")
            .chain(words.iter().copied())
            .map(Into::into)
            .collect();
        Cli::parse_args(args).command.expect("a command")
    }

    /// clap checks how a command's arguments fit together only when that
    /// command is parsed (and only in debug builds): check them all at once.
    #[test]
    fn every_command_line_is_well_formed() {
        Cli::command().debug_assert();
    }

    #[test]
    fn presets_rename_and_delete_read_their_names_before_the_sources() {
        let Command::Presets(PresetsCommand::Rename(rename)) = parse(&[
            "presets",
            "rename",
            "--op",
            "getPet",
            "old",
            "new",
            "spec.yaml",
        ]) else {
            panic!("not presets rename");
        };
        assert_eq!(
            (rename.name.as_str(), rename.new_name.as_str()),
            ("old", "new")
        );
        assert_eq!(rename.target.sources, ["spec.yaml"]);

        let Command::Presets(PresetsCommand::Delete(delete)) =
            parse(&["presets", "delete", "--op", "getPet", "old"])
        else {
            panic!("not presets delete");
        };
        assert_eq!(delete.name, "old");
        assert!(delete.target.sources.is_empty());
    }
}

//! `portico completions SHELL`: the shell's completion script, generated
//! by `clap_complete` from the same [`Cli`] definition that parses the
//! command line, so it never lists a command or flag that is not there.

use std::io::Write;

use anyhow::Result;
use clap::{Args, CommandFactory};
use clap_complete::Shell;

use super::Cli;

#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell to complete for.
    #[arg(value_name = "SHELL")]
    pub shell: Shell,
}

pub(super) fn completions(args: &CompletionsArgs) -> Result<()> {
    let mut command = Cli::command();
    // Generated into memory first: clap_complete panics on a write error,
    // and a reader that stops early (`| head`) must end portico quietly.
    let mut script = Vec::new();
    clap_complete::generate(args.shell, &mut command, "portico", &mut script);
    let mut out = std::io::stdout().lock();
    out.write_all(&script)?;
    out.flush()?;
    Ok(())
}

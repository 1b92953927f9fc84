//! The `portico` binary: parses the command line, then opens the TUI (no
//! command) or runs one of the commands in [`portico::cli`].

use std::process::ExitCode;

use portico::cli::{self, Cli};

fn main() -> ExitCode {
    let cli = Cli::parse_args(std::env::args_os().collect());
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("portico: cannot start the async runtime: {error}");
            return ExitCode::FAILURE;
        }
    };
    let result = runtime.block_on(async move {
        match cli.command {
            Some(command) => cli::run(command).await,
            None => cli::open_tui(&cli.target, cli.timeout).await,
        }
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        // A reader that stopped reading (`| head`) ends portico quietly,
        // as it does other command-line tools.
        Err(error) if is_broken_pipe(&error) => ExitCode::SUCCESS,
        Err(error) => match error.downcast_ref::<cli::Exit>() {
            // What it found is printed already; only the status is left.
            Some(exit) => ExitCode::from(exit.code),
            None => {
                // One line: the chain of contexts joined by ": ".
                eprintln!("portico: {error:#}");
                ExitCode::FAILURE
            }
        },
    }
}

fn is_broken_pipe(error: &anyhow::Error) -> bool {
    error.chain().any(|cause| {
        cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe)
    })
}

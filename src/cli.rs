//! The command line: argument parsing and the non-interactive commands
//! (`list`, `call`, `demo`). No subcommand opens the TUI.

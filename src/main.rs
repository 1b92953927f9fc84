//! The `portico` binary: hands the command line to [`portico::cli`].

fn main() {}

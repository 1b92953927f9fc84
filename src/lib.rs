//! portico: a terminal developer portal.
//!
//! The crate is a UI-free core with two thin faces:
//!
//! ```text
//! catalog      definitions in (OpenAPI 3.x, Swagger 2.0, portal files) -> Catalog
//!              (schema_tree: schemas as trees a person reads)
//! request      Operation + Draft + Vars --build--> BuiltRequest | BuildError
//! interchange  curl, .http files, Postman collections <-> requests
//! http         BuiltRequest --send--> Exchange | RequestError
//! call         the one send pipeline: send, mask, capture, record (CLI, TUI, flows)
//! validate     values checked against the definition's schemas -> problems
//! flow         chained calls: captures (JSONPath -> variables), polling, flows
//! store        presets, history, environments on disk, written atomically
//! demo         the bundled ML web service behind a gateway, on loopback
//! sanitize     untrusted text made safe (escaped, measured) for a terminal
//! cli          non-interactive commands (list, call, run, demo, ...)
//! tui          the terminal interface (the only module that names ratatui/crossterm)
//! units        sizes and counts written for people, shared by all of the above
//! ```

pub mod call;
pub mod catalog;
pub mod cli;
pub mod demo;
pub mod flow;
pub mod http;
pub mod interchange;
pub mod oauth;
pub mod request;
pub mod sanitize;
pub mod secrets;
pub mod store;
pub mod tui;
pub mod units;
pub mod validate;

#[cfg(test)]
mod tests {
    use std::path::Path;

    fn rust_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
        for entry in std::fs::read_dir(dir).expect("read src") {
            let path = entry.expect("dir entry").path();
            if path.is_dir() {
                rust_files(&path, out);
            } else if path.extension().is_some_and(|ext| ext == "rs") {
                out.push(path);
            }
        }
    }

    /// Whether the character before byte `at` of `code` would make a path
    /// found there part of a longer one (`ratatui::` is not `tui::`).
    fn continues_a_path(code: &str, at: usize) -> bool {
        code[..at]
            .chars()
            .next_back()
            .is_some_and(|c| c.is_alphanumeric() || c == '_' || c == ':')
    }

    /// Whether a line of code names the crate's TUI module: `crate::tui`,
    /// `super::tui`, or a path that starts with `tui::`.
    fn names_the_tui(code: &str) -> bool {
        // Built from parts, so that this file does not name what it forbids.
        let module = "tui";
        let ends_there = |end: usize| {
            !code[end..]
                .chars()
                .next()
                .is_some_and(|c| c.is_alphanumeric() || c == '_')
        };
        let qualified = ["crate", "super"].iter().any(|root| {
            code.match_indices(&format!("{root}::{module}"))
                .any(|(at, found)| !continues_a_path(code, at) && ends_there(at + found.len()))
        });
        let bare = code
            .match_indices(&format!("{module}::"))
            .any(|(at, _)| !continues_a_path(code, at));
        qualified || bare
    }

    /// The core stays UI-free so that it can be tested and scripted without
    /// a terminal: only `tui/` and `main.rs` may name the terminal crates,
    /// and only they and `cli/tui.rs` (which opens the interface) may name
    /// the TUI module.
    #[test]
    fn only_the_tui_names_terminal_crates() {
        let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let mut files = Vec::new();
        rust_files(&src, &mut files);
        let mut offenders = Vec::new();
        for file in files {
            let relative = file.strip_prefix(&src).expect("under src");
            if relative.starts_with("tui") || relative == Path::new("main.rs") {
                continue;
            }
            let text = std::fs::read_to_string(&file).expect("read source");
            let code: Vec<&str> = text
                .lines()
                .map(str::trim_start)
                .filter(|line| !line.starts_with("//"))
                .collect();
            for crate_name in ["ratatui", "crossterm", "tui_textarea"] {
                let used = code
                    .iter()
                    .any(|line| line.contains(&format!("{crate_name}::")));
                if used {
                    offenders.push(format!("{} uses {crate_name}", relative.display()));
                }
            }
            let opens_the_tui = relative == Path::new("cli").join("tui.rs");
            if !opens_the_tui && code.iter().any(|line| names_the_tui(line)) {
                offenders.push(format!("{} names the TUI module", relative.display()));
            }
        }
        assert!(offenders.is_empty(), "{offenders:?}");
    }

    #[test]
    fn the_tui_module_is_found_by_its_paths_only() {
        let module = "tui";
        for naming in [
            format!("use crate::{module}::Config;"),
            format!("let c = super::{module}::run(x);"),
            format!("use {module}::open;"),
            format!("{module}::run(context)"),
            format!("crate::{module}"),
        ] {
            assert!(names_the_tui(&naming), "{naming}");
        }
        for not_naming in [
            format!("use {}::buffer::Buffer;", "ratatui"),
            format!("use {}::TextArea;", "tui_textarea"),
            format!("use crate::cli::{module}::open;"),
            format!("use self::{module}::open_tui;"),
            format!("crate::{module}ition"),
        ] {
            assert!(!names_the_tui(&not_naming), "{not_naming}");
        }
    }
}

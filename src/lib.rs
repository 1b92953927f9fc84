//! portico: a terminal developer portal.
//!
//! The crate is a UI-free core with two thin faces:
//!
//! ```text
//! catalog  definitions in (OpenAPI 3.x, Swagger 2.0, portal files) -> Catalog
//! request  Operation + Draft + Vars --build--> BuiltRequest | BuildError
//! http     BuiltRequest --send--> Exchange | RequestError
//! flow     chained calls: captures (JSONPath -> variables), polling, flows
//! store    presets, history, environments on disk, written atomically
//! demo     the bundled ML web service behind a gateway, on loopback
//! sanitize untrusted text made safe (escaped, measured) for a terminal
//! cli      non-interactive commands (list, call, run, demo)
//! tui      the terminal interface (the only module that names ratatui/crossterm)
//! units    sizes and counts written for people, shared by all of the above
//! ```

pub mod catalog;
pub mod cli;
pub mod demo;
pub mod flow;
pub mod http;
pub mod request;
pub mod sanitize;
pub mod secrets;
pub mod store;
pub mod tui;
pub mod units;

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

    /// The core stays UI-free so that it can be tested and scripted without
    /// a terminal: only `tui/` and `main.rs` may name the terminal crates.
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
            for crate_name in ["ratatui", "crossterm", "tui_textarea"] {
                let used = text.lines().any(|line| {
                    let code = line.trim_start();
                    !code.starts_with("//") && code.contains(&format!("{crate_name}::"))
                });
                if used {
                    offenders.push(format!("{} uses {crate_name}", relative.display()));
                }
            }
        }
        assert!(offenders.is_empty(), "{offenders:?}");
    }
}

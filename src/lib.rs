//! portico: a terminal developer portal.
//!
//! The crate is a UI-free core with two thin faces:
//!
//! ```text
//! catalog  definitions in (OpenAPI 3.x, Swagger 2.0, portal files) -> Catalog
//! request  Operation + Draft + Vars --build--> BuiltRequest | BuildError
//! http     BuiltRequest --send--> Exchange | RequestError
//! store    presets, history, environments on disk, written atomically
//! demo     the bundled ML web service behind a gateway, on loopback
//! cli      non-interactive commands (list, call, demo)
//! tui      the terminal interface (the only module that names ratatui/crossterm)
//! ```

pub mod catalog;
pub mod cli;
pub mod demo;
pub mod http;
pub mod request;
pub mod secrets;
pub mod store;
pub mod tui;

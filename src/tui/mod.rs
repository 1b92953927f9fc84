//! The terminal interface. The only module that names ratatui or crossterm.
pub mod body_view;
pub mod sanitize;

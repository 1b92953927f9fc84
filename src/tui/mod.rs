//! The terminal interface. The only module that names ratatui or crossterm.

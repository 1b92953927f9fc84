//! One file a pane: each renders from its state by reference and keeps
//! only what it needs between frames (selection, scroll).

pub mod catalog;
pub mod operation;
pub mod request;
pub mod response;

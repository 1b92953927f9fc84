//! One file a pane: each renders from its state by reference and keeps
//! only what it needs between frames (selection, scroll).

pub mod catalog;
pub mod operation;
pub mod request;
pub mod response;

use std::borrow::Cow;

use ratatui::text::Line;

use super::sanitize;

/// Makes every span of a line from untrusted text (definitions, responses)
/// safe to draw: control characters and escape sequences shown escaped.
pub fn clean(mut line: Line<'_>) -> Line<'_> {
    for span in &mut line.spans {
        if !sanitize::is_clean_line(&span.content) {
            span.content = Cow::Owned(sanitize::clean_line(&span.content).into_owned());
        }
    }
    line
}

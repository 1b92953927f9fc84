//! One file a pane or panel: each renders from its state by reference,
//! keeps only what it needs between frames (selection, scroll), and
//! handles its own keys, answering the app with a
//! [`Reaction`](crate::tui::app::Reaction).

pub mod ask_secret;
pub mod capture;
pub mod catalog;
pub mod dashboard;
pub mod environments;
pub mod flows;
pub mod history;
pub mod operation;
pub mod panel;
pub mod presets;
pub mod request;
pub mod response;

use std::borrow::Cow;

use ratatui::layout::Rect;
use ratatui::text::Line;

use crate::sanitize;

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

/// A `width` x `height` box in the middle of `area`, cut to fit it: where
/// overlays and panels are drawn.
pub fn centered(area: Rect, width: u16, height: u16) -> Rect {
    let w = width.min(area.width);
    let h = height.min(area.height);
    Rect {
        x: area.x + (area.width - w) / 2,
        y: area.y + (area.height - h) / 2,
        width: w,
        height: h,
    }
}

/// Where each title of a `Tabs` widget (one space of padding each side,
/// a one-column divider) lands, for mouse clicks.
pub fn tab_hits(area: Rect, titles: &[Line<'_>]) -> Vec<Rect> {
    let mut x = area.x;
    let mut out = Vec::with_capacity(titles.len());
    for title in titles {
        let width = u16::try_from(title.width())
            .unwrap_or(u16::MAX)
            .saturating_add(2);
        let width = width.min(area.right().saturating_sub(x));
        out.push(Rect::new(x, area.y, width, area.height.min(1)));
        x = x.saturating_add(width).saturating_add(1);
    }
    out
}

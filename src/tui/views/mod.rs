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
pub mod help;
pub mod history;
pub mod loading;
pub mod operation;
pub mod panel;
mod path_text;
pub mod presets;
pub mod request;
pub mod response;

use std::borrow::Cow;

use ratatui::layout::Rect;
use ratatui::text::Line;
use unicode_width::UnicodeWidthStr;

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

/// Greedy word wrap at `width` columns; a word longer than a row is cut.
pub fn wrap_words(text: &str, width: usize) -> Vec<String> {
    let width = width.max(1);
    let mut out = Vec::new();
    let mut row = String::new();
    for word in text.split_whitespace() {
        let mut word = word.to_string();
        loop {
            let sep = usize::from(!row.is_empty());
            if row.width() + sep + word.width() <= width {
                if sep == 1 {
                    row.push(' ');
                }
                row.push_str(&word);
                break;
            }
            if !row.is_empty() {
                out.push(std::mem::take(&mut row));
                continue;
            }
            // A word wider than a row: cut it.
            let mut cut = String::new();
            let mut rest = String::new();
            for c in word.chars() {
                if rest.is_empty() && cut.width() + c.to_string().width() <= width {
                    cut.push(c);
                } else {
                    rest.push(c);
                }
            }
            if cut.is_empty() {
                // Not even one character fits; give up on the row.
                out.push(word);
                break;
            }
            out.push(cut);
            word = rest;
            if word.is_empty() {
                break;
            }
        }
    }
    if !row.is_empty() || out.is_empty() {
        out.push(row);
    }
    out
}

/// `line` cut to `width` columns, its last visible span ending with `…`
/// when anything was cut: a one-line note never just stops at the edge.
pub fn fit_line(line: Line<'static>, width: usize) -> Line<'static> {
    let total: usize = line.spans.iter().map(|s| s.content.width()).sum();
    if total <= width {
        return line;
    }
    let style = line.style;
    let mut left = width;
    let mut spans = Vec::new();
    for span in line.spans {
        if left == 0 {
            break;
        }
        let w = span.content.width();
        if w < left {
            left -= w;
            spans.push(span);
        } else {
            // This span reaches the edge and more was to come: it ends
            // with the mark, even when it alone would just fit.
            let room = if w > left {
                left
            } else {
                left.saturating_sub(1)
            };
            let mut cut = sanitize::truncate(&span.content, room).into_owned();
            if !cut.ends_with(sanitize::ELLIPSIS) {
                cut.push(sanitize::ELLIPSIS);
            }
            spans.push(ratatui::text::Span::styled(cut, span.style));
            left = 0;
        }
    }
    Line::from(spans).style(style)
}

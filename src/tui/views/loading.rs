//! The screen shown while the definitions load: what is loading, for how
//! long, and how to leave. It draws before the app exists, so it takes
//! plain values rather than the app's state.

use std::time::Duration;

use ratatui::Frame;
use ratatui::layout::{Alignment, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};

use super::{centered, fit_line};
use crate::sanitize;
use crate::units::elapsed_text;

/// Draws "Loading SOURCES…" in a box in the middle of the screen, with the
/// time spent so far and the keys that quit.
pub fn render(frame: &mut Frame<'_>, loading: &str, spent: Duration) {
    let area = frame.area();
    let width = area.width.saturating_sub(4).clamp(20, 100);
    let inner = usize::from(width.saturating_sub(4));
    let what = Line::from(vec![
        Span::styled("Loading ", Style::default().add_modifier(Modifier::BOLD)),
        // A source is the user's text (a path, a URL): drawn escaped.
        Span::raw(sanitize::clean_line(loading).into_owned()),
    ]);
    let lines = vec![
        fit_line(what, inner),
        Line::from(""),
        Line::from(format!("{} · Esc or q quits", elapsed_text(spent))),
    ];
    let rect: Rect = centered(area, width, 5);
    frame.render_widget(
        Paragraph::new(lines)
            .alignment(Alignment::Center)
            .block(Block::default().borders(Borders::ALL).title(" portico ")),
        rect,
    );
}

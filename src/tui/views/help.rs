//! The help overlay (`?`): every key by scope, from the keymap, with
//! descriptions wrapped to the overlay's width; it scrolls.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph};
use unicode_width::UnicodeWidthStr;

use super::{centered, wrap_words};
use crate::tui::app::{Overlay, State};

/// The key list, wrapped here rather than by the paragraph so that the
/// number of rows is known and scrolling stops with the last row at the
/// bottom.
pub fn render(frame: &mut Frame, area: Rect, state: &mut State) {
    const KEYS: usize = 24;
    let theme = &state.config.theme;
    let r = centered(area, 90, area.height.saturating_sub(2).max(10));
    let width = usize::from(r.width.saturating_sub(2)).max(1);
    let mut lines = Vec::new();
    for (scope, rows) in state.config.keymap.help() {
        lines.push(Line::styled(scope.title(), theme.accent()));
        for (keys, desc) in rows {
            let indent = if width >= KEYS + 16 { KEYS } else { 4 };
            let pad = " ".repeat(indent);
            let keys = format!("  {keys:<22}");
            let mut wrapped = wrap_words(desc, width - indent.min(width - 1)).into_iter();
            if indent == KEYS && keys.width() <= KEYS {
                let head = wrapped.next().unwrap_or_default();
                lines.push(Line::from(vec![
                    Span::styled(keys, theme.key()),
                    Span::raw(head),
                ]));
            } else {
                // Long key lists, or a narrow overlay: the description
                // goes under the keys.
                for k in wrap_words(keys.trim(), width.saturating_sub(2)) {
                    lines.push(Line::styled(format!("  {k}"), theme.key()));
                }
            }
            lines.extend(wrapped.map(|more| Line::raw(format!("{pad}{more}"))));
        }
        lines.push(Line::default());
    }
    let mut notes = vec![
        "In a text field keys are typed; Enter or Esc leaves it. Ctrl+C always quits.".to_string(),
    ];
    if let Some(path) = &state.config.path {
        notes.push(format!("Keys and colours: {}", path.display()));
    }
    for note in &notes {
        for l in wrap_words(note, width) {
            lines.push(Line::styled(l, theme.muted()));
        }
    }
    let inner_height = usize::from(r.height.saturating_sub(2));
    let max = u16::try_from(lines.len().saturating_sub(inner_height)).unwrap_or(u16::MAX);
    let top = match &mut state.overlay {
        Some(Overlay::Help { scroll }) => {
            *scroll = (*scroll).min(max);
            *scroll
        }
        _ => 0,
    };
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.border(true))
        .title(Span::styled(
            " Keys (Esc closes, ↑↓ scroll) ",
            theme.title(),
        ));
    frame.render_widget(Clear, r);
    frame.render_widget(Paragraph::new(lines).block(block).scroll((top, 0)), r);
}

//! Drawing the Body tab of a binary body: the file whose bytes are sent,
//! its size (or why it cannot be read), and the type it goes out as.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Position, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

use super::RequestView;
use crate::sanitize;
use crate::tui::views::request::{FieldKind, RequestEditor};
use crate::units::size_text;

impl RequestView<'_> {
    pub(super) fn render_body_file(&self, frame: &mut Frame, area: Rect, editor: &RequestEditor) {
        let theme = self.theme;
        let editing = editor
            .field
            .as_ref()
            .filter(|f| f.kind == FieldKind::BodyFile);
        let path = editor.draft.body_file.clone().unwrap_or_default();
        let label = "file  ";
        let value = match editing {
            Some(field) => Span::styled(
                field.input.text().to_string(),
                Style::new().add_modifier(Modifier::UNDERLINED),
            ),
            None if path.trim().is_empty() => Span::styled("(none chosen)", theme.muted()),
            None => Span::raw(sanitize::clean_line(&path).into_owned()),
        };
        // What the file is, as far as can be told before sending it (a
        // `{{variable}}` in its path is filled in at the send).
        let state = if path.trim().is_empty() || path.contains("{{") {
            None
        } else {
            Some(match std::fs::metadata(path.trim()) {
                Ok(meta) if meta.is_file() => Span::styled(size_text(meta.len()), theme.success()),
                Ok(_) => Span::styled("✗ not a regular file", theme.error()),
                Err(e) => Span::styled(format!("✗ {e}"), theme.error()),
            })
        };
        let content_type = editor
            .draft
            .content_type
            .clone()
            .unwrap_or_else(|| "the file's type, by its extension".into());
        let mut lines = vec![
            Line::from(vec![
                Span::styled(label, theme.muted()),
                value,
                Span::raw("  "),
            ]),
            Line::default(),
            Line::from(Span::styled(
                format!("Sends the file's bytes as {content_type}."),
                theme.muted(),
            )),
            Line::from(Span::styled(
                "Enter: type its path ({{variables}} are filled in when sent)",
                theme.muted(),
            )),
        ];
        if let Some(state) = state {
            lines[0].spans.push(state);
        }
        let [rows, _] = Layout::vertical([Constraint::Min(0), Constraint::Length(0)]).areas(area);
        frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), rows);
        if let Some(field) = editing
            && self.focused
        {
            let x = rows.x + label.len() as u16 + field.input.cursor_column() as u16;
            frame.set_cursor_position(Position::new(x.min(rows.right().saturating_sub(1)), rows.y));
        }
    }
}

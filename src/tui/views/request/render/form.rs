//! Drawing the Body tab of a form body: one row per field (name with its
//! required mark, value or file path, type, description), the value
//! column kept wide enough to read in a narrow pane.

use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::Span;
use ratatui::widgets::{Cell, Row as TableRow};

use super::{RequestView, TableSpec, enabled_mark, fit};
use crate::tui::views::request::{FieldKind, RequestEditor};

impl RequestView<'_> {
    pub(super) fn render_form(&self, frame: &mut Frame, area: Rect, editor: &mut RequestEditor) {
        let theme = self.theme;
        let mut names = Vec::new();
        let mut kinds = Vec::new();
        let mut rows = Vec::new();
        for (i, f) in editor.draft.form.iter().enumerate() {
            let doc = editor.form_doc(&f.name);
            let required = doc.is_some_and(|d| d.required);
            let name = match &editor.field {
                Some(field) if field.kind == FieldKind::FormName(i) => Span::styled(
                    field.input.text().to_string(),
                    Style::new().add_modifier(Modifier::UNDERLINED),
                ),
                _ if required => Span::styled(format!("{}*", f.name), theme.title()),
                _ => Span::raw(f.name.clone()),
            };
            names.push(format!("{}*", f.name));
            let editing = editor
                .field
                .as_ref()
                .is_some_and(|x| x.kind == FieldKind::FormValue(i));
            let value = if f.value.is_empty() && !editing {
                let hint = match (f.file, required) {
                    (true, _) => "path of the file",
                    (false, true) => "required",
                    (false, false) => "",
                };
                Span::styled(hint, theme.muted().add_modifier(Modifier::ITALIC))
            } else {
                self.cell_text(editor, FieldKind::FormValue(i), &f.value, &f.name)
            };
            // A file field's value is a path: its type says so.
            let (kind, kind_style) = if f.file {
                ("file".to_string(), theme.accent())
            } else {
                (
                    doc.map(|d| d.type_text.clone()).unwrap_or_default(),
                    theme.muted(),
                )
            };
            kinds.push(kind.clone());
            let mut row = TableRow::new(vec![
                Cell::from(enabled_mark(f.enabled, theme)),
                Cell::from(name),
                Cell::from(value),
                Cell::from(Span::styled(kind, kind_style)),
                Cell::from(Span::styled(
                    doc.map(|d| d.description.clone()).unwrap_or_default(),
                    theme.muted(),
                )),
            ]);
            if !f.enabled {
                row = row.style(theme.muted());
            }
            rows.push(row);
        }
        self.render_table(
            frame,
            area,
            editor,
            TableSpec {
                rows,
                widths: form_widths(
                    area.width,
                    fit(names.iter().map(String::as_str), "name", 24),
                    fit(kinds.iter().map(String::as_str), "type", 16),
                ),
                header: &["", "name", "value", "type", "description"],
                empty: "No form fields. a: add one.",
            },
        );
    }
}

/// The form table's columns in `width`: the value, which is what is
/// typed, keeps at least [`FORM_VALUE_MIN`] columns, taken from the name
/// and type (down to a few characters each) when the pane is narrow; the
/// description gets a third of what is left once the value has 40.
fn form_widths(width: u16, name: Constraint, kind: Constraint) -> Vec<Constraint> {
    let length = |c: Constraint| match c {
        Constraint::Length(n) => n,
        _ => 0,
    };
    let (mut name, mut kind) = (length(name), length(kind));
    // Four gaps between five columns, and the ✓ column.
    let room = width.saturating_sub(5);
    while name + kind + FORM_VALUE_MIN > room && (name > 10 || kind > 8) {
        if name >= kind && name > 10 {
            name -= 1;
        } else {
            kind -= 1;
        }
    }
    let rest = room.saturating_sub(name + kind);
    let description = if rest > 40 { rest / 3 } else { 0 };
    vec![
        Constraint::Length(1),
        Constraint::Length(name),
        Constraint::Length(rest - description),
        Constraint::Length(kind),
        Constraint::Length(description),
    ]
}

/// The narrowest value column of the form table.
const FORM_VALUE_MIN: u16 = 18;

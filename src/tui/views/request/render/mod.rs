//! Drawing the request editor: the live URL line, the tabs, each tab's
//! table or the body, and the pinned error under them.

mod auth;
mod body_file;
mod form;

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Position, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Cell, Paragraph, Row as TableRow, Table, TableState, Tabs};

use super::{FieldKind, JsonCheck, ReqTab, RequestEditor, json_text};
use crate::catalog::{Api, Operation, ParamLocation};
use crate::sanitize;
use crate::secrets::{MASK, is_secret_name, mask_header_value};
use crate::tui::config::Theme;

/// Whether a row's value is shown masked.
fn hide(name: &str, value: &str, reveal: bool) -> bool {
    // A variable reference is not itself a secret and says where the
    // value comes from, so it stays readable.
    !reveal && is_secret_name(name) && !value.is_empty() && !only_variables(value)
}

/// Whether `value` is `{{variables}}` and nothing secret besides: at most
/// an auth scheme's word before them (`Bearer {{token}}`). Text typed
/// around a reference (`sk-live-1{{x}}`) is not.
fn only_variables(value: &str) -> bool {
    if !value.contains("{{") {
        return false;
    }
    let mut rest = String::new();
    let mut text = value;
    while let Some(open) = text.find("{{") {
        rest.push_str(&text[..open]);
        match text[open..].find("}}") {
            Some(close) => text = &text[open + close + 2..],
            // An unfinished reference, as while typing: the rest is its name.
            None => text = "",
        }
    }
    rest.push_str(text);
    let rest = rest.trim();
    rest.is_empty()
        || ["bearer", "basic", "token", "bot", "digest"]
            .iter()
            .any(|word| rest.eq_ignore_ascii_case(word))
}

pub struct RequestView<'a> {
    pub api: &'a Api,
    pub op: &'a Operation,
    pub theme: &'a Theme,
    pub focused: bool,
    pub reveal: bool,
    pub server_label: String,
    pub env: Option<&'a str>,
    /// The session's OAuth 2.0 tokens, for the Auth tab's state.
    pub tokens: &'a crate::oauth::Tokens,
    /// The variables, for the OAuth client the Auth tab describes.
    pub vars: &'a crate::request::Vars,
    /// The credentials that go with every request of this API (`+`).
    pub shared_auth: &'a [crate::request::AuthValue],
}

impl RequestView<'_> {
    pub fn render(&self, frame: &mut Frame, area: Rect, editor: &mut RequestEditor) {
        let theme = self.theme;
        let title = format!(" Request · {} ", sanitize::clean_line(&self.op.title()));
        let mut title = vec![Span::styled(title, theme.title())];
        if self.api.skip_tls_verify {
            // In the frame, not a row that a short pane would drop: it
            // must stay in sight for as long as the switch is off.
            title.push(Span::styled(" ⚠ TLS NOT VERIFIED ", theme.error()));
        }
        let block = Block::default()
            .borders(Borders::ALL)
            .border_style(theme.border(self.focused))
            .title(Line::from(title));
        let inner = block.inner(area);
        frame.render_widget(block, area);
        if inner.height < 2 || inner.width < 4 {
            return;
        }
        let url_lines = self.url_lines(editor, inner.width);
        let url_height = u16::try_from(url_lines.len())
            .unwrap_or(1)
            .min(inner.height / 3)
            .max(1);
        let [url_area, server_area, tabs_area, body_area] = Layout::vertical([
            Constraint::Length(url_height),
            Constraint::Length(u16::from(inner.height > 8)),
            Constraint::Length(1),
            Constraint::Min(0),
        ])
        .areas(inner);
        frame.render_widget(Paragraph::new(url_lines), url_area);
        if server_area.height > 0 {
            let mut spans = vec![
                Span::styled("server ", theme.muted()),
                Span::raw(self.server_label.clone()),
            ];
            if let Some(env) = self.env {
                spans.push(Span::styled("  env ", theme.muted()));
                spans.push(Span::styled(env.to_string(), theme.accent()));
            }
            frame.render_widget(Paragraph::new(Line::from(spans)), server_area);
        }
        let titles: Vec<Line> = ReqTab::ALL
            .iter()
            .map(|t| {
                let (name, count) = match t {
                    ReqTab::Params => ("Params", Some(editor.param_rows())),
                    ReqTab::Headers => ("Headers", Some(editor.draft.headers.len())),
                    ReqTab::Body => ("Body", None),
                    ReqTab::Auth => ("Auth", Some(editor.draft.auth.len())),
                };
                let mut style = Style::new();
                if editor.error.as_ref().is_some_and(|e| e.tab == *t) {
                    style = theme.error();
                }
                match count {
                    Some(n) => Line::styled(format!("{name} ({n})"), style),
                    None => Line::styled(name, style),
                }
            })
            .collect();
        editor.tab_hits = crate::tui::views::tab_hits(tabs_area, &titles);
        frame.render_widget(
            Tabs::new(titles)
                .select(editor.tab.index())
                .highlight_style(theme.accent().add_modifier(Modifier::UNDERLINED))
                .divider("│"),
            tabs_area,
        );
        match editor.tab {
            ReqTab::Params => self.render_params(frame, body_area, editor),
            ReqTab::Headers => self.render_headers(frame, body_area, editor),
            ReqTab::Body => self.render_body(frame, body_area, editor),
            ReqTab::Auth => self.render_auth(frame, body_area, editor),
        }
    }

    /// The method and URL, cut into lines of the pane's width: a URL has
    /// no spaces to wrap at, and every character of it matters.
    fn url_lines(&self, editor: &RequestEditor, width: u16) -> Vec<Line<'static>> {
        let theme = self.theme;
        let width = usize::from(width.max(1));
        let method_text = format!("{} ", self.op.method);
        let (url, style, error) = match &editor.preview {
            Some((req, errors)) => {
                let url = if self.reveal {
                    req.url.clone()
                } else {
                    req.masked().url
                };
                let url = sanitize::clean_line(&url).into_owned();
                let error = errors.first().map(|e| match errors.len() {
                    1 => format!("✗ {e}"),
                    n => format!("✗ {e} (+{} more)", n - 1),
                });
                let style = if errors.is_empty() {
                    Style::new()
                } else {
                    theme.muted()
                };
                (url, style, error)
            }
            None => (self.op.path.clone(), Style::new(), None),
        };
        let mut lines = Vec::new();
        let mut chars: Vec<char> = url.chars().collect();
        let first_room = width.saturating_sub(method_text.chars().count()).max(1);
        let rest: Vec<char> = chars.split_off(first_room.min(chars.len()));
        lines.push(Line::from(vec![
            Span::styled(method_text, theme.method(&self.op.method)),
            Span::styled(chars.into_iter().collect::<String>(), style),
        ]));
        for chunk in rest.chunks(width) {
            lines.push(Line::styled(chunk.iter().collect::<String>(), style));
        }
        if let Some(error) = error {
            lines.push(Line::styled(error, theme.error()));
        }
        lines
    }

    fn render_table(
        &self,
        frame: &mut Frame,
        area: Rect,
        editor: &mut RequestEditor,
        spec: TableSpec,
    ) {
        let TableSpec {
            rows,
            widths,
            header,
            empty,
        } = spec;
        let [table_area, note_area] =
            Layout::vertical([Constraint::Min(0), Constraint::Length(1)]).areas(area);
        if rows.is_empty() {
            frame.render_widget(
                Paragraph::new(Span::styled(empty.to_string(), self.theme.muted())),
                table_area,
            );
        } else {
            let selected = editor.selected_row();
            let mut state = TableState::default()
                .with_offset(editor.table_offset)
                .with_selected(Some(selected));
            let table = Table::new(rows, widths.clone())
                .header(
                    TableRow::new(header.iter().map(|h| Cell::from(*h))).style(self.theme.muted()),
                )
                .row_highlight_style(self.theme.selected(self.focused && editor.field.is_none()))
                .column_spacing(1);
            frame.render_stateful_widget(table, table_area, &mut state);
            editor.table_offset = state.offset();
            // The terminal cursor goes where the user types.
            if let Some(field) = &editor.field
                && self.focused
            {
                let row_y = table_area.y
                    + 1
                    + u16::try_from(selected.saturating_sub(state.offset())).unwrap_or(0);
                let col = value_column(field.kind, &widths, table_area);
                let x = col + u16::try_from(field.input.cursor_column()).unwrap_or(0);
                if row_y < table_area.bottom() {
                    frame.set_cursor_position(Position::new(
                        x.min(table_area.right().saturating_sub(1)),
                        row_y,
                    ));
                }
            }
        }
        let note = match &editor.error {
            Some(e) if e.tab == editor.tab => {
                Line::styled(format!("✗ {}", e.message), self.theme.error())
            }
            _ => self.row_note(editor),
        };
        let note = super::super::fit_line(note, usize::from(note_area.width));
        frame.render_widget(Paragraph::new(note), note_area);
    }

    fn row_note(&self, editor: &RequestEditor) -> Line<'static> {
        // A `{{variable}}` in the selected row: what it stands for.
        let selected_value = match editor.tab {
            ReqTab::Params => editor.draft.params.get(editor.param_row).map(|p| &p.value),
            ReqTab::Headers => editor
                .draft
                .headers
                .get(editor.header_row)
                .map(|h| &h.value),
            _ => None,
        };
        let variables = selected_value
            .filter(|_| editor.field.is_none())
            .and_then(|v| self.variables_note(v));
        if editor.tab == ReqTab::Headers {
            return match variables {
                Some(note) => Line::styled(note, self.theme.accent()),
                None => self.headers_note(editor),
            };
        }
        if editor.tab == ReqTab::Body {
            // The selected field's description (the table may have no room
            // for it), else the form's media type: it decides how the
            // fields are sent.
            let described = editor
                .draft
                .form
                .get(editor.selected_row())
                .and_then(|f| editor.form_doc(&f.name))
                .filter(|d| !d.description.is_empty());
            let text = match described {
                Some(doc) => format!("{}: {}", doc.name, doc.description),
                None => {
                    let ct = editor.draft.content_type.clone().unwrap_or_default();
                    format!("{ct}  (Enter: edit · a: add · Space: on/off · d: delete)")
                }
            };
            return Line::styled(sanitize::clean_line(&text).into_owned(), self.theme.muted());
        }
        if editor.tab == ReqTab::Auth {
            return self.auth_note(editor);
        }
        if editor.tab != ReqTab::Params {
            return Line::default();
        }
        let Some(pv) = editor.draft.params.get(editor.param_row) else {
            return Line::default();
        };
        let Some(p) = self
            .op
            .parameters
            .iter()
            .find(|p| p.name == pv.name && p.location == pv.location)
        else {
            return Line::default();
        };
        let mut text = String::new();
        if let Some(d) = &p.description {
            text.push_str(d.lines().next().unwrap_or(""));
        }
        if !p.schema.enum_values.is_empty() {
            text.push_str("  (Enter: choose a value)");
        }
        match variables {
            Some(note) => Line::from(vec![
                Span::styled(note, self.theme.accent()),
                Span::styled(format!("  {text}"), self.theme.muted()),
            ]),
            None => Line::styled(text, self.theme.muted()),
        }
    }

    /// `{{name}} = value` for each variable `value` uses (secrets masked
    /// unless revealed), or that it is not defined; `None` without any.
    fn variables_note(&self, value: &str) -> Option<String> {
        let names = crate::request::referenced_variables(value);
        if names.is_empty() {
            return None;
        }
        let parts: Vec<String> = names
            .iter()
            .map(|name| match self.vars.get(name) {
                Some(v) if (v.secret || crate::secrets::is_secret_name(name)) && !self.reveal => {
                    format!("{{{{{name}}}}} = {}", crate::secrets::MASK)
                }
                Some(v) => format!("{{{{{name}}}}} = {}", crate::sanitize::clean_line(&v.value)),
                None if name.starts_with("env:") => {
                    format!("{{{{{name}}}}}: the process environment")
                }
                None => format!("{{{{{name}}}}} is not defined (v: the environments)"),
            })
            .collect();
        Some(parts.join(" · "))
    }

    /// Headers the request gets from elsewhere (auth, body, parameters),
    /// so that the tab tells the whole story of what is sent.
    fn headers_note(&self, editor: &RequestEditor) -> Line<'static> {
        let Some((req, _)) = &editor.preview else {
            return Line::default();
        };
        let own: Vec<&str> = editor
            .draft
            .headers
            .iter()
            .filter(|h| h.enabled)
            .map(|h| h.name.as_str())
            .collect();
        let mut extra: Vec<&str> = req
            .headers
            .iter()
            .map(|(n, _)| n.as_str())
            .filter(|n| !own.iter().any(|o| o.eq_ignore_ascii_case(n)))
            .collect();
        extra.dedup();
        if extra.is_empty() {
            return Line::default();
        }
        Line::styled(
            format!("also sent (auth, body, parameters): {}", extra.join(", ")),
            self.theme.muted(),
        )
    }

    fn cell_text(
        &self,
        editor: &RequestEditor,
        kind: FieldKind,
        value: &str,
        secret_name: &str,
    ) -> Span<'static> {
        if let Some(field) = &editor.field
            && field.kind == kind
        {
            // A password or token is not shown even while typed: a
            // credential, or a parameter or header named like a secret
            // (Slack's `token`), unless it names a variable.
            let typed = field.input.text();
            let secret = RequestEditor::is_secret_field(kind)
                || (is_secret_name(secret_name) && !only_variables(typed));
            let text = if secret && !self.reveal {
                "•".repeat(typed.chars().count())
            } else {
                typed.to_string()
            };
            return Span::styled(text, Style::new().add_modifier(Modifier::UNDERLINED));
        }
        if hide(secret_name, value, self.reveal) {
            let masked = if secret_name.eq_ignore_ascii_case("authorization") {
                mask_header_value(value)
            } else {
                MASK.to_string()
            };
            return Span::styled(masked, self.theme.muted());
        }
        Span::raw(value.to_string())
    }

    fn render_params(&self, frame: &mut Frame, area: Rect, editor: &mut RequestEditor) {
        let theme = self.theme;
        let mut rows = Vec::new();
        let mut names: Vec<String> = Vec::new();
        let mut kinds: Vec<String> = Vec::new();
        for (i, pv) in editor.draft.params.iter().enumerate() {
            let param = self
                .op
                .parameters
                .iter()
                .find(|p| p.name == pv.name && p.location == pv.location);
            let required = param.is_some_and(|p| p.required) || pv.location == ParamLocation::Path;
            let name = if required {
                format!("{}*", pv.name)
            } else {
                pv.name.clone()
            };
            names.push(name.clone());
            let value = if pv.value.is_empty()
                && editor
                    .field
                    .as_ref()
                    .is_none_or(|f| f.kind != FieldKind::Param(i))
            {
                let hint = param
                    .and_then(|p| p.example.as_ref().or(p.schema.default.as_ref()))
                    .map(|v| format!("e.g. {}", json_text(v)))
                    .unwrap_or_else(|| {
                        if required {
                            "required".into()
                        } else {
                            String::new()
                        }
                    });
                Span::styled(hint, theme.muted().add_modifier(Modifier::ITALIC))
            } else {
                self.cell_text(editor, FieldKind::Param(i), &pv.value, &pv.name)
            };
            let kind = param.map(type_hint).unwrap_or_default();
            kinds.push(kind.clone());
            let mut row = TableRow::new(vec![
                Cell::from(enabled_mark(pv.enabled, theme)),
                Cell::from(Span::styled(
                    name,
                    if required {
                        theme.title()
                    } else {
                        Style::new()
                    },
                )),
                Cell::from(Span::styled(pv.location.as_str(), theme.muted())),
                Cell::from(value),
                Cell::from(Span::styled(kind, theme.muted())),
            ]);
            if editor
                .error
                .as_ref()
                .is_some_and(|e| e.tab == ReqTab::Params && e.row == Some(i))
            {
                row = row.style(theme.error());
            } else if !pv.enabled {
                row = row.style(theme.muted());
            }
            rows.push(row);
        }
        for (i, r) in editor.draft.extra_query.iter().enumerate() {
            names.push(r.name.clone());
            let name = match &editor.field {
                Some(f) if f.kind == FieldKind::ExtraName(i) => Span::styled(
                    f.input.text().to_string(),
                    Style::new().add_modifier(Modifier::UNDERLINED),
                ),
                _ => Span::raw(r.name.clone()),
            };
            let mut row = TableRow::new(vec![
                Cell::from(enabled_mark(r.enabled, theme)),
                Cell::from(name),
                Cell::from(Span::styled("query", theme.muted())),
                Cell::from(self.cell_text(editor, FieldKind::ExtraValue(i), &r.value, &r.name)),
                Cell::from(Span::styled("extra", theme.muted())),
            ]);
            if !r.enabled {
                row = row.style(theme.muted());
            }
            rows.push(row);
        }
        for (i, (name, var)) in editor.server_vars.iter().enumerate() {
            names.push(name.clone());
            let explicit = editor.draft.server_vars.get(name).filter(|v| !v.is_empty());
            let editing = editor
                .field
                .as_ref()
                .is_some_and(|f| f.kind == FieldKind::ServerVar(i));
            let value = match explicit {
                Some(v) if !editing => Span::raw(v.clone()),
                _ if editing => self.cell_text(editor, FieldKind::ServerVar(i), "", ""),
                _ => Span::styled(
                    format!("{} (default)", var.default),
                    theme.muted().add_modifier(Modifier::ITALIC),
                ),
            };
            let kind = if var.enum_values.is_empty() {
                String::new()
            } else {
                format!("enum({})", var.enum_values.len())
            };
            kinds.push(kind.clone());
            rows.push(TableRow::new(vec![
                Cell::from(Span::raw(" ")),
                Cell::from(Span::raw(name.clone())),
                Cell::from(Span::styled("server", theme.muted())),
                Cell::from(value),
                Cell::from(Span::styled(kind, theme.muted())),
            ]));
        }
        self.render_table(
            frame,
            area,
            editor,
            TableSpec {
                rows,
                widths: vec![
                    Constraint::Length(1),
                    fit(names.iter().map(String::as_str), "name", 24),
                    Constraint::Length(6),
                    Constraint::Fill(1),
                    fit(kinds.iter().map(String::as_str), "type", 16),
                ],
                header: &["", "name", "in", "value", "type"],
                empty: "No parameters. a: add a query parameter.",
            },
        );
    }

    fn render_headers(&self, frame: &mut Frame, area: Rect, editor: &mut RequestEditor) {
        let theme = self.theme;
        let rows = editor
            .draft
            .headers
            .iter()
            .enumerate()
            .map(|(i, r)| {
                let name = match &editor.field {
                    Some(f) if f.kind == FieldKind::HeaderName(i) => Span::styled(
                        f.input.text().to_string(),
                        Style::new().add_modifier(Modifier::UNDERLINED),
                    ),
                    _ => Span::raw(r.name.clone()),
                };
                let row = TableRow::new(vec![
                    Cell::from(enabled_mark(r.enabled, theme)),
                    Cell::from(name),
                    Cell::from(self.cell_text(
                        editor,
                        FieldKind::HeaderValue(i),
                        &r.value,
                        &r.name,
                    )),
                ]);
                if r.enabled {
                    row
                } else {
                    row.style(theme.muted())
                }
            })
            .collect();
        self.render_table(
            frame,
            area,
            editor,
            TableSpec {
                rows,
                widths: vec![
                    Constraint::Length(1),
                    fit(
                        editor.draft.headers.iter().map(|h| h.name.as_str()),
                        "name",
                        30,
                    ),
                    Constraint::Fill(1),
                ],
                header: &["", "name", "value"],
                empty: "No headers. a: add one.",
            },
        );
    }

    fn render_body(&self, frame: &mut Frame, area: Rect, editor: &mut RequestEditor) {
        if editor.is_file_body() {
            return self.render_body_file(frame, area, editor);
        }
        if editor.is_form() {
            return self.render_form(frame, area, editor);
        }
        let theme = self.theme;
        let under_cursor = editor.schema_under_cursor();
        let [text_area, schema_area, note_area] = Layout::vertical([
            Constraint::Min(0),
            Constraint::Length(u16::from(under_cursor.is_some())),
            Constraint::Length(1),
        ])
        .areas(area);
        if let Some(text) = under_cursor {
            let line = Line::from(Span::styled(
                sanitize::clean_line(&text).into_owned(),
                theme.muted(),
            ));
            let line = super::super::fit_line(line, usize::from(schema_area.width));
            frame.render_widget(Paragraph::new(line), schema_area);
        }
        let cursor = if editor.body_editing && self.focused {
            Style::new().add_modifier(Modifier::REVERSED)
        } else {
            Style::new()
        };
        editor.body.set_cursor_style(cursor);
        frame.render_widget(&editor.body, text_area);
        let ct = editor
            .draft
            .content_type
            .clone()
            .unwrap_or_else(|| "no content type".into());
        let mut spans = vec![Span::styled(ct, theme.muted()), Span::raw("  ")];
        match (&editor.error, &editor.json) {
            (Some(e), _) if e.tab == ReqTab::Body => {
                spans.push(Span::styled(format!("✗ {}", e.message), theme.error()));
            }
            (_, JsonCheck::Valid) => spans.push(Span::styled("✓ valid JSON", theme.success())),
            (
                _,
                JsonCheck::Invalid {
                    line,
                    column,
                    message,
                },
            ) => spans.push(Span::styled(
                format!("✗ line {line}, column {column}: {message}"),
                theme.error(),
            )),
            (_, JsonCheck::Empty) => spans.push(Span::styled("empty body", theme.muted())),
            (_, JsonCheck::NotJson) => {}
        }
        if !editor.body_editing {
            spans.push(Span::styled("  (Enter: edit)", theme.muted()));
        }
        let note = super::super::fit_line(Line::from(spans), usize::from(note_area.width));
        frame.render_widget(Paragraph::new(note), note_area);
    }
}

struct TableSpec<'a> {
    rows: Vec<TableRow<'static>>,
    widths: Vec<Constraint>,
    header: &'a [&'static str],
    empty: &'a str,
}

/// A column as wide as its widest text (and its header), within a cap.
fn fit<'a>(texts: impl Iterator<Item = &'a str>, header: &str, cap: usize) -> Constraint {
    let widest = texts
        .map(unicode_width::UnicodeWidthStr::width)
        .chain(std::iter::once(header.len()))
        .max()
        .unwrap_or(0);
    Constraint::Length(u16::try_from(widest.min(cap)).unwrap_or(1))
}

/// Screen column where a field's text starts, for the terminal cursor.
fn value_column(kind: FieldKind, widths: &[Constraint], area: Rect) -> u16 {
    let cells = Layout::horizontal(widths.to_vec()).spacing(1).split(area);
    let index = match kind {
        FieldKind::Param(_) | FieldKind::ExtraValue(_) | FieldKind::ServerVar(_) => 3,
        FieldKind::BodyFile => 0,
        FieldKind::ExtraName(_) | FieldKind::HeaderName(_) | FieldKind::FormName(_) => 1,
        FieldKind::HeaderValue(_) | FieldKind::FormValue(_) => 2,
        FieldKind::AuthValue(_) | FieldKind::AuthUser(_) | FieldKind::AuthKeyName(_) => 3,
    };
    cells.get(index).map_or(area.x, |r| r.x)
}

fn enabled_mark(enabled: bool, theme: &Theme) -> Span<'static> {
    if enabled {
        Span::styled("✓", theme.success())
    } else {
        Span::styled("✗", theme.muted())
    }
}

fn type_hint(p: &crate::catalog::Parameter) -> String {
    if !p.schema.enum_values.is_empty() {
        return format!("enum({})", p.schema.enum_values.len());
    }
    match (&p.schema.type_name, &p.schema.items_type) {
        (Some(t), Some(items)) if t == "array" => format!("{items}[]"),
        (Some(t), _) => match &p.schema.format {
            Some(f) => format!("{t}:{f}"),
            None => t.clone(),
        },
        (None, _) => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_hidden_unless_variable_or_revealed() {
        assert!(hide("Authorization", "Bearer abc", false));
        assert!(!hide("Authorization", "Bearer {{api_key}}", false));
        assert!(!hide("Authorization", "Bearer abc", true));
        assert!(!hide("Accept", "application/json", false));
        // Text typed around a reference is still a secret.
        assert!(hide("token", "sk-live-1{{x}}", false));
        assert!(hide("token", "sk-live-1{{", false));
        assert!(!hide("token", "{{slack_token}}", false));
        assert!(!hide("token", "{{slack_", false));
    }
}

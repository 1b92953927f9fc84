//! The request editor of one operation: the live URL, then the
//! Params | Headers | Body | Auth tabs over a [`Draft`].
//!
//! The draft is the single source of truth; the body's text area is
//! copied into it on every change so that the URL, the curl preview and
//! the send all see the same request. Build errors are pinned to the row
//! (or the body line) they are about.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Position, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Cell, Paragraph, Row as TableRow, Table, TableState, Tabs};
use tui_textarea::TextArea;

use crate::catalog::{Api, Operation, ParamLocation, SecurityKind, ServerVariable};
use crate::request::{BuildError, BuiltRequest, Draft, Row};
use crate::sanitize;
use crate::secrets::{MASK, is_secret_name, mask_header_value};
use crate::tui::config::Theme;
use crate::tui::input::LineInput;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReqTab {
    Params,
    Headers,
    Body,
    Auth,
}

impl ReqTab {
    pub const ALL: [ReqTab; 4] = [Self::Params, Self::Headers, Self::Body, Self::Auth];

    fn index(self) -> usize {
        Self::ALL.iter().position(|t| *t == self).unwrap_or(0)
    }

    pub fn cycle(self, delta: isize) -> Self {
        let i = (self.index() as isize + delta).rem_euclid(Self::ALL.len() as isize);
        Self::ALL[usize::try_from(i).unwrap_or(0)]
    }
}

/// Which text a one-line field is editing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldKind {
    Param(usize),
    ExtraName(usize),
    ExtraValue(usize),
    HeaderName(usize),
    HeaderValue(usize),
    AuthValue(usize),
    AuthUser(usize),
    /// A variable of the chosen server's URL template.
    ServerVar(usize),
}

#[derive(Debug, Clone)]
pub struct Field {
    pub kind: FieldKind,
    pub input: LineInput,
}

/// Whether the body parses, and if not where it breaks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum JsonCheck {
    NotJson,
    Empty,
    Valid,
    Invalid {
        line: usize,
        column: usize,
        message: String,
    },
}

/// A build error pinned to the place it is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PinnedError {
    pub tab: ReqTab,
    /// The row of that tab, if the error is about one.
    pub row: Option<usize>,
    pub message: String,
}

/// One line of the Auth tab.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthRow {
    /// Index into `draft.auth`.
    pub index: usize,
    pub username: bool,
    pub label: String,
    pub kind: String,
}

pub struct RequestEditor {
    pub draft: Draft,
    pub tab: ReqTab,
    pub param_row: usize,
    pub header_row: usize,
    pub auth_row: usize,
    pub field: Option<Field>,
    pub body: TextArea<'static>,
    pub body_editing: bool,
    pub json: JsonCheck,
    pub error: Option<PinnedError>,
    /// The last best-effort build and its problems, for the URL line and
    /// the curl preview.
    pub preview: Option<(BuiltRequest, Vec<BuildError>)>,
    table_offset: usize,
    /// The chosen server's variables, shown as rows after the parameters.
    pub server_vars: Vec<(String, ServerVariable)>,
    /// Where the tab titles were drawn, for mouse clicks.
    pub tab_hits: Vec<Rect>,
}

impl RequestEditor {
    pub fn new(draft: Draft) -> Self {
        let body = new_textarea(&draft.body);
        let mut editor = Self {
            draft,
            tab: ReqTab::Params,
            param_row: 0,
            header_row: 0,
            auth_row: 0,
            field: None,
            body,
            body_editing: false,
            json: JsonCheck::NotJson,
            error: None,
            preview: None,
            table_offset: 0,
            server_vars: Vec::new(),
            tab_hits: Vec::new(),
        };
        editor.check_json();
        editor
    }

    /// Whether a text field or the body editor has the keys.
    pub fn is_typing(&self) -> bool {
        self.field.is_some() || self.body_editing
    }

    /// Refreshes the server variable rows for the chosen server.
    pub fn set_server_vars(&mut self, api: &Api) {
        self.server_vars = match &self.draft.server_url {
            Some(_) => Vec::new(),
            None => api
                .servers
                .get(self.draft.server)
                .or_else(|| api.servers.first())
                .map(|s| {
                    s.variables
                        .iter()
                        .map(|(n, v)| (n.clone(), v.clone()))
                        .collect()
                })
                .unwrap_or_default(),
        };
        self.param_row = self.param_row.min(self.param_rows().saturating_sub(1));
    }

    pub fn param_rows(&self) -> usize {
        self.draft.params.len() + self.draft.extra_query.len() + self.server_vars.len()
    }

    pub fn set_body_text(&mut self, text: &str) {
        self.body = new_textarea(text);
        self.draft.body = text.to_string();
        self.check_json();
    }

    /// Copies the text area into the draft after an edit.
    pub fn sync_body(&mut self) {
        self.draft.body = self.body.lines().join("\n");
        self.check_json();
    }

    pub fn is_json(&self) -> bool {
        match &self.draft.content_type {
            Some(ct) => crate::tui::core::is_json_content_type(ct),
            None => {
                let t = self.draft.body.trim_start();
                t.starts_with('{') || t.starts_with('[')
            }
        }
    }

    pub fn check_json(&mut self) {
        self.json = if !self.is_json() {
            JsonCheck::NotJson
        } else if self.draft.body.trim().is_empty() {
            JsonCheck::Empty
        } else {
            check_json(&self.draft.body)
        };
    }

    pub fn selected_row(&self) -> usize {
        match self.tab {
            ReqTab::Params => self.param_row,
            ReqTab::Headers => self.header_row,
            ReqTab::Auth => self.auth_row,
            ReqTab::Body => 0,
        }
    }

    pub fn row_count(&self, api: &Api) -> usize {
        match self.tab {
            ReqTab::Params => self.param_rows(),
            ReqTab::Headers => self.draft.headers.len(),
            ReqTab::Auth => self.auth_rows(api).len(),
            ReqTab::Body => 0,
        }
    }

    pub fn move_row(&mut self, delta: isize, api: &Api) {
        let count = self.row_count(api);
        let last = count.saturating_sub(1);
        let slot = match self.tab {
            ReqTab::Params => &mut self.param_row,
            ReqTab::Headers => &mut self.header_row,
            ReqTab::Auth => &mut self.auth_row,
            ReqTab::Body => return,
        };
        *slot = slot.saturating_add_signed(delta).min(last);
    }

    pub fn auth_rows(&self, api: &Api) -> Vec<AuthRow> {
        let mut rows = Vec::new();
        for (index, auth) in self.draft.auth.iter().enumerate() {
            let scheme = api.security_schemes.iter().find(|s| s.name == auth.scheme);
            let (kind, basic) = match scheme.map(|s| &s.kind) {
                Some(SecurityKind::ApiKey { param, location }) => {
                    (format!("{} {param}", location.as_str()), false)
                }
                Some(SecurityKind::Bearer { .. }) => ("bearer token".to_string(), false),
                Some(SecurityKind::Basic) => ("basic".to_string(), true),
                Some(SecurityKind::OAuth2 { .. }) => ("OAuth2 access token".to_string(), false),
                Some(SecurityKind::Other { description }) => (description.clone(), false),
                None => ("unknown scheme".to_string(), false),
            };
            if basic {
                rows.push(AuthRow {
                    index,
                    username: true,
                    label: format!("{} user", auth.scheme),
                    kind: kind.clone(),
                });
                rows.push(AuthRow {
                    index,
                    username: false,
                    label: format!("{} password", auth.scheme),
                    kind,
                });
            } else {
                rows.push(AuthRow {
                    index,
                    username: false,
                    label: auth.scheme.clone(),
                    kind,
                });
            }
        }
        rows
    }

    /// The text a field starts with and where it goes back.
    pub fn field_for_selection(&self, api: &Api) -> Option<FieldKind> {
        match self.tab {
            ReqTab::Params => {
                let i = self.param_row;
                if i < self.draft.params.len() {
                    Some(FieldKind::Param(i))
                } else if i - self.draft.params.len() < self.draft.extra_query.len() {
                    let r = i - self.draft.params.len();
                    Some(if self.draft.extra_query[r].name.is_empty() {
                        FieldKind::ExtraName(r)
                    } else {
                        FieldKind::ExtraValue(r)
                    })
                } else {
                    let v = i - self.draft.params.len() - self.draft.extra_query.len();
                    (v < self.server_vars.len()).then_some(FieldKind::ServerVar(v))
                }
            }
            ReqTab::Headers => self.draft.headers.get(self.header_row).map(|h| {
                if h.name.is_empty() {
                    FieldKind::HeaderName(self.header_row)
                } else {
                    FieldKind::HeaderValue(self.header_row)
                }
            }),
            ReqTab::Auth => self.auth_rows(api).get(self.auth_row).map(|r| {
                if r.username {
                    FieldKind::AuthUser(r.index)
                } else {
                    FieldKind::AuthValue(r.index)
                }
            }),
            ReqTab::Body => None,
        }
    }

    pub fn field_text(&self, kind: FieldKind) -> String {
        match kind {
            FieldKind::Param(i) => self.draft.params.get(i).map(|p| p.value.clone()),
            FieldKind::ExtraName(i) => self.draft.extra_query.get(i).map(|r| r.name.clone()),
            FieldKind::ExtraValue(i) => self.draft.extra_query.get(i).map(|r| r.value.clone()),
            FieldKind::HeaderName(i) => self.draft.headers.get(i).map(|r| r.name.clone()),
            FieldKind::HeaderValue(i) => self.draft.headers.get(i).map(|r| r.value.clone()),
            FieldKind::AuthValue(i) => self.draft.auth.get(i).map(|a| a.value.clone()),
            FieldKind::AuthUser(i) => self.draft.auth.get(i).map(|a| a.username.clone()),
            FieldKind::ServerVar(i) => self.server_vars.get(i).map(|(name, var)| {
                self.draft
                    .server_vars
                    .get(name)
                    .cloned()
                    .unwrap_or_else(|| var.default.clone())
            }),
        }
        .unwrap_or_default()
    }

    pub fn start_field(&mut self, kind: FieldKind) {
        let text = self.field_text(kind);
        self.field = Some(Field {
            kind,
            input: LineInput::new(text),
        });
    }

    /// Writes the field's text into the draft (live, on every key).
    pub fn apply_field(&mut self) {
        let Some(field) = &self.field else {
            return;
        };
        let text = field.input.text().to_string();
        if let FieldKind::ServerVar(i) = field.kind {
            if let Some((name, _)) = self.server_vars.get(i) {
                self.draft.server_vars.insert(name.clone(), text);
            }
            return;
        }
        let slot = match field.kind {
            FieldKind::ServerVar(_) => None,
            FieldKind::Param(i) => self.draft.params.get_mut(i).map(|p| &mut p.value),
            FieldKind::ExtraName(i) => self.draft.extra_query.get_mut(i).map(|r| &mut r.name),
            FieldKind::ExtraValue(i) => self.draft.extra_query.get_mut(i).map(|r| &mut r.value),
            FieldKind::HeaderName(i) => self.draft.headers.get_mut(i).map(|r| &mut r.name),
            FieldKind::HeaderValue(i) => self.draft.headers.get_mut(i).map(|r| &mut r.value),
            FieldKind::AuthValue(i) => self.draft.auth.get_mut(i).map(|a| &mut a.value),
            FieldKind::AuthUser(i) => self.draft.auth.get_mut(i).map(|a| &mut a.username),
        };
        if let Some(slot) = slot {
            *slot = text;
        }
    }

    /// The other cell of a name/value row, for Tab while editing.
    pub fn sibling(kind: FieldKind) -> Option<FieldKind> {
        match kind {
            FieldKind::ExtraName(i) => Some(FieldKind::ExtraValue(i)),
            FieldKind::ExtraValue(i) => Some(FieldKind::ExtraName(i)),
            FieldKind::HeaderName(i) => Some(FieldKind::HeaderValue(i)),
            FieldKind::HeaderValue(i) => Some(FieldKind::HeaderName(i)),
            _ => None,
        }
    }

    /// Removes the header or query row of `kind` when it has neither a
    /// name nor a value.
    pub fn drop_blank_row(&mut self, kind: FieldKind) {
        let blank = |row: &Row| row.name.trim().is_empty() && row.value.is_empty();
        match kind {
            FieldKind::ExtraName(i) | FieldKind::ExtraValue(i)
                if self.draft.extra_query.get(i).is_some_and(blank) =>
            {
                self.draft.extra_query.remove(i);
                self.param_row = self.param_row.min(self.param_rows().saturating_sub(1));
            }
            FieldKind::HeaderName(i) | FieldKind::HeaderValue(i)
                if self.draft.headers.get(i).is_some_and(blank) =>
            {
                self.draft.headers.remove(i);
                self.header_row = self
                    .header_row
                    .min(self.draft.headers.len().saturating_sub(1));
            }
            _ => {}
        }
    }

    /// Adds a header or query row and starts editing its name.
    pub fn add_row(&mut self) -> bool {
        let row = Row {
            name: String::new(),
            value: String::new(),
            enabled: true,
        };
        match self.tab {
            ReqTab::Params => {
                self.draft.extra_query.push(row);
                self.param_row = self.param_rows() - 1;
                self.start_field(FieldKind::ExtraName(self.draft.extra_query.len() - 1));
                true
            }
            ReqTab::Headers => {
                self.draft.headers.push(row);
                self.header_row = self.draft.headers.len() - 1;
                self.start_field(FieldKind::HeaderName(self.header_row));
                true
            }
            _ => false,
        }
    }

    /// Deletes the selected header or extra query row; operation
    /// parameters cannot be deleted, only disabled or emptied.
    pub fn delete_row(&mut self) -> Result<(), &'static str> {
        match self.tab {
            ReqTab::Params => {
                let n = self.draft.params.len();
                if self.param_row < n {
                    return Err("parameters of the operation can be disabled (Space), not deleted");
                }
                let i = self.param_row - n;
                if i < self.draft.extra_query.len() {
                    self.draft.extra_query.remove(i);
                    self.param_row = self.param_row.min(self.param_rows().saturating_sub(1));
                }
                Ok(())
            }
            ReqTab::Headers => {
                if self.header_row < self.draft.headers.len() {
                    self.draft.headers.remove(self.header_row);
                    self.header_row = self
                        .header_row
                        .min(self.draft.headers.len().saturating_sub(1));
                }
                Ok(())
            }
            _ => Err("nothing to delete here"),
        }
    }

    pub fn toggle_row(&mut self) -> bool {
        match self.tab {
            ReqTab::Params => {
                let n = self.draft.params.len();
                if let Some(p) = self.draft.params.get_mut(self.param_row) {
                    p.enabled = !p.enabled;
                    true
                } else if let Some(r) = self
                    .draft
                    .extra_query
                    .get_mut(self.param_row.saturating_sub(n))
                {
                    r.enabled = !r.enabled;
                    true
                } else {
                    false
                }
            }
            ReqTab::Headers => match self.draft.headers.get_mut(self.header_row) {
                Some(r) => {
                    r.enabled = !r.enabled;
                    true
                }
                None => false,
            },
            _ => false,
        }
    }

    /// Pins a build error to its place (tab and row) and moves the view
    /// there, so the user lands on what to fix.
    pub fn pin_error(&mut self, error: &BuildError, api: &Api) {
        let message = error.to_string();
        let (tab, row) = match error {
            BuildError::MissingParameter { name, location } => (
                ReqTab::Params,
                self.draft
                    .params
                    .iter()
                    .position(|p| p.name == *name && p.location.as_str() == location),
            ),
            BuildError::InvalidHeader { name, .. } => self.header_place(name),
            BuildError::InvalidJson { line, column, .. } => {
                self.jump_body(*line, *column);
                (ReqTab::Body, None)
            }
            BuildError::UnknownVariable { used_in, .. } => self.place_of(used_in, api),
            _ => (self.tab, None),
        };
        if let Some(row) = row {
            match tab {
                ReqTab::Params => self.param_row = row,
                ReqTab::Headers => self.header_row = row,
                ReqTab::Auth => self.auth_row = row,
                ReqTab::Body => {}
            }
        }
        self.tab = tab;
        self.error = Some(PinnedError { tab, row, message });
    }

    fn header_place(&self, name: &str) -> (ReqTab, Option<usize>) {
        if let Some(i) = self
            .draft
            .headers
            .iter()
            .position(|h| h.name.eq_ignore_ascii_case(name))
        {
            return (ReqTab::Headers, Some(i));
        }
        match self
            .draft
            .params
            .iter()
            .position(|p| p.location == ParamLocation::Header && p.name.eq_ignore_ascii_case(name))
        {
            Some(i) => (ReqTab::Params, Some(i)),
            None => (ReqTab::Headers, None),
        }
    }

    /// Where a build error's "used in" text points: `header `X``,
    /// `query parameter `x``, `credential for `scheme``, `body`...
    fn place_of(&self, used_in: &str, api: &Api) -> (ReqTab, Option<usize>) {
        let quoted = used_in
            .split_once('`')
            .and_then(|(_, rest)| rest.rsplit_once('`'))
            .map(|(name, _)| name);
        let Some(name) = quoted else {
            return if used_in.starts_with("body") {
                (ReqTab::Body, None)
            } else {
                (self.tab, None)
            };
        };
        if used_in.starts_with("header") {
            return self.header_place(name);
        }
        if used_in.starts_with("credential") {
            let row = self.auth_rows(api).iter().position(|r| {
                self.draft
                    .auth
                    .get(r.index)
                    .is_some_and(|a| a.scheme == name)
            });
            return (ReqTab::Auth, row);
        }
        if let Some(i) = self
            .draft
            .params
            .iter()
            .position(|p| p.name == name && used_in.starts_with(p.location.as_str()))
        {
            return (ReqTab::Params, Some(i));
        }
        let extra = self.draft.extra_query.iter().position(|r| r.name == name);
        (ReqTab::Params, extra.map(|i| self.draft.params.len() + i))
    }

    fn jump_body(&mut self, line: usize, column: usize) {
        self.body.move_cursor(tui_textarea::CursorMove::Jump(
            u16::try_from(line.saturating_sub(1)).unwrap_or(u16::MAX),
            u16::try_from(column.saturating_sub(1)).unwrap_or(u16::MAX),
        ));
    }
}

fn new_textarea(text: &str) -> TextArea<'static> {
    let lines: Vec<String> = if text.is_empty() {
        vec![String::new()]
    } else {
        text.split('\n')
            .map(|l| l.trim_end_matches('\r').to_string())
            .collect()
    };
    let mut area = TextArea::new(lines);
    area.set_line_number_style(Style::new().add_modifier(Modifier::DIM));
    area.set_cursor_line_style(Style::new());
    area.set_tab_length(2);
    area.set_placeholder_text("(no body)");
    area
}

/// Validates JSON where `{{variables}}` stand for values: each is read as
/// a number of the same width, so line and column stay true.
pub fn check_json(text: &str) -> JsonCheck {
    let mut probe = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find("{{") {
        let Some(len) = rest[start..].find("}}") else {
            break;
        };
        probe.push_str(&rest[..start]);
        let width = rest[start..start + len + 2].chars().count();
        probe.push('1');
        probe.extend(std::iter::repeat_n('0', width - 1));
        rest = &rest[start + len + 2..];
    }
    probe.push_str(rest);
    match serde_json::from_str::<serde::de::IgnoredAny>(&probe) {
        Ok(_) => JsonCheck::Valid,
        Err(e) => {
            let full = e.to_string();
            let message = full
                .rsplit_once(" at line ")
                .map_or(full.as_str(), |(m, _)| m)
                .to_string();
            JsonCheck::Invalid {
                line: e.line(),
                column: e.column(),
                message,
            }
        }
    }
}

/// Whether a row's value is shown masked.
fn hide(name: &str, value: &str, reveal: bool) -> bool {
    // A variable reference is not itself a secret and says where the
    // value comes from, so it stays readable.
    !reveal && is_secret_name(name) && !value.is_empty() && !value.contains("{{")
}

pub struct RequestView<'a> {
    pub api: &'a Api,
    pub op: &'a Operation,
    pub theme: &'a Theme,
    pub focused: bool,
    pub reveal: bool,
    pub server_label: String,
    pub env: Option<&'a str>,
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
        editor.tab_hits = super::tab_hits(tabs_area, &titles);
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
        frame.render_widget(Paragraph::new(note), note_area);
    }

    fn row_note(&self, editor: &RequestEditor) -> Line<'static> {
        if editor.tab == ReqTab::Headers {
            return self.headers_note(editor);
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
        Line::styled(text, self.theme.muted())
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
            return Span::styled(
                field.input.text().to_string(),
                Style::new().add_modifier(Modifier::UNDERLINED),
            );
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

    fn render_auth(&self, frame: &mut Frame, area: Rect, editor: &mut RequestEditor) {
        let theme = self.theme;
        let auth_rows = editor.auth_rows(self.api);
        let labels: Vec<String> = auth_rows.iter().map(|r| r.label.clone()).collect();
        let kinds: Vec<String> = auth_rows.iter().map(|r| r.kind.clone()).collect();
        let rows = auth_rows
            .into_iter()
            .map(|r| {
                let auth = &editor.draft.auth[r.index];
                let (kind, value, secret) = if r.username {
                    (FieldKind::AuthUser(r.index), auth.username.clone(), "user")
                } else {
                    (FieldKind::AuthValue(r.index), auth.value.clone(), "token")
                };
                let cell =
                    if value.is_empty() && editor.field.as_ref().is_none_or(|f| f.kind != kind) {
                        Span::styled("(not set)", theme.muted().add_modifier(Modifier::ITALIC))
                    } else {
                        self.cell_text(editor, kind, &value, secret)
                    };
                TableRow::new(vec![
                    Cell::from(r.label),
                    Cell::from(Span::styled(r.kind, theme.muted())),
                    Cell::from(cell),
                ])
            })
            .collect();
        self.render_table(
            frame,
            area,
            editor,
            TableSpec {
                rows,
                widths: vec![
                    fit(labels.iter().map(String::as_str), "scheme", 24),
                    fit(kinds.iter().map(String::as_str), "kind", 34),
                    Constraint::Fill(1),
                ],
                header: &["scheme", "kind", "value"],
                empty: "This operation declares no security scheme.",
            },
        );
    }

    fn render_body(&self, frame: &mut Frame, area: Rect, editor: &mut RequestEditor) {
        let theme = self.theme;
        let [text_area, note_area] =
            Layout::vertical([Constraint::Min(0), Constraint::Length(1)]).areas(area);
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
        frame.render_widget(Paragraph::new(Line::from(spans)), note_area);
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
        FieldKind::ExtraName(_) | FieldKind::HeaderName(_) => 1,
        FieldKind::HeaderValue(_) | FieldKind::AuthValue(_) | FieldKind::AuthUser(_) => 2,
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

pub fn json_text(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
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
    fn json_check_reports_position_and_tolerates_variables() {
        assert_eq!(check_json(r#"{"a": 1}"#), JsonCheck::Valid);
        assert_eq!(
            check_json("{\"n\": {{count}}, \"s\": \"{{name}}\"}"),
            JsonCheck::Valid
        );
        match check_json("{\n  \"a\": 1,\n  \"b\" 2\n}") {
            JsonCheck::Invalid {
                line,
                column,
                message,
            } => {
                assert_eq!((line, column), (3, 7));
                assert!(message.contains("expected `:`"), "{message}");
            }
            other => panic!("expected an error, got {other:?}"),
        }
        // A variable before the error does not shift the column.
        match check_json("{\"a\": {{v}} x}") {
            JsonCheck::Invalid { column, .. } => assert_eq!(column, 13),
            other => panic!("expected an error, got {other:?}"),
        }
    }

    #[test]
    fn tabs_cycle() {
        assert_eq!(ReqTab::Params.cycle(-1), ReqTab::Auth);
        assert_eq!(ReqTab::Auth.cycle(1), ReqTab::Params);
        assert_eq!(ReqTab::Headers.cycle(1), ReqTab::Body);
    }

    #[test]
    fn secrets_hidden_unless_variable_or_revealed() {
        assert!(hide("Authorization", "Bearer abc", false));
        assert!(!hide("Authorization", "Bearer {{api_key}}", false));
        assert!(!hide("Authorization", "Bearer abc", true));
        assert!(!hide("Accept", "application/json", false));
    }
}

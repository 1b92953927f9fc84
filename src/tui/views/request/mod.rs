//! The request editor of one operation: the [`Draft`] being edited and
//! where the user is in it (tab, row, the field typed in), over the
//! Params | Headers | Body | Auth tabs. Drawing is in `render`, keys in
//! `keys`.
//!
//! The draft is the single source of truth; the body's text area is
//! copied into it on every change so that the URL, the curl preview and
//! the send all see the same request. Build errors are pinned to the row
//! (or the body line) they are about.

mod auth;
mod body_schema;
mod form;
mod keys;
mod render;

pub use auth::{AD_HOC_CHOICES, AuthRow};
pub use render::RequestView;

use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use tui_textarea::TextArea;

use crate::catalog::{Api, Operation, ParamLocation, ServerVariable};
use crate::request::{BuildError, BuiltRequest, Draft, Row, Vars};
use crate::tui::app::Reaction;
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
    /// The parameter name of an API key added in the Auth tab.
    AuthKeyName(usize),
    /// A form body field's name (a row added by hand) and value.
    FormName(usize),
    FormValue(usize),
    /// A variable of the chosen server's URL template.
    ServerVar(usize),
    /// The path of the file a binary body is read from.
    BodyFile,
}

#[derive(Debug, Clone)]
pub struct Field {
    pub kind: FieldKind,
    pub input: LineInput,
    /// The text before this edit, put back by Esc.
    pub original: String,
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

pub struct RequestEditor {
    pub draft: Draft,
    pub tab: ReqTab,
    pub param_row: usize,
    pub header_row: usize,
    pub auth_row: usize,
    /// The selected field of a form body (the Body tab's table).
    pub form_row: usize,
    pub field: Option<Field>,
    pub body: TextArea<'static>,
    pub body_editing: bool,
    pub json: JsonCheck,
    pub error: Option<PinnedError>,
    /// The last best-effort build and its problems, for the URL line and
    /// the curl preview.
    pub preview: Option<(BuiltRequest, Vec<BuildError>)>,
    table_offset: usize,
    /// What the body's schema says of each form field, read once.
    pub form_docs: Option<Vec<form::FormDoc>>,
    /// The JSON body's schema tree (none when it has no JSON schema),
    /// read once, for the property under the cursor.
    body_tree: Option<Option<crate::catalog::schema_tree::SchemaNode>>,
    /// The chosen server's variables, shown as rows after the parameters.
    pub server_vars: Vec<(String, ServerVariable)>,
    /// Where the tab titles were drawn, for mouse clicks.
    pub tab_hits: Vec<Rect>,
    /// The drafts before each change, newest last, for Ctrl+Z.
    undo: Vec<Draft>,
    /// The draft as of the last checkpoint.
    seen: Draft,
}

/// How many changes Ctrl+Z can take back.
const UNDO_DEPTH: usize = 100;

impl RequestEditor {
    pub fn new(draft: Draft) -> Self {
        let body = new_textarea(&draft.body);
        let mut editor = Self {
            seen: draft.clone(),
            undo: Vec::new(),
            draft,
            tab: ReqTab::Params,
            param_row: 0,
            header_row: 0,
            auth_row: 0,
            form_row: 0,
            field: None,
            body,
            body_editing: false,
            json: JsonCheck::NotJson,
            error: None,
            preview: None,
            table_offset: 0,
            form_docs: None,
            body_tree: None,
            server_vars: Vec::new(),
            tab_hits: Vec::new(),
        };
        editor.check_json();
        editor
    }

    /// Remembers the draft as it was before a change, once the change is
    /// complete (a field or the body left, a row added, deleted, toggled
    /// or chosen): one Ctrl+Z takes it back. Called after every key that
    /// is not typing.
    /// True when there was a change to remember.
    pub fn checkpoint(&mut self) -> bool {
        if self.is_typing() || self.draft == self.seen {
            return false;
        }
        let before = std::mem::replace(&mut self.seen, self.draft.clone());
        self.undo.push(before);
        if self.undo.len() > UNDO_DEPTH {
            self.undo.remove(0);
        }
        true
    }

    /// Puts `draft` in the editor (the body's text with it); the next
    /// checkpoint makes the one it replaces a step Ctrl+Z takes back.
    pub fn replace_draft(&mut self, draft: Draft) {
        self.field = None;
        self.body_editing = false;
        self.body = new_textarea(&draft.body);
        self.draft = draft;
        self.check_json();
        self.param_row = self.param_row.min(self.param_rows().saturating_sub(1));
        self.header_row = self
            .header_row
            .min(self.draft.headers.len().saturating_sub(1));
        self.auth_row = self.auth_row.min(self.draft.auth.len().saturating_sub(1));
        self.form_row = self.form_row.min(self.draft.form.len().saturating_sub(1));
    }

    /// Ctrl+Z: the draft as it was before the last change.
    pub fn undo(&mut self) -> Reaction {
        let Some(before) = self.undo.pop() else {
            return Reaction::notice("Nothing to undo", false);
        };
        self.seen = before.clone();
        self.replace_draft(before);
        let left = self.undo.len();
        Reaction::All(vec![
            Reaction::notice(
                if left == 0 {
                    "Undone".to_string()
                } else {
                    format!("Undone ({left} more to undo)")
                },
                false,
            ),
            Reaction::Refresh,
        ])
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
            Some(ct) => crate::request::is_json_content_type(ct),
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
            ReqTab::Body => self.form_row,
        }
    }

    pub fn row_count(&self, api: &Api) -> usize {
        match self.tab {
            ReqTab::Params => self.param_rows(),
            ReqTab::Headers => self.draft.headers.len(),
            ReqTab::Auth => self.auth_rows(api).len(),
            ReqTab::Body if self.is_file_body() => 1,
            ReqTab::Body => self.draft.form.len(),
        }
    }

    pub fn move_row(&mut self, delta: isize, api: &Api) {
        let count = self.row_count(api);
        let last = count.saturating_sub(1);
        let slot = match self.tab {
            ReqTab::Params => &mut self.param_row,
            ReqTab::Headers => &mut self.header_row,
            ReqTab::Auth => &mut self.auth_row,
            ReqTab::Body => &mut self.form_row,
        };
        *slot = slot.saturating_add_signed(delta).min(last);
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
                } else if r.key_name {
                    FieldKind::AuthKeyName(r.index)
                } else {
                    FieldKind::AuthValue(r.index)
                }
            }),
            ReqTab::Body if self.is_file_body() => Some(FieldKind::BodyFile),
            ReqTab::Body => self.draft.form.get(self.form_row).map(|f| {
                if f.name.is_empty() {
                    FieldKind::FormName(self.form_row)
                } else {
                    FieldKind::FormValue(self.form_row)
                }
            }),
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
            FieldKind::AuthKeyName(i) => self.key_name(i).map(str::to_string),
            FieldKind::FormName(i) => self.draft.form.get(i).map(|f| f.name.clone()),
            FieldKind::FormValue(i) => self.draft.form.get(i).map(|f| f.value.clone()),
            FieldKind::BodyFile => self.draft.body_file.clone(),
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
            input: LineInput::new(text.clone()),
            original: text,
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
            FieldKind::AuthKeyName(i) => self.key_name_mut(i),
            FieldKind::FormName(i) => self.draft.form.get_mut(i).map(|f| &mut f.name),
            FieldKind::FormValue(i) => self.draft.form.get_mut(i).map(|f| &mut f.value),
            FieldKind::BodyFile => self.draft.body_file.as_mut(),
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
            FieldKind::FormName(i) => Some(FieldKind::FormValue(i)),
            FieldKind::FormValue(i) => Some(FieldKind::FormName(i)),
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
            FieldKind::FormName(i) | FieldKind::FormValue(i)
                if self
                    .draft
                    .form
                    .get(i)
                    .is_some_and(|f| f.name.trim().is_empty() && f.value.is_empty()) =>
            {
                self.form_row = i;
                self.delete_form_row();
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
            ReqTab::Body if self.is_form() => {
                self.add_form_row();
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
            ReqTab::Body if self.is_form() => {
                self.delete_form_row();
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
            ReqTab::Body => self.toggle_form_row(),
            // Its rows need the API to be told apart: `toggle_auth`.
            ReqTab::Auth => false,
        }
    }

    /// Rebuilds the request for the URL line and the previews; clears a
    /// pinned error once its cause is fixed.
    pub fn refresh_preview(&mut self, api: &Api, operation: &Operation, vars: &Vars) {
        self.set_server_vars(api);
        self.ensure_form_docs(api, operation);
        self.ensure_body_tree(api, operation);
        let built = crate::request::sketch(api, operation, &self.draft, vars);
        if let Some(e) = &self.error {
            let fixed = match e.tab {
                ReqTab::Body => !matches!(self.json, JsonCheck::Invalid { .. }),
                _ => built.1.is_empty(),
            };
            if fixed {
                self.error = None;
            }
        }
        self.preview = Some(built);
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

pub fn json_text(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
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
}

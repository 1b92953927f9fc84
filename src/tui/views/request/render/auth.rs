//! Drawing the Auth tab: one row per credential (declared schemes, then
//! the ones added to this request), the state of an OAuth 2.0 scheme's
//! session token in its value cell, and the selected OAuth row's client in
//! the note below.

use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Row as TableRow};

use super::{RequestView, TableSpec, enabled_mark, fit};
use crate::catalog::SecurityKind;
use crate::sanitize;
use crate::tui::views::request::{AuthRow, FieldKind, RequestEditor};

impl RequestView<'_> {
    /// The editor's Auth rows as shown: a credential shared with every
    /// request of the API (`+`) says so in its kind, in the table and in
    /// the note under it.
    fn shown_auth_rows(&self, editor: &RequestEditor) -> Vec<AuthRow> {
        let mut rows = editor.auth_rows(self.api);
        for row in &mut rows {
            if self.shared_auth.contains(&editor.draft.auth[row.index]) {
                row.kind = row.kind.replace("(added)", "(every request)");
            }
        }
        rows
    }

    pub(super) fn render_auth(&self, frame: &mut Frame, area: Rect, editor: &mut RequestEditor) {
        let theme = self.theme;
        let auth_rows = self.shown_auth_rows(editor);
        let labels: Vec<String> = auth_rows.iter().map(|r| r.label.clone()).collect();
        let kinds: Vec<String> = auth_rows.iter().map(|r| r.kind.clone()).collect();
        let rows = auth_rows
            .into_iter()
            .map(|r| {
                let auth = &editor.draft.auth[r.index];
                let (kind, value, secret) = if r.username {
                    (FieldKind::AuthUser(r.index), auth.username.clone(), "user")
                } else if r.key_name {
                    let name = editor.field_text(FieldKind::AuthKeyName(r.index));
                    (FieldKind::AuthKeyName(r.index), name, "name")
                } else {
                    (FieldKind::AuthValue(r.index), auth.value.clone(), "token")
                };
                let idle = editor.field.as_ref().is_none_or(|f| f.kind != kind);
                let oauth = self.api.security_schemes.iter().any(|s| {
                    s.name == auth.scheme && matches!(s.kind, SecurityKind::OAuth2 { .. })
                });
                let cell = if !auth.enabled && idle {
                    Span::styled(
                        "off: not sent",
                        theme.muted().add_modifier(Modifier::ITALIC),
                    )
                } else if value.is_empty() && idle && oauth && auth.ad_hoc.is_none() {
                    Span::styled(
                        self.token_state(&auth.scheme),
                        theme.muted().add_modifier(Modifier::ITALIC),
                    )
                } else if value.is_empty() && idle {
                    Span::styled("(not set)", theme.muted().add_modifier(Modifier::ITALIC))
                } else {
                    self.cell_text(editor, kind, &value, secret)
                };
                let row = TableRow::new(vec![
                    Cell::from(enabled_mark(auth.enabled, theme)),
                    Cell::from(r.label),
                    Cell::from(Span::styled(r.kind, theme.muted())),
                    Cell::from(cell),
                ]);
                if auth.enabled {
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
                // The value is what the user came for: a narrow pane
                // cuts the kind first (a long header name), not the value.
                widths: vec![
                    Constraint::Length(1),
                    fit(labels.iter().map(String::as_str), "scheme", 24),
                    match fit(kinds.iter().map(String::as_str), "kind", 34) {
                        Constraint::Length(n) => Constraint::Max(n),
                        other => other,
                    },
                    Constraint::Min(20),
                ],
                header: &["", "scheme", "kind", "value"],
                empty: "This operation declares no security scheme. a: add one (Basic, Bearer, API key).",
            },
        );
    }

    /// The selected Auth row in full: where its credential goes (the
    /// kind column may be cut in a narrow pane), that it is switched off,
    /// or for OAuth 2.0 its client: flow, client id, scopes and token
    /// endpoint, or what is missing to get a token.
    pub(super) fn auth_note(&self, editor: &RequestEditor) -> Line<'static> {
        let rows = self.shown_auth_rows(editor);
        let Some(row) = rows.get(editor.selected_row()) else {
            return Line::default();
        };
        let auth = &editor.draft.auth[row.index];
        let scheme = &auth.scheme;
        let oauth = auth.ad_hoc.is_none()
            && self
                .api
                .security_schemes
                .iter()
                .any(|s| &s.name == scheme && matches!(s.kind, SecurityKind::OAuth2 { .. }));
        let note = |text: String| {
            Line::styled(sanitize::clean_line(&text).into_owned(), self.theme.muted())
        };
        if !auth.enabled {
            let what = if oauth {
                "no token is fetched or sent"
            } else {
                "nothing is sent"
            };
            return note(format!("{} is off: {what} · Space: on", row.label));
        }
        if !oauth {
            return note(format!("{}: {} · Space: off", row.label, row.kind));
        }
        let base = self.api.servers.first().map(|s| s.url.as_str());
        let overrides = crate::oauth::Overrides::default();
        let text = match crate::oauth::client_for(
            self.api,
            Some(self.op),
            scheme,
            self.vars,
            &overrides,
            base,
        ) {
            Ok(client) => {
                let scopes = if client.scopes.is_empty() {
                    "no scopes".to_string()
                } else {
                    format!("scopes {}", client.scopes.join(" "))
                };
                let endpoint = client
                    .token_url
                    .or(client.openid_connect_url)
                    .unwrap_or_default();
                format!(
                    "{} · client {}{} · {scopes} · {endpoint}",
                    client.grant.name(),
                    client.client_id,
                    if client.client_secret.is_some() {
                        " (secret set)"
                    } else {
                        ""
                    },
                )
            }
            // Short enough for an 80-column pane to show the way out.
            Err(crate::oauth::OAuthError::NoClientId { variable, .. }) => {
                format!("✗ no client id (set `{variable}`) · Space: off")
            }
            Err(e) => format!("✗ {e} · Space: off"),
        };
        note(text)
    }

    /// An OAuth 2.0 row left empty: the session's token for it, or that
    /// one is fetched on send.
    fn token_state(&self, scheme: &str) -> String {
        let key = crate::oauth::TokenKey::new(&self.api.id, scheme);
        let now = std::time::SystemTime::now();
        match self.tokens.get(&key) {
            Some(token) if token.fresh(now) => match token.remaining(now) {
                Some(left) => format!("held, {} left · A: new", crate::units::duration_text(left)),
                None => "held · A: new".into(),
            },
            Some(_) => "expired: new on send · A: now".into(),
            None => "fetched on send · A: now".into(),
        }
    }
}

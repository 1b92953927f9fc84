//! The Auth tab's rows: a credential per security scheme the operation
//! declares, then the ones the user added to any request (Basic, Bearer,
//! an API key of any name and place), kept in the draft as ad hoc
//! [`AuthValue`]s that the build sends like declared ones.

use super::{FieldKind, RequestEditor};
use crate::catalog::{Api, ParamLocation, SecurityKind};
use crate::request::{AdHocAuth, AuthValue};

/// One line of the Auth tab.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthRow {
    /// Index into `draft.auth`.
    pub index: usize,
    /// The row edits basic auth's user name.
    pub username: bool,
    /// The row edits an added API key's parameter name.
    pub key_name: bool,
    pub label: String,
    pub kind: String,
}

/// What `a` in the Auth tab offers to add, in this order.
pub const AD_HOC_CHOICES: [&str; 5] = [
    "Basic: user and password",
    "Bearer token",
    "API key in a header",
    "API key in a query parameter",
    "API key in a cookie",
];

impl RequestEditor {
    pub fn auth_rows(&self, api: &Api) -> Vec<AuthRow> {
        let mut rows = Vec::new();
        for (index, auth) in self.draft.auth.iter().enumerate() {
            let row = |label: String, kind: String| AuthRow {
                index,
                username: false,
                key_name: false,
                label,
                kind,
            };
            if let Some(ad_hoc) = &auth.ad_hoc {
                match ad_hoc {
                    AdHocAuth::Basic => {
                        rows.push(AuthRow {
                            username: true,
                            ..row("basic user".into(), "basic (added)".into())
                        });
                        rows.push(row("basic password".into(), "basic (added)".into()));
                    }
                    AdHocAuth::Bearer => {
                        rows.push(row("bearer".into(), "bearer token (added)".into()));
                    }
                    AdHocAuth::ApiKey { name, location } => {
                        let place = format!("{} name (added)", location.as_str());
                        rows.push(AuthRow {
                            key_name: true,
                            ..row("api key name".into(), place)
                        });
                        let shown = if name.is_empty() { "api key" } else { name };
                        rows.push(row(
                            shown.to_string(),
                            format!("{} api key (added)", location.as_str()),
                        ));
                    }
                }
                continue;
            }
            let scheme = api.security_schemes.iter().find(|s| s.name == auth.scheme);
            let (kind, basic) = match scheme.map(|s| &s.kind) {
                Some(SecurityKind::ApiKey { param, location }) => {
                    (format!("{} {param}", location.as_str()), false)
                }
                Some(SecurityKind::Bearer { .. }) => ("bearer token".to_string(), false),
                Some(SecurityKind::Basic) => ("basic".to_string(), true),
                Some(SecurityKind::OAuth2 { .. }) => ("OAuth 2.0".to_string(), false),
                Some(SecurityKind::Other { description }) => (description.clone(), false),
                None => ("unknown scheme".to_string(), false),
            };
            if basic {
                rows.push(AuthRow {
                    username: true,
                    ..row(format!("{} user", auth.scheme), kind.clone())
                });
                rows.push(row(format!("{} password", auth.scheme), kind));
            } else {
                rows.push(row(auth.scheme.clone(), kind));
            }
        }
        rows
    }

    /// Adds the credential at `choice` of [`AD_HOC_CHOICES`] and starts
    /// editing its first field (the user, the token, the key's name).
    pub fn add_ad_hoc(&mut self, choice: usize, api: &Api) {
        let key = |location| AdHocAuth::ApiKey {
            name: String::new(),
            location,
        };
        let kind = match choice {
            0 => AdHocAuth::Basic,
            1 => AdHocAuth::Bearer,
            2 => key(ParamLocation::Header),
            3 => key(ParamLocation::Query),
            4 => key(ParamLocation::Cookie),
            _ => return,
        };
        let index = self.draft.auth.len();
        self.draft.auth.push(AuthValue::ad_hoc(kind, "", ""));
        self.auth_row = self
            .auth_rows(api)
            .iter()
            .position(|r| r.index == index)
            .unwrap_or(0);
        if let Some(kind) = self.field_for_selection(api) {
            self.start_field(kind);
        }
    }

    /// Removes the selected credential if the user added it; the declared
    /// ones stay (empty, they are not sent).
    pub fn delete_auth(&mut self, api: &Api) -> Result<(), &'static str> {
        let Some(row) = self.auth_rows(api).get(self.auth_row).cloned() else {
            return Ok(());
        };
        if self
            .draft
            .auth
            .get(row.index)
            .is_none_or(|a| a.ad_hoc.is_none())
        {
            return Err("declared credentials are not deleted: Space switches one off");
        }
        self.draft.auth.remove(row.index);
        self.auth_row = self
            .auth_row
            .min(self.auth_rows(api).len().saturating_sub(1));
        Ok(())
    }

    /// Switches the selected credential off (not sent; an OAuth 2.0
    /// scheme gets no token) or on again.
    pub fn toggle_auth(&mut self, api: &Api) -> bool {
        let Some(row) = self.auth_rows(api).get(self.auth_row).cloned() else {
            return false;
        };
        match self.draft.auth.get_mut(row.index) {
            Some(auth) => {
                auth.enabled = !auth.enabled;
                true
            }
            None => false,
        }
    }

    /// The parameter name of the added API key at `index`.
    pub(super) fn key_name(&self, index: usize) -> Option<&str> {
        match &self.draft.auth.get(index)?.ad_hoc {
            Some(AdHocAuth::ApiKey { name, .. }) => Some(name),
            _ => None,
        }
    }

    pub(super) fn key_name_mut(&mut self, index: usize) -> Option<&mut String> {
        match &mut self.draft.auth.get_mut(index)?.ad_hoc {
            Some(AdHocAuth::ApiKey { name, .. }) => Some(name),
            _ => None,
        }
    }

    /// Whether a field holds a secret (masked while typed, unless the
    /// secrets are revealed).
    pub fn is_secret_field(kind: FieldKind) -> bool {
        matches!(kind, FieldKind::AuthValue(_))
    }
}

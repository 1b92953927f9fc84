//! Credentials shared with every request of an API (`+` in the Auth tab):
//! what a definition that declares no security scheme (GitHub, Microsoft
//! Graph) needs so that one token does for all its operations. Kept in
//! memory until quitting; operations opened later start with them (they
//! are part of the fresh draft, so they never mark a draft edited nor get
//! kept with the drafts at quit).

use ratatui::backend::Backend;

use super::{App, OpRef};
use crate::request::AuthValue;

impl<B: Backend> App<B> {
    /// `+` on an added credential: every request of its API carries it
    /// from now on (the operations already open get it too, where they
    /// have none of its kind or the one shared before); `+` on the one
    /// shared stops that; on one of the same kind but another value, it
    /// takes the shared one's place.
    pub(super) fn share_auth(&mut self, op: OpRef, index: usize) {
        let api = &self.state.catalog.apis[op.0];
        let (api_id, title) = (api.id.clone(), api.title.clone());
        let Some(credential) = self
            .state
            .ops
            .get(&op)
            .and_then(|s| s.editor.draft.auth.get(index))
            .cloned()
        else {
            return;
        };
        let shared = self.state.shared_auth.entry(api_id).or_default();
        let before = shared
            .iter()
            .position(|s| s.ad_hoc == credential.ad_hoc)
            .map(|at| shared.remove(at));
        if before.as_ref() == Some(&credential) {
            self.notice(
                format!(
                    "The {} is no longer added to requests of {title}; those open keep it",
                    what(&credential)
                ),
                false,
            );
            return;
        }
        if credential.value.trim().is_empty() && credential.username.trim().is_empty() {
            self.notice("Fill the credential in first, then + shares it", true);
            return;
        }
        shared.push(credential.clone());
        let mut others = 0;
        for (at, s) in &mut self.state.ops {
            if at.0 != op.0 || *at == op {
                continue;
            }
            let draft = &mut s.editor.draft;
            match draft
                .auth
                .iter_mut()
                .find(|a| a.ad_hoc == credential.ad_hoc)
            {
                // Empty, or the one shared before: the new one.
                Some(own) if own.value.trim().is_empty() || Some(&*own) == before.as_ref() => {
                    own.clone_from(&credential);
                }
                // The user's own: stays.
                Some(_) => continue,
                None => draft.auth.push(credential.clone()),
            }
            others += 1;
        }
        let opened = match others {
            0 => String::new(),
            1 => ", the one open already too".to_string(),
            n => format!(", the {n} open already too"),
        };
        self.notice(
            format!(
                "The {} goes with every request of {title} until you quit{opened} (+ again: no longer)",
                what(&credential)
            ),
            false,
        );
        self.refresh_preview();
    }
}

/// The credential as a person names it.
fn what(credential: &AuthValue) -> String {
    use crate::request::AdHocAuth;
    match &credential.ad_hoc {
        Some(AdHocAuth::Basic) => "Basic credential".to_string(),
        Some(AdHocAuth::Bearer) => "bearer token".to_string(),
        Some(AdHocAuth::ApiKey { name, .. }) => format!("API key `{name}`"),
        None => format!("`{}` credential", credential.scheme),
    }
}

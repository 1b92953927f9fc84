//! Credentials shared with every request of an API (`+` in the Auth tab):
//! what a definition that declares no security scheme (GitHub, Microsoft
//! Graph) needs so that one token does for all its operations. Kept in
//! memory until quitting or choosing another environment; operations
//! opened later start with them (they are part of the fresh draft, so
//! they never mark a draft edited nor get kept with the drafts at quit),
//! and so do drafts kept from last time. A preset or history entry loaded
//! keeps the credentials it was saved with.

use ratatui::backend::Backend;

use super::{App, OpRef};
use crate::request::{AuthValue, Draft};

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
        if credential.value.trim().is_empty() && credential.username.trim().is_empty() {
            self.notice("Fill the credential in first, then + shares it", true);
            return;
        }
        let shared = self.state.shared_auth.entry(api_id).or_default();
        let at = shared.iter().position(|s| s.ad_hoc == credential.ad_hoc);
        let before = at.map(|at| shared[at].clone());
        if before.as_ref() == Some(&credential) {
            shared.retain(|s| *s != credential);
            self.mark_edited_in_api(op.0);
            self.notice(
                format!(
                    "The {} is no longer added to requests of {title}; those open keep it",
                    what(&credential)
                ),
                false,
            );
            return;
        }
        // In the place of the one it replaces: drafts compare in order.
        match at {
            Some(at) => shared[at] = credential.clone(),
            None => shared.push(credential.clone()),
        }
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
        self.mark_edited_in_api(op.0);
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

    /// The catalog's `✎` marks of the open operations of API `api`, after
    /// what is shared changed their defaults (a draft is edited when it
    /// differs from its fresh draft, which holds the shared credentials).
    fn mark_edited_in_api(&mut self, api: usize) {
        let open: Vec<OpRef> = self
            .state
            .ops
            .keys()
            .filter(|op| op.0 == api)
            .copied()
            .collect();
        for op in open {
            self.mark_edited(op);
        }
    }

    /// Another environment: the credentials shared for this one are
    /// dropped (a token for staging must not go to production).
    pub(super) fn drop_shared_auth(&mut self) {
        if self.state.shared_auth.values().all(Vec::is_empty) {
            return;
        }
        self.state.shared_auth.clear();
        self.notice(
            "Credentials shared with every request (+) were dropped: another environment",
            false,
        );
    }

    /// A draft that did not start fresh (kept from last time) gets the
    /// shared credentials it has no kind of.
    pub(super) fn with_shared_auth(&self, op: OpRef, mut draft: Draft) -> Draft {
        let api = &self.state.catalog.apis[op.0];
        for credential in self.state.shared_auth.get(&api.id).into_iter().flatten() {
            if !draft.auth.iter().any(|a| a.ad_hoc == credential.ad_hoc) {
                draft.auth.push(credential.clone());
            }
        }
        draft
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

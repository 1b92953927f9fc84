//! Drafts from elsewhere: the drafts left edited are kept at quit
//! (`store::drafts`, secrets withheld), come back when their operation is
//! opened next time, and the catalog marks every operation whose request
//! differs from the definition's defaults; a curl command pasted into the
//! TUI becomes the draft of the operation it fits.

use std::collections::HashMap;

use ratatui::backend::Backend;

use super::{App, OpRef};
use crate::catalog::Catalog;
use crate::request::Draft;
use crate::store::drafts::Drafts;

/// The drafts kept by earlier sessions, by where their operation is in
/// this catalog (drafts of operations it no longer has stay in the file).
pub(super) fn kept_drafts(
    catalog: &Catalog,
    drafts: Option<&Drafts>,
    warnings: &mut Vec<String>,
) -> HashMap<OpRef, Draft> {
    let Some(drafts) = drafts else {
        return HashMap::new();
    };
    let mut kept: HashMap<String, Draft> = match drafts.load() {
        Ok(kept) => kept
            .into_iter()
            .map(|k| (k.operation.to_string(), k.draft))
            .collect(),
        Err(e) => {
            warnings.push(format!("unsent drafts not restored: {e}"));
            return HashMap::new();
        }
    };
    if kept.is_empty() {
        return HashMap::new();
    }
    let mut found = HashMap::new();
    for (a, api) in catalog.apis.iter().enumerate() {
        for (o, operation) in api.operations.iter().enumerate() {
            if let Some(draft) = kept.remove(&operation.key(api).to_string()) {
                found.insert((a, o), draft);
            }
        }
    }
    found
}

impl<B: Backend> App<B> {
    /// The draft `op` opens with: the one kept from last time (said in a
    /// notice), else the definition's defaults.
    pub(super) fn opening_draft(&mut self, op: OpRef) -> Draft {
        match self.state.kept_drafts.remove(&op) {
            Some(draft) => {
                self.notice(
                    "Your unsent edits from last time are back (O resets to the definition's)",
                    false,
                );
                self.with_shared_auth(op, draft)
            }
            None => self.fresh_draft(op),
        }
    }

    /// A pasted curl command (a browser's "Copy as cURL"): the operation
    /// it fits opens with the command's parameters, headers and body as
    /// its draft (Ctrl+Z brings the one it replaces back).
    pub(super) fn paste_curl(&mut self, text: &str) {
        let parsed = match crate::interchange::curl::parse_curl(text) {
            Ok(parsed) => parsed,
            Err(e) => {
                self.notice(format!("Cannot read the pasted curl command: {e}"), true);
                return;
            }
        };
        let Some((a, o, draft)) =
            crate::interchange::curl::draft_from_curl(&self.state.catalog, &parsed)
        else {
            self.notice(
                format!(
                    "The pasted curl command ({} {}) fits no operation of the catalog",
                    parsed.method, parsed.url
                ),
                true,
            );
            return;
        };
        self.open_op((a, o));
        if let Some(s) = self.state.ops.get_mut(&(a, o)) {
            s.editor.replace_draft(draft);
        }
        let title = self.state.catalog.operation((a, o)).1.title();
        self.notice(
            format!("{title} filled in from the pasted curl command (Ctrl+Z undoes it)"),
            false,
        );
        self.refresh_preview();
    }

    /// After a change to the open operation's draft: marks it edited in
    /// the catalog when it differs from the definition's defaults.
    pub(super) fn note_edited(&mut self) {
        if let Some(op) = self.state.open {
            self.mark_edited(op);
        }
    }

    /// Marks `op` edited in the catalog, or not, by its draft against the
    /// definition's defaults (`fresh_draft`).
    pub(super) fn mark_edited(&mut self, op: OpRef) {
        let fresh = self.fresh_draft(op);
        let edited = self
            .state
            .ops
            .get(&op)
            .is_some_and(|s| s.editor.draft != fresh);
        if edited {
            self.state.edited.insert(op);
        } else {
            self.state.edited.remove(&op);
        }
    }

    /// At quit: keeps the drafts of the operations opened this session
    /// that are left edited, and forgets those back at their defaults. A
    /// file that cannot be written is logged: the screen is gone by now.
    pub(super) fn keep_drafts(&self) {
        let Some(drafts) = self.state.tools.drafts() else {
            return;
        };
        let changes: Vec<_> = self
            .state
            .ops
            .iter()
            .map(|(op, s)| {
                let (api, operation) = self.state.catalog.operation(*op);
                let draft = self
                    .state
                    .edited
                    .contains(op)
                    .then(|| s.editor.draft.clone());
                (operation.key(api), draft)
            })
            .collect();
        if let Err(e) = drafts.update(&changes, &self.state.vars) {
            tracing::warn!("unsent drafts not kept: {e}");
        }
    }
}

//! [`Reaction`]: what a pane or panel, having handled a key, asks the app
//! to do next. Panes change only their own state; everything that reaches
//! past it (another pane, the overlay, the terminal, a file, the network)
//! comes back as a reaction, which `App::react` applies.

use ratatui::backend::Backend;

use super::{App, Effect, Focus, OpRef, Overlay};
use crate::catalog::OperationKey;
use crate::request::Draft;
use crate::store::HistoryEntry;
use crate::tui::views::response::RequestState;
use crate::tui::views::{capture, environments};

/// One shared answer of every pane's and panel's key handling.
#[must_use]
pub enum Reaction {
    /// Nothing beyond the pane's own change (every key redraws).
    None,
    /// Each of these, in order.
    All(Vec<Reaction>),
    /// Close the overlay or panel.
    Close,
    /// Show this overlay in place of the current one.
    Open(Overlay),
    /// A one-line message in the header.
    Notice {
        text: String,
        error: bool,
    },
    /// Something only the real terminal can do.
    Effect(Effect),
    Focus(Focus),
    /// The draft or the variables changed: rebuild the request preview.
    Refresh,
    /// Open this operation in the request pane.
    OpenOp(OpRef),
    /// Show the presets panel: this operation's or `all`, with `select`
    /// selected.
    OpenPresets {
        all: bool,
        select: Option<String>,
    },
    SavePreset {
        op: OpRef,
        name: String,
    },
    LoadPreset {
        op: OpRef,
        name: String,
        draft: Draft,
    },
    RenamePreset {
        key: OperationKey,
        from: String,
        to: String,
        all: bool,
    },
    DeletePreset {
        key: OperationKey,
        name: String,
    },
    /// Bring a preset up to date with its changed operation (asked first).
    MendPreset {
        key: OperationKey,
        name: String,
        all: bool,
    },
    /// The operation's draft back to the definition's defaults.
    ResetDraft(OpRef),
    /// The body of `op` becomes its example at `index` (asked first).
    UseExample {
        op: OpRef,
        index: usize,
    },
    /// The environment panel, showing the environment at this index.
    OpenEnvironments(usize),
    /// Make the environment at this index the active one.
    UseEnvironment(usize),
    /// `NAME = value` typed for the environment at `index`.
    SetVariable {
        index: usize,
        text: String,
    },
    RemoveVariable {
        index: usize,
        name: String,
    },
    /// A history entry (with its title) to show in the response pane, to
    /// send again, or to compare with the current response.
    OpenEntry(Box<(HistoryEntry, String)>),
    ResendEntry(Box<(HistoryEntry, String)>),
    CompareEntry(Box<(HistoryEntry, String)>),
    /// Run the catalog's flow at this index.
    RunFlow(usize),
    /// Read the history and ask the gateway again.
    RefreshDashboard,
    /// The credential at `index` of `op`'s draft goes with every request
    /// of its API this session, or no longer does.
    ShareAuth {
        op: OpRef,
        index: usize,
    },
    /// Store what `path` selects in the response of `op` as `name`.
    Capture {
        op: OpRef,
        path: String,
        name: String,
    },
}

impl Reaction {
    pub fn notice(text: impl Into<String>, error: bool) -> Self {
        Self::Notice {
            text: text.into(),
            error,
        }
    }

    /// This reaction once the overlay it came from is closed.
    pub fn after_closing(self) -> Self {
        Self::All(vec![Self::Close, self])
    }
}

impl<B: Backend> App<B> {
    /// Does what a pane or panel asked for.
    pub(super) fn react(&mut self, reaction: Reaction) {
        match reaction {
            Reaction::None => {}
            Reaction::All(reactions) => {
                for reaction in reactions {
                    self.react(reaction);
                }
            }
            Reaction::Close => self.state.overlay = None,
            Reaction::Open(overlay) => self.state.overlay = Some(overlay),
            Reaction::Notice { text, error } => self.notice(text, error),
            Reaction::Effect(effect) => self.effects.push(effect),
            Reaction::Focus(focus) => self.state.focus = focus,
            Reaction::Refresh => self.refresh_preview(),
            Reaction::ShareAuth { op, index } => self.share_auth(op, index),
            Reaction::OpenOp(op) => self.open_op(op),
            Reaction::OpenPresets { all, select } => self.open_presets(all, select),
            Reaction::SavePreset { op, name } => self.save_preset(op, &name),
            Reaction::LoadPreset { op, name, draft } => self.load_preset(op, name, draft),
            Reaction::RenamePreset { key, from, to, all } => {
                self.rename_preset(&key, from, &to, all);
            }
            Reaction::DeletePreset { key, name } => self.delete_preset(&key, &name),
            Reaction::MendPreset { key, name, all } => self.mend_preset(&key, &name, all),
            Reaction::OpenEnvironments(index) => self.open_environments(index),
            Reaction::UseExample { op, index } => {
                self.use_example(op, index);
                self.notice(
                    "Body replaced by the example (Ctrl+Z brings yours back)",
                    false,
                );
                self.refresh_preview();
            }
            Reaction::UseEnvironment(index) => {
                let before = self.state.env_name.clone();
                let reaction = environments::switch(
                    &self.state.tools.environments,
                    index,
                    &mut self.state.vars,
                    &mut self.state.env_name,
                );
                self.react(reaction);
                if self.state.env_name != before {
                    self.drop_shared_auth();
                }
            }
            Reaction::SetVariable { index, text } => self.set_variable(index, &text),
            Reaction::RemoveVariable { index, name } => self.remove_variable(index, &name),
            Reaction::ResetDraft(op) => {
                let draft = self.fresh_draft(op);
                if let Some(s) = self.state.ops.get_mut(&op) {
                    s.editor.replace_draft(draft);
                }
                self.notice(
                    "Reset to the definition's defaults (Ctrl+Z brings yours back)",
                    false,
                );
                self.refresh_preview();
            }
            Reaction::OpenEntry(entry) => self.open_entry(&entry.0, &entry.1),
            Reaction::ResendEntry(entry) => {
                let (entry, title) = *entry;
                self.resend_entry(entry, &title);
            }
            Reaction::CompareEntry(entry) => self.compare_entry(&entry.0, &entry.1),
            Reaction::RunFlow(index) => self.run_flow(index),
            Reaction::RefreshDashboard => self.open_dashboard(),
            Reaction::Capture { op, path, name } => {
                let response = match self.state.ops.get(&op).map(|s| &s.request) {
                    Some(RequestState::Done { view, .. }) => Some(&view.outcome),
                    _ => None,
                };
                let reaction = capture::capture(
                    response,
                    &path,
                    &name,
                    &mut self.state.vars,
                    self.state.reveal,
                );
                self.react(reaction);
            }
        }
    }
}

//! The tool panels' work on the app's behalf: presets read and written,
//! the history read and its entries shown, sent again or compared, flow
//! runs, and the usage dashboard's reads. Their keys are the panels' own
//! (`views::{presets, history, flows, dashboard}`).

use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use ratatui::backend::Backend;
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use super::sending::spawn_ticker;
use super::tools::{find_op, key_title};
use super::{App, Focus, Msg, OpRef, Overlay, ToolsMsg};
use crate::catalog::OperationKey;
use crate::flow::{self, FlowEvent, RunContext};
use crate::http::{Response, Timing};
use crate::request::{BuiltRequest, Draft};
use crate::store::preset_drift;
use crate::store::{HistoryEntry, HistoryFilter, SaveOptions};
use crate::tui::diff;
use crate::tui::outcome::{Failure, Outcome};
use crate::tui::views::dashboard::{DashboardView, UsageState};
use crate::tui::views::flows::{FlowItem, FlowRun, FlowsView};
use crate::tui::views::history::{DiffView, HistoryView};
use crate::tui::views::panel::{Panel, Prompt, PromptPurpose};
use crate::tui::views::presets::{PresetRow, PresetsView, short_time};
use crate::tui::views::request::RequestEditor;
use crate::tui::views::response::{RequestState, ResponseView};

impl<B: Backend> App<B> {
    // ---- presets -----------------------------------------------------------

    pub(super) fn prompt_save_preset(&mut self) {
        let Some(op) = self.state.open else {
            self.notice("Open an operation first: presets belong to one", true);
            return;
        };
        if self.state.tools.paths.is_none() {
            return self.no_home();
        }
        let (key, title) = self.op_key(op);
        let name = self
            .state
            .tools
            .last_preset
            .get(&key)
            .cloned()
            .unwrap_or_default();
        self.state.overlay = Some(Overlay::Panel(Panel::Prompt(Prompt::new(
            format!("Save the request of {title} as the preset"),
            name,
            PromptPurpose::SavePreset(op),
        ))));
    }

    pub(super) fn save_preset(&mut self, op: OpRef, name: &str) {
        let Some(presets) = self.state.tools.presets() else {
            return self.no_home();
        };
        let (key, _) = self.op_key(op);
        let Some(s) = self.state.ops.get(&op) else {
            return;
        };
        let mut draft = s.editor.draft.clone();
        // A --server URL is where this run goes, not part of the request.
        if draft.server_url.is_some() && draft.server_url == self.state.server_override {
            draft.server_url = None;
        }
        let options = SaveOptions {
            keep_secrets: false,
            vars: Some(&self.state.vars),
        };
        match presets.save(&key, name, &draft, options) {
            Ok(report) => {
                self.state.tools.last_preset.insert(key, name.to_string());
                let verb = if report.created { "Saved" } else { "Updated" };
                let mut text = format!("{verb} preset `{name}`");
                let undefined: Vec<String> = report
                    .withheld
                    .iter()
                    .filter(|w| !w.defined)
                    .map(|w| format!("{{{{{}}}}}", w.variable))
                    .collect();
                if !report.withheld.is_empty() {
                    let refs: Vec<String> = report
                        .withheld
                        .iter()
                        .map(|w| format!("{{{{{}}}}}", w.variable))
                        .collect();
                    text.push_str(&format!("; secrets kept as {}", refs.join(", ")));
                }
                if !undefined.is_empty() {
                    text.push_str(&format!(
                        "; define {} before sending it",
                        undefined.join(", ")
                    ));
                }
                self.notice(text, !undefined.is_empty());
            }
            Err(e) => self.notice(format!("Preset not saved: {e}"), true),
        }
    }

    /// The presets panel: this operation's (or all, when `all` or when no
    /// operation is open), with `select` selected if it is there.
    pub(super) fn open_presets(&mut self, all: bool, select: Option<String>) {
        let Some(presets) = self.state.tools.presets() else {
            return self.no_home();
        };
        let scope = if all {
            None
        } else {
            self.state.open.map(|op| self.op_key(op))
        };
        let catalog = &self.state.catalog;
        let (mut rows, error) = match presets.load() {
            Ok(file) => (
                file.presets
                    .into_iter()
                    .filter(|p| scope.as_ref().is_none_or(|(k, _)| p.operation == *k))
                    .map(|preset| {
                        let op = find_op(catalog, &preset.operation);
                        let op_title = key_title(catalog, &preset.operation);
                        let drift = preset_drift::check(catalog, &preset);
                        PresetRow {
                            preset,
                            op,
                            op_title,
                            drift,
                        }
                    })
                    .collect::<Vec<_>>(),
                None,
            ),
            Err(e) => (Vec::new(), Some(e.to_string())),
        };
        // Orphans last, the rest in the order they were saved.
        rows.sort_by_key(|r| r.op.is_none());
        let mut view = PresetsView {
            scope,
            rows,
            selected: 0,
            error,
            path: presets.path().to_path_buf(),
            offset: std::cell::Cell::new(0),
        };
        if let Some(name) = select {
            view.select_name(&name);
        }
        self.state.overlay = Some(Overlay::Panel(Panel::Presets(view)));
    }

    /// Replaces the operation's draft with a saved one.
    fn load_draft(&mut self, op: OpRef, mut draft: Draft) {
        self.open_op(op);
        if draft.server_url.is_none()
            && let Some(url) = &self.state.server_override
        {
            draft.server_url = Some(url.clone());
        }
        if let Some(s) = self.state.ops.get_mut(&op) {
            s.editor = RequestEditor::new(draft);
        }
        self.state.focus = Focus::Request;
        self.refresh_preview();
    }

    pub(super) fn load_preset(&mut self, op: OpRef, name: String, draft: Draft) {
        self.load_draft(op, draft);
        let (key, _) = self.op_key(op);
        self.notice(format!("Loaded preset `{name}`"), false);
        self.state.tools.last_preset.insert(key, name);
    }

    pub(super) fn rename_preset(&mut self, key: &OperationKey, from: String, to: &str, all: bool) {
        let Some(presets) = self.state.tools.presets() else {
            return self.no_home();
        };
        match presets.rename(key, &from, to) {
            Ok(()) => {
                self.open_presets(all, Some(to.to_string()));
                self.notice(format!("Renamed `{from}` to `{to}`"), false);
            }
            Err(e) => {
                self.open_presets(all, Some(from));
                self.notice(format!("Not renamed: {e}"), true);
            }
        }
    }

    pub(super) fn delete_preset(&mut self, key: &OperationKey, name: &str) {
        let Some(presets) = self.state.tools.presets() else {
            return self.no_home();
        };
        match presets.delete(key, name) {
            Ok(_) => self.notice(format!("Deleted preset `{name}`"), false),
            Err(e) => self.notice(format!("Not deleted: {e}"), true),
        }
    }

    /// Saves a preset brought up to date with its operation as defined
    /// now, and shows the list again; a required parameter it has no
    /// value for is named, to fill in after loading it.
    pub(super) fn mend_preset(&mut self, key: &OperationKey, name: &str, all: bool) {
        let Some(presets) = self.state.tools.presets() else {
            return self.no_home();
        };
        let preset = match presets.get(key, name) {
            Ok(preset) => preset,
            Err(e) => return self.notice(format!("Not updated: {e}"), true),
        };
        let Some((api, op)) = preset_drift::operation_of(&self.state.catalog, &preset) else {
            return self.notice(format!("Not updated: the catalog has no {key}"), true);
        };
        let drift = preset_drift::check(&self.state.catalog, &preset);
        let mended = preset_drift::mend(&preset.draft, api, op, &self.state.vars);
        let options = SaveOptions {
            keep_secrets: false,
            vars: Some(&self.state.vars),
        };
        match presets.save(key, name, &mended, options) {
            Ok(_) => {
                let mut text = format!("Updated preset `{name}`");
                if let preset_drift::Drift::Changed { unfilled, .. } = drift
                    && !unfilled.is_empty()
                {
                    let names: Vec<String> =
                        unfilled.iter().map(|(_, n)| format!("`{n}`")).collect();
                    text.push_str(&format!(
                        "; load it (Enter) and fill {} before sending",
                        names.join(", ")
                    ));
                }
                self.notice(text, false);
            }
            Err(e) => self.notice(format!("Not updated: {e}"), true),
        }
        self.open_presets(all, Some(name.to_string()));
    }

    // ---- history -----------------------------------------------------------

    /// Reads the history file on the blocking pool; the answer comes back
    /// as [`ToolsMsg::HistoryRead`] with `id`.
    fn read_history(&mut self, id: u64) -> bool {
        let Some(history) = self.state.tools.history() else {
            self.no_home();
            return false;
        };
        self.state.tools.loads += 1;
        let tx = self.tx.clone();
        tokio::task::spawn_blocking(move || {
            let result = history
                .query(&HistoryFilter::default())
                .map_err(|e| e.to_string());
            let _ = tx.send(Msg::Tools(ToolsMsg::HistoryRead { id, result }));
        });
        true
    }

    pub(super) fn open_history(&mut self) {
        let id = self.state.tools.next_id();
        if !self.read_history(id) {
            return;
        }
        let current = self.state.open.map(|op| self.op_key(op));
        self.state.overlay = Some(Overlay::Panel(Panel::History(Box::new(HistoryView::new(
            id, current,
        )))));
    }

    /// The entry's operation, or a notice saying it has none here.
    fn entry_op(&mut self, entry: &HistoryEntry, title: &str) -> Option<OpRef> {
        let found = entry
            .operation
            .as_ref()
            .and_then(|k| find_op(&self.state.catalog, k));
        if found.is_none() {
            self.notice(
                format!("{title} is not an operation of this catalog any more"),
                true,
            );
        }
        found
    }

    /// Shows an old response in its operation's response pane.
    pub(super) fn open_entry(&mut self, entry: &HistoryEntry, title: &str) {
        let Some(op) = self.entry_op(entry, title) else {
            return;
        };
        self.state.overlay = None;
        self.open_op(op);
        let when = short_time(&entry.time.to_string());
        let id = self.next_id;
        self.next_id += 1;
        if let Some(s) = self.state.ops.get_mut(&op) {
            if let RequestState::InFlight { cancel, .. } = &s.request {
                cancel.cancel();
            }
            s.request = match outcome_from_entry(entry) {
                Some(outcome) => {
                    let mut view = ResponseView::new(outcome);
                    // A countdown for an old 429 would be meaningless.
                    view.retry_until = None;
                    view.origin = Some(format!("history, {when}"));
                    RequestState::Done {
                        id,
                        view: Box::new(view),
                    }
                }
                None => RequestState::Failed {
                    id,
                    failure: Failure {
                        message: entry
                            .error
                            .as_ref()
                            .map_or_else(|| "no response".into(), |e| e.message.clone()),
                        elapsed: entry.timing.total(),
                        kind: None,
                        hint: None,
                    },
                },
            };
        }
        self.state.focus = Focus::Response;
        self.notice(format!("The response of {when}, from history"), false);
    }

    /// Loads the draft the entry was sent from and sends it again.
    pub(super) fn resend_entry(&mut self, entry: HistoryEntry, title: &str) {
        let Some(op) = self.entry_op(&entry, title) else {
            return;
        };
        let Some(draft) = entry.draft else {
            self.notice(
                "This entry kept no draft (its body was over the history cap): it cannot be re-sent",
                true,
            );
            return;
        };
        self.state.overlay = None;
        self.load_draft(op, draft);
        self.send();
    }

    pub(super) fn compare_entry(&mut self, entry: &HistoryEntry, title: &str) {
        let op = entry
            .operation
            .as_ref()
            .and_then(|k| find_op(&self.state.catalog, k))
            .or(self.state.open);
        let current = op
            .and_then(|op| self.response_of(op))
            .map(|outcome| outcome.response.body.clone());
        let Some(current) = current else {
            self.notice(
                format!("No current response of {title} to compare with: send it first"),
                true,
            );
            return;
        };
        let old = entry
            .response
            .as_ref()
            .and_then(|r| r.body.as_ref())
            .and_then(crate::store::history::RecordedBody::bytes)
            .unwrap_or_default();
        let diff = diff::diff_lines(
            &diff::normalise(&old),
            &diff::normalise(&current),
            diff::DEFAULT_BUDGET,
        );
        let when = short_time(&entry.time.to_string());
        let back = match self.state.overlay.take() {
            Some(Overlay::Panel(Panel::History(h))) => Some(h),
            _ => None,
        };
        self.state.overlay = Some(Overlay::Panel(Panel::Diff(DiffView {
            title: format!("{title}: {when} (−) vs the current response (+)"),
            diff,
            scroll: 0,
            page: std::cell::Cell::new(10),
            back,
        })));
    }

    // ---- flows -------------------------------------------------------------

    pub(super) fn open_flows(&mut self) {
        let catalog = &self.state.catalog;
        let items = catalog
            .flows
            .iter()
            .map(|f| FlowItem::new(f, flow::check(catalog, f).err().map(|e| e.to_string())))
            .collect();
        self.state.overlay = Some(Overlay::Panel(Panel::Flows(FlowsView::new(items))));
    }

    pub(super) fn run_flow(&mut self, index: usize) {
        let Some(flow) = self.state.catalog.flows.get(index).cloned() else {
            return;
        };
        if let Err(e) = flow::check(&self.state.catalog, &flow) {
            self.notice(e.to_string(), true);
            return;
        }
        let Some(sender) = self.sender_or_explain() else {
            return;
        };
        let catalog = Arc::clone(&self.state.catalog);
        let id = self.state.tools.next_id();
        let cancel = CancellationToken::new();
        self.state.tools.flow = Some((id, cancel.clone()));
        if let Some(Overlay::Panel(Panel::Flows(view))) = &mut self.state.overlay
            && let Some(item) = view.items.get(index)
        {
            view.run = Some(FlowRun::new(id, item, cancel.clone()));
        }
        let vars = self.state.vars.clone();
        let server_url = self.state.server_override.clone();
        let history = self.state.tools.history();
        let tokens = self.state.tokens.clone();
        let tx = self.tx.clone();
        let done = CancellationToken::new();
        let guard = done.clone().drop_guard();
        tokio::spawn(async move {
            let _stop_ticks = guard;
            let (events_tx, events_rx) = mpsc::unbounded_channel();
            let forward = tokio::spawn(forward_flow_events(id, events_rx, tx.clone()));
            let mut vars = vars;
            let report = {
                let mut cx = RunContext::new(&catalog, sender.engine());
                cx.send.timeout = sender.timeout();
                cx.server_url = server_url;
                cx.events = Some(events_tx);
                cx.cancel = cancel;
                // Every attempt of every step, masked, as `portico run`
                // records them.
                cx.history = history;
                // The session's tokens: one got in the Auth tab serves.
                cx.tokens = tokens;
                flow::run(&cx, &flow, &mut vars).await
            };
            // The run context (and its event sender) is gone: the
            // forwarder drains what is left and ends.
            let _ = forward.await;
            let _ = tx.send(Msg::Tools(ToolsMsg::FlowDone {
                id,
                captured: vars.captured,
                report: Box::new(report),
            }));
        });
        spawn_ticker(self.tx.clone(), Duration::from_millis(100), done);
    }

    // ---- usage dashboard ---------------------------------------------------

    /// The catalog's usage operation: a GET named "Usage".
    fn usage_op(&self) -> Option<OpRef> {
        self.state
            .catalog
            .apis
            .iter()
            .enumerate()
            .find_map(|(a, api)| {
                api.operations
                    .iter()
                    .position(|op| op.method == "GET" && op.title().eq_ignore_ascii_case("usage"))
                    .map(|o| (a, o))
            })
    }

    pub(super) fn open_dashboard(&mut self) {
        let id = self.state.tools.next_id();
        if !self.read_history(id) {
            return;
        }
        let usage = match self.usage_op() {
            None => UsageState::Unavailable(
                "The catalog has no \"Usage\" operation to ask the gateway with.".into(),
            ),
            Some(op) => self.fetch_usage(id, op),
        };
        self.state.overlay = Some(Overlay::Panel(Panel::Dashboard(DashboardView::new(
            id, usage,
        ))));
    }

    /// Sends the usage operation with the current environment; not
    /// recorded in history (the dashboard asks, not the user).
    fn fetch_usage(&mut self, id: u64, op: OpRef) -> UsageState {
        let (api, operation) = self.state.catalog.operation(op);
        let mut draft = Draft::new(api, operation, &self.state.vars);
        if let Some(url) = &self.state.server_override {
            draft.server_url = Some(url.clone());
        }
        let req = match crate::request::build(api, operation, &draft, &self.state.vars) {
            Ok(req) => req,
            Err(e) => return UsageState::Unavailable(format!("Cannot ask the gateway: {e}")),
        };
        let skip_tls_verify = api.skip_tls_verify;
        let Some(sender) = self.sender_or_explain() else {
            return UsageState::Unavailable("Cannot send".into());
        };
        self.state.tools.loads += 1;
        let tx = self.tx.clone();
        tokio::spawn(async move {
            let result = match sender
                .send(req, skip_tls_verify, CancellationToken::new(), None)
                .await
            {
                Ok(o) if (200..300).contains(&o.response.status) => {
                    serde_json::from_slice(&o.response.body).map_err(|e| format!("not JSON: {e}"))
                }
                Ok(o) => Err(format!("{} {}", o.response.status, o.response.reason)),
                Err(f) => Err(f.message),
            };
            let _ = tx.send(Msg::Tools(ToolsMsg::Usage { id, result }));
        });
        UsageState::Loading
    }
}
/// An old response as the response pane shows one.
fn outcome_from_entry(entry: &HistoryEntry) -> Option<Outcome> {
    let r = entry.response.as_ref()?;
    let (body, truncated) = match &r.body {
        Some(b) => (b.bytes().unwrap_or_default(), b.truncated),
        None => (Vec::new(), false),
    };
    Some(Outcome {
        response: Response {
            version: r.version.clone(),
            status: r.status,
            reason: r.reason.clone(),
            headers: r.headers.clone(),
            body: Bytes::from(body),
            truncated,
            size: r.size,
            wire_size: r.size,
            decoded_from: None,
            saved_to: None,
        },
        sent: BuiltRequest {
            method: entry.request.method.clone(),
            url: entry.request.url.clone(),
            headers: entry.request.headers.clone(),
            body: entry
                .request
                .body
                .as_ref()
                .and_then(crate::store::history::RecordedBody::bytes),
            secret_values: Vec::new(),
            form: Vec::new(),
            body_file: None,
        },
        redirects: Vec::new(),
        timing: Timing {
            headers: entry.timing.headers(),
            total: entry.timing.total(),
        },
        // History holds it masked already.
        secrets: Vec::new(),
        verdict: None,
    })
}

/// Passes a run's events to the queue until the run ends.
async fn forward_flow_events(
    id: u64,
    mut events: mpsc::UnboundedReceiver<FlowEvent>,
    tx: mpsc::UnboundedSender<Msg>,
) {
    while let Some(event) = events.recv().await {
        if tx.send(Msg::Tools(ToolsMsg::Flow { id, event })).is_err() {
            break;
        }
    }
}

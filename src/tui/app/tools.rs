//! Presets, history, environments, captures, flows and the usage dashboard
//! in the interface: what the session keeps for them, what their keys do,
//! and their background results.
//!
//! ```text
//! send task: Engine::send -> History::record (blocking pool) -> captures
//!            -> Msg::Response { after: captured values, problems }
//! panels:    presets (read/written on the key), history and dashboard
//!            (read on the blocking pool -> Msg::Tools), flows (a task
//!            running flow::run, its FlowEvents -> Msg::Tools)
//! ```
//!
//! A send is recorded before its result is queued, so a history opened
//! after a response appeared holds it. Everything recorded is masked by
//! the store; drafts keep secrets as `{{variable}}` references.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use crossterm::event::{KeyCode, KeyEvent};
use ratatui::backend::Backend;
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use super::{App, ChoosePurpose, Chooser, Focus, Msg, OpRef, Overlay, spawn_ticker};
use crate::catalog::{Api, Capture, Catalog, Operation, OperationKey, Variable};
use crate::flow::{self, FlowEvent, FlowReport, RunContext};
use crate::http::{ErrorKind, Exchange, Response, SentRequest, Timing};
use crate::request::{BuiltRequest, Draft, Vars};
use crate::sanitize;
use crate::secrets::MASK;
use crate::store::{
    Environments, History, HistoryEntry, HistoryFilter, HistoryRead, Paths, Presets, SaveOptions,
    SeriesSpec, Timestamp,
};
use crate::tui::core::{self, Failure, Outcome, Sender};
use crate::tui::diff;
use crate::tui::input::InputResult;
use crate::tui::keymap::Action;
use crate::tui::views::dashboard::{BARS, DashRow, DashboardView, UsageState};
use crate::tui::views::flows::{FlowItem, FlowRun, FlowsView};
use crate::tui::views::history::{DiffView, HistoryView};
use crate::tui::views::panel::{Confirm, ConfirmAction, Panel, Prompt, PromptPurpose};
use crate::tui::views::presets::{PresetRow, PresetsView, short_time};
use crate::tui::views::request::RequestEditor;
use crate::tui::views::response::{RequestState, ResponseView};

/// Background results of the tools.
#[derive(Debug)]
pub enum ToolsMsg {
    /// The history file, read for the panel or the dashboard `id`.
    HistoryRead {
        id: u64,
        result: Result<HistoryRead, String>,
    },
    /// The gateway's usage report for the dashboard `id`.
    Usage {
        id: u64,
        result: Result<serde_json::Value, String>,
    },
    /// Progress of the flow run `id`.
    Flow { id: u64, event: FlowEvent },
    /// A send's history record landed (or failed: the error).
    Recorded(Result<(), String>),
    /// The run `id` ended; the variables it captured, to keep.
    FlowDone {
        id: u64,
        captured: indexmap::IndexMap<String, Variable>,
        report: Box<FlowReport>,
    },
}

/// What happened around a send besides the response.
#[derive(Debug, Default)]
pub struct AfterSend {
    /// Values the operation's captures took, to store as variables.
    pub captured: Vec<(String, Variable)>,
    pub capture_error: Option<String>,
}

/// What the send task needs to record the request and capture from it.
pub(crate) struct SendJob {
    /// The API's TLS switch.
    skip_tls_verify: bool,
    history: Option<History>,
    key: OperationKey,
    draft: Draft,
    vars: Vars,
    captures: Vec<Capture>,
}

/// What the session keeps for the tools.
pub struct Tools {
    /// `None`: no home directory, nothing is saved.
    pub paths: Option<Paths>,
    /// The catalog's environments, the user's file and `.env` on top.
    pub environments: Environments,
    next_id: u64,
    /// History reads and usage fetches under way.
    loads: usize,
    /// Answers shown whose history record has not landed yet.
    pub(super) recording: usize,
    /// The flow run under way, and how to stop it.
    flow: Option<(u64, CancellationToken)>,
    /// A shared copy of the catalog for flow runs (made on the first run).
    catalog: Option<Arc<Catalog>>,
    /// The preset last saved or loaded per operation: the name offered
    /// when saving again.
    last_preset: HashMap<OperationKey, String>,
}

impl Tools {
    /// Loads the environments and picks the one to start in: `env` if
    /// given (a warning when there is none of that name), else the first.
    pub fn new(
        catalog: &Catalog,
        paths: Option<Paths>,
        env: Option<&str>,
        warnings: &mut Vec<String>,
    ) -> (Self, Option<String>, Vars) {
        let working_dir = std::env::current_dir().ok();
        let environments = match Environments::load(catalog, paths.as_ref(), working_dir.as_deref())
        {
            Ok(e) => {
                warnings.extend(e.warnings.iter().map(ToString::to_string));
                e
            }
            Err(e) => {
                warnings.push(e.to_string());
                Environments {
                    list: catalog.environments.clone(),
                    ..Environments::default()
                }
            }
        };
        let chosen = match env {
            Some(name) => {
                let found = environments.list.iter().any(|e| e.name == name);
                if !found {
                    warnings.push(format!("no environment named `{name}`"));
                }
                found.then(|| name.to_string())
            }
            None => environments.list.first().map(|e| e.name.clone()),
        };
        let vars = match &chosen {
            Some(name) => environments.vars(Some(name)).unwrap_or_default(),
            None => Vars::default(),
        };
        let tools = Self {
            paths,
            environments,
            next_id: 1,
            loads: 0,
            recording: 0,
            flow: None,
            catalog: None,
            last_preset: HashMap::new(),
        };
        (tools, chosen, vars)
    }

    /// A history read, usage fetch or flow run is under way.
    pub fn is_busy(&self) -> bool {
        self.loads > 0 || self.flow.is_some() || self.recording > 0
    }

    fn next_id(&mut self) -> u64 {
        let id = self.next_id;
        self.next_id += 1;
        id
    }

    fn history(&self) -> Option<History> {
        self.paths.as_ref().map(History::new)
    }

    fn presets(&self) -> Option<Presets> {
        self.paths.as_ref().map(Presets::new)
    }

    pub(crate) fn send_job(
        &self,
        api: &Api,
        op: &Operation,
        draft: &Draft,
        vars: &Vars,
    ) -> SendJob {
        SendJob {
            skip_tls_verify: api.skip_tls_verify,
            history: self.history(),
            key: op.key(api),
            draft: draft.clone(),
            vars: vars.clone(),
            captures: op.captures.clone(),
        }
    }
}

/// Sends, applies the operation's captures to a 2xx answer, hands the
/// result to `deliver`, and only then records the exchange (or the
/// failure) in history: the file write (a few milliseconds) no longer
/// stands between the answer and the screen. Returns what recording made
/// of it: `None` when nothing was to be recorded (no home, or a cancelled
/// send, which the user took back), else the error if the write failed.
pub(crate) async fn send_and_record(
    sender: &Sender,
    req: BuiltRequest,
    cancel: CancellationToken,
    progress: Option<tokio::sync::watch::Sender<core::Progress>>,
    job: SendJob,
    deliver: impl FnOnce(Result<Box<Outcome>, Failure>, AfterSend, bool),
) -> Option<Result<(), String>> {
    let SendJob {
        skip_tls_verify,
        history,
        key,
        draft,
        mut vars,
        captures,
    } = job;
    let mut after = AfterSend::default();
    let result = sender
        .send_exchange(&req, skip_tls_verify, cancel, progress)
        .await;
    let cancelled = matches!(&result, Err(e) if e.kind == ErrorKind::Cancelled);
    // Besides the request's own: every secret variable, and the tokens
    // this answer hands out, masked on screen and in history alike.
    let also_secret = flow::secrets_to_mask(&captures, result.as_ref().ok(), &vars);
    // What the record needs, taken before the captures change the
    // variables (the body is shared, not copied).
    let record = history
        .filter(|_| !cancelled)
        .map(|history| (history, req.clone(), result.clone(), vars.clone()));
    let shown = match result {
        Ok(exchange) => {
            if !captures.is_empty() && (200..300).contains(&exchange.response.status) {
                match flow::apply_captures(&captures, &exchange, &mut vars) {
                    Ok(pairs) => {
                        after.captured = pairs
                            .into_iter()
                            .filter_map(|(name, _)| {
                                let var = vars.captured.get(&name)?.clone();
                                Some((name, var))
                            })
                            .collect();
                    }
                    Err(e) => after.capture_error = Some(e.to_string()),
                }
            }
            let mut secrets = req.secret_values.clone();
            secrets.extend(also_secret.iter().cloned());
            Ok(Box::new(Outcome::from_exchange(exchange, &secrets)))
        }
        Err(e) => Err(e.into()),
    };
    deliver(shown, after, record.is_some());
    let (history, req, result, vars) = record?;
    let joined = tokio::task::spawn_blocking(move || {
        let source = Some((&draft, &vars));
        history
            .record(Some(key), source, &req, result.as_ref(), &also_secret)
            .map_err(|e| e.to_string())
    })
    .await;
    Some(joined.unwrap_or_else(|e| Err(format!("recording the request failed: {e}"))))
}

/// Pasted text goes into a prompt; other panels ignore it.
pub(super) fn paste(panel: &mut Panel, text: &str) {
    if let Panel::Prompt(p) = panel {
        p.input.insert_str(text);
        update_hint(p);
    }
}

/// Where a key's operation is in the catalog.
fn find_op(catalog: &Catalog, key: &OperationKey) -> Option<OpRef> {
    catalog.apis.iter().enumerate().find_map(|(a, api)| {
        (api.id == key.api).then(|| {
            api.operations
                .iter()
                .position(|op| op.method == key.method && op.path == key.path)
                .map(|o| (a, o))
        })?
    })
}

fn key_title(catalog: &Catalog, key: &OperationKey) -> String {
    match find_op(catalog, key) {
        Some((a, o)) => catalog.operation((a, o)).1.title(),
        None => format!("{} {} ({})", key.method, key.path, key.api),
    }
}

/// A variable name `{{…}}` can reference.
fn valid_variable(name: &str) -> bool {
    !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | '.' | '$'))
}

/// A name for what a path selects: its last member (`SasSignature` for
/// `$.Results.output1.SasSignature`), else `value`.
fn suggested_name(path: &str) -> String {
    let last = path
        .rsplit(['.', '['])
        .next()
        .unwrap_or_default()
        .trim_matches(|c: char| matches!(c, '\'' | '"' | ']' | '$' | '*'));
    if valid_variable(last) && !last.chars().all(|c| c.is_ascii_digit()) {
        last.to_string()
    } else {
        "value".to_string()
    }
}

/// The line under a prompt: what the JSONPath selects, or whether the
/// name can be a variable.
fn update_hint(p: &mut Prompt) {
    let text = p.input.text().trim().to_string();
    p.hint = match &p.purpose {
        PromptPurpose::CapturePath(_) => {
            let Some(json) = &p.json else {
                return;
            };
            match serde_json_path::JsonPath::parse(&text) {
                Err(e) => Some((format!("not a JSONPath yet: {e}"), true)),
                Ok(path) => {
                    let nodes = path.query(json).all();
                    match nodes.as_slice() {
                        [] => Some(("selects nothing in this response".into(), true)),
                        [one] => Some((format!("→ {}", one_line(one)), false)),
                        many => Some((
                            format!("→ {} values (kept as a JSON array)", many.len()),
                            false,
                        )),
                    }
                }
            }
        }
        PromptPurpose::CaptureName { .. } => {
            if valid_variable(&text) {
                Some((
                    format!("used as {{{{{text}}}}} in the next requests"),
                    false,
                ))
            } else {
                Some((
                    "letters, digits and _ - . only, e.g. jobid".to_string(),
                    true,
                ))
            }
        }
        _ => None,
    };
}

fn one_line(value: &serde_json::Value) -> String {
    let text = match value {
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    sanitize::truncate(&sanitize::clean_line(&text), 60).into_owned()
}

/// An old response as the response pane shows one.
fn outcome_from_entry(entry: &HistoryEntry) -> Option<Outcome> {
    let r = entry.response.as_ref()?;
    let (body, truncated) = match &r.body {
        Some(b) => (b.bytes().unwrap_or_default(), b.truncated),
        None => (Vec::new(), false),
    };
    Some(Outcome {
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
        },
        redirects: Vec::new(),
        version: r.version.clone(),
        status: r.status,
        reason: r.reason.clone(),
        headers: r.headers.clone(),
        body: Bytes::from(body),
        truncated,
        size: r.size,
        wire_size: r.size,
        decoded_from: None,
        time_to_headers: entry.timing.headers(),
        total: entry.timing.total(),
        // History holds it masked already.
        secrets: Vec::new(),
    })
}

/// The response pane's answer as the engine's, for `apply_captures`.
fn exchange_of(outcome: &Outcome) -> Exchange {
    Exchange {
        request: SentRequest::default(),
        redirects: Vec::new(),
        response: Response {
            version: outcome.version.clone(),
            status: outcome.status,
            reason: outcome.reason.clone(),
            headers: outcome.headers.clone(),
            body: outcome.body.clone(),
            truncated: outcome.truncated,
            size: outcome.size,
            wire_size: outcome.wire_size,
            decoded_from: outcome.decoded_from.clone(),
            saved_to: None,
        },
        timing: Timing::default(),
    }
}

/// The sparkline's axis: [`BARS`] bars over the history's span, a minute
/// each at least.
fn series_spec(entries: &[HistoryEntry]) -> (SeriesSpec, String) {
    let now = Timestamp::now();
    let oldest = entries.iter().map(|e| e.time.0).min().unwrap_or(now.0);
    let span_ms = u64::try_from(now.0.saturating_sub(oldest)).unwrap_or(0);
    let bucket_ms = span_ms.div_ceil(BARS as u64).max(60_000);
    let bucket = Duration::from_millis(bucket_ms);
    let label = format!(
        "calls over the last {}, one bar per {}",
        span_text(bucket * u32::try_from(BARS).unwrap_or(24)),
        span_text(bucket)
    );
    (
        SeriesSpec {
            end: Timestamp(now.0 + 1),
            bucket,
            buckets: BARS,
        },
        label,
    )
}

fn span_text(d: Duration) -> String {
    let s = d.as_secs();
    if s < 3600 {
        format!("{} min", s.div_ceil(60))
    } else if s < 86_400 * 2 {
        format!("{:.1} h", d.as_secs_f64() / 3600.0)
    } else {
        format!("{:.1} days", d.as_secs_f64() / 86_400.0)
    }
}

impl<B: Backend> App<B> {
    pub(super) fn run_tool_action(&mut self, action: Action) {
        match action {
            Action::SavePreset => self.prompt_save_preset(),
            Action::Presets => self.open_presets(false, None),
            Action::History => self.open_history(),
            Action::Environments => self.choose_environment(),
            Action::Flows => self.open_flows(),
            Action::Dashboard => self.open_dashboard(),
            Action::Capture => self.prompt_capture(),
            _ => {}
        }
    }

    fn op_key(&self, op: OpRef) -> (OperationKey, String) {
        let (api, operation) = self.state.catalog.operation(op);
        (operation.key(api), operation.title())
    }

    fn no_home(&mut self) {
        self.notice(
            "No home directory for portico's files: set PORTICO_HOME or pass --home DIR",
            true,
        );
    }

    /// `T`: certificate checking off, or back on, for the open
    /// operation's API, for this session only (a portal file's
    /// `tls_verify = false` is the lasting switch). The request pane says
    /// so for as long as it is off.
    pub(super) fn toggle_tls_verify(&mut self) {
        let Some((api_index, _)) = self.state.open else {
            self.notice("Open an operation first: the switch is per API", true);
            return;
        };
        let api = &mut self.state.catalog.apis[api_index];
        api.skip_tls_verify = !api.skip_tls_verify;
        let (off, title) = (api.skip_tls_verify, api.title.clone());
        // Flows read the catalog through a shared copy; the next run
        // takes a fresh one with the switch as it is now.
        self.state.tools.catalog = None;
        let title = sanitize::clean_line(&title).into_owned();
        let key = self
            .state
            .config
            .keymap
            .key_label(Action::ToggleTlsVerify)
            .unwrap_or_default();
        if off {
            self.notice(
                format!("TLS NOT checked for {title} until you quit ({key}: check again)"),
                true,
            );
        } else {
            self.notice(
                format!("TLS certificates are checked for {title} again"),
                false,
            );
        }
    }

    pub(super) fn sender_or_explain(&mut self) -> Option<Sender> {
        if self.sender.is_none() {
            match Sender::new(self.state.config.timeout) {
                Ok(sender) => self.sender = Some(sender),
                Err(e) => {
                    self.notice(format!("Cannot send: {e}"), true);
                    return None;
                }
            }
        }
        self.sender.clone()
    }

    /// Captured values from a send become variables; problems are told.
    pub(super) fn after_send(&mut self, after: AfterSend) {
        let mut notes = Vec::new();
        let mut error = false;
        for (name, var) in after.captured {
            let shown = if var.secret && !self.state.reveal {
                MASK.to_string()
            } else {
                sanitize::truncate(&sanitize::clean_line(&var.value), 48).into_owned()
            };
            notes.push(format!("captured {name} = {shown}"));
            self.state.vars.captured.insert(name, var);
        }
        if let Some(e) = after.capture_error {
            notes.push(e);
            error = true;
        }
        if !notes.is_empty() {
            self.notice(notes.join(" · "), error);
            self.refresh_preview();
        }
    }

    pub(super) fn on_tools_msg(&mut self, msg: ToolsMsg) {
        self.dirty = true;
        match msg {
            ToolsMsg::Recorded(result) => {
                self.state.tools.recording = self.state.tools.recording.saturating_sub(1);
                if let Err(e) = result {
                    self.notice(format!("Not recorded in history: {e}"), true);
                }
            }
            ToolsMsg::HistoryRead { id, result } => {
                self.state.tools.loads = self.state.tools.loads.saturating_sub(1);
                self.on_history_read(id, result);
            }
            ToolsMsg::Usage { id, result } => {
                self.state.tools.loads = self.state.tools.loads.saturating_sub(1);
                if let Some(Overlay::Panel(Panel::Dashboard(view))) = &mut self.state.overlay
                    && view.load_id == id
                {
                    view.usage = match result {
                        Ok(v) => UsageState::Loaded(v),
                        Err(e) => UsageState::Failed(e),
                    };
                }
            }
            ToolsMsg::Flow { id, event } => {
                if let Some(Overlay::Panel(Panel::Flows(view))) = &mut self.state.overlay
                    && let Some(run) = &mut view.run
                    && run.id == id
                {
                    run.apply(event);
                }
            }
            ToolsMsg::FlowDone {
                id,
                captured,
                report,
            } => {
                if self
                    .state
                    .tools
                    .flow
                    .as_ref()
                    .is_some_and(|(i, _)| *i == id)
                {
                    self.state.tools.flow = None;
                }
                let names: Vec<String> = report
                    .steps
                    .iter()
                    .flat_map(|s| s.captured.iter().map(|c| c.variable.clone()))
                    .collect();
                for (name, var) in captured {
                    self.state.vars.captured.insert(name, var);
                }
                let mut text = format!("Flow `{}` {}", report.flow, report.outcome.as_str());
                if !names.is_empty() {
                    text.push_str(&format!(" · captured {}", names.join(", ")));
                }
                self.notice(text, !report.succeeded());
                self.refresh_preview();
            }
        }
    }

    fn on_history_read(&mut self, id: u64, result: Result<HistoryRead, String>) {
        let catalog = &self.state.catalog;
        match &mut self.state.overlay {
            Some(Overlay::Panel(Panel::History(view))) if view.load_id == id => match result {
                Ok(read) => {
                    let entries = read
                        .entries
                        .into_iter()
                        .map(|e| {
                            let title = match &e.operation {
                                Some(key) => key_title(catalog, key),
                                None => format!("{} {}", e.request.method, e.request.url),
                            };
                            (e, title)
                        })
                        .collect();
                    view.set_entries(entries, read.skipped);
                }
                Err(e) => {
                    view.loading = false;
                    view.error = Some(e);
                }
            },
            Some(Overlay::Panel(Panel::Dashboard(view))) if view.load_id == id => {
                view.loading = false;
                match result {
                    Ok(read) => {
                        let (spec, label) = series_spec(&read.entries);
                        view.window = label;
                        view.rows = crate::store::history::stats_by_operation(&read.entries, spec)
                            .into_iter()
                            .map(|stats| DashRow {
                                title: match &stats.operation {
                                    Some(key) => key_title(catalog, key),
                                    None => "(no catalog operation)".into(),
                                },
                                stats,
                            })
                            .collect();
                    }
                    Err(e) => view.error = Some(e),
                }
            }
            _ => {}
        }
    }

    pub(super) fn on_panel_key(&mut self, key: KeyEvent, action: Option<Action>) {
        let Some(Overlay::Panel(panel)) = &mut self.state.overlay else {
            return;
        };
        if let Some(step) = list_step(action) {
            // The lists and pages move alike; a running flow keeps its view.
            match panel {
                Panel::Presets(view) => return view.move_by(step.rows(10)),
                Panel::History(view) => return view.move_by(step.rows(10)),
                Panel::Flows(view) if !view.is_running() => return view.move_by(step.rows(10)),
                Panel::Diff(view) => {
                    let page = isize::try_from(view.page.get().max(1)).unwrap_or(10);
                    return view.scroll_by(step.rows(page));
                }
                Panel::Dashboard(view) => return view.scroll_by(step.rows(10)),
                _ => {}
            }
        }
        match panel {
            Panel::Prompt(p) => match key.code {
                KeyCode::Esc => {
                    let purpose = p.purpose.clone();
                    self.state.overlay = None;
                    if let PromptPurpose::RenamePreset { from, all, .. } = purpose {
                        self.open_presets(all, Some(from));
                    }
                }
                KeyCode::Enter => {
                    let text = p.input.text().trim().to_string();
                    let purpose = p.purpose.clone();
                    let json = p.json.take();
                    self.state.overlay = None;
                    self.prompt_done(purpose, text, json);
                }
                _ => {
                    if p.input.handle_key(&key) == InputResult::Changed {
                        update_hint(p);
                    }
                }
            },
            Panel::Confirm(c) => {
                let action = c.action.clone();
                self.state.overlay = None;
                let yes = matches!(key.code, KeyCode::Char('y' | 'Y'));
                match action {
                    ConfirmAction::DeletePreset { key, name, all } => {
                        if yes {
                            self.delete_preset(&key, &name);
                        }
                        self.open_presets(all, (!yes).then_some(name));
                    }
                }
            }
            Panel::Presets(view) => match action {
                Some(Action::NextPane | Action::PrevPane) => {
                    let all = view.scope.is_some();
                    self.open_presets(all, None);
                }
                Some(Action::Select) => {
                    if let Some(row) = view.selected_row() {
                        let (op, preset) = (row.op, row.preset.clone());
                        match op {
                            Some(op) => {
                                self.state.overlay = None;
                                self.load_preset(op, preset.name, preset.draft);
                            }
                            None => self.notice(
                                format!(
                                    "`{}` is orphaned: the catalog has no {}",
                                    preset.name, preset.operation
                                ),
                                true,
                            ),
                        }
                    }
                }
                Some(Action::Rename | Action::Edit) => {
                    if let Some(row) = view.selected_row() {
                        let purpose = PromptPurpose::RenamePreset {
                            key: row.preset.operation.clone(),
                            from: row.preset.name.clone(),
                            all: view.scope.is_none(),
                        };
                        let title = format!("Rename the preset `{}` to", row.preset.name);
                        let name = row.preset.name.clone();
                        self.state.overlay = Some(Overlay::Panel(Panel::Prompt(Prompt::new(
                            title, name, purpose,
                        ))));
                    }
                }
                Some(Action::DeleteRow) => {
                    if let Some(row) = view.selected_row() {
                        let action = ConfirmAction::DeletePreset {
                            key: row.preset.operation.clone(),
                            name: row.preset.name.clone(),
                            all: view.scope.is_none(),
                        };
                        let question = format!(
                            "Delete the preset `{}` of {}?",
                            row.preset.name, row.op_title
                        );
                        self.state.overlay =
                            Some(Overlay::Panel(Panel::Confirm(Confirm { question, action })));
                    }
                }
                Some(Action::Back | Action::Quit | Action::Presets) => self.state.overlay = None,
                _ => {}
            },
            Panel::History(view) => match action {
                Some(Action::FilterOperation) if !view.toggle_op_filter() => {
                    self.notice("No operation to filter on", true);
                }
                Some(Action::FilterStatus) => view.cycle_status_filter(),
                Some(Action::Select) => {
                    if let Some((entry, title)) = view.selected_entry().cloned() {
                        self.open_entry(&entry, &title);
                    }
                }
                Some(Action::Send) => {
                    if let Some((entry, title)) = view.selected_entry().cloned() {
                        self.resend_entry(entry, &title);
                    }
                }
                Some(Action::Compare) => {
                    if let Some((entry, title)) = view.selected_entry().cloned() {
                        self.compare_entry(&entry, &title);
                    }
                }
                Some(Action::Back | Action::Quit | Action::History) => self.state.overlay = None,
                _ => {}
            },
            Panel::Diff(view) => {
                if let Some(Action::Back | Action::Quit | Action::Compare) = action {
                    self.state.overlay =
                        view.back.take().map(|h| Overlay::Panel(Panel::History(h)));
                }
            }
            Panel::Flows(view) => match action {
                Some(Action::Back | Action::Quit) if view.is_running() => {
                    if let Some(run) = &view.run {
                        run.cancel.cancel();
                    }
                    self.notice("Cancelling the flow…", false);
                }
                _ if view.is_running() => {}
                Some(Action::Select | Action::Send) => {
                    if view.run.is_some() {
                        // A finished run: back to the list first.
                        view.run = None;
                    } else {
                        let index = view.selected;
                        self.run_flow(index);
                    }
                }
                Some(Action::Back | Action::Quit) if view.run.is_some() => view.run = None,
                Some(Action::Back | Action::Quit | Action::Flows) => self.state.overlay = None,
                _ => {}
            },
            Panel::Dashboard(_) => match action {
                Some(Action::Dashboard) => self.open_dashboard(),
                Some(Action::Back | Action::Quit) => self.state.overlay = None,
                _ => {}
            },
        }
    }

    fn prompt_done(
        &mut self,
        purpose: PromptPurpose,
        text: String,
        json: Option<serde_json::Value>,
    ) {
        match purpose {
            PromptPurpose::SavePreset(op) => self.save_preset(op, &text),
            PromptPurpose::RenamePreset { key, from, all } => {
                let Some(presets) = self.state.tools.presets() else {
                    return self.no_home();
                };
                match presets.rename(&key, &from, &text) {
                    Ok(()) => {
                        self.open_presets(all, Some(text.clone()));
                        self.notice(format!("Renamed `{from}` to `{text}`"), false);
                    }
                    Err(e) => {
                        self.open_presets(all, Some(from));
                        self.notice(format!("Not renamed: {e}"), true);
                    }
                }
            }
            PromptPurpose::CapturePath(op) => {
                if let Err(e) = serde_json_path::JsonPath::parse(&text) {
                    self.notice(format!("`{text}` is not a JSONPath: {e}"), true);
                    return;
                }
                let mut prompt = Prompt::new(
                    format!("Store the value of {text} in the variable"),
                    suggested_name(&text),
                    PromptPurpose::CaptureName { op, path: text },
                );
                prompt.json = json;
                update_hint(&mut prompt);
                self.state.overlay = Some(Overlay::Panel(Panel::Prompt(prompt)));
            }
            PromptPurpose::CaptureName { op, path } => self.capture(op, &path, &text),
        }
    }

    // ---- presets -----------------------------------------------------------

    fn prompt_save_preset(&mut self) {
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

    fn save_preset(&mut self, op: OpRef, name: &str) {
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
    fn open_presets(&mut self, all: bool, select: Option<String>) {
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
                        PresetRow {
                            preset,
                            op,
                            op_title,
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

    fn load_preset(&mut self, op: OpRef, name: String, draft: Draft) {
        self.load_draft(op, draft);
        let (key, _) = self.op_key(op);
        self.notice(format!("Loaded preset `{name}`"), false);
        self.state.tools.last_preset.insert(key, name);
    }

    fn delete_preset(&mut self, key: &OperationKey, name: &str) {
        let Some(presets) = self.state.tools.presets() else {
            return self.no_home();
        };
        match presets.delete(key, name) {
            Ok(_) => self.notice(format!("Deleted preset `{name}`"), false),
            Err(e) => self.notice(format!("Not deleted: {e}"), true),
        }
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

    fn open_history(&mut self) {
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
    fn open_entry(&mut self, entry: &HistoryEntry, title: &str) {
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
    fn resend_entry(&mut self, entry: HistoryEntry, title: &str) {
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

    fn compare_entry(&mut self, entry: &HistoryEntry, title: &str) {
        let op = entry
            .operation
            .as_ref()
            .and_then(|k| find_op(&self.state.catalog, k))
            .or(self.state.open);
        let current = op
            .and_then(|op| self.state.ops.get(&op))
            .and_then(|s| match &s.request {
                RequestState::Done { view, .. } => Some(view.outcome.body.clone()),
                _ => None,
            });
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

    // ---- environments ------------------------------------------------------

    fn choose_environment(&mut self) {
        let list = &self.state.tools.environments.list;
        if list.is_empty() {
            let place = self.state.tools.paths.as_ref().map_or_else(
                || "environments.toml".to_string(),
                |p| p.environments_file().display().to_string(),
            );
            self.notice(
                format!("No environments: a portal file or {place} defines them"),
                true,
            );
            return;
        }
        let items: Vec<String> = list
            .iter()
            .map(|e| {
                let mark = if Some(&e.name) == self.state.env_name.as_ref() {
                    "● "
                } else {
                    "  "
                };
                format!("{mark}{} ({} variables)", e.name, e.variables.len())
            })
            .collect();
        let selected = list
            .iter()
            .position(|e| Some(&e.name) == self.state.env_name.as_ref())
            .unwrap_or(0);
        self.state.overlay = Some(Overlay::Choose(Chooser {
            title: "Environment".into(),
            items,
            selected,
            purpose: ChoosePurpose::Environment,
        }));
    }

    /// Makes the environment at `index` the active one; captured values
    /// stay (they win over any environment).
    pub(super) fn switch_environment(&mut self, index: usize) {
        let Some(name) = self
            .state
            .tools
            .environments
            .list
            .get(index)
            .map(|e| e.name.clone())
        else {
            return;
        };
        match self.state.tools.environments.vars(Some(&name)) {
            Ok(vars) => {
                self.state.vars.environment = vars.environment;
                self.notice(format!("Environment `{name}`"), false);
                self.state.env_name = Some(name);
            }
            Err(e) => self.notice(e.to_string(), true),
        }
        self.refresh_preview();
    }

    // ---- captures ----------------------------------------------------------

    fn prompt_capture(&mut self) {
        let Some(op) = self.state.open else {
            self.notice("Open an operation and send it first", true);
            return;
        };
        let body = match self.state.ops.get(&op).map(|s| &s.request) {
            Some(RequestState::Done { view, .. }) => view.outcome.body.clone(),
            _ => {
                self.notice("No response to capture from: send the request first", true);
                return;
            }
        };
        let json = match serde_json::from_slice::<serde_json::Value>(&body) {
            Ok(v) => v,
            Err(e) => {
                self.notice(
                    format!("The response is not JSON ({e}): nothing to capture"),
                    true,
                );
                return;
            }
        };
        let mut prompt = Prompt::new(
            "Capture from the response: JSONPath",
            "$",
            PromptPurpose::CapturePath(op),
        );
        prompt.json = Some(json);
        update_hint(&mut prompt);
        self.state.overlay = Some(Overlay::Panel(Panel::Prompt(prompt)));
    }

    fn capture(&mut self, op: OpRef, path: &str, name: &str) {
        if !valid_variable(name) {
            self.notice(
                format!("`{name}` cannot be a variable: letters, digits and _ - . only"),
                true,
            );
            return;
        }
        let exchange = match self.state.ops.get(&op).map(|s| &s.request) {
            Some(RequestState::Done { view, .. }) => exchange_of(&view.outcome),
            _ => return,
        };
        let capture = Capture {
            variable: name.to_string(),
            path: path.to_string(),
        };
        match flow::apply_captures(&[capture], &exchange, &mut self.state.vars) {
            Ok(pairs) => {
                let secret = self.state.vars.captured.get(name).is_some_and(|v| v.secret);
                let value = pairs.first().map(|(_, v)| v.as_str()).unwrap_or_default();
                let shown = if secret && !self.state.reveal {
                    MASK.to_string()
                } else {
                    sanitize::truncate(&sanitize::clean_line(value), 48).into_owned()
                };
                self.notice(format!("captured {name} = {shown}"), false);
                self.refresh_preview();
            }
            Err(e) => self.notice(e.to_string(), true),
        }
    }

    // ---- flows -------------------------------------------------------------

    fn open_flows(&mut self) {
        let catalog = &self.state.catalog;
        let items = catalog
            .flows
            .iter()
            .map(|f| FlowItem::new(f, flow::check(catalog, f).err().map(|e| e.to_string())))
            .collect();
        self.state.overlay = Some(Overlay::Panel(Panel::Flows(FlowsView::new(items))));
    }

    fn run_flow(&mut self, index: usize) {
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
        let catalog = match &self.state.tools.catalog {
            Some(c) => Arc::clone(c),
            None => {
                let c = Arc::new(self.state.catalog.clone());
                self.state.tools.catalog = Some(Arc::clone(&c));
                c
            }
        };
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

    fn open_dashboard(&mut self) {
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
        let mut draft = core::new_draft(api, operation, &self.state.vars);
        if let Some(url) = &self.state.server_override {
            draft.server_url = Some(url.clone());
        }
        let req = match core::build(api, operation, &draft, &self.state.vars) {
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
                Ok(o) if (200..300).contains(&o.status) => {
                    serde_json::from_slice(&o.body).map_err(|e| format!("not JSON: {e}"))
                }
                Ok(o) => Err(format!("{} {}", o.status, o.reason)),
                Err(f) => Err(f.message),
            };
            let _ = tx.send(Msg::Tools(ToolsMsg::Usage { id, result }));
        });
        UsageState::Loading
    }
}

/// A movement key in a list or a page.
#[derive(Debug, Clone, Copy)]
enum Step {
    Rows(isize),
    Pages(isize),
    Top,
    Bottom,
}

impl Step {
    /// How far to move, with `page` rows to a page.
    fn rows(self, page: isize) -> isize {
        match self {
            Self::Rows(n) => n,
            Self::Pages(n) => n.saturating_mul(page),
            Self::Top => isize::MIN / 2,
            Self::Bottom => isize::MAX / 2,
        }
    }
}

fn list_step(action: Option<Action>) -> Option<Step> {
    Some(match action? {
        Action::Up => Step::Rows(-1),
        Action::Down => Step::Rows(1),
        Action::PageUp => Step::Pages(-1),
        Action::PageDown => Step::Pages(1),
        Action::Top => Step::Top,
        Action::Bottom => Step::Bottom,
        _ => return None,
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_suggested_from_paths() {
        assert_eq!(
            suggested_name("$.Results.output1.SasSignature"),
            "SasSignature"
        );
        assert_eq!(suggested_name("$"), "value");
        assert_eq!(suggested_name("$['job id']"), "value");
        assert_eq!(suggested_name("$.items[0]"), "value");
        assert_eq!(suggested_name("$.items[0].id"), "id");
        assert!(valid_variable("job_id-2.x"));
        assert!(!valid_variable("job id"));
        assert!(!valid_variable(""));
    }
}

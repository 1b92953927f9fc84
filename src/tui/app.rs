//! The application: one message queue, the state, and what each message
//! does to it.
//!
//! Terminal input and background results (a send finished, a spinner or
//! countdown tick) are all [`Msg`]s on one tokio channel. [`App::step`]
//! waits for a message, handles it and everything else already queued,
//! then draws once if anything changed. Nothing wakes the loop when the
//! user does nothing and no request is in flight, so idle CPU is zero.
//!
//! `App<B: Backend>` runs the same on a real terminal and on ratatui's
//! `TestBackend`; side effects that need the real terminal (clipboard,
//! `$EDITOR`) are returned as [`Effect`]s for the caller to perform.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use crossterm::event::{
    Event, KeyCode, KeyEvent, KeyEventKind, KeyModifiers, MouseButton, MouseEvent, MouseEventKind,
};
use ratatui::Terminal;
use ratatui::backend::Backend;
use ratatui::layout::{Position, Rect};
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use super::TuiContext;
use super::body_view::{BodyKind, BodyTheme};
use super::config::Config;
use super::core::ErrorKind;
use super::core::{self, Failure, Outcome, Sender};
use super::input::{InputResult, LineInput};
use super::keymap::Action;
use super::ui;
use super::views::catalog::{CatalogPane, TreeRow};
use super::views::request::{FieldKind, JsonCheck, ReqTab, RequestEditor};
use super::views::response::{RequestState, RespTab, ResponseView, duration_text};
use crate::catalog::Catalog;
use crate::request::Vars;

mod tools;

use super::views::panel::Panel;
pub use tools::{AfterSend, Tools, ToolsMsg};

pub use crate::catalog::OpRef;

/// Everything the loop reacts to.
#[derive(Debug)]
pub enum Msg {
    Input(Event),
    Response(ResponseMsg),
    /// Wakes the loop to animate the spinner or a countdown.
    Tick,
    EditorClosed(EditorResult),
    /// Presets, history, flows and the dashboard's background results.
    Tools(ToolsMsg),
}

/// A send's result, tagged with the send's id.
#[derive(Debug)]
pub struct ResponseMsg {
    pub(crate) id: u64,
    pub(crate) op: OpRef,
    pub(crate) result: Result<Box<Outcome>, Failure>,
    /// What capturing made of it.
    pub(crate) after: AfterSend,
    /// Its history record is being written: a [`ToolsMsg::Recorded`]
    /// follows.
    pub(crate) recording: bool,
}

/// The body text back from `$EDITOR`, or why there is none.
#[derive(Debug)]
pub struct EditorResult {
    pub(crate) op: OpRef,
    pub(crate) text: Result<String, String>,
}

impl EditorResult {
    pub fn new(op: OpRef, text: Result<String, String>) -> Self {
        Self { op, text }
    }
}

/// What the app asks of the real terminal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Effect {
    Copy(String),
    /// Suspend the interface, edit this text, answer with
    /// [`Msg::EditorClosed`].
    EditBody {
        op: OpRef,
        text: String,
        extension: &'static str,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Focus {
    Catalog,
    Operation,
    Request,
    Response,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChoosePurpose {
    Enum(usize),
    ServerVar(usize),
    Example,
    Server,
    Environment,
}

pub struct Chooser {
    pub title: String,
    pub items: Vec<String>,
    pub selected: usize,
    pub purpose: ChoosePurpose,
}

pub enum Overlay {
    Help {
        scroll: u16,
    },
    Curl {
        scroll: u16,
    },
    Warnings {
        scroll: u16,
    },
    Choose(Chooser),
    SaveBody(LineInput),
    /// The response body search prompt.
    Search(LineInput),
    /// Presets, history, flows, the dashboard and their prompts.
    Panel(Panel),
}

/// A one-line message in the header, cleared by the next key.
#[derive(Debug, Clone)]
pub struct Notice {
    pub text: String,
    pub error: bool,
}

/// Per-operation state kept while the program runs, so going back to an
/// operation finds what was typed and the last answer.
pub struct OpState {
    pub editor: RequestEditor,
    pub request: RequestState,
    pub doc_scroll: u16,
}

/// Where the panes were at the last draw (mouse hits).
#[derive(Debug, Clone, Copy, Default)]
pub struct Areas {
    pub catalog: Option<Rect>,
    pub docs: Option<Rect>,
    pub request: Option<Rect>,
    pub response: Option<Rect>,
}

pub struct State {
    pub catalog: Catalog,
    pub vars: Vars,
    pub env_name: Option<String>,
    pub server_override: Option<String>,
    pub config: Config,
    pub body_theme: BodyTheme,
    pub focus: Focus,
    pub catalog_pane: CatalogPane,
    pub open: Option<OpRef>,
    pub ops: HashMap<OpRef, OpState>,
    pub overlay: Option<Overlay>,
    pub reveal: bool,
    pub notice: Option<Notice>,
    pub areas: Areas,
    pub warnings: Vec<String>,
    /// When ticks are wanted for a countdown.
    pub countdown_until: Option<Instant>,
    pub tools: Tools,
}

pub struct App<B: Backend> {
    terminal: Terminal<B>,
    pub(crate) state: State,
    tx: mpsc::UnboundedSender<Msg>,
    rx: mpsc::UnboundedReceiver<Msg>,
    sender: Option<Sender>,
    next_id: u64,
    dirty: bool,
    quit: bool,
    effects: Vec<Effect>,
    frames: u64,
}

impl<B: Backend> App<B> {
    pub fn new(ctx: TuiContext, backend: B) -> anyhow::Result<Self> {
        let terminal =
            Terminal::new(backend).map_err(|e| anyhow::anyhow!("cannot open the terminal: {e}"))?;
        let (tx, rx) = mpsc::unbounded_channel();
        let TuiContext {
            catalog,
            env,
            server_override,
            config,
            home: _,
            paths,
        } = ctx;
        let mut warnings: Vec<String> = config.warnings.clone();
        warnings.extend(catalog.warnings.iter().map(ToString::to_string));
        let (tools, env_name, vars) = Tools::new(&catalog, paths, env.as_deref(), &mut warnings);
        let catalog_pane = CatalogPane::new(&catalog);
        let body_theme = if config.theme.color {
            BodyTheme::coloured()
        } else {
            BodyTheme::plain()
        };
        let state = State {
            body_theme,
            catalog,
            vars,
            env_name,
            server_override,
            config,
            focus: Focus::Catalog,
            catalog_pane,
            open: None,
            ops: HashMap::new(),
            overlay: None,
            reveal: false,
            notice: None,
            areas: Areas::default(),
            warnings,
            countdown_until: None,
            tools,
        };
        let mut app = Self {
            terminal,
            state,
            tx,
            rx,
            sender: None,
            next_id: 1,
            dirty: true,
            quit: false,
            effects: Vec::new(),
            frames: 0,
        };
        if !app.state.warnings.is_empty() {
            let n = app.state.warnings.len();
            app.notice(format!("{n} warning(s) while starting; W shows them"), true);
        }
        Ok(app)
    }

    /// A handle for tasks that feed the queue (the terminal's events).
    pub fn sender(&self) -> mpsc::UnboundedSender<Msg> {
        self.tx.clone()
    }

    pub fn should_quit(&self) -> bool {
        self.quit
    }

    pub fn backend(&self) -> &B {
        self.terminal.backend()
    }

    pub fn terminal_mut(&mut self) -> &mut Terminal<B> {
        &mut self.terminal
    }

    /// Frames drawn so far (tests check that idle does not draw).
    pub fn frames(&self) -> u64 {
        self.frames
    }

    /// The current request's URL as shown (secrets masked unless
    /// revealed), or the reason it cannot be built.
    pub fn request_url(&self) -> Option<Result<String, String>> {
        let (req, errors) = self.current()?.editor.preview.as_ref()?;
        Some(match errors.first() {
            Some(e) => Err(e.to_string()),
            None if self.state.reveal => Ok(req.url.clone()),
            None => Ok(core::masked(req).url),
        })
    }

    pub fn take_effects(&mut self) -> Vec<Effect> {
        std::mem::take(&mut self.effects)
    }

    /// Whether any request is in flight.
    pub fn is_busy(&self) -> bool {
        self.state
            .ops
            .values()
            .any(|s| matches!(s.request, RequestState::InFlight { .. }))
            || self.state.tools.is_busy()
    }

    pub fn mark_dirty(&mut self) {
        self.dirty = true;
    }

    /// Draws if something changed since the last frame.
    pub fn draw(&mut self) -> anyhow::Result<()> {
        if !self.dirty {
            return Ok(());
        }
        self.draw_now()
    }

    pub fn draw_now(&mut self) -> anyhow::Result<()> {
        let state = &mut self.state;
        self.terminal
            .draw(|frame| ui::render(frame, state))
            .map_err(|e| anyhow::anyhow!("drawing failed: {e}"))?;
        self.dirty = false;
        self.frames += 1;
        Ok(())
    }

    /// Waits for the next message, handles it and whatever else is
    /// queued, then draws once. Returns `false` when the queue closed.
    pub async fn step(&mut self) -> anyhow::Result<bool> {
        let Some(msg) = self.rx.recv().await else {
            return Ok(false);
        };
        self.handle(msg);
        while let Ok(msg) = self.rx.try_recv() {
            self.handle(msg);
        }
        if !self.quit {
            self.draw()?;
        }
        Ok(true)
    }

    /// Steps until no request is in flight or the time is up (tests).
    pub async fn settle(&mut self, timeout: Duration) -> anyhow::Result<()> {
        let deadline = tokio::time::Instant::now() + timeout;
        while self.is_busy() {
            match tokio::time::timeout_at(deadline, self.step()).await {
                Ok(r) => {
                    r?;
                }
                Err(_) => anyhow::bail!("still busy after {timeout:?}"),
            }
        }
        self.draw()
    }

    /// After the last frame: waits (up to `limit`) for the history records
    /// of the answers already received, so that quitting right after an
    /// answer does not lose its record. Keys are no longer read.
    pub async fn finish(&mut self, limit: Duration) {
        let deadline = tokio::time::Instant::now() + limit;
        loop {
            while let Ok(msg) = self.rx.try_recv() {
                if !matches!(msg, Msg::Input(_)) {
                    self.handle(msg);
                }
            }
            if self.state.tools.recording == 0 {
                return;
            }
            match tokio::time::timeout_at(deadline, self.rx.recv()).await {
                Ok(Some(Msg::Input(_))) => {}
                Ok(Some(msg)) => self.handle(msg),
                Ok(None) | Err(_) => {
                    tracing::warn!(
                        pending = self.state.tools.recording,
                        "quit before history records landed"
                    );
                    return;
                }
            }
        }
    }

    pub fn handle(&mut self, msg: Msg) {
        match msg {
            Msg::Input(event) => self.on_event(event),
            Msg::Response(r) => self.on_response(r),
            Msg::Tick => {
                let counting = self
                    .state
                    .countdown_until
                    .is_some_and(|u| Instant::now() <= u + Duration::from_secs(1));
                if !counting {
                    self.state.countdown_until = None;
                }
                if self.is_busy() || counting {
                    self.dirty = true;
                }
            }
            Msg::EditorClosed(result) => self.on_editor_closed(result),
            Msg::Tools(msg) => self.on_tools_msg(msg),
        }
    }

    fn notice(&mut self, text: impl Into<String>, error: bool) {
        self.state.notice = Some(Notice {
            text: text.into(),
            error,
        });
        self.dirty = true;
    }

    fn on_event(&mut self, event: Event) {
        match event {
            Event::Key(key) => {
                if key.kind == KeyEventKind::Release {
                    return;
                }
                if self.state.notice.take().is_some() {
                    self.dirty = true;
                }
                self.on_key(key);
            }
            Event::Paste(text) => self.on_paste(&text),
            Event::Mouse(mouse) => self.on_mouse(mouse),
            Event::Resize(..) | Event::FocusGained => self.dirty = true,
            Event::FocusLost => {}
        }
    }

    fn on_key(&mut self, key: KeyEvent) {
        // Ctrl+C leaves from anywhere, typing or not.
        if key.code == KeyCode::Char('c') && key.modifiers.contains(KeyModifiers::CONTROL) {
            self.quit = true;
            return;
        }
        self.dirty = true;
        let action = self.state.config.keymap.action(&key);
        if self.state.overlay.is_some() {
            self.on_overlay_key(key, action);
            return;
        }
        if self.state.catalog_pane.filtering {
            self.on_filter_key(key);
            return;
        }
        let typing = self.current().is_some_and(|s| s.editor.is_typing());
        if typing {
            if action.is_some_and(Action::works_in_fields) {
                self.leave_field();
                self.run_action(Action::Send);
                return;
            }
            self.on_typing_key(key);
            return;
        }
        if let Some(action) = action {
            self.run_action(action);
        }
    }

    fn on_paste(&mut self, text: &str) {
        self.dirty = true;
        if let Some(Overlay::SaveBody(input) | Overlay::Search(input)) = &mut self.state.overlay {
            input.insert_str(text);
            return;
        }
        if let Some(Overlay::Panel(panel)) = &mut self.state.overlay {
            tools::paste(panel, text);
            return;
        }
        if self.state.catalog_pane.filtering {
            self.state.catalog_pane.filter.insert_str(text);
            self.state.catalog_pane.rebuild();
            return;
        }
        let Some(s) = self.current_mut() else {
            return;
        };
        if let Some(field) = &mut s.editor.field {
            field.input.insert_str(text);
            s.editor.apply_field();
        } else if s.editor.body_editing {
            s.editor.body.insert_str(text);
            s.editor.sync_body();
        } else {
            return;
        }
        self.refresh_preview();
    }

    fn current(&self) -> Option<&OpState> {
        self.state.open.and_then(|op| self.state.ops.get(&op))
    }

    fn current_mut(&mut self) -> Option<&mut OpState> {
        let op = self.state.open?;
        self.state.ops.get_mut(&op)
    }

    // ---- catalog -------------------------------------------------------

    fn on_filter_key(&mut self, key: KeyEvent) {
        let pane = &mut self.state.catalog_pane;
        match key.code {
            KeyCode::Esc => {
                pane.filtering = false;
                pane.filter = LineInput::default();
                pane.rebuild();
            }
            KeyCode::Enter => {
                pane.filtering = false;
                if let Some(TreeRow::Op { api, op, .. }) = pane.selected_row() {
                    self.open_op((api, op));
                }
            }
            KeyCode::Tab => pane.filtering = false,
            KeyCode::Up => pane.move_by(-1),
            KeyCode::Down => pane.move_by(1),
            KeyCode::PageUp => pane.move_by(-(pane.page as isize)),
            KeyCode::PageDown => pane.move_by(pane.page as isize),
            _ => {
                if pane.filter.handle_key(&key) == InputResult::Changed {
                    pane.rebuild();
                }
            }
        }
    }

    pub fn open_op(&mut self, op: OpRef) {
        let (a, o) = op;
        let Some(operation) = self
            .state
            .catalog
            .apis
            .get(a)
            .and_then(|api| api.operations.get(o))
        else {
            return;
        };
        if !self.state.ops.contains_key(&op) {
            let api = &self.state.catalog.apis[a];
            let mut draft = core::new_draft(api, operation, &self.state.vars);
            if let Some(url) = &self.state.server_override {
                draft.server_url = Some(url.clone());
            }
            self.state.ops.insert(
                op,
                OpState {
                    editor: RequestEditor::new(draft),
                    request: RequestState::Idle,
                    doc_scroll: 0,
                },
            );
        }
        self.state.open = Some(op);
        self.state.focus = Focus::Request;
        self.refresh_preview();
    }

    fn on_catalog_action(&mut self, action: Action) {
        let pane = &mut self.state.catalog_pane;
        match action {
            Action::Up => pane.move_by(-1),
            Action::Down => pane.move_by(1),
            Action::PageUp => pane.move_by(-(pane.page as isize)),
            Action::PageDown => pane.move_by(pane.page as isize),
            Action::Top => pane.selected = 0,
            Action::Bottom => pane.select_last(),
            Action::Filter => pane.filtering = true,
            Action::Left => pane.collapse_or_parent(),
            Action::Select | Action::Right | Action::ToggleRow => match pane.selected_row() {
                Some(TreeRow::Op { api, op, .. }) if action != Action::ToggleRow => {
                    self.open_op((api, op));
                }
                Some(row @ (TreeRow::Api(_) | TreeRow::Tag(..)))
                    if !(action == Action::Right && pane.is_expanded(row)) =>
                {
                    pane.toggle(row);
                }
                _ => {}
            },
            _ => {}
        }
    }

    // ---- actions ---------------------------------------------------------

    fn visible_panes(&self) -> Vec<Focus> {
        if self.state.open.is_some() {
            vec![
                Focus::Catalog,
                Focus::Operation,
                Focus::Request,
                Focus::Response,
            ]
        } else {
            vec![Focus::Catalog, Focus::Operation]
        }
    }

    fn cycle_focus(&mut self, delta: isize) {
        let panes = self.visible_panes();
        let i = panes
            .iter()
            .position(|p| *p == self.state.focus)
            .unwrap_or(0);
        let next = (i as isize + delta).rem_euclid(panes.len() as isize);
        self.state.focus = panes[usize::try_from(next).unwrap_or(0)];
    }

    fn run_action(&mut self, action: Action) {
        match action {
            Action::Quit => self.quit = true,
            Action::Help => self.state.overlay = Some(Overlay::Help { scroll: 0 }),
            Action::Warnings => self.state.overlay = Some(Overlay::Warnings { scroll: 0 }),
            Action::NextPane => self.cycle_focus(1),
            Action::PrevPane => self.cycle_focus(-1),
            Action::Send => self.send(),
            Action::Back => self.back(),
            Action::Reveal => {
                self.state.reveal = !self.state.reveal;
                let text = if self.state.reveal {
                    "Secrets revealed (R masks them again)"
                } else {
                    "Secrets masked"
                };
                self.notice(text, false);
            }
            Action::CurlPreview => {
                if self.built_or_explain().is_some() {
                    self.state.overlay = Some(Overlay::Curl { scroll: 0 });
                }
            }
            Action::CopyUrl => {
                if let Some(req) = self.built_or_explain() {
                    let url = if self.state.reveal {
                        req.url
                    } else {
                        core::masked(&req).url
                    };
                    self.copy(url, "the request URL");
                }
            }
            Action::CopyCurl => {
                if let Some(req) = self.built_or_explain() {
                    let curl = core::to_curl(&req, !self.state.reveal);
                    self.copy(curl, "the curl command");
                }
            }
            Action::CopyBody => self.copy_body(),
            Action::ChooseServer => self.choose_server(),
            Action::ToggleTlsVerify => self.toggle_tls_verify(),
            Action::SavePreset
            | Action::Presets
            | Action::History
            | Action::Environments
            | Action::Flows
            | Action::Dashboard
            | Action::Capture => self.run_tool_action(action),
            // `/` filters the catalog from anywhere but the response,
            // where it searches the body.
            Action::Filter if self.state.focus != Focus::Response => {
                self.state.focus = Focus::Catalog;
                self.state.catalog_pane.filtering = true;
            }
            _ => match self.state.focus {
                Focus::Catalog => self.on_catalog_action(action),
                Focus::Operation => self.on_docs_action(action),
                Focus::Request => self.on_request_action(action),
                Focus::Response => self.on_response_action(action),
            },
        }
    }

    /// Esc: cancel what is running, else undo the closest temporary thing.
    fn back(&mut self) {
        if let Some(s) = self.current_mut()
            && let RequestState::InFlight {
                id,
                started,
                cancel,
                ..
            } = &s.request
        {
            cancel.cancel();
            let (id, elapsed) = (*id, started.elapsed());
            s.request = RequestState::Cancelled { id, elapsed };
            self.notice("Request cancelled", false);
            return;
        }
        if self.state.catalog_pane.is_filtered() {
            self.state.catalog_pane.filter = LineInput::default();
            self.state.catalog_pane.rebuild();
            return;
        }
        if let Some(s) = self.current_mut() {
            s.editor.error = None;
        }
    }

    fn copy(&mut self, text: String, what: &str) {
        self.effects.push(Effect::Copy(text));
        let masked = if self.state.reveal {
            ""
        } else {
            " (secrets masked; R reveals)"
        };
        self.notice(format!("Copied {what}{masked}"), false);
    }

    fn copy_body(&mut self) {
        let Some(s) = self.current() else {
            return;
        };
        let text = match (&s.request, self.state.focus) {
            (RequestState::Done { view, .. }, Focus::Response)
                if view.body.kind() != BodyKind::Binary =>
            {
                Some((view.body.copy_text(), "the response body"))
            }
            (RequestState::Done { view, .. }, Focus::Response) => {
                let n = view.outcome.body.len();
                self.notice(
                    format!("The body is binary ({n} bytes); S saves it to a file"),
                    true,
                );
                return;
            }
            _ if !s.editor.draft.body.is_empty() => {
                Some((s.editor.draft.body.clone(), "the request body"))
            }
            _ => None,
        };
        match text {
            Some((text, what)) => self.copy(text, what),
            None => self.notice("No body to copy", true),
        }
    }

    /// The current build, or a notice saying why there is none.
    fn built_or_explain(&mut self) -> Option<crate::request::BuiltRequest> {
        self.refresh_preview();
        let preview = self.current().and_then(|s| s.editor.preview.as_ref()).map(
            |(req, errors)| match errors.first() {
                None => Ok(req.clone()),
                Some(e) => Err(e.to_string()),
            },
        );
        match preview {
            Some(Ok(req)) => Some(req),
            Some(Err(e)) => {
                self.notice(format!("The request cannot be built: {e}"), true);
                None
            }
            None => {
                self.notice("Open an operation first (Enter in the catalog)", true);
                None
            }
        }
    }

    fn on_docs_action(&mut self, action: Action) {
        let Some(s) = self.current_mut() else {
            return;
        };
        match action {
            Action::Up => s.doc_scroll = s.doc_scroll.saturating_sub(1),
            Action::Down => s.doc_scroll = s.doc_scroll.saturating_add(1),
            Action::PageUp => s.doc_scroll = s.doc_scroll.saturating_sub(10),
            Action::PageDown => s.doc_scroll = s.doc_scroll.saturating_add(10),
            Action::Top => s.doc_scroll = 0,
            Action::Bottom => s.doc_scroll = u16::MAX,
            Action::Select => self.state.focus = Focus::Request,
            _ => {}
        }
    }

    fn on_request_action(&mut self, action: Action) {
        let Some(op) = self.state.open else {
            return;
        };
        let (api, operation) = self.state.catalog.operation(op);
        let Some(s) = self.state.ops.get_mut(&op) else {
            return;
        };
        let editor = &mut s.editor;
        let mut changed = false;
        match action {
            Action::Left | Action::PrevTab => editor.tab = editor.tab.cycle(-1),
            Action::Right | Action::NextTab => editor.tab = editor.tab.cycle(1),
            Action::Up => editor.move_row(-1, api),
            Action::Down => editor.move_row(1, api),
            Action::PageUp => editor.move_row(-10, api),
            Action::PageDown => editor.move_row(10, api),
            Action::Top => editor.move_row(isize::MIN / 2, api),
            Action::Bottom => editor.move_row(isize::MAX / 2, api),
            Action::Select | Action::Edit => {
                if editor.tab == ReqTab::Body {
                    editor.body_editing = true;
                } else if let Some(kind) = editor.field_for_selection(api) {
                    // Enter on an enum parameter offers its values.
                    let choice = match kind {
                        FieldKind::Param(i) if action == Action::Select => editor
                            .draft
                            .params
                            .get(i)
                            .and_then(|pv| {
                                operation
                                    .parameters
                                    .iter()
                                    .find(|p| p.name == pv.name && p.location == pv.location)
                            })
                            .filter(|p| !p.schema.enum_values.is_empty())
                            .map(|p| {
                                let items: Vec<String> = p
                                    .schema
                                    .enum_values
                                    .iter()
                                    .map(super::views::request::json_text)
                                    .collect();
                                (p.name.clone(), items, ChoosePurpose::Enum(i))
                            }),
                        FieldKind::ServerVar(i) if action == Action::Select => editor
                            .server_vars
                            .get(i)
                            .filter(|(_, v)| !v.enum_values.is_empty())
                            .map(|(name, v)| {
                                (
                                    name.clone(),
                                    v.enum_values.clone(),
                                    ChoosePurpose::ServerVar(i),
                                )
                            }),
                        _ => None,
                    };
                    if let Some((name, items, purpose)) = choice {
                        let current = editor.field_text(kind);
                        let selected = items.iter().position(|v| *v == current).unwrap_or(0);
                        self.state.overlay = Some(Overlay::Choose(Chooser {
                            title: format!("{name} — choose a value"),
                            items,
                            selected,
                            purpose,
                        }));
                    } else {
                        editor.start_field(kind);
                    }
                } else if editor.tab != ReqTab::Auth {
                    changed = editor.add_row();
                }
            }
            Action::AddRow => {
                if editor.tab == ReqTab::Body || editor.tab == ReqTab::Auth {
                    self.notice("Rows are added in the Params and Headers tabs", true);
                } else {
                    changed = editor.add_row();
                }
            }
            Action::DeleteRow => match editor.delete_row() {
                Ok(()) => changed = true,
                Err(why) => self.notice(why, true),
            },
            Action::ToggleRow => changed = editor.toggle_row(),
            Action::Reformat => self.reformat(),
            Action::Examples => self.choose_example(),
            Action::ExternalEditor => {
                let text = editor.draft.body.clone();
                let extension = if editor.is_json() { "json" } else { "txt" };
                self.effects.push(Effect::EditBody {
                    op,
                    text,
                    extension,
                });
            }
            _ => {}
        }
        if changed {
            self.refresh_preview();
        }
    }

    fn on_typing_key(&mut self, key: KeyEvent) {
        let Some(op) = self.state.open else {
            return;
        };
        let Some(s) = self.state.ops.get_mut(&op) else {
            return;
        };
        let editor = &mut s.editor;
        if editor.body_editing {
            if key.code == KeyCode::Esc {
                editor.body_editing = false;
                return;
            }
            if editor.body.input(key) {
                editor.sync_body();
                self.refresh_preview();
            }
            return;
        }
        let Some(field) = &mut editor.field else {
            return;
        };
        match key.code {
            KeyCode::Esc => self.leave_field(),
            KeyCode::Enter => {
                // After a new row's name comes its value.
                let kind = field.kind;
                let to_value = matches!(kind, FieldKind::HeaderName(_) | FieldKind::ExtraName(_));
                self.close_field(!to_value);
                if to_value
                    && let Some(next) = RequestEditor::sibling(kind)
                    && let Some(s) = self.current_mut()
                {
                    s.editor.start_field(next);
                }
            }
            KeyCode::Tab | KeyCode::BackTab => {
                let kind = field.kind;
                self.close_field(false);
                if let Some(next) = RequestEditor::sibling(kind)
                    && let Some(s) = self.current_mut()
                {
                    s.editor.start_field(next);
                }
            }
            KeyCode::Up | KeyCode::Down => {
                self.leave_field();
                let delta = if key.code == KeyCode::Up { -1 } else { 1 };
                let api = &self.state.catalog.apis[op.0];
                if let Some(s) = self.state.ops.get_mut(&op) {
                    s.editor.move_row(delta, api);
                }
            }
            _ => {
                if field.input.handle_key(&key) == InputResult::Changed {
                    editor.apply_field();
                    self.refresh_preview();
                }
            }
        }
    }

    /// Ends editing a field; a header or query row left with neither a
    /// name nor a value goes (an Enter or `a` that was not followed up).
    fn leave_field(&mut self) {
        self.close_field(true);
    }

    /// Ends editing a field; `drop_blank` unless the row's other cell is
    /// edited next.
    fn close_field(&mut self, drop_blank: bool) {
        if let Some(s) = self.current_mut() {
            s.editor.apply_field();
            if let Some(field) = s.editor.field.take()
                && drop_blank
            {
                s.editor.drop_blank_row(field.kind);
            }
            s.editor.body_editing = false;
        }
        self.refresh_preview();
    }

    /// Rebuilds the current request for the URL line and the previews;
    /// clears a pinned error once its cause is fixed.
    pub fn refresh_preview(&mut self) {
        let Some(op) = self.state.open else {
            return;
        };
        let (api, operation) = self.state.catalog.operation(op);
        let Some(s) = self.state.ops.get_mut(&op) else {
            return;
        };
        s.editor.set_server_vars(api);
        let built = core::preview(api, operation, &s.editor.draft, &self.state.vars);
        if let Some(e) = &s.editor.error {
            let fixed = match e.tab {
                ReqTab::Body => !matches!(s.editor.json, JsonCheck::Invalid { .. }),
                _ => built.1.is_empty(),
            };
            if fixed {
                s.editor.error = None;
            }
        }
        s.editor.preview = Some(built);
        self.dirty = true;
    }

    fn reformat(&mut self) {
        let Some(s) = self.current_mut() else {
            return;
        };
        match serde_json::from_str::<serde_json::Value>(&s.editor.draft.body) {
            Ok(value) => match serde_json::to_string_pretty(&value) {
                Ok(text) => {
                    s.editor.set_body_text(&text);
                    s.editor.tab = ReqTab::Body;
                    self.refresh_preview();
                }
                Err(e) => self.notice(format!("Cannot reformat: {e}"), true),
            },
            Err(e) => self.notice(format!("Cannot reformat: not valid JSON ({e})"), true),
        }
    }

    fn examples(&self) -> Vec<(String, serde_json::Value)> {
        let Some(op) = self.state.open else {
            return Vec::new();
        };
        let operation = self.state.catalog.operation(op).1;
        let ct = self
            .current()
            .and_then(|s| s.editor.draft.content_type.clone());
        let Some(body) = &operation.request_body else {
            return Vec::new();
        };
        let media = body
            .content
            .iter()
            .find(|m| Some(&m.content_type) == ct.as_ref())
            .or_else(|| body.content.first());
        media
            .map(|m| {
                m.examples
                    .iter()
                    .map(|e| {
                        let label = match &e.summary {
                            Some(s) => format!("{} — {s}", e.name),
                            None => e.name.clone(),
                        };
                        (label, e.value.clone())
                    })
                    .collect()
            })
            .unwrap_or_default()
    }

    fn choose_example(&mut self) {
        let examples = self.examples();
        if examples.is_empty() {
            self.notice("The definition has no examples for this body", true);
            return;
        }
        self.state.overlay = Some(Overlay::Choose(Chooser {
            title: "Body examples".into(),
            items: examples.into_iter().map(|(l, _)| l).collect(),
            selected: 0,
            purpose: ChoosePurpose::Example,
        }));
    }

    fn choose_server(&mut self) {
        let Some(op) = self.state.open else {
            self.notice("Open an operation first", true);
            return;
        };
        let api = &self.state.catalog.apis[op.0];
        let mut items: Vec<String> = api
            .servers
            .iter()
            .map(|s| match &s.description {
                Some(d) => format!("{}  — {d}", s.url),
                None => s.url.clone(),
            })
            .collect();
        if let Some(url) = &self.state.server_override {
            items.push(format!("{url}  — from --server"));
        }
        if items.is_empty() {
            self.notice("The definition names no server; use --server URL", true);
            return;
        }
        let selected = self.current().map_or(0, |s| {
            if s.editor.draft.server_url.is_some() {
                items.len() - 1
            } else {
                s.editor.draft.server
            }
        });
        self.state.overlay = Some(Overlay::Choose(Chooser {
            title: "Server".into(),
            items,
            selected,
            purpose: ChoosePurpose::Server,
        }));
    }

    fn on_overlay_key(&mut self, key: KeyEvent, action: Option<Action>) {
        let Some(overlay) = &mut self.state.overlay else {
            return;
        };
        match overlay {
            Overlay::Panel(_) => self.on_panel_key(key, action),
            Overlay::Help { scroll } | Overlay::Curl { scroll } | Overlay::Warnings { scroll } => {
                match action {
                    Some(Action::Up) => *scroll = scroll.saturating_sub(1),
                    Some(Action::Down) => *scroll = scroll.saturating_add(1),
                    Some(Action::PageUp) => *scroll = scroll.saturating_sub(10),
                    Some(Action::PageDown) => *scroll = scroll.saturating_add(10),
                    Some(Action::CopyCurl | Action::CopyUrl)
                        if matches!(overlay, Overlay::Curl { .. }) =>
                    {
                        self.state.overlay = None;
                        self.run_action(Action::CopyCurl);
                    }
                    Some(
                        Action::Quit
                        | Action::Back
                        | Action::Help
                        | Action::CurlPreview
                        | Action::Select
                        | Action::Warnings,
                    ) => {
                        self.state.overlay = None;
                    }
                    _ => {}
                }
            }
            Overlay::Choose(chooser) => match action {
                Some(Action::Up) => chooser.selected = chooser.selected.saturating_sub(1),
                Some(Action::Down) => {
                    chooser.selected =
                        (chooser.selected + 1).min(chooser.items.len().saturating_sub(1));
                }
                Some(Action::Select) => {
                    let (purpose, selected) = (chooser.purpose, chooser.selected);
                    self.state.overlay = None;
                    self.chosen(purpose, selected);
                }
                Some(Action::Back | Action::Quit) => self.state.overlay = None,
                _ => {}
            },
            Overlay::Search(input) => match key.code {
                KeyCode::Esc => self.state.overlay = None,
                KeyCode::Enter => {
                    let query = input.text().to_string();
                    self.state.overlay = None;
                    self.search_body(&query);
                }
                _ => {
                    input.handle_key(&key);
                }
            },
            Overlay::SaveBody(input) => match key.code {
                KeyCode::Esc => self.state.overlay = None,
                KeyCode::Enter => {
                    let path = input.text().to_string();
                    self.state.overlay = None;
                    self.save_body(&path);
                }
                _ => {
                    input.handle_key(&key);
                }
            },
        }
    }

    fn chosen(&mut self, purpose: ChoosePurpose, index: usize) {
        match purpose {
            ChoosePurpose::Enum(row) => {
                let Some(op) = self.state.open else {
                    return;
                };
                let operation = self.state.catalog.operation(op).1;
                if let Some(s) = self.state.ops.get_mut(&op)
                    && let Some(pv) = s.editor.draft.params.get_mut(row)
                    && let Some(p) = operation
                        .parameters
                        .iter()
                        .find(|p| p.name == pv.name && p.location == pv.location)
                    && let Some(v) = p.schema.enum_values.get(index)
                {
                    pv.value = super::views::request::json_text(v);
                    pv.enabled = true;
                }
            }
            ChoosePurpose::ServerVar(row) => {
                if let Some(s) = self.current_mut()
                    && let Some((name, var)) = s.editor.server_vars.get(row).cloned()
                    && let Some(value) = var.enum_values.get(index)
                {
                    s.editor.draft.server_vars.insert(name, value.clone());
                }
            }
            ChoosePurpose::Example => {
                let examples = self.examples();
                if let Some((_, value)) = examples.get(index)
                    && let Some(s) = self.current_mut()
                {
                    let text = match value {
                        serde_json::Value::String(s) => s.clone(),
                        v => serde_json::to_string_pretty(v).unwrap_or_default(),
                    };
                    s.editor.set_body_text(&text);
                    s.editor.tab = ReqTab::Body;
                }
            }
            ChoosePurpose::Environment => self.switch_environment(index),
            ChoosePurpose::Server => {
                let Some(op) = self.state.open else {
                    return;
                };
                let count = self.state.catalog.apis[op.0].servers.len();
                let override_url = self.state.server_override.clone();
                if let Some(s) = self.state.ops.get_mut(&op) {
                    if index < count {
                        s.editor.draft.server = index;
                        s.editor.draft.server_url = None;
                    } else {
                        s.editor.draft.server_url = override_url;
                    }
                }
            }
        }
        self.refresh_preview();
    }

    fn on_response_action(&mut self, action: Action) {
        let Some(s) = self.current_mut() else {
            return;
        };
        let RequestState::Done { view, .. } = &mut s.request else {
            return;
        };
        let body = view.tab == RespTab::Body;
        match action {
            Action::Left | Action::PrevTab => {
                view.tab = view.tab.cycle(-1);
                view.scroll = 0;
            }
            Action::Right | Action::NextTab => {
                view.tab = view.tab.cycle(1);
                view.scroll = 0;
            }
            Action::Up if body => view.body.scroll_up(1),
            Action::Down if body => view.body.scroll_down(1),
            Action::PageUp if body => view.body.page_up(),
            Action::PageDown if body => view.body.page_down(),
            Action::Top if body => view.body.scroll_to_top(),
            Action::Bottom if body => view.body.scroll_to_bottom(),
            Action::ScrollLeft if body => view.body.scroll_left(8),
            Action::ScrollRight if body => view.body.scroll_right(8),
            Action::Up => view.scroll_by(-1),
            Action::Down => view.scroll_by(1),
            Action::PageUp => view.scroll_by(-(view.page as isize)),
            Action::PageDown => view.scroll_by(view.page as isize),
            Action::Top => view.scroll = 0,
            Action::Bottom => view.scroll = view.line_count().saturating_sub(view.page),
            Action::ToggleWrap => {
                view.tab = RespTab::Body;
                view.body.toggle_wrap();
            }
            Action::Search | Action::Filter => {
                view.tab = RespTab::Body;
                let query = view.body.search_query().to_string();
                self.state.overlay = Some(Overlay::Search(LineInput::new(query)));
            }
            Action::SearchNext => view.body.next_match(),
            Action::SearchPrev => view.body.prev_match(),
            Action::SaveBody => {
                let ext = match view.outcome.header("content-type") {
                    Some(ct) if ct.contains("json") => "json",
                    Some(ct) if ct.contains("xml") => "xml",
                    Some(ct) if ct.contains("html") => "html",
                    Some(ct) if ct.starts_with("text/") => "txt",
                    _ => "bin",
                };
                self.state.overlay =
                    Some(Overlay::SaveBody(LineInput::new(format!("response.{ext}"))));
            }
            _ => {}
        }
    }

    fn search_body(&mut self, query: &str) {
        if let Some(s) = self.current_mut()
            && let RequestState::Done { view, .. } = &mut s.request
        {
            view.body.set_search(query);
            let status = view.body.search_status();
            if let Some(status) = status
                && status == "no match"
            {
                self.notice(format!("No match for `{query}`"), true);
            }
        }
    }

    fn save_body(&mut self, path: &str) {
        let result = match self.current().map(|s| &s.request) {
            Some(RequestState::Done { view, .. }) => {
                if path.trim().is_empty() {
                    self.notice("Not saved: no file name", true);
                    return;
                }
                let size = view.outcome.body.len();
                view.body.save_to(std::path::Path::new(path)).map(|()| size)
            }
            _ => return,
        };
        match result {
            Ok(size) => self.notice(format!("Saved {size} bytes to {path}"), false),
            Err(e) => self.notice(format!("Not saved: {e}"), true),
        }
    }

    // ---- sending ---------------------------------------------------------

    fn send(&mut self) {
        let Some(op) = self.state.open else {
            self.notice("Open an operation first (Enter in the catalog)", true);
            return;
        };
        let Some(sender) = self.sender_or_explain() else {
            return;
        };
        self.refresh_preview();
        let (api, operation) = self.state.catalog.operation(op);
        let Some(s) = self.state.ops.get_mut(&op) else {
            return;
        };
        let req = match core::build(api, operation, &s.editor.draft, &self.state.vars) {
            Ok(req) => req,
            Err(e) => {
                s.editor.pin_error(&e, api);
                self.state.focus = Focus::Request;
                self.notice(format!("Not sent: {e}"), true);
                return;
            }
        };
        s.editor.error = None;
        let job = self
            .state
            .tools
            .send_job(api, operation, &s.editor.draft, &self.state.vars);
        if let RequestState::InFlight { cancel, .. } = &s.request {
            cancel.cancel();
        }
        let id = self.next_id;
        self.next_id += 1;
        let cancel = CancellationToken::new();
        let (progress_tx, progress) = tokio::sync::watch::channel(core::Progress::default());
        s.request = RequestState::InFlight {
            id,
            started: Instant::now(),
            cancel: cancel.clone(),
            progress,
        };
        tracing::info!(id, method = %req.method, url = %core::masked(&req).url, "send");
        let tx = self.tx.clone();
        let done = CancellationToken::new();
        let guard = done.clone().drop_guard();
        tokio::spawn(async move {
            let _stop_ticks = guard;
            let deliver = |result, after, recording| {
                let _ = tx.send(Msg::Response(ResponseMsg {
                    id,
                    op,
                    result,
                    after,
                    recording,
                }));
            };
            let recorded =
                tools::send_and_record(&sender, req, cancel, Some(progress_tx), job, deliver).await;
            if let Some(result) = recorded {
                let _ = tx.send(Msg::Tools(ToolsMsg::Recorded(result)));
            }
        });
        spawn_ticker(self.tx.clone(), Duration::from_millis(100), done);
        self.dirty = true;
    }

    fn on_response(&mut self, msg: ResponseMsg) {
        let ResponseMsg {
            id,
            op,
            result,
            after,
            recording,
        } = msg;
        // Counted even for a stale answer: its record still lands.
        if recording {
            self.state.tools.recording += 1;
        }
        let result = result.map_err(|mut failure| {
            failure.hint = failure_hint(&failure, &self.state, op);
            failure
        });
        let Some(s) = self.state.ops.get_mut(&op) else {
            return;
        };
        if s.request.in_flight_id() != Some(id) {
            tracing::debug!(id, "dropped a stale result");
            return;
        }
        s.request = match result {
            Ok(outcome) => {
                tracing::info!(id, status = outcome.status, total = ?outcome.total, "received");
                let view = ResponseView::new(*outcome);
                if let Some(until) = view.retry_until {
                    self.state.countdown_until = Some(until);
                    spawn_countdown(self.tx.clone(), until);
                }
                RequestState::Done {
                    id,
                    view: Box::new(view),
                }
            }
            Err(failure) if failure.cancelled() => RequestState::Cancelled {
                id,
                elapsed: failure.elapsed,
            },
            Err(failure) => {
                tracing::info!(id, error = %failure.message, "failed");
                RequestState::Failed { id, failure }
            }
        };
        self.after_send(after);
        self.dirty = true;
    }

    fn on_editor_closed(&mut self, result: EditorResult) {
        let EditorResult { op, text } = result;
        match text {
            Ok(text) => {
                if let Some(s) = self.state.ops.get_mut(&op) {
                    s.editor.set_body_text(text.trim_end_matches('\n'));
                    s.editor.tab = ReqTab::Body;
                }
                self.refresh_preview();
            }
            Err(e) => self.notice(format!("Editor: {e}"), true),
        }
        self.dirty = true;
    }

    // ---- mouse -------------------------------------------------------------

    fn on_mouse(&mut self, mouse: MouseEvent) {
        let pos = Position::new(mouse.column, mouse.row);
        let areas = self.state.areas;
        let hit = [
            (areas.catalog, Focus::Catalog),
            (areas.docs, Focus::Operation),
            (areas.request, Focus::Request),
            (areas.response, Focus::Response),
        ]
        .into_iter()
        .find_map(|(area, focus)| area.filter(|a| a.contains(pos)).map(|a| (a, focus)));
        let Some((area, pane)) = hit else {
            return;
        };
        if self.state.overlay.is_some() {
            return;
        }
        match mouse.kind {
            MouseEventKind::Down(MouseButton::Left) => {
                self.leave_field();
                self.state.focus = pane;
                self.click_tab(pane, pos);
                if pane == Focus::Catalog {
                    let before = self.state.catalog_pane.selected;
                    if let Some(row) = self.state.catalog_pane.click(area, pos) {
                        let again = before == self.state.catalog_pane.selected;
                        match row {
                            TreeRow::Op { api, op, .. } if again || self.state.open.is_some() => {
                                self.open_op((api, op));
                            }
                            TreeRow::Op { .. } => {}
                            other => {
                                self.state.catalog_pane.toggle(other);
                            }
                        }
                    }
                }
                self.dirty = true;
            }
            MouseEventKind::ScrollUp | MouseEventKind::ScrollDown => {
                let delta: isize = if mouse.kind == MouseEventKind::ScrollUp {
                    -3
                } else {
                    3
                };
                match pane {
                    Focus::Catalog => self.state.catalog_pane.scroll(delta),
                    Focus::Operation => {
                        if let Some(s) = self.current_mut() {
                            s.doc_scroll = s
                                .doc_scroll
                                .saturating_add_signed(i16::try_from(delta).unwrap_or(0));
                        }
                    }
                    Focus::Request => {
                        let Some(op) = self.state.open else {
                            return;
                        };
                        let api = &self.state.catalog.apis[op.0];
                        if let Some(s) = self.state.ops.get_mut(&op) {
                            if s.editor.tab == ReqTab::Body {
                                s.editor.body.scroll((i16::try_from(delta).unwrap_or(0), 0));
                            } else {
                                s.editor.move_row(delta.signum(), api);
                            }
                        }
                    }
                    Focus::Response => {
                        if let Some(s) = self.current_mut()
                            && let RequestState::Done { view, .. } = &mut s.request
                        {
                            match (view.tab, delta < 0) {
                                (RespTab::Body, true) => view.body.scroll_up(3),
                                (RespTab::Body, false) => view.body.scroll_down(3),
                                _ => view.scroll_by(delta),
                            }
                        }
                    }
                }
                self.dirty = true;
            }
            _ => {}
        }
    }
}

impl<B: Backend> App<B> {
    /// A click on a tab title switches to that tab.
    fn click_tab(&mut self, pane: Focus, pos: Position) {
        let Some(s) = self.current_mut() else {
            return;
        };
        match pane {
            Focus::Request => {
                if let Some(i) = s.editor.tab_hits.iter().position(|r| r.contains(pos)) {
                    s.editor.tab = ReqTab::ALL[i.min(ReqTab::ALL.len() - 1)];
                }
            }
            Focus::Response => {
                if let RequestState::Done { view, .. } = &mut s.request
                    && let Some(i) = view.tab_hits.iter().position(|r| r.contains(pos))
                {
                    view.tab = RespTab::ALL[i.min(RespTab::ALL.len() - 1)];
                    view.scroll = 0;
                }
            }
            _ => {}
        }
    }
}

/// What the user can do about a failed send, for the errors that have
/// a way out: a certificate not trusted, a timeout.
fn failure_hint(failure: &Failure, state: &State, (api, _): OpRef) -> Option<String> {
    let key = |action| state.config.keymap.key_label(action).unwrap_or_default();
    match failure.kind? {
        ErrorKind::Tls if !state.catalog.apis.get(api)?.skip_tls_verify => Some(format!(
            "If you trust this server, {} stops checking certificates for this API until you quit; \
             `tls_verify = false` in a portal file does it for good",
            key(Action::ToggleTlsVerify)
        )),
        ErrorKind::Timeout => Some(match state.config.timeout {
            Some(limit) => format!(
                "The limit is {}: `timeout` in config.toml or --timeout changes it (0 waits until {} cancels)",
                // As the setting is written: whole seconds read `30 s`.
                if limit.subsec_nanos() == 0 {
                    format!("{} s", limit.as_secs())
                } else {
                    duration_text(limit)
                },
                key(Action::Back)
            ),
            None => "The server did not answer in time".to_string(),
        }),
        _ => None,
    }
}

/// Wakes the loop every `period` until `stop` is cancelled: the spinner
/// moves only while a request is in flight.
fn spawn_ticker(tx: mpsc::UnboundedSender<Msg>, period: Duration, stop: CancellationToken) {
    tokio::spawn(async move {
        let mut interval = tokio::time::interval(period);
        interval.tick().await;
        loop {
            tokio::select! {
                () = stop.cancelled() => break,
                _ = interval.tick() => {
                    if tx.send(Msg::Tick).is_err() {
                        break;
                    }
                }
            }
        }
    });
}

/// Wakes the loop on each second boundary of a Retry-After countdown.
fn spawn_countdown(tx: mpsc::UnboundedSender<Msg>, until: Instant) {
    tokio::spawn(async move {
        let left = until.saturating_duration_since(Instant::now()).as_secs() + 1;
        for k in (0..=left).rev() {
            let at = until.checked_sub(Duration::from_secs(k)).unwrap_or(until)
                + Duration::from_millis(5);
            tokio::time::sleep_until(tokio::time::Instant::from_std(at)).await;
            if tx.send(Msg::Tick).is_err() {
                break;
            }
        }
    });
}

//! The application: one message queue, the state, and what each message
//! does to it.
//!
//! Terminal input and background results (a send finished, a spinner or
//! countdown tick) are all [`Msg`]s on one tokio channel. [`App::step`]
//! waits for a message, handles it and everything else already queued,
//! then draws once if anything changed. Nothing wakes the loop when the
//! user does nothing and no request is in flight, so idle CPU is zero.
//!
//! A key goes by focus to the pane or panel that has it (`keys`); the
//! pane changes its own state and answers with a [`Reaction`] the app
//! applies (`reaction`). Sending and its results are in `sending`, the
//! mouse in `mouse`, the small overlays in `overlays`, the tool panels'
//! files and background work in `tools` and `panels`.
//!
//! `App<B: Backend>` runs the same on a real terminal and on ratatui's
//! `TestBackend`; side effects that need the real terminal (clipboard,
//! `$EDITOR`) are returned as [`Effect`]s for the caller to perform.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use crossterm::event::Event;
use ratatui::Terminal;
use ratatui::backend::Backend;
use ratatui::layout::Rect;
use tokio::sync::mpsc;

use super::TuiContext;
use super::body_view::BodyTheme;
use super::config::Config;
use super::input::LineInput;
use super::outcome::{Failure, Outcome};
use super::ui;
use super::views::ask_secret::AskSecret;
use super::views::catalog::CatalogPane;
use super::views::panel::Panel;
use super::views::request::{ReqTab, RequestEditor};
use super::views::response::{RequestState, ResponseView};
use crate::catalog::Catalog;
use crate::interchange::snippet::Lang;
use crate::request::Vars;

mod drafts;
mod env_panel;
mod keys;
mod mouse;
mod oauth;
mod overlays;
mod panels;
mod reaction;
mod reload;
mod sending;
mod shared_auth;
mod tools;

pub use reaction::Reaction;
pub use reload::{Reloaded, WatchedSources};
pub use sending::{AfterSend, Sender};
pub use tools::{Tools, ToolsMsg};

pub use crate::catalog::OpRef;

/// Everything the loop reacts to.
#[derive(Debug)]
pub enum Msg {
    Input(Event),
    Response(ResponseMsg),
    /// A large answer shown from its start, laid out whole now: its
    /// send's id, its operation, the whole view.
    LaidOut(u64, OpRef, Box<ResponseView>),
    /// Wakes the loop to animate the spinner or a countdown.
    Tick,
    EditorClosed(EditorResult),
    /// Presets, history, flows and the dashboard's background results.
    Tools(ToolsMsg),
    /// A token fetch's prompts and its end.
    OAuth(oauth::OAuthMsg),
    /// A watched definition changed and was loaded again.
    Reloaded(Box<Reloaded>),
}

/// A send's result, tagged with the send's id.
#[derive(Debug)]
pub struct ResponseMsg {
    pub(crate) id: u64,
    pub(crate) op: OpRef,
    /// The answer laid out for the response pane, or why there is none.
    pub(crate) result: Result<Box<ResponseView>, Failure>,
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
    /// A credential to add in the Auth tab (`AD_HOC_CHOICES`).
    AddAuth,
    /// What to do with the token of the operation's OAuth 2.0 scheme, one
    /// per item: a flow to get a new one by (at most the three portico
    /// runs), refresh it, or forget it.
    OAuthToken([Option<TokenChoice>; 5]),
}

/// An item of the Auth tab's `A` chooser.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenChoice {
    Flow(crate::catalog::OAuthGrant),
    Refresh,
    Forget,
}

impl TokenChoice {
    pub fn label(self) -> String {
        match self {
            Self::Flow(grant) => format!("new token by {}", grant.name()),
            Self::Refresh => "refresh the token".into(),
            Self::Forget => "forget the token (here and in the keychain)".into(),
        }
    }
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
    /// The request as a code sample in `lang`.
    Snippet {
        lang: Lang,
        scroll: u16,
    },
    Warnings {
        scroll: u16,
    },
    Choose(Chooser),
    /// A variable's value, asked once per session.
    AskSecret(AskSecret),
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
    /// The differences from the definition the last F5 warned about: the
    /// same ones at the next F5 mean "send anyway".
    pub warned: Vec<crate::validate::Problem>,
    /// The operation's schema trees, built when first shown.
    pub schemas: crate::tui::views::operation::SchemaDocs,
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
    /// Shared with the threads that read it (the search index being
    /// built, a flow running): a switch that changes it copies it first
    /// if one still holds it.
    pub catalog: Arc<Catalog>,
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
    /// The code samples' language last chosen, where the next opening starts.
    pub snippet_lang: Lang,
    pub notice: Option<Notice>,
    pub areas: Areas,
    pub warnings: Vec<String>,
    /// When ticks are wanted for a countdown.
    pub countdown_until: Option<Instant>,
    pub tools: Tools,
    /// The session's OAuth 2.0 tokens, in memory only.
    pub tokens: crate::oauth::Tokens,
    /// The flow chosen in the Auth tab, per API and scheme.
    pub oauth_overrides: HashMap<crate::oauth::TokenKey, crate::oauth::Overrides>,
    /// Credentials added in the Auth tab that go with every request of an
    /// API (by its id) until quitting (`+`), in memory only.
    pub shared_auth: HashMap<String, Vec<crate::request::AuthValue>>,
    /// Where a pasted redirect URL goes while a browser flow waits for
    /// one (the browser may run on another machine), and for which
    /// operation.
    pub oauth_paste: Option<(OpRef, mpsc::UnboundedSender<String>)>,
    /// A catalog loaded again after its file changed, waiting for the
    /// moment it can replace this one, with the files that changed.
    pub pending_reload: Option<(String, Catalog)>,
    /// `--insecure`, applied again to each catalog loaded again.
    pub insecure: bool,
    /// Open the user's browser for a sign-in (see `TuiContext::desktop`).
    pub open_browser: bool,
    /// Drafts kept by an earlier session, until their operation opens.
    pub kept_drafts: HashMap<OpRef, crate::request::Draft>,
    /// Operations whose request differs from the definition's defaults
    /// (marked in the catalog, kept at quit).
    pub edited: std::collections::HashSet<OpRef>,
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
    /// Polls the definitions given as paths (see [`reload`]).
    watcher: Option<tokio::task::JoinHandle<()>>,
}

impl<B: Backend> Drop for App<B> {
    fn drop(&mut self) {
        if let Some(watcher) = &self.watcher {
            watcher.abort();
        }
    }
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
            desktop,
            watch,
        } = ctx;
        let mut warnings: Vec<String> = config.warnings.clone();
        warnings.extend(catalog.warnings.iter().map(ToString::to_string));
        let (tools, env_name, vars) = Tools::new(&catalog, paths, env.as_deref(), &mut warnings);
        let kept_drafts = drafts::kept_drafts(&catalog, tools.drafts().as_ref(), &mut warnings);
        let edited = kept_drafts.keys().copied().collect();
        let catalog = Arc::new(catalog);
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
            snippet_lang: Lang::Curl,
            notice: None,
            areas: Areas::default(),
            warnings,
            countdown_until: None,
            tokens: if desktop {
                crate::oauth::Tokens::remembered()
            } else {
                crate::oauth::Tokens::default()
            },
            oauth_overrides: HashMap::new(),
            shared_auth: HashMap::new(),
            oauth_paste: None,
            pending_reload: None,
            insecure: false,
            open_browser: desktop,
            kept_drafts,
            edited,
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
            watcher: None,
        };
        if let Some(watch) = watch {
            app.watch_sources(watch);
        }
        if !app.state.warnings.is_empty() {
            let n = app.state.warnings.len();
            app.notice(format!("{n} warning(s) while starting; W shows them"), true);
        }
        app.ask_prompts_of_chosen_environment();
        Ok(app)
    }

    /// The chosen environment's variables asked at a prompt: asked now,
    /// over the first frame, and switched to once answered.
    fn ask_prompts_of_chosen_environment(&mut self) {
        let environments = &self.state.tools.environments;
        let Some(name) = self.state.env_name.as_deref() else {
            return;
        };
        if environments.unanswered(name).is_empty() {
            return;
        }
        let Some(index) = environments.list.iter().position(|e| e.name == name) else {
            return;
        };
        let reaction = super::views::environments::switch(
            environments,
            index,
            &mut self.state.vars,
            &mut self.state.env_name,
        );
        self.react(reaction);
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
            None => Ok(req.masked().url),
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

    /// Returns once the catalog's search index, built in the background
    /// after the first frame, is ready (for benchmarks that measure what
    /// follows the first frame, or the memory it all takes).
    pub fn wait_for_search_index(&self) {
        self.state.catalog_pane.wait_for_search_index();
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
        self.keep_drafts();
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
            Msg::LaidOut(id, op, view) => self.on_laid_out(id, op, *view),
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
            Msg::OAuth(msg) => self.on_oauth(msg),
            Msg::Reloaded(reloaded) => self.on_reloaded(*reloaded),
        }
        self.apply_pending_reload();
    }

    pub(super) fn notice(&mut self, text: impl Into<String>, error: bool) {
        self.state.notice = Some(Notice {
            text: text.into(),
            error,
        });
        self.dirty = true;
    }

    pub(super) fn current(&self) -> Option<&OpState> {
        self.state.open.and_then(|op| self.state.ops.get(&op))
    }

    /// The answer shown for `op`, if one is.
    pub(super) fn response_of(&self, op: OpRef) -> Option<&Outcome> {
        match self.state.ops.get(&op).map(|s| &s.request) {
            Some(RequestState::Done { view, .. }) => Some(&view.outcome),
            _ => None,
        }
    }

    pub(super) fn current_mut(&mut self) -> Option<&mut OpState> {
        let op = self.state.open?;
        self.state.ops.get_mut(&op)
    }

    pub fn open_op(&mut self, op: OpRef) {
        let (a, o) = op;
        let exists = self
            .state
            .catalog
            .apis
            .get(a)
            .is_some_and(|api| api.operations.get(o).is_some());
        if !exists {
            return;
        }
        if !self.state.ops.contains_key(&op) {
            let draft = self.opening_draft(op);
            self.state.ops.insert(
                op,
                OpState {
                    editor: RequestEditor::new(draft),
                    request: RequestState::Idle,
                    doc_scroll: 0,
                    warned: Vec::new(),
                    schemas: Default::default(),
                },
            );
        }
        self.state.open = Some(op);
        self.state.focus = Focus::Request;
        self.refresh_preview();
    }

    /// The draft an operation starts with: the definition's defaults and
    /// examples, the `--server` override, and the credentials shared with
    /// every request of its API.
    pub(super) fn fresh_draft(&self, op: OpRef) -> crate::request::Draft {
        let (api, operation) = self.state.catalog.operation(op);
        let mut draft = crate::request::Draft::new(api, operation, &self.state.vars);
        if let Some(url) = &self.state.server_override {
            draft.server_url = Some(url.clone());
        }
        if let Some(shared) = self.state.shared_auth.get(&api.id) {
            draft.auth.extend(shared.iter().cloned());
        }
        draft
    }

    /// Rebuilds the current request for the URL line and the previews.
    pub fn refresh_preview(&mut self) {
        let Some(op) = self.state.open else {
            return;
        };
        let with_tokens = self.draft_with_held_tokens(op);
        let (api, operation) = self.state.catalog.operation(op);
        if let Some(s) = self.state.ops.get_mut(&op) {
            s.editor.refresh_preview(api, operation, &self.state.vars);
            // The session's OAuth tokens go into what the previews, curl
            // and the code samples show (masked), as F5 will send them.
            if let Some(draft) = with_tokens {
                s.editor.preview = Some(crate::request::sketch(
                    api,
                    operation,
                    &draft,
                    &self.state.vars,
                ));
            }
            self.dirty = true;
        }
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
}

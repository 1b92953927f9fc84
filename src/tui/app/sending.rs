//! Sending the open request and what comes back: the send task (the core's
//! send pipeline, then the history record off the UI thread), cancelling, the spinner and
//! Retry-After ticks, and results arriving on the queue.
//!
//! ```text
//! send task: call::Call::send -> Sent::capture_on_success
//!            -> Msg::Response { after: captured values, problems }
//!            -> Sent::record (blocking pool) -> Msg::Tools(Recorded)
//! ```
//!
//! A send's result is queued before its record is written; the record is
//! counted (`Tools::recording`) so quitting waits for it. Everything
//! recorded is masked by the store; drafts keep secrets as `{{variable}}`
//! references.

use std::time::{Duration, Instant};

use ratatui::backend::Backend;
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use super::oauth::TokenStep;
use super::{App, Focus, Msg, OpRef, ResponseMsg, State, ToolsMsg};
use crate::call::{Call, Captured, OAuthTokens, Recorded};
use std::sync::Arc;

use crate::catalog::{Document, ResponseDoc, Variable};
use crate::http::{Engine, EngineConfig, ErrorKind, Progress, SendOptions};
use crate::request::{BuiltRequest, Vars};
use crate::sanitize;
use crate::secrets::MASK;
use crate::store::History;
use crate::tui::keymap::Action;
use crate::tui::outcome::{Failure, Outcome};
use crate::tui::views::response::{RequestState, ResponseView};
use crate::units::elapsed_text;
use crate::validate;

/// What happened around a send besides the response.
#[derive(Debug, Default)]
pub struct AfterSend {
    /// Values the operation's captures took, to store as variables.
    pub captured: Vec<(String, Variable)>,
    pub capture_error: Option<String>,
    /// A capture whose value this answer does not have yet (not an error).
    pub capture_pending: Option<String>,
}

/// What the send task checks the answer against: the operation's
/// documented responses and the definition they refer into.
pub(crate) struct ResponseCheck {
    document: Option<Arc<Document>>,
    responses: Vec<ResponseDoc>,
}

impl ResponseCheck {
    /// The answer's differences from the documented responses; `None`
    /// when the operation documents none.
    fn check(&self, response: &crate::http::Response) -> Option<Vec<validate::Problem>> {
        (!self.responses.is_empty()).then(|| {
            validate::check_response_in(self.document.as_deref(), &self.responses, response)
        })
    }
}

/// Sends through the pipeline (`crate::call`: the answer's secrets
/// masked, the operation's captures applied to a 2xx answer), hands the
/// result to `deliver`, and only then records it in history: the file
/// write (a few milliseconds) no longer stands between the answer and the
/// screen. Returns what recording made of it: `None` when nothing was to
/// be recorded (no home, or a cancelled send, which the user took back),
/// else the error if the write failed.
#[allow(clippy::too_many_arguments)]
pub(crate) async fn send_and_record(
    engine: &Engine,
    call: Call,
    mut vars: Vars,
    history: Option<History>,
    options: SendOptions,
    cancel: CancellationToken,
    deliver: impl FnOnce(Result<Box<Outcome>, Failure>, AfterSend, bool),
) -> Option<Result<(), String>> {
    let mut sent = call.send(engine, options, &vars, cancel).await;
    let mut after = AfterSend::default();
    match sent.capture_on_success(&mut vars) {
        Captured::Stored(values) => {
            after.captured = values
                .iter()
                .filter_map(|v| Some((v.variable.clone(), vars.captured.get(&v.variable)?.clone())))
                .collect();
        }
        Captured::Failed(e) => match e.not_there_yet() {
            Some(news) => after.capture_pending = Some(news),
            None => after.capture_error = Some(e.to_string()),
        },
        Captured::NotYet | Captured::Skipped => {}
    }
    let recording = history.is_some() && !sent.cancelled();
    let shown = match &sent.result {
        Ok(exchange) => Ok(Box::new(Outcome::from_exchange(
            exchange.clone(),
            &sent.secrets(),
        ))),
        Err(e) => Err(e.clone().into()),
    };
    deliver(shown, after, recording);
    if !recording {
        return None;
    }
    let joined = tokio::task::spawn_blocking(move || match sent.record(history.as_ref()) {
        Recorded::Failed(e) => Err(e.to_string()),
        Recorded::Yes | Recorded::Skipped => Ok(()),
    })
    .await;
    Some(joined.unwrap_or_else(|e| Err(format!("recording the request failed: {e}"))))
}

/// Sends requests; one engine (one connection pool) per process.
#[derive(Clone)]
pub struct Sender {
    engine: Engine,
    timeout: Option<Duration>,
}

impl Sender {
    /// `timeout` bounds each request; `None` waits until cancelled.
    pub fn new(timeout: Option<Duration>) -> anyhow::Result<Self> {
        Ok(Self {
            engine: Engine::new(EngineConfig::default())?,
            timeout,
        })
    }

    /// The limit on one request.
    pub fn timeout(&self) -> Option<Duration> {
        self.timeout
    }

    /// The options every send of the TUI uses: its timeout, and the API's
    /// TLS switch.
    pub fn options(
        &self,
        skip_tls_verify: bool,
        progress: Option<tokio::sync::watch::Sender<Progress>>,
    ) -> SendOptions {
        SendOptions {
            timeout: self.timeout,
            accept_invalid_certs: skip_tls_verify,
            progress,
            ..SendOptions::default()
        }
    }

    /// Sends `req` to an API (`skip_tls_verify`: its TLS switch);
    /// `progress` follows the body as it arrives.
    pub async fn send(
        &self,
        req: BuiltRequest,
        skip_tls_verify: bool,
        cancel: CancellationToken,
        progress: Option<tokio::sync::watch::Sender<Progress>>,
    ) -> Result<Outcome, Failure> {
        let options = self.options(skip_tls_verify, progress);
        match self.engine.send(&req, &options, cancel).await {
            Ok(exchange) => Ok(Outcome::from_exchange(exchange, &req.secret_values)),
            Err(e) => Err(e.into()),
        }
    }

    /// The engine (one connection pool), for flow runs.
    pub fn engine(&self) -> &Engine {
        &self.engine
    }
}

impl<B: Backend> App<B> {
    pub(super) fn send(&mut self) {
        let Some(op) = self.state.open else {
            self.notice("Open an operation first (Enter in the catalog)", true);
            return;
        };
        let Some(sender) = self.sender_or_explain() else {
            return;
        };
        self.refresh_preview();
        // OAuth 2.0 schemes take the session's tokens (fetched first when
        // missing); the draft itself keeps its empty credential.
        let (with_tokens, oauth) = match self.tokens_for_send(op) {
            TokenStep::Ready(with_tokens, used) => (with_tokens, used),
            TokenStep::Fetching => return,
            TokenStep::Failed(why) => {
                self.notice(
                    format!(
                        "Not sent: {why}. In the Auth tab, type a token for it or switch it off (Space)"
                    ),
                    true,
                );
                return;
            }
        };
        let (api, operation) = self.state.catalog.operation(op);
        let Some(s) = self.state.ops.get_mut(&op) else {
            return;
        };
        let draft = with_tokens.as_deref().unwrap_or(&s.editor.draft);
        let req = match crate::request::build(api, operation, draft, &self.state.vars) {
            Ok(req) => req,
            Err(e) => {
                s.editor.pin_error(&e, api);
                self.state.focus = Focus::Request;
                self.notice(format!("Not sent: {e}"), true);
                return;
            }
        };
        s.editor.error = None;
        // Differences from the definition never block a send, and are
        // never sent unseen: the first F5 shows them, the next one sends.
        let problems = validate::check_request(api, operation, &s.editor.draft, &req);
        if !problems.is_empty() && problems != s.warned {
            let first = sanitize::clean_line(&problems[0].to_string()).into_owned();
            let more = match problems.len() {
                1 => String::new(),
                n => format!(" (and {} more)", n - 1),
            };
            s.warned = problems;
            self.notice(
                format!("Differs from the definition: {first}{more}. F5 again sends it anyway"),
                true,
            );
            return;
        }
        s.warned = problems;
        let checker = ResponseCheck {
            document: api.document.clone(),
            responses: operation.responses.clone(),
        };
        let call = Call::new(api, operation, req)
            .with_draft(s.editor.draft.clone())
            .with_oauth(OAuthTokens {
                used: oauth,
                tokens: self.state.tokens.clone(),
                prompts: None,
            });
        let history = self.state.tools.history();
        let vars = self.state.vars.clone();
        if let RequestState::InFlight { cancel, .. } = &s.request {
            cancel.cancel();
        }
        let id = self.next_id;
        self.next_id += 1;
        let cancel = CancellationToken::new();
        let (progress_tx, progress) = tokio::sync::watch::channel(Progress::default());
        s.request = RequestState::InFlight {
            id,
            started: Instant::now(),
            cancel: cancel.clone(),
            progress,
            token: None,
        };
        tracing::info!(id, method = %call.built.method, url = %call.built.masked().url, "send");
        let options = sender.options(false, Some(progress_tx));
        let tx = self.tx.clone();
        let done = CancellationToken::new();
        let guard = done.clone().drop_guard();
        tokio::spawn(async move {
            let _stop_ticks = guard;
            // Laid out here, off the UI thread: checking, pretty-printing
            // and indexing a 14 MB answer takes a while. Such an answer is
            // first shown from its start, then whole; keys work meanwhile.
            let deliver = |result: Result<Box<Outcome>, Failure>, after, recording| {
                let respond = |result| {
                    let _ = tx.send(Msg::Response(ResponseMsg {
                        id,
                        op,
                        result,
                        after,
                        recording,
                    }));
                };
                let mut outcome = match result {
                    Ok(outcome) => outcome,
                    Err(failure) => return respond(Err(failure)),
                };
                match ResponseView::preview(&outcome) {
                    Some(preview) => {
                        respond(Ok(Box::new(preview)));
                        outcome.verdict = checker.check(&outcome.response);
                        let whole = Box::new(ResponseView::new(*outcome));
                        let _ = tx.send(Msg::LaidOut(id, op, whole));
                    }
                    None => {
                        outcome.verdict = checker.check(&outcome.response);
                        respond(Ok(Box::new(ResponseView::new(*outcome))));
                    }
                }
            };
            let recorded = send_and_record(
                sender.engine(),
                call,
                vars,
                history,
                options,
                cancel,
                deliver,
            )
            .await;
            if let Some(result) = recorded {
                let _ = tx.send(Msg::Tools(ToolsMsg::Recorded(result)));
            }
        });
        spawn_ticker(self.tx.clone(), Duration::from_millis(100), done);
        self.dirty = true;
    }

    /// Puts a large answer laid out whole in place of its preview, if
    /// that is still what the operation shows.
    pub(super) fn on_laid_out(&mut self, id: u64, op: OpRef, whole: ResponseView) {
        let Some(s) = self.state.ops.get_mut(&op) else {
            return;
        };
        if let RequestState::Done { id: shown, view } = &mut s.request
            && *shown == id
        {
            view.laid_out(whole);
            self.dirty = true;
        }
    }

    pub(super) fn on_response(&mut self, msg: ResponseMsg) {
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
            Ok(view) => {
                let outcome = &view.outcome;
                tracing::info!(id, status = outcome.response.status, total = ?outcome.timing.total, "received");
                if let Some(until) = view.retry_until {
                    self.state.countdown_until = Some(until);
                    spawn_countdown(self.tx.clone(), until);
                }
                RequestState::Done { id, view }
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

    /// Builds the HTTP client now (after the first frame) rather than at
    /// the first send; a failure is told at the send, as before.
    pub fn warm_up(&mut self) {
        if self.sender.is_none()
            && let Ok(sender) = Sender::new(self.state.config.timeout)
        {
            self.sender = Some(sender);
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
    fn after_send(&mut self, after: AfterSend) {
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
        if let Some(news) = after.capture_pending {
            notes.push(news);
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
                    elapsed_text(limit)
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
pub(super) fn spawn_ticker(
    tx: mpsc::UnboundedSender<Msg>,
    period: Duration,
    stop: CancellationToken,
) {
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

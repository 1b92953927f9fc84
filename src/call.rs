//! The one pipeline that sends an operation, shared by the CLI (`portico
//! call`), the TUI (F5) and the flow runner (each attempt of a step).
//!
//! ```text
//! Call::new(api, op, built) [.with_draft(draft)] [.with_captures(more)]
//!   --send(engine, options, vars, cancel)-->  Sent
//!        Sent.result     the exchange, or why there is none (cancel, timeout…)
//!        Sent.secrets()  every value to mask: the request's own, the secret
//!                        variables, and the tokens this answer hands out
//!   --capture(vars)-->   Sent.captured: what the operation's captures stored
//!   --record(history)--> the history entry, masked (a blocking file write)
//! ```
//!
//! Each step's outcome stays in [`Sent`], so a face only shows what
//! happened: none of them masks, captures or records on its own. The
//! steps are separate calls because the faces order them differently:
//! the TUI shows the answer before it records it (the write runs off the
//! UI thread), and a flow captures only once its poll condition holds.

use tokio_util::sync::CancellationToken;

use crate::catalog::{Api, Capture, Operation, OperationKey};
use crate::flow::{CaptureError, CapturedValue, apply_captures, secrets_to_mask};
use crate::http::{Engine, ErrorKind, Exchange, RequestError, SendOptions};
use crate::oauth::authorize::{OAuthUse, renew};
use crate::oauth::{FlowContext, Prompt, Tokens, record_exchanges, says_invalid_token};
use crate::request::{BuiltRequest, Draft, Vars};
use crate::store::{History, StoreError};

/// One operation's request, ready to go through the pipeline.
#[derive(Debug, Clone)]
pub struct Call {
    pub key: OperationKey,
    pub built: BuiltRequest,
    /// What the user typed, recorded beside the request so that history
    /// can load it back into the editor; `None` for flow steps.
    pub draft: Option<Draft>,
    /// The operation's declared captures (and a flow step's own).
    pub captures: Vec<Capture>,
    /// The API's `tls_verify = false`, on top of the options' own switch.
    pub skip_tls_verify: bool,
    /// The OAuth 2.0 tokens the request carries: a 401 `invalid_token`
    /// gets new ones and one replay.
    pub oauth: Option<OAuthTokens>,
}

/// The tokens a call carries and where the session keeps them.
#[derive(Debug, Clone)]
pub struct OAuthTokens {
    pub used: Vec<OAuthUse>,
    pub tokens: Tokens,
    /// Where a renewal that needs the user (a device code) tells them.
    pub prompts: Option<tokio::sync::mpsc::UnboundedSender<Prompt>>,
}

impl Call {
    pub fn new(api: &Api, op: &Operation, built: BuiltRequest) -> Self {
        Self {
            key: op.key(api),
            built,
            draft: None,
            captures: op.captures.clone(),
            skip_tls_verify: api.skip_tls_verify,
            oauth: None,
        }
    }

    /// The call carries these OAuth 2.0 tokens (from
    /// [`oauth::authorize`](crate::oauth::authorize::authorize)).
    #[must_use]
    pub fn with_oauth(mut self, oauth: OAuthTokens) -> Self {
        self.oauth = (!oauth.used.is_empty()).then_some(oauth);
        self
    }

    #[must_use]
    pub fn with_draft(mut self, draft: Draft) -> Self {
        self.draft = Some(draft);
        self
    }

    /// Adds captures after the operation's own (a flow step's).
    #[must_use]
    pub fn with_captures(mut self, more: impl IntoIterator<Item = Capture>) -> Self {
        self.captures.extend(more);
        self
    }

    /// Sends the request (cancellable; progress through `options`) and
    /// works out what the answer must have masked wherever it is shown or
    /// kept.
    pub async fn send(
        mut self,
        engine: &Engine,
        mut options: SendOptions,
        vars: &Vars,
        cancel: CancellationToken,
    ) -> Sent {
        options.accept_invalid_certs |= self.skip_tls_verify;
        let mut result = engine.send(&self.built, &options, cancel.clone()).await;
        let refused = |result: &Result<Exchange, RequestError>| {
            result
                .as_ref()
                .is_ok_and(|e| says_invalid_token(e.response.status, &e.response.headers))
        };
        let mut renewal = Renewal::default();
        if let Some(oauth) = self.oauth.as_mut()
            && refused(&result)
        {
            let mut ctx = FlowContext::new(engine, cancel.clone());
            ctx.prompts = oauth.prompts.clone();
            if renew(&mut self.built, &mut oauth.used, &oauth.tokens, &mut ctx).await {
                result = engine.send(&self.built, &options, cancel).await;
            }
            renewal = Renewal {
                exchanges: ctx.exchanges(),
                secrets: ctx.secrets(),
            };
        }
        // Besides the request's own: every secret variable, and the
        // tokens this answer hands out to a secret capture.
        let also_secret = secrets_to_mask(&self.captures, result.as_ref().ok(), vars);
        // The record turns secrets into `{{variable}}` references with the
        // variables as they were when the request was sent.
        let vars_at_send = self.draft.as_ref().map(|_| vars.clone());
        Sent {
            call: self,
            result,
            also_secret,
            vars_at_send,
            captured: Captured::NotYet,
            renewal,
        }
    }
}

/// What the pipeline did with one call; each step's outcome is a field.
#[derive(Debug)]
pub struct Sent {
    pub call: Call,
    /// The answer, or why there is none.
    pub result: Result<Exchange, RequestError>,
    /// Secrets beyond the request's own (see [`Sent::secrets`]).
    also_secret: Vec<String>,
    vars_at_send: Option<Vars>,
    /// What the captures did, once [`Sent::capture`] ran.
    pub captured: Captured,
    /// The token requests of a renewal after `invalid_token`, recorded
    /// before the call.
    renewal: Renewal,
}

/// The exchanges with the authorization server that a renewal made, and
/// the secrets they carry.
#[derive(Debug, Default)]
struct Renewal {
    exchanges: Vec<Exchange>,
    secrets: Vec<String>,
}

/// The capture step's outcome.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Captured {
    /// Not run (yet), or the operation declares no captures.
    NotYet,
    /// The answer was no success (or there was none): nothing to take.
    Skipped,
    /// Each variable stored, in the order declared.
    Stored(Vec<CapturedValue>),
    Failed(CaptureError),
}

/// The record step's outcome.
#[derive(Debug)]
pub enum Recorded {
    /// Written to history.
    Yes,
    /// Nothing to record: no history (no home directory), or the user
    /// cancelled the send.
    Skipped,
    /// The history file could not be written: a warning, not a failure.
    Failed(StoreError),
}

impl Sent {
    /// The exchange, when one came back.
    pub fn exchange(&self) -> Option<&Exchange> {
        self.result.as_ref().ok()
    }

    /// The user took the send back (Esc, Ctrl+C).
    pub fn cancelled(&self) -> bool {
        matches!(&self.result, Err(e) if e.kind == ErrorKind::Cancelled)
    }

    /// Every value to mask in what is shown or kept of this call: the
    /// request's own secrets, the secret variables, and the tokens the
    /// answer hands out.
    pub fn secrets(&self) -> Vec<String> {
        let mut secrets = self.call.built.secret_values.clone();
        secrets.extend(self.also_secret.iter().cloned());
        secrets
    }

    /// Applies the captures to a 2xx answer: what the CLI and the TUI
    /// do after a send. A flow decides itself when a step's answer is
    /// final and calls [`Sent::capture`].
    pub fn capture_on_success(&mut self, vars: &mut Vars) -> &Captured {
        let success = self
            .exchange()
            .is_some_and(|e| (200..300).contains(&e.response.status));
        if success {
            self.capture(vars)
        } else {
            if !self.call.captures.is_empty() {
                self.captured = Captured::Skipped;
            }
            &self.captured
        }
    }

    /// Applies the captures to the answer, whatever its status, storing
    /// the values in `vars.captured`.
    pub fn capture(&mut self, vars: &mut Vars) -> &Captured {
        self.captured = match &self.result {
            _ if self.call.captures.is_empty() => Captured::NotYet,
            Err(_) => Captured::Skipped,
            Ok(exchange) => match apply_captures(&self.call.captures, exchange, vars) {
                Ok(pairs) => Captured::Stored(
                    pairs
                        .into_iter()
                        .map(|(variable, value)| {
                            let secret = vars.captured.get(&variable).is_some_and(|v| v.secret);
                            CapturedValue {
                                variable,
                                value,
                                secret,
                            }
                        })
                        .collect(),
                ),
                Err(e) => Captured::Failed(e),
            },
        };
        &self.captured
    }

    /// Records the call in `history`, masked like everything else of it.
    /// A blocking file write: the TUI runs it off its UI thread.
    pub fn record(&self, history: Option<&History>) -> Recorded {
        let Some(history) = history.filter(|_| !self.cancelled()) else {
            return Recorded::Skipped;
        };
        if let Err(e) = record_exchanges(history, &self.renewal.exchanges, &self.renewal.secrets) {
            return Recorded::Failed(e);
        }
        let source = self.call.draft.as_ref().zip(self.vars_at_send.as_ref());
        match history.record(
            Some(self.call.key.clone()),
            source,
            &self.call.built,
            self.result.as_ref(),
            &self.also_secret,
        ) {
            Ok(()) => Recorded::Yes,
            Err(e) => Recorded::Failed(e),
        }
    }
}

//! What a send left for the panes to show: the engine's response with what
//! the screen needs beyond it ([`Outcome`]), or why there is none
//! ([`Failure`]).

use std::time::Duration;

use crate::http::{ErrorKind, Exchange, RequestError, Response, Timing};
use crate::request::BuiltRequest;
use crate::validate::Problem;

/// A finished exchange as the response pane shows it.
#[derive(Debug, Clone)]
pub struct Outcome {
    /// The engine's response, as received.
    pub response: Response,
    /// The request as sent on the last hop, secrets masked.
    pub sent: BuiltRequest,
    /// Each redirect followed: status, from, to (masked).
    pub redirects: Vec<(u16, String, String)>,
    pub timing: Timing,
    /// The request's secret values, masked wherever the answer echoes
    /// them (body, headers) until revealed.
    pub secrets: Vec<String>,
    /// The answer against the definition: `None` when the operation
    /// documents no response (or the answer came from history), else each
    /// difference (none: it matches).
    pub verdict: Option<Vec<Problem>>,
}

impl Outcome {
    /// The exchange with the request and redirects masked: `secrets` are
    /// the request's own and any other value to hide (captured tokens).
    pub(crate) fn from_exchange(exchange: Exchange, secrets: &[String]) -> Self {
        let Exchange {
            request,
            redirects,
            response,
            timing,
        } = exchange;
        let sent = BuiltRequest {
            method: request.method,
            url: request.url,
            headers: request.headers,
            body: request.body,
            secret_values: secrets.to_vec(),
            form: Vec::new(),
            body_file: None,
        }
        .masked();
        let masker = crate::secrets::Masker::new(secrets.iter().cloned());
        Self {
            response,
            sent,
            redirects: redirects
                .into_iter()
                .map(|h| (h.status, masker.mask(&h.url), masker.mask(&h.location)))
                .collect(),
            timing,
            secrets: secrets.to_vec(),
            verdict: None,
        }
    }
}

/// Why a send produced no response.
#[derive(Debug, Clone)]
pub struct Failure {
    pub message: String,
    pub elapsed: Duration,
    /// The engine's kind of error; `None` when the failure is not the
    /// engine's (a history entry without a response, a failed record).
    pub kind: Option<ErrorKind>,
    /// What the user can do about it, when there is something.
    pub hint: Option<String>,
}

impl Failure {
    /// The user took the send back (Esc), rather than it failing.
    pub fn cancelled(&self) -> bool {
        self.kind == Some(ErrorKind::Cancelled)
    }
}

impl From<RequestError> for Failure {
    fn from(e: RequestError) -> Self {
        let message = if e.url.is_empty() {
            e.message.clone()
        } else {
            format!("{}: {}", e.message, e.url)
        };
        Self {
            message,
            elapsed: e.elapsed,
            kind: Some(e.kind),
            hint: None,
        }
    }
}

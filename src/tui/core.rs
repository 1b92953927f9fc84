//! The TUI's one seam to the core: drafts, builds, curl export, sending
//! and search. Panes read [`Outcome`] and [`Failure`], shaped for display
//! (the request as sent already masked), not the engine's types.

use std::time::Duration;

use bytes::Bytes;
use tokio_util::sync::CancellationToken;

use crate::catalog::search::SearchIndex;
use crate::catalog::{Api, Catalog, Operation};
use crate::http::{Engine, EngineConfig, Exchange, RequestError, SendOptions};

pub use crate::http::{ErrorKind, Progress};
use crate::request::{BuildError, BuiltRequest, Draft, Vars};

/// What the response pane shows for a finished exchange.
#[derive(Debug, Clone)]
pub struct Outcome {
    /// The request as sent on the last hop, secrets masked.
    pub sent: BuiltRequest,
    /// Each redirect followed: status, from, to.
    pub redirects: Vec<(u16, String, String)>,
    pub version: String,
    pub status: u16,
    pub reason: String,
    /// As received, repeats kept, in order.
    pub headers: Vec<(String, String)>,
    pub body: Bytes,
    /// The body was cut at the engine's cap.
    pub truncated: bool,
    /// Body bytes after decompression.
    pub size: u64,
    /// Body bytes on the wire, and the encoding decoded, if any.
    pub wire_size: u64,
    pub decoded_from: Option<String>,
    pub time_to_headers: Duration,
    pub total: Duration,
    /// The request's secret values, masked wherever the answer echoes
    /// them (body, headers) until revealed.
    pub secrets: Vec<String>,
}

impl Outcome {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

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
        }
        .masked();
        let masker = crate::secrets::Masker::new(secrets.iter().cloned());
        Self {
            sent,
            redirects: redirects
                .into_iter()
                .map(|h| (h.status, masker.mask(&h.url), masker.mask(&h.location)))
                .collect(),
            version: response.version,
            status: response.status,
            reason: response.reason,
            headers: response.headers,
            body: response.body,
            truncated: response.truncated,
            size: response.size,
            wire_size: response.wire_size,
            decoded_from: response.decoded_from,
            time_to_headers: timing.headers,
            total: timing.total,
            secrets: secrets.to_vec(),
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

/// A fresh draft for an operation: defaults, examples and the sample
/// body filled in.
pub fn new_draft(api: &Api, op: &Operation, vars: &Vars) -> Draft {
    Draft::new(api, op, vars)
}

/// The best-effort request (missing values as placeholders) and every
/// problem, for the live URL line.
pub fn preview(
    api: &Api,
    op: &Operation,
    draft: &Draft,
    vars: &Vars,
) -> (BuiltRequest, Vec<BuildError>) {
    crate::request::preview(api, op, draft, vars)
}

pub fn build(
    api: &Api,
    op: &Operation,
    draft: &Draft,
    vars: &Vars,
) -> Result<BuiltRequest, BuildError> {
    crate::request::build(api, op, draft, vars)
}

pub fn is_json_content_type(content_type: &str) -> bool {
    crate::request::is_json_content_type(content_type)
}

/// The request with every secret replaced by the mask.
pub fn masked(req: &BuiltRequest) -> BuiltRequest {
    req.masked()
}

pub fn to_curl(req: &BuiltRequest, mask: bool) -> String {
    crate::interchange::curl::to_curl(req, mask)
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

    /// The engine's own answer, for callers that record or capture from
    /// it before it is shaped for display.
    pub async fn send_exchange(
        &self,
        req: &BuiltRequest,
        skip_tls_verify: bool,
        cancel: CancellationToken,
        progress: Option<tokio::sync::watch::Sender<Progress>>,
    ) -> Result<Exchange, RequestError> {
        let options = self.options(skip_tls_verify, progress);
        self.engine.send(req, &options, cancel).await
    }

    /// The engine (one connection pool), for flow runs.
    pub fn engine(&self) -> &Engine {
        &self.engine
    }
}

/// Ranked operations for a filter text: `(api index, operation index)`.
pub struct Search {
    index: SearchIndex,
}

impl Search {
    pub fn new(catalog: &Catalog) -> Self {
        Self {
            index: SearchIndex::new(catalog),
        }
    }

    pub fn query(&self, text: &str, limit: usize) -> Vec<(usize, usize)> {
        self.index
            .query(text, limit)
            .into_iter()
            .map(|h| (h.api, h.op))
            .collect()
    }
}

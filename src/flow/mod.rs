//! Chained calls: captures, polling and flows.
//!
//! A [`Flow`] (a portal file's `[[flow]]`) is a named sequence of steps.
//! Each step is an operation prefilled like a new draft, with overrides
//! whose values may use variables captured by earlier steps; it is sent
//! (a 429 waits out its `Retry-After`), optionally repeated until a
//! JSONPath value says the work is done, checked against the statuses it
//! expects, and its captures are stored for the next steps.
//!
//! ```text
//! Flow --check--> steps resolved (selectors, JSONPaths, statuses) | FlowError
//!   for each step:
//!     Draft::new + overrides --build--> Call --call::Call::send (+ record)--> Sent
//!        ^   (Vars: environment + captured)      ^  429: wait Retry-After  |
//!        |                                       +--- poll: every N s -----+ until `$.x` in [...]
//!        +------------ Sent::capture (JSONPath -> Vars::captured) <---------+
//!   events (step started, attempt, capture, step finished, flow finished) --mpsc--> UI
//!   --> FlowReport (per step: status, timings, attempts, captured values; outcome)
//! ```
//!
//! Everything is checked before the first request, so a typo in step 5
//! does not leave steps 1 to 4 half done. Cancelling the token stops the
//! run at once, mid-request or mid-wait.

mod capture;
mod step;
mod wait;

use std::time::{Duration, Instant, SystemTime};

use serde_json::{Value, json};
use serde_json_path::JsonPath;
use thiserror::Error;
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

pub use capture::{CaptureError, apply_captures, secrets_to_mask};
pub use wait::retry_after;

use crate::call::{Call, Captured, Recorded, Sent};
use crate::catalog::{Api, Capture, Catalog, Flow, FlowStep, Operation, Poll};
use crate::http::{Engine, ErrorKind, Exchange, RequestError, SendOptions};
use crate::request::{self, BuildError, Draft, Row, Vars};
use crate::secrets::{MASK, Masker};
use crate::store::History;
use crate::units::elapsed_text;

/// How long a step waits out one 429 unless told otherwise.
pub const DEFAULT_MAX_RATE_LIMIT_WAIT: Duration = Duration::from_secs(120);
/// How long a 429 without a readable `Retry-After` waits.
const RATE_LIMIT_FALLBACK: Duration = Duration::from_secs(1);
/// How many 429s in a row a step waits out before giving up.
const MAX_RATE_LIMIT_RETRIES: u32 = 20;

/// What a run needs besides the flow and the variables.
#[derive(Debug, Clone)]
pub struct RunContext<'a> {
    pub catalog: &'a Catalog,
    pub engine: &'a Engine,
    /// A base URL that replaces every API's own (`--server`).
    pub server_url: Option<String>,
    /// Per-request options (timeout, body cap) for every send.
    pub send: SendOptions,
    /// Progress, as it happens, for a UI.
    pub events: Option<mpsc::UnboundedSender<FlowEvent>>,
    pub cancel: CancellationToken,
    /// The longest `Retry-After` a step waits out; longer fails the step.
    pub max_rate_limit_wait: Duration,
    /// Where every attempt is recorded, masked, like any other send.
    pub history: Option<History>,
    /// The session's OAuth 2.0 tokens: a step whose operation needs one
    /// takes it from here, or gets it by client credentials.
    pub tokens: crate::oauth::Tokens,
}

impl<'a> RunContext<'a> {
    pub fn new(catalog: &'a Catalog, engine: &'a Engine) -> Self {
        Self {
            catalog,
            engine,
            server_url: None,
            send: SendOptions::default(),
            events: None,
            cancel: CancellationToken::new(),
            max_rate_limit_wait: DEFAULT_MAX_RATE_LIMIT_WAIT,
            history: None,
            tokens: crate::oauth::Tokens::default(),
        }
    }

    fn emit(&self, event: FlowEvent) {
        if let Some(events) = &self.events {
            // A UI that went away does not stop the run.
            let _ = events.send(event);
        }
    }
}

/// Progress of a run, in order.
#[derive(Debug, Clone)]
pub enum FlowEvent {
    /// A step's request is built and about to be sent; `url` is masked and
    /// `None` when the build failed.
    StepStarted {
        step: usize,
        total: usize,
        name: String,
        method: String,
        url: Option<String>,
    },
    /// One request of a step was answered (or failed).
    Attempt { step: usize, attempt: AttemptReport },
    /// A value was captured into a variable.
    Captured {
        step: usize,
        variable: String,
        value: String,
        secret: bool,
    },
    /// Boxed: a report (with its exchange) is much larger than the rest.
    StepFinished {
        step: usize,
        report: Box<StepReport>,
    },
    /// The run ended; the same outcome and reason as the returned report.
    FlowFinished {
        outcome: FlowOutcome,
        reason: Option<String>,
        elapsed: Duration,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FlowOutcome {
    Succeeded,
    Failed,
    Cancelled,
}

impl FlowOutcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Succeeded => "succeeded",
            Self::Failed => "failed",
            Self::Cancelled => "cancelled",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StepOutcome {
    Succeeded,
    Failed,
    Cancelled,
    /// Not run because an earlier step did not succeed.
    Skipped,
}

impl StepOutcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Succeeded => "succeeded",
            Self::Failed => "failed",
            Self::Cancelled => "cancelled",
            Self::Skipped => "skipped",
        }
    }
}

/// One request of a step.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttemptReport {
    /// 1-based, counting every request of the step (429s included).
    pub number: u32,
    /// `None` when no response came (connection refused, cancelled...).
    pub status: Option<u16>,
    pub reason: String,
    /// From the send to the end of the body.
    pub latency: Duration,
    /// When it was sent, from the start of the run.
    pub at: Duration,
    /// The polled value (`Running`), for a step that polls.
    pub value: Option<String>,
    /// A 429 that was waited out: how long.
    pub rate_limited: Option<Duration>,
    /// Why the attempt failed, if it did.
    pub error: Option<String>,
}

/// A captured value, as stored in `Vars::captured`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CapturedValue {
    pub variable: String,
    pub value: String,
    pub secret: bool,
}

/// What one step did.
#[derive(Debug, Clone)]
pub struct StepReport {
    pub index: usize,
    pub name: String,
    /// `METHOD /path` of the operation, when the selector resolved.
    pub operation: String,
    pub method: String,
    /// The URL sent, secrets masked.
    pub url: Option<String>,
    /// The final response's status, if one came.
    pub status: Option<u16>,
    pub reason: String,
    pub outcome: StepOutcome,
    pub error: Option<String>,
    /// When the step started, from the start of the run.
    pub started: Duration,
    pub elapsed: Duration,
    pub attempts: Vec<AttemptReport>,
    pub captured: Vec<CapturedValue>,
    /// The last exchange, for a UI to show (and tests to check).
    pub exchange: Option<Exchange>,
}

/// What a run did: every step (those not run as skipped) and the outcome.
#[derive(Debug, Clone)]
pub struct FlowReport {
    pub flow: String,
    pub outcome: FlowOutcome,
    /// Why it failed or was cancelled, in one line naming the step.
    pub reason: Option<String>,
    /// The index of the step that failed or was cancelled.
    pub failed_step: Option<usize>,
    pub steps: Vec<StepReport>,
    pub elapsed: Duration,
}

impl FlowReport {
    pub fn succeeded(&self) -> bool {
        self.outcome == FlowOutcome::Succeeded
    }

    /// The report as one JSON object; secret captured values are masked
    /// unless `reveal`.
    pub fn to_json(&self, reveal: bool) -> Value {
        let steps: Vec<Value> = self
            .steps
            .iter()
            .map(|step| step_json(step, reveal))
            .collect();
        json!({
            "flow": self.flow,
            "outcome": self.outcome.as_str(),
            "reason": self.reason,
            "failed_step": self.failed_step.map(|i| i + 1),
            "elapsed_ms": millis(self.elapsed),
            "steps": steps,
        })
    }
}

fn millis(d: Duration) -> f64 {
    (d.as_secs_f64() * 1_000_000.0).round() / 1000.0
}

fn step_json(step: &StepReport, reveal: bool) -> Value {
    let attempts: Vec<Value> = step
        .attempts
        .iter()
        .map(|a| {
            json!({
                "number": a.number,
                "status": a.status,
                "latency_ms": millis(a.latency),
                "at_ms": millis(a.at),
                "value": a.value,
                "rate_limited_ms": a.rate_limited.map(millis),
                "error": a.error,
            })
        })
        .collect();
    let captured: serde_json::Map<String, Value> = step
        .captured
        .iter()
        .map(|c| {
            let value = if c.secret && !reveal {
                MASK.to_string()
            } else {
                c.value.clone()
            };
            (c.variable.clone(), Value::String(value))
        })
        .collect();
    let body = step.exchange.as_ref().map(|e| {
        let text = e.response.body_text();
        text.text.into_owned()
    });
    json!({
        "step": step.index + 1,
        "name": step.name,
        "operation": step.operation,
        "method": step.method,
        "url": step.url,
        "status": step.status,
        "reason": step.reason,
        "outcome": step.outcome.as_str(),
        "error": step.error,
        "started_ms": millis(step.started),
        "elapsed_ms": millis(step.elapsed),
        "attempts": attempts,
        "captured": captured,
        "body": body,
    })
}

/// Why a flow cannot be found or run at all.
#[derive(Debug, Clone, Error, PartialEq, Eq)]
pub enum FlowError {
    #[error("no flow named `{name}` ({})", known_list(known))]
    Unknown { name: String, known: Vec<String> },
    /// A step that cannot run as written (unknown operation, bad JSONPath,
    /// bad expected status): found before anything is sent.
    #[error("flow `{flow}`, step {} ({step_name}): {message}", step + 1)]
    InvalidStep {
        flow: String,
        step: usize,
        step_name: String,
        message: String,
    },
}

fn known_list(known: &[String]) -> String {
    if known.is_empty() {
        "the sources declare no flow".into()
    } else {
        format!("known: {}", known.join(", "))
    }
}

/// A flow by name (exact, else case-insensitive).
pub fn find<'c>(catalog: &'c Catalog, name: &str) -> Result<&'c Flow, FlowError> {
    catalog
        .flows
        .iter()
        .find(|f| f.name == name)
        .or_else(|| {
            catalog
                .flows
                .iter()
                .find(|f| f.name.eq_ignore_ascii_case(name))
        })
        .ok_or_else(|| FlowError::Unknown {
            name: name.to_string(),
            known: catalog.flows.iter().map(|f| f.name.clone()).collect(),
        })
}

/// Why a step failed.
#[derive(Debug, Clone, Error)]
enum StepError {
    #[error("cannot build the request: {0}")]
    Build(BuildError),
    #[error("no OAuth 2.0 token: {0}")]
    Token(String),
    #[error("{0}")]
    Request(RequestError),
    #[error("expected status {expected}, got {got}: {body}")]
    Status {
        expected: String,
        got: String,
        body: String,
    },
    #[error("{0}")]
    Capture(CaptureError),
    #[error("the poll ended with `{path}` = {value}{}", details.as_ref().map(|d| format!(": {d}")).unwrap_or_default())]
    PollEnded {
        path: String,
        value: String,
        details: Option<String>,
    },
    #[error("gave up polling after {attempts} attempts in {elapsed}: {last}")]
    PollGaveUp {
        attempts: u32,
        elapsed: String,
        last: String,
    },
    #[error("cannot read `{path}` of the poll: the response is not JSON: {what}")]
    PollNotJson { path: String, what: String },
    #[error("rate limited (429): {0}")]
    RateLimited(String),
    #[error("cancelled")]
    Cancelled,
}

/// A step with everything resolved and parsed.
struct Prepared<'c> {
    step: &'c FlowStep,
    name: String,
    api: &'c Api,
    op: &'c Operation,
    captures: Vec<Capture>,
    poll: Option<PreparedPoll<'c>>,
    expect: Vec<StatusPattern>,
}

struct PreparedPoll<'c> {
    spec: &'c Poll,
    until: JsonPath,
    details: Option<JsonPath>,
    every: Duration,
    timeout: Option<Duration>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum StatusPattern {
    Exact(u16),
    Class(u16),
    Any,
}

impl StatusPattern {
    fn parse(text: &str) -> Option<Self> {
        let t = text.trim().to_ascii_lowercase();
        if t == "any" || t == "*" {
            return Some(Self::Any);
        }
        if let Some(class) = t.strip_suffix("xx") {
            return match class.parse::<u16>() {
                Ok(c) if (1..=5).contains(&c) && class.len() == 1 => Some(Self::Class(c)),
                _ => None,
            };
        }
        match t.parse::<u16>() {
            Ok(code) if (100..=599).contains(&code) => Some(Self::Exact(code)),
            _ => None,
        }
    }

    fn matches(self, status: u16) -> bool {
        match self {
            Self::Exact(code) => status == code,
            Self::Class(class) => status / 100 == class,
            Self::Any => true,
        }
    }
}

/// Waiting `wait` from now ends after `deadline` (a wait too long for the
/// clock does too).
fn past(deadline: Instant, wait: Duration) -> bool {
    Instant::now()
        .checked_add(wait)
        .is_none_or(|end| end > deadline)
}

fn step_name(step: &FlowStep) -> String {
    step.name.clone().unwrap_or_else(|| step.operation.clone())
}

fn seconds(value: f64, what: &str) -> Result<Duration, String> {
    Duration::try_from_secs_f64(value)
        .map_err(|_| format!("{what} must be a number of seconds >= 0, not {value}"))
}

/// Resolves every step: selectors, JSONPaths, expected statuses and poll
/// limits; the first problem is an error naming its step.
fn prepare<'c>(catalog: &'c Catalog, flow: &'c Flow) -> Result<Vec<Prepared<'c>>, FlowError> {
    let mut out = Vec::with_capacity(flow.steps.len());
    for (index, step) in flow.steps.iter().enumerate() {
        let name = step_name(step);
        let invalid = |message: String| FlowError::InvalidStep {
            flow: flow.name.clone(),
            step: index,
            step_name: name.clone(),
            message,
        };
        let (a, o) = catalog
            .select(&step.operation)
            .map_err(|e| invalid(e.to_string()))?;
        let (api, op) = catalog.operation((a, o));
        let captures: Vec<Capture> = op.captures.iter().chain(&step.captures).cloned().collect();
        for c in &captures {
            capture::parse_path(&c.variable, &c.path).map_err(|e| invalid(e.to_string()))?;
        }
        let mut expect = Vec::new();
        for text in &step.expect {
            expect.push(StatusPattern::parse(text).ok_or_else(|| {
                invalid(format!(
                    "expect {text:?} is not a status (200), a class (2xx) or \"any\""
                ))
            })?);
        }
        if expect.is_empty() {
            expect.push(StatusPattern::Class(2));
        }
        let poll = match &step.poll {
            None => None,
            Some(spec) => {
                let until = JsonPath::parse(&spec.until).map_err(|e| {
                    invalid(format!(
                        "poll: `until = {:?}` is not a valid JSONPath: {e}",
                        spec.until
                    ))
                })?;
                let details = match &spec.details {
                    Some(d) => Some(JsonPath::parse(d).map_err(|e| {
                        invalid(format!(
                            "poll: `details = {d:?}` is not a valid JSONPath: {e}"
                        ))
                    })?),
                    None => None,
                };
                let every = seconds(spec.every, "poll: `every`").map_err(&invalid)?;
                let timeout = spec
                    .timeout
                    .map(|t| seconds(t, "poll: `timeout`"))
                    .transpose()
                    .map_err(&invalid)?;
                if spec.max_attempts == Some(0) {
                    return Err(invalid("poll: `max_attempts` must be at least 1".into()));
                }
                Some(PreparedPoll {
                    spec,
                    until,
                    details,
                    every,
                    timeout,
                })
            }
        };
        out.push(Prepared {
            step,
            name,
            api,
            op,
            captures,
            poll,
            expect,
        });
    }
    Ok(out)
}

/// Checks that every step of the flow can run (selectors, JSONPaths,
/// expected statuses) without sending anything.
pub fn check(catalog: &Catalog, flow: &Flow) -> Result<(), FlowError> {
    prepare(catalog, flow).map(|_| ())
}

/// The draft a step sends: a new draft for its operation, then its
/// overrides, then the run's server.
fn step_draft(cx: &RunContext<'_>, p: &Prepared<'_>, vars: &Vars) -> Draft {
    let mut draft = Draft::new(p.api, p.op, vars);
    if let Some(server) = &cx.server_url {
        draft.server_url = Some(server.clone());
    }
    for (name, value) in &p.step.params {
        // A portal parameter answers to its template variable too
        // (`apiversion` for `api-version`).
        let param_name =
            p.op.parameters
                .iter()
                .find(|q| q.name == *name || q.template_variable.as_deref() == Some(name))
                .map_or(name.as_str(), |q| q.name.as_str());
        match draft.params.iter_mut().find(|r| r.name == param_name) {
            Some(row) => {
                row.value.clone_from(value);
                row.enabled = true;
            }
            None => draft.extra_query.push(Row {
                name: name.clone(),
                value: value.clone(),
                enabled: true,
            }),
        }
    }
    for (name, value) in &p.step.headers {
        if name.eq_ignore_ascii_case("content-type") {
            draft.content_type = Some(value.clone());
        }
        draft.headers.retain(|r| !r.name.eq_ignore_ascii_case(name));
        draft.headers.push(Row {
            name: name.clone(),
            value: value.clone(),
            enabled: true,
        });
    }
    if let Some(body) = &p.step.body {
        draft.body.clone_from(body);
    }
    draft
}

/// Runs the flow: every step in order until one fails or `cx.cancel`
/// fires. Captured values are stored in `vars.captured` (and stay there for
/// the caller). Never panics and never returns early: every outcome is in
/// the report (and in the last event).
pub async fn run(cx: &RunContext<'_>, flow: &Flow, vars: &mut Vars) -> FlowReport {
    let start = Instant::now();
    let mut report = FlowReport {
        flow: flow.name.clone(),
        outcome: FlowOutcome::Succeeded,
        reason: None,
        failed_step: None,
        steps: Vec::new(),
        elapsed: Duration::ZERO,
    };
    let plan = match prepare(cx.catalog, flow) {
        Ok(plan) => plan,
        Err(e) => {
            if let FlowError::InvalidStep { step, .. } = &e {
                report.failed_step = Some(*step);
            }
            report.outcome = FlowOutcome::Failed;
            report.reason = Some(e.to_string());
            report.steps = flow
                .steps
                .iter()
                .enumerate()
                .map(|(i, s)| skipped(i, step_name(s)))
                .collect();
            return finish(cx, report, start);
        }
    };
    if plan.is_empty() {
        report.outcome = FlowOutcome::Failed;
        report.reason = Some(format!("flow `{}` has no steps", flow.name));
        return finish(cx, report, start);
    }
    let total = plan.len();
    for (index, p) in plan.iter().enumerate() {
        if report.outcome != FlowOutcome::Succeeded {
            report.steps.push(skipped(index, p.name.clone()));
            continue;
        }
        let step = step::run_step(cx, p, index, total, vars, start).await;
        if step.outcome != StepOutcome::Succeeded {
            report.outcome = if step.outcome == StepOutcome::Cancelled {
                FlowOutcome::Cancelled
            } else {
                FlowOutcome::Failed
            };
            report.failed_step = Some(index);
            report.reason = Some(format!(
                "step {} ({}): {}",
                index + 1,
                p.name,
                step.error.as_deref().unwrap_or("failed")
            ));
        }
        cx.emit(FlowEvent::StepFinished {
            step: index,
            report: Box::new(step.clone()),
        });
        report.steps.push(step);
    }
    finish(cx, report, start)
}

fn skipped(index: usize, name: String) -> StepReport {
    StepReport {
        index,
        name,
        operation: String::new(),
        method: String::new(),
        url: None,
        status: None,
        reason: String::new(),
        outcome: StepOutcome::Skipped,
        error: None,
        started: Duration::ZERO,
        elapsed: Duration::ZERO,
        attempts: Vec::new(),
        captured: Vec::new(),
        exchange: None,
    }
}

fn finish(cx: &RunContext<'_>, mut report: FlowReport, start: Instant) -> FlowReport {
    report.elapsed = start.elapsed();
    cx.emit(FlowEvent::FlowFinished {
        outcome: report.outcome,
        reason: report.reason.clone(),
        elapsed: report.elapsed,
    });
    report
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_patterns() {
        let p = |t| StatusPattern::parse(t);
        assert_eq!(p("200"), Some(StatusPattern::Exact(200)));
        assert_eq!(p("2xx"), Some(StatusPattern::Class(2)));
        assert_eq!(p("4XX"), Some(StatusPattern::Class(4)));
        assert_eq!(p("any"), Some(StatusPattern::Any));
        for bad in ["", "20", "600", "xx", "22xx", "9xx", "ok"] {
            assert_eq!(p(bad), None, "{bad}");
        }
        assert!(StatusPattern::Class(2).matches(204));
        assert!(!StatusPattern::Class(2).matches(301));
        assert!(StatusPattern::Exact(201).matches(201));
    }
}

//! One step of a flow: its request sent through the pipeline until it is
//! done (once, or until the poll condition holds; 429s waited out), each
//! attempt reported, then the captures applied to the final answer.

use super::*;
use crate::call::OAuthTokens;
use crate::catalog::OAuthGrant;
use crate::oauth::authorize::{OAuthUse, authorize};
use crate::oauth::{FlowContext, Overrides};

pub(super) async fn run_step(
    cx: &RunContext<'_>,
    p: &Prepared<'_>,
    index: usize,
    total: usize,
    vars: &mut Vars,
    flow_start: Instant,
) -> StepReport {
    let started = flow_start.elapsed();
    let step_start = Instant::now();
    let mut report = StepReport {
        index,
        name: p.name.clone(),
        operation: format!("{} {}", p.op.method, p.op.path),
        method: p.op.method.clone(),
        url: None,
        status: None,
        reason: String::new(),
        outcome: StepOutcome::Succeeded,
        error: None,
        started,
        elapsed: Duration::ZERO,
        attempts: Vec::new(),
        captured: Vec::new(),
        exchange: None,
    };
    let mut draft = step_draft(cx, p, vars);
    let oauth = match step_tokens(cx, p, &mut draft, vars).await {
        Ok(used) => used,
        Err(why) => {
            cx.emit(FlowEvent::StepStarted {
                step: index,
                total,
                name: p.name.clone(),
                method: p.op.method.clone(),
                url: None,
            });
            report.outcome = StepOutcome::Failed;
            report.error = Some(StepError::Token(why).to_string());
            report.elapsed = step_start.elapsed();
            return report;
        }
    };
    let result = match request::build(p.api, p.op, &draft, vars) {
        Ok(built) => {
            let masker = Masker::new(built.secret_values.iter().map(String::as_str));
            report.url = Some(masker.mask(&built.url));
            cx.emit(FlowEvent::StepStarted {
                step: index,
                total,
                name: p.name.clone(),
                method: built.method.clone(),
                url: report.url.clone(),
            });
            let call = Call {
                captures: p.captures.clone(),
                ..Call::new(p.api, p.op, built)
            }
            .with_oauth(OAuthTokens {
                used: oauth,
                tokens: cx.tokens.clone(),
                prompts: None,
            });
            send_step(cx, p, index, &call, vars, flow_start, &mut report).await
        }
        Err(e) => {
            cx.emit(FlowEvent::StepStarted {
                step: index,
                total,
                name: p.name.clone(),
                method: p.op.method.clone(),
                url: None,
            });
            Err(StepError::Build(e))
        }
    };
    let result = result.and_then(|mut sent| {
        let stored = match sent.capture(vars) {
            Captured::Stored(values) => Ok(values.clone()),
            Captured::Failed(e) => Err(StepError::Capture(e.clone())),
            Captured::NotYet | Captured::Skipped => Ok(Vec::new()),
        };
        report.exchange = sent.result.ok();
        stored
    });
    match result {
        Ok(stored) => {
            for captured in stored {
                cx.emit(FlowEvent::Captured {
                    step: index,
                    variable: captured.variable.clone(),
                    value: captured.value.clone(),
                    secret: captured.secret,
                });
                report.captured.push(captured);
            }
        }
        Err(StepError::Cancelled) => {
            report.outcome = StepOutcome::Cancelled;
            report.error = Some("cancelled".into());
        }
        Err(e) => {
            report.outcome = StepOutcome::Failed;
            report.error = Some(e.to_string());
        }
    }
    report.elapsed = step_start.elapsed();
    report
}

/// Fills the draft's empty OAuth 2.0 credentials: a token the session
/// holds (refreshed when about to expire), else one by client
/// credentials. A flow has no one to show a device code or a sign-in page
/// to: a scheme that needs a user fails the step, saying how to get the
/// token first. The token requests are recorded like the steps.
async fn step_tokens(
    cx: &RunContext<'_>,
    p: &Prepared<'_>,
    draft: &mut Draft,
    vars: &Vars,
) -> Result<Vec<OAuthUse>, String> {
    let schemes = crate::oauth::schemes_to_fill(p.api, p.op, draft);
    if schemes.is_empty() {
        return Ok(Vec::new());
    }
    let base = request::build(p.api, p.op, draft, vars).map(|b| b.url).ok();
    for (scheme, _) in &schemes {
        let key = crate::oauth::TokenKey::new(&p.api.id, scheme);
        let held = cx
            .tokens
            .get(&key)
            .is_some_and(|t| t.fresh(std::time::SystemTime::now()) || t.refresh_token.is_some());
        if held {
            continue;
        }
        let client = crate::oauth::client_for(
            p.api,
            Some(p.op),
            scheme,
            vars,
            &Overrides::default(),
            base.as_deref(),
        )
        .map_err(|e| e.to_string())?;
        if client.grant != OAuthGrant::ClientCredentials {
            return Err(format!(
                "`{scheme}` needs a user to sign in ({}); get a token first (the Auth tab's A, or a client secret for client credentials)",
                client.grant.name()
            ));
        }
    }
    let mut ctx = FlowContext::new(cx.engine, cx.cancel.clone());
    let used = authorize(
        p.api,
        p.op,
        draft,
        vars,
        &cx.tokens,
        &Overrides::default(),
        base.as_deref(),
        &mut ctx,
    )
    .await;
    if let Some(history) = &cx.history
        && let Err(e) = crate::oauth::record_exchanges(history, &ctx.exchanges(), &ctx.secrets())
    {
        tracing::warn!("token requests not recorded in history: {e}");
    }
    used.map_err(|e| e.to_string())
}

/// Sends the step's request until it is done: once, or until the poll
/// condition holds; 429s are waited out. The last exchange is kept in the
/// report even when the step fails, so its body can be read.
async fn send_step(
    cx: &RunContext<'_>,
    p: &Prepared<'_>,
    index: usize,
    call: &Call,
    vars: &Vars,
    flow_start: Instant,
    report: &mut StepReport,
) -> Result<Sent, StepError> {
    let poll_start = Instant::now();
    let deadline = p
        .poll
        .as_ref()
        .and_then(|poll| poll.timeout)
        // A timeout beyond what the clock can count is no limit.
        .and_then(|t| poll_start.checked_add(t));
    let mut number = 0u32;
    let mut counted = 0u32;
    let mut rate_limited_in_a_row = 0u32;
    loop {
        if cx.cancel.is_cancelled() {
            return Err(StepError::Cancelled);
        }
        number += 1;
        let at = flow_start.elapsed();
        let sent_at = Instant::now();
        let sent = call
            .clone()
            .send(cx.engine, cx.send.clone(), vars, cx.cancel.clone())
            .await;
        if let Recorded::Failed(error) = sent.record(cx.history.as_ref()) {
            tracing::warn!("flow step not recorded in history: {error}");
        }
        let exchange = match &sent.result {
            Ok(exchange) => exchange,
            Err(e) => {
                let attempt = AttemptReport {
                    number,
                    status: None,
                    reason: String::new(),
                    latency: sent_at.elapsed(),
                    at,
                    value: None,
                    rate_limited: None,
                    error: Some(e.to_string()),
                };
                record(cx, index, report, attempt);
                return Err(if e.kind == ErrorKind::Cancelled {
                    StepError::Cancelled
                } else {
                    StepError::Request(e.clone())
                });
            }
        };
        let response = &exchange.response;
        report.status = Some(response.status);
        report.reason.clone_from(&response.reason);
        let mut attempt = AttemptReport {
            number,
            status: Some(response.status),
            reason: response.reason.clone(),
            latency: exchange.timing.total,
            at,
            value: None,
            rate_limited: None,
            error: None,
        };

        if response.status == 429 && !p.expect.contains(&StatusPattern::Exact(429)) {
            let wait = retry_after(response, SystemTime::now()).unwrap_or(RATE_LIMIT_FALLBACK);
            rate_limited_in_a_row += 1;
            let refusal = if wait > cx.max_rate_limit_wait {
                Some(format!(
                    "the server asks to wait {} (Retry-After), more than the {} a step waits",
                    elapsed_text(wait),
                    elapsed_text(cx.max_rate_limit_wait)
                ))
            } else if deadline.is_some_and(|d| past(d, wait)) {
                Some(format!(
                    "the server asks to wait {} (Retry-After), beyond the poll's timeout",
                    elapsed_text(wait)
                ))
            } else if rate_limited_in_a_row > MAX_RATE_LIMIT_RETRIES {
                Some(format!("{MAX_RATE_LIMIT_RETRIES} answers in a row"))
            } else {
                None
            };
            if let Some(why) = refusal {
                let error = StepError::RateLimited(why);
                attempt.error = Some(error.to_string());
                record(cx, index, report, attempt);
                report.exchange = sent.result.ok();
                return Err(error);
            }
            attempt.rate_limited = Some(wait);
            record(cx, index, report, attempt);
            if !wait::pause(wait, &cx.cancel).await {
                report.exchange = sent.result.ok();
                return Err(StepError::Cancelled);
            }
            continue;
        }
        rate_limited_in_a_row = 0;

        if !p.expect.iter().any(|e| e.matches(response.status)) {
            let error = StepError::Status {
                expected: expect_text(p.step),
                got: response.status_line(),
                body: capture::snippet(response),
            };
            attempt.error = Some(error.to_string());
            record(cx, index, report, attempt);
            report.exchange = sent.result.ok();
            return Err(error);
        }

        let Some(poll) = &p.poll else {
            record(cx, index, report, attempt);
            return Ok(sent);
        };
        counted += 1;
        let json = match capture::body_json(response) {
            Ok(json) => json,
            Err(what) => {
                let error = StepError::PollNotJson {
                    path: poll.spec.until.clone(),
                    what,
                };
                attempt.error = Some(error.to_string());
                record(cx, index, report, attempt);
                report.exchange = sent.result.ok();
                return Err(error);
            }
        };
        let value = capture::select_text(&poll.until, &json);
        attempt.value.clone_from(&value);
        record(cx, index, report, attempt);
        if let Some(value) = &value
            && (poll.spec.values.is_empty() || poll.spec.values.contains(value))
        {
            if poll.spec.success.is_empty() || poll.spec.success.contains(value) {
                return Ok(sent);
            }
            let details = poll
                .details
                .as_ref()
                .and_then(|d| capture::select_text(d, &json))
                .filter(|d| d != "null");
            report.exchange = sent.result.ok();
            return Err(StepError::PollEnded {
                path: poll.spec.until.clone(),
                value: value.clone(),
                details,
            });
        }
        let last = match &value {
            Some(v) => format!("`{}` was {v}", poll.spec.until),
            None => format!(
                "`{}` found nothing in {}",
                poll.spec.until,
                capture::snippet(response)
            ),
        };
        let out_of_attempts = poll.spec.max_attempts.is_some_and(|max| counted >= max);
        let out_of_time = deadline.is_some_and(|d| past(d, poll.every));
        if out_of_attempts || out_of_time {
            report.exchange = sent.result.ok();
            return Err(StepError::PollGaveUp {
                attempts: counted,
                elapsed: elapsed_text(poll_start.elapsed()),
                last,
            });
        }
        if !wait::pause(poll.every, &cx.cancel).await {
            report.exchange = sent.result.ok();
            return Err(StepError::Cancelled);
        }
    }
}

fn record(cx: &RunContext<'_>, index: usize, report: &mut StepReport, attempt: AttemptReport) {
    cx.emit(FlowEvent::Attempt {
        step: index,
        attempt: attempt.clone(),
    });
    report.attempts.push(attempt);
}

/// The expected statuses as written, `2xx` when none.
fn expect_text(step: &FlowStep) -> String {
    if step.expect.is_empty() {
        "2xx".into()
    } else {
        step.expect.join(" or ")
    }
}

//! The API gateway in front of the demo service: subscription keys, the
//! per-key rate limit and the usage report, for every path under
//! [`super::GATEWAY_PREFIX`]. Messages and status codes follow Azure API
//! Management's so that what a user learns here carries over.

use std::collections::{BTreeMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use super::server::{App, lock};
use super::{GATEWAY_PREFIX, PRIMARY_SUBSCRIPTION_KEY, SECONDARY_SUBSCRIPTION_KEY};

pub(super) const MISSING_KEY: &str = "Access denied due to missing subscription key. Make sure to include subscription key when making requests to an API.";
pub(super) const INVALID_KEY: &str = "Access denied due to invalid subscription key. Make sure to provide a valid key for an active subscription.";

/// The header a client sends its key in; `subscription-key` in the query
/// works too, as in API Management.
pub const SUBSCRIPTION_HEADER: &str = "Ocp-Apim-Subscription-Key";

const SUBSCRIPTIONS: [(&str, &str); 2] = [
    ("primary", PRIMARY_SUBSCRIPTION_KEY),
    ("secondary", SECONDARY_SUBSCRIPTION_KEY),
];

/// Calls and limits, per subscription key.
pub(super) struct Gateway {
    limit: u32,
    window: Duration,
    counters: Mutex<Counters>,
}

#[derive(Default)]
struct Counters {
    keys: [KeyUsage; 2],
    missing_key: u64,
    invalid_key: u64,
}

#[derive(Default)]
struct KeyUsage {
    /// When the calls admitted in the current window arrived.
    recent: VecDeque<Instant>,
    calls: u64,
    by_operation: BTreeMap<&'static str, u64>,
    by_status: BTreeMap<&'static str, u64>,
}

impl Gateway {
    pub(super) fn new(limit: u32, window: Duration) -> Self {
        Self {
            limit,
            window,
            counters: Mutex::new(Counters::default()),
        }
    }

    /// Admits one call for the key, or says how many seconds to wait.
    fn admit(&self, key: usize, now: Instant) -> Result<(), u64> {
        if self.limit == 0 {
            return Ok(());
        }
        let mut counters = lock(&self.counters);
        let Some(usage) = counters.keys.get_mut(key) else {
            return Ok(());
        };
        prune(&mut usage.recent, self.window, now);
        if usage.recent.len() >= self.limit as usize {
            let oldest = usage.recent.front().copied().unwrap_or(now);
            let wait = (oldest + self.window).saturating_duration_since(now);
            return Err(ceil_secs(wait).max(1));
        }
        usage.recent.push_back(now);
        Ok(())
    }

    fn record(&self, key: usize, operation: &'static str, status: StatusCode) {
        let mut counters = lock(&self.counters);
        if let Some(usage) = counters.keys.get_mut(key) {
            usage.calls += 1;
            *usage.by_operation.entry(operation).or_default() += 1;
            *usage.by_status.entry(status_class(status)).or_default() += 1;
        }
    }

    fn reject(&self, missing: bool) {
        let mut counters = lock(&self.counters);
        if missing {
            counters.missing_key += 1;
        } else {
            counters.invalid_key += 1;
        }
    }

    /// The usage report: what a gateway's analytics dashboard shows.
    pub(super) fn usage(&self) -> Value {
        let now = Instant::now();
        let mut counters = lock(&self.counters);
        let mut subscriptions = Vec::new();
        for ((name, _), usage) in SUBSCRIPTIONS.iter().zip(counters.keys.iter_mut()) {
            prune(&mut usage.recent, self.window, now);
            let remaining = if self.limit == 0 {
                Value::Null
            } else {
                json!(u64::from(self.limit).saturating_sub(usage.recent.len() as u64))
            };
            subscriptions.push(json!({
                "subscription": name,
                "calls": usage.calls,
                "remaining_in_window": remaining,
                "by_operation": usage.by_operation,
                "by_status": usage.by_status,
            }));
        }
        json!({
            "api": super::API_ID,
            "rate_limit": {
                "calls": self.limit,
                "window_seconds": self.window.as_secs_f64(),
            },
            "subscriptions": subscriptions,
            "rejected": {
                "missing_key": counters.missing_key,
                "invalid_key": counters.invalid_key,
            },
        })
    }
}

fn prune(recent: &mut VecDeque<Instant>, window: Duration, now: Instant) {
    while recent
        .front()
        .is_some_and(|&t| now.saturating_duration_since(t) >= window)
    {
        recent.pop_front();
    }
}

fn ceil_secs(d: Duration) -> u64 {
    d.as_secs() + u64::from(d.subsec_nanos() > 0)
}

fn status_class(status: StatusCode) -> &'static str {
    match status.as_u16() {
        100..=199 => "1xx",
        200..=299 => "2xx",
        300..=399 => "3xx",
        400..=499 => "4xx",
        _ => "5xx",
    }
}

/// The operation a gateway path names, for the usage report.
pub(super) fn operation_name(method: &Method, rest: &str) -> &'static str {
    let parts: Vec<&str> = rest.split('/').filter(|p| !p.is_empty()).collect();
    match (method.as_str(), parts.as_slice()) {
        ("POST", ["workspaces", _, "services", _, "execute"]) => "RRS Execute",
        ("POST", ["workspaces", _, "services", _, "jobs"]) => "BES Submit",
        ("POST", ["workspaces", _, "services", _, "jobs", _, "start"]) => "BES Start",
        ("GET", ["workspaces", _, "services", _, "jobs", _]) => "BES Status",
        ("DELETE", ["workspaces", _, "services", _, "jobs", _]) => "BES Delete",
        ("PUT", ["blobs", _, _, ..]) => "Blob Upload",
        ("GET", ["blobs", _, _, ..]) => "Blob Download",
        ("GET", ["usage"]) => "Usage",
        _ => "Other",
    }
}

/// An error in API Management's shape: `{"statusCode": N, "message": "..."}`.
pub(super) fn gateway_error(status: StatusCode, message: &str) -> Response {
    (
        status,
        axum::Json(json!({"statusCode": status.as_u16(), "message": message})),
    )
        .into_response()
}

fn subscription_key(req: &Request) -> Option<String> {
    if let Some(value) = req.headers().get(SUBSCRIPTION_HEADER) {
        // A header that is not visible ASCII cannot be a valid key; keep
        // it as an (invalid) key rather than calling it missing.
        return Some(value.to_str().unwrap_or("\u{fffd}").to_string());
    }
    let query = req.uri().query()?;
    url::form_urlencoded::parse(query.as_bytes())
        .find(|(k, _)| k == "subscription-key")
        .map(|(_, v)| v.into_owned())
}

/// The middleware: checks the key, applies the rate limit, counts the call.
pub(super) async fn layer(State(app): State<Arc<App>>, req: Request, next: Next) -> Response {
    let path = req.uri().path();
    let Some(rest) = path.strip_prefix(GATEWAY_PREFIX) else {
        return next.run(req).await;
    };
    if !(rest.is_empty() || rest.starts_with('/')) {
        return next.run(req).await;
    }
    let operation = operation_name(req.method(), rest);
    let Some(key) = subscription_key(&req) else {
        app.gateway.reject(true);
        return gateway_error(StatusCode::UNAUTHORIZED, MISSING_KEY);
    };
    let Some(index) = SUBSCRIPTIONS.iter().position(|(_, k)| *k == key) else {
        app.gateway.reject(false);
        return gateway_error(StatusCode::UNAUTHORIZED, INVALID_KEY);
    };
    // The usage report is the dashboard's: it neither counts nor is limited,
    // so watching the numbers does not change them.
    if operation == "Usage" {
        return next.run(req).await;
    }
    if let Err(wait) = app.gateway.admit(index, Instant::now()) {
        app.gateway
            .record(index, operation, StatusCode::TOO_MANY_REQUESTS);
        let mut response = gateway_error(
            StatusCode::TOO_MANY_REQUESTS,
            &format!("Rate limit is exceeded. Try again in {wait} seconds."),
        );
        response
            .headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from(wait));
        return response;
    }
    let response = next.run(req).await;
    app.gateway.record(index, operation, response.status());
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rate_limit_slides_and_says_how_long_to_wait() {
        let gw = Gateway::new(2, Duration::from_secs(60));
        let t0 = Instant::now();
        assert_eq!(gw.admit(0, t0), Ok(()));
        assert_eq!(gw.admit(0, t0 + Duration::from_secs(10)), Ok(()));
        assert_eq!(gw.admit(0, t0 + Duration::from_millis(20_500)), Err(40));
        // The other key has its own budget.
        assert_eq!(gw.admit(1, t0), Ok(()));
        assert_eq!(gw.admit(0, t0 + Duration::from_secs(60)), Ok(()));
    }

    #[test]
    fn zero_disables_the_limit() {
        let gw = Gateway::new(0, Duration::from_secs(60));
        let t0 = Instant::now();
        for _ in 0..100 {
            assert_eq!(gw.admit(0, t0), Ok(()));
        }
    }

    #[test]
    fn operations_are_named_from_paths() {
        let ws = "/workspaces/w/services/s";
        assert_eq!(
            operation_name(&Method::POST, &format!("{ws}/execute")),
            "RRS Execute"
        );
        assert_eq!(
            operation_name(&Method::POST, &format!("{ws}/jobs")),
            "BES Submit"
        );
        assert_eq!(
            operation_name(&Method::POST, &format!("{ws}/jobs/1/start")),
            "BES Start"
        );
        assert_eq!(
            operation_name(&Method::GET, &format!("{ws}/jobs/1")),
            "BES Status"
        );
        assert_eq!(
            operation_name(&Method::DELETE, &format!("{ws}/jobs/1")),
            "BES Delete"
        );
        assert_eq!(
            operation_name(&Method::PUT, "/blobs/c/a/b.csv"),
            "Blob Upload"
        );
        assert_eq!(
            operation_name(&Method::GET, "/blobs/c/b.csv"),
            "Blob Download"
        );
        assert_eq!(operation_name(&Method::GET, "/usage"), "Usage");
        assert_eq!(operation_name(&Method::GET, "/nope"), "Other");
    }
}

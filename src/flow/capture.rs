//! Captures: a JSONPath (RFC 9535) evaluated on a JSON response body, its
//! value kept as a variable for the next requests (`{{jobid}}`).
//!
//! A string is kept as is, any other JSON as compact JSON text; a path that
//! selects several nodes keeps them as a JSON array. Every capture of a list
//! is evaluated before any is stored, so a failing one leaves the variables
//! as they were.

use serde_json::Value;
use serde_json_path::JsonPath;
use thiserror::Error;

use crate::catalog::{Capture, Variable};
use crate::http::{Exchange, Response};
use crate::request::Vars;
use crate::secrets::is_secret_name;

/// How much of a body an error message quotes.
const SNIPPET_CHARS: usize = 160;

/// Why a value could not be captured; every variant names the variable and
/// the path, and says what came back instead.
#[derive(Debug, Clone, Error, PartialEq, Eq)]
pub enum CaptureError {
    #[error("capture `{variable}`: `{path}` is not a valid JSONPath: {message}")]
    InvalidPath {
        variable: String,
        path: String,
        message: String,
    },
    #[error("capture `{variable}` (`{path}`): the response is not JSON: {what}")]
    NotJson {
        variable: String,
        path: String,
        /// Status, content type and the start of the body.
        what: String,
    },
    #[error("capture `{variable}`: `{path}` found nothing in the response {body}")]
    NotFound {
        variable: String,
        path: String,
        /// The start of the body.
        body: String,
    },
}

impl CaptureError {
    /// For a path that found nothing in a successful answer: the value is
    /// not there yet (a job still running answers without its result),
    /// said as news rather than as a failure. `None` for real failures.
    pub fn not_there_yet(&self) -> Option<String> {
        match self {
            Self::NotFound { variable, path, .. } => Some(format!(
                "{variable} is not there yet: this answer has no `{path}` (send again when the work is done)"
            )),
            _ => None,
        }
    }
}

/// A captured value is kept secret when its name says so (`sas_token`) or
/// the environment marks the variable secret.
fn is_secret_variable(variable: &str, vars: &Vars) -> bool {
    is_secret_name(variable) || vars.environment.get(variable).is_some_and(|v| v.secret)
}

/// Every value to mask when an answer is recorded or shown: the variables
/// known so far that are secret (marked, or named like one), and what
/// `captures` would keep from this very answer as secrets (none when the
/// send failed). The answer that carries a token is recorded before the
/// token becomes a variable, so its own body must be masked with it. Every
/// sender that records or shows an answer asks here.
pub fn secrets_to_mask(
    captures: &[Capture],
    exchange: Option<&Exchange>,
    vars: &Vars,
) -> Vec<String> {
    let known = vars
        .environment
        .iter()
        .chain(&vars.captured)
        .filter(|(name, v)| (v.secret || is_secret_name(name)) && !v.value.is_empty())
        .map(|(_, v)| v.value.clone());
    let mut secrets: Vec<String> = known.collect();
    let secret_captures: Vec<&Capture> = captures
        .iter()
        .filter(|c| is_secret_variable(&c.variable, vars))
        .collect();
    let Some(exchange) = exchange.filter(|_| !secret_captures.is_empty()) else {
        return secrets;
    };
    let Ok(body) = body_json(&exchange.response) else {
        return secrets;
    };
    for capture in secret_captures {
        if let Ok(path) = JsonPath::parse(&capture.path)
            && let Some(value) = select_text(&path, &body)
            && !value.is_empty()
        {
            secrets.push(value);
        }
    }
    secrets
}

/// Parses a JSONPath, naming the capture (or poll) it belongs to.
pub(crate) fn parse_path(variable: &str, path: &str) -> Result<JsonPath, CaptureError> {
    JsonPath::parse(path).map_err(|e| CaptureError::InvalidPath {
        variable: variable.to_string(),
        path: path.to_string(),
        message: e.to_string(),
    })
}

/// The response body as JSON, or what came back instead.
pub(crate) fn body_json(response: &Response) -> Result<Value, String> {
    if let Some(path) = &response.saved_to {
        return Err(format!(
            "{}, body saved to {} rather than read",
            response.status_line(),
            path.display()
        ));
    }
    if response.body.is_empty() {
        return Err(format!("{}, with an empty body", response.status_line()));
    }
    serde_json::from_slice(&response.body).map_err(|_| {
        format!(
            "{}, {}: {}",
            response.status_line(),
            response
                .content_type()
                .map_or_else(|| "no Content-Type".to_string(), str::to_string),
            snippet(response)
        )
    })
}

/// The nodes a path selects, as the text a variable holds: `None` when it
/// selects nothing.
pub(crate) fn select_text(path: &JsonPath, json: &Value) -> Option<String> {
    let nodes = path.query(json).all();
    match nodes.as_slice() {
        [] => None,
        [one] => Some(value_text(one)),
        many => Some(Value::Array(many.iter().map(|v| (*v).clone()).collect()).to_string()),
    }
}

/// A string as is, anything else as compact JSON.
pub(crate) fn value_text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// The start of a body on one line, for messages.
pub(crate) fn snippet(response: &Response) -> String {
    let text = response.body_text_lossy();
    let flat: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if flat.is_empty() {
        return "(empty body)".into();
    }
    let mut out: String = flat.chars().take(SNIPPET_CHARS).collect();
    if flat.chars().count() > SNIPPET_CHARS {
        out.push('…');
    }
    out
}

/// Evaluates every capture on the exchange's response and stores the values
/// in `vars.captured` (where they win over the environment). Returns the
/// `(variable, value)` pairs stored, in order. A variable named like a
/// secret (`sas_token`) is stored as secret, so it is masked on screen.
pub fn apply_captures(
    captures: &[Capture],
    exchange: &Exchange,
    vars: &mut Vars,
) -> Result<Vec<(String, String)>, CaptureError> {
    if captures.is_empty() {
        return Ok(Vec::new());
    }
    let mut found = Vec::with_capacity(captures.len());
    let mut json: Option<Value> = None;
    for capture in captures {
        let path = parse_path(&capture.variable, &capture.path)?;
        let body = match &json {
            Some(body) => body,
            None => {
                let parsed =
                    body_json(&exchange.response).map_err(|what| CaptureError::NotJson {
                        variable: capture.variable.clone(),
                        path: capture.path.clone(),
                        what,
                    })?;
                json.insert(parsed)
            }
        };
        let value = select_text(&path, body).ok_or_else(|| CaptureError::NotFound {
            variable: capture.variable.clone(),
            path: capture.path.clone(),
            body: snippet(&exchange.response),
        })?;
        found.push((capture.variable.clone(), value));
    }
    for (variable, value) in &found {
        let secret = is_secret_variable(variable, vars);
        vars.captured.insert(
            variable.clone(),
            Variable {
                value: value.clone(),
                secret,
            },
        );
    }
    Ok(found)
}

#[cfg(test)]
mod tests {
    use super::*;
    use bytes::Bytes;

    fn exchange(body: &str, content_type: &str) -> Exchange {
        Exchange {
            request: crate::http::SentRequest::default(),
            redirects: Vec::new(),
            response: Response {
                status: 200,
                reason: "OK".into(),
                headers: vec![("content-type".into(), content_type.into())],
                body: Bytes::from(body.to_string()),
                ..Response::default()
            },
            timing: crate::http::Timing::default(),
        }
    }

    fn capture(variable: &str, path: &str) -> Capture {
        Capture {
            variable: variable.into(),
            path: path.into(),
        }
    }

    #[test]
    fn secrets_to_mask_are_known_secrets_and_secret_captures_of_this_answer() {
        let ex = exchange(r#"{"sas": "s1gnature", "id": "job-7"}"#, "application/json");
        let mut vars = Vars::default();
        vars.environment.insert(
            "api_key".into(),
            Variable {
                value: "k-123".into(),
                secret: true,
            },
        );
        vars.environment.insert(
            "region".into(),
            Variable {
                value: "west".into(),
                secret: false,
            },
        );
        let captures = [capture("sas_token", "$.sas"), capture("jobid", "$.id")];
        assert_eq!(
            secrets_to_mask(&captures, Some(&ex), &vars),
            ["k-123", "s1gnature"]
        );
        // Not JSON: the known secrets still.
        let html = exchange("<html>token</html>", "text/html");
        assert_eq!(secrets_to_mask(&captures, Some(&html), &vars), ["k-123"]);
        // A failed send: the known secrets.
        assert_eq!(secrets_to_mask(&captures, None, &vars), ["k-123"]);
    }

    #[test]
    fn strings_as_is_other_json_compact_many_as_array() {
        let ex = exchange(
            r#"{"id": "j-1", "n": 3, "o": {"a": [1, 2]}, "items": [{"k": "x"}, {"k": "y"}], "nothing": null}"#,
            "application/json",
        );
        let mut vars = Vars::default();
        let got = apply_captures(
            &[
                capture("id", "$.id"),
                capture("n", "$.n"),
                capture("o", "$.o"),
                capture("ks", "$.items[*].k"),
                capture("nothing", "$.nothing"),
                capture("api_token", "$.id"),
            ],
            &ex,
            &mut vars,
        )
        .expect("captures");
        let pairs: Vec<(&str, &str)> = got.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
        assert_eq!(
            pairs,
            [
                ("id", "j-1"),
                ("n", "3"),
                ("o", r#"{"a":[1,2]}"#),
                ("ks", r#"["x","y"]"#),
                ("nothing", "null"),
                ("api_token", "j-1"),
            ]
        );
        assert_eq!(vars.get("id").map(|v| v.value.as_str()), Some("j-1"));
        assert!(!vars.captured["id"].secret);
        assert!(vars.captured["api_token"].secret);
    }

    #[test]
    fn a_json_string_body_is_captured_whole() {
        let ex = exchange(r#""5f0c""#, "application/json; charset=utf-8");
        let mut vars = Vars::default();
        apply_captures(&[capture("jobid", "$")], &ex, &mut vars).expect("captures");
        assert_eq!(vars.captured["jobid"].value, "5f0c");
    }

    #[test]
    fn errors_say_which_capture_and_what_came_back() {
        let mut vars = Vars::default();
        let html = exchange("<html><body>Gateway timeout</body></html>", "text/html");
        let err =
            apply_captures(&[capture("jobid", "$.id")], &html, &mut vars).expect_err("not JSON");
        let text = err.to_string();
        assert!(text.contains("`jobid`") && text.contains("$.id"), "{text}");
        assert!(
            text.contains("text/html") && text.contains("Gateway timeout"),
            "{text}"
        );

        let json = exchange(r#"{"StatusCode": "Running"}"#, "application/json");
        let err = apply_captures(
            &[
                capture("a", "$.StatusCode"),
                capture("sig", "$.Results.sig"),
            ],
            &json,
            &mut vars,
        )
        .expect_err("not found");
        assert!(
            matches!(&err, CaptureError::NotFound { variable, .. } if variable == "sig"),
            "{err}"
        );
        assert!(
            err.to_string().contains(r#"{"StatusCode": "Running"}"#),
            "{err}"
        );
        // A job still running: news, not a failure.
        assert_eq!(
            err.not_there_yet().as_deref(),
            Some(
                "sig is not there yet: this answer has no `$.Results.sig` (send again when the work is done)"
            )
        );
        assert!(vars.captured.is_empty(), "a failed list stores nothing");

        let err = apply_captures(&[capture("a", "$.[")], &json, &mut vars).expect_err("bad path");
        assert!(matches!(err, CaptureError::InvalidPath { .. }), "{err}");
    }
}

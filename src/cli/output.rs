//! What more than one command prints: catalog and file warnings, requests
//! and exchanges as JSON or text, and values as shown to the user (secrets
//! masked unless revealed).

use std::io::Write;

use anyhow::Result;
use base64::Engine as _;
use serde_json::{Value, json};

use crate::catalog::{self, Catalog};
use crate::http::Exchange;
use crate::request::{BuiltRequest, Draft, Row};
use crate::store;

pub(super) fn print_warnings(catalog: &Catalog) {
    let mut stderr = std::io::stderr().lock();
    for warning in catalog.warnings.iter().take(5) {
        let _ = writeln!(stderr, "portico: warning: {warning}");
    }
    if catalog.warnings.len() > 5 {
        let _ = writeln!(
            stderr,
            "portico: warning: ... and {} more",
            catalog.warnings.len() - 5
        );
    }
}

pub(super) fn print_file_warnings(warnings: &[store::FileWarning]) {
    let mut stderr = std::io::stderr().lock();
    for warning in warnings {
        let _ = writeln!(stderr, "portico: warning: {warning}");
    }
}

pub(super) fn print_import_warnings(warnings: &[String]) {
    let mut stderr = std::io::stderr().lock();
    for warning in warnings {
        let _ = writeln!(stderr, "portico: warning: {warning}");
    }
}

/// A value as shown in an import's report: a secret typed as text is
/// masked unless revealed; a `{{variable}}` reference is not a secret.
pub(super) fn shown_value(name: &str, value: &str, reveal: bool) -> String {
    if reveal || value.contains("{{") || !crate::secrets::is_secret_name(name) {
        value.to_string()
    } else {
        crate::secrets::mask_header_value(value)
    }
}

pub(super) fn shown_rows(rows: &[Row], reveal: bool) -> Value {
    Value::Array(
        rows.iter()
            .map(|r| {
                json!({
                    "name": r.name,
                    "value": shown_value(&r.name, &r.value, reveal),
                    "enabled": r.enabled,
                })
            })
            .collect(),
    )
}

pub(super) fn shown_draft(draft: &Draft, reveal: bool) -> Value {
    let mut draft = draft.clone();
    for row in draft.headers.iter_mut().chain(draft.extra_query.iter_mut()) {
        row.value = shown_value(&row.name, &row.value, reveal);
    }
    for p in &mut draft.params {
        p.value = shown_value(&p.name, &p.value, reveal);
    }
    for a in &mut draft.auth {
        a.value = shown_value("authorization", &a.value, reveal);
    }
    serde_json::to_value(&draft).unwrap_or(Value::Null)
}

pub(super) fn shown_environments(envs: &[catalog::Environment], reveal: bool) -> Value {
    Value::Array(
        envs.iter()
            .map(|e| {
                let vars: serde_json::Map<String, Value> = e
                    .variables
                    .iter()
                    .map(|(n, v)| {
                        let value = if v.secret && !reveal && !v.value.is_empty() {
                            crate::secrets::MASK.to_string()
                        } else {
                            v.value.clone()
                        };
                        (n.clone(), Value::String(value))
                    })
                    .collect();
                json!({ "name": e.name, "variables": vars })
            })
            .collect(),
    )
}

fn headers_json(headers: &[(String, String)]) -> Value {
    Value::Array(
        headers
            .iter()
            .map(|(name, value)| json!([name, value]))
            .collect(),
    )
}

/// A body as JSON: text when it is UTF-8, else base64 with a flag saying so.
fn body_json(body: Option<&[u8]>) -> (Value, bool) {
    match body {
        None => (Value::Null, false),
        Some(bytes) => match std::str::from_utf8(bytes) {
            Ok(text) => (Value::String(text.to_string()), false),
            Err(_) => (
                Value::String(base64::engine::general_purpose::STANDARD.encode(bytes)),
                true,
            ),
        },
    }
}

/// The `request` object shared by `call --json`, `call --dry-run --json`
/// and the interchange commands.
pub fn request_json(req: &BuiltRequest) -> Value {
    let (body, base64) = body_json(req.body.as_deref());
    let mut object = json!({
        "method": req.method,
        "url": req.url,
        "headers": headers_json(&req.headers),
        "body": body,
    });
    if base64 {
        object["body_base64"] = Value::Bool(true);
    }
    // A body sent from a file also names it.
    if let Some(path) = &req.body_file {
        object["body_file"] = Value::String(path.clone());
    }
    object
}

pub(super) fn exchange_json(exchange: &Exchange, built: &BuiltRequest, reveal: bool) -> Value {
    let response = &exchange.response;
    // A JSON answer is a JSON value (`jq .response.body.id`), not a string
    // holding JSON; anything else (a truncated JSON body too) stays text.
    let (body, base64) = match serde_json::from_slice::<Value>(&response.body) {
        Ok(value) if !response.truncated => (value, false),
        _ => body_json(Some(&response.body)),
    };
    let mut response_object = json!({
        "version": response.version,
        "status": response.status,
        "reason": response.reason,
        "headers": headers_json(&response.headers),
        "body": body,
        "size": response.size,
    });
    if base64 {
        response_object["body_base64"] = Value::Bool(true);
    }
    if response.truncated {
        response_object["truncated"] = Value::Bool(true);
    }
    json!({
        "request": request_json(&sent_request(exchange, built, reveal)),
        "response": response_object,
        "timing": {
            "headers_ms": exchange.timing.headers.as_secs_f64() * 1000.0,
            "total_ms": exchange.timing.total.as_secs_f64() * 1000.0,
        },
    })
}

/// The request exactly as the engine sent it (after redirects), masked
/// with the secrets the build substituted unless the user asked to see them.
fn sent_request(exchange: &Exchange, built: &BuiltRequest, reveal: bool) -> BuiltRequest {
    let sent = &exchange.request;
    let request = BuiltRequest {
        method: sent.method.clone(),
        url: sent.url.clone(),
        headers: sent.headers.clone(),
        body: sent.body.clone(),
        secret_values: built.secret_values.clone(),
        form: Vec::new(),
        body_file: None,
    };
    if reveal { request } else { request.masked() }
}

pub(super) fn print_request(out: &mut impl Write, req: &BuiltRequest) -> Result<()> {
    writeln!(out, "{} {}", req.method, req.url)?;
    for (name, value) in &req.headers {
        writeln!(out, "{name}: {value}")?;
    }
    if let Some(body) = &req.body {
        writeln!(out)?;
        out.write_all(body)?;
        writeln!(out)?;
    }
    Ok(())
}

/// Where `call` prints an answer's status line and headers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Head {
    /// On stdout before the body: a terminal, or `-i`.
    Stdout,
    /// On stderr, so that stdout carries the body alone for a pipe.
    Stderr,
    /// Nowhere (`-q`).
    Hidden,
}

/// An answer as `call` prints it: the head where `head` says, then the
/// body on stdout, pretty-printed when it is JSON and stdout is a
/// terminal, else byte for byte as it came (`| jq`, `> image.png`).
pub(super) fn print_answer(exchange: &Exchange, head: Head, terminal: bool) -> Result<()> {
    let mut out = std::io::stdout().lock();
    match head {
        Head::Stdout => {
            print_head(&mut out, exchange)?;
            writeln!(out)?;
        }
        Head::Stderr => print_head(&mut std::io::stderr().lock(), exchange)?,
        Head::Hidden => {}
    }
    let response = &exchange.response;
    // Notes about the body go where the head goes, or to stderr: never
    // into a body that is piped on.
    let note = |text: String| -> Result<()> {
        if terminal || head == Head::Stdout {
            writeln!(std::io::stdout().lock(), "{text}")?;
        } else {
            eprintln!("portico: {text}");
        }
        Ok(())
    };
    if let Some(path) = &response.saved_to {
        drop(out);
        return note(format!("(body saved to {})", path.display()));
    }
    let body = &response.body;
    let pretty = terminal
        .then(|| serde_json::from_slice::<Value>(body).ok())
        .flatten()
        .and_then(|value| serde_json::to_string_pretty(&value).ok());
    match pretty {
        Some(text) => writeln!(out, "{text}")?,
        None => {
            out.write_all(body)?;
            if terminal && !body.ends_with(b"\n") && !body.is_empty() {
                writeln!(out)?;
            }
        }
    }
    out.flush()?;
    drop(out);
    if response.truncated {
        note(format!(
            "(body truncated at {} bytes; use --output FILE for all of it)",
            body.len()
        ))?;
    }
    Ok(())
}

/// The status line with timing, then the response headers.
fn print_head(out: &mut impl Write, exchange: &Exchange) -> Result<()> {
    let response = &exchange.response;
    writeln!(
        out,
        "{} {} {}  ({} to headers, {} total, {} bytes)",
        response.version,
        response.status,
        response.reason,
        crate::units::elapsed_text(exchange.timing.headers),
        crate::units::elapsed_text(exchange.timing.total),
        response.size
    )?;
    for (name, value) in &response.headers {
        writeln!(out, "{name}: {value}")?;
    }
    Ok(())
}

//! Requests written as a Postman collection (format v2.1) that
//! [`super::parse`] reads back to the same requests: switched-off headers
//! and query parameters stay switched off, and a form body is written as
//! its fields (`urlencoded`, or `formdata` with a file field's `src`); a
//! body from a file as `file` mode with its `src`.

use indexmap::IndexMap;
use serde_json::{Value, json};

use crate::interchange::ImportedRequest;
use crate::request::{Row, is_multipart};

/// The v2.1 schema's address, which Postman reads to know the format.
const SCHEMA: &str = "https://schema.getpostman.com/json/collection/v2.1.0/collection.json";

/// A collection named `name` holding `requests` and the collection
/// `variables` they use, as pretty JSON.
pub fn write(
    name: &str,
    requests: &[ImportedRequest],
    variables: &IndexMap<String, String>,
) -> String {
    let items: Vec<Value> = requests.iter().map(item).collect();
    let mut collection = json!({
        "info": {"name": name, "schema": SCHEMA},
        "item": items,
    });
    if !variables.is_empty() {
        collection["variable"] = variables
            .iter()
            .map(|(key, value)| json!({"key": key, "value": value}))
            .collect();
    }
    serde_json::to_string_pretty(&collection).unwrap_or_default()
}

fn item(req: &ImportedRequest) -> Value {
    let content_type = req
        .headers
        .iter()
        .find(|h| h.enabled && h.name.eq_ignore_ascii_case("content-type"))
        .map(|h| h.value.as_str());
    let multipart = content_type.map_or_else(|| req.form.iter().any(|f| f.file), is_multipart);
    let headers: Vec<Value> = req
        .headers
        .iter()
        // Postman writes a form's type, with its boundary, on its own.
        .filter(|h| req.form.is_empty() || !h.name.eq_ignore_ascii_case("content-type"))
        .map(row)
        .collect();
    let mut request = json!({
        "method": req.method,
        "header": headers,
        "url": url(req),
    });
    if !req.form.is_empty() {
        let mode = if multipart { "formdata" } else { "urlencoded" };
        let fields: Vec<Value> = req
            .form
            .iter()
            .map(|f| {
                let mut field = if f.file {
                    json!({"key": f.name, "type": "file", "src": f.value})
                } else {
                    json!({"key": f.name, "value": f.value, "type": "text"})
                };
                if !f.enabled {
                    field["disabled"] = Value::Bool(true);
                }
                field
            })
            .collect();
        request["body"] = json!({"mode": mode, mode: fields});
    } else if let Some(path) = req.body_file.as_deref().filter(|p| !p.is_empty()) {
        request["body"] = json!({"mode": "file", "file": {"src": path}});
    } else if !req.body.is_empty() {
        request["body"] = json!({"mode": "raw", "raw": req.body});
    }
    json!({"name": req.name, "request": request})
}

/// The URL as a string; with switched-off query parameters, as the
/// object whose `query` list can say so.
fn url(req: &ImportedRequest) -> Value {
    if req.disabled_query.is_empty() {
        return Value::String(req.url.clone());
    }
    let (base, query) = req.url.split_once('?').unwrap_or((&req.url, ""));
    let mut rows: Vec<Value> = query
        .split('&')
        .filter(|piece| !piece.is_empty())
        .map(|piece| match piece.split_once('=') {
            Some((key, value)) => json!({"key": key, "value": value}),
            None => json!({"key": piece, "value": null}),
        })
        .collect();
    rows.extend(req.disabled_query.iter().map(row));
    let mut raw = base.to_string();
    if !query.is_empty() {
        raw.push('?');
        raw.push_str(query);
    }
    json!({"raw": raw, "query": rows})
}

fn row(r: &Row) -> Value {
    let mut out = json!({"key": r.name, "value": r.value});
    if !r.enabled {
        out["disabled"] = Value::Bool(true);
    }
    out
}

//! Postman collections (format v2.1, and v2.0's differences) read into
//! [`ImportedRequest`]s, with the collection's variables as an
//! environment.
//!
//! - Folders nest; a request's name keeps its folder path
//!   (`Users / Admin / Create user`).
//! - A header or query parameter with `"disabled": true` stays switched
//!   off.
//! - The URL comes from `url.raw` (or its parts); `:id` path variables
//!   take their `url.variable` value, or become `{{id}}` when it is empty;
//!   the query comes from `url.query` when given, so that disabled
//!   parameters are known.
//! - Bodies: `raw` (its `options.raw.language` gives the Content-Type when
//!   no header does), `urlencoded` and `formdata` (as form fields, a file
//!   field by its `src` path, a disabled one switched off), `file` (sent
//!   from its `src` path as it is), `graphql` (as JSON).
//! - Auth (`bearer`, `basic`, `apikey`, an OAuth 2 access token), from the
//!   request or inherited from its folders and the collection, becomes a
//!   header (or a query parameter for a query API key).
//!
//! [`write()`] makes a v2.1 collection of requests, forms included.
//!
//! What has no portico equivalent (scripts,
//! other auth types, dynamic variables such as `{{$guid}}`) is reported
//! as a warning naming the request.

use base64::Engine as _;
use indexmap::IndexMap;
use serde_json::Value;
use thiserror::Error;

use crate::catalog::{Environment, Variable};
use crate::secrets::is_secret_name;

mod export;
mod url_parts;

pub use export::write;

use super::imported::ImportedRequest;
use crate::request::{FormField, Row};
pub(super) use url_parts::form_encode;
use url_parts::{dynamic_variables, gentle_encode, path_variables, url_from_parts};

/// A collection read: its name, requests, variables and what was read but
/// could not be kept.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Collection {
    pub name: String,
    pub requests: Vec<ImportedRequest>,
    /// The collection's `variable`s as an environment named after it;
    /// `None` when it has none.
    pub environment: Option<Environment>,
    pub warnings: Vec<String>,
}

#[derive(Debug, Error)]
pub enum PostmanError {
    #[error("cannot read {path}: {message}")]
    Read { path: String, message: String },
    #[error("{file}: not JSON: {message}")]
    Json { file: String, message: String },
    #[error("{file}: {message}")]
    Invalid { file: String, message: String },
}

/// Reads a collection file: UTF-8, with or without the byte order mark
/// Windows tools write, or UTF-16 with its mark.
pub fn read(path: &std::path::Path) -> Result<Collection, PostmanError> {
    let bytes = std::fs::read(path).map_err(|e| PostmanError::Read {
        path: path.display().to_string(),
        message: e.to_string(),
    })?;
    let file = path.display().to_string();
    let text = match encoding_rs::Encoding::for_bom(&bytes) {
        Some((encoding, _)) => encoding.decode_with_bom_removal(&bytes).0.into_owned(),
        None => String::from_utf8(bytes).map_err(|e| PostmanError::Json {
            file: file.clone(),
            message: format!(
                "not UTF-8 (byte {} is not); save the collection as UTF-8",
                e.utf8_error().valid_up_to()
            ),
        })?,
    };
    parse(&text, &file)
}

/// Parses a collection's JSON text; `file` names it in messages.
pub fn parse(text: &str, file: &str) -> Result<Collection, PostmanError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let root: Value = serde_json::from_str(text).map_err(|e| PostmanError::Json {
        file: file.to_string(),
        message: e.to_string(),
    })?;
    let invalid = |message: &str| PostmanError::Invalid {
        file: file.to_string(),
        message: message.to_string(),
    };
    // The old v1 format: requests in a flat list, `order` for each folder.
    if root.get("info").is_none() && root.get("requests").is_some_and(Value::is_array) {
        return Err(invalid(
            "a Postman v1 collection, the format Postman dropped in 2017; open it in \
             Postman (which converts it) and export it as Collection v2.1, then import that",
        ));
    }
    let info = root
        .get("info")
        .ok_or_else(|| invalid("not a Postman collection (no `info`)"))?;
    let schema = info
        .get("schema")
        .and_then(Value::as_str)
        .unwrap_or_default();
    if !schema.is_empty() && !schema.contains("/v2.") {
        return Err(invalid(&format!(
            "collection schema `{schema}` is not supported; export the collection as v2.1"
        )));
    }
    let items = root
        .get("item")
        .and_then(Value::as_array)
        .ok_or_else(|| invalid("not a Postman collection (no `item` list)"))?;
    let name = info
        .get("name")
        .and_then(Value::as_str)
        .unwrap_or("postman")
        .to_string();
    let mut reader = Reader {
        requests: Vec::new(),
        warnings: Vec::new(),
    };
    let auth = root.get("auth").filter(|a| !a.is_null());
    reader.items(items, &[], auth, "item");
    let environment = collection_variables(&root, &name, &mut reader.warnings);
    Ok(Collection {
        name,
        requests: reader.requests,
        environment,
        warnings: reader.warnings,
    })
}

struct Reader {
    requests: Vec<ImportedRequest>,
    warnings: Vec<String>,
}

impl Reader {
    /// `items` of a folder at `path`; `auth` is the nearest enclosing auth;
    /// `pointer` locates them in the file for messages.
    fn items(&mut self, items: &[Value], path: &[String], auth: Option<&Value>, pointer: &str) {
        for (i, item) in items.iter().enumerate() {
            let pointer = format!("{pointer}[{i}]");
            let name = item
                .get("name")
                .and_then(Value::as_str)
                .map_or_else(|| format!("item {}", i + 1), |n| n.trim().to_string());
            let mut full = path.to_vec();
            full.push(name);
            let own_auth = item.get("auth").filter(|a| !a.is_null());
            let auth = own_auth.or(auth);
            if has_scripts(item) {
                self.warnings.push(format!(
                    "`{}`: its scripts are not imported",
                    full.join(" / ")
                ));
            }
            if let Some(children) = item.get("item").and_then(Value::as_array) {
                self.items(children, &full, auth, &format!("{pointer}.item"));
            } else if let Some(request) = item.get("request") {
                let name = full.join(" / ");
                let req = self.request(request, &name, auth);
                self.requests.push(req);
            } else {
                self.warnings.push(format!(
                    "{pointer} (`{}`) is neither a folder nor a request; skipped",
                    full.join(" / ")
                ));
            }
        }
    }

    fn warn(&mut self, name: &str, message: impl std::fmt::Display) {
        self.warnings.push(format!("`{name}`: {message}"));
    }

    /// The fields of a `urlencoded` or `formdata` body (`mode`), a
    /// switched-off one kept switched off; a `file` field by its `src`
    /// path (one file per field: Postman's list of several takes the
    /// first, with a warning).
    fn form_fields(&mut self, body: &Value, mode: &str, name: &str) -> Vec<FormField> {
        let fields = body
            .get(mode)
            .and_then(Value::as_array)
            .into_iter()
            .flatten();
        let mut out = Vec::new();
        for field in fields {
            let key = value_text(field.get("key"));
            let file =
                mode == "formdata" && field.get("type").and_then(Value::as_str) == Some("file");
            let value = if file {
                let src = match field.get("src") {
                    Some(Value::Array(paths)) => {
                        if paths.len() > 1 {
                            self.warn(
                                name,
                                format_args!(
                                    "the file field `{key}` lists {} files; only the first is imported",
                                    paths.len()
                                ),
                            );
                        }
                        value_text(paths.first())
                    }
                    other => value_text(other),
                };
                if src.is_empty() {
                    self.warn(
                        name,
                        format_args!("the file field `{key}` names no file; it is not imported"),
                    );
                    continue;
                }
                src
            } else {
                value_text(field.get("value"))
            };
            out.push(FormField {
                name: key,
                value,
                file,
                enabled: !is_disabled(field),
            });
        }
        out
    }

    fn request(
        &mut self,
        request: &Value,
        name: &str,
        inherited: Option<&Value>,
    ) -> ImportedRequest {
        // v2.1 allows a request that is only its URL.
        if let Some(url) = request.as_str() {
            return ImportedRequest {
                name: name.to_string(),
                method: "GET".into(),
                url: url.to_string(),
                ..ImportedRequest::default()
            };
        }
        let method = request
            .get("method")
            .and_then(Value::as_str)
            .unwrap_or("GET")
            .to_ascii_uppercase();
        let (url, disabled_query) = self.url(request.get("url"), name);
        let mut out = ImportedRequest {
            name: name.to_string(),
            method,
            url,
            headers: headers(request.get("header")),
            disabled_query,
            ..ImportedRequest::default()
        };
        let auth = request.get("auth").filter(|a| !a.is_null()).or(inherited);
        if let Some(auth) = auth {
            self.auth(auth, &mut out);
        }
        if let Some(body) = request.get("body").filter(|b| !b.is_null()) {
            self.body(body, &mut out);
        }
        for text in std::iter::once(out.url.as_str())
            .chain(out.headers.iter().map(|h| h.value.as_str()))
            .chain(std::iter::once(out.body.as_str()))
        {
            for dynamic in dynamic_variables(text) {
                self.warnings.push(format!(
                    "`{name}`: `{{{{{dynamic}}}}}` is a dynamic variable portico does not generate; define `{dynamic}` in an environment"
                ));
            }
        }
        out
    }

    /// The URL with its enabled query, and the disabled query rows.
    fn url(&mut self, url: Option<&Value>, name: &str) -> (String, Vec<Row>) {
        let Some(url) = url else {
            self.warn(name, "has no URL");
            return (String::new(), Vec::new());
        };
        if let Some(raw) = url.as_str() {
            return (raw.to_string(), Vec::new());
        }
        let raw = match url.get("raw").and_then(Value::as_str) {
            Some(raw) => raw.to_string(),
            None => url_from_parts(url),
        };
        let (base, raw_query) = match raw.split_once('?') {
            Some((b, q)) => (b.to_string(), Some(q.to_string())),
            None => (raw.clone(), None),
        };
        let (base, fragment) = match base.split_once('#') {
            Some((b, f)) => (b.to_string(), Some(f.to_string())),
            None => (base, None),
        };
        let variables: IndexMap<String, String> = url
            .get("variable")
            .and_then(Value::as_array)
            .map(|vars| {
                vars.iter()
                    .filter_map(|v| {
                        let key = v.get("key").and_then(Value::as_str)?;
                        Some((key.to_string(), value_text(v.get("value"))))
                    })
                    .collect()
            })
            .unwrap_or_default();
        let base = path_variables(&base, &variables);
        let mut disabled = Vec::new();
        let query = match url.get("query").and_then(Value::as_array) {
            Some(rows) => {
                let mut enabled = Vec::new();
                for row in rows {
                    let Some(key) = row.get("key").and_then(Value::as_str) else {
                        continue;
                    };
                    let value = row.get("value").filter(|v| !v.is_null());
                    if is_disabled(row) {
                        disabled.push(Row {
                            name: key.to_string(),
                            value: value_text(value),
                            enabled: false,
                        });
                    } else if value.is_none() {
                        enabled.push(gentle_encode(key));
                    } else {
                        enabled.push(format!(
                            "{}={}",
                            gentle_encode(key),
                            gentle_encode(&value_text(value))
                        ));
                    }
                }
                (!enabled.is_empty()).then(|| enabled.join("&"))
            }
            None => raw_query,
        };
        let mut out = base;
        if let Some(q) = query.filter(|q| !q.is_empty()) {
            out.push('?');
            out.push_str(&q);
        }
        if let Some(f) = fragment {
            out.push('#');
            out.push_str(&f);
        }
        (out, disabled)
    }

    fn auth(&mut self, auth: &Value, out: &mut ImportedRequest) {
        let kind = auth.get("type").and_then(Value::as_str).unwrap_or("noauth");
        let params = auth_params(auth.get(kind));
        let get = |key: &str| params.get(key).cloned().unwrap_or_default();
        let header = match kind {
            "noauth" => None,
            "bearer" => Some((
                "Authorization".to_string(),
                format!("Bearer {}", get("token")),
            )),
            "basic" => {
                let (user, pass) = (get("username"), get("password"));
                let plain = format!("{user}:{pass}");
                let value = if plain.contains("{{") {
                    // Encoded when sent: `{{user}}` must stay readable.
                    format!("Basic {plain}")
                } else {
                    format!(
                        "Basic {}",
                        base64::engine::general_purpose::STANDARD.encode(plain)
                    )
                };
                Some(("Authorization".to_string(), value))
            }
            "apikey" => {
                let key = params
                    .get("key")
                    .cloned()
                    .unwrap_or_else(|| "X-API-Key".into());
                let value = get("value");
                if get("in") == "query" {
                    let sep = if out.url.contains('?') { '&' } else { '?' };
                    out.url = format!(
                        "{}{sep}{}={}",
                        out.url,
                        gentle_encode(&key),
                        gentle_encode(&value)
                    );
                    None
                } else {
                    Some((key, value))
                }
            }
            "oauth2" if params.contains_key("accessToken") => Some((
                "Authorization".to_string(),
                format!("Bearer {}", get("accessToken")),
            )),
            other => {
                let name = out.name.clone();
                self.warn(
                    &name,
                    format_args!("`{other}` auth is not supported; add its header by hand"),
                );
                None
            }
        };
        if let Some((name, value)) = header {
            // A header the request sets itself wins, as in Postman.
            if !out
                .headers
                .iter()
                .any(|h| h.enabled && h.name.eq_ignore_ascii_case(&name))
            {
                out.headers.push(Row {
                    name,
                    value,
                    enabled: true,
                });
            }
        }
    }

    fn body(&mut self, body: &Value, out: &mut ImportedRequest) {
        if body.get("disabled").and_then(Value::as_bool) == Some(true) {
            return;
        }
        let name = out.name.clone();
        let mode = body.get("mode").and_then(Value::as_str).unwrap_or("raw");
        let content_type = match mode {
            "raw" => {
                out.body = value_text(body.get("raw"));
                let language = body
                    .pointer("/options/raw/language")
                    .and_then(Value::as_str)
                    .unwrap_or("text");
                match language {
                    "json" => Some("application/json"),
                    "xml" => Some("application/xml"),
                    "html" => Some("text/html"),
                    "javascript" => Some("application/javascript"),
                    "graphql" => Some("application/graphql"),
                    _ => Some("text/plain"),
                }
            }
            "urlencoded" | "formdata" => {
                out.form = self.form_fields(body, mode, &name);
                let multipart = mode == "formdata";
                if !out.form.is_empty() {
                    set_content_type(
                        out,
                        if multipart {
                            "multipart/form-data"
                        } else {
                            "application/x-www-form-urlencoded"
                        },
                    );
                }
                None
            }
            "graphql" => {
                let query = value_text(body.pointer("/graphql/query"));
                let variables = body
                    .pointer("/graphql/variables")
                    .map(|v| value_text(Some(v)))
                    .filter(|v| !v.trim().is_empty())
                    .and_then(|v| serde_json::from_str::<Value>(&v).ok())
                    .unwrap_or(Value::Object(serde_json::Map::new()));
                out.body =
                    serde_json::json!({ "query": query, "variables": variables }).to_string();
                Some("application/json")
            }
            "file" => {
                match body.pointer("/file/src").and_then(Value::as_str) {
                    Some(src) if !src.trim().is_empty() => out.body_file = Some(src.to_string()),
                    _ => self.warn(&name, "a file body names no file (`file.src`)"),
                }
                None
            }
            other => {
                self.warn(
                    &name,
                    format_args!("the `{other}` body mode is not supported"),
                );
                None
            }
        };
        if let Some(ct) = content_type.filter(|_| !out.body.is_empty()) {
            set_content_type(out, ct);
        }
    }
}

/// Adds a Content-Type header unless the request has an enabled one.
fn set_content_type(out: &mut ImportedRequest, content_type: &str) {
    if !out
        .headers
        .iter()
        .any(|h| h.enabled && h.name.eq_ignore_ascii_case("content-type"))
    {
        out.headers.push(Row {
            name: "Content-Type".into(),
            value: content_type.to_string(),
            enabled: true,
        });
    }
}

/// Auth parameters: v2.1's `[{key, value}]` or v2.0's `{key: value}`.
fn auth_params(params: Option<&Value>) -> IndexMap<String, String> {
    match params {
        Some(Value::Array(list)) => list
            .iter()
            .filter_map(|p| {
                let key = p.get("key").and_then(Value::as_str)?;
                Some((key.to_string(), value_text(p.get("value"))))
            })
            .collect(),
        Some(Value::Object(map)) => map
            .iter()
            .map(|(k, v)| (k.clone(), value_text(Some(v))))
            .collect(),
        _ => IndexMap::new(),
    }
}

fn headers(header: Option<&Value>) -> Vec<Row> {
    match header {
        Some(Value::Array(list)) => list
            .iter()
            .filter_map(|h| {
                let key = h.get("key").and_then(Value::as_str)?;
                Some(Row {
                    name: key.trim().to_string(),
                    value: value_text(h.get("value")),
                    enabled: !is_disabled(h),
                })
            })
            .collect(),
        // v2.1 also allows the headers as one `Name: value` text.
        Some(Value::String(text)) => text
            .lines()
            .filter_map(|line| {
                let (n, v) = line.split_once(':')?;
                Some(Row {
                    name: n.trim().to_string(),
                    value: v.trim().to_string(),
                    enabled: true,
                })
            })
            .collect(),
        _ => Vec::new(),
    }
}

fn is_disabled(v: &Value) -> bool {
    v.get("disabled").and_then(Value::as_bool) == Some(true)
}

fn has_scripts(item: &Value) -> bool {
    item.get("event")
        .and_then(Value::as_array)
        .is_some_and(|events| {
            events.iter().any(|e| {
                e.pointer("/script/exec").is_some_and(|exec| match exec {
                    Value::Array(lines) => lines
                        .iter()
                        .any(|l| l.as_str().is_some_and(|s| !s.trim().is_empty())),
                    Value::String(s) => !s.trim().is_empty(),
                    _ => false,
                })
            })
        })
}

/// A JSON value as text: strings as they are, numbers and booleans
/// written, null or absent as empty.
fn value_text(value: Option<&Value>) -> String {
    match value {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(s)) => s.clone(),
        Some(other) => other.to_string(),
    }
}

/// The collection's `variable`s as an environment named after it.
fn collection_variables(
    root: &Value,
    name: &str,
    warnings: &mut Vec<String>,
) -> Option<Environment> {
    let list = root.get("variable").and_then(Value::as_array)?;
    let mut variables = IndexMap::new();
    for v in list {
        let Some(key) = v.get("key").or_else(|| v.get("id")).and_then(Value::as_str) else {
            continue;
        };
        if is_disabled(v) {
            warnings.push(format!(
                "the disabled collection variable `{key}` is not imported"
            ));
            continue;
        }
        let secret = v.get("type").and_then(Value::as_str) == Some("secret") || is_secret_name(key);
        variables.insert(
            key.to_string(),
            Variable {
                value: value_text(v.get("value")),
                secret,
            },
        );
    }
    (!variables.is_empty()).then(|| Environment {
        name: name.to_string(),
        variables,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn v2_0_auth_and_string_forms() {
        let text = r#"{
            "info": {"name": "old", "schema": "https://schema.getpostman.com/json/collection/v2.0.0/collection.json"},
            "auth": {"type": "bearer", "bearer": {"token": "{{t}}"}},
            "item": [
                {"name": "a", "request": "http://x.test/a"},
                {"name": "b", "request": {"url": "http://x.test/b", "method": "delete", "header": "X-A: 1\nX-B: 2"}}
            ]
        }"#;
        let c = parse(text, "old.json").expect("parses");
        assert_eq!(c.requests[0].url, "http://x.test/a");
        assert_eq!(c.requests[1].method, "DELETE");
        assert_eq!(
            c.requests[1].headers,
            vec![
                Row {
                    name: "X-A".into(),
                    value: "1".into(),
                    enabled: true
                },
                Row {
                    name: "X-B".into(),
                    value: "2".into(),
                    enabled: true
                },
                Row {
                    name: "Authorization".into(),
                    value: "Bearer {{t}}".into(),
                    enabled: true
                },
            ]
        );
    }

    #[test]
    fn odd_shapes_are_skipped_or_reported() {
        let text = r#"{
            "info": {"name": 5},
            "auth": "bearer",
            "variable": [1, {"key": 2}, {"key": "k", "value": {"a": 1}}],
            "item": [
                1, "x", null,
                {"name": "folder", "item": "not a list"},
                {"name": "r", "request": {"method": 7, "url": {"raw": 9, "query": [{"key": "q", "value": null}, 3]},
                 "header": [{"key": 1}, {"key": "A", "value": true}],
                 "auth": {"type": "basic", "basic": "nope"},
                 "body": {"mode": "urlencoded", "urlencoded": "nope"}}},
                {"name": "s", "request": {"url": "http://x.test", "body": {"mode": "formdata", "formdata": [{"key": "f", "type": "file"}]}}}
            ]
        }"#;
        let c = parse(text, "odd.json").expect("parses");
        assert_eq!(c.requests.len(), 2);
        assert_eq!(c.requests[0].url, "?q");
        assert_eq!(
            c.requests[0].headers[0],
            Row {
                name: "A".into(),
                value: "true".into(),
                enabled: true
            }
        );
        assert_eq!(c.requests[1].body, "");
        assert!(c.warnings.len() >= 4, "{:?}", c.warnings);
    }

    #[test]
    fn errors_name_the_problem() {
        let err = parse("{", "c.json").expect_err("not JSON");
        assert!(err.to_string().starts_with("c.json: not JSON: "), "{err}");
        let err = parse(r#"{"info": {"schema": "https://schema.getpostman.com/json/collection/v1.0.0/"}, "item": []}"#, "c.json")
            .expect_err("v1");
        assert!(
            err.to_string().contains("export the collection as v2.1"),
            "{err}"
        );
        let err = parse(r#"{"openapi": "3.0.0"}"#, "c.json").expect_err("not a collection");
        assert_eq!(
            err.to_string(),
            "c.json: not a Postman collection (no `info`)"
        );
    }
}

//! The TUI's one seam to the core: drafts, builds, curl export, sending
//! and search. Panes talk to these functions and to [`Outcome`] /
//! [`Failure`], never to the engine's types, so the interface does not
//! care how the engine shapes an exchange.

use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use tokio_util::sync::CancellationToken;

use crate::catalog::{Api, Catalog, Operation};
use crate::request::{BuildError, BuiltRequest, Draft, Vars};
use crate::secrets::Masker;

/// What the response pane shows for a finished exchange.
#[derive(Debug, Clone)]
pub struct Outcome {
    /// The request as sent, secrets masked.
    pub sent: BuiltRequest,
    /// Each redirect followed: status and location.
    pub redirects: Vec<(u16, String)>,
    pub version: String,
    pub status: u16,
    pub reason: String,
    /// As received, repeats kept, in order.
    pub headers: Vec<(String, String)>,
    pub body: Bytes,
    /// The body was cut at the engine's cap.
    pub truncated: bool,
    /// Bytes received (before any cut).
    pub size: u64,
    pub time_to_headers: Duration,
    pub total: Duration,
}

impl Outcome {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// Why a send produced no response.
#[derive(Debug, Clone)]
pub struct Failure {
    pub message: String,
    pub elapsed: Duration,
    pub cancelled: bool,
}

/// A fresh draft for an operation: defaults, examples and the sample
/// body filled in.
pub fn new_draft(api: &Api, op: &Operation, vars: &Vars) -> Draft {
    shim::new_draft(api, op, vars)
}

pub fn build(
    api: &Api,
    op: &Operation,
    draft: &Draft,
    vars: &Vars,
) -> Result<BuiltRequest, BuildError> {
    shim::build(api, op, draft, vars)
}

/// The request with every secret replaced by the mask.
pub fn masked(req: &BuiltRequest) -> BuiltRequest {
    let masker = Masker::new(req.secret_values.iter().cloned());
    BuiltRequest {
        method: req.method.clone(),
        url: masker.mask(&req.url),
        headers: req
            .headers
            .iter()
            .map(|(n, v)| {
                let v = if crate::secrets::is_secret_name(n) {
                    crate::secrets::mask_header_value(v)
                } else {
                    masker.mask(v)
                };
                (n.clone(), v)
            })
            .collect(),
        body: req
            .body
            .as_ref()
            .map(|b| masker.mask(&String::from_utf8_lossy(b)).into_bytes()),
        secret_values: Vec::new(),
    }
}

pub fn to_curl(req: &BuiltRequest, mask: bool) -> String {
    let req = if mask { masked(req) } else { req.clone() };
    shim::to_curl(&req)
}

/// Sends requests; one per process, shared by the background tasks.
#[derive(Clone)]
pub struct Sender {
    client: Arc<reqwest::Client>,
}

impl Sender {
    pub fn new() -> anyhow::Result<Self> {
        Ok(Self {
            client: Arc::new(shim::client()?),
        })
    }

    pub async fn send(
        &self,
        req: BuiltRequest,
        cancel: CancellationToken,
    ) -> Result<Outcome, Failure> {
        shim::send(&self.client, req, cancel).await
    }
}

/// Ranked operations for a filter text: `(api index, operation index)`.
pub struct Search {
    entries: Vec<(usize, usize, String)>,
}

impl Search {
    pub fn new(catalog: &Catalog) -> Self {
        let mut entries = Vec::new();
        for (a, api) in catalog.apis.iter().enumerate() {
            for (o, op) in api.operations.iter().enumerate() {
                let hay = format!(
                    "{} {} {} {} {}",
                    op.method,
                    op.path,
                    op.title(),
                    op.tags.join(" "),
                    op.operation_id.as_deref().unwrap_or(""),
                );
                entries.push((a, o, hay));
            }
        }
        Self { entries }
    }

    pub fn query(&self, text: &str, limit: usize) -> Vec<(usize, usize)> {
        use nucleo_matcher::pattern::{CaseMatching, Normalization, Pattern};
        use nucleo_matcher::{Config, Matcher, Utf32Str};
        let mut matcher = Matcher::new(Config::DEFAULT);
        let pattern = Pattern::parse(text, CaseMatching::Smart, Normalization::Smart);
        let mut buf = Vec::new();
        let mut hits: Vec<(u32, usize)> = self
            .entries
            .iter()
            .enumerate()
            .filter_map(|(i, (_, _, hay))| {
                pattern
                    .score(Utf32Str::new(hay, &mut buf), &mut matcher)
                    .map(|s| (s, i))
            })
            .collect();
        hits.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
        hits.into_iter()
            .take(limit)
            .map(|(_, i)| (self.entries[i].0, self.entries[i].1))
            .collect()
    }
}

/// Stand-ins for core functions that have not landed yet.
mod shim {
    use std::time::Instant;

    use super::{Failure, Outcome};
    use crate::catalog::{Api, Operation, ParamLocation, SecurityKind};
    use crate::request::{AuthValue, BuildError, BuiltRequest, Draft, ParamValue, Row, Vars};
    use base64::Engine as _;
    use percent_encoding::{AsciiSet, NON_ALPHANUMERIC};

    /// RFC 3986 unreserved characters stay as they are.
    const COMPONENT: &AsciiSet = &NON_ALPHANUMERIC
        .remove(b'-')
        .remove(b'.')
        .remove(b'_')
        .remove(b'~');
    use futures_util::StreamExt;
    use tokio_util::sync::CancellationToken;

    fn text(v: &serde_json::Value) -> String {
        match v {
            serde_json::Value::String(s) => s.clone(),
            other => other.to_string(),
        }
    }

    pub fn new_draft(api: &Api, op: &Operation, vars: &Vars) -> Draft {
        let params = op
            .parameters
            .iter()
            .map(|p| {
                let from_env = p
                    .template_variable
                    .as_ref()
                    .filter(|v| vars.environment.contains_key(*v))
                    .map(|v| format!("{{{{{v}}}}}"));
                let value = from_env
                    .or_else(|| p.schema.default.as_ref().map(text))
                    .or_else(|| p.example.as_ref().map(text))
                    .unwrap_or_default();
                ParamValue {
                    name: p.name.clone(),
                    location: p.location,
                    value,
                    enabled: true,
                }
            })
            .collect();
        let headers = api
            .default_headers
            .iter()
            .map(|(n, v)| Row {
                name: n.clone(),
                value: v.clone(),
                enabled: true,
            })
            .collect();
        let auth = api
            .security_schemes
            .iter()
            .map(|s| AuthValue {
                scheme: s.name.clone(),
                value: String::new(),
                username: String::new(),
            })
            .collect();
        let media = op.request_body.as_ref().and_then(|b| b.content.first());
        let body = media
            .and_then(|m| m.examples.first())
            .map(|e| match &e.value {
                serde_json::Value::String(s) => s.clone(),
                v => serde_json::to_string_pretty(v).unwrap_or_default(),
            })
            .unwrap_or_default();
        Draft {
            params,
            headers,
            auth,
            content_type: media.map(|m| m.content_type.clone()),
            body,
            ..Draft::default()
        }
    }

    fn subst(text: &str, vars: &Vars, secrets: &mut Vec<String>) -> String {
        let mut out = String::new();
        let mut rest = text;
        while let Some(start) = rest.find("{{") {
            let Some(end) = rest[start..].find("}}") else {
                break;
            };
            out.push_str(&rest[..start]);
            let name = rest[start + 2..start + end].trim();
            match vars
                .captured
                .get(name)
                .or_else(|| vars.environment.get(name))
            {
                Some(v) => {
                    if v.secret {
                        secrets.push(v.value.clone());
                    }
                    out.push_str(&v.value);
                }
                None => out.push_str(&rest[start..start + end + 2]),
            }
            rest = &rest[start + end + 2..];
        }
        out.push_str(rest);
        out
    }

    pub fn build(
        api: &Api,
        op: &Operation,
        draft: &Draft,
        vars: &Vars,
    ) -> Result<BuiltRequest, BuildError> {
        let mut secrets = Vec::new();
        let base = draft
            .server_url
            .clone()
            .or_else(|| api.servers.get(draft.server).map(|s| s.url.clone()))
            .unwrap_or_default();
        let mut path = op.path.clone();
        let mut query = Vec::new();
        let mut headers = Vec::new();
        for p in &op.parameters {
            let value = draft
                .params
                .iter()
                .find(|v| v.name == p.name && v.location == p.location && v.enabled)
                .map(|v| subst(&v.value, vars, &mut secrets))
                .unwrap_or_default();
            if value.is_empty() {
                if p.required {
                    return Err(BuildError::MissingParameter {
                        name: p.name.clone(),
                        location: p.location.as_str().to_string(),
                    });
                }
                continue;
            }
            match p.location {
                ParamLocation::Path => {
                    let var = p
                        .template_variable
                        .clone()
                        .unwrap_or_else(|| p.name.clone());
                    let enc = percent_encoding::utf8_percent_encode(&value, COMPONENT).to_string();
                    path = path.replace(&format!("{{{var}}}"), &enc);
                }
                ParamLocation::Query => query.push((p.name.clone(), value)),
                ParamLocation::Header => headers.push((p.name.clone(), value)),
                ParamLocation::Cookie => {
                    headers.push(("Cookie".into(), format!("{}={value}", p.name)));
                }
            }
        }
        for row in draft
            .extra_query
            .iter()
            .filter(|r| r.enabled && !r.name.is_empty())
        {
            query.push((row.name.clone(), subst(&row.value, vars, &mut secrets)));
        }
        for row in draft
            .headers
            .iter()
            .filter(|r| r.enabled && !r.name.is_empty())
        {
            headers.push((row.name.clone(), subst(&row.value, vars, &mut secrets)));
        }
        for auth in &draft.auth {
            let Some(scheme) = api.security_schemes.iter().find(|s| s.name == auth.scheme) else {
                continue;
            };
            let value = subst(&auth.value, vars, &mut secrets);
            if value.is_empty() {
                continue;
            }
            secrets.push(value.clone());
            match &scheme.kind {
                SecurityKind::ApiKey { param, location } => match location {
                    ParamLocation::Query => query.push((param.clone(), value)),
                    _ => headers.push((param.clone(), value)),
                },
                SecurityKind::Bearer { .. } | SecurityKind::OAuth2 { .. } => {
                    headers.push(("Authorization".into(), format!("Bearer {value}")));
                }
                SecurityKind::Basic => {
                    let user = subst(&auth.username, vars, &mut secrets);
                    let token =
                        base64::engine::general_purpose::STANDARD.encode(format!("{user}:{value}"));
                    headers.push(("Authorization".into(), format!("Basic {token}")));
                }
                SecurityKind::Other { .. } => {}
            }
        }
        let mut url = format!("{}{}", base.trim_end_matches('/'), path);
        if !query.is_empty() {
            let q: Vec<String> = query
                .iter()
                .map(|(k, v)| {
                    format!(
                        "{}={}",
                        percent_encoding::utf8_percent_encode(k, COMPONENT),
                        percent_encoding::utf8_percent_encode(v, COMPONENT)
                    )
                })
                .collect();
            url.push('?');
            url.push_str(&q.join("&"));
        }
        let body = if draft.body.is_empty() {
            None
        } else {
            if let Some(ct) = &draft.content_type
                && !headers
                    .iter()
                    .any(|(n, _)| n.eq_ignore_ascii_case("content-type"))
            {
                headers.push(("Content-Type".into(), ct.clone()));
            }
            Some(subst(&draft.body, vars, &mut secrets).into_bytes())
        };
        Ok(BuiltRequest {
            method: op.method.clone(),
            url,
            headers,
            body,
            secret_values: secrets,
        })
    }

    pub fn to_curl(req: &BuiltRequest) -> String {
        let q = |s: &str| format!("'{}'", s.replace('\'', r"'\''"));
        let mut out = format!("curl -X {} {}", req.method, q(&req.url));
        for (n, v) in &req.headers {
            out.push_str(&format!(" \\\n  -H {}", q(&format!("{n}: {v}"))));
        }
        if let Some(body) = &req.body {
            out.push_str(&format!(
                " \\\n  --data-raw {}",
                q(&String::from_utf8_lossy(body))
            ));
        }
        out
    }

    pub fn client() -> anyhow::Result<reqwest::Client> {
        let _ = rustls::crypto::ring::default_provider().install_default();
        Ok(reqwest::Client::builder().build()?)
    }

    pub async fn send(
        client: &reqwest::Client,
        req: BuiltRequest,
        cancel: CancellationToken,
    ) -> Result<Outcome, Failure> {
        let started = Instant::now();
        let fail = |message: String, cancelled: bool| Failure {
            message,
            elapsed: started.elapsed(),
            cancelled,
        };
        let method = reqwest::Method::from_bytes(req.method.as_bytes())
            .map_err(|e| fail(e.to_string(), false))?;
        let mut builder = client.request(method, &req.url);
        for (n, v) in &req.headers {
            builder = builder.header(n, v);
        }
        if let Some(body) = &req.body {
            builder = builder.body(body.clone());
        }
        let response = tokio::select! {
            r = builder.send() => r.map_err(|e| fail(format!("{e}"), false))?,
            () = cancel.cancelled() => return Err(fail("cancelled".into(), true)),
        };
        let time_to_headers = started.elapsed();
        let status = response.status();
        let version = format!("{:?}", response.version());
        let headers = response
            .headers()
            .iter()
            .map(|(n, v)| {
                (
                    n.to_string(),
                    String::from_utf8_lossy(v.as_bytes()).into_owned(),
                )
            })
            .collect();
        let mut body = Vec::new();
        let mut stream = response.bytes_stream();
        loop {
            let chunk = tokio::select! {
                c = stream.next() => c,
                () = cancel.cancelled() => return Err(fail("cancelled".into(), true)),
            };
            match chunk {
                Some(Ok(c)) => body.extend_from_slice(&c),
                Some(Err(e)) => return Err(fail(e.to_string(), false)),
                None => break,
            }
        }
        Ok(Outcome {
            sent: super::masked(&req),
            redirects: Vec::new(),
            version,
            status: status.as_u16(),
            reason: status.canonical_reason().unwrap_or("").to_string(),
            headers,
            size: body.len() as u64,
            body: body.into(),
            truncated: false,
            time_to_headers,
            total: started.elapsed(),
        })
    }
}

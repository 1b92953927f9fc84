//! The request flags that `call` and `curl` share (target, `--op`, `-p`,
//! `-H`, `-d`), declared once, and how they change a request's draft.

use std::io::Read;

use anyhow::{Context, Result, anyhow};
use clap::Args;
use serde_json::Value;

use super::session::Target;
use crate::request::{Draft, Row};

/// Which operation to build and the values given for it on the command
/// line. `reveal` and `preset` are not here: `call` and `curl` explain them
/// differently and list them in different places.
#[derive(Debug, Clone, Default, Args)]
pub struct RequestArgs {
    #[command(flatten)]
    pub target: Target,
    /// The operation: operationId, API:operationId, display name, or
    /// 'METHOD /path/template'.
    #[arg(long = "op", value_name = "SELECTOR")]
    pub op: String,
    /// A parameter value (path, query, header or cookie parameter, by
    /// name); an unknown name becomes an extra query parameter.
    #[arg(short = 'p', long = "param", value_name = "NAME=VALUE")]
    pub params: Vec<String>,
    /// A header, replacing one of the same name.
    #[arg(short = 'H', long = "header", value_name = "'Name: value'")]
    pub headers: Vec<String>,
    /// The body: text, @FILE, or @- for standard input.
    #[arg(short = 'd', long = "data", value_name = "BODY")]
    pub data: Option<String>,
}

/// Applies `-p`, `-H`, `-d` and `--server` on top of the prefilled draft.
pub(super) fn apply_overrides(draft: &mut Draft, args: &RequestArgs) -> Result<()> {
    if let Some(server) = &args.target.server {
        draft.server_url = Some(server.clone());
    }
    for param in &args.params {
        let (name, value) = param
            .split_once('=')
            .ok_or_else(|| anyhow!("-p `{param}`: expected NAME=VALUE"))?;
        match draft.params.iter_mut().find(|p| p.name == name) {
            Some(row) => {
                row.value = value.to_string();
                row.enabled = true;
            }
            None => draft.extra_query.push(Row {
                name: name.to_string(),
                value: value.to_string(),
                enabled: true,
            }),
        }
    }
    for header in &args.headers {
        let (name, value) = header
            .split_once(':')
            .ok_or_else(|| anyhow!("-H `{header}`: expected 'Name: value'"))?;
        let (name, value) = (name.trim(), value.trim_start());
        if name.eq_ignore_ascii_case("content-type") {
            draft.content_type = Some(value.to_string());
        }
        draft
            .headers
            .retain(|row| !row.name.eq_ignore_ascii_case(name));
        draft.headers.push(Row {
            name: name.to_string(),
            value: value.to_string(),
            enabled: true,
        });
    }
    if let Some(data) = &args.data {
        draft.body = read_data(data)?;
        // Like the definition would have said: a JSON body sent to an
        // operation that declares no body is labelled as JSON.
        let labelled = draft.content_type.is_some()
            || draft
                .headers
                .iter()
                .any(|row| row.enabled && row.name.eq_ignore_ascii_case("content-type"));
        if !labelled && serde_json::from_str::<Value>(&draft.body).is_ok() {
            draft.content_type = Some("application/json".into());
        }
    }
    Ok(())
}

/// `-d` text, `@FILE` or `@-` (standard input).
fn read_data(data: &str) -> Result<String> {
    match data.strip_prefix('@') {
        Some("-") => {
            let mut body = String::new();
            std::io::stdin()
                .read_to_string(&mut body)
                .context("reading the body from standard input")?;
            Ok(body)
        }
        Some(path) => {
            std::fs::read_to_string(path).with_context(|| format!("reading the body from {path}"))
        }
        None => Ok(data.to_string()),
    }
}

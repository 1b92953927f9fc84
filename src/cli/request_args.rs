//! The request flags that `call` and `curl` share (target, `--op`, `-p`,
//! `--query`, `-H`, `-d`, `-F`, `-u`, `--bearer`, `--no-auth`), declared once, and how they change a request's draft.

use std::io::Read;

use anyhow::{Context, Result, anyhow};
use clap::Args;
use serde_json::Value;

use super::session::Target;
use crate::catalog::ParamLocation;
use crate::catalog::search::distance_within;
use crate::request::{AdHocAuth, AuthValue, Draft, FormField, Row};

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
    /// name); a name the operation does not define is refused (see --query).
    #[arg(short = 'p', long = "param", value_name = "NAME=VALUE")]
    pub params: Vec<String>,
    /// An extra query parameter the operation does not define.
    #[arg(long = "query", value_name = "NAME=VALUE")]
    pub query: Vec<String>,
    /// A header, replacing one of the same name; it also sets the
    /// operation's header parameter of that name.
    #[arg(short = 'H', long = "header", value_name = "'Name: value'")]
    pub headers: Vec<String>,
    /// The body: text, @FILE, or @- for standard input.
    #[arg(short = 'd', long = "data", value_name = "BODY")]
    pub data: Option<String>,
    /// The body: the bytes of a file as they are (@FILE; a binary body,
    /// labelled with the operation's type, else the file's by its
    /// extension).
    #[arg(long = "data-binary", value_name = "@FILE", conflicts_with = "data")]
    pub data_binary: Option<String>,
    /// A form field (NAME=VALUE), or a file to upload (NAME=@PATH): the
    /// body is encoded as the operation's form type says (multipart when
    /// a file is given and nothing else is declared).
    #[arg(short = 'F', long = "form", value_name = "NAME=VALUE")]
    pub form: Vec<String>,
    /// Basic auth on this request, whatever the definition declares
    /// (USER:PASSWORD; either may be a {{variable}}).
    #[arg(short = 'u', long = "user", value_name = "USER:PASSWORD")]
    pub user: Option<String>,
    /// A bearer token on this request, whatever the definition declares
    /// (a {{variable}} keeps it off the command line).
    #[arg(long = "bearer", value_name = "TOKEN")]
    pub bearer: Option<String>,
    /// Sends nothing for a security scheme the operation declares and
    /// gets it no OAuth 2.0 token, for a request that authenticates
    /// another way (repeatable; `all` for every declared scheme).
    #[arg(long = "no-auth", value_name = "SCHEME")]
    pub no_auth: Vec<String>,
}

/// Applies `-p`, `--query`, `-H`, `-F`, `-u`, `--bearer`, `--no-auth`, `-d` and `--server` on top of the prefilled draft.
pub(super) fn apply_overrides(draft: &mut Draft, args: &RequestArgs) -> Result<()> {
    if let Some(server) = &args.target.server {
        draft.server_url = Some(server.clone());
    }
    for param in &args.params {
        let (name, value) = param
            .split_once('=')
            .ok_or_else(|| anyhow!("-p `{param}`: expected NAME=VALUE"))?;
        let row = match parameter_rows(draft, name).as_slice() {
            [one] => *one,
            // A typo sent as an extra query parameter would be ignored by
            // most servers, and the definition's value sent instead.
            [] => return Err(anyhow!(unknown_parameter(draft, name))),
            several => {
                let places: Vec<String> = several
                    .iter()
                    .map(|i| format!("-p {}.{name}=…", draft.params[*i].location.as_str()))
                    .collect();
                return Err(anyhow!(
                    "`{name}` names {} parameters in different places: say which, as in {}",
                    several.len(),
                    places.join(" or ")
                ));
            }
        };
        draft.params[row].value = value.to_string();
        draft.params[row].enabled = true;
    }
    for query in &args.query {
        let (name, value) = query
            .split_once('=')
            .ok_or_else(|| anyhow!("--query `{query}`: expected NAME=VALUE"))?;
        draft.extra_query.push(Row {
            name: name.to_string(),
            value: value.to_string(),
            enabled: true,
        });
    }
    for header in &args.headers {
        let (name, value) = header
            .split_once(':')
            .ok_or_else(|| anyhow!("-H `{header}`: expected 'Name: value'"))?;
        let (name, value) = (name.trim(), value.trim_start());
        if name.eq_ignore_ascii_case("content-type") {
            draft.content_type = Some(value.to_string());
        }
        // The header row wins when the request is built, but a parameter
        // left at the definition's `{{PLACEHOLDER}}` would still fail it.
        for row in draft
            .params
            .iter_mut()
            .filter(|p| p.location == ParamLocation::Header && p.name.eq_ignore_ascii_case(name))
        {
            row.value = value.to_string();
            row.enabled = true;
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
    for field in &args.form {
        let (name, value) = field
            .split_once('=')
            .ok_or_else(|| anyhow!("-F `{field}`: expected NAME=VALUE or NAME=@PATH"))?;
        let (value, file) = match value.strip_prefix('@') {
            Some(path) => (path, true),
            None => (value, false),
        };
        let row = FormField {
            name: name.to_string(),
            value: value.to_string(),
            file,
            enabled: true,
        };
        match draft.form.iter_mut().find(|f| f.name == name) {
            Some(existing) => *existing = row,
            None => draft.form.push(row),
        }
    }
    for scheme in &args.no_auth {
        switch_off_scheme(draft, scheme)?;
    }
    // Given on the command line, a credential goes before the ones the
    // definition prefilled: the first `Authorization` wins.
    if let Some(token) = &args.bearer {
        draft
            .auth
            .insert(0, AuthValue::ad_hoc(AdHocAuth::Bearer, "", token));
    }
    if let Some(user) = &args.user {
        let (name, password) = user.split_once(':').unwrap_or((user, ""));
        draft
            .auth
            .insert(0, AuthValue::ad_hoc(AdHocAuth::Basic, name, password));
    }
    if let Some(file) = &args.data_binary {
        let path = file.strip_prefix('@').unwrap_or(file);
        if path.is_empty() || path == "-" {
            anyhow::bail!("--data-binary takes a file, as @PATH");
        }
        draft.body_file = Some(path.to_string());
        draft.body.clear();
        draft.form.clear();
    }
    if let Some(data) = &args.data {
        draft.body = read_data(data)?;
        draft.body_file = None;
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

/// `--no-auth SCHEME`: the declared scheme's credential switched off; a
/// name the operation does not declare is refused with the ones it does.
fn switch_off_scheme(draft: &mut Draft, scheme: &str) -> Result<()> {
    let declared = draft.auth.iter_mut().filter(|a| a.ad_hoc.is_none());
    if scheme == "all" {
        declared.for_each(|a| a.enabled = false);
        return Ok(());
    }
    let mut names = Vec::new();
    for auth in declared {
        if auth.scheme == scheme {
            auth.enabled = false;
            return Ok(());
        }
        names.push(format!("`{}`", auth.scheme));
    }
    Err(match names.as_slice() {
        [] => anyhow!("--no-auth `{scheme}`: the operation declares no security scheme"),
        _ => anyhow!(
            "--no-auth `{scheme}`: the operation declares {}",
            names.join(", ")
        ),
    })
}

/// Why `-p NAME=...` is refused: the nearest of the operation's parameter
/// names (by edit distance, case aside) and all of them.
/// The draft's parameters `-p NAME` sets: those named NAME, else, for
/// `path.NAME`, `query.NAME`, `header.NAME` or `cookie.NAME`, the one of
/// that name in that place.
fn parameter_rows(draft: &Draft, name: &str) -> Vec<usize> {
    let named: Vec<usize> = (0..draft.params.len())
        .filter(|i| draft.params[*i].name == name)
        .collect();
    if !named.is_empty() {
        return named;
    }
    let Some((place, rest)) = name.split_once('.') else {
        return Vec::new();
    };
    (0..draft.params.len())
        .filter(|i| {
            let p = &draft.params[*i];
            p.name == rest && p.location.as_str() == place
        })
        .collect()
}

fn unknown_parameter(draft: &Draft, name: &str) -> String {
    let lower = name.to_lowercase();
    let budget = (lower.chars().count() / 3).max(1);
    let typed: Vec<char> = lower.chars().collect();
    let nearest = draft
        .params
        .iter()
        .filter_map(|p| {
            let known: Vec<char> = p.name.to_lowercase().chars().collect();
            distance_within(&typed, &known, budget).map(|d| (d, p.name.as_str()))
        })
        .min_by_key(|(distance, _)| *distance);
    let mut message = format!("unknown parameter `{name}`");
    match nearest {
        Some((_, suggestion)) => message.push_str(&format!("; did you mean `{suggestion}`? ")),
        None => message.push_str(". "),
    }
    if draft.params.is_empty() {
        message.push_str("The operation has no parameters");
    } else {
        let names: Vec<&str> = draft.params.iter().map(|p| p.name.as_str()).collect();
        message.push_str(&format!("The operation has: {}", names.join(", ")));
    }
    message.push_str(" (--query NAME=VALUE sends an extra query parameter)");
    message
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
            let bytes =
                std::fs::read(path).with_context(|| format!("reading the body from {path}"))?;
            String::from_utf8(bytes).map_err(|_| {
                anyhow::anyhow!(
                    "{path} is not text (not UTF-8): --data-binary @{path} sends a file's bytes as they are"
                )
            })
        }
        None => Ok(data.to_string()),
    }
}

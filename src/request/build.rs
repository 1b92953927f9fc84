//! Draft + Vars -> BuiltRequest: the base URL (server variables, `--server`),
//! the URL template expanded part by part, query, headers, cookies, auth
//! and body, each checked, every problem named with where it is.

use base64::Engine as _;

use crate::catalog::{Api, Operation, ParamLocation, ParamStyle, Parameter, SecurityKind};
use crate::secrets::{Masker, is_secret_name, mask_header_value};

use super::body;
use super::expand::{self, Shaped};
use super::vars::Ctx;
use super::{BuildError, BuiltRequest, Draft, FormField, Vars};

/// Builds the request, or returns the first problem found (in the order the
/// request is read: server, path, query, headers, body).
pub fn build(
    api: &Api,
    op: &Operation,
    draft: &Draft,
    vars: &Vars,
) -> Result<BuiltRequest, BuildError> {
    let (request, errors) = preview(api, op, draft, vars);
    match errors.into_iter().next() {
        Some(error) => Err(error),
        None => Ok(request),
    }
}

/// Every problem of the draft at once, for a form to show beside its fields.
pub fn check(api: &Api, op: &Operation, draft: &Draft, vars: &Vars) -> Vec<BuildError> {
    preview(api, op, draft, vars).1
}

/// A best-effort build and all its problems: the live URL of a form that is
/// not complete yet (unknown variables stay as typed, missing path values as
/// their `{placeholder}`). Send only when the list is empty.
pub fn preview(
    api: &Api,
    op: &Operation,
    draft: &Draft,
    vars: &Vars,
) -> (BuiltRequest, Vec<BuildError>) {
    assemble_reading(api, op, draft, vars, true)
}

/// [`preview`] for a screen redrawn at each keystroke: a binary body's
/// file is looked at (there, readable, not too large) but not read, so the
/// preview's body is empty and names the file in `body_file`.
pub fn sketch(
    api: &Api,
    op: &Operation,
    draft: &Draft,
    vars: &Vars,
) -> (BuiltRequest, Vec<BuildError>) {
    assemble_reading(api, op, draft, vars, false)
}

fn assemble_reading(
    api: &Api,
    op: &Operation,
    draft: &Draft,
    vars: &Vars,
    read_body_file: bool,
) -> (BuiltRequest, Vec<BuildError>) {
    let mut ctx = Ctx::new(vars);
    ctx.read_body_file = read_body_file;
    let request = assemble(api, op, draft, &mut ctx);
    (request, ctx.errors)
}

fn assemble(api: &Api, op: &Operation, draft: &Draft, ctx: &mut Ctx<'_>) -> BuiltRequest {
    let (base, base_query) = base_url(api, draft, ctx);
    let mut out = Parts::default();
    if let Some(q) = base_query {
        out.query.push(q);
    }
    let path = expand_path(op, draft, ctx, &mut out);
    collect_params(op, draft, ctx, &mut out);
    for row in draft.extra_query.iter().filter(|r| r.enabled) {
        let name = ctx.subst(&row.name, &|| {
            format!("query parameter name `{}`", row.name)
        });
        if name.trim().is_empty() {
            continue;
        }
        let value = ctx.subst(&row.value, &|| format!("query parameter `{}`", row.name));
        if is_secret_name(&name) {
            ctx.secret(&value);
        }
        out.query_names.push(name.clone());
        out.query
            .push(format!("{}={}", expand::enc(&name), expand::enc(&value)));
    }
    apply_auth(api, draft, ctx, &mut out);

    let mut url = format!("{base}{path}");
    if !out.query.is_empty() {
        url.push('?');
        url.push_str(&out.query.join("&"));
    }
    // What the HTTP client will send is the parsed, normalised form. A
    // preview with problems keeps the raw form, so `{id}` stays readable.
    let url = if ctx.errors.is_empty() {
        match url::Url::parse(&url) {
            Ok(parsed) => parsed.to_string(),
            Err(e) => {
                ctx.error(BuildError::InvalidUrl {
                    url: url.clone(),
                    message: e.to_string(),
                });
                url
            }
        }
    } else {
        url
    };

    let mut headers = out.headers;
    if !out.cookies.is_empty() {
        let joined = out.cookies.join("; ");
        match headers
            .iter_mut()
            .find(|(n, _)| n.eq_ignore_ascii_case("cookie"))
        {
            Some((_, value)) => {
                value.push_str("; ");
                value.push_str(&joined);
            }
            None => headers.push(("Cookie".into(), joined)),
        }
    }

    let body = body::body(draft, ctx, &mut headers);

    // What is sent is what HTTP reads: no whitespace around a value (a
    // Cookie header joined from parameters may start with some).
    for (_, value) in &mut headers {
        let trimmed = trim_ows(value);
        if trimmed.len() != value.len() {
            *value = trimmed.to_string();
        }
    }
    for (name, value) in &headers {
        check_header(name, value, ctx);
        if is_secret_name(name) {
            ctx.secret(value);
            if let Some((_, token)) = value.split_once(' ') {
                ctx.secret(token.trim());
            }
        }
    }

    BuiltRequest {
        method: op.method.to_ascii_uppercase(),
        url,
        headers,
        body: body.bytes,
        secret_values: std::mem::take(&mut ctx.secrets),
        form: body.form,
        body_file: body.file,
    }
}

/// What the parameters contribute, gathered before the URL is joined.
#[derive(Default)]
struct Parts {
    /// Encoded `name=value` pairs.
    query: Vec<String>,
    /// Decoded names of the query pairs, so auth does not add a second one.
    query_names: Vec<String>,
    headers: Vec<(String, String)>,
    cookies: Vec<String>,
    /// Query rows already placed by a query part of the path template.
    in_template: Vec<String>,
}

impl Parts {
    fn has_header(&self, name: &str) -> bool {
        self.headers
            .iter()
            .any(|(n, _)| n.eq_ignore_ascii_case(name))
    }
}

/// The base URL without a trailing `/`, and the query part a base URL may
/// carry (Azure Functions' `?code=`), kept in front of the operation's.
fn base_url(api: &Api, draft: &Draft, ctx: &mut Ctx<'_>) -> (String, Option<String>) {
    let raw = if let Some(url) = draft.server_url.as_ref().filter(|u| !u.trim().is_empty()) {
        ctx.subst(url.trim(), &|| "server URL".into())
    } else {
        let Some(server) = api
            .servers
            .get(draft.server)
            .or_else(|| api.servers.first())
        else {
            ctx.error(BuildError::NoServer);
            return (String::new(), None);
        };
        let template = ctx.subst(&server.url, &|| "server URL".into());
        let mut expanded = String::with_capacity(template.len());
        let mut rest = template.as_str();
        while let Some(open) = rest.find('{') {
            let Some(close) = rest[open..].find('}').map(|c| open + c) else {
                break;
            };
            expanded.push_str(&rest[..open]);
            let name = &rest[open + 1..close];
            let given = draft
                .server_vars
                .get(name)
                .filter(|v| !v.is_empty())
                .map(|v| ctx.subst(v, &|| format!("server variable `{name}`")));
            match given.or_else(|| server.variables.get(name).map(|v| v.default.clone())) {
                Some(value) if !value.is_empty() => expanded.push_str(&value),
                _ => {
                    ctx.error(BuildError::MissingServerVariable {
                        name: name.to_string(),
                        url: server.url.clone(),
                    });
                    expanded.push_str(&rest[open..=close]);
                }
            }
            rest = &rest[close + 1..];
        }
        expanded.push_str(rest);
        resolve_relative(api, &expanded)
    };
    let raw = raw.trim().to_string();
    if !raw.contains("://") {
        ctx.error(BuildError::RelativeServer { url: raw.clone() });
    }
    let (base, query) = match raw.split_once('?') {
        Some((b, q)) if !q.is_empty() => (b.to_string(), Some(q.to_string())),
        Some((b, _)) => (b.to_string(), None),
        None => (raw, None),
    };
    (base.trim_end_matches('/').to_string(), query)
}

/// OpenAPI resolves a relative server URL against the definition's own
/// location; that only helps when the definition came from a URL.
fn resolve_relative(api: &Api, server: &str) -> String {
    if server.contains("://") {
        return server.to_string();
    }
    if (api.source.starts_with("http://") || api.source.starts_with("https://"))
        && let Ok(joined) = url::Url::parse(&api.source).and_then(|s| s.join(server))
    {
        return joined.to_string();
    }
    server.to_string()
}

/// The parameter definition behind a draft row, if the definition has one.
fn param_def<'o>(op: &'o Operation, name: &str, location: ParamLocation) -> Option<&'o Parameter> {
    op.parameters
        .iter()
        .find(|p| p.location == location && p.name == name)
}

/// Expands `{name}` placeholders of the path template. A query part written
/// into the path (some definitions do) is moved to the query.
fn expand_path(op: &Operation, draft: &Draft, ctx: &mut Ctx<'_>, out: &mut Parts) -> String {
    let (template, fixed_query) = match op.path.split_once('?') {
        Some((p, q)) => (p, Some(q)),
        None => (op.path.as_str(), None),
    };
    let mut path = String::with_capacity(template.len() + 16);
    if !template.starts_with('/') {
        path.push('/');
    }
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        let Some(close) = rest[open..].find('}').map(|c| open + c) else {
            break;
        };
        path.push_str(&rest[..open]);
        let name = &rest[open + 1..close];
        path.push_str(&path_placeholder(op, draft, name, ctx));
        rest = &rest[close + 1..];
    }
    path.push_str(rest);
    if let Some(query) = fixed_query {
        for pair in query.split('&').filter(|p| !p.is_empty()) {
            let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
            match value.strip_prefix('{').and_then(|v| v.strip_suffix('}')) {
                Some(var) => {
                    let row = draft
                        .params
                        .iter()
                        .find(|p| p.enabled && p.location == ParamLocation::Query && p.name == var);
                    let value =
                        row.map(|r| ctx.subst(&r.value, &|| format!("query parameter `{var}`")));
                    out.in_template.push(var.to_string());
                    if let Some(v) = value.filter(|v| !v.is_empty()) {
                        out.query_names.push(name.to_string());
                        out.query.push(format!("{name}={}", expand::enc(&v)));
                    }
                }
                None => {
                    // The fixed pair names the operation (Azure's
                    // `x-ms-paths`); a parameter row of the same name
                    // would send it twice.
                    out.in_template.push(name.to_string());
                    out.query_names.push(name.to_string());
                    out.query.push(pair.to_string());
                }
            }
        }
    }
    path
}

fn path_placeholder(op: &Operation, draft: &Draft, name: &str, ctx: &mut Ctx<'_>) -> String {
    let def = op.parameters.iter().find(|p| {
        p.location == ParamLocation::Path
            && (p.name == name || p.template_variable.as_deref() == Some(name))
    });
    let row_name = def.map_or(name, |d| d.name.as_str());
    let row = draft
        .params
        .iter()
        .find(|r| r.location == ParamLocation::Path && r.name == row_name);
    let value = row
        .filter(|r| r.enabled)
        .map(|r| ctx.subst(&r.value, &|| format!("path parameter `{row_name}`")))
        .unwrap_or_default();
    let shaped = expand::shape(&value, def.map(|d| &d.schema));
    if shaped.is_empty() {
        ctx.error(BuildError::MissingParameter {
            name: row_name.to_string(),
            location: "path".into(),
        });
        return format!("{{{name}}}");
    }
    if def.is_some_and(|d| is_secret_name(&d.name)) {
        ctx.secret(&value);
    }
    let (style, explode) = def.map_or((ParamStyle::Simple, false), |d| {
        (
            expand::effective_style(ParamLocation::Path, d.style),
            d.explode,
        )
    });
    expand::path_value(row_name, &shaped, style, explode)
}

/// Query, header and cookie parameters from the draft's rows.
fn collect_params(op: &Operation, draft: &Draft, ctx: &mut Ctx<'_>, out: &mut Parts) {
    // Rows first (the user's order), then required parameters that have no
    // row at all (a draft saved before the definition changed).
    for row in &draft.params {
        if row.location == ParamLocation::Path
            || !row.enabled
            || (row.location == ParamLocation::Query && out.in_template.contains(&row.name))
        {
            continue;
        }
        let def = param_def(op, &row.name, row.location);
        let used_in = || format!("{} parameter `{}`", row.location.as_str(), row.name);
        let value = ctx.subst(&row.value, &used_in);
        let shaped = expand::shape(&value, def.map(|d| &d.schema));
        if shaped.is_empty() {
            if def.is_some_and(|d| d.required) {
                ctx.error(BuildError::MissingParameter {
                    name: row.name.clone(),
                    location: row.location.as_str().into(),
                });
            }
            continue;
        }
        if is_secret_name(&row.name) {
            ctx.secret(&value);
        }
        let style =
            expand::effective_style(row.location, def.map_or(ParamStyle::Form, |d| d.style));
        let explode = def.map_or(row.location != ParamLocation::Header, |d| d.explode);
        match row.location {
            ParamLocation::Query => {
                out.query_names.push(row.name.clone());
                out.query
                    .extend(expand::query_pairs(&row.name, &shaped, style, explode));
            }
            ParamLocation::Header => out
                .headers
                .push((row.name.clone(), expand::header_value(&shaped, explode))),
            ParamLocation::Cookie => out
                .cookies
                .extend(expand::cookie_pairs(&row.name, &shaped, explode)),
            ParamLocation::Path => {}
        }
    }
    for def in op
        .parameters
        .iter()
        .filter(|p| p.required && p.location != ParamLocation::Path)
    {
        let has_row = draft
            .params
            .iter()
            .any(|r| r.location == def.location && r.name == def.name);
        if !has_row {
            ctx.error(BuildError::MissingParameter {
                name: def.name.clone(),
                location: def.location.as_str().into(),
            });
        }
    }
    // The user's header rows go before the parameters'; a typed header wins
    // over a parameter of the same name.
    let mut headers = Vec::new();
    for row in draft.headers.iter().filter(|r| r.enabled) {
        let name = ctx.subst(&row.name, &|| format!("header name `{}`", row.name));
        if name.trim().is_empty() {
            continue;
        }
        let value = ctx.subst(&row.value, &|| format!("header `{}`", row.name));
        headers.push((name.trim().to_string(), trim_ows(&value).to_string()));
    }
    for (name, value) in std::mem::take(&mut out.headers) {
        if !headers.iter().any(|(n, _)| n.eq_ignore_ascii_case(&name)) {
            headers.push((name, trim_ows(&value).to_string()));
        }
    }
    out.headers = headers;
}

/// HTTP strips optional whitespace around a field value; so does curl.
fn trim_ows(value: &str) -> &str {
    value.trim_matches([' ', '\t'])
}

/// Credentials by scheme kind. An empty credential sends nothing; a header
/// or query parameter the user set by hand wins.
fn apply_auth(api: &Api, draft: &Draft, ctx: &mut Ctx<'_>, out: &mut Parts) {
    for auth in draft.auth.iter().filter(|a| a.enabled) {
        let Some(kind) = auth.kind(api) else {
            continue;
        };
        let used_in = || format!("credential for `{}`", auth.scheme);
        let value = ctx.subst(&auth.value, &used_in);
        let username = ctx.subst(&auth.username, &used_in);
        // Only basic auth has a username: a key or token with only one
        // would send `Bearer ` and nothing after it.
        let empty = match kind {
            SecurityKind::Basic => value.is_empty() && username.is_empty(),
            _ => trim_ows(&value).is_empty(),
        };
        if empty {
            continue;
        }
        ctx.secret(&value);
        match &kind {
            SecurityKind::ApiKey { param, location } => match location {
                ParamLocation::Header if !out.has_header(param) => {
                    out.headers
                        .push((param.clone(), trim_ows(&value).to_string()));
                }
                ParamLocation::Query if !out.query_names.iter().any(|n| n == param) => {
                    out.query_names.push(param.clone());
                    out.query
                        .push(format!("{}={}", expand::enc(param), expand::enc(&value)));
                }
                ParamLocation::Cookie => {
                    out.cookies
                        .extend(expand::cookie_pairs(param, &Shaped::Prim(value), true));
                }
                _ => {}
            },
            SecurityKind::Bearer { .. } | SecurityKind::OAuth2 { .. } => {
                if !out.has_header("authorization") {
                    let value = trim_ows(&value);
                    let header = if value
                        .get(..7)
                        .is_some_and(|p| p.eq_ignore_ascii_case("bearer "))
                    {
                        value.to_string()
                    } else {
                        format!("Bearer {value}")
                    };
                    out.headers.push(("Authorization".into(), header));
                }
            }
            SecurityKind::Basic => {
                if !out.has_header("authorization") {
                    let encoded = base64::engine::general_purpose::STANDARD
                        .encode(format!("{username}:{value}"));
                    ctx.secret(&encoded);
                    out.headers
                        .push(("Authorization".into(), format!("Basic {encoded}")));
                }
            }
            SecurityKind::Other { .. } => {}
        }
    }
}

fn check_header(name: &str, value: &str, ctx: &mut Ctx<'_>) {
    let reason = if name.contains(['\r', '\n']) || value.contains(['\r', '\n']) {
        Some("contains a line break (CR or LF); it would end the header".to_string())
    } else if let Some(c) = name.chars().find(|c| !is_tchar(*c)) {
        Some(format!(
            "the name contains {}, which a header name cannot",
            describe(c)
        ))
    } else {
        value
            .chars()
            .find(|c| c.is_ascii_control() && *c != '\t')
            .map(|c| format!("the value contains control character {}", describe(c)))
    };
    if let Some(reason) = reason {
        ctx.error(BuildError::InvalidHeader {
            name: name.to_string(),
            reason,
        });
    }
}

fn describe(c: char) -> String {
    if c.is_control() || c == ' ' {
        format!("U+{:04X}", u32::from(c))
    } else {
        format!("`{c}`")
    }
}

/// RFC 9110 token characters.
fn is_tchar(c: char) -> bool {
    c.is_ascii_alphanumeric() || "!#$%&'*+-.^_`|~".contains(c)
}

impl BuiltRequest {
    /// A copy safe to show, log or store: secret header values keep only
    /// their scheme word, and every recorded secret value is masked in the
    /// URL, the other headers and a text body.
    pub fn masked(&self) -> BuiltRequest {
        let masker = Masker::new(self.secret_values.iter().cloned());
        let headers = self
            .headers
            .iter()
            .map(|(name, value)| {
                let value = if is_secret_name(name) {
                    mask_header_value(value)
                } else {
                    masker.mask(value)
                };
                (name.clone(), value)
            })
            .collect();
        let body = self.body.as_ref().map(|b| match std::str::from_utf8(b) {
            Ok(text) => masker.mask(text).into_bytes(),
            Err(_) => b.clone(),
        });
        BuiltRequest {
            method: self.method.clone(),
            url: masker.mask(&self.url),
            headers,
            body,
            secret_values: Vec::new(),
            form: self
                .form
                .iter()
                .map(|f| FormField {
                    value: if f.file {
                        f.value.clone()
                    } else {
                        masker.mask(&f.value)
                    },
                    ..f.clone()
                })
                .collect(),
            body_file: self.body_file.clone(),
        }
    }

    /// The first value of a header, by case-insensitive name.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

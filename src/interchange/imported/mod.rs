//! Requests read from other tools' files (`.http`, Postman collections)
//! before they belong to an operation, and the way between them and
//! drafts.
//!
//! ```text
//! ImportedRequest --place--> Placed { operation key, Draft }   (a preset)
//!        ^                         |
//!        +------ to_imported ------+
//! ```
//!
//! `{{variables}}` stay variables both ways. To match a templated URL
//! against the catalog, each reference is swapped for a plain token that
//! survives URL parsing and encoding, the request is matched like an
//! imported curl command ([`super::curl::draft_from_curl`]), and the
//! tokens are swapped back. A URL that starts with a variable
//! (`{{baseUrl}}/users`) is matched through the variable's value when the
//! environment knows it. A request no operation fits becomes an orphan:
//! its key names [`ORPHAN_API`], its path and its own base URL.

use base64::Engine as _;
use serde::{Deserialize, Serialize};

use crate::catalog::{Catalog, OperationKey, ParamLocation};

use super::curl::{ParsedCurl, draft_from_curl, server_default};

mod tokens;

use crate::request::{Draft, FormField, Row, Vars, enc, is_multipart, sketch};
use tokens::{TOKEN_PREFIX, Tokens};

/// One request as another tool wrote it: `{{variables}}` kept, nothing
/// encoded or resolved.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ImportedRequest {
    /// The request's name (`# @name`, `###` title, Postman item path).
    pub name: String,
    pub method: String,
    /// With its enabled query parameters.
    pub url: String,
    /// In order; a switched-off header keeps `enabled: false`.
    #[serde(default)]
    pub headers: Vec<Row>,
    /// Query parameters that are switched off (not in `url`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub disabled_query: Vec<Row>,
    /// Empty means no body (or a form's, below).
    #[serde(default)]
    pub body: String,
    /// A form body as its fields (files by path), instead of `body`; the
    /// `Content-Type` header says URL-encoded or multipart.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub form: Vec<FormField>,
    /// A body sent as a file's bytes, by path (`< file.bin` in a `.http`
    /// file, Postman's `file` mode), instead of `body`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body_file: Option<String>,
}

/// The API id of an orphaned import's key: no catalog operation fits it.
pub const ORPHAN_API: &str = "imported";

/// Where an imported request lands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Placed {
    pub key: OperationKey,
    pub draft: Draft,
    /// Indexes into the catalog's APIs and their operations, when one fits.
    pub operation: Option<(usize, usize)>,
}

/// Matches an imported request to the catalog operation its method and URL
/// fit, and turns it into a draft of that operation; failing that, into an
/// orphan draft keyed by [`ORPHAN_API`]. `vars` (file variables and the
/// chosen environment) resolve a URL that starts with a variable.
pub fn place(catalog: &Catalog, req: &ImportedRequest, vars: &Vars) -> Placed {
    let mut tokens = Tokens::default();
    let method = req.method.trim().to_ascii_uppercase();
    let url = tokens.hide(req.url.trim());
    let base = Base::find(&url, &mut tokens, vars);
    let probe_url = base.probe_url(&url);
    let headers: Vec<(String, String)> = req
        .headers
        .iter()
        .filter(|h| h.enabled)
        .map(|h| {
            let value = tokens.hide(&h.value);
            (tokens.hide(&h.name), basic_to_base64(&h.name, &value))
        })
        .collect();
    let body = tokens.hide(&req.body);
    let parsed = ParsedCurl {
        method: method.clone(),
        url: probe_url.clone(),
        headers,
        body: (!body.is_empty()).then(|| body.into_bytes()),
        ..ParsedCurl::default()
    };
    let disabled_headers = req.headers.iter().filter(|h| !h.enabled).cloned();
    if let Some((ai, oi, draft)) = draft_from_curl(catalog, &parsed) {
        let mut draft = tokens.reveal_draft(draft);
        let api = &catalog.apis[ai];
        draft.server_url = match draft.server_url {
            Some(s) => Some(base.restore(&s, &tokens)),
            // The API's own server, reached through a variable: keep the
            // variable, so that switching environments still moves it.
            None => api
                .servers
                .get(draft.server)
                .map(server_default)
                .map(|s| base.restore(&s, &tokens))
                .filter(|s| s.contains("{{")),
        };
        // A switched-off row the operation defines as a parameter stays
        // that parameter, switched off.
        for row in disabled_headers {
            match draft.params.iter_mut().find(|p| {
                p.location == ParamLocation::Header
                    && p.name.eq_ignore_ascii_case(&row.name)
                    && p.value.is_empty()
            }) {
                Some(p) => {
                    p.value = row.value;
                    p.enabled = false;
                }
                None => draft.headers.push(row),
            }
        }
        for row in &req.disabled_query {
            match draft.params.iter_mut().find(|p| {
                p.location == ParamLocation::Query && p.name == row.name && p.value.is_empty()
            }) {
                Some(p) => {
                    p.value.clone_from(&row.value);
                    p.enabled = false;
                }
                None => draft.extra_query.push(row.clone()),
            }
        }
        if !req.form.is_empty() {
            keep_form(&mut draft, &req.form);
        }
        keep_body_file(&mut draft, req);
        return Placed {
            key: api.operations[oi].key(api),
            draft,
            operation: Some((ai, oi)),
        };
    }

    // An orphan: its own base URL, path and rows.
    let (origin, path, query) = split_url(&probe_url);
    let server_url = base.restore(&origin, &tokens);
    let mut draft = Draft {
        server_url: Some(server_url),
        ..Draft::default()
    };
    for (name, value) in query {
        draft.extra_query.push(Row {
            name: tokens.reveal(&name),
            value: tokens.reveal(&value),
            enabled: true,
        });
    }
    draft.extra_query.extend(req.disabled_query.iter().cloned());
    for (name, value) in &parsed.headers {
        let value = tokens.reveal(&base64_to_basic(name, value));
        if name.eq_ignore_ascii_case("content-type") {
            draft.content_type = Some(value.clone());
        }
        draft.headers.push(Row {
            name: tokens.reveal(name),
            value,
            enabled: true,
        });
    }
    draft.headers.extend(disabled_headers);
    draft.body = req.body.clone();
    if !req.form.is_empty() {
        keep_form(&mut draft, &req.form);
    }
    keep_body_file(&mut draft, req);
    Placed {
        key: OperationKey {
            api: ORPHAN_API.into(),
            method,
            path: tokens.reveal(&path),
        },
        draft,
        operation: None,
    }
}

/// The request a preset stands for, written back with its `{{variables}}`
/// (for a `.http` export): built from the operation when the catalog has
/// it, else from the orphan's own base URL, path and rows.
pub fn to_imported(
    catalog: &Catalog,
    key: &OperationKey,
    draft: &Draft,
    name: &str,
) -> ImportedRequest {
    let mut tokens = Tokens::default();
    let mut hidden = tokens.hide_draft(draft);
    // The form is written as its fields below: building it would read
    // each file for nothing. A body file is looked at, not read (`sketch`),
    // so its Content-Type is written and its path below.
    hidden.form.clear();
    let found = catalog
        .apis
        .iter()
        .find(|a| a.id == key.api)
        .and_then(|api| {
            api.operations
                .iter()
                .find(|op| op.method == key.method && op.path == key.path)
                .map(|op| (api, op))
        });
    let mut out = ImportedRequest {
        name: name.to_string(),
        method: key.method.clone(),
        ..ImportedRequest::default()
    };
    if let Some((api, op)) = found {
        let (built, _) = sketch(api, op, &hidden, &Vars::default());
        out.url = tokens.reveal(&built.url);
        out.headers = built
            .headers
            .iter()
            .map(|(n, v)| Row {
                name: tokens.reveal(n),
                value: tokens.reveal(&base64_to_basic(n, v)),
                enabled: true,
            })
            .collect();
        out.body = built
            .body
            .map(|b| tokens.reveal(&String::from_utf8_lossy(&b)))
            .unwrap_or_default();
    } else {
        // An orphan, or a preset of an operation this catalog lacks: its
        // own base URL, the path with its parameters' values, its rows.
        let mut path = key.path.clone();
        let mut query: Vec<String> = Vec::new();
        let mut headers: Vec<Row> = Vec::new();
        for p in hidden
            .params
            .iter()
            .filter(|p| p.enabled && !p.value.is_empty())
        {
            match p.location {
                ParamLocation::Path => {
                    path = path.replace(&format!("{{{}}}", p.name), &enc(&p.value));
                }
                ParamLocation::Query => query.push(format!("{}={}", enc(&p.name), enc(&p.value))),
                ParamLocation::Header | ParamLocation::Cookie => headers.push(Row {
                    name: p.name.clone(),
                    value: p.value.clone(),
                    enabled: true,
                }),
            }
        }
        let mut url = format!(
            "{}{}",
            hidden
                .server_url
                .as_deref()
                .unwrap_or_default()
                .trim_end_matches('/'),
            path
        );
        query.extend(hidden.extra_query.iter().filter(|r| r.enabled).map(|r| {
            if r.value.is_empty() {
                enc(&r.name)
            } else {
                format!("{}={}", enc(&r.name), enc(&r.value))
            }
        }));
        if !query.is_empty() {
            url.push('?');
            url.push_str(&query.join("&"));
        }
        out.url = tokens.reveal(&url);
        headers.extend(hidden.headers.iter().filter(|h| h.enabled).cloned());
        out.headers = headers
            .into_iter()
            .map(|h| Row {
                name: tokens.reveal(&h.name),
                value: tokens.reveal(&h.value),
                enabled: true,
            })
            .collect();
        out.body.clone_from(&draft.body);
    }
    let switched_off = |location: ParamLocation| {
        draft
            .params
            .iter()
            .filter(move |p| !p.enabled && !p.value.is_empty() && p.location == location)
            .map(|p| Row {
                name: p.name.clone(),
                value: p.value.clone(),
                enabled: false,
            })
    };
    out.form.clone_from(&draft.form);
    out.body_file = draft.body_file.as_deref().map(absolute_path);
    if !out.form.is_empty() || out.body_file.is_some() {
        // The fields, or the file, are the body.
        out.body.clear();
    }
    out.headers
        .extend(draft.headers.iter().filter(|h| !h.enabled).cloned());
    out.headers.extend(switched_off(ParamLocation::Header));
    out.disabled_query = switched_off(ParamLocation::Query)
        .chain(draft.extra_query.iter().filter(|r| !r.enabled).cloned())
        .collect();
    out
}

/// A path as the file written can keep it: one relative to where portico
/// runs means nothing beside that file. A `{{variable}}` stays as it is.
fn absolute_path(path: &str) -> String {
    if path.contains("{{") {
        return path.to_string();
    }
    std::path::absolute(path).map_or_else(|_| path.to_string(), |p| p.display().to_string())
}

/// An imported body file becomes the draft's, in place of a body or form.
fn keep_body_file(draft: &mut Draft, req: &ImportedRequest) {
    if let Some(path) = &req.body_file {
        draft.body_file = Some(path.clone());
        draft.body.clear();
        draft.form.clear();
    }
}

/// An imported form becomes the draft's fields, in place of a body; the
/// type is the form's without a boundary (the build writes its own).
fn keep_form(draft: &mut Draft, form: &[FormField]) {
    draft.form = form.to_vec();
    draft.body.clear();
    let declared = draft
        .headers
        .iter_mut()
        .find(|h| h.name.eq_ignore_ascii_case("content-type"));
    let content_type = match declared {
        Some(row) => {
            if is_multipart(&row.value) {
                row.value = "multipart/form-data".into();
            }
            row.value.clone()
        }
        None if form.iter().any(|f| f.file) => "multipart/form-data".into(),
        None => "application/x-www-form-urlencoded".into(),
    };
    draft.content_type = Some(content_type);
}

/// Preset names for placed requests: a preset is named within its
/// operation, so a name repeated for the same operation gets ` (2)`
/// (else the second would replace the first). Returns the names and a
/// warning for each renamed one.
pub fn preset_names(requests: &[ImportedRequest], placed: &[Placed]) -> (Vec<String>, Vec<String>) {
    let mut names: Vec<String> = Vec::new();
    let mut warnings = Vec::new();
    for (i, req) in requests.iter().enumerate() {
        let key = &placed[i].key;
        let taken = |name: &str, names: &[String]| {
            names
                .iter()
                .enumerate()
                .any(|(j, n)| n == name && placed[j].key == *key)
        };
        let base = preset_name(&req.name);
        let mut name = base.clone();
        let mut n = 2;
        while taken(&name, &names) {
            name = format!("{base} ({n})");
            n += 1;
        }
        if name != base {
            warnings.push(format!(
                "two requests for {key} are named `{base}`; the later one is saved as `{name}`"
            ));
        }
        names.push(name);
    }
    (names, warnings)
}

/// A name the presets store accepts: one line, no control characters,
/// trimmed, at most 160 characters (room for a ` (2)`), never empty.
fn preset_name(name: &str) -> String {
    let clean: String = name
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    let clean = clean.trim();
    let mut out: String = clean.chars().take(160).collect();
    if out.chars().count() < clean.chars().count() {
        out = format!("{}…", out.trim_end());
    }
    if out.is_empty() {
        out = "request".into();
    }
    out
}

/// A URL's origin, path and query pairs (percent-decoded, `+` kept).
fn split_url(url: &str) -> (String, String, Vec<(String, String)>) {
    let (without_fragment, _) = url.split_once('#').unwrap_or((url, ""));
    let (base, query) = without_fragment
        .split_once('?')
        .unwrap_or((without_fragment, ""));
    let after_scheme = base.find("://").map_or(0, |i| i + 3);
    let path_start = base[after_scheme..]
        .find('/')
        .map_or(base.len(), |i| after_scheme + i);
    let origin = base[..path_start].to_string();
    let path = match &base[path_start..] {
        "" => "/".to_string(),
        p => p.to_string(),
    };
    let decode = |s: &str| {
        percent_encoding::percent_decode_str(s)
            .decode_utf8_lossy()
            .into_owned()
    };
    let pairs = query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| match p.split_once('=') {
            Some((n, v)) => (decode(n), decode(v)),
            None => (decode(p), String::new()),
        })
        .collect();
    (origin, path, pairs)
}

/// `Authorization: Basic user:password` (as `.http` tools accept it, and
/// as [`base64_to_basic`] writes it when variables are inside) becomes the
/// base64 form curl and the catalog matcher read.
fn basic_to_base64(name: &str, value: &str) -> String {
    if !name.eq_ignore_ascii_case("authorization") {
        return value.to_string();
    }
    let Some((scheme, rest)) = value.split_once(' ') else {
        return value.to_string();
    };
    let rest = rest.trim();
    if !scheme.eq_ignore_ascii_case("basic") {
        return value.to_string();
    }
    // `user:pass` or `user pass`; a lone base64 word is already encoded.
    let plain = if rest.contains(':') {
        rest.to_string()
    } else if let Some((user, pass)) = rest.split_once(' ') {
        format!("{user}:{}", pass.trim())
    } else {
        return value.to_string();
    };
    format!(
        "{scheme} {}",
        base64::engine::general_purpose::STANDARD.encode(plain)
    )
}

/// The other way, only where variables hide inside the base64: a tool
/// reading the file must see `{{user}}:{{password}}` to fill them in.
fn base64_to_basic(name: &str, value: &str) -> String {
    if !name.eq_ignore_ascii_case("authorization") {
        return value.to_string();
    }
    let Some((scheme, rest)) = value.split_once(' ') else {
        return value.to_string();
    };
    if !scheme.eq_ignore_ascii_case("basic") {
        return value.to_string();
    }
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(rest.trim())
        .ok()
        .and_then(|b| String::from_utf8(b).ok());
    match decoded {
        Some(plain) if plain.contains(TOKEN_PREFIX) => format!("{scheme} {plain}"),
        _ => value.to_string(),
    }
}

/// How a URL that starts with a variable was made matchable.
#[derive(Debug, Default)]
struct Base {
    /// The token that starts the URL and the value it stood for.
    var: Option<(String, String)>,
    /// `http://` was put in front of a URL without a scheme (curl's and
    /// the `.http` tools' default).
    add_scheme: bool,
    /// ... only to parse it: the URL starts with a variable whose value is
    /// unknown, so the base stays that variable.
    strip_scheme: bool,
}

impl Base {
    fn find(url: &str, tokens: &mut Tokens, vars: &Vars) -> Base {
        let mut base = Base::default();
        if url.contains("://") {
            return base;
        }
        let leading = tokens.leading(url);
        if let Some(token) = &leading
            && let Some(value) = tokens.resolve(token, vars)
        {
            base.var = Some((token.clone(), value));
        }
        let resolved = base.probe_url(url);
        base.add_scheme = !resolved.contains("://");
        base.strip_scheme = base.add_scheme && base.var.is_none() && leading.is_some();
        base
    }

    fn probe_url(&self, url: &str) -> String {
        let url = match &self.var {
            Some((token, value)) => format!("{value}{}", &url[token.len()..]),
            None => url.to_string(),
        };
        if self.add_scheme {
            format!("http://{url}")
        } else {
            url
        }
    }

    /// A base URL (the draft's `server_url`) as the user wrote it.
    fn restore(&self, url: &str, tokens: &Tokens) -> String {
        let mut url = url.to_string();
        if self.strip_scheme {
            url = url.strip_prefix("http://").unwrap_or(&url).to_string();
        }
        if let Some((token, value)) = &self.var {
            let scheme = if self.add_scheme { "http://" } else { "" };
            if let Some(rest) = url.strip_prefix(&format!("{scheme}{value}")) {
                url = format!("{scheme}{token}{rest}");
            }
        }
        tokens.reveal(&url)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_hide_and_reveal_references_only() {
        let mut t = Tokens::default();
        let text = "{{a}}/x/{{ b }}?q={{a}}&j={\"k\":{{{c}}}}&n={{not a var}}";
        let hidden = t.hide(text);
        assert!(!hidden.contains("{{a}}"), "{hidden}");
        assert!(hidden.contains("{{not a var}}"), "{hidden}");
        assert_eq!(t.reveal(&hidden), text);
        assert_eq!(t.originals.len(), 3);
    }

    #[test]
    fn preset_names_fit_the_store() {
        assert_eq!(preset_name("  a\tb\n "), "a b");
        assert_eq!(preset_name(" \u{7} "), "request");
        let long = "x".repeat(500);
        assert_eq!(preset_name(&long).chars().count(), 161);
    }

    #[test]
    fn urls_split_into_origin_path_and_query() {
        assert_eq!(
            split_url("http://h:8/a/b?x=1%202&y&z=a+b#f"),
            (
                "http://h:8".to_string(),
                "/a/b".to_string(),
                vec![
                    ("x".to_string(), "1 2".to_string()),
                    ("y".to_string(), String::new()),
                    ("z".to_string(), "a+b".to_string()),
                ]
            )
        );
        assert_eq!(split_url("http://h").1, "/");
    }

    #[test]
    fn basic_auth_forms() {
        assert_eq!(
            basic_to_base64("Authorization", "Basic user:pa ss"),
            "Basic dXNlcjpwYSBzcw=="
        );
        assert_eq!(
            basic_to_base64("Authorization", "Basic user pass"),
            "Basic dXNlcjpwYXNz"
        );
        assert_eq!(
            basic_to_base64("Authorization", "Basic dXNlcjpwYXNz"),
            "Basic dXNlcjpwYXNz"
        );
        assert_eq!(basic_to_base64("X", "Basic a:b"), "Basic a:b");
        let hidden = format!("{TOKEN_PREFIX}0q:{TOKEN_PREFIX}1q");
        let encoded = basic_to_base64("authorization", &format!("Basic {hidden}"));
        assert_eq!(
            base64_to_basic("authorization", &encoded),
            format!("Basic {hidden}")
        );
    }
}

#[cfg(test)]
mod hostile {
    use super::*;
    use crate::interchange::http_file;

    /// Pieces that stress the readers: separators, variables half written,
    /// multi-byte text, `< file` lines, odd URLs.
    const PIECES: &[&str] = &[
        "###",
        "\n",
        "\r\n",
        " ",
        "GET ",
        "POST ",
        "http://",
        "{{",
        "}}",
        "{{a}}",
        "{{$guid}}",
        "@x = 1",
        "# @name n",
        "// @name",
        "?",
        "&",
        "=",
        ":",
        "/",
        "/:id",
        "é",
        "😀",
        "\u{0}",
        "< ./nope",
        "> {%",
        "%}",
        "HTTP/1.1",
        "Host: h",
        "a: b",
        "%",
        "%zz",
        "#",
        "{",
        "}",
    ];

    #[test]
    fn readers_never_panic_on_scrambled_input() {
        let catalog =
            crate::catalog::load_portal_str(crate::demo::PORTAL, "demo").expect("demo portal");
        let mut vars = Vars::default();
        vars.environment.insert(
            "a".into(),
            crate::catalog::Variable {
                value: "http://127.0.0.1:8400/azureml-demo".into(),
                secret: false,
            },
        );
        let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut next = || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        for _ in 0..3000 {
            let len = (next() % 40) as usize;
            let text: String = (0..len)
                .map(|_| PIECES[(next() % PIECES.len() as u64) as usize])
                .collect();
            let Ok(file) =
                http_file::parse(&text, "fuzz.http", std::path::Path::new("/nonexistent"))
            else {
                continue;
            };
            for req in &file.requests {
                let placed = place(&catalog, req, &vars);
                let back = to_imported(&catalog, &placed.key, &placed.draft, &req.name);
                let _ = http_file::write(&http_file::HttpFile {
                    requests: vec![back],
                    ..http_file::HttpFile::default()
                });
            }
            let json = format!(
                r#"{{"info": {{"name": "f"}}, "item": [{{"name": "r", "request": {{"url": {{"raw": {raw}, "variable": [{{"key": "id"}}]}}, "header": {raw}, "body": {{"mode": "raw", "raw": {raw}}}}}}}]}}"#,
                raw = serde_json::Value::String(text.clone())
            );
            let _ = crate::interchange::postman::parse(&json, "fuzz.json");
        }
    }
}

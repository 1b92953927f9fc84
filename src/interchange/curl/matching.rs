//! An imported curl command matched to a catalog operation: its URL against
//! the servers and path templates, its query, headers, cookies and body
//! sorted into a [`Draft`].

use base64::Engine as _;

use super::ParsedCurl;
use crate::catalog::{Catalog, ParamLocation, SecurityKind};
use crate::request::{AuthValue, Draft, FormField, Row, Vars, is_multipart, is_urlencoded};

/// An operation an imported URL fits, and how well.
struct Candidate {
    api: usize,
    op: usize,
    server: usize,
    /// Literal characters matched (doubled), plus one on the same origin.
    score: usize,
    server_url: Option<String>,
    /// Path placeholder values, still percent-encoded.
    captures: Vec<(String, String)>,
}

/// Matches an imported command to a catalog operation: the URL must start
/// with one of the API's servers (variables at their defaults) and the rest
/// must fit the operation's path template; failing that, a URL on another
/// host whose path ends with server path + template (the same API deployed
/// elsewhere) matches with `server_url` set. The most literal template
/// wins. Returns indexes into `catalog.apis` and its `operations`.
pub fn draft_from_curl(catalog: &Catalog, parsed: &ParsedCurl) -> Option<(usize, usize, Draft)> {
    let url = url::Url::parse(&parsed.url).ok()?;
    let origin = url.origin().ascii_serialization();
    let path = url.path().to_string();
    let mut best: Option<Candidate> = None;
    for (ai, api) in catalog.apis.iter().enumerate() {
        for (si, server) in api.servers.iter().enumerate() {
            let base = server_default(server);
            let Ok(base_url) = url::Url::parse(&base) else {
                continue;
            };
            let base_path = base_url.path().trim_end_matches('/').to_string();
            let same_origin = base_url.origin().ascii_serialization() == origin;
            for (oi, op) in api.operations.iter().enumerate() {
                if !op.method.eq_ignore_ascii_case(&parsed.method) {
                    continue;
                }
                let template = op.path.split('?').next().unwrap_or_default();
                let full = format!("{base_path}{template}");
                let (rest_ok, server_url) = if same_origin {
                    (match_template(&full, &path), None)
                } else {
                    // Another host: the template must match a suffix.
                    let mut found = None;
                    let segments: Vec<&str> = path.split('/').collect();
                    for cut in 0..segments.len() {
                        let tail = segments[cut..].join("/");
                        let tail = if tail.starts_with('/') {
                            tail
                        } else {
                            format!("/{tail}")
                        };
                        if let Some(captures) = match_template(&full, &tail) {
                            let prefix = segments[..cut].join("/");
                            found = Some((captures, format!("{origin}{prefix}{base_path}")));
                            break;
                        }
                    }
                    match found {
                        Some((c, s)) => (Some(c), Some(s)),
                        None => (None, None),
                    }
                };
                let Some(captures) = rest_ok else {
                    continue;
                };
                let score = template
                    .len()
                    .saturating_sub(captures.iter().map(|(n, _)| n.len() + 2).sum::<usize>());
                let score = score * 2 + usize::from(server_url.is_none());
                if best.as_ref().is_none_or(|b| score > b.score) {
                    best = Some(Candidate {
                        api: ai,
                        op: oi,
                        server: si,
                        score,
                        server_url,
                        captures,
                    });
                }
            }
        }
    }
    let Candidate {
        api: ai,
        op: oi,
        server: si,
        server_url,
        captures,
        ..
    } = best?;
    let (api, op) = catalog.operation((ai, oi));
    let mut draft = Draft::new(api, op, &Vars::default());
    draft.server = si;
    draft.server_url = server_url;
    for p in &mut draft.params {
        p.value.clear();
    }
    let decode = |s: &str| {
        percent_encoding::percent_decode_str(s)
            .decode_utf8_lossy()
            .into_owned()
    };
    for (name, value) in captures {
        if let Some(p) = draft
            .params
            .iter_mut()
            .find(|p| p.location == ParamLocation::Path && p.name == name)
        {
            p.value = decode(&value);
        }
    }
    let auth_scheme = |kind: &dyn Fn(&SecurityKind) -> bool| {
        api.security_schemes
            .iter()
            .find(|s| kind(&s.kind))
            .map(|s| s.name.clone())
    };
    for (name, value) in url.query_pairs() {
        let (name, value) = (name.into_owned(), value.into_owned());
        let key_scheme = auth_scheme(
            &|k| matches!(k, SecurityKind::ApiKey { param, location: ParamLocation::Query } if *param == name),
        );
        if let Some(scheme) = key_scheme {
            set_auth(&mut draft, &scheme, value, String::new());
        } else if let Some(p) = draft
            .params
            .iter_mut()
            .find(|p| p.location == ParamLocation::Query && p.name == name && p.value.is_empty())
        {
            p.value = value;
        } else {
            draft.extra_query.push(Row {
                name,
                value,
                enabled: true,
            });
        }
    }
    let mut headers = Vec::new();
    for (name, value) in &parsed.headers {
        let key_scheme = auth_scheme(
            &|k| matches!(k, SecurityKind::ApiKey { param, location: ParamLocation::Header } if param.eq_ignore_ascii_case(name)),
        );
        if let Some(scheme) = key_scheme {
            set_auth(&mut draft, &scheme, value.clone(), String::new());
            continue;
        }
        if name.eq_ignore_ascii_case("authorization") {
            if let Some(token) = strip_word(value, "bearer")
                && let Some(scheme) = auth_scheme(&|k| {
                    matches!(k, SecurityKind::Bearer { .. } | SecurityKind::OAuth2 { .. })
                })
            {
                set_auth(&mut draft, &scheme, token.to_string(), String::new());
                continue;
            }
            if let Some(encoded) = strip_word(value, "basic") {
                let decoded = base64::engine::general_purpose::STANDARD
                    .decode(encoded.trim())
                    .ok()
                    .and_then(|b| String::from_utf8(b).ok());
                if let (Some(scheme), Some((user, pass))) = (
                    auth_scheme(&|k| matches!(k, SecurityKind::Basic)),
                    decoded.as_deref().and_then(|d| d.split_once(':')),
                ) {
                    set_auth(&mut draft, &scheme, pass.to_string(), user.to_string());
                    continue;
                }
            }
        }
        if let Some(p) = draft
            .params
            .iter_mut()
            .find(|p| p.location == ParamLocation::Header && p.name.eq_ignore_ascii_case(name))
        {
            p.value.clone_from(value);
            continue;
        }
        if name.eq_ignore_ascii_case("content-type") {
            draft.content_type = Some(value.clone());
        }
        headers.push(Row {
            name: name.clone(),
            value: value.clone(),
            enabled: true,
        });
    }
    draft.headers = headers;
    draft.body = parsed
        .body
        .as_ref()
        .map(|b| String::from_utf8_lossy(b).into_owned())
        .unwrap_or_default();
    // The command's body replaces the fields the definition prefilled.
    draft.form = imported_form(parsed);
    if !draft.form.is_empty() {
        draft.body.clear();
        // A multipart boundary belongs to the bytes curl would send; the
        // build writes its own.
        for row in &mut draft.headers {
            if row.name.eq_ignore_ascii_case("content-type") && is_multipart(&row.value) {
                row.value = "multipart/form-data".into();
            }
        }
        if draft.content_type.as_deref().is_some_and(is_multipart) {
            draft.content_type = Some("multipart/form-data".into());
        }
    }
    // A file sent whole stays a file, not its bytes read in as text.
    if let Some(path) = &parsed.body_file {
        draft.body_file = Some(path.clone());
        draft.body.clear();
        draft.form.clear();
    }
    if draft.body.is_empty() && draft.form.is_empty() && draft.body_file.is_none() {
        draft.content_type = None;
    }
    Some((ai, oi, draft))
}

/// A form body as its fields: the `-F` fields of a multipart command, or
/// a URL-encoded body that reads as one: every piece `name=value`, and
/// nothing a form encoder would have escaped (so JSON sent with curl's
/// default type, or `-d hello`, stays the text it was).
pub(in crate::interchange) fn imported_form(parsed: &ParsedCurl) -> Vec<FormField> {
    if !parsed.form.is_empty() {
        return parsed.form.clone();
    }
    let Some(body) = parsed.body.as_deref() else {
        return Vec::new();
    };
    let urlencoded = parsed.header("content-type").is_some_and(is_urlencoded);
    match std::str::from_utf8(body) {
        Ok(text) if urlencoded && looks_encoded(text) => {
            url::form_urlencoded::parse(text.as_bytes())
                .map(|(name, value)| FormField {
                    name: name.into_owned(),
                    value: value.into_owned(),
                    file: false,
                    enabled: true,
                })
                .collect()
        }
        _ => Vec::new(),
    }
}

/// Text a form encoder could have written: `name=value` pieces joined by
/// `&`, of ASCII letters, digits, escapes and the few marks left bare.
fn looks_encoded(text: &str) -> bool {
    !text.is_empty()
        && text.split('&').all(|p| p.contains('='))
        && text
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-._~*%+=&!'(),;:/@$?[]".contains(&b))
}

fn strip_word<'v>(value: &'v str, word: &str) -> Option<&'v str> {
    let (w, rest) = value.split_once(' ')?;
    w.eq_ignore_ascii_case(word).then_some(rest.trim())
}

fn set_auth(draft: &mut Draft, scheme: &str, value: String, username: String) {
    match draft.auth.iter_mut().find(|a| a.scheme == scheme) {
        Some(a) => {
            a.value = value;
            a.username = username;
            a.enabled = true;
        }
        None => draft
            .auth
            .push(AuthValue::declared(scheme, value, username)),
    }
}

/// A server URL with its variables at their defaults.
pub(in crate::interchange) fn server_default(server: &crate::catalog::Server) -> String {
    let mut out = server.url.clone();
    for (name, var) in &server.variables {
        out = out.replace(&format!("{{{name}}}"), &var.default);
    }
    out
}

/// Matches a path against a template segment by segment; a placeholder
/// matches a non-empty run within its segment. Returns the captures.
fn match_template(template: &str, path: &str) -> Option<Vec<(String, String)>> {
    let t: Vec<&str> = template.trim_end_matches('/').split('/').collect();
    let p: Vec<&str> = path.trim_end_matches('/').split('/').collect();
    if t.len() != p.len() {
        return None;
    }
    let mut captures = Vec::new();
    for (ts, ps) in t.iter().zip(&p) {
        match_segment(ts, ps, &mut captures)?;
    }
    Some(captures)
}

fn match_segment(
    template: &str,
    segment: &str,
    captures: &mut Vec<(String, String)>,
) -> Option<()> {
    let Some(open) = template.find('{') else {
        return (template == segment).then_some(());
    };
    let close = open + template[open..].find('}')?;
    let (prefix, name, suffix) = (
        &template[..open],
        &template[open + 1..close],
        &template[close + 1..],
    );
    let rest = segment.strip_prefix(prefix)?;
    // The literal after the placeholder (up to the next one) bounds it.
    let literal_end = suffix.find('{').unwrap_or(suffix.len());
    let literal = &suffix[..literal_end];
    let end = if literal.is_empty() {
        if literal_end == suffix.len() {
            rest.len()
        } else {
            return None;
        }
    } else {
        rest.find(literal)?
    };
    if end == 0 {
        return None;
    }
    captures.push((name.to_string(), rest[..end].to_string()));
    match_segment(suffix, &rest[end..], captures)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn template_matching() {
        assert_eq!(
            match_template("/a/{id}.json/b", "/a/42.json/b"),
            Some(vec![("id".into(), "42".into())])
        );
        assert_eq!(match_template("/a/{id}", "/a/"), None);
        assert_eq!(
            match_template("/a/{x}-{y}", "/a/1-2"),
            Some(vec![("x".into(), "1".into()), ("y".into(), "2".into())])
        );
        assert_eq!(match_template("/a/b", "/a/c"), None);
    }
}

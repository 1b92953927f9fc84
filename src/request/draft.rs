//! A new [`Draft`] for an operation: one row per parameter, prefilled from
//! the definition (default, then example) or with a `{{variable}}` the
//! environment defines; the API's default headers; credentials rows for
//! its security schemes; a sample body, or a form body's fields.

use serde_json::Value;

use crate::catalog::schema_tree::{Direction, schema_tree};
use crate::catalog::{
    Api, MediaType, Operation, ParamLocation, SecurityKind, is_form_media, samples,
};

use super::vars::normalise_name;
use super::{AuthValue, Draft, FormField, ParamValue, Row, Vars};

impl Draft {
    pub fn new(api: &Api, op: &Operation, vars: &Vars) -> Draft {
        let media = op.request_body.as_ref().and_then(|b| b.content.first());
        let content_type = media.map(|m| m.content_type.clone());

        let mut params: Vec<ParamValue> = Vec::new();
        for p in &op.parameters {
            if params
                .iter()
                .any(|r| r.name == p.name && r.location == p.location)
            {
                continue;
            }
            // The body's media type decides Content-Type; a parameter for
            // it would send a second one.
            if p.location == ParamLocation::Header
                && content_type.is_some()
                && p.name.eq_ignore_ascii_case("content-type")
            {
                continue;
            }
            let value = p
                .schema
                .default
                .as_ref()
                .or(p.example.as_ref())
                .map(value_text)
                .or_else(|| {
                    let mut candidates = Vec::new();
                    candidates.extend(p.template_variable.as_deref());
                    candidates.push(p.name.as_str());
                    variable_named(vars, &candidates)
                })
                .unwrap_or_default();
            // An optional parameter whose example is a placeholder no
            // variable fills (`{{NOTION_VERSION}}`, as definitions exported
            // from other tools have): the row stays, switched off, as a
            // hint of what to define; it never stops the request.
            let enabled = p.required || !is_unfilled_placeholder(&value, vars);
            params.push(ParamValue {
                name: p.name.clone(),
                location: p.location,
                value,
                enabled,
            });
        }
        // Placeholders the definition forgot to declare still need a value.
        for name in placeholders(&op.path) {
            let declared = op.parameters.iter().any(|p| {
                p.location == ParamLocation::Path
                    && (p.name == name || p.template_variable.as_deref() == Some(name))
            });
            if !declared {
                params.push(ParamValue {
                    name: name.to_string(),
                    location: ParamLocation::Path,
                    value: variable_named(vars, &[name]).unwrap_or_default(),
                    enabled: true,
                });
            }
        }

        let mut headers: Vec<Row> = api
            .default_headers
            .iter()
            .map(|(name, value)| Row {
                name: name.clone(),
                value: value.clone(),
                enabled: true,
            })
            .collect();
        if let Some(ct) = &content_type {
            // The operation knows its body's type better than an API-wide
            // default header (a CSV upload behind a JSON gateway).
            match headers
                .iter_mut()
                .find(|h| h.name.eq_ignore_ascii_case("content-type"))
            {
                Some(row) => row.value.clone_from(ct),
                None => headers.push(Row {
                    name: "Content-Type".into(),
                    value: ct.clone(),
                    enabled: true,
                }),
            }
        }

        // A binary body is a file, chosen by path.
        let body_file = media.filter(|m| is_binary_media(m)).map(|_| String::new());
        // A form body is edited as its fields, not as encoded text.
        let (form, body) = match media {
            _ if body_file.is_some() => (Vec::new(), String::new()),
            Some(m) if is_form_media(&m.content_type) => {
                let mut rows = form_rows(api, m);
                // As a JSON body starts from its example, so does a form.
                if let Some(example) = m.examples.first() {
                    fill_form(&mut rows, &example.value);
                }
                (rows, String::new())
            }
            _ => (
                Vec::new(),
                media
                    .and_then(|m| samples::body_sample(api, m))
                    .unwrap_or_default(),
            ),
        };
        Draft {
            server: 0,
            server_url: None,
            server_vars: indexmap::IndexMap::new(),
            params,
            extra_query: Vec::new(),
            headers,
            auth: auth_rows(api, op, vars),
            form,
            content_type,
            body,
            body_file,
        }
    }
}

/// Whether a body of this media type is a file's bytes rather than text
/// typed in: `application/octet-stream`, images, audio, video, PDF and
/// archives, or a schema that says `format: binary`.
pub fn is_binary_media(media: &MediaType) -> bool {
    let by_type = is_binary_content_type(&media.content_type);
    let by_schema = media.schema.as_ref().is_some_and(|s| {
        s.get("type").and_then(Value::as_str) == Some("string")
            && s.get("format").and_then(Value::as_str) == Some("binary")
    });
    by_type || by_schema
}

/// Fills a form's fields from an example object: each property's value
/// (an array as one row per item), a property the form lacks as a row of
/// its own, and the fields the example leaves out emptied (a file field
/// keeps its path, whatever the example says of it). False, and nothing
/// changed, when the example is not an object.
pub fn fill_form(form: &mut Vec<FormField>, example: &Value) -> bool {
    let Some(object) = example.as_object() else {
        return false;
    };
    for field in form.iter_mut().filter(|f| !f.file) {
        field.value.clear();
    }
    for (name, value) in object {
        let values: Vec<String> = match value {
            Value::Array(items) => items.iter().map(value_text).collect(),
            one => vec![value_text(one)],
        };
        let at = form.iter().position(|f| &f.name == name);
        // An example's stand-in for a file's bytes is no path.
        if at.is_some_and(|i| form[i].file) {
            continue;
        }
        form.retain(|f| &f.name != name);
        let rows = values.into_iter().map(|value| FormField {
            name: name.clone(),
            value,
            file: false,
            enabled: true,
        });
        let at = at.unwrap_or(form.len()).min(form.len());
        form.splice(at..at, rows);
    }
    true
}

/// Whether a body of this content type is bytes rather than text:
/// `application/octet-stream`, images (not SVG), audio, video, PDF and
/// archives.
pub fn is_binary_content_type(content_type: &str) -> bool {
    let essence = content_type
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    matches!(
        essence.as_str(),
        "application/octet-stream" | "application/pdf" | "application/zip" | "application/gzip"
    ) || ["image/", "audio/", "video/"]
        .iter()
        .any(|p| essence.starts_with(p) && !essence.ends_with("+xml"))
}

/// A form body's rows, one per property of its schema: the default or
/// first example filled in, a `binary` string as a file.
fn form_rows(api: &Api, media: &MediaType) -> Vec<FormField> {
    let Some(schema) = &media.schema else {
        return Vec::new();
    };
    let tree = schema_tree(api, schema, Direction::Request);
    tree.children
        .iter()
        .map(|field| {
            let file = field.format.as_deref() == Some("binary")
                || field.children.first().is_some_and(|items| {
                    items.name == "[]" && items.format.as_deref() == Some("binary")
                });
            let value = [&field.default, &field.examples.first().cloned()]
                .into_iter()
                .flatten()
                .next()
                .map(|v| match v {
                    serde_json::Value::String(s) => s.clone(),
                    other => other.to_string(),
                })
                .filter(|_| !file)
                .unwrap_or_default();
            FormField {
                name: field.name.clone(),
                value,
                file,
                enabled: true,
            }
        })
        .collect()
}

/// `{{NAME}}` alone, with no variable of that name (nor a process
/// variable for `{{env:NAME}}`).
fn is_unfilled_placeholder(value: &str, vars: &Vars) -> bool {
    let text = value.trim();
    if !(text.starts_with("{{") && text.ends_with("}}")) {
        return false;
    }
    match super::vars::referenced_variables(text).as_slice() {
        [name] => match name.strip_prefix("env:") {
            Some(env_name) => std::env::var_os(env_name).is_none(),
            None => vars.get(name).is_none(),
        },
        _ => false,
    }
}

/// The `{name}` placeholders of a path template, in order.
pub(crate) fn placeholders(path: &str) -> Vec<&str> {
    let mut names = Vec::new();
    let mut rest = path;
    while let Some(open) = rest.find('{') {
        let Some(close) = rest[open..].find('}').map(|c| open + c) else {
            break;
        };
        let name = &rest[open + 1..close];
        if !name.is_empty() && !names.contains(&name) {
            names.push(name);
        }
        rest = &rest[close + 1..];
    }
    names
}

/// A parameter value as a form shows it: arrays comma-separated, strings
/// without quotes, objects as JSON.
fn value_text(value: &Value) -> String {
    match value {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        Value::Array(items) => items
            .iter()
            .map(|v| match v {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            })
            .collect::<Vec<_>>()
            .join(","),
        other => other.to_string(),
    }
}

/// `{{name}}` for the first candidate a variable answers to: the exact name
/// first, then the same name written differently (`api-version` and
/// `api_version`).
fn variable_named(vars: &Vars, candidates: &[&str]) -> Option<String> {
    for candidate in candidates {
        if vars.get(candidate).is_some() {
            return Some(format!("{{{{{candidate}}}}}"));
        }
    }
    for candidate in candidates {
        let wanted = normalise_name(candidate);
        if let Some(name) = vars.names().find(|n| normalise_name(n) == wanted) {
            return Some(format!("{{{{{name}}}}}"));
        }
    }
    None
}

/// One row per security scheme the operation may use: its own requirements,
/// else the API's; when neither says anything, every scheme the API
/// declares (many definitions forget the requirement).
fn auth_rows(api: &Api, op: &Operation, vars: &Vars) -> Vec<AuthValue> {
    let requirements = op.security.as_ref().unwrap_or(&api.security);
    let mut names: Vec<&str> = Vec::new();
    for requirement in requirements {
        for (name, _) in requirement {
            if !names.contains(&name.as_str()) {
                names.push(name);
            }
        }
    }
    if op.security.is_none() && api.security.is_empty() {
        names = api
            .security_schemes
            .iter()
            .map(|s| s.name.as_str())
            .collect();
    }
    let mut rows = Vec::new();
    for name in names {
        let Some(scheme) = api.security_schemes.iter().find(|s| s.name == name) else {
            continue;
        };
        let (value, username) = match &scheme.kind {
            SecurityKind::ApiKey { param, .. } => {
                let mut candidates = vec![name, param.as_str()];
                candidates.extend(["api_key", "apikey", "subscription_key", "key"]);
                let guess =
                    variable_named(vars, &candidates).or_else(|| variable_suffix_of(vars, param));
                (guess, None)
            }
            SecurityKind::Bearer { .. } | SecurityKind::OAuth2 { .. } => (
                variable_named(
                    vars,
                    &[name, "token", "bearer_token", "access_token", "bearer"],
                ),
                None,
            ),
            SecurityKind::Basic => (
                variable_named(vars, &["password", "pass"]),
                variable_named(vars, &["username", "user"]),
            ),
            SecurityKind::Other { .. } => continue,
        };
        rows.push(AuthValue::declared(
            name,
            value.unwrap_or_default(),
            username.unwrap_or_default(),
        ));
    }
    rows
}

/// A variable whose name ends the parameter's name at a word boundary:
/// `subscription_key` for `Ocp-Apim-Subscription-Key`.
fn variable_suffix_of(vars: &Vars, param: &str) -> Option<String> {
    let param = normalise_name(param);
    vars.names()
        .find(|n| {
            let n = normalise_name(n);
            n.len() >= 3
                && param.len() > n.len()
                && param.ends_with(&n)
                && param.as_bytes()[param.len() - n.len() - 1] == b'_'
        })
        .map(|n| format!("{{{{{n}}}}}"))
}

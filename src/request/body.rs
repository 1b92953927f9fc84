//! The request's body from the draft: form fields encoded (URL-encoded or
//! multipart), a file's bytes, or the typed text, each labelled with its
//! `Content-Type` unless the draft declares one or switched it off.

use super::form::{self, Part};
use super::vars::Ctx;
use super::{BuildError, Draft, FormField};

/// What the body is, and what an export needs to say it again.
pub(super) struct Body {
    pub bytes: Option<Vec<u8>>,
    /// The form fields it was encoded from (variables substituted).
    pub form: Vec<FormField>,
    /// The file it was read from (variables substituted).
    pub file: Option<String>,
}

/// The draft's body: its form fields when any is sent, else its file,
/// else its text; `headers` gets the type it goes out as.
pub(super) fn body(draft: &Draft, ctx: &mut Ctx<'_>, headers: &mut Vec<(String, String)>) -> Body {
    let form_fields: Vec<&FormField> = form::enabled(&draft.form).collect();
    let mut sent_form = Vec::new();
    let mut body_file = None;
    let bytes = if !form_fields.is_empty() {
        let (body, sent) = form_body(draft, &form_fields, ctx, headers);
        sent_form = sent;
        Some(body)
    } else if let Some(path) = draft.body_file.as_deref() {
        // No file chosen yet: no body, as an empty text body.
        (!path.trim().is_empty()).then(|| {
            let path = ctx.subst(path.trim(), &|| "body file".into());
            let bytes = file_body(draft, &path, ctx, headers);
            body_file = Some(path);
            bytes
        })
    } else if draft.body.trim().is_empty() {
        None
    } else {
        let text = ctx.subst(&draft.body, &|| "body".into());
        let declared = headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case("content-type"))
            .map(|(_, v)| v.clone());
        // Without a declared type, a body typed as JSON is sent as JSON:
        // servers read an untyped body as a form or refuse it.
        let chosen = draft
            .content_type
            .clone()
            .filter(|c| !c.is_empty())
            .or_else(|| looks_like_json(&text).then(|| JSON_CONTENT_TYPE.to_string()));
        let content_type = declared.clone().or_else(|| chosen.clone());
        if declared.is_none()
            && !content_type_switched_off(draft)
            && let Some(ct) = chosen
        {
            headers.push(("Content-Type".into(), ct));
        }
        if content_type.as_deref().is_some_and(is_json_content_type) {
            check_json(&text, text != draft.body, ctx);
        }
        Some(text.into_bytes())
    };
    Body {
        bytes,
        form: sent_form,
        file: body_file,
    }
}

/// A Content-Type row the user switched off means: send none.
fn content_type_switched_off(draft: &Draft) -> bool {
    draft
        .headers
        .iter()
        .any(|r| !r.enabled && r.name.trim().eq_ignore_ascii_case("content-type"))
}

/// A binary body: the bytes of the file at `path`, labelled with the
/// declared header's type, the draft's, else the one its extension says
/// (the header added unless the user switched it off).
fn file_body(
    draft: &Draft,
    path: &str,
    ctx: &mut Ctx<'_>,
    headers: &mut Vec<(String, String)>,
) -> Vec<u8> {
    let declared = headers
        .iter()
        .any(|(n, _)| n.eq_ignore_ascii_case("content-type"));
    if !declared && !content_type_switched_off(draft) {
        let content_type = draft
            .content_type
            .clone()
            .filter(|c| !c.is_empty())
            .unwrap_or_else(|| form::guess_content_type(path).to_string());
        headers.push(("Content-Type".into(), content_type));
    }
    let path_ref = std::path::Path::new(path);
    let read = if ctx.read_body_file {
        form::read_file(path_ref)
    } else {
        form::check_file(path_ref).map(|()| Vec::new())
    };
    match read {
        Ok(bytes) => bytes,
        Err(e) => {
            ctx.error(BuildError::FormFile {
                message: format!("body file {path}: cannot read it: {e}"),
            });
            Vec::new()
        }
    }
}

/// A form body from the draft's fields, as its media type says: the
/// declared header's, the draft's, else multipart when a field is a file
/// and URL-encoded otherwise. A multipart body's header gets its boundary.
/// Also the fields as sent (variables substituted).
fn form_body(
    draft: &Draft,
    fields: &[&FormField],
    ctx: &mut Ctx<'_>,
    headers: &mut Vec<(String, String)>,
) -> (Vec<u8>, Vec<FormField>) {
    let sent: Vec<FormField> = fields
        .iter()
        .map(|f| {
            let used_in = || format!("form field `{}`", f.name);
            FormField {
                value: ctx.subst(&f.value, &used_in),
                ..(*f).clone()
            }
        })
        .collect();
    let declared = headers
        .iter()
        .position(|(n, _)| n.eq_ignore_ascii_case("content-type"));
    let content_type = declared
        .map(|i| headers[i].1.clone())
        .or_else(|| draft.content_type.clone().filter(|c| !c.is_empty()))
        .unwrap_or_else(|| {
            if fields.iter().any(|f| f.file) {
                "multipart/form-data".into()
            } else {
                "application/x-www-form-urlencoded".into()
            }
        });
    let mut set_type = |value: String| match declared {
        Some(i) => headers[i].1 = value,
        None => headers.push(("Content-Type".into(), value)),
    };
    if form::is_multipart(&content_type) {
        let parts: Vec<Part> = sent
            .iter()
            .map(|f| {
                if f.file {
                    Part::File {
                        name: f.name.clone(),
                        path: f.value.clone(),
                    }
                } else {
                    Part::Text {
                        name: f.name.clone(),
                        value: f.value.clone(),
                    }
                }
            })
            .collect();
        let boundary = form::boundary(&parts);
        set_type(format!("multipart/form-data; boundary={boundary}"));
        let body = match form::multipart(&parts, &boundary) {
            Ok(body) => body,
            Err(message) => {
                ctx.error(BuildError::FormFile { message });
                Vec::new()
            }
        };
        (body, sent)
    } else {
        let pairs: Vec<(String, String)> = sent
            .iter()
            .map(|f| (f.name.clone(), f.value.clone()))
            .collect();
        if declared.is_none() {
            set_type(content_type);
        }
        (form::urlencoded(&pairs).into_bytes(), sent)
    }
}

/// The type a body typed as JSON gets when nothing declares one.
pub const JSON_CONTENT_TYPE: &str = "application/json";

/// A JSON object or array, as a person types a JSON body: valid, and not a
/// bare word or number that a text or form body could also be.
fn looks_like_json(text: &str) -> bool {
    let start = text.trim_start();
    (start.starts_with('{') || start.starts_with('['))
        && serde_json::from_str::<serde::de::IgnoredAny>(text).is_ok()
}

/// `application/json`, `text/json`, `application/problem+json`, with or
/// without parameters.
pub fn is_json_content_type(content_type: &str) -> bool {
    let essence = content_type
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    essence.ends_with("/json") || essence.ends_with("+json")
}

fn check_json(text: &str, substituted: bool, ctx: &mut Ctx<'_>) {
    if let Err(e) = serde_json::from_str::<serde::de::IgnoredAny>(text) {
        let mut message = e.to_string();
        // serde_json appends " at line L column C"; the fields carry it.
        if let Some(cut) = message.rfind(" at line ") {
            message.truncate(cut);
        }
        if substituted {
            message.push_str(" (after substituting variables)");
        }
        // serde_json reports column 0 when the problem is the line break
        // itself (`tru` then a newline): point at the end of that line.
        let (line, column) = if e.column() == 0 && e.line() > 1 {
            let previous = text.lines().nth(e.line() - 2).unwrap_or_default();
            (e.line() - 1, previous.chars().count())
        } else {
            (e.line(), e.column())
        };
        ctx.error(BuildError::InvalidJson {
            line,
            column,
            message,
        });
    }
}

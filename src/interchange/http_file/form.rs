//! Form bodies in `.http` files: a multipart body's parts, a file part
//! written as a `< path` line (as REST Client and the JetBrains client
//! upload it), and a URL-encoded body's `name=value&…` pairs, read into
//! form fields and written from them. `{{variables}}` stay variables.

use std::path::Path;

use crate::interchange::postman::form_encode;
use crate::request::{FormField, is_multipart};

/// The fields of a multipart body whose type names its boundary; `None`
/// when it names none or the body has no part with a name (it stays text).
/// A relative `< path` is the `.http` file's, as its tools read it.
pub(super) fn multipart_fields(
    body: &str,
    content_type: &str,
    base_dir: &Path,
) -> Option<Vec<FormField>> {
    let boundary = content_type.split(';').skip(1).find_map(|param| {
        let (name, value) = param.split_once('=')?;
        name.trim()
            .eq_ignore_ascii_case("boundary")
            .then(|| value.trim().trim_matches('"').to_string())
    })?;
    let delimiter = format!("--{boundary}");
    let mut sections: Vec<Vec<&str>> = Vec::new();
    let mut current: Option<Vec<&str>> = None;
    for line in body.split('\n') {
        let trimmed = line.trim_end();
        if trimmed == delimiter || trimmed == format!("{delimiter}--") {
            sections.extend(current.take());
            if trimmed == delimiter {
                current = Some(Vec::new());
            } else {
                break;
            }
        } else if let Some(section) = &mut current {
            section.push(line);
        }
    }
    sections.extend(current);
    let mut fields = Vec::new();
    for section in sections {
        let blank = section.iter().position(|l| l.trim().is_empty())?;
        let disposition = section[..blank].iter().find_map(|h| {
            let (name, value) = h.split_once(':')?;
            name.trim()
                .eq_ignore_ascii_case("content-disposition")
                .then_some(value)
        })?;
        let name = disposition_param(disposition, "name")?;
        let content = section[blank + 1..].join("\n");
        let file = content
            .trim()
            .strip_prefix("< ")
            .filter(|path| !path.contains('\n'))
            .map(|path| {
                let path = path.trim();
                if path.contains("{{") || Path::new(path).is_absolute() {
                    path.to_string()
                } else {
                    base_dir.join(path).display().to_string()
                }
            });
        fields.push(FormField {
            name,
            file: file.is_some(),
            value: file.unwrap_or(content),
            enabled: true,
        });
    }
    (!fields.is_empty()).then_some(fields)
}

/// `name="value"` (or bare) from a `Content-Disposition` header.
fn disposition_param(header: &str, wanted: &str) -> Option<String> {
    header.split(';').skip(1).find_map(|param| {
        let (name, value) = param.split_once('=')?;
        (name.trim() == wanted).then(|| {
            let value = value.trim();
            value
                .strip_prefix('"')
                .and_then(|v| v.strip_suffix('"'))
                .map_or_else(|| value.to_string(), |v| v.replace("\\\"", "\""))
        })
    })
}

/// The pairs of a URL-encoded body (its lines joined, as the JetBrains
/// client continues one with `&` on the next); `None` when a piece is not
/// `name=value`, so that text that is no form stays text.
pub(super) fn urlencoded_fields(body: &str) -> Option<Vec<FormField>> {
    let joined: String = body.split('\n').map(str::trim).collect();
    if joined.is_empty() || !joined.split('&').all(|p| p.contains('=')) {
        return None;
    }
    Some(
        url::form_urlencoded::parse(joined.as_bytes())
            .map(|(name, value)| FormField {
                name: name.into_owned(),
                value: value.into_owned(),
                file: false,
                enabled: true,
            })
            .collect(),
    )
}

/// A form as a `.http` body and the `Content-Type` it goes with (a
/// multipart one with a boundary no value holds). A field switched off,
/// which the format cannot say, is left out with a warning, as is a value
/// line that its readers would take for syntax.
pub(super) fn write(
    form: &[FormField],
    declared: Option<&str>,
    request: &str,
    warnings: &mut Vec<String>,
) -> (String, String) {
    for f in form.iter().filter(|f| !f.enabled) {
        warnings.push(format!(
            "`{request}`: the switched-off form field `{}` is left out",
            f.name
        ));
    }
    let fields: Vec<&FormField> = form.iter().filter(|f| f.enabled).collect();
    let multipart = declared.map_or_else(|| fields.iter().any(|f| f.file), is_multipart);
    if !multipart {
        let body = fields
            .iter()
            .map(|f| format!("{}={}", form_encode(&f.name), form_encode(&f.value)))
            .collect::<Vec<_>>()
            .join("&");
        let content_type = declared.unwrap_or("application/x-www-form-urlencoded");
        return (content_type.to_string(), body);
    }
    let mut boundary = String::from("portico-form-boundary");
    while fields.iter().any(|f| f.value.contains(&boundary)) {
        boundary.push('x');
    }
    let mut body = String::new();
    for f in fields {
        body.push_str(&format!("--{boundary}\n"));
        let name = f.name.replace('"', "\\\"");
        if f.file {
            let file_name = Path::new(&f.value)
                .file_name()
                .map(|n| n.to_string_lossy().replace('"', "\\\""))
                .unwrap_or_default();
            body.push_str(&format!(
                "Content-Disposition: form-data; name=\"{name}\"; filename=\"{file_name}\"\n\n< {}\n",
                f.value
            ));
        } else {
            if f.value.trim_start().starts_with("< ")
                || f.value.lines().any(|l| l.starts_with("###"))
            {
                warnings.push(format!(
                    "`{request}`: the form field `{}` will be read as .http syntax, not its value",
                    f.name
                ));
            }
            body.push_str(&format!(
                "Content-Disposition: form-data; name=\"{name}\"\n\n{}\n",
                f.value
            ));
        }
    }
    body.push_str(&format!("--{boundary}--"));
    (format!("multipart/form-data; boundary={boundary}"), body)
}

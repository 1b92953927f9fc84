//! curl export: a [`BuiltRequest`] as a command line with exact POSIX
//! shell quoting, a body that no shell argument can hold piped in through
//! `printf '%b'`. A form body is written as its fields (`-F name=value`,
//! `-F name=@path`, `--data-urlencode name=value`), so that the command
//! reads as it was typed and uploads the file rather than a copy of it.

use crate::request::{BuiltRequest, FormField, enc, is_multipart, is_urlencoded};

/// Renders a request as a curl command, one option per line.
/// With `mask_secrets`, secrets are replaced as in [`BuiltRequest::masked`];
/// such a command is for reading, not running.
pub fn to_curl(req: &BuiltRequest, mask_secrets: bool) -> String {
    let masked;
    let req = if mask_secrets {
        masked = req.masked();
        &masked
    } else {
        req
    };
    let mut args: Vec<String> = Vec::new();
    let method = req.method.to_ascii_uppercase();
    let has_body = req.body.is_some();
    match (method.as_str(), has_body) {
        ("GET", false) | ("POST", true) => {}
        ("HEAD", false) => args.push("--head".into()),
        _ => args.push(format!("-X {}", shell_quote(&method))),
    }
    if req.url.contains(['[', ']', '{', '}']) {
        // Otherwise curl reads them as its URL globbing syntax.
        args.push("--globoff".into());
    }
    args.push(quote_always(&req.url));
    let content_type = req.header("content-type").unwrap_or_default();
    let form = form_args(&req.form, content_type);
    for (name, value) in &req.headers {
        // curl writes a multipart body with a boundary of its own.
        if form.is_some() && is_multipart(value) && name.eq_ignore_ascii_case("content-type") {
            continue;
        }
        // `Name:` would remove the header; `Name;` sends it empty.
        let header = if value.is_empty() {
            format!("{name};")
        } else {
            format!("{name}: {value}")
        };
        args.push(format!("-H {}", quote_always(&header)));
    }
    let mut prefix = String::new();
    if let Some(form) = form {
        args.extend(form);
    } else if let Some(path) = req.body_file.as_deref().filter(|p| !p.starts_with('-')) {
        // The file by its path, as curl reads it: its bytes as they are.
        args.push(format!(
            "--data-binary {}",
            quote_always(&format!("@{path}"))
        ));
    } else if let Some(body) = &req.body {
        let declared = req
            .headers
            .iter()
            .any(|(n, _)| n.eq_ignore_ascii_case("content-type"));
        if !declared {
            // curl would add `application/x-www-form-urlencoded`.
            args.push("-H 'Content-Type:'".into());
        }
        match std::str::from_utf8(body) {
            Ok(text) if !text.contains('\0') => {
                args.push(format!("--data-raw {}", quote_always(text)));
            }
            _ => {
                prefix = format!("printf '%b' {} | ", quote_always(&printf_escape(body)));
                args.push("--data-binary @-".into());
            }
        }
    }
    let mut out = format!("{prefix}curl");
    for arg in args {
        out.push_str(" \\\n  ");
        out.push_str(&arg);
    }
    out
}

/// The options that send a form's fields, when curl can say each as
/// it is: a name with `=` (or, URL-encoded, any character that encoding
/// would change) cannot be, nor a file path curl would read as options;
/// such a form is sent as its bytes.
fn form_args(fields: &[FormField], content_type: &str) -> Option<Vec<String>> {
    if fields.is_empty() {
        return None;
    }
    let mut args = Vec::new();
    if is_multipart(content_type) {
        for f in fields {
            if f.name.contains('=') {
                return None;
            }
            let pair = format!("{}={}", f.name, f.value);
            if f.file {
                if f.value.contains([';', ',', '"']) {
                    return None;
                }
                args.push(format!(
                    "-F {}",
                    quote_always(&format!("{}=@{}", f.name, f.value))
                ));
            } else if f.value.starts_with(['@', '<']) || f.value.contains([';', '"']) {
                // `-F` would read a file, or options after `;`.
                args.push(format!("--form-string {}", quote_always(&pair)));
            } else {
                args.push(format!("-F {}", quote_always(&pair)));
            }
        }
    } else if is_urlencoded(content_type) {
        for f in fields {
            if f.name.is_empty() || enc(&f.name) != f.name || f.name.contains('@') {
                return None;
            }
            let pair = format!("{}={}", f.name, f.value);
            args.push(format!("--data-urlencode {}", quote_always(&pair)));
        }
    } else {
        return None;
    }
    Some(args)
}

/// A word the shell reads back as `text`: bare when that is safe, else in
/// single quotes.
pub fn shell_quote(text: &str) -> String {
    let bare = !text.is_empty()
        && text
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_./:@%+=,".contains(&b));
    if bare {
        text.to_string()
    } else {
        quote_always(text)
    }
}

fn quote_always(text: &str) -> String {
    format!("'{}'", text.replace('\'', r"'\''"))
}

/// Escapes bytes for printf's `%b`: a backslash doubled, everything that is
/// not printable ASCII (or a newline) as `\0ooo`.
pub(crate) fn printf_escape(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len() * 2);
    for &b in bytes {
        match b {
            b'\\' => out.push_str(r"\\"),
            b'\n' | 0x20..=0x7e => out.push(char::from(b)),
            _ => out.push_str(&format!("\\0{b:03o}")),
        }
    }
    out
}

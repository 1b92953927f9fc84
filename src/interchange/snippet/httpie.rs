//! HTTPie command lines, quoted for a POSIX shell as curl export is. Each
//! header is a request item (`Name:value`) whose value cannot be read as
//! a JSON field or a file; `Name;` sends an empty value and `Content-Type:`
//! drops the JSON type HTTPie would add. A body is `--raw=` text, or piped in through
//! `printf '%b'` when no shell word can hold it (NUL, invalid UTF-8), or
//! from its file (`< FILE`) when it is one.
//! `--ignore-stdin` keeps a script's own standard input out of the request.

use super::{Body, BuiltRequest, body, has_body, has_header};
use crate::interchange::curl::{printf_escape, shell_quote};

pub(super) fn render(req: &BuiltRequest) -> String {
    let mut prefix = String::new();
    let mut suffix = String::new();
    let mut args: Vec<String> = Vec::new();
    match body(req) {
        // Standard input is the body, read from the file.
        Body::File(path) => suffix = format!(" \\\n  < {}", quote_always(path)),
        Body::Text(text) if !text.contains('\0') => {
            args.push("--ignore-stdin".into());
            // Joined with `=`, so a body starting with `-` is not read as an option.
            args.push(format!("--raw={}", quote_always(text)));
        }
        Body::Text(_) | Body::Bytes(_) => {
            let bytes = req.body.as_deref().unwrap_or_default();
            prefix = format!("printf '%b' {} | ", quote_always(&printf_escape(bytes)));
        }
        Body::None => args.push("--ignore-stdin".into()),
    }
    args.push(shell_quote(&req.method));
    args.push(quote_always(&req.url));
    for (name, value) in &req.headers {
        let item = if value.is_empty() {
            format!("{name};")
        } else {
            format!("{name}:{}", escape_item(value))
        };
        args.push(quote_always(&item));
    }
    if has_body(req) && !has_header(req, "content-type") {
        args.push("'Content-Type:'".into());
    }
    let mut out = format!("{prefix}http");
    for arg in args {
        out.push_str(" \\\n  ");
        out.push_str(&arg);
    }
    out.push_str(&suffix);
    out.push('\n');
    out
}

/// A value as an item's value: HTTPie reads a separator right after the
/// first one as part of it (`Name:=x` is a JSON field), so a first
/// character that is one is escaped; the rest is read as written.
/// (HTTPie also reads `\` before a separator as an escape, so a backslash
/// right before `:`, `=`, `@` or `;` inside a value cannot be written.)
fn escape_item(value: &str) -> String {
    match value.chars().next() {
        Some(c @ (':' | '=' | '@' | ';')) => format!("\\{c}{}", &value[1..]),
        _ => value.to_string(),
    }
}

fn quote_always(text: &str) -> String {
    format!("'{}'", text.replace('\'', r"'\''"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_leading_separator_is_escaped() {
        assert_eq!(escape_item("=x:y"), r"\=x:y");
        assert_eq!(escape_item("@file"), r"\@file");
        assert_eq!(escape_item(r"C:\dir\"), r"C:\dir\");
    }

    #[test]
    fn a_body_like_an_option_stays_the_body() {
        let req = BuiltRequest {
            method: "POST".into(),
            url: "http://h/".into(),
            headers: vec![("Content-Type".into(), "text/plain".into())],
            body: Some(b"-x".to_vec()),
            secret_values: Vec::new(),
            form: Vec::new(),
            body_file: None,
        };
        assert!(render(&req).contains("--raw='-x'"), "{}", render(&req));
    }
}

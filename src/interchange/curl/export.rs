//! curl export: a [`BuiltRequest`] as a command line with exact POSIX
//! shell quoting, a body that no shell argument can hold piped in through
//! `printf '%b'`.

use crate::request::BuiltRequest;

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
    for (name, value) in &req.headers {
        // `Name:` would remove the header; `Name;` sends it empty.
        let header = if value.is_empty() {
            format!("{name};")
        } else {
            format!("{name}: {value}")
        };
        args.push(format!("-H {}", quote_always(&header)));
    }
    let mut prefix = String::new();
    if let Some(body) = &req.body {
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

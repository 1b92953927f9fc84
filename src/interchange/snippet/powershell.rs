//! PowerShell samples with `Invoke-RestMethod` (PowerShell 7+, which has
//! `-SkipHeaderValidation`). Strings are single-quoted, where nothing is
//! expanded: a quote is doubled, and so are the typographic single quotes
//! PowerShell also reads as quotes (‘ ’ ‚ ‛); text with control
//! characters is double-quoted with backtick escapes instead. The body is
//! always bytes; text of several lines is its lines joined by an escaped
//! line break (a raw one would take the saved script's line ending), and
//! text with other control characters is written as base64.
//!
//! Headers go in a dictionary (a name given twice joined with `, `); the
//! content type goes in `-ContentType`, as the cmdlet wants it.

use super::{Body, BuiltRequest, base64, body, joined_headers};

pub(super) fn render(req: &BuiltRequest) -> String {
    let mut out = String::new();
    let headers = joined_headers(req);
    let content_type = headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case("content-type"))
        .map(|(_, v)| v.clone());
    let others: Vec<_> = headers
        .iter()
        .filter(|(n, _)| !n.eq_ignore_ascii_case("content-type"))
        .collect();
    let has_others = !others.is_empty();
    if has_others {
        out.push_str("$headers = [ordered]@{\n");
        for (name, value) in others {
            out.push_str(&format!("    {} = {}\n", string(name), string(value)));
        }
        out.push_str("}\n");
    }
    match body(req) {
        Body::None => {}
        Body::Text(text) if !text.chars().any(|c| c.is_control() && c != '\t') => {
            out.push_str(&format!(
                "$body = [System.Text.Encoding]::UTF8.GetBytes({})\n",
                string(text)
            ));
        }
        Body::Text(text) => match text_lines(text) {
            Some((lines, separator)) => {
                out.push_str("$body = [System.Text.Encoding]::UTF8.GetBytes((@(\n");
                let quoted: Vec<String> =
                    lines.iter().map(|l| format!("    {}", string(l))).collect();
                out.push_str(&quoted.join(",\n"));
                out.push_str(&format!("\n) -join \"{separator}\"))\n"));
            }
            None => out.push_str(&format!(
                "$body = [Convert]::FromBase64String({})\n",
                string(&base64(text.as_bytes()))
            )),
        },
        Body::Bytes(bytes) => out.push_str(&format!(
            "$body = [Convert]::FromBase64String({})\n",
            string(&base64(bytes))
        )),
        Body::File(_) => {}
    }
    out.push_str(&format!(
        "$response = Invoke-RestMethod -Method {} -Uri {}",
        string(&req.method),
        string(&req.url)
    ));
    if has_others {
        out.push_str(" -Headers $headers");
    }
    if let Some(content_type) = content_type {
        out.push_str(&format!(" -ContentType {}", string(&content_type)));
    }
    match body(req) {
        Body::None => {}
        Body::File(path) => out.push_str(&format!(" -InFile {}", string(path))),
        _ => out.push_str(" -Body $body"),
    }
    out.push_str(" -SkipHeaderValidation\n$response\n");
    out
}

/// Text whose only control characters are tabs and line breaks of one
/// kind, as its lines and the separator that joins them back exactly
/// (`` `n `` or `` `r`n ``); `None` for anything else.
fn text_lines(text: &str) -> Option<(Vec<&str>, &'static str)> {
    let (separator, escaped) = if text.contains("\r\n") {
        ("\r\n", "`r`n")
    } else {
        ("\n", "`n")
    };
    let lines: Vec<&str> = text.split(separator).collect();
    let clean = lines
        .iter()
        .all(|l| !l.chars().any(|c| c.is_control() && c != '\t'));
    clean.then_some((lines, escaped))
}

fn string(text: &str) -> String {
    if text.chars().any(|c| c.is_control() && c != '\t') {
        return expandable(text);
    }
    let mut out = String::from("'");
    for c in text.chars() {
        if matches!(c, '\'' | '\u{2018}' | '\u{2019}' | '\u{201a}' | '\u{201b}') {
            out.push(c);
        }
        out.push(c);
    }
    out.push('\'');
    out
}

/// A double-quoted string, for text with control characters (which a
/// single-quoted one would hold raw): each written as a backtick escape,
/// and `$`, backticks and every double quote PowerShell knows (“ ” „
/// included) escaped so nothing is expanded.
fn expandable(text: &str) -> String {
    let mut out = String::from("\"");
    for c in text.chars() {
        match c {
            '\0' => out.push_str("`0"),
            '\n' => out.push_str("`n"),
            '\r' => out.push_str("`r"),
            '\t' => out.push_str("`t"),
            '$' | '`' | '"' | '\u{201c}' | '\u{201d}' | '\u{201e}' => {
                out.push('`');
                out.push(c);
            }
            c if c.is_control() => out.push_str(&format!("`u{{{:x}}}", u32::from(c))),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_of_every_kind_are_doubled_and_controls_escaped() {
        assert_eq!(string("it's ‘x’ $a `b"), "'it''s ‘‘x’’ $a `b'");
        assert_eq!(string("a\0\u{1b}$\"“"), "\"a`0`u{1b}`$`\"`“\"");
    }
}

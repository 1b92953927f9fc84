//! PowerShell samples with `Invoke-RestMethod` (PowerShell 7+, which has
//! `-SkipHeaderValidation`). Strings are single-quoted, where nothing is
//! expanded: a quote is doubled, and so are the typographic single quotes
//! PowerShell also reads as quotes (‘ ’ ‚ ‛). The body is always bytes;
//! text with control characters (line breaks whose bytes a saved script
//! could change) is written as base64.
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
        Body::Text(text) => out.push_str(&format!(
            "$body = [Convert]::FromBase64String({})\n",
            string(&base64(text.as_bytes()))
        )),
        Body::Bytes(bytes) => out.push_str(&format!(
            "$body = [Convert]::FromBase64String({})\n",
            string(&base64(bytes))
        )),
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
    if req.body.is_some() {
        out.push_str(" -Body $body");
    }
    out.push_str(" -SkipHeaderValidation\n$response\n");
    out
}

fn string(text: &str) -> String {
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

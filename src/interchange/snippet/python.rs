//! Python samples with `requests`: headers in a dict (a name given twice
//! joined with `, `), the body always as bytes so that nothing re-encodes
//! it (a `str` body would go out as Latin-1).
//!
//! A UTF-8 header value is passed as bytes (`"…".encode()`): http.client
//! would encode text as Latin-1 and fail on anything beyond it.

use super::{
    Body, BuiltRequest, beyond_ascii, body, invisible, joined_headers, line_literals, quote_with,
    utf8,
};

pub(super) fn render(req: &BuiltRequest) -> String {
    let mut out = String::from("import requests\n\nresponse = requests.request(\n");
    out.push_str(&format!("    {},\n", string(&req.method)));
    out.push_str(&format!("    {},\n", string(&req.url)));
    let headers = joined_headers(req);
    if !headers.is_empty() {
        out.push_str("    headers={\n");
        for (name, value) in &headers {
            let value = if !beyond_ascii(value) {
                string(value)
            } else {
                format!("{}.encode()", string(value))
            };
            out.push_str(&format!("        {}: {value},\n", string(name)));
        }
        out.push_str("    },\n");
    }
    match body(req) {
        Body::None => {}
        Body::Text(text) => {
            let data = match line_literals(text.as_bytes(), utf8(string), "", "        ") {
                Some(lines) => format!("(\n        {lines}\n    )"),
                None => string(text),
            };
            out.push_str(&format!("    data={data}.encode(),\n"));
        }
        Body::Bytes(bytes) => out.push_str(&format!("    data=b{},\n", bytes_literal(bytes))),
        Body::File(path) => out.push_str(&format!(
            "    data=open({}, \"rb\").read(),\n",
            string(path)
        )),
    }
    out.push_str(")\nprint(response.status_code)\nprint(response.text)\n");
    out
}

/// A `str` literal; non-ASCII text stays readable (sources are UTF-8).
pub(super) fn string(text: &str) -> String {
    quote_with(text, |c| escape(c, false))
}

/// A `bytes` literal: only ASCII may appear in one, everything else as
/// `\xNN`.
fn bytes_literal(bytes: &[u8]) -> String {
    let mut out = String::from("\"");
    for &b in bytes {
        match escape(char::from(b), true) {
            Some(e) => out.push_str(&e),
            None => out.push(char::from(b)),
        }
    }
    out.push('"');
    out
}

fn escape(c: char, bytes: bool) -> Option<String> {
    Some(match c {
        '\\' => r"\\".into(),
        '"' => "\\\"".into(),
        '\n' => r"\n".into(),
        '\r' => r"\r".into(),
        '\t' => r"\t".into(),
        c if bytes && !c.is_ascii() => format!("\\x{:02x}", u32::from(c)),
        c if invisible(c) => match u32::from(c) {
            n @ 0..=0xff => format!("\\x{n:02x}"),
            n => format!("\\u{n:04x}"),
        },
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literals_escape_what_python_reads_specially() {
        assert_eq!(string("a\"b\\c\n\0é\u{2028}"), r#""a\"b\\c\n\x00é\u2028""#);
        assert_eq!(
            bytes_literal(b"\xff\x00'\"\xc3\xa9"),
            r#""\xff\x00'\"\xc3\xa9""#
        );
    }
}

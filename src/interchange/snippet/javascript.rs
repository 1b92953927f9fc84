//! JavaScript samples with `fetch` (browsers, Node 18+, Deno), as an ES
//! module (top-level `await`). The body is always bytes, so that fetch adds
//! no `text/plain` content type of its own; a header value is a byte string
//! to fetch, so UTF-8 text is handed over as its bytes, one character each.
//!
//! A body from a file is read with Node's `readFile` (Deno and Bun have it
//! too; a browser has no files to read).
//!
//! fetch refuses a body on GET and HEAD; such a request is written as it
//! is, and fails there with fetch's own error.

use super::{
    Body, BuiltRequest, base64, beyond_ascii, body, has_body, invisible, line_literals, quote_with,
    utf8,
};

pub(super) fn render(req: &BuiltRequest) -> String {
    let mut out = String::new();
    if has_body(req) && matches!(req.method.as_str(), "GET" | "HEAD") {
        out.push_str(
            "// fetch refuses a body on GET and HEAD: this request cannot be sent as is\n",
        );
    }
    out.push_str(&format!(
        "const response = await fetch({}, {{\n  method: {},\n",
        string(&req.url),
        string(&req.method)
    ));
    if !req.headers.is_empty() {
        out.push_str("  headers: [\n");
        for (name, value) in &req.headers {
            let value = if !beyond_ascii(value) {
                string(value)
            } else {
                format!(
                    "String.fromCharCode(...new TextEncoder().encode({}))",
                    string(value)
                )
            };
            out.push_str(&format!("    [{}, {value}],\n", string(name)));
        }
        out.push_str("  ],\n");
    }
    match body(req) {
        Body::None => {}
        Body::Text(text) => {
            let text = match line_literals(text.as_bytes(), utf8(string), " +", "    ") {
                Some(lines) => format!("\n    {lines},\n  "),
                None => string(text),
            };
            out.push_str(&format!("  body: new TextEncoder().encode({text}),\n"));
        }
        Body::Bytes(bytes) => out.push_str(&format!(
            "  body: Uint8Array.from(atob({}), (c) => c.charCodeAt(0)),\n",
            string(&base64(bytes))
        )),
        Body::File(path) => {
            out.insert_str(0, "import { readFile } from \"node:fs/promises\";\n\n");
            out.push_str(&format!("  body: await readFile({}),\n", string(path)));
        }
    }
    out.push_str("});\nconsole.log(response.status);\nconsole.log(await response.text());\n");
    out
}

fn string(text: &str) -> String {
    quote_with(text, |c| {
        Some(match c {
            '\\' => r"\\".into(),
            '"' => "\\\"".into(),
            '\n' => r"\n".into(),
            '\r' => r"\r".into(),
            '\t' => r"\t".into(),
            c if invisible(c) => match u32::from(c) {
                n @ 0..=0xff => format!("\\x{n:02x}"),
                n => format!("\\u{n:04x}"),
            },
            _ => return None,
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_separators_and_controls_are_escaped() {
        assert_eq!(string("a\u{2028}b\0\"`${x}"), r#""a\u2028b\x00\"`${x}""#);
    }
}

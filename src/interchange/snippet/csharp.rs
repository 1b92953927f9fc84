//! C# samples with `HttpClient`, as a classic `Main` (any C# compiler). The
//! body is always bytes (`ByteArrayContent`), so no charset is added to the
//! content type; content headers (`Content-Type` and kin) go on the
//! content, the rest on the request, both without .NET's validation (which
//! would rewrite or refuse values portico sends as they are). A UTF-8
//! header value needs `SocketsHttpHandler`'s header encoding (.NET 5+):
//! otherwise .NET refuses anything beyond ASCII.

use super::{
    Body, BuiltRequest, base64, beyond_ascii, body, invisible, line_literals, quote_with, utf8,
};

/// Headers .NET keeps on the content rather than on the request.
const CONTENT_HEADERS: &[&str] = &[
    "allow",
    "content-disposition",
    "content-encoding",
    "content-language",
    "content-length",
    "content-location",
    "content-md5",
    "content-range",
    "content-type",
    "expires",
    "last-modified",
];

pub(super) fn render(req: &BuiltRequest) -> String {
    let utf8_headers = req.headers.iter().any(|(_, v)| beyond_ascii(v));
    let mut out = String::from(
        "using System;\nusing System.Net.Http;\nusing System.Text;\n\nclass Program\n{\n    static void Main()\n    {\n",
    );
    if utf8_headers {
        out.push_str(
            "        var handler = new SocketsHttpHandler\n        {\n\
             \x20           RequestHeaderEncodingSelector = (header, message) => Encoding.UTF8,\n        };\n\
             \x20       var client = new HttpClient(handler);\n",
        );
    } else {
        out.push_str("        var client = new HttpClient();\n");
    }
    out.push_str(&format!(
        "        var request = new HttpRequestMessage(new HttpMethod({}), {});\n",
        string(&req.method),
        string(&req.url)
    ));
    let is_content = |name: &str| CONTENT_HEADERS.contains(&name.to_ascii_lowercase().as_str());
    for (name, value) in req.headers.iter().filter(|(n, _)| !is_content(n)) {
        out.push_str(&format!(
            "        request.Headers.TryAddWithoutValidation({}, {});\n",
            string(name),
            string(value)
        ));
    }
    let content_headers: Vec<_> = req.headers.iter().filter(|(n, _)| is_content(n)).collect();
    let bytes = match body(req) {
        Body::None if content_headers.is_empty() => None,
        Body::None => Some("new byte[0]".to_string()),
        Body::Text(text) => {
            let indent = " ".repeat(12);
            let text = match line_literals(text.as_bytes(), utf8(string), " +", &indent) {
                Some(lines) => format!("\n{indent}{lines}"),
                None => string(text),
            };
            Some(format!("Encoding.UTF8.GetBytes({text})"))
        }
        Body::Bytes(bytes) => Some(format!(
            "Convert.FromBase64String({})",
            string(&base64(bytes))
        )),
        Body::File(path) => Some(format!("System.IO.File.ReadAllBytes({})", string(path))),
    };
    if let Some(bytes) = bytes {
        out.push_str(&format!(
            "        request.Content = new ByteArrayContent({bytes});\n"
        ));
        for (name, value) in content_headers {
            out.push_str(&format!(
                "        request.Content.Headers.TryAddWithoutValidation({}, {});\n",
                string(name),
                string(value)
            ));
        }
    }
    out.push_str(
        "        var response = client.SendAsync(request).GetAwaiter().GetResult();\n\
         \x20       Console.WriteLine((int)response.StatusCode);\n\
         \x20       Console.WriteLine(response.Content.ReadAsStringAsync().GetAwaiter().GetResult());\n    }\n}\n",
    );
    out
}

fn string(text: &str) -> String {
    quote_with(text, |c| {
        Some(match c {
            '\\' => r"\\".into(),
            '"' => "\\\"".into(),
            '\0' => r"\0".into(),
            '\n' => r"\n".into(),
            '\r' => r"\r".into(),
            '\t' => r"\t".into(),
            // `\u` takes exactly four digits (`\x` would take up to four).
            c if invisible(c) => {
                let mut units = [0u16; 2];
                c.encode_utf16(&mut units)
                    .iter()
                    .map(|u| format!("\\u{u:04x}"))
                    .collect()
            }
            _ => return None,
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_have_fixed_widths() {
        // `\x1b` followed by `a` would read as `\x1ba`: `\u` takes four.
        assert_eq!(string("\u{1b}a\0{0}\"\\"), r#""\u001ba\0{0}\"\\""#);
    }
}

//! Java samples with `java.net.http` (Java 11+), runnable as a single
//! source file (`java Main.java`).
//!
//! Java reads `\uXXXX` before anything else in a source file, so a control
//! character is written as an octal escape (`\012` inside a literal would
//! be fine, `\u000a` would end the line) and every other non-ASCII
//! character as `\uXXXX`, which keeps the file ASCII whatever the reader's
//! default charset. `URI.create` refuses some characters that other
//! clients send raw (`{`, `[`, `|` in a query): the sample percent-encodes
//! those, which servers read as the same URL. The client speaks HTTP/1.1,
//! as portico does on plain HTTP (no `Upgrade: h2c` headers added).
//! java.net.http sends only ASCII header values; a sample with another
//! says so in a comment, and Java refuses it when run.

use super::{Body, BuiltRequest, base64, beyond_ascii, body, line_literals, utf8};

/// Headers `HttpRequest.Builder` refuses (the client writes them itself).
const RESTRICTED: &[&str] = &["connection", "content-length", "expect", "host", "upgrade"];

pub(super) fn render(req: &BuiltRequest) -> String {
    let mut out = String::from(
        "import java.net.URI;\nimport java.net.http.HttpClient;\nimport java.net.http.HttpRequest;\nimport java.net.http.HttpResponse;\n",
    );
    out.push_str(
        "\npublic class Main {\n    public static void main(String[] args) throws Exception {\n\
         \x20       HttpClient client = HttpClient.newBuilder()\n\
         \x20           .version(HttpClient.Version.HTTP_1_1)\n\
         \x20           .build();\n",
    );
    let publisher = match body(req) {
        Body::None => "HttpRequest.BodyPublishers.noBody()".to_string(),
        // ofString encodes as UTF-8, byte for byte what portico sends.
        Body::Text(text) => {
            let indent = " ".repeat(16);
            let text = match line_literals(text.as_bytes(), utf8(string), " +", &indent) {
                Some(lines) => format!("\n{indent}{lines}"),
                None => string(text),
            };
            format!("HttpRequest.BodyPublishers.ofString({text})")
        }
        Body::Bytes(bytes) => format!(
            "HttpRequest.BodyPublishers.ofByteArray(java.util.Base64.getDecoder().decode({}))",
            string(&base64(bytes))
        ),
        Body::File(path) => format!(
            "HttpRequest.BodyPublishers.ofFile(java.nio.file.Path.of({}))",
            string(path)
        ),
    };
    out.push_str(&format!(
        "        HttpRequest request = HttpRequest.newBuilder(URI.create({}))\n            .method({}, {publisher})\n",
        string(&uri_safe(&req.url)),
        string(&req.method)
    ));
    for (name, value) in &req.headers {
        if RESTRICTED.iter().any(|r| name.eq_ignore_ascii_case(r)) {
            // Refused by the builder: the client writes these itself.
            out.push_str(&format!(
                "            // java.net.http sets this header itself: {}\n",
                string(&format!("{name}: {value}"))
            ));
            continue;
        }
        if beyond_ascii(value) {
            // No way around it in java.net.http: it refuses characters
            // beyond Latin-1 and writes the rest as ASCII (`?`).
            out.push_str(
                "            // java.net.http sends only ASCII header values: this one is refused\n",
            );
        }
        let value = string(value);
        out.push_str(&format!("            .header({}, {value})\n", string(name)));
    }
    out.push_str(
        "            .build();\n\
         \x20       HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());\n\
         \x20       System.out.println(response.statusCode());\n\
         \x20       System.out.println(response.body());\n    }\n}\n",
    );
    out
}

fn string(text: &str) -> String {
    let mut out = String::from("\"");
    for c in text.chars() {
        match c {
            '\\' => out.push_str(r"\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str(r"\n"),
            '\r' => out.push_str(r"\r"),
            '\t' => out.push_str(r"\t"),
            // Three digits always, so a digit after it is not read in.
            c if c.is_ascii_control() => out.push_str(&format!("\\{:03o}", u32::from(c))),
            c if c.is_ascii() => out.push(c),
            c => {
                let mut units = [0u16; 2];
                for unit in c.encode_utf16(&mut units) {
                    out.push_str(&format!("\\u{unit:04x}"));
                }
            }
        }
    }
    out.push('"');
    out
}

/// The URL with what `java.net.URI` refuses after the authority
/// percent-encoded.
fn uri_safe(url: &str) -> String {
    let start = url
        .find("://")
        .and_then(|i| url[i + 3..].find(['/', '?', '#']).map(|j| i + 3 + j))
        .unwrap_or(url.len());
    let (authority, rest) = url.split_at(start);
    let mut out = authority.to_string();
    for c in rest.chars() {
        match c {
            '{' | '}' | '[' | ']' | '|' | '^' | '`' | '\\' | '"' | '<' | '>' | ' ' => {
                out.push_str(&format!("%{:02X}", u32::from(c)));
            }
            c if c.is_control() => {
                let mut buf = [0u8; 4];
                for b in c.encode_utf8(&mut buf).bytes() {
                    out.push_str(&format!("%{b:02X}"));
                }
            }
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literals_stay_ascii_and_escapes_are_not_unicode() {
        assert_eq!(
            string("a\nb\0\u{7}1é😀\\u0041"),
            r#""a\nb\000\0071\u00e9\ud83d\ude00\\u0041""#
        );
        assert_eq!(
            uri_safe("http://[::1]:8/q?f[a]={b}"),
            "http://[::1]:8/q?f%5Ba%5D=%7Bb%7D"
        );
    }
}

//! Code samples: a [`BuiltRequest`] as a short program (or command line)
//! in another language, the way an API portal shows "code samples".
//!
//! ```text
//! httpie      HTTPie command line (POSIX shell quoting, as curl export)
//! python      requests
//! javascript  fetch
//! go          net/http
//! csharp      HttpClient
//! java        java.net.http
//! powershell  Invoke-RestMethod
//! php         the curl extension
//! ```
//!
//! Every sample sends what portico sends: the same method, URL, headers
//! and body bytes. A body sent from a file (`--data-binary @FILE`, a
//! binary Body tab) is read from that file by the sample, as curl's `@FILE`
//! does, rather than written into it. Each language file quotes every string for its own
//! literal syntax; a body that is not UTF-8 text travels as bytes (a
//! byte-escaped literal or base64 decoded in the sample). Where a language's
//! library cannot carry something as is (a header given twice in a
//! dictionary, a UTF-8 header value in an API that takes Latin-1 text), the
//! sample says the equivalent thing, as noted in that file. Secrets are
//! masked unless revealed, exactly as in curl export.

use std::fmt;

use crate::request::BuiltRequest;

mod csharp;
mod go;
mod httpie;
mod java;
mod javascript;
mod php;
mod powershell;
mod python;

/// A language (or tool) a sample is written for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Lang {
    Curl,
    Httpie,
    Python,
    JavaScript,
    Go,
    CSharp,
    Java,
    PowerShell,
    Php,
}

impl Lang {
    /// Every language, in the order pickers show them.
    pub const ALL: &'static [Lang] = &[
        Lang::Curl,
        Lang::Httpie,
        Lang::Python,
        Lang::JavaScript,
        Lang::Go,
        Lang::CSharp,
        Lang::Java,
        Lang::PowerShell,
        Lang::Php,
    ];

    /// The name `--lang` takes.
    pub fn name(self) -> &'static str {
        match self {
            Lang::Curl => "curl",
            Lang::Httpie => "httpie",
            Lang::Python => "python",
            Lang::JavaScript => "javascript",
            Lang::Go => "go",
            Lang::CSharp => "csharp",
            Lang::Java => "java",
            Lang::PowerShell => "powershell",
            Lang::Php => "php",
        }
    }

    /// What a person calls it, with the library the sample uses.
    pub fn label(self) -> &'static str {
        match self {
            Lang::Curl => "curl",
            Lang::Httpie => "HTTPie",
            Lang::Python => "Python (requests)",
            Lang::JavaScript => "JavaScript (fetch)",
            Lang::Go => "Go (net/http)",
            Lang::CSharp => "C# (HttpClient)",
            Lang::Java => "Java (java.net.http)",
            Lang::PowerShell => "PowerShell (Invoke-RestMethod)",
            Lang::Php => "PHP (curl)",
        }
    }

    /// Other names `--lang` takes for it.
    pub fn aliases(self) -> &'static [&'static str] {
        match self {
            Lang::Httpie => &["http"],
            Lang::Python => &["py"],
            Lang::JavaScript => &["js"],
            Lang::Go => &["golang"],
            Lang::CSharp => &["c#", "cs"],
            Lang::PowerShell => &["pwsh"],
            Lang::Curl | Lang::Java | Lang::Php => &[],
        }
    }

    /// Reads a `--lang` value: a name or an alias, case-insensitively.
    pub fn from_name(name: &str) -> Option<Lang> {
        let lower = name.trim().to_ascii_lowercase();
        Lang::ALL
            .iter()
            .copied()
            .find(|l| l.name() == lower || l.aliases().contains(&lower.as_str()))
    }
}

impl fmt::Display for Lang {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Renders a request as a sample in `lang`. With `mask_secrets`, secrets
/// are replaced as in [`BuiltRequest::masked`]; such a sample is for
/// reading, not running.
pub fn to_snippet(req: &BuiltRequest, lang: Lang, mask_secrets: bool) -> String {
    if lang == Lang::Curl {
        return super::curl::to_curl(req, mask_secrets);
    }
    let mut req = if mask_secrets {
        req.masked()
    } else {
        req.clone()
    };
    req.method = req.method.to_ascii_uppercase();
    match lang {
        Lang::Curl => unreachable!("handled above"),
        Lang::Httpie => httpie::render(&req),
        Lang::Python => python::render(&req),
        Lang::JavaScript => javascript::render(&req),
        Lang::Go => go::render(&req),
        Lang::CSharp => csharp::render(&req),
        Lang::Java => java::render(&req),
        Lang::PowerShell => powershell::render(&req),
        Lang::Php => php::render(&req),
    }
}

/// The body as the samples see it.
enum Body<'a> {
    None,
    /// UTF-8 text (control characters and NUL included: the languages
    /// whose literals cannot hold them switch to bytes themselves).
    Text(&'a str),
    /// Anything else, sent byte for byte.
    Bytes(&'a [u8]),
    /// The bytes of this file, read when the sample runs.
    File(&'a str),
}

fn body(req: &BuiltRequest) -> Body<'_> {
    if let Some(path) = req.body_file.as_deref().filter(|p| !p.is_empty()) {
        return Body::File(path);
    }
    match &req.body {
        None => Body::None,
        Some(bytes) => match std::str::from_utf8(bytes) {
            Ok(text) => Body::Text(text),
            Err(_) => Body::Bytes(bytes),
        },
    }
}

/// Whether the request has a body, in bytes or from a file.
fn has_body(req: &BuiltRequest) -> bool {
    !matches!(body(req), Body::None)
}

/// Whether the request names this header.
fn has_header(req: &BuiltRequest, name: &str) -> bool {
    req.headers
        .iter()
        .any(|(n, _)| n.eq_ignore_ascii_case(name))
}

/// The headers with a name given twice joined into one value (`a, b`), the
/// equivalent that HTTP defines, for libraries that keep headers in a
/// dictionary. The first spelling of a name and first-seen order are kept.
fn joined_headers(req: &BuiltRequest) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    for (name, value) in &req.headers {
        match out.iter_mut().find(|(n, _)| n.eq_ignore_ascii_case(name)) {
            Some((_, joined)) => {
                joined.push_str(", ");
                joined.push_str(value);
            }
            None => out.push((name.clone(), value.clone())),
        }
    }
    out
}

/// Whether a header value holds text beyond ASCII, which some libraries
/// need told how to send. The mask of a hidden secret does not count: a
/// masked sample is for reading, and is clearer without that ceremony.
fn beyond_ascii(value: &str) -> bool {
    !value.replace(crate::secrets::MASK, "").is_ascii()
}

/// Characters that are printable but must not appear raw in a sample:
/// line and paragraph separators (line breaks to some parsers), the byte
/// order mark, and the bidirectional controls that make code read other
/// than it runs.
fn invisible(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{00ad}'
                | '\u{200b}'..='\u{200f}'
                | '\u{2028}'..='\u{202e}'
                | '\u{2060}'..='\u{2069}'
                | '\u{feff}'
        )
}

/// A double-quoted literal of `text`: `escape` answers the escape for a
/// character that needs one, `None` keeps it as is.
fn quote_with(text: &str, escape: impl Fn(char) -> Option<String>) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match escape(c) {
            Some(e) => out.push_str(&e),
            None => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A double-quoted literal of bytes for languages whose strings are bytes
/// (Go, PHP, Python's `b"…"`): valid UTF-8 through `escape`, each invalid
/// byte as `\xNN`.
fn quote_bytes_with(bytes: &[u8], escape: impl Fn(char) -> Option<String>) -> String {
    let mut out = String::with_capacity(bytes.len() + 2);
    out.push('"');
    for chunk in bytes.utf8_chunks() {
        for c in chunk.valid().chars() {
            match escape(c) {
                Some(e) => out.push_str(&e),
                None => out.push(c),
            }
        }
        for b in chunk.invalid() {
            out.push_str(&format!("\\x{b:02x}"));
        }
    }
    out.push('"');
    out
}

/// A body of several lines as one literal a line, joined by `op` (`+`,
/// `.`, or nothing where literals side by side concatenate) and indented
/// by `indent`, so that a JSON document reads as one; each piece keeps its
/// line break, so the joined value is the body exactly. `None` for a
/// single line (or very many).
fn line_literals(
    bytes: &[u8],
    literal: impl Fn(&[u8]) -> String,
    op: &str,
    indent: &str,
) -> Option<String> {
    let lines: Vec<&[u8]> = bytes.split_inclusive(|b| *b == b'\n').collect();
    // Past a few hundred lines the concatenation itself would get in the
    // way (javac and mcs recurse into long `+` chains).
    if lines.len() < 2 || lines.len() > 200 {
        return None;
    }
    let literals: Vec<String> = lines.into_iter().map(literal).collect();
    Some(literals.join(&format!("{op}\n{indent}")))
}

/// A literal for text used on the pieces of a text (which stay UTF-8:
/// they are split after a line break).
fn utf8(literal: impl Fn(&str) -> String) -> impl Fn(&[u8]) -> String {
    move |bytes| literal(&String::from_utf8_lossy(bytes))
}

/// The base64 of bytes, for samples that decode a binary body.
fn base64(bytes: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_aliases_read_back() {
        for lang in Lang::ALL {
            assert_eq!(Lang::from_name(lang.name()), Some(*lang));
        }
        assert_eq!(Lang::from_name("js"), Some(Lang::JavaScript));
        assert_eq!(Lang::from_name("C#"), Some(Lang::CSharp));
        assert_eq!(Lang::from_name("cobol"), None);
    }

    #[test]
    fn duplicate_headers_join_in_order() {
        let req = BuiltRequest {
            method: "GET".into(),
            url: "http://h/".into(),
            headers: vec![
                ("X-A".into(), "1".into()),
                ("B".into(), "x".into()),
                ("x-a".into(), "2".into()),
            ],
            body: None,
            secret_values: Vec::new(),
            form: Vec::new(),
            body_file: None,
        };
        assert_eq!(
            joined_headers(&req),
            [("X-A".into(), "1, 2".into()), ("B".into(), "x".into())]
        );
    }

    #[test]
    fn invalid_bytes_escape_one_by_one() {
        let q = quote_bytes_with(b"caf\xc3\xa9 \xff\x00", |c| {
            (c == '\0').then(|| "\\x00".to_string())
        });
        assert_eq!(q, "\"café \\xff\\x00\"");
    }
}

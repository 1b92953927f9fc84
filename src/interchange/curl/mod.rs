//! curl command lines: export a [`BuiltRequest`] with exact POSIX shell
//! quoting, and import one, a browser's "Copy as cURL" included.
//!
//! Export puts every value in single quotes (a quote inside becomes `'\''`),
//! so `$`, backticks, `!`, backslashes and newlines reach curl as typed. A
//! body that is not UTF-8 text, or holds a NUL byte (which no shell argument
//! can), is piped in with `printf '%b' '...' | curl ... --data-binary @-`.
//!
//! Import has its own tokenizer instead of shell-words: it must read
//! ANSI-C quoting (`$'...\x00...'`), which browsers emit and shell-words
//! does not know, and produce bytes rather than text.

use base64::Engine as _;
use thiserror::Error;

use crate::catalog::{Catalog, ParamLocation, SecurityKind};
use crate::secrets::is_secret_name;

use super::expand::enc;
use super::{AuthValue, BuiltRequest, Draft, Row, Vars};

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
fn printf_escape(bytes: &[u8]) -> String {
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

/// A curl command read back: what curl would send.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ParsedCurl {
    pub method: String,
    pub url: String,
    /// In command order; headers curl adds by itself (User-Agent, Accept,
    /// Host) are not listed unless the command sets them.
    pub headers: Vec<(String, String)>,
    pub body: Option<Vec<u8>>,
    /// `--compressed`: curl asks for and decodes compressed responses.
    pub compressed: bool,
    /// `-k`/`--insecure`.
    pub insecure: bool,
    /// Options understood but with no effect on the request (timeouts,
    /// output files, verbosity), for the user to know they were dropped.
    pub ignored: Vec<String>,
}

impl ParsedCurl {
    /// The request as portico would send it; secret header values (and the
    /// token after a scheme word) are recorded for masking.
    pub fn to_request(&self) -> BuiltRequest {
        let mut secret_values = Vec::new();
        for (name, value) in &self.headers {
            if is_secret_name(name) && !value.is_empty() {
                secret_values.push(value.clone());
                if let Some((_, token)) = value.split_once(' ') {
                    secret_values.push(token.trim().to_string());
                }
            }
        }
        if let Ok(url) = url::Url::parse(&self.url) {
            for (name, value) in url.query_pairs() {
                if is_secret_name(&name) && !value.is_empty() {
                    secret_values.push(value.into_owned());
                }
            }
        }
        BuiltRequest {
            method: self.method.clone(),
            url: self.url.clone(),
            headers: self.headers.clone(),
            body: self.body.clone(),
            secret_values,
        }
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

#[derive(Debug, Clone, Error, PartialEq, Eq)]
pub enum CurlError {
    #[error("the command is empty")]
    Empty,
    #[error("not a curl command: it starts with `{first}`")]
    NotCurl { first: String },
    #[error("unterminated {quote} quote starting at character {offset}")]
    UnterminatedQuote { quote: &'static str, offset: usize },
    #[error(
        "shell syntax `{syntax}` at character {offset} is not supported; give one curl command (quote a URL that holds `&` or `;`)"
    )]
    ShellSyntax { syntax: String, offset: usize },
    #[error("the command has no URL")]
    MissingUrl,
    #[error("more than one URL (`{first}` and `{second}`); give one request")]
    SeveralUrls { first: String, second: String },
    #[error("option `{option}` needs a value")]
    MissingValue { option: String },
    #[error("unknown option `{option}`")]
    UnknownOption { option: String },
    #[error("option `{option}` is not supported: {why}")]
    Unsupported { option: String, why: String },
    #[error("header `{header}` has no `:`")]
    BadHeader { header: String },
    #[error("cannot read `{path}` (for {option}): {message}")]
    ReadFile {
        path: String,
        option: String,
        message: String,
    },
    #[error("invalid URL `{url}`: {message}")]
    InvalidUrl { url: String, message: String },
}

/// Reads a curl command; `-d @file` and `-F name=@file` read files relative
/// to the current directory, as curl would: regular files of bounded size
/// only (`-d @/dev/zero` would never end; `@-` is standard input).
pub fn parse_curl(cmd: &str) -> Result<ParsedCurl, CurlError> {
    parse_curl_with(cmd, &|path| {
        crate::catalog::read_file(std::path::Path::new(path), true).map_err(std::io::Error::other)
    })
}

/// [`parse_curl`] with the file reader given (tests, or a base directory).
pub fn parse_curl_with(
    cmd: &str,
    read_file: &dyn Fn(&str) -> std::io::Result<Vec<u8>>,
) -> Result<ParsedCurl, CurlError> {
    let tokens = tokenize(cmd)?;
    let mut words: Vec<Vec<u8>> = Vec::new();
    let mut stdin: Option<Vec<u8>> = None;
    let mut pipe_at = None;
    for (i, token) in tokens.iter().enumerate() {
        if let Token::Pipe(offset) = token {
            if pipe_at.is_some() {
                return Err(CurlError::ShellSyntax {
                    syntax: "|".into(),
                    offset: *offset,
                });
            }
            pipe_at = Some((i, *offset));
        }
    }
    let curl_tokens = match pipe_at {
        Some((i, offset)) => {
            stdin = Some(printf_input(&tokens[..i]).ok_or(CurlError::ShellSyntax {
                syntax: "|".into(),
                offset,
            })?);
            &tokens[i + 1..]
        }
        None => &tokens[..],
    };
    for token in curl_tokens {
        if let Token::Word(w) = token {
            words.push(w.clone());
        }
    }
    let mut words = words.into_iter();
    let first = words.next().ok_or(CurlError::Empty)?;
    let first = String::from_utf8_lossy(&first).into_owned();
    let program = first.rsplit(['/', '\\']).next().unwrap_or_default();
    if !program.eq_ignore_ascii_case("curl") && !program.eq_ignore_ascii_case("curl.exe") {
        return Err(CurlError::NotCurl { first });
    }
    let mut reader = Reader {
        words: words.collect(),
        pos: 0,
    };
    let mut state = State::default();
    while let Some(word) = reader.next_word() {
        if word.len() > 1 && word[0] == b'-' && word.as_slice() != b"-" {
            if word.starts_with(b"--") {
                let name = text(&word);
                apply_option(&name, &mut reader, &mut state, read_file, stdin.as_deref())?;
            } else {
                // A cluster of short options; one taking a value ends it.
                let chars: Vec<char> = text(&word[1..]).chars().collect();
                let mut i = 0;
                while i < chars.len() {
                    let short = format!("-{}", chars[i]);
                    let long = short_to_long(chars[i]).ok_or_else(|| CurlError::UnknownOption {
                        option: short.clone(),
                    })?;
                    if takes_value(long) && i + 1 < chars.len() {
                        let rest: String = chars[i + 1..].iter().collect();
                        reader.push_front(rest.into_bytes());
                        apply_option(long, &mut reader, &mut state, read_file, stdin.as_deref())?;
                        break;
                    }
                    apply_option(long, &mut reader, &mut state, read_file, stdin.as_deref())?;
                    i += 1;
                }
            }
        } else {
            state.url(text(&word))?;
        }
    }
    state.finish()
}

#[derive(Debug, PartialEq, Eq)]
enum Token {
    Word(Vec<u8>),
    /// A `|` outside quotes, at this character offset.
    Pipe(usize),
}

/// POSIX shell word splitting over a single command: quotes, backslashes,
/// line continuations (also with CRLF), `$'...'` and `#` comments. No
/// expansion: `$HOME` stays as typed.
fn tokenize(cmd: &str) -> Result<Vec<Token>, CurlError> {
    let chars: Vec<char> = cmd.chars().collect();
    let mut tokens = Vec::new();
    let mut word: Vec<u8> = Vec::new();
    let mut in_word = false;
    let mut i = 0;
    let push_char = |word: &mut Vec<u8>, c: char| {
        let mut buf = [0u8; 4];
        word.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
    };
    let is_newline_at = |i: usize| {
        chars.get(i) == Some(&'\n')
            || (chars.get(i) == Some(&'\r') && chars.get(i + 1) == Some(&'\n'))
    };
    let newline_len = |i: usize| if chars.get(i) == Some(&'\r') { 2 } else { 1 };
    while i < chars.len() {
        let c = chars[i];
        match c {
            ' ' | '\t' | '\n' | '\r' => {
                if in_word {
                    tokens.push(Token::Word(std::mem::take(&mut word)));
                    in_word = false;
                }
                i += 1;
            }
            '\\' => {
                if is_newline_at(i + 1) {
                    i += 1 + newline_len(i + 1);
                } else {
                    if let Some(&next) = chars.get(i + 1) {
                        push_char(&mut word, next);
                    }
                    in_word = true;
                    i += 2;
                }
            }
            '\'' => {
                let start = i;
                i += 1;
                loop {
                    match chars.get(i) {
                        None => {
                            return Err(CurlError::UnterminatedQuote {
                                quote: "single",
                                offset: start,
                            });
                        }
                        Some('\'') => break,
                        Some(&ch) => push_char(&mut word, ch),
                    }
                    i += 1;
                }
                in_word = true;
                i += 1;
            }
            '"' => {
                i = read_double_quoted(&chars, i, &mut word)?;
                in_word = true;
            }
            '$' if chars.get(i + 1) == Some(&'\'') => {
                i = read_ansi_c(&chars, i, &mut word)?;
                in_word = true;
            }
            '$' if chars.get(i + 1) == Some(&'"') => {
                i = read_double_quoted(&chars, i + 1, &mut word)?;
                in_word = true;
            }
            '#' if !in_word => {
                while i < chars.len() && chars[i] != '\n' {
                    i += 1;
                }
            }
            '|' => {
                if in_word {
                    tokens.push(Token::Word(std::mem::take(&mut word)));
                    in_word = false;
                }
                tokens.push(Token::Pipe(i));
                i += 1;
            }
            ';' | '&' | '<' | '>' | '`' => {
                return Err(CurlError::ShellSyntax {
                    syntax: c.to_string(),
                    offset: i,
                });
            }
            '$' if chars.get(i + 1) == Some(&'(') => {
                return Err(CurlError::ShellSyntax {
                    syntax: "$(".into(),
                    offset: i,
                });
            }
            _ => {
                push_char(&mut word, c);
                in_word = true;
                i += 1;
            }
        }
    }
    if in_word {
        tokens.push(Token::Word(word));
    }
    Ok(tokens)
}

/// Reads `"..."` starting at the opening quote; returns the index after the
/// closing one. Inside, a backslash escapes only `$ \` " \` and a newline.
fn read_double_quoted(chars: &[char], open: usize, word: &mut Vec<u8>) -> Result<usize, CurlError> {
    let mut i = open + 1;
    let mut buf = [0u8; 4];
    loop {
        match chars.get(i) {
            None => {
                return Err(CurlError::UnterminatedQuote {
                    quote: "double",
                    offset: open,
                });
            }
            Some('"') => return Ok(i + 1),
            Some('\\') => match chars.get(i + 1) {
                Some('\n') => i += 2,
                Some('\r') if chars.get(i + 2) == Some(&'\n') => i += 3,
                Some(&next @ ('$' | '`' | '"' | '\\')) => {
                    word.extend_from_slice(next.encode_utf8(&mut buf).as_bytes());
                    i += 2;
                }
                _ => {
                    word.push(b'\\');
                    i += 1;
                }
            },
            Some(&c) => {
                word.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
                i += 1;
            }
        }
    }
}

/// Reads `$'...'` (bash's ANSI-C quoting) starting at the `$`; returns the
/// index after the closing quote. Escapes may produce any byte.
fn read_ansi_c(chars: &[char], dollar: usize, word: &mut Vec<u8>) -> Result<usize, CurlError> {
    let mut i = dollar + 2;
    let mut buf = [0u8; 4];
    let digits = |start: usize, max: usize, radix: u32| -> (u32, usize) {
        let mut value = 0u32;
        let mut n = 0;
        while n < max {
            match chars.get(start + n).and_then(|c| c.to_digit(radix)) {
                Some(d) => {
                    value = value.wrapping_mul(radix).wrapping_add(d);
                    n += 1;
                }
                None => break,
            }
        }
        (value, n)
    };
    loop {
        match chars.get(i) {
            None => {
                return Err(CurlError::UnterminatedQuote {
                    quote: "$'",
                    offset: dollar,
                });
            }
            Some('\'') => return Ok(i + 1),
            Some('\\') => {
                let Some(&e) = chars.get(i + 1) else {
                    return Err(CurlError::UnterminatedQuote {
                        quote: "$'",
                        offset: dollar,
                    });
                };
                i += 2;
                let simple = match e {
                    'a' => Some(0x07),
                    'b' => Some(0x08),
                    'e' | 'E' => Some(0x1b),
                    'f' => Some(0x0c),
                    'n' => Some(b'\n'),
                    'r' => Some(b'\r'),
                    't' => Some(b'\t'),
                    'v' => Some(0x0b),
                    '\\' => Some(b'\\'),
                    '\'' => Some(b'\''),
                    '"' => Some(b'"'),
                    '?' => Some(b'?'),
                    _ => None,
                };
                if let Some(b) = simple {
                    word.push(b);
                    continue;
                }
                match e {
                    '0'..='7' => {
                        let (v, n) = digits(i - 1, 3, 8);
                        // Octal escapes name a byte; bash keeps the low 8 bits.
                        word.push((v & 0xff) as u8);
                        i += n - 1;
                    }
                    'x' => {
                        let (v, n) = digits(i, 2, 16);
                        if n == 0 {
                            word.extend_from_slice(b"\\x");
                        } else {
                            word.push((v & 0xff) as u8);
                            i += n;
                        }
                    }
                    'u' | 'U' => {
                        let (v, n) = digits(i, if e == 'u' { 4 } else { 8 }, 16);
                        match char::from_u32(v).filter(|_| n > 0) {
                            Some(c) => {
                                word.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
                                i += n;
                            }
                            None => {
                                word.push(b'\\');
                                word.extend_from_slice(e.encode_utf8(&mut buf).as_bytes());
                            }
                        }
                    }
                    'c' => {
                        if let Some(&c) = chars.get(i) {
                            word.push((c as u32 & 0x1f) as u8);
                            i += 1;
                        }
                    }
                    other => {
                        word.push(b'\\');
                        word.extend_from_slice(other.encode_utf8(&mut buf).as_bytes());
                    }
                }
            }
            Some(&c) => {
                word.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
                i += 1;
            }
        }
    }
}

/// The bytes `printf '%b' ARG` writes, for the one pipe form export uses.
fn printf_input(tokens: &[Token]) -> Option<Vec<u8>> {
    let [Token::Word(p), Token::Word(fmt), Token::Word(arg)] = tokens else {
        return None;
    };
    if p.as_slice() != b"printf" || fmt.as_slice() != b"%b" {
        return None;
    }
    let mut out = Vec::with_capacity(arg.len());
    let mut i = 0;
    while i < arg.len() {
        if arg[i] == b'\\' && i + 1 < arg.len() {
            match arg[i + 1] {
                b'\\' => {
                    out.push(b'\\');
                    i += 2;
                }
                b'0' => {
                    let mut v: u32 = 0;
                    let mut n = 0;
                    while n < 3 && i + 2 + n < arg.len() && (b'0'..=b'7').contains(&arg[i + 2 + n])
                    {
                        v = v * 8 + u32::from(arg[i + 2 + n] - b'0');
                        n += 1;
                    }
                    out.push((v & 0xff) as u8);
                    i += 2 + n;
                }
                b'n' => {
                    out.push(b'\n');
                    i += 2;
                }
                b't' => {
                    out.push(b'\t');
                    i += 2;
                }
                b'r' => {
                    out.push(b'\r');
                    i += 2;
                }
                _ => {
                    out.push(b'\\');
                    i += 1;
                }
            }
        } else {
            out.push(arg[i]);
            i += 1;
        }
    }
    Some(out)
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

struct Reader {
    words: Vec<Vec<u8>>,
    pos: usize,
}

impl Reader {
    fn next_word(&mut self) -> Option<Vec<u8>> {
        let word = self.words.get(self.pos).cloned();
        self.pos += 1;
        word
    }

    fn push_front(&mut self, word: Vec<u8>) {
        self.words.insert(self.pos, word);
    }

    fn value(&mut self, option: &str) -> Result<Vec<u8>, CurlError> {
        self.next_word().ok_or_else(|| CurlError::MissingValue {
            option: option.to_string(),
        })
    }
}

#[derive(Debug, Default)]
struct State {
    parsed: ParsedCurl,
    url: Option<String>,
    method: Option<String>,
    data: Vec<Vec<u8>>,
    json: bool,
    get: bool,
    head: bool,
    user: Option<String>,
    form: Vec<FormPart>,
    url_query: Vec<String>,
    extra_headers: Vec<(String, String)>,
    /// Headers removed with `-H 'Name:'`.
    removed: Vec<String>,
}

#[derive(Debug)]
struct FormPart {
    name: String,
    value: Vec<u8>,
    filename: Option<String>,
    content_type: Option<String>,
}

impl State {
    fn url(&mut self, url: String) -> Result<(), CurlError> {
        match &self.url {
            Some(first) => Err(CurlError::SeveralUrls {
                first: first.clone(),
                second: url,
            }),
            None => {
                self.url = Some(url);
                Ok(())
            }
        }
    }

    fn add_header(&mut self, raw: &str) -> Result<(), CurlError> {
        if let Some(name) = raw.strip_suffix(';')
            && !name.contains(':')
        {
            self.parsed
                .headers
                .push((name.trim().to_string(), String::new()));
            return Ok(());
        }
        let Some((name, value)) = raw.split_once(':') else {
            return Err(CurlError::BadHeader {
                header: raw.to_string(),
            });
        };
        let name = name.trim().to_string();
        let value = value.trim_matches([' ', '\t', '\r', '\n']).to_string();
        if value.is_empty() {
            self.parsed
                .headers
                .retain(|(n, _)| !n.eq_ignore_ascii_case(&name));
            self.removed.push(name);
        } else {
            self.parsed.headers.push((name, value));
        }
        Ok(())
    }

    fn has_header(&self, name: &str) -> bool {
        self.parsed
            .headers
            .iter()
            .chain(&self.extra_headers)
            .any(|(n, _)| n.eq_ignore_ascii_case(name))
            || self.removed.iter().any(|n| n.eq_ignore_ascii_case(name))
    }

    fn finish(mut self) -> Result<ParsedCurl, CurlError> {
        let mut url = self.url.take().ok_or(CurlError::MissingUrl)?;
        if !url.contains("://") {
            // curl's own default.
            url = format!("http://{url}");
        }
        let mut query: Vec<String> = std::mem::take(&mut self.url_query);
        let data = if self.data.is_empty() {
            None
        } else {
            let sep: &[u8] = if self.json { b"" } else { b"&" };
            Some(self.data.join(sep))
        };
        let mut body = None;
        match data {
            Some(d) if self.get => query.push(text(&d)),
            Some(d) => body = Some(d),
            None => {}
        }
        if !query.is_empty() {
            let (base, fragment) = match url.split_once('#') {
                Some((b, f)) => (b.to_string(), Some(f.to_string())),
                None => (url.clone(), None),
            };
            let sep = if base.contains('?') { '&' } else { '?' };
            url = format!("{base}{sep}{}", query.join("&"));
            if let Some(f) = fragment {
                url.push('#');
                url.push_str(&f);
            }
        }
        if let Err(e) = url::Url::parse(&url) {
            return Err(CurlError::InvalidUrl {
                url,
                message: e.to_string(),
            });
        }
        if let Some(user) = self.user.take()
            && !self.has_header("authorization")
        {
            let encoded = base64::engine::general_purpose::STANDARD.encode(user.as_bytes());
            self.extra_headers
                .push(("Authorization".into(), format!("Basic {encoded}")));
        }
        if !self.form.is_empty() {
            let (content_type, bytes) = multipart(&self.form);
            if !self.has_header("content-type") {
                self.extra_headers
                    .push(("Content-Type".into(), content_type));
            }
            body = Some(bytes);
        } else if body.is_some() && !self.has_header("content-type") {
            let ct = if self.json {
                "application/json"
            } else {
                "application/x-www-form-urlencoded"
            };
            self.extra_headers.push(("Content-Type".into(), ct.into()));
        }
        if self.json && !self.has_header("accept") {
            self.extra_headers
                .push(("Accept".into(), "application/json".into()));
        }
        let method = match self.method.take() {
            Some(m) => m,
            None if self.head => "HEAD".into(),
            None if body.is_some() => "POST".into(),
            None => "GET".into(),
        };
        let mut parsed = self.parsed;
        parsed.headers.extend(self.extra_headers);
        parsed.method = method;
        parsed.url = url;
        parsed.body = body;
        Ok(parsed)
    }
}

fn multipart(parts: &[FormPart]) -> (String, Vec<u8>) {
    // Deterministic, so an import gives the same bytes twice; lengthened
    // until no part contains it.
    let mut boundary = String::from("------------------------portico");
    while parts.iter().any(|p| {
        p.value
            .windows(boundary.len())
            .any(|w| w == boundary.as_bytes())
    }) {
        boundary.push('x');
    }
    let mut body = Vec::new();
    for part in parts {
        body.extend_from_slice(format!("--{boundary}\r\n").as_bytes());
        let mut disposition = format!("Content-Disposition: form-data; name=\"{}\"", part.name);
        if let Some(f) = &part.filename {
            disposition.push_str(&format!("; filename=\"{f}\""));
        }
        body.extend_from_slice(disposition.as_bytes());
        body.extend_from_slice(b"\r\n");
        if let Some(ct) = &part.content_type {
            body.extend_from_slice(format!("Content-Type: {ct}\r\n").as_bytes());
        }
        body.extend_from_slice(b"\r\n");
        body.extend_from_slice(&part.value);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

fn short_to_long(c: char) -> Option<&'static str> {
    Some(match c {
        'X' => "--request",
        'H' => "--header",
        'd' => "--data",
        'F' => "--form",
        'u' => "--user",
        'A' => "--user-agent",
        'e' => "--referer",
        'b' => "--cookie",
        'G' => "--get",
        'I' => "--head",
        'k' => "--insecure",
        'g' => "--globoff",
        'L' => "--location",
        's' => "--silent",
        'S' => "--show-error",
        'v' => "--verbose",
        'i' => "--include",
        'f' => "--fail",
        'N' => "--no-buffer",
        'o' => "--output",
        'O' => "--remote-name",
        'J' => "--remote-header-name",
        'R' => "--remote-time",
        'm' => "--max-time",
        'w' => "--write-out",
        'x' => "--proxy",
        'U' => "--proxy-user",
        'E' => "--cert",
        'c' => "--cookie-jar",
        'D' => "--dump-header",
        'r' => "--range",
        'T' => "--upload-file",
        'K' => "--config",
        'z' => "--time-cond",
        'Y' => "--speed-limit",
        'y' => "--speed-time",
        'Z' => "--parallel",
        'j' => "--junk-session-cookies",
        'n' => "--netrc",
        'p' => "--proxytunnel",
        'q' => "--disable",
        '#' => "--progress-bar",
        '0' => "--http1.0",
        '1' => "--tlsv1",
        '2' => "--sslv2",
        '3' => "--sslv3",
        '4' => "--ipv4",
        '6' => "--ipv6",
        _ => return None,
    })
}

/// Options with a value that do not change the request itself.
const IGNORED_WITH_VALUE: &[&str] = &[
    "--output",
    "--max-time",
    "--connect-timeout",
    "--retry",
    "--retry-delay",
    "--retry-max-time",
    "--write-out",
    "--proxy",
    "--proxy-user",
    "--cacert",
    "--capath",
    "--cert",
    "--key",
    "--cert-type",
    "--key-type",
    "--pass",
    "--cookie-jar",
    "--dump-header",
    "--resolve",
    "--connect-to",
    "--limit-rate",
    "--max-redirs",
    "--interface",
    "--dns-servers",
    "--trace",
    "--trace-ascii",
    "--stderr",
    "--expect100-timeout",
    "--tls-max",
    "--ciphers",
    "--pinnedpubkey",
    "--noproxy",
    "--local-port",
    "--keepalive-time",
    "--max-filesize",
    "--unix-socket",
    "--abstract-unix-socket",
    "--speed-limit",
    "--speed-time",
    "--happy-eyeballs-timeout-ms",
    "--doh-url",
    "--proto",
    "--proto-redir",
    "--proto-default",
    "--hsts",
    "--alt-svc",
    "--etag-save",
    "--etag-compare",
    "--create-file-mode",
    "--output-dir",
    "--time-cond",
    "--ssl-sessions",
    "--ip-tos",
    "--curves",
];

/// Switches that do not change the request itself.
const IGNORED_SWITCHES: &[&str] = &[
    "--silent",
    "--show-error",
    "--verbose",
    "--include",
    "--location",
    "--location-trusted",
    "--fail",
    "--fail-with-body",
    "--fail-early",
    "--no-buffer",
    "--http1.0",
    "--http1.1",
    "--http2",
    "--http2-prior-knowledge",
    "--http3",
    "--http3-only",
    "--ipv4",
    "--ipv6",
    "--tlsv1",
    "--tlsv1.0",
    "--tlsv1.1",
    "--tlsv1.2",
    "--tlsv1.3",
    "--sslv2",
    "--sslv3",
    "--raw",
    "--progress-bar",
    "--disable",
    "--remote-name",
    "--remote-name-all",
    "--remote-header-name",
    "--remote-time",
    "--parallel",
    "--path-as-is",
    "--tr-encoding",
    "--globoff",
    "--junk-session-cookies",
    "--tcp-nodelay",
    "--tcp-fastopen",
    "--ssl",
    "--ssl-reqd",
    "--netrc",
    "--netrc-optional",
    "--anyauth",
    "--basic",
    "--styled-output",
    "--create-dirs",
    "--suppress-connect-headers",
    "--proxy-insecure",
    "--retry-all-errors",
    "--retry-connrefused",
    "--xattr",
    "--cert-status",
    "--doh-insecure",
    "--ssl-no-revoke",
    "--ssl-revoke-best-effort",
    "--ssl-allow-beast",
    "--proxytunnel",
    "--post301",
    "--post302",
    "--post303",
    "--ignore-content-length",
    "--disallow-username-in-url",
];

fn takes_value(long: &str) -> bool {
    matches!(
        long,
        "--request"
            | "--header"
            | "--data"
            | "--data-ascii"
            | "--data-binary"
            | "--data-raw"
            | "--data-urlencode"
            | "--json"
            | "--form"
            | "--form-string"
            | "--user"
            | "--user-agent"
            | "--referer"
            | "--cookie"
            | "--url"
            | "--url-query"
            | "--range"
            | "--oauth2-bearer"
            | "--upload-file"
            | "--config"
    ) || IGNORED_WITH_VALUE.contains(&long)
}

fn apply_option(
    option: &str,
    reader: &mut Reader,
    state: &mut State,
    read_file: &dyn Fn(&str) -> std::io::Result<Vec<u8>>,
    stdin: Option<&[u8]>,
) -> Result<(), CurlError> {
    let load = |path: &str, option: &str| -> Result<Vec<u8>, CurlError> {
        if path == "-" {
            return stdin
                .map(<[u8]>::to_vec)
                .ok_or_else(|| CurlError::Unsupported {
                    option: option.to_string(),
                    why: "it reads standard input".into(),
                });
        }
        read_file(path).map_err(|e| CurlError::ReadFile {
            path: path.to_string(),
            option: option.to_string(),
            message: e.to_string(),
        })
    };
    match option {
        "--request" => state.method = Some(text(&reader.value(option)?)),
        "--header" => {
            let value = text(&reader.value(option)?);
            if value.starts_with('@') {
                return Err(CurlError::Unsupported {
                    option: option.into(),
                    why: "headers from a file".into(),
                });
            }
            state.add_header(&value)?;
        }
        "--data" | "--data-ascii" | "--data-binary" | "--json" => {
            let value = reader.value(option)?;
            let data = match value.strip_prefix(b"@") {
                Some(path) => {
                    let mut data = load(&text(path), option)?;
                    // Only `-d @file` loses the file's line breaks.
                    if matches!(option, "--data" | "--data-ascii") {
                        data.retain(|b| *b != b'\r' && *b != b'\n');
                    }
                    data
                }
                None => value,
            };
            if option == "--json" {
                state.json = true;
            }
            state.data.push(data);
        }
        "--data-raw" => {
            let value = reader.value(option)?;
            state.data.push(value);
        }
        "--data-urlencode" => {
            let value = text(&reader.value(option)?);
            state
                .data
                .push(urlencode_arg(&value, option, &load)?.into_bytes());
        }
        "--url-query" => {
            let value = text(&reader.value(option)?);
            match value.strip_prefix('+') {
                Some(raw) => state.url_query.push(raw.to_string()),
                None => state.url_query.push(urlencode_arg(&value, option, &load)?),
            }
        }
        "--form" | "--form-string" => {
            let value = text(&reader.value(option)?);
            let part = form_part(&value, option == "--form-string", option, &load)?;
            state.form.push(part);
        }
        "--user" => state.user = Some(text(&reader.value(option)?)),
        "--oauth2-bearer" => {
            let token = text(&reader.value(option)?);
            state
                .extra_headers
                .push(("Authorization".into(), format!("Bearer {token}")));
        }
        "--user-agent" => {
            let value = text(&reader.value(option)?);
            state.extra_headers.push(("User-Agent".into(), value));
        }
        "--referer" => {
            let value = text(&reader.value(option)?);
            let value = value.trim_end_matches(";auto").to_string();
            state.extra_headers.push(("Referer".into(), value));
        }
        "--cookie" => {
            let value = text(&reader.value(option)?);
            if !value.contains('=') {
                return Err(CurlError::Unsupported {
                    option: option.into(),
                    why: format!("`{value}` is a cookie file; give the cookies as `name=value`"),
                });
            }
            state.extra_headers.push(("Cookie".into(), value));
        }
        "--range" => {
            let value = text(&reader.value(option)?);
            state
                .extra_headers
                .push(("Range".into(), format!("bytes={value}")));
        }
        "--url" => {
            let value = text(&reader.value(option)?);
            state.url(value)?;
        }
        "--get" => state.get = true,
        "--head" => state.head = true,
        "--compressed" => state.parsed.compressed = true,
        "--insecure" => state.parsed.insecure = true,
        "--upload-file" | "--config" => {
            return Err(CurlError::Unsupported {
                option: option.into(),
                why: "it reads the request from a file".into(),
            });
        }
        other if IGNORED_WITH_VALUE.contains(&other) => {
            let value = text(&reader.value(other)?);
            state.parsed.ignored.push(format!("{other} {value}"));
        }
        other if IGNORED_SWITCHES.contains(&other) || other.starts_with("--no-") => {
            state.parsed.ignored.push(other.to_string());
        }
        other => {
            return Err(CurlError::UnknownOption {
                option: other.to_string(),
            });
        }
    }
    Ok(())
}

/// Reads `@file` arguments: (path, option) -> bytes.
type Loader<'a> = dyn Fn(&str, &str) -> Result<Vec<u8>, CurlError> + 'a;

/// `--data-urlencode` forms: `content`, `=content`, `name=content`,
/// `@file`, `name@file`.
fn urlencode_arg(value: &str, option: &str, load: &Loader<'_>) -> Result<String, CurlError> {
    let at = value.find('@');
    let eq = value.find('=');
    Ok(match (eq, at) {
        (Some(e), Some(a)) if a < e => {
            let (name, path) = (&value[..a], &value[a + 1..]);
            let content = text(&load(path, option)?);
            format_pair(name, &content)
        }
        (Some(e), _) => format_pair(&value[..e], &value[e + 1..]),
        (None, Some(a)) => {
            let (name, path) = (&value[..a], &value[a + 1..]);
            let content = text(&load(path, option)?);
            format_pair(name, &content)
        }
        (None, None) => enc(value),
    })
}

fn format_pair(name: &str, content: &str) -> String {
    if name.is_empty() {
        enc(content)
    } else {
        format!("{name}={}", enc(content))
    }
}

fn form_part(
    value: &str,
    literal: bool,
    option: &str,
    load: &Loader<'_>,
) -> Result<FormPart, CurlError> {
    let (name, rest) = value
        .split_once('=')
        .ok_or_else(|| CurlError::Unsupported {
            option: option.into(),
            why: format!("`{value}` is not `name=value`"),
        })?;
    let mut part = FormPart {
        name: name.to_string(),
        value: Vec::new(),
        filename: None,
        content_type: None,
    };
    if literal {
        part.value = rest.as_bytes().to_vec();
        return Ok(part);
    }
    // `;type=` and `;filename=` follow the value.
    let mut pieces = rest.split(';');
    let head = pieces.next().unwrap_or_default();
    for piece in pieces {
        if let Some(t) = piece.strip_prefix("type=") {
            part.content_type = Some(t.to_string());
        } else if let Some(f) = piece.strip_prefix("filename=") {
            part.filename = Some(f.trim_matches('"').to_string());
        }
    }
    if let Some(path) = head.strip_prefix('@') {
        part.value = load(path, option)?;
        if part.filename.is_none() {
            part.filename = Some(path.rsplit(['/', '\\']).next().unwrap_or(path).to_string());
        }
        if part.content_type.is_none() {
            part.content_type = Some(guess_type(path).into());
        }
    } else if let Some(path) = head.strip_prefix('<') {
        part.value = load(path, option)?;
    } else {
        part.value = head.as_bytes().to_vec();
    }
    Ok(part)
}

/// curl's own guess for a file part's type, by extension.
fn guess_type(path: &str) -> &'static str {
    let ext = path
        .rsplit('.')
        .next()
        .unwrap_or_default()
        .to_ascii_lowercase();
    match ext.as_str() {
        "txt" => "text/plain",
        "html" | "htm" => "text/html",
        "json" => "application/json",
        "xml" => "application/xml",
        "csv" => "text/csv",
        "gif" => "image/gif",
        "jpg" | "jpeg" => "image/jpeg",
        "png" => "image/png",
        "svg" => "image/svg+xml",
        "pdf" => "application/pdf",
        _ => "application/octet-stream",
    }
}

/// An operation an imported URL fits, and how well.
struct Candidate {
    api: usize,
    op: usize,
    server: usize,
    /// Literal characters matched (doubled), plus one on the same origin.
    score: usize,
    server_url: Option<String>,
    /// Path placeholder values, still percent-encoded.
    captures: Vec<(String, String)>,
}

/// Matches an imported command to a catalog operation: the URL must start
/// with one of the API's servers (variables at their defaults) and the rest
/// must fit the operation's path template; failing that, a URL on another
/// host whose path ends with server path + template (the same API deployed
/// elsewhere) matches with `server_url` set. The most literal template
/// wins. Returns indexes into `catalog.apis` and its `operations`.
pub fn draft_from_curl(catalog: &Catalog, parsed: &ParsedCurl) -> Option<(usize, usize, Draft)> {
    let url = url::Url::parse(&parsed.url).ok()?;
    let origin = url.origin().ascii_serialization();
    let path = url.path().to_string();
    let mut best: Option<Candidate> = None;
    for (ai, api) in catalog.apis.iter().enumerate() {
        for (si, server) in api.servers.iter().enumerate() {
            let base = server_default(server);
            let Ok(base_url) = url::Url::parse(&base) else {
                continue;
            };
            let base_path = base_url.path().trim_end_matches('/').to_string();
            let same_origin = base_url.origin().ascii_serialization() == origin;
            for (oi, op) in api.operations.iter().enumerate() {
                if !op.method.eq_ignore_ascii_case(&parsed.method) {
                    continue;
                }
                let template = op.path.split('?').next().unwrap_or_default();
                let full = format!("{base_path}{template}");
                let (rest_ok, server_url) = if same_origin {
                    (match_template(&full, &path), None)
                } else {
                    // Another host: the template must match a suffix.
                    let mut found = None;
                    let segments: Vec<&str> = path.split('/').collect();
                    for cut in 0..segments.len() {
                        let tail = segments[cut..].join("/");
                        let tail = if tail.starts_with('/') {
                            tail
                        } else {
                            format!("/{tail}")
                        };
                        if let Some(captures) = match_template(&full, &tail) {
                            let prefix = segments[..cut].join("/");
                            found = Some((captures, format!("{origin}{prefix}{base_path}")));
                            break;
                        }
                    }
                    match found {
                        Some((c, s)) => (Some(c), Some(s)),
                        None => (None, None),
                    }
                };
                let Some(captures) = rest_ok else {
                    continue;
                };
                let score = template
                    .len()
                    .saturating_sub(captures.iter().map(|(n, _)| n.len() + 2).sum::<usize>());
                let score = score * 2 + usize::from(server_url.is_none());
                if best.as_ref().is_none_or(|b| score > b.score) {
                    best = Some(Candidate {
                        api: ai,
                        op: oi,
                        server: si,
                        score,
                        server_url,
                        captures,
                    });
                }
            }
        }
    }
    let Candidate {
        api: ai,
        op: oi,
        server: si,
        server_url,
        captures,
        ..
    } = best?;
    let (api, op) = catalog.operation((ai, oi));
    let mut draft = Draft::new(api, op, &Vars::default());
    draft.server = si;
    draft.server_url = server_url;
    for p in &mut draft.params {
        p.value.clear();
    }
    let decode = |s: &str| {
        percent_encoding::percent_decode_str(s)
            .decode_utf8_lossy()
            .into_owned()
    };
    for (name, value) in captures {
        if let Some(p) = draft
            .params
            .iter_mut()
            .find(|p| p.location == ParamLocation::Path && p.name == name)
        {
            p.value = decode(&value);
        }
    }
    let auth_scheme = |kind: &dyn Fn(&SecurityKind) -> bool| {
        api.security_schemes
            .iter()
            .find(|s| kind(&s.kind))
            .map(|s| s.name.clone())
    };
    for (name, value) in url.query_pairs() {
        let (name, value) = (name.into_owned(), value.into_owned());
        let key_scheme = auth_scheme(
            &|k| matches!(k, SecurityKind::ApiKey { param, location: ParamLocation::Query } if *param == name),
        );
        if let Some(scheme) = key_scheme {
            set_auth(&mut draft, &scheme, value, String::new());
        } else if let Some(p) = draft
            .params
            .iter_mut()
            .find(|p| p.location == ParamLocation::Query && p.name == name && p.value.is_empty())
        {
            p.value = value;
        } else {
            draft.extra_query.push(Row {
                name,
                value,
                enabled: true,
            });
        }
    }
    let mut headers = Vec::new();
    for (name, value) in &parsed.headers {
        let key_scheme = auth_scheme(
            &|k| matches!(k, SecurityKind::ApiKey { param, location: ParamLocation::Header } if param.eq_ignore_ascii_case(name)),
        );
        if let Some(scheme) = key_scheme {
            set_auth(&mut draft, &scheme, value.clone(), String::new());
            continue;
        }
        if name.eq_ignore_ascii_case("authorization") {
            if let Some(token) = strip_word(value, "bearer")
                && let Some(scheme) = auth_scheme(&|k| {
                    matches!(k, SecurityKind::Bearer { .. } | SecurityKind::OAuth2 { .. })
                })
            {
                set_auth(&mut draft, &scheme, token.to_string(), String::new());
                continue;
            }
            if let Some(encoded) = strip_word(value, "basic") {
                let decoded = base64::engine::general_purpose::STANDARD
                    .decode(encoded.trim())
                    .ok()
                    .and_then(|b| String::from_utf8(b).ok());
                if let (Some(scheme), Some((user, pass))) = (
                    auth_scheme(&|k| matches!(k, SecurityKind::Basic)),
                    decoded.as_deref().and_then(|d| d.split_once(':')),
                ) {
                    set_auth(&mut draft, &scheme, pass.to_string(), user.to_string());
                    continue;
                }
            }
        }
        if let Some(p) = draft
            .params
            .iter_mut()
            .find(|p| p.location == ParamLocation::Header && p.name.eq_ignore_ascii_case(name))
        {
            p.value.clone_from(value);
            continue;
        }
        if name.eq_ignore_ascii_case("content-type") {
            draft.content_type = Some(value.clone());
        }
        headers.push(Row {
            name: name.clone(),
            value: value.clone(),
            enabled: true,
        });
    }
    draft.headers = headers;
    draft.body = parsed
        .body
        .as_ref()
        .map(|b| String::from_utf8_lossy(b).into_owned())
        .unwrap_or_default();
    if draft.body.is_empty() {
        draft.content_type = None;
    }
    Some((ai, oi, draft))
}

fn strip_word<'v>(value: &'v str, word: &str) -> Option<&'v str> {
    let (w, rest) = value.split_once(' ')?;
    w.eq_ignore_ascii_case(word).then_some(rest.trim())
}

fn set_auth(draft: &mut Draft, scheme: &str, value: String, username: String) {
    match draft.auth.iter_mut().find(|a| a.scheme == scheme) {
        Some(a) => {
            a.value = value;
            a.username = username;
        }
        None => draft.auth.push(AuthValue {
            scheme: scheme.to_string(),
            value,
            username,
        }),
    }
}

/// A server URL with its variables at their defaults.
fn server_default(server: &crate::catalog::Server) -> String {
    let mut out = server.url.clone();
    for (name, var) in &server.variables {
        out = out.replace(&format!("{{{name}}}"), &var.default);
    }
    out
}

/// Matches a path against a template segment by segment; a placeholder
/// matches a non-empty run within its segment. Returns the captures.
fn match_template(template: &str, path: &str) -> Option<Vec<(String, String)>> {
    let t: Vec<&str> = template.trim_end_matches('/').split('/').collect();
    let p: Vec<&str> = path.trim_end_matches('/').split('/').collect();
    if t.len() != p.len() {
        return None;
    }
    let mut captures = Vec::new();
    for (ts, ps) in t.iter().zip(&p) {
        match_segment(ts, ps, &mut captures)?;
    }
    Some(captures)
}

fn match_segment(
    template: &str,
    segment: &str,
    captures: &mut Vec<(String, String)>,
) -> Option<()> {
    let Some(open) = template.find('{') else {
        return (template == segment).then_some(());
    };
    let close = open + template[open..].find('}')?;
    let (prefix, name, suffix) = (
        &template[..open],
        &template[open + 1..close],
        &template[close + 1..],
    );
    let rest = segment.strip_prefix(prefix)?;
    // The literal after the placeholder (up to the next one) bounds it.
    let literal_end = suffix.find('{').unwrap_or(suffix.len());
    let literal = &suffix[..literal_end];
    let end = if literal.is_empty() {
        if literal_end == suffix.len() {
            rest.len()
        } else {
            return None;
        }
    } else {
        rest.find(literal)?
    };
    if end == 0 {
        return None;
    }
    captures.push((name.to_string(), rest[..end].to_string()));
    match_segment(suffix, &rest[end..], captures)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(cmd: &str) -> Vec<Vec<u8>> {
        tokenize(cmd)
            .expect("tokenizes")
            .into_iter()
            .filter_map(|t| match t {
                Token::Word(w) => Some(w),
                Token::Pipe(_) => None,
            })
            .collect()
    }

    #[test]
    fn ansi_c_escapes() {
        let cases: [(&str, &[u8]); 10] = [
            (r"$'a\nb\tc'", b"a\nb\tc"),
            (r"$'it\'s'", b"it's"),
            (r"$'\x41\x4a\x0'", b"AJ\0"),
            (r"$'\101\0'", b"A\0"),
            (r"$'\u00e9\U0001F600'", "é😀".as_bytes()),
            (r"$'\xff\xfe'", &[0xff, 0xfe]),
            (r"$'\cA\e\\'", &[1, 0x1b, b'\\']),
            (r"$'\q'", br"\q"),
            (r#"$'a'"b"'c'd"#, b"abcd"),
            (r#""\$x \"q\" \a""#, br#"$x "q" \a"#),
        ];
        for (input, want) in cases {
            assert_eq!(words(input), vec![want.to_vec()], "{input}");
        }
    }

    #[test]
    fn words_continuations_and_comments() {
        assert_eq!(
            words("curl \\\n  -H 'a: b' # a comment\n  x\\ y"),
            vec![
                b"curl".to_vec(),
                b"-H".to_vec(),
                b"a: b".to_vec(),
                b"x y".to_vec()
            ]
        );
        assert_eq!(words("a\"b\\\nc\"d"), vec![b"abcd".to_vec()]);
        assert!(matches!(
            tokenize("$'x"),
            Err(CurlError::UnterminatedQuote {
                quote: "$'",
                offset: 0
            })
        ));
    }

    #[test]
    fn printf_pipe_round_trip() {
        let bytes: Vec<u8> = (0..=255).collect();
        let escaped = printf_escape(&bytes);
        let tokens = vec![
            Token::Word(b"printf".to_vec()),
            Token::Word(b"%b".to_vec()),
            Token::Word(escaped.into_bytes()),
        ];
        assert_eq!(printf_input(&tokens), Some(bytes));
    }

    #[test]
    fn template_matching() {
        assert_eq!(
            match_template("/a/{id}.json/b", "/a/42.json/b"),
            Some(vec![("id".into(), "42".into())])
        );
        assert_eq!(match_template("/a/{id}", "/a/"), None);
        assert_eq!(
            match_template("/a/{x}-{y}", "/a/1-2"),
            Some(vec![("x".into(), "1".into()), ("y".into(), "2".into())])
        );
        assert_eq!(match_template("/a/b", "/a/c"), None);
    }
}

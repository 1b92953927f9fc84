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

use thiserror::Error;

use crate::request::{BuiltRequest, FormField};
use crate::secrets::is_secret_name;

mod export;
mod matching;
mod options;
mod shell;

pub(crate) use export::printf_escape;
pub use export::{shell_quote, to_curl};
pub use matching::draft_from_curl;
pub(super) use matching::server_default;

use options::{Reader, State, apply_option, short_to_long, takes_value};
use shell::{Token, printf_input, tokenize};

/// A curl command read back: what curl would send.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ParsedCurl {
    pub method: String,
    pub url: String,
    /// In command order; headers curl adds by itself (User-Agent, Accept,
    /// Host) are not listed unless the command sets them.
    pub headers: Vec<(String, String)>,
    pub body: Option<Vec<u8>>,
    /// A multipart body's `-F` fields as given (a file by its path), for
    /// a draft to keep the form rather than its bytes; empty otherwise.
    pub form: Vec<FormField>,
    /// The file the whole body is (`--data-binary @FILE`, `-T FILE`), by
    /// the path as given, for a draft to send the file rather than a copy
    /// of its bytes as text.
    pub body_file: Option<String>,
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
            form: self.form.clone(),
            body_file: self.body_file.clone(),
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

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

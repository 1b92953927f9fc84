//! What one send produced: the request exactly as it went out (last hop),
//! the redirect hops, the response as received (headers untouched, body
//! decompressed), and the timings.

use std::path::PathBuf;
use std::time::Duration;

use bytes::Bytes;

/// A completed request/response pair.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Exchange {
    /// The request as sent on the final hop.
    pub request: SentRequest,
    /// Every redirect followed, in order; empty when none.
    pub redirects: Vec<Hop>,
    pub response: Response,
    pub timing: Timing,
}

/// The request as it went out: the caller's headers plus those the engine
/// added (`User-Agent`, `Accept`, `Accept-Encoding`, and the transport's
/// `Host` on HTTP/1 and `Content-Length` when there is a body).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SentRequest {
    pub method: String,
    pub url: String,
    pub headers: Vec<(String, String)>,
    pub body: Option<Vec<u8>>,
}

/// One redirect followed: `url` answered `status` and sent us to `location`
/// (absolute, resolved against `url`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hop {
    pub status: u16,
    pub url: String,
    pub location: String,
    /// The method used for that hop's request.
    pub method: String,
}

/// The response as received.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Response {
    /// `HTTP/1.0`, `HTTP/1.1`, `HTTP/2` or `HTTP/3`.
    pub version: String,
    pub status: u16,
    /// The reason phrase the server sent (HTTP/1), else the standard one
    /// for the code; empty for unknown codes over HTTP/2.
    pub reason: String,
    /// In the order received, repeats kept. Header names are lower case
    /// (HTTP/2 requires it; HTTP/1 names are case-insensitive). Values that
    /// are not UTF-8 are shown lossily. Lines with the same name keep their
    /// relative order; different names are listed in order of first
    /// appearance.
    pub headers: Vec<(String, String)>,
    /// The body, decompressed, at most `body_cap` bytes; empty when the body
    /// went to `saved_to`.
    pub body: Bytes,
    /// The body was longer than `body_cap`: reading stopped there and the
    /// connection was dropped, so `size` counts what was read until then,
    /// not the whole body (use `save_to` for that).
    pub truncated: bool,
    /// Body bytes received after decompression (written to the file when
    /// `saved_to` is set).
    pub size: u64,
    /// Body bytes received on the wire (before decompression).
    pub wire_size: u64,
    /// The `Content-Encoding` that was decoded, if any (`gzip`, `br`,
    /// `deflate`). An encoding the engine does not know is left as received
    /// and not listed here.
    pub decoded_from: Option<String>,
    /// Where the whole body was written, when `save_to` was given.
    pub saved_to: Option<PathBuf>,
}

impl Response {
    /// The first value of a header, by case-insensitive name.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// Every value of a header, in order.
    pub fn header_all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.headers
            .iter()
            .filter(move |(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The `Content-Type` header, if present.
    pub fn content_type(&self) -> Option<&str> {
        self.header("content-type")
    }

    /// The media type alone, lower case, without parameters
    /// (`application/json` for `Application/JSON; charset=utf-8`).
    pub fn media_type(&self) -> Option<String> {
        self.content_type().map(|ct| {
            ct.split(';')
                .next()
                .unwrap_or_default()
                .trim()
                .to_ascii_lowercase()
        })
    }

    /// Whether the content type says JSON (`application/json`,
    /// `application/problem+json`, `text/json`...). It says nothing about
    /// whether the body parses.
    pub fn is_json(&self) -> bool {
        self.media_type().is_some_and(|mt| {
            mt == "application/json" || mt == "text/json" || mt.ends_with("+json")
        })
    }

    /// The `charset` parameter of the `Content-Type`, lower case, unquoted.
    pub fn charset(&self) -> Option<String> {
        self.content_type()?.split(';').skip(1).find_map(|param| {
            let (name, value) = param.split_once('=')?;
            name.trim()
                .eq_ignore_ascii_case("charset")
                .then(|| value.trim().trim_matches('"').to_ascii_lowercase())
        })
    }

    /// The body as text in the charset the server declared (a byte-order
    /// mark wins; UTF-8 when none is declared or the label is unknown), with
    /// bytes that do not decode replaced by U+FFFD and `lossy` set.
    pub fn body_text(&self) -> BodyText<'_> {
        let declared = self
            .charset()
            .and_then(|label| encoding_rs::Encoding::for_label(label.as_bytes()));
        let encoding = declared.unwrap_or(encoding_rs::UTF_8);
        let (text, used, lossy) = encoding.decode(&self.body);
        BodyText {
            text,
            encoding: used.name(),
            lossy,
        }
    }

    /// Whether the body held in memory is valid UTF-8.
    pub fn is_utf8(&self) -> bool {
        std::str::from_utf8(&self.body).is_ok()
    }

    /// The body as text, invalid UTF-8 replaced by U+FFFD.
    pub fn body_text_lossy(&self) -> std::borrow::Cow<'_, str> {
        String::from_utf8_lossy(&self.body)
    }

    /// `200 OK`, `418 I'm a teapot`.
    pub fn status_line(&self) -> String {
        if self.reason.is_empty() {
            self.status.to_string()
        } else {
            format!("{} {}", self.status, self.reason)
        }
    }
}

/// A body decoded to text; see [`Response::body_text`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BodyText<'a> {
    pub text: std::borrow::Cow<'a, str>,
    /// The encoding used (`UTF-8`, `windows-1252`...).
    pub encoding: &'static str,
    /// Some bytes did not decode and were replaced.
    pub lossy: bool,
}

/// Times measured from the start of the send (redirects included).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Timing {
    /// Until the final response's headers arrived.
    pub headers: Duration,
    /// Until the body was read completely (or up to the cap).
    pub total: Duration,
}

//! Why a send failed: a [`RequestError`] with its [`ErrorKind`], the URL, the
//! time spent, and one readable line; plus the mapping from reqwest/hyper/io
//! errors onto those kinds.

use std::error::Error as StdError;
use std::fmt;
use std::io;
use std::time::Duration;

use thiserror::Error;

/// What went wrong, coarse enough for a UI to pick an icon or an exit code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorKind {
    /// The request itself cannot be sent: bad URL, method or header.
    InvalidRequest,
    /// The TCP connection could not be made (refused, unreachable).
    Connect,
    /// The host name did not resolve.
    Dns,
    /// The TLS handshake failed (certificate, protocol).
    Tls,
    /// The per-request timeout elapsed.
    Timeout,
    /// The server closed the connection before the response was complete.
    ConnectionClosed,
    /// The connection was reset before the response was complete.
    Reset,
    /// The server answered something that is not valid HTTP, or headers
    /// beyond the limits (too many, too large).
    InvalidResponse,
    /// The body could not be decompressed (bad gzip, deflate or brotli).
    Decode,
    /// More redirects than allowed.
    TooManyRedirects,
    /// A redirect leads back to a URL already visited.
    RedirectLoop,
    /// The caller cancelled the request.
    Cancelled,
    /// Writing the body to the `save_to` file failed.
    Io,
}

impl ErrorKind {
    /// A short lower-case label, the start of every error line.
    pub fn label(self) -> &'static str {
        match self {
            Self::InvalidRequest => "invalid request",
            Self::Connect => "connection failed",
            Self::Dns => "DNS lookup failed",
            Self::Tls => "TLS handshake failed",
            Self::Timeout => "timed out",
            Self::ConnectionClosed => "connection closed",
            Self::Reset => "connection reset",
            Self::InvalidResponse => "invalid response",
            Self::Decode => "cannot decode body",
            Self::TooManyRedirects => "too many redirects",
            Self::RedirectLoop => "redirect loop",
            Self::Cancelled => "cancelled",
            Self::Io => "cannot save body",
        }
    }
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// A request that did not produce a response. `message` says what happened
/// in words (it starts with the kind's label), `url` is the URL being
/// fetched when it happened (secrets masked), `elapsed` the time since the
/// send began.
///
/// Displays as one line: `connection refused: http://127.0.0.1:9/x (after 2 ms)`.
#[derive(Debug, Clone, Error, PartialEq, Eq)]
#[error("{message}: {url} (after {})", crate::units::elapsed_text(*.elapsed))]
pub struct RequestError {
    pub kind: ErrorKind,
    pub url: String,
    pub elapsed: Duration,
    pub message: String,
}

impl RequestError {
    pub fn new(
        kind: ErrorKind,
        url: impl Into<String>,
        elapsed: Duration,
        message: impl Into<String>,
    ) -> Self {
        Self {
            kind,
            url: url.into(),
            elapsed,
            message: message.into(),
        }
    }
}

/// Where in the exchange a transport error happened: the same reset means
/// something different before and after the headers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Phase {
    /// Connecting, sending, or waiting for the response head.
    Head,
    /// Reading the body: bytes received on the wire so far, and the
    /// `Content-Length` when the server declared one.
    Body {
        received: u64,
        expected: Option<u64>,
    },
}

/// Classifies a reqwest error into a kind and a message. reqwest's own
/// flags are coarse (a refused connection and a DNS failure are both
/// `is_connect`), so the source chain is inspected too.
pub(crate) fn classify(err: &reqwest::Error, phase: Phase) -> (ErrorKind, String) {
    let chain = source_chain(err);
    let detail = innermost_detail(err);

    if err.is_builder() {
        return (
            ErrorKind::InvalidRequest,
            format!("invalid request: {detail}"),
        );
    }
    if let Some(tls) = find_tls(err) {
        return (ErrorKind::Tls, format!("TLS handshake failed: {tls}"));
    }
    if chain.iter().any(|s| s.contains("dns error")) {
        return (ErrorKind::Dns, format!("DNS lookup failed: {detail}"));
    }
    let io_kind = find_io_kind(err);
    let hyper = find_hyper(err);
    if let Some(h) = hyper
        && (h.is_parse() || h.is_parse_status() || h.is_parse_too_large())
    {
        let what = if h.is_parse_too_large() {
            "response headers too large (too many lines, or too long)".to_string()
        } else {
            format!("not valid HTTP ({h})")
        };
        return (
            ErrorKind::InvalidResponse,
            format!("invalid response: {what}"),
        );
    }
    if err.is_connect() {
        let message = match io_kind {
            Some(io::ErrorKind::ConnectionRefused) => "connection refused".to_string(),
            Some(io::ErrorKind::TimedOut) => "connection timed out".to_string(),
            _ => format!("connection failed: {detail}"),
        };
        return (ErrorKind::Connect, message);
    }
    if err.is_timeout() {
        return (ErrorKind::Timeout, "timed out".to_string());
    }
    let where_ = match phase {
        Phase::Head => "before the response headers".to_string(),
        Phase::Body {
            received,
            expected: Some(total),
        } => format!("mid-body after {received} of {total} bytes"),
        Phase::Body { received, .. } => format!("mid-body after {received} bytes"),
    };
    match io_kind {
        Some(io::ErrorKind::ConnectionReset | io::ErrorKind::ConnectionAborted) => {
            return (ErrorKind::Reset, format!("connection reset {where_}"));
        }
        Some(io::ErrorKind::InvalidData | io::ErrorKind::InvalidInput) => {
            return (
                ErrorKind::InvalidResponse,
                format!("invalid response {where_}: {detail}"),
            );
        }
        Some(io::ErrorKind::UnexpectedEof) => {
            return (
                ErrorKind::ConnectionClosed,
                format!("connection closed {where_}"),
            );
        }
        _ => {}
    }
    if let Some(h) = hyper {
        if h.is_incomplete_message() || h.is_closed() || h.is_canceled() {
            return (
                ErrorKind::ConnectionClosed,
                format!("connection closed {where_}"),
            );
        }
        if h.is_timeout() {
            return (ErrorKind::Timeout, "timed out".to_string());
        }
    }
    if err.is_body() || err.is_decode() {
        return (
            ErrorKind::ConnectionClosed,
            format!("connection closed {where_} ({detail})"),
        );
    }
    (
        ErrorKind::InvalidResponse,
        format!("invalid response {where_}: {detail}"),
    )
}

/// Every error in the chain, outermost first. An `io::Error`'s own
/// `source()` skips the error it wraps, so that one is stepped into.
fn links<'a>(err: &'a (dyn StdError + 'static)) -> Vec<&'a (dyn StdError + 'static)> {
    let mut out = Vec::new();
    let mut cur: Option<&'a (dyn StdError + 'static)> = Some(err);
    while let Some(e) = cur {
        if out.len() > 32 {
            break;
        }
        out.push(e);
        cur = match e.downcast_ref::<io::Error>().and_then(io::Error::get_ref) {
            Some(inner) => Some(inner as &'a (dyn StdError + 'static)),
            None => e.source(),
        };
    }
    out
}

fn source_chain(err: &(dyn StdError + 'static)) -> Vec<String> {
    links(err).iter().map(ToString::to_string).collect()
}

/// The deepest message in the chain: reqwest's top line ("error sending
/// request for url ...") repeats the URL and says little.
fn innermost_detail(err: &(dyn StdError + 'static)) -> String {
    links(err)
        .last()
        .map_or_else(|| err.to_string(), ToString::to_string)
}

/// The most specific I/O error kind: wrappers often say only `Other`.
fn find_io_kind(err: &(dyn StdError + 'static)) -> Option<io::ErrorKind> {
    let kinds: Vec<io::ErrorKind> = links(err)
        .iter()
        .filter_map(|e| e.downcast_ref::<io::Error>().map(io::Error::kind))
        .collect();
    kinds
        .iter()
        .rev()
        .find(|k| **k != io::ErrorKind::Other)
        .or(kinds.first())
        .copied()
}

fn find_hyper<'a>(err: &'a (dyn StdError + 'static)) -> Option<&'a hyper::Error> {
    links(err)
        .into_iter()
        .find_map(|e| e.downcast_ref::<hyper::Error>())
}

fn find_tls(err: &(dyn StdError + 'static)) -> Option<String> {
    links(err)
        .into_iter()
        .find_map(|e| e.downcast_ref::<rustls::Error>())
        .map(tls_words)
}

/// A refused certificate in words: rustls shows its variants' names
/// (`invalid peer certificate: UnknownIssuer`), which tell a user little.
fn tls_words(error: &rustls::Error) -> String {
    use rustls::CertificateError as Cert;
    let rustls::Error::InvalidCertificate(cert) = error else {
        return error.to_string();
    };
    let why = match cert {
        Cert::UnknownIssuer => "its issuer is unknown (self-signed, or a private CA)".to_string(),
        Cert::Expired | Cert::ExpiredContext { .. } => "it has expired".to_string(),
        Cert::NotValidYet | Cert::NotValidYetContext { .. } => "it is not valid yet".to_string(),
        Cert::NotValidForName | Cert::NotValidForNameContext { .. } => {
            "it was issued for another host name".to_string()
        }
        Cert::Revoked => "it has been revoked".to_string(),
        Cert::BadSignature => "its signature does not verify".to_string(),
        // webpki's reason for a self-signed CA certificate served as the
        // server's own, the usual test-gateway setup.
        Cert::Other(other) if format!("{other:?}").contains("CaUsedAsEndEntity") => {
            "it is a CA certificate used as the server's own (self-signed)".to_string()
        }
        other => format!("{other:?}"),
    };
    format!("the server's certificate is not trusted: {why}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn displays_one_line() {
        let err = RequestError::new(
            ErrorKind::Connect,
            "http://127.0.0.1:9/x",
            Duration::from_millis(2),
            "connection refused",
        );
        assert_eq!(
            err.to_string(),
            "connection refused: http://127.0.0.1:9/x (after 2.0 ms)"
        );
    }
}

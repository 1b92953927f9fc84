//! The HTTP engine: sends a [`crate::request::BuiltRequest`], follows
//! redirects hop by hop, streams, decompresses and times the response, and
//! can be cancelled at any moment.
//!
//! ```text
//! BuiltRequest --Engine::send(opts, cancel)--> Exchange { request as sent, redirects,
//!                      |                                 response, timing }
//!                      v
//!                RequestError { kind, url, elapsed, message }
//! ```
//!
//! One reqwest client (rustls, ring) is shared by every clone of an
//! [`Engine`]. reqwest's redirect policy and decompression are off: the
//! engine follows redirects itself so each hop is recorded and credentials
//! are not carried to another host, and it decodes bodies itself so headers
//! stay as received and memory stays bounded (see `http::decode`).
//!
//! Every wait (connect, headers, each body chunk, each file write) races the
//! cancellation token and the deadline, so cancel and timeout take effect
//! within one scheduler turn whatever the server does.

mod decode;
mod engine;
mod error;
mod exchange;

use std::path::PathBuf;
use std::time::Duration;

pub use engine::Engine;
pub use error::{ErrorKind, RequestError};
pub use exchange::{BodyText, Exchange, Hop, Response, SentRequest, Timing};

/// How the shared client is built.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EngineConfig {
    /// Skip TLS certificate verification for every request. Off by default;
    /// prefer [`SendOptions::accept_invalid_certs`] for one API.
    pub accept_invalid_certs: bool,
    /// Sent when the request has no `User-Agent` of its own.
    pub user_agent: String,
    /// A limit on connecting alone; the request's own timeout applies too.
    pub connect_timeout: Option<Duration>,
    /// More response headers than this is an invalid response (HTTP/1).
    pub max_response_headers: usize,
}

impl Default for EngineConfig {
    fn default() -> Self {
        Self {
            accept_invalid_certs: false,
            user_agent: format!("portico/{}", env!("CARGO_PKG_VERSION")),
            connect_timeout: Some(Duration::from_secs(10)),
            max_response_headers: 1000,
        }
    }
}

/// How long a request may take unless the caller says otherwise.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);

/// A timeout in seconds as a user gives it (`--timeout`, a config file):
/// `0` means none; a negative, NaN or infinite value is an error.
pub fn timeout_from_secs(seconds: f64) -> Result<Option<Duration>, String> {
    if seconds == 0.0 {
        return Ok(None);
    }
    Duration::try_from_secs_f64(seconds)
        .map(Some)
        .map_err(|_| format!("{seconds} is not a number of seconds (0 waits until cancelled)"))
}

/// The default in-memory body cap: 16 MiB.
pub const DEFAULT_BODY_CAP: usize = 16 * 1024 * 1024;

/// Per-request choices.
#[derive(Debug, Clone)]
pub struct SendOptions {
    /// A deadline for the whole exchange, redirects and body included.
    /// `None` waits forever (cancel still works).
    pub timeout: Option<Duration>,
    /// The most body bytes (decompressed) held in memory. A longer body is
    /// cut there: reading stops, and the response says `truncated`.
    pub body_cap: usize,
    /// Stream the whole body into this file instead (no cap). The file is
    /// written under a temporary name beside it and renamed when the body
    /// is complete, so a failed download never replaces an existing file.
    pub save_to: Option<PathBuf>,
    /// Redirects followed at most; more is [`ErrorKind::TooManyRedirects`].
    /// `0` does not follow redirects at all: the 3xx response is returned.
    pub max_redirects: usize,
    /// Skip TLS certificate verification for this request (a per-API
    /// switch the UI makes visible).
    pub accept_invalid_certs: bool,
    /// Receives progress as the body arrives, for a UI to show.
    pub progress: Option<tokio::sync::watch::Sender<Progress>>,
}

impl Default for SendOptions {
    fn default() -> Self {
        Self {
            timeout: Some(DEFAULT_TIMEOUT),
            body_cap: DEFAULT_BODY_CAP,
            save_to: None,
            max_redirects: 10,
            accept_invalid_certs: false,
            progress: None,
        }
    }
}

/// Where a request is, for a progress display.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Progress {
    /// The final response's headers have arrived.
    pub headers_received: bool,
    /// Status of the final response (0 until the headers arrive).
    pub status: u16,
    /// Body bytes received on the wire so far.
    pub wire_bytes: u64,
    /// Body bytes after decompression so far.
    pub body_bytes: u64,
    /// The body's `Content-Length`, when the server sent one.
    pub content_length: Option<u64>,
    /// Redirects followed so far.
    pub redirects: usize,
}

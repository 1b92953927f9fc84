//! History: every request sent (or that failed to send), appended as one
//! JSON line to `history.jsonl` in the state directory, secrets masked,
//! bodies capped; the newest entries kept within a count and a size; and
//! the per-operation statistics the usage dashboard draws.
//!
//! JSON lines because an append is one `write` of one line under the lock
//! (no rewrite of the file per request), a reader can skip one bad line
//! and keep the rest, and `jq` reads it. A line that does not parse (a
//! hand edit, a torn write) is skipped with a warning naming its line.
//!
//! When the file grows past its limits it is compacted atomically (under
//! the lock, through a temporary file) to 90% of them, so that compaction
//! happens once every tenth of the limit rather than on every append.

use std::fmt;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::Duration;

use base64::Engine as _;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::catalog::OperationKey;
use crate::http::{Exchange, RequestError};
use crate::request::{BuiltRequest, Draft, Vars};
use crate::secrets::{MASK, Masker, is_secret_name, mask_header_value};
use crate::units::size_text;

use super::{FileWarning, Paths, StoreError, Timestamp, fsio};

/// How much history is kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HistoryLimits {
    /// The newest entries kept.
    pub max_entries: usize,
    /// The file's size in bytes; always at least the newest entry is kept.
    pub max_bytes: u64,
    /// Bytes of each request and response body kept in an entry.
    pub body_cap: usize,
}

impl Default for HistoryLimits {
    fn default() -> Self {
        Self {
            max_entries: 1000,
            max_bytes: 16 * 1024 * 1024,
            body_cap: 64 * 1024,
        }
    }
}

/// One request sent, as recorded.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HistoryEntry {
    /// When the request was sent.
    pub time: Timestamp,
    /// The catalog operation, when the request was made from one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub operation: Option<OperationKey>,
    /// The request as sent (the last hop), secrets masked.
    pub request: RecordedRequest,
    /// `None` when the send failed; see `error`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub response: Option<RecordedResponse>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<RecordedError>,
    pub timing: RecordedTiming,
    /// What the user typed, for sending it again: secrets replaced by
    /// `{{variable}}` references as in presets (see
    /// [`super::presets::withhold_secrets`]). Left out when its body is
    /// larger than the body cap.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub draft: Option<Draft>,
    /// Keys this version does not know, kept on compaction.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RecordedRequest {
    pub method: String,
    pub url: String,
    #[serde(default)]
    pub headers: Vec<(String, String)>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<RecordedBody>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RecordedResponse {
    pub version: String,
    pub status: u16,
    #[serde(default)]
    pub reason: String,
    #[serde(default)]
    pub headers: Vec<(String, String)>,
    /// `None` when the body went to a file (`saved_to`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<RecordedBody>,
    /// Body bytes received (after decompression).
    pub size: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub saved_to: Option<PathBuf>,
}

/// A body as kept: text when it is UTF-8, else base64; at most the cap.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordedBody {
    pub data: String,
    #[serde(default, skip_serializing_if = "is_false")]
    pub base64: bool,
    /// Less than the whole body is here (the history cap, or the engine's).
    #[serde(default, skip_serializing_if = "is_false")]
    pub truncated: bool,
}

impl RecordedBody {
    /// The bytes kept (base64 decoded); `None` when the base64 is invalid.
    pub fn bytes(&self) -> Option<Vec<u8>> {
        if self.base64 {
            base64::engine::general_purpose::STANDARD
                .decode(&self.data)
                .ok()
        } else {
            Some(self.data.clone().into_bytes())
        }
    }
}

#[expect(clippy::trivially_copy_pass_by_ref, reason = "serde's signature")]
fn is_false(value: &bool) -> bool {
    !*value
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordedError {
    /// The error kind's label (`connection failed`, `timed out`, ...).
    pub kind: String,
    /// The whole line, as shown to the user.
    pub message: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct RecordedTiming {
    /// Until the response headers arrived; `None` when none did.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub headers_ms: Option<f64>,
    /// Until the body was read, or until the send failed.
    pub total_ms: f64,
}

impl RecordedTiming {
    /// [`Self::total_ms`] as a duration.
    pub fn total(&self) -> Duration {
        duration_of_ms(self.total_ms)
    }

    /// [`Self::headers_ms`] as a duration, else the total.
    pub fn headers(&self) -> Duration {
        duration_of_ms(self.headers_ms.unwrap_or(self.total_ms))
    }
}

/// Milliseconds from a file as a duration: a value no clock gives (from a
/// hand edit: negative, NaN, beyond any duration) reads as zero instead of
/// failing whoever shows it.
fn duration_of_ms(ms: f64) -> Duration {
    Duration::try_from_secs_f64(ms / 1000.0).unwrap_or_default()
}

/// Status classes, as filters and in statistics; `Failed` is a send that
/// got no response.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum StatusClass {
    Informational,
    Success,
    Redirection,
    ClientError,
    ServerError,
    Failed,
}

impl StatusClass {
    pub const ALL: [Self; 6] = [
        Self::Informational,
        Self::Success,
        Self::Redirection,
        Self::ClientError,
        Self::ServerError,
        Self::Failed,
    ];

    pub fn of_status(status: u16) -> Self {
        match status {
            200..=299 => Self::Success,
            300..=399 => Self::Redirection,
            400..=499 => Self::ClientError,
            500..=599 => Self::ServerError,
            // 1xx and anything outside the standard ranges.
            _ => Self::Informational,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Informational => "1xx",
            Self::Success => "2xx",
            Self::Redirection => "3xx",
            Self::ClientError => "4xx",
            Self::ServerError => "5xx",
            Self::Failed => "failed",
        }
    }
}

impl fmt::Display for StatusClass {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

impl FromStr for StatusClass {
    type Err = String;

    /// `2xx`, `2XX`, `2`, or `failed`/`error`.
    fn from_str(text: &str) -> Result<Self, String> {
        let lower = text.trim().to_ascii_lowercase();
        let class = match lower.as_str() {
            "1xx" | "1" => Self::Informational,
            "2xx" | "2" => Self::Success,
            "3xx" | "3" => Self::Redirection,
            "4xx" | "4" => Self::ClientError,
            "5xx" | "5" => Self::ServerError,
            "failed" | "error" | "err" => Self::Failed,
            _ => {
                return Err(format!(
                    "unknown status class `{text}` (expected 1xx, 2xx, 3xx, 4xx, 5xx or failed)"
                ));
            }
        };
        Ok(class)
    }
}

impl Serialize for StatusClass {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.label())
    }
}

impl HistoryEntry {
    /// The entry for a completed exchange. `secret_values` are the values
    /// the build substituted from secrets ([`BuiltRequest::secret_values`]):
    /// they are masked wherever they appear, response included (a server
    /// that echoes a key must not put it in the history file).
    pub fn from_exchange(
        operation: Option<OperationKey>,
        exchange: &Exchange,
        secret_values: &[String],
        body_cap: usize,
    ) -> Self {
        let masker = Masker::new(secret_values.iter().cloned());
        let sent = BuiltRequest {
            method: exchange.request.method.clone(),
            url: exchange.request.url.clone(),
            headers: exchange.request.headers.clone(),
            body: exchange.request.body.clone(),
            secret_values: secret_values.to_vec(),
            form: Vec::new(),
            body_file: None,
        };
        let response = &exchange.response;
        let total = exchange.timing.total;
        Self {
            time: sent_at(total),
            operation,
            request: recorded_request(&sent, body_cap),
            response: Some(RecordedResponse {
                version: response.version.clone(),
                status: response.status,
                reason: response.reason.clone(),
                headers: response
                    .headers
                    .iter()
                    .map(|(name, value)| (name.clone(), mask_response_header(name, value, &masker)))
                    .collect(),
                body: response
                    .saved_to
                    .is_none()
                    .then(|| capture_body(&response.body, body_cap, response.truncated, &masker)),
                size: response.size,
                saved_to: response.saved_to.clone(),
            }),
            error: None,
            timing: RecordedTiming {
                headers_ms: Some(millis(exchange.timing.headers)),
                total_ms: millis(total),
            },
            draft: None,
            extra: Map::new(),
        }
    }

    /// The entry for a send that failed: the request as built, and why.
    pub fn from_error(
        operation: Option<OperationKey>,
        built: &BuiltRequest,
        error: &RequestError,
        body_cap: usize,
    ) -> Self {
        let masker = Masker::new(built.secret_values.iter().cloned());
        Self {
            time: sent_at(error.elapsed),
            operation,
            request: recorded_request(built, body_cap),
            response: None,
            error: Some(RecordedError {
                kind: error.kind.label().to_string(),
                message: masker.mask(&error.to_string()),
            }),
            timing: RecordedTiming {
                headers_ms: None,
                total_ms: millis(error.elapsed),
            },
            draft: None,
            extra: Map::new(),
        }
    }

    /// Keeps the draft the request was built from, secrets withheld, so
    /// that the entry can be sent again; not when its body exceeds `cap`.
    #[must_use]
    pub fn with_draft(mut self, draft: &Draft, vars: &Vars, body_cap: usize) -> Self {
        self.draft =
            (draft.body.len() <= body_cap).then(|| super::presets::withhold_secrets(draft, vars).0);
        self
    }

    pub fn status_class(&self) -> StatusClass {
        self.response
            .as_ref()
            .map_or(StatusClass::Failed, |r| StatusClass::of_status(r.status))
    }
}

fn sent_at(elapsed: Duration) -> Timestamp {
    let now = Timestamp::now();
    Timestamp(now.0 - i64::try_from(elapsed.as_millis()).unwrap_or(0))
}

fn millis(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1000.0
}

fn recorded_request(built: &BuiltRequest, body_cap: usize) -> RecordedRequest {
    let masker = Masker::new(built.secret_values.iter().cloned());
    let masked = built.masked();
    RecordedRequest {
        method: masked.method,
        url: masked.url,
        headers: masked.headers,
        body: masked
            .body
            .as_deref()
            .map(|b| capture_body(b, body_cap, false, &masker)),
    }
}

/// Response headers carry secrets too: a session cookie, an echoed key.
fn mask_response_header(name: &str, value: &str, masker: &Masker) -> String {
    if is_secret_name(name) {
        mask_header_value(value)
    } else if name.eq_ignore_ascii_case("set-cookie") {
        // Keep the cookie's name and attributes, hide its value.
        match value.split_once('=') {
            Some((cookie, rest)) => {
                let attributes = rest.split_once(';').map_or("", |(_, a)| a);
                if attributes.is_empty() {
                    format!("{cookie}={MASK}")
                } else {
                    format!("{cookie}={MASK};{attributes}")
                }
            }
            None => MASK.to_string(),
        }
    } else {
        masker.mask(value)
    }
}

/// The first `cap` bytes of a body, as text when they are UTF-8 (a
/// character cut at the cap is dropped whole), else as base64.
fn capture_body(bytes: &[u8], cap: usize, truncated: bool, masker: &Masker) -> RecordedBody {
    let cut = bytes.len() > cap;
    let piece = &bytes[..bytes.len().min(cap)];
    let text = match std::str::from_utf8(piece) {
        Ok(text) => Some(text),
        // Only an incomplete character at the very end of a cut piece.
        Err(e) if cut && e.error_len().is_none() => {
            std::str::from_utf8(&piece[..e.valid_up_to()]).ok()
        }
        Err(_) => None,
    };
    match text {
        Some(text) => RecordedBody {
            data: masker.mask(text),
            base64: false,
            truncated: truncated || cut,
        },
        None => RecordedBody {
            data: base64::engine::general_purpose::STANDARD.encode(piece),
            base64: true,
            truncated: truncated || cut,
        },
    }
}

/// Which entries a query returns.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HistoryFilter {
    pub operation: Option<OperationKey>,
    pub status: Option<StatusClass>,
    /// At most this many (the newest); `None` for all.
    pub limit: Option<usize>,
}

impl HistoryFilter {
    pub fn matches(&self, entry: &HistoryEntry) -> bool {
        self.operation
            .as_ref()
            .is_none_or(|key| entry.operation.as_ref() == Some(key))
            && self
                .status
                .is_none_or(|class| entry.status_class() == class)
    }
}

/// Lines skipped that get a warning of their own; the rest are counted in
/// one more. A warning weighs more than a short bad line, so a warning for
/// each would let a corrupt file take many times its size in memory.
const MAX_LINE_WARNINGS: usize = 100;

/// What a read found: the entries, and the lines it had to skip.
#[derive(Debug, Clone, Default)]
pub struct HistoryRead {
    pub entries: Vec<HistoryEntry>,
    /// The first skipped lines, each with why, then (when there were more)
    /// one warning that counts the rest.
    pub warnings: Vec<FileWarning>,
    /// Every line skipped.
    pub skipped: usize,
}

impl HistoryRead {
    /// Parses a history file's bytes, line by line; `path` names it in the
    /// warnings for lines that do not parse.
    pub fn parse(bytes: &[u8], path: &Path) -> Self {
        Self::parse_from(bytes, path, 1)
    }

    /// [`HistoryRead::parse`] of a file's end whose first line is line
    /// `first_line` of the file, for warnings that point at the right line.
    fn parse_from(bytes: &[u8], path: &Path, first_line: usize) -> Self {
        let mut read = Self::default();
        for (index, line) in bytes.split(|&b| b == b'\n').enumerate() {
            if line.iter().all(u8::is_ascii_whitespace) {
                continue;
            }
            match serde_json::from_slice::<HistoryEntry>(line) {
                Ok(entry) => read.entries.push(entry),
                Err(e) => {
                    read.skipped += 1;
                    if read.skipped <= MAX_LINE_WARNINGS {
                        read.warnings.push(FileWarning {
                            path: path.to_path_buf(),
                            line: index + first_line,
                            message: format!("history entry skipped: {e}"),
                        });
                    }
                }
            }
        }
        if read.skipped > MAX_LINE_WARNINGS {
            read.warnings.push(FileWarning {
                path: path.to_path_buf(),
                line: 0,
                message: format!(
                    "{} more unreadable history lines skipped",
                    read.skipped - MAX_LINE_WARNINGS
                ),
            });
        }
        read
    }
}

/// The history file of a [`Paths`].
#[derive(Debug, Clone)]
pub struct History {
    path: PathBuf,
    limits: HistoryLimits,
}

impl History {
    pub fn new(paths: &Paths) -> Self {
        Self::at(paths.history_file(), HistoryLimits::default())
    }

    pub fn at(path: impl Into<PathBuf>, limits: HistoryLimits) -> Self {
        Self {
            path: path.into(),
            limits,
        }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn limits(&self) -> HistoryLimits {
        self.limits
    }

    /// Appends one entry, then compacts the file if it passed a limit.
    pub fn append(&self, entry: &HistoryEntry) -> Result<(), StoreError> {
        let mut line = serde_json::to_vec(entry).map_err(|e| StoreError::Corrupt {
            path: self.path.clone(),
            line: 0,
            column: 0,
            message: format!("cannot serialise a history entry: {e}"),
        })?;
        line.push(b'\n');
        let _lock = fsio::lock_exclusive(&self.path)?;
        let len = fsio::append(&self.path, &line)?;
        // Every entry is longer than this, so a file this short cannot
        // hold too many: no need to count its lines.
        const SHORTEST_ENTRY: u64 = 64;
        let may_have_too_many = len > self.limits.max_entries as u64 * SHORTEST_ENTRY;
        if len > self.limits.max_bytes || may_have_too_many {
            self.compact_locked(len > self.limits.max_bytes)?;
        }
        Ok(())
    }

    /// Records the outcome of sending `built`, made from `draft` (when
    /// there is one) with `vars`: the exchange, or why the send failed.
    /// The request's secrets are masked, and `also_secret` too (values the
    /// answer carries that the request did not, such as a token it hands
    /// out: see `flow::secrets_to_mask`).
    pub fn record(
        &self,
        operation: Option<OperationKey>,
        source: Option<(&Draft, &Vars)>,
        built: &BuiltRequest,
        result: Result<&Exchange, &RequestError>,
        also_secret: &[String],
    ) -> Result<(), StoreError> {
        let cap = self.limits.body_cap;
        let mut entry = match result {
            Ok(exchange) if also_secret.is_empty() => {
                HistoryEntry::from_exchange(operation, exchange, &built.secret_values, cap)
            }
            Ok(exchange) => {
                let mut secrets = built.secret_values.clone();
                secrets.extend_from_slice(also_secret);
                HistoryEntry::from_exchange(operation, exchange, &secrets, cap)
            }
            Err(error) => HistoryEntry::from_error(operation, built, error, cap),
        };
        if let Some((draft, vars)) = source {
            entry = entry.with_draft(draft, vars, cap);
        }
        self.append(&entry)
    }

    /// Rewrites the file with its newest lines within 90% of the limits.
    /// Lines are kept as they are, unreadable ones included (they count
    /// as entries): compaction drops only what is too old.
    fn compact_locked(&self, over_size: bool) -> Result<(), StoreError> {
        // What is kept fits in the limit, so the file's end is enough,
        // however large the file has grown.
        let Some(tail) = fsio::read_tail(&self.path, self.limits.max_bytes)? else {
            return Ok(());
        };
        let bytes = tail.bytes;
        let lines: Vec<&[u8]> = bytes
            .split(|&b| b == b'\n')
            .filter(|line| !line.iter().all(u8::is_ascii_whitespace))
            .collect();
        if !over_size && lines.len() <= self.limits.max_entries {
            return Ok(());
        }
        let keep_entries = (self.limits.max_entries * 9 / 10).max(1);
        let keep_bytes = self.limits.max_bytes / 10 * 9;
        let mut kept = 0usize;
        let mut size = 0u64;
        for line in lines.iter().rev() {
            let line_size = line.len() as u64 + 1;
            if kept > 0 && (kept >= keep_entries || size + line_size > keep_bytes) {
                break;
            }
            kept += 1;
            size += line_size;
        }
        let mut out = Vec::with_capacity(usize::try_from(size).unwrap_or(0));
        for line in &lines[lines.len() - kept..] {
            out.extend_from_slice(line);
            out.push(b'\n');
        }
        fsio::write_atomic(&self.path, &out)
    }

    /// Every entry, oldest first, and the lines that were skipped. A file
    /// grown past its size limit (by hand: portico compacts it) is read
    /// from its newest end only, with a warning.
    pub fn read(&self) -> Result<HistoryRead, StoreError> {
        let tail = {
            // Without the lock (a read-only directory) a half-written last
            // line is possible, and skipped like any bad line.
            let _lock = fsio::lock_shared(&self.path).ok().flatten();
            fsio::read_tail(&self.path, self.limits.max_bytes)?
        };
        let Some(tail) = tail else {
            return Ok(HistoryRead::default());
        };
        let mut read = HistoryRead::parse_from(&tail.bytes, &self.path, tail.first_line);
        if tail.skipped > 0 {
            read.warnings.insert(
                0,
                FileWarning {
                    path: self.path.clone(),
                    line: 0,
                    message: format!(
                        "the file is larger than its {} limit: its oldest {} (lines 1 to {}) are not read, and go at the next compaction",
                        size_text(self.limits.max_bytes),
                        size_text(tail.skipped),
                        tail.first_line - 1
                    ),
                },
            );
        }
        Ok(read)
    }

    /// The entries that match, newest first.
    pub fn query(&self, filter: &HistoryFilter) -> Result<HistoryRead, StoreError> {
        let read = self.read()?;
        let entries = read
            .entries
            .into_iter()
            .rev()
            .filter(|e| filter.matches(e))
            .take(filter.limit.unwrap_or(usize::MAX))
            .collect();
        Ok(HistoryRead {
            entries,
            warnings: read.warnings,
            skipped: read.skipped,
        })
    }
}

mod stats;
pub use stats::*;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn skipped_lines_are_all_counted_but_warned_about_a_hundred_at_most() {
        let bytes = "not json\n".repeat(1_000);
        let read = HistoryRead::parse(bytes.as_bytes(), Path::new("h.jsonl"));
        assert_eq!(read.skipped, 1_000);
        assert_eq!(read.warnings.len(), MAX_LINE_WARNINGS + 1);
        assert_eq!(read.warnings[99].line, 100);
        let last = read.warnings.last().expect("summary").to_string();
        assert_eq!(last, "h.jsonl: 900 more unreadable history lines skipped");
    }

    #[test]
    fn nearest_rank_percentiles() {
        let values: Vec<f64> = (1..=100).map(f64::from).collect();
        let latency = Latency::of(&values).expect("values");
        assert_eq!(
            (latency.p50_ms, latency.p95_ms, latency.max_ms),
            (50.0, 95.0, 100.0)
        );
        let latency = Latency::of(&[30.0, 10.0, 20.0]).expect("values");
        assert_eq!(
            (latency.p50_ms, latency.p95_ms, latency.max_ms),
            (20.0, 30.0, 30.0)
        );
        let latency = Latency::of(&[7.0]).expect("one");
        assert_eq!((latency.p50_ms, latency.p95_ms), (7.0, 7.0));
        assert!(Latency::of(&[]).is_none());
    }

    #[test]
    fn bodies_are_text_or_base64_within_the_cap() {
        let masker = Masker::new(["s3cr3t-value"]);
        let body = capture_body(b"key=s3cr3t-value", 100, false, &masker);
        assert_eq!(body.data, format!("key={MASK}"));
        assert!(!body.base64 && !body.truncated);
        // A cut in the middle of `é` drops the half character.
        let body = capture_body("aé".as_bytes(), 2, false, &masker);
        assert_eq!(
            (body.data.as_str(), body.base64, body.truncated),
            ("a", false, true)
        );
        let body = capture_body(&[0xff, 0x00, 0x41], 100, true, &masker);
        assert_eq!(
            (body.data.as_str(), body.base64, body.truncated),
            ("/wBB", true, true)
        );
        assert_eq!(body.bytes(), Some(vec![0xff, 0x00, 0x41]));
    }

    #[test]
    fn an_echoed_secret_is_masked_everywhere() {
        use crate::http::{Response, SentRequest, Timing};
        let secret = "k-0123456789";
        let exchange = Exchange {
            request: SentRequest {
                method: "POST".into(),
                url: format!("http://127.0.0.1:9/echo?key={secret}"),
                headers: vec![("X-Api-Key".into(), secret.into())],
                body: Some(format!("{{\"key\": \"{secret}\"}}").into_bytes()),
            },
            redirects: Vec::new(),
            response: Response {
                version: "HTTP/1.1".into(),
                status: 200,
                reason: "OK".into(),
                headers: vec![
                    ("x-echo".into(), format!("got {secret}")),
                    ("set-cookie".into(), "sid=abcdef; Path=/".into()),
                ],
                body: format!("you sent {secret}").into_bytes().into(),
                size: 21,
                ..Response::default()
            },
            timing: Timing::default(),
        };
        let entry = HistoryEntry::from_exchange(None, &exchange, &[secret.to_string()], 1024);
        let line = serde_json::to_string(&entry).expect("json");
        assert!(!line.contains(secret), "{line}");
        assert!(!line.contains("abcdef"), "{line}");
        let response = entry.response.expect("response");
        assert_eq!(
            response.body.map(|b| b.data),
            Some(format!("you sent {MASK}"))
        );
        assert_eq!(response.headers[0].1, format!("got {MASK}"));
    }

    #[test]
    fn status_classes_parse() {
        assert_eq!("2xx".parse(), Ok(StatusClass::Success));
        assert_eq!("4XX".parse(), Ok(StatusClass::ClientError));
        assert_eq!("failed".parse(), Ok(StatusClass::Failed));
        assert!("6xx".parse::<StatusClass>().is_err());
        assert_eq!(StatusClass::of_status(503), StatusClass::ServerError);
    }

    #[test]
    fn set_cookie_values_are_masked() {
        let masker = Masker::default();
        assert_eq!(
            mask_response_header("Set-Cookie", "sid=abc123; Path=/; HttpOnly", &masker),
            format!("sid={MASK}; Path=/; HttpOnly")
        );
        assert_eq!(mask_response_header("X-Api-Key", "abc", &masker), MASK);
        assert_eq!(
            mask_response_header("Content-Type", "text/plain", &masker),
            "text/plain"
        );
    }
}

//! [`Engine`]: the shared client and one send from start to end: validate,
//! send, follow redirects hop by hop, stream and decode the body into memory
//! (capped) or a file, racing every wait against cancel and the deadline.

use std::collections::HashSet;
use std::fmt;
use std::future::Future;
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use bytes::{Bytes, BytesMut};
use reqwest::Method;
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use tokio::io::AsyncWriteExt;
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;
use url::Url;

use super::decode::Decoder;
use super::error::{ErrorKind, Phase, RequestError, classify};
use super::exchange::{Exchange, Hop, Response, SentRequest, Timing};
use super::{EngineConfig, Progress, SendOptions};
use crate::request::BuiltRequest;
use crate::secrets::{Masker, is_secret_name};

/// Sends requests. Cheap to clone: clones share one connection pool.
#[derive(Clone)]
pub struct Engine {
    inner: Arc<Inner>,
}

struct Inner {
    config: EngineConfig,
    client: reqwest::Client,
    /// A second client without certificate checks, built on first use by a
    /// request that asks for it.
    insecure: OnceLock<Result<reqwest::Client, String>>,
}

impl fmt::Debug for Engine {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Engine")
            .field("config", &self.inner.config)
            .finish_non_exhaustive()
    }
}

fn build_client(config: &EngineConfig, insecure: bool) -> Result<reqwest::Client, String> {
    let mut builder = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .http1_max_headers(config.max_response_headers)
        .tls_danger_accept_invalid_certs(insecure);
    if let Some(timeout) = config.connect_timeout {
        builder = builder.connect_timeout(timeout);
    }
    builder.build().map_err(|e| {
        let mut message = e.to_string();
        let mut source = std::error::Error::source(&e);
        while let Some(s) = source {
            message = format!("{message}: {s}");
            source = s.source();
        }
        message
    })
}

impl Engine {
    /// Builds the shared client. Installs ring as the process's rustls
    /// crypto provider unless one is installed already.
    pub fn new(config: EngineConfig) -> Result<Self, RequestError> {
        let _ = rustls::crypto::ring::default_provider().install_default();
        let client = build_client(&config, config.accept_invalid_certs).map_err(|m| {
            RequestError::new(
                ErrorKind::Tls,
                "",
                std::time::Duration::ZERO,
                format!("cannot set up the HTTP client: {m}"),
            )
        })?;
        Ok(Self {
            inner: Arc::new(Inner {
                config,
                client,
                insecure: OnceLock::new(),
            }),
        })
    }

    pub fn config(&self) -> &EngineConfig {
        &self.inner.config
    }

    fn client_for(&self, opts: &SendOptions) -> Result<reqwest::Client, String> {
        if !opts.accept_invalid_certs || self.inner.config.accept_invalid_certs {
            return Ok(self.inner.client.clone());
        }
        self.inner
            .insecure
            .get_or_init(|| build_client(&self.inner.config, true))
            .clone()
    }

    /// Sends `req` and reads the whole response (up to the cap, or into
    /// `opts.save_to`). Cancelling `cancel` at any moment ends it with
    /// [`ErrorKind::Cancelled`].
    pub async fn send(
        &self,
        req: &BuiltRequest,
        opts: &SendOptions,
        cancel: CancellationToken,
    ) -> Result<Exchange, RequestError> {
        let start = Instant::now();
        let mut run = Run {
            start,
            // A timeout beyond what the clock can count is none.
            deadline: opts.timeout.and_then(|t| start.checked_add(t)),
            cancel,
            masker: Masker::new(req.secret_values.iter().map(String::as_str)),
            url: req.url.clone(),
            progress: opts.progress.clone(),
            state: Progress::default(),
        };
        if run.cancel.is_cancelled() {
            return Err(run.fail(ErrorKind::Cancelled, "cancelled before sending"));
        }
        let client = self
            .client_for(opts)
            .map_err(|m| run.fail(ErrorKind::Tls, format!("cannot set up TLS: {m}")))?;
        let mut hop = HopRequest::prepare(req, &self.inner.config)
            .map_err(|m| run.fail(ErrorKind::InvalidRequest, format!("invalid request: {m}")))?;
        run.url = hop.url.to_string();

        let mut redirects: Vec<Hop> = Vec::new();
        let mut visited: HashSet<(String, String)> = HashSet::new();
        visited.insert((hop.method.to_string(), hop.url.to_string()));
        let response = loop {
            run.url = hop.url.to_string();
            let request = hop.build(&client).map_err(|e| {
                let (kind, message) = classify(&e, Phase::Head);
                run.fail(kind, message)
            })?;
            let response = run
                .race(
                    client.execute(request),
                    "while waiting for the response headers",
                )
                .await?
                .map_err(|e| {
                    let (kind, message) = classify(&e, Phase::Head);
                    run.fail(kind, message)
                })?;
            let status = response.status().as_u16();
            let location = response
                .headers()
                .get(reqwest::header::LOCATION)
                .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned());
            let Some(location) = location.filter(|_| is_redirect(status)) else {
                break response;
            };
            if opts.max_redirects == 0 {
                break response;
            }
            if redirects.len() >= opts.max_redirects {
                return Err(run.fail(
                    ErrorKind::TooManyRedirects,
                    format!("too many redirects (more than {})", opts.max_redirects),
                ));
            }
            let next = hop.url.join(location.trim()).map_err(|e| {
                run.fail(
                    ErrorKind::InvalidResponse,
                    format!("invalid response: redirect to an invalid location `{location}` ({e})"),
                )
            })?;
            if !matches!(next.scheme(), "http" | "https") {
                return Err(run.fail(
                    ErrorKind::InvalidResponse,
                    format!(
                        "invalid response: redirect to unsupported scheme `{}`",
                        next.scheme()
                    ),
                ));
            }
            redirects.push(Hop {
                status,
                url: hop.url.to_string(),
                location: next.to_string(),
                method: hop.method.to_string(),
            });
            run.state.redirects = redirects.len();
            run.publish();
            hop = hop.redirected(status, next);
            if !visited.insert((hop.method.to_string(), hop.url.to_string())) {
                let mut path: Vec<String> = redirects.iter().map(|h| run.mask(&h.url)).collect();
                path.push(run.mask(hop.url.as_str()));
                run.url = hop.url.to_string();
                return Err(run.fail(
                    ErrorKind::RedirectLoop,
                    format!("redirect loop: {}", path.join(" -> ")),
                ));
            }
        };

        let headers_at = start.elapsed();
        let (version, status, reason, headers) = head_of(&response);
        let content_length = headers
            .iter()
            .find(|(n, _)| n == "content-length")
            .and_then(|(_, v)| v.trim().parse::<u64>().ok());
        run.state.headers_received = true;
        run.state.status = status;
        run.state.content_length = content_length;
        run.publish();

        let encodings: Vec<&str> = headers
            .iter()
            .filter(|(n, _)| n == "content-encoding")
            .map(|(_, v)| v.as_str())
            .collect();
        let decoder = if encodings.len() > 1 {
            None
        } else {
            Decoder::for_encoding(encodings.first().copied())
        };
        let decoded_from = decoder
            .as_ref()
            .filter(|d| !d.is_identity())
            .map(|d| d.name().to_string());
        let decoder = decoder.unwrap_or_else(Decoder::identity);

        // A HEAD answer or a 204/304 declares a length it does not send.
        let body_expected = hop.method != Method::HEAD && !matches!(status, 204 | 304);
        let mut sink = Sink::new(opts, content_length.filter(|_| body_expected));
        let body = read_body(&mut run, response, decoder, &mut sink, content_length).await;
        let body = match body {
            Ok(b) => b,
            Err(e) => {
                sink.discard().await;
                return Err(e);
            }
        };
        let saved_to = sink.finish(&run).await?;
        let total = start.elapsed();

        Ok(Exchange {
            request: hop.record(&version),
            redirects,
            response: Response {
                version,
                status,
                reason,
                headers,
                body: body.held,
                truncated: body.truncated,
                size: body.size,
                wire_size: body.wire,
                decoded_from,
                saved_to,
            },
            timing: Timing {
                headers: headers_at,
                total,
            },
        })
    }
}

fn is_redirect(status: u16) -> bool {
    matches!(status, 301 | 302 | 303 | 307 | 308)
}

fn head_of(response: &reqwest::Response) -> (String, u16, String, Vec<(String, String)>) {
    let version = match response.version() {
        reqwest::Version::HTTP_09 => "HTTP/0.9",
        reqwest::Version::HTTP_10 => "HTTP/1.0",
        reqwest::Version::HTTP_2 => "HTTP/2",
        reqwest::Version::HTTP_3 => "HTTP/3",
        _ => "HTTP/1.1",
    }
    .to_string();
    let status = response.status();
    // hyper keeps the phrase only when it differs from the standard one.
    let reason = response
        .extensions()
        .get::<hyper::ext::ReasonPhrase>()
        .map(|r| String::from_utf8_lossy(r.as_bytes()).into_owned())
        .or_else(|| status.canonical_reason().map(str::to_string))
        .unwrap_or_default();
    let headers = response
        .headers()
        .iter()
        .map(|(n, v)| {
            (
                n.as_str().to_string(),
                String::from_utf8_lossy(v.as_bytes()).into_owned(),
            )
        })
        .collect();
    (version, status.as_u16(), reason, headers)
}

/// The state of one send that every wait needs: the clock, the deadline,
/// the token, the URL in flight (for errors) and progress reporting.
struct Run {
    start: Instant,
    deadline: Option<Instant>,
    cancel: CancellationToken,
    masker: Masker,
    url: String,
    progress: Option<tokio::sync::watch::Sender<Progress>>,
    state: Progress,
}

impl Run {
    fn mask(&self, text: &str) -> String {
        self.masker.mask(text)
    }

    fn fail(&self, kind: ErrorKind, message: impl Into<String>) -> RequestError {
        RequestError::new(kind, self.mask(&self.url), self.start.elapsed(), message)
    }

    fn publish(&self) {
        if let Some(tx) = &self.progress {
            tx.send_replace(self.state);
        }
    }

    /// Runs `fut` unless cancel or the deadline comes first. `doing` ends
    /// the message: "cancelled {doing}", "timed out {doing}".
    async fn race<F: Future>(&self, fut: F, doing: &str) -> Result<F::Output, RequestError> {
        let deadline = self.deadline;
        let expire = async move {
            match deadline {
                Some(d) => tokio::time::sleep_until(d).await,
                None => std::future::pending::<()>().await,
            }
        };
        tokio::select! {
            biased;
            () = self.cancel.cancelled() => {
                Err(self.fail(ErrorKind::Cancelled, format!("cancelled {doing}")))
            }
            () = expire => Err(self.fail(ErrorKind::Timeout, format!("timed out {doing}"))),
            out = fut => Ok(out),
        }
    }
}

/// What the body loop produced.
struct Body {
    held: Bytes,
    truncated: bool,
    size: u64,
    wire: u64,
}

async fn read_body(
    run: &mut Run,
    mut response: reqwest::Response,
    mut decoder: Decoder,
    sink: &mut Sink,
    content_length: Option<u64>,
) -> Result<Body, RequestError> {
    let mut wire: u64 = 0;
    let coding = decoder.name();
    sink.open(run).await?;
    'body: loop {
        let doing = mid_body(wire, content_length);
        let chunk = run.race(response.chunk(), &doing).await?.map_err(|e| {
            let (kind, message) = classify(
                &e,
                Phase::Body {
                    received: wire,
                    expected: content_length,
                },
            );
            run.fail(kind, message)
        })?;
        let Some(chunk) = chunk else { break };
        wire += chunk.len() as u64;
        decoder.push(chunk);
        while let Some(piece) = decoder.next_piece().map_err(|m| {
            run.fail(
                ErrorKind::Decode,
                format!("cannot decode {coding} body: {m} (at {wire} bytes received)"),
            )
        })? {
            if !sink.accept(run, piece).await? {
                break 'body;
            }
        }
        run.state.wire_bytes = wire;
        run.state.body_bytes = sink.size;
        run.publish();
    }
    if !sink.truncated && wire > 0 {
        let tail = decoder.finish().map_err(|m| {
            run.fail(
                ErrorKind::Decode,
                format!("cannot decode {coding} body: {m} (at {wire} bytes received)"),
            )
        })?;
        if !tail.is_empty() {
            sink.accept(run, tail).await?;
        }
    }
    run.state.wire_bytes = wire;
    run.state.body_bytes = sink.size;
    run.publish();
    Ok(Body {
        held: std::mem::take(&mut sink.held).freeze(),
        truncated: sink.truncated,
        size: sink.size,
        wire,
    })
}

fn mid_body(received: u64, expected: Option<u64>) -> String {
    match expected {
        Some(total) => format!("mid-body after {received} of {total} bytes"),
        None => format!("mid-body after {received} bytes"),
    }
}

/// Where decoded body bytes go: memory up to the cap, or a file.
struct Sink {
    cap: usize,
    held: BytesMut,
    size: u64,
    truncated: bool,
    target: Option<PathBuf>,
    file: Option<(tokio::io::BufWriter<tokio::fs::File>, PathBuf)>,
}

impl Sink {
    fn new(opts: &SendOptions, content_length: Option<u64>) -> Self {
        let reserve = if opts.save_to.is_some() {
            0
        } else {
            content_length.map_or(0, |n| {
                usize::try_from(n).unwrap_or(usize::MAX).min(opts.body_cap)
            })
        };
        Self {
            cap: opts.body_cap,
            held: BytesMut::with_capacity(reserve),
            size: 0,
            truncated: false,
            target: opts.save_to.clone(),
            file: None,
        }
    }

    async fn open(&mut self, run: &Run) -> Result<(), RequestError> {
        let Some(target) = &self.target else {
            return Ok(());
        };
        let part = part_path(target);
        let file = run
            .race(tokio::fs::File::create(&part), "while creating the file")
            .await?
            .map_err(|e| {
                run.fail(
                    ErrorKind::Io,
                    format!("cannot save body: cannot create {}: {e}", target.display()),
                )
            })?;
        self.file = Some((tokio::io::BufWriter::with_capacity(256 * 1024, file), part));
        Ok(())
    }

    /// Takes one decoded piece; `false` means the cap is reached and reading
    /// should stop.
    async fn accept(&mut self, run: &Run, piece: Bytes) -> Result<bool, RequestError> {
        self.size += piece.len() as u64;
        if let Some((file, _)) = &mut self.file {
            let written = run
                .race(file.write_all(&piece), "while saving the body")
                .await?;
            let target = self.target.as_deref().unwrap_or(Path::new(""));
            return written.map(|()| true).map_err(|e| {
                run.fail(
                    ErrorKind::Io,
                    format!("cannot save body: writing {}: {e}", target.display()),
                )
            });
        }
        let room = self.cap.saturating_sub(self.held.len());
        if piece.len() > room {
            self.reserve_within_cap(room);
            self.held.extend_from_slice(&piece[..room]);
            self.truncated = true;
            return Ok(false);
        }
        self.reserve_within_cap(piece.len());
        self.held.extend_from_slice(&piece);
        Ok(true)
    }

    /// Makes room for `additional` more bytes by doubling, as `BytesMut`
    /// would, but never past the cap: plain doubling from a small start
    /// (an unknown or compressed length) can reserve nearly twice the cap,
    /// and the body keeps that allocation for as long as it is shown. Near
    /// the cap it goes straight to it, rather than copying the whole body
    /// once more for a last small step.
    fn reserve_within_cap(&mut self, additional: usize) {
        let needed = self.held.len() + additional;
        if needed <= self.held.capacity() {
            return;
        }
        let doubled = self.held.capacity().saturating_mul(2);
        let target = if doubled >= self.cap / 3 * 2 {
            self.cap
        } else {
            doubled
        }
        .max(needed);
        let mut grown = BytesMut::with_capacity(target);
        grown.extend_from_slice(&self.held);
        self.held = grown;
    }

    /// Flushes the file and moves it into place.
    async fn finish(&mut self, run: &Run) -> Result<Option<PathBuf>, RequestError> {
        let (Some((mut file, part)), Some(target)) = (self.file.take(), self.target.clone()) else {
            return Ok(None);
        };
        let flushed = run.race(file.flush(), "while saving the body").await;
        let result = match flushed {
            Ok(Ok(())) => match tokio::fs::rename(&part, &target).await {
                Ok(()) => Ok(Some(target)),
                Err(e) => Err(run.fail(
                    ErrorKind::Io,
                    format!("cannot save body: moving it to {}: {e}", target.display()),
                )),
            },
            Ok(Err(e)) => Err(run.fail(
                ErrorKind::Io,
                format!("cannot save body: writing {}: {e}", target.display()),
            )),
            Err(e) => Err(e),
        };
        if result.is_err() {
            let _ = tokio::fs::remove_file(&part).await;
        }
        result
    }

    /// Removes a partly written file after a failure.
    async fn discard(&mut self) {
        if let Some((file, part)) = self.file.take() {
            drop(file);
            let _ = tokio::fs::remove_file(&part).await;
        }
    }
}

/// `dir/.name.part` beside the target, so the final rename stays on one
/// file system.
fn part_path(target: &Path) -> PathBuf {
    let name = target
        .file_name()
        .map_or_else(|| "body".into(), |n| n.to_string_lossy().into_owned());
    target.with_file_name(format!(".{name}.part"))
}

/// One hop's request: validated once, then rewritten per redirect.
#[derive(Debug, Clone)]
struct HopRequest {
    method: Method,
    url: Url,
    /// In the caller's order, the engine's defaults appended.
    headers: Vec<(HeaderName, HeaderValue)>,
    body: Option<Vec<u8>>,
}

/// Headers describing a body, dropped with it when a redirect turns the
/// request into a GET.
const BODY_HEADERS: [&str; 6] = [
    "content-type",
    "content-length",
    "content-encoding",
    "content-language",
    "content-location",
    "transfer-encoding",
];

impl HopRequest {
    fn prepare(req: &BuiltRequest, config: &EngineConfig) -> Result<Self, String> {
        let method = Method::from_bytes(req.method.trim().as_bytes())
            .map_err(|_| format!("bad method `{}`", req.method))?;
        let url = Url::parse(req.url.trim()).map_err(|e| format!("bad URL ({e})"))?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err(format!(
                "unsupported URL scheme `{}` (use http or https)",
                url.scheme()
            ));
        }
        if url.host_str().is_none_or(str::is_empty) {
            return Err("the URL has no host".to_string());
        }
        let mut headers = Vec::with_capacity(req.headers.len() + 3);
        for (name, value) in &req.headers {
            let header = HeaderName::from_bytes(name.trim().as_bytes())
                .map_err(|_| format!("bad header name `{}`", name.escape_debug()))?;
            let value = HeaderValue::from_bytes(value.as_bytes())
                .map_err(|_| format!("bad value for header `{name}`"))?;
            // The transport computes it from the body; a typed one could
            // only disagree.
            if header == reqwest::header::CONTENT_LENGTH {
                continue;
            }
            headers.push((header, value));
        }
        let has = |headers: &[(HeaderName, HeaderValue)], name: &HeaderName| {
            headers.iter().any(|(n, _)| n == name)
        };
        let defaults = [
            (reqwest::header::USER_AGENT, config.user_agent.as_str()),
            (reqwest::header::ACCEPT, "*/*"),
            (reqwest::header::ACCEPT_ENCODING, "gzip, deflate, br"),
        ];
        for (name, value) in defaults {
            if !has(&headers, &name) {
                let value = HeaderValue::from_str(value)
                    .map_err(|_| format!("bad value for header `{name}`"))?;
                headers.push((name, value));
            }
        }
        Ok(Self {
            method,
            url,
            headers,
            body: req.body.clone(),
        })
    }

    fn build(&self, client: &reqwest::Client) -> Result<reqwest::Request, reqwest::Error> {
        let mut map = HeaderMap::with_capacity(self.headers.len());
        for (name, value) in &self.headers {
            map.append(name.clone(), value.clone());
        }
        let mut builder = client
            .request(self.method.clone(), self.url.clone())
            .headers(map);
        if let Some(body) = &self.body {
            builder = builder.body(body.clone());
        }
        builder.build()
    }

    /// The next hop's request after a `status` redirect to `next`.
    fn redirected(mut self, status: u16, next: Url) -> Self {
        if matches!(status, 301..=303) && self.method != Method::GET && self.method != Method::HEAD
        {
            self.method = Method::GET;
            self.body = None;
            self.headers
                .retain(|(n, _)| !BODY_HEADERS.contains(&n.as_str()));
        }
        if !same_origin(&self.url, &next) {
            // Credentials were meant for the first host only; once dropped
            // they stay dropped, even if a later hop comes back.
            self.headers
                .retain(|(n, _)| !is_secret_name(n.as_str()) && n != reqwest::header::HOST);
        }
        self.url = next;
        self
    }

    /// The request as it went out, with the headers the transport adds.
    fn record(&self, version: &str) -> SentRequest {
        let mut headers: Vec<(String, String)> = self
            .headers
            .iter()
            .map(|(n, v)| {
                (
                    n.as_str().to_string(),
                    String::from_utf8_lossy(v.as_bytes()).into_owned(),
                )
            })
            .collect();
        let has = |headers: &[(String, String)], name: &str| headers.iter().any(|(n, _)| n == name);
        if version.starts_with("HTTP/1") && !has(&headers, "host") {
            let host = self.url.host_str().unwrap_or_default();
            let authority = match self.url.port() {
                Some(port) => format!("{host}:{port}"),
                None => host.to_string(),
            };
            headers.push(("host".to_string(), authority));
        }
        if let Some(body) = &self.body
            && (!body.is_empty() || !matches!(self.method, Method::GET | Method::HEAD))
        {
            headers.push(("content-length".to_string(), body.len().to_string()));
        }
        SentRequest {
            method: self.method.to_string(),
            url: self.url.to_string(),
            headers,
            body: self.body.clone(),
        }
    }
}

fn same_origin(a: &Url, b: &Url) -> bool {
    a.scheme() == b.scheme()
        && a.host_str() == b.host_str()
        && a.port_or_known_default() == b.port_or_known_default()
}

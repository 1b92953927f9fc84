//! In-process loopback HTTP servers for the integration tests.
//!
//! [`TestServer`] is a well-behaved axum server on `127.0.0.1:0` with
//! routes for the usual cases (see [`TestServer::start`]); [`RawServer`]
//! answers each connection with a hand-written byte-level behaviour, for
//! what a correct server cannot do (custom reason phrases, invalid HTTP,
//! resets, heads that never end). Both stop when dropped.
//!
//! [`tui`] is the harness that drives the whole TUI; [`servers`] runs real,
//! independent servers (httpbin, Prism) installed by `.ci/servers`;
//! [`terminal`] runs the binary itself on a pseudo-terminal.
//!
//! Use from a test file with `mod support;`.
// Each test binary uses a part of this module and its submodules; what one
// binary leaves unused is not dead.
#![allow(dead_code)]

pub mod keychain;
pub mod servers;
pub mod terminal;
pub mod tui;

use std::future::Future;
use std::io::Write as _;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{Path, Query, Request};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{any, get};
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;

/// The well-behaved server. Routes:
///
/// | route | answer |
/// | --- | --- |
/// | `/status/{code}` | that status, body `status {code}` |
/// | `/echo` (any method) | the request as JSON: `method`, `path`, `query`, `headers` (`[[name, value]]`), `body` (text), `body_len` |
/// | `/headers` | `{"headers": [[name, value], ...]}` of the request |
/// | `/gzip`, `/brotli`, `/deflate` | [`json_sample`] compressed, `Content-Encoding` set |
/// | `/bad-gzip` | `Content-Encoding: gzip` over bytes that are not gzip |
/// | `/redirect/{n}` | 302 to `/redirect/{n-1}`; `/redirect/0` answers like `/echo` |
/// | `/redirect-to?url=U&status=S` | status S (302) with `Location: U` |
/// | `/loop` | 302 to itself |
/// | `/delay/{ms}` | waits, then `200 done` |
/// | `/bytes/{n}` | n bytes of [`pattern_byte`] in 64 KiB chunks, with `Content-Length`; `?chunked=1` leaves it out |
/// | `/endless` | a chunked body that never ends |
/// | `/drip` | one byte every 100 ms, forever |
/// | `/repeat-headers` | `set-cookie` and `x-multi` repeated, interleaved |
/// | `/non-utf8` | `caf\xe9 \xff\xfe` as `text/plain; charset=iso-8859-1` |
/// | `/non-utf8-json` | the same bytes declared `application/json` |
pub struct TestServer {
    pub addr: SocketAddr,
    task: JoinHandle<()>,
}

impl TestServer {
    pub async fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind loopback");
        let addr = listener.local_addr().expect("local addr");
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, router()).await;
        });
        Self { addr, task }
    }

    /// `http://127.0.0.1:PORT{path}`.
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// The same server under another host name (`localhost`), for
    /// cross-host redirects.
    pub fn localhost_url(&self, path: &str) -> String {
        format!("http://localhost:{}{path}", self.addr.port())
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// The JSON document the compressed routes serve (before compression).
pub fn json_sample() -> Vec<u8> {
    let rows: Vec<Value> = (0..200)
        .map(|i| json!({"id": i, "name": format!("item {i}"), "tags": ["a", "b"]}))
        .collect();
    serde_json::to_vec(&json!({"items": rows})).expect("serialise sample")
}

/// The byte at `offset` of a `/bytes/{n}` body.
pub fn pattern_byte(offset: u64) -> u8 {
    (offset % 251) as u8
}

/// The body of `/non-utf8`.
pub const NON_UTF8: &[u8] = b"caf\xe9 \xff\xfe";

fn router() -> Router {
    Router::new()
        .route("/status/{code}", any(status))
        .route("/echo", any(echo))
        .route("/headers", any(headers))
        .route("/gzip", get(|| async { compressed("gzip") }))
        .route("/brotli", get(|| async { compressed("br") }))
        .route("/deflate", get(|| async { compressed("deflate") }))
        .route("/bad-gzip", get(bad_gzip))
        .route("/redirect/{n}", any(redirect_n))
        .route("/redirect-to", any(redirect_to))
        .route(
            "/loop",
            any(|| async { redirect(StatusCode::FOUND, "/loop") }),
        )
        .route("/delay/{ms}", any(delay))
        .route("/bytes/{n}", get(bytes_n))
        .route("/endless", get(endless))
        .route("/drip", get(drip))
        .route("/repeat-headers", get(repeat_headers))
        .route(
            "/non-utf8",
            get(|| async { non_utf8("text/plain; charset=iso-8859-1") }),
        )
        .route(
            "/non-utf8-json",
            get(|| async { non_utf8("application/json") }),
        )
}

async fn status(Path(code): Path<u16>) -> Response {
    match StatusCode::from_u16(code) {
        Ok(s) => (s, format!("status {code}")).into_response(),
        Err(_) => (StatusCode::BAD_REQUEST, "bad status code").into_response(),
    }
}

fn header_pairs(headers: &HeaderMap) -> Vec<(String, String)> {
    headers
        .iter()
        .map(|(n, v)| {
            (
                n.as_str().to_string(),
                String::from_utf8_lossy(v.as_bytes()).into_owned(),
            )
        })
        .collect()
}

async fn echo_json(req: Request) -> Value {
    let (parts, body) = req.into_parts();
    let body = axum::body::to_bytes(body, 64 * 1024 * 1024)
        .await
        .unwrap_or_default();
    json!({
        "method": parts.method.as_str(),
        "path": parts.uri.path(),
        "query": parts.uri.query(),
        "headers": header_pairs(&parts.headers),
        "body": String::from_utf8_lossy(&body),
        "body_len": body.len(),
    })
}

async fn echo(req: Request) -> Response {
    axum::Json(echo_json(req).await).into_response()
}

async fn headers(headers: HeaderMap) -> Response {
    axum::Json(json!({ "headers": header_pairs(&headers) })).into_response()
}

fn encode(coding: &str, data: &[u8]) -> Vec<u8> {
    match coding {
        "gzip" => {
            let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
            e.write_all(data).expect("gzip");
            e.finish().expect("gzip")
        }
        "deflate" => {
            let mut e = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
            e.write_all(data).expect("deflate");
            e.finish().expect("deflate")
        }
        _ => {
            let mut out = Vec::new();
            {
                let mut w = brotli::CompressorWriter::new(&mut out, 4096, 5, 22);
                w.write_all(data).expect("brotli");
            }
            out
        }
    }
}

fn compressed(coding: &str) -> Response {
    let body = encode(coding, &json_sample());
    (
        [
            (header::CONTENT_TYPE, "application/json"),
            (header::CONTENT_ENCODING, coding),
        ],
        body,
    )
        .into_response()
}

async fn bad_gzip() -> Response {
    (
        [
            (header::CONTENT_TYPE, "application/json"),
            (header::CONTENT_ENCODING, "gzip"),
        ],
        &b"\x1f\x8b\x08\x00this is not a deflate stream at all, sorry"[..],
    )
        .into_response()
}

fn redirect(status: StatusCode, location: &str) -> Response {
    let mut res = (status, format!("see {location}")).into_response();
    if let Ok(v) = HeaderValue::from_str(location) {
        res.headers_mut().insert(header::LOCATION, v);
    }
    res
}

async fn redirect_n(Path(n): Path<u32>, req: Request) -> Response {
    if n == 0 {
        return echo(req).await;
    }
    redirect(StatusCode::FOUND, &format!("/redirect/{}", n - 1))
}

#[derive(serde::Deserialize)]
struct RedirectTo {
    url: String,
    status: Option<u16>,
}

async fn redirect_to(Query(q): Query<RedirectTo>) -> Response {
    let status = q
        .status
        .and_then(|s| StatusCode::from_u16(s).ok())
        .unwrap_or(StatusCode::FOUND);
    redirect(status, &q.url)
}

async fn delay(Path(ms): Path<u64>) -> Response {
    tokio::time::sleep(Duration::from_millis(ms)).await;
    "done".into_response()
}

#[derive(serde::Deserialize)]
struct BytesQuery {
    chunked: Option<u8>,
}

async fn bytes_n(Path(n): Path<u64>, Query(q): Query<BytesQuery>) -> Response {
    const CHUNK: u64 = 64 * 1024;
    let stream = futures_util::stream::unfold(0u64, move |sent| async move {
        if sent >= n {
            return None;
        }
        let len = CHUNK.min(n - sent);
        let chunk: Vec<u8> = (sent..sent + len).map(pattern_byte).collect();
        Some((Ok::<_, std::io::Error>(Bytes::from(chunk)), sent + len))
    });
    let mut res = Response::new(Body::from_stream(stream));
    res.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/octet-stream"),
    );
    if q.chunked != Some(1) {
        res.headers_mut()
            .insert(header::CONTENT_LENGTH, HeaderValue::from(n));
    }
    res
}

async fn endless() -> Response {
    let chunk = Bytes::from(vec![b'x'; 64 * 1024]);
    let stream = futures_util::stream::repeat_with(move || Ok::<_, std::io::Error>(chunk.clone()));
    Response::new(Body::from_stream(stream))
}

async fn drip() -> Response {
    let stream = futures_util::stream::unfold((), |()| async {
        tokio::time::sleep(Duration::from_millis(100)).await;
        Some((Ok::<_, std::io::Error>(Bytes::from_static(b".")), ()))
    });
    Response::new(Body::from_stream(stream))
}

async fn repeat_headers() -> Response {
    let mut res = "repeated".into_response();
    let h = res.headers_mut();
    h.append("set-cookie", HeaderValue::from_static("a=1"));
    h.append("x-multi", HeaderValue::from_static("one"));
    h.append("set-cookie", HeaderValue::from_static("b=2"));
    h.append("x-multi", HeaderValue::from_static("two"));
    h.append("x-multi", HeaderValue::from_static("three"));
    res
}

fn non_utf8(content_type: &'static str) -> Response {
    ([(header::CONTENT_TYPE, content_type)], NON_UTF8).into_response()
}

/// A server that hands every accepted connection to `handler`, for
/// behaviour no well-formed server shows.
pub struct RawServer {
    pub addr: SocketAddr,
    task: JoinHandle<()>,
}

impl RawServer {
    pub async fn start<F, Fut>(handler: F) -> Self
    where
        F: Fn(TcpStream) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = ()> + Send + 'static,
    {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind loopback");
        let addr = listener.local_addr().expect("local addr");
        let handler = Arc::new(handler);
        let task = tokio::spawn(async move {
            let mut conns = tokio::task::JoinSet::new();
            while let Ok((stream, _)) = listener.accept().await {
                let handler = Arc::clone(&handler);
                conns.spawn(async move { handler(stream).await });
            }
        });
        Self { addr, task }
    }

    /// Reads the request head, writes `bytes`, then closes.
    pub async fn respond(bytes: impl Into<Vec<u8>>) -> Self {
        let bytes: Arc<Vec<u8>> = Arc::new(bytes.into());
        Self::start(move |mut stream| {
            let bytes = Arc::clone(&bytes);
            async move {
                read_request_head(&mut stream).await;
                let _ = stream.write_all(&bytes).await;
                let _ = stream.shutdown().await;
            }
        })
        .await
    }

    /// Reads the request head, writes `bytes`, then keeps the connection
    /// open without a word until the client gives up.
    pub async fn respond_then_hang(bytes: impl Into<Vec<u8>>) -> Self {
        let bytes: Arc<Vec<u8>> = Arc::new(bytes.into());
        Self::start(move |mut stream| {
            let bytes = Arc::clone(&bytes);
            async move {
                read_request_head(&mut stream).await;
                let _ = stream.write_all(&bytes).await;
                let mut sink = [0u8; 1024];
                while let Ok(n) = stream.read(&mut sink).await {
                    if n == 0 {
                        break;
                    }
                }
            }
        })
        .await
    }

    /// Reads the request head, writes `bytes`, then resets the connection
    /// (RST, not FIN).
    pub async fn respond_then_reset(bytes: impl Into<Vec<u8>>) -> Self {
        let bytes: Arc<Vec<u8>> = Arc::new(bytes.into());
        Self::start(move |mut stream| {
            let bytes = Arc::clone(&bytes);
            async move {
                read_request_head(&mut stream).await;
                let _ = stream.write_all(&bytes).await;
                let _ = stream.flush().await;
                // Let the bytes leave before the reset discards them.
                tokio::time::sleep(Duration::from_millis(50)).await;
                let _ = stream.set_zero_linger();
                drop(stream);
            }
        })
        .await
    }

    /// Accepts and closes at once, before reading anything.
    pub async fn close_immediately() -> Self {
        Self::start(|stream| async move { drop(stream) }).await
    }

    /// `http://127.0.0.1:PORT{path}`.
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }
}

impl Drop for RawServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Reads up to the end of a request head (`\r\n\r\n`), at most 1 MiB.
/// Request bodies are left unread.
pub async fn read_request_head(stream: &mut TcpStream) -> Vec<u8> {
    let mut head = Vec::new();
    let mut buf = [0u8; 4096];
    while !head.windows(4).any(|w| w == b"\r\n\r\n") && head.len() < 1024 * 1024 {
        match stream.read(&mut buf).await {
            Ok(0) | Err(_) => break,
            Ok(n) => head.extend_from_slice(&buf[..n]),
        }
    }
    head
}

/// An HTTPS server on loopback with a self-signed certificate (for
/// `localhost` and `127.0.0.1`, in `tests/fixtures/tls`), answering every
/// request with `200 ok`. Plain threads and rustls' blocking API: no TLS
/// server crate needed.
pub struct TlsServer {
    pub addr: SocketAddr,
    stop: Arc<std::sync::atomic::AtomicBool>,
}

impl TlsServer {
    pub fn start() -> Self {
        use rustls::pki_types::pem::PemObject;
        use rustls::pki_types::{CertificateDer, PrivateKeyDer};

        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/tls");
        let certs: Vec<CertificateDer<'static>> =
            CertificateDer::pem_file_iter(dir.join("cert.pem"))
                .expect("read cert.pem")
                .collect::<Result<_, _>>()
                .expect("parse cert.pem");
        let key = PrivateKeyDer::from_pem_file(dir.join("key.pem")).expect("read key.pem");
        let config = rustls::ServerConfig::builder_with_provider(Arc::new(
            rustls::crypto::ring::default_provider(),
        ))
        .with_safe_default_protocol_versions()
        .expect("protocol versions")
        .with_no_client_auth()
        .with_single_cert(certs, key)
        .expect("server certificate");
        let config = Arc::new(config);

        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind loopback");
        listener.set_nonblocking(true).expect("nonblocking");
        let addr = listener.local_addr().expect("local addr");
        let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let stopped = Arc::clone(&stop);
        std::thread::spawn(move || {
            while !stopped.load(std::sync::atomic::Ordering::Relaxed) {
                match listener.accept() {
                    Ok((stream, _)) => {
                        let config = Arc::clone(&config);
                        std::thread::spawn(move || serve_tls(stream, config));
                    }
                    Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {
                        std::thread::sleep(Duration::from_millis(5));
                    }
                    Err(_) => break,
                }
            }
        });
        Self { addr, stop }
    }

    /// `https://127.0.0.1:PORT{path}`.
    pub fn url(&self, path: &str) -> String {
        format!("https://{}{path}", self.addr)
    }
}

impl Drop for TlsServer {
    fn drop(&mut self) {
        self.stop.store(true, std::sync::atomic::Ordering::Relaxed);
    }
}

fn serve_tls(stream: std::net::TcpStream, config: Arc<rustls::ServerConfig>) {
    use std::io::Read as _;
    let _ = stream.set_nonblocking(false);
    let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
    let Ok(conn) = rustls::ServerConnection::new(config) else {
        return;
    };
    let mut tls = rustls::StreamOwned::new(conn, stream);
    let mut head = Vec::new();
    let mut buf = [0u8; 4096];
    while !head.windows(4).any(|w| w == b"\r\n\r\n") {
        match tls.read(&mut buf) {
            Ok(0) | Err(_) => return,
            Ok(n) => head.extend_from_slice(&buf[..n]),
        }
    }
    let _ = tls.write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\nconnection: close\r\n\r\nok");
    tls.conn.send_close_notify();
    let _ = tls.flush();
}

/// A port on loopback where nothing listens (bound, then released).
pub async fn closed_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind loopback");
    let port = listener.local_addr().expect("local addr").port();
    drop(listener);
    port
}

/// ../shared/specs next to the checkout (or next to the worktrees folder).
pub fn specs_dir() -> Option<std::path::PathBuf> {
    let candidates = [
        concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/specs"),
        concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/specs"),
    ];
    let found = candidates
        .iter()
        .map(std::path::Path::new)
        .find(|d| d.is_dir());
    if found.is_none() {
        eprintln!("note: {} is absent; skipping", candidates[0]);
    }
    found.map(std::path::Path::to_path_buf)
}

/// Runs the real binary with a home (presets, history) and working
/// directory (`.env`) of its own, so the user's files play no part; stdout
/// and stderr piped.
pub async fn portico(args: &[&str]) -> std::process::Output {
    let home = tempfile::tempdir().expect("home");
    tokio::process::Command::new(env!("CARGO_BIN_EXE_portico"))
        .args(args)
        .env("PORTICO_HOME", home.path())
        .current_dir(home.path())
        .output()
        .await
        .expect("run portico")
}

/// Writes `text` to `dir/name`; the path as a string, for an argument.
pub fn write_file(dir: &std::path::Path, name: &str, text: &str) -> String {
    let path = dir.join(name);
    std::fs::write(&path, text).expect("write file");
    path.to_string_lossy().into_owned()
}

/// A header of a request the [`TestServer`]'s `/echo` echoed, by name in
/// any case.
pub fn echo_header<'a>(echo: &'a serde_json::Value, name: &str) -> Option<&'a str> {
    echo["headers"].as_array()?.iter().find(|pair| {
        pair[0]
            .as_str()
            .is_some_and(|n| n.eq_ignore_ascii_case(name))
    })?[1]
        .as_str()
}

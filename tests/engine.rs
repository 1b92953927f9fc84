//! The HTTP engine against real servers on loopback: the well-behaved
//! [`support::TestServer`] for the ordinary cases and [`support::RawServer`]
//! for hostile ones (issue 6's fault list).

mod support;

use std::time::Duration;

use portico::http::{
    Engine, EngineConfig, ErrorKind, Exchange, Progress, RequestError, SendOptions,
};
use portico::request::BuiltRequest;
use serde_json::Value;
use support::{NON_UTF8, RawServer, TestServer, json_sample, pattern_byte};
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

fn engine() -> Engine {
    Engine::new(EngineConfig::default()).expect("engine")
}

fn get(url: &str) -> BuiltRequest {
    BuiltRequest {
        method: "GET".into(),
        url: url.into(),
        ..BuiltRequest::default()
    }
}

async fn send(req: &BuiltRequest, opts: &SendOptions) -> Result<Exchange, RequestError> {
    engine().send(req, opts, CancellationToken::new()).await
}

async fn send_ok(req: &BuiltRequest) -> Exchange {
    send(req, &SendOptions::default()).await.expect("exchange")
}

fn short(timeout_ms: u64) -> SendOptions {
    SendOptions {
        timeout: Some(Duration::from_millis(timeout_ms)),
        ..SendOptions::default()
    }
}

fn json(ex: &Exchange) -> Value {
    serde_json::from_slice(&ex.response.body).expect("JSON body")
}

/// The request headers as the echo route saw them.
fn echoed_headers(ex: &Exchange) -> Vec<(String, String)> {
    serde_json::from_value(json(ex)["headers"].clone()).expect("headers array")
}

#[tokio::test]
async fn status_headers_body_and_timing() {
    let server = TestServer::start().await;
    let ex = send_ok(&get(&server.url("/status/404"))).await;
    assert_eq!(ex.response.status, 404);
    assert_eq!(ex.response.reason, "Not Found");
    assert_eq!(ex.response.version, "HTTP/1.1");
    assert_eq!(&ex.response.body[..], b"status 404");
    assert_eq!(ex.response.size, 10);
    assert!(!ex.response.truncated);
    assert!(ex.redirects.is_empty());
    assert!(ex.timing.headers <= ex.timing.total);
    assert!(ex.timing.total > Duration::ZERO);
    assert_eq!(ex.response.header("content-length"), Some("10"));
}

#[tokio::test]
async fn request_is_recorded_as_sent() {
    let server = TestServer::start().await;
    let req = BuiltRequest {
        method: "POST".into(),
        url: server.url("/echo?a=1"),
        headers: vec![
            ("Content-Type".into(), "application/json".into()),
            ("X-Trace".into(), "t1".into()),
        ],
        body: Some(br#"{"Inputs": {}}"#.to_vec()),
        secret_values: vec![],
        form: Vec::new(),
        body_file: None,
    };
    let ex = send_ok(&req).await;
    let echoed = json(&ex);
    assert_eq!(echoed["method"], "POST");
    assert_eq!(echoed["query"], "a=1");
    assert_eq!(echoed["body"], r#"{"Inputs": {}}"#);

    let sent = &ex.request;
    assert_eq!(sent.method, "POST");
    assert_eq!(sent.url, server.url("/echo?a=1"));
    assert_eq!(sent.body.as_deref(), Some(&br#"{"Inputs": {}}"#[..]));
    // Every header the server received is in the record, with its value.
    let recorded: Vec<(String, String)> = sent
        .headers
        .iter()
        .map(|(n, v)| (n.to_ascii_lowercase(), v.clone()))
        .collect();
    for pair in echoed_headers(&ex) {
        assert!(
            recorded.contains(&pair),
            "{pair:?} missing from {recorded:?}"
        );
    }
    assert_eq!(
        recorded[0],
        ("content-type".into(), "application/json".into())
    );
    assert!(recorded.contains(&("accept-encoding".into(), "gzip, deflate, br".into())));
    assert!(
        recorded
            .iter()
            .any(|(n, v)| n == "user-agent" && v.starts_with("portico/"))
    );
}

#[tokio::test]
async fn custom_reason_phrase_from_a_raw_server() {
    let server = RawServer::respond(
        "HTTP/1.1 418 Short And Stout\r\ncontent-length: 6\r\nx-kind: teapot\r\n\r\nteapot",
    )
    .await;
    let ex = send_ok(&get(&server.url("/brew"))).await;
    assert_eq!(ex.response.status, 418);
    assert_eq!(ex.response.reason, "Short And Stout");
    assert_eq!(ex.response.status_line(), "418 Short And Stout");
    assert_eq!(ex.response.header("X-Kind"), Some("teapot"));
    assert_eq!(&ex.response.body[..], b"teapot");
}

#[tokio::test]
async fn repeated_headers_keep_their_order() {
    let server = TestServer::start().await;
    let ex = send_ok(&get(&server.url("/repeat-headers"))).await;
    let cookies: Vec<&str> = ex.response.header_all("set-cookie").collect();
    assert_eq!(cookies, ["a=1", "b=2"]);
    let multi: Vec<&str> = ex.response.header_all("x-multi").collect();
    assert_eq!(multi, ["one", "two", "three"]);
}

#[tokio::test]
async fn gzip_brotli_and_deflate_are_decoded_with_headers_intact() {
    let server = TestServer::start().await;
    let expected = json_sample();
    for (path, coding) in [
        ("/gzip", "gzip"),
        ("/brotli", "br"),
        ("/deflate", "deflate"),
    ] {
        let ex = send_ok(&get(&server.url(path))).await;
        let r = &ex.response;
        assert_eq!(r.body.as_ref(), expected.as_slice(), "{path}");
        assert_eq!(r.header("content-encoding"), Some(coding), "{path}");
        assert_eq!(r.decoded_from.as_deref(), Some(coding), "{path}");
        assert_eq!(r.size, expected.len() as u64);
        assert!(r.wire_size < r.size, "{path}: {} on the wire", r.wire_size);
        // Content-Length still describes the bytes on the wire.
        assert_eq!(
            r.header("content-length"),
            Some(r.wire_size.to_string().as_str())
        );
        assert!(r.is_json());
    }
}

#[tokio::test]
async fn invalid_gzip_is_a_decode_error() {
    let server = TestServer::start().await;
    let err = send(&get(&server.url("/bad-gzip")), &SendOptions::default())
        .await
        .expect_err("bad gzip");
    assert_eq!(err.kind, ErrorKind::Decode);
    assert!(
        err.to_string().starts_with("cannot decode gzip body"),
        "{err}"
    );
    assert!(err.to_string().contains("/bad-gzip"), "{err}");
}

#[tokio::test]
async fn non_utf8_body_is_kept_byte_for_byte() {
    let server = TestServer::start().await;
    let ex = send_ok(&get(&server.url("/non-utf8"))).await;
    assert_eq!(&ex.response.body[..], NON_UTF8);
    assert!(!ex.response.is_utf8());
    assert_eq!(
        ex.response.body_text_lossy(),
        "caf\u{fffd} \u{fffd}\u{fffd}"
    );
    // Decoded in the charset it declares, it is text after all.
    assert_eq!(ex.response.charset().as_deref(), Some("iso-8859-1"));
    let text = ex.response.body_text();
    assert_eq!(text.text, "café ÿþ");
    assert!(!text.lossy);

    let ex = send_ok(&get(&server.url("/non-utf8-json"))).await;
    assert!(ex.response.is_json());
    assert_eq!(&ex.response.body[..], NON_UTF8);
    let text = ex.response.body_text();
    assert_eq!(text.encoding, "UTF-8");
    assert!(text.lossy);
}

#[tokio::test]
async fn redirects_are_recorded_hop_by_hop() {
    let server = TestServer::start().await;
    let ex = send_ok(&get(&server.url("/redirect/3"))).await;
    assert_eq!(ex.response.status, 200);
    let hops: Vec<(u16, String)> = ex
        .redirects
        .iter()
        .map(|h| (h.status, h.url.clone()))
        .collect();
    assert_eq!(
        hops,
        [
            (302, server.url("/redirect/3")),
            (302, server.url("/redirect/2")),
            (302, server.url("/redirect/1")),
        ]
    );
    assert_eq!(ex.redirects[2].location, server.url("/redirect/0"));
    assert_eq!(ex.request.url, server.url("/redirect/0"));
    assert_eq!(json(&ex)["path"], "/redirect/0");
}

#[tokio::test]
async fn too_many_redirects_and_loops_are_errors() {
    let server = TestServer::start().await;
    let opts = SendOptions {
        max_redirects: 2,
        ..SendOptions::default()
    };
    let err = send(&get(&server.url("/redirect/5")), &opts)
        .await
        .expect_err("too many");
    assert_eq!(err.kind, ErrorKind::TooManyRedirects);
    assert!(err.to_string().contains("more than 2"), "{err}");

    let err = send(&get(&server.url("/loop")), &SendOptions::default())
        .await
        .expect_err("loop");
    assert_eq!(err.kind, ErrorKind::RedirectLoop);
    assert!(err.to_string().starts_with("redirect loop"), "{err}");

    // 0 means "do not follow": the 3xx itself is the answer.
    let opts = SendOptions {
        max_redirects: 0,
        ..SendOptions::default()
    };
    let ex = send(&get(&server.url("/redirect/1")), &opts)
        .await
        .expect("3xx");
    assert_eq!(ex.response.status, 302);
    assert_eq!(ex.response.header("location"), Some("/redirect/0"));
}

#[tokio::test]
async fn redirect_methods_follow_the_status() {
    let server = TestServer::start().await;
    let post = |url: String| BuiltRequest {
        method: "POST".into(),
        url,
        headers: vec![("Content-Type".into(), "text/plain".into())],
        body: Some(b"payload".to_vec()),
        secret_values: vec![],
        form: Vec::new(),
        body_file: None,
    };
    for (status, method, body) in [
        (302, "GET", ""),
        (303, "GET", ""),
        (307, "POST", "payload"),
        (308, "POST", "payload"),
    ] {
        let target = format!("/redirect-to?status={status}&url=/echo");
        let ex = send_ok(&post(server.url(&target))).await;
        let echoed = json(&ex);
        assert_eq!(echoed["method"], method, "{status}");
        assert_eq!(echoed["body"], body, "{status}");
        assert_eq!(ex.request.method, method);
        assert_eq!(ex.redirects[0].status, status);
        let has_type = echoed_headers(&ex).iter().any(|(n, _)| n == "content-type");
        assert_eq!(has_type, method == "POST", "{status}");
    }
}

#[tokio::test]
async fn credentials_are_not_forwarded_to_another_host() {
    let server = TestServer::start().await;
    let secret = [
        (
            "Authorization".to_string(),
            "Bearer s3cr3t-token".to_string(),
        ),
        (
            "Ocp-Apim-Subscription-Key".to_string(),
            "k3y-value".to_string(),
        ),
        ("Cookie".to_string(), "session=abc".to_string()),
        ("X-Plain".to_string(), "kept".to_string()),
    ];
    let with_auth = |url: String| BuiltRequest {
        method: "GET".into(),
        url,
        headers: secret.to_vec(),
        body: None,
        secret_values: vec!["s3cr3t-token".into(), "k3y-value".into()],
        form: Vec::new(),
        body_file: None,
    };

    // Same host: everything goes along.
    let same = format!("/redirect-to?url={}", server.url("/echo"));
    let ex = send_ok(&with_auth(server.url(&same))).await;
    let names: Vec<String> = echoed_headers(&ex).into_iter().map(|(n, _)| n).collect();
    for name in [
        "authorization",
        "ocp-apim-subscription-key",
        "cookie",
        "x-plain",
    ] {
        assert!(
            names.contains(&name.to_string()),
            "{name} dropped on same host"
        );
    }

    // 127.0.0.1 -> localhost: another host, credentials stay behind.
    let cross = format!("/redirect-to?url={}", server.localhost_url("/echo"));
    let ex = send_ok(&with_auth(server.url(&cross))).await;
    assert_eq!(ex.redirects.len(), 1);
    assert_eq!(ex.request.url, server.localhost_url("/echo"));
    let echoed = echoed_headers(&ex);
    let names: Vec<&str> = echoed.iter().map(|(n, _)| n.as_str()).collect();
    assert!(names.contains(&"x-plain"), "{names:?}");
    for name in ["authorization", "ocp-apim-subscription-key", "cookie"] {
        assert!(
            !names.contains(&name),
            "{name} forwarded cross-host: {names:?}"
        );
        assert!(
            !ex.request
                .headers
                .iter()
                .any(|(n, _)| n.eq_ignore_ascii_case(name)),
            "{name} in the record"
        );
    }
    assert!(!String::from_utf8_lossy(&ex.response.body).contains("s3cr3t"));
}

#[tokio::test]
async fn timeout_waiting_for_headers() {
    let server = TestServer::start().await;
    let started = Instant::now();
    let err = send(&get(&server.url("/delay/5000")), &short(200))
        .await
        .expect_err("timeout");
    assert_eq!(err.kind, ErrorKind::Timeout);
    assert!(started.elapsed() < Duration::from_secs(2));
    assert!(err.elapsed >= Duration::from_millis(200));
    assert!(
        err.to_string()
            .starts_with("timed out while waiting for the response headers"),
        "{err}"
    );
}

#[tokio::test]
async fn connection_refused() {
    let port = support::closed_port().await;
    let url = format!("http://127.0.0.1:{port}/x");
    let err = send(&get(&url), &SendOptions::default())
        .await
        .expect_err("refused");
    assert_eq!(err.kind, ErrorKind::Connect);
    assert_eq!(err.url, url);
    let line = err.to_string();
    assert!(
        line.starts_with(&format!("connection refused: {url} (after ")),
        "{line}"
    );
    assert!(line.ends_with(" ms)"), "{line}");
}

/// The error is of `kind` and its message says `words`.
#[track_caller]
fn assert_error(err: &RequestError, kind: ErrorKind, words: &str) {
    assert_eq!(err.kind, kind, "{err}");
    assert!(err.message.contains(words), "{err}");
}

#[tokio::test]
async fn invalid_requests_are_refused_before_sending() {
    let cases = [
        (get("not a url"), "bad URL"),
        (get("ftp://127.0.0.1/x"), "unsupported URL scheme"),
        (
            BuiltRequest {
                method: "BAD METHOD".into(),
                ..get("http://127.0.0.1:9/")
            },
            "bad method",
        ),
        (
            BuiltRequest {
                headers: vec![("X-Bad".into(), "a\r\nInjected: 1".into())],
                ..get("http://127.0.0.1:9/")
            },
            "bad value for header `X-Bad`",
        ),
    ];
    for (req, expected) in cases {
        let err = send(&req, &SendOptions::default())
            .await
            .expect_err("invalid");
        assert_error(&err, ErrorKind::InvalidRequest, expected);
    }
}

#[tokio::test]
async fn secrets_in_the_url_are_masked_in_errors() {
    let port = support::closed_port().await;
    let req = BuiltRequest {
        secret_values: vec!["very-secret-key".into()],
        ..get(&format!("http://127.0.0.1:{port}/x?key=very-secret-key"))
    };
    let err = send(&req, &SendOptions::default())
        .await
        .expect_err("refused");
    assert!(!err.to_string().contains("very-secret-key"), "{err}");
    assert!(err.url.contains(portico::secrets::MASK), "{err}");
}

#[tokio::test]
async fn cancel_before_and_while_waiting_for_headers() {
    let server = TestServer::start().await;
    // A slow request, sent by a new engine with the token given.
    let slow = get(&server.url("/delay/5000"));
    let send_slow = |token| {
        let slow = &slow;
        async move { engine().send(slow, &SendOptions::default(), token).await }
    };
    let token = CancellationToken::new();
    token.cancel();
    let err = send_slow(token).await.expect_err("cancelled");
    assert_eq!(err.kind, ErrorKind::Cancelled);

    let token = CancellationToken::new();
    let canceller = token.clone();
    tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(100)).await;
        canceller.cancel();
    });
    let started = Instant::now();
    let err = send_slow(token).await.expect_err("cancelled");
    assert_eq!(err.kind, ErrorKind::Cancelled);
    assert!(
        err.message.contains("waiting for the response headers"),
        "{err}"
    );
    assert!(started.elapsed() < Duration::from_secs(1));
}

#[tokio::test]
async fn cancel_mid_body() {
    let server = TestServer::start().await;
    let token = CancellationToken::new();
    let (tx, mut rx) = tokio::sync::watch::channel(Progress::default());
    let opts = SendOptions {
        progress: Some(tx),
        ..SendOptions::default()
    };
    let canceller = token.clone();
    tokio::spawn(async move {
        // Cancel once some of the never-ending body has arrived.
        let _ = rx.wait_for(|p| p.body_bytes > 0).await;
        canceller.cancel();
    });
    let started = Instant::now();
    let err = engine()
        .send(&get(&server.url("/drip")), &opts, token)
        .await
        .expect_err("cancelled");
    assert_eq!(err.kind, ErrorKind::Cancelled);
    assert!(
        err.message.starts_with("cancelled mid-body after "),
        "{err}"
    );
    assert!(started.elapsed() < Duration::from_secs(2));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fifty_megabytes_capped_in_memory_or_saved_whole() {
    const SIZE: u64 = 50 * 1000 * 1000;
    let server = TestServer::start().await;
    let url = server.url(&format!("/bytes/{SIZE}"));

    let capped = send_ok(&get(&url)).await;
    let r = &capped.response;
    assert!(r.truncated);
    assert_eq!(r.body.len(), portico::http::DEFAULT_BODY_CAP);
    assert!(r.size >= r.body.len() as u64 && r.size < SIZE);
    assert!(
        r.body
            .iter()
            .enumerate()
            .all(|(i, b)| *b == pattern_byte(i as u64))
    );
    assert_eq!(r.header("content-length"), Some(SIZE.to_string().as_str()));

    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("body.bin");
    let opts = SendOptions {
        save_to: Some(path.clone()),
        ..SendOptions::default()
    };
    let saved = send(&get(&url), &opts).await.expect("saved");
    let r = &saved.response;
    assert!(!r.truncated);
    assert!(r.body.is_empty());
    assert_eq!(r.size, SIZE);
    assert_eq!(r.saved_to.as_deref(), Some(path.as_path()));
    let on_disk = std::fs::read(&path).expect("read saved body");
    assert_eq!(on_disk.len() as u64, SIZE);
    assert!(
        on_disk
            .iter()
            .enumerate()
            .all(|(i, b)| *b == pattern_byte(i as u64))
    );
    // Only the final file is left behind.
    assert_eq!(std::fs::read_dir(dir.path()).expect("list").count(), 1);
}

#[tokio::test]
async fn progress_reports_bytes_received() {
    let server = TestServer::start().await;
    let (tx, rx) = tokio::sync::watch::channel(Progress::default());
    let opts = SendOptions {
        progress: Some(tx),
        ..SendOptions::default()
    };
    let ex = send(&get(&server.url("/bytes/300000")), &opts)
        .await
        .expect("ok");
    let last = *rx.borrow();
    assert!(last.headers_received);
    assert_eq!(last.status, 200);
    assert_eq!(last.body_bytes, 300_000);
    assert_eq!(last.content_length, Some(300_000));
    assert_eq!(ex.response.size, 300_000);
}

// ---- Hostile servers (issue 6): each ends in a typed error or a bounded
// result, promptly, and names what went wrong.

async fn fails(url: &str, opts: &SendOptions) -> RequestError {
    let started = Instant::now();
    let err = send(&get(url), opts).await.expect_err("should fail");
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "took {:?}: {err}",
        started.elapsed()
    );
    assert!(err.to_string().contains(url), "{err}");
    assert!(err.to_string().contains("(after "), "{err}");
    err
}

#[tokio::test]
async fn accepted_then_closed() {
    let server = RawServer::close_immediately().await;
    let err = fails(&server.url("/x"), &SendOptions::default()).await;
    assert_error(
        &err,
        ErrorKind::ConnectionClosed,
        "before the response headers",
    );
}

#[tokio::test]
async fn reset_mid_headers() {
    let server = RawServer::respond_then_reset("HTTP/1.1 200 OK\r\nx-half: ").await;
    let err = fails(&server.url("/x"), &SendOptions::default()).await;
    assert_error(&err, ErrorKind::Reset, "before the response headers");
}

#[tokio::test]
async fn reset_mid_body() {
    let mut raw = b"HTTP/1.1 200 OK\r\ncontent-length: 1000\r\n\r\n".to_vec();
    raw.extend_from_slice(&[b'a'; 100]);
    let server = RawServer::respond_then_reset(raw).await;
    let err = fails(&server.url("/x"), &SendOptions::default()).await;
    assert_error(&err, ErrorKind::Reset, "mid-body after 100 of 1000 bytes");
}

#[tokio::test]
async fn content_length_longer_than_the_body() {
    let server = RawServer::respond("HTTP/1.1 200 OK\r\ncontent-length: 100\r\n\r\nshort").await;
    let err = fails(&server.url("/x"), &SendOptions::default()).await;
    assert_error(
        &err,
        ErrorKind::ConnectionClosed,
        "mid-body after 5 of 100 bytes",
    );
}

#[tokio::test]
async fn headers_that_never_end_time_out() {
    let server = RawServer::respond_then_hang("HTTP/1.1 200 OK\r\nx-a: b\r\n").await;
    let err = fails(&server.url("/x"), &short(300)).await;
    assert_error(&err, ErrorKind::Timeout, "waiting for the response headers");
}

#[tokio::test]
async fn header_lines_that_keep_coming_hit_the_limit() {
    let server = RawServer::start(|mut stream| async move {
        use tokio::io::AsyncWriteExt;
        support::read_request_head(&mut stream).await;
        let _ = stream.write_all(b"HTTP/1.1 200 OK\r\n").await;
        let line = b"x-more: and more and more and more\r\n".repeat(100);
        while stream.write_all(&line).await.is_ok() {}
    })
    .await;
    let err = fails(&server.url("/x"), &SendOptions::default()).await;
    assert_error(&err, ErrorKind::InvalidResponse, "too large");
}

#[tokio::test]
async fn invalid_http() {
    for raw in [
        &b"HELLO WORLD\r\n\r\n"[..],
        b"HTTP/1.1 abc OK\r\n\r\n",
        b"HTTP/1.1 200 OK\r\nbad header line\r\n\r\n",
        b"\x00\x01\x02\x03\xff\xfe\r\n\r\n",
    ] {
        let server = RawServer::respond(raw).await;
        let err = fails(&server.url("/x"), &SendOptions::default()).await;
        assert_eq!(err.kind, ErrorKind::InvalidResponse, "{raw:?}: {err}");
        assert!(err.message.starts_with("invalid response"), "{err}");
    }
}

#[tokio::test]
async fn invalid_chunked_encoding() {
    let server = RawServer::respond(
        "HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n5\r\nhello\r\nzz\r\n",
    )
    .await;
    let err = fails(&server.url("/x"), &SendOptions::default()).await;
    assert_error(&err, ErrorKind::InvalidResponse, "mid-body after");
}

#[tokio::test]
async fn ten_thousand_headers() {
    let mut raw = b"HTTP/1.1 200 OK\r\n".to_vec();
    for i in 0..10_000 {
        raw.extend_from_slice(format!("x-h-{i}: {i}\r\n").as_bytes());
    }
    raw.extend_from_slice(b"content-length: 2\r\n\r\nok");
    let server = RawServer::respond(raw).await;
    let err = fails(&server.url("/x"), &SendOptions::default()).await;
    assert_error(&err, ErrorKind::InvalidResponse, "too large");

    // Within the limit, every header arrives, in order.
    let mut raw = b"HTTP/1.1 200 OK\r\n".to_vec();
    for i in 0..900 {
        raw.extend_from_slice(format!("x-h: {i}\r\n").as_bytes());
    }
    raw.extend_from_slice(b"content-length: 2\r\n\r\nok");
    let server = RawServer::respond(raw).await;
    let ex = send_ok(&get(&server.url("/x"))).await;
    let values: Vec<String> = ex.response.header_all("x-h").map(str::to_string).collect();
    assert_eq!(values, (0..900).map(|i| i.to_string()).collect::<Vec<_>>());
}

#[tokio::test]
async fn a_one_megabyte_header_line() {
    let mut raw = b"HTTP/1.1 200 OK\r\nx-huge: ".to_vec();
    raw.extend(std::iter::repeat_n(b'h', 1024 * 1024));
    raw.extend_from_slice(b"\r\ncontent-length: 2\r\n\r\nok");
    let server = RawServer::respond(raw).await;
    let err = fails(&server.url("/x"), &SendOptions::default()).await;
    assert_error(&err, ErrorKind::InvalidResponse, "too large");
}

#[tokio::test]
async fn a_body_that_never_ends_is_capped() {
    let server = TestServer::start().await;
    let opts = SendOptions {
        body_cap: 1024 * 1024,
        ..SendOptions::default()
    };
    let started = Instant::now();
    let ex = send(&get(&server.url("/endless")), &opts)
        .await
        .expect("capped");
    assert!(ex.response.truncated);
    assert_eq!(ex.response.body.len(), 1024 * 1024);
    assert!(started.elapsed() < Duration::from_secs(5));
}

#[tokio::test]
async fn a_five_gigabyte_body_is_capped_promptly() {
    let server = TestServer::start().await;
    let started = Instant::now();
    let ex = send_ok(&get(&server.url("/bytes/5000000000"))).await;
    assert!(ex.response.truncated);
    assert_eq!(ex.response.body.len(), portico::http::DEFAULT_BODY_CAP);
    assert_eq!(ex.response.header("content-length"), Some("5000000000"));
    assert!(started.elapsed() < Duration::from_secs(10));
}

#[tokio::test]
async fn a_dripping_body_times_out_with_what_arrived() {
    let server = TestServer::start().await;
    let err = fails(&server.url("/drip"), &short(450)).await;
    assert_eq!(err.kind, ErrorKind::Timeout, "{err}");
    assert!(
        err.message.starts_with("timed out mid-body after "),
        "{err}"
    );
    assert!(!err.message.contains("after 0 bytes"), "{err}");
}

#[tokio::test]
async fn a_compression_bomb_stays_within_the_cap() {
    // 256 MiB of zeros, about 250 KiB gzipped, behind a 1 MiB cap.
    let zeros = vec![0u8; 256 * 1024 * 1024];
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    std::io::Write::write_all(&mut e, &zeros).expect("gzip");
    let packed = e.finish().expect("gzip");
    drop(zeros);
    let mut raw = format!(
        "HTTP/1.1 200 OK\r\ncontent-encoding: gzip\r\ncontent-length: {}\r\n\r\n",
        packed.len()
    )
    .into_bytes();
    raw.extend_from_slice(&packed);
    let server = RawServer::respond(raw).await;
    let opts = SendOptions {
        body_cap: 1024 * 1024,
        ..SendOptions::default()
    };
    let ex = send(&get(&server.url("/bomb")), &opts)
        .await
        .expect("capped");
    assert!(ex.response.truncated);
    assert_eq!(ex.response.body.len(), 1024 * 1024);
    assert!(ex.response.size < 2 * 1024 * 1024, "{}", ex.response.size);
    assert!(ex.response.wire_size < packed.len() as u64);
}

#[tokio::test]
async fn http_1_0_body_ends_at_close() {
    let server =
        RawServer::respond("HTTP/1.0 200 OK\r\ncontent-type: text/plain\r\n\r\nuntil close").await;
    let ex = send_ok(&get(&server.url("/x"))).await;
    assert_eq!(ex.response.version, "HTTP/1.0");
    assert_eq!(&ex.response.body[..], b"until close");
}

#[tokio::test]
async fn head_of_a_compressed_resource_has_no_body_to_decode() {
    let server = TestServer::start().await;
    let req = BuiltRequest {
        method: "HEAD".into(),
        ..get(&server.url("/gzip"))
    };
    let ex = send_ok(&req).await;
    assert_eq!(ex.response.status, 200);
    assert!(ex.response.body.is_empty());
    assert_eq!(ex.response.header("content-encoding"), Some("gzip"));
}

#[tokio::test]
async fn a_failed_download_leaves_no_file_behind() {
    let mut raw = b"HTTP/1.1 200 OK\r\ncontent-length: 1000\r\n\r\n".to_vec();
    raw.extend_from_slice(&[b'a'; 100]);
    let server = RawServer::respond(raw).await;
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("keep.txt");
    std::fs::write(&path, "precious").expect("write");
    let opts = SendOptions {
        save_to: Some(path.clone()),
        ..SendOptions::default()
    };
    let err = fails(&server.url("/x"), &opts).await;
    assert_eq!(err.kind, ErrorKind::ConnectionClosed, "{err}");
    assert_eq!(std::fs::read_to_string(&path).expect("kept"), "precious");
    assert_eq!(std::fs::read_dir(dir.path()).expect("list").count(), 1);
}

#[tokio::test]
async fn saving_into_a_missing_directory_is_an_io_error() {
    let server = TestServer::start().await;
    let dir = tempfile::tempdir().expect("temp dir");
    let opts = SendOptions {
        save_to: Some(dir.path().join("no/such/dir/out.bin")),
        ..SendOptions::default()
    };
    let err = fails(&server.url("/bytes/10"), &opts).await;
    assert_error(&err, ErrorKind::Io, "cannot create");
}

#[tokio::test]
async fn tls_to_a_plain_http_server_is_a_tls_error() {
    let server = TestServer::start().await;
    let url = format!("https://127.0.0.1:{}/x", server.addr.port());
    let err = fails(&url, &SendOptions::default()).await;
    assert_eq!(err.kind, ErrorKind::Tls, "{err}");
    assert!(err.message.starts_with("TLS handshake failed"), "{err}");
}

#[tokio::test]
async fn an_unknown_host_is_a_dns_error() {
    // `.invalid` never resolves (RFC 6761).
    let err = fails("http://portico-test.invalid/x", &short(4000)).await;
    assert_eq!(err.kind, ErrorKind::Dns, "{err}");
}

#[tokio::test]
async fn certificates_are_verified_unless_the_request_opts_out() {
    let server = support::TlsServer::start();
    let url = server.url("/secure");
    let err = fails(&url, &SendOptions::default()).await;
    assert_error(&err, ErrorKind::Tls, "certificate");

    let opts = SendOptions {
        accept_invalid_certs: true,
        ..SendOptions::default()
    };
    let ex = send(&get(&url), &opts).await.expect("accepted");
    assert_eq!(ex.response.status, 200);
    assert_eq!(&ex.response.body[..], b"ok");

    // The switch is per request: the shared client still checks.
    let engine = engine();
    let ex = engine
        .send(&get(&url), &opts, CancellationToken::new())
        .await
        .expect("accepted");
    assert_eq!(ex.response.status, 200);
    let err = engine
        .send(
            &get(&url),
            &SendOptions::default(),
            CancellationToken::new(),
        )
        .await
        .expect_err("verified");
    assert_eq!(err.kind, ErrorKind::Tls, "{err}");
}

#[tokio::test]
async fn send_can_run_on_a_spawned_task() {
    // The UI spawns sends; the future must be Send and the engine shareable.
    let server = TestServer::start().await;
    let engine = engine();
    let req = get(&server.url("/status/204"));
    let task = tokio::spawn(async move {
        engine
            .send(&req, &SendOptions::default(), CancellationToken::new())
            .await
    });
    let ex = task.await.expect("task").expect("exchange");
    assert_eq!(ex.response.status, 204);
    assert_eq!(ex.response.reason, "No Content");
}

//! The hostile-server table of the README's troubleshooting section, seen
//! through the whole TUI: the real [`App`] on ratatui's `TestBackend`,
//! driven by scripted keys, sending to a fault-injecting loopback server.
//! Each case asserts that keys pressed while the request is in flight are
//! answered (the screen changes), and what the user sees at the end.

mod support;

use std::time::{Duration, Instant};

use crossterm::event::KeyCode;
use indexmap::IndexMap;
use portico::catalog::{
    Api, Catalog, MediaType, Operation, ParamLocation, ParamStyle, Parameter, ResponseDoc,
    SchemaSummary, Server,
};
use portico::tui::TuiContext;
use support::tui::Harness;

fn op(name: &str, path: &str) -> Operation {
    Operation {
        method: "GET".into(),
        path: path.into(),
        display_name: Some(name.into()),
        tags: vec!["Faults".into()],
        parameters: vec![Parameter {
            name: "trace".into(),
            location: ParamLocation::Query,
            required: false,
            description: Some("A marker for the test.".into()),
            deprecated: false,
            schema: SchemaSummary {
                type_name: Some("string".into()),
                ..SchemaSummary::default()
            },
            style: ParamStyle::Form,
            explode: true,
            example: None,
            template_variable: None,
            schema_value: None,
        }],
        responses: vec![ResponseDoc {
            status: "200".into(),
            description: Some("OK".into()),
            content: vec![MediaType {
                content_type: "application/json".into(),
                ..MediaType::default()
            }],
        }],
        ..Operation::default()
    }
}

/// One API whose server is the fault server: `Probe` sends to `path`.
fn catalog(server: &str, path: &str) -> Catalog {
    Catalog {
        apis: vec![Api {
            id: "faults".into(),
            title: "Fault lab".into(),
            version: "1.0".into(),
            description: Some("Servers that misbehave.".into()),
            source: "test".into(),
            servers: vec![Server {
                url: server.into(),
                description: None,
                variables: IndexMap::new(),
            }],
            operations: vec![op("Probe", path), op("Other probe", "/other")],
            ..Api::default()
        }],
        ..Catalog::default()
    }
}

/// `Probe` (pointed at `server` + `path`) open in the app.
fn probe(server: &str, path: &str) -> Harness {
    let mut h = Harness::start(TuiContext::with_defaults(catalog(server, path)), 200, 40);
    h.open("probe");
    h.assert_screen(&format!("GET {path}"));
    h
}

/// What these tests do with the harness: use the UI while a request is in
/// flight.
trait InFlight {
    fn send_and_use_the_ui(&mut self);
    fn send_and_use_the_ui_again(&mut self);
    async fn keep_ticking(&mut self, wait: Duration);
    fn error_line(&self) -> String;
}

impl InFlight for Harness {
    /// F5, then keys while the request is in flight: each is answered
    /// at once, with a screen that shows it.
    fn send_and_use_the_ui(&mut self) {
        self.key(KeyCode::F(5));
        assert!(self.app.is_busy(), "the request is in flight");
        self.assert_screen("Sending");
        self.assert_screen("Esc cancels");

        // The request tabs: Params lists `trace`; Headers does not.
        self.assert_screen("trace");
        let before = self.buffer();
        self.key(KeyCode::Char(']'));
        assert_ne!(before, self.buffer(), "the tab switch was not drawn");
        self.key(KeyCode::Char('['));
        self.assert_screen("trace");

        // Help opens and closes.
        self.key(KeyCode::Char('?'));
        self.assert_screen("Everywhere");
        self.key(KeyCode::Char('?'));
        self.assert_not_screen("Everywhere");

        // Move to the catalog and down one row; back to the request.
        self.key(KeyCode::BackTab);
        self.key(KeyCode::BackTab);
        let before = self.buffer();
        self.key(KeyCode::Down);
        assert_ne!(before, self.buffer(), "the catalog move was not drawn");
        self.key(KeyCode::Up);
        self.key(KeyCode::Tab);
        self.key(KeyCode::Tab);
        assert!(self.app.is_busy() || self.screen().contains("Sending"));
    }

    /// Keys again, later in the flight: tabs and the catalog.
    fn send_and_use_the_ui_again(&mut self) {
        assert!(self.app.is_busy());
        let before = self.buffer();
        self.key(KeyCode::Char(']'));
        assert_ne!(before, self.buffer(), "the tab switch was not drawn");
        self.key(KeyCode::Char('['));
        self.assert_screen("trace");
        self.assert_screen("Sending");
    }

    /// Steps for `wait`, checking that the spinner keeps redrawing.
    async fn keep_ticking(&mut self, wait: Duration) {
        let frames = self.app.frames();
        self.run_for(wait).await;
        assert!(
            self.app.frames() > frames + 1,
            "the spinner did not redraw while in flight"
        );
        assert!(self.app.is_busy(), "still in flight");
    }

    fn error_line(&self) -> String {
        self.message("✗")
    }
}

/// Asserts the error line names `what` and ends with the elapsed time.
fn assert_error(h: &Harness, what: &str) {
    let line = h.error_line();
    assert!(line.contains(what), "`{what}` not in `{line}`");
    assert!(line.contains("(after "), "no elapsed time in `{line}`");
    assert!(
        line.ends_with(" ms)") || line.ends_with(" s)"),
        "no elapsed time in `{line}`"
    );
    assert!(!h.app.is_busy());
}

/// Sends, uses the UI while in flight, and waits (briefly) for the error.
async fn fails_with(server: &str, path: &str, what: &str) -> Harness {
    let mut h = probe(server, path);
    h.send_and_use_the_ui();
    let took = h.settle_within(Duration::from_secs(5)).await;
    assert!(took < Duration::from_secs(5));
    assert_error(&h, what);
    h
}

#[tokio::test]
async fn connection_refused() {
    let port = support::closed_port().await;
    let h = fails_with(
        &format!("http://127.0.0.1:{port}"),
        "/x",
        "connection refused",
    )
    .await;
    assert_error(&h, &format!("127.0.0.1:{port}/x"));
}

/// A self-signed server: refused, with the way out named; `T` turns
/// checking off for the API (shown in the request frame for as long as
/// it is off) and the same request goes through; `T` again refuses it.
#[tokio::test]
async fn an_untrusted_certificate() {
    let server = support::TlsServer::start();
    let mut h = fails_with(&server.url(""), "/secure", "TLS handshake failed").await;
    h.assert_screen("If you trust this server, T stops checking certificates for this API");
    h.assert_not_screen("TLS NOT VERIFIED");

    h.key(KeyCode::Char('T'));
    h.assert_screen("TLS NOT VERIFIED");
    h.assert_screen("TLS NOT checked for Fault lab until you quit");
    h.key(KeyCode::F(5));
    h.settle_within(Duration::from_secs(5)).await;
    h.assert_screen("200 OK");
    h.assert_screen("TLS NOT VERIFIED");

    h.key(KeyCode::Char('T'));
    h.assert_not_screen("TLS NOT VERIFIED");
    h.assert_screen("TLS certificates are checked for Fault lab again");
    h.key(KeyCode::F(5));
    h.settle_within(Duration::from_secs(5)).await;
    assert_error(&h, "TLS handshake failed");
}

/// An API whose portal entry says `tls_verify = false` is marked from the
/// first screen on, and its requests go through.
#[tokio::test]
async fn an_api_marked_not_to_check_certificates_says_so() {
    let server = support::TlsServer::start();
    let mut catalog = catalog(&server.url(""), "/secure");
    catalog.apis[0].skip_tls_verify = true;
    let mut h = Harness::start(TuiContext::with_defaults(catalog), 200, 40);
    h.assert_screen("⚠ TLS certificates are not verified for this API");
    h.open("probe");
    h.assert_screen("TLS NOT VERIFIED");
    h.key(KeyCode::F(5));
    h.settle_within(Duration::from_secs(5)).await;
    h.assert_screen("200 OK");
}

/// A 429 that asks to wait longer than the clock can count: shown, with
/// no countdown, and the app goes on.
#[tokio::test]
async fn a_retry_after_beyond_any_clock() {
    let server = support::RawServer::respond(
        "HTTP/1.1 429 Too Many Requests\r\nretry-after: 18446744073709551615\r\ncontent-length: 2\r\nconnection: close\r\n\r\n{}",
    )
    .await;
    let mut h = probe(&server.url(""), "/x");
    h.key(KeyCode::F(5));
    h.settle_within(Duration::from_secs(5)).await;
    h.assert_screen("429 Too Many Requests");
    h.key(KeyCode::Char('?'));
    h.assert_screen("Everywhere");
}

#[tokio::test]
async fn accepted_then_closed() {
    let server = support::RawServer::close_immediately().await;
    fails_with(
        &server.url(""),
        "/x",
        "connection closed before the response headers",
    )
    .await;
}

#[tokio::test]
async fn reset_mid_headers() {
    let server = support::RawServer::respond_then_reset("HTTP/1.1 200 OK\r\nx-half: ").await;
    fails_with(
        &server.url(""),
        "/x",
        "connection reset before the response headers",
    )
    .await;
}

#[tokio::test]
async fn reset_mid_body() {
    let mut raw = b"HTTP/1.1 200 OK\r\ncontent-length: 1000\r\n\r\n".to_vec();
    raw.extend_from_slice(&[b'a'; 100]);
    let server = support::RawServer::respond_then_reset(raw).await;
    fails_with(
        &server.url(""),
        "/x",
        "connection reset mid-body after 100 of 1000 bytes",
    )
    .await;
}

#[tokio::test]
async fn content_length_longer_than_the_body() {
    let server =
        support::RawServer::respond("HTTP/1.1 200 OK\r\ncontent-length: 100\r\n\r\nshort").await;
    fails_with(
        &server.url(""),
        "/x",
        "connection closed mid-body after 5 of 100 bytes",
    )
    .await;
}

#[tokio::test]
async fn invalid_http() {
    let server = support::RawServer::respond("HELLO WORLD\r\n\r\n").await;
    fails_with(&server.url(""), "/x", "invalid response: not valid HTTP").await;
}

#[tokio::test]
async fn ten_thousand_headers() {
    let mut raw = b"HTTP/1.1 200 OK\r\n".to_vec();
    for i in 0..10_000 {
        raw.extend_from_slice(format!("x-h-{i}: {i}\r\n").as_bytes());
    }
    raw.extend_from_slice(b"content-length: 2\r\n\r\nok");
    let server = support::RawServer::respond(raw).await;
    fails_with(
        &server.url(""),
        "/x",
        "invalid response: response headers too large",
    )
    .await;
}

#[tokio::test]
async fn a_one_megabyte_header_line() {
    let mut raw = b"HTTP/1.1 200 OK\r\nx-huge: ".to_vec();
    raw.extend(std::iter::repeat_n(b'h', 1024 * 1024));
    raw.extend_from_slice(b"\r\ncontent-length: 2\r\n\r\nok");
    let server = support::RawServer::respond(raw).await;
    fails_with(&server.url(""), "/x", "response headers too large").await;
}

#[tokio::test]
async fn header_lines_that_keep_coming() {
    let server = support::RawServer::start(|mut stream| async move {
        use tokio::io::AsyncWriteExt;
        support::read_request_head(&mut stream).await;
        let _ = stream.write_all(b"HTTP/1.1 200 OK\r\n").await;
        let line = b"x-more: and more and more and more\r\n".repeat(100);
        while stream.write_all(&line).await.is_ok() {}
    })
    .await;
    fails_with(&server.url(""), "/x", "response headers too large").await;
}

#[tokio::test]
async fn redirect_loop() {
    let server = support::TestServer::start().await;
    let h = fails_with(&server.url(""), "/loop", "redirect loop").await;
    assert_error(&h, "/loop -> ");
}

/// Redirects that end well: the status line says the answer came after
/// them.
#[tokio::test]
async fn followed_redirects_are_said_on_the_status_line() {
    let server = support::TestServer::start().await;
    let mut h = probe(&server.url(""), "/redirect/2");
    h.key(KeyCode::F(5));
    h.wait_for("200 OK", Duration::from_secs(5)).await;
    h.assert_screen("200 OK  after 2 redirects");
}

#[tokio::test]
async fn too_many_redirects() {
    let server = support::TestServer::start().await;
    fails_with(
        &server.url(""),
        "/redirect/11",
        "too many redirects (more than 10)",
    )
    .await;
}

#[tokio::test]
async fn invalid_gzip() {
    let server = support::TestServer::start().await;
    fails_with(&server.url(""), "/bad-gzip", "cannot decode gzip body").await;
}

/// A request that never ends by itself: the spinner keeps going, keys
/// are answered, and Esc cancels at once.
async fn never_ends(server: &str, path: &str) -> Harness {
    let mut h = probe(server, path);
    h.send_and_use_the_ui();
    h.keep_ticking(Duration::from_millis(400)).await;
    h.send_and_use_the_ui_again();
    let started = Instant::now();
    h.key(KeyCode::Esc);
    assert!(!h.app.is_busy(), "Esc ends the request");
    assert!(started.elapsed() < Duration::from_millis(500));
    let line = h.message("Cancelled");
    assert!(line.starts_with("Cancelled after "), "{line}");
    h.assert_not_screen("Sending");
    // The late end of the cancelled send is dropped, not shown.
    while let Ok(Ok(true)) = tokio::time::timeout(Duration::from_millis(200), h.app.step()).await {}
    h.assert_screen("Cancelled after ");
    // And the app sends again: in flight once more, cancelled once more.
    h.key(KeyCode::F(5));
    assert!(h.app.is_busy());
    h.assert_screen("Sending");
    h.key(KeyCode::Esc);
    assert!(!h.app.is_busy());
    h.assert_screen("Cancelled after ");
    h
}

/// With a request limit (`timeout` in config.toml), what never ends by
/// itself ends there: keys are answered meanwhile, and the error says what
/// timed out, when, and how to change the limit.
async fn times_out(server: &str, path: &str, what: &str) {
    let limit = Duration::from_millis(800);
    let mut ctx = TuiContext::with_defaults(catalog(server, path));
    ctx.config.timeout = Some(limit);
    let mut h = Harness::start(ctx, 200, 40);
    h.open("probe");
    let started = Instant::now();
    h.send_and_use_the_ui();
    h.keep_ticking(Duration::from_millis(300)).await;
    h.send_and_use_the_ui_again();
    h.settle_within(Duration::from_secs(10)).await;
    assert!(started.elapsed() >= limit, "ended before the limit");
    assert_error(&h, what);
    h.assert_screen("The limit is 800 ms: `timeout` in config.toml or --timeout changes it");
}

#[tokio::test]
async fn headers_that_never_end_time_out() {
    let server = support::RawServer::respond_then_hang("HTTP/1.1 200 OK\r\nx-a: b\r\n").await;
    times_out(
        &server.url(""),
        "/x",
        "timed out while waiting for the response headers",
    )
    .await;
}

#[tokio::test]
async fn a_dripping_body_times_out() {
    let server = support::TestServer::start().await;
    times_out(&server.url(""), "/drip", "timed out mid-body after ").await;
}

#[tokio::test]
async fn headers_that_never_end_are_cancelled() {
    let server = support::RawServer::respond_then_hang("HTTP/1.1 200 OK\r\nx-a: b\r\n").await;
    never_ends(&server.url(""), "/x").await;
}

#[tokio::test]
async fn a_dripping_body_shows_progress_and_is_cancelled() {
    let server = support::TestServer::start().await;
    let mut h = probe(&server.url(""), "/drip");
    h.send_and_use_the_ui();
    h.keep_ticking(Duration::from_millis(500)).await;
    h.assert_screen("200 · receiving ");
    drop(h);
    never_ends(&server.url(""), "/drip").await;
}

#[tokio::test]
async fn a_body_that_never_ends_is_capped() {
    let server = support::TestServer::start().await;
    let mut h = probe(&server.url(""), "/endless");
    h.send_and_use_the_ui();
    h.settle_within(Duration::from_secs(30)).await;
    h.assert_screen("200 OK");
    h.assert_screen("(truncated)");
    h.assert_screen(" MiB (truncated)");
    h.assert_screen("xxxxxxxx");
}

#[tokio::test]
async fn a_non_utf8_body_declared_as_json() {
    let server = support::TestServer::start().await;
    let mut h = probe(&server.url(""), "/non-utf8-json");
    h.send_and_use_the_ui();
    h.settle_within(Duration::from_secs(5)).await;
    h.assert_screen("200 OK");
    // Not text: a hex dump of the bytes as received, with the reason.
    h.assert_screen("Body (binary)");
    h.assert_screen("not valid UTF-8");
    h.assert_screen("63 61 66 e9 20 ff fe");
}

#[tokio::test]
async fn escape_sequences_in_a_body_reach_the_screen_only_escaped() {
    let body: &[u8] = b"clip \x1b]52;c;SGVsbG8=\x07 title \x1b]0;pwned\x07 clear \x1b[2J\x1b[H red \x1b[31mRED\x1b[0m bell \x07 end";
    let mut raw = format!(
        "HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\ncontent-length: {}\r\nx-note: plain\r\n\r\n",
        body.len()
    )
    .into_bytes();
    raw.extend_from_slice(body);
    let server = support::RawServer::respond(raw).await;
    let mut h = probe(&server.url(""), "/x");
    h.send_and_use_the_ui();
    h.settle_within(Duration::from_secs(5)).await;
    h.assert_screen("200 OK");
    h.assert_screen("\\x1b]52;c;SGVsbG8=\\x07");
    h.assert_screen("\\x1b[2J");
    assert_clean(&h);
    // Every tab of the response, and the body unwrapped.
    h.key(KeyCode::Tab);
    for _ in 0..4 {
        h.key(KeyCode::Right);
        assert_clean(&h);
    }
    h.key(KeyCode::Char('w'));
    assert_clean(&h);
}

#[tokio::test]
async fn escape_sequences_in_an_invalid_answer_stay_out_of_the_error_line() {
    let server =
        support::RawServer::respond(&b"\x1b]52;c;SGVsbG8=\x07\x1b]0;pwned\x07\x1b[2J\r\n\r\n"[..])
            .await;
    let h = fails_with(&server.url(""), "/x", "invalid response").await;
    assert_clean(&h);
}

#[tokio::test]
async fn a_five_gigabyte_body_is_capped() {
    let server = support::TestServer::start().await;
    let mut h = probe(&server.url(""), "/bytes/5000000000");
    h.send_and_use_the_ui();
    let took = h.settle_within(Duration::from_secs(30)).await;
    assert!(took < Duration::from_secs(20), "{took:?}");
    h.assert_screen("200 OK");
    h.assert_screen(" MiB (truncated)");
    h.assert_screen("Body (binary)");
}

#[tokio::test]
async fn bad_chunked_encoding() {
    let server = support::RawServer::respond(
        "HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n5\r\nhello\r\nzz\r\n",
    )
    .await;
    fails_with(&server.url(""), "/x", "invalid response mid-body after").await;
}

#[tokio::test]
async fn a_declared_charset_is_honoured() {
    let server = support::TestServer::start().await;
    let mut h = probe(&server.url(""), "/non-utf8");
    h.send_and_use_the_ui();
    h.settle_within(Duration::from_secs(5)).await;
    h.assert_screen("200 OK");
    h.assert_screen("café ÿþ");
    assert_clean(&h);
}

/// No cell of the whole screen holds an escape or a bell.
fn assert_clean(h: &Harness) {
    let buffer = h.app.backend().buffer();
    for y in 0..buffer.area.height {
        for x in 0..buffer.area.width {
            let symbol = buffer[(x, y)].symbol();
            assert!(
                !symbol.contains(['\x1b', '\x07']) && !symbol.chars().any(char::is_control),
                "a control character at ({x}, {y}): {symbol:?}"
            );
        }
    }
}

/// HTTP forbids control characters in a head: the parser refuses such
/// an answer, and the error line that says so stays clean.
#[tokio::test]
async fn escape_sequences_in_a_header_or_the_reason() {
    for raw in [
        &b"HTTP/1.1 200 OK\r\nx-evil: a\x1b]52;c;SGVsbG8=\x07b\r\ncontent-length: 2\r\n\r\nok"[..],
        b"HTTP/1.1 200 Fine\x1b]0;pwned\x07\r\ncontent-length: 2\r\n\r\nok",
    ] {
        let server = support::RawServer::respond(raw).await;
        let h = fails_with(&server.url(""), "/x", "invalid response: not valid HTTP").await;
        assert_clean(&h);
    }
}

/// A 3 MB answer is shown from its start at once and then whole: the
/// note about the rest goes, its last line is reachable, and copying it
/// copies all of it.
#[tokio::test]
async fn a_large_answer_ends_up_laid_out_whole() {
    let mut body = String::from("[");
    let mut i = 0;
    while body.len() < 3 * 1024 * 1024 {
        if i > 0 {
            body.push(',');
        }
        body.push_str(&format!(r#"{{"id":{i},"name":"item {i}"}}"#));
        i += 1;
    }
    body.push(']');
    let mut raw = format!(
        "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n",
        body.len()
    )
    .into_bytes();
    raw.extend_from_slice(body.as_bytes());
    let server = support::RawServer::respond(raw).await;
    let mut h = probe(&server.url(""), "/x");
    h.key(KeyCode::F(5));
    h.settle_within(Duration::from_secs(10)).await;
    h.assert_screen("200 OK");
    h.assert_screen(r#""name": "item 0""#);
    h.assert_not_screen("laying out the rest");
    h.key(KeyCode::Tab);
    h.key(KeyCode::End);
    h.assert_screen(&format!(r#""name": "item {}""#, i - 1));
}

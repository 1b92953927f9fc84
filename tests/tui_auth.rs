//! Credentials of the user's own in the TUI: the real app driven by keys
//! (support/tui.rs) adds Basic auth to an operation that declares none,
//! and a loopback server records what arrives.

mod support;

use std::sync::{Arc, Mutex};

use axum::Router;
use axum::http::HeaderMap;
use axum::routing::any;
use crossterm::event::{KeyCode, KeyModifiers};
use portico::catalog::{Catalog, load_bytes};
use portico::tui::TuiContext;
use support::tui::Harness;

/// The app on `catalog`, every request sent to `server` when given.
fn start(catalog: Catalog, server: Option<String>) -> Harness {
    let ctx = TuiContext {
        server_override: server,
        ..TuiContext::with_defaults(catalog)
    };
    Harness::start(ctx, 160, 45)
}

/// Any request: an API whose operations declare no security, as GitHub's.
const OPEN: &str = r#"
openapi: 3.0.3
info: {title: hub, version: "1"}
servers: [{url: "https://hub.test"}]
paths:
  /echo:
    get:
      summary: Echo the request
      responses:
        "200": {description: OK}
    post:
      summary: Post to echo
      responses:
        "200": {description: OK}
"#;

/// A server that keeps the `Authorization` headers it receives.
async fn recording_server() -> (String, Arc<Mutex<Vec<String>>>) {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let keep = seen.clone();
    let app = Router::new().route(
        "/echo",
        any(move |headers: HeaderMap| {
            let keep = keep.clone();
            async move {
                let auth = headers
                    .get("authorization")
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or_default()
                    .to_string();
                keep.lock().expect("lock").push(auth);
                "ok"
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    (format!("http://{addr}"), seen)
}

/// `pass` on screen only as part of `password` (the row's label).
#[track_caller]
fn assert_password_hidden(h: &Harness) {
    let screen = h.screen();
    assert_eq!(
        screen.matches("pass").count(),
        screen.matches("password").count(),
        "the password shows:\n{screen}"
    );
}

/// The Auth tab adds Basic credentials to an operation that declares no
/// security; they are masked on screen, even while typed, and sent.
#[tokio::test]
async fn basic_auth_on_any_request() {
    let (url, seen) = recording_server().await;
    let catalog = load_bytes(OPEN.as_bytes(), "open.yaml").expect("loads");
    let mut h = start(catalog, Some(url));
    h.open("Echo the request");
    h.key(KeyCode::Char('['));
    h.assert_screen("a: add one");
    h.key(KeyCode::Char('a'));
    h.assert_screen("Bearer token");
    h.assert_screen("API key in a header");
    h.key(KeyCode::Enter);
    h.type_text("user");
    h.key(KeyCode::Enter);
    h.key(KeyCode::Down);
    h.key(KeyCode::Char('e'));
    for c in "pass".chars() {
        h.key(KeyCode::Char(c));
        assert_password_hidden(&h);
    }
    h.key(KeyCode::Enter);
    assert_password_hidden(&h);
    let user = h.line_with("basic user").expect("user row");
    assert!(user.contains("user"), "{user}");
    h.key(KeyCode::F(5));
    h.settle().await;
    assert_password_hidden(&h);
    assert_eq!(
        *seen.lock().expect("lock"),
        vec!["Basic dXNlcjpwYXNz".to_string()]
    );

    // R reveals it; `d` removes the added credential.
    h.key(KeyCode::Char('R'));
    h.assert_screen("pass ");
    h.key(KeyCode::Char('d'));
    h.assert_not_screen("basic user");
}

/// `+` on a bearer token added in the Auth tab: every request of the API
/// carries it until quitting, an operation opened later included; its row
/// says `(every request)`; `+` again stops adding it to new ones.
#[tokio::test]
async fn one_token_for_every_request_of_an_api() {
    let (url, seen) = recording_server().await;
    let catalog = load_bytes(OPEN.as_bytes(), "hub.yaml").expect("loads");
    let mut h = start(catalog, Some(url));
    h.open("Echo the request");
    h.key(KeyCode::Char('['));
    h.key(KeyCode::Char('a'));
    h.key(KeyCode::Down);
    h.key(KeyCode::Enter);
    h.type_text("tok-1");
    h.key(KeyCode::Enter);
    h.assert_screen("bearer token (added)");
    h.key(KeyCode::Char('+'));
    h.assert_screen("The bearer token goes with every request of hub until you quit");
    h.assert_screen("bearer token (every request)");
    // The note under the table says it too.
    h.assert_screen("bearer: bearer token (every request) · Space: off");

    // Another operation, opened afterwards: it has the token already.
    h.key(KeyCode::Esc);
    h.open("Post to echo");
    h.key(KeyCode::Char('['));
    h.assert_screen("bearer token (every request)");
    // The first one is not marked edited for it (nor kept at quit).
    h.key(KeyCode::Char('/'));
    h.key_mod(KeyCode::Char('u'), KeyModifiers::CONTROL);
    h.key(KeyCode::Enter);
    let first = h.line_with("Echo the request").expect("its row");
    assert!(!first.contains('✎'), "{first}");
    h.open("Post to echo");
    h.assert_screen("bearer token (every request)");
    assert!(!h.screen().contains("tok-1"), "masked");
    h.key(KeyCode::F(5));
    h.settle().await;
    assert_eq!(
        *seen.lock().expect("lock"),
        vec!["Bearer tok-1".to_string()]
    );

    // Another token typed here and shared: it takes the first one's
    // place, in the operation that had it too.
    h.key(KeyCode::Enter);
    h.key_mod(KeyCode::Char('u'), KeyModifiers::CONTROL);
    h.type_text("tok-2");
    h.key(KeyCode::Enter);
    h.key(KeyCode::Char('+'));
    h.assert_screen("the one open already too");
    h.key(KeyCode::Esc);
    h.open("Echo the request");
    h.key(KeyCode::F(5));
    h.settle().await;
    assert_eq!(
        seen.lock().expect("lock").last().map(String::as_str),
        Some("Bearer tok-2")
    );

    // `+` on the one shared (this operation's Auth tab is still showing):
    // no longer shared; the ones open keep it.
    h.assert_screen("bearer token (every request)");
    h.key(KeyCode::Char('+'));
    h.assert_screen("The bearer token is no longer added to requests of hub");
    h.assert_screen("bearer token (added)");
}

//! The TUI with schemas, form bodies and credentials of the user's own:
//! the real app driven by keys (support/tui.rs), definitions read from
//! files (the third-party ones beside the checkout when present, else
//! small inline ones), requests sent to the in-process echo server.

mod support;

use std::sync::{Arc, Mutex};

use axum::Router;
use axum::http::HeaderMap;
use axum::routing::any;
use crossterm::event::KeyCode;
use portico::catalog::{Catalog, load_bytes};
use portico::tui::TuiContext;
use support::TestServer;
use support::tui::Harness;

/// A definition from `../shared/specs`, or `inline` when it is absent.
fn definition(file: &str, inline: &str) -> Catalog {
    if let Some(dir) = support::specs_dir() {
        let path = dir.join(file);
        if path.is_file() {
            return portico::catalog::load_file(&path).expect("definition loads");
        }
    }
    load_bytes(inline.as_bytes(), "inline.yaml").expect("inline definition loads")
}

/// The app on `catalog`, every request sent to `server` when given.
fn start(catalog: Catalog, server: Option<String>) -> Harness {
    let ctx = TuiContext {
        server_override: server,
        ..TuiContext::with_defaults(catalog)
    };
    Harness::start(ctx, 160, 45)
}

/// Scrolls the docs (which have the focus) down until `needle` is in
/// sight.
fn scroll_docs_to(h: &mut Harness, needle: &str) {
    for _ in 0..400 {
        if h.screen().contains(needle) {
            return;
        }
        h.key(KeyCode::Down);
    }
    panic!("`{needle}` never came into sight:\n{}", h.screen());
}

/// GitHub's "Create an issue" as far as its body goes.
const ISSUES: &str = r#"
openapi: 3.0.3
info: {title: issues, version: "1"}
servers: [{url: "https://api.github.com"}]
paths:
  /repos/{owner}/{repo}/issues:
    post:
      summary: Create an issue
      operationId: issues/create
      parameters:
        - {name: owner, in: path, required: true, schema: {type: string}}
        - {name: repo, in: path, required: true, schema: {type: string}}
      requestBody:
        required: true
        content:
          application/json:
            schema:
              type: object
              required: [title]
              properties:
                title:
                  oneOf: [{type: string}, {type: integer}]
                  description: The title of the issue.
                body: {type: string, description: The contents of the issue.}
                labels:
                  type: array
                  items:
                    oneOf:
                      - type: string
                      - type: object
                        properties:
                          id: {type: integer}
                          name: {type: string}
      responses:
        "201":
          description: Response
          content:
            application/json:
              schema:
                type: object
                properties:
                  id: {type: integer}
                  user:
                    type: object
                    properties:
                      login: {type: string}
                      plan:
                        type: object
                        properties:
                          seats: {type: integer, minimum: 0}
"#;

/// The operation pane shows the body's schema as a tree under the docs:
/// required names starred, types as phrases, descriptions; deeper levels
/// folded until `z`.
#[test]
fn schemas_show_under_the_docs_and_fold() {
    let catalog = definition("github-api.github.com-3.0.json", ISSUES);
    let mut h = start(catalog, None);
    h.open("Create an issue");
    h.assert_screen("Request · ");
    // From the request editor to the docs.
    h.key(KeyCode::BackTab);
    scroll_docs_to(&mut h, "title*");
    let title = h.line_with("title*").expect("title line");
    assert!(title.contains("string | integer"), "{title}");
    assert!(title.contains("The title of the issue"), "{title}");
    scroll_docs_to(&mut h, "labels  array of");
    let labels = h.line_with("labels  array of").expect("labels line");
    assert!(!labels.contains("labels*"), "labels is optional: {labels}");

    // Deeper levels start folded and say so; `z` shows them, `z` again
    // folds them.
    let before = h.screen();
    assert!(before.contains("more (z)"), "{before}");
    h.key(KeyCode::Char('z'));
    h.assert_not_screen("more (z)");
    h.key(KeyCode::Char('z'));
    h.assert_screen("more (z)");
}

/// A form body, as Slack's `chat.postMessage` takes it.
const FORM: &str = r#"
openapi: 3.0.3
info: {title: chat, version: "1"}
servers: [{url: "https://slack.test/api"}]
paths:
  /echo:
    post:
      summary: Post a message
      operationId: chat_postMessage
      requestBody:
        content:
          application/x-www-form-urlencoded:
            schema:
              type: object
              required: [channel]
              properties:
                channel: {type: string, description: Channel to send to.}
                text: {type: string, description: The message.}
      responses:
        "200": {description: OK}
"#;

/// A form body is a table of its fields in the Body tab, edited like the
/// parameters, and sent URL-encoded.
#[tokio::test]
async fn form_fields_are_rows_and_are_sent_encoded() {
    let server = TestServer::start().await;
    let catalog = load_bytes(FORM.as_bytes(), "form.yaml").expect("loads");
    let mut h = start(catalog, Some(server.url("")));
    h.open("Post a message");
    h.key(KeyCode::Char(']'));
    h.key(KeyCode::Char(']'));
    let channel = h.line_with("channel*").expect("a channel row");
    assert!(channel.contains("required"), "{channel}");
    assert!(channel.contains("Channel to send to."), "{channel}");
    let text = h.line_with("The message.").expect("a text row");
    assert!(text.contains("text") && !text.contains("text*"), "{text}");

    h.key(KeyCode::Char('e'));
    h.type_text("C1");
    h.key(KeyCode::Enter);
    h.key(KeyCode::Down);
    h.key(KeyCode::Char('e'));
    h.type_text("a b&c");
    h.key(KeyCode::Enter);
    assert!(
        h.line_with("channel*").is_some_and(|l| l.contains("C1")),
        "{}",
        h.screen()
    );
    h.key(KeyCode::F(5));
    h.settle().await;
    h.assert_screen("channel=C1&text=a+b%26c");

    // Space leaves a field out; `d` deletes it.
    h.key(KeyCode::Char(' '));
    h.key(KeyCode::F(5));
    h.settle().await;
    h.assert_screen(r#""body": "channel=C1","#);
    h.assert_not_screen("text=a+b");
    h.key(KeyCode::Char('d'));
    h.assert_not_screen("The message.");
}

/// Any request: an operation that declares no security.
const OPEN: &str = r#"
openapi: 3.0.3
info: {title: open, version: "1"}
servers: [{url: "https://httpbin.test"}]
paths:
  /echo:
    get:
      summary: Echo the request
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

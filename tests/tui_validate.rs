//! The TUI checks against the definition, driven with keys against a
//! loopback server: a request that differs is shown, not sent, at the
//! first F5 and sent at the second; an answer gets a verdict in the
//! response pane's status line, with the first difference and its place.

mod support;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use axum::Router;
use axum::routing::{get, post};
use crossterm::event::KeyCode;
use portico::catalog;
use portico::tui::TuiContext;
use support::tui::{Harness, SETTLE_LIMIT};

/// `order` documents a JSON answer with `method` and `path`; its example
/// body has `qty` as a string where the schema says integer. `text`
/// documents JSON but the server answers text.
fn spec(base: &str) -> String {
    format!(
        r#"
openapi: 3.0.3
info: {{ title: Checked, version: "1" }}
servers: [ {{ url: "{base}" }} ]
paths:
  /order:
    post:
      operationId: order
      summary: Place an order
      requestBody:
        content:
          application/json:
            schema:
              type: object
              required: [qty]
              properties: {{ qty: {{ type: integer }} }}
            example: {{ qty: "3" }}
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema:
                type: object
                required: [ok]
                properties: {{ ok: {{ type: boolean }} }}
  /text:
    get:
      operationId: text
      summary: Answer text
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema: {{ type: object }}
"#
    )
}

async fn server(hits: Arc<AtomicUsize>) -> String {
    let app = Router::new()
        .route(
            "/order",
            post(move || {
                let hits = hits.clone();
                async move {
                    hits.fetch_add(1, Ordering::SeqCst);
                    axum::Json(serde_json::json!({"ok": true}))
                }
            }),
        )
        .route("/text", get(|| async { "plain words" }));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind loopback");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    format!("http://{addr}")
}

fn harness(base: &str) -> Harness {
    let catalog = catalog::load_bytes(spec(base).as_bytes(), "checked.yaml").expect("loads");
    Harness::start(TuiContext::with_defaults(catalog), 300, 45)
}

#[tokio::test]
async fn a_request_that_differs_is_shown_first_then_sent_on_a_second_f5() {
    let hits = Arc::new(AtomicUsize::new(0));
    let base = server(hits.clone()).await;
    let mut h = harness(&base);
    h.open("place an order");

    h.key(KeyCode::F(5));
    h.settle().await;
    h.assert_screen("Differs from the definition: body /qty: expected integer");
    h.assert_screen("F5 again sends it anyway");
    assert_eq!(hits.load(Ordering::SeqCst), 0, "nothing was sent");

    h.key(KeyCode::F(5));
    h.wait_for("200", SETTLE_LIMIT).await;
    h.settle().await;
    assert_eq!(hits.load(Ordering::SeqCst), 1, "sent on the second F5");
    h.assert_screen("✓ as documented");
}

#[tokio::test]
async fn an_answer_that_differs_gets_a_verdict_and_the_first_difference() {
    let hits = Arc::new(AtomicUsize::new(0));
    let base = server(hits).await;
    let mut h = harness(&base);
    h.open("answer text");
    h.key(KeyCode::F(5));
    h.wait_for("200", SETTLE_LIMIT).await;
    h.settle().await;
    h.assert_screen("✗ 1 difference from the definition");
    h.assert_screen("differs from the definition: content type: text/plain");
}

//! The TUI as a whole: the real [`App`] on ratatui's `TestBackend` (through
//! the shared harness in support/tui.rs), driven by scripted keys, sending
//! to a loopback server started in this process.

mod support;

use std::ops::{Deref, DerefMut};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use axum::Router;
use axum::extract::{Path, Query};
use axum::http::{HeaderMap, StatusCode};
use axum::response::IntoResponse;
use axum::routing::{get, post};
use crossterm::event::{Event, KeyCode, KeyModifiers, MouseButton, MouseEvent, MouseEventKind};
use indexmap::IndexMap;
use portico::catalog::{
    Api, Catalog, Environment, Example, MediaType, Operation, ParamLocation, ParamStyle, Parameter,
    RequestBody, ResponseDoc, SchemaSummary, SecurityKind, SecurityScheme, Server, Variable,
};
use portico::tui::{Config, Effect, Msg, TuiContext};
use serde_json::{Value, json};
use support::tui::Harness;

/// A loopback server that counts the requests it receives.
struct TestServer {
    url: String,
    hits: Arc<AtomicUsize>,
}

async fn start_server() -> TestServer {
    let hits = Arc::new(AtomicUsize::new(0));
    let count = hits.clone();
    let counted = move |req: axum::extract::Request, next: axum::middleware::Next| {
        let count = count.clone();
        async move {
            count.fetch_add(1, Ordering::SeqCst);
            next.run(req).await
        }
    };
    let app = Router::new()
        .route(
            "/workspaces/{workspace}/services/{service}/execute",
            post(
                |Path((workspace, service)): Path<(String, String)>,
                 Query(q): Query<IndexMap<String, String>>,
                 headers: HeaderMap,
                 body: String| async move {
                    let parsed: Value = serde_json::from_str(&body).unwrap_or(Value::Null);
                    axum::Json(json!({
                        "workspace": workspace,
                        "service": service,
                        "query": q,
                        "key": headers.get("ocp-apim-subscription-key").and_then(|v| v.to_str().ok()),
                        "received": parsed,
                        "Results": {"output1": {"value": {"Values": [["1", "1", "2", "2", "0", "2", "0", "1"]]}}}
                    }))
                },
            ),
        )
        .route(
            "/slow",
            get(|| async {
                tokio::time::sleep(Duration::from_secs(30)).await;
                "late"
            }),
        )
        .route(
            "/rate",
            get(|| async { (StatusCode::TOO_MANY_REQUESTS, [("retry-after", "7")], "slow down") }),
        )
        .route(
            "/guarded",
            get(|headers: HeaderMap| async move {
                if headers.contains_key("ocp-apim-subscription-key") {
                    (StatusCode::OK, "{\"ok\":true}").into_response()
                } else {
                    (
                        StatusCode::UNAUTHORIZED,
                        "{ \"statusCode\": 401, \"message\": \"Access denied due to missing subscription key. Make sure to include subscription key when making requests to an API.\" }",
                    )
                        .into_response()
                }
            }),
        )
        .layer(axum::middleware::from_fn(counted));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move {
        axum::serve(listener, app).await.expect("serve");
    });
    TestServer {
        url: format!("http://{addr}"),
        hits,
    }
}

fn param(name: &str, location: ParamLocation, required: bool) -> Parameter {
    Parameter {
        name: name.into(),
        location,
        required,
        description: Some(format!("The {name}.")),
        deprecated: false,
        schema: SchemaSummary {
            type_name: Some("string".into()),
            ..SchemaSummary::default()
        },
        style: if location == ParamLocation::Query {
            ParamStyle::Form
        } else {
            ParamStyle::Simple
        },
        explode: true,
        example: None,
        template_variable: None,
        schema_value: None,
    }
}

fn op(name: &str, method: &str, path: &str, tag: &str) -> Operation {
    Operation {
        method: method.into(),
        path: path.into(),
        display_name: Some(name.into()),
        tags: vec![tag.into()],
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

fn catalog(server: &str) -> Catalog {
    let mut execute = op(
        "RRS Execute",
        "POST",
        "/workspaces/{workspace}/services/{service}/execute",
        "Request-Response",
    );
    execute.description = Some("Scores one request synchronously.".into());
    let mut version = param("api-version", ParamLocation::Query, true);
    version.schema.default = Some(json!("2.0"));
    let mut details = param("details", ParamLocation::Query, false);
    details.schema.enum_values = vec![json!("true"), json!("false")];
    execute.parameters = vec![
        param("workspace", ParamLocation::Path, true),
        param("service", ParamLocation::Path, true),
        version,
        details,
    ];
    execute.request_body = Some(RequestBody {
        description: None,
        required: true,
        content: vec![MediaType {
            content_type: "application/json".into(),
            schema: None,
            examples: vec![
                Example {
                    name: "sample".into(),
                    summary: None,
                    value: json!({"Inputs": {"input1": {"ColumnNames": ["Col2"], "Values": [["This is a good day"]]}}, "GlobalParameters": {}}),
                },
                Example {
                    name: "empty".into(),
                    summary: Some("no rows".into()),
                    value: json!({"Inputs": {}}),
                },
            ],
        }],
    });
    let slow = op("Slow job", "GET", "/slow", "Batch");
    let rate = op("Rate limited", "GET", "/rate", "Batch");
    let guarded = op("Guarded", "GET", "/guarded", "Batch");
    let mut old = op("Old thing", "DELETE", "/old", "Batch");
    old.deprecated = true;
    let mut variables = IndexMap::new();
    variables.insert(
        "subscription_key".to_string(),
        Variable {
            value: "sk-test-123456".into(),
            secret: true,
        },
    );
    Catalog {
        apis: vec![Api {
            id: "ml".into(),
            title: "Text features".into(),
            version: "2.0".into(),
            description: Some("A demo ML service.".into()),
            source: "test".into(),
            servers: vec![Server {
                url: server.into(),
                description: None,
                variables: IndexMap::new(),
            }],
            security_schemes: vec![SecurityScheme {
                name: "subscription".into(),
                kind: SecurityKind::ApiKey {
                    param: "Ocp-Apim-Subscription-Key".into(),
                    location: ParamLocation::Header,
                },
                description: None,
            }],
            operations: vec![execute, slow, rate, guarded, old],
            ..Api::default()
        }],
        environments: vec![Environment {
            name: "test".into(),
            variables,
        }],
        warnings: Vec::new(),
        ..Catalog::default()
    }
}

/// The shared harness with the counting server behind [`catalog`].
struct Lab {
    h: Harness,
    server: TestServer,
}

impl Lab {
    async fn new(width: u16, height: u16) -> Self {
        let server = start_server().await;
        let h = Harness::start(
            TuiContext::with_defaults(catalog(&server.url)),
            width,
            height,
        );
        Self { h, server }
    }

    /// Opens RRS Execute and types its two path parameters (required,
    /// empty at first) into their rows.
    fn open_execute(&mut self, workspace: &str, service: &str) {
        self.open("rrs exe");
        self.assert_screen("POST /workspaces/{workspace}/services/{service}/execute");
        self.key(KeyCode::Enter);
        self.type_text(workspace);
        self.key(KeyCode::Enter);
        self.key(KeyCode::Down);
        self.key(KeyCode::Char('e'));
        self.type_text(service);
        self.key(KeyCode::Enter);
    }
}

impl Deref for Lab {
    type Target = Harness;
    fn deref(&self) -> &Harness {
        &self.h
    }
}

impl DerefMut for Lab {
    fn deref_mut(&mut self) -> &mut Harness {
        &mut self.h
    }
}

/// Replaces what changes from run to run (ports, timings) so that a
/// snapshot compares only what is stable.
fn stable(screen: &str) -> String {
    let mut out = String::new();
    for line in screen.lines() {
        let mut l = line.to_string();
        let mut from = 0;
        while let Some(i) = l[from..].find("127.0.0.1:").map(|i| i + from) {
            let start = i + "127.0.0.1:".len();
            let end = l[start..]
                .find(|c: char| !c.is_ascii_digit())
                .map_or(l.len(), |e| start + e);
            l.replace_range(start..end, &"P".repeat(end - start));
            from = end;
        }
        // Durations: "12.3 ms" / "123 ms" -> "N ms".
        let words: Vec<&str> = l.split(' ').collect();
        let mut rebuilt = Vec::with_capacity(words.len());
        for (i, w) in words.iter().enumerate() {
            let next_is_ms = words.get(i + 1).is_some_and(|n| n.starts_with("ms"));
            if next_is_ms && w.chars().all(|c| c.is_ascii_digit() || c == '.') && !w.is_empty() {
                rebuilt.push("N".to_string());
            } else {
                rebuilt.push((*w).to_string());
            }
        }
        out.push_str(rebuilt.join(" ").trim_end());
        out.push('\n');
    }
    out
}

#[tokio::test]
async fn filter_open_edit_send_and_read() {
    let mut h = Lab::new(160, 45).await;
    h.assert_screen("Text features");
    h.assert_screen("deprecated");
    h.open_execute("ws-1", "svc q?");
    assert!(!h.app.should_quit(), "q typed in a field must not quit");
    let url = h.app.request_url().expect("open").expect("built");
    assert!(
        url.ends_with("/workspaces/ws-1/services/svc%20q%3F/execute?api-version=2.0"),
        "{url}"
    );
    h.assert_screen("svc%20q%");
    // details: an enum, chosen from a list.
    h.key(KeyCode::Down);
    h.key(KeyCode::Down);
    h.key(KeyCode::Enter);
    h.assert_screen("choose a value");
    h.key(KeyCode::Down);
    h.key(KeyCode::Enter);
    let url = h.app.request_url().expect("open").expect("built");
    assert!(url.ends_with("&details=false"), "{url}");
    // Body: add a member after the opening brace.
    h.key(KeyCode::Char(']'));
    h.key(KeyCode::Char(']'));
    h.assert_screen("✓ valid JSON");
    h.key(KeyCode::Enter);
    h.key(KeyCode::End);
    h.type_text("\"note\": \"edited\",");
    h.key(KeyCode::Esc);
    h.assert_screen("✓ valid JSON");
    h.key(KeyCode::F(5));
    h.assert_screen("Sending");
    h.settle().await;
    h.assert_screen("200 OK");
    h.assert_screen("headers ");
    h.assert_screen(" ms · total ");
    h.assert_screen("\"note\": \"edited\"");
    h.assert_screen("\"ColumnNames\"");
    h.assert_screen("\"Values\"");
    assert_eq!(h.server.hits.load(Ordering::SeqCst), 1);

    // The response's other tabs.
    h.key(KeyCode::Tab);
    h.key(KeyCode::Right);
    h.assert_screen("content-type: application/json");
    h.key(KeyCode::Right);
    h.assert_screen("(secrets masked)");
    h.key(KeyCode::Right);
    h.assert_screen("Time to headers");
}

/// A server that echoes the key back (the execute route answers it as
/// `key`): masked in the body like everywhere else, until R reveals it.
#[tokio::test]
async fn secrets_the_server_echoes_are_masked_until_revealed() {
    let mut h = Lab::new(160, 45).await;
    h.open_execute("ws-1", "svc");
    h.key(KeyCode::F(5));
    h.settle().await;
    h.assert_screen("200 OK");
    h.assert_screen("\"key\": \"••••••••\"");
    h.assert_not_screen("sk-test-123456");
    h.key(KeyCode::Char('R'));
    h.assert_screen("\"key\": \"sk-test-123456\"");
    h.key(KeyCode::Char('R'));
    h.assert_screen("\"key\": \"••••••••\"");
    h.assert_not_screen("sk-test-123456");
}

#[tokio::test]
async fn build_errors_are_shown_where_they_are_and_nothing_is_sent() {
    let mut h = Lab::new(160, 45).await;
    h.open("rrs");
    h.key(KeyCode::F(5));
    h.assert_screen("Not sent: missing required path parameter `workspace`");
    h.assert_screen("✗ missing required path parameter `workspace`");
    // Fix it, then break the body: the JSON error is pinned with its place.
    h.key(KeyCode::Enter);
    h.type_text("w");
    h.key(KeyCode::Down);
    h.key(KeyCode::Enter);
    h.type_text("s");
    h.key(KeyCode::Enter);
    h.key(KeyCode::Char(']'));
    h.key(KeyCode::Char(']'));
    h.key(KeyCode::Enter);
    h.key(KeyCode::End);
    h.type_text("oops");
    h.key(KeyCode::Esc);
    h.assert_screen("✗ line 1, column 2: key must be a string");
    h.key_mod(KeyCode::Char('r'), KeyModifiers::CONTROL);
    h.assert_screen("Not sent: the body is not valid JSON");
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert_eq!(
        h.server.hits.load(Ordering::SeqCst),
        0,
        "nothing may be sent"
    );
    assert!(!h.app.is_busy());
}

#[tokio::test]
async fn escape_cancels_a_request_in_flight() {
    let mut h = Lab::new(120, 40).await;
    h.open("slow job");
    h.key(KeyCode::F(5));
    assert!(h.app.is_busy());
    // Let the spinner tick at least once: the loop keeps answering.
    let frames = h.app.frames();
    tokio::time::timeout(Duration::from_secs(2), h.app.step())
        .await
        .expect("a tick")
        .expect("step");
    assert!(
        h.app.frames() > frames,
        "the spinner redraws while in flight"
    );
    h.assert_screen("Sending");
    h.key(KeyCode::Esc);
    h.assert_screen("Cancelled after");
    assert!(!h.app.is_busy());
    // The late result of the cancelled send is dropped, not shown.
    tokio::time::sleep(Duration::from_millis(50)).await;
    while let Ok(Ok(true)) = tokio::time::timeout(Duration::from_millis(200), h.app.step()).await {}
    h.assert_screen("Cancelled after");
}

#[tokio::test]
async fn idle_app_draws_nothing() {
    let mut h = Lab::new(100, 30).await;
    let frames = h.app.frames();
    let waited = tokio::time::timeout(Duration::from_millis(300), h.app.step()).await;
    assert!(waited.is_err(), "no message may arrive while idle");
    h.app.draw().expect("draw");
    assert_eq!(h.app.frames(), frames, "nothing changed, nothing drawn");
}

#[tokio::test]
async fn gateway_answers_are_explained() {
    let mut h = Lab::new(160, 45).await;
    h.open("rate limited");
    h.key(KeyCode::F(5));
    h.settle().await;
    h.assert_screen("429 Too Many Requests");
    h.assert_screen("Rate limited by the gateway: retry in 7 s.");

    h.key(KeyCode::Esc);
    h.key(KeyCode::Tab);
    h.key(KeyCode::Tab);
    h.key(KeyCode::Tab);
    h.open("guarded");
    // The draft fills the key from the environment; clear it first.
    h.key(KeyCode::Left);
    // The value whole; the kind in full in the note under the table.
    h.assert_screen("{{subscription_key}}");
    h.assert_screen("subscription: header Ocp-Apim-Subscription-Key · Space: off");
    h.key(KeyCode::Enter);
    h.key_mod(KeyCode::Char('u'), KeyModifiers::CONTROL);
    h.key(KeyCode::Enter);
    h.key(KeyCode::F(5));
    h.settle().await;
    h.assert_screen("401 Unauthorized");
    h.assert_screen("The gateway wants a subscription key");
    // Fill the key back with a variable: sent, masked on screen.
    h.key(KeyCode::Enter);
    h.type_text("{{subscription_key}}");
    h.key(KeyCode::Enter);
    h.key(KeyCode::F(5));
    h.settle().await;
    h.assert_screen("200 OK");
    let screen = h.screen();
    assert!(
        !screen.contains("sk-test-123456"),
        "a secret reached the screen:\n{screen}"
    );
    h.key(KeyCode::Char('c'));
    h.assert_screen("curl (secrets masked");
    h.assert_screen("Ocp-Apim-Subscription-Key: ••••••••");
    h.key(KeyCode::Char('Y'));
    let effects = h.app.take_effects();
    match effects.as_slice() {
        [Effect::Copy(text)] => {
            assert!(text.starts_with("curl"), "{text}");
            assert!(!text.contains("sk-test-123456"));
        }
        other => panic!("expected one copy, got {other:?}"),
    }
}

#[tokio::test]
async fn small_terminal_and_resizes_never_panic() {
    let mut h = Lab::new(80, 24).await;
    h.open("rrs");
    h.assert_screen("Params (4)");
    for (w, h2) in [
        (80, 24),
        (40, 10),
        (20, 5),
        (1, 1),
        (200, 60),
        (100, 30),
        (80, 24),
    ] {
        h.resize(w, h2);
    }
    for _ in 0..4 {
        h.key(KeyCode::Tab);
    }
    h.key(KeyCode::Char('?'));
    h.assert_screen("Keys (Esc closes");
    h.key(KeyCode::Esc);
    insta::assert_snapshot!("rrs_80x24", stable(&h.screen()));
}

#[tokio::test]
async fn mouse_click_focuses_and_opens() {
    let mut h = Lab::new(160, 45).await;
    // The catalog's first operation row sits under the API and tag rows.
    let screen = h.screen();
    let row = screen
        .lines()
        .position(|l| l.contains("Slow job"))
        .expect("Slow job listed");
    let click = |kind| {
        Msg::Input(Event::Mouse(MouseEvent {
            kind,
            column: 5,
            row: u16::try_from(row).expect("row"),
            modifiers: KeyModifiers::NONE,
        }))
    };
    h.app.handle(click(MouseEventKind::Down(MouseButton::Left)));
    h.app.handle(click(MouseEventKind::Down(MouseButton::Left)));
    h.app.draw().expect("draw");
    h.assert_screen("Request · Slow job");
    // A click on a tab title switches to it.
    let screen = h.screen();
    let (row, line) = screen
        .lines()
        .enumerate()
        .find(|(_, l)| l.contains("Headers (0)"))
        .expect("request tabs");
    let column = line[..line.find("Headers (0)").expect("tab")]
        .chars()
        .count()
        + 2;
    h.app.handle(Msg::Input(Event::Mouse(MouseEvent {
        kind: MouseEventKind::Down(MouseButton::Left),
        column: u16::try_from(column).expect("column"),
        row: u16::try_from(row).expect("row"),
        modifiers: KeyModifiers::NONE,
    })));
    h.app.draw().expect("draw");
    h.assert_screen("No headers. a: add one.");
}

#[tokio::test]
async fn headers_rows_add_toggle_delete_and_mask() {
    let mut h = Lab::new(160, 45).await;
    h.open("slow");
    h.key(KeyCode::Right);
    h.assert_screen("No headers.");
    h.key(KeyCode::Char('a'));
    h.type_text("X-Api-Key");
    h.key(KeyCode::Enter);
    h.type_text("hunter22");
    h.key(KeyCode::Enter);
    let screen = h.screen();
    assert!(
        !screen.contains("hunter22"),
        "secret header shown:\n{screen}"
    );
    h.assert_screen("X-Api-Key");
    h.key(KeyCode::Char('R'));
    h.assert_screen("hunter22");
    h.key(KeyCode::Char('R'));
    h.key(KeyCode::Char(' '));
    h.assert_screen("✗ X-Api-Key");
    h.key(KeyCode::Char('d'));
    h.assert_screen("No headers.");
}

/// A row added and left empty (Esc, or Enter through name and value) goes
/// away instead of lingering as a blank row.
#[tokio::test]
async fn rows_left_blank_are_dropped() {
    let mut h = Lab::new(160, 45).await;
    h.open("slow");
    h.assert_screen("No parameters.");
    h.key(KeyCode::Enter);
    h.assert_screen("Params (1)");
    h.key(KeyCode::Enter);
    h.key(KeyCode::Enter);
    h.assert_screen("Params (0)");
    h.assert_screen("No parameters.");
    h.key(KeyCode::Right);
    h.key(KeyCode::Char('a'));
    h.assert_screen("Headers (1)");
    h.key(KeyCode::Esc);
    h.assert_screen("Headers (0)");
    // A name alone is kept.
    h.key(KeyCode::Char('a'));
    h.type_text("X-Trace");
    h.key(KeyCode::Enter);
    h.key(KeyCode::Esc);
    h.assert_screen("Headers (1)");
    h.assert_screen("X-Trace");
}

/// The scenario on the bundled demo: open RRS Execute, send it as the
/// portal prefills it, read 200 and the eight hashing counts.
#[tokio::test]
async fn demo_rrs_execute_walkthrough() {
    let demo = portico::demo::start(0, portico::demo::DemoConfig::default())
        .await
        .expect("demo");
    let ctx = TuiContext::with_defaults(portico::demo::bundled_catalog(&demo).expect("catalog"));
    let mut h = Harness::start(ctx, 160, 45);
    h.assert_screen("Text features (Azure ML demo)");
    h.open("rrs execute");
    h.assert_screen("env demo");
    let url = h.app.request_url().expect("open").expect("built");
    assert!(
        url.contains(
            "/workspaces/demo-workspace/services/text-features/execute?api-version=2.0&details=true"
        ),
        "{url}"
    );
    h.key(KeyCode::F(5));
    h.settle().await;
    h.assert_screen("200 OK");
    h.assert_screen("headers ");
    h.assert_screen(" ms · total ");
    // The eight hashing columns of "This is a good day": its 5 words and
    // 4 word pairs counted into 2^3 buckets, so they sum to 9.
    h.assert_screen("Col2_HashingFeature.7");
    let screen = h.screen();
    let cells: Vec<String> = screen
        .lines()
        .map(|l| l.rsplit('│').nth(1).unwrap_or("").trim().to_string())
        .collect();
    let start = cells
        .iter()
        .position(|c| c.contains("\"This is a good day\""))
        .expect("the scored row on screen");
    let counts: Vec<u32> = cells[start + 1..start + 9]
        .iter()
        .map(|c| {
            let last = c.split_whitespace().last().unwrap_or("");
            last.trim_matches(|ch: char| !ch.is_ascii_digit())
                .parse()
                .expect("a count")
        })
        .collect();
    assert_eq!(counts.len(), 8);
    assert_eq!(counts.iter().sum::<u32>(), 9, "{counts:?}");
}

// ---- pane (widget) tests: each pane rendered alone into a buffer ----------

mod panes {
    use std::time::{Duration, Instant};

    use bytes::Bytes;
    use portico::http::{Progress, Response, Timing};
    use portico::request;
    use portico::request::{BuiltRequest, Draft, Vars};
    use portico::tui::config::Theme;
    use portico::tui::input::LineInput;
    use portico::tui::outcome::Outcome;
    use portico::tui::views::catalog::{CatalogPane, RowMarks};
    use portico::tui::views::operation;
    use portico::tui::views::request::{RequestEditor, RequestView};
    use portico::tui::views::response::{RequestState, ResponsePane, ResponseView};
    use ratatui::Terminal;
    use ratatui::backend::TestBackend;
    use ratatui::layout::Rect;
    use std::collections::HashSet;

    use super::catalog;

    fn render(width: u16, height: u16, draw: impl FnOnce(&mut ratatui::Frame, Rect)) -> String {
        let mut terminal = Terminal::new(TestBackend::new(width, height)).expect("terminal");
        terminal
            .draw(|frame| {
                let area = frame.area();
                draw(frame, area);
            })
            .expect("draw");
        super::support::tui::text_of(terminal.backend().buffer())
    }

    const SERVER: &str = "http://127.0.0.1:8400";

    #[test]
    fn catalog_tree_and_filter() {
        let catalog = catalog(SERVER);
        let theme = Theme::default();
        let mut pane = CatalogPane::new(&std::sync::Arc::new(catalog.clone()));
        let tree = render(44, 12, |f, a| {
            pane.render(
                f,
                a,
                &catalog,
                &theme,
                true,
                &RowMarks {
                    open: Some((0, 2)),
                    edited: &HashSet::new(),
                },
            );
        });
        insta::assert_snapshot!("pane_catalog_tree", tree);
        pane.filter = LineInput::new("rate");
        pane.rebuild();
        let filtered = render(44, 6, |f, a| {
            pane.render(
                f,
                a,
                &catalog,
                &theme,
                true,
                &RowMarks {
                    open: None,
                    edited: &HashSet::new(),
                },
            );
        });
        insta::assert_snapshot!("pane_catalog_filtered", filtered);
    }

    #[test]
    fn operation_docs() {
        let catalog = catalog(SERVER);
        let api = &catalog.apis[0];
        let mut scroll = 0;
        let docs = render(64, 22, |f, a| {
            operation::render(
                f,
                a,
                api,
                &api.operations[0],
                &Theme::default(),
                false,
                &mut scroll,
            );
        });
        insta::assert_snapshot!("pane_operation_docs", docs);
    }

    #[test]
    fn request_editor_with_a_pinned_error() {
        let catalog = catalog(SERVER);
        let api = &catalog.apis[0];
        let op = &api.operations[0];
        let vars = Vars::default();
        let mut draft = Draft::new(api, op, &vars);
        draft.params[1].value = "text-features".into();
        let mut editor = RequestEditor::new(draft);
        editor.preview = Some(request::preview(api, op, &editor.draft, &vars));
        let error =
            request::build(api, op, &editor.draft, &vars).expect_err("workspace is missing");
        editor.pin_error(&error, api);
        let view = RequestView {
            api,
            op,
            theme: &Theme::default(),
            focused: true,
            reveal: false,
            server_label: SERVER.into(),
            env: Some("test"),
            tokens: &portico::oauth::Tokens::default(),
            vars: &vars,
            shared_auth: &[],
        };
        let screen = render(80, 14, |f, a| view.render(f, a, &mut editor));
        insta::assert_snapshot!("pane_request_pinned_error", screen);
    }

    fn outcome(status: u16, reason: &str, headers: &[(&str, &str)], body: &str) -> Outcome {
        Outcome {
            response: Response {
                version: "HTTP/1.1".into(),
                status,
                reason: reason.into(),
                headers: headers
                    .iter()
                    .map(|(n, v)| ((*n).to_string(), (*v).to_string()))
                    .collect(),
                body: Bytes::from(body.to_string()),
                truncated: false,
                size: body.len() as u64,
                wire_size: body.len() as u64,
                decoded_from: None,
                saved_to: None,
            },
            sent: BuiltRequest {
                method: "GET".into(),
                url: format!("{SERVER}/rate"),
                headers: vec![("Ocp-Apim-Subscription-Key".into(), "secret-key-1".into())],
                body: None,
                secret_values: vec!["secret-key-1".into()],
                form: Vec::new(),
                body_file: None,
            }
            .masked(),
            redirects: Vec::new(),
            timing: Timing {
                headers: Duration::from_micros(2_400),
                total: Duration::from_micros(3_100),
            },
            secrets: vec!["secret-key-1".into()],
            verdict: None,
        }
    }

    #[test]
    fn response_status_explanation_and_tabs() {
        let theme = Theme::default();
        let body_theme = portico::tui::body_view::BodyTheme::plain();
        let o = outcome(
            429,
            "Too Many Requests",
            &[("content-type", "application/json"), ("retry-after", "7")],
            "{\"statusCode\": 429, \"message\": \"Rate limit is exceeded. Try again in 7 seconds.\"}",
        );
        let view = ResponseView::new(o);
        let now = view.received + Duration::from_millis(2_500);
        let mut state = RequestState::Done {
            id: 1,
            view: Box::new(view),
        };
        let pane = ResponsePane {
            theme: &theme,
            body_theme: &body_theme,
            focused: true,
            now,
            reveal: false,
        };
        let body = render(72, 10, |f, a| pane.render(f, a, &mut state));
        insta::assert_snapshot!("pane_response_429", body);
        if let RequestState::Done { view, .. } = &mut state {
            view.tab = view.tab.cycle(2);
        }
        let sent = render(72, 8, |f, a| pane.render(f, a, &mut state));
        assert!(
            sent.contains("Ocp-Apim-Subscription-Key: ••••••••"),
            "{sent}"
        );
        assert!(!sent.contains("secret-key-1"), "{sent}");

        let (progress_tx, progress) = tokio::sync::watch::channel(Progress::default());
        let mut flying = RequestState::InFlight {
            id: 2,
            started: now - Duration::from_millis(1_250),
            cancel: tokio_util::sync::CancellationToken::new(),
            progress,
            token: None,
        };
        let spinner = render(70, 3, |f, a| pane.render(f, a, &mut flying));
        assert!(spinner.contains("Sending… 1.2 s"), "{spinner}");
        progress_tx.send_replace(Progress {
            headers_received: true,
            status: 200,
            body_bytes: 3 * 1024 * 1024,
            content_length: Some(10 * 1024 * 1024),
            ..Progress::default()
        });
        let receiving = render(70, 3, |f, a| pane.render(f, a, &mut flying));
        assert!(
            receiving.contains("200 · receiving 3.0 MiB of 10.0 MiB"),
            "{receiving}"
        );
        let _ = Instant::now();
    }

    #[test]
    fn escape_sequences_reach_the_buffer_only_escaped() {
        let theme = Theme::default();
        let body_theme = portico::tui::body_view::BodyTheme::plain();
        let o = outcome(
            200,
            "OK",
            &[
                ("content-type", "text/plain"),
                ("x-evil", "a\u{1b}]0;pwned\u{7}b"),
            ],
            "clip\u{1b}]52;c;aGk=\u{7}board",
        );
        let mut state = RequestState::Done {
            id: 1,
            view: Box::new(ResponseView::new(o)),
        };
        let pane = ResponsePane {
            theme: &theme,
            body_theme: &body_theme,
            focused: true,
            now: Instant::now(),
            reveal: false,
        };
        let body = render(60, 8, |f, a| pane.render(f, a, &mut state));
        assert!(
            !body.contains('\u{1b}') && !body.contains('\u{7}'),
            "{body:?}"
        );
        assert!(body.contains("\\x1b]52;c;aGk=\\x07board"), "{body}");
        if let RequestState::Done { view, .. } = &mut state {
            view.tab = view.tab.cycle(1);
        }
        let headers = render(60, 8, |f, a| pane.render(f, a, &mut state));
        assert!(
            headers.contains("x-evil: a\\x1b]0;pwned\\x07b"),
            "{headers}"
        );
    }
}

#[tokio::test]
async fn server_variables_are_rows_with_their_choices() {
    let mut h = Lab::new(160, 45).await;
    let real = h.server.url.clone();
    let mut variables = IndexMap::new();
    variables.insert(
        "base".to_string(),
        portico::catalog::ServerVariable {
            default: real.clone(),
            enum_values: vec![real.clone(), "http://127.0.0.1:9".into()],
            description: None,
        },
    );
    let mut catalog = catalog(&real);
    catalog.apis[0].servers = vec![Server {
        url: "{base}".into(),
        description: None,
        variables,
    }];
    h.h = Harness::start(TuiContext::with_defaults(catalog), 160, 45);
    h.open("rate limited");
    h.assert_screen("server");
    h.assert_screen("(default)");
    // The only row is the server variable: choose the other value.
    h.key(KeyCode::Enter);
    h.assert_screen("base — choose a value");
    h.key(KeyCode::Down);
    h.key(KeyCode::Enter);
    let url = h.app.request_url().expect("open").expect("built");
    assert_eq!(url, "http://127.0.0.1:9/rate");
    h.key(KeyCode::Enter);
    h.key(KeyCode::Up);
    h.key(KeyCode::Enter);
    h.key(KeyCode::F(5));
    h.settle().await;
    h.assert_screen("429 Too Many Requests");
}

#[tokio::test]
async fn body_examples_reformat_and_copy() {
    let mut h = Lab::new(160, 45).await;
    h.open("rrs");
    h.key(KeyCode::Char(']'));
    h.key(KeyCode::Char(']'));
    h.key(KeyCode::Char('x'));
    h.assert_screen("Body examples");
    h.assert_screen("empty — no rows");
    h.key(KeyCode::Down);
    h.key(KeyCode::Enter);
    h.assert_screen("\"Inputs\": {}");
    // Squash it onto one line by hand, then reformat.
    h.key(KeyCode::Enter);
    for _ in 0..2 {
        h.key(KeyCode::Down);
        h.key(KeyCode::Home);
        h.key(KeyCode::Backspace);
    }
    h.key(KeyCode::Esc);
    h.assert_screen("{  \"Inputs\": {}}");
    h.key(KeyCode::Char('F'));
    h.assert_screen("  \"Inputs\": {}");
    h.assert_screen("✓ valid JSON");
    h.key(KeyCode::Char('B'));
    match h.app.take_effects().as_slice() {
        [Effect::Copy(text)] => assert_eq!(text, "{\n  \"Inputs\": {}\n}"),
        other => panic!("expected one copy, got {other:?}"),
    }
    h.assert_screen("Copied the request body");
}

#[tokio::test]
async fn retry_after_counts_down_live() {
    let mut h = Lab::new(160, 45).await;
    h.open("rate limited");
    h.key(KeyCode::F(5));
    h.settle().await;
    h.assert_screen("retry in 7 s.");
    // The countdown wakes the loop by itself, once a second.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(3);
    while !h.screen().contains("retry in 6 s.") {
        tokio::time::timeout_at(deadline, h.app.step())
            .await
            .expect("a countdown tick")
            .expect("step");
    }
}

#[tokio::test]
async fn configured_keys_and_no_colour() {
    let server = start_server().await;
    let config = Config::from_toml(
        "[keys]\nsend = \"F9\"\nquit = \"ctrl+q\"\n",
        "config.toml",
        true,
    );
    assert!(config.warnings.is_empty(), "{:?}", config.warnings);
    let ctx = TuiContext {
        config,
        ..TuiContext::with_defaults(catalog(&server.url))
    };
    let mut h = Harness::start(ctx, 120, 40);
    h.open("rate limited");
    h.key(KeyCode::F(5));
    assert!(!h.app.is_busy(), "F5 no longer sends");
    h.key(KeyCode::F(9));
    assert!(h.app.is_busy(), "F9 sends");
    h.settle().await;
    h.assert_screen("429");
    h.key(KeyCode::Char('q'));
    assert!(!h.app.should_quit(), "q no longer quits");
    h.key(KeyCode::Char('?'));
    h.assert_screen("F9");
    h.assert_screen("Ctrl+Q");
    h.key(KeyCode::Esc);
    // Without colour, nothing on screen has a foreground or background hue.
    let buffer = h.app.backend().buffer();
    let coloured = buffer
        .content()
        .iter()
        .filter(|c| c.fg != ratatui::style::Color::Reset || c.bg != ratatui::style::Color::Reset)
        .count();
    assert_eq!(coloured, 0, "cells with colour under NO_COLOR");
    h.key_mod(KeyCode::Char('q'), KeyModifiers::CONTROL);
    assert!(h.app.should_quit());
}

#[tokio::test]
async fn save_the_response_body_to_a_file() {
    let mut h = Lab::new(120, 40).await;
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("answer.txt");
    h.open("rate limited");
    h.key(KeyCode::F(5));
    h.settle().await;
    h.key(KeyCode::Tab);
    h.key(KeyCode::Char('S'));
    h.assert_screen("Save the response body to");
    h.key_mod(KeyCode::Char('u'), KeyModifiers::CONTROL);
    h.type_text(&path.display().to_string());
    h.key(KeyCode::Enter);
    h.assert_screen("Saved 9 bytes to");
    assert_eq!(std::fs::read(&path).expect("saved"), b"slow down");
}

/// With `--server`, the overview names the base URL requests really go to,
/// not the definition's own server.
#[tokio::test]
async fn the_overview_shows_the_server_override() {
    let server = start_server().await;
    let catalog = catalog(&server.url);
    let own = catalog.apis[0].servers[0].url.clone();
    let ctx = TuiContext {
        server_override: Some("http://127.0.0.1:9/override".into()),
        ..TuiContext::with_defaults(catalog)
    };
    let h = Harness::start(ctx, 160, 45);
    h.assert_screen("http://127.0.0.1:9/override");
    assert!(!h.screen().contains(&own), "{}", h.screen());
}

/// HTML in a definition's descriptions (httpbin's, Uber's) reads as text
/// in the overview and the operation's docs: breaks, items and links kept,
/// tags and entities gone; Markdown and `<placeholders>` stay as written.
#[tokio::test]
async fn html_in_descriptions_reads_as_text() {
    let server = start_server().await;
    let mut catalog = catalog(&server.url);
    catalog.apis[0].description = Some(
        "A simple HTTP Request &amp; Response Service.<br/> A <a href='http://kennethreitz.com/'>Kenneth Reitz</a> project."
            .into(),
    );
    let mut html = op("Price estimates", "GET", "/estimates/price", "Batch");
    html.description = Some(
        "Returns an estimated price range.<br><br>The response also includes the [ISO 4217](http://en.wikipedia.org/wiki/ISO_4217) code.<ul><li>low &lt; high</li><li>see <a href=\"https://x.test/surge\">surge</a></li></ul>Format: `refs/heads/<branch name>`."
            .into(),
    );
    catalog.apis[0].operations.push(html);
    let mut h = Harness::start(TuiContext::with_defaults(catalog), 160, 45);
    h.assert_screen("  A simple HTTP Request & Response Service.");
    h.assert_not_screen("<br/>");
    h.open("price estimates");
    h.assert_screen("GET /estimates/price");
    for line in [
        "Returns an estimated price range.",
        "The response also includes the ISO 4217",
        "• low < high",
        "• see surge (https://x.test/surge)",
        "Format: refs/heads/<branch name>.",
    ] {
        let row = h.line_with(line).unwrap_or_else(|| {
            panic!("`{line}` not on screen:\n{}", h.screen());
        });
        // Each on a row of its own: nothing else before it in the pane.
        let before = row.split(line).next().unwrap_or_default();
        assert!(
            before.trim_end().ends_with('│'),
            "`{line}` shares its row: {row}"
        );
    }
    // The paragraph break stays a blank row.
    let screen = h.screen();
    let rows: Vec<&str> = screen.lines().collect();
    let at = rows
        .iter()
        .position(|r| r.contains("Returns an estimated price range."))
        .expect("first paragraph");
    assert!(
        rows[at + 1].contains("│ ") && !rows[at + 1].contains("The response"),
        "{screen}"
    );
    assert!(
        rows[at + 2].contains("The response also includes"),
        "{screen}"
    );
    h.assert_not_screen("<li>");
    h.assert_not_screen("&lt;");
}

/// The help overlay scrolls until its last line is at the bottom, not
/// past it: one Up after scrolling far shows the line before the last.
#[tokio::test]
async fn help_scrolls_to_its_last_line_and_no_further() {
    for (width, height) in [(100, 30), (60, 20), (160, 45)] {
        let mut h = Lab::new(width, height).await;
        h.key(KeyCode::Char('?'));
        h.assert_screen("Keys (Esc closes");
        let last = "Ctrl+C always quits.";
        for _ in 0..30 {
            h.key(KeyCode::PageDown);
        }
        let screen = h.screen();
        let rows: Vec<&str> = screen.lines().collect();
        let at = rows
            .iter()
            .position(|r| r.contains(last))
            .unwrap_or_else(|| panic!("{width}x{height}: the last line is not shown:\n{screen}"));
        assert!(
            rows[at + 1].contains('└'),
            "{width}x{height}: the last line is not at the bottom:\n{screen}"
        );
        h.key(KeyCode::Up);
        h.assert_not_screen(last);
        h.key(KeyCode::Down);
        h.assert_screen(last);
        // Back to the top.
        for _ in 0..30 {
            h.key(KeyCode::PageUp);
        }
        h.assert_screen("Everywhere");
    }
}

/// A body over the 16 MiB cap: the status line says what is held, in the
/// same units as the body pane, and keeps `(truncated)` in sight at every
/// width from 80 to 160 columns.
#[tokio::test]
async fn a_capped_body_is_labelled_with_the_cap() {
    let big = support::TestServer::start().await;
    let mut catalog = catalog(&big.url(""));
    // 17 MB, sent in 64 KiB chunks: the read stops one chunk past the cap.
    catalog.apis[0]
        .operations
        .push(op("Big body", "GET", "/bytes/17000000", "Batch"));
    let mut h = Harness::start(TuiContext::with_defaults(catalog), 160, 45);
    h.open("big body");
    h.key(KeyCode::F(5));
    h.settle().await;
    let status = h.line_with("200 OK").expect("status line");
    assert!(status.contains(" · 16.0 MiB (truncated)"), "{status}");
    h.assert_screen("binary, 16.0 MiB (16,777,216 bytes)");
    h.key(KeyCode::Tab);
    h.key(KeyCode::Left);
    h.assert_screen("Size             16.0 MiB (16,777,216 bytes) kept of ");
    for width in (80..=160).step_by(10) {
        h.resize(width, 40);
        let status = h.line_with("200 OK").unwrap_or_else(|| {
            panic!("{width} columns: no status line:\n{}", h.screen());
        });
        assert!(
            status.contains("16.0 MiB (truncated)"),
            "{width} columns: {status}"
        );
        assert!(status.contains(" · total "), "{width} columns: {status}");
    }
}

#[tokio::test]
async fn code_samples_cycle_languages_copy_and_remember_the_choice() {
    let mut h = Lab::new(160, 45).await;
    h.open("guarded");
    h.key(KeyCode::Char('X'));
    h.assert_screen("curl (secrets masked");
    h.assert_screen("PowerShell (Invoke-RestMethod)");
    h.key(KeyCode::Right);
    h.assert_screen("HTTPie (secrets masked");
    h.assert_screen("--ignore-stdin");
    h.key(KeyCode::Right);
    h.assert_screen("Python (requests) (secrets masked");
    h.assert_screen("import requests");
    h.assert_screen("\"Ocp-Apim-Subscription-Key\": \"••••••••\"");
    h.key(KeyCode::Char('Y'));
    match h.app.take_effects().as_slice() {
        [Effect::Copy(text)] => {
            assert!(text.starts_with("import requests"), "{text}");
            assert!(text.contains("requests.request("), "{text}");
            assert!(!text.contains("sk-test-123456"), "{text}");
        }
        other => panic!("expected one copy, got {other:?}"),
    }
    // Left from the first language goes round to the last.
    for _ in 0..3 {
        h.key(KeyCode::Left);
    }
    h.assert_screen("PHP (curl) (secrets masked");
    h.assert_screen("<?php");
    h.key(KeyCode::Esc);
    h.key(KeyCode::Char('X'));
    h.assert_screen("PHP (curl) (secrets masked");
}

/// Esc cancels a field's edit and Enter keeps it; Ctrl+Z takes back the
/// last change to the request, one completed change at a time, and the
/// body has its own undo while it is typed in.
#[tokio::test]
async fn esc_cancels_an_edit_and_ctrl_z_undoes_changes() {
    let mut h = Lab::new(160, 45).await;
    h.open_execute("ws1", "svc1");
    let url = |h: &Lab| h.app.request_url().expect("open").expect("built");
    assert!(
        url(&h).contains("/workspaces/ws1/services/svc1/"),
        "{}",
        url(&h)
    );

    // The service's row: an edit cancelled, then one kept.
    h.key(KeyCode::Char('e'));
    h.type_text("-changed");
    assert!(url(&h).contains("svc1-changed"), "live while typing");
    h.key(KeyCode::Esc);
    h.assert_screen("Edit cancelled (Enter keeps an edit)");
    assert!(url(&h).contains("/services/svc1/"), "{}", url(&h));
    h.key(KeyCode::Char('e'));
    h.type_text("-kept");
    h.key(KeyCode::Enter);
    assert!(url(&h).contains("/services/svc1-kept/"), "{}", url(&h));

    // A header added, then deleted.
    h.key(KeyCode::Right);
    h.key(KeyCode::Char('a'));
    h.type_text("X-Trace");
    h.key(KeyCode::Enter);
    h.type_text("t-1");
    h.key(KeyCode::Enter);
    h.assert_screen("X-Trace");
    h.key(KeyCode::Char('d'));
    h.assert_not_screen("X-Trace");

    let ctrl_z = |h: &mut Lab| h.key_mod(KeyCode::Char('z'), KeyModifiers::CONTROL);
    ctrl_z(&mut h);
    h.assert_screen("X-Trace");
    h.assert_screen("t-1");
    ctrl_z(&mut h);
    h.assert_not_screen("X-Trace");
    ctrl_z(&mut h);
    assert!(url(&h).contains("/services/svc1/"), "{}", url(&h));
    ctrl_z(&mut h);
    let unbuilt = h.app.request_url().expect("open");
    assert!(
        unbuilt
            .as_ref()
            .is_err_and(|e| e.contains("missing required path parameter `service`")),
        "the service typed first is taken back: {unbuilt:?}"
    );
    ctrl_z(&mut h);
    ctrl_z(&mut h);
    h.assert_screen("Nothing to undo");

    // The body: Ctrl+Z while typing undoes the typing.
    h.key(KeyCode::Right);
    h.assert_screen("✓ valid JSON");
    h.key(KeyCode::Enter);
    h.key(KeyCode::End);
    h.type_text("oops");
    h.assert_screen("oops");
    for _ in 0.."oops".len() {
        ctrl_z(&mut h);
    }
    h.assert_not_screen("oops");
    h.key(KeyCode::Esc);
    h.assert_screen("✓ valid JSON");
}

/// `O` resets the request to the definition's defaults after asking, and
/// Ctrl+Z brings the user's back; an example over an edited body says how
/// to get it back.
#[tokio::test]
async fn a_reset_asks_first_and_ctrl_z_brings_the_edits_back() {
    let mut h = Lab::new(160, 45).await;
    h.open_execute("ws1", "svc1");
    let url = |h: &Lab| h.app.request_url().expect("open").expect("built");
    assert!(url(&h).contains("/workspaces/ws1/services/svc1/"));

    h.key(KeyCode::Char('O'));
    h.assert_screen("to the definition's defaults? (Ctrl+Z undoes it)");
    h.key(KeyCode::Char('n'));
    assert!(url(&h).contains("svc1"), "any other key keeps the draft");

    h.key(KeyCode::Char('O'));
    h.key(KeyCode::Char('y'));
    h.assert_screen("Reset to the definition's defaults (Ctrl+Z brings yours back)");
    let reset = h.app.request_url().expect("open");
    assert!(
        reset.is_err(),
        "the path parameters are empty again: {reset:?}"
    );
    h.key_mod(KeyCode::Char('z'), KeyModifiers::CONTROL);
    assert!(
        url(&h).contains("/workspaces/ws1/services/svc1/"),
        "{}",
        url(&h)
    );

    // An example over an edited body asks first, and says how to get the
    // body back.
    h.key(KeyCode::Char(']'));
    h.key(KeyCode::Char(']'));
    h.key(KeyCode::Enter);
    h.key(KeyCode::End);
    h.type_text("\"mine\": 1,");
    h.key(KeyCode::Esc);
    h.key(KeyCode::Char('x'));
    h.key(KeyCode::Enter);
    h.assert_screen("Replace your edited body with the example? (Ctrl+Z brings it back)");
    h.key(KeyCode::Char('n'));
    h.assert_screen("\"mine\": 1,");
    h.key(KeyCode::Char('x'));
    h.key(KeyCode::Enter);
    h.key(KeyCode::Char('y'));
    h.assert_screen("Body replaced by the example (Ctrl+Z brings yours back)");
    h.assert_not_screen("\"mine\": 1,");
    h.key_mod(KeyCode::Char('z'), KeyModifiers::CONTROL);
    h.assert_screen("\"mine\": 1,");
}

/// At 60 columns the body's note (content type, where the JSON breaks)
/// does not fit: it ends with `…` instead of stopping at the edge.
#[tokio::test]
async fn a_note_too_long_for_its_line_ends_with_an_ellipsis() {
    let mut h = Lab::new(60, 24).await;
    h.open("rrs exe");
    h.key(KeyCode::Char(']'));
    h.key(KeyCode::Char(']'));
    h.key(KeyCode::Enter);
    h.key(KeyCode::End);
    h.type_text("oops");
    h.key(KeyCode::Esc);
    let note = h.line_with("application/json").expect("the body's note");
    assert!(note.contains("✗ line 1, column"), "{note}");
    assert!(
        note.trim_end_matches('│').trim_end().ends_with('…'),
        "{note}"
    );
}

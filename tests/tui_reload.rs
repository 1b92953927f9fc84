//! Definitions that change on disk while the TUI runs: the catalog is
//! loaded again within a second, the open operation keeps its unsent
//! edits and its last answer wherever the new catalog puts it, and a
//! definition that no longer loads leaves the old catalog in place with
//! the reason on screen.

mod support;

use std::path::Path;
use std::time::Duration;

use crossterm::event::KeyCode;
use portico::catalog;
use portico::tui::{TuiContext, WatchedSources};
use serde_json::json;
use support::tui::Harness;

/// A definition of the test server's `/echo` with a query parameter; the
/// first operation's summary is `summary`, and `first` puts another
/// operation ahead of it (moving it in the catalog).
fn definition(server: &str, summary: &str, first: bool) -> String {
    let mut paths = serde_json::Map::new();
    if first {
        paths.insert(
            "/headers".into(),
            json!({"get": {"summary": "Show the headers", "responses": {"200": {"description": "ok"}}}}),
        );
    }
    paths.insert(
        "/echo".into(),
        json!({
            "get": {
                "summary": summary,
                "parameters": [{"name": "q", "in": "query", "schema": {"type": "string"}}],
                "responses": {"200": {"description": "ok"}}
            },
            "post": {"summary": "Post it", "responses": {"200": {"description": "ok"}}}
        }),
    );
    json!({
        "openapi": "3.0.3",
        "info": {"title": "Echoes", "version": "1"},
        "servers": [{"url": server}],
        "paths": paths
    })
    .to_string()
}

fn watching(path: &Path) -> Harness {
    let source = path.to_string_lossy().into_owned();
    let ctx = TuiContext {
        watch: Some(WatchedSources {
            sources: vec![source],
            insecure: false,
        }),
        ..TuiContext::with_defaults(catalog::load_file(path).expect("loads"))
    };
    Harness::start(ctx, 160, 45)
}

/// Within the second the issue allows, with room for a loaded machine.
const RELOADED_WITHIN: Duration = Duration::from_secs(5);

#[tokio::test]
async fn an_edited_definition_reloads_keeping_the_draft_and_the_answer() {
    let server = support::TestServer::start().await;
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("echoes.json");
    std::fs::write(&path, definition(&server.url(""), "Echo it back", false)).expect("write");
    let mut h = watching(&path);

    h.open("echo it back");
    h.key(KeyCode::Enter);
    h.type_text("kept-value");
    h.key(KeyCode::Enter);
    assert!(h.url().ends_with("/echo?q=kept-value"), "{}", h.url());
    h.key(KeyCode::F(5));
    h.settle().await;
    h.assert_screen("200 OK");

    // A new summary, and an operation ahead of this one.
    std::fs::write(&path, definition(&server.url(""), "Echo it all back", true)).expect("write");
    h.wait_for("Echo it all back", RELOADED_WITHIN).await;
    h.assert_screen("Reloaded");
    h.assert_screen("1 API · 3 operations");
    assert!(
        h.url().ends_with("/echo?q=kept-value"),
        "the unsent edit is kept: {}",
        h.url()
    );
    h.assert_screen("200 OK");
    let open = h.line_with("●").expect("the open operation is marked");
    assert!(open.contains("Echo it all back"), "{open}");

    // Broken: the catalog stays, and the screen says why.
    std::fs::write(&path, "{\"openapi\": \"3.0.3\", \"paths\": {").expect("write");
    h.wait_for("no longer loads", RELOADED_WITHIN).await;
    h.assert_screen("Echo it all back");
    assert!(h.url().ends_with("/echo?q=kept-value"), "{}", h.url());

    // Mended, without the operation that was open: said too.
    let without = definition(&server.url(""), "Echo it back", false).replace("\"get\"", "\"put\"");
    std::fs::write(&path, without).expect("write");
    h.wait_for("no longer defined", RELOADED_WITHIN).await;
    h.assert_not_screen("Echo it all back");
}

/// `/echo` with the given query parameters, `(name, required)`.
fn echo_with(server: &str, params: &[(&str, bool)]) -> String {
    let params: Vec<serde_json::Value> = params
        .iter()
        .map(|(name, required)| {
            json!({"name": name, "in": "query", "required": required, "schema": {"type": "string"}})
        })
        .collect();
    json!({
        "openapi": "3.0.3",
        "info": {"title": "Echoes", "version": "1"},
        "servers": [{"url": server}],
        "paths": {"/echo": {"get": {
            "summary": "Echo it back",
            "parameters": params,
            "responses": {"200": {"description": "ok"}}
        }}}
    })
    .to_string()
}

#[tokio::test]
async fn a_preset_left_behind_by_a_reload_is_shown_and_updated_when_asked() {
    use crossterm::event::KeyModifiers;
    use portico::catalog::OperationKey;
    use portico::store::{Paths, Presets};

    let server = support::TestServer::start().await;
    let dir = tempfile::tempdir().expect("dir");
    let home = tempfile::tempdir().expect("home");
    let path = dir.path().join("echoes.json");
    std::fs::write(
        &path,
        echo_with(&server.url(""), &[("q", false), ("old", false)]),
    )
    .expect("write");
    let source = path.to_string_lossy().into_owned();
    let ctx = TuiContext {
        paths: Some(Paths::in_dir(home.path())),
        watch: Some(WatchedSources {
            sources: vec![source],
            insecure: false,
        }),
        ..TuiContext::with_defaults(catalog::load_file(&path).expect("loads"))
    };
    let mut h = Harness::start(ctx, 160, 45);

    // A preset that sets both parameters.
    h.open("echo it back");
    h.key(KeyCode::Enter);
    h.type_text("kept");
    h.key(KeyCode::Enter);
    h.key(KeyCode::Down);
    h.key(KeyCode::Enter);
    h.type_text("stale");
    h.key(KeyCode::Enter);
    assert!(h.url().ends_with("/echo?q=kept&old=stale"), "{}", h.url());
    h.key_mod(KeyCode::Char('s'), KeyModifiers::CONTROL);
    h.type_text("mine");
    h.key(KeyCode::Enter);
    h.assert_screen("Saved preset `mine`");

    // `old` is gone from the definition and `page` is new and required.
    std::fs::write(
        &path,
        echo_with(&server.url(""), &[("q", false), ("page", true)]),
    )
    .expect("write");
    h.wait_for("no longer fit", RELOADED_WITHIN).await;
    h.key(KeyCode::Esc);
    h.key(KeyCode::Char('p'));
    let row = h.line_with(" mine").expect("the preset is listed");
    assert!(row.contains("changed"), "{row}");
    let why = h.message("The operation changed");
    assert!(
        why.contains("query `old` no longer defined") && why.contains("required query `page`"),
        "{why}"
    );

    let presets = Presets::new(&Paths::in_dir(home.path()));
    let key = OperationKey {
        api: "echoes".into(),
        method: "GET".into(),
        path: "/echo".into(),
    };
    let before = presets.get(&key, "mine").expect("saved").draft;

    // Asked first: `n` changes nothing.
    h.key(KeyCode::Char('m'));
    h.assert_screen(
        "Update the preset `mine`: drop the values of `old` and add `page` to fill in?",
    );
    h.key(KeyCode::Char('n'));
    assert_eq!(presets.get(&key, "mine").expect("kept").draft, before);

    h.key(KeyCode::Char('m'));
    h.key(KeyCode::Char('y'));
    h.assert_screen("Updated preset `mine`; load it (Enter) and fill `page`");
    let after = presets.get(&key, "mine").expect("kept").draft;
    let rows: Vec<(&str, &str)> = after
        .params
        .iter()
        .map(|p| (p.name.as_str(), p.value.as_str()))
        .collect();
    assert_eq!(rows, [("q", "kept"), ("page", "")]);
    let row = h.line_with(" mine").expect("still listed");
    assert!(row.contains("changed"), "`page` still wants a value: {row}");
}

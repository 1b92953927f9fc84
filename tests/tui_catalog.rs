//! The catalog pane of the real TUI, driven by keys through the shared
//! harness: where the cursor starts with several definitions open, and
//! rows that stay told apart at the widths the layout gives the catalog.

mod support;

use std::collections::HashMap;

use crossterm::event::KeyCode;
use portico::catalog::{self, Catalog};
use portico::tui::TuiContext;
use serde_json::json;
use support::tui::Harness;

/// A definition titled `title` with `tags` tags of `per_tag` operations
/// each, summaries `<title> <tag> <n>`.
fn definition(title: &str, tags: usize, per_tag: usize) -> Catalog {
    let mut paths = serde_json::Map::new();
    for t in 0..tags {
        for n in 0..per_tag {
            paths.insert(
                format!("/{title}/t{t}/op{n}"),
                json!({ "get": {
                    "summary": format!("{title} {t} {n}"),
                    "tags": [format!("tag{t}")],
                    "responses": { "200": { "description": "ok" } },
                }}),
            );
        }
    }
    let doc = json!({
        "openapi": "3.0.3",
        "info": { "title": title, "version": "1" },
        "paths": paths,
    });
    catalog::load_bytes(doc.to_string().as_bytes(), &format!("{title}.json")).expect("loads")
}

/// Two catalogs as one, as opening two definitions makes them.
fn both(mut first: Catalog, second: Catalog) -> Catalog {
    first.apis.extend(second.apis);
    first
}

/// Enter on the starting row opens the first operation of the first API.
fn assert_starts_on_first(catalog: Catalog, first_title: &str) {
    let mut h = Harness::start(TuiContext::with_defaults(catalog), 160, 45);
    h.key(KeyCode::Enter);
    let open = h
        .line_with("●")
        .unwrap_or_else(|| panic!("nothing open:\n{}", h.screen()));
    assert!(
        open.contains(first_title),
        "opened `{open}`, not `{first_title}`:\n{}",
        h.screen()
    );
}

#[test]
fn the_cursor_starts_on_the_first_operation_of_the_first_api() {
    // Small: everything unfolded.
    assert_starts_on_first(
        both(definition("alpha", 2, 3), definition("beta", 2, 3)),
        "alpha 0 0",
    );
    // Large (over 200 operations): groups open folded, but the first
    // group of the first API opens for the cursor.
    assert_starts_on_first(
        both(definition("alpha", 5, 30), definition("beta", 5, 30)),
        "alpha 0 0",
    );
}

/// The catalog column's rows (inside its borders), trimmed, empty ones
/// left out, for a catalog `width` cells wide at the left of the screen.
/// The catalog's rows, read inside its frame (whose width the top border
/// gives: the first `┐`); the filter line and blank rows left out.
fn catalog_rows(h: &Harness) -> Vec<String> {
    let screen = h.screen();
    let inner = screen
        .lines()
        .nth(1)
        .and_then(|border| border.chars().position(|c| c == '┐'))
        .map_or(0, |end| end - 1);
    screen
        .lines()
        .skip(2)
        .map(|line| {
            let row: String = line.chars().skip(1).take(inner).collect();
            row.trim().to_string()
        })
        .filter(|row| !row.is_empty() && !row.starts_with('─') && !row.starts_with('/'))
        .collect()
}

#[track_caller]
fn assert_distinct(h: &Harness, width: usize, what: &str) {
    let rows = catalog_rows(h);
    let mut seen: HashMap<&str, usize> = HashMap::new();
    for row in &rows {
        *seen.entry(row.as_str()).or_default() += 1;
    }
    let twice: Vec<_> = seen.iter().filter(|&(_, &n)| n > 1).collect();
    assert!(
        twice.is_empty(),
        "{what} at {width} columns: rows alike {twice:?}:\n{}",
        h.screen()
    );
}

/// Walks the tree, unfolding every group met, checking each screen.
fn walk_tree(h: &mut Harness, width: usize, what: &str) {
    for _ in 0..60 {
        h.key(KeyCode::Right);
        h.key(KeyCode::Down);
        assert_distinct(h, width, what);
    }
}

fn filter(h: &mut Harness, query: &str, width: usize, what: &str) {
    h.key(KeyCode::Char('/'));
    h.key_mod(KeyCode::Char('u'), crossterm::event::KeyModifiers::CONTROL);
    h.type_text(query);
    assert_distinct(h, width, &format!("{what}, filter {query:?}"));
    h.key(KeyCode::Esc);
}

/// At 150 columns the catalog is 60 wide with nothing open and 33 wide
/// with an operation open.
fn check_widths(file: &str, queries: &[&str], open: &str) {
    let Some(dir) = support::specs_dir() else {
        return;
    };
    let catalog = catalog::load_file(&dir.join(file)).expect("loads");
    let mut h = Harness::start(TuiContext::with_defaults(catalog), 150, 40);
    assert!(
        h.screen()
            .lines()
            .nth(1)
            .is_some_and(|l| l.chars().nth(59) == Some('┐'))
    );
    walk_tree(&mut h, 60, file);
    for query in queries {
        filter(&mut h, query, 60, file);
    }
    h.open(open);
    assert!(
        h.screen()
            .lines()
            .nth(1)
            .is_some_and(|l| l.chars().nth(32) == Some('┐')),
        "the catalog is 33 wide:\n{}",
        h.screen()
    );
    for query in queries {
        filter(&mut h, query, 33, file);
    }
    // Back to the tree, from the top.
    h.key(KeyCode::Char('/'));
    h.key(KeyCode::Esc);
    h.key(KeyCode::Home);
    walk_tree(&mut h, 33, file);
}

#[test]
fn github_rows_stay_distinct_at_33_and_60_columns() {
    check_widths(
        "github-api.github.com-3.0.json",
        &[
            "/repos/{owner}/{repo}/iss",
            "issues",
            "reactions",
            // Once rows alike at 33 columns (`GET …/pulls/comments/{comm…`):
            // templates now lose their names before a segment is cut.
            "comments",
            "get /repos",
        ],
        "create an issue",
    );
}

#[test]
fn httpbin_rows_stay_distinct_at_33_and_60_columns() {
    check_widths(
        "httpbin-0.10.4-flasgger-2.0.json",
        &["anything", "returns", "/status", "redirect"],
        "get /headers",
    );
}

/// Two "Swagger Petstore"s: their API rows differ (by version).
#[test]
fn apis_of_one_title_are_told_apart() {
    let Some(dir) = support::specs_dir() else {
        return;
    };
    let load = |f: &str| catalog::load_file(&dir.join(f)).expect("loads");
    let catalog = both(load("oai-petstore-3.0.yaml"), load("oai-petstore-2.0.json"));
    let titles: Vec<String> = catalog.apis.iter().map(|a| a.title.clone()).collect();
    assert_eq!(titles[0], titles[1], "the case needs one title twice");
    let h = Harness::start(TuiContext::with_defaults(catalog), 150, 40);
    let api_rows: Vec<String> = catalog_rows(&h)
        .into_iter()
        .filter(|r| r.starts_with('▾') || r.starts_with('▸'))
        .filter(|r| r.contains("Swagger Petstore"))
        .collect();
    assert_eq!(api_rows.len(), 2, "{}", h.screen());
    assert_ne!(api_rows[0], api_rows[1], "{}", h.screen());
}

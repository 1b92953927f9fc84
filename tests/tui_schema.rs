//! The schema trees of the operation pane driven by keys on GitHub's
//! "Create an issue": each node with children folds on its own (`n`/`N`
//! select one, ←→ and Space fold it), and `z` unfolds or folds them all.

mod support;

use crossterm::event::{KeyCode, KeyModifiers};
use portico::catalog;
use portico::tui::TuiContext;
use ratatui::style::Modifier;
use support::tui::Harness;

/// The text drawn reversed below the title bar: the selected schema
/// node's name.
fn selected(h: &Harness) -> String {
    let buffer = h.buffer();
    let width = usize::from(buffer.area.width);
    buffer
        .content()
        .iter()
        .skip(width)
        .filter(|cell| cell.modifier.contains(Modifier::REVERSED))
        .map(ratatui::buffer::Cell::symbol)
        .collect::<String>()
        .trim()
        .to_string()
}

#[tokio::test]
async fn each_schema_node_folds_on_its_own() {
    let Some(dir) = support::specs_dir() else {
        return;
    };
    let catalog = catalog::load_file(&dir.join("github-api.github.com-3.0.json")).expect("loads");
    let mut h = Harness::start(TuiContext::with_defaults(catalog), 160, 45);
    h.open("create an issue");
    h.assert_screen("POST /repos/{owner}/{repo}/issues");
    // To the operation pane.
    h.key_mod(KeyCode::BackTab, KeyModifiers::SHIFT);

    // Levels below the second start folded, saying how much they hide.
    h.key(KeyCode::Char('n'));
    assert_eq!(selected(&h), "title*");
    h.assert_screen("▾ title*  string | integer");
    for _ in 0..3 {
        h.key(KeyCode::Char('n'));
    }
    assert_eq!(selected(&h), "[]");
    let items = h.line_with("▸ []  string | object").expect("folded items");
    assert!(items.contains("(6 more)"), "{items}");
    h.assert_not_screen("object  object");

    // → unfolds the selected node alone; ← folds it again.
    h.key(KeyCode::Right);
    h.assert_screen("▾ []  string | object");
    h.assert_screen("object  object");
    h.assert_screen("(4 more)");
    h.key(KeyCode::Left);
    h.assert_screen("▸ []  string | object  (6 more)");

    // N goes back to `labels`; Space folds it, taking its items along.
    h.key(KeyCode::Char('N'));
    assert_eq!(selected(&h), "labels");
    h.key(KeyCode::Char(' '));
    let labels = h.line_with("▸ labels").expect("labels folded");
    assert!(labels.contains("(7 more)"), "{labels}");
    h.assert_not_screen("[]  string | object");

    // z unfolds every level, the one folded by hand too; z again folds
    // back to the first two levels.
    h.key(KeyCode::Char('z'));
    h.assert_screen("▾ labels");
    h.assert_screen("▾ []  string | object");
    h.key(KeyCode::Char('z'));
    h.assert_screen("▸ []  string | object  (6 more)");
}

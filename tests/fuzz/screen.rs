//! Targets on screen: hostile answers and definitions drawn through the
//! TUI's panes leave no control character in any cell.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use portico::catalog::{self, Api, Operation};
use portico::request::{BuiltRequest, Draft, Vars};
use proptest::collection::vec;
use proptest::prelude::*;
use proptest::sample::select;

use crate::definitions::definition_input;
use crate::harness::{fuzz, hostile_text, mutated_seed};

/// What a hostile server can put in an answer, as the response pane gets
/// it: status, reason, headers (with the ones the pane reads: type,
/// charset, Retry-After, encoding), any body, and the request's secrets.
#[derive(Debug, Clone)]
struct AnswerCase {
    status: u16,
    reason: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
    secrets: Vec<String>,
    truncated: bool,
    width: u16,
    height: u16,
    search: String,
}

fn answer_case() -> impl Strategy<Value = AnswerCase> {
    let header = prop_oneof![
        (
            Just("content-type".to_string()),
            prop_oneof![
                select(
                    &[
                        "application/json",
                        "application/json; charset=utf-16",
                        "text/html; charset=iso-8859-1",
                        "text/plain; charset=\"shift_jis\"",
                        "application/octet-stream",
                        "image/png",
                        "application/problem+json",
                        "text/csv",
                    ][..]
                )
                .prop_map(str::to_string),
                hostile_text(30),
            ]
        ),
        (
            Just("retry-after".to_string()),
            prop_oneof![
                any::<u64>().prop_map(|n| n.to_string()),
                Just("18446744073709551615".to_string()),
                Just("99999999999999999999999".to_string()),
                Just("Wed, 21 Oct 2015 07:28:00 GMT".to_string()),
                hostile_text(20),
            ]
        ),
        ("[a-z-]{1,12}", hostile_text(40)),
    ];
    let body = prop_oneof![
        vec(any::<u8>(), 0..600),
        hostile_text(300).prop_map(String::into_bytes),
        mutated_seed("definition"),
    ];
    (
        (100u16..1000, hostile_text(20), vec(header, 0..8), body),
        (
            vec("[a-zA-Z0-9]{0,12}", 0..3),
            any::<bool>(),
            1u16..200,
            1u16..60,
            hostile_text(6),
        ),
    )
        .prop_map(
            |((status, reason, headers, body), (secrets, truncated, width, height, search))| {
                AnswerCase {
                    status,
                    reason,
                    headers,
                    body,
                    secrets,
                    truncated,
                    width,
                    height,
                    search,
                }
            },
        )
}

/// The response pane draws any answer in every tab, wrapped or not,
/// masked or revealed, searched, at any size: no panic, and no control
/// character (an escape sequence, a bell) reaches a cell of the screen.
#[test]
fn fuzz_response_pane() {
    use portico::http::{Response, Timing};
    use portico::tui::body_view::BodyTheme;
    use portico::tui::config::Theme;
    use portico::tui::outcome::Outcome;
    use portico::tui::views::response::{RequestState, ResponsePane, ResponseView};
    use ratatui::Terminal;
    use ratatui::backend::TestBackend;

    fuzz("response", answer_case(), |case| {
        let body = bytes::Bytes::from(case.body.clone());
        let outcome = Outcome {
            response: Response {
                version: "HTTP/1.1".into(),
                status: case.status,
                reason: case.reason.clone(),
                headers: case.headers.clone(),
                size: body.len() as u64,
                wire_size: body.len() as u64,
                body,
                truncated: case.truncated,
                decoded_from: None,
                saved_to: None,
            },
            sent: BuiltRequest::default(),
            redirects: Vec::new(),
            timing: Timing {
                headers: Duration::from_millis(3),
                total: Duration::from_millis(5),
            },
            secrets: case.secrets.clone(),
            verdict: None,
        };
        let (theme, body_theme) = (Theme::default(), BodyTheme::coloured());
        let mut state = RequestState::Done {
            id: 1,
            view: Box::new(ResponseView::new(outcome)),
        };
        let mut terminal =
            Terminal::new(TestBackend::new(case.width, case.height)).expect("terminal");
        for (tab, wrap, reveal) in [
            (0, false, false),
            (0, true, true),
            (1, false, false),
            (2, false, true),
            (3, false, false),
        ] {
            if let RequestState::Done { view, .. } = &mut state {
                view.tab = portico::tui::views::response::RespTab::ALL[tab];
                view.body.set_wrap(wrap);
                if wrap {
                    view.body.set_search(&case.search);
                }
            }
            let pane = ResponsePane {
                theme: &theme,
                body_theme: &body_theme,
                focused: true,
                now: Instant::now(),
                reveal,
            };
            terminal
                .draw(|frame| pane.render(frame, frame.area(), &mut state))
                .expect("draw");
            assert_no_control_cells(terminal.backend().buffer())?;
        }
        Ok(())
    });
}

/// Descriptions from definitions are HTML, Markdown or anything: the
/// operation pane draws them at any size without a panic and without a
/// control character in any cell; text with no markup reads back as is.
#[test]
fn fuzz_operation_docs() {
    use portico::tui::config::Theme;
    use portico::tui::views::operation::{html_to_text, render};
    use ratatui::Terminal;
    use ratatui::backend::TestBackend;
    let pieces = prop_oneof![
        3 => hostile_text(8),
        2 => select(&[
            "<br/>", "<br>", "<p>", "</p>", "<li>", "</li>", "<ul>", "<a href=\"u\">",
            "<a href='", "</a>", "<b>", "</b>", "<code>", "`", "&amp;", "&lt;", "&#x41;",
            "&#65;", "&#x110000;", "&#99999999999;", "&", "<", ">", "<!--", "-->", "\n",
            "\n\n", "- ", "* ", "é", "\u{202e}", "\u{301}", "🙂",
        ][..])
        .prop_map(str::to_string),
    ];
    let case = (vec(pieces, 0..60), 1u16..120, 1u16..40, any::<u16>());
    fuzz("operation docs", case, |(parts, width, height, scroll)| {
        let text = parts.concat();
        let plain = html_to_text(&text);
        if !text.contains(['<', '&', '`']) {
            prop_assert_eq!(plain.as_ref(), text.as_str());
        }
        let api = Api {
            title: text.clone(),
            ..Api::default()
        };
        let op = Operation {
            method: "GET".into(),
            path: "/x".into(),
            summary: Some(text.clone()),
            description: Some(text.clone()),
            tags: vec![text.clone()],
            ..Operation::default()
        };
        let mut terminal = Terminal::new(TestBackend::new(width, height)).expect("terminal");
        let mut scroll = scroll;
        terminal
            .draw(|frame| {
                render(
                    frame,
                    frame.area(),
                    &api,
                    &op,
                    &Theme::default(),
                    true,
                    &mut scroll,
                );
            })
            .expect("draw");
        assert_no_control_cells(terminal.backend().buffer())?;
        Ok(())
    });
}

/// What a hostile definition names (titles, tags, parameters, headers,
/// enums, examples, bodies, servers) drawn through the TUI's catalog tree,
/// request pane (every tab) and operation pane, at any size: no panic, no control character in any
/// cell.
#[test]
fn fuzz_definitions_on_screen() {
    use portico::tui::config::Theme;
    use portico::tui::input::LineInput;
    use portico::tui::views::catalog::CatalogPane;
    use portico::tui::views::operation;
    use portico::tui::views::request::{ReqTab, RequestEditor, RequestView};
    use ratatui::Terminal;
    use ratatui::backend::TestBackend;

    let drawn = Arc::new(AtomicU64::new(0));
    let counted = Arc::clone(&drawn);
    let case = (definition_input(), 1u16..160, 1u16..50);
    fuzz(
        "definition on screen",
        case,
        move |((name, bytes), width, height)| {
            let location = format!("tests/fixtures/fuzz/definition/{name}");
            let Ok(catalog) = catalog::load_bytes(&bytes, &location) else {
                return Ok(());
            };
            let vars = Vars::default();
            let theme = Theme::default();
            let mut terminal = Terminal::new(TestBackend::new(width, height)).expect("terminal");
            // The catalog tree: every API, tag and operation name.
            let mut tree = CatalogPane::new(&std::sync::Arc::new(catalog.clone()));
            for filter in ["", "a"] {
                tree.filter = LineInput::new(filter);
                tree.rebuild();
                terminal
                    .draw(|frame| {
                        let marks = portico::tui::views::catalog::RowMarks {
                            open: None,
                            edited: &std::collections::HashSet::new(),
                        };
                        tree.render(frame, frame.area(), &catalog, &theme, true, &marks);
                    })
                    .expect("draw");
                assert_no_control_cells(terminal.backend().buffer())?;
            }
            for api in &catalog.apis {
                for op in api.operations.iter().take(4) {
                    let mut editor = RequestEditor::new(Draft::new(api, op, &vars));
                    editor.preview = Some(portico::request::preview(api, op, &editor.draft, &vars));
                    for tab in ReqTab::ALL {
                        editor.tab = tab;
                        let view = RequestView {
                            api,
                            op,
                            theme: &theme,
                            focused: true,
                            reveal: false,
                            server_label: api
                                .servers
                                .first()
                                .map(|s| s.url.clone())
                                .unwrap_or_default(),
                            env: None,
                            tokens: &portico::oauth::Tokens::default(),
                            vars: &vars,
                            shared_auth: &[],
                        };
                        terminal
                            .draw(|frame| view.render(frame, frame.area(), &mut editor))
                            .expect("draw");
                        assert_no_control_cells(terminal.backend().buffer())?;
                    }
                    let mut scroll = 0;
                    terminal
                        .draw(|frame| {
                            operation::render(
                                frame,
                                frame.area(),
                                api,
                                op,
                                &theme,
                                true,
                                &mut scroll,
                            );
                        })
                        .expect("draw");
                    assert_no_control_cells(terminal.backend().buffer())?;
                    counted.fetch_add(1, Ordering::Relaxed);
                }
            }
            Ok(())
        },
    );
    let drawn = drawn.load(Ordering::Relaxed);
    eprintln!("fuzz target definition on screen: {drawn} operations drawn");
    assert!(drawn > 0);
}

/// Terminal safety: no cell of a drawn screen holds a control character.
fn assert_no_control_cells(buffer: &ratatui::buffer::Buffer) -> Result<(), TestCaseError> {
    for cell in buffer.content() {
        prop_assert!(
            !cell.symbol().chars().any(char::is_control),
            "a control character reached the screen: {:?}",
            cell.symbol()
        );
    }
    Ok(())
}

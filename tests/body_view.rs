//! The response body viewer drawn into a ratatui buffer: pretty JSON, text,
//! hex, wrapping, search, large bodies, and terminal safety.

use std::fmt::Write as _;

use bytes::Bytes;
use portico::sanitize;
use portico::tui::body_view::{BodyKind, BodyTheme, BodyView, BodyWidget};
use ratatui::Terminal;
use ratatui::backend::{Backend, CrosstermBackend, TestBackend};
use ratatui::buffer::{Buffer, CellWidth};
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier};

fn render(view: &mut BodyView, width: u16, height: u16, theme: &BodyTheme) -> Buffer {
    let area = Rect::new(0, 0, width, height);
    let mut buf = Buffer::empty(area);
    view.render(area, &mut buf, theme);
    buf
}

/// The buffer as text, one line per row, the cells hidden under a wide
/// character skipped, trailing spaces kept visible as the row's width.
fn screen(buf: &Buffer) -> String {
    let mut out = String::new();
    for y in 0..buf.area.height {
        let mut x = 0;
        let mut row = String::new();
        while x < buf.area.width {
            let symbol = buf[(x, y)].symbol();
            row.push_str(symbol);
            x += symbol.cell_width().max(1);
        }
        let _ = writeln!(out, "{}", row.trim_end());
    }
    out
}

fn find(buf: &Buffer, needle: &str) -> Option<(u16, u16)> {
    for y in 0..buf.area.height {
        let row: String = (0..buf.area.width).map(|x| buf[(x, y)].symbol()).collect();
        if let Some(i) = row.find(needle) {
            let x = row[..i].chars().count();
            return Some((u16::try_from(x).expect("narrow"), y));
        }
    }
    None
}

fn json(body: &str) -> BodyView {
    BodyView::new(Bytes::from(body.to_string()), Some("application/json"))
}

#[test]
fn json_is_pretty_with_line_numbers_and_colours() {
    let mut view = json(
        r#"{"Results":{"output1":{"type":"table","value":{"ColumnNames":["f0","f1"],"Values":[["1","1"]]}}},"ok":true,"n":-1.5}"#,
    );
    assert_eq!(view.kind(), BodyKind::Json);
    assert_eq!(view.line_count(), 21);
    let theme = BodyTheme::coloured();
    let buf = render(&mut view, 40, 12, &theme);
    insta::assert_snapshot!(screen(&buf), @r#"
     1 {
     2   "Results": {
     3     "output1": {
     4       "type": "table",
     5       "value": {
     6         "ColumnNames": [
     7           "f0",
     8           "f1"
     9         ],
    10         "Values": [
    11           [
    12             "1",
    "#);
    let (x, y) = find(&buf, "\"type\"").expect("key on screen");
    assert_eq!(buf[(x, y)].fg, Color::Cyan, "keys are cyan");
    let (x, y) = find(&buf, "\"table\"").expect("string on screen");
    assert_eq!(buf[(x + 1, y)].fg, Color::Green, "strings are green");
    assert_eq!(buf[(0, 0)].fg, Color::DarkGray, "line numbers are dim");

    view.scroll_to_bottom();
    let buf = render(&mut view, 40, 12, &theme);
    let (x, y) = find(&buf, "true").expect("literal on screen");
    assert_eq!(buf[(x, y)].fg, Color::Magenta);
    let (x, y) = find(&buf, "-1.5").expect("number on screen");
    assert_eq!(buf[(x, y)].fg, Color::Yellow);
    assert!(screen(&buf).ends_with("21 }\n"), "{}", screen(&buf));
}

#[test]
fn no_color_theme_uses_no_colour() {
    let mut view = json(r#"{"a":[1,"two",null]}"#);
    view.set_search("two");
    let buf = render(&mut view, 30, 6, &BodyTheme::plain());
    for cell in &buf.content {
        assert_eq!(cell.fg, Color::Reset);
        assert_eq!(cell.bg, Color::Reset);
    }
    let (x, y) = find(&buf, "two").expect("match on screen");
    assert!(buf[(x, y)].modifier.contains(Modifier::REVERSED));
}

#[test]
fn search_moves_the_view_to_each_match() {
    let items: Vec<String> = (0..300)
        .map(|i| {
            if i == 40 || i == 250 {
                format!(r#"{{"id":{i},"name":"Needle-{i}"}}"#)
            } else {
                format!(r#"{{"id":{i},"name":"hay"}}"#)
            }
        })
        .collect();
    let mut view = json(&format!("[{}]", items.join(",")));
    let theme = BodyTheme::coloured();
    render(&mut view, 60, 20, &theme);
    assert_eq!(view.top_line(), 0);

    view.set_search("needle");
    assert_eq!(view.match_count(), 2, "smart case: lower case ignores case");
    assert_eq!(view.search_status().as_deref(), Some("1/2"));
    let first_top = view.top_line();
    assert!(first_top > 100, "moved to the first match, top {first_top}");
    let buf = render(&mut view, 60, 20, &theme);
    let (x, y) = find(&buf, "Needle-40").expect("first match on screen");
    assert_eq!(
        buf[(x, y)].bg,
        Color::LightRed,
        "the current match stands out"
    );

    view.next_match();
    assert_eq!(view.current_match(), Some(1));
    assert_eq!(view.search_status().as_deref(), Some("2/2"));
    let buf = render(&mut view, 60, 20, &theme);
    assert!(view.top_line() > first_top + 500);
    assert!(find(&buf, "Needle-250").is_some());
    assert!(find(&buf, "Needle-40").is_none());

    view.next_match();
    assert_eq!(view.current_match(), Some(0), "wraps to the first");
    assert_eq!(view.top_line(), first_top);
    view.prev_match();
    assert_eq!(view.current_match(), Some(1), "and back to the last");

    view.set_search("Needle-4");
    assert_eq!(view.match_count(), 1, "capitals make it case-sensitive");
    view.set_search("absent");
    assert_eq!(view.search_status().as_deref(), Some("no match"));
    view.set_search("");
    assert_eq!(view.search_status(), None);
}

#[test]
fn search_scrolls_sideways_to_a_match_on_a_long_line() {
    let line = format!("{}target{}", "x".repeat(200), "y".repeat(50));
    let mut view = BodyView::new(Bytes::from(line), Some("text/plain"));
    let theme = BodyTheme::coloured();
    render(&mut view, 40, 5, &theme);
    view.set_search("target");
    assert!(view.hscroll() > 150);
    let buf = render(&mut view, 40, 5, &theme);
    assert!(find(&buf, "target").is_some(), "{}", screen(&buf));
}

#[test]
fn wrap_toggles_between_cut_and_wrapped_lines() {
    let mut view = BodyView::new(
        Bytes::from_static(b"short\nthe quick brown fox jumps over the lazy dog\nend"),
        Some("text/plain"),
    );
    let theme = BodyTheme::coloured();
    let buf = render(&mut view, 20, 6, &theme);
    insta::assert_snapshot!(screen(&buf), @r"
    1 short
    2 the quick brown fo
    3 end
    ");

    view.scroll_right(4);
    let buf = render(&mut view, 20, 6, &theme);
    insta::assert_snapshot!(screen(&buf), @r"
    1 t
    2 quick brown fox ju
    3
    ");
    view.scroll_left(100);

    view.toggle_wrap();
    assert!(view.wrap());
    let buf = render(&mut view, 20, 6, &theme);
    insta::assert_snapshot!(screen(&buf), @r"
    1 short
    2 the quick brown fo
      x jumps over the l
      azy dog
    3 end
    ");

    // Scrolling moves by screen rows while wrapping, and stops when the
    // last row is at the bottom.
    render(&mut view, 20, 3, &theme);
    view.scroll_down(10);
    let buf = render(&mut view, 20, 3, &theme);
    insta::assert_snapshot!(screen(&buf), @r"
      x jumps over the l
      azy dog
    3 end
    ");
    view.toggle_wrap();
    assert_eq!(view.top_line(), 1);
}

#[test]
fn binary_shows_size_and_hex() {
    let mut body = b"\x89PNG\r\n\x1a\n".to_vec();
    body.extend(0u8..40);
    let mut view = BodyView::new(Bytes::from(body), Some("image/png"));
    assert_eq!(view.kind(), BodyKind::Binary);
    let buf = render(&mut view, 80, 6, &BodyTheme::coloured());
    insta::assert_snapshot!(screen(&buf), @r##"
    binary, 48 bytes, image/png
    00000000  89 50 4e 47 0d 0a 1a 0a  00 01 02 03 04 05 06 07  |.PNG............|
    00000010  08 09 0a 0b 0c 0d 0e 0f  10 11 12 13 14 15 16 17  |................|
    00000020  18 19 1a 1b 1c 1d 1e 1f  20 21 22 23 24 25 26 27  |........ !"#$%&'|
    "##);

    // Searching a hex dump searches the bytes.
    view.set_search("PNG");
    assert_eq!(view.match_count(), 1);
    let buf = render(&mut view, 80, 6, &BodyTheme::coloured());
    assert_eq!(
        buf[(13, 1)].bg,
        Color::LightRed,
        "the hex of a matched byte"
    );
    assert_eq!(buf[(62, 1)].bg, Color::LightRed, "its character");
    assert!(view.copy_text().starts_with("00000000  89 50 4e 47"));
}

#[test]
fn invalid_json_is_text_with_a_note() {
    let mut view = json("{\"a\": 1,\n \"b\": }");
    assert_eq!(view.kind(), BodyKind::Text);
    let buf = render(&mut view, 70, 4, &BodyTheme::coloured());
    insta::assert_snapshot!(screen(&buf), @r#"
    invalid JSON, shown as text: expected value at line 2 column 7
    1 {"a": 1,
    2  "b": }
    "#);
}

#[test]
fn a_large_body_renders_only_what_is_visible() {
    // About 10 MB of JSON.
    let mut body = String::from("[");
    let mut i = 0;
    while body.len() < 10 * 1024 * 1024 {
        if i > 0 {
            body.push(',');
        }
        let _ = write!(
            body,
            r#"{{"id":{i},"name":"item {i}","tags":["a","b"],"price":{}.5,"ok":true}}"#,
            i % 1000
        );
        i += 1;
    }
    body.push(']');
    let mut view = json(&body);
    assert_eq!(view.kind(), BodyKind::Json);
    let lines = view.line_count();
    assert!(lines > 1_000_000, "{lines}");
    let theme = BodyTheme::coloured();

    let buf = render(&mut view, 100, 30, &theme);
    assert!(screen(&buf).starts_with("      1 [\n      2   {\n"));
    assert!(
        view.last_render_cost() < 4096,
        "a frame looks at {} bytes",
        view.last_render_cost()
    );

    view.scroll_to_bottom();
    let buf = render(&mut view, 100, 30, &theme);
    let text = screen(&buf);
    assert!(text.ends_with(&format!("{lines} ]\n")), "{text}");
    assert!(view.last_render_cost() < 4096);

    view.set_search("\"item 77777\"");
    assert_eq!(view.match_count(), 1);
    let buf = render(&mut view, 100, 30, &theme);
    assert!(find(&buf, "\"item 77777\"").is_some());
    assert!(view.last_render_cost() < 4096);
}

#[test]
fn a_huge_single_line_wraps_without_walking_all_of_it() {
    let body = "0123456789".repeat(1024 * 1024);
    let mut view = BodyView::new(Bytes::from(body), None);
    view.set_wrap(true);
    let theme = BodyTheme::coloured();
    render(&mut view, 80, 24, &theme);
    assert!(view.last_render_cost() < 4096);
    view.page_down();
    view.page_down();
    let buf = render(&mut view, 80, 24, &theme);
    assert!(view.last_render_cost() < 4096);
    // 78 cells a row after the gutter "1 ", 48 rows scrolled.
    let first = screen(&buf).lines().next().map(str::to_string);
    let skipped = 78 * 48 % 10;
    let expected: String = "0123456789"
        .chars()
        .cycle()
        .skip(skipped)
        .take(78)
        .collect();
    assert_eq!(first, Some(format!("  {expected}")));
}

const HOSTILE: &str = concat!(
    "clipboard: \x1b]52;c;SGVsbG8=\x07\n",
    "clear: \x1b[2J\x1b[H\n",
    "title: \x1b]0;owned\x1b\\ and \x1b]2;owned\x07\n",
    "dcs: \x1bP+q544e\x1b\\\n",
    "c1 csi: \u{9b}31m and osc \u{9d}0;t\u{9c}\n",
    "bidi: \u{202e}txt.exe\u{202c} del\x7f bs\x08 cr\rend\n",
);

fn assert_no_control(buf: &Buffer) {
    for (i, cell) in buf.content.iter().enumerate() {
        let bad: Vec<char> = cell
            .symbol()
            .chars()
            .filter(|&c| c.is_control() || sanitize::needs_escape(c))
            .collect();
        assert!(bad.is_empty(), "cell {i} holds {bad:?}");
    }
}

#[test]
fn escape_sequences_reach_the_buffer_only_escaped() {
    for content_type in [Some("text/plain"), None, Some("application/json")] {
        for wrap in [false, true] {
            let mut view = BodyView::new(Bytes::from_static(HOSTILE.as_bytes()), content_type);
            view.set_wrap(wrap);
            let buf = render(&mut view, 100, 10, &BodyTheme::coloured());
            assert_no_control(&buf);
            let text = screen(&buf);
            assert!(text.contains(r"\x1b]52;c;SGVsbG8=\x07"), "{text}");
            assert!(text.contains(r"\x1b[2J\x1b[H"), "{text}");
            assert!(
                text.contains(r"\x1b]0;owned\x1b\ and \x1b]2;owned\x07"),
                "{text}"
            );
            assert!(text.contains(r"\x1bP+q544e\x1b\"), "{text}");
            assert!(
                text.contains(r"\u{9b}31m and osc \u{9d}0;t\u{9c}"),
                "{text}"
            );
            assert!(
                text.contains(r"\u{202e}txt.exe\u{202c} del\x7f bs\x08 cr\x0dend"),
                "{text}"
            );
        }
    }
    let mut view = BodyView::new(Bytes::from_static(HOSTILE.as_bytes()), None);
    let buf = render(&mut view, 100, 10, &BodyTheme::coloured());
    let (x, y) = find(&buf, r"\x1b]52").expect("escape on screen");
    assert_eq!(buf[(x, y)].fg, Color::LightRed, "escapes stand out");
    assert!(view.copy_text().contains(r"\x1b]52;c;SGVsbG8=\x07"));
    assert!(!view.copy_text().contains('\x1b'));
}

#[test]
fn the_terminal_receives_no_sequence_from_the_body() {
    let mut view = BodyView::new(Bytes::from_static(HOSTILE.as_bytes()), None);
    let area = Rect::new(0, 0, 100, 10);
    let mut buf = Buffer::empty(area);
    view.render(area, &mut buf, &BodyTheme::plain());
    let mut bytes = Vec::<u8>::new();
    {
        let mut backend = CrosstermBackend::new(&mut bytes);
        let blank = Buffer::empty(area);
        backend
            .draw(blank.diff(&buf).into_iter())
            .expect("draw to memory");
        Backend::flush(&mut backend).expect("flush to memory");
    }
    let has = |needle: &[u8]| bytes.windows(needle.len()).any(|w| w == needle);
    assert!(!bytes.is_empty());
    for (what, needle) in [
        ("OSC", &b"\x1b]"[..]),
        ("BEL", b"\x07"),
        ("DCS", b"\x1bP"),
        ("ST", b"\x1b\\"),
        ("erase display", b"\x1b[2J"),
        ("C1 CSI", "\u{9b}".as_bytes()),
        ("C1 OSC", "\u{9d}".as_bytes()),
        ("bidi override", "\u{202e}".as_bytes()),
        ("DEL", b"\x7f"),
        ("backspace", b"\x08"),
        ("carriage return", b"\r"),
    ] {
        assert!(!has(needle), "the terminal would receive {what}");
    }
    // Every ESC the terminal gets starts one of the backend's own CSI
    // sequences (cursor moves, colours).
    for (i, _) in bytes.iter().enumerate().filter(|&(_, &b)| b == 0x1b) {
        assert_eq!(bytes.get(i + 1), Some(&b'['), "ESC at {i} is not a CSI");
    }
}

#[test]
fn wide_combining_and_right_to_left_text_keep_the_layout() {
    let body = "日本語のテキスト|\ne\u{301}e\u{301}e\u{301}|\n\u{301}orphan|\nשלום עולם|\nemoji 🎉🎉|\ntab\there|";
    let mut view = BodyView::new(Bytes::from(body), Some("text/plain"));
    let buf = render(&mut view, 14, 7, &BodyTheme::coloured());
    insta::assert_snapshot!(screen(&buf), @r"
    1 日本語のテキ
    2 ééé|
    3 ◌́orphan|
    4 שלום עולם|
    5 emoji 🎉🎉|
    6 tab here|
    ");
    assert_no_control(&buf);
    // Every row's cells add up to the area's width: nothing spills over.
    for y in 0..buf.area.height {
        let mut x = 0;
        while x < buf.area.width {
            x += buf[(x, y)].symbol().cell_width().max(1);
        }
        assert_eq!(x, buf.area.width, "row {y}");
    }
}

#[test]
fn empty_body_says_so() {
    let mut view = BodyView::new(Bytes::new(), None);
    assert_eq!(view.kind(), BodyKind::Empty);
    let buf = render(&mut view, 20, 3, &BodyTheme::coloured());
    assert_eq!(screen(&buf), "empty body\n\n\n");
    view.scroll_down(5);
    view.page_up();
    view.scroll_to_bottom();
    view.set_search("x");
    view.next_match();
    assert_eq!(view.copy_text(), "");
}

#[test]
fn copy_gives_the_pretty_text_and_save_the_exact_bytes() {
    let raw = r#"{"a" : [1, 2]}"#;
    let view = json(raw);
    assert_eq!(view.copy_text(), "{\n  \"a\": [\n    1,\n    2\n  ]\n}");
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("body.json");
    view.save_to(&path).expect("saved");
    assert_eq!(std::fs::read(&path).expect("read back"), raw.as_bytes());
    let err = view
        .save_to(&dir.path().join("missing").join("body.json"))
        .expect_err("no such directory");
    assert!(err.to_string().contains("missing"), "{err}");
}

#[test]
fn tiny_areas_and_resizes_never_panic() {
    let mut view = json(r#"{"a":"日本語のテキスト","b":"\u001b"}"#);
    let theme = BodyTheme::coloured();
    for wrap in [false, true] {
        view.set_wrap(wrap);
        for (w, h) in [(0, 0), (1, 1), (2, 5), (3, 1), (80, 24), (5, 2)] {
            render(&mut view, w, h, &theme);
            view.page_down();
            view.scroll_right(3);
            view.set_search("a");
            view.next_match();
            render(&mut view, w, h, &theme);
            view.scroll_to_bottom();
            view.scroll_up(2);
        }
    }
}

#[test]
fn works_as_a_stateful_widget_on_a_terminal() {
    let mut terminal = Terminal::new(TestBackend::new(30, 5)).expect("terminal");
    let mut view = json(r#"{"status":"Finished"}"#);
    let theme = BodyTheme::from_env();
    terminal
        .draw(|frame| {
            frame.render_stateful_widget(BodyWidget::new(&theme), frame.area(), &mut view);
        })
        .expect("draw");
    let text = screen(terminal.backend().buffer());
    assert!(text.contains(r#"2   "status": "Finished""#), "{text}");
}

#[test]
fn deep_inside_a_huge_json_string_stays_cheap_and_coloured() {
    // A 3 MB base64-like value: one pretty line of 3 MB.
    let blob: String = "QUJDREVGR0hJSktMTU5PUA=="
        .chars()
        .cycle()
        .take(3 * 1024 * 1024)
        .collect();
    let mut view = json(&format!(r#"{{"file":"{blob}NEEDLE","size":1}}"#));
    assert_eq!(view.line_count(), 4);
    let theme = BodyTheme::coloured();

    // Not wrapping: a search scrolls far to the right.
    render(&mut view, 80, 10, &theme);
    view.set_search("NEEDLE");
    assert!(view.hscroll() > 3_000_000);
    render(&mut view, 80, 10, &theme);
    let buf = render(&mut view, 80, 10, &theme);
    assert!(
        view.last_render_cost() < 64 * 1024,
        "{}",
        view.last_render_cost()
    );
    let (x, y) = find(&buf, "NEEDLE").expect("match on screen");
    assert_eq!(buf[(x, y)].bg, Color::LightRed);
    assert_eq!(buf[(x - 1, y)].fg, Color::Green, "still inside the string");

    // Wrapping: the bottom of the string, then pages back up.
    view.clear_search();
    view.set_wrap(true);
    view.scroll_to_bottom();
    render(&mut view, 80, 10, &theme);
    let buf = render(&mut view, 80, 10, &theme);
    assert!(
        view.last_render_cost() < 64 * 1024,
        "{}",
        view.last_render_cost()
    );
    let text = screen(&buf);
    assert!(text.ends_with("DLE\",\n3   \"size\": 1\n4 }\n"), "{text}");
    for _ in 0..20 {
        view.page_up();
    }
    let buf = render(&mut view, 80, 10, &theme);
    assert!(
        view.last_render_cost() < 64 * 1024,
        "{}",
        view.last_render_cost()
    );
    assert_eq!(
        buf[(5, 0)].fg,
        Color::Green,
        "string colour resumed mid-line"
    );
    assert_eq!(view.top_line(), 1);
}

/// A small deterministic generator, so that the randomised test below needs
/// no dependency and fails the same way every run.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self, n: usize) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        usize::try_from(self.0 >> 33).expect("31 bits fit") % n.max(1)
    }
}

#[test]
fn random_hostile_text_never_breaks_the_screen() {
    const POOL: &[&str] = &[
        "a",
        "Z",
        " ",
        "{",
        "}",
        "\"",
        "\\",
        ":",
        ",",
        "1",
        "\n",
        "\r\n",
        "\t",
        "\x1b",
        "\x1b[2J",
        "\x1b]52;c;SGVsbG8=\x07",
        "\x07",
        "\0",
        "\x7f",
        "\u{85}",
        "\u{9b}",
        "\u{9d}",
        "\u{202e}",
        "\u{2066}",
        "\u{200b}",
        "\u{200d}",
        "\u{feff}",
        "\u{ad}",
        "\u{301}",
        "\u{20dd}",
        "e\u{301}",
        "日",
        "本",
        "한",
        "🎉",
        "👩\u{200d}💻",
        "🇫🇷",
        "ｶﾞ",
        "ש",
        "ل",
        "\u{fe0f}",
        "\u{1160}",
    ];
    let mut rng = Lcg(0x5eed);
    let themes = [BodyTheme::coloured(), BodyTheme::plain()];
    for round in 0..150 {
        let len = rng.next(400);
        let body: String = (0..len).map(|_| POOL[rng.next(POOL.len())]).collect();
        let content_type = [None, Some("text/plain"), Some("application/json")][rng.next(3)];
        let mut view = BodyView::new(Bytes::from(body.clone()), content_type);
        let theme = &themes[round % 2];
        for _ in 0..6 {
            let (w, h) = (
                u16::try_from(rng.next(60)).expect("small"),
                u16::try_from(rng.next(12)).expect("small"),
            );
            match rng.next(9) {
                0 => view.toggle_wrap(),
                1 => view.scroll_down(rng.next(5)),
                2 => view.scroll_up(rng.next(5)),
                3 => view.scroll_right(rng.next(30)),
                4 => view.scroll_left(rng.next(30)),
                5 => view.set_search(POOL[rng.next(POOL.len())]),
                6 => view.next_match(),
                7 => view.prev_match(),
                _ => view.scroll_to_bottom(),
            }
            let buf = render(&mut view, w, h, theme);
            assert_no_control(&buf);
            for y in 0..buf.area.height {
                let mut x = 0;
                while x < buf.area.width {
                    x += buf[(x, y)].symbol().cell_width().max(1);
                }
                assert_eq!(x, buf.area.width, "round {round}, row {y}: {body:?}");
            }
        }
        assert!(!view.copy_text().contains(['\x1b', '\x07', '\u{9b}']));
    }
}

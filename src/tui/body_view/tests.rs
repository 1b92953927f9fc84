//! Unit tests of the body viewer's parts: pretty printing, lexing,
//! classification, hex lines and row layout.

use super::classify::human_size;
use super::draw::row_starts;
use super::hex::hex_col;
use super::json::{JsonLexer, Tok};
use super::*;

fn lines(view: &BodyView) -> Vec<String> {
    (0..view.line_count())
        .map(|i| view.line(i).into_owned())
        .collect()
}

#[test]
fn pretty_prints_json_keeping_tokens() {
    let view = BodyView::new(
        Bytes::from_static(br#"{"a":[1,2.50e3,{}],"b":{"c":null,"d":"x\"y"},"e":[]}"#),
        Some("application/json; charset=utf-8"),
    );
    assert_eq!(view.kind(), BodyKind::Json);
    assert_eq!(
        lines(&view),
        [
            "{",
            r#"  "a": ["#,
            "    1,",
            "    2.50e3,",
            "    {}",
            "  ],",
            r#"  "b": {"#,
            r#"    "c": null,"#,
            r#"    "d": "x\"y""#,
            "  },",
            r#"  "e": []"#,
            "}",
        ]
    );
    let Doc::Text {
        keys: Some(keys), ..
    } = &view.doc
    else {
        panic!("pretty JSON has key flags");
    };
    assert_eq!(keys.iter().filter(|&&k| k).count(), 5);
}

#[test]
fn lexer_tells_keys_from_values() {
    let mut lx = JsonLexer::new(r#"  "k": "v", -1.5e+3, true"#, true);
    let kinds: Vec<Tok> = (0..26).map(|i| lx.kind_at(i)).collect();
    assert_eq!(kinds[2], Tok::Key);
    assert_eq!(kinds[4], Tok::Key);
    assert_eq!(kinds[5], Tok::Punct);
    assert_eq!(kinds[7], Tok::Str);
    assert_eq!(kinds[12], Tok::Number);
    assert_eq!(kinds[17], Tok::Number);
    assert_eq!(kinds[22], Tok::Literal);
}

#[test]
fn classifies_bodies() {
    let kind = |b: &'static [u8], ct: Option<&str>| BodyView::new(Bytes::from_static(b), ct).kind();
    assert_eq!(kind(b"", None), BodyKind::Empty);
    assert_eq!(kind(b"[1]", None), BodyKind::Json);
    assert_eq!(kind(b" {\"a\":1}", Some("text/plain")), BodyKind::Json);
    assert_eq!(
        kind(b"{\"a\":1}", Some("application/problem+json")),
        BodyKind::Json
    );
    assert_eq!(kind(b"{oops", Some("application/json")), BodyKind::Text);
    assert_eq!(kind(b"<a/>", Some("application/xml")), BodyKind::Xml);
    assert_eq!(kind(b"<p>", Some("text/html")), BodyKind::Html);
    assert_eq!(kind(b"hello", Some("text/csv")), BodyKind::Text);
    assert_eq!(
        kind(b"{}", Some("application/octet-stream")),
        BodyKind::Binary
    );
    assert_eq!(kind(b"a\0b", Some("text/plain")), BodyKind::Binary);
    assert_eq!(
        kind(b"\xc3\x28", Some("application/json")),
        BodyKind::Binary
    );
    assert_eq!(
        kind(b"\xef\xbb\xbf{\"a\":1}", Some("application/json")),
        BodyKind::Json
    );
}

#[test]
fn declared_charsets_are_decoded() {
    let view = BodyView::new(
        Bytes::from_static(b"caf\xe9 cr\xe8me"),
        Some("text/plain; charset=ISO-8859-1"),
    );
    assert_eq!(view.kind(), BodyKind::Text);
    assert_eq!(lines(&view), ["café crème"]);
    assert_eq!(view.note(), Some("decoded from windows-1252"));
    let view = BodyView::new(
        Bytes::from_static(b"{\"k\":\"\xe9\"}"),
        Some("application/json; charset=latin1"),
    );
    assert_eq!(view.kind(), BodyKind::Json);
    assert_eq!(lines(&view)[1], "  \"k\": \"é\"");
    // UTF-16 with its byte-order mark, no charset declared.
    let view = BodyView::new(Bytes::from_static(b"\xff\xfe[\x001\x00]\x00"), None);
    assert_eq!(view.kind(), BodyKind::Json);
    assert_eq!(view.note(), Some("decoded from UTF-16LE"));
    // Declared UTF-8 but not: hex, with the reason.
    let view = BodyView::new(
        Bytes::from_static(b"caf\xe9"),
        Some("text/plain; charset=utf-8"),
    );
    assert_eq!(view.kind(), BodyKind::Binary);
    assert!(
        view.note()
            .is_some_and(|n| n.contains("not valid UTF-8 at byte 3"))
    );
}

#[test]
fn notes_say_why() {
    let view = BodyView::new(Bytes::from_static(b"{\"a\":}"), Some("application/json"));
    let note = view.note().expect("a note");
    assert!(note.starts_with("invalid JSON, shown as text"), "{note}");
    assert!(note.contains("line 1 column 6"), "{note}");
    let view = BodyView::new(Bytes::from_static(b"\x00\x01"), Some("application/json"));
    let note = view.note().expect("a note");
    assert_eq!(
        note,
        "binary, 2 bytes, application/json: contains NUL bytes; shown as hex"
    );
    let view = BodyView::new(Bytes::from(vec![7u8; 3000]), Some("image/png\x1b[2J"));
    assert_eq!(
        view.note(),
        Some("binary, 2.9 KiB (3,000 bytes), image/png\\x1b[2J")
    );
}

#[test]
fn hex_lines() {
    let view = BodyView::new(Bytes::from_static(b"{\"a\": 1}\n\x00\xffABCDEFG"), None);
    assert_eq!(
        lines(&view),
        [
            "00000000  7b 22 61 22 3a 20 31 7d  0a 00 ff 41 42 43 44 45  |{\"a\": 1}...ABCDE|",
            "00000010  46 47                                             |FG|",
        ]
    );
    assert_eq!(hex_col(8), 35);
    assert_eq!(&lines(&view)[0][HEX_ASCII_COL..HEX_ASCII_COL + 3], "{\"a");
}

#[test]
fn text_lines_drop_line_ends() {
    let view = BodyView::new(
        Bytes::from_static(b"one\r\ntwo\n\nfour\n"),
        Some("text/plain"),
    );
    assert_eq!(lines(&view), ["one", "two", "", "four"]);
}

#[test]
fn rows_wrap_at_width_and_move_on() {
    assert_eq!(row_starts("abcdefghij", 4, usize::MAX), [0, 4, 8]);
    assert_eq!(row_starts("日本語です", 3, usize::MAX), [0, 3, 6, 9, 12]);
    assert_eq!(row_starts("ab\x1bcd", 5, usize::MAX), [0, 2, 4]);
    // Narrower than one escape: it is cut, and wrapping still moves on.
    assert_eq!(row_starts("\x1b\x1b", 2, usize::MAX), [0, 1]);
    assert_eq!(row_starts("", 4, usize::MAX), [0]);
    assert_eq!(row_starts("abcdefghij", 4, 5), [0, 4]);
}

#[test]
fn human_sizes() {
    assert_eq!(human_size(0), "0 bytes");
    assert_eq!(human_size(1023), "1,023 bytes");
    assert_eq!(human_size(10 * 1024 * 1024), "10.0 MiB (10,485,760 bytes)");
}

fn large_json(items: usize) -> Bytes {
    let mut body = String::from("[");
    for i in 0..items {
        if i > 0 {
            body.push(',');
        }
        body.push_str(&format!(r#"{{"id":{i},"name":"item {i}","note":"café"}}"#));
    }
    body.push(']');
    Bytes::from(body)
}

/// A large answer's start reads line for line as the whole will, says
/// that the rest is coming, and hands the reader's place, wrapping and
/// search over to the whole.
#[test]
fn a_large_body_is_previewed_from_its_start_then_continued_whole() {
    let body = large_json(40_000);
    assert!(body.len() >= PREVIEW_FROM);
    let mut preview =
        BodyView::preview(&body, Some("application/json"), |start| start).expect("a preview");
    assert_eq!(preview.partial_of(), Some(body.len()));
    assert_eq!(preview.kind(), BodyKind::Json);
    assert!(
        preview
            .note()
            .is_some_and(|n| n.contains("laying out the rest"))
    );
    let shown = lines(&preview);
    let mut whole = BodyView::new(body.clone(), Some("application/json"));
    assert!(shown.len() > 1000 && shown.len() < whole.line_count());
    // Every line but the last (cut anywhere) is the whole's line.
    assert_eq!(shown[..shown.len() - 1], lines(&whole)[..shown.len() - 1]);
    let refused = preview
        .save_to(Path::new("/nonexistent/x"))
        .expect_err("a preview is not saved");
    assert!(refused.source.to_string().contains("still being laid out"));

    preview.scroll_down(500);
    preview.toggle_wrap();
    preview.set_search("item 7");
    whole.continue_from(&preview);
    assert_eq!(whole.top.line, preview.top.line);
    assert!(whole.wrap);
    assert_eq!(whole.search_query(), "item 7");
    assert!(
        whole.match_count() > preview.match_count(),
        "searched again over the whole"
    );
    assert_eq!(whole.partial_of(), None);
    assert_eq!(whole.note(), None);
}

/// Small bodies, binary ones and other charsets are laid out at once.
#[test]
fn no_preview_for_what_its_start_cannot_tell() {
    let small = Bytes::from_static(br#"{"a":1}"#);
    assert!(BodyView::preview(&small, Some("application/json"), |s| s).is_none());
    let binary = Bytes::from(vec![0u8; PREVIEW_FROM + 1]);
    assert!(BodyView::preview(&binary, Some("application/octet-stream"), |s| s).is_none());
    assert!(
        BodyView::preview(&binary, None, |s| s).is_none(),
        "NUL bytes"
    );
    let latin1 = Bytes::from(vec![b'e'; PREVIEW_FROM + 1]);
    assert!(BodyView::preview(&latin1, Some("text/plain; charset=iso-8859-1"), |s| s).is_none());
}

/// The start is cut at a character boundary, and what `mask` makes of
/// it is what shows.
#[test]
fn a_preview_cuts_between_characters_and_shows_the_masked_start() {
    let mut text = "secret ".repeat(10);
    while text.len() < PREVIEW_FROM + 10 {
        text.push_str("日本語\n");
    }
    let body = Bytes::from(text);
    let view = BodyView::preview(&body, Some("text/plain"), |start| {
        Bytes::from(String::from_utf8_lossy(&start).replace("secret", "••••"))
    })
    .expect("a preview");
    assert!(view.line(0).starts_with("•••• ••••"));
    assert!(
        lines(&view).iter().all(|l| !l.contains('\u{fffd}')),
        "no cut character"
    );
}

//! The core measures terminal text itself ([`crate::sanitize`] must not
//! name ratatui), and the TUI draws what the core measured: these tests keep
//! the two widths in agreement on the strings where terminals and libraries
//! most often disagree.

use ratatui::buffer::{Buffer, CellWidth};
use ratatui::layout::Rect;
use ratatui::style::Style;
use unicode_segmentation::UnicodeSegmentation;

use crate::sanitize;

/// ASCII, CJK, emoji (with skin tones, ZWJ families, flags, keycaps),
/// combining marks (with and without a base), control characters, variation
/// selectors, halfwidth katakana sound marks and invisible formatting.
const TRICKY: &[&str] = &[
    "plain ASCII: [x] {y} ~z~",
    "日本語のテキスト",
    "한국어 中文",
    "\u{3000}full-width space",
    "🎉",
    "👍🏽",
    "👨\u{200d}👩\u{200d}👧\u{200d}👦",
    "🏳\u{fe0f}\u{200d}🌈",
    "🇫🇷🇯🇵",
    "\u{1f1e6}",
    "1\u{fe0f}\u{20e3}",
    "❤\u{fe0f}",
    "❤\u{fe0e}",
    "☺\u{fe0f} a\u{fe0f}",
    "\u{fe0f}",
    "🏻",
    "e\u{301}",
    "\u{301}",
    "a\u{300}\u{301}\u{302}\u{303}",
    "ק\u{5b8}",
    "क\u{94d}\u{937}",
    "ก\u{e49}",
    "\u{ff76}\u{ff9e}\u{ff8a}\u{ff9f}",
    "\u{ff9e}\u{ff9f}",
    "a\u{ff9e}",
    "\u{30ab}\u{3099}",
    "\u{ff76}\u{3099}",
    "\x1b[2J\x07\x7f",
    "a\tb\r\nc\n",
    "\u{85}\u{9b}\u{90}",
    "\u{200b}\u{200d}\u{200e}\u{202e}\u{2066}\u{feff}\u{ad}",
    "\u{2028}\u{2029}",
    "\u{e0061}\u{e007f}",
    "שלום עולם",
    "مرحبا",
];

fn is_ascii_control(grapheme: &str) -> bool {
    grapheme.len() == 1 && grapheme.as_bytes()[0].is_ascii_control()
}

#[test]
fn grapheme_widths_agree_with_ratatui() {
    for text in TRICKY {
        for grapheme in text.graphemes(true) {
            // ratatui leaves single-byte controls to its callers (it asserts
            // on them in debug builds); the core escapes them unmeasured.
            if is_ascii_control(grapheme) {
                continue;
            }
            assert_eq!(
                sanitize::cell_width(grapheme),
                usize::from(grapheme.cell_width()),
                "{grapheme:?} in {text:?}"
            );
        }
    }
}

#[test]
fn cleaned_lines_take_the_cells_ratatui_gives_them() {
    for text in TRICKY {
        let cleaned = sanitize::clean_line(text);
        let mut buffer = Buffer::empty(Rect::new(0, 0, 500, 1));
        let (end, _) = buffer.set_stringn(0, 0, &cleaned, 500, Style::default());
        assert_eq!(
            usize::from(end),
            sanitize::display_width(text),
            "{text:?} cleaned to {cleaned:?}"
        );
    }
}

//! Terminal-safe text: the one place where untrusted text (response bodies,
//! headers, definition texts, history entries) is made fit to put on a
//! terminal, by the TUI and by the commands that print it alike.
//!
//! A terminal obeys what it is sent: a control character or an escape
//! sequence inside a response body could clear the screen, change the window
//! title, or write the user's clipboard (OSC 52). ratatui silently drops C0/C1
//! controls from spans but passes everything else, and a dropped character is
//! a lie about the content. So every character that must not reach the
//! terminal is shown *escaped*, with one rule:
//!
//! - ASCII controls (U+0000–U+001F, U+007F) as `\xNN`, e.g. ESC is `\x1b`;
//! - other invisible or reordering characters (C1 controls, bidi overrides and
//!   isolates, zero-width spaces, line/paragraph separators, the BOM, soft
//!   hyphens) as `\u{NNNN}`, e.g. RIGHT-TO-LEFT OVERRIDE is `\u{202e}`;
//! - tabs are expanded to spaces up to the next multiple of [`TAB_WIDTH`].
//!
//! Layout safety: widths are computed per grapheme cluster exactly as
//! ratatui's buffer computes them ([`cell_width`]), so wide (CJK, emoji) and combining
//! characters occupy the cells they will really take; a combining mark with
//! nothing to combine with is drawn on a dotted circle (`◌́`) instead of
//! merging into whatever the terminal printed before it. Right-to-left
//! letters are drawn in logical order, one per cell; the explicit bidi
//! controls that could reorder a line are escaped.
//!
//! Every helper borrows (no allocation) when the text is already clean.

use std::borrow::Cow;
use std::fmt::Write as _;

use unicode_segmentation::{GraphemeIndices, UnicodeSegmentation};
use unicode_width::UnicodeWidthStr;

/// Columns between tab stops when tabs are expanded.
pub const TAB_WIDTH: usize = 4;

/// Marks text cut by [`truncate`] and [`truncate_start`].
pub const ELLIPSIS: char = '…';

/// The base that Unicode itself uses to show a lone combining mark.
const DOTTED_CIRCLE: char = '\u{25cc}';

/// Halfwidth katakana (han)dakuten: unicode-width counts them as combining
/// (zero cells), terminals draw each in a cell of its own.
const HALFWIDTH_SOUND_MARKS: [char; 2] = ['\u{ff9e}', '\u{ff9f}'];

/// Width in cells of one grapheme cluster, computed as ratatui's buffer
/// computes it (its `CellWidth` for `str`), so that what this module lays
/// out lands where the TUI draws it: a single byte is one cell, anything
/// else is unicode-width's width plus one cell per halfwidth sound mark.
/// ratatui keeps a width in a `u16`; the conversion wraps the same way
/// for a (pathological) cluster wider than that.
pub fn cell_width(grapheme: &str) -> usize {
    if grapheme.len() == 1 {
        return 1;
    }
    let marks = grapheme
        .chars()
        .filter(|c| HALFWIDTH_SOUND_MARKS.contains(c))
        .count();
    let width = grapheme.width() as u16;
    usize::from(width.saturating_add(marks as u16))
}

/// Whether a character must never reach the terminal as is: C0 and C1
/// controls (tab included: callers expand it), DEL, and the invisible
/// formatting characters that reorder, hide or break a line.
pub fn needs_escape(c: char) -> bool {
    matches!(
        c,
        '\0'..='\u{1f}'
            | '\u{7f}'..='\u{9f}'
            | '\u{ad}'
            | '\u{61c}'
            | '\u{180e}'
            | '\u{200b}'
            | '\u{200e}'
            | '\u{200f}'
            | '\u{2028}'..='\u{202e}'
            | '\u{2060}'..='\u{2064}'
            | '\u{2066}'..='\u{206f}'
            | '\u{feff}'
            | '\u{fff9}'..='\u{fffb}'
    )
}

/// Appends the visible escape of `c` (`\x1b`, `\u{202e}`) to `out`.
pub fn push_escape(out: &mut String, c: char) {
    let code = u32::from(c);
    // Writing to a String cannot fail.
    let _ = if code < 0x80 {
        write!(out, "\\x{code:02x}")
    } else {
        write!(out, "\\u{{{code:x}}}")
    };
}

/// The visible escape of `c`, e.g. `\x1b` for ESC.
pub fn escape_char(c: char) -> String {
    let mut out = String::with_capacity(8);
    push_escape(&mut out, c);
    out
}

/// Width in cells of the escape of `c` (its escape is pure ASCII).
pub fn escape_width(c: char) -> usize {
    let code = u32::from(c);
    if code < 0x80 {
        4
    } else {
        // `\u{` + hex digits + `}`
        let digits = (32 - code.leading_zeros()).div_ceil(4).max(1);
        4 + digits as usize
    }
}

/// One unit of untrusted text as it will occupy the screen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Piece<'a> {
    /// A grapheme cluster safe to draw as is, with its width in cells (never 0).
    Text(&'a str, usize),
    /// A grapheme of width 0 (a combining mark with no base): drawn on a
    /// dotted circle, one cell wide.
    Orphan(&'a str),
    /// A character that must not reach the terminal, drawn as its escape.
    Escaped(char),
    /// A tab, drawn as spaces up to the next tab stop.
    Tab,
    /// A line break (`\n` or `\r\n`), for callers that split lines.
    Newline(&'a str),
}

impl Piece<'_> {
    /// Width in cells when the piece starts at column `col` (tabs depend on it).
    pub fn width(&self, col: usize) -> usize {
        match self {
            Piece::Text(_, w) => *w,
            Piece::Orphan(_) => 1,
            Piece::Escaped(c) => escape_width(*c),
            Piece::Tab => TAB_WIDTH - col % TAB_WIDTH,
            Piece::Newline(s) => s.chars().map(escape_width).sum(),
        }
    }

    /// Length in bytes of the source text this piece stands for.
    pub fn source_len(&self) -> usize {
        match self {
            Piece::Text(s, _) | Piece::Orphan(s) | Piece::Newline(s) => s.len(),
            Piece::Escaped(c) => c.len_utf8(),
            Piece::Tab => 1,
        }
    }

    /// Appends what the piece looks like on screen, starting at column `col`.
    pub fn push_to(&self, out: &mut String, col: usize) {
        match self {
            Piece::Text(s, _) => out.push_str(s),
            Piece::Orphan(s) => {
                out.push(DOTTED_CIRCLE);
                out.push_str(s);
            }
            Piece::Escaped(c) => push_escape(out, *c),
            Piece::Tab => out.extend(std::iter::repeat_n(' ', self.width(col))),
            Piece::Newline(s) => s.chars().for_each(|c| push_escape(out, c)),
        }
    }
}

/// Splits text into [`Piece`]s with their byte offsets. The grapheme
/// segmentation is the one ratatui's buffer uses, so widths agree with it.
pub fn pieces(text: &str) -> Pieces<'_> {
    Pieces {
        text,
        graphemes: text.grapheme_indices(true),
        split: None,
    }
}

/// Iterator returned by [`pieces`].
#[derive(Debug, Clone)]
pub struct Pieces<'a> {
    text: &'a str,
    graphemes: GraphemeIndices<'a>,
    /// A grapheme being taken apart char by char because part of it must be
    /// escaped: its offset and the part not yet returned.
    split: Option<(usize, &'a str)>,
}

impl<'a> Pieces<'a> {
    fn piece_of_char(&mut self, offset: usize, rest: &'a str) -> Option<(usize, Piece<'a>)> {
        let c = rest.chars().next()?;
        let len = c.len_utf8();
        let after = &rest[len..];
        self.split = (!after.is_empty()).then_some((offset + len, after));
        if needs_escape(c) {
            return Some((offset, Piece::Escaped(c)));
        }
        let s = &self.text[offset..offset + len];
        Some((offset, text_piece(s)))
    }
}

fn text_piece(g: &str) -> Piece<'_> {
    match cell_width(g) {
        0 => Piece::Orphan(g),
        w => Piece::Text(g, w),
    }
}

impl<'a> Iterator for Pieces<'a> {
    type Item = (usize, Piece<'a>);

    fn next(&mut self) -> Option<Self::Item> {
        if let Some((offset, rest)) = self.split.take() {
            return self.piece_of_char(offset, rest);
        }
        let (offset, g) = self.graphemes.next()?;
        let first = g.as_bytes()[0];
        if (0x20..0x7f).contains(&first) && g.len() == 1 {
            return Some((offset, Piece::Text(g, 1)));
        }
        match g {
            "\t" => return Some((offset, Piece::Tab)),
            "\n" | "\r\n" => return Some((offset, Piece::Newline(g))),
            _ => {}
        }
        if g.chars().any(needs_escape) {
            return self.piece_of_char(offset, g);
        }
        Some((offset, text_piece(g)))
    }
}

/// Whether `text` is already safe to draw as one line, as is.
pub fn is_clean_line(text: &str) -> bool {
    text.bytes().all(|b| (0x20..0x7f).contains(&b))
        || pieces(text).all(|(_, p)| matches!(p, Piece::Text(..)))
}

/// Makes untrusted text safe to draw on one line: controls (line breaks
/// included) escaped, tabs expanded, lone combining marks given a base.
pub fn clean_line(text: &str) -> Cow<'_, str> {
    if is_clean_line(text) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    let mut col = 0;
    for (_, piece) in pieces(text) {
        piece.push_to(&mut out, col);
        col += piece.width(col);
    }
    Cow::Owned(out)
}

/// Like [`clean_line`] but keeps line breaks (`\r\n` becomes `\n`), for
/// texts drawn over several lines (descriptions, bodies).
pub fn clean_text(text: &str) -> Cow<'_, str> {
    let clean = text
        .bytes()
        .all(|b| (0x20..0x7f).contains(&b) || b == b'\n')
        || pieces(text).all(|(_, p)| matches!(p, Piece::Text(..) | Piece::Newline("\n")));
    if clean {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    let mut col = 0;
    for (_, piece) in pieces(text) {
        if let Piece::Newline(_) = piece {
            out.push('\n');
            col = 0;
        } else {
            piece.push_to(&mut out, col);
            col += piece.width(col);
        }
    }
    Cow::Owned(out)
}

/// Text for the clipboard: what the screen shows, so that pasting it into a
/// terminal cannot run escape sequences either. Unlike [`clean_text`], tabs
/// and `\r\n` line ends are kept, since pasting them is harmless.
pub fn clean_for_copy(text: &str) -> Cow<'_, str> {
    let keep = |c: char, next: Option<char>| {
        !needs_escape(c) || c == '\n' || c == '\t' || (c == '\r' && next == Some('\n'))
    };
    let mut chars = text.chars().peekable();
    let mut clean = true;
    while let Some(c) = chars.next() {
        if !keep(c, chars.peek().copied()) {
            clean = false;
            break;
        }
    }
    if clean {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if keep(c, chars.peek().copied()) {
            out.push(c);
        } else {
            push_escape(&mut out, c);
        }
    }
    Cow::Owned(out)
}

/// [`clean_line`] for bytes that may not be UTF-8 (header values, raw
/// history entries): each byte that is not part of valid UTF-8 is shown as
/// `\xNN`, like an ASCII control.
pub fn clean_bytes_line(bytes: &[u8]) -> Cow<'_, str> {
    if let Ok(text) = std::str::from_utf8(bytes) {
        return clean_line(text);
    }
    let mut out = String::with_capacity(bytes.len() + 16);
    let mut col = 0;
    for chunk in bytes.utf8_chunks() {
        for (_, piece) in pieces(chunk.valid()) {
            piece.push_to(&mut out, col);
            col += piece.width(col);
        }
        for &b in chunk.invalid() {
            let _ = write!(out, "\\x{b:02x}");
            col += 4;
        }
    }
    Cow::Owned(out)
}

/// Width in cells of `text` once cleaned as one line by [`clean_line`].
pub fn display_width(text: &str) -> usize {
    if text.bytes().all(|b| (0x20..0x7f).contains(&b)) {
        return text.len();
    }
    pieces(text).fold(0, |col, (_, p)| col + p.width(col))
}

/// [`clean_line`], cut to at most `max_width` cells; when text is cut the
/// last cell shows [`ELLIPSIS`].
pub fn truncate(text: &str, max_width: usize) -> Cow<'_, str> {
    if max_width == 0 {
        return Cow::Borrowed("");
    }
    if display_width(text) <= max_width {
        return clean_line(text);
    }
    let mut out = String::with_capacity(max_width * 2);
    let mut col = 0;
    for (_, piece) in pieces(text) {
        let w = piece.width(col);
        if col + w + 1 > max_width {
            break;
        }
        piece.push_to(&mut out, col);
        col += w;
    }
    out.push(ELLIPSIS);
    Cow::Owned(out)
}

/// [`clean_line`], cut from the start to at most `max_width` cells, keeping
/// the end (the useful part of a long path or URL); a cut start shows
/// [`ELLIPSIS`].
pub fn truncate_start(text: &str, max_width: usize) -> Cow<'_, str> {
    if max_width == 0 {
        return Cow::Borrowed("");
    }
    let total = display_width(text);
    if total <= max_width {
        return clean_line(text);
    }
    // Tabs are expanded from the start of the whole text so that the kept
    // end looks as it does in the full line.
    let mut drawn: Vec<(usize, String)> = Vec::new();
    let mut col = 0;
    for (_, piece) in pieces(text) {
        let w = piece.width(col);
        let mut s = String::new();
        piece.push_to(&mut s, col);
        drawn.push((w, s));
        col += w;
    }
    let mut kept = Vec::new();
    let mut width = 1; // the ellipsis
    for (w, s) in drawn.iter().rev() {
        if width + w > max_width {
            break;
        }
        width += w;
        kept.push(s.as_str());
    }
    let mut out = String::with_capacity(max_width * 2);
    out.push(ELLIPSIS);
    out.extend(kept.into_iter().rev());
    Cow::Owned(out)
}

/// [`truncate`] to `width` cells, then padded with spaces to exactly `width`
/// cells: for table columns.
pub fn pad_to_width(text: &str, width: usize) -> String {
    let cut = truncate(text, width);
    let w = display_width(&cut);
    let mut out = String::with_capacity(cut.len() + width.saturating_sub(w));
    out.push_str(&cut);
    out.extend(std::iter::repeat_n(' ', width.saturating_sub(w)));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clean_text_is_borrowed() {
        for s in ["plain ascii", "", "日本語 and émoji 🎉", "e\u{301}"] {
            assert!(matches!(clean_line(s), Cow::Borrowed(_)), "{s:?}");
            assert!(matches!(truncate(s, 80), Cow::Borrowed(_)), "{s:?}");
        }
        assert!(matches!(clean_text("two\nlines"), Cow::Borrowed(_)));
        assert!(matches!(clean_for_copy("a\tb\r\nc"), Cow::Borrowed(_)));
    }

    #[test]
    fn escapes_are_visible_and_consistent() {
        assert_eq!(clean_line("\x1b[2J"), "\\x1b[2J");
        assert_eq!(
            clean_line("\x1b]52;c;SGVsbG8=\x07"),
            "\\x1b]52;c;SGVsbG8=\\x07"
        );
        assert_eq!(clean_line("\x1b]0;pwned\x1b\\"), "\\x1b]0;pwned\\x1b\\");
        assert_eq!(clean_line("a\u{9b}31m"), "a\\u{9b}31m");
        assert_eq!(clean_line("\u{90}q\u{9c}"), "\\u{90}q\\u{9c}");
        assert_eq!(clean_line("x\u{7f}"), "x\\x7f");
        assert_eq!(clean_line("a\nb\r\n"), "a\\x0ab\\x0d\\x0a");
        assert_eq!(clean_line("\u{202e}evil"), "\\u{202e}evil");
        assert_eq!(clean_line("\u{feff}{}"), "\\u{feff}{}");
    }

    #[test]
    fn escape_width_matches_escape() {
        for c in [
            '\0', '\x1b', '\u{7f}', '\u{85}', '\u{202e}', '\u{feff}', '\u{fffb}',
        ] {
            assert_eq!(escape_width(c), escape_char(c).len(), "{c:?}");
        }
    }

    #[test]
    fn no_control_survives() {
        let nasty: String = (0u32..0x100)
            .chain(0x2000..0x2070)
            .chain([0xfeff, 0xfff9])
            .filter_map(char::from_u32)
            .collect();
        for out in [
            clean_line(&nasty),
            clean_text(&nasty),
            truncate(&nasty, 50),
            truncate_start(&nasty, 50),
        ] {
            let bad: Vec<char> = out
                .chars()
                .filter(|&c| needs_escape(c) && c != '\n')
                .collect();
            assert!(bad.is_empty(), "{bad:?}");
        }
    }

    #[test]
    fn tabs_expand_to_tab_stops() {
        assert_eq!(clean_line("\tx"), "    x");
        assert_eq!(clean_line("ab\tx"), "ab  x");
        assert_eq!(clean_line("abcd\tx"), "abcd    x");
        assert_eq!(display_width("ab\tx"), 5);
    }

    #[test]
    fn widths_follow_graphemes() {
        assert_eq!(display_width("日本"), 4);
        assert_eq!(display_width("e\u{301}"), 1);
        assert_eq!(display_width("🎉"), 2);
        assert_eq!(display_width("שלום"), 4);
        assert_eq!(display_width("\x1b"), 4);
        // A combining mark with no base gets one.
        assert_eq!(clean_line("\u{301}x"), "\u{25cc}\u{301}x");
        assert_eq!(display_width("\u{301}x"), 2);
    }

    #[test]
    fn invalid_utf8_bytes_are_escaped() {
        assert_eq!(clean_bytes_line(b"ok"), "ok");
        assert!(matches!(clean_bytes_line(b"ok"), Cow::Borrowed(_)));
        assert_eq!(clean_bytes_line(b"caf\xe9 \x1b[1m"), "caf\\xe9 \\x1b[1m");
        assert_eq!(
            clean_bytes_line(b"\xff\xfe\t\xc3\xa9"),
            "\\xff\\xfe    \u{e9}"
        );
        assert_eq!(clean_bytes_line(b"\xff\t|"), "\\xff    |");
        assert_eq!(clean_bytes_line(b"ab\xff\t|"), "ab\\xff  |");
    }

    #[test]
    fn multi_line_keeps_breaks() {
        assert_eq!(clean_text("a\r\nb\n\x1bc"), "a\nb\n\\x1bc");
        assert_eq!(clean_for_copy("a\tb\r\n\x1b[2J\r"), "a\tb\r\n\\x1b[2J\\x0d");
    }

    #[test]
    fn truncation_respects_width() {
        assert_eq!(truncate("hello world", 5), "hell…");
        assert_eq!(truncate("hello", 5), "hello");
        assert_eq!(truncate("日本語", 4), "日…");
        assert_eq!(truncate("日本語", 5), "日本…");
        assert_eq!(truncate("\x1b[2J", 3), "…");
        assert_eq!(truncate("\x1b[2J", 6), "\\x1b[…");
        assert_eq!(truncate("abc", 0), "");
        assert_eq!(truncate_start("/very/long/path", 6), "…/path");
        assert_eq!(truncate_start("日本語", 5), "…本語");
        assert_eq!(pad_to_width("ab", 4), "ab  ");
        assert_eq!(pad_to_width("日本語", 5), "日本…");
        for w in 0..12 {
            assert!(display_width(&truncate("日本語 e\u{301} \x1b ok", w)) <= w);
            assert!(display_width(&truncate_start("日本語 e\u{301} \x1b ok", w)) <= w);
        }
    }
}

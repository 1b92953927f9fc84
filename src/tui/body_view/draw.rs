//! Drawing the visible rows: gutter, note, and each row of a line laid out
//! (wrapped or scrolled sideways), sanitised and styled piece by piece.

use std::borrow::Cow;
use std::ops::Range;

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;

use super::classify::{doc_line, key_line};
use super::hex::hex_styles;
use super::json::JsonLexer;
use super::long_lines::{Mark, Target};
use super::{BodyTheme, BodyView, Doc, HEX_WIDTH, Viewport};
use crate::sanitize::{self, Piece};

impl BodyView {
    // ----- drawing -----

    /// Draws the visible part of the body into `area`: the note (if any) on
    /// the first row, then the lines. Only the rows on screen are laid out
    /// and styled, so the cost does not grow with the body.
    pub fn render(&mut self, area: Rect, buf: &mut Buffer, theme: &BodyTheme) {
        let area = area.intersection(buf.area);
        for y in area.top()..area.bottom() {
            for x in area.left()..area.right() {
                if let Some(cell) = buf.cell_mut((x, y)) {
                    cell.reset();
                    cell.set_style(theme.text);
                }
            }
        }
        if area.is_empty() {
            return;
        }
        let mut body = area;
        if let Some(note) = &self.note {
            let width = usize::from(area.width);
            buf.set_stringn(
                area.x,
                area.y,
                sanitize::truncate(note, width),
                width,
                theme.note,
            );
            body.y += 1;
            body.height -= 1;
        }
        let gutter = self.gutter_width(usize::from(body.width));
        let cols = usize::from(body.width).saturating_sub(gutter).max(1);
        self.set_viewport(Viewport {
            rows: usize::from(body.height),
            cols,
        });
        self.top = self.top.min(self.max_top());
        if body.height == 0 {
            return;
        }

        let x0 = body.x + u16::try_from(gutter).unwrap_or(0);
        let mut cost = 0;
        let mut row = 0usize;
        let mut line_idx = self.top.line;
        let mut from = if self.wrap { self.top.offset } else { 0 };
        while row < self.viewport.rows && line_idx < self.line_count {
            let line = doc_line(&self.doc, &self.raw, line_idx);
            let key_line = key_line(&self.doc, line_idx);
            let target = if self.wrap {
                Target::Byte(from)
            } else {
                Target::Col(self.hscroll)
            };
            let mark = self.cache.mark(line_idx, &line, key_line, target);
            let mut styler = self.styler(line_idx, &line, from, mark, theme);
            loop {
                let y = body.y + u16::try_from(row).unwrap_or(u16::MAX);
                if gutter > 0 && from == 0 {
                    let number = format!("{:>w$} ", line_idx + 1, w = gutter - 1);
                    buf.set_stringn(body.x, y, number, gutter, theme.line_number);
                }
                let end = draw_row(
                    buf,
                    (x0, y),
                    &line,
                    if self.wrap {
                        Span {
                            from,
                            col0: 0,
                            skip: 0,
                            max: cols,
                            wrap: true,
                        }
                    } else {
                        Span {
                            from: mark.byte,
                            col0: mark.col,
                            skip: self.hscroll.saturating_sub(mark.col),
                            max: cols,
                            wrap: false,
                        }
                    },
                    &mut styler,
                    theme,
                );
                cost += end.saturating_sub(if self.wrap { from } else { mark.byte });
                row += 1;
                if !self.wrap || end >= line.len() || row >= self.viewport.rows {
                    break;
                }
                from = end;
            }
            cost += styler.lexed(mark);
            line_idx += 1;
            from = 0;
        }
        self.last_render_cost = cost;
    }

    fn gutter_width(&self, width: usize) -> usize {
        if !self.line_numbers || !matches!(self.doc, Doc::Text { .. }) {
            return 0;
        }
        let digits = self.line_count.max(1).ilog10() as usize + 1;
        // On a very narrow area the text matters more than its numbers.
        if width < digits + 1 + 8 {
            0
        } else {
            digits + 1
        }
    }

    fn set_viewport(&mut self, viewport: Viewport) {
        if viewport == self.viewport {
            return;
        }
        self.viewport = viewport;
        if self.wrap && self.top.offset > 0 {
            // The rows of the top line moved: start at the row that now
            // holds what was at the top.
            let line = doc_line(&self.doc, &self.raw, self.top.line);
            self.top.offset =
                self.cache
                    .row_start(self.top.line, &line, viewport.cols, self.top.offset);
        }
    }

    // ----- lines -----

    pub(super) fn line(&self, i: usize) -> Cow<'_, str> {
        doc_line(&self.doc, &self.raw, i)
    }

    /// The line holding byte `offset` of the searched document.
    pub(super) fn line_of(&self, offset: usize) -> usize {
        match &self.doc {
            Doc::Empty => 0,
            Doc::Text { starts, .. } => starts.partition_point(|&s| s <= offset).saturating_sub(1),
            Doc::Hex => offset / HEX_WIDTH,
        }
    }

    fn styler<'a>(
        &'a self,
        line_idx: usize,
        line: &'a str,
        from: usize,
        mark: Mark,
        theme: &'a BodyTheme,
    ) -> Styler<'a> {
        let current = self
            .search
            .current
            .and_then(|c| self.search.matches.get(c))
            .map(|m| m.start);
        let mut styler = Styler {
            theme,
            lexer: None,
            cells: None,
            matches: &[],
            line_base: 0,
            next: 0,
            current,
        };
        match &self.doc {
            Doc::Empty => {}
            Doc::Text { starts, keys, .. } => {
                let base = starts.get(line_idx).copied().unwrap_or(0);
                styler.line_base = base;
                styler.matches = &self.search.matches;
                styler.next = self
                    .search
                    .matches
                    .partition_point(|m| m.end <= base + from);
                if keys.is_some() {
                    styler.lexer = Some(JsonLexer::resume(line.as_bytes(), mark.lex));
                }
            }
            Doc::Hex => {
                styler.cells = Some(hex_styles(
                    &self.raw,
                    line_idx,
                    theme,
                    &self.search.matches,
                    current,
                ));
            }
        }
        styler
    }
}

/// Which part of a line a row shows.
#[derive(Debug, Clone, Copy)]
struct Span {
    /// Byte offset where the row starts (a piece boundary).
    from: usize,
    /// Column of `from`, counted from where tab stops start (the line start
    /// when not wrapping, the row start when wrapping).
    col0: usize,
    /// Columns hidden at the left (horizontal scroll; 0 when wrapping).
    skip: usize,
    /// Columns available.
    max: usize,
    wrap: bool,
}

/// A piece of a line placed on a row.
struct Placed<'l> {
    start: usize,
    piece: Piece<'l>,
    /// Column on the row where its visible part starts.
    x: usize,
    /// Its cells hidden by the left edge.
    hidden: usize,
    /// Its cells on screen.
    shown: usize,
}

/// Lays out one row of `line` and hands each visible piece to `place`.
/// Returns the byte offset where the row stopped: when wrapping, where the
/// next row starts.
fn walk<'l>(line: &'l str, span: Span, mut place: impl FnMut(Placed<'l>)) -> usize {
    let Some(rest) = line.get(span.from..) else {
        return line.len();
    };
    let max = if span.wrap { span.max.max(1) } else { span.max };
    let mut col = 0;
    for (offset, piece) in sanitize::pieces(rest) {
        let start = span.from + offset;
        let w = piece.width(span.col0 + col);
        let end_col = col + w;
        if end_col <= span.skip {
            col = end_col;
            continue;
        }
        let hidden = span.skip.saturating_sub(col);
        let x = col + hidden - span.skip;
        if x >= max {
            return start;
        }
        let room = max - x;
        let visible = w - hidden;
        if visible > room {
            if span.wrap && x > 0 {
                return start;
            }
            place(Placed {
                start,
                piece,
                x,
                hidden,
                shown: room,
            });
            // A piece wider than a whole row is cut, so that wrapping moves on.
            return if span.wrap {
                start + piece.source_len()
            } else {
                start
            };
        }
        place(Placed {
            start,
            piece,
            x,
            hidden,
            shown: visible,
        });
        col = end_col;
    }
    line.len()
}

pub(super) fn row_end(line: &str, from: usize, cols: usize) -> usize {
    walk(
        line,
        Span {
            from,
            col0: 0,
            skip: 0,
            max: cols,
            wrap: true,
        },
        |_| {},
    )
}

/// Where the wrapped rows of `line` start, up to the row holding byte `upto`.
pub(super) fn row_starts(line: &str, cols: usize, upto: usize) -> Vec<usize> {
    let mut starts = vec![0];
    let mut from = 0;
    loop {
        let end = row_end(line, from, cols);
        if end >= line.len() || end > upto || end <= from {
            return starts;
        }
        starts.push(end);
        from = end;
    }
}

/// Width in cells of `line`, counting from `mark` and no further than `cap`.
pub(super) fn width_upto(line: &str, mark: Mark, cap: usize) -> usize {
    let mut col = mark.col;
    for (_, piece) in sanitize::pieces(line.get(mark.byte..).unwrap_or("")) {
        if col >= cap {
            break;
        }
        col += piece.width(col);
    }
    col
}

/// Column where byte `offset` of `line` is drawn, counting from `mark`.
pub(super) fn col_at(line: &str, mark: Mark, offset: usize) -> usize {
    let mut col = mark.col;
    for (start, piece) in sanitize::pieces(line.get(mark.byte..).unwrap_or("")) {
        if mark.byte + start >= offset {
            break;
        }
        col += piece.width(col);
    }
    col
}

/// Gives each piece of a line its style: token colours, then the search
/// highlight on top.
struct Styler<'a> {
    theme: &'a BodyTheme,
    lexer: Option<JsonLexer<'a>>,
    /// A style per byte of the line (hex dumps, matches included).
    cells: Option<Vec<Style>>,
    /// All matches, as offsets in the document; `next` is the first one
    /// that may still touch this line.
    matches: &'a [Range<usize>],
    line_base: usize,
    next: usize,
    current: Option<usize>,
}

impl Styler<'_> {
    /// Bytes the tokenizer went through since `mark`.
    fn lexed(&self, mark: Mark) -> usize {
        self.lexer
            .as_ref()
            .map_or(0, |lx| lx.st.pos.saturating_sub(mark.lex.pos))
    }

    pub(super) fn style(&mut self, start: usize, end: usize) -> Style {
        let mut style = if let Some(cells) = &self.cells {
            cells.get(start).copied().unwrap_or(self.theme.text)
        } else if let Some(lexer) = &mut self.lexer {
            self.theme.token(lexer.kind_at(start))
        } else {
            self.theme.text
        };
        let (a, b) = (self.line_base + start, self.line_base + end);
        while self.matches.get(self.next).is_some_and(|m| m.end <= a) {
            self.next += 1;
        }
        if let Some(m) = self.matches.get(self.next)
            && m.start < b
        {
            style = style.patch(if self.current == Some(m.start) {
                self.theme.current_match
            } else {
                self.theme.search_match
            });
        }
        style
    }
}

/// Draws one row of `line` at `at` and returns where it stopped (see [`walk`]).
fn draw_row(
    buf: &mut Buffer,
    at: (u16, u16),
    line: &str,
    span: Span,
    styler: &mut Styler<'_>,
    theme: &BodyTheme,
) -> usize {
    let (x0, y) = at;
    walk(line, span, |p| {
        let style = styler.style(p.start, p.start + p.piece.source_len());
        let x = x0.saturating_add(u16::try_from(p.x).unwrap_or(u16::MAX));
        let mut put = |dx: usize, symbol: &str, style: Style| {
            let Ok(dx) = u16::try_from(dx) else { return };
            if let Some(cell) = buf.cell_mut((x.saturating_add(dx), y)) {
                cell.set_symbol(symbol).set_style(style);
            }
        };
        match p.piece {
            Piece::Text(g, w) if p.hidden == 0 && p.shown == w => {
                put(0, g, style);
                // The cells a wide character covers stay empty, as ratatui
                // expects.
                for dx in 1..w {
                    let Ok(dx) = u16::try_from(dx) else { break };
                    if let Some(cell) = buf.cell_mut((x.saturating_add(dx), y)) {
                        cell.reset();
                    }
                }
            }
            Piece::Orphan(g) if p.shown == 1 => {
                let mut s = String::from('\u{25cc}');
                s.push_str(g);
                put(0, &s, style);
            }
            Piece::Escaped(_) | Piece::Newline(_) => {
                let mut esc = String::new();
                p.piece.push_to(&mut esc, 0);
                let style = style.patch(theme.escape);
                let mut tmp = [0u8; 4];
                for (dx, c) in esc.chars().skip(p.hidden).take(p.shown).enumerate() {
                    put(dx, c.encode_utf8(&mut tmp), style);
                }
            }
            _ => {
                for dx in 0..p.shown {
                    put(dx, " ", style);
                }
            }
        }
    })
}

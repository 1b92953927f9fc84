//! Positions in the document: screen rows before and after a position, the
//! last useful top, and scrolling a line into view.

use super::classify::{doc_line, key_line};
use super::draw::{col_at, row_end, width_upto};
use super::hex::hex_col;
use super::long_lines::Target;
use super::{BodyView, Doc, HEX_WIDTH, Pos};

impl BodyView {
    // ----- positions -----

    /// The last useful top position: the one that shows the end of the
    /// document on the bottom row.
    pub(super) fn max_top(&mut self) -> Pos {
        let rows = self.viewport.rows.max(1);
        if !self.wrap {
            return Pos {
                line: self.line_count.saturating_sub(rows),
                offset: 0,
            };
        }
        if let Some((vp, pos)) = self.bottom
            && vp == self.viewport
        {
            return pos;
        }
        let mut need = rows;
        let mut pos = Pos::default();
        let mut line = self.line_count;
        while line > 0 {
            line -= 1;
            let text = doc_line(&self.doc, &self.raw, line);
            let (count, offset) = self.cache.last_rows(line, &text, self.viewport.cols, need);
            if count >= need {
                pos = Pos { line, offset };
                break;
            }
            need -= count;
        }
        self.bottom = Some((self.viewport, pos));
        pos
    }

    pub(super) fn next_row(&self, pos: Pos) -> Pos {
        let line = self.line(pos.line);
        let end = row_end(&line, pos.offset, self.viewport.cols);
        if end >= line.len() {
            Pos {
                line: pos.line + 1,
                offset: 0,
            }
        } else {
            Pos {
                line: pos.line,
                offset: end,
            }
        }
    }

    pub(super) fn prev_row(&mut self, pos: Pos) -> Pos {
        let cols = self.viewport.cols;
        if pos.offset > 0 {
            let line = doc_line(&self.doc, &self.raw, pos.line);
            Pos {
                line: pos.line,
                offset: self.cache.row_start(pos.line, &line, cols, pos.offset - 1),
            }
        } else if pos.line > 0 {
            let line = doc_line(&self.doc, &self.raw, pos.line - 1);
            Pos {
                line: pos.line - 1,
                offset: self.cache.last_rows(pos.line - 1, &line, cols, 1).1,
            }
        } else {
            pos
        }
    }

    /// Widest visible line in cells, counting no further than `cap`.
    pub(super) fn widest_visible(&mut self, cap: usize) -> usize {
        let end = self
            .top
            .line
            .saturating_add(self.viewport.rows)
            .min(self.line_count);
        let mut widest = 0;
        for i in self.top.line..end {
            let line = doc_line(&self.doc, &self.raw, i);
            let mark = self
                .cache
                .mark(i, &line, key_line(&self.doc, i), Target::Col(cap));
            widest = widest.max(width_upto(&line, mark, cap));
        }
        widest
    }

    /// Scrolls so that match `i` is on screen, a third of the way down when
    /// the view has to move.
    pub(super) fn reveal(&mut self, i: usize) {
        let Some(m) = self.search.matches.get(i).cloned() else {
            return;
        };
        let line_idx = self.line_of(m.start);
        let (start, end) = match &self.doc {
            Doc::Empty => return,
            Doc::Text { starts, .. } => {
                let base = starts.get(line_idx).copied().unwrap_or(0);
                (m.start - base, m.end - base)
            }
            Doc::Hex => {
                let col = hex_col(m.start % HEX_WIDTH);
                (col, col + 2)
            }
        };
        let rows = self.viewport.rows.max(1);
        let cols = self.viewport.cols;
        if self.wrap {
            let line = doc_line(&self.doc, &self.raw, line_idx);
            let target = Pos {
                line: line_idx,
                offset: self.cache.row_start(line_idx, &line, cols, start),
            };
            if !self.row_visible(target) {
                let mut top = target;
                for _ in 0..rows / 3 {
                    top = self.prev_row(top);
                }
                self.top = top.min(self.max_top());
            }
        } else {
            if line_idx < self.top.line || line_idx >= self.top.line + rows {
                self.top = Pos {
                    line: line_idx.saturating_sub(rows / 3),
                    offset: 0,
                }
                .min(self.max_top());
            }
            let line = doc_line(&self.doc, &self.raw, line_idx);
            let key_line = key_line(&self.doc, line_idx);
            let mark = self
                .cache
                .mark(line_idx, &line, key_line, Target::Byte(start));
            let c0 = col_at(&line, mark, start);
            let c1 = col_at(&line, mark, end);
            if c0 < self.hscroll || c1 > self.hscroll + cols {
                self.hscroll = if c1 <= cols {
                    0
                } else {
                    let h = c0.saturating_sub(cols / 4);
                    if c1 > h + cols { c0 } else { h }
                };
            }
        }
    }

    fn row_visible(&self, target: Pos) -> bool {
        let mut pos = self.top;
        for _ in 0..self.viewport.rows {
            if pos == target {
                return true;
            }
            if pos > target || pos.line >= self.line_count {
                return false;
            }
            pos = self.next_row(pos);
        }
        false
    }
}

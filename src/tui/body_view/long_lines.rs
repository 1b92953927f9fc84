//! Long lines: checkpoints and wrapped row starts of lines too long to walk
//! from their start on every frame, made as far as they are needed.

use std::collections::HashMap;

use super::draw::{row_end, row_starts};
use super::json::{JsonLexer, LexState};
use super::{LONG_LINE, MARK_EVERY, MAX_CACHED_LINES};
use crate::sanitize;

/// A point of a line from which it can be walked: a piece boundary, its
/// column from the line start, and the tokenizer state there.
#[derive(Debug, Clone, Copy)]
pub(super) struct Mark {
    pub(super) byte: usize,
    pub(super) col: usize,
    pub(super) lex: LexState,
}

/// What a walk wants to reach in a line.
#[derive(Debug, Clone, Copy)]
pub(super) enum Target {
    Byte(usize),
    Col(usize),
}

impl Target {
    /// Whether `mark` is at or before the target.
    fn covers(self, mark: &Mark) -> bool {
        match self {
            Target::Byte(b) => mark.byte <= b,
            Target::Col(c) => mark.col <= c,
        }
    }
}

/// Checkpoints and wrapped row starts of long lines, made as far as they
/// have been needed.
#[derive(Debug, Default)]
pub(super) struct LineCache {
    lines: HashMap<usize, LongLine>,
}

#[derive(Debug, Default)]
struct LongLine {
    marks: Vec<Mark>,
    marks_done: bool,
    rows_cols: usize,
    rows: Vec<usize>,
    rows_done: bool,
}

impl LineCache {
    fn long(&mut self, idx: usize) -> &mut LongLine {
        if self.lines.len() >= MAX_CACHED_LINES && !self.lines.contains_key(&idx) {
            self.lines.clear();
        }
        self.lines.entry(idx).or_default()
    }

    /// Where to start walking line `idx` to reach `target`: its start, or
    /// for a long line the last checkpoint at or before the target.
    pub(super) fn mark(
        &mut self,
        idx: usize,
        line: &str,
        key_line: Option<bool>,
        target: Target,
    ) -> Mark {
        let start = Mark {
            byte: 0,
            col: 0,
            lex: LexState::new(line, key_line.unwrap_or(false)),
        };
        if line.len() <= LONG_LINE {
            return start;
        }
        let long = self.long(idx);
        if long.marks.is_empty() {
            long.marks.push(start);
        }
        long.extend_marks(line, key_line.is_some(), target);
        let i = long.marks.partition_point(|m| target.covers(m));
        long.marks
            .get(i.saturating_sub(1))
            .copied()
            .unwrap_or(start)
    }

    /// Start of the wrapped row of line `idx` that holds byte `byte`.
    pub(super) fn row_start(&mut self, idx: usize, line: &str, cols: usize, byte: usize) -> usize {
        if line.len() <= LONG_LINE {
            return row_starts(line, cols, byte).last().copied().unwrap_or(0);
        }
        let rows = self.long(idx).rows(line, cols, byte);
        rows[rows.partition_point(|&s| s <= byte).saturating_sub(1)]
    }

    /// How many wrapped rows line `idx` has, and where the `nth` row from
    /// its end starts (its first row when it has fewer).
    pub(super) fn last_rows(
        &mut self,
        idx: usize,
        line: &str,
        cols: usize,
        nth: usize,
    ) -> (usize, usize) {
        let short;
        let rows = if line.len() <= LONG_LINE {
            short = row_starts(line, cols, usize::MAX);
            &short[..]
        } else {
            self.long(idx).rows(line, cols, usize::MAX)
        };
        let n = rows.len();
        (n, rows.get(n.saturating_sub(nth)).copied().unwrap_or(0))
    }
}

impl LongLine {
    /// Adds checkpoints until one lies past `target` or the line ends.
    fn extend_marks(&mut self, line: &str, json: bool, target: Target) {
        let Some(&last) = self.marks.last() else {
            return;
        };
        if self.marks_done || !target.covers(&last) {
            return;
        }
        let mut lexer = JsonLexer::resume(line.as_bytes(), last.lex);
        let mut col = last.col;
        let mut next_at = last.byte + MARK_EVERY;
        for (offset, piece) in sanitize::pieces(line.get(last.byte..).unwrap_or("")) {
            let byte = last.byte + offset;
            if byte >= next_at {
                if json {
                    lexer.advance_to(byte);
                }
                let mark = Mark {
                    byte,
                    col,
                    lex: lexer.st,
                };
                self.marks.push(mark);
                if !target.covers(&mark) {
                    return;
                }
                next_at = byte + MARK_EVERY;
            }
            col += piece.width(col);
        }
        self.marks_done = true;
    }

    /// Row starts at `cols` columns, made at least up to the row after the
    /// one holding `upto`.
    pub(super) fn rows(&mut self, line: &str, cols: usize, upto: usize) -> &[usize] {
        if self.rows_cols != cols || self.rows.is_empty() {
            self.rows = vec![0];
            self.rows_cols = cols;
            self.rows_done = false;
        }
        while !self.rows_done {
            let Some(&from) = self.rows.last() else { break };
            if from > upto {
                break;
            }
            let end = row_end(line, from, cols);
            if end >= line.len() || end <= from {
                self.rows_done = true;
            } else {
                self.rows.push(end);
            }
        }
        &self.rows
    }
}

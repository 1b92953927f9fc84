//! The response body viewer: a widget with its own state that shows a body
//! as pretty JSON (syntax colours, line numbers), as text (XML, HTML, plain),
//! or as a hex dump when it is binary, with scrolling, wrapping and search.
//!
//! Large bodies must never freeze the UI, so the work is split in two:
//!
//! - once, in [`BodyView::new`]: the body is classified, JSON is validated
//!   and pretty-printed in one pass, and the start of every line is recorded;
//! - every frame, in [`BodyView::render`]: only the visible rows are laid
//!   out, sanitised and styled, from the recorded line starts. A line longer
//!   than 64 KiB (a base64 blob in a JSON string) gets checkpoints (byte,
//!   column, tokenizer state) as it is first walked, so that a view deep
//!   inside it, scrolled sideways or wrapped, starts from the nearest one.
//!
//! Everything drawn goes through [`crate::sanitize`], so a body cannot send
//! control characters or escape sequences to the terminal: they appear
//! escaped (`\x1b`). The view reads no terminal events: the keymap calls its
//! methods (`scroll_down`, `toggle_wrap`, `set_search`, `next_match`...).

use std::borrow::Cow;
use std::collections::HashMap;
use std::fmt::{self, Write as _};
use std::ops::Range;
use std::path::{Path, PathBuf};

use bytes::Bytes;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier, Style};
use ratatui::widgets::StatefulWidget;

use crate::sanitize::{self, Piece};
use crate::units::{grouped, size_text};

/// Spaces per nesting level in pretty JSON.
const JSON_INDENT: usize = 2;
/// Bytes per hex dump line.
const HEX_WIDTH: usize = 16;
/// Column of the ASCII part of a hex dump line.
const HEX_ASCII_COL: usize = 61;
/// More matches than this are not recorded (the status says `N+`): a
/// one-letter search in a large body would otherwise cost memory for nothing.
pub const MAX_MATCHES: usize = 1_000_000;
/// Until the first render tells the real size, pages are this big.
const DEFAULT_VIEWPORT: Viewport = Viewport { rows: 20, cols: 80 };
/// Lines longer than this get checkpoints (a base64 blob in a JSON string,
/// minified text), so that drawing or scrolling deep inside one does not
/// walk it from its start every time.
const LONG_LINE: usize = 64 * 1024;
/// Bytes between two checkpoints of a long line.
const MARK_EVERY: usize = 8 * 1024;
/// Long lines whose checkpoints are kept at a time.
const MAX_CACHED_LINES: usize = 64;

/// What the body was recognised as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BodyKind {
    /// No bytes at all.
    Empty,
    /// Valid JSON, shown pretty-printed.
    Json,
    /// XML (declared by its content type), shown as text.
    Xml,
    /// HTML (declared by its content type), shown as text.
    Html,
    /// Any other UTF-8 text, including JSON that does not parse.
    Text,
    /// Not UTF-8, contains NUL bytes, or declared binary: shown as hex.
    Binary,
}

impl BodyKind {
    /// A short name for a status line.
    pub fn label(self) -> &'static str {
        match self {
            BodyKind::Empty => "empty",
            BodyKind::Json => "JSON",
            BodyKind::Xml => "XML",
            BodyKind::Html => "HTML",
            BodyKind::Text => "text",
            BodyKind::Binary => "binary",
        }
    }
}

/// Styles of the body viewer. The fields are public so that a user's colour
/// configuration can override any of them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BodyTheme {
    /// Plain text, and the background of the whole area.
    pub text: Style,
    pub key: Style,
    pub string: Style,
    pub number: Style,
    /// `true`, `false`, `null`.
    pub literal: Style,
    /// Brackets, commas, colons.
    pub punct: Style,
    pub line_number: Style,
    /// Patched over an escaped control character (`\x1b`), so that it cannot
    /// be mistaken for the same letters typed in the body.
    pub escape: Style,
    pub search_match: Style,
    pub current_match: Style,
    /// The one-line note above the body (binary size, invalid JSON...).
    pub note: Style,
    pub hex_offset: Style,
    /// Bytes outside printable ASCII in a hex dump.
    pub hex_nonprint: Style,
}

impl BodyTheme {
    /// The default colours.
    pub fn coloured() -> Self {
        let fg = |c| Style::new().fg(c);
        BodyTheme {
            text: Style::new(),
            key: fg(Color::Cyan),
            string: fg(Color::Green),
            number: fg(Color::Yellow),
            literal: fg(Color::Magenta),
            punct: Style::new(),
            line_number: fg(Color::DarkGray),
            escape: fg(Color::LightRed).add_modifier(Modifier::BOLD),
            search_match: Style::new().fg(Color::Black).bg(Color::Yellow),
            current_match: Style::new()
                .fg(Color::Black)
                .bg(Color::LightRed)
                .add_modifier(Modifier::BOLD),
            note: fg(Color::Yellow),
            hex_offset: fg(Color::DarkGray),
            hex_nonprint: fg(Color::DarkGray),
        }
    }

    /// No colour at all (for `NO_COLOR`): structure is shown with text
    /// attributes only.
    pub fn plain() -> Self {
        let m = |m| Style::new().add_modifier(m);
        BodyTheme {
            text: Style::new(),
            key: m(Modifier::BOLD),
            string: Style::new(),
            number: Style::new(),
            literal: Style::new(),
            punct: Style::new(),
            line_number: m(Modifier::DIM),
            escape: m(Modifier::UNDERLINED),
            search_match: m(Modifier::REVERSED),
            current_match: m(Modifier::REVERSED | Modifier::BOLD | Modifier::UNDERLINED),
            note: m(Modifier::ITALIC),
            hex_offset: m(Modifier::DIM),
            hex_nonprint: m(Modifier::DIM),
        }
    }

    /// [`BodyTheme::plain`] when the `NO_COLOR` environment variable is set
    /// to a non-empty value (<https://no-color.org>), else the colours.
    pub fn from_env() -> Self {
        if std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty()) {
            Self::plain()
        } else {
            Self::coloured()
        }
    }

    fn token(&self, tok: Tok) -> Style {
        match tok {
            Tok::Plain => self.text,
            Tok::Punct => self.punct,
            Tok::Key => self.key,
            Tok::Str => self.string,
            Tok::Number => self.number,
            Tok::Literal => self.literal,
        }
    }
}

impl Default for BodyTheme {
    fn default() -> Self {
        Self::coloured()
    }
}

/// Writing the body to a file failed.
#[derive(Debug, thiserror::Error)]
#[error("cannot save the body to {}: {source}", path.display())]
pub struct SaveError {
    pub path: PathBuf,
    #[source]
    pub source: std::io::Error,
}

/// A body, how it is shown, and where the reader is in it.
pub struct BodyView {
    raw: Bytes,
    content_type: Option<String>,
    kind: BodyKind,
    note: Option<String>,
    doc: Doc,
    line_count: usize,
    wrap: bool,
    line_numbers: bool,
    top: Pos,
    hscroll: usize,
    viewport: Viewport,
    /// The last top position in wrap mode, for the viewport it was computed for.
    bottom: Option<(Viewport, Pos)>,
    search: Search,
    /// ASCII-lowercased copies of what is searched, made on the first
    /// case-insensitive search (same byte offsets as the original).
    folded_text: Option<String>,
    folded_raw: Option<Vec<u8>>,
    cache: LineCache,
    last_render_cost: usize,
}

/// What the lines are made of.
enum Doc {
    Empty,
    /// Text lines (pretty JSON or the body as text), by their start offsets.
    /// `keys` (JSON only) tells which lines start with an object key.
    Text {
        text: String,
        starts: Vec<usize>,
        keys: Option<Vec<bool>>,
    },
    /// Hex dump lines, made from the raw bytes when drawn.
    Hex,
}

/// A position in the document: a line and, when wrapping, the byte offset in
/// it where a screen row starts (0 when not wrapping).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord)]
struct Pos {
    line: usize,
    offset: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Viewport {
    rows: usize,
    cols: usize,
}

#[derive(Debug, Default)]
struct Search {
    query: String,
    /// Byte ranges in the text (or in the raw bytes for a hex dump), in order.
    matches: Vec<Range<usize>>,
    current: Option<usize>,
    truncated: bool,
}

impl fmt::Debug for BodyView {
    // The body itself can be megabytes: not worth printing.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BodyView")
            .field("kind", &self.kind)
            .field("bytes", &self.raw.len())
            .field("lines", &self.line_count)
            .field("content_type", &self.content_type)
            .field("top", &self.top)
            .field("wrap", &self.wrap)
            .field("search", &self.search.query)
            .finish_non_exhaustive()
    }
}

impl BodyView {
    /// Classifies and prepares a body. JSON is recognised by its content
    /// type (`application/json`, `*+json`) or, when the type is missing or
    /// `text/plain`, by sniffing; it is validated and pretty-printed here,
    /// once. A `charset` other than UTF-8 (or a UTF-16 byte-order mark) is
    /// decoded. Never fails: what cannot be shown as declared is shown as
    /// text or hex, with a note saying why.
    pub fn new(body: Bytes, content_type: Option<&str>) -> Self {
        let (kind, doc, note) = analyse(&body, content_type);
        let line_count = match &doc {
            Doc::Empty => 0,
            Doc::Text { starts, .. } => starts.len(),
            Doc::Hex => body.len().div_ceil(HEX_WIDTH),
        };
        BodyView {
            raw: body,
            content_type: content_type.map(str::to_string),
            kind,
            note: note.map(|n| sanitize::clean_line(&n).into_owned()),
            doc,
            line_count,
            wrap: false,
            line_numbers: true,
            top: Pos::default(),
            hscroll: 0,
            viewport: DEFAULT_VIEWPORT,
            bottom: None,
            search: Search::default(),
            folded_text: None,
            folded_raw: None,
            cache: LineCache::default(),
            last_render_cost: 0,
        }
    }

    // ----- what it is -----

    pub fn kind(&self) -> BodyKind {
        self.kind
    }

    /// The body's bytes, as received.
    pub fn raw(&self) -> &Bytes {
        &self.raw
    }

    /// The content type given to [`BodyView::new`] (untrusted: clean it
    /// before drawing).
    pub fn content_type(&self) -> Option<&str> {
        self.content_type.as_deref()
    }

    /// The one-line note drawn above the body, already terminal-safe: why a
    /// body is shown as text or hex, or a binary body's size.
    pub fn note(&self) -> Option<&str> {
        self.note.as_deref()
    }

    /// Lines of the document as shown (pretty JSON lines, text lines, or hex
    /// dump lines), not screen rows.
    pub fn line_count(&self) -> usize {
        self.line_count
    }

    /// Index (from 0) of the line at the top of the view.
    pub fn top_line(&self) -> usize {
        self.top.line
    }

    /// Columns scrolled to the right (always 0 while wrapping).
    pub fn hscroll(&self) -> usize {
        if self.wrap { 0 } else { self.hscroll }
    }

    pub fn wrap(&self) -> bool {
        self.wrap
    }

    /// Bytes of the document that the last [`BodyView::render`] looked at:
    /// it stays in the order of the screen size whatever the body size.
    pub fn last_render_cost(&self) -> usize {
        self.last_render_cost
    }

    /// The whole document as text for the clipboard: pretty JSON, the text,
    /// or the hex dump. Control characters are escaped as on screen, so a
    /// paste cannot run escape sequences; [`BodyView::save_to`] keeps the
    /// exact bytes.
    pub fn copy_text(&self) -> String {
        match &self.doc {
            Doc::Empty => String::new(),
            Doc::Text { text, .. } => sanitize::clean_for_copy(text).into_owned(),
            Doc::Hex => {
                let mut out = String::with_capacity(self.line_count * 80);
                for i in 0..self.line_count {
                    if i > 0 {
                        out.push('\n');
                    }
                    out.push_str(&hex_line(&self.raw, i));
                }
                out
            }
        }
    }

    /// Writes the body's exact bytes (as received, not as shown) to `path`.
    pub fn save_to(&self, path: &Path) -> Result<(), SaveError> {
        std::fs::write(path, &self.raw).map_err(|source| SaveError {
            path: path.to_path_buf(),
            source,
        })
    }

    // ----- scrolling -----

    /// Moves down `n` screen rows (lines, when not wrapping).
    pub fn scroll_down(&mut self, n: usize) {
        let bottom = self.max_top();
        if self.wrap {
            for _ in 0..n {
                if self.top >= bottom {
                    break;
                }
                self.top = self.next_row(self.top);
            }
            self.top = self.top.min(bottom);
        } else {
            self.top.line = self.top.line.saturating_add(n).min(bottom.line);
        }
    }

    /// Moves up `n` screen rows (lines, when not wrapping).
    pub fn scroll_up(&mut self, n: usize) {
        if self.wrap {
            for _ in 0..n {
                if self.top == Pos::default() {
                    break;
                }
                self.top = self.prev_row(self.top);
            }
        } else {
            self.top.line = self.top.line.saturating_sub(n);
        }
    }

    pub fn page_down(&mut self) {
        self.scroll_down(self.viewport.rows.max(1));
    }

    pub fn page_up(&mut self) {
        self.scroll_up(self.viewport.rows.max(1));
    }

    pub fn scroll_to_top(&mut self) {
        self.top = Pos::default();
    }

    pub fn scroll_to_bottom(&mut self) {
        self.top = self.max_top();
    }

    /// Scrolls `n` columns right, until the widest visible line ends at the
    /// right edge. Does nothing while wrapping.
    pub fn scroll_right(&mut self, n: usize) {
        if self.wrap {
            return;
        }
        let cols = self.viewport.cols;
        let wanted = self.hscroll.saturating_add(n);
        let widest = self.widest_visible(wanted.saturating_add(cols));
        let limit = widest.saturating_sub(cols).max(self.hscroll);
        self.hscroll = wanted.min(limit);
    }

    pub fn scroll_left(&mut self, n: usize) {
        self.hscroll = self.hscroll.saturating_sub(n);
    }

    /// Back to the first column.
    pub fn scroll_to_line_start(&mut self) {
        self.hscroll = 0;
    }

    pub fn set_wrap(&mut self, wrap: bool) {
        if wrap != self.wrap {
            self.wrap = wrap;
            self.top = Pos {
                line: self.top.line,
                offset: 0,
            };
            self.bottom = None;
        }
    }

    pub fn toggle_wrap(&mut self) {
        self.set_wrap(!self.wrap);
    }

    pub fn line_numbers(&self) -> bool {
        self.line_numbers
    }

    /// Shows or hides the line number gutter (never shown for a hex dump,
    /// whose offsets serve instead).
    pub fn set_line_numbers(&mut self, on: bool) {
        self.line_numbers = on;
    }

    // ----- search -----

    /// Searches the document (the pretty text, or the raw bytes of a hex
    /// dump) for `query`, highlights every match, and moves to the first
    /// match at or below the top of the view. Smart case: a query without
    /// capitals ignores ASCII case. An empty query clears the search.
    pub fn set_search(&mut self, query: &str) {
        if query == self.search.query {
            return;
        }
        self.search = Search {
            query: query.to_string(),
            ..Search::default()
        };
        if query.is_empty() {
            return;
        }
        let fold = !query.chars().any(char::is_uppercase);
        let needle = if fold {
            query.to_ascii_lowercase()
        } else {
            query.to_string()
        };
        let (matches, truncated) = match &self.doc {
            Doc::Empty => (Vec::new(), false),
            Doc::Text { text, .. } => {
                let hay = if fold {
                    self.folded_text
                        .get_or_insert_with(|| text.to_ascii_lowercase())
                        .as_str()
                } else {
                    text.as_str()
                };
                find_all_str(hay, &needle)
            }
            Doc::Hex => {
                let hay = if fold {
                    self.folded_raw
                        .get_or_insert_with(|| self.raw.to_ascii_lowercase())
                        .as_slice()
                } else {
                    &self.raw[..]
                };
                find_all_bytes(hay, needle.as_bytes())
            }
        };
        self.search.matches = matches;
        self.search.truncated = truncated;
        if self.search.matches.is_empty() {
            return;
        }
        let top_offset = match &self.doc {
            Doc::Empty => 0,
            Doc::Text { starts, .. } => starts.get(self.top.line).copied().unwrap_or(0),
            Doc::Hex => self.top.line.saturating_mul(HEX_WIDTH),
        };
        let first = self
            .search
            .matches
            .partition_point(|m| m.start < top_offset);
        let first = if first < self.search.matches.len() {
            first
        } else {
            0
        };
        self.search.current = Some(first);
        self.reveal(first);
    }

    pub fn clear_search(&mut self) {
        self.search = Search::default();
    }

    /// Moves to the next match (after the last, the first) and scrolls to it.
    pub fn next_match(&mut self) {
        let n = self.search.matches.len();
        if n == 0 {
            return;
        }
        let i = self.search.current.map_or(0, |c| (c + 1) % n);
        self.search.current = Some(i);
        self.reveal(i);
    }

    /// Moves to the previous match (before the first, the last) and scrolls to it.
    pub fn prev_match(&mut self) {
        let n = self.search.matches.len();
        if n == 0 {
            return;
        }
        let i = self.search.current.map_or(n - 1, |c| (c + n - 1) % n);
        self.search.current = Some(i);
        self.reveal(i);
    }

    pub fn search_query(&self) -> &str {
        &self.search.query
    }

    /// Matches found (at most [`MAX_MATCHES`]).
    pub fn match_count(&self) -> usize {
        self.search.matches.len()
    }

    /// Whether there were more matches than [`MAX_MATCHES`].
    pub fn matches_truncated(&self) -> bool {
        self.search.truncated
    }

    /// Index (from 0) of the current match.
    pub fn current_match(&self) -> Option<usize> {
        self.search.current
    }

    /// For a status line: `None` without a search, else `3/17`,
    /// `3/1000000+` or `no match`.
    pub fn search_status(&self) -> Option<String> {
        if self.search.query.is_empty() {
            return None;
        }
        let total = self.match_count();
        if total == 0 {
            return Some("no match".to_string());
        }
        let plus = if self.search.truncated { "+" } else { "" };
        let current = self.search.current.map_or(0, |c| c + 1);
        Some(format!("{current}/{total}{plus}"))
    }

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

    fn line(&self, i: usize) -> Cow<'_, str> {
        doc_line(&self.doc, &self.raw, i)
    }

    /// The line holding byte `offset` of the searched document.
    fn line_of(&self, offset: usize) -> usize {
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

    // ----- positions -----

    /// The last useful top position: the one that shows the end of the
    /// document on the bottom row.
    fn max_top(&mut self) -> Pos {
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

    fn next_row(&self, pos: Pos) -> Pos {
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

    fn prev_row(&mut self, pos: Pos) -> Pos {
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
    fn widest_visible(&mut self, cap: usize) -> usize {
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
    fn reveal(&mut self, i: usize) {
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

/// Draws a [`BodyView`] with a theme, for `frame.render_stateful_widget`.
#[derive(Debug, Clone, Copy)]
pub struct BodyWidget<'t> {
    theme: &'t BodyTheme,
}

impl<'t> BodyWidget<'t> {
    pub fn new(theme: &'t BodyTheme) -> Self {
        BodyWidget { theme }
    }
}

impl StatefulWidget for BodyWidget<'_> {
    type State = BodyView;

    fn render(self, area: Rect, buf: &mut Buffer, state: &mut BodyView) {
        state.render(area, buf, self.theme);
    }
}

// ----- classification -----

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Declared {
    Json,
    Html,
    Xml,
    /// `text/plain`: servers often send JSON under it, so JSON is sniffed.
    Plain,
    OtherText,
    Binary,
    Unknown,
}

impl Declared {
    fn of(content_type: Option<&str>) -> Declared {
        let Some(ct) = content_type else {
            return Declared::Unknown;
        };
        let essence = ct
            .split(';')
            .next()
            .unwrap_or("")
            .trim()
            .to_ascii_lowercase();
        let (top, sub) = essence.split_once('/').unwrap_or((essence.as_str(), ""));
        if sub == "json" || sub.ends_with("+json") {
            Declared::Json
        } else if essence == "text/html" || essence == "application/xhtml+xml" {
            Declared::Html
        } else if sub == "xml" || sub.ends_with("+xml") {
            Declared::Xml
        } else if essence == "text/plain" {
            Declared::Plain
        } else if top == "text"
            || matches!(
                sub,
                "javascript"
                    | "ecmascript"
                    | "x-www-form-urlencoded"
                    | "yaml"
                    | "x-yaml"
                    | "toml"
                    | "x-ndjson"
                    | "ndjson"
                    | "jsonl"
                    | "graphql"
                    | "sql"
                    | "csv"
            )
        {
            Declared::OtherText
        } else if matches!(top, "image" | "audio" | "video" | "font")
            || matches!(
                sub,
                "octet-stream"
                    | "pdf"
                    | "zip"
                    | "gzip"
                    | "x-gzip"
                    | "x-tar"
                    | "x-protobuf"
                    | "protobuf"
                    | "grpc"
                    | "wasm"
                    | "msgpack"
                    | "x-msgpack"
                    | "cbor"
            )
        {
            Declared::Binary
        } else {
            Declared::Unknown
        }
    }
}

fn analyse(body: &[u8], content_type: Option<&str>) -> (BodyKind, Doc, Option<String>) {
    if body.is_empty() {
        return (BodyKind::Empty, Doc::Empty, Some("empty body".to_string()));
    }
    let declared = Declared::of(content_type);
    let binary = |why: Option<String>| {
        let mut note = format!("binary, {}", human_size(body.len()));
        if let Some(ct) = content_type {
            let _ = write!(note, ", {ct}");
        }
        if let Some(why) = why {
            let _ = write!(note, ": {why}; shown as hex");
        }
        (BodyKind::Binary, Doc::Hex, Some(note))
    };
    if declared == Declared::Binary {
        return binary(None);
    }
    let (text, decoded) = match legacy_encoding(body, content_type) {
        // A charset other than UTF-8, declared or given by a byte-order mark.
        Some((encoding, bom)) => {
            match encoding.decode_without_bom_handling_and_without_replacement(&body[bom..]) {
                Some(text) => (text, Some(format!("decoded from {}", encoding.name()))),
                None => return binary(Some(format!("not valid {}", encoding.name()))),
            }
        }
        None => match std::str::from_utf8(body) {
            Ok(text) if !body.contains(&0) => (Cow::Borrowed(text), None),
            Ok(_) => return binary(Some("contains NUL bytes".to_string())),
            Err(e) => {
                return binary(Some(format!("not valid UTF-8 at byte {}", e.valid_up_to())));
            }
        },
    };
    let text = text.as_ref();
    let json_src = text.strip_prefix('\u{feff}').unwrap_or(text);
    let sniff = || json_src.trim_start().starts_with(['{', '[']);
    let (kind, doc, note) = match declared {
        Declared::Json => match pretty_json(json_src) {
            Ok(doc) => (BodyKind::Json, doc, None),
            Err(e) => (
                BodyKind::Text,
                text_doc(text),
                Some(format!("invalid JSON, shown as text: {e}")),
            ),
        },
        Declared::Plain | Declared::Unknown if sniff() => match pretty_json(json_src) {
            Ok(doc) => (BodyKind::Json, doc, None),
            Err(_) => (BodyKind::Text, text_doc(text), None),
        },
        Declared::Html => (BodyKind::Html, text_doc(text), None),
        Declared::Xml => (BodyKind::Xml, text_doc(text), None),
        _ => (BodyKind::Text, text_doc(text), None),
    };
    let note = match (note, decoded) {
        (Some(note), Some(decoded)) => Some(format!("{decoded}; {note}")),
        (note, decoded) => note.or(decoded),
    };
    (kind, doc, note)
}

/// The encoding to decode the body with when it is not UTF-8: a UTF-16
/// byte-order mark, else a `charset` parameter naming another encoding. With
/// the length of the mark to skip.
fn legacy_encoding(
    body: &[u8],
    content_type: Option<&str>,
) -> Option<(&'static encoding_rs::Encoding, usize)> {
    if let Some((encoding, bom)) = encoding_rs::Encoding::for_bom(body) {
        return (encoding != encoding_rs::UTF_8).then_some((encoding, bom));
    }
    let label = content_type?.split(';').skip(1).find_map(|param| {
        let (name, value) = param.split_once('=')?;
        name.trim()
            .eq_ignore_ascii_case("charset")
            .then(|| value.trim().trim_matches('"'))
    })?;
    let encoding = encoding_rs::Encoding::for_label(label.as_bytes())?;
    (encoding != encoding_rs::UTF_8).then_some((encoding, 0))
}

/// [`size_text`] with the exact count: `10.0 MiB (10,485,760 bytes)`.
fn human_size(n: usize) -> String {
    let n = n as u64;
    if n < 1024 {
        format!("{} bytes", grouped(n))
    } else {
        format!("{} ({} bytes)", size_text(n), grouped(n))
    }
}

fn text_doc(text: &str) -> Doc {
    let mut starts = vec![0];
    starts.extend(
        text.bytes()
            .enumerate()
            .filter(|&(i, b)| b == b'\n' && i + 1 < text.len())
            .map(|(i, _)| i + 1),
    );
    Doc::Text {
        text: text.to_string(),
        starts,
        keys: None,
    }
}

fn doc_line<'d>(doc: &'d Doc, raw: &[u8], i: usize) -> Cow<'d, str> {
    match doc {
        Doc::Empty => Cow::Borrowed(""),
        Doc::Text { text, starts, .. } => Cow::Borrowed(text_line(text, starts, i)),
        Doc::Hex => Cow::Owned(hex_line(raw, i)),
    }
}

/// For pretty JSON, whether line `i` starts with an object key; `None` for
/// other documents.
fn key_line(doc: &Doc, i: usize) -> Option<bool> {
    match doc {
        Doc::Text {
            keys: Some(keys), ..
        } => Some(keys.get(i).copied().unwrap_or(false)),
        _ => None,
    }
}

fn text_line<'t>(text: &'t str, starts: &[usize], i: usize) -> &'t str {
    let Some(&start) = starts.get(i) else {
        return "";
    };
    let end = starts.get(i + 1).map_or(text.len(), |&next| next - 1);
    let line = text.get(start..end).unwrap_or("");
    let line = line.strip_suffix('\n').unwrap_or(line);
    line.strip_suffix('\r').unwrap_or(line)
}

// ----- JSON -----

/// Validates `src` as JSON (serde_json, so errors carry line and column)
/// and re-indents it in one pass. Tokens are copied as sent: numbers keep
/// their spelling, duplicate keys and key order are kept, because the
/// viewer shows what the server said.
fn pretty_json(src: &str) -> Result<Doc, serde_json::Error> {
    serde_json::from_str::<serde::de::IgnoredAny>(src)?;
    let b = src.as_bytes();
    let mut out = String::with_capacity(src.len() + src.len() / 2);
    let mut starts = vec![0];
    let mut keys = vec![false];
    // Whether each open container is an object.
    let mut stack: Vec<bool> = Vec::new();
    let mut expect_key = false;
    let newline = |out: &mut String, starts: &mut Vec<usize>, keys: &mut Vec<bool>, depth| {
        out.push('\n');
        starts.push(out.len());
        keys.push(false);
        out.extend(std::iter::repeat_n(' ', depth * JSON_INDENT));
    };
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b' ' | b'\n' | b'\r' | b'\t' => i += 1,
            open @ (b'{' | b'[') => {
                let close = if open == b'{' { b'}' } else { b']' };
                let j = skip_ws(b, i + 1);
                out.push(char::from(open));
                if b.get(j) == Some(&close) {
                    out.push(char::from(close));
                    i = j + 1;
                    expect_key = false;
                } else {
                    stack.push(open == b'{');
                    expect_key = open == b'{';
                    newline(&mut out, &mut starts, &mut keys, stack.len());
                    i += 1;
                }
            }
            close @ (b'}' | b']') => {
                stack.pop();
                newline(&mut out, &mut starts, &mut keys, stack.len());
                out.push(char::from(close));
                i += 1;
            }
            b',' => {
                out.push(',');
                newline(&mut out, &mut starts, &mut keys, stack.len());
                expect_key = stack.last() == Some(&true);
                i += 1;
            }
            b':' => {
                out.push_str(": ");
                i += 1;
            }
            b'"' => {
                let end = string_end(b, i);
                if expect_key {
                    if let Some(k) = keys.last_mut() {
                        *k = true;
                    }
                    expect_key = false;
                }
                out.push_str(src.get(i..end).unwrap_or(""));
                i = end;
            }
            _ => {
                let end = scalar_end(b, i);
                out.push_str(src.get(i..end).unwrap_or(""));
                i = end;
            }
        }
    }
    Ok(Doc::Text {
        text: out,
        starts,
        keys: Some(keys),
    })
}

fn skip_ws(b: &[u8], mut i: usize) -> usize {
    while matches!(b.get(i), Some(b' ' | b'\n' | b'\r' | b'\t')) {
        i += 1;
    }
    i
}

/// End (exclusive) of the string starting at the quote at `start`.
fn string_end(b: &[u8], start: usize) -> usize {
    let mut i = start + 1;
    while i < b.len() {
        match b[i] {
            b'\\' => i += 2,
            b'"' => return i + 1,
            _ => i += 1,
        }
    }
    b.len()
}

/// End (exclusive) of a number or literal starting at `start` (at least one
/// byte, so that the caller always moves on).
fn scalar_end(b: &[u8], start: usize) -> usize {
    let mut i = start + 1;
    while i < b.len()
        && !matches!(
            b[i],
            b' ' | b'\n' | b'\r' | b'\t' | b',' | b':' | b'{' | b'}' | b'[' | b']' | b'"'
        )
    {
        i += 1;
    }
    i
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Tok {
    Plain,
    Punct,
    Key,
    Str,
    Number,
    Literal,
}

/// Where the tokenizer is in a line: enough to resume it from a checkpoint.
#[derive(Debug, Clone, Copy)]
struct LexState {
    pos: usize,
    kind: Tok,
    in_string: bool,
    escaped: bool,
    /// Where the key starts, on a line that starts with one.
    key_at: Option<usize>,
}

impl LexState {
    fn new(line: &str, key_line: bool) -> Self {
        LexState {
            pos: 0,
            kind: Tok::Plain,
            in_string: false,
            escaped: false,
            key_at: if key_line {
                line.bytes().position(|b| b != b' ')
            } else {
                None
            },
        }
    }
}

/// Classifies the bytes of one pretty JSON line, left to right, as far as
/// it is asked: a line always starts outside a string, because the pretty
/// printer never breaks one.
struct JsonLexer<'a> {
    bytes: &'a [u8],
    st: LexState,
}

impl<'a> JsonLexer<'a> {
    #[cfg(test)]
    fn new(line: &'a str, key_line: bool) -> Self {
        Self::resume(line.as_bytes(), LexState::new(line, key_line))
    }

    fn resume(bytes: &'a [u8], st: LexState) -> Self {
        JsonLexer { bytes, st }
    }

    /// The token kind of the byte at `offset` (offsets must not go back).
    fn kind_at(&mut self, offset: usize) -> Tok {
        self.advance_to(offset.saturating_add(1));
        self.st.kind
    }

    /// Classifies every byte before `end`.
    fn advance_to(&mut self, end: usize) {
        let end = end.min(self.bytes.len());
        while self.st.pos < end {
            if self.st.in_string && !self.st.escaped {
                // Most of a long string is neither a quote nor a backslash.
                let rest = &self.bytes[self.st.pos..end];
                match rest.iter().position(|&b| b == b'"' || b == b'\\') {
                    Some(skip) => self.st.pos += skip,
                    None => {
                        self.st.pos = end;
                        break;
                    }
                }
            }
            self.step();
        }
    }

    fn step(&mut self) {
        let st = &mut self.st;
        let b = self.bytes[st.pos];
        if st.in_string {
            if st.escaped {
                st.escaped = false;
            } else if b == b'\\' {
                st.escaped = true;
            } else if b == b'"' {
                st.in_string = false;
            }
        } else {
            st.kind = match b {
                b'"' => {
                    st.in_string = true;
                    if st.key_at == Some(st.pos) {
                        Tok::Key
                    } else {
                        Tok::Str
                    }
                }
                b'{' | b'}' | b'[' | b']' | b',' | b':' => Tok::Punct,
                b'0'..=b'9' | b'-' => Tok::Number,
                b'.' | b'+' | b'e' | b'E' if st.kind == Tok::Number => Tok::Number,
                b if b.is_ascii_alphabetic() => Tok::Literal,
                _ => Tok::Plain,
            };
        }
        st.pos += 1;
    }
}

// ----- long lines -----

/// A point of a line from which it can be walked: a piece boundary, its
/// column from the line start, and the tokenizer state there.
#[derive(Debug, Clone, Copy)]
struct Mark {
    byte: usize,
    col: usize,
    lex: LexState,
}

/// What a walk wants to reach in a line.
#[derive(Debug, Clone, Copy)]
enum Target {
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
struct LineCache {
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
    fn mark(&mut self, idx: usize, line: &str, key_line: Option<bool>, target: Target) -> Mark {
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
    fn row_start(&mut self, idx: usize, line: &str, cols: usize, byte: usize) -> usize {
        if line.len() <= LONG_LINE {
            return row_starts(line, cols, byte).last().copied().unwrap_or(0);
        }
        let rows = self.long(idx).rows(line, cols, byte);
        rows[rows.partition_point(|&s| s <= byte).saturating_sub(1)]
    }

    /// How many wrapped rows line `idx` has, and where the `nth` row from
    /// its end starts (its first row when it has fewer).
    fn last_rows(&mut self, idx: usize, line: &str, cols: usize, nth: usize) -> (usize, usize) {
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
    fn rows(&mut self, line: &str, cols: usize, upto: usize) -> &[usize] {
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

// ----- hex -----

fn hex_line(raw: &[u8], i: usize) -> String {
    let start = i.saturating_mul(HEX_WIDTH);
    let chunk = raw
        .get(start..start.saturating_add(HEX_WIDTH).min(raw.len()))
        .unwrap_or(&[]);
    let mut s = String::with_capacity(HEX_ASCII_COL + HEX_WIDTH + 2);
    let _ = write!(s, "{start:08x}  ");
    for k in 0..HEX_WIDTH {
        if k == HEX_WIDTH / 2 {
            s.push(' ');
        }
        match chunk.get(k) {
            Some(b) => {
                let _ = write!(s, "{b:02x} ");
            }
            None => s.push_str("   "),
        }
    }
    s.push_str(" |");
    s.extend(
        chunk
            .iter()
            .map(|&b| if is_printable(b) { char::from(b) } else { '.' }),
    );
    s.push('|');
    s
}

fn is_printable(b: u8) -> bool {
    (0x20..0x7f).contains(&b)
}

/// Column of byte `k` of a line in its hex part.
fn hex_col(k: usize) -> usize {
    10 + 3 * k + usize::from(k >= HEX_WIDTH / 2)
}

/// The style of every byte of hex dump line `i`, matches included.
fn hex_styles(
    raw: &[u8],
    i: usize,
    theme: &BodyTheme,
    matches: &[Range<usize>],
    current: Option<usize>,
) -> Vec<Style> {
    let start = i.saturating_mul(HEX_WIDTH);
    let end = start.saturating_add(HEX_WIDTH).min(raw.len());
    let chunk = raw.get(start..end).unwrap_or(&[]);
    let mut styles = vec![theme.text; HEX_ASCII_COL + HEX_WIDTH + 1];
    let mut set = |col: usize, style: Style, patch: bool| {
        if let Some(s) = styles.get_mut(col) {
            *s = if patch { s.patch(style) } else { style };
        }
    };
    for c in 0..8 {
        set(c, theme.hex_offset, false);
    }
    for (k, &b) in chunk.iter().enumerate() {
        let style = if is_printable(b) {
            theme.text
        } else {
            theme.hex_nonprint
        };
        for col in [hex_col(k), hex_col(k) + 1, HEX_ASCII_COL + k] {
            set(col, style, false);
        }
    }
    let first = matches.partition_point(|m| m.end <= start);
    for m in matches.get(first..).unwrap_or(&[]) {
        if m.start >= end {
            break;
        }
        let style = if current == Some(m.start) {
            theme.current_match
        } else {
            theme.search_match
        };
        for byte in m.start.max(start)..m.end.min(end) {
            let k = byte - start;
            for col in [hex_col(k), hex_col(k) + 1, HEX_ASCII_COL + k] {
                set(col, style, true);
            }
            // The space between two matched bytes belongs to the match.
            if byte + 1 < m.end.min(end) && k + 1 != HEX_WIDTH / 2 {
                set(hex_col(k) + 2, style, true);
            }
        }
    }
    styles
}

// ----- search -----

fn find_all_str(hay: &str, needle: &str) -> (Vec<Range<usize>>, bool) {
    let mut out = Vec::new();
    for (i, m) in hay.match_indices(needle) {
        if out.len() == MAX_MATCHES {
            return (out, true);
        }
        out.push(i..i + m.len());
    }
    (out, false)
}

fn find_all_bytes(hay: &[u8], needle: &[u8]) -> (Vec<Range<usize>>, bool) {
    let mut out = Vec::new();
    let Some(&first) = needle.first() else {
        return (out, false);
    };
    let mut i = 0;
    while let Some(p) = hay
        .get(i..)
        .and_then(|h| h.iter().position(|&b| b == first))
    {
        let s = i + p;
        if hay.get(s..).is_some_and(|h| h.starts_with(needle)) {
            if out.len() == MAX_MATCHES {
                return (out, true);
            }
            out.push(s..s + needle.len());
            i = s + needle.len();
        } else {
            i = s + 1;
        }
    }
    (out, false)
}

// ----- layout of one row -----

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

fn row_end(line: &str, from: usize, cols: usize) -> usize {
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
fn row_starts(line: &str, cols: usize, upto: usize) -> Vec<usize> {
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
fn width_upto(line: &str, mark: Mark, cap: usize) -> usize {
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
fn col_at(line: &str, mark: Mark, offset: usize) -> usize {
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

    fn style(&mut self, start: usize, end: usize) -> Style {
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

#[cfg(test)]
mod tests {
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
        let kind =
            |b: &'static [u8], ct: Option<&str>| BodyView::new(Bytes::from_static(b), ct).kind();
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
}

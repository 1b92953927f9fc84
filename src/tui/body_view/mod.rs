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

use std::fmt;
use std::ops::Range;
use std::path::{Path, PathBuf};

use bytes::Bytes;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier, Style};
use ratatui::widgets::StatefulWidget;

use crate::sanitize;

mod classify;
mod draw;
mod hex;
mod json;
mod long_lines;
mod positions;
mod search;
#[cfg(test)]
mod tests;

use classify::{analyse, analyse_prefix};
use hex::hex_line;
use json::Tok;
use long_lines::LineCache;

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
/// Bodies at least this large are first shown from their start (see
/// [`BodyView::preview`]) while the whole is laid out.
pub const PREVIEW_FROM: usize = 1024 * 1024;
/// How much of a large body its preview lays out: many screens' worth.
const PREVIEW_BYTES: usize = 256 * 1024;

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
    /// While only the start of the body is laid out (a preview): the
    /// size of the whole.
    partial_of: Option<usize>,
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
            partial_of: None,
        }
    }

    /// The start of a large body laid out as the whole will be, to show at
    /// once while [`BodyView::new`] checks and lays out the whole (a 14 MB
    /// answer takes tens of milliseconds). `shown` is what the start shows
    /// (secrets masked); `None` when the body is small or its start cannot
    /// tell how it will show (binary, another charset).
    pub fn preview(
        body: &Bytes,
        content_type: Option<&str>,
        mask: impl FnOnce(Bytes) -> Bytes,
    ) -> Option<Self> {
        if body.len() < PREVIEW_FROM {
            return None;
        }
        // Cut between characters, so that `mask` reads text.
        let mut end = PREVIEW_BYTES.min(body.len());
        while end > 0 && body.get(end).is_some_and(|b| b & 0xC0 == 0x80) {
            end -= 1;
        }
        let start = mask(body.slice(..end));
        let (kind, doc) = analyse_prefix(&start, content_type)?;
        let mut view = Self::new(Bytes::new(), content_type);
        view.line_count = match &doc {
            Doc::Text { starts, .. } => starts.len(),
            _ => 0,
        };
        view.kind = kind;
        view.doc = doc;
        view.raw = start;
        view.partial_of = Some(body.len());
        view.note = Some(format!(
            "the start of {}; laying out the rest…",
            crate::units::size_text(body.len() as u64)
        ));
        Some(view)
    }

    /// While this is a preview: the size of the whole body.
    pub fn partial_of(&self) -> Option<usize> {
        self.partial_of
    }

    /// Takes over where the reader was in `before` (the preview this view
    /// replaces): the top line, sideways scroll, wrapping, line numbers and
    /// the search, run again over the whole.
    pub fn continue_from(&mut self, before: &BodyView) {
        self.wrap = before.wrap;
        self.line_numbers = before.line_numbers;
        self.viewport = before.viewport;
        self.hscroll = before.hscroll;
        self.bottom = None;
        self.top = Pos {
            line: before.top.line.min(self.line_count.saturating_sub(1)),
            offset: before.top.offset,
        };
        let query = before.search.query.clone();
        self.set_search(&query);
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
        if let Some(size) = self.partial_of {
            return Err(SaveError {
                path: path.to_path_buf(),
                source: std::io::Error::other(format!(
                    "the {} answer is still being laid out: try again in a moment",
                    classify::human_size(size)
                )),
            });
        }
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

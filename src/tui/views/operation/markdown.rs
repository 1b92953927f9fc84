//! Descriptions as people read them: CommonMark (the dialect OpenAPI
//! names for `description`) rendered into styled lines — emphasis and
//! strong text, code in the accent colour, links as their text followed
//! by the URL, bullet and numbered lists, headings, quotes, code blocks
//! and rules. HTML that definitions mix in is made text first
//! ([`html_to_text`]). Every piece of text goes through
//! [`sanitize::clean_line`]: no control character reaches the screen.

use pulldown_cmark::{CodeBlockKind, Event, HeadingLevel, Options, Parser, Tag, TagEnd};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};

use super::html_to_text;
use crate::sanitize;
use crate::tui::config::Theme;

/// The description's lines, each starting with `indent`.
pub fn markdown_lines(text: &str, theme: &Theme, indent: &str) -> Vec<Line<'static>> {
    let text = html_to_text(text);
    let mut out = Writer {
        theme,
        indent: indent.to_string(),
        lines: Vec::new(),
        current: Vec::new(),
        styles: vec![Style::default()],
        lists: Vec::new(),
        quote: 0,
        link: None,
        code_block: false,
        pending_gap: false,
    };
    let options = Options::ENABLE_STRIKETHROUGH | Options::ENABLE_TABLES;
    for event in Parser::new_ext(&text, options) {
        out.event(event);
    }
    out.flush();
    while out.lines.last().is_some_and(|l| l.width() == 0) {
        out.lines.pop();
    }
    out.lines
}

/// The first line of a description as plain text, its markup gone (a
/// response's or a property's one-line summary).
pub fn first_line(text: &str) -> String {
    markdown_lines(text, &Theme::default(), "")
        .into_iter()
        .map(|line| {
            line.spans
                .iter()
                .map(|s| s.content.as_ref())
                .collect::<String>()
        })
        .find(|l| !l.trim().is_empty())
        .map(|l| l.trim().to_string())
        .unwrap_or_default()
}

struct Writer<'t> {
    theme: &'t Theme,
    indent: String,
    lines: Vec<Line<'static>>,
    current: Vec<Span<'static>>,
    /// Inline styles, innermost last.
    styles: Vec<Style>,
    /// Open lists: the next number of a numbered one, `None` for bullets.
    lists: Vec<Option<u64>>,
    quote: usize,
    /// The URL of the link being read and the text it had so far.
    link: Option<(String, String)>,
    code_block: bool,
    /// A blank line is owed before the next block.
    pending_gap: bool,
}

impl Writer<'_> {
    fn style(&self) -> Style {
        self.styles.last().copied().unwrap_or_default()
    }

    fn push_style(&mut self, f: impl FnOnce(Style) -> Style) {
        let next = f(self.style());
        self.styles.push(next);
    }

    /// Starts a line of a block: the indent, the quote bars, and the
    /// blank line owed since the previous block.
    fn open_line(&mut self) {
        if !self.current.is_empty() {
            return;
        }
        if self.pending_gap && !self.lines.is_empty() {
            self.lines.push(Line::default());
        }
        self.pending_gap = false;
        let mut prefix = self.indent.clone();
        prefix.push_str(&"│ ".repeat(self.quote));
        if !prefix.is_empty() {
            self.current.push(Span::styled(prefix, self.theme.muted()));
        }
    }

    fn text(&mut self, text: &str, style: Style) {
        self.open_line();
        if let Some((_, seen)) = &mut self.link {
            seen.push_str(text);
        }
        let clean = sanitize::clean_line(text).into_owned();
        self.current.push(Span::styled(clean, style));
    }

    fn flush(&mut self) {
        if !self.current.is_empty() {
            self.lines
                .push(Line::from(std::mem::take(&mut self.current)));
        }
    }

    fn end_block(&mut self) {
        self.flush();
        self.pending_gap = true;
    }

    fn event(&mut self, event: Event<'_>) {
        match event {
            Event::Start(tag) => self.start(tag),
            Event::End(tag) => self.end(tag),
            Event::Text(t) if self.code_block => {
                for line in t.lines() {
                    self.open_line();
                    self.text(&format!("    {line}"), self.theme.accent());
                    self.flush();
                }
            }
            Event::Text(t) => self.text(&t, self.style()),
            Event::Code(t) => self.text(&t, self.theme.accent()),
            // What `html_to_text` did not know stays as written.
            Event::Html(t) | Event::InlineHtml(t) => {
                for (i, line) in t.lines().enumerate() {
                    if i > 0 {
                        self.flush();
                    }
                    self.text(line, self.style());
                }
            }
            Event::SoftBreak => self.text(" ", self.style()),
            Event::HardBreak => self.flush(),
            Event::Rule => {
                self.flush();
                self.open_line();
                self.text("────────", self.theme.muted());
                self.end_block();
            }
            Event::TaskListMarker(done) => {
                self.text(if done { "[x] " } else { "[ ] " }, self.style());
            }
            Event::FootnoteReference(t) | Event::InlineMath(t) | Event::DisplayMath(t) => {
                self.text(&t, self.style());
            }
        }
    }

    fn start(&mut self, tag: Tag<'_>) {
        match tag {
            Tag::Paragraph => self.flush(),
            Tag::Heading { level, .. } => {
                self.flush();
                let style = if level <= HeadingLevel::H2 {
                    self.theme.title()
                } else {
                    Style::default().add_modifier(Modifier::BOLD)
                };
                self.styles.push(style);
            }
            Tag::BlockQuote(_) => {
                self.flush();
                self.quote += 1;
            }
            Tag::CodeBlock(kind) => {
                self.flush();
                self.code_block = true;
                if let CodeBlockKind::Fenced(lang) = kind
                    && !lang.is_empty()
                {
                    self.open_line();
                    self.text(&format!("    {lang}"), self.theme.muted());
                    self.flush();
                }
            }
            Tag::List(start) => {
                self.flush();
                // The gap before a list is owed once, not before each item.
                if self.lists.is_empty() && self.pending_gap && !self.lines.is_empty() {
                    self.lines.push(Line::default());
                }
                self.pending_gap = false;
                self.lists.push(start);
            }
            Tag::Item => {
                self.flush();
                self.pending_gap = false;
                let depth = self.lists.len().saturating_sub(1);
                let marker = match self.lists.last_mut() {
                    Some(Some(n)) => {
                        let marker = format!("{n}. ");
                        *n += 1;
                        marker
                    }
                    _ => "• ".to_string(),
                };
                self.open_line();
                let pad = "  ".repeat(depth);
                self.current
                    .push(Span::styled(format!("{pad}{marker}"), self.theme.muted()));
            }
            Tag::Emphasis => self.push_style(|s| s.add_modifier(Modifier::ITALIC)),
            Tag::Strong => self.push_style(|s| s.add_modifier(Modifier::BOLD)),
            Tag::Strikethrough => self.push_style(|s| s.add_modifier(Modifier::CROSSED_OUT)),
            Tag::Link { dest_url, .. } => {
                self.link = Some((dest_url.to_string(), String::new()));
                self.push_style(|s| s.add_modifier(Modifier::UNDERLINED));
            }
            Tag::Image { dest_url, .. } => {
                self.link = Some((dest_url.to_string(), String::new()));
                self.push_style(|s| s);
            }
            Tag::TableCell => self.text(" ", self.style()),
            Tag::Table(_) | Tag::TableHead | Tag::TableRow => self.flush(),
            _ => {}
        }
    }

    fn end(&mut self, tag: TagEnd) {
        match tag {
            TagEnd::Paragraph | TagEnd::Heading(_) => {
                if matches!(tag, TagEnd::Heading(_)) {
                    self.styles.pop();
                }
                if self.lists.is_empty() {
                    self.end_block();
                } else {
                    self.flush();
                }
            }
            TagEnd::BlockQuote(_) => {
                self.flush();
                self.quote = self.quote.saturating_sub(1);
                self.pending_gap = true;
            }
            TagEnd::CodeBlock => {
                self.code_block = false;
                self.end_block();
            }
            TagEnd::List(_) => {
                self.lists.pop();
                if self.lists.is_empty() {
                    self.end_block();
                }
            }
            TagEnd::Item => self.flush(),
            TagEnd::Emphasis | TagEnd::Strong | TagEnd::Strikethrough => {
                self.styles.pop();
            }
            TagEnd::Link | TagEnd::Image => {
                self.styles.pop();
                if let Some((url, seen)) = self.link.take()
                    && !url.is_empty()
                    && url != seen
                {
                    self.text(&format!(" ({url})"), self.theme.muted());
                }
            }
            TagEnd::TableCell => self.text(" │", self.theme.muted()),
            TagEnd::TableHead | TagEnd::TableRow => self.flush(),
            TagEnd::Table => self.end_block(),
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{first_line, markdown_lines};
    use crate::tui::config::Theme;
    use ratatui::style::Modifier;

    fn texts(markdown: &str) -> Vec<String> {
        markdown_lines(markdown, &Theme::default(), "")
            .iter()
            .map(|l| l.spans.iter().map(|s| s.content.as_ref()).collect())
            .collect()
    }

    #[test]
    fn links_lists_code_and_paragraphs_read_as_text() {
        // Uber's: a Markdown link after HTML line breaks.
        let uber = "The Price Estimates endpoint returns an estimated price range.<br><br>The response also includes the [ISO 4217](http://en.wikipedia.org/wiki/ISO_4217) currency code.";
        assert_eq!(
            texts(uber),
            [
                "The Price Estimates endpoint returns an estimated price range.",
                "",
                "The response also includes the ISO 4217 (http://en.wikipedia.org/wiki/ISO_4217) currency code."
            ]
        );
        let text = "Scores rows\nsynchronously, **fast**.\n\n- one\n- two `x`\n\n1. first\n2. second\n\n## Notes\n\n```json\n{\"a\": 1}\n```\n\n> quoted";
        assert_eq!(
            texts(text),
            [
                "Scores rows synchronously, fast.",
                "",
                "• one",
                "• two x",
                "",
                "1. first",
                "2. second",
                "",
                "Notes",
                "",
                "    json",
                "    {\"a\": 1}",
                "",
                "│ quoted",
            ]
        );
        // A link whose text is its URL is not written twice.
        assert_eq!(texts("<https://x.test>"), ["https://x.test"]);
    }

    #[test]
    fn emphasis_is_styled_and_control_characters_never_pass() {
        let lines = markdown_lines("plain *it* **bold** `code`", &Theme::default(), "  ");
        let spans = &lines[0].spans;
        assert_eq!(spans[0].content, "  ");
        let styled = |text: &str| spans.iter().find(|s| s.content == text).map(|s| s.style);
        assert!(styled("it").is_some_and(|s| s.add_modifier.contains(Modifier::ITALIC)));
        assert!(styled("bold").is_some_and(|s| s.add_modifier.contains(Modifier::BOLD)));
        assert!(styled("code").is_some());
        let hostile = texts("a\u{1b}[31mred\u{7} *b\u{0}*");
        assert!(
            hostile.iter().all(|l| !l.chars().any(char::is_control)),
            "{hostile:?}"
        );
        assert_eq!(
            first_line("**Created**: the `issue`.\n\nMore."),
            "Created: the issue."
        );
    }
}

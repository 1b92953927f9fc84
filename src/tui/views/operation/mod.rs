//! The operation pane: what the definition says about one operation
//! (summary, description, parameters, body, responses, their schemas as
//! folding trees from `schemas`), wrapped and scrollable, and its
//! scrolling and folding keys; and, before any operation is open, a short
//! welcome.

mod markdown;
mod schemas;

pub use markdown::{first_line, markdown_lines};
pub use schemas::SchemaDocs;
use schemas::{NodeId, Slot};

use std::borrow::Cow;

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Wrap};

use crate::catalog::schema_tree::SchemaNode;
use crate::catalog::{Api, Catalog, Operation};
use crate::sanitize;
use crate::tui::app::{Focus, Reaction};
use crate::tui::config::Theme;
use crate::tui::keymap::Action;
use crate::tui::views::request::json_text;

/// What an action does while the operation pane has the focus; `scroll`
/// and `schemas` are the open operation's.
pub fn on_action(scroll: &mut u16, schemas: &mut SchemaDocs, action: Action) -> Reaction {
    match action {
        Action::FoldSchemas => {
            if !schemas.unfolded && !schemas.has_folds() {
                return Reaction::notice("Nothing folded: every level is shown", false);
            }
            schemas.toggle_all();
        }
        Action::SearchNext | Action::SearchPrev => {
            let forward = action == Action::SearchNext;
            if !schemas.select_next(forward, usize::from(*scroll)) {
                return Reaction::notice("No schema node to fold here", false);
            }
        }
        Action::Left if schemas.has_cursor() => {
            schemas.fold_selected(Some(false));
        }
        Action::Right if schemas.has_cursor() => {
            schemas.fold_selected(Some(true));
        }
        Action::ToggleRow if schemas.has_cursor() => {
            schemas.fold_selected(None);
        }
        Action::Up => *scroll = scroll.saturating_sub(1),
        Action::Down => *scroll = scroll.saturating_add(1),
        Action::PageUp => *scroll = scroll.saturating_sub(10),
        Action::PageDown => *scroll = scroll.saturating_add(10),
        Action::Top => *scroll = 0,
        Action::Bottom => *scroll = u16::MAX,
        Action::Select => return Reaction::Focus(Focus::Request),
        _ => {}
    }
    Reaction::None
}

/// The pane's lines; the schema trees are `schemas`', built before. With
/// them, the line each foldable schema node is on.
pub fn doc_lines(
    api: &Api,
    op: &Operation,
    theme: &Theme,
    schemas: &SchemaDocs,
) -> (Vec<Line<'static>>, Vec<(usize, NodeId)>) {
    let mut lines = Vec::new();
    let mut nodes = Vec::new();
    let mut tree = |lines: &mut Vec<Line<'static>>, tree: &SchemaNode, slot, indent| {
        for (line, id) in schemas::tree_lines(tree, slot, indent, schemas, theme) {
            if let Some(id) = id {
                nodes.push((lines.len(), id));
            }
            lines.push(line);
        }
    };
    lines.push(Line::from(vec![
        Span::styled(format!("{} ", op.method), theme.method(&op.method)),
        Span::styled(op.path.clone(), theme.title()),
    ]));
    let mut meta = vec![Span::styled(api.title.clone(), theme.muted())];
    if let Some(id) = &op.operation_id {
        meta.push(Span::styled(format!(" · {id}"), theme.muted()));
    }
    if !op.tags.is_empty() {
        meta.push(Span::styled(
            format!(" · {}", op.tags.join(", ")),
            theme.muted(),
        ));
    }
    lines.push(Line::from(meta));
    if op.deprecated {
        lines.push(Line::styled(
            "⚠ deprecated: this operation may go away",
            theme.warning(),
        ));
    }
    if let Some(summary) = op.summary.as_ref().filter(|s| !s.trim().is_empty()) {
        lines.push(Line::default());
        lines.push(Line::styled(summary.clone(), theme.title()));
    }
    if let Some(desc) = op.description.as_ref().filter(|s| !s.trim().is_empty()) {
        lines.push(Line::default());
        lines.extend(markdown_lines(desc, theme, ""));
    }
    if !op.parameters.is_empty() {
        lines.push(Line::default());
        lines.push(Line::styled("Parameters", theme.accent()));
        for (pi, p) in op.parameters.iter().enumerate() {
            let mut spans = vec![
                Span::styled(format!("  {}", p.name), theme.title()),
                Span::styled(format!(" ({}", p.location.as_str()), theme.muted()),
            ];
            if let Some(t) = &p.schema.type_name {
                spans.push(Span::styled(format!(", {t}"), theme.muted()));
            }
            spans.push(Span::styled(")", theme.muted()));
            if p.required {
                spans.push(Span::styled(" required", theme.warning()));
            }
            if p.deprecated {
                spans.push(Span::styled(" deprecated", theme.warning()));
            }
            if let Some(d) = &p.schema.default {
                spans.push(Span::styled(
                    format!(" default {}", json_text(d)),
                    theme.muted(),
                ));
            }
            if !p.schema.enum_values.is_empty() {
                let values: Vec<String> = p.schema.enum_values.iter().map(json_text).collect();
                spans.push(Span::styled(
                    format!(" one of {}", values.join(" | ")),
                    theme.muted(),
                ));
            }
            lines.push(Line::from(spans));
            if let Some(d) = p.description.as_ref().filter(|d| !d.trim().is_empty()) {
                lines.extend(markdown_lines(d, theme, "      "));
            }
            if let Some(t) = schemas.parameter(pi) {
                tree(&mut lines, t, Slot::Parameter(pi), 6);
            }
        }
    }
    if let Some(body) = &op.request_body {
        lines.push(Line::default());
        let mut head = vec![Span::styled("Request body", theme.accent())];
        if body.required {
            head.push(Span::styled(" required", theme.warning()));
        }
        lines.push(Line::from(head));
        if let Some(d) = &body.description {
            lines.extend(markdown_lines(d, theme, "  "));
        }
        for (i, m) in body.content.iter().enumerate() {
            let mut text = format!("  {}", m.content_type);
            if !m.examples.is_empty() {
                let names: Vec<&str> = m.examples.iter().map(|e| e.name.as_str()).collect();
                text.push_str(&format!("  examples: {}", names.join(", ")));
            }
            lines.push(Line::raw(text));
            if let Some(t) = schemas.body(i) {
                tree(&mut lines, t, Slot::Body(i), 4);
            }
        }
    }
    if !op.responses.is_empty() {
        lines.push(Line::default());
        lines.push(Line::styled("Responses", theme.accent()));
        for (ri, r) in op.responses.iter().enumerate() {
            let code: u16 = r
                .status
                .chars()
                .next()
                .and_then(|c| c.to_digit(10))
                .map_or(0, |d| u16::try_from(d * 100).unwrap_or(0));
            let mut spans = vec![
                Span::raw("  "),
                Span::styled(format!("{:<7}", r.status), theme.status(code)),
                Span::raw(first_line(r.description.as_deref().unwrap_or_default())),
            ];
            // With a schema, each media type gets a heading of its own.
            let with_schemas = (0..r.content.len()).any(|i| schemas.response(ri, i).is_some());
            if !r.content.is_empty() && !with_schemas {
                spans.push(Span::styled(
                    format!("  {}", r.content_types().join(", ")),
                    theme.muted(),
                ));
            }
            lines.push(Line::from(spans));
            if !with_schemas {
                continue;
            }
            for (i, m) in r.content.iter().enumerate() {
                lines.push(Line::styled(
                    format!("    {}", m.content_type),
                    theme.muted(),
                ));
                if let Some(t) = schemas.response(ri, i) {
                    tree(&mut lines, t, Slot::Response(ri, i), 6);
                }
            }
        }
    }
    (lines.into_iter().map(super::clean).collect(), nodes)
}

/// Tags [`html_to_text`] knows; any other `<word>` (GitHub's `<branch
/// name>`, a generic `List<T>`) is text and stays as written.
const INLINE_TAGS: &[&str] = &[
    "a", "abbr", "b", "big", "cite", "code", "del", "em", "font", "i", "ins", "kbd", "mark", "q",
    "s", "samp", "small", "span", "strike", "strong", "sub", "sup", "tt", "u", "var",
];
const BLOCK_TAGS: &[&str] = &[
    "article",
    "blockquote",
    "dd",
    "div",
    "dl",
    "dt",
    "footer",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "header",
    "ol",
    "p",
    "pre",
    "section",
    "table",
    "tbody",
    "thead",
    "tr",
    "ul",
];

/// The HTML that definitions put in descriptions (`<br/>`, `<p>`, `<a
/// href="u">text</a>`, `<b>`, `<code>`, `&amp;`), as plain text: line
/// breaks for `br`, paragraphs for `p` and other blocks, `- ` items for
/// `li`, links as `text (url)`, other known tags dropped, entities
/// decoded. Text without any of that, Markdown included, comes back
/// unchanged (borrowed), and so does Markdown code between backticks.
pub fn html_to_text(text: &str) -> Cow<'_, str> {
    if !text.contains(['<', '&']) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    let mut changed = false;
    // The href of the `<a>` being read, and where its text starts in `out`.
    let mut link: Option<(String, usize)> = None;
    // After a break the source's own spaces and newlines are layout only.
    let mut after_break = false;
    let mut rest = text;
    while let Some(c) = rest.chars().next() {
        if after_break && c.is_whitespace() {
            rest = &rest[c.len_utf8()..];
            continue;
        }
        after_break = false;
        if c == '`'
            && let Some(end) = rest[1..].find('`')
        {
            out.push_str(&rest[..end + 2]);
            rest = &rest[end + 2..];
            continue;
        }
        if c == '&'
            && let Some((decoded, len)) = entity(rest)
        {
            out.push(decoded);
            rest = &rest[len..];
            changed = true;
            continue;
        }
        if c == '<'
            && let Some(tag) = Tag::parse(rest)
        {
            rest = &rest[tag.len..];
            changed = true;
            match (tag.name.as_str(), tag.closing) {
                ("br" | "hr", _) => {
                    trim_end_spaces(&mut out);
                    if !out.is_empty() && !out.ends_with("\n\n") {
                        out.push('\n');
                    }
                    after_break = true;
                }
                ("li", false) => {
                    line_breaks(&mut out, 1);
                    out.push_str("- ");
                    after_break = true;
                }
                ("li", true) => {
                    line_breaks(&mut out, 1);
                    after_break = true;
                }
                ("td" | "th", false) if !out.is_empty() && !out.ends_with(['\n', ' ']) => {
                    out.push(' ');
                }
                ("a", false) => link = tag.href.map(|href| (href, out.len())),
                ("a", true) => {
                    if let Some((href, start)) = link.take() {
                        let shown = out.get(start..).unwrap_or_default().trim();
                        if shown.is_empty() {
                            out.push_str(&href);
                        } else if shown != href {
                            out.push_str(&format!(" ({href})"));
                        }
                    }
                }
                (name, _) if BLOCK_TAGS.contains(&name) => {
                    line_breaks(&mut out, 2);
                    after_break = true;
                }
                _ => {}
            }
            continue;
        }
        out.push(c);
        rest = &rest[c.len_utf8()..];
    }
    if !changed {
        return Cow::Borrowed(text);
    }
    trim_end_spaces(&mut out);
    while out.ends_with('\n') {
        out.pop();
        trim_end_spaces(&mut out);
    }
    Cow::Owned(out)
}

fn trim_end_spaces(out: &mut String) {
    let kept = out.trim_end_matches([' ', '\t']).len();
    out.truncate(kept);
}

/// Ends the text so far with `n` line breaks (one: a new line, two: a
/// blank line), never more, and none at the very start.
fn line_breaks(out: &mut String, n: usize) {
    trim_end_spaces(out);
    if out.is_empty() {
        return;
    }
    let have = out.len() - out.trim_end_matches('\n').len();
    for _ in have..n {
        out.push('\n');
    }
}

/// An HTML tag at the start of `text`: `<name attrs>`, `</name>` or
/// `<name/>`, if `name` is one of the known tags.
struct Tag {
    name: String,
    closing: bool,
    href: Option<String>,
    /// Bytes of `text` the tag takes.
    len: usize,
}

impl Tag {
    fn parse(text: &str) -> Option<Self> {
        let body = text.strip_prefix('<')?;
        let (closing, body) = match body.strip_prefix('/') {
            Some(b) => (true, b),
            None => (false, body),
        };
        let name_len = body
            .find(|c: char| !c.is_ascii_alphanumeric())
            .unwrap_or(body.len());
        let name = body[..name_len].to_ascii_lowercase();
        let known = matches!(name.as_str(), "br" | "hr" | "li" | "td" | "th")
            || INLINE_TAGS.contains(&name.as_str())
            || BLOCK_TAGS.contains(&name.as_str());
        if !known {
            return None;
        }
        // Attributes up to `>`, quotes respected; a tag stays on one line.
        let attrs_start = name_len;
        let mut quote = None;
        let mut end = None;
        for (i, c) in body[attrs_start..].char_indices() {
            match (quote, c) {
                (Some(q), c) if c == q => quote = None,
                (Some(_), _) => {}
                (None, '"' | '\'') => quote = Some(c),
                (None, '>') => {
                    end = Some(attrs_start + i);
                    break;
                }
                (None, '<' | '\n') => return None,
                (None, _) => {}
            }
        }
        let end = end?;
        let attrs = &body[attrs_start..end];
        // `<b>` but not `<bogus>`: the name ends at a space, `/` or `>`.
        if !attrs.is_empty() && !attrs.starts_with([' ', '\t', '/']) {
            return None;
        }
        let href = (name == "a").then(|| attribute(attrs, "href")).flatten();
        Some(Self {
            name,
            closing,
            href,
            len: 1 + usize::from(closing) + end + 1,
        })
    }
}

/// The value of `name="v"`, `name='v'` or `name=v` among a tag's
/// attributes, entities decoded.
fn attribute(attrs: &str, name: &str) -> Option<String> {
    let lower = attrs.to_ascii_lowercase();
    let mut from = 0;
    while let Some(at) = lower[from..].find(name).map(|i| i + from) {
        from = at + name.len();
        let before_ok = at == 0 || lower[..at].ends_with([' ', '\t']);
        let after = lower[from..].trim_start();
        if !before_ok || !after.starts_with('=') {
            continue;
        }
        let value = attrs[attrs.len() - after.len() + 1..].trim_start();
        let raw = match value.chars().next() {
            Some(q @ ('"' | '\'')) => value[1..].split(q).next().unwrap_or_default(),
            _ => value.split([' ', '\t', '/']).next().unwrap_or_default(),
        };
        return Some(html_to_text(raw).into_owned());
    }
    None
}

/// The character of an entity at the start of `text` (`&amp;`, `&#39;`,
/// `&#x27;`) and the bytes it takes; `None` for anything else, which
/// stays as written.
fn entity(text: &str) -> Option<(char, usize)> {
    let end = text.bytes().take(12).position(|b| b == b';')?;
    let name = &text[1..end];
    let c = match name {
        "amp" => '&',
        "lt" => '<',
        "gt" => '>',
        "quot" => '"',
        "apos" => '\'',
        "nbsp" => ' ',
        "copy" => '©',
        "reg" => '®',
        "trade" => '™',
        "ndash" => '–',
        "mdash" => '—',
        "hellip" => '…',
        "lsquo" => '‘',
        "rsquo" => '’',
        "ldquo" => '“',
        "rdquo" => '”',
        _ => {
            let num = name.strip_prefix('#')?;
            let code = match num.strip_prefix(['x', 'X']) {
                Some(hex) => u32::from_str_radix(hex, 16).ok()?,
                None => num.parse().ok()?,
            };
            char::from_u32(code)?
        }
    };
    Some((c, end + 1))
}

/// The pane with its schemas built for this one drawing (the app keeps
/// them per operation: [`render_with`]).
pub fn render(
    frame: &mut Frame,
    area: Rect,
    api: &Api,
    op: &Operation,
    theme: &Theme,
    focused: bool,
    scroll: &mut u16,
) {
    let mut schemas = SchemaDocs::default();
    render_with(frame, area, (api, op), theme, focused, scroll, &mut schemas);
}

/// The pane; `schemas` are built on the first drawing and kept.
pub fn render_with(
    frame: &mut Frame,
    area: Rect,
    (api, op): (&Api, &Operation),
    theme: &Theme,
    focused: bool,
    scroll: &mut u16,
    schemas: &mut SchemaDocs,
) {
    schemas.ensure(api, op);
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.border(focused))
        .title(Span::styled(
            format!(" {} ", sanitize::clean_line(&op.title())),
            theme.title(),
        ));
    let (lines, nodes) = doc_lines(api, op, theme, schemas);
    let inner = block.inner(area);
    // Clamp so that scrolling stops at the end instead of into emptiness
    // (an estimate: word wrapping may add a line here and there).
    let width = usize::from(inner.width.max(1));
    let mut starts = Vec::with_capacity(lines.len());
    let mut total = 0usize;
    for line in &lines {
        starts.push(total);
        total += line.width().div_ceil(width).max(1);
    }
    let rows = nodes.into_iter().map(|(i, id)| (starts[i], id)).collect();
    schemas.drawn(rows, scroll, inner.height);
    let total = u16::try_from(total).unwrap_or(u16::MAX);
    let paragraph = Paragraph::new(lines).wrap(Wrap { trim: false });
    *scroll = (*scroll).min(total.saturating_sub(inner.height));
    frame.render_widget(paragraph.block(block).scroll((*scroll, 0)), area);
}

/// `server_override` is `--server`: the base URL every request goes to,
/// shown instead of the definitions' own servers so the overview tells
/// where requests really go.
pub fn render_welcome(
    frame: &mut Frame,
    area: Rect,
    catalog: &Catalog,
    server_override: Option<&str>,
    theme: &Theme,
    focused: bool,
) {
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.border(focused))
        .title(Span::styled(" portico ", theme.title()));
    let mut lines = vec![
        Line::styled(
            "Pick an operation on the left and press Enter.",
            theme.title(),
        ),
        Line::default(),
        Line::raw(
            "/ filters the catalog · F5 or Ctrl+R sends · Tab moves between panes · ? shows every key",
        ),
        Line::default(),
    ];
    for api in &catalog.apis {
        lines.push(Line::from(vec![
            Span::styled(api.title.clone(), theme.accent()),
            Span::styled(
                format!(
                    "  {} · {} operation{}",
                    api.version,
                    api.operations.len(),
                    if api.operations.len() == 1 { "" } else { "s" }
                ),
                theme.muted(),
            ),
        ]));
        if let Some(d) = api
            .description
            .as_deref()
            .map(first_line)
            .filter(|l| !l.is_empty())
        {
            lines.push(Line::raw(format!("  {d}")));
        }
        if let Some(url) = server_override.or(api.servers.first().map(|s| s.url.as_str())) {
            lines.push(Line::styled(format!("  {url}"), theme.muted()));
        }
        if api.skip_tls_verify {
            lines.push(Line::styled(
                "  ⚠ TLS certificates are not verified for this API",
                theme.error(),
            ));
        }
    }
    if !catalog.warnings.is_empty() {
        lines.push(Line::default());
        lines.push(Line::styled(
            format!(
                "⚠ {} warnings while loading (W shows them)",
                catalog.warnings.len()
            ),
            theme.warning(),
        ));
    }
    let lines: Vec<Line> = lines.into_iter().map(super::clean).collect();
    frame.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .block(block)
            .style(Style::new().remove_modifier(Modifier::empty())),
        area,
    );
}

#[cfg(test)]
mod tests {
    use super::html_to_text;
    use std::borrow::Cow;

    #[test]
    fn html_reads_as_text() {
        // httpbin's API description (flasgger).
        let httpbin = "A simple HTTP Request & Response Service.<br/> A <a href='http://kennethreitz.com/'>Kenneth Reitz</a> project.<br/> <br/> <b>Run locally: </b> <br/> <code>$ docker pull ghcr.io/psf/httpbin</code> <br/><code>$ docker run -p 80:8080 ghcr.io/psf/httpbin</code>";
        assert_eq!(
            html_to_text(httpbin),
            "A simple HTTP Request & Response Service.\n\
             A Kenneth Reitz (http://kennethreitz.com/) project.\n\
             \n\
             Run locally:\n\
             $ docker pull ghcr.io/psf/httpbin\n\
             $ docker run -p 80:8080 ghcr.io/psf/httpbin"
        );
        assert_eq!(
            html_to_text(
                "<p>Lists:</p><ul><li>one &amp; <i>two</i></li>\n<li>&lt;three&gt; &#39;3&#x27;</li></ul><p>See <a href=\"https://x.test/a?b=1&amp;c=2\">the docs</a>.</p>"
            ),
            "Lists:\n\n- one & two\n- <three> '3'\n\nSee the docs (https://x.test/a?b=1&c=2)."
        );
        assert_eq!(
            html_to_text("<a href=\"https://x.test\">https://x.test</a>"),
            "https://x.test"
        );
    }

    #[test]
    fn markdown_and_other_angle_brackets_stay() {
        // GitHub's: placeholders in angle brackets, in and out of code.
        for text in [
            "The full Git reference, formatted as `refs/heads/<branch name>`.",
            "formatted either as `refs/heads/<branch name>` or simply <branch name>. To reference a pull request use `refs/pull/<number>/merge`.",
            "Returns a `List<T>` where a < b && c > d; **bold** and [a link](https://x.test).",
            "An unknown entity &bogus; and &amp without its end stay; a `<b>` in code too.",
            "an unclosed <b tag and a lone ` backtick",
        ] {
            assert!(
                matches!(html_to_text(text), Cow::Borrowed(t) if t == text),
                "{text}"
            );
        }
        assert_eq!(
            html_to_text("keep `<br/>` here<br/>but break there"),
            "keep `<br/>` here\nbut break there"
        );
        // An entity cut at a multi-byte character is text.
        assert_eq!(html_to_text("&ééééééé;"), "&ééééééé;");
    }
}

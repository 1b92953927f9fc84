//! The operation pane: what the definition says about one operation
//! (summary, description, parameters, body, responses), wrapped and
//! scrollable; and, before any operation is open, a short welcome.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Wrap};

use crate::catalog::{Api, Catalog, Operation};
use crate::tui::config::Theme;
use crate::tui::sanitize;
use crate::tui::views::request::json_text;

pub fn doc_lines(api: &Api, op: &Operation, theme: &Theme) -> Vec<Line<'static>> {
    let mut lines = Vec::new();
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
        for l in reflow(desc) {
            lines.push(Line::raw(l));
        }
    }
    if !op.parameters.is_empty() {
        lines.push(Line::default());
        lines.push(Line::styled("Parameters", theme.accent()));
        for p in &op.parameters {
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
                for l in d.lines() {
                    lines.push(Line::raw(format!("      {l}")));
                }
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
        for m in &body.content {
            let mut text = format!("  {}", m.content_type);
            if !m.examples.is_empty() {
                let names: Vec<&str> = m.examples.iter().map(|e| e.name.as_str()).collect();
                text.push_str(&format!("  examples: {}", names.join(", ")));
            }
            lines.push(Line::raw(text));
        }
        if let Some(d) = &body.description {
            for l in d.lines() {
                lines.push(Line::raw(format!("  {l}")));
            }
        }
    }
    if !op.responses.is_empty() {
        lines.push(Line::default());
        lines.push(Line::styled("Responses", theme.accent()));
        for r in &op.responses {
            let code: u16 = r
                .status
                .chars()
                .next()
                .and_then(|c| c.to_digit(10))
                .map_or(0, |d| u16::try_from(d * 100).unwrap_or(0));
            let mut spans = vec![
                Span::raw("  "),
                Span::styled(format!("{:<7}", r.status), theme.status(code)),
                Span::raw(
                    r.description
                        .clone()
                        .unwrap_or_default()
                        .lines()
                        .next()
                        .unwrap_or("")
                        .to_string(),
                ),
            ];
            if !r.content_types.is_empty() {
                spans.push(Span::styled(
                    format!("  {}", r.content_types.join(", ")),
                    theme.muted(),
                ));
            }
            lines.push(Line::from(spans));
        }
    }
    lines.into_iter().map(super::clean).collect()
}

/// Joins hard-wrapped lines into paragraphs so that the pane wraps them
/// at its own width; blank lines, list items, indented and table lines
/// keep their breaks.
pub fn reflow(text: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut joinable = false;
    for line in text.lines() {
        let trimmed = line.trim_end();
        let numbered = trimmed
            .split_once(". ")
            .is_some_and(|(n, _)| !n.is_empty() && n.chars().all(|c| c.is_ascii_digit()));
        let starts_block = trimmed.is_empty()
            || line.starts_with([' ', '\t', '|', '#', '>'])
            || trimmed.starts_with("- ")
            || trimmed.starts_with("* ")
            || trimmed.starts_with("```")
            || numbered;
        match out.last_mut() {
            Some(last) if joinable && !starts_block => {
                last.push(' ');
                last.push_str(trimmed);
            }
            _ => out.push(trimmed.to_string()),
        }
        joinable = !trimmed.is_empty()
            && !trimmed.starts_with("```")
            && !line.starts_with([' ', '\t', '|']);
    }
    out
}

pub fn render(
    frame: &mut Frame,
    area: Rect,
    api: &Api,
    op: &Operation,
    theme: &Theme,
    focused: bool,
    scroll: &mut u16,
) {
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.border(focused))
        .title(Span::styled(
            format!(" {} ", sanitize::clean_line(&op.title())),
            theme.title(),
        ));
    let lines = doc_lines(api, op, theme);
    let inner = block.inner(area);
    // Clamp so that scrolling stops at the end instead of into emptiness
    // (an estimate: word wrapping may add a line here and there).
    let width = usize::from(inner.width.max(1));
    let total: usize = lines.iter().map(|l| l.width().div_ceil(width).max(1)).sum();
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
                format!("  {} · {} operations", api.version, api.operations.len()),
                theme.muted(),
            ),
        ]));
        if let Some(d) = api
            .description
            .as_ref()
            .and_then(|d| d.lines().find(|l| !l.trim().is_empty()))
        {
            lines.push(Line::raw(format!("  {d}")));
        }
        if let Some(url) = server_override.or(api.servers.first().map(|s| s.url.as_str())) {
            lines.push(Line::styled(format!("  {url}"), theme.muted()));
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
    use super::reflow;

    #[test]
    fn reflow_joins_paragraphs_and_keeps_lists() {
        let text = "Scores rows\nsynchronously.\n\n- one\n- two\n  indented\nlast\nline";
        assert_eq!(
            reflow(text),
            vec![
                "Scores rows synchronously.",
                "",
                "- one",
                "- two",
                "  indented",
                "last line"
            ]
        );
    }
}

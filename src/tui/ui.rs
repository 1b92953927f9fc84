//! Drawing the whole screen from [`State`]: the layout for the terminal's
//! size, the header and footer, and the overlays (help, curl, choosers).
//!
//! Widths decide the layout: three columns when there is room, stacked
//! panes below 140 columns, and below 100 columns the catalog shows only
//! while it has the focus, so 80x24 stays usable.

use std::time::Instant;

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Position, Rect};
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Wrap};
use unicode_width::UnicodeWidthStr;

use super::app::{Areas, Focus, Overlay, State};
use super::keymap::Action;
use super::views::catalog::RowMarks;
use super::views::request::{ReqTab, RequestView};
use super::views::response::{RequestState, ResponsePane};
use super::views::{centered, operation, wrap_words};

pub fn render(frame: &mut Frame, state: &mut State) {
    let area = frame.area();
    if area.width < 24 || area.height < 6 {
        frame.render_widget(
            Paragraph::new("portico: the terminal is too small").wrap(Wrap { trim: true }),
            area,
        );
        state.areas = Areas::default();
        return;
    }
    let [header, main, footer] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Min(0),
        Constraint::Length(1),
    ])
    .areas(area);
    let notice_fits = render_header(frame, header, state);
    let areas = layout(main, state.focus, state.open.is_some());
    state.areas = areas;
    let theme = state.config.theme.clone();
    if let Some(a) = areas.catalog {
        state.catalog_pane.render(
            frame,
            a,
            &state.catalog,
            &theme,
            state.focus == Focus::Catalog,
            &RowMarks {
                open: state.open,
                edited: &state.edited,
            },
        );
    }
    let open = state.open;
    match open {
        None => {
            if let Some(a) = areas.docs {
                operation::render_welcome(
                    frame,
                    a,
                    &state.catalog,
                    state.server_override.as_deref(),
                    &theme,
                    state.focus == Focus::Operation,
                );
            }
        }
        Some(op) => {
            let (api, operation) = state.catalog.operation(op);
            if let Some(s) = state.ops.get_mut(&op) {
                if let Some(a) = areas.docs {
                    operation::render_with(
                        frame,
                        a,
                        (api, operation),
                        &theme,
                        state.focus == Focus::Operation,
                        &mut s.doc_scroll,
                        &mut s.schemas,
                    );
                }
                if let Some(a) = areas.request {
                    let server_label = match &s.editor.draft.server_url {
                        Some(url) => url.clone(),
                        None => api.servers.get(s.editor.draft.server).map_or_else(
                            || "(none: use --server URL)".to_string(),
                            |sv| sv.url.clone(),
                        ),
                    };
                    let view = RequestView {
                        api,
                        op: operation,
                        theme: &theme,
                        focused: state.focus == Focus::Request,
                        reveal: state.reveal,
                        server_label,
                        env: state.env_name.as_deref(),
                        tokens: &state.tokens,
                        vars: &state.vars,
                        shared_auth: state.shared_auth.get(&api.id).map_or(&[], Vec::as_slice),
                    };
                    view.render(frame, a, &mut s.editor);
                }
                if let Some(a) = areas.response {
                    let pane = ResponsePane {
                        theme: &theme,
                        body_theme: &state.body_theme,
                        focused: state.focus == Focus::Response,
                        now: Instant::now(),
                        reveal: state.reveal,
                    };
                    pane.render(frame, a, &mut s.request);
                }
            }
        }
    }
    render_footer(frame, footer, state);
    if !notice_fits && let Some(notice) = &state.notice {
        render_long_notice(frame, main, notice, &theme);
    }
    render_overlay(frame, main, state);
}

/// A notice too long for the header: wrapped at word boundaries in a box
/// at the bottom of the screen, until the next key clears it.
fn render_long_notice(
    frame: &mut Frame,
    area: Rect,
    notice: &super::app::Notice,
    theme: &super::config::Theme,
) {
    const MAX_ROWS: usize = 6;
    let width = usize::from(area.width.saturating_sub(2)).max(1);
    let mut rows = wrap_words(&notice.text, width);
    if rows.len() > MAX_ROWS {
        rows.truncate(MAX_ROWS);
        if let Some(last) = rows.last_mut() {
            // Cut with a mark: the rest is in the warnings or the log.
            while last.width() + 1 > width && last.pop().is_some() {}
            last.push('…');
        }
    }
    let height = u16::try_from(rows.len() + 2)
        .unwrap_or(u16::MAX)
        .min(area.height);
    let r = Rect::new(
        area.x,
        area.bottom().saturating_sub(height),
        area.width,
        height,
    );
    let style = if notice.error {
        theme.error()
    } else {
        theme.success()
    };
    frame.render_widget(Clear, r);
    frame.render_widget(
        Paragraph::new(
            rows.into_iter()
                .map(|row| Line::styled(row, style))
                .collect::<Vec<_>>(),
        )
        .block(Block::default().borders(Borders::ALL).border_style(style)),
        r,
    );
}

/// Where each pane goes for this size and focus.
pub fn layout(area: Rect, focus: Focus, open: bool) -> Areas {
    let w = area.width;
    let h = area.height;
    if !open {
        if w < 60 {
            return if focus == Focus::Catalog {
                Areas {
                    catalog: Some(area),
                    ..Areas::default()
                }
            } else {
                Areas {
                    docs: Some(area),
                    ..Areas::default()
                }
            };
        }
        let cw = (w * 2 / 5).clamp(30, 60);
        let [c, d] = Layout::horizontal([Constraint::Length(cw), Constraint::Min(0)]).areas(area);
        return Areas {
            catalog: Some(c),
            docs: Some(d),
            ..Areas::default()
        };
    }
    if w >= 140 {
        let cw = (w * 22 / 100).clamp(28, 44);
        let [c, middle, right] = Layout::horizontal([
            Constraint::Length(cw),
            Constraint::Percentage(50),
            Constraint::Percentage(50),
        ])
        .areas(area);
        let [d, r] = Layout::vertical([Constraint::Percentage(35), Constraint::Percentage(65)])
            .areas(middle);
        return Areas {
            catalog: Some(c),
            docs: Some(d),
            request: Some(r),
            response: Some(right),
        };
    }
    let (catalog, rest) = if w >= 100 {
        let cw = (w / 4).clamp(24, 34);
        let [c, rest] =
            Layout::horizontal([Constraint::Length(cw), Constraint::Min(0)]).areas(area);
        (Some(c), rest)
    } else if focus == Focus::Catalog {
        // Narrow: the catalog and the operation's docs side by side.
        let cw = (w * 45 / 100).max(24);
        let [c, d] = Layout::horizontal([Constraint::Length(cw), Constraint::Min(0)]).areas(area);
        return Areas {
            catalog: Some(c),
            docs: Some(d),
            ..Areas::default()
        };
    } else {
        (None, area)
    };
    if h >= 36 {
        let [d, r, s] = Layout::vertical([
            Constraint::Percentage(25),
            Constraint::Percentage(40),
            Constraint::Percentage(35),
        ])
        .areas(rest);
        return Areas {
            catalog,
            docs: Some(d),
            request: Some(r),
            response: Some(s),
        };
    }
    // Short: the docs take the request's place while they have the focus.
    let top_share = if focus == Focus::Response { 40 } else { 55 };
    let [top, bottom] = Layout::vertical([
        Constraint::Percentage(top_share),
        Constraint::Percentage(100 - top_share),
    ])
    .areas(rest);
    let (docs, request) = if focus == Focus::Operation {
        (Some(top), None)
    } else {
        (None, Some(top))
    };
    Areas {
        catalog,
        docs,
        request,
        response: Some(bottom),
    }
}

/// The header line; false when the notice does not fit in it (the caller
/// shows it wrapped instead).
fn render_header(frame: &mut Frame, area: Rect, state: &State) -> bool {
    let theme = &state.config.theme;
    let ops: usize = state.catalog.apis.iter().map(|a| a.operations.len()).sum();
    let mut spans = vec![
        Span::styled(" portico ", theme.accent().add_modifier(Modifier::REVERSED)),
        Span::raw(" "),
    ];
    if let Some(title) = &state.catalog.title {
        spans.push(Span::styled(
            format!("{} · ", crate::sanitize::clean_line(title)),
            theme.title(),
        ));
    }
    let apis = state.catalog.apis.len();
    spans.push(Span::styled(
        format!(
            "{apis} API{} · {ops} operations",
            if apis == 1 { "" } else { "s" }
        ),
        theme.muted(),
    ));
    if let Some(env) = &state.env_name {
        spans.push(Span::styled("  env ", theme.muted()));
        spans.push(Span::styled(env.clone(), theme.accent()));
    }
    if state.reveal {
        spans.push(Span::styled("  secrets revealed", theme.warning()));
    }
    if !state.warnings.is_empty() {
        spans.push(Span::styled(
            format!("  ⚠ {}", state.warnings.len()),
            theme.warning(),
        ));
    }
    let used: usize = spans.iter().map(|s| s.content.width()).sum();
    let mut notice_fits = true;
    if let Some(n) = &state.notice {
        let style = if n.error {
            theme.error()
        } else {
            theme.success()
        };
        notice_fits = used + 2 + n.text.width() <= usize::from(area.width);
        if notice_fits {
            spans.push(Span::raw("  "));
            spans.push(Span::styled(n.text.clone(), style));
        }
    }
    // The open API's tokens, counting down to their expiry: after the
    // notice, which a narrow header must not lose to them.
    if let Some((api_index, _)) = state.open {
        let api = &state.catalog.apis[api_index].id;
        let now = std::time::SystemTime::now();
        for (key, token) in state
            .tokens
            .all()
            .into_iter()
            .filter(|(k, _)| &k.api == api)
        {
            let (text, style) = match token.remaining(now) {
                Some(left) if token.fresh(now) => (
                    format!(
                        "  token {} {}",
                        key.scheme,
                        crate::units::duration_text(left)
                    ),
                    theme.muted(),
                ),
                Some(_) => (format!("  token {} expired", key.scheme), theme.warning()),
                None => (format!("  token {}", key.scheme), theme.muted()),
            };
            spans.push(Span::styled(text, style));
        }
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
    notice_fits
}

/// The keys that do something here, most useful first.
fn footer_actions(state: &State) -> Vec<(String, &'static str)> {
    let keys = &state.config.keymap;
    let key = |a: Action| keys.key_label(a);
    let mut out: Vec<(String, &'static str)> = Vec::new();
    let mut push = |k: Option<String>, label: &'static str| {
        if let Some(k) = k {
            out.push((k, label));
        }
    };
    if let Some(overlay) = &state.overlay {
        match overlay {
            Overlay::Choose(_) => {
                push(Some("↑↓".into()), "move");
                push(Some("Enter".into()), "choose");
                push(Some("Esc".into()), "close");
            }
            Overlay::SaveBody(_) => {
                push(Some("Enter".into()), "save");
                push(Some("Esc".into()), "cancel");
            }
            Overlay::AskSecret(_) => {
                push(Some("Enter".into()), "use");
                push(Some("Esc".into()), "leave unset");
            }
            Overlay::Search(_) => {
                push(Some("Enter".into()), "search");
                push(Some("Esc".into()), "cancel");
            }
            Overlay::Curl { .. } => {
                push(key(Action::CopyCurl), "copy");
                push(Some("Esc".into()), "close");
            }
            Overlay::Snippet { .. } => {
                push(Some("←→".into()), "language");
                push(key(Action::CopyCurl), "copy");
                push(Some("Esc".into()), "close");
            }
            Overlay::Panel(panel) => return super::views::panel::footer(panel, keys),
            _ => push(Some("Esc".into()), "close"),
        }
        return out;
    }
    if state.catalog_pane.filtering {
        push(Some("type".into()), "filter");
        push(Some("↑↓".into()), "move");
        push(Some("Enter".into()), "open");
        push(Some("Esc".into()), "clear");
        return out;
    }
    let current = state.open.and_then(|op| state.ops.get(&op));
    if let Some(s) = current {
        if s.editor.body_editing {
            push(Some("Esc".into()), "done");
            push(key(Action::Send), "send");
            push(Some("Ctrl+Z/Y".into()), "undo/redo");
            return out;
        }
        if s.editor.field.is_some() {
            push(Some("Enter".into()), "done");
            push(Some("Tab".into()), "name/value");
            push(key(Action::Send), "send");
            return out;
        }
    }
    let in_flight = current.is_some_and(|s| matches!(s.request, RequestState::InFlight { .. }));
    if in_flight {
        push(key(Action::Back), "cancel");
    }
    if state.open.is_some() {
        push(key(Action::Send), "send");
    }
    match state.focus {
        Focus::Catalog => {
            push(key(Action::Select), "open");
            push(key(Action::Filter), "filter");
        }
        Focus::Operation => {
            push(Some("↑↓".into()), "scroll");
            push(Some("n/N".into()), "schema node");
            push(Some("←→".into()), "fold");
            push(key(Action::FoldSchemas), "fold all");
        }
        Focus::Request => {
            let tab = current.map(|s| s.editor.tab);
            push(Some("←→".into()), "tabs");
            match tab {
                // A form or a file: rows, like the other tabs.
                Some(ReqTab::Body) if current.is_some_and(|s| s.editor.is_form()) => {
                    push(key(Action::Edit), "edit");
                    push(key(Action::AddRow), "add");
                    push(key(Action::DeleteRow), "delete");
                    push(key(Action::ToggleRow), "on/off");
                    push(key(Action::Examples), "examples");
                }
                Some(ReqTab::Body) if current.is_some_and(|s| s.editor.is_file_body()) => {
                    push(key(Action::Select), "choose the file");
                }
                Some(ReqTab::Body) => {
                    push(key(Action::Select), "edit");
                    push(key(Action::Reformat), "reformat");
                    push(key(Action::Examples), "examples");
                    push(key(Action::ExternalEditor), "$EDITOR");
                }
                Some(ReqTab::Auth) => {
                    push(key(Action::Edit), "edit");
                    push(key(Action::AddRow), "add");
                    push(key(Action::ToggleRow), "on/off");
                    push(key(Action::ShareAuth), "every request");
                    let needs_token = state.open.is_some_and(|op| {
                        let (api, operation) = state.catalog.operation(op);
                        !crate::oauth::required_schemes(api, operation).is_empty()
                    });
                    if needs_token {
                        push(key(Action::GetToken), "get token");
                    }
                }
                _ => {
                    // The selected row's own action first: an enum's values.
                    let choices = state.open.zip(current).is_some_and(|(op, s)| {
                        let (api, operation) = state.catalog.operation(op);
                        s.editor.selection_has_choices(api, operation)
                    });
                    if choices {
                        push(key(Action::Select), "choose a value");
                    }
                    push(key(Action::Edit), "edit");
                    push(key(Action::AddRow), "add");
                    push(key(Action::DeleteRow), "delete");
                    push(key(Action::ToggleRow), "on/off");
                }
            }
            push(key(Action::CurlPreview), "curl");
        }
        Focus::Response => {
            push(Some("←→".into()), "tabs");
            push(key(Action::ToggleWrap), "wrap");
            push(Some("/".into()), "search");
            push(key(Action::SaveBody), "save");
            push(key(Action::CopyBody), "copy body");
            push(key(Action::Capture), "capture");
        }
    }
    // The tools come after the pane's own keys: a narrow footer drops them
    // first.
    if state.focus == Focus::Request {
        push(key(Action::SavePreset), "save preset");
        push(key(Action::Presets), "presets");
    }
    push(key(Action::History), "history");
    if !state.catalog.flows.is_empty() {
        push(key(Action::Flows), "flows");
    }
    if state.tools.environments.list.len() > 1 {
        push(key(Action::Environments), "environment");
    }
    push(key(Action::Dashboard), "usage");
    push(key(Action::NextPane), "pane");
    push(key(Action::Help), "help");
    push(key(Action::Quit), "quit");
    out
}

fn render_footer(frame: &mut Frame, area: Rect, state: &State) {
    let theme = &state.config.theme;
    let mut actions = footer_actions(state);
    // Help and quit stay visible: drop hints before them until it fits.
    let width = |a: &[(String, &str)]| -> usize {
        a.iter()
            .map(|(k, l)| k.chars().count() + l.chars().count() + 3)
            .sum()
    };
    while width(&actions) > usize::from(area.width) && actions.len() > 2 {
        let drop = actions.len().saturating_sub(3);
        actions.remove(drop);
    }
    let mut spans = Vec::new();
    for (k, label) in actions {
        spans.push(Span::styled(format!(" {k}"), theme.key()));
        spans.push(Span::styled(format!(" {label} "), theme.muted()));
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}

fn render_overlay(frame: &mut Frame, area: Rect, state: &mut State) {
    let theme = state.config.theme.clone();
    let Some(overlay) = &state.overlay else {
        return;
    };
    let block = |title: String| {
        Block::default()
            .borders(Borders::ALL)
            .border_style(theme.border(true))
            .title(Span::styled(title, theme.title()))
    };
    match overlay {
        Overlay::Help { .. } => super::views::help::render(frame, area, state),
        Overlay::Curl { scroll } => {
            let text = state
                .open
                .and_then(|op| state.ops.get(&op))
                .and_then(|s| s.editor.preview.as_ref())
                .filter(|(_, errors)| errors.is_empty())
                .map(|(req, _)| crate::interchange::curl::to_curl(req, !state.reveal))
                .unwrap_or_default();
            let r = centered(
                area,
                area.width.saturating_sub(4),
                area.height.saturating_sub(2),
            );
            frame.render_widget(Clear, r);
            let title = if state.reveal {
                " curl (secrets shown) ".to_string()
            } else {
                " curl (secrets masked; R reveals) ".to_string()
            };
            frame.render_widget(
                Paragraph::new(text)
                    .wrap(Wrap { trim: false })
                    .block(block(title))
                    .scroll((*scroll, 0)),
                r,
            );
        }
        Overlay::Snippet { lang, scroll } => {
            let text = state
                .open
                .and_then(|op| state.ops.get(&op))
                .and_then(|s| s.editor.preview.as_ref())
                .filter(|(_, errors)| errors.is_empty())
                .map(|(req, _)| crate::interchange::snippet::to_snippet(req, *lang, !state.reveal))
                .unwrap_or_default();
            // The languages in a row, the chosen one marked; then the code,
            // its control characters shown escaped rather than sent to the
            // terminal.
            let mut tabs = Vec::new();
            for l in crate::interchange::snippet::Lang::ALL {
                let style = if l == lang {
                    theme.selected(true)
                } else {
                    theme.muted()
                };
                tabs.push(Span::styled(format!(" {} ", l.label()), style));
            }
            let mut lines = vec![Line::from(tabs), Line::raw("")];
            lines.extend(
                text.lines()
                    .map(|l| super::views::clean(Line::raw(l.to_string()))),
            );
            let r = centered(
                area,
                area.width.saturating_sub(4),
                area.height.saturating_sub(2),
            );
            frame.render_widget(Clear, r);
            let secrets = if state.reveal {
                "secrets shown"
            } else {
                "secrets masked; R reveals"
            };
            frame.render_widget(
                Paragraph::new(lines)
                    .wrap(Wrap { trim: false })
                    .block(block(format!(" {} ({secrets}) ", lang.label())))
                    .scroll((*scroll, 0)),
                r,
            );
        }
        Overlay::Warnings { scroll } => {
            let lines: Vec<Line> = if state.warnings.is_empty() {
                vec![Line::styled("No warnings.", theme.muted())]
            } else {
                state
                    .warnings
                    .iter()
                    .map(|w| Line::raw(format!("⚠ {w}")))
                    .collect()
            };
            let r = centered(
                area,
                area.width.saturating_sub(4),
                area.height.saturating_sub(2),
            );
            frame.render_widget(Clear, r);
            frame.render_widget(
                Paragraph::new(lines)
                    .wrap(Wrap { trim: false })
                    .block(block(" Warnings ".into()))
                    .scroll((*scroll, 0)),
                r,
            );
        }
        Overlay::Choose(chooser) => {
            let width = chooser
                .items
                .iter()
                .map(|i| u16::try_from(i.chars().count()).unwrap_or(u16::MAX))
                .max()
                .unwrap_or(10)
                .max(u16::try_from(chooser.title.chars().count()).unwrap_or(0))
                .saturating_add(6);
            let height = u16::try_from(chooser.items.len())
                .unwrap_or(u16::MAX)
                .saturating_add(2);
            let r = centered(area, width, height);
            frame.render_widget(Clear, r);
            let visible = usize::from(r.height.saturating_sub(2)).max(1);
            let offset = chooser.selected.saturating_sub(visible - 1);
            let lines: Vec<Line> = chooser
                .items
                .iter()
                .enumerate()
                .skip(offset)
                .take(visible)
                .map(|(i, item)| {
                    let line = Line::raw(format!(" {item}"));
                    if i == chooser.selected {
                        line.style(theme.selected(true))
                    } else {
                        line
                    }
                })
                .collect();
            frame.render_widget(
                Paragraph::new(lines).block(block(format!(" {} ", chooser.title))),
                r,
            );
        }
        Overlay::Panel(panel) => {
            let cx = super::views::panel::PanelCtx {
                theme: &theme,
                keymap: &state.config.keymap,
                reveal: state.reveal,
                now: Instant::now(),
            };
            super::views::panel::render(frame, area, panel, &cx);
        }
        Overlay::AskSecret(ask) => ask.render(frame, area, &theme),
        Overlay::SaveBody(input) | Overlay::Search(input) => {
            let title = if matches!(overlay, Overlay::Search(_)) {
                " Search the response body "
            } else {
                " Save the response body to "
            };
            let r = centered(area, 70, 3);
            frame.render_widget(Clear, r);
            frame.render_widget(
                Paragraph::new(input.text().to_string()).block(block(title.into())),
                r,
            );
            let x = r.x + 1 + u16::try_from(input.cursor_column()).unwrap_or(0);
            frame.set_cursor_position(Position::new(x.min(r.right().saturating_sub(2)), r.y + 1));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn layouts_never_overlap_or_overflow() {
        for (w, h) in [
            (80, 22),
            (100, 30),
            (160, 43),
            (200, 60),
            (60, 20),
            (24, 4),
            (300, 3),
        ] {
            let area = Rect::new(0, 1, w, h);
            for focus in [
                Focus::Catalog,
                Focus::Operation,
                Focus::Request,
                Focus::Response,
            ] {
                for open in [false, true] {
                    let a = layout(area, focus, open);
                    let rects: Vec<Rect> = [a.catalog, a.docs, a.request, a.response]
                        .into_iter()
                        .flatten()
                        .collect();
                    assert!(!rects.is_empty());
                    for (i, r) in rects.iter().enumerate() {
                        assert!(
                            area.contains(Position::new(r.x, r.y)) || r.area() == 0,
                            "{w}x{h} {r:?}"
                        );
                        assert!(r.right() <= area.right() && r.bottom() <= area.bottom());
                        for other in &rects[i + 1..] {
                            assert!(
                                !r.intersects(*other),
                                "{w}x{h} {focus:?}: {r:?} vs {other:?}"
                            );
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn words_wrap_at_the_width_and_long_words_are_cut() {
        assert_eq!(
            wrap_words("send the request now", 9),
            ["send the", "request", "now"]
        );
        assert_eq!(wrap_words("abcdefghij", 4), ["abcd", "efgh", "ij"]);
        assert_eq!(wrap_words("", 5), [""]);
        assert_eq!(wrap_words("a b", 1), ["a", "b"]);
    }
}

//! The history panel: sent requests newest first, filtered by operation
//! and status class, with what the selected one sent and received; and the
//! diff panel that compares an old response body with the current one;
//! and what their keys do.

use std::cell::Cell;

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph, Wrap};

use super::panel::{Panel, PanelCtx, visible_range};
use crate::catalog::OperationKey;
use crate::sanitize;
use crate::store::{HistoryEntry, StatusClass};
use crate::tui::app::{Overlay, Reaction};
use crate::tui::diff::{Change, Diff};
use crate::tui::keymap::Action;
use crate::units::elapsed_text;

/// The status filters `FilterStatus` steps through.
const STATUS_CYCLE: [Option<StatusClass>; 7] = [
    None,
    Some(StatusClass::Success),
    Some(StatusClass::ClientError),
    Some(StatusClass::ServerError),
    Some(StatusClass::Failed),
    Some(StatusClass::Redirection),
    Some(StatusClass::Informational),
];

pub struct HistoryView {
    /// Which read this view waits for; a later one replaces it.
    pub load_id: u64,
    pub loading: bool,
    pub error: Option<String>,
    /// Lines of the file that could not be read.
    pub skipped: usize,
    /// Newest first, with each entry's operation title.
    pub entries: Vec<(HistoryEntry, String)>,
    /// Indices into `entries` that pass the filters.
    pub visible: Vec<usize>,
    pub filter_op: Option<(OperationKey, String)>,
    pub filter_status: Option<StatusClass>,
    /// The operation open when the panel opened: what the operation
    /// filter toggles to.
    pub current_op: Option<(OperationKey, String)>,
    pub selected: usize,
    pub offset: Cell<usize>,
}

impl HistoryView {
    pub fn new(load_id: u64, current_op: Option<(OperationKey, String)>) -> Self {
        Self {
            load_id,
            loading: true,
            error: None,
            skipped: 0,
            entries: Vec::new(),
            visible: Vec::new(),
            filter_op: None,
            filter_status: None,
            current_op,
            selected: 0,
            offset: Cell::new(0),
        }
    }

    pub fn set_entries(&mut self, entries: Vec<(HistoryEntry, String)>, skipped: usize) {
        self.entries = entries;
        self.skipped = skipped;
        self.loading = false;
        self.refilter();
    }

    fn refilter(&mut self) {
        let op = self.filter_op.as_ref().map(|(k, _)| k);
        self.visible = self
            .entries
            .iter()
            .enumerate()
            .filter(|(_, (e, _))| op.is_none_or(|k| e.operation.as_ref() == Some(k)))
            .filter(|(_, (e, _))| self.filter_status.is_none_or(|c| e.status_class() == c))
            .map(|(i, _)| i)
            .collect();
        self.selected = self.selected.min(self.visible.len().saturating_sub(1));
    }

    pub fn selected_entry(&self) -> Option<&(HistoryEntry, String)> {
        self.visible
            .get(self.selected)
            .and_then(|i| self.entries.get(*i))
    }

    pub fn move_by(&mut self, delta: isize) {
        let last = self.visible.len().saturating_sub(1);
        self.selected = self.selected.saturating_add_signed(delta).min(last);
    }

    /// All operations, or only the one that was open.
    pub fn toggle_op_filter(&mut self) -> bool {
        if self.filter_op.is_some() {
            self.filter_op = None;
        } else if let Some(op) = &self.current_op {
            self.filter_op = Some(op.clone());
        } else if let Some((entry, title)) = self.selected_entry() {
            // No operation open: filter on the selected entry's.
            match &entry.operation {
                Some(key) => self.filter_op = Some((key.clone(), title.clone())),
                None => return false,
            }
        } else {
            return false;
        }
        self.selected = 0;
        self.refilter();
        true
    }

    pub fn cycle_status_filter(&mut self) {
        let i = STATUS_CYCLE
            .iter()
            .position(|c| *c == self.filter_status)
            .unwrap_or(0);
        self.filter_status = STATUS_CYCLE[(i + 1) % STATUS_CYCLE.len()];
        self.selected = 0;
        self.refilter();
    }

    /// What an action does in the panel (moving is the panel's).
    pub fn on_action(&mut self, action: Action) -> Reaction {
        match action {
            Action::FilterOperation if !self.toggle_op_filter() => {
                Reaction::notice("No operation to filter on", true)
            }
            Action::FilterStatus => {
                self.cycle_status_filter();
                Reaction::None
            }
            Action::Select => self.with_selected(Reaction::OpenEntry),
            Action::Send => self.with_selected(Reaction::ResendEntry),
            Action::Compare => self.with_selected(Reaction::CompareEntry),
            Action::Back | Action::Quit | Action::History => Reaction::Close,
            _ => Reaction::None,
        }
    }

    /// The selected entry (and its title), handed to the app as `ask`.
    fn with_selected(&self, ask: fn(Box<(HistoryEntry, String)>) -> Reaction) -> Reaction {
        self.selected_entry()
            .map_or(Reaction::None, |e| ask(Box::new(e.clone())))
    }

    pub fn render(&self, frame: &mut Frame, area: Rect, cx: &PanelCtx<'_>) {
        let theme = cx.theme;
        frame.render_widget(Clear, area);
        let block = cx.block("History (times in UTC)");
        let inner = block.inner(area);
        frame.render_widget(block, area);
        let [filters_area, rest] =
            Layout::vertical([Constraint::Length(1), Constraint::Min(0)]).areas(inner);
        let op_label = self
            .filter_op
            .as_ref()
            .map_or_else(|| "all".to_string(), |(_, t)| t.clone());
        let status_label = self.filter_status.map_or("all", StatusClass::label);
        let mut filters = vec![
            Span::styled("operation ", theme.muted()),
            Span::styled(sanitize::clean_line(&op_label).into_owned(), theme.accent()),
            Span::styled("  status ", theme.muted()),
            Span::styled(status_label, theme.accent()),
            Span::styled(
                format!("  {} of {}", self.visible.len(), self.entries.len()),
                theme.muted(),
            ),
        ];
        if self.skipped > 0 {
            filters.push(Span::styled(
                format!("  {} unreadable line(s) skipped", self.skipped),
                theme.warning(),
            ));
        }
        frame.render_widget(Paragraph::new(Line::from(filters)), filters_area);
        let [list_area, detail_area] =
            Layout::horizontal([Constraint::Percentage(50), Constraint::Percentage(50)])
                .spacing(2)
                .areas(rest);
        let mut lines: Vec<Line> = Vec::new();
        if self.loading {
            lines.push(Line::styled("Reading the history…", theme.muted()));
        } else if let Some(e) = &self.error {
            lines.push(Line::styled(format!("✗ {e}"), theme.error()));
        } else if self.visible.is_empty() {
            let text = if self.entries.is_empty() {
                "Nothing sent yet: every request sent is kept here."
            } else {
                "No request matches the filters."
            };
            lines.push(Line::styled(text, theme.muted()));
        }
        let height = usize::from(list_area.height).saturating_sub(lines.len());
        for i in visible_range(self.visible.len(), self.selected, height, &self.offset) {
            let Some((entry, title)) = self.entries.get(self.visible[i]) else {
                continue;
            };
            let time = entry.time.to_string();
            let clock = time.get(11..19).unwrap_or(&time).to_string();
            let (status_text, status_style) = match &entry.response {
                Some(r) => (format!("{:<6}", r.status), theme.status(r.status)),
                None => ("failed".to_string(), theme.error()),
            };
            let mut line = Line::from(vec![
                Span::styled(format!(" {clock} "), theme.muted()),
                Span::styled(
                    format!("{:<6} ", entry.request.method),
                    theme.method(&entry.request.method),
                ),
                Span::styled(status_text, status_style),
                Span::styled(
                    format!(" {:>8}  ", elapsed_text(entry.timing.total())),
                    theme.muted(),
                ),
                Span::raw(sanitize::clean_line(title).into_owned()),
            ]);
            if i == self.selected {
                line = line.style(theme.selected(true));
            }
            lines.push(line);
        }
        frame.render_widget(Paragraph::new(lines), list_area);
        if let Some((entry, title)) = self.selected_entry() {
            frame.render_widget(
                Paragraph::new(entry_lines(entry, title, cx)).wrap(Wrap { trim: false }),
                detail_area,
            );
        }
    }
}

/// What an entry sent and received, secrets already masked by the store.
fn entry_lines<'a>(entry: &HistoryEntry, title: &str, cx: &PanelCtx<'_>) -> Vec<Line<'a>> {
    let theme = cx.theme;
    let mut lines = vec![
        Line::styled(sanitize::clean_line(title).into_owned(), theme.accent()),
        Line::from(vec![
            Span::styled(
                format!("{} ", entry.request.method),
                theme.method(&entry.request.method),
            ),
            Span::raw(sanitize::clean_line(&entry.request.url).into_owned()),
        ]),
        Line::styled(
            super::presets::short_time(&entry.time.to_string()),
            theme.muted(),
        ),
    ];
    match (&entry.response, &entry.error) {
        (Some(r), _) => {
            lines.push(Line::from(vec![
                Span::styled(
                    format!("{} {}", r.status, sanitize::clean_line(&r.reason)),
                    theme.status(r.status),
                ),
                Span::styled(
                    format!("  {} · {} B", elapsed_text(entry.timing.total()), r.size),
                    theme.muted(),
                ),
            ]));
            match &r.body {
                Some(body) => {
                    let bytes = body.bytes().unwrap_or_default();
                    if body.base64 {
                        lines.push(Line::styled(
                            format!("(binary body, {} bytes kept)", bytes.len()),
                            theme.muted(),
                        ));
                    } else {
                        let text = crate::tui::diff::normalise(&bytes);
                        lines.push(Line::default());
                        lines.extend(
                            text.lines()
                                .take(200)
                                .map(|l| Line::raw(sanitize::clean_line(l).into_owned())),
                        );
                        if body.truncated {
                            lines
                                .push(Line::styled("(body cut at the history cap)", theme.muted()));
                        }
                    }
                }
                None => lines.push(Line::styled("(no body kept)", theme.muted())),
            }
        }
        (None, Some(e)) => lines.push(Line::styled(
            format!("✗ {}", sanitize::clean_line(&e.message)),
            theme.error(),
        )),
        (None, None) => {}
    }
    lines
}

/// Two bodies compared line by line.
pub struct DiffView {
    pub title: String,
    pub diff: Diff,
    pub scroll: usize,
    pub page: Cell<usize>,
    /// The history panel to go back to.
    pub back: Option<Box<HistoryView>>,
}

impl DiffView {
    /// Closing the diff goes back to the history it was opened from.
    pub fn on_action(&mut self, action: Action) -> Reaction {
        match action {
            Action::Back | Action::Quit | Action::Compare => match self.back.take() {
                Some(history) => Reaction::Open(Overlay::Panel(Panel::History(history))),
                None => Reaction::Close,
            },
            _ => Reaction::None,
        }
    }

    pub fn scroll_by(&mut self, delta: isize) {
        let max = self.diff.lines.len().saturating_sub(self.page.get().max(1));
        self.scroll = self.scroll.saturating_add_signed(delta).min(max);
    }

    pub fn render(&self, frame: &mut Frame, area: Rect, cx: &PanelCtx<'_>) {
        let theme = cx.theme;
        frame.render_widget(Clear, area);
        let block = cx.block(&self.title);
        let inner = block.inner(area);
        frame.render_widget(block, area);
        let [summary_area, body_area] =
            Layout::vertical([Constraint::Length(1), Constraint::Min(0)]).areas(inner);
        let summary = if self.diff.is_identical() {
            Line::styled("The bodies are identical.", theme.success())
        } else {
            let mut spans = vec![
                Span::styled(
                    format!("- {} removed (history)", self.diff.count(Change::Removed)),
                    theme.error(),
                ),
                Span::raw("   "),
                Span::styled(
                    format!("+ {} added (current)", self.diff.count(Change::Added)),
                    theme.success(),
                ),
            ];
            if self.diff.approximate {
                spans.push(Span::styled(
                    "   (large bodies: the changed middle is shown whole)",
                    theme.warning(),
                ));
            }
            Line::from(spans)
        };
        frame.render_widget(Paragraph::new(summary), summary_area);
        self.page.set(usize::from(body_area.height));
        let lines: Vec<Line> = self
            .diff
            .lines
            .iter()
            .skip(self.scroll)
            .take(usize::from(body_area.height))
            .map(|l| {
                let (mark, style) = match l.change {
                    Change::Same => (' ', theme.muted()),
                    Change::Removed => ('-', theme.error()),
                    Change::Added => ('+', theme.success()),
                };
                Line::styled(format!("{mark} {}", sanitize::clean_line(&l.text)), style)
            })
            .collect();
        frame.render_widget(Paragraph::new(lines), body_area);
    }
}

//! The presets panel: the saved requests of the current operation (or of
//! every operation, orphans marked), what the selected one would send,
//! and what the panel's keys do.

use std::cell::Cell;
use std::path::PathBuf;

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph, Wrap};

use super::panel::{Confirm, ConfirmAction, Panel, PanelCtx, Prompt, PromptPurpose, visible_range};
use crate::catalog::OperationKey;
use crate::sanitize;
use crate::store::Preset;
use crate::store::preset_drift::Drift;
use crate::tui::app::{OpRef, Overlay, Reaction};
use crate::tui::keymap::Action;

pub struct PresetRow {
    pub preset: Preset,
    /// Where the preset's operation is in the catalog; `None`: orphaned.
    pub op: Option<OpRef>,
    /// The operation's title, or its key when orphaned.
    pub op_title: String,
    /// How the preset fits its operation as defined now.
    pub drift: Drift,
}

pub struct PresetsView {
    /// The operation listed; `None` lists every preset.
    pub scope: Option<(OperationKey, String)>,
    pub rows: Vec<PresetRow>,
    pub selected: usize,
    /// The file could not be read (it is left as it is).
    pub error: Option<String>,
    pub path: PathBuf,
    pub offset: Cell<usize>,
}

impl PresetsView {
    pub fn selected_row(&self) -> Option<&PresetRow> {
        self.rows.get(self.selected)
    }

    pub fn select_name(&mut self, name: &str) {
        if let Some(i) = self.rows.iter().position(|r| r.preset.name == name) {
            self.selected = i;
        }
    }

    pub fn move_by(&mut self, delta: isize) {
        let last = self.rows.len().saturating_sub(1);
        self.selected = self.selected.saturating_add_signed(delta).min(last);
    }

    /// What an action does in the panel (moving is the panel's).
    pub fn on_action(&mut self, action: Action) -> Reaction {
        match action {
            Action::NextPane | Action::PrevPane => Reaction::OpenPresets {
                all: self.scope.is_some(),
                select: None,
            },
            Action::Select => {
                let Some(row) = self.selected_row() else {
                    return Reaction::None;
                };
                match row.op {
                    Some(op) => Reaction::LoadPreset {
                        op,
                        name: row.preset.name.clone(),
                        draft: row.preset.draft.clone(),
                    }
                    .after_closing(),
                    None => Reaction::notice(
                        format!(
                            "`{}` is orphaned: the catalog has no {}",
                            row.preset.name, row.preset.operation
                        ),
                        true,
                    ),
                }
            }
            Action::Rename | Action::Edit => {
                let Some(row) = self.selected_row() else {
                    return Reaction::None;
                };
                let purpose = PromptPurpose::RenamePreset {
                    key: row.preset.operation.clone(),
                    from: row.preset.name.clone(),
                    all: self.scope.is_none(),
                };
                let title = format!("Rename the preset `{}` to", row.preset.name);
                let prompt = Prompt::new(title, row.preset.name.clone(), purpose);
                Reaction::Open(Overlay::Panel(Panel::Prompt(prompt)))
            }
            Action::DeleteRow => {
                let Some(row) = self.selected_row() else {
                    return Reaction::None;
                };
                let action = ConfirmAction::DeletePreset {
                    key: row.preset.operation.clone(),
                    name: row.preset.name.clone(),
                    all: self.scope.is_none(),
                };
                let question = format!(
                    "Delete the preset `{}` of {}?",
                    row.preset.name, row.op_title
                );
                Reaction::Open(Overlay::Panel(Panel::Confirm(Confirm { question, action })))
            }
            Action::MendPreset => {
                let Some(row) = self.selected_row() else {
                    return Reaction::None;
                };
                match &row.drift {
                    Drift::Unchanged => Reaction::notice(
                        format!(
                            "`{}` fits its operation: nothing to update",
                            row.preset.name
                        ),
                        false,
                    ),
                    Drift::OperationGone => Reaction::notice(
                        format!(
                            "`{}` has no operation to fit any more; d deletes it (asks first)",
                            row.preset.name
                        ),
                        true,
                    ),
                    Drift::Changed { gone, unfilled } => {
                        let names = |list: &[(crate::catalog::ParamLocation, String)]| {
                            list.iter()
                                .map(|(_, n)| format!("`{n}`"))
                                .collect::<Vec<_>>()
                                .join(", ")
                        };
                        let mut steps = Vec::new();
                        if !gone.is_empty() {
                            steps.push(format!("drop the values of {}", names(gone)));
                        }
                        if !unfilled.is_empty() {
                            steps.push(format!("add {} to fill in", names(unfilled)));
                        }
                        let question = format!(
                            "Update the preset `{}`: {}?",
                            row.preset.name,
                            steps.join(" and ")
                        );
                        let action = ConfirmAction::MendPreset {
                            key: row.preset.operation.clone(),
                            name: row.preset.name.clone(),
                            all: self.scope.is_none(),
                        };
                        Reaction::Open(Overlay::Panel(Panel::Confirm(Confirm { question, action })))
                    }
                }
            }
            Action::Back | Action::Quit | Action::Presets => Reaction::Close,
            _ => Reaction::None,
        }
    }

    pub fn render(&self, frame: &mut Frame, area: Rect, cx: &PanelCtx<'_>) {
        let theme = cx.theme;
        frame.render_widget(Clear, area);
        let title = match &self.scope {
            Some((_, title)) => format!("Presets · {title}"),
            None => "Presets · all operations".to_string(),
        };
        let block = cx.block(&title);
        let inner = block.inner(area);
        frame.render_widget(block, area);
        let [list_area, detail_area] =
            Layout::horizontal([Constraint::Percentage(45), Constraint::Percentage(55)])
                .spacing(2)
                .areas(inner);
        let mut lines: Vec<Line> = Vec::new();
        if let Some(e) = &self.error {
            lines.push(Line::styled(format!("✗ {e}"), theme.error()));
        } else if self.rows.is_empty() {
            let hint = match &self.scope {
                Some(_) => format!(
                    "No presets for this operation. {} saves the request as one; {} lists every preset.",
                    cx.key(crate::tui::keymap::Action::SavePreset),
                    cx.key(crate::tui::keymap::Action::NextPane)
                ),
                None => format!(
                    "No presets yet. {} saves the current request as one.",
                    cx.key(crate::tui::keymap::Action::SavePreset)
                ),
            };
            lines.push(Line::styled(hint, theme.muted()));
        }
        let height = usize::from(list_area.height).saturating_sub(lines.len());
        for i in visible_range(self.rows.len(), self.selected, height, &self.offset) {
            let row = &self.rows[i];
            let mut spans = vec![Span::raw(format!(
                " {}",
                sanitize::clean_line(&row.preset.name)
            ))];
            if self.scope.is_none() {
                spans.push(Span::styled(
                    format!("  {}", sanitize::clean_line(&row.op_title)),
                    theme.muted(),
                ));
            }
            if row.op.is_none() {
                spans.push(Span::styled("  orphaned", theme.warning()));
            } else if !row.drift.is_unchanged() {
                spans.push(Span::styled("  changed", theme.warning()));
            }
            let mut line = Line::from(spans);
            if i == self.selected {
                line = line.style(theme.selected(true));
            }
            lines.push(line);
        }
        frame.render_widget(Paragraph::new(lines), list_area);
        if let Some(row) = self.selected_row() {
            frame.render_widget(
                Paragraph::new(detail_lines(row, cx)).wrap(Wrap { trim: false }),
                detail_area,
            );
        } else {
            frame.render_widget(
                Paragraph::new(Line::styled(
                    format!("File: {}", self.path.display()),
                    theme.muted(),
                )),
                detail_area,
            );
        }
    }
}

fn detail_lines<'a>(row: &PresetRow, cx: &PanelCtx<'_>) -> Vec<Line<'a>> {
    let theme = cx.theme;
    let p = &row.preset;
    let mut lines = vec![
        Line::from(vec![
            Span::styled(
                format!("{} ", p.operation.method),
                theme.method(&p.operation.method),
            ),
            Span::raw(sanitize::clean_line(&p.operation.path).into_owned()),
        ]),
        Line::styled(
            format!(
                "{} · saved {}",
                sanitize::clean_line(&row.op_title),
                short_time(&p.updated.to_string())
            ),
            theme.muted(),
        ),
    ];
    if row.op.is_none() {
        lines.push(Line::styled(
            format!(
                "Orphaned: the catalog has no {} (kept in the file; {} deletes it).",
                p.operation,
                cx.key(Action::DeleteRow)
            ),
            theme.warning(),
        ));
    } else if !row.drift.is_unchanged() {
        lines.push(Line::styled(
            format!(
                "The operation changed: this preset {} ({} updates it).",
                row.drift.describe(),
                cx.key(Action::MendPreset)
            ),
            theme.warning(),
        ));
    }
    let d = &p.draft;
    let params: Vec<String> = d
        .params
        .iter()
        .filter(|v| v.enabled && !v.value.is_empty())
        .map(|v| format!("{} = {}", v.name, v.value))
        .chain(
            d.extra_query
                .iter()
                .filter(|r| r.enabled)
                .map(|r| format!("{} = {}", r.name, r.value)),
        )
        .collect();
    if !params.is_empty() {
        lines.push(Line::styled("Params", theme.accent()));
        lines.extend(
            params
                .iter()
                .map(|t| Line::raw(format!("  {}", sanitize::clean_line(t)))),
        );
    }
    let headers: Vec<String> = d
        .headers
        .iter()
        .filter(|r| r.enabled)
        .map(|r| format!("{}: {}", r.name, r.value))
        .collect();
    if !headers.is_empty() {
        lines.push(Line::styled("Headers", theme.accent()));
        lines.extend(
            headers
                .iter()
                .map(|t| Line::raw(format!("  {}", sanitize::clean_line(t)))),
        );
    }
    if !d.body.is_empty() {
        lines.push(Line::styled("Body", theme.accent()));
        lines.extend(
            d.body
                .lines()
                .take(60)
                .map(|t| Line::raw(format!("  {}", sanitize::clean_line(t)))),
        );
        if d.body.lines().count() > 60 {
            lines.push(Line::styled("  …", theme.muted()));
        }
    }
    lines
}

/// `2025-05-04T12:30:00.250Z` as `2025-05-04 12:30:00 UTC`.
pub fn short_time(rfc3339: &str) -> String {
    match (rfc3339.get(..10), rfc3339.get(11..19)) {
        (Some(date), Some(clock)) => format!("{date} {clock} UTC"),
        _ => rfc3339.to_string(),
    }
}

//! The environments: the panel that shows each environment's variables
//! with their values and where they come from (and changes them in the
//! user's file), and what choosing an environment does to the variables.

use std::cell::Cell;

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph};

use super::panel::{Panel, PanelCtx, Prompt, PromptPurpose, visible_range};
use crate::request::Vars;
use crate::sanitize;
use crate::secrets::MASK;
use crate::store::env::VariableRow;
use crate::store::{Environments, Paths};
use crate::tui::app::{ChoosePurpose, Chooser, Overlay, Reaction};
use crate::tui::keymap::Action;

use super::ask_secret::AskSecret;

/// The chooser over `environments`, `active` selected; a notice when there
/// are none, saying where they come from.
pub fn chooser(
    environments: &Environments,
    active: Option<&String>,
    paths: Option<&Paths>,
) -> Reaction {
    let list = &environments.list;
    if list.is_empty() {
        let place = paths.map_or_else(
            || "environments.toml".to_string(),
            |p| p.environments_file().display().to_string(),
        );
        return Reaction::notice(
            format!("No environments: a portal file or {place} defines them"),
            true,
        );
    }
    let items: Vec<String> = list
        .iter()
        .map(|e| {
            let mark = if Some(&e.name) == active {
                "● "
            } else {
                "  "
            };
            format!("{mark}{} ({} variables)", e.name, e.variables.len())
        })
        .collect();
    let selected = list
        .iter()
        .position(|e| Some(&e.name) == active)
        .unwrap_or(0);
    Reaction::Open(Overlay::Choose(Chooser {
        title: "Environment".into(),
        items,
        selected,
        purpose: ChoosePurpose::Environment,
    }))
}

/// Makes the environment at `index` the active one; captured values stay
/// (they win over any environment).
pub fn switch(
    environments: &Environments,
    index: usize,
    vars: &mut Vars,
    active: &mut Option<String>,
) -> Reaction {
    let Some(name) = environments.list.get(index).map(|e| e.name.clone()) else {
        return Reaction::None;
    };
    // Its prompts first, one at a time; each answer comes back here.
    if let Some(source) = environments.unanswered(&name).first() {
        return Reaction::Open(Overlay::AskSecret(AskSecret::new(index, source)));
    }
    let told = match environments.vars(Some(&name)) {
        Ok(chosen) => {
            vars.environment = chosen.environment;
            let notice = Reaction::notice(format!("Environment `{name}`"), false);
            *active = Some(name);
            notice
        }
        Err(e) => Reaction::notice(e.to_string(), true),
    };
    Reaction::All(vec![told, Reaction::Refresh])
}

/// The environment panel (`v`): one environment's variables at a time
/// (←→ for the others), each with its value (secrets masked until `R`)
/// and where it comes from; Enter makes the environment the active one,
/// `a` and `e` set a variable in the user's file, `d` removes one from it.
pub struct EnvPanel {
    /// The environment shown, by index in `Environments::list`.
    pub index: usize,
    pub name: String,
    pub active: bool,
    pub rows: Vec<VariableRow>,
    pub selected: usize,
    /// Other environments exist to switch to.
    pub count: usize,
    offset: Cell<usize>,
}

impl EnvPanel {
    pub fn new(
        environments: &Environments,
        index: usize,
        vars: &Vars,
        active: Option<&String>,
    ) -> Option<Self> {
        let environment = environments.list.get(index)?;
        let is_active = active == Some(&environment.name);
        let captured = if is_active {
            vars.captured.clone()
        } else {
            Default::default()
        };
        Some(Self {
            index,
            name: environment.name.clone(),
            active: is_active,
            rows: environments.describe(&environment.name, &captured),
            selected: 0,
            count: environments.list.len(),
            offset: Cell::new(0),
        })
    }

    /// Moves the selection by `delta` rows, within the list.
    pub fn move_by(&mut self, delta: isize) {
        let last = self.rows.len().saturating_sub(1);
        self.selected = self.selected.saturating_add_signed(delta).min(last);
    }

    pub fn on_action(&mut self, action: Action) -> Reaction {
        let selected = self.rows.get(self.selected);
        match action {
            Action::Left | Action::PrevTab if self.count > 1 => {
                return Reaction::OpenEnvironments((self.index + self.count - 1) % self.count);
            }
            Action::Right | Action::NextTab if self.count > 1 => {
                return Reaction::OpenEnvironments((self.index + 1) % self.count);
            }
            Action::Select => {
                return Reaction::All(vec![Reaction::Close, Reaction::UseEnvironment(self.index)]);
            }
            Action::AddRow => {
                return Reaction::Open(Overlay::Panel(Panel::Prompt(Prompt::new(
                    format!("New variable of {} (NAME = value)", self.name),
                    "",
                    PromptPurpose::SetVariable(self.index),
                ))));
            }
            Action::Edit => {
                let Some(row) = selected else {
                    return Reaction::None;
                };
                // A secret's value is not put on screen to be edited.
                let text = match (&row.value, row.secret) {
                    (Some(value), false) => format!("{} = {value}", row.name),
                    _ => format!("{} = ", row.name),
                };
                return Reaction::Open(Overlay::Panel(Panel::Prompt(Prompt::new(
                    format!("Set {} in your file (NAME = value)", row.name),
                    text,
                    PromptPurpose::SetVariable(self.index),
                ))));
            }
            Action::DeleteRow => {
                let Some(row) = selected else {
                    return Reaction::None;
                };
                if !row.origin.in_user_file() {
                    return Reaction::notice(
                        format!(
                            "`{}` comes from the {}: e sets your own value over it",
                            row.name,
                            row.origin.label()
                        ),
                        true,
                    );
                }
                return Reaction::RemoveVariable {
                    index: self.index,
                    name: row.name.clone(),
                };
            }
            _ => {}
        }
        Reaction::None
    }

    pub fn render(&self, frame: &mut Frame, area: Rect, cx: &PanelCtx<'_>) {
        let theme = cx.theme;
        let title = format!(
            "Environment {}{}{}",
            self.name,
            if self.active { " (active)" } else { "" },
            if self.count > 1 {
                " · ←→ others"
            } else {
                ""
            }
        );
        let block = cx.block(&title);
        let inner = block.inner(area);
        frame.render_widget(Clear, area);
        frame.render_widget(block, area);
        if self.rows.is_empty() {
            frame.render_widget(
                Paragraph::new("No variables. a adds one to your environments file."),
                inner,
            );
            return;
        }
        let name_width = self
            .rows
            .iter()
            .map(|r| sanitize::display_width(&r.name))
            .max()
            .unwrap_or(0)
            .min(32);
        let height = usize::from(inner.height);
        let range = visible_range(self.rows.len(), self.selected, height, &self.offset);
        let value_width = usize::from(inner.width)
            .saturating_sub(name_width + 4)
            .saturating_sub(30)
            .max(8);
        let lines: Vec<Line> = self.rows[range.clone()]
            .iter()
            .enumerate()
            .map(|(i, row)| {
                let value = match &row.value {
                    None => "(asked when used)".to_string(),
                    Some(_) if row.secret && !cx.reveal => MASK.to_string(),
                    Some(value) => sanitize::clean_line(value).into_owned(),
                };
                let style = if range.start + i == self.selected {
                    theme.selected(true)
                } else {
                    Style::new()
                };
                Line::from(vec![
                    Span::styled(
                        format!(
                            "{:<name_width$}  ",
                            sanitize::truncate(&sanitize::clean_line(&row.name), name_width)
                        ),
                        theme.accent(),
                    ),
                    Span::raw(format!(
                        "{:<value_width$}  ",
                        sanitize::truncate(&value, value_width)
                    )),
                    Span::styled(row.origin.label(), theme.muted()),
                ])
                .style(style)
            })
            .collect();
        frame.render_widget(Paragraph::new(lines), inner);
    }
}

//! The tool panels drawn over the panes (presets, history, flows, the
//! usage dashboard, a diff) and the two small modals they use: a one-line
//! prompt that takes raw keys, and a yes/no confirmation; and how a key
//! reaches the panel shown.
//!
//! Each panel keeps its own state (rows, selection, scroll) and handles its
//! own keys in its file; what reaches past the panel (files, the network,
//! other panes) it asks of the app as a [`Reaction`].

use std::cell::Cell;
use std::time::Instant;

use crossterm::event::{KeyCode, KeyEvent};
use ratatui::Frame;
use ratatui::layout::{Position, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Wrap};

use super::dashboard::DashboardView;
use super::environments::EnvPanel;
use super::flows::FlowsView;
use super::history::{DiffView, HistoryView};
use super::presets::PresetsView;
use super::{capture, centered};
use crate::catalog::OperationKey;
use crate::sanitize;
use crate::tui::app::{OpRef, Reaction};
use crate::tui::config::Theme;
use crate::tui::input::{InputResult, LineInput};
use crate::tui::keymap::{Action, Keymap};

pub enum Panel {
    Presets(PresetsView),
    History(Box<HistoryView>),
    Diff(DiffView),
    Flows(FlowsView),
    Dashboard(DashboardView),
    Environments(EnvPanel),
    Prompt(Prompt),
    Confirm(Confirm),
}

/// What a prompt's text is for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PromptPurpose {
    SavePreset(OpRef),
    RenamePreset {
        key: OperationKey,
        from: String,
        /// The presets list to go back to: all presets, or this one's.
        all: bool,
    },
    /// A JSONPath on the response of this operation.
    CapturePath(OpRef),
    /// The variable the value of `path` goes into.
    CaptureName {
        op: OpRef,
        path: String,
    },
    /// `NAME = value` for the environment at this index, into the user's
    /// file.
    SetVariable(usize),
}

/// A one-line text prompt. Keys are typed, Enter accepts, Esc cancels.
pub struct Prompt {
    pub title: String,
    pub input: LineInput,
    pub purpose: PromptPurpose,
    /// A line under the field: what the text would do (a JSONPath's value),
    /// or what is wrong with it.
    pub hint: Option<(String, bool)>,
    /// The parsed JSON body a capture prompt evaluates paths against.
    pub json: Option<serde_json::Value>,
}

impl Prompt {
    pub fn new(title: impl Into<String>, text: impl Into<String>, purpose: PromptPurpose) -> Self {
        Self {
            title: title.into(),
            input: LineInput::new(text),
            purpose,
            hint: None,
            json: None,
        }
    }
}

impl Prompt {
    /// Keys are typed into the field; Enter hands the text on by purpose.
    pub fn on_key(&mut self, key: KeyEvent) -> Reaction {
        match key.code {
            KeyCode::Esc => match &self.purpose {
                PromptPurpose::RenamePreset { from, all, .. } => Reaction::OpenPresets {
                    all: *all,
                    select: Some(from.clone()),
                }
                .after_closing(),
                _ => Reaction::Close,
            },
            KeyCode::Enter => {
                let text = self.input.text().trim().to_string();
                let json = self.json.take();
                let done = match self.purpose.clone() {
                    PromptPurpose::SavePreset(op) => Reaction::SavePreset { op, name: text },
                    PromptPurpose::RenamePreset { key, from, all } => Reaction::RenamePreset {
                        key,
                        from,
                        to: text,
                        all,
                    },
                    PromptPurpose::CapturePath(op) => capture::path_entered(op, text, json),
                    PromptPurpose::CaptureName { op, path } => Reaction::Capture {
                        op,
                        path,
                        name: text,
                    },
                    PromptPurpose::SetVariable(index) => Reaction::SetVariable { index, text },
                };
                done.after_closing()
            }
            _ => {
                if self.input.handle_key(&key) == InputResult::Changed {
                    capture::update_hint(self);
                }
                Reaction::None
            }
        }
    }

    /// Pasted text goes in at the cursor.
    pub fn paste(&mut self, text: &str) {
        self.input.insert_str(text);
        capture::update_hint(self);
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConfirmAction {
    DeletePreset {
        key: OperationKey,
        name: String,
        all: bool,
    },
    /// A preset brought up to date with its changed operation.
    MendPreset {
        key: OperationKey,
        name: String,
        all: bool,
    },
    /// The operation's draft back to the definition's defaults.
    ResetDraft(OpRef),
    /// The operation's edited body replaced by its example at `index`.
    UseExample { op: OpRef, index: usize },
}

/// A yes/no question; only `y` answers yes.
pub struct Confirm {
    pub question: String,
    pub action: ConfirmAction,
}

impl Confirm {
    /// Any key answers; the panel the question came from comes back.
    pub fn on_key(&self, key: KeyEvent) -> Reaction {
        let yes = matches!(key.code, KeyCode::Char('y' | 'Y'));
        match self.action.clone() {
            ConfirmAction::DeletePreset { key, name, all } => {
                let mut then = vec![Reaction::Close];
                if yes {
                    then.push(Reaction::DeletePreset {
                        key,
                        name: name.clone(),
                    });
                }
                then.push(Reaction::OpenPresets {
                    all,
                    select: (!yes).then_some(name),
                });
                Reaction::All(then)
            }
            ConfirmAction::MendPreset { key, name, all } if yes => Reaction::All(vec![
                Reaction::Close,
                Reaction::MendPreset { key, name, all },
            ]),
            ConfirmAction::MendPreset { name, all, .. } => Reaction::All(vec![
                Reaction::Close,
                Reaction::OpenPresets {
                    all,
                    select: Some(name),
                },
            ]),
            ConfirmAction::ResetDraft(op) if yes => {
                Reaction::All(vec![Reaction::Close, Reaction::ResetDraft(op)])
            }
            ConfirmAction::ResetDraft(_) => Reaction::Close,
            ConfirmAction::UseExample { op, index } if yes => {
                Reaction::All(vec![Reaction::Close, Reaction::UseExample { op, index }])
            }
            ConfirmAction::UseExample { .. } => Reaction::Close,
        }
    }
}

impl Panel {
    /// A key for the panel shown: movement keys move its list or page,
    /// other keys are the panel's own.
    pub fn on_key(&mut self, key: KeyEvent, action: Option<Action>) -> Reaction {
        if let Some(step) = list_step(action) {
            // The lists and pages move alike; a running flow keeps its view.
            match self {
                Panel::Presets(view) => view.move_by(step.rows(10)),
                Panel::History(view) => view.move_by(step.rows(10)),
                Panel::Flows(view) if !view.is_running() => view.move_by(step.rows(10)),
                Panel::Diff(view) => {
                    let page = isize::try_from(view.page.get().max(1)).unwrap_or(10);
                    view.scroll_by(step.rows(page));
                }
                Panel::Dashboard(view) => view.scroll_by(step.rows(10)),
                Panel::Environments(view) => view.move_by(step.rows(10)),
                _ => return self.on_own_key(key, action),
            }
            return Reaction::None;
        }
        self.on_own_key(key, action)
    }

    fn on_own_key(&mut self, key: KeyEvent, action: Option<Action>) -> Reaction {
        match (self, action) {
            (Panel::Prompt(p), _) => p.on_key(key),
            (Panel::Confirm(c), _) => c.on_key(key),
            (_, None) => Reaction::None,
            (Panel::Presets(view), Some(action)) => view.on_action(action),
            (Panel::History(view), Some(action)) => view.on_action(action),
            (Panel::Diff(view), Some(action)) => view.on_action(action),
            (Panel::Flows(view), Some(action)) => view.on_action(action),
            (Panel::Dashboard(view), Some(action)) => view.on_action(action),
            (Panel::Environments(view), Some(action)) => view.on_action(action),
        }
    }
}

/// A movement key in a list or a page.
#[derive(Debug, Clone, Copy)]
enum Step {
    Rows(isize),
    Pages(isize),
    Top,
    Bottom,
}

impl Step {
    /// How far to move, with `page` rows to a page.
    fn rows(self, page: isize) -> isize {
        match self {
            Self::Rows(n) => n,
            Self::Pages(n) => n.saturating_mul(page),
            Self::Top => isize::MIN / 2,
            Self::Bottom => isize::MAX / 2,
        }
    }
}

fn list_step(action: Option<Action>) -> Option<Step> {
    Some(match action? {
        Action::Up => Step::Rows(-1),
        Action::Down => Step::Rows(1),
        Action::PageUp => Step::Pages(-1),
        Action::PageDown => Step::Pages(1),
        Action::Top => Step::Top,
        Action::Bottom => Step::Bottom,
        _ => return None,
    })
}

/// What every panel needs to draw.
pub struct PanelCtx<'a> {
    pub theme: &'a Theme,
    pub keymap: &'a Keymap,
    pub reveal: bool,
    pub now: Instant,
}

impl PanelCtx<'_> {
    pub fn block(&self, title: &str) -> Block<'static> {
        Block::default()
            .borders(Borders::ALL)
            .border_style(self.theme.border(true))
            .title(Span::styled(
                format!(" {} ", sanitize::clean_line(title)),
                self.theme.title(),
            ))
    }

    pub fn key(&self, action: Action) -> String {
        self.keymap.key_label(action).unwrap_or_else(|| "?".into())
    }
}

/// The rectangle a large panel takes over `area`.
pub fn big(area: Rect) -> Rect {
    let w = area.width.saturating_sub(4).max(area.width.min(20));
    let h = area.height.saturating_sub(2).max(area.height.min(6));
    centered(area, w, h)
}

pub fn render(frame: &mut Frame, area: Rect, panel: &Panel, cx: &PanelCtx<'_>) {
    match panel {
        Panel::Presets(v) => v.render(frame, big(area), cx),
        Panel::History(v) => v.render(frame, big(area), cx),
        Panel::Diff(v) => v.render(frame, big(area), cx),
        Panel::Flows(v) => v.render(frame, big(area), cx),
        Panel::Dashboard(v) => v.render(frame, big(area), cx),
        Panel::Environments(v) => v.render(frame, big(area), cx),
        Panel::Prompt(p) => render_prompt(frame, area, p, cx),
        Panel::Confirm(c) => {
            let width = u16::try_from(sanitize::display_width(&c.question))
                .unwrap_or(u16::MAX)
                .saturating_add(4)
                .max(30);
            let r = centered(area, width, 4);
            frame.render_widget(Clear, r);
            let lines = vec![
                Line::raw(sanitize::clean_line(&c.question).into_owned()),
                Line::from(vec![
                    Span::styled("y", cx.theme.key()),
                    Span::styled(" yes   ", cx.theme.muted()),
                    Span::styled("any other key", cx.theme.key()),
                    Span::styled(" no", cx.theme.muted()),
                ]),
            ];
            frame.render_widget(
                Paragraph::new(lines)
                    .wrap(Wrap { trim: false })
                    .block(cx.block("Confirm")),
                r,
            );
        }
    }
}

fn render_prompt(frame: &mut Frame, area: Rect, p: &Prompt, cx: &PanelCtx<'_>) {
    let height = if p.hint.is_some() { 4 } else { 3 };
    let r = centered(area, 76, height);
    frame.render_widget(Clear, r);
    let mut lines = vec![Line::raw(sanitize::clean_line(p.input.text()).into_owned())];
    if let Some((hint, error)) = &p.hint {
        let style = if *error {
            cx.theme.error()
        } else {
            cx.theme.muted()
        };
        lines.push(Line::styled(
            sanitize::truncate(&sanitize::clean_line(hint), usize::from(r.width)).into_owned(),
            style,
        ));
    }
    frame.render_widget(Paragraph::new(lines).block(cx.block(&p.title)), r);
    let x = r.x + 1 + u16::try_from(p.input.cursor_column()).unwrap_or(0);
    frame.set_cursor_position(Position::new(x.min(r.right().saturating_sub(2)), r.y + 1));
}

/// The keys that work in a panel, for the footer.
pub fn footer(panel: &Panel, keymap: &Keymap) -> Vec<(String, &'static str)> {
    let key = |a: Action| keymap.key_label(a).unwrap_or_else(|| "?".into());
    let mut out: Vec<(String, &'static str)> = Vec::new();
    match panel {
        Panel::Prompt(_) => {
            out.push(("Enter".into(), "accept"));
            out.push(("Esc".into(), "cancel"));
        }
        Panel::Confirm(_) => {
            out.push(("y".into(), "yes"));
            out.push(("other".into(), "no"));
        }
        Panel::Presets(_) => {
            out.push(("↑↓".into(), "move"));
            out.push((key(Action::Select), "load"));
            out.push((key(Action::Rename), "rename"));
            out.push((key(Action::DeleteRow), "delete"));
            out.push((key(Action::NextPane), "this operation/all"));
            out.push((key(Action::Back), "close"));
        }
        Panel::History(_) => {
            out.push(("↑↓".into(), "move"));
            out.push((key(Action::Select), "open response"));
            out.push((key(Action::Send), "re-send"));
            out.push((key(Action::Compare), "compare"));
            out.push((key(Action::FilterOperation), "operation filter"));
            out.push((key(Action::FilterStatus), "status filter"));
            out.push((key(Action::Back), "close"));
        }
        Panel::Diff(_) => {
            out.push(("↑↓".into(), "scroll"));
            out.push((key(Action::Back), "close"));
        }
        Panel::Flows(v) => {
            if v.is_running() {
                out.push((key(Action::Back), "cancel the run"));
            } else if v.run.is_some() {
                out.push((key(Action::Back), "back to the flows"));
            } else {
                out.push(("↑↓".into(), "move"));
                out.push((key(Action::Select), "run"));
                out.push((key(Action::Back), "close"));
            }
        }
        Panel::Dashboard(_) => {
            out.push(("↑↓".into(), "scroll"));
            out.push((key(Action::Dashboard), "refresh"));
            out.push((key(Action::Back), "close"));
        }
        Panel::Environments(_) => {
            out.push(("←→".into(), "environment"));
            out.push((key(Action::Select), "use it"));
            out.push((key(Action::AddRow), "add"));
            out.push((key(Action::Edit), "set"));
            out.push((key(Action::DeleteRow), "remove"));
            out.push((key(Action::Reveal), "reveal"));
            out.push((key(Action::Back), "close"));
        }
    }
    out
}

/// Rows that fit a list of `height` lines with `selected` kept in view;
/// `offset` remembers where the list was, so moving does not recentre it.
pub fn visible_range(
    len: usize,
    selected: usize,
    height: usize,
    offset: &Cell<usize>,
) -> std::ops::Range<usize> {
    let height = height.max(1);
    let mut top = offset.get().min(len.saturating_sub(1));
    if selected < top {
        top = selected;
    } else if selected >= top + height {
        top = selected + 1 - height;
    }
    offset.set(top);
    top..(top + height).min(len)
}

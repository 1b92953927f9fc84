//! The prompt for a variable whose value the user types once per session
//! (`api_key = { prompt = "…" }` in environments.toml): asked when its
//! environment is chosen, the typing shown as bullets, the answer held in
//! memory only ([`crate::store::sources::answer`]).

use crossterm::event::{KeyCode, KeyEvent};
use ratatui::Frame;
use ratatui::layout::{Position, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph};

use crate::store::sources::{self, Origin, VariableSource};
use crate::tui::app::Reaction;
use crate::tui::config::Theme;
use crate::tui::input::LineInput;

use super::centered;

/// One variable asked for; `environment` is the index of the environment
/// chosen, switched to once every prompt of it is answered or declined.
#[derive(Debug, Clone)]
pub struct AskSecret {
    pub environment: usize,
    pub variable: String,
    pub label: String,
    origin: Origin,
    input: LineInput,
}

/// What a key did to the prompt.
pub enum Asked {
    /// Still typing.
    Typing,
    /// Answered or declined: go on switching to the environment.
    Done(usize),
}

impl AskSecret {
    pub fn new(environment: usize, source: &VariableSource) -> Self {
        let label = match &source.origin {
            Origin::Prompt { label } => label.clone(),
            other => other.to_string(),
        };
        Self {
            environment,
            variable: source.variable.clone(),
            label,
            origin: source.origin.clone(),
            input: LineInput::new(""),
        }
    }

    /// Enter hands the value over (an empty one is not an answer); Esc
    /// declines, leaving the variable without a value this session.
    pub fn on_key(&mut self, key: &KeyEvent) -> Asked {
        match key.code {
            KeyCode::Enter if self.input.text().is_empty() => Asked::Typing,
            KeyCode::Enter => {
                sources::answer(&self.origin, self.input.text().to_string());
                Asked::Done(self.environment)
            }
            KeyCode::Esc => {
                sources::decline(&self.origin);
                Asked::Done(self.environment)
            }
            _ => {
                self.input.handle_key(key);
                Asked::Typing
            }
        }
    }

    pub fn paste(&mut self, text: &str) {
        self.input.insert_str(text);
    }

    /// The notice after a decline.
    pub fn declined(&self) -> Reaction {
        Reaction::notice(
            format!("`{}` has no value this session", self.variable),
            true,
        )
    }

    pub fn render(&self, frame: &mut Frame, area: Rect, theme: &Theme) {
        let r = centered(area, 70, 4);
        frame.render_widget(Clear, r);
        let typed = self.input.text().chars().count();
        let lines = vec![
            Line::from(Span::styled(
                format!("`{}`, kept in memory for this session only", self.variable),
                theme.muted(),
            )),
            Line::from("•".repeat(typed)),
        ];
        frame.render_widget(
            Paragraph::new(lines).block(
                Block::default()
                    .borders(Borders::ALL)
                    .border_style(theme.border(true))
                    .title(Span::styled(format!(" {} ", self.label), theme.title())),
            ),
            r,
        );
        let x = r.x + 1 + u16::try_from(typed).unwrap_or(0);
        frame.set_cursor_position(Position::new(x.min(r.right().saturating_sub(2)), r.y + 2));
    }
}

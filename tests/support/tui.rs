//! The TUI test harness shared by tests/tui.rs, tests/tui_store.rs and
//! tests/tui_faults.rs: the real [`App`] on ratatui's `TestBackend`, keys
//! pressed as the terminal would deliver them, and the screen read back as
//! text.
//!
//! Each test binary uses a different part of it, and the binaries that
//! only want the servers (tests/engine.rs, ...) use none of it: the
//! `allow(dead_code)` at the top of support/mod.rs covers this module too.

use std::time::{Duration, Instant};

use crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
use portico::tui::{App, Msg, TuiContext};
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;

/// How long [`Harness::settle`] waits for sends, reads and flows to end.
/// Generous: a loaded machine is slow, and a hang fails anyway.
pub const SETTLE_LIMIT: Duration = Duration::from_secs(30);

/// A drawn buffer as text, one line a row.
pub fn text_of(buffer: &Buffer) -> String {
    let mut out = String::new();
    for y in 0..buffer.area.height {
        for x in 0..buffer.area.width {
            out.push_str(buffer[(x, y)].symbol());
        }
        out.push('\n');
    }
    out
}

pub struct Harness {
    pub app: App<TestBackend>,
}

impl Harness {
    /// The app on a `width` x `height` terminal, first frame drawn.
    pub fn start(ctx: TuiContext, width: u16, height: u16) -> Self {
        let mut app = App::new(ctx, TestBackend::new(width, height)).expect("app");
        app.draw().expect("first frame");
        Self { app }
    }

    pub fn key(&mut self, code: KeyCode) {
        self.key_mod(code, KeyModifiers::NONE);
    }

    pub fn key_mod(&mut self, code: KeyCode, mods: KeyModifiers) {
        self.app
            .handle(Msg::Input(Event::Key(KeyEvent::new(code, mods))));
        self.app.draw().expect("draw");
    }

    /// Text pasted into the terminal (bracketed paste).
    pub fn paste(&mut self, text: &str) {
        self.app.handle(Msg::Input(Event::Paste(text.to_string())));
        self.app.draw().expect("draw");
    }

    /// The word that starts with `start` on screen, put back together
    /// where the pane it is in wrapped it over several rows (a long URL).
    pub fn wrapped_word(&self, start: &str) -> Option<String> {
        let screen = self.screen();
        let rows: Vec<Vec<char>> = screen.lines().map(|l| l.chars().collect()).collect();
        let needle: Vec<char> = start.chars().collect();
        let (y, x) = rows.iter().enumerate().find_map(|(y, row)| {
            row.windows(needle.len())
                .position(|w| w == needle.as_slice())
                .map(|x| (y, x))
        })?;
        // The pane's inner edges: the borders left and right of the word.
        let left = rows[y][..x]
            .iter()
            .rposition(|c| *c == '│')
            .map_or(0, |b| b + 1);
        let right = x + rows[y][x..].iter().position(|c| *c == '│')?;
        let mut word = String::new();
        for (i, row) in rows[y..].iter().enumerate() {
            let from = if i == 0 { x } else { left };
            for c in row.get(from..right)? {
                if c.is_whitespace() {
                    return Some(word);
                }
                word.push(*c);
            }
        }
        Some(word)
    }

    pub fn type_text(&mut self, text: &str) {
        for c in text.chars() {
            self.key(KeyCode::Char(c));
        }
    }

    /// Opens an operation through the catalog filter, as a user would.
    pub fn open(&mut self, filter: &str) {
        self.key(KeyCode::Char('/'));
        // A filter typed before may still be there.
        self.key_mod(KeyCode::Char('u'), KeyModifiers::CONTROL);
        self.type_text(filter);
        self.key(KeyCode::Enter);
    }

    /// The open operation's request URL (masked); panics if none is open
    /// or it does not build.
    pub fn url(&self) -> String {
        self.app
            .request_url()
            .expect("an operation is open")
            .expect("the request builds")
    }

    pub fn buffer(&self) -> Buffer {
        self.app.backend().buffer().clone()
    }

    /// The screen as text, one line a row.
    pub fn screen(&self) -> String {
        text_of(self.app.backend().buffer())
    }

    /// The row that contains `needle`, if any.
    pub fn line_with(&self, needle: &str) -> Option<String> {
        self.screen()
            .lines()
            .find(|l| l.contains(needle))
            .map(str::to_string)
    }

    #[track_caller]
    pub fn assert_screen(&self, needle: &str) {
        let screen = self.screen();
        assert!(
            screen.contains(needle),
            "`{needle}` not on screen:\n{screen}"
        );
    }

    #[track_caller]
    pub fn assert_not_screen(&self, needle: &str) {
        let screen = self.screen();
        assert!(!screen.contains(needle), "`{needle}` on screen:\n{screen}");
    }

    /// Steps the loop until no send, read or flow is under way.
    pub async fn settle(&mut self) {
        self.settle_within(SETTLE_LIMIT).await;
    }

    /// Steps until nothing is under way; fails if that takes `limit`.
    /// Returns how long it took.
    pub async fn settle_within(&mut self, limit: Duration) -> Duration {
        let started = Instant::now();
        self.app.settle(limit).await.expect("the request ended");
        started.elapsed()
    }

    /// Steps the loop until `needle` is on screen; fails after `limit`.
    pub async fn wait_for(&mut self, needle: &str, limit: Duration) {
        let deadline = tokio::time::Instant::now() + limit;
        while !self.screen().contains(needle) {
            match tokio::time::timeout_at(deadline, self.app.step()).await {
                Ok(r) => {
                    r.expect("step");
                }
                Err(_) => panic!(
                    "`{needle}` not on screen after {limit:?}:\n{}",
                    self.screen()
                ),
            }
        }
    }

    /// Steps the loop for `wait`, whatever arrives.
    pub async fn run_for(&mut self, wait: Duration) {
        let deadline = tokio::time::Instant::now() + wait;
        while tokio::time::Instant::now() < deadline {
            if let Ok(r) = tokio::time::timeout_at(deadline, self.app.step()).await {
                r.expect("step");
            }
        }
    }

    /// The text on screen from `start` on, up to a pane border (`│`),
    /// wrapped lines joined until an empty one.
    pub fn message(&self, start: &str) -> String {
        let buffer = self.app.backend().buffer();
        let area = buffer.area;
        let found = (0..area.height).find_map(|y| {
            let row: String = (0..area.width).map(|x| buffer[(x, y)].symbol()).collect();
            let at = row.find(start)?;
            Some((u16::try_from(row[..at].chars().count()).expect("column"), y))
        });
        let Some((x0, y0)) = found else {
            panic!("no `{start}` on screen:\n{}", self.screen());
        };
        let mut parts = Vec::new();
        for y in y0..area.height {
            let mut row = String::new();
            for x in x0..area.width {
                let symbol = buffer[(x, y)].symbol();
                if symbol == "│" {
                    break;
                }
                row.push_str(symbol);
            }
            let row = row.trim().to_string();
            if row.is_empty() {
                break;
            }
            parts.push(row);
        }
        parts.join(" ")
    }

    /// Resizes the terminal and tells the app, as a terminal would.
    pub fn resize(&mut self, width: u16, height: u16) {
        self.app.terminal_mut().backend_mut().resize(width, height);
        self.app.handle(Msg::Input(Event::Resize(width, height)));
        self.app.draw().expect("draw");
    }
}

//! A one-line text field (filter box, parameter and header values): raw
//! keys in, text and a cursor out. Multi-line text uses tui-textarea.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use unicode_width::UnicodeWidthStr;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LineInput {
    text: String,
    /// Cursor as a byte offset, always on a char boundary.
    cursor: usize,
}

/// What a key did to the field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InputResult {
    Changed,
    Moved,
    /// The key means nothing to a text field; the caller may use it.
    Ignored,
}

impl LineInput {
    pub fn new(text: impl Into<String>) -> Self {
        let text = text.into();
        let cursor = text.len();
        Self { text, cursor }
    }

    pub fn text(&self) -> &str {
        &self.text
    }

    /// Display columns before the cursor, for placing the terminal cursor.
    pub fn cursor_column(&self) -> usize {
        self.text[..self.cursor].width()
    }

    pub fn insert_str(&mut self, s: &str) {
        // A pasted newline would break a one-line value.
        let clean: String = s.chars().filter(|c| *c != '\n' && *c != '\r').collect();
        self.text.insert_str(self.cursor, &clean);
        self.cursor += clean.len();
    }

    fn prev_boundary(&self) -> usize {
        self.text[..self.cursor]
            .char_indices()
            .next_back()
            .map_or(0, |(i, _)| i)
    }

    fn next_boundary(&self) -> usize {
        self.text[self.cursor..]
            .chars()
            .next()
            .map_or(self.cursor, |c| self.cursor + c.len_utf8())
    }

    fn word_start(&self) -> usize {
        let before = &self.text[..self.cursor];
        let trimmed = before.trim_end();
        trimmed
            .char_indices()
            .rev()
            .find(|(_, c)| c.is_whitespace() || matches!(c, '/' | '&' | '=' | ',' | '.'))
            .map_or(0, |(i, c)| i + c.len_utf8())
    }

    pub fn handle_key(&mut self, key: &KeyEvent) -> InputResult {
        let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
        match key.code {
            KeyCode::Char(c) if !ctrl && !key.modifiers.contains(KeyModifiers::ALT) => {
                self.text.insert(self.cursor, c);
                self.cursor += c.len_utf8();
                InputResult::Changed
            }
            KeyCode::Char('a') if ctrl => {
                self.cursor = 0;
                InputResult::Moved
            }
            KeyCode::Char('e') if ctrl => {
                self.cursor = self.text.len();
                InputResult::Moved
            }
            KeyCode::Char('u') if ctrl => {
                self.text.drain(..self.cursor);
                self.cursor = 0;
                InputResult::Changed
            }
            KeyCode::Char('k') if ctrl => {
                self.text.truncate(self.cursor);
                InputResult::Changed
            }
            KeyCode::Char('w') if ctrl => {
                let start = self.word_start();
                self.text.drain(start..self.cursor);
                self.cursor = start;
                InputResult::Changed
            }
            KeyCode::Backspace if ctrl || key.modifiers.contains(KeyModifiers::ALT) => {
                let start = self.word_start();
                self.text.drain(start..self.cursor);
                self.cursor = start;
                InputResult::Changed
            }
            KeyCode::Backspace => {
                if self.cursor == 0 {
                    return InputResult::Moved;
                }
                let start = self.prev_boundary();
                self.text.drain(start..self.cursor);
                self.cursor = start;
                InputResult::Changed
            }
            KeyCode::Delete => {
                let end = self.next_boundary();
                if end == self.cursor {
                    return InputResult::Moved;
                }
                self.text.drain(self.cursor..end);
                InputResult::Changed
            }
            KeyCode::Left => {
                self.cursor = self.prev_boundary();
                InputResult::Moved
            }
            KeyCode::Right => {
                self.cursor = self.next_boundary();
                InputResult::Moved
            }
            KeyCode::Home => {
                self.cursor = 0;
                InputResult::Moved
            }
            KeyCode::End => {
                self.cursor = self.text.len();
                InputResult::Moved
            }
            _ => InputResult::Ignored,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(code: KeyCode) -> KeyEvent {
        KeyEvent::new(code, KeyModifiers::NONE)
    }

    #[test]
    fn typing_editing_and_unicode() {
        let mut input = LineInput::new("ab");
        input.handle_key(&key(KeyCode::Char('é')));
        assert_eq!(input.text(), "abé");
        input.handle_key(&key(KeyCode::Left));
        input.handle_key(&key(KeyCode::Backspace));
        assert_eq!(input.text(), "aé");
        input.handle_key(&key(KeyCode::Home));
        input.handle_key(&key(KeyCode::Delete));
        assert_eq!(input.text(), "é");
        input.handle_key(&key(KeyCode::End));
        input.insert_str("x\ny");
        assert_eq!(input.text(), "éxy");
        assert_eq!(input.cursor_column(), 3);
        input.handle_key(&KeyEvent::new(KeyCode::Char('u'), KeyModifiers::CONTROL));
        assert_eq!(input.text(), "");
        assert_eq!(input.handle_key(&key(KeyCode::Up)), InputResult::Ignored);
    }

    #[test]
    fn word_delete() {
        let mut input = LineInput::new("Bearer abc.def");
        input.handle_key(&KeyEvent::new(KeyCode::Char('w'), KeyModifiers::CONTROL));
        assert_eq!(input.text(), "Bearer abc.");
    }
}

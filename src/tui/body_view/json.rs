//! Pretty JSON: validated and re-indented in one pass, and a tokenizer
//! that colours a pretty line from any checkpoint.

use super::{Doc, JSON_INDENT};

/// Validates `src` as JSON (serde_json, so errors carry line and column)
/// and re-indents it in one pass. Tokens are copied as sent: numbers keep
/// their spelling, duplicate keys and key order are kept, because the
/// viewer shows what the server said.
pub(super) fn pretty_json(src: &str) -> Result<Doc, serde_json::Error> {
    serde_json::from_str::<serde::de::IgnoredAny>(src)?;
    Ok(reindent(src))
}

/// Re-indents `src` without checking it: for the start of a large answer,
/// cut anywhere, shown while the whole of it is checked and laid out.
/// Lines come out as [`pretty_json`] makes them for the whole text.
pub(super) fn reindent(src: &str) -> Doc {
    let b = src.as_bytes();
    let mut out = String::with_capacity(src.len() + src.len() / 2);
    let mut starts = vec![0];
    let mut keys = vec![false];
    // Whether each open container is an object.
    let mut stack: Vec<bool> = Vec::new();
    let mut expect_key = false;
    let newline = |out: &mut String, starts: &mut Vec<usize>, keys: &mut Vec<bool>, depth| {
        out.push('\n');
        starts.push(out.len());
        keys.push(false);
        out.extend(std::iter::repeat_n(' ', depth * JSON_INDENT));
    };
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b' ' | b'\n' | b'\r' | b'\t' => i += 1,
            open @ (b'{' | b'[') => {
                let close = if open == b'{' { b'}' } else { b']' };
                let j = skip_ws(b, i + 1);
                out.push(char::from(open));
                if b.get(j) == Some(&close) {
                    out.push(char::from(close));
                    i = j + 1;
                    expect_key = false;
                } else {
                    stack.push(open == b'{');
                    expect_key = open == b'{';
                    newline(&mut out, &mut starts, &mut keys, stack.len());
                    i += 1;
                }
            }
            close @ (b'}' | b']') => {
                stack.pop();
                newline(&mut out, &mut starts, &mut keys, stack.len());
                out.push(char::from(close));
                i += 1;
            }
            b',' => {
                out.push(',');
                newline(&mut out, &mut starts, &mut keys, stack.len());
                expect_key = stack.last() == Some(&true);
                i += 1;
            }
            b':' => {
                out.push_str(": ");
                i += 1;
            }
            b'"' => {
                let end = string_end(b, i);
                if expect_key {
                    if let Some(k) = keys.last_mut() {
                        *k = true;
                    }
                    expect_key = false;
                }
                out.push_str(src.get(i..end).unwrap_or(""));
                i = end;
            }
            _ => {
                let end = scalar_end(b, i);
                out.push_str(src.get(i..end).unwrap_or(""));
                i = end;
            }
        }
    }
    Doc::Text {
        text: out,
        starts,
        keys: Some(keys),
    }
}

fn skip_ws(b: &[u8], mut i: usize) -> usize {
    while matches!(b.get(i), Some(b' ' | b'\n' | b'\r' | b'\t')) {
        i += 1;
    }
    i
}

/// End (exclusive) of the string starting at the quote at `start`.
fn string_end(b: &[u8], start: usize) -> usize {
    let mut i = start + 1;
    while i < b.len() {
        match b[i] {
            b'\\' => i += 2,
            b'"' => return i + 1,
            _ => i += 1,
        }
    }
    b.len()
}

/// End (exclusive) of a number or literal starting at `start` (at least one
/// byte, so that the caller always moves on).
fn scalar_end(b: &[u8], start: usize) -> usize {
    let mut i = start + 1;
    while i < b.len()
        && !matches!(
            b[i],
            b' ' | b'\n' | b'\r' | b'\t' | b',' | b':' | b'{' | b'}' | b'[' | b']' | b'"'
        )
    {
        i += 1;
    }
    i
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Tok {
    Plain,
    Punct,
    Key,
    Str,
    Number,
    Literal,
}

/// Where the tokenizer is in a line: enough to resume it from a checkpoint.
#[derive(Debug, Clone, Copy)]
pub(super) struct LexState {
    pub(super) pos: usize,
    kind: Tok,
    in_string: bool,
    escaped: bool,
    /// Where the key starts, on a line that starts with one.
    key_at: Option<usize>,
}

impl LexState {
    pub(super) fn new(line: &str, key_line: bool) -> Self {
        LexState {
            pos: 0,
            kind: Tok::Plain,
            in_string: false,
            escaped: false,
            key_at: if key_line {
                line.bytes().position(|b| b != b' ')
            } else {
                None
            },
        }
    }
}

/// Classifies the bytes of one pretty JSON line, left to right, as far as
/// it is asked: a line always starts outside a string, because the pretty
/// printer never breaks one.
pub(super) struct JsonLexer<'a> {
    bytes: &'a [u8],
    pub(super) st: LexState,
}

impl<'a> JsonLexer<'a> {
    #[cfg(test)]
    pub(super) fn new(line: &'a str, key_line: bool) -> Self {
        Self::resume(line.as_bytes(), LexState::new(line, key_line))
    }

    pub(super) fn resume(bytes: &'a [u8], st: LexState) -> Self {
        JsonLexer { bytes, st }
    }

    /// The token kind of the byte at `offset` (offsets must not go back).
    pub(super) fn kind_at(&mut self, offset: usize) -> Tok {
        self.advance_to(offset.saturating_add(1));
        self.st.kind
    }

    /// Classifies every byte before `end`.
    pub(super) fn advance_to(&mut self, end: usize) {
        let end = end.min(self.bytes.len());
        while self.st.pos < end {
            if self.st.in_string && !self.st.escaped {
                // Most of a long string is neither a quote nor a backslash.
                let rest = &self.bytes[self.st.pos..end];
                match rest.iter().position(|&b| b == b'"' || b == b'\\') {
                    Some(skip) => self.st.pos += skip,
                    None => {
                        self.st.pos = end;
                        break;
                    }
                }
            }
            self.step();
        }
    }

    fn step(&mut self) {
        let st = &mut self.st;
        let b = self.bytes[st.pos];
        if st.in_string {
            if st.escaped {
                st.escaped = false;
            } else if b == b'\\' {
                st.escaped = true;
            } else if b == b'"' {
                st.in_string = false;
            }
        } else {
            st.kind = match b {
                b'"' => {
                    st.in_string = true;
                    if st.key_at == Some(st.pos) {
                        Tok::Key
                    } else {
                        Tok::Str
                    }
                }
                b'{' | b'}' | b'[' | b']' | b',' | b':' => Tok::Punct,
                b'0'..=b'9' | b'-' => Tok::Number,
                b'.' | b'+' | b'e' | b'E' if st.kind == Tok::Number => Tok::Number,
                b if b.is_ascii_alphabetic() => Tok::Literal,
                _ => Tok::Plain,
            };
        }
        st.pos += 1;
    }
}

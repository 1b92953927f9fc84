//! Searching a body: smart-case matches over the pretty text (or the raw
//! bytes of a hex dump), counted up to a limit, and moving between them.

use std::ops::Range;

use super::{BodyView, Doc, HEX_WIDTH, MAX_MATCHES, Search};

impl BodyView {
    // ----- search -----

    /// Searches the document (the pretty text, or the raw bytes of a hex
    /// dump) for `query`, highlights every match, and moves to the first
    /// match at or below the top of the view. Smart case: a query without
    /// capitals ignores ASCII case. An empty query clears the search.
    pub fn set_search(&mut self, query: &str) {
        if query == self.search.query {
            return;
        }
        self.search = Search {
            query: query.to_string(),
            ..Search::default()
        };
        if query.is_empty() {
            return;
        }
        let fold = !query.chars().any(char::is_uppercase);
        let needle = if fold {
            query.to_ascii_lowercase()
        } else {
            query.to_string()
        };
        let (matches, truncated) = match &self.doc {
            Doc::Empty => (Vec::new(), false),
            Doc::Text { text, .. } => {
                let hay = if fold {
                    self.folded_text
                        .get_or_insert_with(|| text.to_ascii_lowercase())
                        .as_str()
                } else {
                    text.as_str()
                };
                find_all_str(hay, &needle)
            }
            Doc::Hex => {
                let hay = if fold {
                    self.folded_raw
                        .get_or_insert_with(|| self.raw.to_ascii_lowercase())
                        .as_slice()
                } else {
                    &self.raw[..]
                };
                find_all_bytes(hay, needle.as_bytes())
            }
        };
        self.search.matches = matches;
        self.search.truncated = truncated;
        if self.search.matches.is_empty() {
            return;
        }
        let top_offset = match &self.doc {
            Doc::Empty => 0,
            Doc::Text { starts, .. } => starts.get(self.top.line).copied().unwrap_or(0),
            Doc::Hex => self.top.line.saturating_mul(HEX_WIDTH),
        };
        let first = self
            .search
            .matches
            .partition_point(|m| m.start < top_offset);
        let first = if first < self.search.matches.len() {
            first
        } else {
            0
        };
        self.search.current = Some(first);
        self.reveal(first);
    }

    pub fn clear_search(&mut self) {
        self.search = Search::default();
    }

    /// Moves to the next match (after the last, the first) and scrolls to it.
    pub fn next_match(&mut self) {
        let n = self.search.matches.len();
        if n == 0 {
            return;
        }
        let i = self.search.current.map_or(0, |c| (c + 1) % n);
        self.search.current = Some(i);
        self.reveal(i);
    }

    /// Moves to the previous match (before the first, the last) and scrolls to it.
    pub fn prev_match(&mut self) {
        let n = self.search.matches.len();
        if n == 0 {
            return;
        }
        let i = self.search.current.map_or(n - 1, |c| (c + n - 1) % n);
        self.search.current = Some(i);
        self.reveal(i);
    }

    pub fn search_query(&self) -> &str {
        &self.search.query
    }

    /// Matches found (at most [`MAX_MATCHES`]).
    pub fn match_count(&self) -> usize {
        self.search.matches.len()
    }

    /// Whether there were more matches than [`MAX_MATCHES`].
    pub fn matches_truncated(&self) -> bool {
        self.search.truncated
    }

    /// Index (from 0) of the current match.
    pub fn current_match(&self) -> Option<usize> {
        self.search.current
    }

    /// For a status line: `None` without a search, else `3/17`,
    /// `3/1000000+` or `no match`.
    pub fn search_status(&self) -> Option<String> {
        if self.search.query.is_empty() {
            return None;
        }
        let total = self.match_count();
        if total == 0 {
            return Some("no match".to_string());
        }
        let plus = if self.search.truncated { "+" } else { "" };
        let current = self.search.current.map_or(0, |c| c + 1);
        Some(format!("{current}/{total}{plus}"))
    }
}

fn find_all_str(hay: &str, needle: &str) -> (Vec<Range<usize>>, bool) {
    let mut out = Vec::new();
    for (i, m) in hay.match_indices(needle) {
        if out.len() == MAX_MATCHES {
            return (out, true);
        }
        out.push(i..i + m.len());
    }
    (out, false)
}

fn find_all_bytes(hay: &[u8], needle: &[u8]) -> (Vec<Range<usize>>, bool) {
    let mut out = Vec::new();
    let Some(&first) = needle.first() else {
        return (out, false);
    };
    let mut i = 0;
    while let Some(p) = hay
        .get(i..)
        .and_then(|h| h.iter().position(|&b| b == first))
    {
        let s = i + p;
        if hay.get(s..).is_some_and(|h| h.starts_with(needle)) {
            if out.len() == MAX_MATCHES {
                return (out, true);
            }
            out.push(s..s + needle.len());
            i = s + needle.len();
        } else {
            i = s + 1;
        }
    }
    (out, false)
}

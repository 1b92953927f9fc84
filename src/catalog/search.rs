//! Fuzzy search over every operation of a catalog: method, path, title,
//! summary, tags, operationId and API id, ranked best first.
//!
//! Haystacks are built once per catalog; a query is one linear scan that
//! scores each haystack in place (no allocation per operation), so a
//! keystroke costs the same whatever the size of the definitions behind it.

use std::sync::Mutex;

use nucleo_matcher::pattern::{CaseMatching, Normalization, Pattern};
use nucleo_matcher::{Config, Matcher, Utf32String};

use super::model::Catalog;

/// One operation found by a query.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SearchHit {
    pub api: usize,
    pub op: usize,
    /// Higher is better; 0 for an empty query.
    pub score: u32,
}

/// Prebuilt haystacks of a catalog's operations, in catalog order.
pub struct SearchIndex {
    entries: Vec<(usize, usize, Utf32String)>,
    matcher: Mutex<Matcher>,
}

impl std::fmt::Debug for SearchIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SearchIndex")
            .field("operations", &self.entries.len())
            .finish_non_exhaustive()
    }
}

impl SearchIndex {
    pub fn new(catalog: &Catalog) -> Self {
        let mut entries = Vec::new();
        for (a, api) in catalog.apis.iter().enumerate() {
            for (o, op) in api.operations.iter().enumerate() {
                let mut text = format!("{} {}", op.method, op.path);
                for part in [&op.display_name, &op.summary, &op.operation_id]
                    .into_iter()
                    .flatten()
                {
                    text.push(' ');
                    text.push_str(part);
                }
                for tag in &op.tags {
                    text.push(' ');
                    text.push_str(tag);
                }
                text.push(' ');
                text.push_str(&api.id);
                entries.push((a, o, Utf32String::from(text)));
            }
        }
        Self {
            entries,
            matcher: Mutex::new(Matcher::new(Config::DEFAULT)),
        }
    }

    /// How many operations the index holds.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The best `limit` matches for `query`, best first; ties keep catalog
    /// order. An empty query returns every operation in catalog order.
    /// Words are matched independently (all must match).
    pub fn query(&self, query: &str, limit: usize) -> Vec<SearchHit> {
        if query.trim().is_empty() {
            return self
                .entries
                .iter()
                .take(limit)
                .map(|(api, op, _)| SearchHit {
                    api: *api,
                    op: *op,
                    score: 0,
                })
                .collect();
        }
        let pattern = Pattern::parse(query, CaseMatching::Smart, Normalization::Smart);
        let mut matcher = self
            .matcher
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let mut hits: Vec<SearchHit> = self
            .entries
            .iter()
            .filter_map(|(api, op, haystack)| {
                pattern
                    .score(haystack.slice(..), &mut matcher)
                    .map(|score| SearchHit {
                        api: *api,
                        op: *op,
                        score,
                    })
            })
            .collect();
        // Stable: equal scores stay in catalog order.
        hits.sort_by_key(|hit| std::cmp::Reverse(hit.score));
        hits.truncate(limit);
        hits
    }
}

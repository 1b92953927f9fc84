//! Fuzzy search over every operation of a catalog: method, path, title,
//! summary, tags, operationId and API id, ranked best first.
//!
//! Haystacks are built once per catalog; a query is one linear scan that
//! scores each haystack in place (no allocation per operation), so a
//! keystroke costs the same whatever the size of the definitions behind it.

use std::sync::Mutex;

use nucleo_matcher::pattern::{AtomKind, CaseMatching, Normalization, Pattern};
use nucleo_matcher::{Config, Matcher, Utf32Str, Utf32String};

use super::model::Catalog;

/// How many of the greedy pass's best matches are scored optimally.
pub const RESCORE: usize = 128;

/// One operation found by a query.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SearchHit {
    pub api: usize,
    pub op: usize,
    /// Higher is better; 0 for an empty query.
    pub score: u32,
}

/// One operation's haystack: `METHOD /path` first (its first `head`
/// characters), then the words that describe it.
struct Entry {
    api: usize,
    op: usize,
    text: Utf32String,
    head: usize,
}

/// Prebuilt haystacks of a catalog's operations, in catalog order.
pub struct SearchIndex {
    entries: Vec<Entry>,
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
                let head = text.chars().count();
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
                // The API id tells APIs apart; with one API it only lengthens
                // every haystack (and matching is quadratic in that length).
                if catalog.apis.len() > 1 {
                    text.push(' ');
                    text.push_str(&api.id);
                }
                entries.push(Entry {
                    api: a,
                    op: o,
                    text: Utf32String::from(text),
                    head,
                });
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
    /// Words are matched independently (all must match), with nucleo's
    /// pattern syntax (`^prefix`, `suffix$`, `'exact`, `!not`).
    ///
    /// Every haystack is first scored with the linear greedy matcher; only
    /// the best [`RESCORE`] are scored again with the optimal (quadratic)
    /// one. An optimal score is never below the greedy one of the same
    /// haystack, so the ranking stays ordered by score throughout.
    pub fn query(&self, query: &str, limit: usize) -> Vec<SearchHit> {
        if query.trim().is_empty() {
            return self
                .entries
                .iter()
                .take(limit)
                .map(|e| SearchHit {
                    api: e.api,
                    op: e.op,
                    score: 0,
                })
                .collect();
        }
        // Case never matters: methods are upper case, paths lower, summaries mixed.
        let pattern = Pattern::parse(query, CaseMatching::Ignore, Normalization::Smart);
        let mut matcher = self
            .matcher
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let matcher = &mut *matcher;
        // Scoring an empty haystack makes the matcher adopt the atom's case
        // and normalisation settings, which the greedy pass needs too.
        let settings: Vec<(bool, bool)> = pattern
            .atoms
            .iter()
            .map(|atom| {
                let _ = atom.score(Utf32Str::Ascii(b""), matcher);
                (matcher.config.ignore_case, matcher.config.normalize)
            })
            .collect();

        let mut scored: Vec<(u32, usize)> = Vec::new();
        'entries: for (i, entry) in self.entries.iter().enumerate() {
            let haystack = entry.text.slice(..);
            let mut total = 0u32;
            for (atom, (ignore_case, normalize)) in pattern.atoms.iter().zip(&settings) {
                let score = if atom.kind == AtomKind::Fuzzy && !atom.negative {
                    matcher.config.ignore_case = *ignore_case;
                    matcher.config.normalize = *normalize;
                    matcher.fuzzy_match_greedy(haystack, atom.needle_text())
                } else {
                    atom.score(haystack, matcher)
                };
                match score {
                    Some(score) => total += u32::from(score),
                    None => continue 'entries,
                }
            }
            scored.push((total, i));
        }

        let best_first = |a: &(u32, usize), b: &(u32, usize)| b.0.cmp(&a.0).then(a.1.cmp(&b.1));
        let head = scored.len().min(RESCORE);
        if scored.len() > head {
            scored.select_nth_unstable_by(head - 1, best_first);
        }
        for (score, i) in &mut scored[..head] {
            let entry = &self.entries[*i];
            if let Some(optimal) = pattern.score(entry.text.slice(..), matcher) {
                *score = optimal.max(*score);
            }
            // A word found in the method and path names the operation more
            // surely than one in its summary: `get headers` is `GET
            // /headers` before an operation that mentions headers.
            for atom in pattern.atoms.iter().filter(|a| !a.negative) {
                if let Some(bonus) = atom.score(entry.text.slice(..entry.head), matcher) {
                    *score += u32::from(bonus);
                }
            }
        }
        scored[..head].sort_unstable_by(best_first);
        if scored.len() > head && limit > head {
            scored[head..].sort_unstable_by(best_first);
        }
        scored
            .into_iter()
            .take(limit)
            .map(|(score, i)| SearchHit {
                api: self.entries[i].api,
                op: self.entries[i].op,
                score,
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::{Api, Operation};

    fn catalog(paths: &[String]) -> Catalog {
        Catalog {
            apis: vec![Api {
                id: "big".into(),
                operations: paths
                    .iter()
                    .map(|path| Operation {
                        method: "GET".into(),
                        path: path.clone(),
                        ..Operation::default()
                    })
                    .collect(),
                ..Api::default()
            }],
            ..Catalog::default()
        }
    }

    /// httpbin's case: `get headers` finds `GET /headers` before an
    /// operation whose summary mentions headers and comes first.
    #[test]
    fn words_in_the_method_and_path_rank_first() {
        let op = |path: &str, summary: &str| Operation {
            method: "GET".into(),
            path: path.into(),
            summary: Some(summary.into()),
            ..Operation::default()
        };
        let catalog = Catalog {
            apis: vec![Api {
                id: "httpbin".into(),
                operations: vec![
                    op(
                        "/etag/{etag}",
                        "Assumes the resource has the given etag and responds to If-None-Match and If-Match headers appropriately.",
                    ),
                    op(
                        "/response-headers",
                        "Returns a set of response headers from the query string.",
                    ),
                    op("/headers", "Return the incoming request's HTTP headers."),
                ],
                ..Api::default()
            }],
            ..Catalog::default()
        };
        let index = SearchIndex::new(&catalog);
        let paths = |q: &str| -> Vec<&str> {
            index
                .query(q, 3)
                .iter()
                .map(|h| catalog.operation((h.api, h.op)).1.path.as_str())
                .collect()
        };
        assert_eq!(paths("get headers")[0], "/headers");
        assert_eq!(paths("headers")[0], "/headers");
        assert_eq!(paths("etag")[0], "/etag/{etag}");
    }

    #[test]
    fn many_matches_keep_the_best_first_and_scores_ordered() {
        let mut paths: Vec<String> = (0..1000)
            .map(|i| format!("/i-s-s-u-e-s/{i}/teams/c-o-m-m-e-n-t-s/reactions"))
            .collect();
        paths.push("/issues/comments".into());
        let catalog = catalog(&paths);
        let index = SearchIndex::new(&catalog);
        let hits = index.query("issues comments", usize::MAX);
        assert_eq!(hits.len(), 1001);
        assert_eq!(hits[0].op, 1000, "the tight match ranks first");
        assert!(hits.windows(2).all(|w| w[0].score >= w[1].score));
        assert_eq!(index.query("issues comments", 5).len(), 5);
        assert!(
            index
                .query("!reactions comments", 10)
                .iter()
                .all(|h| h.op == 1000)
        );
        assert_eq!(index.query("^GET 'teams", 3).len(), 3);
    }
}

//! Operation search as people type: which operations a query finds, how
//! many, and in what order.
//!
//! Every word of a query must be found (in any order) in some field of an
//! operation: its method, path, summary, operationId, tags, parameter names,
//! description or API id. A word counts where it is found best: whole
//! before as a prefix before with a typo, and in a name (summary,
//! operationId, method, path) before in a description. A query starting
//! with `/` is a path, matched segment by segment. Letters scattered across
//! unrelated words never make a match.
//!
//! The index (`index`) keeps each distinct word once with the operations
//! that hold it, so a keystroke costs the words it finds, not the size of
//! the definitions behind it.

mod index;
mod query;
mod score;
mod words;

/// The bounded edit distance, for other near-miss suggestions (the CLI's
/// misspelled parameter names).
pub(crate) use self::words::distance_within;

use self::index::Index;
use self::query::parse;
use self::score::{Scratch, Tally, cover_bonus, tally_term};
use super::model::Catalog;

use std::sync::{Arc, Mutex, OnceLock, PoisonError};
use std::thread::JoinHandle;

/// Catalogs with fewer operations than this get their index at once: a
/// thread would cost more than the index.
const INDEX_IN_BACKGROUND_FROM: usize = 2_000;

/// One operation found by a query.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SearchHit {
    pub api: usize,
    pub op: usize,
    /// Higher is better; 0 for an empty query.
    pub score: u32,
}

/// The best hits of a query, and how many operations it found in all.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SearchResult {
    /// Best first, at most the limit asked for.
    pub hits: Vec<SearchHit>,
    /// Every operation the query found, shown or not.
    pub total: usize,
}

/// A catalog's index, built on a thread of its own while the first screen
/// is drawn: Microsoft Graph's 11,000 operations take longer to index than
/// to show. Whoever searches before it is ready waits for it.
#[derive(Debug)]
pub struct BackgroundIndex {
    ready: OnceLock<SearchIndex>,
    building: Mutex<Option<JoinHandle<SearchIndex>>>,
}

impl BackgroundIndex {
    /// Starts indexing `catalog` (at once when it is small, or when no
    /// thread can be started).
    pub fn spawn(catalog: &Arc<Catalog>) -> Self {
        let operations: usize = catalog.apis.iter().map(|a| a.operations.len()).sum();
        let mut building = None;
        if operations >= INDEX_IN_BACKGROUND_FROM {
            let indexing = Arc::clone(catalog);
            building = std::thread::Builder::new()
                .name("search-index".into())
                .spawn(move || SearchIndex::new(&indexing))
                .ok();
        }
        let ready = OnceLock::new();
        if building.is_none() {
            let _ = ready.set(SearchIndex::new(catalog));
        }
        Self {
            ready,
            building: Mutex::new(building),
        }
    }

    /// The index, once built (waiting for it if need be).
    pub fn get(&self) -> &SearchIndex {
        self.ready.get_or_init(|| {
            let handle = self
                .building
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .take();
            match handle.map(JoinHandle::join) {
                Some(Ok(index)) => index,
                // A bug in indexing surfaces here as it would have where
                // the index was built: the panic goes on.
                Some(Err(panic)) => std::panic::resume_unwind(panic),
                None => panic!("the search index was not built: its thread panicked"),
            }
        })
    }
}

/// The words of a catalog's operations, ready to be searched.
pub struct SearchIndex {
    index: Index,
}

impl std::fmt::Debug for SearchIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SearchIndex")
            .field("operations", &self.index.entries.len())
            .field("words", &self.index.words.len())
            .finish_non_exhaustive()
    }
}

impl SearchIndex {
    pub fn new(catalog: &Catalog) -> Self {
        Self {
            index: Index::build(catalog),
        }
    }

    /// How many operations the index holds.
    pub fn len(&self) -> usize {
        self.index.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.index.entries.is_empty()
    }

    /// The best `limit` matches for `query`, best first (see [`Self::search`]).
    pub fn query(&self, query: &str, limit: usize) -> Vec<SearchHit> {
        self.search(query, limit).hits
    }

    /// The best `limit` matches for `query`, best first, with the number of
    /// operations found in all. Ties keep catalog order. A query without
    /// words returns every operation in catalog order.
    ///
    /// Words are separated by spaces; `!word` leaves out the operations
    /// that hold it, `'word` wants the whole word (no prefix, no typo), and
    /// `^word` or `word$` look in the method and path only.
    pub fn search(&self, query: &str, limit: usize) -> SearchResult {
        let entries = &self.index.entries;
        let terms = parse(query);
        if terms.is_empty() {
            return SearchResult {
                hits: entries
                    .iter()
                    .take(limit)
                    .map(|e| SearchHit {
                        api: e.api,
                        op: e.op,
                        score: 0,
                    })
                    .collect(),
                total: entries.len(),
            };
        }

        // Per operation: the sum of its terms' scores, and how many of the
        // wanted terms found it so far (`LEFT_OUT` once an unwanted one did).
        const LEFT_OUT: u16 = u16::MAX;
        let mut scores = vec![0u32; entries.len()];
        let mut found_by = vec![0u16; entries.len()];
        // Which terms found each index word, for the cover bonus.
        let mut marks = vec![0u32; self.index.words.len()];
        let mut tally = Tally::new(entries.len());
        let mut scratch = Scratch::default();

        let mut wanted = 0u16;
        for term in terms.iter().filter(|t| !t.negative) {
            let mark = 1u32 << wanted.min(31);
            tally_term(
                &self.index,
                term,
                &mut tally,
                &mut scratch,
                &mut marks,
                mark,
            );
            for &op in &tally.touched {
                let op = op as usize;
                if found_by[op] == wanted {
                    found_by[op] += 1;
                    scores[op] += tally.get(op_index(op));
                }
            }
            wanted += 1;
        }
        for term in terms.iter().filter(|t| t.negative) {
            tally_term(&self.index, term, &mut tally, &mut scratch, &mut marks, 0);
            for &op in &tally.touched {
                found_by[op as usize] = LEFT_OUT;
            }
        }

        let mut ranked: Vec<(u32, u32)> = found_by
            .iter()
            .enumerate()
            .filter(|&(_, &by)| by == wanted)
            .map(|(op, _)| {
                let bonus = if wanted > 0 {
                    cover_bonus(&self.index, &entries[op], &marks)
                } else {
                    0
                };
                (scores[op] + bonus, op_index(op))
            })
            .collect();
        let total = ranked.len();
        let best_first = |a: &(u32, u32), b: &(u32, u32)| b.0.cmp(&a.0).then(a.1.cmp(&b.1));
        if limit == 0 {
            ranked.clear();
        } else if ranked.len() > limit {
            ranked.select_nth_unstable_by(limit - 1, best_first);
            ranked.truncate(limit);
        }
        ranked.sort_unstable_by(best_first);
        SearchResult {
            hits: ranked
                .into_iter()
                .map(|(score, op)| {
                    let entry = &entries[op as usize];
                    SearchHit {
                        api: entry.api,
                        op: entry.op,
                        score,
                    }
                })
                .collect(),
            total,
        }
    }
}

fn op_index(op: usize) -> u32 {
    u32::try_from(op).unwrap_or(u32::MAX)
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

    /// A catalog large enough to be indexed on a thread answers as one
    /// indexed at once, and a small one needs no thread.
    #[test]
    fn an_index_built_in_the_background_answers_the_same() {
        let paths: Vec<String> = (0..INDEX_IN_BACKGROUND_FROM + 10)
            .map(|i| format!("/things/{i}/parts"))
            .collect();
        let catalog = Arc::new(catalog(&paths));
        let background = BackgroundIndex::spawn(&catalog);
        let inline = SearchIndex::new(&catalog);
        for query in ["things 7", "parts", "/things/20", "zzzz"] {
            assert_eq!(background.get().search(query, 50), inline.search(query, 50));
        }
        assert!(
            background.building.lock().expect("not poisoned").is_none(),
            "joined"
        );

        let small = Arc::new(catalog_of_one());
        let index = BackgroundIndex::spawn(&small);
        assert!(
            index.ready.get().is_some(),
            "a small catalog is indexed at once"
        );
        assert_eq!(index.get().len(), 1);
    }

    fn catalog_of_one() -> Catalog {
        catalog(&["/one".to_string()])
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

    /// The paths were `/i-s-s-u-e-s/{i}/teams/c-o-m-m-e-n-t-s/reactions`,
    /// found by `issues comments` only through letters scattered across
    /// one-letter words: the very matches the search no longer makes. The
    /// same words now stand in looser paths.
    #[test]
    fn many_matches_keep_the_best_first_and_scores_ordered() {
        let mut paths: Vec<String> = (0..1000)
            .map(|i| format!("/issues/{i}/teams/comments/reactions"))
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

    #[test]
    fn the_total_counts_every_match_beyond_the_limit() {
        let paths: Vec<String> = (0..700).map(|i| format!("/issues/{i}")).collect();
        let index = SearchIndex::new(&catalog(&paths));
        let result = index.search("issues", 500);
        assert_eq!((result.hits.len(), result.total), (500, 700));
        assert_eq!(index.search("", 10).total, 700);
        assert_eq!(index.search("zzzz", 10), SearchResult::default());
        assert_eq!(index.search("issues", 0).total, 700);
    }

    #[test]
    fn scattered_letters_match_nothing() {
        let paths = ["/zebra/zone".to_string(), "/z/z/z/z".to_string()];
        let index = SearchIndex::new(&catalog(&paths));
        assert_eq!(index.search("zzzz", 10).total, 0);
        assert_eq!(index.search("zone", 10).total, 1);
        assert_eq!(index.search("zon zeb", 10).total, 1, "prefixes, any order");
    }
}

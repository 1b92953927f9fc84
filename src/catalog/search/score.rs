//! How well one query term matches each operation: the index words it
//! finds (whole, as a prefix, or within a typo or two), the operations
//! holding them, each scored by its best field; paths segment by segment;
//! and how much of an operation's name the query covers.

use super::index::{ALL_FIELDS, Entry, Index, ROUTE};
use super::query::{Needle, Term};
use super::words::{MAX_TYPO_LEN, distance_within, letter_set, typo_budget};

/// Percent of a field's points for a word found whole, or with typos.
const WHOLE_PERCENT: u32 = 100;
const ONE_TYPO_PERCENT: u32 = 60;
const TWO_TYPOS_PERCENT: u32 = 45;

/// Points for a path query: the exact path, then paths that start with it
/// (fewer extra segments first), then paths that hold it further in.
const PATH_EXACT: u32 = 300;
const PATH_SAME_LENGTH: u32 = 260;
const PATH_STARTS_WITH: u32 = 220;
const PATH_CONTAINS: u32 = 140;

/// Points when the query covers all or part of an operation's words:
/// `create an issue` is "Create an issue" before "Create an issue comment".
const COVER_SUMMARY: (u32, u32) = (60, 40);
const COVER_OPERATION_ID: (u32, u32) = (40, 20);
const COVER_PATH: (u32, u32) = (30, 10);

/// The best score of one term per operation, and which operations it has.
#[derive(Debug, Default)]
pub(super) struct Tally {
    best: Vec<u32>,
    pub touched: Vec<u32>,
}

impl Tally {
    pub(super) fn new(operations: usize) -> Self {
        Self {
            best: vec![0; operations],
            touched: Vec::new(),
        }
    }

    pub(super) fn get(&self, op: u32) -> u32 {
        self.best[op as usize]
    }

    fn raise(&mut self, op: u32, score: u32) {
        let best = &mut self.best[op as usize];
        if *best == 0 && score > 0 {
            self.touched.push(op);
        }
        *best = (*best).max(score);
    }

    pub(super) fn clear(&mut self) {
        for &op in &self.touched {
            self.best[op as usize] = 0;
        }
        self.touched.clear();
    }
}

/// Scratch space for the parts of a multi-part word.
#[derive(Debug, Default)]
pub(super) struct Scratch {
    parts: Vec<Tally>,
    found: Vec<(u32, u32)>,
}

/// Scores `term` against every operation into `tally` (cleared first),
/// and marks the index words it found with `mark` in `marks`.
pub(super) fn tally_term(
    index: &Index,
    term: &Term,
    tally: &mut Tally,
    scratch: &mut Scratch,
    marks: &mut [u32],
    mark: u32,
) {
    tally.clear();
    let rules = Rules {
        fields: if term.route_only { ROUTE } else { ALL_FIELDS },
        // A left-out word is left out as typed, typos and all.
        forgive: !term.exact && !term.negative,
        exact: term.exact,
        mark,
    };
    match &term.needle {
        Needle::Path(path) => {
            let wanted = wanted_segments(index, path);
            // Each distinct path once, its segments compared as numbers.
            for route in &index.routes {
                if let Some(score) = path_score(index, &wanted, index.route_segments(route)) {
                    for &op in &route.ops {
                        tally.raise(op, score);
                    }
                }
            }
        }
        Needle::Words { whole, parts } => {
            tally_word(index, whole, rules, tally, &mut scratch.found, marks);
            if parts.len() < 2 {
                return;
            }
            let operations = index.entries.len();
            scratch
                .parts
                .resize_with(parts.len(), || Tally::new(operations));
            for (part, part_tally) in parts.iter().zip(&mut scratch.parts) {
                part_tally.clear();
                tally_word(index, part, rules, part_tally, &mut scratch.found, marks);
            }
            // Every part must be found; the term is worth their mean.
            if let Some((first, rest)) = scratch.parts[..parts.len()].split_first() {
                for &op in &first.touched {
                    let mut sum = first.get(op);
                    for other in rest {
                        match other.get(op) {
                            0 => {
                                sum = 0;
                                break;
                            }
                            score => sum += score,
                        }
                    }
                    tally.raise(op, sum / u32::try_from(parts.len()).unwrap_or(u32::MAX));
                }
            }
        }
    }
}

/// How one word of a term is looked for.
#[derive(Debug, Clone, Copy)]
struct Rules {
    /// The fields it may be found in.
    fields: u8,
    /// Whether a typo is forgiven.
    forgive: bool,
    /// Whole words only: no prefix.
    exact: bool,
    /// Set in `marks` for every index word it finds.
    mark: u32,
}

fn op_id(op: usize) -> u32 {
    u32::try_from(op).unwrap_or(u32::MAX)
}

/// Scores one lower-case word against every operation.
fn tally_word(
    index: &Index,
    word: &str,
    rules: Rules,
    tally: &mut Tally,
    found: &mut Vec<(u32, u32)>,
    marks: &mut [u32],
) {
    found.clear();
    find_words(index, word, rules.forgive, rules.exact, found);
    for &(id, percent) in found.iter() {
        marks[id as usize] |= rules.mark;
        for posting in index.postings(id) {
            let score = posting.weight(rules.fields) * percent / 100;
            if score > 0 {
                tally.raise(posting.op, score);
            }
        }
    }
}

/// The index words `word` finds, with the percent of points each is worth:
/// the word itself, words it starts (more for a longer share of the word),
/// and with `forgive`, words of naming fields within its typo budget.
fn find_words(index: &Index, word: &str, forgive: bool, exact: bool, found: &mut Vec<(u32, u32)>) {
    let words = &index.words;
    let first = words.partition_point(|w| w.as_ref() < word);
    let mut end = first;
    while end < words.len() && words[end].starts_with(word) {
        let candidate = &words[end];
        if candidate.len() == word.len() {
            found.push((op_id(end), WHOLE_PERCENT));
        } else if !exact {
            // 50% for a first letter, towards 90% as the word fills in.
            let share = 40 * u32::try_from(word.len() * 100 / candidate.len()).unwrap_or(0) / 100;
            found.push((op_id(end), 50 + share));
        }
        end += 1;
    }
    let budget = typo_budget(word.chars().count());
    if !forgive || budget == 0 {
        return;
    }
    let letters = letter_set(word);
    let typed: Vec<char> = word.chars().collect();
    let mut candidate_chars = ['\0'; MAX_TYPO_LEN];
    let lengths = typed.len().saturating_sub(budget)..=typed.len() + budget;
    for length in lengths {
        let Some(bucket) = index.typo_candidates.get(length) else {
            continue;
        };
        for &(id, set) in bucket {
            let in_prefix_range = (op_id(first)..op_id(end)).contains(&id);
            if in_prefix_range || (set ^ letters).count_ones() as usize > 2 * budget {
                continue;
            }
            let candidate = &words[id as usize];
            let distance = if word.is_ascii() && candidate.is_ascii() {
                distance_within(word.as_bytes(), candidate.as_bytes(), budget)
            } else {
                for (slot, c) in candidate_chars.iter_mut().zip(candidate.chars()) {
                    *slot = c;
                }
                distance_within(&typed, &candidate_chars[..length], budget)
            };
            match distance {
                Some(0) => found.push((id, WHOLE_PERCENT)),
                Some(1) => found.push((id, ONE_TYPO_PERCENT)),
                Some(_) => found.push((id, TWO_TYPOS_PERCENT)),
                None => {}
            }
        }
    }
}

/// One segment of a path query, looked up in the index's segments once
/// per query rather than once per path.
#[derive(Debug)]
pub(super) struct Wanted {
    /// The segment as some path has it, if any does.
    id: Option<u32>,
    /// Empty (the query ends with `/`): it fills no template.
    empty: bool,
    /// A `{template}` itself.
    template: bool,
    /// The segments that start with it: what it may stand for when it is
    /// the last one typed (unfinished).
    prefix_of: std::ops::Range<u32>,
}

/// The segments of a lower-case path query (what follows each `/`).
pub(super) fn wanted_segments(index: &Index, path: &str) -> Vec<Wanted> {
    path.split('/')
        .skip(1)
        .map(|segment| Wanted {
            id: index.segment_id(segment),
            empty: segment.is_empty(),
            template: segment.starts_with('{') && segment.ends_with('}'),
            prefix_of: index.segments_starting(segment),
        })
        .collect()
}

/// How well the segments of a path query (`wanted`) name a path (`have`,
/// segment ids), compared segment by segment: a `{template}` segment takes
/// any value (`/repos/octocat` finds `/repos/{owner}`), and the last
/// typed segment may be unfinished.
pub(super) fn path_score(index: &Index, wanted: &[Wanted], have: &[u32]) -> Option<u32> {
    let spare = have.len().checked_sub(wanted.len())?;
    let extra = u32::try_from(spare).unwrap_or(u32::MAX).min(10);
    let last = wanted.len().saturating_sub(1);
    for offset in 0..=spare {
        let penalty: Option<u32> = wanted
            .iter()
            .zip(&have[offset..])
            .enumerate()
            .map(|(i, (want, &has))| segment_penalty(index, want, has, i == last))
            .sum();
        if let Some(penalty) = penalty {
            let base = match (offset, extra) {
                (0, 0) if penalty == 0 => PATH_EXACT,
                (0, 0) => PATH_SAME_LENGTH,
                (0, _) => PATH_STARTS_WITH - 4 * extra,
                _ => PATH_CONTAINS - 4 * extra,
            };
            return Some(base.saturating_sub(penalty));
        }
    }
    None
}

/// 0 for the same segment; a few points off for a value in a template's
/// place or an unfinished last segment; `None` when they differ.
fn segment_penalty(index: &Index, wanted: &Wanted, has: u32, last: bool) -> Option<u32> {
    if wanted.id == Some(has) {
        Some(0)
    } else if index.segment_is_template[has as usize] && !wanted.empty {
        Some(if wanted.template { 2 } else { 5 })
    } else if last && wanted.prefix_of.contains(&has) {
        Some(1)
    } else {
        None
    }
}

/// Points for the share of the operation's summary, operationId and path
/// words that some term found (`marks` non-zero), full cover counting most.
pub(super) fn cover_bonus(index: &Index, entry: &Entry, marks: &[u32]) -> u32 {
    [
        (entry.summary, COVER_SUMMARY),
        (entry.operation_id, COVER_OPERATION_ID),
        (entry.path_words, COVER_PATH),
    ]
    .into_iter()
    .map(|(span, (share, full))| {
        let words = index.words_of(span);
        let covered = words.iter().filter(|&&w| marks[w as usize] != 0).count();
        match (covered, words.len()) {
            (0, _) => 0,
            (covered, all) if covered == all => share + full,
            (covered, all) => share * op_id(covered) / op_id(all),
        }
    })
    .sum()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::{Api, Catalog, Operation};

    /// The score of path query `query` for an index of the one path `path`.
    fn score(query: &str, path: &str) -> Option<u32> {
        let catalog = Catalog {
            apis: vec![Api {
                operations: vec![Operation {
                    method: "GET".into(),
                    path: path.into(),
                    ..Operation::default()
                }],
                ..Api::default()
            }],
            ..Catalog::default()
        };
        let index = Index::build(&catalog);
        let wanted = wanted_segments(&index, &query.to_lowercase());
        path_score(&index, &wanted, index.route_segments(&index.routes[0]))
    }

    #[test]
    fn the_exact_path_then_paths_that_start_with_it() {
        let exact = score("/user", "/user").expect("exact");
        let unfinished = score("/user", "/users").expect("unfinished segment");
        let longer = score("/user", "/user/repos").expect("starts with");
        let deeper = score("/user", "/user/repos/{id}/x").expect("starts with");
        let inside = score("/user", "/orgs/{org}/user").expect("contains");
        assert!(exact > unfinished && unfinished > longer && longer > deeper && deeper > inside);
        assert_eq!(score("/user", "/orgs"), None);
        assert_eq!(score("/repos/{owner}/x", "/repos/{owner}"), None);
        assert_eq!(
            score("/us/repos", "/users/repos"),
            None,
            "only the last may be unfinished"
        );
    }

    #[test]
    fn values_fill_templates() {
        let template = score("/repos/octocat/hello", "/repos/{owner}/{repo}").expect("values");
        let exact = score("/repos/{owner}/{repo}", "/repos/{owner}/{repo}").expect("exact");
        assert!(exact > template);
        assert!(score("/repos/", "/repos/{owner}").is_some());
        assert_eq!(
            score("/repos//x", "/repos/{owner}/x"),
            None,
            "an empty segment fills nothing"
        );
    }

    /// Operations on one path share its route: a path query scores the
    /// path once and finds every method on it.
    #[test]
    fn operations_on_one_path_share_a_route() {
        let op = |method: &str, path: &str| Operation {
            method: method.into(),
            path: path.into(),
            ..Operation::default()
        };
        let catalog = Catalog {
            apis: vec![Api {
                operations: vec![
                    op("GET", "/Users/{id}"),
                    op("POST", "/users"),
                    op("DELETE", "/users/{id}"),
                ],
                ..Api::default()
            }],
            ..Catalog::default()
        };
        let index = Index::build(&catalog);
        assert_eq!(index.routes.len(), 2, "paths are compared in lower case");
        assert_eq!(index.routes[0].ops, [0, 2]);
        assert_eq!(index.segments.len(), 2, "{:?}", index.segments);
    }
}

//! The search index of one catalog, built once: every distinct word of the
//! operations' fields in sorted order with the operations that hold it
//! (and in which fields), plus per operation what ranking reads again
//! (the words of its summary, operationId and path). Paths are kept once
//! each, split into interned segments, so a path query compares numbers
//! over the distinct paths instead of splitting every operation's path.

use std::collections::HashMap;

use super::words::{MAX_TYPO_LEN, for_each_word, is_stop_word, letter_set};
use crate::catalog::model::Catalog;

/// Where a word was found. A field's bit is `1 << field`; lower bits weigh
/// more, so the best field of a set is its lowest bit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Field {
    Method = 0,
    Summary = 1,
    OperationId = 2,
    Path = 3,
    Tag = 4,
    Parameter = 5,
    Description = 6,
    ApiId = 7,
}

/// Points for a whole word found in each field, by field bit.
const FIELD_WEIGHTS: [u32; 8] = [100, 100, 90, 90, 70, 45, 35, 35];

/// Percent of a field's weight for a word found only as part of a
/// camelCase run typed whole (`showpetbyid`).
const COMPOUND_PERCENT: u32 = 85;

impl Field {
    pub(super) const fn bit(self) -> u8 {
        1 << self as u8
    }
}

/// The fields that name an operation (where a typo is forgiven); a word
/// met only in descriptions or parameters must be typed right.
const NAMING: u8 = Field::Method.bit()
    | Field::Summary.bit()
    | Field::OperationId.bit()
    | Field::Path.bit()
    | Field::Tag.bit();

/// Every field.
pub(super) const ALL_FIELDS: u8 = u8::MAX;

/// The route: method and path (what `^word` and `word$` look in).
pub(super) const ROUTE: u8 = Field::Method.bit() | Field::Path.bit();

/// One operation that holds a word, and the fields it holds it in.
#[derive(Debug, Clone, Copy)]
pub(super) struct Posting {
    pub op: u32,
    /// Fields with the word as a word of its own.
    pub plain: u8,
    /// Fields with the word only as a camelCase run given whole.
    pub compound: u8,
}

impl Posting {
    /// Points for the best of `fields` this posting is in; 0 if none.
    pub(super) fn weight(self, fields: u8) -> u32 {
        let best = |set: u8| match set {
            0 => 0,
            set => FIELD_WEIGHTS[set.trailing_zeros() as usize],
        };
        best(self.plain & fields).max(best(self.compound & fields) * COMPOUND_PERCENT / 100)
    }
}

/// A run of [`Index::words_of`] that belongs to one field of one operation.
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct Span {
    start: u32,
    end: u32,
}

/// What ranking reads again for one operation.
#[derive(Debug)]
pub(super) struct Entry {
    pub api: usize,
    pub op: usize,
    /// Distinct words of the title (display name and summary), the
    /// operationId and the path's literal segments, stop words left out.
    pub summary: Span,
    pub operation_id: Span,
    pub path_words: Span,
}

#[derive(Debug, Default)]
pub(super) struct Index {
    /// Distinct words, sorted (so a prefix is one range).
    pub words: Vec<Box<str>>,
    /// `postings[starts[w]..starts[w + 1]]` hold word `w`, in catalog order.
    starts: Vec<u32>,
    postings: Vec<Posting>,
    /// Words of naming fields short enough to compare letter by letter,
    /// by length in characters: `(word, letter set)`.
    pub typo_candidates: Vec<Vec<(u32, u64)>>,
    pub entries: Vec<Entry>,
    /// Word ids, per operation and field (see [`Entry`]).
    words_of: Vec<u32>,
    /// Distinct path segments (lower case), sorted, so the segments that
    /// start with a text are one range.
    pub segments: Vec<Box<str>>,
    /// Per segment: whether it is a `{template}`.
    pub segment_is_template: Vec<bool>,
    /// Each distinct path once: its segments and the operations on it.
    pub routes: Vec<Route>,
    /// Segment ids of every route, `Route::segments` spans into it.
    route_segments: Vec<u32>,
}

/// One distinct path (lower case) and the operations on it.
#[derive(Debug)]
pub(super) struct Route {
    segments: Span,
    pub ops: Vec<u32>,
}

impl Index {
    pub(super) fn postings(&self, word: u32) -> &[Posting] {
        let word = word as usize;
        &self.postings[self.starts[word] as usize..self.starts[word + 1] as usize]
    }

    pub(super) fn words_of(&self, span: Span) -> &[u32] {
        &self.words_of[span.start as usize..span.end as usize]
    }

    /// The segment ids of a route's path (what follows each `/`).
    pub(super) fn route_segments(&self, route: &Route) -> &[u32] {
        &self.route_segments[route.segments.start as usize..route.segments.end as usize]
    }

    /// The id of a segment, if some path has it.
    pub(super) fn segment_id(&self, segment: &str) -> Option<u32> {
        self.segments
            .binary_search_by(|s| s.as_ref().cmp(segment))
            .ok()
            .and_then(|i| u32::try_from(i).ok())
    }

    /// The ids of the segments that start with `prefix`.
    pub(super) fn segments_starting(&self, prefix: &str) -> std::ops::Range<u32> {
        let first = self.segments.partition_point(|s| s.as_ref() < prefix);
        let end = first + self.segments[first..].partition_point(|s| s.starts_with(prefix));
        let at = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
        at(first)..at(end)
    }

    pub(super) fn build(catalog: &Catalog) -> Self {
        let mut builder = Builder::default();
        // The API id tells APIs apart; with one API every operation would
        // hold it and it would only add noise.
        let with_api_id = catalog.apis.len() > 1;
        for (a, api) in catalog.apis.iter().enumerate() {
            for (o, op) in api.operations.iter().enumerate() {
                builder.add(&op.method, Field::Method, false);
                let summary_start = builder.forward_start();
                for title in [&op.display_name, &op.summary].into_iter().flatten() {
                    builder.add(title, Field::Summary, true);
                }
                let summary = builder.forward_end(summary_start);
                let id_start = builder.forward_start();
                if let Some(id) = &op.operation_id {
                    builder.add(id, Field::OperationId, true);
                }
                let operation_id = builder.forward_end(id_start);
                let path_start = builder.forward_start();
                for (piece, is_template) in path_pieces(&op.path) {
                    if is_template {
                        builder.add(piece, Field::Parameter, false);
                    } else {
                        builder.add(piece, Field::Path, true);
                    }
                }
                let path_words = builder.forward_end(path_start);
                for tag in &op.tags {
                    builder.add(tag, Field::Tag, false);
                }
                for parameter in &op.parameters {
                    builder.add(&parameter.name, Field::Parameter, false);
                }
                if let Some(description) = &op.description {
                    builder.add(description, Field::Description, false);
                }
                if with_api_id {
                    builder.add(&api.id, Field::ApiId, false);
                }
                builder.end_operation();
                builder.add_route(&op.path);
                builder.entries.push(Entry {
                    api: a,
                    op: o,
                    summary,
                    operation_id,
                    path_words,
                });
            }
        }
        builder.finish()
    }
}

/// The literal text and the `{template}` names of a path, in order.
fn path_pieces(path: &str) -> impl Iterator<Item = (&str, bool)> {
    let mut rest = path;
    let mut in_template = false;
    std::iter::from_fn(move || {
        if rest.is_empty() {
            return None;
        }
        let end = if in_template { '}' } else { '{' };
        let (piece, after) = rest.split_once(end).unwrap_or((rest, ""));
        rest = after;
        let was_template = in_template;
        in_template = !in_template;
        Some((piece, was_template))
    })
}

#[derive(Default)]
struct Builder {
    ids: HashMap<Box<str>, u32>,
    words: Vec<Box<str>>,
    naming: Vec<bool>,
    /// `(word, posting)` for every operation so far, in catalog order.
    pairs: Vec<(u32, Posting)>,
    /// The current operation's `(word, field bit, compound)`.
    found: Vec<(u32, u8, bool)>,
    words_of: Vec<u32>,
    entries: Vec<Entry>,
    scratch: String,
    /// Lower-case path → route id.
    route_ids: HashMap<Box<str>, u32>,
    /// Per route: segment ids in order of first meeting (remapped to
    /// sorted ids at the end), and its operations.
    routes: Vec<(Vec<u32>, Vec<u32>)>,
    segment_ids: HashMap<Box<str>, u32>,
    segments: Vec<Box<str>>,
}

impl Builder {
    fn intern(&mut self, word: &str) -> u32 {
        if let Some(&id) = self.ids.get(word) {
            return id;
        }
        let id = u32::try_from(self.words.len()).unwrap_or(u32::MAX);
        self.ids.insert(word.into(), id);
        self.words.push(word.into());
        self.naming.push(false);
        id
    }

    /// Adds the words of `text` to the current operation; with `forward`,
    /// also to the field's word list that ranking reads again.
    fn add(&mut self, text: &str, field: Field, forward: bool) {
        let mut scratch = std::mem::take(&mut self.scratch);
        for_each_word(text, &mut scratch, |word, compound| {
            let id = self.intern(word);
            if field.bit() & NAMING != 0 {
                self.naming[id as usize] = true;
            }
            self.found.push((id, field.bit(), compound));
            if forward && !compound && !is_stop_word(word) {
                self.words_of.push(id);
            }
        });
        self.scratch = scratch;
    }

    /// Files the operation about to be pushed under its path's route.
    fn add_route(&mut self, path: &str) {
        let op = u32::try_from(self.entries.len()).unwrap_or(u32::MAX);
        let path = path.to_lowercase();
        if let Some(&route) = self.route_ids.get(path.as_str()) {
            self.routes[route as usize].1.push(op);
            return;
        }
        // As the query splits it: what follows each `/`.
        let segments = path
            .split('/')
            .skip(1)
            .map(|segment| {
                if let Some(&id) = self.segment_ids.get(segment) {
                    return id;
                }
                let id = u32::try_from(self.segments.len()).unwrap_or(u32::MAX);
                self.segment_ids.insert(segment.into(), id);
                self.segments.push(segment.into());
                id
            })
            .collect();
        let route = u32::try_from(self.routes.len()).unwrap_or(u32::MAX);
        self.route_ids.insert(path.into_boxed_str(), route);
        self.routes.push((segments, vec![op]));
    }

    fn forward_start(&self) -> usize {
        self.words_of.len()
    }

    /// The span of words added since `start`, each word once.
    fn forward_end(&mut self, start: usize) -> Span {
        let added = &mut self.words_of[start..];
        added.sort_unstable();
        let mut kept = start;
        for i in start..self.words_of.len() {
            if kept == start || self.words_of[kept - 1] != self.words_of[i] {
                self.words_of[kept] = self.words_of[i];
                kept += 1;
            }
        }
        self.words_of.truncate(kept);
        let at = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
        Span {
            start: at(start),
            end: at(kept),
        }
    }

    /// One posting per distinct word of the operation just added.
    fn end_operation(&mut self) {
        let op = u32::try_from(self.entries.len()).unwrap_or(u32::MAX);
        self.found.sort_unstable_by_key(|&(id, _, _)| id);
        for &(id, field, compound) in &self.found {
            let known = matches!(self.pairs.last(), Some((last, posting)) if *last == id && posting.op == op);
            if !known {
                let posting = Posting {
                    op,
                    plain: 0,
                    compound: 0,
                };
                self.pairs.push((id, posting));
            }
            if let Some((_, posting)) = self.pairs.last_mut() {
                if compound {
                    posting.compound |= field;
                } else {
                    posting.plain |= field;
                }
            }
        }
        self.found.clear();
    }

    /// Sorts the words and groups the postings by word.
    fn finish(self) -> Index {
        let mut order: Vec<u32> = (0..self.words.len())
            .map(|i| u32::try_from(i).unwrap_or(u32::MAX))
            .collect();
        order.sort_unstable_by(|&a, &b| self.words[a as usize].cmp(&self.words[b as usize]));
        let mut rank = vec![0u32; order.len()];
        for (sorted, &id) in order.iter().enumerate() {
            rank[id as usize] = u32::try_from(sorted).unwrap_or(u32::MAX);
        }

        let mut starts = vec![0u32; order.len() + 1];
        for &(id, _) in &self.pairs {
            starts[rank[id as usize] as usize + 1] += 1;
        }
        for i in 1..starts.len() {
            starts[i] += starts[i - 1];
        }
        let mut next = starts.clone();
        let empty = Posting {
            op: 0,
            plain: 0,
            compound: 0,
        };
        let mut postings = vec![empty; self.pairs.len()];
        for &(id, posting) in &self.pairs {
            let slot = &mut next[rank[id as usize] as usize];
            postings[*slot as usize] = posting;
            *slot += 1;
        }

        let mut typo_candidates: Vec<Vec<(u32, u64)>> = vec![Vec::new(); MAX_TYPO_LEN + 1];
        let mut words = self.words;
        for (id, word) in words.iter().enumerate() {
            let length = word.chars().count();
            if self.naming[id] && length <= MAX_TYPO_LEN {
                typo_candidates[length].push((rank[id], letter_set(word)));
            }
        }
        let mut sorted: Vec<Box<str>> = Vec::with_capacity(words.len());
        for &id in &order {
            sorted.push(std::mem::take(&mut words[id as usize]));
        }
        let words_of = self.words_of.iter().map(|&id| rank[id as usize]).collect();

        // Segments sorted too, and the routes' ids remapped to match.
        let mut segment_order: Vec<u32> = (0..self.segments.len())
            .map(|i| u32::try_from(i).unwrap_or(u32::MAX))
            .collect();
        segment_order
            .sort_unstable_by(|&a, &b| self.segments[a as usize].cmp(&self.segments[b as usize]));
        let mut segment_rank = vec![0u32; segment_order.len()];
        for (sorted, &id) in segment_order.iter().enumerate() {
            segment_rank[id as usize] = u32::try_from(sorted).unwrap_or(u32::MAX);
        }
        let mut segments_text = self.segments;
        let segments: Vec<Box<str>> = segment_order
            .iter()
            .map(|&id| std::mem::take(&mut segments_text[id as usize]))
            .collect();
        let segment_is_template = segments
            .iter()
            .map(|s| s.starts_with('{') && s.ends_with('}'))
            .collect();
        let mut route_segments = Vec::new();
        let routes = self
            .routes
            .into_iter()
            .map(|(ids, ops)| {
                let start = u32::try_from(route_segments.len()).unwrap_or(u32::MAX);
                route_segments.extend(ids.iter().map(|&id| segment_rank[id as usize]));
                let end = u32::try_from(route_segments.len()).unwrap_or(u32::MAX);
                Route {
                    segments: Span { start, end },
                    ops,
                }
            })
            .collect();
        Index {
            words: sorted,
            starts,
            postings,
            typo_candidates,
            entries: self.entries,
            words_of,
            segments,
            segment_is_template,
            routes,
            route_segments,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_split_into_literals_and_templates() {
        let pieces: Vec<(&str, bool)> = path_pieces("/repos/{owner}/{repo}/issues").collect();
        assert_eq!(
            pieces,
            [
                ("/repos/", false),
                ("owner", true),
                ("/", false),
                ("repo", true),
                ("/issues", false)
            ]
        );
        assert_eq!(path_pieces("/").collect::<Vec<_>>(), [("/", false)]);
    }

    #[test]
    fn a_posting_weighs_its_best_field() {
        let posting = Posting {
            op: 0,
            plain: Field::Description.bit() | Field::Path.bit(),
            compound: Field::Summary.bit(),
        };
        assert_eq!(posting.weight(ALL_FIELDS), 90);
        assert_eq!(posting.weight(Field::Description.bit()), 35);
        assert_eq!(posting.weight(Field::Summary.bit()), 85);
        assert_eq!(posting.weight(Field::Tag.bit()), 0);
    }
}

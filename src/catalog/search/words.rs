//! How text becomes search words: lower case, split at punctuation and at
//! camelCase humps, and the bounded edit distance that forgives typos.
//!
//! The index and the query split text the same way, so a word typed the
//! way a definition writes it (`showPetById`, `issues/list-for-repo`,
//! `calendarView`) finds the same words.

/// Words too common to say anything about an operation: they still match,
/// but an operation's summary is not less specific for containing them.
const STOP_WORDS: [&str; 14] = [
    "a", "an", "and", "by", "for", "from", "in", "of", "on", "or", "the", "to", "with", "is",
];

/// Longer words are never compared letter by letter (they are not typed).
pub(super) const MAX_TYPO_LEN: usize = 32;

pub(super) fn is_stop_word(word: &str) -> bool {
    STOP_WORDS.contains(&word)
}

/// The edits a word of `len` characters may carry and still match: none
/// for short words (too many near neighbours), one up to seven
/// characters, two beyond.
pub(super) fn typo_budget(len: usize) -> usize {
    match len {
        0..=3 => 0,
        4..=7 => 1,
        _ => 2,
    }
}

/// Calls `emit(word, compound)` for every lower-case word of `text`.
///
/// Words are runs of letters and digits, cut again at camelCase humps
/// (`showPetById` gives `show`, `pet`, `by`, `id`). A run cut that way is
/// also given whole (`showpetbyid`, `compound` true), so a query typed
/// without capitals still finds it. `scratch` is reused between calls.
pub(super) fn for_each_word(text: &str, scratch: &mut String, mut emit: impl FnMut(&str, bool)) {
    for run in text.split(|c: char| !c.is_alphanumeric()) {
        if run.is_empty() {
            continue;
        }
        let mut humps = 0;
        let mut start = 0;
        let mut before: Option<char> = None;
        let mut chars = run.char_indices().peekable();
        while let Some((at, c)) = chars.next() {
            let after = chars.peek().map(|&(_, c)| c);
            if before.is_some_and(|before| is_hump(before, c, after)) {
                lower_into(&run[start..at], scratch);
                emit(scratch, false);
                humps += 1;
                start = at;
            }
            before = Some(c);
        }
        lower_into(&run[start..], scratch);
        emit(scratch, false);
        humps += 1;
        if humps > 1 {
            lower_into(run, scratch);
            emit(scratch, true);
        }
    }
}

fn lower_into(text: &str, out: &mut String) {
    out.clear();
    if text.is_ascii() {
        out.push_str(text);
        out.make_ascii_lowercase();
    } else {
        out.extend(text.chars().flat_map(char::to_lowercase));
    }
}

/// Whether `c` starts a camelCase word: a capital after a small letter or
/// digit (`petId`), or the last capital of an acronym followed by a small
/// letter (`HTTPHeader`).
fn is_hump(before: char, c: char, after: Option<char>) -> bool {
    c.is_uppercase()
        && (before.is_lowercase()
            || before.is_ascii_digit()
            || (before.is_uppercase() && after.is_some_and(char::is_lowercase)))
}

/// A set of the letters in `word` (digits and others folded in), for a
/// quick test before an edit distance: one edit changes at most two
/// members, so words whose sets differ by more than `2 * budget` members
/// are further apart than the budget.
pub(super) fn letter_set(word: &str) -> u64 {
    word.chars().fold(0, |set, c| {
        let bit = match c {
            'a'..='z' => u32::from(c) - u32::from('a'),
            '0'..='9' => 26 + u32::from(c) - u32::from('0'),
            _ => 36 + u32::from(c) % 28,
        };
        set | 1 << bit
    })
}

/// The optimal-string-alignment distance between `a` and `b` (insertions,
/// deletions, substitutions and swaps of two neighbours), when it is at
/// most `budget`; `None` beyond it, or for words over [`MAX_TYPO_LEN`].
pub(crate) fn distance_within<T: PartialEq + Copy>(
    a: &[T],
    b: &[T],
    budget: usize,
) -> Option<usize> {
    if a.len().abs_diff(b.len()) > budget || a.len() > MAX_TYPO_LEN || b.len() > MAX_TYPO_LEN {
        return None;
    }
    let mut before_previous = [0usize; MAX_TYPO_LEN + 1];
    let mut previous = [0usize; MAX_TYPO_LEN + 1];
    let mut current = [0usize; MAX_TYPO_LEN + 1];
    for (j, cell) in previous.iter_mut().enumerate().take(b.len() + 1) {
        *cell = j;
    }
    for i in 1..=a.len() {
        current[0] = i;
        let mut row_best = i;
        for j in 1..=b.len() {
            let substitution = previous[j - 1] + usize::from(a[i - 1] != b[j - 1]);
            let mut cell = substitution.min(previous[j] + 1).min(current[j - 1] + 1);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                cell = cell.min(before_previous[j - 2] + 1);
            }
            current[j] = cell;
            row_best = row_best.min(cell);
        }
        if row_best > budget {
            return None;
        }
        before_previous = previous;
        previous = current;
    }
    let distance = previous[b.len()];
    (distance <= budget).then_some(distance)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(text: &str) -> Vec<(String, bool)> {
        let mut out = Vec::new();
        let mut scratch = String::new();
        for_each_word(text, &mut scratch, |w, compound| {
            out.push((w.to_string(), compound));
        });
        out
    }

    fn plain(text: &str) -> Vec<String> {
        words(text)
            .into_iter()
            .filter(|(_, compound)| !compound)
            .map(|(w, _)| w)
            .collect()
    }

    #[test]
    fn splits_at_punctuation_and_humps() {
        assert_eq!(
            plain("issues/list-for-repo"),
            ["issues", "list", "for", "repo"]
        );
        assert_eq!(plain("showPetById"), ["show", "pet", "by", "id"]);
        assert_eq!(
            plain("HTTPHeader ipv4Address"),
            ["http", "header", "ipv4", "address"]
        );
        assert_eq!(plain("/repos/{owner}/{repo}"), ["repos", "owner", "repo"]);
        assert_eq!(plain("Créer Été"), ["créer", "été"]);
        assert!(words("  --  ").is_empty());
    }

    #[test]
    fn a_run_cut_at_humps_is_also_given_whole() {
        assert_eq!(
            words("me/calendarView"),
            [
                ("me".to_string(), false),
                ("calendar".to_string(), false),
                ("view".to_string(), false),
                ("calendarview".to_string(), true),
            ]
        );
        assert_eq!(words("ISSUES"), [("issues".to_string(), false)]);
    }

    #[test]
    fn distances_count_edits_up_to_the_budget() {
        let d = |a: &str, b: &str, budget| distance_within(a.as_bytes(), b.as_bytes(), budget);
        assert_eq!(d("crate", "create", 1), Some(1));
        assert_eq!(d("isue", "issue", 1), Some(1));
        assert_eq!(d("isseu", "issue", 1), Some(1), "a swap is one edit");
        assert_eq!(d("issue", "issue", 1), Some(0));
        assert_eq!(d("reposiotry", "repository", 2), Some(1));
        assert_eq!(d("abcd", "wxyz", 2), None);
        assert_eq!(d("gist", "gists", 0), None);
    }

    #[test]
    fn letter_sets_bound_the_distance() {
        let apart = |a: &str, b: &str| (letter_set(a) ^ letter_set(b)).count_ones();
        assert_eq!(apart("crate", "create"), 0);
        assert!(apart("zzzz", "issue") > 2);
        assert_eq!(typo_budget(3), 0);
        assert_eq!(typo_budget(5), 1);
        assert_eq!(typo_budget(9), 2);
    }
}

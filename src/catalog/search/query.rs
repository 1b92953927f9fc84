//! What a typed query asks for: its terms, each a word (or a path) that
//! must be found, or must not be (`!word`), with the operators people
//! know from fuzzy finders (`'word` for the exact word, `^word` and
//! `word$` for the method and path only).

use super::words::for_each_word;

/// One whitespace-separated part of a query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Term {
    pub needle: Needle,
    /// `!word`: operations that hold it are left out.
    pub negative: bool,
    /// `'word`: the whole word, neither a prefix nor with a typo.
    pub exact: bool,
    /// `^word` or `word$`: found in the method or the path only.
    pub route_only: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Needle {
    /// Lower-case words, as the index splits them (`delPet` is `del` and
    /// `pet`). Several parts match either all of them, or `whole` (their
    /// concatenation, found in a camelCase run such as `deletepet`).
    Words { whole: String, parts: Vec<String> },
    /// A lower-case path (`/repos/{owner}`), without any query string.
    Path(String),
}

/// The terms of `query`, in order; none when it holds no word.
pub(super) fn parse(query: &str) -> Vec<Term> {
    let mut scratch = String::new();
    query
        .split_whitespace()
        .filter_map(|raw| {
            let (negative, raw) = strip(raw, '!');
            let (exact, raw) = strip(raw, '\'');
            let (anchored_start, raw) = strip(raw, '^');
            let (anchored_end, raw) = raw
                .strip_suffix('$')
                .map_or((false, raw), |rest| (true, rest));
            let needle = if raw.starts_with('/') {
                let path = raw.split_once('?').map_or(raw, |(path, _)| path);
                Needle::Path(path.to_lowercase())
            } else {
                let mut parts = Vec::new();
                for_each_word(raw, &mut scratch, |word, compound| {
                    if !compound {
                        parts.push(word.to_string());
                    }
                });
                if parts.is_empty() {
                    return None;
                }
                Needle::Words {
                    whole: parts.concat(),
                    parts,
                }
            };
            Some(Term {
                needle,
                negative,
                exact,
                route_only: anchored_start || anchored_end,
            })
        })
        .collect()
}

fn strip(raw: &str, operator: char) -> (bool, &str) {
    raw.strip_prefix(operator)
        .map_or((false, raw), |rest| (true, rest))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(whole: &str, parts: &[&str]) -> Needle {
        Needle::Words {
            whole: whole.into(),
            parts: parts.iter().map(ToString::to_string).collect(),
        }
    }

    #[test]
    fn words_and_paths() {
        let terms = parse("GET /User?x=1  delPet");
        assert_eq!(terms.len(), 3);
        assert_eq!(terms[0].needle, words("get", &["get"]));
        assert_eq!(terms[1].needle, Needle::Path("/user".into()));
        assert_eq!(terms[2].needle, words("delpet", &["del", "pet"]));
        assert_eq!(
            parse("issues/list-for-repo")[0].needle,
            words("issueslistforrepo", &["issues", "list", "for", "repo"])
        );
        assert!(parse("  -- ").is_empty());
    }

    #[test]
    fn operators() {
        let terms = parse("!reactions 'teams ^get issues$");
        assert!(terms[0].negative && !terms[0].exact);
        assert!(terms[1].exact && !terms[1].negative);
        assert!(terms[2].route_only);
        assert!(terms[3].route_only);
        assert_eq!(terms[3].needle, words("issues", &["issues"]));
    }
}

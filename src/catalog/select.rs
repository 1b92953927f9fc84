//! Operation selectors, as the CLI takes them: `operationId`,
//! `API:operationId`, a display name or summary, `METHOD /path/template`,
//! or a path alone, with or without its `/` (Slack's `chat.postMessage`;
//! each optionally prefixed by `API:`).

use thiserror::Error;

use super::model::{Api, Catalog, Operation};
use super::search::SearchIndex;

/// How many near matches an error lists.
const NEAREST: usize = 8;

#[derive(Debug, Clone, Error, PartialEq, Eq)]
pub enum SelectError {
    #[error("no operation matches {selector:?}{}", listing("nearest", nearest))]
    Unknown {
        selector: String,
        /// Near matches, as selectors a user can paste (`api:GET /path  title`).
        nearest: Vec<String>,
    },
    #[error("{selector:?} matches {} operations{}", matches.len(), listing("use one of", matches))]
    Ambiguous {
        selector: String,
        matches: Vec<String>,
    },
}

fn listing(label: &str, items: &[String]) -> String {
    if items.is_empty() {
        return String::new();
    }
    let mut out = format!("; {label}:");
    for item in items {
        out.push_str("\n  ");
        out.push_str(item);
    }
    out
}

const METHODS: [&str; 9] = [
    "GET", "PUT", "POST", "DELETE", "OPTIONS", "HEAD", "PATCH", "TRACE", "QUERY",
];

/// `api:METHOD /path  title`: a selector that picks exactly this operation.
pub(crate) fn describe(api: &Api, op: &Operation) -> String {
    let title = op.title();
    let key = format!("{}:{} {}", api.id, op.method, op.path);
    if title == format!("{} {}", op.method, op.path) {
        key
    } else {
        format!("{key}  ({title})")
    }
}

impl Catalog {
    /// The `(api, operation)` indices a selector names.
    pub fn select(&self, selector: &str) -> Result<(usize, usize), SelectError> {
        let selector = selector.trim();
        let (scope, rest) = match selector.split_once(':') {
            Some((api, rest)) => match self.api(api.trim()) {
                Some((index, _)) => (Some(index), rest.trim()),
                None => (None, selector),
            },
            None => (None, selector),
        };
        let in_scope = |a: usize| scope.is_none_or(|s| s == a);
        let all = || {
            self.apis
                .iter()
                .enumerate()
                .filter(move |(a, _)| in_scope(*a))
                .flat_map(|(a, api)| {
                    api.operations
                        .iter()
                        .enumerate()
                        .map(move |(o, op)| (a, o, op))
                })
        };

        let by_route = rest
            .split_once(char::is_whitespace)
            .and_then(|(method, path)| {
                let method = method.to_ascii_uppercase();
                let whole = path.trim();
                // A query is the caller's (`GET /pets?limit=5`), unless an
                // operation's path has that very query (`x-ms-paths`).
                let bare = whole.split_once('?').map_or(whole, |(p, _)| p);
                (METHODS.contains(&method.as_str()) && whole.starts_with('/')).then(|| {
                    let route = |path: &str| {
                        all()
                            .filter(|(_, _, op)| op.method == method && op.path == path)
                            .map(|(a, o, _)| (a, o))
                            .collect::<Vec<_>>()
                    };
                    Some(route(whole))
                        .filter(|found| !found.is_empty())
                        .unwrap_or_else(|| route(bare))
                })
            });

        let tiers: [&dyn Fn(&Operation) -> bool; 5] = [
            &|op| op.operation_id.as_deref() == Some(rest),
            &|op| {
                op.display_name
                    .as_deref()
                    .is_some_and(|n| n.trim().eq_ignore_ascii_case(rest))
            },
            &|op| {
                op.summary
                    .as_deref()
                    .is_some_and(|s| s.trim().eq_ignore_ascii_case(rest))
            },
            &|op| {
                op.operation_id
                    .as_deref()
                    .is_some_and(|id| id.eq_ignore_ascii_case(rest))
            },
            // RPC-style APIs are known by their paths: every method on it.
            &|op| !rest.is_empty() && (op.path == rest || op.path.strip_prefix('/') == Some(rest)),
        ];
        let found = by_route.filter(|m| !m.is_empty()).or_else(|| {
            tiers.iter().find_map(|matches| {
                let found: Vec<(usize, usize)> = all()
                    .filter(|(_, _, op)| matches(op))
                    .map(|(a, o, _)| (a, o))
                    .collect();
                (!found.is_empty()).then_some(found)
            })
        });

        match found.as_deref() {
            Some([one]) => Ok(*one),
            Some(many) => Err(SelectError::Ambiguous {
                selector: selector.to_string(),
                matches: many
                    .iter()
                    .map(|(a, o)| {
                        let (api, op) = self.operation((*a, *o));
                        describe(api, op)
                    })
                    .collect(),
            }),
            None => {
                let index = SearchIndex::new(self);
                let nearest = index
                    .query(rest, NEAREST * 4)
                    .into_iter()
                    .filter(|hit| in_scope(hit.api))
                    .take(NEAREST)
                    .map(|hit| {
                        let (api, op) = self.operation((hit.api, hit.op));
                        describe(api, op)
                    })
                    .collect();
                Err(SelectError::Unknown {
                    selector: selector.to_string(),
                    nearest,
                })
            }
        }
    }
}

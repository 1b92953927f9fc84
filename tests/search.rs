//! Operation search on the third-party definitions of ../shared/specs: a
//! table of queries people type and the operation each must rank first
//! (or within the first few), queries that must find nothing, and the
//! real count of matches beyond the shown limit.

use std::path::{Path, PathBuf};

use portico::catalog::search::SearchIndex;
use portico::catalog::{self, Catalog};

const GITHUB: &str = "github-api.github.com-3.0.json";
const SLACK: &str = "slack-web-api-2.0.json";
const TWILIO: &str = "twilio-messaging-v1-3.0.json";
const HTTPBIN: &str = "httpbin-0.10.4-flasgger-2.0.json";
const MSGRAPH: &str = "msgraph-v1.0-apisguru-3.0.json";

/// `(definition, query, expected "METHOD /path", within the first n)`.
const RANKED: &[(&str, &str, &str, usize)] = &[
    // The summary is exactly the query.
    (
        GITHUB,
        "create an issue",
        "POST /repos/{owner}/{repo}/issues",
        1,
    ),
    // A method and a path.
    (GITHUB, "GET /user", "GET /user", 1),
    (GITHUB, "get /user", "GET /user", 1),
    // A typo in two words.
    (
        GITHUB,
        "crate an isue",
        "POST /repos/{owner}/{repo}/issues",
        1,
    ),
    // Words in any order.
    (
        GITHUB,
        "issue create",
        "POST /repos/{owner}/{repo}/issues",
        1,
    ),
    // A path alone: the exact path first (both of its methods).
    (
        GITHUB,
        "/repos/{owner}/{repo}/issues",
        "GET /repos/{owner}/{repo}/issues",
        2,
    ),
    (
        GITHUB,
        "/repos/{owner}/{repo}/issues",
        "POST /repos/{owner}/{repo}/issues",
        2,
    ),
    // A path with values in its templates.
    (
        GITHUB,
        "/repos/octocat/hello-world/issues",
        "GET /repos/{owner}/{repo}/issues",
        2,
    ),
    // A method word and a word.
    (GITHUB, "delete gist", "DELETE /gists/{gist_id}", 1),
    (GITHUB, "issues list", "GET /issues", 3),
    (
        GITHUB,
        "list repository issues",
        "GET /repos/{owner}/{repo}/issues",
        1,
    ),
    // An operationId as written.
    (
        GITHUB,
        "issues/list-for-repo",
        "GET /repos/{owner}/{repo}/issues",
        1,
    ),
    (
        GITHUB,
        "repos/create-for-authenticated-user",
        "POST /user/repos",
        1,
    ),
    (SLACK, "chat post message", "POST /chat.postMessage", 1),
    (SLACK, "chat.postMessage", "POST /chat.postMessage", 1),
    (
        SLACK,
        "conversations history",
        "GET /conversations.history",
        1,
    ),
    (SLACK, "users list", "GET /users.list", 1),
    (TWILIO, "create service", "POST /v1/Services", 1),
    (TWILIO, "delete service", "DELETE /v1/Services/{Sid}", 1),
    (TWILIO, "/v1/Services", "GET /v1/Services", 2),
    (
        TWILIO,
        "brand registrations",
        "GET /v1/a2p/BrandRegistrations",
        3,
    ),
    (HTTPBIN, "get headers", "GET /headers", 1),
    (HTTPBIN, "delete", "DELETE /delete", 1),
    (HTTPBIN, "basic auth", "GET /basic-auth/{user}/{passwd}", 1),
    (HTTPBIN, "base64", "GET /base64/{value}", 1),
    (MSGRAPH, "get user", "GET /users/{user-id}", 1),
    (MSGRAPH, "create group", "POST /groups", 1),
    (MSGRAPH, "send mail", "POST /me/microsoft.graph.sendMail", 2),
    (MSGRAPH, "calender evnts", "GET /me/calendar/events", 3),
    (
        MSGRAPH,
        "/users/{user-id}/messages",
        "GET /users/{user-id}/messages",
        2,
    ),
    (MSGRAPH, "delete drive", "DELETE /drives/{drive-id}", 1),
];

/// Queries whose words are found nowhere: letters scattered across
/// unrelated words do not make a match.
const NOTHING: &[(&str, &str)] = &[
    (GITHUB, "zzzz"),
    (GITHUB, "qxjv"),
    (GITHUB, "create zzzz"),
    (SLACK, "zzzz"),
    (SLACK, "qxjv"),
    (TWILIO, "zzzz"),
    (HTTPBIN, "qxjv"),
    (MSGRAPH, "zzzz"),
    (MSGRAPH, "qxjv"),
];

/// ../shared/specs next to the checkout (or next to the worktrees folder);
/// these tests are about those definitions, so their absence fails.
fn specs_dir() -> PathBuf {
    let candidates = [
        concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/specs"),
        concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/specs"),
    ];
    match candidates.iter().map(Path::new).find(|d| d.is_dir()) {
        Some(dir) => dir.to_path_buf(),
        None => panic!(
            "the shared definitions are missing: looked in {}",
            candidates.join(" and ")
        ),
    }
}

fn load(file: &str) -> Catalog {
    let path = specs_dir().join(file);
    catalog::load_file(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// `METHOD /path` of the first `n` hits of `query`.
fn top(catalog: &Catalog, index: &SearchIndex, query: &str, n: usize) -> Vec<String> {
    index
        .query(query, n)
        .iter()
        .map(|hit| {
            let (_, op) = catalog.operation((hit.api, hit.op));
            format!("{} {}", op.method, op.path)
        })
        .collect()
}

/// Runs `check` with each definition the rows name, loaded once.
fn for_each_definition<'a>(
    files: impl Iterator<Item = &'a str>,
    mut check: impl FnMut(&str, &Catalog, &SearchIndex),
) {
    let mut seen: Vec<&str> = Vec::new();
    for file in files {
        if seen.contains(&file) {
            continue;
        }
        seen.push(file);
        let catalog = load(file);
        let index = SearchIndex::new(&catalog);
        check(file, &catalog, &index);
    }
}

#[test]
fn each_query_ranks_its_operation_first_or_near() {
    let mut failures = Vec::new();
    for_each_definition(RANKED.iter().map(|row| row.0), |file, catalog, index| {
        for (_, query, expected, within) in RANKED.iter().filter(|row| row.0 == file) {
            let found = top(catalog, index, query, 10);
            let position = found.iter().position(|route| route == expected);
            if position.is_none_or(|p| p >= *within) {
                failures.push(format!(
                    "{file}: {query:?} should have {expected} within the first {within}; \
                     it is at {position:?} of {found:#?}"
                ));
            }
        }
    });
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn queries_found_nowhere_match_nothing() {
    for_each_definition(NOTHING.iter().map(|row| row.0), |file, _, index| {
        for (_, query) in NOTHING.iter().filter(|row| row.0 == file) {
            let result = index.search(query, 500);
            assert_eq!(result.total, 0, "{file}: {query:?} found {:?}", result.hits);
            assert!(result.hits.is_empty());
        }
    });
}

#[test]
fn the_count_is_every_match_not_the_limit() {
    let catalog = load(GITHUB);
    let index = SearchIndex::new(&catalog);
    let all = index.search("issues list", usize::MAX);
    let shown = index.search("issues list", 5);
    assert_eq!(shown.hits.len(), 5);
    assert_eq!(shown.total, all.total);
    assert_eq!(all.hits.len(), all.total);
    assert_eq!(shown.hits[..], all.hits[..5], "the limit keeps the best");
    assert!(
        (5..100).contains(&all.total),
        "issues list: {} matches",
        all.total
    );

    // A common word finds more operations than the TUI shows (500).
    let get = index.search("get", 500);
    assert_eq!(get.hits.len(), 500);
    assert!(get.total > 500, "get: {}", get.total);

    let everything = index.search("", 500);
    assert_eq!(everything.total, catalog.apis[0].operations.len());
    assert_eq!(everything.hits.len(), 500);
}

#[test]
fn hits_are_ordered_by_score_then_catalog_order() {
    let catalog = load(GITHUB);
    let index = SearchIndex::new(&catalog);
    for query in ["issue", "get /repos/", "create an issue", "delete gist"] {
        let hits = index.query(query, usize::MAX);
        assert!(!hits.is_empty(), "{query}");
        assert!(
            hits.windows(2).all(|w| w[0].score > w[1].score
                || (w[0].score == w[1].score && (w[0].api, w[0].op) < (w[1].api, w[1].op))),
            "{query}"
        );
    }
}

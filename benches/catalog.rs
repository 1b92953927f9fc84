//! Catalog benchmarks on the large GitHub definition of ../shared/specs:
//! loading it (target: under 150 ms and 150 MB peak in a release build),
//! fuzzy queries over its operations (target: under 2 ms), and one body
//! sample from its schemas. Skips with a message when the file is absent.
//! Also a generated definition the size of the largest seen in the wild
//! (about 20 MB, 11,000 operations): it must open in well under a second.
//! And Microsoft Graph's definition (11,422 operations), when present: the
//! search index build, and keystrokes of typical queries (target: under
//! 2 ms each, typos included).

mod support;

use std::hint::black_box;
use std::path::Path;
use std::time::Duration;

use criterion::Criterion;
use portico::catalog::samples::body_sample;
use portico::catalog::search::SearchIndex;
use portico::catalog::{self, Catalog};
use support::shared_spec;

const GITHUB: &str = "github-api.github.com-3.0.json";
const MSGRAPH: &str = "msgraph-v1.0-apisguru-3.0.json";

/// Peak resident memory of this process so far (Linux), in MB.
fn peak_rss_mb() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}

fn benches(c: &mut Criterion, path: &Path) {
    let mut group = c.benchmark_group("catalog");
    group
        .sample_size(20)
        .measurement_time(Duration::from_secs(8));
    group.bench_function("load github 13 MB", |b| {
        b.iter(|| black_box(catalog::load_file(path).expect("loads")));
    });
    // The floor the design notes name: one plain parse of the same file
    // into a `Value`, measured in the same run (and so under the same load).
    group.bench_function("baseline: read + serde_json::Value parse", |b| {
        b.iter(|| {
            let bytes = std::fs::read(path).expect("reads");
            black_box(serde_json::from_slice::<serde_json::Value>(&bytes).expect("parses"))
        });
    });
    group.finish();

    let catalog: Catalog = catalog::load_file(path).expect("loads");
    let index = SearchIndex::new(&catalog);
    let mut group = c.benchmark_group("search");
    for query in [
        "",
        "s",
        "issue comment",
        "get /repos/{owner}/{repo}/pulls",
        "xyzzy",
        "create an issue",
        "crate an isue",
    ] {
        group.bench_function(format!("query {query:?} over {} ops", index.len()), |b| {
            b.iter(|| black_box(index.query(black_box(query), 50)));
        });
    }
    group.bench_function("build index", |b| {
        b.iter(|| black_box(SearchIndex::new(&catalog)));
    });
    group.finish();

    let (a, o) = catalog
        .select("repos/create-for-authenticated-user")
        .expect("operation");
    let (api, op) = catalog.operation((a, o));
    let media = &op.request_body.as_ref().expect("body").content[0];
    c.bench_function("body sample (create repository)", |b| {
        b.iter(|| black_box(body_sample(api, media)));
    });
}

/// Writes an OpenAPI 3.0 definition of `operations` operations, each with
/// documentation, parameters, a body and responses referring to shared
/// schemas, shaped like the large public definitions (about 1.8 KB each).
fn write_large_definition(path: &Path, operations: usize) {
    use serde_json::{Map, Value, json};
    let description = "Returns the resource with its links, audit fields and nested \
        settings. Callers with read access see every field; others see the public subset. \
        Results are paginated with the cursor of the previous page; the order is stable \
        across pages. Rate limits apply per token and per installation. ";
    let mut paths = Map::new();
    for i in 0..operations {
        let schema = format!("#/components/schemas/Resource{}", i % 500);
        paths.insert(
            format!("/orgs/{{org}}/teams/{{team_slug}}/resources{i}/{{resource_id}}"),
            json!({ "post": {
                "operationId": format!("resources/create-{i}"),
                "summary": format!("Create resource {i} for a team"),
                "description": description.repeat(2),
                "tags": [format!("group-{}", i % 40)],
                "parameters": [
                    { "name": "org", "in": "path", "required": true, "schema": { "type": "string" } },
                    { "name": "team_slug", "in": "path", "required": true, "schema": { "type": "string" } },
                    { "name": "resource_id", "in": "path", "required": true, "schema": { "type": "integer" } },
                    { "name": "per_page", "in": "query", "schema": { "type": "integer", "default": 30 } },
                ],
                "requestBody": { "content": { "application/json": { "schema": { "$ref": schema } } } },
                "responses": {
                    "201": { "description": "Created", "content": { "application/json": { "schema": { "$ref": schema } } } },
                    "404": { "description": "Resource not found" },
                },
            }}),
        );
    }
    let mut schemas = Map::new();
    for i in 0..500 {
        schemas.insert(
            format!("Resource{i}"),
            json!({ "type": "object", "required": ["name"], "properties": {
                "name": { "type": "string", "example": "octo" },
                "visibility": { "type": "string", "enum": ["public", "private"] },
                "settings": { "type": "object", "properties": { "level": { "type": "integer" } } },
            }}),
        );
    }
    let definition = json!({
        "openapi": "3.0.3",
        "info": { "title": "Large", "version": "1" },
        "servers": [{ "url": "https://api.example.com" }],
        "paths": Value::Object(paths),
        "components": { "schemas": Value::Object(schemas) },
    });
    let bytes = serde_json::to_vec(&definition).expect("serialises");
    std::fs::write(path, &bytes).expect("writes");
    println!(
        "generated definition: {:.1} MB, {operations} operations",
        bytes.len() as f64 / 1e6
    );
}

fn large_definition_benches(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("large.json");
    write_large_definition(&path, 11_000);
    let mut group = c.benchmark_group("large");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(10));
    group.bench_function("load 11,000 operations", |b| {
        b.iter(|| black_box(catalog::load_file(&path).expect("loads")));
    });
    let catalog = catalog::load_file(&path).expect("loads");
    let index = SearchIndex::new(&catalog);
    group.bench_function("query \"create team resource\" over 11,000 ops", |b| {
        b.iter(|| black_box(index.query(black_box("create team resource"), 50)));
    });
    group.finish();
}

/// Keystrokes over Microsoft Graph's 11,422 operations, and the index build.
fn msgraph_search_benches(c: &mut Criterion, path: &Path) {
    let catalog = catalog::load_file(path).expect("loads");
    let mut group = c.benchmark_group("msgraph search");
    group
        .sample_size(20)
        .measurement_time(Duration::from_secs(5));
    group.bench_function("build index", |b| {
        b.iter(|| black_box(SearchIndex::new(&catalog)));
    });
    let index = SearchIndex::new(&catalog);
    for query in [
        "u",
        "user",
        "get user",
        "list users",
        "send mail",
        "calendar events",
        "create group",
        "delete drive item",
        "calender evnts",
        "get /users/{user-id}/messages",
        "zzzz",
    ] {
        group.bench_function(format!("query {query:?} over {} ops", index.len()), |b| {
            b.iter(|| black_box(index.search(black_box(query), 500)));
        });
    }
    group.finish();
}

fn main() {
    let mut criterion = Criterion::default().configure_from_args();
    let github = shared_spec(GITHUB);
    match &github {
        // One load first, so the peak below is that of loading and holding one catalog.
        Some(path) => {
            let before = peak_rss_mb();
            let catalog = catalog::load_file(path).expect("loads");
            if let (Some(before), Some(after)) = (before, peak_rss_mb()) {
                println!(
                    "peak RSS: {before:.1} MB before loading, {after:.1} MB after loading {} operations",
                    catalog.apis[0].operations.len()
                );
            }
        }
        None => eprintln!("note: ../shared/specs/{GITHUB} is absent; its benchmarks are skipped"),
    }
    large_definition_benches(&mut criterion);
    if let Some(path) = &github {
        benches(&mut criterion, path);
    }
    match shared_spec(MSGRAPH) {
        Some(path) => msgraph_search_benches(&mut criterion, &path),
        None => eprintln!("note: ../shared/specs/{MSGRAPH} is absent; its benchmarks are skipped"),
    }
    criterion.final_summary();
}

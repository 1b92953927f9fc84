//! Catalog benchmarks on the large GitHub definition of ../shared/specs:
//! loading it (target: under 150 ms and 150 MB peak in a release build),
//! fuzzy queries over its operations (target: under 2 ms), and one body
//! sample from its schemas. Skips with a message when the file is absent.

use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::time::Duration;

use criterion::Criterion;
use portico::catalog::samples::body_sample;
use portico::catalog::search::SearchIndex;
use portico::catalog::{self, Catalog};

const GITHUB: &str = "github-api.github.com-3.0.json";

/// ../shared/specs next to the checkout (or next to the worktrees folder).
fn github_spec() -> Option<PathBuf> {
    [
        concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/specs/"),
        concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/specs/"),
    ]
    .iter()
    .map(|dir| Path::new(dir).join(GITHUB))
    .find(|p| p.is_file())
}

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
    let (api, op) = catalog.operation(a, o);
    let media = &op.request_body.as_ref().expect("body").content[0];
    c.bench_function("body sample (create repository)", |b| {
        b.iter(|| black_box(body_sample(api, media)));
    });
}

fn main() {
    let Some(path) = github_spec() else {
        eprintln!("note: ../shared/specs/{GITHUB} is absent; catalog benchmarks skipped");
        return;
    };
    // One load first, so the peak below is that of loading and holding one catalog.
    let before = peak_rss_mb();
    let catalog = catalog::load_file(&path).expect("loads");
    if let (Some(before), Some(after)) = (before, peak_rss_mb()) {
        println!(
            "peak RSS: {before:.1} MB before loading, {after:.1} MB after loading {} operations",
            catalog.apis[0].operations.len()
        );
    }
    drop(catalog);
    let mut criterion = Criterion::default().configure_from_args();
    benches(&mut criterion, &path);
    criterion.final_summary();
}

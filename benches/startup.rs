//! Start-up on the two largest shared definitions, each against the floor
//! of a plain parse of the same file measured in the same run:
//!
//! - GitHub's (13 MB, 1,223 operations): the catalog on screen within
//!   120 ms;
//! - Microsoft Graph's (20 MB, 11,422 operations): within 300 ms and under
//!   150 MB resident.
//!
//! Times: criterion, for "read + parse into a `serde_json::Value`" (the
//! floor), "load the catalog", and "load, build the app and draw its first
//! frame" (160x45, ratatui's test backend; the terminal itself adds
//! nothing measurable). Memory: each figure comes from a child process of
//! its own (this binary, run again) that does one thing and reports its
//! peak resident set, so that no other benchmark's garbage counts.
//!
//! Run with `cargo bench --bench startup`; skips a definition that is
//! absent.

mod support;

use std::hint::black_box;
use std::path::Path;
use std::time::{Duration, Instant};

use criterion::Criterion;
use portico::catalog;
use portico::tui::{App, TuiContext};
use ratatui::backend::TestBackend;
use support::shared_spec;

const DEFINITIONS: [(&str, &str); 2] = [
    ("github", "github-api.github.com-3.0.json"),
    ("msgraph", "msgraph-v1.0-apisguru-3.0.json"),
];

/// The child's task, as `WHAT PATH` in this variable.
const CHILD: &str = "PORTICO_STARTUP_CHILD";

fn parse(path: &Path) -> serde_json::Value {
    let bytes = std::fs::read(path).expect("reads");
    serde_json::from_slice(&bytes).expect("parses")
}

/// The catalog loaded, the app built on it and its first frame drawn.
fn first_frame(path: &Path) -> App<TestBackend> {
    let catalog = catalog::load_file(path).expect("loads");
    let mut app = App::new(
        TuiContext::with_defaults(catalog),
        TestBackend::new(160, 45),
    )
    .expect("app");
    app.draw().expect("first frame");
    app
}

/// Peak resident set of this process so far, in MB (Linux).
fn peak_rss_mb() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}

/// In the child: does `what` to `path`, prints the peak resident set.
fn child(task: &str) {
    let (what, path) = task.split_once(' ').expect("WHAT PATH");
    let path = Path::new(path);
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let _guard = runtime.enter();
    let base = peak_rss_mb().unwrap_or(0.0);
    match what {
        "parse" => drop(black_box(parse(path))),
        "frame" => {
            let app = first_frame(path);
            // What the catalog needs once on screen counts too.
            app.wait_for_search_index();
            drop(black_box(app));
        }
        other => panic!("unknown child task {other}"),
    }
    println!("{:.1} {:.1}", peak_rss_mb().unwrap_or(0.0), base);
}

/// Runs this binary again as a child for `what`; its peak in MB.
fn peak_of(what: &str, path: &Path) -> Option<(f64, f64)> {
    let out = std::process::Command::new(std::env::current_exe().ok()?)
        .env(CHILD, format!("{what} {}", path.display()))
        .output()
        .ok()?;
    let text = String::from_utf8_lossy(&out.stdout);
    let mut figures = text.split_whitespace().map(|f| f.parse::<f64>().ok());
    Some((figures.next()??, figures.next()??))
}

fn main() {
    if let Ok(task) = std::env::var(CHILD) {
        child(&task);
        return;
    }
    let mut criterion = Criterion::default().configure_from_args();
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let _guard = runtime.enter();
    for (name, file) in DEFINITIONS {
        let Some(path) = shared_spec(file) else {
            eprintln!("note: ../shared/specs/{file} is absent; its start-up is not measured");
            continue;
        };
        if let (Some((parse_peak, base)), Some((frame_peak, _))) =
            (peak_of("parse", &path), peak_of("frame", &path))
        {
            println!(
                "{name}: peak resident {frame_peak:.1} MB with the catalog on screen, \
                 {parse_peak:.1} MB for a plain parse ({:.2}x; {base:.1} MB before either)",
                frame_peak / parse_peak
            );
        }
        let mut group = criterion.benchmark_group(format!("startup {name}"));
        group
            .sample_size(10)
            .measurement_time(Duration::from_secs(10));
        // Dropping what each made is left out of the time: start-up never
        // drops it.
        group.bench_function("floor: read + serde_json::Value parse", |b| {
            b.iter_with_large_drop(|| parse(&path));
        });
        group.bench_function("load the catalog", |b| {
            b.iter_with_large_drop(|| catalog::load_file(&path).expect("loads"));
        });
        group.bench_function("load + app + first frame", |b| {
            // The search index is built after the first frame, on a thread
            // of its own: each run waits for it (untimed), so that it does
            // not take the next run's core.
            b.iter_custom(|runs| {
                let mut total = Duration::ZERO;
                for _ in 0..runs {
                    let started = Instant::now();
                    let app = first_frame(&path);
                    total += started.elapsed();
                    app.wait_for_search_index();
                    drop(app);
                }
                total
            });
        });
        group.finish();
    }
    criterion.final_summary();
}

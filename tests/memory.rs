//! Memory on hostile input, measured: a counting global allocator
//! (`peak_alloc`) records the heap's peak while the engine reads hostile
//! responses from loopback servers, the loader reads hostile definitions
//! and the history reader reads a huge corrupt file. Each case asserts that
//! its peak growth stays under a stated bound: the budgets in the code are
//! a property, not a hope.
//!
//! The allocator counts the whole process, so one test runs the cases one
//! after another, each measured from the heap in use when it starts; the
//! loopback servers run in the same process and count too. It counts a
//! `realloc` as a new block while the old one is still held, so the
//! figures are upper bounds.
//! `cargo test --test memory -- --nocapture` prints the figures.

mod support;

use std::io::Write as _;
use std::path::Path;
use std::time::Instant;

use peak_alloc::PeakAlloc;
use portico::catalog::{self, Catalog};
use portico::http::{DEFAULT_BODY_CAP, Engine, EngineConfig, ErrorKind, SendOptions};
use portico::request::{self, BuiltRequest, Draft, Vars};
use portico::store::{History, HistoryLimits};
use serde_json::{Value, json};
use support::{RawServer, TestServer};
use tokio_util::sync::CancellationToken;

#[global_allocator]
static HEAP: PeakAlloc = PeakAlloc;

const MIB: usize = 1024 * 1024;
const CAP: usize = DEFAULT_BODY_CAP;

/// One case's figures: what it read, how much the heap grew at its peak,
/// and the bound that growth must stay under.
struct Figure {
    case: &'static str,
    input: String,
    peak: usize,
    bound: usize,
    millis: u128,
}

/// Runs `f` and returns its result with the heap's peak growth over the
/// heap in use when it started.
fn measure<T>(f: impl FnOnce() -> T) -> (T, usize, u128) {
    HEAP.reset_peak_usage();
    let base = HEAP.current_usage();
    let started = Instant::now();
    let out = f();
    let millis = started.elapsed().as_millis();
    (out, HEAP.peak_usage().saturating_sub(base), millis)
}

fn size(bytes: u64) -> String {
    if bytes >= 1_000_000_000 {
        format!("{:.1} GB", bytes as f64 / 1e9)
    } else if bytes >= 1_000_000 {
        format!("{:.1} MB", bytes as f64 / 1e6)
    } else {
        format!("{:.1} kB", bytes as f64 / 1e3)
    }
}

fn mib(bytes: usize) -> f64 {
    bytes as f64 / MIB as f64
}

fn get(url: &str) -> BuiltRequest {
    BuiltRequest {
        method: "GET".into(),
        url: url.into(),
        ..BuiltRequest::default()
    }
}

/// A response head followed by `body`, as a hostile server writes it.
fn raw_response(head: &str, body: &[u8]) -> Vec<u8> {
    let mut raw = format!(
        "HTTP/1.1 200 OK\r\n{head}content-length: {}\r\n\r\n",
        body.len()
    )
    .into_bytes();
    raw.extend_from_slice(body);
    raw
}

/// `inflated` bytes of zeros, gzipped a MiB at a time (never held whole).
fn gzip_bomb(inflated: usize) -> Vec<u8> {
    let zeros = vec![0u8; MIB];
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    for _ in 0..inflated / MIB {
        e.write_all(&zeros).expect("gzip");
    }
    e.finish().expect("gzip")
}

/// Loads a definition, then opens every operation as the TUI would (a
/// draft, its body sample, the request preview).
fn load_and_open(bytes: &[u8], name: &str) -> Result<Catalog, catalog::LoadError> {
    let catalog = catalog::load_bytes(bytes, name)?;
    let vars = Vars::default();
    for api in &catalog.apis {
        for op in api.operations.iter().chain(&api.webhooks) {
            for media in op.request_body.iter().flat_map(|b| &b.content) {
                let _ = catalog::samples::body_sample(api, media);
            }
            let draft = Draft::new(api, op, &vars);
            let _ = request::preview(api, op, &draft, &vars);
        }
    }
    Ok(catalog)
}

const DEEP: usize = 100_000;

fn deep_json() -> Vec<u8> {
    format!(
        r#"{{"openapi":"3.0.0","info":{{"title":"t","version":"1"}},"paths":{{"/x":{{"get":{{"parameters":{}1{}}}}}}}}}"#,
        "[".repeat(DEEP),
        "]".repeat(DEEP)
    )
    .into_bytes()
}

fn deep_yaml() -> Vec<u8> {
    format!(
        "openapi: 3.0.0\ninfo: {{title: t, version: '1'}}\npaths:\n  /x: {}1{}\n",
        "{a: ".repeat(DEEP),
        "}".repeat(DEEP)
    )
    .into_bytes()
}

/// Nine levels of nine aliases each: 9^10 `lol`s when expanded.
fn billion_laughs() -> Vec<u8> {
    let mut text = String::from(
        "openapi: 3.0.0\ninfo: {title: lol, version: '1'}\nx0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n",
    );
    for i in 1..10 {
        let p = i - 1;
        let refs = vec![format!("*a{p}"); 9].join(", ");
        text.push_str(&format!("x{i}: &a{i} [{refs}]\n"));
    }
    text.push_str("paths: {}\n");
    text.into_bytes()
}

/// Schemas S0 -> S1 -> ... -> S10000, used by a parameter and a body.
fn ref_chain(n: usize) -> Vec<u8> {
    let mut schemas = serde_json::Map::new();
    for i in 0..n {
        schemas.insert(
            format!("S{i}"),
            json!({"$ref": format!("#/components/schemas/S{}", i + 1)}),
        );
    }
    schemas.insert(
        format!("S{n}"),
        json!({"type": "object", "properties": {"a": {"type": "string"}}}),
    );
    let head = json!({"$ref": "#/components/schemas/S0"});
    let root = json!({
        "openapi": "3.0.3",
        "info": {"title": "chain", "version": "1"},
        "paths": {"/x": {"post": {
            "parameters": [{"name": "q", "in": "query", "schema": head}],
            "requestBody": {"content": {"application/json": {"schema": head}}},
            "responses": {"200": {"description": "ok"}}
        }}},
        "components": {"schemas": Value::Object(schemas)}
    });
    serde_json::to_vec(&root).expect("serialises")
}

/// Writes about `bytes` of copies of `line` (a history line that is not
/// JSON), a MiB at a time.
fn corrupt_history(path: &Path, line: &str, bytes: usize) -> u64 {
    let block = line.repeat(MIB / line.len());
    let mut file = std::io::BufWriter::new(std::fs::File::create(path).expect("create"));
    for _ in 0..bytes / block.len() {
        file.write_all(block.as_bytes()).expect("write");
    }
    file.flush().expect("flush");
    std::fs::metadata(path).expect("metadata").len()
}

#[test]
fn memory_stays_bounded_on_hostile_input() {
    let mut figures = Vec::new();
    engine_cases(&mut figures);
    definition_cases(&mut figures);
    store_cases(&mut figures);

    println!(
        "{:<34} {:>10} {:>10} {:>10} {:>8}",
        "case", "input", "peak MiB", "bound MiB", "ms"
    );
    for f in &figures {
        println!(
            "{:<34} {:>10} {:>10.1} {:>10.1} {:>8}",
            f.case,
            f.input,
            mib(f.peak),
            mib(f.bound),
            f.millis
        );
    }
    let over: Vec<&str> = figures
        .iter()
        .filter(|f| f.peak >= f.bound)
        .map(|f| f.case)
        .collect();
    assert!(over.is_empty(), "over their bound: {over:?}");
}

fn engine_cases(figures: &mut Vec<Figure>) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let engine = Engine::new(EngineConfig::default()).expect("engine");
    let send = |url: String, opts: SendOptions| {
        let engine = engine.clone();
        measure(|| {
            rt.block_on(async move {
                engine
                    .send(&get(&url), &opts, CancellationToken::new())
                    .await
            })
        })
    };
    // Twice the cap: the body held, its last growth (measured at about
    // 1.5 times the cap) and what hyper, the decoder and the server buffer
    // on the way.
    let capped = 2 * CAP;

    let server = rt.block_on(TestServer::start());
    const FIVE_GB: u64 = 5_000_000_000;
    let (ex, peak, millis) = send(
        server.url(&format!("/bytes/{FIVE_GB}")),
        SendOptions::default(),
    );
    let ex = ex.expect("a 5 GB body is capped");
    assert!(ex.response.truncated);
    assert_eq!(ex.response.body.len(), CAP);
    figures.push(Figure {
        case: "engine: 5 GB body",
        input: size(FIVE_GB),
        peak,
        bound: capped,
        millis,
    });

    let (ex, peak, millis) = send(server.url("/endless"), SendOptions::default());
    let ex = ex.expect("an endless body is capped");
    assert!(ex.response.truncated);
    assert_eq!(ex.response.body.len(), CAP);
    figures.push(Figure {
        case: "engine: body that never ends",
        input: "endless".into(),
        peak,
        bound: capped,
        millis,
    });

    let inflated = 1024 * MIB;
    let bomb = gzip_bomb(inflated);
    let bomb_len = bomb.len();
    let raw = rt.block_on(RawServer::respond(raw_response(
        "content-encoding: gzip\r\n",
        &bomb,
    )));
    drop(bomb);
    let (ex, peak, millis) = send(raw.url("/bomb"), SendOptions::default());
    let ex = ex.expect("a gzip bomb is capped");
    assert!(ex.response.truncated);
    assert_eq!(ex.response.body.len(), CAP);
    figures.push(Figure {
        case: "engine: gzip bomb (1 GiB inflated)",
        input: size(bomb_len as u64),
        peak,
        bound: capped,
        millis,
    });
    drop(raw);

    let mut head = b"HTTP/1.1 200 OK\r\n".to_vec();
    for i in 0..10_000 {
        head.extend_from_slice(format!("x-h-{i}: {i}\r\n").as_bytes());
    }
    head.extend_from_slice(b"content-length: 2\r\n\r\nok");
    let head_len = head.len();
    let raw = rt.block_on(RawServer::respond(head));
    let (err, peak, millis) = send(raw.url("/x"), SendOptions::default());
    let err = err.expect_err("10,000 headers are refused");
    assert_eq!(err.kind, ErrorKind::InvalidResponse, "{err}");
    figures.push(Figure {
        case: "engine: 10,000 headers",
        input: size(head_len as u64),
        peak,
        bound: 4 * MIB,
        millis,
    });
    drop(raw);

    let mut head = b"HTTP/1.1 200 OK\r\nx-huge: ".to_vec();
    head.extend(std::iter::repeat_n(b'h', MIB));
    head.extend_from_slice(b"\r\ncontent-length: 2\r\n\r\nok");
    let head_len = head.len();
    let raw = rt.block_on(RawServer::respond(head));
    let (err, peak, millis) = send(raw.url("/x"), SendOptions::default());
    let err = err.expect_err("a 1 MB header line is refused");
    assert_eq!(err.kind, ErrorKind::InvalidResponse, "{err}");
    figures.push(Figure {
        case: "engine: 1 MB header line",
        input: size(head_len as u64),
        peak,
        bound: 4 * MIB,
        millis,
    });
    drop(raw);

    const SAVED: u64 = 256 * MIB as u64;
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("body.bin");
    let opts = SendOptions {
        save_to: Some(path.clone()),
        ..SendOptions::default()
    };
    let (ex, peak, millis) = send(server.url(&format!("/bytes/{SAVED}")), opts);
    let ex = ex.expect("saved");
    assert!(!ex.response.truncated);
    assert_eq!(ex.response.size, SAVED);
    assert_eq!(std::fs::metadata(&path).expect("saved file").len(), SAVED);
    figures.push(Figure {
        case: "engine: 256 MiB body saved to file",
        input: size(SAVED),
        peak,
        bound: 8 * MIB,
        millis,
    });
}

fn definition_cases(figures: &mut Vec<Figure>) {
    for (case, name, bytes) in [
        (
            "definitions: JSON nesting 100,000",
            "deep.json",
            deep_json(),
        ),
        (
            "definitions: YAML nesting 100,000",
            "deep.yaml",
            deep_yaml(),
        ),
        (
            "definitions: billion laughs YAML",
            "lol.yaml",
            billion_laughs(),
        ),
    ] {
        let (result, peak, millis) = measure(|| load_and_open(&bytes, name));
        // Refused, or (JSON, read lazily) loaded without the deep part.
        match result {
            Err(e) => assert!(e.to_string().starts_with(name), "{e}"),
            Ok(catalog) => assert!(
                catalog.apis.iter().all(|a| a.operations.len() <= 1),
                "{name}"
            ),
        }
        figures.push(Figure {
            case,
            input: size(bytes.len() as u64),
            peak,
            bound: 32 * MIB,
            millis,
        });
    }

    let bytes = ref_chain(10_000);
    let (result, peak, millis) = measure(|| load_and_open(&bytes, "chain.json"));
    let catalog = result.expect("a long chain loads with warnings");
    assert_eq!(catalog.apis[0].operations.len(), 1);
    figures.push(Figure {
        case: "definitions: $ref chain 10,000 deep",
        input: size(bytes.len() as u64),
        peak,
        bound: 64 * MIB,
        millis,
    });

    // A big real definition, as a reference point for the ratio of peak to
    // file size: shared/specs next to the checkout, or next to the
    // worktrees folder.
    let github = ["..", "../.."]
        .iter()
        .map(|up| {
            Path::new(env!("CARGO_MANIFEST_DIR"))
                .join(up)
                .join("shared/specs/github-api.github.com-3.0.json")
        })
        .find(|p| p.is_file());
    match github {
        Some(path) => {
            let bytes = std::fs::read(&path).expect("read");
            let (result, peak, millis) = measure(|| load_and_open(&bytes, "github.json"));
            let catalog = result.expect("loads");
            assert!(catalog.apis[0].operations.len() > 1000);
            println!(
                "github definition: peak {:.1}× its file size",
                peak as f64 / bytes.len() as f64
            );
            figures.push(Figure {
                case: "definitions: GitHub (real, 1,223 ops)",
                input: size(bytes.len() as u64),
                peak,
                bound: 10 * bytes.len(),
                millis,
            });
        }
        None => eprintln!("note: the shared GitHub definition is absent; skipping"),
    }
}

fn store_cases(figures: &mut Vec<Figure>) {
    let dir = tempfile::tempdir().expect("temp dir");
    let long = format!("{{\"time\": 1, \"request\": {}\n", "garbage ".repeat(24));
    for (case, line, bytes) in [
        ("store: 200 MB corrupt history", long.as_str(), 200_000_000),
        // Many short lines: one warning each would outweigh the file.
        (
            "store: 10 MB of short bad lines",
            "{\"time\": no}\n",
            10_000_000,
        ),
    ] {
        let path = dir.path().join("history.jsonl");
        let len = corrupt_history(&path, line, bytes);
        let history = History::at(&path, HistoryLimits::default());
        let (read, peak, millis) = measure(|| history.read());
        let read = read.expect("a corrupt history is read");
        assert!(read.entries.is_empty());
        assert!(!read.warnings.is_empty());
        figures.push(Figure {
            case,
            input: size(len),
            peak,
            // Only the newest end within the size limit is read, however
            // large the file.
            bound: usize::try_from(HistoryLimits::default().max_bytes).expect("fits") * 3 / 2
                + 4 * MIB,
            millis,
        });
    }
}

//! Hostile definitions and input: explicit worst cases first (deep nesting,
//! alias bombs, `$ref` chains and cycles), then property-based fuzz targets
//! that start from the seed corpora in tests/fixtures/fuzz/<target>/.
//!
//! Each target runs a modest number of cases by default; set
//! `PROPTEST_CASES` for a longer run (see README.md, "Fuzzing").

use std::sync::mpsc;
use std::time::{Duration, Instant};

use portico::catalog::{self, Catalog};

/// Runs `f` on a thread with the default 2 MiB stack (as tokio's workers
/// have) and fails when it takes longer than `limit`: a hang is a failure,
/// not a test that never ends. A stack overflow aborts the whole binary.
fn bounded<T: Send + 'static>(
    what: &str,
    limit: Duration,
    f: impl FnOnce() -> T + Send + 'static,
) -> T {
    let (tx, rx) = mpsc::channel();
    let started = Instant::now();
    std::thread::Builder::new()
        .name(what.to_string())
        .stack_size(2 << 20)
        .spawn(move || {
            let _ = tx.send(f());
        })
        .expect("spawn");
    match rx.recv_timeout(limit) {
        Ok(value) => value,
        Err(mpsc::RecvTimeoutError::Timeout) => {
            panic!("{what}: still running after {:?}", started.elapsed())
        }
        Err(mpsc::RecvTimeoutError::Disconnected) => panic!("{what}: panicked"),
    }
}

fn load(name: &str, bytes: Vec<u8>) -> Result<Catalog, catalog::LoadError> {
    let name = name.to_string();
    bounded(&name.clone(), Duration::from_secs(20), move || {
        catalog::load_bytes(&bytes, &name)
    })
}

// ---------------------------------------------------------------------------
// Deep nesting

const DEEP: usize = 100_000;

#[test]
fn deep_json_nesting_is_an_error() {
    let arrays = format!("{}{}", "[".repeat(DEEP), "]".repeat(DEEP));
    let objects = format!("{}1{}", r#"{"a":"#.repeat(DEEP), "}".repeat(DEEP));
    // Deep inside an otherwise valid definition, where only a part is parsed
    // when it is read.
    let inside = format!(
        r#"{{"openapi":"3.0.0","info":{{"title":"t","version":"1"}},"paths":{{"/x":{{"get":{{"parameters":{}1{}}}}}}}}}"#,
        "[".repeat(DEEP),
        "]".repeat(DEEP)
    );
    for (name, text) in [
        ("arrays.json", arrays),
        ("objects.json", objects),
        ("inside.json", inside),
    ] {
        match load(name, text.into_bytes()) {
            Err(e) => assert!(e.to_string().starts_with(name), "{e}"),
            Ok(catalog) => assert!(
                catalog.apis.iter().all(|a| a.operations.len() <= 1),
                "{name}"
            ),
        }
    }
}

#[test]
fn deep_yaml_nesting_is_an_error() {
    // Behind a first key: text that starts with `{` is read as JSON.
    let cases = [
        (
            "flow-seq.yaml",
            format!("x: {}{}", "[".repeat(DEEP), "]".repeat(DEEP)),
        ),
        (
            "flow-map.yaml",
            format!("x: {}1{}", "{a: ".repeat(DEEP), "}".repeat(DEEP)),
        ),
        ("block-seq.yaml", format!("{}x\n", "- ".repeat(DEEP))),
        ("complex-keys.yaml", format!("{}x\n", "? ".repeat(DEEP))),
        (
            "under-paths.yaml",
            format!(
                "openapi: 3.0.0\ninfo: {{title: t, version: '1'}}\npaths:\n  /x: {}1{}\n",
                "[".repeat(DEEP),
                "]".repeat(DEEP)
            ),
        ),
    ];
    for (name, text) in cases {
        let err = load(name, text.into_bytes()).expect_err(name);
        assert!(err.to_string().starts_with(name), "{err}");
    }
}

// ---------------------------------------------------------------------------
// Alias bombs

#[test]
fn billion_laughs_yaml_is_refused() {
    let mut text = String::from(
        "openapi: 3.0.0\ninfo: {title: lol, version: '1'}\nx0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n",
    );
    for i in 1..10 {
        let p = i - 1;
        text.push_str(&format!(
            "x{i}: &a{i} [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}]\n"
        ));
    }
    text.push_str("paths: {}\n");
    let started = Instant::now();
    let err = load("lol.yaml", text.into_bytes()).expect_err("refused");
    assert!(err.to_string().starts_with("lol.yaml"), "{err}");
    assert!(started.elapsed() < Duration::from_secs(5));
}

/// Few aliases, each of a large anchor: the expansion is quadratic in the
/// file's size (a 400 kB file would hold 2.5 billion values), which an
/// alias-count limit alone does not catch.
#[test]
fn quadratic_alias_expansion_is_refused() {
    let n = 50_000;
    let mut text = String::from("openapi: 3.0.0\ninfo: {title: q, version: '1'}\nbig: &big [");
    text.push_str(&"1,".repeat(n));
    text.push_str("1]\nmany: [");
    text.push_str(&"*big,".repeat(n));
    text.push_str("*big]\npaths: {}\n");
    let started = Instant::now();
    let err = load("quadratic.yaml", text.into_bytes()).expect_err("refused");
    assert!(err.to_string().starts_with("quadratic.yaml"), "{err}");
    assert!(started.elapsed() < Duration::from_secs(5));
}

//! Hostile definitions and input: explicit worst cases first (deep nesting,
//! alias bombs, `$ref` chains and cycles), then property-based fuzz targets
//! that start from the seed corpora in tests/fixtures/fuzz/<target>/, then
//! the regressions they found, broken sources among good ones, files that
//! name devices, and secrets in what a failed send says.
//!
//! Each target runs a modest number of cases by default; set
//! `PROPTEST_CASES` for a longer run (see README.md, "Fuzzing").

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, OnceLock, mpsc};
use std::time::{Duration, Instant};

use portico::catalog::OperationKey;
use portico::catalog::samples::{body_sample, schema_sample};
use portico::catalog::{
    self, Api, Catalog, Operation, ParamLocation, ParamStyle, Parameter, SchemaSummary,
    SecurityKind, SecurityScheme, Server, ServerVariable, Variable,
};
use portico::http::{ErrorKind, RequestError};
use portico::request::curl::{CurlError, ParsedCurl, draft_from_curl, parse_curl_with, to_curl};
use portico::request::{self, AuthValue, BuiltRequest, Draft, Row, Vars};
use portico::request::{http_file, imported};
use portico::store::{DotEnv, History, HistoryEntry, HistoryLimits, Presets, SaveOptions};
use proptest::collection::vec;
use proptest::option;
use proptest::prelude::*;
use proptest::sample::{Index, select};
use proptest::test_runner::TestRunner;
use serde_json::{Value, json};

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

// ---------------------------------------------------------------------------
// `$ref` chains and cycles

/// A definition with one POST operation whose parameter and JSON body use
/// `schema`, with `schemas` as its components, plus `extra` at the top.
fn definition(schema: &Value, schemas: &Value, extra: &Value) -> Vec<u8> {
    let mut root = json!({
        "openapi": "3.0.3",
        "info": {"title": "hostile", "version": "1"},
        "paths": {"/x": {"post": {
            "operationId": "x",
            "parameters": [{"name": "q", "in": "query", "schema": schema}],
            "requestBody": {"content": {"application/json": {"schema": schema}}},
            "responses": {"200": {"description": "ok"}}
        }}},
        "components": {"schemas": schemas}
    });
    if let (Some(root), Value::Object(extra)) = (root.as_object_mut(), extra) {
        root.extend(extra.clone());
    }
    serde_json::to_vec(&root).expect("serialises")
}

/// Loads a definition, then opens every operation as the TUI would (a
/// draft with its body sample) and builds it: all of it bounded in time.
fn load_and_open(name: &str, bytes: Vec<u8>) -> Result<Catalog, catalog::LoadError> {
    let name = name.to_string();
    bounded(&name.clone(), Duration::from_secs(20), move || {
        let catalog = catalog::load_bytes(&bytes, &name)?;
        open_everything(&catalog);
        Ok(catalog)
    })
}

fn open_everything(catalog: &Catalog) {
    let vars = Vars::default();
    for api in &catalog.apis {
        for op in api.operations.iter().chain(&api.webhooks) {
            for media in op.request_body.iter().flat_map(|b| &b.content) {
                let _ = body_sample(api, media);
                if let Some(schema) = &media.schema {
                    let _ = schema_sample(api, schema);
                }
            }
            let draft = Draft::new(api, op, &vars);
            let _ = request::preview(api, op, &draft, &vars);
        }
    }
}

fn ref_to(name: &str) -> Value {
    json!({"$ref": format!("#/components/schemas/{name}")})
}

#[test]
fn ref_chains_ten_thousand_deep_are_bounded() {
    let n = 10_000;
    let mut schemas = serde_json::Map::new();
    let mut parameters = serde_json::Map::new();
    for i in 0..n {
        schemas.insert(format!("S{i}"), ref_to(&format!("S{}", i + 1)));
        parameters.insert(
            format!("P{i}"),
            json!({"$ref": format!("#/components/parameters/P{}", i + 1)}),
        );
    }
    schemas.insert(
        format!("S{n}"),
        json!({"type": "object", "properties": {"a": {"type": "string"}}}),
    );
    parameters.insert(format!("P{n}"), json!({"name": "p", "in": "query"}));
    let mut root: Value = serde_json::from_slice(&definition(
        &ref_to("S0"),
        &Value::Object(schemas),
        &json!({}),
    ))
    .expect("json");
    root["components"]["parameters"] = Value::Object(parameters);
    root["paths"]["/x"]["post"]["parameters"]
        .as_array_mut()
        .expect("list")
        .push(json!({"$ref": "#/components/parameters/P0"}));
    let catalog = load_and_open("chain.json", serde_json::to_vec(&root).expect("json"))
        .expect("loads with warnings");
    assert_eq!(catalog.apis[0].operations.len(), 1);
    assert!(
        catalog.warnings.iter().any(|w| w.message.contains("$ref")),
        "{:?}",
        catalog.warnings
    );
}

#[test]
fn ref_cycles_are_bounded() {
    let schemas = json!({
        "Self": ref_to("Self"),
        "A": ref_to("B"),
        "B": ref_to("A"),
        "AllOf": {"allOf": [ref_to("AllOf"), {"type": "object", "properties": {"x": ref_to("AllOf")}}]},
        "Items": {"type": "array", "items": ref_to("Items")},
        "Props": {"type": "object", "properties": {"next": ref_to("Props"), "list": {"items": ref_to("Props")}}},
        "OneOf": {"oneOf": [ref_to("OneOf"), ref_to("AnyOf")]},
        "AnyOf": {"anyOf": [ref_to("OneOf")], "additionalProperties": ref_to("AnyOf")},
        "Mixed": {"allOf": [ref_to("Items"), ref_to("Props"), ref_to("A"), ref_to("OneOf")]}
    });
    for name in [
        "Self", "A", "AllOf", "Items", "Props", "OneOf", "AnyOf", "Mixed",
    ] {
        let bytes = definition(&ref_to(name), &schemas, &json!({}));
        let catalog = load_and_open(&format!("{name}.json"), bytes).expect(name);
        assert_eq!(catalog.apis[0].operations.len(), 1, "{name}");
    }
}

/// Every level an `allOf` of the next level twice: a naive expansion
/// visits 2^40 schemas.
#[test]
fn ref_fan_out_is_bounded() {
    let mut schemas = serde_json::Map::new();
    for i in 0..40 {
        let next = ref_to(&format!("S{}", i + 1));
        schemas.insert(
            format!("S{i}"),
            json!({"allOf": [next, next], "oneOf": [next]}),
        );
    }
    schemas.insert(
        "S40".into(),
        json!({"type": "object", "properties": {"a": {"type": "string"}}}),
    );
    let bytes = definition(&ref_to("S0"), &Value::Object(schemas), &json!({}));
    load_and_open("fan-out.json", bytes).expect("loads");
}

/// A schema's type is looked for through `allOf`/`oneOf`/`anyOf`: wide
/// lists of references four levels deep must not multiply.
#[test]
fn wide_compositions_are_bounded() {
    let width = 1_000;
    let mut schemas = serde_json::Map::new();
    for level in 0..6 {
        let next: Vec<Value> = (0..width)
            .map(|_| ref_to(&format!("L{}", level + 1)))
            .collect();
        schemas.insert(format!("L{level}"), json!({"anyOf": next}));
    }
    schemas.insert("L6".into(), json!({"description": "no type here"}));
    let bytes = definition(&ref_to("L0"), &Value::Object(schemas), &json!({}));
    load_and_open("wide.json", bytes).expect("loads");
}

/// Callbacks whose path items are references back to the operation that
/// declares them, and several of them: no endless recursion, no
/// multiplication.
#[test]
fn callback_cycles_are_bounded() {
    let callbacks: serde_json::Map<String, Value> = (0..8)
        .map(|i| {
            (
                format!("cb{i}"),
                json!({"$ref": "#/components/callbacks/Loop"}),
            )
        })
        .collect();
    let mut root: Value = serde_json::from_slice(&definition(
        &json!({"type": "string"}),
        &json!({}),
        &json!({}),
    ))
    .expect("json");
    root["paths"]["/x"]["post"]["callbacks"] = Value::Object(callbacks);
    let expressions: serde_json::Map<String, Value> = (0..8)
        .map(|i| {
            (
                format!("{{$request.body#/u{i}}}"),
                json!({"$ref": "#/paths/~1x"}),
            )
        })
        .collect();
    root["components"]["callbacks"] = json!({"Loop": expressions});
    let catalog =
        load_and_open("callbacks.json", serde_json::to_vec(&root).expect("json")).expect("loads");
    assert_eq!(catalog.apis[0].operations.len(), 1);
    // The budget is checked before each path item: one may overshoot it.
    assert!(catalog.apis[0].webhooks.len() <= 1_000 + 8);
    assert!(catalog.warnings.len() <= 8, "{:?}", catalog.warnings);
    assert!(
        catalog
            .warnings
            .iter()
            .any(|w| w.message.contains("callback")),
        "{:?}",
        catalog.warnings
    );
}

// ===========================================================================
// Fuzz targets
//
// Each target draws inputs three ways: arbitrary bytes or text, a seed of
// tests/fixtures/fuzz/<target>/ with random mutations, and structured
// inputs built to reach deep code (definitions with random `$ref`s,
// requests with hostile values). A case that panics fails the target, and
// so does one that has not returned after CASE_LIMIT: each case runs on a
// worker thread under a watchdog, so a true hang (an endless loop) fails
// the test with the input that hung instead of blocking the run forever.

/// Cases per target when `PROPTEST_CASES` is not set: the whole file stays
/// well under a minute in a debug build.
const DEFAULT_CASES: u32 = 192;
const CASE_LIMIT: Duration = Duration::from_secs(10);

fn fuzz_config() -> ProptestConfig {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(DEFAULT_CASES);
    ProptestConfig {
        cases,
        // Findings become named regression tests in this file.
        failure_persistence: None,
        max_shrink_iters: 4096,
        ..ProptestConfig::default()
    }
}

/// Runs one target and prints how many cases it executed and how long it
/// took (`cargo test --test fuzz -- --nocapture` shows the figures).
fn fuzz<S>(
    target: &str,
    strategy: S,
    test: impl Fn(S::Value) -> Result<(), TestCaseError> + Send + 'static,
) where
    S: Strategy,
    S::Value: Clone + Send + 'static,
{
    let started = Instant::now();
    let result = run_target(target, fuzz_config(), CASE_LIMIT, &strategy, test);
    let executed = match &result {
        Ok(n) | Err((n, _)) => *n,
    };
    eprintln!(
        "fuzz target {target}: {executed} cases in {:.1?}",
        started.elapsed()
    );
    if let Err((_, e)) = result {
        panic!("fuzz target {target}: {e}");
    }
}

/// Runs `test` on every case `strategy` draws, each on a long-lived worker
/// thread (with the 2 MiB stack tokio's workers have) that the caller
/// waits for at most `limit`. Returns the cases executed, or them and why
/// the target failed. A case that does not return in time is a hang: the
/// worker is left to it, the remaining shrink steps pass at once (a hang
/// cannot be shrunk) and the error shows the input that hung.
fn run_target<S>(
    target: &str,
    config: ProptestConfig,
    limit: Duration,
    strategy: &S,
    test: impl Fn(S::Value) -> Result<(), TestCaseError> + Send + 'static,
) -> Result<u64, (u64, String)>
where
    S: Strategy,
    S::Value: Clone + Send + 'static,
{
    let (inputs, cases) = mpsc::channel::<S::Value>();
    let (report, outcomes) = mpsc::channel();
    std::thread::Builder::new()
        .name(format!("fuzz {target}"))
        .stack_size(2 << 20)
        .spawn(move || {
            // Ends when the runner is done and drops `inputs`.
            while let Ok(input) = cases.recv() {
                let outcome =
                    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| test(input)))
                        .unwrap_or_else(|panic| {
                            let message = panic
                                .downcast_ref::<&str>()
                                .map(|s| (*s).to_string())
                                .or_else(|| panic.downcast_ref::<String>().cloned())
                                .unwrap_or_else(|| "a panic".into());
                            Err(TestCaseError::fail(format!("panicked: {message}")))
                        });
                if report.send(outcome).is_err() {
                    break;
                }
            }
        })
        .expect("spawn a fuzz worker");

    let executed = std::cell::Cell::new(0u64);
    let hung: std::cell::RefCell<Option<String>> = std::cell::RefCell::new(None);
    let mut runner = TestRunner::new(config);
    let result = runner.run(strategy, |input| {
        if hung.borrow().is_some() {
            return Ok(());
        }
        executed.set(executed.get() + 1);
        // Kept to show should the case never return.
        let shown = input.clone();
        inputs
            .send(input)
            .map_err(|_| TestCaseError::fail("the fuzz worker is gone"))?;
        match outcomes.recv_timeout(limit) {
            Ok(outcome) => outcome,
            Err(mpsc::RecvTimeoutError::Timeout) => {
                *hung.borrow_mut() = Some(format!("{shown:?}"));
                Err(TestCaseError::fail("hung"))
            }
            Err(mpsc::RecvTimeoutError::Disconnected) => {
                Err(TestCaseError::fail("the fuzz worker is gone"))
            }
        }
    });
    let executed = executed.get();
    if let Some(input) = hung.into_inner() {
        return Err((
            executed,
            format!("a case did not return within {limit:?} (a hang; not shrunk); input: {input}"),
        ));
    }
    result
        .map(|()| executed)
        .map_err(|e| (executed, e.to_string()))
}

/// The watchdog itself: a case that never returns fails its target within
/// the limit, naming the input, and the cases before it ran normally.
#[test]
fn a_case_that_never_returns_fails_with_its_input() {
    let config = ProptestConfig {
        cases: 50,
        failure_persistence: None,
        ..ProptestConfig::default()
    };
    let started = Instant::now();
    let result = run_target(
        "hang",
        config.clone(),
        Duration::from_millis(200),
        &(0u32..100),
        |n| {
            if n >= 7 {
                // An endless loop, as a bug would make one.
                loop {
                    std::thread::park();
                }
            }
            Ok(())
        },
    );
    let (executed, message) = result.expect_err("the hang is caught");
    assert!(
        message.starts_with("a case did not return within 200ms (a hang; not shrunk); input: "),
        "{message}"
    );
    let input: u32 = message
        .rsplit(' ')
        .next()
        .and_then(|n| n.parse().ok())
        .expect("the input is shown");
    assert!(input >= 7, "{message}");
    assert!(executed >= 1);
    assert!(started.elapsed() < Duration::from_secs(5));

    // A panic is a failure like any other, and is shrunk.
    let result = run_target(
        "panic",
        config.clone(),
        Duration::from_secs(5),
        &(0u32..100),
        |n| {
            assert!(n < 10, "too big");
            Ok(())
        },
    );
    let (_, message) = result.expect_err("the panic is caught");
    assert!(message.contains("panicked: too big"), "{message}");
    assert!(message.contains("minimal failing input: 10"), "{message}");

    // And a target whose cases all pass runs every one of them.
    let result = run_target("pass", config, Duration::from_secs(5), &(0u32..100), |_| {
        Ok(())
    });
    assert_eq!(result, Ok(50));
}

/// The seed corpus of a target.
fn seeds(target: &str) -> Vec<Vec<u8>> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/fuzz")
        .join(target);
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|entry| entry.expect("entry").path())
        .collect();
    files.sort();
    let seeds: Vec<Vec<u8>> = files
        .iter()
        .map(|f| std::fs::read(f).expect("seed"))
        .collect();
    assert!(!seeds.is_empty(), "no seeds in {}", dir.display());
    seeds
}

#[derive(Debug, Clone)]
enum Mutation {
    Set(Index, u8),
    Insert(Index, Vec<u8>),
    Delete(Index, usize),
    /// Copies a run of the input somewhere else in it.
    Copy(Index, Index, usize),
}

/// Tokens that matter to the parsers under test.
const TOKENS: &[&str] = &[
    "{",
    "}",
    "[",
    "]",
    "{{",
    "}}",
    "\"",
    "'",
    "\\",
    "$",
    "$'",
    "$ref",
    "#/",
    ":",
    ": ",
    ",",
    "\n",
    "\r\n",
    "\t",
    "\0",
    "- ",
    "? ",
    "&a ",
    "*a",
    "!!str ",
    "<<: ",
    "|\n",
    "#",
    "=",
    "[[",
    "]]",
    "\"\"\"",
    "@",
    " -H ",
    " -d ",
    " --data-raw ",
    " -X ",
    "|",
    ";",
    "`",
    "%",
    "%00",
    "\u{202e}",
    "\u{feff}",
    "\u{1b}[31m",
    "é",
    "😀",
    "~1",
    "..",
    "/",
    "?",
    "&",
];

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        (any::<Index>(), any::<u8>()).prop_map(|(i, b)| Mutation::Set(i, b)),
        (any::<Index>(), vec(any::<u8>(), 1..8)).prop_map(|(i, b)| Mutation::Insert(i, b)),
        (any::<Index>(), select(TOKENS))
            .prop_map(|(i, t)| Mutation::Insert(i, t.as_bytes().to_vec())),
        (any::<Index>(), 1..64usize).prop_map(|(i, n)| Mutation::Delete(i, n)),
        (any::<Index>(), any::<Index>(), 1..256usize).prop_map(|(a, b, n)| Mutation::Copy(a, b, n)),
    ]
}

fn mutate(mut bytes: Vec<u8>, mutations: &[Mutation]) -> Vec<u8> {
    for m in mutations {
        let len = bytes.len();
        match m {
            Mutation::Set(i, b) if len > 0 => bytes[i.index(len)] = *b,
            Mutation::Set(..) => {}
            Mutation::Insert(i, new) => {
                let at = i.index(len + 1);
                bytes.splice(at..at, new.iter().copied());
            }
            Mutation::Delete(i, n) if len > 0 => {
                let at = i.index(len);
                bytes.drain(at..(at + n).min(len));
            }
            Mutation::Delete(..) => {}
            Mutation::Copy(from, to, n) if len > 0 => {
                let from = from.index(len);
                let run: Vec<u8> = bytes[from..(from + n).min(len)].to_vec();
                let to = to.index(len + 1);
                bytes.splice(to..to, run);
            }
            Mutation::Copy(..) => {}
        }
    }
    bytes
}

/// A seed of `target` with up to eight mutations (none, sometimes).
fn mutated_seed(target: &str) -> impl Strategy<Value = Vec<u8>> + use<> {
    (select(seeds(target)), vec(mutation(), 0..8))
        .prop_map(|(seed, mutations)| mutate(seed, &mutations))
}

/// Text with the characters that break naive parsers well represented.
fn hostile_text(max: usize) -> impl Strategy<Value = String> {
    vec(
        prop_oneof![
            3 => select(TOKENS).prop_map(str::to_string),
            2 => "[a-zA-Z0-9_.-]{1,6}",
            1 => any::<char>().prop_map(String::from),
            1 => "[\\x00-\\x1f\\x7f]".prop_map(|s: String| s),
        ],
        0..max,
    )
    .prop_map(|parts| parts.concat())
}

fn lossy(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

// ---------------------------------------------------------------------------
// Target: definition loader (JSON and YAML) and $ref resolution

const METHODS: &[&str] = &[
    "get", "put", "post", "delete", "patch", "head", "options", "trace", "query", "GET",
];

fn schema_ref() -> impl Strategy<Value = Value> {
    prop_oneof![
        (0..6usize).prop_map(|k| ref_to(&format!("S{k}"))),
        (0..6usize)
            .prop_map(|k| json!({"$ref": format!("#/components/schemas/S{k}/properties/a")})),
        select(vec![
            "#/nope",
            "#components",
            "",
            "#",
            "missing.json#/x",
            "#/components/schemas/S0/allOf/0",
            "#/paths"
        ])
        .prop_map(|r| json!({"$ref": r})),
    ]
}

fn schema() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        select(vec![
            "string", "integer", "number", "boolean", "object", "array", "null", "file", "bogus"
        ])
        .prop_map(|t| json!({"type": t})),
        schema_ref(),
        Just(json!({"type": ["null", "string"], "format": "date-time"})),
        Just(json!({"enum": ["a", 1, null]})),
        Just(json!({"type": "string", "readOnly": true, "example": "x"})),
        Just(json!({})),
        Just(json!(true)),
        Just(json!(null)),
    ];
    leaf.prop_recursive(4, 24, 4, |inner| {
        prop_oneof![
            (
                select(vec!["allOf", "oneOf", "anyOf"]),
                vec(inner.clone(), 0..4)
            )
                .prop_map(|(k, parts)| json!({ k: parts })),
            vec(("[a-c]", inner.clone()), 0..4).prop_map(|props| {
                let props: serde_json::Map<String, Value> = props.into_iter().collect();
                json!({"type": "object", "properties": props})
            }),
            inner
                .clone()
                .prop_map(|items| json!({"type": "array", "items": items})),
            inner.prop_map(|extra| json!({"additionalProperties": extra})),
        ]
    })
}

fn parameter() -> impl Strategy<Value = Value> {
    prop_oneof![
        (0..4usize).prop_map(|k| json!({"$ref": format!("#/components/parameters/P{k}")})),
        (
            "[a-z{}]{0,4}",
            select(vec![
                "query", "path", "header", "cookie", "body", "formData", "nowhere"
            ]),
            schema(),
            select(vec![
                "form",
                "simple",
                "label",
                "matrix",
                "spaceDelimited",
                "pipeDelimited",
                "deepObject",
                "x"
            ]),
            any::<bool>(),
            any::<bool>(),
        )
            .prop_map(|(name, location, schema, style, explode, required)| {
                json!({"name": name, "in": location, "schema": schema, "style": style,
                       "explode": explode, "required": required, "type": "string",
                       "collectionFormat": "multi", "example": name})
            }),
        Just(json!(null)),
        Just(json!("not a parameter")),
    ]
}

fn operation() -> impl Strategy<Value = Value> {
    (
        vec(parameter(), 0..4),
        option::of(schema()),
        select(vec!["application/json", "application/x-www-form-urlencoded", "multipart/form-data", "text/csv", "application/problem+json"]),
        any::<bool>(),
        any::<bool>(),
    )
        .prop_map(|(parameters, body, content_type, callback, security)| {
            let mut op = json!({"operationId": "op", "parameters": parameters,
                                "responses": {"200": {"$ref": "#/components/responses/R0"}, "default": {"description": "x"}}});
            if let Some(schema) = body {
                op["requestBody"] = json!({"content": {content_type: {"schema": schema}}});
            }
            if callback {
                op["callbacks"] = json!({"cb": {"$ref": "#/components/callbacks/C0"}});
            }
            if security {
                op["security"] = json!([{"key": []}, {"bearer": [], "basic": []}]);
            }
            op
        })
}

/// A definition built to reach resolution and normalisation: random
/// schemas that refer to one another (cycles included), parameters and
/// responses by reference, callbacks back into the paths.
fn definition_value() -> impl Strategy<Value = Value> {
    (
        any::<bool>(),
        vec(schema(), 6),
        vec(parameter(), 4),
        vec(("/[a-z]{0,3}(/\\{[a-z]{1,2}\\})?", vec((select(METHODS), operation()), 0..3)), 0..4),
        any::<bool>(),
    )
        .prop_map(|(swagger, schemas, parameters, paths, path_ref)| {
            let schemas: serde_json::Map<String, Value> = schemas
                .into_iter()
                .enumerate()
                .map(|(i, s)| (format!("S{i}"), s))
                .collect();
            let parameters: serde_json::Map<String, Value> = parameters
                .into_iter()
                .enumerate()
                .map(|(i, p)| (format!("P{i}"), p))
                .collect();
            let mut path_items = serde_json::Map::new();
            for (path, ops) in paths {
                let item: serde_json::Map<String, Value> = ops
                    .into_iter()
                    .map(|(method, op)| (method.to_string(), op))
                    .collect();
                path_items.insert(path, Value::Object(item));
            }
            let first = path_items.keys().next().cloned().unwrap_or_default();
            if path_ref {
                path_items.insert("/alias".into(), json!({"$ref": format!("#/paths/{}", first.replace('~', "~0").replace('/', "~1"))}));
            }
            let mut root = json!({
                "info": {"title": "fuzz", "version": "1"},
                "paths": path_items,
                "components": {
                    "schemas": schemas,
                    "parameters": parameters,
                    "responses": {"R0": {"$ref": "#/components/responses/R0"}},
                    "callbacks": {"C0": {"{$request.body#/url}": {"$ref": format!("#/paths/{}", first.replace('~', "~0").replace('/', "~1"))}}},
                    "securitySchemes": {"key": {"type": "apiKey", "in": "query", "name": "code"},
                                        "bearer": {"type": "http", "scheme": "bearer"},
                                        "basic": {"$ref": "#/components/securitySchemes/basic"}}
                }
            });
            if swagger {
                root["swagger"] = json!("2.0");
                root["definitions"] = root["components"]["schemas"].clone();
                root["host"] = json!("example.com");
            } else {
                root["openapi"] = json!("3.0.3");
                root["servers"] = json!([{"url": "https://{h}.example.com/{v}", "variables": {"h": {"default": "api"}}}]);
            }
            root
        })
}

fn definition_input() -> impl Strategy<Value = (String, Vec<u8>)> {
    prop_oneof![
        1 => vec(any::<u8>(), 0..512).prop_map(|b| ("fuzz.json".to_string(), b)),
        1 => hostile_text(64).prop_map(|t| ("fuzz.yaml".to_string(), t.into_bytes())),
        3 => mutated_seed("definition").prop_map(|b| ("fuzz.yaml".to_string(), b)),
        3 => (definition_value(), any::<bool>()).prop_map(|(value, as_yaml)| {
            if as_yaml {
                ("fuzz.yaml".to_string(), yaml_serde::to_string(&value).expect("yaml").into_bytes())
            } else {
                ("fuzz.json".to_string(), serde_json::to_vec(&value).expect("json"))
            }
        }),
    ]
}

#[test]
fn fuzz_definition_loader() {
    let operations = Arc::new(AtomicU64::new(0));
    let counted = Arc::clone(&operations);
    fuzz("definition", definition_input(), move |(name, bytes)| {
        let location = format!("tests/fixtures/fuzz/definition/{name}");
        match catalog::load_bytes(&bytes, &location) {
            Ok(catalog) => {
                let ops = catalog
                    .apis
                    .iter()
                    .map(|a| a.operations.len())
                    .sum::<usize>();
                counted.fetch_add(ops as u64, Ordering::Relaxed);
                open_everything(&catalog);
            }
            Err(e) => prop_assert!(e.to_string().starts_with(&location), "{e}"),
        }
        Ok(())
    });
    // The structured inputs must reach the normaliser, not only the parser.
    let operations = operations.load(Ordering::Relaxed);
    eprintln!("fuzz target definition: {operations} operations loaded and opened");
    assert!(operations > 0);
}

// ---------------------------------------------------------------------------
// Target: URL-template expansion and request building

fn lines_of(target: &str, file: &str) -> Vec<String> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/fuzz")
        .join(target)
        .join(file);
    std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .lines()
        .map(str::to_string)
        .collect()
}

/// A value as a user (or a pasted file) might type it.
fn typed_value() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => "[a-zA-Z0-9 ._,=-]{0,8}",
        2 => select(lines_of("template", "values.txt")),
        2 => hostile_text(12),
        1 => any::<String>(),
        1 => Just(String::new()),
    ]
}

fn template() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        4 => "/[a-z]{1,4}",
        3 => Just("/{id}".to_string()),
        2 => select(vec![
            "/", "/a", "/{id}", "/{x}", "{a b}", "{}", "{", "}", "{{", "}}", "{{x}}", "$", "?",
            "&", "=", "?q={q}", "&r=1", "#", "%", "é", ";", "\r\n", "\0"
        ])
        .prop_map(str::to_string),
        1 => select(lines_of("template", "templates.txt")),
        1 => hostile_text(3),
    ];
    vec(piece, 0..8).prop_map(|p| p.concat())
}

fn location() -> impl Strategy<Value = ParamLocation> {
    select(vec![
        ParamLocation::Path,
        ParamLocation::Query,
        ParamLocation::Header,
        ParamLocation::Cookie,
    ])
}

fn style() -> impl Strategy<Value = ParamStyle> {
    select(vec![
        ParamStyle::Simple,
        ParamStyle::Label,
        ParamStyle::Matrix,
        ParamStyle::Form,
        ParamStyle::SpaceDelimited,
        ParamStyle::PipeDelimited,
        ParamStyle::DeepObject,
    ])
}

fn param_name() -> impl Strategy<Value = String> {
    prop_oneof![
        6 => select(vec!["id", "x", "q", "a b", "api-version", "Authorization", "Ocp-Apim-Subscription-Key", "Cookie", "Content-Type", ""]).prop_map(str::to_string),
        1 => hostile_text(3),
    ]
}

#[derive(Debug, Clone)]
struct BuildCase {
    api: Api,
    op: Operation,
    draft: Draft,
    vars: Vars,
}

fn build_case() -> impl Strategy<Value = BuildCase> {
    let parameter = (
        param_name(),
        location(),
        style(),
        any::<bool>(),
        option::of(select(vec!["string", "array", "object", "integer"])),
        any::<bool>(),
        option::of(param_name()),
    )
        .prop_map(
            |(name, location, style, explode, type_name, required, template_variable)| Parameter {
                name,
                location,
                required,
                description: None,
                deprecated: false,
                schema: SchemaSummary {
                    type_name: type_name.map(str::to_string),
                    ..SchemaSummary::default()
                },
                style,
                explode,
                example: None,
                template_variable,
            },
        );
    let row = || {
        (param_name(), typed_value(), any::<bool>()).prop_map(|(name, value, enabled)| Row {
            name,
            value,
            enabled,
        })
    };
    let server = prop_oneof![
        4 => Just("https://api.example.com/v1/".to_string()),
        2 => select(vec![
            "https://api.example.com/v1/",
            "https://{h}.example.com/{v}",
            "/relative",
            "http://127.0.0.1:8080/base?code={{key}}",
            "",
            "{{base}}",
            "http://[::1]:99999",
            "http://a b/"
        ])
        .prop_map(str::to_string),
        1 => hostile_text(6),
    ];
    (
        (
            select(vec!["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "get"]),
            template(),
            vec(parameter, 0..5),
        ),
        (
            server,
            option::of(typed_value()),
            vec((param_name(), typed_value()), 0..3),
        ),
        (vec(typed_value(), 0..6), vec(row(), 0..3), vec(row(), 0..4)),
        (
            vec(
                (
                    select(vec!["key", "qkey", "ckey", "bearer", "basic", "missing"]),
                    typed_value(),
                    typed_value(),
                ),
                0..3,
            ),
            option::of(select(vec![
                "application/json",
                "text/plain",
                "application/x-www-form-urlencoded",
                "",
                "a\r\nb",
            ])),
            prop_oneof![3 => typed_value(), 1 => Just(r#"{"a": [1, "{{x}}", {"b": null}]}"#.to_string())],
        ),
        vec((param_name(), typed_value(), any::<bool>()), 0..5),
    )
        .prop_map(
            |(
                (method, path, parameters),
                (server, server_url, server_vars),
                (values, extra_query, headers),
                (auth, content_type, body),
                env,
            )| {
                let api = Api {
                    id: "fuzz".into(),
                    servers: vec![Server {
                        url: server,
                        description: None,
                        variables: [(
                            "h".to_string(),
                            ServerVariable {
                                default: "api".into(),
                                ..ServerVariable::default()
                            },
                        )]
                        .into_iter()
                        .collect(),
                    }],
                    security_schemes: vec![
                        SecurityScheme {
                            name: "key".into(),
                            kind: SecurityKind::ApiKey {
                                param: "Ocp-Apim-Subscription-Key".into(),
                                location: ParamLocation::Header,
                            },
                            description: None,
                        },
                        SecurityScheme {
                            name: "qkey".into(),
                            kind: SecurityKind::ApiKey {
                                param: "code".into(),
                                location: ParamLocation::Query,
                            },
                            description: None,
                        },
                        SecurityScheme {
                            name: "ckey".into(),
                            kind: SecurityKind::ApiKey {
                                param: "session".into(),
                                location: ParamLocation::Cookie,
                            },
                            description: None,
                        },
                        SecurityScheme {
                            name: "bearer".into(),
                            kind: SecurityKind::Bearer { format: None },
                            description: None,
                        },
                        SecurityScheme {
                            name: "basic".into(),
                            kind: SecurityKind::Basic,
                            description: None,
                        },
                    ],
                    ..Api::default()
                };
                let op = Operation {
                    method: method.to_string(),
                    path,
                    parameters: parameters.clone(),
                    ..Operation::default()
                };
                let mut vars = Vars::default();
                for (name, value, secret) in env {
                    vars.environment.insert(name, Variable { value, secret });
                }
                let mut draft = Draft::new(&api, &op, &vars);
                for (row, value) in draft.params.iter_mut().zip(values) {
                    row.value = value;
                }
                draft.server_url = server_url;
                draft.server_vars = server_vars.into_iter().collect();
                draft.extra_query = extra_query;
                draft.headers.extend(headers);
                draft.auth = auth
                    .into_iter()
                    .map(|(scheme, value, username)| AuthValue {
                        scheme: scheme.to_string(),
                        value,
                        username,
                    })
                    .collect();
                draft.content_type = content_type.map(str::to_string);
                draft.body = body;
                BuildCase {
                    api,
                    op,
                    draft,
                    vars,
                }
            },
        )
}

/// Reads an export back with no file access.
fn reimport(command: &str) -> Result<ParsedCurl, CurlError> {
    parse_curl_with(command, &|path| {
        Err(std::io::Error::new(
            std::io::ErrorKind::NotFound,
            format!("{path}: not read in tests"),
        ))
    })
}

#[test]
fn fuzz_url_templates_and_build() {
    let built = Arc::new(AtomicU64::new(0));
    let counted = Arc::clone(&built);
    fuzz("template", build_case(), move |case| {
        let BuildCase {
            api,
            op,
            draft,
            vars,
        } = case;
        let (preview, problems) = request::preview(&api, &op, &draft, &vars);
        let _ = preview.masked();
        let _ = to_curl(&preview, true);
        prop_assert_eq!(request::check(&api, &op, &draft, &vars), problems.clone());
        for text in draft
            .headers
            .iter()
            .map(|h| &h.value)
            .chain([&draft.body, &op.path])
        {
            let _ = request::referenced_variables(text);
        }
        let Ok(req) = request::build(&api, &op, &draft, &vars) else {
            prop_assert!(!problems.is_empty());
            return Ok(());
        };
        counted.fetch_add(1, Ordering::Relaxed);
        for (name, value) in &req.headers {
            prop_assert!(
                !name.contains(['\r', '\n']) && !value.contains(['\r', '\n']),
                "{name:?}: {value:?}"
            );
        }
        prop_assert!(!req.url.contains(['\r', '\n', ' ']), "{:?}", req.url);
        prop_assert!(url::Url::parse(&req.url).is_ok(), "{:?}", req.url);
        // What was built is what an exported curl command sends.
        let back =
            reimport(&to_curl(&req, false)).map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(&back.method, &req.method.to_ascii_uppercase());
        prop_assert_eq!(&back.url, &req.url);
        prop_assert_eq!(&back.headers, &req.headers);
        prop_assert_eq!(&back.body, &req.body);
        Ok(())
    });
    let built = built.load(Ordering::Relaxed);
    eprintln!("fuzz target template: {built} requests built and exported");
    assert!(built > 0);
}

// ---------------------------------------------------------------------------
// Target: curl import, and export -> import round trip

fn curl_catalog() -> &'static Catalog {
    static CATALOG: OnceLock<Catalog> = OnceLock::new();
    CATALOG.get_or_init(|| {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
        let mut catalog = catalog::load_file(&dir.join("petstore-3.0.yaml")).expect("petstore");
        let portal = catalog::load_file(&dir.join("portal/portal.toml")).expect("portal");
        catalog.apis.extend(portal.apis);
        catalog
    })
}

fn curl_word() -> impl Strategy<Value = String> {
    let raw = prop_oneof![
        3 => select(vec!["-H", "-d", "-X", "-u", "-F", "-G", "-I", "-k", "-sSL", "-dx", "--data-raw", "--data-binary", "--json", "--url", "--url-query", "--data-urlencode", "--form-string", "--compressed", "--no-x", "--bogus", "-", "--", "@-", "@file", "http://h/p?q=1", "h:1", "Name: v", "Name;", "Name:", "a=b", "x=@f;type=t", "x=<f"]).prop_map(str::to_string),
        2 => hostile_text(4),
        1 => any::<String>(),
    ];
    (raw, 0..5u8).prop_map(|(w, quoting)| match quoting {
        0 => format!("'{}'", w.replace('\'', "'\\''")),
        1 => format!(
            "\"{}\"",
            w.replace('\\', "\\\\")
                .replace('"', "\\\"")
                .replace('$', "\\$")
                .replace('`', "\\`")
        ),
        2 => format!("$'{}'", w.replace('\\', "\\\\").replace('\'', "\\'")),
        3 => w.replace('\\', "\\\\"),
        _ => w,
    })
}

fn curl_input() -> impl Strategy<Value = String> {
    let option = prop_oneof![
        3 => (select(vec!["-H", "-d", "-X", "-u", "-F", "--data-raw", "--data-binary", "--json", "--url-query", "--data-urlencode", "--form-string", "-b", "-A", "-e", "-r", "--oauth2-bearer", "-o"]), curl_word())
            .prop_map(|(o, v)| format!("{o} {v}")),
        1 => curl_word(),
    ];
    prop_oneof![
        1 => any::<String>(),
        1 => hostile_text(48),
        3 => mutated_seed("curl").prop_map(|b| lossy(&b)),
        3 => vec(curl_word(), 0..10).prop_map(|words| format!("curl {}", words.join(" "))),
        3 => (select(vec!["'http://127.0.0.1:8080/pets/1?q=a%20b'", "https://h/p", "'http://[::1]/{x}'", "h:1/p"]), vec(option, 0..6))
            .prop_map(|(url, options)| format!("curl {url} {}", options.join(" \\\n  "))),
    ]
}

#[test]
fn fuzz_curl_import() {
    let imported = Arc::new(AtomicU64::new(0));
    let counted = Arc::clone(&imported);
    fuzz("curl", curl_input(), move |command| {
        let Ok(parsed) = parse_curl_with(&command, &|path| {
            if path.len() % 2 == 0 {
                Ok(path.as_bytes().repeat(3))
            } else {
                Err(std::io::Error::new(
                    std::io::ErrorKind::NotFound,
                    "no such file",
                ))
            }
        }) else {
            return Ok(());
        };
        counted.fetch_add(1, Ordering::Relaxed);
        let req = parsed.to_request();
        let _ = req.masked();
        let _ = draft_from_curl(curl_catalog(), &parsed);
        // Exporting what was imported gives a command that reads back.
        let _ = reimport(&to_curl(&req, false));
        Ok(())
    });
    let imported = imported.load(Ordering::Relaxed);
    eprintln!("fuzz target curl: {imported} commands imported");
    assert!(imported > 0);
}

fn header_value() -> impl Strategy<Value = String> {
    prop_oneof![typed_value(), any::<String>()].prop_map(|v| {
        v.replace(['\r', '\n'], "")
            .trim_matches([' ', '\t'])
            .to_string()
    })
}

fn any_request() -> impl Strategy<Value = BuiltRequest> {
    (
        prop_oneof![
            select(vec![
                "GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS"
            ])
            .prop_map(str::to_string),
            "[A-Z]{1,8}"
        ],
        (
            select(vec!["http", "https"]),
            select(vec![
                "example.com",
                "127.0.0.1:8080",
                "[::1]",
                "xn--bcher-kva.example",
                "h",
            ]),
            hostile_text(6),
            option::of(hostile_text(6)),
        ),
        vec(("[A-Za-z0-9!#$%&'*+.^_`|~-]{1,16}", header_value()), 0..6),
        prop_oneof![
            Just(None),
            vec(any::<u8>(), 0..64).prop_map(Some),
            typed_value().prop_map(|t| Some(t.into_bytes())),
        ],
    )
        .prop_map(|(method, (scheme, host, path, query), headers, body)| {
            let mut url = format!("{scheme}://{host}/{path}");
            if let Some(q) = query {
                url.push('?');
                url.push_str(&q);
            }
            let url =
                url::Url::parse(&url).map_or_else(|_| format!("{scheme}://{host}/"), String::from);
            BuiltRequest {
                method,
                url,
                headers,
                body,
                secret_values: Vec::new(),
            }
        })
}

#[test]
fn fuzz_curl_round_trip() {
    fuzz("curl round trip", any_request(), |req| {
        let command = to_curl(&req, false);
        let back =
            reimport(&command).map_err(|e| TestCaseError::fail(format!("{e}\n{command}")))?;
        prop_assert_eq!(&back.method, &req.method, "{}", command);
        prop_assert_eq!(&back.url, &req.url, "{}", command);
        prop_assert_eq!(&back.headers, &req.headers, "{}", command);
        prop_assert_eq!(&back.body, &req.body, "{}", command);
        Ok(())
    });
}

// ---------------------------------------------------------------------------
// Regressions found by the targets

/// A bearer scheme with a username typed and no token sent `Bearer `
/// (trailing space, no token); curl export trimmed it, so the round trip
/// differed.
#[test]
fn a_token_scheme_without_a_token_sends_nothing() {
    let api = Api {
        servers: vec![Server {
            url: "https://api.example.com".into(),
            ..Server::default()
        }],
        security_schemes: vec![
            SecurityScheme {
                name: "bearer".into(),
                kind: SecurityKind::Bearer { format: None },
                description: None,
            },
            SecurityScheme {
                name: "key".into(),
                kind: SecurityKind::ApiKey {
                    param: "X-Key".into(),
                    location: ParamLocation::Header,
                },
                description: None,
            },
        ],
        ..Api::default()
    };
    let op = Operation {
        method: "GET".into(),
        path: "/x".into(),
        ..Operation::default()
    };
    let vars = Vars::default();
    let mut draft = Draft::new(&api, &op, &vars);
    draft.auth = vec![
        AuthValue {
            scheme: "bearer".into(),
            value: String::new(),
            username: "a".into(),
        },
        AuthValue {
            scheme: "key".into(),
            value: " k ".into(),
            username: String::new(),
        },
    ];
    let req = request::build(&api, &op, &draft, &vars).expect("builds");
    assert_eq!(req.headers, vec![("X-Key".to_string(), "k".to_string())]);
}

// ---------------------------------------------------------------------------
// Target: portal files

fn portal_input() -> impl Strategy<Value = String> {
    let key = select(vec![
        "id",
        "title",
        "service_url",
        "url_suffix",
        "name",
        "method",
        "template",
        "body",
        "content_type",
        "default",
        "enum",
        "required",
        "example",
        "variable",
        "path",
        "source",
        "value",
        "secret",
        "headers",
        "tags",
        "unknown",
    ]);
    let value = prop_oneof![
        typed_value().prop_map(|v| format!("{v:?}")),
        template().prop_map(|v| format!("{v:?}")),
        select(vec![
            "1",
            "1.5",
            "true",
            "[]",
            "[1, \"a\"]",
            "{ value = \"v\", secret = true }",
            "1979-05-27T07:32:00Z",
            "inf",
            "'lit'",
            "\"\"\"\nmulti\n\"\"\""
        ])
        .prop_map(str::to_string),
    ];
    let line = prop_oneof![
        2 => (key, value).prop_map(|(k, v)| format!("{k} = {v}")),
        1 => select(vec!["[[api]]", "[[api.operation]]", "[[api.operation.param]]", "[[api.operation.capture]]", "[[environment]]", "[environment.variables]", "[[include]]", "[api]", "title = 'T'"]).prop_map(str::to_string),
    ];
    prop_oneof![
        1 => any::<String>(),
        1 => hostile_text(48),
        3 => mutated_seed("portal").prop_map(|b| lossy(&b)),
        3 => vec(line, 0..24).prop_map(|lines| lines.join("\n")),
        3 => (
            (typed_value(), typed_value(), typed_value()),
            (select(vec!["GET", "post", "PUT", "DELETE", "GE T", ""]), template(), typed_value()),
            (param_name(), typed_value(), typed_value()),
        )
            .prop_map(|((id, url, name), (method, template, body), (param, default, var))| {
                let q = |s: &str| toml::Value::String(s.to_string()).to_string();
                format!(
                    "[[api]]\nid = {}\nservice_url = {}\nheaders = [{}]\n\
                     [[api.operation]]\nname = {}\nmethod = {}\ntemplate = {}\nbody = {}\n\
                     [[api.operation.param]]\nname = {}\ndefault = {}\n\
                     [[environment]]\nname = \"e\"\nvariables = {{ a = {}, k = {{ value = {}, secret = true }} }}\n",
                    q(&id), q(&url), q(&var), q(&name), q(method), q(&template), q(&body),
                    q(&param), q(&default), q(&var), q(&default)
                )
            }),
    ]
}

#[test]
fn fuzz_portal_files() {
    let operations = Arc::new(AtomicU64::new(0));
    let counted = Arc::clone(&operations);
    fuzz("portal", portal_input(), move |text| {
        let location = "tests/fixtures/fuzz/portal/fuzz.toml";
        match catalog::load_portal_str(&text, location) {
            Ok(catalog) => {
                let ops = catalog
                    .apis
                    .iter()
                    .map(|a| a.operations.len())
                    .sum::<usize>();
                counted.fetch_add(ops as u64, Ordering::Relaxed);
                open_everything(&catalog);
            }
            Err(e) => prop_assert!(e.to_string().starts_with(location), "{e}"),
        }
        Ok(())
    });
    let operations = operations.load(Ordering::Relaxed);
    eprintln!("fuzz target portal: {operations} operations loaded and opened");
    assert!(operations > 0);
}

// ---------------------------------------------------------------------------
// Target: preset, history and environment files

fn store_input() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        1 => vec(any::<u8>(), 0..512),
        1 => hostile_text(48).prop_map(String::into_bytes),
        4 => mutated_seed("store"),
    ]
}

fn sample_entry() -> HistoryEntry {
    let built = BuiltRequest {
        method: "GET".into(),
        url: "http://127.0.0.1:9/x".into(),
        headers: vec![("Authorization".into(), "Bearer s3cret".into())],
        body: None,
        secret_values: vec!["s3cret".into()],
    };
    let error = RequestError::new(
        ErrorKind::Connect,
        &built.url,
        Duration::from_millis(3),
        "refused",
    );
    HistoryEntry::from_error(None, &built, &error, 1024)
}

#[test]
fn fuzz_store_files() {
    let dir = tempfile::tempdir().expect("temp dir");
    let key = OperationKey {
        api: "fuzz".into(),
        method: "GET".into(),
        path: "/x".into(),
    };
    let entry = sample_entry();
    fuzz("store", store_input(), move |bytes| {
        let names_path = |e: &dyn std::fmt::Display, path: &std::path::Path| {
            e.to_string().contains(&path.display().to_string())
        };

        // Presets: an unreadable file is an error naming it, and a save
        // into it is refused with the file left as it was.
        let presets_path = dir.path().join("presets.json");
        std::fs::write(&presets_path, &bytes).expect("write");
        let presets = Presets::at(&presets_path);
        match presets.load() {
            Ok(_) => {
                let _ = presets.save(&key, "p", &Draft::default(), SaveOptions::default());
            }
            Err(e) => {
                prop_assert!(names_path(&e, &presets_path), "{e}");
                prop_assert!(
                    presets
                        .save(&key, "p", &Draft::default(), SaveOptions::default())
                        .is_err()
                );
                prop_assert_eq!(std::fs::read(&presets_path).expect("read"), bytes.clone());
            }
        }

        // History: unreadable lines are skipped with a warning and kept.
        let history_path = dir.path().join("history.jsonl");
        std::fs::write(&history_path, &bytes).expect("write");
        let history = History::at(&history_path, HistoryLimits::default());
        match history.read() {
            Ok(read) => {
                for w in &read.warnings {
                    prop_assert!(names_path(w, &history_path), "{w}");
                }
                history
                    .append(&entry)
                    .map_err(|e| TestCaseError::fail(e.to_string()))?;
                let after = std::fs::read(&history_path).expect("read");
                prop_assert!(after.starts_with(&bytes), "history lost what it had");
                prop_assert!(history.read().is_ok());
            }
            Err(e) => prop_assert!(names_path(&e, &history_path), "{e}"),
        }

        // Environments and .env.
        let env_path = dir.path().join("environments.toml");
        std::fs::write(&env_path, &bytes).expect("write");
        let mut warnings = Vec::new();
        if let Err(e) = portico::store::env::load_user_file(&env_path, &mut warnings) {
            prop_assert!(names_path(&e, &env_path), "{e}");
        }
        let _ = DotEnv::parse(&lossy(&bytes), &dir.path().join(".env"));
        Ok(())
    });
}

// ---------------------------------------------------------------------------
// Target: .http files

fn http_file_input() -> impl Strategy<Value = String> {
    let line = prop_oneof![
        select(vec![
            "###",
            "### name",
            "# @name n",
            "// @name n",
            "@host = http://h",
            "@x = {{host}}",
            "GET {{host}}/a HTTP/1.1",
            "POST https://x.test/b?q=1",
            "    &lang=en",
            "Content-Type: application/json",
            "Authorization: Basic dXNlcjpwYXNz",
            "# @portico-disabled X-A: 1",
            "# @portico-disabled-query a=1",
            "",
            "{\"a\": 1}",
            "< ./missing.json",
            "> {% client.x %}",
            ">> out.json",
            "{{$processEnv HOME}}",
            "{{$dotenv X}}",
            "{{$guid}}"
        ])
        .prop_map(str::to_string),
        hostile_text(8),
        typed_value(),
    ];
    prop_oneof![
        1 => any::<String>(),
        1 => hostile_text(48),
        3 => mutated_seed("http_file").prop_map(|b| lossy(&b)),
        3 => vec(line, 0..20).prop_map(|lines| lines.join("\n")),
    ]
}

#[test]
fn fuzz_http_files() {
    let dir = tempfile::tempdir().expect("temp dir");
    let requests = Arc::new(AtomicU64::new(0));
    let counted = Arc::clone(&requests);
    fuzz("http_file", http_file_input(), move |text| {
        if let Ok(file) = http_file::parse(&text, "fuzz.http", dir.path()) {
            counted.fetch_add(file.requests.len() as u64, Ordering::Relaxed);
            let vars = Vars::default();
            for req in &file.requests {
                let _ = imported::place(curl_catalog(), req, &vars);
            }
            let (written, _) = http_file::write(&file);
            let _ = http_file::parse(&written, "fuzz.http", dir.path());
        }
        let mut warnings = Vec::new();
        let _ = http_file::parse_environments(&text, "http-client.env.json", false, &mut warnings);
        Ok(())
    });
    let requests = requests.load(Ordering::Relaxed);
    eprintln!("fuzz target http_file: {requests} requests read");
    assert!(requests > 0);
}

// ---------------------------------------------------------------------------
// A source that cannot be read costs only itself

#[tokio::test]
async fn a_broken_source_is_reported_and_the_others_load() {
    let dir = tempfile::tempdir().expect("temp dir");
    let good =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/petstore-3.0.yaml");
    let bad = dir.path().join("broken.yaml");
    std::fs::write(
        &bad,
        "openapi: 3.0.0\ninfo:\n  title: [unclosed\npaths: {}\n",
    )
    .expect("write");
    let missing = dir.path().join("missing.json");
    let sources: Vec<String> = [&bad, &good, &missing]
        .iter()
        .map(|p| p.display().to_string())
        .collect();

    let catalog = catalog::load_sources(&sources)
        .await
        .expect("the good source loads");
    assert_eq!(catalog.apis.len(), 1);
    assert!(!catalog.apis[0].operations.is_empty());
    // The failures come first, each naming its file (and position).
    let first = catalog.warnings[0].to_string();
    assert!(
        first.contains(&format!("{}:4:6: invalid YAML", bad.display())),
        "{first}"
    );
    assert!(
        catalog.warnings[1]
            .to_string()
            .contains(&missing.display().to_string())
    );

    // Every source broken: an error, the first one.
    let err = catalog::load_sources(&[sources[0].clone(), sources[2].clone()])
        .await
        .expect_err("nothing loads");
    assert_eq!(err.source_name(), sources[0]);

    // The CLI lists the good API and warns about the broken one.
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_portico"))
        .arg("list")
        .args(&sources)
        .output()
        .expect("runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(stdout.contains("List all pets"), "{stdout}");
    assert!(
        stderr.contains(&format!("{}:4:6", bad.display())),
        "{stderr}"
    );
}

// ---------------------------------------------------------------------------
// Files named by hostile files

/// A definition or portal file may name any path: devices that never end
/// or never answer are refused, not read.
#[test]
fn references_to_devices_are_not_read() {
    let dir = tempfile::tempdir().expect("temp dir");
    let definition = dir.path().join("devices.yaml");
    std::fs::write(
        &definition,
        "openapi: 3.0.0\ninfo: {title: d, version: '1'}\npaths:\n  /z: {$ref: '/dev/zero#/a'}\n  /s: {$ref: '/dev/stdin#/a'}\n  /u: {$ref: '/dev/urandom'}\n",
    )
    .expect("write");
    let catalog = bounded("devices", Duration::from_secs(10), move || {
        catalog::load_file(&definition)
    })
    .expect("loads");
    let warnings: Vec<String> = catalog.warnings.iter().map(ToString::to_string).collect();
    assert!(
        warnings
            .iter()
            .filter(|w| w.contains("not a regular file"))
            .count()
            >= 3,
        "{warnings:?}"
    );

    let portal = "[[include]]\nsource = \"/dev/zero\"\n[[api]]\nid = \"a\"\nservice_url = \"http://h\"\n[[api.operation]]\nname = \"n\"\nmethod = \"POST\"\ntemplate = \"/\"\nbody_file = \"/dev/zero\"\n";
    let catalog = bounded("devices portal", Duration::from_secs(10), move || {
        catalog::load_portal_str(portal, "devices.toml")
    })
    .expect("loads");
    assert_eq!(catalog.apis.len(), 1);
    assert_eq!(
        catalog
            .warnings
            .iter()
            .filter(|w| w.message.contains("not a regular file"))
            .count(),
        2,
        "{:?}",
        catalog.warnings
    );
}

/// A source the user names may be a pipe (`<(curl ...)`), but not an
/// endless one.
#[test]
fn an_endless_source_is_refused() {
    let err = bounded("zero", Duration::from_secs(30), || {
        catalog::load_file(std::path::Path::new("/dev/zero"))
    })
    .expect_err("refused");
    assert!(
        err.to_string().starts_with("/dev/zero: larger than"),
        "{err}"
    );
}

#[test]
fn curl_and_http_file_bodies_from_devices_are_refused() {
    let err = bounded("curl zero", Duration::from_secs(10), || {
        portico::request::curl::parse_curl("curl -d @/dev/zero http://h/")
    })
    .expect_err("refused");
    assert!(err.to_string().contains("not a regular file"), "{err}");
    let err = bounded("http zero", Duration::from_secs(10), || {
        http_file::parse(
            "POST http://h/\n\n< /dev/zero\n",
            "x.http",
            std::path::Path::new("."),
        )
    })
    .expect_err("refused");
    assert!(err.to_string().starts_with("x.http:3: "), "{err}");
}

/// Many paths naming one path item with a long parameter list: a 100 kB
/// file that would otherwise copy 20 million parameters.
#[test]
fn path_items_referenced_many_times_are_bounded() {
    let parameters: Vec<Value> = (0..1_000)
        .map(|i| json!({"name": format!("p{i}"), "in": "query", "schema": {"type": "string", "enum": ["a", "b", "c"]}}))
        .collect();
    let methods: serde_json::Map<String, Value> = [
        "get", "put", "post", "delete", "patch", "head", "options", "trace", "query",
    ]
    .iter()
    .map(|m| ((*m).to_string(), json!({"responses": {}})))
    .collect();
    let mut item = Value::Object(methods);
    item["parameters"] = Value::Array(parameters);
    let mut paths = serde_json::Map::new();
    paths.insert("/item".into(), item);
    for i in 0..2_000 {
        paths.insert(format!("/p{i}"), json!({"$ref": "#/paths/~1item"}));
    }
    let root =
        json!({"openapi": "3.0.0", "info": {"title": "amplified", "version": "1"}, "paths": paths});
    let catalog = load("amplified.json", serde_json::to_vec(&root).expect("json")).expect("loads");
    let parameters: usize = catalog.apis[0]
        .operations
        .iter()
        .map(|o| o.parameters.len())
        .sum();
    assert!(parameters < 2_000_000, "{parameters} parameters");
    assert!(
        catalog
            .warnings
            .iter()
            .any(|w| w.message.contains("expand to more than")),
        "{:?}",
        catalog.warnings
    );
}

// ---------------------------------------------------------------------------
// Secrets in what a failed send says

/// A key sent in the query string must not show in the error a failed send
/// gives (the CLI prints it, the TUI shows and logs it), nor in the curl
/// preview.
#[tokio::test]
async fn a_failed_send_does_not_show_a_query_key() {
    let api = Api {
        servers: vec![Server {
            // Nothing listens on port 1.
            url: "http://127.0.0.1:1".into(),
            ..Server::default()
        }],
        security_schemes: vec![SecurityScheme {
            name: "code".into(),
            kind: SecurityKind::ApiKey {
                param: "code".into(),
                location: ParamLocation::Query,
            },
            description: None,
        }],
        ..Api::default()
    };
    let op = Operation {
        method: "GET".into(),
        path: "/x".into(),
        ..Operation::default()
    };
    let vars = Vars::default();
    let mut draft = Draft::new(&api, &op, &vars);
    draft.auth = vec![AuthValue {
        scheme: "code".into(),
        value: "s3cr3t-query-key".into(),
        username: String::new(),
    }];
    let req = request::build(&api, &op, &draft, &vars).expect("builds");
    assert!(req.url.contains("s3cr3t-query-key"));
    assert!(!to_curl(&req, true).contains("s3cr3t-query-key"));
    let engine =
        portico::http::Engine::new(portico::http::EngineConfig::default()).expect("engine");
    let err = engine
        .send(
            &req,
            &portico::http::SendOptions::default(),
            tokio_util::sync::CancellationToken::new(),
        )
        .await
        .expect_err("nothing listens");
    let shown = format!("{err} / {err:?}");
    assert!(!shown.contains("s3cr3t-query-key"), "{shown}");
}

/// A cookie parameter whose name starts with a tab made a Cookie header
/// starting with one: sent as is, but read back from a curl export (and by
/// any server) without it.
#[test]
fn header_values_are_sent_without_surrounding_whitespace() {
    let api = Api {
        servers: vec![Server {
            url: "https://api.example.com".into(),
            ..Server::default()
        }],
        ..Api::default()
    };
    let op = Operation {
        method: "GET".into(),
        path: "/".into(),
        parameters: vec![Parameter {
            name: "\t".into(),
            location: ParamLocation::Cookie,
            required: false,
            description: None,
            deprecated: false,
            schema: SchemaSummary::default(),
            style: ParamStyle::Form,
            explode: true,
            example: None,
            template_variable: None,
        }],
        ..Operation::default()
    };
    let vars = Vars::default();
    let mut draft = Draft::new(&api, &op, &vars);
    draft.params[0].value = "v".into();
    let req = request::build(&api, &op, &draft, &vars).expect("builds");
    assert_eq!(req.header("Cookie"), Some("=v"));
    let back = reimport(&to_curl(&req, false)).expect("reads back");
    assert_eq!(back.headers, req.headers);
}

/// What a hostile server can put in an answer, as the response pane gets
/// it: status, reason, headers (with the ones the pane reads: type,
/// charset, Retry-After, encoding), any body, and the request's secrets.
#[derive(Debug, Clone)]
struct AnswerCase {
    status: u16,
    reason: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
    secrets: Vec<String>,
    truncated: bool,
    width: u16,
    height: u16,
    search: String,
}

fn answer_case() -> impl Strategy<Value = AnswerCase> {
    let header = prop_oneof![
        (
            Just("content-type".to_string()),
            prop_oneof![
                select(
                    &[
                        "application/json",
                        "application/json; charset=utf-16",
                        "text/html; charset=iso-8859-1",
                        "text/plain; charset=\"shift_jis\"",
                        "application/octet-stream",
                        "image/png",
                        "application/problem+json",
                        "text/csv",
                    ][..]
                )
                .prop_map(str::to_string),
                hostile_text(30),
            ]
        ),
        (
            Just("retry-after".to_string()),
            prop_oneof![
                any::<u64>().prop_map(|n| n.to_string()),
                Just("18446744073709551615".to_string()),
                Just("99999999999999999999999".to_string()),
                Just("Wed, 21 Oct 2015 07:28:00 GMT".to_string()),
                hostile_text(20),
            ]
        ),
        ("[a-z-]{1,12}", hostile_text(40)),
    ];
    let body = prop_oneof![
        vec(any::<u8>(), 0..600),
        hostile_text(300).prop_map(String::into_bytes),
        mutated_seed("definition"),
    ];
    (
        (100u16..1000, hostile_text(20), vec(header, 0..8), body),
        (
            vec("[a-zA-Z0-9]{0,12}", 0..3),
            any::<bool>(),
            1u16..200,
            1u16..60,
            hostile_text(6),
        ),
    )
        .prop_map(
            |((status, reason, headers, body), (secrets, truncated, width, height, search))| {
                AnswerCase {
                    status,
                    reason,
                    headers,
                    body,
                    secrets,
                    truncated,
                    width,
                    height,
                    search,
                }
            },
        )
}

/// The response pane draws any answer in every tab, wrapped or not,
/// masked or revealed, searched, at any size: no panic, and no control
/// character (an escape sequence, a bell) reaches a cell of the screen.
#[test]
fn fuzz_response_pane() {
    use portico::http::{Response, Timing};
    use portico::tui::body_view::BodyTheme;
    use portico::tui::config::Theme;
    use portico::tui::outcome::Outcome;
    use portico::tui::views::response::{RequestState, ResponsePane, ResponseView};
    use ratatui::Terminal;
    use ratatui::backend::TestBackend;

    fuzz("response", answer_case(), |case| {
        let body = bytes::Bytes::from(case.body.clone());
        let outcome = Outcome {
            response: Response {
                version: "HTTP/1.1".into(),
                status: case.status,
                reason: case.reason.clone(),
                headers: case.headers.clone(),
                size: body.len() as u64,
                wire_size: body.len() as u64,
                body,
                truncated: case.truncated,
                decoded_from: None,
                saved_to: None,
            },
            sent: BuiltRequest::default(),
            redirects: Vec::new(),
            timing: Timing {
                headers: Duration::from_millis(3),
                total: Duration::from_millis(5),
            },
            secrets: case.secrets.clone(),
        };
        let (theme, body_theme) = (Theme::default(), BodyTheme::coloured());
        let mut state = RequestState::Done {
            id: 1,
            view: Box::new(ResponseView::new(outcome)),
        };
        let mut terminal =
            Terminal::new(TestBackend::new(case.width, case.height)).expect("terminal");
        for (tab, wrap, reveal) in [
            (0, false, false),
            (0, true, true),
            (1, false, false),
            (2, false, true),
            (3, false, false),
        ] {
            if let RequestState::Done { view, .. } = &mut state {
                view.tab = portico::tui::views::response::RespTab::ALL[tab];
                view.body.set_wrap(wrap);
                if wrap {
                    view.body.set_search(&case.search);
                }
            }
            let pane = ResponsePane {
                theme: &theme,
                body_theme: &body_theme,
                focused: true,
                now: Instant::now(),
                reveal,
            };
            terminal
                .draw(|frame| pane.render(frame, frame.area(), &mut state))
                .expect("draw");
            assert_no_control_cells(terminal.backend().buffer())?;
        }
        Ok(())
    });
}

/// Descriptions from definitions are HTML, Markdown or anything: the
/// operation pane draws them at any size without a panic and without a
/// control character in any cell; text with no markup reads back as is.
#[test]
fn fuzz_operation_docs() {
    use portico::tui::config::Theme;
    use portico::tui::views::operation::{html_to_text, render};
    use ratatui::Terminal;
    use ratatui::backend::TestBackend;
    let pieces = prop_oneof![
        3 => hostile_text(8),
        2 => select(&[
            "<br/>", "<br>", "<p>", "</p>", "<li>", "</li>", "<ul>", "<a href=\"u\">",
            "<a href='", "</a>", "<b>", "</b>", "<code>", "`", "&amp;", "&lt;", "&#x41;",
            "&#65;", "&#x110000;", "&#99999999999;", "&", "<", ">", "<!--", "-->", "\n",
            "\n\n", "- ", "* ", "é", "\u{202e}", "\u{301}", "🙂",
        ][..])
        .prop_map(str::to_string),
    ];
    let case = (vec(pieces, 0..60), 1u16..120, 1u16..40, any::<u16>());
    fuzz("operation docs", case, |(parts, width, height, scroll)| {
        let text = parts.concat();
        let plain = html_to_text(&text);
        if !text.contains(['<', '&', '`']) {
            prop_assert_eq!(plain.as_ref(), text.as_str());
        }
        let api = Api {
            title: text.clone(),
            ..Api::default()
        };
        let op = Operation {
            method: "GET".into(),
            path: "/x".into(),
            summary: Some(text.clone()),
            description: Some(text.clone()),
            tags: vec![text.clone()],
            ..Operation::default()
        };
        let mut terminal = Terminal::new(TestBackend::new(width, height)).expect("terminal");
        let mut scroll = scroll;
        terminal
            .draw(|frame| {
                render(
                    frame,
                    frame.area(),
                    &api,
                    &op,
                    &Theme::default(),
                    true,
                    &mut scroll,
                );
            })
            .expect("draw");
        assert_no_control_cells(terminal.backend().buffer())?;
        Ok(())
    });
}

/// What a hostile definition names (titles, tags, parameters, headers,
/// enums, examples, bodies, servers) drawn through the TUI's catalog tree,
/// request pane (every tab) and operation pane, at any size: no panic, no control character in any
/// cell.
#[test]
fn fuzz_definitions_on_screen() {
    use portico::tui::config::Theme;
    use portico::tui::input::LineInput;
    use portico::tui::views::catalog::CatalogPane;
    use portico::tui::views::operation;
    use portico::tui::views::request::{ReqTab, RequestEditor, RequestView};
    use ratatui::Terminal;
    use ratatui::backend::TestBackend;

    let drawn = Arc::new(AtomicU64::new(0));
    let counted = Arc::clone(&drawn);
    let case = (definition_input(), 1u16..160, 1u16..50);
    fuzz(
        "definition on screen",
        case,
        move |((name, bytes), width, height)| {
            let location = format!("tests/fixtures/fuzz/definition/{name}");
            let Ok(catalog) = catalog::load_bytes(&bytes, &location) else {
                return Ok(());
            };
            let vars = Vars::default();
            let theme = Theme::default();
            let mut terminal = Terminal::new(TestBackend::new(width, height)).expect("terminal");
            // The catalog tree: every API, tag and operation name.
            let mut tree = CatalogPane::new(&catalog);
            for filter in ["", "a"] {
                tree.filter = LineInput::new(filter);
                tree.rebuild();
                terminal
                    .draw(|frame| tree.render(frame, frame.area(), &catalog, &theme, true, None))
                    .expect("draw");
                assert_no_control_cells(terminal.backend().buffer())?;
            }
            for api in &catalog.apis {
                for op in api.operations.iter().take(4) {
                    let mut editor = RequestEditor::new(Draft::new(api, op, &vars));
                    editor.preview = Some(request::preview(api, op, &editor.draft, &vars));
                    for tab in ReqTab::ALL {
                        editor.tab = tab;
                        let view = RequestView {
                            api,
                            op,
                            theme: &theme,
                            focused: true,
                            reveal: false,
                            server_label: api
                                .servers
                                .first()
                                .map(|s| s.url.clone())
                                .unwrap_or_default(),
                            env: None,
                        };
                        terminal
                            .draw(|frame| view.render(frame, frame.area(), &mut editor))
                            .expect("draw");
                        assert_no_control_cells(terminal.backend().buffer())?;
                    }
                    let mut scroll = 0;
                    terminal
                        .draw(|frame| {
                            operation::render(
                                frame,
                                frame.area(),
                                api,
                                op,
                                &theme,
                                true,
                                &mut scroll,
                            );
                        })
                        .expect("draw");
                    assert_no_control_cells(terminal.backend().buffer())?;
                    counted.fetch_add(1, Ordering::Relaxed);
                }
            }
            Ok(())
        },
    );
    let drawn = drawn.load(Ordering::Relaxed);
    eprintln!("fuzz target definition on screen: {drawn} operations drawn");
    assert!(drawn > 0);
}

/// Terminal safety: no cell of a drawn screen holds a control character.
fn assert_no_control_cells(buffer: &ratatui::buffer::Buffer) -> Result<(), TestCaseError> {
    for cell in buffer.content() {
        prop_assert!(
            !cell.symbol().chars().any(char::is_control),
            "a control character reached the screen: {:?}",
            cell.symbol()
        );
    }
    Ok(())
}

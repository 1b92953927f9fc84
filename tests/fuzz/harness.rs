//! The fuzz harness: each target's cases run on a worker thread under a
//! watchdog, drawn from seed corpora with mutations or built to reach deep
//! code.

use std::sync::mpsc;
use std::time::{Duration, Instant};

use proptest::collection::vec;
use proptest::prelude::*;
use proptest::sample::{Index, select};
use proptest::test_runner::TestRunner;

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
        // Findings become named regression tests in this suite.
        failure_persistence: None,
        max_shrink_iters: 4096,
        ..ProptestConfig::default()
    }
}

/// Runs one target and prints how many cases it executed and how long it
/// took (`cargo test --test fuzz -- --nocapture` shows the figures).
pub(crate) fn fuzz<S>(
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
pub(crate) fn mutated_seed(target: &str) -> impl Strategy<Value = Vec<u8>> + use<> {
    (select(seeds(target)), vec(mutation(), 0..8))
        .prop_map(|(seed, mutations)| mutate(seed, &mutations))
}

/// Text with the characters that break naive parsers well represented.
pub(crate) fn hostile_text(max: usize) -> impl Strategy<Value = String> {
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

pub(crate) fn lossy(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

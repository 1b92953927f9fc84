//! What portico keeps on disk, tested on real files in temporary
//! directories and with real processes: presets (round trip, secrets kept
//! out, corrupt files left alone, kill -9 during saves, concurrent
//! writers, a full disk), history and its statistics, environments.
//!
//! Some tests run this very test binary again as a child process (see
//! [`child_process`]) to have a second writer, or one to kill.

use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use portico::catalog::{OperationKey, ParamLocation};
use portico::request::{Draft, ParamValue, Row};
use portico::store::{Paths, Presets, SaveOptions, StoreError};

const CHILD_MODE: &str = "PORTICO_STORE_TEST_CHILD";

fn portico(home: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_portico"))
        .args(args)
        .env("PORTICO_HOME", home)
        .current_dir(home)
        .output()
        .expect("run portico")
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn success(output: &Output) -> String {
    assert!(
        output.status.success(),
        "portico failed: {}",
        stderr(output)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn key(path: &str) -> OperationKey {
    OperationKey {
        api: "shop".into(),
        method: "POST".into(),
        path: path.into(),
    }
}

fn sample_draft(body: &str) -> Draft {
    Draft {
        server: 0,
        server_url: Some("http://127.0.0.1:9/v1".into()),
        params: vec![ParamValue {
            name: "itemId".into(),
            location: ParamLocation::Path,
            value: "42 & \"more\"".into(),
            enabled: true,
        }],
        extra_query: vec![Row {
            name: "q".into(),
            value: "é ✓ {{var}}".into(),
            enabled: false,
        }],
        headers: vec![Row {
            name: "Accept".into(),
            value: "application/json".into(),
            enabled: true,
        }],
        content_type: Some("application/json".into()),
        body: body.into(),
        ..Draft::default()
    }
}

/// A xorshift generator: the tests' random moments, reproducible from the
/// seed they print.
struct Rng(u64);

impl Rng {
    fn seeded() -> Self {
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(1, |d| d.as_nanos() as u64);
        let seed = nanos | 1;
        eprintln!("random seed {seed}");
        Self(seed)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n
    }
}

/// Runs this test binary again as a child doing `mode` in `home`.
fn spawn_child(mode: &str, home: &Path, extra: &[(&str, &str)]) -> std::process::Child {
    let mut command = Command::new(std::env::current_exe().expect("test binary"));
    command
        .args([
            "child_process",
            "--exact",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(CHILD_MODE, mode)
        .env("PORTICO_HOME", home)
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    for (name, value) in extra {
        command.env(name, value);
    }
    command.spawn().expect("spawn child")
}

/// Not a test of its own: the body of the child processes the other tests
/// start. Without the environment variable it does nothing.
#[test]
fn child_process() {
    let Ok(mode) = std::env::var(CHILD_MODE) else {
        return;
    };
    let paths = Paths::resolve(None).expect("PORTICO_HOME");
    let presets = Presets::new(&paths);
    match mode.as_str() {
        // Saves ever newer rounds until killed; each round's body is one
        // token repeated, so a torn write would be visible.
        "crash" => {
            let mut round = presets
                .get(&key("/crash"), "big")
                .map(|p| round_of(&p.draft.body) + 1)
                .unwrap_or(0);
            loop {
                let body = body_of_round(round);
                presets
                    .save(
                        &key("/crash"),
                        "big",
                        &sample_draft(&body),
                        SaveOptions::default(),
                    )
                    .expect("save");
                round += 1;
            }
        }
        // Saves PRESETS_COUNT presets named WRITER-n, on two operations.
        "writer" => {
            let writer = std::env::var("WRITER").expect("WRITER");
            let count: usize = std::env::var("PRESETS_COUNT")
                .expect("PRESETS_COUNT")
                .parse()
                .expect("a count");
            for i in 0..count {
                let op = if i % 2 == 0 { "/a" } else { "/b" };
                presets
                    .save(
                        &key(op),
                        &format!("{writer}-{i}"),
                        &sample_draft(&format!("{writer} {i}")),
                        SaveOptions::default(),
                    )
                    .expect("save");
            }
        }
        other => panic!("unknown child mode {other}"),
    }
}

const TOKEN_REPEATS: usize = 20_000;

fn body_of_round(round: u64) -> String {
    format!("round-{round:06} ").repeat(TOKEN_REPEATS)
}

fn round_of(body: &str) -> u64 {
    body.get(6..12)
        .and_then(|digits| digits.parse().ok())
        .expect("a round number")
}

#[test]
fn preset_round_trip_in_a_fresh_store() {
    let dir = tempfile::tempdir().expect("tempdir");
    let paths = Paths::in_dir(dir.path());
    let draft = sample_draft("{\"name\": \"it's $5 `now`\"}\n\ttabs and \u{1F600}");
    let report = Presets::new(&paths)
        .save(&key("/items"), "first", &draft, SaveOptions::default())
        .expect("save");
    assert!(report.created);
    assert!(report.withheld.is_empty(), "{:?}", report.withheld);

    let fresh = Presets::new(&Paths::in_dir(dir.path()));
    let loaded = fresh.get(&key("/items"), "first").expect("load");
    assert_eq!(loaded.draft, draft);
    assert_eq!(loaded.name, "first");
    assert_eq!(loaded.created, loaded.updated);

    // Saving again under the same name updates it and keeps its birth.
    let second = sample_draft("changed");
    std::thread::sleep(Duration::from_millis(5));
    let report = fresh
        .save(&key("/items"), "first", &second, SaveOptions::default())
        .expect("update");
    assert!(!report.created);
    let updated = fresh.get(&key("/items"), "first").expect("load");
    assert_eq!(updated.draft, second);
    assert_eq!(updated.created, loaded.created);
    assert!(updated.updated > loaded.updated);

    // Rename, then delete; the other operation's preset is untouched.
    fresh
        .save(&key("/other"), "first", &draft, SaveOptions::default())
        .expect("save other");
    fresh
        .rename(&key("/items"), "first", "renamed")
        .expect("rename");
    assert!(matches!(
        fresh.rename(&key("/other"), "nope", "x"),
        Err(StoreError::PresetNotFound { .. })
    ));
    fresh
        .save(&key("/items"), "second", &draft, SaveOptions::default())
        .expect("save second");
    assert!(matches!(
        fresh.rename(&key("/items"), "second", "renamed"),
        Err(StoreError::PresetExists { .. })
    ));
    let names: Vec<String> = fresh
        .list(&key("/items"))
        .expect("list")
        .into_iter()
        .map(|p| p.name)
        .collect();
    assert_eq!(names, ["renamed", "second"]);
    fresh.delete(&key("/items"), "renamed").expect("delete");
    match fresh.get(&key("/items"), "renamed") {
        Err(error @ StoreError::PresetNotFound { .. }) => assert_eq!(
            error.to_string(),
            "no preset named `renamed` for shop POST /items (known: second)"
        ),
        other => panic!("{other:?}"),
    }
    assert_eq!(
        fresh.get(&key("/other"), "first").expect("other").draft,
        draft
    );
}

#[cfg(unix)]
#[test]
fn preset_file_is_owner_only() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().expect("tempdir");
    let home = dir.path().join("home");
    let presets = Presets::new(&Paths::in_dir(&home));
    presets
        .save(&key("/x"), "p", &sample_draft(""), SaveOptions::default())
        .expect("save");
    let mode = |path: &Path| std::fs::metadata(path).expect("meta").permissions().mode() & 0o777;
    assert_eq!(mode(presets.path()), 0o600);
    assert_eq!(mode(&home), 0o700);
}

#[test]
fn cli_preset_saves_and_replays_the_same_request() {
    let dir = tempfile::tempdir().expect("tempdir");
    let home = dir.path();
    // --server: the bundled catalog without starting the demo, so that the
    // dry-run URLs are the same in both runs.
    let server = "http://127.0.0.1:9/azureml-demo";
    let first = success(&portico(
        home,
        &[
            "call",
            "--op",
            "RRS Execute",
            "--server",
            server,
            "-p",
            "details=false",
            "-H",
            "X-Trace: abc",
            "-d",
            r#"{"Inputs": {"input1": {"ColumnNames": ["Col2"], "Values": [["it's a $5 day"]]}}}"#,
            "--dry-run",
            "--json",
            "--save-preset",
            "it's $5",
        ],
    ));
    let replay = success(&portico(
        home,
        &[
            "call",
            "--op",
            "RRS Execute",
            "--server",
            server,
            "--preset",
            "it's $5",
            "--dry-run",
            "--json",
        ],
    ));
    assert_eq!(first, replay);
    assert!(replay.contains("details=false"), "{replay}");
    assert!(replay.contains("X-Trace"), "{replay}");

    // -p overrides the preset's value.
    let overridden = success(&portico(
        home,
        &[
            "call",
            "--op",
            "RRS Execute",
            "--server",
            server,
            "--preset",
            "it's $5",
            "-p",
            "details=true",
            "--dry-run",
            "--json",
        ],
    ));
    assert!(overridden.contains("details=true"), "{overridden}");
    assert!(overridden.contains("it's a $5 day"), "{overridden}");

    // An unknown name lists the known ones.
    let unknown = portico(
        home,
        &[
            "call",
            "--op",
            "RRS Execute",
            "--server",
            server,
            "--preset",
            "nope",
            "--dry-run",
        ],
    );
    assert!(!unknown.status.success());
    assert!(
        stderr(&unknown).contains("no preset named `nope` for azureml-demo POST /workspaces/{workspace}/services/{service}/execute (known: it's $5)"),
        "{}",
        stderr(&unknown)
    );

    let listed: serde_json::Value =
        serde_json::from_str(&success(&portico(home, &["presets", "list", "--json"])))
            .expect("JSON list");
    assert_eq!(listed[0]["name"], "it's $5");
    assert_eq!(listed[0]["orphaned"], false);
    assert_eq!(listed[0]["operation"]["api"], "azureml-demo");
    // The --server URL is where that run went, not part of the preset.
    assert!(listed[0]["draft"].get("server_url").is_none(), "{listed}");
    let text = success(&portico(home, &["presets", "list"]));
    assert!(
        text.contains("it's $5") && text.contains("(RRS Execute)"),
        "{text}"
    );
}

#[test]
fn secrets_are_saved_as_references_unless_asked() {
    let dir = tempfile::tempdir().expect("tempdir");
    let home = dir.path();
    let server = "http://127.0.0.1:9/azureml-demo";
    let typed_key = "typed-by-hand-5e6f7a8b";
    let saved = portico(
        home,
        &[
            "call",
            "--op",
            "RRS Execute",
            "--server",
            server,
            "-H",
            &format!("Authorization: Bearer {}", portico::demo::API_KEY),
            "-H",
            &format!("X-Api-Key: {typed_key}"),
            "-d",
            &format!(
                r#"{{"echo": "{}"}}"#,
                portico::demo::PRIMARY_SUBSCRIPTION_KEY
            ),
            "--dry-run",
            "--save-preset",
            "keys",
        ],
    );
    success(&saved);
    let file = std::fs::read_to_string(home.join("presets.json")).expect("presets file");
    for secret in [
        portico::demo::API_KEY,
        portico::demo::PRIMARY_SUBSCRIPTION_KEY,
        typed_key,
    ] {
        assert!(!file.contains(secret), "{secret} stored in {file}");
    }
    assert!(file.contains("Bearer {{api_key}}"), "{file}");
    assert!(file.contains("{{x_api_key}}"), "{file}");
    assert!(
        file.contains(r#"{\"echo\": \"{{subscription_key}}\"}"#),
        "{file}"
    );
    let messages = stderr(&saved);
    assert!(
        messages
            .contains("secret not stored: header `X-Api-Key` is saved as {{x_api_key}} (define it"),
        "{messages}"
    );
    assert!(
        messages.contains(
            "header `Authorization` is saved as {{api_key}} (the current environment defines it)"
        ),
        "{messages}"
    );

    // Replaying it asks for the variable it needs.
    let replay = portico(
        home,
        &[
            "call",
            "--op",
            "RRS Execute",
            "--server",
            server,
            "--preset",
            "keys",
            "--dry-run",
        ],
    );
    assert!(
        stderr(&replay).contains("unknown variable `{{x_api_key}}` in header `X-Api-Key`"),
        "{}",
        stderr(&replay)
    );
    // ... which a .env in the working directory can give.
    std::fs::write(home.join(".env"), format!("x_api_key={typed_key}\n")).expect(".env");
    let replay = portico(
        home,
        &[
            "call",
            "--op",
            "RRS Execute",
            "--server",
            server,
            "--preset",
            "keys",
            "--dry-run",
            "--reveal",
        ],
    );
    let shown = success(&replay);
    assert!(
        shown.contains(&format!("X-Api-Key: {typed_key}")),
        "{shown}"
    );
    assert!(
        shown.contains(&format!("Authorization: Bearer {}", portico::demo::API_KEY)),
        "{shown}"
    );

    // Asked explicitly: stored as typed.
    success(&portico(
        home,
        &[
            "call",
            "--op",
            "RRS Execute",
            "--server",
            server,
            "-H",
            &format!("X-Api-Key: {typed_key}"),
            "--dry-run",
            "--save-preset",
            "with keys",
            "--save-secrets",
        ],
    ));
    let file = std::fs::read_to_string(home.join("presets.json")).expect("presets file");
    assert!(file.contains(typed_key), "{file}");
}

#[test]
fn corrupt_preset_file_is_reported_and_left_untouched() {
    let dir = tempfile::tempdir().expect("tempdir");
    let home = dir.path();
    let path = home.join("presets.json");
    let corrupt = b"{\n  \"version\": 1,\n  \"presets\": [\n    { \"name\": \"x\", }\n  ]\n}\n";
    std::fs::write(&path, corrupt).expect("write");
    let presets = Presets::new(&Paths::in_dir(home));

    let expect_corrupt = |error: StoreError| match &error {
        StoreError::Corrupt {
            path: at,
            line,
            column,
            ..
        } => {
            assert_eq!(at, &path);
            assert_eq!((*line, *column), (4, 20), "{error}");
            assert!(
                error
                    .to_string()
                    .starts_with(&format!("{}:4:20: invalid presets file", path.display())),
                "{error}"
            );
        }
        other => panic!("{other:?}"),
    };
    expect_corrupt(presets.load().expect_err("corrupt"));
    expect_corrupt(
        presets
            .save(&key("/x"), "p", &sample_draft(""), SaveOptions::default())
            .expect_err("refused"),
    );
    expect_corrupt(presets.delete(&key("/x"), "p").expect_err("refused"));

    let output = portico(
        home,
        &[
            "call",
            "--op",
            "RRS Execute",
            "--server",
            "http://127.0.0.1:9/x",
            "--dry-run",
            "--save-preset",
            "p",
        ],
    );
    assert!(!output.status.success());
    assert!(
        stderr(&output).contains(&format!("{}:4:20", path.display())),
        "{}",
        stderr(&output)
    );
    let listed = portico(home, &["presets", "list"]);
    assert!(!listed.status.success());
    assert!(
        stderr(&listed).contains("left untouched"),
        "{}",
        stderr(&listed)
    );

    assert_eq!(std::fs::read(&path).expect("read"), corrupt);
}

/// kill -9 at random moments while a process saves large presets over and
/// over: the file always parses, holds one whole round, and never goes
/// back to an older round.
#[test]
fn kill_during_saves_leaves_old_or_new_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    let home = dir.path();
    let presets = Presets::new(&Paths::in_dir(home));
    let mut rng = Rng::seeded();
    let mut last_round = None;
    let mut rounds_seen = 0;
    for _ in 0..30 {
        let mut child = spawn_child("crash", home, &[]);
        std::thread::sleep(Duration::from_millis(5 + rng.below(60)));
        child.kill().expect("kill -9");
        let status = child.wait().expect("reap");
        assert!(!status.success(), "the writer ran to completion?");

        let file = presets
            .load()
            .unwrap_or_else(|e| panic!("after a kill: {e}"));
        let Some(preset) = file.find(&key("/crash"), "big") else {
            assert!(last_round.is_none(), "a saved preset disappeared");
            continue;
        };
        let round = round_of(&preset.draft.body);
        assert_eq!(preset.draft.body, body_of_round(round), "a torn body");
        assert_eq!(file.presets.len(), 1);
        if let Some(last) = last_round {
            assert!(round >= last, "went back from round {last} to {round}");
            if round > last {
                rounds_seen += 1;
            }
        }
        last_round = Some(round);
    }
    assert!(last_round.is_some(), "no save completed in 30 runs");
    eprintln!("last round {last_round:?}, {rounds_seen} kills after progress");
    // Killed writers' temporary files are cleaned by the next save; at most
    // the last one's is left.
    let temps = std::fs::read_dir(home)
        .expect("list")
        .filter(|e| {
            e.as_ref()
                .is_ok_and(|e| e.file_name().to_string_lossy().contains(".tmp."))
        })
        .count();
    assert!(temps <= 1, "{temps} temporary files left");
}

#[test]
fn two_processes_saving_at_once_lose_nothing() {
    let dir = tempfile::tempdir().expect("tempdir");
    let home = dir.path();
    let count = 40;
    let children: Vec<_> = ["left", "right"]
        .iter()
        .map(|writer| {
            spawn_child(
                "writer",
                home,
                &[("WRITER", writer), ("PRESETS_COUNT", &count.to_string())],
            )
        })
        .collect();
    // And threads of this process at the same time.
    let threads: Vec<_> = (0..2)
        .map(|t| {
            let home = home.to_path_buf();
            std::thread::spawn(move || {
                let presets = Presets::new(&Paths::in_dir(home));
                for i in 0..20 {
                    presets
                        .save(
                            &key("/a"),
                            &format!("thread{t}-{i}"),
                            &sample_draft(""),
                            SaveOptions::default(),
                        )
                        .expect("save");
                }
            })
        })
        .collect();
    for child in children {
        let output = child.wait_with_output().expect("writer");
        assert!(output.status.success(), "{}", stderr(&output));
    }
    for thread in threads {
        thread.join().expect("thread");
    }
    let file = Presets::new(&Paths::in_dir(home)).load().expect("load");
    assert_eq!(file.presets.len(), 2 * count + 40);
    for writer in ["left", "right"] {
        for i in 0..count {
            let op = if i % 2 == 0 { "/a" } else { "/b" };
            let preset = file
                .find(&key(op), &format!("{writer}-{i}"))
                .unwrap_or_else(|| panic!("{writer}-{i} lost"));
            assert_eq!(preset.draft.body, format!("{writer} {i}"));
        }
    }
}

/// A full disk, as a file-size limit: the save fails with the reason, and
/// the old file and nothing else stays.
#[cfg(target_os = "linux")]
#[test]
fn a_failed_write_keeps_the_old_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    let home = dir.path();
    let server = "http://127.0.0.1:9/azureml-demo";
    success(&portico(
        home,
        &[
            "call",
            "--op",
            "RRS Execute",
            "--server",
            server,
            "--dry-run",
            "--save-preset",
            "small",
        ],
    ));
    let path = home.join("presets.json");
    let before = std::fs::read(&path).expect("read");
    let big_body = format!(r#"{{"text": "{}"}}"#, "x".repeat(64 * 1024));
    std::fs::write(home.join("big.json"), big_body).expect("body");
    // Writes past 32 KiB fail with EFBIG (SIGXFSZ ignored, as the shell's
    // `trap ''` is inherited through exec).
    let output = Command::new("sh")
        .arg("-c")
        .arg(r#"trap '' XFSZ; ulimit -f 64; exec "$0" "$@""#)
        .arg(env!("CARGO_BIN_EXE_portico"))
        .args([
            "call",
            "--op",
            "RRS Execute",
            "--server",
            server,
            "-d",
            "@big.json",
            "--dry-run",
            "--save-preset",
            "big",
        ])
        .env("PORTICO_HOME", home)
        .current_dir(home)
        .output()
        .expect("run portico");
    assert!(!output.status.success());
    assert!(
        stderr(&output).contains(&format!("cannot write {}: File too large", path.display())),
        "{}",
        stderr(&output)
    );
    assert_eq!(std::fs::read(&path).expect("read"), before);
    let mut names: Vec<String> = std::fs::read_dir(home)
        .expect("list")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names, ["big.json", "presets.json", "presets.json.lock"]);
}

#[test]
fn orphaned_presets_are_listed_not_dropped() {
    let dir = tempfile::tempdir().expect("tempdir");
    let home = dir.path();
    let presets = Presets::new(&Paths::in_dir(home));
    let gone = OperationKey {
        api: "azureml-demo".into(),
        method: "GET".into(),
        path: "/removed/{id}".into(),
    };
    presets
        .save(&gone, "old", &sample_draft(""), SaveOptions::default())
        .expect("save");
    let text = success(&portico(home, &["presets", "list"]));
    assert!(
        text.contains("old") && text.contains("orphaned: operation not in the catalog"),
        "{text}"
    );
    let listed: serde_json::Value =
        serde_json::from_str(&success(&portico(home, &["presets", "list", "--json"])))
            .expect("JSON");
    assert_eq!(listed[0]["orphaned"], true);
    assert!(presets.get(&gone, "old").is_ok());
}

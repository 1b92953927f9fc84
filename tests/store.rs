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

/// Asserts that stderr says `needle`, showing the whole of stderr if not.
#[track_caller]
fn assert_stderr_has(output: &Output, needle: &str) {
    let text = stderr(output);
    assert!(text.contains(needle), "{text}");
}

/// `portico call --op "RRS Execute" --server SERVER ARGS...` in `home`.
fn call_rrs(home: &Path, server: &str, args: &[&str]) -> Output {
    let mut all = vec!["call", "--op", "RRS Execute", "--server", server];
    all.extend_from_slice(args);
    portico(home, &all)
}

/// The JSON a successful `portico ARGS...` prints.
fn json_of(home: &Path, args: &[&str]) -> serde_json::Value {
    serde_json::from_str(&success(&portico(home, args))).expect("JSON")
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
    let first = success(&call_rrs(
        home,
        server,
        &[
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
    let replay = success(&call_rrs(
        home,
        server,
        &["--preset", "it's $5", "--dry-run", "--json"],
    ));
    assert_eq!(first, replay);
    assert!(replay.contains("details=false"), "{replay}");
    assert!(replay.contains("X-Trace"), "{replay}");

    // -p overrides the preset's value.
    let overridden = success(&call_rrs(
        home,
        server,
        &[
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
    let unknown = call_rrs(home, server, &["--preset", "nope", "--dry-run"]);
    assert!(!unknown.status.success());
    assert_stderr_has(
        &unknown,
        "no preset named `nope` for azureml-demo POST /workspaces/{workspace}/services/{service}/execute (known: it's $5)",
    );

    let listed = json_of(home, &["presets", "list", "--json"]);
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
    let saved = call_rrs(
        home,
        server,
        &[
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
    let replay = call_rrs(home, server, &["--preset", "keys", "--dry-run"]);
    assert_stderr_has(
        &replay,
        "unknown variable `{{x_api_key}}` in header `X-Api-Key`",
    );
    // ... which a .env in the working directory can give.
    std::fs::write(home.join(".env"), format!("x_api_key={typed_key}\n")).expect(".env");
    let replay = call_rrs(home, server, &["--preset", "keys", "--dry-run", "--reveal"]);
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
    success(&call_rrs(
        home,
        server,
        &[
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

    let output = call_rrs(
        home,
        "http://127.0.0.1:9/x",
        &["--dry-run", "--save-preset", "p"],
    );
    assert!(!output.status.success());
    assert_stderr_has(&output, &format!("{}:4:20", path.display()));
    let listed = portico(home, &["presets", "list"]);
    assert!(!listed.status.success());
    assert_stderr_has(&listed, "left untouched");

    assert_eq!(std::fs::read(&path).expect("read"), corrupt);
}

/// A preset file grown past what portico reads (or a device in its place)
/// is refused like a corrupt one: reported, never read whole, never
/// overwritten.
#[test]
fn an_oversized_preset_file_is_refused_and_left_untouched() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("presets.json");
    let file = std::fs::File::create(&path).expect("create");
    // Sparse: 65 MiB of zeros that take no disk.
    file.set_len(65 * 1024 * 1024).expect("grow");
    drop(file);
    let presets = Presets::new(&Paths::in_dir(dir.path()));
    for error in [
        presets.load().expect_err("too large"),
        presets
            .save(&key("/x"), "p", &sample_draft(""), SaveOptions::default())
            .expect_err("refused"),
    ] {
        let text = error.to_string();
        assert!(matches!(error, StoreError::Corrupt { .. }), "{error:?}");
        assert!(
            text.contains("larger than the 64 MiB portico reads"),
            "{text}"
        );
        assert!(text.contains("left untouched"), "{text}");
    }
    assert_eq!(
        std::fs::metadata(&path).expect("size").len(),
        65 * 1024 * 1024
    );
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
    success(&call_rrs(
        home,
        server,
        &["--dry-run", "--save-preset", "small"],
    ));
    let path = home.join("presets.json");
    let before = std::fs::read(&path).expect("read");
    let big_body = format!(r#"{{"text": "{}"}}"#, "x".repeat(64 * 1024));
    std::fs::write(home.join("big.json"), big_body).expect("body");
    // portico with writes past 32 KiB failing with EFBIG (SIGXFSZ ignored,
    // as the shell's `trap ''` is inherited through exec).
    let on_a_full_disk = |args: &[&str]| {
        Command::new("sh")
            .arg("-c")
            .arg(r#"trap '' XFSZ; ulimit -f 64; exec "$0" "$@""#)
            .arg(env!("CARGO_BIN_EXE_portico"))
            .args(args)
            .env("PORTICO_HOME", home)
            .current_dir(home)
            .output()
            .expect("run portico")
    };
    let output = on_a_full_disk(&[
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
    ]);
    assert!(!output.status.success());
    assert_stderr_has(
        &output,
        &format!("cannot write {}: File too large", path.display()),
    );
    assert_eq!(std::fs::read(&path).expect("read"), before);
    let mut names: Vec<String> = std::fs::read_dir(home)
        .expect("list")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names, ["big.json", "presets.json", "presets.json.lock"]);

    // History on a full disk: the call still answers, the history keeps
    // what it had (no half line), and the user is told.
    // 200 bytes short of the limit, so that the new line is cut midway.
    let limit = 64 * 512;
    let mut before = Vec::new();
    let mut i = 0;
    loop {
        let line = serde_json::to_vec(&entry(i, "/a", Some(200), 1.0)).expect("json");
        if before.len() + 2 * line.len() > limit - 200 {
            let mut last = entry(i, "/a", Some(200), 1.0);
            let pad = limit - 200 - before.len() - line.len() - 1;
            if let Some(body) = last.request.body.as_mut() {
                body.data.push_str(&"y".repeat(pad));
            }
            before.extend(serde_json::to_vec(&last).expect("json"));
            before.push(b'\n');
            break;
        }
        before.extend(line);
        before.push(b'\n');
        i += 1;
    }
    assert_eq!(before.len(), limit - 200);
    std::fs::write(home.join("history.jsonl"), &before).expect("seed");
    let output = on_a_full_disk(&["call", "--op", "RRS Execute", "-i"]);
    assert!(success(&output).contains("200 OK"));
    assert_stderr_has(
        &output,
        "warning: not recorded in history: cannot append to",
    );
    let after = std::fs::read(home.join("history.jsonl")).expect("read");
    assert!(
        after == before,
        "history changed: {} bytes, was {}",
        after.len(),
        before.len()
    );
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
    let listed = json_of(home, &["presets", "list", "--json"]);
    assert_eq!(listed[0]["orphaned"], true);
    assert!(presets.get(&gone, "old").is_ok());
}

/// A preset whose operation changed under it (a parameter it sets is gone,
/// required ones it has no value for) is listed with what changed; it is
/// kept as it is.
#[test]
fn presets_that_no_longer_fit_their_operation_say_how() {
    let dir = tempfile::tempdir().expect("tempdir");
    let home = dir.path();
    let presets = Presets::new(&Paths::in_dir(home));
    let rrs = OperationKey {
        api: "azureml-demo".into(),
        method: "POST".into(),
        path: "/workspaces/{workspace}/services/{service}/execute".into(),
    };
    let mut draft = sample_draft("");
    draft.params = vec![ParamValue {
        name: "retired".into(),
        location: ParamLocation::Query,
        value: "1".into(),
        enabled: true,
    }];
    presets
        .save(&rrs, "drifted", &draft, SaveOptions::default())
        .expect("save");
    let text = success(&portico(home, &["presets", "list"]));
    assert!(
        text.contains(
            "(changed: sets query `retired` no longer defined; \
             has no value for required path `workspace`, path `service`, query `api-version`)"
        ),
        "{text}"
    );
    let listed = json_of(home, &["presets", "list", "--json"]);
    assert_eq!(listed[0]["orphaned"], false);
    assert!(
        listed[0]["changed"]
            .as_str()
            .is_some_and(|c| c.starts_with("sets query `retired`")),
        "{listed}"
    );
    assert_eq!(
        presets
            .get(&rrs, "drifted")
            .expect("kept")
            .draft
            .params
            .len(),
        1
    );
}

// ------------------------------------------------------------ history

use portico::store::history::{
    self, RecordedBody, RecordedRequest, RecordedResponse, RecordedTiming,
};
use portico::store::{
    History, HistoryEntry, HistoryFilter, HistoryLimits, SeriesSpec, StatusClass, Timestamp,
};

fn entry(time_ms: i64, op: &str, status: Option<u16>, total_ms: f64) -> HistoryEntry {
    HistoryEntry {
        time: Timestamp(time_ms),
        operation: Some(key(op)),
        request: RecordedRequest {
            method: "POST".into(),
            url: format!("http://127.0.0.1:9{op}"),
            headers: vec![("accept".into(), "*/*".into())],
            body: Some(RecordedBody {
                data: "x".repeat(200),
                base64: false,
                truncated: false,
            }),
        },
        response: status.map(|status| RecordedResponse {
            version: "HTTP/1.1".into(),
            status,
            reason: String::new(),
            headers: Vec::new(),
            body: None,
            size: 0,
            saved_to: None,
        }),
        error: status.is_none().then(|| history::RecordedError {
            kind: "connection failed".into(),
            message: "connection refused".into(),
        }),
        timing: RecordedTiming {
            headers_ms: None,
            total_ms,
        },
        draft: None,
        extra: serde_json::Map::new(),
    }
}

fn lines_in(path: &Path) -> usize {
    std::fs::read_to_string(path)
        .expect("history file")
        .lines()
        .count()
}

#[test]
fn history_of_cli_calls_is_recorded_masked() {
    let dir = tempfile::tempdir().expect("tempdir");
    let home = dir.path();
    // No SOURCE: the bundled demo, started in-process.
    success(&portico(home, &["call", "--op", "RRS Execute", "--reveal"]));
    success(&portico(
        home,
        &["call", "--op", "RRS Execute", "--dry-run"],
    ));
    let failed = call_rrs(home, "http://127.0.0.1:9/x", &[]);
    assert!(!failed.status.success());

    let path = home.join("history.jsonl");
    let text = std::fs::read_to_string(&path).expect("history file");
    for secret in [
        portico::demo::API_KEY,
        portico::demo::PRIMARY_SUBSCRIPTION_KEY,
    ] {
        assert!(!text.contains(secret), "{secret} in history: {text}");
    }
    let read = History::new(&Paths::in_dir(home)).read().expect("read");
    assert!(read.warnings.is_empty(), "{:?}", read.warnings);
    // The dry run sent nothing and is not there.
    assert_eq!(read.entries.len(), 2);
    let sent = &read.entries[0];
    assert_eq!(
        sent.operation.as_ref().map(ToString::to_string).as_deref(),
        Some("azureml-demo POST /workspaces/{workspace}/services/{service}/execute")
    );
    let response = sent.response.as_ref().expect("a response");
    assert_eq!((response.status, response.reason.as_str()), (200, "OK"));
    let body = response.body.as_ref().expect("body kept");
    assert!(body.data.contains("Col2_HashingFeature"), "{}", body.data);
    let header = |name: &str| {
        sent.request
            .headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.clone())
    };
    assert_eq!(
        header("authorization").as_deref(),
        Some(format!("Bearer {}", portico::secrets::MASK).as_str())
    );
    assert_eq!(
        header("ocp-apim-subscription-key").as_deref(),
        Some(portico::secrets::MASK)
    );
    assert!(sent.timing.total_ms > 0.0);
    assert!(sent.request.url.contains("/execute?api-version=2.0"));
    // The draft, to send it again: secrets as references.
    let draft = sent.draft.as_ref().expect("draft kept");
    let auth = draft
        .headers
        .iter()
        .find(|h| h.name == "Authorization")
        .expect("Authorization row");
    assert_eq!(auth.value, "Bearer {{api_key}}");

    let failure = &read.entries[1];
    assert!(failure.response.is_none());
    let error = failure.error.as_ref().expect("error kept");
    assert_eq!(error.kind, "connection failed");
    assert!(error.message.contains("127.0.0.1:9"), "{}", error.message);

    // The command: newest first, filtered by status class and operation.
    let listed = json_of(home, &["history", "--json", "--op", "RRS Execute"]);
    assert_eq!(listed.as_array().map(Vec::len), Some(2));
    assert!(listed[0]["response"].is_null() && listed[1]["response"]["status"] == 200);
    let ok_only = json_of(home, &["history", "--json", "--status", "2xx"]);
    assert_eq!(ok_only.as_array().map(Vec::len), Some(1));
    let none = json_of(home, &["history", "--json", "--op", "BES Status"]);
    assert_eq!(none, serde_json::json!([]));
    let text = success(&portico(home, &["history"]));
    assert!(
        text.contains("200 OK") && text.contains("failed: connection failed"),
        "{text}"
    );
    let stats = success(&portico(home, &["history", "--stats"]));
    assert!(stats.contains("calls 2  2xx 1  failed 1"), "{stats}");
    // Latencies in the one style of durations: a decimal under 10 ms,
    // never `0 ms` for a sub-millisecond call.
    for label in ["p50 ", "p95 ", "max "] {
        let at = stats.find(label).expect(label) + label.len();
        let value: String = stats[at..]
            .split("  ")
            .next()
            .unwrap_or("")
            .trim()
            .to_string();
        let (number, unit) = value.split_once(' ').expect("number and unit");
        let number: f64 = number.parse().expect("a number");
        assert!(unit == "ms" || unit == "s", "{value}");
        if unit == "ms" && number < 10.0 {
            assert!(value.contains('.'), "{label}{value}");
        }
    }
    let bad = portico(home, &["history", "--status", "6xx"]);
    assert_stderr_has(&bad, "unknown status class `6xx`");
}

#[test]
fn history_stays_within_its_limits() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("history.jsonl");
    let by_count = History::at(
        &path,
        HistoryLimits {
            max_entries: 20,
            max_bytes: 1 << 20,
            body_cap: 1024,
        },
    );
    for i in 0..100 {
        by_count
            .append(&entry(i, "/a", Some(200), 1.0))
            .expect("append");
        assert!(
            lines_in(&path) <= 20,
            "{} entries after {i}",
            lines_in(&path)
        );
    }
    let read = by_count.read().expect("read");
    let times: Vec<i64> = read.entries.iter().map(|e| e.time.0).collect();
    // The newest kept, in order; compaction goes down to 90% (18).
    assert!(times.len() >= 18, "{times:?}");
    let first = 100 - times.len() as i64;
    assert_eq!(times, (first..100).collect::<Vec<_>>());

    let path = dir.path().join("small.jsonl");
    let by_size = History::at(
        &path,
        HistoryLimits {
            max_entries: 1000,
            max_bytes: 8 * 1024,
            body_cap: 1024,
        },
    );
    for i in 0..200 {
        by_size
            .append(&entry(i, "/a", Some(200), 1.0))
            .expect("append");
        let size = std::fs::metadata(&path).expect("size").len();
        assert!(size <= 8 * 1024, "{size} bytes after {i}");
    }
    let read = by_size.read().expect("read");
    assert_eq!(read.entries.last().map(|e| e.time.0), Some(199));
    assert!(read.entries.len() > 10, "{}", read.entries.len());
}

/// A history file grown far past its limit (by hand, or by an old
/// version): only its newest end is read, the warning says so and names
/// the right line of a bad entry there, and the next append compacts it
/// down to the limit, newest entries kept.
#[test]
fn an_overgrown_history_is_read_from_its_end() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("history.jsonl");
    let limits = HistoryLimits {
        max_entries: 100_000,
        max_bytes: 64 * 1024,
        body_cap: 1024,
    };
    let mut text = String::new();
    for t in 0..2_000 {
        text.push_str(&serde_json::to_string(&entry(t, "/a", Some(200), 1.0)).expect("json"));
        text.push('\n');
        if t == 1_990 {
            text.push_str("not json\n");
        }
    }
    std::fs::write(&path, &text).expect("write");
    let size = text.len() as u64;
    assert!(size > 8 * limits.max_bytes, "{size}");
    let history = History::at(&path, limits);

    let read = history.read().expect("read");
    let times: Vec<i64> = read.entries.iter().map(|e| e.time.0).collect();
    assert_eq!(times.last(), Some(&1_999));
    let first = times[0];
    assert_eq!(
        times,
        (first..2_000).collect::<Vec<_>>(),
        "consecutive, newest last"
    );
    assert!(times.len() < 400, "{} entries read", times.len());
    let warnings: Vec<String> = read.warnings.iter().map(ToString::to_string).collect();
    assert!(
        warnings[0].contains("larger than its 64.0 KiB limit"),
        "{warnings:?}"
    );
    assert!(
        warnings[0].contains(&format!("lines 1 to {first}")),
        "{warnings:?}"
    );
    // `not json` is line 1,992 of the file (after entry 1,990, itself line 1,991).
    assert!(warnings[1].contains(":1992"), "{warnings:?}");

    history
        .append(&entry(2_000, "/a", Some(200), 1.0))
        .expect("append");
    let after = std::fs::metadata(&path).expect("size").len();
    assert!(after <= limits.max_bytes, "{after} bytes after compaction");
    let read = history.read().expect("read");
    assert_eq!(read.entries.last().map(|e| e.time.0), Some(2_000));
    assert!(
        read.warnings
            .iter()
            .all(|w| !w.to_string().contains("larger than"))
    );
}

#[test]
fn a_corrupt_history_line_is_skipped_and_kept() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("history.jsonl");
    let good = |t| serde_json::to_string(&entry(t, "/a", Some(200), 1.0)).expect("json");
    std::fs::write(
        &path,
        format!("{}\nnot json at all\n{}\n{{\"torn\": ", good(1), good(2)),
    )
    .expect("seed");
    let history = History::at(&path, HistoryLimits::default());
    history
        .append(&entry(3, "/a", Some(201), 1.0))
        .expect("append after a torn line");
    let read = history.read().expect("read");
    let times: Vec<i64> = read.entries.iter().map(|e| e.time.0).collect();
    assert_eq!(times, [1, 2, 3]);
    let warnings: Vec<String> = read.warnings.iter().map(ToString::to_string).collect();
    assert_eq!(warnings.len(), 2, "{warnings:?}");
    assert!(
        warnings[0].starts_with(&format!("{}:2: history entry skipped", path.display())),
        "{warnings:?}"
    );
    assert!(
        warnings[1].starts_with(&format!("{}:4:", path.display())),
        "{warnings:?}"
    );
    let text = std::fs::read_to_string(&path).expect("read");
    assert!(text.contains("not json at all\n"), "{text}");

    // The command shows the rest and names the line on stderr.
    let output = portico(dir.path(), &["history"]);
    assert_stderr_has(&output, ":2: history entry skipped");
    assert_eq!(success(&output).lines().count(), 3);
}

#[test]
fn concurrent_appends_lose_nothing() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("history.jsonl");
    let threads: Vec<_> = (0..4)
        .map(|t| {
            let path = path.clone();
            std::thread::spawn(move || {
                let history = History::at(&path, HistoryLimits::default());
                for i in 0..25 {
                    history
                        .append(&entry(t * 100 + i, "/a", Some(200), 1.0))
                        .expect("append");
                }
            })
        })
        .collect();
    for thread in threads {
        thread.join().expect("thread");
    }
    let read = History::at(&path, HistoryLimits::default())
        .read()
        .expect("read");
    assert!(read.warnings.is_empty(), "{:?}", read.warnings);
    let mut times: Vec<i64> = read.entries.iter().map(|e| e.time.0).collect();
    times.sort_unstable();
    let expected: Vec<i64> = (0..4)
        .flat_map(|t| (0..25).map(move |i| t * 100 + i))
        .collect();
    assert_eq!(times, expected);
}

#[test]
fn statistics_on_known_data() {
    let hour = 3_600_000;
    let end = 100 * hour;
    let mut entries = Vec::new();
    // 100 successful calls of 1..=100 ms, one per minute in the last
    // 100 minutes (spread over the last two hourly buckets).
    for ms in 1..=100 {
        entries.push(entry(end - ms * 60_000, "/a", Some(200), ms as f64));
    }
    // Errors: two 404s, one 503, one failed send (its 30 s timeout is not
    // a latency), all three hours ago.
    for (status, total) in [
        (Some(404), 500.0),
        (Some(404), 600.0),
        (Some(503), 700.0),
        (None, 30_000.0),
    ] {
        entries.push(entry(end - 3 * hour + 1, "/a", status, total));
    }
    // Another operation, and one too old for the series.
    entries.push(entry(end - 1, "/b", Some(201), 5.0));
    entries.push(entry(end - 48 * hour, "/a", Some(200), 1.0));

    let spec = SeriesSpec {
        end: Timestamp(end),
        bucket: Duration::from_secs(3600),
        buckets: 6,
    };
    let a = history::stats(&entries, Some(&key("/a")), spec);
    assert_eq!(a.calls, 105);
    assert_eq!(a.count(StatusClass::Success), 101);
    assert_eq!(a.count(StatusClass::ClientError), 2);
    assert_eq!(a.count(StatusClass::ServerError), 1);
    assert_eq!(a.count(StatusClass::Failed), 1);
    let latency = a.latency.expect("latencies");
    // 104 values with a response: 1 (old), 1..=100, 500, 600, 700.
    // Nearest rank: p50 is the 52nd smallest, p95 the 99th.
    assert_eq!(latency.p50_ms, 51.0);
    assert_eq!(latency.p95_ms, 98.0);
    assert_eq!(latency.max_ms, 700.0);
    // Buckets of an hour ending at `end`: the errors fall in the fourth.
    assert_eq!(a.series, [0, 0, 0, 4, 40, 60]);
    assert_eq!(a.series_errors, [0, 0, 0, 4, 0, 0]);
    assert_eq!(a.first, Some(Timestamp(end - 48 * hour)));
    assert_eq!(a.last, Some(Timestamp(end - 60_000)));

    let all = history::stats_by_operation(&entries, spec);
    let calls: Vec<(String, usize)> = all
        .iter()
        .map(|s| {
            (
                s.operation
                    .as_ref()
                    .map(|k| k.path.clone())
                    .unwrap_or_default(),
                s.calls,
            )
        })
        .collect();
    assert_eq!(calls, [("/a".to_string(), 105), ("/b".to_string(), 1)]);

    // Through the store and the command, on the same data.
    let dir = tempfile::tempdir().expect("tempdir");
    let history = History::new(&Paths::in_dir(dir.path()));
    for e in &entries {
        history.append(e).expect("append");
    }
    let stats = json_of(dir.path(), &["history", "--stats", "--json"]);
    assert_eq!(stats[0]["calls"], 105);
    assert_eq!(stats[0]["latency"]["p95_ms"], 98.0);
    assert_eq!(stats[0]["by_class"]["4xx"], 2);
    let newest_failed = history
        .query(&HistoryFilter {
            operation: Some(key("/a")),
            status: Some(StatusClass::Failed),
            limit: Some(5),
        })
        .expect("query");
    assert_eq!(newest_failed.entries.len(), 1);
}

// ------------------------------------------------------- environments

#[test]
fn user_environments_override_the_catalog_and_report_errors() {
    let dir = tempfile::tempdir().expect("tempdir");
    let home = dir.path();
    let server = "http://127.0.0.1:9/azureml-demo";
    std::fs::write(
        home.join("environments.toml"),
        "[[environment]]\nname = \"demo\"\n[environment.variables]\nworkspace = \"my-ws\"\n\n\
         [[environment]]\nname = \"staging\"\n[environment.variables]\nworkspace = \"st-ws\"\n",
    )
    .expect("environments");
    let shown = success(&call_rrs(home, server, &["--dry-run", "--reveal"]));
    // The user's workspace, the catalog's key (only overridden variables change).
    assert!(
        shown.contains("/workspaces/my-ws/services/text-features/"),
        "{shown}"
    );
    assert!(shown.contains(portico::demo::API_KEY), "{shown}");
    let staging = call_rrs(home, server, &["--dry-run", "--env", "staging"]);
    // `staging` defines no service: the build says so.
    assert_stderr_has(&staging, "missing required path parameter `service`");
    let unknown = call_rrs(home, server, &["--dry-run", "--env", "prod"]);
    assert_stderr_has(
        &unknown,
        "no environment named `prod` (known: demo, staging)",
    );

    std::fs::write(home.join("environments.toml"), "[[environment]]\nname = \n").expect("write");
    let broken = call_rrs(home, server, &["--dry-run"]);
    assert_stderr_has(
        &broken,
        &format!(
            "{}:2:8: invalid environments file",
            home.join("environments.toml").display()
        ),
    );
}

// ------------------------------------------------------ hostile files

#[test]
fn a_hand_edit_while_running_is_merged_not_overwritten() {
    let dir = tempfile::tempdir().expect("tempdir");
    let presets = Presets::new(&Paths::in_dir(dir.path()));
    presets
        .save(
            &key("/a"),
            "mine",
            &sample_draft("1"),
            SaveOptions::default(),
        )
        .expect("save");
    // Someone edits the file by hand: renames ours, adds one.
    let text = std::fs::read_to_string(presets.path()).expect("read");
    let mut value: serde_json::Value = serde_json::from_str(&text).expect("json");
    value["presets"][0]["name"] = "edited by hand".into();
    let mut added = value["presets"][0].clone();
    added["name"] = "added by hand".into();
    added["note"] = "a key portico does not know".into();
    value["presets"].as_array_mut().expect("array").push(added);
    std::fs::write(
        presets.path(),
        serde_json::to_string_pretty(&value).expect("json"),
    )
    .expect("hand edit");
    // The same handle saves again: the edit is read back first.
    presets
        .save(
            &key("/a"),
            "mine",
            &sample_draft("2"),
            SaveOptions::default(),
        )
        .expect("save");
    let names: Vec<String> = presets
        .list(&key("/a"))
        .expect("list")
        .into_iter()
        .map(|p| p.name)
        .collect();
    assert_eq!(names, ["edited by hand", "added by hand", "mine"]);
    let text = std::fs::read_to_string(presets.path()).expect("read");
    assert!(
        text.contains("\"note\": \"a key portico does not know\""),
        "{text}"
    );
}

#[test]
fn hostile_files_are_errors_or_warnings_never_crashes() {
    let dir = tempfile::tempdir().expect("tempdir");
    let home = dir.path();
    let paths = Paths::in_dir(home);
    let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    let cases: Vec<Vec<u8>> = vec![
        deep.clone().into_bytes(),
        vec![0xff, 0xfe, 0x00, 0x7b],
        b"{\"presets\": [{\"name\": 5}]}".to_vec(),
        b"{\"presets\": {}}".to_vec(),
        b"[]".to_vec(),
        format!("{{\"presets\": [{{\"operation\": {deep}}}]}}").into_bytes(),
    ];
    for bytes in &cases {
        std::fs::write(paths.presets_file(), bytes).expect("write");
        let error = Presets::new(&paths).load().expect_err("not a presets file");
        assert!(matches!(error, StoreError::Corrupt { .. }), "{error}");
        assert_eq!(&std::fs::read(paths.presets_file()).expect("read"), bytes);

        std::fs::write(paths.history_file(), bytes).expect("write");
        let read = History::new(&paths).read().expect("history reads");
        assert!(read.entries.is_empty());
        assert!(!read.warnings.is_empty());
    }

    let toml_cases = [
        format!("x = {}{}", "[".repeat(100_000), "]".repeat(100_000)),
        format!("x = {}{}", "{a = ".repeat(50_000), "}".repeat(50_000)),
        "[[environment]]\nname = 5\n".to_string(),
        "\u{0}\u{1}".to_string(),
    ];
    for text in &toml_cases {
        std::fs::write(paths.environments_file(), text).expect("write");
        let catalog = portico::catalog::Catalog::default();
        let result = portico::store::Environments::load(&catalog, Some(&paths), None);
        assert!(result.is_err(), "{}", &text[..text.len().min(40)]);
    }
}

#[test]
fn saving_many_presets_at_once_keeps_every_one_and_updates_repeats() {
    let dir = tempfile::tempdir().expect("tempdir");
    let presets = Presets::new(&Paths::in_dir(dir.path()));
    presets
        .save(
            &key("/items"),
            "existing",
            &sample_draft("old"),
            SaveOptions::default(),
        )
        .expect("save");
    let drafts: Vec<Draft> = (0..500)
        .map(|i| sample_draft(&format!("body {i}")))
        .collect();
    let names: Vec<String> = (0..500).map(|i| format!("import {i}")).collect();
    let keys: Vec<OperationKey> = (0..500)
        .map(|i| key(&format!("/items/{}", i % 7)))
        .collect();
    let updated = sample_draft("new");
    let existing_key = key("/items");
    let mut entries: Vec<(&OperationKey, &str, &Draft)> = keys
        .iter()
        .zip(&names)
        .zip(&drafts)
        .map(|((k, n), d)| (k, n.as_str(), d))
        .collect();
    entries.push((&existing_key, "existing", &updated));

    let reports = presets
        .save_all(&entries, SaveOptions::default())
        .expect("save all");
    assert_eq!(reports.len(), 501);
    assert!(reports[..500].iter().all(|r| r.created));
    assert!(
        !reports[500].created,
        "a preset of the same name is updated"
    );

    let file = Presets::new(&Paths::in_dir(dir.path()))
        .load()
        .expect("load");
    assert_eq!(file.presets.len(), 501);
    assert_eq!(
        presets
            .get(&key("/items/3"), "import 10")
            .expect("saved")
            .draft,
        drafts[10]
    );
    assert_eq!(
        presets.get(&existing_key, "existing").expect("kept").draft,
        updated
    );
}

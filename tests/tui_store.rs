//! Presets, history, environments, captures, flows and the usage dashboard
//! in the TUI: the real [`App`] on ratatui's `TestBackend`, driven by
//! scripted keys against the bundled demo service started in this process,
//! with portico's files in a temporary home.

mod support;

use std::path::Path;
use std::time::Duration;

use crossterm::event::{KeyCode, KeyModifiers};
use portico::demo::{self, DemoConfig, DemoServer};
use portico::store::Paths;
use portico::tui::TuiContext;
use support::tui::Harness;

async fn start_demo() -> DemoServer {
    demo::start(
        0,
        DemoConfig {
            // The flow and the tests send more than a gateway would allow.
            rate_limit: 0,
            rate_window: Duration::from_secs(60),
            job_duration: Duration::from_millis(300),
            ..DemoConfig::default()
        },
    )
    .await
    .expect("demo service")
}

fn store_context(server: &DemoServer, home: &Path) -> TuiContext {
    TuiContext {
        paths: Some(Paths::in_dir(home)),
        ..TuiContext::with_defaults(demo::bundled_catalog(server).expect("bundled catalog"))
    }
}

/// The app on the bundled demo with portico's files under `home`.
fn start(server: &DemoServer, home: &Path) -> Harness {
    Harness::start(store_context(server, home), 160, 45)
}

/// The demo, a fresh home, and RRS Execute sent once (200 on screen, one
/// entry in history).
async fn rrs_sent_once() -> (DemoServer, tempfile::TempDir, Harness) {
    let server = start_demo().await;
    let home = tempfile::tempdir().expect("home");
    let mut h = start(&server, home.path());
    h.open("rrs exe");
    h.key(KeyCode::F(5));
    h.settle().await;
    h.assert_screen("200 OK");
    (server, home, h)
}

#[tokio::test]
async fn preset_round_trip_across_a_restart() {
    let server = start_demo().await;
    let home = tempfile::tempdir().expect("home");
    {
        let mut h = start(&server, home.path());
        h.open("rrs exe");
        // Headers tab: add a header the preset must keep.
        h.key(KeyCode::Right);
        h.key(KeyCode::Char('a'));
        h.type_text("X-Trace");
        h.key(KeyCode::Enter);
        h.type_text("round-trip-42");
        h.key(KeyCode::Enter);
        h.key_mod(KeyCode::Char('s'), KeyModifiers::CONTROL);
        h.assert_screen("Save the request of RRS Execute as the preset");
        h.type_text("mine");
        h.key(KeyCode::Enter);
        h.assert_screen("Saved preset `mine`");
        // The app goes away: only the file remains.
    }
    let file = std::fs::read_to_string(home.path().join("presets.json")).expect("presets file");
    assert!(file.contains("round-trip-42"), "{file}");
    assert!(
        !file.contains(demo::API_KEY) && !file.contains(demo::PRIMARY_SUBSCRIPTION_KEY),
        "a secret was saved:\n{file}"
    );

    let mut h = start(&server, home.path());
    h.open("rrs exe");
    h.key(KeyCode::Right);
    let screen = h.screen();
    assert!(
        !screen.contains("round-trip-42"),
        "a fresh draft has no such header"
    );
    h.key(KeyCode::Char('p'));
    h.assert_screen("Presets · RRS Execute");
    h.assert_screen("mine");
    h.key(KeyCode::Enter);
    h.assert_screen("Loaded preset `mine`");
    h.key(KeyCode::F(5));
    h.settle().await;
    h.assert_screen("200 OK");
    // The request as sent carried the preset's header.
    h.key(KeyCode::Tab);
    h.key(KeyCode::Right);
    h.key(KeyCode::Right);
    h.assert_screen("round-trip-42");

    // Rename, then delete with confirmation.
    h.key(KeyCode::Char('p'));
    h.key(KeyCode::Char('r'));
    h.key_mod(KeyCode::Char('u'), KeyModifiers::CONTROL);
    h.type_text("renamed");
    h.key(KeyCode::Enter);
    h.assert_screen("Renamed `mine` to `renamed`");
    h.key(KeyCode::Char('d'));
    h.assert_screen("Delete the preset `renamed` of RRS Execute?");
    h.key(KeyCode::Char('n'));
    h.assert_screen("renamed");
    h.key(KeyCode::Char('d'));
    h.key(KeyCode::Char('y'));
    h.assert_screen("Deleted preset `renamed`");
    h.assert_screen("No presets for this operation");
}

#[tokio::test]
async fn orphaned_presets_show_in_the_global_list() {
    let server = start_demo().await;
    let home = tempfile::tempdir().expect("home");
    let draft = portico::request::Draft {
        body: "{}".into(),
        ..Default::default()
    };
    portico::store::Presets::new(&Paths::in_dir(home.path()))
        .save(
            &portico::catalog::OperationKey {
                api: "azureml-demo".into(),
                method: "POST".into(),
                path: "/gone".into(),
            },
            "old one",
            &draft,
            portico::store::SaveOptions::default(),
        )
        .expect("save");
    let mut h = start(&server, home.path());
    h.key(KeyCode::Char('p'));
    h.assert_screen("Presets · all operations");
    h.assert_screen("old one");
    h.assert_screen("orphaned");
    h.key(KeyCode::Enter);
    h.assert_screen("`old one` is orphaned");
}

#[tokio::test]
async fn history_lists_reopens_compares_and_resends() {
    let (_server, _home, mut h) = rrs_sent_once().await;

    h.key(KeyCode::Char('H'));
    h.settle().await;
    h.assert_screen("History (times in UTC)");
    h.assert_screen("1 of 1");
    h.assert_screen("RRS Execute");
    // What was sent is masked in history.
    let screen = h.screen();
    assert!(!screen.contains(demo::API_KEY), "{screen}");

    // Compare with the current response: the same request, the same answer.
    h.key(KeyCode::Char('D'));
    h.assert_screen("The bodies are identical.");
    h.key(KeyCode::Esc);
    h.assert_screen("History (times in UTC)");

    // Re-send from history.
    h.key(KeyCode::F(5));
    h.settle().await;
    h.assert_screen("200 OK");
    h.key(KeyCode::Char('H'));
    h.settle().await;
    h.assert_screen("2 of 2");
    // Filters: 4xx shows none; back to all.
    h.key(KeyCode::Char('t'));
    h.key(KeyCode::Char('t'));
    h.assert_screen("status 4xx");
    h.assert_screen("0 of 2");
    for _ in 0..5 {
        h.key(KeyCode::Char('t'));
    }
    h.assert_screen("2 of 2");
    // Open the old response in the response pane.
    h.key(KeyCode::Down);
    h.key(KeyCode::Enter);
    h.assert_screen("from history");
    h.assert_screen("The response of");

    // The dashboard counts both calls and asks the gateway.
    h.key(KeyCode::Char('u'));
    h.settle().await;
    h.assert_screen("From history");
    h.assert_screen("Gateway usage report");
    h.assert_screen("RRS Execute");
    h.assert_screen("primary  2 calls");
    let screen = h.screen();
    let row = screen
        .lines()
        .find(|l| l.contains("RRS Execute") && l.contains("ms"))
        .unwrap_or_else(|| panic!("no dashboard row:\n{screen}"));
    assert!(
        row.split_whitespace().any(|w| w == "2"),
        "two calls expected: {row}"
    );
}

/// A history entry edited by hand to times no clock gives (negative,
/// beyond any duration) is listed, opened and counted, not a crash.
#[tokio::test]
async fn impossible_times_in_history_are_shown_not_fatal() {
    let (_server, home, mut h) = rrs_sent_once().await;
    let path = home.path().join("history.jsonl");
    let mut entry: serde_json::Value = serde_json::from_str(
        std::fs::read_to_string(&path)
            .expect("history")
            .lines()
            .next()
            .expect("one entry"),
    )
    .expect("an entry");
    entry["timing"] = serde_json::json!({"headers_ms": -5.0, "total_ms": 1e308});
    std::fs::write(&path, format!("{entry}\n")).expect("edit");

    h.key(KeyCode::Char('H'));
    h.settle().await;
    h.assert_screen("1 of 1");
    h.key(KeyCode::Enter);
    h.assert_screen("from history");
    h.key(KeyCode::Char('u'));
    h.settle().await;
    h.assert_screen("From history");
    assert!(!h.app.should_quit());
}

#[tokio::test]
async fn failed_sends_are_recorded_too() {
    let server = start_demo().await;
    let home = tempfile::tempdir().expect("home");
    let mut ctx = store_context(&server, home.path());
    // Nothing listens there.
    ctx.server_override = Some("http://127.0.0.1:9".into());
    let mut h = Harness::start(ctx, 160, 45);
    h.open("usage");
    h.key(KeyCode::F(5));
    h.settle().await;
    h.key(KeyCode::Char('H'));
    h.settle().await;
    h.assert_screen("failed");
    h.key(KeyCode::Char('t'));
    h.key(KeyCode::Char('t'));
    h.key(KeyCode::Char('t'));
    h.key(KeyCode::Char('t'));
    h.assert_screen("status failed");
    h.assert_screen("1 of 1");
}

#[tokio::test]
async fn the_batch_flow_runs_to_finished() {
    let server = start_demo().await;
    let home = tempfile::tempdir().expect("home");
    let mut h = start(&server, home.path());
    h.key(KeyCode::Char('f'));
    h.assert_screen("Flows");
    h.assert_screen("batch");
    h.assert_screen("Upload the sample CSV");
    h.key(KeyCode::Enter);
    h.assert_screen("Running…");
    h.settle().await;
    h.assert_screen("Flow succeeded");
    h.assert_screen("Finished");
    h.assert_screen("captured jobid");
    h.assert_screen("5. Download the result");
    // The scored CSV the last step downloaded.
    h.assert_screen("Col2_HashingFeature");
    let screen = h.screen();
    assert!(!screen.contains("✗"), "no step may fail:\n{screen}");
    // Every attempt of the poll is in history, not only the last.
    let history = std::fs::read_to_string(home.path().join("history.jsonl")).expect("history");
    let polls = history
        .lines()
        .filter(|line| line.contains("/jobs/{jobid}\"") && line.contains("\"GET\""))
        .count();
    assert!(polls >= 2, "{polls} poll attempts recorded:\n{history}");
    // The captured values stay: BES Status now names the job.
    h.key(KeyCode::Esc);
    h.key(KeyCode::Esc);
    h.open("bes status");
    let url = h.url();
    assert!(!url.contains("jobid"), "{url}");
    // Sent by hand, BES Status answers the SAS token again, and captures
    // it: masked on screen until revealed, and masked in history.
    h.key(KeyCode::F(5));
    h.settle().await;
    h.assert_screen("\"SasSignature\": \"••••••••\"");
    h.key(KeyCode::Char('R'));
    let line = h.line_with("SasSignature").expect("the token in the body");
    h.key(KeyCode::Char('R'));
    let token: String = line
        .split("SasSignature")
        .nth(1)
        .expect("after the name")
        .chars()
        .skip_while(|c| !c.is_ascii_hexdigit())
        .take_while(char::is_ascii_hexdigit)
        .collect();
    assert!(token.len() >= 16, "{line}");
    let history = std::fs::read_to_string(home.path().join("history.jsonl")).expect("history");
    assert!(history.contains("SasSignature"), "the answer is recorded");
    assert!(!history.contains(&token), "the SAS token is in history");
    // The flow's requests are in history.
    h.key(KeyCode::Char('H'));
    h.settle().await;
    h.assert_screen("Blob Download");
    h.assert_screen("BES Submit");
}

#[tokio::test]
async fn escape_cancels_a_flow_run() {
    let server = demo::start(
        0,
        DemoConfig {
            rate_limit: 0,
            rate_window: Duration::from_secs(60),
            job_duration: Duration::from_secs(60),
            ..DemoConfig::default()
        },
    )
    .await
    .expect("demo");
    let home = tempfile::tempdir().expect("home");
    let mut h = start(&server, home.path());
    h.key(KeyCode::Char('f'));
    h.key(KeyCode::Enter);
    // Let it reach the poll.
    for _ in 0..200 {
        if h.screen().contains("200 OK  Running") {
            break;
        }
        tokio::time::timeout(Duration::from_secs(5), h.app.step())
            .await
            .expect("progress")
            .expect("step");
    }
    h.key(KeyCode::Esc);
    h.settle().await;
    h.assert_screen("Flow cancelled");
    assert!(!h.app.is_busy());
}

#[tokio::test]
async fn switching_environments_changes_the_url() {
    let server = start_demo().await;
    let home = tempfile::tempdir().expect("home");
    std::fs::write(
        home.path().join("environments.toml"),
        r#"
[[environment]]
name = "staging"
[environment.variables]
workspace = "staging-ws"
service = "text-features"
apiversion = "2.0"
details = "false"
api_key = { value = "staging-key-123456", secret = true }
subscription_key = { value = "staging-sub-123456", secret = true }
"#,
    )
    .expect("environments file");
    let mut h = start(&server, home.path());
    h.assert_screen("env demo");
    h.open("rrs exe");
    assert!(
        h.url().contains("/workspaces/demo-workspace/"),
        "{}",
        h.url()
    );
    h.key(KeyCode::Char('v'));
    h.assert_screen("Environment demo (active) · ←→ others");
    h.key(KeyCode::Right);
    h.assert_screen("Environment staging ·");
    h.assert_screen("staging-ws");
    h.key(KeyCode::Enter);
    h.assert_screen("env staging");
    let url = h.url();
    assert!(url.contains("/workspaces/staging-ws/"), "{url}");
}

#[tokio::test]
async fn captures_make_jobid_resolve_in_bes_status() {
    let server = start_demo().await;
    let home = tempfile::tempdir().expect("home");
    let mut h = start(&server, home.path());
    h.open("bes status");
    let before = h.app.request_url().expect("open");
    assert!(
        before.is_err(),
        "no job id yet, so the build fails: {before:?}"
    );
    h.open("bes submit");
    h.key(KeyCode::F(5));
    h.settle().await;
    h.assert_screen("200 OK");
    h.assert_screen("captured jobid = ");
    h.open("bes status");
    let url = h.url();
    assert!(!url.contains("{{jobid}}"), "{url}");
    h.key(KeyCode::F(5));
    h.settle().await;
    h.assert_screen("200 OK");
    h.assert_screen("NotStarted");

    // Pick a value from the response pane into a new variable.
    h.key(KeyCode::Char('C'));
    h.assert_screen("Capture from the response: JSONPath");
    h.key_mod(KeyCode::Char('u'), KeyModifiers::CONTROL);
    h.type_text("$.StatusCode");
    h.assert_screen("→ NotStarted");
    h.key(KeyCode::Enter);
    h.assert_screen("Store the value of $.StatusCode in the variable");
    h.key_mod(KeyCode::Char('u'), KeyModifiers::CONTROL);
    h.type_text("state");
    h.key(KeyCode::Enter);
    h.assert_screen("captured state = NotStarted");
    // Typing in a prompt never triggers keys: `q` is text there.
    h.key(KeyCode::Char('C'));
    h.type_text("q");
    assert!(!h.app.should_quit());
    h.key(KeyCode::Esc);
}

#[tokio::test]
async fn panels_fit_small_terminals_and_the_help_lists_their_keys() {
    let server = start_demo().await;
    let home = tempfile::tempdir().expect("home");
    let mut h = start(&server, home.path());
    h.key(KeyCode::Char('?'));
    for _ in 0..100 {
        if h.screen()
            .contains("Save the current request as a named preset")
        {
            break;
        }
        h.key(KeyCode::Down);
    }
    h.assert_screen("Presets, history, environments, flows");
    h.assert_screen("Save the current request as a named preset");
    h.key(KeyCode::Esc);
    h.open("rrs exe");
    h.key(KeyCode::F(5));
    h.settle().await;
    for (w, ht) in [(80, 24), (40, 12), (20, 6), (160, 45)] {
        h.resize(w, ht);
        for key in ['p', 'H', 'u', 'f', 'v', 'C'] {
            h.key(KeyCode::Char(key));
            h.settle().await;
            h.key(KeyCode::Esc);
        }
        h.key_mod(KeyCode::Char('s'), KeyModifiers::CONTROL);
        h.key(KeyCode::Esc);
    }
    assert!(!h.app.should_quit());
}

/// The answer shows before its history record is written, and the record
/// still lands when the app quits right after: here the history file is
/// locked by someone else until after the quit.
#[tokio::test]
async fn the_answer_shows_first_and_its_record_lands_after_a_quit() {
    let server = start_demo().await;
    let home = tempfile::tempdir().expect("home");
    let history = home.path().join("history.jsonl");
    let lock = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(home.path().join("history.jsonl.lock"))
        .expect("lock file");
    lock.lock().expect("hold the history lock");

    let mut h = start(&server, home.path());
    h.open("rrs exe");
    h.key(KeyCode::F(5));
    // Recording waits for the lock; the answer does not.
    h.wait_for("200 OK", Duration::from_secs(10)).await;
    assert!(h.app.is_busy(), "the record has not landed yet");
    assert!(
        std::fs::read_to_string(&history)
            .unwrap_or_default()
            .is_empty(),
        "recorded while the lock was held"
    );
    h.key(KeyCode::Char('q'));
    assert!(h.app.should_quit());

    drop(lock);
    tokio::time::timeout(
        Duration::from_secs(10),
        h.app.finish(Duration::from_secs(5)),
    )
    .await
    .expect("finish returns");
    assert!(!h.app.is_busy());
    let recorded = std::fs::read_to_string(&history).expect("history file");
    assert_eq!(recorded.lines().count(), 1, "{recorded}");
    assert!(recorded.contains("/execute"), "{recorded}");
}

#[tokio::test]
async fn unsent_edits_survive_a_restart_marked_in_the_catalog_and_masked() {
    let server = start_demo().await;
    let home = tempfile::tempdir().expect("home");
    let drafts_file = home.path().join("drafts.json");
    {
        let mut h = start(&server, home.path());
        h.open("rrs exe");
        h.key(KeyCode::Right);
        h.key(KeyCode::Char('a'));
        h.type_text("X-Trace");
        h.key(KeyCode::Enter);
        h.type_text("left-unsent-7");
        h.key(KeyCode::Enter);
        // Another operation opened: the edited one is marked.
        h.open("bes status");
        h.key(KeyCode::Char('/'));
        h.key_mod(KeyCode::Char('u'), KeyModifiers::CONTROL);
        h.key(KeyCode::Esc);
        let row = h.line_with("RRS Execute").expect("the row");
        assert!(row.contains('✎'), "marked edited: {row}");
        let row = h.line_with("BES Status").expect("the row");
        assert!(!row.contains('✎'), "opened, not edited: {row}");
        h.key(KeyCode::Char('q'));
        h.app.finish(Duration::from_secs(2)).await;
    }
    let kept = std::fs::read_to_string(&drafts_file).expect("drafts kept at quit");
    assert!(kept.contains("left-unsent-7"), "{kept}");
    assert!(
        !kept.contains(demo::PRIMARY_SUBSCRIPTION_KEY) && !kept.contains(demo::API_KEY),
        "secrets are withheld as in history: {kept}"
    );
    assert!(
        !kept.contains("BES Status") && !kept.contains("/jobs/{jobid}\""),
        "{kept}"
    );

    {
        let mut h = start(&server, home.path());
        // Marked before it is opened, and back when it is.
        let row = h.line_with("RRS Execute").expect("the row");
        assert!(row.contains('✎'), "marked after a restart: {row}");
        h.open("rrs exe");
        h.assert_screen("Your unsent edits from last time are back");
        h.key(KeyCode::Right);
        h.assert_screen("left-unsent-7");
        // Sent as it was left: the key comes back from the environment.
        h.key(KeyCode::F(5));
        h.settle().await;
        h.assert_screen("200 OK");
        // Reset to the defaults: nothing left to keep.
        h.key(KeyCode::Char('O'));
        h.key(KeyCode::Char('y'));
        h.assert_not_screen("left-unsent-7");
        h.key(KeyCode::Char('q'));
        h.app.finish(Duration::from_secs(2)).await;
    }
    let kept = std::fs::read_to_string(&drafts_file).expect("drafts file");
    assert!(!kept.contains("left-unsent-7"), "{kept}");
}

/// A flow step refused with 429 waits out its `Retry-After`, and the flow
/// view counts the wait down instead of showing it whole at once.
#[tokio::test]
async fn the_flow_view_counts_down_a_rate_limit_wait() {
    let server = demo::start(
        0,
        DemoConfig {
            // Two calls a window: the batch flow's third call is refused.
            rate_limit: 2,
            rate_window: Duration::from_secs(4),
            job_duration: Duration::from_millis(200),
            ..DemoConfig::default()
        },
    )
    .await
    .expect("demo");
    let home = tempfile::tempdir().expect("home");
    let mut h = start(&server, home.path());
    h.key(KeyCode::Char('f'));
    h.key(KeyCode::Enter);
    let waiting = |screen: &str| -> Option<u64> {
        let at = screen.find("waiting ")? + "waiting ".len();
        screen[at..].split(' ').next()?.parse().ok()
    };
    let mut first = None;
    for _ in 0..400 {
        if let Some(left) = waiting(&h.screen()) {
            first = Some(left);
            break;
        }
        tokio::time::timeout(Duration::from_secs(5), h.app.step())
            .await
            .expect("progress")
            .expect("step");
    }
    let first = first.unwrap_or_else(|| panic!("no countdown:\n{}", h.screen()));
    h.assert_screen("for the rate limit");
    assert!((1..=4).contains(&first), "{first} s");
    h.run_for(Duration::from_millis(1300)).await;
    if let Some(later) = waiting(&h.screen()) {
        assert!(later < first, "counts down: {first} s, then {later} s");
    } else {
        h.assert_screen("rate limited, waited");
    }
    h.key(KeyCode::Esc);
    h.settle().await;
}

/// A curl command pasted into the TUI (a browser's "Copy as cURL") opens
/// the operation it fits with the command's values; Ctrl+Z takes it back.
#[tokio::test]
async fn a_pasted_curl_command_fills_the_operation_it_fits() {
    let server = start_demo().await;
    let home = tempfile::tempdir().expect("home");
    let mut h = start(&server, home.path());
    let url = format!(
        "{}/workspaces/pasted-ws/services/text-features/execute?api-version=2.0",
        server.gateway_url()
    );
    h.paste(&format!(
        "curl '{url}' -H 'X-Trace: from-the-browser' --data-raw '{{\"Inputs\":{{}}}}'"
    ));
    h.assert_screen("RRS Execute filled in from the pasted curl command (Ctrl+Z undoes it)");
    assert!(h.url().contains("/workspaces/pasted-ws/"), "{}", h.url());
    h.key(KeyCode::Right);
    h.assert_screen("from-the-browser");
    h.key_mod(KeyCode::Char('z'), KeyModifiers::CONTROL);
    h.assert_not_screen("from-the-browser");
    assert!(!h.url().contains("pasted-ws"), "{}", h.url());

    h.paste("curl 'https://elsewhere.test/nothing'");
    h.assert_screen("fits no operation of the catalog");
}

/// `v`: every variable of the environment with its value (secrets masked
/// until R) and where it comes from; `a` and `e` set one in the user's
/// file, `d` removes it from there, and the URL follows at once.
#[tokio::test]
async fn the_environment_panel_lists_sets_and_removes_variables() {
    let server = start_demo().await;
    let home = tempfile::tempdir().expect("home");
    std::fs::write(
        home.path().join("environments.toml"),
        "# kept as written\n[[environment]]\nname = \"demo\"\n[environment.variables]\n\
         workspace = \"mine-ws\"\n",
    )
    .expect("environments file");
    let mut h = start(&server, home.path());
    h.open("rrs exe");
    assert!(h.url().contains("/workspaces/mine-ws/"), "{}", h.url());
    h.key(KeyCode::Char('v'));
    h.assert_screen("Environment demo (active)");
    let row = h.line_with("workspace").expect("row");
    assert!(
        row.contains("mine-ws") && row.contains("your file (over the portal's)"),
        "{row}"
    );
    let row = h.line_with("api_key").expect("row");
    assert!(
        row.contains("••••••••") && row.contains("portal file"),
        "{row}"
    );
    h.assert_not_screen(demo::API_KEY);
    h.key(KeyCode::Char('R'));
    h.assert_screen(demo::API_KEY);
    h.key(KeyCode::Char('R'));

    // e on the first row (workspace): set it in the user's file.
    h.key(KeyCode::Char('e'));
    h.assert_screen("Set workspace in your file");
    h.key_mod(KeyCode::Char('u'), KeyModifiers::CONTROL);
    h.type_text("workspace = panel-ws");
    h.key(KeyCode::Enter);
    h.assert_screen("Saved in");
    let file = std::fs::read_to_string(home.path().join("environments.toml")).expect("file");
    assert!(file.starts_with("# kept as written\n"), "{file}");
    assert!(file.contains("workspace = \"panel-ws\""), "{file}");

    // a: a new one, a secret by its name, written as one.
    h.key(KeyCode::Char('a'));
    h.type_text("extra_token = t-0123456789");
    h.key(KeyCode::Enter);
    let file = std::fs::read_to_string(home.path().join("environments.toml")).expect("file");
    assert!(
        file.contains("extra_token = { value = \"t-0123456789\", secret = true }"),
        "{file}"
    );
    h.assert_not_screen("t-0123456789");

    // d on workspace: gone from the user's file, the portal's value back.
    h.key(KeyCode::Char('d'));
    let row = h.line_with("workspace").expect("row");
    assert!(
        row.contains("demo-workspace") && row.contains("portal file"),
        "{row}"
    );
    // A portal variable is not the user's to remove.
    h.key(KeyCode::Down);
    h.key(KeyCode::Char('d'));
    h.assert_screen("comes from the portal file: e sets your own value over it");

    h.key(KeyCode::Esc);
    assert!(
        h.url().contains("/workspaces/demo-workspace/"),
        "{}",
        h.url()
    );
}

/// The selected row tells what its `{{variable}}` stands for (a secret
/// masked until R), and the footer names the row's own action.
#[tokio::test]
async fn a_variable_under_the_cursor_shows_its_value() {
    let server = start_demo().await;
    let home = tempfile::tempdir().expect("home");
    let mut h = start(&server, home.path());
    h.open("rrs exe");
    h.assert_screen("{{workspace}} = demo-workspace");
    // The enum row: Enter chooses a value, and the footer says so.
    let mut found = false;
    for _ in 0..6 {
        h.key(KeyCode::Down);
        if h.screen().contains("Enter choose a value") {
            found = true;
            break;
        }
    }
    assert!(found, "no enum row names its picker:\n{}", h.screen());
    // A secret header's variable is masked until revealed.
    h.key(KeyCode::Right);
    for _ in 0..4 {
        if h.screen().contains("{{subscription_key}} = ••••••••") {
            break;
        }
        h.key(KeyCode::Down);
    }
    h.assert_screen("{{subscription_key}} = ••••••••");
    h.key(KeyCode::Char('R'));
    h.assert_screen(&format!(
        "{{{{subscription_key}}}} = {}",
        demo::PRIMARY_SUBSCRIPTION_KEY
    ));
}

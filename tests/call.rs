//! The send pipeline (`portico::call`) over real HTTP on loopback: what it
//! masks, what its captures store (and when they do not run), what it
//! records in history, and that a cancelled send is not recorded.

mod support;

use std::time::Duration;

use portico::call::{Call, Captured, Recorded};
use portico::catalog::{self, Catalog};
use portico::http::{Engine, EngineConfig, SendOptions};
use portico::request::{self, Draft, Vars};
use portico::store::{History, HistoryLimits};
use support::TestServer;
use tokio_util::sync::CancellationToken;

/// One API on the test server: `/echo` answers the request as JSON (its
/// `method` is captured, `headers` as a secret `session_token`), and a
/// `/status/{code}` operation with the same captures.
fn catalog(server: &TestServer) -> Catalog {
    let text = format!(
        r#"
[[api]]
id = "t"
service_url = "{}"
headers = ["X-Key: {{{{api_key}}}}"]

[[api.operation]]
name = "Echo"
method = "POST"
template = "/echo"
body = '{{"a": 1}}'

  [[api.operation.capture]]
  variable = "seen_method"
  path = "$.method"

  [[api.operation.capture]]
  variable = "session_token"
  path = "$.path"

[[api.operation]]
name = "Status"
method = "GET"
template = "/status/{{code}}"

  [[api.operation.capture]]
  variable = "never"
  path = "$.x"

[[api.operation]]
name = "Slow"
method = "GET"
template = "/delay/{{ms}}"

[[environment]]
name = "test"
[environment.variables]
api_key = {{ value = "key-0123456789abcdef", secret = true }}
"#,
        server.url("")
    );
    catalog::load_portal_str(&text, "t.toml").expect("portal loads")
}

fn vars(catalog: &Catalog) -> Vars {
    Vars {
        environment: catalog.environments[0].variables.clone(),
        ..Vars::default()
    }
}

fn engine() -> Engine {
    Engine::new(EngineConfig::default()).expect("engine")
}

/// The named operation's call, built from a fresh draft with `params` set.
fn call_of(catalog: &Catalog, name: &str, params: &[(&str, &str)], vars: &Vars) -> Call {
    let at = catalog.select(name).expect("operation");
    let (api, op) = catalog.operation(at);
    let mut draft = Draft::new(api, op, vars);
    for (name, value) in params {
        let row = draft
            .params
            .iter_mut()
            .find(|p| p.name == *name)
            .expect("param");
        row.value = (*value).to_string();
    }
    let built = request::build(api, op, &draft, vars).expect("builds");
    Call::new(api, op, built).with_draft(draft)
}

fn history_in(dir: &tempfile::TempDir) -> History {
    History::at(dir.path().join("history.jsonl"), HistoryLimits::default())
}

#[tokio::test]
async fn a_success_is_captured_masked_and_recorded() {
    let server = TestServer::start().await;
    let catalog = catalog(&server);
    let mut vars = vars(&catalog);
    let dir = tempfile::tempdir().expect("temp dir");
    let history = history_in(&dir);

    let call = call_of(&catalog, "Echo", &[], &vars);
    let mut sent = call
        .send(
            &engine(),
            SendOptions::default(),
            &vars,
            CancellationToken::new(),
        )
        .await;
    let status = sent.exchange().expect("answered").response.status;
    assert_eq!(status, 200);

    // The request's key is a secret, and so is the token the answer hands
    // to the secret capture (`/echo`'s path).
    let secrets = sent.secrets();
    assert!(
        secrets.iter().any(|s| s == "key-0123456789abcdef"),
        "{secrets:?}"
    );
    assert!(secrets.iter().any(|s| s == "/echo"), "{secrets:?}");

    let captured = sent.capture_on_success(&mut vars).clone();
    let Captured::Stored(values) = captured else {
        panic!("captures stored: {captured:?}");
    };
    let pairs: Vec<(&str, &str, bool)> = values
        .iter()
        .map(|v| (v.variable.as_str(), v.value.as_str(), v.secret))
        .collect();
    assert_eq!(
        pairs,
        [
            ("seen_method", "POST", false),
            ("session_token", "/echo", true)
        ]
    );
    assert_eq!(
        vars.get("seen_method").map(|v| v.value.as_str()),
        Some("POST")
    );

    assert!(matches!(sent.record(Some(&history)), Recorded::Yes));
    let text = std::fs::read_to_string(history.path()).expect("history written");
    assert!(!text.contains("key-0123456789abcdef"), "{text}");
    let entries = history.read().expect("history reads").entries;
    assert_eq!(entries.len(), 1);
    let entry = &entries[0];
    assert_eq!(entry.response.as_ref().map(|r| r.status), Some(200));
    // The draft is kept, its secret as a reference.
    let draft = entry.draft.as_ref().expect("draft recorded");
    let key_header = draft
        .headers
        .iter()
        .find(|h| h.name == "X-Key")
        .expect("X-Key row");
    assert_eq!(key_header.value, "{{api_key}}");
}

#[tokio::test]
async fn no_captures_on_a_failure_status_and_the_failure_is_recorded() {
    let server = TestServer::start().await;
    let catalog = catalog(&server);
    let mut vars = vars(&catalog);
    let dir = tempfile::tempdir().expect("temp dir");
    let history = history_in(&dir);

    let call = call_of(&catalog, "Status", &[("code", "503")], &vars);
    let mut sent = call
        .send(
            &engine(),
            SendOptions::default(),
            &vars,
            CancellationToken::new(),
        )
        .await;
    assert_eq!(sent.capture_on_success(&mut vars), &Captured::Skipped);
    assert!(vars.get("never").is_none());
    assert!(matches!(sent.record(Some(&history)), Recorded::Yes));
    let entries = history.read().expect("reads").entries;
    assert_eq!(entries[0].response.as_ref().map(|r| r.status), Some(503));

    // A 2xx whose body lacks the path: the capture says why.
    let call = call_of(&catalog, "Status", &[("code", "200")], &vars);
    let mut sent = call
        .send(
            &engine(),
            SendOptions::default(),
            &vars,
            CancellationToken::new(),
        )
        .await;
    let captured = sent.capture_on_success(&mut vars).clone();
    assert!(
        matches!(&captured, Captured::Failed(e) if e.to_string().contains("never")),
        "{captured:?}"
    );
}

#[tokio::test]
async fn a_cancelled_send_is_not_recorded_and_no_history_is_no_error() {
    let server = TestServer::start().await;
    let catalog = catalog(&server);
    let vars = vars(&catalog);
    let dir = tempfile::tempdir().expect("temp dir");
    let history = history_in(&dir);

    let cancel = CancellationToken::new();
    let later = cancel.clone();
    tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(100)).await;
        later.cancel();
    });
    let call = call_of(&catalog, "Slow", &[("ms", "5000")], &vars);
    let sent = call
        .send(&engine(), SendOptions::default(), &vars, cancel)
        .await;
    assert!(sent.cancelled(), "{:?}", sent.result);
    assert!(matches!(sent.record(Some(&history)), Recorded::Skipped));
    assert!(!history.path().exists(), "nothing written");

    let call = call_of(&catalog, "Status", &[("code", "200")], &vars);
    let sent = call
        .send(
            &engine(),
            SendOptions::default(),
            &vars,
            CancellationToken::new(),
        )
        .await;
    assert!(matches!(sent.record(None), Recorded::Skipped));
}

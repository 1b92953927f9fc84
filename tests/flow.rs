//! Chained calls against the bundled demo over real HTTP on loopback: the
//! batch flow through `flow::run` and through `portico run`, a job that
//! fails, 429s waited out, capture errors, cancellation, and the `[[flow]]`
//! part of the portal format.

use std::process::{Command, Output};
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant, SystemTime};

use portico::catalog::{self, Capture, Catalog, Flow, FlowStep, Poll, Variable};
use portico::demo::{self, DemoConfig, DemoServer};
use portico::flow::{self, FlowEvent, FlowOutcome, FlowReport, RunContext, StepOutcome};
use portico::http::{Engine, EngineConfig};
use portico::request::Vars;
use tokio::sync::mpsc;

/// The first row of the sample and its eight hashing counts.
const SAMPLE_ROW: &str = "1,This is a good day,1,2,2,0,1,2,0,1";

async fn serve(config: DemoConfig) -> DemoServer {
    demo::start(0, config).await.expect("demo server starts")
}

fn fast() -> DemoConfig {
    DemoConfig {
        rate_limit: 0,
        job_duration: Duration::from_millis(200),
        ..DemoConfig::default()
    }
}

/// A demo whose jobs run for a minute: a poll of one never ends by itself.
fn slow_jobs() -> DemoConfig {
    DemoConfig {
        rate_limit: 0,
        job_duration: Duration::from_secs(60),
        ..DemoConfig::default()
    }
}

fn engine() -> Engine {
    Engine::new(EngineConfig::default()).expect("engine")
}

fn demo_vars(catalog: &Catalog) -> Vars {
    Vars {
        environment: catalog.environments[0].variables.clone(),
        ..Vars::default()
    }
}

/// The bundled batch flow, polling faster than the portal's 1 s.
fn batch(catalog: &Catalog, every: f64) -> Flow {
    let mut flow = flow::find(catalog, "batch").expect("batch flow").clone();
    for step in &mut flow.steps {
        if let Some(poll) = &mut step.poll {
            poll.every = every;
        }
    }
    flow
}

async fn run_collecting(
    catalog: &Catalog,
    flow: &Flow,
    vars: &mut Vars,
    cancel_after: Option<Duration>,
) -> (FlowReport, Vec<FlowEvent>) {
    let engine = engine();
    let (events, mut receiver) = mpsc::unbounded_channel();
    let cx = RunContext {
        events: Some(events),
        ..RunContext::new(catalog, &engine)
    };
    if let Some(after) = cancel_after {
        let cancel = cx.cancel.clone();
        tokio::spawn(async move {
            tokio::time::sleep(after).await;
            cancel.cancel();
        });
    }
    let report = flow::run(&cx, flow, vars).await;
    drop(cx);
    let mut seen = Vec::new();
    while let Some(event) = receiver.recv().await {
        seen.push(event);
    }
    (report, seen)
}

fn body_of(report: &FlowReport, step: usize) -> String {
    let exchange = report.steps[step].exchange.as_ref().expect("an exchange");
    exchange.response.body_text().text.into_owned()
}

/// A step calling `op`, with nothing else set.
fn step(op: &str) -> FlowStep {
    FlowStep {
        operation: op.into(),
        ..FlowStep::default()
    }
}

/// A capture of `path` into `variable`.
fn capture(variable: &str, path: &str) -> Capture {
    Capture {
        variable: variable.into(),
        path: path.into(),
    }
}

#[tokio::test]
async fn the_demo_batch_flow_ends_finished_with_the_scored_csv() {
    let server = serve(fast()).await;
    let catalog = demo::bundled_catalog(&server).expect("catalog");
    let flow = batch(&catalog, 0.05);
    let mut vars = demo_vars(&catalog);
    let (report, events) = run_collecting(&catalog, &flow, &mut vars, None).await;

    assert!(report.succeeded(), "{:?}", report.reason);
    assert_eq!(report.outcome, FlowOutcome::Succeeded);
    let outcomes: Vec<_> = report.steps.iter().map(|s| s.outcome).collect();
    assert_eq!(outcomes, [StepOutcome::Succeeded; 5]);
    let statuses: Vec<_> = report.steps.iter().map(|s| s.status).collect();
    assert_eq!(
        statuses,
        [Some(201), Some(200), Some(200), Some(200), Some(200)]
    );

    // Submit captured the job id, which Start and Status used.
    let jobid = vars.captured["jobid"].value.clone();
    assert_eq!(jobid.len(), 32, "{jobid}");
    assert_eq!(report.steps[1].captured[0].variable, "jobid");
    for step in &report.steps[2..4] {
        let url = step.url.as_deref().expect("url");
        assert!(url.contains(&format!("/jobs/{jobid}")), "{url}");
    }
    // The poll saw the job run, then finish, and captured the signature.
    let poll = &report.steps[3];
    let values: Vec<_> = poll
        .attempts
        .iter()
        .map(|a| a.value.as_deref().expect("a value"))
        .collect();
    assert!(values.len() >= 2, "{values:?}");
    assert_eq!(values.last(), Some(&"Finished"));
    assert!(
        values[..values.len() - 1].iter().all(|v| *v == "Running"),
        "{values:?}"
    );
    assert!(vars.captured["sas_token"].secret, "a token is masked");
    let download = report.steps[4].url.as_deref().expect("url");
    assert!(download.ends_with("?sig=••••••••"), "{download}");

    let csv = body_of(&report, 4);
    let header: Vec<&str> = csv.lines().next().expect("header").split(',').collect();
    assert_eq!(header[..2], ["Col1", "Col2"]);
    assert_eq!(header.len(), 10, "{header:?}");
    for (i, name) in header[2..].iter().enumerate() {
        assert_eq!(*name, format!("Col2_HashingFeature.{i}"));
    }
    assert!(csv.contains(&format!("\n{SAMPLE_ROW}\n")), "{csv}");
    assert_eq!(csv.lines().count(), 5);

    // Events come in order: each step starts, answers and finishes; the
    // run's end is last.
    let mut order = Vec::new();
    for event in &events {
        match event {
            FlowEvent::StepStarted { step, total, .. } => {
                assert_eq!(*total, 5);
                order.push(format!("start {step}"));
            }
            FlowEvent::StepFinished { step, .. } => order.push(format!("end {step}")),
            FlowEvent::Captured { variable, .. } => order.push(format!("capture {variable}")),
            FlowEvent::Attempt { .. } => {}
            FlowEvent::FlowFinished { outcome, .. } => {
                assert_eq!(*outcome, FlowOutcome::Succeeded);
                order.push("finished".into());
            }
        }
    }
    assert_eq!(
        order,
        [
            "start 0",
            "end 0",
            "start 1",
            "capture jobid",
            "end 1",
            "start 2",
            "end 2",
            "start 3",
            "capture sas_token",
            "end 3",
            "start 4",
            "end 4",
            "finished"
        ]
    );
    let attempts = events
        .iter()
        .filter(|e| matches!(e, FlowEvent::Attempt { .. }))
        .count();
    assert_eq!(attempts, 4 + values.len());

    let json = report.to_json(false);
    assert_eq!(json["outcome"], "succeeded");
    assert_eq!(json["steps"][3]["captured"]["sas_token"], "••••••••");
    assert_eq!(json["steps"][1]["captured"]["jobid"], jobid.as_str());
    server.shutdown().await;
}

#[tokio::test]
async fn a_job_over_a_missing_blob_fails_the_flow_with_its_details() {
    let server = serve(fast()).await;
    let catalog = demo::bundled_catalog(&server).expect("catalog");
    let mut flow = batch(&catalog, 0.05);
    flow.steps.remove(0); // no upload
    let mut vars = demo_vars(&catalog);
    vars.environment.insert(
        "input_blob".into(),
        Variable {
            value: "never-uploaded.csv".into(),
            secret: false,
        },
    );
    let (report, _) = run_collecting(&catalog, &flow, &mut vars, None).await;

    assert_eq!(report.outcome, FlowOutcome::Failed);
    assert_eq!(report.failed_step, Some(2));
    let reason = report.reason.as_deref().expect("a reason");
    assert!(
        reason.starts_with("step 3 (Wait until the job ends): "),
        "{reason}"
    );
    assert!(reason.contains("`$.StatusCode` = Failed"), "{reason}");
    assert!(
        reason.contains("never-uploaded.csv"),
        "the Details: {reason}"
    );
    let outcomes: Vec<_> = report.steps.iter().map(|s| s.outcome).collect();
    assert_eq!(
        outcomes,
        [
            StepOutcome::Succeeded,
            StepOutcome::Succeeded,
            StepOutcome::Failed,
            StepOutcome::Skipped
        ]
    );
    assert!(report.steps[3].attempts.is_empty());
    assert!(
        !vars.captured.contains_key("sas_token"),
        "nothing captured from a failed job"
    );
    let status: serde_json::Value =
        serde_json::from_str(&body_of(&report, 2)).expect("the last status is kept");
    assert_eq!(status["StatusCode"], "Failed");
    server.shutdown().await;
}

#[tokio::test]
async fn a_429_is_waited_out_for_its_retry_after() {
    // Three calls per second: the flow's fourth call is refused at once.
    let server = serve(DemoConfig {
        rate_limit: 3,
        rate_window: Duration::from_secs(1),
        job_duration: Duration::from_millis(100),
        ..DemoConfig::default()
    })
    .await;
    let catalog = demo::bundled_catalog(&server).expect("catalog");
    let flow = batch(&catalog, 0.05);
    let mut vars = demo_vars(&catalog);
    let (report, _) = run_collecting(&catalog, &flow, &mut vars, None).await;

    assert!(report.succeeded(), "{:?}", report.reason);
    let attempts: Vec<_> = report.steps.iter().flat_map(|s| &s.attempts).collect();
    let limited: Vec<_> = attempts.iter().filter(|a| a.status == Some(429)).collect();
    assert!(!limited.is_empty(), "{attempts:#?}");
    for a in &limited {
        assert_eq!(a.rate_limited, Some(Duration::from_secs(1)), "{a:?}");
    }
    // The request after each 429 waited the second it was told to.
    for pair in attempts.windows(2) {
        if pair[0].status == Some(429) {
            let gap = pair[1].at.saturating_sub(pair[0].at);
            assert!(gap >= Duration::from_millis(990), "{gap:?}");
        }
    }
    // A 429 is not a polled attempt: the poll's values are all real ones.
    assert!(
        report.steps[3]
            .attempts
            .iter()
            .all(|a| a.status == Some(429) || a.value.is_some())
    );
    assert!(body_of(&report, 4).contains(SAMPLE_ROW));
    server.shutdown().await;
}

/// Status, headers and body of one scripted answer.
type Answer = (u16, Vec<(&'static str, String)>, &'static str);

/// A server of our own whose `/thing` answers `script` in turn (the last
/// one again and again), counting the calls.
async fn scripted_server(script: Vec<Answer>) -> (String, Arc<AtomicU32>) {
    let calls = Arc::new(AtomicU32::new(0));
    let counter = Arc::clone(&calls);
    let script = Arc::new(script);
    let app = axum::Router::new().route(
        "/thing",
        axum::routing::get(move || {
            let counter = Arc::clone(&counter);
            let script = Arc::clone(&script);
            async move {
                let n = counter.fetch_add(1, Ordering::SeqCst) as usize;
                let (status, headers, body) = &script[n.min(script.len() - 1)];
                let mut response = axum::response::Response::new(axum::body::Body::from(*body));
                *response.status_mut() = axum::http::StatusCode::from_u16(*status).expect("status");
                for (name, value) in headers {
                    response.headers_mut().insert(
                        *name,
                        axum::http::HeaderValue::from_str(value).expect("header value"),
                    );
                }
                response
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    (format!("http://{addr}"), calls)
}

const JSON: &str = "content-type";

fn one_step_catalog(base: &str, step: FlowStep) -> Catalog {
    let text = format!(
        r#"
[[api]]
id = "t"
service_url = "{base}"
[[api.operation]]
name = "Thing"
method = "GET"
template = "/thing"
"#
    );
    let mut catalog = catalog::load_portal_str(&text, "t.toml").expect("loads");
    catalog.flows.push(Flow {
        name: "one".into(),
        steps: vec![step],
        ..Flow::default()
    });
    catalog
}

#[tokio::test]
async fn a_retry_after_date_is_waited_out_too() {
    let when = SystemTime::now() + Duration::from_secs(2);
    let (base, calls) = scripted_server(vec![
        (
            429,
            vec![("retry-after", httpdate::fmt_http_date(when))],
            "slow down",
        ),
        (
            200,
            vec![(JSON, "application/json".into())],
            r#"{"state": "done"}"#,
        ),
    ])
    .await;
    let catalog = one_step_catalog(
        &base,
        FlowStep {
            captures: vec![capture("state", "$.state")],
            ..step("Thing")
        },
    );
    let flow = catalog.flows[0].clone();
    let mut vars = Vars::default();
    let start = Instant::now();
    let (report, _) = run_collecting(&catalog, &flow, &mut vars, None).await;
    assert!(report.succeeded(), "{:?}", report.reason);
    assert_eq!(calls.load(Ordering::SeqCst), 2);
    let waited = report.steps[0].attempts[0].rate_limited.expect("waited");
    // The date has a one-second resolution.
    assert!(
        waited >= Duration::from_secs(1) && waited <= Duration::from_secs(2),
        "{waited:?}"
    );
    assert!(start.elapsed() >= waited);
    assert_eq!(vars.captured["state"].value, "done");
}

#[tokio::test]
async fn a_retry_after_beyond_the_limit_fails_at_once() {
    let (base, calls) = scripted_server(vec![(
        429,
        vec![("retry-after", "3600".into())],
        r#"{"statusCode": 429}"#,
    )])
    .await;
    let catalog = one_step_catalog(&base, step("Thing"));
    let flow = catalog.flows[0].clone();
    let start = Instant::now();
    let (report, _) = run_collecting(&catalog, &flow, &mut Vars::default(), None).await;
    assert!(start.elapsed() < Duration::from_secs(5));
    assert_eq!(calls.load(Ordering::SeqCst), 1);
    assert_eq!(
        report.reason.as_deref(),
        Some(
            "step 1 (Thing): rate limited (429): the server asks to wait 60 min (Retry-After), more than the 2 min a step waits"
        )
    );
}

#[tokio::test]
async fn an_unexpected_status_fails_with_what_came_back() {
    let (base, _) = scripted_server(vec![(
        503,
        vec![(JSON, "application/json".into())],
        r#"{"error": "warming up"}"#,
    )])
    .await;
    let catalog = one_step_catalog(
        &base,
        FlowStep {
            expect: vec!["200".into(), "202".into()],
            ..step("Thing")
        },
    );
    let flow = catalog.flows[0].clone();
    let (report, _) = run_collecting(&catalog, &flow, &mut Vars::default(), None).await;
    assert_eq!(
        report.reason.as_deref(),
        Some(
            r#"step 1 (Thing): expected status 200 or 202, got 503 Service Unavailable: {"error": "warming up"}"#
        )
    );
    assert_eq!(report.steps[0].status, Some(503));
}

#[tokio::test]
async fn capture_errors_name_the_step_the_path_and_what_came_back() {
    let server = serve(fast()).await;
    let catalog = demo::bundled_catalog(&server).expect("catalog");
    let mut vars = demo_vars(&catalog);

    let flow = Flow {
        name: "bad-capture".into(),
        steps: vec![FlowStep {
            name: Some("Submit".into()),
            captures: vec![capture("job", "$.JobId")],
            ..step("BES Submit")
        }],
        ..Flow::default()
    };
    let (report, _) = run_collecting(&catalog, &flow, &mut vars, None).await;
    assert_eq!(report.outcome, FlowOutcome::Failed);
    let reason = report.reason.clone().expect("reason");
    assert!(
        reason.starts_with("step 1 (Submit): capture `job`"),
        "{reason}"
    );
    assert!(reason.contains("`$.JobId` found nothing"), "{reason}");
    // What came back: the job id as a JSON string.
    let jobid = body_of(&report, 0);
    assert!(
        jobid.starts_with('"') && reason.contains(&jobid),
        "{reason}"
    );
    assert!(
        !vars.captured.contains_key("jobid"),
        "the operation's own capture is not kept either"
    );

    let flow = Flow {
        name: "csv".into(),
        steps: vec![
            step("Blob Upload"),
            FlowStep {
                params: vec![
                    ("result_container".into(), "demo-input".into()),
                    ("result_blob".into(), "sample.csv".into()),
                    ("sas_token".into(), String::new()),
                ],
                captures: vec![capture("first", "$[0]")],
                ..step("Blob Download")
            },
        ],
        ..Flow::default()
    };
    let (report, _) = run_collecting(&catalog, &flow, &mut vars, None).await;
    let reason = report.reason.clone().expect("reason");
    assert!(
        reason.starts_with("step 2 (Blob Download): capture `first` (`$[0]`): the response is not JSON: 200 OK, text/csv"),
        "{reason}"
    );
    assert!(reason.contains("Col1,Col2"), "{reason}");

    // A broken JSONPath is found before anything is sent.
    let flow = Flow {
        name: "bad-path".into(),
        steps: vec![
            step("Blob Upload"),
            FlowStep {
                captures: vec![capture("x", "$.[")],
                ..step("BES Submit")
            },
        ],
        ..Flow::default()
    };
    let (report, events) = run_collecting(&catalog, &flow, &mut vars, None).await;
    let reason = report.reason.clone().expect("reason");
    assert!(
        reason.contains("step 2 (BES Submit)") && reason.contains("`$.[` is not a valid JSONPath"),
        "{reason}"
    );
    assert!(report.steps.iter().all(|s| s.attempts.is_empty()));
    assert_eq!(events.len(), 1, "only the end: {events:?}");
    server.shutdown().await;
}

#[tokio::test]
async fn flows_with_mistakes_fail_before_sending_and_say_where() {
    let server = serve(fast()).await;
    let catalog = demo::bundled_catalog(&server).expect("catalog");
    let cases: Vec<(FlowStep, &str)> = vec![
        (step("BES Sumbit"), "no operation matches \"BES Sumbit\""),
        (
            FlowStep {
                expect: vec!["20x".into()],
                ..step("BES Submit")
            },
            "expect \"20x\" is not a status",
        ),
        (
            FlowStep {
                poll: Some(Poll {
                    until: "StatusCode".into(),
                    ..Poll::default()
                }),
                ..step("BES Status")
            },
            "poll: `until = \"StatusCode\"` is not a valid JSONPath",
        ),
        (
            FlowStep {
                poll: Some(Poll {
                    every: -1.0,
                    ..Poll::default()
                }),
                ..step("BES Status")
            },
            "`every` must be a number of seconds",
        ),
    ];
    for (bad, want) in cases {
        let flow = Flow {
            name: "f".into(),
            steps: vec![step("Blob Upload"), bad],
            ..Flow::default()
        };
        let err = flow::check(&catalog, &flow).expect_err(want);
        assert!(err.to_string().starts_with("flow `f`, step 2 ("), "{err}");
        assert!(err.to_string().contains(want), "{err}");
    }
    let err = flow::find(&catalog, "nope").expect_err("unknown");
    assert_eq!(err.to_string(), "no flow named `nope` (known: batch)");
    server.shutdown().await;
}

#[tokio::test]
async fn cancel_stops_a_poll_at_once() {
    let server = serve(slow_jobs()).await;
    let catalog = demo::bundled_catalog(&server).expect("catalog");
    let flow = batch(&catalog, 5.0);
    let mut vars = demo_vars(&catalog);
    let start = Instant::now();
    let (report, events) =
        run_collecting(&catalog, &flow, &mut vars, Some(Duration::from_millis(400))).await;
    let took = start.elapsed();
    assert!(took < Duration::from_secs(2), "{took:?}");
    assert_eq!(report.outcome, FlowOutcome::Cancelled);
    assert_eq!(report.failed_step, Some(3));
    assert_eq!(report.steps[3].outcome, StepOutcome::Cancelled);
    assert_eq!(report.steps[4].outcome, StepOutcome::Skipped);
    assert_eq!(
        report.reason.as_deref(),
        Some("step 4 (Wait until the job ends): cancelled")
    );
    assert!(matches!(
        events.last(),
        Some(FlowEvent::FlowFinished {
            outcome: FlowOutcome::Cancelled,
            ..
        })
    ));
    server.shutdown().await;
}

#[tokio::test]
async fn a_poll_gives_up_at_its_limit_with_the_last_value() {
    let server = serve(slow_jobs()).await;
    let catalog = demo::bundled_catalog(&server).expect("catalog");
    let mut flow = batch(&catalog, 0.02);
    flow.steps.truncate(4);
    if let Some(poll) = &mut flow.steps[3].poll {
        poll.max_attempts = Some(3);
    }
    let mut vars = demo_vars(&catalog);
    let (report, _) = run_collecting(&catalog, &flow, &mut vars, None).await;
    assert_eq!(report.outcome, FlowOutcome::Failed);
    assert_eq!(report.steps[3].attempts.len(), 3);
    let reason = report.reason.clone().expect("reason");
    assert!(
        reason.contains("gave up polling after 3 attempts")
            && reason.contains("`$.StatusCode` was Running"),
        "{reason}"
    );
    server.shutdown().await;
}

/// A poll timeout or interval beyond what the clock can count (a portal
/// file says `timeout = 1e19`) is no limit, not a crash.
#[tokio::test]
async fn a_poll_timeout_beyond_any_clock_is_no_limit() {
    let server = serve(slow_jobs()).await;
    let catalog = demo::bundled_catalog(&server).expect("catalog");
    let mut flow = batch(&catalog, 0.02);
    flow.steps.truncate(4);
    if let Some(poll) = &mut flow.steps[3].poll {
        poll.max_attempts = Some(2);
        poll.timeout = Some(1e19);
    }
    let mut vars = demo_vars(&catalog);
    let (report, _) = run_collecting(&catalog, &flow, &mut vars, None).await;
    let reason = report.reason.clone().expect("reason");
    assert!(
        reason.contains("gave up polling after 2 attempts"),
        "{reason}"
    );
    server.shutdown().await;
}

/// Runs the real binary, kept away from the user's own files: its home
/// (presets, history, environments) and working directory (`.env`) are a
/// temp dir.
fn portico(home: &tempfile::TempDir, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_portico"))
        .args(args)
        .env("PORTICO_HOME", home.path())
        .current_dir(home.path())
        .output()
        .expect("runs")
}

#[test]
fn portico_run_drives_the_bundled_batch_flow() {
    let home = tempfile::tempdir().expect("home");
    let output = portico(&home, &["run", "batch"]);
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stdout}\n{stderr}");
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines[0], "flow batch: 5 steps");
    assert!(lines[1].starts_with("[1/5] Upload the sample CSV: PUT http://127.0.0.1:"));
    assert!(stdout.contains("-> Running"), "{stdout}");
    assert!(stdout.contains("-> Finished"), "{stdout}");
    assert!(stdout.contains("{{sas_token}} = ••••••••"), "{stdout}");
    assert!(stdout.contains(SAMPLE_ROW), "{stdout}");
    assert!(
        lines
            .last()
            .is_some_and(|l| l.starts_with("flow batch succeeded: 5 steps in ")),
        "{stdout}"
    );
    assert!(stderr.is_empty(), "{stderr}");

    // Every attempt went to history like any other send, with no key in it.
    let history = portico(&home, &["history", "--json"]);
    assert!(
        history.status.success(),
        "{}",
        String::from_utf8_lossy(&history.stderr)
    );
    let text = String::from_utf8_lossy(&history.stdout);
    let entries: serde_json::Value = serde_json::from_str(&text).expect("history JSON");
    let entries = entries.as_array().expect("an array of entries");
    assert!(entries.len() >= 5, "one entry per attempt: {text}");
    assert!(!text.contains(portico::demo::API_KEY), "{text}");
    assert!(
        !text.contains(portico::demo::PRIMARY_SUBSCRIPTION_KEY),
        "{text}"
    );
    // The SAS token is captured from BES Status's answer, after that answer
    // was recorded: the record masks it all the same, there and in the
    // download's URL.
    let raw = std::fs::read_to_string(home.path().join("history.jsonl")).expect("history file");
    let mut seen = 0;
    for marker in ["SasSignature", "sig="] {
        for (at, _) in raw.match_indices(marker) {
            let after: String = raw[at + marker.len()..].chars().take(16).collect();
            assert!(after.contains("••••••••"), "{marker}{after} in history");
            seen += 1;
        }
    }
    assert!(seen >= 2, "the token's places are in history: {raw}");
}

/// `portico call` of an operation whose answer hands out a token (BES
/// Status and its SAS signature) records that answer with the token masked,
/// as the flow runner and the TUI do. (Multi-threaded: the demo answers
/// while this thread waits for the binary.)
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn portico_call_masks_a_handed_out_token_in_history() {
    let server = serve(fast()).await;
    let catalog = demo::bundled_catalog(&server).expect("catalog");
    let mut flow = batch(&catalog, 0.05);
    flow.steps.truncate(4);
    let mut vars = demo_vars(&catalog);
    let (report, _) = run_collecting(&catalog, &flow, &mut vars, None).await;
    assert!(report.succeeded(), "{:?}", report.reason);
    let jobid = vars.captured["jobid"].value.clone();
    let token = vars.captured["sas_token"].value.clone();
    assert!(token.len() >= 16, "{token}");

    let home = tempfile::tempdir().expect("home");
    let base = catalog.apis[0].servers[0].url.clone();
    let jobid_param = format!("jobid={jobid}");
    let output = portico(
        &home,
        &[
            "call",
            "--server",
            &base,
            "--op",
            "BES Status",
            "-p",
            &jobid_param,
        ],
    );
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(
        stdout.contains(&token),
        "the answer itself is printed as it came"
    );
    let history = std::fs::read_to_string(home.path().join("history.jsonl")).expect("history");
    assert!(history.contains("SasSignature"), "{history}");
    assert!(
        !history.contains(&token),
        "the SAS token is in history: {history}"
    );
    server.shutdown().await;
}

#[test]
fn portico_run_json_reports_and_a_failure_exits_non_zero() {
    let home = tempfile::tempdir().expect("home");
    let output = portico(&home, &["run", "Batch", "--json"]);
    assert!(output.status.success());
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).expect("one object");
    assert_eq!(report["flow"], "batch");
    assert_eq!(report["outcome"], "succeeded");
    assert_eq!(report["steps"].as_array().map(Vec::len), Some(5));
    let poll = &report["steps"][3];
    let last = poll["attempts"].as_array().and_then(|a| a.last()).cloned();
    assert_eq!(last.expect("attempts")["value"], "Finished");
    assert!(
        report["steps"][4]["body"]
            .as_str()
            .is_some_and(|b| b.contains(SAMPLE_ROW))
    );

    let output = portico(&home, &["run", "nightly"]);
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(
        stderr.trim_end(),
        "portico: no flow named `nightly` (known: batch)"
    );

    let output = portico(
        &home,
        &[
            "run",
            "batch",
            "--server",
            "http://127.0.0.1:9/azureml-demo",
        ],
    );
    assert!(!output.status.success());
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(
        stderr.starts_with("portico: flow batch failed: step 1 (Upload the sample CSV): connection refused: http://127.0.0.1:9/"),
        "{stderr}"
    );
    assert!(stdout.contains("#1 no response"), "{stdout}");
    assert!(!stdout.contains("succeeded"), "{stdout}");
}

#[test]
fn the_bundled_portal_declares_the_batch_flow() {
    let catalog =
        catalog::load_portal_str(demo::PORTAL, demo::PORTAL_LOCATION).expect("bundled portal");
    assert!(catalog.warnings.is_empty(), "{:?}", catalog.warnings);
    let flow = flow::find(&catalog, "batch").expect("batch");
    let ops: Vec<&str> = flow.steps.iter().map(|s| s.operation.as_str()).collect();
    assert_eq!(
        ops,
        [
            "Blob Upload",
            "BES Submit",
            "BES Start",
            "BES Status",
            "Blob Download"
        ]
    );
    let poll = flow.steps[3].poll.as_ref().expect("poll");
    assert_eq!(poll.until, "$.StatusCode");
    assert_eq!(poll.values, ["Finished", "Failed", "Cancelled"]);
    assert_eq!(poll.success, ["Finished"]);
    assert_eq!(poll.details.as_deref(), Some("$.Details"));
    assert_eq!(flow.steps[0].expect, ["201"]);
    flow::check(&catalog, flow).expect("every step resolves");
}

#[test]
fn flow_parts_of_a_portal_file_load_and_mistakes_are_warnings() {
    let text = r#"
[[api]]
id = "a"
service_url = "http://127.0.0.1:1"
[[api.operation]]
name = "Get"
method = "GET"
template = "/x/{id}?v={version}"

[[flow]]
name = "f"
colour = "red"
  [[flow.step]]
  op = "Get"
  params = { id = "{{captured_id}}", version = 2 }
  headers = ["X-Trace: 1", "broken"]
  body = "{}"
  expect = ["200", "3xx"]
  retries = 3
    [[flow.step.capture]]
    variable = "etag"
    path = "$.etag"
    [flow.step.poll]
    until = "$.done"
    in = [true]
    max_attempts = 4
    wait = 1

[[flow]]
name = "empty"
"#;
    let catalog = catalog::load_portal_str(text, "/tmp/f.toml").expect("loads");
    let messages: Vec<String> = catalog.warnings.iter().map(ToString::to_string).collect();
    for needle in [
        "flow[0]: unknown key \"colour\"",
        "flow[0].step[0]: unknown key \"retries\"",
        "flow[0].step[0]: header \"broken\"",
        "flow[0].step[0].poll: unknown key \"wait\"",
        "flow[1]: flow \"empty\" has no [[flow.step]]",
    ] {
        assert!(
            messages.iter().any(|m| m.contains(needle)),
            "{needle}: {messages:#?}"
        );
    }
    assert_eq!(messages.len(), 5, "{messages:#?}");
    let step = &catalog.flows[0].steps[0];
    assert_eq!(
        step.params,
        [
            ("id".to_string(), "{{captured_id}}".to_string()),
            ("version".to_string(), "2".to_string())
        ]
    );
    assert_eq!(step.headers, [("X-Trace".to_string(), "1".to_string())]);
    assert_eq!(step.expect, ["200", "3xx"]);
    assert_eq!(step.captures[0].path, "$.etag");
    let poll = step.poll.as_ref().expect("poll");
    assert_eq!(
        (poll.every, poll.values.as_slice()),
        (1.0, &["true".to_string()][..])
    );
    assert_eq!(poll.max_attempts, Some(4));
    assert_eq!(poll.timeout, Some(300.0), "the documented default");
    assert_eq!(catalog.flows[0].source, "/tmp/f.toml");
}

#[test]
fn the_readme_flow_example_resolves_against_the_demo_portal() {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).expect("README");
    let section = readme
        .split("<!-- section: portal -->")
        .nth(1)
        .and_then(|s| s.split("<!-- section: troubleshooting -->").next())
        .expect("portal section");
    let example = section
        .split("```toml\n")
        .skip(1)
        .filter_map(|rest| rest.split("```").next())
        .find(|b| b.contains("[[flow]]"))
        .expect("a [[flow]] example");
    // The demo portal's APIs and environment, with the README's flow.
    let apis = demo::PORTAL.split("[[flow]]").next().expect("apis");
    let text = format!("{apis}\n{example}");
    let catalog = catalog::load_portal_str(&text, demo::PORTAL_LOCATION).expect("loads");
    assert!(catalog.warnings.is_empty(), "{:?}", catalog.warnings);
    assert_eq!(catalog.flows.len(), 1);
    flow::check(&catalog, &catalog.flows[0]).expect("the example's steps resolve");
    assert!(catalog.flows[0].steps.iter().any(|s| s.poll.is_some()));
}

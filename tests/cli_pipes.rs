//! The command line in a pipeline, as scripts use it: the real `portico`
//! binary with stdout a pipe (the body alone there, the head on stderr),
//! misspelled parameters refused, `-H` filling a header parameter, `run`
//! listing flows and the shell completion scripts.

use std::path::Path;
use std::process::Output;

use serde_json::Value;

mod support;

use support::portico;

use support::{NON_UTF8, TestServer};

/// One API on the test server's routes: the echo route with a query and a
/// header parameter whose example is a placeholder, and a binary answer.
const SPEC: &str = r#"
openapi: 3.0.3
info: { title: Pipes, version: "1" }
servers: [ { url: "http://pipes.invalid" } ]
paths:
  /echo:
    get:
      operationId: echo
      parameters:
        - { name: details, in: query, schema: { type: boolean } }
        - { name: format, in: query, schema: { type: string } }
        - name: Notion-Version
          in: header
          required: true
          schema: { type: string }
          example: "{{NOTION_VERSION}}"
  /non-utf8:
    get:
      operationId: latin1
"#;

fn write_spec(dir: &Path) -> String {
    let path = dir.join("pipes.yaml");
    std::fs::write(&path, SPEC).expect("write spec");
    path.to_string_lossy().into_owned()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[track_caller]
fn succeeded(output: &Output) {
    assert!(
        output.status.success(),
        "portico failed: {}",
        text(&output.stderr)
    );
}

/// The value the echo route saw for a header (names in lower case).
fn echoed_header(echo: &Value, name: &str) -> Option<String> {
    echo["headers"].as_array()?.iter().find_map(|pair| {
        (pair[0].as_str()? == name).then(|| pair[1].as_str().map(str::to_string))?
    })
}

#[tokio::test]
async fn piped_stdout_carries_the_body_alone() {
    let server = TestServer::start().await;
    let dir = tempfile::tempdir().expect("tempdir");
    let spec = write_spec(dir.path());
    let base = server.url("");
    let args = [
        "call",
        spec.as_str(),
        "--op",
        "echo",
        "--server",
        &base,
        "-H",
        "Notion-Version: 1",
    ];

    // Piped: stdout is the body (jq would read it), the head on stderr.
    let output = portico(&args).await;
    succeeded(&output);
    let echo: Value = serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
        panic!(
            "stdout is not the JSON body ({e}): {}",
            text(&output.stdout)
        )
    });
    assert_eq!(echo["path"], "/echo");
    let stderr = text(&output.stderr);
    assert!(stderr.starts_with("HTTP/1.1 200 OK"), "{stderr}");
    assert!(
        stderr.contains("content-type: application/json"),
        "{stderr}"
    );

    // -q: the head nowhere.
    let mut quiet = args.to_vec();
    quiet.push("-q");
    let output = portico(&quiet).await;
    succeeded(&output);
    assert!(serde_json::from_slice::<Value>(&output.stdout).is_ok());
    let stderr = text(&output.stderr);
    assert!(!stderr.contains("200 OK"), "{stderr}");
    assert!(!stderr.contains("content-type"), "{stderr}");

    // -i: the head back on stdout, a blank line, then the body.
    let mut include = args.to_vec();
    include.push("-i");
    let output = portico(&include).await;
    succeeded(&output);
    let stdout = text(&output.stdout);
    assert!(stdout.starts_with("HTTP/1.1 200 OK"), "{stdout}");
    let (head, body) = stdout
        .split_once("\n\n")
        .expect("a blank line after the head");
    assert!(head.contains("content-type: application/json"), "{head}");
    let echo: Value = serde_json::from_str(body).expect("the body after the head");
    assert_eq!(echo["method"], "GET");
    assert!(!text(&output.stderr).contains("200 OK"));

    // -i and --json do not go together.
    include.push("--json");
    assert!(!portico(&include).await.status.success());
}

#[tokio::test]
async fn a_binary_body_reaches_the_pipe_byte_for_byte() {
    let server = TestServer::start().await;
    let dir = tempfile::tempdir().expect("tempdir");
    let spec = write_spec(dir.path());
    let base = server.url("");
    let output = portico(&["call", &spec, "--op", "latin1", "--server", &base]).await;
    succeeded(&output);
    assert_eq!(output.stdout, NON_UTF8);

    let output = portico(&["call", &spec, "--op", "latin1", "--server", &base, "--json"]).await;
    succeeded(&output);
    let json: Value = serde_json::from_slice(&output.stdout).expect("JSON");
    assert_eq!(json["response"]["body_base64"], true);
    assert!(json["response"]["body"].is_string());
}

#[tokio::test]
async fn json_output_holds_a_json_body_as_a_value() {
    let server = TestServer::start().await;
    let dir = tempfile::tempdir().expect("tempdir");
    let spec = write_spec(dir.path());
    let base = server.url("");
    let output = portico(&[
        "call",
        &spec,
        "--op",
        "echo",
        "--server",
        &base,
        "-H",
        "Notion-Version: 1",
        "-p",
        "format=csv",
        "--json",
    ])
    .await;
    succeeded(&output);
    let json: Value = serde_json::from_slice(&output.stdout).expect("JSON");
    let body = &json["response"]["body"];
    assert!(body.is_object(), "{body}");
    assert_eq!(body["query"], "format=csv");
    assert!(json["response"].get("body_base64").is_none());
}

#[tokio::test]
async fn a_misspelled_parameter_is_refused_with_a_suggestion() {
    let server = TestServer::start().await;
    let dir = tempfile::tempdir().expect("tempdir");
    let spec = write_spec(dir.path());
    let base = server.url("");
    let call = |extra: &'static [&'static str]| {
        let mut args = vec![
            "call",
            spec.as_str(),
            "--op",
            "echo",
            "--server",
            base.as_str(),
            "-H",
            "Notion-Version: 1",
        ];
        args.extend_from_slice(extra);
        async move { portico(&args).await }
    };

    let output = call(&["-p", "detials=false"]).await;
    assert!(!output.status.success());
    let stderr = text(&output.stderr);
    assert_eq!(
        stderr.trim_end(),
        "portico: unknown parameter `detials`; did you mean `details`? \
         The operation has: details, format, Notion-Version \
         (--query NAME=VALUE sends an extra query parameter)"
    );
    assert!(output.stdout.is_empty());

    // Nothing near: no suggestion, still the list.
    let output = call(&["-p", "zzz=1"]).await;
    assert!(!output.status.success());
    let stderr = text(&output.stderr);
    assert!(
        stderr.contains("unknown parameter `zzz`. The operation has: details"),
        "{stderr}"
    );
    assert!(!stderr.contains("did you mean"), "{stderr}");

    // Asked for explicitly, an extra query parameter is sent.
    let output = call(&["--query", "detials=false", "-p", "details=true"]).await;
    succeeded(&output);
    let echo: Value = serde_json::from_slice(&output.stdout).expect("echo JSON");
    assert_eq!(echo["query"], "details=true&detials=false");
}

#[tokio::test]
async fn a_header_fills_the_header_parameter_of_its_name() {
    let server = TestServer::start().await;
    let dir = tempfile::tempdir().expect("tempdir");
    let spec = write_spec(dir.path());
    let base = server.url("");
    let args = ["call", spec.as_str(), "--op", "echo", "--server", &base];

    // The definition's placeholder alone cannot be built.
    let output = portico(&args).await;
    assert!(!output.status.success());
    assert!(
        text(&output.stderr).contains("NOTION_VERSION"),
        "{}",
        text(&output.stderr)
    );

    // -H in any case fills the parameter, and the header goes once.
    let mut with_header = args.to_vec();
    with_header.extend(["-H", "notion-version: 2022-06-28", "--json"]);
    let output = portico(&with_header).await;
    succeeded(&output);
    let json: Value = serde_json::from_slice(&output.stdout).expect("JSON");
    let echo = &json["response"]["body"];
    assert_eq!(
        echoed_header(echo, "notion-version").as_deref(),
        Some("2022-06-28")
    );
    let sent = json["request"]["headers"].as_array().expect("headers");
    let copies = sent
        .iter()
        .filter(|pair| {
            pair[0]
                .as_str()
                .is_some_and(|n| n.eq_ignore_ascii_case("notion-version"))
        })
        .count();
    assert_eq!(copies, 1, "{sent:?}");
}

#[tokio::test]
async fn run_without_a_name_lists_the_flows() {
    let output = portico(&["run"]).await;
    succeeded(&output);
    let stdout = text(&output.stdout);
    let line = stdout
        .lines()
        .find(|l| l.starts_with("batch"))
        .unwrap_or_else(|| panic!("no batch flow listed: {stdout}"));
    assert!(line.contains("(5 steps)"), "{line}");
    assert!(
        line.contains("The Batch Execution Service end to end"),
        "{line}"
    );

    let output = portico(&["run", "--json"]).await;
    succeeded(&output);
    let flows: Value = serde_json::from_slice(&output.stdout).expect("JSON");
    assert_eq!(flows[0]["name"], "batch");
    assert_eq!(flows[0]["steps"], 5);

    // A definition without flows says so, still with success.
    let dir = tempfile::tempdir().expect("tempdir");
    let spec = write_spec(dir.path());
    let output = portico(&["run", &spec]).await;
    succeeded(&output);
    assert!(
        text(&output.stdout).starts_with("no flows"),
        "{}",
        text(&output.stdout)
    );
}

#[tokio::test]
async fn completion_scripts_name_the_commands_and_flags() {
    for shell in ["bash", "zsh", "fish"] {
        let output = portico(&["completions", shell]).await;
        succeeded(&output);
        let script = text(&output.stdout);
        assert!(script.len() > 1000, "{shell}: {script}");
        // fish writes a long flag as `-l op`.
        let flag = |name: &str| match shell {
            "fish" => format!("-l {name}"),
            _ => format!("--{name}"),
        };
        for word in [
            "call".to_string(),
            "completions".to_string(),
            flag("op"),
            flag("query"),
            flag("include"),
        ] {
            assert!(script.contains(&word), "{shell} lacks {word}");
        }
    }
    let output = portico(&["completions", "tcsh"]).await;
    assert!(!output.status.success());
}

/// Trello's `/tokens/{token}` has a path `token` and a query `token`:
/// `-p path.token=…` and `-p query.token=…` set each, and a bare name
/// that fits both is refused, saying how to name the place.
#[tokio::test]
async fn a_parameter_name_in_two_places_is_set_by_naming_the_place() {
    let server = TestServer::start().await;
    let dir = tempfile::tempdir().expect("tempdir");
    let spec = dir.path().join("trello.yaml");
    std::fs::write(
        &spec,
        r#"
openapi: 3.0.3
info: {title: trello, version: "1"}
paths:
  /echo/tokens/{token}:
    get:
      operationId: getToken
      parameters:
        - {name: token, in: path, required: true, schema: {type: string}}
        - {name: token, in: query, schema: {type: string}}
      responses: {"200": {description: ok}}
"#,
    )
    .expect("spec");
    let spec = spec.to_string_lossy().to_string();
    let base = server.url("");
    let call = |extra: &'static [&'static str]| {
        let mut args = vec![
            "curl",
            spec.as_str(),
            "--op",
            "getToken",
            "--server",
            base.as_str(),
            "--reveal",
        ];
        args.extend_from_slice(extra);
        async move { portico(&args).await }
    };

    let output = call(&["-p", "path.token=t-path", "-p", "query.token=t-query"]).await;
    succeeded(&output);
    let curl = text(&output.stdout);
    assert!(
        curl.contains("/echo/tokens/t-path?token=t-query'"),
        "{curl}"
    );

    let output = call(&["-p", "token=t"]).await;
    assert!(!output.status.success());
    assert_eq!(
        text(&output.stderr).trim_end(),
        "portico: `token` names 2 parameters in different places: say which, as in \
         -p path.token=… or -p query.token=…"
    );
}

//! Requests moving between portico and other tools: `portico curl` run by
//! the real curl against a loopback server, `portico import curl` on a
//! browser's "Copy as cURL", `.http` files and Postman collections.

mod support;

use std::path::Path;
use std::process::{Output, Stdio};

use serde_json::{Value, json};
use tokio::io::AsyncWriteExt;

use support::TestServer;

/// An API whose one operation is the test server's echo route.
const ECHO_SPEC: &str = r#"
openapi: 3.0.3
info: { title: Echo, version: "1" }
servers: [ { url: "http://echo.invalid" } ]
paths:
  /echo:
    post:
      operationId: postEcho
      parameters:
        - { name: q, in: query, schema: { type: string } }
        - { name: X-Trace, in: header, schema: { type: string } }
      requestBody:
        content:
          application/json:
            schema: { type: object }
      security: [ { key: [] } ]
components:
  securitySchemes:
    key: { type: apiKey, in: header, name: X-Api-Key }
"#;

async fn portico_with_stdin(args: &[&str], stdin: &str) -> Output {
    let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_portico"))
        .args(args)
        .env(
            "PORTICO_HOME",
            std::env::temp_dir().join("portico-interchange-tests"),
        )
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run portico");
    let mut input = child.stdin.take().expect("stdin");
    input
        .write_all(stdin.as_bytes())
        .await
        .expect("write stdin");
    drop(input);
    child.wait_with_output().await.expect("portico output")
}

async fn portico(args: &[&str]) -> Output {
    portico_with_stdin(args, "").await
}

fn stdout_text(output: &Output) -> String {
    assert!(
        output.status.success(),
        "portico failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout.clone()).expect("UTF-8 stdout")
}

fn stdout_json(output: &Output) -> Value {
    let text = stdout_text(output);
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("stdout is not JSON ({e}): {text}"))
}

fn write_file(dir: &Path, name: &str, text: &str) -> String {
    let path = dir.join(name);
    std::fs::write(&path, text).expect("write file");
    path.to_string_lossy().into_owned()
}

// ------------------------------------------------------------------ curl --

/// Headers an HTTP client adds on its own; everything else must be the
/// request's.
const CLIENT_HEADERS: &[&str] = &[
    "host",
    "user-agent",
    "accept",
    "accept-encoding",
    "content-length",
];

fn echo_headers(echo: &Value) -> Vec<(String, String)> {
    echo["headers"]
        .as_array()
        .expect("echo headers")
        .iter()
        .map(|pair| {
            (
                pair[0].as_str().expect("name").to_ascii_lowercase(),
                pair[1].as_str().expect("value").to_string(),
            )
        })
        .collect()
}

#[tokio::test]
async fn exported_curl_sends_what_call_sends() {
    if !Path::new("/usr/bin/curl").exists() {
        eprintln!("skipped: /usr/bin/curl is not installed");
        return;
    }
    let server = TestServer::start().await;
    let dir = tempfile::tempdir().expect("tempdir");
    let spec = write_file(dir.path(), "echo.yaml", ECHO_SPEC);
    let base = server.url("");
    let body = "{\n  \"msg\": \"it's $5 `now` !\",\n  \"path\": \"C:\\\\tmp\",\n  \"u\": \"héllo ☃ 😀\"\n}";
    let request_args = [
        spec.as_str(),
        "--op",
        "postEcho",
        "--server",
        base.as_str(),
        "-p",
        "q=a b&c=d'e",
        "-p",
        "X-Trace=t-1",
        "-H",
        "X-Api-Key: s3cret-key-value",
        "-H",
        "X-Quote: say \"hi\" & 'bye' $HOME",
        "-d",
        body,
    ];

    // What `portico call` sends, as the server saw it.
    let mut call_args = vec!["call"];
    call_args.extend(request_args);
    call_args.extend(["--json", "--reveal"]);
    let call = stdout_json(&portico(&call_args).await);
    let sent = &call["request"];
    let by_call: Value =
        serde_json::from_str(call["response"]["body"].as_str().expect("body")).expect("echo JSON");

    // The same request exported, then run by curl through a shell.
    let mut curl_args = vec!["curl"];
    curl_args.extend(request_args);
    curl_args.push("--reveal");
    let command = stdout_text(&portico(&curl_args).await);
    assert!(command.starts_with("curl \\\n"), "{command}");
    let run = tokio::process::Command::new("/bin/sh")
        .arg("-c")
        .arg(format!("{} -sS", command.trim_end()))
        .output()
        .await
        .expect("run the exported command");
    assert!(
        run.status.success(),
        "curl failed: {}\n{command}",
        String::from_utf8_lossy(&run.stderr)
    );
    let by_curl: Value = serde_json::from_slice(&run.stdout).expect("echo JSON from curl");

    for field in ["method", "path", "query", "body", "body_len"] {
        assert_eq!(by_curl[field], by_call[field], "{field} differs\n{command}");
    }
    assert_eq!(by_curl["method"], "POST");
    assert_eq!(by_curl["body"], body);
    assert_eq!(by_curl["query"], "q=a%20b%26c%3Dd%27e");

    let curl_headers = echo_headers(&by_curl);
    let call_headers = echo_headers(&by_call);
    let request_headers: Vec<(String, String)> = sent["headers"]
        .as_array()
        .expect("request headers")
        .iter()
        .map(|pair| {
            (
                pair[0].as_str().expect("name").to_ascii_lowercase(),
                pair[1].as_str().expect("value").to_string(),
            )
        })
        .collect();
    for (name, value) in &request_headers {
        if CLIENT_HEADERS.contains(&name.as_str()) {
            continue;
        }
        for (who, seen) in [("curl", &curl_headers), ("call", &call_headers)] {
            let got: Vec<&String> = seen
                .iter()
                .filter(|(n, _)| n == name)
                .map(|(_, v)| v)
                .collect();
            assert_eq!(got, vec![value], "{who} sent {name} differently\n{command}");
        }
    }
    for (who, seen) in [("curl", &curl_headers), ("call", &call_headers)] {
        for (name, _) in seen {
            assert!(
                CLIENT_HEADERS.contains(&name.as_str())
                    || request_headers.iter().any(|(n, _)| n == name),
                "{who} sent a header the request does not have: {name}\n{command}"
            );
        }
    }
    for expected in ["content-type", "x-api-key", "x-trace", "x-quote"] {
        assert!(
            request_headers.iter().any(|(n, _)| n == expected),
            "{expected} missing from {request_headers:?}"
        );
    }
}

#[tokio::test]
async fn exported_curl_masks_secrets_unless_revealed() {
    let dir = tempfile::tempdir().expect("tempdir");
    let spec = write_file(dir.path(), "echo.yaml", ECHO_SPEC);
    let args = [
        "curl",
        spec.as_str(),
        "--op",
        "POST /echo",
        "-H",
        "X-Api-Key: s3cret-key-value",
        "-d",
        "{}",
    ];
    let masked = stdout_text(&portico(&args).await);
    assert!(!masked.contains("s3cret-key-value"), "{masked}");
    assert!(masked.contains("-H 'X-Api-Key: ••••••••'"), "{masked}");
    assert!(masked.contains("'http://echo.invalid/echo'"), "{masked}");

    let mut revealed_args = args.to_vec();
    revealed_args.push("--reveal");
    let revealed = stdout_text(&portico(&revealed_args).await);
    assert!(
        revealed.contains("-H 'X-Api-Key: s3cret-key-value'"),
        "{revealed}"
    );

    let bad = portico(&["curl", spec.as_str(), "--op", "nope"]).await;
    assert!(!bad.status.success());
    let stderr = String::from_utf8_lossy(&bad.stderr);
    assert!(stderr.starts_with("portico: "), "{stderr}");
    assert_eq!(stderr.trim_end().lines().count(), 1, "{stderr}");
}

/// What Chrome's "Copy as cURL (bash)" gives for the demo's RRS call made
/// from a web page.
const CHROME_COPY: &str = r#"curl 'http://127.0.0.1:8400/azureml-demo/workspaces/my%20ws/services/text-features/execute?api-version=2.0&details=true' \
  -H 'Accept: application/json, text/plain, */*' \
  -H 'Accept-Language: en-GB,en;q=0.9' \
  -H 'Authorization: Bearer live-token-0123456789' \
  -H 'Connection: keep-alive' \
  -H 'Content-Type: application/json' \
  -H 'Ocp-Apim-Subscription-Key: sub-key-abcdef012345' \
  -H 'Origin: http://localhost:3000' \
  -H 'sec-ch-ua: "Chromium";v="124", "Not-A.Brand";v="99"' \
  -H 'sec-ch-ua-mobile: ?0' \
  --data-raw $'{"Inputs":{"input1":{"ColumnNames":["Col2"],"Values":[["it\'s a good day \u2014 $5"]]}},"GlobalParameters":{}}' \
  --compressed
"#;

#[tokio::test]
async fn import_curl_reads_a_browser_copy_and_matches_the_operation() {
    let out = stdout_json(&portico_with_stdin(&["import", "curl"], CHROME_COPY).await);
    let mask = "••••••••";
    assert_eq!(
        out,
        json!({
            "request": {
                "method": "POST",
                "url": "http://127.0.0.1:8400/azureml-demo/workspaces/my%20ws/services/text-features/execute?api-version=2.0&details=true",
                "headers": [
                    ["Accept", "application/json, text/plain, */*"],
                    ["Accept-Language", "en-GB,en;q=0.9"],
                    ["Authorization", format!("Bearer {mask}")],
                    ["Connection", "keep-alive"],
                    ["Content-Type", "application/json"],
                    ["Ocp-Apim-Subscription-Key", mask],
                    ["Origin", "http://localhost:3000"],
                    ["sec-ch-ua", "\"Chromium\";v=\"124\", \"Not-A.Brand\";v=\"99\""],
                    ["sec-ch-ua-mobile", "?0"],
                ],
                "body": "{\"Inputs\":{\"input1\":{\"ColumnNames\":[\"Col2\"],\"Values\":[[\"it's a good day — $5\"]]}},\"GlobalParameters\":{}}",
            },
            "operation": {
                "api": "azureml-demo",
                "method": "POST",
                "path": "/workspaces/{workspace}/services/{service}/execute",
                "operation_id": null,
                "title": "RRS Execute",
                "server_url": null,
                "params": {
                    "workspace": "my ws",
                    "service": "text-features",
                    "api-version": "2.0",
                    "details": "true",
                },
            },
            "compressed": true,
        })
    );

    // Revealed, the secrets are the ones pasted.
    let revealed =
        stdout_json(&portico_with_stdin(&["import", "curl", "--reveal"], CHROME_COPY).await);
    assert_eq!(
        revealed["request"]["headers"][2],
        json!(["Authorization", "Bearer live-token-0123456789"])
    );

    // Against a definition given as SOURCE: the URL's host differs, the
    // path still fits (same API deployed elsewhere).
    let dir = tempfile::tempdir().expect("tempdir");
    let spec = write_file(dir.path(), "echo.yaml", ECHO_SPEC);
    let out = stdout_json(
        &portico_with_stdin(
            &["import", "curl", spec.as_str()],
            "curl -X POST 'http://127.0.0.1:9/echo?q=1' -H 'X-Trace: t' --data-raw '{}'",
        )
        .await,
    );
    assert_eq!(out["operation"]["operation_id"], "postEcho");
    assert_eq!(out["operation"]["server_url"], "http://127.0.0.1:9");
    assert_eq!(
        out["operation"]["params"],
        json!({"q": "1", "X-Trace": "t"})
    );

    // A URL no operation fits: the request alone.
    let out = stdout_json(
        &portico_with_stdin(
            &["import", "curl", spec.as_str()],
            "curl http://x.test/other",
        )
        .await,
    );
    assert_eq!(out["operation"], Value::Null);
    assert_eq!(out["request"]["method"], "GET");
}

#[tokio::test]
async fn import_curl_errors_say_what_is_wrong() {
    for (input, expected) in [
        ("", "no curl command"),
        ("wget http://x.test", "not a curl command"),
        ("curl 'http://x.test", "unterminated single quote"),
        (
            "curl http://x.test --frobnicate",
            "unknown option `--frobnicate`",
        ),
    ] {
        let out = portico_with_stdin(&["import", "curl"], input).await;
        assert!(!out.status.success(), "{input}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains(expected), "{input}: {stderr}");
        assert_eq!(stderr.trim_end().lines().count(), 1, "{stderr}");
    }
}

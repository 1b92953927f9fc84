//! The command line as a user runs it: the real `portico` binary against
//! definitions in temporary directories, a loopback server started here,
//! and the bundled demo.

use std::net::SocketAddr;
use std::path::Path;
use std::process::Output;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use axum::Router;
use axum::extract::{Path as UrlPath, Query};
use axum::http::HeaderMap;
use axum::routing::{get, post};
use serde_json::{Value, json};

mod support;

use support::{echo_header, portico, write_file};

const SPEC: &str = r#"
openapi: 3.0.3
info: { title: Shop, version: "1.0" }
servers: [ { url: "http://shop.invalid/v1" } ]
paths:
  /items/{itemId}:
    get:
      operationId: getItem
      summary: Get one item
      tags: [items]
      parameters:
        - { name: itemId, in: path, required: true, schema: { type: string } }
        - { name: q, in: query, schema: { type: string } }
  /items:
    post:
      operationId: createItem
      summary: Create an item
      tags: [items]
      requestBody:
        required: true
        content:
          application/json:
            schema: { type: object, properties: { name: { type: string } } }
            example: { name: widget }
      responses: { "201": { description: created } }
"#;

struct Shop {
    addr: SocketAddr,
    hits: Arc<AtomicUsize>,
    _dir: tempfile::TempDir,
}

/// A loopback server for the SPEC above that echoes what it received,
/// with the SPEC's file and the `--server` URL that points it there.
async fn start_shop() -> (Shop, String, String) {
    let hits = Arc::new(AtomicUsize::new(0));
    let get_hits = hits.clone();
    let post_hits = hits.clone();
    let app =
        Router::new()
            .route(
                "/v1/items/{id}",
                get(
                    move |UrlPath(id): UrlPath<String>,
                          Query(query): Query<Vec<(String, String)>>| async move {
                        get_hits.fetch_add(1, Ordering::SeqCst);
                        axum::Json(json!({ "id": id, "query": query }))
                    },
                ),
            )
            .route(
                "/v1/items",
                post(move |headers: HeaderMap, body: String| async move {
                    post_hits.fetch_add(1, Ordering::SeqCst);
                    let content_type = headers
                        .get("content-type")
                        .and_then(|v| v.to_str().ok())
                        .unwrap_or_default()
                        .to_string();
                    (
                        axum::http::StatusCode::CREATED,
                        axum::Json(json!({ "received": body, "content_type": content_type })),
                    )
                }),
            );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind loopback");
    let addr = listener.local_addr().expect("local addr");
    tokio::spawn(async move {
        axum::serve(listener, app).await.expect("serve");
    });
    let _dir = tempfile::tempdir().expect("tempdir");
    let spec = write_spec(_dir.path());
    let server = format!("http://{addr}/v1");
    (Shop { addr, hits, _dir }, spec, server)
}

fn write_spec(dir: &Path) -> String {
    write_file(dir, "shop.yaml", SPEC)
}

fn stdout_json(output: &Output) -> Value {
    assert!(
        output.status.success(),
        "portico failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
        panic!(
            "stdout is not JSON ({e}): {}",
            String::from_utf8_lossy(&output.stdout)
        )
    })
}

#[tokio::test]
async fn list_json_has_one_object_per_operation() {
    let dir = tempfile::tempdir().expect("tempdir");
    let spec = write_spec(dir.path());
    let list = stdout_json(&portico(&["list", "--json", &spec]).await);
    let ops = list.as_array().expect("an array");
    assert_eq!(ops.len(), 2);
    let get_item = ops
        .iter()
        .find(|op| op["operation_id"] == "getItem")
        .expect("getItem listed");
    assert_eq!(get_item["method"], "GET");
    assert_eq!(get_item["path"], "/items/{itemId}");
    assert_eq!(get_item["summary"], "Get one item");
    assert_eq!(get_item["tags"], json!(["items"]));
    assert!(get_item["api"].is_string());
}

#[tokio::test]
async fn call_sends_parameters_encoded_and_reports_the_exchange() {
    let (shop, spec, server) = start_shop().await;
    let out = stdout_json(
        &portico(&[
            "call",
            &spec,
            "--op",
            "getItem",
            "-p",
            "itemId=a/b",
            "-p",
            "q=open now",
            "--server",
            &server,
            "--json",
        ])
        .await,
    );
    assert_eq!(
        out["request"]["url"],
        format!("http://{}/v1/items/a%2Fb?q=open%20now", shop.addr)
    );
    assert_eq!(out["response"]["status"], 200);
    assert_eq!(out["response"]["reason"], "OK");
    // A JSON answer is a JSON value in `--json`, not a string holding JSON.
    let body = &out["response"]["body"];
    assert_eq!(body["id"], "a/b");
    assert_eq!(body["query"], json!([["q", "open now"]]));
    assert!(out["timing"]["total_ms"].as_f64().expect("total") >= 0.0);
    assert_eq!(shop.hits.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn call_posts_the_sample_body_by_method_and_path_selector() {
    let (_shop, spec, server) = start_shop().await;
    let output = portico(&[
        "call",
        &spec,
        "--op",
        "POST /items",
        "--server",
        &server,
        "-i",
    ])
    .await;
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(stdout.starts_with("HTTP/1.1 201 Created"), "{stdout}");
    assert!(stdout.contains("widget"), "{stdout}");
    assert!(stdout.contains("application/json"), "{stdout}");
}

#[tokio::test]
async fn dry_run_builds_without_sending() {
    let (shop, spec, server) = start_shop().await;
    let out = stdout_json(
        &portico(&[
            "call",
            &spec,
            "--op",
            "createItem",
            "-d",
            r#"{"$gt": 18}"#,
            "-H",
            "X-Trace: 1",
            "--server",
            &server,
            "--dry-run",
            "--json",
        ])
        .await,
    );
    assert_eq!(out["method"], "POST");
    assert_eq!(out["body"], r#"{"$gt": 18}"#);
    assert!(
        out["headers"]
            .as_array()
            .expect("headers")
            .contains(&json!(["X-Trace", "1"]))
    );
    assert_eq!(
        shop.hits.load(Ordering::SeqCst),
        0,
        "a dry run sends nothing"
    );
}

#[tokio::test]
async fn build_errors_and_bad_selectors_fail_with_one_line() {
    let dir = tempfile::tempdir().expect("tempdir");
    let spec = write_spec(dir.path());

    let missing = portico(&["call", &spec, "--op", "getItem", "--dry-run"]).await;
    assert!(!missing.status.success());
    let stderr = String::from_utf8_lossy(&missing.stderr);
    assert!(stderr.contains("itemId"), "{stderr}");
    assert_eq!(stderr.trim_end().lines().count(), 1, "{stderr}");

    let bad_json = portico(&[
        "call",
        &spec,
        "--op",
        "createItem",
        "-d",
        "{\"a\": ",
        "--dry-run",
    ])
    .await;
    assert!(!bad_json.status.success());
    let stderr = String::from_utf8_lossy(&bad_json.stderr);
    assert!(stderr.contains("line 1"), "{stderr}");

    let unknown = portico(&["call", &spec, "--op", "getItems", "--dry-run"]).await;
    assert!(!unknown.status.success());
    let stderr = String::from_utf8_lossy(&unknown.stderr);
    assert!(
        stderr.contains("getItem"),
        "nearest matches listed: {stderr}"
    );
}

#[tokio::test]
async fn unreachable_host_is_a_one_line_error() {
    let dir = tempfile::tempdir().expect("tempdir");
    let spec = write_spec(dir.path());
    // Bind then drop a listener: nothing listens on that port afterwards.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .expect("bind")
        .local_addr()
        .expect("addr")
        .port();
    let server = format!("http://127.0.0.1:{port}/v1");
    let output = portico(&[
        "call", &spec, "--op", "getItem", "-p", "itemId=1", "--server", &server,
    ])
    .await;
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.to_lowercase().contains("refused"), "{stderr}");
    assert!(stderr.contains(&port.to_string()), "{stderr}");
    assert_eq!(stderr.trim_end().lines().count(), 1, "{stderr}");
}
#[tokio::test]
async fn bundled_demo_answers_rrs_execute_with_no_typing() {
    let out = stdout_json(&portico(&["call", "--op", "RRS Execute", "--json"]).await);
    assert_eq!(out["response"]["status"], 200, "{out}");
    let body = &out["response"]["body"];
    let table = &body["Results"]["output1"]["value"];
    let columns = table["ColumnNames"].as_array().expect("columns");
    assert_eq!(
        columns.len(),
        9,
        "the text column and eight hashing features"
    );
    let row = table["Values"][0].as_array().expect("first row");
    let sum: u64 = row[1..]
        .iter()
        .map(|v| {
            v.as_str()
                .expect("count as text")
                .parse::<u64>()
                .expect("a count")
        })
        .sum();
    assert_eq!(sum, 9, "five unigrams and four bigrams");
    // Keys never appear in plain text unless revealed.
    let request = out["request"].to_string();
    assert!(!request.contains(portico::demo::API_KEY), "{request}");
    assert!(
        !request.contains(portico::demo::PRIMARY_SUBSCRIPTION_KEY),
        "{request}"
    );
}

/// An https API with a self-signed certificate: refused while checking is
/// on, reached when its portal entry says `tls_verify = false` or the
/// command line says `-k`, and then the user is told on stderr.
#[tokio::test]
async fn tls_verification_is_on_unless_turned_off_per_api_or_by_flag() {
    let server = support::TlsServer::start();
    let dir = tempfile::tempdir().expect("tempdir");
    let write_portal = |name: &str, switch: &str| {
        let path = dir.path().join(name);
        let text = format!(
            "[[api]]\nid = \"selfsigned\"\nservice_url = \"{}\"\n{switch}\n\
             [[api.operation]]\nname = \"Probe\"\nmethod = \"GET\"\ntemplate = \"/probe\"\n\
             [[flow]]\nname = \"probe\"\n[[flow.step]]\nop = \"Probe\"\n",
            server.url("")
        );
        std::fs::write(&path, text).expect("write portal");
        path.to_string_lossy().into_owned()
    };
    let checked = write_portal("checked.toml", "");
    let unchecked = write_portal("unchecked.toml", "tls_verify = false");

    let refused = portico(&["call", &checked, "--op", "Probe"]).await;
    assert!(!refused.status.success());
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(stderr.contains("TLS handshake failed"), "{stderr}");
    assert!(stderr.contains("certificate is not trusted"), "{stderr}");
    assert!(stderr.contains("self-signed"), "{stderr}");

    for args in [
        vec!["call", &unchecked, "--op", "Probe", "-i"],
        vec!["call", "-k", &checked, "--op", "Probe", "-i"],
    ] {
        let output = portico(&args).await;
        let stdout = String::from_utf8_lossy(&output.stdout);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(output.status.success(), "{args:?}: {stderr}");
        assert!(stdout.starts_with("HTTP/1.1 200 OK"), "{args:?}: {stdout}");
        assert!(
            stderr.contains("TLS certificate not verified for selfsigned"),
            "{args:?}: {stderr}"
        );
    }

    // Flows follow each API's switch too.
    let flow = portico(&["run", "probe", &unchecked]).await;
    let stderr = String::from_utf8_lossy(&flow.stderr);
    assert!(flow.status.success(), "{stderr}");
    let flow = portico(&["run", "probe", &checked]).await;
    assert!(!flow.status.success());
    let out = String::from_utf8_lossy(&flow.stdout) + String::from_utf8_lossy(&flow.stderr);
    assert!(out.contains("TLS handshake failed"), "{out}");
}

/// Options may come before the command: `portico --home DIR list` is
/// `portico list --home DIR`, not the TUI opened on a file called `list`.
#[tokio::test]
async fn options_before_the_command_belong_to_it() {
    let home = tempfile::tempdir().expect("home");
    let home = home.path().to_string_lossy().into_owned();
    let before = portico(&["--home", &home, "history", "--limit", "1"]).await;
    let after = portico(&["history", "--limit", "1", "--home", &home]).await;
    let stdout = String::from_utf8_lossy(&before.stdout);
    assert!(
        before.status.success(),
        "{}",
        String::from_utf8_lossy(&before.stderr)
    );
    assert!(stdout.contains(&home), "the history of --home: {stdout}");
    assert_eq!(before.stdout, after.stdout);

    let listed = stdout_json(&portico(&["--env", "demo", "list", "--json"]).await);
    assert!(
        listed.as_array().is_some_and(|ops| ops.len() == 9),
        "{listed}"
    );
}

/// A timeout that is not a number of seconds is an error that says so,
/// not a crash; 0 waits until cancelled.
#[tokio::test]
async fn timeouts_that_are_not_seconds_are_refused() {
    for value in ["inf", "-1", "NaN"] {
        let flag = format!("--timeout={value}");
        let output = portico(&["call", "--op", "RRS Execute", &flag]).await;
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(1), "{value}: {stderr}");
        assert!(
            stderr.starts_with("portico: --timeout: ")
                && stderr.contains("not a number of seconds"),
            "{value}: {stderr}"
        );
        assert_eq!(stderr.trim_end().lines().count(), 1, "{value}: {stderr}");
    }
    // 0, or more seconds than the clock can count: no limit.
    for value in ["0", "1e19"] {
        let output = portico(&["call", "--op", "RRS Execute", "--timeout", value]).await;
        assert!(
            output.status.success(),
            "{value}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
}

/// A capture declared on an operation runs from `portico call` too: the
/// value is announced on stderr (a secret one masked) and given in
/// `--json`.
#[tokio::test]
async fn call_applies_the_operations_captures() {
    let server = support::TestServer::start().await;
    let dir = tempfile::tempdir().expect("dir");
    let portal = dir.path().join("portal.toml");
    std::fs::write(
        &portal,
        format!(
            r#"
[[api]]
id = "t"
service_url = "{}"

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
"#,
            server.url("")
        ),
    )
    .expect("write portal");
    let portal = portal.to_string_lossy().into_owned();

    let output = portico(&["call", &portal, "--op", "Echo", "--json"]).await;
    let json = stdout_json(&output);
    assert_eq!(
        json["captured"],
        json!({"seen_method": "POST", "session_token": "••••••••"})
    );
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("captured seen_method = POST"), "{stderr}");
    assert!(
        !stderr.contains("/echo"),
        "the secret capture is masked: {stderr}"
    );

    let output = portico(&["call", &portal, "--op", "Echo", "--json", "--reveal"]).await;
    assert_eq!(stdout_json(&output)["captured"]["session_token"], "/echo");
}

/// `portico show` prints an operation's documentation; `--json` gives its
/// parameters, request body and responses with schema trees.
#[tokio::test]
async fn show_prints_the_operation_with_its_schemas() {
    let dir = tempfile::tempdir().expect("dir");
    let spec = write_spec(dir.path());
    let output = portico(&["show", &spec, "--op", "createItem", "--json"]).await;
    let json = stdout_json(&output);
    assert_eq!(json["method"], "POST");
    let media = &json["request_body"]["content"][0];
    assert_eq!(media["content_type"], "application/json");
    assert_eq!(
        media["schema"]["children"][0],
        json!({"name": "name", "type": ["string"], "required": false})
    );
    assert_eq!(json["responses"][0]["status"], "201");

    let output = portico(&["show", &spec, "--op", "getItem"]).await;
    assert!(output.status.success());
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(
        text.starts_with("GET /items/{itemId}  Get one item"),
        "{text}"
    );
    assert!(text.contains("itemId (path)*"), "{text}");
}

/// A reader that stops early (`| head -c 10`) ends portico quietly: no
/// "Broken pipe" message, a success exit.
#[test]
fn a_closed_pipe_ends_quietly() {
    let spec = concat!(env!("CARGO_MANIFEST_DIR"), "/assets/demo/openapi.yaml");
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_portico"))
        .args(["show", spec, "--op", "RRS Execute"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("run portico");
    // Read nothing: close our end at once, as `head -c 0` would.
    drop(child.stdout.take());
    let output = child.wait_with_output().expect("portico ends");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!stderr.contains("Broken pipe"), "{stderr}");
    assert!(output.status.success(), "{:?}: {stderr}", output.status);
}

const FORMS: &str = r#"
openapi: 3.0.3
info: { title: Forms, version: "1" }
servers: [ { url: "http://forms.invalid" } ]
paths:
  /echo:
    post:
      operationId: postForm
      requestBody:
        content:
          application/x-www-form-urlencoded:
            schema:
              type: object
              required: [channel]
              properties:
                channel: { type: string }
                text: { type: string }
      responses: { "200": { description: ok } }
    put:
      operationId: upload
      requestBody:
        content:
          multipart/form-data:
            schema:
              type: object
              properties:
                note: { type: string }
                file: { type: string, format: binary }
      responses: { "200": { description: ok } }
"#;

/// `-F` fills a form body, encoded for its media type; `-F name=@path`
/// uploads a file as multipart; `-u` and `--bearer` add credentials the
/// definition does not declare. All checked on what the server received.
#[tokio::test]
async fn form_fields_files_and_credentials_from_the_command_line() {
    let server = support::TestServer::start().await;
    let dir = tempfile::tempdir().expect("dir");
    let spec = write_file(dir.path(), "forms.yaml", FORMS);
    let base = server.url("");

    let output = portico(&[
        "call",
        &spec,
        "--op",
        "postForm",
        "--server",
        &base,
        "-F",
        "channel=C1",
        "-F",
        "text=a b&c",
        "-u",
        "user:pass",
        "--json",
    ])
    .await;
    let echo = stdout_json(&output)["response"]["body"].clone();
    assert_eq!(echo["body"], "channel=C1&text=a+b%26c");
    assert_eq!(
        echo_header(&echo, "content-type"),
        Some("application/x-www-form-urlencoded")
    );
    // user:pass in base64.
    assert_eq!(
        echo_header(&echo, "authorization"),
        Some("Basic dXNlcjpwYXNz")
    );

    let file = dir.path().join("report.csv");
    std::fs::write(&file, "a,b\n1,2\n").expect("write file");
    let field = format!("file=@{}", file.display());
    let output = portico(&[
        "call", &spec, "--op", "upload", "--server", &base, "-F", &field, "-F", "note=hi",
        "--bearer", "tok-123", "--json",
    ])
    .await;
    let json = stdout_json(&output);
    let echo = &json["response"]["body"];
    let body = echo["body"].as_str().expect("text body");
    assert!(
        body.contains("Content-Disposition: form-data; name=\"file\"; filename=\"report.csv\"\r\nContent-Type: text/csv\r\n\r\na,b\n1,2\n\r\n"),
        "{body}"
    );
    assert!(body.contains("name=\"note\"\r\n\r\nhi\r\n"), "{body}");
    let content_type = echo_header(echo, "content-type").expect("content type");
    let boundary = content_type
        .strip_prefix("multipart/form-data; boundary=")
        .expect("a multipart type with its boundary");
    assert!(body.ends_with(&format!("--{boundary}--\r\n")), "{body}");
    assert_eq!(echo_header(echo, "authorization"), Some("Bearer tok-123"));
    // The token is masked in what portico prints of the request.
    assert!(!json["request"].to_string().contains("tok-123"));

    // A file that is not there: refused before sending, with its path.
    let output = portico(&[
        "call",
        &spec,
        "--op",
        "upload",
        "--server",
        &base,
        "-F",
        "file=@/no/such/file",
    ])
    .await;
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("form field `file`: cannot read /no/such/file"),
        "{stderr}"
    );
}

/// Slack's `chat.postMessage` takes a form: `-F` sends its fields encoded.
#[tokio::test]
async fn slack_post_message_fields_are_encoded() {
    let specs = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/specs");
    let slack = specs.join("slack-web-api-2.0.json");
    if !slack.is_file() {
        eprintln!("note: {} is absent; skipping", slack.display());
        return;
    }
    let slack = slack.to_string_lossy().into_owned();
    let output = portico(&[
        "call",
        &slack,
        "--op",
        "chat_postMessage",
        "-p",
        "token=xoxb-1",
        "-F",
        "channel=C1",
        "-F",
        "text=a b&c",
        "--dry-run",
        "--json",
    ])
    .await;
    let json = stdout_json(&output);
    assert_eq!(json["body"], "channel=C1&text=a+b%26c");
    let show = portico(&["show", &slack, "--op", "chat_postMessage", "--json"]).await;
    let show = stdout_json(&show);
    let form = &show["request_body"]["content"][0];
    assert_eq!(form["content_type"], "application/x-www-form-urlencoded");
    let fields: Vec<&str> = form["schema"]["children"]
        .as_array()
        .expect("fields")
        .iter()
        .filter_map(|f| f["name"].as_str())
        .collect();
    assert!(
        fields.contains(&"channel") && fields.contains(&"text"),
        "{fields:?}"
    );
}

/// `portico list --search` ranks as the TUI's filter does and says the
/// real count.
#[tokio::test]
async fn list_search_ranks_and_counts() {
    let dir = tempfile::tempdir().expect("dir");
    let spec = write_spec(dir.path());
    let output = portico(&["list", &spec, "--search", "create item", "--json"]).await;
    let json = stdout_json(&output);
    assert_eq!(json["matches"][0]["operation_id"], "createItem");
    assert_eq!(json["total"], 1);
    let output = portico(&["list", &spec, "--search", "zzzz", "--json"]).await;
    assert_eq!(stdout_json(&output)["total"], 0);
    let output = portico(&["list", &spec, "--search", "item", "--limit", "1"]).await;
    assert!(output.status.success());
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(stdout.lines().count(), 1, "{stdout}");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("2 matches, the best 1 shown"), "{stderr}");
}

const CHECKED: &str = r#"
openapi: 3.0.3
info: { title: Checked, version: "1" }
servers: [ { url: "http://checked.invalid" } ]
paths:
  /echo:
    post:
      operationId: order
      requestBody:
        content:
          application/json:
            schema:
              type: object
              required: [qty]
              properties: { qty: { type: integer, minimum: 1 } }
      responses:
        "200":
          description: the request, echoed
          content:
            application/json:
              schema:
                type: object
                required: [method, path]
                properties:
                  method: { type: string, enum: [POST] }
                  path: { type: string }
  /status/{code}:
    get:
      operationId: status
      parameters:
        - { name: code, in: path, required: true, schema: { type: integer } }
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema: { type: object }
"#;

/// `--validate` checks the request and the answer against the definition:
/// each difference on stderr with where it is, exit status 3; a match is
/// 0. `--json` carries the same as `"validation"`.
#[tokio::test]
async fn call_validate_reports_differences_with_their_place() {
    let server = support::TestServer::start().await;
    let dir = tempfile::tempdir().expect("dir");
    let spec = write_file(dir.path(), "checked.yaml", CHECKED);
    let base = server.url("");
    let call = |extra: &[&str]| {
        let mut args = vec![
            "call",
            spec.as_str(),
            "--server",
            base.as_str(),
            "--validate",
        ];
        args.extend_from_slice(extra);
        args.into_iter().map(str::to_string).collect::<Vec<_>>()
    };
    let run = |args: Vec<String>| async move {
        let refs: Vec<&str> = args.iter().map(String::as_str).collect();
        portico(&refs).await
    };

    let matching = run(call(&["--op", "order", "-d", r#"{"qty": 2}"#])).await;
    let stderr = String::from_utf8_lossy(&matching.stderr);
    assert_eq!(matching.status.code(), Some(0), "{stderr}");
    assert!(stderr.contains("match the definition"), "{stderr}");

    let wrong = run(call(&["--op", "order", "-d", r#"{"qty": "3"}"#])).await;
    let stderr = String::from_utf8_lossy(&wrong.stderr);
    assert_eq!(wrong.status.code(), Some(3), "{stderr}");
    assert!(
        stderr.contains(r#"request: body /qty: expected integer, found "3""#),
        "{stderr}"
    );

    // Sent all the same: the server answered, and the answer matched.
    let json = run(call(&["--op", "order", "-d", r#"{"qty": 0}"#, "--json"])).await;
    assert_eq!(json.status.code(), Some(3));
    let value: Value = serde_json::from_slice(&json.stdout).expect("JSON");
    assert_eq!(value["response"]["status"], 200);
    assert_eq!(value["validation"]["request"][0]["at"], "/qty");
    assert_eq!(value["validation"]["request"][0]["place"], "body");
    assert_eq!(value["validation"]["response"], json!([]));

    // A text answer where JSON is documented, an undocumented status, a
    // path parameter that is no integer.
    let text = run(call(&["--op", "status", "-p", "code=200"])).await;
    let stderr = String::from_utf8_lossy(&text.stderr);
    assert_eq!(text.status.code(), Some(3), "{stderr}");
    assert!(
        stderr.contains("response: content type: text/plain")
            && stderr.contains("(documented: application/json)"),
        "{stderr}"
    );
    let teapot = run(call(&["--op", "status", "-p", "code=418"])).await;
    let stderr = String::from_utf8_lossy(&teapot.stderr);
    assert!(
        stderr.contains("response: status: 418 is not documented (documented: 200)"),
        "{stderr}"
    );
    let typo = run(call(&["--op", "status", "-p", "code=abc"])).await;
    let stderr = String::from_utf8_lossy(&typo.stderr);
    assert!(
        stderr.contains(r#"request: path `code`: expected integer, found "abc""#),
        "{stderr}"
    );
}

/// Azure's `x-ms-paths` keeps operations that share a path and differ by a
/// fixed query (`/echo?op=start`): they are listed beside `paths` and
/// called with that query, sent once even when the operation also declares
/// it as a parameter.
#[tokio::test]
async fn x_ms_paths_are_listed_and_called_with_their_fixed_query() {
    let server = support::TestServer::start().await;
    let dir = tempfile::tempdir().expect("dir");
    let spec = dir.path().join("jobs.json");
    let definition = json!({
        "swagger": "2.0",
        "info": {"title": "Jobs", "version": "2024-01-01"},
        "host": server.addr.to_string(),
        "schemes": ["http"],
        "paths": {"/echo": {"get": {"operationId": "Jobs_List", "responses": {"200": {"description": "ok"}}}}},
        "x-ms-paths": {
            "/echo?op=start": {"post": {
                "operationId": "Jobs_Start",
                "parameters": [
                    {"name": "op", "in": "query", "required": true, "type": "string", "enum": ["start"]},
                    {"name": "api-version", "in": "query", "required": true, "type": "string", "default": "2024-01-01"}
                ],
                "responses": {"200": {"description": "ok"}}
            }},
            "/echo?op=stop": {"post": {"operationId": "Jobs_Stop", "responses": {"200": {"description": "ok"}}}}
        }
    });
    std::fs::write(&spec, definition.to_string()).expect("write spec");
    let spec = spec.to_string_lossy().into_owned();

    let list = stdout_json(&portico(&["list", "--json", &spec]).await);
    let paths: Vec<&str> = list
        .as_array()
        .expect("an array")
        .iter()
        .filter_map(|op| op["path"].as_str())
        .collect();
    assert_eq!(paths, ["/echo", "/echo?op=start", "/echo?op=stop"]);

    let called = stdout_json(&portico(&["call", &spec, "--op", "Jobs_Start", "--json"]).await);
    let echoed = &called["response"]["body"];
    assert_eq!(echoed["method"], "POST");
    assert_eq!(
        echoed["query"], "op=start&api-version=2024-01-01",
        "the fixed query once, then the parameters: {called:#}"
    );
    let stopped =
        stdout_json(&portico(&["call", &spec, "--op", "POST /echo?op=stop", "--json"]).await);
    assert_eq!(stopped["response"]["body"]["query"], "op=stop");
}

const BLOBS: &str = r#"
openapi: 3.0.3
info: { title: Blobs, version: "1" }
servers: [ { url: "http://blobs.invalid" } ]
paths:
  /echo:
    put:
      operationId: putBlob
      requestBody:
        content:
          application/octet-stream:
            schema: { type: string, format: binary }
      responses: { "200": { description: ok } }
"#;

/// A binary body comes from a file, byte for byte (`--data-binary @FILE`),
/// labelled with the operation's type; curl export names the file; `-d`
/// on a file that is not text says what to use instead.
#[tokio::test]
async fn a_binary_body_is_sent_from_a_file() {
    let server = support::TestServer::start().await;
    let dir = tempfile::tempdir().expect("dir");
    let spec = write_file(dir.path(), "blobs.yaml", BLOBS);
    let blob = dir.path().join("blob.bin");
    let bytes: Vec<u8> = (0..=255u8).cycle().take(1000).collect();
    std::fs::write(&blob, &bytes).expect("write blob");
    let at_blob = format!("@{}", blob.display());
    let base = server.url("");

    let output = portico(&[
        "call",
        &spec,
        "--op",
        "putBlob",
        "--server",
        &base,
        "--data-binary",
        &at_blob,
        "--json",
    ])
    .await;
    let echo = stdout_json(&output)["response"]["body"].clone();
    assert_eq!(echo["method"], "PUT");
    assert_eq!(echo["body_len"], 1000);
    assert_eq!(
        echo_header(&echo, "content-type"),
        Some("application/octet-stream")
    );

    let curl = portico(&["curl", &spec, "--op", "putBlob", "--data-binary", &at_blob]).await;
    let curl = String::from_utf8_lossy(&curl.stdout);
    assert!(
        curl.contains(&format!("--data-binary '{at_blob}'")),
        "{curl}"
    );

    let refused = portico(&[
        "call",
        &spec,
        "--op",
        "putBlob",
        "-d",
        &at_blob,
        "--dry-run",
    ])
    .await;
    assert!(!refused.status.success());
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(stderr.contains("--data-binary"), "{stderr}");

    let missing = portico(&[
        "call",
        &spec,
        "--op",
        "putBlob",
        "--server",
        &base,
        "--data-binary",
        "@/no/such/blob",
    ])
    .await;
    assert!(!missing.status.success());
    let stderr = String::from_utf8_lossy(&missing.stderr);
    assert!(stderr.contains("body file /no/such/blob"), "{stderr}");
}

/// A parameter whose schema has structure shows it as a tree: GitHub's
/// `cwes` on `GET /advisories` is one of a string or an array of strings.
#[tokio::test]
async fn a_structured_parameter_shows_its_schema_tree() {
    let github = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/specs/github-api.github.com-3.0.json");
    if !github.is_file() {
        eprintln!("note: {} is absent; skipping", github.display());
        return;
    }
    let github = github.to_string_lossy().into_owned();
    let show = portico(&["show", &github, "--op", "GET /advisories", "--json"]).await;
    let show = stdout_json(&show);
    let parameters = show["parameters"].as_array().expect("parameters");
    let cwes = parameters
        .iter()
        .find(|p| p["name"] == "cwes")
        .expect("cwes");
    assert_eq!(cwes["in"], "query");
    assert_eq!(cwes["variants"], "oneOf");
    let variants: Vec<&str> = cwes["children"]
        .as_array()
        .expect("variants")
        .iter()
        .filter_map(|v| v["name"].as_str())
        .collect();
    assert_eq!(variants, ["string", "array"]);
    assert_eq!(cwes["children"][1]["children"][0]["type"][0], "string");
    // A scalar parameter stays one node.
    let per_page = parameters
        .iter()
        .find(|p| p["name"] == "per_page")
        .expect("per_page");
    assert!(per_page.get("children").is_none());
}

//! Requests moving between portico and other tools: `portico curl` run by
//! the real curl against a loopback server, `portico import curl` on a
//! browser's "Copy as cURL", `.http` files and Postman collections.

mod support;

use std::path::Path;
use std::process::{Output, Stdio};

use serde_json::{Value, json};
use tokio::io::AsyncWriteExt;

use support::{TestServer, write_file};

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

/// Runs portico with its files (presets, environments) in `home`.
async fn portico_at(home: &Path, args: &[&str], stdin: &str) -> Output {
    let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_portico"))
        .args(args)
        .env("PORTICO_HOME", home)
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

/// Runs portico in a home of its own, thrown away afterwards.
async fn portico_with_stdin(args: &[&str], stdin: &str) -> Output {
    let home = tempfile::tempdir().expect("tempdir");
    portico_at(home.path(), args, stdin).await
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

/// `[[name, value], ...]` as pairs, names in lower case.
fn header_pairs(headers: &Value, what: &str) -> Vec<(String, String)> {
    headers
        .as_array()
        .expect(what)
        .iter()
        .map(|pair| {
            (
                pair[0].as_str().expect("name").to_ascii_lowercase(),
                pair[1].as_str().expect("value").to_string(),
            )
        })
        .collect()
}

fn echo_headers(echo: &Value) -> Vec<(String, String)> {
    header_pairs(&echo["headers"], "echo headers")
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
    let by_call = call["response"]["body"].clone();

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
    let request_headers = header_pairs(&sent["headers"], "request headers");
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

    // A saved preset exports the same command.
    let home = tempfile::tempdir().expect("tempdir");
    let mut save = vec!["call"];
    save.extend(&args[1..]);
    save.extend(["--dry-run", "--save-preset", "keyed", "--save-secrets"]);
    stdout_text(&portico_at(home.path(), &save, "").await);
    let from_preset = stdout_text(
        &portico_at(
            home.path(),
            &[
                "curl",
                spec.as_str(),
                "--op",
                "POST /echo",
                "--preset",
                "keyed",
                "--reveal",
            ],
            "",
        )
        .await,
    );
    assert_eq!(from_preset, revealed);

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

// ----------------------------------------------------------------- .http --

use portico::catalog::{Catalog, Environment, OperationKey, Variable};
use portico::interchange::ImportedRequest;
use portico::interchange::http_file::{self, HttpFile};
use portico::interchange::imported::{self, ORPHAN_API};
use portico::request::{FormField, Row, Vars};

fn fixture(name: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/interchange")
        .join(name)
}

fn row(name: &str, value: &str) -> Row {
    Row {
        name: name.into(),
        value: value.into(),
        enabled: true,
    }
}

fn var(value: &str, secret: bool) -> Variable {
    Variable {
        value: value.into(),
        secret,
    }
}

fn demo_catalog() -> Catalog {
    portico::catalog::load_portal_str(portico::demo::PORTAL, "demo portal").expect("demo portal")
}

fn env_vars(env: &Environment) -> Vars {
    Vars {
        environment: env.variables.clone(),
        ..Vars::default()
    }
}

const RRS_BODY: &str = "{\n  \"Inputs\": {\n    \"input1\": {\n      \"ColumnNames\": [\"Col2\"],\n      \"Values\": [[\"it's a {{mood}} day\"]]\n    }\n  },\n  \"GlobalParameters\": {}\n}";

#[test]
fn http_file_imports_requests_variables_names_and_body_files() {
    let file = http_file::read(&fixture("demo.http")).expect("reads demo.http");
    assert_eq!(
        file.variables.iter().collect::<Vec<_>>(),
        vec![
            (&"apiversion".to_string(), &"2.0".to_string()),
            (&"workspace".to_string(), &"demo-workspace".to_string()),
            (&"gateway".to_string(), &"{{base}}/azureml-demo".to_string()),
        ]
    );
    assert_eq!(
        file.requests,
        vec![
            ImportedRequest {
                name: "rrs".into(),
                method: "POST".into(),
                url: "{{gateway}}/workspaces/{{workspace}}/services/text-features/execute?api-version={{apiversion}}&details=true".into(),
                headers: vec![
                    row("Content-Type", "application/json"),
                    row("Authorization", "Bearer {{api_key}}"),
                    row("Ocp-Apim-Subscription-Key", "{{subscription_key}}"),
                ],
                disabled_query: vec![],
                body: RRS_BODY.into(),
                form: vec![],
                body_file: None,
            },
            ImportedRequest {
                name: "status".into(),
                method: "GET".into(),
                url: "{{gateway}}/workspaces/{{workspace}}/services/text-features/jobs/{{jobid}}?api-version={{apiversion}}".into(),
                headers: vec![
                    row("Ocp-Apim-Subscription-Key", "{{subscription_key}}"),
                    row("Accept", "application/json"),
                ],
                disabled_query: vec![],
                body: String::new(),
                form: vec![],
                body_file: None,
            },
            ImportedRequest {
                name: "health check".into(),
                method: "GET".into(),
                url: "https://status.example.test/health?verbose=1&since={{since}}".into(),
                headers: vec![row("X-Debug", "1")],
                disabled_query: vec![],
                body: String::new(),
                form: vec![],
                body_file: None,
            },
        ]
    );
    assert_eq!(file.warnings.len(), 1, "{:?}", file.warnings);
    assert!(
        file.warnings[0].ends_with("demo.http:30: a response handler script is not imported"),
        "{:?}",
        file.warnings
    );

    // The environments file and its private companion, with the file's
    // variables under each environment.
    let (envs, warnings) = http_file::read_environments(
        &fixture(http_file::ENV_FILE),
        Some(&fixture(http_file::PRIVATE_ENV_FILE)),
    )
    .expect("reads the environments");
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert!(
        warnings[0].contains("`staging.SSLConfiguration`"),
        "{warnings:?}"
    );
    let envs = http_file::environments_with_file_variables(&file, envs, "demo");
    let expected = |pairs: &[(&str, Variable)]| -> indexmap::IndexMap<String, Variable> {
        pairs
            .iter()
            .map(|(n, v)| ((*n).to_string(), v.clone()))
            .collect()
    };
    assert_eq!(
        envs,
        vec![
            Environment {
                name: "local".into(),
                variables: expected(&[
                    (
                        "subscription_key",
                        var("demo-primary-4f1c2a9e8b7d4e0f", true)
                    ),
                    ("retries", var("3", false)),
                    ("base", var("http://127.0.0.1:8400", false)),
                    ("mood", var("good", false)),
                    ("api_key", var("demo-api-key-0c9d8e7f6a5b4c3d", true)),
                    ("apiversion", var("2.0", false)),
                    ("workspace", var("demo-workspace", false)),
                    ("gateway", var("http://127.0.0.1:8400/azureml-demo", false)),
                ]),
            },
            Environment {
                name: "staging".into(),
                variables: expected(&[
                    ("base", var("https://staging.example.test", false)),
                    ("mood", var("fine", false)),
                    ("api_key", var("staging-key-123456", true)),
                    ("subscription_key", var("staging-sub-abcdef", true)),
                    ("apiversion", var("2.0", false)),
                    ("workspace", var("demo-workspace", false)),
                    (
                        "gateway",
                        var("https://staging.example.test/azureml-demo", false)
                    ),
                ]),
            },
        ]
    );

    // Placed on the catalog: the demo's operations for the first two (the
    // URL reached through `{{gateway}}`), an orphan for the third.
    let catalog = demo_catalog();
    let vars = env_vars(&envs[0]);
    let placed: Vec<imported::Placed> = file
        .requests
        .iter()
        .map(|r| imported::place(&catalog, r, &vars))
        .collect();
    let key = |api: &str, method: &str, path: &str| OperationKey {
        api: api.into(),
        method: method.into(),
        path: path.into(),
    };
    assert_eq!(
        placed[0].key,
        key(
            "azureml-demo",
            "POST",
            "/workspaces/{workspace}/services/{service}/execute"
        )
    );
    let rrs = &placed[0].draft;
    assert_eq!(rrs.server_url.as_deref(), Some("{{gateway}}"));
    let params: Vec<(&str, &str)> = rrs
        .params
        .iter()
        .map(|p| (p.name.as_str(), p.value.as_str()))
        .collect();
    assert_eq!(
        params,
        vec![
            ("workspace", "{{workspace}}"),
            ("service", "text-features"),
            ("api-version", "{{apiversion}}"),
            ("details", "true"),
        ]
    );
    assert_eq!(rrs.headers, file.requests[0].headers);
    assert_eq!(rrs.content_type.as_deref(), Some("application/json"));
    assert_eq!(rrs.body, RRS_BODY);
    assert!(rrs.extra_query.is_empty());

    assert_eq!(
        placed[1].key,
        key(
            "azureml-demo",
            "GET",
            "/workspaces/{workspace}/services/{service}/jobs/{jobid}"
        )
    );
    let jobid = placed[1]
        .draft
        .params
        .iter()
        .find(|p| p.name == "jobid")
        .expect("jobid");
    assert_eq!(jobid.value, "{{jobid}}");

    assert_eq!(placed[2].key, key(ORPHAN_API, "GET", "/health"));
    assert_eq!(placed[2].operation, None);
    let health = &placed[2].draft;
    assert_eq!(
        health.server_url.as_deref(),
        Some("https://status.example.test")
    );
    assert_eq!(
        health.extra_query,
        vec![row("verbose", "1"), row("since", "{{since}}")]
    );
    assert_eq!(health.headers, vec![row("X-Debug", "1")]);

    // Built with the staging environment, the same preset goes to staging.
    let api = &catalog.apis[placed[0].operation.expect("matched").0];
    let op = &api.operations[placed[0].operation.expect("matched").1];
    let built = portico::request::build(api, op, rrs, &env_vars(&envs[1])).expect("builds");
    assert_eq!(
        built.url,
        "https://staging.example.test/azureml-demo/workspaces/demo-workspace/services/text-features/execute?api-version=2.0&details=true"
    );
    assert_eq!(
        built.header("Authorization"),
        Some("Bearer staging-key-123456")
    );
    assert!(
        String::from_utf8_lossy(built.body.as_deref().expect("body")).contains("it's a fine day")
    );
}

/// Import, export, import again: the same presets (operation, name,
/// draft) both times, and the written file reads back to the requests
/// that were written.
#[test]
fn http_export_then_import_gives_the_same_requests() {
    let catalog = demo_catalog();
    let file = http_file::read(&fixture("demo.http")).expect("reads demo.http");
    let (envs, _) =
        http_file::read_environments(&fixture(http_file::ENV_FILE), None).expect("environments");
    let envs = http_file::environments_with_file_variables(&file, envs, "demo");
    let vars = env_vars(&envs[0]);
    let mut requests = file.requests.clone();
    // What the format cannot say on its own.
    requests[2].headers.push(Row {
        name: "X-Off".into(),
        value: "not sent".into(),
        enabled: false,
    });
    requests[2].disabled_query.push(Row {
        name: "page".into(),
        value: "2".into(),
        enabled: false,
    });
    requests.push(ImportedRequest {
        name: "nasty".into(),
        method: "PUT".into(),
        url: "http://{{host}}/a%20b/{{id}}?q=x%26y&u=%C3%A9".into(),
        headers: vec![row("X-Quote", "it's \"quoted\" $5 `now`")],
        disabled_query: vec![],
        body: "line one\n# not a comment\n\n  indented {{x}}\nünïcödé ✓".into(),
        form: vec![],
        body_file: None,
    });
    let first: Vec<imported::Placed> = requests
        .iter()
        .map(|r| imported::place(&catalog, r, &vars))
        .collect();

    let exported: Vec<ImportedRequest> = first
        .iter()
        .zip(&requests)
        .map(|(p, r)| imported::to_imported(&catalog, &p.key, &p.draft, &r.name))
        .collect();
    let out = HttpFile {
        variables: file.variables.clone(),
        requests: exported.clone(),
        warnings: vec![],
    };
    let (text, warnings) = http_file::write(&out);
    assert!(warnings.is_empty(), "{warnings:?}");
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("exported.http");
    std::fs::write(&path, &text).expect("write export");
    let again = http_file::read(&path).expect("reads the export");
    assert_eq!(again.requests, exported, "{text}");
    assert_eq!(again.variables, file.variables);

    let second: Vec<imported::Placed> = again
        .requests
        .iter()
        .map(|r| imported::place(&catalog, r, &vars))
        .collect();
    for (a, b) in first.iter().zip(&second) {
        assert_eq!(a, b, "{text}");
    }
    // The orphans keep their own URL, rows and body exactly.
    assert_eq!(exported[2], requests[2]);
    assert_eq!(exported[3], requests[3]);
}

#[tokio::test]
async fn import_http_cli_reports_requests_environments_and_operations() {
    let file = fixture("demo.http");
    let out = stdout_json(&portico(&["import", "http", &file.to_string_lossy(), "--json"]).await);
    let requests = out["requests"].as_array().expect("requests");
    assert_eq!(requests.len(), 3);
    assert_eq!(requests[0]["name"], "rrs");
    assert_eq!(requests[0]["operation"]["title"], "RRS Execute");
    assert_eq!(requests[1]["operation"]["title"], "BES Status");
    assert_eq!(requests[2]["operation"], Value::Null);
    assert_eq!(requests[2]["key"]["api"], "imported");
    let envs = out["environments"].as_array().expect("environments");
    assert_eq!(envs[0]["name"], "local");
    assert_eq!(envs[0]["variables"]["api_key"], "••••••••");
    assert_eq!(envs[1]["name"], "staging");
    assert_eq!(out["warnings"].as_array().expect("warnings").len(), 2);

    let revealed = stdout_json(
        &portico(&[
            "import",
            "http",
            &file.to_string_lossy(),
            "--json",
            "--reveal",
        ])
        .await,
    );
    assert_eq!(
        revealed["environments"][0]["variables"]["api_key"],
        "demo-api-key-0c9d8e7f6a5b4c3d"
    );

    // An --env-file elsewhere replaces the one beside the file; --env
    // picks the environment the URLs are matched with.
    let dir = tempfile::tempdir().expect("tempdir");
    let env_file = write_file(
        dir.path(),
        "envs.json",
        r#"{"elsewhere": {"base": "http://10.1.2.3:9000"}}"#,
    );
    let out = stdout_json(
        &portico(&[
            "import",
            "http",
            &file.to_string_lossy(),
            "--env-file",
            &env_file,
            "--env",
            "elsewhere",
            "--json",
        ])
        .await,
    );
    assert_eq!(out["environments"][0]["name"], "elsewhere");
    assert_eq!(out["requests"][0]["operation"]["title"], "RRS Execute");
    assert_eq!(out["requests"][0]["draft"]["server_url"], "{{gateway}}");

    // Bad input: one line naming the file and line.
    let bad = write_file(dir.path(), "bad.http", "GET http://x.test\nno colon here\n");
    let output = portico(&["import", "http", &bad]).await;
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("bad.http:2: `no colon here` is not a header"),
        "{stderr}"
    );
    assert_eq!(stderr.trim_end().lines().count(), 1, "{stderr}");
}

#[tokio::test]
async fn export_http_of_an_operation_imports_back_to_the_same_request() {
    let request_args = [
        "--op",
        "RRS Execute",
        "-p",
        "workspace=ws 1",
        "-H",
        "X-Note: it's $5",
    ];
    let mut export_args = vec!["export", "http"];
    export_args.extend(request_args);
    export_args.extend(["--name", "score"]);
    let exported = stdout_text(&portico(&export_args).await);
    assert!(
        exported.contains("### score\n# @name score\nPOST "),
        "{exported}"
    );
    let dir = tempfile::tempdir().expect("tempdir");
    let path = write_file(dir.path(), "score.http", &exported);
    let imported = stdout_json(&portico(&["import", "http", &path, "--json", "--reveal"]).await);
    let req = &imported["requests"][0];
    assert_eq!(req["name"], "score");
    assert_eq!(req["operation"]["title"], "RRS Execute");
    let mut dry_args = vec!["call", "--server", "http://127.0.0.1:8400/azureml-demo"];
    dry_args.extend(request_args);
    dry_args.extend(["--dry-run", "--json"]);
    let dry = stdout_json(&portico(&dry_args).await);
    assert_eq!(req["method"], dry["method"]);
    assert_eq!(req["body"], dry["body"]);
    // The export keeps the secrets as references for the reader's own
    // environment; everything else is what `call` would send.
    assert_eq!(
        req["url"],
        "http://127.0.0.1:8400/azureml-demo/workspaces/ws%201/services/{{service}}/execute?api-version=2.0&details=true"
    );
    assert_eq!(
        dry["url"],
        "http://127.0.0.1:8400/azureml-demo/workspaces/ws%201/services/text-features/execute?api-version=2.0&details=true"
    );
    assert!(
        exported.starts_with("@service = text-features\n"),
        "{exported}"
    );
    let headers: Vec<(String, String)> = req["headers"]
        .as_array()
        .expect("headers")
        .iter()
        .map(|h| {
            (
                h["name"].as_str().expect("name").to_string(),
                h["value"].as_str().expect("value").to_string(),
            )
        })
        .collect();
    assert_eq!(
        headers,
        vec![
            ("Content-Type".to_string(), "application/json".to_string()),
            (
                "Authorization".to_string(),
                "Bearer {{api_key}}".to_string()
            ),
            (
                "Ocp-Apim-Subscription-Key".to_string(),
                "{{subscription_key}}".to_string()
            ),
            ("X-Note".to_string(), "it's $5".to_string()),
        ]
    );
}

/// The whole way through presets: import a `.http` file into presets,
/// export them all, import that file into a second home; both homes hold
/// the same presets.
#[tokio::test]
async fn http_presets_export_then_import_give_the_same_presets() {
    let first = tempfile::tempdir().expect("tempdir");
    let second = tempfile::tempdir().expect("tempdir");
    let file = fixture("demo.http");
    let imported = portico_at(
        first.path(),
        &["import", "http", &file.to_string_lossy()],
        "",
    )
    .await;
    let report = stdout_text(&imported);
    assert!(report.contains("saved 3 presets in "), "{report}");
    assert!(
        report.contains("-> no operation fits: orphaned"),
        "{report}"
    );

    // The environments, added to the user's file as the report advises.
    let envs = stdout_text(
        &portico_at(
            first.path(),
            &[
                "import",
                "http",
                &file.to_string_lossy(),
                "--print-environments",
                "--reveal",
                "--dry-run",
            ],
            "",
        )
        .await,
    );
    assert!(
        envs.starts_with("[[environment]]\nname = \"local\"\n"),
        "{envs}"
    );
    std::fs::write(first.path().join("environments.toml"), &envs).expect("write environments");

    let exported =
        stdout_text(&portico_at(first.path(), &["export", "http", "--env", "local"], "").await);
    assert!(
        exported.starts_with("@gateway = http://127.0.0.1:8400/azureml-demo\n"),
        "{exported}"
    );
    assert!(!exported.contains("demo-api-key"), "{exported}");
    let path = write_file(second.path(), "exported.http", &exported);
    stdout_text(&portico_at(second.path(), &["import", "http", &path], "").await);

    let list = |home: std::path::PathBuf| async move {
        let mut presets = stdout_json(&portico_at(&home, &["presets", "list", "--json"], "").await);
        for preset in presets.as_array_mut().expect("array") {
            let object = preset.as_object_mut().expect("object");
            object.remove("created");
            object.remove("updated");
        }
        presets
    };
    let before = list(first.path().to_path_buf()).await;
    let after = list(second.path().to_path_buf()).await;
    assert_eq!(before.as_array().expect("array").len(), 3, "{before:#}");
    assert_eq!(before, after, "exported file:\n{exported}");
    let names: Vec<&str> = before
        .as_array()
        .expect("array")
        .iter()
        .map(|p| p["name"].as_str().expect("name"))
        .collect();
    assert_eq!(names, vec!["rrs", "status", "health check"]);
    assert_eq!(before[2]["orphaned"], true);
    assert_eq!(before[0]["orphaned"], false);

    // One preset by name; an unknown name is an error.
    let one =
        stdout_text(&portico_at(first.path(), &["export", "http", "--preset", "status"], "").await);
    assert_eq!(
        one.matches("\n### ").count() + usize::from(one.starts_with("### ")),
        1,
        "{one}"
    );
    assert!(
        one.contains("# @name status\nGET {{gateway}}/workspaces/"),
        "{one}"
    );
    let missing = portico_at(first.path(), &["export", "http", "--preset", "nope"], "").await;
    assert!(!missing.status.success());
    assert!(String::from_utf8_lossy(&missing.stderr).contains("no preset named `nope`"));

    // A dry run saves nothing.
    let third = tempfile::tempdir().expect("tempdir");
    let dry = stdout_text(
        &portico_at(
            third.path(),
            &["import", "http", &file.to_string_lossy(), "--dry-run"],
            "",
        )
        .await,
    );
    assert!(dry.contains("(dry run: no presets saved)"), "{dry}");
    let none = stdout_json(&portico_at(third.path(), &["presets", "list", "--json"], "").await);
    assert_eq!(none, json!([]));
}

// --------------------------------------------------------------- Postman --

fn field(name: &str, value: &str, file: bool, enabled: bool) -> FormField {
    FormField {
        name: name.into(),
        value: value.into(),
        file,
        enabled,
    }
}

fn off(name: &str, value: &str) -> Row {
    Row {
        name: name.into(),
        value: value.into(),
        enabled: false,
    }
}

#[test]
fn postman_collection_imports_folders_disabled_rows_path_variables_and_bodies() {
    use portico::interchange::postman;
    let collection =
        postman::read(&fixture("users.postman_collection.json")).expect("reads the collection");
    assert_eq!(collection.name, "Users API");
    let bearer = row("Authorization", "Bearer {{token}}");
    assert_eq!(
        collection.requests,
        vec![
            ImportedRequest {
                name: "Users / List users".into(),
                method: "GET".into(),
                url: "{{baseUrl}}/users?page=2".into(),
                headers: vec![
                    row("Accept", "application/json"),
                    off("X-Trace", "debug-1"),
                    bearer.clone(),
                ],
                disabled_query: vec![off("limit", "50")],
                body: String::new(),
                form: vec![],
                body_file: None,
            },
            ImportedRequest {
                name: "Users / Admin / Create user".into(),
                method: "POST".into(),
                url: "{{baseUrl}}/users".into(),
                headers: vec![
                    row("Content-Type", "application/json"),
                    row("X-Request-Id", "{{$guid}}"),
                    bearer.clone(),
                ],
                disabled_query: vec![],
                body: "{\n  \"name\": \"Ada\",\n  \"note\": \"it's {{note}}\"\n}".into(),
                form: vec![],
                body_file: None,
            },
            ImportedRequest {
                name: "Users / Admin / Delete user".into(),
                method: "DELETE".into(),
                url: "{{baseUrl}}/users/42".into(),
                headers: vec![row("Authorization", "Basic YWRtaW46czNjcmV0IHBhc3M=")],
                disabled_query: vec![],
                body: String::new(),
                form: vec![],
                body_file: None,
            },
            ImportedRequest {
                name: "Users / Get user".into(),
                method: "GET".into(),
                url: "{{baseUrl}}/users/{{userId}}".into(),
                headers: vec![bearer.clone()],
                disabled_query: vec![],
                body: String::new(),
                form: vec![],
                body_file: None,
            },
            ImportedRequest {
                name: "Login".into(),
                method: "POST".into(),
                url: "https://auth.example.test/login".into(),
                headers: vec![row("Content-Type", "application/x-www-form-urlencoded")],
                disabled_query: vec![],
                body: String::new(),
                form: vec![
                    field("user", "ada lovelace", false, true),
                    field("pass", "{{password}}", false, true),
                    field("remember", "1", false, false),
                ],
                body_file: None,
            },
            ImportedRequest {
                name: "Upload note".into(),
                method: "PUT".into(),
                url: "https://files.example.test/notes/7?api_key={{apiKey}}".into(),
                headers: vec![row("Content-Type", "multipart/form-data")],
                disabled_query: vec![],
                body: String::new(),
                form: vec![
                    field("title", "Notes", false, true),
                    field("file", "/home/someone/notes.txt", true, true),
                ],
                body_file: None,
            },
        ]
    );
    let env = collection
        .environment
        .clone()
        .expect("collection variables");
    assert_eq!(env.name, "Users API");
    assert_eq!(
        env.variables.into_iter().collect::<Vec<_>>(),
        vec![
            (
                "baseUrl".to_string(),
                var("https://api.example.test/v1", false)
            ),
            ("token".to_string(), var("tok-0123456789", true)),
            ("note".to_string(), var("new", false)),
        ]
    );
    assert_eq!(
        collection.warnings,
        vec![
            "`Users / Admin / Create user`: its scripts are not imported",
            "`Users / Admin / Create user`: `{{$guid}}` is a dynamic variable portico does not generate; define `$guid` in an environment",
            "the disabled collection variable `old` is not imported",
        ]
    );

    // On the definition: through `{{baseUrl}}`, each request finds its
    // operation; switched-off rows stay switched off in the draft.
    let catalog = portico::catalog::load_file(&fixture("users.yaml")).expect("users.yaml");
    let vars = env_vars(collection.environment.as_ref().expect("environment"));
    let placed: Vec<imported::Placed> = collection
        .requests
        .iter()
        .map(|r| imported::place(&catalog, r, &vars))
        .collect();
    let ops: Vec<Option<String>> = placed
        .iter()
        .map(|p| {
            p.operation.map(|(a, o)| {
                catalog.apis[a].operations[o]
                    .operation_id
                    .clone()
                    .expect("id")
            })
        })
        .collect();
    assert_eq!(
        ops,
        vec![
            Some("listUsers".to_string()),
            Some("createUser".to_string()),
            Some("deleteUser".to_string()),
            Some("getUser".to_string()),
            None,
            None,
        ]
    );
    let list = &placed[0].draft;
    assert_eq!(list.server_url.as_deref(), Some("{{baseUrl}}"));
    assert_eq!(
        list.headers,
        vec![row("Accept", "application/json"), off("X-Trace", "debug-1")]
    );
    let limit = list
        .params
        .iter()
        .find(|p| p.name == "limit")
        .expect("limit");
    assert_eq!((limit.value.as_str(), limit.enabled), ("50", false));
    assert_eq!(list.auth[0].value, "{{token}}");
    let user_id = |i: usize| {
        placed[i]
            .draft
            .params
            .iter()
            .find(|p| p.name == "userId")
            .expect("userId")
            .value
            .clone()
    };
    assert_eq!(user_id(2), "42");
    assert_eq!(user_id(3), "{{userId}}");
    assert_eq!(
        placed[1].draft.content_type.as_deref(),
        Some("application/json")
    );
    assert_eq!(placed[4].key.path, "/login");
    assert_eq!(
        placed[5].draft.extra_query,
        vec![row("api_key", "{{apiKey}}")]
    );

    // Built: the disabled header and query parameter are not sent.
    let (a, o) = placed[0].operation.expect("listUsers");
    let api = &catalog.apis[a];
    let built = portico::request::build(api, &api.operations[o], list, &vars).expect("builds");
    assert_eq!(built.url, "https://api.example.test/v1/users?page=2");
    assert_eq!(built.header("X-Trace"), None);
    assert_eq!(built.header("Authorization"), Some("Bearer tok-0123456789"));
}

#[tokio::test]
async fn import_postman_cli_saves_presets_that_export_as_http() {
    let home = tempfile::tempdir().expect("tempdir");
    let collection = fixture("users.postman_collection.json");
    let spec = fixture("users.yaml");
    let (collection, spec) = (collection.to_string_lossy(), spec.to_string_lossy());
    let report =
        stdout_text(&portico_at(home.path(), &["import", "postman", &collection, &spec], "").await);
    assert!(report.contains("6 requests in "), "{report}");
    assert!(
        report.contains("Users / Admin / Delete user  DELETE {{baseUrl}}/users/42  -> users DELETE /users/{userId} (deleteUser)"),
        "{report}"
    );
    assert!(report.contains("saved 6 presets in "), "{report}");
    let presets =
        stdout_json(&portico_at(home.path(), &["presets", "list", "--json", &spec], "").await);
    let names: Vec<&str> = presets
        .as_array()
        .expect("array")
        .iter()
        .map(|p| p["name"].as_str().expect("name"))
        .collect();
    assert_eq!(
        names,
        vec![
            "Users / List users",
            "Users / Admin / Create user",
            "Users / Admin / Delete user",
            "Users / Get user",
            "Login",
            "Upload note",
        ]
    );
    // The literal basic credentials were not stored.
    let stored = serde_json::to_string(&presets).expect("json");
    assert!(!stored.contains("YWRtaW46czNjcmV0IHBhc3M="), "{stored}");

    let exported = stdout_text(
        &portico_at(
            home.path(),
            &["export", "http", &spec, "--preset", "Users / List users"],
            "",
        )
        .await,
    );
    assert!(
        exported.contains(
            "### Users / List users\n# @name Users / List users\nGET {{baseUrl}}/users?page=2\n"
        ),
        "{exported}"
    );
    assert!(
        exported.contains("# @portico-disabled X-Trace: debug-1\n"),
        "{exported}"
    );
    assert!(
        exported.contains("# @portico-disabled-query limit=50\n"),
        "{exported}"
    );

    let json = stdout_json(
        &portico(&[
            "import",
            "postman",
            &collection,
            "--json",
            "--dry-run",
            "--reveal",
        ])
        .await,
    );
    assert_eq!(json["collection"], "Users API");
    assert_eq!(json["presets_file"], Value::Null);
    assert_eq!(
        json["environments"][0]["variables"]["token"],
        "tok-0123456789"
    );
}

/// Collections as Windows tools save them (a UTF-8 byte order mark, or
/// UTF-16 with its mark) import like the plain file; a v1 collection is
/// named as the old format, with how to get v2.1.
#[tokio::test]
async fn import_postman_reads_a_bom_and_utf_16_and_names_the_v1_format() {
    let home = tempfile::tempdir().expect("tempdir");
    let plain = std::fs::read_to_string(fixture("users.postman_collection.json")).expect("fixture");
    let spec = fixture("users.yaml");
    let spec = spec.to_string_lossy();
    let import = |file: std::path::PathBuf| {
        let home = home.path().to_path_buf();
        let spec = spec.to_string();
        async move {
            let file = file.to_string_lossy().to_string();
            portico_at(&home, &["import", "postman", &file, &spec, "--dry-run"], "").await
        }
    };
    let expected = stdout_text(&import(fixture("users.postman_collection.json")).await);
    assert!(expected.contains("6 requests in "), "{expected}");

    let with_bom = home.path().join("bom.json");
    let mut bytes = "\u{feff}".as_bytes().to_vec();
    bytes.extend_from_slice(plain.as_bytes());
    std::fs::write(&with_bom, bytes).expect("write");
    let utf16 = home.path().join("utf16.json");
    let mut bytes = vec![0xff, 0xfe];
    bytes.extend(plain.encode_utf16().flat_map(u16::to_le_bytes));
    std::fs::write(&utf16, bytes).expect("write");
    for file in [with_bom, utf16] {
        let out = import(file.clone()).await;
        let report = stdout_text(&out);
        // The report names the file read; the rest is the same.
        let fixture_path = fixture("users.postman_collection.json");
        assert_eq!(
            report.replace(
                &file.display().to_string(),
                &fixture_path.display().to_string()
            ),
            expected,
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    let v1 = home.path().join("v1.json");
    std::fs::write(
        &v1,
        r#"{"id": "c1", "name": "old", "order": ["r1"], "requests": [{"id": "r1", "url": "https://x.test/users", "method": "GET"}]}"#,
    )
    .expect("write");
    let out = import(v1).await;
    assert!(!out.status.success());
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(
        said.contains("a Postman v1 collection") && said.contains("export it as Collection v2.1"),
        "{said}"
    );
}

/// `import curl --save-preset`: the pasted command becomes a preset of the
/// operation it fits, its secrets as references; a command that fits no
/// operation saves nothing and says so.
#[tokio::test]
async fn import_curl_saves_a_preset_of_the_operation_it_fits() {
    let home = tempfile::tempdir().expect("tempdir");
    let out = portico_at(
        home.path(),
        &["import", "curl", "--save-preset", "from the browser"],
        CHROME_COPY,
    )
    .await;
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{said}");
    assert!(
        said.contains("saved preset `from the browser` for azureml-demo POST /workspaces/{workspace}/services/{service}/execute"),
        "{said}"
    );
    let file = std::fs::read_to_string(home.path().join("presets.json")).expect("presets");
    assert!(file.contains("my ws"), "{file}");
    assert!(
        !file.contains("live-token-0123456789") && !file.contains("sub-key-abcdef012345"),
        "secrets are references: {file}"
    );
    assert!(
        said.contains("secret not stored: header `Authorization` is saved as {{authorization}}"),
        "{said}"
    );
    // The preset is what `curl --preset` starts from, once the withheld
    // secrets have variables.
    std::fs::write(
        home.path().join("environments.toml"),
        "[[environment]]\nname = \"demo\"\n[environment.variables]\n\
         authorization = { value = \"Bearer from-env-1234\", secret = true }\n\
         ocp_apim_subscription_key = { value = \"sub-from-env-1234\", secret = true }\n",
    )
    .expect("environments");
    let curl = portico_at(
        home.path(),
        &[
            "curl",
            "--op",
            "RRS Execute",
            "--preset",
            "from the browser",
            "--reveal",
        ],
        "",
    )
    .await;
    let text = String::from_utf8_lossy(&curl.stdout);
    assert!(
        text.contains("/workspaces/my%20ws/services/text-features/execute"),
        "{text}{}",
        String::from_utf8_lossy(&curl.stderr)
    );
    assert!(
        text.contains("it's a good day") || text.contains("it'\\''s a good day"),
        "{text}"
    );
    assert!(text.contains("Bearer from-env-1234"), "{text}");

    let elsewhere = "curl 'https://elsewhere.test/nothing/here' -H 'X-A: 1'";
    let out = portico_at(
        home.path(),
        &["import", "curl", "--save-preset", "x"],
        elsewhere,
    )
    .await;
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("fits no operation of the catalog"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A body sent from a file travels by its path through `.http` files and
/// Postman collections, both ways: `< /path/blob.bin` and Postman's `file`
/// mode are read into the draft's body file (never read in as text), and
/// a draft's body file is written back as them. A relative path is
/// written absolute, so the file written can be used from anywhere.
#[test]
fn a_body_file_travels_through_http_files_and_postman() {
    use portico::interchange::postman;
    let dir = tempfile::tempdir().expect("tempdir");
    let blob = dir.path().join("blob.bin");
    std::fs::write(&blob, [0u8, 159, 146, 150, 255]).expect("write blob");
    let blob_path = blob.display().to_string();
    let catalog = demo_catalog();
    let vars = Vars::default();

    // Read: a binary content type, or bytes that are not UTF-8 whatever
    // the type says; a text file stays text.
    std::fs::write(dir.path().join("note.json"), "{\"a\": 1}\n").expect("write json");
    let text = "### typed\nPUT http://files.test/blob\nContent-Type: application/octet-stream\n\n< ./blob.bin\n\n\
                ### untyped bytes\nPUT http://files.test/blob\nContent-Type: text/plain\n\n< ./blob.bin\n\n\
                ### text\nPUT http://files.test/note\nContent-Type: application/json\n\n< ./note.json\n";
    let file = http_file::parse(text, "f.http", dir.path()).expect("parses");
    let files: Vec<Option<&str>> = file
        .requests
        .iter()
        .map(|r| r.body_file.as_deref())
        .collect();
    let joined = dir.path().join("./blob.bin").display().to_string();
    assert_eq!(files, [Some(joined.as_str()), Some(joined.as_str()), None]);
    assert_eq!(file.requests[0].body, "");
    assert_eq!(file.requests[2].body, "{\"a\": 1}");

    // Placed, the draft sends the file.
    let placed = imported::place(&catalog, &file.requests[0], &vars);
    assert_eq!(placed.draft.body_file.as_deref(), Some(joined.as_str()));
    assert_eq!(placed.draft.body, "");

    // Written back, from a draft whose path is relative to where portico
    // runs: absolute in both formats.
    let mut draft = placed.draft.clone();
    let relative = std::env::current_dir()
        .ok()
        .and_then(|cwd| blob.strip_prefix(&cwd).ok().map(Path::to_path_buf));
    if let Some(relative) = &relative {
        draft.body_file = Some(relative.display().to_string());
    } else {
        draft.body_file = Some(blob_path.clone());
    }
    let exported = imported::to_imported(&catalog, &placed.key, &draft, "upload");
    let absolute = std::path::absolute(draft.body_file.as_deref().unwrap_or_default())
        .expect("absolute")
        .display()
        .to_string();
    assert_eq!(exported.body_file.as_deref(), Some(absolute.as_str()));
    assert_eq!(
        exported.body, "",
        "the bytes are never read into the export"
    );
    assert!(
        exported
            .headers
            .iter()
            .any(|h| h.name.eq_ignore_ascii_case("content-type")),
        "the body's type is written: {:?}",
        exported.headers
    );
    let (text, warnings) = http_file::write(&HttpFile {
        variables: Default::default(),
        requests: vec![exported.clone()],
        warnings: vec![],
    });
    assert!(warnings.is_empty(), "{warnings:?}");
    assert!(text.contains(&format!("\n< {absolute}\n")), "{text}");
    let again = http_file::parse(&text, "again.http", Path::new("/elsewhere")).expect("reads");
    assert_eq!(
        again.requests[0].body_file.as_deref(),
        Some(absolute.as_str())
    );

    let collection = postman::write(
        "files",
        std::slice::from_ref(&exported),
        &Default::default(),
    );
    let json: Value = serde_json::from_str(&collection).expect("JSON");
    assert_eq!(
        json["item"][0]["request"]["body"],
        json!({"mode": "file", "file": {"src": absolute}})
    );
    let read = postman::parse(&collection, "files.json").expect("reads");
    assert!(read.warnings.is_empty(), "{:?}", read.warnings);
    assert_eq!(
        read.requests[0].body_file.as_deref(),
        Some(absolute.as_str())
    );
    let placed = imported::place(&catalog, &read.requests[0], &vars);
    assert_eq!(placed.draft.body_file.as_deref(), Some(absolute.as_str()));
}

/// A body that is a file in a curl command stays a file: `--data-binary
/// @FILE` alone and `-T FILE` (PUT, the file's name after a URL ending in
/// `/`), read back into the draft's body file. `portico curl` writes
/// `--data-binary @FILE`, and importing that gives the same draft.
#[tokio::test]
async fn curl_file_bodies_come_back_as_files() {
    use portico::interchange::curl::parse_curl_with;
    let read = |_: &str| Ok(vec![0u8, 159, 146, 150]);
    let parsed = parse_curl_with("curl http://h/blob --data-binary @x.bin", &read).expect("reads");
    assert_eq!(parsed.body_file.as_deref(), Some("x.bin"));
    assert_eq!(parsed.method, "POST");
    let parsed = parse_curl_with("curl -T dir/x.bin http://h/up/", &read).expect("reads");
    assert_eq!(parsed.body_file.as_deref(), Some("dir/x.bin"));
    assert_eq!(
        (parsed.method.as_str(), parsed.url.as_str()),
        ("PUT", "http://h/up/x.bin")
    );
    assert!(
        parsed.header("content-type").is_none(),
        "curl -T sends no type"
    );
    // The file's name goes on the path, never into a query or fragment.
    let parsed = parse_curl_with("curl -T x.bin 'http://h/up/?dir=/a/'", &read).expect("reads");
    assert_eq!(parsed.url, "http://h/up/x.bin?dir=/a/");
    let parsed = parse_curl_with("curl -T x.bin 'http://h/a?dir=/'", &read).expect("reads");
    assert_eq!(parsed.url, "http://h/a?dir=/");
    // What curl refuses too: two uploads, or -d beside one (-G puts it in
    // the query).
    assert!(parse_curl_with("curl -T a -T b http://h/", &read).is_err());
    assert!(parse_curl_with("curl -T a -d x=1 http://h/", &read).is_err());
    let parsed = parse_curl_with("curl -T a -G -d q=1 http://h/up", &read).expect("reads");
    assert_eq!(
        (parsed.url.as_str(), parsed.method.as_str()),
        ("http://h/up?q=1", "PUT")
    );
    // Text read in, or several pieces: the body, not a file.
    for command in [
        "curl http://h/ -d @x.txt",
        "curl http://h/ --data-binary @x.bin --data-binary @y.bin",
        "curl http://h/ --data-binary @x.bin -G",
        "curl http://h/ --data-binary @x.bin -F a=b",
    ] {
        let parsed = parse_curl_with(command, &read).expect("reads");
        assert_eq!(parsed.body_file, None, "{command}");
    }

    let dir = tempfile::tempdir().expect("tempdir");
    let spec = write_file(
        dir.path(),
        "blobs.yaml",
        r#"
openapi: 3.0.3
info: { title: Blobs, version: "1" }
servers: [ { url: "http://blobs.test" } ]
paths:
  /blob:
    put:
      operationId: putBlob
      requestBody:
        content:
          application/octet-stream:
            schema: { type: string, format: binary }
      responses: { "204": { description: ok } }
"#,
    );
    let blob = dir.path().join("blob.bin");
    std::fs::write(&blob, [0u8, 255, 1]).expect("write blob");
    let data = format!("@{}", blob.display());
    let command =
        stdout_text(&portico(&["curl", &spec, "--op", "putBlob", "--data-binary", &data]).await);
    assert!(
        command.contains(&format!("--data-binary '@{}'", blob.display())),
        "{command}"
    );
    let imported = stdout_json(&portico_with_stdin(&["import", "curl", &spec], &command).await);
    assert_eq!(imported["operation"]["operation_id"], "putBlob");
    assert_eq!(
        imported["request"]["body_file"],
        blob.display().to_string(),
        "{imported}"
    );
    // Saved as a preset, the draft sends the file.
    let home = tempfile::tempdir().expect("home");
    let saved = portico_at(
        home.path(),
        &["import", "curl", &spec, "--save-preset", "blob"],
        &command,
    )
    .await;
    assert!(
        saved.status.success(),
        "{}",
        String::from_utf8_lossy(&saved.stderr)
    );
    let paths = portico::store::Paths::in_dir(home.path());
    let key = portico::catalog::OperationKey {
        api: "blobs".into(),
        method: "PUT".into(),
        path: "/blob".into(),
    };
    let preset = portico::store::Presets::new(&paths)
        .get(&key, "blob")
        .expect("the preset");
    assert_eq!(
        preset.draft.body_file.as_deref(),
        Some(blob.display().to_string().as_str())
    );
    assert_eq!(preset.draft.body, "");
}

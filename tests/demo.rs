//! The bundled demo service, over real HTTP on loopback: the gateway, RRS,
//! the batch job life cycle, the blob store, and every failure path.

use std::time::{Duration, Instant};

use portico::catalog::{self, Catalog, Variable};
use portico::demo::{
    self, API_KEY, DemoConfig, DemoServer, PRIMARY_SUBSCRIPTION_KEY, SECONDARY_SUBSCRIPTION_KEY,
    SERVICE, WORKSPACE, hashing,
};
use portico::http::{Engine, EngineConfig, Exchange, SendOptions};
use portico::request::{self, Draft, Vars};
use reqwest::{Client, Method, RequestBuilder, StatusCode};
use serde_json::{Value, json};
use tokio_util::sync::CancellationToken;

const SAMPLE_TEXT: &str = "This is a good day";

fn fast() -> DemoConfig {
    DemoConfig {
        rate_limit: 0,
        job_duration: Duration::from_millis(300),
        ..DemoConfig::default()
    }
}

async fn serve(config: DemoConfig) -> DemoServer {
    demo::start(0, config).await.expect("demo server starts")
}

fn client() -> Client {
    // reqwest is built without a default TLS provider; plain http needs
    // none, but the builder wants one installed.
    let _ = rustls::crypto::ring::default_provider().install_default();
    Client::builder()
        .timeout(Duration::from_secs(20))
        .build()
        .expect("http client")
}

fn service_url(server: &DemoServer, rest: &str) -> String {
    format!(
        "{}/workspaces/{WORKSPACE}/services/{SERVICE}{rest}",
        server.gateway_url()
    )
}

/// A request with both keys, as the bundled portal sends it.
fn call(client: &Client, method: Method, url: &str) -> RequestBuilder {
    client
        .request(method, url)
        .header("Content-Type", "application/json")
        .header("Authorization", format!("Bearer {API_KEY}"))
        .header("Ocp-Apim-Subscription-Key", PRIMARY_SUBSCRIPTION_KEY)
}

fn rrs_body(rows: &[&str]) -> Value {
    let values: Vec<Value> = rows.iter().map(|r| json!([r])).collect();
    json!({"Inputs": {"input1": {"ColumnNames": ["Col2"], "Values": values}}, "GlobalParameters": {}})
}

async fn json_of(response: reqwest::Response) -> (StatusCode, Value) {
    let status = response.status();
    let text = response.text().await.expect("body");
    let value = serde_json::from_str(&text)
        .unwrap_or_else(|e| panic!("{status}: body is not JSON ({e}): {text}"));
    (status, value)
}

fn counts_of(row: &Value) -> Vec<u32> {
    row.as_array()
        .expect("row")
        .iter()
        .skip(1)
        .map(|c| c.as_str().expect("string cell").parse().expect("count"))
        .collect()
}

async fn execute(client: &Client, server: &DemoServer, body: &Value) -> (StatusCode, Value) {
    let url = service_url(server, "/execute?api-version=2.0&details=true");
    json_of(
        call(client, Method::POST, &url)
            .json(body)
            .send()
            .await
            .expect("send"),
    )
    .await
}

#[tokio::test]
async fn rrs_answers_the_sample_with_eight_features_summing_to_nine() {
    let server = serve(fast()).await;
    let (status, body) = execute(&client(), &server, &rrs_body(&[SAMPLE_TEXT])).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let table = &body["Results"]["output1"];
    assert_eq!(table["type"], "table");
    let names = table["value"]["ColumnNames"].as_array().expect("names");
    assert_eq!(names.len(), 9);
    assert_eq!(names[0], "Col2");
    assert_eq!(names[8], "Col2_HashingFeature.7");
    assert_eq!(table["value"]["ColumnTypes"][0], "String");
    assert_eq!(table["value"]["ColumnTypes"][1], "Int32");
    let row = &table["value"]["Values"][0];
    assert_eq!(row[0], SAMPLE_TEXT);
    let counts = counts_of(row);
    assert_eq!(counts.len(), 8);
    assert_eq!(counts.iter().sum::<u32>(), 9);
    assert_eq!(counts, vec![1, 2, 2, 0, 1, 2, 0, 1]);
    server.shutdown().await;
}

#[tokio::test]
async fn rrs_takes_bits_and_details_and_many_columns() {
    let server = serve(fast()).await;
    let client = client();
    let body = json!({
        "Inputs": {"input1": {"ColumnNames": ["Col1", "Col2"], "Values": [[7, "Good day, good DAY"], [null, ""]]}},
        "GlobalParameters": {"Hashing bitsize": 4}
    });
    let (status, answer) = execute(&client, &server, &body).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    let value = &answer["Results"]["output1"]["value"];
    assert_eq!(
        value["ColumnNames"].as_array().expect("names").len(),
        2 + 16
    );
    assert_eq!(value["Values"][0][0], "7");
    let counts: Vec<u32> = value["Values"][0]
        .as_array()
        .expect("row")
        .iter()
        .skip(2)
        .map(|c| c.as_str().expect("cell").parse().expect("count"))
        .collect();
    // good, day, good, day + "good day", "day good", "good day"
    assert_eq!(counts.iter().sum::<u32>(), 7);
    assert_eq!(counts, hashing::hash_features("good day good day", 4));

    let url = service_url(&server, "/execute?api-version=2.0&details=false");
    let (status, answer) = json_of(
        call(&client, Method::POST, &url)
            .json(&rrs_body(&[SAMPLE_TEXT]))
            .send()
            .await
            .expect("send"),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        answer["Results"]["output1"]["value"]
            .get("ColumnNames")
            .is_none()
    );
    assert_eq!(
        answer["Results"]["output1"]["value"]["Values"][0][0],
        SAMPLE_TEXT
    );
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fifty_concurrent_rrs_calls_are_all_answered_correctly() {
    let server = serve(fast()).await;
    let client = client();
    let started = Instant::now();
    let mut tasks = Vec::new();
    for i in 0..50 {
        let client = client.clone();
        let url = service_url(&server, "/execute?api-version=2.0&details=true");
        tasks.push(tokio::spawn(async move {
            let text = format!(
                "Request number {i} says this is a good day {}",
                "x".repeat(i % 7)
            );
            let response = call(&client, Method::POST, &url)
                .json(&rrs_body(&[&text]))
                .send()
                .await
                .expect("send");
            let (status, body) = json_of(response).await;
            assert_eq!(status, StatusCode::OK, "{body}");
            let row = &body["Results"]["output1"]["value"]["Values"][0];
            assert_eq!(row[0], text.as_str());
            assert_eq!(counts_of(row), hashing::hash_features(&text, 3));
        }));
    }
    for t in tasks {
        t.await.expect("call task");
    }
    eprintln!("50 concurrent RRS calls: {:?}", started.elapsed());
    server.shutdown().await;
}

async fn upload(client: &Client, server: &DemoServer, container: &str, name: &str, data: Vec<u8>) {
    let url = format!("{}/blobs/{container}/{name}", server.gateway_url());
    let response = client
        .put(url)
        .header("Ocp-Apim-Subscription-Key", PRIMARY_SUBSCRIPTION_KEY)
        .header("Content-Type", "text/csv")
        .body(data)
        .send()
        .await
        .expect("upload");
    assert_eq!(response.status(), StatusCode::CREATED);
}

async fn submit(client: &Client, server: &DemoServer, input: &str, output: Option<&str>) -> String {
    let mut body = json!({
        "Input": {"ConnectionString": "UseDevelopmentStorage=true", "RelativeLocation": input},
        "GlobalParameters": {}
    });
    if let Some(o) = output {
        body["Outputs"] = json!({"output1": {"ConnectionString": "UseDevelopmentStorage=true", "RelativeLocation": o}});
    }
    let url = service_url(server, "/jobs?api-version=2.0");
    let (status, id) = json_of(
        call(client, Method::POST, &url)
            .json(&body)
            .send()
            .await
            .expect("submit"),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{id}");
    id.as_str().expect("job id is a JSON string").to_string()
}

async fn job_status(client: &Client, server: &DemoServer, id: &str) -> (StatusCode, Value) {
    let url = service_url(server, &format!("/jobs/{id}?api-version=2.0"));
    json_of(
        call(client, Method::GET, &url)
            .send()
            .await
            .expect("status"),
    )
    .await
}

async fn start_job(client: &Client, server: &DemoServer, id: &str) -> StatusCode {
    let url = service_url(server, &format!("/jobs/{id}/start?api-version=2.0"));
    call(client, Method::POST, &url)
        .send()
        .await
        .expect("start")
        .status()
}

/// Polls until the job leaves NotStarted/Running; returns its last status.
async fn wait_for(client: &Client, server: &DemoServer, id: &str) -> (Value, Vec<String>) {
    let deadline = Instant::now() + Duration::from_secs(15);
    let mut seen = Vec::new();
    loop {
        let (status, body) = job_status(client, server, id).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let code = body["StatusCode"].as_str().expect("StatusCode").to_string();
        if seen.last() != Some(&code) {
            seen.push(code.clone());
        }
        if code != "NotStarted" && code != "Running" {
            return (body, seen);
        }
        assert!(Instant::now() < deadline, "job {id} still {code}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn the_batch_flow_runs_from_upload_to_result() {
    let server = serve(fast()).await;
    let client = client();
    upload(
        &client,
        &server,
        "demo-input",
        "sample.csv",
        demo::SAMPLE_CSV.into(),
    )
    .await;
    let id = submit(
        &client,
        &server,
        "/demo-input/sample.csv",
        Some("/demo-results/output1.csv"),
    )
    .await;
    assert_eq!(id.len(), 32);

    let (_, body) = job_status(&client, &server, &id).await;
    assert_eq!(body["StatusCode"], "NotStarted");
    assert_eq!(body["Results"], Value::Null);

    let t0 = Instant::now();
    assert_eq!(start_job(&client, &server, &id).await, StatusCode::OK);
    let (_, body) = job_status(&client, &server, &id).await;
    assert_eq!(body["StatusCode"], "Running");
    let (body, seen) = wait_for(&client, &server, &id).await;
    assert_eq!(seen, vec!["Running", "Finished"], "{body}");
    assert!(
        t0.elapsed() >= Duration::from_millis(300),
        "a job runs for its duration"
    );
    assert_eq!(body["Details"], Value::Null);

    // A job starts once.
    assert_eq!(start_job(&client, &server, &id).await, StatusCode::CONFLICT);

    let out = &body["Results"]["output1"];
    assert_eq!(out["RelativeLocation"], "demo-results/output1.csv");
    let base = out["BaseLocation"].as_str().expect("BaseLocation");
    let sas = out["SasBlobToken"].as_str().expect("SasBlobToken");
    assert!(sas.starts_with('?') && sas.contains("sig="), "{sas}");
    let plain = format!("{base}demo-results/output1.csv");

    // Results need the token, and the right one.
    let keyed = |url: String| {
        client
            .get(url)
            .header("Ocp-Apim-Subscription-Key", SECONDARY_SUBSCRIPTION_KEY)
    };
    let (status, err) = json_of(keyed(plain.clone()).send().await.expect("get")).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(err["error"]["code"], "AuthenticationFailed");
    let forged = keyed(format!("{plain}?sig=0000"))
        .send()
        .await
        .expect("get");
    assert_eq!(forged.status(), StatusCode::FORBIDDEN);

    let response = keyed(format!("{plain}{sas}")).send().await.expect("get");
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["content-type"], "text/csv");
    let csv = response.text().await.expect("csv");
    let lines: Vec<&str> = csv.lines().collect();
    let mut header = vec!["Col1".to_string(), "Col2".to_string()];
    header.extend((0..8).map(|i| format!("Col2_HashingFeature.{i}")));
    assert_eq!(lines[0], header.join(","));
    assert_eq!(lines.len(), 5, "{csv}");
    let first: Vec<&str> = lines[1].split(',').collect();
    assert_eq!(&first[..2], &["1", SAMPLE_TEXT]);
    let counts: Vec<u32> = first[2..]
        .iter()
        .map(|c| c.parse().expect("count"))
        .collect();
    assert_eq!(counts, vec![1, 2, 2, 0, 1, 2, 0, 1]);
    // A quoted text with commas survives the round trip.
    assert!(
        lines[2].starts_with("2,\"Rain, rain, go away\","),
        "{}",
        lines[2]
    );
    let rain: Vec<u32> = lines[2]
        .rsplit(',')
        .take(8)
        .map(|c| c.parse().expect("count"))
        .collect();
    assert_eq!(rain.iter().sum::<u32>(), 4 + 3);

    // The signature alone opens it too (what the portal captures).
    let sig = out["SasSignature"].as_str().expect("SasSignature");
    let response = keyed(format!("{plain}?sig={sig}"))
        .send()
        .await
        .expect("get");
    assert_eq!(response.status(), StatusCode::OK);

    // Delete removes the job; the result stays in the store.
    let url = service_url(&server, &format!("/jobs/{id}?api-version=2.0"));
    let (status, body) = json_of(
        call(&client, Method::DELETE, &url)
            .send()
            .await
            .expect("delete"),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["StatusCode"], "Finished");
    assert_eq!(
        job_status(&client, &server, &id).await.0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        keyed(format!("{plain}{sas}"))
            .send()
            .await
            .expect("get")
            .status(),
        StatusCode::OK
    );
    server.shutdown().await;
}

#[tokio::test]
async fn deleting_a_running_job_cancels_it() {
    let server = serve(DemoConfig {
        job_duration: Duration::from_secs(30),
        ..fast()
    })
    .await;
    let client = client();
    upload(
        &client,
        &server,
        "demo-input",
        "a.csv",
        b"Col2\nhello world\n".to_vec(),
    )
    .await;
    let id = submit(&client, &server, "demo-input/a.csv", None).await;
    assert_eq!(start_job(&client, &server, &id).await, StatusCode::OK);
    let url = service_url(&server, &format!("/jobs/{id}?api-version=2.0"));
    let (status, body) = json_of(
        call(&client, Method::DELETE, &url)
            .send()
            .await
            .expect("delete"),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["StatusCode"], "Cancelled");
    assert_eq!(
        job_status(&client, &server, &id).await.0,
        StatusCode::NOT_FOUND
    );
    server.shutdown().await;
}

#[tokio::test]
async fn a_job_without_outputs_writes_to_the_results_container() {
    let server = serve(fast()).await;
    let client = client();
    upload(
        &client,
        &server,
        "demo-input",
        "b.csv",
        b"Col2\r\nhello world\r\n".to_vec(),
    )
    .await;
    let id = submit(&client, &server, "demo-input/b.csv", None).await;
    assert_eq!(start_job(&client, &server, &id).await, StatusCode::OK);
    let (body, _) = wait_for(&client, &server, &id).await;
    assert_eq!(body["StatusCode"], "Finished", "{body}");
    let out = &body["Results"]["output1"];
    assert_eq!(out["RelativeLocation"], format!("results/{id}/output1.csv"));
    let url = format!(
        "{}{}{}",
        out["BaseLocation"].as_str().expect("base"),
        out["RelativeLocation"].as_str().expect("rel"),
        out["SasBlobToken"].as_str().expect("sas")
    );
    let csv = client
        .get(url)
        .header("Ocp-Apim-Subscription-Key", PRIMARY_SUBSCRIPTION_KEY)
        .send()
        .await
        .expect("get")
        .text()
        .await
        .expect("text");
    let row: Vec<u32> = csv
        .lines()
        .nth(1)
        .expect("row")
        .split(',')
        .skip(1)
        .map(|c| c.parse().expect("n"))
        .collect();
    assert_eq!(row, hashing::hash_features("hello world", 3));
    server.shutdown().await;
}

#[tokio::test]
async fn jobs_over_missing_or_non_csv_input_fail_with_details() {
    let server = serve(fast()).await;
    let client = client();
    upload(
        &client,
        &server,
        "demo-input",
        "photo.png",
        vec![0x89, b'P', b'N', b'G', 0xff, 0x00],
    )
    .await;
    upload(
        &client,
        &server,
        "demo-input",
        "data.json",
        br#"{"Col2": "hello"}"#.to_vec(),
    )
    .await;
    upload(
        &client,
        &server,
        "demo-input",
        "ragged.csv",
        b"Col1,Col2\n1,a\n2\n".to_vec(),
    )
    .await;
    upload(
        &client,
        &server,
        "demo-input",
        "notext.csv",
        b"Col1,Col3\n1,a\n".to_vec(),
    )
    .await;
    let cases = [
        (
            "/demo-input/missing.csv",
            "the input blob `demo-input/missing.csv` does not exist",
        ),
        ("/demo-input/photo.png", "is not CSV: it is not UTF-8 text"),
        (
            "/demo-input/data.json",
            "is not CSV: line 1: a quote inside an unquoted field",
        ),
        (
            "/demo-input/ragged.csv",
            "is not CSV: line 3 has 1 fields but the header has 2",
        ),
        ("/demo-input/notext.csv", "has no column `Col2`"),
    ];
    let mut ids = Vec::new();
    for (input, _) in &cases {
        let id = submit(&client, &server, input, None).await;
        assert_eq!(start_job(&client, &server, &id).await, StatusCode::OK);
        ids.push(id);
    }
    for ((_, expected), id) in cases.iter().zip(&ids) {
        let (body, seen) = wait_for(&client, &server, id).await;
        assert_eq!(seen.last().map(String::as_str), Some("Failed"), "{body}");
        let details = body["Details"].as_str().expect("Details");
        assert!(
            details.contains(expected),
            "{details:?} should say {expected:?}"
        );
        assert_eq!(body["Results"], Value::Null);
    }
    server.shutdown().await;
}

#[tokio::test]
async fn the_gateway_wants_a_valid_subscription_key() {
    let server = serve(fast()).await;
    let client = client();
    let url = service_url(&server, "/execute?api-version=2.0&details=true");
    let bare = || {
        client
            .post(&url)
            .header("Authorization", format!("Bearer {API_KEY}"))
            .json(&rrs_body(&[SAMPLE_TEXT]))
    };

    let (status, body) = json_of(bare().send().await.expect("send")).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        body,
        json!({"statusCode": 401, "message": "Access denied due to missing subscription key. Make sure to include subscription key when making requests to an API."})
    );

    let (status, body) = json_of(
        bare()
            .header("Ocp-Apim-Subscription-Key", "not-a-key")
            .send()
            .await
            .expect("send"),
    )
    .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        body,
        json!({"statusCode": 401, "message": "Access denied due to invalid subscription key. Make sure to provide a valid key for an active subscription."})
    );

    // The secondary key and the query form work too.
    let ok = bare()
        .header("Ocp-Apim-Subscription-Key", SECONDARY_SUBSCRIPTION_KEY)
        .send()
        .await
        .expect("send");
    assert_eq!(ok.status(), StatusCode::OK);
    let ok = client
        .post(format!("{url}&subscription-key={PRIMARY_SUBSCRIPTION_KEY}"))
        .header("Authorization", format!("Bearer {API_KEY}"))
        .json(&rrs_body(&[SAMPLE_TEXT]))
        .send()
        .await
        .expect("send");
    assert_eq!(ok.status(), StatusCode::OK);

    // Unknown operations under the gateway: 404 in the gateway's shape.
    let (status, body) = json_of(
        call(
            &client,
            Method::GET,
            &format!("{}/nope", server.gateway_url()),
        )
        .send()
        .await
        .expect("send"),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(body["message"], "Resource not found");

    let usage = json_of(
        call(
            &client,
            Method::GET,
            &format!("{}/usage", server.gateway_url()),
        )
        .send()
        .await
        .expect("usage"),
    )
    .await
    .1;
    assert_eq!(
        usage["rejected"],
        json!({"missing_key": 1, "invalid_key": 1})
    );
    server.shutdown().await;
}

#[tokio::test]
async fn the_service_wants_the_bearer_api_key() {
    let server = serve(fast()).await;
    let client = client();
    let url = service_url(&server, "/execute?api-version=2.0&details=true");
    let keyed = || {
        client
            .post(&url)
            .header("Ocp-Apim-Subscription-Key", PRIMARY_SUBSCRIPTION_KEY)
            .json(&rrs_body(&[SAMPLE_TEXT]))
    };
    for (auth, expected) in [
        (None, "missing Authorization header"),
        (
            Some(format!("Basic {API_KEY}")),
            "must be `Bearer <api key>`",
        ),
        (
            Some("Bearer wrong".to_string()),
            "not valid for this service",
        ),
    ] {
        let mut request = keyed();
        if let Some(a) = auth {
            request = request.header("Authorization", a);
        }
        let response = request.send().await.expect("send");
        assert_eq!(response.headers()["www-authenticate"], "Bearer");
        let (status, body) = json_of(response).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        assert_eq!(body["error"]["code"], "Unauthorized");
        let message = body["error"]["message"].as_str().expect("message");
        assert!(message.contains(expected), "{message}");
    }
    server.shutdown().await;
}

#[tokio::test]
async fn the_rate_limit_answers_429_with_retry_after() {
    let server = serve(DemoConfig {
        rate_limit: 3,
        ..fast()
    })
    .await;
    let client = client();
    for _ in 0..3 {
        assert_eq!(
            execute(&client, &server, &rrs_body(&[SAMPLE_TEXT])).await.0,
            StatusCode::OK
        );
    }
    let url = service_url(&server, "/execute?api-version=2.0&details=true");
    let response = call(&client, Method::POST, &url)
        .json(&rrs_body(&[SAMPLE_TEXT]))
        .send()
        .await
        .expect("send");
    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
    let retry: u64 = response.headers()["retry-after"]
        .to_str()
        .expect("ascii")
        .parse()
        .expect("seconds");
    assert!((59..=60).contains(&retry), "{retry}");
    let (_, body) = json_of(response).await;
    assert_eq!(
        body,
        json!({"statusCode": 429, "message": format!("Rate limit is exceeded. Try again in {retry} seconds.")})
    );

    // The limit is per key: the secondary key still has its calls.
    let other = client
        .post(&url)
        .header("Authorization", format!("Bearer {API_KEY}"))
        .header("Ocp-Apim-Subscription-Key", SECONDARY_SUBSCRIPTION_KEY)
        .json(&rrs_body(&[SAMPLE_TEXT]))
        .send()
        .await
        .expect("send");
    assert_eq!(other.status(), StatusCode::OK);

    // The usage report counts per key, operation and status class, and is
    // itself never limited.
    for _ in 0..3 {
        let (status, usage) = json_of(
            call(
                &client,
                Method::GET,
                &format!("{}/usage", server.gateway_url()),
            )
            .send()
            .await
            .expect("usage"),
        )
        .await;
        assert_eq!(status, StatusCode::OK);
        let primary = &usage["subscriptions"][0];
        assert_eq!(primary["subscription"], "primary");
        assert_eq!(primary["calls"], 4);
        assert_eq!(primary["by_operation"], json!({"RRS Execute": 4}));
        assert_eq!(primary["by_status"], json!({"2xx": 3, "4xx": 1}));
        assert_eq!(primary["remaining_in_window"], 0);
        assert_eq!(usage["subscriptions"][1]["calls"], 1);
        assert_eq!(usage["rate_limit"]["calls"], 3);
    }
    server.shutdown().await;
}

#[tokio::test]
async fn malformed_bodies_get_400_bad_argument_saying_what() {
    let server = serve(fast()).await;
    let client = client();
    let url = service_url(&server, "/execute?api-version=2.0&details=true");
    let cases: [(&str, &str); 7] = [
        ("", "the request body is empty"),
        ("{\"Inputs\": ", "not valid JSON: EOF while parsing"),
        ("[1, 2]", "must be a JSON object, not an array"),
        ("{\"GlobalParameters\": {}}", "missing `Inputs`"),
        (
            r#"{"Inputs": {"input1": {"ColumnNames": ["Col2"], "Values": [["a", "b"]]}}}"#,
            "`Inputs.input1.Values[0]` has 2 values but `ColumnNames` has 1",
        ),
        (
            r#"{"Inputs": {"input1": {"ColumnNames": ["Text"], "Values": [["a"]]}}}"#,
            "must include `Col2`",
        ),
        (
            r#"{"Inputs": {"input1": {"ColumnNames": ["Col2"], "Values": [["a"]]}}, "GlobalParameters": {"Hashing bitsize": 40}}"#,
            "from 1 to 10",
        ),
    ];
    for (body, expected) in cases {
        let response = call(&client, Method::POST, &url)
            .body(body)
            .send()
            .await
            .expect("send");
        let (status, answer) = json_of(response).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
        assert_eq!(answer["error"]["code"], "BadArgument");
        let message = answer["error"]["message"].as_str().expect("message");
        assert!(message.contains(expected), "{body} -> {message}");
    }
    // Query mistakes too.
    for (query, expected) in [
        ("", "missing query parameter `api-version`"),
        ("?api-version=1.0", "api-version `1.0` is not supported"),
        (
            "?api-version=2.0&details=maybe",
            "`details` must be true or false",
        ),
    ] {
        let response = call(
            &client,
            Method::POST,
            &service_url(&server, &format!("/execute{query}")),
        )
        .json(&rrs_body(&["x"]))
        .send()
        .await
        .expect("send");
        let (status, answer) = json_of(response).await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert!(
            answer["error"]["message"]
                .as_str()
                .expect("message")
                .contains(expected)
        );
    }
    // A bad batch submission, too.
    let response = call(
        &client,
        Method::POST,
        &service_url(&server, "/jobs?api-version=2.0"),
    )
    .json(&json!({"Input": {"ConnectionString": "x", "RelativeLocation": "/Bad Container/x.csv"}}))
    .send()
    .await
    .expect("send");
    let (status, answer) = json_of(response).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(
        answer["error"]["message"]
            .as_str()
            .expect("message")
            .contains("container name `Bad Container` is not valid")
    );
    server.shutdown().await;
}

#[tokio::test]
async fn unknown_jobs_workspaces_and_services_are_404() {
    let server = serve(fast()).await;
    let client = client();
    let (status, body) = job_status(&client, &server, "no-such-job").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(body["error"]["code"], "JobNotFound");
    assert_eq!(
        start_job(&client, &server, "no-such-job").await,
        StatusCode::NOT_FOUND
    );
    let url = service_url(&server, "/jobs/no-such-job?api-version=2.0");
    assert_eq!(
        call(&client, Method::DELETE, &url)
            .send()
            .await
            .expect("send")
            .status(),
        StatusCode::NOT_FOUND
    );

    for (ws, svc, code) in [
        ("other-ws", SERVICE, "WorkspaceNotFound"),
        (WORKSPACE, "other-svc", "ServiceNotFound"),
    ] {
        let url = format!(
            "{}/workspaces/{ws}/services/{svc}/execute?api-version=2.0",
            server.gateway_url()
        );
        let (status, body) = json_of(
            call(&client, Method::POST, &url)
                .json(&rrs_body(&["x"]))
                .send()
                .await
                .expect("send"),
        )
        .await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        assert_eq!(body["error"]["code"], code);
    }
    let url = format!("{}/blobs/demo-input/nothing.csv", server.gateway_url());
    let (status, body) =
        json_of(call(&client, Method::GET, &url).send().await.expect("send")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(body["error"]["code"], "BlobNotFound");
    server.shutdown().await;
}

#[tokio::test]
async fn hostile_input_never_breaks_the_server() {
    let server = serve(fast()).await;
    let client = client();
    let gw = server.gateway_url();
    let exec = service_url(&server, "/execute?api-version=2.0");
    let requests = vec![
        call(&client, Method::POST, &exec).body(vec![0xff, 0xfe, 0x00, 0x7b]),
        call(&client, Method::POST, &exec).body("{".repeat(10_000)),
        call(&client, Method::POST, &exec).body(vec![b' '; 5 * 1024 * 1024]),
        call(&client, Method::POST, &exec)
            .body(r#"{"Inputs": {"input1": {"ColumnNames": [], "Values": 5}}}"#),
        call(&client, Method::POST, &exec)
            .body(r#"{"Inputs": {"input1": {"ColumnNames": ["Col2"], "Values": [[["nested"]]]}}}"#),
        call(
            &client,
            Method::GET,
            &format!("{gw}/workspaces/%FF%FE/services/x/jobs/%C0?api-version=2.0"),
        ),
        call(
            &client,
            Method::PUT,
            &format!("{gw}/blobs/ok-container/..%2F..%2Fetc"),
        )
        .body("x"),
        call(&client, Method::PATCH, &format!("{gw}/usage")),
        client.get(server.base_url()),
        client.get(format!("{}/anything", server.base_url())),
    ];
    for request in requests {
        let response = request.send().await.expect("send");
        assert!(
            !response.status().is_server_error(),
            "{}",
            response.status()
        );
    }
    let many_rows: Vec<&str> = vec!["a"; 1001];
    let (status, body) = execute(&client, &server, &rrs_body(&many_rows)).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(
        body["error"]["message"]
            .as_str()
            .expect("message")
            .contains("at most 1000")
    );
    // Still serving.
    assert_eq!(
        execute(&client, &server, &rrs_body(&[SAMPLE_TEXT])).await.0,
        StatusCode::OK
    );
    server.shutdown().await;
}

#[tokio::test]
async fn shutdown_stops_the_server() {
    let server = serve(fast()).await;
    let url = server.base_url();
    let client = client();
    assert!(client.get(&url).send().await.is_ok());
    server.shutdown().await;
    assert!(client.get(&url).send().await.is_err());
}

#[tokio::test]
async fn the_banner_says_where_and_how() {
    let server = serve(DemoConfig::default()).await;
    let banner = demo::banner(&server);
    for needle in [
        server.base_url(),
        server.gateway_url(),
        PRIMARY_SUBSCRIPTION_KEY.to_string(),
        SECONDARY_SUBSCRIPTION_KEY.to_string(),
        API_KEY.to_string(),
        "10 calls per 60 s per key".to_string(),
        "This is a good day".to_string(),
    ] {
        assert!(banner.contains(&needle), "banner lacks {needle}:\n{banner}");
    }
    server.shutdown().await;
}

/// The bundled portal file, read as plain TOML: the checks that hold
/// whatever the catalog loader does with it.
fn portal() -> toml::Table {
    demo::PORTAL.parse().expect("the bundled portal is TOML")
}

fn portal_operations(portal: &toml::Table) -> Vec<toml::Table> {
    portal["api"].as_array().expect("[[api]]")[0]["operation"]
        .as_array()
        .expect("[[api.operation]]")
        .iter()
        .map(|o| o.as_table().expect("operation table").clone())
        .collect()
}

fn environment(portal: &toml::Table) -> Vec<(String, String)> {
    let env = &portal["environment"].as_array().expect("[[environment]]")[0];
    assert_eq!(env["name"].as_str(), Some("demo"));
    env["variables"]
        .as_table()
        .expect("variables")
        .iter()
        .map(|(k, v)| {
            let value = match v {
                toml::Value::String(s) => s.clone(),
                toml::Value::Table(t) => {
                    assert_eq!(t["secret"].as_bool(), Some(true), "{k}");
                    t["value"].as_str().expect("value").to_string()
                }
                other => panic!("{k} = {other}"),
            };
            (k.clone(), value)
        })
        .collect()
}

#[test]
fn the_portal_describes_the_scenario_and_matches_the_service() {
    let portal = portal();
    let api = &portal["api"].as_array().expect("api")[0];
    assert_eq!(api["id"].as_str(), Some(demo::API_ID));
    assert_eq!(api["service_url"].as_str(), Some("http://127.0.0.1:8400"));
    assert_eq!(api["url_suffix"].as_str(), Some("azureml-demo"));
    let headers: Vec<&str> = api["headers"]
        .as_array()
        .expect("headers")
        .iter()
        .filter_map(|h| h.as_str())
        .collect();
    assert_eq!(
        headers,
        [
            "Content-Type: application/json",
            "Authorization: Bearer {{api_key}}",
            "Ocp-Apim-Subscription-Key: {{subscription_key}}"
        ]
    );
    let ops = portal_operations(&portal);
    let table: Vec<(&str, &str, &str)> = ops
        .iter()
        .map(|o| {
            assert!(o.get("description").is_some(), "{o:?}");
            assert!(o.get("tags").is_some(), "{o:?}");
            (
                o["name"].as_str().expect("name"),
                o["method"].as_str().expect("method"),
                o["template"].as_str().expect("template"),
            )
        })
        .collect();
    let ws = "/workspaces/{workspace}/services/{service}";
    assert_eq!(
        table,
        [
            (
                "RRS Execute",
                "POST",
                format!("{ws}/execute?api-version={{apiversion}}&details={{details}}").as_str()
            ),
            (
                "BES Submit",
                "POST",
                format!("{ws}/jobs?api-version={{apiversion}}").as_str()
            ),
            (
                "BES Start",
                "POST",
                format!("{ws}/jobs/{{jobid}}/start?api-version={{apiversion}}").as_str()
            ),
            (
                "BES Status",
                "GET",
                format!("{ws}/jobs/{{jobid}}?api-version={{apiversion}}").as_str()
            ),
            (
                "BES Delete",
                "DELETE",
                format!("{ws}/jobs/{{jobid}}?api-version={{apiversion}}").as_str()
            ),
            (
                "Blob Upload",
                "PUT",
                "/blobs/{input_container}/{input_blob}"
            ),
            (
                "Blob Download",
                "GET",
                "/blobs/{result_container}/{result_blob}?sig={sas_token}"
            ),
            ("Usage", "GET", "/usage"),
        ]
    );
    let rrs: Value =
        serde_json::from_str(ops[0]["body"].as_str().expect("body")).expect("RRS body is JSON");
    assert_eq!(
        rrs,
        serde_json::from_str::<Value>(demo::RRS_SAMPLE_BODY).expect("sample")
    );
    assert_eq!(
        ops[5]["body"].as_str(),
        Some(demo::SAMPLE_CSV),
        "portal's CSV = assets/demo/sample.csv"
    );
    let capture = ops[1]["capture"].as_array().expect("capture")[0]
        .as_table()
        .expect("t");
    assert_eq!(capture["variable"].as_str(), Some("jobid"));
    assert_eq!(capture["path"].as_str(), Some("$"));

    let env = environment(&portal);
    let get = |k: &str| env.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str());
    assert_eq!(get("workspace"), Some(WORKSPACE));
    assert_eq!(get("service"), Some(SERVICE));
    assert_eq!(get("apiversion"), Some("2.0"));
    assert_eq!(get("details"), Some("true"));
    assert_eq!(get("api_key"), Some(API_KEY));
    assert_eq!(get("subscription_key"), Some(PRIMARY_SUBSCRIPTION_KEY));
    assert_eq!(get("input_container"), Some(demo::INPUT_CONTAINER));
    assert_eq!(get("input_blob"), Some(demo::INPUT_BLOB));
    assert_eq!(get("result_container"), Some(demo::RESULT_CONTAINER));
    assert_eq!(get("result_blob"), Some(demo::RESULT_BLOB));
}

#[test]
fn the_openapi_definition_describes_the_same_operations() {
    let doc: Value = yaml_serde::from_str(demo::OPENAPI).expect("openapi.yaml is YAML");
    assert_eq!(doc["openapi"], "3.0.3");
    assert_eq!(
        doc["servers"][0]["url"],
        "http://127.0.0.1:8400/azureml-demo"
    );
    let mut ops = Vec::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for (method, op) in item.as_object().expect("path item") {
            if method != "parameters" {
                ops.push((
                    op["summary"].as_str().expect("summary").to_string(),
                    method.to_uppercase(),
                    path.clone(),
                ));
            }
        }
    }
    let portal = portal();
    for o in portal_operations(&portal) {
        let template = o["template"].as_str().expect("template");
        let path = template.split('?').next().expect("path");
        let name = o["name"].as_str().expect("name");
        let method = o["method"].as_str().expect("method");
        let found = ops
            .iter()
            .find(|(n, _, _)| n == name)
            .unwrap_or_else(|| panic!("{name} missing in openapi.yaml"));
        assert_eq!(found.1, method, "{name}");
        // Template variable names may differ; the shape may not.
        let shape = |p: &str| {
            p.split('/')
                .map(|s| if s.starts_with('{') { "{}" } else { s })
                .collect::<Vec<_>>()
                .join("/")
        };
        assert_eq!(shape(&found.2), shape(path), "{name}");
    }
    assert_eq!(ops.len(), 8);
    // Every local $ref resolves.
    fn refs(v: &Value, out: &mut Vec<String>) {
        match v {
            Value::Object(m) => {
                if let Some(Value::String(r)) = m.get("$ref") {
                    out.push(r.clone());
                }
                m.values().for_each(|x| refs(x, out));
            }
            Value::Array(a) => a.iter().for_each(|x| refs(x, out)),
            _ => {}
        }
    }
    let mut all = Vec::new();
    refs(&doc, &mut all);
    assert!(!all.is_empty());
    for r in all {
        let pointer = r.strip_prefix('#').expect("local ref");
        assert!(doc.pointer(pointer).is_some(), "dangling {r}");
    }
}

/// Substitutes `{{name}}` from the variables, as the request builder does.
fn fill(text: &str, vars: &[(String, String)]) -> String {
    let mut out = text.to_string();
    for (k, v) in vars {
        out = out.replace(&format!("{{{{{k}}}}}"), v);
    }
    assert!(!out.contains("{{"), "unfilled variable in {out}");
    out
}

/// Expands a portal URL template from same-named variables.
fn expand(template: &str, vars: &[(String, String)]) -> String {
    let mut out = template.to_string();
    for (k, v) in vars {
        let encoded: String = url::form_urlencoded::byte_serialize(v.as_bytes()).collect();
        out = out.replace(&format!("{{{k}}}"), &encoded);
    }
    assert!(!out.contains('{'), "unexpanded parameter in {out}");
    out
}

/// Runs one portal operation with nothing but the portal's own values and
/// earlier captures, the way a user who only presses Send would.
async fn run_portal_op(
    client: &Client,
    base: &str,
    name: &str,
    vars: &mut Vec<(String, String)>,
) -> (StatusCode, String) {
    let portal = portal();
    let api = &portal["api"].as_array().expect("api")[0];
    let op = portal_operations(&portal)
        .into_iter()
        .find(|o| o["name"].as_str() == Some(name))
        .expect("operation");
    let url = format!(
        "{base}{}",
        expand(op["template"].as_str().expect("template"), vars)
    );
    let method =
        Method::from_bytes(op["method"].as_str().expect("method").as_bytes()).expect("method");
    let mut request = client.request(method, url);
    for h in api["headers"].as_array().expect("headers") {
        let (k, v) = h
            .as_str()
            .expect("header")
            .split_once(": ")
            .expect("Name: value");
        let v = fill(v, vars);
        request = if k == "Content-Type" {
            request.header(
                k,
                op.get("content_type")
                    .and_then(|c| c.as_str())
                    .unwrap_or(&v),
            )
        } else {
            request.header(k, v)
        };
    }
    if let Some(body) = op.get("body").and_then(|b| b.as_str()) {
        request = request.body(fill(body, vars));
    }
    let response = request.send().await.expect("send");
    let status = response.status();
    let text = response.text().await.expect("body");
    if let Some(captures) = op.get("capture").and_then(|c| c.as_array())
        && let Ok(json) = serde_json::from_str::<Value>(&text)
    {
        for c in captures {
            let path = serde_json_path::JsonPath::parse(c["path"].as_str().expect("path"))
                .expect("JSONPath");
            if let Ok(found) = path.query(&json).exactly_one() {
                let value = found
                    .as_str()
                    .map_or_else(|| found.to_string(), str::to_string);
                let var = c["variable"].as_str().expect("variable").to_string();
                vars.retain(|(k, _)| *k != var);
                vars.push((var, value));
            }
        }
    }
    (status, text)
}

#[tokio::test]
async fn the_portal_alone_drives_rrs_and_the_batch_flow() {
    let server = serve(fast()).await;
    let client = client();
    let base = server.gateway_url();
    let mut vars = environment(&portal());

    let (status, text) = run_portal_op(&client, &base, "RRS Execute", &mut vars).await;
    assert_eq!(status, StatusCode::OK, "{text}");
    let answer: Value = serde_json::from_str(&text).expect("json");
    let counts = counts_of(&answer["Results"]["output1"]["value"]["Values"][0]);
    assert_eq!(counts.iter().sum::<u32>(), 9);

    assert_eq!(
        run_portal_op(&client, &base, "Blob Upload", &mut vars)
            .await
            .0,
        StatusCode::CREATED
    );
    let (status, text) = run_portal_op(&client, &base, "BES Submit", &mut vars).await;
    assert_eq!(status, StatusCode::OK, "{text}");
    assert!(
        vars.iter().any(|(k, _)| k == "jobid"),
        "BES Submit captures jobid"
    );
    assert_eq!(
        run_portal_op(&client, &base, "BES Start", &mut vars)
            .await
            .0,
        StatusCode::OK
    );
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let (status, text) = run_portal_op(&client, &base, "BES Status", &mut vars).await;
        assert_eq!(status, StatusCode::OK, "{text}");
        let body: Value = serde_json::from_str(&text).expect("json");
        if body["StatusCode"] == "Finished" {
            break;
        }
        assert_eq!(body["StatusCode"], "Running", "{body}");
        assert!(Instant::now() < deadline, "job never finished");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let (status, csv) = run_portal_op(&client, &base, "Blob Download", &mut vars).await;
    assert_eq!(status, StatusCode::OK, "{csv}");
    assert!(csv.starts_with("Col1,Col2,Col2_HashingFeature.0,"), "{csv}");
    assert!(
        csv.contains("\n1,This is a good day,1,2,2,0,1,2,0,1\n"),
        "{csv}"
    );
    assert_eq!(csv.lines().count(), 5);

    let (status, text) = run_portal_op(&client, &base, "Usage", &mut vars).await;
    assert_eq!(status, StatusCode::OK);
    let usage: Value = serde_json::from_str(&text).expect("json");
    assert_eq!(usage["subscriptions"][0]["by_operation"]["RRS Execute"], 1);
    assert_eq!(
        usage["subscriptions"][0]["by_operation"]["Blob Download"],
        1
    );
    assert_eq!(
        run_portal_op(&client, &base, "BES Delete", &mut vars)
            .await
            .0,
        StatusCode::OK
    );
    server.shutdown().await;
}

/// portico's own core: catalog -> Draft::new -> build -> Engine::send, with
/// captures applied the way a flow applies them. Nothing is typed.
struct Core {
    engine: Engine,
    catalog: Catalog,
    vars: Vars,
}

impl Core {
    fn new(catalog: Catalog, vars: Vars) -> Self {
        Self {
            engine: Engine::new(EngineConfig::default()).expect("engine"),
            catalog,
            vars,
        }
    }

    fn with_environment(catalog: Catalog, name: &str) -> Self {
        let env = catalog
            .environments
            .iter()
            .find(|e| e.name == name)
            .unwrap_or_else(|| panic!("environment {name}"))
            .variables
            .clone();
        Self::new(
            catalog,
            Vars {
                environment: env,
                ..Vars::default()
            },
        )
    }

    async fn send(&mut self, name: &str) -> Exchange {
        let (api, op) = self
            .catalog
            .apis
            .iter()
            .find_map(|a| {
                a.operations
                    .iter()
                    .find(|o| o.title() == name)
                    .map(|o| (a, o))
            })
            .unwrap_or_else(|| panic!("no operation {name}"));
        let draft = Draft::new(api, op, &self.vars);
        let built = request::build(api, op, &draft, &self.vars).unwrap_or_else(|e| {
            panic!("{name} does not build from what is prefilled: {e}\n{draft:#?}")
        });
        let exchange = self
            .engine
            .send(&built, &SendOptions::default(), CancellationToken::new())
            .await
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        if let Ok(json) = serde_json::from_slice::<Value>(&exchange.response.body) {
            for capture in &op.captures {
                let path = serde_json_path::JsonPath::parse(&capture.path).expect("JSONPath");
                if let Ok(found) = path.query(&json).exactly_one() {
                    let value = found
                        .as_str()
                        .map_or_else(|| found.to_string(), str::to_string);
                    self.vars.captured.insert(
                        capture.variable.clone(),
                        Variable {
                            value,
                            secret: portico::secrets::is_secret_name(&capture.variable),
                        },
                    );
                }
            }
        }
        exchange
    }
}

fn body_json(exchange: &Exchange) -> Value {
    serde_json::from_slice(&exchange.response.body).unwrap_or_else(|e| {
        panic!(
            "{}: not JSON ({e}): {}",
            exchange.response.status,
            exchange.response.body_text_lossy()
        )
    })
}

#[tokio::test]
async fn the_openapi_definition_loads_and_calls_rrs_through_the_core() {
    let server = serve(fast()).await;
    let mut catalog = catalog::load_bytes(demo::OPENAPI.as_bytes(), "assets/demo/openapi.yaml")
        .expect("openapi.yaml loads");
    assert!(catalog.warnings.is_empty(), "{:?}", catalog.warnings);
    assert_eq!(catalog.apis.len(), 1);
    let api = &mut catalog.apis[0];
    assert_eq!(api.servers[0].url, "http://127.0.0.1:8400/azureml-demo");
    let mut titles: Vec<String> = api
        .operations
        .iter()
        .map(portico::catalog::Operation::title)
        .collect();
    titles.sort();
    assert_eq!(
        titles,
        [
            "BES Delete",
            "BES Start",
            "BES Status",
            "BES Submit",
            "Blob Download",
            "Blob Upload",
            "RRS Execute",
            "Usage"
        ]
    );
    api.servers[0].url = server.gateway_url();

    // Only the two keys: every other value comes from the definition.
    let secret = |v: &str| Variable {
        value: v.into(),
        secret: true,
    };
    let mut vars = Vars::default();
    vars.environment
        .insert("subscription_key".into(), secret(PRIMARY_SUBSCRIPTION_KEY));
    vars.environment.insert("api_key".into(), secret(API_KEY));
    let mut core = Core::new(catalog, vars);
    let exchange = core.send("RRS Execute").await;
    assert_eq!(
        exchange.response.status,
        200,
        "{}",
        exchange.response.body_text_lossy()
    );
    let body = body_json(&exchange);
    let counts = counts_of(&body["Results"]["output1"]["value"]["Values"][0]);
    assert_eq!(counts.iter().sum::<u32>(), 9);
    let sent = |name: &str| {
        exchange
            .request
            .headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.clone())
    };
    assert_eq!(
        sent("Ocp-Apim-Subscription-Key").as_deref(),
        Some(PRIMARY_SUBSCRIPTION_KEY)
    );
    assert_eq!(sent("Authorization"), Some(format!("Bearer {API_KEY}")));
    server.shutdown().await;
}
#[tokio::test]
async fn the_bundled_portal_drives_rrs_and_the_batch_flow_through_the_core() {
    let server = serve(fast()).await;
    let catalog = demo::bundled_catalog(&server).expect("the bundled portal loads");
    assert!(catalog.warnings.is_empty(), "{:?}", catalog.warnings);
    let (_, api) = catalog.api(demo::API_ID).expect("demo API");
    assert_eq!(api.servers[0].url, server.gateway_url());
    assert_eq!(api.operations.len(), 8);
    let mut core = Core::with_environment(catalog, "demo");

    let exchange = core.send("RRS Execute").await;
    assert_eq!(
        exchange.response.status,
        200,
        "{}",
        exchange.response.body_text_lossy()
    );
    assert_eq!(
        exchange.request.url,
        format!(
            "{}/workspaces/{WORKSPACE}/services/{SERVICE}/execute?api-version=2.0&details=true",
            server.gateway_url()
        )
    );
    let body = body_json(&exchange);
    let row = &body["Results"]["output1"]["value"]["Values"][0];
    assert_eq!(row[0], SAMPLE_TEXT);
    let counts = counts_of(row);
    assert_eq!(counts.len(), 8);
    assert_eq!(counts.iter().sum::<u32>(), 9);

    let exchange = core.send("Blob Upload").await;
    assert_eq!(
        exchange.response.status,
        201,
        "{}",
        exchange.response.body_text_lossy()
    );
    let exchange = core.send("BES Submit").await;
    assert_eq!(
        exchange.response.status,
        200,
        "{}",
        exchange.response.body_text_lossy()
    );
    let jobid = core
        .vars
        .get("jobid")
        .expect("BES Submit captures jobid")
        .value
        .clone();
    assert_eq!(body_json(&exchange), Value::String(jobid.clone()));
    let exchange = core.send("BES Start").await;
    assert_eq!(
        exchange.response.status,
        200,
        "{}",
        exchange.response.body_text_lossy()
    );
    assert!(
        exchange
            .request
            .url
            .contains(&format!("/jobs/{jobid}/start"))
    );

    let deadline = Instant::now() + Duration::from_secs(10);
    let mut seen = Vec::new();
    loop {
        let exchange = core.send("BES Status").await;
        assert_eq!(exchange.response.status, 200);
        let status = body_json(&exchange)["StatusCode"]
            .as_str()
            .expect("StatusCode")
            .to_string();
        if seen.last() != Some(&status) {
            seen.push(status.clone());
        }
        if status != "Running" {
            break;
        }
        assert!(Instant::now() < deadline, "job never finished");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(seen, ["Running", "Finished"]);
    assert!(
        core.vars.get("sas_token").is_some_and(|v| v.secret),
        "BES Status captures the SAS signature as a secret"
    );

    let exchange = core.send("Blob Download").await;
    let csv = exchange.response.body_text_lossy().into_owned();
    assert_eq!(exchange.response.status, 200, "{csv}");
    assert!(csv.starts_with("Col1,Col2,Col2_HashingFeature.0,"), "{csv}");
    assert!(
        csv.contains("\n1,This is a good day,1,2,2,0,1,2,0,1\n"),
        "{csv}"
    );
    assert_eq!(
        csv.lines().count(),
        1 + demo::SAMPLE_CSV.lines().count() - 1
    );

    let usage = body_json(&core.send("Usage").await);
    let ops = &usage["subscriptions"][0]["by_operation"];
    assert_eq!(ops["RRS Execute"], 1);
    assert_eq!(ops["BES Submit"], 1);
    assert_eq!(ops["Blob Download"], 1);
    let exchange = core.send("BES Delete").await;
    assert_eq!(exchange.response.status, 200);
    assert_eq!(body_json(&exchange)["StatusCode"], "Finished");
    server.shutdown().await;
}

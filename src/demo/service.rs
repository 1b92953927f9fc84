//! The ML web service behind the gateway, shaped like Azure ML Studio
//! (classic): Request-Response (RRS) `execute`, and the Batch Execution
//! Service (BES) job life cycle over the demo blob store.
//!
//! Every request needs `Authorization: Bearer` [`super::API_KEY`], the
//! demo workspace and service, and `api-version=2.0`; bad input gets a 400
//! `BadArgument` that says what and where.
//!
//! A BES job goes NotStarted (submitted) -> Running (started) and, after
//! [`super::DemoConfig::job_duration`], Finished (result CSV written) or
//! Failed (`Details` says why). Deleting a job cancels and removes it.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value, json};
use tokio::task::AbortHandle;

use super::blobs::{Blob, check_blob_name, check_container};
use super::hashing::{self, DEFAULT_BITS, MAX_BITS, MIN_BITS};
use super::server::{App, lock, service_error};
use super::{API_KEY, SERVICE, TEXT_COLUMN, WORKSPACE, csv};

/// RRS is for a few rows at a time; larger inputs go through BES.
pub(super) const MAX_RRS_ROWS: usize = 1000;
/// Bounds a job's output (rows x 2^bits counts).
pub(super) const MAX_JOB_CELLS: usize = 2_000_000;
/// Bounds the jobs kept in memory.
pub(super) const MAX_JOBS: usize = 1000;
/// The `GlobalParameters` entry that sets the number of hashing bits.
pub const BITS_PARAMETER: &str = "Hashing bitsize";
/// Where a job's result goes when its submission names no output.
pub(super) const DEFAULT_RESULT_CONTAINER: &str = "results";
/// The API version the service answers.
pub(super) const API_VERSION: &str = "2.0";

fn bad_argument(message: &str) -> Response {
    Refusal::bad_argument(message).into_response()
}

/// A refusal from the service, turned into its JSON error on the way out.
struct Refusal {
    status: StatusCode,
    code: &'static str,
    message: String,
}

impl Refusal {
    fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Self {
            status,
            code,
            message: message.into(),
        }
    }

    fn bad_argument(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "BadArgument", message)
    }

    fn unauthorized(message: &str) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, "Unauthorized", message)
    }
}

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        let mut r = service_error(self.status, self.code, &self.message);
        if self.status == StatusCode::UNAUTHORIZED {
            r.headers_mut()
                .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        r
    }
}

/// The checks every service call shares: bearer key, workspace, service,
/// api-version. Returns the `details` flag.
fn admit(headers: &HeaderMap, workspace: &str, service: &str, uri: &Uri) -> Result<bool, Refusal> {
    let Some(auth) = headers.get(header::AUTHORIZATION) else {
        return Err(Refusal::unauthorized(
            "missing Authorization header: send `Authorization: Bearer <api key>`",
        ));
    };
    let token = auth
        .to_str()
        .ok()
        .and_then(|v| v.split_once(' '))
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
        .map(|(_, token)| token.trim());
    match token {
        None => {
            return Err(Refusal::unauthorized(
                "the Authorization header must be `Bearer <api key>`",
            ));
        }
        Some(t) if t != API_KEY => {
            return Err(Refusal::unauthorized(
                "the API key in the Authorization header is not valid for this service",
            ));
        }
        Some(_) => {}
    }
    if workspace != WORKSPACE {
        return Err(Refusal::new(
            StatusCode::NOT_FOUND,
            "WorkspaceNotFound",
            format!("no workspace `{workspace}` (the demo has `{WORKSPACE}`)"),
        ));
    }
    if service != SERVICE {
        return Err(Refusal::new(
            StatusCode::NOT_FOUND,
            "ServiceNotFound",
            format!("no service `{service}` in workspace `{workspace}` (the demo has `{SERVICE}`)"),
        ));
    }
    let mut version = None;
    let mut details = false;
    for (k, v) in url::form_urlencoded::parse(uri.query().unwrap_or("").as_bytes()) {
        match k.as_ref() {
            "api-version" => version = Some(v.into_owned()),
            "details" => {
                details = match v.to_ascii_lowercase().as_str() {
                    "true" => true,
                    "false" | "" => false,
                    other => {
                        return Err(Refusal::bad_argument(format!(
                            "query parameter `details` must be true or false (got `{other}`)"
                        )));
                    }
                }
            }
            _ => {}
        }
    }
    match version.as_deref() {
        Some(API_VERSION) => Ok(details),
        Some(other) => Err(Refusal::bad_argument(format!(
            "api-version `{other}` is not supported: use api-version={API_VERSION}"
        ))),
        None => Err(Refusal::bad_argument(format!(
            "missing query parameter `api-version` (use api-version={API_VERSION})"
        ))),
    }
}

fn parse_body(body: &[u8]) -> Result<Map<String, Value>, String> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Err("the request body is empty: send a JSON object".into());
    }
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(other) => Err(format!(
            "the request body must be a JSON object, not {}",
            kind(&other)
        )),
        Err(e) => Err(format!("the request body is not valid JSON: {e}")),
    }
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// The hashing bits from `GlobalParameters` (a number or a numeric string).
fn hashing_bits(body: &Map<String, Value>) -> Result<u32, String> {
    let params = match body.get("GlobalParameters") {
        None | Some(Value::Null) => return Ok(DEFAULT_BITS),
        Some(Value::Object(p)) => p,
        Some(other) => {
            return Err(format!(
                "`GlobalParameters` must be an object, not {}",
                kind(other)
            ));
        }
    };
    let Some(value) = params.get(BITS_PARAMETER) else {
        return Ok(DEFAULT_BITS);
    };
    let parsed = match value {
        Value::Number(n) => n.as_u64(),
        Value::String(s) => s.trim().parse::<u64>().ok(),
        _ => None,
    };
    match parsed {
        Some(b) if (u64::from(MIN_BITS)..=u64::from(MAX_BITS)).contains(&b) => {
            Ok(u32::try_from(b).unwrap_or(DEFAULT_BITS))
        }
        _ => Err(format!(
            "`GlobalParameters.{BITS_PARAMETER}` must be a whole number from {MIN_BITS} to {MAX_BITS} (got {value})"
        )),
    }
}

fn feature_names(bits: u32) -> impl Iterator<Item = String> {
    (0..1u32 << bits).map(|i| format!("{TEXT_COLUMN}_HashingFeature.{i}"))
}

/// `map[key]` as the JSON type `pick` accepts. An absent member is the
/// `missing` message; another type says what `path` must be (`want`) and
/// what came instead.
fn field<'a, T>(
    map: &'a Map<String, Value>,
    key: &str,
    path: &str,
    want: &str,
    missing: &str,
    pick: fn(&'a Value) -> Option<T>,
) -> Result<T, String> {
    let value = map.get(key).ok_or_else(|| missing.to_string())?;
    pick(value).ok_or_else(|| format!("`{path}` must be {want}, not {}", kind(value)))
}

/// The rows of `Inputs.input1`, checked.
fn rrs_input(body: &Map<String, Value>) -> Result<(Vec<String>, Vec<Vec<String>>), String> {
    let inputs = field(
        body,
        "Inputs",
        "Inputs",
        "an object",
        "missing `Inputs` (expected {\"Inputs\": {\"input1\": {\"ColumnNames\": [...], \"Values\": [[...]]}}})",
        Value::as_object,
    )?;
    let input = field(
        inputs,
        "input1",
        "Inputs.input1",
        "an object",
        "`Inputs` has no `input1` (the service's only input)",
        Value::as_object,
    )?;
    let names = field(
        input,
        "ColumnNames",
        "Inputs.input1.ColumnNames",
        "an array of strings",
        "missing `Inputs.input1.ColumnNames`",
        Value::as_array,
    )?;
    let mut columns = Vec::with_capacity(names.len());
    for (i, n) in names.iter().enumerate() {
        match n {
            Value::String(s) => columns.push(s.clone()),
            other => {
                return Err(format!(
                    "`Inputs.input1.ColumnNames[{i}]` must be a string, not {}",
                    kind(other)
                ));
            }
        }
    }
    if !columns.iter().any(|c| c == TEXT_COLUMN) {
        return Err(format!(
            "`Inputs.input1.ColumnNames` must include `{TEXT_COLUMN}`, the text column to hash (got {})",
            Value::from(columns.clone())
        ));
    }
    let values = field(
        input,
        "Values",
        "Inputs.input1.Values",
        "an array of rows",
        "missing `Inputs.input1.Values`",
        Value::as_array,
    )?;
    if values.len() > MAX_RRS_ROWS {
        return Err(format!(
            "`Inputs.input1.Values` has {} rows; request-response takes at most {MAX_RRS_ROWS} (use a batch job for more)",
            values.len()
        ));
    }
    let mut rows = Vec::with_capacity(values.len());
    for (r, row) in values.iter().enumerate() {
        let Value::Array(cells) = row else {
            return Err(format!(
                "`Inputs.input1.Values[{r}]` must be an array (one row), not {}",
                kind(row)
            ));
        };
        if cells.len() != columns.len() {
            return Err(format!(
                "`Inputs.input1.Values[{r}]` has {} values but `ColumnNames` has {}",
                cells.len(),
                columns.len()
            ));
        }
        let mut out = Vec::with_capacity(cells.len());
        for (c, cell) in cells.iter().enumerate() {
            out.push(match cell {
                Value::String(s) => s.clone(),
                Value::Null => String::new(),
                Value::Number(n) => n.to_string(),
                Value::Bool(b) => b.to_string(),
                other => {
                    return Err(format!(
                        "`Inputs.input1.Values[{r}][{c}]` must be a string or a number, not {}",
                        kind(other)
                    ));
                }
            });
        }
        rows.push(out);
    }
    Ok((columns, rows))
}

/// Appends the hashing counts to each row.
fn featurize(columns: &[String], rows: Vec<Vec<String>>, bits: u32) -> Vec<Vec<String>> {
    let text = columns.iter().position(|c| c == TEXT_COLUMN);
    rows.into_iter()
        .map(|mut row| {
            let source = text.and_then(|i| row.get(i)).map_or("", String::as_str);
            let counts = hashing::hash_features(source, bits);
            row.extend(counts.iter().map(u32::to_string));
            row
        })
        .collect()
}

pub(super) async fn execute(
    Path((workspace, service)): Path<(String, String)>,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let details = match admit(&headers, &workspace, &service, &uri) {
        Ok(d) => d,
        Err(r) => return r.into_response(),
    };
    let parsed = parse_body(&body).and_then(|b| Ok((rrs_input(&b)?, hashing_bits(&b)?)));
    let ((columns, rows), bits) = match parsed {
        Ok(p) => p,
        Err(e) => return bad_argument(&e),
    };
    let values = featurize(&columns, rows, bits);
    let mut value = Map::new();
    if details {
        let names: Vec<String> = columns.iter().cloned().chain(feature_names(bits)).collect();
        let types: Vec<&str> = columns
            .iter()
            .map(|_| "String")
            .chain(feature_names(bits).map(|_| "Int32"))
            .collect();
        value.insert("ColumnNames".into(), json!(names));
        value.insert("ColumnTypes".into(), json!(types));
    }
    value.insert("Values".into(), json!(values));
    axum::Json(json!({
        "Results": {"output1": {"type": "table", "value": value}}
    }))
    .into_response()
}

/// A batch job, in memory.
pub(super) struct Job {
    status: JobStatus,
    details: Option<String>,
    input: BlobRef,
    output: BlobRef,
    bits: u32,
    pub task: Option<AbortHandle>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum JobStatus {
    NotStarted,
    Running,
    Failed,
    Cancelled,
    Finished,
}

impl JobStatus {
    fn as_str(self) -> &'static str {
        match self {
            Self::NotStarted => "NotStarted",
            Self::Running => "Running",
            Self::Failed => "Failed",
            Self::Cancelled => "Cancelled",
            Self::Finished => "Finished",
        }
    }
}

#[derive(Debug, Clone)]
struct BlobRef {
    container: String,
    name: String,
}

impl std::fmt::Display for BlobRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.container, self.name)
    }
}

/// Reads a blob reference `{"ConnectionString": "...", "RelativeLocation": "/container/name"}`.
fn blob_ref(value: Option<&Value>, at: &str) -> Result<BlobRef, String> {
    let Some(value) = value else {
        return Err(format!("missing `{at}`"));
    };
    let Value::Object(obj) = value else {
        return Err(format!(
            "`{at}` must be an object with `ConnectionString` and `RelativeLocation`, not {}",
            kind(value)
        ));
    };
    field(
        obj,
        "ConnectionString",
        &format!("{at}.ConnectionString"),
        "a string",
        &format!("missing `{at}.ConnectionString`"),
        Value::as_str,
    )?;
    let location = field(
        obj,
        "RelativeLocation",
        &format!("{at}.RelativeLocation"),
        "a string like `/container/name.csv`",
        &format!("missing `{at}.RelativeLocation`"),
        Value::as_str,
    )?;
    let trimmed = location.trim_start_matches('/');
    let Some((container, name)) = trimmed.split_once('/') else {
        return Err(format!(
            "`{at}.RelativeLocation` must be `/container/name` (got `{location}`)"
        ));
    };
    check_container(container)
        .and_then(|()| check_blob_name(name))
        .map_err(|e| format!("`{at}.RelativeLocation`: {e}"))?;
    Ok(BlobRef {
        container: container.to_string(),
        name: name.to_string(),
    })
}

fn submission(body: &Map<String, Value>, job_id: &str) -> Result<(BlobRef, BlobRef, u32), String> {
    // The first BES payloads had one `Input`; later ones a map `Inputs`.
    let input = match (body.get("Input"), body.get("Inputs")) {
        (Some(i), _) => blob_ref(Some(i), "Input")?,
        (None, Some(Value::Object(inputs))) => blob_ref(inputs.get("input1"), "Inputs.input1")?,
        (None, Some(other)) => {
            return Err(format!("`Inputs` must be an object, not {}", kind(other)));
        }
        (None, None) => {
            return Err(
                "missing `Input`: a blob reference {\"ConnectionString\": \"...\", \"RelativeLocation\": \"/container/name.csv\"}"
                    .into(),
            );
        }
    };
    let output = match body.get("Outputs") {
        None | Some(Value::Null) => None,
        Some(Value::Object(outputs)) => match outputs.get("output1") {
            None => None,
            Some(o) => Some(blob_ref(Some(o), "Outputs.output1")?),
        },
        Some(other) => {
            return Err(format!("`Outputs` must be an object, not {}", kind(other)));
        }
    };
    let output = output.unwrap_or_else(|| BlobRef {
        container: DEFAULT_RESULT_CONTAINER.into(),
        name: format!("{job_id}/output1.csv"),
    });
    Ok((input, output, hashing_bits(body)?))
}

fn job_not_found(job: &str) -> Response {
    service_error(
        StatusCode::NOT_FOUND,
        "JobNotFound",
        &format!("no job `{job}` in service `{SERVICE}`"),
    )
}

pub(super) async fn submit(
    State(app): State<Arc<App>>,
    Path((workspace, service)): Path<(String, String)>,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if let Err(r) = admit(&headers, &workspace, &service, &uri) {
        return r.into_response();
    }
    let id = app.new_id();
    let (input, output, bits) = match parse_body(&body).and_then(|b| submission(&b, &id)) {
        Ok(s) => s,
        Err(e) => return bad_argument(&e),
    };
    let mut jobs = lock(&app.jobs);
    if jobs.len() >= MAX_JOBS {
        return service_error(
            StatusCode::SERVICE_UNAVAILABLE,
            "TooManyJobs",
            &format!("the demo keeps at most {MAX_JOBS} jobs: delete some first"),
        );
    }
    jobs.insert(
        id.clone(),
        Job {
            status: JobStatus::NotStarted,
            details: None,
            input,
            output,
            bits,
            task: None,
        },
    );
    drop(jobs);
    axum::Json(Value::String(id)).into_response()
}

pub(super) async fn start(
    State(app): State<Arc<App>>,
    Path((workspace, service, id)): Path<(String, String, String)>,
    uri: Uri,
    headers: HeaderMap,
) -> Response {
    if let Err(r) = admit(&headers, &workspace, &service, &uri) {
        return r.into_response();
    }
    let mut jobs = lock(&app.jobs);
    let Some(job) = jobs.get_mut(&id) else {
        return job_not_found(&id);
    };
    if job.status != JobStatus::NotStarted {
        return service_error(
            StatusCode::CONFLICT,
            "JobAlreadyStarted",
            &format!(
                "job `{id}` is {}: a job can be started once",
                job.status.as_str()
            ),
        );
    }
    job.status = JobStatus::Running;
    let task = tokio::spawn(run_job(Arc::clone(&app), id.clone()));
    job.task = Some(task.abort_handle());
    drop(jobs);
    StatusCode::OK.into_response()
}

async fn run_job(app: Arc<App>, id: String) {
    tokio::time::sleep(app.config.job_duration).await;
    let work = {
        let jobs = lock(&app.jobs);
        match jobs.get(&id) {
            Some(job) if job.status == JobStatus::Running => {
                (job.input.clone(), job.output.clone(), job.bits)
            }
            _ => return,
        }
    };
    let (input, output, bits) = work;
    let outcome = process(&app, &input, &output, bits);
    let mut jobs = lock(&app.jobs);
    if let Some(job) = jobs.get_mut(&id) {
        if job.status == JobStatus::Running {
            match outcome {
                Ok(()) => job.status = JobStatus::Finished,
                Err(details) => {
                    job.status = JobStatus::Failed;
                    job.details = Some(details);
                }
            }
        }
        job.task = None;
    }
}

/// Hashes the input CSV's text column into the result CSV.
fn process(app: &App, input: &BlobRef, output: &BlobRef, bits: u32) -> Result<(), String> {
    let data = lock(&app.blobs)
        .get(&input.container, &input.name)
        .map(|b| b.data.clone())
        .ok_or_else(|| format!("the input blob `{input}` does not exist in the blob store"))?;
    let text = std::str::from_utf8(&data).map_err(|e| {
        format!(
            "the input blob `{input}` is not CSV: it is not UTF-8 text (byte {} is not)",
            e.valid_up_to()
        )
    })?;
    let table =
        csv::parse(text).map_err(|e| format!("the input blob `{input}` is not CSV: {e}"))?;
    if !table.header.iter().any(|c| c == TEXT_COLUMN) {
        return Err(format!(
            "the input blob `{input}` has no column `{TEXT_COLUMN}` (the text to hash); its columns are: {}",
            table.header.join(", ")
        ));
    }
    if table.rows.len().saturating_mul(1 << bits) > MAX_JOB_CELLS {
        return Err(format!(
            "the input blob `{input}` has {} rows: with {bits} hashing bits the result would exceed the demo's {MAX_JOB_CELLS} cells",
            table.rows.len()
        ));
    }
    let mut header = table.header.clone();
    header.extend(feature_names(bits));
    let mut out = String::new();
    csv::write_row(&mut out, &header);
    for row in featurize(&table.header, table.rows, bits) {
        csv::write_row(&mut out, &row);
    }
    lock(&app.blobs)
        .put(
            &output.container,
            &output.name,
            Blob {
                data: Bytes::from(out),
                content_type: "text/csv".into(),
                needs_sas: true,
            },
        )
        .map_err(|e| format!("the result could not be written to `{output}`: {e}"))
}

fn status_body(app: &App, job: &Job) -> Value {
    let results = if job.status == JobStatus::Finished {
        let sig = app.sign(&job.output.container, &job.output.name);
        json!({"output1": {
            "BaseLocation": app.blob_base(),
            "RelativeLocation": job.output.to_string(),
            "SasBlobToken": format!("?sv=2015-02-21&sr=b&sp=r&sig={sig}"),
            // The signature alone, so that a portal can capture it into a
            // variable for the download's `sig` query parameter.
            "SasSignature": sig,
        }})
    } else {
        Value::Null
    };
    json!({
        "StatusCode": job.status.as_str(),
        "Results": results,
        "Details": job.details,
    })
}

pub(super) async fn status(
    State(app): State<Arc<App>>,
    Path((workspace, service, id)): Path<(String, String, String)>,
    uri: Uri,
    headers: HeaderMap,
) -> Response {
    if let Err(r) = admit(&headers, &workspace, &service, &uri) {
        return r.into_response();
    }
    let jobs = lock(&app.jobs);
    match jobs.get(&id) {
        Some(job) => axum::Json(status_body(&app, job)).into_response(),
        None => job_not_found(&id),
    }
}

pub(super) async fn delete(
    State(app): State<Arc<App>>,
    Path((workspace, service, id)): Path<(String, String, String)>,
    uri: Uri,
    headers: HeaderMap,
) -> Response {
    if let Err(r) = admit(&headers, &workspace, &service, &uri) {
        return r.into_response();
    }
    let Some(mut job) = lock(&app.jobs).remove(&id) else {
        return job_not_found(&id);
    };
    if let Some(task) = job.task.take() {
        task.abort();
    }
    if matches!(job.status, JobStatus::NotStarted | JobStatus::Running) {
        job.status = JobStatus::Cancelled;
    }
    axum::Json(status_body(&app, &job)).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body(v: &Value) -> Map<String, Value> {
        match v {
            Value::Object(m) => m.clone(),
            _ => Map::new(),
        }
    }

    #[test]
    fn rrs_input_errors_say_where() {
        let e = |v: Value| rrs_input(&body(&v)).expect_err("invalid");
        assert!(e(json!({})).contains("missing `Inputs`"));
        assert!(
            e(json!({"Inputs": {"input1": {"ColumnNames": ["Col1"], "Values": []}}}))
                .contains("must include `Col2`")
        );
        assert_eq!(
            e(
                json!({"Inputs": {"input1": {"ColumnNames": ["Col2"], "Values": [["a"], ["b", "c"]]}}})
            ),
            "`Inputs.input1.Values[1]` has 2 values but `ColumnNames` has 1"
        );
        assert!(
            e(json!({"Inputs": {"input1": {"ColumnNames": ["Col2"], "Values": [[{"x": 1}]]}}}))
                .contains("Values[0][0]")
        );
    }

    #[test]
    fn bits_come_from_global_parameters() {
        assert_eq!(hashing_bits(&body(&json!({}))), Ok(3));
        assert_eq!(
            hashing_bits(&body(
                &json!({"GlobalParameters": {"Hashing bitsize": "4"}})
            )),
            Ok(4)
        );
        assert_eq!(
            hashing_bits(&body(&json!({"GlobalParameters": {"Hashing bitsize": 10}}))),
            Ok(10)
        );
        assert!(
            hashing_bits(&body(&json!({"GlobalParameters": {"Hashing bitsize": 11}}))).is_err()
        );
        assert!(hashing_bits(&body(&json!({"GlobalParameters": []}))).is_err());
    }

    #[test]
    fn submissions_take_input_or_inputs() {
        let r = json!({"ConnectionString": "UseDevelopmentStorage=true", "RelativeLocation": "/demo-input/sample.csv"});
        let (i, o, bits) = submission(&body(&json!({"Input": r})), "j1").expect("valid");
        assert_eq!(i.to_string(), "demo-input/sample.csv");
        assert_eq!(o.to_string(), "results/j1/output1.csv");
        assert_eq!(bits, 3);
        let (i, o, _) = submission(
            &body(&json!({"Inputs": {"input1": r}, "Outputs": {"output1": r}})),
            "j",
        )
        .expect("valid");
        assert_eq!(i.to_string(), o.to_string());
        let e = submission(
            &body(&json!({"Input": {"ConnectionString": "x", "RelativeLocation": "nocontainer"}})),
            "j",
        )
        .expect_err("invalid");
        assert!(
            e.contains("`Input.RelativeLocation` must be `/container/name`"),
            "{e}"
        );
    }
}

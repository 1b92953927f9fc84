//! Form bodies carried everywhere a request goes: exported to curl and
//! read back (`-F name=value`, `-F name=@path`, `--data-urlencode`),
//! through `.http` files and Postman collections, and kept in presets and
//! history. Each round trip must give back the same fields, files by path.

mod support;

use std::path::Path;

use portico::catalog::{self, Catalog, OperationKey};
use portico::interchange::{ImportedRequest, curl, http_file, imported, postman};
use portico::request::{self, Draft, FormField, Vars};
use portico::store::{History, Paths, Presets};
use support::TestServer;

const FORMS: &str = r#"
openapi: 3.0.3
info: {title: forms, version: "1"}
servers: [{url: "http://127.0.0.1:9/api"}]
paths:
  /upload:
    post:
      operationId: upload
      requestBody:
        content:
          multipart/form-data:
            schema:
              type: object
              properties:
                file: {type: string, format: binary}
                note: {type: string}
      responses: {"200": {description: ok}}
  /echo:
    post:
      operationId: send
      requestBody:
        content:
          multipart/form-data:
            schema:
              type: object
              properties:
                file: {type: string, format: binary}
      responses: {"200": {description: ok}}
  /login:
    post:
      operationId: login
      requestBody:
        content:
          application/x-www-form-urlencoded:
            schema:
              type: object
              properties:
                user: {type: string}
                pass: {type: string}
      responses: {"200": {description: ok}}
"#;

fn forms() -> Catalog {
    catalog::load_bytes(FORMS.as_bytes(), "forms.yaml").expect("loads")
}

fn field(name: &str, value: &str, file: bool) -> FormField {
    FormField {
        name: name.into(),
        value: value.into(),
        file,
        enabled: true,
    }
}

/// A draft of `op` with `form` as its fields.
fn draft_with(catalog: &Catalog, op: &str, form: Vec<FormField>) -> (OperationKey, Draft) {
    let (api, operation) = catalog.operation(catalog.select(op).expect("operation"));
    let mut draft = Draft::new(api, operation, &Vars::default());
    draft.form = form;
    (operation.key(api), draft)
}

/// Text that needs every kind of care: spaces, `&`, `=`, `+`, `%`,
/// quotes, `;`, a leading `@`, non-ASCII.
const AWKWARD: &str = "a b&c=d+e%20 'q' \"dq\"; @x ünï ✓";

fn upload_form(dir: &Path) -> Vec<FormField> {
    let file = dir.join("notes file.txt");
    std::fs::write(&file, "file content\n").expect("write");
    vec![
        field("file", &file.display().to_string(), true),
        field("note", "plain", false),
        field("awkward", AWKWARD, false),
        field("at", "@not-a-file", false),
    ]
}

fn login_form() -> Vec<FormField> {
    vec![
        field("user", "ada lovelace", false),
        field("pass", AWKWARD, false),
    ]
}

/// Through curl: the export names the file and the fields, and reads back
/// into the same fields of the same operation.
fn curl_round_trip(catalog: &Catalog, op: &str, form: &[FormField]) -> String {
    let (_, draft) = draft_with(catalog, op, form.to_vec());
    let (api, operation) = catalog.operation(catalog.select(op).expect("operation"));
    let built = request::build(api, operation, &draft, &Vars::default()).expect("builds");
    let command = curl::to_curl(&built, true);
    let parsed = curl::parse_curl(&command).unwrap_or_else(|e| panic!("{e}: {command}"));
    let (ai, oi, back) = curl::draft_from_curl(catalog, &parsed).expect("matches an operation");
    assert_eq!(
        catalog.apis[ai].operations[oi].key(&catalog.apis[ai]),
        operation.key(api)
    );
    assert_eq!(back.form, form, "{command}");
    assert!(back.body.is_empty(), "{command}");
    // Built again, the same bytes go out (multipart: the same boundary,
    // as the build chooses it from the fields).
    let again = request::build(api, operation, &back, &Vars::default()).expect("builds");
    assert_eq!(again.body, built.body, "{command}");
    command
}

#[test]
fn a_multipart_form_goes_to_curl_as_fields_and_comes_back() {
    let dir = tempfile::tempdir().expect("temp dir");
    let form = upload_form(dir.path());
    let command = curl_round_trip(&forms(), "upload", &form);
    assert!(
        command.contains(&format!("-F 'file=@{}'", form[0].value)),
        "{command}"
    );
    assert!(command.contains("-F 'note=plain'"), "{command}");
    // `-F` would read a file after `@` and options after `;`.
    assert!(
        command.contains("--form-string 'at=@not-a-file'"),
        "{command}"
    );
    assert!(command.contains("--form-string 'awkward="), "{command}");
    // curl writes its own boundary, so none is given.
    assert!(!command.contains("boundary="), "{command}");
    assert!(!command.contains("--data"), "{command}");
}

#[test]
fn a_url_encoded_form_goes_to_curl_as_fields_and_comes_back() {
    let command = curl_round_trip(&forms(), "login", &login_form());
    assert!(
        command.contains("--data-urlencode 'user=ada lovelace'"),
        "{command}"
    );
    assert!(!command.contains("--data-raw"), "{command}");
}

#[test]
fn a_curl_command_with_a_urlencoded_body_imports_as_fields() {
    let catalog = forms();
    let parsed = curl::parse_curl(
        "curl http://127.0.0.1:9/api/login -d 'user=ada%20lovelace' --data-urlencode 'pass=x&y'",
    )
    .expect("parses");
    let (_, _, draft) = curl::draft_from_curl(&catalog, &parsed).expect("matches");
    assert_eq!(
        draft.form,
        vec![
            field("user", "ada lovelace", false),
            field("pass", "x&y", false)
        ]
    );
    // Text that is no form stays the body.
    let parsed = curl::parse_curl("curl http://127.0.0.1:9/api/login -d hello").expect("parses");
    let (_, _, draft) = curl::draft_from_curl(&catalog, &parsed).expect("matches");
    assert!(draft.form.is_empty());
    assert_eq!(draft.body, "hello");
}

/// A preset's draft through an exported file and back onto the catalog.
fn placed_again(catalog: &Catalog, requests: &[ImportedRequest]) -> Vec<Draft> {
    requests
        .iter()
        .map(|r| {
            let placed = imported::place(catalog, r, &Vars::default());
            assert!(placed.operation.is_some(), "{r:?} found no operation");
            placed.draft
        })
        .collect()
}

fn exported(catalog: &Catalog, drafts: &[(OperationKey, Draft)]) -> Vec<ImportedRequest> {
    drafts
        .iter()
        .enumerate()
        .map(|(i, (key, draft))| imported::to_imported(catalog, key, draft, &format!("r{i}")))
        .collect()
}

#[test]
fn forms_survive_an_http_file() {
    let catalog = forms();
    let dir = tempfile::tempdir().expect("temp dir");
    let mut upload = upload_form(dir.path());
    upload.push(field("token", "{{token}}", false));
    let mut login = login_form();
    login.push(field("remember", "{{remember}}", false));
    let drafts = [
        draft_with(&catalog, "upload", upload.clone()),
        draft_with(&catalog, "login", login.clone()),
    ];
    let requests = exported(&catalog, &drafts);
    let (text, warnings) = http_file::write(&http_file::HttpFile {
        requests: requests.clone(),
        ..http_file::HttpFile::default()
    });
    assert!(warnings.is_empty(), "{warnings:?}");
    // The file is uploaded by REST Client's and JetBrains' own syntax.
    assert!(
        text.contains(&format!("\n< {}\n", upload[0].value)),
        "{text}"
    );
    assert!(
        text.contains("Content-Type: multipart/form-data; boundary="),
        "{text}"
    );
    assert!(text.contains("remember={{remember}}"), "{text}");
    let read = http_file::parse(&text, "forms.http", dir.path()).expect("reads back");
    assert!(read.warnings.is_empty(), "{:?}", read.warnings);
    assert_eq!(read.requests[0].form, upload, "{text}");
    assert_eq!(read.requests[1].form, login, "{text}");
    let drafts_back = placed_again(&catalog, &read.requests);
    assert_eq!(drafts_back[0].form, upload);
    assert_eq!(drafts_back[1].form, login);
    assert!(drafts_back.iter().all(|d| d.body.is_empty()));
}

#[test]
fn a_relative_file_in_an_http_file_is_the_files_own() {
    let dir = tempfile::tempdir().expect("temp dir");
    let text = "POST http://127.0.0.1:9/api/upload\nContent-Type: multipart/form-data; boundary=XX\n\n--XX\nContent-Disposition: form-data; name=\"file\"; filename=\"a.txt\"\n\n< ./a.txt\n--XX\nContent-Disposition: form-data; name=\"note\"\n\ntwo\nlines\n--XX--\n";
    let read = http_file::parse(text, "up.http", dir.path()).expect("reads");
    assert_eq!(
        read.requests[0].form,
        vec![
            field(
                "file",
                &dir.path().join("./a.txt").display().to_string(),
                true
            ),
            field("note", "two\nlines", false),
        ]
    );
}

#[test]
fn forms_survive_a_postman_collection() {
    let catalog = forms();
    let dir = tempfile::tempdir().expect("temp dir");
    let upload = upload_form(dir.path());
    let mut login = login_form();
    login.push(FormField {
        enabled: false,
        ..field("remember", "1", false)
    });
    let drafts = [
        draft_with(&catalog, "upload", upload.clone()),
        draft_with(&catalog, "login", login.clone()),
    ];
    let requests = exported(&catalog, &drafts);
    let text = postman::write("forms", &requests, &indexmap::IndexMap::new());
    let json: serde_json::Value = serde_json::from_str(&text).expect("JSON");
    let body = &json["item"][0]["request"]["body"];
    assert_eq!(body["mode"], "formdata", "{text}");
    assert_eq!(body["formdata"][0]["type"], "file");
    assert_eq!(body["formdata"][0]["src"], upload[0].value.as_str());
    assert_eq!(json["item"][1]["request"]["body"]["mode"], "urlencoded");
    assert_eq!(
        json["item"][1]["request"]["body"]["urlencoded"][2]["disabled"],
        true
    );

    let read = postman::parse(&text, "forms.json").expect("reads back");
    assert!(read.warnings.is_empty(), "{:?}", read.warnings);
    assert_eq!(read.requests[0].form, upload);
    assert_eq!(read.requests[1].form, login);
    let drafts_back = placed_again(&catalog, &read.requests);
    assert_eq!(drafts_back[0].form, upload);
    assert_eq!(drafts_back[1].form, login);
}

/// `portico` with its home in `home`; stdout, after checking it ran.
async fn portico_in(home: &Path, args: &[&str]) -> String {
    let output = tokio::process::Command::new(env!("CARGO_BIN_EXE_portico"))
        .args(args)
        .env("PORTICO_HOME", home)
        .current_dir(home)
        .output()
        .await
        .expect("run portico");
    assert!(
        output.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// Sent through the binary: the form is saved as a preset and recorded in
/// history as typed (the file by its path), and the preset's curl command
/// names the file again.
#[tokio::test]
async fn forms_survive_presets_and_history() {
    let server = TestServer::start().await;
    let home = tempfile::tempdir().expect("home");
    let spec = home.path().join("forms.yaml");
    std::fs::write(&spec, FORMS).expect("write");
    let file = home.path().join("notes.txt");
    std::fs::write(&file, "file content\n").expect("write");
    let spec = spec.display().to_string();
    let base = server.url("");
    let file_arg = format!("file=@{}", file.display());
    let awkward_arg = format!("awkward={AWKWARD}");
    let echoed = portico_in(
        home.path(),
        &[
            "call",
            &spec,
            "--op",
            "send",
            "--server",
            &base,
            "-F",
            &file_arg,
            "-F",
            "note=plain",
            "-F",
            &awkward_arg,
            "--save-preset",
            "up",
        ],
    )
    .await;
    let echoed: serde_json::Value = serde_json::from_str(&echoed).expect("the echo");
    let body = echoed["body"].as_str().unwrap_or_default();
    assert!(body.contains("file content\n"), "{body}");
    assert!(body.contains(AWKWARD), "{body}");

    let expected = vec![
        field("file", &file.display().to_string(), true),
        field("note", "plain", false),
        field("awkward", AWKWARD, false),
    ];
    let catalog = catalog::load_file(Path::new(&spec)).expect("loads");
    let (api, op) = catalog.operation(catalog.select("send").expect("op"));
    let key = op.key(api);
    let paths = Paths::in_dir(home.path());
    let preset = Presets::new(&paths).get(&key, "up").expect("the preset");
    assert_eq!(preset.draft.form, expected);
    let history = History::new(&paths).read().expect("history");
    let entry = history.entries.last().expect("an entry");
    assert_eq!(entry.draft.as_ref().expect("its draft").form, expected);

    let command = portico_in(
        home.path(),
        &[
            "curl", &spec, "--op", "send", "--server", &base, "--preset", "up",
        ],
    )
    .await;
    assert!(
        command.contains(&format!("-F 'file=@{}'", file.display())),
        "{command}"
    );
    assert!(command.contains("-F 'note=plain'"), "{command}");
}

/// JSON sent with curl's default type (no `-H`) is not a form, even with
/// an `=` inside: it stays the body, byte for byte.
#[test]
fn json_with_curls_default_type_stays_text() {
    let catalog = forms();
    let json = r#"{"q":"a=b","n":1}"#;
    let parsed = curl::parse_curl(&format!("curl http://127.0.0.1:9/api/login -d '{json}'"))
        .expect("parses");
    let (_, _, draft) = curl::draft_from_curl(&catalog, &parsed).expect("matches");
    assert!(draft.form.is_empty(), "{:?}", draft.form);
    assert_eq!(draft.body, json);
}

/// A form starts from the definition's example as a JSON body does
/// (Twilio's "Create a service"), and an example fills the fields: each
/// value typed as text, an array as one row per item, a property the form
/// lacks as a row of its own, the others emptied, a file kept.
#[test]
fn examples_fill_a_forms_fields() {
    if let Some(dir) = support::specs_dir() {
        let twilio = catalog::load_file(&dir.join("twilio-messaging-v1-3.0.json")).expect("loads");
        let (api, op) = twilio.operation(twilio.select("CreateService").expect("op"));
        let draft = Draft::new(api, op, &Vars::default());
        let value = |name: &str| {
            draft
                .form
                .iter()
                .find(|f| f.name == name)
                .map(|f| f.value.clone())
        };
        assert_eq!(value("FriendlyName").as_deref(), Some("My Service!"));
        assert_eq!(value("ValidityPeriod").as_deref(), Some("600"));
        assert_eq!(value("StickySender").as_deref(), Some("true"));
    }

    let mut form = vec![
        field("file", "/tmp/report.csv", true),
        field("note", "old", false),
        field("tag", "x", false),
    ];
    let example = serde_json::json!({
        "tag": ["a", "b"],
        "count": 3,
        "file": "<binary>",
    });
    assert!(request::fill_form(&mut form, &example));
    let rows: Vec<(&str, &str, bool)> = form
        .iter()
        .map(|f| (f.name.as_str(), f.value.as_str(), f.file))
        .collect();
    assert_eq!(
        rows,
        [
            ("file", "/tmp/report.csv", true),
            ("note", "", false),
            ("tag", "a", false),
            ("tag", "b", false),
            ("count", "3", false),
        ]
    );
    assert!(!request::fill_form(&mut form, &serde_json::json!("text")));
    assert_eq!(form.len(), 5, "nothing changed");
}

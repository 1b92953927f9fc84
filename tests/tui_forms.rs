//! The form table of the real TUI on Slack's `chat.postMessage` (a
//! Swagger 2.0 `formData` body), driven by keys: its fields listed with
//! their types and required marks, values typed into rows, and what goes
//! on the wire, read back from a loopback server that echoes the request.

mod support;

use std::time::Duration;

use crossterm::event::KeyCode;
use portico::catalog;
use portico::tui::TuiContext;
use support::RawServer;
use support::tui::Harness;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// A server that answers each request with the request's body, as
/// `text/plain`, and its content type in `x-got-content-type`.
async fn echo_body_server() -> RawServer {
    RawServer::start(|mut stream| async move {
        let mut got = Vec::new();
        let mut buf = [0u8; 4096];
        let (head_end, length) = loop {
            let Ok(n) = stream.read(&mut buf).await else {
                return;
            };
            if n == 0 {
                return;
            }
            got.extend_from_slice(&buf[..n]);
            if let Some(end) = got.windows(4).position(|w| w == b"\r\n\r\n") {
                let head = String::from_utf8_lossy(&got[..end]).to_ascii_lowercase();
                let length = head
                    .lines()
                    .find_map(|l| l.strip_prefix("content-length:"))
                    .and_then(|v| v.trim().parse::<usize>().ok())
                    .unwrap_or(0);
                break (end + 4, length);
            }
        };
        while got.len() < head_end + length {
            match stream.read(&mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(n) => got.extend_from_slice(&buf[..n]),
            }
        }
        let head = String::from_utf8_lossy(&got[..head_end]).to_ascii_lowercase();
        let content_type = head
            .lines()
            .find_map(|l| l.strip_prefix("content-type:"))
            .unwrap_or("")
            .trim()
            .to_string();
        let body = &got[head_end..];
        let answer = format!(
            "HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\nx-got-content-type: {content_type}\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
            body.len()
        );
        let _ = stream.write_all(answer.as_bytes()).await;
        let _ = stream.write_all(body).await;
        let _ = stream.shutdown().await;
    })
    .await
}

/// Types `value` into the request table's row `index` (from the top).
fn fill_row(h: &mut Harness, index: usize, value: &str) {
    h.key(KeyCode::Home);
    for _ in 0..index {
        h.key(KeyCode::Down);
    }
    h.key(KeyCode::Enter);
    h.type_text(value);
    h.key(KeyCode::Enter);
}

#[tokio::test]
async fn slack_post_message_is_a_form_filled_row_by_row_and_sent_encoded() {
    let Some(dir) = support::specs_dir() else {
        return;
    };
    let catalog = catalog::load_file(&dir.join("slack-web-api-2.0.json")).expect("loads");
    let server = echo_body_server().await;
    let mut ctx = TuiContext::with_defaults(catalog);
    ctx.server_override = Some(server.url(""));
    let mut h = Harness::start(ctx, 160, 45);
    h.open("chat.postMessage");
    h.assert_screen("POST /chat.postMessage");

    // Params: the token header. A token is a secret: masked while typed,
    // and after.
    h.key(KeyCode::Home);
    h.key(KeyCode::Enter);
    h.type_text("xoxb-1");
    h.assert_screen("✓ token* header ••••••");
    assert!(!h.screen().contains("xoxb-1"));
    h.key(KeyCode::Enter);
    h.assert_screen("✓ token* header ••••••••");
    // Body: one row per form field, with its type and required mark.
    h.key(KeyCode::Char(']'));
    h.key(KeyCode::Char(']'));
    h.assert_screen("application/x-www-form-urlencoded");
    let channel = h.line_with("✓ channel*").expect("channel is required");
    assert!(channel.contains("string"), "{channel}");
    let link_names = h.line_with("✓ link_names").expect("a boolean field");
    assert!(link_names.contains("boolean"), "{link_names}");
    h.assert_screen("✓ text ");
    let rows: Vec<String> = h
        .screen()
        .lines()
        .filter_map(|l| l.split('✓').nth(1))
        .filter_map(|rest| rest.split_whitespace().next())
        .map(|name| name.trim_end_matches('*').to_string())
        .collect();
    let at = |name: &str| rows.iter().position(|r| r == name).expect(name);
    fill_row(&mut h, at("channel"), "C1");
    fill_row(&mut h, at("text"), "a b&c");
    assert!(h.line_with("✓ channel*").is_some_and(|l| l.contains("C1")));

    // The operation also declares the `slackAuth` OAuth 2.0 scheme, which
    // has no client here: F5 says so and how to go on.
    h.key(KeyCode::F(5));
    h.assert_screen("Not sent: no client id for `slackAuth`");
    h.assert_screen("switch it off (Space)");
    // The token parameter carries the credential: the scheme is switched
    // off for this request, and the send goes through.
    h.key(KeyCode::Char(']'));
    h.assert_screen("✓ slackAuth");
    h.assert_screen("✗ no client id (set `slackAuth_client_id`) · Space: off");
    h.key(KeyCode::Char(' '));
    let off = h.line_with("✗ slackAuth").expect("switched off");
    assert!(off.contains("off: not sent"), "{off}");
    h.assert_screen("slackAuth is off: no token is fetched or sent · Space: on");
    h.key(KeyCode::F(5));
    h.settle_within(Duration::from_secs(5)).await;
    h.assert_screen("200 OK");
    h.assert_screen("channel=C1&text=a+b%26c");
}

/// An `application/octet-stream` body is a file: the Body tab takes its
/// path, says its size, and the send carries its bytes labelled with the
/// operation's type.
#[tokio::test]
async fn a_binary_body_is_a_file_chosen_by_path() {
    let dir = tempfile::tempdir().expect("dir");
    let spec = dir.path().join("blobs.yaml");
    std::fs::write(
        &spec,
        r#"
openapi: 3.0.3
info: { title: Blobs, version: "1" }
servers: [ { url: "http://blobs.invalid" } ]
paths:
  /blobs/{name}:
    put:
      summary: Upload a blob
      parameters:
        - { name: name, in: path, required: true, schema: { type: string } }
      requestBody:
        content:
          application/octet-stream:
            schema: { type: string, format: binary }
      responses: { "200": { description: ok } }
"#,
    )
    .expect("spec");
    let blob = dir.path().join("blob.bin");
    std::fs::write(&blob, "blob-bytes-123 ".repeat(100)).expect("blob");
    let server = echo_body_server().await;
    let mut ctx = TuiContext::with_defaults(catalog::load_file(&spec).expect("loads"));
    ctx.server_override = Some(server.url(""));
    let mut h = Harness::start(ctx, 160, 45);
    h.open("upload a blob");
    fill_row(&mut h, 0, "b1");
    h.key(KeyCode::Char(']'));
    h.key(KeyCode::Char(']'));
    h.assert_screen("file  (none chosen)");
    h.assert_screen("Sends the file's bytes as application/octet-stream.");
    fill_row(&mut h, 0, &blob.to_string_lossy());
    h.assert_screen("1.5 KiB");

    h.key(KeyCode::F(5));
    h.settle_within(Duration::from_secs(5)).await;
    h.assert_screen("200 OK");
    h.assert_screen("blob-bytes-123 blob-bytes-123");
    // The request as sent: the operation's type.
    h.key(KeyCode::Tab);
    h.key(KeyCode::Char(']'));
    h.assert_screen("x-got-content-type: application/octet-stream");

    // A path that cannot be read is said where it is typed, and at the send.
    h.key(KeyCode::BackTab);
    h.key(KeyCode::Enter);
    h.key_mod(KeyCode::Char('u'), crossterm::event::KeyModifiers::CONTROL);
    h.type_text("/no/such/blob");
    h.key(KeyCode::Enter);
    h.assert_screen("✗ No such file");
    h.key(KeyCode::F(5));
    h.assert_screen("body file /no/such/blob: cannot read it");
}

/// GitHub's "Delete attestations in bulk" takes one of two bodies: the
/// examples chooser (`x`) offers a sample of each, named by what it
/// requires, and choosing one fills the body with it.
#[tokio::test]
async fn a_sample_for_each_one_of_variant() {
    let Some(dir) = support::specs_dir() else {
        return;
    };
    let catalog = catalog::load_file(&dir.join("github-api.github.com-3.0.json")).expect("loads");
    let mut h = Harness::start(TuiContext::with_defaults(catalog), 160, 45);
    h.open("delete attestations in bulk");
    h.assert_screen("Delete attestations in bulk");
    h.key(KeyCode::Char(']'));
    h.key(KeyCode::Char(']'));
    h.key(KeyCode::Char('x'));
    h.assert_screen("sample: with subject_digests");
    h.assert_screen("sample: with attestation_ids");
    let labels = h.screen();
    let first = labels.find("sample: with subject_digests").expect("listed");
    let second = labels.find("sample: with attestation_ids").expect("listed");
    assert!(first < second, "in the definition's order");
    h.key(KeyCode::Down);
    h.key(KeyCode::Enter);
    // An untouched body is replaced without asking.
    h.assert_screen("\"attestation_ids\": [");
    h.assert_not_screen("\"subject_digests\"");
}

/// While the JSON body is edited, the line under it says what the schema
/// says of the property under the cursor: GitHub's "Create an issue".
#[tokio::test]
async fn the_schema_of_the_property_under_the_cursor() {
    let Some(dir) = support::specs_dir() else {
        return;
    };
    let catalog = catalog::load_file(&dir.join("github-api.github.com-3.0.json")).expect("loads");
    let mut h = Harness::start(TuiContext::with_defaults(catalog), 160, 45);
    h.open("create an issue");
    h.key(KeyCode::Char(']'));
    h.key(KeyCode::Char(']'));
    h.assert_screen("\"title\": \"Found a bug\"");
    h.key(KeyCode::Enter);
    h.key(KeyCode::Down);
    h.assert_screen("title  string | integer  required · The title of the issue");
    h.key(KeyCode::Down);
    h.key(KeyCode::Down);
    h.assert_screen("assignees  array of string · Logins for Users to assign");
    // Inside an item of `labels`: the item's schema.
    for _ in 0..5 {
        h.key(KeyCode::Down);
    }
    h.assert_screen("labels  string | object");
}

/// A body whose items are `oneOf` objects told apart by a discriminator:
/// the schema line follows the variant each item names, by the mapping's
/// value or by the `$ref`'s name.
#[tokio::test]
async fn the_schema_line_follows_the_discriminator() {
    const PETS: &str = r##"
openapi: 3.0.3
info: {title: pets, version: "1"}
servers: [{url: "http://pets.invalid"}]
paths:
  /pets:
    post:
      operationId: addPets
      requestBody:
        content:
          application/json:
            schema:
              type: object
              properties:
                pets:
                  type: array
                  items:
                    oneOf:
                      - $ref: "#/components/schemas/Cat"
                      - $ref: "#/components/schemas/Dog"
                    discriminator:
                      propertyName: petType
                      mapping: {cat: "#/components/schemas/Cat"}
            example:
              pets:
                - {petType: cat, name: Tom}
                - {petType: Dog, name: Rex}
      responses: {"204": {description: added}}
components:
  schemas:
    Cat:
      type: object
      properties:
        petType: {type: string}
        name: {type: string, description: What the cat answers to.}
    Dog:
      type: object
      properties:
        petType: {type: string}
        name: {type: string, description: What the dog answers to.}
"##;
    let catalog = catalog::load_bytes(PETS.as_bytes(), "pets.yaml").expect("loads");
    let mut h = Harness::start(TuiContext::with_defaults(catalog), 160, 45);
    h.open("addPets");
    h.key(KeyCode::Char(']'));
    h.key(KeyCode::Char(']'));
    h.assert_screen("\"name\": \"Tom\"");
    h.key(KeyCode::Enter);
    let to = |h: &mut Harness, needle: &str| {
        for _ in 0..20 {
            if h.screen().contains(needle) {
                return;
            }
            h.key(KeyCode::Down);
        }
        panic!("`{needle}` never under the body:\n{}", h.screen());
    };
    to(
        &mut h,
        "name  string  in Cat (cat) · What the cat answers to.",
    );
    h.key(KeyCode::Down);
    to(&mut h, "name  string  in Dog · What the dog answers to.");
}

/// Twilio's "Create a service": the form starts from the definition's
/// example, its values readable in a 160-column terminal (the value
/// column keeps its room; the selected field's description is under the
/// table), and `x` puts an example back into the fields.
#[tokio::test]
async fn a_form_starts_from_its_example_and_x_fills_it_again() {
    let Some(dir) = support::specs_dir() else {
        return;
    };
    let catalog = catalog::load_file(&dir.join("twilio-messaging-v1-3.0.json")).expect("loads");
    let mut h = Harness::start(TuiContext::with_defaults(catalog), 160, 45);
    h.open("CreateService");
    h.key(KeyCode::Char(']'));
    h.key(KeyCode::Char(']'));
    h.assert_screen("✓ FriendlyName*          My Service!");
    h.assert_screen("FriendlyName: A descriptive string that you create");
    h.assert_screen("e edit  a add  d delete  Space on/off  x examples");

    fill_row(&mut h, 0, "Mine");
    h.assert_screen("✓ FriendlyName*          My Service!Mine");
    h.key(KeyCode::Char('x'));
    h.assert_screen("Body examples");
    h.key(KeyCode::Enter);
    // The edited form is asked about first, as a body is.
    h.assert_screen("Replace your edited body with the example?");
    h.key(KeyCode::Char('y'));
    h.assert_screen("✓ FriendlyName*          My Service!  ");
    h.assert_not_screen("My Service!Mine");
}

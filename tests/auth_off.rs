//! A declared security scheme switched off for one request, and a
//! credential of the user's own that makes an OAuth 2.0 token moot: the
//! request authenticates the way the user says, and no token is asked
//! for (none could be here: the scheme has no client); and a credential
//! for every request of an included definition that declares none.
//! Checked on what a loopback server received, through the real
//! `portico` binary.

use serde_json::Value;

mod support;

use portico::catalog;
use portico::oauth::schemes_to_fill;
use portico::request::{AdHocAuth, AuthValue, Draft, Row, Vars};
use support::{echo_header, portico, write_file};

/// Slack's shape: an OAuth 2.0 scheme required, and a `token` parameter
/// that carries the same credential another way.
const CHAT: &str = r#"
openapi: 3.0.3
info: { title: Chat, version: "1" }
components:
  securitySchemes:
    chatAuth:
      type: oauth2
      flows:
        clientCredentials:
          tokenUrl: /token
          scopes: { "chat:write": post messages }
security: [ { chatAuth: ["chat:write"] } ]
paths:
  /echo:
    post:
      operationId: postMessage
      parameters:
        - { name: token, in: header, required: true, schema: { type: string } }
      responses: { "200": { description: ok } }
"#;

/// What the server received, from `portico call ... --json`.
fn received(output: &std::process::Output) -> Value {
    assert!(
        output.status.success(),
        "portico failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let json: Value = serde_json::from_slice(&output.stdout).expect("JSON on stdout");
    json["response"]["body"].clone()
}

#[tokio::test]
async fn a_declared_scheme_switched_off_or_overruled_asks_for_no_token() {
    let server = support::TestServer::start().await;
    let dir = tempfile::tempdir().expect("dir");
    let spec = write_file(dir.path(), "chat.yaml", CHAT);
    let base = server.url("");
    let call = |extra: &[&str]| {
        let mut args = vec![
            "call",
            spec.as_str(),
            "--op",
            "postMessage",
            "--server",
            base.as_str(),
            "-p",
            "token=t-1",
            "--json",
        ];
        args.extend_from_slice(extra);
        args.into_iter().map(String::from).collect::<Vec<_>>()
    };
    let run = |args: Vec<String>| async move {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        portico(&args).await
    };

    // As declared: the scheme wants a client, and the refusal says how to
    // send the request without it.
    let refused = run(call(&[])).await;
    assert!(!refused.status.success());
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(stderr.contains("no client id for `chatAuth`"), "{stderr}");
    assert!(stderr.contains("--no-auth chatAuth"), "{stderr}");

    // Switched off: the token parameter goes, and no Authorization.
    for off in ["chatAuth", "all"] {
        let echo = received(&run(call(&["--no-auth", off])).await);
        assert_eq!(echo_header(&echo, "token"), Some("t-1"));
        assert_eq!(echo_header(&echo, "authorization"), None, "--no-auth {off}");
    }

    // A bearer token or an Authorization header of the user's own wins;
    // no token is fetched for the scheme it would lose to.
    let echo = received(&run(call(&["--bearer", "b-1"])).await);
    assert_eq!(echo_header(&echo, "authorization"), Some("Bearer b-1"));
    let echo = received(&run(call(&["-H", "Authorization: Bearer h-1"])).await);
    assert_eq!(echo_header(&echo, "authorization"), Some("Bearer h-1"));

    // A name the operation does not declare: refused, naming the ones it does.
    let wrong = run(call(&["--no-auth", "chatauth"])).await;
    assert!(!wrong.status.success());
    let stderr = String::from_utf8_lossy(&wrong.stderr);
    assert!(
        stderr.contains("--no-auth `chatauth`: the operation declares `chatAuth`"),
        "{stderr}"
    );
}

/// Which schemes still need a token, as every face asks it.
#[test]
fn schemes_left_to_fill_follow_the_draft() {
    let catalog = catalog::load_bytes(CHAT.as_bytes(), "chat.yaml").expect("parses");
    let api = &catalog.apis[0];
    let op = &api.operations[0];
    let fresh = Draft::new(api, op, &Vars::default());
    let names = |draft: &Draft| -> Vec<String> {
        schemes_to_fill(api, op, draft)
            .into_iter()
            .map(|(name, _)| name.to_string())
            .collect()
    };
    assert_eq!(names(&fresh), ["chatAuth"]);

    let mut off = fresh.clone();
    off.auth[0].enabled = false;
    assert!(names(&off).is_empty());

    let mut typed = fresh.clone();
    typed.auth[0].value = "{{chat_token}}".into();
    assert!(names(&typed).is_empty());

    // An empty added bearer, or one switched off, overrules nothing.
    let mut bearer = fresh.clone();
    bearer
        .auth
        .push(AuthValue::ad_hoc(AdHocAuth::Bearer, "", ""));
    assert_eq!(names(&bearer), ["chatAuth"]);
    bearer.auth[1].value = "b-1".into();
    assert!(names(&bearer).is_empty());
    bearer.auth[1].enabled = false;
    assert_eq!(names(&bearer), ["chatAuth"]);

    // An API key sent as `Authorization` (some gateways take one) too.
    let mut key = fresh.clone();
    key.auth.push(AuthValue::ad_hoc(
        AdHocAuth::ApiKey {
            name: "Authorization".into(),
            location: portico::catalog::ParamLocation::Header,
        },
        "",
        "k-1",
    ));
    assert!(names(&key).is_empty());
    key.auth[1] = AuthValue::ad_hoc(
        AdHocAuth::ApiKey {
            name: "X-Key".into(),
            location: portico::catalog::ParamLocation::Header,
        },
        "",
        "k-1",
    );
    assert_eq!(names(&key), ["chatAuth"]);

    let mut header = fresh.clone();
    header.headers.push(Row {
        name: "authorization".into(),
        value: "Bearer h-1".into(),
        enabled: false,
    });
    assert_eq!(names(&header), ["chatAuth"]);
    header.headers[0].enabled = true;
    assert!(names(&header).is_empty());
}

/// Presets, history and kept drafts keep a switched-off credential as
/// such; drafts written before the switch existed read as switched on.
#[test]
fn the_switch_is_kept_with_the_draft() {
    let catalog = catalog::load_bytes(CHAT.as_bytes(), "chat.yaml").expect("parses");
    let api = &catalog.apis[0];
    let mut draft = Draft::new(api, &api.operations[0], &Vars::default());
    let on = serde_json::to_value(&draft).expect("serialises");
    assert_eq!(on["auth"][0].get("enabled"), None, "on is not written");
    draft.auth[0].enabled = false;
    let text = serde_json::to_string(&draft).expect("serialises");
    let back: Draft = serde_json::from_str(&text).expect("reads");
    assert!(!back.auth[0].enabled);
    let old: AuthValue =
        serde_json::from_str(r#"{"scheme":"chatAuth","value":""}"#).expect("reads");
    assert!(old.enabled);

    // Switched off, the build sends nothing for it even when filled.
    draft.auth[0].value = "tok".into();
    draft.params[0].value = "t-1".into();
    draft.server_url = Some("http://chat.invalid".into());
    let built =
        portico::request::build(api, &api.operations[0], &draft, &Vars::default()).expect("builds");
    assert!(
        !built
            .headers
            .iter()
            .any(|(n, _)| n.eq_ignore_ascii_case("authorization")),
        "{:?}",
        built.headers
    );
}

/// A portal file's `[[include]]` can give headers to every request of the
/// definition it includes: GitHub's declares no security scheme, and
/// `Authorization: Bearer {{github_token}}` there authenticates all 1,223
/// operations at once (the token from the environment, masked).
#[tokio::test]
async fn an_include_gives_every_request_its_headers() {
    let server = support::TestServer::start().await;
    let dir = tempfile::tempdir().expect("dir");
    write_file(
        dir.path(),
        "echo.yaml",
        r#"
openapi: 3.0.3
info: { title: Echo, version: "1" }
paths:
  /echo:
    get:
      operationId: echo
      responses: { "200": { description: ok } }
"#,
    );
    let portal = write_file(
        dir.path(),
        "portal.toml",
        r#"
[[include]]
source = "echo.yaml"
headers = ["Authorization: Bearer {{github_token}}", "X-GitHub-Api-Version: 2022-11-28", "no colon"]

[[environment]]
name = "mine"
[environment.variables]
github_token = { value = "ghp-secret-1", secret = true }
"#,
    );
    let base = server.url("");
    let output = portico(&[
        "call", &portal, "--op", "echo", "--server", &base, "--env", "mine", "--json",
    ])
    .await;
    let printed = String::from_utf8_lossy(&output.stdout).into_owned();
    let echo = received(&output);
    assert_eq!(
        echo_header(&echo, "authorization"),
        Some("Bearer ghp-secret-1")
    );
    assert_eq!(
        echo_header(&echo, "x-github-api-version"),
        Some("2022-11-28")
    );
    // What portico prints of the request masks the token.
    let request: Value = serde_json::from_str(&printed).expect("JSON");
    assert!(!request["request"].to_string().contains("ghp-secret-1"));

    // A header line without a name is a warning naming where it is.
    let list = portico(&["list", &portal]).await;
    let stderr = String::from_utf8_lossy(&list.stderr);
    assert!(stderr.contains("include[0]"), "{stderr}");
    assert!(
        stderr.contains("\"no colon\" is not \"Name: value\""),
        "{stderr}"
    );
}

//! OAuth 2.0: schemes read from definitions, and every flow end to end
//! against the demo's authorization server (client credentials,
//! authorization code with PKCE through the loopback listener or a pasted
//! URL, device code with `slow_down`, denial, refresh, and the replay
//! after a 401 `invalid_token`), through the library and `portico`.

mod support;

use std::time::Duration;

use portico::call::{Call, OAuthTokens};
use portico::catalog::{self, Api, OAuthGrant, SecurityKind};
use portico::demo::{self, DemoConfig, DemoServer};
use portico::http::{Engine, EngineConfig, SendOptions};
use portico::oauth::authorize::{authorize, token_for};
use portico::oauth::{
    FlowContext, OAuthClient, OAuthError, Overrides, Prompt, TokenKey, Tokens, client_for, flows,
};
use portico::request::{self, Draft, Vars};
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

const SCHEME: &str = "demo_oauth";

fn catalog_for(server: &DemoServer) -> catalog::Catalog {
    demo::bundled_catalog(server).expect("bundled catalog")
}

fn account(catalog: &catalog::Catalog) -> &Api {
    catalog
        .apis
        .iter()
        .find(|a| a.id == demo::ACCOUNT_API_ID)
        .expect("the account API")
}

fn demo_vars(catalog: &catalog::Catalog) -> Vars {
    Vars {
        environment: catalog.environments[0].variables.clone(),
        ..Vars::default()
    }
}

/// The demo's client for `grant`: its public client (no secret) for the
/// user-facing flows.
fn client(server: &DemoServer, grant: OAuthGrant, public: bool) -> OAuthClient {
    let catalog = catalog_for(server);
    let api = account(&catalog);
    let mut vars = demo_vars(&catalog);
    if public {
        vars.environment.shift_remove("demo_oauth_client_secret");
        vars.environment.insert(
            "demo_oauth_client_id".into(),
            catalog::Variable {
                value: demo::OAUTH_PUBLIC_CLIENT_ID.into(),
                secret: false,
            },
        );
    }
    let overrides = Overrides {
        grant: Some(grant),
        scopes: vec!["profile".into()],
        ..Overrides::default()
    };
    client_for(
        api,
        None,
        SCHEME,
        &vars,
        &overrides,
        Some(&api.servers[0].url),
    )
    .expect("client")
}

async fn serve(config: DemoConfig) -> DemoServer {
    demo::start(0, config).await.expect("demo server")
}

fn engine() -> Engine {
    Engine::new(EngineConfig::default()).expect("engine")
}

/// GET without following redirects; returns status and `Location`.
async fn visit(url: &str) -> (u16, Option<String>) {
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client");
    let answer = client.get(url).send().await.expect("visit");
    let location = answer
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    (answer.status().as_u16(), location)
}

async fn who_am_i(server: &DemoServer, token: &str) -> u16 {
    reqwest::Client::new()
        .get(format!("{}{}/me", server.base_url(), demo::ACCOUNT_PREFIX))
        .bearer_auth(token)
        .send()
        .await
        .expect("me")
        .status()
        .as_u16()
}

#[test]
fn oauth_flows_are_read_from_openapi_3_2_0_and_openid_connect() {
    let v3 = r#"{"openapi": "3.1.0", "info": {"title": "t", "version": "1"}, "paths": {},
      "components": {"securitySchemes": {
        "oa": {"type": "oauth2", "flows": {
          "clientCredentials": {"tokenUrl": "/token", "scopes": {"read": "Read", "write": "Write"}},
          "authorizationCode": {"authorizationUrl": "https://a.example/auth", "tokenUrl": "https://a.example/token", "refreshUrl": "https://a.example/refresh", "scopes": {}},
          "deviceAuthorization": {"deviceAuthorizationUrl": "https://a.example/device", "tokenUrl": "https://a.example/token", "scopes": {}}}},
        "oidc": {"type": "openIdConnect", "openIdConnectUrl": "https://a.example/.well-known/openid-configuration"}}}}"#;
    let catalog = catalog::load_bytes(v3.as_bytes(), "v3.json").expect("loads");
    let schemes = &catalog.apis[0].security_schemes;
    let SecurityKind::OAuth2 {
        flows,
        openid_connect_url,
    } = &schemes[0].kind
    else {
        panic!("oauth2: {:?}", schemes[0].kind)
    };
    assert_eq!(openid_connect_url, &None);
    let grants: Vec<_> = flows.iter().map(|f| f.grant).collect();
    assert_eq!(
        grants,
        [
            OAuthGrant::ClientCredentials,
            OAuthGrant::AuthorizationCode,
            OAuthGrant::DeviceCode
        ]
    );
    assert_eq!(flows[0].token_url.as_deref(), Some("/token"));
    assert_eq!(
        flows[0].scopes[1],
        ("write".to_string(), "Write".to_string())
    );
    assert_eq!(
        flows[1].refresh_url.as_deref(),
        Some("https://a.example/refresh")
    );
    assert_eq!(
        flows[2].device_authorization_url.as_deref(),
        Some("https://a.example/device")
    );
    let SecurityKind::OAuth2 {
        flows,
        openid_connect_url,
    } = &schemes[1].kind
    else {
        panic!("openIdConnect: {:?}", schemes[1].kind)
    };
    assert!(flows.is_empty());
    assert!(
        openid_connect_url
            .as_deref()
            .expect("discovery URL")
            .ends_with("openid-configuration")
    );

    let v2 = r#"{"swagger": "2.0", "info": {"title": "t", "version": "1"}, "paths": {},
      "securityDefinitions": {"petstore_auth": {"type": "oauth2", "flow": "accessCode",
        "authorizationUrl": "https://p.example/authorize", "tokenUrl": "https://p.example/token",
        "scopes": {"write:pets": "modify pets"}}}}"#;
    let catalog = catalog::load_bytes(v2.as_bytes(), "v2.json").expect("loads");
    let SecurityKind::OAuth2 { flows, .. } = &catalog.apis[0].security_schemes[0].kind else {
        panic!("2.0 oauth2")
    };
    assert_eq!(flows[0].grant, OAuthGrant::AuthorizationCode);
    assert_eq!(
        flows[0].token_url.as_deref(),
        Some("https://p.example/token")
    );
}

#[test]
fn the_client_comes_from_variables_and_says_what_is_missing() {
    let catalog = demo::bundled_catalog_at("http://127.0.0.1:9/azureml-demo").expect("catalog");
    let api = account(&catalog);
    let op = &api.operations[0];
    let vars = demo_vars(&catalog);
    let client = client_for(
        api,
        Some(op),
        SCHEME,
        &vars,
        &Overrides::default(),
        Some("http://127.0.0.1:9/account/me"),
    )
    .expect("client");
    // The secret is there, so client credentials (first in the portal).
    assert_eq!(client.grant, OAuthGrant::ClientCredentials);
    assert_eq!(
        client.token_url.as_deref(),
        Some("http://127.0.0.1:9/oauth2/token")
    );
    assert_eq!(
        client.scopes,
        ["profile"],
        "the operation's required scopes"
    );
    assert_eq!(
        client.client_secret.as_deref(),
        Some(demo::OAUTH_CLIENT_SECRET)
    );

    // Without a secret: client credentials cannot run; the first flow
    // that can is chosen.
    let mut public = vars.clone();
    public.environment.shift_remove("demo_oauth_client_secret");
    let client =
        client_for(api, Some(op), SCHEME, &public, &Overrides::default(), None).expect("client");
    assert_eq!(client.grant, OAuthGrant::AuthorizationCode);
    let forced = Overrides {
        grant: Some(OAuthGrant::ClientCredentials),
        ..Overrides::default()
    };
    let err = client_for(api, Some(op), SCHEME, &public, &forced, None).expect_err("refused");
    assert!(
        err.to_string().contains("demo_oauth_client_secret"),
        "{err}"
    );

    let mut nobody = public;
    nobody.environment.shift_remove("demo_oauth_client_id");
    let err = client_for(api, Some(op), SCHEME, &nobody, &Overrides::default(), None)
        .expect_err("refused");
    assert_eq!(
        err.to_string(),
        "no client id for `demo_oauth`: set the variable `demo_oauth_client_id` (or `client_id`)"
    );
}

#[tokio::test]
async fn client_credentials_gets_a_token_the_api_accepts() {
    let server = serve(DemoConfig::default()).await;
    let engine = engine();
    let client = client(&server, OAuthGrant::ClientCredentials, false);
    let mut ctx = FlowContext::new(&engine, CancellationToken::new());
    let token = flows::get_token(&client, &mut ctx).await.expect("token");
    assert_eq!(who_am_i(&server, &token.access_token).await, 200);
    assert_eq!(token.scopes, ["profile"]);
    assert!(token.refresh_token.is_none());
    let left = token
        .remaining(std::time::SystemTime::now())
        .expect("expiry");
    assert!(left > Duration::from_secs(3500), "{left:?}");
    // The exchange is kept, its secrets listed for masking; the id is in
    // the body even though the secret went as Basic auth.
    let exchanges = ctx.exchanges();
    let sent = &exchanges[0].request;
    let body = String::from_utf8_lossy(sent.body.as_deref().unwrap_or_default()).into_owned();
    assert!(body.contains("client_id=portico-demo"), "{body}");
    assert!(
        !body.contains(demo::OAUTH_CLIENT_SECRET),
        "secret in the body: {body}"
    );
    assert!(
        sent.headers
            .iter()
            .any(|(n, v)| n.eq_ignore_ascii_case("authorization") && v.starts_with("Basic "))
    );
    let secrets = ctx.secrets();
    assert!(secrets.contains(&demo::OAUTH_CLIENT_SECRET.to_string()));
    assert!(secrets.contains(&token.access_token));

    // A wrong secret is the server's refusal, in its words.
    let mut wrong = client.clone();
    wrong.client_secret = Some("nope".into());
    let err = flows::get_token(
        &wrong,
        &mut FlowContext::new(&engine, CancellationToken::new()),
    )
    .await
    .expect_err("refused");
    assert!(
        matches!(&err, OAuthError::Refused { error, .. } if error == "invalid_client"),
        "{err}"
    );
}

/// Runs the authorization code flow as the public client (else the
/// confidential one); the browser visits the authorization URL, then
/// either visits the redirect or pastes it.
async fn authorization_code(
    server: &DemoServer,
    paste: bool,
    tamper_state: bool,
) -> Result<portico::oauth::Token, OAuthError> {
    authorization_code_as(server, paste, tamper_state, true).await
}

async fn authorization_code_as(
    server: &DemoServer,
    paste: bool,
    tamper_state: bool,
    public: bool,
) -> Result<portico::oauth::Token, OAuthError> {
    let engine = engine();
    let client = client(server, OAuthGrant::AuthorizationCode, public);
    let client_id = client.client_id.clone();
    let (prompt_tx, mut prompts) = mpsc::unbounded_channel();
    let (paste_tx, paste_rx) = mpsc::unbounded_channel();
    let mut ctx = FlowContext::new(&engine, CancellationToken::new());
    ctx.prompts = Some(prompt_tx);
    ctx.pasted = Some(paste_rx);
    let browser = async move {
        let Some(Prompt::Browser {
            url,
            redirect_uri,
            opened,
        }) = prompts.recv().await
        else {
            panic!("no browser prompt")
        };
        assert!(!opened, "a test opens no browser");
        let parsed = url::Url::parse(&url).expect("authorization URL");
        let query: std::collections::HashMap<_, _> = parsed.query_pairs().into_owned().collect();
        assert_eq!(query["code_challenge_method"], "S256");
        assert_eq!(query["client_id"], client_id);
        assert_eq!(
            parsed
                .query_pairs()
                .filter(|(k, _)| k == "client_id")
                .count(),
            1,
            "client_id once: {url}"
        );
        assert_eq!(query["redirect_uri"], redirect_uri);
        assert!(
            redirect_uri.starts_with("http://127.0.0.1:"),
            "{redirect_uri}"
        );
        let (status, location) = visit(&url).await;
        assert_eq!(status, 303, "the demo consents at once");
        let mut location = location.expect("redirect");
        if tamper_state {
            location = location.replace("state=", "state=forged");
        }
        if paste {
            paste_tx.send(location).expect("paste");
        } else {
            assert_eq!(visit(&location).await.0, 200, "the listener's page");
        }
    };
    let (token, ()) = tokio::join!(flows::get_token(&client, &mut ctx), browser);
    token
}

#[tokio::test]
async fn authorization_code_with_pkce_through_the_loopback_listener() {
    let server = serve(DemoConfig::default()).await;
    let token = authorization_code(&server, false, false)
        .await
        .expect("token");
    assert_eq!(who_am_i(&server, &token.access_token).await, 200);
    // A confidential client too: its secret goes to the token request only.
    let token = authorization_code_as(&server, false, false, false)
        .await
        .expect("token");
    assert_eq!(who_am_i(&server, &token.access_token).await, 200);
    assert!(
        token.refresh_token.is_some(),
        "a user's grant is refreshable"
    );
}

#[tokio::test]
async fn authorization_code_takes_a_pasted_redirect_and_refuses_a_forged_state() {
    let server = serve(DemoConfig::default()).await;
    let token = authorization_code(&server, true, false)
        .await
        .expect("token");
    assert_eq!(who_am_i(&server, &token.access_token).await, 200);
    let err = authorization_code(&server, true, true)
        .await
        .expect_err("refused");
    assert!(matches!(err, OAuthError::StateMismatch { .. }), "{err}");
}

#[tokio::test]
async fn refresh_gets_a_new_access_token_and_keeps_the_refresh_token() {
    let server = serve(DemoConfig::default()).await;
    let first = authorization_code(&server, false, false)
        .await
        .expect("token");
    let engine = engine();
    let client = client(&server, OAuthGrant::AuthorizationCode, true);
    let refresh = first.refresh_token.clone().expect("refresh token");
    let mut ctx = FlowContext::new(&engine, CancellationToken::new());
    let second = flows::refresh(&client, &refresh, &mut ctx)
        .await
        .expect("refreshed");
    assert_ne!(second.access_token, first.access_token);
    assert_eq!(second.refresh_token.as_deref(), Some(refresh.as_str()));
    assert_eq!(who_am_i(&server, &second.access_token).await, 200);
    // A public client sends no secret and no Basic header.
    let exchanges = ctx.exchanges();
    let sent = &exchanges[0].request;
    assert!(
        !sent
            .headers
            .iter()
            .any(|(n, _)| n.eq_ignore_ascii_case("authorization"))
    );
    let body = String::from_utf8_lossy(sent.body.as_deref().unwrap_or_default()).into_owned();
    assert!(
        body.contains("client_id=portico-demo-public") && !body.contains("client_secret"),
        "{body}"
    );
}

/// Runs the device flow; the "user" approves (or denies) at the
/// verification page after the first poll.
async fn device_flow(
    server: &DemoServer,
    deny: bool,
) -> (Result<portico::oauth::Token, OAuthError>, Vec<Duration>) {
    let engine = engine();
    let client = client(server, OAuthGrant::DeviceCode, true);
    let (prompt_tx, mut prompts) = mpsc::unbounded_channel();
    let mut ctx = FlowContext::new(&engine, CancellationToken::new());
    ctx.prompts = Some(prompt_tx);
    let user = async move {
        let Some(Prompt::Device {
            user_code,
            verification_uri,
            verification_uri_complete,
            ..
        }) = prompts.recv().await
        else {
            panic!("no device prompt")
        };
        assert!(verification_uri.ends_with("/oauth2/verify"));
        let mut intervals = Vec::new();
        let Some(Prompt::Polling { interval }) = prompts.recv().await else {
            panic!("no polling")
        };
        intervals.push(interval);
        let mut page = verification_uri_complete.expect("complete URI");
        assert!(page.contains(&user_code));
        if deny {
            page.push_str("&deny=1");
        }
        assert_eq!(visit(&page).await.0, 200);
        while let Some(Prompt::Polling { interval }) = prompts.recv().await {
            intervals.push(interval);
        }
        intervals
    };
    let (token, intervals) = tokio::join!(
        async {
            let token = flows::get_token(&client, &mut ctx).await;
            drop(ctx);
            token
        },
        user
    );
    (token, intervals)
}

#[tokio::test]
async fn device_code_slows_down_when_told_and_gets_the_token() {
    // The server wants 1.5 s between polls but announces 1 s: the second
    // poll is told to slow down, and the client waits 5 s more.
    let server = serve(DemoConfig {
        device_interval: Duration::from_secs(1),
        device_poll_spacing: Duration::from_millis(1500),
        ..DemoConfig::default()
    })
    .await;
    let (token, intervals) = device_flow(&server, false).await;
    let token = token.expect("token");
    assert_eq!(who_am_i(&server, &token.access_token).await, 200);
    assert_eq!(intervals[0], Duration::from_secs(1));
    assert!(
        intervals.contains(&Duration::from_secs(6)),
        "slowed down: {intervals:?}"
    );
}

#[tokio::test]
async fn device_code_stops_when_the_user_denies() {
    let server = serve(DemoConfig {
        device_interval: Duration::from_secs(1),
        device_poll_spacing: Duration::ZERO,
        ..DemoConfig::default()
    })
    .await;
    let (token, _) = device_flow(&server, true).await;
    assert_eq!(token.expect_err("denied"), OAuthError::Denied);
}

#[tokio::test]
async fn a_revoked_token_gets_one_new_token_and_one_replay() {
    let server = serve(DemoConfig::default()).await;
    let catalog = catalog_for(&server);
    let api = account(&catalog);
    let op = &api.operations[0];
    let vars = demo_vars(&catalog);
    let engine = engine();
    let tokens = Tokens::default();
    let draft = Draft::new(api, op, &vars);
    let built = request::build(api, op, &draft, &vars).expect("build");
    assert!(
        !built
            .headers
            .iter()
            .any(|(n, _)| n.eq_ignore_ascii_case("authorization")),
        "no token before authorize"
    );

    let mut filled = draft.clone();
    let mut ctx = FlowContext::new(&engine, CancellationToken::new());
    let used = authorize(
        api,
        op,
        &mut filled,
        &vars,
        &tokens,
        &Overrides::default(),
        Some(&built.url),
        &mut ctx,
    )
    .await
    .expect("authorized");
    assert_eq!(used.len(), 1);
    let first = used[0].token.access_token.clone();
    // The session keeps it: a second authorize reuses it.
    let again = token_for(
        &used[0].client,
        &TokenKey::new(&api.id, SCHEME),
        &tokens,
        &mut ctx,
    )
    .await
    .expect("held");
    assert_eq!(again.access_token, first);

    // The server revokes it behind the client's back.
    let revoked = reqwest::Client::new()
        .post(format!("{}/oauth2/revoke", server.base_url()))
        .form(&[("token", first.as_str())])
        .send()
        .await
        .expect("revoke");
    assert_eq!(revoked.status().as_u16(), 200);
    assert_eq!(who_am_i(&server, &first).await, 401);

    let built = request::build(api, op, &filled, &vars).expect("build");
    let call = Call::new(api, op, built)
        .with_draft(draft)
        .with_oauth(OAuthTokens {
            used,
            tokens: tokens.clone(),
            prompts: None,
        });
    let sent = call
        .send(
            &engine,
            SendOptions::default(),
            &vars,
            CancellationToken::new(),
        )
        .await;
    let exchange = sent.exchange().expect("answer");
    assert_eq!(exchange.response.status, 200, "replayed with a new token");
    let now = tokens.get(&TokenKey::new(&api.id, SCHEME)).expect("held");
    assert_ne!(now.access_token, first);
    // Both tokens are masked wherever the call is shown.
    let secrets = sent.secrets();
    assert!(
        secrets.iter().any(|s| s == &now.access_token),
        "new token masked"
    );
    // The renewal's token request is in history before the call, masked.
    let home = tempfile::tempdir().expect("home");
    let history = portico::store::History::new(&portico::store::Paths::in_dir(home.path()));
    assert!(matches!(
        sent.record(Some(&history)),
        portico::call::Recorded::Yes
    ));
    let entries = history.read().expect("history").entries;
    let urls: Vec<&str> = entries.iter().map(|e| e.request.url.as_str()).collect();
    assert_eq!(urls.len(), 2, "{urls:?}");
    assert!(urls[0].ends_with("/oauth2/token"), "{urls:?}");
    assert!(urls[1].ends_with("/account/me"), "{urls:?}");
    let stored = std::fs::read_to_string(home.path().join("history.jsonl")).expect("file");
    assert!(
        !stored.contains(&now.access_token),
        "the new token is masked"
    );
    assert!(!stored.contains(demo::OAUTH_CLIENT_SECRET));
}

#[tokio::test]
async fn portico_call_gets_the_token_itself_and_never_prints_it() {
    let out = support::portico(&["call", "--op", "Who am I", "--json"]).await;
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}\n{stdout}");
    assert!(
        stderr.contains("got an OAuth 2.0 token for demo_oauth (client-credentials)"),
        "{stderr}"
    );
    let json: serde_json::Value = serde_json::from_str(&stdout).expect("json");
    assert_eq!(json["response"]["status"], 200);
    assert_eq!(json["response"]["body"]["grant"], "client_credentials");
    let authorization = json["request"]["headers"]
        .as_array()
        .expect("headers")
        .iter()
        .find(|h| {
            h[0].as_str()
                .is_some_and(|n| n.eq_ignore_ascii_case("authorization"))
        })
        .expect("an Authorization header")[1]
        .as_str()
        .expect("a value")
        .to_string();
    assert!(
        authorization.starts_with("Bearer ") && authorization.contains('•'),
        "{authorization}"
    );

    let out = support::portico(&["auth", "token", "--scheme", SCHEME]).await;
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(stdout.trim(), portico::secrets::MASK, "masked wholly");
    let out = support::portico(&["auth", "token", "--scheme", SCHEME, "--reveal"]).await;
    let token = String::from_utf8_lossy(&out.stdout).trim().to_string();
    assert_eq!(token.len(), 40, "the token itself: {token}");

    let out = support::portico(&["auth", "token", "--scheme", "nope"]).await;
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("OAuth 2.0 schemes: demo_oauth (demo-account)"),
        "{stderr}"
    );
}

/// Every file under `dir`, read as text (lossily).
fn files_text(dir: &std::path::Path) -> String {
    let mut text = String::new();
    for entry in std::fs::read_dir(dir).expect("read dir").flatten() {
        let path = entry.path();
        if path.is_dir() {
            text.push_str(&files_text(&path));
        } else {
            text.push_str(&String::from_utf8_lossy(
                &std::fs::read(&path).unwrap_or_default(),
            ));
        }
    }
    text
}

#[tokio::test]
async fn token_requests_are_in_history_with_every_secret_masked() {
    let home = tempfile::tempdir().expect("home");
    let out = tokio::process::Command::new(env!("CARGO_BIN_EXE_portico"))
        .args(["auth", "token", "--scheme", SCHEME, "--reveal"])
        .env("PORTICO_HOME", home.path())
        .current_dir(home.path())
        .output()
        .await
        .expect("run portico");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let token = String::from_utf8_lossy(&out.stdout).trim().to_string();
    assert_eq!(token.len(), 40, "{token}");

    let stored = files_text(home.path());
    assert!(
        stored.contains("/oauth2/token"),
        "the token request is in history: {stored}"
    );
    assert!(!stored.contains(&token), "the access token reached a file");
    assert!(
        !stored.contains(demo::OAUTH_CLIENT_SECRET),
        "the client secret reached a file"
    );
    let basic = base64::Engine::encode(
        &base64::engine::general_purpose::STANDARD,
        format!("{}:{}", demo::OAUTH_CLIENT_ID, demo::OAUTH_CLIENT_SECRET),
    );
    assert!(
        !stored.contains(&basic),
        "the Basic credential reached a file"
    );
}

/// Runs portico with `home` as its home directory.
async fn portico_in(home: &std::path::Path, args: &[&str]) -> std::process::Output {
    tokio::process::Command::new(env!("CARGO_BIN_EXE_portico"))
        .args(args)
        .env("PORTICO_HOME", home)
        .current_dir(home)
        .output()
        .await
        .expect("run portico")
}

#[tokio::test]
async fn a_client_secret_from_a_command_is_run_once_and_never_stored() {
    let home = tempfile::tempdir().expect("home");
    let count = home.path().join("runs");
    std::fs::write(
        home.path().join("environments.toml"),
        format!(
            "[[environment]]\nname = \"demo\"\n[environment.variables]\n\
             demo_oauth_client_secret = {{ command = \"echo run >> '{}'; printf '%s\\\\n' {}\" }}\n",
            count.display(),
            demo::OAUTH_CLIENT_SECRET
        ),
    )
    .expect("environments file");
    // Without the portal's own secret: the command's value must be used.
    let out = portico_in(home.path(), &["call", "--op", "Who am I", "--json"]).await;
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(json["response"]["status"], 200);
    let runs = std::fs::read_to_string(&count).expect("the command ran");
    assert_eq!(runs.lines().count(), 1, "run once for the whole call");
    std::fs::remove_file(&count).expect("reset");
    // The command names the value itself here; leave its file out.
    let environments_file = std::fs::read(home.path().join("environments.toml")).expect("read");
    std::fs::remove_file(home.path().join("environments.toml")).expect("set aside");
    let stored = files_text(home.path());
    std::fs::write(home.path().join("environments.toml"), environments_file).expect("back");
    assert!(
        !stored.contains(demo::OAUTH_CLIENT_SECRET),
        "the command's value reached a file"
    );

    // A command that fails says which variable, which command and why.
    std::fs::write(
        home.path().join("environments.toml"),
        "[[environment]]\nname = \"demo\"\n[environment.variables]\n\
         demo_oauth_client_secret = { command = \"echo 'vault is locked' >&2; exit 3\" }\n",
    )
    .expect("environments file");
    let out = portico_in(home.path(), &["call", "--op", "Who am I"]).await;
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("variable `demo_oauth_client_secret` of environment `demo`")
            && stderr.contains("exited with 3: vault is locked"),
        "{stderr}"
    );
}

fn who_am_i_flow() -> portico::catalog::Flow {
    portico::catalog::Flow {
        name: "me".into(),
        description: None,
        source: "test".into(),
        steps: vec![portico::catalog::FlowStep {
            operation: "Who am I".into(),
            ..Default::default()
        }],
    }
}

#[tokio::test]
async fn a_flow_step_gets_its_token_by_client_credentials_or_says_how() {
    let server = serve(DemoConfig::default()).await;
    let catalog = catalog_for(&server);
    let engine = engine();
    let cx = portico::flow::RunContext::new(&catalog, &engine);
    let mut vars = demo_vars(&catalog);
    let report = portico::flow::run(&cx, &who_am_i_flow(), &mut vars).await;
    assert!(report.succeeded(), "{:?}", report.reason);
    assert_eq!(report.steps[0].status, Some(200));
    assert!(
        cx.tokens
            .get(&TokenKey::new(demo::ACCOUNT_API_ID, SCHEME))
            .is_some(),
        "kept for the next steps"
    );

    // A public client would need a user: the step fails and says so.
    let cx = portico::flow::RunContext::new(&catalog, &engine);
    let mut public = demo_vars(&catalog);
    public.environment.shift_remove("demo_oauth_client_secret");
    let report = portico::flow::run(&cx, &who_am_i_flow(), &mut public).await;
    assert!(!report.succeeded());
    let why = report.steps[0].error.clone().unwrap_or_default();
    assert!(
        why.contains("needs a user to sign in (authorization-code)"),
        "{why}"
    );
}

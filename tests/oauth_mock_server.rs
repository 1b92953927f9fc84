//! OAuth 2.0 against an independent authorization server: the pinned
//! `oauth2-mock-server` from the npm registry, found through its OpenID
//! Connect discovery document. `.ci/servers` installs it under
//! `target/servers/`; without it these tests fail and say how to install.

mod support;

use portico::catalog::{self, OAuthGrant};
use portico::http::{Engine, EngineConfig};
use portico::oauth::{FlowContext, OAuthClient, Overrides, Prompt, client_for, flows};
use portico::request::Vars;
use support::servers::RealServer;
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

/// The server on a free loopback port, stopped when dropped.
fn start() -> RealServer {
    // The test's own HTTP client needs the TLS provider the engine installs.
    let _ = rustls::crypto::ring::default_provider().install_default();
    support::servers::start_oauth2_mock_server()
}

/// A definition whose only scheme is OpenID Connect at the mock server.
fn client(server: &RealServer, grant: OAuthGrant, secret: bool) -> OAuthClient {
    let definition = format!(
        r#"{{"openapi": "3.0.3", "info": {{"title": "t", "version": "1"}},
        "servers": [{{"url": "{base}"}}], "paths": {{}},
        "components": {{"securitySchemes": {{"oidc": {{"type": "openIdConnect",
          "openIdConnectUrl": "{base}/.well-known/openid-configuration"}}}}}}}}"#,
        base = server.base
    );
    let catalog = catalog::load_bytes(definition.as_bytes(), "mock.json").expect("definition");
    let mut vars = Vars::default();
    let mut set = |name: &str, value: &str| {
        vars.environment.insert(
            name.into(),
            catalog::Variable {
                value: value.into(),
                secret: true,
            },
        );
    };
    set("oidc_client_id", "portico-test");
    if secret {
        set("oidc_client_secret", "s3cret-value");
    }
    let overrides = Overrides {
        grant: Some(grant),
        scopes: vec!["openid".into(), "profile".into()],
        ..Overrides::default()
    };
    client_for(&catalog.apis[0], None, "oidc", &vars, &overrides, None).expect("client")
}

fn engine() -> Engine {
    Engine::new(EngineConfig::default()).expect("engine")
}

#[tokio::test]
async fn client_credentials_through_discovery() {
    let server = start();
    let engine = engine();
    let mut ctx = FlowContext::new(&engine, CancellationToken::new());
    let token = flows::get_token(
        &client(&server, OAuthGrant::ClientCredentials, true),
        &mut ctx,
    )
    .await
    .expect("token");
    // The server's tokens are signed JWTs.
    assert_eq!(token.access_token.split('.').count(), 3, "a JWT");
    assert!(token.expires_at.is_some());
    let exchanges = ctx.exchanges();
    assert_eq!(exchanges.len(), 2, "discovery, then the token request");
    let body = String::from_utf8_lossy(exchanges[1].request.body.as_deref().unwrap_or_default())
        .into_owned();
    assert!(body.contains("grant_type=client_credentials"), "{body}");
    assert!(body.contains("client_id=portico-test"), "{body}");
    assert!(ctx.secrets().contains(&token.access_token));
}

#[tokio::test]
async fn authorization_code_with_pkce_then_refresh() {
    let server = start();
    let engine = engine();
    let client = client(&server, OAuthGrant::AuthorizationCode, false);
    let (prompt_tx, mut prompts) = mpsc::unbounded_channel();
    let mut ctx = FlowContext::new(&engine, CancellationToken::new());
    ctx.prompts = Some(prompt_tx);
    // The mock server's /authorize answers at once with a redirect that
    // carries the code: the "browser" follows it to the listener.
    let browser = async move {
        let Some(Prompt::Browser { url, .. }) = prompts.recv().await else {
            panic!("no browser prompt")
        };
        let verifier_free = url::Url::parse(&url).expect("URL");
        let challenge = verifier_free
            .query_pairs()
            .find(|(k, _)| k == "code_challenge")
            .map(|(_, v)| v.into_owned())
            .expect("a PKCE challenge");
        assert_eq!(challenge.len(), 43, "base64url of a SHA-256");
        let no_redirects = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("client");
        let answer = no_redirects.get(&url).send().await.expect("authorize");
        let location = answer.headers()["location"]
            .to_str()
            .expect("location")
            .to_string();
        let back = reqwest::get(&location).await.expect("listener");
        assert_eq!(back.status().as_u16(), 200);
    };
    let (token, ()) = tokio::join!(flows::get_token(&client, &mut ctx), browser);
    let token = token.expect("token");
    let verifier_sent = ctx.exchanges().iter().any(|e| {
        url::form_urlencoded::parse(e.request.body.as_deref().unwrap_or_default())
            .any(|(k, v)| k == "code_verifier" && (43..=128).contains(&v.len()))
    });
    assert!(
        verifier_sent,
        "the token request carries a 43-128 character verifier"
    );
    let refresh = token.refresh_token.clone().expect("a refresh token");
    let mut ctx = FlowContext::new(&engine, CancellationToken::new());
    let again = flows::refresh(&client, &refresh, &mut ctx)
        .await
        .expect("refreshed");
    assert!(!again.access_token.is_empty());
    let body = String::from_utf8_lossy(
        ctx.exchanges()[1]
            .request
            .body
            .as_deref()
            .unwrap_or_default(),
    )
    .into_owned();
    assert!(body.contains("grant_type=refresh_token"), "{body}");
    assert!(
        !body.contains("client_secret"),
        "a public client sends no secret: {body}"
    );
}

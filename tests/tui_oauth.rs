//! OAuth 2.0 in the TUI, driven with keys against the demo's
//! authorization server: F5 on an operation that needs a token gets one
//! and sends; the Auth tab shows the token's state; `A` runs a chosen
//! flow, the device code's instructions are on screen until the user
//! approves, and Esc cancels.

mod support;

use std::time::Duration;

use crossterm::event::{KeyCode, KeyModifiers};
use portico::demo::{self, DemoConfig, DemoServer};
use portico::tui::TuiContext;
use support::tui::{Harness, SETTLE_LIMIT};

async fn start() -> (DemoServer, Harness) {
    let server = demo::start(
        0,
        DemoConfig {
            device_interval: Duration::from_secs(1),
            device_poll_spacing: Duration::ZERO,
            ..DemoConfig::default()
        },
    )
    .await
    .expect("demo");
    let catalog = demo::bundled_catalog(&server).expect("catalog");
    let h = Harness::start(TuiContext::with_defaults(catalog), 160, 45);
    (server, h)
}

/// The request pane's Auth tab (the fourth), from a fresh open.
fn auth_tab(h: &mut Harness) {
    for _ in 0..3 {
        h.key(KeyCode::Char(']'));
    }
}

#[tokio::test]
async fn f5_gets_a_token_by_itself_then_sends() {
    let (_server, mut h) = start().await;
    h.open("who am i");
    auth_tab(&mut h);
    h.settle().await;
    h.assert_screen("fetched on send · A: now");
    // The row's note names the flow and the client that will be used.
    h.assert_screen("client-credentials · client portico-demo (secret set) ·");
    h.assert_screen("A get token");

    h.key(KeyCode::F(5));
    h.wait_for("client_credentials", SETTLE_LIMIT).await;
    h.settle().await;
    h.assert_screen("200 OK");
    h.assert_screen("held, 59 min left · A: new");
    // The header counts the token down.
    h.assert_screen("token demo_oauth 59 min");
    // The code samples carry the token, masked, as F5 sends it.
    h.key(KeyCode::Char('X'));
    h.settle().await;
    h.assert_screen("-H 'Authorization: Bearer ••••••••'");
    // The token is a secret: the Request tab of the answer masks it.
    h.assert_not_screen("Bearer demo");
}

#[tokio::test]
async fn the_device_code_is_on_screen_until_approved_and_esc_cancels() {
    let (server, mut h) = start().await;
    h.open("who am i");
    auth_tab(&mut h);
    h.key(KeyCode::Char('A'));
    h.settle().await;
    h.assert_screen("Token for demo_oauth");
    h.assert_screen("new token by device-code");
    h.key(KeyCode::Down);
    h.key(KeyCode::Down);
    h.key(KeyCode::Enter);
    h.wait_for("enter the code", SETTLE_LIMIT).await;
    h.assert_screen("Getting a token…");
    let line = h.line_with("enter the code").expect("the code's line");
    let code: String = line
        .split("enter the code ")
        .nth(1)
        .expect("a code")
        .chars()
        .take(9)
        .collect();
    assert_eq!(code.len(), 9, "XXXX-XXXX: {line}");

    let approved = reqwest::get(format!(
        "{}/oauth2/verify?user_code={code}",
        server.base_url()
    ))
    .await
    .expect("approve");
    assert_eq!(approved.status().as_u16(), 200);
    h.wait_for("device_code", Duration::from_secs(15)).await;
    h.settle().await;
    h.assert_screen("200 OK");

    // A second fetch, cancelled with Esc while it waits for the user.
    h.key(KeyCode::Char('A'));
    h.settle().await;
    h.key(KeyCode::Down);
    h.key(KeyCode::Down);
    h.key(KeyCode::Enter);
    h.wait_for("enter the code", SETTLE_LIMIT).await;
    h.key_mod(KeyCode::Esc, KeyModifiers::NONE);
    h.wait_for("Cancelled", SETTLE_LIMIT).await;
    h.assert_not_screen("Getting a token…");
}

/// The demo with portico's files in `home`, whose environments file has
/// the client secret asked at a prompt labelled `label`.
async fn start_with_prompt(home: &std::path::Path, label: &str) -> (DemoServer, Harness) {
    std::fs::write(
        home.join("environments.toml"),
        format!(
            "[[environment]]\nname = \"demo\"\n[environment.variables]\n\
             demo_oauth_client_secret = {{ prompt = \"{label}\" }}\n"
        ),
    )
    .expect("environments file");
    let server = demo::start(0, DemoConfig::default()).await.expect("demo");
    let ctx = TuiContext {
        paths: Some(portico::store::Paths::in_dir(home)),
        ..TuiContext::with_defaults(demo::bundled_catalog(&server).expect("catalog"))
    };
    (server, Harness::start(ctx, 160, 45))
}

#[tokio::test]
async fn a_variable_asked_at_a_prompt_is_typed_once_unseen_and_used() {
    let home = tempfile::tempdir().expect("home");
    // A label of its own: answers are kept per process, per prompt.
    let (_server, mut h) = start_with_prompt(home.path(), "Secret for the typing test").await;
    // Asked over the first frame, before anything else.
    h.assert_screen("Secret for the typing test");
    h.assert_screen("`demo_oauth_client_secret`, kept in memory for this session only");
    h.assert_screen("Enter use");
    h.type_text(demo::OAUTH_CLIENT_SECRET);
    h.assert_not_screen(demo::OAUTH_CLIENT_SECRET);
    h.assert_screen(&"•".repeat(demo::OAUTH_CLIENT_SECRET.len()));
    h.key(KeyCode::Enter);
    h.assert_not_screen("Secret for the typing test");

    // The typed secret is the client's: the token comes and the call works.
    h.open("who am i");
    h.key(KeyCode::F(5));
    h.wait_for("client_credentials", SETTLE_LIMIT).await;
    h.assert_screen("200 OK");
    // Revealing secrets shows the request's, never the typed variable.
    h.key(KeyCode::Char('R'));
    h.settle().await;
    h.assert_not_screen(demo::OAUTH_CLIENT_SECRET);
}

#[tokio::test]
async fn a_prompt_left_with_esc_leaves_the_variable_without_a_value() {
    let home = tempfile::tempdir().expect("home");
    let (_server, mut h) = start_with_prompt(home.path(), "Secret for the Esc test").await;
    h.assert_screen("Secret for the Esc test");
    h.type_text("half typed");
    h.key(KeyCode::Esc);
    h.assert_not_screen("Secret for the Esc test");
    h.assert_screen("has no value this session");
    // Switching to the environment again does not ask again this session.
    h.key(KeyCode::Char('v'));
    h.settle().await;
    h.assert_screen("Environment");
    h.key(KeyCode::Enter);
    h.assert_not_screen("Secret for the Esc test");
    h.assert_screen("the prompt gave no value: left unanswered");
}

/// Visits `url` without following its redirect: the redirect's URL.
async fn redirect_of(url: &str) -> String {
    let answer = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client")
        .get(url)
        .send()
        .await
        .expect("visit");
    answer
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .expect("a redirect")
        .to_string()
}

#[tokio::test]
async fn a_sign_in_finishes_with_the_redirect_url_pasted_into_the_tui() {
    let (server, mut h) = start().await;
    h.open("who am i");
    auth_tab(&mut h);
    h.key(KeyCode::Char('A'));
    h.assert_screen("authorization-code");
    h.key(KeyCode::Down);
    h.key(KeyCode::Enter);
    h.wait_for("To sign in, open this URL in a browser", SETTLE_LIMIT)
        .await;
    h.assert_screen("paste here the URL it ends on");
    // The browser runs elsewhere: it signs in, and its final URL (which
    // never reaches portico's listener) is pasted.
    let authorize = format!("{}/oauth2/authorize?", server.base_url());
    let url = h
        .wrapped_word(&authorize)
        .expect("the authorization URL on screen");
    assert!(url.contains("code_challenge_method=S256"), "{url}");
    let redirect = redirect_of(&url).await;
    assert!(redirect.contains("/callback?code="), "{redirect}");
    h.paste(&redirect);
    h.assert_screen("Redirect URL received");
    h.wait_for("held, 59 min left", SETTLE_LIMIT).await;
    h.key(KeyCode::F(5));
    h.wait_for("authorization_code", SETTLE_LIMIT).await;
    h.assert_screen("200 OK");
}

#[tokio::test]
async fn a_key_refreshes_or_forgets_the_token() {
    let (_server, mut h) = start().await;
    h.open("who am i");
    auth_tab(&mut h);
    h.key(KeyCode::F(5));
    h.wait_for("client_credentials", SETTLE_LIMIT).await;
    h.settle().await;
    h.assert_screen("held, 59 min left · A: new");

    h.key(KeyCode::Char('A'));
    h.assert_screen("Token for demo_oauth");
    h.assert_screen("new token by client-credentials");
    h.assert_screen("refresh the token");
    h.assert_screen("forget the token (here and in the keychain)");
    // Refresh: the last items are refresh, then forget.
    for _ in 0..3 {
        h.key(KeyCode::Down);
    }
    h.key(KeyCode::Enter);
    h.wait_for("Got a token for demo_oauth", SETTLE_LIMIT).await;
    h.settle().await;
    h.assert_screen("held, 59 min left · A: new");

    h.key(KeyCode::Char('A'));
    for _ in 0..4 {
        h.key(KeyCode::Down);
    }
    h.key(KeyCode::Enter);
    h.assert_screen("Forgot the token for demo_oauth");
    h.assert_screen("fetched on send · A: now");
    h.assert_not_screen("token demo_oauth 59 min");

    // Nothing held: refreshing says so.
    h.key(KeyCode::Char('A'));
    for _ in 0..3 {
        h.key(KeyCode::Down);
    }
    h.key(KeyCode::Enter);
    h.assert_screen("No token held for demo_oauth: A gets one");
}

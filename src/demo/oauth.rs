//! The demo gateway's OAuth 2.0 authorization server and the API it
//! protects (`/account/me`), so that every flow can be tried offline:
//! client credentials, authorization code with PKCE (S256 required; the
//! consent is given at once, as a test server does), device code (approved
//! at its verification page), refresh, and revocation (RFC 7009), with
//! OpenID Connect discovery.
//!
//! A token that is unknown, expired or revoked answers 401 with
//! `WWW-Authenticate: Bearer error="invalid_token"`, as real resource
//! servers do, so a client can get a new one and replay.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::Form;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use base64::Engine as _;
use serde::Deserialize;
use serde_json::json;

use super::server::{App, lock};
use super::{ACCOUNT_PREFIX, OAUTH_CLIENT_ID, OAUTH_CLIENT_SECRET, OAUTH_PUBLIC_CLIENT_ID};

/// What the demo's tokens may grant.
pub const SCOPES: [&str; 2] = ["profile", "usage"];

/// The authorization server's memory: codes, device codes and tokens.
#[derive(Default)]
pub(super) struct AuthServer {
    codes: HashMap<String, PendingCode>,
    devices: HashMap<String, Device>,
    tokens: HashMap<String, Grant>,
    refresh: HashMap<String, Grant>,
}

struct PendingCode {
    client_id: String,
    redirect_uri: String,
    challenge: String,
    scopes: Vec<String>,
}

struct Device {
    client_id: String,
    user_code: String,
    scopes: Vec<String>,
    approved: Option<bool>,
    expires: Instant,
    last_poll: Option<Instant>,
}

#[derive(Clone)]
struct Grant {
    client_id: String,
    scopes: Vec<String>,
    grant: &'static str,
    expires: Instant,
}

fn error(status: StatusCode, code: &str, description: &str) -> Response {
    (
        status,
        axum::Json(json!({"error": code, "error_description": description})),
    )
        .into_response()
}

/// An OAuth error answer, built only when it is sent.
struct Refusal {
    status: StatusCode,
    code: &'static str,
    description: String,
}

impl Refusal {
    fn new(status: StatusCode, code: &'static str, description: impl Into<String>) -> Self {
        Self {
            status,
            code,
            description: description.into(),
        }
    }
}

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        error(self.status, self.code, &self.description)
    }
}

fn scopes_of(text: Option<&str>) -> Result<Vec<String>, Refusal> {
    let asked: Vec<String> = text
        .unwrap_or_default()
        .split_whitespace()
        .map(str::to_string)
        .collect();
    match asked.iter().find(|s| !SCOPES.contains(&s.as_str())) {
        Some(bad) => Err(Refusal::new(
            StatusCode::BAD_REQUEST,
            "invalid_scope",
            format!(
                "unknown scope {bad:?}; the demo grants {}",
                SCOPES.join(", ")
            ),
        )),
        None => Ok(asked),
    }
}

/// The client from Basic auth or the body; a confidential client must
/// prove its secret, the public one has none.
fn client(headers: &HeaderMap, form: &HashMap<String, String>) -> Result<String, Refusal> {
    let basic = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Basic "))
        .and_then(|b| base64::engine::general_purpose::STANDARD.decode(b).ok())
        .and_then(|b| String::from_utf8(b).ok())
        .and_then(|pair| {
            let (id, secret) = pair.split_once(':')?;
            let decode = |s: &str| {
                url::form_urlencoded::parse(format!("x={s}").as_bytes())
                    .next()
                    .map(|(_, v)| v.into_owned())
            };
            Some((decode(id)?, Some(decode(secret)?)))
        });
    let (id, secret) = match basic {
        Some(pair) => pair,
        None => match form.get("client_id") {
            Some(id) => (id.clone(), form.get("client_secret").cloned()),
            None => {
                return Err(Refusal::new(
                    StatusCode::UNAUTHORIZED,
                    "invalid_client",
                    "no client_id in the request",
                ));
            }
        },
    };
    let known = match id.as_str() {
        OAUTH_CLIENT_ID => secret.as_deref() == Some(OAUTH_CLIENT_SECRET),
        OAUTH_PUBLIC_CLIENT_ID => secret.is_none_or(|s| s.is_empty()),
        _ => false,
    };
    if known {
        Ok(id)
    } else {
        Err(Refusal::new(
            StatusCode::UNAUTHORIZED,
            "invalid_client",
            "unknown client, or wrong client secret",
        ))
    }
}

fn random(app: &App, len: usize) -> String {
    let mut out = String::new();
    while out.len() < len {
        out.push_str(&app.new_id());
    }
    out.truncate(len);
    out
}

fn issue(
    app: &App,
    client_id: String,
    scopes: Vec<String>,
    grant: &'static str,
    refresh: bool,
) -> Response {
    let lifetime = app.config.token_lifetime;
    let access = random(app, 40);
    let scope_text = scopes.join(" ");
    let record = Grant {
        client_id,
        scopes,
        grant,
        expires: Instant::now() + lifetime,
    };
    let mut server = lock(&app.auth);
    server.tokens.insert(access.clone(), record.clone());
    let mut body = json!({
        "access_token": access,
        "token_type": "Bearer",
        "expires_in": lifetime.as_secs(),
        "scope": scope_text,
    });
    if refresh {
        let refresh_token = random(app, 48);
        server.refresh.insert(refresh_token.clone(), record);
        body["refresh_token"] = json!(refresh_token);
    }
    ([(header::CACHE_CONTROL, "no-store")], axum::Json(body)).into_response()
}

/// `POST /oauth2/token`.
pub(super) async fn token(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    let client_id = match client(&headers, &form) {
        Ok(id) => id,
        Err(refusal) => return refusal.into_response(),
    };
    match form.get("grant_type").map(String::as_str) {
        Some("client_credentials") => {
            if client_id == OAUTH_PUBLIC_CLIENT_ID {
                return error(
                    StatusCode::BAD_REQUEST,
                    "unauthorized_client",
                    "a public client cannot use client credentials",
                );
            }
            match scopes_of(form.get("scope").map(String::as_str)) {
                Ok(scopes) => issue(&app, client_id, scopes, "client_credentials", false),
                Err(refusal) => refusal.into_response(),
            }
        }
        Some("authorization_code") => {
            let code = form.get("code").cloned().unwrap_or_default();
            let Some(pending) = lock(&app.auth).codes.remove(&code) else {
                return error(
                    StatusCode::BAD_REQUEST,
                    "invalid_grant",
                    "unknown or used authorization code",
                );
            };
            let verifier = form.get("code_verifier").cloned().unwrap_or_default();
            if !(43..=128).contains(&verifier.len()) {
                return error(
                    StatusCode::BAD_REQUEST,
                    "invalid_grant",
                    "code_verifier must be 43 to 128 characters",
                );
            }
            if s256(&verifier) != pending.challenge {
                return error(
                    StatusCode::BAD_REQUEST,
                    "invalid_grant",
                    "code_verifier does not match the code_challenge",
                );
            }
            if pending.client_id != client_id
                || form.get("redirect_uri") != Some(&pending.redirect_uri)
            {
                return error(
                    StatusCode::BAD_REQUEST,
                    "invalid_grant",
                    "client_id or redirect_uri differ from the authorization request",
                );
            }
            issue(&app, client_id, pending.scopes, "authorization_code", true)
        }
        Some("refresh_token") => {
            let given = form.get("refresh_token").cloned().unwrap_or_default();
            let Some(grant) = lock(&app.auth).refresh.get(&given).cloned() else {
                return error(
                    StatusCode::BAD_REQUEST,
                    "invalid_grant",
                    "unknown or revoked refresh token",
                );
            };
            if grant.client_id != client_id {
                return error(
                    StatusCode::BAD_REQUEST,
                    "invalid_grant",
                    "the refresh token belongs to another client",
                );
            }
            issue(&app, client_id, grant.scopes, grant.grant, false)
        }
        Some("urn:ietf:params:oauth:grant-type:device_code") => {
            device_poll(&app, &client_id, &form)
        }
        Some(other) => error(
            StatusCode::BAD_REQUEST,
            "unsupported_grant_type",
            &format!("grant_type {other:?}"),
        ),
        None => error(StatusCode::BAD_REQUEST, "invalid_request", "no grant_type"),
    }
}

fn device_poll(app: &App, client_id: &str, form: &HashMap<String, String>) -> Response {
    let code = form.get("device_code").cloned().unwrap_or_default();
    let now = Instant::now();
    let spacing = app.config.device_poll_spacing;
    let mut server = lock(&app.auth);
    let Some(device) = server.devices.get_mut(&code) else {
        return error(
            StatusCode::BAD_REQUEST,
            "invalid_grant",
            "unknown device code",
        );
    };
    if device.client_id != client_id {
        return error(
            StatusCode::BAD_REQUEST,
            "invalid_grant",
            "the device code belongs to another client",
        );
    }
    if now > device.expires {
        return error(
            StatusCode::BAD_REQUEST,
            "expired_token",
            "the device code expired",
        );
    }
    let too_soon = device
        .last_poll
        .is_some_and(|last| now.duration_since(last) < spacing);
    device.last_poll = Some(now);
    if too_soon {
        return error(StatusCode::BAD_REQUEST, "slow_down", "polling too often");
    }
    match device.approved {
        None => error(
            StatusCode::BAD_REQUEST,
            "authorization_pending",
            "the user has not answered yet",
        ),
        Some(false) => error(
            StatusCode::BAD_REQUEST,
            "access_denied",
            "the user denied access",
        ),
        Some(true) => {
            let device = server.devices.remove(&code).expect("present");
            drop(server);
            issue(app, device.client_id, device.scopes, "device_code", true)
        }
    }
}

fn s256(verifier: &str) -> String {
    use sha2::Digest as _;
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .encode(sha2::Sha256::digest(verifier.as_bytes()))
}

#[derive(Deserialize)]
pub(super) struct AuthorizeQuery {
    response_type: Option<String>,
    client_id: Option<String>,
    redirect_uri: Option<String>,
    state: Option<String>,
    scope: Option<String>,
    code_challenge: Option<String>,
    code_challenge_method: Option<String>,
}

/// `GET /oauth2/authorize`: consent is given at once (there is one demo
/// user), and the browser goes back to the client's loopback listener.
pub(super) async fn authorize(
    State(app): State<Arc<App>>,
    Query(q): Query<AuthorizeQuery>,
) -> Response {
    let Some(redirect_uri) = q.redirect_uri.filter(|r| {
        url::Url::parse(r)
            .is_ok_and(|u| matches!(u.host_str(), Some("127.0.0.1" | "localhost" | "[::1]")))
    }) else {
        return (
            StatusCode::BAD_REQUEST,
            "redirect_uri must be a loopback URL (http://127.0.0.1:PORT/...)\n",
        )
            .into_response();
    };
    let client_id = q.client_id.unwrap_or_default();
    if ![OAUTH_CLIENT_ID, OAUTH_PUBLIC_CLIENT_ID].contains(&client_id.as_str()) {
        return (StatusCode::BAD_REQUEST, "unknown client_id\n").into_response();
    }
    let back = |params: &[(&str, &str)]| {
        let mut url = url::Url::parse(&redirect_uri).expect("checked above");
        url.query_pairs_mut().extend_pairs(params);
        if let Some(state) = &q.state {
            url.query_pairs_mut().append_pair("state", state);
        }
        Redirect::to(url.as_str()).into_response()
    };
    if q.response_type.as_deref() != Some("code") {
        return back(&[("error", "unsupported_response_type")]);
    }
    let (Some(challenge), Some("S256")) = (q.code_challenge, q.code_challenge_method.as_deref())
    else {
        return back(&[
            ("error", "invalid_request"),
            ("error_description", "PKCE with S256 is required"),
        ]);
    };
    let Ok(scopes) = scopes_of(q.scope.as_deref()) else {
        return back(&[("error", "invalid_scope")]);
    };
    let code = random(&app, 32);
    lock(&app.auth).codes.insert(
        code.clone(),
        PendingCode {
            client_id,
            redirect_uri: redirect_uri.clone(),
            challenge,
            scopes,
        },
    );
    back(&[("code", &code)])
}

/// `POST /oauth2/device`: RFC 8628's device authorization.
pub(super) async fn device(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    let client_id = match client(&headers, &form) {
        Ok(id) => id,
        Err(refusal) => return refusal.into_response(),
    };
    let scopes = match scopes_of(form.get("scope").map(String::as_str)) {
        Ok(scopes) => scopes,
        Err(refusal) => return refusal.into_response(),
    };
    let device_code = random(&app, 40);
    let letters = random(&app, 8).to_ascii_uppercase();
    let user_code = format!("{}-{}", &letters[..4], &letters[4..]);
    let lifetime = Duration::from_secs(600);
    lock(&app.auth).devices.insert(
        device_code.clone(),
        Device {
            client_id,
            user_code: user_code.clone(),
            scopes,
            approved: None,
            expires: Instant::now() + lifetime,
            last_poll: None,
        },
    );
    let verify = format!("{}/oauth2/verify", app.base_url);
    axum::Json(json!({
        "device_code": device_code,
        "user_code": user_code,
        "verification_uri": verify,
        "verification_uri_complete": format!("{verify}?user_code={user_code}"),
        "expires_in": lifetime.as_secs(),
        "interval": app.config.device_interval.as_secs(),
    }))
    .into_response()
}

#[derive(Deserialize)]
pub(super) struct VerifyQuery {
    user_code: Option<String>,
    deny: Option<String>,
}

/// `GET /oauth2/verify[?user_code=…[&deny=1]]`: the page where the user
/// approves (or denies) a device.
pub(super) async fn verify(State(app): State<Arc<App>>, Query(q): Query<VerifyQuery>) -> Response {
    let Some(user_code) = q.user_code.map(|c| c.trim().to_ascii_uppercase()) else {
        return Html(
            "<!doctype html><title>portico demo</title><form><p>Enter the code your device shows: \
             <input name=user_code> <button>Approve</button></p></form>",
        )
        .into_response();
    };
    let approve = q.deny.is_none();
    let mut server = lock(&app.auth);
    match server
        .devices
        .values_mut()
        .find(|d| d.user_code == user_code)
    {
        Some(device) => {
            device.approved = Some(approve);
            let said = if approve { "approved" } else { "denied" };
            Html(format!("<!doctype html><title>portico demo</title><p>Device {said}. You can close this tab.</p>\n"))
                .into_response()
        }
        None => (
            StatusCode::NOT_FOUND,
            Html("<p>Unknown or expired code.</p>\n"),
        )
            .into_response(),
    }
}

/// `POST /oauth2/revoke` (RFC 7009): the token, access or refresh, stops
/// working at once.
pub(super) async fn revoke(
    State(app): State<Arc<App>>,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    let token = form.get("token").cloned().unwrap_or_default();
    let mut server = lock(&app.auth);
    server.tokens.remove(&token);
    server.refresh.remove(&token);
    StatusCode::OK.into_response()
}

/// `GET /.well-known/openid-configuration`.
pub(super) async fn discovery(State(app): State<Arc<App>>) -> Response {
    let base = &app.base_url;
    axum::Json(json!({
        "issuer": base,
        "authorization_endpoint": format!("{base}/oauth2/authorize"),
        "token_endpoint": format!("{base}/oauth2/token"),
        "device_authorization_endpoint": format!("{base}/oauth2/device"),
        "revocation_endpoint": format!("{base}/oauth2/revoke"),
        "grant_types_supported": ["client_credentials", "authorization_code", "refresh_token", "urn:ietf:params:oauth:grant-type:device_code"],
        "code_challenge_methods_supported": ["S256"],
        "scopes_supported": SCOPES,
        "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post", "none"],
    }))
    .into_response()
}

/// `GET /account/me`: who the bearer token speaks for; needs the
/// `profile` scope.
pub(super) async fn me(State(app): State<Arc<App>>, headers: HeaderMap) -> Response {
    let challenge = |error: Option<&str>| {
        let value = match error {
            Some(e) => format!("Bearer realm=\"portico demo\", error=\"{e}\""),
            None => "Bearer realm=\"portico demo\"".to_string(),
        };
        (
            StatusCode::UNAUTHORIZED,
            [(header::WWW_AUTHENTICATE, value)],
            axum::Json(json!({"error": {"code": "Unauthorized", "message": "a bearer token from the demo's authorization server is required"}})),
        )
            .into_response()
    };
    let Some(token) = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
    else {
        return challenge(None);
    };
    let grant = lock(&app.auth).tokens.get(token.trim()).cloned();
    let Some(grant) = grant.filter(|g| g.expires > Instant::now()) else {
        return challenge(Some("invalid_token"));
    };
    if !grant.scopes.iter().any(|s| s == "profile") {
        return (
            StatusCode::FORBIDDEN,
            [(header::WWW_AUTHENTICATE, "Bearer error=\"insufficient_scope\", scope=\"profile\"")],
            axum::Json(json!({"error": {"code": "Forbidden", "message": "the token lacks the profile scope"}})),
        )
            .into_response();
    }
    axum::Json(json!({
        "client_id": grant.client_id,
        "grant": grant.grant,
        "scopes": grant.scopes,
        "expires_in": grant.expires.saturating_duration_since(Instant::now()).as_secs(),
        "path": ACCOUNT_PREFIX,
    }))
    .into_response()
}

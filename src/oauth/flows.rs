//! The flows that get a token: client credentials, authorization code
//! with PKCE (S256) through the loopback listener or a pasted redirect
//! URL, device code, and refresh. Each tells the face what the user must
//! do through [`Prompt`]s, and stops when cancelled.

use std::future::Future;
use std::pin::Pin;
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, SystemTime};

use oauth2::basic::{BasicClient, BasicErrorResponseType, BasicTokenResponse};
use oauth2::{
    AsyncHttpClient, AuthUrl, AuthorizationCode, ClientId, ClientSecret, CsrfToken,
    DeviceAuthorizationUrl, DeviceCodeErrorResponseType, ErrorResponseType, HttpRequest,
    HttpResponse, PkceCodeChallenge, RedirectUrl, RefreshToken, RequestTokenError, Scope,
    StandardDeviceAuthorizationResponse, StandardErrorResponse, TokenResponse, TokenUrl,
};
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use crate::catalog::OAuthGrant;
use crate::http::{Engine, ErrorKind, Exchange, RequestError, SendOptions};
use crate::request::BuiltRequest;

use super::loopback::{RedirectListener, code_from_redirect};
use super::{OAuthClient, OAuthError, Token};

/// PKCE verifier length in random bytes: 64 bytes make 86 characters,
/// inside RFC 7636's 43 to 128.
const PKCE_VERIFIER_BYTES: u32 = 64;

/// What the user has to see or do while a flow runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Prompt {
    /// Device code: enter `user_code` at `verification_uri`.
    Device {
        user_code: String,
        verification_uri: String,
        /// The same URL with the code in it, when the server gives one.
        verification_uri_complete: Option<String>,
        expires_in: Duration,
    },
    /// Device code: the next poll is in `interval` (longer after the
    /// server's `slow_down`).
    Polling { interval: Duration },
    /// Authorization code: open `url` in a browser; the redirect comes
    /// back to `redirect_uri` on loopback, or the user pastes the URL the
    /// browser ended on. `opened`: portico opened the user's browser.
    Browser {
        url: String,
        redirect_uri: String,
        opened: bool,
    },
}

impl Prompt {
    /// What the user must do, in a sentence or two (every face shows the
    /// same words).
    pub fn instructions(&self) -> String {
        use crate::units::duration_text;
        match self {
            Self::Device {
                user_code,
                verification_uri,
                verification_uri_complete,
                expires_in,
            } => {
                let mut text = format!(
                    "To sign in, open {verification_uri} and enter the code {user_code} (within {}).",
                    duration_text(*expires_in)
                );
                if let Some(complete) = verification_uri_complete {
                    text.push_str(&format!(" Or open {complete}"));
                }
                text
            }
            Self::Polling { interval } => format!(
                "Waiting for the sign-in: the next check is in {}.",
                duration_text(*interval)
            ),
            Self::Browser {
                url,
                redirect_uri,
                opened: true,
            } => format!(
                "Sign in in the browser just opened (the answer comes back to {redirect_uri}), or open: {url}"
            ),
            Self::Browser {
                url, redirect_uri, ..
            } => format!(
                "To sign in, open this URL in a browser (the answer comes back to {redirect_uri}): {url}"
            ),
        }
    }
}

/// What a flow runs with: the engine its requests go through, a way to
/// stop it, and the channels to the user.
pub struct FlowContext<'a> {
    pub engine: &'a Engine,
    pub cancel: CancellationToken,
    pub prompts: Option<mpsc::UnboundedSender<Prompt>>,
    /// Redirect URLs the user pastes (the browser on another machine).
    pub pasted: Option<mpsc::UnboundedReceiver<String>>,
    /// Open the authorization URL in the user's browser, when there is
    /// one (a person's session; tests leave it off).
    pub open_browser: bool,
    exchanges: Mutex<Vec<Exchange>>,
    secrets: Mutex<Vec<String>>,
}

impl<'a> FlowContext<'a> {
    pub fn new(engine: &'a Engine, cancel: CancellationToken) -> Self {
        Self {
            engine,
            cancel,
            prompts: None,
            pasted: None,
            open_browser: false,
            exchanges: Mutex::new(Vec::new()),
            secrets: Mutex::new(Vec::new()),
        }
    }

    /// Every exchange with the authorization server so far, in order, for
    /// the face to show or record (mask with [`FlowContext::secrets`]).
    pub fn exchanges(&self) -> Vec<Exchange> {
        self.exchanges
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// The secrets those exchanges carry: client secret, codes, verifier,
    /// tokens.
    pub fn secrets(&self) -> Vec<String> {
        self.secrets
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    fn prompt(&self, prompt: Prompt) {
        if let Some(tx) = &self.prompts {
            let _ = tx.send(prompt);
        }
    }

    fn keep_secret(&self, value: &str) {
        if !value.is_empty() {
            let mut secrets = self.secrets.lock().unwrap_or_else(PoisonError::into_inner);
            if !secrets.iter().any(|s| s == value) {
                secrets.push(value.to_string());
            }
        }
    }

    /// One token-endpoint request, through the engine.
    async fn send(
        &self,
        request: HttpRequest,
        skip_tls_verify: bool,
    ) -> Result<HttpResponse, RequestError> {
        let headers: Vec<(String, String)> = request
            .headers()
            .iter()
            .map(|(n, v)| {
                (
                    n.to_string(),
                    String::from_utf8_lossy(v.as_bytes()).into_owned(),
                )
            })
            .collect();
        for (name, value) in &headers {
            if name.eq_ignore_ascii_case("authorization") {
                self.keep_secret(value.trim_start_matches("Basic "));
            }
        }
        for (name, value) in url::form_urlencoded::parse(request.body()) {
            if matches!(
                name.as_ref(),
                "client_secret"
                    | "code"
                    | "code_verifier"
                    | "refresh_token"
                    | "device_code"
                    | "password"
            ) {
                self.keep_secret(&value);
            }
        }
        let built = BuiltRequest {
            method: request.method().to_string(),
            url: request.uri().to_string(),
            headers,
            body: (!request.body().is_empty()).then(|| request.body().clone()),
            form: Vec::new(),
            body_file: None,
            secret_values: self
                .secrets
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .clone(),
        };
        let options = SendOptions {
            accept_invalid_certs: skip_tls_verify,
            ..SendOptions::default()
        };
        let exchange = self
            .engine
            .send(&built, &options, self.cancel.clone())
            .await?;
        let mut answer = http::Response::builder().status(exchange.response.status);
        for (name, value) in &exchange.response.headers {
            answer = answer.header(name, value);
        }
        let answer = answer.body(exchange.response.body.to_vec()).map_err(|e| {
            RequestError::new(
                ErrorKind::InvalidResponse,
                exchange.request.url.clone(),
                exchange.timing.total,
                e.to_string(),
            )
        })?;
        // The answer's tokens are secrets too.
        if let Ok(body) = serde_json::from_slice::<serde_json::Value>(&exchange.response.body) {
            for field in ["access_token", "refresh_token", "id_token", "device_code"] {
                if let Some(value) = body.get(field).and_then(|v| v.as_str()) {
                    self.keep_secret(value);
                }
            }
        }
        self.exchanges
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(exchange);
        Ok(answer)
    }
}

/// The HTTP client the `oauth2` crate calls: the flow's engine. A named
/// type rather than a closure, so that the futures stay `Send` for any
/// lifetime (a closure's borrow is not general enough for `tokio::spawn`).
struct Http<'a, 'b> {
    ctx: &'a FlowContext<'b>,
    skip_tls_verify: bool,
}

impl<'a, 'b> Http<'a, 'b> {
    fn new(ctx: &'a FlowContext<'b>, client: &OAuthClient) -> Self {
        Self {
            ctx,
            skip_tls_verify: client.skip_tls_verify,
        }
    }
}

type Answer<'c> = Pin<Box<dyn Future<Output = Result<HttpResponse, RequestError>> + Send + 'c>>;

impl<'c> AsyncHttpClient<'c> for Http<'_, '_> {
    type Error = RequestError;
    type Future = Answer<'c>;

    fn call(&'c self, request: HttpRequest) -> Self::Future {
        Box::pin(self.ctx.send(request, self.skip_tls_verify))
    }
}

/// Runs the client's flow and returns the token.
pub async fn get_token(
    client: &OAuthClient,
    ctx: &mut FlowContext<'_>,
) -> Result<Token, OAuthError> {
    let client = discover(client, ctx).await?;
    if let Some(secret) = &client.client_secret {
        ctx.keep_secret(secret);
    }
    let cancel = ctx.cancel.clone();
    let run = async {
        match client.grant {
            OAuthGrant::ClientCredentials => client_credentials(&client, ctx).await,
            OAuthGrant::AuthorizationCode => authorization_code(&client, ctx).await,
            OAuthGrant::DeviceCode => device_code(&client, ctx).await,
            other => Err(OAuthError::NoUsableFlow {
                scheme: client.scheme.clone(),
                offered: other.name().into(),
            }),
        }
    };
    tokio::select! {
        () = cancel.cancelled() => Err(OAuthError::Cancelled),
        result = run => result,
    }
}

/// A new access token for a refresh token; the old refresh token is kept
/// when the server does not rotate it.
pub async fn refresh(
    client: &OAuthClient,
    refresh_token: &str,
    ctx: &mut FlowContext<'_>,
) -> Result<Token, OAuthError> {
    let client = discover(client, ctx).await?;
    ctx.keep_secret(refresh_token);
    let token_url = token_url(&client)?;
    let oauth = with_secret(
        BasicClient::new(ClientId::new(client.client_id.clone())),
        &client,
    )
    .set_token_uri(token_url);
    let refresh = RefreshToken::new(refresh_token.to_string());
    let mut request = oauth
        .exchange_refresh_token(&refresh)
        .add_scopes(scopes(&client));
    for (name, value) in extra_params(&client) {
        request = request.add_extra_param(name, value);
    }
    let http = Http::new(ctx, &client);
    let answer = request.request_async(&http).await.map_err(basic_error)?;
    let mut token = token_from(&answer, &client.scopes);
    token.refresh_token = token
        .refresh_token
        .or_else(|| Some(refresh_token.to_string()));
    Ok(token)
}

async fn client_credentials(
    client: &OAuthClient,
    ctx: &FlowContext<'_>,
) -> Result<Token, OAuthError> {
    let oauth = with_secret(
        BasicClient::new(ClientId::new(client.client_id.clone())),
        client,
    )
    .set_token_uri(token_url(client)?);
    let mut request = oauth
        .exchange_client_credentials()
        .add_scopes(scopes(client));
    for (name, value) in extra_params(client) {
        request = request.add_extra_param(name, value);
    }
    let http = Http::new(ctx, client);
    let answer = request.request_async(&http).await.map_err(basic_error)?;
    Ok(token_from(&answer, &client.scopes))
}

async fn authorization_code(
    client: &OAuthClient,
    ctx: &mut FlowContext<'_>,
) -> Result<Token, OAuthError> {
    let listener = RedirectListener::bind().await?;
    let auth_url = client
        .authorization_url
        .clone()
        .ok_or_else(|| OAuthError::NoEndpoint {
            scheme: client.scheme.clone(),
            what: "authorization",
        })?;
    let auth_url =
        AuthUrl::new(auth_url.clone()).map_err(|e| bad("authorization", &auth_url, e))?;
    let redirect = listener.redirect_uri().to_string();
    let oauth = with_secret(
        BasicClient::new(ClientId::new(client.client_id.clone())),
        client,
    )
    .set_auth_uri(auth_url)
    .set_token_uri(token_url(client)?)
    .set_redirect_uri(
        RedirectUrl::new(redirect.clone()).map_err(|e| bad("redirect", &redirect, e))?,
    );
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256_len(PKCE_VERIFIER_BYTES);
    let mut authorize = oauth
        .authorize_url(CsrfToken::new_random)
        .add_scopes(scopes(client))
        .set_pkce_challenge(challenge);
    for (name, value) in client.extra.clone() {
        authorize = authorize.add_extra_param(name, value);
    }
    let (url, state) = authorize.url();
    let opened = ctx.open_browser && super::loopback::open_browser(url.as_str());
    ctx.prompt(Prompt::Browser {
        url: url.to_string(),
        redirect_uri: redirect,
        opened,
    });
    let came_back = match ctx.pasted.as_mut() {
        Some(pasted) => tokio::select! {
            url = listener.next_redirect() => url?,
            Some(url) = pasted.recv() => url,
        },
        None => listener.next_redirect().await?,
    };
    let code = code_from_redirect(&came_back, state.secret())?;
    ctx.keep_secret(&code);
    ctx.keep_secret(verifier.secret());
    let mut request = oauth
        .exchange_code(AuthorizationCode::new(code))
        .set_pkce_verifier(verifier);
    for (name, value) in extra_params(client) {
        request = request.add_extra_param(name, value);
    }
    let http = Http::new(ctx, client);
    let answer = request.request_async(&http).await.map_err(basic_error)?;
    Ok(token_from(&answer, &client.scopes))
}

async fn device_code(client: &OAuthClient, ctx: &FlowContext<'_>) -> Result<Token, OAuthError> {
    let device_url =
        client
            .device_authorization_url
            .clone()
            .ok_or_else(|| OAuthError::NoEndpoint {
                scheme: client.scheme.clone(),
                what: "device authorization",
            })?;
    let device_url = DeviceAuthorizationUrl::new(device_url.clone())
        .map_err(|e| bad("device authorization", &device_url, e))?;
    let oauth = with_secret(
        BasicClient::new(ClientId::new(client.client_id.clone())),
        client,
    )
    .set_token_uri(token_url(client)?)
    .set_device_authorization_url(device_url);
    let mut request = oauth.exchange_device_code().add_scopes(scopes(client));
    for (name, value) in extra_params(client) {
        request = request.add_extra_param(name, value);
    }
    let http = Http::new(ctx, client);
    let details: StandardDeviceAuthorizationResponse =
        request.request_async(&http).await.map_err(basic_error)?;
    ctx.keep_secret(details.device_code().secret());
    ctx.prompt(Prompt::Device {
        user_code: details.user_code().secret().clone(),
        verification_uri: details.verification_uri().to_string(),
        verification_uri_complete: details
            .verification_uri_complete()
            .map(|u| u.secret().clone()),
        expires_in: details.expires_in(),
    });
    let sleep = |interval: Duration| {
        ctx.prompt(Prompt::Polling { interval });
        tokio::time::sleep(interval)
    };
    let answer = oauth
        .exchange_device_access_token(&details)
        .request_async(&http, sleep, None)
        .await
        .map_err(|e| match e {
            RequestTokenError::ServerResponse(ref r) => match r.error() {
                DeviceCodeErrorResponseType::AccessDenied => OAuthError::Denied,
                DeviceCodeErrorResponseType::ExpiredToken => {
                    OAuthError::Expired(details.expires_in())
                }
                _ => token_error(e),
            },
            // The crate's own deadline (the code's `expires_in`).
            RequestTokenError::Other(ref m) if m.contains("expired") => {
                OAuthError::Expired(details.expires_in())
            }
            _ => token_error(e),
        })?;
    Ok(token_from(&answer, &client.scopes))
}

/// Fills the endpoints from OpenID Connect discovery when the scheme has
/// a discovery URL and the definition does not give them.
pub async fn discover(
    client: &OAuthClient,
    ctx: &FlowContext<'_>,
) -> Result<OAuthClient, OAuthError> {
    let Some(url) = client.openid_connect_url.clone() else {
        return Ok(client.clone());
    };
    if client.token_url.is_some() {
        return Ok(client.clone());
    }
    let fail = |reason: String| OAuthError::Discovery {
        url: url.clone(),
        reason,
    };
    let request = http::Request::builder()
        .method("GET")
        .uri(&url)
        .header("accept", "application/json")
        .body(Vec::new())
        .map_err(|e| fail(e.to_string()))?;
    let answer = ctx
        .send(request, client.skip_tls_verify)
        .await
        .map_err(|e| fail(e.to_string()))?;
    if !answer.status().is_success() {
        return Err(fail(format!("status {}", answer.status())));
    }
    let doc: serde_json::Value =
        serde_json::from_slice(answer.body()).map_err(|e| fail(format!("not JSON: {e}")))?;
    let field = |name: &str| doc.get(name).and_then(|v| v.as_str()).map(str::to_string);
    let mut found = client.clone();
    found.token_url = field("token_endpoint");
    found.authorization_url = client
        .authorization_url
        .clone()
        .or_else(|| field("authorization_endpoint"));
    found.device_authorization_url = client
        .device_authorization_url
        .clone()
        .or_else(|| field("device_authorization_endpoint"));
    if found.token_url.is_none() {
        return Err(fail("no `token_endpoint`".into()));
    }
    Ok(found)
}

/// Adds the secret of a confidential client (sent as Basic auth); a
/// public client sends none, and its id goes in the body.
fn with_secret(oauth: BasicClient, client: &OAuthClient) -> BasicClient {
    match &client.client_secret {
        Some(secret) => oauth.set_client_secret(ClientSecret::new(secret.clone())),
        None => oauth,
    }
}

/// The extra parameters, plus `client_id` in the body when the secret
/// goes as Basic auth: some servers look for it there in every request.
fn extra_params(client: &OAuthClient) -> Vec<(String, String)> {
    let mut params = client.extra.clone();
    if client.client_secret.is_some() {
        params.push(("client_id".into(), client.client_id.clone()));
    }
    params
}

fn token_url(client: &OAuthClient) -> Result<TokenUrl, OAuthError> {
    let url = client
        .token_url
        .clone()
        .ok_or_else(|| OAuthError::NoEndpoint {
            scheme: client.scheme.clone(),
            what: "token",
        })?;
    TokenUrl::new(url.clone()).map_err(|e| bad("token", &url, e))
}

fn scopes(client: &OAuthClient) -> Vec<Scope> {
    client.scopes.iter().cloned().map(Scope::new).collect()
}

fn bad(what: &'static str, url: &str, reason: impl std::fmt::Display) -> OAuthError {
    OAuthError::BadEndpoint {
        what,
        url: url.into(),
        reason: reason.to_string(),
    }
}

fn token_from(answer: &BasicTokenResponse, asked: &[String]) -> Token {
    let now = SystemTime::now();
    Token {
        obtained_at: now,
        access_token: answer.access_token().secret().clone(),
        refresh_token: answer.refresh_token().map(|t| t.secret().clone()),
        expires_at: answer.expires_in().map(|d| now + d),
        scopes: answer
            .scopes()
            .map(|s| {
                s.iter()
                    .map(|x| x.to_string())
                    .filter(|x| !x.is_empty())
                    .collect()
            })
            .unwrap_or_else(|| asked.to_vec()),
    }
}

fn basic_error(
    e: RequestTokenError<RequestError, StandardErrorResponse<BasicErrorResponseType>>,
) -> OAuthError {
    token_error(e)
}

fn token_error<T: ErrorResponseType + AsRef<str> + std::fmt::Display + 'static>(
    e: RequestTokenError<RequestError, StandardErrorResponse<T>>,
) -> OAuthError {
    match e {
        RequestTokenError::ServerResponse(r) => OAuthError::Refused {
            error: r.error().as_ref().to_string(),
            description: r.error_description().cloned(),
        },
        RequestTokenError::Request(e) if e.kind == ErrorKind::Cancelled => OAuthError::Cancelled,
        RequestTokenError::Request(e) => OAuthError::Transport(e.to_string()),
        RequestTokenError::Parse(e, _) => OAuthError::Malformed(e.to_string()),
        RequestTokenError::Other(m) => OAuthError::Malformed(m),
    }
}

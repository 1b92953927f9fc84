//! OAuth 2.0 tokens for the security schemes of a definition: which
//! client and endpoints a scheme uses ([`settings`]), the flows that get a
//! token ([`flows`]: client credentials, authorization code with PKCE,
//! device code, refresh), the redirect listener on loopback
//! ([`loopback`]), and the tokens a session holds ([`tokens`]).
//!
//! The protocol (request shapes, PKCE, the device code's polling and
//! `slow_down`) is the `oauth2` crate's; every HTTP request it makes goes
//! through portico's own [`Engine`](crate::http::Engine), so token
//! requests honour the API's TLS switch and can be shown and recorded
//! like any other exchange, with their secrets masked.

pub mod authorize;
pub mod flows;
pub mod loopback;
pub mod settings;
pub mod tokens;

use std::time::Duration;

use thiserror::Error;

pub use flows::{FlowContext, Prompt, get_token, refresh};
pub use settings::{OAuthClient, Overrides, client_for, required_schemes, schemes_to_fill};
pub use tokens::{Token, TokenKey, Tokens};

/// Why no token came back, in words for the user.
#[derive(Debug, Clone, Error, PartialEq, Eq)]
pub enum OAuthError {
    #[error("security scheme `{scheme}` is not OAuth 2.0")]
    NotOAuth { scheme: String },
    #[error("the API declares no security scheme `{scheme}`")]
    UnknownScheme { scheme: String },
    #[error(
        "scheme `{scheme}` offers no flow portico can run ({offered}); portico runs client-credentials, authorization-code and device-code"
    )]
    NoUsableFlow { scheme: String, offered: String },
    #[error("scheme `{scheme}` has no {flow} flow (it offers {offered})")]
    FlowNotOffered {
        scheme: String,
        flow: String,
        offered: String,
    },
    #[error("no client id for `{scheme}`: set the variable `{variable}` (or `client_id`)")]
    NoClientId { scheme: String, variable: String },
    #[error(
        "the {flow} flow of `{scheme}` needs a client secret: set the variable `{variable}` (or `client_secret`)"
    )]
    NoClientSecret {
        scheme: String,
        flow: String,
        variable: String,
    },
    #[error("the {what} URL of `{scheme}` is missing from the definition")]
    NoEndpoint { scheme: String, what: &'static str },
    #[error("the {what} URL `{url}` is not a URL portico can use: {reason}")]
    BadEndpoint {
        what: &'static str,
        url: String,
        reason: String,
    },
    #[error("OpenID Connect discovery at {url} failed: {reason}")]
    Discovery { url: String, reason: String },
    /// The authorization server answered with an OAuth error.
    #[error("the authorization server refused: {error}{}", describe(.description))]
    Refused {
        error: String,
        description: Option<String>,
    },
    #[error("the user denied access")]
    Denied,
    #[error("the device code expired before the user approved it (after {} s)", .0.as_secs())]
    Expired(Duration),
    #[error(
        "the redirect came back with state `{got}`, not the one sent: refused, as it may be forged"
    )]
    StateMismatch { got: String },
    #[error("the redirect URL has no `code`: {url}")]
    NoCode { url: String },
    #[error("could not reach the authorization server: {0}")]
    Transport(String),
    #[error("the authorization server's answer is not a token response: {0}")]
    Malformed(String),
    #[error("the redirect listener could not start on 127.0.0.1: {0}")]
    Listener(String),
    #[error("cancelled")]
    Cancelled,
}

fn describe(description: &Option<String>) -> String {
    description
        .as_deref()
        .map(|d| format!(" ({d})"))
        .unwrap_or_default()
}

/// Records a flow's exchanges with the authorization server in history,
/// each masked with the flow's secrets (client secret, codes, verifier,
/// tokens): a blocking file write.
pub fn record_exchanges(
    history: &crate::store::History,
    exchanges: &[crate::http::Exchange],
    secrets: &[String],
) -> Result<(), crate::store::StoreError> {
    for exchange in exchanges {
        let sent = &exchange.request;
        let built = crate::request::BuiltRequest {
            method: sent.method.clone(),
            url: sent.url.clone(),
            headers: sent.headers.clone(),
            body: sent.body.clone(),
            secret_values: secrets.to_vec(),
            form: Vec::new(),
            body_file: None,
        };
        history.record(None, None, &built, Ok(exchange), secrets)?;
    }
    Ok(())
}

/// `WWW-Authenticate` says the token was refused as invalid (expired or
/// revoked): worth one new token and one replay.
pub fn says_invalid_token(status: u16, headers: &[(String, String)]) -> bool {
    status == 401
        && headers.iter().any(|(name, value)| {
            name.eq_ignore_ascii_case("www-authenticate")
                && value.to_ascii_lowercase().contains("invalid_token")
        })
}

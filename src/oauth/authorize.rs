//! Putting tokens on a request: for each OAuth 2.0 scheme the operation
//! requires and the draft leaves empty, the session's token (or the one
//! the keychain kept; refreshed when it is about to expire, else a new
//! one from the scheme's flow), and
//! after a 401 `invalid_token`, one new token for one replay.

use std::time::SystemTime;

use crate::catalog::{Api, Operation};
use crate::request::{AuthValue, BuiltRequest, Draft, Vars};

use super::settings::{Overrides, schemes_to_fill};
use super::{FlowContext, OAuthClient, OAuthError, Token, TokenKey, Tokens, client_for, flows};

/// A token a request carries, and what it takes to get another.
#[derive(Debug, Clone)]
pub struct OAuthUse {
    pub key: TokenKey,
    pub client: OAuthClient,
    pub token: Token,
}

/// Fills the draft's empty credentials of the OAuth 2.0 schemes `op`
/// requires; returns the tokens used. A credential the user typed (or a
/// `{{variable}}`), switched off, or overruled by an `Authorization` of
/// their own is left alone: it is theirs ([`schemes_to_fill`]).
#[allow(clippy::too_many_arguments)]
pub async fn authorize(
    api: &Api,
    op: &Operation,
    draft: &mut Draft,
    vars: &Vars,
    tokens: &Tokens,
    overrides: &Overrides,
    base: Option<&str>,
    ctx: &mut FlowContext<'_>,
) -> Result<Vec<OAuthUse>, OAuthError> {
    let mut used = Vec::new();
    for (scheme, _) in schemes_to_fill(api, op, draft) {
        let client = client_for(api, Some(op), scheme, vars, overrides, base)?;
        let key = TokenKey::new(&api.id, scheme);
        let token = token_for(&client, &key, tokens, ctx).await?;
        put_token(draft, scheme, &token.access_token);
        used.push(OAuthUse { key, client, token });
    }
    Ok(used)
}

/// Puts `token` in the draft's credential for `scheme` when that is
/// empty (adding the row when there is none); false when the user's own
/// value is there, which stays.
pub fn put_token(draft: &mut Draft, scheme: &str, token: &str) -> bool {
    match draft
        .auth
        .iter_mut()
        .find(|a| a.ad_hoc.is_none() && a.scheme == scheme)
    {
        Some(row) if row.value.trim().is_empty() => row.value = token.to_string(),
        Some(_) => return false,
        None => draft.auth.push(AuthValue::declared(
            scheme,
            token.to_string(),
            String::new(),
        )),
    }
    true
}

/// The session's token when it is still fresh; else a refreshed one when
/// there is a refresh token (a refused refresh falls back to the flow);
/// else one from the flow. The result is kept in `tokens`.
pub async fn token_for(
    client: &OAuthClient,
    key: &TokenKey,
    tokens: &Tokens,
    ctx: &mut FlowContext<'_>,
) -> Result<Token, OAuthError> {
    let held = tokens.recall(key, client);
    if let Some(token) = held.as_ref().filter(|t| t.fresh(SystemTime::now())) {
        return Ok(token.clone());
    }
    // Discovery once, for the refresh and for the flow that may follow it.
    let client = &flows::discover(client, ctx).await?;
    let refreshed = match held.and_then(|t| t.refresh_token) {
        Some(refresh_token) => match flows::refresh(client, &refresh_token, ctx).await {
            Ok(token) => Some(token),
            Err(OAuthError::Cancelled) => return Err(OAuthError::Cancelled),
            Err(_) => None,
        },
        None => None,
    };
    let token = match refreshed {
        Some(token) => token,
        None => flows::get_token(client, ctx).await?,
    };
    if let Err(e) = tokens.remember(key, client, &token) {
        // Held for the session all the same; `auth status` says why the
        // keychain could not keep it.
        tracing::info!(
            "token for {}/{} not kept in the keychain: {e}",
            key.api,
            key.scheme
        );
    }
    Ok(token)
}

/// After a 401 `invalid_token`: drops each token used, gets a new one
/// (its refresh token first), and puts it where the old one was in the
/// built request. False when nothing changed (no new token).
pub async fn renew(
    built: &mut BuiltRequest,
    used: &mut [OAuthUse],
    tokens: &Tokens,
    ctx: &mut FlowContext<'_>,
) -> bool {
    let mut changed = false;
    for token_use in used.iter_mut() {
        // Keep the refresh token: only the access token was refused.
        let mut stale = token_use.token.clone();
        stale.obtained_at = SystemTime::UNIX_EPOCH;
        stale.expires_at = Some(SystemTime::UNIX_EPOCH);
        tokens.put(token_use.key.clone(), stale);
        let Ok(fresh) = token_for(&token_use.client, &token_use.key, tokens, ctx).await else {
            // Refused everywhere: the next session must not find it either.
            let _ = tokens.forget_everywhere(&token_use.key);
            continue;
        };
        let old = format!("Bearer {}", token_use.token.access_token);
        for (name, value) in &mut built.headers {
            if name.eq_ignore_ascii_case("authorization") && *value == old {
                *value = format!("Bearer {}", fresh.access_token);
                changed = true;
            }
        }
        built.secret_values.extend(fresh.secrets());
        token_use.token = fresh;
    }
    changed
}

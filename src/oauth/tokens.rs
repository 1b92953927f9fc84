//! The tokens one session holds, per API and scheme, in memory; and,
//! when the session asks for it ([`Tokens::remembered`]), in the OS
//! keychain between sessions. A token reaches a file through nothing here.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, SystemTime};

use serde::{Deserialize, Serialize};

use crate::store::keychain::{self, KeychainError};

use super::OAuthClient;

/// How long before its expiry a token counts as expired: a request that
/// leaves with it must still find it valid at the server.
pub const EXPIRY_MARGIN: Duration = Duration::from_secs(30);

/// An access token and what came with it.
#[derive(Clone, PartialEq, Eq)]
pub struct Token {
    pub access_token: String,
    pub refresh_token: Option<String>,
    /// `None` when the server did not say (`expires_in` is optional).
    pub expires_at: Option<SystemTime>,
    /// When it came back, to tell a short-lived token from a stale one.
    pub obtained_at: SystemTime,
    /// The scopes granted (the server's list, else those asked for).
    pub scopes: Vec<String>,
}

// Never print a token by accident: Debug shows its shape, not its value.
impl std::fmt::Debug for Token {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Token")
            .field("access_token", &"••••")
            .field(
                "refresh_token",
                &self.refresh_token.as_ref().map(|_| "••••"),
            )
            .field("expires_at", &self.expires_at)
            .field("obtained_at", &self.obtained_at)
            .field("scopes", &self.scopes)
            .finish()
    }
}

impl Token {
    /// Time left before expiry (zero once expired); `None` when unknown.
    pub fn remaining(&self, now: SystemTime) -> Option<Duration> {
        self.expires_at
            .map(|at| at.duration_since(now).unwrap_or(Duration::ZERO))
    }

    /// Usable for a request sent now: more than [`EXPIRY_MARGIN`] left, or
    /// a quarter of its life for a token that lives shorter than that.
    pub fn fresh(&self, now: SystemTime) -> bool {
        let Some(expires_at) = self.expires_at else {
            return true;
        };
        let lifetime = expires_at
            .duration_since(self.obtained_at)
            .unwrap_or(Duration::ZERO);
        let margin = EXPIRY_MARGIN.min(lifetime / 4);
        self.remaining(now).is_some_and(|left| left > margin)
    }

    /// The secrets it holds, to mask wherever the exchange is shown.
    pub fn secrets(&self) -> Vec<String> {
        std::iter::once(self.access_token.clone())
            .chain(self.refresh_token.clone())
            .collect()
    }
}

/// Which token: the API's id and the scheme's name.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TokenKey {
    pub api: String,
    pub scheme: String,
}

impl TokenKey {
    pub fn new(api: &str, scheme: &str) -> Self {
        Self {
            api: api.into(),
            scheme: scheme.into(),
        }
    }

    /// The keychain entry that keeps it between sessions.
    fn entry(&self) -> String {
        format!("oauth {}/{}", self.api, self.scheme)
    }
}

/// The session's tokens; clones share them (the TUI's sends and its Auth
/// tab see the same).
#[derive(Debug, Clone, Default)]
pub struct Tokens {
    held: Arc<Mutex<HashMap<TokenKey, Token>>>,
    /// Kept in the keychain too, to outlive the session.
    keychain: bool,
}

/// A token as the keychain keeps it: with the client it was issued to,
/// so that another client (or another environment's server) never gets
/// it back.
#[derive(Serialize, Deserialize)]
struct KeptToken {
    client: String,
    access_token: String,
    refresh_token: Option<String>,
    expires_at: Option<u64>,
    obtained_at: u64,
    scopes: Vec<String>,
}

/// Who a token was issued to: the client id and its server.
fn client_identity(client: &OAuthClient) -> String {
    let server = client
        .token_url
        .as_deref()
        .or(client.openid_connect_url.as_deref())
        .unwrap_or("");
    format!("{} {server}", client.client_id)
}

fn unix_seconds(at: SystemTime) -> u64 {
    at.duration_since(SystemTime::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

fn from_unix_seconds(seconds: u64) -> SystemTime {
    SystemTime::UNIX_EPOCH + Duration::from_secs(seconds)
}

impl Tokens {
    /// Tokens that are also kept in the OS keychain, so that the next
    /// session finds them (unless the keychain is switched off).
    pub fn remembered() -> Self {
        Self {
            keychain: !keychain::switched_off(),
            ..Self::default()
        }
    }

    /// Whether tokens are kept in the keychain too.
    pub fn remembers(&self) -> bool {
        self.keychain
    }

    pub fn get(&self, key: &TokenKey) -> Option<Token> {
        self.lock().get(key).cloned()
    }

    pub fn put(&self, key: TokenKey, token: Token) {
        self.lock().insert(key, token);
    }

    /// The token held for `key`, else the one the keychain kept for the
    /// same client (then held for the session). A keychain that cannot be
    /// read is a token not found.
    pub fn recall(&self, key: &TokenKey, client: &OAuthClient) -> Option<Token> {
        if let Some(token) = self.get(key) {
            return Some(token);
        }
        let kept = self.kept(key).ok().flatten()?;
        if kept.client != client_identity(client) {
            return None;
        }
        let token = Token {
            access_token: kept.access_token,
            refresh_token: kept.refresh_token,
            expires_at: kept.expires_at.map(from_unix_seconds),
            obtained_at: from_unix_seconds(kept.obtained_at),
            scopes: kept.scopes,
        };
        self.put(key.clone(), token.clone());
        Some(token)
    }

    /// Holds the token and, when tokens are remembered, keeps it in the
    /// keychain; the error says why it could not be kept there (it is
    /// held for the session all the same).
    pub fn remember(
        &self,
        key: &TokenKey,
        client: &OAuthClient,
        token: &Token,
    ) -> Result<(), KeychainError> {
        self.put(key.clone(), token.clone());
        if !self.keychain {
            return Ok(());
        }
        let kept = KeptToken {
            client: client_identity(client),
            access_token: token.access_token.clone(),
            refresh_token: token.refresh_token.clone(),
            expires_at: token.expires_at.map(unix_seconds),
            obtained_at: unix_seconds(token.obtained_at),
            scopes: token.scopes.clone(),
        };
        let text = serde_json::to_string(&kept)
            .map_err(|e| KeychainError::Failed(format!("cannot encode the token: {e}")))?;
        keychain::set(keychain::SERVICE, &key.entry(), &text)
    }

    /// When the keychain keeps a token for `key`: its expiry, if known.
    /// `Ok(None)` when it keeps none.
    pub fn kept_expiry(&self, key: &TokenKey) -> Result<Option<Option<SystemTime>>, KeychainError> {
        Ok(self
            .kept(key)?
            .map(|kept| kept.expires_at.map(from_unix_seconds)))
    }

    fn kept(&self, key: &TokenKey) -> Result<Option<KeptToken>, KeychainError> {
        if !self.keychain {
            return Ok(None);
        }
        let Some(text) = keychain::get(keychain::SERVICE, &key.entry())? else {
            return Ok(None);
        };
        // An entry that does not parse (another version's, a hand edit)
        // is no token: the flow gets a new one, which replaces it.
        Ok(serde_json::from_str(&text).ok())
    }

    /// Drops the token held for the session; true when there was one.
    pub fn forget(&self, key: &TokenKey) -> bool {
        self.lock().remove(key).is_some()
    }

    /// Drops the token from the session and the keychain; true when
    /// either had one.
    pub fn forget_everywhere(&self, key: &TokenKey) -> Result<bool, KeychainError> {
        let held = self.forget(key);
        if !self.keychain {
            return Ok(held);
        }
        Ok(keychain::delete(keychain::SERVICE, &key.entry())? || held)
    }

    /// Every token held, by key.
    pub fn all(&self) -> Vec<(TokenKey, Token)> {
        let mut all: Vec<_> = self
            .lock()
            .iter()
            .map(|(k, t)| (k.clone(), t.clone()))
            .collect();
        all.sort_by(|a, b| a.0.cmp(&b.0));
        all
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<TokenKey, Token>> {
        self.held.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

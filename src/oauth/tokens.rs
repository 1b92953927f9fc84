//! The tokens one session holds, per API and scheme, in memory only: a
//! token reaches a file through nothing here.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, SystemTime};

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
}

/// The session's tokens; clones share them (the TUI's sends and its Auth
/// tab see the same).
#[derive(Debug, Clone, Default)]
pub struct Tokens {
    held: Arc<Mutex<HashMap<TokenKey, Token>>>,
}

impl Tokens {
    pub fn get(&self, key: &TokenKey) -> Option<Token> {
        self.lock().get(key).cloned()
    }

    pub fn put(&self, key: TokenKey, token: Token) {
        self.lock().insert(key, token);
    }

    /// Drops the token; true when there was one.
    pub fn forget(&self, key: &TokenKey) -> bool {
        self.lock().remove(key).is_some()
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

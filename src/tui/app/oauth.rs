//! OAuth 2.0 tokens for F5 and the Auth tab: the session's tokens fill the
//! draft's empty OAuth credentials at send time; a missing or expiring
//! one is fetched first on a background task (what the user must do, a
//! device code or a URL to open, is on the status line), and the send
//! then goes on by itself.
//!
//! ```text
//! F5 -> tokens_for_send: Ready(used) -> build, send (with_oauth: one replay on invalid_token)
//!                        Fetching    -> task: token_for -> Msg::OAuth(Fetched) -> F5 again
//! ```

use std::time::{Instant, SystemTime};

use ratatui::backend::Backend;
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use super::{App, Msg, OpRef};
use crate::catalog::OAuthGrant;
use crate::http::Progress;
use crate::oauth::authorize::{OAuthUse, put_token, token_for};
use crate::oauth::{
    FlowContext, Overrides, Prompt, TokenKey, client_for, record_exchanges, required_schemes,
    schemes_to_fill,
};
use crate::request::Draft;
use crate::tui::views::response::RequestState;

/// A background token fetch reporting back.
#[derive(Debug)]
pub enum OAuthMsg {
    /// What the user must do now.
    Prompt { op: OpRef, id: u64, prompt: Prompt },
    /// The fetch ended: the token is in the session's store, or why not.
    Fetched {
        op: OpRef,
        id: u64,
        scheme: String,
        result: Result<(), String>,
    },
}

/// Where F5 stands with the operation's OAuth schemes.
pub(super) enum TokenStep {
    /// Every required token is there (none may be needed): the draft with
    /// them filled in when any was, and the tokens used.
    Ready(Option<Box<Draft>>, Vec<OAuthUse>),
    /// A token is being fetched; the send follows when it arrives.
    Fetching,
    /// No token can be had: why.
    Failed(String),
}

impl<B: Backend> App<B> {
    /// Fills `draft`'s empty OAuth credentials from the session's fresh
    /// tokens; starts fetching the first one missing (or about to expire).
    pub(super) fn tokens_for_send(&mut self, op: OpRef) -> TokenStep {
        let (api, operation) = self.state.catalog.operation(op);
        // Most operations need no token: no copy of the draft, no build.
        let Some(draft) = self.state.ops.get(&op).map(|s| &s.editor.draft) else {
            return TokenStep::Ready(None, Vec::new());
        };
        let schemes = schemes_to_fill(api, operation, draft);
        if schemes.is_empty() {
            return TokenStep::Ready(None, Vec::new());
        }
        let mut draft = draft.clone();
        // Relative token URLs are joined to the request's own.
        let base = crate::request::build(api, operation, &draft, &self.state.vars)
            .map(|r| r.url)
            .unwrap_or_default();
        let base = base.as_str();
        let mut used = Vec::new();
        for (scheme, _) in schemes {
            let overrides = self
                .state
                .oauth_overrides
                .get(&TokenKey::new(&api.id, scheme))
                .cloned()
                .unwrap_or_default();
            let client = match client_for(
                api,
                Some(operation),
                scheme,
                &self.state.vars,
                &overrides,
                Some(base),
            ) {
                Ok(client) => client,
                Err(e) => return TokenStep::Failed(e.to_string()),
            };
            let key = TokenKey::new(&api.id, scheme);
            match self
                .state
                .tokens
                .get(&key)
                .filter(|t| t.fresh(SystemTime::now()))
            {
                Some(token) => {
                    put_token(&mut draft, scheme, &token.access_token);
                    used.push(OAuthUse { key, client, token });
                }
                None => {
                    self.fetch_token(op, client, key, false);
                    return TokenStep::Fetching;
                }
            }
        }
        TokenStep::Ready((!used.is_empty()).then(|| Box::new(draft)), used)
    }

    /// Starts the scheme's flow on a background task; the response pane
    /// spins (Esc cancels) and the status line says what to do.
    /// `anew`: a new token by the flow, not the one the keychain kept.
    fn fetch_token(
        &mut self,
        op: OpRef,
        client: crate::oauth::OAuthClient,
        key: TokenKey,
        anew: bool,
    ) {
        let Some(sender) = self.sender_or_explain() else {
            return;
        };
        let id = self.next_id;
        self.next_id += 1;
        let cancel = CancellationToken::new();
        let (_, progress) = tokio::sync::watch::channel(Progress::default());
        if let Some(s) = self.state.ops.get_mut(&op) {
            if let RequestState::InFlight { cancel, .. } = &s.request {
                cancel.cancel();
            }
            s.request = RequestState::InFlight {
                id,
                started: Instant::now(),
                cancel: cancel.clone(),
                progress,
                token: Some(format!(
                    "OAuth 2.0 scheme {}, {} flow, client {}.",
                    key.scheme,
                    client.grant.name(),
                    client.client_id
                )),
            };
        }
        let (paste_tx, paste_rx) = mpsc::unbounded_channel();
        self.state.oauth_paste = Some((op, paste_tx));
        let tokens = self.state.tokens.clone();
        let open_browser = self.state.open_browser;
        let history = self.state.tools.history();
        let tx = self.tx.clone();
        let done = CancellationToken::new();
        let stop_ticks = done.clone().drop_guard();
        tokio::spawn(async move {
            let _stop_ticks = stop_ticks;
            let (prompt_tx, mut prompts) = mpsc::unbounded_channel();
            let forward_tx = tx.clone();
            let forward = tokio::spawn(async move {
                while let Some(prompt) = prompts.recv().await {
                    let _ = forward_tx.send(Msg::OAuth(OAuthMsg::Prompt { op, id, prompt }));
                }
            });
            if anew {
                let (tokens, key) = (tokens.clone(), key.clone());
                let _ = tokio::task::spawn_blocking(move || tokens.forget_everywhere(&key)).await;
            }
            let mut ctx = FlowContext::new(sender.engine(), cancel);
            ctx.prompts = Some(prompt_tx);
            ctx.pasted = Some(paste_rx);
            ctx.open_browser = open_browser;
            let result = token_for(&client, &key, &tokens, &mut ctx)
                .await
                .map(|_| ())
                .map_err(|e| e.to_string());
            let (exchanges, secrets) = (ctx.exchanges(), ctx.secrets());
            drop(ctx);
            // The token requests go to history like any other, masked.
            if let Some(history) = history.filter(|_| !exchanges.is_empty()) {
                let _ = tokio::task::spawn_blocking(move || {
                    record_exchanges(&history, &exchanges, &secrets)
                })
                .await;
            }
            let _ = forward.await;
            let _ = tx.send(Msg::OAuth(OAuthMsg::Fetched {
                op,
                id,
                scheme: key.scheme,
                result,
            }));
        });
        super::sending::spawn_ticker(self.tx.clone(), std::time::Duration::from_millis(100), done);
        self.dirty = true;
    }

    pub(super) fn on_oauth(&mut self, msg: OAuthMsg) {
        match msg {
            OAuthMsg::Prompt { op, id, prompt } => {
                if self.fetching(op) != Some(id) {
                    return;
                }
                // Keep the code on screen; say only when polling slowed.
                if let Prompt::Polling { interval } = &prompt {
                    if interval.as_secs() > 5 {
                        self.notice(prompt.instructions(), false);
                    }
                    return;
                }
                let mut text = prompt.instructions();
                if matches!(prompt, Prompt::Browser { .. }) {
                    text.push_str(
                        " If the browser runs on another machine, paste here the URL it ends on.",
                    );
                }
                if let Some(s) = self.state.ops.get_mut(&op)
                    && let RequestState::InFlight { token, .. } = &mut s.request
                {
                    *token = Some(text);
                }
            }
            OAuthMsg::Fetched {
                op,
                id,
                scheme,
                result,
            } => {
                if self.fetching(op) != Some(id) {
                    return;
                }
                self.state.oauth_paste = None;
                if let Some(s) = self.state.ops.get_mut(&op) {
                    s.request = RequestState::Idle;
                }
                match result {
                    Ok(()) if self.state.open == Some(op) => {
                        self.notice(format!("Got a token for {scheme}; sending"), false);
                        self.send();
                    }
                    Ok(()) => self.notice(format!("Got a token for {scheme}; F5 sends"), false),
                    Err(e) if e == "cancelled" => self.notice("Token request cancelled", false),
                    Err(e) => self.notice(format!("No token for {scheme}: {e}"), true),
                }
            }
        }
        self.dirty = true;
    }

    /// The open draft with its empty OAuth credentials filled from the
    /// session's fresh tokens, for the previews and code samples (which
    /// then show the token masked, as it will be sent); `None` when no
    /// token fills anything.
    pub(super) fn draft_with_held_tokens(&self, op: OpRef) -> Option<Draft> {
        let (api, operation) = self.state.catalog.operation(op);
        let draft = &self.state.ops.get(&op)?.editor.draft;
        let schemes = schemes_to_fill(api, operation, draft);
        // Called at every preview: no copy of the draft unless a token
        // may go into it.
        if schemes.is_empty() {
            return None;
        }
        let mut draft = draft.clone();
        let mut filled = false;
        for (scheme, _) in schemes {
            let token = self
                .state
                .tokens
                .get(&TokenKey::new(&api.id, scheme))
                .filter(|t| t.fresh(SystemTime::now()));
            if let Some(token) = token {
                filled |= put_token(&mut draft, scheme, &token.access_token);
            }
        }
        filled.then_some(draft)
    }

    /// Hands pasted text to the browser flow waiting for the open
    /// operation's redirect URL; false when none waits.
    pub(super) fn paste_redirect(&mut self, text: &str) -> bool {
        let Some((op, paste)) = &self.state.oauth_paste else {
            return false;
        };
        if self.state.open != Some(*op) || self.fetching(*op).is_none() {
            return false;
        }
        if paste.send(text.trim().to_string()).is_err() {
            return false;
        }
        self.notice("Redirect URL received; finishing the sign-in", false);
        true
    }

    /// The id of the token fetch running for `op`, if one is.
    fn fetching(&self, op: OpRef) -> Option<u64> {
        self.state
            .ops
            .get(&op)
            .and_then(|s| s.request.in_flight_id())
    }

    /// The Auth tab's `g`: a new token for the open operation's first
    /// OAuth scheme now (even if one is held), with `grant` when given.
    /// The open operation, its first OAuth 2.0 scheme's token key and
    /// client (with the flow chosen in the Auth tab); a notice when there
    /// is none.
    fn open_scheme_client(
        &mut self,
        grant: Option<OAuthGrant>,
    ) -> Option<(OpRef, TokenKey, crate::oauth::OAuthClient)> {
        let op = self.state.open?;
        let (api, operation) = self.state.catalog.operation(op);
        let Some((scheme, _)) = required_schemes(api, operation).into_iter().next() else {
            self.notice("This operation requires no OAuth 2.0 scheme", true);
            return None;
        };
        let key = TokenKey::new(&api.id, scheme);
        let mut overrides: Overrides = self
            .state
            .oauth_overrides
            .get(&key)
            .cloned()
            .unwrap_or_default();
        if grant.is_some() {
            overrides.grant = grant;
            self.state
                .oauth_overrides
                .insert(key.clone(), overrides.clone());
        }
        let base = api.servers.first().map(|s| s.url.clone());
        match client_for(
            api,
            Some(operation),
            scheme,
            &self.state.vars,
            &overrides,
            base.as_deref(),
        ) {
            Ok(client) => Some((op, key, client)),
            Err(e) => {
                let scheme = scheme.to_string();
                self.notice(format!("No token for {scheme}: {e}"), true);
                None
            }
        }
    }

    /// `A`, a flow chosen: a new token by it, not the one held or kept.
    pub(super) fn get_token_now(&mut self, grant: Option<OAuthGrant>) {
        if let Some((op, key, client)) = self.open_scheme_client(grant) {
            self.state.tokens.forget(&key);
            self.fetch_token(op, client, key, true);
        }
    }

    /// `A`, refresh: the held token counts as expired, so its refresh
    /// token gets a new one (or, without one, the flow does).
    pub(super) fn refresh_token_now(&mut self) {
        let Some((op, key, client)) = self.open_scheme_client(None) else {
            return;
        };
        let Some(mut held) = self.state.tokens.get(&key) else {
            self.notice(
                format!("No token held for {}: A gets one", key.scheme),
                true,
            );
            return;
        };
        held.obtained_at = SystemTime::UNIX_EPOCH;
        held.expires_at = Some(SystemTime::UNIX_EPOCH);
        self.state.tokens.put(key.clone(), held);
        self.fetch_token(op, client, key, false);
    }

    /// `A`, forget: the token goes from the session and the keychain.
    pub(super) fn forget_token_now(&mut self) {
        let Some((_, key, _)) = self.open_scheme_client(None) else {
            return;
        };
        self.state.tokens.forget(&key);
        let tokens = self.state.tokens.clone();
        let scheme = key.scheme.clone();
        tokio::task::spawn_blocking(move || tokens.forget_everywhere(&key));
        self.notice(format!("Forgot the token for {scheme}"), false);
    }
}

//! `portico auth`: OAuth 2.0 tokens from the command line (`token` gets
//! one, `status` shows each scheme's flows, client and kept token,
//! `forget` drops kept tokens), and the token step of `portico call` for
//! operations that require an OAuth scheme. Tokens outlive the command
//! only in the OS keychain.
//!
//! What the user must do (open a URL, enter a device code) goes to
//! stderr; a redirect URL pasted on stdin ends the authorization code
//! flow when the browser runs on another machine.

use std::io::{IsTerminal, Write};
use std::time::SystemTime;

use anyhow::{Context, Result, bail};
use clap::{Args, Subcommand};
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use super::output::print_warnings;
use super::session::{Session, Target};
use crate::call::OAuthTokens;
use crate::catalog::{Api, OAuthGrant, Operation, SecurityKind};
use crate::http::{Engine, EngineConfig};
use crate::oauth::authorize::{authorize, put_token, token_for};
use crate::oauth::{
    FlowContext, OAuthError, Overrides, Prompt, TokenKey, Tokens, client_for, record_exchanges,
    schemes_to_fill,
};
use crate::request::{self, BuiltRequest, Draft, Vars};
use crate::store::History;
use crate::units::duration_text;

#[derive(Debug, Subcommand)]
pub enum AuthCommand {
    /// Get an OAuth 2.0 token for a security scheme and print it (masked
    /// unless --reveal).
    Token(TokenArgs),
    /// The OAuth 2.0 schemes of the APIs: flows, endpoints, client id, and
    /// the token the keychain keeps.
    Status(StatusArgs),
    /// Delete the tokens the keychain keeps (every OAuth 2.0 scheme's, or
    /// one scheme's).
    Forget(ForgetArgs),
}

#[derive(Debug, Args)]
pub struct ForgetArgs {
    #[command(flatten)]
    pub target: Target,
    /// Only this security scheme's token.
    #[arg(long, value_name = "NAME")]
    pub scheme: Option<String>,
    /// Only this API's tokens.
    #[arg(long, value_name = "ID")]
    pub api: Option<String>,
}

#[derive(Debug, Args)]
pub struct TokenArgs {
    #[command(flatten)]
    pub target: Target,
    /// The security scheme's name in the definition.
    #[arg(long, value_name = "NAME")]
    pub scheme: String,
    /// The API's id, when several APIs have a scheme of that name.
    #[arg(long, value_name = "ID")]
    pub api: Option<String>,
    /// client-credentials, authorization-code or device-code (default: the
    /// first the definition offers that can run with what is configured).
    #[arg(long, value_name = "FLOW", value_parser = parse_grant)]
    pub flow: Option<OAuthGrant>,
    /// The client id (default: the variable SCHEME_client_id or
    /// client_id). The secret is only read from variables.
    #[arg(long, value_name = "ID")]
    pub client_id: Option<String>,
    /// A scope to ask for (repeatable).
    #[arg(long = "scope", value_name = "SCOPE")]
    pub scopes: Vec<String>,
    /// Print the token itself instead of a masked one.
    #[arg(long)]
    pub reveal: bool,
}

#[derive(Debug, Args)]
pub struct StatusArgs {
    #[command(flatten)]
    pub target: Target,
}

fn parse_grant(name: &str) -> Result<OAuthGrant, String> {
    OAuthGrant::from_name(name)
        .ok_or_else(|| "expected client-credentials, authorization-code or device-code".to_string())
}

pub(super) async fn auth_command(command: &AuthCommand) -> Result<()> {
    match command {
        AuthCommand::Token(args) => token(args).await,
        AuthCommand::Status(args) => status(args).await,
        AuthCommand::Forget(args) => forget(args).await,
    }
}

/// Every OAuth 2.0 scheme of the catalog, as token keys.
fn oauth_schemes(apis: &[Api]) -> impl Iterator<Item = TokenKey> + '_ {
    apis.iter().flat_map(|api| {
        api.security_schemes
            .iter()
            .filter(|s| matches!(s.kind, SecurityKind::OAuth2 { .. }))
            .map(|s| TokenKey::new(&api.id, &s.name))
    })
}

async fn forget(args: &ForgetArgs) -> Result<()> {
    let session = Session::open(&args.target).await?;
    let keys: Vec<TokenKey> = oauth_schemes(&session.catalog.apis)
        .filter(|k| args.scheme.as_ref().is_none_or(|s| &k.scheme == s))
        .filter(|k| args.api.as_ref().is_none_or(|a| &k.api == a))
        .collect();
    if keys.is_empty() {
        bail!("no OAuth 2.0 scheme matches; `portico auth status` lists them");
    }
    let tokens = Tokens::remembered();
    if !tokens.remembers() {
        eprintln!("portico: the keychain is switched off: no token was kept to forget");
        return Ok(());
    }
    let mut out = std::io::stdout().lock();
    for key in keys {
        let forgot = tokens
            .forget_everywhere(&key)
            .with_context(|| format!("cannot forget the token of {}/{}", key.api, key.scheme))?;
        let said = if forgot {
            "token deleted from the keychain"
        } else {
            "no token kept"
        };
        writeln!(out, "{}/{}: {said}", key.api, key.scheme)?;
    }
    Ok(())
}

async fn token(args: &TokenArgs) -> Result<()> {
    let session = Session::open(&args.target).await?;
    print_warnings(&session.catalog);
    let api = find_api(&session.catalog.apis, &args.scheme, args.api.as_deref())?;
    let vars = session.environments()?.vars(args.target.env.as_deref())?;
    let overrides = Overrides {
        grant: args.flow,
        client_id: args.client_id.clone(),
        scopes: args.scopes.clone(),
    };
    // Relative endpoints are the server's: --server's when given.
    let base = args
        .target
        .server
        .as_deref()
        .or_else(|| api.servers.first().map(|s| s.url.as_str()));
    let client =
        client_for(api, None, &args.scheme, &vars, &overrides, base).map_err(|e| match e {
            OAuthError::NoClientId { .. } => anyhow::anyhow!("{e}, or give --client-id"),
            other => other.into(),
        })?;
    let engine = Engine::new(EngineConfig::default())?;
    let cancel = cancel_on_ctrl_c();
    let mut ctx = interactive_context(&engine, cancel);
    let key = TokenKey::new(&api.id, &args.scheme);
    let tokens = Tokens::remembered();
    let token = token_for(&client, &key, &tokens, &mut ctx).await;
    record(session.paths().ok().map(History::new).as_ref(), &ctx);
    let token = token?;
    let expires = token
        .remaining(SystemTime::now())
        .map(|left| format!("expires in {}", duration_text(left)))
        .unwrap_or_else(|| "no expiry given".into());
    let scopes = if token.scopes.is_empty() {
        "no scopes".to_string()
    } else {
        format!("scopes {}", token.scopes.join(" "))
    };
    eprintln!(
        "portico: token for {} ({}, {expires}, {scopes}{})",
        args.scheme,
        client.grant.name(),
        if token.refresh_token.is_some() {
            ", refreshable"
        } else {
            ""
        }
    );
    eprintln!("portico: {}", where_kept(&tokens, &key));
    let shown = if args.reveal {
        token.access_token.clone()
    } else {
        crate::secrets::MASK.to_string()
    };
    writeln!(std::io::stdout().lock(), "{shown}")?;
    Ok(())
}

async fn status(args: &StatusArgs) -> Result<()> {
    let session = Session::open(&args.target).await?;
    let vars = session.environments()?.vars(args.target.env.as_deref())?;
    let tokens = Tokens::remembered();
    let mut out = std::io::stdout().lock();
    let mut any = false;
    for api in &session.catalog.apis {
        for scheme in &api.security_schemes {
            let SecurityKind::OAuth2 {
                flows,
                openid_connect_url,
            } = &scheme.kind
            else {
                continue;
            };
            any = true;
            writeln!(out, "{} / {}", api.id, scheme.name)?;
            if let Some(url) = openid_connect_url {
                writeln!(out, "  discovery          {url}")?;
            }
            for flow in flows {
                let endpoint = flow
                    .token_url
                    .as_deref()
                    .or(flow.authorization_url.as_deref())
                    .unwrap_or("(no URL)");
                writeln!(out, "  {:<18} {endpoint}", flow.grant.name())?;
            }
            let configured = |suffix: &str| {
                vars.get(&format!("{}_{suffix}", scheme.name))
                    .or_else(|| vars.get(suffix))
                    .is_some()
            };
            let client = match (configured("client_id"), configured("client_secret")) {
                (true, true) => "client id and secret set".to_string(),
                (true, false) => "client id set, no secret (a public client)".to_string(),
                _ => format!("no client id: set the variable {}_client_id", scheme.name),
            };
            writeln!(out, "  client             {client}")?;
            let key = TokenKey::new(&api.id, &scheme.name);
            writeln!(out, "  token              {}", where_kept(&tokens, &key))?;
        }
    }
    if !any {
        writeln!(out, "no API declares an OAuth 2.0 or OpenID Connect scheme")?;
    } else {
        writeln!(
            out,
            "tokens are never written to a file: they outlive a session only in the OS keychain"
        )?;
    }
    Ok(())
}

/// For `portico call`: when the operation requires OAuth 2.0 schemes that
/// the draft leaves empty, gets their tokens (telling the user what to do
/// on stderr) and rebuilds the request with them.
#[allow(clippy::too_many_arguments)]
pub(super) async fn authorize_call(
    api: &Api,
    op: &Operation,
    draft: &Draft,
    vars: &Vars,
    built: BuiltRequest,
    engine: &Engine,
    cancel: CancellationToken,
    history: Option<&History>,
) -> Result<(BuiltRequest, Option<OAuthTokens>)> {
    let schemes: Vec<&str> = schemes_to_fill(api, op, draft)
        .into_iter()
        .map(|(name, _)| name)
        .collect();
    if schemes.is_empty() {
        return Ok((built, None));
    }
    let tokens = Tokens::remembered();
    let mut ctx = interactive_context(engine, cancel);
    let prompts = ctx.prompts.clone();
    let mut filled = draft.clone();
    let used = authorize(
        api,
        op,
        &mut filled,
        vars,
        &tokens,
        &Overrides::default(),
        Some(&built.url),
        &mut ctx,
    )
    .await;
    // No token request went out: every token was one already kept.
    let kept = ctx.exchanges().is_empty();
    record(history, &ctx);
    let used = used.map_err(|e| match e {
        OAuthError::Cancelled => anyhow::Error::new(e),
        // A request may carry its credential some other way (a token
        // parameter the definition also declares).
        _ => anyhow::anyhow!(
            "{e}\n  a request that authenticates another way: --no-auth {}",
            schemes.join(" --no-auth ")
        ),
    })?;
    if used.is_empty() {
        return Ok((built, None));
    }
    for token_use in &used {
        if kept {
            eprintln!(
                "portico: using the OAuth 2.0 token for {} kept in the keychain",
                token_use.key.scheme
            );
        } else {
            eprintln!(
                "portico: got an OAuth 2.0 token for {} ({})",
                token_use.key.scheme,
                token_use.client.grant.name()
            );
        }
    }
    let built = request::build(api, op, &filled, vars)
        .with_context(|| format!("cannot build {} {}", op.method, op.path))?;
    Ok((
        built,
        Some(OAuthTokens {
            used,
            tokens,
            prompts,
        }),
    ))
}

/// For `portico curl` and `portico snippet`, which send nothing: fills
/// the OAuth 2.0 credentials the draft leaves empty with the tokens the
/// keychain keeps, and says on stderr which scheme has none (the request
/// printed then carries no token).
pub(super) fn with_kept_tokens(
    api: &Api,
    op: &Operation,
    draft: &Draft,
    vars: &Vars,
    built: BuiltRequest,
) -> Result<BuiltRequest> {
    let schemes = schemes_to_fill(api, op, draft);
    if schemes.is_empty() {
        return Ok(built);
    }
    let tokens = Tokens::remembered();
    let mut filled = draft.clone();
    let mut any = false;
    for (scheme, _) in schemes {
        let kept = client_for(
            api,
            Some(op),
            scheme,
            vars,
            &Overrides::default(),
            Some(&built.url),
        )
        .ok()
        .and_then(|client| tokens.recall(&TokenKey::new(&api.id, scheme), &client))
        .filter(|token| token.fresh(SystemTime::now()));
        match kept {
            Some(token) => any |= put_token(&mut filled, scheme, &token.access_token),
            None => eprintln!(
                "portico: no token kept for {scheme}: the request carries none \
                 (`portico auth token --scheme {scheme}` gets one)"
            ),
        }
    }
    if !any {
        return Ok(built);
    }
    request::build(api, op, &filled, vars)
        .with_context(|| format!("cannot build {} {}", op.method, op.path))
}

/// Writes the token requests to history, masked; a history that cannot
/// be written is a warning.
fn record(history: Option<&History>, ctx: &FlowContext<'_>) {
    if let Some(history) = history
        && let Err(e) = record_exchanges(history, &ctx.exchanges(), &ctx.secrets())
    {
        eprintln!("portico: warning: token requests not recorded in history: {e}");
    }
}

/// A flow context whose prompts are printed on stderr and which takes a
/// redirect URL pasted on a terminal's stdin once a browser flow asks.
fn interactive_context(engine: &Engine, cancel: CancellationToken) -> FlowContext<'_> {
    let (tx, mut rx) = mpsc::unbounded_channel::<Prompt>();
    let (paste_tx, paste_rx) = mpsc::unbounded_channel();
    let terminal = std::io::stdin().is_terminal();
    tokio::spawn(async move {
        let mut paste_tx = Some(paste_tx);
        while let Some(prompt) = rx.recv().await {
            eprintln!("{}", prompt_text(&prompt));
            // Standard input is read only once a flow asks for a pasted
            // URL, and only from a terminal: other flows leave it alone.
            if matches!(prompt, Prompt::Browser { .. })
                && terminal
                && let Some(paste_tx) = paste_tx.take()
            {
                std::thread::spawn(move || read_pasted_lines(&paste_tx));
            }
        }
    });
    let mut ctx = FlowContext::new(engine, cancel);
    ctx.open_browser = true;
    ctx.prompts = Some(tx);
    ctx.pasted = terminal.then_some(paste_rx);
    ctx
}

/// Passes each line typed on standard input to the flow, until either
/// ends.
fn read_pasted_lines(paste_tx: &mpsc::UnboundedSender<String>) {
    let mut line = String::new();
    while std::io::stdin().read_line(&mut line).is_ok_and(|n| n > 0) {
        if paste_tx.send(line.trim().to_string()).is_err() {
            break;
        }
        line.clear();
    }
}

/// What the user reads on stderr for each step of a flow.
pub fn prompt_text(prompt: &Prompt) -> String {
    let mut text = format!("portico: {}", prompt.instructions());
    if matches!(prompt, Prompt::Browser { .. }) {
        text.push_str(
            "\nportico: if the browser runs on another machine, paste here the URL it ends on",
        );
    }
    text
}

/// Where the token of `key` is kept, in words: the keychain (with its
/// expiry), or this command only, and why.
fn where_kept(tokens: &Tokens, key: &TokenKey) -> String {
    if !tokens.remembers() {
        return "token held for this command only: the keychain is switched off".into();
    }
    match tokens.kept_expiry(key) {
        Ok(Some(expires_at)) => {
            let left = expires_at
                .map(|at| at.duration_since(SystemTime::now()).unwrap_or_default())
                .map_or_else(
                    || "no expiry given".to_string(),
                    |left| {
                        if left.is_zero() {
                            "expired, refreshed when used".to_string()
                        } else {
                            format!("{} left", duration_text(left))
                        }
                    },
                );
            format!("token kept in the keychain ({left})")
        }
        Ok(None) => "no token kept in the keychain".into(),
        Err(e) => format!("held for one command only: {e}"),
    }
}

fn find_api<'a>(apis: &'a [Api], scheme: &str, id: Option<&str>) -> Result<&'a Api> {
    let has = |api: &&Api| api.security_schemes.iter().any(|s| s.name == scheme);
    let candidates: Vec<&Api> = apis
        .iter()
        .filter(has)
        .filter(|a| id.is_none_or(|id| a.id == id))
        .collect();
    match candidates.as_slice() {
        [one] => Ok(one),
        [] => {
            let names: Vec<String> = apis
                .iter()
                .flat_map(|a| {
                    a.security_schemes
                        .iter()
                        .filter(|s| matches!(s.kind, SecurityKind::OAuth2 { .. }))
                        .map(move |s| format!("{} ({})", s.name, a.id))
                })
                .collect();
            if names.is_empty() {
                bail!("no API has a security scheme `{scheme}`, and none declares OAuth 2.0")
            }
            bail!(
                "no API has a security scheme `{scheme}`; OAuth 2.0 schemes: {}",
                names.join(", ")
            )
        }
        many => bail!(
            "several APIs have a scheme `{scheme}`: choose one with --api ({})",
            many.iter()
                .map(|a| a.id.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

fn cancel_on_ctrl_c() -> CancellationToken {
    let cancel = CancellationToken::new();
    let ctrl_c = cancel.clone();
    tokio::spawn(async move {
        if tokio::signal::ctrl_c().await.is_ok() {
            ctrl_c.cancel();
        }
    });
    cancel
}

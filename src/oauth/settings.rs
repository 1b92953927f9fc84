//! Which client, endpoints and scopes one OAuth 2.0 scheme uses: read
//! from the definition, the user's variables and the command line.
//!
//! A scheme `NAME` takes its client from the variables `NAME_client_id`
//! and `NAME_client_secret` (else `client_id` and `client_secret`), and
//! extra token-request parameters from `NAME_audience` and
//! `NAME_resource`. The secret is never a command-line value: it would
//! stay in the shell's history and the process list.

use crate::catalog::{Api, OAuthFlow, OAuthGrant, Operation, SecurityKind, is_url, join_location};
use crate::request::{Draft, Vars};

use super::OAuthError;

/// Everything a flow needs to ask for a token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OAuthClient {
    /// The security scheme's name in the definition.
    pub scheme: String,
    pub grant: OAuthGrant,
    /// Absolute URLs (relative ones in the definition are joined to the
    /// API's server).
    pub authorization_url: Option<String>,
    pub token_url: Option<String>,
    pub device_authorization_url: Option<String>,
    /// OpenID Connect discovery, run before the flow fills in the three
    /// URLs above.
    pub openid_connect_url: Option<String>,
    pub client_id: String,
    /// `None` for a public client: no secret and no Basic header is sent.
    pub client_secret: Option<String>,
    pub scopes: Vec<String>,
    /// Extra token-request parameters (`audience`, `resource`).
    pub extra: Vec<(String, String)>,
    pub skip_tls_verify: bool,
}

/// What the command line or the Auth tab chose over the defaults.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Overrides {
    pub grant: Option<OAuthGrant>,
    pub client_id: Option<String>,
    /// Replaces the operation's required scopes when not empty.
    pub scopes: Vec<String>,
}

/// The grants portico runs, in the order it prefers when the definition
/// offers several and nothing chose one.
const RUNNABLE: [OAuthGrant; 3] = [
    OAuthGrant::ClientCredentials,
    OAuthGrant::AuthorizationCode,
    OAuthGrant::DeviceCode,
];

/// The OAuth 2.0 schemes an operation requires (its own requirements,
/// else the API's), each with the scopes it asks for.
pub fn required_schemes<'a>(api: &'a Api, op: &'a Operation) -> Vec<(&'a str, &'a [String])> {
    let requirements = op.security.as_ref().unwrap_or(&api.security);
    let mut out: Vec<(&str, &[String])> = Vec::new();
    for requirement in requirements {
        for (name, scopes) in requirement {
            let oauth = api
                .security_schemes
                .iter()
                .any(|s| &s.name == name && matches!(s.kind, SecurityKind::OAuth2 { .. }));
            if oauth && !out.iter().any(|(n, _)| n == name) {
                out.push((name, scopes));
            }
        }
    }
    out
}

/// The OAuth 2.0 schemes `op` requires whose token portico is to put on
/// the request: the draft's credential for the scheme is empty and
/// switched on, and nothing else the user gave already sends
/// `Authorization`, where the token would go (the first one wins).
pub fn schemes_to_fill<'a>(
    api: &'a Api,
    op: &'a Operation,
    draft: &Draft,
) -> Vec<(&'a str, &'a [String])> {
    let mut schemes = required_schemes(api, op);
    schemes.retain(|(scheme, _)| {
        let row = draft
            .auth
            .iter()
            .find(|a| a.ad_hoc.is_none() && a.scheme == *scheme);
        let left_to_us = row.is_none_or(|a| a.enabled && a.value.trim().is_empty());
        left_to_us && !draft.gives_authorization(api, scheme)
    });
    schemes
}

/// The client for `scheme`: its flow, endpoints, client id and secret,
/// and scopes (the operation's required ones unless overridden). `base`
/// is the request's URL, against which relative endpoints are joined.
pub fn client_for(
    api: &Api,
    op: Option<&Operation>,
    scheme: &str,
    vars: &Vars,
    overrides: &Overrides,
    base: Option<&str>,
) -> Result<OAuthClient, OAuthError> {
    let declared = api
        .security_schemes
        .iter()
        .find(|s| s.name == scheme)
        .ok_or_else(|| OAuthError::UnknownScheme {
            scheme: scheme.into(),
        })?;
    let SecurityKind::OAuth2 {
        flows,
        openid_connect_url,
    } = &declared.kind
    else {
        return Err(OAuthError::NotOAuth {
            scheme: scheme.into(),
        });
    };
    let var = |suffix: &str| {
        vars.get(&format!("{scheme}_{suffix}"))
            .or_else(|| vars.get(suffix))
            .map(|v| v.value.trim().to_string())
            .filter(|v| !v.is_empty())
    };
    let client_id = overrides
        .client_id
        .clone()
        .or_else(|| var("client_id"))
        .ok_or_else(|| OAuthError::NoClientId {
            scheme: scheme.into(),
            variable: format!("{scheme}_client_id"),
        })?;
    let client_secret = var("client_secret");
    let offered = || {
        if flows.is_empty() {
            "OpenID Connect discovery".to_string()
        } else {
            flows
                .iter()
                .map(|f| f.grant.name())
                .collect::<Vec<_>>()
                .join(", ")
        }
    };
    let grant = match overrides.grant {
        Some(grant) => grant,
        None => choose_grant(flows, openid_connect_url.is_some(), client_secret.is_some())
            .ok_or_else(|| OAuthError::NoUsableFlow {
                scheme: scheme.into(),
                offered: offered(),
            })?,
    };
    if !RUNNABLE.contains(&grant) {
        return Err(OAuthError::NoUsableFlow {
            scheme: scheme.into(),
            offered: offered(),
        });
    }
    if grant == OAuthGrant::ClientCredentials && client_secret.is_none() {
        return Err(OAuthError::NoClientSecret {
            scheme: scheme.into(),
            flow: grant.name().into(),
            variable: format!("{scheme}_client_secret"),
        });
    }
    // With discovery the endpoints come later; else the flow must be one
    // the definition lists.
    let flow = flows.iter().find(|f| f.grant == grant);
    if flow.is_none() && openid_connect_url.is_none() {
        return Err(OAuthError::FlowNotOffered {
            scheme: scheme.into(),
            flow: grant.name().into(),
            offered: offered(),
        });
    }
    let absolute = |url: &Option<String>| url.as_deref().map(|u| join(base, u));
    let scopes = if overrides.scopes.is_empty() {
        op.map(|op| {
            required_schemes(api, op)
                .into_iter()
                .find(|(name, _)| *name == scheme)
                .map(|(_, scopes)| scopes.to_vec())
                .unwrap_or_default()
        })
        .unwrap_or_default()
    } else {
        overrides.scopes.clone()
    };
    let extra = ["audience", "resource"]
        .into_iter()
        .filter_map(|name| {
            Some((
                name.to_string(),
                vars.get(&format!("{scheme}_{name}"))?.value.clone(),
            ))
        })
        .collect();
    Ok(OAuthClient {
        scheme: scheme.into(),
        grant,
        authorization_url: flow.and_then(|f| absolute(&f.authorization_url)),
        token_url: flow.and_then(|f| absolute(&f.token_url)),
        device_authorization_url: flow.and_then(|f| absolute(&f.device_authorization_url)),
        openid_connect_url: absolute(openid_connect_url),
        client_id,
        client_secret,
        scopes,
        extra,
        skip_tls_verify: api.skip_tls_verify,
    })
}

/// The first flow of the definition's order that portico can run with
/// what it has: client credentials only with a secret (it has no user to
/// ask), else the user-facing flows.
fn choose_grant(flows: &[OAuthFlow], discovery: bool, has_secret: bool) -> Option<OAuthGrant> {
    let usable =
        |g: OAuthGrant| RUNNABLE.contains(&g) && (g != OAuthGrant::ClientCredentials || has_secret);
    if let Some(flow) = flows.iter().find(|f| usable(f.grant)) {
        return Some(flow.grant);
    }
    if flows
        .iter()
        .any(|f| f.grant == OAuthGrant::ClientCredentials)
    {
        // Offered but no secret: the error that names the variable helps
        // more than "no usable flow".
        return Some(OAuthGrant::ClientCredentials);
    }
    discovery.then_some(if has_secret {
        OAuthGrant::ClientCredentials
    } else {
        OAuthGrant::AuthorizationCode
    })
}

/// `url` joined to `base` (the request's URL) when it is relative
/// (`/oauth/token`); as written when there is no URL to join it to.
fn join(base: Option<&str>, url: &str) -> String {
    match base.filter(|b| is_url(b)) {
        Some(base) => join_location(base, url),
        None => url.to_string(),
    }
}

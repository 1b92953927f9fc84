//! The bundled demo: an ML web service behind an API gateway, served on
//! loopback so that portico can be tried with no network and no account.
//!
//! It plays the scenario portico was born from (Azure API Management in
//! front of an Azure ML Studio classic web service), with state in memory:
//!
//! ```text
//! client --> /azureml-demo/...  gateway: Ocp-Apim-Subscription-Key (401),
//!                               per-key rate limit (429 + Retry-After),
//!                               usage report (GET /azureml-demo/usage)
//!              |
//!              +--> workspaces/{ws}/services/{svc}/...   ML service: Bearer API key (401),
//!              |        execute                           RRS: feature hashing of `Col2`
//!              |        jobs, jobs/{id}/start, jobs/{id}  BES: job life cycle on tokio tasks
//!              +--> blobs/{container}/{name}             blob store: job input and results
//! ```
//!
//! The "model" is feature hashing: see [`hashing`] for the tokenisation and
//! the hash (FNV-1a 32-bit of each lowercase unigram and `"w1 w2"` bigram,
//! modulo `2^bits`; bits from `GlobalParameters["Hashing bitsize"]`, 3 by
//! default, 1 to 10). The bundled portal file ([`PORTAL`]) describes the
//! API with an environment holding every value a call needs.

mod blobs;
mod csv;
mod gateway;
pub mod hashing;
mod oauth;
mod server;
mod service;

use std::time::Duration;

use crate::catalog::{Catalog, LoadError, Server};

pub use gateway::SUBSCRIPTION_HEADER;
pub use server::{DemoServer, start};
pub use service::BITS_PARAMETER;

/// The portal file that describes the demo API (see PORTAL.md).
pub const PORTAL: &str = include_str!("../../assets/demo/portal.toml");
/// The same API as an OpenAPI 3.0 definition.
pub const OPENAPI: &str = include_str!("../../assets/demo/openapi.yaml");
/// The batch flow's sample input.
pub const SAMPLE_CSV: &str = include_str!("../../assets/demo/sample.csv");

/// The API's id in the portal file, and its URL suffix on the gateway.
pub const API_ID: &str = "azureml-demo";
pub const GATEWAY_PREFIX: &str = "/azureml-demo";
/// The port `portico demo` listens on unless told otherwise.
pub const DEFAULT_PORT: u16 = 8400;

pub const WORKSPACE: &str = "demo-workspace";
pub const SERVICE: &str = "text-features";
/// The input column the service hashes.
pub const TEXT_COLUMN: &str = "Col2";

pub const PRIMARY_SUBSCRIPTION_KEY: &str = "demo-primary-4f1c2a9e8b7d4e0f";
pub const SECONDARY_SUBSCRIPTION_KEY: &str = "demo-secondary-7a3e5c1b9d2f4a68";
/// The ML service's API key, sent as `Authorization: Bearer <key>`.
pub const API_KEY: &str = "demo-api-key-0c9d8e7f6a5b4c3d";

/// Where the bundled portal uploads the sample input and where its batch
/// job writes the result.
pub const INPUT_CONTAINER: &str = "demo-input";
pub const INPUT_BLOB: &str = "sample.csv";
pub const RESULT_CONTAINER: &str = "demo-results";
pub const RESULT_BLOB: &str = "output1.csv";

/// The API the demo's authorization server protects (`/account/me`).
pub const ACCOUNT_API_ID: &str = "demo-account";
pub const ACCOUNT_PREFIX: &str = "/account";
/// The demo authorization server's confidential client (client
/// credentials, and any other flow) and its secret.
pub const OAUTH_CLIENT_ID: &str = "portico-demo";
pub const OAUTH_CLIENT_SECRET: &str = "demo-client-secret-3b8e1f0c6d2a";
/// Its public client: no secret (authorization code with PKCE, device code).
pub const OAUTH_PUBLIC_CLIENT_ID: &str = "portico-demo-public";
pub use oauth::SCOPES as OAUTH_SCOPES;

/// The RRS sample body, as in the scenario.
pub const RRS_SAMPLE_BODY: &str = r#"{"Inputs": {"input1": {"ColumnNames": ["Col2"], "Values": [["This is a good day"]]}}, "GlobalParameters": {}}"#;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoConfig {
    /// Calls per key per window; 0 turns the limit off.
    pub rate_limit: u32,
    pub rate_window: Duration,
    /// How long a started batch job runs before it finishes or fails.
    pub job_duration: Duration,
    /// How long the authorization server's access tokens last.
    pub token_lifetime: Duration,
    /// The device code flow's polling interval, as announced.
    pub device_interval: Duration,
    /// Polls closer together than this answer `slow_down` (a server under
    /// load may ask for more than the interval it announced).
    pub device_poll_spacing: Duration,
}

impl Default for DemoConfig {
    fn default() -> Self {
        Self {
            rate_limit: 10,
            rate_window: Duration::from_secs(60),
            job_duration: Duration::from_secs(3),
            token_lifetime: Duration::from_secs(3600),
            device_interval: Duration::from_secs(2),
            device_poll_spacing: Duration::from_millis(500),
        }
    }
}

/// What `portico demo` prints: where the service is, its keys, and a call
/// to paste into a shell.
pub fn banner(server: &DemoServer) -> String {
    let gw = server.gateway_url();
    let config = server.config();
    let limit = if config.rate_limit == 0 {
        "off".to_string()
    } else {
        format!(
            "{} calls per {} s per key",
            config.rate_limit,
            config.rate_window.as_secs()
        )
    };
    format!(
        "portico demo: an ML web service behind an API gateway\n\
         \n\
         \x20 base URL          {base}\n\
         \x20 API (gateway)     {gw}\n\
         \x20 workspace         {WORKSPACE}\n\
         \x20 service           {SERVICE}\n\
         \x20 subscription keys {PRIMARY_SUBSCRIPTION_KEY} (primary)\n\
         \x20                   {SECONDARY_SUBSCRIPTION_KEY} (secondary)\n\
         \x20                   header: {SUBSCRIPTION_HEADER}\n\
         \x20 API key           {API_KEY} (header: Authorization: Bearer <key>)\n\
         \x20 rate limit        {limit}\n\
         \x20 usage report      {gw}/usage\n\
         \x20 OAuth 2.0         {base}/.well-known/openid-configuration\n\
         \x20                   clients {OAUTH_CLIENT_ID} (secret {OAUTH_CLIENT_SECRET}), {OAUTH_PUBLIC_CLIENT_ID} (public)\n\
         \x20 Account API       {base}{ACCOUNT_PREFIX}/me (a bearer token with scope profile)\n\
         \n\
         Try it:\n\
         \n\
         \x20 curl -s -X POST '{gw}/workspaces/{WORKSPACE}/services/{SERVICE}/execute?api-version=2.0&details=true' \\\n\
         \x20   -H 'Content-Type: application/json' \\\n\
         \x20   -H 'Authorization: Bearer {API_KEY}' \\\n\
         \x20   -H '{SUBSCRIPTION_HEADER}: {PRIMARY_SUBSCRIPTION_KEY}' \\\n\
         \x20   -d '{RRS_SAMPLE_BODY}'\n",
        base = server.base_url(),
    )
}

/// The bundled portal as a catalog whose demo API points at `server`.
pub fn bundled_catalog(server: &DemoServer) -> Result<Catalog, LoadError> {
    bundled_catalog_at(&server.gateway_url())
}

/// The bundled portal as a catalog whose demo API points at `api_base_url`
/// (a gateway URL such as `http://127.0.0.1:8400/azureml-demo`), for a demo
/// that is already running elsewhere.
pub fn bundled_catalog_at(api_base_url: &str) -> Result<Catalog, LoadError> {
    let mut catalog = crate::catalog::load_portal_str(PORTAL, PORTAL_LOCATION)?;
    let gateway = api_base_url.trim_end_matches('/');
    let root = gateway.strip_suffix(GATEWAY_PREFIX).unwrap_or(gateway);
    for api in &mut catalog.apis {
        let url = match api.id.as_str() {
            API_ID => gateway.to_string(),
            ACCOUNT_API_ID => format!("{root}{ACCOUNT_PREFIX}"),
            _ => continue,
        };
        api.servers = vec![Server {
            url,
            description: Some("portico demo".into()),
            variables: indexmap::IndexMap::new(),
        }];
    }
    Ok(catalog)
}

/// How the bundled portal is named in messages and as an API's source.
pub const PORTAL_LOCATION: &str = "assets/demo/portal.toml";

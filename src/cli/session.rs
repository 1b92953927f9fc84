//! What every command starts from: the `Target` flags (sources, server,
//! environment, home) and the `Session` they open, a loaded catalog with
//! the bundled demo service kept up while it is used.

use std::path::PathBuf;

use anyhow::{Context, Result};
use clap::Args;

use crate::catalog::{self, Catalog};
use crate::demo;
use crate::request::Vars;
use crate::store::{self, Paths, StoreError};

/// Where the APIs come from and where requests go: shared by the TUI and
/// the commands that send.
#[derive(Debug, Clone, Default, Args)]
pub struct Target {
    /// API definitions or portal files (paths or http(s) URLs). None: the
    /// bundled demo, served in-process on loopback.
    #[arg(value_name = "SOURCE")]
    pub sources: Vec<String>,
    /// Base URL that replaces the API's own (service URL plus suffix, or
    /// the definition's server).
    #[arg(long, value_name = "URL")]
    pub server: Option<String>,
    /// The environment whose variables fill `{{name}}` (default: the first
    /// one the portal file defines).
    #[arg(long, value_name = "NAME")]
    pub env: Option<String>,
    /// The directory for presets, history and environments (default: the
    /// platform's config, data and state directories).
    #[arg(long, value_name = "DIR", env = store::HOME_VAR)]
    pub home: Option<PathBuf>,
    /// Send without checking TLS certificates, for every API (a test
    /// gateway with a self-signed certificate). A portal file can turn
    /// checking off for one API instead: `tls_verify = false`.
    #[arg(short = 'k', long)]
    pub insecure: bool,
}

/// A loaded catalog and, for the bundled demo, the service that must stay
/// up while it is used.
pub struct Session {
    pub catalog: Catalog,
    pub demo: Option<demo::DemoServer>,
    /// Where presets, history and environments live; `None` when no home
    /// directory can be found (the error says so when one is needed).
    pub paths: Option<Paths>,
}

impl Session {
    /// Loads the sources, or the bundled demo when there are none (started
    /// in-process unless `--server` points at a running one).
    pub async fn open(target: &Target) -> Result<Self> {
        let mut session = Self::load(target).await?;
        if target.insecure {
            for api in &mut session.catalog.apis {
                api.skip_tls_verify = true;
            }
        }
        Ok(session)
    }

    async fn load(target: &Target) -> Result<Self> {
        if !target.sources.is_empty() {
            let catalog = catalog::load_sources(&target.sources).await?;
            return Ok(Self {
                catalog,
                demo: None,
                paths: Paths::resolve(target.home.as_deref()).ok(),
            });
        }
        if target.server.is_some() {
            let catalog = catalog::load_portal_str(demo::PORTAL, "bundled demo portal")?;
            return Ok(Self {
                catalog,
                demo: None,
                paths: Paths::resolve(target.home.as_deref()).ok(),
            });
        }
        let server = demo::start(0, demo::DemoConfig::default())
            .await
            .context("starting the bundled demo service")?;
        let catalog = demo::bundled_catalog(&server)?;
        Ok(Self {
            catalog,
            demo: Some(server),
            paths: Paths::resolve(target.home.as_deref()).ok(),
        })
    }

    pub fn paths(&self) -> Result<&Paths, StoreError> {
        self.paths.as_ref().ok_or(StoreError::NoHome)
    }

    /// The catalog's environments, the user's environments file and
    /// `./.env`.
    pub fn environments(&self) -> Result<store::Environments, StoreError> {
        let working_dir = std::env::current_dir().ok();
        store::Environments::load(&self.catalog, self.paths.as_ref(), working_dir.as_deref())
    }

    /// The variables of the chosen environment (`--env`), else of the
    /// first, with `./.env` on top (see [`store::env`]).
    pub fn vars(&self, env: Option<&str>) -> Result<Vars> {
        Ok(self.environments()?.vars(env)?)
    }
}

/// A catalog for commands that build requests but never send them: the
/// sources, or the bundled demo portal as `portico demo` serves it on its
/// default port, without starting the service.
pub(super) async fn offline_session(target: &Target) -> Result<Session> {
    if target.sources.is_empty() {
        let catalog = catalog::load_portal_str(demo::PORTAL, demo::PORTAL_LOCATION)?;
        return Ok(Session {
            catalog,
            demo: None,
            paths: Paths::resolve(target.home.as_deref()).ok(),
        });
    }
    Session::open(target).await
}

pub(super) fn operation_key(catalog: &Catalog, selector: &str) -> Result<catalog::OperationKey> {
    let (api, op) = catalog.operation(catalog.select(selector)?);
    Ok(op.key(api))
}

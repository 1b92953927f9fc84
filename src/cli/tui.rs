//! Opening the interactive UI from the command line: the one file of the
//! CLI that names the TUI, so that the commands stay usable without it.

use anyhow::Result;

use super::cli_timeout;
use super::session::{Session, Target};

/// Opens the interactive UI on the target's catalog; `timeout` (seconds)
/// overrides the config file's. The terminal shows the loading screen
/// while the definitions load.
pub async fn open_tui(target: &Target, timeout: Option<f64>) -> Result<()> {
    let timeout = timeout.map(cli_timeout).transpose()?;
    let loading = if target.sources.is_empty() {
        "the bundled demo".to_string()
    } else {
        target.sources.join(", ")
    };
    let target = target.clone();
    let load = async move {
        let Session {
            catalog,
            demo,
            paths,
        } = Session::open(&target).await?;
        let mut config = crate::tui::Config::load_in(target.home.as_deref());
        if let Some(timeout) = timeout {
            config.timeout = timeout;
        }
        let context = crate::tui::TuiContext {
            catalog,
            env: target.env.clone(),
            server_override: target.server.clone(),
            config,
            home: target.home.clone(),
            paths,
            desktop: true,
            watch: (!target.sources.is_empty()).then(|| crate::tui::WatchedSources {
                sources: target.sources.clone(),
                insecure: target.insecure,
            }),
        };
        // The demo service (when there is one) must outlive the interface.
        Ok((context, demo))
    };
    if let Some(Some(server)) = crate::tui::run_loading(loading, load).await? {
        server.shutdown().await;
    }
    Ok(())
}

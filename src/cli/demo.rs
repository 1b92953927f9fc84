//! `portico demo`: serve the bundled ML service behind its gateway on
//! 127.0.0.1 until Ctrl-C.

use std::time::Duration;

use anyhow::{Context, Result, bail};
use clap::Args;

use crate::demo;

#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Port on 127.0.0.1 (0 picks a free one).
    #[arg(long, default_value_t = 8400)]
    pub port: u16,
    /// Calls each subscription key may make per window.
    #[arg(long, default_value_t = 10)]
    pub rate_limit: u32,
    /// The rate-limit window in seconds.
    #[arg(long, default_value_t = 60)]
    pub rate_window: u64,
}

pub(super) async fn run_demo(args: &DemoArgs) -> Result<()> {
    if args.rate_limit == 0 {
        bail!("--rate-limit must be at least 1");
    }
    let config = demo::DemoConfig {
        rate_limit: args.rate_limit,
        rate_window: Duration::from_secs(args.rate_window.max(1)),
        ..demo::DemoConfig::default()
    };
    let server = demo::start(args.port, config)
        .await
        .with_context(|| format!("starting the demo service on 127.0.0.1:{}", args.port))?;
    println!("{}", demo::banner(&server));
    tokio::signal::ctrl_c().await?;
    server.shutdown().await;
    Ok(())
}

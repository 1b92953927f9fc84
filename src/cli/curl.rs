//! `portico curl`: print the request `call` would send as a curl command
//! (secrets masked unless revealed), without sending it. Its arguments and
//! the request they make serve `portico snippet` too.

use std::io::Write;

use anyhow::Result;
use clap::Args;

use super::call::{CallArgs, Prepared, prepare};
use super::output::print_warnings;
use super::request_args::RequestArgs;
use super::session::offline_session;
use crate::interchange;
use crate::request::BuiltRequest;

#[derive(Debug, Args)]
pub struct CurlArgs {
    #[command(flatten)]
    pub request: RequestArgs,
    /// Write secret values (keys, tokens) instead of masking them: a masked
    /// request is for reading, a revealed one for running.
    #[arg(long)]
    pub reveal: bool,
    /// Start from this saved preset of the operation; -p, -H and -d still
    /// apply on top.
    #[arg(long, value_name = "NAME")]
    pub preset: Option<String>,
}

impl CurlArgs {
    /// The same request as `call` would send, so both share one code path.
    fn to_call(&self) -> CallArgs {
        CallArgs {
            request: self.request.clone(),
            reveal: self.reveal,
            dry_run: true,
            preset: self.preset.clone(),
            ..CallArgs::default()
        }
    }
}

/// The request `call` would send for these arguments, built without
/// sending it (the catalog's warnings printed on the way).
pub(super) async fn prepared_request(args: &CurlArgs) -> Result<BuiltRequest> {
    let session = offline_session(&args.request.target).await?;
    print_warnings(&session.catalog);
    let Prepared {
        built,
        draft,
        vars,
        at,
        ..
    } = prepare(&session, &args.to_call())?;
    let (api, op) = session.catalog.operation(at);
    super::auth::with_kept_tokens(api, op, &draft, &vars, built)
}

pub(super) async fn curl_command(args: &CurlArgs) -> Result<()> {
    let built = prepared_request(args).await?;
    let mut out = std::io::stdout().lock();
    writeln!(out, "{}", interchange::curl::to_curl(&built, !args.reveal))?;
    Ok(())
}

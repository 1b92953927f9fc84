//! `portico snippet --lang LANG`: print the request `call` would send as a
//! code sample in another language (secrets masked unless revealed),
//! without sending it.

use std::io::Write;

use anyhow::Result;
use clap::Args;

use super::call::{CallArgs, Prepared, prepare};
use super::output::print_warnings;
use super::request_args::RequestArgs;
use super::session::offline_session;
use crate::interchange::snippet::{Lang, to_snippet};

#[derive(Debug, Args)]
pub struct SnippetArgs {
    /// The language: curl, httpie, python, javascript (js), go, csharp
    /// (c#), java, powershell, php.
    #[arg(long, value_name = "LANG", ignore_case = true, value_parser = lang_parser())]
    pub lang: Lang,
    #[command(flatten)]
    pub request: RequestArgs,
    /// Write secret values (keys, tokens) instead of masking them: a masked
    /// sample is for reading, a revealed one for running.
    #[arg(long)]
    pub reveal: bool,
    /// Start from this saved preset of the operation; -p, -H and -d still
    /// apply on top.
    #[arg(long, value_name = "NAME")]
    pub preset: Option<String>,
}

/// The languages as clap's possible values, so that an unknown one is
/// refused with the list and shell completions offer them.
fn lang_parser() -> impl clap::builder::TypedValueParser<Value = Lang> {
    use clap::builder::{PossibleValue, PossibleValuesParser, TypedValueParser};
    PossibleValuesParser::new(
        Lang::ALL
            .iter()
            .map(|l| PossibleValue::new(l.name()).aliases(l.aliases().iter().copied())),
    )
    .map(|name| Lang::from_name(&name).unwrap_or(Lang::Curl))
}

impl SnippetArgs {
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

pub(super) async fn snippet_command(args: &SnippetArgs) -> Result<()> {
    let session = offline_session(&args.request.target).await?;
    print_warnings(&session.catalog);
    let Prepared { built, .. } = prepare(&session, &args.to_call())?;
    let mut out = std::io::stdout().lock();
    let text = to_snippet(&built, args.lang, !args.reveal);
    write!(out, "{text}")?;
    if !text.ends_with('\n') {
        writeln!(out)?;
    }
    Ok(())
}

//! `portico snippet --lang LANG`: print the request `call` would send as a
//! code sample in another language (secrets masked unless revealed),
//! without sending it; the request arguments are `portico curl`'s.

use std::io::Write;

use anyhow::Result;
use clap::Args;

use super::curl::{CurlArgs, prepared_request};
use crate::interchange::snippet::{Lang, to_snippet};

#[derive(Debug, Args)]
pub struct SnippetArgs {
    /// The language: curl, httpie, python, javascript (js), go, csharp
    /// (c#), java, powershell, php.
    #[arg(long, value_name = "LANG", ignore_case = true, value_parser = lang_parser())]
    pub lang: Lang,
    /// The request, as `portico curl` takes it.
    #[command(flatten)]
    pub request: CurlArgs,
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

pub(super) async fn snippet_command(args: &SnippetArgs) -> Result<()> {
    let built = prepared_request(&args.request).await?;
    let mut out = std::io::stdout().lock();
    let text = to_snippet(&built, args.lang, !args.request.reveal);
    write!(out, "{text}")?;
    if !text.ends_with('\n') {
        writeln!(out)?;
    }
    Ok(())
}

//! `portico export http|postman`: write presets, or the request `call`
//! would send, as one `.http` file or one Postman collection for other
//! tools.

use std::io::Write;

use anyhow::{Result, bail};
use clap::{Args, Subcommand};

use super::call::{CallArgs, prepare_draft};
use super::output::{print_import_warnings, print_warnings};
use super::request_args::RequestArgs;
use super::session::{Target, offline_session, operation_key};
use crate::interchange;
use crate::request::{self, Vars};
use crate::store::Presets;

#[derive(Debug, Subcommand)]
pub enum ExportCommand {
    /// Write requests as one `.http` file on standard output.
    Http(ExportHttpArgs),
    /// Write requests as one Postman collection (v2.1) on standard output.
    Postman(ExportHttpArgs),
}

#[derive(Debug, Args)]
pub struct ExportHttpArgs {
    #[command(flatten)]
    pub target: Target,
    /// The presets to write, by name (default: all of them; with --op,
    /// that operation's).
    #[arg(long = "preset", value_name = "NAME")]
    pub presets: Vec<String>,
    /// The operation: with no --preset, write the request `call` would
    /// send (after -p, -H, -d); with --preset, only its presets.
    #[arg(long = "op", value_name = "SELECTOR")]
    pub op: Option<String>,
    /// A parameter value, as for `call`.
    #[arg(short = 'p', long = "param", value_name = "NAME=VALUE")]
    pub params: Vec<String>,
    /// A header, as for `call`.
    #[arg(short = 'H', long = "header", value_name = "'Name: value'")]
    pub headers: Vec<String>,
    /// The body, as for `call`.
    #[arg(short = 'd', long = "data", value_name = "BODY")]
    pub data: Option<String>,
    /// A body sent from a file as it is (@FILE), as for `call`: written
    /// as the file's path.
    #[arg(long = "data-binary", value_name = "@FILE", conflicts_with = "data")]
    pub data_binary: Option<String>,
    /// A form field or file (NAME=VALUE, NAME=@PATH), as for `call`.
    #[arg(short = 'F', long = "form", value_name = "NAME=VALUE")]
    pub form: Vec<String>,
    /// The name of the --op request in the file (default: the operation's
    /// title).
    #[arg(long, value_name = "NAME")]
    pub name: Option<String>,
}

pub(super) async fn export_command(command: &ExportCommand) -> Result<()> {
    match command {
        ExportCommand::Http(args) => {
            let (requests, variables) = chosen_requests(args).await?;
            let file = interchange::http_file::HttpFile {
                variables,
                requests,
                warnings: Vec::new(),
            };
            let (text, warnings) = interchange::http_file::write(&file);
            print_import_warnings(&warnings);
            std::io::stdout().lock().write_all(text.as_bytes())?;
        }
        ExportCommand::Postman(args) => {
            let (requests, variables) = chosen_requests(args).await?;
            let text = interchange::postman::write("portico", &requests, &variables);
            writeln!(std::io::stdout().lock(), "{text}")?;
        }
    }
    Ok(())
}

/// The requests to write (the --op request, or presets) and the
/// non-secret variables they use.
async fn chosen_requests(
    args: &ExportHttpArgs,
) -> Result<(
    Vec<interchange::ImportedRequest>,
    indexmap::IndexMap<String, String>,
)> {
    let session = offline_session(&args.target).await?;
    print_warnings(&session.catalog);
    let vars = session.vars(args.target.env.as_deref())?;
    let mut requests = Vec::new();
    match (&args.op, args.presets.is_empty()) {
        (Some(op), true) => {
            let call_args = CallArgs {
                request: RequestArgs {
                    target: args.target.clone(),
                    op: op.clone(),
                    params: args.params.clone(),
                    headers: args.headers.clone(),
                    data: args.data.clone(),
                    data_binary: args.data_binary.clone(),
                    form: args.form.clone(),
                    ..RequestArgs::default()
                },
                dry_run: true,
                ..CallArgs::default()
            };
            let (api_index, op_index, _, draft) = prepare_draft(&session, &call_args)?;
            let (api, operation) = session.catalog.operation((api_index, op_index));
            let name = args.name.clone().unwrap_or_else(|| operation.title());
            requests.push(interchange::imported::to_imported(
                &session.catalog,
                &operation.key(api),
                &draft,
                &name,
            ));
        }
        _ => {
            if !args.params.is_empty()
                || !args.headers.is_empty()
                || args.data.is_some()
                || args.data_binary.is_some()
                || !args.form.is_empty()
            {
                bail!(
                    "-p, -H, -d, --data-binary and -F apply to the --op request; give --op without --preset"
                );
            }
            let only = match &args.op {
                Some(selector) => Some(operation_key(&session.catalog, selector)?),
                None => None,
            };
            let file = Presets::new(session.paths()?).load()?;
            for wanted in &args.presets {
                if !file
                    .presets
                    .iter()
                    .any(|p| p.name == *wanted && only.as_ref().is_none_or(|k| p.operation == *k))
                {
                    bail!(
                        "no preset named `{wanted}`{}",
                        match &only {
                            Some(key) => format!(" for {key}"),
                            None => String::new(),
                        }
                    );
                }
            }
            for preset in &file.presets {
                let chosen = (args.presets.is_empty() || args.presets.contains(&preset.name))
                    && only.as_ref().is_none_or(|k| preset.operation == *k);
                if chosen {
                    requests.push(interchange::imported::to_imported(
                        &session.catalog,
                        &preset.operation,
                        &preset.draft,
                        &preset.name,
                    ));
                }
            }
            if requests.is_empty() {
                bail!(
                    "no presets to write (in {})",
                    Presets::new(session.paths()?).path().display()
                );
            }
        }
    }
    let variables = referenced_file_variables(&requests, &vars);
    Ok((requests, variables))
}

/// The non-secret variables the requests use, with their values in the
/// chosen environment, so that the file runs on its own; secrets stay
/// references for the reader's own environment to fill.
fn referenced_file_variables(
    requests: &[interchange::ImportedRequest],
    vars: &Vars,
) -> indexmap::IndexMap<String, String> {
    let mut out = indexmap::IndexMap::new();
    let mut pending: Vec<String> = Vec::new();
    for req in requests {
        pending.extend(request::referenced_variables(&req.url));
        for h in &req.headers {
            pending.extend(request::referenced_variables(&h.value));
        }
        pending.extend(request::referenced_variables(&req.body));
        pending.extend(
            req.body_file
                .iter()
                .flat_map(|path| request::referenced_variables(path)),
        );
        for field in &req.form {
            pending.extend(request::referenced_variables(&field.value));
        }
    }
    // Values may refer to other variables; follow them a few levels.
    for _ in 0..8 {
        let mut next = Vec::new();
        for name in pending.drain(..) {
            if out.contains_key(&name) {
                continue;
            }
            if let Some(var) = vars.get(&name) {
                if var.secret || crate::secrets::is_secret_name(&name) {
                    continue;
                }
                next.extend(request::referenced_variables(&var.value));
                out.insert(name, var.value.clone());
            }
        }
        if next.is_empty() {
            break;
        }
        pending = next;
    }
    out
}

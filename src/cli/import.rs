//! `portico import curl|http|postman`: read requests written for other
//! tools, place each on the catalog operation it fits, save them as
//! presets, and report what was read (secrets masked unless revealed).

use std::io::{Read, Write};
use std::path::PathBuf;

use anyhow::{Context, Result, anyhow, bail};
use clap::{Args, Subcommand};
use serde_json::{Value, json};

use super::output::{
    print_import_warnings, print_warnings, request_json, shown_draft, shown_environments,
    shown_rows, shown_value,
};
use super::session::{Session, Target, offline_session};
use crate::catalog::{self, Api, Catalog, Operation};
use crate::interchange;
use crate::request::{BuiltRequest, Draft, Vars};
use crate::store::{self, Presets};

#[derive(Debug, Subcommand)]
pub enum ImportCommand {
    /// Read a curl command (a browser's "Copy as cURL" included) from
    /// standard input; print the request as `call --dry-run --json` does,
    /// with the catalog operation its URL fits.
    Curl(ImportCurlArgs),
    /// Read a `.http` file (VS Code REST Client, JetBrains HTTP Client) and
    /// its `http-client.env.json` environments.
    Http(ImportHttpArgs),
    /// Read a Postman collection (v2.1): folders, disabled headers, `:id`
    /// path variables, bodies, auth, and its variables as an environment.
    Postman(ImportPostmanArgs),
}

#[derive(Debug, Args)]
pub struct ImportHttpArgs {
    /// The `.http` file.
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
    #[command(flatten)]
    pub target: Target,
    /// The environments file (default: `http-client.env.json` beside FILE,
    /// with `http-client.private.env.json` beside it for secrets).
    #[arg(long, value_name = "FILE")]
    pub env_file: Option<PathBuf>,
    #[command(flatten)]
    pub options: ImportOptions,
}

#[derive(Debug, Args)]
pub struct ImportPostmanArgs {
    /// The collection file (Postman format v2.1 or v2.0).
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
    #[command(flatten)]
    pub target: Target,
    #[command(flatten)]
    pub options: ImportOptions,
}

/// How the file-import commands report and what they save.
#[derive(Debug, Args)]
pub struct ImportOptions {
    /// Print everything read as one JSON object.
    #[arg(long)]
    pub json: bool,
    /// Show secret values (keys, tokens) instead of masking them.
    #[arg(long)]
    pub reveal: bool,
    /// Read and report, but save no presets.
    #[arg(long)]
    pub dry_run: bool,
    /// Print the environments read, as `[[environment]]` tables for the
    /// user's environments.toml (secret values only with --reveal),
    /// instead of saving presets and reporting.
    #[arg(long)]
    pub print_environments: bool,
}

#[derive(Debug, Args)]
pub struct ImportCurlArgs {
    #[command(flatten)]
    pub target: Target,
    /// Show secret values (keys, tokens) instead of masking them.
    #[arg(long)]
    pub reveal: bool,
    /// Save the request as a preset of the operation it fits (secrets as
    /// {{variable}} references, as `call --save-preset` does).
    #[arg(long, value_name = "NAME")]
    pub save_preset: Option<String>,
}

pub(super) async fn import_command(command: &ImportCommand) -> Result<()> {
    match command {
        ImportCommand::Curl(args) => import_curl(args).await,
        ImportCommand::Http(args) => import_http(args).await,
        ImportCommand::Postman(args) => import_postman(args).await,
    }
}

/// Requests read from another tool's file, each placed on the catalog
/// operation it fits (or orphaned), as printed by the import commands.
fn imported_json(
    catalog: &Catalog,
    requests: &[interchange::ImportedRequest],
    placed: &[interchange::imported::Placed],
    names: &[String],
    reveal: bool,
) -> Value {
    Value::Array(
        requests
            .iter()
            .zip(placed)
            .zip(names)
            .map(|((req, placed), preset)| {
                let operation = match placed.operation {
                    Some((ai, oi)) => {
                        let (api, op) = catalog.operation((ai, oi));
                        json!({
                            "api": api.id,
                            "method": op.method,
                            "path": op.path,
                            "operation_id": op.operation_id,
                            "title": op.title(),
                        })
                    }
                    None => Value::Null,
                };
                let mut object = json!({
                    "name": req.name,
                    "method": req.method,
                    "url": req.url,
                    "headers": shown_rows(&req.headers, reveal),
                    "body": req.body,
                    "operation": operation,
                    "key": placed.key,
                    "preset": preset,
                    "draft": shown_draft(&placed.draft, reveal),
                });
                if !req.disabled_query.is_empty() {
                    object["disabled_query"] = shown_rows(&req.disabled_query, reveal);
                }
                object
            })
            .collect(),
    )
}

/// The variables imported requests are matched with: the chosen
/// environment (`--env`, else the first) of those imported.
fn imported_vars(envs: &[catalog::Environment], chosen: Option<&str>) -> Result<Vars> {
    let env = match chosen {
        Some(name) => Some(envs.iter().find(|e| e.name == name).ok_or_else(|| {
            let known: Vec<&str> = envs.iter().map(|e| e.name.as_str()).collect();
            anyhow!(
                "no environment named `{name}` in the imported file (known: {})",
                if known.is_empty() {
                    "none".to_string()
                } else {
                    known.join(", ")
                }
            )
        })?),
        None => envs.first(),
    };
    Ok(Vars {
        environment: env.map(|e| e.variables.clone()).unwrap_or_default(),
        ..Vars::default()
    })
}

fn print_imported(
    out: &mut impl Write,
    catalog: &Catalog,
    requests: &[interchange::ImportedRequest],
    placed: &[interchange::imported::Placed],
    names: &[String],
) -> Result<()> {
    let width = names.iter().map(|n| n.chars().count()).max().unwrap_or(0);
    for ((req, placed), name) in requests.iter().zip(placed).zip(names) {
        let target = match placed.operation {
            Some((ai, oi)) => {
                let (api, op) = catalog.operation((ai, oi));
                format!("{} {} {} ({})", api.id, op.method, op.path, op.title())
            }
            None => "no operation fits: orphaned".to_string(),
        };
        writeln!(
            out,
            "{:<width$}  {} {}  -> {target}",
            name, req.method, req.url
        )?;
    }
    Ok(())
}

async fn import_http(args: &ImportHttpArgs) -> Result<()> {
    use interchange::http_file;
    let file = http_file::read(&args.file)?;
    let dir = args
        .file
        .parent()
        .map(std::path::Path::to_path_buf)
        .unwrap_or_default();
    let env_path = match &args.env_file {
        Some(path) => Some(path.clone()),
        None => Some(dir.join(http_file::ENV_FILE)).filter(|p| p.is_file()),
    };
    let mut warnings = file.warnings.clone();
    let env_file_envs = match &env_path {
        Some(path) => {
            let private = path
                .parent()
                .map(|d| d.join(http_file::PRIVATE_ENV_FILE))
                .filter(|p| p.is_file());
            let (envs, env_warnings) = http_file::read_environments(path, private.as_deref())?;
            warnings.extend(env_warnings);
            envs
        }
        None => Vec::new(),
    };
    let fallback = args
        .file
        .file_stem()
        .map_or_else(|| "http".to_string(), |s| s.to_string_lossy().into_owned());
    let environments = http_file::environments_with_file_variables(&file, env_file_envs, &fallback);
    let variables: serde_json::Map<String, Value> = file
        .variables
        .iter()
        .map(|(n, v)| {
            (
                n.clone(),
                Value::String(shown_value(n, v, args.options.reveal)),
            )
        })
        .collect();
    finish_import(
        &args.target,
        &args.options,
        &args.file,
        &file.requests,
        &environments,
        json!({ "variables": variables }),
        warnings,
    )
    .await
}

async fn import_postman(args: &ImportPostmanArgs) -> Result<()> {
    let collection = interchange::postman::read(&args.file)?;
    let environments: Vec<catalog::Environment> = collection.environment.into_iter().collect();
    finish_import(
        &args.target,
        &args.options,
        &args.file,
        &collection.requests,
        &environments,
        json!({ "collection": collection.name }),
        collection.warnings,
    )
    .await
}

/// What the import commands share once a file is read: match each request
/// to the catalog, save the presets, and report (or print the
/// environments). `extra` adds fields to the JSON report.
async fn finish_import(
    target: &Target,
    options: &ImportOptions,
    file: &std::path::Path,
    requests: &[interchange::ImportedRequest],
    environments: &[catalog::Environment],
    extra: Value,
    warnings: Vec<String>,
) -> Result<()> {
    let vars = imported_vars(environments, target.env.as_deref())?;
    let session = offline_session(target).await?;
    let mut out = std::io::stdout().lock();
    if options.print_environments {
        print_import_warnings(&warnings);
        out.write_all(environments_toml(environments, options.reveal)?.as_bytes())?;
        return Ok(());
    }
    print_warnings(&session.catalog);
    let placed: Vec<interchange::imported::Placed> = requests
        .iter()
        .map(|r| interchange::imported::place(&session.catalog, r, &vars))
        .collect();
    let (names, name_warnings) = interchange::imported::preset_names(requests, &placed);
    let mut warnings = warnings;
    warnings.extend(name_warnings);
    print_import_warnings(&warnings);
    let saved = if options.dry_run {
        None
    } else {
        Some(save_imported(&session, &names, &placed, &vars)?)
    };
    if options.json {
        let mut object = json!({
            "requests": imported_json(&session.catalog, requests, &placed, &names, options.reveal),
            "presets_file": saved,
            "environments": shown_environments(environments, options.reveal),
            "warnings": warnings,
        });
        if let (Value::Object(object), Value::Object(extra)) = (&mut object, extra) {
            object.extend(extra);
        }
        serde_json::to_writer_pretty(&mut out, &object)?;
        writeln!(out)?;
        return Ok(());
    }
    writeln!(
        out,
        "{} requests in {}{}",
        requests.len(),
        file.display(),
        if environments.is_empty() {
            String::new()
        } else {
            format!(
                " (environments: {})",
                environments
                    .iter()
                    .map(|e| e.name.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        }
    )?;
    print_imported(&mut out, &session.catalog, requests, &placed, &names)?;
    print_saved(&mut out, saved.as_deref(), placed.len())?;
    if !environments.is_empty() {
        writeln!(
            out,
            "environments are not saved: add them to your environments.toml with --print-environments"
        )?;
    }
    Ok(())
}

/// Environments in the shape of the user's environments.toml (and a
/// portal file's `[[environment]]`); a secret's value is left empty unless
/// revealed.
fn environments_toml(envs: &[catalog::Environment], reveal: bool) -> Result<String> {
    let mut list = Vec::new();
    for env in envs {
        let mut variables = toml::Table::new();
        for (name, var) in &env.variables {
            let value = if var.secret {
                let mut full = toml::Table::new();
                let shown = if reveal {
                    var.value.clone()
                } else {
                    String::new()
                };
                full.insert("value".into(), toml::Value::String(shown));
                full.insert("secret".into(), toml::Value::Boolean(true));
                toml::Value::Table(full)
            } else {
                toml::Value::String(var.value.clone())
            };
            variables.insert(name.clone(), value);
        }
        let mut table = toml::Table::new();
        table.insert("name".into(), toml::Value::String(env.name.clone()));
        table.insert("variables".into(), toml::Value::Table(variables));
        list.push(toml::Value::Table(table));
    }
    let mut root = toml::Table::new();
    root.insert("environment".into(), toml::Value::Array(list));
    Ok(toml::to_string(&root)?)
}

fn print_saved(out: &mut impl Write, saved: Option<&str>, count: usize) -> Result<()> {
    match saved {
        Some(path) => writeln!(out, "saved {count} presets in {path}")?,
        None => writeln!(out, "(dry run: no presets saved)")?,
    }
    Ok(())
}

/// Saves imported requests as presets of the operations they fit (or as
/// orphans); literal secrets are stored as `{{variable}}` references, as
/// `call --save-preset` does. Returns the presets file's path.
fn save_imported(
    session: &Session,
    names: &[String],
    placed: &[interchange::imported::Placed],
    vars: &Vars,
) -> Result<String> {
    let presets = Presets::new(session.paths()?);
    let entries: Vec<(&catalog::OperationKey, &str, &Draft)> = names
        .iter()
        .zip(placed)
        .map(|(name, placed)| (&placed.key, name.as_str(), &placed.draft))
        .collect();
    let reports = presets.save_all(
        &entries,
        store::SaveOptions {
            keep_secrets: false,
            vars: Some(vars),
        },
    )?;
    let mut stderr = std::io::stderr().lock();
    for ((_, name, _), report) in entries.iter().zip(&reports) {
        for withheld in &report.withheld {
            let _ = writeln!(
                stderr,
                "portico: secret not stored: `{name}` {} is saved as {{{{{}}}}}",
                withheld.field, withheld.variable
            );
        }
    }
    Ok(presets.path().display().to_string())
}

/// Reads all of standard input as text, saying what is expected when a
/// person (not a pipe) is typing.
fn read_stdin(what: &str) -> Result<String> {
    use std::io::IsTerminal as _;
    let mut stdin = std::io::stdin();
    if stdin.is_terminal() {
        eprintln!("portico: reading {what} from standard input (end with Ctrl-D)");
    }
    let mut bytes = Vec::new();
    stdin
        .read_to_end(&mut bytes)
        .with_context(|| format!("reading {what} from standard input"))?;
    String::from_utf8(bytes).map_err(|e| {
        anyhow!(
            "{what} on standard input is not UTF-8 text (byte {})",
            e.utf8_error().valid_up_to()
        )
    })
}

async fn import_curl(args: &ImportCurlArgs) -> Result<()> {
    let text = read_stdin("a curl command")?;
    if text.trim().is_empty() {
        bail!("no curl command on standard input");
    }
    let parsed = interchange::curl::parse_curl(&text).context("cannot read the curl command")?;
    let session = offline_session(&args.target).await?;
    print_warnings(&session.catalog);
    let built = parsed.to_request();
    let shown = if args.reveal {
        built.clone()
    } else {
        built.masked()
    };
    let matched = interchange::curl::draft_from_curl(&session.catalog, &parsed);
    if let Some(name) = &args.save_preset {
        let Some((api_index, op_index, draft)) = &matched else {
            bail!(
                "the curl command fits no operation of the catalog ({} {}): nothing saved; \
                 give the definition it belongs to",
                built.method,
                built.url
            );
        };
        let (api, op) = session.catalog.operation((*api_index, *op_index));
        let vars = session.vars(args.target.env.as_deref())?;
        let presets = Presets::new(session.paths()?);
        let key = op.key(api);
        let report = presets.save(
            &key,
            name,
            draft,
            store::SaveOptions {
                keep_secrets: false,
                vars: Some(&vars),
            },
        )?;
        eprintln!(
            "portico: {} preset `{name}` for {key} in {}",
            if report.created { "saved" } else { "updated" },
            presets.path().display()
        );
        for withheld in &report.withheld {
            eprintln!(
                "portico: secret not stored: {} is saved as {{{{{}}}}}",
                withheld.field, withheld.variable
            );
        }
    }
    let operation = match &matched {
        Some((api_index, op_index, draft)) => {
            let (api, op) = session.catalog.operation((*api_index, *op_index));
            matched_operation_json(api, op, draft, &built, args.reveal)
        }
        None => Value::Null,
    };
    let mut object = json!({
        "request": request_json(&shown),
        "operation": operation,
    });
    if parsed.compressed {
        object["compressed"] = Value::Bool(true);
    }
    if parsed.insecure {
        object["insecure"] = Value::Bool(true);
    }
    if !parsed.ignored.is_empty() {
        object["ignored"] = json!(parsed.ignored);
    }
    let mut out = std::io::stdout().lock();
    serde_json::to_writer_pretty(&mut out, &object)?;
    writeln!(out)?;
    Ok(())
}

/// The operation an imported request fits, with the parameter values read
/// from its URL and headers (secrets masked unless revealed).
fn matched_operation_json(
    api: &Api,
    op: &Operation,
    draft: &Draft,
    built: &BuiltRequest,
    reveal: bool,
) -> Value {
    let masker = crate::secrets::Masker::new(built.secret_values.iter().cloned());
    let params: serde_json::Map<String, Value> = draft
        .params
        .iter()
        .filter(|p| !p.value.is_empty())
        .map(|p| {
            let value = if reveal {
                p.value.clone()
            } else if crate::secrets::is_secret_name(&p.name) {
                crate::secrets::MASK.to_string()
            } else {
                masker.mask(&p.value)
            };
            (p.name.clone(), Value::String(value))
        })
        .collect();
    json!({
        "api": api.id,
        "method": op.method,
        "path": op.path,
        "operation_id": op.operation_id,
        "title": op.title(),
        "server_url": draft.server_url,
        "params": params,
    })
}

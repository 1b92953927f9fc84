//! The command line: argument parsing and the non-interactive commands
//! (`list`, `call`, `run`, `demo`, `presets`, `history`, and `curl`,
//! `import`, `export` to move requests between portico and other tools).
//! No subcommand opens the TUI.
//!
//! Every command prints its result on stdout and, when it fails, one line
//! saying why on stderr with a non-zero exit status, so it can be scripted.

use std::io::{Read, Write};
use std::path::PathBuf;
use std::time::Duration;

use anyhow::{Context, Result, anyhow, bail};
use base64::Engine as _;
use clap::{Args, Parser, Subcommand};
use serde_json::{Value, json};
use tokio_util::sync::CancellationToken;

use crate::catalog::{self, Api, Catalog, Operation};
use crate::demo;
use crate::flow;
use crate::http::{Engine, EngineConfig, Exchange, SendOptions, format_elapsed};
use crate::request::{self, BuiltRequest, Draft, Row, Vars};
use crate::store::{self, Paths, Presets, StoreError};

/// A terminal developer portal: browse API definitions, fill in requests,
/// send them, read the answers. With no command, opens the interactive UI.
#[derive(Debug, Parser)]
#[command(
    name = "portico",
    version,
    about,
    args_conflicts_with_subcommands = true
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
    #[command(flatten)]
    pub target: Target,
    /// Give up on a request after this many seconds; 0 waits until you
    /// cancel (default: `timeout` in config.toml, else 30).
    #[arg(long, value_name = "SECS")]
    pub timeout: Option<f64>,
}

impl Cli {
    /// Parses a command line (the program's name first). Options written
    /// before a command (`portico --home DIR list`) belong to the command:
    /// clap alone would read the command's name as a SOURCE and open the
    /// TUI on a file called `list`.
    pub fn parse_args(args: Vec<std::ffi::OsString>) -> Self {
        Self::parse_from(commands_first(args))
    }
}

/// `args` with a command name that would be read as a SOURCE moved to the
/// front, where the command's own flags (which include every option of
/// [`Target`]) then read the rest. A word counts as the command when the
/// words before it parse as options alone and a SOURCE would start there;
/// a file of that name stays a SOURCE.
fn commands_first(mut args: Vec<std::ffi::OsString>) -> Vec<std::ffi::OsString> {
    use clap::CommandFactory;
    let command = Cli::command();
    let names: Vec<&str> = command
        .get_subcommands()
        .map(clap::Command::get_name)
        .collect();
    let found = args.iter().enumerate().skip(1).position(|(i, word)| {
        let Some(word) = word.to_str() else {
            return false;
        };
        if !names.contains(&word) || std::path::Path::new(word).exists() {
            return false;
        }
        command
            .clone()
            .try_get_matches_from(&args[..=i])
            .is_ok_and(|m| m.subcommand().is_none() && m.index_of("sources") == Some(i))
    });
    if let Some(offset) = found {
        let name = args.remove(offset + 1);
        args.insert(1, name);
    }
    args
}

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

#[derive(Debug, Subcommand)]
pub enum Command {
    /// List APIs and their operations.
    List(ListArgs),
    /// Build and send one request.
    Call(CallArgs),
    /// Run a flow of chained calls declared in a portal file (the bundled
    /// demo's `batch`: upload, submit, start, poll, download).
    Run(RunArgs),
    /// Run the demo ML service behind its gateway on 127.0.0.1.
    Demo(DemoArgs),
    /// Print a request as a curl command (same flags as `call`).
    Curl(CurlArgs),
    /// Read requests written for other tools: curl, .http files, Postman.
    #[command(subcommand)]
    Import(ImportCommand),
    /// List, rename or delete saved requests.
    #[command(subcommand)]
    Presets(PresetsCommand),
    /// Write requests for other tools.
    #[command(subcommand)]
    Export(ExportCommand),
    /// The requests sent, newest first, or usage statistics per operation.
    History(HistoryArgs),
}

#[derive(Debug, Args)]
pub struct HistoryArgs {
    #[command(flatten)]
    pub target: Target,
    /// Only this operation's requests (same selectors as `call --op`).
    #[arg(long = "op", value_name = "SELECTOR")]
    pub op: Option<String>,
    /// Only this status class: 1xx, 2xx, 3xx, 4xx, 5xx, or failed (no
    /// response).
    #[arg(long, value_name = "CLASS")]
    pub status: Option<store::StatusClass>,
    /// At most this many entries, newest first (0: all).
    #[arg(long, value_name = "N", default_value_t = 20)]
    pub limit: usize,
    /// Print JSON: an array of entries (or of statistics with --stats).
    #[arg(long)]
    pub json: bool,
    /// Per operation: calls, status classes, latency p50/p95/max, and
    /// calls per hour over the last 24 hours.
    #[arg(long)]
    pub stats: bool,
}

#[derive(Debug, Subcommand)]
pub enum PresetsCommand {
    /// List the presets (of one operation with --op); those whose
    /// operation is not in the catalog are listed as orphaned.
    List(PresetsListArgs),
    /// Rename a preset of an operation.
    Rename(PresetsRenameArgs),
    /// Delete a preset of an operation.
    Delete(PresetsDeleteArgs),
}

#[derive(Debug, Args)]
pub struct PresetsListArgs {
    #[command(flatten)]
    pub target: Target,
    /// Only this operation's presets (same selectors as `call --op`).
    #[arg(long = "op", value_name = "SELECTOR")]
    pub op: Option<String>,
    /// One JSON array: operation, name, times, orphaned flag and draft.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct PresetsRenameArgs {
    #[command(flatten)]
    pub target: Target,
    #[arg(long = "op", value_name = "SELECTOR")]
    pub op: String,
    pub name: String,
    pub new_name: String,
}

#[derive(Debug, Args)]
pub struct PresetsDeleteArgs {
    #[command(flatten)]
    pub target: Target,
    #[arg(long = "op", value_name = "SELECTOR")]
    pub op: String,
    pub name: String,
}

#[derive(Debug, Args)]
pub struct ListArgs {
    #[command(flatten)]
    pub target: Target,
    /// One JSON object per callable operation.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Default, Args)]
pub struct CallArgs {
    #[command(flatten)]
    pub target: Target,
    /// The operation: operationId, API:operationId, display name, or
    /// 'METHOD /path/template'.
    #[arg(long = "op", value_name = "SELECTOR")]
    pub op: String,
    /// A parameter value (path, query, header or cookie parameter, by
    /// name); an unknown name becomes an extra query parameter.
    #[arg(short = 'p', long = "param", value_name = "NAME=VALUE")]
    pub params: Vec<String>,
    /// A header, replacing one of the same name.
    #[arg(short = 'H', long = "header", value_name = "'Name: value'")]
    pub headers: Vec<String>,
    /// The body: text, @FILE, or @- for standard input.
    #[arg(short = 'd', long = "data", value_name = "BODY")]
    pub data: Option<String>,
    /// Give up after this many seconds (0 waits until Ctrl-C).
    #[arg(long, value_name = "SECS", default_value_t = 30.0)]
    pub timeout: f64,
    /// Print one JSON object with the request, response and timing.
    #[arg(long)]
    pub json: bool,
    /// Build and print the request without sending it.
    #[arg(long)]
    pub dry_run: bool,
    /// Show secret values (keys, tokens) instead of masking them.
    #[arg(long)]
    pub reveal: bool,
    /// Stream the whole response body to this file.
    #[arg(long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Start from this saved preset of the operation instead of the
    /// definition's defaults; -p, -H and -d still apply on top.
    #[arg(long, value_name = "NAME")]
    pub preset: Option<String>,
    /// Save the request (after -p, -H, -d) as a preset of the operation.
    #[arg(long, value_name = "NAME")]
    pub save_preset: Option<String>,
    /// With --save-preset: store secret values as typed instead of
    /// replacing them by {{variable}} references.
    #[arg(long, requires = "save_preset")]
    pub save_secrets: bool,
}

#[derive(Debug, Args)]
pub struct RunArgs {
    /// The flow's name, as its `[[flow]]` declares it.
    #[arg(value_name = "FLOW")]
    pub flow: String,
    #[command(flatten)]
    pub target: Target,
    /// Print the report as one JSON object.
    #[arg(long)]
    pub json: bool,
    /// Show captured secrets (tokens, keys) instead of masking them.
    #[arg(long)]
    pub reveal: bool,
    /// Give up on one request after this many seconds (0 waits until
    /// Ctrl-C).
    #[arg(long, value_name = "SECS", default_value_t = 30.0)]
    pub timeout: f64,
}

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

/// Runs a parsed command line; `None` means the caller opens the TUI.
pub async fn run(command: Command) -> Result<()> {
    match command {
        Command::List(args) => list(&args).await,
        Command::Call(args) => call(&args).await,
        Command::Run(args) => run_flow(&args).await,
        Command::Demo(args) => run_demo(&args).await,
        Command::Curl(args) => curl_command(&args).await,
        Command::Import(command) => import_command(&command).await,
        Command::Presets(command) => presets_command(&command).await,
        Command::Export(command) => export_command(&command).await,
        Command::History(args) => history_command(&args).await,
    }
}

fn print_warnings(catalog: &Catalog) {
    let mut stderr = std::io::stderr().lock();
    for warning in catalog.warnings.iter().take(5) {
        let _ = writeln!(stderr, "portico: warning: {warning}");
    }
    if catalog.warnings.len() > 5 {
        let _ = writeln!(
            stderr,
            "portico: warning: ... and {} more",
            catalog.warnings.len() - 5
        );
    }
}

async fn list(args: &ListArgs) -> Result<()> {
    let session = Session::open(&args.target).await?;
    let catalog = &session.catalog;
    print_warnings(catalog);
    let mut out = std::io::stdout().lock();
    if args.json {
        let ops: Vec<Value> = catalog
            .apis
            .iter()
            .flat_map(|api| api.operations.iter().map(move |op| list_entry(api, op)))
            .collect();
        serde_json::to_writer_pretty(&mut out, &ops)?;
        writeln!(out)?;
        return Ok(());
    }
    for api in &catalog.apis {
        writeln!(
            out,
            "{} — {} {} ({} operations)",
            api.id,
            api.title,
            api.version,
            api.operations.len()
        )?;
        let width = api
            .operations
            .iter()
            .map(|op| op.path.len())
            .max()
            .unwrap_or(0);
        for op in &api.operations {
            let deprecated = if op.deprecated { " (deprecated)" } else { "" };
            writeln!(
                out,
                "  {:<7} {:<width$}  {}{deprecated}",
                op.method,
                op.path,
                op.title()
            )?;
        }
    }
    Ok(())
}

fn list_entry(api: &Api, op: &Operation) -> Value {
    json!({
        "api": api.id,
        "method": op.method,
        "path": op.path,
        "operation_id": op.operation_id,
        "summary": op.summary.clone().or_else(|| op.display_name.clone()),
        "tags": op.tags,
    })
}

// ------------------------------------------------------------ interchange
// `curl`, `import` and `export`: requests to and from other tools.

#[derive(Debug, Args)]
pub struct CurlArgs {
    #[command(flatten)]
    pub target: Target,
    /// The operation: operationId, API:operationId, display name, or
    /// 'METHOD /path/template'.
    #[arg(long = "op", value_name = "SELECTOR")]
    pub op: String,
    /// A parameter value (path, query, header or cookie parameter, by
    /// name); an unknown name becomes an extra query parameter.
    #[arg(short = 'p', long = "param", value_name = "NAME=VALUE")]
    pub params: Vec<String>,
    /// A header, replacing one of the same name.
    #[arg(short = 'H', long = "header", value_name = "'Name: value'")]
    pub headers: Vec<String>,
    /// The body: text, @FILE, or @- for standard input.
    #[arg(short = 'd', long = "data", value_name = "BODY")]
    pub data: Option<String>,
    /// Write secret values (keys, tokens) instead of masking them: a masked
    /// command is for reading, a revealed one for running.
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
            target: self.target.clone(),
            op: self.op.clone(),
            params: self.params.clone(),
            headers: self.headers.clone(),
            data: self.data.clone(),
            reveal: self.reveal,
            dry_run: true,
            preset: self.preset.clone(),
            ..CallArgs::default()
        }
    }
}

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

#[derive(Debug, Subcommand)]
pub enum ExportCommand {
    /// Write requests as one `.http` file on standard output.
    Http(ExportHttpArgs),
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
    /// The name of the --op request in the file (default: the operation's
    /// title).
    #[arg(long, value_name = "NAME")]
    pub name: Option<String>,
}

#[derive(Debug, Args)]
pub struct ImportCurlArgs {
    #[command(flatten)]
    pub target: Target,
    /// Show secret values (keys, tokens) instead of masking them.
    #[arg(long)]
    pub reveal: bool,
}

/// A catalog for commands that build requests but never send them: the
/// sources, or the bundled demo portal as `portico demo` serves it on its
/// default port, without starting the service.
async fn offline_session(target: &Target) -> Result<Session> {
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

async fn curl_command(args: &CurlArgs) -> Result<()> {
    let session = offline_session(&args.target).await?;
    print_warnings(&session.catalog);
    let Prepared { built, .. } = prepare(&session, &args.to_call())?;
    let mut out = std::io::stdout().lock();
    writeln!(out, "{}", request::curl::to_curl(&built, !args.reveal))?;
    Ok(())
}

async fn import_command(command: &ImportCommand) -> Result<()> {
    match command {
        ImportCommand::Curl(args) => import_curl(args).await,
        ImportCommand::Http(args) => import_http(args).await,
        ImportCommand::Postman(args) => import_postman(args).await,
    }
}

async fn export_command(command: &ExportCommand) -> Result<()> {
    match command {
        ExportCommand::Http(args) => export_http(args).await,
    }
}

/// A value as shown in an import's report: a secret typed as text is
/// masked unless revealed; a `{{variable}}` reference is not a secret.
fn shown_value(name: &str, value: &str, reveal: bool) -> String {
    if reveal || value.contains("{{") || !crate::secrets::is_secret_name(name) {
        value.to_string()
    } else {
        crate::secrets::mask_header_value(value)
    }
}

fn shown_rows(rows: &[Row], reveal: bool) -> Value {
    Value::Array(
        rows.iter()
            .map(|r| {
                json!({
                    "name": r.name,
                    "value": shown_value(&r.name, &r.value, reveal),
                    "enabled": r.enabled,
                })
            })
            .collect(),
    )
}

fn shown_draft(draft: &Draft, reveal: bool) -> Value {
    let mut draft = draft.clone();
    for row in draft.headers.iter_mut().chain(draft.extra_query.iter_mut()) {
        row.value = shown_value(&row.name, &row.value, reveal);
    }
    for p in &mut draft.params {
        p.value = shown_value(&p.name, &p.value, reveal);
    }
    for a in &mut draft.auth {
        a.value = shown_value("authorization", &a.value, reveal);
    }
    serde_json::to_value(&draft).unwrap_or(Value::Null)
}

fn shown_environments(envs: &[catalog::Environment], reveal: bool) -> Value {
    Value::Array(
        envs.iter()
            .map(|e| {
                let vars: serde_json::Map<String, Value> = e
                    .variables
                    .iter()
                    .map(|(n, v)| {
                        let value = if v.secret && !reveal && !v.value.is_empty() {
                            crate::secrets::MASK.to_string()
                        } else {
                            v.value.clone()
                        };
                        (n.clone(), Value::String(value))
                    })
                    .collect();
                json!({ "name": e.name, "variables": vars })
            })
            .collect(),
    )
}

/// Requests read from another tool's file, each placed on the catalog
/// operation it fits (or orphaned), as printed by the import commands.
fn imported_json(
    catalog: &Catalog,
    requests: &[request::ImportedRequest],
    placed: &[request::imported::Placed],
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

fn print_import_warnings(warnings: &[String]) {
    let mut stderr = std::io::stderr().lock();
    for warning in warnings {
        let _ = writeln!(stderr, "portico: warning: {warning}");
    }
}

fn print_imported(
    out: &mut impl Write,
    catalog: &Catalog,
    requests: &[request::ImportedRequest],
    placed: &[request::imported::Placed],
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
    use request::http_file;
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
    let collection = request::postman::read(&args.file)?;
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
    requests: &[request::ImportedRequest],
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
    let placed: Vec<request::imported::Placed> = requests
        .iter()
        .map(|r| request::imported::place(&session.catalog, r, &vars))
        .collect();
    let (names, name_warnings) = request::imported::preset_names(requests, &placed);
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
    placed: &[request::imported::Placed],
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

async fn export_http(args: &ExportHttpArgs) -> Result<()> {
    let session = offline_session(&args.target).await?;
    print_warnings(&session.catalog);
    let vars = session.vars(args.target.env.as_deref())?;
    let mut requests = Vec::new();
    match (&args.op, args.presets.is_empty()) {
        (Some(op), true) => {
            let call_args = CallArgs {
                target: args.target.clone(),
                op: op.clone(),
                params: args.params.clone(),
                headers: args.headers.clone(),
                data: args.data.clone(),
                dry_run: true,
                ..CallArgs::default()
            };
            let (api_index, op_index, _, draft) = prepare_draft(&session, &call_args)?;
            let (api, operation) = session.catalog.operation((api_index, op_index));
            let name = args.name.clone().unwrap_or_else(|| operation.title());
            requests.push(request::imported::to_imported(
                &session.catalog,
                &operation.key(api),
                &draft,
                &name,
            ));
        }
        _ => {
            if !args.params.is_empty() || !args.headers.is_empty() || args.data.is_some() {
                bail!("-p, -H and -d apply to the --op request; give --op without --preset");
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
                    requests.push(request::imported::to_imported(
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
    let file = request::http_file::HttpFile {
        variables: referenced_file_variables(&requests, &vars),
        requests,
        warnings: Vec::new(),
    };
    let (text, warnings) = request::http_file::write(&file);
    print_import_warnings(&warnings);
    std::io::stdout().lock().write_all(text.as_bytes())?;
    Ok(())
}

/// The non-secret variables the requests use, with their values in the
/// chosen environment, so that the file runs on its own; secrets stay
/// references for the reader's own environment to fill.
fn referenced_file_variables(
    requests: &[request::ImportedRequest],
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
    let parsed = request::curl::parse_curl(&text).context("cannot read the curl command")?;
    let session = offline_session(&args.target).await?;
    print_warnings(&session.catalog);
    let built = parsed.to_request();
    let shown = if args.reveal {
        built.clone()
    } else {
        built.masked()
    };
    let matched = request::curl::draft_from_curl(&session.catalog, &parsed);
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

/// What `call` and `curl` share: the selected operation, its draft after
/// the command line's overrides, and the request built from it.
struct Prepared {
    built: BuiltRequest,
    /// The operation's captures, whose secret values its answer must not
    /// leave in history.
    captures: Vec<catalog::Capture>,
    /// The API's `tls_verify = false` or `--insecure`.
    skip_tls_verify: bool,
    key: catalog::OperationKey,
    draft: Draft,
    vars: Vars,
}

/// The selected operation (API and operation indexes), the variables of
/// the chosen environment, and the draft after `-p`, `-H`, `-d` and
/// `--server`.
fn prepare_draft(session: &Session, args: &CallArgs) -> Result<(usize, usize, Vars, Draft)> {
    let catalog = &session.catalog;
    let (api_index, op_index) = catalog.select(&args.op)?;
    let (api, op) = catalog.operation((api_index, op_index));
    let environments = session.environments()?;
    print_file_warnings(&environments.warnings);
    let vars = environments.vars(args.target.env.as_deref())?;
    let mut draft = match &args.preset {
        Some(name) => {
            Presets::new(session.paths()?)
                .get(&op.key(api), name)?
                .draft
        }
        None => Draft::new(api, op, &vars),
    };
    apply_overrides(&mut draft, args)?;
    Ok((api_index, op_index, vars, draft))
}

fn prepare(session: &Session, args: &CallArgs) -> Result<Prepared> {
    let (api_index, op_index, vars, draft) = prepare_draft(session, args)?;
    let (api, op) = session.catalog.operation((api_index, op_index));
    let built = request::build(api, op, &draft, &vars)
        .with_context(|| format!("cannot build {} {}", op.method, op.path))?;
    if let Some(name) = &args.save_preset {
        save_preset(session, &op.key(api), name, &draft, &vars, args)?;
    }
    Ok(Prepared {
        built,
        captures: op.captures.clone(),
        skip_tls_verify: api.skip_tls_verify,
        key: op.key(api),
        draft,
        vars,
    })
}

async fn call(args: &CallArgs) -> Result<()> {
    let session = Session::open(&args.target).await?;
    print_warnings(&session.catalog);
    let Prepared {
        built,
        captures,
        skip_tls_verify,
        key,
        draft,
        vars,
    } = prepare(&session, args)?;
    let shown = if args.reveal {
        built.clone()
    } else {
        built.masked()
    };

    if args.dry_run {
        let mut out = std::io::stdout().lock();
        if args.json {
            serde_json::to_writer_pretty(&mut out, &request_json(&shown))?;
            writeln!(out)?;
        } else {
            print_request(&mut out, &shown)?;
        }
        return Ok(());
    }

    let engine = Engine::new(EngineConfig::default())?;
    if skip_tls_verify && built.url.starts_with("https:") {
        eprintln!(
            "portico: warning: TLS certificate not verified for {}",
            key.api
        );
    }
    let options = SendOptions {
        timeout: cli_timeout(args.timeout)?,
        save_to: args.output.clone(),
        accept_invalid_certs: skip_tls_verify,
        ..SendOptions::default()
    };
    let cancel = CancellationToken::new();
    let ctrl_c = cancel.clone();
    tokio::spawn(async move {
        if tokio::signal::ctrl_c().await.is_ok() {
            ctrl_c.cancel();
        }
    });
    let result = engine.send(&built, &options, cancel).await;
    let also_secret = flow::secrets_to_mask(&captures, result.as_ref().ok(), &vars);
    record_history(
        &session,
        &key,
        (&draft, &vars),
        &built,
        &result,
        &also_secret,
    );
    let exchange = result?;
    let mut out = std::io::stdout().lock();
    if args.json {
        serde_json::to_writer_pretty(&mut out, &exchange_json(&exchange, &built, args.reveal))?;
        writeln!(out)?;
    } else {
        print_exchange(&mut out, &exchange)?;
    }
    Ok(())
}

/// Applies `-p`, `-H`, `-d` and `--server` on top of the prefilled draft.
fn apply_overrides(draft: &mut Draft, args: &CallArgs) -> Result<()> {
    if let Some(server) = &args.target.server {
        draft.server_url = Some(server.clone());
    }
    for param in &args.params {
        let (name, value) = param
            .split_once('=')
            .ok_or_else(|| anyhow!("-p `{param}`: expected NAME=VALUE"))?;
        match draft.params.iter_mut().find(|p| p.name == name) {
            Some(row) => {
                row.value = value.to_string();
                row.enabled = true;
            }
            None => draft.extra_query.push(Row {
                name: name.to_string(),
                value: value.to_string(),
                enabled: true,
            }),
        }
    }
    for header in &args.headers {
        let (name, value) = header
            .split_once(':')
            .ok_or_else(|| anyhow!("-H `{header}`: expected 'Name: value'"))?;
        let (name, value) = (name.trim(), value.trim_start());
        if name.eq_ignore_ascii_case("content-type") {
            draft.content_type = Some(value.to_string());
        }
        draft
            .headers
            .retain(|row| !row.name.eq_ignore_ascii_case(name));
        draft.headers.push(Row {
            name: name.to_string(),
            value: value.to_string(),
            enabled: true,
        });
    }
    if let Some(data) = &args.data {
        draft.body = read_data(data)?;
        // Like the definition would have said: a JSON body sent to an
        // operation that declares no body is labelled as JSON.
        let labelled = draft.content_type.is_some()
            || draft
                .headers
                .iter()
                .any(|row| row.enabled && row.name.eq_ignore_ascii_case("content-type"));
        if !labelled && serde_json::from_str::<Value>(&draft.body).is_ok() {
            draft.content_type = Some("application/json".into());
        }
    }
    Ok(())
}

/// `-d` text, `@FILE` or `@-` (standard input).
fn read_data(data: &str) -> Result<String> {
    match data.strip_prefix('@') {
        Some("-") => {
            let mut body = String::new();
            std::io::stdin()
                .read_to_string(&mut body)
                .context("reading the body from standard input")?;
            Ok(body)
        }
        Some(path) => {
            std::fs::read_to_string(path).with_context(|| format!("reading the body from {path}"))
        }
        None => Ok(data.to_string()),
    }
}

fn headers_json(headers: &[(String, String)]) -> Value {
    Value::Array(
        headers
            .iter()
            .map(|(name, value)| json!([name, value]))
            .collect(),
    )
}

/// A body as JSON: text when it is UTF-8, else base64 with a flag saying so.
fn body_json(body: Option<&[u8]>) -> (Value, bool) {
    match body {
        None => (Value::Null, false),
        Some(bytes) => match std::str::from_utf8(bytes) {
            Ok(text) => (Value::String(text.to_string()), false),
            Err(_) => (
                Value::String(base64::engine::general_purpose::STANDARD.encode(bytes)),
                true,
            ),
        },
    }
}

/// The `request` object shared by `call --json`, `call --dry-run --json`
/// and the interchange commands.
pub fn request_json(req: &BuiltRequest) -> Value {
    let (body, base64) = body_json(req.body.as_deref());
    let mut object = json!({
        "method": req.method,
        "url": req.url,
        "headers": headers_json(&req.headers),
        "body": body,
    });
    if base64 {
        object["body_base64"] = Value::Bool(true);
    }
    object
}

fn exchange_json(exchange: &Exchange, built: &BuiltRequest, reveal: bool) -> Value {
    let response = &exchange.response;
    let (body, base64) = body_json(Some(&response.body));
    let mut response_object = json!({
        "version": response.version,
        "status": response.status,
        "reason": response.reason,
        "headers": headers_json(&response.headers),
        "body": body,
        "size": response.size,
    });
    if base64 {
        response_object["body_base64"] = Value::Bool(true);
    }
    if response.truncated {
        response_object["truncated"] = Value::Bool(true);
    }
    json!({
        "request": request_json(&sent_request(exchange, built, reveal)),
        "response": response_object,
        "timing": {
            "headers_ms": exchange.timing.headers.as_secs_f64() * 1000.0,
            "total_ms": exchange.timing.total.as_secs_f64() * 1000.0,
        },
    })
}

/// The request exactly as the engine sent it (after redirects), masked
/// with the secrets the build substituted unless the user asked to see them.
fn sent_request(exchange: &Exchange, built: &BuiltRequest, reveal: bool) -> BuiltRequest {
    let sent = &exchange.request;
    let request = BuiltRequest {
        method: sent.method.clone(),
        url: sent.url.clone(),
        headers: sent.headers.clone(),
        body: sent.body.clone(),
        secret_values: built.secret_values.clone(),
    };
    if reveal { request } else { request.masked() }
}

fn print_request(out: &mut impl Write, req: &BuiltRequest) -> Result<()> {
    writeln!(out, "{} {}", req.method, req.url)?;
    for (name, value) in &req.headers {
        writeln!(out, "{name}: {value}")?;
    }
    if let Some(body) = &req.body {
        writeln!(out)?;
        out.write_all(body)?;
        writeln!(out)?;
    }
    Ok(())
}

fn print_exchange(out: &mut impl Write, exchange: &Exchange) -> Result<()> {
    let response = &exchange.response;
    writeln!(
        out,
        "{} {} {}  ({} ms to headers, {} ms total, {} bytes)",
        response.version,
        response.status,
        response.reason,
        exchange.timing.headers.as_millis(),
        exchange.timing.total.as_millis(),
        response.size
    )?;
    for (name, value) in &response.headers {
        writeln!(out, "{name}: {value}")?;
    }
    writeln!(out)?;
    if let Some(path) = &response.saved_to {
        writeln!(out, "(body saved to {})", path.display())?;
        return Ok(());
    }
    let body = &response.body;
    let pretty = serde_json::from_slice::<Value>(body)
        .ok()
        .and_then(|value| serde_json::to_string_pretty(&value).ok());
    match pretty {
        Some(text) => writeln!(out, "{text}")?,
        None => {
            out.write_all(body)?;
            if !body.ends_with(b"\n") && !body.is_empty() {
                writeln!(out)?;
            }
        }
    }
    if response.truncated {
        writeln!(
            out,
            "(body truncated at {} bytes; use --output FILE for all of it)",
            body.len()
        )?;
    }
    Ok(())
}

async fn run_flow(args: &RunArgs) -> Result<()> {
    let session = Session::open(&args.target).await?;
    let catalog = &session.catalog;
    print_warnings(catalog);
    let flow = flow::find(catalog, &args.flow)?;
    flow::check(catalog, flow)?;
    let vars = session.vars(args.target.env.as_deref())?;
    let engine = Engine::new(EngineConfig::default())?;
    let cancel = CancellationToken::new();
    let ctrl_c = cancel.clone();
    tokio::spawn(async move {
        if tokio::signal::ctrl_c().await.is_ok() {
            ctrl_c.cancel();
        }
    });
    let (events, mut receiver) = tokio::sync::mpsc::unbounded_channel();
    let cx = flow::RunContext {
        server_url: args.target.server.clone(),
        send: SendOptions {
            timeout: cli_timeout(args.timeout)?,
            ..SendOptions::default()
        },
        events: Some(events),
        cancel,
        history: session.paths.as_ref().map(store::History::new),
        ..flow::RunContext::new(catalog, &engine)
    };
    let runner = async move {
        let mut vars = vars;
        // `cx` (and with it the sender) is dropped when the run ends, which
        // ends the printer's loop.
        flow::run(&cx, flow, &mut vars).await
    };
    let human = !args.json;
    let reveal = args.reveal;
    let printer = async move {
        if human {
            println!("flow {}: {} steps", flow.name, flow.steps.len());
        }
        while let Some(event) = receiver.recv().await {
            if human {
                let mut out = std::io::stdout().lock();
                let _ = print_flow_event(&mut out, &event, reveal);
            }
        }
    };
    let (report, ()) = tokio::join!(runner, printer);
    let mut out = std::io::stdout().lock();
    if args.json {
        serde_json::to_writer_pretty(&mut out, &report.to_json(args.reveal))?;
        writeln!(out)?;
    } else if report.succeeded() {
        // What the flow was for: the last answer (the demo's result CSV).
        if let Some(exchange) = report.steps.last().and_then(|s| s.exchange.as_ref()) {
            let body = exchange.response.body_text();
            if !body.text.is_empty() && !body.lossy {
                writeln!(out)?;
                write!(out, "{}", body.text)?;
                if !body.text.ends_with('\n') {
                    writeln!(out)?;
                }
                writeln!(out)?;
            }
        }
        writeln!(
            out,
            "flow {} succeeded: {} steps in {}",
            report.flow,
            report.steps.len(),
            format_elapsed(report.elapsed)
        )?;
    }
    drop(out);
    match report.reason {
        Some(reason) if !report.succeeded() => {
            bail!("flow {} {}: {reason}", report.flow, report.outcome.as_str())
        }
        _ => Ok(()),
    }
}

fn print_flow_event(out: &mut impl Write, event: &flow::FlowEvent, reveal: bool) -> Result<()> {
    use flow::FlowEvent;
    const INDENT: &str = "      ";
    match event {
        FlowEvent::StepStarted {
            step,
            total,
            name,
            method,
            url,
        } => writeln!(
            out,
            "[{}/{total}] {name}: {method} {}",
            step + 1,
            url.as_deref().unwrap_or("(not built)")
        )?,
        FlowEvent::Attempt { attempt, .. } => {
            let status = match attempt.status {
                Some(code) if attempt.reason.is_empty() => code.to_string(),
                Some(code) => format!("{code} {}", attempt.reason),
                None => "no response".to_string(),
            };
            let mut line = format!(
                "{INDENT}#{} {status}  {}",
                attempt.number,
                format_elapsed(attempt.latency)
            );
            if let Some(value) = &attempt.value {
                line.push_str(&format!("  -> {value}"));
            }
            if let Some(wait) = attempt.rate_limited {
                line.push_str(&format!(
                    "  rate limited: waiting {} (Retry-After)",
                    format_elapsed(wait)
                ));
            }
            if let Some(error) = &attempt.error {
                line.push_str(&format!("  {error}"));
            }
            writeln!(out, "{line}")?;
        }
        FlowEvent::Captured {
            variable,
            value,
            secret,
            ..
        } => {
            let shown = if *secret && !reveal {
                crate::secrets::MASK
            } else {
                value.as_str()
            };
            writeln!(out, "{INDENT}{{{{{variable}}}}} = {shown}")?;
        }
        FlowEvent::StepFinished { report, .. } => {
            if let (flow::StepOutcome::Failed, Some(error)) = (report.outcome, &report.error) {
                // An attempt's line may have said it already.
                let said = report
                    .attempts
                    .last()
                    .and_then(|a| a.error.as_deref())
                    .is_some_and(|e| error.ends_with(e));
                if !said {
                    writeln!(out, "{INDENT}failed: {error}")?;
                }
            }
        }
        FlowEvent::FlowFinished { .. } => {}
    }
    out.flush()?;
    Ok(())
}

async fn run_demo(args: &DemoArgs) -> Result<()> {
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

/// `--timeout SECS`: `0` waits until cancelled (Ctrl-C, Esc).
fn cli_timeout(seconds: f64) -> Result<Option<Duration>> {
    crate::http::timeout_from_secs(seconds).map_err(|e| anyhow!("--timeout: {e}"))
}

/// Opens the interactive UI on the target's catalog; `timeout` (seconds)
/// overrides the config file's.
pub async fn open_tui(target: &Target, timeout: Option<f64>) -> Result<()> {
    let timeout = timeout.map(cli_timeout).transpose()?;
    // The demo service (when there is one) must outlive the interface.
    let Session {
        catalog,
        demo,
        paths,
    } = Session::open(target).await?;
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
    };
    let result = crate::tui::run(context).await;
    if let Some(server) = demo {
        server.shutdown().await;
    }
    result
}

fn print_file_warnings(warnings: &[store::FileWarning]) {
    let mut stderr = std::io::stderr().lock();
    for warning in warnings {
        let _ = writeln!(stderr, "portico: warning: {warning}");
    }
}

/// `--save-preset`: the draft as built from the preset or definition and
/// the overrides. A `--server` URL is where this run goes, not part of the
/// request, so it is not saved (a preset made against a demo on a random
/// port would otherwise point at a dead port).
fn save_preset(
    session: &Session,
    key: &catalog::OperationKey,
    name: &str,
    draft: &Draft,
    vars: &Vars,
    args: &CallArgs,
) -> Result<()> {
    let mut draft = draft.clone();
    if args.target.server.is_some() && draft.server_url == args.target.server {
        draft.server_url = None;
    }
    let presets = Presets::new(session.paths()?);
    let report = presets.save(
        key,
        name,
        &draft,
        store::SaveOptions {
            keep_secrets: args.save_secrets,
            vars: Some(vars),
        },
    )?;
    let mut stderr = std::io::stderr().lock();
    let _ = writeln!(
        stderr,
        "portico: {} preset `{name}` for {key} in {}",
        if report.created { "saved" } else { "updated" },
        presets.path().display()
    );
    for withheld in &report.withheld {
        let advice = if withheld.defined {
            "the current environment defines it".to_string()
        } else {
            "define it in an environment or .env before sending this preset, or save with --save-secrets"
                .to_string()
        };
        let _ = writeln!(
            stderr,
            "portico: secret not stored: {} is saved as {{{{{}}}}} ({advice})",
            withheld.field, withheld.variable
        );
    }
    Ok(())
}

fn operation_key(catalog: &Catalog, selector: &str) -> Result<catalog::OperationKey> {
    let (api, op) = catalog.operation(catalog.select(selector)?);
    Ok(op.key(api))
}

async fn presets_command(command: &PresetsCommand) -> Result<()> {
    match command {
        PresetsCommand::List(args) => presets_list(args).await,
        PresetsCommand::Rename(args) => {
            let catalog = offline_session(&args.target).await?.catalog;
            let key = operation_key(&catalog, &args.op)?;
            let paths = Paths::resolve(args.target.home.as_deref())?;
            Presets::new(&paths).rename(&key, &args.name, &args.new_name)?;
            println!("renamed `{}` to `{}` for {key}", args.name, args.new_name);
            Ok(())
        }
        PresetsCommand::Delete(args) => {
            let catalog = offline_session(&args.target).await?.catalog;
            let key = operation_key(&catalog, &args.op)?;
            let paths = Paths::resolve(args.target.home.as_deref())?;
            Presets::new(&paths).delete(&key, &args.name)?;
            println!("deleted `{}` for {key}", args.name);
            Ok(())
        }
    }
}

async fn presets_list(args: &PresetsListArgs) -> Result<()> {
    let paths = Paths::resolve(args.target.home.as_deref())?;
    let file = Presets::new(&paths).load()?;
    let catalog = offline_session(&args.target).await?.catalog;
    let only = match &args.op {
        Some(selector) => Some(operation_key(&catalog, selector)?),
        None => None,
    };
    let chosen: Vec<(&store::Preset, bool)> = file
        .presets
        .iter()
        .filter(|p| only.as_ref().is_none_or(|key| p.operation == *key))
        .map(|p| (p, !store::presets::is_in_catalog(&catalog, &p.operation)))
        .collect();
    let mut out = std::io::stdout().lock();
    if args.json {
        let list: Vec<Value> = chosen
            .iter()
            .map(|(preset, orphaned)| {
                json!({
                    "operation": preset.operation,
                    "name": preset.name,
                    "created": preset.created,
                    "updated": preset.updated,
                    "orphaned": orphaned,
                    "draft": preset.draft,
                })
            })
            .collect();
        serde_json::to_writer_pretty(&mut out, &list)?;
        writeln!(out)?;
        return Ok(());
    }
    if chosen.is_empty() {
        writeln!(out, "no presets (in {})", paths.presets_file().display())?;
        return Ok(());
    }
    for (preset, orphaned) in &chosen {
        let title = catalog
            .apis
            .iter()
            .find(|a| a.id == preset.operation.api)
            .and_then(|api| {
                api.operations
                    .iter()
                    .find(|op| {
                        op.method == preset.operation.method && op.path == preset.operation.path
                    })
                    .map(Operation::title)
            });
        let status = if *orphaned {
            " (orphaned: operation not in the catalog)".to_string()
        } else {
            String::new()
        };
        writeln!(
            out,
            "{:<24} {}{}  updated {}{status}",
            preset.name,
            preset.operation,
            title.map(|t| format!(" ({t})")).unwrap_or_default(),
            preset.updated
        )?;
    }
    Ok(())
}

/// Every send is recorded, masked, whatever --reveal says; a history that
/// cannot be written is a warning, not a failed call.
fn record_history(
    session: &Session,
    key: &catalog::OperationKey,
    source: (&Draft, &Vars),
    built: &BuiltRequest,
    result: &Result<Exchange, crate::http::RequestError>,
    also_secret: &[String],
) {
    let recorded = session.paths().and_then(|paths| {
        store::History::new(paths).record(
            Some(key.clone()),
            Some(source),
            built,
            result.as_ref(),
            also_secret,
        )
    });
    if let Err(error) = recorded {
        eprintln!("portico: warning: not recorded in history: {error}");
    }
}

async fn history_command(args: &HistoryArgs) -> Result<()> {
    let paths = Paths::resolve(args.target.home.as_deref())?;
    let operation = match &args.op {
        Some(selector) => {
            let catalog = offline_session(&args.target).await?.catalog;
            Some(operation_key(&catalog, selector)?)
        }
        None => None,
    };
    let history = store::History::new(&paths);
    let filter = store::HistoryFilter {
        operation,
        status: args.status,
        limit: (args.limit > 0 && !args.stats).then_some(args.limit),
    };
    let read = history.query(&filter)?;
    print_file_warnings(&read.warnings);
    let mut out = std::io::stdout().lock();
    if args.stats {
        // Oldest first, as recorded.
        let mut entries = read.entries;
        entries.reverse();
        let all = store::history::stats_by_operation(&entries, store::SeriesSpec::hours(24));
        if args.json {
            serde_json::to_writer_pretty(&mut out, &all)?;
            writeln!(out)?;
            return Ok(());
        }
        for stats in &all {
            print_stats(&mut out, stats)?;
        }
        if all.is_empty() {
            writeln!(out, "no history (in {})", history.path().display())?;
        }
        return Ok(());
    }
    if args.json {
        serde_json::to_writer_pretty(&mut out, &read.entries)?;
        writeln!(out)?;
        return Ok(());
    }
    if read.entries.is_empty() {
        writeln!(out, "no history (in {})", history.path().display())?;
    }
    for entry in &read.entries {
        let outcome = match (&entry.response, &entry.error) {
            (Some(response), _) => format!(
                "{} {:<12} {:>7} B",
                response.status,
                clip(&response.reason, 12),
                response.size
            ),
            (None, Some(error)) => format!("failed: {}", error.kind),
            (None, None) => "failed".to_string(),
        };
        let line = format!(
            "{}  {outcome}  {:>9}  {} {}",
            entry.time,
            format_elapsed(entry.timing.total()),
            entry.request.method,
            entry.request.url
        );
        // History holds what servers sent: never let it drive the terminal.
        writeln!(out, "{}", crate::sanitize::clean_line(&line))?;
    }
    Ok(())
}

fn clip(text: &str, width: usize) -> String {
    text.chars().take(width).collect()
}

fn print_stats(out: &mut impl Write, stats: &store::OperationStats) -> Result<()> {
    let name = stats
        .operation
        .as_ref()
        .map_or_else(|| "(no operation)".to_string(), ToString::to_string);
    writeln!(out, "{}", crate::sanitize::clean_line(&name))?;
    let classes: Vec<String> = stats
        .by_class
        .iter()
        .map(|(class, count)| format!("{class} {count}"))
        .collect();
    let latency = stats.latency.map_or_else(String::new, |l| {
        format!(
            "  p50 {:.0} ms  p95 {:.0} ms  max {:.0} ms",
            l.p50_ms, l.p95_ms, l.max_ms
        )
    });
    writeln!(
        out,
        "  calls {}  {}{latency}",
        stats.calls,
        classes.join("  ")
    )?;
    writeln!(out, "  last 24 h  {}", sparkline(&stats.series))?;
    Ok(())
}

/// Counts as block characters, scaled to the largest.
fn sparkline(counts: &[usize]) -> String {
    const BARS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];
    let max = counts.iter().copied().max().unwrap_or(0);
    counts
        .iter()
        .map(|&count| {
            if count == 0 || max == 0 {
                ' '
            } else {
                BARS[(count * (BARS.len() - 1) / max).min(BARS.len() - 1)]
            }
        })
        .collect()
}

//! `portico call`: build one request from an operation, a preset and the
//! command line, send it through the pipeline (`crate::call`: masks,
//! captures, records in history), and print the answer and the captures
//! (piped, stdout carries the body alone; the head goes to stderr). `curl` and `export http --op` build their request here too.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;

use anyhow::{Context, Result};
use clap::Args;
use tokio_util::sync::CancellationToken;

use super::cli_timeout;
use super::output::{
    Head, exchange_json, print_answer, print_file_warnings, print_request, print_warnings,
    request_json,
};
use super::request_args::{RequestArgs, apply_overrides};
use super::session::Session;
use crate::call::{Call, Captured, Recorded};
use crate::catalog;
use crate::flow::CapturedValue;
use crate::http::{Engine, EngineConfig, SendOptions};
use crate::request::{self, BuiltRequest, Draft, Vars};
use crate::secrets::MASK;
use crate::store::{self, Presets};
use crate::validate::{self, Problem};

#[derive(Debug, Default, Args)]
pub struct CallArgs {
    #[command(flatten)]
    pub request: RequestArgs,
    /// Give up after this many seconds (0 waits until Ctrl-C).
    #[arg(long, value_name = "SECS", default_value_t = 30.0)]
    pub timeout: f64,
    /// Print one JSON object with the request, response and timing.
    #[arg(long)]
    pub json: bool,
    /// Print the status line and headers on stdout before the body, even
    /// when stdout is not a terminal (where they go to stderr).
    #[arg(short = 'i', long, conflicts_with_all = ["json", "quiet"])]
    pub include: bool,
    /// Print the body alone: no status line or headers anywhere.
    #[arg(short = 'q', long, conflicts_with = "json")]
    pub quiet: bool,
    /// Build and print the request without sending it.
    #[arg(long)]
    pub dry_run: bool,
    /// Check the request and the answer against the definition: each
    /// difference on stderr, exit status 3 when there is one.
    #[arg(long)]
    pub validate: bool,
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

/// What `call` and `curl` share: the selected operation, its draft after
/// the command line's overrides, and the request built from it.
pub(super) struct Prepared {
    pub(super) built: BuiltRequest,
    /// The operation's captures, whose secret values its answer must not
    /// leave in history.
    pub(super) captures: Vec<catalog::Capture>,
    /// The API's `tls_verify = false` or `--insecure`.
    pub(super) skip_tls_verify: bool,
    pub(super) key: catalog::OperationKey,
    pub(super) draft: Draft,
    pub(super) vars: Vars,
    /// Where the operation is in the session's catalog.
    pub(super) at: catalog::OpRef,
}

/// The selected operation (API and operation indexes), the variables of
/// the chosen environment, and the draft after `-p`, `-H`, `-d` and
/// `--server`.
pub(super) fn prepare_draft(
    session: &Session,
    args: &CallArgs,
) -> Result<(usize, usize, Vars, Draft)> {
    let catalog = &session.catalog;
    let (api_index, op_index) = catalog.select(&args.request.op)?;
    let (api, op) = catalog.operation((api_index, op_index));
    let environments = session.environments()?;
    print_file_warnings(&environments.warnings);
    let vars = environments.vars(args.request.target.env.as_deref())?;
    let mut draft = match &args.preset {
        Some(name) => {
            Presets::new(session.paths()?)
                .get(&op.key(api), name)?
                .draft
        }
        None => Draft::new(api, op, &vars),
    };
    apply_overrides(&mut draft, &args.request)?;
    Ok((api_index, op_index, vars, draft))
}

pub(super) fn prepare(session: &Session, args: &CallArgs) -> Result<Prepared> {
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
        at: (api_index, op_index),
    })
}

pub(super) async fn call(args: &CallArgs) -> Result<()> {
    let session = Session::open(&args.request.target).await?;
    print_warnings(&session.catalog);
    let Prepared {
        built,
        captures,
        skip_tls_verify,
        key,
        draft,
        vars,
        at,
    } = prepare(&session, args)?;
    let (api, op) = session.catalog.operation(at);
    let request_problems = validate::check_request(api, op, &draft, &built);
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
        ..SendOptions::default()
    };
    let cancel = CancellationToken::new();
    let ctrl_c = cancel.clone();
    tokio::spawn(async move {
        if tokio::signal::ctrl_c().await.is_ok() {
            ctrl_c.cancel();
        }
    });
    // Every send is recorded, masked, whatever --reveal says; a history
    // that cannot be written is a warning, not a failed call.
    let history = match session.paths() {
        Ok(paths) => Some(store::History::new(paths)),
        Err(error) => {
            eprintln!("portico: warning: not recorded in history: {error}");
            None
        }
    };
    let (built, oauth) = super::auth::authorize_call(
        api,
        op,
        &draft,
        &vars,
        built,
        &engine,
        cancel.clone(),
        history.as_ref(),
    )
    .await?;
    let call = Call {
        key,
        built,
        draft: Some(draft),
        captures,
        skip_tls_verify,
        oauth,
    };
    let mut vars = vars;
    let mut sent = call.send(&engine, options, &vars, cancel).await;
    sent.capture_on_success(&mut vars);
    if let Recorded::Failed(error) = sent.record(history.as_ref()) {
        eprintln!("portico: warning: not recorded in history: {error}");
    }
    print_captured(&sent.captured, args.reveal);
    let exchange = match &sent.result {
        Ok(exchange) => exchange,
        Err(error) => return Err(error.clone().into()),
    };
    let response_problems = validate::check_response(api, op, &exchange.response);
    if args.json {
        let mut out = std::io::stdout().lock();
        let mut json = exchange_json(exchange, &sent.call.built, args.reveal);
        json["captured"] = captured_json(&sent.captured, args.reveal);
        json["validation"] = serde_json::json!({
            "request": request_problems,
            "response": response_problems,
        });
        serde_json::to_writer_pretty(&mut out, &json)?;
        writeln!(out)?;
    } else {
        // Piped, stdout carries the body alone, as curl and HTTPie do.
        let terminal = std::io::stdout().is_terminal();
        let head = if args.quiet {
            Head::Hidden
        } else if args.include || terminal {
            Head::Stdout
        } else {
            Head::Stderr
        };
        print_answer(exchange, head, terminal)?;
    }
    if args.validate {
        return validation_verdict(&request_problems, &response_problems);
    }
    Ok(())
}

/// `--validate`: each problem on stderr, and exit status 3 when the
/// request or the answer breaks the definition.
fn validation_verdict(request: &[Problem], response: &[Problem]) -> Result<()> {
    for (side, problems) in [("request", request), ("response", response)] {
        for problem in problems {
            eprintln!("portico: {side}: {problem}");
        }
    }
    if request.is_empty() && response.is_empty() {
        eprintln!("portico: the request and the answer match the definition");
        return Ok(());
    }
    Err(super::Exit {
        code: 3,
        why: format!(
            "{} request and {} response difference(s) from the definition",
            request.len(),
            response.len()
        ),
    }
    .into())
}

/// What the operation's captures took (secrets masked unless revealed),
/// or why they took nothing, on stderr beside the answer.
fn print_captured(captured: &Captured, reveal: bool) {
    match captured {
        Captured::Stored(values) => {
            for value in values {
                eprintln!(
                    "portico: captured {} = {}",
                    value.variable,
                    shown_capture(value, reveal)
                );
            }
        }
        Captured::Failed(error) => match error.not_there_yet() {
            Some(news) => eprintln!("portico: {news}"),
            None => eprintln!("portico: warning: {error}"),
        },
        Captured::NotYet | Captured::Skipped => {}
    }
}

fn shown_capture(value: &CapturedValue, reveal: bool) -> String {
    if value.secret && !reveal {
        MASK.to_string()
    } else {
        value.value.clone()
    }
}

/// `{"variable": "value"}` of what the captures took, for `--json`.
fn captured_json(captured: &Captured, reveal: bool) -> serde_json::Value {
    let Captured::Stored(values) = captured else {
        return serde_json::Value::Object(serde_json::Map::new());
    };
    values
        .iter()
        .map(|v| (v.variable.clone(), shown_capture(v, reveal).into()))
        .collect::<serde_json::Map<_, _>>()
        .into()
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
    if args.request.target.server.is_some() && draft.server_url == args.request.target.server {
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

//! `portico run`: run a flow of chained calls declared in a portal file,
//! printing each step as it goes and the last answer (or a JSON report);
//! with no flow named, the list of the flows the catalog declares.

use std::io::Write;

use anyhow::{Result, bail};
use clap::Args;
use tokio_util::sync::CancellationToken;
use unicode_width::UnicodeWidthStr;

use super::cli_timeout;
use super::output::print_warnings;
use super::session::{Session, Target};
use crate::catalog::Catalog;
use crate::flow;
use crate::http::{Engine, EngineConfig, SendOptions};
use crate::sanitize::clean_line;
use crate::store;
use crate::units::elapsed_text;

#[derive(Debug, Args)]
pub struct RunArgs {
    /// The flow's name, as its `[[flow]]` declares it; without one, the
    /// flows the catalog knows are listed.
    #[arg(value_name = "FLOW")]
    pub flow: Option<String>,
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

pub(super) async fn run_flow(args: &RunArgs) -> Result<()> {
    // `portico run portal.toml`: with the flow's name left out, the first
    // SOURCE lands in FLOW. A file or URL there is read as the SOURCE it is.
    let mut target = args.target.clone();
    let mut flow_name = args.flow.clone();
    if let Some(word) = flow_name.as_deref()
        && (std::path::Path::new(word).exists()
            || word.starts_with("http://")
            || word.starts_with("https://"))
    {
        target.sources.insert(0, word.to_string());
        flow_name = None;
    }
    let session = Session::open(&target).await?;
    let catalog = &session.catalog;
    print_warnings(catalog);
    let Some(name) = &flow_name else {
        return list_flows(catalog, args.json);
    };
    let flow = flow::find(catalog, name)?;
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
            elapsed_text(report.elapsed)
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

/// `portico run` with no name: each flow with its description (and its
/// step count), or `[{"name", "description", "steps", "source"}]` with
/// `--json`.
fn list_flows(catalog: &Catalog, json: bool) -> Result<()> {
    let mut out = std::io::stdout().lock();
    if json {
        let flows: Vec<serde_json::Value> = catalog
            .flows
            .iter()
            .map(|f| {
                serde_json::json!({
                    "name": f.name,
                    "description": f.description,
                    "steps": f.steps.len(),
                    "source": f.source,
                })
            })
            .collect();
        serde_json::to_writer_pretty(&mut out, &flows)?;
        writeln!(out)?;
        return Ok(());
    }
    if catalog.flows.is_empty() {
        writeln!(
            out,
            "no flows: a portal file declares them with [[flow]] (see README, \"Flows\")"
        )?;
        return Ok(());
    }
    let width = catalog
        .flows
        .iter()
        .map(|f| clean_line(&f.name).width())
        .max()
        .unwrap_or(0);
    for f in &catalog.flows {
        let name = clean_line(&f.name);
        let pad = " ".repeat(width - name.width());
        let steps = match f.steps.len() {
            1 => "1 step".to_string(),
            n => format!("{n} steps"),
        };
        let description = f
            .description
            .as_deref()
            // A description is often a paragraph: one line here.
            .map(|d| {
                let words: Vec<&str> = d.split_whitespace().collect();
                format!("  {}", clean_line(&words.join(" ")))
            })
            .unwrap_or_default();
        writeln!(out, "{name}{pad}  ({steps}){description}")?;
    }
    writeln!(out)?;
    writeln!(out, "run one with: portico run FLOW")?;
    Ok(())
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
                elapsed_text(attempt.latency)
            );
            if let Some(value) = &attempt.value {
                line.push_str(&format!("  -> {value}"));
            }
            if let Some(wait) = attempt.rate_limited {
                line.push_str(&format!(
                    "  rate limited: waiting {} (Retry-After)",
                    elapsed_text(wait)
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

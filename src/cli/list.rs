//! `portico list`: the APIs and their operations, as text or JSON.

use std::io::Write;

use anyhow::Result;
use clap::Args;
use serde_json::{Value, json};

use super::output::print_warnings;
use super::session::{Session, Target};
use crate::catalog::{Api, Operation};

#[derive(Debug, Args)]
pub struct ListArgs {
    #[command(flatten)]
    pub target: Target,
    /// One JSON object per callable operation.
    #[arg(long)]
    pub json: bool,
}

pub(super) async fn list(args: &ListArgs) -> Result<()> {
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

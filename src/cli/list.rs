//! `portico list`: the APIs and their operations, as text or JSON; with
//! `--search`, the operations a query finds, ranked as in the TUI.

use std::io::Write;

use anyhow::Result;
use clap::Args;
use serde_json::{Value, json};

use super::output::print_warnings;
use super::session::{Session, Target};
use crate::catalog::search::SearchIndex;
use crate::catalog::{Api, Catalog, Operation};
use crate::sanitize::clean_line;

#[derive(Debug, Args)]
pub struct ListArgs {
    #[command(flatten)]
    pub target: Target,
    /// One JSON object per callable operation.
    #[arg(long)]
    pub json: bool,
    /// Only the operations that match, best first, ranked as the TUI's
    /// filter ranks them (words in any order, a method, a path, typos).
    #[arg(long, value_name = "QUERY")]
    pub search: Option<String>,
    /// With --search: at most this many matches.
    #[arg(long, value_name = "N", default_value_t = 50)]
    pub limit: usize,
}

pub(super) async fn list(args: &ListArgs) -> Result<()> {
    let session = Session::open(&args.target).await?;
    let catalog = &session.catalog;
    print_warnings(catalog);
    let mut out = std::io::stdout().lock();
    if let Some(query) = &args.search {
        return search(&mut out, catalog, query, args.limit, args.json);
    }
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
            let line = format!(
                "  {:<7} {:<width$}  {}{deprecated}",
                op.method,
                op.path,
                op.given_title().unwrap_or_default()
            );
            writeln!(out, "{}", line.trim_end())?;
        }
    }
    Ok(())
}

/// The matches of `query` in the TUI's order, then how many there are.
fn search(
    out: &mut impl Write,
    catalog: &Catalog,
    query: &str,
    limit: usize,
    json: bool,
) -> Result<()> {
    let found = SearchIndex::new(catalog).search(query, limit);
    if json {
        let matches: Vec<Value> = found
            .hits
            .iter()
            .map(|hit| {
                let (api, op) = catalog.operation((hit.api, hit.op));
                list_entry(api, op)
            })
            .collect();
        serde_json::to_writer_pretty(
            &mut *out,
            &json!({"query": query, "total": found.total, "matches": matches}),
        )?;
        writeln!(out)?;
        return Ok(());
    }
    for hit in &found.hits {
        let (api, op) = catalog.operation((hit.api, hit.op));
        writeln!(
            out,
            "{:<7} {}  {}({})",
            op.method.to_ascii_uppercase(),
            clean_line(&op.path),
            op.given_title()
                .map(|t| format!("{}  ", clean_line(&t)))
                .unwrap_or_default(),
            api.id
        )?;
    }
    let shown = found.hits.len();
    if found.total > shown {
        eprintln!(
            "portico: {} matches, the best {shown} shown (--limit)",
            found.total
        );
    } else {
        eprintln!("portico: {} matches", found.total);
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

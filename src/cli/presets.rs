//! `portico presets list|rename|delete`: the saved requests, including
//! those whose operation has left the catalog (orphaned).

use std::io::Write;

use anyhow::Result;
use clap::{Args, Subcommand};
use serde_json::{Value, json};

use super::session::{Target, offline_session, operation_key};
use crate::catalog::Operation;
use crate::store::preset_drift::{self, Drift};
use crate::store::{self, Paths, Presets};

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
    #[arg(long = "op", value_name = "SELECTOR")]
    pub op: String,
    pub name: String,
    pub new_name: String,
    // After the names: the SOURCE list takes every word left, so it must
    // be the last positional argument (as in `run`).
    #[command(flatten)]
    pub target: Target,
}

#[derive(Debug, Args)]
pub struct PresetsDeleteArgs {
    #[arg(long = "op", value_name = "SELECTOR")]
    pub op: String,
    pub name: String,
    // After the name, for the same reason as in `PresetsRenameArgs`.
    #[command(flatten)]
    pub target: Target,
}

pub(super) async fn presets_command(command: &PresetsCommand) -> Result<()> {
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
    let chosen: Vec<(&store::Preset, Drift)> = file
        .presets
        .iter()
        .filter(|p| only.as_ref().is_none_or(|key| p.operation == *key))
        .map(|p| (p, preset_drift::check(&catalog, p)))
        .collect();
    let mut out = std::io::stdout().lock();
    if args.json {
        let list: Vec<Value> = chosen
            .iter()
            .map(|(preset, drift)| {
                let fits = match drift {
                    Drift::Unchanged => json!(null),
                    other => json!(other.describe()),
                };
                json!({
                    "operation": preset.operation,
                    "name": preset.name,
                    "created": preset.created,
                    "updated": preset.updated,
                    "orphaned": *drift == Drift::OperationGone,
                    "changed": fits,
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
    for (preset, drift) in &chosen {
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
        let status = match drift {
            Drift::Unchanged => String::new(),
            Drift::OperationGone => " (orphaned: operation not in the catalog)".to_string(),
            changed => format!(" (changed: {})", changed.describe()),
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

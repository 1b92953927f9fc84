//! `portico history`: the requests sent, newest first, or usage
//! statistics per operation, with what servers sent made terminal-safe.

use std::io::Write;

use anyhow::Result;
use clap::Args;

use super::output::print_file_warnings;
use super::session::{Target, offline_session, operation_key};
use crate::sanitize;
use crate::store::{self, Paths};
use crate::units::{elapsed_text, millis_text};

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

pub(super) async fn history_command(args: &HistoryArgs) -> Result<()> {
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
            elapsed_text(entry.timing.total()),
            entry.request.method,
            entry.request.url
        );
        // History holds what servers sent: never let it drive the terminal.
        writeln!(out, "{}", sanitize::clean_line(&line))?;
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
    writeln!(out, "{}", sanitize::clean_line(&name))?;
    let classes: Vec<String> = stats
        .by_class
        .iter()
        .map(|(class, count)| format!("{class} {count}"))
        .collect();
    let latency = stats.latency.map_or_else(String::new, |l| {
        format!(
            "  p50 {}  p95 {}  max {}",
            millis_text(l.p50_ms),
            millis_text(l.p95_ms),
            millis_text(l.max_ms)
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

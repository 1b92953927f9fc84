//! What the session keeps for the tool panels (presets, history,
//! environments, flows, the usage dashboard) and their background results
//! arriving on the queue: history reads, the gateway's usage report, a
//! flow's progress, a send's history record.

use std::collections::HashMap;
use std::time::Duration;

use ratatui::backend::Backend;
use tokio_util::sync::CancellationToken;

use super::{App, OpRef, Overlay};
use crate::catalog::{Catalog, OperationKey, Variable};
use crate::flow::{FlowEvent, FlowReport};
use crate::request::Vars;
use crate::store::{
    Environments, History, HistoryEntry, HistoryRead, Paths, Presets, SeriesSpec, Timestamp,
};
use crate::tui::views::dashboard::{BARS, DashRow, UsageState};
use crate::tui::views::panel::Panel;

/// Background results of the tools.
#[derive(Debug)]
pub enum ToolsMsg {
    /// The history file, read for the panel or the dashboard `id`.
    HistoryRead {
        id: u64,
        result: Result<HistoryRead, String>,
    },
    /// The gateway's usage report for the dashboard `id`.
    Usage {
        id: u64,
        result: Result<serde_json::Value, String>,
    },
    /// Progress of the flow run `id`.
    Flow { id: u64, event: FlowEvent },
    /// A send's history record landed (or failed: the error).
    Recorded(Result<(), String>),
    /// The run `id` ended; the variables it captured, to keep.
    FlowDone {
        id: u64,
        captured: indexmap::IndexMap<String, Variable>,
        report: Box<FlowReport>,
    },
}

/// What the session keeps for the tools.
pub struct Tools {
    /// `None`: no home directory, nothing is saved.
    pub paths: Option<Paths>,
    /// The catalog's environments, the user's file and `.env` on top.
    pub environments: Environments,
    next_id: u64,
    /// History reads and usage fetches under way.
    pub(super) loads: usize,
    /// Answers shown whose history record has not landed yet.
    pub(super) recording: usize,
    /// The flow run under way, and how to stop it.
    pub(super) flow: Option<(u64, CancellationToken)>,
    /// The preset last saved or loaded per operation: the name offered
    /// when saving again.
    pub(super) last_preset: HashMap<OperationKey, String>,
}

impl Tools {
    /// Loads the environments and picks the one to start in: `env` if
    /// given (a warning when there is none of that name), else the first.
    pub fn new(
        catalog: &Catalog,
        paths: Option<Paths>,
        env: Option<&str>,
        warnings: &mut Vec<String>,
    ) -> (Self, Option<String>, Vars) {
        let working_dir = std::env::current_dir().ok();
        let mut environments =
            match Environments::load(catalog, paths.as_ref(), working_dir.as_deref()) {
                Ok(e) => {
                    warnings.extend(e.warnings.iter().map(ToString::to_string));
                    e
                }
                Err(e) => {
                    warnings.push(e.to_string());
                    Environments {
                        list: catalog.environments.clone(),
                        ..Environments::default()
                    }
                }
            };
        // The terminal is the interface's: prompts are its overlays.
        environments.prompts_elsewhere = true;
        let chosen = match env {
            Some(name) => {
                let found = environments.list.iter().any(|e| e.name == name);
                if !found {
                    warnings.push(format!("no environment named `{name}`"));
                }
                found.then(|| name.to_string())
            }
            None => environments.list.first().map(|e| e.name.clone()),
        };
        let vars = match &chosen {
            // A variable whose command failed is told in the warnings (W);
            // the environment's other variables still hold.
            Some(name) => environments.vars(Some(name)).unwrap_or_else(|e| {
                warnings.push(e.to_string());
                let mut without = environments.clone();
                without.sources.clear();
                without.vars(Some(name)).unwrap_or_default()
            }),
            None => Vars::default(),
        };
        let tools = Self {
            paths,
            environments,
            next_id: 1,
            loads: 0,
            recording: 0,
            flow: None,
            last_preset: HashMap::new(),
        };
        (tools, chosen, vars)
    }

    /// A history read, usage fetch or flow run is under way.
    pub fn is_busy(&self) -> bool {
        self.loads > 0 || self.flow.is_some() || self.recording > 0
    }

    pub(super) fn next_id(&mut self) -> u64 {
        let id = self.next_id;
        self.next_id += 1;
        id
    }

    pub(super) fn history(&self) -> Option<History> {
        self.paths.as_ref().map(History::new)
    }

    pub(super) fn drafts(&self) -> Option<crate::store::drafts::Drafts> {
        self.paths.as_ref().map(crate::store::drafts::Drafts::new)
    }

    pub(super) fn presets(&self) -> Option<Presets> {
        self.paths.as_ref().map(Presets::new)
    }
}

/// Where a key's operation is in the catalog.
pub(super) fn find_op(catalog: &Catalog, key: &OperationKey) -> Option<OpRef> {
    catalog.apis.iter().enumerate().find_map(|(a, api)| {
        (api.id == key.api).then(|| {
            api.operations
                .iter()
                .position(|op| op.method == key.method && op.path == key.path)
                .map(|o| (a, o))
        })?
    })
}

pub(super) fn key_title(catalog: &Catalog, key: &OperationKey) -> String {
    match find_op(catalog, key) {
        Some((a, o)) => catalog.operation((a, o)).1.title(),
        None => format!("{} {} ({})", key.method, key.path, key.api),
    }
}

/// The sparkline's axis: [`BARS`] bars over the history's span, a minute
/// each at least.
fn series_spec(entries: &[HistoryEntry]) -> (SeriesSpec, String) {
    let now = Timestamp::now();
    let oldest = entries.iter().map(|e| e.time.0).min().unwrap_or(now.0);
    let span_ms = u64::try_from(now.0.saturating_sub(oldest)).unwrap_or(0);
    let bucket_ms = span_ms.div_ceil(BARS as u64).max(60_000);
    let bucket = Duration::from_millis(bucket_ms);
    let label = format!(
        "calls over the last {}, one bar per {}",
        span_text(bucket * u32::try_from(BARS).unwrap_or(24)),
        span_text(bucket)
    );
    (
        SeriesSpec {
            end: Timestamp(now.0 + 1),
            bucket,
            buckets: BARS,
        },
        label,
    )
}

fn span_text(d: Duration) -> String {
    let s = d.as_secs();
    if s < 3600 {
        format!("{} min", s.div_ceil(60))
    } else if s < 86_400 * 2 {
        format!("{:.1} h", d.as_secs_f64() / 3600.0)
    } else {
        format!("{:.1} days", d.as_secs_f64() / 86_400.0)
    }
}

impl<B: Backend> App<B> {
    pub(super) fn op_key(&self, op: OpRef) -> (OperationKey, String) {
        let (api, operation) = self.state.catalog.operation(op);
        (operation.key(api), operation.title())
    }

    pub(super) fn no_home(&mut self) {
        self.notice(
            "No home directory for portico's files: set PORTICO_HOME or pass --home DIR",
            true,
        );
    }

    pub(super) fn on_tools_msg(&mut self, msg: ToolsMsg) {
        self.dirty = true;
        match msg {
            ToolsMsg::Recorded(result) => {
                self.state.tools.recording = self.state.tools.recording.saturating_sub(1);
                if let Err(e) = result {
                    self.notice(format!("Not recorded in history: {e}"), true);
                }
            }
            ToolsMsg::HistoryRead { id, result } => {
                self.state.tools.loads = self.state.tools.loads.saturating_sub(1);
                self.on_history_read(id, result);
            }
            ToolsMsg::Usage { id, result } => {
                self.state.tools.loads = self.state.tools.loads.saturating_sub(1);
                if let Some(Overlay::Panel(Panel::Dashboard(view))) = &mut self.state.overlay
                    && view.load_id == id
                {
                    view.usage = match result {
                        Ok(v) => UsageState::Loaded(v),
                        Err(e) => UsageState::Failed(e),
                    };
                }
            }
            ToolsMsg::Flow { id, event } => {
                if let Some(Overlay::Panel(Panel::Flows(view))) = &mut self.state.overlay
                    && let Some(run) = &mut view.run
                    && run.id == id
                {
                    run.apply(event);
                }
            }
            ToolsMsg::FlowDone {
                id,
                captured,
                report,
            } => {
                if self
                    .state
                    .tools
                    .flow
                    .as_ref()
                    .is_some_and(|(i, _)| *i == id)
                {
                    self.state.tools.flow = None;
                }
                let names: Vec<String> = report
                    .steps
                    .iter()
                    .flat_map(|s| s.captured.iter().map(|c| c.variable.clone()))
                    .collect();
                for (name, var) in captured {
                    self.state.vars.captured.insert(name, var);
                }
                let mut text = format!("Flow `{}` {}", report.flow, report.outcome.as_str());
                if !names.is_empty() {
                    text.push_str(&format!(" · captured {}", names.join(", ")));
                }
                self.notice(text, !report.succeeded());
                self.refresh_preview();
            }
        }
    }

    fn on_history_read(&mut self, id: u64, result: Result<HistoryRead, String>) {
        let catalog = &self.state.catalog;
        match &mut self.state.overlay {
            Some(Overlay::Panel(Panel::History(view))) if view.load_id == id => match result {
                Ok(read) => {
                    let entries = read
                        .entries
                        .into_iter()
                        .map(|e| {
                            let title = match &e.operation {
                                Some(key) => key_title(catalog, key),
                                None => format!("{} {}", e.request.method, e.request.url),
                            };
                            (e, title)
                        })
                        .collect();
                    view.set_entries(entries, read.skipped);
                }
                Err(e) => {
                    view.loading = false;
                    view.error = Some(e);
                }
            },
            Some(Overlay::Panel(Panel::Dashboard(view))) if view.load_id == id => {
                view.loading = false;
                match result {
                    Ok(read) => {
                        let (spec, label) = series_spec(&read.entries);
                        view.window = label;
                        view.rows = crate::store::history::stats_by_operation(&read.entries, spec)
                            .into_iter()
                            .map(|stats| DashRow {
                                title: match &stats.operation {
                                    Some(key) => key_title(catalog, key),
                                    None => "(no catalog operation)".into(),
                                },
                                stats,
                            })
                            .collect();
                    }
                    Err(e) => view.error = Some(e),
                }
            }
            _ => {}
        }
    }
}

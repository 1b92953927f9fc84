//! A definition changed on disk: the catalog loaded again replaces the
//! old one while the session goes on. Each operation keeps its draft, its
//! last answer and the catalog's cursor wherever the new catalog puts it
//! (operations are matched by API, method and path); a catalog that no
//! longer loads leaves the old one in place and says why.
//!
//! A reload waits while something runs in the background (a send, a
//! token flow, a preset being read) or a panel or prompt is open: those
//! name operations by their place in the catalog, which a reload moves.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;

use ratatui::backend::Backend;

use super::{App, Msg, OpRef};
use crate::catalog::{Catalog, OperationKey, watch};
use crate::store::preset_drift;

/// What a watched file's change produced.
#[derive(Debug)]
pub struct Reloaded {
    pub(crate) changed: Vec<PathBuf>,
    pub(crate) result: Result<Catalog, String>,
}

/// What `--insecure` did to the catalog at start, done again to each
/// catalog loaded after.
#[derive(Debug, Clone, Default)]
pub struct WatchedSources {
    /// Every source, as given: all are loaded again when one file changes.
    pub sources: Vec<String>,
    /// Certificates not checked for any API (`--insecure`).
    pub insecure: bool,
}

impl<B: Backend> App<B> {
    /// Starts polling the sources given as paths; their changes come back
    /// as [`Msg::Reloaded`].
    pub(super) fn watch_sources(&mut self, watched: WatchedSources) {
        let tx = self.tx.clone();
        self.state.insecure = watched.insecure;
        self.watcher = watch::watch(watched.sources, move |changed, result| {
            let result = result.map_err(|e| e.to_string());
            tx.send(Msg::Reloaded(Box::new(Reloaded { changed, result })))
                .is_ok()
        });
    }

    pub(super) fn on_reloaded(&mut self, reloaded: Reloaded) {
        let files = reloaded
            .changed
            .iter()
            .map(|p| p.display().to_string())
            .collect::<Vec<_>>()
            .join(", ");
        match reloaded.result {
            Err(e) => self.notice(
                format!("{files} changed but no longer loads, so the catalog stays as it was: {e}"),
                true,
            ),
            Ok(mut catalog) => {
                if self.state.insecure {
                    for api in &mut catalog.apis {
                        api.skip_tls_verify = true;
                    }
                }
                self.state.pending_reload = Some((files, catalog));
                self.apply_pending_reload();
            }
        }
    }

    /// Puts a loaded catalog in place once nothing holds an operation's
    /// place (see the module's header); called again after every message.
    pub(super) fn apply_pending_reload(&mut self) {
        if self.state.pending_reload.is_none() || self.is_busy() || self.state.overlay.is_some() {
            return;
        }
        let Some((files, catalog)) = self.state.pending_reload.take() else {
            return;
        };
        let old = std::mem::replace(&mut self.state.catalog, Arc::new(catalog));
        let new_places: HashMap<OperationKey, OpRef> = places(&self.state.catalog);
        let moved = |op: OpRef| -> Option<OpRef> {
            let (api, operation) = old.apis.get(op.0).map(|a| (a, a.operations.get(op.1)))?;
            new_places.get(&operation?.key(api)).copied()
        };

        let mut gone = 0;
        let mut ops = HashMap::new();
        for (op, mut state) in std::mem::take(&mut self.state.ops) {
            match moved(op) {
                Some(to) => {
                    // Built again from the new definition when shown.
                    state.schemas = Default::default();
                    state.warned.clear();
                    ops.insert(to, state);
                }
                None => gone += 1,
            }
        }
        self.state.ops = ops;
        self.state.edited = self
            .state
            .edited
            .iter()
            .filter_map(|op| moved(*op))
            .collect();
        self.state.kept_drafts = std::mem::take(&mut self.state.kept_drafts)
            .into_iter()
            .filter_map(|(op, draft)| Some((moved(op)?, draft)))
            .collect();
        self.state.oauth_paste = self
            .state
            .oauth_paste
            .take()
            .and_then(|(op, tx)| Some((moved(op)?, tx)));
        let open_gone = self.state.open.is_some_and(|op| moved(op).is_none());
        self.state.open = self.state.open.and_then(moved);
        if self.state.open.is_none() && self.state.focus != super::Focus::Catalog {
            self.state.focus = super::Focus::Catalog;
        }
        self.state.catalog_pane = self.state.catalog_pane.reloaded(&self.state.catalog, moved);
        self.state
            .warnings
            .retain(|w| !old.warnings.iter().any(|o| o.to_string() == *w));
        self.state
            .warnings
            .extend(self.state.catalog.warnings.iter().map(ToString::to_string));
        // A portal file's environments may have changed with it.
        self.reload_environments();
        self.refresh_preview();

        let count: usize = self
            .state
            .catalog
            .apis
            .iter()
            .map(|a| a.operations.len())
            .sum();
        let mut text = format!("Reloaded {files}: {count} operations");
        if open_gone {
            text.push_str("; the open operation is no longer defined");
        } else if gone > 0 {
            text.push_str(&format!(
                "; {gone} operation(s) you had open are no longer defined"
            ));
        }
        let stale = self.presets_that_drifted(&old);
        if stale > 0 {
            let key = self
                .state
                .config
                .keymap
                .key_label(crate::tui::keymap::Action::Presets)
                .unwrap_or_default();
            text.push_str(&format!(
                "; {stale} preset(s) no longer fit their operation ({key}, then Tab, lists them)"
            ));
        }
        self.notice(text, open_gone || gone > 0 || stale > 0);
    }

    /// How many presets fitted their operation in the `old` catalog and
    /// no longer do: a parameter gone, a required one unfilled, or the
    /// operation gone (the file is small: read here).
    fn presets_that_drifted(&self, old: &Catalog) -> usize {
        let Some(file) = self.state.tools.presets().and_then(|p| p.load().ok()) else {
            return 0;
        };
        file.presets
            .iter()
            .filter(|p| {
                preset_drift::check(old, p).is_unchanged()
                    && !preset_drift::check(&self.state.catalog, p).is_unchanged()
            })
            .count()
    }
}

/// Each operation's place in `catalog`, by what names it across reloads.
fn places(catalog: &Catalog) -> HashMap<OperationKey, OpRef> {
    let mut out = HashMap::new();
    for (a, api) in catalog.apis.iter().enumerate() {
        for (o, operation) in api.operations.iter().enumerate() {
            out.entry(operation.key(api)).or_insert((a, o));
        }
    }
    out
}

//! The environment panel's work: opening it on an environment, and
//! setting or removing a variable in the user's environments file, then
//! reading the environments again so that the panel, the URL preview and
//! the next send all see the change.

use ratatui::backend::Backend;

use super::{App, Overlay};
use crate::store::{Environments, env_edit};
use crate::tui::views::environments::EnvPanel;
use crate::tui::views::panel::Panel;

impl<B: Backend> App<B> {
    /// `v`: the panel on the environment at `index` (the active one when
    /// `None`), or a notice when there is none.
    pub(super) fn open_environments(&mut self, index: usize) {
        let environments = &self.state.tools.environments;
        match EnvPanel::new(
            environments,
            index,
            &self.state.vars,
            self.state.env_name.as_ref(),
        ) {
            Some(panel) => {
                self.state.overlay = Some(Overlay::Panel(Panel::Environments(panel)));
            }
            None => {
                let reaction = crate::tui::views::environments::chooser(
                    environments,
                    self.state.env_name.as_ref(),
                    self.state.tools.paths.as_ref(),
                );
                self.react(reaction);
            }
        }
    }

    /// The index of the active environment (else the first).
    pub(super) fn active_environment(&self) -> usize {
        let environments = &self.state.tools.environments.list;
        environments
            .iter()
            .position(|e| Some(&e.name) == self.state.env_name.as_ref())
            .unwrap_or(0)
    }

    /// `NAME = value` typed in the panel's prompt: written into the
    /// user's file (a name like a secret's is kept as a secret).
    pub(super) fn set_variable(&mut self, index: usize, text: &str) {
        let Some((name, value)) = text.split_once('=') else {
            self.notice("Type NAME = value", true);
            self.open_environments(index);
            return;
        };
        let (name, value) = (name.trim(), value.trim());
        if name.is_empty() || name.contains(char::is_whitespace) || name.contains("{{") {
            self.notice(format!("`{name}` is not a variable name"), true);
            self.open_environments(index);
            return;
        }
        let secret = crate::secrets::is_secret_name(name)
            || self
                .state
                .tools
                .environments
                .describe(self.environment_name(index).as_str(), &Default::default())
                .iter()
                .any(|r| r.name == name && r.secret);
        self.change_user_file(index, |path, environment| {
            env_edit::set_variable(path, environment, name, value, secret).map(|()| true)
        });
    }

    /// `d` in the panel: the variable goes from the user's file.
    pub(super) fn remove_variable(&mut self, index: usize, name: &str) {
        self.change_user_file(index, |path, environment| {
            env_edit::remove_variable(path, environment, name)
        });
    }

    fn environment_name(&self, index: usize) -> String {
        self.state
            .tools
            .environments
            .list
            .get(index)
            .map(|e| e.name.clone())
            .unwrap_or_default()
    }

    /// Runs `edit` on the user's environments file, reads the
    /// environments again (the active one's variables too) and shows the
    /// panel again; a failure is a notice naming the file.
    fn change_user_file(
        &mut self,
        index: usize,
        edit: impl FnOnce(&std::path::Path, &str) -> Result<bool, crate::store::StoreError>,
    ) {
        let Some(paths) = self.state.tools.paths.clone() else {
            self.notice(
                "No home directory: there is no environments file to change",
                true,
            );
            return;
        };
        let environment = self.environment_name(index);
        let file = paths.environments_file();
        match edit(&file, &environment) {
            Ok(true) => self.notice(format!("Saved in {}", file.display()), false),
            Ok(false) => self.notice("Your file does not define it there", true),
            Err(e) => {
                self.notice(e.to_string(), true);
                self.open_environments(index);
                return;
            }
        }
        self.reload_environments();
        self.refresh_preview();
        self.open_environments(index);
    }

    /// Reads the environments again (the catalog's, the user's file,
    /// `./.env`) and the active one's variables from them.
    pub(super) fn reload_environments(&mut self) {
        let working_dir = std::env::current_dir().ok();
        match Environments::load(
            &self.state.catalog,
            self.state.tools.paths.as_ref(),
            working_dir.as_deref(),
        ) {
            Ok(mut reloaded) => {
                reloaded.prompts_elsewhere = true;
                self.state.tools.environments = reloaded;
            }
            Err(e) => self.notice(e.to_string(), true),
        }
        if let Some(active) = self.state.env_name.clone()
            && let Ok(vars) = self.state.tools.environments.vars(Some(&active))
        {
            self.state.vars.environment = vars.environment;
        }
    }
}

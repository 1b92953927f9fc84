//! The environments chooser: the environments to pick from, the active one
//! marked, and what picking one does to the variables.

use crate::request::Vars;
use crate::store::{Environments, Paths};
use crate::tui::app::{ChoosePurpose, Chooser, Overlay, Reaction};

use super::ask_secret::AskSecret;

/// The chooser over `environments`, `active` selected; a notice when there
/// are none, saying where they come from.
pub fn chooser(
    environments: &Environments,
    active: Option<&String>,
    paths: Option<&Paths>,
) -> Reaction {
    let list = &environments.list;
    if list.is_empty() {
        let place = paths.map_or_else(
            || "environments.toml".to_string(),
            |p| p.environments_file().display().to_string(),
        );
        return Reaction::notice(
            format!("No environments: a portal file or {place} defines them"),
            true,
        );
    }
    let items: Vec<String> = list
        .iter()
        .map(|e| {
            let mark = if Some(&e.name) == active {
                "● "
            } else {
                "  "
            };
            format!("{mark}{} ({} variables)", e.name, e.variables.len())
        })
        .collect();
    let selected = list
        .iter()
        .position(|e| Some(&e.name) == active)
        .unwrap_or(0);
    Reaction::Open(Overlay::Choose(Chooser {
        title: "Environment".into(),
        items,
        selected,
        purpose: ChoosePurpose::Environment,
    }))
}

/// Makes the environment at `index` the active one; captured values stay
/// (they win over any environment).
pub fn switch(
    environments: &Environments,
    index: usize,
    vars: &mut Vars,
    active: &mut Option<String>,
) -> Reaction {
    let Some(name) = environments.list.get(index).map(|e| e.name.clone()) else {
        return Reaction::None;
    };
    // Its prompts first, one at a time; each answer comes back here.
    if let Some(source) = environments.unanswered(&name).first() {
        return Reaction::Open(Overlay::AskSecret(AskSecret::new(index, source)));
    }
    let told = match environments.vars(Some(&name)) {
        Ok(chosen) => {
            vars.environment = chosen.environment;
            let notice = Reaction::notice(format!("Environment `{name}`"), false);
            *active = Some(name);
            notice
        }
        Err(e) => Reaction::notice(e.to_string(), true),
    };
    Reaction::All(vec![told, Reaction::Refresh])
}

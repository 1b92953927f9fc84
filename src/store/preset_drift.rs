//! A preset against its operation as the definition has it now. A
//! definition that changes (loaded again, or a newer version opened) can
//! leave a preset setting a parameter that is gone, or without a value
//! for a parameter that is now required, or without its operation at all.
//! [`check`] says which; [`mend`] brings the preset's draft up to date.

use crate::catalog::{Api, Catalog, Operation, ParamLocation};
use crate::request::{Draft, Vars};

use super::Preset;

/// How a preset fits its operation now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Drift {
    Unchanged,
    /// The operation is there, but the parameters differ.
    Changed {
        /// Parameters the preset gives a value that the operation no
        /// longer has.
        gone: Vec<(ParamLocation, String)>,
        /// Required parameters the preset gives no value.
        unfilled: Vec<(ParamLocation, String)>,
    },
    /// The catalog has no operation of this method and path.
    OperationGone,
}

impl Drift {
    pub fn is_unchanged(&self) -> bool {
        matches!(self, Self::Unchanged)
    }

    /// One line for a list: what changed, parameter by parameter.
    pub fn describe(&self) -> String {
        match self {
            Self::Unchanged => "fits its operation".into(),
            Self::OperationGone => "its operation is no longer defined".into(),
            Self::Changed { gone, unfilled } => {
                let name = |(location, name): &(ParamLocation, String)| {
                    format!("{} `{name}`", location.as_str())
                };
                let mut parts = Vec::new();
                if !gone.is_empty() {
                    let names: Vec<String> = gone.iter().map(name).collect();
                    parts.push(format!("sets {} no longer defined", names.join(", ")));
                }
                if !unfilled.is_empty() {
                    let names: Vec<String> = unfilled.iter().map(name).collect();
                    parts.push(format!("has no value for required {}", names.join(", ")));
                }
                parts.join("; ")
            }
        }
    }
}

/// The API and operation a preset was saved for, if the catalog has it.
pub fn operation_of<'a>(catalog: &'a Catalog, preset: &Preset) -> Option<(&'a Api, &'a Operation)> {
    let key = &preset.operation;
    let api = catalog.apis.iter().find(|a| a.id == key.api)?;
    let op = api
        .operations
        .iter()
        .find(|op| op.method == key.method && op.path == key.path)?;
    Some((api, op))
}

/// How `preset` fits its operation in `catalog`.
pub fn check(catalog: &Catalog, preset: &Preset) -> Drift {
    let Some((_, op)) = operation_of(catalog, preset) else {
        return Drift::OperationGone;
    };
    let defined = |location: ParamLocation, name: &str| {
        op.parameters
            .iter()
            .any(|p| p.location == location && p.name == name)
    };
    let gone: Vec<(ParamLocation, String)> = preset
        .draft
        .params
        .iter()
        .filter(|row| row.enabled && !row.value.is_empty() && !defined(row.location, &row.name))
        .map(|row| (row.location, row.name.clone()))
        .collect();
    let unfilled: Vec<(ParamLocation, String)> = op
        .parameters
        .iter()
        .filter(|p| p.required)
        .filter(|p| {
            !preset.draft.params.iter().any(|row| {
                row.location == p.location
                    && row.name == p.name
                    && row.enabled
                    && !row.value.is_empty()
            })
        })
        .map(|p| (p.location, p.name.clone()))
        .collect();
    if gone.is_empty() && unfilled.is_empty() {
        Drift::Unchanged
    } else {
        Drift::Changed { gone, unfilled }
    }
}

/// The preset's draft for its operation as defined now: values of
/// parameters it no longer has dropped, and a row for each parameter the
/// preset lacks, with the definition's default or example (empty when it
/// has none, for the user to fill). Everything else is kept as saved.
pub fn mend(draft: &Draft, api: &Api, op: &Operation, vars: &Vars) -> Draft {
    let fresh = Draft::new(api, op, vars);
    let mut mended = draft.clone();
    mended.params = fresh
        .params
        .into_iter()
        .map(|row| {
            draft
                .params
                .iter()
                .find(|kept| kept.location == row.location && kept.name == row.name)
                .cloned()
                .unwrap_or(row)
        })
        .collect();
    mended
}

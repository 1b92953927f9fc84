//! Portal files (TOML): APIs described the way an API gateway does.

use super::LoadError;
use super::model::Catalog;

/// Whether a source is a portal file: by extension, else by content.
pub(crate) fn is_portal(location: &str, text: &str) -> bool {
    let path = location.split(['?', '#']).next().unwrap_or(location);
    if path.to_ascii_lowercase().ends_with(".toml") {
        return true;
    }
    text.lines()
        .any(|line| matches!(line.trim(), "[[api]]" | "[[include]]" | "[[environment]]"))
}

/// The portal's own APIs and environments, and the include sources it
/// names (made absolute against the portal's location).
pub(crate) fn parse(_text: &str, location: &str) -> Result<(Catalog, Vec<String>), LoadError> {
    Err(LoadError::invalid(
        location,
        "portal files are not supported yet",
    ))
}

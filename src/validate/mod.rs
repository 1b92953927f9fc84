//! Requests and answers checked against the definition: never a refusal,
//! a list of problems, each with where it is (a JSON pointer) and what
//! is wrong, for the faces to show beside what they concern.
//!
//! ```text
//! schema (+ the API's document) --translate--> standalone JSON Schema --compile--> validator
//! JSON value -----------------------------------------------------------validate--> Vec<Problem>
//! ```
//!
//! The JSON Schema work is the `jsonschema` crate's; this module only
//! translates the OpenAPI dialects (`translate`) and words the errors.

mod operation;
mod translate;

pub use operation::{check_request, check_response, check_response_in};

use std::fmt;

use jsonschema::error::{TypeKind, ValidationErrorKind};
use serde::Serialize;
use serde_json::Value;

pub use crate::catalog::schema_tree::Direction;
use crate::catalog::{Api, Document};

/// One way a value breaks its schema.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Problem {
    /// What the problem is in: `body`, `query \`limit\``, `status`,
    /// `content type`; empty for a value checked on its own.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub place: String,
    /// A JSON pointer into the value (`/items/0/qty`; empty for the whole).
    pub at: String,
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let place = [self.place.as_str(), self.at.as_str()]
            .into_iter()
            .filter(|p| !p.is_empty())
            .collect::<Vec<_>>()
            .join(" ");
        if place.is_empty() {
            write!(f, "{}", self.message)
        } else {
            write!(f, "{place}: {}", self.message)
        }
    }
}

/// Problems shown at most for one value: the first ones say enough.
const MAX_PROBLEMS: usize = 100;

/// Checks `value` against `schema` (which may hold `$ref`s into the API's
/// document). A schema the validator cannot compile is one problem that
/// says so, not a crash and not silence.
pub fn check_value(api: &Api, schema: &Value, value: &Value, direction: Direction) -> Vec<Problem> {
    check_in(api.document.as_deref(), schema, value, direction)
}

/// [`check_value`] with the definition's document itself (what a task
/// off the UI thread holds instead of the whole API).
pub fn check_in(
    document: Option<&Document>,
    schema: &Value,
    value: &Value,
    direction: Direction,
) -> Vec<Problem> {
    let base = document.map_or("", |d| d.location.as_str());
    let standalone = translate::Translator::new(document, direction).standalone(base, schema);
    let validator = match jsonschema::options()
        .with_draft(jsonschema::Draft::Draft202012)
        .should_validate_formats(true)
        .build(&standalone)
    {
        Ok(validator) => validator,
        Err(e) => {
            return vec![Problem {
                place: String::new(),
                at: String::new(),
                message: format!("the definition's schema cannot be checked: {e}"),
            }];
        }
    };
    validator
        .iter_errors(value)
        .take(MAX_PROBLEMS)
        .map(|error| Problem {
            place: String::new(),
            at: error.instance_path().as_str().to_string(),
            message: closed_object(&error, value).unwrap_or_else(|| {
                message(error.kind(), error.instance().as_ref(), &error.to_string())
            }),
        })
        .collect()
}

/// `additionalProperties: false` on an object that declares no property
/// at all: the validator reports the first property's value as refused by
/// a `false` schema, which names neither it nor the others. Every
/// property of that object is unknown; say so, as for any other object.
fn closed_object(error: &jsonschema::ValidationError<'_>, root: &Value) -> Option<String> {
    if !matches!(error.kind(), ValidationErrorKind::FalseSchema)
        || !error
            .schema_path()
            .as_str()
            .ends_with("/additionalProperties")
    {
        return None;
    }
    let object = root.pointer(error.instance_path().as_str())?.as_object()?;
    let names: Vec<String> = object.keys().map(|n| format!("`{n}`")).collect();
    Some(format!(
        "unknown property {} (the definition allows no others)",
        names.join(", ")
    ))
}

/// The validator's error in the words the rest of portico uses.
fn message(kind: &ValidationErrorKind, instance: &Value, fallback: &str) -> String {
    match kind {
        ValidationErrorKind::Type { kind } => {
            let expected = match kind {
                TypeKind::Single(t) => t.to_string(),
                TypeKind::Multiple(set) => set
                    .iter()
                    .map(|t| t.to_string())
                    .collect::<Vec<_>>()
                    .join(" or "),
            };
            format!("expected {expected}, found {}", shown(instance))
        }
        ValidationErrorKind::Required { property } => {
            format!("missing required property `{}`", plain(property))
        }
        ValidationErrorKind::AdditionalProperties { unexpected } => {
            let names: Vec<String> = unexpected.iter().map(|n| format!("`{n}`")).collect();
            format!(
                "unknown property {} (the definition allows no others)",
                names.join(", ")
            )
        }
        ValidationErrorKind::Enum { options } => {
            format!("{} is not one of {}", shown(instance), plain(options))
        }
        ValidationErrorKind::OneOfNotValid { .. } => {
            format!("{} matches none of the `oneOf` variants", shown(instance))
        }
        ValidationErrorKind::OneOfMultipleValid { .. } => {
            format!("{} matches more than one `oneOf` variant", shown(instance))
        }
        _ => fallback.to_string(),
    }
}

/// A value as JSON, shortened for a one-line message.
fn shown(value: &Value) -> String {
    let text = match value {
        Value::Object(_) => "an object".to_string(),
        Value::Array(_) => "an array".to_string(),
        other => other.to_string(),
    };
    if text.chars().count() <= 60 {
        return text;
    }
    let mut short: String = text.chars().take(59).collect();
    short.push('…');
    short
}

fn plain(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

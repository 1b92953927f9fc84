//! The capture prompt: a JSONPath into the response, then the variable its
//! value goes into, each with a live hint; and the capture itself.

use super::panel::{Panel, Prompt, PromptPurpose};
use crate::catalog::Capture;
use crate::flow;
use crate::http::{Exchange, SentRequest, Timing};
use crate::request::Vars;
use crate::sanitize;
use crate::secrets::MASK;
use crate::tui::app::{OpRef, Overlay, Reaction};
use crate::tui::outcome::Outcome;

/// The JSONPath prompt over the response of `op`.
pub fn start(op: OpRef, response: Option<&Outcome>) -> Reaction {
    let Some(outcome) = response else {
        return Reaction::notice("No response to capture from: send the request first", true);
    };
    let json = match serde_json::from_slice::<serde_json::Value>(&outcome.response.body) {
        Ok(v) => v,
        Err(e) => {
            return Reaction::notice(
                format!("The response is not JSON ({e}): nothing to capture"),
                true,
            );
        }
    };
    let mut prompt = Prompt::new(
        "Capture from the response: JSONPath",
        "$",
        PromptPurpose::CapturePath(op),
    );
    prompt.json = Some(json);
    update_hint(&mut prompt);
    Reaction::Open(Overlay::Panel(Panel::Prompt(prompt)))
}

/// After the path, the prompt for the variable's name.
pub fn path_entered(op: OpRef, path: String, json: Option<serde_json::Value>) -> Reaction {
    if let Err(e) = serde_json_path::JsonPath::parse(&path) {
        return Reaction::notice(format!("`{path}` is not a JSONPath: {e}"), true);
    }
    let mut prompt = Prompt::new(
        format!("Store the value of {path} in the variable"),
        suggested_name(&path),
        PromptPurpose::CaptureName { op, path },
    );
    prompt.json = json;
    update_hint(&mut prompt);
    Reaction::Open(Overlay::Panel(Panel::Prompt(prompt)))
}

/// Stores what `path` selects in the response (if it is still there) as
/// the variable `name`.
pub fn capture(
    response: Option<&Outcome>,
    path: &str,
    name: &str,
    vars: &mut Vars,
    reveal: bool,
) -> Reaction {
    if !valid_variable(name) {
        return Reaction::notice(
            format!("`{name}` cannot be a variable: letters, digits and _ - . only"),
            true,
        );
    }
    let Some(outcome) = response else {
        return Reaction::None;
    };
    let exchange = Exchange {
        request: SentRequest::default(),
        redirects: Vec::new(),
        response: outcome.response.clone(),
        timing: Timing::default(),
    };
    let capture = Capture {
        variable: name.to_string(),
        path: path.to_string(),
    };
    match flow::apply_captures(&[capture], &exchange, vars) {
        Ok(pairs) => {
            let secret = vars.captured.get(name).is_some_and(|v| v.secret);
            let value = pairs.first().map(|(_, v)| v.as_str()).unwrap_or_default();
            let shown = if secret && !reveal {
                MASK.to_string()
            } else {
                sanitize::truncate(&sanitize::clean_line(value), 48).into_owned()
            };
            Reaction::All(vec![
                Reaction::notice(format!("captured {name} = {shown}"), false),
                Reaction::Refresh,
            ])
        }
        Err(e) => Reaction::notice(e.to_string(), true),
    }
}

/// A variable name `{{…}}` can reference.
fn valid_variable(name: &str) -> bool {
    !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | '.' | '$'))
}

/// A name for what a path selects: its last member (`SasSignature` for
/// `$.Results.output1.SasSignature`), else `value`.
fn suggested_name(path: &str) -> String {
    let last = path
        .rsplit(['.', '['])
        .next()
        .unwrap_or_default()
        .trim_matches(|c: char| matches!(c, '\'' | '"' | ']' | '$' | '*'));
    if valid_variable(last) && !last.chars().all(|c| c.is_ascii_digit()) {
        last.to_string()
    } else {
        "value".to_string()
    }
}

/// The line under a prompt: what the JSONPath selects, or whether the
/// name can be a variable.
pub fn update_hint(p: &mut Prompt) {
    let text = p.input.text().trim().to_string();
    p.hint = match &p.purpose {
        PromptPurpose::CapturePath(_) => {
            let Some(json) = &p.json else {
                return;
            };
            match serde_json_path::JsonPath::parse(&text) {
                Err(e) => Some((format!("not a JSONPath yet: {e}"), true)),
                Ok(path) => {
                    let nodes = path.query(json).all();
                    match nodes.as_slice() {
                        [] => Some(("selects nothing in this response".into(), true)),
                        [one] => Some((format!("→ {}", one_line(one)), false)),
                        many => Some((
                            format!("→ {} values (kept as a JSON array)", many.len()),
                            false,
                        )),
                    }
                }
            }
        }
        PromptPurpose::CaptureName { .. } => {
            if valid_variable(&text) {
                Some((
                    format!("used as {{{{{text}}}}} in the next requests"),
                    false,
                ))
            } else {
                Some((
                    "letters, digits and _ - . only, e.g. jobid".to_string(),
                    true,
                ))
            }
        }
        _ => None,
    };
}

fn one_line(value: &serde_json::Value) -> String {
    let text = match value {
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    sanitize::truncate(&sanitize::clean_line(&text), 60).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_suggested_from_paths() {
        assert_eq!(
            suggested_name("$.Results.output1.SasSignature"),
            "SasSignature"
        );
        assert_eq!(suggested_name("$"), "value");
        assert_eq!(suggested_name("$['job id']"), "value");
        assert_eq!(suggested_name("$.items[0]"), "value");
        assert_eq!(suggested_name("$.items[0].id"), "id");
        assert!(valid_variable("job_id-2.x"));
        assert!(!valid_variable("job id"));
        assert!(!valid_variable(""));
    }
}

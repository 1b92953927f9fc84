//! An operation's request and answer checked against its definition: the
//! parameters against their schemas, a JSON body against the request
//! body's schema, and an answer against the response documented for its
//! status (or `default`) and content type.

use serde_json::{Value, json};

use super::{Direction, Problem, check_in, check_value};
use crate::catalog::schema_tree::{SchemaNode, schema_tree};
use crate::catalog::{Api, Document, MediaType, Operation, Parameter, ResponseDoc};
use crate::http::Response;
use crate::request::{BuiltRequest, Draft, FormField, is_form_media, is_json_content_type};

/// Where a problem is, for a person: `body`, `query \`limit\``, `status`.
fn placed(place: &str, problems: Vec<Problem>) -> impl Iterator<Item = Problem> + '_ {
    problems.into_iter().map(move |p| Problem {
        place: place.to_string(),
        ..p
    })
}

/// The request as built from `draft`, against the operation's parameters
/// and request body.
pub fn check_request(
    api: &Api,
    op: &Operation,
    draft: &Draft,
    built: &BuiltRequest,
) -> Vec<Problem> {
    let mut problems = Vec::new();
    for p in &op.parameters {
        let Some(row) = draft
            .params
            .iter()
            .find(|r| r.name == p.name && r.location == p.location && r.enabled)
        else {
            continue;
        };
        // A `{{variable}}` is checked as its value, in the built request;
        // here only what was typed literally.
        if row.value.is_empty() || row.value.contains("{{") {
            continue;
        }
        let place = format!("{} `{}`", p.location.as_str(), p.name);
        problems.extend(placed(&place, check_param(api, p, &row.value)));
    }
    let content_type = built.header("content-type").unwrap_or_default();
    if let (Some(body), Some(request_body)) = (&built.body, &op.request_body)
        && is_json_content_type(content_type)
        && let Some(media) = media_for(&request_body.content, content_type)
        && let Some(schema) = &media.schema
    {
        match serde_json::from_slice::<Value>(body) {
            Ok(value) => problems.extend(placed(
                "body",
                check_value(api, schema, &value, Direction::Request),
            )),
            Err(e) => problems.push(Problem {
                place: "body".into(),
                at: String::new(),
                message: format!("not valid JSON: {e}"),
            }),
        }
    } else if let Some(request_body) = &op.request_body
        && is_form_media(content_type)
        && let Some(media) = media_for(&request_body.content, content_type)
        && let Some(schema) = &media.schema
    {
        let value = form_value(api, schema, &built.form);
        problems.extend(placed(
            "form",
            check_value(api, schema, &value, Direction::Request),
        ));
    }
    problems
}

/// A form's fields as the object its schema describes: each value typed
/// as its property says (numbers and booleans parsed, an object part as
/// its JSON), the fields of an array property gathered in order, a file
/// as its path. A property is found among the schema's own, else among
/// its `oneOf`/`anyOf` variants'.
fn form_value(api: &Api, schema: &Value, fields: &[FormField]) -> Value {
    let tree = schema_tree(api, schema, Direction::Request);
    let mut object = serde_json::Map::new();
    for field in fields.iter().filter(|f| f.enabled) {
        let property = tree
            .children
            .iter()
            .find(|c| c.name == field.name)
            .or_else(|| {
                tree.variants.as_ref()?;
                tree.children
                    .iter()
                    .find_map(|v| v.children.iter().find(|c| c.name == field.name))
            });
        let type_of = |node: Option<&SchemaNode>| {
            node.and_then(|n| n.types.first())
                .map_or("string", String::as_str)
                .to_string()
        };
        let kind = type_of(property);
        let one = |type_name: &str| {
            if field.file {
                Value::String(field.value.clone())
            } else {
                typed(&field.value, type_name)
            }
        };
        if kind == "array" {
            let items = type_of(property.and_then(|p| p.children.first()));
            let entry = object
                .entry(field.name.clone())
                .or_insert_with(|| Value::Array(Vec::new()));
            if let Value::Array(values) = entry {
                values.push(one(&items));
            }
        } else {
            object.insert(field.name.clone(), one(&kind));
        }
    }
    Value::Object(object)
}

/// A parameter's text as the value its schema describes: numbers and
/// booleans parsed, arrays split at commas.
fn check_param(api: &Api, p: &Parameter, text: &str) -> Vec<Problem> {
    let summary = &p.schema;
    let Some(type_name) = summary.type_name.as_deref() else {
        return Vec::new();
    };
    // httpbin's definition says `int`: the validator would refuse the
    // schema with words about its own meta-schema.
    if ![
        "string", "number", "integer", "boolean", "array", "object", "null",
    ]
    .contains(&type_name)
    {
        return vec![Problem {
            place: String::new(),
            at: String::new(),
            message: format!(
                "the definition's schema cannot be checked: its type `{type_name}` is not a JSON Schema type"
            ),
        }];
    }
    let mut schema = json!({"type": type_name});
    if let Some(format) = &summary.format {
        schema["format"] = json!(format);
    }
    if !summary.enum_values.is_empty() {
        schema["enum"] = Value::Array(summary.enum_values.clone());
    }
    let value = match type_name {
        "array" => {
            let items = summary.items_type.as_deref().unwrap_or("string");
            schema["items"] = json!({"type": items});
            Value::Array(
                text.split(',')
                    .map(|part| typed(part.trim(), items))
                    .collect(),
            )
        }
        other => typed(text, other),
    };
    check_value(api, &schema, &value, Direction::Request)
}

/// `text` as JSON of `type_name` when it reads as one, else a string (so
/// the check says what was expected).
fn typed(text: &str, type_name: &str) -> Value {
    match type_name {
        // A multipart part that holds JSON (`metadata: {type: object}`).
        "object" | "array" => serde_json::from_str::<Value>(text)
            .ok()
            .filter(|v| v.is_object() || v.is_array())
            .unwrap_or_else(|| Value::String(text.into())),
        "integer" | "number" => serde_json::from_str::<serde_json::Number>(text)
            .map_or_else(|_| Value::String(text.into()), Value::Number),
        "boolean" => match text {
            "true" => Value::Bool(true),
            "false" => Value::Bool(false),
            _ => Value::String(text.into()),
        },
        _ => Value::String(text.into()),
    }
}

/// The media type of `content` that fits `content_type` (by its essence,
/// then `type/*`, then `*/*`).
fn media_for<'a>(content: &'a [MediaType], content_type: &str) -> Option<&'a MediaType> {
    let wanted = essence(content_type);
    let major = wanted.split('/').next().unwrap_or_default().to_string();
    content
        .iter()
        .find(|m| essence(&m.content_type) == wanted)
        .or_else(|| {
            content
                .iter()
                .find(|m| essence(&m.content_type) == format!("{major}/*"))
        })
        .or_else(|| content.iter().find(|m| essence(&m.content_type) == "*/*"))
}

fn essence(content_type: &str) -> String {
    content_type
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase()
}

/// The answer against the response documented for its status (exact,
/// then `4XX`-style, then `default`) and its content type.
pub fn check_response(api: &Api, op: &Operation, response: &Response) -> Vec<Problem> {
    check_response_in(api.document.as_deref(), &op.responses, response)
}

/// [`check_response`] with the document and the documented responses
/// alone, for a task off the UI thread.
pub fn check_response_in(
    document: Option<&Document>,
    responses: &[ResponseDoc],
    response: &Response,
) -> Vec<Problem> {
    if responses.is_empty() {
        return Vec::new();
    }
    let status = response.status.to_string();
    let class = format!("{}XX", status.chars().next().unwrap_or('0'));
    let documented = responses
        .iter()
        .find(|r| r.status == status)
        .or_else(|| {
            responses
                .iter()
                .find(|r| r.status.eq_ignore_ascii_case(&class))
        })
        .or_else(|| responses.iter().find(|r| r.status == "default"));
    let Some(documented) = documented else {
        let known: Vec<&str> = responses.iter().map(|r| r.status.as_str()).collect();
        return vec![Problem {
            place: "status".into(),
            at: String::new(),
            message: format!(
                "{status} is not documented (documented: {})",
                known.join(", ")
            ),
        }];
    };
    if documented.content.is_empty() || response.body.is_empty() {
        return Vec::new();
    }
    let content_type = response.header("content-type").unwrap_or_default();
    let Some(media) = media_for(&documented.content, content_type) else {
        let known: Vec<&str> = documented
            .content
            .iter()
            .map(|m| m.content_type.as_str())
            .collect();
        let shown = if content_type.is_empty() {
            "none"
        } else {
            content_type
        };
        return vec![Problem {
            place: "content type".into(),
            at: String::new(),
            message: format!(
                "{shown} is not documented for {} (documented: {})",
                documented.status,
                known.join(", ")
            ),
        }];
    };
    let Some(schema) = &media.schema else {
        return Vec::new();
    };
    if !is_json_content_type(&media.content_type) && !is_json_content_type(content_type) {
        return Vec::new();
    }
    match serde_json::from_slice::<Value>(&response.body) {
        Ok(value) => placed(
            "body",
            check_in(document, schema, &value, Direction::Response),
        )
        .collect(),
        Err(e) => vec![Problem {
            place: "body".into(),
            at: String::new(),
            message: format!("not valid JSON: {e}"),
        }],
    }
}

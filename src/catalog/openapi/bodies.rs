//! What an operation sends and answers: request bodies (3.x `content`,
//! 2.0 `body` and form parameters) and documented responses.

use serde_json::{Map, Value, json};

use super::{Cx, str_field, strings};
use crate::catalog::document::escape_token;
use crate::catalog::model::{Example, MediaType, RequestBody, ResponseDoc, is_form_media};

impl<'d> Cx<'d, '_> {
    pub(super) fn body_v3<'a>(
        &mut self,
        base: &'a str,
        body: &'a Value,
        pointer: &str,
    ) -> Option<RequestBody>
    where
        'd: 'a,
    {
        let (base, body) = self.deref(base, body, pointer)?;
        let content = self.media_types(base, body, pointer);
        Some(RequestBody {
            description: str_field(body, "description"),
            required: body
                .get("required")
                .and_then(Value::as_bool)
                .unwrap_or(false),
            content,
        })
    }

    /// The `content` map of a 3.x request body or response: each media
    /// type with its schema and named examples.
    fn media_types<'a>(&mut self, base: &'a str, holder: &'a Value, pointer: &str) -> Vec<MediaType>
    where
        'd: 'a,
    {
        let mut content = Vec::new();
        for (content_type, media) in holder
            .get("content")
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
        {
            let media_pointer = format!("{pointer}/content/{}", escape_token(content_type));
            let Some((media_base, media)) = self.deref(base, media, &media_pointer) else {
                continue;
            };
            let mut examples = Vec::new();
            if let Some(example) = media.get("example") {
                examples.push(Example {
                    name: "example".into(),
                    summary: None,
                    value: example.clone(),
                });
            }
            for (name, example) in media
                .get("examples")
                .and_then(Value::as_object)
                .into_iter()
                .flatten()
            {
                let ex_pointer = format!("{media_pointer}/examples/{}", escape_token(name));
                let Some((_, example)) = self.deref(media_base, example, &ex_pointer) else {
                    continue;
                };
                if let Some(value) = example.get("value") {
                    examples.push(Example {
                        name: name.clone(),
                        summary: str_field(example, "summary"),
                        value: value.clone(),
                    });
                }
            }
            content.push(MediaType {
                content_type: content_type.clone(),
                schema: media.get("schema").map(|s| self.rebase(media_base, s)),
                examples,
            });
        }
        content
    }

    pub(super) fn consumes(&self, op: &Value) -> Vec<String> {
        let own = strings(op.get("consumes"));
        if own.is_empty() {
            self.consumes.clone()
        } else {
            own
        }
    }

    pub(super) fn body_v2<'a>(&mut self, base: &'a str, p: &'a Value, op: &Value) -> RequestBody
    where
        'd: 'a,
    {
        let mut types: Vec<String> = self
            .consumes(op)
            .into_iter()
            .filter(|t| !is_form_media(t))
            .collect();
        if types.is_empty() {
            types.push("application/json".into());
        }
        let schema = p.get("schema").map(|s| self.rebase(base, s));
        RequestBody {
            description: str_field(p, "description"),
            required: p.get("required").and_then(Value::as_bool).unwrap_or(false),
            content: media_v2(types, schema.as_ref(), p.get("x-examples")),
        }
    }

    /// Swagger 2.0 `formData` parameters as one object schema.
    pub(super) fn form_body_v2(&mut self, fields: &[&Value], op: &Value) -> RequestBody {
        let mut properties = Map::new();
        let mut required = Vec::new();
        let mut has_file = false;
        for field in fields {
            let Some(name) = str_field(field, "name") else {
                continue;
            };
            let mut property = Map::new();
            for key in [
                "type",
                "format",
                "description",
                "enum",
                "default",
                "items",
                "minimum",
                "maximum",
                "pattern",
            ] {
                if let Some(v) = field.get(key) {
                    property.insert(key.to_string(), v.clone());
                }
            }
            if field.get("type").and_then(Value::as_str) == Some("file") {
                has_file = true;
                property.insert("type".into(), json!("string"));
                property.insert("format".into(), json!("binary"));
            }
            if field
                .get("required")
                .and_then(Value::as_bool)
                .unwrap_or(false)
            {
                required.push(Value::String(name.clone()));
            }
            properties.insert(name, Value::Object(property));
        }
        let consumes = self.consumes(op);
        let content_type = if has_file {
            "multipart/form-data"
        } else {
            consumes
                .iter()
                .map(String::as_str)
                .find(|t| is_form_media(t))
                .unwrap_or("application/x-www-form-urlencoded")
        };
        let mut schema = json!({"type": "object", "properties": properties});
        if !required.is_empty() {
            schema["required"] = Value::Array(required.clone());
        }
        RequestBody {
            description: None,
            required: !required.is_empty(),
            content: vec![MediaType {
                content_type: content_type.to_string(),
                schema: Some(schema),
                examples: Vec::new(),
            }],
        }
    }

    pub(super) fn responses<'a>(
        &mut self,
        base: &'a str,
        op: &'a Value,
        pointer: &str,
    ) -> Vec<ResponseDoc>
    where
        'd: 'a,
    {
        let mut out = Vec::new();
        for (status, response) in op
            .get("responses")
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
        {
            let r_pointer = format!("{pointer}/{}", escape_token(status));
            let Some((response_base, response)) = self.deref(base, response, &r_pointer) else {
                out.push(ResponseDoc {
                    status: status.clone(),
                    ..ResponseDoc::default()
                });
                continue;
            };
            let content = if self.v2 {
                self.response_v2(response_base, response, op)
            } else {
                self.media_types(response_base, response, &r_pointer)
            };
            out.push(ResponseDoc {
                status: status.clone(),
                description: str_field(response, "description"),
                content,
            });
        }
        out
    }
}

impl<'d> Cx<'d, '_> {
    /// A 2.0 response: its one `schema` for each type the operation
    /// `produces`, with the `examples` given per type.
    fn response_v2<'a>(&mut self, base: &'a str, response: &'a Value, op: &Value) -> Vec<MediaType>
    where
        'd: 'a,
    {
        let Some(schema) = response.get("schema") else {
            return Vec::new();
        };
        let schema = self.rebase(base, schema);
        let mut types = strings(op.get("produces"));
        if types.is_empty() {
            types.clone_from(&self.produces);
        }
        if types.is_empty() {
            types.push("application/json".into());
        }
        media_v2(types, Some(&schema), response.get("examples"))
    }
}

/// A 2.0 body or response: one schema for each media type, with the
/// example given for that type (`x-examples` of a body parameter, a
/// response's `examples`).
fn media_v2(
    types: Vec<String>,
    schema: Option<&Value>,
    examples: Option<&Value>,
) -> Vec<MediaType> {
    let examples = examples.and_then(Value::as_object);
    types
        .into_iter()
        .map(|content_type| MediaType {
            examples: examples
                .and_then(|e| e.get(&content_type))
                .map(|value| {
                    vec![Example {
                        name: "example".into(),
                        summary: None,
                        value: value.clone(),
                    }]
                })
                .unwrap_or_default(),
            content_type,
            schema: schema.cloned(),
        })
        .collect()
}

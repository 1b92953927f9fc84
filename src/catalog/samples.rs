//! Body samples: what a request body editor starts with.
//!
//! The definition's own example comes first; without one, a skeleton is
//! generated from the schema. Generation is lazy (only for the operation
//! a user opens) and bounded: by depth, by a node budget (GitHub's schemas
//! nest wide objects many levels deep), and by the `$ref`s already being
//! expanded, so recursive schemas end instead of looping.

use serde_json::{Map, Value};

use super::model::{Api, Document, MediaType};

/// Nesting depth below which objects and arrays are left empty.
const MAX_DEPTH: usize = 8;
/// Values generated for one sample before the rest are left empty.
const MAX_NODES: usize = 2_000;
/// `allOf`/`oneOf` nesting without progress that is still followed.
const MAX_REFS: usize = 64;

/// The first example the definition gives for this media type, else a
/// skeleton from its schema; pretty JSON, or `a=1&b=2` form text for
/// `application/x-www-form-urlencoded`. A string example for a non-JSON
/// media type is returned as is. `None` when there is neither.
pub fn body_sample(api: &Api, media: &MediaType) -> Option<String> {
    let value = match media.examples.first() {
        Some(example) => example.value.clone(),
        None => {
            let schema = media.schema.as_ref()?;
            let document = api.document.as_deref();
            let base = document.map_or("", |d| d.location.as_str());
            Generator::new(document).value(base, schema, 0)
        }
    };
    let content_type = media.content_type.to_ascii_lowercase();
    if content_type.starts_with("application/x-www-form-urlencoded") {
        return Some(form_text(&value));
    }
    match &value {
        Value::String(text) if !content_type.contains("json") => Some(text.clone()),
        _ => serde_json::to_string_pretty(&value).ok(),
    }
}

/// A sample for each variant of a body whose schema is a `oneOf` or
/// `anyOf` (after its `$ref`s), labelled with the variant's title, the
/// name its `$ref` gives it, the properties it requires, else its place;
/// a `null` variant has none.
/// Empty for any other schema.
pub fn variant_samples(api: &Api, schema: &Value) -> Vec<(String, Value)> {
    let document = api.document.as_deref();
    let mut base = document.map_or("", |d| d.location.as_str());
    let mut schema = schema;
    for _ in 0..MAX_DEPTH {
        let Some(reference) = schema.get("$ref").and_then(Value::as_str) else {
            break;
        };
        let Some((location, target)) = document.and_then(|d| d.resolve(base, reference).ok())
        else {
            return Vec::new();
        };
        (base, schema) = (location, target);
    }
    let Some(options) = ["oneOf", "anyOf"]
        .iter()
        .find_map(|key| schema.get(*key).and_then(Value::as_array))
    else {
        return Vec::new();
    };
    options
        .iter()
        .enumerate()
        .filter(|(_, option)| option.get("type").and_then(Value::as_str) != Some("null"))
        .map(|(i, option)| {
            let label = option
                .get("title")
                .and_then(Value::as_str)
                .map(str::to_string)
                .or_else(|| {
                    let reference = option.get("$ref").and_then(Value::as_str)?;
                    reference.rsplit('/').next().map(str::to_string)
                })
                // Variants of one object often differ by what they require.
                .or_else(|| {
                    let required: Vec<&str> = option
                        .get("required")?
                        .as_array()?
                        .iter()
                        .filter_map(Value::as_str)
                        .collect();
                    (!required.is_empty()).then(|| format!("with {}", required.join(", ")))
                })
                .unwrap_or_else(|| format!("variant {}", i + 1));
            (label, Generator::new(document).value(base, option, 0))
        })
        .collect()
}

/// A skeleton value for a schema (for parameters, previews and tests).
pub fn schema_sample(api: &Api, schema: &Value) -> Value {
    let document = api.document.as_deref();
    let base = document.map_or("", |d| d.location.as_str());
    Generator::new(document).value(base, schema, 0)
}

fn form_text(value: &Value) -> String {
    let mut form = url::form_urlencoded::Serializer::new(String::new());
    if let Value::Object(fields) = value {
        for (name, field) in fields {
            match field {
                Value::Array(items) => {
                    for item in items {
                        form.append_pair(name, &scalar(item));
                    }
                }
                other => {
                    form.append_pair(name, &scalar(other));
                }
            }
        }
    }
    form.finish()
}

fn scalar(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

struct Generator<'a> {
    document: Option<&'a Document>,
    /// `$ref`s being expanded, to stop at recursion.
    active: Vec<(String, String)>,
    nodes: usize,
}

impl<'a> Generator<'a> {
    fn new(document: Option<&'a Document>) -> Self {
        Self {
            document,
            active: Vec::new(),
            nodes: 0,
        }
    }

    fn value(&mut self, base: &str, schema: &Value, depth: usize) -> Value {
        self.nodes += 1;
        // `allOf` does not go deeper, so only the budget stops a schema
        // whose compositions fan out through references.
        if self.spent() {
            return Value::Null;
        }
        let Value::Object(fields) = schema else {
            return Value::Null;
        };
        if let Some(reference) = fields.get("$ref").and_then(Value::as_str) {
            return self.reference(base, reference, depth);
        }
        for key in ["example", "default", "const"] {
            if let Some(value) = fields.get(key) {
                return value.clone();
            }
        }
        if let Some(first) = fields
            .get("examples")
            .and_then(Value::as_array)
            .and_then(|e| e.first())
        {
            return first.clone();
        }
        if let Some(first) = fields
            .get("enum")
            .and_then(Value::as_array)
            .and_then(|e| e.first())
        {
            return first.clone();
        }
        if let Some(parts) = fields.get("allOf").and_then(Value::as_array) {
            return self.all_of(base, parts, depth);
        }
        for key in ["oneOf", "anyOf"] {
            if let Some(options) = fields.get(key).and_then(Value::as_array) {
                let chosen = options
                    .iter()
                    .find(|o| o.get("type").and_then(Value::as_str) != Some("null"))
                    .or_else(|| options.first());
                if let Some(option) = chosen {
                    return self.value(base, option, depth);
                }
            }
        }
        let type_name = match fields.get("type") {
            Some(Value::String(t)) => Some(t.as_str()),
            Some(Value::Array(types)) => types
                .iter()
                .filter_map(Value::as_str)
                .find(|t| *t != "null"),
            _ => None,
        };
        let type_name = type_name.or_else(|| {
            if fields.contains_key("properties") || fields.contains_key("additionalProperties") {
                Some("object")
            } else if fields.contains_key("items") {
                Some("array")
            } else {
                None
            }
        });
        match type_name {
            Some("object") => self.object(base, fields, depth),
            Some("array") => {
                if depth >= MAX_DEPTH || self.nodes >= MAX_NODES {
                    return Value::Array(Vec::new());
                }
                // An item that recursion cut short is left out, not `null`.
                let item = fields
                    .get("items")
                    .map(|items| self.value(base, items, depth + 1))
                    .filter(|item| !item.is_null());
                Value::Array(item.into_iter().collect())
            }
            Some("string") => Value::String(string_sample(fields)),
            Some("integer") => number_sample(fields, true),
            Some("number") => number_sample(fields, false),
            Some("boolean") => Value::Bool(false),
            _ => Value::Null,
        }
    }

    fn spent(&self) -> bool {
        self.nodes > MAX_NODES
    }

    fn reference(&mut self, base: &str, reference: &str, depth: usize) -> Value {
        let Some(document) = self.document else {
            return Value::Null;
        };
        let key = (base.to_string(), reference.to_string());
        if self.active.contains(&key) || self.active.len() >= MAX_REFS {
            // Recursion: stop with the shape's empty form.
            return Value::Null;
        }
        let Ok((target_base, target)) = document.resolve(base, reference) else {
            return Value::Null;
        };
        self.active.push(key);
        let value = self.value(target_base, target, depth);
        self.active.pop();
        value
    }

    fn object(&mut self, base: &str, fields: &Map<String, Value>, depth: usize) -> Value {
        let mut out = Map::new();
        if depth >= MAX_DEPTH || self.nodes >= MAX_NODES {
            return Value::Object(out);
        }
        if let Some(properties) = fields.get("properties").and_then(Value::as_object) {
            for (name, property) in properties {
                if self.spent() {
                    break;
                }
                if self.read_only(base, property) {
                    continue;
                }
                let value = self.value(base, property, depth + 1);
                out.insert(name.clone(), value);
            }
        } else if let Some(additional @ Value::Object(_)) = fields.get("additionalProperties") {
            let value = self.value(base, additional, depth + 1);
            out.insert("key".into(), value);
        }
        Value::Object(out)
    }

    /// Read-only properties are answers, not requests.
    fn read_only(&self, base: &str, property: &Value) -> bool {
        let resolved = match (self.document, property.get("$ref").and_then(Value::as_str)) {
            (Some(document), Some(reference)) => {
                document.resolve(base, reference).ok().map(|(_, v)| v)
            }
            _ => Some(property),
        };
        resolved
            .and_then(|p| p.get("readOnly"))
            .and_then(Value::as_bool)
            .unwrap_or(false)
    }

    fn all_of(&mut self, base: &str, parts: &[Value], depth: usize) -> Value {
        let mut merged = Map::new();
        let mut other = None;
        for part in parts {
            if self.spent() {
                break;
            }
            match self.value(base, part, depth) {
                Value::Object(fields) => merged.extend(fields),
                Value::Null => {}
                value => other = other.or(Some(value)),
            }
        }
        match other {
            Some(value) if merged.is_empty() => value,
            _ => Value::Object(merged),
        }
    }
}

fn string_sample(fields: &Map<String, Value>) -> String {
    let format = fields
        .get("format")
        .and_then(Value::as_str)
        .unwrap_or_default();
    match format {
        "date-time" => "2024-01-01T00:00:00Z",
        "date" => "2024-01-01",
        "time" => "00:00:00",
        "email" => "user@example.com",
        "uuid" => "00000000-0000-0000-0000-000000000000",
        "uri" | "url" => "https://example.com",
        "hostname" => "example.com",
        "ipv4" => "192.0.2.1",
        "ipv6" => "2001:db8::1",
        "byte" => "",
        "binary" => "",
        "password" => "",
        _ => "string",
    }
    .to_string()
}

/// A number in range: 0 when the bounds allow it (Microsoft Graph's int32
/// `size` ranges from -2147483648, which made a poor sample), else the
/// bound nearest to it, inside an exclusive one (between both bounds when
/// a step inside would pass the other).
fn number_sample(fields: &Map<String, Value>, integer: bool) -> Value {
    let number = |key: &str| fields.get(key).and_then(Value::as_f64);
    let flag = |key: &str| fields.get(key).and_then(Value::as_bool) == Some(true);
    // 3.0 says `exclusiveMinimum: true` beside `minimum`; 3.1 gives the
    // exclusive bound as a number of its own. The tighter one holds.
    let lower = [
        number("minimum").map(|n| (n, flag("exclusiveMinimum"))),
        number("exclusiveMinimum").map(|n| (n, true)),
    ]
    .into_iter()
    .flatten()
    .max_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
    let upper = [
        number("maximum").map(|n| (n, flag("exclusiveMaximum"))),
        number("exclusiveMaximum").map(|n| (n, true)),
    ]
    .into_iter()
    .flatten()
    .min_by(|a, b| a.0.total_cmp(&b.0).then(b.1.cmp(&a.1)));
    let inside = |value: f64| {
        lower.is_none_or(|(n, exclusive)| if exclusive { value > n } else { value >= n })
            && upper.is_none_or(|(n, exclusive)| if exclusive { value < n } else { value <= n })
    };
    let step = if integer { 1.0 } else { 0.5 };
    // Each bound made whole for an integer, and stepped inside when it is
    // exclusive and still on it.
    let lowest = lower.map(|(n, exclusive)| {
        let whole = if integer { n.ceil() } else { n };
        if exclusive && whole <= n {
            whole + step
        } else {
            whole
        }
    });
    let highest = upper.map(|(n, exclusive)| {
        let whole = if integer { n.floor() } else { n };
        if exclusive && whole >= n {
            whole - step
        } else {
            whole
        }
    });
    let middle = lower.zip(upper).map(|((l, _), (u, _))| {
        let mid = (l + u) / 2.0;
        if integer { mid.round() } else { mid }
    });
    let candidates = [Some(0.0), lowest, middle, highest];
    let chosen = candidates
        .into_iter()
        .flatten()
        .find(|v| inside(*v) && (!integer || v.fract() == 0.0))
        .unwrap_or(0.0);
    // Whole numbers are written without a fraction (`0`, not `0.0`); past
    // what an i64 holds, as the float they are.
    if chosen.fract() == 0.0 && chosen.abs() < 9.0e15 {
        #[allow(clippy::cast_possible_truncation)]
        Value::from(chosen as i64)
    } else {
        serde_json::Number::from_f64(chosen).map_or(Value::from(0), Value::Number)
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use serde_json::json;

    use super::*;

    fn api_with(root: Value) -> Api {
        Api {
            document: Some(Arc::new(Document::from_value("/x.json", root))),
            ..Api::default()
        }
    }

    /// GitHub's "Delete attestations in bulk" shape: a `$ref` to a
    /// `oneOf` of objects told apart by what they require, and a titled
    /// and a `$ref`'d variant; `null` gets no sample.
    #[test]
    fn each_variant_gets_a_labelled_sample() {
        let api = api_with(json!({"components": {"schemas": {
            "Bulk": {"oneOf": [
                {"type": "object", "required": ["subject_digests"],
                 "properties": {"subject_digests": {"type": "array", "items": {"type": "string"}}}},
                {"type": "object", "required": ["attestation_ids"],
                 "properties": {"attestation_ids": {"type": "array", "items": {"type": "integer"}}}},
                {"title": "Nothing", "type": "object"},
                {"$ref": "#/components/schemas/Card"},
                {"type": "null"}
            ]},
            "Card": {"type": "object", "properties": {"number": {"type": "string", "example": "4242"}}}
        }}}));
        let variants = variant_samples(&api, &json!({"$ref": "#/components/schemas/Bulk"}));
        let labels: Vec<&str> = variants.iter().map(|(l, _)| l.as_str()).collect();
        assert_eq!(
            labels,
            [
                "with subject_digests",
                "with attestation_ids",
                "Nothing",
                "Card"
            ]
        );
        assert_eq!(variants[0].1, json!({"subject_digests": ["string"]}));
        assert_eq!(variants[3].1, json!({"number": "4242"}));
        assert!(variant_samples(&api, &json!({"type": "object"})).is_empty());
    }

    fn media(content_type: &str, schema: Value) -> MediaType {
        MediaType {
            content_type: content_type.into(),
            schema: Some(schema),
            examples: Vec::new(),
        }
    }

    #[test]
    fn recursive_schemas_end() {
        let api = api_with(json!({"components": {"schemas": {
            "Node": {"type": "object", "properties": {
                "name": {"type": "string"},
                "children": {"type": "array", "items": {"$ref": "#/components/schemas/Node"}},
                "id": {"type": "integer", "readOnly": true}
            }}
        }}}));
        let sample = body_sample(
            &api,
            &media(
                "application/json",
                json!({"$ref": "#/components/schemas/Node"}),
            ),
        )
        .expect("a sample");
        let value: Value = serde_json::from_str(&sample).expect("json");
        assert_eq!(value, json!({"name": "string", "children": []}));
    }

    #[test]
    fn all_of_merges_and_one_of_picks_the_first() {
        let api = api_with(json!({"components": {"schemas": {
            "Base": {"type": "object", "properties": {"a": {"type": "integer"}}}
        }}}));
        let schema = json!({"allOf": [
            {"$ref": "#/components/schemas/Base"},
            {"type": "object", "properties": {
                "b": {"oneOf": [{"type": "null"}, {"type": "string", "format": "date"}]},
                "c": {"enum": ["x", "y"]}
            }}
        ]});
        assert_eq!(
            schema_sample(&api, &schema),
            json!({"a": 0, "b": "2024-01-01", "c": "x"})
        );
    }

    #[test]
    fn form_bodies_are_form_text() {
        let api = Api::default();
        let schema = json!({"type": "object", "properties": {
            "To": {"type": "string", "example": "+1 555"},
            "Count": {"type": "integer"}
        }});
        let sample = body_sample(&api, &media("application/x-www-form-urlencoded", schema));
        assert_eq!(sample.as_deref(), Some("To=%2B1+555&Count=0"));
    }
}

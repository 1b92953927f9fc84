//! OpenAPI schemas made into standalone JSON Schema (2020-12) for the
//! validator: every `$ref` into the definition copied once into `$defs`
//! (recursion becomes a reference, never an endless copy), and the
//! OpenAPI dialects translated.
//!
//! | OpenAPI (2.0, 3.0) | JSON Schema 2020-12 |
//! | --- | --- |
//! | `nullable: true`, `x-nullable: true` | `null` added to `type` (and `enum`), or `anyOf [.., null]` |
//! | `exclusiveMinimum: true` beside `minimum` | `exclusiveMinimum: <minimum>` |
//! | `type: file` | no type |
//! | `oneOf` with a `discriminator` | `anyOf`: the discriminator picks one, overlap is no error |
//! | a read-only property in a request, write-only in a response | not required |
//!
//! `example`, `discriminator`, `xml` and other annotations are left for
//! the validator to ignore. 3.1 schemas are JSON Schema already and pass
//! through the same walk unchanged.

use std::collections::HashMap;

use serde_json::{Map, Value, json};

use crate::catalog::Document;
use crate::catalog::schema_tree::Direction;

/// Schemas copied at most, and nesting followed, before the rest is let
/// through (validated as "anything"): a bound on hostile definitions.
const MAX_DEFS: usize = 20_000;
const MAX_DEPTH: usize = 128;

pub(super) struct Translator<'a> {
    document: Option<&'a Document>,
    direction: Direction,
    /// `(location, $ref)` -> its name in `$defs`.
    names: HashMap<(String, String), String>,
    defs: Map<String, Value>,
}

impl<'a> Translator<'a> {
    pub(super) fn new(document: Option<&'a Document>, direction: Direction) -> Self {
        Self {
            document,
            direction,
            names: HashMap::new(),
            defs: Map::new(),
        }
    }

    /// The standalone schema for `schema` found in the document at `base`.
    pub(super) fn standalone(mut self, base: &'a str, schema: &'a Value) -> Value {
        let mut root = self.schema(base, schema, 0);
        if !self.defs.is_empty() {
            match &mut root {
                Value::Object(fields) => {
                    fields.insert("$defs".into(), Value::Object(self.defs));
                }
                other => {
                    *other = json!({"allOf": [other.take()], "$defs": self.defs});
                }
            }
        }
        root
    }

    fn schema(&mut self, base: &'a str, schema: &'a Value, depth: usize) -> Value {
        let Value::Object(fields) = schema else {
            // `true`, `false`, or something that is no schema (anything).
            return if schema.is_boolean() {
                schema.clone()
            } else {
                Value::Bool(true)
            };
        };
        if depth > MAX_DEPTH {
            return Value::Bool(true);
        }
        let mut out = Map::new();
        for (key, value) in fields {
            let translated = match key.as_str() {
                "$ref" => {
                    // An unresolvable reference validates anything.
                    if let Some(target) = value
                        .as_str()
                        .and_then(|reference| self.reference(base, reference, depth))
                    {
                        out.insert(key.clone(), Value::String(target));
                    }
                    continue;
                }
                "properties" | "patternProperties" | "dependentSchemas" => {
                    let Value::Object(members) = value else {
                        continue;
                    };
                    Value::Object(
                        members
                            .iter()
                            .map(|(name, s)| (name.clone(), self.schema(base, s, depth + 1)))
                            .collect(),
                    )
                }
                "items"
                | "additionalProperties"
                | "not"
                | "contains"
                | "propertyNames"
                | "additionalItems"
                | "unevaluatedProperties"
                | "unevaluatedItems"
                | "if"
                | "then"
                | "else" => match value {
                    // Tuple `items` of older drafts.
                    Value::Array(list) if key == "items" => {
                        out.insert("prefixItems".into(), self.list(base, list, depth));
                        continue;
                    }
                    _ => self.schema(base, value, depth + 1),
                },
                "allOf" | "anyOf" | "oneOf" | "prefixItems" => match value {
                    Value::Array(list) => self.list(base, list, depth),
                    _ => continue,
                },
                // Resolved through `$ref`s instead; examples are no schema.
                "$defs" | "definitions" | "example" | "examples" | "discriminator" | "xml"
                | "externalDocs" | "nullable" | "x-nullable" => continue,
                "type" if value == "file" => continue,
                _ => value.clone(),
            };
            out.insert(key.clone(), translated);
        }
        if fields.get("discriminator").is_some()
            && let Some(variants) = out.remove("oneOf")
        {
            out.insert("anyOf".into(), variants);
        }
        self.exclusive_bounds(&mut out);
        self.skip_required(base, fields, &mut out);
        let nullable = [fields.get("nullable"), fields.get("x-nullable")]
            .into_iter()
            .flatten()
            .any(|v| v == &Value::Bool(true));
        if nullable {
            return nullable_schema(out);
        }
        Value::Object(out)
    }

    fn list(&mut self, base: &'a str, list: &'a [Value], depth: usize) -> Value {
        Value::Array(
            list.iter()
                .map(|s| self.schema(base, s, depth + 1))
                .collect(),
        )
    }

    /// `#/$defs/dN` for a reference, copying its target into `$defs` the
    /// first time it is met; `None` when it cannot be resolved (reported
    /// when the definition loaded) or the copying budget is spent.
    fn reference(&mut self, base: &'a str, reference: &str, depth: usize) -> Option<String> {
        let key = (base.to_string(), reference.to_string());
        if let Some(name) = self.names.get(&key) {
            return Some(format!("#/$defs/{name}"));
        }
        let (target_base, target) = self.document?.resolve(base, reference).ok()?;
        if self.names.len() >= MAX_DEFS {
            return None;
        }
        let name = format!("d{}", self.names.len());
        self.names.insert(key, name.clone());
        let translated = self.schema(target_base, target, depth + 1);
        self.defs.insert(name.clone(), translated);
        Some(format!("#/$defs/{name}"))
    }

    /// 3.0's boolean `exclusiveMinimum`/`exclusiveMaximum` beside the bound.
    fn exclusive_bounds(&self, out: &mut Map<String, Value>) {
        for (flag, bound) in [
            ("exclusiveMinimum", "minimum"),
            ("exclusiveMaximum", "maximum"),
        ] {
            match out.get(flag) {
                Some(Value::Bool(true)) => {
                    let limit = out.remove(bound);
                    out.remove(flag);
                    if let Some(limit) = limit {
                        out.insert(flag.into(), limit);
                    }
                }
                Some(Value::Bool(false)) => {
                    out.remove(flag);
                }
                _ => {}
            }
        }
    }

    /// A read-only property is not sent (so not required in a request), a
    /// write-only one not answered (so not required in a response).
    fn skip_required(
        &self,
        base: &'a str,
        fields: &'a Map<String, Value>,
        out: &mut Map<String, Value>,
    ) {
        let Some(properties) = fields.get("properties").and_then(Value::as_object) else {
            return;
        };
        let flag = match self.direction {
            Direction::Request => "readOnly",
            Direction::Response => "writeOnly",
        };
        let skipped: Vec<&str> = properties
            .iter()
            .filter(|(_, schema)| self.has_flag(base, schema, flag))
            .map(|(name, _)| name.as_str())
            .collect();
        if skipped.is_empty() {
            return;
        }
        if let Some(Value::Array(required)) = out.get_mut("required") {
            required.retain(|r| !r.as_str().is_some_and(|r| skipped.contains(&r)));
        }
    }

    /// The schema, or the target of its `$ref`, says `flag: true`.
    fn has_flag(&self, base: &'a str, schema: &'a Value, flag: &str) -> bool {
        let target = match self.document {
            Some(document) => document.deref(base, schema).map_or(schema, |(_, t)| t),
            None => schema,
        };
        [schema, target]
            .iter()
            .any(|s| s.get(flag).and_then(Value::as_bool) == Some(true))
    }
}

/// The schema that also accepts `null`.
fn nullable_schema(mut out: Map<String, Value>) -> Value {
    if let Some(Value::Array(values)) = out.get_mut("enum")
        && !values.contains(&Value::Null)
    {
        values.push(Value::Null);
    }
    match out.get_mut("type") {
        Some(Value::String(single)) => {
            let single = single.clone();
            out.insert("type".into(), json!([single, "null"]));
            Value::Object(out)
        }
        Some(Value::Array(types)) => {
            if !types.contains(&json!("null")) {
                types.push(json!("null"));
            }
            Value::Object(out)
        }
        _ => json!({"anyOf": [Value::Object(out), {"type": "null"}]}),
    }
}

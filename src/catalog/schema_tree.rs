//! Schemas as trees a person reads: what the operation pane folds and
//! `portico show` prints for parameters, request bodies and responses.
//!
//! One [`SchemaNode`] per property, array items (`[]`), additional
//! properties (`*`) and `oneOf`/`anyOf` variant, each with its type and
//! format, required mark, description, enum values, default, constraints,
//! nullable, read-only and write-only marks. The dialects are read alike:
//! Swagger 2.0 (`x-nullable`), OpenAPI 3.0 (`nullable`, `discriminator`)
//! and 3.1 (type arrays with `null`, `const`, `$defs`, `examples`).
//!
//! `allOf` members are merged into one node; a `$ref` already being
//! expanded above a node is shown once and marked recursive, never
//! expanded again; a node budget and a depth limit bound GitHub's wide,
//! deep schemas. Read-only properties are left out of request trees and
//! write-only ones out of response trees.

use serde::Serialize;
use serde_json::{Map, Value};

use super::model::{Api, Document};

/// Nodes built for one tree before the rest are cut (and marked so).
const MAX_NODES: usize = 4_000;
/// Nesting below which children are cut (and marked so).
const MAX_DEPTH: usize = 24;
/// `$ref` hops and `allOf` levels followed for one node.
const MAX_MERGE: usize = 64;

/// Which way the data goes: read-only properties are not sent, write-only
/// properties are not answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    Request,
    Response,
}

/// One node of a schema tree.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct SchemaNode {
    /// The property name; `[]` for array items, `*` for additional
    /// properties, the variant's label under `oneOf`/`anyOf`, empty for
    /// the root.
    pub name: String,
    /// `string`, `integer`, `object`, `array`, … (several for a 3.1 type
    /// array, without `null`: see `nullable`); empty when the schema says
    /// nothing.
    #[serde(rename = "type", skip_serializing_if = "Vec::is_empty")]
    pub types: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub format: Option<String>,
    pub required: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(rename = "enum", skip_serializing_if = "Vec::is_empty")]
    pub enum_values: Vec<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub default: Option<Value>,
    /// 3.1's `const`.
    #[serde(rename = "const", skip_serializing_if = "Option::is_none")]
    pub constant: Option<Value>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub examples: Vec<Value>,
    /// `minimum 1`, `max length 256`, `pattern ^[a-z]+$`, …, as words.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub constraints: Vec<String>,
    #[serde(skip_serializing_if = "is_false")]
    pub nullable: bool,
    #[serde(skip_serializing_if = "is_false")]
    pub read_only: bool,
    #[serde(skip_serializing_if = "is_false")]
    pub write_only: bool,
    #[serde(skip_serializing_if = "is_false")]
    pub deprecated: bool,
    /// `oneOf` or `anyOf` when the children are alternatives.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub variants: Option<String>,
    /// The property that tells the variants apart.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub discriminator: Option<String>,
    /// `additionalProperties: false`: no property besides those listed.
    #[serde(skip_serializing_if = "is_false")]
    pub closed: bool,
    /// The schema (a `$ref`'s name) is already expanded above this node:
    /// shown once, not again.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub recursive: Option<String>,
    /// Children were left out: the tree's budget or depth ran out.
    #[serde(skip_serializing_if = "is_false")]
    pub cut: bool,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub children: Vec<SchemaNode>,
}

fn is_false(b: &bool) -> bool {
    !b
}

impl SchemaNode {
    /// The type as one phrase: `string (date-time)`, `array of integer`,
    /// `string | integer`, `object`, with `| null` when nullable.
    pub fn type_text(&self) -> String {
        let mut text = match self.types.as_slice() {
            // Alternatives of plain types read as one: `string | integer`.
            [] if self.variants.is_some() => {
                let kinds: Vec<String> = self
                    .children
                    .iter()
                    .map(|variant| {
                        if variant.children.is_empty() {
                            variant.type_text()
                        } else {
                            variant.name.clone()
                        }
                    })
                    .collect();
                kinds.join(" | ")
            }
            [] => "any".to_string(),
            [one] if one == "array" => match self.children.first() {
                Some(items) if items.name == "[]" => format!("array of {}", items.type_text()),
                _ => "array".to_string(),
            },
            types => types.join(" | "),
        };
        if let Some(format) = &self.format {
            text.push_str(&format!(" ({format})"));
        }
        if self.nullable {
            text.push_str(" | null");
        }
        text
    }

    /// Every node depth first with its depth (the root at 0), for a view
    /// that lists the tree line by line.
    pub fn walk(&self) -> Vec<(usize, &SchemaNode)> {
        let mut out = Vec::new();
        let mut stack = vec![(0, self)];
        while let Some((depth, node)) = stack.pop() {
            out.push((depth, node));
            for child in node.children.iter().rev() {
                stack.push((depth + 1, child));
            }
        }
        out
    }

    /// The node's marks and details after its type (the required mark is
    /// the viewer's to place): `one of: a, b`, `default 1`, `≥ 0`,
    /// `read-only`, ….
    pub fn details(&self) -> Vec<String> {
        let mut parts = Vec::new();
        if let Some(constant) = &self.constant {
            parts.push(format!("const {}", short(constant)));
        }
        if !self.enum_values.is_empty() {
            let values: Vec<String> = self.enum_values.iter().map(short).collect();
            parts.push(format!("one of: {}", values.join(", ")));
        }
        if let Some(default) = &self.default {
            parts.push(format!("default {}", short(default)));
        }
        parts.extend(self.constraints.iter().cloned());
        if self.closed {
            parts.push("no other properties".to_string());
        }
        if let Some(property) = &self.discriminator {
            parts.push(format!("told apart by `{property}`"));
        }
        for (flag, word) in [
            (self.read_only, "read-only"),
            (self.write_only, "write-only"),
            (self.deprecated, "deprecated"),
        ] {
            if flag {
                parts.push(word.to_string());
            }
        }
        if let Some(name) = &self.recursive {
            parts.push(format!("recursive: {name}, shown above"));
        }
        if self.cut {
            parts.push("…".to_string());
        }
        parts
    }
}

/// A value as short text: strings bare, the rest as JSON.
fn short(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// The tree of `schema` (which may hold `$ref`s into the API's document).
pub fn schema_tree(api: &Api, schema: &Value, direction: Direction) -> SchemaNode {
    let document = api.document.as_deref();
    let base = document.map_or("", |d| d.location.as_str());
    let mut builder = Builder {
        document,
        direction,
        active: Vec::new(),
        nodes: 0,
    };
    builder.node(String::new(), base, schema, 0)
}

struct Builder<'a> {
    document: Option<&'a Document>,
    direction: Direction,
    /// `$ref`s being expanded above the current node (location, ref).
    active: Vec<(String, String)>,
    nodes: usize,
}

/// A schema with its `allOf` members merged: the keywords of the first
/// member that has each, properties and `required` of all, each property
/// with the document its `$ref`s are relative to.
#[derive(Default)]
struct Merged<'a> {
    fields: Map<String, Value>,
    properties: Vec<(&'a str, &'a str, &'a Value)>,
    required: Vec<String>,
    /// Sub-schemas with their base: items, additionalProperties, variants.
    items: Option<(&'a str, &'a Value)>,
    additional: Option<(&'a str, &'a Value)>,
    variants: Option<(&'static str, Vec<(&'a str, &'a Value)>)>,
    /// The `$ref`s this node went through (to expand its children under).
    refs: Vec<(String, String)>,
    recursive: Option<String>,
}

impl<'a> Builder<'a> {
    fn node(&mut self, name: String, base: &'a str, schema: &'a Value, depth: usize) -> SchemaNode {
        self.nodes += 1;
        let mut merged = Merged::default();
        self.merge(base, schema, &mut merged, 0);
        let mut node = describe(name, &merged);
        if merged.recursive.is_some() {
            node.recursive = merged.recursive;
            return node;
        }
        let has_children = !merged.properties.is_empty()
            || merged.items.is_some()
            || merged.additional.is_some()
            || merged.variants.is_some();
        if has_children && (depth >= MAX_DEPTH || self.nodes >= MAX_NODES) {
            node.cut = true;
            return node;
        }
        let pushed = merged.refs.len();
        self.active.extend(merged.refs.iter().cloned());
        for (prop, prop_base, prop_schema) in merged.properties {
            let mut child = self.node(prop.to_string(), prop_base, prop_schema, depth + 1);
            let skip = match self.direction {
                Direction::Request => child.read_only,
                Direction::Response => child.write_only,
            };
            if skip {
                continue;
            }
            child.required = merged.required.iter().any(|r| r == prop);
            node.children.push(child);
        }
        if let Some((items_base, items)) = merged.items {
            node.children
                .push(self.node("[]".into(), items_base, items, depth + 1));
        }
        if let Some((extra_base, extra)) = merged.additional {
            node.children
                .push(self.node("*".into(), extra_base, extra, depth + 1));
        }
        if let Some((kind, variants)) = merged.variants {
            node.variants = Some(kind.to_string());
            let mapping = discriminator_mapping(&merged.fields);
            for (index, (variant_base, variant)) in variants.into_iter().enumerate() {
                let label = variant_label(variant, index, &mapping);
                node.children
                    .push(self.node(label, variant_base, variant, depth + 1));
            }
        }
        self.active.truncate(self.active.len() - pushed);
        node
    }

    /// Follows `$ref`s and merges `allOf` members into `out`.
    fn merge(&mut self, base: &'a str, schema: &'a Value, out: &mut Merged<'a>, level: usize) {
        if level > MAX_MERGE {
            return;
        }
        let Value::Object(fields) = schema else {
            // `true` (anything) or `false` (nothing) in 3.1.
            return;
        };
        if let Some(reference) = fields.get("$ref").and_then(Value::as_str) {
            // 3.1 lets a `$ref` stand beside other keywords: those win.
            self.take_keywords(base, fields, out);
            let key = (base.to_string(), reference.to_string());
            if self.active.contains(&key) || out.refs.contains(&key) {
                out.recursive = Some(ref_name(reference));
                return;
            }
            let Some((target_base, target)) =
                self.document.and_then(|d| d.resolve(base, reference).ok())
            else {
                out.fields
                    .entry("description")
                    .or_insert_with(|| Value::String(format!("unresolved reference {reference}")));
                return;
            };
            out.refs.push(key);
            self.merge(target_base, target, out, level + 1);
            return;
        }
        self.take_keywords(base, fields, out);
        if let Some(members) = fields.get("allOf").and_then(Value::as_array) {
            for member in members {
                self.merge(base, member, out, level + 1);
            }
        }
    }

    fn take_keywords(
        &mut self,
        base: &'a str,
        fields: &'a Map<String, Value>,
        out: &mut Merged<'a>,
    ) {
        for (key, value) in fields {
            match key.as_str() {
                "$ref" | "allOf" | "properties" | "required" | "items" | "oneOf" | "anyOf" => {}
                "additionalProperties" => match value {
                    Value::Bool(false) => {
                        out.fields
                            .entry("x-portico-closed")
                            .or_insert(Value::Bool(true));
                    }
                    Value::Object(_) if out.additional.is_none() => {
                        out.additional = Some((base, value));
                    }
                    _ => {}
                },
                _ => {
                    out.fields
                        .entry(key.clone())
                        .or_insert_with(|| value.clone());
                }
            }
        }
        if let Some(properties) = fields.get("properties").and_then(Value::as_object) {
            for (name, schema) in properties {
                if !out.properties.iter().any(|(n, _, _)| *n == name) {
                    out.properties.push((name.as_str(), base, schema));
                }
            }
        }
        if let Some(required) = fields.get("required").and_then(Value::as_array) {
            out.required.extend(
                required
                    .iter()
                    .filter_map(Value::as_str)
                    .map(str::to_string),
            );
        }
        if out.items.is_none()
            && let Some(items) = fields.get("items")
        {
            out.items = Some((base, items));
        }
        if out.variants.is_none() {
            for kind in ["oneOf", "anyOf"] {
                if let Some(list) = fields.get(kind).and_then(Value::as_array) {
                    out.variants = Some((kind, list.iter().map(|v| (base, v)).collect()));
                    break;
                }
            }
        }
    }
}

/// The node's own description from the merged keywords (no children).
fn describe(name: String, merged: &Merged<'_>) -> SchemaNode {
    let fields = &merged.fields;
    let text = |key: &str| fields.get(key).and_then(Value::as_str).map(str::to_string);
    let flag = |key: &str| fields.get(key).and_then(Value::as_bool).unwrap_or(false);
    let mut types = Vec::new();
    let mut nullable = flag("nullable") || flag("x-nullable");
    match fields.get("type") {
        Some(Value::String(t)) if t == "null" => nullable = true,
        Some(Value::String(t)) => types.push(t.clone()),
        Some(Value::Array(list)) => {
            for t in list.iter().filter_map(Value::as_str) {
                if t == "null" {
                    nullable = true;
                } else {
                    types.push(t.to_string());
                }
            }
        }
        _ => {}
    }
    if types.is_empty() {
        // Implied by the keywords present, as people read them.
        if !merged.properties.is_empty() || merged.additional.is_some() {
            types.push("object".into());
        } else if merged.items.is_some() {
            types.push("array".into());
        }
    }
    let mut enum_values: Vec<Value> = fields
        .get("enum")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    if enum_values.iter().any(Value::is_null) {
        nullable = true;
        enum_values.retain(|v| !v.is_null());
    }
    let mut examples: Vec<Value> = fields
        .get("examples")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    if let Some(example) = fields.get("example") {
        examples.insert(0, example.clone());
    }
    let description = text("description")
        .or_else(|| text("title"))
        .map(|d| d.trim().to_string())
        .filter(|d| !d.is_empty());
    SchemaNode {
        name,
        types,
        format: text("format"),
        required: false,
        description,
        enum_values,
        default: fields.get("default").cloned(),
        constant: fields.get("const").cloned(),
        examples,
        constraints: constraints(fields),
        nullable,
        read_only: flag("readOnly"),
        write_only: flag("writeOnly"),
        deprecated: flag("deprecated"),
        variants: None,
        discriminator: fields
            .get("discriminator")
            .and_then(|d| d.get("propertyName").or(Some(d)))
            .and_then(Value::as_str)
            .map(str::to_string),
        closed: flag("x-portico-closed"),
        recursive: None,
        cut: false,
        children: Vec::new(),
    }
}

/// The constraints of a schema as words, in a stable order.
fn constraints(fields: &Map<String, Value>) -> Vec<String> {
    let number = |key: &str| {
        fields
            .get(key)
            .filter(|v| v.is_number())
            .map(Value::to_string)
    };
    let mut out = Vec::new();
    // 3.0 writes exclusive bounds as booleans beside the bound, 3.1 as
    // numbers of their own.
    let exclusive = |key: &str| fields.get(key).and_then(Value::as_bool).unwrap_or(false);
    if let Some(min) = number("minimum") {
        let word = if exclusive("exclusiveMinimum") {
            ">"
        } else {
            "≥"
        };
        out.push(format!("{word} {min}"));
    }
    if let Some(min) = number("exclusiveMinimum") {
        out.push(format!("> {min}"));
    }
    if let Some(max) = number("maximum") {
        let word = if exclusive("exclusiveMaximum") {
            "<"
        } else {
            "≤"
        };
        out.push(format!("{word} {max}"));
    }
    if let Some(max) = number("exclusiveMaximum") {
        out.push(format!("< {max}"));
    }
    if let Some(step) = number("multipleOf") {
        out.push(format!("multiple of {step}"));
    }
    for (key, words) in [
        ("minLength", "min length"),
        ("maxLength", "max length"),
        ("minItems", "min items"),
        ("maxItems", "max items"),
        ("minProperties", "min properties"),
        ("maxProperties", "max properties"),
    ] {
        if let Some(n) = number(key) {
            out.push(format!("{words} {n}"));
        }
    }
    if fields.get("uniqueItems").and_then(Value::as_bool) == Some(true) {
        out.push("unique items".into());
    }
    if let Some(pattern) = fields.get("pattern").and_then(Value::as_str) {
        out.push(format!("pattern {pattern}"));
    }
    out
}

/// The last part of a reference: `#/components/schemas/Pet` -> `Pet`.
fn ref_name(reference: &str) -> String {
    reference
        .rsplit('/')
        .next()
        .filter(|s| !s.is_empty())
        .unwrap_or(reference)
        .to_string()
}

/// `discriminator.mapping` as (reference, value) pairs.
fn discriminator_mapping(fields: &Map<String, Value>) -> Vec<(String, String)> {
    fields
        .get("discriminator")
        .and_then(|d| d.get("mapping"))
        .and_then(Value::as_object)
        .map(|m| {
            m.iter()
                .filter_map(|(value, target)| Some((target.as_str()?.to_string(), value.clone())))
                .collect()
        })
        .unwrap_or_default()
}

/// A variant's label: its title, else its reference's name, else its
/// type, else its position; with the discriminator value that selects it.
fn variant_label(variant: &Value, index: usize, mapping: &[(String, String)]) -> String {
    let reference = variant.get("$ref").and_then(Value::as_str);
    let mut label = variant
        .get("title")
        .and_then(Value::as_str)
        .map(str::to_string)
        .or_else(|| reference.map(ref_name))
        .or_else(|| {
            variant
                .get("type")
                .and_then(Value::as_str)
                .map(str::to_string)
        })
        .unwrap_or_else(|| format!("variant {}", index + 1));
    if let Some(reference) = reference
        && let Some((_, value)) = mapping
            .iter()
            .find(|(target, _)| target == reference || ref_name(target) == ref_name(reference))
    {
        label.push_str(&format!(" ({value})"));
    }
    label
}

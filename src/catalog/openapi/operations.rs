//! Path items into operations: their parameters (shared ones merged,
//! references followed) and the type summaries of their schemas.

use serde_json::Value;

use super::servers::requirements;
use super::{
    Cx, MAX_CALLBACK_DEPTH, MAX_CALLBACK_OPS, METHODS, SUMMARY_DEPTH, SUMMARY_VISITS,
    operation_weight, rebase_refs, str_field, strings,
};
use crate::catalog::document::escape_token;
use crate::catalog::model::{Operation, ParamLocation, ParamStyle, Parameter, SchemaSummary};

impl<'d> Cx<'d, '_> {
    pub(super) fn path_item<'a>(
        &mut self,
        base: &'a str,
        path: &str,
        item: &'a Value,
        pointer: &str,
    ) -> (Vec<Operation>, Vec<Operation>)
    where
        'd: 'a,
    {
        let Some((base, item)) = self.deref(base, item, pointer) else {
            return (Vec::new(), Vec::new());
        };
        let Some(fields) = item.as_object() else {
            self.warn(pointer, "path item is not an object");
            return (Vec::new(), Vec::new());
        };
        if self.over_budget(pointer) {
            return (Vec::new(), Vec::new());
        }
        let shared = self.raw_parameters(
            base,
            item.get("parameters"),
            &format!("{pointer}/parameters"),
        );
        let mut ops = Vec::new();
        let mut callbacks = Vec::new();
        for (key, op) in fields {
            let Some(method) = METHODS.iter().find(|m| m.eq_ignore_ascii_case(key)) else {
                continue;
            };
            let op_pointer = format!("{pointer}/{key}");
            if !op.is_object() {
                self.warn(&op_pointer, "operation is not an object");
                continue;
            }
            if self.over_budget(&op_pointer) {
                break;
            }
            let (operation, op_callbacks) =
                self.operation(base, method, path, op, &shared, &op_pointer);
            self.copied += operation_weight(&operation);
            ops.push(operation);
            callbacks.extend(op_callbacks);
        }
        (ops, callbacks)
    }

    /// Parameters with `$ref`s followed, as `(base, value, pointer)`.
    pub(super) fn raw_parameters<'a>(
        &mut self,
        base: &'a str,
        list: Option<&'a Value>,
        pointer: &str,
    ) -> Vec<(&'a str, &'a Value, String)>
    where
        'd: 'a,
    {
        let Some(list) = list else {
            return Vec::new();
        };
        let Some(items) = list.as_array() else {
            self.warn(pointer, "parameters is not a list");
            return Vec::new();
        };
        let mut out = Vec::new();
        for (i, p) in items.iter().enumerate() {
            let p_pointer = format!("{pointer}/{i}");
            if let Some((b, p)) = self.deref(base, p, &p_pointer) {
                if p.is_object() {
                    out.push((b, p, p_pointer));
                } else {
                    self.warn(&p_pointer, "parameter is not an object");
                }
            }
        }
        out
    }

    pub(super) fn operation<'a>(
        &mut self,
        base: &'a str,
        method: &str,
        path: &str,
        op: &'a Value,
        shared: &[(&'a str, &'a Value, String)],
        pointer: &str,
    ) -> (Operation, Vec<Operation>)
    where
        'd: 'a,
    {
        let own = self.raw_parameters(base, op.get("parameters"), &format!("{pointer}/parameters"));
        // Operation-level parameters override path-level ones with the same name and place.
        let mut merged: Vec<(&'a str, &'a Value, String)> = shared
            .iter()
            .filter(|(_, s, _)| {
                !own.iter()
                    .any(|(_, o, _)| o.get("name") == s.get("name") && o.get("in") == s.get("in"))
            })
            .cloned()
            .collect();
        merged.extend(own);

        let mut operation = Operation {
            method: method.to_ascii_uppercase(),
            path: path.to_string(),
            display_name: None,
            operation_id: str_field(op, "operationId").filter(|s| !s.is_empty()),
            summary: str_field(op, "summary"),
            description: str_field(op, "description"),
            tags: strings(op.get("tags")),
            deprecated: op
                .get("deprecated")
                .and_then(Value::as_bool)
                .unwrap_or(false),
            security: op.get("security").map(|s| requirements(Some(s))),
            ..Operation::default()
        };

        let mut form_fields = Vec::new();
        for (p_base, p, p_pointer) in &merged {
            let location = p.get("in").and_then(Value::as_str).unwrap_or_default();
            match (self.v2, location) {
                (true, "body") => operation.request_body = Some(self.body_v2(p_base, p, op)),
                (true, "formData") => form_fields.push(*p),
                _ => {
                    if let Some(parameter) = self.parameter(p_base, p, p_pointer) {
                        operation.parameters.push(parameter);
                    }
                }
            }
        }
        if !form_fields.is_empty() && operation.request_body.is_none() {
            operation.request_body = Some(self.form_body_v2(&form_fields, op));
        }
        if !self.v2
            && let Some(body) = op.get("requestBody")
        {
            operation.request_body = self.body_v3(base, body, &format!("{pointer}/requestBody"));
        }
        operation.responses = self.responses(base, op, &format!("{pointer}/responses"));

        let mut callbacks = Vec::new();
        if let Some(map) = op.get("callbacks").and_then(Value::as_object) {
            if self.callback_depth >= MAX_CALLBACK_DEPTH {
                self.warn_once(
                    &format!("{pointer}/callbacks"),
                    format!("callbacks nested more than {MAX_CALLBACK_DEPTH} deep are not read"),
                );
                return (operation, callbacks);
            }
            self.callback_depth += 1;
            'callbacks: for (name, callback) in map {
                let cb_pointer = format!("{pointer}/callbacks/{}", escape_token(name));
                let Some((cb_base, callback)) = self.deref(base, callback, &cb_pointer) else {
                    continue;
                };
                for (expression, item) in callback.as_object().into_iter().flatten() {
                    let item_pointer = format!("{cb_pointer}/{}", escape_token(expression));
                    if self.callback_ops >= MAX_CALLBACK_OPS {
                        self.warn_once(
                            &item_pointer,
                            format!("more than {MAX_CALLBACK_OPS} callback operations; the rest are not read"),
                        );
                        break 'callbacks;
                    }
                    let (mut ops, nested) =
                        self.path_item(cb_base, expression, item, &item_pointer);
                    self.callback_ops += ops.len();
                    // Without a summary or id, a callback would be named
                    // by its method and path, beside its method: say whose
                    // callback it is instead.
                    for op in &mut ops {
                        if op.summary.as_deref().is_none_or(|s| s.trim().is_empty())
                            && op.operation_id.is_none()
                        {
                            op.display_name = Some(format!(
                                "{name} callback of {} {}",
                                operation.method, operation.path
                            ));
                        }
                    }
                    callbacks.extend(ops);
                    callbacks.extend(nested);
                }
            }
            self.callback_depth -= 1;
        }
        (operation, callbacks)
    }

    pub(super) fn parameter<'a>(
        &mut self,
        base: &'a str,
        p: &'a Value,
        pointer: &str,
    ) -> Option<Parameter>
    where
        'd: 'a,
    {
        let Some(name) = str_field(p, "name") else {
            self.warn(pointer, "parameter without a name");
            return None;
        };
        let location = match p.get("in").and_then(Value::as_str) {
            Some("path") => ParamLocation::Path,
            Some("query") => ParamLocation::Query,
            Some("header") => ParamLocation::Header,
            Some("cookie") => ParamLocation::Cookie,
            other => {
                self.warn(
                    pointer,
                    format!("parameter {name:?} has unknown location {other:?}"),
                );
                return None;
            }
        };
        let (schema, schema_base) = if self.v2 {
            (Some(p), base)
        } else if let Some(schema) = p.get("schema") {
            (Some(schema), base)
        } else {
            let first = p
                .get("content")
                .and_then(Value::as_object)
                .and_then(|c| c.values().next())
                .and_then(|m| m.get("schema"));
            (first, base)
        };
        let summary = self.summary(schema_base, schema, pointer);

        let default_style = match location {
            ParamLocation::Query | ParamLocation::Cookie => ParamStyle::Form,
            ParamLocation::Path | ParamLocation::Header => ParamStyle::Simple,
        };
        let (style, explode) = if self.v2 {
            match p.get("collectionFormat").and_then(Value::as_str) {
                Some("multi") => (ParamStyle::Form, true),
                Some("ssv") => (ParamStyle::SpaceDelimited, false),
                Some("pipes") => (ParamStyle::PipeDelimited, false),
                _ => (default_style, false),
            }
        } else {
            let style = match p.get("style").and_then(Value::as_str) {
                Some("simple") => ParamStyle::Simple,
                Some("label") => ParamStyle::Label,
                Some("matrix") => ParamStyle::Matrix,
                Some("form") => ParamStyle::Form,
                Some("spaceDelimited") => ParamStyle::SpaceDelimited,
                Some("pipeDelimited") => ParamStyle::PipeDelimited,
                Some("deepObject") => ParamStyle::DeepObject,
                _ => default_style,
            };
            let explode = p
                .get("explode")
                .and_then(Value::as_bool)
                .unwrap_or(style == ParamStyle::Form);
            (style, explode)
        };

        let example = p
            .get("example")
            .or_else(|| p.get("x-example"))
            .cloned()
            .or_else(|| {
                let first = p.get("examples")?.as_object()?.values().next()?;
                let (_, example) = self.doc.deref(base, first).ok()?;
                example.get("value").cloned()
            })
            .or_else(|| {
                let (_, schema) = self.doc.deref(schema_base, schema?).ok()?;
                schema.get("example").cloned()
            });

        // Kept for its tree only when there is one to draw.
        let schema_value = schema.filter(|&s| {
            self.doc
                .deref(schema_base, s)
                .is_ok_and(|(_, resolved)| has_structure(resolved))
        });
        let schema_value = schema_value.cloned();
        Some(Parameter {
            name,
            location,
            required: location == ParamLocation::Path
                || p.get("required").and_then(Value::as_bool).unwrap_or(false),
            description: str_field(p, "description"),
            deprecated: p
                .get("deprecated")
                .and_then(Value::as_bool)
                .unwrap_or(false),
            schema: summary,
            style,
            explode,
            example,
            template_variable: None,
            schema_value,
        })
    }

    /// The parts of a schema a form needs, through `$ref`s and simple
    /// compositions.
    pub(super) fn summary<'a>(
        &mut self,
        base: &'a str,
        schema: Option<&'a Value>,
        pointer: &str,
    ) -> SchemaSummary
    where
        'd: 'a,
    {
        let Some(schema) = schema else {
            return SchemaSummary::default();
        };
        let Some((base, schema)) = self.deref(base, schema, pointer) else {
            return SchemaSummary::default();
        };
        let items_type = schema
            .get("items")
            .and_then(|items| self.doc.deref(base, items).ok())
            .and_then(|(b, items)| self.type_of(b, items, 0, &mut { SUMMARY_VISITS }));
        SchemaSummary {
            type_name: self.type_of(base, schema, 0, &mut { SUMMARY_VISITS }),
            format: str_field(schema, "format"),
            enum_values: schema
                .get("enum")
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default(),
            default: schema.get("default").cloned(),
            items_type,
        }
    }

    /// `visits` bounds the whole search: wide compositions of references
    /// would otherwise multiply at every level.
    pub(super) fn type_of(
        &self,
        base: &str,
        schema: &Value,
        depth: usize,
        visits: &mut usize,
    ) -> Option<String> {
        *visits = visits.checked_sub(1)?;
        match schema.get("type") {
            Some(Value::String(t)) => return Some(t.clone()),
            Some(Value::Array(types)) => {
                return types
                    .iter()
                    .filter_map(Value::as_str)
                    .find(|t| *t != "null")
                    .map(str::to_string);
            }
            _ => {}
        }
        if depth < SUMMARY_DEPTH {
            for key in ["allOf", "oneOf", "anyOf"] {
                for part in schema
                    .get(key)
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                {
                    if let Ok((b, part)) = self.doc.deref(base, part)
                        && let Some(t) = self.type_of(b, part, depth + 1, visits)
                    {
                        return Some(t);
                    }
                }
            }
        }
        if schema.get("properties").is_some() {
            return Some("object".into());
        }
        if schema.get("items").is_some() {
            return Some("array".into());
        }
        None
    }

    /// A schema written in another file, with its `$ref`s rewritten so they
    /// resolve from the root document.
    pub(super) fn rebase(&self, base: &str, value: &Value) -> Value {
        let mut value = value.clone();
        if base != self.root {
            rebase_refs(&mut value, base);
        }
        value
    }
}

/// Whether a parameter's schema has more to show than its type: an object
/// with properties, variants, or items that are objects.
fn has_structure(schema: &Value) -> bool {
    let object_like = |s: &Value| {
        [
            "properties",
            "oneOf",
            "anyOf",
            "allOf",
            "additionalProperties",
        ]
        .iter()
        .any(|k| s.get(*k).is_some_and(|v| !v.is_boolean()))
            || s.get("type").and_then(Value::as_str) == Some("object")
    };
    object_like(schema)
        || schema
            .get("items")
            .is_some_and(|items| items.get("$ref").is_some() || object_like(items))
}

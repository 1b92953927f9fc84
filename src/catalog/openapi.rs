//! OpenAPI 3.x and Swagger 2.0 definitions into the catalog model.
//!
//! One lenient normaliser for both: real definitions break the rules
//! (`type: [..]` in 2.0, duplicated operationIds, no host, dangling
//! `$ref`s), and a user wants them to open anyway. A part that cannot be
//! read becomes a [`Warning`] with its JSON pointer; the rest loads.

use std::sync::Arc;

use serde_json::{Map, Value, json};

use super::document::{escape_token, is_url, join_location};
use super::model::{
    Api, Document, Example, MediaType, Operation, ParamLocation, ParamStyle, Parameter,
    RequestBody, ResponseDoc, SchemaSummary, SecurityKind, SecurityRequirement, SecurityScheme,
    Server, ServerVariable, Warning,
};
use super::slug;

/// The path-item keys that are operations (3.2 adds `query`).
const METHODS: [&str; 9] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace", "query",
];

/// How deep `allOf`/`oneOf` nesting is followed to find a schema's type.
const SUMMARY_DEPTH: usize = 4;
/// How many schemas one such search may look at in all.
const SUMMARY_VISITS: usize = 64;
/// How deeply callbacks declared inside callbacks are read.
const MAX_CALLBACK_DEPTH: usize = 3;
/// Callback operations read for one definition.
const MAX_CALLBACK_OPS: usize = 1_000;
/// Values (parameters, schema nodes, examples) copied out of one
/// definition into its operations. References let a small file name one
/// large path item or parameter list thousands of times; real definitions
/// copy far less (GitHub's, 13 MB, about 27,000).
const MAX_COPIED: usize = 1_000_000;

pub(crate) fn normalise(
    document: &Arc<Document>,
    source: &str,
    warnings: &mut Vec<Warning>,
) -> Result<Api, String> {
    let doc: &Document = document;
    let v2 = match (doc.pointer("/openapi"), doc.pointer("/swagger")) {
        (Some(version), _) => {
            let version = text(version).unwrap_or_default();
            if !version.starts_with('3') {
                warnings.push(Warning {
                    source: source.to_string(),
                    pointer: Some("/openapi".into()),
                    message: format!("OpenAPI version {version:?} read as 3.x"),
                });
            }
            false
        }
        (None, Some(version)) => {
            let version = text(version).unwrap_or_default();
            if version != "2.0" {
                warnings.push(Warning {
                    source: source.to_string(),
                    pointer: Some("/swagger".into()),
                    message: format!("Swagger version {version:?} read as 2.0"),
                });
            }
            true
        }
        (None, None) => {
            return Err(
                "not an OpenAPI or Swagger definition (no `openapi` or `swagger` field)".into(),
            );
        }
    };
    let mut cx = Cx {
        doc,
        root: &doc.location,
        source,
        v2,
        consumes: strings(doc.pointer("/consumes")),
        produces: strings(doc.pointer("/produces")),
        warnings,
        callback_depth: 0,
        callback_ops: 0,
        copied: 0,
    };

    let info = doc.pointer("/info");
    let stem = source
        .rsplit(['/', '\\'])
        .next()
        .unwrap_or(source)
        .split('.')
        .next()
        .unwrap_or_default()
        .to_string();
    let title = info
        .and_then(|i| i.get("title"))
        .and_then(text)
        .filter(|t| !t.trim().is_empty())
        .unwrap_or_else(|| stem.clone());
    let id = Some(slug(&title))
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| slug(&stem));

    let mut api = Api {
        id,
        title,
        version: info
            .and_then(|i| i.get("version"))
            .and_then(text)
            .unwrap_or_default(),
        description: info.and_then(|i| str_field(i, "description")),
        source: source.to_string(),
        servers: if v2 { cx.servers_v2() } else { cx.servers_v3() },
        security_schemes: cx.security_schemes(),
        security: requirements(doc.pointer("/security")),
        ..Api::default()
    };

    for (path, item) in doc.entries("/paths") {
        let pointer = format!("/paths/{}", escape_token(path));
        let (ops, callbacks) = cx.path_item(cx.root, path, item, &pointer);
        api.operations.extend(ops);
        api.webhooks.extend(callbacks);
    }
    for section in ["/webhooks", "/x-webhooks"] {
        for (name, item) in doc.entries(section) {
            let pointer = format!("{section}/{}", escape_token(name));
            let (ops, callbacks) = cx.path_item(cx.root, name, item, &pointer);
            api.webhooks.extend(ops);
            api.webhooks.extend(callbacks);
        }
    }
    api.document = Some(Arc::clone(document));
    Ok(api)
}

struct Cx<'a, 'w> {
    doc: &'a Document,
    /// The root document's location key.
    root: &'a str,
    /// The source as the user named it, for warnings.
    source: &'a str,
    v2: bool,
    consumes: Vec<String>,
    produces: Vec<String>,
    warnings: &'w mut Vec<Warning>,
    /// Callbacks being read inside callbacks: a callback's path item may be
    /// a reference back to the operation that declares it.
    callback_depth: usize,
    /// Operations read from callbacks so far, against references that
    /// multiply them.
    callback_ops: usize,
    /// Values copied into operations so far (see [`MAX_COPIED`]).
    copied: usize,
}

impl<'a> Cx<'a, '_> {
    fn warn(&mut self, pointer: &str, message: impl Into<String>) {
        self.warnings.push(Warning {
            source: self.source.to_string(),
            pointer: Some(pointer.to_string()),
            message: message.into(),
        });
    }

    /// A warning that references may repeat at many places: given once,
    /// at the first.
    fn warn_once(&mut self, pointer: &str, message: String) {
        let known = self.warnings.iter().any(|w| w.message == message);
        if !known {
            self.warn(pointer, message);
        }
    }

    /// Whether [`MAX_COPIED`] is spent; says so once.
    fn over_budget(&mut self, pointer: &str) -> bool {
        if self.copied <= MAX_COPIED {
            return false;
        }
        self.warn_once(
            pointer,
            format!("the definition's references expand to more than {MAX_COPIED} values; the operations from here on are not read"),
        );
        true
    }

    /// Follows `$ref`s, turning a failure into a warning.
    fn deref(
        &mut self,
        base: &'a str,
        value: &'a Value,
        pointer: &str,
    ) -> Option<(&'a str, &'a Value)> {
        match self.doc.deref(base, value) {
            Ok(found) => Some(found),
            Err(message) => {
                self.warn(pointer, message);
                None
            }
        }
    }

    fn servers_v3(&mut self) -> Vec<Server> {
        let mut servers = Vec::new();
        if let Some(list) = self.doc.pointer("/servers").and_then(Value::as_array) {
            for server in list {
                let Some(url) = str_field(server, "url") else {
                    continue;
                };
                let variables = server
                    .get("variables")
                    .and_then(Value::as_object)
                    .map(|vars| {
                        vars.iter()
                            .map(|(name, var)| {
                                let variable = ServerVariable {
                                    default: var.get("default").and_then(text).unwrap_or_default(),
                                    enum_values: var
                                        .get("enum")
                                        .and_then(Value::as_array)
                                        .map(|e| e.iter().filter_map(text).collect())
                                        .unwrap_or_default(),
                                    description: str_field(var, "description"),
                                };
                                (name.clone(), variable)
                            })
                            .collect()
                    })
                    .unwrap_or_default();
                servers.push(Server {
                    url: self.absolute_server(&url),
                    description: str_field(server, "description"),
                    variables,
                });
            }
        }
        if servers.is_empty() && is_url(self.source) {
            servers.push(Server {
                url: self.absolute_server("/"),
                ..Server::default()
            });
        }
        servers
    }

    /// A relative server URL is relative to where the definition came from.
    fn absolute_server(&self, url: &str) -> String {
        if is_url(self.source) && !url.contains("://") && !url.starts_with('{') {
            let joined = join_location(self.source, url);
            return joined.trim_end_matches('/').to_string();
        }
        url.to_string()
    }

    fn servers_v2(&mut self) -> Vec<Server> {
        let base_path = self
            .doc
            .pointer("/basePath")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .trim_end_matches('/');
        let base_path = if base_path.is_empty() || base_path.starts_with('/') {
            base_path.to_string()
        } else {
            format!("/{base_path}")
        };
        let Some(host) = self.doc.pointer("/host").and_then(Value::as_str) else {
            if is_url(self.source) {
                return vec![Server {
                    url: self.absolute_server(if base_path.is_empty() {
                        "/"
                    } else {
                        &base_path
                    }),
                    ..Server::default()
                }];
            }
            if base_path.is_empty() {
                return Vec::new();
            }
            return vec![Server {
                url: base_path,
                ..Server::default()
            }];
        };
        let host = host.trim_end_matches('/');
        let mut schemes = strings(self.doc.pointer("/schemes"));
        if schemes.is_empty() {
            let from_source = if self.source.to_ascii_lowercase().starts_with("http://") {
                "http"
            } else {
                "https"
            };
            schemes.push(from_source.to_string());
        }
        schemes
            .iter()
            .filter(|s| s.eq_ignore_ascii_case("http") || s.eq_ignore_ascii_case("https"))
            .map(|scheme| Server {
                url: format!("{}://{host}{base_path}", scheme.to_ascii_lowercase()),
                ..Server::default()
            })
            .collect()
    }

    fn security_schemes(&mut self) -> Vec<SecurityScheme> {
        let section = if self.v2 {
            "/securityDefinitions"
        } else {
            "/components/securitySchemes"
        };
        let mut out = Vec::new();
        for (name, scheme) in self.doc.entries(section) {
            let pointer = format!("{section}/{}", escape_token(name));
            let Some((_, scheme)) = self.deref(self.root, scheme, &pointer) else {
                continue;
            };
            out.push(SecurityScheme {
                name: name.to_string(),
                kind: security_kind(scheme),
                description: str_field(scheme, "description"),
            });
        }
        out
    }

    /// The operations of a path item and of their callbacks.
    fn path_item(
        &mut self,
        base: &'a str,
        path: &str,
        item: &'a Value,
        pointer: &str,
    ) -> (Vec<Operation>, Vec<Operation>) {
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
    fn raw_parameters(
        &mut self,
        base: &'a str,
        list: Option<&'a Value>,
        pointer: &str,
    ) -> Vec<(&'a str, &'a Value, String)> {
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

    fn operation(
        &mut self,
        base: &'a str,
        method: &str,
        path: &str,
        op: &'a Value,
        shared: &[(&'a str, &'a Value, String)],
        pointer: &str,
    ) -> (Operation, Vec<Operation>) {
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
                    let (ops, nested) = self.path_item(cb_base, expression, item, &item_pointer);
                    self.callback_ops += ops.len();
                    callbacks.extend(ops);
                    callbacks.extend(nested);
                }
            }
            self.callback_depth -= 1;
        }
        (operation, callbacks)
    }

    fn parameter(&mut self, base: &'a str, p: &'a Value, pointer: &str) -> Option<Parameter> {
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
        })
    }

    /// The parts of a schema a form needs, through `$ref`s and simple
    /// compositions.
    fn summary(
        &mut self,
        base: &'a str,
        schema: Option<&'a Value>,
        pointer: &str,
    ) -> SchemaSummary {
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
    fn type_of(
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
    fn rebase(&self, base: &str, value: &Value) -> Value {
        let mut value = value.clone();
        if base != self.root {
            rebase_refs(&mut value, base);
        }
        value
    }

    fn body_v3(&mut self, base: &'a str, body: &'a Value, pointer: &str) -> Option<RequestBody> {
        let (base, body) = self.deref(base, body, pointer)?;
        let mut content = Vec::new();
        for (content_type, media) in body
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
        Some(RequestBody {
            description: str_field(body, "description"),
            required: body
                .get("required")
                .and_then(Value::as_bool)
                .unwrap_or(false),
            content,
        })
    }

    fn consumes(&self, op: &Value) -> Vec<String> {
        let own = strings(op.get("consumes"));
        if own.is_empty() {
            self.consumes.clone()
        } else {
            own
        }
    }

    fn body_v2(&mut self, base: &'a str, p: &'a Value, op: &Value) -> RequestBody {
        let mut types: Vec<String> = self
            .consumes(op)
            .into_iter()
            .filter(|t| !is_form_type(t))
            .collect();
        if types.is_empty() {
            types.push("application/json".into());
        }
        let schema = p.get("schema").map(|s| self.rebase(base, s));
        let examples = p.get("x-examples").and_then(Value::as_object);
        RequestBody {
            description: str_field(p, "description"),
            required: p.get("required").and_then(Value::as_bool).unwrap_or(false),
            content: types
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
                    schema: schema.clone(),
                })
                .collect(),
        }
    }

    /// Swagger 2.0 `formData` parameters as one object schema.
    fn form_body_v2(&mut self, fields: &[&Value], op: &Value) -> RequestBody {
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
                .find(|t| is_form_type(t))
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

    fn responses(&mut self, base: &'a str, op: &'a Value, pointer: &str) -> Vec<ResponseDoc> {
        let mut out = Vec::new();
        for (status, response) in op
            .get("responses")
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
        {
            let r_pointer = format!("{pointer}/{}", escape_token(status));
            let Some((_, response)) = self.deref(base, response, &r_pointer) else {
                out.push(ResponseDoc {
                    status: status.clone(),
                    ..ResponseDoc::default()
                });
                continue;
            };
            let content_types = if self.v2 {
                if response.get("schema").is_some() {
                    let own = strings(op.get("produces"));
                    if own.is_empty() {
                        self.produces.clone()
                    } else {
                        own
                    }
                } else {
                    Vec::new()
                }
            } else {
                response
                    .get("content")
                    .and_then(Value::as_object)
                    .map(|c| c.keys().cloned().collect())
                    .unwrap_or_default()
            };
            out.push(ResponseDoc {
                status: status.clone(),
                description: str_field(response, "description"),
                content_types,
            });
        }
        out
    }
}

/// How many values an operation holds: itself, its parameters and the
/// schema nodes and examples copied into it.
fn operation_weight(op: &Operation) -> usize {
    let parameters: usize = op
        .parameters
        .iter()
        .map(|p| {
            1 + p.schema.enum_values.iter().map(value_weight).sum::<usize>()
                + p.schema.default.as_ref().map_or(0, value_weight)
                + p.example.as_ref().map_or(0, value_weight)
        })
        .sum();
    let body: usize = op
        .request_body
        .iter()
        .flat_map(|b| &b.content)
        .map(|m| {
            1 + m.schema.as_ref().map_or(0, value_weight)
                + m.examples
                    .iter()
                    .map(|e| value_weight(&e.value))
                    .sum::<usize>()
        })
        .sum();
    1 + parameters + body + op.responses.len()
}

fn value_weight(value: &Value) -> usize {
    match value {
        Value::Array(items) => 1 + items.iter().map(value_weight).sum::<usize>(),
        Value::Object(map) => 1 + map.values().map(value_weight).sum::<usize>(),
        _ => 1,
    }
}

fn is_form_type(content_type: &str) -> bool {
    let t = content_type.to_ascii_lowercase();
    t.starts_with("application/x-www-form-urlencoded") || t.starts_with("multipart/form-data")
}

/// Makes every `$ref` in a value written in the file at `base` absolute.
fn rebase_refs(value: &mut Value, base: &str) {
    match value {
        Value::Object(map) => {
            for (key, v) in map.iter_mut() {
                if key == "$ref" {
                    if let Value::String(reference) = v {
                        *reference = match reference.split_once('#') {
                            Some(("", fragment)) => format!("{base}#{fragment}"),
                            Some((file, fragment)) => {
                                format!("{}#{fragment}", join_location(base, file))
                            }
                            None => join_location(base, reference),
                        };
                    }
                } else {
                    rebase_refs(v, base);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|v| rebase_refs(v, base)),
        _ => {}
    }
}

fn security_kind(scheme: &Value) -> SecurityKind {
    let kind = scheme
        .get("type")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_ascii_lowercase();
    match kind.as_str() {
        "apikey" => SecurityKind::ApiKey {
            param: str_field(scheme, "name").unwrap_or_default(),
            location: match scheme.get("in").and_then(Value::as_str) {
                Some("query") => ParamLocation::Query,
                Some("cookie") => ParamLocation::Cookie,
                _ => ParamLocation::Header,
            },
        },
        "http" => {
            let http = scheme
                .get("scheme")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_ascii_lowercase();
            match http.as_str() {
                "bearer" => SecurityKind::Bearer {
                    format: str_field(scheme, "bearerFormat"),
                },
                "basic" => SecurityKind::Basic,
                other => SecurityKind::Other {
                    description: format!("HTTP {other} authentication"),
                },
            }
        }
        "basic" => SecurityKind::Basic,
        "oauth2" => {
            let flows: Vec<String> = match scheme.get("flows").and_then(Value::as_object) {
                Some(flows) => flows.keys().cloned().collect(),
                None => str_field(scheme, "flow").into_iter().collect(),
            };
            SecurityKind::OAuth2 {
                description: if flows.is_empty() {
                    "OAuth 2".into()
                } else {
                    format!("OAuth 2 ({})", flows.join(", "))
                },
            }
        }
        "openidconnect" => SecurityKind::OAuth2 {
            description: match str_field(scheme, "openIdConnectUrl") {
                Some(url) => format!("OpenID Connect ({url})"),
                None => "OpenID Connect".into(),
            },
        },
        "mutualtls" => SecurityKind::Other {
            description: "mutual TLS".into(),
        },
        other => SecurityKind::Other {
            description: format!("security scheme of type {other:?}"),
        },
    }
}

fn requirements(value: Option<&Value>) -> Vec<SecurityRequirement> {
    value
        .and_then(Value::as_array)
        .map(|alternatives| {
            alternatives
                .iter()
                .filter_map(Value::as_object)
                .map(|requirement| {
                    requirement
                        .iter()
                        .map(|(name, scopes)| (name.clone(), strings(Some(scopes))))
                        .collect()
                })
                .collect()
        })
        .unwrap_or_default()
}

/// A scalar as text (`version: 1.0` in YAML is a number).
fn text(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

fn str_field(value: &Value, key: &str) -> Option<String> {
    value.get(key).and_then(Value::as_str).map(str::to_string)
}

fn strings(value: Option<&Value>) -> Vec<String> {
    value
        .and_then(Value::as_array)
        .map(|items| items.iter().filter_map(text).collect())
        .unwrap_or_default()
}

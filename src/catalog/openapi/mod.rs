//! OpenAPI 3.x and Swagger 2.0 definitions into the catalog model.
//!
//! One lenient normaliser for both: real definitions break the rules
//! (`type: [..]` in 2.0, duplicated operationIds, no host, dangling
//! `$ref`s), and a user wants them to open anyway. A part that cannot be
//! read becomes a [`Warning`] with its JSON pointer; the rest loads.

use std::sync::Arc;

use serde_json::Value;

use super::document::{escape_token, join_location};
use super::model::{Api, Document, Operation, Warning};
use super::slug;

mod bodies;
mod operations;
mod servers;

use servers::requirements;

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

    // Azure's `x-ms-paths` holds paths that `paths` cannot: the same path
    // told apart by a fixed query (`/jobs?op=start`). The request builder
    // moves such a query part to the query string.
    // Each path item is read once into operations, then let go: the
    // operations keep what the catalog shows, and a schema tree or a
    // check that needs more finds it again through the document.
    for section in ["/paths", "/x-ms-paths"] {
        let (operations, webhooks) = cx.path_items(section);
        api.operations.extend(operations);
        api.webhooks.extend(webhooks);
    }
    for section in ["/webhooks", "/x-webhooks"] {
        doc.each_entry(section, |name, item| {
            let pointer = format!("{section}/{}", escape_token(name));
            let (ops, callbacks) = cx.path_item(cx.root, name, item, &pointer);
            api.webhooks.extend(ops);
            api.webhooks.extend(callbacks);
        });
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

/// Path items at least this many are read on two threads, each its half:
/// Microsoft Graph's 5,000 take longer to read than to parse.
const PATH_ITEMS_ON_TWO_THREADS: usize = 1_000;

impl<'d> Cx<'d, '_> {
    /// The operations and callbacks of each path item of `section`, in
    /// their order. A large split section is read in two halves at once,
    /// the second on a thread of its own with its own warnings, appended
    /// after the first's.
    fn path_items(&mut self, section: &str) -> (Vec<Operation>, Vec<Operation>) {
        let read = |cx: &mut Cx<'d, '_>, part: Option<std::ops::Range<usize>>| {
            let (mut operations, mut webhooks) = (Vec::new(), Vec::new());
            cx.doc.each_entry_of(section, part, |path, item| {
                let pointer = format!("{section}/{}", escape_token(path));
                let (ops, callbacks) = cx.path_item(cx.root, path, item, &pointer);
                operations.extend(ops);
                webhooks.extend(callbacks);
            });
            (operations, webhooks)
        };
        let count = self.doc.split_len(section).unwrap_or(0);
        let cores = std::thread::available_parallelism().map_or(1, usize::from);
        if count < PATH_ITEMS_ON_TWO_THREADS || cores < 2 {
            return read(self, None);
        }
        let half = count / 2;
        let mut second_warnings = Vec::new();
        let mut second = Cx {
            doc: self.doc,
            root: self.root,
            source: self.source,
            v2: self.v2,
            consumes: self.consumes.clone(),
            produces: self.produces.clone(),
            warnings: &mut second_warnings,
            callback_depth: 0,
            callback_ops: 0,
            copied: 0,
        };
        let (mut first, later) = std::thread::scope(|scope| {
            let later = std::thread::Builder::new()
                .name("read-paths".into())
                .spawn_scoped(scope, || read(&mut second, Some(half..count)));
            let first = read(self, Some(0..half));
            let later = match later.map(std::thread::ScopedJoinHandle::join) {
                Ok(Ok(read)) => Some(read),
                // A bug surfaces as it would have on this thread.
                Ok(Err(panic)) => std::panic::resume_unwind(panic),
                Err(_) => None,
            };
            (first, later)
        });
        // No thread could be started: the second half here.
        let (operations, webhooks) = later.unwrap_or_else(|| read(self, Some(half..count)));
        first.0.extend(operations);
        first.1.extend(webhooks);
        self.warnings.append(&mut second_warnings);
        first
    }

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
    fn deref<'a>(
        &mut self,
        base: &'a str,
        value: &'a Value,
        pointer: &str,
    ) -> Option<(&'a str, &'a Value)>
    where
        'd: 'a,
    {
        match self.doc.deref(base, value) {
            Ok(found) => Some(found),
            Err(message) => {
                self.warn(pointer, message);
                None
            }
        }
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

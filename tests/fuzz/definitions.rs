//! Target: the definition loader (JSON and YAML) and `$ref` resolution.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use portico::catalog;
use proptest::collection::vec;
use proptest::option;
use proptest::prelude::*;
use proptest::sample::select;
use serde_json::{Value, json};

use crate::harness::{fuzz, hostile_text, mutated_seed};
use crate::worst_cases::{open_everything, ref_to};

const METHODS: &[&str] = &[
    "get", "put", "post", "delete", "patch", "head", "options", "trace", "query", "GET",
];

fn schema_ref() -> impl Strategy<Value = Value> {
    prop_oneof![
        (0..6usize).prop_map(|k| ref_to(&format!("S{k}"))),
        (0..6usize)
            .prop_map(|k| json!({"$ref": format!("#/components/schemas/S{k}/properties/a")})),
        select(vec![
            "#/nope",
            "#components",
            "",
            "#",
            "missing.json#/x",
            "#/components/schemas/S0/allOf/0",
            "#/paths"
        ])
        .prop_map(|r| json!({"$ref": r})),
    ]
}

fn schema() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        select(vec![
            "string", "integer", "number", "boolean", "object", "array", "null", "file", "bogus"
        ])
        .prop_map(|t| json!({"type": t})),
        schema_ref(),
        Just(json!({"type": ["null", "string"], "format": "date-time"})),
        Just(json!({"enum": ["a", 1, null]})),
        Just(json!({"type": "string", "readOnly": true, "example": "x"})),
        Just(json!({})),
        Just(json!(true)),
        Just(json!(null)),
    ];
    leaf.prop_recursive(4, 24, 4, |inner| {
        prop_oneof![
            (
                select(vec!["allOf", "oneOf", "anyOf"]),
                vec(inner.clone(), 0..4)
            )
                .prop_map(|(k, parts)| json!({ k: parts })),
            vec(("[a-c]", inner.clone()), 0..4).prop_map(|props| {
                let props: serde_json::Map<String, Value> = props.into_iter().collect();
                json!({"type": "object", "properties": props})
            }),
            inner
                .clone()
                .prop_map(|items| json!({"type": "array", "items": items})),
            inner.prop_map(|extra| json!({"additionalProperties": extra})),
        ]
    })
}

fn parameter() -> impl Strategy<Value = Value> {
    prop_oneof![
        (0..4usize).prop_map(|k| json!({"$ref": format!("#/components/parameters/P{k}")})),
        (
            "[a-z{}]{0,4}",
            select(vec![
                "query", "path", "header", "cookie", "body", "formData", "nowhere"
            ]),
            schema(),
            select(vec![
                "form",
                "simple",
                "label",
                "matrix",
                "spaceDelimited",
                "pipeDelimited",
                "deepObject",
                "x"
            ]),
            any::<bool>(),
            any::<bool>(),
        )
            .prop_map(|(name, location, schema, style, explode, required)| {
                json!({"name": name, "in": location, "schema": schema, "style": style,
                       "explode": explode, "required": required, "type": "string",
                       "collectionFormat": "multi", "example": name})
            }),
        Just(json!(null)),
        Just(json!("not a parameter")),
    ]
}

fn operation() -> impl Strategy<Value = Value> {
    (
        vec(parameter(), 0..4),
        option::of(schema()),
        select(vec!["application/json", "application/x-www-form-urlencoded", "multipart/form-data", "text/csv", "application/problem+json"]),
        any::<bool>(),
        any::<bool>(),
    )
        .prop_map(|(parameters, body, content_type, callback, security)| {
            let mut op = json!({"operationId": "op", "parameters": parameters,
                                "responses": {"200": {"$ref": "#/components/responses/R0"}, "default": {"description": "x"}}});
            if let Some(schema) = body {
                op["requestBody"] = json!({"content": {content_type: {"schema": schema}}});
            }
            if callback {
                op["callbacks"] = json!({"cb": {"$ref": "#/components/callbacks/C0"}});
            }
            if security {
                op["security"] = json!([{"key": []}, {"bearer": [], "basic": []}]);
            }
            op
        })
}

/// A definition built to reach resolution and normalisation: random
/// schemas that refer to one another (cycles included), parameters and
/// responses by reference, callbacks back into the paths.
fn definition_value() -> impl Strategy<Value = Value> {
    (
        any::<bool>(),
        vec(schema(), 6),
        vec(parameter(), 4),
        vec(("/[a-z]{0,3}(/\\{[a-z]{1,2}\\})?", vec((select(METHODS), operation()), 0..3)), 0..4),
        any::<bool>(),
    )
        .prop_map(|(swagger, schemas, parameters, paths, path_ref)| {
            let schemas: serde_json::Map<String, Value> = schemas
                .into_iter()
                .enumerate()
                .map(|(i, s)| (format!("S{i}"), s))
                .collect();
            let parameters: serde_json::Map<String, Value> = parameters
                .into_iter()
                .enumerate()
                .map(|(i, p)| (format!("P{i}"), p))
                .collect();
            let mut path_items = serde_json::Map::new();
            for (path, ops) in paths {
                let item: serde_json::Map<String, Value> = ops
                    .into_iter()
                    .map(|(method, op)| (method.to_string(), op))
                    .collect();
                path_items.insert(path, Value::Object(item));
            }
            let first = path_items.keys().next().cloned().unwrap_or_default();
            if path_ref {
                path_items.insert("/alias".into(), json!({"$ref": format!("#/paths/{}", first.replace('~', "~0").replace('/', "~1"))}));
            }
            let mut root = json!({
                "info": {"title": "fuzz", "version": "1"},
                "paths": path_items,
                "components": {
                    "schemas": schemas,
                    "parameters": parameters,
                    "responses": {"R0": {"$ref": "#/components/responses/R0"}},
                    "callbacks": {"C0": {"{$request.body#/url}": {"$ref": format!("#/paths/{}", first.replace('~', "~0").replace('/', "~1"))}}},
                    "securitySchemes": {"key": {"type": "apiKey", "in": "query", "name": "code"},
                                        "bearer": {"type": "http", "scheme": "bearer"},
                                        "basic": {"$ref": "#/components/securitySchemes/basic"}}
                }
            });
            if swagger {
                root["swagger"] = json!("2.0");
                root["definitions"] = root["components"]["schemas"].clone();
                root["host"] = json!("example.com");
            } else {
                root["openapi"] = json!("3.0.3");
                root["servers"] = json!([{"url": "https://{h}.example.com/{v}", "variables": {"h": {"default": "api"}}}]);
            }
            root
        })
}

pub(crate) fn definition_input() -> impl Strategy<Value = (String, Vec<u8>)> {
    prop_oneof![
        1 => vec(any::<u8>(), 0..512).prop_map(|b| ("fuzz.json".to_string(), b)),
        1 => hostile_text(64).prop_map(|t| ("fuzz.yaml".to_string(), t.into_bytes())),
        3 => mutated_seed("definition").prop_map(|b| ("fuzz.yaml".to_string(), b)),
        3 => (definition_value(), any::<bool>()).prop_map(|(value, as_yaml)| {
            if as_yaml {
                ("fuzz.yaml".to_string(), yaml_serde::to_string(&value).expect("yaml").into_bytes())
            } else {
                ("fuzz.json".to_string(), serde_json::to_vec(&value).expect("json"))
            }
        }),
    ]
}

#[test]
fn fuzz_definition_loader() {
    let operations = Arc::new(AtomicU64::new(0));
    let counted = Arc::clone(&operations);
    fuzz("definition", definition_input(), move |(name, bytes)| {
        let location = format!("tests/fixtures/fuzz/definition/{name}");
        match catalog::load_bytes(&bytes, &location) {
            Ok(catalog) => {
                let ops = catalog
                    .apis
                    .iter()
                    .map(|a| a.operations.len())
                    .sum::<usize>();
                counted.fetch_add(ops as u64, Ordering::Relaxed);
                open_everything(&catalog);
            }
            Err(e) => prop_assert!(e.to_string().starts_with(&location), "{e}"),
        }
        Ok(())
    });
    // The structured inputs must reach the normaliser, not only the parser.
    let operations = operations.load(Ordering::Relaxed);
    eprintln!("fuzz target definition: {operations} operations loaded and opened");
    assert!(operations > 0);
}

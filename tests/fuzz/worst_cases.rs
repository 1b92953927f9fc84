//! Explicit worst cases: deep nesting, alias bombs, `$ref` chains, cycles
//! and fan-outs, each loaded (and opened as the TUI would) in bounded time.

use std::time::{Duration, Instant};

use portico::catalog::samples::{body_sample, schema_sample};
use portico::catalog::{self, Catalog};
use portico::request::{self, Draft, Vars};
use serde_json::{Value, json};

use crate::{bounded, load};

// ---------------------------------------------------------------------------
// Deep nesting

const DEEP: usize = 100_000;

#[test]
fn deep_json_nesting_is_an_error() {
    let arrays = format!("{}{}", "[".repeat(DEEP), "]".repeat(DEEP));
    let objects = format!("{}1{}", r#"{"a":"#.repeat(DEEP), "}".repeat(DEEP));
    // Deep inside an otherwise valid definition, where only a part is parsed
    // when it is read.
    let inside = format!(
        r#"{{"openapi":"3.0.0","info":{{"title":"t","version":"1"}},"paths":{{"/x":{{"get":{{"parameters":{}1{}}}}}}}}}"#,
        "[".repeat(DEEP),
        "]".repeat(DEEP)
    );
    for (name, text) in [
        ("arrays.json", arrays),
        ("objects.json", objects),
        ("inside.json", inside),
    ] {
        match load(name, text.into_bytes()) {
            Err(e) => assert!(e.to_string().starts_with(name), "{e}"),
            Ok(catalog) => assert!(
                catalog.apis.iter().all(|a| a.operations.len() <= 1),
                "{name}"
            ),
        }
    }
}

#[test]
fn deep_yaml_nesting_is_an_error() {
    // Behind a first key: text that starts with `{` is read as JSON.
    let cases = [
        (
            "flow-seq.yaml",
            format!("x: {}{}", "[".repeat(DEEP), "]".repeat(DEEP)),
        ),
        (
            "flow-map.yaml",
            format!("x: {}1{}", "{a: ".repeat(DEEP), "}".repeat(DEEP)),
        ),
        ("block-seq.yaml", format!("{}x\n", "- ".repeat(DEEP))),
        ("complex-keys.yaml", format!("{}x\n", "? ".repeat(DEEP))),
        (
            "under-paths.yaml",
            format!(
                "openapi: 3.0.0\ninfo: {{title: t, version: '1'}}\npaths:\n  /x: {}1{}\n",
                "[".repeat(DEEP),
                "]".repeat(DEEP)
            ),
        ),
    ];
    for (name, text) in cases {
        let err = load(name, text.into_bytes()).expect_err(name);
        assert!(err.to_string().starts_with(name), "{err}");
    }
}

// ---------------------------------------------------------------------------
// Alias bombs

#[test]
fn billion_laughs_yaml_is_refused() {
    let mut text = String::from(
        "openapi: 3.0.0\ninfo: {title: lol, version: '1'}\nx0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n",
    );
    for i in 1..10 {
        let p = i - 1;
        text.push_str(&format!(
            "x{i}: &a{i} [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}]\n"
        ));
    }
    text.push_str("paths: {}\n");
    let started = Instant::now();
    let err = load("lol.yaml", text.into_bytes()).expect_err("refused");
    assert!(err.to_string().starts_with("lol.yaml"), "{err}");
    assert!(started.elapsed() < Duration::from_secs(5));
}

/// Few aliases, each of a large anchor: the expansion is quadratic in the
/// file's size (a 400 kB file would hold 2.5 billion values), which an
/// alias-count limit alone does not catch.
#[test]
fn quadratic_alias_expansion_is_refused() {
    let n = 50_000;
    let mut text = String::from("openapi: 3.0.0\ninfo: {title: q, version: '1'}\nbig: &big [");
    text.push_str(&"1,".repeat(n));
    text.push_str("1]\nmany: [");
    text.push_str(&"*big,".repeat(n));
    text.push_str("*big]\npaths: {}\n");
    let started = Instant::now();
    let err = load("quadratic.yaml", text.into_bytes()).expect_err("refused");
    assert!(err.to_string().starts_with("quadratic.yaml"), "{err}");
    assert!(started.elapsed() < Duration::from_secs(5));
}

// ---------------------------------------------------------------------------
// `$ref` chains and cycles

/// A definition with one POST operation whose parameter and JSON body use
/// `schema`, with `schemas` as its components, plus `extra` at the top.
fn definition(schema: &Value, schemas: &Value, extra: &Value) -> Vec<u8> {
    let mut root = json!({
        "openapi": "3.0.3",
        "info": {"title": "hostile", "version": "1"},
        "paths": {"/x": {"post": {
            "operationId": "x",
            "parameters": [{"name": "q", "in": "query", "schema": schema}],
            "requestBody": {"content": {"application/json": {"schema": schema}}},
            "responses": {"200": {"description": "ok"}}
        }}},
        "components": {"schemas": schemas}
    });
    if let (Some(root), Value::Object(extra)) = (root.as_object_mut(), extra) {
        root.extend(extra.clone());
    }
    serde_json::to_vec(&root).expect("serialises")
}

/// Loads a definition, then opens every operation as the TUI would (a
/// draft with its body sample) and builds it: all of it bounded in time.
fn load_and_open(name: &str, bytes: Vec<u8>) -> Result<Catalog, catalog::LoadError> {
    let name = name.to_string();
    bounded(&name.clone(), Duration::from_secs(20), move || {
        let catalog = catalog::load_bytes(&bytes, &name)?;
        open_everything(&catalog);
        Ok(catalog)
    })
}

pub(crate) fn open_everything(catalog: &Catalog) {
    let vars = Vars::default();
    for api in &catalog.apis {
        for op in api.operations.iter().chain(&api.webhooks) {
            for media in op.request_body.iter().flat_map(|b| &b.content) {
                let _ = body_sample(api, media);
                if let Some(schema) = &media.schema {
                    let _ = schema_sample(api, schema);
                }
            }
            let draft = Draft::new(api, op, &vars);
            let _ = request::preview(api, op, &draft, &vars);
        }
    }
}

pub(crate) fn ref_to(name: &str) -> Value {
    json!({"$ref": format!("#/components/schemas/{name}")})
}

#[test]
fn ref_chains_ten_thousand_deep_are_bounded() {
    let n = 10_000;
    let mut schemas = serde_json::Map::new();
    let mut parameters = serde_json::Map::new();
    for i in 0..n {
        schemas.insert(format!("S{i}"), ref_to(&format!("S{}", i + 1)));
        parameters.insert(
            format!("P{i}"),
            json!({"$ref": format!("#/components/parameters/P{}", i + 1)}),
        );
    }
    schemas.insert(
        format!("S{n}"),
        json!({"type": "object", "properties": {"a": {"type": "string"}}}),
    );
    parameters.insert(format!("P{n}"), json!({"name": "p", "in": "query"}));
    let mut root: Value = serde_json::from_slice(&definition(
        &ref_to("S0"),
        &Value::Object(schemas),
        &json!({}),
    ))
    .expect("json");
    root["components"]["parameters"] = Value::Object(parameters);
    root["paths"]["/x"]["post"]["parameters"]
        .as_array_mut()
        .expect("list")
        .push(json!({"$ref": "#/components/parameters/P0"}));
    let catalog = load_and_open("chain.json", serde_json::to_vec(&root).expect("json"))
        .expect("loads with warnings");
    assert_eq!(catalog.apis[0].operations.len(), 1);
    assert!(
        catalog.warnings.iter().any(|w| w.message.contains("$ref")),
        "{:?}",
        catalog.warnings
    );
}

#[test]
fn ref_cycles_are_bounded() {
    let schemas = json!({
        "Self": ref_to("Self"),
        "A": ref_to("B"),
        "B": ref_to("A"),
        "AllOf": {"allOf": [ref_to("AllOf"), {"type": "object", "properties": {"x": ref_to("AllOf")}}]},
        "Items": {"type": "array", "items": ref_to("Items")},
        "Props": {"type": "object", "properties": {"next": ref_to("Props"), "list": {"items": ref_to("Props")}}},
        "OneOf": {"oneOf": [ref_to("OneOf"), ref_to("AnyOf")]},
        "AnyOf": {"anyOf": [ref_to("OneOf")], "additionalProperties": ref_to("AnyOf")},
        "Mixed": {"allOf": [ref_to("Items"), ref_to("Props"), ref_to("A"), ref_to("OneOf")]}
    });
    for name in [
        "Self", "A", "AllOf", "Items", "Props", "OneOf", "AnyOf", "Mixed",
    ] {
        let bytes = definition(&ref_to(name), &schemas, &json!({}));
        let catalog = load_and_open(&format!("{name}.json"), bytes).expect(name);
        assert_eq!(catalog.apis[0].operations.len(), 1, "{name}");
    }
}

/// Every level an `allOf` of the next level twice: a naive expansion
/// visits 2^40 schemas.
#[test]
fn ref_fan_out_is_bounded() {
    let mut schemas = serde_json::Map::new();
    for i in 0..40 {
        let next = ref_to(&format!("S{}", i + 1));
        schemas.insert(
            format!("S{i}"),
            json!({"allOf": [next, next], "oneOf": [next]}),
        );
    }
    schemas.insert(
        "S40".into(),
        json!({"type": "object", "properties": {"a": {"type": "string"}}}),
    );
    let bytes = definition(&ref_to("S0"), &Value::Object(schemas), &json!({}));
    load_and_open("fan-out.json", bytes).expect("loads");
}

/// A schema's type is looked for through `allOf`/`oneOf`/`anyOf`: wide
/// lists of references four levels deep must not multiply.
#[test]
fn wide_compositions_are_bounded() {
    let width = 1_000;
    let mut schemas = serde_json::Map::new();
    for level in 0..6 {
        let next: Vec<Value> = (0..width)
            .map(|_| ref_to(&format!("L{}", level + 1)))
            .collect();
        schemas.insert(format!("L{level}"), json!({"anyOf": next}));
    }
    schemas.insert("L6".into(), json!({"description": "no type here"}));
    let bytes = definition(&ref_to("L0"), &Value::Object(schemas), &json!({}));
    load_and_open("wide.json", bytes).expect("loads");
}

/// Callbacks whose path items are references back to the operation that
/// declares them, and several of them: no endless recursion, no
/// multiplication.
#[test]
fn callback_cycles_are_bounded() {
    let callbacks: serde_json::Map<String, Value> = (0..8)
        .map(|i| {
            (
                format!("cb{i}"),
                json!({"$ref": "#/components/callbacks/Loop"}),
            )
        })
        .collect();
    let mut root: Value = serde_json::from_slice(&definition(
        &json!({"type": "string"}),
        &json!({}),
        &json!({}),
    ))
    .expect("json");
    root["paths"]["/x"]["post"]["callbacks"] = Value::Object(callbacks);
    let expressions: serde_json::Map<String, Value> = (0..8)
        .map(|i| {
            (
                format!("{{$request.body#/u{i}}}"),
                json!({"$ref": "#/paths/~1x"}),
            )
        })
        .collect();
    root["components"]["callbacks"] = json!({"Loop": expressions});
    let catalog =
        load_and_open("callbacks.json", serde_json::to_vec(&root).expect("json")).expect("loads");
    assert_eq!(catalog.apis[0].operations.len(), 1);
    // The budget is checked before each path item: one may overshoot it.
    assert!(catalog.apis[0].webhooks.len() <= 1_000 + 8);
    assert!(catalog.warnings.len() <= 8, "{:?}", catalog.warnings);
    assert!(
        catalog
            .warnings
            .iter()
            .any(|w| w.message.contains("callback")),
        "{:?}",
        catalog.warnings
    );
}

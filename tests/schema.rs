//! Schema trees (`catalog::schema_tree`): what the operation pane folds
//! and `portico show` prints, on the shared third-party definitions and on
//! small definitions that exercise each dialect's keywords.

mod support;

use portico::catalog::schema_tree::{Direction, SchemaNode, schema_tree};
use portico::catalog::{self, Catalog};
use serde_json::json;

/// The tree of the operation's first request body media type.
fn body_tree(catalog: &Catalog, selector: &str) -> SchemaNode {
    let (api, op) = catalog.operation(catalog.select(selector).expect("operation"));
    let body = op.request_body.as_ref().expect("request body");
    let schema = body.content[0].schema.as_ref().expect("schema");
    schema_tree(api, schema, Direction::Request)
}

fn child<'a>(node: &'a SchemaNode, name: &str) -> &'a SchemaNode {
    node.children
        .iter()
        .find(|c| c.name == name)
        .unwrap_or_else(|| {
            let names: Vec<&str> = node.children.iter().map(|c| c.name.as_str()).collect();
            panic!("no child {name} in {names:?}")
        })
}

fn names(node: &SchemaNode) -> Vec<&str> {
    node.children.iter().map(|c| c.name.as_str()).collect()
}

#[test]
fn github_create_an_issue_documents_its_body() {
    let Some(dir) = support::specs_dir() else {
        return;
    };
    let catalog = catalog::load_file(&dir.join("github-api.github.com-3.0.json")).expect("loads");
    let tree = body_tree(&catalog, "issues/create");
    assert_eq!(tree.type_text(), "object");

    let title = child(&tree, "title");
    assert!(title.required, "title is required");
    assert_eq!(title.type_text(), "string | integer");
    assert_eq!(
        title.description.as_deref(),
        Some("The title of the issue.")
    );

    let labels = child(&tree, "labels");
    assert!(!labels.required);
    assert_eq!(labels.types, ["array"]);
    let items = child(labels, "[]");
    assert_eq!(items.variants.as_deref(), Some("oneOf"));
    assert_eq!(labels.type_text(), "array of string | object");
    let object = &items.children[1];
    assert_eq!(names(object), ["id", "name", "description", "color"]);
    assert!(child(object, "color").nullable);

    let assignee = child(&tree, "assignee");
    assert!(assignee.nullable);
    assert_eq!(assignee.type_text(), "string | null");
    assert_eq!(child(&tree, "assignees").type_text(), "array of string");
}

#[test]
fn github_schemas_with_recursion_end_and_mark_it() {
    let Some(dir) = support::specs_dir() else {
        return;
    };
    let catalog = catalog::load_file(&dir.join("github-api.github.com-3.0.json")).expect("loads");
    // Every request body of GitHub's definition makes a finite tree.
    let mut trees = 0;
    for api in &catalog.apis {
        for op in &api.operations {
            for media in op.request_body.iter().flat_map(|b| &b.content) {
                if let Some(schema) = &media.schema {
                    let tree = schema_tree(api, schema, Direction::Request);
                    assert!(tree.walk().len() <= 4_100, "{} {}", op.method, op.path);
                    trees += 1;
                }
            }
        }
    }
    assert!(trees > 300, "{trees} request bodies");
}

fn load_yaml(text: &str) -> Catalog {
    catalog::load_bytes(text.as_bytes(), "t.yaml").expect("loads")
}

#[test]
fn openapi_3_0_keywords() {
    let catalog = load_yaml(
        r##"
openapi: 3.0.3
info: {title: t, version: "1"}
paths:
  /pets:
    post:
      operationId: addPet
      requestBody:
        content:
          application/json:
            schema: {$ref: "#/components/schemas/NewPet"}
      responses:
        "200": {description: ok}
components:
  schemas:
    Base:
      type: object
      required: [name]
      properties:
        id: {type: integer, format: int64, readOnly: true}
        name: {type: string, minLength: 1, maxLength: 64, pattern: "^[a-z]+$"}
        secret: {type: string, writeOnly: true}
    NewPet:
      allOf:
        - $ref: "#/components/schemas/Base"
        - type: object
          additionalProperties: false
          required: [kind]
          properties:
            age: {type: integer, minimum: 0, maximum: 40, exclusiveMaximum: true, multipleOf: 1}
            tags: {type: array, items: {type: string}, minItems: 1, uniqueItems: true}
            status: {type: string, enum: [available, sold], default: available, nullable: true}
            kind:
              oneOf:
                - $ref: "#/components/schemas/Cat"
                - $ref: "#/components/schemas/Dog"
              discriminator:
                propertyName: petType
                mapping: {cat: "#/components/schemas/Cat", dog: "#/components/schemas/Dog"}
            parent: {$ref: "#/components/schemas/NewPet"}
            extra: {type: object, additionalProperties: {type: integer}}
    Cat: {type: object, title: Cat, properties: {petType: {type: string}, lives: {type: integer}}}
    Dog: {type: object, properties: {petType: {type: string}, bark: {type: boolean}}}
"##,
    );
    let tree = body_tree(&catalog, "addPet");
    // allOf merged; read-only `id` left out of a request tree.
    assert_eq!(
        names(&tree),
        [
            "name", "secret", "age", "tags", "status", "kind", "parent", "extra"
        ]
    );
    assert!(tree.closed, "additionalProperties: false");
    let name = child(&tree, "name");
    assert!(name.required);
    assert_eq!(
        name.constraints,
        ["min length 1", "max length 64", "pattern ^[a-z]+$"]
    );
    assert!(child(&tree, "kind").required);
    assert_eq!(
        child(&tree, "age").constraints,
        ["≥ 0", "< 40", "multiple of 1"]
    );
    assert_eq!(
        child(&tree, "tags").constraints,
        ["min items 1", "unique items"]
    );
    let status = child(&tree, "status");
    assert_eq!(status.enum_values, [json!("available"), json!("sold")]);
    assert_eq!(status.default, Some(json!("available")));
    assert!(status.nullable);
    assert!(
        status
            .details()
            .contains(&"one of: available, sold".to_string())
    );

    let kind = child(&tree, "kind");
    assert_eq!(kind.variants.as_deref(), Some("oneOf"));
    assert_eq!(kind.discriminator.as_deref(), Some("petType"));
    assert_eq!(names(kind), ["Cat (cat)", "Dog (dog)"]);
    assert_eq!(names(&kind.children[1]), ["petType", "bark"]);

    // The recursive reference is shown once, marked, not expanded.
    let parent = child(&tree, "parent");
    assert_eq!(parent.recursive.as_deref(), Some("NewPet"));
    assert!(parent.children.is_empty());

    let extra = child(&tree, "extra");
    assert_eq!(child(extra, "*").types, ["integer"]);

    // A response tree keeps read-only and leaves write-only out.
    let (api, op) = catalog.operation(catalog.select("addPet").expect("op"));
    let schema = op.request_body.as_ref().expect("body").content[0]
        .schema
        .as_ref()
        .expect("schema");
    let answer = schema_tree(api, schema, Direction::Response);
    let answered = names(&answer);
    assert!(
        answered.contains(&"id") && !answered.contains(&"secret"),
        "{answered:?}"
    );
    assert_eq!(child(&answer, "id").type_text(), "integer (int64)");
}

#[test]
fn openapi_3_1_keywords() {
    let catalog = load_yaml(
        r##"
openapi: 3.1.0
info: {title: t, version: "1"}
paths:
  /things:
    put:
      operationId: putThing
      requestBody:
        content:
          application/json:
            schema: {$ref: "#/$defs/Thing"}
      responses:
        "204": {description: done}
$defs:
  Thing:
    type: object
    properties:
      label: {type: [string, "null"], examples: [a, b]}
      version: {const: 2}
      size: {type: number, exclusiveMinimum: 0}
      node: {$ref: "#/$defs/Thing", description: the next thing}
"##,
    );
    let tree = body_tree(&catalog, "putThing");
    let label = child(&tree, "label");
    assert_eq!(label.types, ["string"]);
    assert!(label.nullable);
    assert_eq!(label.examples, [json!("a"), json!("b")]);
    assert_eq!(child(&tree, "version").constant, Some(json!(2)));
    assert_eq!(child(&tree, "size").constraints, ["> 0"]);
    let node = child(&tree, "node");
    assert_eq!(node.recursive.as_deref(), Some("Thing"));
    // A description beside a 3.1 `$ref` wins over the target's.
    assert_eq!(node.description.as_deref(), Some("the next thing"));
}

#[test]
fn swagger_2_0_body_parameter() {
    let catalog = catalog::load_bytes(
        json!({
            "swagger": "2.0",
            "info": {"title": "t", "version": "1"},
            "paths": {"/pets": {"post": {
                "operationId": "addPet",
                "parameters": [{"in": "body", "name": "body", "required": true,
                    "schema": {"$ref": "#/definitions/Pet"}}],
                "responses": {"200": {"description": "ok"}}
            }}},
            "definitions": {"Pet": {
                "type": "object",
                "required": ["name"],
                "properties": {
                    "name": {"type": "string", "x-nullable": true},
                    "photoUrls": {"type": "array", "items": {"type": "string", "format": "uri"}}
                }
            }}
        })
        .to_string()
        .as_bytes(),
        "t.json",
    )
    .expect("loads");
    let tree = body_tree(&catalog, "addPet");
    let name = child(&tree, "name");
    assert!(name.required && name.nullable);
    assert_eq!(
        child(&tree, "photoUrls").type_text(),
        "array of string (uri)"
    );
}

#[test]
fn the_json_form_has_the_documented_keys() {
    let catalog = load_yaml(
        r##"
openapi: 3.0.3
info: {title: t, version: "1"}
paths:
  /x:
    post:
      operationId: x
      requestBody:
        content:
          application/json:
            schema:
              type: object
              required: [a]
              properties:
                a: {type: string, format: email, description: mail, enum: [x@y.z]}
      responses:
        "200": {description: ok}
"##,
    );
    let tree = body_tree(&catalog, "x");
    let value = serde_json::to_value(&tree).expect("serializes");
    assert_eq!(
        value["children"][0],
        json!({"name": "a", "type": ["string"], "format": "email", "required": true,
               "description": "mail", "enum": ["x@y.z"]})
    );
}

//! Checking values against the definition (`portico::validate`): seeded
//! differences are each found at the right JSON pointer, and the examples
//! the shared third-party definitions give for their own schemas raise no
//! false alarm.

mod support;

use portico::catalog::{self, Catalog};
use portico::request::{Draft, FormField, Vars};
use portico::validate::{Direction, Problem, check_request, check_value};
use serde_json::{Value, json};

const ORDERS: &str = r##"
openapi: 3.0.3
info: {title: shop, version: "1"}
paths:
  /orders:
    post:
      operationId: createOrder
      requestBody:
        content:
          application/json:
            schema: {$ref: "#/components/schemas/Order"}
      responses:
        "201": {description: created}
components:
  schemas:
    Order:
      type: object
      additionalProperties: false
      required: [id, items, contact]
      properties:
        id: {type: string, format: uuid, readOnly: true}
        items:
          type: array
          minItems: 1
          items: {$ref: "#/components/schemas/Item"}
        contact:
          oneOf:
            - {type: object, required: [email], properties: {email: {type: string, format: email}}, additionalProperties: false}
            - {type: object, required: [phone], properties: {phone: {type: string, pattern: "^[0-9+ ]+$"}}, additionalProperties: false}
        note: {type: string, maxLength: 10, nullable: true}
        priority: {type: integer, minimum: 1, maximum: 5, exclusiveMaximum: true}
        next: {$ref: "#/components/schemas/Order"}
    Item:
      type: object
      required: [sku, qty]
      properties:
        sku: {type: string, enum: [A1, B2]}
        qty: {type: integer, minimum: 1}
"##;

fn orders() -> Catalog {
    catalog::load_bytes(ORDERS.as_bytes(), "orders.yaml").expect("loads")
}

fn check(catalog: &Catalog, value: &Value) -> Vec<Problem> {
    let (api, op) = catalog.operation(catalog.select("createOrder").expect("op"));
    let schema = op.request_body.as_ref().expect("body").content[0]
        .schema
        .as_ref()
        .expect("schema");
    check_value(api, schema, value, Direction::Request)
}

#[test]
fn a_valid_request_has_no_problem() {
    let catalog = orders();
    // `id` is read-only: not required in a request; `note` may be null.
    let value = json!({
        "items": [{"sku": "A1", "qty": 2}],
        "contact": {"email": "a@b.example"},
        "note": null,
        "priority": 4,
        "next": {"items": [{"sku": "B2", "qty": 1}], "contact": {"phone": "+1 555"}}
    });
    assert_eq!(check(&catalog, &value), []);
}

#[test]
fn each_seeded_difference_is_found_where_it_is() {
    let catalog = orders();
    let cases: &[(Value, &str, &str)] = &[
        (
            json!({"items": [{"sku": "A1", "qty": "3"}], "contact": {"email": "a@b.c"}}),
            "/items/0/qty",
            "expected integer, found \"3\"",
        ),
        (
            json!({"items": [{"sku": "Z9", "qty": 1}], "contact": {"email": "a@b.c"}}),
            "/items/0/sku",
            "\"Z9\" is not one of [\"A1\",\"B2\"]",
        ),
        (
            json!({"items": [{"qty": 1}], "contact": {"email": "a@b.c"}}),
            "/items/0",
            "missing required property `sku`",
        ),
        (
            json!({"items": [], "contact": {"email": "a@b.c"}}),
            "/items",
            "",
        ),
        (
            json!({"items": [{"sku": "A1", "qty": 1}], "contact": {"email": "a@b.c"}, "colour": "red"}),
            "",
            "unknown property `colour` (the definition allows no others)",
        ),
        (
            json!({"items": [{"sku": "A1", "qty": 1}], "contact": {"fax": "1"}}),
            "/contact",
            "matches none of the `oneOf` variants",
        ),
        (
            json!({"items": [{"sku": "A1", "qty": 1}], "contact": {"phone": "call me"}}),
            "/contact",
            "",
        ),
        (
            json!({"items": [{"sku": "A1", "qty": 1}], "contact": {"email": "a@b.c"}, "priority": 5}),
            "/priority",
            "",
        ),
        (
            json!({"items": [{"sku": "A1", "qty": 1}], "contact": {"email": "a@b.c"}, "note": "far too long"}),
            "/note",
            "",
        ),
        (
            json!({"items": [{"sku": "A1", "qty": 1}], "contact": {"email": "not an address"}}),
            "/contact",
            "",
        ),
        (
            // Through the recursive reference.
            json!({"items": [{"sku": "A1", "qty": 1}], "contact": {"email": "a@b.c"},
                   "next": {"items": [{"sku": "A1", "qty": 0}], "contact": {"email": "a@b.c"}}}),
            "/next/items/0/qty",
            "",
        ),
    ];
    for (value, at, message) in cases {
        let problems = check(&catalog, value);
        let found = problems
            .iter()
            .any(|p| p.at == *at && (message.is_empty() || p.message.contains(message)));
        assert!(
            found,
            "{value}: expected a problem at `{at}` ({message}), got {problems:?}"
        );
    }
}

/// Every example a definition gives for a request body or a response,
/// checked against its own schema: `(bodies with examples, examples, problems)`.
fn check_examples(catalog: &Catalog, responses: bool) -> (usize, usize, Vec<String>) {
    let mut bodies = 0;
    let mut examples = 0;
    let mut problems = Vec::new();
    for api in &catalog.apis {
        for op in &api.operations {
            for media in op.request_body.iter().flat_map(|b| &b.content) {
                let Some(schema) = &media.schema else {
                    continue;
                };
                if !media.content_type.contains("json") || media.examples.is_empty() {
                    continue;
                }
                bodies += 1;
                for example in &media.examples {
                    examples += 1;
                    for p in check_value(api, schema, &example.value, Direction::Request) {
                        problems.push(format!("{} {} [{}]: {p}", op.method, op.path, example.name));
                    }
                }
            }
            for response in op.responses.iter().filter(|_| responses) {
                for media in &response.content {
                    let Some(schema) = &media.schema else {
                        continue;
                    };
                    if !media.content_type.contains("json") || media.examples.is_empty() {
                        continue;
                    }
                    bodies += 1;
                    for example in &media.examples {
                        examples += 1;
                        for p in check_value(api, schema, &example.value, Direction::Response) {
                            problems.push(format!(
                                "{} {} {} [{}]: {p}",
                                op.method, op.path, response.status, example.name
                            ));
                        }
                    }
                }
            }
        }
    }
    (bodies, examples, problems)
}

/// Examples in GitHub's definition that break their own schema (each
/// checked by hand: a `null` where the schema takes no null, an option
/// without its required `priority`, a variant that matches no `oneOf`
/// member…). They are the definition's differences, found; any other
/// problem is a false alarm of ours.
const GITHUB_EXAMPLES_THAT_BREAK_THEIR_SCHEMA: &[&str] = &[
    "PATCH /gists/{gist_id} [deleteFile]",
    "POST /orgs/{org}/issue-fields [default]",
    "PUT /orgs/{org}/outside_collaborators/{username} [204]",
    "POST /orgs/{org}/projectsV2/{project_number}/fields [single_select_field]",
    "PATCH /repos/{owner}/{repo}/security-advisories/{ghsa_id} [update_vvrs]",
    "PUT /user/codespaces/secrets/{secret_name}/repositories [default]",
    "POST /user/keys [default]",
    "POST /user/ssh_signing_keys [default]",
    "POST /users/{username}/projectsV2/{project_number}/fields [single_select_field]",
];

/// The same in Twilio's: a `null` status its enum does not allow, and a
/// vetting id shorter than its own pattern.
const TWILIO_EXAMPLES_THAT_BREAK_THEIR_SCHEMA: &[&str] = &[
    "GET /v1/a2p/BrandRegistrations/{Sid} 200 [fetchSoleProprietorPending]",
    "POST /v1/a2p/BrandRegistrations/{BrandSid}/Vettings 201 [create]",
    "POST /v1/a2p/BrandRegistrations/{BrandSid}/Vettings 202 [create202Response]",
    "GET /v1/a2p/BrandRegistrations/{BrandSid}/Vettings 200 [read]",
    "GET /v1/a2p/BrandRegistrations/{BrandSid}/Vettings/{BrandVettingSid} 200 [fetch]",
];

#[test]
fn the_shared_definitions_examples_raise_no_false_alarm() {
    let Some(dir) = support::specs_dir() else {
        return;
    };
    for file in [
        "github-api.github.com-3.0.json",
        "oai-petstore-expanded-3.0.yaml",
        "oai-api-with-examples-3.0.yaml",
        "twilio-messaging-v1-3.0.json",
        "oai-petstore-2.0.json",
        "oai-uspto-3.0.json",
        "oai-link-example-3.0.yaml",
        "oai-tictactoe-3.1.yaml",
        "httpbin-0.10.4-flasgger-2.0.json",
    ] {
        let catalog = catalog::load_file(&dir.join(file)).expect("loads");
        // GitHub's response examples are abridged (required properties
        // left out, numbers as text): counted below, not asserted.
        let responses = !file.starts_with("github");
        let (bodies, examples, problems) = check_examples(&catalog, responses);
        eprintln!(
            "{file}: {bodies} bodies, {examples} examples, {} problems",
            problems.len()
        );
        let known: &[&str] = if file.starts_with("github") {
            GITHUB_EXAMPLES_THAT_BREAK_THEIR_SCHEMA
        } else if file.starts_with("twilio") {
            TWILIO_EXAMPLES_THAT_BREAK_THEIR_SCHEMA
        } else {
            &[]
        };
        let unexpected: Vec<&String> = problems
            .iter()
            .filter(|p| !known.iter().any(|k| p.starts_with(&format!("{k}:"))))
            .collect();
        assert!(unexpected.is_empty(), "{file}: {unexpected:#?}");
        for example in known {
            assert!(
                problems.iter().any(|p| p.starts_with(example)),
                "{example} no longer breaks its schema: {problems:#?}"
            );
        }
    }
}

/// GitHub's response examples and Slack's against their schemas: the
/// figures, for the record (`--nocapture`). Both are abridged (required
/// properties left out, numbers as text, error codes their enums lack);
/// each difference read by hand was the definition's.
#[test]
fn abridged_examples_are_counted() {
    let Some(dir) = support::specs_dir() else {
        return;
    };
    for file in ["github-api.github.com-3.0.json", "slack-web-api-2.0.json"] {
        let catalog = catalog::load_file(&dir.join(file)).expect("loads");
        let (bodies, examples, problems) = check_examples(&catalog, true);
        let broken: std::collections::BTreeSet<&str> = problems
            .iter()
            .filter_map(|p| p.split(": ").next())
            .collect();
        eprintln!(
            "{file}: {bodies} bodies, {examples} examples, {} of them differ from their schema ({} differences)",
            broken.len(),
            problems.len()
        );
        assert!(examples > 300, "{file}: {examples} examples");
        assert!(
            broken.len() < examples,
            "{file}: every example differs: {problems:#?}"
        );
    }
}

/// `additionalProperties: false` on an object that declares no properties
/// (Slack's `shares.public`): each property is unknown, said so at the
/// object, like any other unknown property.
#[test]
fn a_property_of_an_object_that_allows_none_is_unknown() {
    let catalog = orders();
    let (api, _) = catalog.operation(catalog.select("createOrder").expect("op"));
    let schema = json!({
        "type": "object",
        "properties": {"shares": {"type": "object", "properties": {"public": {"additionalProperties": false}}}}
    });
    let value = json!({"shares": {"public": {"C0T8SE4AU": [{"ts": "1"}], "C1": 2}}});
    let problems = check_value(api, &schema, &value, Direction::Response);
    let found: Vec<(&str, &str)> = problems
        .iter()
        .map(|p| (p.at.as_str(), p.message.as_str()))
        .collect();
    assert_eq!(
        found,
        [(
            "/shares/public",
            "unknown property `C0T8SE4AU`, `C1` (the definition allows no others)"
        )]
    );
}

/// A form body is checked like a JSON one: Slack's `chat.postMessage`
/// without its required `channel`, and a typed field given text that is
/// not its type, each found by name; a complete form raises nothing.
#[test]
fn form_fields_are_checked_against_their_schema() {
    let Some(dir) = support::specs_dir() else {
        return;
    };
    let catalog = catalog::load_file(&dir.join("slack-web-api-2.0.json")).expect("loads");
    let (api, op) = catalog.operation(catalog.select("chat_postMessage").expect("op"));
    let check = |fields: &[(&str, &str)]| {
        let mut draft = Draft::new(api, op, &Vars::default());
        draft.server_url = Some("http://slack.invalid".into());
        for row in &mut draft.params {
            row.value = "xoxb-1".into();
        }
        for field in &mut draft.form {
            field.value = fields
                .iter()
                .find(|(name, _)| *name == field.name)
                .map(|(_, value)| value.to_string())
                .unwrap_or_default();
        }
        let built = portico::request::build(api, op, &draft, &Vars::default()).expect("builds");
        check_request(api, op, &draft, &built)
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
    };
    assert_eq!(
        check(&[("channel", "C1"), ("text", "hi")]),
        Vec::<String>::new()
    );
    let missing = check(&[("text", "hi")]);
    assert_eq!(missing.len(), 1, "{missing:?}");
    assert!(missing[0].starts_with("form"), "{missing:?}");
    assert!(
        missing[0].contains("required property `channel`"),
        "{missing:?}"
    );

    // A form with a typed field: the count of a hypothetical pager.
    let catalog = catalog::load_bytes(
        br#"
openapi: 3.0.3
info: {title: t, version: "1"}
servers: [{url: "http://t.invalid"}]
paths:
  /page:
    post:
      operationId: page
      requestBody:
        content:
          application/x-www-form-urlencoded:
            schema:
              type: object
              properties:
                count: {type: integer, minimum: 1}
                tags: {type: array, items: {type: string, enum: [a, b]}}
                meta: {type: object, properties: {n: {type: integer}}}
      responses: {"200": {description: ok}}
"#,
        "page.yaml",
    )
    .expect("loads");
    let (api, op) = catalog.operation((0, 0));
    let mut draft = Draft::new(api, op, &Vars::default());
    draft.form = [
        ("count", "three"),
        ("tags", "a"),
        ("tags", "c"),
        ("meta", r#"{"n": "x"}"#),
    ]
    .into_iter()
    .map(|(name, value)| FormField {
        name: name.into(),
        value: value.into(),
        file: false,
        enabled: true,
    })
    .collect();
    let built = portico::request::build(api, op, &draft, &Vars::default()).expect("builds");
    let problems: Vec<(String, String)> = check_request(api, op, &draft, &built)
        .into_iter()
        .map(|p| (p.at.clone(), p.to_string()))
        .collect();
    let at: Vec<&str> = problems.iter().map(|(at, _)| at.as_str()).collect();
    assert_eq!(at, ["/count", "/tags/1", "/meta/n"], "{problems:?}");
    draft.form[0].value = "3".into();
    draft.form[2].value = "b".into();
    // A part holding JSON is read as its JSON.
    draft.form[3].value = r#"{"n": 2}"#.into();
    let built = portico::request::build(api, op, &draft, &Vars::default()).expect("builds");
    assert_eq!(check_request(api, op, &draft, &built), []);
}

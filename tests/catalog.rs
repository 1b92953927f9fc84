//! Catalog loading: golden tests on fixtures written for them, `$ref`
//! edge cases, errors with positions, portal files, selectors, search, and
//! every third-party definition in ../shared/specs with its operation count.

mod support;

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use portico::catalog::samples::body_sample;
use portico::catalog::search::SearchIndex;
use portico::catalog::{self, Api, Catalog, LoadError, SecurityRequirement, SelectError};

fn fixture(name: &str) -> PathBuf {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures")).join(name)
}

fn load_fixture(name: &str) -> Catalog {
    catalog::load_file(&fixture(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn requirements(list: &[SecurityRequirement]) -> String {
    let alternatives: Vec<String> = list
        .iter()
        .map(|r| {
            r.iter()
                .map(|(name, scopes)| {
                    if scopes.is_empty() {
                        name.clone()
                    } else {
                        format!("{name}({})", scopes.join(" "))
                    }
                })
                .collect::<Vec<_>>()
                .join("+")
        })
        .collect();
    format!("[{}]", alternatives.join(" | "))
}

/// A readable rendering of everything the model holds for an API.
fn render(api: &Api) -> String {
    let mut out = String::new();
    let w = &mut out;
    let _ = writeln!(
        w,
        "api {} {:?} version {:?}",
        api.id, api.title, api.version
    );
    if let Some(d) = &api.description {
        let _ = writeln!(w, "  description {d:?}");
    }
    for server in &api.servers {
        let _ = writeln!(w, "  server {} {:?}", server.url, server.description);
        for (name, var) in &server.variables {
            let _ = writeln!(
                w,
                "    var {name} default {:?} enum {:?} {:?}",
                var.default, var.enum_values, var.description
            );
        }
    }
    for scheme in &api.security_schemes {
        let _ = writeln!(w, "  scheme {} {:?}", scheme.name, scheme.kind);
    }
    let _ = writeln!(w, "  security {}", requirements(&api.security));
    for (name, value) in &api.default_headers {
        let _ = writeln!(w, "  header {name}: {value}");
    }
    for (label, ops) in [("op", &api.operations), ("webhook", &api.webhooks)] {
        for op in ops {
            let _ = writeln!(
                w,
                "  {label} {} {} id={:?} name={:?} summary={:?} tags={:?}{}",
                op.method,
                op.path,
                op.operation_id,
                op.display_name,
                op.summary,
                op.tags,
                if op.deprecated { " deprecated" } else { "" }
            );
            if let Some(d) = &op.description {
                let _ = writeln!(w, "    description {d:?}");
            }
            for p in &op.parameters {
                let _ = writeln!(
                    w,
                    "    param {} {}{} {:?} style={:?} explode={} schema={} example={:?} var={:?} doc={:?}",
                    p.location.as_str(),
                    p.name,
                    if p.required { " required" } else { "" },
                    p.schema.type_name,
                    p.style,
                    p.explode,
                    serde_json::to_string(&p.schema).expect("serialises"),
                    p.example.as_ref().map(ToString::to_string),
                    p.template_variable,
                    p.description,
                );
            }
            if let Some(body) = &op.request_body {
                let _ = writeln!(
                    w,
                    "    body required={} {:?}",
                    body.required, body.description
                );
                for media in &body.content {
                    let _ = writeln!(
                        w,
                        "      {} schema={}",
                        media.content_type,
                        media
                            .schema
                            .as_ref()
                            .map_or("none".into(), ToString::to_string)
                    );
                    for ex in &media.examples {
                        let _ = writeln!(
                            w,
                            "        example {} {:?} {}",
                            ex.name, ex.summary, ex.value
                        );
                    }
                    if let Some(sample) = body_sample(api, media) {
                        let _ =
                            writeln!(w, "        sample {}", sample.replace('\n', "\n        "));
                    }
                }
            }
            for r in &op.responses {
                let _ = writeln!(
                    w,
                    "    response {} {:?} {:?}",
                    r.status,
                    r.description,
                    r.content_types()
                );
            }
            if let Some(security) = &op.security {
                let _ = writeln!(w, "    security {}", requirements(security));
            }
            for c in &op.captures {
                let _ = writeln!(w, "    capture {} {}", c.variable, c.path);
            }
        }
    }
    out
}

/// Compares with tests/fixtures/golden/NAME; `UPDATE_GOLDEN=1` rewrites it.
fn assert_golden(name: &str, actual: &str) {
    let path = fixture("golden").join(name);
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::write(&path, actual).expect("golden file written");
        return;
    }
    let expected = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        expected == actual,
        "{name} differs from the golden file (UPDATE_GOLDEN=1 rewrites it):\n{actual}"
    );
}

#[test]
fn golden_petstore_openapi_3_yaml() {
    let catalog = load_fixture("petstore-3.0.yaml");
    assert!(catalog.warnings.is_empty(), "{:?}", catalog.warnings);
    assert_golden("petstore-3.0.txt", &render(&catalog.apis[0]));
}

#[test]
fn golden_petstore_swagger_2_json() {
    let catalog = load_fixture("petstore-2.0.json");
    assert!(catalog.warnings.is_empty(), "{:?}", catalog.warnings);
    assert_golden("petstore-2.0.txt", &render(&catalog.apis[0]));
}

/// `(file, operations, webhooks)` from specs/SOURCES.md.
const SPEC_COUNTS: &[(&str, usize, Option<usize>)] = &[
    ("oai-petstore-3.0.yaml", 3, None),
    ("oai-petstore-expanded-3.0.yaml", 4, None),
    ("oai-petstore-expanded-3.0.json", 4, None),
    ("oai-callback-example-3.0.yaml", 1, None),
    ("oai-link-example-3.0.yaml", 6, None),
    ("oai-api-with-examples-3.0.yaml", 2, None),
    ("oai-uspto-3.0.json", 3, None),
    ("oai-webhook-example-3.1.yaml", 0, Some(1)),
    ("oai-tictactoe-3.1.yaml", 3, Some(1)),
    ("oai-non-oauth-scopes-3.1.json", 1, None),
    ("oai-tags-example-3.2.yaml", 4, None),
    ("oai-petstore-2.0.json", 3, None),
    ("oai-petstore-with-external-docs-2.0.json", 4, None),
    ("oai-uber-2.0.yaml", 5, None),
    ("oai-petstore-separate-2.0/spec/swagger.yaml", 4, None),
    ("slack-web-api-2.0.json", 174, None),
    ("twilio-messaging-v1-3.0.json", 58, None),
    ("httpbin-0.10.4-flasgger-2.0.json", 78, None),
    ("azure-machinelearningservices-apisguru-3.0.json", 20, None),
    ("github-api.github.com-3.0.json", 1223, Some(270)),
];

#[test]
fn every_shared_spec_loads_with_its_operation_count() {
    let Some(dir) = support::specs_dir() else {
        return;
    };
    for (file, ops, webhooks) in SPEC_COUNTS {
        let path = dir.join(file);
        let catalog = catalog::load_file(&path).unwrap_or_else(|e| panic!("{file}: {e}"));
        assert_eq!(catalog.apis.len(), 1, "{file}");
        let api = &catalog.apis[0];
        assert_eq!(api.operations.len(), *ops, "{file}: operations");
        if let Some(webhooks) = webhooks {
            assert!(
                api.webhooks.len() >= *webhooks,
                "{file}: webhooks {}",
                api.webhooks.len()
            );
        }
        assert!(
            catalog.warnings.is_empty(),
            "{file}: {:#?}",
            catalog.warnings.iter().take(5).collect::<Vec<_>>()
        );
        // Every body has a sample (examples or a skeleton), and it is JSON
        // unless the media type says otherwise.
        for op in &api.operations {
            for media in op.request_body.iter().flat_map(|b| &b.content) {
                let sample = body_sample(api, media);
                let sample = sample.unwrap_or_else(|| {
                    panic!("{file}: {} {} {}", op.method, op.path, media.content_type)
                });
                if media.content_type.contains("json") {
                    serde_json::from_str::<serde_json::Value>(&sample)
                        .unwrap_or_else(|e| panic!("{file}: {} {}: {e}", op.method, op.path));
                }
            }
        }
        assert_eq!(SearchIndex::new(&catalog).len(), *ops, "{file}");
    }
}

#[test]
fn cyclic_refs_end_with_warnings_not_hangs() {
    let catalog = load_fixture("cyclic.yaml");
    let api = &catalog.apis[0];
    assert_eq!(api.operations.len(), 2);
    let plant = &api.operations[0];
    // The looping parameter is dropped; the other keeps an empty summary.
    assert_eq!(plant.parameters.len(), 1);
    assert_eq!(plant.parameters[0].name, "depth");
    assert_eq!(plant.parameters[0].schema.type_name, None);
    assert_eq!(plant.responses[0].description, None);
    let cycles = catalog
        .warnings
        .iter()
        .filter(|w| w.message.contains("cycle"))
        .count();
    assert_eq!(cycles, 3, "{:#?}", catalog.warnings);
    let media = &plant.request_body.as_ref().expect("body").content[0];
    let sample: serde_json::Value =
        serde_json::from_str(&body_sample(api, media).expect("sample")).expect("json");
    assert_eq!(sample["branches"][0]["leaves"], 0);
    assert_eq!(sample["branches"][0]["tree"], serde_json::Value::Null);
}

#[test]
fn external_refs_across_directories() {
    let catalog = load_fixture("split/api/openapi.yaml");
    assert!(catalog.warnings.is_empty(), "{:?}", catalog.warnings);
    let api = &catalog.apis[0];
    let document = api.document.as_ref().expect("document kept");
    assert_eq!(document.external.len(), 2);
    let list = &api.operations[0];
    assert_eq!(list.parameters[0].name, "limit");
    assert_eq!(
        list.parameters[0].schema.type_name.as_deref(),
        Some("integer")
    );
    assert_eq!(
        list.parameters[0].schema.default,
        Some(serde_json::json!(5))
    );
    let add = &api.operations[1];
    assert_eq!(add.responses[0].description.as_deref(), Some("Bad request"));
    let media = &add.request_body.as_ref().expect("body").content[0];
    let sample: serde_json::Value =
        serde_json::from_str(&body_sample(api, media).expect("sample")).expect("json");
    assert_eq!(
        sample,
        serde_json::json!({"name": "Rex", "owner": {"email": "user@example.com"}})
    );
}

#[test]
fn byte_order_mark_is_tolerated() {
    let json = std::fs::read(fixture("petstore-2.0.json")).expect("fixture");
    let yaml = std::fs::read(fixture("petstore-3.0.yaml")).expect("fixture");
    for (bytes, name, ops) in [(json, "bom.json", 5), (yaml, "bom.yaml", 4)] {
        let mut with_bom = b"\xEF\xBB\xBF".to_vec();
        with_bom.extend(bytes);
        let catalog = catalog::load_bytes(&with_bom, name).expect("loads with a BOM");
        assert_eq!(catalog.apis[0].operations.len(), ops, "{name}");
    }
}

#[test]
fn dangling_refs_degrade_one_item() {
    let catalog = load_fixture("dangling.yaml");
    let api = &catalog.apis[0];
    let ids: Vec<_> = api
        .operations
        .iter()
        .map(|o| o.operation_id.as_deref())
        .collect();
    assert_eq!(ids, [Some("good"), Some("bad")]);
    let bad = &api.operations[1];
    assert_eq!(bad.parameters.len(), 1);
    assert_eq!(bad.parameters[0].name, "kept");
    assert!(bad.request_body.is_none());
    let pointers: Vec<_> = catalog
        .warnings
        .iter()
        .filter_map(|w| w.pointer.as_deref())
        .collect();
    for expected in [
        "/paths/~1bad/get/parameters/0",
        "/paths/~1bad/get/parameters/1",
        "/paths/~1bad/get/parameters/2",
        "/paths/~1bad/get/requestBody",
        "/paths/~1missing-item",
    ] {
        assert!(
            pointers.contains(&expected),
            "{expected} missing from {:#?}",
            catalog.warnings
        );
    }
    assert!(
        catalog
            .warnings
            .iter()
            .all(|w| w.source.ends_with("dangling.yaml"))
    );
}

#[test]
fn broken_files_name_line_and_column() {
    let cases: [(&[u8], &str, usize, usize); 4] = [
        (
            b"{\n  \"openapi\": \"3.0.0\",\n  \"info\": {\"title\": \"x\",}\n}",
            "broken.json",
            3,
            25,
        ),
        (
            b"openapi: 3.0.0\ninfo:\n  title: [unclosed\npaths: {}\n",
            "broken.yaml",
            4,
            6,
        ),
        (
            b"[[api]]\nid = \"x\"\nservice_url = \n",
            "broken.toml",
            3,
            15,
        ),
        (b"[[api]]\nid = \"x\"\n", "missing.toml", 1, 1),
    ];
    for (bytes, name, line, column) in cases {
        let err = catalog::load_bytes(bytes, name).expect_err(name);
        match &err {
            LoadError::Syntax {
                source_name,
                line: l,
                column: c,
                ..
            } => {
                assert_eq!(source_name, name);
                assert_eq!((*l, *c), (Some(line), Some(column)), "{name}: {err}");
            }
            other => panic!("{name}: {other:?}"),
        }
        assert!(
            err.to_string()
                .starts_with(&format!("{name}:{line}:{column}: ")),
            "{err}"
        );
    }
    let err =
        catalog::load_bytes(b"title: not an API\n", "notes.yaml").expect_err("not a definition");
    assert!(
        err.to_string()
            .contains("not an OpenAPI or Swagger definition"),
        "{err}"
    );
    let err = catalog::load_file(&fixture("no-such-file.yaml")).expect_err("absent");
    assert!(err.to_string().contains("no-such-file.yaml"), "{err}");
}

#[test]
fn portal_file_loads_apis_includes_and_environments() {
    let catalog = load_fixture("portal/portal.toml");
    assert!(catalog.warnings.is_empty(), "{:?}", catalog.warnings);
    assert_eq!(catalog.title.as_deref(), Some("Contoso ML portal"));
    let ids: Vec<_> = catalog.apis.iter().map(|a| a.id.as_str()).collect();
    assert_eq!(ids, ["azureml-demo", "fixture-petstore"]);
    assert_golden("portal.txt", &render(&catalog.apis[0]));
    let demo = &catalog.environments[0];
    assert_eq!(demo.name, "demo");
    let vars: Vec<_> = demo
        .variables
        .iter()
        .map(|(k, v)| format!("{k}={}{}", v.value, if v.secret { " (secret)" } else { "" }))
        .collect();
    assert_eq!(
        vars,
        [
            "workspace=demo-workspace",
            "apiversion=2.0",
            "retries=3",
            "api_key=demo-api-key-1 (secret)"
        ]
    );
    assert!(catalog.environments[1].variables.is_empty());

    // The same text embedded (as the bundled demo does), anchored by location.
    let text = std::fs::read_to_string(fixture("portal/portal.toml")).expect("fixture");
    let location = fixture("portal/portal.toml");
    let embedded = catalog::load_portal_str(&text, &location.to_string_lossy()).expect("loads");
    assert_eq!(render(&embedded.apis[0]), render(&catalog.apis[0]));
    assert_eq!(embedded.apis.len(), 2);
}

#[test]
fn portal_problems_are_warnings() {
    let text = r#"
flows = []
[[include]]
source = "missing.yaml"
[[api]]
id = "a"
service_url = "http://127.0.0.1:1"
headers = ["no colon"]
[[api.operation]]
name = "x"
method = "GET"
template = "/x/{id}"
colour = "red"
  [[api.operation.param]]
  name = "nope"
"#;
    let catalog = catalog::load_portal_str(text, "/tmp/p.toml").expect("loads");
    let messages: Vec<_> = catalog.warnings.iter().map(ToString::to_string).collect();
    assert_eq!(messages.len(), 5, "{messages:#?}");
    for needle in [
        "\"flows\"",
        "missing.yaml",
        "no colon",
        "\"colour\"",
        "\"nope\"",
    ] {
        assert!(
            messages.iter().any(|m| m.contains(needle)),
            "{needle}: {messages:#?}"
        );
    }
    assert_eq!(catalog.apis[0].operations[0].parameters[0].name, "id");
}

/// Certificate checking is on for every API unless its portal entry
/// (or the include that brought it) turns it off by name.
#[test]
fn tls_verify_false_is_per_api_and_per_include() {
    let petstore = fixture("petstore-3.0.yaml");
    let text = format!(
        r#"
[[include]]
source = "{petstore}"
tls_verify = false

[[include]]
source = "{petstore}"

[[api]]
id = "checked"
service_url = "https://127.0.0.1:1"

[[api]]
id = "unchecked"
service_url = "https://127.0.0.1:2"
tls_verify = false
"#,
        petstore = petstore.display()
    );
    let catalog = catalog::load_portal_str(&text, "/tmp/p.toml").expect("loads");
    assert!(catalog.warnings.is_empty(), "{:?}", catalog.warnings);
    let switches: Vec<_> = catalog
        .apis
        .iter()
        .map(|a| (a.id.as_str(), a.skip_tls_verify))
        .collect();
    assert_eq!(
        switches,
        [
            ("checked", false),
            ("unchecked", true),
            ("fixture-petstore", true),
            ("fixture-petstore-2", false),
        ]
    );
}

#[test]
fn selectors_find_operations_or_list_matches() {
    let catalog = Catalog {
        // The portal's first API only: its include is the 3.0 petstore again.
        apis: [
            load_fixture("petstore-3.0.yaml"),
            load_fixture("petstore-2.0.json"),
            load_fixture("portal/portal.toml"),
        ]
        .into_iter()
        .flat_map(|c| c.apis.into_iter().take(2))
        .take(3)
        .collect(),
        ..Catalog::default()
    };
    let pick = |selector: &str| {
        let (a, o) = catalog
            .select(selector)
            .unwrap_or_else(|e| panic!("{selector}: {e}"));
        let (api, op) = catalog.operation((a, o));
        format!("{}:{} {}", api.id, op.method, op.path)
    };
    assert_eq!(pick("createPet"), "fixture-petstore:POST /pets");
    assert_eq!(
        pick("fixture-petstore-two:addPet"),
        "fixture-petstore-two:POST /pets"
    );
    assert_eq!(
        pick("Fixture-Petstore-Two:get /pets/{id}"),
        "fixture-petstore-two:GET /pets/{id}"
    );
    assert_eq!(
        pick("rrs execute"),
        "azureml-demo:POST /workspaces/{workspace}/services/{service}/execute"
    );
    assert_eq!(
        pick("info for a specific pet"),
        "fixture-petstore:GET /pets/{petId}"
    );
    assert_eq!(
        pick(
            "azureml-demo:GET /workspaces/{workspace}/services/{service}/jobs/{jobid}?api-version={apiversion}"
        ),
        "azureml-demo:GET /workspaces/{workspace}/services/{service}/jobs/{jobid}"
    );

    match catalog.select("listPets") {
        Err(SelectError::Ambiguous { matches, .. }) => assert_eq!(
            matches,
            [
                "fixture-petstore:GET /pets  (List all pets)",
                "fixture-petstore-two:GET /pets  (List pets)",
                "fixture-petstore-two:GET /pets/{id}  (Find a pet (duplicate operationId, seen in the wild))",
            ]
        ),
        other => panic!("{other:?}"),
    }
    let err = catalog.select("GET /pets").expect_err("two APIs have it");
    assert!(matches!(err, SelectError::Ambiguous { .. }), "{err}");
    match catalog.select("delPet") {
        Err(e @ SelectError::Unknown { .. }) => {
            let message = e.to_string();
            assert!(message.starts_with("no operation matches \"delPet\"; nearest:\n  fixture-petstore:DELETE /pets/{petId}"), "{message}");
        }
        other => panic!("{other:?}"),
    }
    match catalog.select("zzzzqqq") {
        Err(SelectError::Unknown { nearest, .. }) => assert!(nearest.is_empty()),
        other => panic!("{other:?}"),
    }
    // A path alone, as RPC-style APIs are named (Slack's
    // `chat.postMessage`): with or without its slash; every method on it.
    assert_eq!(
        pick("azureml-demo:workspaces/{workspace}/services/{service}/execute"),
        "azureml-demo:POST /workspaces/{workspace}/services/{service}/execute"
    );
    // Nothing after the API's name selects nothing, not its root path.
    assert!(catalog.select("fixture-petstore:").is_err());
    match catalog.select("fixture-petstore:/pets/{petId}") {
        Err(SelectError::Ambiguous { matches, .. }) => assert_eq!(
            matches,
            [
                "fixture-petstore:GET /pets/{petId}  (Info for a specific pet)",
                "fixture-petstore:DELETE /pets/{petId}  (deletePet)",
            ]
        ),
        other => panic!("{other:?}"),
    }
}

#[test]
fn search_ranks_best_matches_first() {
    let catalog = Catalog {
        apis: [
            load_fixture("petstore-3.0.yaml"),
            load_fixture("portal/portal.toml"),
        ]
        .into_iter()
        .flat_map(|c| c.apis)
        .collect(),
        ..Catalog::default()
    };
    let index = SearchIndex::new(&catalog);
    let total = catalog
        .apis
        .iter()
        .map(|a| a.operations.len())
        .sum::<usize>();
    assert_eq!(index.len(), total);
    let all = index.query("", 100);
    assert_eq!(all.len(), total);
    assert!(
        all.windows(2)
            .all(|w| (w[0].api, w[0].op) < (w[1].api, w[1].op))
    );
    let titles = |q: &str| -> Vec<String> {
        index
            .query(q, 3)
            .iter()
            .map(|h| catalog.operation((h.api, h.op)).1.title())
            .collect()
    };
    assert_eq!(titles("bes status")[0], "BES Status");
    assert_eq!(titles("delete")[0], "deletePet");
    assert_eq!(titles("showpet")[0], "Info for a specific pet");
    assert_eq!(titles("batch"), ["BES Submit", "BES Status"]);
    assert!(index.query("xyzzy", 10).is_empty());
    let hits = index.query("pets", 10);
    assert!(hits.windows(2).all(|w| w[0].score >= w[1].score));
}

/// Serves tests/fixtures over HTTP on loopback.
async fn serve_fixtures() -> String {
    use axum::extract::Path as UrlPath;
    use axum::http::StatusCode;
    let app = axum::Router::new().route(
        "/{*path}",
        axum::routing::get(|UrlPath(path): UrlPath<String>| async move {
            if path.contains("..") {
                return Err(StatusCode::FORBIDDEN);
            }
            std::fs::read(fixture(&path)).map_err(|_| StatusCode::NOT_FOUND)
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let address = listener.local_addr().expect("address");
    tokio::spawn(async move { axum::serve(listener, app).await });
    format!("http://{address}")
}

#[tokio::test]
async fn sources_load_from_urls_and_files_into_one_catalog() {
    let base = serve_fixtures().await;
    let sources = vec![
        format!("{base}/split/api/openapi.yaml"),
        fixture("petstore-3.0.yaml").to_string_lossy().into_owned(),
        format!("{base}/petstore-3.0.yaml"),
        format!("{base}/portal/portal.toml"),
        format!("{base}/petstore-2.0.json"),
    ];
    let catalog = catalog::load_sources(&sources).await.expect("loads");
    let ids: Vec<_> = catalog.apis.iter().map(|a| a.id.as_str()).collect();
    assert_eq!(
        ids,
        [
            "split",
            "fixture-petstore",
            "fixture-petstore-2",
            "azureml-demo",
            "fixture-petstore-3",
            "fixture-petstore-two"
        ]
    );
    // The portal's body_file is a local-only feature: a warning over HTTP.
    let unexpected: Vec<_> = catalog
        .warnings
        .iter()
        .filter(|w| !w.message.contains("body_file"))
        .collect();
    assert!(unexpected.is_empty(), "{unexpected:#?}");
    // `../common/...` refs were fetched over HTTP.
    let split = &catalog.apis[0];
    assert_eq!(
        split.operations[0].parameters[0].schema.default,
        Some(serde_json::json!(5))
    );
    assert_eq!(split.document.as_ref().expect("document").external.len(), 2);
    // A Swagger definition from a URL keeps its own host.
    assert_eq!(
        catalog.apis[5].servers[0].url,
        "https://pets.example.com/api"
    );

    let err = catalog::load_sources(&[format!("{base}/nothing.yaml")])
        .await
        .expect_err("404");
    assert!(
        err.to_string().contains("nothing.yaml") && err.to_string().contains("404"),
        "{err}"
    );
}

#[test]
fn the_readme_portal_example_loads() {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).expect("README");
    let section = readme
        .split("<!-- section: portal -->")
        .nth(1)
        .expect("portal section");
    let example = section
        .split("```toml\n")
        .nth(1)
        .and_then(|rest| rest.split("```").next())
        .expect("a toml example");
    // Anchored in an empty directory: the example's include is absent there.
    let dir = tempfile::tempdir().expect("temp dir");
    let location = dir.path().join("portal.toml");
    let catalog = catalog::load_portal_str(example, &location.to_string_lossy()).expect("loads");
    assert_eq!(catalog.warnings.len(), 1, "{:?}", catalog.warnings);
    assert!(catalog.warnings[0].message.contains("openapi.yaml"));
    let api = &catalog.apis[0];
    assert_eq!(api.servers[0].url, "http://127.0.0.1:8400/azureml-demo");
    assert_eq!(api.operations.len(), 2);
    let (a, o) = catalog.select("azureml-demo:RRS Execute").expect("selects");
    let rrs = catalog.operation((a, o)).1;
    let names: Vec<_> = rrs.parameters.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(names, ["workspace", "service", "api-version", "details"]);
    assert!(catalog.environments[0].variables["api_key"].secret);

    // The include with headers (GitHub's token): read without a complaint
    // but the absent definition.
    let include = section
        .split("```toml\n")
        .skip(1)
        .filter_map(|rest| rest.split("```").next())
        .find(|b| b.starts_with("[[include]]") && b.contains("github_token"))
        .expect("an include with headers");
    let catalog = catalog::load_portal_str(include, &location.to_string_lossy()).expect("loads");
    assert_eq!(catalog.warnings.len(), 1, "{:?}", catalog.warnings);
    assert!(
        catalog.warnings[0].message.contains("api.github.com.json"),
        "{:?}",
        catalog.warnings
    );
}

/// A definition with thousands of path items reads them in two halves at
/// once: the operations come out in the definition's order, and a warning
/// from the second half is kept, with where it is.
#[test]
fn thousands_of_path_items_keep_their_order_and_warnings() {
    let mut paths = serde_json::Map::new();
    for i in 0..3000 {
        let item = if i == 2500 {
            serde_json::json!({ "$ref": "#/components/pathItems/missing" })
        } else {
            serde_json::json!({ "get": { "operationId": format!("op{i}"), "responses": {} } })
        };
        paths.insert(format!("/things/{i}"), item);
    }
    let spec = serde_json::json!({
        "openapi": "3.0.3",
        "info": { "title": "Many", "version": "1" },
        "paths": paths,
    });
    let bytes = serde_json::to_vec(&spec).expect("json");
    let catalog = catalog::load_bytes(&bytes, "many.json").expect("loads");
    let ids: Vec<&str> = catalog.apis[0]
        .operations
        .iter()
        .filter_map(|o| o.operation_id.as_deref())
        .collect();
    let expected: Vec<String> = (0..3000)
        .filter(|&i| i != 2500)
        .map(|i| format!("op{i}"))
        .collect();
    assert_eq!(ids, expected);
    assert!(
        catalog
            .warnings
            .iter()
            .any(|w| w.to_string().contains("things~12500")),
        "{:?}",
        catalog.warnings
    );
}

//! Catalog loading: golden tests on fixtures written for them, `$ref`
//! edge cases, errors with positions, portal files, selectors, search, and
//! every third-party definition in ../shared/specs with its operation count.

use std::path::{Path, PathBuf};

use portico::catalog::{self, Catalog};

/// ../shared/specs next to the checkout (or next to the worktrees folder).
fn specs_dir() -> Option<PathBuf> {
    let candidates = [
        concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/specs"),
        concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/specs"),
    ];
    let found = candidates.iter().map(Path::new).find(|d| d.is_dir());
    if found.is_none() {
        eprintln!("note: {} is absent; skipping", candidates[0]);
    }
    found.map(Path::to_path_buf)
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
    let Some(dir) = specs_dir() else { return };
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
    }
}

fn petstore_catalog() -> Option<Catalog> {
    let dir = specs_dir()?;
    Some(catalog::load_file(&dir.join("oai-petstore-3.0.yaml")).expect("loads"))
}

#[test]
fn selectors_find_operations() {
    let Some(catalog) = petstore_catalog() else {
        return;
    };
    let (a, o) = catalog.select("listPets").expect("by operationId");
    assert_eq!(catalog.operation(a, o).1.path, "/pets");
    let (a, o) = catalog
        .select("swagger-petstore:GET /pets/{petId}")
        .expect("by route");
    assert_eq!(
        catalog.operation(a, o).1.operation_id.as_deref(),
        Some("showPetById")
    );
    let err = catalog.select("lstpets").expect_err("unknown");
    assert!(err.to_string().contains("GET /pets"), "{err}");
}

//! Sources: a source that cannot be read costs only itself, and files
//! named by hostile files (devices, endless pipes) are not read.

use std::time::Duration;

use portico::catalog;
use portico::interchange::http_file;
use serde_json::{Value, json};

use crate::{bounded, load};

// ---------------------------------------------------------------------------
// A source that cannot be read costs only itself

#[tokio::test]
async fn a_broken_source_is_reported_and_the_others_load() {
    let dir = tempfile::tempdir().expect("temp dir");
    let good =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/petstore-3.0.yaml");
    let bad = dir.path().join("broken.yaml");
    std::fs::write(
        &bad,
        "openapi: 3.0.0\ninfo:\n  title: [unclosed\npaths: {}\n",
    )
    .expect("write");
    let missing = dir.path().join("missing.json");
    let sources: Vec<String> = [&bad, &good, &missing]
        .iter()
        .map(|p| p.display().to_string())
        .collect();

    let catalog = catalog::load_sources(&sources)
        .await
        .expect("the good source loads");
    assert_eq!(catalog.apis.len(), 1);
    assert!(!catalog.apis[0].operations.is_empty());
    // The failures come first, each naming its file (and position).
    let first = catalog.warnings[0].to_string();
    assert!(
        first.contains(&format!("{}:4:6: invalid YAML", bad.display())),
        "{first}"
    );
    assert!(
        catalog.warnings[1]
            .to_string()
            .contains(&missing.display().to_string())
    );

    // Every source broken: an error, the first one.
    let err = catalog::load_sources(&[sources[0].clone(), sources[2].clone()])
        .await
        .expect_err("nothing loads");
    assert_eq!(err.source_name(), sources[0]);

    // The CLI lists the good API and warns about the broken one.
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_portico"))
        .arg("list")
        .args(&sources)
        .output()
        .expect("runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(stdout.contains("List all pets"), "{stdout}");
    assert!(
        stderr.contains(&format!("{}:4:6", bad.display())),
        "{stderr}"
    );
}

// ---------------------------------------------------------------------------
// Files named by hostile files

/// A definition or portal file may name any path: devices that never end
/// or never answer are refused, not read.
#[test]
fn references_to_devices_are_not_read() {
    let dir = tempfile::tempdir().expect("temp dir");
    let definition = dir.path().join("devices.yaml");
    std::fs::write(
        &definition,
        "openapi: 3.0.0\ninfo: {title: d, version: '1'}\npaths:\n  /z: {$ref: '/dev/zero#/a'}\n  /s: {$ref: '/dev/stdin#/a'}\n  /u: {$ref: '/dev/urandom'}\n",
    )
    .expect("write");
    let catalog = bounded("devices", Duration::from_secs(10), move || {
        catalog::load_file(&definition)
    })
    .expect("loads");
    let warnings: Vec<String> = catalog.warnings.iter().map(ToString::to_string).collect();
    assert!(
        warnings
            .iter()
            .filter(|w| w.contains("not a regular file"))
            .count()
            >= 3,
        "{warnings:?}"
    );

    let portal = "[[include]]\nsource = \"/dev/zero\"\n[[api]]\nid = \"a\"\nservice_url = \"http://h\"\n[[api.operation]]\nname = \"n\"\nmethod = \"POST\"\ntemplate = \"/\"\nbody_file = \"/dev/zero\"\n";
    let catalog = bounded("devices portal", Duration::from_secs(10), move || {
        catalog::load_portal_str(portal, "devices.toml")
    })
    .expect("loads");
    assert_eq!(catalog.apis.len(), 1);
    assert_eq!(
        catalog
            .warnings
            .iter()
            .filter(|w| w.message.contains("not a regular file"))
            .count(),
        2,
        "{:?}",
        catalog.warnings
    );
}

/// A source the user names may be a pipe (`<(curl ...)`), but not an
/// endless one.
#[test]
fn an_endless_source_is_refused() {
    let err = bounded("zero", Duration::from_secs(30), || {
        catalog::load_file(std::path::Path::new("/dev/zero"))
    })
    .expect_err("refused");
    assert!(
        err.to_string().starts_with("/dev/zero: larger than"),
        "{err}"
    );
}

#[test]
fn curl_and_http_file_bodies_from_devices_are_refused() {
    let err = bounded("curl zero", Duration::from_secs(10), || {
        portico::interchange::curl::parse_curl("curl -d @/dev/zero http://h/")
    })
    .expect_err("refused");
    assert!(err.to_string().contains("not a regular file"), "{err}");
    let err = bounded("http zero", Duration::from_secs(10), || {
        http_file::parse(
            "POST http://h/\n\n< /dev/zero\n",
            "x.http",
            std::path::Path::new("."),
        )
    })
    .expect_err("refused");
    assert!(err.to_string().starts_with("x.http:3: "), "{err}");
}

/// Many paths naming one path item with a long parameter list: a 100 kB
/// file that would otherwise copy 20 million parameters.
#[test]
fn path_items_referenced_many_times_are_bounded() {
    let parameters: Vec<Value> = (0..1_000)
        .map(|i| json!({"name": format!("p{i}"), "in": "query", "schema": {"type": "string", "enum": ["a", "b", "c"]}}))
        .collect();
    let methods: serde_json::Map<String, Value> = [
        "get", "put", "post", "delete", "patch", "head", "options", "trace", "query",
    ]
    .iter()
    .map(|m| ((*m).to_string(), json!({"responses": {}})))
    .collect();
    let mut item = Value::Object(methods);
    item["parameters"] = Value::Array(parameters);
    let mut paths = serde_json::Map::new();
    paths.insert("/item".into(), item);
    for i in 0..2_000 {
        paths.insert(format!("/p{i}"), json!({"$ref": "#/paths/~1item"}));
    }
    let root =
        json!({"openapi": "3.0.0", "info": {"title": "amplified", "version": "1"}, "paths": paths});
    let catalog = load("amplified.json", serde_json::to_vec(&root).expect("json")).expect("loads");
    let parameters: usize = catalog.apis[0]
        .operations
        .iter()
        .map(|o| o.parameters.len())
        .sum();
    assert!(parameters < 2_000_000, "{parameters} parameters");
    assert!(
        catalog
            .warnings
            .iter()
            .any(|w| w.message.contains("expand to more than")),
        "{:?}",
        catalog.warnings
    );
}

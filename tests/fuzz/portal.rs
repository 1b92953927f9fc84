//! Target: portal files.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use portico::catalog;
use proptest::collection::vec;
use proptest::prelude::*;
use proptest::sample::select;

use crate::harness::{fuzz, hostile_text, lossy, mutated_seed};
use crate::request_build::{param_name, template, typed_value};
use crate::worst_cases::open_everything;

fn portal_input() -> impl Strategy<Value = String> {
    let key = select(vec![
        "id",
        "title",
        "service_url",
        "url_suffix",
        "name",
        "method",
        "template",
        "body",
        "content_type",
        "default",
        "enum",
        "required",
        "example",
        "variable",
        "path",
        "source",
        "value",
        "secret",
        "headers",
        "tags",
        "unknown",
    ]);
    let value = prop_oneof![
        typed_value().prop_map(|v| format!("{v:?}")),
        template().prop_map(|v| format!("{v:?}")),
        select(vec![
            "1",
            "1.5",
            "true",
            "[]",
            "[1, \"a\"]",
            "{ value = \"v\", secret = true }",
            "1979-05-27T07:32:00Z",
            "inf",
            "'lit'",
            "\"\"\"\nmulti\n\"\"\""
        ])
        .prop_map(str::to_string),
    ];
    let line = prop_oneof![
        2 => (key, value).prop_map(|(k, v)| format!("{k} = {v}")),
        1 => select(vec!["[[api]]", "[[api.operation]]", "[[api.operation.param]]", "[[api.operation.capture]]", "[[environment]]", "[environment.variables]", "[[include]]", "[api]", "title = 'T'"]).prop_map(str::to_string),
    ];
    prop_oneof![
        1 => any::<String>(),
        1 => hostile_text(48),
        3 => mutated_seed("portal").prop_map(|b| lossy(&b)),
        3 => vec(line, 0..24).prop_map(|lines| lines.join("\n")),
        3 => (
            (typed_value(), typed_value(), typed_value()),
            (select(vec!["GET", "post", "PUT", "DELETE", "GE T", ""]), template(), typed_value()),
            (param_name(), typed_value(), typed_value()),
        )
            .prop_map(|((id, url, name), (method, template, body), (param, default, var))| {
                let q = |s: &str| toml::Value::String(s.to_string()).to_string();
                format!(
                    "[[api]]\nid = {}\nservice_url = {}\nheaders = [{}]\n\
                     [[api.operation]]\nname = {}\nmethod = {}\ntemplate = {}\nbody = {}\n\
                     [[api.operation.param]]\nname = {}\ndefault = {}\n\
                     [[environment]]\nname = \"e\"\nvariables = {{ a = {}, k = {{ value = {}, secret = true }} }}\n",
                    q(&id), q(&url), q(&var), q(&name), q(method), q(&template), q(&body),
                    q(&param), q(&default), q(&var), q(&default)
                )
            }),
    ]
}

#[test]
fn fuzz_portal_files() {
    let operations = Arc::new(AtomicU64::new(0));
    let counted = Arc::clone(&operations);
    fuzz("portal", portal_input(), move |text| {
        let location = "tests/fixtures/fuzz/portal/fuzz.toml";
        match catalog::load_portal_str(&text, location) {
            Ok(catalog) => {
                let ops = catalog
                    .apis
                    .iter()
                    .map(|a| a.operations.len())
                    .sum::<usize>();
                counted.fetch_add(ops as u64, Ordering::Relaxed);
                open_everything(&catalog);
            }
            Err(e) => prop_assert!(e.to_string().starts_with(location), "{e}"),
        }
        Ok(())
    });
    let operations = operations.load(Ordering::Relaxed);
    eprintln!("fuzz target portal: {operations} operations loaded and opened");
    assert!(operations > 0);
}

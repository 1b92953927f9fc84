//! Target: URL-template expansion and request building.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use portico::catalog::{
    Api, Operation, ParamLocation, ParamStyle, Parameter, SchemaSummary, SecurityKind,
    SecurityScheme, Server, ServerVariable, Variable,
};
use portico::interchange::curl::{CurlError, ParsedCurl, parse_curl_with, to_curl};
use portico::interchange::snippet::{Lang, to_snippet};
use portico::request::{self, AuthValue, Draft, Row, Vars};
use proptest::collection::vec;
use proptest::option;
use proptest::prelude::*;
use proptest::sample::select;

use crate::harness::{fuzz, hostile_text};

fn lines_of(target: &str, file: &str) -> Vec<String> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/fuzz")
        .join(target)
        .join(file);
    std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .lines()
        .map(str::to_string)
        .collect()
}

/// A value as a user (or a pasted file) might type it.
pub(crate) fn typed_value() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => "[a-zA-Z0-9 ._,=-]{0,8}",
        2 => select(lines_of("template", "values.txt")),
        2 => hostile_text(12),
        1 => any::<String>(),
        1 => Just(String::new()),
    ]
}

pub(crate) fn template() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        4 => "/[a-z]{1,4}",
        3 => Just("/{id}".to_string()),
        2 => select(vec![
            "/", "/a", "/{id}", "/{x}", "{a b}", "{}", "{", "}", "{{", "}}", "{{x}}", "$", "?",
            "&", "=", "?q={q}", "&r=1", "#", "%", "é", ";", "\r\n", "\0"
        ])
        .prop_map(str::to_string),
        1 => select(lines_of("template", "templates.txt")),
        1 => hostile_text(3),
    ];
    vec(piece, 0..8).prop_map(|p| p.concat())
}

fn location() -> impl Strategy<Value = ParamLocation> {
    select(vec![
        ParamLocation::Path,
        ParamLocation::Query,
        ParamLocation::Header,
        ParamLocation::Cookie,
    ])
}

fn style() -> impl Strategy<Value = ParamStyle> {
    select(vec![
        ParamStyle::Simple,
        ParamStyle::Label,
        ParamStyle::Matrix,
        ParamStyle::Form,
        ParamStyle::SpaceDelimited,
        ParamStyle::PipeDelimited,
        ParamStyle::DeepObject,
    ])
}

pub(crate) fn param_name() -> impl Strategy<Value = String> {
    prop_oneof![
        6 => select(vec!["id", "x", "q", "a b", "api-version", "Authorization", "Ocp-Apim-Subscription-Key", "Cookie", "Content-Type", ""]).prop_map(str::to_string),
        1 => hostile_text(3),
    ]
}

#[derive(Debug, Clone)]
struct BuildCase {
    api: Api,
    op: Operation,
    draft: Draft,
    vars: Vars,
}

fn build_case() -> impl Strategy<Value = BuildCase> {
    let parameter = (
        param_name(),
        location(),
        style(),
        any::<bool>(),
        option::of(select(vec!["string", "array", "object", "integer"])),
        any::<bool>(),
        option::of(param_name()),
    )
        .prop_map(
            |(name, location, style, explode, type_name, required, template_variable)| Parameter {
                name,
                location,
                required,
                description: None,
                deprecated: false,
                schema: SchemaSummary {
                    type_name: type_name.map(str::to_string),
                    ..SchemaSummary::default()
                },
                style,
                explode,
                example: None,
                template_variable,
                schema_value: None,
            },
        );
    let row = || {
        (param_name(), typed_value(), any::<bool>()).prop_map(|(name, value, enabled)| Row {
            name,
            value,
            enabled,
        })
    };
    let server = prop_oneof![
        4 => Just("https://api.example.com/v1/".to_string()),
        2 => select(vec![
            "https://api.example.com/v1/",
            "https://{h}.example.com/{v}",
            "/relative",
            "http://127.0.0.1:8080/base?code={{key}}",
            "",
            "{{base}}",
            "http://[::1]:99999",
            "http://a b/"
        ])
        .prop_map(str::to_string),
        1 => hostile_text(6),
    ];
    (
        (
            select(vec!["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "get"]),
            template(),
            vec(parameter, 0..5),
        ),
        (
            server,
            option::of(typed_value()),
            vec((param_name(), typed_value()), 0..3),
        ),
        (vec(typed_value(), 0..6), vec(row(), 0..3), vec(row(), 0..4)),
        (
            vec(
                (
                    select(vec!["key", "qkey", "ckey", "bearer", "basic", "missing"]),
                    typed_value(),
                    typed_value(),
                ),
                0..3,
            ),
            option::of(select(vec![
                "application/json",
                "text/plain",
                "application/x-www-form-urlencoded",
                "",
                "a\r\nb",
            ])),
            prop_oneof![3 => typed_value(), 1 => Just(r#"{"a": [1, "{{x}}", {"b": null}]}"#.to_string())],
        ),
        vec((param_name(), typed_value(), any::<bool>()), 0..5),
    )
        .prop_map(
            |(
                (method, path, parameters),
                (server, server_url, server_vars),
                (values, extra_query, headers),
                (auth, content_type, body),
                env,
            )| {
                let api = Api {
                    id: "fuzz".into(),
                    servers: vec![Server {
                        url: server,
                        description: None,
                        variables: [(
                            "h".to_string(),
                            ServerVariable {
                                default: "api".into(),
                                ..ServerVariable::default()
                            },
                        )]
                        .into_iter()
                        .collect(),
                    }],
                    security_schemes: vec![
                        SecurityScheme {
                            name: "key".into(),
                            kind: SecurityKind::ApiKey {
                                param: "Ocp-Apim-Subscription-Key".into(),
                                location: ParamLocation::Header,
                            },
                            description: None,
                        },
                        SecurityScheme {
                            name: "qkey".into(),
                            kind: SecurityKind::ApiKey {
                                param: "code".into(),
                                location: ParamLocation::Query,
                            },
                            description: None,
                        },
                        SecurityScheme {
                            name: "ckey".into(),
                            kind: SecurityKind::ApiKey {
                                param: "session".into(),
                                location: ParamLocation::Cookie,
                            },
                            description: None,
                        },
                        SecurityScheme {
                            name: "bearer".into(),
                            kind: SecurityKind::Bearer { format: None },
                            description: None,
                        },
                        SecurityScheme {
                            name: "basic".into(),
                            kind: SecurityKind::Basic,
                            description: None,
                        },
                    ],
                    ..Api::default()
                };
                let op = Operation {
                    method: method.to_string(),
                    path,
                    parameters: parameters.clone(),
                    ..Operation::default()
                };
                let mut vars = Vars::default();
                for (name, value, secret) in env {
                    vars.environment.insert(name, Variable { value, secret });
                }
                let mut draft = Draft::new(&api, &op, &vars);
                for (row, value) in draft.params.iter_mut().zip(values) {
                    row.value = value;
                }
                draft.server_url = server_url;
                draft.server_vars = server_vars.into_iter().collect();
                draft.extra_query = extra_query;
                draft.headers.extend(headers);
                draft.auth = auth
                    .into_iter()
                    .map(|(scheme, value, username)| AuthValue::declared(scheme, value, username))
                    .collect();
                draft.content_type = content_type.map(str::to_string);
                draft.body = body;
                BuildCase {
                    api,
                    op,
                    draft,
                    vars,
                }
            },
        )
}

/// Reads an export back with no file access.
pub(crate) fn reimport(command: &str) -> Result<ParsedCurl, CurlError> {
    parse_curl_with(command, &|path| {
        Err(std::io::Error::new(
            std::io::ErrorKind::NotFound,
            format!("{path}: not read in tests"),
        ))
    })
}

#[test]
fn fuzz_url_templates_and_build() {
    let built = Arc::new(AtomicU64::new(0));
    let counted = Arc::clone(&built);
    fuzz("template", build_case(), move |case| {
        let BuildCase {
            api,
            op,
            draft,
            vars,
        } = case;
        let (preview, problems) = request::preview(&api, &op, &draft, &vars);
        let _ = preview.masked();
        let _ = to_curl(&preview, true);
        // Every code sample but the shell ones (whose single quotes hold
        // any character but NUL) escapes the control characters it holds.
        for lang in Lang::ALL {
            let code = to_snippet(&preview, *lang, false);
            if !matches!(lang, Lang::Curl | Lang::Httpie) {
                prop_assert!(
                    !code
                        .chars()
                        .any(|c| c.is_control() && c != '\n' && c != '\t'),
                    "{lang}: {code:?}"
                );
            }
        }
        prop_assert_eq!(request::check(&api, &op, &draft, &vars), problems.clone());
        for text in draft
            .headers
            .iter()
            .map(|h| &h.value)
            .chain([&draft.body, &op.path])
        {
            let _ = request::referenced_variables(text);
        }
        let Ok(req) = request::build(&api, &op, &draft, &vars) else {
            prop_assert!(!problems.is_empty());
            return Ok(());
        };
        counted.fetch_add(1, Ordering::Relaxed);
        for (name, value) in &req.headers {
            prop_assert!(
                !name.contains(['\r', '\n']) && !value.contains(['\r', '\n']),
                "{name:?}: {value:?}"
            );
        }
        prop_assert!(!req.url.contains(['\r', '\n', ' ']), "{:?}", req.url);
        prop_assert!(url::Url::parse(&req.url).is_ok(), "{:?}", req.url);
        // What was built is what an exported curl command sends.
        let back =
            reimport(&to_curl(&req, false)).map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(&back.method, &req.method.to_ascii_uppercase());
        prop_assert_eq!(&back.url, &req.url);
        prop_assert_eq!(&back.headers, &req.headers);
        prop_assert_eq!(&back.body, &req.body);
        Ok(())
    });
    let built = built.load(Ordering::Relaxed);
    eprintln!("fuzz target template: {built} requests built and exported");
    assert!(built > 0);
}

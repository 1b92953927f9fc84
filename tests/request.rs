//! Request building end to end: drafts from definitions, URL templates and
//! their encoding, variables, build errors, masking, and curl export and
//! import (checked against the real curl binary on loopback).

use indexmap::IndexMap;
use portico::catalog::{
    Api, Example, MediaType, Operation, ParamLocation, ParamStyle, Parameter, RequestBody,
    SchemaSummary, SecurityKind, SecurityScheme, Server, ServerVariable, Variable,
};
use portico::request::{self, BuildError, BuiltRequest, Draft, ParamValue, Row, Vars};
use portico::secrets::MASK;
use serde_json::json;

fn param(name: &str, location: ParamLocation, required: bool) -> Parameter {
    Parameter {
        name: name.into(),
        location,
        required,
        description: None,
        deprecated: false,
        schema: SchemaSummary {
            type_name: Some("string".into()),
            ..SchemaSummary::default()
        },
        style: match location {
            ParamLocation::Path | ParamLocation::Header => ParamStyle::Simple,
            ParamLocation::Query | ParamLocation::Cookie => ParamStyle::Form,
        },
        explode: matches!(location, ParamLocation::Query | ParamLocation::Cookie),
        example: None,
        template_variable: None,
        schema_value: None,
    }
}

fn typed(mut p: Parameter, type_name: &str, style: ParamStyle, explode: bool) -> Parameter {
    p.schema.type_name = Some(type_name.into());
    p.style = style;
    p.explode = explode;
    p
}

fn api(server: &str, operations: Vec<Operation>) -> Api {
    Api {
        id: "test".into(),
        title: "Test".into(),
        version: "1".into(),
        source: "test.yaml".into(),
        servers: vec![Server {
            url: server.into(),
            ..Server::default()
        }],
        operations,
        ..Api::default()
    }
}

fn op(method: &str, path: &str, parameters: Vec<Parameter>) -> Operation {
    Operation {
        method: method.into(),
        path: path.into(),
        parameters,
        ..Operation::default()
    }
}

fn env(pairs: &[(&str, &str, bool)]) -> Vars {
    let mut vars = Vars::default();
    for (name, value, secret) in pairs {
        vars.environment.insert(
            (*name).into(),
            Variable {
                value: (*value).into(),
                secret: *secret,
            },
        );
    }
    vars
}

fn set(draft: &mut Draft, name: &str, value: &str) {
    let row = draft
        .params
        .iter_mut()
        .find(|p| p.name == name)
        .unwrap_or_else(|| panic!("no row {name}"));
    row.value = value.into();
}

/// The RRS Execute operation of the design's scenario.
fn rrs() -> (Api, Operation) {
    let mut version = param("api-version", ParamLocation::Query, true);
    version.template_variable = Some("apiversion".into());
    let mut details = param("details", ParamLocation::Query, false);
    details.template_variable = Some("details".into());
    let mut operation = op(
        "POST",
        "/workspaces/{workspace}/services/{service}/execute",
        vec![
            param("workspace", ParamLocation::Path, true),
            param("service", ParamLocation::Path, true),
            version,
            details,
        ],
    );
    operation.request_body = Some(RequestBody {
        description: None,
        required: true,
        content: vec![MediaType {
            content_type: "application/json".into(),
            schema: None,
            examples: vec![Example {
                name: "example".into(),
                summary: None,
                value: json!({"Inputs": {"input1": {"ColumnNames": ["Col2"], "Values": [["This is a good day"]]}}, "GlobalParameters": {}}),
            }],
        }],
    });
    let mut a = api("http://127.0.0.1:9/ml", vec![operation.clone()]);
    a.default_headers = vec![(
        "Ocp-Apim-Subscription-Key".into(),
        "{{subscription_key}}".into(),
    )];
    a.security_schemes = vec![SecurityScheme {
        name: "bearer".into(),
        kind: SecurityKind::Bearer { format: None },
        description: None,
    }];
    (a, operation)
}

/// The scenario's environment: two plain values and two secrets.
fn rrs_vars() -> Vars {
    env(&[
        ("apiversion", "2.0", false),
        ("workspace", "ws1", false),
        ("subscription_key", "sub-secret-1234", true),
        ("token", "tok-abcdef", true),
    ])
}

#[test]
fn draft_prefills_from_definition_and_environment() {
    let (a, o) = rrs();
    let vars = rrs_vars();
    let draft = Draft::new(&a, &o, &vars);
    let value = |name: &str| {
        draft
            .params
            .iter()
            .find(|p| p.name == name)
            .map(|p| p.value.as_str())
    };
    assert_eq!(value("workspace"), Some("{{workspace}}"));
    assert_eq!(value("service"), Some(""));
    assert_eq!(value("api-version"), Some("{{apiversion}}"));
    assert_eq!(value("details"), Some(""));
    assert_eq!(
        draft.headers,
        vec![
            Row {
                name: "Ocp-Apim-Subscription-Key".into(),
                value: "{{subscription_key}}".into(),
                enabled: true
            },
            Row {
                name: "Content-Type".into(),
                value: "application/json".into(),
                enabled: true
            },
        ]
    );
    assert_eq!(draft.content_type.as_deref(), Some("application/json"));
    // The operation's media type replaces an API-wide Content-Type.
    let mut csv_api = a.clone();
    csv_api
        .default_headers
        .push(("Content-Type".into(), "application/json".into()));
    let mut csv_op = o.clone();
    if let Some(body) = csv_op.request_body.as_mut() {
        body.content[0].content_type = "text/csv".into();
    }
    let csv = Draft::new(&csv_api, &csv_op, &vars);
    let content_types: Vec<&str> = csv
        .headers
        .iter()
        .filter(|h| h.name.eq_ignore_ascii_case("content-type"))
        .map(|h| h.value.as_str())
        .collect();
    assert_eq!(content_types, vec!["text/csv"]);
    assert_eq!(draft.auth.len(), 1);
    assert_eq!(draft.auth[0].value, "{{token}}");
    let body: serde_json::Value = serde_json::from_str(&draft.body).expect("sample is JSON");
    assert_eq!(body["Inputs"]["input1"]["ColumnNames"][0], "Col2");

    // Default wins over example; both over a variable.
    let mut with_default = param("limit", ParamLocation::Query, false);
    with_default.schema.default = Some(json!(20));
    with_default.example = Some(json!(5));
    let mut with_example = param("tags", ParamLocation::Query, false);
    with_example.example = Some(json!(["a", "b"]));
    let o2 = op("GET", "/items/{id}", vec![with_default, with_example]);
    let d2 = Draft::new(&a, &o2, &env(&[("id", "7", false)]));
    let values: Vec<(&str, &str)> = d2
        .params
        .iter()
        .map(|p| (p.name.as_str(), p.value.as_str()))
        .collect();
    // `{id}` is not declared: it still gets a row, from the variable.
    assert_eq!(
        values,
        vec![("limit", "20"), ("tags", "a,b"), ("id", "{{id}}")]
    );
}

#[test]
fn draft_auth_rows_guess_variables_per_scheme_kind() {
    let mut a = api("http://x", vec![]);
    a.security_schemes = vec![
        SecurityScheme {
            name: "apim".into(),
            kind: SecurityKind::ApiKey {
                param: "Ocp-Apim-Subscription-Key".into(),
                location: ParamLocation::Header,
            },
            description: None,
        },
        SecurityScheme {
            name: "basic".into(),
            kind: SecurityKind::Basic,
            description: None,
        },
    ];
    a.security = vec![vec![("apim".into(), vec![])]];
    let o = op("GET", "/", vec![]);
    let d = Draft::new(&a, &o, &env(&[("subscription_key", "k", true)]));
    assert_eq!(d.auth.len(), 1, "only the required scheme: {:?}", d.auth);
    assert_eq!(d.auth[0].value, "{{subscription_key}}");

    let mut o_basic = op("GET", "/", vec![]);
    o_basic.security = Some(vec![vec![("basic".into(), vec![])]]);
    let d = Draft::new(
        &a,
        &o_basic,
        &env(&[("username", "u", false), ("password", "p", true)]),
    );
    assert_eq!(d.auth[0].username, "{{username}}");
    assert_eq!(d.auth[0].value, "{{password}}");

    let mut o_none = op("GET", "/", vec![]);
    o_none.security = Some(vec![]);
    assert!(Draft::new(&a, &o_none, &Vars::default()).auth.is_empty());
}

#[test]
fn builds_the_scenario_request() {
    let (a, o) = rrs();
    let vars = rrs_vars();
    let mut draft = Draft::new(&a, &o, &vars);
    set(&mut draft, "service", "svc/1");
    set(&mut draft, "details", "true");
    let req = request::build(&a, &o, &draft, &vars).expect("builds");
    assert_eq!(req.method, "POST");
    assert_eq!(
        req.url,
        "http://127.0.0.1:9/ml/workspaces/ws1/services/svc%2F1/execute?api-version=2.0&details=true"
    );
    assert_eq!(
        req.header("Ocp-Apim-Subscription-Key"),
        Some("sub-secret-1234")
    );
    assert_eq!(req.header("Authorization"), Some("Bearer tok-abcdef"));
    assert_eq!(req.header("content-type"), Some("application/json"));
    assert!(req.secret_values.contains(&"sub-secret-1234".to_string()));
    assert!(req.secret_values.contains(&"tok-abcdef".to_string()));
    let body: serde_json::Value =
        serde_json::from_slice(req.body.as_deref().expect("body")).expect("JSON");
    assert_eq!(body["GlobalParameters"], json!({}));

    // Empty optional query parameter: dropped, never `details=` or `{details}`.
    set(&mut draft, "details", "");
    let req = request::build(&a, &o, &draft, &vars).expect("builds");
    assert_eq!(
        req.url,
        "http://127.0.0.1:9/ml/workspaces/ws1/services/svc%2F1/execute?api-version=2.0"
    );
}

/// One row of the URL table: a path template and parameters, the values
/// typed, and the URL expected.
struct UrlCase {
    name: &'static str,
    path: &'static str,
    params: Vec<Parameter>,
    values: Vec<(&'static str, &'static str)>,
    want: &'static str,
}

#[test]
fn url_building_table() {
    use ParamLocation::{Path, Query};
    use ParamStyle as S;
    let cases = vec![
        UrlCase {
            name: "path value with a slash",
            path: "/files/{name}",
            params: vec![param("name", Path, true)],
            values: vec![("name", "a/b")],
            want: "http://h/api/files/a%2Fb",
        },
        UrlCase {
            name: "query value with a space",
            path: "/search",
            params: vec![param("q", Query, false)],
            values: vec![("q", "open now")],
            want: "http://h/api/search?q=open%20now",
        },
        UrlCase {
            name: "reserved characters in query",
            path: "/search",
            params: vec![param("q", Query, false)],
            values: vec![("q", "a&b=c+d#e?f")],
            want: "http://h/api/search?q=a%26b%3Dc%2Bd%23e%3Ff",
        },
        UrlCase {
            name: "empty optional query dropped",
            path: "/pets",
            params: vec![param("status", Query, false), param("limit", Query, false)],
            values: vec![("status", ""), ("limit", "5")],
            want: "http://h/api/pets?limit=5",
        },
        UrlCase {
            name: "all optional empty: no question mark",
            path: "/pets",
            params: vec![param("status", Query, false)],
            values: vec![("status", "")],
            want: "http://h/api/pets",
        },
        UrlCase {
            name: "literal dollar and braces in a value",
            path: "/q/{id}",
            params: vec![param("id", Path, true), param("filter", Query, false)],
            values: vec![("id", "${x}"), ("filter", r#"{"$gt": 18}"#)],
            want: "http://h/api/q/%24%7Bx%7D?filter=%7B%22%24gt%22%3A%2018%7D",
        },
        UrlCase {
            name: "unclosed variable sent as typed",
            path: "/q",
            params: vec![param("q", Query, false)],
            values: vec![("q", "{{a")],
            want: "http://h/api/q?q=%7B%7Ba",
        },
        UrlCase {
            name: "unicode",
            path: "/q/{id}",
            params: vec![param("id", Path, true)],
            values: vec![("id", "café ☕")],
            want: "http://h/api/q/caf%C3%A9%20%E2%98%95",
        },
        UrlCase {
            name: "form explode array",
            path: "/q",
            params: vec![typed(param("id", Query, false), "array", S::Form, true)],
            values: vec![("id", "3,4,5")],
            want: "http://h/api/q?id=3&id=4&id=5",
        },
        UrlCase {
            name: "form array without explode",
            path: "/q",
            params: vec![typed(param("id", Query, false), "array", S::Form, false)],
            values: vec![("id", "3, 4,a b")],
            want: "http://h/api/q?id=3,4,a%20b",
        },
        UrlCase {
            name: "pipe delimited",
            path: "/q",
            params: vec![typed(
                param("id", Query, false),
                "array",
                S::PipeDelimited,
                false,
            )],
            values: vec![("id", "3,4")],
            want: "http://h/api/q?id=3%7C4",
        },
        UrlCase {
            name: "space delimited",
            path: "/q",
            params: vec![typed(
                param("id", Query, false),
                "array",
                S::SpaceDelimited,
                false,
            )],
            values: vec![("id", "3,4")],
            want: "http://h/api/q?id=3%204",
        },
        UrlCase {
            name: "deep object",
            path: "/q",
            params: vec![typed(
                param("color", Query, false),
                "object",
                S::DeepObject,
                true,
            )],
            values: vec![("color", "R=100,G=200")],
            want: "http://h/api/q?color%5BR%5D=100&color%5BG%5D=200",
        },
        UrlCase {
            name: "label and matrix path styles",
            path: "/a/{l}/b/{m}",
            params: vec![
                typed(param("l", Path, true), "array", S::Label, true),
                typed(param("m", Path, true), "array", S::Matrix, false),
            ],
            values: vec![("l", "3,4"), ("m", "5,6")],
            want: "http://h/api/a/.3.4/b/;m=5,6",
        },
        UrlCase {
            name: "simple exploded object in path",
            path: "/o/{obj}",
            params: vec![typed(param("obj", Path, true), "object", S::Simple, true)],
            values: vec![("obj", r#"{"role":"admin","n":1}"#)],
            want: "http://h/api/o/role=admin,n=1",
        },
        UrlCase {
            name: "variables in path and query",
            path: "/w/{ws}",
            params: vec![param("ws", Path, true), param("v", Query, false)],
            values: vec![("ws", "{{workspace}}"), ("v", "{{ apiversion }}")],
            want: "http://h/api/w/my%20ws?v=2.0",
        },
        UrlCase {
            name: "query part written into the path template",
            path: "/jobs?api-version={apiversion}&fixed=1",
            params: vec![param("apiversion", Query, false)],
            values: vec![("apiversion", "2.0")],
            want: "http://h/api/jobs?api-version=2.0&fixed=1",
        },
    ];
    let vars = env(&[("workspace", "my ws", false), ("apiversion", "2.0", false)]);
    for case in cases {
        let o = op("GET", case.path, case.params);
        let a = api("http://h/api/", vec![o.clone()]);
        let mut draft = Draft::new(&a, &o, &Vars::default());
        for (name, value) in &case.values {
            set(&mut draft, name, value);
        }
        let req =
            request::build(&a, &o, &draft, &vars).unwrap_or_else(|e| panic!("{}: {e}", case.name));
        assert_eq!(req.url, case.want, "{}", case.name);
    }
}

#[test]
fn server_variables_and_override() {
    let o = op("GET", "/pets", vec![]);
    let mut a = api("{scheme}://{host}/v{version}", vec![o.clone()]);
    let mut variables = IndexMap::new();
    for (name, default) in [
        ("scheme", "https"),
        ("host", "api.example.com"),
        ("version", "1"),
    ] {
        variables.insert(
            name.to_string(),
            ServerVariable {
                default: default.into(),
                ..ServerVariable::default()
            },
        );
    }
    a.servers[0].variables = variables;
    let mut draft = Draft::new(&a, &o, &Vars::default());
    let url = |d: &Draft| request::build(&a, &o, d, &Vars::default()).map(|r| r.url);
    assert_eq!(
        url(&draft).as_deref(),
        Ok("https://api.example.com/v1/pets")
    );
    draft.server_vars.insert("version".into(), "2".into());
    draft
        .server_vars
        .insert("host".into(), "127.0.0.1:8081".into());
    assert_eq!(url(&draft).as_deref(), Ok("https://127.0.0.1:8081/v2/pets"));
    draft.server_url = Some("http://127.0.0.1:8081/base/".into());
    assert_eq!(
        url(&draft).as_deref(),
        Ok("http://127.0.0.1:8081/base/pets")
    );
    // A base URL carrying its own query keeps it in front.
    draft.server_url = Some("http://127.0.0.1:8081/fn?code=abc".into());
    assert_eq!(
        url(&draft).as_deref(),
        Ok("http://127.0.0.1:8081/fn/pets?code=abc")
    );

    // An undeclared server variable is named.
    let b = api("https://{region}.example.com", vec![o.clone()]);
    assert_eq!(
        request::build(
            &b,
            &o,
            &Draft::new(&b, &o, &Vars::default()),
            &Vars::default()
        ),
        Err(BuildError::MissingServerVariable {
            name: "region".into(),
            url: "https://{region}.example.com".into()
        })
    );
}

#[test]
fn relative_server_asks_for_server_flag() {
    let o = op("GET", "/pets", vec![]);
    let a = api("/v1", vec![o.clone()]);
    let mut draft = Draft::new(&a, &o, &Vars::default());
    let err = request::build(&a, &o, &draft, &Vars::default()).expect_err("relative");
    assert_eq!(err, BuildError::RelativeServer { url: "/v1".into() });
    assert!(err.to_string().contains("--server"), "{err}");
    draft.server_url = Some("http://127.0.0.1:1".into());
    assert!(request::build(&a, &o, &draft, &Vars::default()).is_ok());

    // Relative to a definition fetched over http: resolved against it.
    let mut remote = a.clone();
    remote.source = "http://127.0.0.1:8081/spec/openapi.json".into();
    let req = request::build(
        &remote,
        &o,
        &Draft::new(&remote, &o, &Vars::default()),
        &Vars::default(),
    )
    .expect("resolved");
    assert_eq!(req.url, "http://127.0.0.1:8081/v1/pets");

    let mut none = a.clone();
    none.servers.clear();
    assert_eq!(
        request::build(&none, &o, &Draft::default(), &Vars::default()),
        Err(BuildError::NoServer)
    );
}

#[test]
fn variables_everywhere_captured_wins_and_process_env() {
    // The crate forbids `unsafe`, so the test reads a process variable that
    // is always there instead of setting one.
    let path_value = std::env::var("PATH").expect("PATH is set");

    let o = op(
        "POST",
        "/jobs/{jobid}",
        vec![param("jobid", ParamLocation::Path, true)],
    );
    let a = api("{{base_url}}", vec![o.clone()]);
    let mut vars = env(&[
        ("base_url", "http://127.0.0.1:7/x", false),
        ("jobid", "env-job", false),
        ("who", "world", false),
    ]);
    vars.captured.insert(
        "jobid".into(),
        Variable {
            value: "captured-job".into(),
            secret: false,
        },
    );
    let mut draft = Draft::new(&a, &o, &vars);
    assert_eq!(draft.params[0].value, "{{jobid}}");
    draft.headers.push(Row {
        name: "X-Trace".into(),
        value: "{{env:PATH}}".into(),
        enabled: true,
    });
    draft.content_type = Some("application/json".into());
    draft.body = r#"{"hello": "{{who}}", "$gt": 18, "tpl": "${x} {y} {{y"}"#.into();
    let req = request::build(&a, &o, &draft, &vars).expect("builds");
    assert_eq!(req.url, "http://127.0.0.1:7/x/jobs/captured-job");
    assert_eq!(req.header("X-Trace"), Some(path_value.as_str()));
    assert_eq!(
        String::from_utf8(req.body.clone().expect("body")).expect("utf8"),
        r#"{"hello": "world", "$gt": 18, "tpl": "${x} {y} {{y"}"#
    );
    assert_eq!(req.header("Content-Type"), Some("application/json"));
}

#[test]
fn build_errors_are_specific() {
    let o = op(
        "POST",
        "/items/{id}",
        vec![
            param("id", ParamLocation::Path, true),
            param("q", ParamLocation::Query, true),
            param("X-Req", ParamLocation::Header, true),
        ],
    );
    let a = api("http://h", vec![o.clone()]);
    let base = {
        let mut d = Draft::new(&a, &o, &Vars::default());
        set(&mut d, "id", "1");
        set(&mut d, "q", "x");
        set(&mut d, "X-Req", "y");
        d
    };
    let vars = Vars::default();
    assert!(request::build(&a, &o, &base, &vars).is_ok());

    // A required parameter left empty (or, for the header, its row
    // removed) is named with its location.
    for (name, location, remove) in [
        ("id", "path", false),
        ("q", "query", false),
        ("X-Req", "header", true),
    ] {
        let mut d = base.clone();
        if remove {
            d.params.retain(|p| p.name != name);
        } else {
            set(&mut d, name, "");
        }
        assert_eq!(
            request::build(&a, &o, &d, &vars),
            Err(BuildError::MissingParameter {
                name: name.into(),
                location: location.into()
            }),
            "{name}"
        );
    }

    for (name, value, fragment) in [
        ("X-Evil", "a\r\nInjected: 1", "line break"),
        ("X-Evil", "a\nb", "line break"),
        ("Bad Name", "v", "U+0020"),
        ("Bad:Name", "v", "`:`"),
        ("X-Ctl", "a\u{7}b", "control character"),
    ] {
        let mut d = base.clone();
        d.headers.push(Row {
            name: name.into(),
            value: value.into(),
            enabled: true,
        });
        match request::build(&a, &o, &d, &vars) {
            Err(BuildError::InvalidHeader { name: n, reason }) => {
                assert_eq!(n, name);
                assert!(reason.contains(fragment), "{reason}");
            }
            other => panic!("{name:?}: {other:?}"),
        }
    }
    // A header param carrying a line break is refused the same way.
    let mut d = base.clone();
    set(&mut d, "X-Req", "y\rz");
    assert!(matches!(
        request::build(&a, &o, &d, &vars),
        Err(BuildError::InvalidHeader { .. })
    ));

    let mut d = base.clone();
    d.content_type = Some("application/json".into());
    d.body = "{\n  \"a\": 1,\n  \"b\": tru\n}".into();
    match request::build(&a, &o, &d, &vars) {
        Err(BuildError::InvalidJson {
            line,
            column,
            message,
        }) => {
            assert_eq!(line, 3, "{message}");
            assert!(column >= 8, "column {column}");
            let shown = request::build(&a, &o, &d, &vars)
                .expect_err("bad")
                .to_string();
            assert!(shown.contains("line 3"), "{shown}");
        }
        other => panic!("{other:?}"),
    }
    // Not JSON content: not checked.
    d.content_type = Some("text/plain".into());
    assert!(request::build(&a, &o, &d, &vars).is_ok());

    let mut d = base.clone();
    d.headers.push(Row {
        name: "Authorization".into(),
        value: "Bearer {{token}}".into(),
        enabled: true,
    });
    assert_eq!(
        request::build(&a, &o, &d, &vars),
        Err(BuildError::UnknownVariable {
            name: "token".into(),
            used_in: "header `Authorization`".into()
        })
    );
    d.body = "{{payload}}".into();
    let all = request::check(&a, &o, &d, &vars);
    assert_eq!(all.len(), 2, "{all:?}");
    assert!(all[1].to_string().contains("body"), "{}", all[1]);
    let env_missing = BuildError::UnknownVariable {
        name: "env:PORTICO_SURELY_UNSET_9F3A".into(),
        used_in: "path parameter `id`".into(),
    };
    let mut d = base.clone();
    set(&mut d, "id", "{{env:PORTICO_SURELY_UNSET_9F3A}}");
    assert_eq!(request::build(&a, &o, &d, &vars), Err(env_missing));
}

#[test]
fn disabled_rows_are_skipped_and_preview_keeps_placeholders() {
    let o = op(
        "GET",
        "/items/{id}",
        vec![
            param("id", ParamLocation::Path, true),
            param("q", ParamLocation::Query, false),
        ],
    );
    let a = api("http://h", vec![o.clone()]);
    let mut d = Draft::new(&a, &o, &Vars::default());
    set(&mut d, "q", "x");
    d.params[1].enabled = false;
    d.headers.push(Row {
        name: "X-Off".into(),
        value: "1".into(),
        enabled: false,
    });
    d.extra_query.push(Row {
        name: "extra".into(),
        value: "a b".into(),
        enabled: true,
    });
    let (req, errors) = request::preview(&a, &o, &d, &Vars::default());
    assert_eq!(req.url, "http://h/items/{id}?extra=a%20b");
    assert_eq!(errors.len(), 1);
    set(&mut d, "id", "9");
    let req = request::build(&a, &o, &d, &Vars::default()).expect("builds");
    assert_eq!(req.url, "http://h/items/9?extra=a%20b");
    assert!(req.header("X-Off").is_none());

    // A body takes the draft's content type, unless its row is switched off.
    d.body = "{}".into();
    d.content_type = Some("application/json".into());
    let req = request::build(&a, &o, &d, &Vars::default()).expect("builds");
    assert_eq!(req.header("Content-Type"), Some("application/json"));
    d.headers.push(Row {
        name: "Content-Type".into(),
        value: "application/json".into(),
        enabled: false,
    });
    let req = request::build(&a, &o, &d, &Vars::default()).expect("builds");
    assert_eq!(req.header("Content-Type"), None);
}

#[test]
fn a_body_typed_as_json_without_a_declared_type_is_sent_as_json() {
    let o = op("POST", "/items", Vec::new());
    let a = api("http://h", vec![o.clone()]);
    let mut d = Draft::new(&a, &o, &Vars::default());
    assert_eq!(d.content_type, None, "the operation declares no body");
    for (body, expected) in [
        ("{\"a\": 1}", Some("application/json")),
        ("  [1, 2]\n", Some("application/json")),
        // Not JSON as typed: left untyped, as before.
        ("a=1&b=2", None),
        ("{not json", None),
        ("42", None),
    ] {
        d.body = body.into();
        let req = request::build(&a, &o, &d, &Vars::default()).expect("builds");
        assert_eq!(req.header("Content-Type"), expected, "{body}");
    }
    // A type the user gives wins; a switched-off row sends none.
    d.body = "{}".into();
    d.headers.push(Row {
        name: "Content-Type".into(),
        value: "text/plain".into(),
        enabled: true,
    });
    let req = request::build(&a, &o, &d, &Vars::default()).expect("builds");
    assert_eq!(req.header("Content-Type"), Some("text/plain"));
    d.headers[0].enabled = false;
    let req = request::build(&a, &o, &d, &Vars::default()).expect("builds");
    assert_eq!(req.header("Content-Type"), None);
}

#[test]
fn auth_per_scheme_kind() {
    let schemes = [
        (
            "hdr",
            SecurityKind::ApiKey {
                param: "X-Api-Key".into(),
                location: ParamLocation::Header,
            },
        ),
        (
            "qry",
            SecurityKind::ApiKey {
                param: "code".into(),
                location: ParamLocation::Query,
            },
        ),
        (
            "ck",
            SecurityKind::ApiKey {
                param: "session".into(),
                location: ParamLocation::Cookie,
            },
        ),
        ("bearer", SecurityKind::Bearer { format: None }),
        ("basic", SecurityKind::Basic),
    ];
    let o = op("GET", "/", vec![]);
    let mut a = api("http://h", vec![o.clone()]);
    a.security_schemes = schemes
        .iter()
        .map(|(name, kind)| SecurityScheme {
            name: (*name).into(),
            kind: kind.clone(),
            description: None,
        })
        .collect();
    let build_with = |scheme: &str, value: &str, username: &str| {
        let mut d = Draft::default();
        d.auth.push(request::AuthValue::declared(
            scheme,
            value.into(),
            username.into(),
        ));
        request::build(&a, &o, &d, &Vars::default()).expect("builds")
    };
    let r = build_with("hdr", "k-123456", "");
    assert_eq!(r.header("X-Api-Key"), Some("k-123456"));
    let r = build_with("qry", "c 1&2", "");
    assert_eq!(r.url, "http://h/?code=c%201%262");
    assert!(r.masked().url.contains(MASK), "{}", r.masked().url);
    let r = build_with("ck", "sess1234", "");
    assert_eq!(r.header("Cookie"), Some("session=sess1234"));
    let r = build_with("bearer", "tok-9999", "");
    assert_eq!(r.header("Authorization"), Some("Bearer tok-9999"));
    let r = build_with("bearer", "Bearer tok-9999", "");
    assert_eq!(r.header("Authorization"), Some("Bearer tok-9999"));
    let r = build_with("basic", "pa:ss", "user");
    assert_eq!(r.header("Authorization"), Some("Basic dXNlcjpwYTpzcw=="));
    let r = build_with("basic", "", "");
    assert!(
        r.header("Authorization").is_none(),
        "empty credential sends nothing"
    );
}

#[test]
fn masking_hides_secrets_everywhere() {
    let o = op(
        "POST",
        "/x",
        vec![param("api_key", ParamLocation::Query, false)],
    );
    let a = api("http://h", vec![o.clone()]);
    let vars = env(&[("pw", "hunter2-long", true), ("plain", "visible", false)]);
    let mut d = Draft::new(&a, &o, &vars);
    set(&mut d, "api_key", "qk-555555");
    d.headers = vec![
        Row {
            name: "Authorization".into(),
            value: "Bearer abc.def.ghi".into(),
            enabled: true,
        },
        Row {
            name: "X-Note".into(),
            value: "{{plain}} {{pw}}".into(),
            enabled: true,
        },
    ];
    d.body = r#"{"password": "{{pw}}", "v": "{{plain}}"}"#.into();
    d.content_type = Some("application/json".into());
    let req = request::build(&a, &o, &d, &vars).expect("builds");
    let m = req.masked();
    assert_eq!(m.url, format!("http://h/x?api_key={MASK}"));
    assert_eq!(
        m.header("Authorization"),
        Some(format!("Bearer {MASK}").as_str())
    );
    assert_eq!(m.header("X-Note"), Some(format!("visible {MASK}").as_str()));
    let body = String::from_utf8(m.body.clone().expect("body")).expect("utf8");
    assert_eq!(body, format!(r#"{{"password": "{MASK}", "v": "visible"}}"#));
    assert!(m.secret_values.is_empty());
    // The unmasked request still carries the values.
    assert_eq!(req.header("X-Note"), Some("visible hunter2-long"));
}

#[test]
fn header_and_cookie_params_use_their_styles() {
    let o = op(
        "GET",
        "/",
        vec![
            typed(
                param("X-Ids", ParamLocation::Header, false),
                "array",
                ParamStyle::Simple,
                false,
            ),
            param("theme", ParamLocation::Cookie, false),
            param("lang", ParamLocation::Cookie, false),
        ],
    );
    let a = api("http://h", vec![o.clone()]);
    let mut d = Draft::new(&a, &o, &Vars::default());
    set(&mut d, "X-Ids", "1, 2");
    set(&mut d, "theme", "dark mode");
    set(&mut d, "lang", "fr");
    let r = request::build(&a, &o, &d, &Vars::default()).expect("builds");
    assert_eq!(r.header("X-Ids"), Some("1,2"));
    assert_eq!(r.header("Cookie"), Some("theme=dark%20mode; lang=fr"));
}

#[test]
fn param_rows_roundtrip_through_serde() {
    // Presets store drafts: what serialises must come back equal.
    let (a, o) = rrs();
    let mut d = Draft::new(&a, &o, &Vars::default());
    d.params.push(ParamValue {
        name: "x".into(),
        location: ParamLocation::Cookie,
        value: "1".into(),
        enabled: false,
    });
    let text = serde_json::to_string(&d).expect("serialise");
    let back: Draft = serde_json::from_str(&text).expect("deserialise");
    assert_eq!(back, d);
    let _unused: Option<BuiltRequest> = None;
}

// ---------------------------------------------------------------- curl --

use portico::interchange::curl::{self, CurlError, ParsedCurl};

#[path = "support/recording.rs"]
mod recording;
use recording::{nasty_requests, read_request, req};

#[test]
fn curl_export_quotes_exactly() {
    let r = req(
        "POST",
        "http://h/x",
        &[("Content-Type", "application/json")],
        Some(br#"{"msg":"it's $5 `now` !","path":"C:\\tmp"}"#),
    );
    let cmd = curl::to_curl(&r, false);
    assert!(
        cmd.contains(r#"--data-raw '{"msg":"it'\''s $5 `now` !","path":"C:\\tmp"}'"#),
        "{cmd}"
    );
    assert_eq!(
        cmd,
        "curl \\\n  'http://h/x' \\\n  -H 'Content-Type: application/json' \\\n  --data-raw '{\"msg\":\"it'\\''s $5 `now` !\",\"path\":\"C:\\\\tmp\"}'"
    );
    assert_eq!(curl::shell_quote("POST"), "POST");
    assert_eq!(curl::shell_quote("it's"), r"'it'\''s'");
    assert_eq!(curl::shell_quote(""), "''");
}

#[test]
fn curl_round_trip_on_nasty_cases() {
    for (name, r) in nasty_requests("http://127.0.0.1:8080") {
        let cmd = curl::to_curl(&r, false);
        let parsed = curl::parse_curl(&cmd).unwrap_or_else(|e| panic!("{name}: {e}\n{cmd}"));
        assert_eq!(parsed.method, r.method, "{name}\n{cmd}");
        assert_eq!(parsed.url, r.url, "{name}");
        assert_eq!(parsed.headers, r.headers, "{name}\n{cmd}");
        assert_eq!(parsed.body, r.body, "{name}\n{cmd}");
        // Where the body is text, shell-words (a POSIX reading) agrees
        // with portico's own tokenizer.
        if !cmd.starts_with("printf") {
            let words = shell_words::split(&cmd).unwrap_or_else(|e| panic!("{name}: {e}"));
            let data = words
                .iter()
                .position(|w| w == "--data-raw")
                .map(|i| words[i + 1].as_bytes().to_vec());
            assert_eq!(data, r.body, "{name}");
        }
    }
}

#[test]
fn curl_export_masks_secrets_on_request() {
    let o = op("GET", "/x", vec![]);
    let a = api("http://h", vec![o.clone()]);
    let vars = env(&[("token", "tok-secret-42", true)]);
    let mut d = Draft::new(&a, &o, &vars);
    d.headers.push(Row {
        name: "Authorization".into(),
        value: "Bearer {{token}}".into(),
        enabled: true,
    });
    let r = request::build(&a, &o, &d, &vars).expect("builds");
    let shown = curl::to_curl(&r, true);
    assert!(!shown.contains("tok-secret-42"), "{shown}");
    assert!(shown.contains(&format!("Bearer {MASK}")), "{shown}");
    assert!(curl::to_curl(&r, false).contains("tok-secret-42"));
}

#[test]
fn curl_import_browser_copies() {
    // Chrome's "Copy as cURL (bash)".
    let chrome = r#"curl 'https://api.example.com/v1/items?x=1' \
  -H 'accept: application/json' \
  -H 'content-type: application/json' \
  -H $'x-note: it\'s' \
  -H 'sec-ch-ua: "Chromium";v="124"' \
  --data-raw $'{"msg":"it\'s caf\u00e9 \\\\ \\u00e9","n":"a\nb"}' \
  --compressed"#;
    let p = curl::parse_curl(chrome).expect("chrome");
    assert_eq!(p.method, "POST");
    assert_eq!(p.url, "https://api.example.com/v1/items?x=1");
    assert_eq!(p.header("x-note"), Some("it's"));
    assert_eq!(p.header("sec-ch-ua"), Some(r#""Chromium";v="124""#));
    assert_eq!(
        String::from_utf8(p.body.clone().expect("body")).expect("utf8"),
        "{\"msg\":\"it's café \\\\ \\u00e9\",\"n\":\"a\nb\"}"
    );
    assert!(p.compressed);
    assert_eq!(p.header("content-type"), Some("application/json"));

    // Firefox, one line, -X and a form body without a content type.
    let firefox = "curl 'https://x.test/login' -X POST -H 'User-Agent: Mozilla/5.0' -H 'Accept: */*' --data-raw 'a=1&b=2'";
    let p = curl::parse_curl(firefox).expect("firefox");
    assert_eq!(p.method, "POST");
    assert_eq!(p.body.as_deref(), Some(&b"a=1&b=2"[..]));
    assert_eq!(
        p.header("content-type"),
        Some("application/x-www-form-urlencoded")
    );

    // Windows line endings on the continuations, short option clusters.
    let p = curl::parse_curl("curl -sSL -XDELETE \\\r\n 'http://h/a' -HX-A:1").expect("crlf");
    assert_eq!(
        (p.method.as_str(), p.url.as_str()),
        ("DELETE", "http://h/a")
    );
    assert_eq!(p.header("X-A"), Some("1"));
    assert_eq!(p.ignored, vec!["--silent", "--show-error", "--location"]);
}

#[test]
fn curl_import_options() {
    let p = curl::parse_curl(
        "curl -G https://h/search --data-urlencode 'q=open now&co' --data-urlencode '=x y' -d n=1",
    )
    .expect("-G");
    assert_eq!(p.method, "GET");
    assert_eq!(p.url, "https://h/search?q=open%20now%26co&x%20y&n=1");
    assert_eq!(p.body, None);

    let p = curl::parse_curl("curl -u 'user:pa ss' http://h/").expect("-u");
    assert_eq!(p.header("Authorization"), Some("Basic dXNlcjpwYSBzcw=="));

    let p = curl::parse_curl("curl --json '{\"a\":1}' http://h/").expect("--json");
    assert_eq!(p.header("Content-Type"), Some("application/json"));
    assert_eq!(p.header("Accept"), Some("application/json"));
    assert_eq!(p.method, "POST");

    let p = curl::parse_curl("curl -I http://h/").expect("-I");
    assert_eq!(p.method, "HEAD");

    let p =
        curl::parse_curl("curl h.test/x -A agent -e http://ref/ -b 'a=1; b=2' -m 5 -o out.json")
            .expect("misc");
    assert_eq!(p.url, "http://h.test/x");
    assert_eq!(p.header("User-Agent"), Some("agent"));
    assert_eq!(p.header("Referer"), Some("http://ref/"));
    assert_eq!(p.header("Cookie"), Some("a=1; b=2"));
    assert_eq!(p.ignored, vec!["--max-time 5", "--output out.json"]);

    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("body.txt");
    std::fs::write(&file, "a=1\r\n&b=2\n").expect("write");
    let f = file.display().to_string();
    let p = curl::parse_curl(&format!("curl -d @{f} http://h/")).expect("-d @file");
    assert_eq!(
        p.body.as_deref(),
        Some(&b"a=1&b=2"[..]),
        "-d strips line breaks"
    );
    let p = curl::parse_curl(&format!("curl --data-binary @{f} http://h/")).expect("binary");
    assert_eq!(p.body.as_deref(), Some(&b"a=1\r\n&b=2\n"[..]));
    let p = curl::parse_curl(&format!("curl --data-raw @{f} http://h/")).expect("raw");
    assert_eq!(p.body, Some(format!("@{f}").into_bytes()));

    let p = curl::parse_curl(&format!(
        "curl -F name=Alex -F 'up=@{f};type=text/plain' http://h/"
    ))
    .expect("-F");
    let ct = p.header("Content-Type").expect("content type").to_string();
    let boundary = ct.split("boundary=").nth(1).expect("boundary");
    let body = String::from_utf8(p.body.clone().expect("body")).expect("utf8");
    assert!(
        body.starts_with(&format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"name\"\r\n\r\nAlex\r\n"
        )),
        "{body}"
    );
    assert!(body.contains("name=\"up\"; filename=\"body.txt\"\r\nContent-Type: text/plain\r\n\r\na=1\r\n&b=2\n\r\n"), "{body}");
    assert!(body.ends_with(&format!("--{boundary}--\r\n")));
    assert_eq!(p.method, "POST");
}

#[test]
fn curl_import_errors_are_specific() {
    let cases: Vec<(&str, CurlError)> = vec![
        ("", CurlError::Empty),
        (
            "wget http://h/",
            CurlError::NotCurl {
                first: "wget".into(),
            },
        ),
        (
            "curl 'http://h/",
            CurlError::UnterminatedQuote {
                quote: "single",
                offset: 5,
            },
        ),
        (
            "curl -H \"a: b http://h/",
            CurlError::UnterminatedQuote {
                quote: "double",
                offset: 8,
            },
        ),
        ("curl -X POST", CurlError::MissingUrl),
        (
            "curl http://h/ -H",
            CurlError::MissingValue {
                option: "--header".into(),
            },
        ),
        (
            "curl --frobnicate http://h/",
            CurlError::UnknownOption {
                option: "--frobnicate".into(),
            },
        ),
        (
            "curl -H 'nocolon' http://h/",
            CurlError::BadHeader {
                header: "nocolon".into(),
            },
        ),
        (
            "curl http://a/ http://b/",
            CurlError::SeveralUrls {
                first: "http://a/".into(),
                second: "http://b/".into(),
            },
        ),
        (
            "curl http://h/ ; rm x",
            CurlError::ShellSyntax {
                syntax: ";".into(),
                offset: 15,
            },
        ),
        (
            "curl -d @/nonexistent/portico-file http://h/",
            CurlError::ReadFile {
                path: "/nonexistent/portico-file".into(),
                option: "--data".into(),
                message: "No such file or directory (os error 2)".into(),
            },
        ),
    ];
    for (cmd, want) in cases {
        assert_eq!(curl::parse_curl(cmd), Err(want), "{cmd}");
    }
}

#[test]
fn curl_import_matches_a_catalog_operation() {
    let (mut a, o) = rrs();
    a.security_schemes.push(SecurityScheme {
        name: "apim".into(),
        kind: SecurityKind::ApiKey {
            param: "Ocp-Apim-Subscription-Key".into(),
            location: ParamLocation::Header,
        },
        description: None,
    });
    let other = op(
        "GET",
        "/workspaces/{workspace}/services/{service}/jobs/{jobid}",
        vec![
            param("workspace", ParamLocation::Path, true),
            param("service", ParamLocation::Path, true),
            param("jobid", ParamLocation::Path, true),
        ],
    );
    a.operations = vec![other, o.clone()];
    let catalog = portico::catalog::Catalog {
        apis: vec![api("http://elsewhere", vec![]), a.clone()],
        ..portico::catalog::Catalog::default()
    };
    let cmd = r#"curl 'http://127.0.0.1:9/ml/workspaces/w1/services/s%2F1/execute?api-version=2.0&details=true&extra=1' \
      -H 'Authorization: Bearer tok-1' -H 'Ocp-Apim-Subscription-Key: k-1' \
      -H 'Content-Type: application/json' --data-raw '{"a":1}'"#;
    let parsed = curl::parse_curl(cmd).expect("parses");
    let (ai, oi, draft) = curl::draft_from_curl(&catalog, &parsed).expect("matches");
    assert_eq!((ai, oi), (1, 1));
    let rebuilt = request::build(&a, &o, &draft, &Vars::default()).expect("builds");
    assert_eq!(rebuilt.url, parsed.url);
    assert_eq!(rebuilt.header("Authorization"), Some("Bearer tok-1"));
    assert_eq!(rebuilt.header("Ocp-Apim-Subscription-Key"), Some("k-1"));
    assert_eq!(rebuilt.body, parsed.body);
    let value = |n: &str| {
        draft
            .params
            .iter()
            .find(|p| p.name == n)
            .map(|p| p.value.clone())
    };
    assert_eq!(value("service").as_deref(), Some("s/1"));
    assert_eq!(draft.extra_query.len(), 1);

    // The same API on another host: matched, with the base URL kept.
    let moved = ParsedCurl {
        method: "GET".into(),
        url: "http://10.0.0.5:81/gateway/ml/workspaces/w/services/s/jobs/j-9".into(),
        ..ParsedCurl::default()
    };
    let (ai, oi, draft) = curl::draft_from_curl(&catalog, &moved).expect("matches");
    assert_eq!((ai, oi), (1, 0));
    assert_eq!(
        draft.server_url.as_deref(),
        Some("http://10.0.0.5:81/gateway/ml")
    );
    let rebuilt = request::build(&a, &a.operations[0], &draft, &Vars::default()).expect("builds");
    assert_eq!(rebuilt.url, moved.url);

    let unknown = ParsedCurl {
        method: "GET".into(),
        url: "http://127.0.0.1:9/nothing/here".into(),
        ..ParsedCurl::default()
    };
    assert!(curl::draft_from_curl(&catalog, &unknown).is_none());
}

#[test]
fn real_curl_sends_what_portico_would() {
    if !std::path::Path::new("/usr/bin/curl").exists() {
        eprintln!("skipped: /usr/bin/curl is not installed");
        return;
    }
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind loopback");
    let base = format!("http://{}", listener.local_addr().expect("addr"));
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { break };
            if let Some(seen) = read_request(&mut stream)
                && tx.send(seen).is_err()
            {
                break;
            }
        }
    });
    for (name, r) in nasty_requests(&base) {
        let cmd = curl::to_curl(&r, false);
        // `sh` (dash here): the export is plain POSIX shell.
        let out = std::process::Command::new("sh")
            .args(["-c", &format!("{cmd} -s -S -o /dev/null --max-time 10")])
            .output()
            .expect("run sh");
        assert!(
            out.status.success(),
            "{name}: curl failed: {}\n{cmd}",
            String::from_utf8_lossy(&out.stderr)
        );
        let seen = rx
            .recv_timeout(std::time::Duration::from_secs(10))
            .unwrap_or_else(|e| panic!("{name}: no request recorded: {e}"));
        let url = url::Url::parse(&r.url).expect("url");
        let target = match url.query() {
            Some(q) => format!("{}?{q}", url.path()),
            None => url.path().to_string(),
        };
        assert_eq!(seen.method, r.method, "{name}");
        assert_eq!(seen.target, target, "{name}");
        // curl's own additions aside, the headers are portico's, in order.
        let ours_has = |n: &str| r.headers.iter().any(|(h, _)| h.eq_ignore_ascii_case(n));
        let sent: Vec<(String, String)> = seen
            .headers
            .into_iter()
            .filter(|(n, _)| {
                let n = n.to_ascii_lowercase();
                !(n == "host" || n == "content-length" || n == "expect")
                    && !((n == "user-agent" || n == "accept") && !ours_has(&n))
            })
            .collect();
        let want: Vec<(String, String)> = r
            .headers
            .iter()
            .map(|(n, v)| (n.clone(), v.clone()))
            .collect();
        assert_eq!(sent, want, "{name}\n{cmd}");
        assert_eq!(
            seen.body,
            r.body.clone().unwrap_or_default(),
            "{name}\n{cmd}"
        );
    }
}

/// A definition exported from another tool gives an optional header the
/// example `{{NOTION_VERSION}}`: with the variable defined it is used;
/// without, the row is switched off (its placeholder kept as a hint) and
/// the request still builds. A required parameter keeps it, and says.
#[test]
fn an_optional_parameter_whose_example_is_an_unknown_placeholder_is_left_off() {
    let mut version = param("Notion-Version", ParamLocation::Header, false);
    version.example = Some(serde_json::json!("{{NOTION_VERSION}}"));
    let mut page = param("page_id", ParamLocation::Path, true);
    page.example = Some(serde_json::json!("{{PAGE_ID}}"));
    let api = api(
        "https://api.notion.test/v1",
        vec![op("GET", "/pages/{page_id}", vec![version, page])],
    );
    let operation = &api.operations[0];

    let draft = Draft::new(&api, operation, &Vars::default());
    let row = &draft.params[0];
    assert_eq!(row.value, "{{NOTION_VERSION}}", "the hint stays");
    assert!(!row.enabled, "switched off");
    assert!(draft.params[1].enabled, "a required one stays on");
    let errors = request::build(&api, operation, &draft, &Vars::default()).expect_err("page id");
    assert!(
        errors.to_string().contains("page_id") && !errors.to_string().contains("NOTION_VERSION"),
        "only the required one stops it: {errors}"
    );

    let vars = env(&[
        ("NOTION_VERSION", "2022-06-28", false),
        ("PAGE_ID", "p1", false),
    ]);
    let draft = Draft::new(&api, operation, &vars);
    assert!(draft.params[0].enabled, "defined: used");
    let built = request::build(&api, operation, &draft, &vars).expect("builds");
    assert!(
        built
            .headers
            .iter()
            .any(|(n, v)| n == "Notion-Version" && v == "2022-06-28"),
        "{:?}",
        built.headers
    );
    assert!(built.url.ends_with("/pages/p1"), "{}", built.url);
}

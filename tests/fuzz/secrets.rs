//! Secrets in what a failed send says, and header values as sent.

use portico::catalog::{
    Api, Operation, ParamLocation, ParamStyle, Parameter, SchemaSummary, SecurityKind,
    SecurityScheme, Server,
};
use portico::interchange::curl::to_curl;
use portico::request::{self, AuthValue, Draft, Vars};

use crate::request_build::reimport;

// ---------------------------------------------------------------------------
// Secrets in what a failed send says

/// A key sent in the query string must not show in the error a failed send
/// gives (the CLI prints it, the TUI shows and logs it), nor in the curl
/// preview.
#[tokio::test]
async fn a_failed_send_does_not_show_a_query_key() {
    let api = Api {
        servers: vec![Server {
            // Nothing listens on port 1.
            url: "http://127.0.0.1:1".into(),
            ..Server::default()
        }],
        security_schemes: vec![SecurityScheme {
            name: "code".into(),
            kind: SecurityKind::ApiKey {
                param: "code".into(),
                location: ParamLocation::Query,
            },
            description: None,
        }],
        ..Api::default()
    };
    let op = Operation {
        method: "GET".into(),
        path: "/x".into(),
        ..Operation::default()
    };
    let vars = Vars::default();
    let mut draft = Draft::new(&api, &op, &vars);
    draft.auth = vec![AuthValue::declared(
        "code",
        "s3cr3t-query-key".into(),
        String::new(),
    )];
    let req = request::build(&api, &op, &draft, &vars).expect("builds");
    assert!(req.url.contains("s3cr3t-query-key"));
    assert!(!to_curl(&req, true).contains("s3cr3t-query-key"));
    let engine =
        portico::http::Engine::new(portico::http::EngineConfig::default()).expect("engine");
    let err = engine
        .send(
            &req,
            &portico::http::SendOptions::default(),
            tokio_util::sync::CancellationToken::new(),
        )
        .await
        .expect_err("nothing listens");
    let shown = format!("{err} / {err:?}");
    assert!(!shown.contains("s3cr3t-query-key"), "{shown}");
}

/// A cookie parameter whose name starts with a tab made a Cookie header
/// starting with one: sent as is, but read back from a curl export (and by
/// any server) without it.
#[test]
fn header_values_are_sent_without_surrounding_whitespace() {
    let api = Api {
        servers: vec![Server {
            url: "https://api.example.com".into(),
            ..Server::default()
        }],
        ..Api::default()
    };
    let op = Operation {
        method: "GET".into(),
        path: "/".into(),
        parameters: vec![Parameter {
            name: "\t".into(),
            location: ParamLocation::Cookie,
            required: false,
            description: None,
            deprecated: false,
            schema: SchemaSummary::default(),
            style: ParamStyle::Form,
            explode: true,
            example: None,
            template_variable: None,
            schema_value: None,
        }],
        ..Operation::default()
    };
    let vars = Vars::default();
    let mut draft = Draft::new(&api, &op, &vars);
    draft.params[0].value = "v".into();
    let req = request::build(&api, &op, &draft, &vars).expect("builds");
    assert_eq!(req.header("Cookie"), Some("=v"));
    let back = reimport(&to_curl(&req, false)).expect("reads back");
    assert_eq!(back.headers, req.headers);
}

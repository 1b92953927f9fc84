//! Target: curl import, the export -> import round trip, and the
//! regressions these targets found.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, OnceLock};

use portico::catalog::{
    self, Api, Catalog, Operation, ParamLocation, SecurityKind, SecurityScheme, Server,
};
use portico::interchange::curl::{draft_from_curl, parse_curl_with, to_curl};
use portico::request::{self, AuthValue, BuiltRequest, Draft, Vars};
use proptest::collection::vec;
use proptest::option;
use proptest::prelude::*;
use proptest::sample::select;

use crate::harness::{fuzz, hostile_text, lossy, mutated_seed};
use crate::request_build::{reimport, typed_value};

pub(crate) fn curl_catalog() -> &'static Catalog {
    static CATALOG: OnceLock<Catalog> = OnceLock::new();
    CATALOG.get_or_init(|| {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
        let mut catalog = catalog::load_file(&dir.join("petstore-3.0.yaml")).expect("petstore");
        let portal = catalog::load_file(&dir.join("portal/portal.toml")).expect("portal");
        catalog.apis.extend(portal.apis);
        catalog
    })
}

fn curl_word() -> impl Strategy<Value = String> {
    let raw = prop_oneof![
        3 => select(vec!["-H", "-d", "-X", "-u", "-F", "-G", "-I", "-k", "-sSL", "-dx", "--data-raw", "--data-binary", "--json", "--url", "--url-query", "--data-urlencode", "--form-string", "--compressed", "--no-x", "--bogus", "-", "--", "@-", "@file", "http://h/p?q=1", "h:1", "Name: v", "Name;", "Name:", "a=b", "x=@f;type=t", "x=<f"]).prop_map(str::to_string),
        2 => hostile_text(4),
        1 => any::<String>(),
    ];
    (raw, 0..5u8).prop_map(|(w, quoting)| match quoting {
        0 => format!("'{}'", w.replace('\'', "'\\''")),
        1 => format!(
            "\"{}\"",
            w.replace('\\', "\\\\")
                .replace('"', "\\\"")
                .replace('$', "\\$")
                .replace('`', "\\`")
        ),
        2 => format!("$'{}'", w.replace('\\', "\\\\").replace('\'', "\\'")),
        3 => w.replace('\\', "\\\\"),
        _ => w,
    })
}

fn curl_input() -> impl Strategy<Value = String> {
    let option = prop_oneof![
        3 => (select(vec!["-H", "-d", "-X", "-u", "-F", "--data-raw", "--data-binary", "--json", "--url-query", "--data-urlencode", "--form-string", "-b", "-A", "-e", "-r", "--oauth2-bearer", "-o"]), curl_word())
            .prop_map(|(o, v)| format!("{o} {v}")),
        1 => curl_word(),
    ];
    prop_oneof![
        1 => any::<String>(),
        1 => hostile_text(48),
        3 => mutated_seed("curl").prop_map(|b| lossy(&b)),
        3 => vec(curl_word(), 0..10).prop_map(|words| format!("curl {}", words.join(" "))),
        3 => (select(vec!["'http://127.0.0.1:8080/pets/1?q=a%20b'", "https://h/p", "'http://[::1]/{x}'", "h:1/p"]), vec(option, 0..6))
            .prop_map(|(url, options)| format!("curl {url} {}", options.join(" \\\n  "))),
    ]
}

#[test]
fn fuzz_curl_import() {
    let imported = Arc::new(AtomicU64::new(0));
    let counted = Arc::clone(&imported);
    fuzz("curl", curl_input(), move |command| {
        let Ok(parsed) = parse_curl_with(&command, &|path| {
            if path.len() % 2 == 0 {
                Ok(path.as_bytes().repeat(3))
            } else {
                Err(std::io::Error::new(
                    std::io::ErrorKind::NotFound,
                    "no such file",
                ))
            }
        }) else {
            return Ok(());
        };
        counted.fetch_add(1, Ordering::Relaxed);
        let req = parsed.to_request();
        let _ = req.masked();
        let _ = draft_from_curl(curl_catalog(), &parsed);
        // Exporting what was imported gives a command that reads back.
        let _ = reimport(&to_curl(&req, false));
        Ok(())
    });
    let imported = imported.load(Ordering::Relaxed);
    eprintln!("fuzz target curl: {imported} commands imported");
    assert!(imported > 0);
}

fn header_value() -> impl Strategy<Value = String> {
    prop_oneof![typed_value(), any::<String>()].prop_map(|v| {
        v.replace(['\r', '\n'], "")
            .trim_matches([' ', '\t'])
            .to_string()
    })
}

fn any_request() -> impl Strategy<Value = BuiltRequest> {
    (
        prop_oneof![
            select(vec![
                "GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS"
            ])
            .prop_map(str::to_string),
            "[A-Z]{1,8}"
        ],
        (
            select(vec!["http", "https"]),
            select(vec![
                "example.com",
                "127.0.0.1:8080",
                "[::1]",
                "xn--bcher-kva.example",
                "h",
            ]),
            hostile_text(6),
            option::of(hostile_text(6)),
        ),
        vec(("[A-Za-z0-9!#$%&'*+.^_`|~-]{1,16}", header_value()), 0..6),
        prop_oneof![
            Just(None),
            vec(any::<u8>(), 0..64).prop_map(Some),
            typed_value().prop_map(|t| Some(t.into_bytes())),
        ],
    )
        .prop_map(|(method, (scheme, host, path, query), headers, body)| {
            let mut url = format!("{scheme}://{host}/{path}");
            if let Some(q) = query {
                url.push('?');
                url.push_str(&q);
            }
            let url =
                url::Url::parse(&url).map_or_else(|_| format!("{scheme}://{host}/"), String::from);
            BuiltRequest {
                method,
                url,
                headers,
                body,
                secret_values: Vec::new(),
                form: Vec::new(),
                body_file: None,
            }
        })
}

#[test]
fn fuzz_curl_round_trip() {
    fuzz("curl round trip", any_request(), |req| {
        let command = to_curl(&req, false);
        let back =
            reimport(&command).map_err(|e| TestCaseError::fail(format!("{e}\n{command}")))?;
        prop_assert_eq!(&back.method, &req.method, "{}", command);
        prop_assert_eq!(&back.url, &req.url, "{}", command);
        prop_assert_eq!(&back.headers, &req.headers, "{}", command);
        prop_assert_eq!(&back.body, &req.body, "{}", command);
        Ok(())
    });
}

// ---------------------------------------------------------------------------
// Regressions found by the targets

/// A bearer scheme with a username typed and no token sent `Bearer `
/// (trailing space, no token); curl export trimmed it, so the round trip
/// differed.
#[test]
fn a_token_scheme_without_a_token_sends_nothing() {
    let api = Api {
        servers: vec![Server {
            url: "https://api.example.com".into(),
            ..Server::default()
        }],
        security_schemes: vec![
            SecurityScheme {
                name: "bearer".into(),
                kind: SecurityKind::Bearer { format: None },
                description: None,
            },
            SecurityScheme {
                name: "key".into(),
                kind: SecurityKind::ApiKey {
                    param: "X-Key".into(),
                    location: ParamLocation::Header,
                },
                description: None,
            },
        ],
        ..Api::default()
    };
    let op = Operation {
        method: "GET".into(),
        path: "/x".into(),
        ..Operation::default()
    };
    let vars = Vars::default();
    let mut draft = Draft::new(&api, &op, &vars);
    draft.auth = vec![
        AuthValue::declared("bearer", String::new(), "a".into()),
        AuthValue::declared("key", " k ".into(), String::new()),
    ];
    let req = request::build(&api, &op, &draft, &vars).expect("builds");
    assert_eq!(req.headers, vec![("X-Key".to_string(), "k".to_string())]);
}

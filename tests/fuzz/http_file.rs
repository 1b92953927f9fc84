//! Target: `.http` files.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use portico::interchange::{http_file, imported};
use portico::request::Vars;
use proptest::collection::vec;
use proptest::prelude::*;
use proptest::sample::select;

use crate::curl::curl_catalog;
use crate::harness::{fuzz, hostile_text, lossy, mutated_seed};
use crate::request_build::typed_value;

fn http_file_input() -> impl Strategy<Value = String> {
    let line = prop_oneof![
        select(vec![
            "###",
            "### name",
            "# @name n",
            "// @name n",
            "@host = http://h",
            "@x = {{host}}",
            "GET {{host}}/a HTTP/1.1",
            "POST https://x.test/b?q=1",
            "    &lang=en",
            "Content-Type: application/json",
            "Authorization: Basic dXNlcjpwYXNz",
            "# @portico-disabled X-A: 1",
            "# @portico-disabled-query a=1",
            "",
            "{\"a\": 1}",
            "< ./missing.json",
            "> {% client.x %}",
            ">> out.json",
            "{{$processEnv HOME}}",
            "{{$dotenv X}}",
            "{{$guid}}"
        ])
        .prop_map(str::to_string),
        hostile_text(8),
        typed_value(),
    ];
    prop_oneof![
        1 => any::<String>(),
        1 => hostile_text(48),
        3 => mutated_seed("http_file").prop_map(|b| lossy(&b)),
        3 => vec(line, 0..20).prop_map(|lines| lines.join("\n")),
    ]
}

#[test]
fn fuzz_http_files() {
    let dir = tempfile::tempdir().expect("temp dir");
    let requests = Arc::new(AtomicU64::new(0));
    let counted = Arc::clone(&requests);
    fuzz("http_file", http_file_input(), move |text| {
        if let Ok(file) = http_file::parse(&text, "fuzz.http", dir.path()) {
            counted.fetch_add(file.requests.len() as u64, Ordering::Relaxed);
            let vars = Vars::default();
            for req in &file.requests {
                let _ = imported::place(curl_catalog(), req, &vars);
            }
            let (written, _) = http_file::write(&file);
            let _ = http_file::parse(&written, "fuzz.http", dir.path());
        }
        let mut warnings = Vec::new();
        let _ = http_file::parse_environments(&text, "http-client.env.json", false, &mut warnings);
        Ok(())
    });
    let requests = requests.load(Ordering::Relaxed);
    eprintln!("fuzz target http_file: {requests} requests read");
    assert!(requests > 0);
}

//! Code samples run by their own languages: each nasty request of the curl
//! round trips becomes a sample, the sample runs against a loopback server
//! that records the request as it arrives, and the server must have seen
//! what portico sends: the method, the path and query, portico's headers
//! and the body, byte for byte.
//!
//! Runtimes: python3 with `requests`, node (fetch), java, go, php with its
//! curl extension, mono's C# compiler, and HTTPie in `target/snippet-venv`;
//! `.ci/run` installs them. A missing one fails its test with the way to
//! install it. PowerShell has no runtime here: its samples are parsed by
//! tree-sitter's PowerShell grammar (from the same venv) and every string
//! read back must be the value portico sends.

use std::collections::BTreeMap;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::mpsc::{Receiver, channel};
use std::time::{Duration, Instant};

use portico::interchange::snippet::{Lang, to_snippet};
use portico::request::BuiltRequest;

#[path = "support/recording.rs"]
mod recording;
use recording::{Seen, nasty_requests, read_request};

/// Where `.ci/run` puts what the tests need beyond the system's packages.
fn venv() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("target/snippet-venv")
}

const INSTALL: &str = "run `bash .ci/run` (or its snippet runtimes step) to install it";

/// A loopback server on its own thread: every request it reads arrives on
/// the channel.
fn recorder() -> (String, Receiver<Seen>) {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind loopback");
    let base = format!("http://{}", listener.local_addr().expect("addr"));
    let (tx, rx) = channel();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { break };
            let _ = stream.set_read_timeout(Some(Duration::from_secs(20)));
            if let Some(seen) = read_request(&mut stream)
                && tx.send(seen).is_err()
            {
                break;
            }
        }
    });
    (base, rx)
}

/// Runs a command with a deadline; its output on failure.
fn run(mut command: Command, what: &str) -> Result<(), String> {
    let mut child = command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot start {what}: {e}; {INSTALL}"))?;
    let started = Instant::now();
    loop {
        if child.try_wait().map_err(|e| e.to_string())?.is_some() {
            break;
        }
        if started.elapsed() > Duration::from_secs(120) {
            let _ = child.kill();
            return Err(format!("{what} ran past 120 s"));
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let out = child.wait_with_output().map_err(|e| e.to_string())?;
    if out.status.success() {
        Ok(())
    } else {
        Err(format!(
            "{what} failed ({}): {}{}",
            out.status,
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ))
    }
}

/// Fails, saying how to install it, when a program is not there.
fn require(program: &str, args: &[&str], install: &str) {
    let ok = Command::new(program)
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    assert!(
        ok,
        "`{program}` is needed to run these samples and is missing: {install}, or {INSTALL}"
    );
}

/// Headers compared as HTTP defines them: names case-insensitive, a name
/// given twice the same as one with the values joined by `, `. What a
/// client adds on its own (framing, its user agent, its default accept)
/// is left out unless portico sets it too.
fn comparable(headers: &[(String, String)], ours: &[(String, String)]) -> BTreeMap<String, String> {
    let ours_has = |n: &str| ours.iter().any(|(h, _)| h.eq_ignore_ascii_case(n));
    let mut out: BTreeMap<String, String> = BTreeMap::new();
    for (name, value) in headers {
        let name = name.to_ascii_lowercase();
        let framing = [
            "host",
            "content-length",
            "transfer-encoding",
            "connection",
            "expect",
            "keep-alive",
            "te",
        ];
        let defaults = [
            "user-agent",
            "accept",
            "accept-encoding",
            "accept-language",
            "sec-fetch-mode",
        ];
        if framing.contains(&name.as_str())
            || (defaults.contains(&name.as_str()) && !ours_has(&name))
        {
            continue;
        }
        out.entry(name)
            .and_modify(|v| {
                v.push_str(", ");
                v.push_str(value);
            })
            .or_insert_with(|| value.trim().to_string());
    }
    out
}

/// How the server's view differs from the request, or `None` when alike.
fn differs(r: &BuiltRequest, seen: &Seen) -> Option<String> {
    let url = url::Url::parse(&r.url).expect("url");
    let target = match url.query() {
        Some(q) => format!("{}?{q}", url.path()),
        None => url.path().to_string(),
    };
    let mut why = Vec::new();
    if seen.method != r.method {
        why.push(format!("method {:?} != {:?}", seen.method, r.method));
    }
    if seen.target != target {
        why.push(format!("target {:?} != {:?}", seen.target, target));
    }
    let (got, want) = (
        comparable(&seen.headers, &r.headers),
        comparable(&r.headers, &r.headers),
    );
    if got != want {
        why.push(format!("headers {got:?} != {want:?}"));
    }
    let body = r.body.clone().unwrap_or_default();
    if seen.body != body {
        why.push(format!(
            "body {:?} != {:?}",
            String::from_utf8_lossy(&seen.body),
            String::from_utf8_lossy(&body)
        ));
    }
    (!why.is_empty()).then(|| why.join("; "))
}

/// Runs every nasty case's sample in `lang` with `runner` (given the
/// sample's directory and its text) and checks what the server saw.
/// Cases in `known` may differ, each for the reason given there (a
/// limit of the language's library, not of the sample); any other
/// difference fails. Prints how many cases sent the same bytes.
fn check_language(
    lang: Lang,
    known: &[(&str, &str)],
    runner: &dyn Fn(&Path, &str) -> Result<(), String>,
) {
    let (base, rx) = recorder();
    let cases = nasty_requests(&base);
    let dir = tempfile::tempdir().expect("temp dir");
    let mut same = 0;
    let mut failures = Vec::new();
    let mut report = Vec::new();
    for (i, (name, r)) in cases.iter().enumerate() {
        let code = to_snippet(r, lang, false);
        let case_dir = dir.path().join(format!("case{i}"));
        std::fs::create_dir_all(&case_dir).expect("case dir");
        let ran = runner(&case_dir, &code);
        // A client that sent nothing (it refused the request) leaves the
        // channel empty; one that sent it has been answered before it ends.
        let seen = rx.recv_timeout(Duration::from_secs(if ran.is_ok() { 10 } else { 1 }));
        let outcome = match (&ran, seen) {
            (_, Ok(seen)) => differs(r, &seen),
            (Err(e), Err(_)) => Some(format!("nothing sent: {e}")),
            (Ok(()), Err(_)) => Some("ran, but nothing reached the server".into()),
        };
        match outcome {
            None => same += 1,
            Some(why) => {
                let expected = known.iter().find(|(case, _)| case == name);
                report.push(format!(
                    "  {name}: {}{why}",
                    expected.map_or(String::new(), |(_, reason)| format!("(known: {reason}) "))
                ));
                if expected.is_none() {
                    failures.push(format!("{name}: {why}\n--- sample ---\n{code}"));
                }
            }
        }
        // Samples run by a shell or runtime may leave children behind only
        // on failure; nothing else to clean.
        let _ = ran;
    }
    eprintln!(
        "{}: {same} of {} nasty cases sent the same bytes",
        lang.name(),
        cases.len()
    );
    for line in &report {
        eprintln!("{line}");
    }
    assert!(
        failures.is_empty(),
        "{} samples sent something else:\n{}",
        lang.name(),
        failures.join("\n\n")
    );
}

fn write(dir: &Path, file: &str, code: &str) -> PathBuf {
    let path = dir.join(file);
    let mut f = std::fs::File::create(&path).expect("create sample");
    f.write_all(code.as_bytes()).expect("write sample");
    path
}

#[test]
fn python_samples_send_what_portico_sends() {
    require(
        "python3",
        &["-c", "import requests"],
        "install python3 and requests (apt-get install python3-requests)",
    );
    check_language(
        Lang::Python,
        &[(
            "GET with brackets and braces in the query",
            "urllib3 percent-encodes `{` and `}` in a query",
        )],
        &|dir, code| {
            let file = write(dir, "sample.py", code);
            let mut c = Command::new("python3");
            c.arg(file);
            run(c, "python3")
        },
    );
}

#[test]
fn javascript_samples_send_what_portico_sends() {
    require("node", &["--version"], "install Node.js 18 or later");
    check_language(
        Lang::JavaScript,
        &[(
            "GET with a body",
            "fetch refuses a body on GET (TypeError), so nothing is sent",
        )],
        &|dir, code| {
            let file = write(dir, "sample.mjs", code);
            let mut c = Command::new("node");
            c.arg(file);
            run(c, "node")
        },
    );
}

#[test]
fn go_samples_send_what_portico_sends() {
    require("go", &["version"], "apt-get install golang-go");
    let cache = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/snippet-go-cache");
    check_language(Lang::Go, &[], &|dir, code| {
        let file = write(dir, "main.go", code);
        let mut c = Command::new("go");
        c.arg("run")
            .arg(file)
            .env("GOCACHE", &cache)
            .env("GOPATH", cache.join("gopath"))
            .env("GOTOOLCHAIN", "local");
        run(c, "go run")
    });
}

#[test]
fn java_samples_send_what_portico_sends() {
    require("java", &["--version"], "install a JDK 11 or later");
    check_language(
        Lang::Java,
        &[
            (
                "GET with brackets and braces in the query",
                "java.net.URI refuses `[`, `]`, `{`, `}` in a query: the sample percent-encodes them",
            ),
            (
                "unicode everywhere",
                "java.net.http refuses a header value beyond Latin-1 (and sends the rest as ASCII)",
            ),
        ],
        &|dir, code| {
            let file = write(dir, "Main.java", code);
            let mut c = Command::new("java");
            c.arg(file);
            run(c, "java")
        },
    );
}

#[test]
fn php_samples_send_what_portico_sends() {
    require(
        "php",
        &["-r", "exit(function_exists('curl_init') ? 0 : 1);"],
        "apt-get install php-cli php-curl",
    );
    check_language(Lang::Php, &[], &|dir, code| {
        let file = write(dir, "sample.php", code);
        let mut c = Command::new("php");
        c.arg(file);
        run(c, "php")
    });
}

#[test]
fn httpie_samples_send_what_portico_sends() {
    let bin = venv().join("bin");
    require(
        bin.join("http").to_str().expect("path"),
        &["--version"],
        "python3 -m venv target/snippet-venv && target/snippet-venv/bin/pip install httpie",
    );
    check_language(
        Lang::Httpie,
        &[(
            "GET with brackets and braces in the query",
            "urllib3 percent-encodes `{` and `}` in a query",
        )],
        &|dir, code| {
            let file = write(dir, "sample.sh", code);
            let path = format!(
                "{}:{}",
                bin.display(),
                std::env::var("PATH").unwrap_or_default()
            );
            let mut c = Command::new("sh");
            c.arg(file).env("PATH", path);
            run(c, "http (HTTPie)")
        },
    );
}

#[test]
fn csharp_samples_send_what_portico_sends() {
    require(
        "mcs",
        &["--version"],
        "apt-get install mono-mcs libmono-system-net-http4.0-cil",
    );
    check_language(
        Lang::CSharp,
        &[
            (
                "GET with brackets and braces in the query",
                "mono's System.Uri percent-encodes `{` and `}` in a query",
            ),
            (
                "unicode everywhere",
                "a UTF-8 header value needs .NET 5's SocketsHttpHandler, which mono lacks",
            ),
        ],
        &|dir, code| {
            let file = write(dir, "Program.cs", code);
            let exe = dir.join("Program.exe");
            let mut compile = Command::new("mcs");
            compile
                .arg("-r:System.Net.Http.dll")
                .arg(format!("-out:{}", exe.display()))
                .arg(file);
            run(compile, "mcs")?;
            let mut c = Command::new("mono");
            c.arg(exe);
            run(c, "mono")
        },
    );
}

/// Reads a PowerShell sample with tree-sitter's grammar: whether it parses
/// without error, and its single-quoted strings as PowerShell reads them
/// (two quotes in a row, typographic ones included, stand for one).
const POWERSHELL_READER: &str = r#"
import json, sys
import tree_sitter, tree_sitter_powershell
parser = tree_sitter.Parser(tree_sitter.Language(tree_sitter_powershell.language()))
tree = parser.parse(sys.stdin.buffer.read())
quotes = "'\u2018\u2019\u201a\u201b"
strings = []
def walk(node):
    if node.type == "verbatim_string_characters":
        raw = node.text.decode("utf-8")[1:-1]
        out, i = "", 0
        while i < len(raw):
            if raw[i] in quotes and i + 1 < len(raw) and raw[i + 1] in quotes:
                i += 1
            out += raw[i]
            i += 1
        strings.append(out)
    for child in node.children:
        walk(child)
walk(tree.root_node)
print(json.dumps({"error": tree.root_node.has_error, "strings": strings}))
"#;

/// The strings a PowerShell sample must hold, in order: each header but
/// the content type (name, then its values joined), the body (text, or its
/// base64), the method, the URL, the content type.
fn powershell_strings(r: &BuiltRequest) -> Vec<String> {
    use base64::Engine;
    let mut joined: Vec<(String, String)> = Vec::new();
    for (name, value) in &r.headers {
        match joined
            .iter_mut()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
        {
            Some((_, v)) => *v = format!("{v}, {value}"),
            None => joined.push((name.clone(), value.clone())),
        }
    }
    let mut out = Vec::new();
    let mut content_type = None;
    for (name, value) in joined {
        if name.eq_ignore_ascii_case("content-type") {
            content_type = Some(value);
        } else {
            out.extend([name, value]);
        }
    }
    if let Some(body) = &r.body {
        match std::str::from_utf8(body) {
            Ok(text) if !text.chars().any(|c| c.is_control() && c != '\t') => {
                out.push(text.to_string());
            }
            _ => out.push(base64::engine::general_purpose::STANDARD.encode(body)),
        }
    }
    out.extend([r.method.clone(), r.url.clone()]);
    out.extend(content_type);
    out
}

/// No PowerShell runs here (none is packaged for this system): each sample
/// is parsed instead, and every string in it must read back as the value
/// portico sends.
#[test]
fn powershell_samples_parse_and_hold_the_values_portico_sends() {
    let python = venv().join("bin/python");
    require(
        python.to_str().expect("path"),
        &["-c", "import tree_sitter, tree_sitter_powershell"],
        "target/snippet-venv/bin/pip install tree-sitter tree-sitter-powershell",
    );
    let cases = nasty_requests("http://127.0.0.1:9");
    let mut same = 0;
    let mut failures = Vec::new();
    for (name, r) in &cases {
        let code = to_snippet(r, Lang::PowerShell, false);
        let mut child = Command::new(&python)
            .args(["-c", POWERSHELL_READER])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start the reader");
        child
            .stdin
            .take()
            .expect("stdin")
            .write_all(code.as_bytes())
            .expect("write the sample");
        let out = child.wait_with_output().expect("reader");
        assert!(
            out.status.success(),
            "reader failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let read: serde_json::Value = serde_json::from_slice(&out.stdout).expect("reader's JSON");
        let strings: Vec<String> = read["strings"]
            .as_array()
            .expect("strings")
            .iter()
            .map(|s| s.as_str().expect("a string").to_string())
            .collect();
        let want = powershell_strings(r);
        if read["error"] == serde_json::Value::Bool(false) && strings == want {
            same += 1;
        } else {
            failures.push(format!(
                "{name}: parse error {}, strings {strings:?} != {want:?}\n{code}",
                read["error"]
            ));
        }
    }
    eprintln!(
        "powershell: {same} of {} nasty cases parse and read back the same values",
        cases.len()
    );
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

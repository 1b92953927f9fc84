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

/// Runs every nasty case's sample in `lang` and checks what the server
/// saw. Cases [`known`] for the language may differ, each for the reason
/// given there (a limit of the language's library, not of the sample);
/// any other difference fails. Prints how many cases sent the same bytes.
fn check_language(lang: Lang) {
    let runner = runner(lang);
    let known = known(lang);
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

/// Runs one sample in its directory.
type Runner = Box<dyn Fn(&Path, &str) -> Result<(), String>>;

/// How a language's samples run; fails, saying how to install it, when
/// its runtime is missing.
fn runner(lang: Lang) -> Runner {
    let command = |program: &str, file: PathBuf| {
        let mut c = Command::new(program);
        c.arg(file);
        c
    };
    match lang {
        Lang::Python => {
            require(
                "python3",
                &["-c", "import requests"],
                "install python3 and requests (pip install requests)",
            );
            Box::new(move |dir, code| {
                run(command("python3", write(dir, "sample.py", code)), "python3")
            })
        }
        Lang::JavaScript => {
            require("node", &["--version"], "install Node.js 18 or later");
            Box::new(move |dir, code| run(command("node", write(dir, "sample.mjs", code)), "node"))
        }
        Lang::Go => {
            require("go", &["version"], "apt-get install golang-go");
            let cache = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/snippet-go-cache");
            Box::new(move |dir, code| {
                let mut c = Command::new("go");
                c.arg("run")
                    .arg(write(dir, "main.go", code))
                    .env("GOCACHE", &cache)
                    .env("GOPATH", cache.join("gopath"))
                    .env("GOTOOLCHAIN", "local");
                run(c, "go run")
            })
        }
        Lang::Java => {
            require("java", &["--version"], "install a JDK 11 or later");
            Box::new(move |dir, code| run(command("java", write(dir, "Main.java", code)), "java"))
        }
        Lang::Php => {
            require(
                "php",
                &["-r", "exit(function_exists('curl_init') ? 0 : 1);"],
                "apt-get install php-cli php-curl",
            );
            Box::new(move |dir, code| run(command("php", write(dir, "sample.php", code)), "php"))
        }
        Lang::Httpie => {
            let bin = venv().join("bin");
            require(
                bin.join("http").to_str().expect("path"),
                &["--version"],
                "python3 -m venv target/snippet-venv && target/snippet-venv/bin/pip install httpie",
            );
            Box::new(move |dir, code| {
                let path = format!(
                    "{}:{}",
                    bin.display(),
                    std::env::var("PATH").unwrap_or_default()
                );
                let mut c = command("sh", write(dir, "sample.sh", code));
                c.env("PATH", path);
                run(c, "http (HTTPie)")
            })
        }
        Lang::CSharp => {
            require(
                "mcs",
                &["--version"],
                "apt-get install mono-mcs libmono-system-net-http4.0-cil",
            );
            Box::new(move |dir, code| {
                let file = write(dir, "Program.cs", code);
                let exe = dir.join("Program.exe");
                let mut compile = Command::new("mcs");
                compile
                    .arg("-r:System.Net.Http.dll")
                    .arg(format!("-out:{}", exe.display()))
                    .arg(file);
                run(compile, "mcs")?;
                run(command("mono", exe), "mono")
            })
        }
        Lang::Curl | Lang::PowerShell => unreachable!("{lang} has its own test"),
    }
}

/// The nasty cases a language's library cannot send as portico does, and
/// why (the samples say the nearest thing).
fn known(lang: Lang) -> &'static [(&'static str, &'static str)] {
    const BRACES: &str = "GET with brackets and braces in the query";
    match lang {
        Lang::Python | Lang::Httpie => {
            &[(BRACES, "urllib3 percent-encodes `{` and `}` in a query")]
        }
        Lang::JavaScript => &[(
            "GET with a body",
            "fetch refuses a body on GET (TypeError), so nothing is sent",
        )],
        Lang::Java => &[
            (
                BRACES,
                "java.net.URI refuses `[`, `]`, `{`, `}` in a query: the sample percent-encodes them",
            ),
            (
                "unicode everywhere",
                "java.net.http refuses a header value beyond Latin-1 (and sends the rest as ASCII)",
            ),
        ],
        Lang::CSharp => &[
            (
                BRACES,
                "mono's System.Uri percent-encodes `{` and `}` in a query",
            ),
            (
                "unicode everywhere",
                "a UTF-8 header value needs .NET 5's SocketsHttpHandler, which mono lacks",
            ),
        ],
        _ => &[],
    }
}

#[test]
fn python_samples_send_what_portico_sends() {
    check_language(Lang::Python);
}

#[test]
fn javascript_samples_send_what_portico_sends() {
    check_language(Lang::JavaScript);
}

#[test]
fn go_samples_send_what_portico_sends() {
    check_language(Lang::Go);
}

#[test]
fn java_samples_send_what_portico_sends() {
    check_language(Lang::Java);
}

#[test]
fn php_samples_send_what_portico_sends() {
    check_language(Lang::Php);
}

#[test]
fn httpie_samples_send_what_portico_sends() {
    check_language(Lang::Httpie);
}

#[test]
fn csharp_samples_send_what_portico_sends() {
    check_language(Lang::CSharp);
}

/// A definition with a URL-encoded form and a multipart upload.
const FORMS: &str = r#"
openapi: 3.0.3
info: { title: Forms, version: "1" }
servers: [ { url: "http://forms.invalid" } ]
paths:
  /form:
    post:
      operationId: postForm
      requestBody:
        content:
          application/x-www-form-urlencoded:
            schema:
              type: object
              properties:
                channel: { type: string }
                text: { type: string }
      responses: { "204": { description: ok } }
  /upload:
    put:
      operationId: upload
      requestBody:
        content:
          multipart/form-data:
            schema:
              type: object
              properties:
                note: { type: string }
                file: { type: string, format: binary }
      responses: { "204": { description: ok } }
  /blob:
    put:
      operationId: putBlob
      requestBody:
        content:
          application/octet-stream:
            schema: { type: string, format: binary }
      responses: { "204": { description: ok } }
"#;

/// Runs `portico` with `args`; its stdout, or the failure.
fn portico(args: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_portico"))
        .args(args)
        .stdin(Stdio::null())
        .output()
        .expect("run portico");
    assert!(
        out.status.success(),
        "portico {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("UTF-8 output")
}

/// Form bodies end to end: `portico call` sends each form to the recorder,
/// then `portico snippet` writes it in each language, and each sample must
/// send what portico sent (the multipart body with its boundary and the
/// file's bytes, a file that is not text included), and a binary body
/// the sample reads from its file.
#[test]
fn form_samples_send_what_portico_call_sends() {
    let dir = tempfile::tempdir().expect("temp dir");
    let spec = dir.path().join("forms.yaml");
    std::fs::write(&spec, FORMS).expect("write spec");
    let blob = dir.path().join("blob.bin");
    let mut bytes: Vec<u8> = (0..=255).collect();
    bytes.extend_from_slice(b"\r\n--portico\r\n'\"$\\");
    std::fs::write(&blob, &bytes).expect("write file");
    let home = dir.path().join("home");
    let (spec, home) = (spec.to_string_lossy(), home.to_string_lossy());
    let file_field = format!("file=@{}", blob.display());
    let whole_file = format!("@{}", blob.display());
    let (base, rx) = recorder();
    let forms: Vec<(&str, Vec<&str>)> = vec![
        (
            "url-encoded",
            vec![
                "--op",
                "postForm",
                "-F",
                "channel=C1",
                "-F",
                "text=a b&c é $x \"q\" \\",
            ],
        ),
        (
            "multipart with a binary file",
            vec![
                "--op",
                "upload",
                "-F",
                &file_field,
                "-F",
                "note=it's $5 \"q\" \\ é",
            ],
        ),
        // The sample reads the file, as portico did.
        (
            "a binary body from a file",
            vec!["--op", "putBlob", "--data-binary", &whole_file],
        ),
    ];
    let langs = [
        Lang::Python,
        Lang::JavaScript,
        Lang::Go,
        Lang::Java,
        Lang::Php,
        Lang::Httpie,
        Lang::CSharp,
    ];
    let runners: Vec<(Lang, Runner)> = langs.iter().map(|l| (*l, runner(*l))).collect();
    let mut failures = Vec::new();
    for (name, flags) in &forms {
        let mut args = vec!["call", &*spec, "--home", &*home, "--server", &base, "-q"];
        args.extend(flags.iter().copied());
        portico(&args);
        let sent = rx
            .recv_timeout(Duration::from_secs(10))
            .unwrap_or_else(|e| panic!("{name}: portico sent nothing: {e}"));
        // The request as the samples must send it: what portico sent, less
        // what any client adds for itself.
        let expected = BuiltRequest {
            method: sent.method.clone(),
            url: format!("{base}{}", sent.target),
            headers: sent
                .headers
                .iter()
                .filter(|(n, _)| {
                    let n = n.to_ascii_lowercase();
                    ![
                        "host",
                        "content-length",
                        "user-agent",
                        "accept",
                        "accept-encoding",
                        "connection",
                    ]
                    .contains(&n.as_str())
                })
                .cloned()
                .collect(),
            body: Some(sent.body.clone()),
            secret_values: Vec::new(),
            form: Vec::new(),
            body_file: flags
                .contains(&"--data-binary")
                .then(|| blob.display().to_string()),
        };
        assert!(
            expected
                .headers
                .iter()
                .any(|(n, _)| n.eq_ignore_ascii_case("content-type")),
            "{name}: portico sent no content type"
        );
        for (lang, run_sample) in &runners {
            let mut args = vec!["snippet", "--lang", lang.name(), &*spec, "--home", &*home];
            args.extend(["--server", &base]);
            args.extend(flags.iter().copied());
            let code = portico(&args);
            let case_dir = dir
                .path()
                .join(format!("{}-{}", lang.name(), failures.len()));
            std::fs::create_dir_all(&case_dir).expect("case dir");
            let ran = run_sample(&case_dir, &code);
            let outcome =
                match rx.recv_timeout(Duration::from_secs(if ran.is_ok() { 10 } else { 1 })) {
                    Ok(seen) => differs(&expected, &seen),
                    Err(_) => Some(format!("nothing sent: {ran:?}")),
                };
            match outcome {
                None => eprintln!("{}: {name}: the same bytes", lang.name()),
                Some(why) => failures.push(format!("{} {name}: {why}\n{code}", lang.name())),
            }
        }
        let code = portico(
            &[
                &[
                    "snippet",
                    "--lang",
                    "powershell",
                    &*spec,
                    "--home",
                    &*home,
                    "--server",
                    &base,
                ][..],
                &flags[..],
            ]
            .concat(),
        );
        let (error, strings) = powershell_reads(&code);
        if error || strings != powershell_strings(&expected) {
            failures.push(format!("powershell {name}: {strings:?}\n{code}"));
        } else {
            eprintln!("powershell: {name}: parses, the same values");
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
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
    if node.type == "expandable_string_literal":
        strings.append(node.text.decode("utf-8"))
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
/// the content type (name, then its values joined), the body (text, its
/// lines and the escaped line break joining them, or its base64), the
/// method, the URL, the content type.
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
    if let Some(body) = r.body.as_ref().filter(|_| r.body_file.is_none()) {
        match std::str::from_utf8(body) {
            Ok(text) if !text.chars().any(|c| c.is_control() && c != '\t') => {
                out.push(text.to_string());
            }
            // Lines joined by one kind of line break, written escaped.
            Ok(text)
                if {
                    let separator = if text.contains("\r\n") { "\r\n" } else { "\n" };
                    text.split(separator)
                        .all(|l| !l.chars().any(|c| c.is_control() && c != '\t'))
                } =>
            {
                let (separator, escaped) = if text.contains("\r\n") {
                    ("\r\n", "\"`r`n\"")
                } else {
                    ("\n", "\"`n\"")
                };
                out.extend(text.split(separator).map(str::to_string));
                out.push(escaped.to_string());
            }
            _ => out.push(base64::engine::general_purpose::STANDARD.encode(body)),
        }
    }
    out.extend([r.method.clone(), r.url.clone()]);
    out.extend(content_type);
    // A body from a file: `-InFile` names it, last.
    out.extend(r.body_file.clone());
    out
}

/// No PowerShell runs here (none is packaged for this system): each sample
/// is parsed instead, and every string in it must read back as the value
/// portico sends.
#[test]
fn powershell_samples_parse_and_hold_the_values_portico_sends() {
    let cases = nasty_requests("http://127.0.0.1:9");
    let mut same = 0;
    let mut failures = Vec::new();
    for (name, r) in &cases {
        let code = to_snippet(r, Lang::PowerShell, false);
        let (error, strings) = powershell_reads(&code);
        let want = powershell_strings(r);
        if !error && strings == want {
            same += 1;
        } else {
            failures.push(format!(
                "{name}: parse error {error}, strings {strings:?} != {want:?}\n{code}"
            ));
        }
    }
    eprintln!(
        "powershell: {same} of {} nasty cases parse and read back the same values",
        cases.len()
    );
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// Whether a PowerShell sample has a syntax error, and its strings as
/// PowerShell reads them (see [`POWERSHELL_READER`]).
fn powershell_reads(code: &str) -> (bool, Vec<String>) {
    let python = venv().join("bin/python");
    require(
        python.to_str().expect("path"),
        &["-c", "import tree_sitter, tree_sitter_powershell"],
        "target/snippet-venv/bin/pip install tree-sitter tree-sitter-powershell",
    );
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
    let strings = read["strings"]
        .as_array()
        .expect("strings")
        .iter()
        .map(|s| s.as_str().expect("a string").to_string())
        .collect();
    (read["error"] != serde_json::Value::Bool(false), strings)
}

/// `--lang` takes the names and aliases; an unknown one is refused with
/// the list of names.
#[test]
fn snippet_command_reads_languages_and_refuses_unknown_ones() {
    let dir = tempfile::tempdir().expect("temp dir");
    let spec = dir.path().join("forms.yaml");
    std::fs::write(&spec, FORMS).expect("write spec");
    let spec = spec.to_string_lossy();
    let home = dir.path().join("home");
    let home = home.to_string_lossy();
    let common = ["--home", &*home, "--op", "postForm", "-F", "channel=C1"];
    let js = portico(&[&["snippet", "--lang", "js", &*spec][..], &common[..]].concat());
    assert!(js.starts_with("const response = await fetch("), "{js}");
    let cs = portico(&[&["snippet", "--lang", "C#", &*spec][..], &common[..]].concat());
    assert!(cs.contains("new HttpClient()"), "{cs}");
    let curl = portico(&[&["snippet", "--lang", "curl", &*spec][..], &common[..]].concat());
    assert!(curl.starts_with("curl"), "{curl}");

    let out = Command::new(env!("CARGO_BIN_EXE_portico"))
        .args([&["snippet", "--lang", "cobol", &*spec][..], &common[..]].concat())
        .output()
        .expect("run portico");
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    for lang in Lang::ALL {
        assert!(stderr.contains(lang.name()), "{stderr}");
    }
    assert!(stderr.contains("cobol"), "{stderr}");
}

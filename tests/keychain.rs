//! Secrets from where they live: OAuth 2.0 tokens that outlive a session
//! only in the OS keychain (a real Secret Service on a private bus), a
//! variable read from a keychain entry, a variable typed at a prompt on a
//! real terminal, and what portico says where no keychain service runs.

mod support;

use std::path::Path;
use std::process::{Command, Output, Stdio};

use portico::demo::{self, DemoConfig, DemoServer};
use support::keychain::KeychainSession;

/// `portico ARGS` with `home` as its home and working directory, and the
/// environment `env` (the keychain's, or none).
fn portico(home: &Path, env: &[(String, String)], args: &[&str], stdin: &str) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_portico"))
        .args(args)
        .env("PORTICO_HOME", home)
        .env_remove("DBUS_SESSION_BUS_ADDRESS")
        .env("XDG_RUNTIME_DIR", home)
        .envs(env.iter().map(|(k, v)| (k, v)))
        .current_dir(home)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run portico");
    let mut input = child.stdin.take().expect("stdin");
    std::io::Write::write_all(&mut input, stdin.as_bytes()).expect("write stdin");
    drop(input);
    child.wait_with_output().expect("portico ran")
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// `--server` for the demo's Account API.
fn account_server(server: &DemoServer) -> String {
    format!("{}{}", server.base_url(), demo::ACCOUNT_PREFIX)
}

/// Every file under `dir`, read as text (lossily).
fn files_text(dir: &Path) -> String {
    let mut text = String::new();
    for entry in std::fs::read_dir(dir).expect("read dir").flatten() {
        let path = entry.path();
        if path.is_dir() {
            text.push_str(&files_text(&path));
        } else {
            text.push_str(&String::from_utf8_lossy(
                &std::fs::read(&path).unwrap_or_default(),
            ));
        }
    }
    text
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_token_outlives_the_session_only_in_the_keychain() {
    let keychain = KeychainSession::start();
    let env = keychain.env();
    let server = demo::start(0, DemoConfig::default()).await.expect("demo");
    let account = account_server(&server);
    let home = tempfile::tempdir().expect("home");
    let call = ["call", "--op", "Who am I", "--server", &account];

    let first = portico(home.path(), &env, &call, "");
    assert!(first.status.success(), "{}", stderr(&first));
    assert!(
        stderr(&first).contains("got an OAuth 2.0 token for demo_oauth (client-credentials)"),
        "{}",
        stderr(&first)
    );

    // The next session asks the authorization server for nothing.
    let second = portico(home.path(), &env, &call, "");
    assert!(second.status.success(), "{}", stderr(&second));
    assert!(
        stderr(&second).contains("using the OAuth 2.0 token for demo_oauth kept in the keychain"),
        "{}",
        stderr(&second)
    );
    assert!(stdout(&second).contains("client_credentials"));
    let history = files_text(home.path());
    assert_eq!(
        history.matches("/oauth2/token").count(),
        1,
        "one token request in history, from the first session"
    );

    let status = portico(
        home.path(),
        &env,
        &["auth", "status", "--server", &account],
        "",
    );
    assert!(
        stdout(&status).contains("token kept in the keychain (59 min left)"),
        "{}",
        stdout(&status)
    );
    let reveal = [
        "auth",
        "token",
        "--scheme",
        "demo_oauth",
        "--server",
        &account,
        "--reveal",
    ];
    let token = stdout(&portico(home.path(), &env, &reveal, ""))
        .trim()
        .to_string();
    assert_eq!(token.len(), 40, "the kept token: {token}");
    assert!(
        !files_text(home.path()).contains(&token),
        "the token reached portico's files"
    );
    // curl and the code samples, which send nothing, carry the kept token.
    let curl = portico(
        home.path(),
        &env,
        &["curl", "--op", "Who am I", "--server", &account],
        "",
    );
    assert!(
        stdout(&curl).contains("Authorization: Bearer ••••••••"),
        "{}{}",
        stdout(&curl),
        stderr(&curl)
    );
    let snippet = [
        "snippet", "--lang", "python", "--op", "Who am I", "--server", &account, "--reveal",
    ];
    let python = portico(home.path(), &env, &snippet, "");
    assert!(
        stdout(&python).contains(&format!("Bearer {token}")),
        "{}{}",
        stdout(&python),
        stderr(&python)
    );

    // Forgotten, it is gone from the keychain: the next call gets another.
    let forget = portico(
        home.path(),
        &env,
        &["auth", "forget", "--server", &account],
        "",
    );
    assert!(
        stdout(&forget).contains("demo-account/demo_oauth: token deleted from the keychain"),
        "{}{}",
        stdout(&forget),
        stderr(&forget)
    );
    let status = portico(
        home.path(),
        &env,
        &["auth", "status", "--server", &account],
        "",
    );
    assert!(stdout(&status).contains("no token kept in the keychain"));
    let curl = portico(
        home.path(),
        &env,
        &["curl", "--op", "Who am I", "--server", &account],
        "",
    );
    assert!(
        !stdout(&curl).contains("Authorization"),
        "{}",
        stdout(&curl)
    );
    assert!(
        stderr(&curl).contains("no token kept for demo_oauth: the request carries none"),
        "{}",
        stderr(&curl)
    );
    let third = portico(home.path(), &env, &call, "");
    assert!(
        stderr(&third).contains("got an OAuth 2.0 token"),
        "{}",
        stderr(&third)
    );
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_variable_takes_its_value_from_a_keychain_entry() {
    let keychain = KeychainSession::start();
    let env = keychain.env();
    let server = demo::start(0, DemoConfig::default()).await.expect("demo");
    let account = account_server(&server);
    let home = tempfile::tempdir().expect("home");
    std::fs::write(
        home.path().join("environments.toml"),
        "[[environment]]\nname = \"demo\"\n[environment.variables]\n\
         demo_oauth_client_secret = { keychain = \"demo client secret\" }\n",
    )
    .expect("environments file");
    let call = ["call", "--op", "Who am I", "--server", &account];

    // No such entry yet: the error says how to store one.
    let out = portico(home.path(), &env, &call, "");
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains(
            "variable `demo_oauth_client_secret` of environment `demo`: the keychain entry \
             `demo client secret` of service `portico` gave no value: there is no such entry \
             (store one with `portico keychain set demo client secret`)"
        ),
        "{}",
        stderr(&out)
    );

    // A wrong secret stored: the authorization server refuses it, which
    // shows the entry's value is the one used.
    let set = ["keychain", "set", "demo client secret"];
    let stored = portico(home.path(), &env, &set, "not-the-secret\n");
    assert!(stored.status.success(), "{}", stderr(&stored));
    let out = portico(home.path(), &env, &call, "");
    assert!(!out.status.success(), "a wrong secret must fail");

    let stored = portico(
        home.path(),
        &env,
        &set,
        &format!("{}\n", demo::OAUTH_CLIENT_SECRET),
    );
    assert!(stored.status.success(), "{}", stderr(&stored));
    let out = portico(home.path(), &env, &call, "");
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("client_credentials"),
        "{}",
        stdout(&out)
    );
    assert!(
        !files_text(home.path()).contains(demo::OAUTH_CLIENT_SECRET),
        "the keychain's value reached a file"
    );

    let deleted = portico(
        home.path(),
        &env,
        &["keychain", "delete", "demo client secret"],
        "",
    );
    assert!(deleted.status.success(), "{}", stderr(&deleted));
    let again = portico(
        home.path(),
        &env,
        &["keychain", "delete", "demo client secret"],
        "",
    );
    assert!(stderr(&again).contains("the keychain has no entry `demo client secret`"));
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_a_keychain_service_portico_says_so_and_names_the_other_ways() {
    let server = demo::start(0, DemoConfig::default()).await.expect("demo");
    let account = account_server(&server);
    let home = tempfile::tempdir().expect("home");
    let none: Vec<(String, String)> = Vec::new();

    // Tokens still work, for the one command.
    let call = ["call", "--op", "Who am I", "--server", &account];
    let out = portico(home.path(), &none, &call, "");
    assert!(out.status.success(), "{}", stderr(&out));
    let status = portico(
        home.path(),
        &none,
        &["auth", "status", "--server", &account],
        "",
    );
    assert!(
        stdout(&status).contains("held for one command only: no keychain service is running here"),
        "{}",
        stdout(&status)
    );

    std::fs::write(
        home.path().join("environments.toml"),
        "[[environment]]\nname = \"demo\"\n[environment.variables]\n\
         demo_oauth_client_secret = { keychain = \"secret\" }\n",
    )
    .expect("environments file");
    let out = portico(home.path(), &none, &call, "");
    assert!(!out.status.success());
    let said = stderr(&out);
    assert!(
        said.contains("no keychain service is running here")
            && said
                .contains("give the variable a `command` or `prompt` source, or a value, instead"),
        "{said}"
    );

    let off = vec![("PORTICO_KEYCHAIN".to_string(), "off".to_string())];
    let out = portico(home.path(), &off, &["keychain", "set", "x"], "value\n");
    assert!(
        stderr(&out).contains("the keychain is switched off (PORTICO_KEYCHAIN=off)"),
        "{}",
        stderr(&out)
    );
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_variable_is_typed_once_at_a_prompt_on_the_terminal() {
    let server = demo::start(0, DemoConfig::default()).await.expect("demo");
    let account = account_server(&server);
    let home = tempfile::tempdir().expect("home");
    std::fs::write(
        home.path().join("environments.toml"),
        "[[environment]]\nname = \"demo\"\n[environment.variables]\n\
         demo_oauth_client_secret = { prompt = \"Demo client secret\" }\n",
    )
    .expect("environments file");
    let portico_bin = env!("CARGO_BIN_EXE_portico");
    let command = format!("{portico_bin} call --op 'Who am I' --server {account}");

    // `script` gives portico a real terminal; the secret is typed on it.
    let out = portico_on_a_terminal(
        home.path(),
        &command,
        &format!("{}\r", demo::OAUTH_CLIENT_SECRET),
    );
    let screen = String::from_utf8_lossy(&out.stdout);
    assert!(
        screen.contains("portico: Demo client secret: "),
        "the prompt: {screen}"
    );
    assert!(screen.contains("client_credentials"), "{screen}");
    assert!(
        !screen.contains(demo::OAUTH_CLIENT_SECRET),
        "the typing is not echoed: {screen}"
    );

    // Without a terminal the error says so and names the other ways.
    let out = portico(
        home.path(),
        &[],
        &["call", "--op", "Who am I", "--server", &account],
        "",
    );
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("the prompt gave no value: there is no terminal to ask on"),
        "{}",
        stderr(&out)
    );
    server.shutdown().await;
}

/// Runs `command` through `script`, which gives it a pseudo-terminal,
/// with `typed` as what the user types.
fn portico_on_a_terminal(home: &Path, command: &str, typed: &str) -> Output {
    let mut child = Command::new("script")
        .args(["-qec", command, "/dev/null"])
        .env("PORTICO_HOME", home)
        .env("PORTICO_KEYCHAIN", "off")
        .current_dir(home)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("script (util-linux) runs commands on a terminal");
    let mut input = child.stdin.take().expect("stdin");
    // Typed once the prompt is up: `script` passes it through the terminal.
    std::thread::sleep(std::time::Duration::from_millis(500));
    std::io::Write::write_all(&mut input, typed.as_bytes()).expect("type");
    let out = child.wait_with_output().expect("script ran");
    drop(input);
    out
}

//! Secrets never reach a file: one session uses known secrets in every
//! way the command line offers (a key sent, saved in a preset, exported as
//! curl and `.http`, a secret captured by a flow, an OAuth token and its
//! client secret, a secret from a password manager's command), another
//! uses them in the TUI on a real terminal (a client secret typed at a
//! prompt, a token fetched, revealed on screen, then a panic), then every
//! file under portico's home (config, data, state, logs) and the temporary
//! directory is searched for each value.

mod support;

use std::path::Path;

use portico::demo;
use support::terminal::Tty;
use tokio::process::Command;

/// Runs portico with its home and temporary directory in `root`.
async fn portico(root: &Path, args: &[&str]) -> std::process::Output {
    let out = Command::new(env!("CARGO_BIN_EXE_portico"))
        .args(args)
        .env("PORTICO_HOME", root.join("home"))
        .env("TMPDIR", root.join("tmp"))
        .current_dir(root.join("work"))
        .output()
        .await
        .expect("run portico");
    assert!(
        out.status.success(),
        "portico {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// Every file under `dir`, with its text (lossily).
fn files(dir: &Path) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.is_dir() {
            out.extend(files(&path));
        } else {
            let text =
                String::from_utf8_lossy(&std::fs::read(&path).unwrap_or_default()).into_owned();
            out.push((path.display().to_string(), text));
        }
    }
    out
}

#[tokio::test]
async fn no_secret_used_in_a_session_is_found_in_any_file() {
    let root = tempfile::tempdir().expect("root");
    for dir in ["home", "tmp", "work"] {
        std::fs::create_dir_all(root.path().join(dir)).expect("dir");
    }
    let from_command = "vault-held-key-5d1e9c";
    std::fs::write(
        root.path().join("home/environments.toml"),
        format!(
            "[[environment]]\nname = \"demo\"\n[environment.variables]\n\
             vault_key = {{ command = \"printf %s {} | tr A-Z a-z\" }}\n",
            // The file holds it in capitals: the value is only what the
            // command prints.
            from_command.to_uppercase()
        ),
    )
    .expect("environments file");
    let p = root.path();

    // A key sent (the demo's API key and subscription key), and the
    // password manager's value sent as an extra header.
    let rrs = [
        "call",
        "--op",
        "RRS Execute",
        "-H",
        "X-Vault: {{vault_key}}",
    ];
    let sent = portico(p, &[&rrs[..], &["--json", "--reveal"]].concat()).await;
    let sent: serde_json::Value = serde_json::from_slice(&sent.stdout).expect("json");
    let vault_value = sent["request"]["headers"]
        .as_array()
        .expect("headers")
        .iter()
        .find(|h| h[0] == "x-vault")
        .map(|h| h[1].as_str().unwrap_or_default().to_string())
        .expect("the header");
    assert_eq!(vault_value, from_command);

    // Saved as a preset, exported as curl and .http (into a file).
    portico(p, &[&rrs[..], &["--save-preset", "mine"]].concat()).await;
    let curl = portico(p, &["curl", "--op", "RRS Execute", "--preset", "mine"]).await;
    std::fs::write(p.join("work/rrs.curl"), &curl.stdout).expect("curl file");
    let http = portico(p, &["export", "http", "--preset", "mine"]).await;
    std::fs::write(p.join("work/rrs.http"), &http.stdout).expect("http file");

    // A flow that captures a secret (the result's SAS signature).
    let run = portico(p, &["run", "batch", "--json", "--reveal"]).await;
    let run: serde_json::Value = serde_json::from_slice(&run.stdout).expect("json");
    let sas = run["steps"]
        .as_array()
        .expect("steps")
        .iter()
        .find_map(|s| s["captured"]["sas_token"].as_str())
        .expect("sas_token captured")
        .to_string();

    // An OAuth token, printed for a script.
    let token = portico(p, &["auth", "token", "--scheme", "demo_oauth", "--reveal"]).await;
    let token = String::from_utf8_lossy(&token.stdout).trim().to_string();
    assert_eq!(token.len(), 40);
    portico(p, &["call", "--op", "Who am I"]).await;

    let secrets = [
        ("the API key", demo::API_KEY.to_string()),
        (
            "the subscription key",
            demo::PRIMARY_SUBSCRIPTION_KEY.to_string(),
        ),
        ("the value from a command", vault_value),
        ("the captured SAS signature", sas),
        ("the OAuth token", token),
        (
            "the OAuth client secret",
            demo::OAUTH_CLIENT_SECRET.to_string(),
        ),
    ];
    let mut everything = files(&p.join("home"));
    everything.extend(files(&p.join("tmp")));
    everything.extend(files(&p.join("work")));
    let names: Vec<&str> = everything.iter().map(|(n, _)| n.as_str()).collect();
    assert!(
        names.iter().any(|n| n.contains("history")) && names.iter().any(|n| n.contains("presets")),
        "history and presets were written: {names:?}"
    );
    for (what, value) in &secrets {
        for (file, text) in &everything {
            assert!(!text.contains(value.as_str()), "{what} is in {file}");
        }
    }
}

/// The 40 hexadecimal characters after `Bearer `, where the screen shows
/// a token revealed.
fn revealed_token(screen: &str) -> Option<String> {
    screen.match_indices("Bearer ").find_map(|(at, _)| {
        let token: String = screen[at + 7..].chars().take(40).collect();
        (token.len() == 40 && token.chars().all(|c| c.is_ascii_hexdigit())).then_some(token)
    })
}

#[test]
fn no_secret_shown_in_the_tui_or_left_by_a_panic_is_found_in_any_file() {
    let root = tempfile::tempdir().expect("root");
    for dir in ["home", "tmp", "work"] {
        std::fs::create_dir_all(root.path().join(dir)).expect("dir");
    }
    std::fs::write(
        root.path().join("home/environments.toml"),
        "[[environment]]\nname = \"demo\"\n[environment.variables]\n\
         demo_oauth_client_secret = { prompt = \"Client secret\" }\n",
    )
    .expect("environments file");
    let mut tui = Tty::start(&[], |command| {
        command
            .env("PORTICO_HOME", root.path().join("home"))
            .env("TMPDIR", root.path().join("tmp"))
            .env("PORTICO_KEYCHAIN", "off")
            .env("PORTICO_PANIC_ON_F12", "1")
            .current_dir(root.path().join("work"));
    });
    // The client secret, typed at the prompt over the first frame.
    tui.screen
        .wait_for("the prompt", |s| s.contains("Client secret").then_some(()));
    tui.press(demo::OAUTH_CLIENT_SECRET);
    tui.press("\r");
    // Who am I, sent: the token comes from the typed secret.
    tui.press("/who");
    tui.press("\r");
    tui.press("\r");
    tui.press("\x1b[15~");
    tui.screen.wait_for("the answer", |s| {
        s.contains("client_credentials").then_some(())
    });
    // Secrets revealed, the code sample shows the token itself.
    tui.press("R");
    tui.press("X");
    let token = tui.screen.wait_for("the revealed token", revealed_token);
    // And then a panic.
    tui.press("\x1b[24~");
    let status = tui
        .wait_exit(std::time::Duration::from_secs(20))
        .expect("the TUI ended");
    assert!(!status.success(), "the panic ends the TUI: {status}");
    let said = tui.screen.raw();
    let panic_at = said
        .find("a panic on purpose")
        .unwrap_or_else(|| panic!("the panic's message is on the terminal: {said:?}"));
    assert!(
        said[..panic_at].contains("\x1b[?1049l"),
        "the alternate screen is left before the panic's message"
    );

    let mut everything = files(&root.path().join("home"));
    everything.extend(files(&root.path().join("tmp")));
    everything.extend(files(&root.path().join("work")));
    let names: Vec<&str> = everything.iter().map(|(n, _)| n.as_str()).collect();
    assert!(
        names.iter().any(|n| n.contains("history")) && names.iter().any(|n| n.contains(".log")),
        "history and the log were written: {names:?}"
    );
    for (what, value) in [
        ("the OAuth token", token),
        (
            "the client secret typed at the prompt",
            demo::OAUTH_CLIENT_SECRET.to_string(),
        ),
    ] {
        for (file, text) in &everything {
            assert!(!text.contains(value.as_str()), "{what} is in {file}");
        }
    }
}

//! The binary on a real terminal while its definitions load: the screen
//! says what is loading at once, a quit key works before the load ends
//! (and leaves the terminal as it was), and the catalog replaces the
//! loading screen when it arrives.

mod support;

use std::io::{Read as _, Write as _};
use std::net::TcpListener;
use std::sync::mpsc;
use std::time::Duration;

use support::terminal::Tty;

const DEFINITION: &str = r#"{"openapi": "3.0.3",
 "info": {"title": "Slow to arrive", "version": "1"},
 "paths": {"/things": {"get": {"summary": "List the things", "responses": {"200": {"description": "ok"}}}}}}"#;

/// A server that holds its one answer, the definition, until `release`
/// is sent (or dropped). Returns the definition's URL.
fn held_definition() -> (String, mpsc::Sender<()>) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind loopback");
    let url = format!(
        "http://{}/openapi.json",
        listener.local_addr().expect("addr")
    );
    let (release, released) = mpsc::channel::<()>();
    std::thread::spawn(move || {
        let Ok((mut stream, _)) = listener.accept() else {
            return;
        };
        let mut head = [0u8; 4096];
        let _ = stream.read(&mut head);
        // Held until the test says so, or gives up (drops the sender).
        let _ = released.recv_timeout(Duration::from_secs(30));
        let _ = write!(
            stream,
            "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{DEFINITION}",
            DEFINITION.len()
        );
    });
    (url, release)
}

fn start(url: &str, home: &std::path::Path) -> Tty {
    Tty::start(&[url], |command| {
        command
            .env("PORTICO_HOME", home)
            .env("PORTICO_KEYCHAIN", "off")
            .current_dir(home);
    })
}

#[test]
fn q_quits_while_a_definition_is_still_loading() {
    let home = tempfile::tempdir().expect("home");
    let (url, _release) = held_definition();
    let mut tui = start(&url, home.path());
    tui.screen.wait_for_text("Loading http://127.0.0.1:");
    tui.screen.wait_for_text("Esc or q quits");
    tui.press("q");
    let status = tui
        .wait_exit(Duration::from_secs(5))
        .expect("q ends portico while the definition is still on its way");
    assert!(status.success(), "{status}");
    assert!(
        tui.screen.raw().contains("\x1b[?1049l"),
        "the alternate screen is left"
    );
}

#[test]
fn the_catalog_replaces_the_loading_screen_when_it_arrives() {
    let home = tempfile::tempdir().expect("home");
    let (url, release) = held_definition();
    let mut tui = start(&url, home.path());
    tui.screen.wait_for_text("Loading http://127.0.0.1:");
    release.send(()).expect("release the definition");
    tui.screen.wait_for_text("List the things");
    assert!(!tui.screen.text().contains("Esc or q quits"));
    tui.press("q");
    let status = tui
        .wait_exit(Duration::from_secs(10))
        .expect("q ends portico");
    assert!(status.success(), "{status}");
}

//! The real `portico` binary on a real terminal: `script` (util-linux)
//! gives it a pseudo-terminal of 160x45, keys go in as the bytes a
//! terminal sends, and what it draws is laid out by a terminal emulator
//! (`vt100`) to read as a person would.

use std::io::Write as _;
use std::process::{Child, ChildStdin, Command, ExitStatus, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

pub const COLUMNS: u16 = 160;
pub const ROWS: u16 = 45;

/// A running `portico` on a pseudo-terminal.
pub struct Tty {
    child: Child,
    keys: ChildStdin,
    pub screen: Screen,
}

impl Tty {
    /// Starts `portico ARGS` on a terminal; `configure` sets its
    /// environment and working directory (a test's own home, above all).
    pub fn start(args: &[&str], configure: impl FnOnce(&mut Command)) -> Self {
        let mut words = vec![env!("CARGO_BIN_EXE_portico").to_string()];
        words.extend(args.iter().map(|a| (*a).to_string()));
        let quoted: Vec<String> = words
            .iter()
            .map(|w| format!("'{}'", w.replace('\'', r"'\''")))
            .collect();
        // The terminal `script` makes has no size until told.
        let command = format!("stty cols {COLUMNS} rows {ROWS}; exec {}", quoted.join(" "));
        let mut script = Command::new("script");
        script
            .args(["-qec", &command, "/dev/null"])
            .env("TERM", "xterm-256color")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null());
        configure(&mut script);
        let mut child = script
            .spawn()
            .expect("script (util-linux) runs commands on a terminal");
        let screen = Screen::read_from(child.stdout.take().expect("stdout"));
        let keys = child.stdin.take().expect("stdin");
        Self {
            child,
            keys,
            screen,
        }
    }

    /// Sends the bytes of a key (or text), then gives the program a moment.
    pub fn press(&mut self, bytes: &str) {
        self.keys.write_all(bytes.as_bytes()).expect("keys");
        self.keys.flush().expect("keys");
        std::thread::sleep(Duration::from_millis(150));
    }

    /// Waits for the program to end, at most `limit`; `None` if it is
    /// still running then (it is killed).
    pub fn wait_exit(&mut self, limit: Duration) -> Option<ExitStatus> {
        let deadline = Instant::now() + limit;
        loop {
            if let Some(status) = self.child.try_wait().expect("wait") {
                return Some(status);
            }
            if Instant::now() >= deadline {
                let _ = self.child.kill();
                let _ = self.child.wait();
                return None;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Tty {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// What the program has drawn so far, read on a thread.
pub struct Screen {
    bytes: Arc<Mutex<Vec<u8>>>,
}

impl Screen {
    fn read_from(mut output: impl std::io::Read + Send + 'static) -> Self {
        let bytes = Arc::new(Mutex::new(Vec::new()));
        let sink = bytes.clone();
        std::thread::spawn(move || {
            let mut chunk = [0u8; 4096];
            while let Ok(n) = output.read(&mut chunk) {
                if n == 0 {
                    break;
                }
                sink.lock().expect("screen").extend_from_slice(&chunk[..n]);
            }
        });
        Self { bytes }
    }

    /// Everything written, as raw text (escape sequences and all).
    pub fn raw(&self) -> String {
        String::from_utf8_lossy(&self.bytes.lock().expect("screen")).into_owned()
    }

    /// The screen as a person sees it now.
    pub fn text(&self) -> String {
        let mut terminal = vt100::Parser::new(ROWS, COLUMNS, 0);
        terminal.process(&self.bytes.lock().expect("screen"));
        terminal.screen().contents()
    }

    /// Waits until `found` finds something on the screen; returns it.
    pub fn wait_for<T>(&self, what: &str, found: impl Fn(&str) -> Option<T>) -> T {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            if let Some(it) = found(&self.text()) {
                return it;
            }
            assert!(
                Instant::now() < deadline,
                "never saw {what} on the terminal:\n{}",
                self.text()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Waits until the screen shows `needle`.
    pub fn wait_for_text(&self, needle: &str) {
        self.wait_for(needle, |s| s.contains(needle).then_some(()));
    }
}

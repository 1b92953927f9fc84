//! Real HTTP servers nobody here wrote, run on loopback for the tests
//! that check portico against independent software: httpbin (gunicorn),
//! Prism's mock server and oauth2-mock-server.
//!
//! `.ci/servers` installs them, pinned, under `target/servers` (or
//! `$PORTICO_SERVERS`). A test whose server is not installed fails with a
//! message that says how to install it: it never passes without having
//! run.
//!
//! Each server runs under a small shell guard that holds a pipe from the
//! test process. When that pipe closes, the guard stops the server by its
//! PID: when the [`RealServer`] is dropped (a panicking test too), and
//! also when the test binary ends in any way, which is what stops a
//! server shared through a `static` (statics are never dropped).

use std::io::{Read as _, Write as _};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

/// Where `.ci/servers` installs the servers.
pub fn servers_dir() -> PathBuf {
    std::env::var_os("PORTICO_SERVERS")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("target/servers"))
}

/// The shell guard: runs the server with its stdin closed, and a watcher
/// that reads the test's pipe (fd 3) to its end, then signals the server.
/// The guard exits when the server does, so a server that dies early is
/// seen at once.
const GUARD: &str = r#"sig=$1; shift
exec 3<&0
"$@" </dev/null 3<&- &
pid=$!
{ cat >/dev/null; kill -s "$sig" "$pid" 2>/dev/null; } <&3 &
exec 3<&-
wait "$pid""#;

/// One running server; stopped when dropped.
pub struct RealServer {
    /// `http://127.0.0.1:PORT`.
    pub base: String,
    pub name: &'static str,
    guard: Child,
    pipe: Option<ChildStdin>,
    log: PathBuf,
    _dir: tempfile::TempDir,
}

impl RealServer {
    /// `{base}{path}`.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// What the server printed so far, for a failure message.
    pub fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }
}

impl Drop for RealServer {
    fn drop(&mut self) {
        // Closing the pipe makes the guard signal the server by its PID.
        drop(self.pipe.take());
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.guard.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = self.guard.kill();
        let _ = self.guard.wait();
    }
}

/// How to start one kind of server.
struct Recipe {
    name: &'static str,
    /// The installed program; its absence fails the test with `install`.
    program: PathBuf,
    install: &'static str,
    /// The arguments after the program, given the port.
    args: Box<dyn Fn(u16) -> Vec<String>>,
    /// The signal that stops it quickly.
    signal: &'static str,
    /// A path it answers (any status) once it is ready.
    probe: &'static str,
    ready_within: Duration,
}

/// A loopback port nothing listens on now.
fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free loopback port")
        .port()
}

/// Starts the server on a free port and waits until it answers; a port
/// taken between the choice and the bind is retried on another.
fn start(recipe: &Recipe) -> RealServer {
    assert!(
        recipe.program.exists(),
        "{} is not installed ({} is missing): run `bash .ci/servers` to install it under {} \
         (`bash .ci/run` does it too)",
        recipe.install,
        recipe.program.display(),
        servers_dir().display()
    );
    let mut last_log = String::new();
    for _ in 0..3 {
        match try_start(recipe) {
            Ok(server) => return server,
            Err(log) => last_log = log,
        }
    }
    panic!(
        "{} did not start on loopback; its output:\n{last_log}",
        recipe.name
    );
}

fn try_start(recipe: &Recipe) -> Result<RealServer, String> {
    let dir = tempfile::tempdir().expect("temp dir");
    let log = dir.path().join("server.log");
    let out = std::fs::File::create(&log).expect("server log");
    let port = free_port();
    let mut guard = Command::new("sh")
        .arg("-c")
        .arg(GUARD)
        .arg("portico-test-server")
        .arg(recipe.signal)
        .arg(&recipe.program)
        .args((recipe.args)(port))
        .stdin(Stdio::piped())
        .stdout(out.try_clone().expect("log handle"))
        .stderr(out)
        .spawn()
        .expect("run sh");
    let pipe = guard.stdin.take();
    let mut server = RealServer {
        base: format!("http://127.0.0.1:{port}"),
        name: recipe.name,
        guard,
        pipe,
        log,
        _dir: dir,
    };
    let deadline = Instant::now() + recipe.ready_within;
    loop {
        if answers(port, recipe.probe) {
            return Ok(server);
        }
        if let Ok(Some(status)) = server.guard.try_wait() {
            return Err(format!("(exited: {status})\n{}", server.log()));
        }
        if Instant::now() > deadline {
            let log = server.log();
            drop(server);
            return Err(format!(
                "(not answering after {:?})\n{log}",
                recipe.ready_within
            ));
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// The server answers an HTTP request on the port (whatever its status).
fn answers(port: u16, path: &str) -> bool {
    let Ok(mut stream) = TcpStream::connect(("127.0.0.1", port)) else {
        return false;
    };
    let _ = stream.set_read_timeout(Some(Duration::from_secs(2)));
    let request =
        format!("GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n");
    if stream.write_all(request.as_bytes()).is_err() {
        return false;
    }
    let mut head = [0u8; 12];
    stream.read_exact(&mut head).is_ok() && head.starts_with(b"HTTP/1.")
}

/// httpbin 0.10.4 under gunicorn, on its own port.
pub fn start_httpbin() -> RealServer {
    let venv = servers_dir().join("httpbin-venv");
    start(&Recipe {
        name: "httpbin",
        program: venv.join("bin/gunicorn"),
        install: "httpbin 0.10.4 (PyPI, with gunicorn and flasgger)",
        args: Box::new(|port| {
            [
                "-b",
                &format!("127.0.0.1:{port}"),
                "-w",
                "1",
                "--threads",
                "8",
                "-k",
                "gthread",
                "--no-control-socket",
                "httpbin:app",
            ]
            .map(String::from)
            .to_vec()
        }),
        // gunicorn's quick shutdown (TERM waits for its workers).
        signal: "INT",
        probe: "/get",
        ready_within: Duration::from_secs(30),
    })
}

/// One httpbin for the whole test binary (its tests run in parallel
/// threads); stopped when the binary ends.
pub fn httpbin() -> &'static RealServer {
    static SHARED: OnceLock<RealServer> = OnceLock::new();
    SHARED.get_or_init(start_httpbin)
}

/// Prism 5.16's mock server answering from `spec` (examples first).
pub fn start_prism(spec: &Path) -> RealServer {
    let program = servers_dir().join("prism/node_modules/.bin/prism");
    let spec = spec.to_string_lossy().into_owned();
    start(&Recipe {
        name: "prism",
        program,
        install: "Prism 5.16 (npm @stoplight/prism-cli@5.16.0)",
        args: Box::new(move |port| {
            [
                "mock",
                "-h",
                "127.0.0.1",
                "-p",
                &port.to_string(),
                spec.as_str(),
            ]
            .map(String::from)
            .to_vec()
        }),
        signal: "TERM",
        // Any path: an unknown one is a 404 once the definition is loaded.
        probe: "/",
        ready_within: Duration::from_secs(90),
    })
}

/// oauth2-mock-server 9.3 (npm): an OAuth 2.0 / OpenID Connect
/// authorization server with discovery.
pub fn start_oauth2_mock_server() -> RealServer {
    let program = servers_dir().join("oauth2-mock-server/node_modules/.bin/oauth2-mock-server");
    start(&Recipe {
        name: "oauth2-mock-server",
        program,
        install: "oauth2-mock-server 9.3.0 (npm)",
        args: Box::new(|port| {
            ["-a", "127.0.0.1", "-p", &port.to_string()]
                .map(String::from)
                .to_vec()
        }),
        signal: "TERM",
        probe: "/.well-known/openid-configuration",
        ready_within: Duration::from_secs(30),
    })
}

/// The body of `GET {path}` on a running server (HTTP/1.0, so the body
/// ends with the connection), for files a server serves about itself.
pub fn fetch(server: &RealServer, path: &str) -> Vec<u8> {
    let port = server
        .base
        .rsplit(':')
        .next()
        .and_then(|p| p.parse::<u16>().ok())
        .expect("a port in the base URL");
    let mut stream = TcpStream::connect(("127.0.0.1", port)).expect("connect");
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .expect("timeout");
    let request = format!("GET {path} HTTP/1.0\r\nHost: 127.0.0.1:{port}\r\n\r\n");
    stream.write_all(request.as_bytes()).expect("send");
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer).expect("read");
    let split = answer
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("a head");
    let head = String::from_utf8_lossy(&answer[..split]);
    assert!(
        head.starts_with("HTTP/1.0 200") || head.starts_with("HTTP/1.1 200"),
        "{} {path}: {head}",
        server.name
    );
    answer[split + 4..].to_vec()
}

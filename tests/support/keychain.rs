//! A real OS keychain for the tests: a private D-Bus session bus with
//! GNOME Keyring's Secret Service on it, unlocked, its files in a
//! temporary directory. Nothing reaches the keychain of the person
//! running the tests. `.ci/runtimes` installs `dbus-daemon` and
//! `gnome-keyring-daemon`; without them the test fails saying so.

use std::io::{BufRead as _, BufReader, Write as _};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The bus and the keyring daemon; both stopped when dropped.
pub struct KeychainSession {
    pub bus_address: String,
    pub dir: tempfile::TempDir,
    bus: Child,
    keyring: Child,
}

impl KeychainSession {
    pub fn start() -> Self {
        let dir = tempfile::tempdir().expect("keychain dir");
        let runtime = dir.path().join("run");
        std::fs::create_dir(&runtime).expect("runtime dir");
        let mut bus = Command::new("dbus-daemon")
            .args(["--session", "--nofork", "--nopidfile", "--print-address=1"])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("dbus-daemon is not installed: run `bash .ci/runtimes`");
        let mut bus_address = String::new();
        BufReader::new(bus.stdout.take().expect("bus stdout"))
            .read_line(&mut bus_address)
            .expect("the bus address");
        let bus_address = bus_address.trim().to_string();
        let mut keyring = Command::new("gnome-keyring-daemon")
            .args(["--foreground", "--unlock", "--components=secrets"])
            .envs(Self::env_in(dir.path(), &bus_address))
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("gnome-keyring-daemon is not installed: run `bash .ci/runtimes`");
        // The login keyring's password: it is created unlocked with it.
        let mut stdin = keyring.stdin.take().expect("keyring stdin");
        stdin.write_all(b"portico-tests").expect("unlock");
        drop(stdin);
        let session = Self {
            bus_address,
            dir,
            bus,
            keyring,
        };
        session.wait_until_ready();
        session
    }

    /// The environment a process needs to find this keychain (and only
    /// this one).
    pub fn env(&self) -> Vec<(String, String)> {
        Self::env_in(self.dir.path(), &self.bus_address)
    }

    fn env_in(dir: &Path, bus_address: &str) -> Vec<(String, String)> {
        vec![
            ("DBUS_SESSION_BUS_ADDRESS".into(), bus_address.into()),
            ("HOME".into(), dir.display().to_string()),
            (
                "XDG_RUNTIME_DIR".into(),
                dir.join("run").display().to_string(),
            ),
            (
                "XDG_DATA_HOME".into(),
                dir.join("data").display().to_string(),
            ),
        ]
    }

    /// Waits until the Secret Service answers on the bus. A call that
    /// comes before the daemon has made the unlocked login keyring from
    /// the password finds a locked one and fails for good: first the
    /// keyring's file, then a call.
    fn wait_until_ready(&self) {
        let deadline = Instant::now() + Duration::from_secs(15);
        let login = self.dir.path().join("data/keyrings/login.keyring");
        while !login.exists() {
            assert!(
                Instant::now() < deadline,
                "gnome-keyring-daemon made no login keyring"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
        loop {
            let out = Command::new(env!("CARGO_BIN_EXE_portico"))
                .args(["keychain", "delete", "readiness-probe"])
                .envs(self.env())
                .output()
                .expect("run portico");
            let stderr = String::from_utf8_lossy(&out.stderr);
            if stderr.contains("has no entry") {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "the Secret Service never came up: {stderr}"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

impl Drop for KeychainSession {
    fn drop(&mut self) {
        let _ = self.keyring.kill();
        let _ = self.keyring.wait();
        let _ = self.bus.kill();
        let _ = self.bus.wait();
    }
}

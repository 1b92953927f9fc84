//! The authorization code flow's redirect listener: a one-page HTTP server
//! on 127.0.0.1 on a free port, and the reading of the URL the browser
//! was sent back to (from the listener, or pasted by the user when the
//! browser runs on another machine); and opening the user's browser when
//! there is one.

use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

use super::OAuthError;

/// The path the authorization server redirects to.
const CALLBACK_PATH: &str = "/callback";
/// A browser that connects and says nothing is dropped after this.
const READ_TIMEOUT: Duration = Duration::from_secs(10);
const MAX_HEAD: usize = 16 * 1024;

/// Listens for the browser's redirect on loopback.
#[derive(Debug)]
pub struct RedirectListener {
    listener: TcpListener,
    redirect_uri: String,
}

impl RedirectListener {
    /// Binds 127.0.0.1 on a port the system picks.
    pub async fn bind() -> Result<Self, OAuthError> {
        let listener = TcpListener::bind(("127.0.0.1", 0))
            .await
            .map_err(|e| OAuthError::Listener(e.to_string()))?;
        let port = listener
            .local_addr()
            .map_err(|e| OAuthError::Listener(e.to_string()))?
            .port();
        Ok(Self {
            listener,
            redirect_uri: format!("http://127.0.0.1:{port}{CALLBACK_PATH}"),
        })
    }

    /// `http://127.0.0.1:PORT/callback`, the `redirect_uri` to send.
    pub fn redirect_uri(&self) -> &str {
        &self.redirect_uri
    }

    /// Waits for a request to the callback path and answers it with a
    /// page saying the browser can be closed; returns the full URL it was
    /// sent to. Other requests (a browser's `/favicon.ico`) get a 404.
    pub async fn next_redirect(&self) -> Result<String, OAuthError> {
        loop {
            let (mut stream, _) = self
                .listener
                .accept()
                .await
                .map_err(|e| OAuthError::Listener(e.to_string()))?;
            let Ok(Some(target)) = tokio::time::timeout(READ_TIMEOUT, read_target(&mut stream))
                .await
                .unwrap_or(Ok(None))
            else {
                continue;
            };
            let path = target.split('?').next().unwrap_or_default();
            if path != CALLBACK_PATH {
                let _ = stream
                    .write_all(
                        b"HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\nconnection: close\r\n\r\n",
                    )
                    .await;
                continue;
            }
            let page = "<!doctype html><title>portico</title><p>portico has the answer of the \
                        authorization server. You can close this tab.</p>";
            let answer = format!(
                "HTTP/1.1 200 OK\r\ncontent-type: text/html; charset=utf-8\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{page}",
                page.len()
            );
            let _ = stream.write_all(answer.as_bytes()).await;
            let _ = stream.shutdown().await;
            let base = self.redirect_uri.trim_end_matches(CALLBACK_PATH);
            return Ok(format!("{base}{target}"));
        }
    }
}

/// The request target of an HTTP/1 request head (`/callback?code=…`).
async fn read_target(stream: &mut tokio::net::TcpStream) -> std::io::Result<Option<String>> {
    let mut head = Vec::new();
    let mut chunk = [0u8; 2048];
    while !head.windows(4).any(|w| w == b"\r\n\r\n") && head.len() < MAX_HEAD {
        let n = stream.read(&mut chunk).await?;
        if n == 0 {
            break;
        }
        head.extend_from_slice(&chunk[..n]);
    }
    let line = head.split(|&b| b == b'\n').next().unwrap_or_default();
    let line = String::from_utf8_lossy(line);
    let mut parts = line.split_whitespace();
    Ok(match (parts.next(), parts.next()) {
        (Some("GET"), Some(target)) if target.starts_with('/') => Some(target.to_string()),
        _ => None,
    })
}

/// The code in the URL the browser was redirected to, once its `state`
/// is the one sent; the server's error when it sent one instead.
pub fn code_from_redirect(url: &str, state: &str) -> Result<String, OAuthError> {
    let parsed = url::Url::parse(url.trim()).map_err(|_| OAuthError::NoCode { url: url.into() })?;
    let get = |name: &str| {
        parsed
            .query_pairs()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.into_owned())
    };
    if let Some(error) = get("error") {
        return Err(if error == "access_denied" {
            OAuthError::Denied
        } else {
            OAuthError::Refused {
                error,
                description: get("error_description"),
            }
        });
    }
    let got = get("state").unwrap_or_default();
    if got != state {
        return Err(OAuthError::StateMismatch { got });
    }
    get("code").ok_or_else(|| OAuthError::NoCode { url: url.into() })
}

/// Opens `url` in the user's browser: `$BROWSER` when set, else the
/// desktop's opener (`open` on macOS, `start` on Windows, `xdg-open` under
/// X11 or Wayland). False when there is none (a server over SSH, a
/// container) or it could not start: the URL is shown either way.
pub fn open_browser(url: &str) -> bool {
    let (program, mut args): (String, Vec<String>) = match std::env::var("BROWSER") {
        Ok(browser) if !browser.trim().is_empty() => {
            // A list of commands, tried in order by convention: the first.
            let first = browser.split(':').next().unwrap_or_default().trim();
            match shell_words::split(first) {
                Ok(mut words) if !words.is_empty() => (words.remove(0), words),
                _ => return false,
            }
        }
        _ if cfg!(target_os = "macos") => ("open".into(), Vec::new()),
        _ if cfg!(windows) => (
            "cmd".into(),
            vec!["/C".into(), "start".into(), String::new()],
        ),
        _ if std::env::var_os("DISPLAY").is_some()
            || std::env::var_os("WAYLAND_DISPLAY").is_some() =>
        {
            ("xdg-open".into(), Vec::new())
        }
        _ => return false,
    };
    args.push(url.to_string());
    let child = std::process::Command::new(program)
        .args(args)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn();
    match child {
        Ok(mut child) => {
            // Reaped on a thread of its own: a browser may stay open.
            std::thread::spawn(move || child.wait());
            true
        }
        Err(_) => false,
    }
}

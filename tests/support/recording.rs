//! A table of requests that break naive quoting, and a loopback recorder
//! that reads each request as it arrives on the wire: shared by the curl
//! round trips (`tests/request.rs`) and the code samples run by their
//! languages (`tests/snippet.rs`). Included with `#[path]`, not through
//! `support`, so those binaries build without the rest of it.
// Each including binary uses a part of it.
#![allow(dead_code)]

use portico::request::BuiltRequest;

pub fn req(method: &str, url: &str, headers: &[(&str, &str)], body: Option<&[u8]>) -> BuiltRequest {
    BuiltRequest {
        method: method.into(),
        url: url.into(),
        headers: headers
            .iter()
            .map(|(n, v)| ((*n).to_string(), (*v).to_string()))
            .collect(),
        body: body.map(<[u8]>::to_vec),
        secret_values: Vec::new(),
        form: Vec::new(),
        body_file: None,
    }
}

/// Requests that break naive quoting. `{base}` is replaced by the server.
pub fn nasty_requests(base: &str) -> Vec<(&'static str, BuiltRequest)> {
    let u = |path: &str| format!("{base}{path}");
    vec![
        (
            "quote, dollar, backticks, backslash",
            req(
                "POST",
                &u("/echo"),
                &[
                    ("Content-Type", "application/json"),
                    ("Authorization", "Bearer tok'en$1"),
                ],
                Some(br#"{"msg":"it's $5 `now` !","path":"C:\\tmp"}"#),
            ),
        ),
        (
            "newlines, CRLF, tabs",
            req(
                "PUT",
                &u("/text"),
                &[("Content-Type", "text/plain")],
                Some(b"line1\nline2\r\n\tindented\n\n"),
            ),
        ),
        (
            "unicode everywhere",
            req(
                "POST",
                &u("/caf%C3%A9?q=%E2%98%95"),
                &[("X-Name", "café ☕"), ("Content-Type", "application/json")],
                Some("{\"emoji\":\"😀\",\"ar\":\"مرحبا\"}".as_bytes()),
            ),
        ),
        (
            "backslashes and quote sequences",
            req(
                "POST",
                &u("/bs"),
                &[("X-Path", r"C:\dir\"), ("Content-Type", "text/plain")],
                Some(br#"\\ \n \' '\'' \" ends with \"#),
            ),
        ),
        (
            "shell expansions stay literal",
            req(
                "PATCH",
                &u("/x"),
                &[
                    ("X-Cmd", "$(id) ${HOME} !! `id`"),
                    ("Content-Type", "text/plain"),
                ],
                Some(b"$(rm -rf /) ${HOME} $HOME `id` !$ !!"),
            ),
        ),
        (
            "GET with brackets and braces in the query",
            req(
                "GET",
                &u("/q?filter[a]={b}&x=%20"),
                &[("Accept", "application/json")],
                None,
            ),
        ),
        (
            "DELETE with a body",
            req(
                "DELETE",
                &u("/jobs/1"),
                &[("Content-Type", "application/json")],
                Some(b"{}"),
            ),
        ),
        (
            "body without content type",
            req("POST", &u("/raw"), &[], Some(b"a=1&b=2")),
        ),
        (
            "empty header value",
            req("GET", &u("/e"), &[("X-Empty", ""), ("X-After", "1")], None),
        ),
        (
            "binary body with NUL and invalid UTF-8",
            req(
                "POST",
                &u("/bin"),
                &[("Content-Type", "application/octet-stream")],
                Some(&[
                    0, 1, 2, 0xff, 0xfe, b'\'', b'\\', b'0', b'\n', 0x80, 0, b'%', b'b',
                ]),
            ),
        ),
        (
            "body that looks like a file or an option",
            req(
                "POST",
                &u("/at"),
                &[("Content-Type", "text/plain")],
                Some(b"@/etc/passwd"),
            ),
        ),
        (
            "body that is a single quote",
            req(
                "PUT",
                &u("/sq"),
                &[("Content-Type", "text/plain")],
                Some(b"'"),
            ),
        ),
        ("HEAD", req("HEAD", &u("/h"), &[], None)),
        (
            "GET with a body",
            req(
                "GET",
                &u("/gb"),
                &[("Content-Type", "text/plain")],
                Some(b"x"),
            ),
        ),
        (
            "POST without a body",
            req("POST", &u("/nb"), &[("X-A", "1"), ("X-A", "2")], None),
        ),
    ]
}

/// What a loopback server saw of one request.
#[derive(Debug)]
pub struct Seen {
    pub method: String,
    pub target: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

pub fn read_request(stream: &mut std::net::TcpStream) -> Option<Seen> {
    use std::io::{Read, Write};
    let mut buf = Vec::new();
    let mut chunk = [0u8; 8192];
    let head_end = loop {
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i;
        }
        let n = stream.read(&mut chunk).ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).into_owned();
    let mut lines = head.split("\r\n");
    let mut first = lines.next()?.split(' ');
    let (method, target) = (first.next()?.to_string(), first.next()?.to_string());
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.to_string(), v.trim().to_string()))
        .collect();
    let length: usize = headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case("content-length"))
        .and_then(|(_, v)| v.parse().ok())
        .unwrap_or(0);
    if headers
        .iter()
        .any(|(n, v)| n.eq_ignore_ascii_case("expect") && v.contains("100"))
    {
        stream.write_all(b"HTTP/1.1 100 Continue\r\n\r\n").ok()?;
    }
    let chunked = headers
        .iter()
        .any(|(n, v)| n.eq_ignore_ascii_case("transfer-encoding") && v.contains("chunked"));
    let mut body = buf[head_end + 4..].to_vec();
    if chunked {
        // Some clients stream a body: read chunks up to the last one.
        loop {
            if let Some(decoded) = dechunk(&body) {
                body = decoded;
                break;
            }
            let n = stream.read(&mut chunk).ok()?;
            if n == 0 {
                return None;
            }
            body.extend_from_slice(&chunk[..n]);
        }
    }
    while !chunked && body.len() < length {
        let n = stream.read(&mut chunk).ok()?;
        if n == 0 {
            break;
        }
        body.extend_from_slice(&chunk[..n]);
    }
    stream
        .write_all(b"HTTP/1.1 204 No Content\r\nConnection: close\r\n\r\n")
        .ok()?;
    Some(Seen {
        method,
        target,
        headers,
        body,
    })
}

/// A chunked body decoded, or `None` while its last chunk has not arrived.
fn dechunk(mut data: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    loop {
        let line_end = data.windows(2).position(|w| w == b"\r\n")?;
        let size_text = String::from_utf8_lossy(&data[..line_end]);
        let size_text = size_text.split(';').next().unwrap_or_default().trim();
        let size = usize::from_str_radix(size_text, 16).ok()?;
        data = &data[line_end + 2..];
        if size == 0 {
            return data.windows(2).any(|w| w == b"\r\n").then_some(out);
        }
        if data.len() < size + 2 {
            return None;
        }
        out.extend_from_slice(&data[..size]);
        data = &data[size + 2..];
    }
}

//! curl's options applied to the request they describe: the words after
//! `curl` become method, URL, headers and body (data, JSON, forms, files),
//! and the options that do not change the request are noted as ignored.

use base64::Engine as _;

use super::{CurlError, ParsedCurl, text};
use crate::request::{FormField, enc};

pub(super) struct Reader {
    pub(super) words: Vec<Vec<u8>>,
    pub(super) pos: usize,
}

impl Reader {
    pub(super) fn next_word(&mut self) -> Option<Vec<u8>> {
        let word = self.words.get(self.pos).cloned();
        self.pos += 1;
        word
    }

    pub(super) fn push_front(&mut self, word: Vec<u8>) {
        self.words.insert(self.pos, word);
    }

    fn value(&mut self, option: &str) -> Result<Vec<u8>, CurlError> {
        self.next_word().ok_or_else(|| CurlError::MissingValue {
            option: option.to_string(),
        })
    }
}

#[derive(Debug, Default)]
pub(super) struct State {
    parsed: ParsedCurl,
    url: Option<String>,
    method: Option<String>,
    data: Vec<Vec<u8>>,
    /// The file of a `--data-binary @FILE`, by its path.
    data_file: Option<String>,
    /// `-T FILE`: the file's path and bytes, the body of a PUT.
    upload: Option<(String, Vec<u8>)>,
    json: bool,
    get: bool,
    head: bool,
    user: Option<String>,
    form: Vec<FormPart>,
    url_query: Vec<String>,
    extra_headers: Vec<(String, String)>,
    /// Headers removed with `-H 'Name:'`.
    removed: Vec<String>,
}

/// The URL a `-T FILE` goes to: with the file's name after a path that
/// ends in `/` (or has none), as curl names the upload.
fn upload_url(url: &str, path: &str) -> String {
    let Ok(mut parsed) = url::Url::parse(url) else {
        return url.to_string();
    };
    let Some(name) = std::path::Path::new(path).file_name() else {
        return url.to_string();
    };
    if parsed.path().ends_with('/') {
        let joined = format!(
            "{}{}",
            parsed.path(),
            crate::request::enc(&name.to_string_lossy())
        );
        parsed.set_path(&joined);
    }
    parsed.to_string()
}

#[derive(Debug)]
struct FormPart {
    name: String,
    value: Vec<u8>,
    /// `@path`: a file upload, by the path as given.
    path: Option<String>,
    filename: Option<String>,
    content_type: Option<String>,
}

impl State {
    pub(super) fn url(&mut self, url: String) -> Result<(), CurlError> {
        match &self.url {
            Some(first) => Err(CurlError::SeveralUrls {
                first: first.clone(),
                second: url,
            }),
            None => {
                self.url = Some(url);
                Ok(())
            }
        }
    }

    fn add_header(&mut self, raw: &str) -> Result<(), CurlError> {
        if let Some(name) = raw.strip_suffix(';')
            && !name.contains(':')
        {
            self.parsed
                .headers
                .push((name.trim().to_string(), String::new()));
            return Ok(());
        }
        let Some((name, value)) = raw.split_once(':') else {
            return Err(CurlError::BadHeader {
                header: raw.to_string(),
            });
        };
        let name = name.trim().to_string();
        let value = value.trim_matches([' ', '\t', '\r', '\n']).to_string();
        if value.is_empty() {
            self.parsed
                .headers
                .retain(|(n, _)| !n.eq_ignore_ascii_case(&name));
            self.removed.push(name);
        } else {
            self.parsed.headers.push((name, value));
        }
        Ok(())
    }

    fn has_header(&self, name: &str) -> bool {
        self.parsed
            .headers
            .iter()
            .chain(&self.extra_headers)
            .any(|(n, _)| n.eq_ignore_ascii_case(name))
            || self.removed.iter().any(|n| n.eq_ignore_ascii_case(name))
    }

    pub(super) fn finish(mut self) -> Result<ParsedCurl, CurlError> {
        let mut url = self.url.take().ok_or(CurlError::MissingUrl)?;
        if !url.contains("://") {
            // curl's own default.
            url = format!("http://{url}");
        }
        let mut query: Vec<String> = std::mem::take(&mut self.url_query);
        let data = if self.data.is_empty() {
            None
        } else {
            let sep: &[u8] = if self.json { b"" } else { b"&" };
            Some(self.data.join(sep))
        };
        let mut body = None;
        match data {
            Some(d) if self.get => query.push(text(&d)),
            Some(_) if self.upload.is_some() => {
                // curl refuses the two bodies together too.
                return Err(CurlError::Unsupported {
                    option: "--upload-file".into(),
                    why: "-d data beside it (without -G)".into(),
                });
            }
            Some(d) => body = Some(d),
            None => {}
        }
        // One file and nothing else: the draft sends the file.
        if self.data.len() == 1 && body.is_some() && self.form.is_empty() {
            self.parsed.body_file = self.data_file.take();
        }
        let upload = self.upload.take();
        let uploaded = upload.is_some();
        if let Some((path, bytes)) = upload {
            if !self.form.is_empty() {
                return Err(CurlError::Unsupported {
                    option: "--upload-file".into(),
                    why: "-F fields beside it".into(),
                });
            }
            url = upload_url(&url, &path);
            body = Some(bytes);
            self.parsed.body_file = Some(path);
            self.method.get_or_insert_with(|| "PUT".into());
        }
        if !query.is_empty() {
            let (base, fragment) = match url.split_once('#') {
                Some((b, f)) => (b.to_string(), Some(f.to_string())),
                None => (url.clone(), None),
            };
            let sep = if base.contains('?') { '&' } else { '?' };
            url = format!("{base}{sep}{}", query.join("&"));
            if let Some(f) = fragment {
                url.push('#');
                url.push_str(&f);
            }
        }
        if let Err(e) = url::Url::parse(&url) {
            return Err(CurlError::InvalidUrl {
                url,
                message: e.to_string(),
            });
        }
        if let Some(user) = self.user.take()
            && !self.has_header("authorization")
        {
            let encoded = base64::engine::general_purpose::STANDARD.encode(user.as_bytes());
            self.extra_headers
                .push(("Authorization".into(), format!("Basic {encoded}")));
        }
        if !self.form.is_empty() {
            let (content_type, bytes) = multipart(&self.form);
            self.parsed.form = self
                .form
                .iter()
                .map(|part| FormField {
                    name: part.name.clone(),
                    value: match &part.path {
                        Some(path) => path.clone(),
                        None => text(&part.value),
                    },
                    file: part.path.is_some(),
                    enabled: true,
                })
                .collect();
            if !self.has_header("content-type") {
                self.extra_headers
                    .push(("Content-Type".into(), content_type));
            }
            body = Some(bytes);
        } else if body.is_some() && !uploaded && !self.has_header("content-type") {
            let ct = if self.json {
                "application/json"
            } else {
                "application/x-www-form-urlencoded"
            };
            self.extra_headers.push(("Content-Type".into(), ct.into()));
        }
        if self.json && !self.has_header("accept") {
            self.extra_headers
                .push(("Accept".into(), "application/json".into()));
        }
        let method = match self.method.take() {
            Some(m) => m,
            None if self.head => "HEAD".into(),
            None if body.is_some() => "POST".into(),
            None => "GET".into(),
        };
        let mut parsed = self.parsed;
        parsed.headers.extend(self.extra_headers);
        parsed.method = method;
        parsed.url = url;
        parsed.body = body;
        Ok(parsed)
    }
}

fn multipart(parts: &[FormPart]) -> (String, Vec<u8>) {
    // Deterministic, so an import gives the same bytes twice; lengthened
    // until no part contains it.
    let mut boundary = String::from("------------------------portico");
    while parts.iter().any(|p| {
        p.value
            .windows(boundary.len())
            .any(|w| w == boundary.as_bytes())
    }) {
        boundary.push('x');
    }
    let mut body = Vec::new();
    for part in parts {
        body.extend_from_slice(format!("--{boundary}\r\n").as_bytes());
        let mut disposition = format!("Content-Disposition: form-data; name=\"{}\"", part.name);
        if let Some(f) = &part.filename {
            disposition.push_str(&format!("; filename=\"{f}\""));
        }
        body.extend_from_slice(disposition.as_bytes());
        body.extend_from_slice(b"\r\n");
        if let Some(ct) = &part.content_type {
            body.extend_from_slice(format!("Content-Type: {ct}\r\n").as_bytes());
        }
        body.extend_from_slice(b"\r\n");
        body.extend_from_slice(&part.value);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

pub(super) fn short_to_long(c: char) -> Option<&'static str> {
    Some(match c {
        'X' => "--request",
        'H' => "--header",
        'd' => "--data",
        'F' => "--form",
        'u' => "--user",
        'A' => "--user-agent",
        'e' => "--referer",
        'b' => "--cookie",
        'G' => "--get",
        'I' => "--head",
        'k' => "--insecure",
        'g' => "--globoff",
        'L' => "--location",
        's' => "--silent",
        'S' => "--show-error",
        'v' => "--verbose",
        'i' => "--include",
        'f' => "--fail",
        'N' => "--no-buffer",
        'o' => "--output",
        'O' => "--remote-name",
        'J' => "--remote-header-name",
        'R' => "--remote-time",
        'm' => "--max-time",
        'w' => "--write-out",
        'x' => "--proxy",
        'U' => "--proxy-user",
        'E' => "--cert",
        'c' => "--cookie-jar",
        'D' => "--dump-header",
        'r' => "--range",
        'T' => "--upload-file",
        'K' => "--config",
        'z' => "--time-cond",
        'Y' => "--speed-limit",
        'y' => "--speed-time",
        'Z' => "--parallel",
        'j' => "--junk-session-cookies",
        'n' => "--netrc",
        'p' => "--proxytunnel",
        'q' => "--disable",
        '#' => "--progress-bar",
        '0' => "--http1.0",
        '1' => "--tlsv1",
        '2' => "--sslv2",
        '3' => "--sslv3",
        '4' => "--ipv4",
        '6' => "--ipv6",
        _ => return None,
    })
}

/// Options with a value that do not change the request itself.
const IGNORED_WITH_VALUE: &[&str] = &[
    "--output",
    "--max-time",
    "--connect-timeout",
    "--retry",
    "--retry-delay",
    "--retry-max-time",
    "--write-out",
    "--proxy",
    "--proxy-user",
    "--cacert",
    "--capath",
    "--cert",
    "--key",
    "--cert-type",
    "--key-type",
    "--pass",
    "--cookie-jar",
    "--dump-header",
    "--resolve",
    "--connect-to",
    "--limit-rate",
    "--max-redirs",
    "--interface",
    "--dns-servers",
    "--trace",
    "--trace-ascii",
    "--stderr",
    "--expect100-timeout",
    "--tls-max",
    "--ciphers",
    "--pinnedpubkey",
    "--noproxy",
    "--local-port",
    "--keepalive-time",
    "--max-filesize",
    "--unix-socket",
    "--abstract-unix-socket",
    "--speed-limit",
    "--speed-time",
    "--happy-eyeballs-timeout-ms",
    "--doh-url",
    "--proto",
    "--proto-redir",
    "--proto-default",
    "--hsts",
    "--alt-svc",
    "--etag-save",
    "--etag-compare",
    "--create-file-mode",
    "--output-dir",
    "--time-cond",
    "--ssl-sessions",
    "--ip-tos",
    "--curves",
];

/// Switches that do not change the request itself.
const IGNORED_SWITCHES: &[&str] = &[
    "--silent",
    "--show-error",
    "--verbose",
    "--include",
    "--location",
    "--location-trusted",
    "--fail",
    "--fail-with-body",
    "--fail-early",
    "--no-buffer",
    "--http1.0",
    "--http1.1",
    "--http2",
    "--http2-prior-knowledge",
    "--http3",
    "--http3-only",
    "--ipv4",
    "--ipv6",
    "--tlsv1",
    "--tlsv1.0",
    "--tlsv1.1",
    "--tlsv1.2",
    "--tlsv1.3",
    "--sslv2",
    "--sslv3",
    "--raw",
    "--progress-bar",
    "--disable",
    "--remote-name",
    "--remote-name-all",
    "--remote-header-name",
    "--remote-time",
    "--parallel",
    "--path-as-is",
    "--tr-encoding",
    "--globoff",
    "--junk-session-cookies",
    "--tcp-nodelay",
    "--tcp-fastopen",
    "--ssl",
    "--ssl-reqd",
    "--netrc",
    "--netrc-optional",
    "--anyauth",
    "--basic",
    "--styled-output",
    "--create-dirs",
    "--suppress-connect-headers",
    "--proxy-insecure",
    "--retry-all-errors",
    "--retry-connrefused",
    "--xattr",
    "--cert-status",
    "--doh-insecure",
    "--ssl-no-revoke",
    "--ssl-revoke-best-effort",
    "--ssl-allow-beast",
    "--proxytunnel",
    "--post301",
    "--post302",
    "--post303",
    "--ignore-content-length",
    "--disallow-username-in-url",
];

pub(super) fn takes_value(long: &str) -> bool {
    matches!(
        long,
        "--request"
            | "--header"
            | "--data"
            | "--data-ascii"
            | "--data-binary"
            | "--data-raw"
            | "--data-urlencode"
            | "--json"
            | "--form"
            | "--form-string"
            | "--user"
            | "--user-agent"
            | "--referer"
            | "--cookie"
            | "--url"
            | "--url-query"
            | "--range"
            | "--oauth2-bearer"
            | "--upload-file"
            | "--config"
    ) || IGNORED_WITH_VALUE.contains(&long)
}

pub(super) fn apply_option(
    option: &str,
    reader: &mut Reader,
    state: &mut State,
    read_file: &dyn Fn(&str) -> std::io::Result<Vec<u8>>,
    stdin: Option<&[u8]>,
) -> Result<(), CurlError> {
    let load = |path: &str, option: &str| -> Result<Vec<u8>, CurlError> {
        if path == "-" {
            return stdin
                .map(<[u8]>::to_vec)
                .ok_or_else(|| CurlError::Unsupported {
                    option: option.to_string(),
                    why: "it reads standard input".into(),
                });
        }
        read_file(path).map_err(|e| CurlError::ReadFile {
            path: path.to_string(),
            option: option.to_string(),
            message: e.to_string(),
        })
    };
    match option {
        "--request" => state.method = Some(text(&reader.value(option)?)),
        "--header" => {
            let value = text(&reader.value(option)?);
            if value.starts_with('@') {
                return Err(CurlError::Unsupported {
                    option: option.into(),
                    why: "headers from a file".into(),
                });
            }
            state.add_header(&value)?;
        }
        "--data" | "--data-ascii" | "--data-binary" | "--json" => {
            let value = reader.value(option)?;
            let data = match value.strip_prefix(b"@") {
                Some(path) => {
                    // Bytes as they are: the file itself is the body.
                    if option == "--data-binary" && path != b"-" {
                        state.data_file = Some(text(path));
                    }
                    let mut data = load(&text(path), option)?;
                    // Only `-d @file` loses the file's line breaks.
                    if matches!(option, "--data" | "--data-ascii") {
                        data.retain(|b| *b != b'\r' && *b != b'\n');
                    }
                    data
                }
                None => value,
            };
            if option == "--json" {
                state.json = true;
            }
            state.data.push(data);
        }
        "--data-raw" => {
            let value = reader.value(option)?;
            state.data.push(value);
        }
        "--data-urlencode" => {
            let value = text(&reader.value(option)?);
            state
                .data
                .push(urlencode_arg(&value, option, &load)?.into_bytes());
        }
        "--url-query" => {
            let value = text(&reader.value(option)?);
            match value.strip_prefix('+') {
                Some(raw) => state.url_query.push(raw.to_string()),
                None => state.url_query.push(urlencode_arg(&value, option, &load)?),
            }
        }
        "--form" | "--form-string" => {
            let value = text(&reader.value(option)?);
            let part = form_part(&value, option == "--form-string", option, &load)?;
            state.form.push(part);
        }
        "--user" => state.user = Some(text(&reader.value(option)?)),
        "--oauth2-bearer" => {
            let token = text(&reader.value(option)?);
            state
                .extra_headers
                .push(("Authorization".into(), format!("Bearer {token}")));
        }
        "--user-agent" => {
            let value = text(&reader.value(option)?);
            state.extra_headers.push(("User-Agent".into(), value));
        }
        "--referer" => {
            let value = text(&reader.value(option)?);
            let value = value.trim_end_matches(";auto").to_string();
            state.extra_headers.push(("Referer".into(), value));
        }
        "--cookie" => {
            let value = text(&reader.value(option)?);
            if !value.contains('=') {
                return Err(CurlError::Unsupported {
                    option: option.into(),
                    why: format!("`{value}` is a cookie file; give the cookies as `name=value`"),
                });
            }
            state.extra_headers.push(("Cookie".into(), value));
        }
        "--range" => {
            let value = text(&reader.value(option)?);
            state
                .extra_headers
                .push(("Range".into(), format!("bytes={value}")));
        }
        "--url" => {
            let value = text(&reader.value(option)?);
            state.url(value)?;
        }
        "--get" => state.get = true,
        "--head" => state.head = true,
        "--compressed" => state.parsed.compressed = true,
        "--insecure" => state.parsed.insecure = true,
        "--upload-file" => {
            let path = text(&reader.value(option)?);
            if path == "-" || path == "." {
                return Err(CurlError::Unsupported {
                    option: option.into(),
                    why: "the body comes from standard input".into(),
                });
            }
            if state.upload.is_some() {
                return Err(CurlError::Unsupported {
                    option: option.into(),
                    why: "more than one file to upload".into(),
                });
            }
            let data = load(&path, option)?;
            state.upload = Some((path, data));
        }
        "--config" => {
            return Err(CurlError::Unsupported {
                option: option.into(),
                why: "it reads the request from a file".into(),
            });
        }
        other if IGNORED_WITH_VALUE.contains(&other) => {
            let value = text(&reader.value(other)?);
            state.parsed.ignored.push(format!("{other} {value}"));
        }
        other if IGNORED_SWITCHES.contains(&other) || other.starts_with("--no-") => {
            state.parsed.ignored.push(other.to_string());
        }
        other => {
            return Err(CurlError::UnknownOption {
                option: other.to_string(),
            });
        }
    }
    Ok(())
}

/// Reads `@file` arguments: (path, option) -> bytes.
type Loader<'a> = dyn Fn(&str, &str) -> Result<Vec<u8>, CurlError> + 'a;

/// `--data-urlencode` forms: `content`, `=content`, `name=content`,
/// `@file`, `name@file`.
fn urlencode_arg(value: &str, option: &str, load: &Loader<'_>) -> Result<String, CurlError> {
    let at = value.find('@');
    let eq = value.find('=');
    Ok(match (eq, at) {
        (Some(e), Some(a)) if a < e => {
            let (name, path) = (&value[..a], &value[a + 1..]);
            let content = text(&load(path, option)?);
            format_pair(name, &content)
        }
        (Some(e), _) => format_pair(&value[..e], &value[e + 1..]),
        (None, Some(a)) => {
            let (name, path) = (&value[..a], &value[a + 1..]);
            let content = text(&load(path, option)?);
            format_pair(name, &content)
        }
        (None, None) => enc(value),
    })
}

fn format_pair(name: &str, content: &str) -> String {
    if name.is_empty() {
        enc(content)
    } else {
        format!("{name}={}", enc(content))
    }
}

fn form_part(
    value: &str,
    literal: bool,
    option: &str,
    load: &Loader<'_>,
) -> Result<FormPart, CurlError> {
    let (name, rest) = value
        .split_once('=')
        .ok_or_else(|| CurlError::Unsupported {
            option: option.into(),
            why: format!("`{value}` is not `name=value`"),
        })?;
    let mut part = FormPart {
        name: name.to_string(),
        value: Vec::new(),
        path: None,
        filename: None,
        content_type: None,
    };
    if literal {
        part.value = rest.as_bytes().to_vec();
        return Ok(part);
    }
    // `;type=` and `;filename=` follow the value.
    let mut pieces = rest.split(';');
    let head = pieces.next().unwrap_or_default();
    for piece in pieces {
        if let Some(t) = piece.strip_prefix("type=") {
            part.content_type = Some(t.to_string());
        } else if let Some(f) = piece.strip_prefix("filename=") {
            part.filename = Some(f.trim_matches('"').to_string());
        }
    }
    if let Some(path) = head.strip_prefix('@') {
        part.value = load(path, option)?;
        part.path = Some(path.to_string());
        if part.filename.is_none() {
            part.filename = Some(path.rsplit(['/', '\\']).next().unwrap_or(path).to_string());
        }
        if part.content_type.is_none() {
            part.content_type = Some(guess_type(path).into());
        }
    } else if let Some(path) = head.strip_prefix('<') {
        part.value = load(path, option)?;
    } else {
        part.value = head.as_bytes().to_vec();
    }
    Ok(part)
}

/// curl's own guess for a file part's type, by extension.
fn guess_type(path: &str) -> &'static str {
    let ext = path
        .rsplit('.')
        .next()
        .unwrap_or_default()
        .to_ascii_lowercase();
    match ext.as_str() {
        "txt" => "text/plain",
        "html" | "htm" => "text/html",
        "json" => "application/json",
        "xml" => "application/xml",
        "csv" => "text/csv",
        "gif" => "image/gif",
        "jpg" | "jpeg" => "image/jpeg",
        "png" => "image/png",
        "svg" => "image/svg+xml",
        "pdf" => "application/pdf",
        _ => "application/octet-stream",
    }
}

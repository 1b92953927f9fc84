//! `.http` files, as VS Code's REST Client and the JetBrains HTTP Client
//! write them, read into [`ImportedRequest`]s and written back; and the
//! JetBrains `http-client.env.json` environments file.
//!
//! What is read:
//!
//! ```text
//! @host = http://localhost:8080          file variable (file-wide)
//! ### Create a user                      separator; its text names the request
//! # @name createUser                     request name (also `// @name`)
//! POST {{host}}/users?verbose=1 HTTP/1.1 request line (method optional: GET)
//!     &lang=en                           continuation of the query
//! Content-Type: application/json         headers, up to a blank line
//!
//! < ./user.json                          body (a `< file` line: the file's text;
//!                                        a file of bytes, or a binary content
//!                                        type, is sent from the file as is)
//! ```
//!
//! `{{variables}}` stay variables (portico's own syntax is the same);
//! REST Client's `{{$processEnv NAME}}` becomes `{{env:NAME}}` and
//! `{{$dotenv NAME}}` becomes `{{NAME}}`. Response handlers (`> {% %}`),
//! output redirects (`>> file`) and other dynamic variables have no
//! portico equivalent: they are reported as warnings, never silently lost.
//! A switched-off header or query parameter, which the format cannot say,
//! is written as a `# @portico-disabled` comment that other tools ignore
//! and portico reads back.

use std::path::Path;

use indexmap::IndexMap;
use thiserror::Error;

use super::imported::ImportedRequest;
use crate::request::{Row, is_binary_content_type, is_multipart, is_urlencoded};

mod env;
mod form;

pub use env::{environments_with_file_variables, parse_environments, read_environments};

/// The JetBrains environments file looked up beside a `.http` file.
pub const ENV_FILE: &str = "http-client.env.json";
/// Its private companion (secrets, kept out of version control).
pub const PRIVATE_ENV_FILE: &str = "http-client.private.env.json";

const METHODS: &[&str] = &[
    "GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "TRACE", "CONNECT",
];
const DISABLED_HEADER: &str = "@portico-disabled";
const DISABLED_QUERY: &str = "@portico-disabled-query";

/// A `.http` file read: its file variables, its requests, and what was
/// read but could not be kept.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HttpFile {
    /// `@name = value`, in file order (values may hold `{{variables}}`).
    pub variables: IndexMap<String, String>,
    pub requests: Vec<ImportedRequest>,
    /// `file:line: message`.
    pub warnings: Vec<String>,
}

#[derive(Debug, Error)]
pub enum HttpFileError {
    #[error("cannot read {path}: {message}")]
    Read { path: String, message: String },
    #[error("{file}:{line}: {message}")]
    Syntax {
        file: String,
        line: usize,
        message: String,
    },
    #[error("{file}:{line}: cannot read the body file {path}: {message}")]
    BodyFile {
        file: String,
        line: usize,
        path: String,
        message: String,
    },
    #[error("{file}: {message}")]
    EnvFile { file: String, message: String },
}

/// Reads a `.http` file; `< file` bodies are read relative to its folder.
pub fn read(path: &Path) -> Result<HttpFile, HttpFileError> {
    let text = std::fs::read_to_string(path).map_err(|e| HttpFileError::Read {
        path: path.display().to_string(),
        message: e.to_string(),
    })?;
    let dir = path.parent().unwrap_or_else(|| Path::new("."));
    parse(&text, &path.display().to_string(), dir)
}

/// Parses `.http` text; `file` names it in messages, `< file` bodies are
/// read relative to `base_dir`.
pub fn parse(text: &str, file: &str, base_dir: &Path) -> Result<HttpFile, HttpFileError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let lines: Vec<&str> = text
        .split('\n')
        .map(|l| l.strip_suffix('\r').unwrap_or(l))
        .collect();
    let mut out = HttpFile::default();
    let mut block_start = 0;
    let mut title: Option<String> = None;
    let mut blocks: Vec<(usize, usize, Option<String>)> = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        if let Some(rest) = line.strip_prefix("###") {
            blocks.push((block_start, i, title.take()));
            block_start = i + 1;
            let rest = rest.trim();
            title = (!rest.is_empty()).then(|| rest.to_string());
        }
    }
    blocks.push((block_start, lines.len(), title));
    let mut reader = Reader {
        file,
        base_dir,
        out: &mut out,
    };
    for (start, end, title) in blocks {
        reader.block(&lines, start, end, title)?;
    }
    Ok(out)
}

/// What the comment lines around one request say of it: its `@name`, and
/// the headers and query parameters written switched off.
#[derive(Default)]
struct Metadata {
    name: Option<String>,
    disabled_headers: Vec<Row>,
    disabled_query: Vec<Row>,
}

struct Reader<'a> {
    file: &'a str,
    base_dir: &'a Path,
    out: &'a mut HttpFile,
}

impl Reader<'_> {
    fn syntax(&self, line: usize, message: impl Into<String>) -> HttpFileError {
        HttpFileError::Syntax {
            file: self.file.to_string(),
            line: line + 1,
            message: message.into(),
        }
    }

    fn warn(&mut self, line: usize, message: impl std::fmt::Display) {
        let warning = format!("{}:{}: {message}", self.file, line + 1);
        self.out.warnings.push(warning);
    }

    /// One request between separators (lines `start..end`, 0-based).
    fn block(
        &mut self,
        lines: &[&str],
        start: usize,
        end: usize,
        title: Option<String>,
    ) -> Result<(), HttpFileError> {
        let mut meta = Metadata::default();
        let mut i = start;
        // Before the request line: variables, comments, metadata.
        let request_line = loop {
            if i >= end {
                return Ok(());
            }
            let line = lines[i].trim();
            if line.is_empty() {
                i += 1;
                continue;
            }
            if let Some(comment) = comment_text(line) {
                self.metadata(comment, i, &mut meta)?;
                i += 1;
                continue;
            }
            if let Some(definition) = line.strip_prefix('@') {
                let Some((var, value)) = definition.split_once('=') else {
                    return Err(self.syntax(i, format!("`{line}`: expected `@name = value`")));
                };
                let value = self.dynamic(value.trim(), i);
                self.out.variables.insert(var.trim().to_string(), value);
                i += 1;
                continue;
            }
            break i;
        };
        let (method, mut url) = self.request_line(lines[request_line].trim(), request_line)?;
        i = request_line + 1;
        while i < end {
            let cont = lines[i].trim();
            if cont.starts_with('?') || cont.starts_with('&') {
                url.push_str(cont);
                i += 1;
            } else {
                break;
            }
        }
        let mut headers: Vec<Row> = Vec::new();
        while i < end {
            let line = lines[i].trim();
            if line.is_empty() {
                i += 1;
                break;
            }
            if let Some(comment) = comment_text(line) {
                self.metadata(comment, i, &mut meta)?;
                i += 1;
                continue;
            }
            let Some((header, value)) = line.split_once(':') else {
                return Err(self.syntax(
                    i,
                    format!(
                        "`{line}` is not a header (`Name: value`); a body must follow a blank line"
                    ),
                ));
            };
            headers.push(Row {
                name: header.trim().to_string(),
                value: self.dynamic(value.trim(), i),
                enabled: true,
            });
            i += 1;
        }
        let content_type = headers
            .iter()
            .find(|h| h.name.eq_ignore_ascii_case("content-type"))
            .map(|h| h.value.clone())
            .unwrap_or_default();
        let mut form = Vec::new();
        let body_file = self.sole_body_file(lines, i, end, &content_type);
        let mut body = if body_file.is_some() {
            String::new()
        } else if is_multipart(&content_type) {
            // Its `< path` lines are uploads, not text to read in.
            let raw = self.body(lines, i, end, false)?;
            match form::multipart_fields(&raw, &content_type, self.base_dir) {
                Some(fields) => {
                    form = fields;
                    String::new()
                }
                None => self.body(lines, i, end, true)?,
            }
        } else {
            self.body(lines, i, end, true)?
        };
        if is_urlencoded(&content_type)
            && let Some(fields) = form::urlencoded_fields(&body)
        {
            form = fields;
            body.clear();
        }
        let url = self.absolute_url(&url, &mut headers);
        let url = self.dynamic(&url, request_line);
        headers.extend(meta.disabled_headers);
        let name = meta
            .name
            .or(title)
            .unwrap_or_else(|| format!("{method} {url}"));
        self.out.requests.push(ImportedRequest {
            name,
            method,
            url,
            headers,
            disabled_query: meta.disabled_query,
            body,
            form,
            body_file,
        });
        Ok(())
    }

    /// A body that is one `< path` line naming bytes rather than text (the
    /// content type is binary, or the file is not UTF-8): the file's path,
    /// sent as it is when the request is, never read in here.
    fn sole_body_file(
        &self,
        lines: &[&str],
        start: usize,
        end: usize,
        content_type: &str,
    ) -> Option<String> {
        let mut written = lines[start..end]
            .iter()
            .map(|l| l.trim())
            .filter(|l| !l.is_empty());
        let path = written.next()?.strip_prefix("< ")?.trim();
        if written.next().is_some() || path.is_empty() {
            return None;
        }
        let full = self.base_dir.join(path);
        let bytes_not_text = || {
            crate::catalog::read_file(&full, true).is_ok_and(|b| std::str::from_utf8(&b).is_err())
        };
        (is_binary_content_type(content_type) || bytes_not_text())
            .then(|| full.display().to_string())
    }

    fn metadata(
        &mut self,
        comment: &str,
        line: usize,
        meta: &mut Metadata,
    ) -> Result<(), HttpFileError> {
        let comment = comment.trim();
        if let Some(rest) = comment.strip_prefix("@name") {
            let rest = rest.trim_start_matches([' ', '\t', '=']).trim();
            if !rest.is_empty() {
                meta.name = Some(rest.to_string());
            }
        } else if let Some(rest) = comment.strip_prefix(DISABLED_QUERY) {
            let rest = rest.trim();
            let (n, v) = rest.split_once('=').unwrap_or((rest, ""));
            meta.disabled_query.push(Row {
                name: n.to_string(),
                value: v.to_string(),
                enabled: false,
            });
        } else if let Some(rest) = comment.strip_prefix(DISABLED_HEADER) {
            let rest = rest.trim();
            let Some((n, v)) = rest.split_once(':') else {
                return Err(self.syntax(line, format!("`{rest}`: expected `Name: value`")));
            };
            meta.disabled_headers.push(Row {
                name: n.trim().to_string(),
                value: v.trim().to_string(),
                enabled: false,
            });
        } else if let Some(tag) = comment.strip_prefix('@') {
            let tag = tag.split_whitespace().next().unwrap_or_default();
            if matches!(tag, "prompt" | "no-redirect" | "no-cookie-jar" | "no-log") {
                self.warn(
                    line,
                    format_args!("`@{tag}` is not supported and was left out"),
                );
            }
        }
        Ok(())
    }

    fn request_line(&self, line: &str, at: usize) -> Result<(String, String), HttpFileError> {
        let (first, rest) = line
            .split_once(char::is_whitespace)
            .map_or((line, ""), |(f, r)| (f, r.trim()));
        let is_method = !rest.is_empty()
            && (METHODS.contains(&first.to_ascii_uppercase().as_str())
                || first.chars().all(|c| c.is_ascii_uppercase()));
        let (method, mut url) = if is_method {
            (first.to_ascii_uppercase(), rest)
        } else {
            ("GET".to_string(), line)
        };
        if let Some((before, version)) = url.rsplit_once(char::is_whitespace)
            && version.to_ascii_uppercase().starts_with("HTTP/")
        {
            url = before.trim_end();
        }
        // Spaces may only appear inside `{{ }}` (`{{$randomInt 1 9}}`).
        let mut depth = 0usize;
        let mut chars = url.chars().peekable();
        let mut spaced = false;
        while let Some(c) = chars.next() {
            match c {
                '{' if chars.peek() == Some(&'{') => {
                    chars.next();
                    depth += 1;
                }
                '}' if chars.peek() == Some(&'}') && depth > 0 => {
                    chars.next();
                    depth -= 1;
                }
                c if c.is_whitespace() && depth == 0 => spaced = true,
                _ => {}
            }
        }
        if url.is_empty() || spaced {
            return Err(self.syntax(
                at,
                format!("`{line}` is not a request line (`METHOD URL [HTTP/1.1]`)"),
            ));
        }
        Ok((method, url.to_string()))
    }

    /// `GET /path` with a `Host:` header, as a full URL.
    fn absolute_url(&self, url: &str, headers: &mut Vec<Row>) -> String {
        if !url.starts_with('/') {
            return url.to_string();
        }
        match headers
            .iter()
            .position(|h| h.name.eq_ignore_ascii_case("host"))
        {
            Some(index) => {
                let host = headers.remove(index).value;
                if host.contains("://") {
                    format!("{host}{url}")
                } else {
                    format!("http://{host}{url}")
                }
            }
            None => url.to_string(),
        }
    }

    /// The body lines `start..end`: `< file` lines replaced by the file's
    /// text (with `read_files`), response handlers and redirects left out
    /// (with a warning), blank lines around it trimmed.
    fn body(
        &mut self,
        lines: &[&str],
        start: usize,
        end: usize,
        read_files: bool,
    ) -> Result<String, HttpFileError> {
        let mut kept: Vec<String> = Vec::new();
        let mut i = start;
        while i < end {
            let line = lines[i];
            let trimmed = line.trim_start();
            if trimmed.starts_with("> {%") {
                self.warn(i, "a response handler script is not imported");
                while i < end && !lines[i].contains("%}") {
                    i += 1;
                }
                i += 1;
                continue;
            }
            if trimmed.starts_with(">> ")
                || trimmed.starts_with(">>! ")
                || trimmed.starts_with("<> ")
                || (trimmed.starts_with("> ") && trimmed.trim_end().ends_with(".js"))
            {
                self.warn(i, format_args!("`{}` is not imported", trimmed.trim_end()));
                i += 1;
                continue;
            }
            let file_ref = trimmed
                .strip_prefix("<@ ")
                .or_else(|| trimmed.strip_prefix("< "))
                .map(str::trim)
                .filter(|p| read_files && !p.is_empty());
            if let Some(path) = file_ref {
                let full = self.base_dir.join(path);
                // Bounded, and never a device or FIFO that would not end.
                let bytes = crate::catalog::read_file(&full, true).map_err(|message| {
                    HttpFileError::BodyFile {
                        file: self.file.to_string(),
                        line: i + 1,
                        path: full.display().to_string(),
                        message,
                    }
                })?;
                let text = String::from_utf8(bytes).map_err(|e| HttpFileError::BodyFile {
                    file: self.file.to_string(),
                    line: i + 1,
                    path: full.display().to_string(),
                    message: format!(
                        "not UTF-8 text (byte {}); portico bodies are text",
                        e.utf8_error().valid_up_to()
                    ),
                })?;
                kept.push(
                    text.strip_suffix('\n')
                        .unwrap_or(&text)
                        .replace("\r\n", "\n"),
                );
            } else {
                kept.push(self.dynamic(line, i));
            }
            i += 1;
        }
        while kept.last().is_some_and(|l| l.trim().is_empty()) {
            kept.pop();
        }
        let first = kept.iter().position(|l| !l.trim().is_empty());
        Ok(first.map(|f| kept[f..].join("\n")).unwrap_or_default())
    }

    /// REST Client's dynamic variables: those portico has an equivalent
    /// for are rewritten, the others kept as typed with a warning.
    fn dynamic(&mut self, text: &str, line: usize) -> String {
        if !text.contains("{{$") {
            return text.to_string();
        }
        let mut out = String::with_capacity(text.len());
        let mut rest = text;
        while let Some(open) = rest.find("{{$") {
            out.push_str(&rest[..open]);
            let after = &rest[open + 3..];
            let Some(close) = after.find("}}") else {
                out.push_str(&rest[open..]);
                rest = "";
                break;
            };
            let inner = after[..close].trim();
            let mut words = inner.split_whitespace();
            let replaced = match (words.next(), words.next(), words.next()) {
                (Some("processEnv"), Some(name), None) => {
                    Some(format!("{{{{env:{}}}}}", name.trim_start_matches('%')))
                }
                (Some("dotenv"), Some(name), None) => {
                    Some(format!("{{{{{}}}}}", name.trim_start_matches('%')))
                }
                _ => None,
            };
            match replaced {
                Some(r) => out.push_str(&r),
                None => {
                    self.warn(
                        line,
                        format_args!(
                            "`{{{{${inner}}}}}` is a dynamic variable portico does not generate; define `${}` in an environment",
                            inner.split_whitespace().next().unwrap_or_default()
                        ),
                    );
                    out.push_str(&rest[open..open + 3 + close + 2]);
                }
            }
            rest = &after[close + 2..];
        }
        out.push_str(rest);
        out
    }
}

/// The text of a `#` or `//` comment line.
fn comment_text(line: &str) -> Option<&str> {
    line.strip_prefix('#').or_else(|| line.strip_prefix("//"))
}

/// Writes requests (and file variables) as one `.http` file that
/// [`parse`] reads back to the same requests. The second value lists what
/// other tools may read differently (a body line that looks like a
/// separator or a file reference).
pub fn write(file: &HttpFile) -> (String, Vec<String>) {
    let mut out = String::new();
    let mut warnings = Vec::new();
    for (name, value) in &file.variables {
        out.push_str(&format!("@{name} = {value}\n"));
    }
    for req in &file.requests {
        if !out.is_empty() {
            out.push('\n');
        }
        let name = one_line(&req.name);
        out.push_str(&format!("### {name}\n# @name {name}\n"));
        out.push_str(&format!("{} {}\n", req.method, req.url));
        let declared = req
            .headers
            .iter()
            .find(|h| h.enabled && h.name.eq_ignore_ascii_case("content-type"))
            .map(|h| h.value.as_str());
        let form =
            (!req.form.is_empty()).then(|| form::write(&req.form, declared, &name, &mut warnings));
        for h in &req.headers {
            if form.is_some() && h.enabled && h.name.eq_ignore_ascii_case("content-type") {
                continue;
            }
            if h.enabled {
                out.push_str(&format!("{}: {}\n", h.name, one_line(&h.value)));
            } else {
                out.push_str(&format!(
                    "# {DISABLED_HEADER} {}: {}\n",
                    h.name,
                    one_line(&h.value)
                ));
            }
        }
        for q in &req.disabled_query {
            out.push_str(&format!(
                "# {DISABLED_QUERY} {}={}\n",
                one_line(&q.name),
                one_line(&q.value)
            ));
        }
        if let Some((content_type, body)) = form {
            out.push_str(&format!("Content-Type: {content_type}\n\n{body}\n"));
        } else if let Some(path) = req.body_file.as_deref().filter(|p| !p.is_empty()) {
            out.push_str(&format!("\n< {}\n", one_line(path)));
        } else if !req.body.is_empty() {
            out.push('\n');
            for line in req.body.split('\n') {
                let t = line.trim_start();
                if t.starts_with("###")
                    || t.starts_with("< ")
                    || t.starts_with("<@ ")
                    || t.starts_with("> {%")
                    || t.starts_with(">> ")
                {
                    warnings.push(format!(
                        "`{name}`: the body line `{line}` will be read as .http syntax, not body"
                    ));
                }
            }
            out.push_str(&req.body);
            out.push('\n');
        }
    }
    (out, warnings)
}

fn one_line(text: &str) -> String {
    text.replace(['\r', '\n'], " ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_str(text: &str) -> HttpFile {
        parse(text, "t.http", Path::new(".")).expect("parses")
    }

    #[test]
    fn minimal_forms() {
        let f = parse_str("https://x.test/a\n\n###\n\nPOST https://x.test/b HTTP/1.1\n");
        assert_eq!(f.requests.len(), 2);
        assert_eq!(f.requests[0].method, "GET");
        assert_eq!(f.requests[0].url, "https://x.test/a");
        assert_eq!(f.requests[1].method, "POST");
        assert_eq!(f.requests[1].name, "POST https://x.test/b");
    }

    #[test]
    fn host_header_and_continuations() {
        let f = parse_str("GET /a\n  ?x=1\n  &y=2\nHost: h.test:8\nAccept: */*\n");
        let r = &f.requests[0];
        assert_eq!(r.url, "http://h.test:8/a?x=1&y=2");
        assert_eq!(r.headers.len(), 1);
    }

    #[test]
    fn errors_name_the_line() {
        let err = parse("GET http://x\nnot a header\n", "f.http", Path::new("."))
            .expect_err("bad header");
        assert_eq!(
            err.to_string(),
            "f.http:2: `not a header` is not a header (`Name: value`); a body must follow a blank line"
        );
        let err = parse("\n\nhello there world\n", "f.http", Path::new("."))
            .expect_err("bad request line");
        assert!(err.to_string().starts_with("f.http:3: "), "{err}");
        let err = parse(
            "POST http://x\n\n< ./missing.json\n",
            "f.http",
            Path::new("/nonexistent"),
        )
        .expect_err("missing file");
        assert!(
            err.to_string()
                .starts_with("f.http:3: cannot read the body file"),
            "{err}"
        );
    }

    #[test]
    fn dynamic_variables() {
        let f = parse_str("GET http://x/{{$processEnv HOME}}/{{$dotenv TOKEN}}\nX-Id: {{$guid}}\n");
        let r = &f.requests[0];
        assert_eq!(r.url, "http://x/{{env:HOME}}/{{TOKEN}}");
        assert_eq!(r.headers[0].value, "{{$guid}}");
        assert_eq!(f.warnings.len(), 1, "{:?}", f.warnings);
    }

    #[test]
    fn response_handlers_are_left_out_with_a_warning() {
        let f = parse_str(
            "POST http://x\n\n{\"a\": 1}\n\n> {%\n  client.global.set(\"t\", 1);\n%}\n>> out.json\n",
        );
        assert_eq!(f.requests[0].body, "{\"a\": 1}");
        assert_eq!(f.warnings.len(), 2, "{:?}", f.warnings);
    }
}

//! The catalog: API definitions in, one normalised [`Catalog`] out.
//!
//! Owner of loading (files and URLs, JSON and YAML), `$ref` resolution,
//! the OpenAPI 3.x / Swagger 2.0 / portal-file normalisers, body samples,
//! operation selectors and fuzzy search.
//!
//! ```text
//! source (path | URL) --read/fetch--> bytes --sniff--> portal TOML --> Apis + environments
//!                                                  \-> JSON | YAML --> Document (+ external $ref files)
//!                                                                        --normalise--> Api
//! ```
//!
//! Whole-source failures are [`LoadError`]s naming the file and, where the
//! parser knows them, line and column; a broken part of a definition is a
//! [`Warning`] and the rest loads.

mod document;
mod model;
mod openapi;
mod portal;
pub mod samples;
pub mod schema_tree;
pub mod search;
mod select;
pub mod watch;
mod yaml;

use std::collections::HashSet;
use std::path::Path;
use std::sync::Arc;

pub(crate) use document::{is_url, join_location};
pub use model::*;
pub use select::SelectError;

use document::{LazyRoot, normalise_path};
use serde_json::Value;
use thiserror::Error;

/// How many files one definition's `$ref`s may pull in.
const MAX_EXTERNAL: usize = 256;
/// How deeply portal files may include one another.
const MAX_INCLUDE_DEPTH: usize = 8;
/// The largest file or download read as a definition: several times the
/// largest public definitions, and a stop for `/dev/zero` or a server
/// that never ends its answer.
const MAX_SOURCE_BYTES: u64 = 128 * 1024 * 1024;

/// Why a whole source could not be loaded. Problems inside a definition
/// that spare the rest are [`Warning`]s on the catalog instead.
#[derive(Debug, Error)]
pub enum LoadError {
    /// The file or URL could not be read or fetched.
    #[error("{source_name}: {message}")]
    Unreadable {
        source_name: String,
        message: String,
    },
    /// The text is not valid JSON, YAML or TOML.
    #[error("{source_name}{}: {message}", position(*line, *column))]
    Syntax {
        source_name: String,
        /// 1-based, when the parser gives it.
        line: Option<usize>,
        /// 1-based, when the parser gives it.
        column: Option<usize>,
        message: String,
    },
    /// Valid syntax, but not an OpenAPI, Swagger or portal definition.
    #[error("{source_name}: {message}")]
    Invalid {
        source_name: String,
        message: String,
    },
}

fn position(line: Option<usize>, column: Option<usize>) -> String {
    match (line, column) {
        (Some(l), Some(c)) => format!(":{l}:{c}"),
        (Some(l), None) => format!(":{l}"),
        _ => String::new(),
    }
}

impl LoadError {
    /// The file or URL the error is about.
    pub fn source_name(&self) -> &str {
        match self {
            Self::Unreadable { source_name, .. }
            | Self::Syntax { source_name, .. }
            | Self::Invalid { source_name, .. } => source_name,
        }
    }

    fn unreadable(source: &str, message: impl Into<String>) -> Self {
        Self::Unreadable {
            source_name: source.to_string(),
            message: message.into(),
        }
    }

    fn invalid(source: &str, message: impl Into<String>) -> Self {
        Self::Invalid {
            source_name: source.to_string(),
            message: message.into(),
        }
    }

    fn json(source: &str, error: &serde_json::Error) -> Self {
        let message = error.to_string();
        // serde_json appends " at line L column C"; the position is shown apart.
        let message = message
            .rsplit_once(" at line ")
            .map_or(message.as_str(), |(m, _)| m)
            .to_string();
        Self::Syntax {
            source_name: source.to_string(),
            line: Some(error.line()).filter(|l| *l > 0),
            column: Some(error.column()).filter(|_| error.line() > 0),
            message: format!("invalid JSON: {message}"),
        }
    }

    fn yaml(source: &str, error: &yaml_serde::Error) -> Self {
        let location = error.location();
        let message = error.to_string();
        let message = message
            .rsplit_once(" at line ")
            .map_or(message.as_str(), |(m, _)| m)
            .to_string();
        Self::Syntax {
            source_name: source.to_string(),
            line: location.as_ref().map(yaml_serde::Location::line),
            column: location.as_ref().map(yaml_serde::Location::column),
            message: format!("invalid YAML: {message}"),
        }
    }
}

/// Loads every source (file path or http(s) URL) into one catalog.
/// API ids are made unique across sources.
///
/// A source that cannot be loaded costs only itself: its error (with
/// path, line and column) heads the catalog's warnings and the other
/// sources stay usable. When every source fails, the first error is the
/// result.
pub async fn load_sources(sources: &[String]) -> Result<Catalog, LoadError> {
    let mut fetcher = Fetcher::default();
    let mut catalog = Catalog::default();
    let mut failed = Vec::new();
    for source in sources {
        let part = match fetcher.fetch(source, false).await {
            Ok(bytes) => load_async(&mut fetcher, bytes, source, 0).await,
            Err(e) => Err(e),
        };
        match part {
            Ok(part) => merge(&mut catalog, part),
            Err(e) => failed.push(e),
        }
    }
    if failed.len() == sources.len() && !failed.is_empty() {
        return Err(failed.swap_remove(0));
    }
    let failures = failed.into_iter().map(|e| Warning {
        source: e.source_name().to_string(),
        pointer: None,
        message: format!("not loaded: {e}"),
    });
    catalog.warnings.splice(0..0, failures);
    Ok(catalog)
}

/// Loads one file (definition or portal file). `$ref`s and includes that
/// name URLs are left out with a warning: only [`load_sources`] fetches.
pub fn load_file(path: &Path) -> Result<Catalog, LoadError> {
    let location = path.to_string_lossy();
    let bytes = read_file(path, false).map_err(|e| LoadError::unreadable(&location, e))?;
    load_bytes(&bytes, &location)
}

/// Loads a definition or portal file already in memory. `location` (a path
/// or URL) names it in messages and anchors relative `$ref`s and includes.
pub fn load_bytes(bytes: &[u8], location: &str) -> Result<Catalog, LoadError> {
    load_sync(bytes.to_vec(), location, 0)
}

/// Loads a portal file's text; relative includes and `body_file`s are read
/// from the directory of `location`.
pub fn load_portal_str(text: &str, location: &str) -> Result<Catalog, LoadError> {
    load_portal_sync(text, location, 0)
}

fn load_sync(bytes: Vec<u8>, location: &str, depth: usize) -> Result<Catalog, LoadError> {
    let text = into_text(bytes, location)?;
    if portal::is_portal(location, &text) {
        return load_portal_sync(&text, location, depth);
    }
    let mut pending = Definition::parse(text, location)?;
    while let Some(next) = pending.next_external() {
        let fetched = if is_url(&next) {
            Err("a $ref over http(s) is fetched only when the definition itself is loaded from a URL".into())
        } else {
            read_file(Path::new(&next), true)
        };
        pending.add_external(next, fetched);
    }
    pending.finish()
}

fn load_portal_sync(text: &str, location: &str, depth: usize) -> Result<Catalog, LoadError> {
    let (mut catalog, includes) = portal::parse(text, location)?;
    for include in includes {
        if depth >= MAX_INCLUDE_DEPTH {
            catalog
                .warnings
                .push(include_too_deep(location, &include.location));
            continue;
        }
        let source = &include.location;
        let part = if is_url(source) {
            Err(LoadError::unreadable(
                source,
                "an include over http(s) is fetched only when loading through load_sources",
            ))
        } else {
            read_file(Path::new(source), true)
                .map_err(|e| LoadError::unreadable(source, e))
                .and_then(|bytes| load_sync(bytes, source, depth + 1))
        };
        include_part(&mut catalog, location, &include, part);
    }
    Ok(catalog)
}

async fn load_async(
    fetcher: &mut Fetcher,
    bytes: Vec<u8>,
    location: &str,
    depth: usize,
) -> Result<Catalog, LoadError> {
    let text = into_text(bytes, location)?;
    if portal::is_portal(location, &text) {
        let (mut catalog, includes) = portal::parse(&text, location)?;
        for include in includes {
            let source = &include.location;
            if depth >= MAX_INCLUDE_DEPTH {
                catalog.warnings.push(include_too_deep(location, source));
                continue;
            }
            let part = match fetcher.fetch(source, true).await {
                Ok(bytes) => Box::pin(load_async(fetcher, bytes, source, depth + 1)).await,
                Err(e) => Err(e),
            };
            include_part(&mut catalog, location, &include, part);
        }
        return Ok(catalog);
    }
    let mut pending = Definition::parse(text, location)?;
    while let Some(next) = pending.next_external() {
        let fetched = fetcher.fetch(&next, true).await.map_err(|e| match e {
            LoadError::Unreadable { message, .. } => message,
            other => other.to_string(),
        });
        pending.add_external(next, fetched);
    }
    pending.finish()
}

fn include_too_deep(location: &str, include: &str) -> Warning {
    Warning {
        source: location.to_string(),
        pointer: None,
        message: format!(
            "include {include} skipped: includes nest deeper than {MAX_INCLUDE_DEPTH}"
        ),
    }
}

/// A broken include costs a warning, not the portal.
fn include_part(
    catalog: &mut Catalog,
    location: &str,
    include: &portal::IncludeSource,
    part: Result<Catalog, LoadError>,
) {
    match part {
        Ok(mut part) => {
            for api in &mut part.apis {
                api.skip_tls_verify |= include.skip_tls_verify;
                // The include's header replaces one of the same name (a
                // nested include's, a portal API's): sent once.
                for (name, value) in &include.headers {
                    api.default_headers
                        .retain(|(n, _)| !n.eq_ignore_ascii_case(name));
                    api.default_headers.push((name.clone(), value.clone()));
                }
            }
            merge(catalog, part);
        }
        Err(e) => catalog.warnings.push(Warning {
            source: location.to_string(),
            pointer: None,
            message: format!("include not loaded: {e}"),
        }),
    }
}

/// Reads sources: files directly, URLs with one shared HTTP client.
#[derive(Default)]
struct Fetcher {
    client: Option<reqwest::Client>,
}

impl Fetcher {
    /// `named_by_a_file`: the location comes from a definition or portal
    /// file (a `$ref` or include), not from the user.
    async fn fetch(&mut self, location: &str, named_by_a_file: bool) -> Result<Vec<u8>, LoadError> {
        if !is_url(location) {
            let path = std::path::PathBuf::from(location);
            return tokio::task::spawn_blocking(move || read_file(&path, named_by_a_file))
                .await
                .map_err(|e| LoadError::unreadable(location, e.to_string()))?
                .map_err(|e| LoadError::unreadable(location, e));
        }
        let client = match &self.client {
            Some(client) => client.clone(),
            None => {
                let _ = rustls::crypto::ring::default_provider().install_default();
                let client = reqwest::Client::builder()
                    .timeout(std::time::Duration::from_secs(60))
                    .user_agent(concat!("portico/", env!("CARGO_PKG_VERSION")))
                    .build()
                    .map_err(|e| LoadError::unreadable(location, e.to_string()))?;
                self.client = Some(client.clone());
                client
            }
        };
        let response = client
            .get(location)
            .send()
            .await
            .map_err(|e| LoadError::unreadable(location, error_chain(&e)))?;
        let status = response.status();
        if !status.is_success() {
            return Err(LoadError::unreadable(location, format!("HTTP {status}")));
        }
        let mut response = response;
        let mut bytes = Vec::new();
        while let Some(chunk) = response
            .chunk()
            .await
            .map_err(|e| LoadError::unreadable(location, error_chain(&e)))?
        {
            if (bytes.len() + chunk.len()) as u64 > MAX_SOURCE_BYTES {
                return Err(LoadError::unreadable(location, too_large()));
            }
            bytes.extend_from_slice(&chunk);
        }
        Ok(bytes)
    }
}

fn too_large() -> String {
    format!(
        "larger than {} MiB; not read",
        MAX_SOURCE_BYTES / 1024 / 1024
    )
}

/// Reads a file of at most [`MAX_SOURCE_BYTES`]. A file named by another
/// file must be a regular file: a `$ref` to `/dev/stdin` or a FIFO would
/// wait for ever, and one to `/dev/zero` would never end.
pub(crate) fn read_file(path: &Path, named_by_a_file: bool) -> Result<Vec<u8>, String> {
    use std::io::Read as _;
    // Checked before opening: opening a FIFO waits for a writer.
    if named_by_a_file
        && !std::fs::metadata(path)
            .map_err(|e| e.to_string())?
            .is_file()
    {
        return Err("not a regular file; not read".into());
    }
    let file = std::fs::File::open(path).map_err(|e| e.to_string())?;
    let mut bytes = Vec::new();
    file.take(MAX_SOURCE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| e.to_string())?;
    if bytes.len() as u64 > MAX_SOURCE_BYTES {
        return Err(too_large());
    }
    Ok(bytes)
}

fn error_chain(error: &dyn std::error::Error) -> String {
    let mut message = error.to_string();
    let mut source = error.source();
    while let Some(inner) = source {
        message.push_str(": ");
        message.push_str(&inner.to_string());
        source = inner.source();
    }
    message
}

/// UTF-8 text without a byte-order mark.
fn into_text(bytes: Vec<u8>, location: &str) -> Result<String, LoadError> {
    let mut text = String::from_utf8(bytes).map_err(|e| {
        let valid = &e.as_bytes()[..e.utf8_error().valid_up_to()];
        let line = valid.iter().filter(|b| **b == b'\n').count() + 1;
        let column = valid.iter().rev().take_while(|b| **b != b'\n').count() + 1;
        LoadError::Syntax {
            source_name: location.to_string(),
            line: Some(line),
            column: Some(column),
            message: "not UTF-8 text".into(),
        }
    })?;
    if text.starts_with('\u{feff}') {
        text.drain(..'\u{feff}'.len_utf8());
    }
    Ok(text)
}

/// The key a location has among a document's files: absolute for paths.
fn location_key(location: &str) -> String {
    if is_url(location) {
        return location.to_string();
    }
    std::path::absolute(location).map_or_else(|_| location.to_string(), |p| normalise_path(&p))
}

/// A definition whose external `$ref` files are being gathered.
struct Definition {
    source: String,
    document: Document,
    pending: Vec<String>,
    seen: HashSet<String>,
    warnings: Vec<Warning>,
}

impl Definition {
    fn parse(text: String, source: &str) -> Result<Self, LoadError> {
        let key = location_key(source);
        let mut refs = Vec::new();
        let document = if text.trim_start().starts_with('{') {
            scan_json_refs(&text, &mut refs);
            let lazy = LazyRoot::parse(text).map_err(|e| LoadError::json(source, &e))?;
            Document::from_lazy(key.clone(), lazy)
        } else {
            let value = parse_yaml(&text, source)?;
            collect_refs(&value, &mut refs);
            Document::from_value(key.clone(), value)
        };
        let mut definition = Self {
            source: source.to_string(),
            document,
            pending: Vec::new(),
            seen: HashSet::from([key.clone()]),
            warnings: Vec::new(),
        };
        definition.queue(&key, &refs);
        Ok(definition)
    }

    fn queue(&mut self, base: &str, refs: &[String]) {
        for reference in refs {
            let file = reference
                .split_once('#')
                .map_or(reference.as_str(), |(f, _)| f);
            if file.is_empty() {
                continue;
            }
            let location = join_location(base, file);
            if self.seen.insert(location.clone()) {
                self.pending.push(location);
            }
        }
    }

    fn next_external(&mut self) -> Option<String> {
        if self.document.external.len() >= MAX_EXTERNAL && !self.pending.is_empty() {
            self.warnings.push(Warning {
                source: self.source.clone(),
                pointer: None,
                message: format!(
                    "more than {MAX_EXTERNAL} files referenced; the rest were not loaded"
                ),
            });
            self.pending.clear();
        }
        self.pending.pop()
    }

    fn add_external(&mut self, location: String, fetched: Result<Vec<u8>, String>) {
        let parsed = fetched
            .map_err(|message| LoadError::unreadable(&location, message))
            .and_then(|bytes| into_text(bytes, &location))
            .and_then(|text| {
                if text.trim_start().starts_with('{') {
                    serde_json::from_str::<Value>(&text).map_err(|e| LoadError::json(&location, &e))
                } else {
                    parse_yaml(&text, &location)
                }
            });
        match parsed {
            Ok(value) => {
                let mut refs = Vec::new();
                collect_refs(&value, &mut refs);
                self.queue(&location, &refs);
                self.document.external.insert(location, value);
            }
            Err(e) => self.warnings.push(Warning {
                source: self.source.clone(),
                pointer: None,
                message: format!("referenced file not loaded: {e}"),
            }),
        }
    }

    fn finish(self) -> Result<Catalog, LoadError> {
        let mut warnings = self.warnings;
        let document = Arc::new(self.document);
        let api = openapi::normalise(&document, &self.source, &mut warnings)
            .map_err(|message| LoadError::invalid(&self.source, message))?;
        Ok(Catalog {
            apis: vec![api],
            warnings,
            ..Catalog::default()
        })
    }
}

/// YAML into a JSON value, bounded (see `catalog::yaml`).
fn parse_yaml(text: &str, source: &str) -> Result<Value, LoadError> {
    yaml::parse(text, source)
}

/// Every `$ref` string in a value.
fn collect_refs(value: &Value, out: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            for (key, v) in map {
                match (key.as_str(), v) {
                    ("$ref", Value::String(s)) => out.push(s.clone()),
                    _ => collect_refs(v, out),
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|v| collect_refs(v, out)),
        _ => {}
    }
}

/// The `$ref`s of JSON text that point outside it, found without parsing
/// the whole text into values.
fn scan_json_refs(text: &str, out: &mut Vec<String>) {
    let mut seen = HashSet::new();
    for (at, _) in text.match_indices("\"$ref\"") {
        let rest = text[at + 6..].trim_start();
        let Some(rest) = rest.strip_prefix(':') else {
            continue;
        };
        let rest = rest.trim_start();
        // Local refs are the vast majority: skip them without decoding.
        if rest.starts_with("\"#") {
            continue;
        }
        let mut de = serde_json::Deserializer::from_str(rest);
        if let Ok(s) = <String as serde::Deserialize>::deserialize(&mut de)
            && seen.insert(s.clone())
        {
            out.push(s);
        }
    }
}

/// Appends `part` to `catalog`, making API ids unique with a suffix.
fn merge(catalog: &mut Catalog, part: Catalog) {
    for mut api in part.apis {
        if api.id.is_empty() {
            api.id = "api".into();
        }
        let taken: HashSet<&str> = catalog.apis.iter().map(|a| a.id.as_str()).collect();
        if taken.contains(api.id.as_str()) {
            let base = api.id.clone();
            let mut n = 2;
            while taken.contains(format!("{base}-{n}").as_str()) {
                n += 1;
            }
            api.id = format!("{base}-{n}");
        }
        catalog.apis.push(api);
    }
    if catalog.title.is_none() {
        catalog.title = part.title;
    }
    catalog.environments.extend(part.environments);
    catalog.flows.extend(part.flows);
    catalog.warnings.extend(part.warnings);
}

/// A lower-case identifier made of letters, digits and dashes.
pub(crate) fn slug(text: &str) -> String {
    let mut out = String::new();
    for c in text.chars() {
        if c.is_alphanumeric() {
            out.extend(c.to_lowercase());
        } else if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
    }
    while out.ends_with('-') {
        out.pop();
    }
    out
}

impl Catalog {
    /// The API and operation an [`OpRef`] points at, as [`Catalog::select`]
    /// and the search return them.
    ///
    /// # Panics
    /// When the reference is not one of this catalog's.
    pub fn operation(&self, at: OpRef) -> (&Api, &Operation) {
        let api = &self.apis[at.0];
        (api, &api.operations[at.1])
    }

    /// Finds an API by id (case-insensitive).
    pub fn api(&self, id: &str) -> Option<(usize, &Api)> {
        self.apis
            .iter()
            .enumerate()
            .find(|(_, a)| a.id.eq_ignore_ascii_case(id))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs() {
        assert_eq!(slug("Swagger Petstore"), "swagger-petstore");
        assert_eq!(slug("  GitHub v3 REST API!! "), "github-v3-rest-api");
    }

    #[test]
    fn finds_external_refs_in_json_text() {
        let mut out = Vec::new();
        scan_json_refs(
            r##"{"a": {"$ref": "#/x"}, "b": {"$ref" : "other.json#/y"}, "c": {"$ref":"other.json#/z"}}"##,
            &mut out,
        );
        assert_eq!(out, vec!["other.json#/y", "other.json#/z"]);
    }

    #[test]
    fn bad_utf8_has_a_position() {
        let err = into_text(b"ab\ncd\xff".to_vec(), "x.json").expect_err("not utf-8");
        assert_eq!(err.to_string(), "x.json:2:3: not UTF-8 text");
    }
}

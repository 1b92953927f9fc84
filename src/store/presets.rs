//! Presets: named drafts per operation, in one pretty-printed JSON file
//! (`presets.json` in the data directory).
//!
//! JSON rather than TOML because the [`Draft`] round-trips through
//! serde_json exactly (TOML has no null and constrains where tables go),
//! because it is the format of history and of `--json` output (one set of
//! tools, `jq` included, reads all three), and because its parser gives a
//! line and column for every error. Pretty-printed, one key per line, so
//! that a person can read and edit it and a diff shows what changed.
//!
//! Presets are keyed by [`OperationKey`] (API id, method, path template),
//! which survives restarts and most definition edits; a preset whose
//! operation is no longer in the catalog is reported as orphaned and kept.
//!
//! Secrets are stored as `{{variable}}` references unless the caller asks
//! otherwise ([`SaveOptions::keep_secrets`]); see [`withhold_secrets`].

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::catalog::{Catalog, OperationKey};
use crate::request::{Draft, Vars, referenced_variables};
use crate::secrets::is_secret_name;

use super::{Paths, StoreError, Timestamp, fsio};

/// The whole presets file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PresetFile {
    /// The format version; 1 so far.
    #[serde(default = "version_one")]
    pub version: u32,
    #[serde(default)]
    pub presets: Vec<Preset>,
    /// Keys this version does not know (written by a newer portico, or by
    /// hand): kept as they are on every rewrite.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl Default for PresetFile {
    fn default() -> Self {
        Self {
            version: 1,
            presets: Vec::new(),
            extra: Map::new(),
        }
    }
}

fn version_one() -> u32 {
    1
}

/// One saved request.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Preset {
    pub operation: OperationKey,
    pub name: String,
    pub created: Timestamp,
    pub updated: Timestamp,
    pub draft: Draft,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl PresetFile {
    /// The presets of one operation, in the order they were first saved.
    pub fn for_operation<'a>(&'a self, key: &'a OperationKey) -> impl Iterator<Item = &'a Preset> {
        self.presets.iter().filter(move |p| p.operation == *key)
    }

    pub fn find(&self, key: &OperationKey, name: &str) -> Option<&Preset> {
        self.presets
            .iter()
            .find(|p| p.operation == *key && p.name == name)
    }

    /// Presets whose operation the catalog does not have (any more). They
    /// are kept in the file; a UI shows them apart.
    pub fn orphans<'a>(&'a self, catalog: &Catalog) -> Vec<&'a Preset> {
        self.presets
            .iter()
            .filter(|p| !is_in_catalog(catalog, &p.operation))
            .collect()
    }

    fn names(&self, key: &OperationKey) -> Vec<String> {
        self.for_operation(key).map(|p| p.name.clone()).collect()
    }

    fn not_found(&self, key: &OperationKey, name: &str) -> StoreError {
        StoreError::PresetNotFound {
            operation: key.to_string(),
            name: name.to_string(),
            known: self.names(key),
        }
    }
}

/// Whether the catalog has the operation a key names.
pub fn is_in_catalog(catalog: &Catalog, key: &OperationKey) -> bool {
    catalog.apis.iter().any(|api| {
        api.id == key.api
            && api
                .operations
                .iter()
                .any(|op| op.method == key.method && op.path == key.path)
    })
}

/// How to save.
#[derive(Debug, Clone, Copy, Default)]
pub struct SaveOptions<'a> {
    /// Store secret values as typed (the user asked for it explicitly).
    pub keep_secrets: bool,
    /// The variables in use, so that a secret value that one of them holds
    /// is stored as a reference to it.
    pub vars: Option<&'a Vars>,
}

/// What a save did.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SaveReport {
    /// No preset of that name existed for the operation.
    pub created: bool,
    /// Secret values that were replaced by references instead of stored.
    pub withheld: Vec<WithheldSecret>,
}

/// A secret value not stored: `field` now reads `{{variable}}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WithheldSecret {
    /// Where, e.g. "header `Authorization`", "auth `api_key`", "body".
    pub field: String,
    pub variable: String,
    /// The variables in use already define it (with this very value when
    /// the value was recognised); otherwise the user must define it before
    /// the preset can be sent.
    pub defined: bool,
}

/// The presets file of a [`Paths`].
#[derive(Debug, Clone)]
pub struct Presets {
    path: PathBuf,
}

impl Presets {
    pub fn new(paths: &Paths) -> Self {
        Self::at(paths.presets_file())
    }

    pub fn at(path: impl Into<PathBuf>) -> Self {
        Self { path: path.into() }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Everything in the file; empty when there is no file yet.
    pub fn load(&self) -> Result<PresetFile, StoreError> {
        match fsio::read_optional(&self.path)? {
            None => Ok(PresetFile::default()),
            Some(bytes) => PresetFile::parse(&bytes, &self.path),
        }
    }

    pub fn list(&self, key: &OperationKey) -> Result<Vec<Preset>, StoreError> {
        Ok(self.load()?.for_operation(key).cloned().collect())
    }

    /// One preset, or an error listing the operation's preset names.
    pub fn get(&self, key: &OperationKey, name: &str) -> Result<Preset, StoreError> {
        let file = self.load()?;
        file.find(key, name)
            .cloned()
            .ok_or_else(|| file.not_found(key, name))
    }

    /// Saves a draft under a name, replacing a preset of the same name for
    /// the same operation (its creation time is kept).
    pub fn save(
        &self,
        key: &OperationKey,
        name: &str,
        draft: &Draft,
        options: SaveOptions<'_>,
    ) -> Result<SaveReport, StoreError> {
        let mut reports = self.save_all(&[(key, name, draft)], options)?;
        Ok(reports.remove(0))
    }

    /// Saves many presets in one locked read-modify-write, as [`save`]
    /// would one by one: an import of thousands of requests must not
    /// rewrite and sync the whole file once per request.
    ///
    /// [`save`]: Self::save
    pub fn save_all(
        &self,
        entries: &[(&OperationKey, &str, &Draft)],
        options: SaveOptions<'_>,
    ) -> Result<Vec<SaveReport>, StoreError> {
        let mut prepared = Vec::with_capacity(entries.len());
        for (key, name, draft) in entries {
            check_name(name)?;
            let (draft, withheld) = if options.keep_secrets {
                ((*draft).clone(), Vec::new())
            } else {
                withhold_secrets(draft, options.vars.unwrap_or(&Vars::default()))
            };
            prepared.push((*key, *name, draft, withheld));
        }
        let now = Timestamp::now();
        let created = self.update(|file| {
            let mut created = Vec::with_capacity(prepared.len());
            for (key, name, draft, _) in &prepared {
                match file
                    .presets
                    .iter_mut()
                    .find(|p| p.operation == **key && p.name == *name)
                {
                    Some(existing) => {
                        existing.draft = draft.clone();
                        existing.updated = now;
                        created.push(false);
                    }
                    None => {
                        file.presets.push(Preset {
                            operation: (*key).clone(),
                            name: (*name).to_string(),
                            created: now,
                            updated: now,
                            draft: draft.clone(),
                            extra: Map::new(),
                        });
                        created.push(true);
                    }
                }
            }
            Ok(created)
        })?;
        Ok(prepared
            .into_iter()
            .zip(created)
            .map(|((_, _, _, withheld), created)| SaveReport { created, withheld })
            .collect())
    }

    pub fn rename(&self, key: &OperationKey, from: &str, to: &str) -> Result<(), StoreError> {
        check_name(to)?;
        self.update(|file| {
            if from != to && file.find(key, to).is_some() {
                return Err(StoreError::PresetExists {
                    operation: key.to_string(),
                    name: to.to_string(),
                });
            }
            let not_found = file.not_found(key, from);
            let preset = file
                .presets
                .iter_mut()
                .find(|p| p.operation == *key && p.name == from)
                .ok_or(not_found)?;
            preset.name = to.to_string();
            preset.updated = Timestamp::now();
            Ok(())
        })
    }

    /// Removes a preset and returns it.
    pub fn delete(&self, key: &OperationKey, name: &str) -> Result<Preset, StoreError> {
        self.update(|file| {
            let index = file
                .presets
                .iter()
                .position(|p| p.operation == *key && p.name == name)
                .ok_or_else(|| file.not_found(key, name))?;
            Ok(file.presets.remove(index))
        })
    }

    /// Lock, re-read (another process may have saved since we last looked),
    /// change, write atomically. A file that does not parse stops here,
    /// before anything is written.
    fn update<T>(
        &self,
        change: impl FnOnce(&mut PresetFile) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let _lock = fsio::lock_exclusive(&self.path)?;
        let mut file = self.load()?;
        let result = change(&mut file)?;
        let mut text = serde_json::to_vec_pretty(&file).map_err(|e| StoreError::Corrupt {
            path: self.path.clone(),
            line: 0,
            column: 0,
            message: format!("cannot serialise the presets: {e}"),
        })?;
        text.push(b'\n');
        fsio::write_atomic(&self.path, &text)?;
        Ok(result)
    }
}

impl PresetFile {
    /// Parses a presets file's bytes; `path` names it in the error.
    pub fn parse(bytes: &[u8], path: &Path) -> Result<Self, StoreError> {
        parse(path, bytes)
    }
}

fn parse(path: &Path, bytes: &[u8]) -> Result<PresetFile, StoreError> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        // An empty file is an empty list (e.g. created by `touch`).
        return Ok(PresetFile::default());
    }
    serde_json::from_slice(bytes).map_err(|e| StoreError::Corrupt {
        path: path.to_path_buf(),
        line: e.line(),
        column: e.column(),
        message: format!("invalid presets file: {e}")
            .split(" at line ")
            .next()
            .unwrap_or_default()
            .to_string(),
    })
}

fn check_name(name: &str) -> Result<(), StoreError> {
    let reason = if name.trim().is_empty() {
        Some("it is empty")
    } else if name.trim() != name {
        Some("it starts or ends with spaces")
    } else if name.chars().any(char::is_control) {
        Some("it holds control characters")
    } else if name.chars().count() > 200 {
        Some("it is longer than 200 characters")
    } else {
        None
    };
    match reason {
        Some(reason) => Err(StoreError::InvalidName {
            name: name.to_string(),
            reason,
        }),
        None => Ok(()),
    }
}

/// The draft as it may be stored: every secret value replaced by a
/// `{{variable}}` reference, and the list of what was replaced.
///
/// 1. A value that a secret variable in `vars` holds (a variable marked
///    secret or named like one), wherever it appears (headers, parameters,
///    auth, body, server URL), becomes a reference to that variable.
/// 2. What remains literal in a secret field (a header or parameter named
///    like a secret, or any credential of an auth row) becomes a reference
///    to a variable named after the field (`Authorization` ->
///    `{{authorization}}`), keeping an auth scheme word (`Bearer {{...}}`);
///    the report says which variable to define.
///
/// A value that is already made of references is kept as typed.
pub fn withhold_secrets(draft: &Draft, vars: &Vars) -> (Draft, Vec<WithheldSecret>) {
    let mut known: Vec<(String, String)> = vars
        .names()
        .filter_map(|name| {
            let var = vars.get(name)?;
            let secret = var.secret || is_secret_name(name);
            // Short values would match ordinary text (Masker's rule too).
            (secret && var.value.chars().count() >= 4 && !var.value.contains("{{"))
                .then(|| (name.to_string(), var.value.clone()))
        })
        .collect();
    known.sort_by_key(|(_, value)| std::cmp::Reverse(value.len()));

    let mut out = draft.clone();
    let mut withheld = Vec::new();
    let mut w = Withholder {
        known: &known,
        vars,
        withheld: &mut withheld,
    };
    if let Some(url) = &mut out.server_url {
        w.known_values(url, "server URL");
    }
    for (name, value) in &mut out.server_vars {
        w.field(value, &format!("server variable `{name}`"), name);
    }
    for param in &mut out.params {
        let field = format!("{} parameter `{}`", param.location.as_str(), param.name);
        w.field(&mut param.value, &field, &param.name);
    }
    for row in &mut out.extra_query {
        let field = format!("query parameter `{}`", row.name);
        w.field(&mut row.value, &field, &row.name);
    }
    for row in &mut out.headers {
        let field = format!("header `{}`", row.name);
        w.field(&mut row.value, &field, &row.name);
    }
    for auth in &mut out.auth {
        let field = format!("auth `{}`", auth.scheme);
        w.known_values(&mut auth.value, &field);
        w.literal(&mut auth.value, &field, &auth.scheme);
        w.known_values(
            &mut auth.username,
            &format!("auth `{}` username", auth.scheme),
        );
    }
    w.known_values(&mut out.body, "body");
    (out, withheld)
}

struct Withholder<'a> {
    known: &'a [(String, String)],
    vars: &'a Vars,
    withheld: &'a mut Vec<WithheldSecret>,
}

impl Withholder<'_> {
    fn field(&mut self, value: &mut String, field: &str, name: &str) {
        self.known_values(value, field);
        if is_secret_name(name) {
            self.literal(value, field, name);
        }
    }

    fn known_values(&mut self, value: &mut String, field: &str) {
        for (name, secret) in self.known {
            if value.contains(secret.as_str()) {
                *value = value.replace(secret.as_str(), &format!("{{{{{name}}}}}"));
                self.note(field, name, true);
            }
        }
    }

    fn literal(&mut self, value: &mut String, field: &str, name: &str) {
        let (scheme, rest) = split_scheme(value);
        if is_reference_only(rest) {
            return;
        }
        let variable = variable_name(name);
        let defined = self.vars.get(&variable).is_some();
        *value = format!("{scheme}{{{{{variable}}}}}");
        self.note(field, &variable, defined);
    }

    fn note(&mut self, field: &str, variable: &str, defined: bool) {
        let entry = WithheldSecret {
            field: field.to_string(),
            variable: variable.to_string(),
            defined,
        };
        if !self.withheld.contains(&entry) {
            self.withheld.push(entry);
        }
    }
}

/// `Bearer abc` -> (`Bearer `, `abc`): the scheme word tells a reader what
/// kind of secret it is and is not itself secret.
fn split_scheme(value: &str) -> (&str, &str) {
    if let Some((word, rest)) = value.split_once(' ')
        && ["bearer", "basic", "digest", "token"].contains(&word.to_ascii_lowercase().as_str())
    {
        return (&value[..=word.len()], rest);
    }
    ("", value)
}

/// Empty, or a single `{{variable}}` and nothing else.
fn is_reference_only(text: &str) -> bool {
    let text = text.trim();
    if text.is_empty() {
        return true;
    }
    let Some(inner) = text.strip_prefix("{{").and_then(|t| t.strip_suffix("}}")) else {
        return false;
    };
    !inner.contains("{{") && !inner.contains("}}") && referenced_variables(text).len() == 1
}

/// `Ocp-Apim-Subscription-Key` -> `ocp_apim_subscription_key`.
fn variable_name(field_name: &str) -> String {
    let name: String = field_name
        .trim()
        .chars()
        .map(|c| {
            if c.is_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '_'
            }
        })
        .collect();
    if name.is_empty() {
        "secret".to_string()
    } else {
        name
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::{ParamLocation, Variable};
    use crate::request::{AuthValue, ParamValue, Row};

    fn row(name: &str, value: &str) -> Row {
        Row {
            name: name.into(),
            value: value.into(),
            enabled: true,
        }
    }

    fn vars() -> Vars {
        let mut vars = Vars::default();
        vars.environment.insert(
            "api_key".into(),
            Variable {
                value: "k-123456".into(),
                secret: true,
            },
        );
        vars.environment.insert(
            "region".into(),
            Variable {
                value: "westeurope".into(),
                secret: false,
            },
        );
        vars
    }

    #[test]
    fn secrets_become_references() {
        let draft = Draft {
            headers: vec![
                row("Authorization", "Bearer k-123456"),
                row("X-Api-Key", "typed-by-hand"),
                row("X-Other", "{{api_key}}"),
                row("Ocp-Apim-Subscription-Key", "{{subscription_key}}"),
                row("Accept", "westeurope"),
            ],
            params: vec![ParamValue {
                name: "access_token".into(),
                location: ParamLocation::Query,
                value: "Bearer zzzz".into(),
                enabled: false,
            }],
            auth: vec![AuthValue::declared("basic", "hunter22".into(), "me".into())],
            body: r#"{"key": "k-123456"}"#.into(),
            ..Draft::default()
        };
        let (stored, withheld) = withhold_secrets(&draft, &vars());
        let headers: Vec<&str> = stored.headers.iter().map(|h| h.value.as_str()).collect();
        assert_eq!(
            headers,
            [
                "Bearer {{api_key}}",
                "{{x_api_key}}",
                "{{api_key}}",
                "{{subscription_key}}",
                "westeurope"
            ]
        );
        assert_eq!(stored.params[0].value, "Bearer {{access_token}}");
        assert_eq!(stored.auth[0].value, "{{basic}}");
        assert_eq!(stored.auth[0].username, "me");
        assert_eq!(stored.body, r#"{"key": "{{api_key}}"}"#);
        let summary: Vec<(&str, &str, bool)> = withheld
            .iter()
            .map(|w| (w.field.as_str(), w.variable.as_str(), w.defined))
            .collect();
        assert_eq!(
            summary,
            [
                ("query parameter `access_token`", "access_token", false),
                ("header `Authorization`", "api_key", true),
                ("header `X-Api-Key`", "x_api_key", false),
                ("auth `basic`", "basic", false),
                ("body", "api_key", true),
            ]
        );
    }

    #[test]
    fn names_are_checked() {
        assert!(check_name("nightly run").is_ok());
        for bad in ["", "  ", " x", "a\nb"] {
            assert!(check_name(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn corrupt_file_names_line_and_column() {
        let error = parse(
            Path::new("/x/presets.json"),
            b"{\n  \"presets\": [\n    oops\n",
        )
        .expect_err("corrupt");
        match &error {
            StoreError::Corrupt { line, column, .. } => assert_eq!((*line, *column), (3, 5)),
            other => panic!("{other:?}"),
        }
        assert!(
            error
                .to_string()
                .starts_with("/x/presets.json:3:5: invalid presets file")
        );
    }
}

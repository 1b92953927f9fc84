//! Environments and variables: the catalog's environments (portal files),
//! the user's own (`environments.toml` in the config directory, the same
//! `[[environment]]` shape as a portal file), and a `.env` file in the
//! working directory; turned into the [`Vars`] a build substitutes.
//!
//! Layers, the later winning variable by variable:
//!
//! ```text
//! catalog environment NAME  <  user environment NAME  <  ./.env
//! ```
//!
//! A user environment with the name of a catalog one overrides only the
//! variables it sets (a user can add just the key to the demo's `demo`
//! environment); one with a new name is a new environment. Process
//! environment variables stay available as `{{env:NAME}}`.

use std::path::{Path, PathBuf};

use indexmap::IndexMap;
use serde::Deserialize;

use crate::catalog::{Catalog, Environment, Variable};
use crate::request::Vars;
use crate::secrets::is_secret_name;

use super::keychain;
use super::sources::{self, Origin, VariableSource};
use super::{FileWarning, Paths, StoreError, fsio};

/// The `.env` file's name, looked up in the working directory.
pub const DOTENV: &str = ".env";

/// Every environment a session can choose from, and the `.env` layer.
#[derive(Debug, Clone, Default)]
pub struct Environments {
    /// Catalog environments (with the user's overrides merged in), then
    /// the user's new ones, in file order.
    pub list: Vec<Environment>,
    pub dotenv: Option<DotEnv>,
    /// Lines of `.env` and keys of `environments.toml` that were skipped.
    pub warnings: Vec<FileWarning>,
    /// The user's variables whose values come from a command, the
    /// keychain or a prompt (asked when their environment is used).
    pub sources: Vec<VariableSource>,
    /// Prompts are asked by the caller (the TUI, through
    /// [`Environments::unanswered`] and [`sources::answer`]), never on the
    /// terminal; until answered, their variables are left out.
    pub prompts_elsewhere: bool,
    /// The environments of the user's file alone, and of the portal
    /// files alone, to tell where each variable comes from.
    pub user: Vec<Environment>,
    pub portal: Vec<Environment>,
}

/// One variable of an environment as the environment panel lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VariableRow {
    pub name: String,
    /// `None` for a value asked elsewhere (a command, the keychain, a
    /// prompt) that this session has not asked yet.
    pub value: Option<String>,
    pub secret: bool,
    pub origin: VariableOrigin,
}

/// Where a variable's value comes from (the later winning).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VariableOrigin {
    Portal,
    User,
    /// The user's file, over the portal file's value.
    UserOverPortal,
    /// A command, the keychain or a prompt, named.
    Source(String),
    DotEnv,
    Captured,
}

impl VariableOrigin {
    pub fn label(&self) -> String {
        match self {
            Self::Portal => "portal file".into(),
            Self::User => "your file".into(),
            Self::UserOverPortal => "your file (over the portal's)".into(),
            Self::Source(what) => what.clone(),
            Self::DotEnv => ".env".into(),
            Self::Captured => "captured".into(),
        }
    }

    /// Whether the user's file holds it (so it can be removed from there).
    pub fn in_user_file(&self) -> bool {
        matches!(self, Self::User | Self::UserOverPortal | Self::Source(_))
    }
}

impl Environments {
    /// The catalog's environments, the user's file from `paths` (if any)
    /// and `.env` in `working_dir` (if any). A user file that does not
    /// parse is an error naming its line and column.
    pub fn load(
        catalog: &Catalog,
        paths: Option<&Paths>,
        working_dir: Option<&Path>,
    ) -> Result<Self, StoreError> {
        let mut warnings = Vec::new();
        let (user, sources) = match paths {
            Some(paths) => match fsio::read_optional(&paths.environments_file())? {
                Some(bytes) => parse_user(&bytes, &paths.environments_file(), &mut warnings)?,
                None => (Vec::new(), Vec::new()),
            },
            None => (Vec::new(), Vec::new()),
        };
        let dotenv = match working_dir {
            Some(dir) => DotEnv::load(&dir.join(DOTENV))?,
            None => None,
        };
        if let Some(dotenv) = &dotenv {
            warnings.extend(dotenv.warnings.iter().cloned());
        }
        Ok(Self {
            list: merge(&catalog.environments, user.clone()),
            dotenv,
            warnings,
            sources,
            prompts_elsewhere: false,
            user,
            portal: catalog.environments.clone(),
        })
    }

    pub fn names(&self) -> Vec<&str> {
        self.list.iter().map(|e| e.name.as_str()).collect()
    }

    /// The environment `name` would choose: that one, or the first when
    /// no name is given (`None` when there are none).
    pub fn chosen(&self, name: Option<&str>) -> Result<Option<&Environment>, StoreError> {
        match name {
            Some(name) => self
                .list
                .iter()
                .find(|e| e.name == name)
                .map(Some)
                .ok_or_else(|| StoreError::UnknownEnvironment {
                    name: name.to_string(),
                    known: self.list.iter().map(|e| e.name.clone()).collect(),
                }),
            None => Ok(self.list.first()),
        }
    }

    /// Every variable environment `name` gives, in the order they apply,
    /// with where each comes from; `captured` are the session's captures
    /// (they win over any environment). Nothing is asked: a value from a
    /// command, the keychain or a prompt shows only once it was asked.
    pub fn describe(&self, name: &str, captured: &IndexMap<String, Variable>) -> Vec<VariableRow> {
        let mut rows: Vec<VariableRow> = Vec::new();
        let mut put = |row: VariableRow| match rows.iter_mut().find(|r| r.name == row.name) {
            Some(existing) => *existing = row,
            None => rows.push(row),
        };
        let user = self.user.iter().find(|e| e.name == name);
        if let Some(environment) = self.list.iter().find(|e| e.name == name) {
            for (var, v) in &environment.variables {
                let in_user = user.is_some_and(|u| u.variables.contains_key(var));
                let in_portal = self.portal_has(name, var);
                let origin = match (in_user, in_portal) {
                    (true, true) => VariableOrigin::UserOverPortal,
                    (true, false) => VariableOrigin::User,
                    _ => VariableOrigin::Portal,
                };
                put(VariableRow {
                    name: var.clone(),
                    value: Some(v.value.clone()),
                    secret: v.secret,
                    origin,
                });
            }
        }
        for source in self.sources.iter().filter(|s| s.environment == name) {
            put(VariableRow {
                name: source.variable.clone(),
                value: sources::known(&source.origin),
                secret: true,
                origin: VariableOrigin::Source(source.origin.to_string()),
            });
        }
        if let Some(dotenv) = &self.dotenv {
            for (var, v) in &dotenv.variables {
                put(VariableRow {
                    name: var.clone(),
                    value: Some(v.value.clone()),
                    secret: v.secret,
                    origin: VariableOrigin::DotEnv,
                });
            }
        }
        for (var, v) in captured {
            put(VariableRow {
                name: var.clone(),
                value: Some(v.value.clone()),
                secret: v.secret,
                origin: VariableOrigin::Captured,
            });
        }
        rows
    }

    /// Whether the portal file (not the user's) defines `var` in `name`.
    fn portal_has(&self, name: &str, var: &str) -> bool {
        self.portal
            .iter()
            .find(|e| e.name == name)
            .is_some_and(|e| e.variables.contains_key(var))
    }

    /// The variables of environment `name` asked at a prompt that nobody
    /// has answered yet this session.
    pub fn unanswered(&self, name: &str) -> Vec<&VariableSource> {
        self.sources
            .iter()
            .filter(|s| s.environment == name && sources::unanswered(&s.origin))
            .collect()
    }

    /// The variables of environment `name` (the first one when `None`),
    /// with `.env` on top.
    pub fn vars(&self, name: Option<&str>) -> Result<Vars, StoreError> {
        let chosen = self.chosen(name)?;
        let mut environment = chosen.map(|e| e.variables.clone()).unwrap_or_default();
        let chosen_name = chosen.map(|e| e.name.as_str());
        for source in self
            .sources
            .iter()
            .filter(|s| Some(s.environment.as_str()) == chosen_name)
            .filter(|s| !(self.prompts_elsewhere && sources::unanswered(&s.origin)))
        {
            let value = sources::value_of(&source.origin).map_err(|message| {
                StoreError::VariableSource {
                    environment: source.environment.clone(),
                    variable: source.variable.clone(),
                    origin: source.origin.to_string(),
                    message,
                }
            })?;
            environment.insert(
                source.variable.clone(),
                Variable {
                    value,
                    secret: true,
                },
            );
        }
        if let Some(dotenv) = &self.dotenv {
            for (key, value) in &dotenv.variables {
                environment.insert(key.clone(), value.clone());
            }
        }
        Ok(Vars {
            environment,
            ..Vars::default()
        })
    }
}

/// Catalog environments first, the user's merged in by name (variable by
/// variable, the user's value winning), then the user's new ones.
pub fn merge(catalog: &[Environment], user: Vec<Environment>) -> Vec<Environment> {
    let mut merged: Vec<Environment> = catalog.to_vec();
    for environment in user {
        match merged.iter_mut().find(|e| e.name == environment.name) {
            Some(existing) => {
                for (key, value) in environment.variables {
                    existing.variables.insert(key, value);
                }
            }
            None => merged.push(environment),
        }
    }
    merged
}

#[derive(Deserialize)]
struct UserFile {
    #[serde(default)]
    environment: Vec<UserEnvironment>,
    #[serde(flatten)]
    unknown: IndexMap<String, toml::Value>,
}

#[derive(Deserialize)]
struct UserEnvironment {
    name: String,
    #[serde(default)]
    variables: IndexMap<String, UserVariable>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum UserVariable {
    Full {
        value: toml::Value,
        #[serde(default)]
        secret: bool,
    },
    /// The value is what the command prints (see [`sources`]).
    Command {
        command: String,
    },
    /// The value is a keychain entry's (portico's own service unless
    /// `service` names another program's).
    Keychain {
        keychain: String,
        #[serde(default)]
        service: Option<String>,
    },
    /// The value is asked once per session: `prompt = "label"` or `true`.
    Prompt {
        prompt: toml::Value,
    },
    Plain(toml::Value),
}

fn scalar_text(value: &toml::Value) -> String {
    match value {
        toml::Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// The user's environments file; empty when it does not exist.
pub fn load_user_file(
    path: &Path,
    warnings: &mut Vec<FileWarning>,
) -> Result<Vec<Environment>, StoreError> {
    let Some(bytes) = fsio::read_optional(path)? else {
        return Ok(Vec::new());
    };
    parse_user_file(&bytes, path, warnings)
}

/// Parses the user's environments file from its bytes; `path` names it in
/// errors and warnings.
pub fn parse_user_file(
    bytes: &[u8],
    path: &Path,
    warnings: &mut Vec<FileWarning>,
) -> Result<Vec<Environment>, StoreError> {
    parse_user(bytes, path, warnings).map(|(environments, _)| environments)
}

/// The user's environments and the variables whose values commands print.
fn parse_user(
    bytes: &[u8],
    path: &Path,
    warnings: &mut Vec<FileWarning>,
) -> Result<(Vec<Environment>, Vec<VariableSource>), StoreError> {
    let text = String::from_utf8(bytes.to_vec()).map_err(|e| {
        let (line, column) = fsio::line_column(e.as_bytes(), e.utf8_error().valid_up_to());
        StoreError::Corrupt {
            path: path.to_path_buf(),
            line,
            column,
            message: "the environments file is not UTF-8".into(),
        }
    })?;
    let file: UserFile = toml::from_str(&text).map_err(|e| {
        let (line, column) = e.span().map_or((0, 0), |span| {
            fsio::line_column(text.as_bytes(), span.start)
        });
        StoreError::Corrupt {
            path: path.to_path_buf(),
            line,
            column,
            message: format!("invalid environments file: {}", e.message().trim()),
        }
    })?;
    for key in file.unknown.keys() {
        warnings.push(FileWarning {
            path: path.to_path_buf(),
            line: 0,
            message: format!("unknown key `{key}` ignored (expected [[environment]] tables)"),
        });
    }
    let mut sources = Vec::new();
    let mut environments = Vec::new();
    for e in file.environment {
        let mut variables = IndexMap::new();
        for (name, variable) in e.variables {
            let variable = match variable {
                UserVariable::Plain(value) => Variable {
                    value: scalar_text(&value),
                    secret: is_secret_name(&name),
                },
                UserVariable::Full { value, secret } => Variable {
                    value: scalar_text(&value),
                    secret: secret || is_secret_name(&name),
                },
                UserVariable::Command { command } => {
                    sources.push(VariableSource {
                        environment: e.name.clone(),
                        variable: name,
                        origin: Origin::Command(command),
                    });
                    continue;
                }
                UserVariable::Keychain { keychain, service } => {
                    sources.push(VariableSource {
                        environment: e.name.clone(),
                        variable: name,
                        origin: Origin::Keychain {
                            service: service.unwrap_or_else(|| keychain::SERVICE.to_string()),
                            entry: keychain,
                        },
                    });
                    continue;
                }
                UserVariable::Prompt { prompt } => {
                    let label = match prompt {
                        toml::Value::String(label) if !label.trim().is_empty() => label,
                        _ => format!("value of `{name}` (environment {})", e.name),
                    };
                    sources.push(VariableSource {
                        environment: e.name.clone(),
                        variable: name,
                        origin: Origin::Prompt { label },
                    });
                    continue;
                }
            };
            variables.insert(name, variable);
        }
        environments.push(Environment {
            name: e.name,
            variables,
        });
    }
    Ok((environments, sources))
}

/// A `.env` file: `KEY=VALUE` lines.
///
/// `export KEY=VALUE` is accepted; `#` starts a comment (at the start of
/// a line, or after a space in an unquoted value); a value in single
/// quotes is taken literally, one in double quotes understands `\n`,
/// `\t`, `\r`, `\"`, `\\` and `\$`; either kind of quote may span lines.
/// No `${VAR}` expansion: values may use portico's `{{var}}` instead. A
/// line that is none of these is skipped with a warning naming it.
#[derive(Debug, Clone, Default)]
pub struct DotEnv {
    pub path: PathBuf,
    pub variables: IndexMap<String, Variable>,
    pub warnings: Vec<FileWarning>,
}

impl DotEnv {
    /// `None` when the file does not exist.
    pub fn load(path: &Path) -> Result<Option<Self>, StoreError> {
        let Some(bytes) = fsio::read_optional(path)? else {
            return Ok(None);
        };
        Ok(Some(Self::parse(&String::from_utf8_lossy(&bytes), path)))
    }

    pub fn parse(text: &str, path: &Path) -> Self {
        let mut out = Self {
            path: path.to_path_buf(),
            ..Self::default()
        };
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let lines: Vec<&str> = text.lines().collect();
        let mut i = 0;
        while i < lines.len() {
            let number = i + 1;
            let line = lines[i].trim();
            i += 1;
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let line = line.strip_prefix("export ").map_or(line, str::trim_start);
            let Some((key, rest)) = line.split_once('=') else {
                out.warn(number, "expected KEY=VALUE");
                continue;
            };
            let key = key.trim();
            if !is_key(key) {
                out.warn(number, &format!("invalid variable name {key:?}"));
                continue;
            }
            let rest = rest.trim_start();
            let value = match rest.chars().next() {
                Some(quote @ ('"' | '\'')) => {
                    // The value may continue on the next lines.
                    let mut raw = rest[1..].to_string();
                    let mut closed = find_close(&raw, quote);
                    while closed.is_none() && i < lines.len() {
                        raw.push('\n');
                        raw.push_str(lines[i]);
                        i += 1;
                        closed = find_close(&raw, quote);
                    }
                    let Some(end) = closed else {
                        out.warn(number, &format!("unclosed {quote} quote"));
                        continue;
                    };
                    let after = raw[end + 1..].trim();
                    if !after.is_empty() && !after.starts_with('#') {
                        out.warn(number, "unexpected text after the closing quote");
                        continue;
                    }
                    let inner = &raw[..end];
                    if quote == '"' {
                        unescape(inner)
                    } else {
                        inner.to_string()
                    }
                }
                _ => {
                    let end = rest
                        .char_indices()
                        .find(|&(j, c)| {
                            c == '#' && rest[..j].ends_with(|p: char| p.is_whitespace())
                        })
                        .map_or(rest.len(), |(j, _)| j);
                    rest[..end].trim_end().to_string()
                }
            };
            out.variables.insert(
                key.to_string(),
                Variable {
                    value,
                    secret: is_secret_name(key),
                },
            );
        }
        out
    }

    fn warn(&mut self, line: usize, message: &str) {
        self.warnings.push(FileWarning {
            path: self.path.clone(),
            line,
            message: format!("{message}; line skipped"),
        });
    }
}

fn is_key(key: &str) -> bool {
    let mut chars = key.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'))
}

/// The index of the closing quote; a backslash escapes in double quotes.
fn find_close(text: &str, quote: char) -> Option<usize> {
    let mut escaped = false;
    for (i, c) in text.char_indices() {
        if escaped {
            escaped = false;
        } else if c == '\\' && quote == '"' {
            escaped = true;
        } else if c == quote {
            return Some(i);
        }
    }
    None
}

fn unescape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n') => out.push('\n'),
            Some('t') => out.push('\t'),
            Some('r') => out.push('\r'),
            Some(other @ ('"' | '\\' | '$')) => out.push(other),
            Some(other) => {
                out.push('\\');
                out.push(other);
            }
            None => out.push('\\'),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn var(value: &str) -> Variable {
        Variable {
            value: value.into(),
            secret: false,
        }
    }

    #[test]
    fn variables_name_where_their_values_live() {
        let text = "[[environment]]\nname = \"prod\"\n[environment.variables]\n\
                    plain = \"x\"\n\
                    token = { command = \"pass show api\" }\n\
                    key = { keychain = \"prod key\" }\n\
                    other = { keychain = \"k\", service = \"vault\" }\n\
                    asked = { prompt = \"API key for prod\" }\n\
                    unlabelled = { prompt = true }\n";
        let (environments, sources) = parse_user(
            text.as_bytes(),
            Path::new("environments.toml"),
            &mut Vec::new(),
        )
        .expect("parses");
        assert_eq!(
            environments[0].variables.len(),
            1,
            "only `plain` has a value"
        );
        let origins: Vec<(&str, &Origin)> = sources
            .iter()
            .map(|s| (s.variable.as_str(), &s.origin))
            .collect();
        assert_eq!(
            origins,
            [
                ("token", &Origin::Command("pass show api".into())),
                (
                    "key",
                    &Origin::Keychain {
                        service: "portico".into(),
                        entry: "prod key".into()
                    }
                ),
                (
                    "other",
                    &Origin::Keychain {
                        service: "vault".into(),
                        entry: "k".into()
                    }
                ),
                (
                    "asked",
                    &Origin::Prompt {
                        label: "API key for prod".into()
                    }
                ),
                (
                    "unlabelled",
                    &Origin::Prompt {
                        label: "value of `unlabelled` (environment prod)".into()
                    }
                ),
            ]
        );
    }

    #[test]
    fn dotenv_syntax() {
        let text = "\u{feff}# comment\n\
            A=plain\n\
            export B = spaced value  # trailing comment\n\
            C=\"line\\nbreak \\\"q\\\" # not a comment\"\n\
            D='single $literal \\n'\n\
            E=\"multi\n\
            line\"\n\
            URL=http://x/#frag\n\
            API_KEY=s3cret\n\
            EMPTY=\n\
            not a line\n\
            9BAD=x\n\
            F=\"unclosed\n";
        let dotenv = DotEnv::parse(text, Path::new("/w/.env"));
        let got: Vec<(&str, &str)> = dotenv
            .variables
            .iter()
            .map(|(k, v)| (k.as_str(), v.value.as_str()))
            .collect();
        assert_eq!(
            got,
            [
                ("A", "plain"),
                ("B", "spaced value"),
                ("C", "line\nbreak \"q\" # not a comment"),
                ("D", "single $literal \\n"),
                ("E", "multi\nline"),
                ("URL", "http://x/#frag"),
                ("API_KEY", "s3cret"),
                ("EMPTY", ""),
            ]
        );
        assert!(dotenv.variables["API_KEY"].secret);
        assert!(!dotenv.variables["A"].secret);
        let warnings: Vec<String> = dotenv.warnings.iter().map(ToString::to_string).collect();
        assert_eq!(
            warnings,
            [
                "/w/.env:11: expected KEY=VALUE; line skipped",
                "/w/.env:12: invalid variable name \"9BAD\"; line skipped",
                "/w/.env:13: unclosed \" quote; line skipped",
            ]
        );
    }

    #[test]
    fn layers_merge_by_name_and_variable() {
        let catalog = vec![
            Environment {
                name: "demo".into(),
                variables: [("a".to_string(), var("1")), ("b".to_string(), var("2"))]
                    .into_iter()
                    .collect(),
            },
            Environment {
                name: "prod".into(),
                variables: IndexMap::new(),
            },
        ];
        let user = vec![
            Environment {
                name: "demo".into(),
                variables: [("b".to_string(), var("20"))].into_iter().collect(),
            },
            Environment {
                name: "mine".into(),
                variables: [("c".to_string(), var("3"))].into_iter().collect(),
            },
        ];
        let environments = Environments {
            list: merge(&catalog, user),
            dotenv: Some(DotEnv::parse("a=100\n", Path::new(".env"))),
            ..Environments::default()
        };
        assert_eq!(environments.names(), ["demo", "prod", "mine"]);
        let vars = environments.vars(None).expect("first");
        assert_eq!(vars.get("a").map(|v| v.value.as_str()), Some("100"));
        assert_eq!(vars.get("b").map(|v| v.value.as_str()), Some("20"));
        let vars = environments.vars(Some("mine")).expect("mine");
        assert_eq!(vars.get("c").map(|v| v.value.as_str()), Some("3"));
        let error = environments.vars(Some("nope")).expect_err("unknown");
        assert_eq!(
            error.to_string(),
            "no environment named `nope` (known: demo, prod, mine)"
        );
    }

    #[test]
    fn user_file_errors_have_positions() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("environments.toml");
        std::fs::write(
            &path,
            "[[environment]]\nname = \"x\"\n[environment.variables]\nk = \n",
        )
        .expect("write");
        let error = load_user_file(&path, &mut Vec::new()).expect_err("corrupt");
        match error {
            StoreError::Corrupt { line, .. } => assert_eq!(line, 4),
            other => panic!("{other:?}"),
        }
        std::fs::write(
            &path,
            "[[environment]]\nname = \"x\"\n[environment.variables]\nk = 1\ntoken = { value = \"t\", secret = false }\n",
        )
        .expect("write");
        let list = load_user_file(&path, &mut Vec::new()).expect("parses");
        assert_eq!(list[0].variables["k"], var("1"));
        // Named like a secret: masked whatever the file says.
        assert!(list[0].variables["token"].secret);
    }
}

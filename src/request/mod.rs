//! Requests: what the user typed ([`Draft`]) plus variables ([`Vars`]),
//! built into exactly what will be sent ([`BuiltRequest`]) or a specific
//! [`BuildError`].
//!
//! ```text
//! Operation + Draft + Vars --build--> BuiltRequest --(http)--> Exchange
//!                             |
//!                             v
//!                        BuildError (missing parameter, bad JSON,
//!                                    bad header, unknown variable)
//! ```
//!
//! [`Draft::new`] starts a draft from the definition; [`build`] makes the
//! request or names the first problem; [`check`] lists them all and
//! [`preview`] gives both for a live view. Other tools' formats (curl,
//! `.http` files, Postman) are [`crate::interchange`]'s.

use indexmap::IndexMap;
use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::catalog::{Api, ParamLocation, SecurityKind, Variable};

mod body;
mod build;
mod draft;
mod expand;
mod form;
mod vars;

pub use crate::catalog::is_form_media;
pub use body::is_json_content_type;
pub use build::{build, check, preview, sketch};
pub use draft::{fill_form, is_binary_content_type};
pub(crate) use expand::enc;
pub use form::{extension_for, guess_content_type};
pub(crate) use form::{is_multipart, is_urlencoded};
pub use vars::referenced_variables;

/// What the user typed for one operation. Serialisable: presets and
/// history store drafts.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Draft {
    /// Index into the API's servers; ignored when `server_url` is set.
    #[serde(default)]
    pub server: usize,
    /// A base URL that replaces the API's (`--server`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub server_url: Option<String>,
    /// Values for the chosen server's variables.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    pub server_vars: IndexMap<String, String>,
    /// One row per path/query/header/cookie parameter of the operation.
    #[serde(default)]
    pub params: Vec<ParamValue>,
    /// Query parameters the definition does not know about.
    #[serde(default)]
    pub extra_query: Vec<Row>,
    #[serde(default)]
    pub headers: Vec<Row>,
    /// Credentials for the operation's security schemes.
    #[serde(default)]
    pub auth: Vec<AuthValue>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content_type: Option<String>,
    /// Body text as typed (may hold `{{variables}}`); empty means no body.
    #[serde(default)]
    pub body: String,
    /// A form body's fields (`application/x-www-form-urlencoded` or
    /// `multipart/form-data`), encoded by the build; when there are any,
    /// they are the body and `body` is not sent.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub form: Vec<FormField>,
    /// A body sent as a file's bytes (`application/octet-stream`, an
    /// image, a PDF), by path (may hold `{{variables}}`): set, even empty
    /// (no file chosen yet), the body is this and `body` is not sent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body_file: Option<String>,
}

/// One field of a form body: a value, or (multipart only) a file by path.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FormField {
    pub name: String,
    /// The value as typed (may hold `{{variables}}`), or the file's path.
    pub value: String,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub file: bool,
    #[serde(default = "yes")]
    pub enabled: bool,
}

/// A value for one of the operation's parameters.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ParamValue {
    pub name: String,
    pub location: ParamLocation,
    /// As typed; arrays are comma-separated. Empty optional parameters are
    /// left out of the request.
    pub value: String,
    #[serde(default = "yes")]
    pub enabled: bool,
}

/// A free name/value row (header or extra query parameter).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Row {
    pub name: String,
    pub value: String,
    #[serde(default = "yes")]
    pub enabled: bool,
}

/// A credential for one security scheme of the API, or for one the
/// definition does not declare (`ad_hoc`: any request can carry one).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuthValue {
    /// The security scheme's name in the definition; for an ad hoc
    /// credential, a name of its own (`basic`, `bearer`, `api_key`) that
    /// presets use for its `{{variable}}`.
    pub scheme: String,
    /// Key or token; for basic auth, the password.
    pub value: String,
    /// Basic auth only.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub username: String,
    /// How to send a credential the definition does not declare.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ad_hoc: Option<AdHocAuth>,
    /// Switched off, the credential is not sent and its OAuth 2.0 scheme
    /// gets no token: for a request that authenticates another way (Slack's
    /// `token` parameter beside its declared OAuth scheme).
    #[serde(default = "yes", skip_serializing_if = "is_yes")]
    pub enabled: bool,
}

/// A kind of credential any request can carry, whatever its definition
/// declares: what `-u`, `--bearer` and the Auth tab's added rows send.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum AdHocAuth {
    /// `Authorization: Basic base64(user:password)`.
    Basic,
    /// `Authorization: Bearer <token>`.
    Bearer,
    /// A key in a header, query parameter or cookie of any name.
    ApiKey {
        name: String,
        #[serde(rename = "in")]
        location: ParamLocation,
    },
}

impl AdHocAuth {
    /// The scheme kind the build sends it as.
    pub fn kind(&self) -> SecurityKind {
        match self {
            Self::Basic => SecurityKind::Basic,
            Self::Bearer => SecurityKind::Bearer { format: None },
            Self::ApiKey { name, location } => SecurityKind::ApiKey {
                param: name.clone(),
                location: *location,
            },
        }
    }

    /// The credential's own name, for its row and its preset variable.
    pub fn scheme_name(&self) -> &'static str {
        match self {
            Self::Basic => "basic",
            Self::Bearer => "bearer",
            Self::ApiKey { .. } => "api_key",
        }
    }
}

impl AuthValue {
    /// A credential for the declared scheme `scheme`, switched on.
    pub fn declared(scheme: &str, value: String, username: String) -> Self {
        Self {
            scheme: scheme.to_string(),
            value,
            username,
            ad_hoc: None,
            enabled: true,
        }
    }

    /// An ad hoc credential: `value` is the token, key or password.
    pub fn ad_hoc(kind: AdHocAuth, username: &str, value: &str) -> Self {
        Self {
            scheme: kind.scheme_name().to_string(),
            value: value.to_string(),
            username: username.to_string(),
            ad_hoc: Some(kind),
            enabled: true,
        }
    }

    /// How the build sends it: the added kind, else the declared scheme's
    /// (`None` for a scheme the API no longer declares).
    pub fn kind(&self, api: &Api) -> Option<SecurityKind> {
        match &self.ad_hoc {
            Some(ad_hoc) => Some(ad_hoc.kind()),
            None => api
                .security_schemes
                .iter()
                .find(|s| s.name == self.scheme)
                .map(|s| s.kind.clone()),
        }
    }

    /// Whether the build sends something for it: switched on and filled
    /// (basic auth by either half, anything else by its value; a
    /// `{{variable}}` counts as filled), as `apply_auth` decides.
    pub fn is_given(&self, kind: &SecurityKind) -> bool {
        let filled = |text: &str| !text.trim().is_empty();
        self.enabled
            && match kind {
                SecurityKind::Basic => filled(&self.value) || filled(&self.username),
                _ => filled(&self.value),
            }
    }
}

impl Draft {
    /// Whether the request carries an `Authorization` header the user
    /// gave (a header row, a header parameter or a credential), other than
    /// the credential for `scheme`. The first `Authorization` wins, so a
    /// token fetched for `scheme` would not be sent.
    pub fn gives_authorization(&self, api: &Api, scheme: &str) -> bool {
        let named = |name: &str, value: &str, enabled: bool| {
            enabled && name.eq_ignore_ascii_case("authorization") && !value.trim().is_empty()
        };
        self.headers
            .iter()
            .any(|h| named(&h.name, &h.value, h.enabled))
            || self
                .params
                .iter()
                .any(|p| p.location == ParamLocation::Header && named(&p.name, &p.value, p.enabled))
            || self.auth.iter().any(|a| {
                if a.ad_hoc.is_none() && a.scheme == scheme {
                    return false;
                }
                let Some(kind) = a.kind(api) else {
                    return false;
                };
                let sends_authorization = match &kind {
                    SecurityKind::Basic
                    | SecurityKind::Bearer { .. }
                    | SecurityKind::OAuth2 { .. } => true,
                    // A key whose header is `Authorization` (some gateways).
                    SecurityKind::ApiKey { param, location } => {
                        *location == ParamLocation::Header
                            && param.eq_ignore_ascii_case("authorization")
                    }
                    SecurityKind::Other { .. } => false,
                };
                sends_authorization && a.is_given(&kind)
            })
    }
}

fn yes() -> bool {
    true
}

fn is_yes(value: &bool) -> bool {
    *value
}

/// The variables a build may substitute: the active environment, then
/// values captured from earlier responses (which win), and `{{env:NAME}}`
/// from the process environment.
#[derive(Debug, Clone, Default)]
pub struct Vars {
    pub environment: IndexMap<String, Variable>,
    pub captured: IndexMap<String, Variable>,
}

impl Vars {
    /// A variable by name; a captured value wins over the environment's.
    pub fn get(&self, name: &str) -> Option<&Variable> {
        self.captured
            .get(name)
            .or_else(|| self.environment.get(name))
    }

    /// Every variable name, captured ones first, without repeats.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.captured.keys().map(String::as_str).chain(
            self.environment
                .keys()
                .filter(|k| !self.captured.contains_key(*k))
                .map(String::as_str),
        )
    }
}

/// A request ready to send: every template expanded, every variable
/// substituted, headers validated.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct BuiltRequest {
    pub method: String,
    pub url: String,
    pub headers: Vec<(String, String)>,
    pub body: Option<Vec<u8>>,
    /// Values substituted from secrets, for masking anything derived.
    pub secret_values: Vec<String>,
    /// The fields a form body was encoded from (values substituted, files
    /// by path), so that an export can write the form as fields rather
    /// than as its bytes; empty for any other body.
    pub form: Vec<FormField>,
    /// The file a binary body was read from (variables substituted), so
    /// that an export can name it rather than hold its bytes.
    pub body_file: Option<String>,
}

/// Why a draft cannot be sent, with what and where.
#[derive(Debug, Clone, Error, PartialEq, Eq)]
pub enum BuildError {
    #[error("missing required {location} parameter `{name}`")]
    MissingParameter { name: String, location: String },
    /// Refused rather than sent: a CR or LF would split the header.
    #[error("invalid header `{name}`: {reason}")]
    InvalidHeader { name: String, reason: String },
    #[error("the body is not valid JSON: {message} at line {line}, column {column}")]
    InvalidJson {
        line: usize,
        column: usize,
        message: String,
    },
    /// `used_in` says where, e.g. "header `Authorization`" or "body".
    #[error("unknown variable `{{{{{name}}}}}` in {used_in}")]
    UnknownVariable { name: String, used_in: String },
    #[error(
        "the server URL `{url}` is relative; give a base URL with --server (e.g. --server http://127.0.0.1:8080{url})"
    )]
    RelativeServer { url: String },
    #[error("the API defines no server; give a base URL with --server")]
    NoServer,
    #[error("server variable `{name}` of `{url}` has no value")]
    MissingServerVariable { name: String, url: String },
    #[error("invalid URL `{url}`: {message}")]
    InvalidUrl { url: String, message: String },
    /// A multipart field's file that cannot be read.
    #[error("{message}")]
    FormFile { message: String },
}

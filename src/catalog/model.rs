//! The catalog model: what portico knows about APIs, whatever format the
//! definition came in (OpenAPI 3.x, Swagger 2.0 or a portal file).
//!
//! Loaders normalise into these types; everything else (request building,
//! the CLI, the TUI) reads only these types. Fields are additive: a loader
//! that cannot fill one leaves it empty and records a [`Warning`] instead
//! of failing the whole definition.

use std::fmt;
use std::sync::Arc;

use indexmap::IndexMap;
use serde::Serialize;
use serde_json::Value;

/// Where an operation sits in a [`Catalog`]: the index of its API, then
/// its own index in that API; [`Catalog::operation`] looks it up.
pub type OpRef = (usize, usize);

/// Every API loaded from the sources given on the command line.
#[derive(Debug, Clone, Default)]
pub struct Catalog {
    /// A portal file's `title`; the first one wins when several load.
    pub title: Option<String>,
    pub apis: Vec<Api>,
    /// Named environments of variables (from portal files).
    pub environments: Vec<Environment>,
    /// Named sequences of calls (a portal file's `[[flow]]`s), run by
    /// `crate::flow`.
    pub flows: Vec<Flow>,
    /// Problems that degraded one item but let the rest load.
    pub warnings: Vec<Warning>,
}

/// One API: a definition file, or one `[[api]]` of a portal file.
#[derive(Debug, Clone, Default)]
pub struct Api {
    /// Short identifier, unique within the catalog (slug of the title, or
    /// the portal's name); used in selectors such as `petstore:listPets`.
    pub id: String,
    pub title: String,
    pub version: String,
    pub description: Option<String>,
    /// Where the definition came from (path or URL), for messages.
    pub source: String,
    /// Base URLs; the first is the default.
    pub servers: Vec<Server>,
    pub security_schemes: Vec<SecurityScheme>,
    /// The API-wide security requirements (alternatives).
    pub security: Vec<SecurityRequirement>,
    /// Headers sent with every request of this API (portal files).
    pub default_headers: Vec<(String, String)>,
    /// Send without checking the server's TLS certificate (a self-signed
    /// test gateway). Off unless the user asks for it: `tls_verify = false`
    /// in a portal file, `--insecure`, or the TUI's switch; every screen
    /// that sends shows it.
    pub skip_tls_verify: bool,
    pub operations: Vec<Operation>,
    /// Webhooks and callbacks: documentation only, never callable.
    pub webhooks: Vec<Operation>,
    /// The parsed definition, kept for lazy work (body samples from schemas
    /// with `$ref`s). `None` for APIs that come from a portal file alone.
    pub document: Option<Arc<Document>>,
}

/// A parsed definition and the other files its `$ref`s reached.
///
/// Read it through [`Document::pointer`], [`Document::entries`],
/// [`Document::resolve`] and [`Document::deref`]: a JSON definition is
/// parsed part by part on first use (see `catalog::document`), so `root`
/// is `Null` for it.
#[derive(Debug, Default)]
pub struct Document {
    /// Path or URL of the root file (file paths are made absolute).
    pub location: String,
    /// The root as one value, for documents parsed eagerly (YAML, or built
    /// with [`Document::from_value`]); `Null` for lazily parsed JSON.
    pub root: Value,
    /// Other documents reached by `$ref`, keyed by their absolute location.
    pub external: IndexMap<String, Value>,
    /// The root's JSON text, parsed lazily.
    pub(crate) lazy: Option<super::document::LazyRoot>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Server {
    /// URL template, e.g. `{scheme}://api.example.com/v1`.
    pub url: String,
    pub description: Option<String>,
    pub variables: IndexMap<String, ServerVariable>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ServerVariable {
    pub default: String,
    pub enum_values: Vec<String>,
    pub description: Option<String>,
}

/// What identifies an operation across restarts and definition edits:
/// operationIds are neither unique nor always present in real definitions.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, serde::Deserialize)]
pub struct OperationKey {
    pub api: String,
    pub method: String,
    /// The operation's path template (see [`Operation::path`]).
    pub path: String,
}

impl fmt::Display for OperationKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {} {}", self.api, self.method, self.path)
    }
}

#[derive(Debug, Clone, Default)]
pub struct Operation {
    /// Upper-case HTTP method (`GET`, `POST`, ...).
    pub method: String,
    /// Path template, e.g. `/pets/{petId}`. Azure's `x-ms-paths` keep the
    /// fixed query that tells them apart (`/jobs?op=start`); the request
    /// builder moves it to the query string.
    pub path: String,
    /// A portal operation's display name; `None` for OpenAPI operations.
    pub display_name: Option<String>,
    pub operation_id: Option<String>,
    pub summary: Option<String>,
    pub description: Option<String>,
    pub tags: Vec<String>,
    pub deprecated: bool,
    /// Path-level parameters already merged in; template query parameters
    /// of portal files appear here as `Query` parameters.
    pub parameters: Vec<Parameter>,
    pub request_body: Option<RequestBody>,
    pub responses: Vec<ResponseDoc>,
    /// `None` inherits the API's requirements; `Some(vec![])` means none.
    pub security: Option<Vec<SecurityRequirement>>,
    /// Values to capture from this operation's response (portal files).
    pub captures: Vec<Capture>,
}

impl Operation {
    /// The name a person reads: display name, else summary, else
    /// operationId, else `METHOD /path`.
    pub fn title(&self) -> String {
        self.given_title()
            .unwrap_or_else(|| format!("{} {}", self.method, self.path))
    }

    /// The name the definition gives (display name, summary or
    /// operationId); `None` when [`Operation::title`] falls back to the
    /// method and path, which a row that shows them already says.
    pub fn given_title(&self) -> Option<String> {
        self.display_name
            .clone()
            .or_else(|| self.summary.clone().filter(|s| !s.trim().is_empty()))
            .or_else(|| self.operation_id.clone())
    }

    pub fn key(&self, api: &Api) -> OperationKey {
        OperationKey {
            api: api.id.clone(),
            method: self.method.clone(),
            path: self.path.clone(),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ParamLocation {
    Path,
    Query,
    Header,
    Cookie,
}

impl ParamLocation {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Path => "path",
            Self::Query => "query",
            Self::Header => "header",
            Self::Cookie => "cookie",
        }
    }
}

/// OpenAPI serialisation styles for parameters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum ParamStyle {
    Simple,
    Label,
    Matrix,
    Form,
    SpaceDelimited,
    PipeDelimited,
    DeepObject,
}

#[derive(Debug, Clone)]
pub struct Parameter {
    pub name: String,
    pub location: ParamLocation,
    pub required: bool,
    pub description: Option<String>,
    pub deprecated: bool,
    pub schema: SchemaSummary,
    pub style: ParamStyle,
    pub explode: bool,
    /// An example from the parameter or its schema.
    pub example: Option<Value>,
    /// For a portal URL-template parameter, the template variable that fills
    /// it (`apiversion` in `?api-version={apiversion}`); a draft prefills the
    /// parameter with `{{apiversion}}` when the environment defines it.
    pub template_variable: Option<String>,
    /// The schema as written, kept only when it has structure to show as
    /// a tree (an object, items that are objects, variants): the scalar
    /// ones, nearly all, are all in `schema`.
    pub schema_value: Option<Value>,
}

/// The parts of a schema a form needs, already resolved through `$ref`.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct SchemaSummary {
    /// `string`, `integer`, `array`, ... (the first non-null of a list).
    pub type_name: Option<String>,
    pub format: Option<String>,
    pub enum_values: Vec<Value>,
    pub default: Option<Value>,
    /// For arrays: the items' type.
    pub items_type: Option<String>,
}

#[derive(Debug, Clone, Default)]
pub struct RequestBody {
    pub description: Option<String>,
    pub required: bool,
    /// One entry per content type, in definition order.
    pub content: Vec<MediaType>,
}

/// `application/x-www-form-urlencoded` or `multipart/form-data`: a body
/// whose fields are edited and encoded, not typed as text.
pub fn is_form_media(content_type: &str) -> bool {
    let t = content_type.trim_start().to_ascii_lowercase();
    t.starts_with("application/x-www-form-urlencoded") || t.starts_with("multipart/form-data")
}

#[derive(Debug, Clone, Default)]
pub struct MediaType {
    pub content_type: String,
    /// The schema as written (may hold `$ref`s into [`Api::document`]).
    pub schema: Option<Value>,
    /// Named examples; a single `example` is named `example`.
    pub examples: Vec<Example>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Example {
    pub name: String,
    pub summary: Option<String>,
    pub value: Value,
}

#[derive(Debug, Clone, Default)]
pub struct ResponseDoc {
    /// `200`, `4XX` or `default`.
    pub status: String,
    pub description: Option<String>,
    /// Each media type with its schema and examples, in definition order.
    pub content: Vec<MediaType>,
}

impl ResponseDoc {
    /// The media types documented, in definition order.
    pub fn content_types(&self) -> Vec<&str> {
        self.content
            .iter()
            .map(|m| m.content_type.as_str())
            .collect()
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SecurityScheme {
    /// The key under `components.securitySchemes`.
    pub name: String,
    pub kind: SecurityKind,
    pub description: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SecurityKind {
    /// A key sent in a header, query parameter or cookie (this is also
    /// what a gateway's subscription key is).
    ApiKey {
        param: String,
        location: ParamLocation,
    },
    /// `Authorization: Bearer ...`.
    Bearer { format: Option<String> },
    /// `Authorization: Basic base64(user:password)`.
    Basic,
    /// OAuth 2 or OpenID Connect: a bearer token that portico gets from
    /// the authorization server by one of the flows (see [`crate::oauth`]),
    /// or that the user pastes.
    OAuth2 {
        /// The flows the definition offers, in its order.
        flows: Vec<OAuthFlow>,
        /// OpenID Connect: where the discovery document is; the flows'
        /// endpoints come from it.
        openid_connect_url: Option<String>,
    },
    /// Mutual TLS or anything else portico cannot fill in.
    Other { description: String },
}

/// One OAuth 2.0 flow of a security scheme, with its endpoints as the
/// definition writes them (possibly relative to the API's server).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OAuthFlow {
    pub grant: OAuthGrant,
    pub authorization_url: Option<String>,
    pub token_url: Option<String>,
    pub refresh_url: Option<String>,
    pub device_authorization_url: Option<String>,
    /// Scope name and its description.
    pub scopes: Vec<(String, String)>,
}

/// The ways of getting a token that OpenAPI names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum OAuthGrant {
    ClientCredentials,
    AuthorizationCode,
    DeviceCode,
    Implicit,
    Password,
}

impl OAuthGrant {
    /// The name people and the CLI use (`--flow`).
    pub fn name(self) -> &'static str {
        match self {
            Self::ClientCredentials => "client-credentials",
            Self::AuthorizationCode => "authorization-code",
            Self::DeviceCode => "device-code",
            Self::Implicit => "implicit",
            Self::Password => "password",
        }
    }

    /// Parses [`OAuthGrant::name`].
    pub fn from_name(name: &str) -> Option<Self> {
        [
            Self::ClientCredentials,
            Self::AuthorizationCode,
            Self::DeviceCode,
            Self::Implicit,
            Self::Password,
        ]
        .into_iter()
        .find(|g| g.name() == name)
    }
}

/// Alternatives are a `Vec<SecurityRequirement>`; within one requirement
/// every named scheme applies together.
pub type SecurityRequirement = Vec<(String, Vec<String>)>;

/// A value captured from a response into a variable, e.g. the demo's
/// BES Submit captures the job id with `$` into `jobid`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct Capture {
    pub variable: String,
    /// RFC 9535 JSONPath evaluated on the JSON response body.
    pub path: String,
}

/// A named sequence of calls, each feeding the next through captured
/// variables (the demo's batch job: upload, submit, start, poll, download).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Flow {
    pub name: String,
    pub description: Option<String>,
    /// The portal file that declared it, for messages.
    pub source: String,
    pub steps: Vec<FlowStep>,
}

/// One call of a [`Flow`]: an operation prefilled like a new draft, then
/// these overrides (values may hold `{{variables}}` captured earlier).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FlowStep {
    /// Shown in progress and reports; defaults to the operation selector.
    pub name: Option<String>,
    /// An operation selector, as [`Catalog::select`] takes it.
    pub operation: String,
    /// Parameter values by name (or template variable); an unknown name is
    /// an extra query parameter.
    pub params: Vec<(String, String)>,
    /// Headers that replace those of the same name.
    pub headers: Vec<(String, String)>,
    pub body: Option<String>,
    /// Captured after the step succeeds, after the operation's own.
    pub captures: Vec<Capture>,
    pub poll: Option<Poll>,
    /// Acceptable statuses: codes (`200`) or classes (`2xx`). Empty means
    /// any 2xx.
    pub expect: Vec<String>,
}

/// Repeats a request until a JSONPath value says the work is done.
#[derive(Debug, Clone, PartialEq)]
pub struct Poll {
    /// Seconds between attempts.
    pub every: f64,
    /// RFC 9535 JSONPath evaluated on each JSON response.
    pub until: String,
    /// The values of `until` that end the poll; empty: any value found.
    pub values: Vec<String>,
    /// The ending values that count as success; empty: all of them. Another
    /// ending value fails the step.
    pub success: Vec<String>,
    /// A JSONPath whose value explains a failure (the demo's `$.Details`).
    pub details: Option<String>,
    /// Attempts at most (429 answers waited out are not counted).
    pub max_attempts: Option<u32>,
    /// Seconds the whole poll may take.
    pub timeout: Option<f64>,
}

impl Default for Poll {
    fn default() -> Self {
        Self {
            every: 1.0,
            until: "$".into(),
            values: Vec::new(),
            success: Vec::new(),
            details: None,
            max_attempts: None,
            timeout: Some(300.0),
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Environment {
    pub name: String,
    pub variables: IndexMap<String, Variable>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Variable {
    pub value: String,
    /// Masked on screen, in previews and in history.
    pub secret: bool,
}

/// A problem in one part of a definition that did not stop the rest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Warning {
    /// File path or URL.
    pub source: String,
    /// JSON pointer of the item, e.g. `/paths/~1pets/get`.
    pub pointer: Option<String>,
    pub message: String,
}

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.pointer {
            Some(p) => write!(f, "{} at {}: {}", self.source, p, self.message),
            None => write!(f, "{}: {}", self.source, self.message),
        }
    }
}

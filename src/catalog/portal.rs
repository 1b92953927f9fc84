//! Portal files (TOML): APIs described the way an API gateway does, by a
//! service URL and operations written as URL templates, plus includes of
//! OpenAPI/Swagger sources and named environments of variables. The format
//! is documented in README.md ("Portal files").

use std::collections::{BTreeMap, HashSet};

use indexmap::IndexMap;
use serde::Deserialize;
use serde_json::Value;

use super::LoadError;
use super::document::{is_url, join_location};
use super::model::{
    Api, Capture, Catalog, Environment, Example, Flow, FlowStep, MediaType, OAuthFlow, OAuthGrant,
    Operation, ParamLocation, ParamStyle, Parameter, Poll, RequestBody, SchemaSummary,
    SecurityKind, SecurityScheme, Server, Variable, Warning,
};

#[derive(Deserialize)]
struct PortalFile {
    title: Option<String>,
    #[serde(default)]
    include: Vec<Include>,
    #[serde(default)]
    api: Vec<PortalApi>,
    #[serde(default)]
    environment: Vec<PortalEnvironment>,
    #[serde(default)]
    flow: Vec<PortalFlow>,
    #[serde(flatten)]
    unknown: BTreeMap<String, toml::Value>,
}

#[derive(Deserialize)]
struct PortalFlow {
    name: String,
    description: Option<String>,
    #[serde(default)]
    step: Vec<PortalStep>,
    #[serde(flatten)]
    unknown: BTreeMap<String, toml::Value>,
}

#[derive(Deserialize)]
struct PortalStep {
    name: Option<String>,
    op: String,
    #[serde(default)]
    params: IndexMap<String, toml::Value>,
    #[serde(default)]
    headers: Vec<String>,
    body: Option<String>,
    #[serde(default)]
    capture: Vec<Capture>,
    poll: Option<PortalPoll>,
    expect: Option<toml::Value>,
    #[serde(flatten)]
    unknown: BTreeMap<String, toml::Value>,
}

#[derive(Deserialize)]
struct PortalPoll {
    every: Option<f64>,
    until: String,
    #[serde(default, rename = "in")]
    values: Vec<toml::Value>,
    #[serde(default)]
    success: Vec<toml::Value>,
    details: Option<String>,
    max_attempts: Option<u32>,
    timeout: Option<f64>,
    #[serde(flatten)]
    unknown: BTreeMap<String, toml::Value>,
}

#[derive(Deserialize)]
struct Include {
    source: String,
    tls_verify: Option<bool>,
    #[serde(default)]
    headers: Vec<String>,
    #[serde(flatten)]
    unknown: BTreeMap<String, toml::Value>,
}

#[derive(Deserialize)]
struct PortalApi {
    id: String,
    title: Option<String>,
    version: Option<String>,
    description: Option<String>,
    service_url: String,
    url_suffix: Option<String>,
    #[serde(default)]
    headers: Vec<String>,
    tls_verify: Option<bool>,
    oauth2: Option<PortalOAuth>,
    #[serde(default)]
    operation: Vec<PortalOperation>,
    #[serde(flatten)]
    unknown: BTreeMap<String, toml::Value>,
}

/// An API the gateway protects with OAuth 2.0: the authorization
/// server's endpoints (relative ones are joined to the service URL's host)
/// and the flows it serves.
#[derive(Deserialize)]
struct PortalOAuth {
    name: Option<String>,
    #[serde(default)]
    flows: Vec<String>,
    authorization_url: Option<String>,
    token_url: Option<String>,
    device_authorization_url: Option<String>,
    openid_connect_url: Option<String>,
    #[serde(default)]
    scopes: indexmap::IndexMap<String, String>,
    #[serde(flatten)]
    unknown: BTreeMap<String, toml::Value>,
}

#[derive(Deserialize)]
struct PortalOperation {
    name: String,
    method: String,
    template: String,
    description: Option<String>,
    #[serde(default)]
    tags: Vec<String>,
    content_type: Option<String>,
    body: Option<String>,
    body_file: Option<String>,
    #[serde(default)]
    deprecated: bool,
    #[serde(default)]
    param: Vec<PortalParam>,
    #[serde(default)]
    capture: Vec<Capture>,
    /// The OAuth 2.0 scopes the operation needs (the API's `oauth2`).
    #[serde(default)]
    scopes: Vec<String>,
    #[serde(flatten)]
    unknown: BTreeMap<String, toml::Value>,
}

#[derive(Deserialize)]
struct PortalParam {
    name: String,
    description: Option<String>,
    default: Option<toml::Value>,
    #[serde(default, rename = "enum")]
    enum_values: Vec<toml::Value>,
    required: Option<bool>,
    example: Option<toml::Value>,
    #[serde(flatten)]
    unknown: BTreeMap<String, toml::Value>,
}

#[derive(Deserialize)]
struct PortalEnvironment {
    name: String,
    #[serde(default)]
    variables: IndexMap<String, PortalVariable>,
    #[serde(flatten)]
    unknown: BTreeMap<String, toml::Value>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum PortalVariable {
    Full {
        value: toml::Value,
        #[serde(default)]
        secret: bool,
    },
    Plain(toml::Value),
}

/// Whether a source is a portal file: by extension, else by content.
pub(crate) fn is_portal(location: &str, text: &str) -> bool {
    let path = location.split(['?', '#']).next().unwrap_or(location);
    if path.to_ascii_lowercase().ends_with(".toml") {
        return true;
    }
    let start = text.trim_start();
    if start.starts_with('{') {
        return false;
    }
    text.lines().any(|line| {
        matches!(
            line.trim(),
            "[[api]]" | "[[include]]" | "[[environment]]" | "[[flow]]"
        )
    })
}

/// A source a portal file includes.
pub(crate) struct IncludeSource {
    /// Resolved against the portal's location.
    pub location: String,
    /// `tls_verify = false`: every API of the source sends without
    /// checking certificates.
    pub skip_tls_verify: bool,
    /// Sent with every request of the source's APIs (GitHub's
    /// `Authorization: Bearer {{github_token}}`, which its definition
    /// does not declare).
    pub headers: Vec<(String, String)>,
}

/// The portal's own APIs and environments, and the sources it includes.
pub(crate) fn parse(
    text: &str,
    location: &str,
) -> Result<(Catalog, Vec<IncludeSource>), LoadError> {
    let file: PortalFile = toml::from_str(text).map_err(|e| syntax_error(text, location, &e))?;
    let mut cx = Cx {
        location,
        warnings: Vec::new(),
    };
    cx.unknown_keys("", &file.unknown);

    let mut catalog = Catalog {
        title: file.title,
        ..Catalog::default()
    };
    let mut ids = HashSet::new();
    for (i, api) in file.api.into_iter().enumerate() {
        if !ids.insert(api.id.to_ascii_lowercase()) {
            cx.warn(
                &format!("api[{i}]"),
                format!(
                    "API id {:?} is used twice; the second one gets a suffix",
                    api.id
                ),
            );
        }
        catalog.apis.push(cx.api(api, i));
    }
    for (i, environment) in file.environment.into_iter().enumerate() {
        cx.unknown_keys(&format!("environment[{i}]"), &environment.unknown);
        catalog.environments.push(Environment {
            name: environment.name,
            variables: environment
                .variables
                .into_iter()
                .map(|(name, variable)| {
                    let variable = match variable {
                        PortalVariable::Plain(value) => Variable {
                            value: scalar_text(&value),
                            secret: false,
                        },
                        PortalVariable::Full { value, secret } => Variable {
                            value: scalar_text(&value),
                            secret,
                        },
                    };
                    (name, variable)
                })
                .collect(),
        });
    }
    for (i, flow) in file.flow.into_iter().enumerate() {
        let flow = cx.flow(flow, i);
        catalog.flows.push(flow);
    }
    let mut includes = Vec::new();
    for (i, include) in file.include.into_iter().enumerate() {
        let at = format!("include[{i}]");
        cx.unknown_keys(&at, &include.unknown);
        includes.push(IncludeSource {
            location: join_location(location, &include.source),
            skip_tls_verify: include.tls_verify == Some(false),
            headers: cx.headers(&include.headers, &at),
        });
    }
    catalog.warnings = cx.warnings;
    Ok((catalog, includes))
}

fn syntax_error(text: &str, location: &str, error: &toml::de::Error) -> LoadError {
    let (line, column) = error.span().map_or((None, None), |span| {
        let before = &text[..span.start.min(text.len())];
        let line = before.matches('\n').count() + 1;
        let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
        (Some(line), Some(column))
    });
    LoadError::Syntax {
        source_name: location.to_string(),
        line,
        column,
        message: format!("invalid portal file: {}", error.message().trim()),
    }
}

struct Cx<'a> {
    location: &'a str,
    warnings: Vec<Warning>,
}

impl Cx<'_> {
    /// `"Name: value"` lines as pairs; one without a name is a warning.
    fn headers(&mut self, headers: &[String], at: &str) -> Vec<(String, String)> {
        let mut out = Vec::new();
        for header in headers {
            match header.split_once(':') {
                Some((name, value)) if !name.trim().is_empty() => {
                    out.push((name.trim().to_string(), value.trim().to_string()));
                }
                _ => self.warn(
                    at,
                    format!("header {header:?} is not \"Name: value\"; ignored"),
                ),
            }
        }
        out
    }

    fn warn(&mut self, at: &str, message: impl Into<String>) {
        self.warnings.push(Warning {
            source: self.location.to_string(),
            pointer: (!at.is_empty()).then(|| at.to_string()),
            message: message.into(),
        });
    }

    fn unknown_keys(&mut self, at: &str, unknown: &BTreeMap<String, toml::Value>) {
        for key in unknown.keys() {
            self.warn(at, format!("unknown key {key:?} ignored"));
        }
    }

    fn api(&mut self, api: PortalApi, index: usize) -> Api {
        let at = format!("api[{index}]");
        self.unknown_keys(&at, &api.unknown);
        let mut url = api.service_url.trim().trim_end_matches('/').to_string();
        if let Some(suffix) = api
            .url_suffix
            .as_deref()
            .map(|s| s.trim().trim_matches('/'))
            && !suffix.is_empty()
        {
            url.push('/');
            url.push_str(suffix);
        }
        let default_headers = self.headers(&api.headers, &at);
        let scheme = api
            .oauth2
            .map(|oauth| self.oauth_scheme(oauth, &format!("{at}.oauth2")));
        let scheme_name = scheme.as_ref().map(|s| s.name.clone());
        let operations = api
            .operation
            .into_iter()
            .enumerate()
            .filter_map(|(i, op)| {
                self.operation(op, &format!("{at}.operation[{i}]"), scheme_name.as_deref())
            })
            .collect();
        Api {
            title: api.title.unwrap_or_else(|| api.id.clone()),
            id: api.id,
            version: api.version.unwrap_or_default(),
            description: api.description,
            source: self.location.to_string(),
            servers: vec![Server {
                url,
                ..Server::default()
            }],
            default_headers,
            skip_tls_verify: api.tls_verify == Some(false),
            operations,
            security: scheme_name
                .iter()
                .map(|name| vec![(name.clone(), Vec::new())])
                .collect(),
            security_schemes: scheme.into_iter().collect(),
            ..Api::default()
        }
    }

    fn oauth_scheme(&mut self, oauth: PortalOAuth, at: &str) -> SecurityScheme {
        self.unknown_keys(at, &oauth.unknown);
        let scopes: Vec<(String, String)> = oauth.scopes.into_iter().collect();
        let mut flows = Vec::new();
        for name in &oauth.flows {
            let Some(grant) = OAuthGrant::from_name(name) else {
                self.warn(
                    at,
                    format!("flow {name:?} is not client-credentials, authorization-code or device-code; ignored"),
                );
                continue;
            };
            flows.push(OAuthFlow {
                grant,
                authorization_url: oauth.authorization_url.clone(),
                token_url: oauth.token_url.clone(),
                refresh_url: None,
                device_authorization_url: oauth.device_authorization_url.clone(),
                scopes: scopes.clone(),
            });
        }
        SecurityScheme {
            name: oauth.name.unwrap_or_else(|| "oauth2".into()),
            kind: SecurityKind::OAuth2 {
                flows,
                openid_connect_url: oauth.openid_connect_url,
            },
            description: None,
        }
    }

    fn operation(
        &mut self,
        op: PortalOperation,
        at: &str,
        oauth: Option<&str>,
    ) -> Option<Operation> {
        self.unknown_keys(at, &op.unknown);
        let security = match (oauth, op.scopes.is_empty()) {
            (Some(name), false) => Some(vec![vec![(name.to_string(), op.scopes.clone())]]),
            (None, false) => {
                self.warn(at, "scopes given but the API has no oauth2 table; ignored");
                None
            }
            _ => None,
        };
        let method = op.method.trim().to_ascii_uppercase();
        if method.is_empty() || !method.bytes().all(|b| b.is_ascii_alphabetic()) {
            self.warn(
                at,
                format!(
                    "operation {:?}: method {:?} is not an HTTP method; skipped",
                    op.name, op.method
                ),
            );
            return None;
        }
        let template = op.template.trim();
        let (path, query) = template.split_once('?').unwrap_or((template, ""));
        let path = if path.starts_with('/') {
            path.to_string()
        } else {
            format!("/{path}")
        };

        let mut parameters = Vec::new();
        for variable in path_variables(&path) {
            parameters.push(template_param(
                &variable,
                ParamLocation::Path,
                Some(variable.clone()),
                None,
            ));
        }
        for pair in query.split('&').filter(|p| !p.is_empty()) {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            match value.strip_prefix('{').and_then(|v| v.strip_suffix('}')) {
                Some(variable) if !variable.is_empty() => {
                    parameters.push(template_param(
                        key,
                        ParamLocation::Query,
                        Some(variable.to_string()),
                        None,
                    ));
                }
                _ => parameters.push(template_param(
                    key,
                    ParamLocation::Query,
                    None,
                    Some(value.to_string()),
                )),
            }
        }
        for (i, doc) in op.param.into_iter().enumerate() {
            let param_at = format!("{at}.param[{i}]");
            self.unknown_keys(&param_at, &doc.unknown);
            let target = parameters.iter_mut().find(|p| {
                p.template_variable.as_deref() == Some(doc.name.as_str())
                    || (p.template_variable.is_none() && p.name == doc.name)
            });
            let Some(target) = target else {
                self.warn(
                    &param_at,
                    format!(
                        "parameter {:?} is not in the template {template:?}; ignored",
                        doc.name
                    ),
                );
                continue;
            };
            if doc.description.is_some() {
                target.description = doc.description;
            }
            if let Some(default) = &doc.default {
                target.schema.default = Some(Value::String(scalar_text(default)));
            }
            if !doc.enum_values.is_empty() {
                target.schema.enum_values = doc
                    .enum_values
                    .iter()
                    .map(|v| Value::String(scalar_text(v)))
                    .collect();
            }
            if let Some(example) = &doc.example {
                target.example = Some(Value::String(scalar_text(example)));
            }
            if let (Some(required), false) = (doc.required, target.location == ParamLocation::Path)
            {
                target.required = required;
            }
        }

        let body_text = match (op.body, op.body_file) {
            (Some(body), None) => Some(body),
            (body, Some(file)) => {
                if body.is_some() {
                    self.warn(at, "both body and body_file given; body_file wins");
                }
                self.read_body_file(&file, at)
            }
            (None, None) => None,
        };
        let request_body =
            (body_text.is_some() || op.content_type.is_some()).then(|| RequestBody {
                description: None,
                required: false,
                content: vec![MediaType {
                    content_type: op.content_type.unwrap_or_else(|| "application/json".into()),
                    schema: None,
                    examples: body_text
                        .map(|text| Example {
                            name: "sample".into(),
                            summary: None,
                            value: serde_json::from_str(&text).unwrap_or(Value::String(text)),
                        })
                        .into_iter()
                        .collect(),
                }],
            });

        Some(Operation {
            method,
            path,
            display_name: Some(op.name),
            description: op.description,
            tags: op.tags,
            deprecated: op.deprecated,
            parameters,
            request_body,
            captures: op.capture,
            security,
            ..Operation::default()
        })
    }

    fn flow(&mut self, flow: PortalFlow, index: usize) -> Flow {
        let at = format!("flow[{index}]");
        self.unknown_keys(&at, &flow.unknown);
        let mut steps = Vec::new();
        for (i, step) in flow.step.into_iter().enumerate() {
            let step_at = format!("{at}.step[{i}]");
            self.unknown_keys(&step_at, &step.unknown);
            let headers = self.headers(&step.headers, &step_at);
            let poll = step.poll.map(|poll| {
                self.unknown_keys(&format!("{step_at}.poll"), &poll.unknown);
                Poll {
                    every: poll.every.unwrap_or(Poll::default().every),
                    until: poll.until,
                    values: poll.values.iter().map(scalar_text).collect(),
                    success: poll.success.iter().map(scalar_text).collect(),
                    details: poll.details,
                    max_attempts: poll.max_attempts,
                    timeout: poll.timeout.or(Poll::default().timeout),
                }
            });
            let expect = match step.expect {
                None => Vec::new(),
                Some(toml::Value::Array(items)) => items.iter().map(scalar_text).collect(),
                Some(one) => vec![scalar_text(&one)],
            };
            steps.push(FlowStep {
                name: step.name,
                operation: step.op,
                params: step
                    .params
                    .iter()
                    .map(|(name, value)| (name.clone(), scalar_text(value)))
                    .collect(),
                headers,
                body: step.body,
                captures: step.capture,
                poll,
                expect,
            });
        }
        if steps.is_empty() {
            self.warn(&at, format!("flow {:?} has no [[flow.step]]", flow.name));
        }
        Flow {
            name: flow.name,
            description: flow.description,
            source: self.location.to_string(),
            steps,
        }
    }

    fn read_body_file(&mut self, file: &str, at: &str) -> Option<String> {
        let location = join_location(self.location, file);
        if is_url(&location) {
            self.warn(at, format!("body_file {file:?}: only local files are read"));
            return None;
        }
        match super::read_file(std::path::Path::new(&location), true) {
            Ok(bytes) => Some(
                String::from_utf8_lossy(&bytes)
                    .trim_start_matches('\u{feff}')
                    .to_string(),
            ),
            Err(e) => {
                self.warn(at, format!("body_file {location}: {e}"));
                None
            }
        }
    }
}

/// The `{name}`s of a path template, in order.
fn path_variables(path: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = path;
    while let Some(start) = rest.find('{') {
        let after = &rest[start + 1..];
        let Some(end) = after.find('}') else { break };
        let name = &after[..end];
        if !name.is_empty() && !out.iter().any(|n| n == name) {
            out.push(name.to_string());
        }
        rest = &after[end + 1..];
    }
    out
}

fn template_param(
    name: &str,
    location: ParamLocation,
    template_variable: Option<String>,
    literal: Option<String>,
) -> Parameter {
    Parameter {
        name: name.to_string(),
        location,
        required: true,
        description: None,
        deprecated: false,
        schema: SchemaSummary {
            type_name: Some("string".into()),
            default: literal.map(Value::String),
            ..SchemaSummary::default()
        },
        style: if location == ParamLocation::Path {
            ParamStyle::Simple
        } else {
            ParamStyle::Form
        },
        explode: location != ParamLocation::Path,
        example: None,
        template_variable,
        schema_value: None,
    }
}

/// A TOML scalar as the text a user would type.
fn scalar_text(value: &toml::Value) -> String {
    match value {
        toml::Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn template_variables_in_order() {
        assert_eq!(
            path_variables("/w/{workspace}/s/{service}/jobs/{jobid}"),
            ["workspace", "service", "jobid"]
        );
    }

    #[test]
    fn sniffs_portal_files() {
        assert!(is_portal("x.TOML", ""));
        assert!(is_portal("x", "title = 'a'\n[[api]]\nid = 'a'"));
        assert!(!is_portal("x.yaml", "openapi: 3.0.0"));
    }
}

//! Where an API is served and how it is secured: servers (3.x with their
//! variables, 2.0's host, basePath and schemes), security schemes and
//! requirements.

use serde_json::Value;

use super::{Cx, str_field, strings, text};
use crate::catalog::document::{escape_token, is_url, join_location};
use crate::catalog::model::{
    OAuthFlow, OAuthGrant, ParamLocation, SecurityKind, SecurityRequirement, SecurityScheme,
    Server, ServerVariable,
};

impl<'a> Cx<'a, '_> {
    pub(super) fn servers_v3(&mut self) -> Vec<Server> {
        let mut servers = Vec::new();
        if let Some(list) = self.doc.pointer("/servers").and_then(Value::as_array) {
            for server in list {
                let Some(url) = str_field(server, "url") else {
                    continue;
                };
                let variables = server
                    .get("variables")
                    .and_then(Value::as_object)
                    .map(|vars| {
                        vars.iter()
                            .map(|(name, var)| {
                                let variable = ServerVariable {
                                    default: var.get("default").and_then(text).unwrap_or_default(),
                                    enum_values: var
                                        .get("enum")
                                        .and_then(Value::as_array)
                                        .map(|e| e.iter().filter_map(text).collect())
                                        .unwrap_or_default(),
                                    description: str_field(var, "description"),
                                };
                                (name.clone(), variable)
                            })
                            .collect()
                    })
                    .unwrap_or_default();
                servers.push(Server {
                    url: self.absolute_server(&url),
                    description: str_field(server, "description"),
                    variables,
                });
            }
        }
        if servers.is_empty() && is_url(self.source) {
            servers.push(Server {
                url: self.absolute_server("/"),
                ..Server::default()
            });
        }
        servers
    }

    /// A relative server URL is relative to where the definition came from.
    pub(super) fn absolute_server(&self, url: &str) -> String {
        if is_url(self.source) && !url.contains("://") && !url.starts_with('{') {
            let joined = join_location(self.source, url);
            return joined.trim_end_matches('/').to_string();
        }
        url.to_string()
    }

    pub(super) fn servers_v2(&mut self) -> Vec<Server> {
        let base_path = self
            .doc
            .pointer("/basePath")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .trim_end_matches('/');
        let base_path = if base_path.is_empty() || base_path.starts_with('/') {
            base_path.to_string()
        } else {
            format!("/{base_path}")
        };
        let Some(host) = self.doc.pointer("/host").and_then(Value::as_str) else {
            if is_url(self.source) {
                return vec![Server {
                    url: self.absolute_server(if base_path.is_empty() {
                        "/"
                    } else {
                        &base_path
                    }),
                    ..Server::default()
                }];
            }
            if base_path.is_empty() {
                return Vec::new();
            }
            return vec![Server {
                url: base_path,
                ..Server::default()
            }];
        };
        let host = host.trim_end_matches('/');
        let mut schemes = strings(self.doc.pointer("/schemes"));
        if schemes.is_empty() {
            let from_source = if self.source.to_ascii_lowercase().starts_with("http://") {
                "http"
            } else {
                "https"
            };
            schemes.push(from_source.to_string());
        }
        schemes
            .iter()
            .filter(|s| s.eq_ignore_ascii_case("http") || s.eq_ignore_ascii_case("https"))
            .map(|scheme| Server {
                url: format!("{}://{host}{base_path}", scheme.to_ascii_lowercase()),
                ..Server::default()
            })
            .collect()
    }

    pub(super) fn security_schemes(&mut self) -> Vec<SecurityScheme> {
        let section = if self.v2 {
            "/securityDefinitions"
        } else {
            "/components/securitySchemes"
        };
        let mut out = Vec::new();
        for (name, scheme) in self.doc.entries(section) {
            let pointer = format!("{section}/{}", escape_token(name));
            let Some((_, scheme)) = self.deref(self.root, scheme, &pointer) else {
                continue;
            };
            out.push(SecurityScheme {
                name: name.to_string(),
                kind: security_kind(scheme),
                description: str_field(scheme, "description"),
            });
        }
        out
    }
}

fn security_kind(scheme: &Value) -> SecurityKind {
    let kind = scheme
        .get("type")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_ascii_lowercase();
    match kind.as_str() {
        "apikey" => SecurityKind::ApiKey {
            param: str_field(scheme, "name").unwrap_or_default(),
            location: match scheme.get("in").and_then(Value::as_str) {
                Some("query") => ParamLocation::Query,
                Some("cookie") => ParamLocation::Cookie,
                _ => ParamLocation::Header,
            },
        },
        "http" => {
            let http = scheme
                .get("scheme")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_ascii_lowercase();
            match http.as_str() {
                "bearer" => SecurityKind::Bearer {
                    format: str_field(scheme, "bearerFormat"),
                },
                "basic" => SecurityKind::Basic,
                other => SecurityKind::Other {
                    description: format!("HTTP {other} authentication"),
                },
            }
        }
        "basic" => SecurityKind::Basic,
        "oauth2" => SecurityKind::OAuth2 {
            flows: oauth_flows(scheme),
            openid_connect_url: None,
        },
        "openidconnect" => SecurityKind::OAuth2 {
            flows: Vec::new(),
            openid_connect_url: str_field(scheme, "openIdConnectUrl"),
        },
        "mutualtls" => SecurityKind::Other {
            description: "mutual TLS".into(),
        },
        other => SecurityKind::Other {
            description: format!("security scheme of type {other:?}"),
        },
    }
}

/// The flows of an OAuth 2.0 scheme: OpenAPI 3's `flows` object (3.2's
/// `deviceAuthorization` included), or Swagger 2.0's single `flow`.
fn oauth_flows(scheme: &Value) -> Vec<OAuthFlow> {
    let flow = |grant, value: &Value| OAuthFlow {
        grant,
        authorization_url: str_field(value, "authorizationUrl"),
        token_url: str_field(value, "tokenUrl"),
        refresh_url: str_field(value, "refreshUrl"),
        device_authorization_url: str_field(value, "deviceAuthorizationUrl"),
        scopes: value
            .get("scopes")
            .and_then(Value::as_object)
            .map(|scopes| {
                scopes
                    .iter()
                    .map(|(name, about)| (name.clone(), about.as_str().unwrap_or_default().into()))
                    .collect()
            })
            .unwrap_or_default(),
    };
    if let Some(flows) = scheme.get("flows").and_then(Value::as_object) {
        return flows
            .iter()
            .filter_map(|(name, value)| {
                let grant = match name.as_str() {
                    "clientCredentials" => OAuthGrant::ClientCredentials,
                    "authorizationCode" => OAuthGrant::AuthorizationCode,
                    "deviceAuthorization" => OAuthGrant::DeviceCode,
                    "implicit" => OAuthGrant::Implicit,
                    "password" => OAuthGrant::Password,
                    _ => return None,
                };
                Some(flow(grant, value))
            })
            .collect();
    }
    let grant = match scheme.get("flow").and_then(Value::as_str) {
        Some("application") => OAuthGrant::ClientCredentials,
        Some("accessCode") => OAuthGrant::AuthorizationCode,
        Some("implicit") => OAuthGrant::Implicit,
        Some("password") => OAuthGrant::Password,
        _ => return Vec::new(),
    };
    vec![flow(grant, scheme)]
}

pub(super) fn requirements(value: Option<&Value>) -> Vec<SecurityRequirement> {
    value
        .and_then(Value::as_array)
        .map(|alternatives| {
            alternatives
                .iter()
                .filter_map(Value::as_object)
                .map(|requirement| {
                    requirement
                        .iter()
                        .map(|(name, scopes)| (name.clone(), strings(Some(scopes))))
                        .collect()
                })
                .collect()
        })
        .unwrap_or_default()
}

//! Parameter serialisation: OpenAPI styles (simple, label, matrix, form,
//! spaceDelimited, pipeDelimited, deepObject) with explode, and the
//! percent-encoding each part of a request needs.
//!
//! Values arrive as typed in a form: arrays as comma-separated text (or a
//! JSON array), objects as `k=v,k2=v2`, `k,v,k2,v2` or a JSON object.

use percent_encoding::{AsciiSet, CONTROLS, NON_ALPHANUMERIC, utf8_percent_encode};
use serde_json::Value;

use crate::catalog::{ParamLocation, ParamStyle, SchemaSummary};

/// Everything but RFC 3986 unreserved characters: safe in a path segment
/// (`a/b` -> `a%2Fb`) and in a query name or value (`open now` ->
/// `open%20now`, `a&b=c` -> `a%26b%3Dc`).
pub(crate) const COMPONENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// What may not appear in a cookie value (RFC 6265 cookie-octet); non-ASCII
/// is always encoded by `percent_encoding`.
const COOKIE: &AsciiSet = &CONTROLS.add(b' ').add(b'"').add(b',').add(b';').add(b'\\');

pub(crate) fn enc(text: &str) -> String {
    utf8_percent_encode(text, COMPONENT).to_string()
}

fn enc_cookie(text: &str) -> String {
    utf8_percent_encode(text, COOKIE).to_string()
}

/// A parameter value shaped by its schema.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Shaped {
    Prim(String),
    Array(Vec<String>),
    Object(Vec<(String, String)>),
}

impl Shaped {
    pub fn is_empty(&self) -> bool {
        match self {
            Self::Prim(s) => s.is_empty(),
            Self::Array(items) => items.is_empty(),
            Self::Object(pairs) => pairs.is_empty(),
        }
    }
}

fn json_scalar(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

/// Reads a typed value as the schema's shape.
pub(crate) fn shape(text: &str, schema: Option<&SchemaSummary>) -> Shaped {
    let type_name = schema.and_then(|s| s.type_name.as_deref());
    match type_name {
        Some("array") => {
            let trimmed = text.trim();
            if trimmed.starts_with('[')
                && let Ok(Value::Array(items)) = serde_json::from_str::<Value>(trimmed)
            {
                return Shaped::Array(items.iter().map(json_scalar).collect());
            }
            if trimmed.is_empty() {
                return Shaped::Array(Vec::new());
            }
            Shaped::Array(text.split(',').map(|s| s.trim().to_string()).collect())
        }
        Some("object") => {
            let trimmed = text.trim();
            if trimmed.starts_with('{')
                && let Ok(Value::Object(map)) = serde_json::from_str::<Value>(trimmed)
            {
                return Shaped::Object(
                    map.iter()
                        .map(|(k, v)| (k.clone(), json_scalar(v)))
                        .collect(),
                );
            }
            if trimmed.is_empty() {
                return Shaped::Object(Vec::new());
            }
            let items: Vec<&str> = text.split(',').map(str::trim).collect();
            if items.iter().all(|i| i.contains('=')) {
                Shaped::Object(
                    items
                        .iter()
                        .filter_map(|i| i.split_once('='))
                        .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
                        .collect(),
                )
            } else {
                // The OpenAPI flat form `k,v,k2,v2`; an odd tail gets "".
                Shaped::Object(
                    items
                        .chunks(2)
                        .map(|c| {
                            (
                                c[0].to_string(),
                                c.get(1).copied().unwrap_or("").to_string(),
                            )
                        })
                        .collect(),
                )
            }
        }
        _ => Shaped::Prim(text.to_string()),
    }
}

/// The style actually used: the definition's when it is valid for the
/// location, else the location's default.
pub(crate) fn effective_style(location: ParamLocation, style: ParamStyle) -> ParamStyle {
    use ParamStyle as S;
    match (location, style) {
        (ParamLocation::Path, S::Simple | S::Label | S::Matrix)
        | (ParamLocation::Query, S::Form | S::SpaceDelimited | S::PipeDelimited | S::DeepObject) => {
            style
        }
        (ParamLocation::Path | ParamLocation::Header, _) => S::Simple,
        (ParamLocation::Query | ParamLocation::Cookie, _) => S::Form,
    }
}

fn flat(pairs: &[(String, String)], f: fn(&str) -> String) -> Vec<String> {
    pairs.iter().flat_map(|(k, v)| [f(k), f(v)]).collect()
}

/// A path parameter, encoded, ready to replace `{name}` in the template.
pub(crate) fn path_value(name: &str, value: &Shaped, style: ParamStyle, explode: bool) -> String {
    match style {
        ParamStyle::Label => {
            let sep = if explode { "." } else { "," };
            match value {
                Shaped::Prim(s) => format!(".{}", enc(s)),
                Shaped::Array(items) => {
                    format!(
                        ".{}",
                        items.iter().map(|s| enc(s)).collect::<Vec<_>>().join(sep)
                    )
                }
                Shaped::Object(pairs) if explode => format!(
                    ".{}",
                    pairs
                        .iter()
                        .map(|(k, v)| format!("{}={}", enc(k), enc(v)))
                        .collect::<Vec<_>>()
                        .join(".")
                ),
                Shaped::Object(pairs) => format!(".{}", flat(pairs, enc).join(",")),
            }
        }
        ParamStyle::Matrix => {
            let n = enc(name);
            match value {
                Shaped::Prim(s) if s.is_empty() => format!(";{n}"),
                Shaped::Prim(s) => format!(";{n}={}", enc(s)),
                Shaped::Array(items) if explode => items
                    .iter()
                    .map(|s| format!(";{n}={}", enc(s)))
                    .collect::<String>(),
                Shaped::Array(items) => format!(
                    ";{n}={}",
                    items.iter().map(|s| enc(s)).collect::<Vec<_>>().join(",")
                ),
                Shaped::Object(pairs) if explode => pairs
                    .iter()
                    .map(|(k, v)| format!(";{}={}", enc(k), enc(v)))
                    .collect::<String>(),
                Shaped::Object(pairs) => format!(";{n}={}", flat(pairs, enc).join(",")),
            }
        }
        _ => match value {
            Shaped::Prim(s) => enc(s),
            Shaped::Array(items) => items.iter().map(|s| enc(s)).collect::<Vec<_>>().join(","),
            Shaped::Object(pairs) if explode => pairs
                .iter()
                .map(|(k, v)| format!("{}={}", enc(k), enc(v)))
                .collect::<Vec<_>>()
                .join(","),
            Shaped::Object(pairs) => flat(pairs, enc).join(","),
        },
    }
}

/// A query parameter as encoded `name=value` pairs.
pub(crate) fn query_pairs(
    name: &str,
    value: &Shaped,
    style: ParamStyle,
    explode: bool,
) -> Vec<String> {
    let n = enc(name);
    let joined = |items: &[String], sep: &str| {
        format!(
            "{n}={}",
            items.iter().map(|s| enc(s)).collect::<Vec<_>>().join(sep)
        )
    };
    match (style, value) {
        (_, Shaped::Prim(s)) => vec![format!("{n}={}", enc(s))],
        (ParamStyle::DeepObject, Shaped::Object(pairs)) => pairs
            .iter()
            .map(|(k, v)| format!("{n}%5B{}%5D={}", enc(k), enc(v)))
            .collect(),
        (_, Shaped::Array(items)) if explode => {
            items.iter().map(|s| format!("{n}={}", enc(s))).collect()
        }
        (_, Shaped::Object(pairs)) if explode => pairs
            .iter()
            .map(|(k, v)| format!("{}={}", enc(k), enc(v)))
            .collect(),
        (ParamStyle::SpaceDelimited, Shaped::Array(items)) => vec![joined(items, "%20")],
        (ParamStyle::PipeDelimited, Shaped::Array(items)) => vec![joined(items, "%7C")],
        (ParamStyle::SpaceDelimited, Shaped::Object(pairs)) => {
            vec![joined(&flat(pairs, str::to_string), "%20")]
        }
        (ParamStyle::PipeDelimited, Shaped::Object(pairs)) => {
            vec![joined(&flat(pairs, str::to_string), "%7C")]
        }
        (_, Shaped::Array(items)) => vec![joined(items, ",")],
        (_, Shaped::Object(pairs)) => vec![joined(&flat(pairs, str::to_string), ",")],
    }
}

/// A header parameter's value (simple style; headers are not
/// percent-encoded, they are validated instead).
pub(crate) fn header_value(value: &Shaped, explode: bool) -> String {
    match value {
        Shaped::Prim(s) => s.clone(),
        Shaped::Array(items) => items.join(","),
        Shaped::Object(pairs) if explode => pairs
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join(","),
        Shaped::Object(pairs) => flat(pairs, str::to_string).join(","),
    }
}

/// A cookie parameter as `name=value` pairs for one `Cookie` header.
pub(crate) fn cookie_pairs(name: &str, value: &Shaped, explode: bool) -> Vec<String> {
    match value {
        Shaped::Prim(s) => vec![format!("{name}={}", enc_cookie(s))],
        Shaped::Array(items) if explode => items
            .iter()
            .map(|s| format!("{name}={}", enc_cookie(s)))
            .collect(),
        Shaped::Array(items) => vec![format!(
            "{name}={}",
            items
                .iter()
                .map(|s| enc_cookie(s))
                .collect::<Vec<_>>()
                .join(",")
        )],
        Shaped::Object(pairs) if explode => pairs
            .iter()
            .map(|(k, v)| format!("{k}={}", enc_cookie(v)))
            .collect(),
        Shaped::Object(pairs) => vec![format!("{name}={}", flat(pairs, enc_cookie).join(","))],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn schema(t: &str) -> SchemaSummary {
        SchemaSummary {
            type_name: Some(t.into()),
            ..SchemaSummary::default()
        }
    }

    /// The examples of the OpenAPI 3.1 specification's style table
    /// (id = 5; id = [3, 4, 5]; id = {"role": "admin", "firstName": "Alex"}).
    #[test]
    fn openapi_style_table() {
        let prim = shape("5", None);
        let arr = shape("3,4,5", Some(&schema("array")));
        let obj = shape(
            r#"{"role":"admin","firstName":"Alex"}"#,
            Some(&schema("object")),
        );
        use ParamStyle as S;
        let path = [
            (S::Simple, false, &prim, "5"),
            (S::Simple, true, &prim, "5"),
            (S::Simple, false, &arr, "3,4,5"),
            (S::Simple, true, &arr, "3,4,5"),
            (S::Simple, false, &obj, "role,admin,firstName,Alex"),
            (S::Simple, true, &obj, "role=admin,firstName=Alex"),
            (S::Label, false, &prim, ".5"),
            (S::Label, false, &arr, ".3,4,5"),
            (S::Label, true, &arr, ".3.4.5"),
            (S::Label, false, &obj, ".role,admin,firstName,Alex"),
            (S::Label, true, &obj, ".role=admin.firstName=Alex"),
            (S::Matrix, false, &prim, ";id=5"),
            (S::Matrix, false, &arr, ";id=3,4,5"),
            (S::Matrix, true, &arr, ";id=3;id=4;id=5"),
            (S::Matrix, false, &obj, ";id=role,admin,firstName,Alex"),
            (S::Matrix, true, &obj, ";role=admin;firstName=Alex"),
        ];
        for (style, explode, value, want) in path {
            assert_eq!(
                path_value("id", value, style, explode),
                want,
                "{style:?} explode={explode}"
            );
        }
        let query = [
            (S::Form, false, &prim, "id=5"),
            (S::Form, true, &arr, "id=3&id=4&id=5"),
            (S::Form, false, &arr, "id=3,4,5"),
            (S::Form, true, &obj, "role=admin&firstName=Alex"),
            (S::Form, false, &obj, "id=role,admin,firstName,Alex"),
            (S::SpaceDelimited, false, &arr, "id=3%204%205"),
            (S::PipeDelimited, false, &arr, "id=3%7C4%7C5"),
            (S::SpaceDelimited, true, &arr, "id=3&id=4&id=5"),
            (
                S::DeepObject,
                true,
                &obj,
                "id%5Brole%5D=admin&id%5BfirstName%5D=Alex",
            ),
        ];
        for (style, explode, value, want) in query {
            assert_eq!(
                query_pairs("id", value, style, explode).join("&"),
                want,
                "{style:?} explode={explode}"
            );
        }
        assert_eq!(header_value(&arr, false), "3,4,5");
        assert_eq!(header_value(&obj, true), "role=admin,firstName=Alex");
        assert_eq!(cookie_pairs("id", &arr, false), vec!["id=3,4,5"]);
    }

    #[test]
    fn typed_shapes() {
        let arr = schema("array");
        let obj = schema("object");
        assert_eq!(
            shape("a, b ,c", Some(&arr)),
            Shaped::Array(vec!["a".into(), "b".into(), "c".into()])
        );
        assert_eq!(
            shape(r#"["a,b", 2]"#, Some(&arr)),
            Shaped::Array(vec!["a,b".into(), "2".into()])
        );
        assert!(shape("", Some(&arr)).is_empty());
        assert_eq!(
            shape("role=admin, name=Alex", Some(&obj)),
            Shaped::Object(vec![
                ("role".into(), "admin".into()),
                ("name".into(), "Alex".into())
            ])
        );
        assert_eq!(
            shape("role,admin", Some(&obj)),
            Shaped::Object(vec![("role".into(), "admin".into())])
        );
        assert_eq!(
            shape("a,b", Some(&schema("string"))),
            Shaped::Prim("a,b".into())
        );
    }

    #[test]
    fn encoding_per_part() {
        let prim = |s: &str| Shaped::Prim(s.into());
        assert_eq!(
            path_value("x", &prim("a/b"), ParamStyle::Simple, false),
            "a%2Fb"
        );
        assert_eq!(
            query_pairs("q", &prim("open now"), ParamStyle::Form, true),
            vec!["q=open%20now"]
        );
        assert_eq!(
            query_pairs("a b", &prim("x&y=z+1"), ParamStyle::Form, true),
            vec!["a%20b=x%26y%3Dz%2B1"]
        );
        assert_eq!(cookie_pairs("c", &prim("a b;c"), true), vec!["c=a%20b%3Bc"]);
        assert_eq!(
            path_value("x", &prim("é"), ParamStyle::Simple, false),
            "%C3%A9"
        );
    }
}

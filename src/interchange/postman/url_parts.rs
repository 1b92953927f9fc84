//! Postman URLs into portico's: a URL from its parts, `:id` path
//! variables, query encodings that keep `{{variables}}` readable, and the
//! `{{$name}}` dynamic variables that have no portico equivalent.

use indexmap::IndexMap;
use serde_json::Value;

/// A URL from its parts when `raw` is missing.
pub(super) fn url_from_parts(url: &Value) -> String {
    let join = |v: Option<&Value>, sep: &str| match v {
        Some(Value::Array(parts)) => parts
            .iter()
            .map(|p| match p {
                Value::String(s) => s.clone(),
                other => other
                    .get("value")
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_string(),
            })
            .collect::<Vec<_>>()
            .join(sep),
        Some(Value::String(s)) => s.clone(),
        _ => String::new(),
    };
    let mut out = String::new();
    if let Some(protocol) = url.get("protocol").and_then(Value::as_str) {
        out.push_str(protocol);
        out.push_str("://");
    }
    out.push_str(&join(url.get("host"), "."));
    if let Some(port) = url.get("port").and_then(Value::as_str) {
        out.push(':');
        out.push_str(port);
    }
    let path = join(url.get("path"), "/");
    if !path.is_empty() {
        out.push('/');
        out.push_str(&path);
    }
    out
}

/// `/:id` path segments: the variable's value, or `{{id}}` when it has
/// none.
pub(super) fn path_variables(base: &str, values: &IndexMap<String, String>) -> String {
    let mut out = String::with_capacity(base.len());
    let mut rest = base;
    while let Some(at) = rest.find("/:") {
        out.push_str(&rest[..=at]);
        let after = &rest[at + 2..];
        // As in Postman, the variable is the whole segment.
        let end = after.find(['/', '?', '#']).unwrap_or(after.len());
        let name = &after[..end];
        if name.is_empty() {
            out.push(':');
        } else {
            match values.get(name).filter(|v| !v.is_empty()) {
                Some(value) => out.push_str(value),
                None => out.push_str(&format!("{{{{{name}}}}}")),
            }
        }
        rest = &after[end..];
    }
    out.push_str(rest);
    out
}

/// Encodes what cannot stand in a URL's query as typed, leaving `%`
/// escapes and `{{variables}}` as they are.
pub(super) fn gentle_encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            ' ' => out.push_str("%20"),
            '#' => out.push_str("%23"),
            '&' => out.push_str("%26"),
            '"' => out.push_str("%22"),
            '<' => out.push_str("%3C"),
            '>' => out.push_str("%3E"),
            '`' => out.push_str("%60"),
            c if c.is_control() => {
                let mut buf = [0u8; 4];
                for b in c.encode_utf8(&mut buf).bytes() {
                    out.push_str(&format!("%{b:02X}"));
                }
            }
            c => out.push(c),
        }
    }
    out
}

/// `application/x-www-form-urlencoded` encoding, keeping `{{variables}}`
/// readable.
pub(in crate::interchange) fn form_encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    loop {
        let (plain, var, after) = match rest.find("{{") {
            Some(open) => match rest[open..].find("}}") {
                Some(close) => (
                    &rest[..open],
                    &rest[open..open + close + 2],
                    &rest[open + close + 2..],
                ),
                None => (rest, "", ""),
            },
            None => (rest, "", ""),
        };
        out.extend(url::form_urlencoded::byte_serialize(plain.as_bytes()));
        out.push_str(var);
        if after.is_empty() {
            break;
        }
        rest = after;
    }
    out
}

/// The `{{$name}}` dynamic variables in a text.
pub(super) fn dynamic_variables(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(open) = rest.find("{{$") {
        let after = &rest[open + 2..];
        let Some(close) = after.find("}}") else {
            break;
        };
        let name = after[..close].trim().to_string();
        if !out.contains(&name) {
            out.push(name);
        }
        rest = &after[close + 2..];
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_variables_take_values_or_stay_variables() {
        let mut values = IndexMap::new();
        values.insert("id".to_string(), "42".to_string());
        values.insert("empty".to_string(), String::new());
        assert_eq!(
            path_variables("http://h:8080/u/:id/x/:empty/:other.json", &values),
            "http://h:8080/u/42/x/{{empty}}/{{other.json}}"
        );
        assert_eq!(path_variables("{{base}}/a/:/b", &values), "{{base}}/a/:/b");
    }

    #[test]
    fn encodings_keep_variables() {
        assert_eq!(gentle_encode("a b&c#{{x}}%20"), "a%20b%26c%23{{x}}%20");
        assert_eq!(form_encode("a b&{{v}}=é"), "a+b%26{{v}}%3D%C3%A9");
    }
}

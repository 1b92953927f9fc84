//! YAML text into a JSON [`Value`], within bounds a hostile file cannot
//! stretch.
//!
//! - Values are built straight from the parser's events, counting them: a
//!   file whose aliases would expand to more values than a budget (the
//!   billion laughs, or one large anchor aliased many times, which the
//!   parser's own alias-count limit lets through) is refused.
//! - Flow collections (`[`, `{`) nested deeper than any definition needs
//!   are refused before the parser sees them: the parser's cost grows with
//!   the square of that depth, and it would only fail on it later.
//!
//! Keys that are not strings (`200:`) become strings; tags are dropped.

use std::cell::Cell;
use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, EnumAccess, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value};

use super::LoadError;

/// Flow nesting refused before parsing. The parser rejects any nesting
/// past 128 levels anyway; this only keeps it from spending minutes first.
const MAX_FLOW_DEPTH: usize = 1_000;

/// Values a file may expand to, beyond one per byte of its text.
const EXTRA_VALUES: usize = 1_000_000;

/// Parses YAML into JSON, naming `source` and the position in errors.
pub(crate) fn parse(text: &str, source: &str) -> Result<Value, LoadError> {
    if let Some((line, column)) = too_deep(text) {
        return Err(LoadError::Syntax {
            source_name: source.to_string(),
            line: Some(line),
            column: Some(column),
            message: format!(
                "invalid YAML: flow collections nested more than {MAX_FLOW_DEPTH} deep"
            ),
        });
    }
    let left = Cell::new(text.len().saturating_add(EXTRA_VALUES));
    let budget = Budget { left: &left };
    budget
        .deserialize(yaml_serde::Deserializer::from_str(text))
        .map_err(|e| LoadError::yaml(source, &e))
}

/// The 1-based line and column where `[`/`{` nesting first passes
/// [`MAX_FLOW_DEPTH`]. Quoted scalars and comments are skipped; a quote
/// counts only where a scalar can start, so `don't` is not one.
fn too_deep(text: &str) -> Option<(usize, usize)> {
    let mut depth = 0usize;
    let mut line = 1;
    let mut column = 0;
    let mut previous = '\n';
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        column += 1;
        if c == '\n' {
            line += 1;
            column = 0;
        }
        let starts_scalar = previous.is_whitespace() || "[{,:-?".contains(previous);
        match c {
            '[' | '{' => {
                depth += 1;
                if depth > MAX_FLOW_DEPTH {
                    return Some((line, column));
                }
            }
            ']' | '}' => depth = depth.saturating_sub(1),
            '#' if previous.is_whitespace() => {
                for c in chars.by_ref() {
                    if c == '\n' {
                        line += 1;
                        column = 0;
                        break;
                    }
                }
                previous = '\n';
                continue;
            }
            '\'' | '"' if starts_scalar => {
                let mut escaped = false;
                for q in chars.by_ref() {
                    column += 1;
                    if q == '\n' {
                        line += 1;
                        column = 0;
                    }
                    if escaped {
                        escaped = false;
                    } else if c == '"' && q == '\\' {
                        escaped = true;
                    } else if q == c {
                        // `''` inside single quotes is a quote and the scalar
                        // goes on: the next quote opens it again, as here.
                        break;
                    }
                }
                previous = c;
                continue;
            }
            _ => {}
        }
        previous = c;
    }
    None
}

/// Builds a JSON value, spending one unit of `left` per value.
#[derive(Clone, Copy)]
struct Budget<'b> {
    left: &'b Cell<usize>,
}

impl Budget<'_> {
    fn spend<E: de::Error>(self) -> Result<(), E> {
        match self.left.get().checked_sub(1) {
            Some(left) => {
                self.left.set(left);
                Ok(())
            }
            None => Err(E::custom(
                "the file expands to too many values (aliases of large anchors?)",
            )),
        }
    }
}

impl<'de> DeserializeSeed<'de> for Budget<'_> {
    type Value = Value;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Budget<'_> {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any YAML value")
    }

    fn visit_bool<E: de::Error>(self, b: bool) -> Result<Value, E> {
        self.spend()?;
        Ok(Value::Bool(b))
    }

    fn visit_i64<E: de::Error>(self, i: i64) -> Result<Value, E> {
        self.spend()?;
        Ok(Value::from(i))
    }

    fn visit_u64<E: de::Error>(self, u: u64) -> Result<Value, E> {
        self.spend()?;
        Ok(Value::from(u))
    }

    fn visit_f64<E: de::Error>(self, f: f64) -> Result<Value, E> {
        self.spend()?;
        Ok(serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number))
    }

    fn visit_str<E: de::Error>(self, s: &str) -> Result<Value, E> {
        self.spend()?;
        Ok(Value::String(s.to_string()))
    }

    fn visit_string<E: de::Error>(self, s: String) -> Result<Value, E> {
        self.spend()?;
        Ok(Value::String(s))
    }

    fn visit_unit<E: de::Error>(self) -> Result<Value, E> {
        self.spend()?;
        Ok(Value::Null)
    }

    fn visit_none<E: de::Error>(self) -> Result<Value, E> {
        self.visit_unit()
    }

    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        self.deserialize(deserializer)
    }

    fn visit_newtype_struct<D: Deserializer<'de>>(
        self,
        deserializer: D,
    ) -> Result<Value, D::Error> {
        self.deserialize(deserializer)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        self.spend()?;
        let mut items = Vec::new();
        while let Some(item) = seq.next_element_seed(self)? {
            items.push(item);
        }
        Ok(Value::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        self.spend()?;
        let mut out = Map::new();
        while let Some(key) = map.next_key_seed(Key(self))? {
            let value = map.next_value_seed(self)?;
            if out.contains_key(&key) {
                return Err(de::Error::custom(format_args!(
                    "duplicate entry with key {key:?}"
                )));
            }
            out.insert(key, value);
        }
        Ok(Value::Object(out))
    }

    /// A tagged value (`!tag value`): the tag is dropped.
    fn visit_enum<A: EnumAccess<'de>>(self, data: A) -> Result<Value, A::Error> {
        let (_tag, contents) = data.variant::<de::IgnoredAny>()?;
        de::VariantAccess::newtype_variant_seed(contents, self)
    }
}

/// A mapping key as text: `200` for `200:`, `null` for `~:`, JSON text for
/// a collection used as a key.
struct Key<'b>(Budget<'b>);

impl<'de> DeserializeSeed<'de> for Key<'_> {
    type Value = String;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<String, D::Error> {
        Ok(match self.0.deserialize(deserializer)? {
            Value::String(s) => s,
            Value::Null => "null".into(),
            Value::Bool(b) => b.to_string(),
            Value::Number(n) => n.to_string(),
            other => other.to_string(),
        })
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn reads_definitions_as_before() {
        let text = "a: 1\n200: {b: [true, ~, 1.5]}\n? [x, y]\n: z\nt: !tag v\ns: 'it''s [not'\n";
        let value = parse(text, "x.yaml").expect("valid");
        assert_eq!(
            value,
            json!({"a": 1, "200": {"b": [true, null, 1.5]}, "[\"x\",\"y\"]": "z", "t": "v", "s": "it's [not"})
        );
    }

    #[test]
    fn counts_nesting_outside_quotes_and_comments() {
        let deep = "[".repeat(MAX_FLOW_DEPTH + 1);
        assert_eq!(too_deep(&format!("a: 1\nb: {deep}")), Some((2, 1004)));
        assert_eq!(too_deep(&format!("a: '{deep}'")), None);
        assert_eq!(too_deep(&format!("a: \"\\\"{deep}\"")), None);
        assert_eq!(too_deep(&format!("a: 1 # {deep}")), None);
        // A quote inside a plain scalar opens nothing.
        assert!(too_deep(&format!("a: don't {deep}")).is_some());
    }
}

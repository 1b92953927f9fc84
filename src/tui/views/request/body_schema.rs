//! The schema of the JSON body's property under the cursor: where the
//! cursor is in the body (the keys and array places that lead to it), and
//! what the body's schema tree says there, as one line for the Body tab.
//! Inside a `oneOf`/`anyOf` whose variants a discriminator tells apart,
//! the variant the body names is followed (`"petType": "dog"` → `Dog`).

use serde_json::Value;

use crate::catalog::schema_tree::{Direction, SchemaNode, schema_tree};
use crate::catalog::{Api, Operation};

use super::RequestEditor;

/// Bodies longer than this get no line about the property under the
/// cursor: it is worked out at each frame.
const MAX_SCANNED: usize = 256 * 1024;

/// One step from a JSON value into a member of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Step {
    Key(String),
    /// The item at this place of an array.
    Index(usize),
}

/// The steps from the root of `text` (JSON, possibly unfinished) to the
/// value or key at byte `offset`: a key the cursor is on counts as its
/// property; between two members, the object or array holding them.
pub(super) fn path_at(text: &str, offset: usize) -> Vec<Step> {
    enum Frame {
        /// The member's key once read, and whether its `:` was.
        Object { key: Option<String>, colon: bool },
        /// The place of the item the scan is in.
        Array(usize),
    }
    let b = text.as_bytes();
    let offset = offset.min(b.len());
    let mut stack: Vec<Frame> = Vec::new();
    let mut i = 0;
    while i < offset {
        match b[i] {
            b'{' => stack.push(Frame::Object {
                key: None,
                colon: false,
            }),
            b'[' => stack.push(Frame::Array(0)),
            b'}' | b']' => {
                stack.pop();
            }
            b',' => match stack.last_mut() {
                Some(Frame::Object { key, colon }) => (*key, *colon) = (None, false),
                Some(Frame::Array(index)) => *index += 1,
                None => {}
            },
            b':' => {
                if let Some(Frame::Object { colon, .. }) = stack.last_mut() {
                    *colon = true;
                }
            }
            b'"' => {
                let (end, content) = string_at(text, i);
                if let Some(Frame::Object { key, colon: false }) = stack.last_mut() {
                    *key = Some(content);
                }
                i = end;
                continue;
            }
            _ => {}
        }
        i += 1;
    }
    // At the start of a line, before a key: that key's property.
    if let Some(Frame::Object {
        key: key @ None, ..
    }) = stack.last_mut()
    {
        let next = offset
            + b[offset..]
                .iter()
                .take_while(|c| c.is_ascii_whitespace())
                .count();
        if b.get(next) == Some(&b'"') {
            *key = Some(string_at(text, next).1);
        }
    }
    let mut path = Vec::new();
    for frame in stack {
        match frame {
            Frame::Object { key: Some(key), .. } => path.push(Step::Key(key)),
            Frame::Object { key: None, .. } => break,
            Frame::Array(index) => path.push(Step::Index(index)),
        }
    }
    path
}

/// The string whose opening quote is at `start`: where it ends (just past
/// its closing quote, or at the end of an unfinished text) and what it
/// says, escapes read.
fn string_at(text: &str, start: usize) -> (usize, String) {
    let b = text.as_bytes();
    let mut i = start + 1;
    let (end, close) = loop {
        match b.get(i) {
            None => break (b.len(), b.len()),
            Some(b'\\') => i += 2,
            Some(b'"') => break (i + 1, i),
            Some(_) => i += 1,
        }
    };
    let raw = text.get(start + 1..close.min(b.len())).unwrap_or("");
    let content = serde_json::from_str(&format!("\"{raw}\"")).unwrap_or_else(|_| raw.to_string());
    (end.min(b.len()), content)
}

/// The node of `tree` the steps lead to: a property by name (also inside
/// `oneOf`/`anyOf` variants, or the additional properties' `*`), an item
/// by `[]`; and the last variant a discriminator chose on the way. `body`
/// is the whole body when it reads as JSON: where a discriminator tells
/// the variants apart, the variant its value names is the one followed;
/// otherwise the first variant with the property.
pub(super) fn node_at<'t>(
    tree: &'t SchemaNode,
    path: &[Step],
    body: Option<&Value>,
) -> Option<(&'t SchemaNode, Option<&'t str>)> {
    let mut node = tree;
    let mut value = body;
    let mut chosen = None;
    for step in path {
        let wanted = match step {
            Step::Key(key) => key.as_str(),
            Step::Index(_) => "[]",
        };
        let direct = |n: &'t SchemaNode| n.children.iter().find(|c| c.name == wanted);
        let named = discriminated(node, value);
        if let Some(variant) = named {
            chosen = Some(variant.name.as_str());
        }
        node = direct(node)
            .or_else(|| named.and_then(direct))
            .or_else(|| {
                node.variants
                    .is_some()
                    .then(|| node.children.iter().find_map(direct))
                    .flatten()
            })
            .or_else(|| node.children.iter().find(|c| c.name == "*"))?;
        value = value.and_then(|v| match step {
            Step::Key(key) => v.get(key),
            Step::Index(index) => v.get(index),
        });
    }
    Some((node, chosen))
}

/// The variant of `node` that the discriminator's value in `value` names:
/// by the mapping (a variant labelled `Dog (dog)`), by the variant's name
/// (a `$ref`'s, the default mapping), or by its discriminator property's
/// `const` or single `enum` value.
fn discriminated<'t>(node: &'t SchemaNode, value: Option<&Value>) -> Option<&'t SchemaNode> {
    let property = node
        .discriminator
        .as_deref()
        .filter(|_| node.variants.is_some())?;
    let named = value?.get(property)?.as_str()?;
    let mapped = format!("({named})");
    let states = |v: &&SchemaNode| {
        v.children.iter().any(|c| {
            c.name == property
                && (c.constant.as_ref().and_then(Value::as_str) == Some(named)
                    || matches!(c.enum_values.as_slice(), [one] if one.as_str() == Some(named)))
        })
    };
    node.children
        .iter()
        .find(|v| v.name.ends_with(&mapped))
        .or_else(|| node.children.iter().find(|v| v.name == named))
        .or_else(|| node.children.iter().find(states))
}

/// Whether any node of the tree tells variants apart by a property.
fn tree_has_discriminator(tree: &SchemaNode) -> bool {
    tree.discriminator.is_some() || tree.children.iter().any(tree_has_discriminator)
}

impl RequestEditor {
    /// Reads the JSON body's schema tree, once, when the body is JSON.
    pub(super) fn ensure_body_tree(&mut self, api: &Api, operation: &Operation) {
        if self.body_tree.is_some() || self.is_form() || self.is_file_body() {
            return;
        }
        let tree = self
            .body_media(operation)
            .filter(|m| crate::request::is_json_content_type(&m.content_type))
            .and_then(|m| m.schema.as_ref())
            .map(|schema| schema_tree(api, schema, Direction::Request));
        self.body_tree = Some(tree);
    }

    /// The property under the body's cursor and what the schema says of
    /// it, in one line: `labels  array of string · Labels to associate…`.
    pub fn schema_under_cursor(&self) -> Option<String> {
        let tree = self.body_tree.as_ref()?.as_ref()?;
        let (row, col) = (self.body.cursor().0, self.body.cursor().1);
        let lines = self.body.lines();
        // Read at each frame: a body pasted in by the megabyte is not.
        if lines.iter().map(String::len).sum::<usize>() > MAX_SCANNED {
            return None;
        }
        let before: usize = lines.iter().take(row).map(|l| l.len() + 1).sum();
        let in_line = lines
            .get(row)
            .map_or(0, |l| l.char_indices().nth(col).map_or(l.len(), |(i, _)| i));
        let text = lines.join("\n");
        let path = path_at(&text, before + in_line);
        if path.is_empty() {
            return None;
        }
        // Only a discriminator needs the values; a body being typed may
        // not read, and then the first variant with the property is taken.
        let body = tree_has_discriminator(tree)
            .then(|| serde_json::from_str::<Value>(&text).ok())
            .flatten();
        let (node, variant) = node_at(tree, &path, body.as_ref())?;
        let name = path
            .iter()
            .rev()
            .find_map(|s| match s {
                Step::Key(k) => Some(k.as_str()),
                Step::Index(_) => None,
            })
            .unwrap_or("[]");
        let mut line = format!("{name}  {}", node.type_text());
        if node.required {
            line.push_str("  required");
        }
        if let Some(variant) = variant {
            line.push_str(&format!("  in {variant}"));
        }
        if let Some(first) = node
            .description
            .as_deref()
            .and_then(|d| d.lines().map(str::trim).find(|l| !l.is_empty()))
        {
            line.push_str(" · ");
            line.push_str(first);
        }
        Some(line)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(k: &str) -> Step {
        Step::Key(k.into())
    }

    fn at(text: &str, marker: &str) -> Vec<Step> {
        path_at(
            &text.replace(marker, ""),
            text.find(marker).expect("marker"),
        )
    }

    #[test]
    fn the_path_to_the_cursor() {
        let body = r#"{"title": "x", "labels": ["bug", {"name": "ui|"}], "milestone": 1}"#;
        assert_eq!(at(body, "|"), [key("labels"), Step::Index(1), key("name")]);
        assert_eq!(at(r#"{"ti|tle": "x"}"#, "|"), [key("title")]);
        assert_eq!(at(r#"{"title": "x",| "body": 1}"#, "|"), [key("body")]);
        assert_eq!(at("{\n|  \"title\": 1}", "|"), [key("title")]);
        assert_eq!(at(r#"{"title": "x"|, "body": 1}"#, "|"), [key("title")]);
        assert_eq!(at(r#"{"a": 1|}"#, "|"), [key("a")]);
        assert_eq!(
            at(r#"{"a": {"b": [1, 2|]}}"#, "|"),
            [key("a"), key("b"), Step::Index(1)]
        );
        // Unfinished, as while typing.
        assert_eq!(at(r#"{"a": {"b|"#, "|"), [key("a"), key("b")]);
        // Escapes in keys and braces in strings do not mislead.
        assert_eq!(at(r#"{"q\"}": "{[", "x": |1}"#, "|"), [key("x")]);
    }

    #[test]
    fn the_node_a_path_leads_to() {
        let leaf = |name: &str| SchemaNode {
            name: name.into(),
            ..SchemaNode::default()
        };
        let tree = SchemaNode {
            children: vec![
                SchemaNode {
                    name: "labels".into(),
                    children: vec![SchemaNode {
                        name: "[]".into(),
                        variants: Some("oneOf".into()),
                        children: vec![
                            leaf("string"),
                            SchemaNode {
                                name: "object".into(),
                                children: vec![leaf("name")],
                                ..SchemaNode::default()
                            },
                        ],
                        ..SchemaNode::default()
                    }],
                    ..SchemaNode::default()
                },
                leaf("*"),
            ],
            ..SchemaNode::default()
        };
        let found = |path: &[Step]| node_at(&tree, path, None).map(|(n, _)| n.name.clone());
        assert_eq!(
            found(&[key("labels"), Step::Index(0), key("name")]).as_deref(),
            Some("name")
        );
        assert_eq!(found(&[key("other")]).as_deref(), Some("*"));
        assert_eq!(found(&[key("labels"), key("x")]), None);
    }

    /// Two variants with a `name` each, told apart by `petType`: the one
    /// the body names is followed, by mapping, by `$ref` name or by the
    /// property's `const`; with no value (or no JSON), the first.
    #[test]
    fn a_discriminator_chooses_the_variant() {
        let described = |name: &str, description: &str| SchemaNode {
            name: name.into(),
            description: Some(description.into()),
            ..SchemaNode::default()
        };
        let pet_type = |value: &str| SchemaNode {
            name: "petType".into(),
            constant: Some(serde_json::json!(value)),
            ..SchemaNode::default()
        };
        let tree = SchemaNode {
            children: vec![SchemaNode {
                name: "pets".into(),
                children: vec![SchemaNode {
                    name: "[]".into(),
                    variants: Some("oneOf".into()),
                    discriminator: Some("petType".into()),
                    children: vec![
                        SchemaNode {
                            name: "Cat (cat)".into(),
                            children: vec![described("name", "the cat's name")],
                            ..SchemaNode::default()
                        },
                        SchemaNode {
                            name: "Dog".into(),
                            children: vec![described("name", "the dog's name")],
                            ..SchemaNode::default()
                        },
                        SchemaNode {
                            name: "variant 3".into(),
                            children: vec![pet_type("bird"), described("name", "the bird's")],
                            ..SchemaNode::default()
                        },
                    ],
                    ..SchemaNode::default()
                }],
                ..SchemaNode::default()
            }],
            ..SchemaNode::default()
        };
        let body = serde_json::json!({"pets": [
            {"petType": "cat", "name": "Tom"},
            {"petType": "Dog", "name": "Rex"},
            {"petType": "bird", "name": "Tweety"},
            {"name": "?"}
        ]});
        let path = |i| [key("pets"), Step::Index(i), key("name")];
        let read = |i, body: Option<&Value>| {
            let (node, variant) = node_at(&tree, &path(i), body).expect("found");
            (
                node.description.clone().unwrap_or_default(),
                variant.map(str::to_string),
            )
        };
        assert_eq!(
            read(0, Some(&body)),
            ("the cat's name".into(), Some("Cat (cat)".into()))
        );
        assert_eq!(
            read(1, Some(&body)),
            ("the dog's name".into(), Some("Dog".into()))
        );
        assert_eq!(
            read(2, Some(&body)),
            ("the bird's".into(), Some("variant 3".into()))
        );
        assert_eq!(read(3, Some(&body)), ("the cat's name".into(), None));
        assert_eq!(read(1, None), ("the cat's name".into(), None));
    }
}

//! The schema of the JSON body's property under the cursor: where the
//! cursor is in the body (the keys and array places that lead to it), and
//! what the body's schema tree says there, as one line for the Body tab.

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
    Index,
}

/// The steps from the root of `text` (JSON, possibly unfinished) to the
/// value or key at byte `offset`: a key the cursor is on counts as its
/// property; between two members, the object or array holding them.
pub(super) fn path_at(text: &str, offset: usize) -> Vec<Step> {
    enum Frame {
        /// The member's key once read, and whether its `:` was.
        Object {
            key: Option<String>,
            colon: bool,
        },
        Array,
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
            b'[' => stack.push(Frame::Array),
            b'}' | b']' => {
                stack.pop();
            }
            b',' => {
                if let Some(Frame::Object { key, colon }) = stack.last_mut() {
                    (*key, *colon) = (None, false);
                }
            }
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
            Frame::Array => path.push(Step::Index),
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
/// by `[]`.
pub(super) fn node_at<'t>(tree: &'t SchemaNode, path: &[Step]) -> Option<&'t SchemaNode> {
    let mut node = tree;
    for step in path {
        let wanted = match step {
            Step::Key(key) => key.as_str(),
            Step::Index => "[]",
        };
        let direct = |n: &'t SchemaNode| n.children.iter().find(|c| c.name == wanted);
        node = direct(node)
            .or_else(|| {
                node.variants
                    .is_some()
                    .then(|| node.children.iter().find_map(direct))
                    .flatten()
            })
            .or_else(|| node.children.iter().find(|c| c.name == "*"))?;
    }
    Some(node)
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
        let node = node_at(tree, &path)?;
        if path.is_empty() {
            return None;
        }
        let name = path
            .iter()
            .rev()
            .find_map(|s| match s {
                Step::Key(k) => Some(k.as_str()),
                Step::Index => None,
            })
            .unwrap_or("[]");
        let mut line = format!("{name}  {}", node.type_text());
        if node.required {
            line.push_str("  required");
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
        assert_eq!(at(body, "|"), [key("labels"), Step::Index, key("name")]);
        assert_eq!(at(r#"{"ti|tle": "x"}"#, "|"), [key("title")]);
        assert_eq!(at(r#"{"title": "x",| "body": 1}"#, "|"), [key("body")]);
        assert_eq!(at("{\n|  \"title\": 1}", "|"), [key("title")]);
        assert_eq!(at(r#"{"title": "x"|, "body": 1}"#, "|"), [key("title")]);
        assert_eq!(at(r#"{"a": 1|}"#, "|"), [key("a")]);
        assert_eq!(
            at(r#"{"a": {"b": [1, 2|]}}"#, "|"),
            [key("a"), key("b"), Step::Index]
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
        let found = |path: &[Step]| node_at(&tree, path).map(|n| n.name.clone());
        assert_eq!(
            found(&[key("labels"), Step::Index, key("name")]).as_deref(),
            Some("name")
        );
        assert_eq!(found(&[key("other")]).as_deref(), Some("*"));
        assert_eq!(found(&[key("labels"), key("x")]), None);
    }
}

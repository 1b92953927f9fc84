//! Parsed definitions and `$ref` resolution over them.
//!
//! A JSON definition is kept as its text and parsed part by part on first
//! use: the top level, then any large object (`paths`, `components`,
//! `components/schemas`, ...) is split into its members without building
//! values, and a member becomes a [`Value`] only when something reads it.
//! Loading the 13 MB GitHub definition so parses its `paths` and the
//! parameters they name, not its thousands of schemas and examples.
//! YAML definitions (and documents built by hand) are held as one [`Value`].

use std::borrow::Cow;
use std::ops::Range;
use std::sync::OnceLock;

use indexmap::IndexMap;
use serde_json::Value;
use serde_json::value::RawValue;

use super::model::Document;

/// Objects at least this long (in bytes of JSON text) are split into their
/// members instead of being parsed whole.
const SPLIT_MIN: usize = 32 * 1024;

/// How many `$ref` hops one resolution may take before it is called a cycle.
const MAX_HOPS: usize = 64;

/// The JSON text of a definition, parsed lazily.
#[derive(Debug)]
pub(crate) struct LazyRoot {
    text: Box<str>,
    node: Node,
}

#[derive(Debug)]
struct Node {
    range: Range<usize>,
    members: OnceLock<Option<IndexMap<String, Node>>>,
    value: OnceLock<Option<Value>>,
}

impl Node {
    fn new(range: Range<usize>) -> Self {
        Self {
            range,
            members: OnceLock::new(),
            value: OnceLock::new(),
        }
    }

    fn whole<'a>(&'a self, text: &'a str) -> Option<&'a Value> {
        self.value
            .get_or_init(|| serde_json::from_str(&text[self.range.clone()]).ok())
            .as_ref()
    }

    /// The object's members as nodes, or `None` when it is not an object.
    fn members<'a>(&'a self, text: &'a str) -> Option<&'a IndexMap<String, Node>> {
        self.members
            .get_or_init(|| {
                let slice = &text[self.range.clone()];
                if !slice.trim_start().starts_with('{') {
                    return None;
                }
                let map: IndexMap<String, &RawValue> = serde_json::from_str(slice).ok()?;
                let base = text.as_ptr().addr();
                Some(
                    map.into_iter()
                        .map(|(k, raw)| {
                            let start = raw.get().as_ptr().addr() - base;
                            (k, Node::new(start..start + raw.get().len()))
                        })
                        .collect(),
                )
            })
            .as_ref()
    }

    fn is_large(&self) -> bool {
        self.range.len() >= SPLIT_MIN
    }

    fn get<'a>(&'a self, text: &'a str, tokens: &[String]) -> Option<&'a Value> {
        if let Some(value) = self.value.get() {
            return walk(value.as_ref()?, tokens);
        }
        match tokens.split_first() {
            Some((first, rest)) if self.is_large() => match self.members(text) {
                Some(members) => members.get(first)?.get(text, rest),
                None => walk(self.whole(text)?, tokens),
            },
            _ => walk(self.whole(text)?, tokens),
        }
    }

    fn entries<'a>(
        &'a self,
        text: &'a str,
        tokens: &[String],
    ) -> Option<Vec<(&'a str, &'a Value)>> {
        if self.value.get().is_none()
            && self.is_large()
            && let Some(members) = self.members(text)
        {
            return match tokens.split_first() {
                Some((first, rest)) => members.get(first)?.entries(text, rest),
                None => Some(
                    members
                        .iter()
                        .filter_map(|(k, node)| Some((k.as_str(), node.whole(text)?)))
                        .collect(),
                ),
            };
        }
        let value = self.get(text, tokens)?;
        Some(
            value
                .as_object()?
                .iter()
                .map(|(k, v)| (k.as_str(), v))
                .collect(),
        )
    }
}

impl Node {
    /// Calls `f` with each member of the object at `tokens`. A member of a
    /// split object that nothing has read yet is parsed for the call only
    /// and dropped after it: reading each path item of a 20 MB definition
    /// once must not hold all of them parsed (a tenfold of the text).
    fn each_entry(
        &self,
        text: &str,
        tokens: &[String],
        part: Option<Range<usize>>,
        f: &mut dyn FnMut(&str, &Value),
    ) {
        if self.value.get().is_none()
            && self.is_large()
            && let Some(members) = self.members(text)
        {
            match tokens.split_first() {
                Some((first, rest)) => {
                    if let Some(member) = members.get(first) {
                        member.each_entry(text, rest, part, f);
                    }
                }
                None => {
                    let part = part.unwrap_or(0..members.len());
                    let Some(members) = members.get_range(part) else {
                        return;
                    };
                    each_member(members, text, f);
                }
            }
            return;
        }
        if let Some(object) = self.get(text, tokens).and_then(Value::as_object) {
            let part = part.unwrap_or(0..object.len());
            for (key, value) in object.iter().take(part.end).skip(part.start) {
                f(key, value);
            }
        }
    }

    /// How many members the object at `tokens` was split into; `None`
    /// when it is not split (small, or parsed whole).
    fn split_len(&self, text: &str, tokens: &[String]) -> Option<usize> {
        if self.value.get().is_some() || !self.is_large() {
            return None;
        }
        let members = self.members(text)?;
        match tokens.split_first() {
            Some((first, rest)) => members.get(first)?.split_len(text, rest),
            None => Some(members.len()),
        }
    }
}

/// Calls `f` with each member, parsed for the call only unless something
/// holds it parsed already. A member that does not parse is skipped: the
/// whole text was checked when it was split, so none should.
fn each_member(
    members: &indexmap::map::Slice<String, Node>,
    text: &str,
    f: &mut dyn FnMut(&str, &Value),
) {
    for (key, node) in members {
        match node.value.get() {
            Some(Some(kept)) => f(key, kept),
            Some(None) => {}
            None => {
                if let Ok(value) = serde_json::from_str::<Value>(&text[node.range.clone()]) {
                    f(key, &value);
                }
            }
        }
    }
}

impl LazyRoot {
    /// Checks the whole text is JSON (errors carry line and column) and
    /// splits its top level; nothing else is parsed yet.
    pub(crate) fn parse(text: String) -> Result<Self, serde_json::Error> {
        let text = text.into_boxed_str();
        let node = Node::new(0..text.len());
        let map: IndexMap<String, &RawValue> = serde_json::from_str(&text)?;
        let base = text.as_ptr().addr();
        let members = map
            .into_iter()
            .map(|(k, raw)| {
                let start = raw.get().as_ptr().addr() - base;
                (k, Node::new(start..start + raw.get().len()))
            })
            .collect();
        let _ = node.members.set(Some(members));
        Ok(Self { text, node })
    }
}

impl Document {
    /// A document held as one parsed value.
    pub fn from_value(location: impl Into<String>, root: Value) -> Self {
        Self {
            location: location.into(),
            root,
            ..Self::default()
        }
    }

    pub(crate) fn from_lazy(location: impl Into<String>, lazy: LazyRoot) -> Self {
        Self {
            location: location.into(),
            lazy: Some(lazy),
            ..Self::default()
        }
    }

    /// The value at a JSON pointer (`/paths/~1pets`) of the root document.
    pub fn pointer(&self, pointer: &str) -> Option<&Value> {
        let tokens = pointer_tokens(pointer)?;
        self.root_get(&tokens)
    }

    fn root_get(&self, tokens: &[String]) -> Option<&Value> {
        match &self.lazy {
            Some(lazy) => lazy.node.get(&lazy.text, tokens),
            None => walk(&self.root, tokens),
        }
    }

    /// The members of the object at `pointer` in the root document, in
    /// order, parsing only those members.
    pub fn entries(&self, pointer: &str) -> Vec<(&str, &Value)> {
        let Some(tokens) = pointer_tokens(pointer) else {
            return Vec::new();
        };
        let found = match &self.lazy {
            Some(lazy) => lazy.node.entries(&lazy.text, &tokens),
            None => walk(&self.root, &tokens)
                .and_then(Value::as_object)
                .map(|o| o.iter().map(|(k, v)| (k.as_str(), v)).collect()),
        };
        found.unwrap_or_default()
    }

    /// Calls `f` with each member of the object at `pointer`, as
    /// [`Document::entries`] lists them, without keeping the members of a
    /// large object parsed after their call.
    pub fn each_entry(&self, pointer: &str, f: impl FnMut(&str, &Value)) {
        self.each_entry_of(pointer, None, f);
    }

    /// The number of members of the object at `pointer` when it is held
    /// split (a large object of a JSON definition), so that parts of it
    /// can be read on different threads with [`Document::each_entry_of`].
    pub fn split_len(&self, pointer: &str) -> Option<usize> {
        let tokens = pointer_tokens(pointer)?;
        let lazy = self.lazy.as_ref()?;
        lazy.node.split_len(&lazy.text, &tokens)
    }

    /// [`Document::each_entry`] for the members in `part` (by position)
    /// only, or all of them.
    pub fn each_entry_of(
        &self,
        pointer: &str,
        part: Option<Range<usize>>,
        mut f: impl FnMut(&str, &Value),
    ) {
        let Some(tokens) = pointer_tokens(pointer) else {
            return;
        };
        match &self.lazy {
            Some(lazy) => lazy.node.each_entry(&lazy.text, &tokens, part, &mut f),
            None => {
                if let Some(object) = walk(&self.root, &tokens).and_then(Value::as_object) {
                    let part = part.unwrap_or(0..object.len());
                    for (key, value) in object.iter().take(part.end).skip(part.start) {
                        f(key, value);
                    }
                }
            }
        }
    }

    /// Resolves a `$ref` string found in the document at `base` (the root's
    /// location or a key of [`Document::external`]). Returns the location of
    /// the document the target lives in, and the target.
    pub fn resolve<'a>(
        &'a self,
        base: &str,
        reference: &str,
    ) -> Result<(&'a str, &'a Value), String> {
        let (file, fragment) = match reference.split_once('#') {
            Some((file, fragment)) => (file, fragment),
            None => (reference, ""),
        };
        let location: &'a str = if file.is_empty() {
            self.location_key(base)
                .ok_or_else(|| format!("unknown document {base}"))?
        } else {
            let absolute = join_location(base, file);
            self.location_key(&absolute)
                .ok_or_else(|| format!("{reference}: {absolute} was not loaded"))?
        };
        let fragment = percent_encoding::percent_decode_str(fragment).decode_utf8_lossy();
        let tokens = pointer_tokens(&fragment)
            .ok_or_else(|| format!("{reference}: malformed JSON pointer"))?;
        let found = if location == self.location {
            self.root_get(&tokens)
        } else {
            self.external.get(location).and_then(|v| walk(v, &tokens))
        };
        found
            .map(|v| (location, v))
            .ok_or_else(|| format!("{reference}: no such target"))
    }

    /// Follows `value` through `$ref`s until it is not a reference.
    /// Cycles and dangling references are errors, never hangs.
    pub fn deref<'a>(
        &'a self,
        base: &'a str,
        value: &'a Value,
    ) -> Result<(&'a str, &'a Value), String> {
        let mut current = (base, value);
        for _ in 0..MAX_HOPS {
            match current.1.get("$ref").and_then(Value::as_str) {
                Some(reference) => current = self.resolve(current.0, reference)?,
                None => return Ok(current),
            }
        }
        Err("$ref cycle".into())
    }

    /// The stored key equal to `location`, borrowed from the document.
    fn location_key(&self, location: &str) -> Option<&str> {
        if location == self.location {
            Some(self.location.as_str())
        } else {
            self.external
                .get_key_value(location)
                .map(|(k, _)| k.as_str())
        }
    }
}

/// Splits a JSON pointer into unescaped tokens; `None` when malformed.
pub(crate) fn pointer_tokens(pointer: &str) -> Option<Vec<String>> {
    if pointer.is_empty() {
        return Some(Vec::new());
    }
    let rest = pointer.strip_prefix('/')?;
    Some(
        rest.split('/')
            .map(|t| t.replace("~1", "/").replace("~0", "~"))
            .collect(),
    )
}

/// Escapes one token for a JSON pointer.
pub(crate) fn escape_token(token: &str) -> Cow<'_, str> {
    if token.contains(['~', '/']) {
        Cow::Owned(token.replace('~', "~0").replace('/', "~1"))
    } else {
        Cow::Borrowed(token)
    }
}

fn walk<'a>(mut value: &'a Value, tokens: &[String]) -> Option<&'a Value> {
    for token in tokens {
        value = match value {
            Value::Object(map) => map.get(token.as_str())?,
            Value::Array(items) => items.get(token.parse::<usize>().ok()?)?,
            _ => return None,
        };
    }
    Some(value)
}

pub(crate) fn is_url(location: &str) -> bool {
    let lower = location.get(..8).unwrap_or(location).to_ascii_lowercase();
    lower.starts_with("http://") || lower.starts_with("https://")
}

/// The location of `reference` (a relative or absolute path or URL)
/// written in the document at `base`. Paths are normalised lexically so
/// that one file reached two ways has one key.
pub(crate) fn join_location(base: &str, reference: &str) -> String {
    if is_url(reference) {
        return reference.to_string();
    }
    if is_url(base) {
        return url::Url::parse(base)
            .and_then(|b| b.join(reference))
            .map_or_else(|_| reference.to_string(), String::from);
    }
    let reference_path = std::path::Path::new(reference);
    if reference_path.is_absolute() {
        return normalise_path(reference_path);
    }
    let parent = std::path::Path::new(base)
        .parent()
        .unwrap_or_else(|| std::path::Path::new(""));
    normalise_path(&parent.join(reference_path))
}

pub(crate) fn normalise_path(path: &std::path::Path) -> String {
    use std::path::Component;
    let mut parts: Vec<Component<'_>> = Vec::new();
    for component in path.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => match parts.last() {
                Some(Component::Normal(_)) => {
                    parts.pop();
                }
                Some(Component::RootDir | Component::Prefix(_)) => {}
                _ => parts.push(component),
            },
            other => parts.push(other),
        }
    }
    let joined: std::path::PathBuf = parts.iter().collect();
    joined.to_string_lossy().into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lazy_and_eager_documents_resolve_alike() {
        let mut text = String::from(r#"{"a": {"b": [1, {"c~/d": "x"}]}, "big": {"#);
        for i in 0..5000 {
            text.push_str(&format!(r#""k{i}": {{"v": {i}}},"#));
        }
        text.push_str(r##""end": {"$ref": "#/big/k7"}}}"##);
        let value: Value = serde_json::from_str(&text).expect("valid json");
        let lazy = Document::from_lazy("x.json", LazyRoot::parse(text).expect("parses"));
        let eager = Document::from_value("x.json", value);
        for doc in [&lazy, &eager] {
            assert_eq!(doc.pointer("/a/b/1/c~0~1d"), Some(&Value::from("x")));
            assert_eq!(doc.pointer("/big/k42/v"), Some(&Value::from(42)));
            assert_eq!(doc.entries("/big").len(), 5001);
            let end = doc.pointer("/big/end").expect("present");
            let (_, target) = doc.deref("x.json", end).expect("resolves");
            assert_eq!(target["v"], 7);
            assert!(doc.resolve("x.json", "#/nope").is_err());
            assert!(doc.resolve("x.json", "#nope").is_err());
        }
    }

    #[test]
    fn joins_relative_locations() {
        assert_eq!(
            join_location("spec/swagger.yaml", "../common/Error.yaml"),
            "common/Error.yaml"
        );
        assert_eq!(join_location("/a/b/c.json", "./d.json"), "/a/b/d.json");
        assert_eq!(
            join_location("https://x.org/a/b.json", "../c.json"),
            "https://x.org/c.json"
        );
    }
}

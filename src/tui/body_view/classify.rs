//! What a body is: its declared type and charset against its bytes, into
//! JSON, text or a hex dump, with a note when the two disagree.

use std::borrow::Cow;
use std::fmt::Write as _;

use super::hex::hex_line;
use super::json::{pretty_json, reindent};
use super::{BodyKind, Doc};
use crate::units::grouped;
use crate::units::size_text;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Declared {
    Json,
    Html,
    Xml,
    /// `text/plain`: servers often send JSON under it, so JSON is sniffed.
    Plain,
    OtherText,
    Binary,
    Unknown,
}

impl Declared {
    fn of(content_type: Option<&str>) -> Declared {
        let Some(ct) = content_type else {
            return Declared::Unknown;
        };
        let essence = ct
            .split(';')
            .next()
            .unwrap_or("")
            .trim()
            .to_ascii_lowercase();
        let (top, sub) = essence.split_once('/').unwrap_or((essence.as_str(), ""));
        if sub == "json" || sub.ends_with("+json") {
            Declared::Json
        } else if essence == "text/html" || essence == "application/xhtml+xml" {
            Declared::Html
        } else if sub == "xml" || sub.ends_with("+xml") {
            Declared::Xml
        } else if essence == "text/plain" {
            Declared::Plain
        } else if top == "text"
            || matches!(
                sub,
                "javascript"
                    | "ecmascript"
                    | "x-www-form-urlencoded"
                    | "yaml"
                    | "x-yaml"
                    | "toml"
                    | "x-ndjson"
                    | "ndjson"
                    | "jsonl"
                    | "graphql"
                    | "sql"
                    | "csv"
            )
        {
            Declared::OtherText
        } else if matches!(top, "image" | "audio" | "video" | "font")
            || matches!(
                sub,
                "octet-stream"
                    | "pdf"
                    | "zip"
                    | "gzip"
                    | "x-gzip"
                    | "x-tar"
                    | "x-protobuf"
                    | "protobuf"
                    | "grpc"
                    | "wasm"
                    | "msgpack"
                    | "x-msgpack"
                    | "cbor"
            )
        {
            Declared::Binary
        } else {
            Declared::Unknown
        }
    }
}

pub(super) fn analyse(body: &[u8], content_type: Option<&str>) -> (BodyKind, Doc, Option<String>) {
    if body.is_empty() {
        return (BodyKind::Empty, Doc::Empty, Some("empty body".to_string()));
    }
    let declared = Declared::of(content_type);
    let binary = |why: Option<String>| {
        let mut note = format!("binary, {}", human_size(body.len()));
        if let Some(ct) = content_type {
            let _ = write!(note, ", {ct}");
        }
        if let Some(why) = why {
            let _ = write!(note, ": {why}; shown as hex");
        }
        (BodyKind::Binary, Doc::Hex, Some(note))
    };
    if declared == Declared::Binary {
        return binary(None);
    }
    let (text, decoded) = match legacy_encoding(body, content_type) {
        // A charset other than UTF-8, declared or given by a byte-order mark.
        Some((encoding, bom)) => {
            match encoding.decode_without_bom_handling_and_without_replacement(&body[bom..]) {
                Some(text) => (text, Some(format!("decoded from {}", encoding.name()))),
                None => return binary(Some(format!("not valid {}", encoding.name()))),
            }
        }
        None => match std::str::from_utf8(body) {
            Ok(text) if !body.contains(&0) => (Cow::Borrowed(text), None),
            Ok(_) => return binary(Some("contains NUL bytes".to_string())),
            Err(e) => {
                return binary(Some(format!("not valid UTF-8 at byte {}", e.valid_up_to())));
            }
        },
    };
    let text = text.as_ref();
    let json_src = text.strip_prefix('\u{feff}').unwrap_or(text);
    let sniff = || json_src.trim_start().starts_with(['{', '[']);
    let (kind, doc, note) = match declared {
        Declared::Json => match pretty_json(json_src) {
            Ok(doc) => (BodyKind::Json, doc, None),
            Err(e) => (
                BodyKind::Text,
                text_doc(text),
                Some(format!("invalid JSON, shown as text: {e}")),
            ),
        },
        Declared::Plain | Declared::Unknown if sniff() => match pretty_json(json_src) {
            Ok(doc) => (BodyKind::Json, doc, None),
            Err(_) => (BodyKind::Text, text_doc(text), None),
        },
        Declared::Html => (BodyKind::Html, text_doc(text), None),
        Declared::Xml => (BodyKind::Xml, text_doc(text), None),
        _ => (BodyKind::Text, text_doc(text), None),
    };
    let note = match (note, decoded) {
        (Some(note), Some(decoded)) => Some(format!("{decoded}; {note}")),
        (note, decoded) => note.or(decoded),
    };
    (kind, doc, note)
}

/// The first `prefix` of a large body laid out as the whole will be, when
/// that can be known from its start: JSON re-indented unchecked, or text.
/// `None` for what is shown otherwise (binary, another charset), which
/// waits for the whole.
pub(super) fn analyse_prefix(prefix: &[u8], content_type: Option<&str>) -> Option<(BodyKind, Doc)> {
    let declared = Declared::of(content_type);
    if declared == Declared::Binary || legacy_encoding(prefix, content_type).is_some() {
        return None;
    }
    // Cut at a character boundary: the prefix ends anywhere.
    let text = match std::str::from_utf8(prefix) {
        Ok(text) => text,
        Err(e) if e.error_len().is_none() => {
            std::str::from_utf8(&prefix[..e.valid_up_to()]).ok()?
        }
        Err(_) => return None,
    };
    if text.contains('\0') {
        return None;
    }
    let json_src = text.strip_prefix('\u{feff}').unwrap_or(text);
    let sniff = json_src.trim_start().starts_with(['{', '[']);
    Some(match declared {
        Declared::Json => (BodyKind::Json, reindent(json_src)),
        Declared::Plain | Declared::Unknown if sniff => (BodyKind::Json, reindent(json_src)),
        Declared::Html => (BodyKind::Html, text_doc(text)),
        Declared::Xml => (BodyKind::Xml, text_doc(text)),
        _ => (BodyKind::Text, text_doc(text)),
    })
}

/// The encoding to decode the body with when it is not UTF-8: a UTF-16
/// byte-order mark, else a `charset` parameter naming another encoding. With
/// the length of the mark to skip.
fn legacy_encoding(
    body: &[u8],
    content_type: Option<&str>,
) -> Option<(&'static encoding_rs::Encoding, usize)> {
    if let Some((encoding, bom)) = encoding_rs::Encoding::for_bom(body) {
        return (encoding != encoding_rs::UTF_8).then_some((encoding, bom));
    }
    let label = content_type?.split(';').skip(1).find_map(|param| {
        let (name, value) = param.split_once('=')?;
        name.trim()
            .eq_ignore_ascii_case("charset")
            .then(|| value.trim().trim_matches('"'))
    })?;
    let encoding = encoding_rs::Encoding::for_label(label.as_bytes())?;
    (encoding != encoding_rs::UTF_8).then_some((encoding, 0))
}

/// [`size_text`] with the exact count: `10.0 MiB (10,485,760 bytes)`.
pub(super) fn human_size(n: usize) -> String {
    let n = n as u64;
    if n < 1024 {
        format!("{} bytes", grouped(n))
    } else {
        format!("{} ({} bytes)", size_text(n), grouped(n))
    }
}

fn text_doc(text: &str) -> Doc {
    let mut starts = vec![0];
    starts.extend(
        text.bytes()
            .enumerate()
            .filter(|&(i, b)| b == b'\n' && i + 1 < text.len())
            .map(|(i, _)| i + 1),
    );
    Doc::Text {
        text: text.to_string(),
        starts,
        keys: None,
    }
}

pub(super) fn doc_line<'d>(doc: &'d Doc, raw: &[u8], i: usize) -> Cow<'d, str> {
    match doc {
        Doc::Empty => Cow::Borrowed(""),
        Doc::Text { text, starts, .. } => Cow::Borrowed(text_line(text, starts, i)),
        Doc::Hex => Cow::Owned(hex_line(raw, i)),
    }
}

/// For pretty JSON, whether line `i` starts with an object key; `None` for
/// other documents.
pub(super) fn key_line(doc: &Doc, i: usize) -> Option<bool> {
    match doc {
        Doc::Text {
            keys: Some(keys), ..
        } => Some(keys.get(i).copied().unwrap_or(false)),
        _ => None,
    }
}

fn text_line<'t>(text: &'t str, starts: &[usize], i: usize) -> &'t str {
    let Some(&start) = starts.get(i) else {
        return "";
    };
    let end = starts.get(i + 1).map_or(text.len(), |&next| next - 1);
    let line = text.get(start..end).unwrap_or("");
    let line = line.strip_suffix('\n').unwrap_or(line);
    line.strip_suffix('\r').unwrap_or(line)
}

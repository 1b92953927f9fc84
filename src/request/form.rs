//! Form bodies: a draft's fields encoded as the operation's media type
//! says, `application/x-www-form-urlencoded` (`a=1&b=x%20y`) or
//! `multipart/form-data` (one part per field, files read from their
//! path, each with a content type guessed from its name).

use std::path::Path;

use super::FormField;

/// The largest file a multipart field reads (the engine's body cap).
const MAX_FILE: u64 = 128 * 1024 * 1024;

/// The media type is a multipart form.
pub(crate) fn is_multipart(content_type: &str) -> bool {
    content_type
        .trim_start()
        .to_ascii_lowercase()
        .starts_with("multipart/form-data")
}

/// The media type is a URL-encoded form.
pub(crate) fn is_urlencoded(content_type: &str) -> bool {
    content_type
        .trim_start()
        .to_ascii_lowercase()
        .starts_with("application/x-www-form-urlencoded")
}

/// `name=value&…`, each part percent-encoded as a browser encodes a form.
pub(super) fn urlencoded(fields: &[(String, String)]) -> String {
    let mut form = url::form_urlencoded::Serializer::new(String::new());
    for (name, value) in fields {
        form.append_pair(name, value);
    }
    form.finish()
}

/// One encoded multipart field.
pub(super) enum Part {
    Text { name: String, value: String },
    File { name: String, path: String },
}

/// The multipart body and its boundary. A file that cannot be read is an
/// error naming its field and path.
pub(super) fn multipart(parts: &[Part], boundary: &str) -> Result<Vec<u8>, String> {
    let mut body = Vec::new();
    for part in parts {
        body.extend_from_slice(format!("--{boundary}\r\n").as_bytes());
        match part {
            Part::Text { name, value } => {
                body.extend_from_slice(
                    format!(
                        "Content-Disposition: form-data; name=\"{}\"\r\n\r\n",
                        quoted(name)
                    )
                    .as_bytes(),
                );
                body.extend_from_slice(value.as_bytes());
            }
            Part::File { name, path } => {
                let bytes = read_file(Path::new(path))
                    .map_err(|e| format!("form field `{name}`: cannot read {path}: {e}"))?;
                let file_name = Path::new(path)
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default();
                body.extend_from_slice(
                    format!(
                        "Content-Disposition: form-data; name=\"{}\"; filename=\"{}\"\r\nContent-Type: {}\r\n\r\n",
                        quoted(name),
                        quoted(&file_name),
                        guess_content_type(&file_name)
                    )
                    .as_bytes(),
                );
                body.extend_from_slice(&bytes);
            }
        }
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    Ok(body)
}

/// A boundary that the parts do not contain.
pub(super) fn boundary(parts: &[Part]) -> String {
    let mut n: u64 = 0x5f3759df;
    loop {
        let candidate = format!("portico-{n:016x}");
        let clash = parts.iter().any(|p| match p {
            Part::Text { value, .. } => value.contains(&candidate),
            Part::File { .. } => false,
        });
        if !clash {
            return candidate;
        }
        n = n.wrapping_mul(6364136223846793005).wrapping_add(1);
    }
}

/// The fields of a draft that are sent, in order: an empty value is left
/// out, as an optional query parameter is.
pub(super) fn enabled(form: &[FormField]) -> impl Iterator<Item = &FormField> {
    form.iter()
        .filter(|f| f.enabled && !f.name.trim().is_empty() && !f.value.is_empty())
}

/// A file to send, refused when it is not a regular file or is too large.
pub(super) fn read_file(path: &Path) -> std::io::Result<Vec<u8>> {
    check_file(path)?;
    std::fs::read(path)
}

/// Whether [`read_file`] would read `path`, without reading it.
pub(super) fn check_file(path: &Path) -> std::io::Result<()> {
    let meta = std::fs::metadata(path)?;
    if !meta.is_file() {
        return Err(std::io::Error::other("not a regular file"));
    }
    if meta.len() > MAX_FILE {
        return Err(std::io::Error::other("larger than 128 MiB"));
    }
    Ok(())
}

/// A name inside `"…"` of a Content-Disposition: quotes and line breaks
/// escaped as browsers do.
fn quoted(text: &str) -> String {
    text.replace('"', "%22")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// The content type of a file, by its extension.
pub fn guess_content_type(file_name: &str) -> &'static str {
    let extension = file_name
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default();
    MEDIA_TYPES
        .iter()
        .find(|(extensions, _)| extensions.contains(&extension.as_str()))
        .map_or("application/octet-stream", |(_, media_type)| media_type)
}

/// The usual file extension for a content type (`image/png` → `png`,
/// `application/problem+json` → `json`), for a file name to propose;
/// parameters and case do not matter.
pub fn extension_for(content_type: &str) -> Option<&'static str> {
    let essence = content_type
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    let known = MEDIA_TYPES
        .iter()
        .find(|(_, media_type)| *media_type == essence)
        .map(|(extensions, _)| extensions[0]);
    known.or_else(|| {
        if essence.ends_with("+json") {
            Some("json")
        } else if essence.ends_with("+xml") || essence == "text/xml" {
            Some("xml")
        } else if essence.starts_with("text/") {
            Some("txt")
        } else {
            None
        }
    })
}

/// File extensions (the usual one first) and their media types: one table
/// for guessing a file's type and proposing a file's name.
const MEDIA_TYPES: &[(&[&str], &str)] = &[
    (&["txt", "text", "log"], "text/plain"),
    (&["csv"], "text/csv"),
    (&["html", "htm"], "text/html"),
    (&["json"], "application/json"),
    (&["xml"], "application/xml"),
    (&["yaml", "yml"], "application/yaml"),
    (&["pdf"], "application/pdf"),
    (&["zip"], "application/zip"),
    (&["gz"], "application/gzip"),
    (&["png"], "image/png"),
    (&["jpg", "jpeg"], "image/jpeg"),
    (&["gif"], "image/gif"),
    (&["webp"], "image/webp"),
    (&["svg"], "image/svg+xml"),
    (&["mp3"], "audio/mpeg"),
    (&["wav"], "audio/wav"),
    (&["mp4"], "video/mp4"),
];

#[cfg(test)]
mod tests {
    use super::{extension_for, guess_content_type};

    #[test]
    fn types_and_extensions_come_from_one_table() {
        assert_eq!(guess_content_type("photo.JPEG"), "image/jpeg");
        assert_eq!(guess_content_type("noext"), "application/octet-stream");
        assert_eq!(extension_for("image/png"), Some("png"));
        assert_eq!(extension_for("Image/JPEG; q=1"), Some("jpg"));
        assert_eq!(extension_for("application/problem+json"), Some("json"));
        assert_eq!(extension_for("application/atom+xml"), Some("xml"));
        assert_eq!(extension_for("text/markdown"), Some("txt"));
        assert_eq!(extension_for("application/octet-stream"), None);
    }
}

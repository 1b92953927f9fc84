//! The demo's blob store: blobs by container and name, in memory, under
//! `/azureml-demo/blobs/{container}/{name}`. Batch jobs read their input
//! from it and write their results to it; a result can only be read with
//! the SAS signature its job hands out (`?...&sig=...`), like a storage
//! account's shared access signature.

use std::collections::HashMap;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;

use super::server::{App, lock, service_error};

/// Bounds memory: the store is a demo, not a storage service.
pub(super) const MAX_BLOBS: usize = 1000;
pub(super) const MAX_TOTAL_BYTES: usize = 64 * 1024 * 1024;

#[derive(Default)]
pub(super) struct BlobStore {
    blobs: HashMap<(String, String), Blob>,
    total_bytes: usize,
}

#[derive(Clone)]
pub(super) struct Blob {
    pub data: Bytes,
    pub content_type: String,
    /// Written by a job: reading it needs the SAS signature.
    pub needs_sas: bool,
}

impl BlobStore {
    pub fn get(&self, container: &str, name: &str) -> Option<&Blob> {
        self.blobs.get(&(container.to_string(), name.to_string()))
    }

    /// Stores a blob, replacing any of the same name; refuses when the
    /// store would grow past its bounds.
    pub fn put(&mut self, container: &str, name: &str, blob: Blob) -> Result<(), String> {
        let key = (container.to_string(), name.to_string());
        let old = self.blobs.get(&key).map_or(0, |b| b.data.len());
        if !self.blobs.contains_key(&key) && self.blobs.len() >= MAX_BLOBS {
            return Err(format!("the demo store holds at most {MAX_BLOBS} blobs"));
        }
        let total = self.total_bytes.saturating_sub(old) + blob.data.len();
        if total > MAX_TOTAL_BYTES {
            return Err(format!(
                "the demo store holds at most {} MiB",
                MAX_TOTAL_BYTES / (1024 * 1024)
            ));
        }
        self.total_bytes = total;
        self.blobs.insert(key, blob);
        Ok(())
    }
}

/// Container names as Azure Storage has them: 3-63 lowercase letters,
/// digits and hyphens, starting and ending with a letter or digit.
pub(super) fn check_container(name: &str) -> Result<(), String> {
    let ok_chars = name
        .chars()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
    let ok_ends = name.starts_with(|c: char| c.is_ascii_alphanumeric())
        && name.ends_with(|c: char| c.is_ascii_alphanumeric());
    if (3..=63).contains(&name.len()) && ok_chars && ok_ends {
        Ok(())
    } else {
        Err(format!(
            "container name `{name}` is not valid: use 3 to 63 lowercase letters, digits and hyphens, starting and ending with a letter or digit"
        ))
    }
}

/// Blob names: 1-256 characters among letters, digits, `.`, `-`, `_` and
/// `/`, so that a result's URL needs no escaping.
pub(super) fn check_blob_name(name: &str) -> Result<(), String> {
    let ok_chars = name
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_' | '/'));
    let ok_parts = name
        .split('/')
        .all(|p| !p.is_empty() && p != "." && p != "..");
    if (1..=256).contains(&name.len()) && ok_chars && ok_parts {
        Ok(())
    } else {
        Err(format!(
            "blob name `{name}` is not valid: use 1 to 256 letters, digits, `.`, `-`, `_` and `/` (no empty, `.` or `..` segments)"
        ))
    }
}

pub(super) async fn upload(
    State(app): State<Arc<App>>,
    Path((container, name)): Path<(String, String)>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if let Err(e) = check_container(&container).and_then(|()| check_blob_name(&name)) {
        return service_error(StatusCode::BAD_REQUEST, "InvalidResourceName", &e);
    }
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("application/octet-stream")
        .to_string();
    let size = body.len();
    let stored = lock(&app.blobs).put(
        &container,
        &name,
        Blob {
            data: body,
            content_type,
            needs_sas: false,
        },
    );
    match stored {
        Ok(()) => (
            StatusCode::CREATED,
            axum::Json(json!({"container": container, "name": name, "size": size})),
        )
            .into_response(),
        Err(e) => service_error(StatusCode::INSUFFICIENT_STORAGE, "InsufficientStorage", &e),
    }
}

pub(super) async fn download(
    State(app): State<Arc<App>>,
    Path((container, name)): Path<(String, String)>,
    uri: Uri,
) -> Response {
    let Some(blob) = lock(&app.blobs).get(&container, &name).cloned() else {
        return service_error(
            StatusCode::NOT_FOUND,
            "BlobNotFound",
            &format!("there is no blob `{name}` in container `{container}`"),
        );
    };
    if blob.needs_sas {
        let sig = uri.query().and_then(|q| {
            url::form_urlencoded::parse(q.as_bytes())
                .find(|(k, _)| k == "sig")
                .map(|(_, v)| v.into_owned())
        });
        match sig {
            None => {
                return service_error(
                    StatusCode::FORBIDDEN,
                    "AuthenticationFailed",
                    "this blob is a job result: add the job's SasBlobToken (`?sv=...&sig=...`) to the URL",
                );
            }
            Some(sig) if sig != app.sign(&container, &name) => {
                return service_error(
                    StatusCode::FORBIDDEN,
                    "AuthenticationFailed",
                    "the SAS signature (`sig`) does not grant access to this blob",
                );
            }
            Some(_) => {}
        }
    }
    (
        StatusCode::OK,
        [(header::CONTENT_TYPE, blob.content_type)],
        blob.data,
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_follow_storage_rules() {
        assert!(check_container("demo-input").is_ok());
        assert!(check_container("ab").is_err());
        assert!(check_container("Demo").is_err());
        assert!(check_container("-abc").is_err());
        assert!(check_blob_name("a/b-1_2.csv").is_ok());
        assert!(check_blob_name("a//b").is_err());
        assert!(check_blob_name("../x").is_err());
        assert!(check_blob_name("a b").is_err());
        assert!(check_blob_name("").is_err());
    }

    #[test]
    fn the_store_is_bounded() {
        let mut store = BlobStore::default();
        let blob = |n: usize| Blob {
            data: Bytes::from(vec![b'x'; n]),
            content_type: "text/csv".into(),
            needs_sas: false,
        };
        assert!(store.put("c00", "big", blob(MAX_TOTAL_BYTES)).is_ok());
        assert!(store.put("c00", "one-more", blob(1)).is_err());
        // Replacing a blob frees its old size first.
        assert!(store.put("c00", "big", blob(10)).is_ok());
        assert!(store.put("c00", "one-more", blob(1)).is_ok());
        assert_eq!(store.total_bytes, 11);
    }
}

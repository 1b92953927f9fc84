//! Target: preset, history and environment files.

use std::time::Duration;

use portico::catalog::OperationKey;
use portico::http::{ErrorKind, RequestError};
use portico::request::{BuiltRequest, Draft};
use portico::store::{DotEnv, History, HistoryEntry, HistoryLimits, Presets, SaveOptions};
use proptest::collection::vec;
use proptest::prelude::*;

use crate::harness::{fuzz, hostile_text, lossy, mutated_seed};

fn store_input() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        1 => vec(any::<u8>(), 0..512),
        1 => hostile_text(48).prop_map(String::into_bytes),
        4 => mutated_seed("store"),
    ]
}

fn sample_entry() -> HistoryEntry {
    let built = BuiltRequest {
        method: "GET".into(),
        url: "http://127.0.0.1:9/x".into(),
        headers: vec![("Authorization".into(), "Bearer s3cret".into())],
        body: None,
        secret_values: vec!["s3cret".into()],
        form: Vec::new(),
        body_file: None,
    };
    let error = RequestError::new(
        ErrorKind::Connect,
        &built.url,
        Duration::from_millis(3),
        "refused",
    );
    HistoryEntry::from_error(None, &built, &error, 1024)
}

#[test]
fn fuzz_store_files() {
    let dir = tempfile::tempdir().expect("temp dir");
    let key = OperationKey {
        api: "fuzz".into(),
        method: "GET".into(),
        path: "/x".into(),
    };
    let entry = sample_entry();
    fuzz("store", store_input(), move |bytes| {
        let names_path = |e: &dyn std::fmt::Display, path: &std::path::Path| {
            e.to_string().contains(&path.display().to_string())
        };

        // Presets: an unreadable file is an error naming it, and a save
        // into it is refused with the file left as it was.
        let presets_path = dir.path().join("presets.json");
        std::fs::write(&presets_path, &bytes).expect("write");
        let presets = Presets::at(&presets_path);
        match presets.load() {
            Ok(_) => {
                let _ = presets.save(&key, "p", &Draft::default(), SaveOptions::default());
            }
            Err(e) => {
                prop_assert!(names_path(&e, &presets_path), "{e}");
                prop_assert!(
                    presets
                        .save(&key, "p", &Draft::default(), SaveOptions::default())
                        .is_err()
                );
                prop_assert_eq!(std::fs::read(&presets_path).expect("read"), bytes.clone());
            }
        }

        // History: unreadable lines are skipped with a warning and kept.
        let history_path = dir.path().join("history.jsonl");
        std::fs::write(&history_path, &bytes).expect("write");
        let history = History::at(&history_path, HistoryLimits::default());
        match history.read() {
            Ok(read) => {
                for w in &read.warnings {
                    prop_assert!(names_path(w, &history_path), "{w}");
                }
                history
                    .append(&entry)
                    .map_err(|e| TestCaseError::fail(e.to_string()))?;
                let after = std::fs::read(&history_path).expect("read");
                prop_assert!(after.starts_with(&bytes), "history lost what it had");
                prop_assert!(history.read().is_ok());
            }
            Err(e) => prop_assert!(names_path(&e, &history_path), "{e}"),
        }

        // Environments and .env.
        let env_path = dir.path().join("environments.toml");
        std::fs::write(&env_path, &bytes).expect("write");
        let mut warnings = Vec::new();
        if let Err(e) = portico::store::env::load_user_file(&env_path, &mut warnings) {
            prop_assert!(names_path(&e, &env_path), "{e}");
        }
        let _ = DotEnv::parse(&lossy(&bytes), &dir.path().join(".env"));
        Ok(())
    });
}

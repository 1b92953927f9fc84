//! Unsent work kept between sessions: each operation's draft as the user
//! left it in the TUI (edited away from the definition's defaults), in
//! `drafts.json` beside the history, its secrets withheld as history and
//! presets withhold them (`{{variable}}` references, never values).
//!
//! Written through `fsio` like every file of portico's: locked, re-read
//! (another session's drafts for other operations stay), replaced
//! atomically; a file that does not parse is reported and never written
//! over.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::catalog::OperationKey;
use crate::request::{Draft, Vars};

use super::presets::withhold_secrets;
use super::{Paths, StoreError, Timestamp, fsio};

/// The drafts file.
#[derive(Debug, Clone)]
pub struct Drafts {
    path: PathBuf,
}

/// One operation's draft as it was left.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct KeptDraft {
    pub operation: OperationKey,
    pub draft: Draft,
    pub saved_at: Timestamp,
}

#[derive(Debug, Default, Serialize, Deserialize)]
struct DraftFile {
    drafts: Vec<KeptDraft>,
}

impl Drafts {
    pub fn new(paths: &Paths) -> Self {
        Self {
            path: paths.drafts_file(),
        }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Every kept draft; none when there is no file yet.
    pub fn load(&self) -> Result<Vec<KeptDraft>, StoreError> {
        Ok(match fsio::read_optional(&self.path)? {
            None => Vec::new(),
            Some(bytes) => parse(&bytes, &self.path)?.drafts,
        })
    }

    /// Keeps each `(operation, Some(draft))`, with its secrets withheld
    /// against `vars`, and forgets each `(operation, None)` (a draft back
    /// to its defaults); other operations' drafts stay as they are.
    pub fn update(
        &self,
        changes: &[(OperationKey, Option<Draft>)],
        vars: &Vars,
    ) -> Result<(), StoreError> {
        if changes.is_empty() {
            return Ok(());
        }
        let _lock = fsio::lock_exclusive(&self.path)?;
        let mut kept: BTreeMap<String, KeptDraft> = self
            .load()?
            .into_iter()
            .map(|k| (k.operation.to_string(), k))
            .collect();
        let now = Timestamp::now();
        for (operation, draft) in changes {
            let id = operation.to_string();
            match draft {
                Some(draft) => {
                    kept.insert(
                        id,
                        KeptDraft {
                            operation: operation.clone(),
                            draft: withhold_secrets(draft, vars).0,
                            saved_at: now,
                        },
                    );
                }
                None => {
                    kept.remove(&id);
                }
            }
        }
        let file = DraftFile {
            drafts: kept.into_values().collect(),
        };
        let mut text = serde_json::to_vec_pretty(&file).map_err(|e| StoreError::Corrupt {
            path: self.path.clone(),
            line: 0,
            column: 0,
            message: format!("cannot serialise the drafts: {e}"),
        })?;
        text.push(b'\n');
        fsio::write_atomic(&self.path, &text)
    }
}

fn parse(bytes: &[u8], path: &Path) -> Result<DraftFile, StoreError> {
    serde_json::from_slice(bytes).map_err(|e| {
        let offset = bytes
            .split(|b| *b == b'\n')
            .take(e.line().saturating_sub(1))
            .map(|l| l.len() + 1)
            .sum::<usize>()
            + e.column().saturating_sub(1);
        let (line, column) = fsio::line_column(bytes, offset);
        StoreError::Corrupt {
            path: path.to_path_buf(),
            line,
            column,
            message: format!("invalid drafts file: {e}"),
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::Variable;
    use crate::request::Row;

    fn key(path: &str) -> OperationKey {
        OperationKey {
            api: "demo".into(),
            method: "GET".into(),
            path: path.into(),
        }
    }

    #[test]
    fn drafts_are_kept_with_secrets_withheld_and_forgotten() {
        let dir = tempfile::tempdir().expect("dir");
        let drafts = Drafts::new(&Paths::in_dir(dir.path()));
        assert!(drafts.load().expect("no file").is_empty());
        let mut vars = Vars::default();
        vars.environment.insert(
            "api_key".into(),
            Variable {
                value: "s3cret-value".into(),
                secret: true,
            },
        );
        let draft = Draft {
            headers: vec![Row {
                name: "X-Key".into(),
                value: "s3cret-value".into(),
                enabled: true,
            }],
            body: "edited".into(),
            ..Draft::default()
        };
        drafts
            .update(
                &[(key("/a"), Some(draft.clone())), (key("/b"), Some(draft))],
                &vars,
            )
            .expect("kept");
        let text = std::fs::read_to_string(drafts.path()).expect("file");
        assert!(!text.contains("s3cret-value"), "{text}");
        assert!(text.contains("{{api_key}}"), "{text}");
        let kept = drafts.load().expect("load");
        assert_eq!(kept.len(), 2);
        assert_eq!(kept[0].draft.body, "edited");

        drafts.update(&[(key("/a"), None)], &vars).expect("forgot");
        let kept = drafts.load().expect("load");
        assert_eq!(kept.len(), 1);
        assert_eq!(kept[0].operation, key("/b"));

        std::fs::write(drafts.path(), "{\"drafts\": [oops]}").expect("corrupt");
        let err = drafts
            .update(&[(key("/c"), None)], &vars)
            .expect_err("refused");
        assert!(err.to_string().contains("invalid drafts file"), "{err}");
        assert_eq!(
            std::fs::read_to_string(drafts.path()).expect("file"),
            "{\"drafts\": [oops]}",
            "a corrupt file is never written over"
        );
    }
}

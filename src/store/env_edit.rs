//! Changing the user's environments file in place: a variable set or
//! removed in one environment, everything else in the file (comments,
//! order, other environments, sources) kept as written. Locked, re-read
//! and replaced atomically like every file of portico's; a file that does
//! not parse is reported and never written over.

use std::path::Path;

use toml_edit::{DocumentMut, Item, Table, value};

use super::{StoreError, fsio};

/// Sets `name = value` in environment `environment` of the file at
/// `path` (made when missing, with the environment when it has none);
/// a secret is written `{ value = "…", secret = true }` so that it stays
/// masked.
pub fn set_variable(
    path: &Path,
    environment: &str,
    name: &str,
    text: &str,
    secret: bool,
) -> Result<(), StoreError> {
    change(path, |doc| {
        let Some(variables) = variables_of(doc, environment, true) else {
            // `environment` is not an array of tables: left as it is.
            return false;
        };
        if secret {
            let mut inline = toml_edit::InlineTable::new();
            inline.insert("value", text.into());
            inline.insert("secret", true.into());
            variables.insert(name, value(inline));
        } else {
            variables.insert(name, value(text));
        }
        true
    })
    .map(|_| ())
}

/// Removes `name` from environment `environment`; false when the file
/// does not define it there.
pub fn remove_variable(path: &Path, environment: &str, name: &str) -> Result<bool, StoreError> {
    change(path, |doc| {
        variables_of(doc, environment, false).is_some_and(|v| v.remove(name).is_some())
    })
}

/// Lock, re-read, change, write: only when `edit` says it changed.
fn change(path: &Path, edit: impl FnOnce(&mut DocumentMut) -> bool) -> Result<bool, StoreError> {
    if let Some(dir) = path.parent() {
        fsio::ensure_dir(dir)?;
    }
    let _lock = fsio::lock_exclusive(path)?;
    let bytes = fsio::read_optional(path)?.unwrap_or_default();
    let text = String::from_utf8(bytes).map_err(|e| StoreError::Corrupt {
        path: path.to_path_buf(),
        line: 0,
        column: 0,
        message: format!(
            "the environments file is not UTF-8 (byte {})",
            e.utf8_error().valid_up_to()
        ),
    })?;
    let mut doc: DocumentMut = text.parse().map_err(|e: toml_edit::TomlError| {
        let (line, column) = e.span().map_or((0, 0), |span| {
            fsio::line_column(text.as_bytes(), span.start)
        });
        StoreError::Corrupt {
            path: path.to_path_buf(),
            line,
            column,
            message: format!("invalid environments file: {}", e.message().trim()),
        }
    })?;
    if !edit(&mut doc) {
        return Ok(false);
    }
    fsio::write_atomic(path, doc.to_string().as_bytes())?;
    Ok(true)
}

/// The `variables` table of the `[[environment]]` named `name`; with
/// `make`, the environment and its table are added when missing.
fn variables_of<'d>(doc: &'d mut DocumentMut, name: &str, make: bool) -> Option<&'d mut Table> {
    if doc.get("environment").is_none() {
        if !make {
            return None;
        }
        doc.insert(
            "environment",
            Item::ArrayOfTables(toml_edit::ArrayOfTables::new()),
        );
    }
    let environments = doc.get_mut("environment")?.as_array_of_tables_mut()?;
    let found = environments
        .iter()
        .position(|t| t.get("name").and_then(Item::as_str) == Some(name));
    let index = match found {
        Some(index) => index,
        None if make => {
            let mut table = Table::new();
            table.insert("name", value(name));
            environments.push(table);
            environments.len() - 1
        }
        None => return None,
    };
    let environment = environments.get_mut(index)?;
    if environment.get("variables").is_none() {
        if !make {
            return None;
        }
        environment.insert("variables", Item::Table(Table::new()));
    }
    environment.get_mut("variables")?.as_table_mut()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_variable_is_set_and_removed_with_the_rest_of_the_file_kept() {
        let dir = tempfile::tempdir().expect("dir");
        let path = dir.path().join("environments.toml");
        let original = "# my environments\n[[environment]]\nname = \"demo\" # the portal's\n\
                        [environment.variables]\nworkspace = \"mine\"\n\
                        token = { command = \"pass show x\" }\n";
        std::fs::write(&path, original).expect("write");
        set_variable(&path, "demo", "region", "eu", false).expect("set");
        set_variable(&path, "demo", "api_key", "k-123", true).expect("secret");
        set_variable(&path, "staging", "workspace", "stage", false).expect("new env");
        let text = std::fs::read_to_string(&path).expect("read");
        assert!(text.starts_with("# my environments\n"), "{text}");
        assert!(text.contains("name = \"demo\" # the portal's"), "{text}");
        assert!(
            text.contains("token = { command = \"pass show x\" }"),
            "{text}"
        );
        assert!(text.contains("region = \"eu\""), "{text}");
        assert!(
            text.contains("api_key = { value = \"k-123\", secret = true }"),
            "{text}"
        );
        assert!(text.contains("name = \"staging\""), "{text}");
        assert!(remove_variable(&path, "demo", "region").expect("removed"));
        assert!(!remove_variable(&path, "demo", "region").expect("gone"));
        assert!(!remove_variable(&path, "nope", "x").expect("no env"));
        let text = std::fs::read_to_string(&path).expect("read");
        assert!(!text.contains("region"), "{text}");
        // The file still reads as environments.
        let mut warnings = Vec::new();
        let environments =
            super::super::env::parse_user_file(text.as_bytes(), &path, &mut warnings)
                .expect("parses");
        assert_eq!(environments.len(), 2);

        std::fs::write(&path, "[[environment]\nbroken").expect("corrupt");
        let err = set_variable(&path, "demo", "a", "b", false).expect_err("refused");
        assert!(
            err.to_string().contains("invalid environments file"),
            "{err}"
        );
        assert_eq!(
            std::fs::read_to_string(&path).expect("read"),
            "[[environment]\nbroken"
        );
    }
}

//! A form body (`application/x-www-form-urlencoded`, `multipart/form-data`)
//! edited as a table in the Body tab: one row per field of the draft, with
//! what the schema says of it (required, type, description), rows added,
//! removed and switched on and off like the Params tab's.

use super::{FieldKind, RequestEditor};
use crate::catalog::schema_tree::{Direction, schema_tree};
use crate::catalog::{Api, MediaType, Operation};
use crate::request::{FormField, is_form_media};

/// What the body's schema says of one form field.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FormDoc {
    pub name: String,
    pub required: bool,
    pub type_text: String,
    /// The description's first line.
    pub description: String,
}

impl RequestEditor {
    /// Whether the body is a file's bytes (the Body tab is its path).
    pub fn is_file_body(&self) -> bool {
        self.draft.body_file.is_some()
    }

    /// Whether the Body tab is a table of form fields.
    pub fn is_form(&self) -> bool {
        !self.draft.form.is_empty()
            || self
                .draft
                .content_type
                .as_deref()
                .is_some_and(is_form_media)
    }

    /// Reads the form fields' docs from the body's schema, once.
    pub(super) fn ensure_form_docs(&mut self, api: &Api, operation: &Operation) {
        if self.form_docs.is_some() || !self.is_form() {
            return;
        }
        let docs = self
            .body_media(operation)
            .and_then(|m| m.schema.as_ref())
            .map(|schema| {
                schema_tree(api, schema, Direction::Request)
                    .children
                    .iter()
                    .map(|node| FormDoc {
                        name: node.name.clone(),
                        required: node.required,
                        type_text: node.type_text(),
                        description: node
                            .description
                            .as_deref()
                            .and_then(|d| d.lines().map(str::trim).find(|l| !l.is_empty()))
                            .unwrap_or_default()
                            .to_string(),
                    })
                    .collect()
            })
            .unwrap_or_default();
        self.form_docs = Some(docs);
    }

    /// The operation's body media type the draft sends: the one of its
    /// content type, else the first.
    pub(super) fn body_media<'o>(&self, operation: &'o Operation) -> Option<&'o MediaType> {
        let body = operation.request_body.as_ref()?;
        body.content
            .iter()
            .find(|m| Some(&m.content_type) == self.draft.content_type.as_ref())
            .or_else(|| body.content.first())
    }

    /// The schema's word on the form field named `name`.
    pub fn form_doc(&self, name: &str) -> Option<&FormDoc> {
        self.form_docs.as_ref()?.iter().find(|d| d.name == name)
    }

    /// Adds a form field and starts editing its name.
    pub(super) fn add_form_row(&mut self) {
        self.draft.form.push(FormField {
            name: String::new(),
            value: String::new(),
            file: false,
            enabled: true,
        });
        self.form_row = self.draft.form.len() - 1;
        self.start_field(FieldKind::FormName(self.form_row));
    }

    pub(super) fn delete_form_row(&mut self) {
        if self.form_row < self.draft.form.len() {
            self.draft.form.remove(self.form_row);
            self.form_row = self.form_row.min(self.draft.form.len().saturating_sub(1));
        }
    }

    pub(super) fn toggle_form_row(&mut self) -> bool {
        match self.draft.form.get_mut(self.form_row) {
            Some(f) => {
                f.enabled = !f.enabled;
                true
            }
            None => false,
        }
    }
}

//! What keys do in the request editor: moving between tabs and rows,
//! starting and leaving fields, rows added, removed and toggled, the body
//! reformatted or replaced by an example, and the keys typed into a field
//! or the body.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::{AD_HOC_CHOICES, FieldKind, ReqTab, RequestEditor, json_text};
use crate::catalog::{Api, OAuthGrant, Operation, SecurityKind, samples};
use crate::tui::app::{ChoosePurpose, Chooser, Effect, OpRef, Overlay, Reaction, TokenChoice};
use crate::tui::input::{InputResult, LineInput};
use crate::tui::keymap::Action;
use crate::tui::views::panel::{Confirm, ConfirmAction, Panel};

/// `A`: the flows of the operation's first OAuth 2.0 scheme to get a new
/// token by (all three portico runs when the scheme uses discovery), then
/// refreshing and forgetting the token.
fn oauth_flow_choice(api: &Api, operation: &Operation) -> Reaction {
    let Some((scheme, _)) = crate::oauth::required_schemes(api, operation)
        .into_iter()
        .next()
    else {
        return Reaction::notice("This operation requires no OAuth 2.0 scheme", true);
    };
    let runnable = [
        OAuthGrant::ClientCredentials,
        OAuthGrant::AuthorizationCode,
        OAuthGrant::DeviceCode,
    ];
    let grants: Vec<OAuthGrant> = match api
        .security_schemes
        .iter()
        .find(|s| s.name == scheme)
        .map(|s| &s.kind)
    {
        Some(SecurityKind::OAuth2 { flows, .. }) if !flows.is_empty() => flows
            .iter()
            .map(|f| f.grant)
            .filter(|g| runnable.contains(g))
            .collect(),
        _ => runnable.to_vec(),
    };
    if grants.is_empty() {
        return Reaction::notice(
            format!("{scheme} offers no flow portico runs (only implicit or password)"),
            true,
        );
    }
    let mut choices = [None; 5];
    let offered = grants
        .iter()
        .map(|g| TokenChoice::Flow(*g))
        .chain([TokenChoice::Refresh, TokenChoice::Forget]);
    for (slot, choice) in choices.iter_mut().zip(offered) {
        *slot = Some(choice);
    }
    Reaction::Open(Overlay::Choose(Chooser {
        title: format!("Token for {scheme}"),
        items: choices.iter().flatten().map(|c| c.label()).collect(),
        selected: 0,
        purpose: ChoosePurpose::OAuthToken(choices),
    }))
}

impl RequestEditor {
    /// An action while no field is typed in; `op` is the operation edited.
    pub fn on_action(
        &mut self,
        action: Action,
        op: OpRef,
        api: &Api,
        operation: &Operation,
    ) -> Reaction {
        let mut changed = false;
        match action {
            Action::Left | Action::PrevTab => self.tab = self.tab.cycle(-1),
            Action::Right | Action::NextTab => self.tab = self.tab.cycle(1),
            Action::Up => self.move_row(-1, api),
            Action::Down => self.move_row(1, api),
            Action::PageUp => self.move_row(-10, api),
            Action::PageDown => self.move_row(10, api),
            Action::Top => self.move_row(isize::MIN / 2, api),
            Action::Bottom => self.move_row(isize::MAX / 2, api),
            Action::Select | Action::Edit => {
                if self.tab == ReqTab::Body && !self.is_form() && !self.is_file_body() {
                    self.body_editing = true;
                } else if let Some(kind) = self.field_for_selection(api) {
                    // Enter on an enum parameter offers its values.
                    let choice = if action == Action::Select {
                        self.value_choice(kind, operation)
                    } else {
                        None
                    };
                    if let Some((name, items, purpose)) = choice {
                        let current = self.field_text(kind);
                        let selected = items.iter().position(|v| *v == current).unwrap_or(0);
                        return Reaction::Open(Overlay::Choose(Chooser {
                            title: format!("{name} — choose a value"),
                            items,
                            selected,
                            purpose,
                        }));
                    }
                    self.start_field(kind);
                } else if self.tab != ReqTab::Auth {
                    changed = self.add_row();
                }
            }
            Action::AddRow => {
                if self.tab == ReqTab::Auth {
                    return Reaction::Open(Overlay::Choose(Chooser {
                        title: "Add a credential to this request".into(),
                        items: AD_HOC_CHOICES.iter().map(|c| (*c).to_string()).collect(),
                        selected: 0,
                        purpose: ChoosePurpose::AddAuth,
                    }));
                }
                if self.tab == ReqTab::Body && !self.is_form() {
                    return Reaction::notice("Rows are added in the Params and Headers tabs", true);
                }
                changed = self.add_row();
            }
            Action::GetToken => return oauth_flow_choice(api, operation),
            Action::Undo => return self.undo(),
            Action::ResetDraft => {
                return Reaction::Open(Overlay::Panel(Panel::Confirm(Confirm {
                    question: format!(
                        "Reset {} to the definition's defaults? (Ctrl+Z undoes it)",
                        operation.title()
                    ),
                    action: ConfirmAction::ResetDraft(op),
                })));
            }
            Action::DeleteRow if self.tab == ReqTab::Auth => match self.delete_auth(api) {
                Ok(()) => changed = true,
                Err(why) => return Reaction::notice(why, true),
            },
            Action::DeleteRow => match self.delete_row() {
                Ok(()) => changed = true,
                Err(why) => return Reaction::notice(why, true),
            },
            Action::ToggleRow if self.tab == ReqTab::Auth => changed = self.toggle_auth(api),
            Action::ShareAuth if self.tab == ReqTab::Auth => {
                return match self.auth_rows(api).get(self.auth_row) {
                    Some(row) if self.draft.auth[row.index].ad_hoc.is_some() => {
                        Reaction::ShareAuth {
                            op,
                            index: row.index,
                        }
                    }
                    Some(row) => Reaction::notice(
                        format!(
                            "`{}` is the definition's: every request of this API has it; a variable named `{}` fills it (v: the environment)",
                            self.draft.auth[row.index].scheme, self.draft.auth[row.index].scheme
                        ),
                        false,
                    ),
                    None => Reaction::notice("a: add a credential first", false),
                };
            }
            Action::ToggleRow => changed = self.toggle_row(),
            Action::Reformat => return self.reformat(),
            Action::Examples => return self.choose_example(api, operation),
            Action::ExternalEditor => {
                let extension = if self.is_json() { "json" } else { "txt" };
                return Reaction::Effect(Effect::EditBody {
                    op,
                    text: self.draft.body.clone(),
                    extension,
                });
            }
            _ => {}
        }
        if changed {
            Reaction::Refresh
        } else {
            Reaction::None
        }
    }

    /// Whether Enter on the selected row offers values to choose from (an
    /// enum parameter or server variable), for the footer to say so.
    pub fn selection_has_choices(&self, api: &Api, operation: &Operation) -> bool {
        self.field_for_selection(api)
            .is_some_and(|kind| self.value_choice(kind, operation).is_some())
    }

    /// The values an enum parameter or server variable may take, to choose
    /// from: its name, the values, and what choosing one sets.
    fn value_choice(
        &self,
        kind: FieldKind,
        operation: &Operation,
    ) -> Option<(String, Vec<String>, ChoosePurpose)> {
        match kind {
            FieldKind::Param(i) => self
                .draft
                .params
                .get(i)
                .and_then(|pv| {
                    operation
                        .parameters
                        .iter()
                        .find(|p| p.name == pv.name && p.location == pv.location)
                })
                .filter(|p| !p.schema.enum_values.is_empty())
                .map(|p| {
                    let items: Vec<String> = p.schema.enum_values.iter().map(json_text).collect();
                    (p.name.clone(), items, ChoosePurpose::Enum(i))
                }),
            FieldKind::ServerVar(i) => self
                .server_vars
                .get(i)
                .filter(|(_, v)| !v.enum_values.is_empty())
                .map(|(name, v)| {
                    (
                        name.clone(),
                        v.enum_values.clone(),
                        ChoosePurpose::ServerVar(i),
                    )
                }),
            _ => None,
        }
    }

    /// A key while a field or the body is typed in.
    pub fn on_typing_key(&mut self, key: KeyEvent, api: &Api) -> Reaction {
        if self.body_editing {
            if key.code == KeyCode::Esc {
                self.body_editing = false;
                return Reaction::None;
            }
            // The body's own undo, edit by edit, while typing in it.
            if key.code == KeyCode::Char('z') && key.modifiers.contains(KeyModifiers::CONTROL) {
                if self.body.undo() {
                    self.sync_body();
                    return Reaction::Refresh;
                }
                return Reaction::None;
            }
            if self.body.input(key) {
                self.sync_body();
                return Reaction::Refresh;
            }
            return Reaction::None;
        }
        let Some(field) = &mut self.field else {
            return Reaction::None;
        };
        match key.code {
            KeyCode::Esc => {
                // Esc cancels the edit; Enter (or Tab, or a move) keeps it.
                let changed = field.input.text() != field.original;
                field.input = LineInput::new(field.original.clone());
                self.close_field(true);
                if changed {
                    return Reaction::All(vec![
                        Reaction::notice("Edit cancelled (Enter keeps an edit)", false),
                        Reaction::Refresh,
                    ]);
                }
            }
            KeyCode::Enter => {
                // After a new row's name comes its value.
                let kind = field.kind;
                let to_value = matches!(
                    kind,
                    FieldKind::HeaderName(_) | FieldKind::ExtraName(_) | FieldKind::FormName(_)
                );
                self.close_field(!to_value);
                if to_value && let Some(next) = RequestEditor::sibling(kind) {
                    self.start_field(next);
                }
            }
            KeyCode::Tab | KeyCode::BackTab => {
                let kind = field.kind;
                self.close_field(false);
                if let Some(next) = RequestEditor::sibling(kind) {
                    self.start_field(next);
                }
            }
            KeyCode::Up | KeyCode::Down => {
                self.close_field(true);
                let delta = if key.code == KeyCode::Up { -1 } else { 1 };
                self.move_row(delta, api);
            }
            _ => {
                if field.input.handle_key(&key) != InputResult::Changed {
                    return Reaction::None;
                }
                self.apply_field();
            }
        }
        Reaction::Refresh
    }

    /// Ends editing a field; `drop_blank`: a header or query row left with
    /// neither a name nor a value goes (an Enter or `a` that was not
    /// followed up), unless the row's other cell is edited next.
    pub fn close_field(&mut self, drop_blank: bool) {
        self.apply_field();
        if let Some(field) = self.field.take()
            && drop_blank
        {
            self.drop_blank_row(field.kind);
        }
        self.body_editing = false;
    }

    fn reformat(&mut self) -> Reaction {
        match serde_json::from_str::<serde_json::Value>(&self.draft.body) {
            Ok(value) => match serde_json::to_string_pretty(&value) {
                Ok(text) => {
                    self.set_body_text(&text);
                    self.tab = ReqTab::Body;
                    Reaction::Refresh
                }
                Err(e) => Reaction::notice(format!("Cannot reformat: {e}"), true),
            },
            Err(e) => Reaction::notice(format!("Cannot reformat: not valid JSON ({e})"), true),
        }
    }

    fn choose_example(&self, api: &Api, operation: &Operation) -> Reaction {
        let examples = examples(self, api, operation);
        if examples.is_empty() {
            return Reaction::notice("The definition has no examples for this body", true);
        }
        Reaction::Open(Overlay::Choose(Chooser {
            title: "Body examples".into(),
            items: examples.into_iter().map(|(l, _)| l).collect(),
            selected: 0,
            purpose: ChoosePurpose::Example,
        }))
    }

    /// The body becomes the example at `index` of `examples()`; false when
    /// there is none at that index.
    pub fn use_example(&mut self, api: &Api, operation: &Operation, index: usize) -> bool {
        let Some((_, value)) = examples(self, api, operation).get(index).cloned() else {
            return false;
        };
        // A form's example fills its fields, not a text nobody sends.
        if self.is_form() && crate::request::fill_form(&mut self.draft.form, &value) {
            self.tab = ReqTab::Body;
            return true;
        }
        let text = match value {
            serde_json::Value::String(s) => s,
            v => serde_json::to_string_pretty(&v).unwrap_or_default(),
        };
        self.set_body_text(&text);
        self.tab = ReqTab::Body;
        true
    }
}

/// The definition's examples for the body's content type (else the first
/// one's): a label and the value.
/// The body's named examples, then a sample for each `oneOf`/`anyOf`
/// variant of its schema (`sample: Variant`).
fn examples(
    editor: &RequestEditor,
    api: &Api,
    operation: &Operation,
) -> Vec<(String, serde_json::Value)> {
    editor
        .body_media(operation)
        .map(|m| {
            m.examples
                .iter()
                .map(|e| {
                    let label = match &e.summary {
                        Some(s) => format!("{} — {s}", e.name),
                        None => e.name.clone(),
                    };
                    (label, e.value.clone())
                })
                .chain(
                    m.schema
                        .as_ref()
                        .map(|schema| samples::variant_samples(api, schema))
                        .unwrap_or_default()
                        .into_iter()
                        .map(|(label, value)| (format!("sample: {label}"), value)),
                )
                .collect()
        })
        .unwrap_or_default()
}

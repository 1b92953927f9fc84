//! The small overlays: help, the curl preview, the code samples (a
//! language picked with ←→) and the warnings (scrolled),
//! the choose lists (enum values, server variables, body examples,
//! servers, environments) and what choosing does, and the response's
//! search and save prompts. Panels answer their own keys.

use crossterm::event::{KeyCode, KeyEvent};
use ratatui::backend::Backend;

use super::{App, ChoosePurpose, Chooser, Overlay, Reaction, TokenChoice};
use crate::interchange::snippet::{Lang, to_snippet};
use crate::tui::keymap::Action;
use crate::tui::views::ask_secret::Asked;
use crate::tui::views::environments;
use crate::tui::views::panel::{Confirm, ConfirmAction, Panel};
use crate::tui::views::request::json_text;
use crate::tui::views::response::RequestState;

impl<B: Backend> App<B> {
    pub(super) fn on_overlay_key(&mut self, key: KeyEvent, action: Option<Action>) {
        let Some(overlay) = &mut self.state.overlay else {
            return;
        };
        match overlay {
            // The environment panel shows secrets: R reveals them there too.
            Overlay::Panel(Panel::Environments(_)) if action == Some(Action::Reveal) => {
                self.run_action(Action::Reveal);
            }
            Overlay::Panel(panel) => {
                let reaction = panel.on_key(key, action);
                self.react(reaction);
            }
            Overlay::Help { scroll } | Overlay::Curl { scroll } | Overlay::Warnings { scroll } => {
                match action {
                    Some(Action::Up) => *scroll = scroll.saturating_sub(1),
                    Some(Action::Down) => *scroll = scroll.saturating_add(1),
                    Some(Action::PageUp) => *scroll = scroll.saturating_sub(10),
                    Some(Action::PageDown) => *scroll = scroll.saturating_add(10),
                    Some(Action::CopyCurl | Action::CopyUrl)
                        if matches!(overlay, Overlay::Curl { .. }) =>
                    {
                        self.state.overlay = None;
                        self.run_action(Action::CopyCurl);
                    }
                    Some(
                        Action::Quit
                        | Action::Back
                        | Action::Help
                        | Action::CurlPreview
                        | Action::Select
                        | Action::Warnings,
                    ) => {
                        self.state.overlay = None;
                    }
                    _ => {}
                }
            }
            Overlay::Snippet { lang, scroll } => match action {
                Some(Action::Up) => *scroll = scroll.saturating_sub(1),
                Some(Action::Down) => *scroll = scroll.saturating_add(1),
                Some(Action::PageUp) => *scroll = scroll.saturating_sub(10),
                Some(Action::PageDown) => *scroll = scroll.saturating_add(10),
                Some(
                    step @ (Action::Left | Action::Right | Action::PrevPane | Action::NextPane),
                ) => {
                    let forward = matches!(step, Action::Right | Action::NextPane);
                    *lang = cycle_lang(*lang, forward);
                    *scroll = 0;
                    self.state.snippet_lang = *lang;
                }
                Some(Action::CopyCurl | Action::CopyUrl) => {
                    let lang = *lang;
                    if let Some(req) = self.built_or_explain() {
                        let text = to_snippet(&req, lang, !self.state.reveal);
                        self.copy(text, &format!("the {} sample", lang.label()));
                    }
                }
                Some(
                    Action::Quit
                    | Action::Back
                    | Action::Help
                    | Action::CodeSamples
                    | Action::Select
                    | Action::Warnings,
                ) => self.state.overlay = None,
                _ => {}
            },
            Overlay::Choose(chooser) => match action {
                Some(Action::Up) => chooser.selected = chooser.selected.saturating_sub(1),
                Some(Action::Down) => {
                    chooser.selected =
                        (chooser.selected + 1).min(chooser.items.len().saturating_sub(1));
                }
                Some(Action::Select) => {
                    let (purpose, selected) = (chooser.purpose, chooser.selected);
                    self.state.overlay = None;
                    self.chosen(purpose, selected);
                }
                Some(Action::Back | Action::Quit) => self.state.overlay = None,
                _ => {}
            },
            Overlay::AskSecret(ask) => {
                if let Asked::Done(environment) = ask.on_key(&key) {
                    let declined = (key.code == KeyCode::Esc).then(|| ask.declined());
                    self.state.overlay = None;
                    self.chosen(ChoosePurpose::Environment, environment);
                    if let Some(notice) = declined {
                        self.react(notice);
                    }
                }
            }
            Overlay::Search(input) | Overlay::SaveBody(input) => match key.code {
                KeyCode::Esc => self.state.overlay = None,
                KeyCode::Enter => {
                    let text = input.text().to_string();
                    let search = matches!(overlay, Overlay::Search(_));
                    self.state.overlay = None;
                    let reaction = match self.current_mut().map(|s| &mut s.request) {
                        Some(RequestState::Done { view, .. }) if search => view.search(&text),
                        Some(RequestState::Done { view, .. }) => view.save_body(&text),
                        _ => Reaction::None,
                    };
                    self.react(reaction);
                }
                _ => {
                    input.handle_key(&key);
                }
            },
        }
    }

    /// The body of `op` becomes its example at `index`.
    pub(super) fn use_example(&mut self, op: super::OpRef, index: usize) {
        let (api, operation) = self.state.catalog.operation(op);
        if let Some(s) = self.state.ops.get_mut(&op) {
            s.editor.use_example(api, operation, index);
        }
    }

    fn chosen(&mut self, purpose: ChoosePurpose, index: usize) {
        match purpose {
            ChoosePurpose::Enum(row) => {
                let Some(op) = self.state.open else {
                    return;
                };
                let operation = self.state.catalog.operation(op).1;
                if let Some(s) = self.state.ops.get_mut(&op)
                    && let Some(pv) = s.editor.draft.params.get_mut(row)
                    && let Some(p) = operation
                        .parameters
                        .iter()
                        .find(|p| p.name == pv.name && p.location == pv.location)
                    && let Some(v) = p.schema.enum_values.get(index)
                {
                    pv.value = json_text(v);
                    pv.enabled = true;
                }
            }
            ChoosePurpose::ServerVar(row) => {
                if let Some(s) = self.current_mut()
                    && let Some((name, var)) = s.editor.server_vars.get(row).cloned()
                    && let Some(value) = var.enum_values.get(index)
                {
                    s.editor.draft.server_vars.insert(name, value.clone());
                }
            }
            ChoosePurpose::OAuthToken(choices) => match choices.get(index) {
                Some(Some(TokenChoice::Flow(grant))) => self.get_token_now(Some(*grant)),
                Some(Some(TokenChoice::Refresh)) => self.refresh_token_now(),
                Some(Some(TokenChoice::Forget)) => self.forget_token_now(),
                _ => {}
            },
            ChoosePurpose::AddAuth => {
                let Some(op) = self.state.open else {
                    return;
                };
                let api = &self.state.catalog.apis[op.0];
                if let Some(s) = self.state.ops.get_mut(&op) {
                    s.editor.add_ad_hoc(index, api);
                }
            }
            ChoosePurpose::Example => {
                let Some(op) = self.state.open else {
                    return;
                };
                // A body (or form) the user edited is not replaced without
                // asking.
                let untouched = self.fresh_draft(op);
                let edited = self.state.ops.get(&op).is_some_and(|s| {
                    let body = s.editor.draft.body.trim();
                    (!body.is_empty() && body != untouched.body.trim())
                        || s.editor.draft.form != untouched.form
                });
                if edited {
                    self.state.overlay = Some(Overlay::Panel(Panel::Confirm(Confirm {
                        question:
                            "Replace your edited body with the example? (Ctrl+Z brings it back)"
                                .into(),
                        action: ConfirmAction::UseExample { op, index },
                    })));
                } else {
                    self.use_example(op, index);
                }
            }
            ChoosePurpose::Environment => {
                let reaction = environments::switch(
                    &self.state.tools.environments,
                    index,
                    &mut self.state.vars,
                    &mut self.state.env_name,
                );
                self.react(reaction);
            }
            ChoosePurpose::Server => {
                let Some(op) = self.state.open else {
                    return;
                };
                let count = self.state.catalog.apis[op.0].servers.len();
                let override_url = self.state.server_override.clone();
                if let Some(s) = self.state.ops.get_mut(&op) {
                    if index < count {
                        s.editor.draft.server = index;
                        s.editor.draft.server_url = None;
                    } else {
                        s.editor.draft.server_url = override_url;
                    }
                }
            }
        }
        self.refresh_preview();
    }

    pub(super) fn choose_server(&mut self) {
        let Some(op) = self.state.open else {
            self.notice("Open an operation first", true);
            return;
        };
        let api = &self.state.catalog.apis[op.0];
        let mut items: Vec<String> = api
            .servers
            .iter()
            .map(|s| match &s.description {
                Some(d) => format!("{}  — {d}", s.url),
                None => s.url.clone(),
            })
            .collect();
        if let Some(url) = &self.state.server_override {
            items.push(format!("{url}  — from --server"));
        }
        if items.is_empty() {
            self.notice("The definition names no server; use --server URL", true);
            return;
        }
        let selected = self.current().map_or(0, |s| {
            if s.editor.draft.server_url.is_some() {
                items.len() - 1
            } else {
                s.editor.draft.server
            }
        });
        self.state.overlay = Some(Overlay::Choose(Chooser {
            title: "Server".into(),
            items,
            selected,
            purpose: ChoosePurpose::Server,
        }));
    }
}

/// The next (or previous) language of the code samples, round the list.
fn cycle_lang(lang: Lang, forward: bool) -> Lang {
    let all = Lang::ALL;
    let i = all.iter().position(|l| *l == lang).unwrap_or(0);
    let next = if forward {
        (i + 1) % all.len()
    } else {
        (i + all.len() - 1) % all.len()
    };
    all[next]
}

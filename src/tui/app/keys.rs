//! Keys and pastes: the global keys (quit, help, focus cycling, send,
//! Esc, copying, the tools), and the rest routed by what has the keys: an
//! overlay, the catalog filter, a field typed in, or the focused pane.

use std::sync::Arc;

use crossterm::event::{Event, KeyCode, KeyEvent, KeyEventKind, KeyModifiers};
use ratatui::backend::Backend;

use super::{App, Effect, Focus, Overlay, Reaction};
use crate::request::BuiltRequest;
use crate::sanitize;
use crate::tui::body_view::BodyKind;
use crate::tui::input::LineInput;
use crate::tui::keymap::Action;
use crate::tui::views::panel::Panel;
use crate::tui::views::response::RequestState;
use crate::tui::views::{capture, operation};

impl<B: Backend> App<B> {
    pub(super) fn on_event(&mut self, event: Event) {
        match event {
            Event::Key(key) => {
                if key.kind == KeyEventKind::Release {
                    return;
                }
                if self.state.notice.take().is_some() {
                    self.dirty = true;
                }
                self.on_key(key);
            }
            Event::Paste(text) => self.on_paste(&text),
            Event::Mouse(mouse) => self.on_mouse(mouse),
            Event::Resize(..) | Event::FocusGained => self.dirty = true,
            Event::FocusLost => {}
        }
    }

    fn on_key(&mut self, key: KeyEvent) {
        self.on_key_inner(key);
        self.checkpoint();
    }

    /// A change just completed (by a key or a paste) becomes one step
    /// Ctrl+Z takes back.
    fn checkpoint(&mut self) {
        if self.current_mut().is_some_and(|s| s.editor.checkpoint()) {
            self.note_edited();
        }
    }

    fn on_key_inner(&mut self, key: KeyEvent) {
        // Ctrl+C leaves from anywhere, typing or not.
        if key.code == KeyCode::Char('c') && key.modifiers.contains(KeyModifiers::CONTROL) {
            self.quit = true;
            return;
        }
        self.dirty = true;
        // Test builds only: a panic on purpose, for the tests that check
        // the terminal is restored and no secret is left behind.
        #[cfg(debug_assertions)]
        if key.code == KeyCode::F(12)
            && std::env::var_os("PORTICO_PANIC_ON_F12").is_some_and(|v| v == "1")
        {
            panic!("PORTICO_PANIC_ON_F12: a panic on purpose");
        }
        let action = self.state.config.keymap.action(&key);
        if self.state.overlay.is_some() {
            self.on_overlay_key(key, action);
            return;
        }
        if self.state.catalog_pane.filtering {
            let reaction = self.state.catalog_pane.on_filter_key(key);
            self.react(reaction);
            return;
        }
        let typing = self.current().is_some_and(|s| s.editor.is_typing());
        if typing {
            if action.is_some_and(Action::works_in_fields) {
                self.leave_field();
                self.run_action(Action::Send);
                return;
            }
            self.on_typing_key(key);
            return;
        }
        if let Some(action) = action {
            self.run_action(action);
        }
    }

    fn on_typing_key(&mut self, key: KeyEvent) {
        let Some(op) = self.state.open else {
            return;
        };
        let api = &self.state.catalog.apis[op.0];
        let Some(s) = self.state.ops.get_mut(&op) else {
            return;
        };
        let reaction = s.editor.on_typing_key(key, api);
        self.react(reaction);
    }

    fn on_paste(&mut self, text: &str) {
        self.on_paste_inner(text);
        self.checkpoint();
    }

    fn on_paste_inner(&mut self, text: &str) {
        self.dirty = true;
        if let Some(Overlay::SaveBody(input) | Overlay::Search(input)) = &mut self.state.overlay {
            input.insert_str(text);
            return;
        }
        if let Some(Overlay::AskSecret(ask)) = &mut self.state.overlay {
            ask.paste(text);
            return;
        }
        if self.state.overlay.is_none() && self.paste_redirect(text) {
            return;
        }
        if let Some(Overlay::Panel(panel)) = &mut self.state.overlay {
            // Pasted text goes into a prompt; other panels ignore it.
            if let Panel::Prompt(prompt) = panel {
                prompt.paste(text);
            }
            return;
        }
        if self.state.catalog_pane.filtering {
            self.state.catalog_pane.filter.insert_str(text);
            self.state.catalog_pane.rebuild();
            return;
        }
        let typing = self.current().is_some_and(|s| s.editor.is_typing());
        if !typing && text.trim_start().starts_with("curl ") {
            self.paste_curl(text);
            return;
        }
        let Some(s) = self.current_mut() else {
            return;
        };
        if let Some(field) = &mut s.editor.field {
            field.input.insert_str(text);
            s.editor.apply_field();
        } else if s.editor.body_editing {
            s.editor.body.insert_str(text);
            s.editor.sync_body();
        } else {
            return;
        }
        self.refresh_preview();
    }

    fn visible_panes(&self) -> Vec<Focus> {
        if self.state.open.is_some() {
            vec![
                Focus::Catalog,
                Focus::Operation,
                Focus::Request,
                Focus::Response,
            ]
        } else {
            vec![Focus::Catalog, Focus::Operation]
        }
    }

    fn cycle_focus(&mut self, delta: isize) {
        let panes = self.visible_panes();
        let i = panes
            .iter()
            .position(|p| *p == self.state.focus)
            .unwrap_or(0);
        let next = (i as isize + delta).rem_euclid(panes.len() as isize);
        self.state.focus = panes[usize::try_from(next).unwrap_or(0)];
    }

    pub(super) fn run_action(&mut self, action: Action) {
        match action {
            Action::Quit => self.quit = true,
            Action::Help => self.state.overlay = Some(Overlay::Help { scroll: 0 }),
            Action::Warnings => self.state.overlay = Some(Overlay::Warnings { scroll: 0 }),
            Action::NextPane => self.cycle_focus(1),
            Action::PrevPane => self.cycle_focus(-1),
            Action::Send => self.send(),
            Action::Back => self.back(),
            Action::Reveal => {
                self.state.reveal = !self.state.reveal;
                let text = if self.state.reveal {
                    "Secrets revealed (R masks them again)"
                } else {
                    "Secrets masked"
                };
                self.notice(text, false);
            }
            Action::CurlPreview => {
                if self.built_or_explain().is_some() {
                    self.state.overlay = Some(Overlay::Curl { scroll: 0 });
                }
            }
            Action::CodeSamples => {
                if self.built_or_explain().is_some() {
                    self.state.overlay = Some(Overlay::Snippet {
                        lang: self.state.snippet_lang,
                        scroll: 0,
                    });
                }
            }
            Action::CopyUrl => {
                if let Some(req) = self.built_or_explain() {
                    let url = if self.state.reveal {
                        req.url
                    } else {
                        req.masked().url
                    };
                    self.copy(url, "the request URL");
                }
            }
            Action::CopyCurl => {
                if let Some(req) = self.built_or_explain() {
                    let curl = crate::interchange::curl::to_curl(&req, !self.state.reveal);
                    self.copy(curl, "the curl command");
                }
            }
            Action::CopyBody => self.copy_body(),
            Action::ChooseServer => self.choose_server(),
            Action::ToggleTlsVerify => self.toggle_tls_verify(),
            Action::SavePreset => self.prompt_save_preset(),
            Action::Presets => self.open_presets(false, None),
            Action::History => self.open_history(),
            Action::Environments => self.open_environments(self.active_environment()),
            Action::Flows => self.open_flows(),
            Action::Dashboard => self.open_dashboard(),
            Action::Capture => {
                let reaction = match self.state.open {
                    None => Reaction::notice("Open an operation and send it first", true),
                    Some(op) => capture::start(op, self.response_of(op)),
                };
                self.react(reaction);
            }
            // `/` filters the catalog from anywhere but the response,
            // where it searches the body.
            Action::Filter if self.state.focus != Focus::Response => {
                self.state.focus = Focus::Catalog;
                self.state.catalog_pane.filtering = true;
            }
            _ => self.on_focused_action(action),
        }
    }

    /// An action no global key took goes to the focused pane.
    fn on_focused_action(&mut self, action: Action) {
        let reaction = match self.state.focus {
            Focus::Catalog => self.state.catalog_pane.on_action(action),
            Focus::Operation => match self.current_mut() {
                Some(s) => operation::on_action(&mut s.doc_scroll, &mut s.schemas, action),
                None => Reaction::None,
            },
            Focus::Request => {
                let Some(op) = self.state.open else {
                    return;
                };
                let (api, operation) = self.state.catalog.operation(op);
                match self.state.ops.get_mut(&op) {
                    Some(s) => s.editor.on_action(action, op, api, operation),
                    None => Reaction::None,
                }
            }
            Focus::Response => match self.current_mut().map(|s| &mut s.request) {
                Some(RequestState::Done { view, .. }) => view.on_action(action),
                _ => Reaction::None,
            },
        };
        self.react(reaction);
    }

    /// Esc: cancel what is running, else undo the closest temporary thing.
    fn back(&mut self) {
        if let Some(s) = self.current_mut()
            && let RequestState::InFlight {
                id,
                started,
                cancel,
                ..
            } = &s.request
        {
            cancel.cancel();
            let (id, elapsed) = (*id, started.elapsed());
            s.request = RequestState::Cancelled { id, elapsed };
            self.notice("Request cancelled", false);
            return;
        }
        if self.state.catalog_pane.is_filtered() {
            self.state.catalog_pane.filter = LineInput::default();
            self.state.catalog_pane.rebuild();
            return;
        }
        if let Some(s) = self.current_mut() {
            s.editor.error = None;
        }
    }

    pub(super) fn copy(&mut self, text: String, what: &str) {
        self.effects.push(Effect::Copy(text));
        let masked = if self.state.reveal {
            ""
        } else {
            " (secrets masked; R reveals)"
        };
        self.notice(format!("Copied {what}{masked}"), false);
    }

    fn copy_body(&mut self) {
        let Some(s) = self.current() else {
            return;
        };
        let text = match (&s.request, self.state.focus) {
            (RequestState::Done { view, .. }, Focus::Response)
                if view.body.partial_of().is_some() =>
            {
                self.notice(
                    "The answer is still being laid out: copy it in a moment",
                    true,
                );
                return;
            }
            (RequestState::Done { view, .. }, Focus::Response)
                if view.body.kind() != BodyKind::Binary =>
            {
                Some((view.body.copy_text(), "the response body"))
            }
            (RequestState::Done { view, .. }, Focus::Response) => {
                let n = view.outcome.response.body.len();
                self.notice(
                    format!("The body is binary ({n} bytes); S saves it to a file"),
                    true,
                );
                return;
            }
            _ if !s.editor.draft.body.is_empty() => {
                Some((s.editor.draft.body.clone(), "the request body"))
            }
            _ => None,
        };
        match text {
            Some((text, what)) => self.copy(text, what),
            None => self.notice("No body to copy", true),
        }
    }

    /// The current build, or a notice saying why there is none.
    pub(super) fn built_or_explain(&mut self) -> Option<BuiltRequest> {
        self.refresh_preview();
        let preview = self.current().and_then(|s| s.editor.preview.as_ref()).map(
            |(req, errors)| match errors.first() {
                None => Ok(req.clone()),
                Some(e) => Err(e.to_string()),
            },
        );
        match preview {
            Some(Ok(req)) => Some(req),
            Some(Err(e)) => {
                self.notice(format!("The request cannot be built: {e}"), true);
                None
            }
            None => {
                self.notice("Open an operation first (Enter in the catalog)", true);
                None
            }
        }
    }

    /// Ends editing a field; a header or query row left with neither a
    /// name nor a value goes (an Enter or `a` that was not followed up).
    pub(super) fn leave_field(&mut self) {
        if let Some(s) = self.current_mut() {
            s.editor.close_field(true);
        }
        self.refresh_preview();
    }

    /// `T`: certificate checking off, or back on, for the open
    /// operation's API, for this session only (a portal file's
    /// `tls_verify = false` is the lasting switch). The request pane says
    /// so for as long as it is off.
    fn toggle_tls_verify(&mut self) {
        let Some((api_index, _)) = self.state.open else {
            self.notice("Open an operation first: the switch is per API", true);
            return;
        };
        // A flow running keeps the catalog it started with.
        let api = &mut Arc::make_mut(&mut self.state.catalog).apis[api_index];
        api.skip_tls_verify = !api.skip_tls_verify;
        let (off, title) = (api.skip_tls_verify, api.title.clone());
        let title = sanitize::clean_line(&title).into_owned();
        let key = self
            .state
            .config
            .keymap
            .key_label(Action::ToggleTlsVerify)
            .unwrap_or_default();
        if off {
            self.notice(
                format!("TLS NOT checked for {title} until you quit ({key}: check again)"),
                true,
            );
        } else {
            self.notice(
                format!("TLS certificates are checked for {title} again"),
                false,
            );
        }
    }
}

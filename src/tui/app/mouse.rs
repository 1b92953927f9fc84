//! The mouse: a click focuses the pane under it (and picks a tab, a
//! catalog row), the wheel scrolls the pane under it.

use crossterm::event::{MouseButton, MouseEvent, MouseEventKind};
use ratatui::backend::Backend;
use ratatui::layout::Position;

use super::{App, Focus};
use crate::tui::views::catalog::TreeRow;
use crate::tui::views::request::ReqTab;
use crate::tui::views::response::{RequestState, RespTab};

impl<B: Backend> App<B> {
    pub(super) fn on_mouse(&mut self, mouse: MouseEvent) {
        let pos = Position::new(mouse.column, mouse.row);
        let areas = self.state.areas;
        let hit = [
            (areas.catalog, Focus::Catalog),
            (areas.docs, Focus::Operation),
            (areas.request, Focus::Request),
            (areas.response, Focus::Response),
        ]
        .into_iter()
        .find_map(|(area, focus)| area.filter(|a| a.contains(pos)).map(|a| (a, focus)));
        let Some((area, pane)) = hit else {
            return;
        };
        if self.state.overlay.is_some() {
            return;
        }
        match mouse.kind {
            MouseEventKind::Down(MouseButton::Left) => {
                self.leave_field();
                self.state.focus = pane;
                self.click_tab(pane, pos);
                if pane == Focus::Catalog {
                    let before = self.state.catalog_pane.selected;
                    if let Some(row) = self.state.catalog_pane.click(area, pos) {
                        let again = before == self.state.catalog_pane.selected;
                        match row {
                            TreeRow::Op { api, op, .. } if again || self.state.open.is_some() => {
                                self.open_op((api, op));
                            }
                            TreeRow::Op { .. } => {}
                            other => {
                                self.state.catalog_pane.toggle(other);
                            }
                        }
                    }
                }
                self.dirty = true;
            }
            MouseEventKind::ScrollUp | MouseEventKind::ScrollDown => {
                let delta: isize = if mouse.kind == MouseEventKind::ScrollUp {
                    -3
                } else {
                    3
                };
                match pane {
                    Focus::Catalog => self.state.catalog_pane.scroll(delta),
                    Focus::Operation => {
                        if let Some(s) = self.current_mut() {
                            s.doc_scroll = s
                                .doc_scroll
                                .saturating_add_signed(i16::try_from(delta).unwrap_or(0));
                        }
                    }
                    Focus::Request => {
                        let Some(op) = self.state.open else {
                            return;
                        };
                        let api = &self.state.catalog.apis[op.0];
                        if let Some(s) = self.state.ops.get_mut(&op) {
                            if s.editor.tab == ReqTab::Body {
                                s.editor.body.scroll((i16::try_from(delta).unwrap_or(0), 0));
                            } else {
                                s.editor.move_row(delta.signum(), api);
                            }
                        }
                    }
                    Focus::Response => {
                        if let Some(s) = self.current_mut()
                            && let RequestState::Done { view, .. } = &mut s.request
                        {
                            match (view.tab, delta < 0) {
                                (RespTab::Body, true) => view.body.scroll_up(3),
                                (RespTab::Body, false) => view.body.scroll_down(3),
                                _ => view.scroll_by(delta),
                            }
                        }
                    }
                }
                self.dirty = true;
            }
            _ => {}
        }
    }

    /// A click on a tab title switches to that tab.
    fn click_tab(&mut self, pane: Focus, pos: Position) {
        let Some(s) = self.current_mut() else {
            return;
        };
        match pane {
            Focus::Request => {
                if let Some(i) = s.editor.tab_hits.iter().position(|r| r.contains(pos)) {
                    s.editor.tab = ReqTab::ALL[i.min(ReqTab::ALL.len() - 1)];
                }
            }
            Focus::Response => {
                if let RequestState::Done { view, .. } = &mut s.request
                    && let Some(i) = view.tab_hits.iter().position(|r| r.contains(pos))
                {
                    view.tab = RespTab::ALL[i.min(RespTab::ALL.len() - 1)];
                    view.scroll = 0;
                }
            }
            _ => {}
        }
    }
}

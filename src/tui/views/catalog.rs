//! The catalog pane: APIs > tags > operations as a collapsible tree, or,
//! while a filter is set, a flat list of operations ranked best first.
//!
//! Its keys (moving, folding, the filter field) are handled here; opening
//! an operation is asked of the app.
//!
//! Only the visible rows are turned into widgets, so a catalog of ten
//! thousand operations costs the same per frame as one of ten.
//!
//! Rows stay told apart at any width: a title that does not fit, or one
//! that other operations of the API share, gives way to the path with its
//! middle elided; visible rows that still read alike show their paths from
//! the first segment where they differ; APIs of one title show their
//! version (or file name).

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use crossterm::event::{KeyCode, KeyEvent};
use ratatui::Frame;
use ratatui::layout::{Position, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};

use super::path_text::{common_namespace, elide_path, path_from_segment};
use crate::catalog::Catalog;
use crate::catalog::search::BackgroundIndex;
use crate::sanitize::{display_width, truncate};
use crate::tui::app::Reaction;
use crate::tui::config::Theme;
use crate::tui::input::{InputResult, LineInput};
use crate::tui::keymap::Action;

/// Operations grouped for the tree, computed once per catalog.
#[derive(Debug, Clone)]
struct ApiGroups {
    /// `(tag, operation indices)`; an API without tags has one group
    /// with no name, and its operations sit directly under the API.
    tags: Vec<(Option<String>, Vec<usize>)>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TreeRow {
    Api(usize),
    Tag(usize, usize),
    Op { api: usize, op: usize, depth: u8 },
}

/// The most operations a filter lists; past that, a longer filter helps
/// more than scrolling.
const FILTER_LIMIT: usize = 500;

/// What the operation rows mark: the open one (●) and those whose
/// request differs from the definition's defaults (✎).
pub struct RowMarks<'a> {
    pub open: Option<(usize, usize)>,
    pub edited: &'a std::collections::HashSet<(usize, usize)>,
}

pub struct CatalogPane {
    groups: Vec<ApiGroups>,
    collapsed_apis: HashSet<usize>,
    collapsed_tags: HashSet<(usize, usize)>,
    pub rows: Vec<TreeRow>,
    pub selected: usize,
    offset: usize,
    /// The filter text; the list is ranked while it is not empty.
    pub filter: LineInput,
    /// The filter field has the keys.
    pub filtering: bool,
    search: BackgroundIndex,
    /// Operations the filter matches, shown or not (the list stops at
    /// `FILTER_LIMIT`).
    matched: usize,
    /// Rows shown at the last draw, for paging.
    pub page: usize,
    /// Per API, the name its row shows (the title, plus what tells it
    /// from another API of the same title).
    api_names: Vec<String>,
    /// Operations whose title another operation of the same API has.
    shared_titles: HashSet<(usize, usize)>,
    /// Per API, the dotted namespace most of its paths repeat, which a
    /// narrow row leaves out first.
    namespaces: Vec<Option<String>>,
}

impl CatalogPane {
    pub fn new(catalog: &Arc<Catalog>) -> Self {
        let groups: Vec<ApiGroups> = catalog
            .apis
            .iter()
            .map(|api| {
                let mut tags: Vec<(Option<String>, Vec<usize>)> = Vec::new();
                let mut untagged = Vec::new();
                for (i, op) in api.operations.iter().enumerate() {
                    match op.tags.first() {
                        Some(tag) => match tags.iter_mut().find(|(t, _)| t.as_deref() == Some(tag))
                        {
                            Some((_, ops)) => ops.push(i),
                            None => tags.push((Some(tag.clone()), vec![i])),
                        },
                        None => untagged.push(i),
                    }
                }
                if !untagged.is_empty() {
                    if tags.is_empty() {
                        tags.push((None, untagged));
                    } else {
                        tags.push((Some("(untagged)".into()), untagged));
                    }
                }
                ApiGroups { tags }
            })
            .collect();
        let total: usize = catalog.apis.iter().map(|a| a.operations.len()).sum();
        let mut shared_titles = HashSet::new();
        for (a, api) in catalog.apis.iter().enumerate() {
            let mut by_title: HashMap<String, Vec<usize>> = HashMap::new();
            for (o, op) in api.operations.iter().enumerate() {
                by_title.entry(op.title()).or_default().push(o);
            }
            for ops in by_title.into_values().filter(|ops| ops.len() > 1) {
                shared_titles.extend(ops.into_iter().map(|o| (a, o)));
            }
        }
        let mut collapsed_tags = HashSet::new();
        // Large catalogs open folded so the first screen is an overview.
        if total > 200 {
            for (a, g) in groups.iter().enumerate() {
                for t in 0..g.tags.len() {
                    collapsed_tags.insert((a, t));
                }
            }
        }
        let mut pane = Self {
            groups,
            collapsed_apis: HashSet::new(),
            collapsed_tags,
            rows: Vec::new(),
            selected: 0,
            offset: 0,
            filter: LineInput::default(),
            filtering: false,
            search: BackgroundIndex::spawn(catalog),
            matched: 0,
            page: 10,
            api_names: api_names(catalog),
            shared_titles,
            namespaces: catalog
                .apis
                .iter()
                .map(|api| common_namespace(api.operations.iter().map(|op| op.path.as_str())))
                .collect(),
        };
        // Start on the first operation of the first API: that is what
        // people come for. A folded catalog opens its first group for it.
        if let Some(first) = pane.groups.first()
            && !first.tags.is_empty()
        {
            pane.collapsed_tags.remove(&(0, 0));
        }
        pane.rebuild();
        if let Some(i) = pane
            .rows
            .iter()
            .position(|r| matches!(r, TreeRow::Op { .. }))
        {
            pane.selected = i;
        }
        pane
    }

    /// The pane over a catalog loaded again: the same filter, the same
    /// API and tag groups folded where their names are the same, and the
    /// cursor on the operation it was on wherever that went (`moved`
    /// maps each old operation to its new place).
    pub fn reloaded(
        &self,
        catalog: &Arc<Catalog>,
        moved: impl Fn((usize, usize)) -> Option<(usize, usize)>,
    ) -> Self {
        let mut pane = Self::new(catalog);
        let tag_name = |groups: &[ApiGroups], (a, t): (usize, usize)| {
            groups
                .get(a)
                .and_then(|g| g.tags.get(t))
                .map(|(n, _)| n.clone())
        };
        pane.collapsed_tags.clear();
        for (a, g) in pane.groups.iter().enumerate() {
            for t in 0..g.tags.len() {
                let name = tag_name(&pane.groups, (a, t));
                let was_folded = self
                    .collapsed_tags
                    .iter()
                    .any(|old| old.0 == a && tag_name(&self.groups, *old) == name);
                if was_folded {
                    pane.collapsed_tags.insert((a, t));
                }
            }
        }
        pane.collapsed_apis = self.collapsed_apis.clone();
        pane.filter = self.filter.clone();
        pane.filtering = self.filtering;
        pane.rows.clear();
        pane.rebuild();
        let was_on = match self.selected_row() {
            Some(TreeRow::Op { api, op, .. }) => moved((api, op)),
            _ => None,
        };
        if let Some((a, o)) = was_on {
            // Its group unfolded, so the cursor can stand on it.
            pane.collapsed_apis.remove(&a);
            if let Some(t) = pane.groups[a]
                .tags
                .iter()
                .position(|(_, ops)| ops.contains(&o))
            {
                pane.collapsed_tags.remove(&(a, t));
            }
            pane.rebuild();
            if let Some(i) = pane
                .rows
                .iter()
                .position(|r| matches!(r, TreeRow::Op { api, op, .. } if (*api, *op) == (a, o)))
            {
                pane.selected = i;
            }
        }
        pane
    }

    /// Returns once the search index is built.
    pub fn wait_for_search_index(&self) {
        self.search.get();
    }

    pub fn is_filtered(&self) -> bool {
        !self.filter.text().trim().is_empty()
    }

    /// Recomputes the visible rows after a fold or a filter change.
    pub fn rebuild(&mut self) {
        let keep = self.rows.get(self.selected).copied();
        self.rows.clear();
        if self.is_filtered() {
            let found = self.search.get().search(self.filter.text(), FILTER_LIMIT);
            self.matched = found.total;
            for hit in found.hits {
                self.rows.push(TreeRow::Op {
                    api: hit.api,
                    op: hit.op,
                    depth: 0,
                });
            }
            // Best match first, selected: Enter opens it.
            self.selected = 0;
            self.offset = 0;
            return;
        }
        for (a, g) in self.groups.iter().enumerate() {
            self.rows.push(TreeRow::Api(a));
            if self.collapsed_apis.contains(&a) {
                continue;
            }
            for (t, (name, ops)) in g.tags.iter().enumerate() {
                let depth = if name.is_some() {
                    self.rows.push(TreeRow::Tag(a, t));
                    if self.collapsed_tags.contains(&(a, t)) {
                        continue;
                    }
                    2
                } else {
                    1
                };
                for op in ops {
                    self.rows.push(TreeRow::Op {
                        api: a,
                        op: *op,
                        depth,
                    });
                }
            }
        }
        if let Some(keep) = keep
            && let Some(i) = self.rows.iter().position(|r| same_item(*r, keep))
        {
            self.selected = i;
        }
        self.selected = self.selected.min(self.rows.len().saturating_sub(1));
    }

    /// A key while the filter field has the keys.
    pub fn on_filter_key(&mut self, key: KeyEvent) -> Reaction {
        match key.code {
            KeyCode::Esc => {
                self.filtering = false;
                self.filter = LineInput::default();
                self.rebuild();
            }
            KeyCode::Enter => {
                self.filtering = false;
                if let Some(TreeRow::Op { api, op, .. }) = self.selected_row() {
                    return Reaction::OpenOp((api, op));
                }
            }
            KeyCode::Tab => self.filtering = false,
            KeyCode::Up => self.move_by(-1),
            KeyCode::Down => self.move_by(1),
            KeyCode::PageUp => self.move_by(-(self.page as isize)),
            KeyCode::PageDown => self.move_by(self.page as isize),
            _ => {
                if self.filter.handle_key(&key) == InputResult::Changed {
                    self.rebuild();
                }
            }
        }
        Reaction::None
    }

    /// What an action does while the catalog has the focus.
    pub fn on_action(&mut self, action: Action) -> Reaction {
        match action {
            Action::Up => self.move_by(-1),
            Action::Down => self.move_by(1),
            Action::PageUp => self.move_by(-(self.page as isize)),
            Action::PageDown => self.move_by(self.page as isize),
            Action::Top => self.selected = 0,
            Action::Bottom => self.select_last(),
            Action::Filter => self.filtering = true,
            Action::Left => self.collapse_or_parent(),
            Action::Select | Action::Right | Action::ToggleRow => match self.selected_row() {
                Some(TreeRow::Op { api, op, .. }) if action != Action::ToggleRow => {
                    return Reaction::OpenOp((api, op));
                }
                Some(row @ (TreeRow::Api(_) | TreeRow::Tag(..)))
                    if !(action == Action::Right && self.is_expanded(row)) =>
                {
                    self.toggle(row);
                }
                _ => {}
            },
            _ => {}
        }
        Reaction::None
    }

    pub fn selected_row(&self) -> Option<TreeRow> {
        self.rows.get(self.selected).copied()
    }

    pub fn move_by(&mut self, delta: isize) {
        if self.rows.is_empty() {
            return;
        }
        let last = self.rows.len() - 1;
        self.selected = self.selected.saturating_add_signed(delta).min(last);
    }

    pub fn select_last(&mut self) {
        self.selected = self.rows.len().saturating_sub(1);
    }

    /// Folds or unfolds an API or tag row; returns whether it was one.
    pub fn toggle(&mut self, row: TreeRow) -> bool {
        match row {
            TreeRow::Api(a) => {
                if !self.collapsed_apis.remove(&a) {
                    self.collapsed_apis.insert(a);
                }
            }
            TreeRow::Tag(a, t) => {
                if !self.collapsed_tags.remove(&(a, t)) {
                    self.collapsed_tags.insert((a, t));
                }
            }
            TreeRow::Op { .. } => return false,
        }
        self.rebuild();
        true
    }

    pub fn is_expanded(&self, row: TreeRow) -> bool {
        match row {
            TreeRow::Api(a) => !self.collapsed_apis.contains(&a),
            TreeRow::Tag(a, t) => !self.collapsed_tags.contains(&(a, t)),
            TreeRow::Op { .. } => false,
        }
    }

    /// Left on a row: fold it, or go to its parent.
    pub fn collapse_or_parent(&mut self) {
        let Some(row) = self.selected_row() else {
            return;
        };
        if !matches!(row, TreeRow::Op { .. }) && self.is_expanded(row) {
            self.toggle(row);
            return;
        }
        let parent = match row {
            TreeRow::Op { api, op, depth: 2 } => self.groups[api]
                .tags
                .iter()
                .position(|(_, ops)| ops.contains(&op))
                .map(|t| TreeRow::Tag(api, t)),
            TreeRow::Op { api, .. } | TreeRow::Tag(api, _) => Some(TreeRow::Api(api)),
            TreeRow::Api(_) => None,
        };
        if let Some(parent) = parent
            && let Some(i) = self.rows.iter().position(|r| *r == parent)
        {
            self.selected = i;
        }
    }

    pub fn render(
        &mut self,
        frame: &mut Frame,
        area: Rect,
        catalog: &Catalog,
        theme: &Theme,
        focused: bool,
        marks: &RowMarks<'_>,
    ) {
        let total: usize = catalog.apis.iter().map(|a| a.operations.len()).sum();
        let title = if self.is_filtered() && self.matched > self.rows.len() {
            format!(
                " Catalog · {} of {total} (best {} shown) ",
                self.matched,
                self.rows.len()
            )
        } else if self.is_filtered() {
            format!(" Catalog · {} of {total} ", self.matched)
        } else {
            format!(" Catalog · {total} operations ")
        };
        let block = Block::default()
            .borders(Borders::ALL)
            .border_style(theme.border(focused))
            .title(Span::styled(title, theme.title()));
        let inner = block.inner(area);
        frame.render_widget(block, area);
        if inner.height == 0 || inner.width == 0 {
            return;
        }
        // The filter line is shown while typing and while a filter holds.
        let show_filter = self.filtering || self.is_filtered();
        let list = if show_filter && inner.height > 1 {
            let filter_area = Rect { height: 1, ..inner };
            let style = if self.filtering {
                theme.accent()
            } else {
                theme.muted()
            };
            let line = Line::from(vec![
                Span::styled("/", style),
                Span::raw(self.filter.text().to_string()),
            ]);
            frame.render_widget(Paragraph::new(line), filter_area);
            if self.filtering && focused {
                let x = filter_area.x
                    + 1
                    + u16::try_from(self.filter.cursor_column()).unwrap_or(u16::MAX);
                frame.set_cursor_position(Position::new(
                    x.min(filter_area.right().saturating_sub(1)),
                    filter_area.y,
                ));
            }
            Rect {
                y: inner.y + 1,
                height: inner.height - 1,
                ..inner
            }
        } else {
            inner
        };
        let height = usize::from(list.height);
        self.page = height.max(1);
        if self.rows.is_empty() {
            let text = if self.is_filtered() {
                "No operation matches the filter."
            } else {
                "No operations in the catalog."
            };
            frame.render_widget(Paragraph::new(Span::styled(text, theme.muted())), list);
            return;
        }
        // Keep the selection on screen with the least scrolling.
        if self.selected < self.offset {
            self.offset = self.selected;
        } else if self.selected >= self.offset + height {
            self.offset = self.selected + 1 - height;
        }
        self.offset = self.offset.min(self.rows.len().saturating_sub(height));
        let width = usize::from(list.width);
        let visible: Vec<TreeRow> = self.rows[self.offset..]
            .iter()
            .take(height)
            .copied()
            .collect();
        let mut lines: Vec<Line> = visible
            .iter()
            .map(|row| super::clean(self.row_line(*row, catalog, theme, marks, width, None)))
            .collect();
        // Rows that still read alike show their paths from where they differ.
        for (from, members) in self.alike_rows(&visible, &lines, catalog) {
            for (i, from) in members.into_iter().zip(from) {
                lines[i] = super::clean(self.row_line(
                    visible[i],
                    catalog,
                    theme,
                    marks,
                    width,
                    Some(from),
                ));
            }
        }
        let lines: Vec<Line> = lines
            .into_iter()
            .enumerate()
            .map(|(i, line)| {
                if self.offset + i == self.selected {
                    line.style(theme.selected(focused))
                } else {
                    line
                }
            })
            .collect();
        frame.render_widget(Paragraph::new(lines), list);
    }

    /// Groups of visible operation rows that read the same: per group, for
    /// each member the path segment to show from, and the members.
    fn alike_rows(
        &self,
        visible: &[TreeRow],
        lines: &[Line],
        catalog: &Catalog,
    ) -> Vec<(Vec<usize>, Vec<usize>)> {
        let mut by_text: HashMap<String, Vec<usize>> = HashMap::new();
        for (i, (row, line)) in visible.iter().zip(lines).enumerate() {
            if matches!(row, TreeRow::Op { .. }) {
                let text: String = line.spans.iter().map(|s| s.content.as_ref()).collect();
                by_text.entry(text).or_default().push(i);
            }
        }
        let path_of = |i: usize| match visible[i] {
            TreeRow::Op { api, op, .. } => catalog.operation((api, op)).1.path.as_str(),
            _ => "",
        };
        by_text
            .into_values()
            .filter(|members| members.len() > 1)
            .map(|members| {
                let first: Vec<&str> = path_of(members[0]).split('/').collect();
                let common = members
                    .iter()
                    .map(|&i| {
                        path_of(i)
                            .split('/')
                            .zip(&first)
                            .take_while(|(a, b)| a == *b)
                            .count()
                    })
                    .min()
                    .unwrap_or(0);
                let from = members
                    .iter()
                    .map(|&i| common.min(path_of(i).split('/').count().saturating_sub(1)))
                    .collect();
                (from, members)
            })
            .collect()
    }

    fn row_line<'a>(
        &self,
        row: TreeRow,
        catalog: &'a Catalog,
        theme: &Theme,
        marks: &RowMarks<'_>,
        width: usize,
        path_from: Option<usize>,
    ) -> Line<'a> {
        match row {
            TreeRow::Api(a) => {
                let api = &catalog.apis[a];
                let arrow = if self.is_expanded(row) {
                    "▾ "
                } else {
                    "▸ "
                };
                Line::from(vec![
                    Span::styled(arrow, theme.muted()),
                    Span::styled(self.api_names[a].clone(), theme.title()),
                    Span::styled(format!(" ({})", api.operations.len()), theme.muted()),
                ])
            }
            TreeRow::Tag(a, t) => {
                let (name, ops) = &self.groups[a].tags[t];
                let arrow = if self.is_expanded(row) {
                    "▾ "
                } else {
                    "▸ "
                };
                Line::from(vec![
                    Span::raw("  "),
                    Span::styled(arrow, theme.muted()),
                    Span::styled(
                        name.clone().unwrap_or_default(),
                        Style::new().add_modifier(Modifier::ITALIC),
                    ),
                    Span::styled(format!(" ({})", ops.len()), theme.muted()),
                ])
            }
            TreeRow::Op { api, op, depth } => {
                let operation = catalog.operation((api, op)).1;
                let indent = "  ".repeat(usize::from(depth));
                let marker = if marks.open == Some((api, op)) {
                    "●"
                } else if marks.edited.contains(&(api, op)) {
                    "✎"
                } else {
                    " "
                };
                let mut title_style = Style::new();
                if operation.deprecated {
                    title_style = title_style
                        .add_modifier(Modifier::CROSSED_OUT)
                        .patch(theme.muted());
                }
                let mut spans = vec![
                    Span::raw(indent),
                    Span::styled(marker, theme.accent()),
                    Span::styled(
                        format!("{:<7}", short_method(&operation.method)),
                        theme.method(&operation.method),
                    ),
                ];
                let used: usize = spans.iter().map(|s| display_width(&s.content)).sum();
                let room = width.saturating_sub(used);
                // An operation with no summary or id: beside its method,
                // its path alone.
                let given = operation.given_title();
                let untitled = given.is_none();
                let title = given.unwrap_or_else(|| operation.path.clone());
                // A ranked list mixes tags, and a title that does not fit
                // or that other operations share tells nothing: the path
                // says more.
                let title_will_do = !self.is_filtered()
                    && path_from.is_none()
                    && !self.shared_titles.contains(&(api, op))
                    && display_width(&title) <= room;
                if title_will_do {
                    spans.push(Span::styled(title, title_style));
                    if operation.deprecated {
                        spans.push(Span::styled(" deprecated", theme.warning()));
                    }
                    return Line::from(spans);
                }
                let namespace = self.namespaces.get(api).and_then(Option::as_deref);
                let path = match path_from {
                    Some(from) => path_from_segment(&operation.path, from, room, namespace),
                    None => elide_path(&operation.path, room, namespace),
                };
                let mut room = room.saturating_sub(display_width(&path));
                spans.push(Span::styled(path, title_style));
                let mut tail = Vec::new();
                if operation.deprecated {
                    tail.push((" deprecated".to_string(), theme.warning()));
                }
                if !untitled {
                    tail.push((format!("  {title}"), theme.muted()));
                }
                if self.is_filtered() && catalog.apis.len() > 1 {
                    tail.push((format!("  · {}", catalog.apis[api].id), theme.muted()));
                }
                for (text, style) in tail {
                    if room == 0 {
                        break;
                    }
                    let shown = truncate(&text, room).into_owned();
                    room = room.saturating_sub(display_width(&shown));
                    spans.push(Span::styled(shown, style));
                }
                Line::from(spans)
            }
        }
    }
}

fn same_item(a: TreeRow, b: TreeRow) -> bool {
    match (a, b) {
        (
            TreeRow::Op {
                api: a1, op: o1, ..
            },
            TreeRow::Op {
                api: a2, op: o2, ..
            },
        ) => a1 == a2 && o1 == o2,
        _ => a == b,
    }
}

/// Each API's name on its row: its title, and when another API has the
/// same title, its version (or, versions alike, its file name).
fn api_names(catalog: &Catalog) -> Vec<String> {
    let apis = &catalog.apis;
    apis.iter()
        .map(|api| {
            let twins: Vec<_> = apis.iter().filter(|a| a.title == api.title).collect();
            if twins.len() < 2 {
                return api.title.clone();
            }
            let same_version = twins.iter().filter(|a| a.version == api.version).count() > 1;
            let file = std::path::Path::new(&api.source)
                .file_name()
                .map(|f| f.to_string_lossy().into_owned());
            match file {
                Some(file) if same_version => format!("{} · {file}", api.title),
                _ if api.version.is_empty() => format!("{} · {}", api.title, api.id),
                _ => format!("{} {}", api.title, api.version),
            }
        })
        .collect()
}

fn short_method(method: &str) -> &str {
    match method {
        "DELETE" => "DEL",
        "OPTIONS" => "OPTS",
        other => other,
    }
}

/// The rows' area inside the pane, with room for the filter line when
/// one is shown.
fn list_area(area: Rect) -> Rect {
    Rect {
        x: area.x.saturating_add(1),
        y: area.y.saturating_add(1),
        width: area.width.saturating_sub(2),
        height: area.height.saturating_sub(2),
    }
}

impl CatalogPane {
    /// The row under a click, aware of the filter line.
    pub fn click(&mut self, area: Rect, pos: Position) -> Option<TreeRow> {
        let mut inner = list_area(area);
        if self.filtering || self.is_filtered() {
            inner.y = inner.y.saturating_add(1);
            inner.height = inner.height.saturating_sub(1);
        }
        if !inner.contains(pos) {
            return None;
        }
        let i = self.offset + usize::from(pos.y - inner.y);
        let row = self.rows.get(i).copied()?;
        self.selected = i;
        Some(row)
    }

    pub fn scroll(&mut self, delta: isize) {
        self.move_by(delta);
    }
}

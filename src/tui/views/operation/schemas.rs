//! The schemas under the operation's docs: a structured parameter's, the
//! request body's (one per media type) and each documented response's
//! (status × media type), as folding trees, one line per node.
//!
//! Building a tree resolves `$ref`s and walks GitHub-sized schemas, so it
//! is done once, the first time the operation is drawn, and kept with the
//! operation's state ([`SchemaDocs`]). Levels below [`FOLD_DEPTH`] start
//! folded: a wide body would otherwise bury the responses. Each node with
//! children folds on its own: `n`/`N` select one (a cursor over the nodes
//! drawn), ←→ or Space fold and unfold it; `z` unfolds or folds them all.

use std::collections::HashMap;

use ratatui::style::Modifier;
use ratatui::text::{Line, Span};

use crate::catalog::schema_tree::{Direction, SchemaNode, schema_tree};
use crate::catalog::{Api, MediaType, Operation};
use crate::tui::config::Theme;

use super::first_line;

/// Levels of properties shown while folded (the body's own properties are
/// level 1).
pub const FOLD_DEPTH: usize = 2;

/// Which tree of the operation: a parameter's, the body's for a media
/// type, or a response's for a media type (by index).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Slot {
    Parameter(usize),
    Body(usize),
    Response(usize, usize),
}

/// One node: its tree and its place in the tree's walk (depth first).
pub type NodeId = (Slot, usize);

/// The trees of one operation, built on first use, and how they are
/// folded.
#[derive(Debug, Default)]
pub struct SchemaDocs {
    built: Option<Trees>,
    /// Every level shown, not only the first `FOLD_DEPTH`.
    pub unfolded: bool,
    /// Nodes folded or unfolded one by one, over the default.
    open: HashMap<NodeId, bool>,
    /// The node `n`/`N` selected.
    cursor: Option<NodeId>,
    /// Set when the cursor moved: the next drawing scrolls it into view.
    follow_cursor: bool,
    /// The foldable nodes of the last drawing and the wrapped row each
    /// starts on, in order.
    rows: Vec<(usize, NodeId)>,
}

#[derive(Debug, Default)]
struct Trees {
    /// One per parameter: a tree for those with structure.
    parameters: Vec<Option<SchemaNode>>,
    /// One per media type of the request body, in order.
    body: Vec<Option<SchemaNode>>,
    /// Per response, one per media type.
    responses: Vec<Vec<Option<SchemaNode>>>,
}

impl SchemaDocs {
    /// Builds the trees of `op` unless they are built already.
    pub fn ensure(&mut self, api: &Api, op: &Operation) {
        if self.built.is_some() {
            return;
        }
        let tree = |m: &MediaType, d| m.schema.as_ref().map(|s| schema_tree(api, s, d));
        let parameters = op
            .parameters
            .iter()
            .map(|p| {
                let schema = p.schema_value.as_ref()?;
                Some(schema_tree(api, schema, Direction::Request))
            })
            .collect();
        let body = op
            .request_body
            .iter()
            .flat_map(|b| &b.content)
            .map(|m| tree(m, Direction::Request))
            .collect();
        let responses = op
            .responses
            .iter()
            .map(|r| {
                r.content
                    .iter()
                    .map(|m| tree(m, Direction::Response))
                    .collect()
            })
            .collect();
        self.built = Some(Trees {
            parameters,
            body,
            responses,
        });
    }

    /// The tree of the parameter at `index`, when it has structure.
    pub fn parameter(&self, index: usize) -> Option<&SchemaNode> {
        self.built.as_ref()?.parameters.get(index)?.as_ref()
    }

    /// The request body's tree for its media type at `index`.
    pub fn body(&self, index: usize) -> Option<&SchemaNode> {
        self.built.as_ref()?.body.get(index)?.as_ref()
    }

    /// The tree of response `response`'s media type at `index`.
    pub fn response(&self, response: usize, index: usize) -> Option<&SchemaNode> {
        self.built
            .as_ref()?
            .responses
            .get(response)?
            .get(index)?
            .as_ref()
    }

    /// Whether anything is folded: a node folded by hand, or levels
    /// deeper than the folded ones.
    pub fn has_folds(&self) -> bool {
        if self.open.values().any(|open| !open) {
            return true;
        }
        self.built.as_ref().is_some_and(|t| {
            t.parameters
                .iter()
                .chain(&t.body)
                .chain(t.responses.iter().flatten())
                .flatten()
                .any(|tree| tree.walk().iter().any(|(depth, _)| *depth > FOLD_DEPTH))
        })
    }

    /// `z`: every level shown, or every level below the second folded
    /// again; folds made one by one are forgotten.
    pub fn toggle_all(&mut self) {
        self.unfolded = !self.unfolded;
        self.open.clear();
    }

    /// Whether the node shows its children.
    fn is_open(&self, id: NodeId, depth: usize) -> bool {
        self.open
            .get(&id)
            .copied()
            .unwrap_or(self.unfolded || depth < FOLD_DEPTH)
    }

    /// `n` (`forward`) or `N`: the next or previous foldable node drawn;
    /// the first from the top of the pane (`top`, a wrapped row) when
    /// none is selected. False when there is none.
    pub fn select_next(&mut self, forward: bool, top: usize) -> bool {
        let at = self
            .cursor
            .and_then(|c| self.rows.iter().position(|(_, id)| *id == c));
        let next = match (at, forward) {
            (Some(i), true) => (i + 1 < self.rows.len()).then_some(i + 1),
            (Some(i), false) => i.checked_sub(1),
            (None, true) => self.rows.iter().position(|(row, _)| *row >= top),
            (None, false) => self.rows.iter().rposition(|(row, _)| *row <= top.max(1)),
        };
        let Some(next) = next.or(at) else {
            return false;
        };
        self.cursor = Some(self.rows[next].1);
        self.follow_cursor = true;
        true
    }

    /// Folds (`Some(false)`), unfolds (`Some(true)`) or toggles (`None`)
    /// the selected node; false when none is selected.
    pub fn fold_selected(&mut self, open: Option<bool>) -> bool {
        let Some(id) = self.cursor else {
            return false;
        };
        let Some(depth) = self.depth_of(id) else {
            return false;
        };
        let now = self.is_open(id, depth);
        self.open.insert(id, open.unwrap_or(!now));
        self.follow_cursor = true;
        true
    }

    /// Whether a node is selected.
    pub fn has_cursor(&self) -> bool {
        self.cursor.is_some()
    }

    fn depth_of(&self, (slot, index): NodeId) -> Option<usize> {
        let tree = match slot {
            Slot::Parameter(i) => self.parameter(i),
            Slot::Body(i) => self.body(i),
            Slot::Response(r, i) => self.response(r, i),
        }?;
        tree.walk().get(index).map(|(depth, _)| *depth)
    }

    /// After drawing: the rows the foldable nodes start on, and the
    /// scroll that shows the cursor when it just moved (`scroll` and
    /// `height` in wrapped rows).
    pub(super) fn drawn(&mut self, rows: Vec<(usize, NodeId)>, scroll: &mut u16, height: u16) {
        if self
            .cursor
            .is_some_and(|c| !rows.iter().any(|(_, id)| *id == c))
        {
            // Folded away under an ancestor.
            self.cursor = None;
        }
        if self.follow_cursor
            && let Some(row) = self
                .cursor
                .and_then(|c| rows.iter().find(|(_, id)| *id == c))
                .map(|(row, _)| u16::try_from(*row).unwrap_or(u16::MAX))
        {
            let height = height.max(1);
            if row < *scroll {
                *scroll = row;
            } else if row >= scroll.saturating_add(height) {
                *scroll = row.saturating_sub(height / 2);
            }
        }
        self.follow_cursor = false;
        self.rows = rows;
    }
}

/// The lines of one tree, indented by `indent` spaces: the root's own type
/// when it has no properties, else one line per property shown (under
/// open nodes only). A node with children is marked `▾` (open) or `▸`
/// (folded, with how many lines it hides); each such line comes with its
/// [`NodeId`], and the selected one is highlighted.
pub fn tree_lines(
    tree: &SchemaNode,
    slot: Slot,
    indent: usize,
    docs: &SchemaDocs,
    theme: &Theme,
) -> Vec<(Line<'static>, Option<NodeId>)> {
    let pad = " ".repeat(indent);
    if tree.children.is_empty() {
        let mut spans = vec![
            Span::raw(pad),
            Span::styled(tree.type_text(), theme.accent()),
        ];
        push_details(&mut spans, tree, theme);
        return vec![(Line::from(spans), None)];
    }
    let mut lines = vec![(
        Line::from(vec![
            Span::raw(pad.clone()),
            Span::styled(tree.type_text(), theme.accent()),
        ]),
        None,
    )];
    let nodes = tree.walk();
    // Below a folded node, nothing until the walk is back at its depth.
    let mut hidden_below: Option<usize> = None;
    for (i, (depth, node)) in nodes.iter().enumerate() {
        if *depth == 0 {
            continue;
        }
        match hidden_below {
            Some(d) if *depth > d => continue,
            _ => hidden_below = None,
        }
        let id = (slot, i);
        let descendants = nodes[i + 1..].iter().take_while(|(d, _)| d > depth).count();
        let open = docs.is_open(id, *depth);
        if descendants > 0 && !open {
            hidden_below = Some(*depth);
        }
        let mut name = node.name.clone();
        if node.required {
            name.push('*');
        }
        // The fold mark sits in the indent, left of the name (the pad is
        // at least two columns).
        let lead = format!("{pad}{}", "  ".repeat(depth - 1));
        let (lead, mark) = match (descendants > 0, open) {
            (false, _) => (lead, String::new()),
            (true, true) => (lead[..lead.len() - 2].to_string(), "▾ ".to_string()),
            (true, false) => (lead[..lead.len() - 2].to_string(), "▸ ".to_string()),
        };
        let selected = docs.cursor == Some(id);
        let name_style = if selected {
            theme.title().add_modifier(Modifier::REVERSED)
        } else {
            theme.title()
        };
        let mut spans = vec![
            Span::raw(lead),
            Span::styled(mark, theme.muted()),
            Span::styled(name, name_style),
            Span::raw("  "),
            Span::styled(node.type_text(), theme.accent()),
        ];
        // Before the details, which may wrap: what a fold hides is seen.
        if descendants > 0 && !open {
            spans.push(Span::styled(
                format!("  ({descendants} more)"),
                theme.muted(),
            ));
        }
        push_details(&mut spans, node, theme);
        lines.push((Line::from(spans), (descendants > 0).then_some(id)));
    }
    lines
}

/// The node's details and the first line of its description, dimmed.
fn push_details(spans: &mut Vec<Span<'static>>, node: &SchemaNode, theme: &Theme) {
    let details = node.details();
    if !details.is_empty() {
        spans.push(Span::styled(
            format!("  {}", details.join(" · ")),
            theme.muted(),
        ));
    }
    if let Some(first) = node
        .description
        .as_deref()
        .map(first_line)
        .filter(|l| !l.is_empty())
    {
        spans.push(Span::styled(
            format!("  {first}"),
            theme.muted().add_modifier(Modifier::DIM),
        ));
    }
}

//! The schemas under the operation's docs: a structured parameter's, the
//! request body's (one per media type) and each documented response's
//! (status × media type), as folding trees, one line per node.
//!
//! Building a tree resolves `$ref`s and walks GitHub-sized schemas, so it
//! is done once, the first time the operation is drawn, and kept with the
//! operation's state ([`SchemaDocs`]). Levels below [`FOLD_DEPTH`] start
//! folded: a wide body would otherwise bury the responses.

use ratatui::style::Modifier;
use ratatui::text::{Line, Span};

use crate::catalog::schema_tree::{Direction, SchemaNode, schema_tree};
use crate::catalog::{Api, MediaType, Operation};
use crate::tui::config::Theme;

use super::first_line;

/// Levels of properties shown while folded (the body's own properties are
/// level 1).
pub const FOLD_DEPTH: usize = 2;

/// The trees of one operation, built on first use.
#[derive(Debug, Default)]
pub struct SchemaDocs {
    built: Option<Trees>,
    /// Every level shown, not only the first `FOLD_DEPTH`.
    pub unfolded: bool,
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

    /// Whether there is anything deeper than the folded levels to unfold.
    pub fn has_folds(&self) -> bool {
        self.built.as_ref().is_some_and(|t| {
            t.parameters
                .iter()
                .chain(&t.body)
                .chain(t.responses.iter().flatten())
                .flatten()
                .any(|tree| tree.walk().iter().any(|(depth, _)| *depth > FOLD_DEPTH))
        })
    }
}

/// The lines of one tree, indented by `indent` spaces: the root's own type
/// when it has no properties, else one line per property, folded below
/// [`FOLD_DEPTH`] unless `unfolded`.
pub fn tree_lines(
    tree: &SchemaNode,
    indent: usize,
    unfolded: bool,
    theme: &Theme,
) -> Vec<Line<'static>> {
    let pad = " ".repeat(indent);
    if tree.children.is_empty() {
        let mut spans = vec![
            Span::raw(pad),
            Span::styled(tree.type_text(), theme.accent()),
        ];
        push_details(&mut spans, tree, theme);
        return vec![Line::from(spans)];
    }
    let mut lines = vec![Line::from(vec![
        Span::raw(pad.clone()),
        Span::styled(tree.type_text(), theme.accent()),
    ])];
    let nodes = tree.walk();
    for (i, (depth, node)) in nodes.iter().enumerate() {
        if *depth == 0 || (!unfolded && *depth > FOLD_DEPTH) {
            continue;
        }
        let hidden = if !unfolded && *depth == FOLD_DEPTH {
            nodes[i + 1..]
                .iter()
                .take_while(|(d, _)| *d > FOLD_DEPTH)
                .count()
        } else {
            0
        };
        let mut name = node.name.clone();
        if node.required {
            name.push('*');
        }
        let mut spans = vec![
            Span::raw(format!("{pad}{}", "  ".repeat(depth - 1))),
            Span::styled(name, theme.title()),
            Span::raw("  "),
            Span::styled(node.type_text(), theme.accent()),
        ];
        push_details(&mut spans, node, theme);
        if hidden > 0 {
            spans.push(Span::styled(
                format!("  ▸ {hidden} more (z)"),
                theme.muted(),
            ));
        }
        lines.push(Line::from(spans));
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

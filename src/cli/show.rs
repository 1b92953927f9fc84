//! `portico show`: one operation's documentation — summary, description,
//! parameters, request bodies and responses with their schema trees — as
//! text to read or as one JSON object.

use std::io::Write;

use anyhow::Result;
use clap::Args;
use serde_json::{Value, json};

use super::output::print_warnings;
use super::session::{Session, Target};
use crate::catalog::schema_tree::{Direction, SchemaNode, schema_tree};
use crate::catalog::{Api, MediaType, Operation, Parameter};
use crate::sanitize::clean_line;

#[derive(Debug, Args)]
pub struct ShowArgs {
    #[command(flatten)]
    pub target: Target,
    /// The operation: operationId, API:operationId, display name, or
    /// 'METHOD /path/template'.
    #[arg(long = "op", value_name = "SELECTOR")]
    pub op: String,
    /// One JSON object with `parameters`, `request_body` and `responses`,
    /// each schema a tree of `{name, type, format, required, description,
    /// enum, children}` nodes.
    #[arg(long)]
    pub json: bool,
}

pub(super) async fn show(args: &ShowArgs) -> Result<()> {
    let session = Session::open(&args.target).await?;
    let catalog = &session.catalog;
    print_warnings(catalog);
    let (api, op) = catalog.operation(catalog.select(&args.op)?);
    let mut out = std::io::stdout().lock();
    if args.json {
        serde_json::to_writer_pretty(&mut out, &operation_json(api, op))?;
        writeln!(out)?;
    } else {
        write_text(&mut out, api, op)?;
    }
    Ok(())
}

/// A parameter as a schema node (its place in `in`), with its schema's
/// tree below it when it has structure.
fn parameter_node(api: &Api, p: &Parameter) -> SchemaNode {
    if let Some(schema) = &p.schema_value {
        let tree = schema_tree(api, schema, Direction::Request);
        return SchemaNode {
            name: p.name.clone(),
            required: p.required,
            description: p.description.clone().or(tree.description.clone()),
            deprecated: p.deprecated,
            ..tree
        };
    }
    let mut types: Vec<String> = p.schema.type_name.iter().cloned().collect();
    if types == ["array"]
        && let Some(items) = &p.schema.items_type
    {
        types = vec![format!("array of {items}")];
    }
    SchemaNode {
        name: p.name.clone(),
        types,
        format: p.schema.format.clone(),
        required: p.required,
        description: p.description.clone(),
        enum_values: p.schema.enum_values.clone(),
        default: p.schema.default.clone(),
        deprecated: p.deprecated,
        ..SchemaNode::default()
    }
}

fn media_json(api: &Api, media: &MediaType, direction: Direction) -> Value {
    json!({
        "content_type": media.content_type,
        "schema": media.schema.as_ref().map(|s| schema_tree(api, s, direction)),
        "examples": media.examples.iter().map(|e| e.name.clone()).collect::<Vec<_>>(),
    })
}

fn operation_json(api: &Api, op: &Operation) -> Value {
    let parameters: Vec<Value> = op
        .parameters
        .iter()
        .map(|p| {
            let mut node = serde_json::to_value(parameter_node(api, p)).unwrap_or_default();
            node["in"] = json!(p.location.as_str());
            node
        })
        .collect();
    let request_body = op.request_body.as_ref().map(|body| {
        json!({
            "description": body.description,
            "required": body.required,
            "content": body.content.iter().map(|m| media_json(api, m, Direction::Request)).collect::<Vec<_>>(),
        })
    });
    let responses: Vec<Value> = op
        .responses
        .iter()
        .map(|r| {
            json!({
                "status": r.status,
                "description": r.description,
                "content": r.content.iter().map(|m| media_json(api, m, Direction::Response)).collect::<Vec<_>>(),
            })
        })
        .collect();
    json!({
        "api": api.id,
        "method": op.method.to_ascii_uppercase(),
        "path": op.path,
        "operation_id": op.operation_id,
        "summary": op.summary,
        "description": op.description,
        "deprecated": op.deprecated,
        "parameters": parameters,
        "request_body": request_body,
        "responses": responses,
    })
}

fn write_text(out: &mut impl Write, api: &Api, op: &Operation) -> std::io::Result<()> {
    writeln!(
        out,
        "{} {}  {}",
        op.method.to_ascii_uppercase(),
        clean_line(&op.path),
        clean_line(&op.title())
    )?;
    if let Some(id) = &op.operation_id {
        writeln!(out, "operationId {}", clean_line(id))?;
    }
    if let Some(description) = &op.description {
        writeln!(out)?;
        for line in description.lines() {
            writeln!(out, "  {}", clean_line(line))?;
        }
    }
    if !op.parameters.is_empty() {
        writeln!(out, "\nParameters")?;
        for p in &op.parameters {
            let mut node = parameter_node(api, p);
            node.name = format!("{} ({})", p.name, p.location.as_str());
            write_node(out, &node, 1)?;
        }
    }
    if let Some(body) = &op.request_body {
        let required = if body.required { " (required)" } else { "" };
        writeln!(out, "\nRequest body{required}")?;
        for media in &body.content {
            write_media(out, api, media, Direction::Request)?;
        }
    }
    if !op.responses.is_empty() {
        writeln!(out, "\nResponses")?;
        for response in &op.responses {
            let description = response.description.as_deref().unwrap_or("");
            let first = description.lines().next().unwrap_or("");
            writeln!(out, "  {}  {}", response.status, clean_line(first))?;
            for media in &response.content {
                write_media(out, api, media, Direction::Response)?;
            }
        }
    }
    Ok(())
}

fn write_media(
    out: &mut impl Write,
    api: &Api,
    media: &MediaType,
    direction: Direction,
) -> std::io::Result<()> {
    let examples: Vec<&str> = media.examples.iter().map(|e| e.name.as_str()).collect();
    let examples = if examples.is_empty() {
        String::new()
    } else {
        format!("  examples: {}", examples.join(", "))
    };
    writeln!(
        out,
        "    {}{}",
        clean_line(&media.content_type),
        clean_line(&examples)
    )?;
    if let Some(schema) = &media.schema {
        let tree = schema_tree(api, schema, direction);
        // The root's own line only when it says more than `object`.
        if tree.children.is_empty() || !tree.details().is_empty() {
            write_node(out, &tree, 3)?;
        }
        for (depth, node) in tree.walk().into_iter().skip(1) {
            write_node(out, node, depth + 2)?;
        }
    }
    Ok(())
}

/// One line: name (`*` when required), type, marks, the description's
/// first line.
fn write_node(out: &mut impl Write, node: &SchemaNode, indent: usize) -> std::io::Result<()> {
    let star = if node.required { "*" } else { "" };
    let name = format!("{}{}{star}", "  ".repeat(indent), node.name);
    let mut line = format!("{name:<32} {}", node.type_text());
    let details = node.details();
    if !details.is_empty() {
        line.push_str(&format!("  [{}]", details.join(" · ")));
    }
    if let Some(description) = &node.description {
        line.push_str("  ");
        line.push_str(description.lines().next().unwrap_or(""));
    }
    writeln!(out, "{}", clean_line(line.trim_end()))
}

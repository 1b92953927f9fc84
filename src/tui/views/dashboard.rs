//! The usage dashboard: per operation from history (calls, status classes,
//! latency p50/p95/max, a sparkline of calls over time) and, beside it,
//! the gateway's own usage report when the catalog has a "Usage"
//! operation (the bundled demo does); and what its keys do.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph, Sparkline, Wrap};
use serde_json::Value;

use super::panel::PanelCtx;
use crate::sanitize;
use crate::store::{OperationStats, StatusClass};
use crate::tui::app::Reaction;
use crate::tui::keymap::Action;

/// Bars of the activity sparkline; `app::tools` sizes its buckets to it.
pub const BARS: usize = 24;

pub struct DashRow {
    pub title: String,
    pub stats: OperationStats,
}

pub enum UsageState {
    /// The catalog has no usage operation, or it cannot be built.
    Unavailable(String),
    Loading,
    Loaded(Value),
    Failed(String),
}

pub struct DashboardView {
    pub load_id: u64,
    pub loading: bool,
    pub error: Option<String>,
    pub rows: Vec<DashRow>,
    /// What the sparkline spans, e.g. "last 30 min, one bar a minute".
    pub window: String,
    pub usage: UsageState,
    pub scroll: usize,
}

impl DashboardView {
    pub fn new(load_id: u64, usage: UsageState) -> Self {
        Self {
            load_id,
            loading: true,
            error: None,
            rows: Vec::new(),
            window: String::new(),
            usage,
            scroll: 0,
        }
    }

    /// What an action does in the panel (scrolling is the panel's).
    pub fn on_action(&mut self, action: Action) -> Reaction {
        match action {
            Action::Dashboard => Reaction::RefreshDashboard,
            Action::Back | Action::Quit => Reaction::Close,
            _ => Reaction::None,
        }
    }

    pub fn scroll_by(&mut self, delta: isize) {
        let max = self.rows.len().saturating_sub(1);
        self.scroll = self.scroll.saturating_add_signed(delta).min(max);
    }

    pub fn render(&self, frame: &mut Frame, area: Rect, cx: &PanelCtx<'_>) {
        frame.render_widget(Clear, area);
        let block = cx.block("Usage");
        let inner = block.inner(area);
        frame.render_widget(block, area);
        let wide = inner.width >= 110;
        let (history_area, usage_area) = if wide {
            let [a, _gap, b] = Layout::horizontal([
                Constraint::Percentage(64),
                Constraint::Length(3),
                Constraint::Min(0),
            ])
            .areas(inner);
            (a, b)
        } else {
            let [a, b] = Layout::vertical([Constraint::Percentage(60), Constraint::Percentage(40)])
                .areas(inner);
            (a, b)
        };
        self.render_history(frame, history_area, cx);
        self.render_usage(frame, usage_area, cx);
    }

    fn render_history(&self, frame: &mut Frame, area: Rect, cx: &PanelCtx<'_>) {
        let theme = cx.theme;
        let mut head = vec![Line::from(vec![
            Span::styled("From history", theme.accent()),
            Span::styled(format!("  {}", self.window), theme.muted()),
        ])];
        if self.loading {
            head.push(Line::styled("Reading the history…", theme.muted()));
        } else if let Some(e) = &self.error {
            head.push(Line::styled(format!("✗ {e}"), theme.error()));
        } else if self.rows.is_empty() {
            head.push(Line::styled(
                "Nothing sent yet: send a request and come back.",
                theme.muted(),
            ));
        }
        let spark_w = u16::try_from(BARS).unwrap_or(24);
        let numbers = "calls  2xx  4xx  5xx fail    p50    p95    max";
        let numbers_w = u16::try_from(numbers.len()).unwrap_or(48);
        let name_w = area.width.saturating_sub(numbers_w + spark_w + 3).max(8);
        if !self.rows.is_empty() {
            head.push(Line::styled(
                format!(
                    "{:<w$} {numbers}  activity",
                    "operation",
                    w = usize::from(name_w)
                ),
                theme.muted(),
            ));
        }
        let head_h = u16::try_from(head.len()).unwrap_or(3);
        let [head_area, rows_area] =
            Layout::vertical([Constraint::Length(head_h), Constraint::Min(0)]).areas(area);
        frame.render_widget(Paragraph::new(head), head_area);
        for (i, row) in self
            .rows
            .iter()
            .skip(self.scroll)
            .take(usize::from(rows_area.height))
            .enumerate()
        {
            let y = rows_area.y + u16::try_from(i).unwrap_or(0);
            let s = &row.stats;
            let ms = |v: Option<f64>| v.map_or_else(|| "–".to_string(), format_ms);
            let name = sanitize::pad_to_width(
                &sanitize::truncate(&sanitize::clean_line(&row.title), usize::from(name_w)),
                usize::from(name_w),
            );
            let count = |c: StatusClass| s.count(c);
            let errors = count(StatusClass::ClientError)
                + count(StatusClass::ServerError)
                + count(StatusClass::Failed);
            let line = Line::from(vec![
                Span::raw(format!("{name} ")),
                Span::raw(format!("{:>5}", s.calls)),
                Span::styled(
                    format!("{:>5}", count(StatusClass::Success)),
                    theme.success(),
                ),
                Span::styled(
                    format!("{:>5}", count(StatusClass::ClientError)),
                    if count(StatusClass::ClientError) > 0 {
                        theme.warning()
                    } else {
                        theme.muted()
                    },
                ),
                Span::styled(
                    format!("{:>5}", count(StatusClass::ServerError)),
                    if count(StatusClass::ServerError) > 0 {
                        theme.error()
                    } else {
                        theme.muted()
                    },
                ),
                Span::styled(
                    format!("{:>5}", count(StatusClass::Failed)),
                    if count(StatusClass::Failed) > 0 {
                        theme.error()
                    } else {
                        theme.muted()
                    },
                ),
                Span::raw(format!(
                    "{:>7}{:>7}{:>7}",
                    ms(s.latency.map(|l| l.p50_ms)),
                    ms(s.latency.map(|l| l.p95_ms)),
                    ms(s.latency.map(|l| l.max_ms)),
                )),
            ]);
            let text_w = name_w + numbers_w + 2;
            frame.render_widget(
                Paragraph::new(line),
                Rect::new(rows_area.x, y, text_w.min(rows_area.width), 1),
            );
            let spark_x = rows_area.x + text_w;
            if spark_x < rows_area.right() {
                // The newest bars when not all fit.
                let skip = s.series.len().saturating_sub(usize::from(spark_w));
                let data: Vec<u64> = s.series.iter().skip(skip).map(|n| *n as u64).collect();
                let style = if errors > 0 {
                    theme.warning()
                } else {
                    theme.accent()
                };
                frame.render_widget(
                    Sparkline::default().data(&data).style(style),
                    Rect::new(spark_x, y, spark_w.min(rows_area.right() - spark_x), 1),
                );
            }
        }
    }

    fn render_usage(&self, frame: &mut Frame, area: Rect, cx: &PanelCtx<'_>) {
        let theme = cx.theme;
        let mut lines = vec![Line::styled("Gateway usage report", theme.accent())];
        match &self.usage {
            UsageState::Unavailable(why) => lines.push(Line::styled(why.clone(), theme.muted())),
            UsageState::Loading => lines.push(Line::styled("Asking the gateway…", theme.muted())),
            UsageState::Failed(e) => lines.push(Line::styled(
                format!("✗ {}", sanitize::clean_line(e)),
                theme.error(),
            )),
            UsageState::Loaded(v) => lines.extend(usage_lines(v, cx)),
        }
        frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), area);
    }
}

fn format_ms(ms: f64) -> String {
    if ms < 10.0 {
        format!("{ms:.1}ms")
    } else if ms < 10_000.0 {
        format!("{ms:.0}ms")
    } else {
        format!("{:.1}s", ms / 1000.0)
    }
}

fn text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => "–".into(),
        other => other.to_string(),
    }
}

/// The demo gateway's report, as its own dashboard would show it; any
/// other JSON is shown as its top-level members.
fn usage_lines<'a>(v: &Value, cx: &PanelCtx<'_>) -> Vec<Line<'a>> {
    let theme = cx.theme;
    let mut lines = Vec::new();
    let Some(subscriptions) = v.get("subscriptions").and_then(Value::as_array) else {
        if let Some(map) = v.as_object() {
            for (k, val) in map {
                lines.push(Line::raw(
                    sanitize::clean_line(&format!("{k}: {}", text(val))).into_owned(),
                ));
            }
        } else {
            lines.push(Line::raw(sanitize::clean_line(&text(v)).into_owned()));
        }
        return lines;
    };
    if let Some(limit) = v.get("rate_limit") {
        let calls = limit.get("calls").unwrap_or(&Value::Null);
        let text = if calls.as_u64() == Some(0) {
            "no rate limit".to_string()
        } else {
            format!(
                "rate limit {} calls per {} s per key",
                text(calls),
                text(limit.get("window_seconds").unwrap_or(&Value::Null))
            )
        };
        lines.push(Line::styled(text, theme.muted()));
    }
    for sub in subscriptions {
        let name = text(sub.get("subscription").unwrap_or(&Value::Null));
        lines.push(Line::default());
        lines.push(Line::from(vec![
            Span::styled(sanitize::clean_line(&name).into_owned(), theme.accent()),
            Span::raw(format!(
                "  {} calls, {} left in the window",
                text(sub.get("calls").unwrap_or(&Value::Null)),
                text(sub.get("remaining_in_window").unwrap_or(&Value::Null))
            )),
        ]));
        if let Some(by_status) = sub.get("by_status").and_then(Value::as_object)
            && !by_status.is_empty()
        {
            let parts: Vec<String> = by_status
                .iter()
                .map(|(k, n)| format!("{k} {}", text(n)))
                .collect();
            lines.push(Line::raw(format!(
                "  {}",
                sanitize::clean_line(&parts.join(" · "))
            )));
        }
        if let Some(by_op) = sub.get("by_operation").and_then(Value::as_object) {
            let mut ops: Vec<(&String, u64)> = by_op
                .iter()
                .map(|(k, n)| (k, n.as_u64().unwrap_or(0)))
                .collect();
            ops.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(b.0)));
            for (op, n) in ops.into_iter().take(8) {
                lines.push(Line::styled(
                    format!("  {n:>5}  {}", sanitize::clean_line(op)),
                    theme.muted(),
                ));
            }
        }
    }
    if let Some(rejected) = v.get("rejected") {
        lines.push(Line::default());
        lines.push(Line::raw(format!(
            "rejected: {} without a key, {} with an invalid key",
            text(rejected.get("missing_key").unwrap_or(&Value::Null)),
            text(rejected.get("invalid_key").unwrap_or(&Value::Null))
        )));
    }
    lines
}

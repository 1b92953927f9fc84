//! The flows panel: the catalog's flows to choose from, then the progress
//! of a run as its events arrive (each step, its attempts and captured
//! values, and the outcome); and what its keys do.

use std::cell::Cell;
use std::time::{Duration, Instant};

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph, Wrap};
use tokio_util::sync::CancellationToken;

use super::panel::{PanelCtx, visible_range};
use crate::catalog::Flow;
use crate::flow::{AttemptReport, FlowEvent, FlowOutcome, StepOutcome};
use crate::sanitize;
use crate::secrets::MASK;
use crate::tui::app::Reaction;
use crate::tui::keymap::Action;
use crate::units::elapsed_text;

/// One flow as listed.
pub struct FlowItem {
    pub name: String,
    pub description: Option<String>,
    /// The step names, in order.
    pub steps: Vec<String>,
    /// Why it cannot run, found before anything is sent.
    pub problem: Option<String>,
}

impl FlowItem {
    pub fn new(flow: &Flow, problem: Option<String>) -> Self {
        Self {
            name: flow.name.clone(),
            description: flow.description.clone(),
            steps: flow
                .steps
                .iter()
                .map(|s| s.name.clone().unwrap_or_else(|| s.operation.clone()))
                .collect(),
            problem,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StepState {
    Pending,
    Running,
    Done(StepOutcome),
}

pub struct StepProgress {
    pub name: String,
    pub method: String,
    pub url: Option<String>,
    pub state: StepState,
    pub attempts: Vec<AttemptReport>,
    /// Variable, value, secret.
    pub captured: Vec<(String, String, bool)>,
    pub error: Option<String>,
    pub elapsed: Option<Duration>,
    /// The first lines of the last step's answer: what the flow produced.
    pub result: Vec<String>,
}

/// Lines of the final answer shown under the last step.
const RESULT_LINES: usize = 8;

/// A run in progress or finished.
pub struct FlowRun {
    pub id: u64,
    pub flow: String,
    pub started: Instant,
    pub steps: Vec<StepProgress>,
    pub outcome: Option<(FlowOutcome, Option<String>, Duration)>,
    pub cancel: CancellationToken,
}

impl FlowRun {
    pub fn new(id: u64, item: &FlowItem, cancel: CancellationToken) -> Self {
        Self {
            id,
            flow: item.name.clone(),
            started: Instant::now(),
            steps: item
                .steps
                .iter()
                .map(|name| StepProgress {
                    name: name.clone(),
                    method: String::new(),
                    url: None,
                    state: StepState::Pending,
                    attempts: Vec::new(),
                    captured: Vec::new(),
                    error: None,
                    elapsed: None,
                    result: Vec::new(),
                })
                .collect(),
            outcome: None,
            cancel,
        }
    }

    pub fn is_running(&self) -> bool {
        self.outcome.is_none()
    }

    fn step_mut(&mut self, index: usize) -> Option<&mut StepProgress> {
        self.steps.get_mut(index)
    }

    /// Folds one progress event into the view.
    pub fn apply(&mut self, event: FlowEvent) {
        match event {
            FlowEvent::StepStarted {
                step,
                name,
                method,
                url,
                ..
            } => {
                if let Some(s) = self.step_mut(step) {
                    s.name = name;
                    s.method = method;
                    s.url = url;
                    s.state = StepState::Running;
                }
            }
            FlowEvent::Attempt { step, attempt } => {
                if let Some(s) = self.step_mut(step) {
                    s.attempts.push(attempt);
                }
            }
            FlowEvent::Captured {
                step,
                variable,
                value,
                secret,
            } => {
                if let Some(s) = self.step_mut(step) {
                    s.captured.push((variable, value, secret));
                }
            }
            FlowEvent::StepFinished { step, report } => {
                let last = step + 1 == self.steps.len();
                if let Some(s) = self.step_mut(step) {
                    if last && let Some(exchange) = &report.exchange {
                        s.result = exchange
                            .response
                            .body_text_lossy()
                            .lines()
                            .take(RESULT_LINES + 1)
                            .map(|l| sanitize::clean_line(l).into_owned())
                            .collect();
                    }
                    s.state = StepState::Done(report.outcome);
                    s.error = report.error;
                    s.elapsed = Some(report.elapsed);
                }
            }
            FlowEvent::FlowFinished {
                outcome,
                reason,
                elapsed,
            } => {
                for s in &mut self.steps {
                    if matches!(s.state, StepState::Pending | StepState::Running) {
                        s.state = StepState::Done(if outcome == FlowOutcome::Cancelled {
                            StepOutcome::Cancelled
                        } else {
                            StepOutcome::Skipped
                        });
                    }
                }
                self.outcome = Some((outcome, reason, elapsed));
            }
        }
    }
}

pub struct FlowsView {
    pub items: Vec<FlowItem>,
    pub selected: usize,
    pub offset: Cell<usize>,
    pub run: Option<FlowRun>,
}

const SPINNER: [&str; 10] = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];

impl FlowsView {
    pub fn new(items: Vec<FlowItem>) -> Self {
        Self {
            items,
            selected: 0,
            offset: Cell::new(0),
            run: None,
        }
    }

    pub fn is_running(&self) -> bool {
        self.run.as_ref().is_some_and(FlowRun::is_running)
    }

    pub fn move_by(&mut self, delta: isize) {
        let last = self.items.len().saturating_sub(1);
        self.selected = self.selected.saturating_add_signed(delta).min(last);
    }

    /// What an action does in the panel (moving is the panel's): a run
    /// keeps the panel until it ends or is cancelled.
    pub fn on_action(&mut self, action: Action) -> Reaction {
        let back = matches!(action, Action::Back | Action::Quit);
        if self.is_running() {
            if back {
                if let Some(run) = &self.run {
                    run.cancel.cancel();
                }
                return Reaction::notice("Cancelling the flow…", false);
            }
            return Reaction::None;
        }
        match action {
            Action::Select | Action::Send if self.run.is_some() => {
                // A finished run: back to the list first.
                self.run = None;
                Reaction::None
            }
            Action::Select | Action::Send => Reaction::RunFlow(self.selected),
            _ if back && self.run.is_some() => {
                self.run = None;
                Reaction::None
            }
            Action::Back | Action::Quit | Action::Flows => Reaction::Close,
            _ => Reaction::None,
        }
    }

    pub fn render(&self, frame: &mut Frame, area: Rect, cx: &PanelCtx<'_>) {
        frame.render_widget(Clear, area);
        match &self.run {
            Some(run) => self.render_run(frame, area, run, cx),
            None => self.render_list(frame, area, cx),
        }
    }

    fn render_list(&self, frame: &mut Frame, area: Rect, cx: &PanelCtx<'_>) {
        let theme = cx.theme;
        let block = cx.block("Flows");
        let inner = block.inner(area);
        frame.render_widget(block, area);
        if self.items.is_empty() {
            frame.render_widget(
                Paragraph::new(
                    "The definitions declare no flow. A portal file's [[flow]] names a sequence of operations; see the README.",
                )
                .style(theme.muted())
                .wrap(Wrap { trim: false }),
                inner,
            );
            return;
        }
        let [list_area, detail_area] =
            Layout::horizontal([Constraint::Percentage(35), Constraint::Percentage(65)])
                .spacing(2)
                .areas(inner);
        let lines: Vec<Line> = visible_range(
            self.items.len(),
            self.selected,
            usize::from(list_area.height),
            &self.offset,
        )
        .map(|i| {
            let item = &self.items[i];
            let mut line = Line::from(vec![
                Span::raw(format!(" {}", sanitize::clean_line(&item.name))),
                Span::styled(format!("  {} steps", item.steps.len()), theme.muted()),
            ]);
            if i == self.selected {
                line = line.style(theme.selected(true));
            }
            line
        })
        .collect();
        frame.render_widget(Paragraph::new(lines), list_area);
        if let Some(item) = self.items.get(self.selected) {
            let mut lines = Vec::new();
            if let Some(d) = &item.description {
                lines.extend(
                    d.lines()
                        .map(|l| Line::raw(sanitize::clean_line(l).into_owned())),
                );
                lines.push(Line::default());
            }
            for (i, step) in item.steps.iter().enumerate() {
                lines.push(Line::raw(format!(
                    "{:>2}. {}",
                    i + 1,
                    sanitize::clean_line(step)
                )));
            }
            lines.push(Line::default());
            match &item.problem {
                Some(p) => lines.push(Line::styled(format!("✗ {p}"), theme.error())),
                None => lines.push(Line::styled(
                    format!(
                        "{} runs it; {} cancels a run.",
                        cx.key(Action::Select),
                        cx.key(Action::Back)
                    ),
                    theme.muted(),
                )),
            }
            frame.render_widget(
                Paragraph::new(lines).wrap(Wrap { trim: false }),
                detail_area,
            );
        }
    }

    fn render_run(&self, frame: &mut Frame, area: Rect, run: &FlowRun, cx: &PanelCtx<'_>) {
        let theme = cx.theme;
        let block = cx.block(&format!("Flow · {}", run.flow));
        let inner = block.inner(area);
        frame.render_widget(block, area);
        let mut lines: Vec<Line> = Vec::new();
        let elapsed = cx.now.saturating_duration_since(run.started);
        match &run.outcome {
            None => {
                let i = usize::try_from(elapsed.as_millis() / 100).unwrap_or(0) % SPINNER.len();
                lines.push(Line::from(vec![
                    Span::styled(format!("{} Running… ", SPINNER[i]), theme.accent()),
                    Span::raw(format!("{:.1} s", elapsed.as_secs_f64())),
                    Span::styled(
                        format!("   {} cancels", cx.key(Action::Back)),
                        theme.muted(),
                    ),
                ]));
            }
            Some((outcome, reason, took)) => {
                let style = match outcome {
                    FlowOutcome::Succeeded => theme.success(),
                    FlowOutcome::Failed => theme.error(),
                    FlowOutcome::Cancelled => theme.warning(),
                };
                let mut spans = vec![Span::styled(
                    format!("Flow {} in {}", outcome.as_str(), elapsed_text(*took)),
                    style,
                )];
                if let Some(r) = reason {
                    spans.push(Span::styled(
                        format!(": {}", sanitize::clean_line(r)),
                        style,
                    ));
                }
                lines.push(Line::from(spans));
            }
        }
        lines.push(Line::default());
        for (i, step) in run.steps.iter().enumerate() {
            let (icon, style) = match step.state {
                StepState::Pending => ("○".to_string(), theme.muted()),
                StepState::Running => {
                    let k = usize::try_from(elapsed.as_millis() / 100).unwrap_or(0) % SPINNER.len();
                    (SPINNER[k].to_string(), theme.accent())
                }
                StepState::Done(StepOutcome::Succeeded) => ("✓".to_string(), theme.success()),
                StepState::Done(StepOutcome::Failed) => ("✗".to_string(), theme.error()),
                StepState::Done(StepOutcome::Cancelled) => ("■".to_string(), theme.warning()),
                StepState::Done(StepOutcome::Skipped) => ("–".to_string(), theme.muted()),
            };
            let mut spans = vec![
                Span::styled(format!("{icon} "), style),
                Span::raw(format!("{}. {}", i + 1, sanitize::clean_line(&step.name))),
            ];
            if let Some(e) = step.elapsed {
                spans.push(Span::styled(
                    format!("  {}", elapsed_text(e)),
                    theme.muted(),
                ));
            }
            lines.push(Line::from(spans));
            if let Some(url) = &step.url {
                lines.push(Line::from(vec![
                    Span::raw("    "),
                    Span::styled(format!("{} ", step.method), theme.method(&step.method)),
                    Span::styled(sanitize::clean_line(url).into_owned(), theme.muted()),
                ]));
            }
            // The last few attempts: a poll can make many.
            let skip = step.attempts.len().saturating_sub(4);
            if skip > 0 {
                lines.push(Line::styled(
                    format!("    … {skip} earlier attempt(s)"),
                    theme.muted(),
                ));
            }
            for a in step.attempts.iter().skip(skip) {
                let mut spans = vec![Span::styled(
                    format!("    attempt {} ", a.number),
                    theme.muted(),
                )];
                match a.status {
                    Some(code) => spans.push(Span::styled(
                        format!("{code} {}", sanitize::clean_line(&a.reason)),
                        theme.status(code),
                    )),
                    None => spans.push(Span::styled("no response", theme.error())),
                }
                if let Some(v) = &a.value {
                    spans.push(Span::styled(
                        format!("  {}", sanitize::truncate(&sanitize::clean_line(v), 40)),
                        theme.accent(),
                    ));
                }
                spans.push(Span::styled(
                    format!("  {}", elapsed_text(a.latency)),
                    theme.muted(),
                ));
                if let Some(wait) = a.rate_limited {
                    // The wait starts when the 429 has come back; while
                    // the run waits it out, it counts down.
                    let ends = run.started + a.at + a.latency + wait;
                    let left = ends.saturating_duration_since(cx.now);
                    let text = if run.outcome.is_none() && !left.is_zero() {
                        format!(
                            "  rate limited: waiting {} for the rate limit",
                            crate::units::duration_text(left + Duration::from_millis(999))
                        )
                    } else {
                        format!("  rate limited, waited {}", elapsed_text(wait))
                    };
                    spans.push(Span::styled(text, theme.warning()));
                }
                if let Some(e) = &a.error {
                    spans.push(Span::styled(
                        format!("  {}", sanitize::clean_line(e)),
                        theme.error(),
                    ));
                }
                lines.push(Line::from(spans));
            }
            for (name, value, secret) in &step.captured {
                let shown = if *secret && !cx.reveal {
                    MASK.to_string()
                } else {
                    sanitize::truncate(&sanitize::clean_line(value), 60).into_owned()
                };
                lines.push(Line::from(vec![
                    Span::styled("    captured ", theme.muted()),
                    Span::styled(sanitize::clean_line(name).into_owned(), theme.accent()),
                    Span::raw(format!(" = {shown}")),
                ]));
            }
            if let Some(e) = &step.error {
                lines.push(Line::styled(
                    format!("    ✗ {}", sanitize::clean_line(e)),
                    theme.error(),
                ));
            }
            if !step.result.is_empty() {
                lines.push(Line::styled("    result", theme.muted()));
                for (k, l) in step.result.iter().enumerate() {
                    let text = if k == RESULT_LINES {
                        "…".to_string()
                    } else {
                        sanitize::truncate(l, usize::from(inner.width).saturating_sub(6))
                            .into_owned()
                    };
                    lines.push(Line::raw(format!("      {text}")));
                }
            }
        }
        // The outcome stays on top; the newest steps stay in view below it
        // while a long run scrolls.
        let body = lines.split_off(2.min(lines.len()));
        let [head_area, body_area] =
            Layout::vertical([Constraint::Length(2), Constraint::Min(0)]).areas(inner);
        frame.render_widget(Paragraph::new(lines), head_area);
        let overflow = body.len().saturating_sub(usize::from(body_area.height));
        frame.render_widget(
            Paragraph::new(body).scroll((u16::try_from(overflow).unwrap_or(u16::MAX), 0)),
            body_area,
        );
    }
}

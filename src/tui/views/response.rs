//! The response pane: the per-request state (in flight, done, failed,
//! cancelled), the status line, a one-line explanation of well-known
//! gateway answers, the Body | Headers | Request | Timing tabs, and what
//! keys do in it.

use std::time::{Duration, Instant};

use bytes::Bytes;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Tabs, Wrap};
use tokio::sync::watch;
use tokio_util::sync::CancellationToken;

use crate::http::Progress;
use crate::sanitize;
use crate::secrets::Masker;
use crate::tui::app::{Overlay, Reaction};
use crate::tui::body_view::{BodyTheme, BodyView};
use crate::tui::config::Theme;
use crate::tui::input::LineInput;
use crate::tui::keymap::Action;
use crate::tui::outcome::{Failure, Outcome};
use crate::units::elapsed_text;
use crate::units::{grouped, size_text};

/// Where one operation's request is. Every state carries the id of the
/// send it belongs to, so that a late answer to an older send is dropped.
pub enum RequestState {
    Idle,
    InFlight {
        id: u64,
        started: Instant,
        cancel: CancellationToken,
        /// Headers and body bytes received so far.
        progress: watch::Receiver<Progress>,
        /// An OAuth 2.0 token is fetched first: what the user must do
        /// (open a URL, enter a code), or which flow runs.
        token: Option<String>,
    },
    Done {
        id: u64,
        view: Box<ResponseView>,
    },
    Failed {
        id: u64,
        failure: Failure,
    },
    Cancelled {
        id: u64,
        elapsed: Duration,
    },
}

impl RequestState {
    pub fn in_flight_id(&self) -> Option<u64> {
        match self {
            Self::InFlight { id, .. } => Some(*id),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RespTab {
    Body,
    Headers,
    Request,
    Timing,
}

impl RespTab {
    pub const ALL: [RespTab; 4] = [Self::Body, Self::Headers, Self::Request, Self::Timing];

    fn index(self) -> usize {
        Self::ALL.iter().position(|t| *t == self).unwrap_or(0)
    }

    pub fn cycle(self, delta: isize) -> Self {
        let i = (self.index() as isize + delta).rem_euclid(Self::ALL.len() as isize);
        Self::ALL[usize::try_from(i).unwrap_or(0)]
    }
}

impl std::fmt::Debug for ResponseView {
    /// The answer's status, not its body: a message in a log stays short.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ResponseView")
            .field("status", &self.outcome.response.status)
            .field("body_bytes", &self.outcome.response.body.len())
            .finish_non_exhaustive()
    }
}

/// A received response and how the user is looking at it.
pub struct ResponseView {
    pub outcome: Outcome,
    pub received: Instant,
    pub tab: RespTab,
    pub scroll: usize,
    pub body: BodyView,
    /// When a 429's Retry-After runs out, for the live countdown.
    pub retry_until: Option<Instant>,
    /// Lines shown at the last draw, for paging.
    pub page: usize,
    /// Where the tab titles were drawn, for mouse clicks.
    pub tab_hits: Vec<Rect>,
    /// Where an answer not received just now came from ("history,
    /// 12:30:01 UTC"), shown in the status line.
    pub origin: Option<String>,
    /// The request's secrets, masked in the body and headers until
    /// revealed: a server that echoes the key back (a `/headers` echo, a
    /// gateway's error page) would otherwise show it in plain text.
    masker: Masker,
    /// The body holds a secret, so revealing rebuilds its view.
    body_has_secrets: bool,
    /// The body view shows the secrets (`R`).
    body_revealed: bool,
}

impl ResponseView {
    pub fn new(outcome: Outcome) -> Self {
        let masker = Masker::new(outcome.secrets.iter().cloned());
        let body_has_secrets = !masker.is_empty()
            && std::str::from_utf8(&outcome.response.body).is_ok_and(|text| masker.masks(text));
        let shown = if body_has_secrets {
            masked_body(&outcome.response.body, &masker)
        } else {
            outcome.response.body.clone()
        };
        let body = BodyView::new(shown, outcome.response.header("content-type"));
        Self::with_body(outcome, body, masker, body_has_secrets)
    }

    /// A large answer shown from its start while [`ResponseView::new`]
    /// lays out the whole (see [`BodyView::preview`]); `None` for an
    /// answer small enough to lay out at once. The start's secrets are
    /// masked.
    pub fn preview(outcome: &Outcome) -> Option<Self> {
        let masker = Masker::new(outcome.secrets.iter().cloned());
        let body = BodyView::preview(
            &outcome.response.body,
            outcome.response.header("content-type"),
            |start| {
                if masker.is_empty() {
                    return start;
                }
                match std::str::from_utf8(&start) {
                    Ok(text) => Bytes::from(masker.mask_start(text)),
                    // Not shown as text anyway (see `BodyView::preview`).
                    Err(_) => Bytes::new(),
                }
            },
        )?;
        Some(Self::with_body(outcome.clone(), body, masker, false))
    }

    /// Puts the whole answer, laid out, in place of this preview of it,
    /// where the reader is in it.
    pub fn laid_out(&mut self, mut whole: ResponseView) {
        whole.body.continue_from(&self.body);
        self.body = whole.body;
        self.outcome = whole.outcome;
        self.body_has_secrets = whole.body_has_secrets;
        if self.body_revealed {
            self.body_revealed = false;
            self.set_reveal(true);
        }
    }

    fn with_body(outcome: Outcome, body: BodyView, masker: Masker, body_has_secrets: bool) -> Self {
        let received = Instant::now();
        let retry_until = (outcome.response.status == 429)
            .then(|| {
                outcome
                    .response
                    .header("retry-after")
                    .and_then(|v| v.trim().parse::<u64>().ok())
            })
            .flatten()
            // A wait beyond what the clock can count gets no countdown.
            .and_then(|s| received.checked_add(Duration::from_secs(s)));
        Self {
            body,
            outcome,
            received,
            tab: RespTab::Body,
            scroll: 0,
            retry_until,
            page: 10,
            tab_hits: Vec::new(),
            origin: None,
            masker,
            body_has_secrets,
            body_revealed: false,
        }
    }

    /// Shows the secrets in the body, or masks them again; the body's view
    /// is rebuilt only when its text changes.
    pub fn set_reveal(&mut self, reveal: bool) {
        if reveal == self.body_revealed {
            return;
        }
        self.body_revealed = reveal;
        // A preview is replaced soon, shown as revealed or not.
        if !self.body_has_secrets || self.body.partial_of().is_some() {
            return;
        }
        let shown = if reveal {
            self.outcome.response.body.clone()
        } else {
            masked_body(&self.outcome.response.body, &self.masker)
        };
        self.body = BodyView::new(shown, self.outcome.response.header("content-type"));
    }

    /// A response header's value as shown: masked unless revealed.
    fn header_value(&self, value: &str) -> String {
        let value = if self.body_revealed || self.masker.is_empty() {
            value.to_string()
        } else {
            self.masker.mask(value)
        };
        sanitize::clean_line(&value).into_owned()
    }

    /// Lines of the current tab other than the body (which scrolls
    /// itself).
    pub fn line_count(&self) -> usize {
        match self.tab {
            RespTab::Body => self.body.line_count(),
            RespTab::Headers => self.outcome.response.headers.len(),
            RespTab::Request => {
                self.outcome.sent.headers.len() + 3 + self.request_body_lines().len()
            }
            RespTab::Timing => 6,
        }
    }

    pub fn scroll_by(&mut self, delta: isize) {
        let max = self.line_count().saturating_sub(1);
        self.scroll = self.scroll.saturating_add_signed(delta).min(max);
    }

    fn request_body_lines(&self) -> Vec<String> {
        self.outcome
            .sent
            .body
            .as_ref()
            .map(|b| {
                String::from_utf8_lossy(b)
                    .lines()
                    .map(|l| sanitize::clean_line(l).into_owned())
                    .collect()
            })
            .unwrap_or_default()
    }

    /// The body size the status line shows: what is held. A body cut at
    /// the cap counts the bytes read past it too (up to a network chunk),
    /// which made a 16 MiB cap read "16.1 MiB".
    pub fn shown_size(&self) -> u64 {
        if self.outcome.response.truncated {
            self.outcome.response.body.len() as u64
        } else {
            self.outcome.response.size
        }
    }

    /// Seconds left before a rate-limited call may be retried.
    pub fn retry_left(&self, now: Instant) -> Option<u64> {
        self.retry_until
            .map(|until| until.saturating_duration_since(now))
            .map(|d| d.as_secs() + u64::from(d.subsec_nanos() > 0))
    }

    /// What a key does while the response pane has the focus.
    pub fn on_action(&mut self, action: Action) -> Reaction {
        let body = self.tab == RespTab::Body;
        match action {
            Action::Left | Action::PrevTab => {
                self.tab = self.tab.cycle(-1);
                self.scroll = 0;
            }
            Action::Right | Action::NextTab => {
                self.tab = self.tab.cycle(1);
                self.scroll = 0;
            }
            Action::Up if body => self.body.scroll_up(1),
            Action::Down if body => self.body.scroll_down(1),
            Action::PageUp if body => self.body.page_up(),
            Action::PageDown if body => self.body.page_down(),
            Action::Top if body => self.body.scroll_to_top(),
            Action::Bottom if body => self.body.scroll_to_bottom(),
            Action::ScrollLeft if body => self.body.scroll_left(8),
            Action::ScrollRight if body => self.body.scroll_right(8),
            Action::Up => self.scroll_by(-1),
            Action::Down => self.scroll_by(1),
            Action::PageUp => self.scroll_by(-(self.page as isize)),
            Action::PageDown => self.scroll_by(self.page as isize),
            Action::Top => self.scroll = 0,
            Action::Bottom => self.scroll = self.line_count().saturating_sub(self.page),
            Action::ToggleWrap => {
                self.tab = RespTab::Body;
                self.body.toggle_wrap();
            }
            Action::Search | Action::Filter => {
                self.tab = RespTab::Body;
                let query = self.body.search_query().to_string();
                return Reaction::Open(Overlay::Search(LineInput::new(query)));
            }
            Action::SearchNext => self.body.next_match(),
            Action::SearchPrev => self.body.prev_match(),
            Action::SaveBody => {
                let ext = self
                    .outcome
                    .response
                    .header("content-type")
                    .and_then(crate::request::extension_for)
                    .unwrap_or("bin");
                return Reaction::Open(Overlay::SaveBody(LineInput::new(format!(
                    "response.{ext}"
                ))));
            }
            _ => {}
        }
        Reaction::None
    }

    /// Searches the body for what the search prompt was given.
    pub fn search(&mut self, query: &str) -> Reaction {
        self.body.set_search(query);
        if self
            .body
            .search_status()
            .is_some_and(|status| status == "no match")
        {
            return Reaction::notice(format!("No match for `{query}`"), true);
        }
        Reaction::None
    }

    /// Writes the body to the file the save prompt was given.
    pub fn save_body(&self, path: &str) -> Reaction {
        if path.trim().is_empty() {
            return Reaction::notice("Not saved: no file name", true);
        }
        let size = self.outcome.response.body.len();
        match self.body.save_to(std::path::Path::new(path)) {
            Ok(()) => Reaction::notice(format!("Saved {size} bytes to {path}"), false),
            Err(e) => Reaction::notice(format!("Not saved: {e}"), true),
        }
    }
}

/// A one-line explanation of a well-known gateway answer.
pub fn explain(view: &ResponseView, now: Instant) -> Option<String> {
    let o = &view.outcome;
    match o.response.status {
        401 => {
            let body = String::from_utf8_lossy(&o.response.body[..o.response.body.len().min(4096)])
                .to_ascii_lowercase();
            let sent_key = o.sent.headers.iter().any(|(n, v)| {
                n.eq_ignore_ascii_case("ocp-apim-subscription-key") && !v.trim().is_empty()
            }) || o.sent.url.contains("subscription-key=");
            if body.contains("missing subscription key")
                || (body.contains("subscription key") && !sent_key)
            {
                Some(
                    "The gateway wants a subscription key: set Ocp-Apim-Subscription-Key (Auth or Headers tab)."
                        .into(),
                )
            } else if body.contains("invalid subscription key") || body.contains("subscription key")
            {
                Some("The gateway refused the subscription key: it is wrong or its subscription is not active.".into())
            } else {
                None
            }
        }
        429 => Some(match view.retry_left(now) {
            Some(0) => "Rate limited by the gateway: you may retry now.".into(),
            Some(s) => format!("Rate limited by the gateway: retry in {s} s."),
            None => "Rate limited by the gateway; it did not say when to retry.".into(),
        }),
        _ => None,
    }
}

/// A UTF-8 body with the secrets masked; other bodies as they are.
fn masked_body(body: &Bytes, masker: &Masker) -> Bytes {
    match std::str::from_utf8(body) {
        Ok(text) => Bytes::from(masker.mask(text)),
        Err(_) => body.clone(),
    }
}

pub struct ResponsePane<'a> {
    pub theme: &'a Theme,
    pub body_theme: &'a BodyTheme,
    pub focused: bool,
    pub now: Instant,
    /// Secrets the answer echoes are shown (`R`), not masked.
    pub reveal: bool,
}

/// Drops the parts that matter least until the line fits in `width`
/// columns; parts of equal rank go together.
fn fit_parts(mut parts: Vec<(u8, Span<'_>)>, width: usize) -> Vec<Span<'_>> {
    let total = |parts: &[(u8, Span)]| parts.iter().map(|(_, s)| s.width()).sum::<usize>();
    while total(&parts) > width {
        let Some(least) = parts
            .iter()
            .map(|(rank, _)| *rank)
            .filter(|r| *r < u8::MAX)
            .min()
        else {
            break;
        };
        parts.retain(|(rank, _)| *rank != least);
    }
    parts.into_iter().map(|(_, span)| span).collect()
}

const SPINNER: [&str; 10] = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];

impl ResponsePane<'_> {
    pub fn render(&self, frame: &mut Frame, area: Rect, state: &mut RequestState) {
        let theme = self.theme;
        let block = Block::default()
            .borders(Borders::ALL)
            .border_style(theme.border(self.focused))
            .title(Span::styled(" Response ", theme.title()));
        let inner = block.inner(area);
        frame.render_widget(block, area);
        if inner.height == 0 || inner.width == 0 {
            return;
        }
        let text = match state {
            RequestState::Idle => Line::styled(
                "Nothing sent yet. F5 or Ctrl+R sends the request.",
                theme.muted(),
            ),
            RequestState::InFlight {
                started,
                token: Some(token),
                ..
            } => {
                let elapsed = self.now.saturating_duration_since(*started);
                let frame_i =
                    usize::try_from(elapsed.as_millis() / 100).unwrap_or(0) % SPINNER.len();
                let lines = vec![
                    Line::from(vec![
                        Span::styled(
                            format!("{} Getting a token… ", SPINNER[frame_i]),
                            theme.accent(),
                        ),
                        Span::raw(format!("{} s", elapsed.as_secs())),
                        Span::styled("   Esc cancels", theme.muted()),
                    ]),
                    Line::default(),
                    Line::raw(sanitize::clean_line(token).into_owned()),
                ];
                frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), inner);
                return;
            }
            RequestState::InFlight {
                started, progress, ..
            } => {
                let elapsed = self.now.saturating_duration_since(*started);
                let frame_i =
                    usize::try_from(elapsed.as_millis() / 100).unwrap_or(0) % SPINNER.len();
                let p = *progress.borrow();
                let mut spans = vec![
                    Span::styled(format!("{} Sending… ", SPINNER[frame_i]), theme.accent()),
                    Span::raw(format!("{:.1} s", elapsed.as_secs_f64())),
                ];
                if p.headers_received {
                    let mut text =
                        format!("  {} · receiving {}", p.status, size_text(p.body_bytes));
                    if let Some(total) = p.content_length {
                        text.push_str(&format!(" of {}", size_text(total)));
                    }
                    spans.push(Span::styled(text, theme.status(p.status)));
                } else if p.redirects > 0 {
                    spans.push(Span::raw(format!("  after {} redirect(s)", p.redirects)));
                }
                spans.push(Span::styled("   Esc cancels", theme.muted()));
                Line::from(spans)
            }
            RequestState::Cancelled { elapsed, .. } => Line::styled(
                format!("Cancelled after {}.", elapsed_text(*elapsed)),
                theme.warning(),
            ),
            RequestState::Failed { failure, .. } => {
                let mut lines = vec![Line::styled(
                    format!(
                        "✗ {} (after {})",
                        failure.message,
                        elapsed_text(failure.elapsed)
                    ),
                    theme.error(),
                )];
                if let Some(hint) = &failure.hint {
                    lines.push(Line::default());
                    lines.push(Line::styled(format!("ⓘ {hint}"), theme.warning()));
                }
                frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), inner);
                return;
            }
            RequestState::Done { view, .. } => {
                view.set_reveal(self.reveal);
                self.render_done(frame, inner, view);
                return;
            }
        };
        frame.render_widget(Paragraph::new(text).wrap(Wrap { trim: false }), inner);
    }

    fn render_done(&self, frame: &mut Frame, area: Rect, view: &mut ResponseView) {
        let theme = self.theme;
        let o = &view.outcome;
        // Each part with how long it stays when the line is too narrow
        // (higher stays longer): the code, the truncation warning and the
        // size outlast the protocol version and the encoding.
        let mut parts: Vec<(u8, Span)> = vec![
            (
                u8::MAX,
                Span::styled(
                    format!("{} ", o.response.status),
                    theme.status(o.response.status),
                ),
            ),
            (
                5,
                Span::styled(
                    sanitize::clean_line(&o.response.reason).into_owned(),
                    theme.status(o.response.status),
                ),
            ),
        ];
        // Followed redirects change where the answer came from: say so.
        match o.redirects.len() {
            0 => {}
            n => parts.push((
                7,
                Span::styled(
                    format!("  after {n} redirect{}", if n == 1 { "" } else { "s" }),
                    theme.warning(),
                ),
            )),
        }
        parts.extend([
            (2, Span::styled("  headers ", theme.muted())),
            (2, Span::raw(elapsed_text(o.timing.headers))),
            (6, Span::styled(" · total ", theme.muted())),
            (
                6,
                Span::styled(
                    elapsed_text(o.timing.total),
                    Style::new().add_modifier(Modifier::BOLD),
                ),
            ),
            (8, Span::styled(" · ", theme.muted())),
            (8, Span::raw(size_text(view.shown_size()))),
        ]);
        if o.response.truncated {
            parts.push((9, Span::styled(" (truncated)", theme.warning())));
        }
        if let Some(enc) = &o.response.decoded_from {
            parts.push((
                3,
                Span::styled(
                    format!(" ({enc} {})", size_text(o.response.wire_size)),
                    theme.muted(),
                ),
            ));
        }
        parts.push((
            1,
            Span::styled(format!(" · {}", o.response.version), theme.muted()),
        ));
        match o.verdict.as_deref() {
            // The first to go when the line is narrow: the line below says
            // what differs anyway.
            Some([]) => parts.push((0, Span::styled(" · ✓ as documented", theme.muted()))),
            Some(problems) => parts.push((
                1,
                Span::styled(
                    format!(
                        " · ✗ {} difference{} from the definition",
                        problems.len(),
                        if problems.len() == 1 { "" } else { "s" }
                    ),
                    theme.warning(),
                ),
            )),
            None => {}
        }
        if let Some(origin) = &view.origin {
            parts.push((
                7,
                Span::styled(format!("  · from {origin}"), theme.warning()),
            ));
        }
        let status = fit_parts(parts, usize::from(area.width));
        // A gateway's explanation first; else the first difference from
        // the definition, with where it is.
        let explanation = explain(view, self.now).or_else(|| {
            let first = o.verdict.as_deref()?.first()?;
            Some(format!("differs from the definition: {first}"))
        });
        let [status_area, explain_area, tabs_area, body_area] = Layout::vertical([
            Constraint::Length(1),
            Constraint::Length(u16::from(explanation.is_some())),
            Constraint::Length(1),
            Constraint::Min(0),
        ])
        .areas(area);
        frame.render_widget(Paragraph::new(Line::from(status)), status_area);
        if let Some(text) = explanation {
            frame.render_widget(
                Paragraph::new(Line::styled(format!("ⓘ {text}"), theme.warning())),
                explain_area,
            );
        }
        let body_title = match view.body.search_status() {
            Some(status) => format!(
                "Body /{} {status}",
                sanitize::truncate(view.body.search_query(), 16)
            ),
            None => format!("Body ({})", view.body.kind().label()),
        };
        let titles = vec![
            Line::raw(body_title),
            Line::raw(format!("Headers ({})", o.response.headers.len())),
            Line::raw("Request"),
            Line::raw("Timing"),
        ];
        view.tab_hits = super::tab_hits(tabs_area, &titles);
        frame.render_widget(
            Tabs::new(titles)
                .select(view.tab.index())
                .highlight_style(theme.accent().add_modifier(Modifier::UNDERLINED))
                .divider("│"),
            tabs_area,
        );
        view.page = usize::from(body_area.height).max(1);
        view.scroll = view.scroll.min(view.line_count().saturating_sub(1));
        match view.tab {
            RespTab::Body => view
                .body
                .render(body_area, frame.buffer_mut(), self.body_theme),
            RespTab::Headers => {
                let lines: Vec<Line> = o
                    .response
                    .headers
                    .iter()
                    .skip(view.scroll)
                    .map(|(n, v)| {
                        Line::from(vec![
                            Span::styled(format!("{n}: "), theme.accent()),
                            Span::raw(view.header_value(v)),
                        ])
                    })
                    .collect();
                frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), body_area);
            }
            RespTab::Request => {
                let sent = &o.sent;
                let mut lines = vec![Line::from(vec![
                    Span::styled(format!("{} ", sent.method), theme.method(&sent.method)),
                    Span::raw(sanitize::clean_line(&sent.url).into_owned()),
                ])];
                for (n, v) in &sent.headers {
                    lines.push(Line::from(vec![
                        Span::styled(format!("{n}: "), theme.accent()),
                        Span::raw(sanitize::clean_line(v).into_owned()),
                    ]));
                }
                let body = view.request_body_lines();
                if !body.is_empty() {
                    lines.push(Line::default());
                    lines.extend(body.into_iter().map(Line::raw));
                }
                lines.push(Line::styled("(secrets masked)", theme.muted()));
                frame.render_widget(
                    Paragraph::new(lines)
                        .wrap(Wrap { trim: false })
                        .scroll((u16::try_from(view.scroll).unwrap_or(u16::MAX), 0)),
                    body_area,
                );
            }
            RespTab::Timing => {
                let mut lines = vec![
                    Line::from(vec![
                        Span::styled("Time to headers  ", theme.muted()),
                        Span::raw(elapsed_text(o.timing.headers)),
                    ]),
                    Line::from(vec![
                        Span::styled("Body             ", theme.muted()),
                        Span::raw(elapsed_text(
                            o.timing.total.saturating_sub(o.timing.headers),
                        )),
                    ]),
                    Line::from(vec![
                        Span::styled("Total            ", theme.muted()),
                        Span::styled(
                            elapsed_text(o.timing.total),
                            Style::new().add_modifier(Modifier::BOLD),
                        ),
                    ]),
                    Line::from(vec![
                        Span::styled("Size             ", theme.muted()),
                        Span::raw(if o.response.truncated {
                            format!(
                                "{} ({} bytes) kept of {} read, cut at the cap",
                                size_text(view.shown_size()),
                                grouped(view.shown_size()),
                                grouped(o.response.size)
                            )
                        } else {
                            format!(
                                "{} ({} bytes)",
                                size_text(o.response.size),
                                grouped(o.response.size)
                            )
                        }),
                    ]),
                ];
                if o.redirects.is_empty() {
                    lines.push(Line::styled("No redirects.", theme.muted()));
                } else {
                    lines.push(Line::styled("Redirects", theme.muted()));
                    for (code, from, to) in &o.redirects {
                        lines.push(Line::raw(format!(
                            "  {code} {} → {}",
                            sanitize::clean_line(from),
                            sanitize::clean_line(to)
                        )));
                    }
                }
                frame.render_widget(Paragraph::new(lines), body_area);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_and_durations() {
        assert_eq!(elapsed_text(Duration::from_micros(1500)), "1.5 ms");
        assert_eq!(elapsed_text(Duration::from_millis(250)), "250 ms");
    }
}

//! The terminal interface. The only module that names ratatui or crossterm.
//!
//! ```text
//! crossterm EventStream ──┐
//! send task (per request) ├──> mpsc queue ──> App::step: handle all queued,
//! spinner / countdown tick┘                    then draw once if changed
//! ```
//!
//! [`run`] owns the real terminal: raw mode, the alternate screen, mouse
//! and bracketed paste, restored on every exit (errors and panics too);
//! it performs the [`app::Effect`]s the app asks for (clipboard, suspending
//! for `$EDITOR`). Logs go to a file, never to the screen.

pub mod app;
pub mod body_view;
#[cfg(test)]
mod cell_widths;
pub mod config;
pub mod diff;
pub mod input;
pub mod keymap;
pub mod outcome;
pub mod ui;
pub mod views;

use std::future::Future;
use std::io::{Write, stdout};
use std::path::PathBuf;
use std::time::Duration;

use anyhow::Context as _;
use crossterm::event::{
    DisableBracketedPaste, DisableMouseCapture, EnableBracketedPaste, EnableMouseCapture,
    EventStream,
};
use crossterm::terminal::{
    EnterAlternateScreen, LeaveAlternateScreen, disable_raw_mode, enable_raw_mode,
};
use crossterm::{execute, queue};
use futures_util::StreamExt;
use ratatui::backend::CrosstermBackend;
use tokio::sync::mpsc;

pub use app::{App, Effect, Msg, WatchedSources};
pub use config::Config;

use crate::catalog::Catalog;

/// What the command line hands to the interface.
pub struct TuiContext {
    pub catalog: Catalog,
    /// Environment to start in; the catalog's first when `None`.
    pub env: Option<String>,
    /// A base URL that replaces the definitions' servers (`--server`).
    pub server_override: Option<String>,
    /// The config file of the home, with `--timeout` applied.
    pub config: Config,
    /// `--home DIR`: where the logs are, as for every other file portico
    /// keeps. `None` uses `PORTICO_HOME` or the
    /// platform's directories.
    pub home: Option<PathBuf>,
    /// Where presets, history and the user's environments live; `None`
    /// keeps nothing (no home directory).
    pub paths: Option<crate::store::Paths>,
    /// A person's session, with their desktop's services: OAuth 2.0
    /// tokens kept in the OS keychain between sessions, and the browser
    /// opened for a sign-in. Tests use neither.
    pub desktop: bool,
    /// The sources to load again when a file among them changes; `None`
    /// watches nothing (the bundled demo).
    pub watch: Option<app::WatchedSources>,
}

impl TuiContext {
    /// A context with nothing from the user's machine: the default config,
    /// no home, nothing kept. Tests and benchmarks start here.
    pub fn with_defaults(catalog: Catalog) -> Self {
        Self {
            catalog,
            env: None,
            server_override: None,
            config: Config::default(),
            home: None,
            paths: None,
            desktop: false,
            watch: None,
        }
    }
}

/// Runs the interface until the user quits.
pub async fn run(ctx: TuiContext) -> anyhow::Result<()> {
    let mut terminal = TerminalGuard::enter()?;
    run_entered(ctx, &mut terminal).await
}

/// Runs the interface on definitions that are still loading. The terminal
/// says what is loading at once, and Esc, q or Ctrl+C quit meanwhile:
/// `load` runs on a task of its own, so parsing a 20 MB definition never
/// holds the keys. Once loaded, the interface runs until the user quits;
/// the value that came with the context (what must outlive the interface)
/// is handed back then. `None`: the user quit before the load ended.
pub async fn run_loading<T: Send + 'static>(
    loading: String,
    load: impl Future<Output = anyhow::Result<(TuiContext, T)>> + Send + 'static,
) -> anyhow::Result<Option<T>> {
    let mut terminal = TerminalGuard::enter()?;
    let Some((ctx, keep)) = wait_for_load(&loading, tokio::spawn(load)).await? else {
        return Ok(None);
    };
    run_entered(ctx, &mut terminal).await?;
    Ok(Some(keep))
}

/// Shows the loading screen until `task` ends (its result) or a quit key
/// is pressed (`None`, the task aborted).
async fn wait_for_load<T>(
    loading: &str,
    mut task: tokio::task::JoinHandle<anyhow::Result<T>>,
) -> anyhow::Result<Option<T>> {
    use crossterm::event::{Event, KeyCode, KeyEventKind, KeyModifiers};

    let mut screen =
        ratatui::Terminal::new(CrosstermBackend::new(stdout())).context("opening the terminal")?;
    let started = std::time::Instant::now();
    let mut events = EventStream::new();
    let mut reading = true;
    // A tenth of a second: the time shown moves, and no faster than it reads.
    let mut tick = tokio::time::interval(Duration::from_millis(100));
    loop {
        screen
            .draw(|frame| views::loading::render(frame, loading, started.elapsed()))
            .context("drawing the loading screen")?;
        tokio::select! {
            joined = &mut task => {
                return joined.context("loading the APIs")?.map(Some);
            }
            event = events.next(), if reading => match event {
                Some(Ok(Event::Key(key))) if key.kind != KeyEventKind::Release => {
                    let quits = matches!(key.code, KeyCode::Esc | KeyCode::Char('q'))
                        || (key.code == KeyCode::Char('c')
                            && key.modifiers.contains(KeyModifiers::CONTROL));
                    if quits {
                        task.abort();
                        return Ok(None);
                    }
                }
                Some(Ok(Event::Resize(..))) => screen.autoresize().context("resizing")?,
                Some(Ok(_)) => {}
                // No keys to read: the load still ends the wait.
                Some(Err(_)) | None => reading = false,
            },
            _ = tick.tick() => {}
        }
    }
}

/// The interface on a terminal already prepared.
async fn run_entered(ctx: TuiContext, terminal: &mut TerminalGuard) -> anyhow::Result<()> {
    let _log_guard = init_logging(ctx.home.as_deref());
    let backend = CrosstermBackend::new(stdout());
    let mut app = App::new(ctx, backend)?;
    full_redraw(&mut app)?;
    app.draw_now()?;
    // The HTTP client is built while the user reads the first frame, so
    // the first F5 pays no set-up.
    app.warm_up();
    let mut input = spawn_input(app.sender());
    let result = event_loop(&mut app, &mut input, terminal).await;
    input.abort();
    app.finish(Duration::from_secs(5)).await;
    // The shell first: freeing a catalog of 11,000 operations takes a
    // while, and the user has already said goodbye.
    terminal.leave();
    drop(app);
    result
}

async fn event_loop(
    app: &mut App<CrosstermBackend<std::io::Stdout>>,
    input: &mut tokio::task::JoinHandle<()>,
    terminal: &mut TerminalGuard,
) -> anyhow::Result<()> {
    loop {
        if !app.step().await? || app.should_quit() {
            return Ok(());
        }
        for effect in app.take_effects() {
            match effect {
                Effect::Copy(text) => copy_to_clipboard(&text),
                Effect::EditBody {
                    op,
                    text,
                    extension,
                } => {
                    // The editor needs the keyboard: stop reading events
                    // and give the terminal back while it runs.
                    input.abort();
                    terminal.leave();
                    let result = edit_externally(&text, extension, app_editor(app));
                    terminal.reenter()?;
                    *input = spawn_input(app.sender());
                    full_redraw(app)?;
                    app.handle(Msg::EditorClosed(app::EditorResult::new(op, result)));
                    app.mark_dirty();
                    app.draw()?;
                }
            }
        }
    }
}

/// Clears the screen and makes the next draw repaint every cell. Unlike
/// `Terminal::clear` it does not ask the terminal where the cursor is: the
/// answer would race the event reader for standard input.
fn full_redraw(app: &mut App<CrosstermBackend<std::io::Stdout>>) -> anyhow::Result<()> {
    let terminal = app.terminal_mut();
    let size = terminal.size().context("reading the terminal size")?;
    terminal
        .resize(ratatui::layout::Rect::new(0, 0, size.width, size.height))
        .context("clearing the screen")?;
    app.mark_dirty();
    Ok(())
}

fn app_editor<B: ratatui::backend::Backend>(app: &App<B>) -> Option<String> {
    app.state.config.editor.clone()
}

/// Forwards terminal events into the queue until the queue closes.
fn spawn_input(tx: mpsc::UnboundedSender<Msg>) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut events = EventStream::new();
        while let Some(event) = events.next().await {
            match event {
                Ok(event) => {
                    if tx.send(Msg::Input(event)).is_err() {
                        break;
                    }
                }
                Err(e) => {
                    tracing::warn!("reading terminal events failed: {e}");
                    break;
                }
            }
        }
    })
}

/// Raw mode, alternate screen, mouse and paste on; all undone on drop and
/// by the panic hook, which restores before the panic message prints.
struct TerminalGuard {
    active: bool,
}

impl TerminalGuard {
    fn enter() -> anyhow::Result<Self> {
        install_panic_hook();
        let mut guard = Self { active: false };
        guard.reenter()?;
        Ok(guard)
    }

    fn reenter(&mut self) -> anyhow::Result<()> {
        enable_raw_mode().context("switching the terminal to raw mode")?;
        self.active = true;
        execute!(
            stdout(),
            EnterAlternateScreen,
            EnableMouseCapture,
            EnableBracketedPaste
        )
        .context("preparing the terminal")?;
        Ok(())
    }

    fn leave(&mut self) {
        if self.active {
            restore_terminal();
            self.active = false;
        }
    }
}

impl Drop for TerminalGuard {
    fn drop(&mut self) {
        self.leave();
    }
}

fn restore_terminal() {
    let mut out = stdout();
    let _ = execute!(
        out,
        DisableBracketedPaste,
        DisableMouseCapture,
        LeaveAlternateScreen,
        crossterm::cursor::Show
    );
    let _ = disable_raw_mode();
    let _ = out.flush();
}

fn install_panic_hook() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            restore_terminal();
            previous(info);
        }));
    });
}

/// Where logs go: `logs/` in the state directory (beside the history),
/// or in `--home` / `PORTICO_HOME`.
pub fn log_dir(home: Option<&std::path::Path>) -> Option<PathBuf> {
    crate::store::Paths::resolve(home)
        .ok()
        .map(|p| p.state_dir.join("logs"))
}

fn init_logging(
    home: Option<&std::path::Path>,
) -> Option<tracing_appender::non_blocking::WorkerGuard> {
    let dir = log_dir(home)?;
    // Owner-only, as every file of portico's: a log names URLs and hosts.
    crate::store::ensure_dir(&dir).ok()?;
    crate::store::private_file(&dir.join("portico.log")).ok()?;
    let appender = tracing_appender::rolling::never(&dir, "portico.log");
    // A small queue: the default one (128k lines) costs milliseconds of
    // start-up to allocate, and this program logs a few lines a request.
    let (writer, guard) = tracing_appender::non_blocking::NonBlockingBuilder::default()
        .buffered_lines_limit(1024)
        .finish(appender);
    // `Targets` rather than `EnvFilter`: the latter compiles regexes at
    // start-up, which costs more than the whole first frame.
    let filter: tracing_subscriber::filter::Targets = std::env::var("PORTICO_LOG")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| {
            tracing_subscriber::filter::Targets::new().with_target("portico", tracing::Level::INFO)
        });
    use tracing_subscriber::layer::SubscriberExt as _;
    use tracing_subscriber::util::SubscriberInitExt as _;
    let installed = tracing_subscriber::registry()
        .with(
            tracing_subscriber::fmt::layer()
                .with_writer(writer)
                .with_ansi(false),
        )
        .with(filter)
        .try_init()
        .is_ok();
    // Someone else (the binary) already logs somewhere: keep theirs.
    installed.then_some(guard)
}

/// Copies through the system's clipboard tool when there is one, and
/// always through OSC 52 too, which reaches the clipboard of the terminal
/// the user sits at, even over ssh.
fn copy_to_clipboard(text: &str) {
    let tools: &[&[&str]] = if cfg!(target_os = "macos") {
        &[&["pbcopy"]]
    } else if std::env::var_os("WAYLAND_DISPLAY").is_some() {
        &[&["wl-copy"]]
    } else if std::env::var_os("DISPLAY").is_some() {
        &[
            &["xclip", "-selection", "clipboard"],
            &["xsel", "--clipboard", "--input"],
        ]
    } else {
        &[]
    };
    for tool in tools {
        if pipe_to(tool, text).is_ok() {
            break;
        }
    }
    let mut out = stdout();
    let _ = queue!(
        out,
        crossterm::clipboard::CopyToClipboard::to_clipboard_from(text.as_bytes())
    );
    let _ = out.flush();
}

fn pipe_to(command: &[&str], text: &str) -> std::io::Result<()> {
    use std::process::{Command, Stdio};
    let (program, args) = command
        .split_first()
        .ok_or_else(|| std::io::Error::other("empty command"))?;
    let mut child = Command::new(program)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()?;
    if let Some(mut stdin) = child.stdin.take() {
        stdin.write_all(text.as_bytes())?;
    }
    let status = child.wait()?;
    if status.success() {
        Ok(())
    } else {
        Err(std::io::Error::other(format!("{program} failed")))
    }
}

/// Runs the user's editor on a temporary file and returns what was saved.
fn edit_externally(
    text: &str,
    extension: &str,
    configured: Option<String>,
) -> Result<String, String> {
    let command = configured
        .or_else(|| std::env::var("VISUAL").ok())
        .or_else(|| std::env::var("EDITOR").ok())
        .filter(|c| !c.trim().is_empty())
        .unwrap_or_else(|| "vi".to_string());
    let words = shell_words::split(&command)
        .map_err(|e| format!("cannot read the editor command `{command}`: {e}"))?;
    let (program, args) = words.split_first().ok_or("the editor command is empty")?;
    let path = std::env::temp_dir().join(format!(
        "portico-body-{}-{}.{extension}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos())
    ));
    std::fs::write(&path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    let status = std::process::Command::new(program)
        .args(args)
        .arg(&path)
        .status()
        .map_err(|e| format!("cannot start `{program}`: {e}"));
    let result = match status {
        Ok(s) if s.success() => std::fs::read_to_string(&path)
            .map_err(|e| format!("cannot read {}: {e}", path.display())),
        Ok(s) => Err(format!(
            "`{program}` exited with {s}; the body is unchanged"
        )),
        Err(e) => Err(e),
    };
    let _ = std::fs::remove_file(&path);
    result
}

#[cfg(test)]
mod log_tests {
    /// The log and its directory are owner-only, as README says of every
    /// file portico writes, even when the log was left readable before.
    #[cfg(unix)]
    #[test]
    fn the_log_is_private() {
        use std::os::unix::fs::PermissionsExt;
        let home = tempfile::tempdir().expect("home");
        let dir = super::log_dir(Some(home.path())).expect("log dir");
        let log = dir.join("portico.log");
        let _guard = super::init_logging(Some(home.path()));
        let mode =
            |p: &std::path::Path| std::fs::metadata(p).expect("meta").permissions().mode() & 0o777;
        assert_eq!(mode(&dir), 0o700);
        assert_eq!(mode(&log), 0o600);
        std::fs::set_permissions(&log, std::fs::Permissions::from_mode(0o644)).expect("chmod");
        let _again = super::init_logging(Some(home.path()));
        assert_eq!(mode(&log), 0o600, "an existing log is made private again");
    }
}

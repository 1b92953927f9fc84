//! The TUI's config file: key overrides and colours, read from
//! `config.toml` in `PORTICO_HOME` if set, else in the user's config
//! directory. `NO_COLOR` (any non-empty value) turns colours off.
//!
//! A bad entry never stops the program: it becomes a warning shown in the
//! interface, naming the file and the key, and the default stays.
//!
//! ```toml
//! editor = "nvim"            # else $VISUAL, $EDITOR, vi
//! timeout = 30               # seconds per request; 0 waits until cancelled
//! [keys]
//! send = ["F5", "ctrl+r", "ctrl+s"]
//! quit = "ctrl+q"
//! [colors]
//! accent = "cyan"            # names, "#rrggbb" or 0-255
//! post = "#ffaa00"
//! ```

use std::path::{Path, PathBuf};
use std::time::Duration;

use ratatui::style::{Color, Modifier, Style};

use super::keymap::{Action, KeyCombo, Keymap};

#[derive(Debug, Clone)]
pub struct Config {
    pub keymap: Keymap,
    pub theme: Theme,
    /// Command for editing the body outside (`editor` in the file).
    pub editor: Option<String>,
    /// How long one request may take (`timeout` in the file, or
    /// `--timeout`); `None` waits until the user cancels.
    pub timeout: Option<Duration>,
    /// Problems found in the file, shown once at start-up.
    pub warnings: Vec<String>,
    /// Where the file was looked for.
    pub path: Option<PathBuf>,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            keymap: Keymap::default(),
            theme: Theme::default(),
            editor: None,
            timeout: Some(crate::http::DEFAULT_TIMEOUT),
            warnings: Vec::new(),
            path: None,
        }
    }
}

impl Config {
    /// Where the config file lives, beside the other files portico keeps
    /// (`--home DIR`, else `PORTICO_HOME`, else the platform's config
    /// directory).
    pub fn path_in(home: Option<&Path>) -> Option<PathBuf> {
        crate::store::Paths::resolve(home)
            .ok()
            .map(|p| p.config_dir.join("config.toml"))
    }

    /// Loads the config of a given home (`--home`), or the default one; a
    /// missing file is the defaults.
    pub fn load_in(home: Option<&Path>) -> Self {
        let no_color = no_color();
        match Self::path_in(home) {
            Some(path) => Self::load_from(&path, no_color),
            None => Self {
                theme: Theme::new(no_color),
                ..Self::default()
            },
        }
    }

    pub fn load_from(path: &Path, no_color: bool) -> Self {
        let mut config = match std::fs::read_to_string(path) {
            Ok(text) => Self::from_toml(&text, &path.display().to_string(), no_color),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Self {
                theme: Theme::new(no_color),
                ..Self::default()
            },
            Err(e) => Self {
                theme: Theme::new(no_color),
                warnings: vec![format!("{}: cannot read: {e}", path.display())],
                ..Self::default()
            },
        };
        config.path = Some(path.to_path_buf());
        config
    }

    /// Parses a config text; `origin` names it in warnings.
    pub fn from_toml(text: &str, origin: &str, no_color: bool) -> Self {
        let mut config = Self {
            theme: Theme::new(no_color),
            ..Self::default()
        };
        let table: toml::Table = match text.parse() {
            Ok(t) => t,
            Err(e) => {
                config.warnings.push(format!(
                    "{origin}: {}; using the defaults",
                    e.to_string().trim()
                ));
                return config;
            }
        };
        for (key, value) in &table {
            match (key.as_str(), value) {
                ("editor", toml::Value::String(s)) => config.editor = Some(s.clone()),
                #[allow(clippy::cast_precision_loss)] // seconds, far below 2^53
                ("timeout", toml::Value::Integer(seconds)) => {
                    config.set_timeout(*seconds as f64, origin);
                }
                ("timeout", toml::Value::Float(seconds)) => config.set_timeout(*seconds, origin),
                ("keys", toml::Value::Table(keys)) => config.apply_keys(keys, origin),
                ("colors" | "colours", toml::Value::Table(colors)) => {
                    if !no_color {
                        config.apply_colors(colors, origin);
                    }
                }
                (other, _) => config
                    .warnings
                    .push(format!("{origin}: unknown or mistyped setting `{other}`")),
            }
        }
        config
    }

    fn set_timeout(&mut self, seconds: f64, origin: &str) {
        match crate::http::timeout_from_secs(seconds) {
            Ok(timeout) => self.timeout = timeout,
            Err(e) => self.warnings.push(format!("{origin}: timeout: {e}")),
        }
    }

    fn apply_keys(&mut self, keys: &toml::Table, origin: &str) {
        for (name, value) in keys {
            let Some(action) = Action::from_name(name) else {
                self.warnings
                    .push(format!("{origin}: [keys] unknown action `{name}`"));
                continue;
            };
            let texts: Vec<&str> = match value {
                toml::Value::String(s) => vec![s.as_str()],
                toml::Value::Array(items) => items.iter().filter_map(toml::Value::as_str).collect(),
                _ => {
                    self.warnings.push(format!(
                        "{origin}: [keys] `{name}` must be a key or a list of keys"
                    ));
                    continue;
                }
            };
            let mut combos = Vec::new();
            for text in texts {
                match KeyCombo::parse(text) {
                    Ok(c) => combos.push(c),
                    Err(e) => self.warnings.push(format!("{origin}: [keys] {name}: {e}")),
                }
            }
            self.keymap.set(action, &combos);
        }
    }

    fn apply_colors(&mut self, colors: &toml::Table, origin: &str) {
        for (name, value) in colors {
            let Some(text) = value.as_str() else {
                self.warnings
                    .push(format!("{origin}: [colors] `{name}` must be a string"));
                continue;
            };
            let color: Color = match text.parse() {
                Ok(c) => c,
                Err(_) => {
                    self.warnings.push(format!(
                        "{origin}: [colors] `{name}`: unknown colour `{text}`"
                    ));
                    continue;
                }
            };
            if !self.theme.set(name, color) {
                self.warnings
                    .push(format!("{origin}: [colors] unknown colour name `{name}`"));
            }
        }
    }
}

/// `NO_COLOR` set to anything non-empty (<https://no-color.org>).
pub fn no_color() -> bool {
    std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty())
}

/// Colours of the interface. Without colour, emphasis falls back to bold,
/// underline and reverse video so that nothing depends on hue alone.
#[derive(Debug, Clone)]
pub struct Theme {
    pub color: bool,
    pub accent: Color,
    pub muted: Color,
    pub error: Color,
    pub warning: Color,
    pub success: Color,
    pub selection: Color,
    pub get: Color,
    pub post: Color,
    pub put: Color,
    pub patch: Color,
    pub delete: Color,
    pub other_method: Color,
    pub redirect: Color,
}

impl Default for Theme {
    fn default() -> Self {
        Self::new(false)
    }
}

impl Theme {
    pub fn new(no_color: bool) -> Self {
        Self {
            color: !no_color,
            accent: Color::Cyan,
            muted: Color::DarkGray,
            error: Color::Red,
            warning: Color::Yellow,
            success: Color::Green,
            selection: Color::Rgb(40, 50, 70),
            get: Color::Green,
            post: Color::Yellow,
            put: Color::Blue,
            patch: Color::Magenta,
            delete: Color::Red,
            other_method: Color::Cyan,
            redirect: Color::Cyan,
        }
    }

    fn set(&mut self, name: &str, color: Color) -> bool {
        let slot = match name {
            "accent" => &mut self.accent,
            "muted" => &mut self.muted,
            "error" => &mut self.error,
            "warning" => &mut self.warning,
            "success" => &mut self.success,
            "selection" => &mut self.selection,
            "get" => &mut self.get,
            "post" => &mut self.post,
            "put" => &mut self.put,
            "patch" => &mut self.patch,
            "delete" => &mut self.delete,
            "other_method" => &mut self.other_method,
            "redirect" => &mut self.redirect,
            _ => return false,
        };
        *slot = color;
        true
    }

    fn fg(&self, color: Color) -> Style {
        if self.color {
            Style::new().fg(color)
        } else {
            Style::new()
        }
    }

    pub fn accent(&self) -> Style {
        self.fg(self.accent).add_modifier(Modifier::BOLD)
    }

    pub fn muted(&self) -> Style {
        if self.color {
            Style::new().fg(self.muted)
        } else {
            Style::new().add_modifier(Modifier::DIM)
        }
    }

    pub fn error(&self) -> Style {
        self.fg(self.error).add_modifier(Modifier::BOLD)
    }

    pub fn warning(&self) -> Style {
        self.fg(self.warning)
    }

    pub fn success(&self) -> Style {
        self.fg(self.success)
    }

    pub fn title(&self) -> Style {
        Style::new().add_modifier(Modifier::BOLD)
    }

    pub fn border(&self, focused: bool) -> Style {
        if focused {
            self.fg(self.accent).add_modifier(Modifier::BOLD)
        } else {
            self.muted()
        }
    }

    /// The highlighted row of a list.
    pub fn selected(&self, focused: bool) -> Style {
        match (self.color, focused) {
            (true, true) => Style::new().bg(self.selection).add_modifier(Modifier::BOLD),
            (true, false) => Style::new().bg(self.selection),
            (false, true) => Style::new().add_modifier(Modifier::REVERSED),
            (false, false) => Style::new().add_modifier(Modifier::UNDERLINED),
        }
    }

    pub fn method(&self, method: &str) -> Style {
        let color = match method.to_ascii_uppercase().as_str() {
            "GET" => self.get,
            "POST" => self.post,
            "PUT" => self.put,
            "PATCH" => self.patch,
            "DELETE" => self.delete,
            _ => self.other_method,
        };
        self.fg(color).add_modifier(Modifier::BOLD)
    }

    pub fn status(&self, code: u16) -> Style {
        let color = match code {
            200..=299 => self.success,
            300..=399 => self.redirect,
            400..=499 => self.warning,
            500..=599 => self.error,
            _ => self.muted,
        };
        self.fg(color).add_modifier(Modifier::BOLD)
    }

    pub fn key(&self) -> Style {
        self.fg(self.accent).add_modifier(Modifier::BOLD)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn overrides_and_warnings() {
        let text = r##"
editor = "nano"
[keys]
send = ["F9", "ctrl+s"]
bogus = "x"
quit = "hyper+q"
[colors]
post = "#ffaa00"
get = "not-a-colour"
nope = "red"
"##;
        let config = Config::from_toml(text, "config.toml", false);
        assert_eq!(config.editor.as_deref(), Some("nano"));
        assert_eq!(config.keymap.keys(Action::Send).len(), 2);
        assert_eq!(config.theme.post, Color::Rgb(0xff, 0xaa, 0x00));
        assert_eq!(config.theme.get, Color::Green);
        let all = config.warnings.join("\n");
        for needle in ["bogus", "hyper", "not-a-colour", "nope"] {
            assert!(all.contains(needle), "{needle} missing from {all}");
        }
        assert!(all.contains("config.toml"));
    }

    #[test]
    fn timeouts_in_seconds_zero_for_none_and_bad_values_warned() {
        let default = Config::from_toml("", "c.toml", false);
        assert_eq!(default.timeout, Some(crate::http::DEFAULT_TIMEOUT));
        for (text, expected) in [
            ("timeout = 5", Some(Duration::from_secs(5))),
            ("timeout = 0.25", Some(Duration::from_millis(250))),
            ("timeout = 0", None),
        ] {
            let config = Config::from_toml(text, "c.toml", false);
            assert_eq!(config.timeout, expected, "{text}");
            assert!(config.warnings.is_empty(), "{text}: {:?}", config.warnings);
        }
        for text in ["timeout = -1", "timeout = nan", "timeout = \"30s\""] {
            let config = Config::from_toml(text, "c.toml", false);
            assert_eq!(config.timeout, default.timeout, "{text}");
            assert_eq!(config.warnings.len(), 1, "{text}");
            assert!(
                config.warnings[0].contains("timeout"),
                "{:?}",
                config.warnings
            );
        }
    }

    #[test]
    fn broken_file_keeps_defaults() {
        let config = Config::from_toml("[keys\nsend=", "c.toml", false);
        assert_eq!(config.warnings.len(), 1);
        assert!(!config.keymap.keys(Action::Send).is_empty());
    }

    #[test]
    fn no_color_drops_hues() {
        let theme = Theme::new(true);
        assert_eq!(theme.method("GET").fg, None);
        assert_eq!(theme.status(500).fg, None);
        assert!(
            theme
                .selected(true)
                .add_modifier
                .contains(Modifier::REVERSED)
        );
    }
}

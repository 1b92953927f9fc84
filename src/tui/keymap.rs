//! Key bindings as data: the [`Action`]s the interface knows, the default
//! keymap, user overrides from the config file, and the help text that is
//! generated from them (so the help can never disagree with the keys).
//!
//! Text fields do not go through the keymap: they receive raw keys, so
//! typing `q` or `?` in a field types it. Only a handful of keys reach the
//! keymap while typing (send, leave the field, quit with Ctrl+C).

use std::collections::HashMap;
use std::fmt;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

/// Everything a key can ask for. The names (snake_case) are what the
/// config file uses under `[keys]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Action {
    Quit,
    Help,
    NextPane,
    PrevPane,
    Up,
    Down,
    Left,
    Right,
    PageUp,
    PageDown,
    Top,
    Bottom,
    Select,
    Back,
    Filter,
    Send,
    NextTab,
    PrevTab,
    Edit,
    AddRow,
    DeleteRow,
    ToggleRow,
    Reveal,
    ToggleTlsVerify,
    CurlPreview,
    CopyUrl,
    CopyCurl,
    CopyBody,
    Reformat,
    Examples,
    ChooseServer,
    ExternalEditor,
    ToggleWrap,
    Search,
    SearchNext,
    SearchPrev,
    SaveBody,
    Warnings,
    ScrollLeft,
    ScrollRight,
    SavePreset,
    Presets,
    History,
    Environments,
    Flows,
    Dashboard,
    Capture,
    Rename,
    Compare,
    FilterOperation,
    FilterStatus,
}

/// Where an action is offered; the footer and the help group by this.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    Global,
    Lists,
    Catalog,
    Request,
    Body,
    Response,
    /// Presets, history, environments, flows and the usage dashboard.
    Tools,
}

impl Scope {
    pub fn title(self) -> &'static str {
        match self {
            Self::Global => "Everywhere",
            Self::Lists => "Lists and panes",
            Self::Catalog => "Catalog",
            Self::Request => "Request editor",
            Self::Body => "Request body",
            Self::Response => "Response",
            Self::Tools => "Presets, history, environments, flows",
        }
    }
}

impl Action {
    pub const ALL: &'static [Action] = &[
        Self::Send,
        Self::Back,
        Self::NextPane,
        Self::PrevPane,
        Self::Help,
        Self::Quit,
        Self::CopyUrl,
        Self::CopyCurl,
        Self::CopyBody,
        Self::CurlPreview,
        Self::Reveal,
        Self::ChooseServer,
        Self::ToggleTlsVerify,
        Self::Up,
        Self::Down,
        Self::Left,
        Self::Right,
        Self::PageUp,
        Self::PageDown,
        Self::Top,
        Self::Bottom,
        Self::Select,
        Self::Filter,
        Self::NextTab,
        Self::PrevTab,
        Self::Edit,
        Self::AddRow,
        Self::DeleteRow,
        Self::ToggleRow,
        Self::Reformat,
        Self::Examples,
        Self::ExternalEditor,
        Self::ToggleWrap,
        Self::Search,
        Self::SearchNext,
        Self::SearchPrev,
        Self::SaveBody,
        Self::Warnings,
        Self::ScrollLeft,
        Self::ScrollRight,
        Self::SavePreset,
        Self::Presets,
        Self::History,
        Self::Environments,
        Self::Flows,
        Self::Dashboard,
        Self::Capture,
        Self::Rename,
        Self::Compare,
        Self::FilterOperation,
        Self::FilterStatus,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Self::Quit => "quit",
            Self::Help => "help",
            Self::NextPane => "next_pane",
            Self::PrevPane => "prev_pane",
            Self::Up => "up",
            Self::Down => "down",
            Self::Left => "left",
            Self::Right => "right",
            Self::PageUp => "page_up",
            Self::PageDown => "page_down",
            Self::Top => "top",
            Self::Bottom => "bottom",
            Self::Select => "select",
            Self::Back => "back",
            Self::Filter => "filter",
            Self::Send => "send",
            Self::NextTab => "next_tab",
            Self::PrevTab => "prev_tab",
            Self::Edit => "edit",
            Self::AddRow => "add_row",
            Self::DeleteRow => "delete_row",
            Self::ToggleRow => "toggle_row",
            Self::Reveal => "reveal",
            Self::ToggleTlsVerify => "toggle_tls_verify",
            Self::CurlPreview => "curl_preview",
            Self::CopyUrl => "copy_url",
            Self::CopyCurl => "copy_curl",
            Self::CopyBody => "copy_body",
            Self::Reformat => "reformat",
            Self::Examples => "examples",
            Self::ChooseServer => "choose_server",
            Self::ExternalEditor => "external_editor",
            Self::ToggleWrap => "toggle_wrap",
            Self::Search => "search",
            Self::SearchNext => "search_next",
            Self::SearchPrev => "search_prev",
            Self::SaveBody => "save_body",
            Self::Warnings => "warnings",
            Self::ScrollLeft => "scroll_left",
            Self::ScrollRight => "scroll_right",
            Self::SavePreset => "save_preset",
            Self::Presets => "presets",
            Self::History => "history",
            Self::Environments => "environments",
            Self::Flows => "flows",
            Self::Dashboard => "dashboard",
            Self::Capture => "capture",
            Self::Rename => "rename",
            Self::Compare => "compare",
            Self::FilterOperation => "filter_operation",
            Self::FilterStatus => "filter_status",
        }
    }

    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|a| a.name() == name)
    }

    /// The short label used in the footer.
    pub fn label(self) -> &'static str {
        match self {
            Self::Quit => "quit",
            Self::Help => "help",
            Self::NextPane => "next pane",
            Self::PrevPane => "previous pane",
            Self::Up => "up",
            Self::Down => "down",
            Self::Left => "left",
            Self::Right => "right",
            Self::PageUp => "page up",
            Self::PageDown => "page down",
            Self::Top => "top",
            Self::Bottom => "bottom",
            Self::Select => "open",
            Self::Back => "back/cancel",
            Self::Filter => "filter",
            Self::Send => "send",
            Self::NextTab => "next tab",
            Self::PrevTab => "prev tab",
            Self::Edit => "edit",
            Self::AddRow => "add",
            Self::DeleteRow => "delete",
            Self::ToggleRow => "on/off",
            Self::Reveal => "reveal secrets",
            Self::ToggleTlsVerify => "TLS check",
            Self::CurlPreview => "curl",
            Self::CopyUrl => "copy URL",
            Self::CopyCurl => "copy curl",
            Self::CopyBody => "copy body",
            Self::Reformat => "reformat",
            Self::Examples => "examples",
            Self::ChooseServer => "server",
            Self::ExternalEditor => "$EDITOR",
            Self::ToggleWrap => "wrap",
            Self::Search => "search",
            Self::SearchNext => "next match",
            Self::SearchPrev => "prev match",
            Self::SaveBody => "save body",
            Self::Warnings => "warnings",
            Self::ScrollLeft => "scroll left",
            Self::ScrollRight => "scroll right",
            Self::SavePreset => "save preset",
            Self::Presets => "presets",
            Self::History => "history",
            Self::Environments => "environment",
            Self::Flows => "flows",
            Self::Dashboard => "usage",
            Self::Capture => "capture",
            Self::Rename => "rename",
            Self::Compare => "compare",
            Self::FilterOperation => "operation filter",
            Self::FilterStatus => "status filter",
        }
    }

    /// The sentence shown in the help overlay.
    pub fn description(self) -> &'static str {
        match self {
            Self::Quit => "Quit (outside text fields; Ctrl+C always quits)",
            Self::Help => "Show or hide this help",
            Self::NextPane => "Focus the next pane",
            Self::PrevPane => "Focus the previous pane",
            Self::Up => "Move up",
            Self::Down => "Move down",
            Self::Left => "Move left / collapse / previous tab",
            Self::Right => "Move right / expand / next tab",
            Self::PageUp => "Scroll a page up",
            Self::PageDown => "Scroll a page down",
            Self::Top => "Go to the top",
            Self::Bottom => "Go to the bottom",
            Self::Select => "Open the operation, edit the field, choose the value",
            Self::Back => "Close, leave the field, cancel the request in flight, clear the filter",
            Self::Filter => "Fuzzy-filter the catalog (method, path, summary, tag, id)",
            Self::Send => "Send the request",
            Self::NextTab => "Next tab",
            Self::PrevTab => "Previous tab",
            Self::Edit => "Edit the selected value",
            Self::AddRow => "Add a row (header, query parameter)",
            Self::DeleteRow => "Delete the selected row",
            Self::ToggleRow => "Enable or disable the selected row",
            Self::Reveal => "Reveal or mask secret values",
            Self::ToggleTlsVerify => {
                "Turn TLS certificate checking off (or back on) for this API until you quit"
            }
            Self::CurlPreview => "Show the request as a curl command",
            Self::CopyUrl => "Copy the request URL",
            Self::CopyCurl => "Copy the curl command",
            Self::CopyBody => "Copy the response body (or the request body)",
            Self::Reformat => "Reformat (pretty-print) the JSON body",
            Self::Examples => "Choose among the definition's examples",
            Self::ChooseServer => "Choose the server",
            Self::ExternalEditor => "Edit the body in $EDITOR",
            Self::ToggleWrap => "Wrap long lines on or off",
            Self::Search => "Search the response body (also / in the response)",
            Self::SearchNext => "Next search match",
            Self::SearchPrev => "Previous search match",
            Self::SaveBody => "Save the response body to a file",
            Self::Warnings => "Show the problems found in the definitions and the config",
            Self::ScrollLeft => "Scroll the response body left",
            Self::ScrollRight => "Scroll the response body right",
            Self::SavePreset => "Save the current request as a named preset",
            Self::Presets => "List the presets of the operation (Tab: all, orphans too); load one",
            Self::History => "Browse what was sent: open an old response, re-send it, compare it",
            Self::Environments => "Switch the active environment",
            Self::Flows => "Run one of the catalog's flows, with its progress",
            Self::Dashboard => "Usage: calls, status classes and latency per operation",
            Self::Capture => "Capture a value of the JSON response (JSONPath) into a variable",
            Self::Rename => "Rename the selected preset",
            Self::Compare => "Compare the selected old response with the current one",
            Self::FilterOperation => "History: this operation only, or all",
            Self::FilterStatus => "History: step through the status classes",
        }
    }

    pub fn scope(self) -> Scope {
        match self {
            Self::Quit
            | Self::Help
            | Self::NextPane
            | Self::PrevPane
            | Self::Send
            | Self::Back
            | Self::Reveal
            | Self::CurlPreview
            | Self::CopyUrl
            | Self::CopyCurl
            | Self::CopyBody
            | Self::ChooseServer
            | Self::ToggleTlsVerify
            | Self::Warnings => Scope::Global,
            Self::Up
            | Self::Down
            | Self::Left
            | Self::Right
            | Self::PageUp
            | Self::PageDown
            | Self::Top
            | Self::Bottom
            | Self::Select
            | Self::NextTab
            | Self::PrevTab => Scope::Lists,
            Self::Filter => Scope::Catalog,
            Self::Edit | Self::AddRow | Self::DeleteRow | Self::ToggleRow => Scope::Request,
            Self::Reformat | Self::Examples | Self::ExternalEditor => Scope::Body,
            Self::ToggleWrap
            | Self::Search
            | Self::SearchNext
            | Self::SearchPrev
            | Self::SaveBody
            | Self::ScrollLeft
            | Self::ScrollRight
            | Self::Capture => Scope::Response,
            Self::SavePreset
            | Self::Presets
            | Self::History
            | Self::Environments
            | Self::Flows
            | Self::Dashboard
            | Self::Rename
            | Self::Compare
            | Self::FilterOperation
            | Self::FilterStatus => Scope::Tools,
        }
    }

    /// Actions that also work while a text field has the keys. Keep this
    /// short: everything else is typed into the field.
    pub fn works_in_fields(self) -> bool {
        matches!(self, Self::Send)
    }
}

/// One key with its modifiers, normalised so that `Shift+y` and `Y` are
/// the same binding.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct KeyCombo {
    pub code: KeyCode,
    pub mods: KeyModifiers,
}

impl KeyCombo {
    pub fn new(code: KeyCode, mods: KeyModifiers) -> Self {
        let mut mods = mods & (KeyModifiers::CONTROL | KeyModifiers::ALT | KeyModifiers::SHIFT);
        let code = match code {
            // The character already says whether shift was held.
            KeyCode::Char(c) => {
                mods.remove(KeyModifiers::SHIFT);
                KeyCode::Char(c)
            }
            KeyCode::BackTab => {
                mods.remove(KeyModifiers::SHIFT);
                KeyCode::BackTab
            }
            other => other,
        };
        Self { code, mods }
    }

    pub fn from_event(key: &KeyEvent) -> Self {
        Self::new(key.code, key.modifiers)
    }

    /// Parses `ctrl+r`, `F5`, `shift+tab`, `esc`, `?`, `space`, `pgdn`...
    pub fn parse(text: &str) -> Result<Self, String> {
        let text = text.trim();
        if text.is_empty() {
            return Err("empty key".into());
        }
        let mut mods = KeyModifiers::NONE;
        let mut rest = text;
        // `+` alone (or `ctrl++`) is a key, not a separator.
        loop {
            let lower = rest.to_ascii_lowercase();
            let Some((head, tail)) = lower.split_once('+') else {
                break;
            };
            if tail.is_empty() {
                break;
            }
            match head {
                "ctrl" | "control" => mods |= KeyModifiers::CONTROL,
                "alt" | "meta" => mods |= KeyModifiers::ALT,
                "shift" => mods |= KeyModifiers::SHIFT,
                other => return Err(format!("unknown modifier `{other}` in `{text}`")),
            }
            rest = &rest[head.len() + 1..];
        }
        let lower = rest.to_ascii_lowercase();
        let code = match lower.as_str() {
            "enter" | "return" => KeyCode::Enter,
            "esc" | "escape" => KeyCode::Esc,
            "tab" => {
                if mods.contains(KeyModifiers::SHIFT) {
                    KeyCode::BackTab
                } else {
                    KeyCode::Tab
                }
            }
            "backtab" => KeyCode::BackTab,
            "space" => KeyCode::Char(' '),
            "backspace" | "bs" => KeyCode::Backspace,
            "delete" | "del" => KeyCode::Delete,
            "insert" | "ins" => KeyCode::Insert,
            "up" => KeyCode::Up,
            "down" => KeyCode::Down,
            "left" => KeyCode::Left,
            "right" => KeyCode::Right,
            "home" => KeyCode::Home,
            "end" => KeyCode::End,
            "pageup" | "pgup" => KeyCode::PageUp,
            "pagedown" | "pgdn" | "pgdown" => KeyCode::PageDown,
            f if f.len() >= 2 && f.starts_with('f') && f[1..].parse::<u8>().is_ok() => {
                let n: u8 = f[1..].parse().map_err(|_| format!("bad key `{text}`"))?;
                if !(1..=24).contains(&n) {
                    return Err(format!("no such function key `{text}`"));
                }
                KeyCode::F(n)
            }
            _ => {
                let mut chars = rest.chars();
                match (chars.next(), chars.next()) {
                    (Some(c), None) => {
                        if mods.contains(KeyModifiers::SHIFT) && c.is_ascii_alphabetic() {
                            KeyCode::Char(c.to_ascii_uppercase())
                        } else {
                            KeyCode::Char(c)
                        }
                    }
                    _ => return Err(format!("unknown key `{rest}` in `{text}`")),
                }
            }
        };
        Ok(Self::new(code, mods))
    }
}

impl fmt::Display for KeyCombo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.mods.contains(KeyModifiers::CONTROL) {
            f.write_str("Ctrl+")?;
        }
        if self.mods.contains(KeyModifiers::ALT) {
            f.write_str("Alt+")?;
        }
        if self.mods.contains(KeyModifiers::SHIFT) {
            f.write_str("Shift+")?;
        }
        match self.code {
            KeyCode::Char(' ') => f.write_str("Space"),
            KeyCode::Char(c) if self.mods.contains(KeyModifiers::CONTROL) => {
                write!(f, "{}", c.to_ascii_uppercase())
            }
            KeyCode::Char(c) => write!(f, "{c}"),
            KeyCode::F(n) => write!(f, "F{n}"),
            KeyCode::Enter => f.write_str("Enter"),
            KeyCode::Esc => f.write_str("Esc"),
            KeyCode::Tab => f.write_str("Tab"),
            KeyCode::BackTab => f.write_str("Shift+Tab"),
            KeyCode::Backspace => f.write_str("Backspace"),
            KeyCode::Delete => f.write_str("Del"),
            KeyCode::Insert => f.write_str("Ins"),
            KeyCode::Up => f.write_str("↑"),
            KeyCode::Down => f.write_str("↓"),
            KeyCode::Left => f.write_str("←"),
            KeyCode::Right => f.write_str("→"),
            KeyCode::Home => f.write_str("Home"),
            KeyCode::End => f.write_str("End"),
            KeyCode::PageUp => f.write_str("PgUp"),
            KeyCode::PageDown => f.write_str("PgDn"),
            other => write!(f, "{other:?}"),
        }
    }
}

/// The bindings in force: defaults, then the user's overrides.
#[derive(Debug, Clone)]
pub struct Keymap {
    by_key: HashMap<KeyCombo, Action>,
    by_action: HashMap<Action, Vec<KeyCombo>>,
}

impl Default for Keymap {
    fn default() -> Self {
        let mut map = Self {
            by_key: HashMap::new(),
            by_action: HashMap::new(),
        };
        for (action, keys) in DEFAULTS {
            for key in *keys {
                // The defaults are a constant table, checked by a test.
                if let Ok(combo) = KeyCombo::parse(key) {
                    map.bind(*action, combo);
                }
            }
        }
        map
    }
}

const DEFAULTS: &[(Action, &[&str])] = &[
    (Action::Quit, &["q"]),
    (Action::Help, &["?", "F1"]),
    (Action::NextPane, &["tab"]),
    (Action::PrevPane, &["shift+tab"]),
    (Action::Up, &["up", "k"]),
    (Action::Down, &["down", "j"]),
    (Action::Left, &["left", "h"]),
    (Action::Right, &["right", "l"]),
    (Action::PageUp, &["pgup", "ctrl+u"]),
    (Action::PageDown, &["pgdn", "ctrl+d"]),
    (Action::Top, &["home", "g"]),
    (Action::Bottom, &["end", "G"]),
    (Action::Select, &["enter"]),
    (Action::Back, &["esc"]),
    (Action::Filter, &["/"]),
    (Action::Send, &["F5", "ctrl+r"]),
    (Action::NextTab, &["]"]),
    (Action::PrevTab, &["["]),
    (Action::Edit, &["e", "i"]),
    (Action::AddRow, &["a", "insert"]),
    (Action::DeleteRow, &["d", "delete"]),
    (Action::ToggleRow, &["space"]),
    (Action::Reveal, &["R"]),
    (Action::ToggleTlsVerify, &["T"]),
    (Action::CurlPreview, &["c"]),
    (Action::CopyUrl, &["y"]),
    (Action::CopyCurl, &["Y"]),
    (Action::CopyBody, &["B"]),
    (Action::Reformat, &["F"]),
    (Action::Examples, &["x"]),
    (Action::ChooseServer, &["s"]),
    (Action::ExternalEditor, &["E"]),
    (Action::ToggleWrap, &["w"]),
    (Action::Search, &["ctrl+f"]),
    (Action::SearchNext, &["n"]),
    (Action::SearchPrev, &["N"]),
    (Action::SaveBody, &["S"]),
    (Action::Warnings, &["W"]),
    (Action::ScrollLeft, &["<"]),
    (Action::ScrollRight, &[">"]),
    (Action::SavePreset, &["ctrl+s"]),
    (Action::Presets, &["p"]),
    (Action::History, &["H"]),
    (Action::Environments, &["v"]),
    (Action::Flows, &["f"]),
    (Action::Dashboard, &["u"]),
    (Action::Capture, &["C"]),
    (Action::Rename, &["r"]),
    (Action::Compare, &["D"]),
    (Action::FilterOperation, &["o"]),
    (Action::FilterStatus, &["t"]),
];

impl Keymap {
    fn bind(&mut self, action: Action, combo: KeyCombo) {
        if let Some(previous) = self.by_key.insert(combo, action)
            && previous != action
            && let Some(keys) = self.by_action.get_mut(&previous)
        {
            keys.retain(|k| *k != combo);
        }
        let keys = self.by_action.entry(action).or_default();
        if !keys.contains(&combo) {
            keys.push(combo);
        }
    }

    /// Replaces the keys of one action. Keys the action had lose their
    /// meaning; keys another action had move to this one.
    pub fn set(&mut self, action: Action, combos: &[KeyCombo]) {
        if let Some(old) = self.by_action.remove(&action) {
            for combo in old {
                if self.by_key.get(&combo) == Some(&action) {
                    self.by_key.remove(&combo);
                }
            }
        }
        self.by_action.insert(action, Vec::new());
        for combo in combos {
            self.bind(action, *combo);
        }
    }

    pub fn action(&self, key: &KeyEvent) -> Option<Action> {
        self.by_key.get(&KeyCombo::from_event(key)).copied()
    }

    pub fn keys(&self, action: Action) -> &[KeyCombo] {
        self.by_action.get(&action).map_or(&[], Vec::as_slice)
    }

    /// The first key of an action, as shown in the footer.
    pub fn key_label(&self, action: Action) -> Option<String> {
        self.keys(action).first().map(ToString::to_string)
    }

    /// The help overlay's content: every action with its keys, by scope.
    pub fn help(&self) -> Vec<(Scope, Vec<(String, &'static str)>)> {
        let scopes = [
            Scope::Global,
            Scope::Lists,
            Scope::Catalog,
            Scope::Request,
            Scope::Body,
            Scope::Response,
            Scope::Tools,
        ];
        scopes
            .iter()
            .map(|scope| {
                let rows = Action::ALL
                    .iter()
                    .filter(|a| a.scope() == *scope)
                    .map(|a| {
                        let keys = self
                            .keys(*a)
                            .iter()
                            .map(ToString::to_string)
                            .collect::<Vec<_>>()
                            .join(", ");
                        let keys = if keys.is_empty() {
                            "(unbound)".to_string()
                        } else {
                            keys
                        };
                        (keys, a.description())
                    })
                    .collect();
                (*scope, rows)
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_all_parse() {
        for (action, keys) in DEFAULTS {
            for key in *keys {
                assert!(KeyCombo::parse(key).is_ok(), "{action:?}: {key}");
            }
        }
        let map = Keymap::default();
        for action in Action::ALL {
            assert!(!map.keys(*action).is_empty(), "{action:?} has no key");
            assert_eq!(Action::from_name(action.name()), Some(*action));
        }
    }

    #[test]
    fn shift_letters_and_backtab_normalise() {
        let map = Keymap::default();
        let shifted = KeyEvent::new(KeyCode::Char('Y'), KeyModifiers::SHIFT);
        assert_eq!(map.action(&shifted), Some(Action::CopyCurl));
        let backtab = KeyEvent::new(KeyCode::BackTab, KeyModifiers::SHIFT);
        assert_eq!(map.action(&backtab), Some(Action::PrevPane));
        let ctrl_r = KeyEvent::new(KeyCode::Char('r'), KeyModifiers::CONTROL);
        assert_eq!(map.action(&ctrl_r), Some(Action::Send));
        assert_eq!(KeyCombo::parse("shift+y"), KeyCombo::parse("Y"));
    }

    #[test]
    fn overrides_move_keys() {
        let mut map = Keymap::default();
        let f9 = KeyCombo::parse("F9").expect("F9");
        let q = KeyCombo::parse("q").expect("q");
        map.set(Action::Send, &[f9, q]);
        assert_eq!(
            map.action(&KeyEvent::new(KeyCode::F(9), KeyModifiers::NONE)),
            Some(Action::Send)
        );
        assert_eq!(
            map.action(&KeyEvent::new(KeyCode::F(5), KeyModifiers::NONE)),
            None
        );
        assert_eq!(
            map.action(&KeyEvent::new(KeyCode::Char('q'), KeyModifiers::NONE)),
            Some(Action::Send)
        );
        assert!(map.keys(Action::Quit).is_empty());
    }

    #[test]
    fn parse_errors_say_what() {
        let err = KeyCombo::parse("hyper+x").expect_err("bad modifier");
        assert!(err.contains("hyper"), "{err}");
        assert!(KeyCombo::parse("F99").is_err());
        assert!(KeyCombo::parse("nonsense").is_err());
        assert_eq!(
            KeyCombo::parse("ctrl++").expect("ctrl++").code,
            KeyCode::Char('+')
        );
    }
}

//! Key bindings as data: the [`Action`]s the interface knows, declared in
//! one table ([`ACTIONS`]) with their config names, labels, descriptions,
//! scopes and default keys; the default keymap, user overrides from the
//! config file and the help text are all derived from it (so the help can
//! never disagree with the keys, nor leave an action out).
//!
//! Text fields do not go through the keymap: they receive raw keys, so
//! typing `q` or `?` in a field types it. Only a handful of keys reach the
//! keymap while typing (send, leave the field, quit with Ctrl+C).

use std::collections::HashMap;
use std::fmt;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

/// Declares [`Action`] and its table ([`ACTIONS`]) from one list, so that
/// an action cannot exist without its config name, label, description,
/// scope and default keys. The list's order is the help's order within a
/// scope, and each variant's discriminant is its row in the table.
macro_rules! actions {
    (
        $(#[$meta:meta])*
        pub enum Action;
        $(
            $variant:ident {
                name: $name:literal, label: $label:literal, scope: $scope:ident,
                keys: [$($key:literal),* $(,)?],
                description: $description:literal $(,)?
            }
        )*
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Action {
            $($variant,)*
        }

        /// Every action with what is known about it, in help order.
        pub const ACTIONS: &[ActionSpec] = &[
            $(ActionSpec {
                action: Action::$variant,
                name: $name,
                label: $label,
                description: $description,
                scope: Scope::$scope,
                default_keys: &[$($key),*],
            },)*
        ];

        impl Action {
            /// Every action, in help order.
            pub const ALL: &'static [Action] = &[$(Action::$variant),*];
        }
    };
}

/// One row of [`ACTIONS`]: an action and everything the keymap, the config
/// file and the help say about it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ActionSpec {
    pub action: Action,
    /// The snake_case name the config file uses under `[keys]`.
    pub name: &'static str,
    /// The short label used in the footer.
    pub label: &'static str,
    /// The sentence shown in the help overlay.
    pub description: &'static str,
    pub scope: Scope,
    /// Keys bound when the config file does not say otherwise.
    pub default_keys: &'static [&'static str],
}

actions! {
    /// Everything a key can ask for. The names (snake_case) are what the
    /// config file uses under `[keys]`.
    pub enum Action;

    Send {
        name: "send", label: "send", scope: Global, keys: ["F5", "ctrl+r"],
        description: "Send the request",
    }
    Back {
        name: "back", label: "back/cancel", scope: Global, keys: ["esc"],
        description: "Close, leave the field, cancel the request in flight, clear the filter",
    }
    NextPane {
        name: "next_pane", label: "next pane", scope: Global, keys: ["tab"],
        description: "Focus the next pane",
    }
    PrevPane {
        name: "prev_pane", label: "previous pane", scope: Global, keys: ["shift+tab"],
        description: "Focus the previous pane",
    }
    Help {
        name: "help", label: "help", scope: Global, keys: ["?", "F1"],
        description: "Show or hide this help",
    }
    Quit {
        name: "quit", label: "quit", scope: Global, keys: ["q"],
        description: "Quit (outside text fields; Ctrl+C always quits)",
    }
    CopyUrl {
        name: "copy_url", label: "copy URL", scope: Global, keys: ["y"],
        description: "Copy the request URL",
    }
    CopyCurl {
        name: "copy_curl", label: "copy curl", scope: Global, keys: ["Y"],
        description: "Copy the curl command",
    }
    CopyBody {
        name: "copy_body", label: "copy body", scope: Global, keys: ["B"],
        description: "Copy the response body (or the request body)",
    }
    CurlPreview {
        name: "curl_preview", label: "curl", scope: Global, keys: ["c"],
        description: "Show the request as a curl command",
    }
    CodeSamples {
        name: "code_samples", label: "code", scope: Global, keys: ["X"],
        description: "Show the request as code: curl, HTTPie, Python, JavaScript, Go, C#, Java, PowerShell, PHP (←→ language, Y copies)",
    }
    Reveal {
        name: "reveal", label: "reveal secrets", scope: Global, keys: ["R"],
        description: "Reveal or mask secret values",
    }
    ChooseServer {
        name: "choose_server", label: "server", scope: Global, keys: ["s"],
        description: "Choose the server",
    }
    ToggleTlsVerify {
        name: "toggle_tls_verify", label: "TLS check", scope: Global, keys: ["T"],
        description: "Turn TLS certificate checking off (or back on) for this API until you quit",
    }
    Up {
        name: "up", label: "up", scope: Lists, keys: ["up", "k"],
        description: "Move up",
    }
    Down {
        name: "down", label: "down", scope: Lists, keys: ["down", "j"],
        description: "Move down",
    }
    Left {
        name: "left", label: "left", scope: Lists, keys: ["left", "h"],
        description: "Move left / collapse / previous tab",
    }
    Right {
        name: "right", label: "right", scope: Lists, keys: ["right", "l"],
        description: "Move right / expand / next tab",
    }
    PageUp {
        name: "page_up", label: "page up", scope: Lists, keys: ["pgup", "ctrl+u"],
        description: "Scroll a page up",
    }
    PageDown {
        name: "page_down", label: "page down", scope: Lists, keys: ["pgdn", "ctrl+d"],
        description: "Scroll a page down",
    }
    Top {
        name: "top", label: "top", scope: Lists, keys: ["home", "g"],
        description: "Go to the top",
    }
    Bottom {
        name: "bottom", label: "bottom", scope: Lists, keys: ["end", "G"],
        description: "Go to the bottom",
    }
    Select {
        name: "select", label: "open", scope: Lists, keys: ["enter"],
        description: "Open the operation, edit the field, choose the value",
    }
    Filter {
        name: "filter", label: "filter", scope: Catalog, keys: ["/"],
        description: "Fuzzy-filter the catalog (method, path, summary, tag, id)",
    }
    FoldSchemas {
        name: "fold_schemas", label: "fold schemas", scope: Lists, keys: ["z"],
        description: "Operation pane: unfold every level of the schemas, or fold them again (n/N select one node, ←→ or Space fold it)",
    }
    NextTab {
        name: "next_tab", label: "next tab", scope: Lists, keys: ["]"],
        description: "Next tab",
    }
    PrevTab {
        name: "prev_tab", label: "prev tab", scope: Lists, keys: ["["],
        description: "Previous tab",
    }
    Edit {
        name: "edit", label: "edit", scope: Request, keys: ["e", "i"],
        description: "Edit the selected value",
    }
    AddRow {
        name: "add_row", label: "add", scope: Request, keys: ["a", "insert"],
        description: "Add a row (header, query parameter)",
    }
    DeleteRow {
        name: "delete_row", label: "delete", scope: Request, keys: ["d", "delete"],
        description: "Delete the selected row",
    }
    Undo {
        name: "undo", label: "undo", scope: Request, keys: ["ctrl+z"],
        description: "Undo the last change to the request (Esc while typing cancels that edit)",
    }
    ResetDraft {
        name: "reset_draft", label: "reset", scope: Request, keys: ["O"],
        description: "Reset the request to the definition's defaults (asks first; Ctrl+Z undoes it)",
    }
    GetToken {
        name: "get_token", label: "get token", scope: Request, keys: ["A"],
        description: "Auth tab: a new OAuth 2.0 token by a flow you choose, or refresh or forget it",
    }
    ToggleRow {
        name: "toggle_row", label: "on/off", scope: Request, keys: ["space"],
        description: "Enable or disable the selected row",
    }
    ShareAuth {
        name: "share_auth", label: "every request", scope: Request, keys: ["+"],
        description: "Auth tab: the selected added credential goes with every request of this API until you quit (again: no longer)",
    }
    Reformat {
        name: "reformat", label: "reformat", scope: Body, keys: ["F"],
        description: "Reformat (pretty-print) the JSON body",
    }
    Examples {
        name: "examples", label: "examples", scope: Body, keys: ["x"],
        description: "Choose among the definition's examples",
    }
    ExternalEditor {
        name: "external_editor", label: "$EDITOR", scope: Body, keys: ["E"],
        description: "Edit the body in $EDITOR",
    }
    ToggleWrap {
        name: "toggle_wrap", label: "wrap", scope: Response, keys: ["w"],
        description: "Wrap long lines on or off",
    }
    Search {
        name: "search", label: "search", scope: Response, keys: ["ctrl+f"],
        description: "Search the response body (also / in the response)",
    }
    SearchNext {
        name: "search_next", label: "next match", scope: Response, keys: ["n"],
        description: "Next search match (operation pane: next schema node to fold)",
    }
    SearchPrev {
        name: "search_prev", label: "prev match", scope: Response, keys: ["N"],
        description: "Previous search match (operation pane: previous schema node)",
    }
    SaveBody {
        name: "save_body", label: "save body", scope: Response, keys: ["S"],
        description: "Save the response body to a file",
    }
    Warnings {
        name: "warnings", label: "warnings", scope: Global, keys: ["W"],
        description: "Show the problems found in the definitions and the config",
    }
    ScrollLeft {
        name: "scroll_left", label: "scroll left", scope: Response, keys: ["<"],
        description: "Scroll the response body left",
    }
    ScrollRight {
        name: "scroll_right", label: "scroll right", scope: Response, keys: [">"],
        description: "Scroll the response body right",
    }
    SavePreset {
        name: "save_preset", label: "save preset", scope: Tools, keys: ["ctrl+s"],
        description: "Save the current request as a named preset",
    }
    Presets {
        name: "presets", label: "presets", scope: Tools, keys: ["p"],
        description: "List the presets of the operation (Tab: all, orphans too); load one",
    }
    History {
        name: "history", label: "history", scope: Tools, keys: ["H"],
        description: "Browse what was sent: open an old response, re-send it, compare it",
    }
    Environments {
        name: "environments", label: "environment", scope: Tools, keys: ["v"],
        description: "The environments: each variable, its value and where it comes from; use one, set or remove variables",
    }
    Flows {
        name: "flows", label: "flows", scope: Tools, keys: ["f"],
        description: "Run one of the catalog's flows, with its progress",
    }
    Dashboard {
        name: "dashboard", label: "usage", scope: Tools, keys: ["u"],
        description: "Usage: calls, status classes and latency per operation",
    }
    Capture {
        name: "capture", label: "capture", scope: Response, keys: ["C"],
        description: "Capture a value of the JSON response (JSONPath) into a variable",
    }
    Rename {
        name: "rename", label: "rename", scope: Tools, keys: ["r"],
        description: "Rename the selected preset",
    }
    MendPreset {
        name: "mend_preset", label: "update", scope: Tools, keys: ["m"],
        description: "Presets: bring the selected preset up to date with its changed operation (asks first)",
    }
    Compare {
        name: "compare", label: "compare", scope: Tools, keys: ["D"],
        description: "Compare the selected old response with the current one",
    }
    FilterOperation {
        name: "filter_operation", label: "operation filter", scope: Tools, keys: ["o"],
        description: "History: this operation only, or all",
    }
    FilterStatus {
        name: "filter_status", label: "status filter", scope: Tools, keys: ["t"],
        description: "History: step through the status classes",
    }
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
    /// This action's row of [`ACTIONS`].
    pub fn spec(self) -> &'static ActionSpec {
        // The table is declared with the enum, one row per variant in order.
        &ACTIONS[self as usize]
    }

    pub fn name(self) -> &'static str {
        self.spec().name
    }

    pub fn from_name(name: &str) -> Option<Self> {
        ACTIONS
            .iter()
            .find(|spec| spec.name == name)
            .map(|spec| spec.action)
    }

    /// The short label used in the footer.
    pub fn label(self) -> &'static str {
        self.spec().label
    }

    /// The sentence shown in the help overlay.
    pub fn description(self) -> &'static str {
        self.spec().description
    }

    pub fn scope(self) -> Scope {
        self.spec().scope
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
        for spec in ACTIONS {
            for key in spec.default_keys {
                // The defaults are a constant table, checked by a test.
                if let Ok(combo) = KeyCombo::parse(key) {
                    map.bind(spec.action, combo);
                }
            }
        }
        map
    }
}

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
                let rows = ACTIONS
                    .iter()
                    .filter(|spec| spec.scope == *scope)
                    .map(|spec| {
                        let keys = self
                            .keys(spec.action)
                            .iter()
                            .map(ToString::to_string)
                            .collect::<Vec<_>>()
                            .join(", ");
                        let keys = if keys.is_empty() {
                            "(unbound)".to_string()
                        } else {
                            keys
                        };
                        (keys, spec.description)
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
        for spec in ACTIONS {
            for key in spec.default_keys {
                assert!(KeyCombo::parse(key).is_ok(), "{:?}: {key}", spec.action);
            }
        }
        let map = Keymap::default();
        for action in Action::ALL {
            assert!(!map.keys(*action).is_empty(), "{action:?} has no key");
            assert_eq!(Action::from_name(action.name()), Some(*action));
        }
    }

    /// The table is the only list of actions: each variant is its own row
    /// (the row index is the discriminant), once, with a name of its own
    /// that reads back, and it appears in the help exactly once.
    #[test]
    fn every_action_has_one_row() {
        assert_eq!(Action::ALL.len(), ACTIONS.len());
        for (row, spec) in ACTIONS.iter().enumerate() {
            assert_eq!(spec.action as usize, row, "{:?}", spec.action);
            assert_eq!(Action::ALL[row], spec.action);
            assert_eq!(spec.action.spec(), spec);
            assert_eq!(Action::from_name(spec.name), Some(spec.action));
            assert!(!spec.label.is_empty() && !spec.description.is_empty());
        }
        let mut names: Vec<&str> = ACTIONS.iter().map(|spec| spec.name).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), ACTIONS.len(), "two actions share a name");
        let help = Keymap::default().help();
        let described: Vec<&str> = help
            .iter()
            .flat_map(|(_, rows)| rows.iter().map(|(_, description)| *description))
            .collect();
        assert_eq!(
            described.len(),
            ACTIONS.len(),
            "an action is missing from the help"
        );
        for spec in ACTIONS {
            assert!(described.contains(&spec.description), "{:?}", spec.action);
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

//! `{{name}}` and `{{env:NAME}}` substitution, owned here rather than by a
//! template engine: minijinja reads `{{base-url}}` as a subtraction, and a
//! body full of `$` and `{` must pass through untouched.
//!
//! Only a well-formed reference is a variable: `{{`, optional spaces, a name
//! made of letters, digits and `_ - . $` (or `env:` and a name), optional
//! spaces, `}}`. Anything else, an unclosed `{{` included, is sent as typed.

use crate::secrets::is_secret_name;

use super::{BuildError, Vars};

/// Collects what a build learns on the way: every problem (so that a form
/// can show them all at once) and every secret value substituted.
#[derive(Debug)]
pub(crate) struct Ctx<'a> {
    pub vars: &'a Vars,
    pub errors: Vec<BuildError>,
    pub secrets: Vec<String>,
    /// A binary body's file is read (for a send), or only looked at (for
    /// a preview redrawn at each keystroke, which a 1 GB file must not
    /// slow down).
    pub read_body_file: bool,
}

impl<'a> Ctx<'a> {
    pub fn new(vars: &'a Vars) -> Self {
        Self {
            vars,
            errors: Vec::new(),
            secrets: Vec::new(),
            read_body_file: true,
        }
    }

    pub fn error(&mut self, error: BuildError) {
        if !self.errors.contains(&error) {
            self.errors.push(error);
        }
    }

    pub fn secret(&mut self, value: &str) {
        if !value.is_empty() && !self.secrets.iter().any(|s| s == value) {
            self.secrets.push(value.to_string());
        }
    }

    /// Substitutes every variable in `text`. An unknown variable is recorded
    /// as an error naming `used_in` and left in the output as typed, so that
    /// a preview still shows where it is.
    pub fn subst(&mut self, text: &str, used_in: &dyn Fn() -> String) -> String {
        if !text.contains("{{") {
            return text.to_string();
        }
        let mut out = String::with_capacity(text.len());
        for piece in scan(text) {
            match piece {
                Piece::Text(t) => out.push_str(t),
                Piece::Var { raw, name } => match self.resolve(name) {
                    Some((value, secret)) => {
                        if secret {
                            self.secret(&value);
                        }
                        out.push_str(&value);
                    }
                    None => {
                        self.error(BuildError::UnknownVariable {
                            name: name.to_string(),
                            used_in: used_in(),
                        });
                        out.push_str(raw);
                    }
                },
            }
        }
        out
    }

    /// A variable's value and whether it is secret.
    fn resolve(&self, name: &str) -> Option<(String, bool)> {
        if let Some(env_name) = name.strip_prefix("env:") {
            let value = std::env::var(env_name).ok()?;
            return Some((value, is_secret_name(env_name)));
        }
        let var = self.vars.get(name)?;
        Some((var.value.clone(), var.secret || is_secret_name(name)))
    }
}

#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Piece<'t> {
    Text(&'t str),
    /// `raw` is the whole `{{ name }}` as typed.
    Var {
        raw: &'t str,
        name: &'t str,
    },
}

/// Splits a text into literal runs and variable references.
pub(crate) fn scan(text: &str) -> Vec<Piece<'_>> {
    let mut pieces = Vec::new();
    let mut literal_start = 0;
    let mut i = 0;
    while let Some(offset) = text[i..].find("{{") {
        let open = i + offset;
        let Some(close_offset) = text[open + 2..].find("}}") else {
            break;
        };
        let close = open + 2 + close_offset;
        let name = text[open + 2..close].trim();
        if is_variable_name(name) {
            if literal_start < open {
                pieces.push(Piece::Text(&text[literal_start..open]));
            }
            pieces.push(Piece::Var {
                raw: &text[open..close + 2],
                name,
            });
            i = close + 2;
            literal_start = i;
        } else {
            // Not a variable: keep the first brace and look again from the
            // next one, so `{{{name}}}` still finds `{{name}}` inside.
            i = open + 1;
        }
    }
    if literal_start < text.len() {
        pieces.push(Piece::Text(&text[literal_start..]));
    }
    pieces
}

/// The variable names referenced in a text, in order, without repeats.
pub fn referenced_variables(text: &str) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    for piece in scan(text) {
        if let Piece::Var { name, .. } = piece
            && !names.iter().any(|n| n == name)
        {
            names.push(name.to_string());
        }
    }
    names
}

fn is_variable_name(name: &str) -> bool {
    let body = name.strip_prefix("env:").unwrap_or(name);
    !body.is_empty()
        && body
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | '.' | '$'))
}

/// Lower-case with `-`, `.` and spaces as `_`: `Ocp-Apim-Subscription-Key`
/// and `ocp_apim_subscription_key` name the same thing.
pub(crate) fn normalise_name(name: &str) -> String {
    name.trim()
        .chars()
        .map(|c| match c {
            '-' | '.' | ' ' => '_',
            c => c.to_ascii_lowercase(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::Variable;

    fn vars(pairs: &[(&str, &str)]) -> Vars {
        let mut v = Vars::default();
        for (k, val) in pairs {
            v.environment.insert(
                (*k).to_string(),
                Variable {
                    value: (*val).to_string(),
                    secret: false,
                },
            );
        }
        v
    }

    #[test]
    fn substitutes_known_and_keeps_literals() {
        let v = vars(&[("a", "1"), ("base-url", "http://x")]);
        let mut ctx = Ctx::new(&v);
        let cases = [
            ("{{a}}", "1"),
            ("{{ a }}", "1"),
            ("{{base-url}}/p", "http://x/p"),
            (r#"{"$gt": 18}"#, r#"{"$gt": 18}"#),
            ("{{a", "{{a"),
            ("{{{a}}}", "{1}"),
            ("{{ not a var }}", "{{ not a var }}"),
            ("{{}}", "{{}}"),
            ("$a {a} ${a}", "$a {a} ${a}"),
            ("{{a}}{{a}}", "11"),
            ("é{{a}}é", "é1é"),
        ];
        for (input, want) in cases {
            assert_eq!(ctx.subst(input, &|| "test".into()), want, "{input}");
        }
        assert!(ctx.errors.is_empty(), "{:?}", ctx.errors);
    }

    #[test]
    fn unknown_variable_is_reported_and_left_in_place() {
        let v = Vars::default();
        let mut ctx = Ctx::new(&v);
        assert_eq!(ctx.subst("x{{nope}}y", &|| "body".into()), "x{{nope}}y");
        assert_eq!(
            ctx.errors,
            vec![BuildError::UnknownVariable {
                name: "nope".into(),
                used_in: "body".into()
            }]
        );
    }

    #[test]
    fn references_are_listed_once() {
        assert_eq!(
            referenced_variables("{{a}} {{b}} {{a}} {{env:HOME}} {{x"),
            vec!["a", "b", "env:HOME"]
        );
    }
}

//! `{{references}}` hidden behind plain tokens while an imported request
//! is matched against the catalog (URL parsing, percent-encoding and host
//! lower-casing leave the tokens alone), and revealed again after.

use indexmap::IndexMap;

use crate::request::{Draft, Vars};

pub(super) const TOKEN_PREFIX: &str = "zzportico";

/// `{{references}}` swapped for tokens made of lower-case letters and
/// digits, which URL parsing, percent-encoding and host lower-casing all
/// leave alone.
#[derive(Debug, Default)]
pub(super) struct Tokens {
    /// token -> the reference as written (`{{ name }}`).
    pub(super) originals: IndexMap<String, String>,
}

impl Tokens {
    pub(super) fn hide(&mut self, text: &str) -> String {
        let mut out = String::with_capacity(text.len());
        let mut rest = text;
        while let Some(open) = rest.find("{{") {
            let after = &rest[open + 2..];
            let reference = after.find("}}").and_then(|close| {
                let inner = &after[..close];
                is_reference(inner.trim()).then(|| &rest[open..open + 2 + close + 2])
            });
            match reference {
                Some(reference) => {
                    out.push_str(&rest[..open]);
                    out.push_str(&self.token_for(reference));
                    rest = &rest[open + reference.len()..];
                }
                None => {
                    out.push_str(&rest[..open + 1]);
                    rest = &rest[open + 1..];
                }
            }
        }
        out.push_str(rest);
        out
    }

    pub(super) fn token_for(&mut self, reference: &str) -> String {
        if let Some((token, _)) = self.originals.iter().find(|(_, r)| *r == reference) {
            return token.clone();
        }
        let token = format!("{TOKEN_PREFIX}{}q", self.originals.len());
        self.originals.insert(token.clone(), reference.to_string());
        token
    }

    pub(super) fn reveal(&self, text: &str) -> String {
        if !text.contains(TOKEN_PREFIX) {
            return text.to_string();
        }
        let mut out = text.to_string();
        // Longest first: `...1q` must not eat the start of `...11q`.
        let mut tokens: Vec<(&String, &String)> = self.originals.iter().collect();
        tokens.sort_by_key(|(t, _)| std::cmp::Reverse(t.len()));
        for (token, original) in tokens {
            out = out.replace(token.as_str(), original);
        }
        out
    }

    /// The token a text starts with, if any.
    pub(super) fn leading(&self, text: &str) -> Option<String> {
        self.originals
            .keys()
            .find(|t| text.starts_with(t.as_str()))
            .cloned()
    }

    /// A token's value from the variables, other references inside it
    /// resolved too (a few levels deep); `None` when any stays unknown.
    pub(super) fn resolve(&mut self, token: &str, vars: &Vars) -> Option<String> {
        let mut text = token.to_string();
        for _ in 0..8 {
            let Some(found) = self.originals.keys().find(|t| text.contains(t.as_str())) else {
                return Some(text);
            };
            let found = found.clone();
            let name = reference_name(&self.originals[&found])?;
            let value = vars.get(&name)?.value.clone();
            let value = self.hide(&value);
            text = text.replace(&found, &value);
        }
        None
    }

    pub(super) fn hide_draft(&mut self, draft: &Draft) -> Draft {
        let mut d = draft.clone();
        self.map_draft(&mut d, &mut |t, s| t.hide(s));
        d
    }

    pub(super) fn reveal_draft(&mut self, mut draft: Draft) -> Draft {
        self.map_draft(&mut draft, &mut |t, s| t.reveal(s));
        draft
    }

    pub(super) fn map_draft(
        &mut self,
        d: &mut Draft,
        f: &mut dyn FnMut(&mut Tokens, &str) -> String,
    ) {
        let mut apply = |t: &mut Tokens, s: &mut String| *s = f(t, s);
        if let Some(url) = &mut d.server_url {
            apply(self, url);
        }
        for value in d.server_vars.values_mut() {
            apply(self, value);
        }
        for p in &mut d.params {
            apply(self, &mut p.value);
        }
        for row in d.extra_query.iter_mut().chain(d.headers.iter_mut()) {
            apply(self, &mut row.name);
            apply(self, &mut row.value);
        }
        for a in &mut d.auth {
            apply(self, &mut a.value);
            apply(self, &mut a.username);
        }
        if let Some(ct) = &mut d.content_type {
            apply(self, ct);
        }
        apply(self, &mut d.body);
    }
}

/// What portico reads as a variable reference inside `{{ }}`: a name of
/// letters, digits and `_ - . $`, or `env:NAME`.
fn is_reference(inner: &str) -> bool {
    let body = inner.strip_prefix("env:").unwrap_or(inner);
    !body.is_empty()
        && body
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | '.' | '$'))
}

fn reference_name(reference: &str) -> Option<String> {
    let inner = reference.strip_prefix("{{")?.strip_suffix("}}")?.trim();
    (!inner.starts_with("env:")).then(|| inner.to_string())
}

//! Which values are secret, and how they are hidden on screen, in previews,
//! in logs and in history.
//!
//! A value is secret when its header or variable is named like one
//! (Authorization, `*-Key`, `*token*`, `*secret*`, `*password*`), when a
//! security scheme puts it there, or when a variable is marked secret.

/// What a masked value looks like. Fixed width so that the length of a
/// secret does not leak either.
pub const MASK: &str = "••••••••";

/// Whether a header, parameter or variable with this name holds a secret.
pub fn is_secret_name(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    lower == "authorization"
        || lower == "proxy-authorization"
        || lower == "cookie"
        || lower.ends_with("-key")
        || lower.ends_with("_key")
        || lower == "key"
        || lower.contains("apikey")
        || lower.contains("api-key")
        || lower.contains("api_key")
        || lower.contains("token")
        || lower.contains("secret")
        || lower.contains("password")
        || lower.contains("passwd")
}

/// Masks a header value, keeping an auth scheme word visible
/// (`Bearer ••••••••`) because it tells the reader what kind of secret it is.
pub fn mask_header_value(value: &str) -> String {
    match value.split_once(' ') {
        Some((scheme, rest))
            if !rest.is_empty()
                && ["bearer", "basic", "digest", "token"]
                    .contains(&scheme.to_ascii_lowercase().as_str()) =>
        {
            format!("{scheme} {MASK}")
        }
        _ if value.is_empty() => String::new(),
        _ => MASK.to_string(),
    }
}

/// Replaces every occurrence of known secret values in a text (a URL, a
/// curl command, a body) by [`MASK`]. Longer secrets are replaced first so
/// that a secret containing another is not left half visible.
#[derive(Debug, Clone, Default)]
pub struct Masker {
    values: Vec<String>,
}

impl Masker {
    pub fn new<I, S>(values: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        let mut values: Vec<String> = values
            .into_iter()
            .map(Into::into)
            // Very short values would mask ordinary text everywhere.
            .filter(|v| v.chars().count() >= 4)
            .collect();
        values.sort_by_key(|v| std::cmp::Reverse(v.len()));
        values.dedup();
        Self { values }
    }

    pub fn add(&mut self, value: impl Into<String>) {
        let mut values = std::mem::take(&mut self.values);
        values.push(value.into());
        *self = Self::new(values);
    }

    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    /// Whether `text` holds a secret value (as is, or percent-encoded).
    pub fn masks(&self, text: &str) -> bool {
        self.values.iter().any(|value| {
            text.contains(value.as_str())
                || text.contains(
                    percent_encoding::utf8_percent_encode(
                        value,
                        percent_encoding::NON_ALPHANUMERIC,
                    )
                    .to_string()
                    .as_str(),
                )
        })
    }

    pub fn mask(&self, text: &str) -> String {
        let mut out = text.to_string();
        for value in &self.values {
            if out.contains(value.as_str()) {
                out = out.replace(value.as_str(), MASK);
            }
            // Secrets also travel percent-encoded in URLs.
            let encoded =
                percent_encoding::utf8_percent_encode(value, percent_encoding::NON_ALPHANUMERIC)
                    .to_string();
            if encoded != *value && out.contains(encoded.as_str()) {
                out = out.replace(encoded.as_str(), MASK);
            }
        }
        out
    }

    /// [`Masker::mask`] for the start of a longer text, cut anywhere: a
    /// value the cut fell inside would end it unmasked, so an end that
    /// begins a value (as is, or percent-encoded) is dropped.
    pub fn mask_start(&self, text: &str) -> String {
        let mut out = self.mask(text);
        let begun = self
            .values
            .iter()
            .flat_map(|value| {
                let encoded = percent_encoding::utf8_percent_encode(
                    value,
                    percent_encoding::NON_ALPHANUMERIC,
                )
                .to_string();
                [value.clone(), encoded]
            })
            .filter_map(|value| {
                (1..value.len())
                    .rev()
                    .filter(|&n| value.is_char_boundary(n))
                    .find(|&n| out.ends_with(&value[..n]))
            })
            .max()
            .unwrap_or(0);
        out.truncate(out.len() - begun);
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_value_cut_at_the_end_of_a_start_is_dropped() {
        let masker = Masker::new(["s3cr3t-token"]);
        assert_eq!(
            masker.mask_start("a s3cr3t-token b s3cr3"),
            format!("a {MASK} b ")
        );
        assert_eq!(masker.mask_start("x=s3cr3t%2Dto"), "x=");
        assert_eq!(masker.mask_start("nothing here"), "nothing here");
    }

    #[test]
    fn secret_names() {
        for name in [
            "Authorization",
            "Ocp-Apim-Subscription-Key",
            "X-Api-Key",
            "api_key",
            "access_token",
            "client_secret",
            "Password",
        ] {
            assert!(is_secret_name(name), "{name} should be secret");
        }
        for name in ["Content-Type", "Accept", "workspace", "keyboard", "monkey"] {
            assert!(!is_secret_name(name), "{name} should not be secret");
        }
    }

    #[test]
    fn header_mask_keeps_scheme() {
        assert_eq!(mask_header_value("Bearer abc123"), format!("Bearer {MASK}"));
        assert_eq!(mask_header_value("abc123"), MASK);
        assert_eq!(mask_header_value(""), "");
    }

    #[test]
    fn masker_hides_plain_and_encoded_values() {
        let masker = Masker::new(["s3cr3t/value", "abcd"]);
        assert_eq!(
            masker.mask("k=s3cr3t%2Fvalue&x=abcd"),
            format!("k={MASK}&x={MASK}")
        );
        assert_eq!(masker.mask("Bearer s3cr3t/value"), format!("Bearer {MASK}"));
        assert!(Masker::new(["ab"]).is_empty());
    }
}

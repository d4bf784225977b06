//! `EXT-X-DEFINE` variables and `{$name}` substitution (RFC 8216bis §4.3).
//!
//! Substitution applies to URI lines, quoted-string attribute values and hexadecimal-sequence
//! values, once a playlist has defined at least one variable; a reference to an undefined
//! variable is then an error. Definitions are taken literally (a `VALUE` is not itself
//! substituted), so expansion can only grow linearly. It is still capped, because a short
//! playlist can reference one long value millions of times: the bytes produced by all
//! substitutions together may not exceed
//! `SUBSTITUTION_BUDGET_BASE + SUBSTITUTION_BUDGET_FACTOR × input length`.

use std::borrow::Cow;
use std::collections::BTreeMap;

use super::error::PlaylistErrorKind as Kind;

/// At most this many `EXT-X-DEFINE` tags per playlist.
pub const MAX_VARIABLES: usize = 1024;
/// Constant part of the substitution budget, in bytes (1 MiB).
pub const SUBSTITUTION_BUDGET_BASE: usize = 1 << 20;
/// Per-input-byte part of the substitution budget.
pub const SUBSTITUTION_BUDGET_FACTOR: usize = 16;

#[derive(Debug)]
pub(super) struct Variables {
    values: BTreeMap<String, String>,
    budget: usize,
    max_bytes: usize,
    /// Whether the playlist contains an `EXT-X-DEFINE` tag anywhere: then every reference must
    /// resolve, even one before the first definition. Found out lazily, on the first reference
    /// met while nothing is defined yet.
    pub(super) playlist_defines: Option<bool>,
}

impl Variables {
    pub(super) fn new(input_len: usize) -> Self {
        let max_bytes = SUBSTITUTION_BUDGET_BASE
            .saturating_add(SUBSTITUTION_BUDGET_FACTOR.saturating_mul(input_len));
        Variables {
            values: BTreeMap::new(),
            budget: max_bytes,
            max_bytes,
            playlist_defines: None,
        }
    }

    pub(super) fn define(&mut self, name: &str, value: String) -> Result<(), Kind> {
        if !is_variable_name(name) {
            return Err(Kind::InvalidVariableName);
        }
        if self.values.contains_key(name) {
            return Err(Kind::DuplicateVariable {
                name: name.to_owned(),
            });
        }
        if self.values.len() >= MAX_VARIABLES {
            return Err(Kind::TooManyVariables { max: MAX_VARIABLES });
        }
        // Stored definitions count against the budget too, so that imported or query values
        // cannot smuggle in unbounded memory.
        self.charge(name.len() + value.len())?;
        self.values.insert(name.to_owned(), value);
        Ok(())
    }

    fn charge(&mut self, bytes: usize) -> Result<(), Kind> {
        self.budget = self.budget.checked_sub(bytes).ok_or(Kind::ExpansionLimit {
            max_bytes: self.max_bytes,
        })?;
        Ok(())
    }

    /// Whether `s` holds something that looks like a variable reference.
    #[inline(always)]
    pub(super) fn has_reference(s: &str) -> bool {
        find_reference(s).is_some()
    }

    pub(super) fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    /// Replaces every `{$name}` in `s`. Borrows when there is nothing to replace. In a playlist
    /// without `EXT-X-DEFINE` tags (`playlist_defines` not `Some(true)`), references are text.
    pub(super) fn substitute<'s>(&mut self, s: &'s str) -> Result<Cow<'s, str>, Kind> {
        let Some(first) = find_reference(s) else {
            return Ok(Cow::Borrowed(s));
        };
        if self.values.is_empty() && self.playlist_defines != Some(true) {
            return Ok(Cow::Borrowed(s));
        }
        let mut out = String::with_capacity(s.len());
        out.push_str(&s[..first]);
        let mut rest = &s[first..];
        while let Some(at) = find_reference(rest) {
            out.push_str(&rest[..at]);
            let after = &rest[at + 2..];
            let name_len = after
                .bytes()
                .take_while(|&b| is_variable_name_byte(b))
                .count();
            if name_len > 0 && after.as_bytes().get(name_len) == Some(&b'}') {
                let name = &after[..name_len];
                let value = self
                    .values
                    .get(name)
                    .ok_or_else(|| Kind::UndefinedVariable {
                        name: name.to_owned(),
                    })?;
                // Charge at least one byte so that references to empty values are bounded too.
                let cost = value.len().max(1);
                self.budget = self.budget.checked_sub(cost).ok_or(Kind::ExpansionLimit {
                    max_bytes: self.max_bytes,
                })?;
                out.push_str(value);
                rest = &after[name_len + 1..];
            } else {
                // Not a well-formed reference: keep the text as it is.
                out.push_str("{$");
                rest = after;
            }
        }
        out.push_str(rest);
        Ok(Cow::Owned(out))
    }
}

/// Index of the first `{$` in `s`.
#[inline(always)]
fn find_reference(s: &str) -> Option<usize> {
    let bytes = s.as_bytes();
    let mut from = 0;
    while let Some(i) = super::scan::find_byte(&bytes[from..], b'{') {
        let at = from + i;
        if bytes.get(at + 1) == Some(&b'$') {
            return Some(at);
        }
        from = at + 1;
    }
    None
}

fn is_variable_name_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'-' || b == b'_'
}

pub(super) fn is_variable_name(name: &str) -> bool {
    !name.is_empty() && name.bytes().all(is_variable_name_byte)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn substitutes_and_borrows_when_possible() {
        let mut v = Variables::new(100);
        assert!(matches!(
            v.substitute("a{$x}b"),
            Ok(Cow::Borrowed("a{$x}b"))
        ));
        v.playlist_defines = Some(true);
        assert_eq!(
            v.substitute("a{$x}b"),
            Err(Kind::UndefinedVariable { name: "x".into() })
        );
        v.define("host", "cdn.example".into()).unwrap();
        v.define("t-1_A", "42".into()).unwrap();
        assert!(matches!(
            v.substitute("plain.ts"),
            Ok(Cow::Borrowed("plain.ts"))
        ));
        assert_eq!(
            v.substitute("https://{$host}/s.ts?t={$t-1_A}&x={$host}")
                .unwrap(),
            "https://cdn.example/s.ts?t=42&x=cdn.example"
        );
        assert_eq!(
            v.substitute("{$}{$bad name}{$host").unwrap(),
            "{$}{$bad name}{$host"
        );
        assert_eq!(
            v.substitute("{$nope}"),
            Err(Kind::UndefinedVariable {
                name: "nope".into()
            })
        );
    }

    #[test]
    fn rejects_bad_and_duplicate_names() {
        let mut v = Variables::new(100);
        assert_eq!(
            v.define("a b", String::new()),
            Err(Kind::InvalidVariableName)
        );
        assert_eq!(v.define("", String::new()), Err(Kind::InvalidVariableName));
        v.define("a", String::new()).unwrap();
        assert_eq!(
            v.define("a", String::new()),
            Err(Kind::DuplicateVariable { name: "a".into() })
        );
    }

    #[test]
    fn budget_caps_total_expansion() {
        let mut v = Variables::new(0);
        v.define("big", "x".repeat(1000)).unwrap();
        let mut total = 0usize;
        let err = loop {
            match v.substitute("{$big}{$big}") {
                Ok(s) => total += s.len(),
                Err(e) => break e,
            }
        };
        assert_eq!(
            err,
            Kind::ExpansionLimit {
                max_bytes: SUBSTITUTION_BUDGET_BASE
            }
        );
        assert!(total <= SUBSTITUTION_BUDGET_BASE);
    }

    #[test]
    fn caps_variable_count() {
        let mut v = Variables::new(0);
        for i in 0..MAX_VARIABLES {
            v.define(&format!("v{i}"), String::new()).unwrap();
        }
        assert_eq!(
            v.define("one-more", String::new()),
            Err(Kind::TooManyVariables { max: MAX_VARIABLES })
        );
    }
}

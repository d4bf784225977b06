//! Consent for the lookback record: Google Consent Mode's `analytics_storage`, and the host's
//! own say (the element's `consent` attribute, `player.setConsent`).
//!
//! Storage is allowed unless one of them denies it. Consent Mode is read from the page's
//! `dataLayer`: `gtag('consent', 'default' | 'update', {...})` leaves `Arguments` objects
//! there, which the browser layer passes as JSON arrays (`Array.from(entry)`), or as the
//! `{"0":…,"1":…,"2":…}` objects `JSON.stringify` makes of them. The rules:
//! - the last `update` setting `analytics_storage` wins, whatever the defaults say;
//! - without one, the last `default` without `region` applies;
//! - a `default` for some regions (`region: [...]`) that denies is taken as denying: the player
//!   cannot know the visitor's region, and the safe mistake is not to store;
//! - no setting at all: granted (Consent Mode is not in use).
//!
//! Only storage is gated: events are still pushed, since the GA4 tag applies Consent Mode to
//! what it sends.
//!
//! ```
//! use player_core::analytics::consent::{consent_mode, Consent, ConsentState};
//! use player_core::commerce::json::parse;
//! let data_layer = parse(r#"[["consent","default",{"analytics_storage":"denied","ad_storage":"denied"}],
//!                           {"event":"gtm.js"},
//!                           {"0":"consent","1":"update","2":{"analytics_storage":"granted"}}]"#).unwrap();
//! assert_eq!(consent_mode(&data_layer), Some(Consent::Granted));
//! let state = ConsentState { consent_mode: consent_mode(&data_layer), host: Some(Consent::Denied) };
//! assert!(!state.storage_allowed());
//! ```

use crate::commerce::json::JsonValue;

/// A consent decision.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Consent {
    Granted,
    Denied,
}

impl Consent {
    /// `"granted"` or `"denied"` (Consent Mode's values, and the `consent` attribute's).
    pub fn parse(s: &str) -> Option<Consent> {
        match s.trim() {
            "granted" => Some(Consent::Granted),
            "denied" => Some(Consent::Denied),
            _ => None,
        }
    }
}

/// What the page said about storage for analytics.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ConsentState {
    /// From [`consent_mode`]; `None` when the page does not use Consent Mode.
    pub consent_mode: Option<Consent>,
    /// The host's explicit choice; `None` until it makes one.
    pub host: Option<Consent>,
}

impl ConsentState {
    /// Whether the lookback record may be written: neither source denies.
    pub fn storage_allowed(&self) -> bool {
        self.consent_mode != Some(Consent::Denied) && self.host != Some(Consent::Denied)
    }
}

/// Consent Mode's current `analytics_storage` from the page's `dataLayer` entries (a JSON
/// array, in push order; other entries are ignored). See the module docs for the rules.
pub fn consent_mode(data_layer: &JsonValue) -> Option<Consent> {
    let (mut general, mut regional_denied, mut update) = (None, false, None);
    for entry in data_layer.as_array().unwrap_or_default() {
        let arg = |i: usize| match entry.as_array() {
            Some(args) => args.get(i),
            None => entry.get(["0", "1", "2"][i]),
        };
        if arg(0).and_then(JsonValue::as_str) != Some("consent") {
            continue;
        }
        let Some(params) = arg(2) else { continue };
        let Some(value) = params
            .get("analytics_storage")
            .and_then(JsonValue::as_str)
            .and_then(Consent::parse)
        else {
            continue;
        };
        match arg(1).and_then(JsonValue::as_str) {
            Some("update") => update = Some(value),
            Some("default") => {
                let regional = params.get("region").is_some_and(|r| {
                    r.as_array().is_some_and(|a| !a.is_empty())
                        || r.as_str().is_some_and(|s| !s.is_empty())
                });
                if regional {
                    regional_denied |= value == Consent::Denied;
                } else {
                    general = Some(value);
                }
            }
            _ => {}
        }
    }
    let default = if regional_denied {
        Some(Consent::Denied)
    } else {
        general
    };
    update.or(default)
}

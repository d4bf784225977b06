//! Lookback attribution: a first-party record of the products a viewer interacted with in a
//! video, so that a later page (the product page, the cart) can credit the video.
//!
//! The browser layer keeps it in `localStorage` under [`STORAGE_KEY`], writes it only through
//! [`LookbackRecord::to_storage`] (nothing while consent denies storage), and
//! [prunes](LookbackRecord::prune) entries older than the window (default
//! [`DEFAULT_WINDOW_MS`], 72 h) at every read and write. One entry per product, the latest
//! interaction, at most [`MAX_PRODUCTS`]:
//!
//! ```json
//! {"v":1,"products":[{"product_id":"tee","variant_id":"40001","event":"add_to_cart",
//!   "video_id":"spring-show","video_title":"Spring drop","video_time_ms":12500,"live":false,
//!   "session_id":"9f86d081884c7d65","at":1714560000000}]}
//! ```
//!
//! ```
//! use player_core::analytics::context::{EventContext, VideoContext};
//! use player_core::analytics::lookback::{LookbackRecord, DEFAULT_WINDOW_MS};
//! let mut ctx = EventContext::default();
//! ctx.video = VideoContext::new("show", "Spring drop", "/show.m3u8");
//! let mut record = LookbackRecord::new();
//! record.note(&ctx, "add_to_cart", "tee", Some("40001"), 1_000);
//! let saved = record.to_record();
//! let later = LookbackRecord::from_record(&saved);
//! assert!(later.interacted_within("tee", 3_600_000, DEFAULT_WINDOW_MS).is_some());
//! assert!(later.interacted_within("tee", 1_000 + DEFAULT_WINDOW_MS + 1, DEFAULT_WINDOW_MS).is_none());
//! ```

use super::consent::ConsentState;
use super::context::EventContext;
use super::payload::{Fixed, Payload};
use super::Event;
use crate::commerce::json::{self, JsonValue, MAX_SAFE_INTEGER};

/// The `localStorage` key; the suffix changes with the record's format.
pub const STORAGE_KEY: &str = "shoppable-player:attribution:v1";
/// The record format version (`"v"`).
pub const RECORD_VERSION: i64 = 1;
/// The default lookback window: 72 hours.
pub const DEFAULT_WINDOW_MS: u64 = 72 * 60 * 60 * 1000;
/// Most products remembered (the most recent).
pub const MAX_PRODUCTS: usize = 50;
/// Longest text kept in a field, in bytes (longer titles are cut at a character boundary).
pub const MAX_TEXT_BYTES: usize = 200;
/// A larger record is not read (something else wrote it).
const MAX_RECORD_BYTES: usize = 64 * 1024;

/// The viewer's latest interaction with one product.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Interaction {
    pub product_id: String,
    pub variant_id: Option<String>,
    /// The event that recorded it: `select_item`, `view_item`, `select_variant`, `add_to_cart`.
    pub event: String,
    pub video_id: String,
    pub video_title: String,
    /// The second of the video, in ms.
    pub video_time_ms: u64,
    pub live: bool,
    /// The view's `video_session_id`.
    pub session_id: String,
    /// When (the caller's clock, ms since the epoch).
    pub at: u64,
}

/// The products interacted with, the most recent last.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct LookbackRecord {
    interactions: Vec<Interaction>,
}

fn clip(s: &str) -> String {
    let mut end = s.len().min(MAX_TEXT_BYTES);
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    s[..end].to_owned()
}

impl LookbackRecord {
    pub fn new() -> LookbackRecord {
        LookbackRecord::default()
    }

    /// Oldest first.
    pub fn interactions(&self) -> &[Interaction] {
        &self.interactions
    }

    /// Remembers an interaction, replacing the product's older one.
    pub fn add(&mut self, mut interaction: Interaction) {
        interaction.variant_id = interaction.variant_id.filter(|v| !v.is_empty());
        let id = &interaction.product_id;
        if let Some(i) = self.interactions.iter().position(|e| e.product_id == *id) {
            if self.interactions[i].at > interaction.at {
                return;
            }
            self.interactions.remove(i);
        }
        let at = interaction.at;
        let slot = self.interactions.partition_point(|e| e.at <= at);
        self.interactions.insert(slot, interaction);
        if self.interactions.len() > MAX_PRODUCTS {
            self.interactions.remove(0);
        }
    }

    /// Remembers that the viewer did `event` on a product in the video of `ctx`, now.
    pub fn note(
        &mut self,
        ctx: &EventContext,
        event: &str,
        product_id: &str,
        variant_id: Option<&str>,
        now_ms: u64,
    ) {
        let v = &ctx.video;
        self.add(Interaction {
            product_id: clip(product_id),
            variant_id: variant_id.map(clip),
            event: clip(event),
            video_id: clip(&v.video_id),
            video_title: clip(&v.video_title),
            video_time_ms: v.current_time_ms,
            live: v.live,
            session_id: clip(&ctx.attribution.session_id),
            at: now_ms,
        });
    }

    /// Forgets interactions older than `window_ms`. Returns whether any was dropped.
    pub fn prune(&mut self, now_ms: u64, window_ms: u64) -> bool {
        let before = self.interactions.len();
        self.interactions
            .retain(|e| now_ms.saturating_sub(e.at) <= window_ms);
        self.interactions.len() != before
    }

    /// The interaction with `product_id` within the last `window_ms`, if any.
    pub fn interacted_within(
        &self,
        product_id: &str,
        now_ms: u64,
        window_ms: u64,
    ) -> Option<&Interaction> {
        let mut entries = self.interactions.iter();
        entries.find(|e| e.product_id == product_id && now_ms.saturating_sub(e.at) <= window_ms)
    }

    /// Takes in another tab's record (the newer interaction per product wins).
    pub fn merge(&mut self, other: &LookbackRecord) {
        for e in &other.interactions {
            self.add(e.clone());
        }
    }

    /// The record's JSON text (also what `player.getAttribution()` returns, parsed).
    pub fn to_record(&self) -> String {
        let mut p = Payload::object();
        p.uint("v", RECORD_VERSION as u64);
        p.open(Some("products"), '[');
        for e in &self.interactions {
            p.open(None, '{');
            p.str("product_id", &e.product_id);
            p.opt_str("variant_id", e.variant_id.as_deref());
            p.str("event", &e.event);
            p.str("video_id", &e.video_id);
            p.str("video_title", &e.video_title);
            p.uint("video_time_ms", e.video_time_ms);
            p.bool("live", e.live);
            p.str("session_id", &e.session_id);
            p.uint("at", e.at);
            p.close('}');
        }
        p.close(']');
        p.finish()
    }

    /// The text to write under [`STORAGE_KEY`], or `None` when consent does not allow storage:
    /// then the key must be removed, not written.
    pub fn to_storage(&self, consent: &ConsentState) -> Option<String> {
        consent.storage_allowed().then(|| self.to_record())
    }

    /// Reads a stored record. Never fails: storage is shared with every script of the origin,
    /// so anything unreadable (another version, a damaged entry) is skipped.
    pub fn from_record(text: &str) -> LookbackRecord {
        let mut record = LookbackRecord::new();
        if text.len() > MAX_RECORD_BYTES {
            return record;
        }
        let Ok(root) = json::parse(text) else {
            return record;
        };
        if root.get("v").and_then(JsonValue::as_i64) != Some(RECORD_VERSION) {
            return record;
        }
        let entries = root.get("products").and_then(JsonValue::as_array);
        for e in entries.unwrap_or_default().iter().take(4 * MAX_PRODUCTS) {
            if let Some(interaction) = read_interaction(e) {
                record.add(interaction);
            }
        }
        record
    }
}

fn text(v: &JsonValue, key: &str) -> Option<String> {
    let s = v.get(key)?.as_str()?;
    (s.len() <= MAX_TEXT_BYTES).then(|| s.to_owned())
}

fn whole(v: &JsonValue, key: &str) -> Option<u64> {
    match v.get(key)?.as_i64()? {
        n @ 0..=MAX_SAFE_INTEGER => Some(n as u64),
        _ => None,
    }
}

fn read_interaction(v: &JsonValue) -> Option<Interaction> {
    let variant_id = match v.get("variant_id") {
        None => None,
        Some(_) => Some(text(v, "variant_id")?),
    };
    Some(Interaction {
        product_id: text(v, "product_id").filter(|s| !s.is_empty())?,
        variant_id,
        event: text(v, "event")?,
        video_id: text(v, "video_id")?,
        video_title: text(v, "video_title")?,
        video_time_ms: whole(v, "video_time_ms")?,
        live: v.get("live").and_then(JsonValue::as_bool).unwrap_or(false),
        session_id: text(v, "session_id")?,
        at: whole(v, "at")?,
    })
}

/// `video_assisted_view`: the viewer is on a page about a product they interacted with in a
/// video within the window (see [`LookbackRecord::interacted_within`]).
pub fn video_assisted_view(interaction: &Interaction, now_ms: u64) -> Event {
    let e = interaction;
    let mut p = Payload::event("video_assisted_view");
    p.str("product_id", &e.product_id);
    p.opt_str("variant_id", e.variant_id.as_deref());
    p.str("interaction", &e.event);
    // Whole seconds since the interaction.
    p.uint("interaction_age", now_ms.saturating_sub(e.at) / 1000);
    p.str("video_id", &e.video_id);
    p.str("video_title", &e.video_title);
    p.fixed("video_current_time", e.video_time_ms, Fixed::Millis);
    p.bool("video_live", e.live);
    p.str("video_session_id", &e.session_id);
    p.into_event("video_assisted_view", false)
}

//! Lookback attribution in the browser: the record of products interacted with, kept in
//! `localStorage` when consent allows, and `trackProductView` for the pages that come after.
//!
//! The record's format and rules are `player_core::analytics::lookback`; what is stored, under
//! which key and for how long is documented in `docs/events.md`.

use std::cell::RefCell;

use js_sys::Reflect;
use player_core::analytics::consent::{Consent, ConsentState};
use player_core::analytics::context::EventContext;
use player_core::analytics::lookback::{
    video_assisted_view, LookbackRecord, DEFAULT_WINDOW_MS as CORE_WINDOW_MS, STORAGE_KEY,
};
use player_core::web::{data_layer, storage};
use wasm_bindgen::prelude::*;

use crate::host;

pub const DEFAULT_WINDOW_MS: u64 = CORE_WINDOW_MS;

/// The lookback window from the `attribution-window` option (hours); the default otherwise.
pub fn window_ms(hours: Option<f64>) -> u64 {
    match hours {
        Some(h) if h.is_finite() && h > 0.0 => (h * 3_600_000.0).min(u64::MAX as f64) as u64,
        _ => DEFAULT_WINDOW_MS,
    }
}

/// Wall-clock milliseconds: interactions are compared across page loads.
fn wall_clock() -> u64 {
    js_sys::Date::now() as u64
}

/// The stored record, pruned to `window_ms`. Expired entries are dropped from storage too.
fn load(window_ms: u64, now: u64) -> LookbackRecord {
    let text = storage::read(STORAGE_KEY).ok().flatten();
    let mut record = text.as_deref().map(LookbackRecord::from_record);
    let record = record.get_or_insert_with(LookbackRecord::new);
    if text.is_some() && record.prune(now, window_ms) {
        // Shrinking what is there needs no consent; an emptied record leaves no key.
        let written = match record.interactions() {
            [] => storage::remove(STORAGE_KEY),
            _ => storage::write(STORAGE_KEY, &record.to_record()),
        };
        if let Err(e) = written {
            host::warn(&format!("the attribution record could not be pruned ({e})"));
        }
    }
    std::mem::take(record)
}

fn consent_state(data_layer_name: &str, host: Option<Consent>) -> ConsentState {
    ConsentState {
        consent_mode: data_layer::consent(data_layer_name),
        host,
    }
}

/// Remembers that the viewer did `event` on a product, if consent allows storage; when it
/// does not, nothing is written and a record left from before is removed.
pub fn note(
    data_layer_name: &str,
    host_consent: Option<Consent>,
    window_ms: u64,
    ctx: &EventContext,
    event: &str,
    product_id: &str,
    variant_id: Option<&str>,
) {
    let consent = consent_state(data_layer_name, host_consent);
    if !consent.storage_allowed() {
        storage::remove(STORAGE_KEY).ok();
        return;
    }
    let now = wall_clock();
    let mut record = load(window_ms, now);
    record.note(ctx, event, product_id, variant_id, now);
    if let Some(text) = record.to_storage(&consent) {
        if let Err(e) = storage::write(STORAGE_KEY, &text) {
            host::warn(&format!("the attribution record could not be saved ({e})"));
        }
    }
}

/// Removes the record when consent (now `host`, with Consent Mode) denies storage.
pub fn enforce(data_layer_name: &str, host: Option<Consent>) {
    if !consent_state(data_layer_name, host).storage_allowed() {
        storage::remove(STORAGE_KEY).ok();
    }
}

/// The record's JSON text, pruned to `window_ms`.
pub fn current_record(window_ms: u64) -> String {
    load(window_ms, wall_clock()).to_record()
}

thread_local! {
    /// Products already reported on this page: `video_assisted_view` fires once per page load.
    static TRACKED: RefCell<Vec<String>> = const { RefCell::new(Vec::new()) };
}

/// The page is about `productId`: pushes `video_assisted_view` to the `dataLayer` when the
/// viewer interacted with that product in a video within the lookback window. `options`:
/// `{dataLayer: 'dataLayer', attributionWindow: 72}` (hours). Returns whether it pushed.
#[wasm_bindgen(js_name = trackProductView)]
pub fn track_product_view(product_id: &str, options: JsValue) -> bool {
    let option = |key: &str| Reflect::get(&options, &JsValue::from_str(key)).ok();
    let layer = option("dataLayer")
        .and_then(|v| v.as_string())
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "dataLayer".into());
    let hours = option("attributionWindow")
        .and_then(|v| v.as_f64().or_else(|| v.as_string()?.trim().parse().ok()));
    let product_id = product_id.trim();
    let first = TRACKED.with(|t| {
        let mut tracked = t.borrow_mut();
        let first = !tracked.iter().any(|id| id == product_id);
        if first {
            tracked.push(product_id.to_owned());
        }
        first
    });
    if product_id.is_empty() || !first {
        return false;
    }
    let now = wall_clock();
    let record = load(window_ms(hours), now);
    match record.interacted_within(product_id, now, window_ms(hours)) {
        Some(interaction) => data_layer::push(&layer, &video_assisted_view(interaction, now).json),
        None => false,
    }
}

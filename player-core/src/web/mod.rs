//! The browser driver: performs the I/O the engine asks for, with real browser APIs.
//!
//! It translates and never decides: every choice (what to fetch, when to switch, how to
//! recover) is the engine's. What lives here is the plumbing MSE and `fetch` need — one
//! SourceBuffer operation at a time, abortable requests, timers — and the teardown that leaves
//! nothing behind when a player is destroyed.

pub mod data_layer;
mod feed_loader;
mod fetch;
mod managed_media_source;
mod media_buffer;
mod media_engine;
mod native_playback;
mod playback;
pub mod shopify_cart;
pub mod storage;
mod text_request;

pub use feed_loader::{FeedLoadError, FeedRequest};
pub use media_buffer::time_ranges;
pub use media_engine::{browser_support, MediaEngine};
pub use playback::Playback;

/// Milliseconds on the page's monotonic clock.
pub fn now_ms() -> f64 {
    web_sys::window()
        .and_then(|w| w.performance())
        .map_or_else(js_sys::Date::now, |p| p.now())
}

//! Shoppable Player's user interface (Leptos) and its JavaScript entry points.
//!
//! JavaScript calls [`mount`] with a host element and options; everything renders into the
//! host's open shadow root. The custom element itself is defined in the JS loader, because
//! wasm-bindgen cannot subclass `HTMLElement`.

// `f64::clamp` asserts with a message that formats its bounds, which links Rust's float
// formatting (~19 KB) into the wasm; clamps are written as `max(..).min(..)` instead.
#![allow(clippy::manual_clamp)]

mod analytics;
mod chrome;
mod commerce;
mod host;
mod options;
mod panic_report;
mod player;
mod state;
mod strings;
mod time_format;

pub use analytics::track_product_view;
pub use player::{mount, PlayerHandle};

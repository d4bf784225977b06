//! Shoppable Player's user interface (Leptos) and its JavaScript entry points.
//!
//! JavaScript calls [`mount`] with a host element and options; everything renders into the
//! host's open shadow root. The custom element itself is defined in the JS loader, because
//! wasm-bindgen cannot subclass `HTMLElement`.

mod chrome;
mod host;
mod options;
mod player;
mod state;
mod time_format;

pub use player::{mount, PlayerHandle};

//! The Shoppable Player engine.
//!
//! Everything here is plain, deterministic Rust: parsers, the playback scheduler and the
//! commerce model take inputs and return outputs, and never touch a clock, the network or a
//! browser API. The one exception is [`web`] (feature `web`, wasm32 only), the thin driver that
//! performs the I/O the engine asks for.

// `f64::clamp` asserts with a message that formats its bounds, which links Rust's float
// formatting (~19 KB) into the wasm; clamps are written as `max(..).min(..)` instead.
#![allow(clippy::manual_clamp)]

pub mod analytics;
pub mod commerce;
pub mod error;
pub mod hls;
pub mod media;

#[cfg(all(feature = "web", target_arch = "wasm32"))]
pub mod web;

/// Sorts short vectors (a cart's lines, a master playlist's variants, a product's moments)
/// stably, with little code: `std`'s stable sort is ~5 KB of wasm for each element type it
/// is used with, this is ~100 bytes. Quadratic: only for lists of at most a few hundred.
pub(crate) fn insertion_sort<T>(v: &mut [T], greater: impl Fn(&T, &T) -> bool) {
    for i in 1..v.len() {
        let mut j = i;
        while j > 0 && greater(&v[j - 1], &v[j]) {
            v.swap(j - 1, j);
            j -= 1;
        }
    }
}

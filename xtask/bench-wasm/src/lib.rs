//! player-core's playlist parser and transmuxer behind a minimal wasm-bindgen surface, so
//! `cargo xtask bench` can time them in Node next to hls.js and mux.js.
//!
//! Each call returns a figure derived from the whole result (a count, an output size), so the
//! work cannot be optimised away and the bench can check that both sides did the same work.
//! Compiled with the workspace release profile and optimised with the same `wasm-opt -Oz` as
//! the shipped SDK: what is measured is what a shopper's browser runs.

use player_core::hls::playlist::{parse_playlist, parse_playlist_bytes, Playlist, PlaylistError};
use player_core::media::{SegmentContext, Transmuxer};
use wasm_bindgen::prelude::*;

/// The figure the bench checks: segments of a Media Playlist, variants of a Multivariant one.
fn count(parsed: Result<Playlist, PlaylistError>) -> Result<u32, JsError> {
    let count = match parsed.map_err(|e| JsError::new(&e.to_string()))? {
        Playlist::Media(media) => media.segments.len(),
        Playlist::Multivariant(multivariant) => multivariant.variants.len(),
    };
    Ok(u32::try_from(count).unwrap_or(u32::MAX))
}

/// Parses a playlist as the SDK does: `bytes` is the response body (the SDK's `fetch` reads it
/// with `arrayBuffer()` and copies it into wasm memory; wasm-bindgen copies the `Uint8Array`
/// here on every call), decoded and parsed by the same `parse_playlist_bytes` the engine calls.
/// Returns the number of segments of a Media Playlist or of variants of a Multivariant Playlist.
#[wasm_bindgen]
pub fn parse_playlist_count(bytes: &[u8], url: &str) -> Result<u32, JsError> {
    count(parse_playlist_bytes(bytes, url))
}

/// [`parse_playlist_count`], then the absolute URL of every segment (which parsing leaves as
/// written, as hls.js does): the like-for-like figure for hls.js reading every `fragment.url`.
/// Returns the number of segments.
#[wasm_bindgen]
pub fn parse_playlist_resolve_all(bytes: &[u8], url: &str) -> Result<u32, JsError> {
    let media = match parse_playlist_bytes(bytes, url).map_err(|e| JsError::new(&e.to_string()))? {
        Playlist::Media(media) => media,
        Playlist::Multivariant(_) => return Err(JsError::new("not a media playlist")),
    };
    let length: usize = media.segment_urls().map(|u| u.len()).sum();
    let count = media.segments.len() + usize::from(length == 0);
    Ok(u32::try_from(count).unwrap_or(u32::MAX))
}

/// [`parse_playlist_count`] from a JS string instead (wasm-bindgen encodes it into wasm memory
/// on every call, a JS loop over its characters): not how the SDK receives playlists, measured
/// to show what an API taking text would cost.
#[wasm_bindgen]
pub fn parse_playlist_text_count(text: &str, url: &str) -> Result<u32, JsError> {
    count(parse_playlist(text, url))
}

/// The number of `EXT-X-MEDIA` renditions in a Multivariant Playlist (0 for a Media Playlist):
/// lets the bench check that both parsers read the alternative renditions too.
#[wasm_bindgen]
pub fn parse_playlist_renditions(bytes: &[u8], url: &str) -> Result<u32, JsError> {
    let count = match parse_playlist_bytes(bytes, url).map_err(|e| JsError::new(&e.to_string()))? {
        Playlist::Media(_) => 0,
        Playlist::Multivariant(multivariant) => multivariant.renditions.len(),
    };
    Ok(u32::try_from(count).unwrap_or(u32::MAX))
}

/// One rendition's transmuxer: segments pushed in playlist order share its state (program map,
/// codec configuration, timeline), as in playback.
#[wasm_bindgen]
pub struct RenditionTransmuxer {
    inner: Transmuxer,
}

#[wasm_bindgen]
impl RenditionTransmuxer {
    #[wasm_bindgen(constructor)]
    #[allow(clippy::new_without_default)]
    pub fn new() -> Self {
        Self {
            inner: Transmuxer::new(),
        }
    }

    /// Transmuxes one MPEG-TS segment that starts at `start` seconds on the playlist timeline.
    /// Returns the fMP4 bytes produced (init segment, if any, plus the media fragment).
    pub fn push(&mut self, ts: &[u8], start: f64) -> Result<u32, JsError> {
        let segment = self
            .inner
            .transmux(
                ts,
                SegmentContext {
                    start,
                    discontinuity_sequence: 0,
                },
            )
            .map_err(|e| JsError::new(&e.to_string()))?;
        let bytes = segment.init.as_ref().map_or(0, Vec::len) + segment.media.len();
        Ok(u32::try_from(bytes).unwrap_or(u32::MAX))
    }
}

/// Transmuxes one segment with a fresh transmuxer; returns the fMP4 bytes produced.
#[wasm_bindgen]
pub fn transmux_bytes(ts: &[u8]) -> Result<u32, JsError> {
    RenditionTransmuxer::new().push(ts, 0.0)
}

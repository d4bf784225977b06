//! Starts the playback engine [`choose`] picks for this browser: our engine on a
//! `MediaSource` or a `ManagedMediaSource`, or the element's native HLS.

use js_sys::Reflect;
use wasm_bindgen::JsValue;
use web_sys::HtmlVideoElement;

use super::native_playback::NativePlayback;
use super::playback::Playback;
use crate::error::{ErrorCode, PlayerError};
use crate::hls::engine_choice::{choose, BrowserSupport, EngineKind, EnginePreference};
use crate::hls::{EngineConfig, EngineEvent, RenditionChoice};

/// The playback engine of a player, whichever it is.
pub enum MediaEngine {
    Mse(Playback),
    Native(NativePlayback),
}

/// What this browser offers, as [`choose`] needs it.
pub fn browser_support(video: &HtmlVideoElement) -> BrowserSupport {
    let global = js_sys::global();
    // Present and callable: a page (or a test) may delete or blank either constructor.
    let has =
        |name: &str| Reflect::get(&global, &JsValue::from_str(name)).is_ok_and(|v| v.is_function());
    BrowserSupport {
        media_source: has("MediaSource"),
        managed_media_source: has("ManagedMediaSource"),
        native_hls: !video
            .can_play_type("application/vnd.apple.mpegurl")
            .is_empty(),
    }
}

impl MediaEngine {
    /// The engine for the `engine` option on this browser; `None` when it can play no HLS.
    pub fn choose(preference: EnginePreference, video: &HtmlVideoElement) -> Option<EngineKind> {
        choose(preference, browser_support(video))
    }

    /// Attaches the engine `kind` to `video`; events (loaded, metadata, errors) go to
    /// `on_event` as the MSE engine reports them, whichever engine runs.
    pub fn start(
        kind: Option<EngineKind>,
        video: HtmlVideoElement,
        config: EngineConfig,
        on_event: impl Fn(EngineEvent) + 'static,
    ) -> Result<MediaEngine, PlayerError> {
        match kind {
            Some(EngineKind::Mse) => Playback::new(video, config, on_event).map(MediaEngine::Mse),
            Some(EngineKind::ManagedMse) => {
                Playback::new_managed(video, config, on_event).map(MediaEngine::Mse)
            }
            Some(EngineKind::Native) => {
                Ok(MediaEngine::Native(NativePlayback::new(video, on_event)))
            }
            None => Err(PlayerError {
                code: ErrorCode::MediaUnsupported,
                message: "This browser can play neither Media Source Extensions nor HLS.".into(),
                url: None,
                fatal: true,
            }),
        }
    }

    /// Lets the page's earlier `fetch(url)` answer our engine's first request (see
    /// [`Playback::adopt_prefetched`]). Native HLS fetches for itself: nothing to adopt.
    pub fn adopt_prefetched(&self, url: &str, response: js_sys::Promise) {
        if let MediaEngine::Mse(p) = self {
            p.adopt_prefetched(url, response);
        }
    }

    /// Loads and plays `url`, replacing whatever was loaded before.
    pub fn load(&self, url: &str) {
        match self {
            MediaEngine::Mse(p) => p.load(url),
            MediaEngine::Native(p) => p.load(url),
        }
    }

    /// Jumps to the live edge.
    pub fn go_live(&self) {
        match self {
            MediaEngine::Mse(p) => p.go_live(),
            MediaEngine::Native(p) => p.go_live(),
        }
    }

    /// Sets the quality; the native engine chooses for itself and ignores this.
    pub fn set_rendition(&self, choice: RenditionChoice) {
        if let MediaEngine::Mse(p) = self {
            p.set_rendition(choice);
        }
    }
}

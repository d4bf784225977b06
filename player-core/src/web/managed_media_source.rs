//! Apple's `ManagedMediaSource` (Safari 17, iOS 17.1+): a `MediaSource` whose owner, the
//! browser, says when fetching media is welcome (`startstreaming`) and when it is not
//! (`endstreaming`: enough is buffered, or the device is saving power). iPhones have only this
//! one. web-sys has no bindings for it yet, hence the small declaration below.

use gloo_events::EventListener;
use wasm_bindgen::prelude::*;
use web_sys::MediaSource;

use crate::hls::command::RequestKind;
use crate::hls::FetchRequest;

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(extends = MediaSource, js_name = ManagedMediaSource)]
    type ManagedMediaSource;

    #[wasm_bindgen(constructor, catch, js_class = "ManagedMediaSource")]
    fn new() -> Result<ManagedMediaSource, JsValue>;
}

/// A new `ManagedMediaSource`, usable wherever a `MediaSource` is (it is one).
pub(crate) fn create() -> Result<MediaSource, JsValue> {
    ManagedMediaSource::new().map(Into::into)
}

/// Holds media fetches while a managed source has said `endstreaming`, and gives them back on
/// `startstreaming`. Playlists pass: a live playlist must keep moving, and it is small.
///
/// Fetching is allowed until the first `endstreaming`: Safari sends `startstreaming` only once
/// it wants data, which for a fresh source can depend on media we have not fetched yet.
#[derive(Default)]
pub(crate) struct StreamingGate {
    closed: bool,
    held: Vec<FetchRequest>,
}

impl StreamingGate {
    /// `request` may start now; otherwise it is kept until [`StreamingGate::open`].
    pub fn admit(&mut self, request: FetchRequest) -> Option<FetchRequest> {
        if self.closed && request.kind != RequestKind::Playlist {
            self.held.push(request);
            None
        } else {
            Some(request)
        }
    }

    /// `endstreaming`.
    pub fn close(&mut self) {
        self.closed = true;
    }

    /// `startstreaming`: the held requests, to start now in their order.
    pub fn open(&mut self) -> Vec<FetchRequest> {
        self.closed = false;
        std::mem::take(&mut self.held)
    }

    /// The engine gave up a request: a held one is simply forgotten. `true` if it was held.
    pub fn forget(&mut self, id: crate::hls::RequestId) -> bool {
        let before = self.held.len();
        self.held.retain(|r| r.id != id);
        self.held.len() != before
    }

    /// A new source (another stream): nothing held carries over.
    pub fn reset(&mut self) {
        *self = StreamingGate::default();
    }
}

/// Listens for the managed source's `startstreaming` (`true`) and `endstreaming` (`false`).
pub(crate) fn streaming_listeners(
    source: &MediaSource,
    on_change: impl Fn(bool) + Clone + 'static,
) -> Vec<EventListener> {
    let start = on_change.clone();
    vec![
        EventListener::new(source, "startstreaming", move |_| start(true)),
        EventListener::new(source, "endstreaming", move |_| on_change(false)),
    ]
}

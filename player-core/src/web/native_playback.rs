//! HLS played by the `<video>` element itself, for browsers without any Media Source (iPhones
//! before iOS 17.1). The browser fetches, adapts and decodes; this driver only reports what the
//! engine would have: that the stream loaded (no renditions to choose from), errors, and the
//! stream's timed metadata, which Safari exposes as cues of metadata text tracks.
//!
//! Safari turns each `EXT-X-DATERANGE` into one `DataCue` per attribute, all with the range's
//! start and end, `type` `com.apple.quicktime.HLS` and `value` `{key, data}` (`key` `CLASS`,
//! `X-PRODUCT-ID`, …); ID3 frames become `DataCue`s of type `org.id3` with `value`
//! `{key: "TXXX", info: description, data: text}`. They are regrouped here into the engine's
//! [`MetadataCue`]s, so product moments work the same on every engine.

use std::cell::RefCell;
use std::rc::Rc;

use gloo_events::EventListener;
use js_sys::Reflect;
use wasm_bindgen::JsValue;
use web_sys::{HtmlVideoElement, TextTrack, TextTrackKind, TextTrackMode};

use crate::error::{ErrorCode, PlayerError};
use crate::hls::metadata::{MetadataCue, MetadataPayload};
use crate::hls::playlist::{ClientAttribute, ClientAttributeValue};
use crate::hls::EngineEvent;

type EventSink = Rc<dyn Fn(EngineEvent)>;

/// Native HLS in one `<video>` element. Dropping it removes its listeners and the source.
pub struct NativePlayback {
    inner: Rc<RefCell<Native>>,
}

struct Native {
    video: HtmlVideoElement,
    on_event: EventSink,
    /// `loadedmetadata` was reported for the current source.
    loaded: bool,
    /// Ids of the cues already reported, so a cue is reported once.
    reported: Vec<String>,
    listeners: Vec<EventListener>,
    track_listeners: Vec<EventListener>,
}

impl NativePlayback {
    pub fn new(video: HtmlVideoElement, on_event: impl Fn(EngineEvent) + 'static) -> Self {
        let inner = Rc::new(RefCell::new(Native {
            video: video.clone(),
            on_event: Rc::new(on_event),
            loaded: false,
            reported: Vec::new(),
            listeners: Vec::new(),
            track_listeners: Vec::new(),
        }));
        let weak = Rc::downgrade(&inner);
        let on =
            |target: &web_sys::EventTarget, name: &'static str, f: fn(&Rc<RefCell<Native>>)| {
                let weak = weak.clone();
                EventListener::new(target, name, move |_| {
                    if let Some(inner) = weak.upgrade() {
                        f(&inner);
                    }
                })
            };
        let tracks = video.text_tracks();
        let mut listeners = vec![
            on(&video, "loadedmetadata", loaded),
            on(&video, "error", failed),
        ];
        if let Some(tracks) = &tracks {
            listeners.push(on(tracks, "addtrack", watch_tracks));
        }
        inner.borrow_mut().listeners = listeners;
        NativePlayback { inner }
    }

    /// Loads and plays `url`, replacing whatever was loaded before.
    pub fn load(&self, url: &str) {
        let mut n = self.inner.borrow_mut();
        n.loaded = false;
        n.reported.clear();
        n.video.set_src(url);
    }

    /// Jumps to the end of the live window; the element follows the edge from there.
    pub fn go_live(&self) {
        let video = self.inner.borrow().video.clone();
        let seekable = video.seekable();
        if let Ok(end) = seekable.end(seekable.length().saturating_sub(1)) {
            video.set_current_time(end);
        }
    }
}

impl Drop for NativePlayback {
    fn drop(&mut self) {
        if let Ok(mut n) = self.inner.try_borrow_mut() {
            n.listeners.clear();
            n.track_listeners.clear();
            n.video.remove_attribute("src").ok();
            n.video.load();
        }
    }
}

fn emit(inner: &Rc<RefCell<Native>>, event: EngineEvent) {
    // Released first: a handler may call back into the player.
    let sink = inner.borrow().on_event.clone();
    sink(event);
}

fn loaded(inner: &Rc<RefCell<Native>>) {
    let duration = {
        let mut n = inner.borrow_mut();
        if std::mem::replace(&mut n.loaded, true) {
            return;
        }
        n.video.duration()
    };
    // The element reports a live stream's duration as +Infinity.
    let live = duration == f64::INFINITY;
    emit(
        inner,
        EngineEvent::Loaded {
            renditions: Vec::new(),
            live,
            duration: duration.is_finite().then_some(duration),
        },
    );
    // Tracks present before we listened (Safari may add them with the metadata).
    watch_tracks(inner);
}

fn failed(inner: &Rc<RefCell<Native>>) {
    let (error, url) = {
        let n = inner.borrow();
        (n.video.error(), n.video.current_src())
    };
    // MediaError codes: 2 network, 3 decode, 4 source not supported.
    let (code, fallback) = match error.as_ref().map(|e| e.code()) {
        Some(2) => (
            ErrorCode::ManifestLoad,
            "The video could not be downloaded.",
        ),
        Some(4) => (
            ErrorCode::MediaUnsupported,
            "This browser cannot play this video.",
        ),
        _ => (ErrorCode::MediaDecode, "The video could not be decoded."),
    };
    let message = error
        .map(|e| e.message())
        .filter(|m| !m.is_empty())
        .unwrap_or_else(|| fallback.into());
    let error = PlayerError {
        code,
        message,
        url: (!url.is_empty()).then_some(url),
        fatal: true,
    };
    emit(inner, EngineEvent::Error(error));
}

/// Listens to every metadata track's `cuechange` (and reads its cues now). Tracks must not be
/// `disabled`, or their cues are never loaded; `hidden` loads them without rendering them.
fn watch_tracks(inner: &Rc<RefCell<Native>>) {
    let tracks = metadata_tracks(&inner.borrow().video);
    let weak = Rc::downgrade(inner);
    let listeners = tracks
        .iter()
        .map(|track| {
            if track.mode() == TextTrackMode::Disabled {
                track.set_mode(TextTrackMode::Hidden);
            }
            let weak = weak.clone();
            EventListener::new(track, "cuechange", move |_| {
                if let Some(inner) = weak.upgrade() {
                    read_cues(&inner);
                }
            })
        })
        .collect();
    inner.borrow_mut().track_listeners = listeners;
    read_cues(inner);
}

fn metadata_tracks(video: &HtmlVideoElement) -> Vec<TextTrack> {
    let Some(list) = video.text_tracks() else {
        return Vec::new();
    };
    (0..list.length())
        .filter_map(|i| list.get(i))
        .filter(|t| t.kind() == TextTrackKind::Metadata)
        .collect()
}

/// Reports the metadata tracks' cues not reported yet.
fn read_cues(inner: &Rc<RefCell<Native>>) {
    let fresh = {
        let mut n = inner.borrow_mut();
        let mut found = Vec::new();
        for track in metadata_tracks(&n.video) {
            let Some(list) = track.cues() else { continue };
            let raw: Vec<RawCue> = (0..list.length())
                .filter_map(|i| list.get(i))
                .filter_map(|cue| RawCue::read(cue.as_ref(), cue.start_time(), cue.end_time()))
                .collect();
            found.extend(group_cues(&raw));
        }
        found.retain(|cue| !n.reported.contains(&cue.id));
        n.reported.extend(found.iter().map(|c| c.id.clone()));
        found
    };
    if !fresh.is_empty() {
        emit(inner, EngineEvent::Metadata(fresh));
    }
}

/// One `DataCue` as Safari fills it in.
struct RawCue {
    id: String,
    start: f64,
    end: f64,
    /// `value.key`: a date range attribute name, or an ID3 frame id.
    key: String,
    /// `value.info`: an ID3 `TXXX` description.
    info: Option<String>,
    /// `value.data`, when text.
    data: String,
}

impl RawCue {
    fn read(cue: &JsValue, start: f64, end: f64) -> Option<RawCue> {
        let text = |from: &JsValue, key: &str| {
            Reflect::get(from, &JsValue::from_str(key))
                .ok()
                .and_then(|v| v.as_string())
        };
        let value = Reflect::get(cue, &JsValue::from_str("value")).ok()?;
        if !value.is_object() {
            return None;
        }
        Some(RawCue {
            id: text(cue, "id").unwrap_or_default(),
            start,
            end,
            key: text(&value, "key")?,
            info: text(&value, "info"),
            data: text(&value, "data")?,
        })
    }
}

/// Date range attribute cues regrouped per range (same id, or same times when Safari leaves
/// the id empty); ID3 text frames one cue each.
fn group_cues(raw: &[RawCue]) -> Vec<MetadataCue> {
    let end_of = |c: &RawCue| (c.end.is_finite() && c.end > c.start).then_some(c.end);
    let millis = |t: f64| (t * 1000.0).round() as i64;
    let mut cues: Vec<MetadataCue> = Vec::new();
    for c in raw {
        if c.key == "TXXX" || (c.key.starts_with('T') && c.key.len() == 4) {
            let description = c.info.clone().unwrap_or_else(|| c.key.clone());
            cues.push(MetadataCue {
                id: format!("id3:{}:{description}", millis(c.start)),
                start: c.start,
                end: None,
                payload: MetadataPayload::Id3Text {
                    description,
                    value: c.data.clone(),
                },
            });
            continue;
        }
        let id = if c.id.is_empty() {
            format!("daterange:@{}-{}", millis(c.start), millis(c.end))
        } else {
            format!("daterange:{}", c.id)
        };
        let at = match cues.iter().position(|m| m.id == id) {
            Some(at) => at,
            None => {
                cues.push(MetadataCue {
                    id,
                    start: c.start,
                    end: end_of(c),
                    payload: MetadataPayload::DateRange {
                        class: None,
                        attributes: Vec::new(),
                    },
                });
                cues.len() - 1
            }
        };
        if let MetadataPayload::DateRange { class, attributes } = &mut cues[at].payload {
            if c.key == "CLASS" {
                *class = Some(c.data.clone());
            } else if c.key.starts_with("X-") {
                attributes.push(ClientAttribute {
                    name: c.key.clone(),
                    value: ClientAttributeValue::String(c.data.clone()),
                });
            }
        }
    }
    // A range is reported once complete enough to mean something: with its class. Safari adds
    // a range's cues together, so a class-less group is one that has none.
    cues.retain(|c| match &c.payload {
        MetadataPayload::DateRange { class, .. } => class.is_some(),
        MetadataPayload::Id3Text { .. } => true,
    });
    cues
}

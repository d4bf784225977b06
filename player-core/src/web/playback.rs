//! Runs an [`Engine`] against a `<video>` element with Media Source Extensions.

use std::cell::RefCell;
use std::rc::{Rc, Weak};

use gloo_events::EventListener;
use gloo_timers::callback::Timeout;
use web_sys::{AbortController, HtmlVideoElement, MediaSource, SourceBuffer, Url};

use super::fetch;
use super::managed_media_source::{self, StreamingGate};
use super::media_buffer::{MediaBuffer, Outcome};
use super::now_ms;
use crate::error::{ErrorCode, PlayerError};
use crate::hls::engine::{MediaBufferFailure, MediaState};
use crate::hls::{Command, Engine, EngineConfig, EngineEvent, RenditionChoice, RequestId};

type EventSink = Rc<dyn Fn(EngineEvent)>;

/// HLS playback in one `<video>` element. Dropping it stops every request, timer and
/// listener and detaches the MediaSource.
pub struct Playback {
    driver: Rc<RefCell<Driver>>,
}

struct Driver {
    engine: Engine,
    video: HtmlVideoElement,
    buffer: MediaBuffer,
    object_url: String,
    requests: Vec<(RequestId, AbortController)>,
    timer: Option<Timeout>,
    video_listeners: Vec<EventListener>,
    source_listeners: Vec<EventListener>,
    on_event: EventSink,
    /// On a `ManagedMediaSource`, which may ask us to stop fetching for a while.
    managed: bool,
    streaming: StreamingGate,
    /// The page's own request for the source playlist, made while the engine loaded: it
    /// answers the first request if that is for the same URL.
    prefetched: Option<(String, js_sys::Promise)>,
}

impl Playback {
    /// Attaches to `video`. Engine events (renditions, switches, errors) go to `on_event`.
    pub fn new(
        video: HtmlVideoElement,
        config: EngineConfig,
        on_event: impl Fn(EngineEvent) + 'static,
    ) -> Result<Playback, PlayerError> {
        Playback::attach(video, config, false, Rc::new(on_event))
    }

    /// The same on Apple's `ManagedMediaSource` (iPhones have no plain `MediaSource`).
    pub fn new_managed(
        video: HtmlVideoElement,
        config: EngineConfig,
        on_event: impl Fn(EngineEvent) + 'static,
    ) -> Result<Playback, PlayerError> {
        // Safari only lets a managed source play when AirPlay is off or has an alternative
        // source; an AirPlay receiver could not use our object URL anyway.
        js_sys::Reflect::set(&video, &"disableRemotePlayback".into(), &true.into()).ok();
        Playback::attach(video, config, true, Rc::new(on_event))
    }

    fn attach(
        video: HtmlVideoElement,
        config: EngineConfig,
        managed: bool,
        on_event: EventSink,
    ) -> Result<Playback, PlayerError> {
        let (media_source, object_url) = open_media_source(managed)?;
        video.set_src(&object_url);
        let driver = Rc::new(RefCell::new(Driver {
            engine: Engine::new(config),
            video,
            buffer: MediaBuffer::new(media_source),
            object_url,
            requests: Vec::new(),
            timer: None,
            video_listeners: Vec::new(),
            source_listeners: Vec::new(),
            on_event,
            managed,
            streaming: StreamingGate::default(),
            prefetched: None,
        }));
        let weak = Rc::downgrade(&driver);
        {
            let mut d = driver.borrow_mut();
            d.video_listeners = video_listeners(&d.video, &weak);
            d.source_listeners = source_listeners(&d.buffer.media_source, managed, &weak);
        }
        Ok(Playback { driver })
    }

    /// Lets `response` (a `fetch(url)` the page started earlier) answer the first request,
    /// if that is for `url`: the source playlist then downloads while the engine loads.
    pub fn adopt_prefetched(&self, url: &str, response: js_sys::Promise) {
        self.driver.borrow_mut().prefetched = Some((url.to_owned(), response));
    }

    /// Loads and plays `url`, replacing whatever was loaded before.
    pub fn load(&self, url: &str) {
        let weak = Rc::downgrade(&self.driver);
        let reattach = {
            let mut d = self.driver.borrow_mut();
            d.abort_all();
            // A fresh MediaSource: the old SourceBuffer may hold another stream's codecs.
            match open_media_source(d.managed) {
                Ok((media_source, object_url)) => {
                    Url::revoke_object_url(&d.object_url).ok();
                    d.video.set_src(&object_url);
                    d.object_url = object_url;
                    d.streaming.reset();
                    d.source_listeners = source_listeners(&media_source, d.managed, &weak);
                    d.buffer = MediaBuffer::new(media_source);
                    Ok(())
                }
                Err(error) => Err(error),
            }
        };
        if let Err(error) = reattach {
            let sink = self.driver.borrow().on_event.clone();
            sink(EngineEvent::Error(error));
            return;
        }
        let url = url.to_owned();
        drive(&weak, move |d, now| d.engine.load(&url, now));
    }

    /// Jumps to the live edge and follows it again.
    pub fn go_live(&self) {
        drive(&Rc::downgrade(&self.driver), |d, now| d.engine.go_live(now));
    }

    /// Sets the quality: `Auto` or one rendition.
    pub fn set_rendition(&self, choice: RenditionChoice) {
        drive(&Rc::downgrade(&self.driver), move |d, now| {
            d.engine.set_rendition(choice, now)
        });
    }
}

impl Drop for Playback {
    fn drop(&mut self) {
        if let Ok(mut d) = self.driver.try_borrow_mut() {
            d.abort_all();
            d.timer = None;
            d.video_listeners.clear();
            d.source_listeners.clear();
            Url::revoke_object_url(&d.object_url).ok();
            d.video.remove_attribute("src").ok();
            d.video.load();
        }
    }
}

fn open_media_source(managed: bool) -> Result<(MediaSource, String), PlayerError> {
    let unsupported = |_| PlayerError {
        code: ErrorCode::MediaUnsupported,
        message: "This browser does not support Media Source Extensions.".into(),
        url: None,
        fatal: true,
    };
    let media_source = if managed {
        managed_media_source::create()
    } else {
        MediaSource::new()
    }
    .map_err(unsupported)?;
    let url = Url::create_object_url_with_source(&media_source).map_err(unsupported)?;
    Ok((media_source, url))
}

/// Runs `input` on the driver, then performs everything the engine asked for. Events are
/// delivered after the driver is released, so a handler may call back into the player.
fn drive(weak: &Weak<RefCell<Driver>>, input: impl FnOnce(&mut Driver, f64) + 'static) {
    let Some(rc) = weak.upgrade() else {
        return;
    };
    let Ok(mut driver) = rc.try_borrow_mut() else {
        // Re-entered from inside a browser call: run once the current turn is over.
        let weak = weak.clone();
        wasm_bindgen_futures::spawn_local(async move { drive(&weak, input) });
        return;
    };
    input(&mut driver, now_ms());
    let events = driver.perform_commands(weak);
    let sink = driver.on_event.clone();
    drop(driver);
    for event in events {
        sink(event);
    }
}

impl Driver {
    fn media_state(&self) -> MediaState {
        let ratio = web_sys::window().map_or(1.0, |w| w.device_pixel_ratio());
        let height = self.video.client_height();
        // HAVE_FUTURE_DATA: below it a playing element is waiting for media.
        const HAVE_FUTURE_DATA: u16 = 3;
        let paused = self.video.paused();
        MediaState {
            position: self.video.current_time(),
            paused,
            waiting: !paused
                && !self.video.seeking()
                && self.video.ready_state() < HAVE_FUTURE_DATA,
            max_height: (height > 0).then(|| (f64::from(height) * ratio).round() as u32),
        }
    }

    fn abort_all(&mut self) {
        for (_, controller) in self.requests.drain(..) {
            controller.abort();
        }
    }

    /// Drains the engine's commands and the buffer queue until both are idle.
    fn perform_commands(&mut self, weak: &Weak<RefCell<Driver>>) -> Vec<EngineEvent> {
        let mut events = Vec::new();
        loop {
            while let Some(command) = self.engine.poll_command() {
                match command {
                    Command::Fetch(request) => {
                        if let Some(request) = self.streaming.admit(request) {
                            self.start_fetch(request, weak);
                        }
                    }
                    Command::Abort(id) if self.streaming.forget(id) => {}
                    Command::Abort(id) => {
                        if let Some(at) = self.requests.iter().position(|(r, _)| *r == id) {
                            self.requests.swap_remove(at).1.abort();
                        }
                    }
                    Command::Seek(t) => self.video.set_current_time(t),
                    Command::SetPlaybackRate(rate) => self.video.set_playback_rate(rate),
                    Command::Emit(event) => events.push(event),
                    op => self.buffer.enqueue(op),
                }
            }
            let Some((outcome, created)) = self.buffer.start_next() else {
                break;
            };
            if let Some(sb) = created {
                self.source_listeners
                    .extend(source_buffer_listeners(&sb, weak));
            }
            let now = now_ms();
            match outcome {
                Outcome::Done(buffered) => self.engine.handle_buffer_updated(buffered, now),
                Outcome::Failed(failure) => self.engine.handle_buffer_error(failure, now),
                Outcome::Started => {}
            }
        }
        self.arm_timer(weak);
        events
    }

    fn start_fetch(&mut self, request: crate::hls::FetchRequest, weak: &Weak<RefCell<Driver>>) {
        let Ok(controller) = AbortController::new() else {
            let failure = crate::hls::engine::FetchFailure::Network("fetch unavailable".into());
            self.engine
                .handle_fetch_failure(request.id, failure, now_ms());
            return;
        };
        // Only the first request can be the prefetched one; a later one must go to the network.
        let prefetched = self
            .prefetched
            .take()
            .filter(|(url, _)| *url == request.url && request.range.is_none());
        let pending = match prefetched {
            Some((_, response)) => Ok(fetch::adopt(&request.url, response)),
            None => fetch::begin(&request.url, request.range, &controller.signal()),
        };
        self.requests.push((request.id, controller));
        let weak = weak.clone();
        wasm_bindgen_futures::spawn_local(async move {
            let result = match pending {
                Ok(pending) => pending.body().await,
                Err(failure) => Err(failure),
            };
            drive(&weak, move |d, now| {
                // An aborted request's late answer is not news to the engine.
                let Some(at) = d.requests.iter().position(|(r, _)| *r == request.id) else {
                    return;
                };
                d.requests.swap_remove(at);
                match result {
                    Ok(body) => d.engine.handle_fetch_success(request.id, body, now),
                    Err(failure) => d.engine.handle_fetch_failure(request.id, failure, now),
                }
            });
        });
    }

    fn arm_timer(&mut self, weak: &Weak<RefCell<Driver>>) {
        self.timer = self.engine.poll_timeout().map(|at| {
            let delay = (at - now_ms()).max(0.0).min(60_000.0) as u32;
            let weak = weak.clone();
            Timeout::new(delay, move || {
                drive(&weak, |d, now| {
                    // Timers fire when nothing else happens, e.g. during a stall: look again.
                    d.engine.handle_media_state(d.media_state(), now);
                    d.engine.handle_timeout(now);
                })
            })
        });
    }
}

fn video_listeners(video: &HtmlVideoElement, weak: &Weak<RefCell<Driver>>) -> Vec<EventListener> {
    let on = |name: &'static str, input: fn(&mut Driver, f64)| {
        let weak = weak.clone();
        EventListener::new(video, name, move |_| drive(&weak, input))
    };
    vec![
        on("timeupdate", |d, now| {
            d.engine.handle_media_state(d.media_state(), now)
        }),
        on("waiting", |d, now| {
            d.engine.handle_media_state(d.media_state(), now)
        }),
        on("resize", |d, now| {
            d.engine.handle_media_state(d.media_state(), now)
        }),
        on("seeking", |d, now| {
            d.engine.seek(d.video.current_time(), now)
        }),
        on("error", |d, now| {
            let message = d
                .video
                .error()
                .map(|e| e.message())
                .filter(|m| !m.is_empty())
                .unwrap_or_else(|| "the media element reported an error".into());
            d.engine
                .handle_buffer_error(MediaBufferFailure::Decode(message), now);
        }),
    ]
}

fn source_listeners(
    media_source: &MediaSource,
    managed: bool,
    weak: &Weak<RefCell<Driver>>,
) -> Vec<EventListener> {
    let opened = weak.clone();
    // Operations queued before the MediaSource opened can run now.
    let mut listeners = vec![EventListener::new(media_source, "sourceopen", move |_| {
        drive(&opened, |_, _| {})
    })];
    if managed {
        let weak = weak.clone();
        listeners.extend(managed_media_source::streaming_listeners(
            media_source,
            move |allowed| {
                let again = weak.clone();
                drive(&weak, move |d, _| {
                    if !allowed {
                        d.streaming.close();
                        return;
                    }
                    for request in d.streaming.open() {
                        d.start_fetch(request, &again);
                    }
                })
            },
        ));
    }
    listeners
}

fn source_buffer_listeners(sb: &SourceBuffer, weak: &Weak<RefCell<Driver>>) -> Vec<EventListener> {
    let done = weak.clone();
    let failed = weak.clone();
    // MSE fires `error` and then `updateend` for a failed append: note the failure on the
    // first and report the operation once, on the second.
    vec![
        EventListener::new(sb, "error", move |_| {
            drive(&failed, |d, _| d.buffer.mark_failed())
        }),
        EventListener::new(sb, "updateend", move |_| {
            drive(&done, |d, now| match d.buffer.finish_running() {
                Ok(buffered) => d.engine.handle_buffer_updated(buffered, now),
                Err(failure) => d.engine.handle_buffer_error(failure, now),
            })
        }),
    ]
}

//! Every interaction, to every sink: the host's GTM `dataLayer` (GA4's ecommerce schema), a
//! `shoppable:<event>` DOM event on the element, and so `player.on(event, cb)`.
//!
//! The payloads and the decisions of *when* (progress thresholds, cards seen for a second,
//! double clicks, stalls) are `player_core::analytics`; this module feeds it the browser's
//! facts (the video element's events, the player's visibility, the clock) and delivers what it
//! builds. [`Analytics`] is `Copy`, one per player, and lives under the player's reactive
//! owner: unmounting drops its listeners and timers.

mod attribution;
mod visibility;

pub use attribution::track_product_view;

use std::sync::Arc;

use gloo_events::EventListener;
use gloo_timers::callback::Timeout;
use js_sys::{Reflect, JSON};
use leptos::prelude::*;
use player_core::analytics::consent::Consent;
use player_core::analytics::context::{Attribution, EventContext, VideoContext};
use player_core::analytics::dedupe::{ClickGuard, ViewItemListTracker};
use player_core::analytics::ecommerce::{self, SHOPIFY_REPORTED};
use player_core::analytics::video::{self, Quality, StallTracker, VideoMilestone, VideoProgress};
use player_core::analytics::Event;
use player_core::commerce::cart::{Cart, CartChange};
use player_core::commerce::feed::Feed;
use player_core::commerce::money::Currency;
use player_core::hls::RenditionInfo;
use player_core::web::{data_layer, now_ms};
use wasm_bindgen::JsValue;
use web_sys::{HtmlElement, HtmlVideoElement};

use crate::host;
use crate::options::PlayerOptions;
use crate::state::PlayerState;
use visibility::VisibilityWatch;

/// Per-player analytics; every field is a handle.
#[derive(Clone, Copy)]
pub struct Analytics {
    tracker: StoredValue<Tracker, LocalStorage>,
    state: PlayerState,
}

struct Tracker {
    host: HtmlElement,
    video: Option<HtmlVideoElement>,
    feed: Option<RwSignal<Arc<Feed>>>,
    /// `window[data_layer]` receives the pushes.
    data_layer: String,
    video_id: String,
    video_title: String,
    video_url: String,
    /// The playback engine (`video_start`'s `video_engine`).
    engine: &'static str,
    /// The `currency` option, for feeds without one.
    currency: Option<Currency>,
    attribution: Attribution,
    campaign_params: Vec<String>,
    /// In `shopify` checkout mode, events Shopify reports itself stay out of the `dataLayer`.
    shopify_checkout: bool,
    consent: Option<Consent>,
    /// Lookback window, ms.
    window_ms: u64,
    progress: VideoProgress,
    stalls: StallTracker,
    cards: ViewItemListTracker,
    /// The cards on screen now (whether or not the player is visible).
    cards_now: Vec<String>,
    card_timer: Option<Timeout>,
    clicks: ClickGuard,
    quality: Option<Quality>,
    visible: bool,
    _listeners: Vec<EventListener>,
    _visibility: Option<VisibilityWatch>,
}

/// Seconds on the media timeline as whole milliseconds (0 for NaN and negatives).
fn millis(seconds: f64) -> u64 {
    if seconds.is_finite() && seconds > 0.0 {
        (seconds * 1000.0).round() as u64
    } else {
        0
    }
}

fn clock() -> u64 {
    now_ms() as u64
}

/// A random 64-bit view id. Not a secret, so `Math.random` (two 32-bit halves) is enough.
fn random_u64() -> u64 {
    let half = || (js_sys::Math::random() * 4_294_967_296.0) as u64;
    (half() << 32) | half()
}

fn page_url() -> String {
    web_sys::window()
        .and_then(|w| w.location().href().ok())
        .unwrap_or_default()
}

/// `src` as an absolute URL (what `video_url` reports).
fn absolute(src: &str) -> String {
    web_sys::Url::new_with_base(src, &page_url()).map_or_else(|_| src.to_owned(), |u| u.href())
}

impl Analytics {
    /// Creates the analytics of a player under the current reactive owner.
    pub fn new(host: HtmlElement, options: &PlayerOptions, state: PlayerState) -> Self {
        let campaign_params: Vec<String> = options
            .campaign_params
            .as_deref()
            .unwrap_or_default()
            .split(',')
            .map(|p| p.trim().to_owned())
            .filter(|p| !p.is_empty())
            .collect();
        let tracker = Tracker {
            host,
            video: None,
            feed: None,
            data_layer: options
                .data_layer
                .clone()
                .unwrap_or_else(|| "dataLayer".into()),
            video_id: options.video_id.clone().unwrap_or_default(),
            video_title: options.video_title.clone().unwrap_or_default(),
            video_url: options.src.as_deref().map(absolute).unwrap_or_default(),
            engine: "",
            currency: options.currency.as_deref().and_then(Currency::parse),
            attribution: Attribution::default(),
            campaign_params,
            shopify_checkout: false,
            consent: options.consent.as_deref().and_then(Consent::parse),
            window_ms: attribution::window_ms(options.attribution_window),
            progress: VideoProgress::new(),
            stalls: StallTracker::new(),
            cards: ViewItemListTracker::new(),
            cards_now: Vec::new(),
            card_timer: None,
            clicks: ClickGuard::new(),
            quality: None,
            visible: true,
            _listeners: Vec::new(),
            _visibility: None,
        };
        let analytics = Analytics {
            tracker: StoredValue::new_local(tracker),
            state,
        };
        analytics.new_view(None);
        analytics
    }

    /// Starts watching the video element and the player's visibility.
    /// The engine chosen for this player (`mse`, `managed-mse`, `native`).
    pub fn set_engine(&self, engine: &'static str) {
        self.tracker.update_value(|t| t.engine = engine);
    }

    pub fn start(&self, video: &HtmlVideoElement, feed: RwSignal<Arc<Feed>>, shopify: bool) {
        let this = *self;
        let on = |name: &'static str, f: fn(Analytics)| {
            EventListener::new(video, name, move |_| f(this))
        };
        let listeners = vec![
            on("playing", |a| {
                a.stall_update(false);
                a.sample();
            }),
            on("timeupdate", Analytics::sample),
            on("pause", Analytics::sample),
            on("seeked", Analytics::sample),
            on("seeking", |a| a.stall_update(false)),
            on("waiting", |a| a.stall_update(true)),
            on("ended", Analytics::ended),
        ];
        let Some(host) = self.tracker.try_with_value(|t| t.host.clone()) else {
            return;
        };
        let watch = VisibilityWatch::new(&host, move |visible| this.visibility(visible));
        let video = video.clone();
        self.tracker.try_update_value(|t| {
            t.video = Some(video);
            t.feed = Some(feed);
            t.shopify_checkout = shopify;
            t._listeners = listeners;
            t._visibility = watch;
        });
    }

    /// A new view (a new stream, or the first): a new session id and campaign capture, and
    /// every "once per view" starts over.
    pub fn new_view(&self, src: Option<&str>) {
        let url = page_url();
        self.tracker.try_update_value(|t| {
            let params: Vec<&str> = t.campaign_params.iter().map(String::as_str).collect();
            t.attribution = Attribution::from_url(&url, &params, random_u64());
            if let Some(src) = src {
                t.video_url = absolute(src);
            }
            t.progress = VideoProgress::new();
            t.stalls = StallTracker::new();
            t.cards = ViewItemListTracker::new();
            t.card_timer = None;
            t.quality = None;
            let now = clock();
            for id in &t.cards_now {
                if t.visible {
                    t.cards.show(id, now);
                }
            }
        });
        self.schedule_cards();
    }

    /// The event context now: the video, the second of it, the view and the campaign.
    fn context(&self) -> EventContext {
        let live = self.state.live.try_get_untracked().unwrap_or(false);
        let ctx = self.tracker.try_with_value(|t| {
            let (position, duration) = t
                .video
                .as_ref()
                .map_or((0.0, f64::NAN), |v| (v.current_time(), v.duration()));
            let feed_currency = t.feed.and_then(|f| f.with_untracked(|f| f.currency));
            EventContext {
                video: VideoContext {
                    video_id: t.video_id.clone(),
                    video_title: t.video_title.clone(),
                    video_url: t.video_url.clone(),
                    live,
                    current_time_ms: millis(position),
                    duration_ms: (duration.is_finite() && duration > 0.0).then(|| millis(duration)),
                    visible: t.visible,
                    engine: t.engine,
                },
                attribution: t.attribution.clone(),
                currency: feed_currency.or(t.currency),
            }
        });
        ctx.unwrap_or_default()
    }

    /// Delivers `event` to the `dataLayer` and as `shoppable:<name>`; `extra` members are added
    /// to the DOM event's detail only (e.g. the cart lines of `begin_checkout`).
    fn emit(&self, event: &Event, extra: &[(&str, JsValue)]) {
        let Some((host, layer, shopify)) = self
            .tracker
            .try_with_value(|t| (t.host.clone(), t.data_layer.clone(), t.shopify_checkout))
        else {
            return;
        };
        // No borrow is held from here on: a listener may call back into the player.
        if !(shopify && SHOPIFY_REPORTED.contains(&event.name)) {
            for text in event.pushes() {
                data_layer::push(&layer, text);
            }
        }
        if let Ok(detail) = JSON::parse(&event.json) {
            for (key, value) in extra {
                Reflect::set(&detail, &JsValue::from_str(key), value).ok();
            }
            host::dispatch(&host, event.name, &detail);
        }
    }

    fn feed(&self) -> Arc<Feed> {
        self.tracker
            .try_with_value(|t| t.feed)
            .flatten()
            .and_then(|f| f.try_get_untracked())
            .unwrap_or_default()
    }

    /// Whether to act on a click on `intent` (`add_to_cart:<variant>`): the second click of
    /// a double click is ignored, so it adds once and reports once.
    pub fn allow_click(&self, intent: &str) -> bool {
        let now = clock();
        self.tracker
            .try_update_value(|t| t.clicks.allow(intent, now))
            .unwrap_or(false)
    }

    // ----- ecommerce -----

    /// `select_item`: a card or rail entry was opened.
    pub fn select_item(&self, product_id: &str) {
        let feed = self.feed();
        let Some(index) = feed.products.iter().position(|p| p.id == product_id) else {
            return;
        };
        let ctx = self.context();
        let product = &feed.products[index];
        if let Some(event) = ecommerce::select_item(&ctx, product, u32::try_from(index).ok()) {
            self.emit(&event, &[]);
            self.note(&ctx, "select_item", product_id, None);
        }
    }

    /// `view_item` (the sheet opened) or `select_variant` (a variant was chosen in it).
    pub fn variant_event(&self, name: &'static str, product_id: &str, variant_id: &str) {
        let feed = self.feed();
        let Some(product) = feed.product(product_id) else {
            return;
        };
        let Some(variant) = product.variant(variant_id) else {
            return;
        };
        let ctx = self.context();
        let event = if name == "view_item" {
            ecommerce::view_item(&ctx, product, variant)
        } else {
            ecommerce::select_variant(&ctx, product, variant)
        };
        self.emit(&event, &[]);
        self.note(&ctx, event.name, product_id, Some(variant_id));
    }

    /// `add_to_cart` or `remove_from_cart` for a cart change (nothing for a no-op).
    pub fn cart_change(&self, change: &CartChange) {
        let ctx = self.context();
        let feed = self.feed();
        if let Some(event) = ecommerce::cart_change(&ctx, change, &feed) {
            self.emit(&event, &[]);
            if change.added() > 0 {
                let line = &change.line;
                self.note(&ctx, event.name, &line.product_id, Some(&line.variant_id));
            }
        }
    }

    /// `view_cart` (the drawer opened) or `begin_checkout` (with `extra` for the DOM event).
    pub fn cart_event(&self, name: &'static str, cart: &Cart, extra: &[(&str, JsValue)]) {
        let ctx = self.context();
        let feed = self.feed();
        let event = if name == "view_cart" {
            ecommerce::view_cart(&ctx, cart, &feed)
        } else {
            ecommerce::begin_checkout(&ctx, cart, &feed)
        };
        self.emit(&event, extra);
    }

    // ----- product cards: view_item_list -----

    /// The cards on screen now (called whenever the set changes).
    pub fn cards_shown(&self, ids: &[String]) {
        let now = clock();
        self.tracker.try_update_value(|t| {
            if t.visible {
                for gone in t.cards_now.iter().filter(|id| !ids.contains(id)) {
                    t.cards.hide(gone, now);
                }
                for id in ids {
                    t.cards.show(id, now);
                }
            }
            t.cards_now = ids.to_vec();
        });
        self.schedule_cards();
    }

    /// Reports the cards seen long enough, and wakes up when the next one will have been.
    fn schedule_cards(&self) {
        let now = clock();
        let Some((seen, next)) = self
            .tracker
            .try_update_value(|t| (t.cards.poll(now), t.cards.poll_timeout()))
        else {
            return;
        };
        if !seen.is_empty() {
            let ctx = self.context();
            if let Some(event) = ecommerce::view_item_list(&ctx, &self.feed(), &seen) {
                self.emit(&event, &[]);
            }
        }
        let this = *self;
        let timer = next.map(|at| {
            let delay = at.saturating_sub(clock()).min(u64::from(u32::MAX)) as u32;
            Timeout::new(delay, move || this.schedule_cards())
        });
        self.tracker.try_update_value(|t| t.card_timer = timer);
    }

    /// The player entered or left the viewport (at least half of it), or the page was hidden
    /// or shown.
    fn visibility(&self, visible: bool) {
        let now = clock();
        self.tracker.try_update_value(|t| {
            if t.visible == visible {
                return;
            }
            t.visible = visible;
            if visible {
                for id in &t.cards_now {
                    t.cards.show(id, now);
                }
            } else {
                t.cards.hide_all(now);
            }
        });
        self.schedule_cards();
    }

    // ----- video -----

    /// A sample of the video element: progress milestones due are emitted.
    fn sample(self) {
        let live = self.state.live.try_get_untracked().unwrap_or(false);
        let now = clock();
        let due = self.tracker.try_update_value(|t| {
            let video = t.video.as_ref()?;
            let duration = video.duration();
            let duration = (duration.is_finite() && duration > 0.0).then(|| millis(duration));
            let playing = !video.paused() && !video.seeking();
            let position = millis(video.current_time());
            Some(t.progress.update(position, duration, live, now, playing))
        });
        self.emit_milestones(due.flatten().unwrap_or_default());
    }

    fn ended(self) {
        let live = self.state.live.try_get_untracked().unwrap_or(false);
        let now = clock();
        let due = self.tracker.try_update_value(|t| {
            let duration = t.video.as_ref().map(|v| v.duration());
            let duration = duration.filter(|d| d.is_finite() && *d > 0.0).map(millis);
            t.progress.ended(duration, live, now)
        });
        self.emit_milestones(due.unwrap_or_default());
    }

    fn emit_milestones(&self, due: Vec<VideoMilestone>) {
        if due.is_empty() {
            return;
        }
        let ctx = self.context();
        for milestone in due {
            self.emit(&video::video_event(&ctx, milestone), &[]);
        }
    }

    /// `waiting` (true), or playback moving again / a seek (false): a stall that ended is
    /// reported. Waits before playback first started are loading, not stalls.
    fn stall_update(self, waiting: bool) {
        let started = self.state.started.try_get_untracked().unwrap_or(false);
        let now = clock();
        let stalled = self.tracker.try_update_value(|t| {
            let seeking = t.video.as_ref().is_some_and(|v| v.seeking());
            t.stalls.update(waiting && started, seeking, now)
        });
        if let Some(Some(duration)) = stalled {
            self.emit(&video::video_stall(&self.context(), duration), &[]);
        }
    }

    /// Playback switched to `rendition`; `automatic` when adaptive bitrate chose it.
    pub fn quality_changed(&self, rendition: &RenditionInfo, automatic: bool) {
        let quality = Quality {
            height: rendition.height,
            bitrate: rendition.bandwidth,
        };
        let Some(previous) = self
            .tracker
            .try_update_value(|t| t.quality.replace(quality))
        else {
            return;
        };
        if previous == Some(quality) {
            return;
        }
        let event = video::video_quality_change(&self.context(), quality, previous, automatic);
        self.emit(&event, &[]);
    }

    /// A player event without data of its own (`miniplayer_open`, `miniplayer_close`).
    pub fn player_event(&self, name: &'static str) {
        self.emit(&video::player_event(&self.context(), name), &[]);
    }

    /// `video_error` for a playback error (also dispatched as `shoppable:error`).
    pub fn error(&self, code: &str, message: &str, fatal: bool) {
        let event = video::video_error(&self.context(), code, message, fatal);
        self.emit(&event, &[]);
    }

    // ----- attribution -----

    /// `player.setConsent('granted' | 'denied')`; denying removes what was stored.
    pub fn set_consent(&self, consent: Option<Consent>) {
        let layer = self.tracker.try_update_value(|t| {
            t.consent = consent;
            t.data_layer.clone()
        });
        if let Some(layer) = layer {
            attribution::enforce(&layer, consent);
        }
    }

    /// Remembers an interaction for lookback attribution (when consent allows storage).
    fn note(&self, ctx: &EventContext, event: &str, product_id: &str, variant_id: Option<&str>) {
        let Some((layer, consent, window)) = self
            .tracker
            .try_with_value(|t| (t.data_layer.clone(), t.consent, t.window_ms))
        else {
            return;
        };
        attribution::note(&layer, consent, window, ctx, event, product_id, variant_id);
    }

    /// `player.getAttribution()`: the lookback record's JSON text, pruned to the window.
    pub fn attribution_record(&self) -> String {
        let window = self.tracker.try_with_value(|t| t.window_ms);
        attribution::current_record(window.unwrap_or(attribution::DEFAULT_WINDOW_MS))
    }
}

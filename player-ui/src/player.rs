//! `mount`: builds a player inside a host element, and the handle JavaScript drives it with.

use std::cell::RefCell;
use std::rc::Rc;

use leptos::prelude::*;
use player_core::analytics::consent::Consent;
use player_core::error::PlayerError;
use player_core::hls::engine_choice::EnginePreference;
use player_core::hls::{EngineConfig, EngineEvent, RenditionChoice};
use player_core::web::MediaEngine;
use wasm_bindgen::prelude::*;
use web_sys::HtmlElement;

use crate::analytics::Analytics;
use crate::chrome::clip::Clip;
use crate::chrome::miniplayer::Miniplayer;
use crate::chrome::{Actions, PlayerChrome};
use crate::commerce::{CheckoutMode, Commerce};
use crate::host;
use crate::options::PlayerOptions;
use crate::state::PlayerState;

/// A mounted player. JavaScript's `player` object wraps this.
#[wasm_bindgen]
pub struct PlayerHandle {
    mounted: Option<Mounted>,
}

struct Mounted {
    host: HtmlElement,
    container: HtmlElement,
    state: PlayerState,
    actions: Actions,
    commerce: Commerce,
    analytics: Analytics,
    /// Dropping it unmounts the view and disposes every signal and effect it owns.
    _view: Box<dyn std::any::Any>,
}

/// Renders a player into `host`'s open shadow root and starts loading `options.src`.
/// `source`, when a promise, is the page's `fetch(options.src)`, started while the engine
/// downloaded: it answers the engine's first request instead of a second download.
#[wasm_bindgen]
pub fn mount(
    host: HtmlElement,
    options: JsValue,
    source: JsValue,
) -> Result<PlayerHandle, JsValue> {
    // Before anything that could panic, so that even the first player's panic is reported.
    crate::panic_report::install();
    let options = PlayerOptions::from_js(&options);
    let root = host::shadow_root(&host)?;
    let document = host
        .owner_document()
        .ok_or("the host element is not in a document")?;
    let container: HtmlElement = document.create_element("div")?.unchecked_into();
    container.set_class_name("sp-root");
    root.append_child(&container)?;

    // Signals must be created under the view's owner so unmounting disposes them.
    let built: Rc<RefCell<Option<(PlayerState, Actions, Commerce)>>> = Rc::default();
    let view = {
        let built = built.clone();
        let host = host.clone();
        let options = options.clone();
        leptos::mount::mount_to(container.clone(), move || {
            let state = PlayerState::new();
            let actions = Actions::new(host.clone());
            let analytics = Analytics::new(host.clone(), &options, state);
            let commerce = Commerce::new(host.clone(), &options, actions, analytics);
            let clip = Clip::new(&options, state, actions, commerce);
            let json = options.json.clone();
            let mini = Miniplayer::new(host, analytics, actions, json, options.miniplayer);
            if options.miniplayer {
                mini.set_open(true);
            }
            *built.borrow_mut() = Some((state, actions, commerce));
            let poster = options.poster.clone();
            view! { <PlayerChrome state actions commerce clip mini poster /> }
        })
    };
    let (state, actions, commerce) = built.take().ok_or("the player view did not build")?;
    let analytics = commerce.analytics;
    let video = actions
        .video
        .get_untracked()
        .ok_or("the video element did not render")?;
    video.set_muted(options.muted);
    let shopify = commerce.checkout_mode() == CheckoutMode::Shopify;
    analytics.start(&video, commerce.feed, shopify);
    state.muted.set(options.muted);

    let event_host = host.clone();
    let mut config = EngineConfig::default();
    config.live.target_latency_s = options.latency;
    let preference = EnginePreference::parse(options.engine.as_deref());
    let kind = MediaEngine::choose(preference, &video);
    let engine_name = kind.map_or("none", |k| k.as_str());
    analytics.set_engine(engine_name);
    match MediaEngine::start(kind, video, config, move |event| {
        on_engine_event(&event_host, state, commerce, engine_name, event)
    }) {
        Ok(playback) => {
            if let (Some(src), Ok(response)) = (&options.src, source.dyn_into()) {
                playback.adopt_prefetched(src, response);
            }
            actions.playback.set_value(Some(Rc::new(playback)));
        }
        Err(error) => report_error(&host, state, analytics, error),
    }
    // Before the stream starts, so that `ready` knows whether to wait for a feed.
    commerce.load_from_options(&options);
    if let Some(product_id) = &options.product_id {
        let options = host::object(&[
            (
                "dataLayer",
                options
                    .data_layer
                    .as_deref()
                    .map_or(JsValue::UNDEFINED, JsValue::from),
            ),
            (
                "attributionWindow",
                options
                    .attribution_window
                    .map_or(JsValue::UNDEFINED, JsValue::from),
            ),
        ]);
        crate::analytics::track_product_view(product_id, options);
    }
    if let Some(src) = &options.src {
        actions.load(src);
        if options.autoplay {
            actions.autoplay(state);
        }
    }
    crate::panic_report::register(&host);
    Ok(PlayerHandle {
        mounted: Some(Mounted {
            host,
            container,
            state,
            actions,
            commerce,
            analytics,
            _view: Box::new(view),
        }),
    })
}

fn on_engine_event(
    host: &HtmlElement,
    state: PlayerState,
    commerce: Commerce,
    engine: &'static str,
    event: EngineEvent,
) {
    match event {
        EngineEvent::Loaded {
            renditions,
            live,
            duration,
        } => {
            // In the engine's order (ascending bandwidth): `setQuality(index)` takes these indices.
            let list = js_sys::Array::new();
            for (index, r) in renditions.iter().enumerate() {
                list.push(&host::object(&[
                    ("index", (index as u32).into()),
                    ("bandwidth", (r.bandwidth as f64).into()),
                    ("width", r.width.map_or(JsValue::NULL, JsValue::from)),
                    ("height", r.height.map_or(JsValue::NULL, JsValue::from)),
                    ("label", r.label().into()),
                ]));
            }
            // The first rendition is chosen before the renditions are announced.
            if let Some(first) = state.current_rendition.get_untracked() {
                if let Some(rendition) = renditions.get(first) {
                    let auto = state.rendition_choice.get_untracked() == RenditionChoice::Auto;
                    commerce.analytics.quality_changed(rendition, auto);
                }
            }
            state.renditions.set(renditions);
            state.live.set(live);
            let detail = host::object(&[
                ("engine", engine.into()),
                ("live", live.into()),
                ("duration", duration.map_or(JsValue::NULL, JsValue::from)),
                ("renditions", list.into()),
            ]);
            // Fires now, or once the product feed has loaded (or failed to).
            commerce.stream_ready(detail);
        }
        EngineEvent::RenditionSwitched { index, auto } => {
            state.current_rendition.set(Some(index));
            let rendition = state.renditions.with_untracked(|r| r.get(index).cloned());
            if let Some(rendition) = rendition {
                commerce.analytics.quality_changed(&rendition, auto);
            }
        }
        EngineEvent::Metadata(cues) => {
            commerce.add_stream_cues(&cues);
            state.cues.update(|all| all.extend(cues));
        }
        EngineEvent::Reconnecting(reconnecting) => state.reconnecting.set(reconnecting),
        EngineEvent::LiveEnded { .. } => {
            state.live.set(false);
            state.live_ended.set(true);
            state.reconnecting.set(false);
        }
        EngineEvent::Error(error) => report_error(host, state, commerce.analytics, error),
    }
}

fn report_error(host: &HtmlElement, state: PlayerState, analytics: Analytics, error: PlayerError) {
    let detail = host::object(&[
        ("code", error.code.as_str().into()),
        ("message", error.message.as_str().into()),
        (
            "url",
            error.url.as_deref().map_or(JsValue::NULL, JsValue::from),
        ),
        ("fatal", error.fatal.into()),
    ]);
    host::dispatch(host, "error", &detail);
    analytics.error(error.code.as_str(), &error.message, error.fatal);
    if error.fatal {
        state.error.set(Some(error));
    }
}

#[wasm_bindgen]
impl PlayerHandle {
    /// Starts playback; the promise rejects when the browser refuses (autoplay rules).
    pub fn play(&self) -> js_sys::Promise {
        match self
            .mounted
            .as_ref()
            .and_then(|m| m.actions.video.get_untracked())
        {
            Some(video) => video.play().unwrap_or_else(|e| js_sys::Promise::reject(&e)),
            None => js_sys::Promise::reject(&"the player was destroyed".into()),
        }
    }

    pub fn pause(&self) {
        if let Some(video) = self
            .mounted
            .as_ref()
            .and_then(|m| m.actions.video.get_untracked())
        {
            video.pause().ok();
        }
    }

    /// Moves the playhead to `time` seconds.
    pub fn seek(&self, time: f64) {
        if let Some(m) = &self.mounted {
            m.actions.seek(time);
        }
    }

    /// Plays another stream in this player.
    pub fn load(&self, src: &str) {
        if let Some(m) = &self.mounted {
            m.analytics.new_view(Some(src));
            m.actions.load(src);
        }
    }

    /// The host's say on storing the lookback attribution record: `granted` or `denied`
    /// (which also removes what was stored). Consent Mode's `analytics_storage` applies too.
    #[wasm_bindgen(js_name = setConsent)]
    pub fn set_consent(&self, consent: &str) {
        if let Some(m) = &self.mounted {
            m.analytics.set_consent(Consent::parse(consent));
        }
    }

    /// The lookback attribution record (see `docs/events.md`), for the host's checkout:
    /// `{v: 1, products: [{product_id, variant_id, event, video_id, video_title,
    /// video_time_ms, live, session_id, at}]}`.
    #[wasm_bindgen(js_name = getAttribution)]
    pub fn get_attribution(&self) -> JsValue {
        let text = match &self.mounted {
            Some(m) => m.analytics.attribution_record(),
            None => return JsValue::NULL,
        };
        js_sys::JSON::parse(&text).unwrap_or(JsValue::NULL)
    }

    /// Chooses a rendition by its index in `ready`'s `renditions` (ascending bandwidth), or
    /// adaptive with `-1`. Works before `ready` too: the choice waits for the stream.
    #[wasm_bindgen(js_name = setQuality)]
    pub fn set_quality(&self, index: i32) {
        if let Some(m) = &self.mounted {
            let choice =
                usize::try_from(index).map_or(RenditionChoice::Auto, RenditionChoice::Fixed);
            m.state.rendition_choice.set(choice);
            m.actions.choose_rendition(choice);
        }
    }

    #[wasm_bindgen(getter, js_name = currentTime)]
    pub fn current_time(&self) -> f64 {
        self.mounted
            .as_ref()
            .and_then(|m| m.actions.video.get_untracked())
            .map_or(0.0, |v| v.current_time())
    }

    /// The element events are dispatched on (`shoppable:*`).
    #[wasm_bindgen(getter)]
    pub fn host(&self) -> Option<HtmlElement> {
        self.mounted.as_ref().map(|m| m.host.clone())
    }

    /// Replaces the product feed: a feed object (or Shopify product objects) or its JSON text.
    /// Problems are reported as `shoppable:error` (`feed_invalid`) and in the feed notice.
    #[wasm_bindgen(js_name = setProducts)]
    pub fn set_products(&self, feed: JsValue) {
        if let Some(m) = &self.mounted {
            m.commerce.set_products(&feed);
        }
    }

    /// Shows the product's card from now on, for `duration` seconds (default 10).
    #[wasm_bindgen(js_name = highlightProduct)]
    pub fn highlight_product(&self, product_id: &str, duration: Option<f64>) {
        if let Some(m) = &self.mounted {
            m.commerce.highlight(product_id, duration);
        }
    }

    /// The page's cart lines: `{variant_id, product_id, title, variant_title, quantity,
    /// unit_price (cents), price, currency, image}`.
    #[wasm_bindgen(js_name = cartItems)]
    pub fn cart_items(&self) -> js_sys::Array {
        self.mounted
            .as_ref()
            .map_or_else(js_sys::Array::new, |m| m.commerce.items())
    }

    /// Adds `quantity` units of a variant of the feed; returns the units actually added (stock
    /// limits apply). Throws for a variant the feed does not have.
    #[wasm_bindgen(js_name = cartAdd)]
    pub fn cart_add(&self, variant_id: &str, quantity: u32) -> Result<u32, JsError> {
        let m = self
            .mounted
            .as_ref()
            .ok_or_else(|| JsError::new("the player was destroyed"))?;
        let change = m
            .commerce
            .add(variant_id, quantity)
            .map_err(|e| JsError::new(&e))?;
        Ok(change.added())
    }

    /// Sets a line's quantity (0 removes it).
    #[wasm_bindgen(js_name = cartUpdate)]
    pub fn cart_update(&self, variant_id: &str, quantity: u32) {
        if let Some(m) = &self.mounted {
            m.commerce.set_quantity(variant_id, quantity);
        }
    }

    #[wasm_bindgen(js_name = cartRemove)]
    pub fn cart_remove(&self, variant_id: &str) {
        if let Some(m) = &self.mounted {
            m.commerce.remove(variant_id);
        }
    }

    #[wasm_bindgen(js_name = cartClear)]
    pub fn cart_clear(&self) {
        if let Some(m) = &self.mounted {
            m.commerce.clear();
        }
    }

    /// Stops playback and removes everything the player created: requests, timers,
    /// listeners, the MediaSource and the rendered DOM. Safe to call twice.
    pub fn destroy(&mut self) {
        if let Some(mounted) = self.mounted.take() {
            crate::panic_report::unregister(&mounted.host);
            mounted.actions.playback.set_value(None);
            mounted.commerce.shut_down();
            drop(mounted._view);
            mounted.container.remove();
        }
    }
}

//! Player options as JavaScript passes them (`createPlayer(container, options)` or the
//! element's attributes, translated by the loader into the same object).

use js_sys::Reflect;
use wasm_bindgen::JsValue;

/// The options this build understands. Unknown keys are ignored so that newer pages keep
/// working with older players.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PlayerOptions {
    pub src: Option<String>,
    pub poster: Option<String>,
    pub autoplay: bool,
    pub muted: bool,
    pub video_id: Option<String>,
    pub video_title: Option<String>,
    /// Product feed URL (`products` attribute).
    pub products: Option<String>,
    /// Product feed text from the element's `<script type="application/json">` child.
    pub products_json: Option<String>,
    /// `event`, `shopify` or a URL template; `None`: `shopify` on a Shopify storefront, else
    /// `event`.
    pub checkout: Option<String>,
    /// `immediate`: with `shopify` checkout, every cart change goes to the store's cart at
    /// once (`cart-sync`); otherwise lines are handed over at checkout.
    pub cart_sync: Option<String>,
    /// Currency for prices when the feed does not name one.
    pub currency: Option<String>,
    /// BCP 47 locale for prices; `None`: the browser's.
    pub locale: Option<String>,
    /// Live streams: seconds behind the live edge to play at (`latency` attribute); `None`:
    /// the playlist's hold-back (`PART-HOLD-BACK` for LL-HLS), else three target durations.
    pub latency: Option<f64>,
    /// Name of the `window` array events are pushed to (`data-layer`); `None`: `dataLayer`.
    pub data_layer: Option<String>,
    /// `granted` or `denied`: the host's say on storing the attribution record (`consent`).
    pub consent: Option<String>,
    /// Lookback window in hours (`attribution-window`); `None`: 72.
    pub attribution_window: Option<f64>,
    /// The store's own campaign parameters to capture, comma-separated (`campaign-params`).
    pub campaign_params: Option<String>,
    /// The product this page is about (`product-id`): reports `video_assisted_view`.
    pub product_id: Option<String>,
    /// `auto` (default), `mse` or `native` (`engine`): see `EnginePreference`.
    pub engine: Option<String>,
    /// Clip mode: media seconds to start at and to stop at (`start`, `end`).
    pub start: Option<f64>,
    pub end: Option<f64>,
    /// Play this product's moments as a clip (`product`).
    pub product: Option<String>,
    /// At the end of a clip, start it again instead of stopping (`loop`).
    pub looped: bool,
    /// Open as a miniplayer (`miniplayer`; set when a miniplayer is restored on a new page).
    pub miniplayer: bool,
    /// Media seconds to resume at once the stream has loaded (`resume-at`).
    pub resume_at: Option<f64>,
    /// The options object as JavaScript passed it (JSON), to restore the player elsewhere.
    pub json: Option<String>,
}

impl PlayerOptions {
    pub fn from_js(value: &JsValue) -> PlayerOptions {
        let text = |key: &str| {
            Reflect::get(value, &JsValue::from_str(key))
                .ok()
                .and_then(|v| v.as_string())
                .filter(|s| !s.is_empty())
        };
        let flag =
            |key: &str| Reflect::get(value, &JsValue::from_str(key)).is_ok_and(|v| v.is_truthy());
        // A number, or an attribute's text holding one; anything else (or ≤ 0) is ignored.
        let seconds = |key: &str| {
            let v = Reflect::get(value, &JsValue::from_str(key)).ok()?;
            let n = v.as_f64().or_else(|| v.as_string()?.trim().parse().ok())?;
            (n.is_finite() && n > 0.0).then_some(n)
        };
        // Like `seconds`, but 0 is a time too.
        let at_or_after_zero = |key: &str| {
            let v = Reflect::get(value, &JsValue::from_str(key)).ok()?;
            let n = v.as_f64().or_else(|| v.as_string()?.trim().parse().ok())?;
            (n.is_finite() && n >= 0.0).then_some(n)
        };
        PlayerOptions {
            src: text("src"),
            poster: text("poster"),
            autoplay: flag("autoplay"),
            muted: flag("muted"),
            video_id: text("videoId"),
            video_title: text("videoTitle"),
            products: text("products"),
            products_json: text("productsJson"),
            checkout: text("checkout"),
            cart_sync: text("cartSync"),
            currency: text("currency"),
            locale: text("locale"),
            latency: seconds("latency"),
            data_layer: text("dataLayer"),
            consent: text("consent"),
            attribution_window: seconds("attributionWindow"),
            campaign_params: text("campaignParams"),
            product_id: text("productId"),
            engine: text("engine"),
            start: at_or_after_zero("start"),
            end: seconds("end"),
            product: text("product"),
            looped: flag("loop"),
            miniplayer: flag("miniplayer"),
            resume_at: at_or_after_zero("resumeAt"),
            json: js_sys::JSON::stringify(value)
                .ok()
                .and_then(|s| s.as_string()),
        }
    }
}

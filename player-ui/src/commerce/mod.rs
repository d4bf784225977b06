//! The shopping half of the player: the product feed, the product timeline, the page's cart
//! and the panels that show them (cards, rail, product sheet, cart drawer).
//!
//! [`Commerce`] is the per-player state, `Copy` like [`PlayerState`](crate::state::PlayerState).
//! Cart, variant and timeline logic is `player_core::commerce`; this module holds the
//! signals, applies intents and reports them through [`interactions::record`].

pub mod cart_store;
mod checkout;
pub mod line_objects;
mod price;
mod store_sync;
mod stream_cues;
pub mod view;

use std::sync::Arc;

use js_sys::{Array, Reflect};
use leptos::prelude::*;
use player_core::commerce::cart::{Cart, CartChange, CartItem};
use player_core::commerce::cues::ProductTimeline;
use player_core::commerce::feed::{parse_feed, Feed, FeedError};
use player_core::commerce::variants::VariantPicker;
use player_core::hls::metadata::MetadataCue;
use player_core::web::FeedRequest;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::HtmlElement;

use crate::analytics::Analytics;
use crate::chrome::Actions;
use crate::host;
use crate::options::PlayerOptions;
use cart_store::LineOrigin;
pub use checkout::CheckoutMode;
use price::PriceFormat;
use store_sync::CartSync;

/// Which panel covers the video; one at a time.
#[derive(Debug, Clone, PartialEq)]
pub enum Panel {
    Closed,
    /// Every product of the show.
    Rail,
    /// The product sheet of one product.
    Sheet(String),
    Cart,
}

/// Per-player commerce state. Every field is a handle, so the struct is `Copy`.
#[derive(Clone, Copy)]
pub struct Commerce {
    pub feed: RwSignal<Arc<Feed>>,
    pub timeline: RwSignal<ProductTimeline>,
    /// The page's cart, shared with every other player (see [`cart_store`]): this player's
    /// copy, updated by the store; change it with `cart_store::change`.
    pub cart: RwSignal<Cart>,
    /// This player's seat at the page's cart, to leave it with.
    cart_seat: u64,
    pub panel: RwSignal<Panel>,
    /// The feed had problems: the quiet notice is showing.
    pub feed_notice: RwSignal<bool>,
    /// The store's refusals at checkout, by variant id.
    pub line_errors: RwSignal<Vec<(String, String)>>,
    /// Checkout is talking to the store.
    pub busy: RwSignal<bool>,
    /// The variant last added from the sheet, for its confirmation.
    pub added: RwSignal<Option<String>>,
    pub actions: Actions,
    pub analytics: Analytics,
    context: StoredValue<Context, LocalStorage>,
}

struct Context {
    host: HtmlElement,
    video_id: Option<String>,
    video_title: Option<String>,
    checkout: Option<String>,
    cart_sync: CartSync,
    currency: Option<String>,
    price: PriceFormat,
    feed_request: Option<FeedRequest>,
    /// `shoppable:ready` waits for the stream and for the feed, when one was given.
    feed_pending: bool,
    stream_ready: Option<JsValue>,
    /// The element to give focus back to when the panel closes.
    opener: Option<HtmlElement>,
}

impl Commerce {
    /// Creates the state under the current reactive owner and joins the page's cart.
    pub fn new(
        host: HtmlElement,
        options: &PlayerOptions,
        actions: Actions,
        analytics: Analytics,
    ) -> Self {
        let (cart_seat, cart) = cart_store::attach();
        Commerce {
            feed: RwSignal::new(Arc::new(Feed::default())),
            timeline: RwSignal::new(ProductTimeline::new()),
            cart,
            cart_seat,
            panel: RwSignal::new(Panel::Closed),
            feed_notice: RwSignal::new(false),
            line_errors: RwSignal::new(Vec::new()),
            busy: RwSignal::new(false),
            added: RwSignal::new(None),
            actions,
            analytics,
            context: StoredValue::new_local(Context {
                host,
                video_id: options.video_id.clone(),
                video_title: options.video_title.clone(),
                checkout: options.checkout.clone(),
                cart_sync: CartSync::from_option(options.cart_sync.as_deref()),
                currency: options.currency.clone(),
                price: PriceFormat::new(options.locale.as_deref()),
                feed_request: None,
                feed_pending: false,
                stream_ready: None,
                opener: None,
            }),
        }
    }

    /// Leaves the page's cart and cancels a feed download. Call before the view is disposed.
    pub fn shut_down(&self) {
        self.context.try_update_value(|c| c.feed_request = None);
        cart_store::detach(self.cart_seat);
    }

    pub fn host(&self) -> Option<HtmlElement> {
        self.context.try_with_value(|c| c.host.clone())
    }

    /// The feed's currency, else the `currency` option, else USD.
    pub fn currency(&self) -> String {
        let feed = self
            .feed
            .try_with_untracked(|f| f.currency.map(|c| c.as_str().to_owned()))
            .flatten();
        feed.or_else(|| {
            self.context
                .try_with_value(|c| c.currency.clone())
                .flatten()
        })
        .unwrap_or_else(|| "USD".into())
    }

    /// `cents` as the shopper reads it (`$29.00`).
    pub fn price(&self, cents: u64) -> String {
        let currency = self.currency();
        self.context
            .try_update_value(|c| c.price.format(cents, &currency))
            .unwrap_or_default()
    }

    pub fn video_identity(&self) -> (Option<String>, Option<String>) {
        self.context
            .try_with_value(|c| (c.video_id.clone(), c.video_title.clone()))
            .unwrap_or_default()
    }

    /// The playhead, in seconds.
    pub fn video_time(&self) -> f64 {
        self.actions
            .video
            .get_untracked()
            .map_or(0.0, |v| v.current_time())
    }

    pub fn checkout_mode(&self) -> CheckoutMode {
        let option = self
            .context
            .try_with_value(|c| c.checkout.clone())
            .flatten();
        CheckoutMode::from_option(option.as_deref())
    }

    pub fn checkout(&self) {
        checkout::begin(*self);
    }

    // ----- the feed -----

    /// Starts loading the feed the options name (inline JSON first, then the URL).
    pub fn load_from_options(&self, options: &PlayerOptions) {
        if let Some(text) = &options.products_json {
            self.apply_feed_text(text, None);
        } else if let Some(url) = &options.products {
            self.load_url(url);
        }
    }

    fn load_url(&self, url: &str) {
        let this = *self;
        let given = url.to_owned();
        let request = FeedRequest::start(url, move |result| {
            match result {
                Ok(text) => this.apply_feed_text(&text, Some(&given)),
                Err(e) => this.report_feed_error("feed_load", &e.message, Some(&e.url), &[]),
            }
            this.feed_settled();
        });
        self.context.try_update_value(|c| {
            c.feed_request = Some(request);
            c.feed_pending = true;
        });
    }

    /// `player.setProducts(feed)`: a feed object or its JSON text.
    pub fn set_products(&self, feed: &JsValue) {
        let text = match feed.as_string() {
            Some(text) => text,
            None => js_sys::JSON::stringify(feed)
                .ok()
                .and_then(|s| s.as_string())
                .unwrap_or_default(),
        };
        // A newer feed wins over one still downloading.
        self.context.try_update_value(|c| c.feed_request = None);
        self.apply_feed_text(&text, None);
        self.feed_settled();
    }

    fn apply_feed_text(&self, text: &str, url: Option<&str>) {
        let report = match parse_feed(text) {
            Ok(report) => report,
            Err(error) => {
                let message = match &error {
                    FeedError::Invalid(issue) => issue.to_string(),
                    other => other.to_string(),
                };
                self.report_feed_error("feed_invalid", &message, url, &[]);
                return;
            }
        };
        let feed = Arc::new(report.feed);
        self.timeline.try_update(|t| t.set_feed(&feed));
        cart_store::change(|cart, _| cart.refresh(&feed));
        if let Some(Panel::Sheet(id)) = self.panel.try_get_untracked() {
            if feed.product(&id).is_none() {
                self.close_panel();
            }
        }
        self.feed.try_set(feed);
        if let Some(first) = report.issues.first() {
            let mut issues: Vec<String> = report.issues.iter().map(|i| i.to_string()).collect();
            if report.omitted_issues > 0 {
                issues.push(format!("… and {} more", report.omitted_issues));
            }
            self.report_feed_error("feed_invalid", &first.to_string(), url, &issues);
        } else {
            self.feed_notice.try_set(false);
        }
    }

    /// Shows the quiet notice and dispatches `shoppable:error` (never fatal: the video plays on).
    fn report_feed_error(&self, code: &str, message: &str, url: Option<&str>, issues: &[String]) {
        self.feed_notice.try_set(true);
        let Some(host) = self.host() else {
            return;
        };
        let list: Array = issues.iter().map(|i| JsValue::from_str(i)).collect();
        let detail = host::object(&[
            ("code", code.into()),
            ("message", message.into()),
            ("url", url.map_or(JsValue::NULL, JsValue::from)),
            ("fatal", false.into()),
            ("issues", list.into()),
        ]);
        host::dispatch(&host, "error", &detail);
    }

    fn feed_settled(&self) {
        let ready = self.context.try_update_value(|c| {
            c.feed_pending = false;
            c.feed_request = None;
            c.stream_ready.take()
        });
        if let Some(Some(detail)) = ready {
            self.dispatch_ready(&detail);
        }
    }

    /// The stream is ready: `shoppable:ready` fires now, or when the feed has settled.
    pub fn stream_ready(&self, detail: JsValue) {
        let waiting = self.context.try_update_value(|c| {
            if c.feed_pending {
                c.stream_ready = Some(detail.clone());
            }
            c.feed_pending
        });
        if waiting == Some(false) {
            self.dispatch_ready(&detail);
        }
    }

    fn dispatch_ready(&self, detail: &JsValue) {
        let count = self
            .feed
            .try_with_untracked(|f| f.products.len())
            .unwrap_or(0);
        Reflect::set(detail, &"products".into(), &(count as u32).into()).ok();
        if let Some(host) = self.host() {
            host::dispatch(&host, "ready", detail);
        }
    }

    // ----- product moments -----

    /// Adds the product moments among the stream's metadata cues.
    pub fn add_stream_cues(&self, cues: &[MetadataCue]) {
        let moments: Vec<_> = cues
            .iter()
            .filter_map(stream_cues::product_moment)
            .collect();
        if moments.is_empty() {
            return;
        }
        self.timeline.try_maybe_update(|t| {
            let mut changed = false;
            for m in &moments {
                changed |= t.add_cue(
                    &m.product_id,
                    m.start,
                    m.end,
                    player_core::commerce::cues::CueSource::Stream,
                );
            }
            (changed, ())
        });
    }

    /// `player.highlightProduct(id)`: shows the product now, for `duration` seconds (the
    /// timeline's default when `None`).
    pub fn highlight(&self, product_id: &str, duration: Option<f64>) {
        let at = self.video_time();
        self.timeline
            .try_maybe_update(|t| (t.highlight(product_id, at, duration), ()));
    }

    // ----- panels -----

    /// Opens `panel`, remembering what had focus to give it back on close.
    pub fn open_panel(&self, panel: Panel) {
        if self.panel.get_untracked() == Panel::Closed {
            let opener = self
                .host()
                .and_then(|h| h.shadow_root())
                .and_then(|r| r.active_element())
                .and_then(|e| e.dyn_into::<HtmlElement>().ok());
            self.context.try_update_value(|c| c.opener = opener);
        }
        self.added.set(None);
        // Setting the same panel again would rebuild it (and lose the sheet's selection).
        if self.panel.get_untracked() == panel {
            return;
        }
        self.panel.set(panel.clone());
        match panel {
            Panel::Cart => {
                let cart = self.cart.get_untracked();
                self.analytics.cart_event("view_cart", &cart, &[]);
            }
            Panel::Sheet(id) => {
                let viewed = self.feed.with_untracked(|f| {
                    let picker = VariantPicker::new(f.product(&id)?)?;
                    Some(picker.variant_id().to_owned())
                });
                if let Some(variant_id) = viewed {
                    self.analytics.variant_event("view_item", &id, &variant_id);
                }
            }
            _ => {}
        }
    }

    /// Closes the panel and gives focus back to what opened it.
    pub fn close_panel(&self) {
        self.panel.try_set(Panel::Closed);
        let opener = self.context.try_update_value(|c| c.opener.take()).flatten();
        if let Some(opener) = opener.filter(|o| o.is_connected()) {
            // After the view has caught up (the opener is inert while a panel is open).
            wasm_bindgen_futures::spawn_local(async move {
                let tick = js_sys::Promise::resolve(&JsValue::NULL);
                wasm_bindgen_futures::JsFuture::from(tick).await.ok();
                opener.focus().ok();
            });
        }
    }

    /// A product chosen from a card or the rail: its sheet opens. The second click of a
    /// double click does nothing.
    pub fn select(&self, product_id: &str) {
        if !self
            .analytics
            .allow_click(&format!("select_item:{product_id}"))
        {
            return;
        }
        self.analytics.select_item(product_id);
        self.open_panel(Panel::Sheet(product_id.to_owned()));
    }

    // ----- the cart -----

    /// Adds `quantity` units of a feed variant. `Err` when the feed has no such variant.
    pub fn add(&self, variant_id: &str, quantity: u32) -> Result<CartChange, String> {
        let item = self
            .feed
            .with_untracked(|f| {
                let (product, variant) = f.variant(variant_id)?;
                Some(CartItem::from_variant(product, variant))
            })
            .ok_or_else(|| format!("no variant \"{variant_id}\" in the product feed"))?;
        let change = cart_store::change(|c, now| c.add(item, quantity, now))
            .ok_or("the cart is not available")?;
        if change.before == 0 && change.after > 0 {
            let (video_id, _) = self.video_identity();
            cart_store::set_origin(LineOrigin {
                variant_id: variant_id.to_owned(),
                video_id: video_id.unwrap_or_default(),
                video_time: self.video_time().max(0.0) as u64,
            });
        }
        self.report_change(&change);
        Ok(change)
    }

    /// Sets a line's quantity (0 removes it).
    pub fn set_quantity(&self, variant_id: &str, quantity: u32) {
        let change = cart_store::change(|c, now| c.set_quantity(variant_id, quantity, now));
        if let Some(Some(change)) = change {
            self.report_change(&change);
        }
    }

    pub fn remove(&self, variant_id: &str) {
        self.set_quantity(variant_id, 0);
    }

    pub fn clear(&self) {
        for change in cart_store::change(|c, now| c.clear(now)).unwrap_or_default() {
            self.report_change(&change);
        }
    }

    fn report_change(&self, change: &CartChange) {
        let id = &change.line.variant_id;
        self.line_errors.try_update(|e| e.retain(|(v, _)| v != id));
        if change.is_noop() {
            return;
        }
        let immediate = self.context.try_with_value(|c| c.cart_sync) == Some(CartSync::Immediate);
        if immediate && self.checkout_mode() == CheckoutMode::Shopify {
            // Reported once the store has it (see `store_sync`).
            wasm_bindgen_futures::spawn_local(store_sync::send(*self, change.clone()));
        } else {
            self.analytics.cart_change(change);
        }
    }

    /// The cart's lines as JavaScript objects (`player.cart.items`).
    pub fn items(&self) -> Array {
        let currency = self.currency();
        let lines = self.cart.with_untracked(|c| c.lines().to_vec());
        line_objects::lines_array(&lines, &currency)
    }
}

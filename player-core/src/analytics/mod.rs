//! Analytics: every interaction as a Google Analytics 4 event, ready for the host's Google Tag
//! Manager `dataLayer` (see `docs/events.md` for the catalogue and a GTM recipe).
//!
//! Sans-IO like the rest of the engine. Builders return an [`Event`]: its name and the JSON
//! *text* of the object to push, which the browser layer `JSON.parse`s once and hands to every
//! sink (`dataLayer.push`, the `shoppable:<name>` DOM `CustomEvent`, `player.on`). The text is
//! written directly, from integers only: prices are cents and times milliseconds, so `29.99`
//! and `12.5` come out exact without any float formatting code in the wasm.
//!
//! The trackers ([`video::VideoProgress`], [`dedupe::ViewItemListTracker`], …) decide *when*
//! an event is due from inputs the caller feeds them with its own clock (`now_ms`); the
//! [`lookback`] record and [`consent`] decide what may be kept in `localStorage`.
//!
//! ```
//! use player_core::analytics::context::{Attribution, EventContext, VideoContext};
//! use player_core::analytics::ecommerce::add_to_cart;
//! use player_core::commerce::feed::parse_feed;
//! let feed = parse_feed(r#"{"currency":"USD","products":[{"id":"tee","title":"Tee",
//!     "variants":[{"id":"1","sku":"TEE-1","price":2950}]}]}"#).unwrap().feed;
//! let mut ctx = EventContext::new(
//!     VideoContext::new("show", "Spring drop", "/show.m3u8"),
//!     Attribution::from_url("https://shop.example/?utm_source=ig", &[], 0xfeed),
//! );
//! ctx.currency = feed.currency;
//! ctx.video.current_time_ms = 12_500;
//! let product = &feed.products[0];
//! let event = add_to_cart(&ctx, product, &product.variants[0], 2, None).unwrap();
//! assert_eq!(event.pushes()[0], r#"{"ecommerce":null}"#);
//! assert!(event.json.starts_with(r#"{"event":"add_to_cart","ecommerce":{"currency":"USD","value":59,"#));
//! assert!(event.json.contains(r#""video_current_time":12.5,"#));
//! ```

pub mod consent;
pub mod context;
pub mod dedupe;
pub mod ecommerce;
pub mod lookback;
mod payload;
pub mod video;

pub use payload::{Event, CLEAR_ECOMMERCE};

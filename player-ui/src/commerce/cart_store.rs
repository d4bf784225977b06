//! The page's one cart: shared by every player on the page, saved in `localStorage`, and kept
//! in step with other tabs.
//!
//! - One in-memory [`Cart`] per page, copied after every change into each mounted player's own
//!   signal, so adding in one player updates the count in all of them. Not one shared signal:
//!   reactive_graph does not unsubscribe a disposed render effect from its sources, so every
//!   destroyed player would stay in the subscriber list of a signal that outlives it (measured:
//!   wasm memory grew ~650 bytes per create/destroy cycle).
//! - Saved under `shoppable-player:cart:v1:<host>` with [`Cart::to_record`] after every change;
//!   restored with [`Cart::from_record`] (corrupt or old records: an empty cart and a
//!   `console.warn`). A storage failure (quota, private mode, blocked cookies) is warned about
//!   and the cart carries on in memory.
//! - Another tab's write arrives as a `storage` event and is merged with [`Cart::merge`]; the
//!   merged cart is written back only when the merge changed it and differs from what the other
//!   tab wrote, so two tabs never echo each other.
//! - Where each line was added (video id, second of video) is kept beside the cart under
//!   `shoppable-player:cart-origin:v1:<host>`, for the store's line item properties.

use std::cell::RefCell;

use leptos::prelude::*;
use player_core::commerce::cart::Cart;
use player_core::commerce::json::{self, JsonKind, JsonValue};
use player_core::web::storage::{self, StorageWatch};

use crate::host;

/// Where a cart line came from.
#[derive(Clone, PartialEq)]
pub struct LineOrigin {
    pub variant_id: String,
    pub video_id: String,
    /// Whole seconds into the video.
    pub video_time: u64,
}

#[derive(Default)]
struct Store {
    cart: Cart,
    /// Each mounted player's own signal of the cart, by seat number (see [`attach`]).
    players: Vec<(u64, ArcRwSignal<Cart>)>,
    next_seat: u64,
    origins: Vec<LineOrigin>,
    /// Lines already handed to the store's cart during this page's checkout attempts
    /// (variant id, quantity sent), so that a retry after a refusal does not add them twice.
    sent: Vec<(String, u32)>,
    watch: Option<StorageWatch>,
}

thread_local! {
    static STORE: RefCell<Option<Store>> = const { RefCell::new(None) };
}

fn with_store<R>(f: impl FnOnce(&mut Store) -> R) -> Option<R> {
    STORE.with(|s| s.borrow_mut().as_mut().map(f))
}

fn key(kind: &str) -> String {
    let host = web_sys::window()
        .and_then(|w| w.location().host().ok())
        .unwrap_or_default();
    format!("shoppable-player:{kind}:v1:{host}")
}

/// Milliseconds since the epoch: cart stamps are compared across tabs, so a wall clock.
pub fn now_ms() -> u64 {
    js_sys::Date::now() as u64
}

/// Joins the page's cart (the first player loads it from storage and starts listening to
/// other tabs): returns the player's seat number and its own signal of the cart, which belongs
/// to the calling player's reactive owner; the cart outlives it. Pair with [`detach`].
pub fn attach() -> (u64, RwSignal<Cart>) {
    let (seat, cart) = STORE.with(|s| {
        let mut s = s.borrow_mut();
        let s = s.get_or_insert_with(Store::default);
        let seat = s.next_seat;
        s.next_seat += 1;
        let cart = ArcRwSignal::new(s.cart.clone());
        s.players.push((seat, cart.clone()));
        (seat, cart)
    });
    if with_store(|s| s.watch.is_none()) == Some(true) {
        if let Ok(Some(text)) = storage::read(&key("cart")) {
            merge_from(&text);
        }
        reload_origins();
        let watch = StorageWatch::new(on_storage);
        with_store(|s| s.watch = watch);
    }
    (seat, RwSignal::from(cart))
}

/// Leaves the page's cart; the last player stops listening to other tabs (the cart itself
/// stays in memory for players mounted later).
pub fn detach(seat: u64) {
    with_store(|s| {
        s.players.retain(|(taken, _)| *taken != seat);
        if s.players.is_empty() {
            s.watch = None;
        }
    });
}

/// Changes the cart, notifies every player and saves it. `f` works on a copy, so it may
/// call back into this module.
pub fn change<R>(f: impl FnOnce(&mut Cart, u64) -> R) -> Option<R> {
    let mut cart = with_store(|s| s.cart.clone())?;
    let result = f(&mut cart, now_ms());
    let record = cart.to_record();
    publish(cart);
    save(&record);
    Some(result)
}

/// Makes `cart` the page's cart and hands it to every player. The signals are set outside
/// the store's borrow: a player's effects may read the store.
fn publish(cart: Cart) {
    let players = with_store(|s| {
        s.cart = cart.clone();
        s.players.iter().map(|(_, p)| p.clone()).collect::<Vec<_>>()
    });
    for player in players.unwrap_or_default() {
        player.set(cart.clone());
    }
}

fn save(record: &str) {
    if let Err(e) = storage::write(&key("cart"), record) {
        host::warn(&format!(
            "the cart could not be saved ({e}); it is kept for this page only"
        ));
    }
}

fn on_storage(changed: Option<String>, value: Option<String>) {
    match changed.as_deref() {
        Some(k) if k == key("cart") => {
            // A removed key (another tab cleared storage) has nothing to merge.
            if let Some(text) = value {
                merge_from(&text);
            }
        }
        Some(k) if k == key("cart-origin") => reload_origins(),
        _ => {}
    }
}

/// Merges a stored record into the page's cart, writing the result back when it has
/// something the record lacks.
fn merge_from(text: &str) {
    let (theirs, warning) = Cart::from_record(text);
    if let Some(w) = warning {
        host::warn(&w.to_string());
    }
    let Some(mut cart) = with_store(|s| s.cart.clone()) else {
        return;
    };
    if cart.merge(&theirs) {
        let ours = cart.to_record();
        publish(cart);
        if ours != text {
            save(&ours);
        }
    }
}

/// Where the line for `variant_id` was added, if known.
pub fn origin(variant_id: &str) -> Option<LineOrigin> {
    with_store(|s| {
        s.origins
            .iter()
            .find(|o| o.variant_id == variant_id)
            .cloned()
    })
    .flatten()
}

/// Notes where a new line was added (kept for lines still in the cart only).
pub fn set_origin(origin: LineOrigin) {
    let text = with_store(|s| {
        let Store { cart, origins, .. } = s;
        origins.retain(|o| o.variant_id != origin.variant_id);
        origins.push(origin);
        origins.retain(|o| cart.line(&o.variant_id).is_some());
        let entries = origins.iter().map(|o| {
            let fields = vec![
                ("video_id".to_owned(), JsonValue::string(&o.video_id)),
                (
                    "video_time".to_owned(),
                    JsonValue::int(i64::try_from(o.video_time).unwrap_or(0)),
                ),
            ];
            let value = JsonValue::new(JsonKind::Object(fields));
            (o.variant_id.clone(), value)
        });
        JsonValue::new(JsonKind::Object(entries.collect())).to_json()
    });
    if let Some(text) = text {
        if let Err(e) = storage::write(&key("cart-origin"), &text) {
            host::warn(&format!("the cart could not be saved ({e})"));
        }
    }
}

fn reload_origins() {
    let Ok(Some(text)) = storage::read(&key("cart-origin")) else {
        return;
    };
    let Ok(root) = json::parse(&text) else {
        host::warn("the saved cart line origins are not valid JSON; ignored");
        return;
    };
    let origins = root
        .as_object()
        .unwrap_or_default()
        .iter()
        .filter_map(|(id, v)| {
            Some(LineOrigin {
                variant_id: id.clone(),
                video_id: v.get("video_id")?.as_str()?.to_owned(),
                video_time: u64::try_from(v.get("video_time")?.as_i64()?).ok()?,
            })
        });
    let origins = origins.collect();
    with_store(|s| s.origins = origins);
}

/// Units of `variant_id` already handed to the store's cart on this page.
pub fn sent(variant_id: &str) -> u32 {
    with_store(|s| s.sent.iter().find(|(id, _)| id == variant_id).map(|e| e.1))
        .flatten()
        .unwrap_or(0)
}

/// Records `quantity` units of `variant_id` as handed to the store's cart.
pub fn mark_sent(variant_id: &str, quantity: u32) {
    with_store(|s| {
        s.sent.retain(|(id, _)| id != variant_id);
        s.sent.push((variant_id.to_owned(), quantity));
    });
}

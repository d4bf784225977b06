//! Immediate sync with a Shopify store's cart (`checkout="shopify" cart-sync="immediate"`):
//! every change to the player's cart goes to the store's cart at once, so the store's cart
//! drawer, cart count and cart page agree with the player while the show plays.
//!
//! The player's cart changes first (the shopper sees the count move at once) and the store is
//! told; what the store refuses (422: sold out, not enough stock) is rolled back, by the
//! amount of that change only, so a later change that the store accepted is kept. Analytics
//! follow the store: `add_to_cart` and `remove_from_cart` are reported only once the store
//! confirmed, never for a refusal.

use leptos::prelude::*;
use player_core::commerce::cart::CartChange;
use player_core::web::shopify_cart::{add_line, change_line, StoreLine};
use wasm_bindgen::JsValue;

use super::cart_store;
use super::checkout::shopify_root;
use super::Commerce;
use crate::host;

/// How the player's cart reaches the store.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CartSync {
    /// All at once at checkout (the default).
    AtCheckout,
    /// Every change at once (Shopify only).
    Immediate,
}

impl CartSync {
    /// From the `cart-sync` option: `immediate`, else at checkout.
    pub fn from_option(value: Option<&str>) -> CartSync {
        match value.map(str::trim) {
            Some("immediate") => CartSync::Immediate,
            _ => CartSync::AtCheckout,
        }
    }
}

/// Sends `change` to the store's cart, then reports it, or rolls it back with the store's
/// message.
pub async fn send(commerce: Commerce, change: CartChange) {
    let root = shopify_root();
    let line = &change.line;
    let result = if change.added() > 0 {
        let (video_id, _) = commerce.video_identity();
        let origin = cart_store::origin(&line.variant_id);
        let store_line = StoreLine {
            variant_id: &line.variant_id,
            quantity: change.added(),
            video_id: origin
                .as_ref()
                .map_or(video_id.as_deref().unwrap_or(""), |o| &o.video_id),
            video_time: origin.as_ref().map_or(0, |o| o.video_time),
        };
        add_line(&root, &store_line).await
    } else {
        change_line(&root, &line.variant_id, change.after).await
    };
    match result {
        Ok(()) => {
            // The store holds these units now: checkout must not send them again.
            cart_store::mark_sent(&line.variant_id, change.after);
            commerce.analytics.cart_change(&change);
        }
        Err(message) => {
            roll_back(&change);
            refused(commerce, &change, &message);
        }
    }
}

/// Undoes `change` alone: what changed since (another add the store accepted) stays.
fn roll_back(change: &CartChange) {
    let line = &change.line;
    cart_store::change(|cart, now| {
        let current = cart.line(&line.variant_id).map_or(0, |l| l.quantity);
        if change.added() > 0 {
            cart.set_quantity(
                &line.variant_id,
                current.saturating_sub(change.added()),
                now,
            );
        } else if current == 0 {
            cart.add(line.item(), change.removed(), now);
        } else {
            cart.set_quantity(&line.variant_id, current + change.removed(), now);
        }
    });
}

/// Shows the store's words where the shopper is looking (the line in the drawer, the sheet's
/// status line) and tells the host.
fn refused(commerce: Commerce, change: &CartChange, message: &str) {
    let id = change.line.variant_id.clone();
    commerce.line_errors.try_update(|errors| {
        errors.retain(|(v, _)| *v != id);
        errors.push((id, message.to_owned()));
    });
    if change.added() > 0 {
        commerce.added.try_set(Some(message.to_owned()));
    }
    if let Some(host) = commerce.host() {
        let detail = host::object(&[
            ("code", "cart_refused".into()),
            ("message", message.into()),
            ("url", JsValue::NULL),
            ("fatal", false.into()),
            ("variant_id", change.line.variant_id.as_str().into()),
        ]);
        host::dispatch(&host, "error", &detail);
    }
}

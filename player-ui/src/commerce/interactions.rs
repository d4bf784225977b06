//! The one place every commerce interaction passes through.
//!
//! Cards, the sheet, the drawer, checkout and the host API all call [`record`]; today it
//! dispatches a plain `shoppable:<name>` DOM event on the player's element with a simple
//! detail. GA4 `dataLayer` payloads are to be built here too, from the same values, so that
//! no interaction can reach one channel and miss the other.

use js_sys::{Array, Object, Reflect};
use player_core::commerce::cart::CartLine;
use player_core::commerce::money::cents_to_major;
use wasm_bindgen::{JsCast, JsValue};

use super::Commerce;
use crate::host;

/// What the shopper (or the host page, through the player API) did.
pub enum Interaction<'a> {
    /// The product sheet opened on a product (its selected variant).
    ViewItem {
        product_id: &'a str,
        variant_id: &'a str,
        price: u64,
    },
    /// A product was chosen from a list: `cards` (over the video) or `rail`.
    SelectItem {
        product_id: &'a str,
        list: &'static str,
    },
    /// `quantity` units were added (a new line or more of one).
    AddToCart { line: &'a CartLine, quantity: u32 },
    /// `quantity` units were taken out (fewer, or the whole line).
    RemoveFromCart { line: &'a CartLine, quantity: u32 },
    ViewCart {
        lines: &'a [CartLine],
        subtotal: u64,
    },
    /// Checkout started; `method` is `event`, `shopify` or `url`.
    BeginCheckout {
        lines: &'a [CartLine],
        subtotal: u64,
        method: &'static str,
    },
}

/// Records one interaction: dispatches `shoppable:<name>` with its detail.
pub fn record(commerce: &Commerce, interaction: Interaction<'_>) {
    let Some(host) = commerce.host() else {
        return;
    };
    let currency = commerce.currency();
    let detail = Object::new();
    let set = |key: &str, value: JsValue| {
        Reflect::set(&detail, &JsValue::from_str(key), &value).ok();
    };
    let (video_id, video_title) = commerce.video_identity();
    set("video_id", video_id.map_or(JsValue::NULL, JsValue::from));
    set(
        "video_title",
        video_title.map_or(JsValue::NULL, JsValue::from),
    );
    set("video_time", commerce.video_time().into());
    set("currency", currency.as_str().into());
    let name = match interaction {
        Interaction::ViewItem {
            product_id,
            variant_id,
            price,
        } => {
            set("product_id", product_id.into());
            set("variant_id", variant_id.into());
            set("price", cents_to_major(price).into());
            "view_item"
        }
        Interaction::SelectItem { product_id, list } => {
            set("product_id", product_id.into());
            set("list", list.into());
            "select_item"
        }
        Interaction::AddToCart { line, quantity }
        | Interaction::RemoveFromCart { line, quantity } => {
            let fields = line_object(line, &currency);
            Object::assign(&detail, &fields);
            set("quantity", quantity.into());
            if matches!(interaction, Interaction::AddToCart { .. }) {
                "add_to_cart"
            } else {
                "remove_from_cart"
            }
        }
        Interaction::ViewCart { lines, subtotal } => {
            set("lines", lines_array(lines, &currency).into());
            set("value", cents_to_major(subtotal).into());
            "view_cart"
        }
        Interaction::BeginCheckout {
            lines,
            subtotal,
            method,
        } => {
            set("lines", lines_array(lines, &currency).into());
            set("value", cents_to_major(subtotal).into());
            set("method", method.into());
            "begin_checkout"
        }
    };
    host::dispatch(&host, name, &detail);
}

/// A cart line as JavaScript sees it (events and `player.cart.items`): `unit_price` in minor
/// units (cents), `price` in major units.
pub fn line_object(line: &CartLine, currency: &str) -> Object {
    host::object(&[
        ("variant_id", line.variant_id.as_str().into()),
        ("product_id", line.product_id.as_str().into()),
        ("title", line.title.as_str().into()),
        ("variant_title", line.variant_title.as_str().into()),
        ("quantity", line.quantity.into()),
        ("unit_price", (line.unit_price as f64).into()),
        ("price", cents_to_major(line.unit_price).into()),
        ("currency", currency.into()),
        (
            "image",
            line.image.as_deref().map_or(JsValue::NULL, JsValue::from),
        ),
    ])
    .unchecked_into()
}

pub fn lines_array(lines: &[CartLine], currency: &str) -> Array {
    lines.iter().map(|l| line_object(l, currency)).collect()
}

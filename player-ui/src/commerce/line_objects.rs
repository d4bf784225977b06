//! Cart lines as JavaScript sees them: `player.cart.items` and the `lines` of
//! `shoppable:begin_checkout`.

use js_sys::Array;
use player_core::commerce::cart::CartLine;
use player_core::commerce::money::cents_to_major;
use wasm_bindgen::{JsCast, JsValue};

use crate::host;

/// A cart line as JavaScript sees it: `unit_price` in minor
/// units (cents), `price` in major units.
pub fn line_object(line: &CartLine, currency: &str) -> js_sys::Object {
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

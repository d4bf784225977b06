//! The cart's `localStorage` record and its tolerant loader.
//!
//! ```json
//! {"v":1,"updated":1714560000123,
//!  "lines":[{"variant_id":"40001","product_id":"tee","title":"Linen tee","variant_title":"Sand / S",
//!            "unit_price":2900,"quantity":2,"image":"/img/tee.svg","max_quantity":5,
//!            "added":1714560000000,"updated":1714560000123}],
//!  "removed":[{"variant_id":"40003","updated":1714559990000}]}
//! ```
//! Storage is shared with every script of the origin and survives our own upgrades, so the
//! loader trusts nothing: an unreadable record gives an empty cart, unreadable lines are
//! dropped, and each case comes with a [`CartWarning`] to report — never an error.

use super::{Cart, CartLine, Removal, MAX_LINE_QUANTITY};
use crate::commerce::json::{self, JsonKind, JsonValue, MAX_SAFE_INTEGER};
use crate::commerce::url::{check_url, UrlUse};

/// The record format version written by [`Cart::to_record`].
pub const CART_RECORD_VERSION: i64 = 1;
/// Most lines (and, separately, removal marks) read from a record.
pub const MAX_STORED_LINES: usize = 1000;
/// Longest id or title accepted from a record, in bytes.
const MAX_TEXT: usize = 2048;

/// Why a saved cart was not (entirely) restored. The cart returned alongside is still usable.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CartWarning {
    #[error("the saved cart is not valid JSON ({0}); starting with an empty cart")]
    Corrupt(json::JsonError),
    #[error("the saved cart is not a cart record; starting with an empty cart")]
    NotACart,
    #[error("the saved cart has version {found} but this player reads version 1; starting with an empty cart")]
    UnsupportedVersion { found: String },
    #[error("{count} saved cart line(s) could not be read and were dropped")]
    DroppedLines { count: usize },
}

impl Cart {
    /// The versioned JSON record for `localStorage`. Equal carts give equal text, so a tab can
    /// skip writing back a merged cart identical to the record it just read.
    pub fn to_record(&self) -> String {
        let lines = self.lines.iter().map(line_json).collect();
        let removed = self
            .removals()
            .iter()
            .map(|r| {
                object(vec![
                    ("variant_id", JsonValue::string(&r.variant_id)),
                    ("updated", uint(r.updated)),
                ])
            })
            .collect();
        object(vec![
            ("v", JsonValue::int(CART_RECORD_VERSION)),
            ("updated", uint(self.updated())),
            ("lines", JsonValue::new(JsonKind::Array(lines))),
            ("removed", JsonValue::new(JsonKind::Array(removed))),
        ])
        .to_json()
    }

    /// Restores a cart from its record. Never fails: see [`CartWarning`].
    pub fn from_record(text: &str) -> (Cart, Option<CartWarning>) {
        let root = match json::parse(text) {
            Ok(root) => root,
            Err(e) => return (Cart::new(), Some(CartWarning::Corrupt(e))),
        };
        match root.get("v") {
            Some(v) if v.as_i64() == Some(CART_RECORD_VERSION) => {}
            Some(v) if root.get("lines").is_some() => {
                let found = match v.as_number() {
                    Some(n) => n.as_str().to_owned(),
                    None => v.type_name().to_owned(),
                };
                return (Cart::new(), Some(CartWarning::UnsupportedVersion { found }));
            }
            _ => return (Cart::new(), Some(CartWarning::NotACart)),
        }
        let Some(items) = root.get("lines").and_then(JsonValue::as_array) else {
            return (Cart::new(), Some(CartWarning::NotACart));
        };
        let mut dropped = items.len().saturating_sub(MAX_STORED_LINES);
        let mut lines = Vec::with_capacity(items.len().min(MAX_STORED_LINES));
        for item in items.iter().take(MAX_STORED_LINES) {
            match read_line(item) {
                Some(line) => lines.push(line),
                None => dropped += 1,
            }
        }
        // Removal marks only guard against resurrection; a bad one is simply skipped.
        let marks = root.get("removed").and_then(JsonValue::as_array);
        let removed = marks
            .unwrap_or_default()
            .iter()
            .take(MAX_STORED_LINES)
            .filter_map(|m| {
                Some(Removal {
                    variant_id: text_field(m, "variant_id").filter(|s| !s.is_empty())?,
                    updated: stamp(m, "updated")?,
                })
            })
            .collect();
        let cart = Cart::from_parts(lines, removed);
        let warning = (dropped > 0).then_some(CartWarning::DroppedLines { count: dropped });
        (cart, warning)
    }
}

fn object(members: Vec<(&str, JsonValue)>) -> JsonValue {
    let members = members.into_iter().map(|(k, v)| (k.to_owned(), v));
    JsonValue::new(JsonKind::Object(members.collect()))
}

fn uint(n: u64) -> JsonValue {
    JsonValue::int(i64::try_from(n).unwrap_or(i64::MAX))
}

fn line_json(l: &CartLine) -> JsonValue {
    let optional = |v: Option<JsonValue>| v.unwrap_or(JsonValue::new(JsonKind::Null));
    object(vec![
        ("variant_id", JsonValue::string(&l.variant_id)),
        ("product_id", JsonValue::string(&l.product_id)),
        ("title", JsonValue::string(&l.title)),
        ("variant_title", JsonValue::string(&l.variant_title)),
        ("unit_price", uint(l.unit_price)),
        ("quantity", uint(u64::from(l.quantity))),
        ("image", optional(l.image.as_deref().map(JsonValue::string))),
        (
            "max_quantity",
            optional(l.max_quantity.map(|m| uint(u64::from(m)))),
        ),
        ("added", uint(l.added)),
        ("updated", uint(l.updated)),
    ])
}

fn text_field(v: &JsonValue, key: &str) -> Option<String> {
    let s = v.get(key)?.as_str()?;
    (s.len() <= MAX_TEXT).then(|| s.to_owned())
}

/// A whole number in `0..=2^53-1`.
fn stamp(v: &JsonValue, key: &str) -> Option<u64> {
    match v.get(key)?.as_i64()? {
        n @ 0..=MAX_SAFE_INTEGER => Some(n as u64),
        _ => None,
    }
}

fn read_line(v: &JsonValue) -> Option<CartLine> {
    let quantity = u32::try_from(stamp(v, "quantity")?).ok()?;
    let image = match v.get("image").filter(|i| !i.is_null()) {
        None => None,
        Some(i) => Some(check_url(i.as_str()?, UrlUse::Image).ok()?.to_owned()),
    };
    let max_quantity = match v.get("max_quantity").filter(|m| !m.is_null()) {
        None => None,
        Some(_) => Some(u32::try_from(stamp(v, "max_quantity")?).ok()?),
    };
    let line = CartLine {
        variant_id: text_field(v, "variant_id").filter(|s| !s.is_empty())?,
        product_id: text_field(v, "product_id")?,
        title: text_field(v, "title")?,
        variant_title: text_field(v, "variant_title")?,
        unit_price: stamp(v, "unit_price")?,
        quantity,
        image,
        max_quantity,
        added: stamp(v, "added")?,
        updated: stamp(v, "updated")?,
    };
    (1..=MAX_LINE_QUANTITY)
        .contains(&line.quantity)
        .then_some(line)
}

//! Shopify's Ajax Cart API, the part a hand-off needs: `POST {root}cart/add.js` (at checkout,
//! or at every add in immediate-sync mode) and `POST {root}cart/change.js` (immediate sync of
//! a decrease or removal).
//!
//! Lines are sent one request at a time so that a refusal (422: sold out, not enough stock)
//! is known per line. The store's own words come back for the shopper to read.

use web_sys::{Headers, RequestInit};

use super::text_request::request_text;
use crate::commerce::json::{self, JsonKind, JsonNumber, JsonValue};

/// One cart line as the store receives it, with where in the video it was added (line item
/// properties starting with `_` are hidden from the shopper by Shopify themes).
pub struct StoreLine<'a> {
    pub variant_id: &'a str,
    pub quantity: u32,
    pub video_id: &'a str,
    /// Whole seconds into the video when the line was added.
    pub video_time: u64,
}

/// Shopify variant ids are numbers; an id that is not one is sent as a string.
fn variant_id_json(variant_id: &str) -> JsonValue {
    match JsonNumber::parse(variant_id) {
        Some(n) if n.as_i64().is_some() => JsonValue::new(JsonKind::Number(n)),
        _ => JsonValue::string(variant_id),
    }
}

/// The JSON body of `cart/add.js` for one line: `{"items":[{"id":40001,"quantity":2,
/// "properties":{"_video_id":"show","_video_time":12}}]}`.
pub fn add_body(line: &StoreLine<'_>) -> String {
    let id = variant_id_json(line.variant_id);
    let member = |k: &str, v: JsonValue| (k.to_owned(), v);
    let properties = JsonValue::new(JsonKind::Object(vec![
        member("_video_id", JsonValue::string(line.video_id)),
        member(
            "_video_time",
            JsonValue::int(i64::try_from(line.video_time).unwrap_or(i64::MAX)),
        ),
    ]));
    let item = JsonValue::new(JsonKind::Object(vec![
        member("id", id),
        member("quantity", JsonValue::int(i64::from(line.quantity))),
        member("properties", properties),
    ]));
    let items = JsonValue::new(JsonKind::Array(vec![item]));
    JsonValue::new(JsonKind::Object(vec![member("items", items)])).to_json()
}

/// The JSON body of `cart/change.js` setting the line of `variant_id` to `quantity` (0
/// removes it).
pub fn change_body(variant_id: &str, quantity: u32) -> String {
    let id = variant_id_json(variant_id);
    JsonValue::new(JsonKind::Object(vec![
        ("id".to_owned(), id),
        ("quantity".to_owned(), JsonValue::int(i64::from(quantity))),
    ]))
    .to_json()
}

/// Adds one line to the store's cart at `root` (`Shopify.routes.root`, ending in `/`).
/// `Err` carries the store's `description` (else `message`) for a refusal, or what failed.
pub async fn add_line(root: &str, line: &StoreLine<'_>) -> Result<(), String> {
    post_json(&format!("{root}cart/add.js"), &add_body(line)).await
}

/// Sets the store's line of `variant_id` to `quantity` (0 removes it). `Err` as for
/// [`add_line`].
pub async fn change_line(root: &str, variant_id: &str, quantity: u32) -> Result<(), String> {
    post_json(
        &format!("{root}cart/change.js"),
        &change_body(variant_id, quantity),
    )
    .await
}

async fn post_json(url: &str, body: &str) -> Result<(), String> {
    let init = RequestInit::new();
    init.set_method("POST");
    let headers = Headers::new().map_err(super::storage::describe)?;
    headers
        .set("Content-Type", "application/json")
        .map_err(super::storage::describe)?;
    headers
        .set("Accept", "application/json")
        .map_err(super::storage::describe)?;
    init.set_headers(&headers);
    init.set_body(&body.into());
    let response = request_text(url, &init).await?;
    if response.ok() {
        return Ok(());
    }
    let said = json::parse(&response.text).ok().and_then(|v| {
        ["description", "message"]
            .iter()
            .find_map(|k| Some(v.get(k)?.as_str()?.to_owned()))
    });
    Err(said.unwrap_or_else(|| format!("The store answered HTTP {}", response.status)))
}

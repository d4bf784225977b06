//! A fake Shopify Ajax Cart API, so that the player's `shopify` checkout can be tested end to
//! end without a store: the same paths, bodies and error shapes as Shopify's
//! (<https://shopify.dev/docs/api/ajax/reference/cart>), with an in-memory cart.
//!
//! | route | what it does |
//! | --- | --- |
//! | `POST /cart/add.js` | JSON `{"items":[{"id":40001,"quantity":1,"properties":{…}}]}` or `{"id":…,"quantity":…}`, or a form (`id`, `quantity`, `properties[name]`); answers the added items, 422 for a sold-out variant, 404 for an unknown one |
//! | `GET /cart.js` | the cart: `{token, items, item_count, total_price, currency}` |
//! | `POST /cart/change.js` | JSON or form `{id (variant id or line key) or line (1-based), quantity}`; 0 removes |
//! | `GET /cart` | the cart page a checkout hand-off lands on (HTML) |
//! | `GET /cart/{id}:{qty},…` | a cart permalink's landing page (HTML, echoing the lines) |
//! | `GET /__shopify/received` | test hook: every add/change request received, in order |
//! | `POST /__shopify/reset?sold_out=40002,50001` | test hook: empties the cart and the log; the listed variants answer 422 |
//!
//! Variants, titles and prices come from the demo feed (`examples/feeds/demo.json`). The test
//! hooks answer loopback hosts only (the server binds 127.0.0.1; the check also refuses a
//! DNS-rebinding page).

use std::path::Path;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::header::{CONTENT_TYPE, HOST};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use player_core::commerce::feed::parse_feed;
use serde_json::{json, Map, Value};

/// The feed whose variants the fake store sells.
const FEED: &str = "examples/feeds/demo.json";

#[derive(Clone)]
struct Sellable {
    variant_id: String,
    product_id: String,
    product_title: String,
    variant_title: String,
    price: u64,
}

#[derive(Default)]
struct Store {
    catalogue: Vec<Sellable>,
    lines: Vec<Line>,
    received: Vec<Value>,
    sold_out: Vec<String>,
}

struct Line {
    item: Sellable,
    quantity: u64,
    properties: Map<String, Value>,
}

impl Line {
    /// Shopify's line key: the variant id, plus a hash of the properties when there are any
    /// (lines with different properties are different lines).
    fn key(&self) -> String {
        if self.properties.is_empty() {
            return self.item.variant_id.clone();
        }
        let text = Value::Object(self.properties.clone()).to_string();
        let hash = text.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
            (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3)
        });
        format!("{}:{hash:016x}", self.item.variant_id)
    }

    fn json(&self) -> Value {
        json!({
            "key": self.key(),
            "id": numeric(&self.item.variant_id),
            "variant_id": numeric(&self.item.variant_id),
            "product_id": self.item.product_id,
            "title": format!("{} - {}", self.item.product_title, self.item.variant_title),
            "product_title": self.item.product_title,
            "variant_title": self.item.variant_title,
            "quantity": self.quantity,
            "price": self.item.price,
            "line_price": self.item.price * self.quantity,
            "properties": self.properties,
        })
    }
}

type Shared = Arc<Mutex<Store>>;

fn lock(store: &Shared) -> MutexGuard<'_, Store> {
    store.lock().unwrap_or_else(PoisonError::into_inner)
}

/// The fake store's routes, to merge into the demo server.
pub fn router(root: &Path) -> Router {
    let store = Store {
        catalogue: catalogue(root),
        ..Store::default()
    };
    Router::new()
        .route("/cart/add.js", post(add))
        .route("/cart/change.js", post(change))
        .route("/cart.js", get(cart_js))
        .route("/cart", get(cart_page))
        .route("/cart/{permalink}", get(permalink_page))
        .route("/__shopify/received", get(received))
        .route("/__shopify/reset", post(reset))
        .with_state(Arc::new(Mutex::new(store)))
}

fn catalogue(root: &Path) -> Vec<Sellable> {
    let Ok(text) = std::fs::read_to_string(root.join(FEED)) else {
        return Vec::new();
    };
    let Ok(report) = parse_feed(&text) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for product in &report.feed.products {
        for variant in &product.variants {
            out.push(Sellable {
                variant_id: variant.id.clone(),
                product_id: product.id.clone(),
                product_title: product.title.clone(),
                variant_title: variant.title(),
                price: variant.price,
            });
        }
    }
    out
}

/// Shopify's ids are numbers; ours may not be.
fn numeric(id: &str) -> Value {
    id.parse::<u64>().map_or_else(|_| json!(id), |n| json!(n))
}

fn id_text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

fn json_response(status: StatusCode, body: Value) -> Response {
    (
        status,
        [(CONTENT_TYPE, "application/json; charset=utf-8")],
        body.to_string(),
    )
        .into_response()
}

/// Shopify's error shape.
fn cart_error(status: StatusCode, description: &str) -> Response {
    let body =
        json!({"status": status.as_u16(), "message": "Cart Error", "description": description});
    json_response(status, body)
}

/// The request body as JSON: JSON bodies as they are, forms (`a=1&properties[b]=2`) as an
/// object.
fn body_json(headers: &HeaderMap, body: &[u8]) -> Option<Value> {
    let content_type = headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let text = std::str::from_utf8(body).ok()?;
    if content_type.starts_with("application/x-www-form-urlencoded") {
        let mut object = Map::new();
        let mut properties = Map::new();
        for pair in text.split('&').filter(|p| !p.is_empty()) {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            let (key, value) = (url_decode(key), url_decode(value));
            match key
                .strip_prefix("properties[")
                .and_then(|k| k.strip_suffix(']'))
            {
                Some(name) => drop(properties.insert(name.to_owned(), json!(value))),
                None => drop(object.insert(key, json!(value))),
            }
        }
        if !properties.is_empty() {
            object.insert("properties".into(), Value::Object(properties));
        }
        return Some(Value::Object(object));
    }
    serde_json::from_str(text).ok()
}

fn url_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => {
                match u8::from_str_radix(s.get(i + 1..i + 3).unwrap_or(""), 16) {
                    Ok(b) => {
                        out.push(b);
                        i += 2;
                    }
                    Err(_) => out.push(b'%'),
                }
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn log(store: &mut Store, path: &str, headers: &HeaderMap, body: &[u8], parsed: Option<&Value>) {
    let content_type = headers.get(CONTENT_TYPE).and_then(|v| v.to_str().ok());
    store.received.push(json!({
        "path": path,
        "content_type": content_type,
        "body": parsed.cloned().unwrap_or_else(|| json!(String::from_utf8_lossy(body))),
    }));
}

async fn add(State(store): State<Shared>, headers: HeaderMap, body: Bytes) -> Response {
    let parsed = body_json(&headers, &body);
    let mut store = lock(&store);
    log(&mut store, "/cart/add.js", &headers, &body, parsed.as_ref());
    let Some(parsed) = parsed else {
        return cart_error(StatusCode::BAD_REQUEST, "Parameter Missing or Invalid");
    };
    let requests: Vec<Value> = match parsed.get("items").and_then(Value::as_array) {
        Some(items) => items.clone(),
        None => vec![parsed.clone()],
    };
    // Check everything first: Shopify adds all items or none.
    let mut additions = Vec::new();
    for request in &requests {
        let Some(id) = request.get("id").and_then(id_text) else {
            return cart_error(StatusCode::BAD_REQUEST, "Parameter Missing or Invalid: id");
        };
        let quantity = match request.get("quantity") {
            None => 1,
            Some(q) => match q.as_u64().or_else(|| q.as_str()?.parse().ok()) {
                Some(q) if q > 0 => q,
                _ => {
                    return cart_error(
                        StatusCode::UNPROCESSABLE_ENTITY,
                        "Quantity must be a positive number",
                    )
                }
            },
        };
        let Some(item) = store.catalogue.iter().find(|s| s.variant_id == id).cloned() else {
            return cart_error(StatusCode::NOT_FOUND, "Cannot find variant");
        };
        if store.sold_out.contains(&id) {
            let description = format!(
                "The product '{} - {}' is already sold out.",
                item.product_title, item.variant_title
            );
            return cart_error(StatusCode::UNPROCESSABLE_ENTITY, &description);
        }
        let properties = request
            .get("properties")
            .and_then(Value::as_object)
            .cloned()
            .unwrap_or_default();
        additions.push(Line {
            item,
            quantity,
            properties,
        });
    }
    let mut added = Vec::new();
    for line in additions {
        let key = line.key();
        match store.lines.iter_mut().find(|l| l.key() == key) {
            Some(existing) => {
                existing.quantity += line.quantity;
                added.push(existing.json());
            }
            None => {
                added.push(line.json());
                store.lines.push(line);
            }
        }
    }
    json_response(StatusCode::OK, json!({ "items": added }))
}

fn cart_json(store: &Store) -> Value {
    let items: Vec<Value> = store.lines.iter().map(Line::json).collect();
    let count: u64 = store.lines.iter().map(|l| l.quantity).sum();
    let total: u64 = store.lines.iter().map(|l| l.quantity * l.item.price).sum();
    json!({
        "token": "fake-cart",
        "items": items,
        "item_count": count,
        "total_price": total,
        "currency": "USD",
    })
}

async fn cart_js(State(store): State<Shared>) -> Response {
    json_response(StatusCode::OK, cart_json(&lock(&store)))
}

async fn change(State(store): State<Shared>, headers: HeaderMap, body: Bytes) -> Response {
    let parsed = body_json(&headers, &body);
    let mut store = lock(&store);
    log(
        &mut store,
        "/cart/change.js",
        &headers,
        &body,
        parsed.as_ref(),
    );
    let Some(parsed) = parsed else {
        return cart_error(StatusCode::BAD_REQUEST, "Parameter Missing or Invalid");
    };
    let quantity = parsed
        .get("quantity")
        .and_then(|q| q.as_u64().or_else(|| q.as_str()?.parse().ok()));
    let Some(quantity) = quantity else {
        return cart_error(
            StatusCode::BAD_REQUEST,
            "Parameter Missing or Invalid: quantity",
        );
    };
    let index = match (
        parsed
            .get("line")
            .and_then(|l| l.as_u64().or_else(|| l.as_str()?.parse().ok())),
        parsed.get("id").and_then(id_text),
    ) {
        (Some(line), _) => usize::try_from(line).ok().and_then(|l| l.checked_sub(1)),
        (None, Some(id)) => store
            .lines
            .iter()
            .position(|l| l.key() == id || l.item.variant_id == id),
        (None, None) => None,
    };
    let Some(index) = index.filter(|&i| i < store.lines.len()) else {
        return cart_error(StatusCode::BAD_REQUEST, "no valid id or line parameter");
    };
    if quantity == 0 {
        store.lines.remove(index);
    } else {
        store.lines[index].quantity = quantity;
    }
    json_response(StatusCode::OK, cart_json(&store))
}

async fn cart_page(State(store): State<Shared>) -> Response {
    let store = lock(&store);
    let mut rows = String::new();
    for line in &store.lines {
        rows.push_str(&format!(
            "<li data-variant-id=\"{}\">{} × {}</li>",
            escape(&line.item.variant_id),
            escape(&format!(
                "{} - {}",
                line.item.product_title, line.item.variant_title
            )),
            line.quantity
        ));
    }
    let html = format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Your cart</title></head>\
         <body><h1>Your cart</h1><ul id=\"cart\">{rows}</ul></body></html>"
    );
    ([(CONTENT_TYPE, "text/html; charset=utf-8")], html).into_response()
}

async fn permalink_page(axum::extract::Path(permalink): axum::extract::Path<String>) -> Response {
    let html = format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Checkout</title></head>\
         <body><h1>Checkout</h1><p id=\"lines\">{}</p></body></html>",
        escape(&permalink)
    );
    ([(CONTENT_TYPE, "text/html; charset=utf-8")], html).into_response()
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// Test hooks answer only requests addressed to a loopback host.
fn loopback(headers: &HeaderMap) -> bool {
    let host = headers
        .get(HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("");
    let name = match host.strip_prefix('[') {
        Some(rest) => rest.split(']').next().unwrap_or(""),
        None => host.split(':').next().unwrap_or(""),
    };
    matches!(name, "127.0.0.1" | "localhost" | "::1")
}

async fn received(State(store): State<Shared>, headers: HeaderMap) -> Response {
    if !loopback(&headers) {
        return StatusCode::FORBIDDEN.into_response();
    }
    json_response(StatusCode::OK, Value::Array(lock(&store).received.clone()))
}

async fn reset(
    State(store): State<Shared>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Response {
    if !loopback(&headers) {
        return StatusCode::FORBIDDEN.into_response();
    }
    let sold_out = query
        .unwrap_or_default()
        .split('&')
        .filter_map(|p| p.strip_prefix("sold_out="))
        .flat_map(|ids| ids.split(',').map(url_decode).collect::<Vec<_>>())
        .filter(|id| !id.is_empty())
        .collect();
    let mut store = lock(&store);
    store.lines.clear();
    store.received.clear();
    store.sold_out = sold_out;
    StatusCode::NO_CONTENT.into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forms_and_percent_decoding() {
        let mut headers = HeaderMap::new();
        headers.insert(
            CONTENT_TYPE,
            "application/x-www-form-urlencoded".parse().unwrap(),
        );
        let v = body_json(
            &headers,
            b"id=40001&quantity=2&properties%5B_video_id%5D=spring+show",
        )
        .unwrap();
        assert_eq!(v["id"], "40001");
        assert_eq!(v["quantity"], "2");
        assert_eq!(v["properties"]["_video_id"], "spring show");
        assert_eq!(url_decode("100%25%2"), "100%%2");
    }

    #[test]
    fn test_hooks_are_loopback_only() {
        let with_host = |h: &str| {
            let mut headers = HeaderMap::new();
            headers.insert(HOST, h.parse().unwrap());
            loopback(&headers)
        };
        assert!(with_host("127.0.0.1:8080"));
        assert!(with_host("localhost"));
        assert!(with_host("[::1]:9"));
        assert!(!with_host("evil.example:8080"));
        assert!(!with_host("127.0.0.1.evil.example"));
    }
}

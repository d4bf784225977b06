//! Handing the cart over at checkout, as the `checkout` option says:
//!
//! - `event` (the default off Shopify): dispatch `shoppable:begin_checkout` with the lines and
//!   let the host page decide.
//! - `shopify` (the default on a Shopify storefront): add each line to the store's cart with
//!   `POST {Shopify.routes.root}cart/add.js`, one request per line so that a refusal (422: sold
//!   out) is shown on its own line, then go to `{root}cart`. Lines handed over leave our cart
//!   (the store's cart holds them now); refused lines stay with the store's message, and a
//!   retry does not send the accepted ones again.
//! - anything else is a URL template, expanded and navigated to (see [`expand_template`]).

use js_sys::Reflect;
use leptos::prelude::*;
use player_core::commerce::cart::CartLine;
use player_core::web::shopify_cart::{add_line, StoreLine};
use wasm_bindgen::JsValue;

use super::cart_store;
use super::line_objects::lines_array;
use super::Commerce;
use crate::host;

/// How checkout hands the cart over.
#[derive(Debug, Clone, PartialEq)]
pub enum CheckoutMode {
    Event,
    Shopify,
    Url(String),
}

impl CheckoutMode {
    /// From the `checkout` option; unset means Shopify on a Shopify storefront.
    pub fn from_option(value: Option<&str>) -> CheckoutMode {
        match value.map(str::trim) {
            Some("event") => CheckoutMode::Event,
            Some("shopify") => CheckoutMode::Shopify,
            Some(url) if !url.is_empty() => CheckoutMode::Url(url.to_owned()),
            _ if shopify_object().is_some() => CheckoutMode::Shopify,
            _ => CheckoutMode::Event,
        }
    }

    fn name(&self) -> &'static str {
        match self {
            CheckoutMode::Event => "event",
            CheckoutMode::Shopify => "shopify",
            CheckoutMode::Url(_) => "url",
        }
    }
}

/// Starts checkout with the page's cart.
pub fn begin(commerce: Commerce) {
    let cart = commerce.cart.get_untracked();
    let lines = cart.lines().to_vec();
    // A double click is the same checkout of the same lines; a changed cart is a new one.
    let mut intent = String::from("begin_checkout");
    for line in &lines {
        intent.push_str(&format!(" {}x{}", line.variant_id, line.quantity));
    }
    if lines.is_empty() || commerce.busy.get_untracked() || !commerce.analytics.allow_click(&intent)
    {
        return;
    }
    let mode = commerce.checkout_mode();
    // The host's own checkout needs the lines themselves (variant ids, quantities), not just
    // GA4's items: the DOM event carries them too.
    let extra = [
        ("lines", lines_array(&lines, &commerce.currency()).into()),
        ("method", mode.name().into()),
    ];
    commerce
        .analytics
        .cart_event("begin_checkout", &cart, &extra);
    match mode {
        CheckoutMode::Event => {}
        CheckoutMode::Url(template) => {
            let (video_id, _) = commerce.video_identity();
            let url = expand_template(&template, &lines, video_id.as_deref().unwrap_or(""), |s| {
                js_sys::encode_uri_component(s).into()
            });
            navigate(&url);
        }
        CheckoutMode::Shopify => {
            wasm_bindgen_futures::spawn_local(to_shopify(commerce, lines));
        }
    }
}

async fn to_shopify(commerce: Commerce, lines: Vec<CartLine>) {
    commerce.busy.set(true);
    commerce.line_errors.set(Vec::new());
    let root = shopify_root();
    let (video_id, _) = commerce.video_identity();
    let video_id = video_id.unwrap_or_default();
    let mut refused = Vec::new();
    for line in &lines {
        let sent = cart_store::sent(&line.variant_id);
        if line.quantity <= sent {
            continue;
        }
        let origin = cart_store::origin(&line.variant_id);
        let store_line = StoreLine {
            variant_id: &line.variant_id,
            quantity: line.quantity - sent,
            video_id: origin.as_ref().map_or(&video_id, |o| &o.video_id),
            video_time: origin.as_ref().map_or(0, |o| o.video_time),
        };
        match add_line(&root, &store_line).await {
            Ok(()) => cart_store::mark_sent(&line.variant_id, line.quantity),
            Err(message) => refused.push((line.variant_id.clone(), message)),
        }
    }
    commerce.busy.try_set(false);
    if !refused.is_empty() {
        commerce.line_errors.try_set(refused);
        return;
    }
    // Handed over: the store's cart has these lines now. Not a shopper's removal, so no
    // `remove_from_cart`.
    cart_store::change(|cart, now| {
        for line in &lines {
            cart.remove(&line.variant_id, now);
            cart_store::mark_sent(&line.variant_id, 0);
        }
    });
    navigate(&format!("{root}cart"));
}

fn shopify_object() -> Option<JsValue> {
    let window = web_sys::window()?;
    let shopify = Reflect::get(&window, &"Shopify".into()).ok()?;
    (shopify.is_object()).then_some(shopify)
}

/// `Shopify.routes.root` (the storefront's locale-aware root, e.g. `/fr/`), else `/`.
pub(super) fn shopify_root() -> String {
    let root = shopify_object()
        .and_then(|s| Reflect::get(&s, &"routes".into()).ok())
        .filter(JsValue::is_object)
        .and_then(|r| Reflect::get(&r, &"root".into()).ok())
        .and_then(|r| r.as_string())
        .unwrap_or_default();
    if root.ends_with('/') {
        root
    } else {
        format!("{root}/")
    }
}

/// Goes to `url` when it is an http(s) address (relative URLs resolve against the page).
fn navigate(url: &str) {
    let Some(window) = web_sys::window() else {
        return;
    };
    let base = window.location().href().unwrap_or_default();
    let safe = web_sys::Url::new_with_base(url, &base)
        .is_ok_and(|u| matches!(u.protocol().as_str(), "http:" | "https:"));
    if safe {
        window.location().assign(url).ok();
    } else {
        host::warn(&format!("checkout URL refused: {url}"));
    }
}

/// Expands a checkout URL template. Placeholders, each value URL-encoded:
///
/// - `{lines}`: every line as `variant_id:quantity`, joined by `,` (Shopify's cart permalink:
///   `/cart/{lines}` → `/cart/40001:2,50001:1`);
/// - `{each}…{/each}`: the text between, once per line, joined by `,`, with `{variant_id}`,
///   `{product_id}` and `{quantity}` inside;
/// - `{video_id}`.
///
/// ```text
/// https://shop.example/checkout?{each}item={variant_id}&qty={quantity}{/each}&ref={video_id}
/// ```
pub fn expand_template(
    template: &str,
    lines: &[CartLine],
    video_id: &str,
    encode: impl Fn(&str) -> String,
) -> String {
    let per_line = |pattern: &str, line: &CartLine| {
        pattern
            .replace("{variant_id}", &encode(&line.variant_id))
            .replace("{product_id}", &encode(&line.product_id))
            .replace("{quantity}", &line.quantity.to_string())
    };
    let mut out = String::new();
    let mut rest = template;
    while let Some(start) = rest.find("{each}") {
        out.push_str(&rest[..start]);
        let body = &rest[start + "{each}".len()..];
        let (pattern, after) = body.split_once("{/each}").unwrap_or((body, ""));
        let parts: Vec<String> = lines.iter().map(|l| per_line(pattern, l)).collect();
        out.push_str(&parts.join(","));
        rest = after;
    }
    out.push_str(rest);
    let all: Vec<String> = lines
        .iter()
        .map(|l| per_line("{variant_id}:{quantity}", l))
        .collect();
    out.replace("{lines}", &all.join(","))
        .replace("{video_id}", &encode(video_id))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(id: &str, quantity: u32) -> CartLine {
        CartLine {
            variant_id: id.into(),
            product_id: format!("p{id}"),
            title: String::new(),
            variant_title: String::new(),
            unit_price: 100,
            quantity,
            image: None,
            max_quantity: None,
            added: 0,
            updated: 0,
        }
    }

    fn encode(s: &str) -> String {
        s.replace('&', "%26").replace(' ', "%20")
    }

    #[test]
    fn templates() {
        let lines = [line("40001", 2), line("a&b", 1)];
        assert_eq!(
            expand_template("/cart/{lines}", &lines, "", encode),
            "/cart/40001:2,a%26b:1"
        );
        assert_eq!(
            expand_template(
                "https://x/c?{each}i={variant_id}&p={product_id}&q={quantity}{/each}&v={video_id}",
                &lines,
                "spring show",
                encode
            ),
            "https://x/c?i=40001&p=p40001&q=2,i=a%26b&p=pa%26b&q=1&v=spring%20show"
        );
        assert_eq!(
            expand_template("/c/{each}{variant_id}", &lines, "", encode),
            "/c/40001,a%26b"
        );
        assert_eq!(expand_template("/plain", &lines, "", encode), "/plain");
    }
}

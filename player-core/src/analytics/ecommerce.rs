//! GA4's recommended ecommerce events, and `select_variant`, as [`Event`]s.
//!
//! Each is pushed as `{"ecommerce":null}` then
//! `{"event":…,"ecommerce":{"currency":…,"value":…,"items":[…]},<context>}` (see
//! [`Event::pushes`]). `value` is the sum of `price × quantity`, added up in integer cents and
//! only then written in major units. Items:
//!
//! | field | from |
//! |---|---|
//! | `item_id` | the variant's SKU, else its id |
//! | `item_name` | the product title |
//! | `item_brand`, `item_category` | the product's, left out when the feed has none |
//! | `item_variant` | the option values joined by `" / "`, left out when there are none |
//! | `price` | the variant's price in major units (`2950` cents → `29.5`) |
//! | `quantity` | units (1 for list, select and view events) |
//! | `index` | the product's position in the feed, when known |
//! | `item_list_id`, `item_list_name` | the video's id and title |
//!
//! A card stands for a product, not a variant: list, card and sheet events before a choice
//! describe its [`default_variant`], the one the variant picker starts on.

use super::context::{write_context, EventContext};
use super::payload::{Fixed, Payload};
use super::Event;
use crate::commerce::cart::{Cart, CartChange, CartLine};
use crate::commerce::feed::{Feed, Product, Variant};

/// Events Shopify reports itself when the player checks out through Shopify's cart
/// (`checkout="shopify"`): its checkout's `checkout_started` is GA4's `begin_checkout`. In that
/// mode the browser layer does not push these to the `dataLayer` (they still reach the DOM event
/// and `player.on`), so GA4 does not count them twice.
pub const SHOPIFY_REPORTED: [&str; 1] = ["begin_checkout"];

/// One item of an event, borrowed from the feed or a cart line.
struct Item<'a> {
    id: &'a str,
    name: &'a str,
    brand: Option<&'a str>,
    category: Option<&'a str>,
    variant: String,
    price: u64,
    quantity: u32,
    index: Option<u32>,
}

impl<'a> Item<'a> {
    fn of(product: &'a Product, variant: &'a Variant, quantity: u32, index: Option<u32>) -> Self {
        Item {
            id: variant.sku.as_deref().unwrap_or(&variant.id),
            name: &product.title,
            brand: product.brand.as_deref(),
            category: product.category.as_deref(),
            variant: variant.title(),
            price: variant.price,
            quantity,
            index,
        }
    }

    /// A cart line, with SKU, brand and category from the feed when it has the variant; the
    /// price is the line's (what the cart shows and adds up).
    fn of_line(line: &'a CartLine, quantity: u32, feed: &'a Feed) -> Self {
        let found = feed.variant(&line.variant_id);
        Item {
            id: found
                .and_then(|(_, v)| v.sku.as_deref())
                .unwrap_or(&line.variant_id),
            name: &line.title,
            brand: found.and_then(|(p, _)| p.brand.as_deref()),
            category: found.and_then(|(p, _)| p.category.as_deref()),
            variant: line.variant_title.clone(),
            price: line.unit_price,
            quantity,
            index: feed_index(feed, &line.product_id),
        }
    }
}

fn feed_index(feed: &Feed, product_id: &str) -> Option<u32> {
    let i = feed.products.iter().position(|p| p.id == product_id)?;
    u32::try_from(i).ok()
}

/// The variant a card stands for: the first available one, else the first.
pub fn default_variant(product: &Product) -> Option<&Variant> {
    let mut variants = product.variants.iter();
    variants
        .clone()
        .find(|v| v.available)
        .or_else(|| variants.next())
}

fn event(name: &'static str, ctx: &EventContext, items: &[Item]) -> Event {
    let mut p = Payload::event(name);
    p.open(Some("ecommerce"), '{');
    if let Some(currency) = ctx.currency {
        p.str("currency", currency.as_str());
        let value = items.iter().fold(0u64, |sum, i| {
            sum.saturating_add(i.price.saturating_mul(u64::from(i.quantity)))
        });
        p.fixed("value", value, Fixed::Cents);
    }
    p.open(Some("items"), '[');
    for item in items {
        p.open(None, '{');
        p.str("item_id", item.id);
        p.str("item_name", item.name);
        p.opt_str("item_brand", item.brand);
        p.opt_str("item_category", item.category);
        p.opt_str("item_variant", Some(&item.variant));
        p.fixed("price", item.price, Fixed::Cents);
        p.uint("quantity", u64::from(item.quantity));
        if let Some(index) = item.index {
            p.uint("index", u64::from(index));
        }
        p.str("item_list_id", &ctx.video.video_id);
        p.str("item_list_name", &ctx.video.video_title);
        p.close('}');
    }
    p.close(']');
    p.close('}');
    write_context(&mut p, ctx);
    p.into_event(name, true)
}

/// An event about one variant.
fn one(
    name: &'static str,
    ctx: &EventContext,
    product: &Product,
    variant: &Variant,
    quantity: u32,
    index: Option<u32>,
) -> Event {
    event(name, ctx, &[Item::of(product, variant, quantity, index)])
}

/// An event about `quantity` units of one cart line.
fn one_line(
    name: &'static str,
    ctx: &EventContext,
    line: &CartLine,
    quantity: u32,
    feed: &Feed,
) -> Event {
    event(name, ctx, &[Item::of_line(line, quantity, feed)])
}

/// `view_item_list`: the cards of `product_ids` (as [`ViewItemListTracker::poll`] returns
/// them) were seen. Unknown ids are skipped; `None` when none is known.
///
/// [`ViewItemListTracker::poll`]: super::dedupe::ViewItemListTracker::poll
pub fn view_item_list(ctx: &EventContext, feed: &Feed, product_ids: &[String]) -> Option<Event> {
    let mut items = Vec::with_capacity(product_ids.len());
    for id in product_ids {
        let Some(i) = feed.products.iter().position(|p| p.id == *id) else {
            continue;
        };
        let product = &feed.products[i];
        if let Some(variant) = default_variant(product) {
            items.push(Item::of(product, variant, 1, u32::try_from(i).ok()));
        }
    }
    (!items.is_empty()).then(|| event("view_item_list", ctx, &items))
}

/// `select_item`: the viewer opened a product's card (`index`: its position in the feed).
pub fn select_item(ctx: &EventContext, product: &Product, index: Option<u32>) -> Option<Event> {
    Some(one(
        "select_item",
        ctx,
        product,
        default_variant(product)?,
        1,
        index,
    ))
}

/// `view_item`: the product sheet was shown, on `variant`.
pub fn view_item(ctx: &EventContext, product: &Product, variant: &Variant) -> Event {
    one("view_item", ctx, product, variant, 1, None)
}

/// `select_variant` (not a GA4 event, same shape): the viewer chose `variant` in the sheet.
pub fn select_variant(ctx: &EventContext, product: &Product, variant: &Variant) -> Event {
    one("select_variant", ctx, product, variant, 1, None)
}

/// `add_to_cart` of `quantity` units: pass what the cart actually added
/// ([`CartChange::added`]), after the store confirmed it in Shopify sync mode. `None` for 0.
pub fn add_to_cart(
    ctx: &EventContext,
    product: &Product,
    variant: &Variant,
    quantity: u32,
    index: Option<u32>,
) -> Option<Event> {
    (quantity > 0).then(|| one("add_to_cart", ctx, product, variant, quantity, index))
}

/// `remove_from_cart` of `removed_quantity` units of `line` (a removal, or a quantity
/// decrease). `None` for 0.
pub fn remove_from_cart(
    ctx: &EventContext,
    line: &CartLine,
    removed_quantity: u32,
    feed: &Feed,
) -> Option<Event> {
    (removed_quantity > 0).then(|| one_line("remove_from_cart", ctx, line, removed_quantity, feed))
}

/// The event for any cart change: `add_to_cart` of the units added (a quantity increase in
/// the drawer is an add), `remove_from_cart` of the units removed, `None` for a no-op.
pub fn cart_change(ctx: &EventContext, change: &CartChange, feed: &Feed) -> Option<Event> {
    let (name, units) = if change.after > change.before {
        ("add_to_cart", change.added())
    } else {
        ("remove_from_cart", change.removed())
    };
    (units > 0).then(|| one_line(name, ctx, &change.line, units, feed))
}

fn cart_event(name: &'static str, ctx: &EventContext, cart: &Cart, feed: &Feed) -> Event {
    let lines = cart.lines().iter();
    let items: Vec<Item> = lines.map(|l| Item::of_line(l, l.quantity, feed)).collect();
    event(name, ctx, &items)
}

/// `view_cart`: the cart drawer was opened; every line, `value` the subtotal.
pub fn view_cart(ctx: &EventContext, cart: &Cart, feed: &Feed) -> Event {
    cart_event("view_cart", ctx, cart, feed)
}

/// `begin_checkout`: the viewer pressed checkout; every line, `value` the subtotal.
pub fn begin_checkout(ctx: &EventContext, cart: &Cart, feed: &Feed) -> Event {
    cart_event("begin_checkout", ctx, cart, feed)
}

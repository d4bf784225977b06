//! GA4 ecommerce payloads: the exact text pushed, the item shape, integer-exact values and
//! hostile titles.

use player_core::analytics::context::{Attribution, EventContext, VideoContext};
use player_core::analytics::ecommerce::{
    add_to_cart, begin_checkout, cart_change, default_variant, remove_from_cart, select_item,
    select_variant, view_cart, view_item, view_item_list,
};
use player_core::analytics::{Event, CLEAR_ECOMMERCE};
use player_core::commerce::cart::{Cart, CartItem};
use player_core::commerce::feed::{parse_feed, Feed, Product, Variant};
use player_core::commerce::json::{parse, JsonValue};
use player_core::commerce::money::Currency;
use proptest::prelude::*;

const FEED: &str = r#"{"version":1,"currency":"USD","products":[
  {"id":"tee","title":"Linen tee","brand":"Acme","category":"Tops",
   "options":[{"name":"Color","values":["Sand","Navy"]},{"name":"Size","values":["S","M"]}],
   "variants":[{"id":"40001","sku":"TEE-SAND-S","options":["Sand","S"],"price":2900,"available":false},
               {"id":"40002","sku":"TEE-SAND-M","options":["Sand","M"],"price":2950},
               {"id":"40003","options":["Navy","S"],"price":3199}]},
  {"id":"cap","title":"Cap","variants":[{"id":"50001","price":99}]}]}"#;

fn feed() -> Feed {
    parse_feed(FEED).unwrap().feed
}

fn ctx() -> EventContext {
    let mut video = VideoContext::new("spring-show", "Spring drop", "/streams/show/master.m3u8");
    video.current_time_ms = 12_500;
    video.duration_ms = Some(120_000);
    let page = "https://shop.example/?utm_source=ig&utm_campaign=spring";
    let mut ctx = EventContext::new(
        video,
        Attribution::from_url(page, &[], 0x9f86_d081_884c_7d65),
    );
    ctx.currency = Currency::parse("USD");
    ctx
}

const CONTEXT: &str = r#""video_id":"spring-show","video_title":"Spring drop","video_url":"/streams/show/master.m3u8","video_provider":"shoppable-player","video_current_time":12.5,"video_duration":120,"video_live":false,"video_session_id":"9f86d081884c7d65","utm_source":"ig","utm_campaign":"spring""#;

fn product<'a>(feed: &'a Feed, id: &str) -> &'a Product {
    feed.product(id).unwrap()
}

fn variant<'a>(feed: &'a Feed, id: &str) -> &'a Variant {
    feed.variant(id).unwrap().1
}

fn json(e: &Event) -> JsonValue {
    parse(&e.json).unwrap_or_else(|err| panic!("{err}: {}", e.json))
}

fn items(e: &Event) -> Vec<JsonValue> {
    let v = json(e);
    v.get("ecommerce")
        .unwrap()
        .get("items")
        .unwrap()
        .as_array()
        .unwrap()
        .to_vec()
}

#[test]
fn add_to_cart_exact_payload_and_two_pushes() {
    let feed = feed();
    let e = add_to_cart(
        &ctx(),
        product(&feed, "tee"),
        variant(&feed, "40002"),
        2,
        Some(0),
    )
    .unwrap();
    let want = format!(
        r#"{{"event":"add_to_cart","ecommerce":{{"currency":"USD","value":59,"items":[{{"item_id":"TEE-SAND-M","item_name":"Linen tee","item_brand":"Acme","item_category":"Tops","item_variant":"Sand / M","price":29.5,"quantity":2,"index":0,"item_list_id":"spring-show","item_list_name":"Spring drop"}}]}},{CONTEXT}}}"#
    );
    assert_eq!(e.json, want);
    assert_eq!(e.name, "add_to_cart");
    assert_eq!(e.pushes(), [CLEAR_ECOMMERCE, want.as_str()]);
    assert_eq!(CLEAR_ECOMMERCE, r#"{"ecommerce":null}"#);
    assert!(parse(CLEAR_ECOMMERCE)
        .unwrap()
        .get("ecommerce")
        .unwrap()
        .is_null());
    // Parsed, the fields are what GA4 reads.
    let v = json(&e);
    assert_eq!(
        v.get("event").and_then(JsonValue::as_str),
        Some("add_to_cart")
    );
    let ecommerce = v.get("ecommerce").unwrap();
    assert_eq!(
        ecommerce.get("value").and_then(JsonValue::as_f64),
        Some(59.0)
    );
    let item = &items(&e)[0];
    assert_eq!(item.get("price").and_then(JsonValue::as_f64), Some(29.5));
    assert_eq!(item.get("quantity").and_then(JsonValue::as_i64), Some(2));
    assert_eq!(
        v.get("video_current_time").and_then(JsonValue::as_f64),
        Some(12.5)
    );
    assert_eq!(
        v.get("video_live").and_then(JsonValue::as_bool),
        Some(false)
    );
}

#[test]
fn zero_quantities_report_nothing() {
    let feed = feed();
    let (p, v) = (product(&feed, "tee"), variant(&feed, "40002"));
    assert!(add_to_cart(&ctx(), p, v, 0, None).is_none());
    let mut cart = Cart::new();
    let change = cart.add(CartItem::from_variant(p, v), 1, 1);
    assert!(remove_from_cart(&ctx(), &change.line, 0, &feed).is_none());
    // Adding a sold-out variant changes nothing: no event.
    let sold_out = cart.add(CartItem::from_variant(p, variant(&feed, "40001")), 1, 2);
    assert!(sold_out.is_noop());
    assert!(cart_change(&ctx(), &sold_out, &feed).is_none());
}

#[test]
fn sku_falls_back_to_variant_id_and_empty_fields_are_left_out() {
    let feed = feed();
    let e = view_item(&ctx(), product(&feed, "cap"), variant(&feed, "50001"));
    let want = format!(
        r#"{{"event":"view_item","ecommerce":{{"currency":"USD","value":0.99,"items":[{{"item_id":"50001","item_name":"Cap","price":0.99,"quantity":1,"item_list_id":"spring-show","item_list_name":"Spring drop"}}]}},{CONTEXT}}}"#
    );
    assert_eq!(e.json, want);
    let navy = select_variant(&ctx(), product(&feed, "tee"), variant(&feed, "40003"));
    assert_eq!(navy.name, "select_variant");
    assert!(navy.ecommerce);
    let item = &items(&navy)[0];
    assert_eq!(
        item.get("item_id").and_then(JsonValue::as_str),
        Some("40003")
    );
    assert_eq!(
        item.get("item_variant").and_then(JsonValue::as_str),
        Some("Navy / S")
    );
    assert_eq!(
        item.get("price")
            .and_then(JsonValue::as_number)
            .map(|n| n.as_str()),
        Some("31.99")
    );
}

#[test]
fn list_and_card_events_describe_the_default_variant() {
    let feed = feed();
    let tee = product(&feed, "tee");
    // The first variant is sold out: the card shows the first available one.
    assert_eq!(default_variant(tee).unwrap().id, "40002");
    let ids = ["cap".to_owned(), "nope".to_owned(), "tee".to_owned()];
    let list = view_item_list(&ctx(), &feed, &ids).unwrap();
    let want = format!(
        r#"{{"event":"view_item_list","ecommerce":{{"currency":"USD","value":30.49,"items":[{{"item_id":"50001","item_name":"Cap","price":0.99,"quantity":1,"index":1,"item_list_id":"spring-show","item_list_name":"Spring drop"}},{{"item_id":"TEE-SAND-M","item_name":"Linen tee","item_brand":"Acme","item_category":"Tops","item_variant":"Sand / M","price":29.5,"quantity":1,"index":0,"item_list_id":"spring-show","item_list_name":"Spring drop"}}]}},{CONTEXT}}}"#
    );
    assert_eq!(list.json, want);
    assert!(view_item_list(&ctx(), &feed, &["nope".to_owned()]).is_none());
    assert!(view_item_list(&ctx(), &feed, &[]).is_none());

    let select = select_item(&ctx(), tee, Some(0)).unwrap();
    assert_eq!(select.name, "select_item");
    let item = &items(&select)[0];
    assert_eq!(
        item.get("item_id").and_then(JsonValue::as_str),
        Some("TEE-SAND-M")
    );
    assert_eq!(item.get("index").and_then(JsonValue::as_i64), Some(0));
}

#[test]
fn cart_changes_report_the_units_that_moved() {
    let feed = feed();
    let (tee, cap) = (product(&feed, "tee"), product(&feed, "cap"));
    let mut cart = Cart::new();
    let added = cart.add(CartItem::from_variant(tee, variant(&feed, "40002")), 3, 10);
    let e = cart_change(&ctx(), &added, &feed).unwrap();
    assert_eq!(e.name, "add_to_cart");
    assert_eq!(
        items(&e)[0].get("quantity").and_then(JsonValue::as_i64),
        Some(3)
    );
    assert_eq!(
        items(&e)[0].get("index").and_then(JsonValue::as_i64),
        Some(0)
    );

    let decrease = cart.set_quantity("40002", 1, 20).unwrap();
    let e = cart_change(&ctx(), &decrease, &feed).unwrap();
    assert_eq!(e.name, "remove_from_cart");
    let v = json(&e);
    assert_eq!(
        v.get("ecommerce")
            .unwrap()
            .get("value")
            .and_then(JsonValue::as_f64),
        Some(59.0)
    );
    let item = &items(&e)[0];
    assert_eq!(item.get("quantity").and_then(JsonValue::as_i64), Some(2));
    assert_eq!(
        item.get("item_id").and_then(JsonValue::as_str),
        Some("TEE-SAND-M")
    );
    assert_eq!(
        item.get("item_variant").and_then(JsonValue::as_str),
        Some("Sand / M")
    );

    let increase = cart.set_quantity("40002", 4, 30).unwrap();
    let e = cart_change(&ctx(), &increase, &feed).unwrap();
    assert_eq!(
        (
            e.name,
            items(&e)[0].get("quantity").and_then(JsonValue::as_i64)
        ),
        ("add_to_cart", Some(3))
    );

    cart.add(CartItem::from_variant(cap, variant(&feed, "50001")), 1, 40);
    let removal = cart.remove("50001", 50).unwrap();
    let e = cart_change(&ctx(), &removal, &feed).unwrap();
    let want = format!(
        r#"{{"event":"remove_from_cart","ecommerce":{{"currency":"USD","value":0.99,"items":[{{"item_id":"50001","item_name":"Cap","price":0.99,"quantity":1,"index":1,"item_list_id":"spring-show","item_list_name":"Spring drop"}}]}},{CONTEXT}}}"#
    );
    assert_eq!(e.json, want);
    let direct = remove_from_cart(&ctx(), &removal.line, 1, &feed).unwrap();
    assert_eq!(direct, e);
}

#[test]
fn view_cart_and_begin_checkout_carry_every_line_and_the_subtotal() {
    let feed = feed();
    let mut cart = Cart::new();
    cart.add(
        CartItem::from_variant(product(&feed, "tee"), variant(&feed, "40003")),
        2,
        1,
    );
    cart.add(
        CartItem::from_variant(product(&feed, "cap"), variant(&feed, "50001")),
        3,
        2,
    );
    // A line from another video's feed: reported from the line itself.
    let other = CartItem {
        variant_id: "777".into(),
        product_id: "mug".into(),
        title: "Mug".into(),
        variant_title: String::new(),
        unit_price: 1_001,
        image: None,
        max_quantity: None,
    };
    cart.add(other, 1, 3);
    let subtotal = cart.subtotal().unwrap();
    assert_eq!(subtotal, 2 * 3199 + 3 * 99 + 1001);
    for (e, name) in [
        (view_cart(&ctx(), &cart, &feed), "view_cart"),
        (begin_checkout(&ctx(), &cart, &feed), "begin_checkout"),
    ] {
        assert_eq!(e.name, name);
        assert!(e.ecommerce);
        let v = json(&e);
        let value = v.get("ecommerce").unwrap().get("value").unwrap();
        assert_eq!(value.as_number().unwrap().as_str(), "76.96");
        let items = items(&e);
        let ids: Vec<&str> = items
            .iter()
            .filter_map(|i| i.get("item_id")?.as_str())
            .collect();
        assert_eq!(ids, ["40003", "50001", "777"]);
        let mug = &items[2];
        assert_eq!(
            mug.get("item_name").and_then(JsonValue::as_str),
            Some("Mug")
        );
        assert!(mug.get("index").is_none() && mug.get("item_variant").is_none());
        assert!(items[0].get("item_brand").is_some());
    }
    let empty = view_cart(&ctx(), &Cart::new(), &feed);
    assert!(empty.json.starts_with(
        r#"{"event":"view_cart","ecommerce":{"currency":"USD","value":0,"items":[]},"video_id""#
    ));
}

#[test]
fn without_a_currency_value_is_left_out() {
    let feed = feed();
    let mut c = ctx();
    c.currency = None;
    let e = view_item(&c, product(&feed, "cap"), variant(&feed, "50001"));
    assert!(e
        .json
        .starts_with(r#"{"event":"view_item","ecommerce":{"items":[{"item_id":"50001""#));
    let other = Currency::parse("jpy");
    c.currency = other;
    let e = view_item(&c, product(&feed, "cap"), variant(&feed, "50001"));
    assert!(e.json.contains(r#""currency":"JPY","value":0.99"#));
}

#[test]
fn hostile_titles_are_escaped_and_round_trip() {
    let title = "He said \"hi\" \\ </script><script>alert(1)</script>\u{0}\u{7}\n\t\u{1f}\u{7f} é \u{2028}\u{2029} 😀";
    let text = format!(
        r#"{{"currency":"EUR","products":[{{"id":"x","title":{},"brand":{},"variants":[{{"id":"v\"1","price":1}}]}}]}}"#,
        JsonValue::string(title),
        JsonValue::string(title)
    );
    let feed = parse_feed(&text).unwrap().feed;
    let p = &feed.products[0];
    let mut c = ctx();
    c.video.video_title = title.to_owned();
    c.video.video_id = "id\"</script>".to_owned();
    let e = add_to_cart(&c, p, &p.variants[0], 1, None).unwrap();
    assert!(!e.json.contains('\n') && !e.json.contains('\u{0}'));
    let v = json(&e);
    let item = &items(&e)[0];
    assert_eq!(
        item.get("item_name").and_then(JsonValue::as_str),
        Some(title)
    );
    assert_eq!(
        item.get("item_brand").and_then(JsonValue::as_str),
        Some(title)
    );
    assert_eq!(
        item.get("item_id").and_then(JsonValue::as_str),
        Some("v\"1")
    );
    assert_eq!(
        item.get("item_list_name").and_then(JsonValue::as_str),
        Some(title)
    );
    assert_eq!(
        v.get("video_title").and_then(JsonValue::as_str),
        Some(title)
    );
    assert_eq!(
        v.get("video_id").and_then(JsonValue::as_str),
        Some("id\"</script>")
    );
}

#[test]
fn every_ecommerce_event_carries_the_context() {
    let feed = feed();
    let (tee, sand) = (product(&feed, "tee"), variant(&feed, "40002"));
    let mut cart = Cart::new();
    let change = cart.add(CartItem::from_variant(tee, sand), 1, 1);
    let events = [
        view_item_list(&ctx(), &feed, &["tee".to_owned()]).unwrap(),
        select_item(&ctx(), tee, None).unwrap(),
        view_item(&ctx(), tee, sand),
        select_variant(&ctx(), tee, sand),
        add_to_cart(&ctx(), tee, sand, 1, None).unwrap(),
        remove_from_cart(&ctx(), &change.line, 1, &feed).unwrap(),
        view_cart(&ctx(), &cart, &feed),
        begin_checkout(&ctx(), &cart, &feed),
    ];
    for e in &events {
        assert!(e.ecommerce, "{}", e.name);
        assert!(e.json.ends_with(&format!(",{CONTEXT}}}")), "{}", e.json);
        let v = json(e);
        assert_eq!(v.get("event").and_then(JsonValue::as_str), Some(e.name));
        let currency = v.get("ecommerce").unwrap().get("currency");
        assert_eq!(currency.and_then(JsonValue::as_str), Some("USD"));
        for item in items(e) {
            for key in [
                "item_id",
                "item_name",
                "price",
                "quantity",
                "item_list_id",
                "item_list_name",
            ] {
                assert!(item.get(key).is_some(), "{} lacks {key}", e.name);
            }
        }
    }
}

/// `value`'s text read back as cents, without floats.
fn cents_of(number: &str) -> u64 {
    let (whole, frac) = number.split_once('.').unwrap_or((number, ""));
    assert!(
        frac.len() <= 2 && !frac.ends_with('0'),
        "not shortest: {number}"
    );
    let frac = format!("{frac:0<2}");
    whole.parse::<u64>().unwrap() * 100 + frac.parse::<u64>().unwrap()
}

proptest! {
    #[test]
    fn output_always_parses_and_keeps_titles(
        title in any::<String>(),
        brand in any::<String>(),
        video_title in any::<String>(),
        price in 0u64..1_000_000_000,
        quantity in 1u32..1000,
    ) {
        let text = format!(
            r#"[{{"id":"p","title":{},"brand":{},"variants":[{{"id":"v","price":{price}}}]}}]"#,
            JsonValue::string(&title),
            JsonValue::string(&brand)
        );
        let feed = parse_feed(&text).unwrap().feed;
        prop_assume!(feed.products.len() == 1);
        let p = &feed.products[0];
        let mut c = ctx();
        c.video.video_title = video_title.clone();
        let e = add_to_cart(&c, p, &p.variants[0], quantity, None).unwrap();
        let v = parse(&e.json).unwrap();
        prop_assert_eq!(v.get("video_title").and_then(JsonValue::as_str), Some(video_title.as_str()));
        let item = &v.get("ecommerce").unwrap().get("items").unwrap().as_array().unwrap()[0];
        prop_assert_eq!(item.get("item_name").and_then(JsonValue::as_str), Some(p.title.as_str()));
        prop_assert_eq!(item.get("item_brand").and_then(JsonValue::as_str), p.brand.as_deref());
        let price_text = item.get("price").unwrap().as_number().unwrap().as_str().to_owned();
        prop_assert_eq!(cents_of(&price_text), price);
    }

    #[test]
    fn value_is_the_exact_sum_of_price_times_quantity(
        lines in proptest::collection::vec((0u64..10_000_000, 1u32..=999), 0..20),
    ) {
        let feed = Feed::default();
        let mut cart = Cart::new();
        let mut expected = 0u64;
        for (i, (price, quantity)) in lines.iter().enumerate() {
            let item = CartItem {
                variant_id: format!("v{i}"),
                product_id: format!("p{i}"),
                title: format!("P{i}"),
                variant_title: String::new(),
                unit_price: *price,
                image: None,
                max_quantity: None,
            };
            cart.add(item, *quantity, i as u64);
            expected += price * u64::from(*quantity);
        }
        prop_assert_eq!(cart.subtotal(), Some(expected));
        let e = begin_checkout(&ctx(), &cart, &feed);
        let v = parse(&e.json).unwrap();
        let ecommerce = v.get("ecommerce").unwrap();
        let value = ecommerce.get("value").unwrap().as_number().unwrap().as_str().to_owned();
        prop_assert_eq!(cents_of(&value), expected);
        // And the items add up to it too, as GA4 would recompute.
        let mut sum = 0u64;
        for item in ecommerce.get("items").unwrap().as_array().unwrap() {
            let price = cents_of(item.get("price").unwrap().as_number().unwrap().as_str());
            sum += price * item.get("quantity").and_then(JsonValue::as_i64).unwrap() as u64;
        }
        prop_assert_eq!(sum, expected);
    }
}

//! The product feed: our version-1 format, Shopify's product JSON, located errors, hostile
//! input, size, and the documentation that describes it all.

use std::path::PathBuf;

use player_core::commerce::feed::{html_to_text, parse_feed, FeedError, FeedReport, MAX_ISSUES};
use player_core::commerce::json::{self, JsonValue};
use proptest::prelude::*;

fn repo_file(path: &str) -> String {
    let full = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join(path);
    std::fs::read_to_string(&full).unwrap_or_else(|e| panic!("{}: {e}", full.display()))
}

fn clean(text: &str) -> FeedReport {
    let report = parse_feed(text).unwrap_or_else(|e| panic!("{e}"));
    assert!(report.is_clean(), "unexpected issues: {:#?}", report.issues);
    report
}

fn messages(report: &FeedReport) -> Vec<String> {
    report
        .issues
        .iter()
        .map(|i| format!("{}: {}", i.path, i.kind))
        .collect()
}

/// Shopify's `/products/{handle}.js`, trimmed of fields the player ignores but otherwise as
/// the storefront prints it.
const SHOPIFY_JS: &str = r#"{
  "id": 7234567890123,
  "title": "Linen Tee",
  "handle": "linen-tee",
  "description": "<p>Soft &amp; breathable.</p>\n<ul><li>100% linen</li><li>Made in&nbsp;Portugal</li></ul><script>alert(1)</script>",
  "published_at": "2024-03-01T10:00:00-05:00",
  "vendor": "Acme",
  "type": "Tops",
  "tags": ["linen", "summer"],
  "price": 2900, "price_min": 2900, "price_max": 3100, "available": true, "price_varies": true,
  "compare_at_price": 3500, "compare_at_price_min": 0, "compare_at_price_max": 3500,
  "variants": [
    {"id": 41234567890001, "title": "Sand / S", "option1": "Sand", "option2": "S", "option3": null,
     "sku": "TEE-SAND-S", "requires_shipping": true, "taxable": true, "featured_image": null,
     "available": true, "name": "Linen Tee - Sand / S", "public_title": "Sand / S",
     "options": ["Sand", "S"], "price": 2900, "weight": 200, "compare_at_price": 3500,
     "inventory_management": "shopify", "inventory_quantity": 4, "barcode": "",
     "requires_selling_plan": false, "selling_plan_allocations": []},
    {"id": 41234567890002, "title": "Navy / S", "option1": "Navy", "option2": "S", "option3": null,
     "sku": "", "featured_image": {"id": 1, "product_id": 7234567890123, "position": 2,
       "alt": null, "width": 800, "height": 800,
       "src": "//cdn.shopify.com/s/files/1/0000/0001/products/tee-navy.jpg?v=2",
       "variant_ids": [41234567890002]},
     "available": false, "options": ["Navy", "S"], "price": 3100, "compare_at_price": null,
     "inventory_management": "shopify", "inventory_quantity": 0},
    {"id": 41234567890003, "title": "Navy / M", "option1": "Navy", "option2": "M", "option3": null,
     "sku": "TEE-NAVY-M", "featured_image": null, "available": true, "options": ["Navy", "M"],
     "price": 3100, "compare_at_price": 3100, "inventory_management": "shopify",
     "inventory_policy": "continue", "inventory_quantity": -3}
  ],
  "images": ["//cdn.shopify.com/s/files/1/0000/0001/products/tee.jpg?v=1"],
  "featured_image": "//cdn.shopify.com/s/files/1/0000/0001/products/tee.jpg?v=1",
  "options": [
    {"name": "Color", "position": 1, "values": ["Sand", "Navy"]},
    {"name": "Size", "position": 2, "values": ["S", "M"]}
  ],
  "url": "/products/linen-tee",
  "media": [{"alt": null, "id": 2, "position": 1, "media_type": "image"}],
  "requires_selling_plan": false,
  "selling_plan_groups": []
}"#;

/// Liquid's `{{ product | json }}`: option names only, no `url`, variant images as objects.
const SHOPIFY_LIQUID: &str = r#"{
  "id": 7234567890999, "title": "Canvas Tote", "handle": "canvas-tote",
  "description": "Heavy canvas.", "vendor": "Acme", "type": "",
  "variants": [
    {"id": 42000000000001, "title": "Natural", "option1": "Natural", "option2": null,
     "option3": null, "sku": "TOTE-NAT", "available": true, "price": 4500,
     "compare_at_price": null, "inventory_management": null, "inventory_quantity": 0,
     "featured_image": {"src": "https://cdn.shopify.com/tote-natural.jpg"}},
    {"id": 42000000000002, "title": "Olive", "option1": "Olive", "option2": null,
     "option3": null, "sku": "TOTE-OLV", "available": true, "price": 4500,
     "compare_at_price": 5000, "featured_image": null}
  ],
  "images": ["//cdn.shopify.com/tote.jpg"],
  "featured_image": "//cdn.shopify.com/tote.jpg",
  "options": ["Color"]
}"#;

/// A Shopify product without options: one "Title" option, one "Default Title" variant.
const SHOPIFY_SIMPLE: &str = r#"{
  "id": 100, "title": "Gift card", "handle": "gift-card", "vendor": "Acme",
  "options": [{"name": "Title", "position": 1, "values": ["Default Title"]}],
  "variants": [{"id": 200, "title": "Default Title", "option1": "Default Title",
                "option2": null, "option3": null, "price": 5000, "available": true}]
}"#;

#[test]
fn demo_feed_parses_without_issues() {
    let report = clean(&repo_file("examples/feeds/demo.json"));
    let feed = report.feed;
    assert_eq!(feed.currency.map(|c| c.to_string()).as_deref(), Some("USD"));
    assert_eq!(feed.products.len(), 2);
    let tee = feed.product("tee").unwrap();
    assert_eq!(tee.options.len(), 2);
    assert_eq!(tee.options[1].values, ["S", "M", "L"]);
    assert_eq!(tee.variants.len(), 6);
    assert_eq!(tee.variants[0].compare_at_price, Some(3500));
    assert_eq!(tee.variants[0].inventory, Some(5));
    assert_eq!(tee.variants[3].title(), "Navy / S");
    assert!(!tee.variants[3].available);
    assert_eq!(tee.price_range(), Some((2900, 3100)));
    assert_eq!(feed.timeline.len(), 2);
    assert_eq!(feed.timeline[1].product, "tote");
    assert_eq!(feed.timeline[1].end, Some(28.0));
}

#[test]
fn shopify_product_js_is_accepted_as_is() {
    let feed = clean(SHOPIFY_JS).feed;
    assert_eq!(feed.currency, None);
    let p = &feed.products[0];
    assert_eq!(p.id, "7234567890123");
    assert_eq!(p.brand.as_deref(), Some("Acme"));
    assert_eq!(p.category.as_deref(), Some("Tops"));
    assert_eq!(p.url.as_deref(), Some("/products/linen-tee"));
    assert_eq!(
        p.image.as_deref(),
        Some("//cdn.shopify.com/s/files/1/0000/0001/products/tee.jpg?v=1")
    );
    assert_eq!(
        p.description.as_deref(),
        Some("Soft & breathable.\n\n• 100% linen\n• Made in\u{a0}Portugal")
    );
    assert_eq!(p.options[0].name, "Color");
    assert_eq!(p.options[0].values, ["Sand", "Navy"]);
    let [sand, navy_s, navy_m] = &p.variants[..] else {
        panic!("three variants")
    };
    assert_eq!(sand.id, "41234567890001");
    assert_eq!(sand.options, ["Sand", "S"]);
    assert_eq!((sand.price, sand.compare_at_price), (2900, Some(3500)));
    assert_eq!(sand.sku.as_deref(), Some("TEE-SAND-S"));
    assert_eq!(sand.inventory, Some(4));
    assert_eq!(sand.image, None);
    assert_eq!(navy_s.sku, None, "empty SKU is no SKU");
    assert!(!navy_s.available);
    assert_eq!(navy_s.inventory, Some(0));
    assert_eq!(
        navy_s.image.as_deref(),
        Some("//cdn.shopify.com/s/files/1/0000/0001/products/tee-navy.jpg?v=2")
    );
    // compare_at == price is no discount; "continue" means overselling: no stock limit.
    assert_eq!(navy_m.compare_at_price, None);
    assert_eq!(navy_m.inventory, None);
}

#[test]
fn shopify_liquid_product_json_is_accepted_as_is() {
    let feed = clean(SHOPIFY_LIQUID).feed;
    let p = &feed.products[0];
    assert_eq!(p.url.as_deref(), Some("/products/canvas-tote"));
    assert_eq!(p.category, None, "an empty type is no category");
    assert_eq!(p.options.len(), 1);
    assert_eq!(p.options[0].name, "Color");
    assert_eq!(
        p.options[0].values,
        ["Natural", "Olive"],
        "values come from the variants"
    );
    assert_eq!(p.variants[0].options, ["Natural"]);
    assert_eq!(
        p.variants[0].image.as_deref(),
        Some("https://cdn.shopify.com/tote-natural.jpg")
    );
    assert_eq!(
        p.variants[0].inventory, None,
        "untracked stock has no limit"
    );
    assert_eq!(p.variants[1].compare_at_price, Some(5000));
}

#[test]
fn shopify_default_title_means_no_options() {
    let p = clean(SHOPIFY_SIMPLE).feed.products.remove(0);
    assert!(p.options.is_empty());
    assert!(p.variants[0].options.is_empty());
    assert_eq!(p.variants[0].title(), "");
}

#[test]
fn bare_arrays_mix_both_shapes() {
    let text = format!(
        r#"[{{"id":"cap","title":"Cap","variants":[{{"id":"c1","price":1900}}]}}, {SHOPIFY_LIQUID}]"#
    );
    let feed = clean(&text).feed;
    let ids: Vec<&str> = feed.products.iter().map(|p| p.id.as_str()).collect();
    assert_eq!(ids, ["cap", "7234567890999"]);
    assert!(feed.variant("42000000000002").is_some());
    assert!(feed.timeline.is_empty());
}

#[test]
fn whole_valued_numbers_are_whole_cents() {
    let feed = clean(
        r#"[{"id":1,"title":"A","variants":[{"id":2,"price":2900.0}]},
                              {"id":3,"title":"B","variants":[{"id":4,"price":2.9e3}]}]"#,
    )
    .feed;
    assert_eq!(feed.products[0].variants[0].price, 2900);
    assert_eq!(feed.products[1].variants[0].price, 2900);
}

#[test]
fn bad_products_are_left_out_with_located_reasons() {
    let text = r#"{"version": 1, "currency": "USD", "products": [
  {"id": "ok", "title": "Fine", "variants": [{"id": "1", "price": 100}]},
  {"id": "a", "title": "", "url": "javascript:alert(1)",
   "variants": [{"id": "2", "price": "29.00"}, {"id": "3", "price": 29.5}, {"id": "4"}]},
  {"id": "b", "title": "B",
   "options": [{"name": "Size", "values": ["S", "M"]}],
   "variants": [{"id": "5", "options": ["XL"], "price": 100},
                {"id": "6", "options": ["S", "Red"], "price": 100},
                {"id": "7", "price": -1, "available": "yes", "image": {"alt": "x"}}]},
  {"title": "No id", "variants": []},
  "not a product"
]}"#;
    let report = parse_feed(text).unwrap();
    let ids: Vec<&str> = report.feed.products.iter().map(|p| p.id.as_str()).collect();
    assert_eq!(ids, ["ok"]);
    assert_eq!(
        messages(&report),
        [
            "products[1].title: expected a non-empty string, found the string \"\"",
            "products[1].url: expected an http(s), protocol-relative or relative URL, found the scheme \"javascript:\"",
            "products[1].variants[0].price: expected an integer number of cents, found the string \"29.00\"",
            "products[1].variants[1].price: expected an integer number of cents, found the number 29.5",
            "products[1].variants[2].price: missing: expected an integer number of cents",
            "products[2].variants[1]: expected 1 option values (one per product option), found 2",
            "products[2].variants[2]: expected 1 option values (one per product option), found 0",
            "products[2].variants[2].price: expected an integer number of cents, found the number -1",
            "products[2].variants[2].available: expected true or false, found the string \"yes\"",
            "products[2].variants[2].image: expected an image URL or an object with \"src\", found an object",
            "products[3].id: missing: expected a non-empty string or a whole number",
            "products[3].variants: expected at least one variant, found an array",
            "products[4]: expected a product object, found the string \"not a product\"",
        ]
    );
    let price = &report.issues[2];
    assert_eq!((price.line, price.column), (4, 38));
    assert_eq!(
        price.to_string(),
        "products[1].variants[0].price: expected an integer number of cents, found the string \"29.00\" (line 4, column 38)"
    );
}

#[test]
fn option_values_must_be_declared_ones() {
    let text = r#"[{"id":"b","title":"B","options":[{"name":"Size","values":["S","M"]}],
      "variants":[{"id":"5","options":["XL"],"price":100},{"id":"6","option1":"L","price":100}]}]"#;
    let report = parse_feed(text).unwrap();
    assert!(report.feed.products.is_empty());
    assert_eq!(
        messages(&report),
        [
            "[0].variants[0].options[0]: \"XL\" is not one of the values of option \"Size\"",
            "[0].variants[1].option1: \"L\" is not one of the values of option \"Size\"",
        ]
    );
}

#[test]
fn duplicates_are_reported_and_dropped() {
    let text = r#"[
      {"id":"a","title":"A","variants":[{"id":"1","price":1}]},
      {"id":"a","title":"A again","variants":[{"id":"9","price":1}]},
      {"id":"b","title":"B","variants":[{"id":"1","price":1}]},
      {"id":"c","title":"C","options":["Size"],
       "variants":[{"id":"2","option1":"S","price":1},{"id":"3","option1":"S","price":1}]},
      {"id":"d","title":"D","variants":[{"id":"4","price":1},{"id":"5","price":1}]}
    ]"#;
    let report = parse_feed(text).unwrap();
    let ids: Vec<&str> = report.feed.products.iter().map(|p| p.id.as_str()).collect();
    assert_eq!(ids, ["a"]);
    assert_eq!(
        messages(&report),
        [
            "[3].variants[1]: same option values as variants[0]",
            "[4].variants[1]: same option values as variants[0]",
            "[1].id: duplicate product id \"a\" (first at [0])",
            "[2].variants[0].id: duplicate variant id \"1\" (first at [0].variants[0])",
        ]
    );
}

#[test]
fn variants_with_options_need_named_options() {
    let report =
        parse_feed(r#"[{"id":"x","title":"X","variants":[{"id":"1","options":["S"],"price":1}]}]"#)
            .unwrap();
    assert_eq!(
        messages(&report),
        ["[0].options: the variants have option values but the product names no options"]
    );
}

#[test]
fn issues_are_capped() {
    let bad: Vec<String> = (0..200)
        .map(|i| format!(r#"{{"id":"p{i}","title":"T","variants":[{{"id":"v{i}","price":1.5}}]}}"#))
        .collect();
    let report = parse_feed(&format!("[{}]", bad.join(","))).unwrap();
    assert_eq!(report.issues.len(), MAX_ISSUES);
    assert_eq!(report.omitted_issues, 200 - MAX_ISSUES);
    assert!(!report.is_clean());
    assert_eq!(report.issues[49].path, "[49].variants[0].price");
}

#[test]
fn unusable_documents_are_errors() {
    match parse_feed("{\"version\": 1,\n \"products\": [}") {
        Err(FeedError::Json(e)) => assert_eq!((e.line, e.column), (2, 15)),
        other => panic!("{other:?}"),
    }
    let version = parse_feed(r#"{"version": 2, "products": []}"#).unwrap_err();
    assert_eq!(
        version.to_string(),
        "product feed: version: feed version 2 is not supported (this player reads version 1) (line 1, column 13)"
    );
    for (text, expected) in [
        ("\"hello\"", "(root): expected a feed object with \"products\", an array of products or one product, found the string \"hello\""),
        ("{\"foo\": 1}", "(root): expected a feed object with \"products\", an array of products or one product, found an object"),
        ("{\"products\": {}}", "products: expected an array of products, found an object"),
        ("{\"version\": \"1\", \"products\": []}", "version: feed version the string \"1\" is not supported (this player reads version 1)"),
    ] {
        match parse_feed(text) {
            Err(FeedError::Invalid(issue)) => assert_eq!(format!("{}: {}", issue.path, issue.kind), expected),
            other => panic!("{text}: {other:?}"),
        }
    }
    // An empty feed is fine: a live show may start with no products.
    assert!(clean(r#"{"version":1,"products":[]}"#)
        .feed
        .products
        .is_empty());
}

#[test]
fn feed_level_fields() {
    let text = r#"{"currency": "dollars", "products": [{"id":"a","title":"A","variants":[{"id":"1","price":1}]}],
      "timeline": [{"product":"a","start":4,"end":2}, {"product":"zzz","start":1},
                   {"product":"a","start":-1}, {"product":"a","start":"4"}, {"product":"a","start":0},
                   {"product":"a","start":1.5,"end":null}, 7]}"#;
    let report = parse_feed(text).unwrap();
    assert_eq!(report.feed.currency, None);
    assert_eq!(report.feed.timeline.len(), 2);
    assert_eq!(report.feed.timeline[1].start, 1.5);
    assert_eq!(report.feed.timeline[1].end, None);
    assert_eq!(
        messages(&report),
        [
            "currency: expected a three-letter currency code such as \"USD\", found the string \"dollars\"",
            "timeline[0].end: end (2) must be after start",
            "timeline[1].product: no product with id \"zzz\" in this feed",
            "timeline[2].start: expected a number of seconds, 0 or more, found the number -1",
            "timeline[3].start: expected a number of seconds, 0 or more, found the string \"4\"",
            "timeline[6]: expected a timeline entry object, found the number 7",
        ]
    );
    // The timeline names products by id; Shopify ids may be written as numbers.
    let numeric =
        format!(r#"{{"products":[{SHOPIFY_SIMPLE}],"timeline":[{{"product":100,"start":0}}]}}"#);
    assert_eq!(clean(&numeric).feed.timeline[0].product, "100");
}

#[test]
fn strings_are_data_and_urls_are_restricted() {
    let text = r#"[{"id":"x","title":"<img src=x onerror=alert(1)>","brand":"\u003cb\u003e",
      "image":"data:image/png;base64,iVBORw0KGgo=",
      "variants":[{"id":"1","price":1,"image":"https://cdn.example/x.jpg"}]},
     {"id":"y","title":"Y","image":"data:image/svg+xml,<svg onload=alert(1)>","variants":[{"id":"2","price":1}]},
     {"id":"z","title":"Z","url":"java\tscript:alert(1)","variants":[{"id":"3","price":1}]},
     {"id":"w","title":"W","url":"data:image/png;base64,AA","variants":[{"id":"4","price":1}]},
     {"id":"v","title":"V","variants":[{"id":"5","price":1,"featured_image":{"src":"vbscript:x"}}]},
     {"id":"u","title":"U","handle":"../../admin?x","variants":[{"id":"6","price":1}]}]"#;
    let report = parse_feed(text).unwrap();
    let x = &report.feed.products[0];
    // Titles are kept verbatim: the UI renders them as text, so markup is harmless.
    assert_eq!(x.title, "<img src=x onerror=alert(1)>");
    assert_eq!(x.brand.as_deref(), Some("<b>"));
    assert_eq!(
        x.image.as_deref(),
        Some("data:image/png;base64,iVBORw0KGgo=")
    );
    assert_eq!(report.feed.products.len(), 1);
    assert_eq!(
        messages(&report),
        [
            "[1].image: expected an http(s), protocol-relative or relative URL, found the scheme \"data:\"",
            "[2].url: expected an http(s), protocol-relative or relative URL, found a URL containing control characters",
            "[3].url: expected an http(s), protocol-relative or relative URL, found the scheme \"data:\"",
            "[4].variants[0].featured_image.src: expected an http(s), protocol-relative or relative URL, found the scheme \"vbscript:\"",
            "[5].handle: expected a product handle (letters, digits, '-'), found the string \"../../admin?x\"",
        ]
    );
}

/// 1,000 products, 3 options of 10 values of 100 characters, 10 variants each: about 7 MB.
fn big_feed() -> String {
    let mut out = String::from(r#"{"version":1,"currency":"EUR","products":["#);
    for p in 0..1000 {
        if p > 0 {
            out.push(',');
        }
        let value = |o: usize, v: usize| format!("{o}{v}-{}", "x".repeat(97));
        let options: Vec<String> = (0..3)
            .map(|o| {
                let values: Vec<String> = (0..10).map(|v| format!("\"{}\"", value(o, v))).collect();
                format!(r#"{{"name":"Option {o}","values":[{}]}}"#, values.join(","))
            })
            .collect();
        let variants: Vec<String> = (0..10)
            .map(|v| {
                format!(
                    r#"{{"id":"{p}-{v}","sku":"SKU-{p}-{v}","options":["{}","{}","{}"],"price":{},"available":{}}}"#,
                    value(0, v),
                    value(1, v),
                    value(2, v),
                    1000 + v,
                    v % 3 != 0
                )
            })
            .collect();
        out.push_str(&format!(
            r#"{{"id":"p{p}","title":"Product {p}","description":"<p>Nice &amp; {p}</p>","image":"/img/{p}.jpg","options":[{}],"variants":[{}]}}"#,
            options.join(","),
            variants.join(",")
        ));
    }
    out.push_str("]}");
    out
}

#[test]
fn a_thousand_products_with_long_option_values_parse() {
    let text = big_feed();
    assert!(text.len() > 4_000_000 && text.len() < json::MAX_INPUT_BYTES);
    let feed = clean(&text).feed;
    assert_eq!(feed.products.len(), 1000);
    assert_eq!(feed.products[999].variants[9].options[2].len(), 100);
}

#[test]
#[ignore = "prints timing; run with --release --ignored --nocapture"]
fn time_a_thousand_products() {
    let text = big_feed();
    let runs = 10;
    let start = std::time::Instant::now();
    for _ in 0..runs {
        assert!(json::parse(&text).is_ok());
    }
    let json_only = start.elapsed() / runs;
    let start = std::time::Instant::now();
    for _ in 0..runs {
        assert_eq!(parse_feed(&text).unwrap().feed.products.len(), 1000);
    }
    let each = start.elapsed() / runs;
    let mb = text.len() as f64 / 1e6;
    println!(
        "parse_feed: {mb:.1} MB, 1,000 products in {each:?} ({:.0} MB/s; JSON alone {json_only:?})",
        mb / each.as_secs_f64()
    );
}

#[test]
fn docs_schema_is_valid_json_describing_version_1() {
    let schema = json::parse(&repo_file("docs/feed.schema.json")).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        schema.get("$schema").and_then(JsonValue::as_str),
        Some("https://json-schema.org/draft/2020-12/schema")
    );
    // Every field the parser reads on a variant is described.
    let variant = schema
        .get("$defs")
        .and_then(|d| d.get("variant"))
        .and_then(|v| v.get("properties"))
        .expect("$defs.variant.properties");
    for field in [
        "id",
        "sku",
        "options",
        "price",
        "compare_at_price",
        "available",
        "image",
        "inventory",
    ] {
        assert!(
            variant.get(field).is_some(),
            "variant.{field} missing from the schema"
        );
    }
}

#[test]
fn every_json_example_in_the_docs_is_a_clean_feed() {
    let doc = repo_file("docs/feed.md");
    let mut examples = 0;
    for block in doc.split("```json\n").skip(1) {
        let text = block.split("```").next().unwrap_or_default();
        let report = parse_feed(text).unwrap_or_else(|e| panic!("{e}\n{text}"));
        assert!(report.is_clean(), "{:#?}\n{text}", report.issues);
        examples += 1;
    }
    assert!(examples >= 3, "found {examples} examples");
}

/// Feed-shaped JSON with plausible and implausible values in every field.
fn feedish() -> impl Strategy<Value = String> {
    let scalar = prop_oneof![
        Just("null".to_owned()),
        Just("true".to_owned()),
        Just("\"\"".to_owned()),
        Just("\"S\"".to_owned()),
        Just("\"M\"".to_owned()),
        Just("\"javascript:x\"".to_owned()),
        Just("\"/img/a.jpg\"".to_owned()),
        (-5i64..5).prop_map(|n| n.to_string()),
        Just("1.5".to_owned()),
        Just("[]".to_owned()),
        Just("{}".to_owned()),
        Just("[\"S\",\"M\"]".to_owned()),
    ];
    let field = |names: &'static [&'static str], value: BoxedStrategy<String>| {
        (prop::sample::select(names), value).prop_map(|(k, v)| format!("\"{k}\":{v}"))
    };
    let variant_keys: &'static [&'static str] = &[
        "id",
        "id",
        "price",
        "price",
        "options",
        "option1",
        "option2",
        "available",
        "image",
        "featured_image",
        "inventory",
        "inventory_quantity",
        "compare_at_price",
        "sku",
    ];
    let variant = prop::collection::vec(field(variant_keys, scalar.clone().boxed()), 0..8)
        .prop_map(|fields| format!("{{{}}}", fields.join(",")));
    let option = prop_oneof![
        Just("\"Size\"".to_owned()),
        Just("{\"name\":\"Size\",\"values\":[\"S\",\"M\"]}".to_owned()),
        Just("{\"name\":\"Color\"}".to_owned()),
        scalar.clone(),
    ];
    let product_value = prop_oneof![
        scalar.clone(),
        prop::collection::vec(variant, 0..4).prop_map(|v| format!("[{}]", v.join(","))),
        prop::collection::vec(option, 0..3).prop_map(|v| format!("[{}]", v.join(","))),
    ];
    let product_keys: &'static [&'static str] = &[
        "id",
        "id",
        "title",
        "title",
        "variants",
        "variants",
        "options",
        "url",
        "image",
        "handle",
        "vendor",
        "description",
        "images",
    ];
    let product = prop::collection::vec(field(product_keys, product_value.boxed()), 0..10)
        .prop_map(|fields| format!("{{{}}}", fields.join(",")));
    prop::collection::vec(product, 0..6).prop_map(|p| format!("[{}]", p.join(",")))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    /// Whatever comes in, what comes out keeps the promises the picker and cart rely on.
    #[test]
    fn accepted_feeds_keep_their_invariants(text in feedish()) {
        let report = parse_feed(&text).map_err(|e| TestCaseError::fail(format!("{e}")))?;
        let mut variant_ids = Vec::new();
        for p in &report.feed.products {
            prop_assert!(!p.id.is_empty() && !p.title.is_empty());
            prop_assert!(!p.variants.is_empty());
            for v in &p.variants {
                prop_assert_eq!(v.options.len(), p.options.len());
                for (value, option) in v.options.iter().zip(&p.options) {
                    prop_assert!(option.values.contains(value));
                }
                prop_assert!(v.compare_at_price.is_none_or(|c| c > v.price));
                for url in [&v.image, &p.image, &p.url].into_iter().flatten() {
                    prop_assert!(!url.to_ascii_lowercase().starts_with("javascript:"));
                }
                variant_ids.push(v.id.clone());
            }
            let mut combos: Vec<_> = p.variants.iter().map(|v| &v.options).collect();
            combos.sort();
            combos.dedup();
            prop_assert_eq!(combos.len(), p.variants.len());
        }
        let n = variant_ids.len();
        variant_ids.sort();
        variant_ids.dedup();
        prop_assert_eq!(variant_ids.len(), n);
        // Each left-out product left at least one reason.
        let products = json::parse(&text).unwrap();
        let total = products.as_array().map_or(0, <[JsonValue]>::len);
        if report.feed.products.len() < total {
            prop_assert!(!report.is_clean());
        }
    }
}

proptest! {
    /// Descriptions are whatever a merchant typed into a rich-text editor, or worse.
    #[test]
    fn html_to_text_survives_anything(
        html in prop_oneof![
            any::<String>(),
            "[<>&#;/!xa-dA-D0-9 \"'=-]{0,80}",
            "[\\u{0}-\\u{1f}\\u{7f}-\\u{9f}<>&;#a ]{0,40}",
        ],
    ) {
        let text = html_to_text(&html);
        prop_assert!(!text.starts_with([' ', '\n']) && !text.ends_with([' ', '\n']));
        prop_assert!(!text.contains("\n\n\n") && !text.contains("  "));
        prop_assert!(text.chars().all(|c| c == '\n' || !c.is_control()));
    }
}

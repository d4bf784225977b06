//! The cart: operations, integer totals, the localStorage record and two-tab merging.

use player_core::commerce::cart::{
    Cart, CartItem, CartWarning, MAX_LINES, MAX_LINE_QUANTITY, REMOVAL_TTL_MS,
};
use player_core::commerce::feed::parse_feed;
use proptest::prelude::*;

fn item(id: &str, price: u64, max: Option<u32>) -> CartItem {
    CartItem {
        variant_id: id.to_owned(),
        product_id: format!("p-{id}"),
        title: format!("Product {id}"),
        variant_title: "Sand / S".to_owned(),
        unit_price: price,
        image: Some("/img/x.jpg".to_owned()),
        max_quantity: max,
    }
}

#[test]
fn add_merges_lines_and_clamps_to_stock() {
    let mut cart = Cart::new();
    let first = cart.add(item("a", 2900, Some(5)), 2, 10);
    assert_eq!(
        (first.before, first.after, first.added(), first.limited),
        (0, 2, 2, false)
    );
    let second = cart.add(item("a", 2900, Some(5)), 4, 20);
    assert_eq!(
        (second.before, second.after, second.added(), second.limited),
        (2, 5, 3, true)
    );
    let third = cart.add(item("a", 2900, Some(5)), 1, 30);
    assert!(third.is_noop() && third.limited);
    assert_eq!(cart.lines().len(), 1);
    assert_eq!(cart.line("a").unwrap().quantity, 5);
    assert_eq!(
        cart.line("a").unwrap().updated,
        20,
        "a no-op is not a change"
    );

    // Sold out: nothing is added and nothing is left behind.
    let sold_out = cart.add(item("b", 100, Some(0)), 1, 40);
    assert!(sold_out.is_noop() && sold_out.limited);
    assert!(cart.line("b").is_none());

    // Untracked stock: only the per-line maximum applies.
    let many = cart.add(item("c", 1, None), u32::MAX, 50);
    assert_eq!(many.after, MAX_LINE_QUANTITY);
    assert_eq!(cart.item_count(), 5 + MAX_LINE_QUANTITY);
}

#[test]
fn add_refreshes_details_but_never_lowers_a_quantity() {
    let mut cart = Cart::new();
    cart.add(item("a", 2900, None), 4, 1);
    // Stock fell to 2 since: adding one more changes nothing, but the new price is taken.
    let change = cart.add(item("a", 2500, Some(2)), 1, 2);
    assert!(change.is_noop());
    let mut repriced = item("a", 2500, Some(2));
    repriced.title = "Renamed".into();
    cart.add(repriced, 0, 3);
    assert_eq!(cart.line("a").unwrap().quantity, 4);
}

#[test]
fn line_count_is_capped() {
    let mut cart = Cart::new();
    for i in 0..MAX_LINES {
        assert_eq!(cart.add(item(&i.to_string(), 1, None), 1, 1).after, 1);
    }
    let over = cart.add(item("one-too-many", 1, None), 1, 2);
    assert!(over.is_noop() && over.limited);
    assert_eq!(cart.lines().len(), MAX_LINES);
    // An existing line can still grow.
    assert_eq!(cart.add(item("0", 1, None), 1, 3).after, 2);
}

#[test]
fn set_quantity_remove_and_clear() {
    let mut cart = Cart::new();
    cart.add(item("a", 1000, Some(3)), 1, 1);
    cart.add(item("b", 250, None), 2, 2);
    let up = cart.set_quantity("a", 10, 3).unwrap();
    assert_eq!((up.before, up.after, up.limited), (1, 3, true));
    assert_eq!(cart.set_quantity("a", 3, 4), None, "no change");
    let down = cart.set_quantity("a", 1, 5).unwrap();
    assert_eq!((down.removed(), down.limited), (2, false));
    assert_eq!(cart.set_quantity("zzz", 1, 6), None);
    assert_eq!(cart.subtotal(), Some(1000 + 500));

    let gone = cart.set_quantity("b", 0, 7).unwrap();
    assert_eq!((gone.before, gone.after, gone.line.quantity), (2, 0, 0));
    assert_eq!(gone.line.variant_id, "b");
    assert!(cart.remove("b", 8).is_none());

    cart.add(item("c", 1, None), 1, 9);
    let cleared = cart.clear(10);
    assert_eq!(cleared.len(), 2);
    assert!(cart.is_empty());
    assert_eq!((cart.subtotal(), cart.item_count()), (Some(0), 0));
}

#[test]
fn sold_out_lines_can_shrink_but_not_grow() {
    let mut cart = Cart::new();
    cart.add(item("a", 100, None), 3, 1);
    let feed = parse_feed(
        r#"[{"id":"p-a","title":"A","variants":[{"id":"a","price":120,"available":false}]}]"#,
    )
    .unwrap()
    .feed;
    assert!(cart.refresh(&feed));
    let line = cart.line("a").unwrap();
    assert!(line.is_sold_out());
    assert_eq!((line.quantity, line.unit_price), (1, 120));
    assert_eq!(cart.set_quantity("a", 2, 2), None);
    assert!(!cart.refresh(&feed), "refreshing twice changes nothing");
}

#[test]
fn subtotal_is_integer_and_checked() {
    let mut cart = Cart::new();
    for (i, price) in [10u64, 20, 30].iter().enumerate() {
        cart.add(item(&i.to_string(), *price, None), 1, 1);
    }
    assert_eq!(cart.subtotal(), Some(60)); // 0.10 + 0.20 + 0.30, exactly
    cart.add(item("huge", (1 << 53) - 1, None), MAX_LINE_QUANTITY, 2);
    cart.add(item("huge2", (1 << 53) - 1, None), MAX_LINE_QUANTITY, 2);
    cart.add(item("huge3", (1 << 53) - 1, None), MAX_LINE_QUANTITY, 2);
    assert_eq!(cart.subtotal(), None, "overflow is reported, not wrapped");
}

#[test]
fn items_from_the_feed() {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../examples/feeds/demo.json"
    ))
    .unwrap();
    let feed = parse_feed(&text).unwrap().feed;
    let (product, variant) = feed.variant("40002").unwrap();
    let tee = CartItem::from_variant(product, variant);
    assert_eq!(tee.variant_title, "Sand / M");
    assert_eq!(tee.image.as_deref(), Some("/img/tee.svg"));
    assert_eq!(tee.max_quantity, Some(3));
    let (product, variant) = feed.variant("40003").unwrap();
    assert_eq!(
        CartItem::from_variant(product, variant).max_quantity,
        Some(0)
    );
    let mut cart = Cart::new();
    cart.add(tee, 2, 1);
    assert_eq!(cart.subtotal(), Some(5800));
}

#[test]
fn record_round_trip_and_format() {
    let mut cart = Cart::new();
    cart.add(item("a", 2900, Some(5)), 2, 1_714_560_000_000);
    cart.add(item("b \"quoted\" é", 100, None), 1, 1_714_560_000_001);
    cart.remove("b \"quoted\" é", 1_714_560_000_002);
    let text = cart.to_record();
    assert!(
        text.starts_with(r#"{"v":1,"updated":1714560000002,"lines":[{"variant_id":"a","#),
        "{text}"
    );
    let (back, warning) = Cart::from_record(&text);
    assert_eq!(warning, None);
    assert_eq!(back, cart);
    assert_eq!(back.to_record(), text);
}

#[test]
fn loader_never_fails() {
    let (cart, warning) = Cart::from_record("{\"v\":1,\"lines\":[");
    assert!(cart.is_empty());
    assert!(matches!(warning, Some(CartWarning::Corrupt(_))));

    let (cart, warning) = Cart::from_record(r#"{"v":2,"lines":[]}"#);
    assert!(cart.is_empty());
    assert_eq!(
        warning,
        Some(CartWarning::UnsupportedVersion { found: "2".into() })
    );
    assert_eq!(
        warning.unwrap().to_string(),
        "the saved cart has version 2 but this player reads version 1; starting with an empty cart"
    );

    for junk in [
        "null",
        "[]",
        "\"cart\"",
        "{}",
        r#"{"v":1}"#,
        r#"{"v":1,"lines":{}}"#,
    ] {
        let (cart, warning) = Cart::from_record(junk);
        assert!(cart.is_empty(), "{junk}");
        assert_eq!(warning, Some(CartWarning::NotACart), "{junk}");
    }

    // Good lines survive next to bad ones.
    let good = r#"{"variant_id":"a","product_id":"p","title":"T","variant_title":"","unit_price":100,"quantity":2,"image":null,"max_quantity":null,"added":1,"updated":1}"#;
    let bad = [
        r#"{"variant_id":"b","product_id":"p","title":"T","variant_title":"","unit_price":1.5,"quantity":1,"added":1,"updated":1}"#,
        r#"{"variant_id":"c","product_id":"p","title":"T","variant_title":"","unit_price":1,"quantity":0,"added":1,"updated":1}"#,
        r#"{"variant_id":"d","product_id":"p","title":"T","variant_title":"","unit_price":1,"quantity":100000,"added":1,"updated":1}"#,
        r#"{"variant_id":"e","product_id":"p","title":"T","variant_title":"","unit_price":1,"quantity":1,"image":"javascript:alert(1)","added":1,"updated":1}"#,
        r#"{"variant_id":"","product_id":"p","title":"T","variant_title":"","unit_price":1,"quantity":1,"added":1,"updated":1}"#,
        r#"{"product_id":"p"}"#,
        r#"7"#,
    ];
    let text = format!(
        r#"{{"v":1,"updated":1,"lines":[{good},{}],"removed":[{{"variant_id":"z"}},5]}}"#,
        bad.join(",")
    );
    let (cart, warning) = Cart::from_record(&text);
    assert_eq!(cart.lines().len(), 1);
    assert_eq!(cart.line("a").unwrap().quantity, 2);
    assert_eq!(
        warning,
        Some(CartWarning::DroppedLines { count: bad.len() })
    );
}

#[test]
fn loader_resolves_repeated_lines_and_big_records() {
    let line = |q: u32, updated: u64| {
        format!(
            r#"{{"variant_id":"a","product_id":"p","title":"T","variant_title":"","unit_price":1,"quantity":{q},"added":1,"updated":{updated}}}"#
        )
    };
    let text = format!(
        r#"{{"v":1,"lines":[{},{},{}],"removed":[{{"variant_id":"a","updated":4}}]}}"#,
        line(1, 5),
        line(7, 9),
        line(3, 2)
    );
    let (cart, warning) = Cart::from_record(&text);
    assert_eq!(warning, None);
    assert_eq!(cart.lines().len(), 1);
    assert_eq!(
        cart.line("a").unwrap().quantity,
        7,
        "the newest version wins"
    );

    // A record far beyond any real cart (written by another script) loads, capped.
    let many: Vec<String> = (0..5000)
        .map(|i| format!(r#"{{"variant_id":"v{i}","product_id":"p","title":"T","variant_title":"","unit_price":1,"quantity":1,"added":{},"updated":1}}"#, 5000 - i))
        .collect();
    let (cart, warning) = Cart::from_record(&format!(r#"{{"v":1,"lines":[{}]}}"#, many.join(",")));
    assert_eq!(cart.lines().len(), 1000);
    assert_eq!(warning, Some(CartWarning::DroppedLines { count: 4000 }));
    assert_eq!(
        cart.lines()[0].variant_id,
        "v999",
        "listed in the order they were added"
    );
}

#[test]
fn two_tabs_converge_without_losing_lines() {
    let mut shared = Cart::new();
    shared.add(item("kept", 100, None), 1, 100);
    shared.add(item("removed-in-b", 100, None), 1, 101);
    shared.add(item("changed-in-b", 100, None), 1, 102);
    let record = shared.to_record();

    let (mut a, _) = Cart::from_record(&record);
    let (mut b, _) = Cart::from_record(&record);
    a.add(item("new-in-a", 100, None), 2, 200);
    b.remove("removed-in-b", 201);
    b.set_quantity("changed-in-b", 5, 202);
    b.add(item("new-in-b", 100, None), 1, 203);

    let mut ab = a.clone();
    ab.merge(&b);
    let mut ba = b.clone();
    ba.merge(&a);
    assert_eq!(ab, ba);
    assert_eq!(ab.to_record(), ba.to_record());
    let ids: Vec<&str> = ab.lines().iter().map(|l| l.variant_id.as_str()).collect();
    assert_eq!(ids, ["kept", "changed-in-b", "new-in-a", "new-in-b"]);
    assert_eq!(ab.line("changed-in-b").unwrap().quantity, 5);
    // Merging what one already has changes nothing: no write-back ping-pong.
    assert!(!ab.clone().merge(&ba));
}

#[test]
fn a_change_made_in_the_same_millisecond_still_wins() {
    let mut a = Cart::new();
    a.add(item("x", 100, None), 1, 500);
    let mut b = a.clone();
    // Tab B's clock reads the same millisecond (or earlier): its change must still be newer.
    b.set_quantity("x", 3, 500).unwrap();
    b.remove("y", 0);
    let mut merged = a.clone();
    merged.merge(&b);
    assert_eq!(merged.line("x").unwrap().quantity, 3);
    // Same for a removal then a re-add with a clock that went backwards.
    let mut c = merged.clone();
    c.remove("x", 400);
    let mut d = c.clone();
    d.add(item("x", 100, None), 1, 300);
    let mut back = c.clone();
    back.merge(&d);
    assert_eq!(back.line("x").map(|l| l.quantity), Some(1));
}

#[test]
fn removal_marks_expire() {
    let mut stale = Cart::new();
    stale.add(item("x", 100, None), 1, 0);
    let mut tab = stale.clone();
    tab.remove("x", 1);
    let mut merged = tab.clone();
    merged.merge(&stale);
    assert!(
        merged.line("x").is_none(),
        "the removal wins over the older line"
    );
    // Long after, the mark is gone: a tab asleep that long brings the line back (never loses).
    tab.add(item("other", 1, None), 1, 2 + REMOVAL_TTL_MS);
    tab.merge(&stale);
    assert!(tab.line("x").is_some());
}

/// One step of a tab: which tab, what, on which of four variants, and how far its clock moves.
#[derive(Debug, Clone)]
enum Op {
    Add(usize, u32),
    Set(usize, u32),
    Remove(usize),
    Clear,
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        4 => (0usize..4, 0u32..4).prop_map(|(v, q)| Op::Add(v, q)),
        2 => (0usize..4, 0u32..6).prop_map(|(v, q)| Op::Set(v, q)),
        2 => (0usize..4).prop_map(Op::Remove),
        1 => Just(Op::Clear),
    ]
}

fn apply(cart: &mut Cart, op: &Op, now: u64) {
    let id = |v: usize| format!("v{v}");
    match *op {
        Op::Add(v, q) => {
            cart.add(
                item(
                    &id(v),
                    100 * (v as u64 + 1),
                    if v == 3 { Some(2) } else { None },
                ),
                q,
                now,
            );
        }
        Op::Set(v, q) => {
            cart.set_quantity(&id(v), q, now);
        }
        Op::Remove(v) => {
            cart.remove(&id(v), now);
        }
        Op::Clear => {
            cart.clear(now);
        }
    }
}

/// A cart grown from `base` by `ops`, with a clock that may stall (delta 0).
fn grow(base: &Cart, ops: &[(Op, u64)], start: u64) -> Cart {
    let mut cart = base.clone();
    let mut now = start;
    for (op, delta) in ops {
        now += delta;
        apply(&mut cart, op, now);
    }
    cart
}

fn history() -> impl Strategy<Value = Vec<(Op, u64)>> {
    prop::collection::vec((op(), 0u64..3), 0..10)
}

fn merged(a: &Cart, b: &Cart) -> Cart {
    let mut out = a.clone();
    out.merge(b);
    out
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn merge_is_commutative_associative_and_idempotent(
        base in history(), ha in history(), hb in history(), hc in history(),
    ) {
        let base = grow(&Cart::new(), &base, 1_000);
        let a = grow(&base, &ha, 2_000);
        let b = grow(&base, &hb, 2_000);
        let c = grow(&base, &hc, 2_001);
        prop_assert_eq!(merged(&a, &b), merged(&b, &a));
        prop_assert_eq!(merged(&merged(&a, &b), &c), merged(&a, &merged(&b, &c)));
        prop_assert_eq!(merged(&a, &a), a.clone());
        prop_assert_eq!(merged(&a, &base), merged(&base, &a));
        // `merge` says whether it changed anything (a tab writes back only then).
        let mut m = a.clone();
        let changed = m.merge(&b);
        prop_assert_eq!(changed, m != a);
    }

    /// A line one side has survives the merge unless the other side changed or removed that
    /// variant later; and the merged cart always holds the newest version of each line.
    #[test]
    fn merge_never_loses_a_line_the_other_side_did_not_remove(
        base in history(), ha in history(), hb in history(),
    ) {
        let base = grow(&Cart::new(), &base, 1_000);
        let a = grow(&base, &ha, 2_000);
        let b = grow(&base, &hb, 2_000);
        let m = merged(&a, &b);
        for (mine, theirs) in [(&a, &b), (&b, &a)] {
            for line in mine.lines() {
                match m.line(&line.variant_id) {
                    Some(kept) => prop_assert!(kept.updated >= line.updated),
                    None => prop_assert!(
                        theirs.removed_at(&line.variant_id).is_some_and(|t| t >= line.updated),
                        "{} lost though the other tab never removed it", line.variant_id
                    ),
                }
            }
        }
        prop_assert!(m.item_count() <= a.item_count() + b.item_count());
    }

    #[test]
    fn records_round_trip(ops in history()) {
        let cart = grow(&Cart::new(), &ops, 1_714_560_000_000);
        let text = cart.to_record();
        let (back, warning) = Cart::from_record(&text);
        prop_assert_eq!(warning, None);
        prop_assert_eq!(back, cart);
    }

    #[test]
    fn loader_survives_any_text(text in any::<String>()) {
        let (cart, _) = Cart::from_record(&text);
        prop_assert!(cart.lines().len() <= 1000);
    }

    #[test]
    fn totals_match_the_lines(ops in history()) {
        let cart = grow(&Cart::new(), &ops, 1);
        let expected: u64 = cart.lines().iter().map(|l| l.unit_price * u64::from(l.quantity)).sum();
        prop_assert_eq!(cart.subtotal(), Some(expected));
        let count: u32 = cart.lines().iter().map(|l| l.quantity).sum();
        prop_assert_eq!(cart.item_count(), count);
        for line in cart.lines() {
            prop_assert!(line.quantity >= 1 && line.quantity <= line.cap());
        }
    }
}

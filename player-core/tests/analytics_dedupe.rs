//! No double counting: `view_item_list` once per product per view after a second of
//! visibility, and one action per double click.

use player_core::analytics::dedupe::{
    ClickGuard, ViewItemListTracker, DOUBLE_CLICK_MS, MIN_VISIBLE_MS,
};
use proptest::prelude::*;

#[test]
fn a_card_counts_after_a_second_in_one_stretch() {
    let mut t = ViewItemListTracker::new();
    assert_eq!(t.poll_timeout(), None);
    t.show("tee", 100);
    t.show("tee", 400); // a repeated show keeps the first start
    assert_eq!(t.poll_timeout(), Some(100 + MIN_VISIBLE_MS));
    assert!(t.poll(100 + MIN_VISIBLE_MS - 1).is_empty());
    assert_eq!(t.poll(100 + MIN_VISIBLE_MS), ["tee"]);
    assert_eq!(t.poll_timeout(), None);
    assert!(t.poll(60_000).is_empty());
    // Flickering in and out never adds up to a second.
    t.show("cap", 0);
    t.hide("cap", 600);
    t.show("cap", 700);
    t.hide("cap", 1_600);
    assert!(t.poll(5_000).is_empty());
    assert_eq!(t.poll_timeout(), None);
}

#[test]
fn a_card_hidden_after_a_second_is_reported_by_the_next_poll() {
    let mut t = ViewItemListTracker::new();
    t.show("tee", 0);
    t.show("cap", 500);
    t.show("mug", 900);
    t.hide("mug", 1_000); // 100 ms: not seen
    t.hide("cap", 2_000); // 1.5 s: seen
                          // One batch, in the order they qualified.
    assert_eq!(t.poll(2_000), ["cap", "tee"]);
    // Shown again in the same view: never reported twice.
    t.show("cap", 3_000);
    t.show("tee", 3_000);
    assert_eq!(t.poll_timeout(), None, "nothing left to wait for");
    assert!(t.poll(10_000).is_empty());
    t.hide("tee", 11_000);
    assert!(t.poll(12_000).is_empty());
    // A new view starts over.
    let mut next = ViewItemListTracker::new();
    next.show("tee", 0);
    assert_eq!(next.poll(1_000), ["tee"]);
}

#[test]
fn hiding_everything_at_once() {
    let mut t = ViewItemListTracker::new();
    t.show("a", 0);
    t.show("b", 800);
    t.show("c", 1_500);
    t.hide_all(1_900);
    assert_eq!(t.poll_timeout(), None);
    let mut got = t.poll(1_900);
    got.sort();
    assert_eq!(got, ["a", "b"]);
    t.hide_all(5_000);
    assert!(t.poll(9_000).is_empty());
}

#[test]
fn double_clicks_act_once() {
    let mut g = ClickGuard::new();
    assert!(g.allow("add_to_cart:1", 1_000));
    assert!(!g.allow("add_to_cart:1", 1_000 + DOUBLE_CLICK_MS - 1));
    // A burst of clicks counts once: each repeat extends the window.
    assert!(!g.allow("add_to_cart:1", 1_000 + 2 * DOUBLE_CLICK_MS - 2));
    assert!(g.allow("add_to_cart:1", 1_000 + 3 * DOUBLE_CLICK_MS));
    // Another intent right away is its own click.
    assert!(g.allow("add_to_cart:2", 1_000 + 3 * DOUBLE_CLICK_MS + 10));
    assert!(g.allow("add_to_cart:1", 1_000 + 3 * DOUBLE_CLICK_MS + 20));
    // A clock that goes back does not let a repeat through.
    assert!(!g.allow("add_to_cart:1", 0));
}

proptest! {
    /// Any show/hide/poll sequence: each product is reported at most once, and only if it
    /// was continuously visible for a second at some point.
    #[test]
    fn reported_at_most_once_and_only_when_seen(
        ops in proptest::collection::vec((0u8..3, 0usize..4, 0u64..1_500), 0..200),
    ) {
        let ids = ["a", "b", "c", "d"];
        let mut t = ViewItemListTracker::new();
        let mut now = 0u64;
        let mut since: [Option<u64>; 4] = [None; 4];
        let mut seen = [false; 4];
        let mut reported: Vec<String> = Vec::new();
        for (op, i, step) in ops {
            now += step;
            match op {
                0 => {
                    t.show(ids[i], now);
                    since[i].get_or_insert(now);
                }
                1 => {
                    t.hide(ids[i], now);
                    if since[i].take().is_some_and(|s| now - s >= MIN_VISIBLE_MS) {
                        seen[i] = true;
                    }
                }
                _ => {
                    for (k, s) in since.iter().enumerate() {
                        if s.is_some_and(|s| now - s >= MIN_VISIBLE_MS) {
                            seen[k] = true;
                        }
                    }
                    reported.extend(t.poll(now));
                }
            }
        }
        let mut distinct = reported.clone();
        distinct.sort();
        distinct.dedup();
        prop_assert_eq!(distinct.len(), reported.len(), "{:?}", reported);
        for id in &reported {
            let k = ids.iter().position(|x| x == id).unwrap();
            prop_assert!(seen[k], "{} reported but never seen for a second", id);
        }
        // And every card seen is reported by a final poll.
        for (k, s) in since.iter().enumerate() {
            if s.is_some_and(|s| now - s >= MIN_VISIBLE_MS) {
                seen[k] = true;
            }
        }
        reported.extend(t.poll(now));
        for (k, id) in ids.iter().enumerate() {
            prop_assert_eq!(seen[k], reported.iter().any(|r| r == id), "{}", id);
        }
    }
}

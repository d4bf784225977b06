//! Arbitrary bytes → the product feed parser and the stored cart record: both read text a
//! store or a browser's storage hands us. Never a panic, and what a cart loads it can save
//! and load again unchanged.
#![no_main]

use libfuzzer_sys::fuzz_target;
use player_core::commerce::cart::Cart;
use player_core::commerce::feed::parse_feed;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    if let Ok(report) = parse_feed(&text) {
        let mut cart = Cart::new();
        let _ = cart.refresh(&report.feed);
    }
    let (cart, _warning) = Cart::from_record(&text);
    let record = cart.to_record();
    let (again, warning) = Cart::from_record(&record);
    assert!(warning.is_none(), "a saved cart reloads cleanly: {record}");
    assert!(again.lines() == cart.lines(), "round trip changed the cart: {record}");
});

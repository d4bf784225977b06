//! Arbitrary text → the attribute-list lexer and every value parser. Beyond "never panics",
//! checks the lexer's guarantees and that the hand-rolled number parsers agree with std.
#![no_main]

use libfuzzer_sys::fuzz_target;
use player_core::hls::playlist::attributes::{
    parse_attribute_list, parse_byte_range_spec, parse_decimal_float, parse_decimal_integer,
    parse_hex, parse_hex_128, parse_resolution, parse_signed_decimal_float, parse_yes_no,
    AttributeValue,
};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let _ = parse_attribute_list(text, 1, |name, value| {
        assert!(!name.is_empty());
        assert!(name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'));
        match value {
            AttributeValue::Quoted(s) => assert!(!s.contains('"')),
            AttributeValue::Unquoted(s) => assert!(!s.contains([',', '"'])),
        }
        check_value(value.text());
        Ok(())
    });
    // Each value parser also sees the raw input directly.
    check_value(text);
});

fn check_value(t: &str) {
    if let Ok(n) = parse_decimal_integer(t) {
        assert_eq!(t.parse::<u64>().ok(), Some(n), "{t:?}");
    }
    if let Ok(v) = parse_decimal_float(t) {
        assert_eq!(t.parse::<f64>().ok(), Some(v), "{t:?}");
    }
    if let Ok(v) = parse_signed_decimal_float(t) {
        assert!(!v.is_nan());
    }
    if let Ok(bytes) = parse_hex(t, 64) {
        assert!(!bytes.is_empty() && bytes.len() <= 64);
    }
    let _ = parse_hex_128(t);
    let _ = parse_resolution(t);
    let _ = parse_yes_no(t);
    if let Ok((length, Some(offset))) = parse_byte_range_spec(t) {
        assert!(offset.checked_add(length).is_some());
    }
}

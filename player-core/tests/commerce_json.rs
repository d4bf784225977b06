//! The commerce JSON reader and writer: write → parse round trips, offsets, hostile input.

use player_core::commerce::json::{
    parse, parse_with_limits, JsonErrorKind, JsonKind, JsonLimits, JsonNumber, JsonValue,
};
use proptest::prelude::*;

/// The same tree with every offset zeroed, to compare structure and content only.
fn without_offsets(v: &JsonValue) -> JsonValue {
    let kind = match &v.kind {
        JsonKind::Array(items) => JsonKind::Array(items.iter().map(without_offsets).collect()),
        JsonKind::Object(members) => JsonKind::Object(
            members
                .iter()
                .map(|(k, v)| (k.clone(), without_offsets(v)))
                .collect(),
        ),
        other => other.clone(),
    };
    JsonValue::new(kind)
}

/// Every value's offset points at the first byte of its token.
fn check_offsets(text: &str, v: &JsonValue) {
    let first = text.as_bytes()[v.offset as usize];
    let ok = match &v.kind {
        JsonKind::Null => first == b'n',
        JsonKind::Bool(b) => first == if *b { b't' } else { b'f' },
        JsonKind::Number(_) => first == b'-' || first.is_ascii_digit(),
        JsonKind::String(_) => first == b'"',
        JsonKind::Array(items) => {
            items.iter().for_each(|i| check_offsets(text, i));
            first == b'['
        }
        JsonKind::Object(members) => {
            members.iter().for_each(|(_, m)| check_offsets(text, m));
            first == b'{'
        }
    };
    assert!(ok, "offset {} does not start {:?}", v.offset, v.kind);
}

fn number() -> impl Strategy<Value = JsonNumber> {
    prop_oneof![
        any::<i64>().prop_map(JsonNumber::from_i64),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_filter_map("JSON grammar", |f| JsonNumber::parse(&format!("{f:?}"))),
        (-999i64..999, 0u32..99999, -30i32..30).prop_filter_map("JSON grammar", |(i, f, e)| {
            JsonNumber::parse(&format!("{i}.{f}e{e}"))
        }),
    ]
}

fn json_value() -> impl Strategy<Value = JsonValue> {
    let leaf = prop_oneof![
        Just(JsonKind::Null),
        any::<bool>().prop_map(JsonKind::Bool),
        number().prop_map(JsonKind::Number),
        any::<String>().prop_map(JsonKind::String),
        "[\\\\\"\\u{0}-\\u{1f}a-c😀é\u{2028}]{0,8}".prop_map(JsonKind::String),
    ]
    .prop_map(JsonValue::new);
    leaf.prop_recursive(6, 64, 8, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..8)
                .prop_map(|items| JsonValue::new(JsonKind::Array(items))),
            prop::collection::vec((any::<String>(), inner), 0..8)
                .prop_map(|members| JsonValue::new(JsonKind::Object(members))),
        ]
    })
}

proptest! {
    #[test]
    fn write_then_parse_gives_the_same_tree(v in json_value()) {
        let text = v.to_json();
        let back = parse(&text).map_err(|e| TestCaseError::fail(format!("{e}: {text}")))?;
        check_offsets(&text, &back);
        prop_assert_eq!(without_offsets(&back), v);
        // Writing is deterministic: the parsed tree writes the same text.
        prop_assert_eq!(back.to_json(), text);
    }

    #[test]
    fn any_text_parses_or_fails_cleanly(s in any::<String>()) {
        if let Err(e) = parse(&s) {
            prop_assert!(e.offset <= s.len());
            prop_assert!(e.line >= 1 && e.column >= 1);
        }
    }

    #[test]
    fn every_truncation_fails_cleanly(v in json_value(), cut in any::<prop::sample::Index>()) {
        let text = v.to_json();
        let mut end = cut.index(text.len() + 1);
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        // Only a top-level number can survive being cut short (`123` → `12`).
        if let Ok(back) = parse(&text[..end]) {
            prop_assert!(matches!(back.kind, JsonKind::Number(_)) || end == text.len());
        }
    }

    #[test]
    fn integer_lexemes_read_back_exactly(n in any::<i64>()) {
        let v = parse(&n.to_string()).unwrap();
        prop_assert_eq!(v.as_i64(), Some(n));
    }
}

#[test]
fn deep_nesting_is_an_error_not_a_stack_overflow() {
    let text = "[".repeat(100_000);
    let e = parse(&text).unwrap_err();
    assert_eq!(e.kind, JsonErrorKind::TooDeep { max: 64 });
    assert_eq!(e.offset, 64);
    let objects = "{\"a\":".repeat(1000);
    assert_eq!(
        parse(&objects).unwrap_err().kind,
        JsonErrorKind::TooDeep { max: 64 }
    );
}

#[test]
fn size_limit_is_checked_before_parsing() {
    let big = format!("\"{}\"", "x".repeat(8 * 1024 * 1024));
    assert!(matches!(
        parse(&big).unwrap_err().kind,
        JsonErrorKind::TooLarge { .. }
    ));
    let limits = JsonLimits {
        max_bytes: 16 * 1024 * 1024,
        ..JsonLimits::default()
    };
    assert_eq!(
        parse_with_limits(&big, limits)
            .unwrap()
            .as_str()
            .map(str::len),
        Some(8 * 1024 * 1024)
    );
}

#[test]
fn error_positions_for_a_realistic_mistake() {
    // A trailing comma in a hand-edited feed.
    let text = "{\n  \"products\": [\n    {\"id\": \"tee\"},\n  ]\n}";
    let e = parse(text).unwrap_err();
    assert_eq!((e.line, e.column), (4, 3));
    assert_eq!(
        e.to_string(),
        "line 4, column 3: expected a value, found ']'"
    );
}

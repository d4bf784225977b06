//! Attribution: campaign parameters from the page URL, the per-view session id, the lookback
//! record (its stored text, window, tolerance) and Consent Mode gating.

use player_core::analytics::consent::{consent_mode, Consent, ConsentState};
use player_core::analytics::context::{
    campaign_params, session_id, utm_from_url, Attribution, EventContext, VideoContext,
    MAX_CAMPAIGN_VALUE_CHARS,
};
use player_core::analytics::lookback::{
    video_assisted_view, Interaction, LookbackRecord, DEFAULT_WINDOW_MS, MAX_PRODUCTS,
    MAX_TEXT_BYTES, STORAGE_KEY,
};
use player_core::commerce::json::{parse, JsonValue};
use proptest::prelude::*;

fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

#[test]
fn campaign_parameters_from_the_query() {
    let url = "https://shop.example/p?gclid=abc&utm_campaign=spring+sale&utm_source=ig&x=1\
               &utm_medium=social%2Fpaid&UTM_TERM=upper&utm_term=linen%20tee&utm_content=%E2%82%AC%zz\
               &utm_id=&utm_id=late#utm_creative_format=frag";
    // In URLSearchParams' terms: exact names, first occurrence, empty values left out.
    assert_eq!(
        utm_from_url(url),
        pairs(&[
            ("utm_source", "ig"),
            ("utm_medium", "social/paid"),
            ("utm_campaign", "spring sale"),
            ("utm_term", "linen tee"),
            ("utm_content", "€%zz"),
            ("gclid", "abc"),
        ])
    );
    assert!(utm_from_url("https://shop.example/p").is_empty());
    assert!(utm_from_url("https://shop.example/p#?utm_source=x").is_empty());
    assert!(utm_from_url("").is_empty());
    assert_eq!(
        utm_from_url("?utm_source=a&utm_source=b"),
        pairs(&[("utm_source", "a")])
    );
    assert_eq!(
        utm_from_url("/p?utm_medium=a=b&utm_source=%FFok"),
        pairs(&[("utm_source", "\u{fffd}ok"), ("utm_medium", "a=b")])
    );
}

#[test]
fn long_values_are_cut_at_a_character() {
    let long = "é".repeat(150);
    let got = utm_from_url(&format!("?utm_source={long}"));
    assert_eq!(got[0].1.chars().count(), MAX_CAMPAIGN_VALUE_CHARS);
    assert_eq!(got[0].1, "é".repeat(100));
}

#[test]
fn the_stores_own_parameters_are_validated() {
    let url = "?Ref=other&ref=tiktok&affiliate_id=42&event=purchase&video_id=x&Ecommerce=1\
               &gtm_debug=1&2fast=1&utm_source=ig&bad-name=1";
    let extra = [
        "ref",
        "affiliate_id",
        "event",
        "video_id",
        "Ecommerce",
        "gtm_debug",
        "2fast",
        "bad-name",
        "utm_source",
        "ref",
        "",
    ];
    assert_eq!(
        campaign_params(url, &extra),
        pairs(&[
            ("utm_source", "ig"),
            ("ref", "tiktok"),
            ("affiliate_id", "42")
        ])
    );
}

#[test]
fn session_ids_are_sixteen_hex_digits() {
    assert_eq!(session_id(0), "0000000000000000");
    assert_eq!(session_id(u64::MAX), "ffffffffffffffff");
    assert_eq!(session_id(0x9f86_d081_884c_7d65), "9f86d081884c7d65");
    let a = Attribution::from_url("https://x/?utm_medium=email", &[], 0xabc);
    assert_eq!(a.session_id, "0000000000000abc");
    assert_eq!(a.campaign, pairs(&[("utm_medium", "email")]));
}

fn ctx() -> EventContext {
    let mut video = VideoContext::new("spring-show", "Spring \"drop\"", "/show.m3u8");
    video.current_time_ms = 42_250;
    EventContext::new(video, Attribution::from_url("/", &[], 0x1234))
}

#[test]
fn the_record_keeps_the_latest_interaction_per_product() {
    let mut c = ctx();
    let mut r = LookbackRecord::new();
    r.note(&c, "select_item", "tee", None, 1_000);
    c.video.current_time_ms = 50_000;
    r.note(&c, "add_to_cart", "tee", Some("40002"), 2_000);
    r.note(&c, "view_item", "cap", None, 3_000);
    // An older interaction (another tab's late write) does not replace a newer one.
    let mut old = r.interactions()[0].clone();
    old.at = 500;
    old.event = "select_item".into();
    r.add(old);
    let got: Vec<(&str, &str, u64)> = r
        .interactions()
        .iter()
        .map(|e| (e.product_id.as_str(), e.event.as_str(), e.at))
        .collect();
    assert_eq!(
        got,
        [("tee", "add_to_cart", 2_000), ("cap", "view_item", 3_000)]
    );
    let tee = r.interacted_within("tee", 2_000 + DEFAULT_WINDOW_MS, DEFAULT_WINDOW_MS);
    assert_eq!(tee.map(|e| e.video_time_ms), Some(50_000));
    assert!(r
        .interacted_within("tee", 2_001 + DEFAULT_WINDOW_MS, DEFAULT_WINDOW_MS)
        .is_none());
    assert!(r
        .interacted_within("mug", 2_000, DEFAULT_WINDOW_MS)
        .is_none());
    // A configured window.
    let hour = 3_600_000;
    assert!(r.interacted_within("cap", 3_000 + hour, hour).is_some());
    assert!(r.interacted_within("cap", 3_001 + hour, hour).is_none());
}

#[test]
fn prune_drops_what_is_outside_the_window_and_the_size_is_capped() {
    let c = ctx();
    let mut r = LookbackRecord::new();
    for i in 0..(MAX_PRODUCTS as u64 + 10) {
        r.note(&c, "view_item", &format!("p{i}"), None, i * 1_000);
    }
    assert_eq!(r.interactions().len(), MAX_PRODUCTS);
    assert_eq!(r.interactions()[0].product_id, "p10", "the oldest go first");
    assert!(!r.prune(59_000, DEFAULT_WINDOW_MS));
    assert!(r.prune(59_000, 10_000));
    let left: Vec<&str> = r
        .interactions()
        .iter()
        .map(|e| e.product_id.as_str())
        .collect();
    assert_eq!(left, (49..60).map(|i| format!("p{i}")).collect::<Vec<_>>());
}

#[test]
fn the_stored_text_is_exact_and_round_trips() {
    let mut c = ctx();
    c.video.live = true;
    let mut r = LookbackRecord::new();
    r.note(&c, "add_to_cart", "tee", Some("40002"), 1_714_560_000_000);
    let text = r.to_record();
    assert_eq!(
        text,
        r#"{"v":1,"products":[{"product_id":"tee","variant_id":"40002","event":"add_to_cart","video_id":"spring-show","video_title":"Spring \"drop\"","video_time_ms":42250,"live":true,"session_id":"0000000000001234","at":1714560000000}]}"#
    );
    assert_eq!(STORAGE_KEY, "shoppable-player:attribution:v1");
    assert_eq!(LookbackRecord::from_record(&text), r);
    assert_eq!(
        LookbackRecord::new().to_record(),
        r#"{"v":1,"products":[]}"#
    );
    // Titles are kept short in storage.
    let mut long = ctx();
    long.video.video_title = "ü".repeat(300);
    let mut r = LookbackRecord::new();
    r.note(&long, "view_item", "tee", None, 1);
    assert_eq!(
        r.interactions()[0].video_title,
        "ü".repeat(MAX_TEXT_BYTES / 2)
    );
}

#[test]
fn unreadable_records_give_what_can_be_read() {
    for junk in [
        "",
        "null",
        "not json",
        "[]",
        r#"{"v":2,"products":[{"product_id":"tee"}]}"#,
        r#"{"v":"1","products":[]}"#,
        r#"{"v":1,"products":{}}"#,
    ] {
        assert_eq!(
            LookbackRecord::from_record(junk),
            LookbackRecord::new(),
            "{junk}"
        );
    }
    let text = r#"{"v":1,"products":[
        {"product_id":"ok","event":"view_item","video_id":"v","video_title":"t","video_time_ms":1,"session_id":"s","at":5},
        {"product_id":"","event":"view_item","video_id":"v","video_title":"t","video_time_ms":1,"session_id":"s","at":5},
        {"product_id":"neg","event":"view_item","video_id":"v","video_title":"t","video_time_ms":-1,"session_id":"s","at":5},
        {"product_id":"frac","event":"view_item","video_id":"v","video_title":"t","video_time_ms":1.5,"session_id":"s","at":5},
        {"product_id":"var","variant_id":7,"event":"view_item","video_id":"v","video_title":"t","video_time_ms":1,"session_id":"s","at":5},
        {"product_id":"nolive","event":"x","video_id":"v","video_title":"t","video_time_ms":0,"session_id":"s","at":9},
        "garbage", 7, null]}"#;
    let r = LookbackRecord::from_record(text);
    let ids: Vec<&str> = r
        .interactions()
        .iter()
        .map(|e| e.product_id.as_str())
        .collect();
    assert_eq!(ids, ["ok", "nolive"]);
    assert!(!r.interactions()[1].live);
    let huge = format!(r#"{{"v":1,"products":[],"pad":"{}"}}"#, "x".repeat(70_000));
    assert_eq!(LookbackRecord::from_record(&huge), LookbackRecord::new());
}

#[test]
fn merging_two_tabs_keeps_the_newer_interaction_per_product() {
    let c = ctx();
    let (mut a, mut b) = (LookbackRecord::new(), LookbackRecord::new());
    a.note(&c, "view_item", "tee", None, 10);
    a.note(&c, "view_item", "cap", None, 30);
    b.note(&c, "add_to_cart", "tee", Some("1"), 20);
    b.note(&c, "view_item", "mug", None, 5);
    let mut ab = a.clone();
    ab.merge(&b);
    let mut ba = b.clone();
    ba.merge(&a);
    assert_eq!(ab, ba);
    let got: Vec<(&str, &str)> = ab
        .interactions()
        .iter()
        .map(|e| (e.product_id.as_str(), e.event.as_str()))
        .collect();
    assert_eq!(
        got,
        [
            ("mug", "view_item"),
            ("tee", "add_to_cart"),
            ("cap", "view_item")
        ]
    );
    let before = ab.clone();
    ab.merge(&before);
    assert_eq!(ab, before);
}

#[test]
fn storage_is_written_only_with_consent() {
    let mut r = LookbackRecord::new();
    r.note(&ctx(), "view_item", "tee", None, 1);
    let granted = ConsentState::default();
    assert_eq!(r.to_storage(&granted), Some(r.to_record()));
    for denied in [
        ConsentState {
            consent_mode: Some(Consent::Denied),
            host: None,
        },
        ConsentState {
            consent_mode: None,
            host: Some(Consent::Denied),
        },
        ConsentState {
            consent_mode: Some(Consent::Denied),
            host: Some(Consent::Granted),
        },
        ConsentState {
            consent_mode: Some(Consent::Granted),
            host: Some(Consent::Denied),
        },
    ] {
        assert!(!denied.storage_allowed());
        assert_eq!(r.to_storage(&denied), None, "{denied:?}");
    }
}

#[test]
fn video_assisted_view_payload() {
    let mut r = LookbackRecord::new();
    r.note(&ctx(), "add_to_cart", "tee", Some("40002"), 1_000);
    let now = 1_000 + 3 * 3_600_000 + 999;
    let e = video_assisted_view(
        r.interacted_within("tee", now, DEFAULT_WINDOW_MS).unwrap(),
        now,
    );
    assert_eq!(e.name, "video_assisted_view");
    assert!(!e.ecommerce);
    assert_eq!(
        e.json,
        r#"{"event":"video_assisted_view","product_id":"tee","variant_id":"40002","interaction":"add_to_cart","interaction_age":10800,"video_id":"spring-show","video_title":"Spring \"drop\"","video_current_time":42.25,"video_live":false,"video_session_id":"0000000000001234"}"#
    );
    assert_eq!(
        parse(&e.json)
            .unwrap()
            .get("video_title")
            .and_then(JsonValue::as_str),
        Some("Spring \"drop\"")
    );
}

fn mode(text: &str) -> Option<Consent> {
    consent_mode(&parse(text).unwrap())
}

#[test]
fn consent_mode_from_the_data_layer() {
    use Consent::{Denied, Granted};
    assert_eq!(mode("[]"), None);
    assert_eq!(mode(r#"[{"event":"gtm.js"},["config","G-1"]]"#), None);
    assert_eq!(mode(r#"{"not":"an array"}"#), None);
    assert_eq!(
        mode(r#"[["consent","default",{"analytics_storage":"denied"}]]"#),
        Some(Denied)
    );
    assert_eq!(
        mode(r#"[["consent","default",{"ad_storage":"denied"}]]"#),
        None
    );
    // The later default wins; an update beats every default, before or after it.
    let text = r#"[["consent","default",{"analytics_storage":"denied"}],
                   ["consent","default",{"analytics_storage":"granted"}]]"#;
    assert_eq!(mode(text), Some(Granted));
    let text = r#"[["consent","default",{"analytics_storage":"denied"}],
                   ["consent","update",{"analytics_storage":"granted"}],
                   ["consent","default",{"analytics_storage":"denied"}]]"#;
    assert_eq!(mode(text), Some(Granted));
    let text = r#"[["consent","update",{"analytics_storage":"granted"}],
                   ["consent","update",{"analytics_storage":"denied"}]]"#;
    assert_eq!(mode(text), Some(Denied));
    // `Arguments` objects as JSON.stringify writes them.
    let text = r#"[{"0":"consent","1":"default","2":{"analytics_storage":"granted","wait_for_update":500}},
                   {"0":"consent","1":"update","2":{"analytics_storage":"denied"}}]"#;
    assert_eq!(mode(text), Some(Denied));
    // A regional default that denies is taken as denying; one that grants changes nothing.
    let text = r#"[["consent","default",{"analytics_storage":"granted"}],
                   ["consent","default",{"analytics_storage":"denied","region":["DE","FR"]}]]"#;
    assert_eq!(mode(text), Some(Denied));
    let text = r#"[["consent","default",{"analytics_storage":"denied"}],
                   ["consent","default",{"analytics_storage":"granted","region":["US"]}]]"#;
    assert_eq!(mode(text), Some(Denied));
    let text = r#"[["consent","default",{"analytics_storage":"denied","region":"ES"}],
                   ["consent","update",{"analytics_storage":"granted"}]]"#;
    assert_eq!(mode(text), Some(Granted));
    // Empty region lists and junk values are ignored.
    let text = r#"[["consent","default",{"analytics_storage":"denied","region":[]}],
                   ["consent","update",{"analytics_storage":"maybe"}],
                   ["consent","update",{"analytics_storage":7}],["consent"],["consent","update"]]"#;
    assert_eq!(mode(text), Some(Denied));
    assert_eq!(Consent::parse(" granted "), Some(Granted));
    assert_eq!(Consent::parse("GRANTED"), None);
    // Consent Mode denial gates storage even without a host choice.
    let state = ConsentState {
        consent_mode: mode(r#"[["consent","default",{"analytics_storage":"denied"}]]"#),
        host: None,
    };
    assert!(!state.storage_allowed());
}

fn interaction() -> impl Strategy<Value = Interaction> {
    (
        ".{1,20}",
        proptest::option::of(".{0,20}"),
        ".{0,20}",
        ".{0,40}",
        0u64..(1 << 53),
        any::<bool>(),
        0u64..(1 << 53),
    )
        .prop_map(
            |(product_id, variant_id, event, title, time, live, at)| Interaction {
                product_id,
                variant_id,
                event,
                video_id: "v".into(),
                video_title: title,
                video_time_ms: time,
                live,
                session_id: "s".into(),
                at,
            },
        )
}

proptest! {
    #[test]
    fn records_round_trip(entries in proptest::collection::vec(interaction(), 0..80)) {
        let mut r = LookbackRecord::new();
        for e in entries {
            r.add(e);
        }
        prop_assert!(r.interactions().len() <= MAX_PRODUCTS);
        prop_assert!(r.interactions().windows(2).all(|w| w[0].at <= w[1].at));
        let text = r.to_record();
        prop_assert!(parse(&text).is_ok());
        prop_assert_eq!(LookbackRecord::from_record(&text), r);
    }

    #[test]
    fn campaign_values_survive_any_encoding(value in ".{1,30}") {
        let mut encoded = String::new();
        for b in value.bytes() {
            encoded.push_str(&format!("%{b:02X}"));
        }
        let got = utm_from_url(&format!("https://x/?a=1&utm_source={encoded}"));
        prop_assert_eq!(got, vec![("utm_source".to_owned(), value)]);
    }
}

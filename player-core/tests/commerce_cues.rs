//! The product timeline against a brute-force scan, and at live-show scale.

use player_core::commerce::cues::{Cue, CueSource, ProductTimeline, MAX_CUES};
use player_core::commerce::feed::{Feed, TimelineEntry};
use proptest::prelude::*;

fn source() -> impl Strategy<Value = CueSource> {
    prop_oneof![
        Just(CueSource::Feed),
        Just(CueSource::Stream),
        Just(CueSource::Host)
    ]
}

/// Cues on a half-second grid so that starts, ends and queries often coincide.
fn cue() -> impl Strategy<Value = (String, f64, Option<f64>, CueSource)> {
    (
        prop::sample::select(vec!["a", "b", "c", "d"]),
        0u32..200,
        prop::option::weighted(0.8, 1u32..80),
        source(),
    )
        .prop_map(|(p, s, d, src)| {
            let start = f64::from(s) / 2.0;
            (
                p.to_owned(),
                start,
                d.map(|d| start + f64::from(d) / 2.0),
                src,
            )
        })
}

fn brute(cues: &[Cue], t: f64) -> Vec<&Cue> {
    let mut out: Vec<&Cue> = cues.iter().filter(|c| c.start <= t && t < c.end).collect();
    out.sort_by(|a, b| a.start.total_cmp(&b.start));
    out
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn active_at_matches_a_scan(
        cues in prop::collection::vec(cue(), 0..60),
        queries in prop::collection::vec(0u32..240, 1..20),
    ) {
        let mut timeline = ProductTimeline::new();
        for (p, start, end, source) in &cues {
            timeline.add_cue(p, *start, *end, *source);
        }
        for q in queries {
            let t = f64::from(q) / 2.0 - 0.25 * f64::from(q % 2);
            let got = timeline.active_at(t);
            prop_assert!(got.windows(2).all(|w| w[0].start <= w[1].start), "sorted by start");
            let mut got: Vec<&Cue> = got;
            let mut want = brute(timeline.cues(), t);
            let key = |c: &&Cue| (c.start.to_bits(), c.end.to_bits(), c.source, c.product_id.clone());
            got.sort_by_key(key);
            want.sort_by_key(key);
            prop_assert_eq!(got, want);
        }
    }

    #[test]
    fn moments_cover_exactly_the_cues(
        cues in prop::collection::vec(cue(), 0..40),
        queries in prop::collection::vec(0u32..480, 1..40),
    ) {
        let mut timeline = ProductTimeline::new();
        for (p, start, end, source) in &cues {
            timeline.add_cue(p, *start, *end, *source);
        }
        for product in ["a", "b", "c", "d"] {
            let moments = timeline.moments(product);
            prop_assert!(moments.windows(2).all(|w| w[0].end < w[1].start), "disjoint, ordered");
            for q in &queries {
                let t = f64::from(*q) / 4.0;
                let in_moment = moments.iter().any(|m| m.start <= t && t < m.end);
                let in_cue = timeline
                    .cues()
                    .iter()
                    .any(|c| c.product_id == product && c.start <= t && t < c.end);
                prop_assert_eq!(in_moment, in_cue, "t = {}", t);
            }
        }
    }
}

/// A long live show: a product pinned every 6 s for 10 to 40 s, plus one open-ended feed cue.
fn live_show(n: usize) -> ProductTimeline {
    let mut timeline = ProductTimeline::new();
    timeline.add_cue("always", 0.0, None, CueSource::Feed);
    for i in 0..n {
        let start = i as f64 * 6.0;
        let id = format!("p{}", i % 50);
        timeline.add_cue(
            &id,
            start,
            Some(start + 10.0 + (i % 4) as f64 * 10.0),
            CueSource::Stream,
        );
    }
    timeline
}

#[test]
fn thousands_of_cues() {
    let timeline = live_show(10_000);
    assert_eq!(timeline.cues().len(), 10_001);
    let mut frames = 0;
    let mut t = 0.0;
    while t < 60_000.0 {
        let active = timeline.active_at(t);
        assert_eq!(
            active.iter().filter(|c| c.product_id == "always").count(),
            1
        );
        // Cues last at most 40 s and start every 6 s: never more than 7 at once.
        assert!(
            active.len() >= 2 && active.len() <= 1 + 7,
            "{t}: {}",
            active.len()
        );
        frames += 1;
        t += 1.5;
    }
    assert_eq!(frames, 40_000);
    assert_eq!(timeline.moments("p7").len(), 200);
}

#[test]
fn cue_count_is_bounded() {
    let feed = Feed {
        timeline: (0..MAX_CUES + 10)
            .map(|i| TimelineEntry {
                product: "x".into(),
                start: i as f64,
                end: Some(i as f64 + 1.0),
            })
            .collect(),
        ..Feed::default()
    };
    let mut timeline = ProductTimeline::new();
    timeline.set_feed(&feed);
    assert_eq!(timeline.cues().len(), MAX_CUES);
    assert!(!timeline.add_cue("y", 1.0, Some(2.0), CueSource::Stream));
    assert!(!timeline.highlight("y", 1.0, None));
    assert_eq!(timeline.cues().len(), MAX_CUES);
    // Updating an existing cue is still possible.
    assert!(timeline.add_cue("x", 0.0, Some(5.0), CueSource::Feed));
    assert_eq!(timeline.active_at(4.5).len(), 2);
}

#[test]
#[ignore = "prints timing; run with --release --ignored --nocapture"]
fn time_active_at_on_a_long_show() {
    let timeline = live_show(20_000);
    let start = std::time::Instant::now();
    let mut found = 0;
    for i in 0..1_000_000u32 {
        found += timeline.active_at(f64::from(i) * 0.12).len();
    }
    let each = start.elapsed() / 1_000_000;
    println!("active_at over 20,001 cues: {each:?} per query ({found} hits)");
}

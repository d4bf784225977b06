//! The engine's playback path, driven by the simulated browser and network in `sim`.

mod sim;

use player_core::error::ErrorCode;
use player_core::hls::{Command, EngineConfig, EngineEvent, RenditionChoice};
use sim::{Sim, BASE};

#[test]
fn loads_the_ladder_and_buffers_ahead_then_stops() {
    let mut sim = Sim::new(30, 2.0, 10e6);
    sim.playing = false;
    sim.load_ladder();
    sim.run_for(5_000.0);
    let loaded = sim.events.iter().find_map(|e| match e {
        EngineEvent::Loaded {
            renditions,
            live,
            duration,
        } => Some((renditions.clone(), *live, *duration)),
        _ => None,
    });
    let (renditions, live, duration) = loaded.expect("a Loaded event");
    let bandwidths: Vec<u64> = renditions.iter().map(|r| r.bandwidth).collect();
    assert_eq!(
        bandwidths,
        vec![300_000, 600_000, 1_100_000],
        "sorted by bandwidth"
    );
    assert!(!live);
    assert_eq!(duration, Some(60.0));
    // Paused at 0 with a 30 s forward target: fifteen 2 s segments, not the whole 60 s.
    let ahead = sim.ranges().ahead_of(0.0);
    assert!((30.0..=32.0).contains(&ahead), "buffered {ahead}");
    assert!(sim.commands.iter().any(|c| matches!(c, Command::AddSourceBuffer { mime } if mime.starts_with("video/mp4; codecs=\"avc1."))));
    assert!(sim
        .commands
        .iter()
        .any(|c| matches!(c, Command::SetDuration(d) if *d == 60.0)));
}

#[test]
fn plays_to_the_end_without_stalling_and_ends_the_stream() {
    let mut sim = Sim::new(30, 2.0, 10e6);
    sim.load_ladder();
    sim.run_for(70_000.0);
    assert!(sim.position >= 59.9, "reached {}", sim.position);
    assert!(sim.ended, "EndOfStream was sent");
    assert_eq!(sim.qoe.stall_ms, 0.0);
}

#[test]
fn a_fixed_choice_replaces_the_forward_buffer_from_the_next_boundary() {
    let mut sim = Sim::new(30, 2.0, 10e6);
    sim.load_ladder();
    sim.run_for(3_000.0);
    let before = sim.fetched.len();
    let position = sim.position;
    sim.engine.set_rendition(RenditionChoice::Fixed(0), sim.now);
    sim.drain();
    let boundary = (position / 2.0).floor() * 2.0 + 2.0;
    let removed_from = sim.commands.iter().rev().find_map(|c| match c {
        Command::Remove { start, end } if end.is_infinite() => Some(*start),
        _ => None,
    });
    assert_eq!(
        removed_from,
        Some(boundary),
        "flushed from the end of the playing segment"
    );
    sim.run_for(3_000.0);
    let after: Vec<_> = sim.fetched[before..]
        .iter()
        .filter(|u| u.ends_with(".m4s"))
        .collect();
    assert!(!after.is_empty());
    assert!(after.iter().all(|u| u.contains("/144p/")), "{after:?}");
    let first = format!("144p-seg{:05}.m4s", (boundary / 2.0) as usize);
    assert!(
        after[0].ends_with(&first),
        "continues at the boundary: {}",
        after[0]
    );
}

#[test]
fn seeking_outside_the_buffer_loads_from_the_seek_target() {
    let mut sim = Sim::new(60, 2.0, 10e6);
    sim.load_ladder();
    sim.run_for(2_000.0);
    let before = sim.fetched.len();
    sim.seek(91.0);
    sim.run_for(500.0);
    let first = sim.fetched[before..]
        .iter()
        .find(|u| u.ends_with(".m4s"))
        .expect("a segment fetch");
    assert!(first.ends_with("seg00045.m4s"), "{first}");
    sim.run_for(3_000.0);
    assert!(
        sim.position > 92.0,
        "plays on from the target: {}",
        sim.position
    );
}

#[test]
fn a_missing_playlist_fails_after_bounded_retries_with_a_clear_error() {
    let mut sim = Sim::new(5, 2.0, 10e6);
    sim.load(&format!("{BASE}/nope.m3u8"));
    sim.run_for(30_000.0);
    let attempts = sim
        .fetched
        .iter()
        .filter(|u| u.ends_with("nope.m3u8"))
        .count();
    assert_eq!(
        attempts,
        EngineConfig::default().retry.max_attempts as usize
    );
    let error = sim.last_error().expect("an error event");
    assert_eq!(error.code, ErrorCode::ManifestLoad);
    assert!(error.fatal);
    assert!(error.message.contains("HTTP 404"), "{}", error.message);
    assert_eq!(error.url.as_deref(), Some(&*format!("{BASE}/nope.m3u8")));
    assert!(sim.engine.has_failed());
}

#[test]
fn a_segment_that_fails_once_is_retried_and_playback_continues() {
    let mut sim = Sim::new(10, 2.0, 10e6);
    let flaky = format!("{BASE}/240p/240p-seg00001.m4s");
    sim.failing.insert(flaky.clone(), 503);
    sim.load_ladder();
    sim.run_for(1_000.0);
    sim.failing.clear();
    sim.run_for(25_000.0);
    assert!(
        sim.fetched.iter().filter(|u| **u == flaky).count() >= 2,
        "retried"
    );
    assert!(sim.last_error().is_none());
    assert!(sim.position > 19.0, "{}", sim.position);
}

#[test]
fn a_web_page_instead_of_a_playlist_is_a_parse_error_naming_the_line() {
    let mut sim = Sim::new(5, 2.0, 10e6);
    let url = format!("{BASE}/page.m3u8");
    sim.serve_text(&url, "<!doctype html><p>hi</p>");
    sim.load(&url);
    sim.run_for(1_000.0);
    let error = sim.last_error().expect("an error event");
    assert_eq!(error.code, ErrorCode::ManifestParse);
    assert!(error.message.contains("line 1"), "{}", error.message);
}

#[test]
fn a_wedged_playhead_with_media_ahead_is_nudged_forward() {
    let mut sim = Sim::new(30, 2.0, 10e6);
    sim.load_ladder();
    sim.run_for(3_000.0);
    sim.wedge_at = Some(sim.position);
    let wedged_at = sim.position;
    sim.run_for(5_000.0);
    let nudged = sim
        .commands
        .iter()
        .any(|c| matches!(c, Command::Seek(t) if *t > wedged_at));
    assert!(nudged, "a nudge past the wedge was issued");
    assert!(
        sim.position > wedged_at + 2.0,
        "playback moved on: {}",
        sim.position
    );
    assert!(sim.qoe.stall_ms <= 1_500.0, "{:?}", sim.qoe);
}

#[test]
fn a_full_browser_buffer_shrinks_the_forward_buffer_instead_of_failing() {
    let mut sim = Sim::new(120, 2.0, 10e6);
    sim.quota_s = Some(20.0);
    sim.load_ladder();
    sim.run_for(180_000.0);
    assert!(sim.quota_errors > 0, "the quota was hit");
    assert!(sim.last_error().is_none(), "{:?}", sim.last_error());
    assert!(sim.position > 175.0, "{}", sim.position);
    assert_eq!(sim.qoe.stall_ms, 0.0, "{:?}", sim.qoe);
    assert!(sim.qoe.max_buffered_s <= 20.0 + 1e-9, "{:?}", sim.qoe);
}

#[test]
fn a_small_hole_at_a_discontinuity_is_jumped() {
    let mut sim = Sim::new(10, 2.0, 10e6);
    sim.trim_segment_end(4, 0.037);
    sim.load_ladder();
    sim.run_for(15_000.0);
    assert!(
        sim.position > 12.0,
        "played across the hole at 9.963 s: {}",
        sim.position
    );
    assert!(sim.qoe.stall_ms < 1_000.0, "{:?}", sim.qoe);
}

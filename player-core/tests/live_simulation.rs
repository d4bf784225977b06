//! Live shows against a simulated live server: joining, latency, DVR, stalls, the end of the
//! show, and product moments in the playlist. Target duration 2 s, window 6 segments.

mod sim;

use player_core::hls::metadata::MetadataPayload;
use player_core::hls::{Command, EngineEvent};
use sim::{LiveScript, Sim, BASE};

const TD: f64 = 2.0;

fn show(script: LiveScript) -> Sim {
    let mut sim = Sim::live(script, 5e6);
    // The show has been on for a minute when the viewer arrives.
    sim.now = 60_000.0;
    sim.load_ladder();
    sim
}

fn latency(sim: &Sim) -> f64 {
    sim.live_edge() - sim.position
}

fn playlist_fetches(sim: &Sim) -> usize {
    sim.fetched
        .iter()
        .filter(|u| u.contains("index.m3u8"))
        .count()
}

#[test]
fn joins_within_three_target_durations_of_the_edge() {
    let mut sim = show(LiveScript::new(6));
    sim.run_for(3_000.0);
    let joined_at = sim.commands.iter().find_map(|c| match c {
        Command::Seek(t) => Some(*t),
        _ => None,
    });
    let joined_at = joined_at.expect("a join seek");
    assert!(sim.engine.is_live());
    assert!(sim.qoe.startup_ms.is_some(), "{:?}", sim.qoe);
    let edge_then = 12.0; // a 6-segment window on the engine's timeline
    assert!(
        edge_then - joined_at <= 3.0 * TD + 1e-9,
        "joined {joined_at}"
    );
    assert!(latency(&sim) <= 3.0 * TD + TD, "latency {}", latency(&sim));
}

#[test]
fn latency_stays_within_bounds_over_a_minute_and_reloads_follow_the_target_duration() {
    let mut sim = show(LiveScript::new(6));
    sim.run_for(5_000.0);
    let reloads_before = playlist_fetches(&sim);
    let mut worst: f64 = 0.0;
    for _ in 0..60 {
        sim.run_for(1_000.0);
        worst = worst.max(latency(&sim));
    }
    // The edge moves in 2 s steps: latency swings between the 6 s target and one segment more.
    assert!(worst <= 3.0 * TD + TD + 0.5, "worst latency {worst}");
    assert_eq!(sim.qoe.stall_ms, 0.0, "{:?}", sim.qoe);
    let reloads = playlist_fetches(&sim) - reloads_before;
    assert!(
        (25..=40).contains(&reloads),
        "{reloads} reloads in 60 s with a 2 s target duration"
    );
}

#[test]
fn a_viewer_far_behind_catches_up_to_the_target_latency() {
    let mut sim = show(LiveScript::new(30));
    sim.run_for(3_000.0);
    sim.playing = false;
    sim.run_for(20_000.0); // a 20 s pause: now far behind
    sim.playing = true;
    // A jump, then the wait for the segment there while the edge moves on.
    sim.run_for(3_000.0);
    assert!(
        latency(&sim) <= 3.0 * TD + TD + 1.5,
        "latency {} after resuming",
        latency(&sim)
    );
    // Then the gentle catch-up closes the rest.
    sim.run_for(40_000.0);
    assert!(
        latency(&sim) <= 3.0 * TD + TD + 0.5,
        "latency {} after catching up",
        latency(&sim)
    );
}

#[test]
fn a_moderately_late_viewer_is_sped_up_gently_not_jumped() {
    let mut sim = show(LiveScript::new(30));
    sim.run_for(3_000.0);
    sim.playing = false;
    sim.run_for(3_000.0);
    sim.playing = true;
    sim.run_for(500.0);
    let rates: Vec<f64> = sim
        .commands
        .iter()
        .filter_map(|c| match c {
            Command::SetPlaybackRate(r) => Some(*r),
            _ => None,
        })
        .collect();
    assert!(
        rates.iter().any(|r| *r > 1.0 && *r <= 1.08),
        "rates {rates:?}"
    );
    sim.run_for(60_000.0);
    assert!(
        latency(&sim) <= 3.0 * TD + TD + 0.5,
        "caught up: latency {}",
        latency(&sim)
    );
    assert_eq!(sim.rate, 1.0, "back to normal speed once on target");
}

#[test]
fn a_viewer_watching_the_dvr_window_is_left_there_until_they_go_live() {
    let mut sim = show(LiveScript::new(30));
    sim.run_for(5_000.0);
    let behind = sim.position - 30.0;
    sim.seek(behind);
    sim.run_for(10_000.0);
    assert!(
        latency(&sim) > 30.0,
        "stayed in the DVR window: latency {}",
        latency(&sim)
    );
    assert_eq!(sim.rate, 1.0);
    sim.engine.go_live(sim.now);
    sim.drain();
    sim.run_for(3_000.0);
    assert!(
        latency(&sim) <= 3.0 * TD + TD + 1.5,
        "back at the edge: latency {}",
        latency(&sim)
    );
    sim.run_for(40_000.0);
    assert!(
        latency(&sim) <= 3.0 * TD + TD + 0.5,
        "and following it: latency {}",
        latency(&sim)
    );
}

#[test]
fn a_frozen_playlist_reports_reconnecting_and_recovers() {
    let mut script = LiveScript::new(6);
    script.frozen_at = Some(70_000.0);
    let mut sim = show(script);
    sim.run_for(20_000.0);
    let reconnecting = |sim: &Sim, state: bool| {
        sim.events
            .iter()
            .any(|e| matches!(e, EngineEvent::Reconnecting(s) if *s == state))
    };
    assert!(reconnecting(&sim, true), "reconnecting was reported");
    assert!(!reconnecting(&sim, false));
    sim.live.as_mut().unwrap().frozen_at = None;
    let position = sim.position;
    sim.run_for(15_000.0);
    assert!(reconnecting(&sim, false), "recovery was reported");
    assert!(
        sim.position > position + 5.0,
        "playback resumed: {} → {}",
        position,
        sim.position
    );
    assert!(sim.last_error().is_none());
}

#[test]
fn the_end_of_the_show_turns_it_into_a_replay() {
    let mut script = LiveScript::new(6);
    script.ended_at = Some(80_000.0);
    let mut sim = show(script);
    sim.run_for(30_000.0);
    let ended = sim.events.iter().find_map(|e| match e {
        EngineEvent::LiveEnded { duration } => Some(*duration),
        _ => None,
    });
    let duration = ended.expect("LiveEnded");
    assert!(!sim.engine.is_live());
    assert!(sim
        .commands
        .iter()
        .any(|c| matches!(c, Command::SetDuration(d) if *d == duration)));
    let fetches = playlist_fetches(&sim);
    sim.run_for(20_000.0);
    assert_eq!(
        playlist_fetches(&sim),
        fetches,
        "no more reloads after the end"
    );
    assert!(sim.ended, "EndOfStream once everything is buffered");
}

#[test]
fn product_moments_in_the_playlist_are_reported_once_on_the_media_timeline() {
    let mut script = LiveScript::new(6);
    script.moments = vec![("tee-1", 70.0, 8.0, "tee")];
    let mut sim = show(script);
    sim.run_for(30_000.0);
    let cues: Vec<_> = sim
        .events
        .iter()
        .filter_map(|e| match e {
            EngineEvent::Metadata(cues) => Some(cues.clone()),
            _ => None,
        })
        .flatten()
        .collect();
    assert_eq!(cues.len(), 1, "reported once across reloads: {cues:?}");
    // The viewer joined at show second 60 - 12 = 48 (window start), which is engine time 0.
    assert_eq!(cues[0].start, 70.0 - 48.0);
    assert_eq!(cues[0].end, Some(70.0 - 48.0 + 8.0));
    let MetadataPayload::DateRange { class, attributes } = &cues[0].payload else {
        panic!("not a date range");
    };
    assert_eq!(class.as_deref(), Some("com.shoppable.product"));
    assert_eq!(attributes[0].value.as_str(), Some("tee"));
}

#[test]
fn low_latency_servers_get_blocking_reload_and_delta_requests() {
    let mut script = LiveScript::new(6);
    script.header = "#EXT-X-SERVER-CONTROL:CAN-BLOCK-RELOAD=YES,CAN-SKIP-UNTIL=12\n".into();
    let mut sim = show(script);
    sim.run_for(10_000.0);
    let reload = sim
        .fetched
        .iter()
        .rev()
        .find(|u| u.contains("index.m3u8"))
        .expect("reloads");
    assert!(reload.starts_with(&format!("{BASE}/")), "{reload}");
    assert!(reload.contains("_HLS_msn="), "{reload}");
    assert!(reload.contains("_HLS_skip=YES"), "{reload}");
    assert_eq!(sim.qoe.stall_ms, 0.0);
}

/// Latency against the true edge of a part-producing show: the last completed part.
fn latency_to_parts(sim: &Sim) -> f64 {
    let part = sim.live.as_ref().and_then(|s| s.part_s).unwrap_or(0.5);
    let produced_parts = (sim.now / 1000.0 / part).floor() * part;
    let produced_segments = (sim.now / 1000.0 / TD).floor() * TD;
    // `live_edge` counts whole segments on the engine's timeline; add the parts since.
    sim.live_edge() + (produced_parts - produced_segments) - sim.position
}

#[test]
fn low_latency_parts_hold_the_playhead_near_part_hold_back() {
    let mut script = LiveScript::new(6);
    script.part_s = Some(0.5);
    let mut sim = show(script);
    sim.run_for(5_000.0);
    let mut worst: f64 = 0.0;
    for _ in 0..30 {
        sim.run_for(1_000.0);
        worst = worst.max(latency_to_parts(&sim));
    }
    // PART-HOLD-BACK is 1.5 s; parts appear every 0.5 s; a little for reload timing.
    assert!(worst <= 1.5 + 0.5 + 0.75, "worst latency {worst}");
    assert_eq!(sim.qoe.stall_ms, 0.0, "{:?}", sim.qoe);
    let parts = sim.fetched.iter().filter(|u| u.contains(".part")).count();
    assert!(parts > 40, "{parts} parts loaded in 35 s");
    // A segment loaded part by part is not loaded again whole.
    for url in sim.fetched.iter().filter(|u| u.ends_with(".part0.m4s")) {
        let whole = url.replace(".part0", "");
        assert!(
            !sim.fetched.contains(&whole),
            "{whole} loaded again after its parts"
        );
    }
}

#[test]
fn without_low_latency_a_part_server_is_played_by_whole_segments() {
    let mut script = LiveScript::new(6);
    script.part_s = Some(0.5);
    let mut sim = Sim::live(script, 5e6);
    let mut config = player_core::hls::EngineConfig::default();
    config.live.low_latency = false;
    sim.engine = player_core::hls::Engine::new(config);
    sim.now = 60_000.0;
    sim.load_ladder();
    sim.run_for(20_000.0);
    assert_eq!(
        sim.fetched.iter().filter(|u| u.contains(".part")).count(),
        0
    );
    assert!(
        latency(&sim) <= 3.0 * TD + TD + 0.5,
        "HOLD-BACK latency {}",
        latency(&sim)
    );
    assert_eq!(sim.qoe.stall_ms, 0.0);
}

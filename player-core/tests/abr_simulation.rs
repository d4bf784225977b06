//! Adaptive bitrate under scripted networks: the quality-of-experience figures a viewer would
//! feel (stalls, bitrate, switches), asserted, not just "it didn't crash".
//!
//! Ladder: 300 kbit/s (144p), 600 kbit/s (240p), 1.1 Mbit/s (360p); 2 s segments.

mod sim;

use sim::Sim;

const MINUTE: f64 = 60_000.0;

#[test]
fn a_link_faster_than_the_top_rendition_never_stalls_and_plays_the_top() {
    let mut sim = Sim::new(300, 2.0, 5e6);
    sim.load_ladder();
    sim.run_for(5.0 * MINUTE);
    let q = &sim.qoe;
    assert_eq!(q.stall_ms, 0.0, "{q:?}");
    assert!(q.startup_ms.is_some_and(|t| t < 1_500.0), "{q:?}");
    assert!(q.mean_bitrate > 1_000_000.0, "mean bitrate {q:?}");
    assert!(q.switches <= 2, "{q:?}");
}

#[test]
fn a_drop_below_the_current_rendition_switches_down_within_two_segments() {
    let mut sim = Sim::new(300, 2.0, 5e6);
    sim.load_ladder();
    sim.run_for(MINUTE);
    assert_eq!(sim.engine.current_rendition(), Some(2));
    // The link falls to 800 kbit/s: below 360p's 1.1 Mbit/s, enough for 240p.
    let drop_at = sim.now;
    sim.set_bandwidth_from(drop_at, 800_000.0);
    let fetched_before = sim.fetched.len();
    // Play until the forward buffer matters again and the engine has fetched two segments.
    let mut segments_after_drop = 0;
    while segments_after_drop < 3 && sim.now < drop_at + 5.0 * MINUTE {
        sim.run_for(500.0);
        segments_after_drop = sim.fetched[fetched_before..]
            .iter()
            .filter(|u| u.ends_with(".m4s"))
            .count();
    }
    let third = sim.fetched[fetched_before..]
        .iter()
        .filter(|u| u.ends_with(".m4s"))
        .nth(2)
        .cloned();
    assert!(
        third.as_deref().is_some_and(|u| !u.contains("/360p/")),
        "by the third segment after the drop the engine has left 360p: {:?}",
        &sim.fetched[fetched_before..]
    );
    sim.run_for(3.0 * MINUTE);
    assert!(sim.qoe.stall_ms < 2_000.0, "{:?}", sim.qoe);
}

#[test]
fn a_steady_link_between_two_renditions_does_not_oscillate() {
    // 1.5 Mbit/s: 360p needs 1.375 to stay and 1.57 to be switched up to.
    let mut sim = Sim::new(600, 2.0, 1.5e6);
    sim.load_ladder();
    sim.run_for(10.0 * MINUTE);
    let q = &sim.qoe;
    assert!(q.switches <= 2, "{q:?}");
    assert_eq!(q.stall_ms, 0.0, "{q:?}");
}

#[test]
fn a_collapse_with_an_empty_buffer_abandons_the_download_for_a_lower_rendition() {
    let mut sim = Sim::new(300, 2.0, 5e6);
    sim.load_ladder();
    sim.run_for(40_000.0);
    assert_eq!(sim.engine.current_rendition(), Some(2));
    // The viewer seeks to where nothing is buffered just as the link falls to 200 kbit/s:
    // a 360p segment (275 kB) would take 11 s, the lowest rendition's (75 kB) 3 s.
    sim.set_bandwidth_from(sim.now, 200_000.0);
    sim.seek(200.0);
    // The link is below even the lowest rendition, so later rebuffering is unavoidable; what
    // the emergency switch buys is the wait until playback resumes after the seek.
    let seeked_at = sim.now;
    while sim.position < 200.05 && sim.now < seeked_at + 20_000.0 {
        sim.run_for(50.0);
    }
    let waited = sim.now - seeked_at;
    let aborted = sim
        .commands
        .iter()
        .any(|c| matches!(c, player_core::hls::Command::Abort(_)));
    assert!(aborted, "the too-slow download was abandoned");
    assert_eq!(sim.engine.current_rendition(), Some(0));
    assert!(
        waited < 6_500.0,
        "resumed after {waited} ms; the 360p segment alone takes 11 s"
    );
}

#[test]
fn memory_stays_bounded_over_a_two_hour_session() {
    let mut sim = Sim::new(3_600, 2.0, 5e6);
    sim.step_ms = 100.0;
    sim.load_ladder();
    sim.run_for(120.0 * MINUTE);
    assert!(sim.position > 7_150.0, "played through: {}", sim.position);
    // Forward 30 s + back 30 s, plus a segment of slack either side.
    assert!(sim.qoe.max_buffered_s <= 64.0, "{:?}", sim.qoe);
    assert!(
        sim.commands.len() < 20 * 3_600,
        "commands grow with segments, not quadratically"
    );
}

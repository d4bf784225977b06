//! The engine under network faults, in the simulated browser and network of `sim`: missing
//! media fails over to another copy, hung requests are cut off by their deadline and retried,
//! an outage is ridden out, and only media missing everywhere is fatal.

mod sim;

use player_core::error::{ErrorCode, PlayerError};
use player_core::hls::{Command, EngineConfig, EngineEvent, RequestId};
use sim::{LiveScript, Sim, BASE, LADDER};

fn segment_url(rung: &str, i: u64) -> String {
    format!("{BASE}/{rung}/{rung}-seg{i:05}.m4s")
}

fn errors(sim: &Sim) -> Vec<PlayerError> {
    sim.events
        .iter()
        .filter_map(|e| match e {
            EngineEvent::Error(error) => Some(error.clone()),
            _ => None,
        })
        .collect()
}

fn fatal_errors(sim: &Sim) -> Vec<PlayerError> {
    errors(sim).into_iter().filter(|e| e.fatal).collect()
}

fn fetches_of(sim: &Sim, url: &str) -> usize {
    sim.fetched.iter().filter(|u| *u == url).count()
}

/// The ids of the requests the engine aborted.
fn aborted(sim: &Sim) -> Vec<RequestId> {
    sim.commands
        .iter()
        .filter_map(|c| match c {
            Command::Abort(id) => Some(*id),
            _ => None,
        })
        .collect()
}

#[test]
fn a_segment_missing_from_the_playing_rendition_is_loaded_from_another_and_play_goes_on() {
    let mut sim = Sim::new(40, 2.0, 10e6);
    // Missing from the two upper renditions: whichever plays, it has to move.
    for rung in ["360p", "240p"] {
        sim.failing.insert(segment_url(rung, 5), 404);
    }
    sim.load_ladder();
    sim.run_for(90_000.0);

    assert!(fatal_errors(&sim).is_empty(), "{:?}", fatal_errors(&sim));
    assert!(sim.ended_playing(), "played to the end: {}", sim.position);
    assert_eq!(
        sim.qoe.stall_ms, 0.0,
        "the forward buffer covered the failover"
    );
    assert_eq!(fetches_of(&sim, &segment_url("144p", 5)), 1);
    // A rendition that says "not found" twice is left at once, not after the whole budget.
    for rung in ["360p", "240p"] {
        assert!(fetches_of(&sim, &segment_url(rung, 5)) <= 2, "{rung}");
    }
    let reported = errors(&sim);
    assert!(
        reported
            .iter()
            .any(|e| !e.fatal && e.code == ErrorCode::SegmentLoad),
        "the failover is reported as a non-fatal error: {reported:?}"
    );
    // The penalty ends: quality climbs back to the top for the last segments.
    assert_eq!(fetches_of(&sim, &segment_url("360p", 39)), 1);
}

#[test]
fn media_missing_from_every_rendition_is_fatal_once_after_the_whole_budget() {
    let mut sim = Sim::new(20, 2.0, 10e6);
    for rung in LADDER {
        sim.failing.insert(segment_url(rung.name, 5), 404);
    }
    sim.load_ladder();
    sim.run_for(60_000.0);

    let fatal = fatal_errors(&sim);
    assert_eq!(fatal.len(), 1, "{fatal:?}");
    assert_eq!(fatal[0].code, ErrorCode::SegmentLoad);
    assert!(
        fatal[0].message.contains("HTTP 404"),
        "{}",
        fatal[0].message
    );
    assert!(
        fatal[0].message.contains("3 sources"),
        "{}",
        fatal[0].message
    );
    assert!(sim.engine.has_failed());
    // Two attempts on each of the first two renditions, the full four on the last one.
    let attempts: usize = LADDER
        .iter()
        .map(|r| fetches_of(&sim, &segment_url(r.name, 5)))
        .sum();
    let budget = EngineConfig::default().retry.max_attempts as usize;
    assert_eq!(attempts, 2 + 2 + budget);
    // What was buffered before the hole still played.
    assert!((9.0..=10.5).contains(&sim.position), "{}", sim.position);
}

#[test]
fn a_redundant_copy_of_the_rendition_is_preferred_to_a_lower_rendition() {
    let mut sim = Sim::new(20, 2.0, 10e6);
    // Every rendition listed twice: the copy on another server under `backup/`.
    let mut master = String::from("#EXTM3U\n");
    for rung in LADDER {
        for prefix in ["", "backup/"] {
            master.push_str(&format!(
                "#EXT-X-STREAM-INF:BANDWIDTH={},RESOLUTION={}x{},CODECS=\"avc1.4d401e,mp4a.40.2\"\n{prefix}{}/index.m3u8\n",
                rung.bandwidth,
                rung.height * 16 / 9,
                rung.height,
                rung.name
            ));
        }
    }
    sim.serve_text(&format!("{BASE}/master.m3u8"), &master);
    for rung in LADDER {
        sim.mirror(
            &format!("{BASE}/{}/", rung.name),
            &format!("{BASE}/backup/{}/", rung.name),
        );
        sim.failing.insert(segment_url(rung.name, 5), 404);
    }
    sim.load_ladder();
    sim.run_for(60_000.0);

    let menu = sim.engine.renditions().count();
    assert_eq!(menu, 3, "redundant copies are one rendition each");
    assert!(fatal_errors(&sim).is_empty(), "{:?}", fatal_errors(&sim));
    assert!(sim.ended_playing());
    let from_backup: Vec<&String> = sim
        .fetched
        .iter()
        .filter(|u| u.contains("/backup/") && u.ends_with("-seg00005.m4s"))
        .collect();
    assert_eq!(from_backup.len(), 1, "{from_backup:?}");
    // The same rendition from the backup: no other rendition was asked for segment 5.
    let rung = from_backup[0].split('/').rev().nth(1).unwrap_or_default();
    let others = LADDER
        .iter()
        .filter(|r| r.name != rung)
        .map(|r| fetches_of(&sim, &segment_url(r.name, 5)))
        .sum::<usize>();
    assert_eq!(others, 0);
}

#[test]
fn a_hung_segment_is_aborted_at_its_deadline_and_retried() {
    let mut sim = Sim::new(20, 2.0, 10e6);
    for rung in LADDER {
        sim.hangs.insert(segment_url(rung.name, 3), 1);
    }
    sim.load_ladder();
    sim.run_for(60_000.0);

    let tries: Vec<&sim::Exchange> = sim
        .exchanges
        .iter()
        .filter(|e| e.url.ends_with("-seg00003.m4s"))
        .collect();
    let (last, hung) = tries.split_last().expect("segment 3 requested");
    assert!(last.done_ms.is_some(), "the last try completed");
    assert!(!hung.is_empty(), "tries before it hung");
    let aborts = aborted(&sim);
    for (try_, next) in hung.iter().zip(&tries[1..]) {
        assert!(try_.done_ms.is_none(), "{} never completed", try_.url);
        assert!(aborts.contains(&try_.id), "{} was aborted", try_.url);
        let waited = next.sent_ms - try_.sent_ms;
        assert!(waited <= 7_000.0, "{} retried after {waited} ms", try_.url);
    }
    // ABR's emergency abandon only covers renditions with a lower one to go to; on the lowest
    // the deadline of a 2 s segment on a fast link (three segment durations, 6 s) cuts it
    // off, and the retry follows after the first backoff delay (0.25–0.5 s).
    let lowest = hung
        .iter()
        .position(|e| e.url.contains("/144p/"))
        .expect("the lowest rendition hung too");
    let waited = tries[lowest + 1].sent_ms - hung[lowest].sent_ms;
    assert!(
        (6_000.0..=7_000.0).contains(&waited),
        "retried after {waited} ms"
    );
    assert!(fatal_errors(&sim).is_empty(), "{:?}", fatal_errors(&sim));
    assert!(sim.ended_playing());
    // About 6 s were buffered when the first try hung; the tries together took about 9.5 s
    // (an abandon after ~3 s, then the 6 s deadline): the deadlines bound the stall.
    assert!(
        sim.qoe.stall_ms <= 5_000.0,
        "stalled {} ms",
        sim.qoe.stall_ms
    );
    assert_eq!(sim.qoe.stalls, 1);
}

#[test]
fn a_hung_playlist_is_aborted_and_retried() {
    let mut sim = Sim::new(10, 2.0, 10e6);
    sim.hangs.insert(format!("{BASE}/master.m3u8"), 1);
    sim.load_ladder();
    sim.run_for(30_000.0);
    assert_eq!(fetches_of(&sim, &format!("{BASE}/master.m3u8")), 2);
    let started = sim.qoe.startup_ms.expect("playback started");
    assert!(
        (10_000.0..=12_000.0).contains(&started),
        "started at {started} ms"
    );
    assert!(errors(&sim).is_empty(), "{:?}", errors(&sim));
}

#[test]
fn a_playlist_answering_503_twice_is_retried_with_backoff_and_plays() {
    let mut sim = Sim::new(10, 2.0, 10e6);
    let master = format!("{BASE}/master.m3u8");
    sim.failing.insert(master.clone(), 503);
    sim.load_ladder();
    // Two failures: the first retry waits 250–500 ms, the second 500–1000 ms.
    sim.run_for(700.0);
    assert!(fetches_of(&sim, &master) >= 2);
    sim.run_for(100.0);
    sim.failing.clear();
    sim.run_for(20_000.0);
    assert!(
        fetches_of(&sim, &master) <= 3,
        "bounded: {}",
        fetches_of(&sim, &master)
    );
    assert!(errors(&sim).is_empty(), "{:?}", errors(&sim));
    assert!(sim.position > 15.0, "{}", sim.position);
}

#[test]
fn a_short_outage_is_ridden_out_and_playback_resumes_on_its_own() {
    let config = EngineConfig {
        forward_buffer_s: 6.0,
        ..EngineConfig::default()
    };
    let mut sim = Sim::with_config(30, 2.0, 10e6, config);
    sim.load_ladder();
    sim.run_for(10_000.0);
    let before = sim.fetched.len();
    sim.offline = true;
    sim.run_for(4_000.0);
    let failed_during = sim.fetched.len() - before;
    sim.offline = false;
    sim.run_for(60_000.0);

    assert!(
        failed_during >= 2,
        "retried during the outage: {failed_during}"
    );
    assert!(fatal_errors(&sim).is_empty(), "{:?}", fatal_errors(&sim));
    assert!(
        sim.ended_playing(),
        "resumed without the viewer: {}",
        sim.position
    );
    // At most the outage itself, plus a retry delay, is lost to stalling.
    assert!(
        sim.qoe.stall_ms <= 4_000.0,
        "stalled {} ms",
        sim.qoe.stall_ms
    );
}

#[test]
fn a_long_outage_of_an_on_demand_video_ends_in_one_clear_fatal_error() {
    let mut sim = Sim::new(30, 2.0, 10e6);
    sim.load_ladder();
    sim.run_for(2_000.0);
    sim.offline = true;
    sim.run_for(60_000.0);
    let fatal = fatal_errors(&sim);
    assert_eq!(fatal.len(), 1, "{fatal:?}");
    assert!(fatal[0].message.contains("offline"), "{}", fatal[0].message);
    // Bounded: nothing more is asked once it gave up.
    let asked = sim.fetched.len();
    sim.run_for(30_000.0);
    assert_eq!(sim.fetched.len(), asked);
}

#[test]
fn a_live_show_rides_out_an_outage_of_any_length_and_catches_up() {
    let mut sim = Sim::live(LiveScript::new(6), 10e6);
    sim.load(&format!("{BASE}/master.m3u8"));
    sim.run_for(20_000.0);
    let before = sim.position;
    assert!(before > 5.0, "playing before the outage: {before}");
    sim.offline = true;
    sim.run_for(40_000.0);
    sim.offline = false;
    let back = sim.position;
    sim.run_for(30_000.0);
    assert!(fatal_errors(&sim).is_empty(), "{:?}", fatal_errors(&sim));
    assert!(
        sim.position > back + 15.0,
        "plays again: {back} -> {}",
        sim.position
    );
}

//! Video engagement milestones (playback, not seeks), live watch time, stalls and the video
//! event payloads.

use player_core::analytics::context::{Attribution, EventContext, VideoContext};
use player_core::analytics::video::{
    video_error, video_event, video_quality_change, video_stall, Quality, StallTracker,
    VideoMilestone, VideoProgress, MIN_STALL_MS,
};
use player_core::commerce::json::{parse, JsonValue};
use proptest::prelude::*;
use VideoMilestone::{Complete, Progress, Start, WatchTime};

const MINUTE: Option<u64> = Some(60_000);

/// Plays from `from_ms` to `to_ms` (media time) in 250 ms timeupdates at rate 1, starting at
/// wall time `now`; returns every milestone and the wall time at the end.
fn play(p: &mut VideoProgress, from_ms: u64, to_ms: u64, now: u64) -> (Vec<VideoMilestone>, u64) {
    let mut out = Vec::new();
    let (mut pos, mut t) = (from_ms, now);
    out.extend(p.update(pos, MINUTE, false, t, true));
    while pos < to_ms {
        pos = (pos + 250).min(to_ms);
        t += 250;
        out.extend(p.update(pos, MINUTE, false, t, true));
    }
    (out, t)
}

#[test]
fn playback_fires_each_threshold_once_in_order() {
    let mut p = VideoProgress::new();
    assert!(
        p.update(0, MINUTE, false, 0, false).is_empty(),
        "paused: no start"
    );
    let (events, t) = play(&mut p, 0, 60_000, 1_000);
    assert_eq!(
        events,
        [
            Start,
            Progress(10),
            Progress(25),
            Progress(50),
            Progress(75),
            Complete
        ]
    );
    assert_eq!(p.watched_ms(), 60_000);
    // Replaying the same view (seek back, play again) reports nothing more.
    let (again, t) = play(&mut p, 0, 60_000, t + 5_000);
    assert!(again.is_empty(), "{again:?}");
    assert!(p.ended(MINUTE, false, t).is_empty());
}

#[test]
fn a_seek_ahead_fires_nothing_and_playing_on_fires_what_playback_reaches() {
    let mut p = VideoProgress::new();
    let (events, t) = play(&mut p, 0, 3_000, 0);
    assert_eq!(events, [Start]);
    // Seek to 40 %: 10 and 25 % were skipped, not watched.
    assert!(p.update(24_000, MINUTE, false, t + 250, true).is_empty());
    let (events, _) = play(&mut p, 24_000, 46_000, t + 250);
    assert_eq!(events, [Progress(50), Progress(75)]);
    assert_eq!(p.watched_ms(), 3_000 + 22_000);
}

#[test]
fn a_seek_while_paused_is_not_playback_however_long_the_pause() {
    let mut p = VideoProgress::new();
    let (_, t) = play(&mut p, 0, 2_000, 0);
    assert!(p.update(2_000, MINUTE, false, t, false).is_empty()); // pause
                                                                  // Ten minutes later, a seek to 80 % while paused, then play.
    assert!(p
        .update(48_000, MINUTE, false, t + 600_000, false)
        .is_empty());
    assert!(p
        .update(48_000, MINUTE, false, t + 600_100, true)
        .is_empty());
    assert!(p
        .update(48_250, MINUTE, false, t + 600_350, true)
        .is_empty());
    // Resuming without a paused sample in between is also a jump beyond the slack.
    let mut q = VideoProgress::new();
    q.update(2_000, MINUTE, false, 0, true);
    q.update(2_000, MINUTE, false, 100, false);
    assert!(q.update(50_000, MINUTE, false, 900_000, true).is_empty());
}

#[test]
fn double_speed_playback_counts_as_playback() {
    let mut p = VideoProgress::new();
    let mut events = p.update(0, MINUTE, false, 0, true);
    let mut pos = 0;
    for t in (250..=15_000).step_by(250) {
        pos += 500;
        events.extend(p.update(pos, MINUTE, false, t, true));
    }
    // 15 s of wall time at 2x is 30 s of media: half the video.
    assert_eq!(events, [Start, Progress(10), Progress(25), Progress(50)]);
}

#[test]
fn ended_completes_only_after_playback() {
    // The last sample was just below 95 %; the next thing heard is `ended`, 3 s later.
    let mut p = VideoProgress::new();
    let (events, t) = play(&mut p, 0, 56_900, 0);
    assert!(!events.contains(&Complete));
    assert_eq!(p.ended(MINUTE, false, t + 3_000), [Complete]);
    assert!(
        p.ended(MINUTE, false, t + 3_500).is_empty(),
        "once per view"
    );
    // Seeking to the last second and ending there is not completing.
    let mut q = VideoProgress::new();
    let (_, t) = play(&mut q, 0, 1_000, 0);
    assert!(q.update(59_500, MINUTE, false, t + 250, true).is_empty());
    assert!(q.ended(MINUTE, false, t + 2_000).is_empty());
}

#[test]
fn unknown_duration_reports_start_but_no_percent() {
    let mut p = VideoProgress::new();
    assert_eq!(p.update(0, None, false, 0, true), [Start]);
    for t in 1..100 {
        assert!(p.update(t * 250, None, false, t * 250, true).is_empty());
    }
    // Once known, thresholds already behind playback stay unreported; the next one fires.
    assert!(p.update(25_000, MINUTE, false, 25_000, true).is_empty());
    assert_eq!(
        p.update(30_000, MINUTE, false, 30_000, true),
        [Progress(50)]
    );
}

#[test]
fn live_reports_watch_time_milestones() {
    let mut p = VideoProgress::new();
    let mut events = Vec::new();
    let (mut pos, mut t) = (3_600_000u64, 0u64);
    events.extend(p.update(pos, None, true, t, true));
    // 58 minutes of playback, one sample a second, with a jump to the live edge at 30 min.
    for s in 1..=3_500u64 {
        t += 1_000;
        pos += if s == 1_800 { 45_000 } else { 1_000 };
        events.extend(p.update(pos, None, true, t, true));
    }
    assert_eq!(
        events,
        [
            Start,
            WatchTime(60),
            WatchTime(300),
            WatchTime(600),
            WatchTime(1200),
            WatchTime(1800)
        ]
    );
    assert_eq!(p.watched_ms(), 3_499_000);
    // Past an hour: every 30 minutes.
    let mut more = Vec::new();
    for _ in 0..3_600 {
        t += 1_000;
        pos += 1_000;
        more.extend(p.update(pos, None, true, t, true));
    }
    assert_eq!(more, [WatchTime(3600), WatchTime(5400)]);
    assert_eq!(p.ended(None, true, t), [Complete]);
    assert!(p.ended(None, true, t).is_empty());
    // A live duration never yields percents, even if one is passed.
    let mut q = VideoProgress::new();
    let mut events = Vec::new();
    for s in 0..=120u64 {
        events.extend(q.update(s * 1000, MINUTE, true, s * 1000, true));
    }
    assert_eq!(events, [Start, WatchTime(60)]);
}

fn ctx() -> EventContext {
    let mut video = VideoContext::new("spring-show", "Spring drop", "/show.m3u8");
    video.current_time_ms = 15_250;
    video.duration_ms = Some(60_000);
    EventContext::new(video, Attribution::from_url("/", &[], 1))
}

const CONTEXT: &str = r#""video_id":"spring-show","video_title":"Spring drop","video_url":"/show.m3u8","video_provider":"shoppable-player","video_current_time":15.25,"video_duration":60,"video_live":false,"video_session_id":"0000000000000001""#;

#[test]
fn video_event_payloads() {
    let c = ctx();
    let e = video_event(&c, Progress(25));
    assert_eq!(
        e.json,
        format!(r#"{{"event":"video_progress","video_percent":25,"visible":true,{CONTEXT}}}"#)
    );
    assert!(!e.ecommerce);
    assert_eq!(e.pushes(), [e.json.as_str()]);
    let start = video_event(&c, Start);
    assert_eq!(
        start.json,
        format!(r#"{{"event":"video_start","video_percent":25,"visible":true,{CONTEXT}}}"#)
    );
    // The engine is reported once per view, with `video_start`.
    let mut on_iphone = ctx();
    on_iphone.video.engine = "managed-mse";
    let start = video_event(&on_iphone, Start);
    assert_eq!(
        start.json,
        format!(
            r#"{{"event":"video_start","video_percent":25,"visible":true,"video_engine":"managed-mse",{CONTEXT}}}"#
        )
    );
    let progress = video_event(&on_iphone, Progress(50));
    assert!(!progress.json.contains("video_engine"), "{}", progress.json);
    let mut hidden = ctx();
    hidden.video.visible = false;
    let done = video_event(&hidden, Complete);
    assert_eq!(done.name, "video_complete");
    assert!(done
        .json
        .starts_with(r#"{"event":"video_complete","video_percent":100,"visible":false,"#));

    let mut live = ctx();
    live.video.live = true;
    live.video.current_time_ms = 7_384_001;
    let e = video_event(&live, WatchTime(300));
    assert_eq!(
        e.json,
        r#"{"event":"video_progress","video_watch_time":300,"visible":true,"video_id":"spring-show","video_title":"Spring drop","video_url":"/show.m3u8","video_provider":"shoppable-player","video_current_time":7384.001,"video_duration":0,"video_live":true,"video_session_id":"0000000000000001"}"#
    );
    let v = parse(&e.json).unwrap();
    assert!(v.get("video_percent").is_none());
    assert_eq!(
        v.get("video_current_time").and_then(JsonValue::as_f64),
        Some(7384.001)
    );
}

#[test]
fn stalls_are_timed_on_recovery_and_seeks_are_not_stalls() {
    let mut s = StallTracker::new();
    assert_eq!(s.update(false, false, 0), None);
    assert_eq!(s.update(true, false, 1_000), None);
    assert_eq!(s.update(true, false, 2_000), None);
    assert_eq!(s.update(false, false, 3_500), Some(2_500));
    // Waiting during a seek is not a stall.
    assert_eq!(s.update(true, true, 4_000), None);
    assert_eq!(s.update(false, false, 9_000), None);
    // Too short to report.
    s.update(true, false, 10_000);
    assert_eq!(s.update(false, false, 10_000 + MIN_STALL_MS - 1), None);
    s.update(true, false, 20_000);
    assert_eq!(
        s.update(false, false, 20_000 + MIN_STALL_MS),
        Some(MIN_STALL_MS)
    );
    // A seek ends a stall (the viewer moved on): reported with the time waited.
    s.update(true, false, 30_000);
    assert_eq!(s.update(true, true, 31_000), Some(1_000));

    let e = video_stall(&ctx(), 2_500);
    assert_eq!(
        e.json,
        format!(r#"{{"event":"video_stall","video_stall_duration":2.5,{CONTEXT}}}"#)
    );
}

#[test]
fn quality_and_error_payloads() {
    let hd = Quality {
        height: Some(720),
        bitrate: 2_500_000,
    };
    let sd = Quality {
        height: Some(360),
        bitrate: 800_000,
    };
    let e = video_quality_change(&ctx(), hd, Some(sd), true);
    assert_eq!(
        e.json,
        format!(
            r#"{{"event":"video_quality_change","video_quality":"720p","video_bitrate":2500000,"video_quality_previous":"360p","video_quality_auto":true,{CONTEXT}}}"#
        )
    );
    let audio = Quality {
        height: None,
        bitrate: 128_000,
    };
    let e = video_quality_change(&ctx(), audio, None, false);
    assert!(e.json.starts_with(
        r#"{"event":"video_quality_change","video_quality":"128kbps","video_bitrate":128000,"video_quality_auto":false,"#
    ));
    let e = video_error(&ctx(), "network", "segment \"3.ts\" failed: 404", true);
    assert_eq!(
        e.json,
        format!(
            r#"{{"event":"video_error","error_code":"network","error_message":"segment \"3.ts\" failed: 404","error_fatal":true,{CONTEXT}}}"#
        )
    );
    assert_eq!(e.name, "video_error");
}

proptest! {
    /// Whatever the samples (seeks, pauses, clocks going back, durations changing), each
    /// milestone fires at most once per view (in any order: after a seek ahead, seeking back
    /// and watching can fire an earlier threshold later), and watch-time milestones increase.
    #[test]
    fn milestones_fire_at_most_once(
        samples in proptest::collection::vec(
            (0u64..200_000, proptest::option::of(1u64..200_000), any::<bool>(), 0u64..5_000, any::<bool>()),
            0..300,
        ),
        end in any::<bool>(),
        fixed_duration in proptest::option::of(1u64..200_000),
    ) {
        let mut p = VideoProgress::new();
        let mut events = Vec::new();
        let mut now = 0u64;
        for (pos, duration, live, step, playing) in samples {
            now += step;
            let duration = fixed_duration.or(duration);
            events.extend(p.update(pos, duration, live && pos % 7 == 0, now, playing));
        }
        if end {
            events.extend(p.ended(Some(100_000), false, now + 250));
        }
        let count = |m: VideoMilestone| events.iter().filter(|&&e| e == m).count();
        prop_assert!(count(Start) <= 1);
        prop_assert!(count(Complete) <= 1);
        let percents: Vec<u8> = events.iter().filter_map(|e| match e {
            Progress(t) => Some(*t),
            _ => None,
        }).collect();
        let mut distinct = percents.clone();
        distinct.sort_unstable();
        distinct.dedup();
        prop_assert_eq!(distinct.len(), percents.len(), "{:?}", percents);
        let hours: Vec<u64> = events.iter().filter_map(|e| match e {
            WatchTime(s) => Some(*s),
            _ => None,
        }).collect();
        prop_assert!(hours.windows(2).all(|w| w[0] < w[1]));
        if let Some(i) = events.iter().position(|&e| e == Start) {
            prop_assert_eq!(i, 0);
        }
    }

    /// Uninterrupted playback at any sampling (up to 1 s apart) fires every milestone once.
    #[test]
    fn uninterrupted_playback_fires_every_milestone(
        duration in 1_000u64..3_600_000,
        steps in proptest::collection::vec(1u64..1_000, 1..50),
    ) {
        let mut p = VideoProgress::new();
        let (mut pos, mut now, mut i) = (0u64, 0u64, 0usize);
        let mut events = p.update(0, Some(duration), false, 0, true);
        while pos < duration {
            let step = steps[i % steps.len()];
            i += 1;
            pos = (pos + step).min(duration);
            now += step;
            events.extend(p.update(pos, Some(duration), false, now, true));
        }
        events.extend(p.ended(Some(duration), false, now + 10));
        prop_assert_eq!(
            events,
            vec![Start, Progress(10), Progress(25), Progress(50), Progress(75), Complete]
        );
    }
}

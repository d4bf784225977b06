//! The live simulator's playlists, checked through the engine's own parser
//! (`player_core::hls::playlist`), with the clock put wherever a test needs it.

use axum::body::Bytes;
use player_core::hls::playlist::{
    parse_playlist, ClientAttributeValue, DateTime, MediaPlaylist, Playlist, PreloadHintType,
};

use super::playlist::{parse_part_file, part_file, Mode, PartLayout, Position, Reload, Show};
use super::show::MomentsPreset;
use super::source::{Part, PreparedRendition, PreparedSegment};
use super::timeline::{Carriage, Micros, Moment, Schedule, MICROS_PER_SECOND};

const S: Micros = MICROS_PER_SECOND;
const MS: Micros = 1000;
const ORIGIN: i64 = 1_714_564_800_000; // 2024-05-01T12:00:00Z
const NAMES: [&str; 3] = ["360p", "240p", "144p"];
const URL: &str = "http://127.0.0.1:8080/live/t/360p/index.m3u8";

/// 15 segments of 2 s, each four 0.5 s parts of 1000 bytes, the first a keyframe: the shape
/// of the fixture ladder without its bytes.
fn synthetic() -> (Schedule, Vec<PreparedRendition>) {
    let schedule = Schedule::new(vec![2 * S; 15]);
    let rendition = || {
        PreparedRendition::new(
            (0..15)
                .map(|_| PreparedSegment {
                    bytes: Bytes::from(vec![0u8; 4000]),
                    parts: (0..4)
                        .map(|i| Part {
                            offset: i * 1000,
                            length: 1000,
                            duration: S / 2,
                            independent: i == 0,
                        })
                        .collect(),
                })
                .collect(),
        )
    };
    (schedule, vec![rendition(), rendition(), rendition()])
}

struct Fixture {
    schedule: Schedule,
    renditions: Vec<PreparedRendition>,
    moments: Vec<Moment>,
}

impl Fixture {
    fn new(preset: MomentsPreset) -> Self {
        let (schedule, renditions) = synthetic();
        let moments = preset.moments(schedule.loop_duration());
        Self {
            schedule,
            renditions,
            moments,
        }
    }

    fn show(&self, mode: Mode, window: u64) -> Show<'_> {
        Show {
            schedule: &self.schedule,
            renditions: &self.renditions,
            names: &NAMES,
            mode,
            parts: PartLayout::ByteRanges,
            window,
            moments: &self.moments,
            origin_unix_ms: ORIGIN,
        }
    }
}

/// Generates and parses; the parse must succeed.
fn media(show: &Show<'_>, position: Position, skip: bool) -> (String, MediaPlaylist) {
    let text = show.media_playlist(0, position, skip);
    match parse_playlist(&text, URL) {
        Ok(Playlist::Media(media)) => (text, media),
        Ok(Playlist::Multivariant(_)) => panic!("not a media playlist:\n{text}"),
        Err(error) => panic!("{error}\n{text}"),
    }
}

fn live(seconds: f64) -> Position {
    Position::Live((seconds * S as f64).round() as Micros)
}

fn uris(media: &MediaPlaylist) -> Vec<String> {
    media
        .segments
        .iter()
        .map(|s| {
            let url = media.url_of(s);
            url.rsplit('/').next().unwrap_or_default().to_owned()
        })
        .collect()
}

fn date(offset: Micros) -> DateTime {
    DateTime::from_unix_millis(ORIGIN + (offset / MS) as i64)
}

#[test]
fn the_window_slides_one_segment_per_segment_duration() {
    let fixture = Fixture::new(MomentsPreset::Split);
    let show = fixture.show(Mode::Plain, 6);
    let (_, at_12) = media(&show, live(12.0), false);
    assert_eq!(at_12.media_sequence, 0);
    assert_eq!(
        uris(&at_12),
        (0..6).map(|n| format!("seg_{n}.ts")).collect::<Vec<_>>()
    );
    assert!(!at_12.end_list && at_12.target_duration == 2);
    assert!(at_12.server_control.is_none() && at_12.part_inf.is_none());
    // Nothing new until segment 6 is complete, at 14 s.
    assert_eq!(media(&show, live(13.999), false).1, at_12);
    let (_, at_14) = media(&show, live(14.0), false);
    assert_eq!(at_14.media_sequence, 1);
    assert_eq!(uris(&at_14).last().map(String::as_str), Some("seg_6.ts"));
    // Early on the window is not full yet; at the very start it is empty.
    assert_eq!(media(&show, live(5.0), false).1.segments.len(), 2);
    assert!(media(&show, live(1.0), false).1.segments.is_empty());
}

#[test]
fn every_wrap_is_a_discontinuity_and_the_sequence_counts_the_ones_slid_out() {
    let fixture = Fixture::new(MomentsPreset::Split);
    for mode in [Mode::Plain, Mode::LowLatency] {
        let show = fixture.show(mode, 6);
        let mut t = 0;
        while t < 200 * S {
            let (text, playlist) = media(&show, Position::Live(t), false);
            for (i, segment) in playlist.segments.iter().enumerate() {
                let msn = segment.media_sequence;
                assert_eq!(segment.discontinuity_sequence, msn / 15, "t={t}\n{text}");
                assert_eq!(segment.discontinuity, msn > 0 && msn % 15 == 0);
                // Program dates map to the wall clock, across discontinuities too.
                assert_eq!(
                    playlist.date_time_of(i),
                    Some(date(fixture.schedule.start(msn))),
                    "t={t}\n{text}"
                );
            }
            t += 250 * MS;
        }
    }
    let show = fixture.show(Mode::Plain, 6);
    // Segment 15 (the first wrap) heads the window: its own tag stays, the count is 0.
    let (text, at_42) = media(&show, live(42.0), false);
    assert_eq!(at_42.media_sequence, 15);
    assert_eq!(at_42.discontinuity_sequence, 0, "{text}");
    assert!(text.contains("#EXT-X-DISCONTINUITY-SEQUENCE:0\n"));
    // Once it has slid out, the count says so.
    assert_eq!(media(&show, live(44.0), false).1.discontinuity_sequence, 1);
}

#[test]
fn date_ranges_announce_product_moments_while_they_overlap_the_window() {
    let fixture = Fixture::new(MomentsPreset::Split);
    let show = fixture.show(Mode::Plain, 6);
    let ids = |seconds: f64| -> Vec<String> {
        media(&show, live(seconds), false)
            .1
            .date_ranges
            .iter()
            .map(|r| r.id.clone())
            .collect()
    };
    // tee: 4-18 s of every 30 s pass; tote travels by ID3 only in the split preset.
    assert_eq!(
        ids(4.0),
        Vec::<String>::new(),
        "its segment is not complete yet"
    );
    assert_eq!(ids(6.0), ["tee-0"]);
    assert_eq!(ids(29.0), ["tee-0"]);
    assert_eq!(
        ids(30.0),
        Vec::<String>::new(),
        "18 s slid out of the window"
    );
    assert_eq!(ids(36.0), ["tee-1"]);

    let (text, playlist) = media(&show, live(12.0), false);
    let tee = &playlist.date_ranges[0];
    assert_eq!(tee.class.as_deref(), Some("com.shoppable.product"));
    assert_eq!(tee.start_date, Some(date(4 * S)));
    assert_eq!(tee.duration, Some(14.0));
    assert_eq!(tee.end(), Some(date(18 * S)));
    assert_eq!(
        tee.client_attribute("X-PRODUCT-ID"),
        Some(&ClientAttributeValue::String("tee".into()))
    );
    // Written just before the segment in which it starts (4-6 s: seg_2).
    assert!(
        text.contains("X-PRODUCT-ID=\"tee\"\n#EXTINF:2.000,\nseg_2.ts\n"),
        "{text}"
    );

    let both = Fixture::new(MomentsPreset::DateRange);
    let (_, playlist) = media(&both.show(Mode::Plain, 6), live(62.0), false);
    let found: Vec<_> = playlist
        .date_ranges
        .iter()
        .map(|r| (r.id.as_str(), r.start_date))
        .collect();
    // Window 50-62 s: tote of the second pass; tee-2 (64 s) is not published yet.
    assert_eq!(found, [("tote-1", Some(date(50 * S)))]);
    assert!(Fixture::new(MomentsPreset::None)
        .show(Mode::Plain, 6)
        .media_playlist(0, live(12.0), false)
        .lines()
        .all(|l| !l.starts_with("#EXT-X-DATERANGE")));
}

#[test]
fn low_latency_lists_recent_parts_the_part_in_progress_and_a_preload_hint() {
    let fixture = Fixture::new(MomentsPreset::Split);
    let show = fixture.show(Mode::LowLatency, 10);
    // 13.2 s: segments 0-5 complete, parts 0 and 1 of segment 6 published.
    let (text, playlist) = media(&show, live(13.2), false);
    let control = playlist.server_control.expect("EXT-X-SERVER-CONTROL");
    assert!(control.can_block_reload);
    assert_eq!(control.can_skip_until, Some(12.0));
    assert_eq!(control.part_hold_back, Some(1.5));
    assert_eq!(playlist.part_inf.map(|p| p.part_target), Some(0.5));
    let with_parts: Vec<u64> = playlist
        .segments
        .iter()
        .filter(|s| !s.parts.is_empty())
        .map(|s| s.media_sequence)
        .collect();
    // Parts within three target durations (6 s) of the end, 13 s: segments ending after 7 s.
    assert_eq!(with_parts, [3, 4, 5], "{text}");
    let parts = &playlist.segments[5].parts;
    assert_eq!(parts.len(), 4);
    assert!(parts[0].independent && !parts[1].independent);
    assert_eq!(
        parts[2].byte_range.map(|r| (r.offset, r.length)),
        Some((2000, 1000))
    );
    assert!(parts[0].uri.ends_with("/live/t/360p/seg_5.ts"));
    assert_eq!(playlist.pending_parts.len(), 2);
    assert!(playlist.pending_parts[0].uri.ends_with("seg_6.ts"));
    let hint = &playlist.preload_hints[0];
    assert_eq!(hint.hint_type, PreloadHintType::Part);
    assert!(hint.uri.ends_with("seg_6.ts"));
    assert_eq!(
        (hint.byte_range_start, hint.byte_range_length),
        (Some(2000), None)
    );
    let reports: Vec<_> = playlist
        .rendition_reports
        .iter()
        .map(|r| (r.uri.as_str(), r.last_msn, r.last_part))
        .collect();
    assert_eq!(
        reports,
        [
            (
                "http://127.0.0.1:8080/live/t/240p/index.m3u8",
                Some(6),
                Some(1)
            ),
            (
                "http://127.0.0.1:8080/live/t/144p/index.m3u8",
                Some(6),
                Some(1)
            ),
        ]
    );

    // At a segment boundary nothing of the next segment exists: the hint names its start,
    // the reports its predecessor's last part.
    let (_, playlist) = media(&show, live(14.0), false);
    assert!(playlist.pending_parts.is_empty());
    assert_eq!(playlist.preload_hints[0].byte_range_start, Some(0));
    assert!(playlist.preload_hints[0].uri.ends_with("seg_7.ts"));
    assert_eq!(playlist.rendition_reports[0].last_msn, Some(6));
    assert_eq!(playlist.rendition_reports[0].last_part, Some(3));
}

#[test]
fn parts_as_resources_are_listed_and_hinted_by_their_own_uri() {
    let fixture = Fixture::new(MomentsPreset::Split);
    let show = Show {
        parts: PartLayout::Resources,
        ..fixture.show(Mode::LowLatency, 10)
    };
    // 13.2 s: parts 0 and 1 of segment 6 published, part 2 next.
    let (text, listed) = show.media_playlist_listing(0, live(13.2), false);
    let Ok(Playlist::Media(playlist)) = parse_playlist(&text, URL) else {
        panic!("{text}");
    };
    assert!(!text.contains("BYTERANGE"), "{text}");
    let parts = &playlist.segments[5].parts;
    assert_eq!(parts.len(), 4);
    assert!(parts[2].uri.ends_with("/live/t/360p/seg_5.part2.ts"));
    assert!(parts[0].independent && parts.iter().all(|p| p.byte_range.is_none()));
    let pending: Vec<&str> = playlist
        .pending_parts
        .iter()
        .map(|p| p.uri.as_str())
        .collect();
    assert_eq!(
        pending,
        [
            "http://127.0.0.1:8080/live/t/360p/seg_6.part0.ts",
            "http://127.0.0.1:8080/live/t/360p/seg_6.part1.ts"
        ]
    );
    let hint = &playlist.preload_hints[0];
    assert_eq!(hint.uri, "http://127.0.0.1:8080/live/t/360p/seg_6.part2.ts");
    assert_eq!(
        (hint.byte_range_start, hint.byte_range_length),
        (None, None)
    );
    // The listing names exactly the parts the text lists: segments 3 to 5 whole, then 6.
    let expected: Vec<(u64, u64)> = (3..6)
        .flat_map(|msn| (0..4).map(move |k| (msn, k)))
        .chain([(6, 0), (6, 1)])
        .collect();
    assert_eq!(listed, expected);
    // At a segment boundary the hint is the next segment's first part.
    let (text, _) = show.media_playlist_listing(0, live(14.0), false);
    assert!(
        text.contains("#EXT-X-PRELOAD-HINT:TYPE=PART,URI=\"seg_7.part0.ts\"\n"),
        "{text}"
    );
}

#[test]
fn part_file_names_round_trip_and_reject_other_files() {
    assert_eq!(part_file(12, 3), "seg_12.part3.ts");
    assert_eq!(parse_part_file("seg_12.part3.ts"), Some((12, 3)));
    for other in [
        "seg_12.ts",
        "seg_.part3.ts",
        "seg_12.part.ts",
        "seg_1x.part3.ts",
        "seg_12.part3.m4s",
        "seg_12.part-3.ts",
        "seg_99999999999999999999.part0.ts",
    ] {
        assert_eq!(parse_part_file(other), None, "{other}");
    }
}

#[test]
fn parts_of_a_new_pass_follow_its_discontinuity() {
    let fixture = Fixture::new(MomentsPreset::Split);
    let show = fixture.show(Mode::LowLatency, 10);
    let (text, playlist) = media(&show, live(30.6), false);
    assert_eq!(playlist.pending_parts.len(), 1);
    let tail = text.split("seg_14.ts\n").nth(1).unwrap_or_default();
    assert!(
        tail.starts_with(
            "#EXT-X-DISCONTINUITY\n#EXT-X-PROGRAM-DATE-TIME:2024-05-01T12:00:30.000Z\n#EXT-X-PART:"
        ),
        "{text}"
    );
}

#[test]
fn delta_updates_skip_what_is_older_than_can_skip_until() {
    let fixture = Fixture::new(MomentsPreset::DateRange);
    let show = fixture.show(Mode::LowLatency, 10);
    // 31.2 s: segments 5-14 complete and two parts of 15, so the end is at 31 s; skipped:
    // the segments ending 12 s or more before it (5-8, ending at 12-18 s).
    let (_, full) = media(&show, live(31.2), false);
    let (text, delta) = media(&show, live(31.2), true);
    assert_eq!(
        delta.skip.as_ref().map(|s| s.skipped_segments),
        Some(4),
        "{text}"
    );
    assert_eq!(delta.media_sequence, full.media_sequence);
    assert_eq!(delta.next_media_sequence(), full.next_media_sequence());
    assert_eq!(delta.segments[0].media_sequence, 9);
    assert_eq!(uris(&delta)[..], uris(&full)[4..]);
    assert_eq!(delta.pending_parts, full.pending_parts);
    // Without CAN-SKIP-DATERANGES every date range stays, even tee-0 (4-18 s), which began
    // before the first segment listed.
    assert_eq!(delta.date_ranges, full.date_ranges);
    assert_eq!(delta.date_ranges.len(), 2);
    // Plain playlists ignore the directive.
    let plain = fixture.show(Mode::Plain, 10);
    assert!(media(&plain, live(31.2), true).1.skip.is_none());
}

#[test]
fn blocking_reload_waits_for_the_named_part_and_refuses_what_is_too_far() {
    let fixture = Fixture::new(MomentsPreset::Split);
    let show = fixture.show(Mode::LowLatency, 10);
    let at = live(13.2); // segment 6 in progress, parts 0-1 out
    let reload = |msn, part| show.reload(0, at, msn, part);
    assert_eq!(reload(6, Some(1)), Reload::Now);
    assert_eq!(reload(6, Some(2)), Reload::At(13_500 * MS));
    assert_eq!(reload(6, Some(3)), Reload::At(14 * S));
    // Past the last part of segment 6: part 0 of segment 7.
    assert_eq!(reload(6, Some(4)), Reload::At(14_500 * MS));
    assert_eq!(reload(6, Some(99)), Reload::At(14_500 * MS));
    // A whole segment: once it is complete. One already in the window (or gone): at once.
    assert_eq!(reload(6, None), Reload::At(14 * S));
    assert_eq!(reload(5, None), Reload::Now);
    assert_eq!(reload(0, Some(0)), Reload::Now);
    assert_eq!(reload(8, None), Reload::At(18 * S));
    // More than two segments past the last (6) or more than 6 parts (3 s) ahead: 400.
    assert!(matches!(reload(9, None), Reload::Refuse(_)));
    assert_eq!(reload(7, Some(3)), Reload::At(16 * S)); // 5 parts past the last published
    assert!(matches!(reload(8, Some(0)), Reload::Refuse(_))); // 6 past
                                                              // Ended or plain: nothing to wait for.
    assert_eq!(
        show.reload(0, Position::Ended { last: 6 }, 7, Some(0)),
        Reload::Now
    );
    assert_eq!(
        fixture.show(Mode::Plain, 6).reload(0, at, 7, Some(0)),
        Reload::Now
    );
    assert_eq!(show.block_limit(), 6 * S);
}

#[test]
fn an_ended_show_keeps_its_last_window_and_says_endlist() {
    let fixture = Fixture::new(MomentsPreset::Split);
    for (mode, window) in [(Mode::Plain, 6), (Mode::LowLatency, 10)] {
        let show = fixture.show(mode, window);
        let (text, playlist) = media(&show, Position::Ended { last: 20 }, true);
        assert!(playlist.end_list, "{text}");
        assert!(
            playlist.skip.is_none(),
            "no delta update of an ended playlist"
        );
        assert!(playlist.preload_hints.is_empty() && playlist.pending_parts.is_empty());
        assert!(playlist.rendition_reports.is_empty());
        assert!(text.ends_with("seg_20.ts\n#EXT-X-ENDLIST\n"), "{text}");
        assert_eq!(playlist.media_sequence, 21 - window);
        assert_eq!(
            uris(&playlist).last().map(String::as_str),
            Some("seg_20.ts")
        );
    }
}

#[test]
fn every_generated_playlist_parses_with_the_engine() {
    let fixture = Fixture::new(MomentsPreset::Both);
    for (mode, window) in [(Mode::Plain, 3), (Mode::Plain, 6), (Mode::LowLatency, 10)] {
        let show = fixture.show(mode, window);
        let mut t = 0;
        while t <= 95 * S {
            for skip in [false, true] {
                for rendition in 0..NAMES.len() {
                    let text = show.media_playlist(rendition, Position::Live(t), skip);
                    let parsed = parse_playlist(&text, URL)
                        .unwrap_or_else(|e| panic!("t={t} {mode:?}: {e}\n{text}"));
                    let media = parsed.as_media().expect("media playlist");
                    let complete = fixture.schedule.complete_at(t);
                    assert_eq!(media.next_media_sequence(), complete);
                    assert!(media.duration() <= (window * 2) as f64);
                }
            }
            t += 100 * MS;
        }
    }
}

#[test]
fn moments_presets_choose_the_carriage() {
    let loop_duration = 30 * S;
    let carriage = |preset: MomentsPreset| -> Vec<(String, Carriage)> {
        preset
            .moments(loop_duration)
            .into_iter()
            .map(|m| (m.product, m.carriage))
            .collect()
    };
    let daterange = Carriage {
        date_range: true,
        id3: false,
    };
    let id3 = Carriage {
        date_range: false,
        id3: true,
    };
    assert_eq!(
        carriage(MomentsPreset::Split),
        [("tee".to_owned(), daterange), ("tote".to_owned(), id3)]
    );
    assert!(carriage(MomentsPreset::None).is_empty());
    // A source shorter than the script keeps only the moments that fit in it.
    assert_eq!(MomentsPreset::Split.moments(20 * S).len(), 1);
}

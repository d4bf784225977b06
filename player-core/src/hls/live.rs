//! Live streams: one timeline across playlist reloads, when to reload, where to join, and how
//! far behind the live edge to play.
//!
//! A live media playlist is a sliding window: every reload drops old segments and adds new
//! ones, and the parser numbers segment times from the window's first segment. The engine keeps
//! one timeline for the whole show by lining each reload up with the previous one through
//! Media Sequence Numbers, the identity the spec gives every segment.

use crate::hls::playlist::MediaPlaylist;

/// Every tunable of live playback, in one place.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LiveConfig {
    /// Seconds behind the live edge to play at. `None`: the playlist's `PART-HOLD-BACK` (LL-HLS)
    /// or `HOLD-BACK`, else three target durations (RFC 8216bis §6.3.3).
    pub target_latency_s: Option<f64>,
    /// The fastest playback rate used to catch up; a few percent go unnoticed by viewers.
    pub max_catch_up_rate: f64,
    /// Latency above the target tolerated before catching up, in seconds.
    pub latency_tolerance_s: f64,
    /// Beyond the target by this many target durations, jump back instead of catching up.
    pub jump_after_target_durations: f64,
    /// A playlist unchanged for this many target durations is stale: the player says
    /// "reconnecting" and keeps trying.
    pub stale_after_target_durations: f64,
    /// Load LL-HLS parts at the live edge (and aim for `PART-HOLD-BACK`); false plays
    /// low-latency streams like regular ones, whole segments at `HOLD-BACK`.
    pub low_latency: bool,
}

impl Default for LiveConfig {
    fn default() -> Self {
        LiveConfig {
            target_latency_s: None,
            max_catch_up_rate: 1.08,
            latency_tolerance_s: 0.5,
            jump_after_target_durations: 3.0,
            stale_after_target_durations: 3.0,
            low_latency: true,
        }
    }
}

/// Where the newest media ends: the last segment's end plus any parts of the next one.
pub fn live_edge(playlist: &MediaPlaylist) -> f64 {
    let segments_end = playlist
        .segments
        .last()
        .map_or(0.0, |s| s.start + s.duration);
    segments_end
        + playlist
            .pending_parts
            .iter()
            .map(|p| p.duration)
            .sum::<f64>()
}

/// Where the window begins.
pub fn window_start(playlist: &MediaPlaylist) -> f64 {
    playlist.segments.first().map_or(0.0, |s| s.start)
}

/// The latency to aim for, in seconds behind the live edge.
pub fn target_latency(config: &LiveConfig, playlist: &MediaPlaylist) -> f64 {
    let server = playlist.server_control.as_ref();
    let low_latency = config.low_latency && playlist.part_inf.is_some();
    config
        .target_latency_s
        .or_else(|| {
            server
                .and_then(|s| s.part_hold_back)
                .filter(|_| low_latency)
        })
        .or_else(|| server.and_then(|s| s.hold_back))
        .unwrap_or(3.0 * playlist.target_duration as f64)
}

/// Where a viewer joining now starts: `EXT-X-START` when the playlist has one, else the
/// target latency behind the edge. Always inside the window.
pub fn join_position(config: &LiveConfig, playlist: &MediaPlaylist) -> f64 {
    let (start, edge) = (window_start(playlist), live_edge(playlist));
    let wanted = match &playlist.start {
        Some(point) if point.time_offset < 0.0 => edge + point.time_offset,
        Some(point) => start + point.time_offset,
        None => edge - target_latency(config, playlist),
    };
    // `max`/`min` rather than `f64::clamp`, whose assertion message would pull Rust's float
    // formatting into the wasm.
    wanted.max(start).min(edge.max(start))
}

/// Milliseconds until the next reload: one target duration after a playlist that changed, half
/// of one after a playlist that did not (RFC 8216bis §6.3.4). Low-latency playlists change
/// every part, so they are reloaded at the part target.
pub fn reload_delay_ms(playlist: &MediaPlaylist, changed: bool) -> f64 {
    let interval = match &playlist.part_inf {
        Some(parts) => parts.part_target,
        None => playlist.target_duration as f64,
    };
    let interval = if changed { interval } else { interval / 2.0 };
    interval.max(0.1) * 1000.0
}

/// What the latency controller wants done.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum LatencyCorrection {
    /// Play at this rate (1.0 when on target).
    Rate(f64),
    /// Too far behind to catch up gently: jump to this position.
    JumpTo(f64),
}

/// Gentle catch-up: speed up in proportion to the excess latency, up to the configured maximum;
/// jump when the viewer has fallen far behind (after a long pause, say).
pub fn correct_latency(
    config: &LiveConfig,
    playlist: &MediaPlaylist,
    position: f64,
) -> LatencyCorrection {
    let target = target_latency(config, playlist);
    let edge = live_edge(playlist);
    let latency = edge - position;
    let target_duration = playlist.target_duration.max(1) as f64;
    if latency > target + config.jump_after_target_durations * target_duration {
        return LatencyCorrection::JumpTo((edge - target).max(window_start(playlist)));
    }
    let excess = latency - target;
    if excess <= config.latency_tolerance_s {
        return LatencyCorrection::Rate(1.0);
    }
    LatencyCorrection::Rate((1.0 + 0.02 * excess).min(config.max_catch_up_rate))
}

/// Moves every segment of `next` by `seconds`.
fn shift(playlist: &mut MediaPlaylist, seconds: f64) {
    for segment in &mut playlist.segments {
        segment.start += seconds;
    }
}

/// Places a reloaded (or another rendition's) playlist on `previous`'s timeline, through the
/// first Media Sequence Number both contain; when the new window starts after the old one
/// ended, it continues from there. Returns false when nothing connects the two.
pub fn align(previous: &MediaPlaylist, next: &mut MediaPlaylist) -> bool {
    let (Some(prev_first), Some(prev_last)) = (previous.segments.first(), previous.segments.last())
    else {
        return false;
    };
    let common = next.segments.iter().find_map(|s| {
        let offset = s.media_sequence.checked_sub(prev_first.media_sequence)?;
        let known = previous.segments.get(usize::try_from(offset).ok()?)?;
        (known.media_sequence == s.media_sequence).then_some(known.start - s.start)
    });
    let delta = match (common, next.segments.first()) {
        (Some(delta), _) => delta,
        (None, Some(first)) if first.media_sequence > prev_last.media_sequence => {
            // Segments were missed between the two reloads: estimate them at the target duration.
            let missed = (first.media_sequence - prev_last.media_sequence - 1) as f64;
            let prev_end = prev_last.start + prev_last.duration;
            prev_end + missed * next.target_duration as f64 - first.start
        }
        _ => return false,
    };
    shift(next, delta);
    true
}

/// A Playlist Delta Update (`EXT-X-SKIP`) leaves out its oldest segments; take them from the
/// previous playlist so the window is whole again. Returns false when `previous` does not
/// hold them (the caller then asks for a full playlist).
pub fn fill_skipped(previous: &MediaPlaylist, next: &mut MediaPlaylist) -> bool {
    let Some(skip) = next.skip.take() else {
        return true;
    };
    let first_skipped = next.media_sequence;
    let Some(prev_first) = previous.segments.first().map(|s| s.media_sequence) else {
        return false;
    };
    let Some(from) = first_skipped
        .checked_sub(prev_first)
        .and_then(|o| usize::try_from(o).ok())
    else {
        return false;
    };
    let Some(count) = usize::try_from(skip.skipped_segments).ok() else {
        return false;
    };
    let Some(skipped) = from
        .checked_add(count)
        .and_then(|to| previous.segments.get(from..to))
    else {
        return false;
    };
    let mut restored = Vec::with_capacity(skipped.len() + next.segments.len());
    for segment in skipped {
        let mut segment = segment.clone();
        // References are relative to the playlist that listed them: if a redirect moved the
        // playlist, carry the old segments over as absolute URLs.
        if previous.url != next.url {
            segment.reference = previous.url_of(&segment);
        }
        // Init sections and keys are indices into each playlist's own lists.
        segment.init_section = segment.init_section.map(|i| {
            let section = &previous.init_sections[i as usize];
            index_of_or_push(&mut next.init_sections, section)
        });
        segment.key = segment.key.map(|i| {
            let key = &previous.keys[i as usize];
            index_of_or_push(&mut next.keys, key)
        });
        restored.push(segment);
    }
    let skipped_duration: f64 = restored.iter().map(|s| s.duration).sum();
    for (i, segment) in restored.iter_mut().enumerate() {
        segment.start = skipped[..i].iter().map(|s| s.duration).sum::<f64>();
    }
    for segment in &mut next.segments {
        segment.start += skipped_duration;
    }
    restored.append(&mut next.segments);
    next.segments = restored;
    // Date ranges the server did not repeat are still in force unless it says they were removed.
    for range in &previous.date_ranges {
        let removed = skip.recently_removed_dateranges.contains(&range.id);
        if !removed && !next.date_ranges.iter().any(|r| r.id == range.id) {
            next.date_ranges.push(range.clone());
        }
    }
    true
}

fn index_of_or_push<T: Clone + PartialEq>(list: &mut Vec<T>, item: &T) -> u32 {
    let at = list.iter().position(|x| x == item).unwrap_or_else(|| {
        list.push(item.clone());
        list.len() - 1
    });
    at as u32
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hls::playlist::{parse_playlist, Playlist};

    fn live(first_msn: u64, count: usize, extra: &str) -> MediaPlaylist {
        let mut text = format!(
            "#EXTM3U\n#EXT-X-VERSION:9\n#EXT-X-TARGETDURATION:2\n#EXT-X-MEDIA-SEQUENCE:{first_msn}\n{extra}"
        );
        for n in first_msn..first_msn + count as u64 {
            text.push_str(&format!("#EXTINF:2.0,\nseg{n}.ts\n"));
        }
        match parse_playlist(&text, "https://cdn.test/live/index.m3u8") {
            Ok(Playlist::Media(media)) => media,
            other => panic!("not a media playlist: {other:?}"),
        }
    }

    #[test]
    fn joins_three_target_durations_behind_the_edge() {
        let p = live(100, 6, "");
        assert_eq!(live_edge(&p), 12.0);
        assert_eq!(join_position(&LiveConfig::default(), &p), 6.0);
    }

    #[test]
    fn joins_at_ext_x_start_when_given() {
        let p = live(100, 6, "#EXT-X-START:TIME-OFFSET=-3.0\n");
        assert_eq!(join_position(&LiveConfig::default(), &p), 9.0);
        let p = live(100, 6, "#EXT-X-START:TIME-OFFSET=-100\n");
        assert_eq!(
            join_position(&LiveConfig::default(), &p),
            0.0,
            "clamped to the window"
        );
    }

    #[test]
    fn reloads_at_the_target_duration_or_half_when_unchanged() {
        let p = live(100, 6, "");
        assert_eq!(reload_delay_ms(&p, true), 2000.0);
        assert_eq!(reload_delay_ms(&p, false), 1000.0);
    }

    #[test]
    fn a_reload_lines_up_with_the_previous_window_by_sequence_number() {
        let first = live(100, 6, "");
        let mut second = live(102, 6, "");
        assert!(align(&first, &mut second));
        assert_eq!(second.segments[0].start, 4.0, "msn 102 kept its time");
        assert_eq!(live_edge(&second), 16.0);
    }

    #[test]
    fn a_reload_after_missed_segments_continues_from_the_previous_end() {
        let first = live(100, 6, "");
        let mut later = live(110, 6, "");
        assert!(align(&first, &mut later));
        // 100..105 end at 12 s; 106..109 were missed (4 × 2 s); 110 starts at 20 s.
        assert_eq!(later.segments[0].start, 20.0);
    }

    #[test]
    fn latency_is_corrected_gently_then_by_a_jump() {
        let c = LiveConfig::default();
        let p = live(100, 30, ""); // edge 60, target latency 6
        assert_eq!(correct_latency(&c, &p, 54.0), LatencyCorrection::Rate(1.0));
        match correct_latency(&c, &p, 52.0) {
            LatencyCorrection::Rate(r) => assert!(r > 1.0 && r <= c.max_catch_up_rate, "{r}"),
            other => panic!("{other:?}"),
        }
        assert_eq!(
            correct_latency(&c, &p, 40.0),
            LatencyCorrection::JumpTo(54.0)
        );
    }

    #[test]
    fn a_delta_update_gets_its_skipped_segments_back() {
        let full = live(100, 8, "#EXT-X-SERVER-CONTROL:CAN-SKIP-UNTIL=12\n");
        let text =
            "#EXTM3U\n#EXT-X-VERSION:9\n#EXT-X-TARGETDURATION:2\n#EXT-X-MEDIA-SEQUENCE:101\n\
                    #EXT-X-SERVER-CONTROL:CAN-SKIP-UNTIL=12\n#EXT-X-SKIP:SKIPPED-SEGMENTS=5\n\
                    #EXTINF:2.0,\nseg106.ts\n#EXTINF:2.0,\nseg107.ts\n#EXTINF:2.0,\nseg108.ts\n";
        let Ok(Playlist::Media(mut delta)) =
            parse_playlist(text, "https://cdn.test/live/index.m3u8")
        else {
            panic!("delta did not parse");
        };
        assert!(fill_skipped(&full, &mut delta));
        let msns: Vec<u64> = delta.segments.iter().map(|s| s.media_sequence).collect();
        assert_eq!(msns, (101..=108).collect::<Vec<_>>());
        assert!(align(&full, &mut delta));
        assert_eq!(delta.segments[0].start, 2.0);
        assert_eq!(live_edge(&delta), 18.0);
    }

    #[test]
    fn skipped_segments_keep_their_urls_when_a_redirect_moved_the_playlist() {
        let full = live(100, 8, "#EXT-X-SERVER-CONTROL:CAN-SKIP-UNTIL=12\n");
        let text =
            "#EXTM3U\n#EXT-X-VERSION:9\n#EXT-X-TARGETDURATION:2\n#EXT-X-MEDIA-SEQUENCE:101\n\
                    #EXT-X-SKIP:SKIPPED-SEGMENTS=5\n#EXTINF:2.0,\nseg106.ts\n";
        let Ok(Playlist::Media(mut delta)) =
            parse_playlist(text, "https://edge-2.cdn.test/other/index.m3u8")
        else {
            panic!("delta did not parse");
        };
        assert!(fill_skipped(&full, &mut delta));
        assert_eq!(
            delta.segment_url(0).as_deref(),
            Some("https://cdn.test/live/seg101.ts"),
            "listed by the old playlist, relative to its URL"
        );
        assert_eq!(
            delta.segment_url(5).as_deref(),
            Some("https://edge-2.cdn.test/other/seg106.ts")
        );
    }

    #[test]
    fn a_delta_update_without_the_skipped_segments_at_hand_is_refused() {
        let old = live(50, 4, "");
        let text = "#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXT-X-MEDIA-SEQUENCE:101\n\
                    #EXT-X-SKIP:SKIPPED-SEGMENTS=5\n#EXTINF:2.0,\nseg106.ts\n";
        let Ok(Playlist::Media(mut delta)) =
            parse_playlist(text, "https://cdn.test/live/index.m3u8")
        else {
            panic!("delta did not parse");
        };
        assert!(!fill_skipped(&old, &mut delta));
    }
}

//! Arbitrary bytes → `parse_playlist`. Beyond "never panics", checks the writer: whatever
//! parses must print as text that parses back to an equal playlist.
#![no_main]

use libfuzzer_sys::fuzz_target;
use player_core::hls::playlist::{parse_playlist, Playlist};

/// With a query, so that `EXT-X-DEFINE:QUERYPARAM="x"` can succeed.
const BASE: &str = "https://fuzz.example/a/b/index.m3u8?x=1&token=t%20k";

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let Ok(parsed) = parse_playlist(&text, BASE) else {
        return;
    };
    exercise_accessors(&parsed);

    // A variable whose value itself contains a reference would be expanded again when the
    // printed (already substituted) text is parsed: not a writer bug, so not checked.
    let defines = match &parsed {
        Playlist::Media(m) => &m.defines,
        Playlist::Multivariant(m) => &m.defines,
    };
    if defines.iter().any(|d| d.value.contains("{$")) {
        return;
    }
    let printed = parsed.to_string();
    match parse_playlist(&printed, BASE) {
        Ok(reparsed) => assert!(
            reparsed == parsed,
            "round trip changed the playlist\ninput:\n{text}\nprinted:\n{printed}\nfirst: {parsed:?}\nsecond: {reparsed:?}"
        ),
        Err(e) => panic!("printed playlist does not parse: {e}\ninput:\n{text}\nprinted:\n{printed}"),
    }
});

fn exercise_accessors(playlist: &Playlist) {
    match playlist {
        Playlist::Media(m) => {
            let _ = m.duration();
            let _ = m.next_media_sequence();
            let dates: Vec<_> = m.date_times().collect();
            for i in 0..m.segments.len().min(64) {
                let _ = m.iv_for(i);
                let _ = m.segment_keys(i);
                let _ = m.init_section_of(i);
                let _ = m.segment_url(i);
                assert_eq!(m.date_time_of(i), dates[i]);
                if let Some(r) = m.segments[i].byte_range {
                    let _ = r.http_range();
                }
                assert!(m.index_of_sequence(m.segments[i].media_sequence).is_some());
            }
            let _ = m.iv_for(usize::MAX);
            for r in &m.date_ranges {
                let _ = r.end();
            }
        }
        Playlist::Multivariant(m) => {
            for v in &m.variants {
                if let Some(group) = &v.audio {
                    let _ = m
                        .renditions_in_group(player_core::hls::playlist::MediaType::Audio, group)
                        .count();
                }
            }
        }
    }
}

//! Native parse throughput on the benchmark playlist: 10,000 segments, each with
//! `EXT-X-PROGRAM-DATE-TIME` (the shape `cargo xtask bench` feeds to hls.js and to our wasm).
//!
//! `cargo test --release -p player-core --test playlist_bench -- --ignored --nocapture`

use std::fmt::Write;
use std::time::Instant;

use player_core::hls::playlist::{parse_playlist, DateTime, Playlist};

/// The benchmark playlist: a live-style fMP4 rendition with a date on every segment.
fn benchmark_playlist(segments: u32) -> String {
    let mut text = String::with_capacity(segments as usize * 96);
    text.push_str(
        "#EXTM3U\n#EXT-X-VERSION:7\n#EXT-X-TARGETDURATION:6\n#EXT-X-MEDIA-SEQUENCE:1000\n",
    );
    text.push_str("#EXT-X-MAP:URI=\"init.mp4\"\n");
    let start = DateTime::parse("2024-05-01T12:00:00.000Z").expect("valid date");
    for i in 0..segments {
        let date = start.add_seconds(f64::from(i) * 6.006);
        writeln!(
            text,
            "#EXT-X-PROGRAM-DATE-TIME:{date}\n#EXTINF:6.006,\nsegment-{:05}.m4s",
            1000 + i
        )
        .expect("writing to a String");
    }
    text
}

#[test]
fn benchmark_playlist_is_what_it_claims() {
    let text = benchmark_playlist(10_000);
    let Ok(Playlist::Media(m)) = parse_playlist(&text, "https://cdn.example/v/index.m3u8") else {
        panic!("benchmark playlist must parse");
    };
    assert_eq!(m.segments.len(), 10_000);
    assert!(m.segments.iter().all(|s| s.program_date_time.is_some()));
    assert_eq!(
        m.url_of(&m.segments[9_999]),
        "https://cdn.example/v/segment-10999.m4s"
    );
}

#[test]
#[ignore = "timing; run with --release --ignored --nocapture"]
fn parse_throughput_10k_segments() {
    let text = benchmark_playlist(10_000);
    let url = "https://cdn.example/v/index.m3u8";
    for _ in 0..20 {
        std::hint::black_box(parse_playlist(&text, url).is_ok());
    }
    let rounds = 200;
    let start = Instant::now();
    for _ in 0..rounds {
        std::hint::black_box(parse_playlist(std::hint::black_box(&text), url).is_ok());
    }
    let per_parse = start.elapsed() / rounds;
    let mb_per_s = text.len() as f64 / per_parse.as_secs_f64() / 1e6;
    println!(
        "10,000-segment playlist ({} bytes): {:.3} ms per parse, {:.0} MB/s",
        text.len(),
        per_parse.as_secs_f64() * 1e3,
        mb_per_s
    );
}

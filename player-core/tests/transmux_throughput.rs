//! Native transmuxing throughput on a 10 s 1080p segment made by ffmpeg. Ignored by default:
//! `cargo test --release -p player-core --test transmux_throughput -- --ignored --nocapture`
//! (the benchmark in xtask compares the same segment against mux.js).

mod transmux_support;

use std::time::{Duration, Instant};

use player_core::media::{SegmentContext, Transmuxer};
use transmux_support::*;

#[test]
#[ignore = "benchmark: run with --release --ignored --nocapture"]
fn throughput_10s_1080p() {
    if !have_ffmpeg("throughput_10s_1080p") {
        return;
    }
    let dir = TempDir::new("throughput");
    let path = dir.path("1080p.ts");
    encode_ts(
        &path,
        10.0,
        Some((
            "1920x1080",
            &[
                "-profile:v",
                "high",
                "-preset",
                "veryfast",
                "-b:v",
                "6M",
                "-bf",
                "2",
            ],
        )),
        Some(48_000),
        &[],
    );
    let ts = std::fs::read(&path).expect("read segment");
    let mut tx = Transmuxer::new();
    let ctx = |i: u64| SegmentContext {
        start: 10.0 * i as f64,
        discontinuity_sequence: i,
    };
    // Warm-up, and a sanity check that the output is complete.
    let first = tx.transmux(&ts, ctx(0)).expect("transmux");
    assert!(first.warnings.is_empty(), "{:?}", first.warnings);
    assert!(first.media.len() > ts.len() * 8 / 10);
    let (mut runs, mut bytes) = (0u64, 0u64);
    let t = Instant::now();
    while t.elapsed() < Duration::from_secs(3) {
        runs += 1;
        let out = tx.transmux(&ts, ctx(runs)).expect("transmux");
        bytes += ts.len() as u64;
        std::hint::black_box(out);
    }
    let secs = t.elapsed().as_secs_f64();
    println!(
        "transmux throughput: {:.1} MB/s ({} runs of a {:.1} MB 10 s 1080p segment, {:.2} ms each)",
        bytes as f64 / secs / 1e6,
        runs,
        ts.len() as f64 / 1e6,
        secs * 1e3 / runs as f64
    );
}

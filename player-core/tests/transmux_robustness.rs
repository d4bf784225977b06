//! `Transmuxer::transmux` on hostile input: random bytes, TS-shaped garbage, and real
//! segments with bytes flipped, cut short or shuffled. It must return (Ok or a typed
//! error) quickly and never panic — in wasm a panic aborts every player on the page.

mod transmux_support;

use std::sync::OnceLock;
use std::time::{Duration, Instant};

use player_core::media::{SegmentContext, Transmuxer};
use proptest::prelude::*;
use transmux_support::*;

/// A real 1-second segment (video + audio) made once by ffmpeg, if it is available.
fn real_segment() -> Option<&'static [u8]> {
    static SEGMENT: OnceLock<Option<Vec<u8>>> = OnceLock::new();
    SEGMENT
        .get_or_init(|| {
            if !have_ffmpeg("transmux_robustness (real-segment cases)") {
                return None;
            }
            let dir = TempDir::new("robustness");
            let path = dir.path("seg.ts");
            encode_ts(
                &path,
                1.0,
                Some(("96x64", &["-profile:v", "main", "-bf", "2"])),
                Some(44_100),
                &[],
            );
            Some(std::fs::read(&path).expect("read segment"))
        })
        .as_deref()
}

fn ctx(start: f64, discontinuity_sequence: u64) -> SegmentContext {
    SegmentContext {
        start,
        discontinuity_sequence,
    }
}

/// Transmuxes `data`, then a real segment on the same transmuxer: garbage must not poison
/// the state for what follows.
fn survive(tx: &mut Transmuxer, data: &[u8], start: f64, disc: u64) {
    let t = Instant::now();
    let _ = tx.transmux(data, ctx(start, disc));
    assert!(
        t.elapsed() < Duration::from_secs(2),
        "{} bytes took {:?}",
        data.len(),
        t.elapsed()
    );
    if let Some(real) = real_segment() {
        let out = tx.transmux(real, ctx(start, disc + 1));
        assert!(out.is_ok(), "real segment after garbage: {out:?}");
    }
}

/// 188-byte packets with a sync byte and a PID the demuxer cares about, otherwise random.
fn ts_like() -> impl Strategy<Value = Vec<u8>> {
    let pid = prop::sample::select(vec![0u16, 0x1000, 0x100, 0x101, 0x102, 0x1FFF, 0x11]);
    let packet = (pid, any::<u8>(), prop::collection::vec(any::<u8>(), 185)).prop_map(
        |(pid, flags, mut rest)| {
            let mut p = vec![0x47, (flags & 0xE0) | (pid >> 8) as u8, pid as u8];
            rest[0] = (rest[0] & 0x3F) | 0x10; // no scrambling; payload present most of the time
            p.extend(rest);
            p
        },
    );
    prop::collection::vec(packet, 0..40).prop_map(|ps| ps.concat())
}

proptest! {
    #[test]
    fn random_bytes(data in prop::collection::vec(any::<u8>(), 0..4096), start in -10.0f64..1e7, disc in 0u64..4) {
        survive(&mut Transmuxer::new(), &data, start, disc);
    }

    #[test]
    fn ts_shaped_garbage(data in ts_like(), start in 0.0f64..100.0) {
        let mut tx = Transmuxer::new();
        // First a real PAT/PMT context when we have one, so garbage reaches the PES parsers.
        if let Some(real) = real_segment() {
            let _ = tx.transmux(real, ctx(0.0, 0));
        }
        survive(&mut tx, &data, start, 0);
    }

    #[test]
    fn real_segment_with_flipped_bytes(flips in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..64)) {
        let Some(real) = real_segment() else { return Ok(()); };
        let mut data = real.to_vec();
        for (at, v) in flips {
            let i = at.index(data.len());
            data[i] = v;
        }
        survive(&mut Transmuxer::new(), &data, 0.0, 0);
    }

    #[test]
    fn real_segment_truncated(cut in any::<prop::sample::Index>(), skip in 0usize..200) {
        let Some(real) = real_segment() else { return Ok(()); };
        let end = cut.index(real.len() + 1);
        let begin = skip.min(end);
        survive(&mut Transmuxer::new(), &real[begin..end], 0.0, 0);
    }

    #[test]
    fn real_segment_packets_dropped_or_repeated(ops in prop::collection::vec((any::<prop::sample::Index>(), 0u8..3), 1..30)) {
        let Some(real) = real_segment() else { return Ok(()); };
        let mut packets: Vec<&[u8]> = real.chunks(188).collect();
        for (at, op) in ops {
            if packets.is_empty() {
                break;
            }
            let i = at.index(packets.len());
            match op {
                0 => { packets.remove(i); }
                1 => { let p = packets[i]; packets.insert(i, p); }
                _ => { let j = (i * 7 + 3) % packets.len(); packets.swap(i, j); }
            }
        }
        survive(&mut Transmuxer::new(), &packets.concat(), 0.0, 0);
    }
}

proptest! {
    /// fMP4 input takes the pass-through path: box parsing must be as robust.
    #[test]
    fn fmp4_with_flipped_bytes_or_truncated(
        flips in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 0..32),
        cut in any::<prop::sample::Index>(),
        with_init in any::<bool>(),
    ) {
        let Some(real) = real_segment() else { return Ok(()); };
        let out = Transmuxer::new().transmux(real, ctx(0.0, 0)).expect("real segment");
        let init = out.init.expect("init");
        let mut data = if with_init { init.clone() } else { Vec::new() };
        data.extend_from_slice(&out.media);
        for (at, v) in flips {
            let i = at.index(data.len());
            // Keep the first box type so that the input is still recognised as MP4.
            if !(4..8).contains(&i) {
                data[i] = v;
            }
        }
        data.truncate(cut.index(data.len() + 1).max(8));
        let mut tx = Transmuxer::new();
        let _ = tx.set_init_segment(&init);
        let t = Instant::now();
        let _ = tx.transmux(&data, ctx(0.0, 0));
        let _ = player_core::media::codecs_from_init_segment(&data);
        prop_assert!(t.elapsed() < Duration::from_secs(2));
    }
}

#[test]
fn real_segment_transmuxes_cleanly() {
    let Some(real) = real_segment() else { return };
    let out = Transmuxer::new()
        .transmux(real, ctx(0.0, 0))
        .expect("real segment");
    assert!(out.warnings.is_empty(), "{:?}", out.warnings);
    assert!(out.has_video && out.has_audio);
}

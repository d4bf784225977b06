//! Hostile media input end to end (issue 9, item 2): what `playlist_limits.rs` and
//! `transmux_robustness.rs` do not already cover. Playlists missing their required tags or
//! built to be huge, fed to the parser *and* to the engine (whose error is what the viewer
//! sees); MPEG-TS with seeded corruption, PIDs that do not match the program map and empty
//! PES packets; fMP4 cut at every byte. Each case must end in a typed error (or a sane result)
//! and return; in the browser a panic would abort every player on the page.

mod sim;
mod transmux_support;

use std::fmt::Write;
use std::sync::OnceLock;

use player_core::error::ErrorCode;
use player_core::hls::playlist::{parse_playlist, Playlist, PlaylistErrorKind as Kind};
use player_core::hls::EngineEvent;
use player_core::media::{codecs_from_init_segment, SegmentContext, TransmuxError, Transmuxer};
use sim::{Sim, BASE, LADDER};
use transmux_support::*;

const URL: &str = "https://cdn.example/vod/index.m3u8";

fn kind(text: &str) -> Kind {
    parse_playlist(text, URL)
        .expect_err("expected an error")
        .kind
}

// ── playlists ──────────────────────────────────────────────────────────────────────────────

#[test]
fn missing_required_tags_are_named() {
    assert_eq!(
        kind("#EXT-X-TARGETDURATION:2\n#EXTINF:2,\na.ts\n"),
        Kind::MissingHeader
    );
    assert_eq!(
        kind("x#EXTM3U\n#EXT-X-TARGETDURATION:2\n"),
        Kind::MissingHeader
    );
    assert_eq!(kind(""), Kind::MissingHeader);
    assert_eq!(
        kind("#EXTM3U\n#EXTINF:2,\na.ts\n#EXT-X-ENDLIST\n"),
        Kind::MissingTag {
            tag: "EXT-X-TARGETDURATION"
        }
    );
    assert_eq!(
        kind("#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXTINF:2,\n#EXTINF:2,\na.ts\n"),
        Kind::ExtinfWithoutUri
    );
    assert!(matches!(
        kind("#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXTINF:2,\n#EXT-X-ENDLIST\n"),
        Kind::MissingUri { .. } | Kind::ExtinfWithoutUri
    ));
    assert!(matches!(
        kind("#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1\n"),
        Kind::MissingUri { .. }
    ));
    assert_eq!(
        kind("#EXTM3U\n#EXT-X-STREAM-INF:RESOLUTION=2x2\nv.m3u8\n"),
        Kind::MissingAttribute
    );
}

#[test]
fn a_million_lines_without_a_single_uri() {
    // A million tags that each open a segment, and never a URI: one error, not a million
    // pending segments held in memory.
    let mut text = String::from("#EXTM3U\n#EXT-X-TARGETDURATION:2\n");
    for _ in 0..1_000_000 {
        text.push_str("#EXT-X-DISCONTINUITY\n");
    }
    text.push_str("#EXTINF:2,\n");
    let result = parse_playlist(&text, URL);
    assert!(
        matches!(&result, Err(e) if matches!(e.kind, Kind::MissingUri { .. } | Kind::ExtinfWithoutUri)),
        "{result:?}"
    );
}

#[test]
fn a_million_line_multivariant_playlist() {
    let mut text = String::from("#EXTM3U\n");
    for i in 0..500_000 {
        writeln!(text, "#EXT-X-STREAM-INF:BANDWIDTH={}\nv{i}.m3u8", i + 1).unwrap();
    }
    match parse_playlist(&text, URL) {
        Ok(Playlist::Multivariant(m)) => assert_eq!(m.variants.len(), 500_000),
        Ok(other) => panic!("parsed as {other:?}"),
        Err(e) => assert_eq!(e.line, 0, "a typed error is fine too: {e}"),
    }
}

#[test]
fn expansion_bomb_in_uri_lines() {
    // `playlist_limits.rs` covers bombs in attribute values; here the long value lands in a
    // million segment URIs, the place a real player would copy it.
    let value = "x".repeat(64 * 1024);
    let mut text =
        format!("#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXT-X-DEFINE:NAME=\"v\",VALUE=\"{value}\"\n");
    for _ in 0..1_000_000 {
        text.push_str("#EXTINF:2,\n{$v}{$v}{$v}{$v}.ts\n");
    }
    assert!(matches!(
        kind(&text),
        Kind::ExpansionLimit { .. } | Kind::OutOfRange { .. }
    ));
}

/// What the engine makes of a hostile media playlist as the only thing it can load: a fatal,
/// located `manifest_parse` error, and no request for any segment.
fn engine_error_for(playlist: &str) -> player_core::error::PlayerError {
    let mut sim = Sim::new(4, 2.0, 5_000_000.0);
    let url = format!("{BASE}/hostile.m3u8");
    sim.serve_text(&url, playlist);
    sim.load(&url);
    sim.run_for(5_000.0);
    let errors: Vec<_> = sim
        .events
        .iter()
        .filter_map(|e| match e {
            EngineEvent::Error(error) => Some(error.clone()),
            _ => None,
        })
        .collect();
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(
        sim.fetched.iter().all(|u| u.ends_with(".m3u8")),
        "{:?}",
        sim.fetched
    );
    errors[0].clone()
}

#[test]
fn the_engine_reports_hostile_playlists_as_one_fatal_parse_error() {
    let value = "y".repeat(1 << 20);
    let bomb = format!(
        "#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXT-X-DEFINE:NAME=\"a\",VALUE=\"{value}\"\n{}",
        "#EXTINF:2,\n{$a}{$a}{$a}{$a}{$a}{$a}{$a}{$a}.ts\n".repeat(2_000)
    );
    let cases = [
        ("#EXT-X-TARGETDURATION:2\n#EXTINF:2,\na.ts\n", "EXTM3U"),
        ("#EXTM3U\n#EXTINF:2,\na.ts\n#EXT-X-ENDLIST\n", "TARGETDURATION"),
        ("#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXTINF:NaN,\na.ts\n", "line 3"),
        ("#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXTINF:1e308,\na.ts\n", "line 3"),
        ("#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXTINF:-2,\na.ts\n", "line 3"),
        (
            "#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXTINF:2,\n#EXT-X-BYTERANGE:18446744073709551615@1\na.ts\n",
            "line 4",
        ),
        (bomb.as_str(), "budget"),
    ];
    for (playlist, says) in cases {
        let error = engine_error_for(playlist);
        assert_eq!(error.code, ErrorCode::ManifestParse, "{error:?}");
        assert!(error.fatal);
        assert!(
            error.message.contains(says),
            "{:?} should mention {says}",
            error.message
        );
        assert_eq!(error.url.as_deref(), Some(&*format!("{BASE}/hostile.m3u8")));
        assert!(
            error.message.len() < 1_000,
            "the message does not echo the input"
        );
    }
}

#[test]
fn huge_media_sequence_and_empty_playlists_do_not_wedge_the_engine() {
    // Numbers at the edge of u64 in a live playlist: the engine must keep working out which
    // segment is next without overflowing.
    let mut sim = Sim::new(4, 2.0, 5_000_000.0);
    for rung in LADDER {
        let text = sim::media_playlist(rung.name, 4, 2.0).replace(
            "#EXT-X-MEDIA-SEQUENCE:0",
            &format!("#EXT-X-MEDIA-SEQUENCE:{}", u64::MAX - 1),
        );
        sim.serve_text(&format!("{BASE}/{}/index.m3u8", rung.name), &text);
    }
    sim.load_ladder();
    sim.run_for(20_000.0);
    assert_eq!(sim.last_error(), None);
    let segments = sim.fetched.iter().filter(|u| u.ends_with(".m4s")).count();
    assert!(segments >= 4, "{:?}", sim.fetched);
    assert!(sim.ended_playing(), "played to the end");

    // A media playlist with no segment at all: nothing to play is said, not waited for.
    let mut sim = Sim::new(4, 2.0, 5_000_000.0);
    let url = format!("{BASE}/empty.m3u8");
    sim.serve_text(&url, "#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXT-X-ENDLIST\n");
    sim.load(&url);
    sim.run_for(5_000.0);
    let fetched_segments = sim.fetched.iter().filter(|u| !u.ends_with(".m3u8")).count();
    assert_eq!(fetched_segments, 0);
}

// ── MPEG-TS ────────────────────────────────────────────────────────────────────────────────

/// A real 1-second TS segment (H.264 + AAC) made once by ffmpeg, if it is available.
fn ts_segment() -> Option<&'static [u8]> {
    static SEGMENT: OnceLock<Option<Vec<u8>>> = OnceLock::new();
    SEGMENT
        .get_or_init(|| {
            if !have_ffmpeg("hostile_input (TS cases)") {
                return None;
            }
            let dir = TempDir::new("hostile-ts");
            let path = dir.path("seg.ts");
            encode_ts(&path, 1.0, Some(("96x64", &[])), Some(48_000), &[]);
            Some(std::fs::read(&path).expect("read segment"))
        })
        .as_deref()
}

fn ctx(start: f64) -> SegmentContext {
    SegmentContext {
        start,
        discontinuity_sequence: 0,
    }
}

/// xorshift64*: seeded, so a failure names an input that can be replayed.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

/// Output is at most a bounded multiple of the input: corruption cannot make it allocate or
/// emit without bound (e.g. a length field read as a sample count).
fn assert_bounded(
    input: &[u8],
    result: &Result<player_core::media::TransmuxedSegment, TransmuxError>,
) {
    if let Ok(out) = result {
        let size = out.media.len() + out.init.as_ref().map_or(0, Vec::len);
        assert!(
            size <= 2 * input.len() + 64 * 1024,
            "{size} bytes out of {}",
            input.len()
        );
        assert!(out.warnings.len() <= 32);
        assert!(
            out.start.is_finite() && out.end.is_finite() && out.end >= out.start,
            "{} – {}",
            out.start,
            out.end
        );
    }
}

#[test]
fn seeded_random_corruption_of_a_real_segment() {
    let Some(real) = ts_segment() else { return };
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let mut outcomes = [0usize; 2];
    for case in 0..300 {
        let mut data = real.to_vec();
        match case % 5 {
            // Flipped bytes anywhere, headers included.
            0 => {
                for _ in 0..1 + rng.below(64) {
                    let i = rng.below(data.len());
                    data[i] ^= 1 << rng.below(8);
                }
            }
            // Whole packets overwritten with noise.
            1 => {
                for _ in 0..1 + rng.below(8) {
                    let p = rng.below(data.len() / 188) * 188;
                    for b in &mut data[p + 1..p + 188] {
                        *b = rng.next() as u8;
                    }
                }
            }
            // Packets dropped (continuity gaps, cut PES packets).
            2 => {
                let packets: Vec<&[u8]> = data.chunks(188).collect();
                let keep: Vec<u8> = packets
                    .iter()
                    .filter(|_| rng.below(10) != 0)
                    .flat_map(|p| p.iter().copied())
                    .collect();
                data = keep;
            }
            // Cut short anywhere, mid-packet too.
            3 => data.truncate(rng.below(data.len())),
            // Bytes inserted: the 188-byte grid shifts.
            _ => {
                for _ in 0..1 + rng.below(4) {
                    let i = rng.below(data.len());
                    data.insert(i, rng.next() as u8);
                }
            }
        }
        let mut tx = Transmuxer::new();
        let result = tx.transmux(&data, ctx(0.0));
        assert_bounded(&data, &result);
        outcomes[result.is_ok() as usize] += 1;
        // The same transmuxer goes on with the next, intact segment: damage does not stick.
        let next = tx.transmux(
            real,
            SegmentContext {
                start: 1.0,
                discontinuity_sequence: 1,
            },
        );
        assert!(
            next.is_ok(),
            "case {case}: intact segment after a damaged one: {next:?}"
        );
    }
    // Most damage is repaired (a frame or packet skipped), not fatal to the segment.
    assert!(
        outcomes[1] > outcomes[0],
        "ok {} / failed {}",
        outcomes[1],
        outcomes[0]
    );
}

/// Rewrites the PID of every packet on `from` to `to`.
fn move_pid(data: &mut [u8], from: u16, to: u16) {
    for p in data.chunks_mut(188) {
        if p.len() == 188 && p[0] == 0x47 && (u16::from(p[1] & 0x1F) << 8 | u16::from(p[2])) == from
        {
            p[1] = (p[1] & 0xE0) | (to >> 8) as u8;
            p[2] = to as u8;
        }
    }
}

fn pids(data: &[u8]) -> Vec<u16> {
    let mut pids: Vec<u16> = data
        .chunks(188)
        .map(|p| u16::from(p[1] & 0x1F) << 8 | u16::from(p[2]))
        .collect();
    pids.sort_unstable();
    pids.dedup();
    pids
}

#[test]
fn wrong_pids() {
    let Some(real) = ts_segment() else { return };
    // ffmpeg's layout: PAT on 0, PMT on 0x1000, video 0x100, audio 0x101.
    assert_eq!(
        pids(real),
        [0, 0x11, 0x100, 0x101, 0x1000],
        "ffmpeg's PIDs changed"
    );

    // Media on PIDs the PMT does not list: nothing to play, said as such.
    let mut data = real.to_vec();
    move_pid(&mut data, 0x100, 0x200);
    move_pid(&mut data, 0x101, 0x201);
    let result = Transmuxer::new().transmux(&data, ctx(0.0));
    assert!(
        matches!(
            result,
            Err(TransmuxError::Empty | TransmuxError::MissingParameterSets { .. })
        ),
        "{result:?}"
    );

    // The PMT on a PID the PAT does not point to: no program.
    let mut data = real.to_vec();
    move_pid(&mut data, 0x1000, 0x1001);
    let result = Transmuxer::new().transmux(&data, ctx(0.0));
    assert_eq!(result.err(), Some(TransmuxError::NoProgram));

    // No PAT at all, only null packets: not a program.
    let nulls: Vec<u8> = (0..100)
        .flat_map(|_| {
            let mut p = vec![0x47, 0x1F, 0xFF, 0x10];
            p.resize(188, 0xFF);
            p
        })
        .collect();
    assert_eq!(
        Transmuxer::new().transmux(&nulls, ctx(0.0)).err(),
        Some(TransmuxError::NoProgram)
    );

    // Audio moved onto the video PID: two streams interleaved on one PID.
    let mut data = real.to_vec();
    move_pid(&mut data, 0x101, 0x100);
    let result = Transmuxer::new().transmux(&data, ctx(0.0));
    assert_bounded(&data, &result);
}

#[test]
fn zero_length_pes_packets() {
    let Some(real) = ts_segment() else { return };
    // The real segment's PAT and PMT, then empty PES packets on the video and audio PIDs.
    let psi: Vec<u8> = real
        .chunks(188)
        .filter(|p| matches!(u16::from(p[1] & 0x1F) << 8 | u16::from(p[2]), 0 | 0x1000))
        .take(2)
        .flatten()
        .copied()
        .collect();
    assert_eq!(pids(&psi), [0, 0x1000]);
    let mut cc = [0u8; 2];
    let empty = |pid: u16, stream_id: u8, cc: &mut u8| {
        // PES_packet_length 0 (allowed for video: "unbounded") and a header with no payload.
        let mut pes = vec![0, 0, 1, stream_id, 0, 0, 0x80, 0x00, 0];
        pes.truncate(9);
        packetize(pid, &pes, cc)
    };
    let mut only_empty = psi.clone();
    for _ in 0..50 {
        only_empty.extend(empty(0x100, 0xE0, &mut cc[0]));
        only_empty.extend(empty(0x101, 0xC0, &mut cc[1]));
    }
    let result = Transmuxer::new().transmux(&only_empty, ctx(0.0));
    assert!(
        matches!(
            result,
            Err(TransmuxError::Empty | TransmuxError::MissingParameterSets { .. })
        ),
        "{result:?}"
    );

    // A PES header that claims zero bytes and ends at once, in front of a real segment.
    let mut mixed = psi;
    // Continuity counter 15, so that the real packets (0 onwards) continue it rather than
    // look like duplicates to be dropped.
    mixed.extend(packetize(0x100, &pes_with_pts(0xE0, 0, &[]), &mut 15));
    mixed.extend(packetize(0x101, &pes_with_pts(0xC0, 0, &[]), &mut 15));
    mixed.extend_from_slice(real);
    let result = Transmuxer::new().transmux(&mixed, ctx(0.0));
    assert_bounded(&mixed, &result);
    let out = result.expect("the real media after the empty PES packets");
    assert!(out.has_video && out.has_audio);
}

// ── fMP4 ───────────────────────────────────────────────────────────────────────────────────

/// A real fragmented MP4 (init, then moof+mdat fragments), split at its first `moof`.
fn fmp4() -> Option<&'static (Vec<u8>, Vec<u8>)> {
    static FILE: OnceLock<Option<(Vec<u8>, Vec<u8>)>> = OnceLock::new();
    FILE.get_or_init(|| {
        if !have_ffmpeg("hostile_input (fMP4 cases)") {
            return None;
        }
        let dir = TempDir::new("hostile-fmp4");
        let path = dir.path("a.mp4");
        let path_str = path.to_string_lossy().into_owned();
        ffmpeg(&[
            "-f",
            "lavfi",
            "-i",
            "testsrc2=size=96x64:rate=30",
            "-f",
            "lavfi",
            "-i",
            "sine=frequency=440:sample_rate=48000",
            "-t",
            "1",
            "-c:v",
            "libx264",
            "-pix_fmt",
            "yuv420p",
            "-g",
            "15",
            "-c:a",
            "aac",
            "-movflags",
            "frag_keyframe+empty_moov+default_base_moof",
            "-f",
            "mp4",
            &path_str,
        ]);
        let bytes = std::fs::read(&path).expect("read fMP4");
        let moof = bytes.windows(4).position(|w| w == b"moof").expect("a moof") - 4;
        Some((bytes[..moof].to_vec(), bytes[moof..].to_vec()))
    })
    .as_ref()
}

#[test]
fn truncated_init_segments_are_typed_errors_at_every_length() {
    let Some((init, _)) = fmp4() else { return };
    assert!(Transmuxer::new().set_init_segment(init).is_ok());
    for len in 0..init.len() {
        let cut = &init[..len];
        let mut tx = Transmuxer::new();
        assert!(
            tx.set_init_segment(cut).is_err(),
            "init cut at {len} of {} was accepted",
            init.len()
        );
        assert!(
            codecs_from_init_segment(cut).is_err(),
            "codecs from init cut at {len}"
        );
    }
}

#[test]
fn truncated_media_segments_pass_or_fail_cleanly() {
    let Some((init, media)) = fmp4() else { return };
    let mut tx = Transmuxer::new();
    tx.set_init_segment(init).expect("init");
    assert!(tx.transmux(media, ctx(0.0)).is_ok());
    let step = (media.len() / 2_000).max(1);
    for len in (0..media.len()).step_by(step) {
        let cut = &media[..len];
        let result = tx.transmux(cut, ctx(0.0));
        assert_bounded(cut, &result);
    }
    // An init and its media in one body, cut anywhere.
    let whole: Vec<u8> = init.iter().chain(media.iter()).copied().collect();
    for len in (0..whole.len()).step_by(step) {
        let result = Transmuxer::new().transmux(&whole[..len], ctx(0.0));
        assert_bounded(&whole[..len], &result);
    }
}

#[test]
fn box_sizes_that_lie() {
    let Some((init, media)) = fmp4() else { return };
    // Every 32-bit box size in the first boxes set to 0 (to the end), 1 (64-bit size follows),
    // 7 (smaller than a header) and u32::MAX.
    let mut offsets = vec![0usize];
    let mut at = 0;
    while at + 8 <= init.len() {
        let size = u32::from_be_bytes(init[at..at + 4].try_into().unwrap()) as usize;
        if size < 8 {
            break;
        }
        // Into the box's children too, when it is a container we know.
        let fourcc = &init[at + 4..at + 8];
        at += if fourcc == b"moov" || fourcc == b"trak" || fourcc == b"mdia" {
            8
        } else {
            size
        };
        offsets.push(at);
    }
    for &offset in offsets.iter().filter(|&&o| o + 4 <= init.len()) {
        for size in [0u32, 1, 7, u32::MAX] {
            let mut bad = init.clone();
            bad[offset..offset + 4].copy_from_slice(&size.to_be_bytes());
            let _ = Transmuxer::new().set_init_segment(&bad);
            let _ = codecs_from_init_segment(&bad);
            let mut joined = bad.clone();
            joined.extend_from_slice(media);
            let result = Transmuxer::new().transmux(&joined, ctx(0.0));
            assert_bounded(&joined, &result);
        }
    }
}

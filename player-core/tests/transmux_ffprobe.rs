//! Real media through the transmuxer: ffmpeg makes MPEG-TS, we make fMP4, ffprobe counts
//! the frames of both. Skipped (with a notice) when ffmpeg/ffprobe are not on PATH.

mod transmux_support;

use std::path::Path;

use player_core::media::{Id3Frame, SegmentContext, TransmuxedSegment};
use transmux_support::*;

fn ctx(start: f64, discontinuity_sequence: u64) -> SegmentContext {
    SegmentContext {
        start,
        discontinuity_sequence,
    }
}

/// Asserts that the MP4 at `mp4` has the same frames, picture size and durations (within
/// one frame) as the TS at `ts`, and decodes without errors.
fn assert_same_media(ts: &Path, mp4: &Path) -> (Option<StreamStats>, Option<StreamStats>) {
    let (sv, sa) = probe(ts);
    let (ov, oa) = probe(mp4);
    eprintln!("source {}: video {sv:?} audio {sa:?}", ts.display());
    eprintln!("output {}: video {ov:?} audio {oa:?}", mp4.display());
    assert_eq!(sv.is_some(), ov.is_some(), "video stream presence");
    assert_eq!(sa.is_some(), oa.is_some(), "audio stream presence");
    if let (Some(s), Some(o)) = (sv, ov) {
        assert_eq!(o.frames, s.frames, "video frame count");
        assert_eq!(o.packets, s.packets, "video packet count");
        assert_eq!((o.width, o.height), (s.width, s.height), "picture size");
        assert!(
            (o.duration - s.duration).abs() <= 1.0 / 30.0 + 1e-6,
            "video duration {} vs {}",
            o.duration,
            s.duration
        );
    }
    if let (Some(s), Some(o)) = (sa, oa) {
        assert_eq!(o.frames, s.frames, "audio frame count");
        assert_eq!(o.packets, s.packets, "audio packet count");
        let frame = 1024.0 / 44_100.0;
        assert!(
            (o.duration - s.duration).abs() <= frame + 1e-6,
            "audio duration {} vs {}",
            o.duration,
            s.duration
        );
    }
    let errors = decode_errors(mp4);
    assert!(errors.is_empty(), "decoding our MP4 reported: {errors}");
    (ov, oa)
}

/// One segment through the transmuxer, compared with its source.
fn check_single(
    name: &str,
    video: Option<(&str, &[&str])>,
    audio: Option<u32>,
) -> TransmuxedSegment {
    let dir = TempDir::new(name);
    let ts_path = dir.path("in.ts");
    encode_ts(&ts_path, 2.0, video, audio, &[]);
    let ts = std::fs::read(&ts_path).unwrap();
    let mp4 = dir.path("out.mp4");
    let seg = transmux_to_file(&[(ts, ctx(0.0, 0))], &mp4).remove(0);
    assert!(seg.init.is_some());
    assert_eq!(seg.has_video, video.is_some());
    assert_eq!(seg.has_audio, audio.is_some());
    assert_eq!(seg.start, 0.0);
    let (v, a) = assert_same_media(&ts_path, &mp4);
    // Our own idea of each track's length agrees with what ffprobe reads back. (Not the
    // absolute start: ffmpeg delays B-frame video by its largest negative composition
    // offset, where browsers follow the file.)
    for (ours, probed) in [(seg.video_range, v), (seg.audio_range, a)] {
        if let (Some((s, e)), Some(p)) = (ours, probed) {
            let length = e - s;
            assert!(
                (length - p.duration).abs() < 1e-3,
                "length {length} vs ffprobe {}",
                p.duration
            );
        }
    }
    seg
}

#[test]
fn video_and_audio() {
    if !have_ffmpeg("video_and_audio") {
        return;
    }
    let seg = check_single(
        "av",
        Some(("320x240", &["-profile:v", "baseline"])),
        Some(44_100),
    );
    assert_eq!(seg.codecs, "avc1.42c00d,mp4a.40.2");
}

#[test]
fn video_only_with_cropping() {
    if !have_ffmpeg("video_only_with_cropping") {
        return;
    }
    // 360 lines are coded as 368 and cropped: the SPS cropping must be applied.
    let seg = check_single("video", Some(("640x360", &["-profile:v", "high"])), None);
    assert!(seg.codecs.starts_with("avc1.64"), "{}", seg.codecs);
    assert!(!seg.codecs.contains(','));
}

#[test]
fn audio_only() {
    if !have_ffmpeg("audio_only") {
        return;
    }
    let seg = check_single("audio", None, Some(44_100));
    assert_eq!(seg.codecs, "mp4a.40.2");
}

#[test]
fn b_frames_main_profile() {
    if !have_ffmpeg("b_frames_main_profile") {
        return;
    }
    let seg = check_single(
        "bframes",
        Some(("640x360", &["-profile:v", "main", "-bf", "2"])),
        Some(44_100),
    );
    assert!(seg.codecs.starts_with("avc1.4d"), "{}", seg.codecs);
}

/// Segment start times from a media playlist's EXTINF tags.
fn playlist_segments(m3u8: &str) -> Vec<(String, f64)> {
    let mut out = Vec::new();
    let mut start = 0.0;
    let mut duration = None;
    for line in m3u8.lines() {
        if let Some(d) = line.strip_prefix("#EXTINF:") {
            duration = d.split(',').next().and_then(|d| d.parse::<f64>().ok());
        } else if !line.starts_with('#') && !line.trim().is_empty() {
            out.push((line.trim().to_owned(), start));
            start += duration.take().expect("EXTINF before URI");
        }
    }
    out
}

#[test]
fn hls_stream_of_several_segments() {
    if !have_ffmpeg("hls_stream_of_several_segments") {
        return;
    }
    let dir = TempDir::new("hls");
    let seg_pattern = dir.path("seg%d.ts");
    let playlist = dir.path("index.m3u8");
    ffmpeg(&[
        "-f",
        "lavfi",
        "-i",
        "testsrc2=size=426x240:rate=30",
        "-f",
        "lavfi",
        "-i",
        "sine=frequency=300:sample_rate=44100",
        "-t",
        "4",
        "-c:v",
        "libx264",
        "-profile:v",
        "main",
        "-bf",
        "2",
        "-g",
        "30",
        "-c:a",
        "aac",
        "-ac",
        "2",
        "-f",
        "hls",
        "-hls_time",
        "2",
        "-hls_list_size",
        "0",
        "-hls_segment_filename",
        seg_pattern.to_str().unwrap(),
        playlist.to_str().unwrap(),
    ]);
    let segments = playlist_segments(&std::fs::read_to_string(&playlist).unwrap());
    assert_eq!(segments.len(), 2, "{segments:?}");
    let mut all_ts = Vec::new();
    let mut inputs = Vec::new();
    for (uri, start) in &segments {
        let ts = std::fs::read(dir.path(uri)).unwrap();
        all_ts.extend_from_slice(&ts);
        inputs.push((ts, ctx(*start, 0)));
    }
    let source = dir.path("all.ts");
    std::fs::write(&source, &all_ts).unwrap();
    let mp4 = dir.path("out.mp4");
    let out = transmux_to_file(&inputs, &mp4);
    assert!(out[0].init.is_some());
    assert!(out[1].init.is_none(), "same encode: one init segment");
    assert_eq!(out[0].start, 0.0);
    // Same discontinuity sequence: each track continues exactly where it ended (the audio
    // of a segment ends a little before its video, and the next one starts as early).
    let (v0, v1) = (out[0].video_range.unwrap(), out[1].video_range.unwrap());
    let (a0, a1) = (out[0].audio_range.unwrap(), out[1].audio_range.unwrap());
    assert!((v1.0 - v0.1).abs() < 1e-6, "video {v0:?} then {v1:?}");
    assert!((a1.0 - a0.1).abs() < 1e-6, "audio {a0:?} then {a1:?}");
    assert_same_media(&source, &mp4);
}

#[test]
fn discontinuity_between_two_encodes_is_continuous() {
    if !have_ffmpeg("discontinuity_between_two_encodes_is_continuous") {
        return;
    }
    let dir = TempDir::new("disc");
    let (a_path, b_path) = (dir.path("a.ts"), dir.path("b.ts"));
    let v: Option<(&str, &[&str])> = Some(("320x240", &["-profile:v", "main"]));
    encode_ts(&a_path, 2.0, v, Some(44_100), &[]);
    // A different encode whose timestamps start 1000 s later.
    encode_ts(
        &b_path,
        2.0,
        v,
        Some(44_100),
        &["-output_ts_offset", "1000"],
    );
    let (a, b) = (
        std::fs::read(&a_path).unwrap(),
        std::fs::read(&b_path).unwrap(),
    );
    let mp4 = dir.path("out.mp4");
    let out = transmux_to_file(&[(a, ctx(0.0, 0)), (b, ctx(2.0, 1))], &mp4);
    let frame = 1.0 / 30.0;
    assert!(
        (out[1].start - 2.0).abs() < 1e-9,
        "mapped to the playlist time: {}",
        out[1].start
    );
    // Video is continuous across the discontinuity. The union range is not compared: the
    // AAC encoder made each encode's audio 2 frames longer than its video, and that
    // overlap is the media's own (MSE replaces the overlapped frames).
    let (v0, v1) = (out[0].video_range.unwrap(), out[1].video_range.unwrap());
    assert!((v1.0 - v0.1).abs() <= frame, "video {v0:?} then {v1:?}");
    // No gap anywhere: a gap would stall playback.
    assert!(
        out[1].start <= out[0].end + 1e-9,
        "{} after {}",
        out[1].start,
        out[0].end
    );
    let (a0, a1) = (out[0].audio_range.unwrap(), out[1].audio_range.unwrap());
    assert!(
        a1.0 <= a0.1 + 1e-9 && a0.1 - a1.0 <= 3.0 * 1024.0 / 44_100.0,
        "audio {a0:?} then {a1:?}"
    );
    let (v, a) = probe(&mp4);
    let (sv, sa) = (probe(&a_path), probe(&b_path));
    let v = v.unwrap();
    assert_eq!(v.frames, sv.0.unwrap().frames + sa.0.unwrap().frames);
    // The two encodes' audio overlaps by two frames (see above); ffmpeg's decoder drops one
    // where time steps back, so count the audio packets: every frame must be there.
    assert_eq!(
        a.unwrap().packets,
        sv.1.unwrap().packets + sa.1.unwrap().packets
    );
    // No 1000-second hole: the joined video lasts what its two parts last.
    let parts = sv.0.unwrap().duration + sa.0.unwrap().duration;
    assert!(
        (v.duration - parts).abs() <= frame + 1e-6,
        "{} vs {parts}",
        v.duration
    );
    let errors = decode_errors(&mp4);
    assert!(errors.is_empty(), "{errors}");
}

/// Adds a timed-metadata stream (stream_type 0x15, Apple's ID3 metadata descriptor) to the
/// PMTs of an ffmpeg-made TS, and inserts `tags` as PES packets on `pid` at mid-file.
fn inject_id3(ts: &[u8], pid: u16, tags: &[(u64, Vec<u8>)]) -> Vec<u8> {
    let pid_of = |p: &[u8]| u16::from(p[1] & 0x1F) << 8 | u16::from(p[2]);
    let pat = ts.chunks(188).find(|p| pid_of(p) == 0).expect("PAT");
    let pmt_pid = u16::from(pat[15] & 0x1F) << 8 | u16::from(pat[16]);
    let mut out = Vec::new();
    let packets: Vec<&[u8]> = ts.chunks(188).collect();
    for (i, p) in packets.iter().enumerate() {
        if pid_of(p) == pmt_pid {
            assert_eq!(p[3] & 0x30, 0x10, "PMT without adaptation field");
            let section = &p[5..];
            let len = 3 + (usize::from(section[1] & 0x0F) << 8 | usize::from(section[2]));
            let mut s = section[..len - 4].to_vec();
            let descriptor = b"\x26\x0d\xff\xffID3 \xffID3 \x00\x0f";
            s.extend([
                0x15,
                0xE0 | (pid >> 8) as u8,
                pid as u8,
                0xF0,
                descriptor.len() as u8,
            ]);
            s.extend_from_slice(descriptor);
            let new_len = s.len() + 4 - 3;
            s[1] = 0xB0 | (new_len >> 8) as u8;
            s[2] = new_len as u8;
            let crc = crc32_mpeg2(&s);
            s.extend(crc.to_be_bytes());
            let mut np = p[..5].to_vec();
            np.extend(s);
            np.resize(188, 0xFF);
            out.extend(np);
        } else {
            out.extend_from_slice(p);
        }
        if i == packets.len() / 2 {
            let mut cc = 0;
            for (pts, tag) in tags {
                out.extend(packetize(pid, &pes_with_pts(0xBD, *pts, tag), &mut cc));
            }
        }
    }
    out
}

#[test]
fn id3_timed_metadata_becomes_cues() {
    if !have_ffmpeg("id3_timed_metadata_becomes_cues") {
        return;
    }
    let dir = TempDir::new("id3");
    let ts_path = dir.path("in.ts");
    encode_ts(
        &ts_path,
        2.0,
        Some(("320x240", &["-profile:v", "main"])),
        Some(44_100),
        &[],
    );
    let ts = std::fs::read(&ts_path).unwrap();
    // ffmpeg starts TS timestamps at 1.4 s; the earliest PTS is the first audio frame's.
    let (v, a) = probe(&ts_path);
    let earliest = v.unwrap().start.min(a.unwrap().start);
    let earliest_pts = (earliest * 90_000.0).round() as u64;
    let value = r#"{"product":"tee"}"#;
    let tagged = inject_id3(
        &ts,
        0x1F0,
        &[
            (earliest_pts + 90_000, id3_txxx("shoppable", value)),
            (earliest_pts + 135_000, id3_txxx("other", "x")),
        ],
    );
    let tagged_path = dir.path("tagged.ts");
    std::fs::write(&tagged_path, &tagged).unwrap();
    let mp4 = dir.path("out.mp4");
    let seg = transmux_to_file(&[(tagged, ctx(30.0, 0))], &mp4).remove(0);
    assert!(seg.warnings.is_empty(), "{:?}", seg.warnings);
    assert_eq!(seg.cues.len(), 2);
    assert!(
        (seg.cues[0].time - 31.0).abs() < 1e-4,
        "cue at {}",
        seg.cues[0].time
    );
    assert_eq!(
        seg.cues[0].frames,
        [Id3Frame::Txxx {
            description: "shoppable".into(),
            value: value.into()
        }]
    );
    assert!((seg.cues[1].time - 31.5).abs() < 1e-4);
    // The metadata stream does not disturb the media.
    assert_same_media(&ts_path, &mp4);
}

//! Shared by the `transmux_*` integration tests: running ffmpeg/ffprobe, temporary
//! directories, and building MPEG-TS packets by hand.
#![allow(dead_code)] // each test binary uses a different subset

use std::path::{Path, PathBuf};
use std::process::Command;

use player_core::media::{SegmentContext, TransmuxedSegment, Transmuxer};

/// True when ffmpeg and ffprobe can run; prints a notice otherwise (the caller then skips).
pub fn have_ffmpeg(test: &str) -> bool {
    let ok = |tool: &str| {
        Command::new(tool)
            .arg("-version")
            .output()
            .is_ok_and(|o| o.status.success())
    };
    let have = ok("ffmpeg") && ok("ffprobe");
    if !have {
        eprintln!("SKIPPED {test}: ffmpeg/ffprobe not found on PATH");
    }
    have
}

/// A directory under the system temp dir, removed on drop.
pub struct TempDir(pub PathBuf);

impl TempDir {
    pub fn new(name: &str) -> Self {
        let dir = std::env::temp_dir().join(format!("shoppable-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("create temp dir");
        Self(dir)
    }

    pub fn path(&self, file: &str) -> PathBuf {
        self.0.join(file)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Runs ffmpeg quietly with `args`, panicking with its stderr on failure.
pub fn ffmpeg(args: &[&str]) {
    let out = Command::new("ffmpeg")
        .args(["-hide_banner", "-loglevel", "error", "-y"])
        .args(args)
        .output()
        .expect("run ffmpeg");
    assert!(
        out.status.success(),
        "ffmpeg {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Test-pattern video and a sine tone. `video`: (size, extra x264 args); `audio`: sample rate.
pub fn encode_ts(
    out: &Path,
    seconds: f64,
    video: Option<(&str, &[&str])>,
    audio: Option<u32>,
    extra: &[&str],
) {
    let t = seconds.to_string();
    let mut args: Vec<String> = Vec::new();
    if let Some((size, _)) = video {
        args.extend(["-f", "lavfi", "-i"].map(String::from));
        args.push(format!("testsrc2=size={size}:rate=30"));
    }
    if let Some(rate) = audio {
        args.extend(["-f", "lavfi", "-i"].map(String::from));
        args.push(format!("sine=frequency=440:sample_rate={rate}"));
    }
    args.extend(["-t".into(), t]);
    match video {
        Some((_, x264)) => {
            args.extend(["-c:v", "libx264", "-pix_fmt", "yuv420p", "-g", "30"].map(String::from));
            args.extend(x264.iter().map(|s| s.to_string()));
        }
        None => args.push("-vn".into()),
    }
    match audio {
        Some(_) => args.extend(["-c:a", "aac", "-ac", "2", "-b:a", "96k"].map(String::from)),
        None => args.push("-an".into()),
    }
    args.extend(extra.iter().map(|s| s.to_string()));
    args.extend(["-f", "mpegts"].map(String::from));
    args.push(out.to_string_lossy().into_owned());
    let refs: Vec<&str> = args.iter().map(String::as_str).collect();
    ffmpeg(&refs);
}

/// What ffprobe says about one stream of a file.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct StreamStats {
    /// Frames decoded (`-count_frames`).
    pub frames: u64,
    /// Packets demuxed (`-count_packets`).
    pub packets: u64,
    pub width: u32,
    pub height: u32,
    /// From the packets: end of the last presented packet minus start of the first.
    pub duration: f64,
    pub start: f64,
}

/// (video, audio) statistics of the first stream of each kind.
pub fn probe(path: &Path) -> (Option<StreamStats>, Option<StreamStats>) {
    let mut result = (None, None);
    for (kind, slot) in [("v", &mut result.0), ("a", &mut result.1)] {
        let out = Command::new("ffprobe")
            .args([
                "-v",
                "error",
                "-count_frames",
                "-count_packets",
                "-select_streams",
                &format!("{kind}:0"),
            ])
            .args([
                "-show_entries",
                "stream=nb_read_frames,nb_read_packets,width,height",
                "-of",
                "default=nw=1",
            ])
            .arg(path)
            .output()
            .expect("run ffprobe");
        let text = String::from_utf8_lossy(&out.stdout).into_owned();
        let field = |name: &str| {
            text.lines()
                .find_map(|l| l.strip_prefix(name).and_then(|v| v.strip_prefix('=')))
                .and_then(|v| v.trim().parse::<u64>().ok())
        };
        let Some(frames) = field("nb_read_frames") else {
            continue;
        };
        let packets = Command::new("ffprobe")
            .args(["-v", "error", "-select_streams", &format!("{kind}:0")])
            .args([
                "-show_entries",
                "packet=pts_time,duration_time",
                "-of",
                "csv=p=0",
            ])
            .arg(path)
            .output()
            .expect("run ffprobe");
        let (mut start, mut end) = (f64::INFINITY, f64::NEG_INFINITY);
        for line in String::from_utf8_lossy(&packets.stdout).lines() {
            // ffprobe prints N/A for a duration it does not know (e.g. an MP4's first AAC frame).
            let mut it = line.split(',').map(|v| v.trim().parse::<f64>().ok());
            if let Some(Some(pts)) = it.next() {
                start = start.min(pts);
                end = end.max(pts + it.next().flatten().unwrap_or(0.0));
            }
        }
        *slot = Some(StreamStats {
            frames,
            packets: field("nb_read_packets").expect("ffprobe nb_read_packets"),
            width: field("width").unwrap_or(0) as u32,
            height: field("height").unwrap_or(0) as u32,
            duration: end - start,
            start,
        });
    }
    result
}

/// Decodes a file completely; returns ffmpeg's error output (empty when clean).
pub fn decode_errors(path: &Path) -> String {
    let out = Command::new("ffmpeg")
        .args(["-hide_banner", "-v", "error", "-i"])
        .arg(path)
        .args(["-f", "null", "-"])
        .output()
        .expect("run ffmpeg");
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Transmuxes segments in order, writing init + fragments to `out` as one MP4 file.
pub fn transmux_to_file(
    segments: &[(Vec<u8>, SegmentContext)],
    out: &Path,
) -> Vec<TransmuxedSegment> {
    let mut tx = Transmuxer::new();
    let mut file = Vec::new();
    let mut results = Vec::new();
    for (i, (ts, ctx)) in segments.iter().enumerate() {
        let seg = tx
            .transmux(ts, *ctx)
            .unwrap_or_else(|e| panic!("segment {i}: {e}"));
        if let Some(init) = &seg.init {
            file.extend_from_slice(init);
        }
        file.extend_from_slice(&seg.media);
        results.push(seg);
    }
    std::fs::write(out, file).expect("write mp4");
    results
}

/// CRC-32/MPEG-2 of a PSI section.
pub fn crc32_mpeg2(data: &[u8]) -> u32 {
    let mut crc = 0xFFFF_FFFFu32;
    for &b in data {
        crc ^= u32::from(b) << 24;
        for _ in 0..8 {
            crc = if crc & 0x8000_0000 != 0 {
                crc << 1 ^ 0x04C1_1DB7
            } else {
                crc << 1
            };
        }
    }
    crc
}

/// A PES packet with a PTS and PES_packet_length set.
pub fn pes_with_pts(stream_id: u8, pts: u64, payload: &[u8]) -> Vec<u8> {
    let len = 3 + 5 + payload.len();
    let mut p = vec![
        0,
        0,
        1,
        stream_id,
        (len >> 8) as u8,
        len as u8,
        0x80,
        0x80,
        5,
    ];
    p.extend([
        0x21 | ((pts >> 30) as u8 & 7) << 1,
        (pts >> 22) as u8,
        ((pts >> 15) as u8 & 0x7F) << 1 | 1,
        (pts >> 7) as u8,
        (pts as u8 & 0x7F) << 1 | 1,
    ]);
    p.extend_from_slice(payload);
    p
}

/// Splits `data` into 188-byte packets on `pid` (stuffing the last one), unit start on the
/// first.
pub fn packetize(pid: u16, data: &[u8], cc: &mut u8) -> Vec<u8> {
    let mut out = Vec::new();
    for (i, chunk) in data.chunks(184).enumerate() {
        let mut p = vec![
            0x47,
            if i == 0 { 0x40 } else { 0 } | (pid >> 8) as u8,
            pid as u8,
        ];
        let stuffing = 184 - chunk.len();
        if stuffing == 0 {
            p.push(0x10 | *cc);
        } else {
            p.push(0x30 | *cc);
            p.push((stuffing - 1) as u8);
            if stuffing > 1 {
                p.push(0);
                p.resize(p.len() + stuffing - 2, 0xFF);
            }
        }
        p.extend_from_slice(chunk);
        out.extend(p);
        *cc = (*cc + 1) & 0xF;
    }
    out
}

/// An ID3v2.4 tag holding one UTF-8 TXXX frame.
pub fn id3_txxx(description: &str, value: &str) -> Vec<u8> {
    let mut body = vec![3];
    body.extend_from_slice(description.as_bytes());
    body.push(0);
    body.extend_from_slice(value.as_bytes());
    let syncsafe = |n: usize| {
        [
            (n >> 21) as u8 & 0x7F,
            (n >> 14) as u8 & 0x7F,
            (n >> 7) as u8 & 0x7F,
            n as u8 & 0x7F,
        ]
    };
    let mut frame = b"TXXX".to_vec();
    frame.extend(syncsafe(body.len()));
    frame.extend([0, 0]);
    frame.extend(body);
    let mut tag = b"ID3\x04\x00\x00".to_vec();
    tag.extend(syncsafe(frame.len()));
    tag.extend(frame);
    tag
}

//! Every MPEG-TS rendition of the generated fixtures through the engine's transmuxer, segment
//! after segment as the player feeds it, checked by ffprobe: the fMP4 we produce must decode to
//! as many video and audio frames, at the same picture size, as the TS segments it came from.
//!
//! Needs ffmpeg/ffprobe (and openssl for the AES fixture): the fixtures are generated here when
//! missing, and a missing tool fails the test rather than skipping it.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Mutex, OnceLock};

use player_core::hls::playlist::{KeyMethod, MediaPlaylist};
use serde_json::Value;
use xtask::inspect::mp4;
use xtask::transmux::{load_media_playlist, transmux_segments, SegmentInput};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask has a parent directory")
        .to_path_buf()
}

/// The fixtures directory, generated (once per test binary) if absent or out of date.
fn streams() -> PathBuf {
    // Tests run on parallel threads; generation removes and rewrites directories.
    static GENERATED: OnceLock<Result<(), String>> = OnceLock::new();
    static LOCK: Mutex<()> = Mutex::new(());
    let _guard = LOCK.lock().unwrap_or_else(|e| e.into_inner());
    let result =
        GENERATED.get_or_init(|| xtask::fixtures::generate(&root()).map_err(|e| format!("{e:#}")));
    if let Err(error) = result {
        panic!("the fixtures could not be generated: {error}");
    }
    root().join(xtask::fixtures::STREAMS_DIR)
}

/// What ffprobe finds in a file's first video and first audio stream, by decoding it.
#[derive(Debug, PartialEq)]
struct Probe {
    /// `(frames, width, height)`.
    video: Option<(u64, u64, u64)>,
    audio_frames: Option<u64>,
}

fn probe(file: &Path) -> Probe {
    let stream = |selector: &str| -> Option<Value> {
        let output = Command::new("ffprobe")
            .args(["-v", "error", "-count_frames", "-select_streams", selector])
            .args([
                "-show_entries",
                "stream=nb_read_frames,width,height",
                "-of",
                "json",
            ])
            .arg(file)
            .output()
            .expect("ffprobe runs (install ffmpeg)");
        assert!(
            output.status.success(),
            "ffprobe {} failed: {}",
            file.display(),
            String::from_utf8_lossy(&output.stderr)
        );
        let json: Value = serde_json::from_slice(&output.stdout).expect("ffprobe prints JSON");
        json["streams"].as_array()?.first().cloned()
    };
    let number = |value: &Value, key: &str| -> u64 {
        value[key]
            .as_str()
            .and_then(|s| s.parse().ok())
            .or_else(|| value[key].as_u64())
            .unwrap_or_else(|| panic!("ffprobe gave no {key} for {}: {value}", file.display()))
    };
    Probe {
        video: stream("v:0").map(|v| {
            (
                number(&v, "nb_read_frames"),
                number(&v, "width"),
                number(&v, "height"),
            )
        }),
        audio_frames: stream("a:0").map(|a| number(&a, "nb_read_frames")),
    }
}

/// A directory under the system temp dir, removed by [`Scratch::done`] once the checks passed:
/// a failing test leaves its files behind to be looked at.
struct Scratch(PathBuf);

impl Scratch {
    fn new(name: &str) -> Self {
        let dir = std::env::temp_dir().join(format!(
            "xtask-transmux-{}-{}",
            name.replace('/', "-"),
            std::process::id()
        ));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).expect("create a scratch directory");
        Self(dir)
    }

    fn done(self) {
        let _ = fs::remove_dir_all(&self.0);
    }
}

/// Transmuxes every segment of `playlist` (relative to the streams directory) in order with one
/// transmuxer and compares each MP4 period with the TS segments it came from. Returns the
/// loaded playlist and segments for fixture-specific checks.
fn check_rendition(playlist: &str) -> (MediaPlaylist, Vec<SegmentInput>) {
    let path = streams().join(playlist);
    let (media, inputs) =
        load_media_playlist(&path).unwrap_or_else(|e| panic!("loading {playlist} failed: {e:#}"));
    assert!(!inputs.is_empty(), "{playlist} has no segments");
    let transmuxed = transmux_segments(&inputs).unwrap_or_else(|e| panic!("{playlist}: {e:#}"));
    let scratch = Scratch::new(playlist);

    for (index, segment) in transmuxed.segments.iter().enumerate() {
        // Our output sits on the playlist's timeline, whatever the source timestamps (the
        // ladder's start at 1.4 s, the spliced part's at 51.4 s). A little slack: audio
        // and video of a segment do not start at the same instant.
        let expected = inputs[index].context.start;
        assert!(
            (segment.start - expected).abs() < 0.1,
            "{playlist}: segment {index} starts at {} on our timeline, the playlist says {expected}",
            segment.start
        );
        assert!(
            segment.warnings.is_empty(),
            "{playlist}: segment {index}: {:?}",
            segment.warnings
        );
    }

    let mut report = Vec::new();
    for (number, period) in transmuxed.periods.iter().enumerate() {
        let ours = scratch.0.join(format!("ours-{number}.mp4"));
        fs::write(&ours, period.file_bytes()).unwrap();
        let source = scratch.0.join(format!("source-{number}.ts"));
        let source_bytes: Vec<u8> = inputs[period.segments.clone()]
            .iter()
            .flat_map(|input| input.bytes.iter().copied())
            .collect();
        fs::write(&source, source_bytes).unwrap();

        let expected = probe(&source);
        let got = probe(&ours);
        report.push(format!(
            "{playlist} segments {:?}: source {expected:?}, ours {got:?}",
            period.segments
        ));
        assert!(
            expected.video.is_some_and(|v| v.0 > 0) || expected.audio_frames.is_some_and(|a| a > 0),
            "{playlist}: ffprobe found no frames in the source segments {:?}",
            period.segments
        );
        assert_eq!(
            got, expected,
            "{playlist}, segments {:?} (video frames, width, height; audio frames): \
             our fMP4 vs the source TS",
            period.segments
        );

        // Our own reading of the trun boxes agrees with what ffprobe decoded: no sample is
        // listed that does not decode, and none decodes that is not listed.
        let tracks = mp4::tracks(&period.init).unwrap();
        let samples = mp4::fragment_samples(&period.fragments, &tracks).unwrap();
        for track in &tracks {
            let listed = samples.get(&track.id).map_or(0, |s| s.samples);
            let decoded = match track.handler.as_str() {
                "vide" => got.video.map(|v| v.0),
                "soun" => got.audio_frames,
                _ => continue,
            };
            assert_eq!(
                Some(listed),
                decoded,
                "{playlist}: track {} ({}) lists {listed} samples in its trun boxes",
                track.id,
                track.handler
            );
        }
    }
    eprintln!("{}", report.join("\n"));
    scratch.done();
    (media, inputs)
}

#[test]
fn vod_ts_ladder_360p() {
    check_rendition("vod-ts/360p/index.m3u8");
}

#[test]
fn vod_ts_ladder_240p() {
    check_rendition("vod-ts/240p/index.m3u8");
}

#[test]
fn vod_ts_ladder_144p() {
    check_rendition("vod-ts/144p/index.m3u8");
}

#[test]
fn vod_audio_only() {
    let (_, inputs) = check_rendition("vod-audio-only/audio/index.m3u8");
    let whole: Vec<u8> = inputs.iter().flat_map(|i| i.bytes.clone()).collect();
    let scratch = Scratch::new("audio-only-source");
    let file = scratch.0.join("all.ts");
    fs::write(&file, whole).unwrap();
    let source = probe(&file);
    assert_eq!(
        source.video, None,
        "the audio-only fixture has a video stream"
    );
    scratch.done();
}

#[test]
fn vod_discontinuity() {
    let path = streams().join("vod-discontinuity/spliced/index.m3u8");
    let (media, inputs) = load_media_playlist(&path).unwrap();
    let sequences: Vec<u64> = media
        .segments
        .iter()
        .map(|s| s.discontinuity_sequence)
        .collect();
    assert_eq!(
        sequences,
        [0, 0, 0, 0, 0, 1, 1, 1, 1, 1],
        "the fixture splices two 10 s parts with one EXT-X-DISCONTINUITY"
    );
    // A new SPS (another picture size) must bring a new init segment: two MP4 periods.
    let transmuxed = transmux_segments(&inputs).unwrap();
    assert_eq!(
        transmuxed
            .periods
            .iter()
            .map(|p| p.segments.clone())
            .collect::<Vec<_>>(),
        [0..5, 5..10],
        "init segments were emitted at other segments than the first and the splice"
    );
    check_rendition("vod-discontinuity/spliced/index.m3u8");
}

#[test]
fn vod_byterange_ts_360p() {
    let (media, _) = check_rendition("vod-byterange-ts/360p/index.m3u8");
    assert_one_file_in_ranges(&media);
}

#[test]
fn vod_byterange_ts_240p() {
    let (media, _) = check_rendition("vod-byterange-ts/240p/index.m3u8");
    assert_one_file_in_ranges(&media);
}

fn assert_one_file_in_ranges(media: &MediaPlaylist) {
    assert!(media.segments.iter().all(|s| s.byte_range.is_some()));
    assert!(media
        .segments
        .iter()
        .all(|s| media.url_of(s) == media.url_of(&media.segments[0])));
}

/// Also proves the IVs right: the decrypted segments are byte for byte the ladder's clear ones.
/// (A wrong IV garbles only the first 16 bytes of each segment, which no frame count notices.)
#[test]
fn vod_aes_360p_explicit_iv_and_key_rotation() {
    let (media, inputs) = check_rendition("vod-aes/360p/index.m3u8");
    assert_aes_with_one_rotation(&media, true);
    assert_decrypts_to_clear_ladder(&inputs, "360p");
}

#[test]
fn vod_aes_240p_iv_from_media_sequence_and_key_rotation() {
    let (media, inputs) = check_rendition("vod-aes/240p/index.m3u8");
    assert_ne!(
        media.media_sequence, 0,
        "a sequence-derived IV of 0 would prove little"
    );
    assert_aes_with_one_rotation(&media, false);
    assert_decrypts_to_clear_ladder(&inputs, "240p");
}

/// Every segment under AES-128, with explicit IVs or none at all, and two keys in turn.
fn assert_aes_with_one_rotation(media: &MediaPlaylist, explicit_iv: bool) {
    let keys: Vec<_> = (0..media.segments.len())
        .map(|i| media.identity_key(i).expect("every segment is encrypted"))
        .collect();
    for key in &keys {
        assert_eq!(key.method, KeyMethod::Aes128);
        assert_eq!(key.iv.is_some(), explicit_iv, "IV attribute of {key:?}");
    }
    let mut uris: Vec<_> = keys.iter().map(|k| k.uri.clone()).collect();
    uris.dedup();
    assert_eq!(uris.len(), 2, "the key rotates once: {uris:?}");
}

fn assert_decrypts_to_clear_ladder(inputs: &[SegmentInput], rendition: &str) {
    let clear_dir = streams().join("vod-ts").join(rendition);
    for (index, input) in inputs.iter().enumerate() {
        let clear = fs::read(clear_dir.join(format!("seg_{index:03}.ts"))).unwrap();
        assert!(
            input.bytes == clear,
            "segment {index} of vod-aes/{rendition} does not decrypt to vod-ts/{rendition}'s \
             (first bytes {:02x?} vs {:02x?})",
            &input.bytes[..16.min(input.bytes.len())],
            &clear[..16.min(clear.len())]
        );
    }
}

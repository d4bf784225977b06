//! Test and demo streams, generated with ffmpeg at set-up rather than committed: real H.264/AAC
//! HLS in both container formats the player must handle, small enough to make in seconds.
//!
//! Each fixture is a small function plus a recipe version; bumping the version regenerates that
//! fixture (and the fixtures made from its output) on the next run. New fixtures are added to
//! [`FIXTURES`], reusing the encode/package/master steps below; those that only repackage the
//! ladder live in [`vod_cases`].

use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use anyhow::{bail, Context, Result};

use crate::process;

mod vod_cases;

pub const STREAMS_DIR: &str = "tests/fixtures/streams";

struct Fixture {
    name: &'static str,
    /// Bump when the recipe changes, so existing clones regenerate.
    version: u32,
    /// Fixtures whose output this one is made from (listed earlier in [`FIXTURES`]). Their
    /// recipes are part of this one's, so regenerating them regenerates this one too.
    needs: &'static [&'static str],
    /// Directories under [`STREAMS_DIR`] that the fixture owns (removed before regenerating).
    outputs: &'static [&'static str],
    generate: fn(&FixtureDirs) -> Result<()>,
}

const FIXTURES: &[Fixture] = &[
    Fixture {
        name: "vod-ladder",
        version: 1,
        needs: &[],
        outputs: &["vod-fmp4", "vod-ts"],
        generate: vod_ladder,
    },
    Fixture {
        name: "vod-byterange",
        version: 1,
        needs: &["vod-ladder"],
        outputs: &["vod-byterange", "vod-byterange-ts"],
        generate: vod_cases::byte_range,
    },
    Fixture {
        name: "vod-aes",
        version: 2,
        needs: &["vod-ladder"],
        outputs: &["vod-aes"],
        generate: vod_cases::aes,
    },
    Fixture {
        name: "vod-audio-only",
        version: 1,
        needs: &["vod-ladder"],
        outputs: &["vod-audio-only"],
        generate: vod_cases::audio_only,
    },
    Fixture {
        name: "vod-discontinuity",
        version: 2,
        needs: &["vod-ladder"],
        outputs: &["vod-discontinuity", "vod-discontinuity-fmp4"],
        generate: vod_cases::discontinuity,
    },
    Fixture {
        name: "vod-vertical",
        version: 1,
        needs: &[],
        outputs: &["vod-vertical"],
        generate: vod_vertical,
    },
];

/// Where a fixture writes: its final directories under `streams`, scratch files under `work`.
struct FixtureDirs {
    streams: PathBuf,
    work: PathBuf,
}

/// Generates the fixtures whose recipe changed or whose output is missing; prints nothing when
/// all are current.
pub fn generate(root: &Path) -> Result<()> {
    let streams = root.join(STREAMS_DIR);
    let all_started = Instant::now();
    let mut generated = 0;
    for fixture in FIXTURES {
        let stamp = streams.join(format!(".{}.recipe", fixture.name));
        let recipe = recipe(fixture)?;
        let complete = fixture
            .outputs
            .iter()
            .all(|output| streams.join(output).is_dir());
        if complete && fs::read_to_string(&stamp).is_ok_and(|found| found == recipe) {
            continue;
        }
        generated += 1;
        let started = Instant::now();
        println!("fixtures: generating {}", fixture.name);
        for output in fixture.outputs {
            remove_dir_if_present(&streams.join(output))?;
        }
        let dirs = FixtureDirs {
            work: streams.join(format!(".work-{}", fixture.name)),
            streams: streams.clone(),
        };
        remove_dir_if_present(&dirs.work)?;
        create_dir(&dirs.work)?;
        (fixture.generate)(&dirs)
            .with_context(|| format!("generating the `{}` fixture failed", fixture.name))?;
        remove_dir_if_present(&dirs.work)?;
        fs::write(&stamp, recipe)
            .with_context(|| format!("could not write {}", stamp.display()))?;
        println!(
            "fixtures: {} ready in {:.1} s",
            fixture.name,
            started.elapsed().as_secs_f64()
        );
    }
    if generated > 0 {
        println!(
            "fixtures: {generated} generated in {:.1} s",
            all_started.elapsed().as_secs_f64()
        );
    }
    Ok(())
}

/// The stamp text: this fixture's version and, recursively, those of the fixtures it needs.
fn recipe(fixture: &Fixture) -> Result<String> {
    let mut recipe = format!("{} v{}", fixture.name, fixture.version);
    for need in fixture.needs {
        let position = |name: &str| FIXTURES.iter().position(|f| f.name == name);
        let (Some(needed), Some(this)) = (position(need), position(fixture.name)) else {
            bail!("fixture `{}` needs unknown fixture `{need}`", fixture.name);
        };
        // Generation runs in list order, so what a fixture reads must already be there.
        if needed >= this {
            bail!("fixture `{}` needs `{need}`, listed after it", fixture.name);
        }
        write!(recipe, " + {}", recipe_line(&FIXTURES[needed])?)?;
    }
    Ok(recipe + "\n")
}

fn recipe_line(fixture: &Fixture) -> Result<String> {
    Ok(recipe(fixture)?.trim_end().to_owned())
}

/// A 30 s on-demand ladder of three muxed renditions, packaged as fMP4 (CMAF) and as MPEG-TS
/// from the same encode, so the two containers carry identical media.
fn vod_ladder(dirs: &FixtureDirs) -> Result<()> {
    let ladder = &LADDER;
    let encoded = encode_ladder(&dirs.work, ladder, LADDER_SECONDS)?;
    for (format, dir) in [(Packaging::Fmp4, "vod-fmp4"), (Packaging::Ts, "vod-ts")] {
        let out = dirs.streams.join(dir);
        for (rendition, source) in ladder.iter().zip(&encoded) {
            package_hls(source, &out.join(rendition.name), format)?;
        }
    }
    // Both packagings carry the same encode, so the fMP4 init segments give the exact video codec
    // strings for both master playlists.
    let mut codecs = Vec::new();
    for (rendition, source) in ladder.iter().zip(&encoded) {
        let init = dirs
            .streams
            .join("vod-fmp4")
            .join(rendition.name)
            .join("init.mp4");
        let video = h264_codec_string(&init)?;
        let audio = aac_codec_string(source)?;
        codecs.push(format!("{video},{audio}"));
    }
    for (format, dir) in [(Packaging::Fmp4, "vod-fmp4"), (Packaging::Ts, "vod-ts")] {
        let variants: Vec<_> = ladder
            .iter()
            .zip(&codecs)
            .map(|(rendition, codecs)| VariantInfo::video(rendition, codecs.clone()))
            .collect();
        write_master_playlist(&dirs.streams.join(dir), format.master_version(), &variants)?;
    }
    Ok(())
}

/// A show shot vertically (9:16) for phones: two renditions packaged as fMP4, as long as the
/// main ladder so the demo feed's product moments fall inside it.
fn vod_vertical(dirs: &FixtureDirs) -> Result<()> {
    let encoded = encode_ladder(&dirs.work, &VERTICAL_LADDER, LADDER_SECONDS)?;
    let out = dirs.streams.join("vod-vertical");
    let mut variants = Vec::new();
    for (rendition, source) in VERTICAL_LADDER.iter().zip(&encoded) {
        let dir = out.join(rendition.name);
        package_hls(source, &dir, Packaging::Fmp4)?;
        let video = h264_codec_string(&dir.join("init.mp4"))?;
        let audio = aac_codec_string(source)?;
        variants.push(VariantInfo::video(rendition, format!("{video},{audio}")));
    }
    write_master_playlist(&out, Packaging::Fmp4.master_version(), &variants)
}

/// The vertical show's renditions, best first.
const VERTICAL_LADDER: [Rendition; 2] = [
    Rendition::new("960p", 540, 960, 1000),
    Rendition::new("640p", 360, 640, 500),
];

/// The ladder's renditions, best first. Other fixtures reuse them by name.
const LADDER: [Rendition; 3] = [
    Rendition::new("360p", 640, 360, 900),
    Rendition::new("240p", 426, 240, 450),
    Rendition::new("144p", 256, 144, 150),
];
const LADDER_SECONDS: u32 = 30;

/// Segments are 2 s; with a fixed 60-frame GOP at 30 fps every segment starts on a keyframe.
const FRAME_RATE: u32 = 30;
const SEGMENT_SECONDS: u32 = 2;
const AUDIO_BITRATE_K: u32 = 96;

struct Rendition {
    name: &'static str,
    width: u32,
    height: u32,
    video_kbps: u32,
}

impl Rendition {
    const fn new(name: &'static str, width: u32, height: u32, video_kbps: u32) -> Self {
        Self {
            name,
            width,
            height,
            video_kbps,
        }
    }
}

/// Encodes every rendition in one ffmpeg run (one source, split and scaled), so the moving test
/// pattern is frame-for-frame the same across renditions and x264 keeps both cores busy.
fn encode_ladder(work: &Path, ladder: &[Rendition], seconds: u32) -> Result<Vec<PathBuf>> {
    let top = &ladder[0];
    let labels = drawtext_works();
    let mut graph = format!("[0:v]split={}", ladder.len());
    for index in 0..ladder.len() {
        write!(graph, "[s{index}]")?;
    }
    for (index, rendition) in ladder.iter().enumerate() {
        write!(
            graph,
            ";[s{index}]scale={}:{}",
            rendition.width, rendition.height
        )?;
        if labels {
            // The rendition name and the media time make a quality switch or a seek visible to a
            // person watching the demo or a failed test's screenshot.
            // Sized on the short side, so the label fits across a vertical picture too.
            let size = rendition.height.min(rendition.width) / 10;
            write!(
                graph,
                ",drawtext=text='{} %{{pts\\:hms}}':fontsize={size}:fontcolor=white\
                 :box=1:boxcolor=black@0.6:boxborderw={pad}:x={pad}:y=h-th-{pad}",
                rendition.name,
                pad = size / 3,
            )?;
        }
        write!(graph, "[v{index}]")?;
    }

    let mut ffmpeg = ffmpeg();
    ffmpeg
        .args(["-f", "lavfi", "-i"])
        .arg(format!(
            "testsrc2=size={}x{}:rate={FRAME_RATE}:duration={seconds}",
            top.width, top.height
        ))
        .args(["-f", "lavfi", "-i"])
        // A beep each second makes audio/video sync and audio continuity audible.
        .arg(format!(
            "sine=frequency=440:beep_factor=4:sample_rate=48000:duration={seconds}"
        ))
        .args(["-filter_complex", &graph]);
    let gop = (FRAME_RATE * SEGMENT_SECONDS).to_string();
    let mut outputs = Vec::new();
    for (index, rendition) in ladder.iter().enumerate() {
        let output = work.join(format!("{}.mp4", rendition.name));
        let kbps = rendition.video_kbps;
        ffmpeg
            .args(["-map", &format!("[v{index}]"), "-map", "1:a"])
            .args([
                "-c:v",
                "libx264",
                "-preset",
                "veryfast",
                "-profile:v",
                "main",
            ])
            .args(["-pix_fmt", "yuv420p"])
            .args(["-b:v", &format!("{kbps}k")])
            .args(["-maxrate", &format!("{}k", kbps * 11 / 10)])
            .args(["-bufsize", &format!("{}k", kbps * 2)])
            .args(["-g", &gop, "-keyint_min", &gop, "-sc_threshold", "0"])
            .args(["-c:a", "aac", "-b:a", &format!("{AUDIO_BITRATE_K}k")])
            .args(["-ar", "48000", "-ac", "2"])
            .arg(&output);
        outputs.push(output);
    }
    process::output(&mut ffmpeg).context("encoding the ladder failed")?;
    Ok(outputs)
}

/// drawtext needs a font through fontconfig; without one the fixtures are still valid, only
/// unlabelled.
fn drawtext_works() -> bool {
    let mut probe = ffmpeg();
    probe
        .args(["-f", "lavfi", "-i", "color=size=64x64:duration=0.1"])
        .args(["-vf", "drawtext=text=probe", "-f", "null", "-"]);
    let works = process::output(&mut probe).is_ok();
    if !works {
        println!("fixtures: ffmpeg drawtext has no font here; renditions are not labelled");
    }
    works
}

#[derive(Clone, Copy)]
enum Packaging {
    Fmp4,
    Ts,
}

impl Packaging {
    /// The Multivariant Playlist's `EXT-X-VERSION`: that of ffmpeg's fMP4 media playlists, and
    /// the lowest that allows everything the MPEG-TS masters use.
    fn master_version(self) -> u8 {
        match self {
            Packaging::Fmp4 => 7,
            Packaging::Ts => 3,
        }
    }
}

/// Splits one encoded rendition into an on-demand media playlist without re-encoding.
fn package_hls(source: &Path, out: &Path, format: Packaging) -> Result<()> {
    create_dir(out)?;
    let mut ffmpeg = ffmpeg();
    ffmpeg.arg("-i").arg(source).args(["-c", "copy"]);
    match format {
        // An MPEG-TS source carries AAC in ADTS frames; MP4 wants them bare (a no-op for an
        // MP4 source).
        Packaging::Fmp4 => ffmpeg
            .args(["-bsf:a", "aac_adtstoasc"])
            .args([
                "-hls_segment_type",
                "fmp4",
                "-hls_fmp4_init_filename",
                "init.mp4",
            ])
            .args(["-hls_segment_filename", "seg_%03d.m4s"]),
        // MP4 stores H.264 length-prefixed; MPEG-TS needs Annex B start codes.
        Packaging::Ts => ffmpeg
            .args(["-bsf:v", "h264_mp4toannexb", "-hls_segment_type", "mpegts"])
            .args(["-hls_segment_filename", "seg_%03d.ts"]),
    };
    ffmpeg
        .args(["-f", "hls", "-hls_time", &SEGMENT_SECONDS.to_string()])
        .args([
            "-hls_playlist_type",
            "vod",
            "-hls_flags",
            "independent_segments",
        ])
        .arg("index.m3u8")
        // Relative names keep playlists portable and the init segment next to its playlist.
        .current_dir(out);
    process::output(&mut ffmpeg).with_context(|| format!("packaging {} failed", out.display()))?;
    Ok(())
}

/// One `EXT-X-STREAM-INF` of a Multivariant Playlist we write.
struct VariantInfo {
    /// The Media Playlist, relative to the Multivariant Playlist.
    playlist: String,
    /// `None` for audio-only variants, which have neither RESOLUTION nor FRAME-RATE.
    picture: Option<(u32, u32)>,
    codecs: String,
}

impl VariantInfo {
    /// A muxed audio+video variant in the rendition's own directory.
    fn video(rendition: &Rendition, codecs: String) -> Self {
        Self {
            playlist: format!("{}/index.m3u8", rendition.name),
            picture: Some((rendition.width, rendition.height)),
            codecs,
        }
    }
}

/// Written by hand rather than by ffmpeg, which leaves CODECS out for fMP4 and reports nominal
/// rather than measured bandwidth; players need both to pick a rendition before fetching it.
fn write_master_playlist(dir: &Path, version: u8, variants: &[VariantInfo]) -> Result<()> {
    let mut master = format!("#EXTM3U\n#EXT-X-VERSION:{version}\n#EXT-X-INDEPENDENT-SEGMENTS\n");
    for variant in variants {
        let bandwidth = measure_bandwidth(&dir.join(&variant.playlist))?;
        write!(
            master,
            "#EXT-X-STREAM-INF:BANDWIDTH={},AVERAGE-BANDWIDTH={}",
            bandwidth.peak, bandwidth.average
        )?;
        if let Some((width, height)) = variant.picture {
            write!(
                master,
                ",RESOLUTION={width}x{height},FRAME-RATE={FRAME_RATE}.000"
            )?;
        }
        writeln!(
            master,
            ",CODECS=\"{}\"\n{}",
            variant.codecs, variant.playlist
        )?;
    }
    let path = dir.join("master.m3u8");
    fs::write(&path, master).with_context(|| format!("could not write {}", path.display()))
}

/// Bits per second, as HLS defines them: BANDWIDTH is the peak segment bit rate,
/// AVERAGE-BANDWIDTH the whole stream's.
#[derive(Debug, PartialEq)]
struct Bandwidth {
    peak: u64,
    average: u64,
}

fn measure_bandwidth(media_playlist: &Path) -> Result<Bandwidth> {
    let text = fs::read_to_string(media_playlist)
        .with_context(|| format!("could not read {}", media_playlist.display()))?;
    let dir = media_playlist.parent().unwrap_or(Path::new("."));
    let segments = listed_segments(&text)
        .into_iter()
        .map(|segment| {
            let file = dir.join(segment.uri);
            let bytes = match segment.byte_range {
                Some((length, _)) => length,
                None => fs::metadata(&file)
                    .with_context(|| {
                        format!(
                            "segment {} of {} is missing",
                            segment.uri,
                            media_playlist.display()
                        )
                    })?
                    .len(),
            };
            Ok((bytes, segment.seconds))
        })
        .collect::<Result<Vec<_>>>()?;
    bandwidth_of(&segments)
        .with_context(|| format!("{} lists no segments", media_playlist.display()))
}

/// A segment of a media playlist we generated, as far as generation needs to know it.
#[derive(Debug, PartialEq)]
struct ListedSegment<'a> {
    uri: &'a str,
    /// `EXTINF`.
    seconds: f64,
    /// `EXT-X-BYTERANGE` as `(length, offset)`; the offset is `None` when implicit.
    byte_range: Option<(u64, Option<u64>)>,
}

/// The segments of a media playlist, in order. A deliberately small reader for the playlists
/// ffmpeg and this module write (the engine's parser is what the tests check, so it is not
/// used to make their inputs).
fn listed_segments(playlist: &str) -> Vec<ListedSegment<'_>> {
    let mut segments = Vec::new();
    let mut duration = None;
    let mut byte_range = None;
    for line in playlist.lines().map(str::trim) {
        if let Some(info) = line.strip_prefix("#EXTINF:") {
            duration = info.split(',').next().and_then(|d| d.parse::<f64>().ok());
        } else if let Some(range) = line.strip_prefix("#EXT-X-BYTERANGE:") {
            byte_range = parse_byte_range(range);
        } else if !line.is_empty() && !line.starts_with('#') {
            if let Some(seconds) = duration.take() {
                segments.push(ListedSegment {
                    uri: line,
                    seconds,
                    byte_range: byte_range.take(),
                });
            }
        }
    }
    segments
}

/// `<length>[@<offset>]`.
fn parse_byte_range(range: &str) -> Option<(u64, Option<u64>)> {
    let (length, offset) = match range.split_once('@') {
        Some((length, offset)) => (length, Some(offset.parse().ok()?)),
        None => (range, None),
    };
    Some((length.parse().ok()?, offset))
}

/// From `(bytes, seconds)` per segment.
fn bandwidth_of(segments: &[(u64, f64)]) -> Option<Bandwidth> {
    let total_seconds: f64 = segments.iter().map(|(_, s)| s).sum();
    if segments.is_empty() || total_seconds <= 0.0 {
        return None;
    }
    let total_bits: f64 = segments.iter().map(|(b, _)| *b as f64 * 8.0).sum();
    let peak = segments
        .iter()
        .filter(|(_, s)| *s > 0.0)
        .map(|(b, s)| *b as f64 * 8.0 / s)
        .fold(0.0, f64::max);
    Some(Bandwidth {
        peak: peak.ceil() as u64,
        average: (total_bits / total_seconds).ceil() as u64,
    })
}

/// `avc1.PPCCLL` from the avcC box of an fMP4 init segment: profile, constraint flags and level
/// exactly as encoded, which `MediaSource.isTypeSupported` checks.
fn h264_codec_string(init_segment: &Path) -> Result<String> {
    let bytes = fs::read(init_segment)
        .with_context(|| format!("could not read {}", init_segment.display()))?;
    h264_codec_from_init(&bytes).with_context(|| {
        format!(
            "{} has no H.264 configuration (avcC)",
            init_segment.display()
        )
    })
}

fn h264_codec_from_init(init: &[u8]) -> Option<String> {
    // An init segment is only ftyp+moov (about a kilobyte), so the fourcc cannot be mistaken
    // for coded media. The record starts with configurationVersion 1.
    let at = init.windows(4).position(|w| w == b"avcC")?;
    match init.get(at + 4..at + 8)? {
        [1, profile, constraints, level] => {
            Some(format!("avc1.{profile:02x}{constraints:02x}{level:02x}"))
        }
        _ => None,
    }
}

/// `mp4a.40.<audio object type>`; ffprobe names the AAC profile of a file with samples (an init
/// segment has none, so it reports `unknown`).
fn aac_codec_string(media: &Path) -> Result<String> {
    let profile = process::output(
        Command::new("ffprobe")
            .args(["-v", "error", "-select_streams", "a:0"])
            .args([
                "-show_entries",
                "stream=codec_name,profile",
                "-of",
                "csv=p=0",
            ])
            .arg(media),
    )?;
    // MPEG-TS input lists the stream once more under its program: the first line is enough.
    let first = profile.lines().map(str::trim).find(|line| !line.is_empty());
    let object_type = match first.unwrap_or_default() {
        "aac,LC" => 2,
        "aac,HE-AAC" => 5,
        "aac,HE-AACv2" => 29,
        other => bail!(
            "{}: unexpected audio `{other}`, expected AAC",
            media.display()
        ),
    };
    Ok(format!("mp4a.40.{object_type}"))
}

fn ffmpeg() -> Command {
    let mut command = Command::new("ffmpeg");
    command.args(["-hide_banner", "-loglevel", "error", "-nostdin", "-y"]);
    command
}

fn create_dir(dir: &Path) -> Result<()> {
    fs::create_dir_all(dir).with_context(|| format!("could not create {}", dir.display()))
}

fn remove_dir_if_present(dir: &Path) -> Result<()> {
    match fs::remove_dir_all(dir) {
        Err(error) if error.kind() != std::io::ErrorKind::NotFound => {
            Err(error).with_context(|| format!("could not remove {}", dir.display()))
        }
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bandwidth_is_peak_segment_rate_and_overall_average() {
        let segments = [(250_000, 2.0), (300_000, 2.0), (50_000, 1.0)];
        assert_eq!(
            bandwidth_of(&segments),
            Some(Bandwidth {
                peak: 1_200_000,
                average: 960_000
            })
        );
        assert_eq!(bandwidth_of(&[]), None);
    }

    #[test]
    fn listed_segments_pair_extinf_and_byterange_with_the_next_uri() {
        let playlist = "#EXTM3U\n#EXT-X-MAP:URI=\"init.mp4\"\n#EXTINF:2.000000,\nseg_000.m4s\n\
                        #EXTINF:1.5,title\n#EXT-X-BYTERANGE:300@100\n\nmedia.ts\n\
                        #EXTINF:1,\n#EXT-X-BYTERANGE:20\nmedia.ts\n#EXT-X-ENDLIST\n";
        let segment = |uri, seconds, byte_range| ListedSegment {
            uri,
            seconds,
            byte_range,
        };
        assert_eq!(
            listed_segments(playlist),
            vec![
                segment("seg_000.m4s", 2.0, None),
                segment("media.ts", 1.5, Some((300, Some(100)))),
                segment("media.ts", 1.0, Some((20, None))),
            ]
        );
    }

    #[test]
    fn every_needed_fixture_is_listed_before_its_user() {
        for fixture in FIXTURES {
            let recipe = recipe(fixture).unwrap();
            for need in fixture.needs {
                assert!(recipe.contains(&format!(" + {need} v")), "{recipe}");
            }
        }
    }

    #[test]
    fn codec_string_comes_from_the_avcc_record() {
        let mut init = b"\0\0\0\x10moov....avcC".to_vec();
        init.extend_from_slice(&[1, 0x4d, 0x40, 0x1e, 0xff]);
        assert_eq!(h264_codec_from_init(&init).as_deref(), Some("avc1.4d401e"));
        assert_eq!(h264_codec_from_init(b"avcC\x02\x4d\x40\x1e"), None);
        assert_eq!(h264_codec_from_init(b"moov"), None);
    }
}

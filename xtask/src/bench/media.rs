//! Media the full bench needs beyond the test fixtures, made once with ffmpeg and cached under
//! `target/bench/media/`: a 10 s 1080p MPEG-TS segment for transmuxing, and a 120 s four-rung
//! fMP4 ladder whose bitrates straddle the ABR bandwidth trace (the 30 s test ladder tops out at
//! 1 Mbit/s and ends before the trace does).

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use anyhow::{Context, Result};

use crate::process;

pub const MEDIA_DIR: &str = "target/bench/media";
/// Where the server mounts [`MEDIA_DIR`].
pub const MEDIA_URL: &str = "/bench-media";

pub struct Media {
    pub segment_1080p: PathBuf,
    pub abr_master: PathBuf,
    /// The ABR ladder's master playlist as the bench server serves it.
    pub abr_url: String,
}

struct Item {
    /// A file or a directory under the media directory.
    output: &'static str,
    command: fn(&Path) -> Command,
}

const ITEMS: &[Item] = &[
    Item {
        output: "1080p-10s.ts",
        command: segment_1080p,
    },
    Item {
        output: "abr",
        command: abr_ladder,
    },
];

/// Makes what is missing or was made by another recipe (the stamp is the command line itself).
pub fn generate(dir: &Path) -> Result<Media> {
    fs::create_dir_all(dir).with_context(|| format!("could not create {}", dir.display()))?;
    for item in ITEMS {
        let output = dir.join(item.output);
        let stamp = dir.join(format!(".{}.recipe", item.output));
        // The recipe is the command writing to the final path; the real run writes to a staging
        // path so that an interrupted encode is never taken as complete.
        let recipe = process::describe(&(item.command)(&output));
        if output.exists() && fs::read_to_string(&stamp).is_ok_and(|found| found == recipe) {
            continue;
        }
        let started = Instant::now();
        println!("bench: encoding {} with ffmpeg (once; cached)", item.output);
        let staging = dir.join(format!(".staging-{}", item.output));
        remove(&staging)?;
        remove(&output)?;
        process::output(&mut (item.command)(&staging))
            .with_context(|| format!("ffmpeg could not make {}", output.display()))?;
        fs::rename(&staging, &output)
            .with_context(|| format!("could not move {} into place", output.display()))?;
        fs::write(&stamp, recipe)
            .with_context(|| format!("could not write {}", stamp.display()))?;
        println!(
            "bench: {} ready in {:.0} s",
            item.output,
            started.elapsed().as_secs_f64()
        );
    }
    Ok(Media {
        segment_1080p: dir.join("1080p-10s.ts"),
        abr_master: dir.join("abr/master.m3u8"),
        abr_url: format!("{MEDIA_URL}/abr/master.m3u8"),
    })
}

fn remove(path: &Path) -> Result<()> {
    let result = if path.is_dir() {
        fs::remove_dir_all(path)
    } else if path.exists() {
        fs::remove_file(path)
    } else {
        return Ok(());
    };
    result.with_context(|| format!("could not remove {}", path.display()))
}

fn ffmpeg() -> Command {
    let mut command = Command::new("ffmpeg");
    command.args(["-hide_banner", "-loglevel", "error", "-nostdin", "-y"]);
    command
}

/// A moving test pattern and a beeping tone, the same sources as the test fixtures.
fn sources(command: &mut Command, size: &str, seconds: u32) {
    command
        .args(["-f", "lavfi", "-i"])
        .arg(format!("testsrc2=size={size}:rate=30:duration={seconds}"))
        .args(["-f", "lavfi", "-i"])
        .arg(format!(
            "sine=frequency=440:beep_factor=4:sample_rate=48000:duration={seconds}"
        ));
}

/// 10 s of 1080p30 H.264 High at 6 Mbit/s with AAC, in one MPEG-TS file: a large segment as a
/// broadcaster's 1080p rung would send it.
fn segment_1080p(output: &Path) -> Command {
    let mut command = ffmpeg();
    sources(&mut command, "1920x1080", 10);
    command
        .args(["-map", "0:v", "-map", "1:a"])
        .args([
            "-c:v",
            "libx264",
            "-preset",
            "veryfast",
            "-profile:v",
            "high",
        ])
        .args(["-pix_fmt", "yuv420p", "-b:v", "6000k", "-maxrate", "6600k"])
        .args(["-bufsize", "12000k", "-g", "60", "-keyint_min", "60"])
        .args([
            "-sc_threshold",
            "0",
            "-c:a",
            "aac",
            "-b:a",
            "128k",
            "-ar",
            "48000",
        ])
        .args(["-ac", "2", "-f", "mpegts"])
        .arg(output);
    command
}

/// (name, width, height, video kbit/s), best first: 720p fits the trace's 4 Mbit/s, 240p its
/// 600 kbit/s, 480p its 2 Mbit/s.
const ABR_LADDER: [(&str, u32, u32, u32); 4] = [
    ("720p", 1280, 720, 2500),
    ("480p", 854, 480, 1200),
    ("360p", 640, 360, 700),
    ("240p", 426, 240, 350),
];
const ABR_SECONDS: u32 = 120;

/// One encode split into every rung (identical frames across renditions), packaged by ffmpeg's
/// HLS muxer as fMP4 with 2 s segments and a master playlist.
fn abr_ladder(output: &Path) -> Command {
    let mut command = ffmpeg();
    sources(&mut command, "1280x720", ABR_SECONDS);
    let mut graph = format!("[0:v]split={}", ABR_LADDER.len());
    for index in 0..ABR_LADDER.len() {
        graph.push_str(&format!("[s{index}]"));
    }
    for (index, (_, width, height, _)) in ABR_LADDER.iter().enumerate() {
        graph.push_str(&format!(";[s{index}]scale={width}:{height}[v{index}]"));
    }
    command.args(["-filter_complex", &graph]);
    let mut stream_map = Vec::new();
    for (index, (name, _, _, kbps)) in ABR_LADDER.iter().enumerate() {
        command.args(["-map", &format!("[v{index}]"), "-map", "1:a"]);
        command
            .arg(format!("-b:v:{index}"))
            .arg(format!("{kbps}k"))
            .arg(format!("-maxrate:v:{index}"))
            .arg(format!("{}k", kbps * 11 / 10))
            .arg(format!("-bufsize:v:{index}"))
            .arg(format!("{}k", kbps * 2));
        stream_map.push(format!("v:{index},a:{index},name:{name}"));
    }
    command
        .args([
            "-c:v",
            "libx264",
            "-preset",
            "veryfast",
            "-profile:v",
            "main",
        ])
        .args(["-pix_fmt", "yuv420p", "-g", "60", "-keyint_min", "60"])
        .args([
            "-sc_threshold",
            "0",
            "-c:a",
            "aac",
            "-b:a",
            "96k",
            "-ar",
            "48000",
        ])
        .args(["-ac", "2", "-f", "hls", "-hls_time", "2"])
        .args(["-hls_playlist_type", "vod", "-hls_segment_type", "fmp4"])
        .args(["-hls_fmp4_init_filename", "init.mp4"])
        .arg("-hls_segment_filename")
        .arg(output.join("%v/seg_%03d.m4s"))
        .args(["-master_pl_name", "master.m3u8"])
        .arg("-var_stream_map")
        .arg(stream_map.join(" "))
        .arg(output.join("%v/index.m3u8"));
    command
}

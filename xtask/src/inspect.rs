//! `cargo xtask inspect <file>`: what the engine makes of a playlist or a segment, as JSON, for
//! debugging a stream without a browser.
//!
//! - a playlist (`#EXTM3U`): the engine's parse of it, every URI resolved;
//! - MPEG-TS: its programs, PIDs and timestamps read from the packets, then the engine's
//!   transmux of it as one segment, with the samples of the fMP4 it produced;
//! - fMP4 (init and/or fragments): its tracks and samples.

pub mod mp4;
pub mod ts;

use std::fs;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use player_core::hls::playlist::{
    parse_playlist, ByteRange, MediaPlaylist, MultivariantPlaylist, Playlist,
};
use player_core::media::{looks_like_mp4, SegmentContext, Transmuxer};
use serde_json::{json, Value};

use crate::fixtures::STREAMS_DIR;
use crate::transmux::file_url;

/// The URL prefix under which the demo server serves [`STREAMS_DIR`].
const STREAMS_URL_PREFIX: &str = "/streams/";

/// A path as typed: a file, or a URL path of the demo server (`/streams/vod-ts/master.m3u8`),
/// which is what the browser's network log and the server's request log show.
pub fn resolve(root: &Path, arg: &str) -> Result<PathBuf> {
    let path = PathBuf::from(arg);
    if path.exists() {
        return Ok(path);
    }
    if let Some(rest) = arg.strip_prefix(STREAMS_URL_PREFIX) {
        let served = root.join(STREAMS_DIR).join(rest);
        if served.exists() {
            return Ok(served);
        }
    }
    if arg.starts_with("http://") || arg.starts_with("https://") {
        bail!("{arg}: give a local file or a URL path such as /streams/vod-ts/master.m3u8");
    }
    bail!("{arg} does not exist (nor under {STREAMS_DIR})")
}

pub fn inspect(path: &Path) -> Result<Value> {
    let data = fs::read(path).with_context(|| format!("could not read {}", path.display()))?;
    let text_start = data
        .strip_prefix(b"\xef\xbb\xbf".as_slice())
        .unwrap_or(&data)
        .trim_ascii_start();
    if text_start.starts_with(b"#EXTM3U") {
        let text =
            String::from_utf8(data).with_context(|| format!("{} is not UTF-8", path.display()))?;
        return inspect_playlist(&text, &file_url(path)?);
    }
    if data.first() == Some(&0x47) {
        return inspect_ts(&data);
    }
    if looks_like_mp4(&data) {
        return inspect_mp4(&data);
    }
    bail!(
        "{} is neither a playlist (#EXTM3U), MPEG-TS (0x47) nor MP4",
        path.display()
    )
}

fn inspect_playlist(text: &str, url: &str) -> Result<Value> {
    let playlist =
        parse_playlist(text, url).with_context(|| format!("{url} is not a valid playlist"))?;
    Ok(match playlist {
        Playlist::Media(media) => media_playlist(&media),
        Playlist::Multivariant(multivariant) => multivariant_playlist(&multivariant),
    })
}

fn media_playlist(media: &MediaPlaylist) -> Value {
    let segments: Vec<Value> = media
        .segments
        .iter()
        .enumerate()
        .map(|(index, segment)| {
            let keys: Vec<Value> = media
                .segment_keys(index)
                .iter()
                .map(|key| {
                    json!({
                        "method": key.method.as_str(),
                        "uri": key.uri,
                        "iv": key.iv.map(|iv| format!("0x{}", hex(&iv))),
                        "key_format": key.key_format,
                    })
                })
                .collect();
            let mut value = json!({
                "uri": media.url_of(segment),
                "duration": segment.duration,
                "start": segment.start,
                "media_sequence": segment.media_sequence,
                "discontinuity_sequence": segment.discontinuity_sequence,
                "discontinuity": segment.discontinuity,
                "byterange": segment.byte_range.map(byte_range),
                "program_date_time": segment.program_date_time.map(|d| d.to_string()),
                "keys": keys,
            });
            // The IV the player decrypts with, which the playlist leaves implicit without IV.
            if media.identity_key(index).is_some() {
                value["iv_in_use"] = json!(format!("0x{}", hex(&media.iv_for(index))));
            }
            if let Some(init) = media.init_section_of(index) {
                value["map"] = json!({
                    "uri": init.uri,
                    "byterange": init.byte_range.map(byte_range),
                });
            }
            if segment.gap {
                value["gap"] = json!(true);
            }
            value
        })
        .collect();
    json!({
        "kind": "media playlist",
        "version": media.version,
        "target_duration": media.target_duration,
        "media_sequence": media.media_sequence,
        "discontinuity_sequence": media.discontinuity_sequence,
        "end_list": media.end_list,
        "playlist_type": media.playlist_type.map(|t| format!("{t:?}").to_uppercase()),
        "independent_segments": media.independent_segments,
        "duration": media.duration(),
        "segments": segments,
    })
}

fn multivariant_playlist(playlist: &MultivariantPlaylist) -> Value {
    let variants: Vec<Value> = playlist
        .variants
        .iter()
        .map(|v| {
            json!({
                "uri": v.uri,
                "bandwidth": v.bandwidth,
                "average_bandwidth": v.average_bandwidth,
                "resolution": v.resolution.map(|r| format!("{}x{}", r.width, r.height)),
                "codecs": v.codecs,
                "frame_rate": v.frame_rate,
                "audio": v.audio,
                "video": v.video,
                "subtitles": v.subtitles,
            })
        })
        .collect();
    let renditions: Vec<Value> = playlist
        .renditions
        .iter()
        .map(|r| {
            json!({
                "type": r.media_type.as_str(),
                "group_id": r.group_id,
                "name": r.name,
                "language": r.language,
                "uri": r.uri,
                "default": r.default,
                "autoselect": r.autoselect,
                "channels": r.channels,
            })
        })
        .collect();
    json!({
        "kind": "multivariant playlist",
        "version": playlist.version,
        "independent_segments": playlist.independent_segments,
        "variants": variants,
        "renditions": renditions,
    })
}

/// The packets' own account, then the engine's transmux of the whole file as one segment.
fn inspect_ts(data: &[u8]) -> Result<Value> {
    let scan = ts::scan(data)?;
    let transmuxed = match Transmuxer::new().transmux(
        data,
        SegmentContext {
            start: 0.0,
            discontinuity_sequence: 0,
        },
    ) {
        Ok(segment) => {
            let init = segment.init.as_deref().unwrap_or_default();
            let tracks = mp4::tracks(init)?;
            let samples = mp4::fragment_samples(&segment.media, &tracks)?;
            let cues: Vec<Value> = segment
                .cues
                .iter()
                .map(|cue| json!({ "time": cue.time, "frames": format!("{:?}", cue.frames) }))
                .collect();
            json!({
                "codecs": segment.codecs,
                "has_video": segment.has_video,
                "has_audio": segment.has_audio,
                "start": segment.start,
                "end": segment.end,
                "video_range": segment.video_range,
                "audio_range": segment.audio_range,
                "init_bytes": init.len(),
                "media_bytes": segment.media.len(),
                "tracks": mp4::describe(&tracks, &samples),
                "cues": cues,
                "warnings": segment.warnings.iter().map(ToString::to_string).collect::<Vec<_>>(),
            })
        }
        Err(error) => json!({ "error": error.to_string() }),
    };
    let mut value = ts::describe(&scan);
    value["kind"] = json!("mpeg-ts");
    value["bytes"] = json!(data.len());
    value["transmuxed"] = transmuxed;
    Ok(value)
}

fn inspect_mp4(data: &[u8]) -> Result<Value> {
    // Counted rather than listed: a single-file rendition has hundreds of top-level boxes.
    let mut top = serde_json::Map::new();
    for (fourcc, _) in mp4::boxes(data)? {
        let count = top
            .entry(String::from_utf8_lossy(&fourcc).into_owned())
            .or_insert(json!(0));
        *count = json!(count.as_u64().unwrap_or(0) + 1);
    }
    let tracks = mp4::tracks(data)?;
    let samples = mp4::fragment_samples(data, &tracks)?;
    let codecs = player_core::media::codecs_from_init_segment(data).ok();
    Ok(json!({
        "kind": "mp4",
        "bytes": data.len(),
        "top_level_boxes": top,
        "codecs": codecs,
        "tracks": mp4::describe(&tracks, &samples),
    }))
}

fn byte_range(range: ByteRange) -> Value {
    json!({ "offset": range.offset, "length": range.length })
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

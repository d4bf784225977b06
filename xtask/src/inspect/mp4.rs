//! Reading back fragmented MP4 (ours or ffmpeg's): the tracks an init segment declares and the
//! samples each fragment's `trun` lists. Independent of the engine's own muxer and box code,
//! so that it can check them.

use std::collections::BTreeMap;

use anyhow::{bail, ensure, Context, Result};
use serde_json::{json, Value};

/// A track as the init segment (`moov`) describes it.
#[derive(Debug, Clone, PartialEq)]
pub struct Track {
    pub id: u32,
    /// `hdlr` handler: `vide`, `soun`, …
    pub handler: String,
    /// The first sample entry's four-character code (`avc1`, `mp4a`, …).
    pub sample_entry: String,
    pub timescale: u32,
    /// From the visual sample entry.
    pub picture: Option<(u16, u16)>,
    /// `(channels, sample rate)` from the audio sample entry.
    pub audio: Option<(u16, u32)>,
    /// `trex` defaults, used when a fragment gives none.
    default_duration: u32,
    default_flags: u32,
}

/// What the fragments of one track hold, summed over all `moof`s.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct TrackSamples {
    pub samples: u64,
    /// Samples whose flags do not say `sample_is_non_sync_sample` (keyframes, for video).
    pub sync_samples: u64,
    pub bytes: u64,
    /// Decode times in the track's timescale: first sample, and end of the last.
    pub first_decode: Option<u64>,
    pub end_decode: u64,
    /// Presentation times (decode + composition offset): earliest start, latest end.
    pub first_presentation: Option<i64>,
    pub end_presentation: i64,
    pub fragments: u64,
}

/// Tracks declared by the `moov` of `data` (empty when it has none).
pub fn tracks(data: &[u8]) -> Result<Vec<Track>> {
    let mut tracks = Vec::new();
    let mut trex = BTreeMap::new();
    for (fourcc, body) in boxes(data)? {
        if fourcc != *b"moov" {
            continue;
        }
        for (fourcc, body) in boxes(body)? {
            match &fourcc {
                b"trak" => tracks.push(track(body)?),
                b"mvex" => {
                    for (fourcc, body) in boxes(body)? {
                        if &fourcc == b"trex" {
                            // version/flags, track_ID, description index, duration, size, flags
                            trex.insert(be32(body, 4)?, (be32(body, 12)?, be32(body, 20)?));
                        }
                    }
                }
                _ => {}
            }
        }
    }
    for track in &mut tracks {
        if let Some(&(duration, flags)) = trex.get(&track.id) {
            track.default_duration = duration;
            track.default_flags = flags;
        }
    }
    Ok(tracks)
}

fn track(trak: &[u8]) -> Result<Track> {
    let mut track = Track {
        id: 0,
        handler: String::new(),
        sample_entry: String::new(),
        timescale: 0,
        picture: None,
        audio: None,
        default_duration: 0,
        default_flags: 0,
    };
    for (fourcc, body) in boxes(trak)? {
        match &fourcc {
            b"tkhd" => track.id = be32(body, if body.first() == Some(&1) { 20 } else { 12 })?,
            b"mdia" => {
                for (fourcc, body) in boxes(body)? {
                    match &fourcc {
                        b"mdhd" => {
                            track.timescale =
                                be32(body, if body.first() == Some(&1) { 20 } else { 12 })?
                        }
                        b"hdlr" => track.handler = fourcc_at(body, 8)?,
                        b"minf" => sample_entry(body, &mut track)?,
                        _ => {}
                    }
                }
            }
            _ => {}
        }
    }
    ensure!(track.id != 0, "a trak has no tkhd track_ID");
    Ok(track)
}

/// minf → stbl → stsd → the first sample entry.
fn sample_entry(minf: &[u8], track: &mut Track) -> Result<()> {
    let Some(stbl) = child(minf, b"stbl")? else {
        return Ok(());
    };
    let Some(stsd) = child(stbl, b"stsd")? else {
        return Ok(());
    };
    // version/flags and entry_count precede the entries.
    let Some((fourcc, entry)) = boxes(stsd.get(8..).unwrap_or_default())?.into_iter().next() else {
        return Ok(());
    };
    track.sample_entry = String::from_utf8_lossy(&fourcc).into_owned();
    // Both entry kinds start with 6 reserved bytes and a data_reference_index.
    match &fourcc {
        b"avc1" | b"avc3" | b"hvc1" | b"hev1" | b"encv" => {
            track.picture = Some((be16(entry, 24)?, be16(entry, 26)?));
        }
        b"mp4a" | b"enca" => {
            track.audio = Some((be16(entry, 16)?, be32(entry, 24)? >> 16));
        }
        _ => {}
    }
    Ok(())
}

const TFHD_BASE_DATA_OFFSET: u32 = 0x01;
const TFHD_DESCRIPTION_INDEX: u32 = 0x02;
const TFHD_DEFAULT_DURATION: u32 = 0x08;
const TFHD_DEFAULT_SIZE: u32 = 0x10;
const TFHD_DEFAULT_FLAGS: u32 = 0x20;
const TRUN_DATA_OFFSET: u32 = 0x01;
const TRUN_FIRST_FLAGS: u32 = 0x04;
const TRUN_DURATION: u32 = 0x100;
const TRUN_SIZE: u32 = 0x200;
const TRUN_FLAGS: u32 = 0x400;
const TRUN_COMPOSITION: u32 = 0x800;
const SAMPLE_IS_NON_SYNC: u32 = 0x0001_0000;

/// The samples of every `moof` in `data`, per track ID. `tracks` gives the `trex` defaults
/// (pass the init segment's tracks; fragments alone may rely on them).
pub fn fragment_samples(data: &[u8], tracks: &[Track]) -> Result<BTreeMap<u32, TrackSamples>> {
    let mut out: BTreeMap<u32, TrackSamples> = BTreeMap::new();
    for (fourcc, moof) in boxes(data)? {
        if fourcc != *b"moof" {
            continue;
        }
        for (fourcc, traf) in boxes(moof)? {
            if fourcc != *b"traf" {
                continue;
            }
            let tfhd = child(traf, b"tfhd")?.context("a traf has no tfhd")?;
            let tfhd_flags = be32(tfhd, 0)? & 0x00ff_ffff;
            let id = be32(tfhd, 4)?;
            let declared = tracks.iter().find(|t| t.id == id);
            let mut at = 8;
            let mut optional = |flag: u32, size: usize| -> Result<Option<u32>> {
                if tfhd_flags & flag == 0 {
                    return Ok(None);
                }
                let value = if size == 4 {
                    Some(be32(tfhd, at)?)
                } else {
                    None
                };
                at += size;
                Ok(value)
            };
            optional(TFHD_BASE_DATA_OFFSET, 8)?;
            optional(TFHD_DESCRIPTION_INDEX, 4)?;
            let default_duration = optional(TFHD_DEFAULT_DURATION, 4)?
                .or(declared.map(|t| t.default_duration))
                .unwrap_or(0);
            optional(TFHD_DEFAULT_SIZE, 4)?;
            let default_flags = optional(TFHD_DEFAULT_FLAGS, 4)?
                .or(declared.map(|t| t.default_flags))
                .unwrap_or(0);
            let mut decode = match child(traf, b"tfdt")? {
                Some(tfdt) if tfdt.first() == Some(&1) => be64(tfdt, 4)?,
                Some(tfdt) => u64::from(be32(tfdt, 4)?),
                None => out.get(&id).map_or(0, |t| t.end_decode),
            };
            let totals = out.entry(id).or_default();
            totals.fragments += 1;
            for (fourcc, trun) in boxes(traf)? {
                if fourcc != *b"trun" {
                    continue;
                }
                let version = trun.first().copied().unwrap_or(0);
                let flags = be32(trun, 0)? & 0x00ff_ffff;
                let count = be32(trun, 4)?;
                let mut at = 8;
                if flags & TRUN_DATA_OFFSET != 0 {
                    at += 4;
                }
                let mut first_flags = None;
                if flags & TRUN_FIRST_FLAGS != 0 {
                    first_flags = Some(be32(trun, at)?);
                    at += 4;
                }
                for index in 0..count {
                    let mut field = |flag: u32| -> Result<Option<u32>> {
                        if flags & flag == 0 {
                            return Ok(None);
                        }
                        let value = be32(trun, at)?;
                        at += 4;
                        Ok(Some(value))
                    };
                    let duration = field(TRUN_DURATION)?.unwrap_or(default_duration);
                    let size = field(TRUN_SIZE)?.unwrap_or(0);
                    let sample_flags = field(TRUN_FLAGS)?
                        .or(if index == 0 { first_flags } else { None })
                        .unwrap_or(default_flags);
                    let composition = field(TRUN_COMPOSITION)?.map_or(0, |raw| {
                        if version == 0 {
                            i64::from(raw)
                        } else {
                            i64::from(raw as i32)
                        }
                    });
                    totals.samples += 1;
                    totals.bytes += u64::from(size);
                    if sample_flags & SAMPLE_IS_NON_SYNC == 0 {
                        totals.sync_samples += 1;
                    }
                    totals.first_decode.get_or_insert(decode);
                    let presentation = decode as i64 + composition;
                    let first = totals.first_presentation.get_or_insert(presentation);
                    *first = (*first).min(presentation);
                    totals.end_presentation = totals
                        .end_presentation
                        .max(presentation + i64::from(duration));
                    decode += u64::from(duration);
                    totals.end_decode = decode;
                }
            }
        }
    }
    Ok(out)
}

/// Tracks and their samples as JSON, times in seconds.
pub fn describe(tracks: &[Track], samples: &BTreeMap<u32, TrackSamples>) -> Value {
    let mut ids: Vec<u32> = tracks.iter().map(|t| t.id).collect();
    ids.extend(
        samples
            .keys()
            .filter(|id| !tracks.iter().any(|t| t.id == **id)),
    );
    let described: Vec<Value> = ids
        .into_iter()
        .map(|id| {
            let track = tracks.iter().find(|t| t.id == id);
            let timescale = track.map_or(0, |t| t.timescale);
            let seconds = |ticks: i64| (timescale > 0).then(|| ticks as f64 / f64::from(timescale));
            let mut value = json!({ "track_id": id });
            if let Some(track) = track {
                value["handler"] = json!(track.handler);
                value["sample_entry"] = json!(track.sample_entry);
                value["timescale"] = json!(track.timescale);
                if let Some((width, height)) = track.picture {
                    value["width"] = json!(width);
                    value["height"] = json!(height);
                }
                if let Some((channels, rate)) = track.audio {
                    value["channels"] = json!(channels);
                    value["sample_rate"] = json!(rate);
                }
            }
            if let Some(s) = samples.get(&id) {
                value["fragments"] = json!(s.fragments);
                value["samples"] = json!(s.samples);
                value["sync_samples"] = json!(s.sync_samples);
                value["sample_bytes"] = json!(s.bytes);
                value["first_decode_time"] = json!(s.first_decode.and_then(|t| seconds(t as i64)));
                value["end_decode_time"] = json!(seconds(s.end_decode as i64));
                value["first_presentation_time"] = json!(s.first_presentation.and_then(seconds));
                value["end_presentation_time"] = json!(seconds(s.end_presentation));
            }
            value
        })
        .collect();
    Value::Array(described)
}

/// The top-level boxes of `data`, as `(fourcc, body)`.
pub fn boxes(data: &[u8]) -> Result<Vec<([u8; 4], &[u8])>> {
    let mut out = Vec::new();
    let mut at = 0;
    while at < data.len() {
        let size = be32(data, at)? as u64;
        let fourcc: [u8; 4] = data
            .get(at + 4..at + 8)
            .and_then(|b| b.try_into().ok())
            .with_context(|| format!("box header cut at byte {at}"))?;
        let (header, size) = match size {
            0 => (8, (data.len() - at) as u64),
            1 => (16, be64(data, at + 8)?),
            size => (8, size),
        };
        let end = usize::try_from(size)
            .ok()
            .and_then(|size| at.checked_add(size))
            .filter(|end| *end <= data.len() && size >= header as u64);
        let Some(end) = end else {
            bail!(
                "box `{}` at byte {at} claims {size} bytes, {} are left",
                String::from_utf8_lossy(&fourcc),
                data.len() - at
            );
        };
        out.push((fourcc, &data[at + header..end]));
        at = end;
    }
    Ok(out)
}

fn child<'a>(data: &'a [u8], fourcc: &[u8; 4]) -> Result<Option<&'a [u8]>> {
    Ok(boxes(data)?
        .into_iter()
        .find(|(f, _)| f == fourcc)
        .map(|(_, body)| body))
}

fn be16(data: &[u8], at: usize) -> Result<u16> {
    let bytes = data.get(at..at + 2).context("box too short")?;
    Ok(u16::from_be_bytes([bytes[0], bytes[1]]))
}

fn be32(data: &[u8], at: usize) -> Result<u32> {
    let bytes = data.get(at..at + 4).context("box too short")?;
    Ok(u32::from_be_bytes(bytes.try_into()?))
}

fn be64(data: &[u8], at: usize) -> Result<u64> {
    let bytes = data.get(at..at + 8).context("box too short")?;
    Ok(u64::from_be_bytes(bytes.try_into()?))
}

fn fourcc_at(data: &[u8], at: usize) -> Result<String> {
    let bytes = data.get(at..at + 4).context("box too short")?;
    Ok(String::from_utf8_lossy(bytes).into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mp4_box(fourcc: &[u8; 4], body: &[u8]) -> Vec<u8> {
        let mut out = ((body.len() + 8) as u32).to_be_bytes().to_vec();
        out.extend_from_slice(fourcc);
        out.extend_from_slice(body);
        out
    }

    #[test]
    fn trun_samples_use_tfhd_defaults_and_first_sample_flags() {
        // tfhd: default duration (0x08) and default flags (0x20) = non-sync.
        let mut tfhd = vec![0, 0, 0, 0x28];
        tfhd.extend_from_slice(&7u32.to_be_bytes());
        tfhd.extend_from_slice(&1000u32.to_be_bytes());
        tfhd.extend_from_slice(&SAMPLE_IS_NON_SYNC.to_be_bytes());
        let tfdt = [&[1, 0, 0, 0][..], &90_000u64.to_be_bytes()].concat();
        // trun v1: first-sample flags (sync), sizes and signed composition offsets.
        let mut trun = vec![1, 0, 0x0a, 0x04];
        trun.extend_from_slice(&3u32.to_be_bytes());
        trun.extend_from_slice(&0u32.to_be_bytes());
        for (size, cto) in [(10u32, 2000i32), (20, -1000), (30, 0)] {
            trun.extend_from_slice(&size.to_be_bytes());
            trun.extend_from_slice(&cto.to_be_bytes());
        }
        let traf = [
            mp4_box(b"tfhd", &tfhd),
            mp4_box(b"tfdt", &tfdt),
            mp4_box(b"trun", &trun),
        ]
        .concat();
        let data = [
            mp4_box(b"moof", &mp4_box(b"traf", &traf)),
            mp4_box(b"mdat", &[]),
        ]
        .concat();
        let samples = fragment_samples(&data, &[]).unwrap();
        assert_eq!(
            samples[&7],
            TrackSamples {
                samples: 3,
                sync_samples: 1,
                bytes: 60,
                first_decode: Some(90_000),
                end_decode: 93_000,
                first_presentation: Some(90_000),
                end_presentation: 93_000,
                fragments: 1,
            }
        );
    }

    #[test]
    fn a_box_larger_than_its_parent_is_an_error() {
        let mut data = mp4_box(b"moof", &[0; 8]);
        data[3] = 200;
        assert!(boxes(&data).is_err());
    }
}

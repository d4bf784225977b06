//! The engine's transmuxer outside the browser: MPEG-TS segments in, fragmented MP4 files out,
//! so that ffprobe (or a person with a video player) can check what MSE would be given.
//!
//! `cargo xtask transmux a.ts b.ts -o out.mp4` or `cargo xtask transmux index.m3u8 -o out.mp4`
//! (a local media playlist: byte ranges are cut and AES-128 segments decrypted, as the player
//! does).

use std::collections::HashMap;
use std::fs;
use std::ops::Range;
use std::path::{Path, PathBuf};

use anyhow::{bail, ensure, Context, Result};
use player_core::hls::playlist::{parse_playlist, KeyMethod, MediaPlaylist, Playlist};
use player_core::media::decrypt::{decrypt_segment, iv_from_sequence_number, key_from_bytes};
use player_core::media::{SegmentContext, TransmuxedSegment, Transmuxer};

/// One segment's clear bytes and where it sits in its playlist.
pub struct SegmentInput {
    /// For messages: the file (and byte range) it came from.
    pub name: String,
    pub bytes: Vec<u8>,
    pub context: SegmentContext,
}

/// Fragments that share one init segment: what one MP4 file can hold. A new init segment (new
/// codec configuration, e.g. after a discontinuity to another encode) starts a new period,
/// because MP4 readers such as ffprobe take the first `moov` of a file as the only one, while
/// MSE accepts a new init segment mid-stream.
pub struct Mp4Period {
    pub init: Vec<u8>,
    /// The `moof`+`mdat` of each segment, in order.
    pub fragments: Vec<u8>,
    /// Indices into the inputs (and [`Transmuxed::segments`]).
    pub segments: Range<usize>,
}

impl Mp4Period {
    /// Init segment then fragments: a complete fragmented MP4 file.
    pub fn file_bytes(&self) -> Vec<u8> {
        [&self.init[..], &self.fragments[..]].concat()
    }
}

#[derive(Default)]
pub struct Transmuxed {
    pub periods: Vec<Mp4Period>,
    /// The transmuxer's report for each input, in order (its `media` is also in a period).
    pub segments: Vec<TransmuxedSegment>,
}

/// Transmuxes the segments in order with ONE transmuxer, as the player does for a rendition, so
/// state carried between segments (codec configuration, timestamp mapping, audio continuity) is
/// exercised.
pub fn transmux_segments(inputs: &[SegmentInput]) -> Result<Transmuxed> {
    let mut transmuxer = Transmuxer::new();
    let mut out = Transmuxed::default();
    for input in inputs {
        let segment = transmuxer
            .transmux(&input.bytes, input.context)
            .with_context(|| format!("transmuxing {} failed", input.name))?;
        out.push(segment, &input.name)?;
    }
    Ok(out)
}

/// Loose `.ts` files as consecutive segments of one rendition: the first starts at 0, each next
/// one where the previous one's output ended, all in discontinuity sequence 0.
pub fn transmux_files(files: &[PathBuf]) -> Result<Transmuxed> {
    let mut transmuxer = Transmuxer::new();
    let mut out = Transmuxed::default();
    let mut start = 0.0;
    for file in files {
        let bytes = fs::read(file).with_context(|| format!("could not read {}", file.display()))?;
        let context = SegmentContext {
            start,
            discontinuity_sequence: 0,
        };
        let segment = transmuxer
            .transmux(&bytes, context)
            .with_context(|| format!("transmuxing {} failed", file.display()))?;
        start = segment.end;
        out.push(segment, &file.display().to_string())?;
    }
    Ok(out)
}

impl Transmuxed {
    fn push(&mut self, segment: TransmuxedSegment, name: &str) -> Result<()> {
        let index = self.segments.len();
        match (&segment.init, self.periods.last_mut()) {
            (Some(init), _) => self.periods.push(Mp4Period {
                init: init.clone(),
                fragments: segment.media.clone(),
                segments: index..index + 1,
            }),
            (None, Some(period)) => {
                period.fragments.extend_from_slice(&segment.media);
                period.segments.end = index + 1;
            }
            (None, None) => {
                bail!("the transmuxer gave no init segment with the first segment ({name})")
            }
        }
        self.segments.push(segment);
        Ok(())
    }
}

/// The segments of a local media playlist, loaded as the player loads them: byte ranges cut,
/// AES-128 decrypted (explicit IV, or the Media Sequence Number), fMP4 init sections put in
/// front of the first segment that uses them, each with its playlist start and discontinuity
/// sequence.
pub fn load_media_playlist(path: &Path) -> Result<(MediaPlaylist, Vec<SegmentInput>)> {
    let text =
        fs::read_to_string(path).with_context(|| format!("could not read {}", path.display()))?;
    let url = file_url(path)?;
    let playlist = match parse_playlist(&text, &url)
        .with_context(|| format!("{} is not a valid playlist", path.display()))?
    {
        Playlist::Media(media) => media,
        Playlist::Multivariant(_) => bail!(
            "{} is a multivariant playlist; give one of its media playlists",
            path.display()
        ),
    };
    let mut files = HashMap::new();
    let mut keys = HashMap::new();
    let mut current_init = None;
    let mut inputs = Vec::with_capacity(playlist.segments.len());
    for (index, segment) in playlist.segments.iter().enumerate() {
        let url = playlist.url_of(segment);
        let mut bytes = read_range(&mut files, &url, segment.byte_range)?;
        let mut name = url;
        if let Some(range) = segment.byte_range {
            name = format!("{name} bytes {}..{}", range.offset, range.end());
        }
        if let Some(key) = playlist.segment_keys(index).first() {
            match key.method {
                KeyMethod::None => {}
                KeyMethod::Aes128 => {
                    let key_uri = key.uri.as_deref().context("AES-128 key without URI")?;
                    if !keys.contains_key(key_uri) {
                        let key_bytes = read_range(&mut files, key_uri, None)?;
                        let key = key_from_bytes(&key_bytes)
                            .with_context(|| format!("{key_uri} is not an AES-128 key"))?;
                        keys.insert(key_uri.to_owned(), key);
                    }
                    let iv = key
                        .iv
                        .unwrap_or_else(|| iv_from_sequence_number(segment.media_sequence));
                    bytes = decrypt_segment(&keys[key_uri], &iv, &bytes)
                        .with_context(|| format!("decrypting {name} failed"))?;
                }
                ref other => bail!("{name}: key method {} is not supported", other.as_str()),
            }
        }
        let init = playlist.init_section_of(index);
        if init != current_init {
            if let Some(init) = init {
                let mut with_init = read_range(&mut files, &init.uri, init.byte_range)?;
                with_init.extend_from_slice(&bytes);
                bytes = with_init;
            }
            current_init = init;
        }
        inputs.push(SegmentInput {
            name,
            bytes,
            context: SegmentContext {
                start: segment.start,
                discontinuity_sequence: segment.discontinuity_sequence,
            },
        });
    }
    Ok((playlist, inputs))
}

/// Reads a `file:` URL from the playlist, whole or a byte range, caching whole files because
/// byte-range playlists name one file for every segment.
fn read_range(
    files: &mut HashMap<String, Vec<u8>>,
    url: &str,
    range: Option<player_core::hls::playlist::ByteRange>,
) -> Result<Vec<u8>> {
    if !files.contains_key(url) {
        let path = path_of_file_url(url)?;
        let bytes =
            fs::read(&path).with_context(|| format!("could not read {}", path.display()))?;
        files.insert(url.to_owned(), bytes);
    }
    let whole = &files[url];
    let Some(range) = range else {
        return Ok(whole.clone());
    };
    let bytes = usize::try_from(range.offset)
        .ok()
        .zip(usize::try_from(range.end()).ok())
        .and_then(|(start, end)| whole.get(start..end))
        .with_context(|| {
            format!(
                "{url} has {} bytes, the playlist asks for {}..{}",
                whole.len(),
                range.offset,
                range.end()
            )
        })?;
    Ok(bytes.to_vec())
}

/// `file:///abs/path`, percent-encoding what a URL cannot hold, so the engine's parser resolves
/// the playlist's relative URIs against it like against an `https:` URL.
pub fn file_url(path: &Path) -> Result<String> {
    let absolute =
        fs::canonicalize(path).with_context(|| format!("could not resolve {}", path.display()))?;
    let text = absolute
        .to_str()
        .with_context(|| format!("{} is not UTF-8", absolute.display()))?;
    let mut url = String::from("file://");
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || b"/-._~".contains(&byte) {
            url.push(char::from(byte));
        } else {
            url.push_str(&format!("%{byte:02X}"));
        }
    }
    Ok(url)
}

/// The local path of a `file:` URL (the inverse of [`file_url`]).
pub fn path_of_file_url(url: &str) -> Result<PathBuf> {
    let Some(path) = url.strip_prefix("file://") else {
        bail!("{url} is not a local file (only file: URLs can be read here)");
    };
    let path = path.split(['?', '#']).next().unwrap_or(path);
    let mut bytes = Vec::with_capacity(path.len());
    let mut rest = path.as_bytes();
    while let Some((&byte, tail)) = rest.split_first() {
        let escaped = (byte == b'%')
            .then(|| tail.get(..2))
            .flatten()
            .and_then(|hex| u8::from_str_radix(std::str::from_utf8(hex).ok()?, 16).ok());
        match escaped {
            Some(decoded) => {
                bytes.push(decoded);
                rest = &tail[2..];
            }
            None => {
                bytes.push(byte);
                rest = tail;
            }
        }
    }
    let path = String::from_utf8(bytes).with_context(|| format!("{url} is not UTF-8"))?;
    Ok(PathBuf::from(path))
}

/// Writes each period to its own file: `out.mp4`, then `out.2.mp4`, … Returns the paths.
pub fn write_periods(periods: &[Mp4Period], out: &Path) -> Result<Vec<PathBuf>> {
    ensure!(!periods.is_empty(), "nothing was transmuxed");
    let mut written = Vec::with_capacity(periods.len());
    for (index, period) in periods.iter().enumerate() {
        let path = if index == 0 {
            out.to_path_buf()
        } else {
            let stem = out.file_stem().unwrap_or_default().to_string_lossy();
            let extension = out.extension().unwrap_or_default().to_string_lossy();
            out.with_file_name(format!("{stem}.{}.{extension}", index + 1))
        };
        fs::write(&path, period.file_bytes())
            .with_context(|| format!("could not write {}", path.display()))?;
        written.push(path);
    }
    Ok(written)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_urls_round_trip_through_percent_encoding() {
        let url = "file:///tmp/a%20b/%C3%A9.ts";
        assert_eq!(path_of_file_url(url).unwrap(), Path::new("/tmp/a b/é.ts"));
        assert!(path_of_file_url("https://cdn.example/a.ts").is_err());
        let dir = std::env::temp_dir();
        let url = file_url(&dir).unwrap();
        assert_eq!(
            path_of_file_url(&url).unwrap(),
            fs::canonicalize(dir).unwrap()
        );
    }
}

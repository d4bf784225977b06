//! Reading ISO BMFF (MP4) boxes, for streams that already are fragmented MP4: the codec
//! string of an init segment, and the time range of a media fragment.

use super::adts::push_decimal;
use super::error::Mp4Error;
use super::h264::push_hex_byte;

/// One box: its type, its payload (after the header) and the absolute offset of its header.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Mp4Box<'a> {
    pub fourcc: [u8; 4],
    pub body: &'a [u8],
    pub offset: usize,
}

/// Iterates the boxes in `data` (which starts at absolute offset `base`).
pub(crate) struct Boxes<'a> {
    data: &'a [u8],
    pos: usize,
    base: usize,
}

impl<'a> Boxes<'a> {
    pub(crate) fn new(data: &'a [u8], base: usize) -> Self {
        Self { data, pos: 0, base }
    }
}

impl<'a> Iterator for Boxes<'a> {
    type Item = Result<Mp4Box<'a>, Mp4Error>;

    fn next(&mut self) -> Option<Self::Item> {
        let rest = &self.data[self.pos..];
        if rest.len() < 8 {
            return None;
        }
        let offset = self.base + self.pos;
        let size32 = u32::from_be_bytes([rest[0], rest[1], rest[2], rest[3]]);
        let (size, header) = match size32 {
            0 => (rest.len() as u64, 8),
            1 if rest.len() >= 16 => (
                u64::from_be_bytes([
                    rest[8], rest[9], rest[10], rest[11], rest[12], rest[13], rest[14], rest[15],
                ]),
                16,
            ),
            1 => {
                return self.fail(Mp4Error::Truncated {
                    offset,
                    size: 16,
                    available: rest.len(),
                })
            }
            n => (u64::from(n), 8),
        };
        if size < header as u64 {
            return self.fail(Mp4Error::BadSize { offset, size });
        }
        if size > rest.len() as u64 {
            return self.fail(Mp4Error::Truncated {
                offset,
                size,
                available: rest.len(),
            });
        }
        let size = size as usize;
        self.pos += size;
        Some(Ok(Mp4Box {
            fourcc: [rest[4], rest[5], rest[6], rest[7]],
            body: &rest[header..size],
            offset: offset + header,
        }))
    }
}

impl Boxes<'_> {
    fn fail<T>(&mut self, e: Mp4Error) -> Option<Result<T, Mp4Error>> {
        self.pos = self.data.len();
        Some(Err(e))
    }
}

/// The first child box of type `fourcc`.
pub(crate) fn child<'a>(
    b: &Mp4Box<'a>,
    skip: usize,
    fourcc: &[u8; 4],
) -> Result<Option<Mp4Box<'a>>, Mp4Error> {
    let body = b.body.get(skip..).unwrap_or(&[]);
    for c in Boxes::new(body, b.offset + skip) {
        let c = c?;
        if &c.fourcc == fourcc {
            return Ok(Some(c));
        }
    }
    Ok(None)
}

fn find<'a>(data: &'a [u8], fourcc: &[u8; 4]) -> Result<Option<Mp4Box<'a>>, Mp4Error> {
    for b in Boxes::new(data, 0) {
        let b = b?;
        if &b.fourcc == fourcc {
            return Ok(Some(b));
        }
    }
    Ok(None)
}

/// True when `data` starts with a box type that opens an MP4 file or fragment.
pub fn looks_like_mp4(data: &[u8]) -> bool {
    data.len() >= 8
        && matches!(
            &data[4..8],
            b"ftyp" | b"styp" | b"moov" | b"moof" | b"sidx" | b"emsg" | b"prft" | b"free"
        )
}

/// Reads the RFC 6381 codec string (e.g. `avc1.64001f,mp4a.40.2`) from an init segment's
/// `moov`, for fMP4 streams whose playlist has no CODECS attribute.
///
/// ```
/// # use player_core::media::codecs_from_init_segment;
/// assert!(codecs_from_init_segment(b"not an mp4").is_err());
/// ```
pub fn codecs_from_init_segment(init: &[u8]) -> Result<String, Mp4Error> {
    let moov = find(init, b"moov")?.ok_or(Mp4Error::Missing { path: "moov" })?;
    let mut codecs = String::new();
    for trak in Boxes::new(moov.body, moov.offset) {
        let trak = trak?;
        if &trak.fourcc != b"trak" {
            continue;
        }
        let Some(stsd) = path(&trak, &[b"mdia", b"minf", b"stbl", b"stsd"])? else {
            continue;
        };
        let Some(entry) = Boxes::new(stsd.body.get(8..).unwrap_or(&[]), stsd.offset + 8).next()
        else {
            continue;
        };
        if !codecs.is_empty() {
            codecs.push(',');
        }
        sample_entry_codec(&entry?, &mut codecs)?;
    }
    if codecs.is_empty() {
        return Err(Mp4Error::Missing {
            path: "moov/trak/mdia/minf/stbl/stsd",
        });
    }
    Ok(codecs)
}

fn path<'a>(b: &Mp4Box<'a>, names: &[&[u8; 4]]) -> Result<Option<Mp4Box<'a>>, Mp4Error> {
    let mut cur = *b;
    for name in names {
        match child(&cur, 0, name)? {
            Some(c) => cur = c,
            None => return Ok(None),
        }
    }
    Ok(Some(cur))
}

fn sample_entry_codec(entry: &Mp4Box<'_>, out: &mut String) -> Result<(), Mp4Error> {
    let visual = matches!(
        &entry.fourcc,
        b"avc1" | b"avc3" | b"hvc1" | b"hev1" | b"vp09" | b"av01" | b"encv"
    );
    // Children follow the fixed fields: 78 bytes for visual entries, 28 for audio (plus the
    // QuickTime sound description's version 1/2 extensions).
    let skip = if visual {
        78
    } else {
        match entry.body.get(8..10) {
            Some([0, 1]) => 28 + 16,
            Some([0, 2]) => 28 + 36,
            _ => 28,
        }
    };
    let mut fourcc = entry.fourcc;
    if &fourcc == b"encv" || &fourcc == b"enca" {
        if let Some(frma) = path(
            &Mp4Box {
                body: entry.body.get(skip..).unwrap_or(&[]),
                offset: entry.offset + skip,
                ..*entry
            },
            &[b"sinf", b"frma"],
        )? {
            if let Some(f) = frma.body.get(..4) {
                fourcc.copy_from_slice(f);
            }
        }
    }
    let malformed = |name| Mp4Error::Malformed {
        fourcc: name,
        offset: entry.offset,
    };
    match &fourcc {
        b"avc1" | b"avc3" => {
            let c = child(entry, skip, b"avcC")?.ok_or(Mp4Error::Missing { path: "avcC" })?;
            let b = c.body.get(1..4).ok_or(malformed("avcC"))?;
            out.push_str(if &fourcc == b"avc1" { "avc1." } else { "avc3." });
            b.iter().for_each(|&x| push_hex_byte(out, x));
        }
        b"hvc1" | b"hev1" => {
            let c = child(entry, skip, b"hvcC")?.ok_or(Mp4Error::Missing { path: "hvcC" })?;
            let b = c.body.get(..13).ok_or(malformed("hvcC"))?;
            out.push_str(if &fourcc == b"hvc1" { "hvc1." } else { "hev1." });
            let space = b[1] >> 6;
            if space > 0 {
                out.push(char::from(b'A' + space - 1));
            }
            push_decimal(out, u32::from(b[1] & 0x1F));
            out.push('.');
            // The compatibility flags are written in reverse bit order, in hex, no leading zeros.
            let flags = u32::from_be_bytes([b[2], b[3], b[4], b[5]]).reverse_bits();
            push_hex(out, flags);
            out.push('.');
            out.push(if b[1] & 0x20 != 0 { 'H' } else { 'L' });
            push_decimal(out, u32::from(b[12]));
            let constraints = &b[6..12];
            let used = constraints
                .iter()
                .rposition(|&x| x != 0)
                .map_or(0, |i| i + 1);
            for &x in &constraints[..used] {
                out.push('.');
                push_hex(out, u32::from(x));
            }
        }
        b"mp4a" => {
            let esds = child(entry, skip, b"esds")?.ok_or(Mp4Error::Missing { path: "esds" })?;
            let (oti, aot) =
                esds_object_type(esds.body.get(4..).unwrap_or(&[])).ok_or(malformed("esds"))?;
            out.push_str("mp4a.");
            push_hex_byte(out, oti);
            if let Some(aot) = aot {
                out.push('.');
                push_decimal(out, u32::from(aot));
            }
        }
        b"vp09" => {
            let c = child(entry, skip, b"vpcC")?.ok_or(Mp4Error::Missing { path: "vpcC" })?;
            let b = c.body.get(4..7).ok_or(malformed("vpcC"))?;
            out.push_str("vp09");
            for v in [b[0], b[1], b[2] >> 4] {
                out.push('.');
                if v < 10 {
                    out.push('0');
                }
                push_decimal(out, u32::from(v));
            }
        }
        b"av01" => {
            let c = child(entry, skip, b"av1C")?.ok_or(Mp4Error::Missing { path: "av1C" })?;
            let b = c.body.get(1..3).ok_or(malformed("av1C"))?;
            out.push_str("av01.");
            push_decimal(out, u32::from(b[0] >> 5));
            out.push('.');
            let level = b[0] & 0x1F;
            if level < 10 {
                out.push('0');
            }
            push_decimal(out, u32::from(level));
            out.push(if b[1] & 0x80 != 0 { 'H' } else { 'M' });
            out.push_str(match (b[1] & 0x40 != 0, b[1] & 0x20 != 0) {
                (true, true) => ".12",
                (true, false) => ".10",
                _ => ".08",
            });
        }
        b"ac-3" => out.push_str("ac-3"),
        b"ec-3" => out.push_str("ec-3"),
        b"Opus" => out.push_str("opus"),
        b"fLaC" => out.push_str("flac"),
        other => out.push_str(&String::from_utf8_lossy(other)),
    }
    Ok(())
}

fn push_hex(out: &mut String, v: u32) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let digits = ((32 - v.leading_zeros()).div_ceil(4)).max(1);
    for i in (0..digits).rev() {
        out.push(char::from(HEX[(v >> (4 * i) & 15) as usize]));
    }
}

/// From an ES_Descriptor: the objectTypeIndication and, for MPEG-4 audio (0x40), the audio
/// object type of the AudioSpecificConfig.
fn esds_object_type(mut d: &[u8]) -> Option<(u8, Option<u8>)> {
    let mut oti = None;
    loop {
        let Some((&tag, rest)) = d.split_first() else {
            return oti.map(|o| (o, None));
        };
        let mut len = 0usize;
        let mut i = 0;
        loop {
            let b = *rest.get(i)?;
            len = len << 7 | usize::from(b & 0x7F);
            i += 1;
            if b & 0x80 == 0 || i == 4 {
                break;
            }
        }
        let body = rest.get(i..i + len)?;
        match tag {
            0x03 => {
                // ES_ID, flags, then optional fields the flags announce.
                let flags = *body.get(2)?;
                let mut skip = 3;
                if flags & 0x80 != 0 {
                    skip += 2;
                }
                if flags & 0x40 != 0 {
                    skip += 1 + usize::from(*body.get(skip)?);
                }
                if flags & 0x20 != 0 {
                    skip += 2;
                }
                d = body.get(skip..)?;
            }
            0x04 => {
                oti = Some(*body.first()?);
                d = body.get(13..)?;
            }
            0x05 => {
                let oti = oti?;
                if oti != 0x40 {
                    return Some((oti, None));
                }
                let aot = body.first()? >> 3;
                let aot = if aot == 31 {
                    let b = u16::from_be_bytes([*body.first()?, *body.get(1)?]);
                    32 + (b >> 5 & 0x3F) as u8
                } else {
                    aot
                };
                return Some((oti, Some(aot)));
            }
            _ => d = rest.get(i + len..)?,
        }
    }
}

/// Time range of the fragments in an fMP4 media segment, given each track's timescale.
/// Returns (start, end) in seconds over all tracks whose timescale is known.
pub(crate) fn fragment_range(
    media: &[u8],
    timescales: &[(u32, u32)],
) -> Result<Option<(f64, f64)>, Mp4Error> {
    let mut range: Option<(f64, f64)> = None;
    for b in Boxes::new(media, 0) {
        let moof = b?;
        if &moof.fourcc != b"moof" {
            continue;
        }
        for traf in Boxes::new(moof.body, moof.offset) {
            let traf = traf?;
            if &traf.fourcc != b"traf" {
                continue;
            }
            let tfhd = child(&traf, 0, b"tfhd")?.ok_or(Mp4Error::Missing { path: "traf/tfhd" })?;
            let h = tfhd.body;
            let bad = Mp4Error::Malformed {
                fourcc: "tfhd",
                offset: tfhd.offset,
            };
            let flags = be32(h, 0).ok_or(bad.clone())? & 0xFF_FFFF;
            let track = be32(h, 4).ok_or(bad.clone())?;
            let mut at = 8;
            for (bit, len) in [(0x1, 8), (0x2, 4)] {
                if flags & bit != 0 {
                    at += len;
                }
            }
            let default_duration = if flags & 0x8 != 0 {
                be32(h, at).ok_or(bad)?
            } else {
                0
            };
            let Some(&(_, scale)) = timescales.iter().find(|(id, _)| *id == track) else {
                continue;
            };
            let Some(tfdt) = child(&traf, 0, b"tfdt")? else {
                continue;
            };
            let base = match tfdt.body.first() {
                Some(1) => tfdt
                    .body
                    .get(4..12)
                    .map(|b| u64::from_be_bytes([b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7]])),
                _ => be32(tfdt.body, 4).map(u64::from),
            }
            .ok_or(Mp4Error::Malformed {
                fourcc: "tfdt",
                offset: tfdt.offset,
            })?;
            let mut duration = 0u64;
            for trun in Boxes::new(traf.body, traf.offset) {
                let trun = trun?;
                if &trun.fourcc == b"trun" {
                    duration += trun_duration(&trun, default_duration)?;
                }
            }
            let (s, e) = (
                base as f64 / f64::from(scale),
                (base + duration) as f64 / f64::from(scale),
            );
            range = Some(range.map_or((s, e), |(a, b)| (a.min(s), b.max(e))));
        }
    }
    Ok(range)
}

fn be32(b: &[u8], at: usize) -> Option<u32> {
    b.get(at..at + 4)
        .map(|x| u32::from_be_bytes([x[0], x[1], x[2], x[3]]))
}

fn trun_duration(trun: &Mp4Box<'_>, default: u32) -> Result<u64, Mp4Error> {
    let b = trun.body;
    let bad = Mp4Error::Malformed {
        fourcc: "trun",
        offset: trun.offset,
    };
    let flags = be32(b, 0).ok_or(bad.clone())? & 0xFF_FFFF;
    let count = be32(b, 4).ok_or(bad.clone())? as usize;
    let mut at = 8 + if flags & 1 != 0 { 4 } else { 0 } + if flags & 4 != 0 { 4 } else { 0 };
    if flags & 0x100 == 0 {
        return Ok(count as u64 * u64::from(default));
    }
    let per = 4 * (flags >> 8 & 0xF).count_ones() as usize;
    if count > b.len() / per.max(1) {
        return Err(bad);
    }
    let mut total = 0u64;
    for _ in 0..count {
        total += u64::from(be32(b, at).ok_or(bad.clone())?);
        at += per;
    }
    Ok(total)
}

/// ID3 tags carried in top-level `emsg` boxes (AOM "ID3 Timed Metadata in CMAF" and
/// Apple's scheme), with their time in seconds and the offset of their box. Version 1
/// boxes carry an absolute time; version 0 is relative to `segment_start`. Malformed boxes
/// are skipped.
pub(crate) fn emsg_id3(media: &[u8], segment_start: f64) -> Vec<(f64, usize, &[u8])> {
    let mut out = Vec::new();
    for b in Boxes::new(media, 0) {
        let Ok(b) = b else { break };
        if &b.fourcc != b"emsg" {
            continue;
        }
        if let Some((time, data)) = parse_emsg(b.body, segment_start) {
            out.push((time, b.offset, data));
        }
    }
    out
}

fn parse_emsg(body: &[u8], segment_start: f64) -> Option<(f64, &[u8])> {
    fn cstr(b: &[u8]) -> Option<(&[u8], &[u8])> {
        let end = b.iter().position(|&c| c == 0)?;
        Some((&b[..end], &b[end + 1..]))
    }
    let version = *body.first()?;
    let (scheme, time, data) = if version == 0 {
        let (scheme, rest) = cstr(body.get(4..)?)?;
        let (_value, rest) = cstr(rest)?;
        let scale = be32(rest, 0)?;
        let delta = be32(rest, 4)?;
        (
            scheme,
            segment_start + f64::from(delta) / f64::from(scale.max(1)),
            rest.get(16..)?,
        )
    } else {
        let scale = be32(body, 4)?;
        let hi = be32(body, 8)?;
        let lo = be32(body, 12)?;
        let time = (u64::from(hi) << 32 | u64::from(lo)) as f64 / f64::from(scale.max(1));
        let (scheme, rest) = cstr(body.get(24..)?)?;
        let (_value, rest) = cstr(rest)?;
        (scheme, time, rest)
    };
    let id3 = scheme == b"https://aomedia.org/emsg/ID3"
        || scheme == b"https://developer.apple.com/streaming/emsg-id3";
    id3.then_some((time, data))
}

/// (track_ID, timescale) of every track in an init segment.
pub(crate) fn track_timescales(init: &[u8]) -> Result<Vec<(u32, u32)>, Mp4Error> {
    let moov = find(init, b"moov")?.ok_or(Mp4Error::Missing { path: "moov" })?;
    let mut out = Vec::new();
    for trak in Boxes::new(moov.body, moov.offset) {
        let trak = trak?;
        if &trak.fourcc != b"trak" {
            continue;
        }
        let (Some(tkhd), Some(mdhd)) =
            (child(&trak, 0, b"tkhd")?, path(&trak, &[b"mdia", b"mdhd"])?)
        else {
            continue;
        };
        let v1 = |b: &Mp4Box<'_>| b.body.first() == Some(&1);
        let id = be32(tkhd.body, if v1(&tkhd) { 20 } else { 12 });
        let scale = be32(mdhd.body, if v1(&mdhd) { 20 } else { 12 });
        if let (Some(id), Some(scale @ 1..)) = (id, scale) {
            out.push((id, scale));
        }
    }
    Ok(out)
}

#[cfg(test)]
#[path = "isobmff_tests.rs"]
mod tests;

//! ID3v2.3/2.4 tags as carried in timed-metadata PES packets (Apple's "Timed Metadata for
//! HTTP Live Streaming"): the frames a storefront puts there, mostly TXXX and PRIV.

use super::error::Id3Error;

/// One ID3 frame.
///
/// ```
/// use player_core::media::{parse_id3, Id3Frame};
/// // ID3v2.4 tag with one TXXX frame: description "shoppable", value "tee" (UTF-8).
/// let body = b"\x03shoppable\x00tee";
/// let mut tag = b"ID3\x04\x00\x00\x00\x00\x00".to_vec();
/// tag.push(10 + body.len() as u8); // syncsafe size of the frames
/// tag.extend_from_slice(b"TXXX\x00\x00\x00");
/// tag.push(body.len() as u8);
/// tag.extend_from_slice(&[0, 0]);
/// tag.extend_from_slice(body);
/// let frames = parse_id3(&tag).unwrap();
/// assert_eq!(frames, [Id3Frame::Txxx { description: "shoppable".into(), value: "tee".into() }]);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Id3Frame {
    /// User-defined text: the usual carrier of JSON product cues.
    Txxx { description: String, value: String },
    /// Private data identified by its owner (e.g. `com.apple.streaming.transportStreamTimestamp`).
    Priv { owner: String, data: Vec<u8> },
    /// Any other text frame (`TIT2`, `TALB`, …).
    Text { id: String, value: String },
    /// A URL frame (`WXXX` keeps only its URL).
    Url { id: String, url: String },
    /// Any other frame, raw.
    Other { id: String, data: Vec<u8> },
}

/// Parses every ID3v2 tag at the start of `data` (tags may follow one another).
pub fn parse_id3(data: &[u8]) -> Result<Vec<Id3Frame>, Id3Error> {
    let mut frames = Vec::new();
    let mut at = 0;
    loop {
        at += parse_tag(&data[at..], at, &mut frames)?;
        if data.len() < at + 10 || &data[at..at + 3] != b"ID3" {
            return Ok(frames);
        }
    }
}

fn syncsafe(b: &[u8]) -> usize {
    b.iter().fold(0, |v, &x| v << 7 | usize::from(x & 0x7F))
}

/// Parses one tag; returns its total length.
fn parse_tag(data: &[u8], base: usize, frames: &mut Vec<Id3Frame>) -> Result<usize, Id3Error> {
    if data.len() < 10 || &data[..3] != b"ID3" {
        return Err(Id3Error::NoHeader { offset: base });
    }
    let version = data[3];
    if !(3..=4).contains(&version) {
        return Err(Id3Error::UnsupportedVersion { version });
    }
    let flags = data[5];
    let size = syncsafe(&data[6..10]);
    let footer = if version == 4 && flags & 0x10 != 0 {
        10
    } else {
        0
    };
    let total = 10 + size + footer;
    let body = data.get(10..10 + size).ok_or(Id3Error::Truncated {
        what: "tag",
        offset: base,
    })?;
    let tag_unsync = flags & 0x80 != 0;
    // ID3v2.3 unsynchronises the whole tag; v2.4 marks it on each frame.
    let owned;
    let body = if version == 3 && tag_unsync {
        owned = resync(body);
        &owned[..]
    } else {
        body
    };
    let mut at = 0;
    if flags & 0x40 != 0 {
        let ext = body.get(..4).ok_or(Id3Error::Truncated {
            what: "extended header",
            offset: base + 10,
        })?;
        at = if version == 4 {
            syncsafe(ext)
        } else {
            4 + u32::from_be_bytes([ext[0], ext[1], ext[2], ext[3]]) as usize
        };
    }
    while at.saturating_add(10) <= body.len() && body[at] != 0 {
        let h = &body[at..at + 10];
        let size = if version == 4 {
            syncsafe(&h[4..8])
        } else {
            u32::from_be_bytes([h[4], h[5], h[6], h[7]]) as usize
        };
        let offset = base + 10 + at;
        let mut content =
            body.get(at + 10..(at + 10).saturating_add(size))
                .ok_or(Id3Error::Truncated {
                    what: "frame",
                    offset,
                })?;
        at += 10 + size;
        let format = h[9];
        let (compressed_or_encrypted, unsync, length_indicator, group) = if version == 4 {
            (
                format & 0x0C != 0,
                format & 0x02 != 0 || tag_unsync,
                format & 0x01 != 0,
                format & 0x40 != 0,
            )
        } else {
            (format & 0xC0 != 0, false, false, format & 0x20 != 0)
        };
        if compressed_or_encrypted {
            continue;
        }
        let skip = usize::from(group) + if length_indicator { 4 } else { 0 };
        content = content.get(skip..).unwrap_or(&[]);
        let owned;
        if unsync {
            owned = resync(content);
            content = &owned;
        }
        let id = String::from_utf8_lossy(&h[..4]).into_owned();
        frames.push(parse_frame(id, content));
    }
    Ok(total.min(data.len()))
}

/// Undoes unsynchronisation: `FF 00` → `FF`.
fn resync(data: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(data.len());
    let mut prev_ff = false;
    for &b in data {
        if !(prev_ff && b == 0) {
            out.push(b);
        }
        prev_ff = b == 0xFF;
    }
    out
}

fn parse_frame(id: String, c: &[u8]) -> Id3Frame {
    match id.as_bytes() {
        b"TXXX" => {
            let (enc, rest) = split_encoding(c);
            let (description, value) = split_terminated(rest, enc);
            Id3Frame::Txxx {
                description: decode(description, enc),
                value: decode(value, enc),
            }
        }
        b"PRIV" => {
            let (owner, data) = split_terminated(c, 0);
            Id3Frame::Priv {
                owner: decode(owner, 0),
                data: data.to_vec(),
            }
        }
        b"WXXX" => {
            let (enc, rest) = split_encoding(c);
            let (_, url) = split_terminated(rest, enc);
            Id3Frame::Url {
                url: decode(url, 0),
                id,
            }
        }
        [b'T', ..] => {
            let (enc, rest) = split_encoding(c);
            Id3Frame::Text {
                value: decode(rest, enc),
                id,
            }
        }
        [b'W', ..] => Id3Frame::Url {
            url: decode(c, 0),
            id,
        },
        _ => Id3Frame::Other {
            data: c.to_vec(),
            id,
        },
    }
}

fn split_encoding(c: &[u8]) -> (u8, &[u8]) {
    match c.split_first() {
        Some((&e, rest)) => (e, rest),
        None => (0, &[]),
    }
}

/// Splits at the encoding's terminator (one zero byte, or two aligned ones for UTF-16).
fn split_terminated(c: &[u8], enc: u8) -> (&[u8], &[u8]) {
    let end = if enc == 1 || enc == 2 {
        (0..c.len() / 2)
            .map(|i| 2 * i)
            .find(|&i| c[i] == 0 && c[i + 1] == 0)
            .map(|i| (i, i + 2))
    } else {
        c.iter().position(|&b| b == 0).map(|i| (i, i + 1))
    };
    match end {
        Some((a, b)) => (&c[..a], &c[b..]),
        None => (c, &[]),
    }
}

/// Decodes ID3 text: 0 ISO-8859-1, 1 UTF-16 with BOM, 2 UTF-16BE, 3 UTF-8. Trailing
/// terminators are dropped.
fn decode(c: &[u8], enc: u8) -> String {
    match enc {
        1 | 2 => {
            let mut units = c.chunks_exact(2).map(|p| [p[0], p[1]]);
            let mut little = false;
            let mut first = None;
            if enc == 1 {
                match units.next() {
                    Some([0xFF, 0xFE]) => little = true,
                    Some([0xFE, 0xFF]) => {}
                    other => first = other,
                }
            }
            let units = first.into_iter().chain(units).map(|p| {
                if little {
                    u16::from_le_bytes(p)
                } else {
                    u16::from_be_bytes(p)
                }
            });
            let s: String = char::decode_utf16(units)
                .map(|r| r.unwrap_or('\u{FFFD}'))
                .collect();
            s.trim_end_matches('\0').to_owned()
        }
        3 => String::from_utf8_lossy(c).trim_end_matches('\0').to_owned(),
        _ => c
            .iter()
            .map(|&b| char::from(b))
            .collect::<String>()
            .trim_end_matches('\0')
            .to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frame(version: u8, id: &[u8; 4], flags: [u8; 2], content: &[u8]) -> Vec<u8> {
        let mut f = id.to_vec();
        let n = content.len() as u32;
        if version == 4 {
            f.extend([
                (n >> 21) as u8 & 0x7F,
                (n >> 14) as u8 & 0x7F,
                (n >> 7) as u8 & 0x7F,
                n as u8 & 0x7F,
            ]);
        } else {
            f.extend(n.to_be_bytes());
        }
        f.extend(flags);
        f.extend_from_slice(content);
        f
    }

    fn tag(version: u8, flags: u8, frames: &[u8]) -> Vec<u8> {
        let n = frames.len() as u32;
        let mut t = vec![b'I', b'D', b'3', version, 0, flags];
        t.extend([
            (n >> 21) as u8 & 0x7F,
            (n >> 14) as u8 & 0x7F,
            (n >> 7) as u8 & 0x7F,
            n as u8 & 0x7F,
        ]);
        t.extend_from_slice(frames);
        t
    }

    #[test]
    fn txxx_priv_and_text_frames() {
        let mut frames = frame(
            4,
            b"TXXX",
            [0, 0],
            b"\x03shoppable\x00{\"product\":\"tee\"}",
        );
        frames.extend(frame(
            4,
            b"PRIV",
            [0, 0],
            b"com.apple.streaming.transportStreamTimestamp\x00\x00\x00\x00\x00\x00\x01\x5f\x90",
        ));
        frames.extend(frame(4, b"TIT2", [0, 0], b"\x00Caf\xe9\x00"));
        frames.extend(frame(4, b"WXXX", [0, 0], b"\x00shop\x00https://x.test/p"));
        frames.extend(frame(4, b"GEOB", [0, 0], b"\x01\x02"));
        frames.extend([0; 16]); // padding
        let parsed = parse_id3(&tag(4, 0, &frames)).unwrap();
        assert_eq!(
            parsed,
            [
                Id3Frame::Txxx {
                    description: "shoppable".into(),
                    value: "{\"product\":\"tee\"}".into()
                },
                Id3Frame::Priv {
                    owner: "com.apple.streaming.transportStreamTimestamp".into(),
                    data: vec![0, 0, 0, 0, 0, 1, 0x5f, 0x90]
                },
                Id3Frame::Text {
                    id: "TIT2".into(),
                    value: "Café".into()
                },
                Id3Frame::Url {
                    id: "WXXX".into(),
                    url: "https://x.test/p".into()
                },
                Id3Frame::Other {
                    id: "GEOB".into(),
                    data: vec![1, 2]
                },
            ]
        );
    }

    #[test]
    fn utf16_text_and_v23_sizes() {
        // UTF-16 with a little-endian BOM, description "d", value "é!".
        let content = b"\x01\xff\xfed\x00\x00\x00\xff\xfe\xe9\x00!\x00";
        let parsed = parse_id3(&tag(3, 0, &frame(3, b"TXXX", [0, 0], content))).unwrap();
        assert_eq!(
            parsed,
            [Id3Frame::Txxx {
                description: "d".into(),
                value: "é!".into()
            }]
        );
        // UTF-16BE without BOM.
        let parsed = parse_id3(&tag(4, 0, &frame(4, b"TIT2", [0, 0], b"\x02\x00h\x00i"))).unwrap();
        assert_eq!(
            parsed,
            [Id3Frame::Text {
                id: "TIT2".into(),
                value: "hi".into()
            }]
        );
    }

    #[test]
    fn unsynchronisation_and_data_length_indicator() {
        // v2.4 frame flags: unsynchronised (0x02) + data length indicator (0x01).
        let content = b"\x00\x00\x00\x04\x00\xff\x00\xe0";
        let parsed = parse_id3(&tag(4, 0, &frame(4, b"PRIV", [0, 0x03], content))).unwrap();
        assert_eq!(
            parsed,
            [Id3Frame::Priv {
                owner: String::new(),
                data: vec![0xff, 0xe0]
            }]
        );
        // v2.3 whole-tag unsynchronisation.
        let f = frame(3, b"PRIV", [0, 0], b"o\x00\xff\xe0");
        let mut unsynced = Vec::new();
        for &b in &f {
            unsynced.push(b);
            if b == 0xFF {
                unsynced.push(0);
            }
        }
        let parsed = parse_id3(&tag(3, 0x80, &unsynced)).unwrap();
        assert_eq!(
            parsed,
            [Id3Frame::Priv {
                owner: "o".into(),
                data: vec![0xff, 0xe0]
            }]
        );
    }

    #[test]
    fn two_tags_back_to_back() {
        let mut data = tag(4, 0, &frame(4, b"TXXX", [0, 0], b"\x03a\x00b"));
        data.extend(tag(4, 0, &frame(4, b"TXXX", [0, 0], b"\x03c\x00d")));
        assert_eq!(parse_id3(&data).unwrap().len(), 2);
    }

    #[test]
    fn errors_carry_offsets() {
        assert_eq!(
            parse_id3(b"XYZ\x04\0\0\0\0\0\0"),
            Err(Id3Error::NoHeader { offset: 0 })
        );
        assert_eq!(
            parse_id3(b"ID3\x02\0\0\0\0\0\0"),
            Err(Id3Error::UnsupportedVersion { version: 2 })
        );
        let mut t = tag(4, 0, &frame(4, b"TXXX", [0, 0], b"\x03a\x00b"));
        t.truncate(t.len() - 2);
        assert_eq!(
            parse_id3(&t),
            Err(Id3Error::Truncated {
                what: "tag",
                offset: 0
            })
        );
        // A frame whose size runs past its tag.
        let mut f = frame(4, b"TXXX", [0, 0], b"\x03a\x00b");
        f[7] = 50;
        assert_eq!(
            parse_id3(&tag(4, 0, &f)),
            Err(Id3Error::Truncated {
                what: "frame",
                offset: 10
            })
        );
    }
}

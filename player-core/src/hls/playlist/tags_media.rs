//! Media Playlist tags (RFC 8216bis §4.4.3–§4.4.5) and the LL-HLS ones.

use super::attributes::{byte_range, parse_byte_range_spec, parse_decimal_integer};
use super::error::PlaylistErrorKind as Kind;
use super::media::{
    InitSection, KeyMethod, MediaSegment, PartInf, PartialSegment, PlaylistType, PreloadHint,
    PreloadHintType, RenditionReport, SegmentKey, ServerControl, Skip,
};
use super::parser::{attr_err, check_duration, err, required, set_once, Parser, Result};
use super::DateTime;

/// At most this many `EXT-X-KEY` formats may be in effect at once. Real streams use up to four
/// (identity, FairPlay, Widevine, PlayReady); the cap keeps per-segment work constant.
pub const MAX_KEY_FORMATS: usize = 16;

/// Typical text bytes per segment (`#EXTINF:6.006,\nsegment-01234.ts\n` plus a tag or two),
/// used to size the segment list up front (at worst it doubles once).
const SEGMENT_BYTES_ESTIMATE: usize = 64;

/// The duration of an `EXTINF` value in the form nearly every encoder writes, `6.006,` (digits,
/// at most one `.`, a comma and no title), read in one pass without slicing. `None` for
/// anything else (a title, spaces, more than 15 digits, a malformed number), which the general
/// path then reads or refuses. For the values it accepts, the result is the one
/// [`parse_decimal_float`](super::attributes::parse_decimal_float) gives: the same exact
/// integer divided by the same exact power of ten.
#[inline(always)]
fn untitled_duration(value: &[u8]) -> Option<f64> {
    let (mut mantissa, mut digits, mut decimals, mut seen_dot) = (0u64, 0u32, 0u32, false);
    let mut rest = value.iter();
    for &b in &mut rest {
        match b {
            b'0'..=b'9' => {
                mantissa = mantissa * 10 + u64::from(b - b'0');
                digits += 1;
                decimals += u32::from(seen_dot);
                if digits > 15 {
                    return None;
                }
            }
            b'.' if !seen_dot => seen_dot = true,
            b',' => break,
            _ => return None,
        }
    }
    if digits == 0 || rest.next().is_some() {
        return None;
    }
    Some(mantissa as f64 / super::attributes::exact_power_of_ten(decimals)?)
}

impl Parser<'_> {
    pub(super) fn extinf(&mut self, value: Option<&str>) -> Result<()> {
        self.media_tag()?;
        let value = self.value(value, "EXTINF")?;
        if self.next.extinf.is_some() {
            return Err(self.error(Kind::ExtinfWithoutUri));
        }
        if let Some(duration) = untitled_duration(value.as_bytes()) {
            let duration = check_duration(duration).map_err(|k| self.error(k))?;
            self.next.extinf = Some((duration, None, self.line));
            return Ok(());
        }
        let (duration, title) = match super::scan::split_once_byte(value, b',') {
            Some((d, t)) => (super::scan::trim(d), super::scan::trim(t)),
            None => (value, ""),
        };
        let duration = super::attributes::parse_decimal_float(duration)
            .and_then(check_duration)
            .map_err(|k| self.error(k))?;
        let title = (!title.is_empty()).then(|| title.to_owned());
        self.next.extinf = Some((duration, title, self.line));
        Ok(())
    }

    pub(super) fn program_date_time(&mut self, value: Option<&str>) -> Result<()> {
        self.media_tag()?;
        let value = self.value(value, "EXT-X-PROGRAM-DATE-TIME")?;
        let date = DateTime::parse_cached(value, &mut self.day_cache)
            .ok_or_else(|| self.error(Kind::ExpectedDateTime))?;
        self.next.program_date_time = Some(date);
        Ok(())
    }

    pub(super) fn byte_range(&mut self, value: Option<&str>) -> Result<()> {
        self.media_tag()?;
        let value = self.value(value, "EXT-X-BYTERANGE")?;
        let (length, offset) = parse_byte_range_spec(value).map_err(|k| self.error(k))?;
        self.next.byte_range = Some((length, offset, self.line));
        Ok(())
    }

    pub(super) fn bitrate(&mut self, value: Option<&str>) -> Result<()> {
        self.media_tag()?;
        let value = self.value(value, "EXT-X-BITRATE")?;
        self.carry.bitrate = Some(parse_decimal_integer(value).map_err(|k| self.error(k))?);
        Ok(())
    }

    pub(super) fn key(&mut self, value: Option<&str>) -> Result<()> {
        self.media_tag()?;
        let value = self.value(value, "EXT-X-KEY")?;
        let key = self.key_attributes(value)?;
        let carry = &mut self.carry;
        carry.keys_changed = true;
        if key.method == KeyMethod::None {
            carry.active_keys.clear();
        } else if let Some(same_format) = carry
            .active_keys
            .iter_mut()
            .find(|k| k.key_format == key.key_format)
        {
            *same_format = key;
        } else if carry.active_keys.len() < MAX_KEY_FORMATS {
            carry.active_keys.push(key);
        } else {
            return Err(self.error(Kind::OutOfRange {
                what: "number of key formats in effect",
            }));
        }
        Ok(())
    }

    /// The attributes of `EXT-X-KEY` and `EXT-X-SESSION-KEY`.
    pub(super) fn key_attributes(&mut self, list: &str) -> Result<SegmentKey> {
        let (mut method, mut uri, mut iv, mut format, mut versions) =
            (None, None, None, None, None);
        self.attributes(list, |p, a| match a.name {
            "METHOD" => set_once(&mut method, &a, KeyMethod::parse(a.text())),
            "URI" => {
                let v = p.uri(a.text(), Some(&a))?;
                set_once(&mut uri, &a, v)
            }
            "IV" => {
                let v = p.hex_128(&a)?;
                set_once(&mut iv, &a, v)
            }
            "KEYFORMAT" => {
                let v = p.string(&a)?;
                set_once(&mut format, &a, v)
            }
            "KEYFORMATVERSIONS" => {
                let v = p.string(&a)?;
                set_once(&mut versions, &a, v)
            }
            _ => Ok(()),
        })?;
        let method = required(method, self.line, "METHOD")?;
        if method == KeyMethod::None {
            return Ok(SegmentKey {
                method,
                uri: None,
                iv: None,
                key_format: None,
                key_format_versions: None,
            });
        }
        let uri = required(uri, self.line, "URI")?;
        Ok(SegmentKey {
            method,
            uri: Some(uri),
            iv,
            // "identity" is the default; storing it as None keeps equal keys equal.
            key_format: format.filter(|f| f != "identity"),
            key_format_versions: versions,
        })
    }

    pub(super) fn map(&mut self, value: Option<&str>) -> Result<()> {
        self.media_tag()?;
        let value = self.value(value, "EXT-X-MAP")?;
        let (mut uri, mut range) = (None, None);
        self.attributes(value, |p, a| match a.name {
            "URI" => {
                let v = p.uri(a.text(), Some(&a))?;
                set_once(&mut uri, &a, v)
            }
            "BYTERANGE" => {
                let text = p.string(&a)?;
                let (length, offset) = parse_byte_range_spec(&text).map_err(|k| a.error(k))?;
                // For EXT-X-MAP an absent offset means the start of the resource.
                let r = byte_range(length, offset.unwrap_or(0)).map_err(|k| a.error(k))?;
                set_once(&mut range, &a, r)
            }
            _ => Ok(()),
        })?;
        let uri = required(uri, self.line, "URI")?;
        let index = self.index(self.media.init_sections.len())?;
        self.media.init_sections.push(InitSection {
            uri,
            byte_range: range,
        });
        self.carry.init_section = Some(index);
        Ok(())
    }

    fn index(&self, len: usize) -> Result<u32> {
        u32::try_from(len).map_err(|_| {
            self.error(Kind::OutOfRange {
                what: "number of entries",
            })
        })
    }

    pub(super) fn target_duration(&mut self, value: Option<&str>) -> Result<()> {
        self.media_tag()?;
        let value = self.value(value, "EXT-X-TARGETDURATION")?;
        if self.seen.target_duration.replace(self.line).is_some() {
            return Err(self.error(Kind::DuplicateTag {
                tag: "EXT-X-TARGETDURATION",
            }));
        }
        let n = parse_decimal_integer(value).map_err(|k| self.error(k))?;
        if n as f64 > super::MAX_DURATION_SECONDS {
            return Err(self.error(Kind::OutOfRange {
                what: "target duration",
            }));
        }
        self.media.target_duration = n;
        Ok(())
    }

    fn before_first_segment(&self, tag: &'static str) -> Result<()> {
        if self.media.segments.is_empty() && self.next.extinf.is_none() {
            Ok(())
        } else {
            Err(self.error(Kind::TagAfterFirstSegment { tag }))
        }
    }

    pub(super) fn media_sequence(&mut self, value: Option<&str>) -> Result<()> {
        const TAG: &str = "EXT-X-MEDIA-SEQUENCE";
        self.media_tag()?;
        let value = self.value(value, TAG)?;
        if std::mem::replace(&mut self.seen.media_sequence, true) {
            return Err(self.error(Kind::DuplicateTag { tag: TAG }));
        }
        self.before_first_segment(TAG)?;
        self.media.media_sequence = parse_decimal_integer(value).map_err(|k| self.error(k))?;
        Ok(())
    }

    pub(super) fn discontinuity_sequence(&mut self, value: Option<&str>) -> Result<()> {
        const TAG: &str = "EXT-X-DISCONTINUITY-SEQUENCE";
        self.media_tag()?;
        let value = self.value(value, TAG)?;
        if std::mem::replace(&mut self.seen.discontinuity_sequence, true) {
            return Err(self.error(Kind::DuplicateTag { tag: TAG }));
        }
        self.before_first_segment(TAG)?;
        let n = parse_decimal_integer(value).map_err(|k| self.error(k))?;
        self.media.discontinuity_sequence = n;
        self.carry.discontinuity_sequence = n;
        Ok(())
    }

    pub(super) fn playlist_type(&mut self, value: Option<&str>) -> Result<()> {
        const TAG: &str = "EXT-X-PLAYLIST-TYPE";
        self.media_tag()?;
        let value = self.value(value, TAG)?;
        if std::mem::replace(&mut self.seen.playlist_type, true) {
            return Err(self.error(Kind::DuplicateTag { tag: TAG }));
        }
        self.media.playlist_type = Some(match value {
            "VOD" => PlaylistType::Vod,
            "EVENT" => PlaylistType::Event,
            other => {
                return Err(self.error(Kind::UnexpectedValue {
                    value: other.to_owned(),
                }))
            }
        });
        Ok(())
    }

    /// The URI line of a media segment: everything collected since the last one becomes a
    /// [`MediaSegment`].
    pub(super) fn finish_segment(&mut self, line: &str) -> Result<()> {
        let Some((duration, title, _)) = self.next.extinf.take() else {
            return Err(self.error(Kind::UnexpectedUri));
        };
        // Kept as written and resolved on request (see `MediaPlaylist::url_of`): resolving
        // thousands of references here, most of which are never requested, was the largest
        // part of parsing a long playlist.
        let reference = match self.substitute(line) {
            Ok(reference) => reference.into_owned(),
            Err(kind) => return Err(self.error(kind)),
        };
        if self.media.segments.capacity() == 0 {
            // Growing a vector of 10,000 segments by doubling moves each one about twice;
            // segments take at least ~30 bytes of text, so this rarely reallocates.
            self.media
                .segments
                .reserve(self.text_len / SEGMENT_BYTES_ESTIMATE + 1);
        }
        let byte_range = match self.next.byte_range.take() {
            None => None,
            Some((length, offset, range_line)) => {
                let offset = match offset {
                    Some(offset) => offset,
                    None => match self.media.segments.last() {
                        // The very first segment has nothing to follow: take the resource start.
                        None => 0,
                        Some(prev) => match prev.byte_range {
                            Some(r) if self.same_resource(&prev.reference, &reference) => r.end(),
                            _ => return Err(err(range_line, Kind::ByteRangeWithoutOffset)),
                        },
                    },
                };
                Some(byte_range(length, offset).map_err(|k| err(range_line, k))?)
            }
        };
        if self.carry.keys_changed {
            self.carry.keys_changed = false;
            self.carry.key_run = if self.carry.active_keys.is_empty() {
                None
            } else {
                let first = self.index(self.media.keys.len())?;
                let count = u16::try_from(self.carry.active_keys.len()).map_err(|_| {
                    self.error(Kind::OutOfRange {
                        what: "number of keys",
                    })
                })?;
                self.media
                    .keys
                    .extend(self.carry.active_keys.iter().cloned());
                Some((first, count))
            };
        }
        let discontinuity = std::mem::take(&mut self.next.discontinuity);
        if discontinuity {
            self.carry.discontinuity_sequence = self.carry.discontinuity_sequence.saturating_add(1);
        }
        let skipped = self.media.skip.as_ref().map_or(0, |s| s.skipped_segments);
        let index = self.media.segments.len() as u64;
        let start = self.carry.next_start;
        self.carry.next_start += duration;
        let segment = MediaSegment {
            reference,
            duration,
            title,
            start,
            media_sequence: self
                .media
                .media_sequence
                .saturating_add(skipped)
                .saturating_add(index),
            discontinuity_sequence: self.carry.discontinuity_sequence,
            bitrate: if byte_range.is_none() {
                self.carry.bitrate
            } else {
                None
            },
            byte_range,
            init_section: self.carry.init_section,
            key: self.carry.key_run.map(|(first, _)| first),
            key_count: self.carry.key_run.map_or(0, |(_, count)| count),
            discontinuity,
            program_date_time: self.next.program_date_time.take(),
            gap: std::mem::take(&mut self.next.gap),
            parts: std::mem::take(&mut self.next.parts),
        };
        self.media.segments.push(segment);
        Ok(())
    }

    /// Whether two segment references name the same resource: the same text, or different
    /// texts that resolve to the same URL (`a.ts` and `./a.ts`).
    fn same_resource(&self, a: &str, b: &str) -> bool {
        a == b || self.resolver.resolve(a) == self.resolver.resolve(b)
    }

    // ---- LL-HLS ----

    pub(super) fn part_inf(&mut self, value: Option<&str>) -> Result<()> {
        const TAG: &str = "EXT-X-PART-INF";
        self.media_tag()?;
        let value = self.value(value, TAG)?;
        if std::mem::replace(&mut self.seen.part_inf, true) {
            return Err(self.error(Kind::DuplicateTag { tag: TAG }));
        }
        let mut target = None;
        self.attributes(value, |_, a| match a.name {
            "PART-TARGET" => set_once(&mut target, &a, a.duration()?),
            _ => Ok(()),
        })?;
        self.media.part_inf = Some(PartInf {
            part_target: required(target, self.line, "PART-TARGET")?,
        });
        Ok(())
    }

    pub(super) fn server_control(&mut self, value: Option<&str>) -> Result<()> {
        const TAG: &str = "EXT-X-SERVER-CONTROL";
        self.media_tag()?;
        let value = self.value(value, TAG)?;
        if std::mem::replace(&mut self.seen.server_control, true) {
            return Err(self.error(Kind::DuplicateTag { tag: TAG }));
        }
        let (mut skip_until, mut skip_dateranges, mut hold_back, mut part_hold_back, mut block) =
            (None, None, None, None, None);
        self.attributes(value, |_, a| match a.name {
            "CAN-SKIP-UNTIL" => set_once(&mut skip_until, &a, a.duration()?),
            "CAN-SKIP-DATERANGES" => set_once(&mut skip_dateranges, &a, a.yes_no()?),
            "HOLD-BACK" => set_once(&mut hold_back, &a, a.duration()?),
            "PART-HOLD-BACK" => set_once(&mut part_hold_back, &a, a.duration()?),
            "CAN-BLOCK-RELOAD" => set_once(&mut block, &a, a.yes_no()?),
            _ => Ok(()),
        })?;
        self.media.server_control = Some(ServerControl {
            can_skip_until: skip_until,
            can_skip_dateranges: skip_dateranges.unwrap_or(false),
            hold_back,
            part_hold_back,
            can_block_reload: block.unwrap_or(false),
        });
        Ok(())
    }

    pub(super) fn part(&mut self, value: Option<&str>) -> Result<()> {
        self.media_tag()?;
        let value = self.value(value, "EXT-X-PART")?;
        let (mut uri, mut duration, mut independent, mut range, mut gap) =
            (None, None, None, None, None);
        self.attributes(value, |p, a| match a.name {
            "URI" => {
                let v = p.uri(a.text(), Some(&a))?;
                set_once(&mut uri, &a, v)
            }
            "DURATION" => set_once(&mut duration, &a, a.duration()?),
            "INDEPENDENT" => set_once(&mut independent, &a, a.yes_no()?),
            "BYTERANGE" => {
                let text = p.string(&a)?;
                let spec = parse_byte_range_spec(&text).map_err(|k| a.error(k))?;
                set_once(&mut range, &a, (spec, a))
            }
            "GAP" => set_once(&mut gap, &a, a.yes_no()?),
            _ => Ok(()),
        })?;
        let uri = required(uri, self.line, "URI")?;
        let duration = required(duration, self.line, "DURATION")?;
        let byte_range = match range {
            None => None,
            Some(((length, Some(offset)), a)) => {
                Some(byte_range(length, offset).map_err(|k| a.error(k))?)
            }
            Some(((length, None), a)) => {
                let previous = self
                    .next
                    .parts
                    .last()
                    .or_else(|| self.media.segments.last().and_then(|s| s.parts.last()));
                let offset = match previous {
                    None => 0,
                    Some(prev) => match prev.byte_range {
                        Some(r) if prev.uri == uri => r.end(),
                        _ => return Err(a.error(Kind::ByteRangeWithoutOffset)),
                    },
                };
                Some(byte_range(length, offset).map_err(|k| a.error(k))?)
            }
        };
        self.next.first_part_line.get_or_insert(self.line);
        self.next.parts.push(PartialSegment {
            uri,
            duration,
            independent: independent.unwrap_or(false),
            byte_range,
            gap: gap.unwrap_or(false),
        });
        Ok(())
    }

    pub(super) fn preload_hint(&mut self, value: Option<&str>) -> Result<()> {
        self.media_tag()?;
        let value = self.value(value, "EXT-X-PRELOAD-HINT")?;
        let (mut hint_type, mut uri, mut start, mut length) = (None, None, None, None);
        self.attributes(value, |p, a| match a.name {
            "TYPE" => {
                let t = match a.text() {
                    "PART" => PreloadHintType::Part,
                    "MAP" => PreloadHintType::Map,
                    other => PreloadHintType::Other(other.to_owned()),
                };
                set_once(&mut hint_type, &a, t)
            }
            "URI" => {
                let v = p.uri(a.text(), Some(&a))?;
                set_once(&mut uri, &a, v)
            }
            "BYTERANGE-START" => set_once(&mut start, &a, a.integer()?),
            "BYTERANGE-LENGTH" => set_once(&mut length, &a, a.integer()?),
            _ => Ok(()),
        })?;
        let hint_type = required(hint_type, self.line, "TYPE")?;
        let uri = required(uri, self.line, "URI")?;
        if let Some(length) = length {
            byte_range(length, start.unwrap_or(0))
                .map_err(|k| attr_err(self.line, "BYTERANGE-LENGTH", k))?;
        }
        self.media.preload_hints.push(PreloadHint {
            hint_type,
            uri,
            byte_range_start: start,
            byte_range_length: length,
        });
        Ok(())
    }

    pub(super) fn skip(&mut self, value: Option<&str>) -> Result<()> {
        const TAG: &str = "EXT-X-SKIP";
        self.media_tag()?;
        let value = self.value(value, TAG)?;
        if std::mem::replace(&mut self.seen.skip, true) {
            return Err(self.error(Kind::DuplicateTag { tag: TAG }));
        }
        self.before_first_segment(TAG)?;
        let (mut skipped, mut removed) = (None, None);
        self.attributes(value, |p, a| match a.name {
            "SKIPPED-SEGMENTS" => set_once(&mut skipped, &a, a.integer()?),
            "RECENTLY-REMOVED-DATERANGES" => {
                let text = p.string(&a)?;
                let ids = text
                    .split('\t')
                    .filter(|id| !id.is_empty())
                    .map(str::to_owned)
                    .collect();
                set_once(&mut removed, &a, ids)
            }
            _ => Ok(()),
        })?;
        self.media.skip = Some(Skip {
            skipped_segments: required(skipped, self.line, "SKIPPED-SEGMENTS")?,
            recently_removed_dateranges: removed.unwrap_or_default(),
        });
        Ok(())
    }

    pub(super) fn rendition_report(&mut self, value: Option<&str>) -> Result<()> {
        self.media_tag()?;
        let value = self.value(value, "EXT-X-RENDITION-REPORT")?;
        let (mut uri, mut last_msn, mut last_part) = (None, None, None);
        self.attributes(value, |p, a| match a.name {
            "URI" => {
                let v = p.uri(a.text(), Some(&a))?;
                set_once(&mut uri, &a, v)
            }
            "LAST-MSN" => set_once(&mut last_msn, &a, a.integer()?),
            "LAST-PART" => set_once(&mut last_part, &a, a.integer()?),
            _ => Ok(()),
        })?;
        let uri = required(uri, self.line, "URI")?;
        self.media.rendition_reports.push(RenditionReport {
            uri,
            last_msn,
            last_part,
        });
        Ok(())
    }
}

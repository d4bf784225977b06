//! Printing playlists as M3U8 (`Display`).
//!
//! The output parses back to an equal value when read with the same URL and options: segment
//! URIs are printed as they were written (resolved against the playlist URL on request, see
//! `MediaPlaylist::url_of`), other URIs absolute, byte-range offsets explicit, numbers in Rust's shortest round-trip form,
//! dates in UTC with milliseconds. Quoted strings are printed as they are; the parser never
//! produces one containing `"` or a line break, and values built by hand must not either.
//!
//! ```
//! use player_core::hls::playlist::{parse_playlist, Playlist};
//! let text = "#EXTM3U\n#EXT-X-TARGETDURATION:4\n#EXTINF:4,\na.ts\n#EXT-X-ENDLIST\n";
//! let parsed = parse_playlist(text, "https://h/p.m3u8")?;
//! let printed = parsed.to_string();
//! assert!(printed.contains("#EXTINF:4,\na.ts\n"));
//! assert_eq!(parse_playlist(&printed, "https://h/p.m3u8")?, parsed);
//! # Ok::<(), player_core::hls::playlist::PlaylistError>(())
//! ```

use std::fmt::{self, Display, Formatter, Write};

use super::daterange::{ClientAttributeValue, DateRange};
use super::media::{
    ByteRange, MediaPlaylist, PartialSegment, PlaylistType, PreloadHintType, SegmentKey,
};
use super::multivariant::{MultivariantPlaylist, SessionDataFormat};
use super::{Playlist, StartPoint, UnknownTag, VariableDefinition, VariableSource};

impl Display for Playlist {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self {
            Playlist::Multivariant(m) => m.fmt(f),
            Playlist::Media(m) => m.fmt(f),
        }
    }
}

/// Writes one attribute list, placing the commas.
struct Attributes<'a, 'b> {
    f: &'a mut Formatter<'b>,
    empty: bool,
}

impl<'a, 'b> Attributes<'a, 'b> {
    fn start(f: &'a mut Formatter<'b>, tag: &str) -> Result<Self, fmt::Error> {
        f.write_str(tag)?;
        f.write_char(':')?;
        Ok(Attributes { f, empty: true })
    }

    fn name(&mut self, name: &str) -> fmt::Result {
        if !std::mem::replace(&mut self.empty, false) {
            self.f.write_char(',')?;
        }
        self.f.write_str(name)?;
        self.f.write_char('=')
    }

    /// An unquoted value (number, enumerated string, resolution…).
    fn plain(&mut self, name: &str, value: impl Display) -> fmt::Result {
        self.name(name)?;
        write!(self.f, "{value}")
    }

    /// An enumerated string kept verbatim; quoted when it could not be read back unquoted.
    fn token(&mut self, name: &str, value: &str) -> fmt::Result {
        if value.is_empty() || value.contains([',', '"', ' ', '\t']) {
            self.quoted(name, value)
        } else {
            self.plain(name, value)
        }
    }

    fn quoted(&mut self, name: &str, value: impl Display) -> fmt::Result {
        self.name(name)?;
        write!(self.f, "\"{value}\"")
    }

    fn yes(&mut self, name: &str, flag: bool) -> fmt::Result {
        if flag {
            self.plain(name, "YES")?;
        }
        Ok(())
    }

    fn opt_plain(&mut self, name: &str, value: Option<impl Display>) -> fmt::Result {
        value.map_or(Ok(()), |v| self.plain(name, v))
    }

    fn opt_quoted(&mut self, name: &str, value: Option<impl Display>) -> fmt::Result {
        value.map_or(Ok(()), |v| self.quoted(name, v))
    }

    fn opt_token(&mut self, name: &str, value: Option<&str>) -> fmt::Result {
        value.map_or(Ok(()), |v| self.token(name, v))
    }

    fn hex(&mut self, name: &str, bytes: &[u8]) -> fmt::Result {
        self.name(name)?;
        write_hex(self.f, bytes)
    }

    fn end(self) -> fmt::Result {
        self.f.write_char('\n')
    }
}

fn write_hex(f: &mut Formatter<'_>, bytes: &[u8]) -> fmt::Result {
    f.write_str("0x")?;
    bytes.iter().try_for_each(|b| write!(f, "{b:02X}"))
}

/// `<length>@<offset>`.
struct RangeSpec(ByteRange);

impl Display for RangeSpec {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        write!(f, "{}@{}", self.0.length, self.0.offset)
    }
}

fn write_header(
    f: &mut Formatter<'_>,
    version: Option<u8>,
    independent_segments: bool,
    start: Option<StartPoint>,
    defines: &[VariableDefinition],
) -> fmt::Result {
    f.write_str("#EXTM3U\n")?;
    if let Some(v) = version {
        writeln!(f, "#EXT-X-VERSION:{v}")?;
    }
    if independent_segments {
        f.write_str("#EXT-X-INDEPENDENT-SEGMENTS\n")?;
    }
    if let Some(start) = start {
        let mut a = Attributes::start(f, "#EXT-X-START")?;
        a.plain("TIME-OFFSET", start.time_offset)?;
        a.yes("PRECISE", start.precise)?;
        a.end()?;
    }
    for d in defines {
        let mut a = Attributes::start(f, "#EXT-X-DEFINE")?;
        match d.source {
            VariableSource::Value => {
                a.quoted("NAME", &d.name)?;
                a.quoted("VALUE", &d.value)?;
            }
            VariableSource::Import => a.quoted("IMPORT", &d.name)?,
            VariableSource::QueryParam => a.quoted("QUERYPARAM", &d.name)?,
        }
        a.end()?;
    }
    Ok(())
}

/// Prints unknown tags at their positions in one pass: `order` lists the indices of `tags` by
/// position and `next` is how many of them have been printed.
struct UnknownTags<'a> {
    tags: &'a [UnknownTag],
    order: Vec<usize>,
    next: usize,
}

impl<'a> UnknownTags<'a> {
    fn new(tags: &'a [UnknownTag]) -> Self {
        let mut order: Vec<usize> = (0..tags.len()).collect();
        order.sort_by_key(|&i| tags[i].position);
        UnknownTags {
            tags,
            order,
            next: 0,
        }
    }

    /// Prints the tags whose position is at most `position` (all remaining ones for `usize::MAX`).
    fn write_up_to(&mut self, f: &mut Formatter<'_>, position: usize) -> fmt::Result {
        while let Some(tag) = self.order.get(self.next).map(|&i| &self.tags[i]) {
            if tag.position > position {
                break;
            }
            writeln!(f, "{}", tag.text)?;
            self.next += 1;
        }
        Ok(())
    }
}

fn write_key(f: &mut Formatter<'_>, tag: &str, key: &SegmentKey) -> fmt::Result {
    let mut a = Attributes::start(f, tag)?;
    a.token("METHOD", key.method.as_str())?;
    a.opt_quoted("URI", key.uri.as_deref())?;
    if let Some(iv) = &key.iv {
        a.hex("IV", iv)?;
    }
    a.opt_quoted("KEYFORMAT", key.key_format.as_deref())?;
    a.opt_quoted("KEYFORMATVERSIONS", key.key_format_versions.as_deref())?;
    a.end()
}

fn write_date_range(f: &mut Formatter<'_>, r: &DateRange) -> fmt::Result {
    let mut a = Attributes::start(f, "#EXT-X-DATERANGE")?;
    a.quoted("ID", &r.id)?;
    a.opt_quoted("CLASS", r.class.as_deref())?;
    a.opt_quoted("START-DATE", r.start_date)?;
    a.opt_quoted("CUE", r.cue.as_deref())?;
    a.opt_quoted("END-DATE", r.end_date)?;
    a.opt_plain("DURATION", r.duration)?;
    a.opt_plain("PLANNED-DURATION", r.planned_duration)?;
    for (name, value) in [
        ("SCTE35-CMD", &r.scte35_cmd),
        ("SCTE35-OUT", &r.scte35_out),
        ("SCTE35-IN", &r.scte35_in),
    ] {
        if let Some(bytes) = value {
            a.hex(name, bytes)?;
        }
    }
    for c in &r.client_attributes {
        match &c.value {
            ClientAttributeValue::String(s) => a.quoted(&c.name, s)?,
            ClientAttributeValue::Hex(bytes) => a.hex(&c.name, bytes)?,
            ClientAttributeValue::Float(v) => a.plain(&c.name, v)?,
        }
    }
    a.yes("END-ON-NEXT", r.end_on_next)?;
    a.end()
}

fn write_part(f: &mut Formatter<'_>, part: &PartialSegment) -> fmt::Result {
    let mut a = Attributes::start(f, "#EXT-X-PART")?;
    a.plain("DURATION", part.duration)?;
    a.quoted("URI", &part.uri)?;
    a.yes("INDEPENDENT", part.independent)?;
    a.opt_quoted("BYTERANGE", part.byte_range.map(RangeSpec))?;
    a.yes("GAP", part.gap)?;
    a.end()
}

impl Display for MediaPlaylist {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        write_header(
            f,
            self.version,
            self.independent_segments,
            self.start,
            &self.defines,
        )?;
        writeln!(f, "#EXT-X-TARGETDURATION:{}", self.target_duration)?;
        if self.media_sequence != 0 {
            writeln!(f, "#EXT-X-MEDIA-SEQUENCE:{}", self.media_sequence)?;
        }
        if self.discontinuity_sequence != 0 {
            writeln!(
                f,
                "#EXT-X-DISCONTINUITY-SEQUENCE:{}",
                self.discontinuity_sequence
            )?;
        }
        match self.playlist_type {
            Some(PlaylistType::Vod) => f.write_str("#EXT-X-PLAYLIST-TYPE:VOD\n")?,
            Some(PlaylistType::Event) => f.write_str("#EXT-X-PLAYLIST-TYPE:EVENT\n")?,
            None => {}
        }
        if self.i_frames_only {
            f.write_str("#EXT-X-I-FRAMES-ONLY\n")?;
        }
        if let Some(sc) = &self.server_control {
            let mut a = Attributes::start(f, "#EXT-X-SERVER-CONTROL")?;
            a.yes("CAN-BLOCK-RELOAD", sc.can_block_reload)?;
            a.opt_plain("CAN-SKIP-UNTIL", sc.can_skip_until)?;
            a.yes("CAN-SKIP-DATERANGES", sc.can_skip_dateranges)?;
            a.opt_plain("HOLD-BACK", sc.hold_back)?;
            a.opt_plain("PART-HOLD-BACK", sc.part_hold_back)?;
            a.end()?;
        }
        if let Some(part_inf) = &self.part_inf {
            writeln!(f, "#EXT-X-PART-INF:PART-TARGET={}", part_inf.part_target)?;
        }
        if let Some(skip) = &self.skip {
            let mut a = Attributes::start(f, "#EXT-X-SKIP")?;
            a.plain("SKIPPED-SEGMENTS", skip.skipped_segments)?;
            if !skip.recently_removed_dateranges.is_empty() {
                a.quoted(
                    "RECENTLY-REMOVED-DATERANGES",
                    skip.recently_removed_dateranges.join("\t"),
                )?;
            }
            a.end()?;
        }
        for r in &self.date_ranges {
            write_date_range(f, r)?;
        }

        let mut unknown = UnknownTags::new(&self.unknown_tags);
        let mut printed_maps = 0usize;
        let mut key_run: Option<(u32, u16)> = None;
        let mut bitrate = None;
        for (i, s) in self.segments.iter().enumerate() {
            unknown.write_up_to(f, i)?;
            let run = s.key.map(|k| (k, s.key_count));
            if run != key_run {
                self.write_key_change(f, key_run, run)?;
                key_run = run;
            }
            if let Some(map) = s.init_section {
                let map = map as usize;
                while printed_maps <= map && printed_maps < self.init_sections.len() {
                    self.write_map(f, printed_maps)?;
                    printed_maps += 1;
                }
            }
            if let Some(rate) = s.bitrate.filter(|_| s.byte_range.is_none()) {
                if bitrate != Some(rate) {
                    bitrate = Some(rate);
                    writeln!(f, "#EXT-X-BITRATE:{rate}")?;
                }
            }
            if s.discontinuity {
                f.write_str("#EXT-X-DISCONTINUITY\n")?;
            }
            if let Some(date) = s.program_date_time {
                writeln!(f, "#EXT-X-PROGRAM-DATE-TIME:{date}")?;
            }
            if s.gap {
                f.write_str("#EXT-X-GAP\n")?;
            }
            for part in &s.parts {
                write_part(f, part)?;
            }
            writeln!(
                f,
                "#EXTINF:{},{}",
                s.duration,
                s.title.as_deref().unwrap_or("")
            )?;
            if let Some(range) = s.byte_range {
                writeln!(f, "#EXT-X-BYTERANGE:{}", RangeSpec(range))?;
            }
            writeln!(f, "{}", s.reference)?;
        }
        unknown.write_up_to(f, usize::MAX)?;
        for i in printed_maps..self.init_sections.len() {
            self.write_map(f, i)?;
        }
        for part in &self.pending_parts {
            write_part(f, part)?;
        }
        for hint in &self.preload_hints {
            let mut a = Attributes::start(f, "#EXT-X-PRELOAD-HINT")?;
            match &hint.hint_type {
                PreloadHintType::Part => a.plain("TYPE", "PART")?,
                PreloadHintType::Map => a.plain("TYPE", "MAP")?,
                PreloadHintType::Other(other) => a.token("TYPE", other)?,
            }
            a.quoted("URI", &hint.uri)?;
            a.opt_plain("BYTERANGE-START", hint.byte_range_start)?;
            a.opt_plain("BYTERANGE-LENGTH", hint.byte_range_length)?;
            a.end()?;
        }
        for report in &self.rendition_reports {
            let mut a = Attributes::start(f, "#EXT-X-RENDITION-REPORT")?;
            a.quoted("URI", &report.uri)?;
            a.opt_plain("LAST-MSN", report.last_msn)?;
            a.opt_plain("LAST-PART", report.last_part)?;
            a.end()?;
        }
        if self.end_list {
            f.write_str("#EXT-X-ENDLIST\n")?;
        }
        Ok(())
    }
}

impl MediaPlaylist {
    fn write_map(&self, f: &mut Formatter<'_>, index: usize) -> fmt::Result {
        let Some(map) = self.init_sections.get(index) else {
            return Ok(());
        };
        let mut a = Attributes::start(f, "#EXT-X-MAP")?;
        a.quoted("URI", &map.uri)?;
        a.opt_quoted("BYTERANGE", map.byte_range.map(RangeSpec))?;
        a.end()
    }

    /// Prints the `EXT-X-KEY` tags that turn the keys in effect from `from` into `to`, with a
    /// `METHOD=NONE` first when the formats of `from` are not kept in place.
    fn write_key_change(
        &self,
        f: &mut Formatter<'_>,
        from: Option<(u32, u16)>,
        to: Option<(u32, u16)>,
    ) -> fmt::Result {
        let run = |r: Option<(u32, u16)>| -> &[SegmentKey] {
            r.and_then(|(first, count)| {
                let first = first as usize;
                self.keys.get(
                    first
                        ..first
                            .saturating_add(usize::from(count))
                            .min(self.keys.len()),
                )
            })
            .unwrap_or(&[])
        };
        let (old, new) = (run(from), run(to));
        // A key tag replaces the key of its format where it stands and appends new formats, so
        // printing `new` over `old` yields `new` only if it starts with `old`'s formats in order.
        let extends_old = old.len() <= new.len()
            && old
                .iter()
                .zip(new)
                .all(|(o, n)| o.key_format == n.key_format);
        if new.is_empty() || !extends_old {
            f.write_str("#EXT-X-KEY:METHOD=NONE\n")?;
        }
        new.iter()
            .try_for_each(|key| write_key(f, "#EXT-X-KEY", key))
    }
}

impl Display for MultivariantPlaylist {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        write_header(
            f,
            self.version,
            self.independent_segments,
            self.start,
            &self.defines,
        )?;
        if let Some(cs) = &self.content_steering {
            let mut a = Attributes::start(f, "#EXT-X-CONTENT-STEERING")?;
            a.quoted("SERVER-URI", &cs.server_uri)?;
            a.opt_quoted("PATHWAY-ID", cs.pathway_id.as_deref())?;
            a.end()?;
        }
        for d in &self.session_data {
            let mut a = Attributes::start(f, "#EXT-X-SESSION-DATA")?;
            a.quoted("DATA-ID", &d.data_id)?;
            a.opt_quoted("VALUE", d.value.as_deref())?;
            a.opt_quoted("URI", d.uri.as_deref())?;
            if d.format == SessionDataFormat::Raw {
                a.plain("FORMAT", "RAW")?;
            }
            a.opt_quoted("LANGUAGE", d.language.as_deref())?;
            a.end()?;
        }
        for key in &self.session_keys {
            write_key(f, "#EXT-X-SESSION-KEY", key)?;
        }
        for r in &self.renditions {
            let mut a = Attributes::start(f, "#EXT-X-MEDIA")?;
            a.plain("TYPE", r.media_type.as_str())?;
            a.quoted("GROUP-ID", &r.group_id)?;
            a.quoted("NAME", &r.name)?;
            a.opt_quoted("LANGUAGE", r.language.as_deref())?;
            a.opt_quoted("ASSOC-LANGUAGE", r.assoc_language.as_deref())?;
            a.opt_quoted("STABLE-RENDITION-ID", r.stable_rendition_id.as_deref())?;
            a.yes("DEFAULT", r.default)?;
            a.yes("AUTOSELECT", r.autoselect)?;
            a.yes("FORCED", r.forced)?;
            a.opt_quoted("INSTREAM-ID", r.instream_id.as_deref())?;
            a.opt_plain("BIT-DEPTH", r.bit_depth)?;
            a.opt_plain("SAMPLE-RATE", r.sample_rate)?;
            a.opt_quoted("CHARACTERISTICS", r.characteristics.as_deref())?;
            a.opt_quoted("CHANNELS", r.channels.as_deref())?;
            a.opt_quoted("URI", r.uri.as_deref())?;
            a.end()?;
        }
        let mut unknown = UnknownTags::new(&self.unknown_tags);
        for (i, v) in self.variants.iter().enumerate() {
            unknown.write_up_to(f, i)?;
            let mut a = Attributes::start(f, "#EXT-X-STREAM-INF")?;
            a.plain("BANDWIDTH", v.bandwidth)?;
            a.opt_plain("AVERAGE-BANDWIDTH", v.average_bandwidth)?;
            a.opt_plain("SCORE", v.score)?;
            a.opt_quoted("CODECS", v.codecs.as_deref())?;
            a.opt_quoted("SUPPLEMENTAL-CODECS", v.supplemental_codecs.as_deref())?;
            if let Some(r) = v.resolution {
                a.plain("RESOLUTION", format_args!("{}x{}", r.width, r.height))?;
            }
            a.opt_plain("FRAME-RATE", v.frame_rate)?;
            a.opt_token("HDCP-LEVEL", v.hdcp_level.as_deref())?;
            a.opt_quoted("ALLOWED-CPC", v.allowed_cpc.as_deref())?;
            a.opt_token("VIDEO-RANGE", v.video_range.as_deref())?;
            a.opt_quoted("REQ-VIDEO-LAYOUT", v.req_video_layout.as_deref())?;
            a.opt_quoted("STABLE-VARIANT-ID", v.stable_variant_id.as_deref())?;
            a.opt_quoted("AUDIO", v.audio.as_deref())?;
            a.opt_quoted("VIDEO", v.video.as_deref())?;
            a.opt_quoted("SUBTITLES", v.subtitles.as_deref())?;
            if v.no_closed_captions {
                a.plain("CLOSED-CAPTIONS", "NONE")?;
            } else {
                a.opt_quoted("CLOSED-CAPTIONS", v.closed_captions.as_deref())?;
            }
            a.opt_quoted("PATHWAY-ID", v.pathway_id.as_deref())?;
            a.opt_plain("PROGRAM-ID", v.program_id)?;
            a.end()?;
            writeln!(f, "{}", v.uri)?;
        }
        unknown.write_up_to(f, usize::MAX)?;
        for v in &self.iframe_variants {
            let mut a = Attributes::start(f, "#EXT-X-I-FRAME-STREAM-INF")?;
            a.plain("BANDWIDTH", v.bandwidth)?;
            a.opt_plain("AVERAGE-BANDWIDTH", v.average_bandwidth)?;
            a.opt_plain("SCORE", v.score)?;
            a.opt_quoted("CODECS", v.codecs.as_deref())?;
            a.opt_quoted("SUPPLEMENTAL-CODECS", v.supplemental_codecs.as_deref())?;
            if let Some(r) = v.resolution {
                a.plain("RESOLUTION", format_args!("{}x{}", r.width, r.height))?;
            }
            a.opt_token("HDCP-LEVEL", v.hdcp_level.as_deref())?;
            a.opt_quoted("ALLOWED-CPC", v.allowed_cpc.as_deref())?;
            a.opt_token("VIDEO-RANGE", v.video_range.as_deref())?;
            a.opt_quoted("REQ-VIDEO-LAYOUT", v.req_video_layout.as_deref())?;
            a.opt_quoted("STABLE-VARIANT-ID", v.stable_variant_id.as_deref())?;
            a.opt_quoted("VIDEO", v.video.as_deref())?;
            a.opt_quoted("PATHWAY-ID", v.pathway_id.as_deref())?;
            a.opt_plain("PROGRAM-ID", v.program_id)?;
            a.quoted("URI", &v.uri)?;
            a.end()?;
        }
        Ok(())
    }
}

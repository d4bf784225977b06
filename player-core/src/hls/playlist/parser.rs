//! The single pass over the playlist text: lines, tag dispatch, state shared by both playlist
//! kinds, and the conversions every tag handler uses. The tags themselves live in
//! `tags_media.rs` and `tags_multivariant.rs`.

use std::borrow::Cow;

use super::attributes::{
    lex_attribute_list, parse_decimal_float, parse_decimal_integer, parse_hex_128,
    parse_resolution, parse_signed_decimal_float, parse_yes_no, AttributeValue,
};
use super::datetime::DayCache;
use super::error::{PlaylistError, PlaylistErrorKind as Kind};
use super::media::{MediaPlaylist, PartialSegment, SegmentKey};
use super::multivariant::{MultivariantPlaylist, Resolution, Variant};
use super::scan::{split_once_byte, trim, word, word_at, Lines};
use super::variables::Variables;
use super::{
    DateTime, ParseOptions, Playlist, StartPoint, UnknownTag, VariableDefinition, VariableSource,
    MAX_DURATION_SECONDS,
};
use crate::hls::url::{query_param, Resolver};

/// Errors travel boxed inside the parser: a `Result` of one pointer keeps the happy path
/// cheap to return and the generated wasm small. The public API unboxes once.
pub(super) type Error = Box<PlaylistError>;
pub(super) type Result<T> = std::result::Result<T, Error>;

#[cold]
#[inline(never)]
pub(super) fn err(line: usize, kind: Kind) -> Error {
    Box::new(PlaylistError::new(line, kind))
}

#[cold]
#[inline(never)]
pub(super) fn attr_err(line: usize, attribute: &str, kind: Kind) -> Error {
    Box::new(PlaylistError::attr(line, attribute, kind))
}

/// One attribute of the tag being parsed, with what an error about it needs.
#[derive(Clone, Copy)]
pub(super) struct Attr<'a> {
    pub name: &'a str,
    pub value: AttributeValue<'a>,
    pub line: usize,
}

impl<'a> Attr<'a> {
    pub fn error(&self, kind: Kind) -> Error {
        attr_err(self.line, self.name, kind)
    }

    pub fn text(&self) -> &'a str {
        self.value.text()
    }

    pub fn integer(&self) -> Result<u64> {
        parse_decimal_integer(self.text()).map_err(|k| self.error(k))
    }

    pub fn float(&self) -> Result<f64> {
        parse_decimal_float(self.text()).map_err(|k| self.error(k))
    }

    /// A non-negative duration in seconds, at most [`MAX_DURATION_SECONDS`].
    pub fn duration(&self) -> Result<f64> {
        let v = self.float()?;
        check_duration(v).map_err(|k| self.error(k))
    }

    /// A signed offset in seconds, at most [`MAX_DURATION_SECONDS`] either way.
    pub fn signed_duration(&self) -> Result<f64> {
        let v = parse_signed_decimal_float(self.text()).map_err(|k| self.error(k))?;
        check_duration(v.abs()).map_err(|k| self.error(k))?;
        Ok(v)
    }

    pub fn resolution(&self) -> Result<Resolution> {
        parse_resolution(self.text()).map_err(|k| self.error(k))
    }

    pub fn yes_no(&self) -> Result<bool> {
        parse_yes_no(self.text()).map_err(|k| self.error(k))
    }
}

/// Whether any line of `text` is an `EXT-X-DEFINE` tag.
fn has_define_tag(text: &str) -> bool {
    Lines::new(text).any(|line| {
        line.trim_ascii()
            .strip_prefix("#EXT-X-DEFINE")
            .is_some_and(|rest| rest.is_empty() || rest.starts_with(':'))
    })
}

pub(super) fn check_duration(seconds: f64) -> std::result::Result<f64, Kind> {
    if seconds.is_finite() && (0.0..=MAX_DURATION_SECONDS).contains(&seconds) {
        Ok(seconds)
    } else {
        Err(Kind::OutOfRange { what: "duration" })
    }
}

/// Stores an attribute value, refusing a second occurrence of the same attribute.
pub(super) fn set_once<T>(slot: &mut Option<T>, attr: &Attr<'_>, value: T) -> Result<()> {
    if slot.is_some() {
        return Err(attr.error(Kind::DuplicateAttribute));
    }
    *slot = Some(value);
    Ok(())
}

pub(super) fn required<T>(slot: Option<T>, line: usize, attribute: &str) -> Result<T> {
    slot.ok_or_else(|| attr_err(line, attribute, Kind::MissingAttribute))
}

/// Tags seen so far that may appear at most once.
#[derive(Default)]
pub(super) struct Seen {
    pub version: bool,
    pub target_duration: Option<usize>,
    pub media_sequence: bool,
    pub discontinuity_sequence: bool,
    pub playlist_type: bool,
    pub start: bool,
    pub part_inf: bool,
    pub server_control: bool,
    pub skip: bool,
    pub content_steering: bool,
}

/// Tags that apply to the next media segment, collected until its URI line.
#[derive(Default)]
pub(super) struct NextSegment {
    /// Duration, title and line of `EXTINF`.
    pub extinf: Option<(f64, Option<String>, usize)>,
    /// Length, offset and line of `EXT-X-BYTERANGE`.
    pub byte_range: Option<(u64, Option<u64>, usize)>,
    pub discontinuity: bool,
    pub program_date_time: Option<DateTime>,
    pub gap: bool,
    pub parts: Vec<PartialSegment>,
    /// Line of the first `EXT-X-PART` (for the "no EXT-X-PART-INF" error).
    pub first_part_line: Option<usize>,
}

/// State that carries from one media segment to the next.
#[derive(Default)]
pub(super) struct Carry {
    pub init_section: Option<u32>,
    /// The keys in effect, one per key format, in the order their tags appeared.
    pub active_keys: Vec<SegmentKey>,
    /// `active_keys` changed since they were last stored in `MediaPlaylist::keys`.
    pub keys_changed: bool,
    /// Where the current `active_keys` are stored: first index and count.
    pub key_run: Option<(u32, u16)>,
    pub bitrate: Option<u64>,
    pub next_start: f64,
    pub discontinuity_sequence: u64,
}

pub(super) struct Parser<'o> {
    pub text: &'o str,
    /// Length of the playlist text, for the capacity estimate of the segment list.
    pub text_len: usize,
    pub url: &'o str,
    pub options: &'o ParseOptions<'o>,
    pub resolver: Resolver,
    pub variables: Variables,
    /// 1-based number of the line being parsed.
    pub line: usize,
    pub media: MediaPlaylist,
    pub multivariant: MultivariantPlaylist,
    pub version: Option<u8>,
    pub independent_segments: bool,
    pub start: Option<StartPoint>,
    pub defines: Vec<VariableDefinition>,
    pub unknown_tags: Vec<UnknownTag>,
    /// Line of the first tag that only a Media Playlist may contain.
    pub first_media_tag: Option<usize>,
    /// Line of the first tag that only a Multivariant Playlist may contain.
    pub first_multivariant_tag: Option<usize>,
    pub seen: Seen,
    pub next: NextSegment,
    pub carry: Carry,
    /// An `EXT-X-STREAM-INF` waiting for its URI line, with the tag's line.
    pub pending_variant: Option<(Variant, usize)>,
    /// Line of the first `EXT-X-DEFINE:IMPORT`, which only Media Playlists may contain.
    pub import_line: Option<usize>,
    /// The calendar day of the last `EXT-X-PROGRAM-DATE-TIME`, which the next one nearly
    /// always shares.
    pub day_cache: DayCache,
}

impl<'o> Parser<'o> {
    pub fn new(text: &'o str, url: &'o str, options: &'o ParseOptions<'o>) -> Self {
        Parser {
            text,
            text_len: text.len(),
            url,
            options,
            resolver: Resolver::new(url),
            variables: Variables::new(text.len()),
            line: 0,
            media: MediaPlaylist::default(),
            multivariant: MultivariantPlaylist::default(),
            version: None,
            independent_segments: false,
            start: None,
            defines: Vec::new(),
            unknown_tags: Vec::new(),
            first_media_tag: None,
            first_multivariant_tag: None,
            seen: Seen::default(),
            next: NextSegment::default(),
            carry: Carry::default(),
            pending_variant: None,
            import_line: None,
            day_cache: DayCache::default(),
        }
    }

    pub fn run(mut self) -> Result<Playlist> {
        let text = self.text;
        // A BOM is forbidden by the spec but common from Windows tools; it is not a line.
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let mut saw_header = false;
        for raw in Lines::new(text) {
            self.line += 1;
            let line = trim(raw);
            if line.is_empty() {
                continue;
            }
            if !saw_header {
                if line != "#EXTM3U" {
                    return Err(err(self.line, Kind::MissingHeader));
                }
                saw_header = true;
                continue;
            }
            let bytes = line.as_bytes();
            if bytes[0] != b'#' {
                self.uri_line(line)?;
            } else if bytes.len() >= 4 && bytes[1] == b'E' && bytes[2] == b'X' && bytes[3] == b'T' {
                self.tag(line)?;
            }
            // Other lines starting with '#' are comments.
        }
        if !saw_header {
            return Err(err(1, Kind::MissingHeader));
        }
        self.finish()
    }

    fn tag(&mut self, line: &str) -> Result<()> {
        if let Some((_, stream_inf_line)) = &self.pending_variant {
            return Err(err(
                *stream_inf_line,
                Kind::MissingUri {
                    tag: "EXT-X-STREAM-INF",
                },
            ));
        }
        // The two tags nearly every segment carries, recognised a word at a time before the
        // general dispatch below compares names one by one.
        let bytes = line.as_bytes();
        let first = word_at(bytes, 0);
        if first == word(b"#EXTINF:") {
            return self.extinf(line.get(8..));
        }
        if first == word(b"#EXT-X-P")
            && word_at(bytes, 8) == word(b"ROGRAM-D")
            && word_at(bytes, 16) == word(b"ATE-TIME")
            && bytes.get(24) == Some(&b':')
        {
            return self.program_date_time(line.get(25..));
        }
        let tag = &line[1..];
        let (name, value) = match split_once_byte(tag, b':') {
            Some((name, value)) => (name, Some(value)),
            None => (tag, None),
        };
        // Ordered roughly by frequency: segment tags first.
        match name {
            "EXTINF" => self.extinf(value),
            "EXT-X-PROGRAM-DATE-TIME" => self.program_date_time(value),
            "EXT-X-BYTERANGE" => self.byte_range(value),
            "EXT-X-PART" => self.part(value),
            "EXT-X-DISCONTINUITY" => self.media_flag(|p| p.next.discontinuity = true),
            "EXT-X-GAP" => self.media_flag(|p| p.next.gap = true),
            "EXT-X-KEY" => self.key(value),
            "EXT-X-MAP" => self.map(value),
            "EXT-X-BITRATE" => self.bitrate(value),
            "EXT-X-DATERANGE" => self.date_range(value),
            "EXT-X-TARGETDURATION" => self.target_duration(value),
            "EXT-X-MEDIA-SEQUENCE" => self.media_sequence(value),
            "EXT-X-DISCONTINUITY-SEQUENCE" => self.discontinuity_sequence(value),
            "EXT-X-ENDLIST" => self.media_flag(|p| p.media.end_list = true),
            "EXT-X-PLAYLIST-TYPE" => self.playlist_type(value),
            "EXT-X-I-FRAMES-ONLY" => self.media_flag(|p| p.media.i_frames_only = true),
            "EXT-X-PART-INF" => self.part_inf(value),
            "EXT-X-SERVER-CONTROL" => self.server_control(value),
            "EXT-X-PRELOAD-HINT" => self.preload_hint(value),
            "EXT-X-SKIP" => self.skip(value),
            "EXT-X-RENDITION-REPORT" => self.rendition_report(value),
            "EXT-X-STREAM-INF" => self.stream_inf(value),
            "EXT-X-MEDIA" => self.media_rendition(value),
            "EXT-X-I-FRAME-STREAM-INF" => self.iframe_stream_inf(value),
            "EXT-X-SESSION-DATA" => self.session_data(value),
            "EXT-X-SESSION-KEY" => self.session_key(value),
            "EXT-X-CONTENT-STEERING" => self.content_steering(value),
            "EXT-X-VERSION" => self.version_tag(value),
            "EXT-X-INDEPENDENT-SEGMENTS" => {
                self.independent_segments = true;
                Ok(())
            }
            "EXT-X-START" => self.start_tag(value),
            "EXT-X-DEFINE" => self.define(value),
            // A repeated header changes nothing.
            "EXTM3U" => Ok(()),
            _ => {
                let position = if self.first_multivariant_tag.is_some() {
                    self.multivariant.variants.len()
                } else {
                    self.media.segments.len()
                };
                self.unknown_tags.push(UnknownTag {
                    position,
                    text: line.to_owned(),
                });
                Ok(())
            }
        }
    }

    fn uri_line(&mut self, line: &str) -> Result<()> {
        if let Some((mut variant, _)) = self.pending_variant.take() {
            variant.uri = self.uri(line, None)?;
            self.multivariant.variants.push(variant);
            Ok(())
        } else if self.next.extinf.is_some() {
            self.finish_segment(line)
        } else {
            Err(err(self.line, Kind::UnexpectedUri))
        }
    }

    fn finish(self) -> Result<Playlist> {
        if let Some((_, line)) = self.pending_variant {
            return Err(err(
                line,
                Kind::MissingUri {
                    tag: "EXT-X-STREAM-INF",
                },
            ));
        }
        if let Some((_, _, line)) = self.next.extinf {
            return Err(err(line, Kind::MissingUri { tag: "EXTINF" }));
        }
        if self.first_multivariant_tag.is_some() {
            if let Some(line) = self.import_line {
                return Err(attr_err(line, "IMPORT", Kind::ImportInMultivariant));
            }
            let mut m = self.multivariant;
            m.version = self.version;
            m.independent_segments = self.independent_segments;
            m.start = self.start;
            m.defines = self.defines;
            m.unknown_tags = self.unknown_tags;
            return Ok(Playlist::Multivariant(m));
        }
        if self.seen.target_duration.is_none() {
            return Err(err(
                self.first_media_tag.unwrap_or(1),
                Kind::MissingTag {
                    tag: "EXT-X-TARGETDURATION",
                },
            ));
        }
        let mut m = self.media;
        // `first_part_line` is set by the first `EXT-X-PART` and never cleared.
        if let (Some(line), None) = (self.next.first_part_line, &m.part_inf) {
            return Err(err(
                line,
                Kind::MissingTag {
                    tag: "EXT-X-PART-INF",
                },
            ));
        }
        m.url = self.url.to_owned();
        m.pending_parts = self.next.parts;
        m.version = self.version;
        m.independent_segments = self.independent_segments;
        m.start = self.start;
        m.defines = self.defines;
        m.unknown_tags = self.unknown_tags;
        Ok(Playlist::Media(m))
    }

    // ---- helpers for tag handlers ----

    pub fn error(&self, kind: Kind) -> Error {
        err(self.line, kind)
    }

    /// The value after `:`, which `tag` requires.
    #[inline(always)]
    pub fn value<'v>(&self, value: Option<&'v str>, tag: &'static str) -> Result<&'v str> {
        value.ok_or_else(|| self.error(Kind::MissingTagValue { tag }))
    }

    /// Calls `f` for each attribute of `list`.
    pub fn attributes<'v>(
        &mut self,
        list: &'v str,
        mut f: impl FnMut(&mut Self, Attr<'v>) -> Result<()>,
    ) -> Result<()> {
        let line = self.line;
        lex_attribute_list(list, line, &mut |name, value| {
            f(self, Attr { name, value, line })
        })
    }

    /// Records that this line holds a tag only Media Playlists may contain.
    #[inline(always)]
    pub fn media_tag(&mut self) -> Result<()> {
        if self.first_multivariant_tag.is_some() {
            return Err(self.error(Kind::MixedPlaylist));
        }
        self.first_media_tag.get_or_insert(self.line);
        Ok(())
    }

    /// Records that this line holds a tag only Multivariant Playlists may contain.
    pub fn multivariant_tag(&mut self) -> Result<()> {
        if self.first_media_tag.is_some() {
            return Err(self.error(Kind::MixedPlaylist));
        }
        self.first_multivariant_tag.get_or_insert(self.line);
        Ok(())
    }

    fn media_flag(&mut self, set: impl FnOnce(&mut Self)) -> Result<()> {
        self.media_tag()?;
        set(self);
        Ok(())
    }

    /// Substitutes variables in `s`. References are literal text in a playlist without any
    /// `EXT-X-DEFINE`; in one with definitions they must all resolve, including references
    /// that come before the first definition (so the meaning of a line never depends on
    /// definitions further down).
    #[inline(always)]
    pub fn substitute<'s>(&mut self, s: &'s str) -> std::result::Result<Cow<'s, str>, Kind> {
        if !Variables::has_reference(s) {
            return Ok(Cow::Borrowed(s));
        }
        self.substitute_references(s)
    }

    fn substitute_references<'s>(&mut self, s: &'s str) -> std::result::Result<Cow<'s, str>, Kind> {
        if self.variables.playlist_defines.is_none() && self.variables.is_empty() {
            self.variables.playlist_defines = Some(has_define_tag(self.text));
        }
        self.variables.substitute(s)
    }

    /// A quoted-string value with variables substituted.
    pub fn string(&mut self, attr: &Attr<'_>) -> Result<String> {
        match self.substitute(attr.text()) {
            Ok(s) => Ok(s.into_owned()),
            Err(kind) => Err(attr.error(kind)),
        }
    }

    /// A URI (a URI line, or a `URI` attribute when `attr` is given), substituted and resolved.
    pub fn uri(&mut self, text: &str, attr: Option<&Attr<'_>>) -> Result<String> {
        // One pass for the common case: a plain relative path, which has no `{` and so no
        // variable reference to substitute.
        if let Some(url) = self.resolver.resolve_plain(text) {
            return Ok(url);
        }
        let line = self.line;
        let substituted = self.substitute(text).map_err(|kind| match attr {
            Some(a) => a.error(kind),
            None => err(line, kind),
        })?;
        Ok(self.resolver.resolve(&substituted))
    }

    /// A 128-bit hexadecimal value (variables substituted).
    pub fn hex_128(&mut self, attr: &Attr<'_>) -> Result<[u8; 16]> {
        let text = self.substitute(attr.text()).map_err(|k| attr.error(k))?;
        parse_hex_128(&text).map_err(|k| attr.error(k))
    }

    /// A hexadecimal value of at most `max_bytes` (variables substituted).
    pub fn hex(&mut self, attr: &Attr<'_>, max_bytes: usize) -> Result<Vec<u8>> {
        let text = self.substitute(attr.text()).map_err(|k| attr.error(k))?;
        super::attributes::parse_hex(&text, max_bytes).map_err(|k| attr.error(k))
    }

    // ---- tags shared by both playlist kinds ----

    fn version_tag(&mut self, value: Option<&str>) -> Result<()> {
        let value = self.value(value, "EXT-X-VERSION")?;
        if std::mem::replace(&mut self.seen.version, true) {
            return Err(self.error(Kind::DuplicateTag {
                tag: "EXT-X-VERSION",
            }));
        }
        let n = parse_decimal_integer(value).map_err(|k| self.error(k))?;
        let n = u8::try_from(n).map_err(|_| self.error(Kind::IntegerOverflow { bits: 8 }))?;
        self.version = Some(n);
        Ok(())
    }

    fn start_tag(&mut self, value: Option<&str>) -> Result<()> {
        let value = self.value(value, "EXT-X-START")?;
        if std::mem::replace(&mut self.seen.start, true) {
            return Err(self.error(Kind::DuplicateTag { tag: "EXT-X-START" }));
        }
        let (mut offset, mut precise) = (None, None);
        self.attributes(value, |_, a| match a.name {
            "TIME-OFFSET" => set_once(&mut offset, &a, a.signed_duration()?),
            "PRECISE" => set_once(&mut precise, &a, a.yes_no()?),
            _ => Ok(()),
        })?;
        let time_offset = required(offset, self.line, "TIME-OFFSET")?;
        self.start = Some(StartPoint {
            time_offset,
            precise: precise.unwrap_or(false),
        });
        Ok(())
    }

    fn define(&mut self, value: Option<&str>) -> Result<()> {
        let value = self.value(value, "EXT-X-DEFINE")?;
        let (mut name, mut val, mut import, mut query) = (None, None, None, None);
        let line = self.line;
        self.attributes(value, |_, a| match a.name {
            "NAME" => set_once(&mut name, &a, a.text()),
            "VALUE" => set_once(&mut val, &a, a.text()),
            "IMPORT" => set_once(&mut import, &a, a.text()),
            "QUERYPARAM" => set_once(&mut query, &a, a.text()),
            _ => Ok(()),
        })?;
        let (name, value, source, attribute) = match (name, val, import, query) {
            (Some(name), Some(value), None, None) => {
                (name, value.to_owned(), VariableSource::Value, "NAME")
            }
            (Some(_), None, None, None) => {
                return Err(attr_err(line, "VALUE", Kind::MissingAttribute))
            }
            (None, None, Some(name), None) => {
                if self.first_multivariant_tag.is_some() {
                    return Err(attr_err(line, "IMPORT", Kind::ImportInMultivariant));
                }
                self.import_line.get_or_insert(line);
                let imported = self
                    .options
                    .imported_variables
                    .iter()
                    .find(|d| d.name == name)
                    .ok_or_else(|| {
                        attr_err(
                            line,
                            "IMPORT",
                            Kind::ImportNotFound {
                                name: name.to_owned(),
                            },
                        )
                    })?;
                (
                    name,
                    imported.value.clone(),
                    VariableSource::Import,
                    "IMPORT",
                )
            }
            (None, None, None, Some(name)) => {
                let value = query_param(self.url, name).ok_or_else(|| {
                    attr_err(
                        line,
                        "QUERYPARAM",
                        Kind::QueryParamNotFound {
                            name: name.to_owned(),
                        },
                    )
                })?;
                (name, value, VariableSource::QueryParam, "QUERYPARAM")
            }
            _ => return Err(self.error(Kind::InvalidDefine)),
        };
        self.variables
            .define(name, value.clone())
            .map_err(|k| attr_err(line, attribute, k))?;
        self.defines.push(VariableDefinition {
            name: name.to_owned(),
            value,
            source,
        });
        Ok(())
    }
}

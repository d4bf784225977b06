//! The Media Playlist model: segments and everything that applies to them.

use super::daterange::DateRange;
use super::datetime::DateTime;
use super::{StartPoint, UnknownTag, VariableDefinition};

/// A Media Playlist (RFC 8216bis §4.4.3/§4.4.4): the segments of one rendition.
///
/// Segments share their initialisation sections and keys by index into
/// [`init_sections`](Self::init_sections) and [`keys`](Self::keys), so a 10,000-segment
/// playlist under one key holds one key, not 10,000 copies.
///
/// Segment URIs are kept as written ([`MediaSegment::reference`]) and resolved against
/// [`url`](Self::url) when asked ([`segment_url`](Self::segment_url),
/// [`url_of`](Self::url_of)): a player requests a few segments of a playlist that may list
/// thousands and be reloaded every few seconds. Every other URI (keys, maps, parts, hints,
/// reports) is resolved while parsing.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct MediaPlaylist {
    /// The URL the playlist was fetched from (after redirects): the base of segment references.
    pub url: String,
    /// `EXT-X-VERSION`; `None` when absent (which means version 1).
    pub version: Option<u8>,
    /// `EXT-X-TARGETDURATION`, in seconds.
    pub target_duration: u64,
    /// `EXT-X-MEDIA-SEQUENCE`: the sequence number of the first segment (including segments
    /// replaced by `EXT-X-SKIP`).
    pub media_sequence: u64,
    /// `EXT-X-DISCONTINUITY-SEQUENCE`.
    pub discontinuity_sequence: u64,
    /// `EXT-X-ENDLIST`: no more segments will be added.
    pub end_list: bool,
    pub playlist_type: Option<PlaylistType>,
    /// `EXT-X-I-FRAMES-ONLY`: every segment is a single I-frame.
    pub i_frames_only: bool,
    /// `EXT-X-INDEPENDENT-SEGMENTS`.
    pub independent_segments: bool,
    /// `EXT-X-START`.
    pub start: Option<StartPoint>,
    /// `EXT-X-DEFINE` tags, in order, with their resolved values.
    pub defines: Vec<VariableDefinition>,
    /// `EXT-X-SERVER-CONTROL` (LL-HLS).
    pub server_control: Option<ServerControl>,
    /// `EXT-X-PART-INF` (LL-HLS).
    pub part_inf: Option<PartInf>,
    /// `EXT-X-SKIP`: this is a Playlist Delta Update (LL-HLS).
    pub skip: Option<Skip>,
    pub segments: Vec<MediaSegment>,
    /// `EXT-X-MAP` sections, referenced by [`MediaSegment::init_section`].
    pub init_sections: Vec<InitSection>,
    /// `EXT-X-KEY` entries, referenced by [`MediaSegment::key`].
    pub keys: Vec<SegmentKey>,
    /// `EXT-X-DATERANGE` tags, in playlist order.
    pub date_ranges: Vec<DateRange>,
    /// `EXT-X-PART`s after the last full segment: the segment being produced right now.
    pub pending_parts: Vec<PartialSegment>,
    /// `EXT-X-PRELOAD-HINT` (LL-HLS).
    pub preload_hints: Vec<PreloadHint>,
    /// `EXT-X-RENDITION-REPORT` (LL-HLS).
    pub rendition_reports: Vec<RenditionReport>,
    /// Tags this parser does not know (e.g. `#EXT-X-CUE-OUT`), kept verbatim with their position.
    pub unknown_tags: Vec<UnknownTag>,
}

/// `EXT-X-PLAYLIST-TYPE`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PlaylistType {
    /// The playlist never changes.
    Vod,
    /// Segments are only ever appended.
    Event,
}

/// One media segment: a URI line and the tags that apply to it.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct MediaSegment {
    /// The URI line as written (with variables substituted): a URI reference, usually relative
    /// to the playlist. [`MediaPlaylist::url_of`] gives the absolute URL to request.
    pub reference: String,
    /// `EXTINF` duration in seconds (finite, 0 ≤ d ≤ 10⁹).
    pub duration: f64,
    /// `EXTINF` title; `None` when empty.
    pub title: Option<String>,
    /// Sum of the durations of the previous segments of this playlist, in seconds.
    pub start: f64,
    /// Media Sequence Number: the playlist's `EXT-X-MEDIA-SEQUENCE` + skipped segments + index.
    pub media_sequence: u64,
    /// Discontinuity Sequence Number: the playlist's `EXT-X-DISCONTINUITY-SEQUENCE` plus the
    /// `EXT-X-DISCONTINUITY` tags up to and including this segment's.
    pub discontinuity_sequence: u64,
    /// `EXT-X-BYTERANGE`, with the implicit offset already filled in.
    pub byte_range: Option<ByteRange>,
    /// Index into [`MediaPlaylist::init_sections`].
    pub init_section: Option<u32>,
    /// Index into [`MediaPlaylist::keys`] of the first key in effect; `None` means clear.
    /// See [`key_count`](Self::key_count).
    pub key: Option<u32>,
    /// How many keys (consecutive in [`MediaPlaylist::keys`], one per `KEYFORMAT`) are in
    /// effect. 0 when [`key`](Self::key) is `None`, usually 1 otherwise.
    pub key_count: u16,
    /// `EXT-X-DISCONTINUITY` precedes this segment.
    pub discontinuity: bool,
    /// `EXT-X-PROGRAM-DATE-TIME` given for this segment. For the extrapolated date of any
    /// segment use [`MediaPlaylist::date_time_of`].
    pub program_date_time: Option<DateTime>,
    /// `EXT-X-GAP`: the segment is missing; do not load it.
    pub gap: bool,
    /// `EXT-X-BITRATE` in effect, in kbit/s (never set on byte-range segments, per the spec).
    pub bitrate: Option<u64>,
    /// `EXT-X-PART`s of this segment (LL-HLS).
    pub parts: Vec<PartialSegment>,
}

/// A sub-range of a resource, as an HTTP `Range` request would name it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ByteRange {
    pub offset: u64,
    pub length: u64,
}

impl ByteRange {
    /// The offset of the first byte after the range. Never overflows: the parser rejects
    /// ranges whose end does not fit in a `u64`.
    pub fn end(&self) -> u64 {
        self.offset.saturating_add(self.length)
    }

    /// The HTTP `Range` header value, e.g. `bytes=0-1023`. `None` for an empty range.
    pub fn http_range(&self) -> Option<String> {
        let last = self.end().checked_sub(1).filter(|_| self.length > 0)?;
        Some(format!("bytes={}-{}", self.offset, last))
    }
}

/// `EXT-X-MAP`: the Media Initialization Section of the segments that follow it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InitSection {
    /// Absolute URL.
    pub uri: String,
    pub byte_range: Option<ByteRange>,
}

/// `EXT-X-KEY` (or `EXT-X-SESSION-KEY`): how segments are encrypted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SegmentKey {
    pub method: KeyMethod,
    /// Absolute URL of the key; `None` only for [`KeyMethod::None`].
    pub uri: Option<String>,
    /// Explicit initialisation vector; `None` means "derive it from the media sequence number"
    /// (see [`MediaPlaylist::iv_for`]).
    pub iv: Option<[u8; 16]>,
    /// `KEYFORMAT`; `None` means the default, `"identity"`.
    pub key_format: Option<String>,
    /// `KEYFORMATVERSIONS` verbatim (e.g. `"1/2/5"`); `None` means the default, `"1"`.
    pub key_format_versions: Option<String>,
}

impl SegmentKey {
    /// Whether this is the `identity` key format that AES-128 players decrypt themselves.
    pub fn is_identity(&self) -> bool {
        self.key_format.as_deref().is_none_or(|f| f == "identity")
    }
}

/// `METHOD` of `EXT-X-KEY`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeyMethod {
    None,
    /// `AES-128`: whole segments, AES-128-CBC with PKCS#7 padding.
    Aes128,
    /// `SAMPLE-AES`: individual samples (usually with a DRM key format).
    SampleAes,
    /// `SAMPLE-AES-CTR`.
    SampleAesCtr,
    /// Any other method, verbatim.
    Other(String),
}

impl KeyMethod {
    pub(crate) fn parse(value: &str) -> KeyMethod {
        match value {
            "NONE" => KeyMethod::None,
            "AES-128" => KeyMethod::Aes128,
            "SAMPLE-AES" => KeyMethod::SampleAes,
            "SAMPLE-AES-CTR" => KeyMethod::SampleAesCtr,
            other => KeyMethod::Other(other.to_owned()),
        }
    }

    pub fn as_str(&self) -> &str {
        match self {
            KeyMethod::None => "NONE",
            KeyMethod::Aes128 => "AES-128",
            KeyMethod::SampleAes => "SAMPLE-AES",
            KeyMethod::SampleAesCtr => "SAMPLE-AES-CTR",
            KeyMethod::Other(other) => other,
        }
    }
}

/// `EXT-X-SERVER-CONTROL` (LL-HLS): what the server supports.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct ServerControl {
    /// `CAN-SKIP-UNTIL`: delta updates may skip segments older than this many seconds.
    pub can_skip_until: Option<f64>,
    /// `CAN-SKIP-DATERANGES=YES`.
    pub can_skip_dateranges: bool,
    /// `HOLD-BACK`, seconds from the live edge.
    pub hold_back: Option<f64>,
    /// `PART-HOLD-BACK`, seconds from the live edge in low-latency mode.
    pub part_hold_back: Option<f64>,
    /// `CAN-BLOCK-RELOAD=YES`: `_HLS_msn`/`_HLS_part` blocking reloads are supported.
    pub can_block_reload: bool,
}

/// `EXT-X-PART-INF` (LL-HLS).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PartInf {
    /// `PART-TARGET`: the target duration of partial segments, in seconds.
    pub part_target: f64,
}

/// `EXT-X-PART` (LL-HLS): a partial segment.
#[derive(Debug, Clone, PartialEq)]
pub struct PartialSegment {
    /// Absolute URL.
    pub uri: String,
    pub duration: f64,
    /// `INDEPENDENT=YES`: starts with an independent frame.
    pub independent: bool,
    /// With the implicit offset filled in.
    pub byte_range: Option<ByteRange>,
    /// `GAP=YES`.
    pub gap: bool,
}

/// `EXT-X-PRELOAD-HINT` (LL-HLS): a resource the client may request before it is listed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PreloadHint {
    pub hint_type: PreloadHintType,
    /// Absolute URL.
    pub uri: String,
    /// `BYTERANGE-START` (default 0).
    pub byte_range_start: Option<u64>,
    /// `BYTERANGE-LENGTH`; `None` means "to the end of the resource".
    pub byte_range_length: Option<u64>,
}

/// `TYPE` of `EXT-X-PRELOAD-HINT`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PreloadHintType {
    Part,
    Map,
    /// Unknown types are kept; clients ignore the hint.
    Other(String),
}

/// `EXT-X-SKIP` (LL-HLS delta update).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Skip {
    /// `SKIPPED-SEGMENTS`: how many segments at the start were replaced by this tag.
    pub skipped_segments: u64,
    /// `RECENTLY-REMOVED-DATERANGES`: IDs of date ranges removed from the full playlist.
    pub recently_removed_dateranges: Vec<String>,
}

/// `EXT-X-RENDITION-REPORT` (LL-HLS): where another rendition's live edge is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RenditionReport {
    /// Absolute URL of the other rendition's Media Playlist.
    pub uri: String,
    pub last_msn: Option<u64>,
    pub last_part: Option<u64>,
}

impl MediaPlaylist {
    /// The absolute URL of `segment` (one of this playlist's): its reference resolved against
    /// [`url`](Self::url) (RFC 3986 §5.2).
    ///
    /// ```
    /// use player_core::hls::playlist::{parse_playlist, Playlist};
    ///
    /// let text = "#EXTM3U\n#EXT-X-TARGETDURATION:6\n#EXTINF:6,\n../a/seg0.ts\n";
    /// let Playlist::Media(m) = parse_playlist(text, "https://cdn.example/v/720p.m3u8")? else {
    ///     panic!("expected a media playlist");
    /// };
    /// assert_eq!(m.segments[0].reference, "../a/seg0.ts");
    /// assert_eq!(m.url_of(&m.segments[0]), "https://cdn.example/a/seg0.ts");
    /// # Ok::<(), player_core::hls::playlist::PlaylistError>(())
    /// ```
    pub fn url_of(&self, segment: &MediaSegment) -> String {
        crate::hls::url::resolve(&self.url, &segment.reference)
    }

    /// The absolute URL of segment `index` (see [`url_of`](Self::url_of)).
    pub fn segment_url(&self, index: usize) -> Option<String> {
        self.segments.get(index).map(|s| self.url_of(s))
    }

    /// The absolute URLs of all segments, in order: [`url_of`](Self::url_of) for each, with
    /// the base URL taken apart once.
    pub fn segment_urls(&self) -> impl Iterator<Item = String> + '_ {
        let resolver = crate::hls::url::Resolver::new(&self.url);
        self.segments
            .iter()
            .map(move |s| resolver.resolve(&s.reference))
    }

    /// Total duration of the listed segments, in seconds.
    pub fn duration(&self) -> f64 {
        self.segments.last().map_or(0.0, |s| s.start + s.duration)
    }

    /// The Media Sequence Number of the next segment to appear (the one after the last listed).
    pub fn next_media_sequence(&self) -> u64 {
        let skipped = self.skip.as_ref().map_or(0, |s| s.skipped_segments);
        self.media_sequence
            .saturating_add(skipped)
            .saturating_add(self.segments.len() as u64)
    }

    /// The keys in effect for segment `index` (empty when clear or out of range).
    pub fn segment_keys(&self, index: usize) -> &[SegmentKey] {
        let Some(segment) = self.segments.get(index) else {
            return &[];
        };
        let Some(first) = segment.key else { return &[] };
        let first = first as usize;
        let end = first
            .saturating_add(usize::from(segment.key_count))
            .min(self.keys.len());
        self.keys.get(first..end).unwrap_or(&[])
    }

    /// The key a player decrypting AES-128 itself uses for segment `index`: the `identity`
    /// key in effect, if any.
    pub fn identity_key(&self, index: usize) -> Option<&SegmentKey> {
        self.segment_keys(index).iter().find(|k| k.is_identity())
    }

    /// The AES-128 IV of segment `index`: the key's explicit `IV`, or else the segment's Media
    /// Sequence Number as a big-endian 128-bit number (RFC 8216bis §5.2).
    pub fn iv_for(&self, index: usize) -> [u8; 16] {
        if let Some(iv) = self.identity_key(index).and_then(|k| k.iv) {
            return iv;
        }
        let sequence = self.segments.get(index).map_or_else(
            || self.media_sequence.saturating_add(index as u64),
            |s| s.media_sequence,
        );
        let mut iv = [0u8; 16];
        iv[8..].copy_from_slice(&sequence.to_be_bytes());
        iv
    }

    /// The initialisation section of segment `index`, if it has one.
    pub fn init_section_of(&self, index: usize) -> Option<&InitSection> {
        let i = self.segments.get(index)?.init_section?;
        self.init_sections.get(i as usize)
    }

    /// The wall-clock date of segment `index`: its own `EXT-X-PROGRAM-DATE-TIME`, or the
    /// nearest earlier one plus the durations in between. Extrapolation stops at a
    /// discontinuity, across which dates are not defined without a new tag. Walks back from
    /// `index`; use [`date_times`](Self::date_times) for all segments.
    pub fn date_time_of(&self, index: usize) -> Option<DateTime> {
        let target = self.segments.get(index)?;
        for segment in self.segments[..=index].iter().rev() {
            if let Some(date) = segment.program_date_time {
                return Some(date.add_seconds(target.start - segment.start));
            }
            if segment.discontinuity {
                return None;
            }
        }
        None
    }

    /// [`date_time_of`](Self::date_time_of) for every segment, in one pass.
    pub fn date_times(&self) -> impl Iterator<Item = Option<DateTime>> + '_ {
        let mut anchor: Option<(DateTime, f64)> = None;
        self.segments.iter().map(move |s| {
            if let Some(date) = s.program_date_time {
                anchor = Some((date, s.start));
            } else if s.discontinuity {
                anchor = None;
            }
            anchor.map(|(date, start)| date.add_seconds(s.start - start))
        })
    }

    /// The index of the segment whose media sequence number is `sequence`.
    pub fn index_of_sequence(&self, sequence: u64) -> Option<usize> {
        let first = self.segments.first()?.media_sequence;
        let index = usize::try_from(sequence.checked_sub(first)?).ok()?;
        (index < self.segments.len()).then_some(index)
    }
}

//! The Multivariant Playlist model: variants, renditions and session-wide information.

use super::media::SegmentKey;
use super::{StartPoint, UnknownTag, VariableDefinition};

/// A Multivariant Playlist (RFC 8216bis §4.4.6): the menu of variant streams.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct MultivariantPlaylist {
    /// `EXT-X-VERSION`; `None` when absent (version 1).
    pub version: Option<u8>,
    /// `EXT-X-STREAM-INF` + URI, in playlist order.
    pub variants: Vec<Variant>,
    /// `EXT-X-MEDIA`: alternative renditions, in playlist order.
    pub renditions: Vec<Rendition>,
    /// `EXT-X-I-FRAME-STREAM-INF`: trick-play variants.
    pub iframe_variants: Vec<IFrameVariant>,
    /// `EXT-X-SESSION-DATA`.
    pub session_data: Vec<SessionData>,
    /// `EXT-X-SESSION-KEY`: keys to preload.
    pub session_keys: Vec<SegmentKey>,
    /// `EXT-X-CONTENT-STEERING`.
    pub content_steering: Option<ContentSteering>,
    /// `EXT-X-INDEPENDENT-SEGMENTS`.
    pub independent_segments: bool,
    /// `EXT-X-START`.
    pub start: Option<StartPoint>,
    /// `EXT-X-DEFINE` tags with their resolved values. Pass them to
    /// [`ParseOptions::imported_variables`](super::ParseOptions) when parsing the Media
    /// Playlists, whose `EXT-X-DEFINE:IMPORT` reads them.
    pub defines: Vec<VariableDefinition>,
    /// Unknown tags, verbatim (`segment_index` is the number of variants before them).
    pub unknown_tags: Vec<UnknownTag>,
}

/// `EXT-X-STREAM-INF` and the URI that follows it: one variant stream.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Variant {
    /// Absolute URL of the variant's Media Playlist.
    pub uri: String,
    /// `BANDWIDTH`: peak bit rate, bits per second.
    pub bandwidth: u64,
    /// `AVERAGE-BANDWIDTH`, bits per second.
    pub average_bandwidth: Option<u64>,
    /// `SCORE`: the server's preference (higher is better).
    pub score: Option<f64>,
    /// `CODECS`, verbatim (e.g. `"avc1.64001f,mp4a.40.2"`).
    pub codecs: Option<String>,
    /// `SUPPLEMENTAL-CODECS`, verbatim.
    pub supplemental_codecs: Option<String>,
    pub resolution: Option<Resolution>,
    /// `FRAME-RATE`, frames per second.
    pub frame_rate: Option<f64>,
    /// `HDCP-LEVEL` (`TYPE-0`, `TYPE-1`, `NONE`), verbatim.
    pub hdcp_level: Option<String>,
    /// `ALLOWED-CPC`, verbatim.
    pub allowed_cpc: Option<String>,
    /// `VIDEO-RANGE` (`SDR`, `HLG`, `PQ`), verbatim.
    pub video_range: Option<String>,
    /// `REQ-VIDEO-LAYOUT`, verbatim.
    pub req_video_layout: Option<String>,
    /// `STABLE-VARIANT-ID`.
    pub stable_variant_id: Option<String>,
    /// `AUDIO` group id.
    pub audio: Option<String>,
    /// `VIDEO` group id.
    pub video: Option<String>,
    /// `SUBTITLES` group id.
    pub subtitles: Option<String>,
    /// `CLOSED-CAPTIONS` group id (quoted form). See also
    /// [`no_closed_captions`](Self::no_closed_captions).
    pub closed_captions: Option<String>,
    /// `CLOSED-CAPTIONS=NONE`: the variant has no closed captions at all.
    pub no_closed_captions: bool,
    /// `PATHWAY-ID` (content steering); `None` means the default pathway `"."`.
    pub pathway_id: Option<String>,
    /// `PROGRAM-ID` (removed in protocol version 6, still seen in old playlists).
    pub program_id: Option<u64>,
}

/// `RESOLUTION`: a `decimal-resolution`, `1920x1080`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Resolution {
    pub width: u32,
    pub height: u32,
}

/// `EXT-X-MEDIA`: an alternative rendition (audio track, subtitle track, …).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendition {
    pub media_type: MediaType,
    /// Absolute URL of the rendition's Media Playlist; `None` for closed captions and for
    /// renditions carried inside the variant's own segments.
    pub uri: Option<String>,
    pub group_id: String,
    /// `LANGUAGE` (RFC 5646 tag).
    pub language: Option<String>,
    pub assoc_language: Option<String>,
    pub name: String,
    pub stable_rendition_id: Option<String>,
    pub default: bool,
    pub autoselect: bool,
    pub forced: bool,
    /// `INSTREAM-ID` (closed captions: `CC1`…`CC4`, `SERVICE1`…).
    pub instream_id: Option<String>,
    pub bit_depth: Option<u64>,
    pub sample_rate: Option<u64>,
    /// `CHARACTERISTICS`, verbatim (comma-separated UTIs).
    pub characteristics: Option<String>,
    /// `CHANNELS`, verbatim (e.g. `"6"`, `"16/JOC"`).
    pub channels: Option<String>,
}

/// `TYPE` of `EXT-X-MEDIA`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MediaType {
    Audio,
    Video,
    Subtitles,
    ClosedCaptions,
}

impl MediaType {
    pub fn as_str(self) -> &'static str {
        match self {
            MediaType::Audio => "AUDIO",
            MediaType::Video => "VIDEO",
            MediaType::Subtitles => "SUBTITLES",
            MediaType::ClosedCaptions => "CLOSED-CAPTIONS",
        }
    }
}

/// `EXT-X-I-FRAME-STREAM-INF`: a variant made of I-frames only, for trick play and thumbnails.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct IFrameVariant {
    /// Absolute URL of the I-frame Media Playlist.
    pub uri: String,
    pub bandwidth: u64,
    pub average_bandwidth: Option<u64>,
    pub score: Option<f64>,
    pub codecs: Option<String>,
    pub supplemental_codecs: Option<String>,
    pub resolution: Option<Resolution>,
    pub hdcp_level: Option<String>,
    pub allowed_cpc: Option<String>,
    pub video_range: Option<String>,
    pub req_video_layout: Option<String>,
    pub stable_variant_id: Option<String>,
    pub video: Option<String>,
    pub pathway_id: Option<String>,
    pub program_id: Option<u64>,
}

/// `EXT-X-SESSION-DATA`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionData {
    /// `DATA-ID`, reverse-DNS (`com.example.title`).
    pub data_id: String,
    /// `VALUE` (exactly one of `value` and `uri` is set).
    pub value: Option<String>,
    /// Absolute URL of the data.
    pub uri: Option<String>,
    /// `FORMAT`: `JSON` (default) or `RAW`.
    pub format: SessionDataFormat,
    pub language: Option<String>,
}

/// `FORMAT` of `EXT-X-SESSION-DATA`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SessionDataFormat {
    #[default]
    Json,
    Raw,
}

/// `EXT-X-CONTENT-STEERING`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContentSteering {
    /// Absolute URL of the steering manifest.
    pub server_uri: String,
    /// Initial pathway.
    pub pathway_id: Option<String>,
}

impl MultivariantPlaylist {
    /// The renditions of `group_id` of the given type.
    pub fn renditions_in_group<'a>(
        &'a self,
        media_type: MediaType,
        group_id: &'a str,
    ) -> impl Iterator<Item = &'a Rendition> + 'a {
        self.renditions
            .iter()
            .filter(move |r| r.media_type == media_type && r.group_id == group_id)
    }
}

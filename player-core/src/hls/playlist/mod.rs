//! M3U8 playlists (RFC 8216 and draft-pantos-hls-rfc8216bis): parsing and writing.
//!
//! [`parse_playlist`] reads a Multivariant or Media Playlist in one pass over the text and
//! returns a [`Playlist`] whose URIs are absolute, except those of media segments: they are
//! kept as written ([`MediaSegment::reference`]) and resolved when requested
//! ([`MediaPlaylist::url_of`]), because a long playlist lists thousands that are never
//! requested. The writer (`Display` on each playlist type) prints valid M3U8 that parses back
//! to an equal value.
//!
//! ```
//! use player_core::hls::playlist::{parse_playlist, Playlist};
//!
//! let text = "#EXTM3U\n#EXT-X-TARGETDURATION:6\n#EXTINF:6.0,\nseg0.ts\n#EXT-X-ENDLIST\n";
//! let Playlist::Media(media) = parse_playlist(text, "https://cdn.example/v/720p.m3u8")? else {
//!     panic!("expected a media playlist");
//! };
//! assert_eq!(media.segments[0].reference, "seg0.ts");
//! assert_eq!(media.url_of(&media.segments[0]), "https://cdn.example/v/seg0.ts");
//! assert!(media.end_list);
//! # Ok::<(), player_core::hls::playlist::PlaylistError>(())
//! ```
//!
//! # Tolerance and strictness
//! Accepted although the spec forbids or does not mention them, because real servers send
//! them: a UTF-8 byte-order mark, CRLF line ends, blank lines, leading and trailing whitespace
//! on lines, spaces around attribute separators, quoted values for enumerated or numeric
//! attributes, an `EXTINF` without a comma, a first `EXT-X-BYTERANGE` without an offset (taken
//! as 0), dates with a space for `T` or without a zone (taken as UTC), unknown tags (kept in
//! `unknown_tags`) and unknown attributes (ignored).
//! Refused, with the line and attribute: anything that changes what would be fetched or
//! decrypted or when it would play (malformed numbers, durations, byte ranges, dates, IVs;
//! missing required tags and attributes; duplicate tags that must be unique; duplicate
//! attributes; URI lines without their tag; a playlist mixing both kinds; undefined variables).
//!
//! # Variables
//! `{$name}` is substituted in URI lines, quoted-string values and hexadecimal values of any
//! playlist that contains an `EXT-X-DEFINE`; then every reference must resolve, wherever it
//! is. Without any `EXT-X-DEFINE`, `{$…}` is ordinary text. Definitions are literal (no
//! substitution inside `VALUE`). `IMPORT` reads [`ParseOptions::imported_variables`],
//! `QUERYPARAM` the query of the playlist URL.
//!
//! # Numbering
//! Each [`MediaSegment`] carries its Media Sequence Number and Discontinuity Sequence Number
//! (`media_sequence`, `discontinuity_sequence`) and its `start` time within the playlist, so
//! the scheduler never recomputes them. [`MediaPlaylist::index_of_sequence`] goes back.
//!
//! # Limits
//! Time and memory are linear in the input, whatever it holds: variable substitution has a
//! budget ([`SUBSTITUTION_BUDGET_BASE`] + [`SUBSTITUTION_BUDGET_FACTOR`] × input bytes) and at
//! most [`MAX_VARIABLES`] variables; at most [`MAX_KEY_FORMATS`] keys are in effect at once and
//! [`MAX_CLIENT_ATTRIBUTES`] `X-` attributes per date range; durations must be finite, non-
//! negative and at most [`MAX_DURATION_SECONDS`]; byte ranges must end below 2⁶⁴. Sequence
//! numbers saturate at `u64::MAX` rather than wrap.

pub mod attributes;
mod daterange;
mod datetime;
mod error;
mod media;
mod multivariant;
mod parser;
mod scan;
mod tags_media;
mod tags_multivariant;
mod variables;
mod write;

pub use daterange::{ClientAttribute, ClientAttributeValue, DateRange, MAX_CLIENT_ATTRIBUTES};
pub use datetime::DateTime;
pub use error::{PlaylistError, PlaylistErrorKind};
pub use media::{
    ByteRange, InitSection, KeyMethod, MediaPlaylist, MediaSegment, PartInf, PartialSegment,
    PlaylistType, PreloadHint, PreloadHintType, RenditionReport, SegmentKey, ServerControl, Skip,
};
pub use multivariant::{
    ContentSteering, IFrameVariant, MediaType, MultivariantPlaylist, Rendition, Resolution,
    SessionData, SessionDataFormat, Variant,
};
pub use tags_media::MAX_KEY_FORMATS;
pub use variables::{MAX_VARIABLES, SUBSTITUTION_BUDGET_BASE, SUBSTITUTION_BUDGET_FACTOR};

/// The largest segment, part or start-offset duration accepted, in seconds (about 31 years).
/// Larger values are certainly errors and would make time arithmetic lose precision.
pub const MAX_DURATION_SECONDS: f64 = 1e9;

/// A parsed playlist: either kind.
#[derive(Debug, Clone, PartialEq)]
pub enum Playlist {
    Multivariant(MultivariantPlaylist),
    Media(MediaPlaylist),
}

impl Playlist {
    pub fn as_media(&self) -> Option<&MediaPlaylist> {
        match self {
            Playlist::Media(media) => Some(media),
            Playlist::Multivariant(_) => None,
        }
    }

    pub fn as_multivariant(&self) -> Option<&MultivariantPlaylist> {
        match self {
            Playlist::Multivariant(multivariant) => Some(multivariant),
            Playlist::Media(_) => None,
        }
    }
}

/// `EXT-X-START`: where playback should begin.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct StartPoint {
    /// `TIME-OFFSET` in seconds; negative values count from the end of the playlist.
    pub time_offset: f64,
    /// `PRECISE=YES`: start exactly there rather than at the enclosing segment's start.
    pub precise: bool,
}

/// One `EXT-X-DEFINE` with its resolved value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VariableDefinition {
    pub name: String,
    pub value: String,
    pub source: VariableSource,
}

/// Where an `EXT-X-DEFINE` takes its value from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VariableSource {
    /// `NAME="…",VALUE="…"`.
    Value,
    /// `IMPORT="…"`: from the Multivariant Playlist ([`ParseOptions::imported_variables`]).
    Import,
    /// `QUERYPARAM="…"`: from the query of the playlist's URL.
    QueryParam,
}

/// A tag this parser does not interpret, kept verbatim (without the line end).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownTag {
    /// How many segments (Media Playlist) or variants (Multivariant Playlist) precede it.
    pub position: usize,
    /// The whole line, e.g. `#EXT-X-CUE-OUT:DURATION=30`.
    pub text: String,
}

/// Inputs to parsing beyond the text and the URL.
#[derive(Debug, Clone, Copy, Default)]
pub struct ParseOptions<'a> {
    /// The variables of the parent Multivariant Playlist
    /// ([`MultivariantPlaylist::defines`]), read by `EXT-X-DEFINE:IMPORT` in Media Playlists.
    pub imported_variables: &'a [VariableDefinition],
}

/// Parses a playlist fetched from `url` (absolute, after redirects). Every URI in the result is
/// resolved against `url`, except media segment references, which [`MediaPlaylist::url_of`]
/// resolves on demand.
///
/// # Errors
/// A [`PlaylistError`] naming the line and, where relevant, the attribute.
pub fn parse_playlist(text: &str, url: &str) -> Result<Playlist, PlaylistError> {
    parse_playlist_with(text, url, &ParseOptions::default())
}

/// [`parse_playlist`] on the bytes of a response, as fetched. Invalid UTF-8 is replaced with
/// U+FFFD (as `String::from_utf8_lossy` would), so a stray byte in a title cannot make a
/// playlist unreadable; valid input is parsed in place, without a copy.
///
/// ```
/// use player_core::hls::playlist::{parse_playlist_bytes, Playlist};
///
/// let bytes = b"#EXTM3U\n#EXT-X-TARGETDURATION:6\n#EXTINF:6,\xff\nseg0.ts\n";
/// let Playlist::Media(media) = parse_playlist_bytes(bytes, "https://cdn.example/720p.m3u8")? else {
///     panic!("expected a media playlist");
/// };
/// assert_eq!(media.segments[0].title.as_deref(), Some("\u{fffd}"));
/// # Ok::<(), player_core::hls::playlist::PlaylistError>(())
/// ```
///
/// # Errors
/// A [`PlaylistError`] naming the line and, where relevant, the attribute.
pub fn parse_playlist_bytes(bytes: &[u8], url: &str) -> Result<Playlist, PlaylistError> {
    parse_playlist(&scan::decode_lossy(bytes), url)
}

/// [`parse_playlist`] with options, e.g. the variables a Media Playlist may import.
///
/// # Errors
/// A [`PlaylistError`] naming the line and, where relevant, the attribute.
pub fn parse_playlist_with(
    text: &str,
    url: &str,
    options: &ParseOptions<'_>,
) -> Result<Playlist, PlaylistError> {
    parser::Parser::new(text, url, options)
        .run()
        .map_err(|e| *e)
}

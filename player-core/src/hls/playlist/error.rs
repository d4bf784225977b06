//! Why a playlist was refused, and where.

use std::fmt;

/// A playlist could not be parsed. Names the 1-based line and, when one attribute is to blame,
/// that attribute.
///
/// Displays as `line 12, attribute BANDWIDTH: expected a decimal integer`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlaylistError {
    /// 1-based line number in the playlist text (a leading byte-order mark is not a line).
    pub line: usize,
    /// The attribute whose value was wrong or missing, if any.
    pub attribute: Option<String>,
    pub kind: PlaylistErrorKind,
}

impl PlaylistError {
    pub(crate) fn new(line: usize, kind: PlaylistErrorKind) -> Self {
        PlaylistError {
            line,
            attribute: None,
            kind,
        }
    }

    pub(crate) fn attr(line: usize, attribute: &str, kind: PlaylistErrorKind) -> Self {
        PlaylistError {
            line,
            attribute: Some(attribute.to_owned()),
            kind,
        }
    }
}

impl fmt::Display for PlaylistError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.attribute {
            Some(attribute) => write!(
                f,
                "line {}, attribute {}: {}",
                self.line, attribute, self.kind
            ),
            None => write!(f, "line {}: {}", self.line, self.kind),
        }
    }
}

impl std::error::Error for PlaylistError {}

/// What was wrong. The messages complete the sentence "line N[, attribute A]: …".
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PlaylistErrorKind {
    #[error("the first line must be #EXTM3U")]
    MissingHeader,
    #[error("expected a decimal integer")]
    ExpectedInteger,
    #[error("decimal integer does not fit in {bits} bits")]
    IntegerOverflow { bits: u8 },
    #[error("expected a decimal floating-point number")]
    ExpectedFloat,
    #[error("expected a signed decimal floating-point number")]
    ExpectedSignedFloat,
    #[error("{what} is out of range")]
    OutOfRange { what: &'static str },
    #[error("expected a resolution such as 1920x1080")]
    ExpectedResolution,
    #[error("expected a hexadecimal sequence such as 0x1A2B")]
    ExpectedHex,
    #[error("hexadecimal sequence is longer than {max_bytes} bytes")]
    HexTooLong { max_bytes: usize },
    #[error("expected a quoted string")]
    ExpectedQuotedString,
    #[error("quoted string is not terminated")]
    UnterminatedQuotedString,
    #[error("expected an unquoted value")]
    ExpectedUnquoted,
    #[error("unexpected value \"{value}\"")]
    UnexpectedValue { value: String },
    #[error("malformed attribute list")]
    MalformedAttributeList,
    #[error("required attribute is missing")]
    MissingAttribute,
    #[error("attribute appears more than once")]
    DuplicateAttribute,
    #[error("attribute is not allowed here: {reason}")]
    AttributeNotAllowed { reason: &'static str },
    #[error("expected an ISO 8601 date-time such as 2024-05-01T12:00:00.000Z")]
    ExpectedDateTime,
    #[error("expected a byte range such as 1024@0")]
    ExpectedByteRange,
    #[error("byte range ends beyond 2^64")]
    ByteRangeOverflow,
    #[error("byte range has no offset and does not follow a sub-range of the same resource")]
    ByteRangeWithoutOffset,
    #[error("{tag} needs a value")]
    MissingTagValue { tag: &'static str },
    #[error("{tag} appears more than once")]
    DuplicateTag { tag: &'static str },
    #[error("required tag {tag} is missing")]
    MissingTag { tag: &'static str },
    #[error("{tag} must appear before the first media segment")]
    TagAfterFirstSegment { tag: &'static str },
    #[error("{tag} is not followed by a URI line")]
    MissingUri { tag: &'static str },
    #[error("URI line is not preceded by #EXTINF or #EXT-X-STREAM-INF")]
    UnexpectedUri,
    #[error("#EXTINF appears twice without a URI line between them")]
    ExtinfWithoutUri,
    #[error("the playlist mixes Multivariant Playlist and Media Playlist tags")]
    MixedPlaylist,
    #[error("{0}")]
    InvalidDateRange(&'static str),
    #[error("variable \"{name}\" is not defined")]
    UndefinedVariable { name: String },
    #[error("variable \"{name}\" is defined twice")]
    DuplicateVariable { name: String },
    #[error("variable names may only contain A-Z, a-z, 0-9, '-' and '_'")]
    InvalidVariableName,
    #[error("variable \"{name}\" is not defined by the Multivariant Playlist")]
    ImportNotFound { name: String },
    #[error("query parameter \"{name}\" is not in the playlist URL")]
    QueryParamNotFound { name: String },
    #[error("IMPORT is only allowed in Media Playlists")]
    ImportInMultivariant,
    #[error("EXT-X-DEFINE needs exactly one of NAME, IMPORT or QUERYPARAM")]
    InvalidDefine,
    #[error("more than {max} variables")]
    TooManyVariables { max: usize },
    #[error("variable substitution exceeds its budget of {max_bytes} bytes")]
    ExpansionLimit { max_bytes: usize },
    #[error("{0}")]
    Invalid(&'static str),
}

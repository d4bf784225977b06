//! The errors a host page sees: a stable machine code, a human message and the URL involved.

use std::fmt;

/// Stable error codes, part of the public event contract (`shoppable:error` → `detail.code`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorCode {
    /// The stream's playlist could not be downloaded.
    ManifestLoad,
    /// The stream's playlist was downloaded but is not a valid HLS playlist.
    ManifestParse,
    /// A media segment, init segment or key could not be downloaded after retries.
    SegmentLoad,
    /// A media segment could not be read (corrupt or unsupported container).
    SegmentParse,
    /// The browser cannot play the stream's codecs.
    MediaUnsupported,
    /// The browser refused or failed to decode appended media.
    MediaDecode,
}

impl ErrorCode {
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::ManifestLoad => "manifest_load",
            ErrorCode::ManifestParse => "manifest_parse",
            ErrorCode::SegmentLoad => "segment_load",
            ErrorCode::SegmentParse => "segment_parse",
            ErrorCode::MediaUnsupported => "media_unsupported",
            ErrorCode::MediaDecode => "media_decode",
        }
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An error as reported to the host: `{code, message, url}` plus whether playback stopped.
#[derive(Debug, Clone, PartialEq)]
pub struct PlayerError {
    pub code: ErrorCode,
    /// A sentence a shopper could read.
    pub message: String,
    /// The resource involved, when there is one.
    pub url: Option<String>,
    /// True when playback cannot continue without a new `load`.
    pub fatal: bool,
}

impl fmt::Display for PlayerError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.code, self.message)?;
        if let Some(url) = &self.url {
            write!(f, " ({url})")?;
        }
        Ok(())
    }
}

impl std::error::Error for PlayerError {}

//! What the engine asks its driver to do, and what it tells the application.

use crate::error::PlayerError;
use crate::hls::metadata::MetadataCue;
use crate::hls::playlist::ByteRange;

/// Identifies one network request from [`Command::Fetch`] to its answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RequestId(pub u64);

/// What a fetched resource is for; drivers may use it for priorities and timeouts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RequestKind {
    Playlist,
    InitSegment,
    Segment,
    Key,
}

#[derive(Debug, Clone, PartialEq)]
pub struct FetchRequest {
    pub id: RequestId,
    pub url: String,
    /// Only these bytes (an HTTP `Range` request).
    pub range: Option<RequestRange>,
    pub kind: RequestKind,
}

/// The bytes of a resource a request asks for. Unlike a playlist's [`ByteRange`] its length
/// may be open: an LL-HLS preload hint without `BYTERANGE-LENGTH` names a resource still
/// being written, whose end nobody knows yet.
///
/// ```
/// use player_core::hls::command::RequestRange;
///
/// assert_eq!(RequestRange { offset: 100, length: Some(50) }.http_range(), "bytes=100-149");
/// assert_eq!(RequestRange { offset: 100, length: None }.http_range(), "bytes=100-");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RequestRange {
    pub offset: u64,
    /// `None`: to the end of the resource.
    pub length: Option<u64>,
}

impl RequestRange {
    /// The HTTP `Range` header value. An empty bounded range asks for its first byte, as
    /// HTTP has no way to ask for none.
    pub fn http_range(&self) -> String {
        match self.length {
            Some(length) => {
                let last = self.offset.saturating_add(length.max(1) - 1);
                format!("bytes={}-{last}", self.offset)
            }
            None => format!("bytes={}-", self.offset),
        }
    }

    /// The part of a whole resource this range selects, for a server that ignored `Range`
    /// and answered with everything.
    pub fn slice<'a>(&self, whole: &'a [u8]) -> &'a [u8] {
        let start = usize::try_from(self.offset).map_or(whole.len(), |o| o.min(whole.len()));
        let end = match self.length.and_then(|l| usize::try_from(l).ok()) {
            Some(length) => start.saturating_add(length).min(whole.len()),
            None => whole.len(),
        };
        &whole[start..end]
    }
}

impl From<ByteRange> for RequestRange {
    fn from(range: ByteRange) -> Self {
        RequestRange {
            offset: range.offset,
            length: Some(range.length),
        }
    }
}

/// The viewer's quality choice.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum RenditionChoice {
    /// Adaptive: the engine picks from the network and the player's size.
    #[default]
    Auto,
    /// Always this rendition (an index into the list of [`EngineEvent::Loaded`]).
    Fixed(usize),
}

/// A rendition as the quality menu shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct RenditionInfo {
    pub bandwidth: u64,
    pub width: Option<u32>,
    pub height: Option<u32>,
    pub codecs: Option<String>,
}

impl RenditionInfo {
    /// A short label for a menu: "360p", or the bitrate when the height is unknown.
    pub fn label(&self) -> String {
        match self.height {
            Some(h) => format!("{h}p"),
            None => format!("{} kbit/s", self.bandwidth / 1000),
        }
    }
}

/// Things the application may want to show or report.
#[derive(Debug, Clone, PartialEq)]
pub enum EngineEvent {
    /// The stream is understood: renditions sorted by ascending bandwidth.
    Loaded {
        renditions: Vec<RenditionInfo>,
        live: bool,
        duration: Option<f64>,
    },
    /// Segments now come from this rendition.
    RenditionSwitched { index: usize, auto: bool },
    /// Timed metadata reached the timeline (each cue once): date ranges from the playlist,
    /// ID3 frames from segments.
    Metadata(Vec<MetadataCue>),
    /// A live stream's playlist stopped moving (or cannot be reached): the player keeps
    /// trying; `false` when it moves again.
    Reconnecting(bool),
    /// The live show ended (`EXT-X-ENDLIST`): from now on it is a replay with a duration.
    LiveEnded { duration: f64 },
    /// Something went wrong; `fatal` errors stop playback until the next `load`.
    Error(PlayerError),
}

/// One instruction for the driver. Media-buffer commands (`AddSourceBuffer` … `EndOfStream`)
/// must be carried out in order, one at a time, each after the previous one completed.
#[derive(Debug, Clone, PartialEq)]
pub enum Command {
    Fetch(FetchRequest),
    /// Abandon a request; its answer, if it still arrives, must not be reported.
    Abort(RequestId),
    /// Create the media buffer for this MIME type (`video/mp4; codecs="…"`).
    AddSourceBuffer {
        mime: String,
    },
    /// The next init segment has other codecs: `SourceBuffer.changeType`.
    ChangeType {
        mime: String,
    },
    /// The media's total duration in seconds.
    SetDuration(f64),
    /// `SourceBuffer.timestampOffset` for the appends that follow (seconds): places fMP4
    /// segments whose own timestamps restart at a discontinuity.
    SetTimestampOffset(f64),
    /// Append these bytes; report completion with `Engine::handle_buffer_updated`.
    Append(Vec<u8>),
    /// Remove `[start, end)` seconds; `end` may be `f64::INFINITY`.
    Remove {
        start: f64,
        end: f64,
    },
    /// All media of an on-demand stream is buffered.
    EndOfStream,
    /// Move the playhead (jumping a gap, joining or catching up with a live edge).
    Seek(f64),
    /// Play at this rate: live latency catch-up, 1.0 otherwise.
    SetPlaybackRate(f64),
    /// A live stream's seekable window (a media-buffer command: needs an open MediaSource).
    SetLiveSeekableRange {
        start: f64,
        end: f64,
    },
    Emit(EngineEvent),
}

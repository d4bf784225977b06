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
    pub range: Option<ByteRange>,
    pub kind: RequestKind,
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

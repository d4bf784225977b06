//! The sans-IO playback engine for HLS.
//!
//! Inputs are method calls (`load`, `handle_*`, `seek`, `set_rendition`), each given the
//! current time in milliseconds; outputs are drained with [`Engine::poll_command`] after every
//! input, and [`Engine::poll_timeout`] says when the engine wants [`Engine::handle_timeout`].
//!
//! ```
//! use player_core::hls::{Command, Engine, EngineConfig};
//!
//! let mut engine = Engine::new(EngineConfig::default());
//! engine.load("https://cdn.example/show/master.m3u8", 0.0);
//! match engine.poll_command() {
//!     Some(Command::Fetch(request)) => assert!(request.url.ends_with("master.m3u8")),
//!     other => panic!("expected a fetch, got {other:?}"),
//! }
//! ```

use std::collections::VecDeque;

mod deadline;
mod failover;
mod live;
mod low_latency;

use crate::error::{ErrorCode, PlayerError};
use crate::hls::abr::{self, AbrConfig, BandwidthEstimator, RenditionBudget};
use crate::hls::buffer::{BufferedRanges, BUFFER_TOLERANCE};
use crate::hls::command::{
    Command, EngineEvent, FetchRequest, RenditionChoice, RenditionInfo, RequestId, RequestKind,
    RequestRange,
};
use crate::hls::live::LiveConfig;
use crate::hls::metadata::{id3_cues, MetadataCue};
use crate::hls::playlist::{
    parse_playlist_bytes, ByteRange, KeyMethod, MediaPlaylist, MediaSegment, Playlist,
};
use crate::hls::retry::{Jitter, RetryPolicy};
use crate::media::decrypt::{decrypt_segment_in_place, key_from_bytes};
use crate::media::{SegmentContext, Transmuxer};

/// How often a segment download is checked for being too slow, in ms.
const SLOW_DOWNLOAD_CHECK_MS: f64 = 500.0;
/// A seek closer than this (s) to where the engine already stands is the echo of its own
/// seek (a media element may round the time it was given), not a move.
const SEEK_ECHO_TOLERANCE: f64 = 0.001;
/// How long the playhead may sit still with media buffered ahead before it is nudged, in ms.
const STALL_NUDGE_AFTER_MS: f64 = 1_000.0;
/// Nudges tried at one position before waiting for the element to sort itself out.
const MAX_NUDGES: u32 = 3;
/// The smallest forward buffer a full browser buffer (QuotaExceededError) can shrink us to.
const MIN_FORWARD_BUFFER_S: f64 = 6.0;

/// The playhead stuck at `position` since `since` (ms) although media is buffered ahead.
#[derive(Debug, Clone, Copy)]
struct Stall {
    position: f64,
    since: f64,
    nudges: u32,
}

/// Tunables of buffering and recovery. ABR has its own [`AbrConfig`].
#[derive(Debug, Clone, PartialEq)]
pub struct EngineConfig {
    /// Seconds of media to keep buffered ahead of the playhead.
    pub forward_buffer_s: f64,
    /// Seconds of played media to keep behind the playhead before evicting it.
    pub back_buffer_s: f64,
    /// Largest hole in the buffer that is jumped over instead of waited at.
    pub max_gap_jump_s: f64,
    pub retry: RetryPolicy,
    pub abr: AbrConfig,
    pub live: LiveConfig,
    /// Seed of the retry jitter, so simulations are reproducible.
    pub jitter_seed: u64,
}

impl Default for EngineConfig {
    fn default() -> Self {
        EngineConfig {
            forward_buffer_s: 30.0,
            back_buffer_s: 30.0,
            max_gap_jump_s: 1.0,
            retry: RetryPolicy::default(),
            abr: AbrConfig::default(),
            live: LiveConfig::default(),
            jitter_seed: 0x5eed,
        }
    }
}

/// A fetched body as the driver hands it back.
#[derive(Debug, Clone, PartialEq)]
pub struct FetchedBody {
    pub bytes: Vec<u8>,
    /// The URL after redirects: relative URIs in a playlist resolve against it.
    pub url: String,
    /// Milliseconds from sending the request to the last byte.
    pub elapsed_ms: f64,
}

/// Why a request failed.
#[derive(Debug, Clone, PartialEq)]
pub enum FetchFailure {
    /// The server answered with this non-success status.
    Status(u16),
    /// No answer: DNS, connection reset, CORS…
    Network(String),
    /// No complete answer before the engine's deadline; the engine aborted it.
    TimedOut { after_ms: f64 },
}

impl FetchFailure {
    fn describe(&self) -> String {
        match self {
            FetchFailure::Status(status) => format!("HTTP {status}"),
            FetchFailure::Network(reason) => reason.clone(),
            FetchFailure::TimedOut { after_ms } => {
                // Whole seconds as an integer: `{:.0}` on an f64 would link Rust's float
                // formatting (~14 KB of wasm) for this one message. Ties to even, as `{:.0}`.
                let seconds = (after_ms / 1000.0).round_ties_even() as u64;
                format!("no answer within {seconds} s")
            }
        }
    }
}

/// Why the media buffer refused an operation.
#[derive(Debug, Clone, PartialEq)]
pub enum MediaBufferFailure {
    /// `addSourceBuffer`/`changeType` rejected the MIME type.
    Unsupported { mime: String },
    /// The buffer is full (`QuotaExceededError`).
    QuotaExceeded,
    /// Any other append or decode failure.
    Decode(String),
}

/// The media element as last observed.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct MediaState {
    pub position: f64,
    pub paused: bool,
    /// Playing but not advancing: the element is waiting for data (`readyState` below
    /// HAVE_FUTURE_DATA while not paused or seeking).
    pub waiting: bool,
    /// Player height in device pixels, to cap quality.
    pub max_height: Option<u32>,
}

/// What a request in flight (or waiting for a retry) is for.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Purpose {
    /// The URL given to `load`: multivariant or media playlist.
    Source,
    MediaPlaylist {
        level: usize,
    },
    InitSegment {
        level: usize,
        section: u32,
    },
    Segment {
        level: usize,
        /// Media Sequence Number.
        msn: u64,
    },
    /// LL-HLS: part `part` of segment `msn` (the one in progress, or a recent one).
    Part {
        level: usize,
        msn: u64,
        part: u32,
    },
    /// The AES-128 key at `key` in the level's playlist's key list.
    Key {
        level: usize,
        key: u32,
    },
}

impl Purpose {
    fn kind(self) -> RequestKind {
        match self {
            Purpose::Source | Purpose::MediaPlaylist { .. } => RequestKind::Playlist,
            Purpose::InitSegment { .. } => RequestKind::InitSegment,
            Purpose::Segment { .. } | Purpose::Part { .. } => RequestKind::Segment,
            Purpose::Key { .. } => RequestKind::Key,
        }
    }
}

#[derive(Debug, Clone)]
struct Request {
    id: RequestId,
    purpose: Purpose,
    url: String,
    range: Option<RequestRange>,
    /// Attempts made so far, this one included.
    attempt: u32,
    /// When it was sent (ms).
    sent_at: f64,
    /// When it is abandoned as hung (ms), see `deadline.rs`.
    deadline: f64,
}

#[derive(Debug, Clone)]
struct Level {
    info: RenditionInfo,
    /// The media playlist in use: `uris[active_uri]`.
    uri: String,
    /// Redundant copies of this rendition (the multivariant playlist lists the same stream
    /// again with another URI), the first as listed first.
    uris: Vec<String>,
    active_uri: usize,
    /// ABR avoids this rendition until then (ms): media failed over from it.
    penalized_until: f64,
    playlist: Option<MediaPlaylist>,
}

impl Level {
    fn new(info: RenditionInfo, uri: String) -> Self {
        Level {
            info,
            uris: vec![uri.clone()],
            uri,
            active_uri: 0,
            penalized_until: f64::NEG_INFINITY,
            playlist: None,
        }
    }
}

/// Where the next segment comes from: the segment just appended, so the next is its successor.
/// Segments are named by Media Sequence Number: indices shift as a live window slides.
#[derive(Debug, Clone, Copy, PartialEq)]
struct LoadCursor {
    level: usize,
    msn: u64,
    /// LL-HLS: parts `0..=part` of segment `msn` are loaded, the rest not yet.
    part: Option<u32>,
}

/// The HLS playback engine. See the module docs.
pub struct Engine {
    config: EngineConfig,
    jitter: Jitter,
    estimator: BandwidthEstimator,
    next_request: u64,
    commands: VecDeque<Command>,
    source_url: Option<String>,
    levels: Vec<Level>,
    choice: RenditionChoice,
    /// The rendition segments are loaded from.
    current_level: Option<usize>,
    in_flight: Vec<Request>,
    /// Failed requests waiting for their retry time (ms).
    retries: Vec<(f64, Request)>,
    media: MediaState,
    buffered: BufferedRanges,
    /// Media-buffer commands issued and not yet reported done.
    buffer_ops_pending: usize,
    source_buffer_mime: Option<String>,
    /// (level, init section) whose init segment the buffer last received.
    appended_init: Option<(usize, u32)>,
    last_loaded: Option<LoadCursor>,
    /// AES-128 keys by URI: fetched once, reused by every segment (and rendition) naming them.
    keys: Vec<(String, [u8; 16])>,
    /// Turns MPEG-TS segments into fMP4 for MSE and places fMP4 segments; keeps the
    /// timeline across segments.
    transmuxer: Transmuxer,
    /// The `SourceBuffer.timestampOffset` the last command set (MSE starts it at 0).
    timestamp_offset: f64,
    duration_sent: bool,
    loaded_event_sent: bool,
    end_of_stream_sent: bool,
    failed: bool,
    /// The `now` of the latest input, in ms.
    clock: f64,
    stall: Option<Stall>,
    /// Present while the stream is live.
    live: Option<live::LiveState>,
    /// The rendition whose media playlist arrived last.
    latest_playlist_level: Option<usize>,
    /// Ids of metadata cues already reported, so reloads do not report them again.
    reported_cues: Vec<String>,
    /// LL-HLS preload hints requested and the rendition-report reload of a switch.
    low_latency: low_latency::LowLatencyState,
    /// Copies of the stream tried for the media being loaded.
    failover: failover::FailoverState,
}

impl Engine {
    pub fn new(config: EngineConfig) -> Self {
        Engine {
            jitter: Jitter::new(config.jitter_seed),
            estimator: BandwidthEstimator::new(config.abr),
            config,
            next_request: 0,
            commands: VecDeque::new(),
            source_url: None,
            levels: Vec::new(),
            choice: RenditionChoice::Auto,
            current_level: None,
            in_flight: Vec::new(),
            retries: Vec::new(),
            media: MediaState::default(),
            buffered: BufferedRanges::default(),
            buffer_ops_pending: 0,
            source_buffer_mime: None,
            appended_init: None,
            last_loaded: None,
            keys: Vec::new(),
            transmuxer: Transmuxer::new(),
            timestamp_offset: 0.0,
            duration_sent: false,
            loaded_event_sent: false,
            end_of_stream_sent: false,
            failed: false,
            clock: 0.0,
            stall: None,
            live: None,
            latest_playlist_level: None,
            reported_cues: Vec::new(),
            low_latency: low_latency::LowLatencyState::default(),
            failover: failover::FailoverState::default(),
        }
    }

    // ----- getters -----

    /// The renditions, sorted by ascending bandwidth (empty before the playlist loads).
    pub fn renditions(&self) -> impl Iterator<Item = &RenditionInfo> {
        self.levels.iter().map(|l| &l.info)
    }

    /// The rendition segments are being loaded from.
    pub fn current_rendition(&self) -> Option<usize> {
        self.current_level
    }

    pub fn rendition_choice(&self) -> RenditionChoice {
        self.choice
    }

    /// The throughput estimate in bits per second.
    pub fn bandwidth_estimate(&self) -> f64 {
        self.estimator.estimate_bps()
    }

    /// True after a fatal error, until the next `load`.
    pub fn has_failed(&self) -> bool {
        self.failed
    }

    // ----- commands from the application -----

    /// Starts playing `url` (a multivariant or media playlist), abandoning what came before.
    pub fn load(&mut self, url: &str, now: f64) {
        self.clock = self.clock.max(now);
        for request in std::mem::take(&mut self.in_flight) {
            self.commands.push_back(Command::Abort(request.id));
        }
        let choice = self.choice;
        let next_request = self.next_request;
        let pending_commands = std::mem::take(&mut self.commands);
        *self = Engine::new(self.config.clone());
        self.commands = pending_commands;
        self.next_request = next_request;
        self.choice = choice;
        self.clock = now;
        self.source_url = Some(url.to_owned());
        self.send(Purpose::Source, url.to_owned(), None, 1);
        self.update(now);
    }

    /// The viewer picked a quality. A fixed choice takes effect from the next segment boundary
    /// after the playhead: media buffered beyond it is replaced.
    pub fn set_rendition(&mut self, choice: RenditionChoice, now: f64) {
        self.clock = self.clock.max(now);
        // Before the renditions are known the choice is kept as given; the multivariant
        // playlist checks it when it arrives.
        let choice = match choice {
            RenditionChoice::Fixed(i) if !self.levels.is_empty() && i >= self.levels.len() => {
                RenditionChoice::Auto
            }
            other => other,
        };
        self.choice = choice;
        if let RenditionChoice::Fixed(target) = choice {
            if self.current_level != Some(target) {
                self.flush_ahead_of_playhead();
                self.switch_level(target, false);
            }
        }
        self.update(now);
    }

    /// The playhead moved to `position` (the media element's `seeking`).
    pub fn seek(&mut self, position: f64, now: f64) {
        self.clock = self.clock.max(now);
        // The engine's own seeks (joining the live edge, jumping a gap) set the position when
        // they are issued and load for it at once; their `seeking` event comes back later and
        // must not abandon those downloads only to make the same requests again.
        let moved = (self.media.position - position).abs() > SEEK_ECHO_TOLERANCE;
        self.media.position = position;
        self.note_live_seek(position);
        if moved && self.buffered.range_at(position).is_none() {
            self.abort_segment_requests();
            self.last_loaded = None;
        }
        self.update(now);
    }

    // ----- what arrived -----

    /// The media element's state changed (time update, resize…).
    pub fn handle_media_state(&mut self, state: MediaState, now: f64) {
        self.clock = self.clock.max(now);
        self.media = state;
        self.jump_gap();
        self.nudge_stall();
        self.follow_live_edge();
        self.update(now);
    }

    /// A media-buffer command completed; `buffered` is the buffer's content after it.
    pub fn handle_buffer_updated(&mut self, buffered: BufferedRanges, now: f64) {
        self.clock = self.clock.max(now);
        self.buffer_ops_pending = self.buffer_ops_pending.saturating_sub(1);
        self.buffered = buffered;
        self.jump_gap();
        self.update(now);
    }

    /// A media-buffer command failed.
    pub fn handle_buffer_error(&mut self, failure: MediaBufferFailure, now: f64) {
        self.clock = self.clock.max(now);
        self.buffer_ops_pending = self.buffer_ops_pending.saturating_sub(1);
        match failure {
            MediaBufferFailure::Unsupported { mime } => self.fail(
                ErrorCode::MediaUnsupported,
                format!("This browser cannot play this video's format ({mime})."),
                self.source_url.clone(),
            ),
            MediaBufferFailure::QuotaExceeded => {
                // The browser's buffer is full. Ask less of it from now on, make room behind
                // the playhead if there is any, and load the refused segment again later.
                let position = self.media.position;
                let keep_from = position - 2.0;
                let can_evict = self.buffered.start().is_some_and(|s| s < keep_from);
                if !can_evict && self.buffered.ahead_of(position) < MIN_FORWARD_BUFFER_S {
                    self.fail(
                        ErrorCode::MediaDecode,
                        "The browser ran out of memory for this video.".into(),
                        None,
                    );
                } else {
                    if can_evict {
                        self.push_buffer_op(Command::Remove {
                            start: 0.0,
                            end: keep_from,
                        });
                    }
                    let shrunk =
                        (self.buffered.ahead_of(position) * 0.9).min(self.config.forward_buffer_s);
                    self.config.forward_buffer_s = shrunk.max(MIN_FORWARD_BUFFER_S);
                    // The refused segment leaves a hole that `update` fills once there is room.
                    self.config.back_buffer_s = self.config.back_buffer_s.min(10.0);
                }
            }
            MediaBufferFailure::Decode(reason) => self.fail(
                ErrorCode::MediaDecode,
                format!("The video could not be decoded: {reason}."),
                None,
            ),
        }
        self.update(now);
    }

    /// A request completed with a body.
    pub fn handle_fetch_success(&mut self, id: RequestId, body: FetchedBody, now: f64) {
        self.clock = self.clock.max(now);
        let Some(request) = self.take_request(id) else {
            return;
        };
        self.hint_settled(id);
        match request.purpose {
            Purpose::Source => self.on_source_playlist(&request, body),
            Purpose::MediaPlaylist { level } => self.on_media_playlist(&request, level, body),
            Purpose::InitSegment { level, section } => {
                self.estimator.sample(body.bytes.len(), body.elapsed_ms);
                self.on_init_segment(level, section, body.bytes);
            }
            Purpose::Segment { level, msn } => {
                self.estimator.sample(body.bytes.len(), body.elapsed_ms);
                self.failover.media_arrived();
                self.on_segment(level, msn, body.bytes);
            }
            // Parts arrive as fast as they are produced, not as fast as the link allows: no
            // bandwidth sample.
            Purpose::Part { level, msn, part } => {
                self.failover.media_arrived();
                self.on_part(level, msn, part, body.bytes)
            }
            Purpose::Key { .. } => match key_from_bytes(&body.bytes) {
                Ok(key) => self.keys.push((request.url.clone(), key)),
                Err(error) => self.fail(
                    ErrorCode::SegmentLoad,
                    format!("The video's decryption key is not valid: {error}."),
                    Some(request.url.clone()),
                ),
            },
        }
        self.update(now);
    }

    /// A request failed; it is retried with backoff, then failed over to another copy of the
    /// stream, and only then reported fatal (see `failover.rs`).
    pub fn handle_fetch_failure(&mut self, id: RequestId, failure: FetchFailure, now: f64) {
        self.clock = self.clock.max(now);
        let Some(request) = self.take_request(id) else {
            return;
        };
        self.request_failed(request, failure);
        self.update(now);
    }

    /// Time passed: due retries are sent.
    pub fn handle_timeout(&mut self, now: f64) {
        self.clock = self.clock.max(now);
        self.expire_requests();
        let (due, waiting): (Vec<_>, Vec<_>) = std::mem::take(&mut self.retries)
            .into_iter()
            .partition(|(at, _)| *at <= now);
        self.retries = waiting;
        for (_, request) in due {
            self.send_range(
                request.purpose,
                request.url,
                request.range,
                request.attempt + 1,
            );
        }
        self.update(now);
    }

    // ----- what to do next -----

    /// The next command for the driver, in order.
    pub fn poll_command(&mut self) -> Option<Command> {
        self.commands.pop_front()
    }

    /// The time (ms, same clock as `now`) at which `handle_timeout` should be called.
    pub fn poll_timeout(&self) -> Option<f64> {
        let retry = self.retries.iter().map(|(at, _)| *at).reduce(f64::min);
        // While a segment downloads, look again twice a second: it may be too slow to finish
        // before the buffer runs dry.
        let watch = self
            .in_flight
            .iter()
            .any(|r| matches!(r.purpose, Purpose::Segment { level, .. } if level > 0))
            .then_some(self.clock + SLOW_DOWNLOAD_CHECK_MS);
        let stall = self.stall.map(|s| s.since + STALL_NUDGE_AFTER_MS);
        let reload = self.live.as_ref().and_then(|l| l.reload_at());
        let deadline = self.next_deadline();
        let resume = self.failover.resume_at();
        [retry, watch, stall, reload, deadline, resume]
            .into_iter()
            .flatten()
            .reduce(f64::min)
    }

    // ----- internals -----

    fn send(&mut self, purpose: Purpose, url: String, range: Option<ByteRange>, attempt: u32) {
        self.send_range(purpose, url, range.map(RequestRange::from), attempt);
    }

    fn send_range(
        &mut self,
        purpose: Purpose,
        url: String,
        range: Option<RequestRange>,
        attempt: u32,
    ) -> RequestId {
        let id = RequestId(self.next_request);
        self.next_request += 1;
        let deadline = self.clock + self.allowance_ms(purpose);
        self.commands.push_back(Command::Fetch(FetchRequest {
            id,
            url: url.clone(),
            range,
            kind: purpose.kind(),
        }));
        self.in_flight.push(Request {
            id,
            purpose,
            url,
            range,
            attempt,
            sent_at: self.clock,
            deadline,
        });
        id
    }

    /// Abandons request `id`, in flight or waiting for its retry.
    fn abort(&mut self, id: RequestId) {
        if self.take_request(id).is_some() {
            self.commands.push_back(Command::Abort(id));
        }
        self.retries.retain(|(_, r)| r.id != id);
    }

    fn take_request(&mut self, id: RequestId) -> Option<Request> {
        let at = self.in_flight.iter().position(|r| r.id == id)?;
        Some(self.in_flight.swap_remove(at))
    }

    fn emit(&mut self, event: EngineEvent) {
        self.commands.push_back(Command::Emit(event));
    }

    fn push_buffer_op(&mut self, command: Command) {
        // An append or a removal reopens an ended MediaSource (the driver does, as MSE
        // requires), so the end of the stream must be declared again once they are done.
        // Without it, the back buffer evicted after the last append left the source open, its
        // `buffered` cut to the shortest track, and playback waiting short of the end forever.
        if matches!(command, Command::Append(_) | Command::Remove { .. }) {
            self.end_of_stream_sent = false;
        }
        self.buffer_ops_pending += 1;
        self.commands.push_back(command);
    }

    fn fail(&mut self, code: ErrorCode, message: String, url: Option<String>) {
        if self.failed {
            return;
        }
        self.failed = true;
        for request in std::mem::take(&mut self.in_flight) {
            self.commands.push_back(Command::Abort(request.id));
        }
        self.retries.clear();
        self.emit(EngineEvent::Error(PlayerError {
            code,
            message,
            url,
            fatal: true,
        }));
    }

    /// Abandons segment and part downloads (a seek, a manual switch): their media would land
    /// where it is no longer wanted.
    fn abort_segment_requests(&mut self) {
        let is_segment =
            |r: &Request| matches!(r.purpose, Purpose::Segment { .. } | Purpose::Part { .. });
        let (segments, others): (Vec<_>, Vec<_>) = std::mem::take(&mut self.in_flight)
            .into_iter()
            .partition(is_segment);
        self.in_flight = others;
        for request in segments {
            self.hint_settled(request.id);
            self.commands.push_back(Command::Abort(request.id));
        }
        self.retries.retain(|(_, r)| !is_segment(r));
    }

    fn on_source_playlist(&mut self, request: &Request, body: FetchedBody) {
        match parse_playlist_bytes(&body.bytes, &body.url) {
            Ok(Playlist::Multivariant(multivariant)) => {
                let mut levels: Vec<Level> = multivariant
                    .variants
                    .into_iter()
                    .map(|v| {
                        let info = RenditionInfo {
                            bandwidth: v.bandwidth,
                            width: v.resolution.map(|r| r.width),
                            height: v.resolution.map(|r| r.height),
                            codecs: v.codecs,
                        };
                        Level::new(info, v.uri)
                    })
                    .collect();
                // Variants identical but for their URI are redundant copies of one rendition
                // (failover streams on other servers): one menu entry, several sources.
                let mut merged: Vec<Level> = Vec::with_capacity(levels.len());
                for level in levels.drain(..) {
                    match merged.iter_mut().find(|m| m.info == level.info) {
                        Some(first) if !first.uris.contains(&level.uri) => {
                            first.uris.push(level.uri)
                        }
                        Some(_) => {}
                        None => merged.push(level),
                    }
                }
                levels = merged;
                // Stable (equal bandwidths keep playlist order), and small in the wasm.
                crate::insertion_sort(&mut levels, |a, b| a.info.bandwidth > b.info.bandwidth);
                if levels.is_empty() {
                    return self.fail(
                        ErrorCode::ManifestParse,
                        "The video's playlist lists no streams.".into(),
                        Some(request.url.clone()),
                    );
                }
                self.levels = levels;
            }
            Ok(Playlist::Media(media)) => {
                let info = RenditionInfo {
                    bandwidth: 0,
                    width: None,
                    height: None,
                    codecs: None,
                };
                self.levels = vec![Level::new(info, body.url.clone())];
                // Cannot fail: there is no earlier playlist a delta update could need.
                let _ = self.accept_media_playlist(0, media);
            }
            Err(error) => {
                return self.fail(
                    ErrorCode::ManifestParse,
                    format!("The video's playlist could not be read: {error}."),
                    Some(request.url.clone()),
                );
            }
        }
        if let RenditionChoice::Fixed(i) = self.choice {
            if i >= self.levels.len() {
                self.choice = RenditionChoice::Auto;
            }
        }
        let first = match self.choice {
            RenditionChoice::Fixed(i) => i,
            RenditionChoice::Auto => self.abr_choice(),
        };
        self.switch_level(first, self.choice == RenditionChoice::Auto);
    }

    fn on_media_playlist(&mut self, request: &Request, level: usize, body: FetchedBody) {
        match parse_playlist_bytes(&body.bytes, &body.url) {
            Ok(Playlist::Media(media)) => {
                if self.accept_media_playlist(level, media).is_err() {
                    self.live_reload_failed();
                }
            }
            Ok(Playlist::Multivariant(_)) => self.fail(
                ErrorCode::ManifestParse,
                "A stream's playlist is a multivariant playlist, not a media playlist.".into(),
                Some(request.url.clone()),
            ),
            Err(error) => self.fail(
                ErrorCode::ManifestParse,
                format!("A stream's playlist could not be read: {error}."),
                Some(request.url.clone()),
            ),
        }
    }

    /// Reports the cues not reported before.
    fn report_cues(&mut self, cues: Vec<MetadataCue>) {
        let fresh: Vec<MetadataCue> = cues
            .into_iter()
            .filter(|cue| !self.reported_cues.contains(&cue.id))
            .collect();
        if fresh.is_empty() {
            return;
        }
        // A long live show produces cues without end: remember only the recent ones.
        if self.reported_cues.len() > 4096 {
            self.reported_cues.drain(..2048);
        }
        self.reported_cues
            .extend(fresh.iter().map(|cue| cue.id.clone()));
        self.emit(EngineEvent::Metadata(fresh));
    }

    fn on_init_segment(&mut self, level: usize, section: u32, bytes: Vec<u8>) {
        let declared = self.levels.get(level).and_then(|l| l.info.codecs.clone());
        // The transmuxer learns the tracks' timescales, to place the media segments that
        // follow. Without a CODECS attribute the init segment itself says what it holds;
        // with one, an init segment it cannot read is left for the browser to judge.
        let read = self.transmuxer.set_init_segment(&bytes);
        let codecs = match declared {
            Some(codecs) => codecs,
            None => match read {
                Ok(codecs) => codecs,
                Err(error) => {
                    let url = self.init_url(level, section);
                    return self.fail(
                        ErrorCode::SegmentParse,
                        format!("The video's initialization section could not be read: {error}."),
                        url,
                    );
                }
            },
        };
        self.ensure_source_buffer(mp4_mime(&codecs));
        self.appended_init = Some((level, section));
        self.push_buffer_op(Command::Append(bytes));
    }

    fn on_segment(&mut self, level: usize, msn: u64, mut bytes: Vec<u8>) {
        let Some(playlist) = self.levels.get(level).and_then(|l| l.playlist.as_ref()) else {
            return;
        };
        // A live window may have slid past it while it downloaded: nothing to place it by.
        let Some(index) = playlist.index_of_sequence(msn) else {
            return;
        };
        let segment = &playlist.segments[index];
        let url = playlist.url_of(segment);
        let context = SegmentContext {
            start: segment.start,
            discontinuity_sequence: segment.discontinuity_sequence,
        };
        if let Some(key_uri) = aes_key_uri(playlist, index) {
            let iv = playlist.iv_for(index);
            let known = self.keys.iter().find(|(uri, _)| *uri == key_uri);
            let Some(key) = known.map(|(_, key)| *key) else {
                return; // Keys were reset by a new load; this segment is from the old one.
            };
            if let Err(error) = decrypt_segment_in_place(&key, &iv, &mut bytes) {
                return self.fail(
                    ErrorCode::SegmentParse,
                    format!("A video segment could not be decrypted: {error}."),
                    Some(url),
                );
            }
        }
        if self.append_media(bytes, context, url) {
            self.last_loaded = Some(LoadCursor {
                level,
                msn,
                part: None,
            });
        }
    }

    /// LL-HLS: a part arrived. It is placed after the parts before it in its segment.
    fn on_part(&mut self, level: usize, msn: u64, part: u32, bytes: Vec<u8>) {
        // A part requested from a preload hint may arrive before the playlist listing it.
        let Some((context, uri)) = low_latency::listed_or_hinted(self, level, msn, part) else {
            return; // Slid out of the window while it downloaded.
        };
        if self.append_media(bytes, context, uri) {
            self.last_loaded = Some(LoadCursor {
                level,
                msn,
                part: Some(part),
            });
        }
    }

    /// Transmuxes MPEG-TS (fMP4 passes through, placed by its timestamp offset) and appends
    /// it. False when it failed.
    fn append_media(&mut self, mut bytes: Vec<u8>, context: SegmentContext, url: String) -> bool {
        if looks_like_mpeg_ts(&bytes) {
            match self.transmuxer.transmux(&bytes, context) {
                Ok(fragment) => {
                    self.report_cues(id3_cues(&fragment.cues));
                    self.ensure_source_buffer(mp4_mime(&fragment.codecs));
                    if let Some(init) = fragment.init {
                        self.push_buffer_op(Command::Append(init));
                    }
                    self.set_timestamp_offset(fragment.timestamp_offset);
                    bytes = fragment.media;
                }
                Err(error) => {
                    self.fail(
                        ErrorCode::SegmentParse,
                        format!("A video segment could not be read: {error}."),
                        Some(url),
                    );
                    return false;
                }
            }
        } else if self.source_buffer_mime.is_none() {
            // fMP4 media without an init section: the playlist promised what it did not deliver.
            self.fail(
                ErrorCode::SegmentParse,
                "A video segment arrived before its initialization section.".into(),
                Some(url),
            );
            return false;
        } else {
            let placed = self.transmuxer.place_fmp4(&bytes, context);
            self.report_cues(id3_cues(&placed.cues));
            self.set_timestamp_offset(placed.timestamp_offset);
        }
        self.push_buffer_op(Command::Append(bytes));
        true
    }

    /// Sets the buffer's timestamp offset for the appends that follow, if it changed.
    fn set_timestamp_offset(&mut self, offset: f64) {
        if offset != self.timestamp_offset {
            self.timestamp_offset = offset;
            self.push_buffer_op(Command::SetTimestampOffset(offset));
        }
    }

    fn init_url(&self, level: usize, section: u32) -> Option<String> {
        let playlist = self.levels.get(level)?.playlist.as_ref()?;
        Some(playlist.init_sections.get(section as usize)?.uri.clone())
    }

    fn ensure_source_buffer(&mut self, mime: String) {
        match &self.source_buffer_mime {
            None => self.push_buffer_op(Command::AddSourceBuffer { mime: mime.clone() }),
            Some(current) if *current != mime => {
                self.push_buffer_op(Command::ChangeType { mime: mime.clone() })
            }
            Some(_) => return,
        }
        self.source_buffer_mime = Some(mime);
    }

    fn switch_level(&mut self, level: usize, auto: bool) {
        if self.current_level == Some(level) || level >= self.levels.len() {
            return;
        }
        self.abandon_hints_except(level);
        self.prepare_switch_reload(self.current_level, level);
        self.current_level = Some(level);
        self.emit(EngineEvent::RenditionSwitched { index: level, auto });
    }

    /// Drops buffered media after the segment that is playing, so a manual quality change is
    /// seen within a segment instead of after the whole forward buffer.
    fn flush_ahead_of_playhead(&mut self) {
        self.abort_segment_requests();
        let position = self.media.position;
        let boundary = self
            .current_playlist()
            .and_then(|p| {
                p.segments
                    .iter()
                    .find(|s| s.start + s.duration > position + 0.25)
            })
            .map(|s| s.start + s.duration);
        if let Some(boundary) = boundary {
            if self.buffered.end_of_run(position) > boundary {
                self.push_buffer_op(Command::Remove {
                    start: boundary,
                    end: f64::INFINITY,
                });
            }
        }
        self.last_loaded = None;
    }

    fn current_playlist(&self) -> Option<&MediaPlaylist> {
        self.levels.get(self.current_level?)?.playlist.as_ref()
    }

    fn abr_choice(&self) -> usize {
        let budgets: Vec<RenditionBudget> = self
            .levels
            .iter()
            .map(|l| RenditionBudget {
                bandwidth: l.info.bandwidth,
                height: l.info.height,
            })
            .collect();
        let wanted = abr::choose_rendition(
            &self.config.abr,
            &budgets,
            self.current_level,
            self.estimator.estimate_bps(),
            self.buffered.ahead_of(self.media.position),
            self.media.max_height,
        );
        self.usable_level(wanted)
    }

    /// Jumps the playhead over a small hole in the buffer that would otherwise stall it.
    fn jump_gap(&mut self) {
        let position = self.media.position;
        let max_gap = self.config.max_gap_jump_s;
        // Outside any range with media just ahead (a stream starting at 0.04 s), or stalled at
        // the end of a range with the next one close after (AAC frames that do not line up
        // with a discontinuity leave a few tens of milliseconds uncovered).
        let hole = self.buffered.gap_after(position, max_gap).or_else(|| {
            self.media
                .waiting
                .then(|| self.buffered.hole_after_run(position, 0.5, max_gap))
                .flatten()
        });
        if let Some(start) = hole {
            let target = start + BUFFER_TOLERANCE / 2.0;
            self.media.position = target;
            self.commands.push_back(Command::Seek(target));
        }
    }

    /// Nudges a playhead that sits still although media is buffered right ahead of it (a
    /// decoder that wedged at a tiny hole MSE reports as buffered).
    fn nudge_stall(&mut self) {
        let position = self.media.position;
        let stuck =
            self.media.waiting && !self.media.paused && self.buffered.ahead_of(position) > 0.5;
        if !stuck {
            self.stall = None;
            return;
        }
        match &mut self.stall {
            Some(stall) if (stall.position - position).abs() < 0.01 => {
                if self.clock - stall.since >= STALL_NUDGE_AFTER_MS && stall.nudges < MAX_NUDGES {
                    stall.nudges += 1;
                    stall.since = self.clock;
                    let target = position + 0.1 * f64::from(stall.nudges);
                    stall.position = target;
                    self.media.position = target;
                    self.commands.push_back(Command::Seek(target));
                }
            }
            _ => {
                self.stall = Some(Stall {
                    position,
                    since: self.clock,
                    nudges: 0,
                });
            }
        }
    }

    /// Decides what to load next. Called after every input.
    fn update(&mut self, now: f64) {
        let _ = now;
        if self.failed {
            return;
        }
        self.abandon_slow_download();
        self.reload_live_playlist();
        let Some(mut level) = self.current_level else {
            return;
        };
        // Reconsider quality between downloads, when the last sample has been taken.
        if self.choice == RenditionChoice::Auto {
            let wanted = self.abr_choice();
            // A segment half loaded by parts is finished in its rendition first.
            let mid_segment = self.last_loaded.is_some_and(|c| c.part.is_some());
            if wanted != level
                && !mid_segment
                && self.in_flight.iter().all(|r| !is_media(r.purpose))
            {
                self.switch_level(wanted, true);
                level = wanted;
            }
        }
        if self.levels[level].playlist.is_none() {
            let loading = self
                .in_flight
                .iter()
                .any(|r| r.purpose == Purpose::MediaPlaylist { level })
                || self
                    .retries
                    .iter()
                    .any(|(_, r)| r.purpose == Purpose::MediaPlaylist { level });
            if !loading {
                let uri = self
                    .take_switch_reload(level)
                    .unwrap_or_else(|| self.levels[level].uri.clone());
                self.send(Purpose::MediaPlaylist { level }, uri, None, 1);
            }
            return;
        }
        self.announce_stream(level);
        self.evict_back_buffer();

        // One media request at a time, and at most one append waiting behind it: this bounds
        // memory and keeps each download's bandwidth sample clean.
        let media_busy = self
            .in_flight
            .iter()
            .chain(self.retries.iter().map(|(_, r)| r))
            .any(|r| is_media(r.purpose));
        if media_busy || self.buffer_ops_pending > 1 || self.holding_media() {
            return;
        }

        if self.load_next_part(level) {
            return;
        }
        let Some(playlist) = self.levels[level].playlist.as_ref() else {
            return;
        };
        let position = self.media.position;
        let first_msn = playlist.segments.first().map_or(0, |s| s.media_sequence);
        let next = match self.last_loaded {
            Some(cursor) if cursor.level == level => {
                // Media sequence numbers saturate at u64::MAX (hostile playlists): past it,
                // as when the window slid past the cursor, continue from the buffer.
                match cursor
                    .msn
                    .checked_add(1)
                    .and_then(|n| n.checked_sub(first_msn))
                {
                    Some(offset) => usize::try_from(offset).ok(),
                    // The window slid past the cursor (a long stall): continue from the buffer.
                    None => segment_at(playlist, self.buffered.end_of_run(position)),
                }
            }
            Some(cursor) => {
                // Switched rendition: continue at the same time in the new one.
                let previous = self.levels[cursor.level].playlist.as_ref();
                let t = previous
                    .and_then(|p| Some(&p.segments[p.index_of_sequence(cursor.msn)?]))
                    .map_or(position, |s| s.start + s.duration);
                segment_at(playlist, t)
            }
            None => segment_at(playlist, self.buffered.end_of_run(position)),
        };
        let run_end = self.buffered.end_of_run(position);
        let next = next.map(|mut i| {
            // With the buffer settled, a hole between the playhead and the cursor (an append
            // the browser refused, media it evicted on its own) is filled before going on.
            let hole = self.buffer_ops_pending == 0
                && playlist
                    .segments
                    .get(i)
                    .is_some_and(|s| s.start > run_end + BUFFER_TOLERANCE);
            if hole {
                i = segment_at(playlist, run_end).unwrap_or(i);
            }
            // What is already buffered is not loaded again.
            let buffered = |s: &MediaSegment| {
                self.buffered
                    .range_at(s.start + BUFFER_TOLERANCE)
                    .is_some_and(|r| r.end >= s.start + s.duration - BUFFER_TOLERANCE)
            };
            while playlist.segments.get(i).is_some_and(buffered) {
                i += 1;
            }
            i
        });
        let Some(index) = next.filter(|&i| i < playlist.segments.len()) else {
            if playlist.end_list && self.last_loaded.is_some() {
                self.end_stream();
            }
            return;
        };
        let segment = &playlist.segments[index];
        let loaded_until = match self.last_loaded {
            Some(c) if c.level == level => segment.start,
            _ => self.buffered.end_of_run(position),
        };
        if loaded_until - position >= self.config.forward_buffer_s {
            return;
        }
        if self.awaiting_init(level, segment.init_section) {
            return;
        }
        let Some(playlist) = self.levels[level].playlist.as_ref() else {
            return;
        };
        let segment = &playlist.segments[index];
        match segment_key(playlist, index) {
            Err(method) => {
                let url = Some(playlist.url_of(segment));
                return self.fail(
                    ErrorCode::MediaUnsupported,
                    format!(
                        "This video uses {method} encryption, which this player cannot decrypt."
                    ),
                    url,
                );
            }
            Ok(Some((key, uri))) if !self.keys.iter().any(|(known, _)| *known == uri) => {
                let fetching = |r: &Request| r.purpose == Purpose::Key { level, key };
                if !self.in_flight.iter().any(fetching) {
                    self.send(Purpose::Key { level, key }, uri, None, 1);
                }
                return;
            }
            Ok(_) => {}
        }
        let (uri, range) = (playlist.url_of(segment), segment.byte_range);
        let msn = segment.media_sequence;
        self.send(Purpose::Segment { level, msn }, uri, range, 1);
    }

    /// True while media of init section `section` cannot be appended yet because the buffer
    /// holds another init segment (or none): the right one is requested here.
    fn awaiting_init(&mut self, level: usize, section: Option<u32>) -> bool {
        let Some(section) = section else {
            return false;
        };
        if self.appended_init == Some((level, section)) {
            return false;
        }
        let init = self.levels[level]
            .playlist
            .as_ref()
            .and_then(|p| p.init_sections.get(section as usize))
            .map(|init| (init.uri.clone(), init.byte_range));
        if let Some((uri, range)) = init {
            self.send(Purpose::InitSegment { level, section }, uri, range, 1);
        }
        true
    }

    /// LL-HLS: at the live edge, media comes part by part. Sends the next part when one is due
    /// and returns true; false leaves the choice to whole segments (or to waiting).
    fn load_next_part(&mut self, level: usize) -> bool {
        if !self.config.live.low_latency || self.live.is_none() {
            return false;
        }
        let Some(playlist) = self.levels[level].playlist.as_ref() else {
            return false;
        };
        if playlist.part_inf.is_none() {
            return false;
        }
        let in_progress = playlist.next_media_sequence();
        // Renditions are aligned by Media Sequence Number and their parts by index, so after a
        // rendition switch the new one carries on from the same segment and part.
        let (msn, part) = match self.last_loaded {
            Some(c) => match c.part {
                // The last part of a segment that is now complete: on to the next segment.
                Some(p)
                    if playlist
                        .index_of_sequence(c.msn)
                        .is_some_and(|i| playlist.segments[i].parts.len() <= p as usize + 1) =>
                {
                    (c.msn.saturating_add(1), 0)
                }
                Some(p) => (c.msn, p + 1),
                None => (c.msn.saturating_add(1), 0),
            },
            None => {
                // Joining: parts only when the join point lies in the segment still being made.
                let at = self.buffered.end_of_run(self.media.position);
                if segment_at(playlist, at).is_some_and(|i| i < playlist.segments.len()) {
                    return false;
                }
                (in_progress, 0)
            }
        };
        // A listed segment not started part by part is loaded whole.
        if msn != in_progress && part == 0 {
            return false;
        }
        let Some((_, init_section, uri, range)) = part_placement(playlist, msn, part) else {
            // Not listed yet: the preload hint may name it.
            return self.request_hinted_part(level, msn, part);
        };
        if !self.awaiting_init(level, init_section) {
            self.send(Purpose::Part { level, msn, part }, uri, range, 1);
        }
        true
    }

    /// Emergency switch-down: a segment download that has already taken longer than the media
    /// left in the buffer, and far longer than the estimate predicted, will stall playback
    /// before it ends. Abandon it and load the same segment from a lower rendition.
    fn abandon_slow_download(&mut self) {
        if self.choice != RenditionChoice::Auto {
            return;
        }
        let Some(request) = self
            .in_flight
            .iter()
            .find(|r| matches!(r.purpose, Purpose::Segment { level, .. } if level > 0))
        else {
            return;
        };
        let Purpose::Segment { level, msn } = request.purpose else {
            return;
        };
        let elapsed_ms = self.clock - request.sent_at;
        let Some(segment) = self.levels[level]
            .playlist
            .as_ref()
            .and_then(|p| Some(&p.segments[p.index_of_sequence(msn)?]))
        else {
            return;
        };
        let expected_bytes = self.levels[level].info.bandwidth as f64 * segment.duration / 8.0;
        let predicted_ms = expected_bytes * 8.0 / self.estimator.estimate_bps() * 1000.0;
        let buffer_left_ms = self.buffered.ahead_of(self.media.position) * 1000.0;
        if elapsed_ms < buffer_left_ms || elapsed_ms < 2.0 * predicted_ms.max(250.0) {
            return;
        }
        let id = request.id;
        // Not finished after `elapsed_ms`: the link is at most this fast.
        self.estimator.sample(expected_bytes as usize, elapsed_ms);
        self.in_flight.retain(|r| r.id != id);
        self.commands.push_back(Command::Abort(id));
        let lower = self.abr_choice().min(level - 1);
        self.switch_level(lower, true);
        // Continue at the same time in the lower rendition.
        self.last_loaded = msn.checked_sub(1).map(|msn| LoadCursor {
            level,
            msn,
            part: None,
        });
    }

    fn announce_stream(&mut self, level: usize) {
        let Some(playlist) = self.levels[level].playlist.as_ref() else {
            return;
        };
        let live = !playlist.end_list;
        let duration = playlist.segments.last().map(|s| s.start + s.duration);
        if !self.loaded_event_sent {
            self.loaded_event_sent = true;
            let renditions = self.levels.iter().map(|l| l.info.clone()).collect();
            self.emit(EngineEvent::Loaded {
                renditions,
                live,
                duration: duration.filter(|_| !live),
            });
        }
        if !self.duration_sent {
            self.duration_sent = true;
            // A live stream has no end yet; its seekable window is set on every reload.
            let duration = if live { Some(f64::INFINITY) } else { duration };
            if let Some(duration) = duration {
                self.push_buffer_op(Command::SetDuration(duration));
            }
        }
        if live {
            self.keep_reloading(level);
            self.join_live_edge(level);
        }
    }

    fn evict_back_buffer(&mut self) {
        let keep_from = self.media.position - self.config.back_buffer_s;
        if self.buffer_ops_pending == 0
            && self
                .buffered
                .start()
                .is_some_and(|start| start < keep_from - 1.0)
        {
            self.push_buffer_op(Command::Remove {
                start: 0.0,
                end: keep_from,
            });
        }
    }

    fn end_stream(&mut self) {
        if self.end_of_stream_sent || self.buffer_ops_pending > 0 {
            return;
        }
        self.end_of_stream_sent = true;
        self.push_buffer_op(Command::EndOfStream);
    }
}

fn is_media(purpose: Purpose) -> bool {
    matches!(
        purpose,
        Purpose::InitSegment { .. }
            | Purpose::Segment { .. }
            | Purpose::Part { .. }
            | Purpose::Key { .. }
    )
}

/// Where part `part` of segment `msn` belongs: its timeline context, init section, URI and
/// byte range. Parts of the segment in progress follow the last listed segment.
fn part_placement(
    playlist: &MediaPlaylist,
    msn: u64,
    part: u32,
) -> Option<(SegmentContext, Option<u32>, String, Option<ByteRange>)> {
    let (parts, start, discontinuity_sequence, init) = match playlist.index_of_sequence(msn) {
        Some(i) => {
            let s = &playlist.segments[i];
            (&s.parts, s.start, s.discontinuity_sequence, s.init_section)
        }
        None if msn == playlist.next_media_sequence() => {
            let last = playlist.segments.last();
            let start = last.map_or(0.0, |s| s.start + s.duration);
            let sequence = last.map_or(playlist.discontinuity_sequence, |s| {
                s.discontinuity_sequence
            });
            (
                &playlist.pending_parts,
                start,
                sequence,
                last.and_then(|s| s.init_section),
            )
        }
        None => return None,
    };
    let index = usize::try_from(part).ok()?;
    let this = parts.get(index)?;
    let offset: f64 = parts[..index].iter().map(|p| p.duration).sum();
    let context = SegmentContext {
        start: start + offset,
        discontinuity_sequence,
    };
    Some((context, init, this.uri.clone(), this.byte_range))
}

/// The SourceBuffer MIME type for fMP4 with these codecs.
fn mp4_mime(codecs: &str) -> String {
    let audio_only = codecs.split(',').all(|c| c.trim().starts_with("mp4a"));
    let kind = if audio_only { "audio" } else { "video" };
    format!("{kind}/mp4; codecs=\"{codecs}\"")
}

/// The key protecting segment `index`: `Ok(None)` when clear, `Ok(Some((key index, URI)))`
/// for AES-128, `Err(method)` for what this player cannot decrypt. Among keys for several
/// KEYFORMATs, the plain `identity` one is what a browser without DRM can use.
fn segment_key(playlist: &MediaPlaylist, index: usize) -> Result<Option<(u32, String)>, String> {
    let Some(segment) = playlist.segments.get(index) else {
        return Ok(None);
    };
    let Some(first) = segment.key else {
        return Ok(None);
    };
    let mut unsupported = None;
    for i in first..first.saturating_add(u32::from(segment.key_count.max(1))) {
        let Some(key) = playlist.keys.get(i as usize) else {
            break;
        };
        let identity = key.key_format.as_deref().is_none_or(|f| f == "identity");
        match (&key.method, &key.uri) {
            (KeyMethod::None, _) => return Ok(None),
            (KeyMethod::Aes128, Some(uri)) if identity => return Ok(Some((i, uri.clone()))),
            (KeyMethod::Aes128, _) => unsupported = Some("AES-128 (DRM)".to_string()),
            (KeyMethod::SampleAes, _) => unsupported = Some("SAMPLE-AES".to_string()),
            (KeyMethod::SampleAesCtr, _) => unsupported = Some("SAMPLE-AES-CTR".to_string()),
            (KeyMethod::Other(name), _) => unsupported = Some(name.clone()),
        }
    }
    unsupported.map_or(Ok(None), Err)
}

fn aes_key_uri(playlist: &MediaPlaylist, index: usize) -> Option<String> {
    segment_key(playlist, index)
        .ok()
        .flatten()
        .map(|(_, uri)| uri)
}

/// The segment holding time `t`, nudged forward a little so that media ending a few
/// milliseconds short of its EXTINF duration does not select the same segment again.
fn segment_at(playlist: &MediaPlaylist, t: f64) -> Option<usize> {
    let probe = t + BUFFER_TOLERANCE;
    let segments = &playlist.segments;
    let after = segments.partition_point(|s| s.start <= probe);
    match after {
        0 => Some(0),
        n if n == segments.len() && probe >= segments[n - 1].start + segments[n - 1].duration => {
            Some(n)
        }
        n => Some(n - 1),
    }
}

/// MPEG-TS: a 0x47 sync byte every 188 bytes.
fn looks_like_mpeg_ts(bytes: &[u8]) -> bool {
    bytes.first() == Some(&0x47) && bytes.get(188).is_none_or(|&b| b == 0x47)
}

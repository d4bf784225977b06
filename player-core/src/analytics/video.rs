//! Video engagement (`video_start`, `video_progress`, `video_complete`, as GA4's enhanced
//! measurement names them) and player health events (`video_quality_change`, `video_stall`,
//! `video_error`).
//!
//! ## When progress fires
//! A threshold fires when **playback** carries the position across it, once per view. A seek
//! does not: seeking from 5 % to 80 % fires neither 10, 25, 50 nor 75 %; playing on from 80 %
//! to the end then fires `video_complete` (95 %). So `video_progress` at 50 % means the viewer
//! watched through the middle, not that they jumped past it. Playback and seeking are told
//! apart from the samples alone: a step counts as playback when the player was playing and
//! the position moved forward by at most twice the wall-clock time since the previous sample
//! (if that one was playing too) plus [`CONTINUITY_SLACK_MS`]; anything else is a jump.
//! Feed a sample on every `timeupdate`, `playing`, `pause` and `seeked`.
//!
//! Live streams have no percent: `video_progress` instead carries `video_watch_time`, the
//! seconds of playback watched in this view (counted the same way, so seeking to the live edge
//! adds nothing), at each of [`LIVE_WATCH_MILESTONES`] and then every 30 minutes.
//!
//! ```
//! use player_core::analytics::video::{VideoMilestone, VideoProgress};
//! let mut progress = VideoProgress::new();
//! let minute = Some(60_000);
//! assert_eq!(progress.update(0, minute, false, 0, true), [VideoMilestone::Start]);
//! assert_eq!(progress.update(6_250, minute, false, 6_250, true), [VideoMilestone::Progress(10)]);
//! // A seek to 0:50 (83 %) fires nothing …
//! assert!(progress.update(50_000, minute, false, 7_000, true).is_empty());
//! // … and playing on past 0:57 (95 %) completes the view.
//! assert_eq!(progress.update(57_100, minute, false, 14_100, true), [VideoMilestone::Complete]);
//! ```

use super::context::{write_context, EventContext};
use super::payload::{write_fixed, Fixed, Payload};
use super::Event;

/// `video_progress` thresholds for on-demand videos, in percent.
pub const PROGRESS_THRESHOLDS: [u8; 4] = [10, 25, 50, 75];
/// `video_complete` fires when playback reaches this percent (or the video ends).
pub const COMPLETE_PERCENT: u8 = 95;
/// Live `video_progress` milestones in seconds watched; after the last, every 1800 s.
pub const LIVE_WATCH_MILESTONES: [u64; 5] = [60, 300, 600, 1200, 1800];
/// How far beyond `2 × elapsed` a playback step may move before it counts as a seek.
pub const CONTINUITY_SLACK_MS: u64 = 1000;
/// The fastest playback rate taken for playback rather than seeking.
const MAX_RATE: u64 = 2;
/// Shorter waits are not reported as stalls.
pub const MIN_STALL_MS: u64 = 250;

/// An engagement event due.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VideoMilestone {
    /// `video_start`: first playback of the view.
    Start,
    /// `video_progress` at this percent (on demand).
    Progress(u8),
    /// `video_progress` at this many seconds watched (live).
    WatchTime(u64),
    /// `video_complete`.
    Complete,
}

#[derive(Debug, Clone, Copy)]
struct Sample {
    position_ms: u64,
    now_ms: u64,
    playing: bool,
}

/// Decides when engagement events are due, once each per view. Start a new tracker for a
/// new view (a new source, or a new session id).
#[derive(Debug, Clone, Default)]
pub struct VideoProgress {
    last: Option<Sample>,
    started: bool,
    completed: bool,
    /// Bit `i`: [`PROGRESS_THRESHOLDS`]`[i]` fired.
    fired: u8,
    watched_ms: u64,
    /// Index of the next live milestone (see [`live_milestone`]).
    next_milestone: u32,
}

/// The `i`-th live milestone in seconds.
fn live_milestone(i: u32) -> u64 {
    let listed = LIVE_WATCH_MILESTONES.len() as u32;
    match LIVE_WATCH_MILESTONES.get(i as usize) {
        Some(&s) => s,
        None => 1800 * u64::from(i - listed + 2),
    }
}

impl VideoProgress {
    pub fn new() -> VideoProgress {
        VideoProgress::default()
    }

    /// Milliseconds of playback watched in this view (seeks excluded).
    pub fn watched_ms(&self) -> u64 {
        self.watched_ms
    }

    /// A sample of the player: media position, duration (`None` while unknown), live or not,
    /// the caller's clock, and whether it is playing. Returns the events now due, in order.
    pub fn update(
        &mut self,
        position_ms: u64,
        duration_ms: Option<u64>,
        live: bool,
        now_ms: u64,
        playing: bool,
    ) -> Vec<VideoMilestone> {
        let mut due = Vec::new();
        let sample = Sample {
            position_ms,
            now_ms,
            playing,
        };
        let Some(last) = self.last.replace(sample) else {
            if playing {
                self.started = true;
                due.push(VideoMilestone::Start);
            }
            return due;
        };
        if playing && !self.started {
            self.started = true;
            due.push(VideoMilestone::Start);
        }
        let elapsed = if last.playing {
            now_ms.saturating_sub(last.now_ms).saturating_mul(MAX_RATE)
        } else {
            0
        };
        let continuous = playing
            && position_ms >= last.position_ms
            && position_ms - last.position_ms <= elapsed.saturating_add(CONTINUITY_SLACK_MS);
        if !continuous {
            return due;
        }
        let (from, to) = (last.position_ms, position_ms);
        self.watched_ms = self.watched_ms.saturating_add(to - from);
        let crossed = |percent: u8, duration: u64| {
            let at = duration.saturating_mul(u64::from(percent)) / 100;
            from < at && at <= to
        };
        match duration_ms.filter(|&d| d > 0 && !live) {
            Some(duration) => {
                for (i, &t) in PROGRESS_THRESHOLDS.iter().enumerate() {
                    if self.fired & (1 << i) == 0 && crossed(t, duration) {
                        self.fired |= 1 << i;
                        due.push(VideoMilestone::Progress(t));
                    }
                }
                if !self.completed && crossed(COMPLETE_PERCENT, duration) {
                    self.completed = true;
                    due.push(VideoMilestone::Complete);
                }
            }
            None if live => {
                while self.watched_ms >= live_milestone(self.next_milestone) * 1000 {
                    due.push(VideoMilestone::WatchTime(live_milestone(
                        self.next_milestone,
                    )));
                    self.next_milestone += 1;
                }
            }
            None => {}
        }
        due
    }

    /// The media element fired `ended` (for live: the show's last segment played). Completes
    /// the view when playback, not a seek, got there (on demand: the final step is taken as a
    /// sample at `duration_ms`).
    pub fn ended(
        &mut self,
        duration_ms: Option<u64>,
        live: bool,
        now_ms: u64,
    ) -> Vec<VideoMilestone> {
        if live || duration_ms.is_none() {
            let done = self.started && !self.completed;
            self.completed |= done;
            return if done {
                vec![VideoMilestone::Complete]
            } else {
                Vec::new()
            };
        }
        let end = duration_ms.unwrap_or_default();
        let last_playing = self.last.is_some_and(|s| s.playing);
        self.update(end, duration_ms, false, now_ms, last_playing)
    }
}

/// Tells stalls (playback waiting for data) from the other waits, and times them.
#[derive(Debug, Clone, Default)]
pub struct StallTracker {
    since: Option<u64>,
}

impl StallTracker {
    pub fn new() -> StallTracker {
        StallTracker::default()
    }

    /// `waiting`: the element waits for data after it had started playing (not the initial
    /// load); `seeking`: a seek is in progress (waiting for a seek is not a stall). Returns the
    /// stall's duration in ms when one of at least [`MIN_STALL_MS`] just ended.
    pub fn update(&mut self, waiting: bool, seeking: bool, now_ms: u64) -> Option<u64> {
        let stalled = waiting && !seeking;
        match (self.since, stalled) {
            (None, true) => {
                self.since = Some(now_ms);
                None
            }
            (Some(since), false) => {
                self.since = None;
                let duration = now_ms.saturating_sub(since);
                (duration >= MIN_STALL_MS).then_some(duration)
            }
            _ => None,
        }
    }
}

/// The engagement event for `milestone`, with the video fields GA4's enhanced measurement
/// uses (`video_percent` or `video_watch_time`, `visible`) and the context.
pub fn video_event(ctx: &EventContext, milestone: VideoMilestone) -> Event {
    let v = &ctx.video;
    let name = match milestone {
        VideoMilestone::Start => "video_start",
        VideoMilestone::Progress(_) | VideoMilestone::WatchTime(_) => "video_progress",
        VideoMilestone::Complete => "video_complete",
    };
    let mut p = Payload::event(name);
    let percent = match (milestone, v.duration_ms) {
        (_, _) if v.live => None,
        (VideoMilestone::Progress(t), _) => Some(u64::from(t)),
        (VideoMilestone::Complete, _) => Some(100),
        (_, Some(d)) if d > 0 => Some((v.current_time_ms.saturating_mul(100) / d).min(100)),
        _ => Some(0),
    };
    if let Some(percent) = percent {
        p.uint("video_percent", percent);
    }
    if let VideoMilestone::WatchTime(s) = milestone {
        p.uint("video_watch_time", s);
    }
    p.bool("visible", v.visible);
    // Which engine plays the view (`mse`, `managed-mse`, `native`): once per view is enough
    // to split reports by it, and it never changes within a view.
    if milestone == VideoMilestone::Start && !v.engine.is_empty() {
        p.str("video_engine", v.engine);
    }
    write_context(&mut p, ctx);
    p.into_event(name, false)
}

/// `video_stall`: playback waited `duration_ms` for data (`video_stall_duration`, seconds).
pub fn video_stall(ctx: &EventContext, duration_ms: u64) -> Event {
    let mut p = Payload::event("video_stall");
    p.fixed("video_stall_duration", duration_ms, Fixed::Millis);
    write_context(&mut p, ctx);
    p.into_event("video_stall", false)
}

/// A rendition as reported in `video_quality_change`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Quality {
    /// Picture height, for the `720p` label; `None` for audio-only or unknown.
    pub height: Option<u32>,
    /// Bits per second (the playlist's `BANDWIDTH`).
    pub bitrate: u64,
}

/// `720p`, or `2500kbps` without a height.
fn quality_label(q: Quality) -> String {
    let mut s = String::new();
    match q.height {
        Some(h) => {
            write_fixed(&mut s, u64::from(h), 0);
            s.push('p');
        }
        None => {
            write_fixed(&mut s, q.bitrate / 1000, 0);
            s.push_str("kbps");
        }
    }
    s
}

/// `video_quality_change`: playback switched from `previous` (if any) to `quality`;
/// `automatic` when adaptive bitrate chose it, not the viewer.
pub fn video_quality_change(
    ctx: &EventContext,
    quality: Quality,
    previous: Option<Quality>,
    automatic: bool,
) -> Event {
    let mut p = Payload::event("video_quality_change");
    p.str("video_quality", &quality_label(quality));
    p.uint("video_bitrate", quality.bitrate);
    p.opt_str(
        "video_quality_previous",
        previous.map(quality_label).as_deref(),
    );
    p.bool("video_quality_auto", automatic);
    write_context(&mut p, ctx);
    p.into_event("video_quality_change", false)
}

/// `video_error`: `code` is the `shoppable:error` code (e.g. `network`, `media`), `message`
/// the human message; `fatal` when playback stopped.
pub fn video_error(ctx: &EventContext, code: &str, message: &str, fatal: bool) -> Event {
    let mut p = Payload::event("video_error");
    p.str("error_code", code);
    p.str("error_message", message);
    p.bool("error_fatal", fatal);
    write_context(&mut p, ctx);
    p.into_event("video_error", false)
}

/// A player event with nothing of its own but the context: `miniplayer_open`,
/// `miniplayer_close`.
pub fn player_event(ctx: &EventContext, name: &'static str) -> Event {
    let mut p = Payload::event(name);
    write_context(&mut p, ctx);
    p.into_event(name, false)
}

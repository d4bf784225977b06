//! What a failed request leads to: a retry with backoff, a switch to another copy of the
//! stream, or — only when every alternative is spent — a fatal error.
//!
//! The policy (docs/architecture.md has the short version):
//! - Every request gets [`RetryPolicy::max_attempts`](crate::hls::retry::RetryPolicy)
//!   attempts with jittered exponential backoff; a hung one is cut off by its deadline and
//!   counts as a failed attempt.
//! - Media of a rendition (its segments, init segment, or its media playlist before it ever
//!   loaded) that keeps failing is fetched from an alternative: first a redundant copy of the
//!   same rendition (the same `BANDWIDTH`, resolution and codecs listed again with another URI,
//!   usually another CDN), then another rendition, lower ones first. A 404/410 is "this copy
//!   does not have it": after [`MISSING_ATTEMPTS`] of them the engine moves on at once instead
//!   of spending the whole budget. The rendition left behind is avoided by ABR for
//!   [`PENALTY_MS`], then may be tried again (the CDN may have healed).
//! - On-demand: when every copy of every rendition failed for the same media (nothing loaded
//!   in between), playback stops with a fatal error naming the last failure.
//! - Live: a show is never given up once it plays. Playlist reloads already retry forever
//!   (see `live.rs`); media that failed everywhere is tried again after the longest backoff
//!   delay with a fresh budget, and playback resumes on its own when the network returns.

use super::{is_media, Engine, FetchFailure, LoadCursor, Purpose, Request};
use crate::error::{ErrorCode, PlayerError};
use crate::hls::command::{EngineEvent, RenditionChoice};

/// A copy that answered "not found" this many times in a row for the same request is
/// abandoned for an alternative (CDNs answer 404 briefly for media being published, so once
/// is not enough).
pub(super) const MISSING_ATTEMPTS: u32 = 2;
/// How long ABR avoids a rendition that media was failed over from, in ms.
pub(super) const PENALTY_MS: f64 = 20_000.0;

/// Copies tried for the media being loaded now, since media last arrived.
#[derive(Debug, Clone, Default)]
pub(super) struct FailoverState {
    /// (rendition, index of its URI among the redundant copies).
    tried: Vec<(usize, usize)>,
    /// Live: media that failed everywhere is not requested again before this time (ms).
    resume_at: Option<f64>,
}

impl FailoverState {
    /// Media arrived: every copy may be tried afresh for what comes next.
    pub(super) fn media_arrived(&mut self) {
        self.tried.clear();
    }

    /// The time the engine waits for before asking for media again, if it waits.
    pub(super) fn resume_at(&self) -> Option<f64> {
        self.resume_at
    }
}

impl FetchFailure {
    /// The server says it does not have it (as opposed to failing to answer).
    pub(super) fn is_missing(&self) -> bool {
        matches!(self, FetchFailure::Status(404 | 410))
    }
}

impl Engine {
    /// A request failed (an error answer, no answer, or its deadline passed): retry it,
    /// fail over, or give up.
    pub(super) fn request_failed(&mut self, request: Request, failure: FetchFailure) {
        if self.is_hint(&request) {
            // A hint is only a guess at what comes next; the playlist will list the part.
            self.hint_settled(request.id);
            return;
        }
        if let Purpose::MediaPlaylist { level } = request.purpose {
            if self.levels[level].playlist.is_some() && self.live_reload_failed() {
                return;
            }
        }
        // "Not found" again: another copy is likelier to have it than a third ask here. With
        // no other copy left, the rest of the budget is still spent on this one.
        let missing_again = failure.is_missing() && request.attempt >= MISSING_ATTEMPTS;
        if missing_again && self.fail_over(&request, &failure) {
            return;
        }
        let delay = self
            .config
            .retry
            .delay_after(request.attempt, self.jitter.next_unit());
        if let Some(delay) = delay {
            self.retries.push((self.clock + delay, request));
            return;
        }
        // This copy's budget is spent for this media.
        if self.fail_over(&request, &failure) {
            return;
        }
        if self.live.is_some() && is_media(request.purpose) {
            // Live: wait out the longest backoff delay, then start over from the current
            // choice of rendition with a fresh budget.
            self.failover.tried.clear();
            self.failover.resume_at = Some(self.clock + self.config.retry.max_delay_ms);
            return;
        }
        let (code, what) = match request.purpose {
            Purpose::Source | Purpose::MediaPlaylist { .. } => {
                (ErrorCode::ManifestLoad, "the video's playlist")
            }
            Purpose::InitSegment { .. } | Purpose::Segment { .. } | Purpose::Part { .. } => {
                (ErrorCode::SegmentLoad, "part of the video")
            }
            Purpose::Key { .. } => (ErrorCode::SegmentLoad, "the video's decryption key"),
        };
        let copies = self.failover.tried.len();
        let tried = if copies > 1 {
            format!(" from any of its {copies} sources")
        } else {
            String::new()
        };
        self.fail(
            code,
            format!("Could not load {what}{tried} ({}).", failure.describe()),
            Some(request.url),
        );
    }

    /// Live, after media failed everywhere: true while waiting before asking again.
    pub(super) fn holding_media(&mut self) -> bool {
        match self.failover.resume_at {
            Some(at) if at > self.clock => true,
            Some(_) => {
                self.failover.resume_at = None;
                false
            }
            None => false,
        }
    }

    /// Moves the media of `request` to another copy: a redundant URI of the same rendition,
    /// else another rendition. False when no untried copy is left (or the request is not one
    /// a copy could serve: the multivariant playlist itself, keys, LL-HLS parts).
    fn fail_over(&mut self, request: &Request, failure: &FetchFailure) -> bool {
        let level = match request.purpose {
            Purpose::Segment { level, .. } | Purpose::InitSegment { level, .. } => level,
            // A playlist that never loaded: its rendition is unusable as it stands. A live
            // reload of a loaded playlist is handled before (never given up).
            Purpose::MediaPlaylist { level } if self.levels[level].playlist.is_none() => level,
            _ => return false,
        };
        let copy = (level, self.levels[level].active_uri);
        if !self.failover.tried.contains(&copy) {
            self.failover.tried.push(copy);
        }
        // The same rendition from another server keeps the picture the viewer has.
        let uris = self.levels[level].uris.len();
        let backup = (0..uris).find(|&u| !self.failover.tried.contains(&(level, u)));
        let target = match backup {
            Some(uri) => {
                let l = &mut self.levels[level];
                l.active_uri = uri;
                l.uri = l.uris[uri].clone();
                // Segment URIs resolve against the copy's own playlist: load it again.
                l.playlist = None;
                level
            }
            None => {
                let untried = |l: &usize| {
                    let n = self.levels[*l].uris.len();
                    (0..n).any(|u| !self.failover.tried.contains(&(*l, u)))
                };
                let lower = (0..level).rev().find(untried);
                let Some(other) = lower.or_else(|| (level + 1..self.levels.len()).find(untried))
                else {
                    return false;
                };
                self.levels[level].penalized_until = self.clock + PENALTY_MS;
                other
            }
        };
        let auto = self.choice == RenditionChoice::Auto;
        self.emit(EngineEvent::Error(PlayerError {
            code: ErrorCode::SegmentLoad,
            message: format!(
                "Part of the video could not be loaded ({}); switching to another source.",
                failure.describe()
            ),
            url: Some(request.url.clone()),
            fatal: false,
        }));
        if target != level {
            self.switch_level(target, auto);
        }
        // Continue at the same point in the new copy: just before the failed segment.
        if let Purpose::Segment { msn, .. } = request.purpose {
            self.last_loaded = msn.checked_sub(1).map(|msn| LoadCursor {
                level,
                msn,
                part: None,
            });
        }
        true
    }

    /// `wanted`, or the nearest rendition to it (lower first) that is not being avoided after
    /// a failover.
    pub(super) fn usable_level(&self, wanted: usize) -> usize {
        let ok = |l: &usize| {
            self.levels
                .get(*l)
                .is_some_and(|l| l.penalized_until <= self.clock)
        };
        if ok(&wanted) {
            return wanted;
        }
        (0..wanted)
            .rev()
            .find(ok)
            .or_else(|| (wanted + 1..self.levels.len()).find(ok))
            .unwrap_or(wanted)
    }
}

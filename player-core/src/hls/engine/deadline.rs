//! Request deadlines: a request that neither completes nor fails (a server that accepted the
//! connection and went silent, a body that stopped half way) would otherwise hold the one
//! media slot forever and the buffer would run dry with no error and no retry.
//!
//! The engine gives each request a deadline when it sends it and, when one passes, emits
//! `Command::Abort` (the driver cancels the fetch through its `AbortController`) and treats the
//! request as failed: it is retried with backoff like any other failure, within the same budget.

use super::{Engine, FetchFailure, Purpose, Request};
use crate::hls::command::Command;

/// The shortest time a media request (segment, init segment, key) is given, in ms: long
/// enough that a healthy but distant server is never cut off, short enough that a hung
/// request is retried while a few seconds of buffer remain.
pub(super) const MIN_MEDIA_TIMEOUT_MS: f64 = 5_000.0;
/// A playlist request's allowance, in ms (longer when the server may hold it, see below).
pub(super) const PLAYLIST_TIMEOUT_MS: f64 = 10_000.0;
/// A segment is given this many times the download time the estimate predicts for it.
const PREDICTED_TIME_FACTOR: f64 = 4.0;
/// … and at least this many times its own duration.
const SEGMENT_DURATION_FACTOR: f64 = 3.0;

impl Engine {
    /// How long (ms) a request for `purpose` may take. Media is judged against the throughput
    /// estimate: on a slow link a large segment legitimately takes long, and cutting it off
    /// would only repeat the download; the factors leave room for a link that slows down.
    pub(super) fn allowance_ms(&self, purpose: Purpose) -> f64 {
        match purpose {
            Purpose::Source | Purpose::MediaPlaylist { .. } | Purpose::Part { .. } => {
                // LL-HLS blocking reloads and hinted parts are held by the server until the
                // media exists (up to three target durations, RFC 8216bis §6.2.5.2).
                let target_s = self
                    .current_playlist()
                    .map_or(0.0, |p| p.target_duration as f64);
                PLAYLIST_TIMEOUT_MS.max(3.0 * target_s * 1000.0 + 2_000.0)
            }
            Purpose::InitSegment { .. } | Purpose::Key { .. } => MIN_MEDIA_TIMEOUT_MS,
            Purpose::Segment { level, msn } => {
                let Some(duration) = self.segment_duration(level, msn) else {
                    return MIN_MEDIA_TIMEOUT_MS;
                };
                let bits = self.levels[level].info.bandwidth as f64 * duration;
                let predicted_ms = bits / self.estimator.estimate_bps().max(1.0) * 1000.0;
                (PREDICTED_TIME_FACTOR * predicted_ms)
                    .max(SEGMENT_DURATION_FACTOR * duration * 1000.0)
                    .max(MIN_MEDIA_TIMEOUT_MS)
            }
        }
    }

    /// The earliest deadline of a request in flight.
    pub(super) fn next_deadline(&self) -> Option<f64> {
        self.in_flight.iter().map(|r| r.deadline).reduce(f64::min)
    }

    /// Cancels the requests whose deadline passed and hands them to the retry logic.
    pub(super) fn expire_requests(&mut self) {
        let now = self.clock;
        let (expired, alive): (Vec<Request>, Vec<Request>) = std::mem::take(&mut self.in_flight)
            .into_iter()
            .partition(|r| r.deadline <= now);
        self.in_flight = alive;
        for request in expired {
            self.commands.push_back(Command::Abort(request.id));
            let after_ms = now - request.sent_at;
            if let Purpose::Segment { level, msn } = request.purpose {
                // Not finished after `after_ms`: the link is at most this fast for it, which
                // lets ABR step down before the retry.
                if let Some(duration) = self.segment_duration(level, msn) {
                    let bytes = self.levels[level].info.bandwidth as f64 * duration / 8.0;
                    self.estimator.sample(bytes as usize, after_ms);
                }
            }
            self.request_failed(request, FetchFailure::TimedOut { after_ms });
        }
    }

    fn segment_duration(&self, level: usize, msn: u64) -> Option<f64> {
        let playlist = self.levels.get(level)?.playlist.as_ref()?;
        Some(playlist.segments[playlist.index_of_sequence(msn)?].duration)
    }
}

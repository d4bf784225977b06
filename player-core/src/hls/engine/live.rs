//! The engine on a live stream: joining at the edge, reloading the sliding window, following
//! the edge at the target latency, and noticing a show that stalled or ended.

use super::{Engine, Purpose};
use crate::hls::command::{Command, EngineEvent};
use crate::hls::live::{self, LatencyCorrection};
use crate::hls::metadata::date_range_cues;
use crate::hls::playlist::MediaPlaylist;

/// Where a live stream stands.
#[derive(Debug, Clone)]
pub(super) struct LiveState {
    /// When the current rendition's playlist is reloaded next (ms).
    reload_at: Option<f64>,
    /// When the playlist last grew (ms).
    changed_at: f64,
    /// Reloads in a row that brought nothing new.
    unchanged_reloads: u32,
    reconnecting: bool,
    /// The join seek was made.
    joined: bool,
    /// Follow the edge at the target latency; false while the viewer watches the DVR window.
    follow_edge: bool,
    /// The playback rate last asked for.
    rate: f64,
    /// A seek the engine itself asked for, so it is not taken for the viewer's.
    own_seek: Option<f64>,
}

impl LiveState {
    fn new(now: f64) -> Self {
        LiveState {
            reload_at: None,
            changed_at: now,
            unchanged_reloads: 0,
            reconnecting: false,
            joined: false,
            follow_edge: true,
            rate: 1.0,
            own_seek: None,
        }
    }

    pub(super) fn reload_at(&self) -> Option<f64> {
        self.reload_at
    }
}

impl Engine {
    /// True while the stream is live (until `EXT-X-ENDLIST`).
    pub fn is_live(&self) -> bool {
        self.live.is_some()
    }

    /// Jumps to the target latency behind the live edge and follows it again ("go live").
    pub fn go_live(&mut self, now: f64) {
        self.clock = self.clock.max(now);
        let Some(playlist) = self.current_playlist() else {
            return;
        };
        let target = live::live_edge(playlist) - live::target_latency(&self.config.live, playlist);
        if let Some(state) = &mut self.live {
            state.follow_edge = true;
            state.own_seek = Some(target);
            self.media.position = target;
            self.commands.push_back(Command::Seek(target));
        }
        self.update(now);
    }

    /// A media playlist arrived for `level`: line it up with the timeline so far, report its
    /// date ranges, and decide when to look again. `Err` when it cannot be used.
    pub(super) fn accept_media_playlist(
        &mut self,
        level: usize,
        mut media: MediaPlaylist,
    ) -> Result<(), &'static str> {
        let previous = self.levels[level].playlist.take();
        if media.skip.is_some() {
            let filled = previous
                .as_ref()
                .is_some_and(|p| live::fill_skipped(p, &mut media));
            if !filled {
                self.levels[level].playlist = previous;
                return Err("a delta update arrived without the playlist it updates");
            }
        }
        // Every rendition shares one timeline: line up with this rendition's last playlist, or
        // else with the playlist accepted most recently (the freshest window of the show).
        let reference = previous.as_ref().or_else(|| {
            let latest = self.latest_playlist_level?;
            self.levels.get(latest)?.playlist.as_ref()
        });
        if let Some(reference) = reference {
            live::align(reference, &mut media);
        }
        let changed = previous.as_ref().is_none_or(|p| {
            p.next_media_sequence() != media.next_media_sequence()
                || p.pending_parts.len() != media.pending_parts.len()
        });
        self.report_cues(date_range_cues(&media));
        if !media.end_list {
            self.schedule_reload(level, &media, changed);
            let (start, end) = (live::window_start(&media), live::live_edge(&media));
            self.push_buffer_op(Command::SetLiveSeekableRange { start, end });
        } else if self.live.take().is_some() {
            // The show ended: from now on it is a replay with a duration.
            let duration = live::live_edge(&media);
            self.emit(EngineEvent::LiveEnded { duration });
            self.push_buffer_op(Command::SetDuration(duration));
            self.commands.push_back(Command::SetPlaybackRate(1.0));
        }
        self.levels[level].playlist = Some(media);
        self.latest_playlist_level = Some(level);
        Ok(())
    }

    fn schedule_reload(&mut self, level: usize, media: &MediaPlaylist, changed: bool) {
        let now = self.clock;
        let stale_ms = self.config.live.stale_after_target_durations
            * media.target_duration.max(1) as f64
            * 1000.0;
        let is_current = self.current_level == Some(level);
        let state = self.live.get_or_insert_with(|| LiveState::new(now));
        if !is_current {
            return;
        }
        let mut news = None;
        if changed {
            state.changed_at = now;
            state.unchanged_reloads = 0;
            if state.reconnecting {
                state.reconnecting = false;
                news = Some(false);
            }
        } else {
            state.unchanged_reloads += 1;
            if now - state.changed_at > stale_ms && !state.reconnecting {
                state.reconnecting = true;
                news = Some(true);
            }
        }
        let blocking = media
            .server_control
            .as_ref()
            .is_some_and(|s| s.can_block_reload);
        // A blocking reload waits at the server for the next part: ask again at once.
        let delay = if blocking && changed {
            0.0
        } else {
            let backoff = if state.reconnecting {
                1u32 << state.unchanged_reloads.min(3)
            } else {
                1
            };
            live::reload_delay_ms(media, changed) * f64::from(backoff)
        };
        state.reload_at = Some(now + delay);
        if let Some(reconnecting) = news {
            self.emit(EngineEvent::Reconnecting(reconnecting));
        }
    }

    /// A live playlist reload could not be fetched: a live show is never given up on; the
    /// player says it is reconnecting and keeps trying with capped backoff.
    pub(super) fn live_reload_failed(&mut self) -> bool {
        let Some(state) = &mut self.live else {
            return false;
        };
        state.unchanged_reloads += 1;
        let delay = self
            .config
            .retry
            .delay_after(1, self.jitter.next_unit())
            .unwrap_or(1_000.0)
            * f64::from(1u32 << state.unchanged_reloads.min(4));
        state.reload_at = Some(self.clock + delay.min(self.config.retry.max_delay_ms));
        if !state.reconnecting {
            state.reconnecting = true;
            self.emit(EngineEvent::Reconnecting(true));
        }
        true
    }

    /// Reloads the current rendition's playlist when it is due.
    pub(super) fn reload_live_playlist(&mut self) {
        let Some(level) = self.current_level else {
            return;
        };
        let Some(state) = &mut self.live else {
            return;
        };
        let due = state.reload_at.is_some_and(|at| at <= self.clock);
        let pending = self
            .in_flight
            .iter()
            .any(|r| r.purpose == Purpose::MediaPlaylist { level });
        if !due || pending {
            return;
        }
        state.reload_at = None;
        let url = match (self.take_switch_reload(level), &self.levels[level].playlist) {
            (Some(url), _) => url,
            (None, Some(playlist)) => reload_url(&self.levels[level].uri, playlist),
            (None, None) => self.levels[level].uri.clone(),
        };
        self.send(Purpose::MediaPlaylist { level }, url, None, 1);
    }

    /// Makes sure a live rendition that became current (an ABR switch) gets reloaded.
    pub(super) fn keep_reloading(&mut self, level: usize) {
        let waiting = self
            .in_flight
            .iter()
            .any(|r| r.purpose == Purpose::MediaPlaylist { level });
        let clock = self.clock;
        if let Some(state) = &mut self.live {
            if state.reload_at.is_none() && !waiting {
                state.reload_at = Some(clock);
            }
        }
    }

    /// The first time a live playlist is ready: start the target latency behind the edge.
    pub(super) fn join_live_edge(&mut self, level: usize) {
        let Some(playlist) = self.levels[level].playlist.as_ref() else {
            return;
        };
        let at = live::join_position(&self.config.live, playlist);
        let Some(state) = &mut self.live else {
            return;
        };
        if state.joined {
            return;
        }
        state.joined = true;
        state.own_seek = Some(at);
        self.media.position = at;
        self.last_loaded = None;
        self.commands.push_back(Command::Seek(at));
    }

    /// Keeps a live playhead at the target latency: a gentle speed-up, or a jump when far behind.
    pub(super) fn follow_live_edge(&mut self) {
        let Some(playlist) = self.current_playlist() else {
            return;
        };
        let correction = live::correct_latency(&self.config.live, playlist, self.media.position);
        let paused = self.media.paused;
        let Some(state) = &mut self.live else {
            return;
        };
        let correction = match correction {
            _ if !state.joined => return,
            _ if paused || !state.follow_edge => LatencyCorrection::Rate(1.0),
            other => other,
        };
        match correction {
            LatencyCorrection::Rate(rate) => {
                if (rate - state.rate).abs() > 0.004 {
                    state.rate = rate;
                    self.commands.push_back(Command::SetPlaybackRate(rate));
                }
            }
            LatencyCorrection::JumpTo(at) => {
                state.own_seek = Some(at);
                self.media.position = at;
                self.commands.push_back(Command::Seek(at));
            }
        }
    }

    /// A seek happened. The viewer's own seek far behind the edge means they are watching the
    /// DVR window: stop pulling them to the edge until they seek back near it or "go live".
    pub(super) fn note_live_seek(&mut self, position: f64) {
        let Some(playlist) = self.current_playlist() else {
            return;
        };
        let edge = live::live_edge(playlist);
        let near = live::target_latency(&self.config.live, playlist)
            + 2.0 * playlist.target_duration.max(1) as f64;
        let Some(state) = &mut self.live else {
            return;
        };
        if state
            .own_seek
            .take()
            .is_some_and(|t| (t - position).abs() < 0.1)
        {
            return;
        }
        state.follow_edge = edge - position <= near;
    }
}

/// The reload URL: with LL-HLS blocking-reload and delta-update directives when the server
/// offers them (RFC 8216bis §6.2.5.2).
fn reload_url(uri: &str, playlist: &MediaPlaylist) -> String {
    let Some(control) = &playlist.server_control else {
        return uri.to_owned();
    };
    let mut query = Vec::new();
    if control.can_block_reload {
        query.push(format!("_HLS_msn={}", playlist.next_media_sequence()));
        if playlist.part_inf.is_some() {
            query.push(format!("_HLS_part={}", playlist.pending_parts.len()));
        }
    }
    if control.can_skip_until.is_some() {
        query.push("_HLS_skip=YES".into());
    }
    if query.is_empty() {
        return uri.to_owned();
    }
    let separator = if uri.contains('?') { '&' } else { '?' };
    format!("{uri}{separator}{}", query.join("&"))
}

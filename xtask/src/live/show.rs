//! One live show's state: its options, its clock, and what the test controls change
//! (restart, freeze, unfreeze, end).

use std::collections::BTreeMap;
use std::sync::Mutex;
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use tokio::sync::Notify;

use super::playlist::{Mode, PartLayout, Position};
use super::timeline::{Carriage, Micros, Moment, Schedule, MICROS_PER_SECOND};

/// Default window, in segments: plain HLS, and LL-HLS (whose delta updates skip what is
/// older than CAN-SKIP-UNTIL, 12 s: a 12 s window would leave nothing to skip).
const DEFAULT_WINDOW: u64 = 6;
const DEFAULT_WINDOW_LOW_LATENCY: u64 = 10;
/// The spec's floor: a live playlist lasts at least three target durations.
const WINDOW_RANGE: std::ops::RangeInclusive<u64> = 3..=1000;
const MAX_PREROLL_SECONDS: f64 = 86_400.0;
/// Parts remembered by [`PartLog`]: minutes of a show at two parts a second per rendition,
/// far more than a test looks at, and a bound on a show left running.
const PART_LOG_CAPACITY: usize = 4096;

/// Which moments the show carries, and how.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MomentsPreset {
    /// `tee` by EXT-X-DATERANGE, `tote` by ID3: a test can tell the two paths apart.
    Split,
    DateRange,
    Id3,
    /// Each moment both ways (a player must not show it twice).
    Both,
    None,
}

impl MomentsPreset {
    fn parse(text: &str) -> Option<Self> {
        Some(match text {
            "split" => Self::Split,
            "daterange" => Self::DateRange,
            "id3" => Self::Id3,
            "both" => Self::Both,
            "none" => Self::None,
            _ => return None,
        })
    }

    pub fn name(self) -> &'static str {
        match self {
            Self::Split => "split",
            Self::DateRange => "daterange",
            Self::Id3 => "id3",
            Self::Both => "both",
            Self::None => "none",
        }
    }

    /// The moments of `examples/feeds/demo.json`'s products, on each pass over the source:
    /// tee from 4 s to 18 s, tote from 20 s to 28 s (those that fit in the pass).
    pub fn moments(self, loop_duration: Micros) -> Vec<Moment> {
        let carriage = |date_range, id3| Carriage { date_range, id3 };
        let (tee, tote) = match self {
            Self::None => return Vec::new(),
            Self::Split => (carriage(true, false), carriage(false, true)),
            Self::DateRange => (carriage(true, false), carriage(true, false)),
            Self::Id3 => (carriage(false, true), carriage(false, true)),
            Self::Both => (carriage(true, true), carriage(true, true)),
        };
        let s = MICROS_PER_SECOND;
        [("tee", 4 * s, 18 * s, tee), ("tote", 20 * s, 28 * s, tote)]
            .into_iter()
            .filter(|&(_, _, end, _)| end <= loop_duration)
            .map(|(product, start, end, carriage)| Moment {
                product: product.into(),
                start,
                end,
                carriage,
            })
            .collect()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ShowOptions {
    pub mode: Mode,
    /// How LL-HLS parts are addressed (ignored by plain HLS).
    pub parts: PartLayout,
    pub window: u64,
    /// How long the show has been running when it (re)starts: by default a full window, so
    /// the first viewer finds a playlist ready to play.
    pub preroll: Micros,
    pub moments: MomentsPreset,
}

impl ShowOptions {
    /// The defaults of a stream called `name`: LL-HLS with parts as byte ranges of their
    /// segments when it ends in `-ll`, with each part a resource of its own when it ends in
    /// `-ll-parts`.
    pub fn for_name(name: &str, schedule: &Schedule) -> Self {
        let (mode, parts) = if name.ends_with("-ll") {
            (Mode::LowLatency, PartLayout::ByteRanges)
        } else if name.ends_with("-ll-parts") {
            (Mode::LowLatency, PartLayout::Resources)
        } else {
            (Mode::Plain, PartLayout::ByteRanges)
        };
        Self {
            parts,
            ..Self::for_mode(mode, schedule)
        }
    }

    fn for_mode(mode: Mode, schedule: &Schedule) -> Self {
        let window = match mode {
            Mode::Plain => DEFAULT_WINDOW,
            Mode::LowLatency => DEFAULT_WINDOW_LOW_LATENCY,
        };
        ShowOptions {
            mode,
            parts: PartLayout::ByteRanges,
            window,
            preroll: schedule.time_of_segments(window),
            moments: MomentsPreset::Split,
        }
    }

    /// The options of `restart`: `mode`, `parts` (`ranges` or `resources`), `window`,
    /// `preroll` (seconds) and `moments`, each defaulting as for a new stream called `name`.
    pub fn from_query(
        pairs: &[(&str, &str)],
        name: &str,
        schedule: &Schedule,
    ) -> Result<Self, String> {
        let value = |key: &str| pairs.iter().find(|(k, _)| *k == key).map(|(_, v)| *v);
        let mut options = match value("mode") {
            None => Self::for_name(name, schedule),
            Some("plain") => Self::for_mode(Mode::Plain, schedule),
            Some("ll") => Self::for_mode(Mode::LowLatency, schedule),
            Some(other) => return Err(format!("mode={other}: expected plain or ll")),
        };
        // The name's part layout holds unless the query names one.
        options.parts = Self::for_name(name, schedule).parts;
        if let Some(parts) = value("parts") {
            options.parts = match parts {
                "ranges" => PartLayout::ByteRanges,
                "resources" => PartLayout::Resources,
                other => return Err(format!("parts={other}: expected ranges or resources")),
            };
        }
        if let Some(window) = value("window") {
            options.window = window
                .parse()
                .ok()
                .filter(|w| WINDOW_RANGE.contains(w))
                .ok_or_else(|| {
                    format!(
                        "window={window}: expected {} to {} segments",
                        WINDOW_RANGE.start(),
                        WINDOW_RANGE.end()
                    )
                })?;
            options.preroll = schedule.time_of_segments(options.window);
        }
        if let Some(preroll) = value("preroll") {
            let seconds: f64 = preroll
                .parse()
                .ok()
                .filter(|s: &f64| (0.0..=MAX_PREROLL_SECONDS).contains(s))
                .ok_or_else(|| {
                    format!("preroll={preroll}: expected seconds from 0 to {MAX_PREROLL_SECONDS}")
                })?;
            options.preroll = (seconds * MICROS_PER_SECOND as f64).round() as Micros;
        }
        if let Some(moments) = value("moments") {
            options.moments = MomentsPreset::parse(moments).ok_or_else(|| {
                format!("moments={moments}: expected split, daterange, id3, both or none")
            })?;
        }
        Ok(options)
    }
}

pub struct ShowState {
    pub options: ShowOptions,
    started: Instant,
    /// Wall-clock time of stream time 0, Unix milliseconds (for EXT-X-PROGRAM-DATE-TIME).
    pub origin_unix_ms: i64,
    /// Stream time at which the playlist stopped changing.
    pub frozen_at: Option<Micros>,
    /// The last segment of an ended show.
    pub ended_at: Option<u64>,
    /// When each part resource was asked for and first listed (restart clears it).
    pub part_log: PartLog,
}

impl ShowState {
    pub fn new(options: ShowOptions) -> Self {
        let now_ms = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_millis() as i64);
        Self {
            options,
            started: Instant::now(),
            origin_unix_ms: now_ms - (options.preroll / 1000) as i64,
            frozen_at: None,
            ended_at: None,
            part_log: PartLog::default(),
        }
    }

    /// Milliseconds since the show (re)started: the clock of [`PartLog`].
    pub fn elapsed_ms(&self, now: Instant) -> f64 {
        now.saturating_duration_since(self.started).as_secs_f64() * 1000.0
    }

    /// Stream time now, as the encoder sees it (frozen or not).
    pub fn clock(&self, now: Instant) -> Micros {
        self.options.preroll + now.saturating_duration_since(self.started).as_micros() as Micros
    }

    /// Stream time the playlists show.
    pub fn position(&self, now: Instant) -> Position {
        match self.ended_at {
            Some(last) => Position::Ended { last },
            None => Position::Live(self.frozen_at.unwrap_or_else(|| self.clock(now))),
        }
    }

    pub fn freeze(&mut self, now: Instant) {
        if self.frozen_at.is_none() {
            self.frozen_at = Some(self.clock(now));
        }
    }

    /// The stream catches up with its clock, as an origin does once its packager recovers:
    /// whatever was produced meanwhile appears at once.
    pub fn unfreeze(&mut self) {
        self.frozen_at = None;
    }

    /// The segment in progress is completed at once and is the last one.
    pub fn end(&mut self, now: Instant, schedule: &Schedule) {
        if self.ended_at.is_none() {
            let t = self.frozen_at.unwrap_or_else(|| self.clock(now));
            self.ended_at = Some(schedule.complete_at(t));
        }
    }
}

/// What happened to one part: milliseconds since the show (re)started.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct PartRecord {
    /// The first request for the part as a resource of its own.
    pub first_requested_ms: Option<f64>,
    pub requests: u32,
    /// The first time a media playlist listing it (`EXT-X-PART`) was answered.
    pub first_listed_ms: Option<f64>,
}

/// Per part, when a client asked for it and when a playlist first listed it: whether a
/// player used the preload hint (asked before any playlist could have told it the part
/// exists) is visible only to the server, so tests read it from `/live/{name}/parts`.
#[derive(Debug, Default)]
pub struct PartLog {
    /// By (segment, part, rendition): the smallest key is the oldest part.
    parts: BTreeMap<(u64, u64, usize), PartRecord>,
}

impl PartLog {
    fn entry(&mut self, rendition: usize, msn: u64, part: u64) -> &mut PartRecord {
        let key = (msn, part, rendition);
        if !self.parts.contains_key(&key) && self.parts.len() >= PART_LOG_CAPACITY {
            self.parts.pop_first();
        }
        self.parts.entry(key).or_default()
    }

    pub fn requested(&mut self, rendition: usize, msn: u64, part: u64, at_ms: f64) {
        let record = self.entry(rendition, msn, part);
        record.requests += 1;
        record.first_requested_ms.get_or_insert(at_ms);
    }

    pub fn listed(&mut self, rendition: usize, parts: &[(u64, u64)], at_ms: f64) {
        for &(msn, part) in parts {
            self.entry(rendition, msn, part)
                .first_listed_ms
                .get_or_insert(at_ms);
        }
    }

    /// ((rendition, segment, part), record), oldest first.
    pub fn records(&self) -> impl Iterator<Item = ((usize, u64, u64), PartRecord)> + '_ {
        self.parts
            .iter()
            .map(|(&(msn, part, rendition), &record)| ((rendition, msn, part), record))
    }
}

pub struct ShowHandle {
    pub state: Mutex<ShowState>,
    /// Wakes blocked requests when a control changes the show.
    pub changed: Notify,
}

#[cfg(test)]
mod tests {
    use super::*;

    const S: Micros = MICROS_PER_SECOND;

    fn schedule() -> Schedule {
        Schedule::new(vec![2 * S; 15])
    }

    fn parse(query: &[(&str, &str)], name: &str) -> Result<ShowOptions, String> {
        ShowOptions::from_query(query, name, &schedule())
    }

    #[test]
    fn defaults_follow_the_name_and_fill_the_window() {
        let plain = parse(&[], "show").unwrap();
        assert_eq!(
            (plain.mode, plain.window, plain.preroll),
            (Mode::Plain, 6, 12 * S)
        );
        let ll = parse(&[], "show-ll").unwrap();
        assert_eq!(
            (ll.mode, ll.window, ll.preroll),
            (Mode::LowLatency, 10, 20 * S)
        );
        assert_eq!(ll.moments, MomentsPreset::Split);
        let switched = parse(&[("mode", "plain")], "show-ll").unwrap();
        assert_eq!((switched.mode, switched.window), (Mode::Plain, 6));
        assert_eq!(ll.parts, PartLayout::ByteRanges);
        let resources = parse(&[], "show-ll-parts").unwrap();
        assert_eq!(
            (resources.mode, resources.parts, resources.window),
            (Mode::LowLatency, PartLayout::Resources, 10)
        );
        // The query's layout wins over the name's; mode=ll alone keeps the name's.
        let ranges = parse(&[("parts", "ranges")], "show-ll-parts").unwrap();
        assert_eq!(ranges.parts, PartLayout::ByteRanges);
        let kept = parse(&[("mode", "ll")], "show-ll-parts").unwrap();
        assert_eq!(kept.parts, PartLayout::Resources);
        let chosen = parse(&[("mode", "ll"), ("parts", "resources")], "t").unwrap();
        assert_eq!(chosen.parts, PartLayout::Resources);
    }

    #[test]
    fn restart_options_are_checked() {
        let options = parse(
            &[("window", "8"), ("preroll", "2.5"), ("moments", "id3")],
            "t",
        )
        .unwrap();
        assert_eq!(
            (options.window, options.preroll, options.moments),
            (8, 2_500_000, MomentsPreset::Id3)
        );
        // The window alone moves the preroll with it.
        assert_eq!(parse(&[("window", "4")], "t").unwrap().preroll, 8 * S);
        for bad in [
            ("window", "2"),
            ("window", "x"),
            ("preroll", "-1"),
            ("preroll", "NaN"),
            ("moments", "all"),
            ("mode", "fast"),
            ("parts", "files"),
        ] {
            assert!(parse(&[bad], "t").is_err(), "{bad:?}");
        }
    }

    #[test]
    fn freeze_holds_the_position_and_end_completes_the_segment_in_progress() {
        let schedule = schedule();
        let options = parse(&[], "t").unwrap();
        let mut state = ShowState::new(options);
        let later = state.started + std::time::Duration::from_millis(3_500);
        assert_eq!(state.position(later), Position::Live(15_500_000));
        state.freeze(later);
        let much_later = later + std::time::Duration::from_secs(10);
        assert_eq!(state.position(much_later), Position::Live(15_500_000));
        state.end(much_later, &schedule);
        // Frozen at 15.5 s: segment 7 was in progress; it is the last one.
        assert_eq!(state.position(much_later), Position::Ended { last: 7 });
        state.unfreeze();
        assert_eq!(state.position(much_later), Position::Ended { last: 7 });
    }

    #[test]
    fn unfreezing_catches_up_with_the_clock() {
        let mut state = ShowState::new(parse(&[("preroll", "0")], "t").unwrap());
        let t0 = state.started;
        state.freeze(t0 + std::time::Duration::from_secs(1));
        state.unfreeze();
        assert_eq!(
            state.position(t0 + std::time::Duration::from_secs(9)),
            Position::Live(9 * S)
        );
    }
}

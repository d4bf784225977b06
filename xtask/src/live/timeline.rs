//! The live show's clock arithmetic: which segment and part exist at a given instant of stream
//! time, when a given one will, and where the product moments fall. Pure functions of
//! microseconds since the stream's origin, so the tests can put the clock anywhere.

/// Stream time in microseconds since the stream's origin (t0).
pub type Micros = u64;

pub const MICROS_PER_SECOND: Micros = 1_000_000;

/// Segment and part durations of the looped source, the same for every rendition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Schedule {
    /// Duration of each source segment, in loop order.
    segments: Vec<Micros>,
    /// Start of each source segment within the loop.
    starts: Vec<Micros>,
    /// Length of one pass over the source.
    loop_duration: Micros,
}

impl Schedule {
    /// # Panics
    /// When `segments` is empty or holds a zero duration (the source loader refuses both).
    pub fn new(segments: Vec<Micros>) -> Self {
        assert!(
            !segments.is_empty() && segments.iter().all(|&d| d > 0),
            "a schedule needs segments of positive duration"
        );
        let starts = segments
            .iter()
            .scan(0, |start, &d| {
                let this = *start;
                *start += d;
                Some(this)
            })
            .collect();
        let loop_duration = segments.iter().sum();
        Self {
            segments,
            starts,
            loop_duration,
        }
    }

    pub fn source_len(&self) -> u64 {
        self.segments.len() as u64
    }

    pub fn loop_duration(&self) -> Micros {
        self.loop_duration
    }

    /// Which pass over the source segment `msn` belongs to (its discontinuity sequence).
    pub fn loop_of(&self, msn: u64) -> u64 {
        msn / self.source_len()
    }

    /// Index of segment `msn` in the source.
    pub fn source_index(&self, msn: u64) -> usize {
        (msn % self.source_len()) as usize
    }

    pub fn duration(&self, msn: u64) -> Micros {
        self.segments[self.source_index(msn)]
    }

    pub fn start(&self, msn: u64) -> Micros {
        self.loop_of(msn) * self.loop_duration + self.starts[self.source_index(msn)]
    }

    pub fn end(&self, msn: u64) -> Micros {
        self.start(msn) + self.duration(msn)
    }

    /// Whether segment `msn` starts a new pass over the source: an `EXT-X-DISCONTINUITY`,
    /// since the timestamps jump back to the source's start.
    pub fn is_discontinuity(&self, msn: u64) -> bool {
        msn > 0 && self.source_index(msn) == 0
    }

    /// The segment playing at stream time `t`: the number of segments complete by then.
    pub fn segment_at(&self, t: Micros) -> u64 {
        let loops = t / self.loop_duration;
        let within = t % self.loop_duration;
        let index = self.starts.partition_point(|&start| start <= within) - 1;
        loops * self.source_len() + index as u64
    }

    /// Number of segments complete at stream time `t`, which is also the sequence number of
    /// the segment in progress.
    pub fn complete_at(&self, t: Micros) -> u64 {
        self.segment_at(t)
    }

    /// The stream time by which the first `count` segments are complete.
    pub fn time_of_segments(&self, count: u64) -> Micros {
        match count {
            0 => 0,
            n => self.end(n - 1),
        }
    }
}

/// How a product moment reaches the player.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Carriage {
    /// `EXT-X-DATERANGE` in the media playlists.
    pub date_range: bool,
    /// ID3 `TXXX` timed metadata in the segments.
    pub id3: bool,
}

/// A product shown from `start` to `end` of every pass over the source.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Moment {
    pub product: String,
    pub start: Micros,
    pub end: Micros,
    pub carriage: Carriage,
}

impl Moment {
    pub fn duration(&self) -> Micros {
        self.end - self.start
    }
}

/// One occurrence of a moment on the stream timeline.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Occurrence<'a> {
    pub moment: &'a Moment,
    /// Which pass over the source; part of the date range's ID, which must never be reused.
    pub pass: u64,
    pub start: Micros,
    pub end: Micros,
}

impl Occurrence<'_> {
    /// `EXT-X-DATERANGE` `ID`: unique for the life of the stream.
    pub fn id(&self) -> String {
        format!("{}-{}", self.moment.product, self.pass)
    }
}

/// Every occurrence of `moments` that overlaps `[from, to)`, in start order.
pub fn occurrences<'a>(
    moments: &'a [Moment],
    schedule: &Schedule,
    from: Micros,
    to: Micros,
) -> Vec<Occurrence<'a>> {
    let period = schedule.loop_duration();
    let mut found = Vec::new();
    if to <= from {
        return found;
    }
    let first_pass = from / period;
    let last_pass = (to - 1) / period;
    for pass in first_pass.saturating_sub(1)..=last_pass {
        for moment in moments {
            let start = pass * period + moment.start;
            let end = pass * period + moment.end;
            if start < to && end > from {
                found.push(Occurrence {
                    moment,
                    pass,
                    start,
                    end,
                });
            }
        }
    }
    found.sort_by_key(|o| (o.start, o.pass));
    found
}

/// `2.000`, `0.5`-style decimal seconds: milliseconds when exact, else microseconds.
pub fn seconds(us: Micros) -> String {
    let whole = us / MICROS_PER_SECOND;
    let fraction = us % MICROS_PER_SECOND;
    if fraction.is_multiple_of(1000) {
        format!("{whole}.{:03}", fraction / 1000)
    } else {
        format!("{whole}.{fraction:06}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const S: Micros = MICROS_PER_SECOND;

    fn uniform() -> Schedule {
        Schedule::new(vec![2 * S; 15])
    }

    #[test]
    fn segments_follow_each_other_and_loop() {
        let schedule = uniform();
        assert_eq!(schedule.loop_duration(), 30 * S);
        assert_eq!((schedule.start(0), schedule.end(0)), (0, 2 * S));
        assert_eq!(schedule.start(14), 28 * S);
        assert_eq!(schedule.start(15), 30 * S);
        assert_eq!(schedule.start(47), 94 * S);
        assert_eq!((schedule.loop_of(47), schedule.source_index(47)), (3, 2));
        assert!(!schedule.is_discontinuity(0));
        assert!(schedule.is_discontinuity(15) && schedule.is_discontinuity(30));
        assert!(!schedule.is_discontinuity(16));
    }

    #[test]
    fn a_segment_is_complete_once_its_end_has_passed() {
        let schedule = uniform();
        assert_eq!(schedule.complete_at(0), 0);
        assert_eq!(schedule.complete_at(2 * S - 1), 0);
        assert_eq!(schedule.complete_at(2 * S), 1);
        assert_eq!(schedule.complete_at(31 * S), 15);
        assert_eq!(schedule.time_of_segments(16), 32 * S);
        assert_eq!(schedule.time_of_segments(0), 0);
    }

    #[test]
    fn uneven_segments_are_found_by_time() {
        let schedule = Schedule::new(vec![2 * S, 3 * S, S]);
        assert_eq!(schedule.loop_duration(), 6 * S);
        assert_eq!(schedule.segment_at(4 * S), 1);
        assert_eq!(schedule.segment_at(5 * S), 2);
        assert_eq!(schedule.segment_at(6 * S), 3);
        assert_eq!(schedule.start(4), 8 * S);
    }

    #[test]
    fn occurrences_repeat_every_pass_and_clip_to_the_range() {
        let both = Carriage {
            date_range: true,
            id3: false,
        };
        let moments = [
            Moment {
                product: "tee".into(),
                start: 4 * S,
                end: 18 * S,
                carriage: both,
            },
            Moment {
                product: "tote".into(),
                start: 20 * S,
                end: 28 * S,
                carriage: both,
            },
        ];
        let schedule = uniform();
        let ids = |from, to| -> Vec<String> {
            occurrences(&moments, &schedule, from, to)
                .iter()
                .map(Occurrence::id)
                .collect()
        };
        assert_eq!(ids(0, 4 * S), Vec::<String>::new());
        assert_eq!(ids(0, 4 * S + 1), ["tee-0"]);
        assert_eq!(ids(17 * S, 21 * S), ["tee-0", "tote-0"]);
        assert_eq!(ids(18 * S, 20 * S), Vec::<String>::new());
        assert_eq!(ids(27 * S, 40 * S), ["tote-0", "tee-1"]);
        let later = occurrences(&moments, &schedule, 60 * S, 70 * S);
        assert_eq!((later[0].start, later[0].end), (64 * S, 78 * S));
    }

    #[test]
    fn seconds_are_printed_exactly() {
        assert_eq!(seconds(2 * S), "2.000");
        assert_eq!(seconds(S / 2), "0.500");
        assert_eq!(seconds(1_033_333), "1.033333");
        assert_eq!(seconds(0), "0.000");
    }
}

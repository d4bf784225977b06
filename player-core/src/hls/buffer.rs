//! Buffered time ranges as the media element reports them, and questions the engine asks of them.

/// A half-open span of media time in seconds, `[start, end)`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TimeRange {
    pub start: f64,
    pub end: f64,
}

impl TimeRange {
    pub fn new(start: f64, end: f64) -> Self {
        TimeRange { start, end }
    }
}

/// Tolerance for "is this time buffered": MSE ranges of muxed audio and video rarely meet
/// exactly at segment boundaries, and a few tens of milliseconds never hold playback.
pub const BUFFER_TOLERANCE: f64 = 0.1;

/// The ordered, non-overlapping ranges of one SourceBuffer (or the media element).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct BufferedRanges(pub Vec<TimeRange>);

impl BufferedRanges {
    /// The range holding `t` (with [`BUFFER_TOLERANCE`] at its edges).
    pub fn range_at(&self, t: f64) -> Option<TimeRange> {
        self.0
            .iter()
            .copied()
            .find(|r| r.start - BUFFER_TOLERANCE <= t && t < r.end + BUFFER_TOLERANCE)
    }

    /// Where continuous media starting at `t` ends; `t` itself when nothing is buffered there.
    pub fn end_of_run(&self, t: f64) -> f64 {
        self.range_at(t).map_or(t, |r| r.end.max(t))
    }

    /// Seconds of media buffered ahead of `t` without a gap.
    pub fn ahead_of(&self, t: f64) -> f64 {
        self.end_of_run(t) - t
    }

    /// The start of the first range that begins after `t`, if it begins within `max_gap`.
    /// Playback stalls at such a hole; jumping it is what a viewer would want.
    pub fn gap_after(&self, t: f64, max_gap: f64) -> Option<f64> {
        if self.range_at(t).is_some() {
            return None;
        }
        self.0
            .iter()
            .find(|r| r.start > t)
            .filter(|r| r.start - t <= max_gap)
            .map(|r| r.start)
    }

    /// Where the next range starts when the run holding `t` ends within `near_end` of `t` and
    /// is followed by a hole of at most `max_gap`: the hole a playhead at `t` is about to hit.
    pub fn hole_after_run(&self, t: f64, near_end: f64, max_gap: f64) -> Option<f64> {
        let run = self.range_at(t)?;
        if run.end - t > near_end {
            return None;
        }
        self.0
            .iter()
            .find(|r| r.start > run.end)
            .filter(|r| r.start - run.end <= max_gap)
            .map(|r| r.start)
    }

    /// The earliest buffered time, if any.
    pub fn start(&self) -> Option<f64> {
        self.0.first().map(|r| r.start)
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ranges(spans: &[(f64, f64)]) -> BufferedRanges {
        BufferedRanges(spans.iter().map(|&(s, e)| TimeRange::new(s, e)).collect())
    }

    #[test]
    fn end_of_run_follows_the_range_holding_the_time() {
        let b = ranges(&[(0.0, 4.0), (6.0, 10.0)]);
        assert_eq!(b.end_of_run(1.0), 4.0);
        assert_eq!(b.end_of_run(5.0), 5.0);
        assert_eq!(b.end_of_run(6.0), 10.0);
        assert_eq!(b.ahead_of(7.5), 2.5);
    }

    #[test]
    fn tolerance_bridges_tiny_holes_at_boundaries() {
        let b = ranges(&[(0.02, 4.0)]);
        assert_eq!(b.end_of_run(0.0), 4.0);
        assert_eq!(b.end_of_run(4.05), 4.05);
    }

    #[test]
    fn a_hole_right_after_the_current_run_is_found() {
        let b = ranges(&[(0.0, 9.963), (10.0, 20.0)]);
        assert_eq!(b.hole_after_run(9.95, 0.5, 1.0), Some(10.0));
        assert_eq!(
            b.hole_after_run(5.0, 0.5, 1.0),
            None,
            "not near the end yet"
        );
        let far = ranges(&[(0.0, 9.963), (12.0, 20.0)]);
        assert_eq!(far.hole_after_run(9.95, 0.5, 1.0), None, "too big to jump");
    }

    #[test]
    fn gaps_are_found_only_when_small_and_ahead() {
        let b = ranges(&[(0.5, 4.0), (9.0, 10.0)]);
        assert_eq!(b.gap_after(0.0, 1.0), Some(0.5));
        assert_eq!(b.gap_after(4.5, 1.0), None);
        assert_eq!(b.gap_after(2.0, 1.0), None);
        assert_eq!(b.gap_after(8.5, 1.0), Some(9.0));
    }
}

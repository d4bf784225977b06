//! From MPEG-TS timestamps to the output timeline: 33-bit wrap-around, and one offset per
//! discontinuity sequence so that playback is continuous across encodes.

/// PTS/DTS are 33-bit counters of a 90 kHz clock: they wrap every ~26.5 hours.
pub(crate) const WRAP: i64 = 1 << 33;

/// Turns 33-bit timestamps into a monotonic 64-bit count by choosing, for each one, the
/// wrap that puts it nearest the previous timestamp.
#[derive(Debug, Default)]
pub(crate) struct PtsUnwrapper {
    reference: Option<i64>,
}

impl PtsUnwrapper {
    pub(crate) fn unwrap(&mut self, ts: u64) -> i64 {
        let v = (ts & (WRAP as u64 - 1)) as i64;
        let u = match self.reference {
            None => v,
            Some(r) => v + (r - v + WRAP / 2).div_euclid(WRAP) * WRAP,
        };
        self.reference = Some(u);
        u
    }
}

/// How one discontinuity sequence's timestamps map onto the output timeline.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Mapping {
    /// Added to an unwrapped PTS to get the output presentation time (90 kHz).
    pub offset: i64,
    /// Added on top of `offset` to decode times, so that the first frame decodes at its
    /// presentation time and no decode time falls before the segment start; B-frames then get
    /// negative composition offsets (`trun` version 1).
    pub decode_shift: i64,
}

/// Remembers the mapping of recent discontinuity sequences, so that revisiting one (a seek
/// back) lands on the same timeline.
#[derive(Debug, Default)]
pub(crate) struct Timeline {
    mappings: Vec<(u64, Mapping)>,
}

const REMEMBERED: usize = 16;

/// How far (90 kHz ticks) a segment may land from its playlist time before its timestamps
/// are declared to have jumped: far beyond EXTINF rounding, well within a broken clock.
pub(crate) const MAX_DRIFT: i64 = 10 * 90_000;

/// Seconds on the playlist timeline to 90 kHz ticks, with garbage (NaN, negative, absurdly
/// large) clamped into range.
pub(crate) fn seconds_to_ticks(s: f64) -> i64 {
    if s.is_finite() && s > 0.0 {
        (s * 90_000.0).round().min(1e15) as i64
    } else {
        0
    }
}

impl Timeline {
    /// The mapping for a segment of discontinuity sequence `discontinuity` that starts at
    /// `start` seconds on the playlist timeline. The first segment seen of a sequence fixes
    /// it: its earliest PTS lands on `start`. Later segments keep it (so EXTINF rounding does
    /// not open gaps), corrected by whole 2^33 wraps if the unwrapper chose another one.
    ///
    /// A segment landing more than [`MAX_DRIFT`] away from its playlist time means the
    /// encoder reset its clock without a discontinuity tag: the sequence is re-anchored on
    /// this segment, and the jump (in ticks) is returned with the mapping.
    pub(crate) fn mapping(
        &mut self,
        discontinuity: u64,
        start: f64,
        earliest_pts: i64,
        decode_delay: i64,
    ) -> (Mapping, Option<i64>) {
        let target = seconds_to_ticks(start);
        if let Some((_, m)) = self.mappings.iter_mut().find(|(d, _)| *d == discontinuity) {
            let k = (target - (earliest_pts + m.offset) + WRAP / 2).div_euclid(WRAP);
            m.offset += k * WRAP;
            let drift = target - (earliest_pts + m.offset);
            if drift.abs() > MAX_DRIFT {
                m.offset += drift;
                return (*m, Some(drift));
            }
            return (*m, None);
        }
        let m = Mapping {
            offset: target - earliest_pts,
            // More than a second of reordering delay is not B-frames but broken timestamps.
            decode_shift: decode_delay.clamp(0, 90_000),
        };
        if self.mappings.len() == REMEMBERED {
            self.mappings.remove(0);
        }
        self.mappings.push((discontinuity, m));
        (m, None)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unwraps_across_the_33_bit_boundary() {
        let mut u = PtsUnwrapper::default();
        assert_eq!(u.unwrap(WRAP as u64 - 3000), WRAP - 3000);
        assert_eq!(u.unwrap(1000), WRAP + 1000);
        assert_eq!(u.unwrap(4000), WRAP + 4000);
        // A slightly earlier timestamp (B-frame, audio vs video) does not wrap back.
        assert_eq!(u.unwrap(WRAP as u64 - 500), WRAP - 500);
        // High bits beyond 33 are ignored.
        assert_eq!(u.unwrap((1 << 40) | 5000), WRAP + 5000);
    }

    #[test]
    fn unwraps_backwards_too() {
        let mut u = PtsUnwrapper::default();
        u.unwrap(100);
        assert_eq!(u.unwrap(WRAP as u64 - 100), -100);
    }

    #[test]
    fn first_segment_of_a_sequence_fixes_the_offset() {
        let mut t = Timeline::default();
        let (m, _) = t.mapping(0, 10.0, 900_000 + 126_000, 6_000);
        assert_eq!(m.offset, 900_000 - 900_000 - 126_000);
        assert_eq!(m.decode_shift, 6_000);
        // Same sequence, EXTINF-rounded start: the offset is kept.
        let m2 = t.mapping(0, 14.0001, 126_000 + 1_260_000 + 360_000, 6_000);
        assert_eq!(m2, (m, None));
        // New sequence: new offset.
        let (m3, _) = t.mapping(1, 20.0, 5_000, 0);
        assert_eq!(m3.offset, 1_800_000 - 5_000);
        // Back to sequence 0 with timestamps one wrap away.
        let (m4, jump) = t.mapping(0, 14.0, 126_000 + 1_260_000 + WRAP, 6_000);
        assert_eq!(m4.offset, m.offset - WRAP);
        assert_eq!(jump, None);
    }

    #[test]
    fn clock_reset_without_discontinuity_tag_is_re_anchored() {
        let mut t = Timeline::default();
        let (m, _) = t.mapping(0, 0.0, 900_000, 0);
        // Next segment (playlist time 4 s) claims to be 1000 s later.
        let (m2, jump) = t.mapping(0, 4.0, 900_000 + 90_000_000, 0);
        assert_eq!(jump, Some(360_000 - 90_000_000));
        assert_eq!(m2.offset, 360_000 - 900_000 - 90_000_000);
        // The following segment continues on the new anchor without another jump.
        assert_eq!(
            t.mapping(0, 8.0, 900_000 + 90_000_000 + 360_000, 0),
            (m2, None)
        );
        assert_ne!(m, m2);
    }

    #[test]
    fn garbage_start_times_are_clamped() {
        assert_eq!(seconds_to_ticks(f64::NAN), 0);
        assert_eq!(seconds_to_ticks(-3.0), 0);
        assert_eq!(seconds_to_ticks(1.5), 135_000);
        assert_eq!(seconds_to_ticks(f64::INFINITY), 0);
        assert_eq!(seconds_to_ticks(1e300), 1_000_000_000_000_000);
    }
}

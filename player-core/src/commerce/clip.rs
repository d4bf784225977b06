//! Clip mode: playing part of a recording. Either the element's `start`/`end` (one span), or a
//! product's moments (`product="tee"`: every span of the replay that showed it, one after the
//! other), so one show recording becomes a clip on each featured product's page.
//!
//! A [`ClipPlan`] only decides; the player feeds it the playhead and does what it says.
//!
//! ```
//! use player_core::commerce::clip::{ClipPlan, ClipStep};
//! use player_core::commerce::cues::Moment;
//! let plan = ClipPlan::from_moments(&[Moment { start: 4.0, end: 8.0 }, Moment { start: 20.0, end: 24.0 }]).unwrap();
//! assert_eq!(plan.start(), 4.0);
//! assert_eq!(plan.step(6.0), ClipStep::Play);
//! assert_eq!(plan.step(8.1), ClipStep::Jump(20.0)); // the next moment
//! assert_eq!(plan.step(24.0), ClipStep::End);
//! assert_eq!(plan.step(1.0), ClipStep::Jump(4.0)); // before the clip: to its start
//! ```

use super::cues::Moment;

/// Spans closer than this are played as one (no jump for a cut of a few frames).
const JOIN_GAP_S: f64 = 0.5;

/// What the player must do at a playhead position.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum ClipStep {
    /// Inside a span: keep playing.
    Play,
    /// Outside the spans: go to this time (the next span's start).
    Jump(f64),
    /// Past the last span: the clip is over (pause, or loop to [`ClipPlan::start`]).
    End,
}

/// The spans of a clip, sorted, disjoint, each with a finite start.
#[derive(Debug, Clone, PartialEq)]
pub struct ClipPlan {
    spans: Vec<Moment>,
}

impl ClipPlan {
    /// The element's `start`/`end` (seconds; `end` `None`: to the end of the video). `None`
    /// when the bounds make no clip (negative, not numbers, or end before start).
    pub fn from_bounds(start: Option<f64>, end: Option<f64>) -> Option<ClipPlan> {
        let start = start.unwrap_or(0.0);
        let end = end.unwrap_or(f64::INFINITY);
        (start.is_finite() && start >= 0.0 && end > start)
            .then(|| ClipPlan::from_moments(&[Moment { start, end }]))
            .flatten()
    }

    /// A product's moments (as [`ProductTimeline::moments`] gives them). `None` without any.
    ///
    /// [`ProductTimeline::moments`]: super::cues::ProductTimeline::moments
    pub fn from_moments(moments: &[Moment]) -> Option<ClipPlan> {
        let mut spans: Vec<Moment> = moments
            .iter()
            .filter(|m| m.start.is_finite() && m.start >= 0.0 && m.end > m.start)
            .copied()
            .collect();
        // Stable, and small in the wasm (see `insertion_sort`); a product has a few moments.
        crate::insertion_sort(&mut spans, |a, b| a.start.total_cmp(&b.start).is_gt());
        let mut merged: Vec<Moment> = Vec::with_capacity(spans.len());
        for span in spans {
            match merged.last_mut() {
                Some(last) if span.start <= last.end + JOIN_GAP_S => {
                    last.end = last.end.max(span.end);
                }
                _ => merged.push(span),
            }
        }
        (!merged.is_empty()).then_some(ClipPlan { spans: merged })
    }

    /// Where the clip begins.
    pub fn start(&self) -> f64 {
        self.spans[0].start
    }

    /// Where the clip ends (`f64::INFINITY`: at the end of the video).
    pub fn end(&self) -> f64 {
        self.spans[self.spans.len() - 1].end
    }

    pub fn spans(&self) -> &[Moment] {
        &self.spans
    }

    /// What to do with the playhead at `position`.
    pub fn step(&self, position: f64) -> ClipStep {
        for span in &self.spans {
            if position < span.start {
                return ClipStep::Jump(span.start);
            }
            if position < span.end {
                return ClipStep::Play;
            }
        }
        ClipStep::End
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(start: f64, end: f64) -> Moment {
        Moment { start, end }
    }

    #[test]
    fn bounds_make_one_span() {
        let plan = ClipPlan::from_bounds(Some(4.0), Some(8.0)).unwrap();
        assert_eq!((plan.start(), plan.end()), (4.0, 8.0));
        assert_eq!(plan.step(3.9), ClipStep::Jump(4.0));
        assert_eq!(plan.step(4.0), ClipStep::Play);
        assert_eq!(plan.step(8.0), ClipStep::End);
        let open = ClipPlan::from_bounds(Some(10.0), None).unwrap();
        assert_eq!(open.step(1e9), ClipStep::Play);
        assert_eq!(ClipPlan::from_bounds(None, Some(5.0)).unwrap().start(), 0.0);
    }

    #[test]
    fn nonsense_bounds_make_no_clip() {
        assert!(ClipPlan::from_bounds(Some(8.0), Some(4.0)).is_none());
        assert!(ClipPlan::from_bounds(Some(-1.0), Some(4.0)).is_none());
        assert!(ClipPlan::from_bounds(Some(f64::NAN), Some(4.0)).is_none());
        assert!(ClipPlan::from_bounds(Some(4.0), Some(4.0)).is_none());
        assert!(ClipPlan::from_moments(&[]).is_none());
    }

    #[test]
    fn moments_are_sorted_and_near_ones_joined() {
        let plan =
            ClipPlan::from_moments(&[m(20.0, 24.0), m(4.0, 8.0), m(8.3, 10.0), m(-3.0, 1.0)])
                .unwrap();
        assert_eq!(plan.spans(), [m(4.0, 10.0), m(20.0, 24.0)]);
        assert_eq!(plan.step(9.0), ClipStep::Play);
        assert_eq!(plan.step(10.0), ClipStep::Jump(20.0));
        assert_eq!(plan.step(30.0), ClipStep::End);
    }
}

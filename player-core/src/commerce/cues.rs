//! The product timeline: which products are "on screen" at a media time.
//!
//! Cues come from three places — the feed's `timeline`, the stream itself (`EXT-X-DATERANGE`,
//! ID3 timed metadata) and the host page (`highlightProduct`) — and are kept in one vector
//! sorted by start, with an implicit search tree over it (each subtree's latest end stored at
//! its middle element), so [`ProductTimeline::active_at`] costs O(log n + k) however many cues a
//! long live show accumulates, and cheap enough to ask on every `timeupdate`.
//!
//! ```
//! use player_core::commerce::cues::{CueSource, ProductTimeline};
//! let mut timeline = ProductTimeline::new();
//! timeline.add_cue("tee", 4.0, Some(18.0), CueSource::Feed);
//! timeline.highlight("tote", 10.0, None); // lasts the default 10 s
//! let ids: Vec<&str> = timeline.active_at(12.0).iter().map(|c| c.product_id.as_str()).collect();
//! assert_eq!(ids, ["tee", "tote"]);
//! assert!(timeline.active_at(21.0).is_empty());
//! ```

use std::cmp::Ordering;

use super::feed::Feed;

/// How long a host highlight or a stream cue without an end lasts, in seconds.
pub const DEFAULT_CUE_DURATION: f64 = 10.0;
/// Most cues kept; more are refused (a stream cannot grow the timeline without bound).
pub const MAX_CUES: usize = 20_000;

/// Where a cue came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum CueSource {
    /// The product feed's `timeline`.
    Feed,
    /// Stream metadata (`EXT-X-DATERANGE`, ID3).
    Stream,
    /// The host page (`highlightProduct`).
    Host,
}

/// A product shown from `start` until just before `end` (media seconds).
#[derive(Debug, Clone, PartialEq)]
pub struct Cue {
    pub product_id: String,
    pub start: f64,
    /// `f64::INFINITY`: until the end of the video.
    pub end: f64,
    pub source: CueSource,
}

/// A span of time when a product was shown (overlapping cues merged): a chapter, or "seek to
/// when it was shown".
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Moment {
    pub start: f64,
    pub end: f64,
}

/// All cues of a video.
#[derive(Debug, Clone)]
pub struct ProductTimeline {
    /// Sorted by (start, end, source, product id).
    cues: Vec<Cue>,
    /// For the subtree of `cues[lo..hi]` rooted at its middle `mid`, the latest end in it.
    max_end: Vec<f64>,
    default_duration: f64,
}

impl Default for ProductTimeline {
    fn default() -> Self {
        ProductTimeline::new()
    }
}

impl ProductTimeline {
    pub fn new() -> Self {
        ProductTimeline {
            cues: Vec::new(),
            max_end: Vec::new(),
            default_duration: DEFAULT_CUE_DURATION,
        }
    }

    /// A timeline whose open-ended host and stream cues last `seconds` (positive, finite;
    /// otherwise [`DEFAULT_CUE_DURATION`]).
    pub fn with_default_duration(seconds: f64) -> Self {
        let mut timeline = ProductTimeline::new();
        if seconds.is_finite() && seconds > 0.0 {
            timeline.default_duration = seconds;
        }
        timeline
    }

    pub fn cues(&self) -> &[Cue] {
        &self.cues
    }

    /// Replaces the feed's cues with those of `feed` (on `setProducts`); stream and host cues
    /// stay.
    pub fn set_feed(&mut self, feed: &Feed) {
        self.cues.retain(|c| c.source != CueSource::Feed);
        for entry in &feed.timeline {
            let end = entry.end.unwrap_or(f64::INFINITY);
            if let Some(cue) = checked(&entry.product, entry.start, end, CueSource::Feed) {
                self.cues.push(cue);
            }
        }
        self.cues.truncate(MAX_CUES);
        self.rebuild();
    }

    /// Removes every cue of one source.
    pub fn clear_source(&mut self, source: CueSource) {
        self.cues.retain(|c| c.source != source);
        self.rebuild();
    }

    /// Adds a cue. `end: None` means until the end of the video for a feed cue and the default
    /// duration for the others. A cue with the same product, start and source as an existing
    /// one replaces its end (a live playlist repeats its date ranges, and may later give one a
    /// duration). Returns whether the timeline changed; invalid times (negative, NaN, end not
    /// after start) and an empty product id change nothing.
    pub fn add_cue(
        &mut self,
        product_id: &str,
        start: f64,
        end: Option<f64>,
        source: CueSource,
    ) -> bool {
        let end = match (end, source) {
            (Some(end), _) => end,
            (None, CueSource::Feed) => f64::INFINITY,
            (None, _) => start + self.default_duration,
        };
        let Some(cue) = checked(product_id, start, end, source) else {
            return false;
        };
        let from = self.cues.partition_point(|c| c.start < start);
        let same = self.cues[from..]
            .iter()
            .take_while(|c| c.start == start)
            .position(|c| c.source == source && c.product_id == product_id)
            .map(|i| from + i);
        match same {
            Some(i) if self.cues[i].end == cue.end => return false,
            Some(i) => {
                self.cues[i].end = cue.end;
                self.rebuild();
            }
            None if self.cues.len() >= MAX_CUES => return false,
            None => {
                let at = self.cues.partition_point(|c| order(c, &cue).is_lt());
                self.cues.insert(at, cue);
                self.index();
            }
        }
        true
    }

    /// The host's `highlightProduct(id)` at media time `at`, for `duration` seconds (default
    /// [`DEFAULT_CUE_DURATION`] or the timeline's own).
    pub fn highlight(&mut self, product_id: &str, at: f64, duration: Option<f64>) -> bool {
        let end = duration.map(|d| at + d);
        self.add_cue(product_id, at, end, CueSource::Host)
    }

    /// Cues covering `t` (`start <= t < end`), sorted by start.
    pub fn active_at(&self, t: f64) -> Vec<&Cue> {
        let mut out = Vec::new();
        if !t.is_nan() {
            self.collect(0, self.cues.len(), t, &mut out);
        }
        out
    }

    /// Distinct products covering `t`, in order of their earliest covering cue's start.
    pub fn active_products(&self, t: f64) -> Vec<&str> {
        let mut ids: Vec<&str> = Vec::new();
        for cue in self.active_at(t) {
            if !ids.contains(&cue.product_id.as_str()) {
                ids.push(&cue.product_id);
            }
        }
        ids
    }

    /// When `product_id` was shown, from every source, overlapping or touching spans merged,
    /// in time order.
    pub fn moments(&self, product_id: &str) -> Vec<Moment> {
        let mut out: Vec<Moment> = Vec::new();
        for cue in self.cues.iter().filter(|c| c.product_id == product_id) {
            match out.last_mut() {
                Some(last) if cue.start <= last.end => last.end = last.end.max(cue.end),
                _ => out.push(Moment {
                    start: cue.start,
                    end: cue.end,
                }),
            }
        }
        out
    }

    fn collect<'a>(&'a self, lo: usize, hi: usize, t: f64, out: &mut Vec<&'a Cue>) {
        if lo >= hi {
            return;
        }
        let mid = lo + (hi - lo) / 2;
        if self.max_end.get(mid).is_none_or(|&m| m <= t) {
            return; // nothing in this subtree is still showing at t
        }
        self.collect(lo, mid, t, out);
        let cue = &self.cues[mid];
        if cue.start <= t {
            if cue.end > t {
                out.push(cue);
            }
            // Only later starts to the right: worth a look only if this one had started.
            self.collect(mid + 1, hi, t, out);
        }
    }

    fn rebuild(&mut self) {
        self.cues.sort_unstable_by(order);
        self.index();
    }

    fn index(&mut self) {
        self.max_end.clear();
        self.max_end.resize(self.cues.len(), f64::NEG_INFINITY);
        build(&self.cues, &mut self.max_end, 0, self.cues.len());
    }
}

fn build(cues: &[Cue], max_end: &mut [f64], lo: usize, hi: usize) -> f64 {
    if lo >= hi {
        return f64::NEG_INFINITY;
    }
    let mid = lo + (hi - lo) / 2;
    let left = build(cues, max_end, lo, mid);
    let right = build(cues, max_end, mid + 1, hi);
    let m = cues[mid].end.max(left).max(right);
    max_end[mid] = m;
    m
}

fn order(a: &Cue, b: &Cue) -> Ordering {
    a.start
        .total_cmp(&b.start)
        .then(a.end.total_cmp(&b.end))
        .then(a.source.cmp(&b.source))
        .then(a.product_id.cmp(&b.product_id))
}

fn checked(product_id: &str, start: f64, end: f64, source: CueSource) -> Option<Cue> {
    let valid = !product_id.is_empty() && start.is_finite() && start >= 0.0 && end > start;
    valid.then(|| Cue {
        product_id: product_id.to_owned(),
        start,
        end,
        source,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::commerce::feed::parse_feed;

    fn ids<'a>(cues: &[&'a Cue]) -> Vec<&'a str> {
        cues.iter().map(|c| c.product_id.as_str()).collect()
    }

    #[test]
    fn half_open_coverage() {
        let mut tl = ProductTimeline::new();
        assert!(tl.add_cue("a", 4.0, Some(18.0), CueSource::Feed));
        assert!(tl.active_at(3.999).is_empty());
        assert_eq!(ids(&tl.active_at(4.0)), ["a"]);
        assert_eq!(ids(&tl.active_at(17.999)), ["a"]);
        assert!(tl.active_at(18.0).is_empty());
        assert!(tl.active_at(f64::NAN).is_empty());
    }

    #[test]
    fn open_ended_and_default_durations() {
        let mut tl = ProductTimeline::with_default_duration(5.0);
        tl.add_cue("feed", 1.0, None, CueSource::Feed);
        tl.add_cue("stream", 2.0, None, CueSource::Stream);
        tl.highlight("host", 3.0, None);
        tl.highlight("long", 3.0, Some(100.0));
        assert_eq!(ids(&tl.active_at(6.5)), ["feed", "stream", "host", "long"]);
        assert_eq!(ids(&tl.active_at(7.5)), ["feed", "host", "long"]);
        assert_eq!(ids(&tl.active_at(1e9)), ["feed"]);
        assert_eq!(
            ProductTimeline::with_default_duration(-1.0).default_duration,
            10.0
        );
    }

    #[test]
    fn refuses_invalid_cues() {
        let mut tl = ProductTimeline::new();
        assert!(!tl.add_cue("a", -1.0, Some(2.0), CueSource::Stream));
        assert!(!tl.add_cue("a", f64::NAN, Some(2.0), CueSource::Stream));
        assert!(!tl.add_cue("a", 3.0, Some(3.0), CueSource::Stream));
        assert!(!tl.add_cue("a", 3.0, Some(f64::NAN), CueSource::Stream));
        assert!(!tl.add_cue("", 3.0, Some(4.0), CueSource::Stream));
        assert!(!tl.highlight("a", 3.0, Some(0.0)));
        assert!(tl.cues().is_empty());
    }

    #[test]
    fn repeated_stream_cues_update_instead_of_duplicating() {
        let mut tl = ProductTimeline::new();
        assert!(tl.add_cue("a", 10.0, None, CueSource::Stream));
        assert!(!tl.add_cue("a", 10.0, None, CueSource::Stream));
        assert!(tl.add_cue("a", 10.0, Some(40.0), CueSource::Stream));
        assert_eq!(tl.cues().len(), 1);
        assert_eq!(ids(&tl.active_at(30.0)), ["a"]);
        // The same moment from another source is another cue.
        assert!(tl.add_cue("a", 10.0, Some(40.0), CueSource::Host));
        assert_eq!(tl.cues().len(), 2);
        assert_eq!(tl.active_products(30.0), ["a"]);
    }

    #[test]
    fn moments_merge_overlaps_across_sources() {
        let mut tl = ProductTimeline::new();
        tl.add_cue("a", 30.0, Some(40.0), CueSource::Feed);
        tl.add_cue("a", 0.0, Some(10.0), CueSource::Feed);
        tl.add_cue("a", 5.0, Some(12.0), CueSource::Stream);
        tl.add_cue("a", 12.0, Some(13.0), CueSource::Host);
        tl.add_cue("b", 11.0, Some(50.0), CueSource::Feed);
        let m = tl.moments("a");
        assert_eq!(
            m,
            vec![
                Moment {
                    start: 0.0,
                    end: 13.0
                },
                Moment {
                    start: 30.0,
                    end: 40.0
                }
            ]
        );
        assert!(tl.moments("zzz").is_empty());
    }

    #[test]
    fn feed_cues_are_replaced_on_set_feed() {
        let feed = parse_feed(
            r#"{"version":1,"products":[{"id":"tee","title":"T","variants":[{"id":"1","price":1}]}],
                "timeline":[{"product":"tee","start":4,"end":18},{"product":"tee","start":30}]}"#,
        )
        .unwrap()
        .feed;
        let mut tl = ProductTimeline::new();
        tl.highlight("host", 0.0, Some(100.0));
        tl.set_feed(&feed);
        assert_eq!(tl.cues().len(), 3);
        assert_eq!(ids(&tl.active_at(5.0)), ["host", "tee"]);
        assert_eq!(ids(&tl.active_at(1e6)), ["tee"]);
        tl.set_feed(&Feed::default());
        assert_eq!(tl.cues().len(), 1);
        tl.clear_source(CueSource::Host);
        assert!(tl.cues().is_empty());
    }
}

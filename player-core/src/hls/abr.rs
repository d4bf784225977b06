//! Adaptive bitrate: estimate the network's throughput and pick the rendition to load next.
//!
//! The estimate is the lower of a fast and a slow exponentially weighted moving average of
//! download throughput, weighted by download time (the approach Shaka popularised): the fast
//! one reacts to a drop within a segment or two, the slow one keeps a single lucky burst from
//! pushing quality up. Switching down is immediate; switching up waits for enough buffer, so a
//! viewer sees fewer, safer changes.

/// Every tunable of rendition choice, in one place.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AbrConfig {
    /// Half-life of the fast average, in seconds of download time.
    pub fast_half_life_s: f64,
    /// Half-life of the slow average, in seconds of download time.
    pub slow_half_life_s: f64,
    /// The estimate, in bits per second, before enough samples arrive.
    pub default_estimate_bps: f64,
    /// Downloads smaller than this say more about latency than throughput; they are ignored.
    pub min_sample_bytes: usize,
    /// Seconds of download time needed before the averages are trusted over the default.
    pub min_total_sample_s: f64,
    /// Fraction of the estimate a rendition's bandwidth may use when staying or going down.
    pub safety_factor: f64,
    /// Fraction of the estimate a rendition's bandwidth may use to be switched *up* to.
    pub up_switch_factor: f64,
    /// Seconds of forward buffer needed before switching up.
    pub min_buffer_for_up_switch_s: f64,
}

impl Default for AbrConfig {
    fn default() -> Self {
        AbrConfig {
            fast_half_life_s: 2.0,
            slow_half_life_s: 6.0,
            default_estimate_bps: 1_000_000.0,
            min_sample_bytes: 16 * 1024,
            min_total_sample_s: 0.25,
            safety_factor: 0.8,
            up_switch_factor: 0.7,
            min_buffer_for_up_switch_s: 6.0,
        }
    }
}

/// An exponentially weighted moving average whose weight is time, with zero-bias correction.
#[derive(Debug, Clone)]
struct Ewma {
    alpha_per_s: f64,
    estimate: f64,
    total_weight: f64,
}

impl Ewma {
    fn new(half_life_s: f64) -> Self {
        Ewma {
            alpha_per_s: 0.5f64.powf(1.0 / half_life_s.max(1e-3)),
            estimate: 0.0,
            total_weight: 0.0,
        }
    }

    fn sample(&mut self, weight_s: f64, value: f64) {
        let adj = self.alpha_per_s.powf(weight_s);
        self.estimate = value * (1.0 - adj) + adj * self.estimate;
        self.total_weight += weight_s;
    }

    fn value(&self) -> f64 {
        let zero_factor = 1.0 - self.alpha_per_s.powf(self.total_weight);
        self.estimate / zero_factor
    }
}

/// Throughput estimate from completed downloads.
#[derive(Debug, Clone)]
pub struct BandwidthEstimator {
    config: AbrConfig,
    fast: Ewma,
    slow: Ewma,
    sampled_s: f64,
}

impl BandwidthEstimator {
    pub fn new(config: AbrConfig) -> Self {
        BandwidthEstimator {
            config,
            fast: Ewma::new(config.fast_half_life_s),
            slow: Ewma::new(config.slow_half_life_s),
            sampled_s: 0.0,
        }
    }

    /// Records a download of `bytes` that took `elapsed_ms` from request to last byte.
    pub fn sample(&mut self, bytes: usize, elapsed_ms: f64) {
        // `is_normal` also rejects zero, NaN and infinities: none of them is a duration.
        if bytes < self.config.min_sample_bytes || !elapsed_ms.is_normal() || elapsed_ms < 0.0 {
            return;
        }
        let seconds = elapsed_ms / 1000.0;
        let bps = bytes as f64 * 8.0 / seconds;
        self.fast.sample(seconds, bps);
        self.slow.sample(seconds, bps);
        self.sampled_s += seconds;
    }

    /// The current estimate in bits per second.
    pub fn estimate_bps(&self) -> f64 {
        if self.sampled_s < self.config.min_total_sample_s {
            return self.config.default_estimate_bps;
        }
        self.fast.value().min(self.slow.value())
    }
}

/// What ABR knows about one rendition.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RenditionBudget {
    pub bandwidth: u64,
    pub height: Option<u32>,
}

/// Picks the rendition to load next. `renditions` are sorted by ascending bandwidth;
/// `max_height` caps quality to what the player can show (its height × device pixel ratio).
pub fn choose_rendition(
    config: &AbrConfig,
    renditions: &[RenditionBudget],
    current: Option<usize>,
    estimate_bps: f64,
    buffer_ahead_s: f64,
    max_height: Option<u32>,
) -> usize {
    if renditions.is_empty() {
        return 0;
    }
    let fits_screen = |r: &RenditionBudget| match (max_height, r.height) {
        (Some(cap), Some(h)) => h <= cap,
        _ => true,
    };
    // The best rendition the network sustains at a given share of the estimate.
    let best_within = |factor: f64| {
        renditions
            .iter()
            .enumerate()
            .filter(|(_, r)| (r.bandwidth as f64) <= estimate_bps * factor && fits_screen(r))
            .map(|(i, _)| i)
            .next_back()
            .unwrap_or(0)
    };
    let sustainable = best_within(config.safety_factor);
    let Some(current) = current.filter(|&c| c < renditions.len()) else {
        return sustainable;
    };
    if sustainable < current {
        return sustainable;
    }
    let upward = best_within(config.up_switch_factor);
    if upward > current && buffer_ahead_s >= config.min_buffer_for_up_switch_s {
        upward
    } else if !fits_screen(&renditions[current]) {
        sustainable
    } else {
        current
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ladder() -> Vec<RenditionBudget> {
        [(300_000, 144), (700_000, 240), (1_200_000, 360)]
            .iter()
            .map(|&(bandwidth, h)| RenditionBudget {
                bandwidth,
                height: Some(h),
            })
            .collect()
    }

    #[test]
    fn estimate_starts_at_default_and_converges_to_the_link() {
        let mut e = BandwidthEstimator::new(AbrConfig::default());
        assert_eq!(e.estimate_bps(), 1_000_000.0);
        for _ in 0..20 {
            e.sample(500_000, 1000.0); // 4 Mbit/s
        }
        assert!((e.estimate_bps() - 4_000_000.0).abs() < 1.0);
    }

    #[test]
    fn a_bandwidth_drop_switches_down_within_two_segments() {
        let c = AbrConfig::default();
        let mut e = BandwidthEstimator::new(c);
        for _ in 0..20 {
            e.sample(500_000, 1000.0); // 4 Mbit/s
        }
        assert_eq!(
            choose_rendition(&c, &ladder(), Some(2), e.estimate_bps(), 20.0, None),
            2
        );
        // The link drops to 0.5 Mbit/s: each 2 s segment of the 1.2 Mbit/s rendition now
        // takes 4.8 s to download.
        e.sample(300_000, 4800.0);
        e.sample(300_000, 4800.0);
        let after_two = choose_rendition(&c, &ladder(), Some(2), e.estimate_bps(), 10.0, None);
        assert!(
            after_two <= 1,
            "estimate {} still picks {after_two}",
            e.estimate_bps()
        );
    }

    #[test]
    fn tiny_downloads_are_ignored() {
        let mut e = BandwidthEstimator::new(AbrConfig::default());
        e.sample(1_000, 1.0);
        assert_eq!(e.estimate_bps(), 1_000_000.0);
    }

    #[test]
    fn switches_down_at_once_and_up_only_with_buffer() {
        let c = AbrConfig::default();
        let l = ladder();
        assert_eq!(choose_rendition(&c, &l, None, 1_000_000.0, 0.0, None), 1);
        assert_eq!(choose_rendition(&c, &l, Some(2), 500_000.0, 20.0, None), 0);
        assert_eq!(choose_rendition(&c, &l, Some(1), 3_000_000.0, 1.0, None), 1);
        assert_eq!(
            choose_rendition(&c, &l, Some(1), 3_000_000.0, 10.0, None),
            2
        );
    }

    #[test]
    fn stays_put_in_the_band_between_up_and_down_thresholds() {
        let c = AbrConfig::default();
        // 1.2 Mbit/s needs 1.5 Mbit/s to stay and 1.71 Mbit/s to switch up.
        assert_eq!(
            choose_rendition(&c, &ladder(), Some(2), 1_600_000.0, 20.0, None),
            2
        );
        assert_eq!(
            choose_rendition(&c, &ladder(), Some(1), 1_600_000.0, 20.0, None),
            1
        );
    }

    #[test]
    fn respects_the_screen_cap() {
        let c = AbrConfig::default();
        assert_eq!(
            choose_rendition(&c, &ladder(), None, 10e6, 30.0, Some(240)),
            1
        );
        assert_eq!(
            choose_rendition(&c, &ladder(), Some(2), 10e6, 30.0, Some(240)),
            1
        );
    }
}

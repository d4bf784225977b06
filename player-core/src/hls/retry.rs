//! Bounded retries with exponential backoff and jitter for every network request.

/// How often and how patiently a failed request is tried again.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RetryPolicy {
    /// Attempts in all, the first included.
    pub max_attempts: u32,
    /// Delay before the first retry, in milliseconds; doubled on each further retry.
    pub base_delay_ms: f64,
    /// Upper bound of a single delay, in milliseconds.
    pub max_delay_ms: f64,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 4,
            base_delay_ms: 500.0,
            max_delay_ms: 8_000.0,
        }
    }
}

impl RetryPolicy {
    /// The delay before attempt number `attempt + 1` (so `attempt` ≥ 1 failures so far), or
    /// `None` when the budget is spent. `jitter` in `[0, 1)` spreads retries of many viewers
    /// so they do not hit a recovering CDN in lockstep: the delay is scaled by 0.5..1.0.
    pub fn delay_after(&self, attempt: u32, jitter: f64) -> Option<f64> {
        if attempt >= self.max_attempts {
            return None;
        }
        let exp = self.base_delay_ms * 2f64.powi(attempt.saturating_sub(1).min(16) as i32);
        Some(exp.min(self.max_delay_ms) * (0.5 + 0.5 * jitter.max(0.0).min(1.0)))
    }
}

/// A small deterministic pseudo-random source (xorshift64*): jitter needs spread, not secrecy,
/// and determinism keeps the engine's simulations reproducible.
#[derive(Debug, Clone)]
pub struct Jitter(u64);

impl Jitter {
    pub fn new(seed: u64) -> Self {
        Jitter(seed.max(1))
    }

    /// A value in `[0, 1)`.
    pub fn next_unit(&mut self) -> f64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        (x.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 11) as f64 / (1u64 << 53) as f64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays_double_and_stop_at_the_budget() {
        let p = RetryPolicy {
            max_attempts: 4,
            base_delay_ms: 100.0,
            max_delay_ms: 250.0,
        };
        assert_eq!(
            p.delay_after(1, 1.0 - f64::EPSILON).map(f64::round),
            Some(100.0)
        );
        assert_eq!(p.delay_after(2, 0.0), Some(100.0));
        assert_eq!(
            p.delay_after(3, 0.999_999),
            Some(250.0 * (0.5 + 0.5 * 0.999_999))
        );
        assert_eq!(p.delay_after(4, 0.5), None);
    }

    #[test]
    fn jitter_stays_in_the_unit_interval_and_varies() {
        let mut j = Jitter::new(42);
        let xs: Vec<f64> = (0..1000).map(|_| j.next_unit()).collect();
        assert!(xs.iter().all(|x| (0.0..1.0).contains(x)));
        let mean = xs.iter().sum::<f64>() / xs.len() as f64;
        assert!((0.4..0.6).contains(&mean), "mean {mean}");
    }
}

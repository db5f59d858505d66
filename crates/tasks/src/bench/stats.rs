//! Small statistics over repeated measurements.

use std::time::Duration;

/// The sample at quantile `q` (0.0–1.0) by nearest rank; `None` when there are no samples.
pub fn quantile(samples: &[Duration], q: f64) -> Option<Duration> {
    if samples.is_empty() {
        return None;
    }
    let mut sorted = samples.to_vec();
    sorted.sort();
    let rank = ((q * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len());
    Some(sorted[rank - 1])
}

pub fn median(samples: &[Duration]) -> Duration {
    quantile(samples, 0.5).unwrap_or_default()
}

/// `a / b`, for ratios printed with two decimals.
pub fn ratio(a: Duration, b: Duration) -> f64 {
    if b.is_zero() {
        f64::INFINITY
    } else {
        a.as_secs_f64() / b.as_secs_f64()
    }
}

pub fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1000.0)
}

pub fn secs(d: Duration) -> String {
    format!("{:.1} s", d.as_secs_f64())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(ms: u64) -> Duration {
        Duration::from_millis(ms)
    }

    #[test]
    fn nearest_rank_quantiles() {
        let samples = [d(5), d(1), d(4), d(2), d(3)];
        assert_eq!(median(&samples), d(3));
        assert_eq!(quantile(&samples, 0.99), Some(d(5)));
        assert_eq!(quantile(&samples, 0.0), Some(d(1)));
        assert_eq!(quantile(&[], 0.5), None);
    }

    #[test]
    fn ratios() {
        assert!((ratio(d(300), d(100)) - 3.0).abs() < 1e-9);
        assert!(ratio(d(1), Duration::ZERO).is_infinite());
    }
}

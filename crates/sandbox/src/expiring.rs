//! A map whose entries expire: issued tokens and failed-login counters.
//!
//! Expired entries are invisible at once and are dropped by a sweep that runs, at most every
//! quarter lifetime (and at least once a minute), when the map is written. The map shrinks its
//! allocation after a sweep that emptied most of it, so a sandbox that serves logins for hours
//! keeps a bounded footprint.

use std::collections::HashMap;
use std::hash::Hash;
use std::time::{Duration, Instant};

/// The longest wait between two sweeps.
const MAX_SWEEP_INTERVAL: Duration = Duration::from_secs(60);

pub(crate) struct ExpiringMap<K, V> {
    entries: HashMap<K, (V, Instant)>,
    lifetime: Duration,
    sweep_every: Duration,
    next_sweep: Instant,
}

/// `now + d`, or a far deadline when that overflows `Instant`.
fn deadline(now: Instant, d: Duration) -> Instant {
    now.checked_add(d)
        .or_else(|| now.checked_add(Duration::from_secs(100 * 365 * 24 * 3600)))
        .unwrap_or(now)
}

impl<K: Eq + Hash, V> ExpiringMap<K, V> {
    /// An empty map whose entries live `lifetime` after they are written.
    pub(crate) fn new(lifetime: Duration) -> Self {
        let sweep_every = (lifetime / 4).clamp(Duration::from_millis(1), MAX_SWEEP_INTERVAL);
        let now = Instant::now();
        ExpiringMap {
            entries: HashMap::new(),
            lifetime,
            sweep_every,
            next_sweep: deadline(now, sweep_every),
        }
    }

    /// The entry's lifetime.
    pub(crate) fn lifetime(&self) -> Duration {
        self.lifetime
    }

    /// Inserts (or replaces) `key`, living one lifetime from `now`.
    pub(crate) fn insert(&mut self, now: Instant, key: K, value: V) {
        self.sweep(now);
        self.entries
            .insert(key, (value, deadline(now, self.lifetime)));
    }

    /// The live value of `key`.
    pub(crate) fn get(&self, now: Instant, key: &K) -> Option<&V> {
        self.entries
            .get(key)
            .filter(|(_, until)| now < *until)
            .map(|(v, _)| v)
    }

    /// The live value of `key`, or a fresh default one; either way its lifetime restarts at
    /// `now` (and lasts at least until `keep_until`, when given).
    pub(crate) fn touch(&mut self, now: Instant, key: K, keep_until: Option<Instant>) -> &mut V
    where
        V: Default,
    {
        self.sweep(now);
        let until = deadline(now, self.lifetime).max(keep_until.unwrap_or(now));
        let slot = self
            .entries
            .entry(key)
            .or_insert_with(|| (V::default(), until));
        if now >= slot.1 {
            slot.0 = V::default();
        }
        slot.1 = until;
        &mut slot.0
    }

    /// Removes `key`; returns its value if it was live.
    pub(crate) fn remove(&mut self, now: Instant, key: &K) -> Option<V> {
        self.entries
            .remove(key)
            .filter(|(_, until)| now < *until)
            .map(|(v, _)| v)
    }

    /// Number of stored entries, expired ones not yet swept included.
    #[cfg(test)]
    pub(crate) fn stored(&self) -> usize {
        self.entries.len()
    }

    fn sweep(&mut self, now: Instant) {
        if now < self.next_sweep {
            return;
        }
        self.next_sweep = deadline(now, self.sweep_every);
        self.entries.retain(|_, (_, until)| now < *until);
        let len = self.entries.len();
        if self.entries.capacity() > 64 && self.entries.capacity() / 4 > len {
            self.entries.shrink_to_fit();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_expire_and_are_swept() {
        let mut m = ExpiringMap::new(Duration::from_millis(40));
        let t0 = Instant::now();
        for i in 0..1000 {
            m.insert(t0, i, i);
        }
        assert_eq!(m.get(t0, &7), Some(&7));
        let later = t0 + Duration::from_millis(50);
        assert_eq!(m.get(later, &7), None);
        m.insert(later, 5000, 1);
        assert_eq!(
            m.stored(),
            1,
            "the write after the lifetime swept the expired entries"
        );
    }

    #[test]
    fn touch_restarts_the_lifetime_and_resets_expired_values() {
        let mut m: ExpiringMap<&str, u32> = ExpiringMap::new(Duration::from_millis(40));
        let t0 = Instant::now();
        *m.touch(t0, "a", None) += 1;
        *m.touch(t0 + Duration::from_millis(30), "a", None) += 1;
        assert_eq!(m.get(t0 + Duration::from_millis(60), &"a"), Some(&2));
        assert_eq!(*m.touch(t0 + Duration::from_millis(200), "a", None), 0);
        let far = t0 + Duration::from_secs(10);
        m.touch(t0, "b", Some(far));
        assert!(m.get(t0 + Duration::from_secs(5), &"b").is_some());
        assert_eq!(m.remove(t0, &"b"), Some(0));
    }
}

//! Unpredictable-enough identifiers for issued tokens and keys.
//!
//! A test server needs tokens that differ per login and per run, not cryptographic strength, so
//! std's randomly keyed SipHash stands in for a `rand` dependency.

use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hasher};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

pub(crate) const HEX_LOWER: &[u8] = b"0123456789abcdef";
pub(crate) const HEX_UPPER: &[u8] = b"0123456789ABCDEF";
pub(crate) const ALNUM: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
pub(crate) const URL_SAFE: &[u8] =
    b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

fn random_u64() -> u64 {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let mut h = RandomState::new().build_hasher();
    h.write_u64(COUNTER.fetch_add(1, Ordering::Relaxed));
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or_default();
    h.write_u128(nanos);
    h.finish()
}

/// A string of `len` characters drawn from `alphabet` (which must not be empty).
pub(crate) fn random_string(len: usize, alphabet: &[u8]) -> String {
    let n = alphabet.len().max(1) as u64;
    let mut out = String::with_capacity(len);
    let mut bits = random_u64();
    let mut left = 8; // draws of one byte each per u64
    for _ in 0..len {
        if left == 0 {
            bits = random_u64();
            left = 8;
        }
        let idx = ((bits & 0xff) % n) as usize;
        out.push(char::from(alphabet.get(idx).copied().unwrap_or(b'x')));
        bits >>= 8;
        left -= 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_have_length_and_differ() {
        let a = random_string(32, HEX_LOWER);
        let b = random_string(32, HEX_LOWER);
        assert_eq!(a.len(), 32);
        assert!(a.bytes().all(|c| c.is_ascii_hexdigit()));
        assert_ne!(a, b);
    }
}

//! Unpredictable identifiers for issued tokens and keys, from `rand`'s thread-local generator
//! (a cryptographically secure one, seeded by the operating system).

use rand::Rng;

pub(crate) const HEX_LOWER: &[u8] = b"0123456789abcdef";
pub(crate) const HEX_UPPER: &[u8] = b"0123456789ABCDEF";
pub(crate) const ALNUM: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
pub(crate) const URL_SAFE: &[u8] =
    b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/// A string of `len` characters drawn uniformly from `alphabet` (which must not be empty).
pub(crate) fn random_string(len: usize, alphabet: &[u8]) -> String {
    assert!(!alphabet.is_empty(), "an empty alphabet");
    let mut rng = rand::rng();
    (0..len)
        .map(|_| char::from(alphabet[rng.random_range(0..alphabet.len())]))
        .collect()
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

//! One adapter per service: builds the generated client's request, maps its typed answers.

pub(crate) mod projectthanos;
pub(crate) mod remoteit;
pub(crate) mod rocketchat;
pub(crate) mod txty;

/// Whether a server's error code is a plain `UPPER_CASE` word (safe to show).
pub(crate) fn is_code(code: &str) -> bool {
    !code.is_empty()
        && code.len() <= 64
        && code
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_' || b == b'-')
}

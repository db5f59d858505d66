//! Text made harmless for a terminal: what a server, a keyring or a file sent is shown, never
//! obeyed.

use std::borrow::Cow;
use std::fmt::Write as _;

/// `text` with every character that can steer a terminal written out as `\u{…}`: C0 and C1
/// controls (escape sequences start with ESC or CSI), DEL, and the invisible format characters
/// that reorder or hide text (bidirectional overrides, zero-width characters).
///
/// ```
/// assert_eq!(apilogin_redact::terminal_safe("a\u{1b}[2Jb"), "a\\u{1b}[2Jb");
/// ```
pub fn terminal_safe(text: &str) -> Cow<'_, str> {
    if !text.chars().any(is_terminal_unsafe) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if is_terminal_unsafe(c) {
            let _ = write!(out, "\\u{{{:x}}}", c as u32);
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// Whether `c` can steer a terminal or hide text (see [`terminal_safe`]).
pub fn is_terminal_unsafe(c: char) -> bool {
    c.is_control()
        || matches!(c,
            '\u{200b}'..='\u{200f}' // zero-width, LRM, RLM
            | '\u{2028}'..='\u{202e}' // separators, bidi embeddings and overrides
            | '\u{2060}'..='\u{206f}' // word joiner, bidi isolates, deprecated format chars
            | '\u{feff}' // zero-width no-break space
            | '\u{fff9}'..='\u{fffb}') // interlinear annotations
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_what_steers_a_terminal() {
        assert_eq!(terminal_safe("alice"), "alice");
        assert_eq!(
            terminal_safe("a\u{1b}]0;pwned\u{7}b\u{9b}2Jc\u{202e}d\ne"),
            "a\\u{1b}]0;pwned\\u{7}b\\u{9b}2Jc\\u{202e}d\\u{a}e"
        );
        // Cleaning twice changes nothing more.
        let once = terminal_safe("x\u{1b}y").into_owned();
        assert_eq!(terminal_safe(&once), once);
    }
}

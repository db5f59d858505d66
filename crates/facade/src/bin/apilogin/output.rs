//! What the command prints: server-supplied text made harmless for a terminal, and sessions
//! shown without their secrets unless the user asks.

use std::borrow::Cow;
use std::fmt::Write as _;

use apilogin::Session;

/// `text` with every character that can steer a terminal written out as `\u{…}`: C0 and C1
/// controls (escape sequences start with ESC or CSI), DEL, and the invisible format characters
/// that reorder or hide text (bidirectional overrides, zero-width characters).
pub fn clean(text: &str) -> Cow<'_, str> {
    if !text.chars().any(is_unsafe) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if is_unsafe(c) {
            let _ = write!(out, "\\u{{{:x}}}", c as u32);
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

fn is_unsafe(c: char) -> bool {
    c.is_control()
        || matches!(c,
            '\u{200b}'..='\u{200f}' // zero-width, LRM, RLM
            | '\u{2028}'..='\u{202e}' // separators, bidi embeddings and overrides
            | '\u{2060}'..='\u{206f}' // word joiner, bidi isolates, deprecated format chars
            | '\u{feff}' // zero-width no-break space
            | '\u{fff9}'..='\u{fffb}') // interlinear annotations
}

/// JSON for a terminal: serde_json already escapes C0 controls inside strings; the other
/// unsafe characters (DEL, C1, bidi) are escaped here as `\uXXXX`, which is the same JSON
/// value. They can only occur inside strings, so the layout is untouched.
pub fn json(value: &impl serde::Serialize) -> anyhow::Result<String> {
    let text = serde_json::to_string_pretty(value)?;
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if is_unsafe(c) && !matches!(c, '\n') {
            let mut units = [0u16; 2];
            for u in c.encode_utf16(&mut units) {
                let _ = write!(out, "\\u{u:04x}");
            }
        } else {
            out.push(c);
        }
    }
    Ok(out)
}

/// Names of the session's members that hold secrets (`Session` serializes them in the clear,
/// because a stored session must round-trip).
const SECRET_MEMBERS: [&str; 3] = ["token", "developer_key", "service_authhash"];

/// The session as JSON: complete (what `verify --session` and `logout --session` read) when
/// `show_secrets`, else without the token, developer key and authhash.
pub fn session_json(session: &Session, show_secrets: bool) -> anyhow::Result<serde_json::Value> {
    let mut value = serde_json::to_value(session)?;
    if !show_secrets && let Some(map) = value.as_object_mut() {
        for name in SECRET_MEMBERS {
            map.remove(name);
        }
    }
    Ok(value)
}

/// One line about who is logged in where, cleaned for the terminal.
pub fn who(session: &Session) -> String {
    let user = session.user();
    let mut line = format!(
        "{} as {}",
        clean(&session.service().to_string()),
        clean(&user.to_string())
    );
    if let Some(id) = &user.user_id {
        let _ = write!(line, ", user id {}", clean(id));
    }
    line
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_what_steers_a_terminal() {
        assert_eq!(clean("alice"), "alice");
        assert_eq!(
            clean("a\u{1b}]0;pwned\u{7}b\u{9b}2Jc\u{202e}d\ne"),
            "a\\u{1b}]0;pwned\\u{7}b\\u{9b}2Jc\\u{202e}d\\u{a}e"
        );
        let j = json(&serde_json::json!({"name": "x\u{1b}[2J\u{9b}\u{7f}\u{202e}y"})).unwrap();
        assert!(!j.chars().any(|c| is_unsafe(c) && c != '\n'), "{j}");
        let back: serde_json::Value = serde_json::from_str(&j).unwrap();
        assert_eq!(back["name"], "x\u{1b}[2J\u{9b}\u{7f}\u{202e}y");
    }
}

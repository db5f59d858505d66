//! Short, scrubbed excerpts of server answers for error messages.
//!
//! A server may echo what it was sent (Txty returns the submitted password in its error body),
//! and an unexpected answer may be anything, so every excerpt goes through two filters: the
//! values of JSON members whose names look secret, and every known secret of the current
//! operation (raw, JSON-escaped and form-encoded), are replaced by `<redacted>`.

/// Characters kept from a body for an error message.
pub(crate) const EXCERPT_CHARS: usize = 200;

const REDACTED: &str = "<redacted>";

/// A one-line excerpt of at most [`EXCERPT_CHARS`] characters, scrubbed of secrets.
pub(crate) fn excerpt(body: &[u8], secrets: &[&str]) -> String {
    let text = String::from_utf8_lossy(body);
    let text = scrub(&redact_secret_members(&text), secrets);
    // One line: bodies such as HTML pages are mostly indentation.
    let mut out = String::new();
    let mut count = 0;
    let mut pending_space = false;
    for c in text.chars() {
        if c.is_whitespace() || c.is_control() {
            pending_space = !out.is_empty();
            continue;
        }
        if pending_space {
            out.push(' ');
            count += 1;
            pending_space = false;
        }
        if count >= EXCERPT_CHARS {
            out.push('…');
            break;
        }
        out.push(c);
        count += 1;
    }
    out
}

/// Replaces every known secret (and its JSON-escaped and form-encoded spellings).
pub(crate) fn scrub(text: &str, secrets: &[&str]) -> String {
    let mut variants: Vec<String> = Vec::new();
    for s in secrets.iter().filter(|s| !s.is_empty()) {
        variants.push((*s).to_owned());
        variants.push(json_escape(s));
        variants.push(form_encode(s));
    }
    // Longest first, so a secret that contains another is replaced whole.
    variants.sort_by_key(|v| std::cmp::Reverse(v.len()));
    variants.dedup();
    let mut out = text.to_owned();
    for v in &variants {
        if out.contains(v.as_str()) {
            out = out.replace(v.as_str(), REDACTED);
        }
    }
    out
}

fn json_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '/' => out.push('/'),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out
}

fn form_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'*' | b'-' | b'.' | b'_' => {
                out.push(b as char)
            }
            b' ' => out.push('+'),
            b => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// Whether a JSON member name looks like it holds a secret.
fn is_secret_name(name: &str) -> bool {
    let n = name.to_ascii_lowercase();
    [
        "pass",
        "token",
        "secret",
        "authhash",
        "key",
        "cookie",
        "authorization",
    ]
    .iter()
    .any(|p| n.contains(p))
        || matches!(n.as_str(), "code" | "resume" | "session")
}

/// Replaces the values of JSON members with secret-looking names. Works on malformed JSON too
/// (it scans `"name" : value` pairs instead of parsing), since broken answers are exactly the
/// ones that end up in excerpts.
fn redact_secret_members(text: &str) -> String {
    let b = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    let mut copied = 0;
    while i < b.len() {
        if b[i] != b'"' {
            i += 1;
            continue;
        }
        let Some(key_end) = string_end(b, i) else {
            break;
        };
        let name = &text[i + 1..key_end];
        let mut j = skip_ws(b, key_end + 1);
        if j < b.len() && b[j] == b':' && is_secret_name(name) {
            j = skip_ws(b, j + 1);
            let value_end = if j < b.len() && b[j] == b'"' {
                string_end(b, j).map(|e| e + 1).unwrap_or(b.len())
            } else {
                // A bare value (number, literal): up to the next delimiter.
                let mut e = j;
                while e < b.len() && !matches!(b[e], b',' | b'}' | b']' | b'\n') {
                    e += 1;
                }
                e
            };
            if value_end > j {
                out.push_str(&text[copied..j]);
                out.push('"');
                out.push_str(REDACTED);
                out.push('"');
                copied = value_end;
            }
            i = value_end.max(j + 1);
        } else {
            i = key_end + 1;
        }
    }
    out.push_str(&text[copied.min(text.len())..]);
    out
}

/// Index of the closing quote of the string starting at `start` (a `"`), honouring escapes.
fn string_end(b: &[u8], start: usize) -> Option<usize> {
    let mut i = start + 1;
    while i < b.len() {
        match b[i] {
            b'\\' => i += 2,
            b'"' => return Some(i),
            _ => i += 1,
        }
    }
    None
}

fn skip_ws(b: &[u8], mut i: usize) -> usize {
    while i < b.len() && b[i].is_ascii_whitespace() {
        i += 1;
    }
    i
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redacts_secret_members_and_known_secrets() {
        let body = br#"{"status":"error","error":"USER_NOT_FOUND","login":{"user":"bob","pass":"s3cret"}}"#;
        let e = excerpt(body, &[]);
        assert!(!e.contains("s3cret"), "{e}");
        assert!(e.contains("USER_NOT_FOUND"), "{e}");
        assert!(e.contains("bob"));

        let e = excerpt(b"you sent hunter2 and hunter2", &["hunter2"]);
        assert_eq!(e, "you sent <redacted> and <redacted>");
    }

    #[test]
    fn malformed_json_and_numbers() {
        let e = excerpt(br#"{"token": "abc", "code": 123456, ]"#, &[]);
        assert!(!e.contains("abc") && !e.contains("123456"), "{e}");
        let e = excerpt(br#"{"authToken":"unterminated"#, &[]);
        assert!(e.contains("authToken"), "{e}");
        // Unterminated strings are never a reason to panic or to leak.
        let _ = excerpt(br#"{"a":"\"#, &[]);
        let _ = excerpt(br#"""#, &[]);
    }

    #[test]
    fn encoded_spellings() {
        let e = excerpt(br#"{"x":"p\"w d"} p%22w+d"#, &["p\"w d"]);
        assert!(!e.contains("w d") && !e.contains("w+d"), "{e}");
    }

    #[test]
    fn bounded_single_line() {
        let body = format!("<html>\n   <body>{}</body>", "x".repeat(1000));
        let e = excerpt(body.as_bytes(), &[]);
        assert!(e.chars().count() <= EXCERPT_CHARS + 1);
        assert!(e.starts_with("<html> <body>xx"));
        // Multi-byte characters are never cut in half.
        let e = excerpt("é".repeat(500).as_bytes(), &[]);
        assert_eq!(e.chars().count(), EXCERPT_CHARS + 1);
    }
}

//! Short, scrubbed excerpts of server answers for error messages.
//!
//! A server may echo what it was sent (Txty returns the submitted password in its error body),
//! and an unexpected answer may be anything, so every excerpt goes through two filters: the
//! values of JSON members whose names look secret, and every known secret of the current
//! operation (in any spelling a server may echo it in: raw, JSON-escaped, percent-encoded,
//! HTML-escaped), are replaced by `<redacted>`.

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

/// Replaces every known secret, however the server spelled it: raw, JSON-escaped (`\"`, `\/`,
/// `\u00xx`, surrogate pairs), percent- or form-encoded (`%2F`, `%2f`, `+`), HTML-escaped
/// (`&amp;`, `&#47;`, `&#x2F;`), or any mix of these character by character.
///
/// Rather than building every spelling of every secret (they multiply), the text is matched
/// against the secret one character at a time, each character in any of its spellings.
pub(crate) fn scrub(text: &str, secrets: &[&str]) -> String {
    let secrets: Vec<Vec<char>> = secrets
        .iter()
        .filter(|s| !s.is_empty())
        .map(|s| s.chars().collect())
        .collect();
    if secrets.is_empty() {
        return text.to_owned();
    }
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < text.len() {
        // The longest match wins, so a secret that contains another is replaced whole.
        let end = secrets
            .iter()
            .filter_map(|s| match_secret(text, i, s))
            .max();
        match end {
            Some(end) => {
                out.push_str(REDACTED);
                i = end;
            }
            None => {
                let c = text[i..].chars().next().unwrap_or_default();
                out.push(c);
                i += c.len_utf8().max(1);
            }
        }
    }
    out
}

/// The end of a spelling of `secret` that starts at byte `at` of `text`.
fn match_secret(text: &str, at: usize, secret: &[char]) -> Option<usize> {
    let Some((&c, rest)) = secret.split_first() else {
        return Some(at);
    };
    // A character can have several spellings at one place (`%` raw, or the start of `%25`):
    // try each (the rest may follow only one of them), and keep the longest match.
    spellings(text, at, c)
        .into_iter()
        .flatten()
        .filter_map(|end| match_secret(text, end, rest))
        .max()
}

/// The ends of the spellings of `c` found at byte `at` of `text` (at most one per encoding).
fn spellings(text: &str, at: usize, c: char) -> [Option<usize>; 4] {
    let rest = &text[at..];
    let raw = rest.starts_with(c).then(|| at + c.len_utf8());
    [
        raw,
        json_escape_at(rest, c).map(|n| at + n),
        percent_at(rest, c).map(|n| at + n),
        html_entity_at(rest, c).map(|n| at + n),
    ]
}

/// Length of a JSON escape of `c` at the start of `s`: `\"`, `\/`, `\n`…, `\uXXXX` (a pair
/// of them for characters outside the BMP).
fn json_escape_at(s: &str, c: char) -> Option<usize> {
    let b = s.as_bytes();
    if b.first() != Some(&b'\\') || b.len() < 2 {
        return None;
    }
    let short = match b[1] {
        b'"' => Some('"'),
        b'\\' => Some('\\'),
        b'/' => Some('/'),
        b'b' => Some('\u{8}'),
        b'f' => Some('\u{c}'),
        b'n' => Some('\n'),
        b'r' => Some('\r'),
        b't' => Some('\t'),
        _ => None,
    };
    if short.is_some() {
        return (short == Some(c)).then_some(2);
    }
    let unit = |s: &str| -> Option<u32> {
        let hex = s.strip_prefix("\\u")?.get(..4)?;
        u32::from_str_radix(hex, 16).ok()
    };
    let first = unit(s)?;
    let mut units = [0u16; 2];
    let encoded = c.encode_utf16(&mut units);
    match encoded {
        [one] => (u32::from(*one) == first).then_some(6),
        [high, low] => {
            (u32::from(*high) == first && unit(&s[6..])? == u32::from(*low)).then_some(12)
        }
        _ => None,
    }
}

/// Length of a percent-encoding of `c` at the start of `s` (`%XX` per UTF-8 byte, either case;
/// `+` for a space, as in forms).
fn percent_at(s: &str, c: char) -> Option<usize> {
    if c == ' ' && s.starts_with('+') {
        return Some(1);
    }
    let mut buf = [0u8; 4];
    let mut n = 0;
    for byte in c.encode_utf8(&mut buf).bytes() {
        let hex = s.get(n..n + 3)?.strip_prefix('%')?;
        if u8::from_str_radix(hex, 16).ok()? != byte {
            return None;
        }
        n += 3;
    }
    Some(n)
}

/// Length of an HTML character reference to `c` at the start of `s`: named (`&amp;`, `&lt;`,
/// `&gt;`, `&quot;`, `&apos;`), decimal (`&#39;`) or hexadecimal (`&#x27;`).
fn html_entity_at(s: &str, c: char) -> Option<usize> {
    let body = s.strip_prefix('&')?;
    let end = body.bytes().take(12).position(|b| b == b';')?;
    let name = &body[..end];
    let value = if let Some(num) = name.strip_prefix('#') {
        let code = match num.strip_prefix(['x', 'X']) {
            Some(hex) => u32::from_str_radix(hex, 16).ok()?,
            None => num.parse::<u32>().ok()?,
        };
        char::from_u32(code)?
    } else {
        match name {
            "amp" => '&',
            "lt" => '<',
            "gt" => '>',
            "quot" => '"',
            "apos" => '\'',
            _ => return None,
        }
    };
    (value == c).then_some(end + 2)
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
    fn every_spelling_a_server_may_echo() {
        let secret = "p/w\"d é<&>'😀 x";
        let spellings = [
            // serde_json
            serde_json::to_string(secret)
                .unwrap()
                .trim_matches('"')
                .to_owned(),
            // PHP's json_encode: `\/` and `\uXXXX` for everything outside ASCII
            r#"p\/w\"d \u00e9<&>'\ud83d\ude00 x"#.to_owned(),
            // `\u00xx` for ASCII punctuation too (JSON_HEX_TAG and friends), upper-case hex
            r#"p\u002Fw\u0022d \u00E9\u003C\u0026\u003E\u0027\uD83D\uDE00\u0020x"#.to_owned(),
            // application/x-www-form-urlencoded
            form_urlencoded::byte_serialize(secret.as_bytes()).collect::<String>(),
            // percent-encoding with lower-case hex and %20
            "p%2fw%22d%20%c3%a9%3c%26%3e%27%f0%9f%98%80%20x".to_owned(),
            // HTML, named, decimal and hexadecimal
            "p/w&quot;d é&lt;&amp;&gt;&#39;😀 x".to_owned(),
            "p&#47;w&#x22;d &#233;&#x3C;&#38;&#X3e;&apos;&#128512;&#32;x".to_owned(),
        ];
        for spelling in spellings {
            let text = format!("you sent {spelling}, which is wrong");
            let e = excerpt(text.as_bytes(), &[secret]);
            assert_eq!(e, "you sent <redacted>, which is wrong", "{spelling}");
        }
        // A near miss is left alone.
        let e = excerpt(b"p%2fw%22d%20%c3%a9%3c%26%3e%27", &[secret]);
        assert!(e.starts_with("p%2fw"), "{e}");
        // A `%` in the secret, raw or encoded, both.
        assert_eq!(
            scrub("a 100% b 100%25 c", &["100%"]),
            "a <redacted> b <redacted> c"
        );
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

//! Short, scrubbed excerpts of server answers for error messages.
//!
//! A server may echo what it was sent (Txty returns the submitted password in its error body),
//! and an unexpected answer may be anything, so every excerpt goes through two filters: the
//! values of JSON members whose names look secret, and every known secret of the current
//! operation (in any spelling a server may echo it in: raw, JSON-escaped, percent-encoded,
//! HTML-escaped), are replaced by `<redacted>`.

use std::borrow::Cow;

use apilogin_secret_names::is_secret_name;

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

/// Length of a JSON escape of `c` at the start of `s`: `\"`, `\/`, `\n`…, `\uXXXX` in either
/// case (a pair of them for characters outside the BMP). serde_json decodes the candidates.
fn json_escape_at(s: &str, c: char) -> Option<usize> {
    if !s.starts_with('\\') {
        return None;
    }
    // An escape is 2 bytes (`\n`), 6 (`\u00e9`) or 12 (a surrogate pair); a candidate that
    // decodes to exactly `c` is one (a lone surrogate is refused by serde_json).
    [2, 6, 12].into_iter().find(|&n| {
        s.get(..n).is_some_and(|escape| {
            serde_json::from_str::<String>(&format!("\"{escape}\""))
                .is_ok_and(|decoded| decoded.chars().eq([c]))
        })
    })
}

/// Length of a percent-encoding of `c` at the start of `s` (`%XX` per UTF-8 byte, either case;
/// `+` for a space, as in forms). form_urlencoded decodes the candidate.
fn percent_at(s: &str, c: char) -> Option<usize> {
    let n = match s.as_bytes().first()? {
        b'+' => 1,
        b'%' => 3 * c.len_utf8(),
        _ => return None,
    };
    let (name, value) = form_urlencoded::parse(s.get(..n)?.as_bytes()).next()?;
    (value.is_empty() && name.chars().eq([c])).then_some(n)
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

/// Replaces the values of JSON members with secret-looking names (the list shared with the
/// lint, [`apilogin_secret_names`]). Works on malformed JSON too (it scans `"name" : value`
/// pairs instead of parsing), since broken answers are exactly the ones that end up in excerpts;
/// a name is read with serde_json, so an escaped spelling (`"pass\u0077ord"`) counts too.
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
        let quoted = &text[i..=key_end];
        let name = serde_json::from_str::<String>(quoted)
            .map(Cow::Owned)
            .unwrap_or(Cow::Borrowed(&quoted[1..quoted.len() - 1]));
        let mut j = skip_ws(b, key_end + 1);
        if j < b.len() && b[j] == b':' && is_secret_name(&name) {
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
    fn the_shared_secret_names() {
        // Names the lint knew and the scrubber did not, and the scrubber's own.
        for name in [
            "pwd",
            "pin",
            "otp",
            "totp",
            "sessionId",
            "X-Session-Id",
            "code",
            "resume",
        ] {
            let body = format!(r#"{{"user":"bob","{name}":"s3cret","n":1}}"#);
            let e = excerpt(body.as_bytes(), &[]);
            assert!(!e.contains("s3cret"), "{name}: {e}");
            assert!(e.contains("bob"), "{name}: {e}");
        }
        // A name in an escaped spelling is read as JSON reads it.
        let e = excerpt(br#"{"pass\u0077ord":"s3cret","to\u006ben":"abc"}"#, &[]);
        assert!(!e.contains("s3cret") && !e.contains("abc"), "{e}");
        // Harmless names keep their values.
        let e = excerpt(br#"{"countryCode":"DK","username":"bob"}"#, &[]);
        assert_eq!(e, r#"{"countryCode":"DK","username":"bob"}"#);
    }

    #[test]
    fn near_misses_of_escapes_are_not_matches() {
        // A lone surrogate, a truncated escape, an escape of another character.
        assert_eq!(json_escape_at(r"\ud83d x", '😀'), None);
        assert_eq!(json_escape_at(r"\u00e", 'é'), None);
        assert_eq!(json_escape_at(r"\n", 't'), None);
        assert_eq!(json_escape_at(r"\ud83d\ude00!", '😀'), Some(12));
        assert_eq!(json_escape_at(r"\u00E9", 'é'), Some(6));
        assert_eq!(percent_at("%C3%A9", 'é'), Some(6));
        assert_eq!(percent_at("%c3%a9", 'é'), Some(6));
        assert_eq!(percent_at("%C3", 'é'), None);
        assert_eq!(percent_at("%C3xA9", 'é'), None);
        assert_eq!(percent_at("+", ' '), Some(1));
        assert_eq!(percent_at("+", '+'), None);
        assert_eq!(percent_at("%2B", '+'), Some(3));
        assert_eq!(percent_at("%3D", '='), Some(3));
        assert_eq!(percent_at("%26", '&'), Some(3));
        assert_eq!(percent_at("%zz", '%'), None);
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

//! Finds secrets in text a server sent back and replaces them with `<redacted>`: the one
//! scrubber of apilogin, used by its generated API clients (their errors' `Display` and `Debug`)
//! and by its login facade (the excerpts of server answers in its errors).
//!
//! A server, a proxy or a firewall may echo what it was sent, and rarely as it was sent: a
//! password containing `"` shown inside an HTML error page that quotes the JSON request body
//! reads `\&quot;` (JSON escaping, then HTML escaping); a query string logged by a proxy and
//! percent-encoded again reads `%2522`; a `Basic` header echoed back is base64 of
//! `user:password`. [`Scrubber`] finds a secret raw or through **any chain of up to
//! [`MAX_LAYERS`] of the encodings it knows**, nested in any order:
//!
//! - JSON string escaping: `\"`, `\\`, `\/`, `\n`…, `\uXXXX` in either case, surrogate pairs;
//! - percent-encoding (`%2F`, `%2f`, every byte) and form encoding (`+` for a space);
//! - HTML character references: every named one (`&quot;`, `&sol;`, `&eacute;`…), decimal
//!   (`&#39;`) and hexadecimal (`&#x27;`);
//! - base64, standard and URL-safe, with or without padding, and inside a longer base64 text
//!   at any of the three byte alignments (every run of base64 characters is decoded from each
//!   of its four first characters, so the secret's bytes are found wherever they sit).
//!
//! It works by decoding, not by spelling the secret every possible way: the text is decoded
//! by each codec (each keeps what it does not recognise), the result decoded again, up to
//! [`MAX_LAYERS`] deep, and every place where a secret's bytes appear in any of these decoded
//! texts is mapped back to the characters of the original text it came from, which are then
//! replaced. The codecs are the trusted crates' (serde_json, percent-encoding, html-escape,
//! base64), applied to one escape at a time.
//!
//! When a text would take too long to check (more than [`WORK_LIMIT`] bytes of decoded text),
//! nothing of it is shown: [`Scrubber::scrub`] returns a note saying so instead.
//!
//! ```
//! use apilogin_redact::Scrubber;
//! let scrubber = Scrubber::new(["p\"w d"]);
//! // The JSON body `{"password":"p\"w d"}`, shown in an HTML page.
//! let page = r#"<pre>{&quot;password&quot;:&quot;p\&quot;w d&quot;}</pre>"#;
//! assert_eq!(
//!     scrubber.scrub(page),
//!     "<pre>{&quot;password&quot;:&quot;<redacted>&quot;}</pre>"
//! );
//! // Percent-encoded twice, and base64 of `user:p"w d`.
//! assert_eq!(scrubber.scrub("pass=p%2522w%2520d&x=1"), "pass=<redacted>&x=1");
//! assert!(!scrubber.scrub("Basic dXNlcjpwIncgZA==").contains("cCJ3IGQ"));
//! ```

#![forbid(unsafe_code)]

use std::borrow::Cow;
use std::fmt;

use apilogin_secret_names::is_secret_name;
use base64::Engine as _;

/// What replaces a secret.
pub const REDACTED: &str = "<redacted>";

/// How many encodings deep a secret is looked for: `\&quot;` (JSON, then HTML) is two,
/// a base64 header inside JSON inside an HTML page three.
pub const MAX_LAYERS: usize = 3;

/// The most bytes of decoded text one [`Scrubber::scrub`] looks through (the text itself, and
/// each decoding of it). A text that would need more is not shown at all.
pub const WORK_LIMIT: usize = 64 * 1024 * 1024;

/// Characters an [`excerpt`] keeps.
pub const EXCERPT_CHARS: usize = 200;

/// The secrets of one request, and the means to remove them from any text.
///
/// Its `Debug` shows how many secrets it holds, never one of them.
#[derive(Clone, Default)]
pub struct Scrubber {
    /// Non-empty, without duplicates.
    secrets: Vec<Vec<u8>>,
}

impl fmt::Debug for Scrubber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Scrubber({} secrets)", self.secrets.len())
    }
}

impl Scrubber {
    /// A scrubber for `secrets`; empty ones are ignored.
    pub fn new<I, S>(secrets: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let mut scrubber = Self::default();
        scrubber.extend(secrets);
        scrubber
    }

    /// Adds `secrets` (empty ones and ones already known are ignored).
    pub fn extend<I, S>(&mut self, secrets: I)
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        for secret in secrets {
            let secret = secret.as_ref().as_bytes();
            if !secret.is_empty() && !self.secrets.iter().any(|s| s == secret) {
                self.secrets.push(secret.to_vec());
            }
        }
    }

    /// Whether there is no secret to look for.
    pub fn is_empty(&self) -> bool {
        self.secrets.is_empty()
    }

    /// `text` with every secret, raw or through up to [`MAX_LAYERS`] encodings, replaced by
    /// [`REDACTED`]; or, when `text` is too large to check ([`WORK_LIMIT`]), a note instead.
    pub fn scrub(&self, text: &str) -> String {
        match self.try_scrub(text) {
            Some(scrubbed) => scrubbed,
            None => format!(
                "<{} bytes not shown: too large to check for secrets>",
                text.len()
            ),
        }
    }

    /// Like [`scrub`](Self::scrub), for bytes that may not be UTF-8 (invalid sequences become
    /// U+FFFD first).
    pub fn scrub_bytes(&self, bytes: &[u8]) -> String {
        self.scrub(&String::from_utf8_lossy(bytes))
    }

    /// `text` scrubbed, or `None` when checking it would take more than [`WORK_LIMIT`].
    pub fn try_scrub(&self, text: &str) -> Option<String> {
        if self.secrets.is_empty() || text.is_empty() {
            return Some(text.to_owned());
        }
        if text.len() > WORK_LIMIT {
            return None;
        }
        let mut search = Search {
            secrets: &self.secrets,
            min_len: self.secrets.iter().map(Vec::len).min().unwrap_or(1),
            found: Vec::new(),
            work: 0,
        };
        let identity: Vec<Span> = (0..text.len()).map(|i| (i, i + 1)).collect();
        search.look(text.as_bytes(), &identity, MAX_LAYERS)?;
        Some(replace(text, search.found))
    }
}

/// Where one byte of a decoded text came from: a byte range of the original text.
type Span = (usize, usize);

struct Search<'a> {
    secrets: &'a [Vec<u8>],
    min_len: usize,
    found: Vec<Span>,
    work: usize,
}

impl Search<'_> {
    /// Looks for the secrets in `text` (whose byte `i` came from `map[i]` of the original),
    /// then in each decoding of it, `layers` deep. `None` when over [`WORK_LIMIT`].
    fn look(&mut self, text: &[u8], map: &[Span], layers: usize) -> Option<()> {
        self.work += text.len();
        if self.work > WORK_LIMIT {
            return None;
        }
        for secret in self.secrets {
            for start in memchr::memmem::find_iter(text, secret) {
                let end = start + secret.len();
                self.found.push((map[start].0, map[end - 1].1));
            }
        }
        if layers == 0 || text.len() < self.min_len {
            return Some(());
        }
        let mut seen: Vec<Vec<u8>> = Vec::new();
        for codec in CODECS {
            let Some((decoded, decoded_map)) = codec(text, map, self.min_len) else {
                continue;
            };
            // Form decoding is percent decoding where the text has no `+`: look once.
            if seen.contains(&decoded) {
                continue;
            }
            self.look(&decoded, &decoded_map, layers - 1)?;
            seen.push(decoded);
        }
        Some(())
    }
}

/// A decoding of a text: `None` when it decodes nothing there (so nothing new can be found).
type Codec = fn(&[u8], &[Span], usize) -> Option<(Vec<u8>, Vec<Span>)>;

const CODECS: [Codec; 5] = [json, percent, form, html, base64_runs];

/// Decodes every unit `unit` recognises at a position (giving its decoded bytes and length),
/// keeping every other byte.
fn decode_units(
    text: &[u8],
    map: &[Span],
    unit: impl Fn(&[u8]) -> Option<(Vec<u8>, usize)>,
) -> Option<(Vec<u8>, Vec<Span>)> {
    let mut out = Vec::with_capacity(text.len());
    let mut out_map = Vec::with_capacity(text.len());
    let mut changed = false;
    let mut i = 0;
    while i < text.len() {
        if let Some((bytes, len)) = unit(&text[i..]) {
            let span = (map[i].0, map[i + len - 1].1);
            out_map.extend(std::iter::repeat_n(span, bytes.len()));
            out.extend_from_slice(&bytes);
            i += len;
            changed = true;
        } else {
            out.push(text[i]);
            out_map.push(map[i]);
            i += 1;
        }
    }
    changed.then_some((out, out_map))
}

/// JSON string escapes, decoded by serde_json: `\"` and the other two-character ones,
/// `\uXXXX`, and a surrogate pair as one character (a lone surrogate is kept as it is).
fn json(text: &[u8], map: &[Span], _: usize) -> Option<(Vec<u8>, Vec<Span>)> {
    memchr::memchr(b'\\', text)?;
    decode_units(text, map, |s| {
        if s.first() != Some(&b'\\') {
            return None;
        }
        [12, 6, 2].into_iter().find_map(|n| {
            let escape = std::str::from_utf8(s.get(..n)?).ok()?;
            if n > 2 && !escape.starts_with("\\u") {
                return None;
            }
            let decoded = serde_json::from_str::<String>(&format!("\"{escape}\"")).ok()?;
            (decoded.chars().count() == 1).then(|| (decoded.into_bytes(), n))
        })
    })
}

/// `%XX` (either case) as the byte it stands for, decoded by percent-encoding; `+` is kept.
fn percent(text: &[u8], map: &[Span], _: usize) -> Option<(Vec<u8>, Vec<Span>)> {
    memchr::memchr(b'%', text)?;
    decode_units(text, map, percent_unit)
}

/// Form encoding (`application/x-www-form-urlencoded`): `%XX`, and `+` for a space.
fn form(text: &[u8], map: &[Span], _: usize) -> Option<(Vec<u8>, Vec<Span>)> {
    memchr::memchr2(b'%', b'+', text)?;
    decode_units(text, map, |s| match s.first()? {
        b'+' => Some((vec![b' '], 1)),
        _ => percent_unit(s),
    })
}

fn percent_unit(s: &[u8]) -> Option<(Vec<u8>, usize)> {
    let escape = s.get(..3).filter(|e| e[0] == b'%')?;
    let decoded: Vec<u8> = percent_encoding::percent_decode(escape).collect();
    (decoded.len() == 1).then_some((decoded, 3))
}

/// HTML character references, decoded by html-escape: every named one, `&#NNN;`, `&#xHH;`.
fn html(text: &[u8], map: &[Span], _: usize) -> Option<(Vec<u8>, Vec<Span>)> {
    memchr::memchr(b'&', text)?;
    decode_units(text, map, |s| {
        if s.first() != Some(&b'&') {
            return None;
        }
        // The longest named reference is 33 bytes (`&CounterClockwiseContourIntegral;`); a
        // numeric one may have leading zeros.
        let end = s.iter().take(40).position(|&b| b == b';')?;
        let reference = std::str::from_utf8(&s[..=end]).ok()?;
        if !reference[1..end]
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'#')
        {
            return None;
        }
        let decoded = html_escape::decode_html_entities(reference);
        (decoded != reference).then(|| (decoded.into_owned().into_bytes(), end + 1))
    })
}

/// Every run of base64 characters (either alphabet; `=` padding allowed at its end), decoded
/// from each of its first four characters, so that whichever character starts a group the
/// secret's bytes are found; the decoded pieces are joined with a byte no UTF-8 text contains.
/// Each decoded byte maps to its group of four characters.
fn base64_runs(text: &[u8], map: &[Span], min_len: usize) -> Option<(Vec<u8>, Vec<Span>)> {
    const ENGINE: base64::engine::GeneralPurpose = base64::engine::GeneralPurpose::new(
        &base64::alphabet::STANDARD,
        base64::engine::GeneralPurposeConfig::new()
            .with_decode_padding_mode(base64::engine::DecodePaddingMode::Indifferent)
            .with_decode_allow_trailing_bits(true),
    );
    let is_b64 = |b: u8| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'-' | b'_');
    // A run shorter than the base64 of the shortest secret cannot hold one.
    let min_run = (min_len * 4).div_ceil(3).max(2);
    let mut out = Vec::new();
    let mut out_map = Vec::new();
    let mut i = 0;
    while i < text.len() {
        if !is_b64(text[i]) {
            i += 1;
            continue;
        }
        let start = i;
        while i < text.len() && is_b64(text[i]) {
            i += 1;
        }
        let end = i;
        for offset in 0..4 {
            let from = start + offset;
            if end.saturating_sub(from) < min_run {
                break;
            }
            let mut len = end - from;
            if len % 4 == 1 {
                len -= 1;
            }
            let symbols: Vec<u8> = text[from..from + len]
                .iter()
                .map(|&b| match b {
                    b'-' => b'+',
                    b'_' => b'/',
                    b => b,
                })
                .collect();
            let Ok(decoded) = ENGINE.decode(&symbols) else {
                continue;
            };
            for (k, byte) in decoded.into_iter().enumerate() {
                let group = from + 4 * (k / 3);
                let last = (group + 4).min(from + len) - 1;
                out.push(byte);
                out_map.push((map[group].0, map[last].1));
            }
            out.push(0xFF);
            out_map.push(map[start]);
        }
    }
    (!out.is_empty()).then_some((out, out_map))
}

/// `text` with the byte ranges `found` (widened to whole characters; overlapping or touching
/// ones merged) each replaced by one [`REDACTED`].
fn replace(text: &str, found: Vec<Span>) -> String {
    let mut spans: Vec<Span> = found
        .into_iter()
        .map(|(mut start, mut end)| {
            while !text.is_char_boundary(start) {
                start -= 1;
            }
            while !text.is_char_boundary(end) {
                end += 1;
            }
            (start, end)
        })
        .collect();
    spans.sort_unstable();
    let mut out = String::with_capacity(text.len());
    let mut copied: Option<usize> = None;
    for (start, end) in spans {
        match copied {
            Some(c) if start <= c => copied = Some(c.max(end)),
            _ => {
                out.push_str(&text[copied.unwrap_or(0)..start]);
                out.push_str(REDACTED);
                copied = Some(end);
            }
        }
    }
    out.push_str(&text[copied.unwrap_or(0)..]);
    out
}

/// `text` with every one of `secrets` found and replaced (see [`Scrubber`]).
pub fn scrub(text: &str, secrets: &[&str]) -> String {
    Scrubber::new(secrets).scrub(text)
}

/// A one-line excerpt of at most `max_chars` characters of `body` (a server's answer),
/// with the values of JSON members named like secrets ([`redact_secret_members`]) and every
/// secret of `scrubber` replaced by [`REDACTED`]. Enough of the body is scrubbed before it is
/// cut ([`Scrubber::window`]) that a secret is never shown in part.
pub fn excerpt(body: &[u8], scrubber: &Scrubber, max_chars: usize) -> String {
    let text = String::from_utf8_lossy(body);
    let text = scrubber.window(&text, max_chars);
    one_line(&scrubber.scrub(&redact_secret_members(text)), max_chars)
}

impl Scrubber {
    /// The start of `text` that must be scrubbed before its first `max_chars` characters are
    /// shown: those characters (4 bytes each at most) and room for the longest spelling of the
    /// longest secret that may start among them ([`MAX_LAYERS`] encodings, each at most
    /// [`LONGEST_SPELLING`] bytes per byte), so that no secret is cut in two by the excerpt.
    pub fn window<'t>(&self, text: &'t str, max_chars: usize) -> &'t str {
        let longest = self.secrets.iter().map(Vec::len).max().unwrap_or(0);
        let room = longest.saturating_mul(LONGEST_SPELLING.pow(MAX_LAYERS as u32));
        let mut end = max_chars.saturating_mul(4).saturating_add(room);
        if end >= text.len() {
            return text;
        }
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        &text[..end]
    }
}

/// The most bytes one encoding writes for one byte of its input: an HTML reference such as
/// `&DiacriticalGrave;` for a backtick (JSON's `\uXXXX` is 6, percent-encoding 3, base64 less than 2).
pub const LONGEST_SPELLING: usize = 18;

/// `text` on one line (runs of whitespace and control characters become one space), cut after
/// `max_chars` characters with `…`.
pub fn one_line(text: &str, max_chars: usize) -> String {
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
        if count >= max_chars {
            out.push('…');
            break;
        }
        out.push(c);
        count += 1;
    }
    out
}

/// Replaces the values of JSON members with secret-looking names (the list of
/// [`apilogin_secret_names`]). Works on malformed JSON too (it scans `"name" : value` pairs
/// instead of parsing), since broken answers are exactly the ones that end up in messages; a
/// name is read with serde_json, so an escaped spelling (`"pass\u0077ord"`) counts too.
pub fn redact_secret_members(text: &str) -> String {
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

mod terminal;
pub use terminal::{is_terminal_unsafe, terminal_safe};

#[cfg(test)]
mod tests;

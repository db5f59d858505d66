//! The scrubber against random secrets wrapped in random chains of one to three encodings,
//! each layer in a random context (so base64 sits at every alignment of a longer text).
//!
//! The encoders are the trusted crates' (serde_json, percent-encoding, form_urlencoded,
//! html-escape, base64) plus the spellings other servers use (PHP's `\uXXXX` for everything
//! outside ASCII and `\/`; HTML numeric references, decimal and hexadecimal).

use apilogin_redact::{REDACTED, Scrubber};
use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD};
use proptest::prelude::*;

/// Every ASCII punctuation mark, and letters outside ASCII (two-, three- and four-byte UTF-8).
const PUNCTUATION: &str = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~";
const NON_ASCII: &str = "éßøÆñДжΩλ中文한😀𝔘";

#[derive(Debug, Clone, Copy)]
enum Encoding {
    Json,
    JsonAscii,
    Percent,
    PercentLower,
    Form,
    HtmlEscape,
    HtmlDecimal,
    HtmlHex,
    Base64(u8),
}

fn encode(e: Encoding, text: &str) -> String {
    match e {
        Encoding::Json => {
            let s = serde_json::to_string(text).unwrap();
            s[1..s.len() - 1].to_owned()
        }
        Encoding::JsonAscii => text
            .chars()
            .map(|c| match c {
                '/' => "\\/".to_owned(),
                '"' => "\\\"".to_owned(),
                '\\' => "\\\\".to_owned(),
                c if !c.is_ascii() || c.is_ascii_control() => c
                    .encode_utf16(&mut [0; 2])
                    .iter()
                    .map(|u| format!("\\u{u:04X}"))
                    .collect(),
                c => c.to_string(),
            })
            .collect(),
        Encoding::Percent => {
            percent_encoding::utf8_percent_encode(text, percent_encoding::NON_ALPHANUMERIC)
                .to_string()
        }
        Encoding::PercentLower => text.bytes().map(|b| format!("%{b:02x}")).collect(),
        Encoding::Form => form_urlencoded::byte_serialize(text.as_bytes()).collect(),
        Encoding::HtmlEscape => html_escape::encode_double_quoted_attribute(text).into_owned(),
        Encoding::HtmlDecimal => text
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() {
                    c.to_string()
                } else {
                    format!("&#{};", c as u32)
                }
            })
            .collect(),
        Encoding::HtmlHex => text
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() {
                    c.to_string()
                } else {
                    format!("&#x{:X};", c as u32)
                }
            })
            .collect(),
        Encoding::Base64(n) => engine(n).encode(text),
    }
}

fn engine(n: u8) -> base64::engine::GeneralPurpose {
    match n % 4 {
        0 => STANDARD,
        1 => STANDARD_NO_PAD,
        2 => URL_SAFE,
        _ => URL_SAFE_NO_PAD,
    }
}

fn encoding() -> impl Strategy<Value = Encoding> {
    prop_oneof![
        Just(Encoding::Json),
        Just(Encoding::JsonAscii),
        Just(Encoding::Percent),
        Just(Encoding::PercentLower),
        Just(Encoding::Form),
        Just(Encoding::HtmlEscape),
        Just(Encoding::HtmlDecimal),
        Just(Encoding::HtmlHex),
        (0u8..4).prop_map(Encoding::Base64),
    ]
}

/// A secret of 8 to 24 characters from letters, digits, every ASCII punctuation mark and
/// non-ASCII letters, with at least one punctuation mark and one non-ASCII letter.
fn secret() -> impl Strategy<Value = String> {
    let alphabet: Vec<char> = format!("abcXYZ019 {PUNCTUATION}{NON_ASCII}")
        .chars()
        .collect();
    (
        proptest::collection::vec(proptest::sample::select(alphabet), 6..22),
        proptest::sample::select(PUNCTUATION.chars().collect::<Vec<_>>()),
        proptest::sample::select(NON_ASCII.chars().collect::<Vec<_>>()),
        any::<proptest::sample::Index>(),
    )
        .prop_map(|(mut chars, p, n, at)| {
            let at = at.index(chars.len());
            chars.insert(at, p);
            chars.push(n);
            chars.into_iter().collect()
        })
}

/// Text around a layer: a few words, so base64 starts at any alignment.
fn context() -> impl Strategy<Value = String> {
    "[a-zA-Z0-9 :=,{}\"<>/]{0,7}"
}

/// The secret's own spellings after each layer, for the assertion: for base64, the part of the
/// encoding that depends on the secret's bytes only, at each of the three alignments.
fn spellings(secret: &str, chain: &[Encoding]) -> Vec<String> {
    let mut all = vec![secret.to_owned()];
    let mut current = vec![secret.to_owned()];
    for &e in chain {
        let mut next = Vec::new();
        for s in &current {
            match e {
                Encoding::Base64(n) => {
                    for align in 0..3usize {
                        // `align` bytes before the secret: the first group holding the secret's
                        // bytes only starts at the next multiple of 3; keep whole groups.
                        let skip = (3 - align) % 3;
                        let bytes = &s.as_bytes()[skip.min(s.len())..];
                        let whole = bytes.len() / 3 * 3;
                        if whole >= 6 {
                            next.push(
                                engine(n)
                                    .encode(&bytes[..whole])
                                    .trim_end_matches('=')
                                    .to_owned(),
                            );
                        }
                    }
                }
                _ => next.push(encode(e, s)),
            }
        }
        all.extend(next.iter().cloned());
        current = next;
    }
    all.retain(|s| s.len() >= 8);
    all
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn a_secret_in_any_chain_of_encodings_is_scrubbed(
        secret in secret(),
        chain in proptest::collection::vec((encoding(), context(), context()), 1..=3),
    ) {
        let mut text = secret.clone();
        for (e, before, after) in &chain {
            text = format!("{before}{}{after}", encode(*e, &text));
        }
        let text = format!("KEEP-START {text} KEEP-END");
        let scrubbed = Scrubber::new([secret.as_str()]).scrub(&text);
        prop_assert!(scrubbed.contains(REDACTED), "nothing scrubbed in {text:?}");
        prop_assert!(
            scrubbed.starts_with("KEEP-START ") && scrubbed.ends_with(" KEEP-END"),
            "{scrubbed:?}"
        );
        let encodings: Vec<Encoding> = chain.iter().map(|(e, _, _)| *e).collect();
        for spelling in spellings(&secret, &encodings) {
            prop_assert!(
                !scrubbed.contains(&spelling),
                "{encodings:?}: {spelling:?} left in {scrubbed:?} (from {text:?})"
            );
        }
    }
}

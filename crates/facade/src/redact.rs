//! Short, scrubbed excerpts of server answers for error messages, by the one scrubber
//! ([`apilogin_redact`], shared with the generated clients).
//!
//! A server may echo what it was sent (Txty returns the submitted password in its error body),
//! and an unexpected answer may be anything, so every excerpt goes through two filters: the
//! values of JSON members whose names look secret, and every known secret of the current
//! operation, raw or through any chain of up to three encodings (JSON escaping, percent or form
//! encoding, HTML references, base64), are replaced by `<redacted>`.

/// Characters kept from a body for an error message.
pub(crate) const EXCERPT_CHARS: usize = apilogin_redact::EXCERPT_CHARS;

/// A one-line excerpt of at most [`EXCERPT_CHARS`] characters, scrubbed of secrets.
pub(crate) fn excerpt(body: &[u8], secrets: &[&str]) -> String {
    let scrubber = apilogin_redact::Scrubber::new(secrets.iter().copied());
    apilogin_redact::excerpt(body, &scrubber, EXCERPT_CHARS)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What the command's errors show of an answer that echoes the password, the
    /// `\&quot;` case of the security review included (JSON shown in an HTML page).
    #[test]
    fn excerpts_are_scrubbed_and_short() {
        let password = "p\"ä/ss w&rd";
        let body = r#"<pre>{&quot;password&quot;:&quot;p\&quot;ä/ss w&amp;rd&quot;}</pre>"#;
        let e = excerpt(body.as_bytes(), &[password]);
        assert_eq!(
            e,
            "<pre>{&quot;password&quot;:&quot;<redacted>&quot;}</pre>"
        );
        let e = excerpt(
            format!("{}{password}", "x".repeat(500)).as_bytes(),
            &[password],
        );
        assert_eq!(e.chars().count(), EXCERPT_CHARS + 1);
        let e = excerpt(br#"{"token":"abc"}"#, &[]);
        assert_eq!(e, r#"{"token":"<redacted>"}"#);
    }
}

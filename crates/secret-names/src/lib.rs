//! The field names that say a field carries a secret (a password, token, key, code, ...), in
//! one list shared by the two places that must agree on it:
//!
//! - `cargo xtask lint` asks every string field so named in the specs to be `format: password`
//!   (or to say why not, with `x-not-secret: <reason>`), so that docs tools and generated
//!   clients mask it;
//! - the `apilogin` facade replaces the values of JSON members so named in the excerpts of
//!   server answers it puts into error messages.
//!
//! A name is compared with every separator and case difference removed: `auth_token`,
//! `authToken`, `X-Auth-Token` and `AUTHTOKEN` are spelled alike (`authtoken`). It is secret
//! when it contains one of the [`Match::Within`] words, or is one of the [`Match::Whole`] names.
//! The list errs on the side of secrecy: a lint false positive costs one `x-not-secret` with a
//! reason, a missed name in the scrubber leaks a secret into a log.
//!
//! ```
//! use apilogin_secret_names::is_secret_name;
//! assert!(is_secret_name("X-Auth-Token"));
//! assert!(is_secret_name("service_authhash"));
//! assert!(is_secret_name("code")); // a second-factor code
//! assert!(!is_secret_name("countryCode"));
//! assert!(!is_secret_name("username"));
//! ```

#![forbid(unsafe_code)]

/// How a listed word is matched against a field name (both without separators, lower-case).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Match {
    /// The name contains the word anywhere: `password` makes `newPassword` and
    /// `password_confirmation` secret.
    Within,
    /// The name is the word: for short or common words that occur inside harmless names
    /// (`pin` in `shipping`, `otp` in `footprint`, `code` in `countryCode`).
    Whole,
}

/// Every secret field name, lower-case letters and digits only, with how it matches.
pub const SECRET_FIELD_NAMES: &[(&str, Match)] = &[
    // passwords (`pass` also covers `password`, `passwd`, `passphrase`, `passcode`)
    ("pass", Match::Within),
    ("pwd", Match::Within),
    // tokens, keys and other credentials
    ("token", Match::Within),
    ("secret", Match::Within),
    ("key", Match::Within), // `apikey`, `tfkey`, `privateKey`, `developerkey`, ...
    ("authhash", Match::Within),
    ("sessionid", Match::Within),
    ("cookie", Match::Within),
    ("authorization", Match::Within),
    ("totp", Match::Within),
    // short or common words: only as the whole name
    ("pin", Match::Whole),
    ("otp", Match::Whole),
    ("code", Match::Whole),   // a second-factor code (Rocket.Chat's `code`)
    ("resume", Match::Whole), // Rocket.Chat's resume token
    ("session", Match::Whole),
];

/// Whether a field name (a JSON member, form field, parameter or header) says the field
/// carries a secret. See the crate documentation for the matching rule.
pub fn is_secret_name(name: &str) -> bool {
    let n: Vec<u8> = name
        .bytes()
        .filter(u8::is_ascii_alphanumeric)
        .map(|b| b.to_ascii_lowercase())
        .collect();
    SECRET_FIELD_NAMES.iter().any(|&(word, how)| {
        let word = word.as_bytes();
        match how {
            Match::Whole => n == word,
            Match::Within => n.windows(word.len()).any(|w| w == word),
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_names_the_four_services_use_for_secrets() {
        for name in [
            "password",
            "pass",
            "auth_token",
            "authToken",
            "token",
            "key",
            "apikey",
            "newapikey",
            "tfkey",
            "authhash",
            "service_authhash",
            "X-Auth-Token",
            "Authorization",
            "developerkey",
            "code",
            "resume",
        ] {
            assert!(is_secret_name(name), "{name}");
        }
    }

    #[test]
    fn the_names_the_lint_knew() {
        for name in [
            "pwd",
            "PIN",
            "otp",
            "totp",
            "totpCode",
            "secret",
            "passwd",
            "passphrase",
            "private_key",
            "accessKey",
            "secretKey",
            "session_id",
            "sessionId",
            "X-Session-Id",
        ] {
            assert!(is_secret_name(name), "{name}");
        }
    }

    #[test]
    fn the_names_the_scrubber_knew() {
        for name in [
            "tokenType", // contains `token`: the stricter rule of the two wins
            "set-cookie",
            "Cookie",
            "proxy-authorization",
            "session",
            "userPassword",
            "password_confirmation",
        ] {
            assert!(is_secret_name(name), "{name}");
        }
    }

    #[test]
    fn separators_and_case_are_ignored() {
        for name in [
            "AUTH-TOKEN",
            "auth.token",
            "auth token",
            "_code_",
            "Re-Sume",
            "p_i_n",
        ] {
            assert!(is_secret_name(name), "{name}");
        }
    }

    #[test]
    fn ordinary_names_are_not_secret() {
        for name in [
            "",
            "user",
            "username",
            "userId",
            "email",
            "status",
            "reason",
            "org_uuid",
            "countryCode",
            "errorCode",
            "encoding",
            "shipping",
            "footprint",
            "resumed",
            "sessions",
            "description",
        ] {
            assert!(!is_secret_name(name), "{name}");
        }
    }

    #[test]
    fn the_list_is_normalised() {
        for &(word, _) in SECRET_FIELD_NAMES {
            assert!(
                !word.is_empty()
                    && word
                        .bytes()
                        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit()),
                "{word}"
            );
            assert!(is_secret_name(word), "{word}");
        }
    }

    #[test]
    fn long_names_are_matched_whole() {
        let long = "a".repeat(1000);
        assert!(is_secret_name(&format!("{long}token{long}")));
        assert!(!is_secret_name(&long));
    }
}

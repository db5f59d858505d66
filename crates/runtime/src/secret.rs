//! [`Secret`]: a string that never shows itself by accident.

use std::fmt;

use serde::{Deserialize, Serialize};

/// A password, token, key or second-factor code: every `format: password` field of a spec,
/// every credential, and the secrets of the `apilogin` facade.
///
/// It is sent and received as a plain JSON string (`serde(transparent)`), but `Debug` shows
/// `Secret("<redacted>")` and `Display` `<redacted>`, so it cannot end up in a log or an error
/// message by accident. Read it with [`Secret::expose_secret`] where the value is really needed.
#[derive(Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Secret(String);

impl Secret {
    /// Wraps a secret value.
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// The secret itself. Call it only where the value is sent or stored on purpose.
    pub fn expose_secret(&self) -> &str {
        &self.0
    }

    /// Whether the secret is the empty string.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(\"<redacted>\")")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

impl From<String> for Secret {
    fn from(value: String) -> Self {
        Self(value)
    }
}

impl From<&str> for Secret {
    fn from(value: &str) -> Self {
        Self(value.to_owned())
    }
}

impl From<&Secret> for Secret {
    fn from(value: &Secret) -> Self {
        value.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn never_shows_itself() {
        let s = Secret::new("hunter2");
        for shown in [format!("{s:?}"), format!("{s}"), format!("{s:#?}")] {
            assert!(!shown.contains("hunter2"), "{shown}");
        }
        assert_eq!(format!("{s:?}"), "Secret(\"<redacted>\")");
        assert_eq!(s.expose_secret(), "hunter2");
        assert!(!s.is_empty());
        assert!(Secret::from("").is_empty());
    }

    #[test]
    fn serializes_as_plain_string() {
        let s = Secret::new("tok");
        let json = serde_json::to_string(&s).unwrap();
        assert_eq!(json, "\"tok\"");
        let back: Secret = serde_json::from_str(&json).unwrap();
        assert_eq!(back, s);
    }
}

//! [`SecretString`]: a string that never shows itself by accident.

/// A password, developer key, token, API key or second-factor code: the one secret type of
/// apilogin, [`apilogin_runtime::Secret`], which every generated client crate's `Secret` is too
/// (so a secret passes between the facade and a client without a copy or a conversion).
///
/// `Debug` prints `Secret("<redacted>")` and `Display` `<redacted>`, so a secret cannot end up
/// in a log line or an error message by accident. It serializes as the plain string
/// (`serde(transparent)`) because a stored [`Session`](crate::Session) must round-trip; read it
/// with [`SecretString::expose_secret`] only where the value is really sent or stored.
pub type SecretString = apilogin_runtime::Secret;

#[cfg(test)]
mod tests {
    use super::*;

    /// The facade's name and a client crate's are one type.
    #[test]
    fn is_the_clients_secret() {
        let s: remoteit_client::Secret = SecretString::new("hunter2");
        assert!(!format!("{s:?}{s}").contains("hunter2"));
    }
}

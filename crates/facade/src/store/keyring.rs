//! The OS keyring (Secret Service, macOS Keychain, Windows Credential Manager): one entry per
//! session, service `apilogin`, user `<service> <base URL> <account>`, the session's JSON as
//! the password.

/// The keyring's service name for every entry.
pub(crate) const SERVICE: &str = "apilogin";

/// The keyring user of a session.
pub(crate) fn user(service: &str, base_url: &str, account: &str) -> String {
    format!("{service} {base_url} {account}")
}

/// The text kept for `user` (`Err`: why there is none, without anything the keyring echoed).
pub(crate) fn get(user: &str) -> Result<String, String> {
    keyring::Entry::new(SERVICE, user)
        .and_then(|k| k.get_password())
        .map_err(|e| describe(&e))
}

/// Keeps `text` for `user` (`Err`: why not).
pub(crate) fn set(user: &str, text: &str) -> Result<(), String> {
    keyring::Entry::new(SERVICE, user)
        .and_then(|k| k.set_password(text))
        .map_err(|e| describe(&e))
}

/// Forgets what is kept for `user`.
pub(crate) fn delete(user: &str) {
    if let Ok(k) = keyring::Entry::new(SERVICE, user) {
        // Already gone is fine; anything else leaves an orphan nobody lists, which is harmless.
        let _ = k.delete_credential();
    }
}

/// A keyring error without anything the keyring may have echoed.
fn describe(e: &keyring::Error) -> String {
    match e {
        keyring::Error::NoEntry => "no such entry".to_owned(),
        keyring::Error::NoStorageAccess(inner) | keyring::Error::PlatformFailure(inner) => {
            inner.to_string()
        }
        keyring::Error::BadEncoding(_) => "the entry is not text".to_owned(),
        other => other.to_string(),
    }
}

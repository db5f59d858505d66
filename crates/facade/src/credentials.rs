//! What a user logs in with.

use std::fmt;

use crate::error::ConfigError;
use crate::secret::SecretString;
use crate::service::ServiceKind;

/// The name Txty gives the API key a login creates, unless [`Credentials::key_description`] says
/// otherwise.
pub const DEFAULT_KEY_DESCRIPTION: &str = "apilogin";

/// A user name and password, plus what a service needs besides: remote.it's developer key,
/// Txty's key description.
///
/// `Debug` and `Display` never show the password or the developer key.
#[derive(Clone)]
pub struct Credentials {
    user: String,
    password: SecretString,
    developer_key: Option<SecretString>,
    key_description: Option<String>,
}

impl Credentials {
    /// A user name (or e-mail, as the service accepts) and password.
    pub fn new(user: impl Into<String>, password: impl Into<SecretString>) -> Self {
        Credentials {
            user: user.into(),
            password: password.into(),
            developer_key: None,
            key_description: None,
        }
    }

    /// remote.it's developer key (account settings page of the remote.it portal). Required for
    /// remote.it, ignored by the others.
    pub fn developer_key(mut self, key: impl Into<SecretString>) -> Self {
        self.developer_key = Some(key.into());
        self
    }

    /// The name of the API key a Txty login creates (default [`DEFAULT_KEY_DESCRIPTION`]).
    /// Ignored by the other services.
    pub fn key_description(mut self, description: impl Into<String>) -> Self {
        self.key_description = Some(description.into());
        self
    }

    /// The user name.
    pub fn user(&self) -> &str {
        &self.user
    }

    /// The password.
    pub fn password(&self) -> &SecretString {
        &self.password
    }

    /// remote.it's developer key, if set.
    pub fn get_developer_key(&self) -> Option<&SecretString> {
        self.developer_key.as_ref()
    }

    /// The Txty key description that will be sent.
    pub fn get_key_description(&self) -> &str {
        self.key_description
            .as_deref()
            .unwrap_or(DEFAULT_KEY_DESCRIPTION)
    }

    /// Fails early, before any request, when something the service needs is missing.
    pub(crate) fn check(&self, service: ServiceKind) -> Result<(), ConfigError> {
        let missing = |what| Err(ConfigError::MissingCredential { service, what });
        if self.user.trim().is_empty() {
            return missing("user name");
        }
        if self.password.is_empty() {
            return missing("password");
        }
        if service == ServiceKind::RemoteIt
            && self
                .developer_key
                .as_ref()
                .is_none_or(SecretString::is_empty)
        {
            return missing("developer key");
        }
        Ok(())
    }

    /// Every secret of these credentials, to scrub from error excerpts.
    pub(crate) fn secrets(&self) -> Vec<&str> {
        // Room for a second-factor code too, which some logins add.
        let mut v = Vec::with_capacity(3);
        v.push(self.password.expose_secret());
        if let Some(k) = &self.developer_key {
            v.push(k.expose_secret());
        }
        v
    }
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("user", &self.user)
            .field("password", &self.password)
            .field("developer_key", &self.developer_key)
            .field("key_description", &self.key_description)
            .finish()
    }
}

impl fmt::Display for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} (password <redacted>", self.user)?;
        if self.developer_key.is_some() {
            f.write_str(", developer key <redacted>")?;
        }
        f.write_str(")")
    }
}

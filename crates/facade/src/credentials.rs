//! What a user logs in with.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::{Arc, Mutex, PoisonError};

use crate::error::ConfigError;
use crate::generated::kinds::ServiceKind;
use crate::secret::SecretString;
use crate::session::Session;

/// The name Txty gives the API key a login creates, unless [`Credentials::key_description`] says
/// otherwise.
pub const DEFAULT_KEY_DESCRIPTION: &str = "apilogin";

/// A user name and password, plus the inputs a service needs besides
/// ([`ServiceKind::inputs`]): remote.it's developer key, Txty's key description.
///
/// `Debug` and `Display` never show the password or any input's value.
///
/// The values a service's login makes once ([`ServiceKind::generated`], e.g. a device id) are
/// made the first time these credentials log in and kept: the answer to a second-factor
/// challenge, and later logins with these credentials or their clones, send the same ones. Give
/// a known value with [`generated`](Credentials::generated) (from a stored session:
/// [`generated_from`](Credentials::generated_from)).
#[derive(Clone)]
pub struct Credentials {
    user: String,
    password: SecretString,
    inputs: BTreeMap<String, SecretString>,
    /// Generated values given by the caller.
    generated: BTreeMap<String, String>,
    /// Generated values made by a login with these credentials (shared by clones, so that a
    /// challenge's answer sends what the login sent).
    made: Arc<Mutex<BTreeMap<String, String>>>,
}

/// The input names of the two shortcuts ([`Credentials::developer_key`],
/// [`Credentials::key_description`]), as their specs name them.
const DEVELOPER_KEY: &str = "developerKey";
const KEY_DESCRIPTION: &str = "keyDescription";

impl Credentials {
    /// A user name (or e-mail, as the service accepts) and password.
    pub fn new(user: impl Into<String>, password: impl Into<SecretString>) -> Self {
        Credentials {
            user: user.into(),
            password: password.into(),
            inputs: BTreeMap::new(),
            generated: BTreeMap::new(),
            made: Arc::default(),
        }
    }

    /// Re-uses `value` as the service's generated value `name` ([`ServiceKind::generated`],
    /// e.g. the `deviceId` of an earlier session) instead of making a new one. Names the
    /// service does not have are ignored.
    pub fn generated(mut self, name: &str, value: impl Into<String>) -> Self {
        self.generated.insert(name.to_owned(), value.into());
        self
    }

    /// Re-uses every generated value `session` keeps (see [`generated`](Credentials::generated)):
    /// a new login then looks like the same device to the server.
    pub fn generated_from(mut self, session: &Session) -> Self {
        for (name, value) in session.generated_values() {
            self.generated.insert(name.to_owned(), value.to_owned());
        }
        self
    }

    /// Generated value `name`: the one given, else the one a login with these credentials made.
    pub fn generated_value(&self, name: &str) -> Option<String> {
        self.generated.get(name).cloned().or_else(|| {
            self.made
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .get(name)
                .cloned()
        })
    }

    /// Generated value `name`: the one given, else the one made before, else `make`'s (kept).
    pub(crate) fn generated_or<E>(
        &self,
        name: &str,
        make: impl FnOnce() -> Result<String, E>,
    ) -> Result<String, E> {
        if let Some(v) = self.generated.get(name) {
            return Ok(v.clone());
        }
        let mut made = self.made.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(v) = made.get(name) {
            return Ok(v.clone());
        }
        let v = make()?;
        made.insert(name.to_owned(), v.clone());
        Ok(v)
    }

    /// Sets input `name` of the service's [`inputs`](ServiceKind::inputs) (e.g.
    /// `developerKey`). Inputs the service does not take are ignored.
    pub fn input(mut self, name: &str, value: impl Into<SecretString>) -> Self {
        self.inputs.insert(name.to_owned(), value.into());
        self
    }

    /// Input `name`, if set.
    pub fn input_value(&self, name: &str) -> Option<&SecretString> {
        self.inputs.get(name)
    }

    /// remote.it's developer key (account settings page of the remote.it portal). Required for
    /// remote.it, ignored by the others.
    pub fn developer_key(self, key: impl Into<SecretString>) -> Self {
        self.input(DEVELOPER_KEY, key)
    }

    /// The name of the API key a Txty login creates (default [`DEFAULT_KEY_DESCRIPTION`]).
    /// Ignored by the other services.
    pub fn key_description(self, description: impl Into<String>) -> Self {
        self.input(KEY_DESCRIPTION, description.into())
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
        self.input_value(DEVELOPER_KEY)
    }

    /// The Txty key description that will be sent.
    pub fn get_key_description(&self) -> &str {
        self.input_value(KEY_DESCRIPTION)
            .map_or(DEFAULT_KEY_DESCRIPTION, SecretString::expose_secret)
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
        for input in service.inputs() {
            if input.required
                && self
                    .input_value(input.name)
                    .is_none_or(SecretString::is_empty)
            {
                return missing(input.label);
            }
        }
        Ok(())
    }
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("user", &self.user)
            .field("password", &self.password)
            .field("inputs", &self.inputs)
            .field("generated", &self.generated)
            .finish_non_exhaustive()
    }
}

impl fmt::Display for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} (password <redacted>", self.user)?;
        for name in self.inputs.keys() {
            write!(f, ", {name} <redacted>")?;
        }
        f.write_str(")")
    }
}

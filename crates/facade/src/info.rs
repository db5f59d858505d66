//! Plain facts shared by the generated glue and the engine (no dependencies).

use crate::secret::SecretString;

/// Something a login takes besides the user name, password and second-factor code (the spec's
/// `x-apilogin.inputs`), e.g. remote.it's developer key. Set it with
/// [`Credentials::input`](crate::Credentials::input).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct InputInfo {
    /// Its name, e.g. `developerKey`.
    pub name: &'static str,
    /// What to call it, e.g. `developer key`.
    pub label: &'static str,
    /// Whether it is a secret (prompted without echo, never shown).
    pub secret: bool,
    /// Whether a login fails without it.
    pub required: bool,
    /// Its value when none is given.
    pub default: Option<&'static str>,
    /// One line for help texts.
    pub help: &'static str,
}

impl InputInfo {
    /// The name in upper snake case, for environment variables: `developerKey` → `DEVELOPER_KEY`.
    pub fn env_suffix(&self) -> String {
        let mut out = String::new();
        for c in self.name.chars() {
            if c.is_ascii_uppercase() && !out.is_empty() {
                out.push('_');
            }
            out.push(c.to_ascii_uppercase());
        }
        out
    }
}

/// A session detail read from an answer, before it goes into its typed field.
pub(crate) enum DetailValue {
    Missing,
    Text(String),
    Integer(i64),
}

impl DetailValue {
    pub(crate) fn text(self) -> Option<String> {
        match self {
            DetailValue::Text(s) => Some(s),
            DetailValue::Integer(i) => Some(i.to_string()),
            DetailValue::Missing => None,
        }
    }

    pub(crate) fn secret(self) -> Option<SecretString> {
        self.text().map(SecretString::new)
    }

    pub(crate) fn optional(self) -> Option<Option<String>> {
        Some(self.text().filter(|s| !s.is_empty()))
    }

    pub(crate) fn integer(self) -> Option<i64> {
        match self {
            DetailValue::Integer(i) => Some(i),
            DetailValue::Text(s) => s.parse().ok(),
            DetailValue::Missing => None,
        }
    }
}

/// Something a session keeps besides the token (the spec's `x-apilogin.session.details`), e.g.
/// remote.it's `service_authhash`: one field of [`SessionDetails`](crate::SessionDetails), by
/// its name in the session's JSON.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct DetailInfo {
    /// Its name, as the spec writes it and the session's JSON keys it, e.g. `service_authhash`.
    pub name: &'static str,
    /// Its type in the spec: `string`, `secret`, `integer` or `optionalString`.
    pub kind: &'static str,
    /// Whether it is a secret (of type `secret`, or kept from a secret input): never shown
    /// unless asked for.
    pub secret: bool,
    /// What it is, from the spec.
    pub doc: &'static str,
}

/// A value a login makes once and the session keeps (the spec's `x-apilogin.generated`), e.g. a
/// media server's device id. Read it from a session with
/// [`Session::generated`](crate::Session::generated); give it to a later login with
/// [`Credentials::generated`](crate::Credentials::generated) so the server sees the same one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct GeneratedInfo {
    /// Its name, e.g. `deviceId`.
    pub name: &'static str,
    /// How it is made: `uuid` (a random UUID v4) or `hex32` (32 random hex digits).
    pub kind: &'static str,
    /// What it is.
    pub doc: &'static str,
}

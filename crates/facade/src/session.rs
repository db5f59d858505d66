//! [`Session`]: what a login gives, and what to do with it afterwards.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};

use crate::error::{ConfigError, LoginError};
use crate::http::Options;
use crate::secret::SecretString;
use crate::service::{Service, ServiceKind};

/// Who is logged in.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Identity {
    /// The user name as the service knows it (for remote.it, Txty and Project Thanos: the one
    /// used to log in).
    pub username: String,
    /// The service's id for the user (remote.it `guid`, Project Thanos `user_uuid`, Rocket.Chat
    /// `userId`), when it gives one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_id: Option<String>,
    /// Display name, when the service gives one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// E-mail address, when the service gives one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
}

impl fmt::Display for Identity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.username)?;
        if let Some(name) = self.name.as_deref().filter(|n| *n != self.username) {
            write!(f, " ({name})")?;
        }
        if let Some(email) = self.email.as_deref().filter(|e| *e != self.username) {
            write!(f, " <{email}>")?;
        }
        Ok(())
    }
}

pub use crate::generated::kinds::SessionDetails;

/// A logged-in session: the token, who it belongs to, and where it is valid.
///
/// It serializes to JSON (token included, so that it can be stored; protect the file) and
/// deserializes back; `Debug` and `Display` never show the token or any other secret.
///
/// Later calls go through the service's generated client, already authenticated: one
/// accessor per service, named after its spec (`session.rocketchat()?.me().send().await`;
/// services without a security scheme, such as Txty, take
/// [`expose_auth_params`](Session::expose_auth_params) as fields). Calls outside the specs can
/// send [`auth_headers`](Session::auth_headers).
#[derive(Clone, Serialize, Deserialize)]
pub struct Session {
    #[serde(flatten)]
    details: SessionDetails,
    base_url: String,
    user: Identity,
    token: SecretString,
    /// The values the login made once (`x-apilogin.generated`, e.g. a device id), re-used by
    /// later calls; absent from sessions stored before there were any.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    generated: BTreeMap<String, String>,
    /// When the token stops working, in seconds since the Unix epoch, where known (the answer's
    /// `expiresIn`, the token's own `exp` when it is a JWT, or the spec's `lifetimeSeconds`);
    /// absent from sessions stored before it was recorded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    expires_at: Option<u64>,
    /// What an OAuth session (the spec's `x-apilogin.oauth`) keeps to renew and revoke its
    /// tokens: the client id and the refresh token. Absent from other sessions.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    oauth: Option<OAuthState>,
    /// Not stored: a loaded session gets the defaults (see [`Session::with_options`]).
    #[serde(skip)]
    options: Options,
}

impl Session {
    pub(crate) fn new(
        service: &Service,
        options: &Options,
        user: Identity,
        token: SecretString,
        details: SessionDetails,
        generated: BTreeMap<String, String>,
    ) -> Session {
        Session {
            details,
            base_url: service.base_url().to_owned(),
            user,
            token,
            generated,
            expires_at: None,
            oauth: None,
            options: options.clone(),
        }
    }

    /// What an OAuth session keeps to renew and revoke its tokens (`None` for other sessions).
    #[cfg_attr(not(feature = "oauth"), allow(dead_code))]
    pub(crate) fn oauth_state(&self) -> Option<&OAuthState> {
        self.oauth.as_ref()
    }

    #[cfg_attr(not(feature = "oauth"), allow(dead_code))]
    pub(crate) fn set_oauth_state(&mut self, state: OAuthState) {
        self.oauth = Some(state);
    }

    /// Whether the session can be renewed without the user: an OAuth session with a refresh
    /// token, or a session of a service with a `relogin` step.
    pub fn can_renew(&self) -> bool {
        match &self.oauth {
            Some(state) => state.refresh_token.is_some(),
            None => self.kind().supports_relogin(),
        }
    }

    /// When the token stops working, where the service says (see [`Session::expires_in`]).
    pub fn expires_at(&self) -> Option<std::time::SystemTime> {
        self.expires_at
            .map(|secs| std::time::UNIX_EPOCH + std::time::Duration::from_secs(secs))
    }

    /// How long the token still works: `Some(Duration::ZERO)` once it has expired, `None`
    /// where the service does not say (log in again when a call is refused).
    pub fn expires_in(&self) -> Option<std::time::Duration> {
        let at = self.expires_at()?;
        Some(
            at.duration_since(std::time::SystemTime::now())
                .unwrap_or_default(),
        )
    }

    pub(crate) fn set_expires_at(&mut self, at: Option<u64>) {
        self.expires_at = at;
    }

    /// Replaces who the session belongs to (with what the server said).
    pub(crate) fn set_user(&mut self, user: Identity) {
        self.user = user;
    }

    /// Generated value `name` of the login ([`ServiceKind::generated`], e.g. `deviceId`), if
    /// the service has one. Not a secret by itself.
    pub fn generated(&self, name: &str) -> Option<&str> {
        self.generated.get(name).map(String::as_str)
    }

    /// Every generated value of the login, by name (give them to a later login with
    /// [`Credentials::generated_from`](crate::Credentials::generated_from)).
    pub fn generated_values(&self) -> impl Iterator<Item = (&str, &str)> {
        self.generated
            .iter()
            .map(|(name, value)| (name.as_str(), value.as_str()))
    }

    /// The service and server this session belongs to.
    pub fn service(&self) -> Service {
        // Deserialized base URLs are checked again before any request (`Service::url`).
        Service::from_parts(self.details.kind(), self.base_url.clone())
    }

    /// Which service this session belongs to.
    pub fn kind(&self) -> ServiceKind {
        self.details.kind()
    }

    /// Who is logged in.
    pub fn user(&self) -> &Identity {
        &self.user
    }

    /// The session token (remote.it `token`, Txty API key, Project Thanos `auth_token`,
    /// Rocket.Chat `authToken`, Mattermost's `Token` header).
    pub fn token(&self) -> &SecretString {
        &self.token
    }

    /// What the service returned besides the token.
    pub fn details(&self) -> &SessionDetails {
        &self.details
    }

    /// The options used by [`verify`](Session::verify), [`logout`](Session::logout),
    /// [`relogin`](Session::relogin) and the generated clients this session hands out.
    pub fn options(&self) -> &Options {
        &self.options
    }

    /// Replaces the options (a deserialized session starts with the defaults).
    pub fn with_options(mut self, options: Options) -> Session {
        self.options = options;
        self
    }

    /// The value of a session source of the login flow (`$token`, `$userId`, `$user`,
    /// `$detail.<name>`, `$generated.<name>`) or of a template over them
    /// (`MediaBrowser Token="{token}"`), for the generated accessors and the engine. One
    /// without a value: [`LoginError::SessionRejected`] (the session lacks what its calls send).
    pub(crate) fn value(&self, source: &str) -> Result<String, LoginError> {
        let missing = || LoginError::SessionRejected {
            service: self.kind(),
        };
        if source.contains('{') {
            return crate::flow::expand(source, |name| self.value(&format!("${name}")).ok())
                .ok_or_else(missing);
        }
        match source {
            "$token" => Ok(self.token.expose_secret().to_owned()),
            "$userId" => Ok(self.user.user_id.clone().unwrap_or_default()),
            "$user" => Ok(self.user.username.clone()),
            _ => {
                if let Some(name) = source.strip_prefix("$generated.") {
                    return self.generated.get(name).cloned().ok_or_else(missing);
                }
                source
                    .strip_prefix("$detail.")
                    .and_then(|name| self.details.field(name))
                    .ok_or_else(missing)
            }
        }
    }

    /// Fails unless this is a session of `wanted` (for the per-service accessors).
    pub(crate) fn expect(&self, wanted: ServiceKind) -> Result<(), LoginError> {
        if self.kind() == wanted {
            Ok(())
        } else {
            Err(ConfigError::WrongService {
                session: self.kind(),
                wanted,
            }
            .into())
        }
    }
}

/// What an OAuth session keeps besides the access token. `Debug` shows no token.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub(crate) struct OAuthState {
    /// The client the tokens were issued to.
    pub(crate) client_id: String,
    /// The refresh token, when the provider issued one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) refresh_token: Option<SecretString>,
}

impl fmt::Debug for Session {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Session")
            .field("service", &self.kind())
            .field("base_url", &self.base_url)
            .field("user", &self.user)
            .field("token", &self.token)
            .field("details", &self.details)
            .field("generated", &self.generated)
            .field("oauth", &self.oauth)
            .finish_non_exhaustive()
    }
}

impl fmt::Display for Session {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} on {} ({})", self.user, self.kind(), self.base_url)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::info::DetailValue;

    /// A session of the first service whose details can all be missing, with `generated`.
    fn session(generated: &[(&str, &str)]) -> Session {
        let (kind, details) = ServiceKind::ALL
            .iter()
            .find_map(|k| Some((*k, SessionDetails::build(*k, |_| DetailValue::Missing)?)))
            .expect("a service whose session keeps nothing but the token");
        let service = Service::from_parts(kind, "https://example.com".to_owned());
        Session::new(
            &service,
            &Options::default(),
            Identity {
                username: "demo".to_owned(),
                user_id: Some("u-1".to_owned()),
                name: None,
                email: None,
            },
            SecretString::new("tok"),
            details,
            generated
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect(),
        )
    }

    #[test]
    fn session_values_read_templates_and_generated_values() {
        let s = session(&[("deviceId", "d-1")]);
        assert_eq!(s.value("$generated.deviceId").expect("kept"), "d-1");
        assert_eq!(
            s.value(
                r#"MediaBrowser DeviceId="{generated.deviceId}", Token="{token}", User="{userId}""#
            )
            .expect("every placeholder has a value"),
            r#"MediaBrowser DeviceId="d-1", Token="tok", User="u-1""#
        );
        for missing in [
            "$generated.other",
            "Token {generated.other}",
            "{password}",
            "{token",
        ] {
            assert!(
                matches!(s.value(missing), Err(LoginError::SessionRejected { .. })),
                "{missing}"
            );
        }
        assert_eq!(s.generated("deviceId"), Some("d-1"));
        assert_eq!(
            s.generated_values().collect::<Vec<_>>(),
            [("deviceId", "d-1")]
        );
    }

    #[test]
    fn generated_values_are_stored_with_the_session_and_old_sessions_still_read() {
        let s = session(&[("deviceId", "d-1")]);
        let json = serde_json::to_value(&s).expect("serializes");
        assert_eq!(json["generated"], serde_json::json!({"deviceId": "d-1"}));
        let back: Session = serde_json::from_value(json.clone()).expect("reads back");
        assert_eq!(back.generated("deviceId"), Some("d-1"));
        // A session stored before `generated` existed, and one without any: no member.
        let mut old = json;
        old.as_object_mut().expect("an object").remove("generated");
        let old: Session = serde_json::from_value(old).expect("an old session reads");
        assert_eq!(old.generated_values().count(), 0);
        let none = serde_json::to_value(session(&[])).expect("serializes");
        assert!(none.get("generated").is_none(), "{none}");
        // Not secret, so shown by Debug; the token is not.
        let debug = format!("{s:?}");
        assert!(debug.contains("d-1") && !debug.contains("tok\""), "{debug}");
    }
}

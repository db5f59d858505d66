//! [`Session`]: what a login gives, and what to do with it afterwards.

use std::fmt;

use reqwest::header::HeaderMap;
use serde::{Deserialize, Serialize};

use crate::error::{ConfigError, LoginError, Operation};
use crate::http::{self, Options};
use crate::secret::SecretString;
use crate::service::{Service, ServiceKind};
use crate::services;

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

impl Identity {
    pub(crate) fn new(username: impl Into<String>) -> Self {
        Identity {
            username: username.into(),
            user_id: None,
            name: None,
            email: None,
        }
    }
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

/// What a session needs besides the token, per service. Serialized with a `service` tag.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "service", rename_all = "lowercase")]
#[non_exhaustive]
pub enum SessionDetails {
    /// remote.it: later calls send the developer key with the token; the authhash logs in again
    /// without the password.
    RemoteIt {
        /// The developer key used to log in (sent as header `developerkey`).
        developer_key: SecretString,
        /// `service_authhash`, accepted by the re-login in place of the password.
        service_authhash: SecretString,
    },
    /// Txty: the token is the new API key.
    Txty {
        /// `controlapikey` of the created key, as the server returned it.
        controlapikey: i64,
    },
    /// Project Thanos: the user's organization.
    ProjectThanos {
        /// `RETAILER` or `SUPPLIER`.
        org_type: String,
        /// The organization's id.
        org_uuid: String,
        /// The retailer id, for retailer organizations.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        retailer_uuid: Option<String>,
        /// The supplier id, for supplier organizations.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        supplier_uuid: Option<String>,
    },
    /// Rocket.Chat: nothing besides the token and the user id.
    RocketChat {},
}

impl SessionDetails {
    /// The service these details belong to.
    pub fn kind(&self) -> ServiceKind {
        match self {
            SessionDetails::RemoteIt { .. } => ServiceKind::RemoteIt,
            SessionDetails::Txty { .. } => ServiceKind::Txty,
            SessionDetails::ProjectThanos { .. } => ServiceKind::ProjectThanos,
            SessionDetails::RocketChat {} => ServiceKind::RocketChat,
        }
    }
}

/// A logged-in session: the token, who it belongs to, and where it is valid.
///
/// It serializes to JSON (token included, so that it can be stored; protect the file) and
/// deserializes back; `Debug` and `Display` never show the token or any other secret.
///
/// Later calls go through the service's generated client, already authenticated:
/// [`rocketchat`](Session::rocketchat), [`remoteit`](Session::remoteit),
/// [`projectthanos`](Session::projectthanos) or [`txty`](Session::txty) (whose operations take
/// [`expose_auth_params`](Session::expose_auth_params) as fields). Calls outside the specs can
/// send [`auth_headers`](Session::auth_headers).
#[derive(Clone, Serialize, Deserialize)]
pub struct Session {
    #[serde(flatten)]
    details: SessionDetails,
    base_url: String,
    user: Identity,
    token: SecretString,
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
    ) -> Session {
        Session {
            details,
            base_url: service.base_url().to_owned(),
            user,
            token,
            options: options.clone(),
        }
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
    /// Rocket.Chat `authToken`).
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

    /// The headers that authenticate later calls, marked sensitive: remote.it `developerkey` +
    /// `token`; Project Thanos `Authorization: Token …`; Rocket.Chat `X-Auth-Token` +
    /// `X-User-Id`. Empty for Txty, which takes parameters instead
    /// ([`expose_auth_params`](Session::expose_auth_params)).
    pub fn auth_headers(&self) -> Result<HeaderMap, LoginError> {
        let kind = self.kind();
        let token = self.token.expose_secret();
        let h = |name, value: &str, what| http::secret_header(kind, name, value, what);
        let pairs = match &self.details {
            SessionDetails::RemoteIt { developer_key, .. } => vec![
                h(
                    "developerkey",
                    developer_key.expose_secret(),
                    "developer key",
                )?,
                h("token", token, "token")?,
            ],
            SessionDetails::Txty { .. } => vec![],
            SessionDetails::ProjectThanos { .. } => {
                vec![h("authorization", &format!("Token {token}"), "token")?]
            }
            SessionDetails::RocketChat {} => vec![
                h("x-auth-token", token, "token")?,
                h(
                    "x-user-id",
                    self.user.user_id.as_deref().unwrap_or_default(),
                    "user id",
                )?,
            ],
        };
        Ok(http::header_map(pairs))
    }

    /// Txty's authentication parameters, `user` and `key`, to send in a form body (never in a
    /// URL query: URLs end up in logs). Empty for the other services. The values are exposed.
    pub fn expose_auth_params(&self) -> Vec<(&'static str, &str)> {
        match self.details {
            SessionDetails::Txty { .. } => vec![
                ("user", self.user.username.as_str()),
                ("key", self.token.expose_secret()),
            ],
            _ => vec![],
        }
    }

    /// The generated remote.it client, sending this session's developer key and token
    /// wherever an operation's `security` asks for them.
    pub fn remoteit(&self) -> Result<remoteit_client::Client, LoginError> {
        match &self.details {
            SessionDetails::RemoteIt { developer_key, .. } => {
                Ok(
                    services::remoteit::api(&self.service(), &self.options)?.with_credentials(
                        remoteit_client::Credentials::new()
                            .developer_key(developer_key.expose_secret())
                            .session_token(self.token.expose_secret()),
                    ),
                )
            }
            _ => Err(self.not(ServiceKind::RemoteIt)),
        }
    }

    /// The generated Txty client. Txty has no security scheme: its operations take `user` and
    /// `key` ([`expose_auth_params`](Session::expose_auth_params)) as form fields.
    pub fn txty(&self) -> Result<txty_client::Client, LoginError> {
        match &self.details {
            SessionDetails::Txty { .. } => services::txty::api(&self.service(), &self.options),
            _ => Err(self.not(ServiceKind::Txty)),
        }
    }

    /// The generated Project Thanos client, sending `Authorization: Token <auth_token>` wherever
    /// an operation's `security` asks for it.
    pub fn projectthanos(&self) -> Result<projectthanos_client::Client, LoginError> {
        match &self.details {
            SessionDetails::ProjectThanos { .. } => Ok(services::projectthanos::api(
                &self.service(),
                &self.options,
            )?
            .with_credentials(
                projectthanos_client::Credentials::new().token_auth(self.token.expose_secret()),
            )),
            _ => Err(self.not(ServiceKind::ProjectThanos)),
        }
    }

    /// The generated Rocket.Chat client, sending this session's `X-Auth-Token` and `X-User-Id`
    /// wherever an operation's `security` asks for them:
    /// `session.rocketchat()?.me().send().await`.
    pub fn rocketchat(&self) -> Result<rocketchat_client::Client, LoginError> {
        match &self.details {
            SessionDetails::RocketChat {} => Ok(services::rocketchat::api(
                &self.service(),
                &self.options,
            )?
            .with_credentials(rocketchat_client::Credentials::auth_token_and_user_id(
                self.token.expose_secret(),
                self.user.user_id.as_deref().unwrap_or_default(),
            ))),
            _ => Err(self.not(ServiceKind::RocketChat)),
        }
    }

    fn not(&self, wanted: ServiceKind) -> LoginError {
        ConfigError::WrongService {
            session: self.kind(),
            wanted,
        }
        .into()
    }

    /// Checks with the server that the session is still valid and returns who it belongs to
    /// (Txty account view, Rocket.Chat `/me`). remote.it and Project Thanos have no such call:
    /// [`LoginError::Unsupported`].
    pub async fn verify(&self) -> Result<Identity, LoginError> {
        match self.kind() {
            ServiceKind::Txty => services::txty::verify(self).await,
            ServiceKind::RocketChat => services::rocketchat::verify(self).await,
            kind => Err(unsupported(kind, Operation::Verify)),
        }
    }

    /// Ends the session on the server (Txty deletes the API key, Rocket.Chat logs out); the
    /// token stops working. remote.it and Project Thanos have no such call:
    /// [`LoginError::Unsupported`].
    pub async fn logout(&self) -> Result<(), LoginError> {
        match self.kind() {
            ServiceKind::Txty => services::txty::logout(self).await,
            ServiceKind::RocketChat => services::rocketchat::logout(self).await,
            kind => Err(unsupported(kind, Operation::Logout)),
        }
    }

    /// Logs in again without the password (remote.it `service_authhash`, Rocket.Chat
    /// `resume`) and returns the new session. Txty and Project Thanos have no such call:
    /// [`LoginError::Unsupported`].
    pub async fn relogin(&self) -> Result<Session, LoginError> {
        match self.kind() {
            ServiceKind::RemoteIt => services::remoteit::relogin(self).await,
            ServiceKind::RocketChat => services::rocketchat::relogin(self).await,
            kind => Err(unsupported(kind, Operation::Relogin)),
        }
    }
}

fn unsupported(service: ServiceKind, operation: Operation) -> LoginError {
    LoginError::Unsupported { service, operation }
}

impl fmt::Debug for Session {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Session")
            .field("service", &self.kind())
            .field("base_url", &self.base_url)
            .field("user", &self.user)
            .field("token", &self.token)
            .field("details", &self.details)
            .finish_non_exhaustive()
    }
}

impl fmt::Display for Session {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} on {} ({})", self.user, self.kind(), self.base_url)
    }
}

//! The login flow shared by every service: a login gives a session or a second-factor
//! challenge; answering the challenge gives the session.

use std::fmt;

use crate::credentials::Credentials;
use crate::error::{ConfigError, LoginError};
use crate::flow::{self, SecondFactorMethod, Step};
use crate::generated::clients::Api;
use crate::http::{self, Options};
use crate::secret::SecretString;
use crate::service::{Service, ServiceKind};
use crate::session::Session;

/// Logs in to one service.
///
/// ```no_run
/// # async fn run() -> Result<(), apilogin::LoginError> {
/// use apilogin::{Client, Credentials, LoginOutcome, Service};
/// let client = Client::new(Service::txty())?;
/// let session = match client.login(&Credentials::new("me", "secret")).await? {
///     LoginOutcome::LoggedIn(session) => session,
///     LoginOutcome::SecondFactor(challenge) => challenge.answer("123456").await?,
/// };
/// println!("{session}");
/// # Ok(()) }
/// ```
///
/// A client builds its HTTP client once and reuses it, open connections included, for every
/// login and challenge answer (and hands it to the sessions it creates): keep one client per
/// service rather than one per login. Clones share it.
#[derive(Clone)]
pub struct Client {
    service: Service,
    options: Options,
    /// The generated client the logins go through, built once (login credentials such as
    /// remote.it's developer key go into a copy of it that shares its connections).
    api: Api,
}

impl Client {
    /// A client for `service` with the default [`Options`]. Fails on a plain `http://` URL to a
    /// host that is not loopback.
    pub fn new(service: Service) -> Result<Client, LoginError> {
        Client::with_options(service, Options::default())
    }

    /// A client for `service` with `options`. Fails on a plain `http://` URL to a host that is
    /// not loopback, when the HTTP client cannot be built, or, for an `https://` URL on a
    /// machine without CA certificates, with a [`TransportKind::Tls`](crate::TransportKind::Tls)
    /// error that says so (plain http needs none).
    pub fn with_options(service: Service, options: Options) -> Result<Client, LoginError> {
        http::check_url(&service, &options)?;
        let api = Api::new(&service, &options)?;
        Ok(Client {
            service,
            options,
            api,
        })
    }

    /// The service this client logs in to.
    pub fn service(&self) -> &Service {
        &self.service
    }

    /// The options of this client.
    pub fn options(&self) -> &Options {
        &self.options
    }

    /// Logs in with `credentials`. Returns the session, or a challenge when the account has a
    /// second factor (Txty, Rocket.Chat, Mattermost): answer it with [`Challenge::answer`].
    pub async fn login(&self, credentials: &Credentials) -> Result<LoginOutcome, LoginError> {
        credentials.check(self.service.kind())?;
        Ok(match self.step(credentials, None).await? {
            Step::Done(session) => LoginOutcome::LoggedIn(*session),
            Step::Challenge(method) => LoginOutcome::SecondFactor(Challenge {
                client: self.clone(),
                credentials: credentials.clone(),
                method,
            }),
        })
    }

    /// A session from a token you already have (a personal access token, or one another
    /// program logged in for), checked with the server before it is returned: the service's
    /// `verify` call (the spec's `x-apilogin.verify`) says whose it is. `user_id` is for the
    /// services whose calls send it with the token (Rocket.Chat). A service whose sessions keep
    /// more than a token (remote.it's developer key, Txty's key id, …) or that has no call to
    /// check one gives [`ConfigError::TokenNotEnough`]; a token the server refuses,
    /// [`LoginError::SessionRejected`].
    pub async fn session_from_token(
        &self,
        token: &str,
        user_id: Option<&str>,
    ) -> Result<Session, LoginError> {
        flow::from_token(&self.service, &self.options, token, user_id).await
    }

    async fn step(
        &self,
        credentials: &Credentials,
        code: Option<&SecretString>,
    ) -> Result<Step, LoginError> {
        flow::login(&self.service, &self.options, &self.api, credentials, code).await
    }
}

/// Shows the service and options only: the cached HTTP client carries the developer key.
impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("service", &self.service)
            .field("options", &self.options)
            .finish_non_exhaustive()
    }
}

impl fmt::Display for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "login client for {}", self.service)
    }
}

/// Logs in to `service` with default options: a shortcut for [`Client::new`] and
/// [`Client::login`].
pub async fn login(
    service: Service,
    credentials: &Credentials,
) -> Result<LoginOutcome, LoginError> {
    Client::new(service)?.login(credentials).await
}

/// The result of a login: a session, or a second-factor challenge to answer.
#[derive(Debug)]
#[must_use = "a login outcome may be a challenge that still needs an answer"]
pub enum LoginOutcome {
    /// Logged in.
    LoggedIn(Session),
    /// The account has a second factor: ask the user for the code and
    /// [`answer`](Challenge::answer).
    SecondFactor(Challenge),
}

impl fmt::Display for LoginOutcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LoginOutcome::LoggedIn(session) => write!(f, "logged in: {session}"),
            LoginOutcome::SecondFactor(challenge) => challenge.fmt(f),
        }
    }
}

/// A login waiting for its second-factor code.
///
/// It keeps the credentials (the services want them again with the code), so it is not
/// serializable; `Debug` shows no secret.
#[derive(Clone, Debug)]
pub struct Challenge {
    client: Client,
    credentials: Credentials,
    method: SecondFactorMethod,
}

impl Challenge {
    /// How the code reaches the user.
    pub fn method(&self) -> SecondFactorMethod {
        self.method
    }

    /// The service that asks.
    pub fn service(&self) -> ServiceKind {
        self.client.service.kind()
    }

    /// Completes the login with the code. A wrong code gives
    /// [`LoginError::SecondFactorInvalid`] and the challenge can be answered again; too many
    /// give [`LoginError::SecondFactorExhausted`] (log in again from the start).
    pub async fn answer(&self, code: &str) -> Result<Session, LoginError> {
        let code = code.trim();
        if code.is_empty() {
            return Err(ConfigError::MissingCredential {
                service: self.service(),
                what: "second-factor code",
            }
            .into());
        }
        let code = SecretString::new(code);
        match self.client.step(&self.credentials, Some(&code)).await? {
            Step::Done(session) => Ok(*session),
            // Asked again although a code was sent: the code was not accepted.
            Step::Challenge(_) => Err(LoginError::SecondFactorInvalid {
                service: self.service(),
            }),
        }
    }
}

impl fmt::Display for Challenge {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} asks for a second factor: the {}",
            self.service(),
            self.method.prompt()
        )
    }
}

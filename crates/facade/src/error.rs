//! Everything that can go wrong, as types a caller can match on.

use std::fmt;
use std::time::SystemTime;

use crate::generated::kinds::ServiceKind;

/// A login, verification, re-login or logout that did not succeed.
///
/// Every message says what happened and what the user can do about it; none contains a
/// password, key, code or token (server excerpts are cut short and scrubbed).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum LoginError {
    /// The service rejected the user name or password (or remote.it's developer key).
    #[error("{service} rejected the user name or password{}: check them and try again", dev_key_hint(*service))]
    BadCredentials {
        /// The service.
        service: ServiceKind,
        /// The service's own error code, when it gives one (e.g. `GENERAL_ERROR`, `USER_NOT_FOUND`).
        code: Option<String>,
    },

    /// The second-factor code was wrong; the challenge can be answered again.
    #[error(
        "{service} rejected the second-factor code: check it (codes expire quickly) and try again"
    )]
    SecondFactorInvalid {
        /// The service.
        service: ServiceKind,
    },

    /// Too many wrong second-factor codes: log in again from the start to get a new challenge.
    #[error("too many wrong second-factor codes for {service}: log in again from the start")]
    SecondFactorExhausted {
        /// The service.
        service: ServiceKind,
    },

    /// The account requires a second factor that this service's login endpoint cannot complete
    /// (remote.it `SMS_MFA`, `SOFTWARE_TOKEN_MFA`, `MFA_SETUP` on its legacy endpoint).
    #[error(
        "the {service} account requires multi-factor authentication ({code}), which this login endpoint cannot complete: use an account without it, or the vendor's access keys"
    )]
    SecondFactorUnsupported {
        /// The service.
        service: ServiceKind,
        /// The service's code, e.g. `SMS_MFA`.
        code: String,
    },

    /// Logins for this user (or from this address) are blocked for a while.
    #[error("{service} has temporarily blocked logins for this account{}: wait a few minutes, or ask an administrator to unlock it", if *by_ip { " from this address" } else { "" })]
    AccountLocked {
        /// The service.
        service: ServiceKind,
        /// Blocked for the client's IP address rather than for the user.
        by_ip: bool,
    },

    /// Too many requests; retry after `reset_at`.
    #[error("{service} is rate limiting logins: {}", retry_hint(*reset_at))]
    RateLimited {
        /// The service.
        service: ServiceKind,
        /// When the limit resets, if the service said.
        reset_at: Option<SystemTime>,
    },

    /// The credentials are valid but the account may not use this API.
    #[error(
        "{service} accepted the credentials but this account has no permission to use the API: ask the account's administrator"
    )]
    PermissionDenied {
        /// The service.
        service: ServiceKind,
    },

    /// The session's token is no longer accepted (logged out, expired, key deleted).
    #[error("{service} no longer accepts this session (logged out or expired): log in again")]
    SessionRejected {
        /// The service.
        service: ServiceKind,
    },

    /// The service refused the request for a reason of its own (an error code this library
    /// does not know, or an account state such as remote.it's `pending`).
    #[error("{service} refused the request{}", refused_detail(code, message))]
    Refused {
        /// The service.
        service: ServiceKind,
        /// The service's code (scrubbed of secrets).
        code: String,
        /// What it means or what to do.
        message: String,
    },

    /// The server failed (HTTP 5xx): try again later.
    #[error("{service} server error (HTTP {status}): try again later; the server said: {excerpt}")]
    ServerError {
        /// The service.
        service: ServiceKind,
        /// The HTTP status.
        status: u16,
        /// The start of the body, scrubbed of secrets.
        excerpt: String,
    },

    /// The server answered with a redirect, which is never followed (credentials must not go
    /// anywhere but the configured base URL).
    #[error("{service} answered with a redirect (HTTP {status}{}), which apilogin does not follow so that credentials only go to the configured URL: check the base URL", location.as_deref().map(|l| format!(" to {l}")).unwrap_or_default())]
    Redirected {
        /// The service.
        service: ServiceKind,
        /// The HTTP status (301, 302, 303, 307, 308).
        status: u16,
        /// The origin (scheme, host, port) the server pointed to, when it gave a valid one.
        location: Option<String>,
    },

    /// The answer was not what the service's API describes (unknown status, malformed or empty
    /// body, a proxy's page).
    #[error("unexpected answer from {service}{}: {reason}; check the base URL, or report it if it persists{}", status.map(|s| format!(" (HTTP {s})")).unwrap_or_default(), excerpt_suffix(excerpt))]
    UnexpectedResponse {
        /// The service.
        service: ServiceKind,
        /// The HTTP status, when known.
        status: Option<u16>,
        /// What was wrong with it.
        reason: String,
        /// The start of the body, scrubbed of secrets.
        excerpt: String,
    },

    /// The answer was larger than the clients accept (1 MiB).
    #[error(
        "{service} sent an answer larger than {limit} bytes, which was not read: check the base URL"
    )]
    BodyTooLarge {
        /// The service.
        service: ServiceKind,
        /// The limit in bytes.
        limit: usize,
    },

    /// The request did not get an answer: timeout, refused connection, TLS failure, cut
    /// connection.
    #[error("could not reach {service}: {kind}: {detail}")]
    Transport {
        /// The service.
        service: ServiceKind,
        /// What kind of failure.
        kind: TransportKind,
        /// The underlying error (no secrets: URLs never carry any).
        detail: String,
    },

    /// The service's API has no such operation.
    #[error("{service} has no {operation} operation in its API: {}", operation.hint())]
    Unsupported {
        /// The service.
        service: ServiceKind,
        /// What was asked for.
        operation: Operation,
    },

    /// The service's OAuth 2.0 / OpenID Connect flow did not end with tokens (the spec's
    /// `x-apilogin.oauth`), or its refresh or revocation failed.
    #[cfg(feature = "oauth")]
    #[error("{service}: {error}")]
    OAuth {
        /// The service.
        service: ServiceKind,
        /// What went wrong (no token, code or secret in it).
        error: crate::oauth::OAuthError,
    },

    /// The request was never sent: a problem with the configuration or the input.
    #[error(transparent)]
    Config(#[from] ConfigError),
}

impl LoginError {
    /// The service the error is about, when it is about one.
    pub fn service(&self) -> Option<ServiceKind> {
        use LoginError::*;
        match self {
            BadCredentials { service, .. }
            | SecondFactorInvalid { service }
            | SecondFactorExhausted { service }
            | SecondFactorUnsupported { service, .. }
            | AccountLocked { service, .. }
            | RateLimited { service, .. }
            | PermissionDenied { service }
            | SessionRejected { service }
            | Refused { service, .. }
            | ServerError { service, .. }
            | Redirected { service, .. }
            | UnexpectedResponse { service, .. }
            | BodyTooLarge { service, .. }
            | Transport { service, .. }
            | Unsupported { service, .. } => Some(*service),
            #[cfg(feature = "oauth")]
            OAuth { service, .. } => Some(*service),
            Config(c) => c.service(),
        }
    }
}

fn dev_key_hint(service: ServiceKind) -> String {
    service
        .inputs()
        .iter()
        .filter(|i| i.secret && i.required)
        .map(|i| format!(" (or the {})", i.label))
        .collect()
}

fn known_services() -> String {
    ServiceKind::ALL.map(ServiceKind::id).join(", ")
}

fn retry_hint(reset_at: Option<SystemTime>) -> String {
    match reset_at.map(|t| t.duration_since(SystemTime::now())) {
        Some(Ok(wait)) => format!("wait {} s and try again", wait.as_secs() + 1),
        Some(Err(_)) => "try again now".to_owned(),
        None => "wait a minute and try again".to_owned(),
    }
}

/// `Refused`'s code and message, each once: a server that gives the same text as both (or
/// one of them empty) is not repeated.
fn refused_detail(code: &str, message: &str) -> String {
    match (code.trim(), message.trim()) {
        ("", "") => String::new(),
        (code, "") => format!(" ({code})"),
        ("", message) => format!(": {message}"),
        (code, message) if code == message => format!(": {message}"),
        (code, message) => format!(" ({code}): {message}"),
    }
}

fn excerpt_suffix(excerpt: &str) -> String {
    if excerpt.is_empty() {
        String::new()
    } else {
        format!("; the server said: {excerpt}")
    }
}

/// How a request failed to get an answer.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum TransportKind {
    /// No complete answer within the configured timeout.
    Timeout,
    /// The connection could not be opened (refused, unreachable, DNS).
    Connect,
    /// The TLS handshake failed (certificate not trusted, wrong host name, protocol).
    Tls,
    /// The connection broke while the answer was being read.
    Interrupted,
    /// Anything else below HTTP.
    Other,
}

impl fmt::Display for TransportKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            TransportKind::Timeout => "timed out (is the server up and the URL right? raise the timeout if it is just slow)",
            TransportKind::Connect => "connection failed (check the URL and your network)",
            TransportKind::Tls => "TLS failed (check the URL's host name and the server's certificate)",
            TransportKind::Interrupted => "the connection broke during the answer (try again)",
            TransportKind::Other => "request failed",
        })
    }
}

/// An operation on a session.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Operation {
    /// [`Session::verify`](crate::Session::verify).
    Verify,
    /// [`Session::logout`](crate::Session::logout).
    Logout,
    /// [`Session::relogin`](crate::Session::relogin).
    Relogin,
}

impl Operation {
    fn hint(self) -> &'static str {
        match self {
            Operation::Verify => {
                "the session cannot be checked; use it and see whether calls succeed"
            }
            Operation::Logout => "the session cannot be ended; it expires on its own",
            Operation::Relogin => "log in again with the password",
        }
    }
}

impl fmt::Display for Operation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Operation::Verify => "verify",
            Operation::Logout => "logout",
            Operation::Relogin => "re-login",
        })
    }
}

/// A problem found before any request was sent.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// A token alone cannot make a session of this service
    /// ([`Client::session_from_token`](crate::Client::session_from_token)).
    #[error("a {service} session from a token alone is not possible: {reason}")]
    TokenNotEnough {
        /// The service.
        service: ServiceKind,
        /// Why, and what to do instead.
        reason: &'static str,
    },

    /// The base URL is not usable.
    #[error("invalid base URL: {reason}")]
    InvalidUrl {
        /// Why.
        reason: &'static str,
    },

    /// Plain `http://` to a host that is not this machine: passwords and tokens would cross the
    /// network unencrypted.
    #[error(
        "refusing to send credentials over plain http to {host}: use https, or allow insecure http explicitly (Options::allow_insecure_http, --allow-http) if you trust the network"
    )]
    InsecureUrl {
        /// The host of the URL.
        host: String,
    },

    /// The service is self-hosted (Rocket.Chat, Mattermost): there is no default server.
    #[error("{service} is self-hosted: give the server's base URL, e.g. https://chat.example.com")]
    MissingBaseUrl {
        /// The service.
        service: ServiceKind,
    },

    /// A credential the service needs is missing or empty.
    #[error("{service} needs a {what}")]
    MissingCredential {
        /// The service.
        service: ServiceKind,
        /// What is missing: `user name`, `password`, `developer key`, `second-factor code`.
        what: &'static str,
    },

    /// A credential cannot be sent (e.g. a control character in a header value).
    #[error("the {what} for {service} contains characters that cannot be sent")]
    InvalidCredential {
        /// The service.
        service: ServiceKind,
        /// Which credential.
        what: &'static str,
    },

    /// Not one of [`ServiceKind::ALL`].
    #[error("unknown service {name:?}: expected one of {}", known_services())]
    UnknownService {
        /// What was given (at most 40 characters).
        name: String,
    },

    /// A session of one service was asked for another service's client.
    #[error("this is a {session} session, not a {wanted} one")]
    WrongService {
        /// The session's service.
        session: ServiceKind,
        /// The service whose client was asked for.
        wanted: ServiceKind,
    },

    /// The service logs in with OAuth 2.0 / OpenID Connect (its spec's `x-apilogin.oauth`),
    /// not with a password: [`Client::login_with_browser`](crate::Client::login_with_browser)
    /// or [`Client::login_with_device`](crate::Client::login_with_device).
    #[error("{service} logs in with OAuth (a browser or a device code), not with a password")]
    OAuthOnly {
        /// The service.
        service: ServiceKind,
    },

    /// An OAuth login of a service without `x-apilogin.oauth`, or without a client id.
    #[error("{service}: {reason}")]
    NoOAuth {
        /// The service.
        service: ServiceKind,
        /// What is missing.
        reason: &'static str,
    },

    /// The HTTP client could not be built (e.g. no TLS roots available).
    #[error("cannot set up the HTTP client: {detail}")]
    HttpClient {
        /// The underlying error.
        detail: String,
    },
}

impl ConfigError {
    fn service(&self) -> Option<ServiceKind> {
        match self {
            ConfigError::MissingBaseUrl { service }
            | ConfigError::OAuthOnly { service }
            | ConfigError::NoOAuth { service, .. }
            | ConfigError::MissingCredential { service, .. }
            | ConfigError::InvalidCredential { service, .. }
            | ConfigError::WrongService {
                session: service, ..
            } => Some(*service),
            _ => None,
        }
    }
}

//! [`OAuthError`]: what can go wrong in an OAuth 2.0 / OpenID Connect flow, and what to do.

use std::time::Duration;

use crate::error::TransportKind;

/// An OAuth 2.0 or OpenID Connect flow that did not end with tokens.
///
/// No variant carries a token, code, secret or a URL with a query: they are safe to print.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum OAuthError {
    /// The issuer or one of the endpoints its discovery document names is plain `http://` to a
    /// host that is not this machine.
    #[error(
        "{what} {url} is plain http to another machine: tokens would cross the network \
         unencrypted; use the provider's https URL (or allow insecure http in the options)"
    )]
    InsecureUrl {
        /// Which URL (`issuer`, `token endpoint`, ...).
        what: &'static str,
        /// Its origin.
        url: String,
    },
    /// The issuer URL is not a URL.
    #[error(
        "the issuer {issuer:?} is not a valid URL: give the provider's issuer, e.g. https://accounts.example.com"
    )]
    InvalidIssuer {
        /// What was given.
        issuer: String,
    },
    /// The discovery document (`/.well-known/openid-configuration`) or the JWKS could not be
    /// read or does not describe a provider.
    #[error("OpenID Connect discovery of {issuer} failed: {reason}; check the issuer URL")]
    Discovery {
        /// The issuer.
        issuer: String,
        /// Why.
        reason: String,
    },
    /// The provider does not offer what the flow needs (no device authorization endpoint, no
    /// revocation endpoint, ...).
    #[error("the provider {issuer} has no {what}: use another flow")]
    Unsupported {
        /// The issuer.
        issuer: String,
        /// The missing endpoint.
        what: &'static str,
    },
    /// The provider could not be reached, or did not answer in time.
    #[error("{endpoint}: {kind}: {detail}")]
    Transport {
        /// Which endpoint.
        endpoint: String,
        /// What kind of failure.
        kind: TransportKind,
        /// The transport's own words (no URL query, no body).
        detail: String,
    },
    /// An endpoint answered with a redirect. It is never followed: the request carries a code,
    /// a token or a secret, which must go only to the endpoint the provider's discovery names.
    #[error(
        "{endpoint} answered {status} with a redirect to {}; it was not followed, so that no \
         code or token reaches another place: check the issuer URL",
        location.as_deref().unwrap_or("nowhere")
    )]
    Redirected {
        /// Which endpoint.
        endpoint: String,
        /// The 3xx status.
        status: u16,
        /// The origin the redirect points to (never its path or query).
        location: Option<String>,
    },
    /// An answer larger than [`MAX_RESPONSE_BYTES`](crate::MAX_RESPONSE_BYTES).
    #[error("{endpoint} answered more than {limit} bytes")]
    BodyTooLarge {
        /// Which endpoint.
        endpoint: String,
        /// The limit in bytes.
        limit: usize,
    },
    /// The user (or the provider on their behalf) refused: `error=access_denied`.
    #[error(
        "access was denied{}: log in again and approve the request",
        describe(description)
    )]
    AccessDenied {
        /// The provider's `error_description`.
        description: Option<String>,
    },
    /// The `state` on the loopback redirect is not the one this login sent: the answer belongs
    /// to another login (or to an attacker). Nothing was exchanged.
    #[error(
        "the redirect to the loopback listener carried another login's state: nothing was \
         exchanged; start the login again"
    )]
    StateMismatch,
    /// The `iss` on the loopback redirect (RFC 9207) is not the issuer this login started with.
    #[error(
        "the redirect to the loopback listener came from issuer {found:?}, not the provider this \
         login started with: nothing was exchanged"
    )]
    IssuerMismatch {
        /// The `iss` the redirect carried.
        found: String,
    },
    /// The device code expired before the user approved it.
    #[error("the device code expired before it was approved: start again and approve it in time")]
    DeviceCodeExpired,
    /// Nobody came back to the loopback listener in time.
    #[error("no answer from the browser within {0:?}: start the login again")]
    TimedOut(Duration),
    /// The loopback listener could not be opened or read.
    #[error("the loopback listener on 127.0.0.1 failed: {0}")]
    Loopback(String),
    /// The provider refused the request with an OAuth error code (RFC 6749 §5.2).
    #[error("the provider refused the request: {code}{}", describe(description))]
    Provider {
        /// The `error` code (`invalid_grant`, `invalid_client`, ...).
        code: String,
        /// The provider's `error_description`.
        description: Option<String>,
    },
    /// The ID token failed validation (signature from the provider's JWKS, `iss`, `aud`, `exp`,
    /// `nonce`). No token was kept.
    #[error("the ID token is not valid: {0}; nothing was kept")]
    InvalidIdToken(String),
    /// An answer that is not what the protocol describes.
    #[error("{endpoint} gave an unexpected answer: {reason}")]
    UnexpectedResponse {
        /// Which endpoint.
        endpoint: String,
        /// What is wrong with it (never the body: it may hold tokens).
        reason: String,
    },
    /// The HTTP client could not be built.
    #[error("the HTTP client could not be built: {0}")]
    HttpClient(String),
}

fn describe(description: &Option<String>) -> String {
    description
        .as_deref()
        .map(|d| format!(" ({d})"))
        .unwrap_or_default()
}

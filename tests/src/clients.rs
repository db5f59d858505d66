//! Building the generated clients the way an application would, and classifying their errors.
//!
//! Credentials go to the generated clients' `Credentials` (`with_credentials`), which send
//! what each operation's `security` names; `http` can still add raw default headers, for the
//! tests that send what a generated client would refuse to.

use std::time::Duration;

use apilogin_sandbox::REMOTEIT_DEVELOPER_KEY;
use progenitor_client::{Error, ResponseValue};
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};

/// Request timeout of the clients in the outcome tests (generous: only a hang trips it).
pub const TIMEOUT: Duration = Duration::from_secs(10);

/// A `reqwest::Client` with a timeout, no system proxy, and `headers` as sensitive defaults.
///
/// # Panics
/// On a header name or value that is not valid HTTP (a bug in the test).
pub fn http(timeout: Duration, headers: &[(&str, &str)]) -> reqwest::Client {
    let mut map = HeaderMap::new();
    for (name, value) in headers {
        let mut value = HeaderValue::from_str(value).expect("valid header value");
        value.set_sensitive(true);
        map.insert(
            HeaderName::from_bytes(name.as_bytes()).expect("valid header name"),
            value,
        );
    }
    reqwest::Client::builder()
        .timeout(timeout)
        .connect_timeout(timeout)
        .no_proxy()
        .default_headers(map)
        .build()
        .expect("reqwest client")
}

/// remote.it client with the sandbox's developer key.
pub fn remoteit(base_url: &str) -> remoteit_client::Client {
    remoteit_client::Client::new_with_client(base_url, http(TIMEOUT, &[]))
        .with_credentials(remoteit_client::Credentials::new().developer_key(REMOTEIT_DEVELOPER_KEY))
}

/// Txty client.
pub fn txty(base_url: &str) -> txty_client::Client {
    txty_client::Client::new_with_client(base_url, http(TIMEOUT, &[]))
}

/// Project Thanos client.
pub fn projectthanos(base_url: &str) -> projectthanos_client::Client {
    projectthanos_client::Client::new_with_client(base_url, http(TIMEOUT, &[]))
}

/// Rocket.Chat client without credentials (for `login`).
pub fn rocketchat(base_url: &str) -> rocketchat_client::Client {
    rocketchat_client::Client::new_with_client(base_url, http(TIMEOUT, &[]))
}

/// Rocket.Chat client sending `X-Auth-Token` and `X-User-Id` (for `me` and `logout`).
pub fn rocketchat_authed(
    base_url: &str,
    auth_token: &str,
    user_id: &str,
) -> rocketchat_client::Client {
    rocketchat_client::Client::new_with_client(base_url, http(TIMEOUT, &[])).with_credentials(
        rocketchat_client::Credentials::auth_token_and_user_id(auth_token, user_id),
    )
}

/// Which `progenitor_client::Error` variant a call ended with (plus what matters of it).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Failure {
    /// `Error::InvalidRequest`.
    InvalidRequest,
    /// `Error::CommunicationError`; `timeout` is `reqwest::Error::is_timeout`.
    Communication {
        /// The request timed out.
        timeout: bool,
    },
    /// `Error::InvalidUpgrade`.
    InvalidUpgrade,
    /// `Error::ErrorResponse` (a documented error status).
    ErrorResponse(u16),
    /// `Error::ResponseBodyError`.
    ResponseBody,
    /// `Error::InvalidResponsePayload` (the body did not deserialize).
    InvalidPayload,
    /// `Error::UnexpectedResponse` (an undocumented status).
    Unexpected(u16),
    /// `Error::Custom` with its message.
    Custom(String),
}

/// Classifies a generated client's error.
pub fn failure<E>(err: &impl AsRef<Error<E>>) -> Failure {
    classify(err.as_ref())
}

/// Classifies progenitor's error (a client's `Error::kind`).
pub fn classify<E>(err: &Error<E>) -> Failure {
    match err {
        Error::InvalidRequest(_) => Failure::InvalidRequest,
        Error::CommunicationError(e) => Failure::Communication {
            timeout: e.is_timeout(),
        },
        Error::InvalidUpgrade(_) => Failure::InvalidUpgrade,
        Error::ErrorResponse(rv) => Failure::ErrorResponse(rv.status().as_u16()),
        Error::ResponseBodyError(_) => Failure::ResponseBody,
        Error::InvalidResponsePayload(_, _) => Failure::InvalidPayload,
        Error::UnexpectedResponse(r) => Failure::Unexpected(r.status().as_u16()),
        Error::Custom(m) => Failure::Custom(m.clone()),
    }
}

/// A call's result reduced to its status or its [`Failure`].
pub fn outcome<T, E>(
    result: &Result<ResponseValue<T>, impl AsRef<Error<E>>>,
) -> Result<u16, Failure> {
    match result {
        Ok(rv) => Ok(rv.status().as_u16()),
        Err(e) => Err(failure(e)),
    }
}

/// The typed body of a documented error response.
///
/// # Panics
/// If the call did not end with `Error::ErrorResponse` of that status.
pub fn error_body<T: std::fmt::Debug, E>(
    result: Result<ResponseValue<T>, impl Into<Error<E>>>,
    status: u16,
) -> ResponseValue<E> {
    match result.map_err(Into::into) {
        Err(Error::ErrorResponse(rv)) if rv.status().as_u16() == status => rv,
        Err(e) => panic!("expected ErrorResponse {status}, got {:?}", classify(&e)),
        Ok(rv) => panic!("expected ErrorResponse {status}, got success {rv:?}"),
    }
}

/// Reads a whole `ByteStream` (e.g. the XML answer of Txty's `login_xml`).
///
/// # Errors
/// The transport error of a chunk.
pub async fn read_stream(stream: progenitor_client::ByteStream) -> reqwest::Result<Vec<u8>> {
    let mut inner = stream.into_inner();
    let mut out = Vec::new();
    while let Some(chunk) = std::future::poll_fn(|cx| inner.as_mut().poll_next(cx)).await {
        out.extend_from_slice(&chunk?);
    }
    Ok(out)
}

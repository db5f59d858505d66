//! The one place HTTP clients are configured, and the mapping of the generated clients'
//! errors to [`LoginError`].
//!
//! Safety rules enforced here: connect and total timeouts; redirects are never followed (a 3xx
//! becomes [`LoginError::Redirected`]), so requests, and the credentials in their headers and
//! bodies, only ever go to the configured base URL; plain `http://` only to loopback unless the
//! caller allows it, and never through a proxy (https honours the usual proxy variables).
//! Response bodies are bounded by the generated clients (1 MiB).

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Mutex, OnceLock, PoisonError};
use std::time::{Duration, SystemTime};

use progenitor_client::{Error as ApiError, ResponseValue};
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use reqwest::{StatusCode, Url, redirect};

use crate::error::{ConfigError, LoginError, TransportKind};
use crate::reads::Reads;
use crate::redact;
use crate::service::{Service, ServiceKind};

/// Default time allowed to open a connection (TCP and TLS).
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// Default time allowed for a whole request, answer included.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);

/// How requests are made: timeouts and whether plain http to other hosts is allowed.
///
/// ```
/// use std::time::Duration;
/// let options = apilogin::Options::default()
///     .connect_timeout(Duration::from_secs(5))
///     .timeout(Duration::from_secs(15));
/// assert!(!options.allow_insecure_http);
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct Options {
    /// Time allowed to open a connection (default [`DEFAULT_CONNECT_TIMEOUT`]).
    pub connect_timeout: Duration,
    /// Time allowed for a whole request, answer included (default [`DEFAULT_TIMEOUT`]).
    pub timeout: Duration,
    /// Allow `http://` to hosts other than loopback (default `false`: passwords and tokens
    /// would cross the network unencrypted).
    pub allow_insecure_http: bool,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            connect_timeout: DEFAULT_CONNECT_TIMEOUT,
            timeout: DEFAULT_TIMEOUT,
            allow_insecure_http: false,
        }
    }
}

impl Options {
    /// Sets the connect timeout.
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// Sets the total timeout of a request.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Allows (or forbids again) `http://` to hosts that are not loopback.
    pub fn allow_insecure_http(mut self, allow: bool) -> Self {
        self.allow_insecure_http = allow;
        self
    }
}

/// Whether `url`'s host is this machine: 127.0.0.0/8, ::1 or `localhost`.
fn is_loopback(url: &Url) -> bool {
    let Some(host) = url.host_str() else {
        return false;
    };
    // IPv6 hosts come bracketed: `[::1]`.
    let host = host.trim_start_matches('[').trim_end_matches(']');
    host.eq_ignore_ascii_case("localhost")
        || host.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

/// Checks the service's base URL against the options (https, or http to loopback, or allowed).
pub(crate) fn check_url(service: &Service, options: &Options) -> Result<Url, ConfigError> {
    let url = service.url()?;
    if url.scheme() == "http" && !options.allow_insecure_http && !is_loopback(&url) {
        return Err(ConfigError::InsecureUrl {
            host: url.host_str().unwrap_or_default().to_owned(),
        });
    }
    Ok(url)
}

/// The `reqwest::Client` for `service` and `options`, with the safety settings. One is built per
/// base URL and options and shared by every login client and session of the process (with its
/// open connections): credentials are not in it but in each generated client's `Credentials`,
/// which add to each request exactly what its operation's `security` names.
///
/// On a machine without CA certificates, a plain-http URL gets its client, and an https one a
/// [`TransportKind::Tls`] error that says so, before any connection.
pub(crate) fn client(service: &Service, options: &Options) -> Result<reqwest::Client, LoginError> {
    type Clients = Mutex<HashMap<(String, Options), reqwest::Client>>;
    static CLIENTS: OnceLock<Clients> = OnceLock::new();
    let url = check_url(service, options)?;
    let key = (service.base_url().to_owned(), options.clone());
    let clients = CLIENTS.get_or_init(Default::default);
    // A panic elsewhere cannot leave the map half-written: take it as it is.
    let lock = || clients.lock().unwrap_or_else(PoisonError::into_inner);
    if let Some(client) = lock().get(&key) {
        return Ok(client.clone());
    }
    // Built without holding the lock (it takes milliseconds); two threads may both build, one
    // result is kept, both are equivalent.
    let built = build_client(service.kind(), &url, options)?;
    Ok(lock().entry(key).or_insert(built).clone())
}

/// What a TLS failure says when this machine has no CA certificates.
const NO_CA_CERTIFICATES: &str = "no CA certificates were loaded from this machine \
     (SSL_CERT_FILE, SSL_CERT_DIR or the system's store), so no server certificate can be \
     checked: install the system's CA certificates (Debian or Ubuntu: `apt-get install \
     ca-certificates`) or point SSL_CERT_FILE at a PEM bundle";

fn build_client(
    service: ServiceKind,
    url: &Url,
    options: &Options,
) -> Result<reqwest::Client, LoginError> {
    let builder = || {
        reqwest::Client::builder()
            .connect_timeout(options.connect_timeout)
            .timeout(options.timeout)
            // Never follow: a redirect to another origin must not receive the credentials, and
            // a same-origin one is a misconfigured base URL the user should hear about.
            .redirect(redirect::Policy::none())
            .referer(false)
            .user_agent(concat!("apilogin/", env!("CARGO_PKG_VERSION")))
    };
    // reqwest loads the TLS roots when it builds a client, whether or not it will use TLS.
    let no_roots = || builder().tls_certs_only(Vec::<reqwest::Certificate>::new());
    let config_error = |e: reqwest::Error| {
        LoginError::from(ConfigError::HttpClient {
            detail: error_chain(&e),
        })
    };
    if url.scheme() == "http" {
        // Plain http is allowed to loopback (or where the caller allowed it): a proxy from the
        // environment would carry it, secrets included, off this machine. With no proxy and
        // no redirect followed, this client never speaks TLS, so it loads no roots and works
        // on a machine without CA certificates.
        return no_roots().no_proxy().build().map_err(config_error);
    }
    builder().build().map_err(|e| {
        // A failure the same client without the system's roots does not have is theirs: the
        // TLS this URL needs cannot work.
        if no_roots().build().is_ok() {
            LoginError::Transport {
                service,
                kind: TransportKind::Tls,
                detail: NO_CA_CERTIFICATES.to_owned(),
            }
        } else {
            config_error(e)
        }
    })
}

/// A generated client's error as a [`LoginError`] (what `?` does with one, through the
/// `From` impls regen writes for every client crate). `text` is the error's own `Display`,
/// already scrubbed of the request's secrets by the generated crate; it is the excerpt.
pub(crate) fn client_error<E>(service: ServiceKind, text: String, kind: ApiError<E>) -> LoginError {
    let call = Call::new(service, Vec::new());
    let by_status = |status: StatusCode, headers: &reqwest::header::HeaderMap| match status {
        StatusCode::UNAUTHORIZED => LoginError::SessionRejected { service },
        StatusCode::FORBIDDEN => LoginError::PermissionDenied { service },
        StatusCode::TOO_MANY_REQUESTS => LoginError::RateLimited {
            service,
            reset_at: reset_at(headers),
        },
        s if s.is_server_error() => LoginError::ServerError {
            service,
            status: s.as_u16(),
            excerpt: text.clone(),
        },
        s => LoginError::UnexpectedResponse {
            service,
            status: Some(s.as_u16()),
            reason: "the service refused the call".to_owned(),
            excerpt: text.clone(),
        },
    };
    match kind {
        ApiError::ErrorResponse(rv) => by_status(rv.status(), rv.headers()),
        ApiError::UnexpectedResponse(resp) if resp.status().is_redirection() => {
            LoginError::Redirected {
                service,
                status: resp.status().as_u16(),
                location: redirect_origin(&resp),
            }
        }
        ApiError::UnexpectedResponse(resp) => by_status(resp.status(), resp.headers()),
        ApiError::CommunicationError(e)
        | ApiError::ResponseBodyError(e)
        | ApiError::InvalidUpgrade(e) => call.transport(&e),
        ApiError::Custom(msg) if msg.contains("larger than") => LoginError::BodyTooLarge {
            service,
            limit: crate::generated::clients::MAX_RESPONSE_BYTES,
        },
        ApiError::InvalidResponsePayload(..)
        | ApiError::Custom(_)
        | ApiError::InvalidRequest(_) => LoginError::UnexpectedResponse {
            service,
            status: None,
            reason: "the call failed".to_owned(),
            excerpt: text,
        },
    }
}

/// The origin a redirect answer points to (never its path or query, where secrets may be).
fn redirect_origin(resp: &reqwest::Response) -> Option<String> {
    resp.headers()
        .get(reqwest::header::LOCATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|l| resp.url().join(l).ok())
        .map(|u| u.origin().ascii_serialization())
}

/// A header carrying a secret, marked sensitive.
pub(crate) fn secret_header(
    service: ServiceKind,
    name: &'static str,
    value: &str,
    what: &'static str,
) -> Result<(HeaderName, HeaderValue), ConfigError> {
    let mut v = HeaderValue::from_str(value)
        .map_err(|_| ConfigError::InvalidCredential { service, what })?;
    v.set_sensitive(true);
    Ok((HeaderName::from_static(name), v))
}

/// A header map from `(name, value)` pairs.
pub(crate) fn header_map(pairs: impl IntoIterator<Item = (HeaderName, HeaderValue)>) -> HeaderMap {
    let mut map = HeaderMap::new();
    for (n, v) in pairs {
        map.insert(n, v);
    }
    map
}

/// The context of one call: which service, and which secrets to scrub from any excerpt.
pub(crate) struct Call<'a> {
    pub(crate) service: ServiceKind,
    secrets: Vec<&'a str>,
    /// What the step reads of a documented answer (`None`: all of it).
    pub(crate) reads: Option<&'static Reads>,
}

impl<'a> Call<'a> {
    pub(crate) fn new(service: ServiceKind, secrets: Vec<&'a str>) -> Self {
        Call {
            service,
            secrets,
            reads: None,
        }
    }

    /// This call, keeping of documented answers only what `reads` reads.
    pub(crate) fn reading(self, reads: &'static Reads) -> Self {
        Call {
            reads: Some(reads),
            ..self
        }
    }

    /// `text` (a server's code or message) with the known secrets replaced, cut short.
    pub(crate) fn scrub(&self, text: &str) -> String {
        redact::excerpt(text.as_bytes(), &self.secrets)
    }

    /// An [`LoginError::UnexpectedResponse`] for a typed answer that makes no sense here.
    pub(crate) fn unexpected(&self, status: Option<StatusCode>, reason: &str) -> LoginError {
        LoginError::UnexpectedResponse {
            service: self.service,
            status: status.map(|s| s.as_u16()),
            reason: reason.to_owned(),
            excerpt: String::new(),
        }
    }

    /// Maps a generated client's error. `typed` handles the documented error answers.
    pub(crate) async fn fail<E, T>(
        &self,
        err: ApiError<E>,
        typed: impl FnOnce(ResponseValue<E>) -> Result<T, LoginError>,
    ) -> Result<T, LoginError> {
        let service = self.service;
        Err(match err {
            ApiError::ErrorResponse(rv) => return typed(rv),
            ApiError::UnexpectedResponse(resp) => self.unexpected_response(resp).await,
            ApiError::InvalidResponsePayload(body, e) => LoginError::UnexpectedResponse {
                service,
                status: None,
                reason: if body.is_empty() {
                    "the answer has an empty body".to_owned()
                } else {
                    // Not `e`'s text: serde messages can quote values from the body. And not
                    // `e.classify()`: a type error can be reported before a later syntax error.
                    let valid = serde_json::from_slice::<serde::de::IgnoredAny>(&body).is_ok();
                    let what = if valid {
                        "JSON of a shape the API does not describe"
                    } else {
                        "not valid JSON"
                    };
                    format!(
                        "the body is {what} (line {}, column {})",
                        e.line(),
                        e.column()
                    )
                },
                excerpt: redact::excerpt(&body, &self.secrets),
            },
            ApiError::CommunicationError(e) | ApiError::ResponseBodyError(e) => self.transport(&e),
            ApiError::InvalidUpgrade(e) => self.transport(&e),
            ApiError::Custom(msg) if msg.contains("larger than") => LoginError::BodyTooLarge {
                service,
                limit: crate::generated::clients::MAX_RESPONSE_BYTES,
            },
            ApiError::Custom(msg) => LoginError::UnexpectedResponse {
                service,
                status: None,
                reason: self.scrub(&msg),
                excerpt: String::new(),
            },
            // The builders are filled from typed values; this is not reachable with valid input.
            ApiError::InvalidRequest(msg) => LoginError::UnexpectedResponse {
                service,
                status: None,
                reason: format!("the request could not be built: {}", self.scrub(&msg)),
                excerpt: String::new(),
            },
        })
    }

    /// An answer whose status the spec does not list.
    async fn unexpected_response(&self, resp: reqwest::Response) -> LoginError {
        let service = self.service;
        let status = resp.status();
        let headers = resp.headers().clone();
        if status.is_redirection() {
            return LoginError::Redirected {
                service,
                status: status.as_u16(),
                location: redirect_origin(&resp),
            };
        }
        if status == StatusCode::TOO_MANY_REQUESTS {
            return LoginError::RateLimited {
                service,
                reset_at: reset_at(&headers),
            };
        }
        // The generated clients already read (at most 1 MiB of) the body into memory.
        let body = resp.bytes().await.unwrap_or_default();
        let excerpt = redact::excerpt(&body, &self.secrets);
        if status.is_server_error() {
            LoginError::ServerError {
                service,
                status: status.as_u16(),
                excerpt,
            }
        } else {
            LoginError::UnexpectedResponse {
                service,
                status: Some(status.as_u16()),
                reason: "the API does not describe this status".to_owned(),
                excerpt,
            }
        }
    }

    fn transport(&self, e: &reqwest::Error) -> LoginError {
        let detail = self.scrub(&error_chain(e));
        let kind = transport_kind(e, &detail);
        LoginError::Transport {
            service: self.service,
            kind,
            detail,
        }
    }
}

/// What kind of failure a request that got no answer had; `detail` is its error chain's
/// text (for the TLS test). Also `oauth`'s.
pub(crate) fn transport_kind(e: &reqwest::Error, detail: &str) -> TransportKind {
    if e.is_timeout() {
        TransportKind::Timeout
    } else if e.is_connect() && is_tls_failure(e, &detail.to_ascii_lowercase()) {
        TransportKind::Tls
    } else if e.is_connect() {
        TransportKind::Connect
    } else if e.is_body() || e.is_decode() {
        TransportKind::Interrupted
    } else {
        TransportKind::Other
    }
}

/// reqwest has no `is_tls`: a connect error to an https URL that is not a socket error (rustls
/// reports through `io::ErrorKind::InvalidData`), or whose text names TLS or certificates.
fn is_tls_failure(e: &reqwest::Error, lower: &str) -> bool {
    let https = e.url().is_some_and(|u| u.scheme() == "https");
    let mut invalid_data = false;
    let mut src = std::error::Error::source(e);
    while let Some(s) = src {
        if let Some(io) = s.downcast_ref::<std::io::Error>() {
            invalid_data |= io.kind() == std::io::ErrorKind::InvalidData;
        }
        src = s.source();
    }
    let named = [
        "certificate",
        "tls",
        "handshake",
        "corrupt message",
        "alert",
    ]
    .iter()
    .any(|w| lower.contains(w));
    https && (invalid_data || named)
}

/// `X-RateLimit-Reset` (epoch milliseconds, Rocket.Chat) or `Retry-After` (seconds).
pub(crate) fn reset_at(headers: &HeaderMap) -> Option<SystemTime> {
    let number = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<u64>().ok())
    };
    if let Some(ms) = number("x-ratelimit-reset") {
        return SystemTime::UNIX_EPOCH.checked_add(Duration::from_millis(ms));
    }
    number("retry-after").and_then(|s| SystemTime::now().checked_add(Duration::from_secs(s)))
}

/// An error and its sources, `: `-separated (also for `oauth`'s HTTP errors).
pub(crate) fn error_chain(e: &(dyn std::error::Error + 'static)) -> String {
    let mut out = e.to_string();
    let mut src = e.source();
    while let Some(s) = src {
        let text = s.to_string();
        if !out.contains(&text) {
            out.push_str(": ");
            out.push_str(&text);
        }
        src = s.source();
    }
    out
}

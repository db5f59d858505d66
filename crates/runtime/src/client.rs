//! The safe `reqwest` client: redirects only within the request's origin, no `Referer`,
//! timeouts.

use std::fmt;
use std::time::Duration;

/// The time a request may take to connect, and in all, with a client from [`client_builder`].
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(15);

/// The most redirects [`client_builder`]'s clients follow within one origin.
const MAX_REDIRECTS: usize = 10;

/// The `reqwest::ClientBuilder` behind a generated crate's `Client::new`: redirects only within
/// the request's origin (at most 10; another scheme, host or port is refused with
/// [`RedirectRefused`], so a password, code or token never reaches another server), no
/// `Referer`, [`DEFAULT_TIMEOUT`] to connect and in all. Adjust it and pass the built client to
/// the generated `Client::new_with_client`.
pub fn client_builder() -> reqwest::ClientBuilder {
    reqwest::ClientBuilder::new()
        .connect_timeout(DEFAULT_TIMEOUT)
        .timeout(DEFAULT_TIMEOUT)
        .referer(false)
        .redirect(reqwest::redirect::Policy::custom(same_origin_redirects))
}

/// The client of [`client_builder`] for `baseurl`, or why it cannot be built.
///
/// An `http` `baseurl` needs no CA certificates (redirects stay within its origin): when the
/// system's cannot be loaded, its client is built without TLS roots, and only a TLS connection,
/// such as one to an `https` proxy, fails. An `https` `baseurl` without them is an error.
pub fn build_client(baseurl: &str) -> Result<reqwest::Client, ClientBuildError> {
    client_builder()
        .build()
        .or_else(|e| {
            // reqwest loads the roots when it builds the client, TLS needed or not. A failure
            // that the same builder without the system's roots does not have is theirs, and
            // harms only TLS.
            let plain = reqwest::Url::parse(baseurl).is_ok_and(|u| u.scheme() == "http");
            if plain {
                let no_roots = Vec::<reqwest::Certificate>::new();
                client_builder()
                    .tls_certs_only(no_roots)
                    .build()
                    .map_err(|_| e)
            } else {
                Err(e)
            }
        })
        .map_err(ClientBuildError)
}

fn same_origin_redirects(attempt: reqwest::redirect::Attempt<'_>) -> reqwest::redirect::Action {
    let first = attempt.previous().first().map(reqwest::Url::origin);
    if first.as_ref() != Some(&attempt.url().origin()) {
        let refused = RedirectRefused {
            status: attempt.status().as_u16(),
            target: url_without_query(attempt.url()).to_string(),
        };
        attempt.error(refused)
    } else if attempt.previous().len() > MAX_REDIRECTS {
        attempt.error(format!("more than {MAX_REDIRECTS} redirects"))
    } else {
        attempt.follow()
    }
}

/// `url` without its query and fragment, where secrets of GET requests and query API keys
/// travel: what errors show.
pub(crate) fn url_without_query(url: &reqwest::Url) -> reqwest::Url {
    let mut url = url.clone();
    url.set_query(None);
    url.set_fragment(None);
    url
}

/// A redirect to another origin (scheme, host or port), which [`client_builder`]'s clients do
/// not follow. It is the source of the `reqwest::Error` inside
/// [`ErrorKind::CommunicationError`](crate::ErrorKind::CommunicationError).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RedirectRefused {
    /// The redirect's HTTP status.
    pub status: u16,
    /// Where it pointed, without query or fragment.
    pub target: String,
}

impl fmt::Display for RedirectRefused {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "the server redirected (HTTP {}) to {}, another origin; not followed, so nothing was \
             sent there",
            self.status, self.target
        )
    }
}

impl std::error::Error for RedirectRefused {}

/// The HTTP client could not be built (reqwest's error, e.g. no CA certificates on this
/// machine for an `https` base URL).
#[derive(Debug)]
pub struct ClientBuildError(reqwest::Error);

impl fmt::Display for ClientBuildError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "cannot build the HTTP client: {}", self.0)?;
        let mut source = std::error::Error::source(&self.0);
        while let Some(s) = source {
            write!(f, ": {s}")?;
            source = s.source();
        }
        f.write_str(
            ". If no CA certificates were loaded, install the system's CA certificates (Debian or \
             Ubuntu: `apt-get install ca-certificates`) or point SSL_CERT_FILE at a PEM bundle.",
        )
    }
}

impl std::error::Error for ClientBuildError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_show_urls_without_query_or_fragment() {
        let url = reqwest::Url::parse("https://h.example/p?api_key=hunter2#frag").unwrap();
        assert_eq!(url_without_query(&url).as_str(), "https://h.example/p");
    }

    #[test]
    fn a_plain_http_base_url_builds() {
        assert!(build_client("http://127.0.0.1:1").is_ok());
    }
}

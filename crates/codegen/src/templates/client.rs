/// The time a request may take to connect, and in all, with a client from [`client_builder`].
pub const DEFAULT_TIMEOUT: ::std::time::Duration = ::std::time::Duration::from_secs(15);

/// The most redirects [`client_builder`]'s clients follow within one origin.
const MAX_REDIRECTS: usize = 10;

impl Client {
    /// A client for `baseurl` (scheme, host, port and path stem) over a `reqwest::Client` from
    /// [`client_builder`]: redirects are followed only within the origin of the request (another
    /// scheme, host or port is refused with [`RedirectRefused`], so a password, code or token
    /// never reaches another server), no `Referer` header, [`DEFAULT_TIMEOUT`].
    ///
    /// Fails, instead of panicking, when the HTTP client cannot be built: for an `https`
    /// `baseurl` on a machine without CA certificates, for example. An `http` `baseurl` needs
    /// none (redirects stay within its origin): without them its client has no TLS roots, and
    /// only a TLS connection, such as one to an `https` proxy, fails.
    pub fn new(baseurl: &str) -> Result<Self, ClientBuildError> {
        let client = client_builder()
            .build()
            .or_else(|e| {
                // reqwest loads the roots when it builds the client, TLS needed or not. A
                // failure that the same builder without the system's roots does not have is
                // theirs, and harms only TLS.
                let plain = reqwest::Url::parse(baseurl).is_ok_and(|u| u.scheme() == "http");
                let no_roots = Vec::<reqwest::Certificate>::new();
                if plain {
                    client_builder().tls_certs_only(no_roots).build().map_err(|_| e)
                } else {
                    Err(e)
                }
            })
            .map_err(ClientBuildError)?;
        Ok(Self::new_with_client(baseurl, client))
    }

    /// A client for `baseurl` over a `reqwest::Client` of your own (to share one connection
    /// pool between clients, or to set a proxy or other timeouts).
    ///
    /// Start from [`client_builder`] to keep this crate's safety rules. A client built otherwise
    /// must not follow redirects to other origins (`reqwest::redirect::Policy::none()` or a
    /// custom policy) — reqwest's default policy sends a 307/308 request body, and custom
    /// credential headers, to whatever host the server names — should disable `Referer`, and
    /// must not carry default headers with credentials: give those to
    /// [`with_credentials`](Client::with_credentials) where this API has any, so that each
    /// operation sends only what its spec requires.
    pub fn new_with_client(baseurl: &str, client: reqwest::Client) -> Self {
        Self {
            baseurl: baseurl.to_string(),
            client,
            inner: Default::default(),
        }
    }
}

/// The `reqwest::ClientBuilder` behind [`Client::new`]: redirects only within the request's
/// origin (at most 10), no `Referer`, [`DEFAULT_TIMEOUT`] to connect and in all. Adjust it and
/// pass the built client to [`Client::new_with_client`].
pub fn client_builder() -> reqwest::ClientBuilder {
    reqwest::ClientBuilder::new()
        .connect_timeout(DEFAULT_TIMEOUT)
        .timeout(DEFAULT_TIMEOUT)
        .referer(false)
        .redirect(reqwest::redirect::Policy::custom(same_origin_redirects))
}

fn same_origin_redirects(attempt: reqwest::redirect::Attempt<'_>) -> reqwest::redirect::Action {
    let first = attempt.previous().first().map(|u| u.origin());
    if first.as_ref() != Some(&attempt.url().origin()) {
        let refused = RedirectRefused {
            status: attempt.status().as_u16(),
            target: without_query(attempt.url()),
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
fn without_query(url: &reqwest::Url) -> String {
    url_without_query(url).to_string()
}

fn url_without_query(url: &reqwest::Url) -> reqwest::Url {
    let mut url = url.clone();
    url.set_query(None);
    url.set_fragment(None);
    url
}

/// A redirect to another origin (scheme, host or port), which [`client_builder`]'s clients do
/// not follow. It is the source of the `reqwest::Error` inside [`Error::CommunicationError`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RedirectRefused {
    /// The redirect's HTTP status.
    pub status: u16,
    /// Where it pointed, without query or fragment.
    pub target: String,
}

impl ::std::fmt::Display for RedirectRefused {
    fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
        write!(
            f,
            "the server redirected (HTTP {}) to {}, another origin; not followed, so nothing was sent there",
            self.status, self.target
        )
    }
}

impl ::std::error::Error for RedirectRefused {}

/// The HTTP client could not be built (reqwest's error, e.g. no CA certificates on this
/// machine for an `https` base URL).
#[derive(Debug)]
pub struct ClientBuildError(reqwest::Error);

impl ::std::fmt::Display for ClientBuildError {
    fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
        write!(f, "cannot build the HTTP client: {}", self.0)?;
        let mut source = ::std::error::Error::source(&self.0);
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

impl ::std::error::Error for ClientBuildError {
    fn source(&self) -> Option<&(dyn ::std::error::Error + 'static)> {
        Some(&self.0)
    }
}

/// Adds to a request the credentials its operation requires.
trait Authenticate {
    fn authenticate(
        &self,
        client: &reqwest::Client,
        operation: &str,
        request: &mut reqwest::Request,
    ) -> Result<(), String>;

    /// Every credential's secret value, for [`Error`]'s scrubber.
    fn secrets(&self) -> Vec<&str> {
        Vec::new()
    }
}

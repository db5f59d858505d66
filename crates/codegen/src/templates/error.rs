/// What went wrong in an operation, as progenitor reports it: match on its variants through
/// [`Error::kind`] or [`Error::into_kind`].
pub use progenitor_client::Error as ErrorKind;

/// The error of every operation of this crate: progenitor's [`ErrorKind`], with every variant's
/// data as it came (the typed value of a documented error answer, the raw body of an answer that
/// did not parse, the unexpected response), and text that never shows a secret.
///
/// `Display` and `Debug` replace every value the request carried that the spec marks secret
/// (the `format: password` fields of its body and query, and the credentials of every security
/// scheme) wherever the server echoed it, raw or through up to three nested encodings (JSON
/// escaping, percent or form encoding, HTML references, base64), with `<redacted>`, by the
/// scrubber of [`apilogin_redact`]. They show a server's text cut to [`ERROR_TEXT_CHARS`]
/// characters, on one line, and the values of JSON members named like secrets (`token`,
/// `password`, …) are replaced too. [`source`](std::error::Error::source) is `None`: the
/// causes are part of `Display`, scrubbed; the unscrubbed error is [`Error::kind`].
pub struct Error<E = ()> {
    kind: ErrorKind<E>,
    scrubber: apilogin_redact::Scrubber,
}

/// The most characters of a server's text (a body, an error value) an [`Error`] shows.
pub const ERROR_TEXT_CHARS: usize = 500;

impl<E> Error<E> {
    /// An error whose text is scrubbed of `scrubber`'s secrets.
    pub fn new(kind: ErrorKind<E>, scrubber: apilogin_redact::Scrubber) -> Self {
        Self { kind, scrubber }
    }

    /// What went wrong, with the data as it came: for a documented error answer,
    /// `ErrorKind::ErrorResponse(value)` holds the spec's typed value. Printing it (or its
    /// parts) yourself prints what the server sent, unscrubbed.
    pub fn kind(&self) -> &ErrorKind<E> {
        &self.kind
    }

    /// [`kind`](Self::kind), owned.
    pub fn into_kind(self) -> ErrorKind<E> {
        self.kind
    }

    /// The typed value of a documented error answer (`ErrorKind::ErrorResponse`), if this is one.
    pub fn error_response(&self) -> Option<&ResponseValue<E>> {
        match &self.kind {
            ErrorKind::ErrorResponse(value) => Some(value),
            _ => None,
        }
    }

    /// The HTTP status, when the error comes from an answer.
    pub fn status(&self) -> Option<reqwest::StatusCode> {
        self.kind.status()
    }

    /// Whether trying again may succeed (a transport error, 408, 429, 502, 503, 504).
    pub fn is_retryable(&self) -> bool {
        self.kind.is_retryable()
    }

    /// This error without the typed value of an error answer.
    pub fn into_untyped(self) -> Error<()> {
        Error {
            kind: self.kind.into_untyped(),
            scrubber: self.scrubber,
        }
    }

    /// One line, with the server's text cut and every secret replaced; `detail` adds headers.
    fn text(&self, detail: bool) -> String
    where
        E: ErrorValue,
    {
        let cut = |text: &str| {
            apilogin_redact::excerpt(text.as_bytes(), &self.scrubber, ERROR_TEXT_CHARS)
        };
        let chain = |e: &reqwest::Error| {
            let mut text = e.to_string();
            let mut source = ::std::error::Error::source(e);
            while let Some(s) = source {
                text.push_str(": ");
                text.push_str(&s.to_string());
                source = s.source();
            }
            cut(&text)
        };
        let headers = |headers: &reqwest::header::HeaderMap| {
            if !detail {
                return String::new();
            }
            let mut text = String::from("; headers: ");
            for (name, value) in headers {
                let value = if value.is_sensitive() {
                    "<sensitive>".into()
                } else {
                    String::from_utf8_lossy(value.as_bytes())
                };
                text.push_str(&format!("{name}: {}; ", cut(&value)));
            }
            text
        };
        match &self.kind {
            ErrorKind::InvalidRequest(s) => format!("invalid request: {}", cut(s)),
            ErrorKind::CommunicationError(e) => format!("communication error: {}", chain(e)),
            ErrorKind::InvalidUpgrade(e) => format!("invalid response upgrade: {}", chain(e)),
            ErrorKind::ErrorResponse(value) => format!(
                "error response: HTTP {}{}; value: {}",
                value.status(),
                headers(value.headers()),
                cut(&value.as_ref().describe())
            ),
            ErrorKind::ResponseBodyError(e) => {
                format!("the response body could not be read: {}", chain(e))
            }
            ErrorKind::InvalidResponsePayload(body, e) => format!(
                "invalid response payload ({} bytes): {}; body: {}",
                body.len(),
                cut(&e.to_string()),
                cut(&String::from_utf8_lossy(body))
            ),
            ErrorKind::UnexpectedResponse(response) => format!(
                "unexpected response: HTTP {} from {}{}",
                response.status(),
                cut(response.url().as_str()),
                headers(response.headers())
            ),
            ErrorKind::Custom(s) => cut(s),
        }
    }
}

impl<E: ErrorValue> ::std::fmt::Display for Error<E> {
    fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
        f.write_str(&self.text(false))
    }
}

impl<E: ErrorValue> ::std::fmt::Debug for Error<E> {
    fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
        f.debug_tuple("Error").field(&self.text(true)).finish()
    }
}

impl<E: ErrorValue> ::std::error::Error for Error<E> {}

impl<E> AsRef<ErrorKind<E>> for Error<E> {
    fn as_ref(&self) -> &ErrorKind<E> {
        &self.kind
    }
}

impl<E> From<Error<E>> for ErrorKind<E> {
    fn from(error: Error<E>) -> Self {
        error.kind
    }
}

/// How the typed value of an error answer is shown (before it is scrubbed): `Debug` for the
/// spec's types, a placeholder for a byte stream. Implemented for every error type of this
/// crate's operations.
pub trait ErrorValue {
    /// The value as text.
    fn describe(&self) -> String;
}

impl ErrorValue for () {
    fn describe(&self) -> String {
        "(none)".into()
    }
}

impl ErrorValue for ByteStream {
    fn describe(&self) -> String {
        "<stream>".into()
    }
}

/// What a request of `client` carried where secrets travel, kept as it was sent: the scrubber
/// is made of it only when an error needs one (making it for every request cost a twentieth
/// of a login's CPU time under load: `cargo xtask bench`, concurrency).
struct RequestSecrets<'c> {
    client: &'c Client,
    operation: &'static str,
    /// Header values marked sensitive or named secret by the operation's spec.
    headers: Vec<reqwest::header::HeaderValue>,
    /// The query, when the spec names secret query parameters.
    query: Option<String>,
    /// The body (and whether it is a form), when the spec names secret body fields.
    body: Option<(bool, Vec<u8>)>,
}

impl<'c> RequestSecrets<'c> {
    fn new(client: &'c Client) -> Self {
        Self {
            client,
            operation: "",
            headers: Vec::new(),
            query: None,
            body: None,
        }
    }

    /// Keeps what `request` carries where its operation's spec marks secrets, and every header
    /// marked sensitive.
    fn capture(&mut self, request: &reqwest::Request, operation: &'static str) {
        let places = secret_places(operation);
        self.operation = operation;
        self.headers = request
            .headers()
            .iter()
            .filter(|(name, value)| {
                value.is_sensitive() || places.headers.iter().any(|h| name.as_str().eq_ignore_ascii_case(h))
            })
            .map(|(_, value)| value.clone())
            .collect();
        if !places.query.is_empty() {
            self.query = request.url().query().map(str::to_owned);
        }
        if !places.body.is_empty() {
            let form = request
                .headers()
                .get(reqwest::header::CONTENT_TYPE)
                .is_some_and(|v| v.as_bytes().starts_with(b"application/x-www-form-urlencoded"));
            self.body = request
                .body()
                .and_then(reqwest::Body::as_bytes)
                .map(|body| (form, body.to_vec()));
        }
    }

    /// The scrubber of the client's credentials and the request's secrets.
    fn scrubber(self) -> apilogin_redact::Scrubber {
        let mut scrubber = apilogin_redact::Scrubber::new(self.client.inner.secrets());
        let places = secret_places(self.operation);
        scrubber.extend(
            self.headers
                .iter()
                .map(|value| String::from_utf8_lossy(value.as_bytes()).into_owned()),
        );
        if let Some(query) = &self.query {
            scrubber.extend(
                form_pairs(query)
                    .into_iter()
                    .filter(|(name, _)| places.query.contains(&name.as_str()))
                    .map(|(_, value)| value),
            );
        }
        match &self.body {
            Some((true, body)) => scrubber.extend(
                form_pairs(&String::from_utf8_lossy(body))
                    .into_iter()
                    .filter(|(name, _)| places.body.iter().any(|p| p.len() == 1 && p[0] == name.as_str()))
                    .map(|(_, value)| value),
            ),
            Some((false, body)) => {
                if let Ok(value) = serde_json::from_slice::<serde_json::Value>(body) {
                    for path in places.body {
                        let mut found = Vec::new();
                        json_strings_at(&value, path, &mut found);
                        scrubber.extend(found);
                    }
                }
            }
            None => {}
        }
        scrubber
    }
}

/// The pairs of a query string or form body, decoded as a URL's query is.
fn form_pairs(text: &str) -> Vec<(String, String)> {
    let mut url = reqwest::Url::parse("http://pairs.invalid/").expect("a valid URL");
    url.set_query(Some(text));
    url.query_pairs()
        .map(|(name, value)| (name.into_owned(), value.into_owned()))
        .collect()
}

/// The strings at `path` (property names; `*` for every item or member) of `value`.
fn json_strings_at<'v>(value: &'v serde_json::Value, path: &[&str], out: &mut Vec<&'v str>) {
    let Some((first, rest)) = path.split_first() else {
        if let Some(s) = value.as_str() {
            out.push(s);
        }
        return;
    };
    match (value, *first) {
        (serde_json::Value::Array(items), "*") => {
            items.iter().for_each(|v| json_strings_at(v, rest, out))
        }
        (serde_json::Value::Object(members), "*") => {
            members.values().for_each(|v| json_strings_at(v, rest, out))
        }
        (serde_json::Value::Object(members), name) => {
            if let Some(v) = members.get(name) {
                json_strings_at(v, rest, out);
            }
        }
        _ => {}
    }
}

/// Where an operation's request carries values its spec marks secret (`format: password`).
struct SecretPlaces {
    /// Query parameters.
    query: &'static [&'static str],
    /// Header parameters.
    headers: &'static [&'static str],
    /// Paths into the body: property names, `*` for every item of an array or member of a map
    /// (a form body has one-name paths).
    body: &'static [&'static [&'static str]],
}

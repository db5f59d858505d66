//! The error of every operation of a generated crate: progenitor's, with text scrubbed of
//! every secret the request carried.

use std::fmt;
use std::marker::PhantomData;

use apilogin_redact::Scrubber;
use progenitor_client::{ByteStream, ResponseValue};

use crate::auth::Authenticate;

/// What went wrong in an operation, as progenitor reports it: match on its variants through
/// [`Error::kind`] or [`Error::into_kind`].
pub use progenitor_client::Error as ErrorKind;

/// The most characters of a server's text (a body, an error value) an [`Error`] shows.
pub const ERROR_TEXT_CHARS: usize = 500;

/// The error of every operation of a generated crate: progenitor's [`ErrorKind`], with every
/// variant's data as it came (the typed value of a documented error answer, the raw body of an
/// answer that did not parse, the unexpected response), and text that never shows a secret.
///
/// `C` is the generated crate's `Client`, so that each crate's `Error` (an alias of this type)
/// is a type of its own.
///
/// `Display` is one line that names the cause: `communication error: cannot connect to
/// http://…: Connection refused (os error 111)`, `… timed out http://…`, a TLS failure, a
/// refused redirect, or `error response: HTTP 401 Unauthorized: <the body's message>`
/// ([`ErrorValue::message`]), never headers. `{:#}` gives every cause and the whole error
/// value; `Debug` the answer's headers too.
///
/// All three replace every value the request carried that the spec marks secret
/// (the `format: password` fields of its body and query, and the credentials of every security
/// scheme) wherever the server echoed it, raw or through up to three nested encodings (JSON
/// escaping, percent or form encoding, HTML references, base64), with `<redacted>`, by the
/// scrubber of [`apilogin_redact`]. They show a server's text cut to [`ERROR_TEXT_CHARS`]
/// characters, on one line, and the values of JSON members named like secrets (`token`,
/// `password`, …) are replaced too. [`source`](std::error::Error::source) is `None`: the
/// causes are part of `Display`, scrubbed; the unscrubbed error is [`Error::kind`].
pub struct Error<E, C> {
    kind: ErrorKind<E>,
    scrubber: Scrubber,
    client: PhantomData<fn() -> C>,
}

impl<E, C> Error<E, C> {
    /// An error whose text is scrubbed of `scrubber`'s secrets.
    pub fn new(kind: ErrorKind<E>, scrubber: Scrubber) -> Self {
        Self {
            kind,
            scrubber,
            client: PhantomData,
        }
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
    pub fn into_untyped(self) -> Error<(), C> {
        Error::new(self.kind.into_untyped(), self.scrubber)
    }

    /// The text, with the server's text cut and every secret replaced: one line that names
    /// the cause ([`Shown::Line`]), the same with every cause and value ([`Shown::Full`]), and
    /// headers too ([`Shown::Debug`]).
    fn text(&self, shown: Shown) -> String
    where
        E: ErrorValue,
    {
        let cut = |text: &str| {
            apilogin_redact::excerpt(text.as_bytes(), &self.scrubber, ERROR_TEXT_CHARS)
        };
        let transport = |e: &reqwest::Error| match shown {
            Shown::Line => cut(&cause(e)),
            Shown::Full | Shown::Debug => cut(&chain(e)),
        };
        let headers = |headers: &reqwest::header::HeaderMap| {
            if shown != Shown::Debug {
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
            ErrorKind::CommunicationError(e) => format!("communication error: {}", transport(e)),
            ErrorKind::InvalidUpgrade(e) => {
                format!("invalid response upgrade: {}", transport(e))
            }
            ErrorKind::ErrorResponse(value) => {
                let message = (shown == Shown::Line)
                    .then(|| value.as_ref().message())
                    .flatten();
                match message {
                    Some(message) => {
                        format!("error response: HTTP {}: {}", value.status(), cut(&message))
                    }
                    None => format!(
                        "error response: HTTP {}{}; value: {}",
                        value.status(),
                        headers(value.headers()),
                        cut(&value.as_ref().describe())
                    ),
                }
            }
            ErrorKind::ResponseBodyError(e) => {
                format!("the response body could not be read: {}", transport(e))
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

/// How much an error's text says.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Shown {
    /// `Display`: one line that names the cause.
    Line,
    /// `{:#}`: every cause, the whole error value.
    Full,
    /// `Debug`: and the answer's headers.
    Debug,
}

/// A transport error and all its causes, on one line.
fn chain(e: &reqwest::Error) -> String {
    let mut text = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    text
}

/// What a transport error comes down to, in a few words: the connection refused or the name
/// not found (its deepest cause), a timeout, a TLS failure, a refused redirect.
fn cause(e: &reqwest::Error) -> String {
    let causes = std::iter::successors(std::error::Error::source(e), |s| s.source());
    if let Some(refused) = causes
        .clone()
        .find_map(|s| s.downcast_ref::<crate::RedirectRefused>())
    {
        return refused.to_string();
    }
    let deepest = causes.last().map(ToString::to_string);
    let at = e
        .url()
        .map(|url| format!(" {}", crate::client::url_without_query(url)))
        .unwrap_or_default();
    match deepest {
        _ if e.is_timeout() => format!("timed out{at}"),
        Some(deepest) if e.is_connect() => format!("cannot connect to{at}: {deepest}"),
        _ => chain(e),
    }
}

impl<E: ErrorValue, C> fmt::Display for Error<E, C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text(if f.alternate() {
            Shown::Full
        } else {
            Shown::Line
        }))
    }
}

impl<E: ErrorValue, C> fmt::Debug for Error<E, C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Error")
            .field(&self.text(Shown::Debug))
            .finish()
    }
}

impl<E: ErrorValue, C> std::error::Error for Error<E, C> {}

impl<E, C> AsRef<ErrorKind<E>> for Error<E, C> {
    fn as_ref(&self) -> &ErrorKind<E> {
        &self.kind
    }
}

impl<E, C> From<Error<E, C>> for ErrorKind<E> {
    fn from(error: Error<E, C>) -> Self {
        error.kind
    }
}

/// How the typed value of an error answer is shown (before it is scrubbed): `Debug` for the
/// spec's types, a placeholder for a byte stream. Generated crates implement it for every
/// error type of their operations.
pub trait ErrorValue {
    /// The value as text.
    fn describe(&self) -> String;

    /// The message a server put in the value, if it has one ([`json_message`]): what the
    /// error's one line shows after the status instead of the whole value.
    fn message(&self) -> Option<String> {
        None
    }
}

/// The message of an error answer's body: the first string among the members that carry one
/// (`message`, `detail`, `error_description`, `error`, `msg`, `reason`, `title`,
/// `description`), at the top or inside an `error` object (`{"error": {"message": …}}`); a
/// body that is a string is its own message.
pub fn json_message<T: serde::Serialize + ?Sized>(value: &T) -> Option<String> {
    const MEMBERS: [&str; 8] = [
        "message",
        "detail",
        "error_description",
        "error",
        "msg",
        "reason",
        "title",
        "description",
    ];
    let value = serde_json::to_value(value).ok()?;
    let found = |value: &serde_json::Value| {
        MEMBERS
            .iter()
            .find_map(|m| value.get(m)?.as_str())
            .filter(|m| !m.trim().is_empty())
            .map(str::to_owned)
    };
    match &value {
        serde_json::Value::String(s) if !s.trim().is_empty() => Some(s.clone()),
        serde_json::Value::Object(members) => {
            found(&value).or_else(|| members.get("error").and_then(found))
        }
        _ => None,
    }
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

/// The error values a generated crate gets that are not its own types (the orphan rule keeps
/// it from implementing this trait for them): `Debug`, like its own, and the message of a JSON
/// value or a string.
macro_rules! debug_error_values {
    ($($ty:ty $(where $($param:ident),+)? $(=> $message:ident)?;)*) => {
        $(
            impl$(<$($param: fmt::Debug),+>)? ErrorValue for $ty {
                fn describe(&self) -> String {
                    format!("{self:?}")
                }
                $(
                    fn message(&self) -> Option<String> {
                        $message(self)
                    }
                )?
            }
        )*
    };
}

debug_error_values! {
    String => json_message;
    serde_json::Value => json_message;
    serde_json::Map<String, serde_json::Value> => json_message;
    bool;
    i64;
    u64;
    f64;
    i32;
    u32;
    f32;
    Vec<T> where T;
    Option<T> where T;
    std::collections::HashMap<K, V> where K, V;
    std::collections::BTreeMap<K, V> where K, V;
}

/// Where an operation's request carries values its spec marks secret (`format: password`).
/// Generated crates have one per operation that has any.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SecretPlaces {
    /// Query parameters.
    pub query: &'static [&'static str],
    /// Header parameters.
    pub headers: &'static [&'static str],
    /// Paths into the body: property names, `*` for every item of an array or member of a map
    /// (a form body has one-name paths).
    pub body: &'static [&'static [&'static str]],
}

impl SecretPlaces {
    /// An operation that carries no secret of its spec's.
    pub const NONE: Self = Self {
        query: &[],
        headers: &[],
        body: &[],
    };
}

/// What a request carried where secrets travel, kept as it was sent: the scrubber is made of
/// it only when an error needs one (making it for every request cost a twentieth of a login's
/// CPU time under load: `cargo xtask bench`, concurrency).
pub struct RequestSecrets<'c, A: ?Sized> {
    credentials: &'c A,
    places: SecretPlaces,
    /// Header values marked sensitive or named secret by the operation's spec.
    headers: Vec<reqwest::header::HeaderValue>,
    /// The query, when the spec names secret query parameters.
    query: Option<String>,
    /// The body (and whether it is a form), when the spec names secret body fields.
    body: Option<(bool, Vec<u8>)>,
}

impl<'c, A: Authenticate + ?Sized> RequestSecrets<'c, A> {
    /// Nothing captured yet; the client's `credentials` are always scrubbed.
    pub fn new(credentials: &'c A) -> Self {
        Self {
            credentials,
            places: SecretPlaces::NONE,
            headers: Vec::new(),
            query: None,
            body: None,
        }
    }

    /// Keeps what `request` carries at `places` (its operation's), and every header marked
    /// sensitive.
    pub fn capture(&mut self, request: &reqwest::Request, places: SecretPlaces) {
        self.places = places;
        self.headers = request
            .headers()
            .iter()
            .filter(|(name, value)| {
                value.is_sensitive()
                    || places
                        .headers
                        .iter()
                        .any(|h| name.as_str().eq_ignore_ascii_case(h))
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
                .is_some_and(|v| {
                    v.as_bytes()
                        .starts_with(b"application/x-www-form-urlencoded")
                });
            self.body = request
                .body()
                .and_then(reqwest::Body::as_bytes)
                .map(|body| (form, body.to_vec()));
        }
    }

    /// The scrubber of the client's credentials and the request's secrets.
    pub fn scrubber(self) -> Scrubber {
        let mut scrubber = Scrubber::new(self.credentials.secrets());
        let places = self.places;
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
                    .filter(|(name, _)| {
                        places
                            .body
                            .iter()
                            .any(|p| p.len() == 1 && p[0] == name.as_str())
                    })
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
            items.iter().for_each(|v| json_strings_at(v, rest, out));
        }
        (serde_json::Value::Object(members), "*") => {
            members.values().for_each(|v| json_strings_at(v, rest, out));
        }
        (serde_json::Value::Object(members), name) => {
            if let Some(v) = members.get(name) {
                json_strings_at(v, rest, out);
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_paths_find_strings_in_items_and_members() {
        let value = serde_json::json!({
            "user": {"password": "p1"},
            "list": [{"code": "c1"}, {"code": "c2"}],
            "map": {"a": {"k": "m1"}, "b": {"k": 7}},
        });
        let mut found = Vec::new();
        json_strings_at(&value, &["user", "password"], &mut found);
        json_strings_at(&value, &["list", "*", "code"], &mut found);
        json_strings_at(&value, &["map", "*", "k"], &mut found);
        json_strings_at(&value, &["missing"], &mut found);
        assert_eq!(found, ["p1", "c1", "c2", "m1"]);
    }

    #[test]
    fn the_message_of_an_error_body_is_found_at_the_top_or_in_an_error_object() {
        let cases = [
            (
                serde_json::json!({"message": "m", "detail": "d"}),
                Some("m"),
            ),
            (
                serde_json::json!({"detail": "Invalid token."}),
                Some("Invalid token."),
            ),
            (
                serde_json::json!({"error": "invalid_grant"}),
                Some("invalid_grant"),
            ),
            (
                serde_json::json!({"error": {"message": "nested"}}),
                Some("nested"),
            ),
            (serde_json::json!("plain text"), Some("plain text")),
            (serde_json::json!({"message": " ", "status": 401}), None),
            (serde_json::json!([{"message": "in a list"}]), None),
        ];
        for (body, want) in cases {
            assert_eq!(json_message(&body).as_deref(), want, "{body}");
        }
    }

    #[test]
    fn form_pairs_are_decoded() {
        assert_eq!(
            form_pairs("a=1&password=p%26w+d"),
            [
                ("a".into(), "1".into()),
                ("password".into(), "p&w d".into())
            ]
        );
    }

    #[test]
    fn the_captured_body_fields_credentials_and_sensitive_headers_are_scrubbed() {
        let credentials = ();
        let mut secrets = RequestSecrets::new(&credentials);
        let client = reqwest::Client::new();
        let mut request = client
            .post("http://127.0.0.1:1/login?otp=123456&page=2")
            .form(&[("user", "ann"), ("password", "hunter2")])
            .build()
            .unwrap();
        let mut key = reqwest::header::HeaderValue::from_static("key-7");
        key.set_sensitive(true);
        request.headers_mut().insert("x-key", key);
        let places = SecretPlaces {
            query: &["otp"],
            headers: &[],
            body: &[&["password"]],
        };
        secrets.capture(&request, places);
        let scrubber = secrets.scrubber();
        assert_eq!(
            scrubber.scrub("hunter2 123456 key-7 ann 2"),
            "<redacted> <redacted> <redacted> ann 2"
        );
    }
}

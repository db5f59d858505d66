//! What a generated crate's `progenitor_client::ClientHooks` do around every request: add the
//! credentials, bound the response body, check its media type.

use progenitor_client::OperationInfo;
use reqwest::ResponseBuilderExt as _;

use crate::auth::Authenticate;
use crate::client::url_without_query;

/// The largest response body a generated client reads, in bytes. A bigger answer (a broken or
/// hostile server, a proxy's error page gone wrong) fails with `ErrorKind::Custom` instead of
/// filling memory.
pub const MAX_RESPONSE_BYTES: usize = 1024 * 1024;

/// Marks a response whose body went over [`MAX_RESPONSE_BYTES`] and was dropped.
#[derive(Clone, Copy)]
struct BodyTooLarge;

/// The `pre` hook: adds the credentials the operation's `security` requires, or fails before
/// sending.
///
/// # Errors
///
/// `ErrorKind::InvalidRequest` when no alternative of the requirement is set, or a credential
/// cannot travel where its scheme puts it.
// progenitor's `ClientHooks` return its `Error` unboxed; this is the body of one.
#[allow(clippy::result_large_err)]
pub fn pre<A: Authenticate + ?Sized, E>(
    credentials: &A,
    client: &reqwest::Client,
    request: &mut reqwest::Request,
    info: &OperationInfo,
) -> Result<(), progenitor_client::Error<E>> {
    credentials
        .authenticate(client, info.operation_id, request)
        .map_err(progenitor_client::Error::InvalidRequest)
}

/// The `exec` hook: sends the request and makes sure no operation reads more than
/// [`MAX_RESPONSE_BYTES`]: a body without a Content-Length (chunked) is read here, up to the
/// limit. Errors and responses carry the URL without its query, where secrets may travel.
///
/// # Errors
///
/// reqwest's, when the request cannot be sent or the body cannot be read.
pub async fn exec(
    client: &reqwest::Client,
    request: reqwest::Request,
) -> reqwest::Result<reqwest::Response> {
    let has_query = request.url().query().is_some() || request.url().fragment().is_some();
    let mut response = client
        .execute(request)
        .await
        .map_err(without_query_in_error)?;
    let mut too_large = match response.content_length() {
        // hyper never delivers more than a declared Content-Length, so such a body is
        // bounded already: pass it through unbuffered.
        Some(n) if n <= MAX_RESPONSE_BYTES as u64 && !has_query => return Ok(response),
        Some(n) if n <= MAX_RESPONSE_BYTES as u64 => {
            let url = url_without_query(response.url());
            let response: http::Response<reqwest::Body> = response.into();
            return Ok(with_url(response, url));
        }
        Some(_) => true,
        None => false,
    };
    let mut body = Vec::new();
    while !too_large {
        match response.chunk().await.map_err(without_query_in_error)? {
            Some(chunk) if body.len() + chunk.len() > MAX_RESPONSE_BYTES => too_large = true,
            Some(chunk) => body.extend_from_slice(&chunk),
            None => break,
        }
    }
    let url = url_without_query(response.url());
    let mut bounded = http::Response::new(if too_large { Vec::new() } else { body });
    *bounded.status_mut() = response.status();
    *bounded.version_mut() = response.version();
    *bounded.headers_mut() = std::mem::take(response.headers_mut());
    if too_large {
        bounded.extensions_mut().insert(BodyTooLarge);
    }
    Ok(with_url(bounded, url))
}

/// The `post` hook: refuses a body [`exec`] dropped for its size, and an answer whose
/// `Content-Type` is not among those the spec lists for the operation and status
/// (`expected_media_types(operation, status)`; `None`: nothing to check).
///
/// # Errors
///
/// `ErrorKind::Custom`, saying which of the two.
// progenitor's `ClientHooks` return its `Error` unboxed; this is the body of one.
#[allow(clippy::result_large_err)]
pub fn post<E>(
    result: &reqwest::Result<reqwest::Response>,
    info: &OperationInfo,
    expected_media_types: impl FnOnce(&str, u16) -> Option<&'static [&'static str]>,
) -> Result<(), progenitor_client::Error<E>> {
    let Ok(response) = result else { return Ok(()) };
    if response.extensions().get::<BodyTooLarge>().is_some() {
        return Err(progenitor_client::Error::Custom(format!(
            "the response body is larger than {MAX_RESPONSE_BYTES} bytes; it was not read"
        )));
    }
    let status = response.status().as_u16();
    let Some(expected) = expected_media_types(info.operation_id, status) else {
        return Ok(());
    };
    let actual = response
        .headers()
        .get(reqwest::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(|v| {
            v.split(';')
                .next()
                .unwrap_or_default()
                .trim()
                .to_ascii_lowercase()
        });
    match actual {
        Some(actual) if expected.iter().any(|e| media_type_matches(e, &actual)) => Ok(()),
        actual => Err(progenitor_client::Error::Custom(format!(
            "`{}` got HTTP {status} with Content-Type {}, but the spec lists {}; the body was not \
             parsed",
            info.operation_id,
            actual.as_deref().unwrap_or("(none)"),
            expected.join(" or ")
        ))),
    }
}

/// Whether the media type `actual` is what the spec lists as `listed`: equal, or within a
/// range the spec lists (`image/*`, `*/*`).
fn media_type_matches(listed: &str, actual: &str) -> bool {
    listed == actual
        || listed == "*/*"
        || listed
            .strip_suffix("/*")
            .is_some_and(|kind| actual.split('/').next() == Some(kind))
}

/// A reqwest response made of `response`, reporting `url` as its URL.
fn with_url<B: Into<reqwest::Body>>(
    response: http::Response<B>,
    url: reqwest::Url,
) -> reqwest::Response {
    let (mut parts, body) = response.into_parts();
    // reqwest keeps a response's URL in an extension only its builder can set.
    if let Some(marker) = http::Response::builder().url(url).extensions_mut() {
        parts.extensions.extend(std::mem::take(marker));
    }
    reqwest::Response::from(http::Response::from_parts(parts, body))
}

/// `error` with its URL's query and fragment removed.
fn without_query_in_error(mut error: reqwest::Error) -> reqwest::Error {
    if let Some(url) = error.url_mut() {
        url.set_query(None);
        url.set_fragment(None);
    }
    error
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn media_types_match_exactly_or_within_a_listed_range() {
        assert!(media_type_matches("application/json", "application/json"));
        assert!(media_type_matches("image/*", "image/png"));
        assert!(media_type_matches("*/*", "text/html"));
        assert!(!media_type_matches("application/json", "text/html"));
        assert!(!media_type_matches("image/*", "text/png"));
    }

    #[test]
    fn a_response_keeps_the_url_it_is_given() {
        let url = reqwest::Url::parse("http://h.example/p").unwrap();
        let response = with_url(http::Response::new(Vec::new()), url.clone());
        assert_eq!(response.url(), &url);
    }
}

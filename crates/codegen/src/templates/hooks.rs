/// The largest response body this client reads, in bytes. A bigger answer (a broken or hostile
/// server, a proxy's error page gone wrong) fails with `Error::Custom` instead of filling memory.
pub const MAX_RESPONSE_BYTES: usize = 1024 * 1024;

/// Marks a response whose body went over [`MAX_RESPONSE_BYTES`] and was dropped.
#[derive(Clone, Copy)]
struct BodyTooLarge;

impl progenitor_client::ClientHooks<Auth> for Client {
    /// Adds the credentials the operation's `security` requires, or fails before sending.
    async fn pre<E>(
        &self,
        request: &mut reqwest::Request,
        info: &progenitor_client::OperationInfo,
    ) -> Result<(), progenitor_client::Error<E>> {
        self.inner
            .authenticate(&self.client, info.operation_id, request)
            .map_err(progenitor_client::Error::InvalidRequest)
    }

    /// Sends the request and makes sure no operation reads more than [`MAX_RESPONSE_BYTES`]:
    /// a body without a Content-Length (chunked) is read here, up to the limit. Errors and
    /// responses carry the URL without its query, where secrets may travel.
    async fn exec(
        &self,
        request: reqwest::Request,
        _info: &progenitor_client::OperationInfo,
    ) -> reqwest::Result<reqwest::Response> {
        let has_query = request.url().query().is_some() || request.url().fragment().is_some();
        let mut response = self.client.execute(request).await.map_err(without_query_in_error)?;
        let mut too_large = match response.content_length() {
            // hyper never delivers more than a declared Content-Length, so such a body is
            // bounded already: pass it through unbuffered.
            Some(n) if n <= MAX_RESPONSE_BYTES as u64 && !has_query => return Ok(response),
            Some(n) if n <= MAX_RESPONSE_BYTES as u64 => {
                let url = url_without_query(response.url());
                let response: ::http::Response<reqwest::Body> = response.into();
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
        let mut bounded = ::http::Response::new(if too_large { Vec::new() } else { body });
        *bounded.status_mut() = response.status();
        *bounded.version_mut() = response.version();
        *bounded.headers_mut() = std::mem::take(response.headers_mut());
        if too_large {
            bounded.extensions_mut().insert(BodyTooLarge);
        }
        Ok(with_url(bounded, url))
    }

    async fn post<E>(
        &self,
        result: &reqwest::Result<reqwest::Response>,
        info: &progenitor_client::OperationInfo,
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
            .map(|v| v.split(';').next().unwrap_or_default().trim().to_ascii_lowercase());
        match actual {
            Some(actual) if expected.iter().any(|e| media_type_matches(e, &actual)) => Ok(()),
            actual => Err(progenitor_client::Error::Custom(format!(
                "`{}` got HTTP {status} with Content-Type {}, but the spec lists {}; the body was not parsed",
                info.operation_id,
                actual.as_deref().unwrap_or("(none)"),
                expected.join(" or ")
            ))),
        }
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
fn with_url<B: Into<reqwest::Body>>(response: ::http::Response<B>, url: reqwest::Url) -> reqwest::Response {
    use reqwest::ResponseBuilderExt as _;
    let (mut parts, body) = response.into_parts();
    // reqwest keeps a response's URL in an extension only its builder can set.
    if let Some(marker) = ::http::Response::builder().url(url).extensions_mut() {
        parts.extensions.extend(std::mem::take(marker));
    }
    reqwest::Response::from(::http::Response::from_parts(parts, body))
}

/// `error` with its URL's query and fragment removed.
fn without_query_in_error(mut error: reqwest::Error) -> reqwest::Error {
    if let Some(url) = error.url_mut() {
        url.set_query(None);
        url.set_fragment(None);
    }
    error
}

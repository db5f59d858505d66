//! A recording HTTP/1.1 forwarder between a generated client and a sandbox.
//!
//! [`RecordingProxy::start`] listens on an ephemeral `127.0.0.1` port and forwards every request,
//! byte for byte (method, path, query, headers, body), to the upstream origin; it hands the
//! upstream answer back unchanged (status, headers, body) and keeps both halves as an
//! [`Exchange`]. What the contract checker validates is therefore exactly what went over the
//! wire, not a re-fetch or a re-serialisation.
//!
//! Redirects are not followed by the proxy (the client sees them, as it would without a proxy).

use std::net::{Ipv4Addr, SocketAddr};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

/// Most bytes of a request or response body the proxy buffers (the clients cap answers at 1 MiB).
const MAX_BODY: usize = 8 * 1024 * 1024;

/// Header the proxy adds to the 502 it answers when the upstream could not be reached.
pub const PROXY_ERROR_HEADER: &str = "x-recording-proxy-error";

/// One request/response pair as it went over the wire.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Exchange {
    /// HTTP method, e.g. `POST`.
    pub method: String,
    /// Path as sent, without the query, e.g. `/apv/v27/user/login`.
    pub path: String,
    /// Raw query string (without `?`), if any.
    pub query: Option<String>,
    /// Request headers: lower-case names, lossy UTF-8 values, in arrival order.
    pub request_headers: Vec<(String, String)>,
    /// Request body bytes.
    pub request_body: Vec<u8>,
    /// Response status code.
    pub status: u16,
    /// Response headers: lower-case names, lossy UTF-8 values.
    pub response_headers: Vec<(String, String)>,
    /// Response body bytes.
    pub response_body: Vec<u8>,
    /// Set by a test to check an exchange against a named operation whatever its path (for a
    /// request sent to a wrong URL on purpose, e.g. Project Thanos' 404).
    pub attributed_to: Option<String>,
}

fn find<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

impl Exchange {
    /// The first request header of that name (case-insensitive).
    pub fn request_header(&self, name: &str) -> Option<&str> {
        find(&self.request_headers, name)
    }

    /// The first response header of that name (case-insensitive).
    pub fn response_header(&self, name: &str) -> Option<&str> {
        find(&self.response_headers, name)
    }

    /// Short label for messages: `POST /api/v1/login -> 401`.
    pub fn label(&self) -> String {
        format!("{} {} -> {}", self.method, self.path, self.status)
    }

    /// Whether the request (path, query, headers or body) contains `needle` anywhere.
    pub fn request_contains(&self, needle: &str) -> bool {
        let n = needle.as_bytes();
        let in_bytes = |hay: &[u8]| !n.is_empty() && hay.windows(n.len()).any(|w| w == n);
        in_bytes(self.path.as_bytes())
            || self
                .query
                .as_deref()
                .is_some_and(|q| in_bytes(q.as_bytes()))
            || self
                .request_headers
                .iter()
                .any(|(_, v)| in_bytes(v.as_bytes()))
            || in_bytes(&self.request_body)
    }
}

struct ProxyState {
    upstream_origin: String,
    client: reqwest::Client,
    exchanges: Mutex<Vec<Exchange>>,
}

impl ProxyState {
    fn exchanges(&self) -> MutexGuard<'_, Vec<Exchange>> {
        self.exchanges.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// A running recording proxy; stops when dropped.
pub struct RecordingProxy {
    addr: SocketAddr,
    base_url: String,
    state: Arc<ProxyState>,
    task: JoinHandle<()>,
}

impl std::fmt::Debug for RecordingProxy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RecordingProxy")
            .field("base_url", &self.base_url)
            .field("upstream", &self.state.upstream_origin)
            .finish_non_exhaustive()
    }
}

impl RecordingProxy {
    /// Starts a proxy in front of `upstream_base_url` (e.g. a sandbox's `base_url()`). Returns
    /// once the listener is bound, so no waiting is needed before the first request.
    pub async fn start(upstream_base_url: &str) -> std::io::Result<RecordingProxy> {
        let upstream = reqwest::Url::parse(upstream_base_url)
            .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidInput, e))?;
        let upstream_origin = upstream.origin().ascii_serialization();
        let base_path = upstream.path().trim_end_matches('/').to_owned();
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .no_proxy()
            .timeout(Duration::from_secs(10))
            .build()
            .map_err(std::io::Error::other)?;
        let state = Arc::new(ProxyState {
            upstream_origin,
            client,
            exchanges: Mutex::new(Vec::new()),
        });
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).await?;
        let addr = listener.local_addr()?;
        let app = Router::new().fallback(forward).with_state(state.clone());
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Ok(RecordingProxy {
            addr,
            base_url: format!("http://{addr}{base_path}"),
            state,
            task,
        })
    }

    /// The proxy's base URL, with the upstream's base path (`http://127.0.0.1:PORT/apv/v27`).
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// The proxy's listening address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Every exchange so far, oldest first.
    pub fn exchanges(&self) -> Vec<Exchange> {
        self.state.exchanges().clone()
    }
}

impl Drop for RecordingProxy {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Hop-by-hop headers (RFC 9110 §7.6.1) and the ones the HTTP stacks recompute themselves.
fn skip_header(name: &HeaderName) -> bool {
    [
        header::CONNECTION,
        header::TRANSFER_ENCODING,
        header::TE,
        header::TRAILER,
        header::UPGRADE,
        header::PROXY_AUTHORIZATION,
        header::PROXY_AUTHENTICATE,
        header::HOST,
        header::CONTENT_LENGTH,
    ]
    .contains(name)
        || name.as_str() == "keep-alive"
}

fn header_list(headers: &HeaderMap) -> Vec<(String, String)> {
    headers
        .iter()
        .map(|(n, v)| {
            (
                n.as_str().to_owned(),
                String::from_utf8_lossy(v.as_bytes()).into_owned(),
            )
        })
        .collect()
}

async fn forward(State(st): State<Arc<ProxyState>>, req: Request) -> Response {
    let (parts, body) = req.into_parts();
    let body = axum::body::to_bytes(body, MAX_BODY)
        .await
        .unwrap_or_default();
    let path_and_query = parts.uri.path_and_query().map_or("/", |pq| pq.as_str());
    let mut exchange = Exchange {
        method: parts.method.to_string(),
        path: parts.uri.path().to_owned(),
        query: parts.uri.query().map(str::to_owned),
        request_headers: header_list(&parts.headers),
        request_body: body.to_vec(),
        status: 0,
        response_headers: Vec::new(),
        response_body: Vec::new(),
        attributed_to: None,
    };

    let mut upstream = st.client.request(
        parts.method.clone(),
        format!("{}{}", st.upstream_origin, path_and_query),
    );
    for (name, value) in &parts.headers {
        if !skip_header(name) {
            upstream = upstream.header(name, value);
        }
    }
    if !body.is_empty() || parts.headers.contains_key(header::CONTENT_LENGTH) {
        upstream = upstream.body(body);
    }

    let result = async {
        let resp = upstream.send().await?;
        let status = resp.status();
        let headers = resp.headers().clone();
        let body = resp.bytes().await?;
        Ok::<_, reqwest::Error>((status, headers, body))
    }
    .await;

    let response = match result {
        Ok((status, headers, body)) => {
            exchange.status = status.as_u16();
            exchange.response_headers = header_list(&headers);
            exchange.response_body = body.to_vec();
            let mut resp = Response::new(Body::from(body));
            *resp.status_mut() = status;
            for (name, value) in &headers {
                if !skip_header(name) {
                    resp.headers_mut().append(name.clone(), value.clone());
                }
            }
            resp
        }
        Err(err) => {
            let message = format!("upstream failed: {err}");
            exchange.status = StatusCode::BAD_GATEWAY.as_u16();
            exchange.response_headers = vec![(PROXY_ERROR_HEADER.to_owned(), message.clone())];
            let value = HeaderValue::from_str(&message)
                .unwrap_or_else(|_| HeaderValue::from_static("upstream failed"));
            (
                StatusCode::BAD_GATEWAY,
                [(HeaderName::from_static(PROXY_ERROR_HEADER), value)],
            )
                .into_response()
        }
    };
    st.exchanges().push(exchange);
    response
}

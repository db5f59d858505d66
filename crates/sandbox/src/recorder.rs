//! The second listener every sandbox runs: the target of redirect faults, which writes down what
//! arrives so a test can check whether a client followed a redirect and what it carried along.

use std::sync::{Arc, Mutex, MutexGuard};

use axum::Router;
use axum::extract::{Request, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};

/// One request that reached the recorder.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct RecordedRequest {
    /// HTTP method, e.g. `POST`.
    pub method: String,
    /// Path and query as sent, e.g. `/apv/v27/user/login`.
    pub path_and_query: String,
    /// Header names (lower case) and values (lossy UTF-8), in arrival order.
    pub headers: Vec<(String, String)>,
    /// The request body (at most 16 MiB are kept).
    pub body: Vec<u8>,
}

impl RecordedRequest {
    /// The first value of a header, by case-insensitive name.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// Shared list of what the recorder received.
#[derive(Clone, Default)]
pub(crate) struct Recordings(Arc<Mutex<Vec<RecordedRequest>>>);

impl Recordings {
    fn lock(&self) -> MutexGuard<'_, Vec<RecordedRequest>> {
        // A poisoned lock only means another request panicked mid-push; the list is still usable.
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub(crate) fn snapshot(&self) -> Vec<RecordedRequest> {
        self.lock().clone()
    }
}

const MAX_RECORDED_BODY: usize = 16 * 1024 * 1024;

/// Router answering every method and path with `200 {}`.
pub(crate) fn router(recordings: Recordings) -> Router {
    Router::new().fallback(record).with_state(recordings)
}

async fn record(State(recordings): State<Recordings>, req: Request) -> Response {
    let (parts, body) = req.into_parts();
    let body = axum::body::to_bytes(body, MAX_RECORDED_BODY)
        .await
        .map(|b| b.to_vec())
        .unwrap_or_default();
    let recorded = RecordedRequest {
        method: parts.method.to_string(),
        path_and_query: parts
            .uri
            .path_and_query()
            .map_or_else(|| parts.uri.path().to_owned(), |pq| pq.to_string()),
        headers: parts
            .headers
            .iter()
            .map(|(n, v)| {
                (
                    n.to_string(),
                    String::from_utf8_lossy(v.as_bytes()).into_owned(),
                )
            })
            .collect(),
        body,
    };
    // Path only: a query may carry credentials (Txty GET logins).
    tracing::info!(method = %recorded.method, path = %parts.uri.path(), "recorder received a request");
    recordings.lock().push(recorded);
    (
        StatusCode::OK,
        [(header::CONTENT_TYPE, "application/json")],
        "{}",
    )
        .into_response()
}

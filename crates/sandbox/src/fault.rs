//! Fault modes: misbehaviours a client must survive, switched on per sandbox.

use std::convert::Infallible;
use std::fmt;
use std::io;
use std::pin::Pin;
use std::str::FromStr;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use hyper::body::{Body as _, Bytes, Frame, SizeHint};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// A misbehaviour applied to every route of one sandbox (see the crate docs for what a client
/// sees in each mode).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Fault {
    /// Answer normally, but only after this delay. Stopping the sandbox cancels waiting answers.
    Slow(Duration),
    /// `200` whose `Content-Length` ([`Fault::TRUNCATED_DECLARED_LEN`]) is larger than the bytes
    /// sent ([`Fault::TRUNCATED_BODY`]); then the server closes the connection.
    TruncatedBody,
    /// `502 Bad Gateway` with nginx's HTML page.
    BadGatewayHtml,
    /// `200`, `Content-Type: application/json`, body [`Fault::MALFORMED_JSON_BODY`] (not JSON).
    MalformedJson,
    /// `200`, `Content-Type: application/json`, a valid JSON object of
    /// [`Fault::HUGE_BODY_LEN`] bytes, streamed (never held in memory).
    HugeBody,
    /// `200`, `Content-Type: application/json`, `Content-Length: 0`.
    EmptyOk,
    /// The normal answer (status and body), but `Content-Type: text/plain; charset=utf-8`.
    WrongContentType,
    /// `307 Temporary Redirect` to the same path and query on the recorder listener.
    Redirect307,
    /// `308 Permanent Redirect` to the same path and query on the recorder listener.
    Redirect308,
}

impl Fault {
    /// Delay of [`Fault::slow`]: far longer than any sane client timeout.
    pub const DEFAULT_SLOW_DELAY: Duration = Duration::from_secs(300);

    /// Size in bytes of the [`Fault::HugeBody`] body (64 MiB).
    pub const HUGE_BODY_LEN: u64 = 64 * 1024 * 1024;

    /// The `Content-Length` that [`Fault::TruncatedBody`] declares.
    pub const TRUNCATED_DECLARED_LEN: usize = 1024;

    /// The bytes [`Fault::TruncatedBody`] actually sends before closing.
    pub const TRUNCATED_BODY: &'static str =
        r#"{"status":"success","data":{"authToken":"sandbox-trunc"#;

    /// The body [`Fault::MalformedJson`] sends.
    pub const MALFORMED_JSON_BODY: &'static str = r#"{"status": "success", "token": "sandbox", ]"#;

    /// [`Fault::Slow`] with [`Fault::DEFAULT_SLOW_DELAY`].
    pub const fn slow() -> Fault {
        Fault::Slow(Self::DEFAULT_SLOW_DELAY)
    }

    /// Every fault mode once (`Slow` with its default delay).
    pub const ALL: [Fault; 9] = [
        Fault::slow(),
        Fault::TruncatedBody,
        Fault::BadGatewayHtml,
        Fault::MalformedJson,
        Fault::HugeBody,
        Fault::EmptyOk,
        Fault::WrongContentType,
        Fault::Redirect307,
        Fault::Redirect308,
    ];

    /// Kebab-case name, e.g. `truncated-body`; [`FromStr`] accepts it back (and `slow:SECONDS`).
    pub const fn id(&self) -> &'static str {
        match self {
            Fault::Slow(_) => "slow",
            Fault::TruncatedBody => "truncated-body",
            Fault::BadGatewayHtml => "bad-gateway-html",
            Fault::MalformedJson => "malformed-json",
            Fault::HugeBody => "huge-body",
            Fault::EmptyOk => "empty-ok",
            Fault::WrongContentType => "wrong-content-type",
            Fault::Redirect307 => "redirect-307",
            Fault::Redirect308 => "redirect-308",
        }
    }
}

impl fmt::Display for Fault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Fault::Slow(d) => write!(f, "slow:{}", d.as_secs_f64()),
            other => f.write_str(other.id()),
        }
    }
}

/// Error of [`Fault::from_str`]: the text names no fault mode.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown fault {0:?} (expected e.g. slow, slow:SECONDS, truncated-body, redirect-307)")]
pub struct UnknownFault(pub String);

impl FromStr for Fault {
    type Err = UnknownFault;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let unknown = || UnknownFault(s.to_owned());
        if let Some(secs) = s.strip_prefix("slow:") {
            let secs: f64 = secs.trim().parse().map_err(|_| unknown())?;
            return Duration::try_from_secs_f64(secs)
                .map(Fault::Slow)
                .map_err(|_| unknown());
        }
        Fault::ALL
            .into_iter()
            .find(|f| f.id().eq_ignore_ascii_case(s))
            .ok_or_else(unknown)
    }
}

/// What the fault middleware needs besides the fault.
pub(crate) struct FaultState {
    pub(crate) fault: Fault,
    /// `http://127.0.0.1:PORT` of the recorder, the target of redirects.
    pub(crate) recorder_origin: String,
}

/// Axum middleware wrapping every route and the fallback of a faulty sandbox.
pub(crate) async fn apply(State(st): State<Arc<FaultState>>, req: Request, next: Next) -> Response {
    match st.fault {
        Fault::Slow(delay) => {
            // Cancelled with the connection task when the sandbox stops.
            tokio::time::sleep(delay).await;
            next.run(req).await
        }
        Fault::WrongContentType => {
            let mut resp = next.run(req).await;
            resp.headers_mut().insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/plain; charset=utf-8"),
            );
            resp
        }
        // Answered at the TCP level before HTTP parsing; nothing to do if it ever gets here.
        Fault::TruncatedBody => next.run(req).await,
        fault => {
            let (parts, body) = req.into_parts();
            // Reading the request first keeps unread bytes from turning the close into a reset.
            drain(body).await;
            canned(fault, &parts.uri, &st.recorder_origin)
        }
    }
}

fn canned(fault: Fault, uri: &axum::http::Uri, recorder_origin: &str) -> Response {
    let json = [(header::CONTENT_TYPE, "application/json")];
    match fault {
        Fault::BadGatewayHtml => (
            StatusCode::BAD_GATEWAY,
            [
                (header::CONTENT_TYPE, "text/html"),
                (header::SERVER, "nginx"),
            ],
            BAD_GATEWAY_PAGE,
        )
            .into_response(),
        Fault::MalformedJson => (StatusCode::OK, json, Fault::MALFORMED_JSON_BODY).into_response(),
        Fault::EmptyOk => (StatusCode::OK, json, Body::empty()).into_response(),
        Fault::HugeBody => (StatusCode::OK, json, Body::new(HugeBody { sent: 0 })).into_response(),
        Fault::Redirect307 | Fault::Redirect308 => {
            let status = if fault == Fault::Redirect307 {
                StatusCode::TEMPORARY_REDIRECT
            } else {
                StatusCode::PERMANENT_REDIRECT
            };
            let target = uri.path_and_query().map_or("/", |pq| pq.as_str());
            let location = format!("{recorder_origin}{target}");
            match HeaderValue::try_from(location) {
                Ok(loc) => (status, [(header::LOCATION, loc)], Body::empty()).into_response(),
                Err(_) => StatusCode::BAD_REQUEST.into_response(),
            }
        }
        // Handled by `apply`.
        Fault::Slow(_) | Fault::WrongContentType | Fault::TruncatedBody => {
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}

const BAD_GATEWAY_PAGE: &str = "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n";

/// Most bytes of a request body read and thrown away before a canned answer.
const DRAIN_LIMIT: usize = 64 * 1024 * 1024;

async fn drain(mut body: Body) {
    let mut seen = 0usize;
    while seen < DRAIN_LIMIT {
        match std::future::poll_fn(|cx| Pin::new(&mut body).poll_frame(cx)).await {
            Some(Ok(frame)) => seen += frame.data_ref().map_or(0, |d| d.len()),
            _ => break,
        }
    }
}

/// The streamed `{"padding":"aaa…"}` body of [`Fault::HugeBody`].
struct HugeBody {
    sent: u64,
}

const HUGE_PREFIX: &[u8] = b"{\"padding\":\"";
const HUGE_SUFFIX: &[u8] = b"\"}";
static HUGE_FILL: [u8; 64 * 1024] = [b'a'; 64 * 1024];

impl hyper::body::Body for HugeBody {
    type Data = Bytes;
    type Error = Infallible;

    fn poll_frame(
        self: Pin<&mut Self>,
        _cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Infallible>>> {
        let this = self.get_mut();
        let total = Fault::HUGE_BODY_LEN;
        let fill_end = total - HUGE_SUFFIX.len() as u64;
        let chunk = if this.sent >= total {
            return Poll::Ready(None);
        } else if this.sent == 0 {
            Bytes::from_static(HUGE_PREFIX)
        } else if this.sent >= fill_end {
            Bytes::from_static(HUGE_SUFFIX)
        } else {
            let n = (fill_end - this.sent).min(HUGE_FILL.len() as u64) as usize;
            Bytes::from_static(&HUGE_FILL[..n])
        };
        this.sent += chunk.len() as u64;
        Poll::Ready(Some(Ok(Frame::data(chunk))))
    }

    fn is_end_stream(&self) -> bool {
        self.sent >= Fault::HUGE_BODY_LEN
    }

    fn size_hint(&self) -> SizeHint {
        SizeHint::with_exact(Fault::HUGE_BODY_LEN.saturating_sub(self.sent))
    }
}

/// Largest request head the raw truncating writer reads.
const MAX_HEAD: usize = 64 * 1024;

/// Answers one connection with a cut body, below HTTP libraries so the cut is exact: read the
/// whole request, send the head and part of the body, half-close, wait for the client to go.
pub(crate) async fn serve_truncated(mut stream: TcpStream) {
    let exchange = async {
        read_request(&mut stream).await?;
        let head = format!(
            "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
            Fault::TRUNCATED_DECLARED_LEN
        );
        stream.write_all(head.as_bytes()).await?;
        stream.write_all(Fault::TRUNCATED_BODY.as_bytes()).await?;
        stream.flush().await?;
        // FIN now: the client sees the body end early instead of waiting for the rest.
        stream.shutdown().await?;
        let mut sink = [0u8; 1024];
        while stream.read(&mut sink).await? > 0 {}
        Ok::<_, io::Error>(())
    };
    match tokio::time::timeout(Duration::from_secs(10), exchange).await {
        Ok(Ok(())) => {}
        Ok(Err(err)) => tracing::debug!(%err, "truncated-body connection ended"),
        Err(_) => tracing::debug!("truncated-body connection timed out"),
    }
}

async fn read_request(stream: &mut TcpStream) -> io::Result<()> {
    let mut buf = Vec::with_capacity(1024);
    let head_end = loop {
        if let Some(pos) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break pos + 4;
        }
        if buf.len() > MAX_HEAD {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                "request head too large",
            ));
        }
        if stream.read_buf(&mut buf).await? == 0 {
            return Err(io::ErrorKind::UnexpectedEof.into());
        }
    };
    let head = String::from_utf8_lossy(&buf[..head_end]);
    let mut content_length = 0usize;
    let mut chunked = false;
    let mut expect_continue = false;
    for line in head.split("\r\n").skip(1) {
        let Some((name, value)) = line.split_once(':') else {
            continue;
        };
        let (name, value) = (name.trim(), value.trim());
        if name.eq_ignore_ascii_case("content-length") {
            content_length = value.parse().unwrap_or(0);
        } else if name.eq_ignore_ascii_case("transfer-encoding") {
            chunked = value.to_ascii_lowercase().contains("chunked");
        } else if name.eq_ignore_ascii_case("expect") {
            expect_continue = value.eq_ignore_ascii_case("100-continue");
        }
    }
    if expect_continue {
        stream.write_all(b"HTTP/1.1 100 Continue\r\n\r\n").await?;
    }
    let mut tail: Vec<u8> = buf[head_end..].to_vec();
    let mut read = tail.len();
    let mut scratch = [0u8; 16 * 1024];
    loop {
        let done = if chunked {
            tail.ends_with(b"0\r\n\r\n")
        } else {
            read >= content_length
        };
        if done || read >= DRAIN_LIMIT {
            return Ok(());
        }
        let n = stream.read(&mut scratch).await?;
        if n == 0 {
            return Ok(());
        }
        read += n;
        // Only the last bytes matter for spotting the end of a chunked body.
        tail.extend_from_slice(&scratch[..n]);
        if tail.len() > 8 {
            tail.drain(..tail.len() - 8);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fault_ids_round_trip() {
        for f in Fault::ALL {
            assert_eq!(f.id().parse::<Fault>(), Ok(f));
        }
        assert_eq!(
            "slow:1.5".parse::<Fault>(),
            Ok(Fault::Slow(Duration::from_millis(1500)))
        );
        assert!("slow:-1".parse::<Fault>().is_err());
        assert!("explode".parse::<Fault>().is_err());
    }

    #[test]
    fn canned_bodies_are_what_they_claim() {
        assert!(serde_json::from_str::<serde_json::Value>(Fault::MALFORMED_JSON_BODY).is_err());
        assert!(Fault::TRUNCATED_BODY.len() < Fault::TRUNCATED_DECLARED_LEN);
    }

    #[test]
    fn huge_body_adds_up() {
        let mut body = HugeBody { sent: 0 };
        let waker = std::task::Waker::noop();
        let mut cx = Context::from_waker(waker);
        let (mut total, mut first, mut last) = (0u64, None, Vec::new());
        while let Poll::Ready(Some(Ok(frame))) = Pin::new(&mut body).poll_frame(&mut cx) {
            let data = frame.into_data().unwrap_or_default();
            total += data.len() as u64;
            first.get_or_insert_with(|| data.clone());
            last = data.to_vec();
        }
        assert_eq!(total, Fault::HUGE_BODY_LEN);
        assert_eq!(first.as_deref(), Some(HUGE_PREFIX));
        assert_eq!(last, HUGE_SUFFIX);
    }
}
